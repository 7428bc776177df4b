"""Explanation accuracy against planted ground truth.

Node level (Palcu et al. 2019 notebook): :func:`node_auroc` and :func:`precision_at_k` score a node
importance against a known node set.

Edge level (Ying et al., NeurIPS 2019, Table 1, §4.2): :func:`edge_auc`, and :func:`flat_mask_fraction` to
check that a soft mask ranks anything at all. Convention for undirected graphs
(both directions stored): an explainer may score the two directions of a pair {u, v} differently, so each
pair's score is the **mean of its two directed scores** (:func:`symmetrize_edge_mask`), and each pair enters
the AUC **once per explained node** (the pairs of that node's L-hop computation subgraph). A pair is
positive iff its ground-truth edge mask is set (optionally: and it lies in the explained node's own motif).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor

from gnnexplain.core.graph import subgraph_pairs, symmetrize_edge_mask
from gnnexplain.validation import check_finite, check_node_index


def explanation_pairs(edge_index: Tensor, edge_mask: Tensor, ground_truth: Tensor, index: int,
                      num_hops: int, num_nodes: int) -> tuple[Tensor, Tensor]:
    """Scores and labels of the undirected pairs in node ``index``'s ``num_hops``-hop subgraph.

    Args:
        edge_index: ``[2, E]``. edge_mask: ``[E]`` scores. ground_truth: ``[E]`` bool/0-1 labels.
        index: the explained node. num_hops: L, the model's number of message-passing layers.
        num_nodes: N.
    Returns:
        ``(scores [P], labels [P])`` with one entry per undirected pair (directions averaged).
    """
    kept = subgraph_pairs(edge_index, index, num_hops, num_nodes)
    return symmetrize_edge_mask(edge_index, edge_mask, num_nodes)[kept], ground_truth[kept].float()


def own_motif_edges(edge_index: Tensor, ground_truth: Tensor, motif_id: Tensor, node: int) -> Tensor:
    """The ground-truth edges of ``node``'s own motif (both endpoints in it): the authors' ground truth for
    one explained node (repo ``explainer/explain.py::make_pred_real``).

    Args:
        edge_index: ``[2, E]``. ground_truth: ``[E]`` bool, True for motif edges.
        motif_id: ``[N]`` long, the motif of each node (-1 outside motifs). node: a node of a motif.
    Returns:
        Bool ``[E]``.
    Raises:
        ValueError: if ``node`` lies in no motif or ``ground_truth`` does not have E entries.
        IndexError: if ``node`` is outside ``motif_id``.
    """
    node = check_node_index(node, motif_id.numel(), "node")
    if ground_truth.numel() != edge_index.size(1):
        raise ValueError(f"ground_truth has {ground_truth.numel()} entries, edge_index has "
                         f"{edge_index.size(1)} edges")
    if motif_id[node] < 0:
        raise ValueError(f"node {node} lies in no motif (motif_id -1); allowed: motif nodes")
    return ground_truth.bool() & (motif_id[edge_index] == motif_id[node]).all(dim=0)


def edge_auc(explanations, edge_index: Tensor, ground_truth: Tensor, *, num_hops: int = 3,
             num_nodes: int | None = None, motif_id: Tensor | None = None, per_node: bool = False) -> float:
    """ROC-AUC of edge masks against ground-truth edges, pooled over explained nodes (paper Table 1).

    For every explained node v the undirected pairs of v's ``num_hops``-hop computation subgraph are
    collected (:func:`explanation_pairs`); the (score, label) lists of all nodes are concatenated and a
    single ROC-AUC is computed (scikit-learn's ``roc_auc_score``), as in PyG's GNNExplainer example.

    Two ground truths: by default every ground-truth edge in v's subgraph is positive (PyG's convention:
    a neighbouring motif reached through a random edge counts too). With ``motif_id``, only the edges of
    v's *own* motif are (both endpoints in it): the authors' ``make_pred_real``, which labels the edges
    among the explained node's motif (repo ``explainer/explain.py``).

    With ``per_node=True`` the AUC is computed within each node's subgraph and averaged over the nodes
    whose subgraph holds both classes (the others are skipped): it asks whether a method ranks a node's
    own edges well, whatever the scale of its mask from one node to the next; the pooled AUC also asks
    that the scales agree.

    Args:
        explanations: mapping ``{node id: edge_mask [E]}`` (or an iterable of ``(node, edge_mask)``).
        edge_index: ``[2, E]`` undirected (both directions stored).
        ground_truth: ``[E]`` bool, True for motif edges.
        num_hops: L >= 1.
        num_nodes: N (default: ``edge_index.max() + 1``).
        motif_id: optional ``[N]`` long, the motif of each node (-1 outside motifs); every explained node
            must lie in a motif.
        per_node: average the nodes' own AUCs instead of pooling their edges.
    Returns:
        AUC in [0, 1].
    Raises:
        ValueError: if no node is given, ``num_hops < 1``, a mask, the ground truth or ``motif_id`` has the
            wrong size, an explained node lies in no motif (with ``motif_id``), or the pooled labels are all
            positive or all negative (AUC undefined; with ``per_node``, if no node's subgraph holds both).
        IndexError: if an explained node is outside the graph.
    """
    num_nodes = int(edge_index.max()) + 1 if num_nodes is None else num_nodes
    items = explanation_items(explanations, num_hops, num_nodes)
    if ground_truth.numel() != edge_index.size(1):
        raise ValueError(f"ground_truth has {ground_truth.numel()} entries, edge_index has "
                         f"{edge_index.size(1)} edges")
    from sklearn.metrics import roc_auc_score

    truths = [ground_truth] * len(items)
    if motif_id is not None:
        if motif_id.numel() != num_nodes:
            raise ValueError(f"motif_id has {motif_id.numel()} entries, the graph has {num_nodes} nodes")
        truths = [own_motif_edges(edge_index, ground_truth, motif_id, v) for v, _ in items]
    pairs = [explanation_pairs(edge_index, mask, truth, v, num_hops, num_nodes)
             for (v, mask), truth in zip(items, truths)]
    if per_node:
        pairs = [(scores, labels) for scores, labels in pairs if labels.min() < labels.max()]
        if not pairs:
            raise ValueError("no explained subgraph holds both classes of edges; per-node ROC-AUC is undefined")
        return float(sum(roc_auc_score(labels.numpy(), scores.numpy()) for scores, labels in pairs) / len(pairs))
    scores, labels = torch.cat([p[0] for p in pairs]), torch.cat([p[1] for p in pairs])
    if labels.min() == labels.max():
        raise ValueError("the explained subgraphs hold only one class of edges; ROC-AUC is undefined")
    return float(roc_auc_score(labels.numpy(), scores.numpy()))


def flat_mask_fraction(explanations, edge_index: Tensor, *, num_hops: int = 3, num_nodes: int | None = None,
                       atol: float = 1e-3) -> float:
    """Share of explained nodes whose edge mask is *flat*: over the undirected pairs of the node's ``num_hops``-hop
    computation subgraph its scores span less than ``atol`` (max − min, after :func:`symmetrize_edge_mask`).

    Meant for soft masks in [0, 1] (GNNExplainer, PGExplainer, attention), whose scale is fixed: a flat one calls
    every edge equally (un)important, and :func:`edge_auc` on it ranks differences below ``atol``, i.e. numerical
    noise, not an explanation. (A gradient's scale is arbitrary, so an absolute ``atol`` says little there.)

    Args:
        explanations: mapping ``{node id: edge_mask [E]}`` (or an iterable of ``(node, edge_mask)``).
        edge_index: ``[2, E]`` undirected (both directions stored).
        num_hops: L >= 1. num_nodes: N (default: ``edge_index.max() + 1``).
        atol: the spread below which a mask counts as flat, > 0 (same units as the mask).
    Returns:
        Fraction in [0, 1] of the explained nodes.
    Raises:
        ValueError: if no node is given, ``num_hops < 1``, ``atol`` is not a positive finite number, a mask has
            the wrong size, or an explained node's subgraph holds no edge (nothing to rank).
        IndexError: if an explained node is outside the graph.
    """
    num_nodes = int(edge_index.max()) + 1 if num_nodes is None else num_nodes
    items = explanation_items(explanations, num_hops, num_nodes)
    if not 0 < atol < float("inf"):
        raise ValueError(f"atol={atol} must be a positive finite number")
    flat = 0
    for v, mask in items:
        kept = subgraph_pairs(edge_index, v, num_hops, num_nodes)
        if not kept.any():
            raise ValueError(f"node {v}'s {num_hops}-hop subgraph holds no edge: its mask ranks nothing")
        scores = symmetrize_edge_mask(edge_index, mask, num_nodes)[kept]
        flat += bool(scores.max() - scores.min() < atol)
    return flat / len(items)


def explanation_items(explanations, num_hops: int, num_nodes: int, name: str = "explanations"
                      ) -> list[tuple[int, Tensor]]:
    """Per-node explanations as a checked, non-empty list of ``(node id, edge_mask [E])`` pairs: the input check
    shared by :func:`edge_auc`, :func:`flat_mask_fraction` and :func:`gnnexplain.metrics.fidelity.topk_fidelity`.

    Args:
        explanations: mapping ``{node id: edge_mask [E]}`` or an iterable of ``(node, edge_mask)``.
        num_hops: L of the computation subgraph, >= 1. num_nodes: N.
        name: the caller's parameter name, for the error message.
    Returns:
        ``[(node, edge_mask), ...]`` with every node an int in ``[0, N)`` (masks unchanged).
    Raises:
        ValueError: if it is empty, a mask holds NaN or inf, or ``num_hops < 1``. IndexError: for a node outside
            ``[0, num_nodes)``.
    """
    items = list(explanations.items() if isinstance(explanations, Mapping) else explanations)
    if not items:
        raise ValueError(f"{name} must hold at least one (node, edge_mask)")
    if num_hops < 1:
        raise ValueError(f"num_hops={num_hops} must be >= 1")
    for v, mask in items:
        check_finite(mask, f"{name}[{v}]")
    return [(check_node_index(v, num_nodes, "node"), mask) for v, mask in items]


def _check(scores: Tensor, ground_truth: Tensor) -> tuple[Tensor, Tensor]:
    scores, truth = torch.as_tensor(scores).detach().float().view(-1), torch.as_tensor(ground_truth).view(-1).bool()
    if scores.numel() != truth.numel():
        raise ValueError(f"scores has {scores.numel()} entries, ground_truth {truth.numel()}")
    if not torch.isfinite(scores).all():
        raise ValueError("scores hold NaN or inf; allowed: finite scores")
    if truth.all() or not truth.any():
        raise ValueError("ground_truth must hold both positives and negatives")
    return scores, truth


def node_auroc(scores: Tensor, ground_truth: Tensor) -> float:
    """Area under the ROC curve of ``scores`` for the positives of ``ground_truth`` (scikit-learn).

    Args:
        scores: FloatTensor ``[n]``, larger = more important. ground_truth: BoolTensor ``[n]``.
    Returns:
        float in [0, 1]; 0.5 for uninformative scores, ties counted half.
    Raises:
        ValueError: for different lengths, NaN scores, or a ground truth with a single class.
    """
    from sklearn.metrics import roc_auc_score

    scores, truth = _check(scores, ground_truth)
    return float(roc_auc_score(truth.numpy(), scores.numpy()))


def precision_at_k(scores: Tensor, ground_truth: Tensor, k: int | None = None) -> float:
    """Fraction of the ``k`` highest-scored nodes that are positives (``k`` defaults to the positive count).

    Ties at the cut are broken by node index (stable sort), so the value is reproducible.

    Raises:
        ValueError: as :func:`node_auroc`, or for ``k`` outside ``[1, n]``.
    """
    scores, truth = _check(scores, ground_truth)
    k = int(truth.sum()) if k is None else k
    if not 1 <= k <= scores.numel():
        raise ValueError(f"k={k} must be in [1, {scores.numel()}]")
    top = torch.sort(scores, descending=True, stable=True).indices[:k]
    return float(truth[top].float().mean())