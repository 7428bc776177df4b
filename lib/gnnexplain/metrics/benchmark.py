"""The metrics of the one benchmark protocol (issue 24, docs/06_benchmark.md): every explainer, every dataset with a
planted ground truth, the same numbers.

An *instance* is one explained prediction on its own graph: a graph of a graph classifier, or a node of a node
classifier on its computation subgraph (:func:`gnnexplain.core.graph.computation_subgraph`), with its ground truth
``node_truth [N]`` / ``edge_truth [E]`` (bool, PyG's convention: True on the nodes / edges of the planted motif).

* :func:`instance_scores`: the (score, label) items an explanation is judged on: the undirected pairs (or the
  nodes) of the instance, scored by the mask's absolute value (pairs: the mean of their two directions;
  docs/conventions.md §0.1). For a node classifier only the pairs and nodes of the explained node's ``num_hops``-hop
  subgraph count (what the model can see, as in :func:`gnnexplain.metrics.groundtruth.edge_auc`).
* :func:`groundtruth_auroc`: ROC-AUC over those items, pooled over the instances and the mean of the instances' own.
* :func:`truth_size_scores`: fidelity+ / fidelity− and unfaithfulness of the mask's top-k pairs, k = the number of
  ground-truth pairs (:func:`gnnexplain.metrics.fidelity.topk_pair_mask`, :func:`hard_mask_scores`).
* :func:`characterization`: PyG's characterization score of mean fidelities (GraphFramEx, Amara et al. 2022).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor
from torch_geometric.utils import k_hop_subgraph

from gnnexplain.core.graph import subgraph_pairs, symmetrize_edge_mask
from gnnexplain.metrics.fidelity import first_directions, hard_mask_scores, topk_pair_mask
from gnnexplain.validation import check_finite, check_node_index, check_number

LEVELS = ("edge", "node")


def candidate_pairs(edge_index: Tensor, num_nodes: int, *, index: int | None = None,
                    num_hops: int | None = None) -> Tensor:
    """One stored direction of every undirected pair an explanation is judged on.

    Args:
        edge_index: ``[2, E]`` of the instance. num_nodes: N.
        index: the explained node of a node classifier (then ``num_hops`` is required): the pairs with both ends in
            its ``num_hops``-hop subgraph (:func:`gnnexplain.core.graph.subgraph_pairs`); ``None``: every pair of
            the graph.
        num_hops: L >= 1, the model's number of message-passing layers.
    Returns:
        Bool ``[E]``.
    Raises:
        ValueError: for ``index`` without a valid ``num_hops``. IndexError: for ``index`` outside the graph.
    """
    if index is None:
        return first_directions(edge_index, num_nodes)
    index = check_node_index(index, num_nodes)
    num_hops = check_number(num_hops, "num_hops", low=1, integer=True) if num_hops is not None else None
    if num_hops is None:
        raise ValueError("num_hops must be given with index (the explained node's subgraph)")
    return subgraph_pairs(edge_index, index, num_hops, num_nodes)


def instance_scores(level: str, mask: Tensor, truth: Tensor, edge_index: Tensor, num_nodes: int, *,
                    index: int | None = None, num_hops: int | None = None) -> tuple[Tensor, Tensor]:
    """The (score, label) items on which one explanation is judged against its ground truth.

    Args:
        level: ``"edge"``: ``mask`` is an edge mask ``[E]`` and ``truth`` the edge truth ``[E]``; the items are the
            candidate pairs (:func:`candidate_pairs`), each scored by the mean of its two directions' ``|mask|``
            and positive if either direction is. ``"node"``: ``mask`` is a node mask ``[N]`` or ``[N, F]`` (summed
            over features after ``abs``) and ``truth`` the node truth ``[N]``; the items are the nodes of the
            explained node's ``num_hops``-hop subgraph, or every node of a graph.
        mask, truth: as above (truth bool or 0/1). edge_index: ``[2, E]``. num_nodes: N.
        index, num_hops: the explained node and the model's depth (node classifiers), as in :func:`candidate_pairs`.
    Returns:
        ``(scores [P], labels [P])``, FloatTensors (labels 0/1).
    Raises:
        ValueError: for an unknown ``level``, a mask or truth of the wrong size, or a non-finite mask.
        IndexError: for ``index`` outside the graph.
    """
    if level not in LEVELS:
        raise ValueError(f"level={level!r}; allowed: {', '.join(LEVELS)}")
    check_finite(mask, "mask")
    size = edge_index.size(1) if level == "edge" else num_nodes
    if mask.size(0) != size or truth.numel() != size:
        raise ValueError(f"a {level} mask and truth need {size} entries, got mask {list(mask.shape)} and truth "
                         f"{list(truth.shape)}")
    if level == "edge":
        kept = candidate_pairs(edge_index, num_nodes, index=index, num_hops=num_hops)
        scores = symmetrize_edge_mask(edge_index, mask.detach().abs().view(-1), num_nodes)[kept]
        labels = symmetrize_edge_mask(edge_index, truth.float().view(-1), num_nodes)[kept] > 0
        return scores, labels.float()
    scores = mask.detach().abs().float().view(num_nodes, -1).sum(-1)
    nodes = torch.arange(num_nodes)
    if index is not None:
        candidate_pairs(edge_index, num_nodes, index=index, num_hops=num_hops)  # checks index and num_hops
        nodes = k_hop_subgraph(index, num_hops, edge_index, num_nodes=num_nodes)[0]
    return scores[nodes], truth.view(-1)[nodes].float()


def groundtruth_auroc(items: Sequence[tuple[Tensor, Tensor]]) -> dict:
    """Ground-truth ROC-AUC (scikit-learn's ``roc_auc_score``) of the items of several explained instances.

    * ``pooled``: one ROC-AUC over the items of all instances (as :func:`gnnexplain.metrics.groundtruth.edge_auc`):
      it also asks that a method's scores have the same scale from instance to instance;
    * ``per_instance``: the mean of the instances' own ROC-AUCs, over the instances whose items hold both classes
      (``n_per_instance`` of them); NaN if none does.

    Args:
        items: ``(scores [P_i], labels [P_i])`` per instance (:func:`instance_scores`), at least one.
    Returns:
        ``{"pooled", "per_instance", "n", "n_per_instance"}``, AUCs in [0, 1] (0.5: chance; ties count half).
    Raises:
        ValueError: for no instance, or pooled labels of one class only (the AUC is undefined).
    """
    from sklearn.metrics import roc_auc_score

    items = list(items)
    if not items:
        raise ValueError("items must hold at least one (scores, labels) instance")
    scores, labels = torch.cat([s for s, _ in items]), torch.cat([lab for _, lab in items])
    if labels.numel() == 0 or labels.min() == labels.max():
        raise ValueError("the instances' items hold only one class of labels; ROC-AUC is undefined")
    own = [roc_auc_score(lab.numpy(), s.numpy()) for s, lab in items if lab.numel() and lab.min() < lab.max()]
    return {"pooled": float(roc_auc_score(labels.numpy(), scores.numpy())),
            "per_instance": float(sum(own) / len(own)) if own else math.nan, "n": len(items),
            "n_per_instance": len(own)}


def truth_size_scores(model: torch.nn.Module, x: Tensor, edge_index: Tensor, edge_mask: Tensor, edge_truth: Tensor,
                      *, index: int | None = None, num_hops: int | None = None) -> dict[str, float]:
    """Fidelity+ / fidelity− and unfaithfulness of one explanation at the ground truth's size.

    The hard explanation keeps the mask's k highest-scored candidate pairs (:func:`candidate_pairs`;
    :func:`gnnexplain.metrics.fidelity.topk_pair_mask`), k = the number of ground-truth pairs among them, so every
    method is judged at the size of the planted motif; the scores are PyG's (:func:`hard_mask_scores`).

    Args:
        model: ``(x, edge_index) -> logits`` ``[N, C]`` (node classifier: pass ``index``, ``num_hops``) or ``[1, C]``.
        x: ``[N, F]``. edge_index: ``[2, E]``. edge_mask: ``[E]`` real scores. edge_truth: ``[E]`` bool.
        index, num_hops: as in :func:`candidate_pairs`.
    Returns:
        ``{"fid+", "fid-", "unfaithfulness"}`` (each 0/1 for the fidelities, [0, 1) for unfaithfulness).
    Raises:
        ValueError: if no candidate pair is ground truth (k would be 0), or for masks of the wrong size.
    """
    if edge_mask.numel() != edge_index.size(1) or edge_truth.numel() != edge_index.size(1):
        raise ValueError(f"edge_mask and edge_truth need {edge_index.size(1)} entries, got {edge_mask.numel()} and "
                         f"{edge_truth.numel()}")
    num_nodes = x.size(0)
    candidates = candidate_pairs(edge_index, num_nodes, index=index, num_hops=num_hops)
    k = int((symmetrize_edge_mask(edge_index, edge_truth.float().view(-1), num_nodes)[candidates] > 0).sum())
    if k == 0:
        raise ValueError("edge_truth marks none of the candidate pairs: the ground truth's size is 0")
    hard = topk_pair_mask(edge_index, edge_mask.detach().abs(), k, candidates=candidates, num_nodes=num_nodes)
    return hard_mask_scores(model, x, edge_index, hard, index=index)


def characterization(fid_plus: float, fid_minus: float) -> float:
    """PyG's ``characterization_score`` with equal weights: the harmonic mean of fid+ and 1 − fid−, in [0, 1]
    (higher is better; 0 when fid+ = 0 or fid− = 1).

    Raises:
        ValueError: for a fidelity outside [0, 1].
    """
    from torch_geometric.explain.metric import characterization_score

    check_number(fid_plus, "fid_plus", low=0, high=1)
    check_number(fid_minus, "fid_minus", low=0, high=1)
    if fid_plus == 0 or fid_minus == 1:
        return 0.0  # PyG divides by zero here; the harmonic mean's limit is 0
    return float(characterization_score(torch.tensor(fid_plus), torch.tensor(fid_minus)))
