"""Fidelity of explanations without ground truth, and how a model reads soft edge masks.

:func:`topk_fidelity` scores hard explanations (each node's top-k pairs) with PyG's ``fidelity`` (fid+, fid-);
:func:`uniform_mask_response` measures a node classifier's prediction when every edge carries the same mask
value, which is what GNNExplainer's soft masks feed it (docs/metrics.md).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor
from torch_geometric.explain import Explanation
from torch_geometric.explain.algorithm import ExplainerAlgorithm
from torch_geometric.explain.algorithm.utils import set_masks
from torch_geometric.explain.metric import fidelity
from torch_geometric.nn import MessagePassing

from gnnexplain.core.graph import subgraph_pairs, symmetrize_edge_mask, undirected_pair_index
from gnnexplain.core.masks import SafeExplainer, reset_explain_state
from gnnexplain.metrics.groundtruth import explanation_items
from gnnexplain.validation import check_node_indices

_MODEL_CONFIG = dict(mode="multiclass_classification", task_level="node", return_type="raw")


def uniform_mask_response(model: torch.nn.Module, data, nodes, scales) -> Tensor:
    """Probability of each node's predicted class when *every* edge carries the same mask value s.

    GNNExplainer feeds the model soft masks σ(M) in (0, 1) (Ying et al. 2019, eq. 4: ``A ⊙ σ(M)``); this
    measures how the model reads such fractional edges. A model that sums messages reads a mask of 0.5 on
    every edge as a graph of half the degree: if the probability collapses well before s reaches 0, soft
    masks take the model off the graphs it was trained on, and the optimisation follows that artefact
    rather than which edges matter. s = 1 is the model's own prediction, s = 0 the graph without edges.

    Args:
        model: node classifier ``(x [N, F], edge_index [2, E]) -> logits [N, C]`` with message-passing
            layers (the mask is injected with PyG's ``set_masks``, as GNNExplainer does).
        data: ``x [N, F]``, ``edge_index [2, E]``.
        nodes: ``[M]`` node ids (int, sequence or LongTensor), M >= 1.
        scales: S mask values, each in [0, 1].
    Returns:
        FloatTensor ``[S, M]``: P(class | x, s·A) of the class predicted on the unmasked graph, in [0, 1].
    Raises:
        ValueError: for empty ``nodes`` or ``scales``, a scale outside [0, 1] or NaN, or a model without a
            ``MessagePassing`` layer; IndexError: for a node outside the graph.
    """
    nodes = check_node_indices(nodes, data.num_nodes)
    scales = torch.as_tensor(scales, dtype=torch.float).view(-1)
    if scales.numel() == 0 or not ((scales >= 0) & (scales <= 1)).all():
        raise ValueError(f"scales={scales.tolist()} must be a non-empty sequence of values in [0, 1]")
    if not any(isinstance(m, MessagePassing) for m in model.modules()):
        raise ValueError("the model ignores edge masks: it has no MessagePassing layer")
    training = model.training
    reset_explain_state(model.eval())  # masks a PyG explainer may have left behind
    num_edges = data.edge_index.size(1)
    out = []
    try:
        with torch.no_grad():
            pred = model(data.x, data.edge_index).argmax(-1)[nodes]
            for s in scales:
                set_masks(model, torch.full((num_edges,), float(s)), data.edge_index, apply_sigmoid=False)
                out.append(model(data.x, data.edge_index).softmax(-1)[nodes, pred])
    finally:
        reset_explain_state(model).train(training)
    return torch.stack(out)


class _GivenEdgeMask(ExplainerAlgorithm):
    """Returns the edge mask it holds: precomputed explanations scored through PyG's ``Explainer`` metrics."""

    def __init__(self):
        super().__init__()
        self.edge_mask: Tensor | None = None

    def forward(self, model, x, edge_index, *, target, index=None, **kwargs) -> Explanation:
        return Explanation(edge_mask=self.edge_mask)

    def supports(self) -> bool:
        return True


def first_directions(edge_index: Tensor, num_nodes: int) -> Tensor:
    """Bool ``[E]``: the first stored direction of every undirected pair of ``edge_index [2, E]``, self-loops
    dropped: one entry per pair of a whole graph (:func:`gnnexplain.core.graph.subgraph_pairs` gives those of a
    node's subgraph)."""
    pair = undirected_pair_index(edge_index, num_nodes)
    first = torch.full((int(pair.max()) + 1 if pair.numel() else 0,), edge_index.size(1), dtype=torch.long)
    out = torch.zeros(edge_index.size(1), dtype=torch.bool)
    out[first.scatter_reduce(0, pair, torch.arange(edge_index.size(1)), "amin")] = True
    return out & (edge_index[0] != edge_index[1])


def topk_pair_mask(edge_index: Tensor, edge_mask: Tensor, k: int, *, candidates: Tensor | None = None,
                   num_nodes: int | None = None) -> Tensor:
    """The hard explanation of size ``k``: the ``k`` highest-scored undirected pairs, both directions kept.

    Pairs are scored by the mean of their two directed scores (:func:`gnnexplain.core.graph.symmetrize_edge_mask`)
    and ranked with ties in stored order (a stable sort), as every top-k of the workbook (docs/conventions.md §0.1).

    Args:
        edge_index: ``[2, E]``. edge_mask: ``[E]`` real scores.
        k: number of pairs to keep, in ``[1, P]`` with P the number of candidate pairs.
        candidates: bool ``[E]``, one stored direction of every pair that may be kept (e.g.
            :func:`gnnexplain.core.graph.subgraph_pairs`); default: every pair of the graph
            (:func:`first_directions`).
        num_nodes: N (default: ``edge_index.max() + 1``).
    Returns:
        FloatTensor ``[E]``: 1 on both directions of the kept pairs, 0 elsewhere.
    Raises:
        ValueError: if ``edge_mask`` does not have E entries or ``k`` is outside ``[1, P]``.
    """
    num_nodes = int(edge_index.max()) + 1 if num_nodes is None else num_nodes
    pair = undirected_pair_index(edge_index, num_nodes)
    candidates = (first_directions(edge_index, num_nodes) if candidates is None else candidates).nonzero().view(-1)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= candidates.numel():
        raise ValueError(f"k={k!r} is out of range; allowed: integers 1..{candidates.numel()} (the candidate pairs)")
    score = symmetrize_edge_mask(edge_index, edge_mask, num_nodes)[candidates]
    chosen = candidates[torch.sort(score, descending=True, stable=True).indices[:k]]
    return torch.isin(pair, pair[chosen]).float()


def hard_mask_scores(model: torch.nn.Module, x: Tensor, edge_index: Tensor, hard_mask: Tensor, *,
                     index: int | None = None) -> dict[str, float]:
    """PyG's fidelity and unfaithfulness of one hard edge mask, for the model's own prediction ("model"
    explanations; ``torch_geometric.explain.metric.fidelity`` and ``unfaithfulness``).

    * ``fid-``: 1 if the predicted class changes on the kept edges alone (0 is best), else 0;
    * ``fid+``: 1 if it changes with the kept edges removed (1 is best), else 0;
    * ``unfaithfulness``: ``1 − exp(−KL(p(x, S) ‖ p(x, E)))`` between the class probabilities on the whole graph
      and on the kept edges S, in [0, 1) (0 is best; Agarwal et al. 2023, "Evaluating Explainability for GNNs").

    Args:
        model: ``(x [N, F], edge_index [2, E]) -> logits`` ``[N, C]`` (node task: pass ``index``) or ``[1, C]``
            (graph task), with message-passing layers (the mask is injected as edge weights).
        x: ``[N, F]``. edge_index: ``[2, E]``. hard_mask: ``[E]`` 0/1 (:func:`topk_pair_mask`).
        index: the explained node of a node classifier; ``None`` for a graph classifier.
    Returns:
        ``{"fid+", "fid-", "unfaithfulness"}``.
    Raises:
        ValueError / IndexError: for bad input (:class:`~gnnexplain.core.masks.SafeExplainer`'s checks).
    """
    level = "graph" if index is None else "node"
    evaluator = SafeExplainer(model, _GivenEdgeMask(), explanation_type="model", node_mask_type=None,
                              edge_mask_type="object", model_config={**_MODEL_CONFIG, "task_level": level})
    evaluator.algorithm.edge_mask = hard_mask
    # a one-element index tensor keeps the node's probabilities [1, C], so PyG's KL averages over one row
    explanation = evaluator(x, edge_index, index=None if index is None else torch.tensor([index]))
    plus, minus = fidelity(evaluator, explanation)
    # PyG's unfaithfulness on the same two predictions, KL(p_kept || p_full) as its kl_div(p_full.log(), p_kept),
    # from log-softmax: PyG's log of softmax probabilities gives NaN when one underflows to 0 (a confident model)
    full = evaluator.get_prediction(x, edge_index)
    kept = evaluator.get_masked_prediction(x, edge_index, None, hard_mask)
    if index is not None:
        full, kept = full[[index]], kept[[index]]
    kl = torch.nn.functional.kl_div(full.log_softmax(-1), kept.log_softmax(-1), reduction="batchmean",
                                    log_target=True)
    return {"fid+": float(plus), "fid-": float(minus), "unfaithfulness": 1 - float(torch.exp(-kl))}


def topk_fidelity(model: torch.nn.Module, data, masks: Mapping[int, Tensor], k: Mapping[int, int], *,
                  num_hops: int = 3) -> dict[str, float]:
    """PyG's fidelity of hard explanations: each node's ``k`` highest-scored pairs of its computation subgraph.

    AUC asks whether a mask finds the planted motif; fidelity asks, with no ground truth, whether the edges a
    mask ranks highest carry the model's prediction (GraphFramEx, Amara et al. 2022; PyG
    ``torch_geometric.explain.metric.fidelity``, "model" explanations). For node v the undirected pairs of
    its ``num_hops``-hop subgraph are ranked by mask (directions averaged, ties in stored order) and the top
    ``k[v]`` pairs, both directions, form the explanation S_v (weight 1; every other edge 0;
    :func:`topk_pair_mask`). Then (:func:`hard_mask_scores`)

    * ``fid-`` = share of nodes whose predicted class changes on S_v alone (0 is best: S_v suffices);
    * ``fid+`` = share of nodes whose predicted class changes when S_v is removed (1 is best: S_v is needed).

    Args:
        model: node classifier ``(x [N, F], edge_index [2, E]) -> logits [N, C]`` with message-passing layers
            (the masks are injected as edge weights, as PyG's explainers do).
        data: ``x [N, F]``, ``edge_index [2, E]`` (undirected, both directions stored).
        masks: ``{node: edge_mask [E]}``, real scores (e.g. from
            :func:`gnnexplain.experiments.gnnexplainer_xgnn.explain_edges`, or a 0/1 ground truth).
        k: ``{node: number of pairs to keep}``, each in ``[1, P_v]`` (P_v: pairs in v's subgraph), for every
            node of ``masks``.
        num_hops: L of the computation subgraph, >= 1.
    Returns:
        ``{"fid+": float in [0, 1], "fid-": float in [0, 1]}``, means over the nodes.
    Raises:
        ValueError: for empty ``masks``, a node missing from ``k``, ``k[v]`` outside ``[1, P_v]``, a mask
            without E entries or ``num_hops < 1``. IndexError: for a node outside the graph.
    """
    num_nodes, edge_index = data.num_nodes, data.edge_index
    items = explanation_items(masks, num_hops, num_nodes, "masks")
    scores = {"fid+": [], "fid-": []}
    for v, mask in items:
        if v not in k:
            raise ValueError(f"k has no entry for node {v}; it needs one per node of masks")
        candidates = subgraph_pairs(edge_index, v, num_hops, num_nodes)
        if not 1 <= k[v] <= int(candidates.sum()):
            raise ValueError(f"k[{v}]={k[v]} is out of range; allowed: 1..{int(candidates.sum())} (the pairs of "
                             f"node {v}'s {num_hops}-hop subgraph)")
        hard = topk_pair_mask(edge_index, mask, k[v], candidates=candidates, num_nodes=num_nodes)
        result = hard_mask_scores(model, data.x, edge_index, hard, index=v)
        for name in scores:
            scores[name].append(result[name])
    return {name: float(sum(values) / len(values)) for name, values in scores.items()}
