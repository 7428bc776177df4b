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


def topk_fidelity(model: torch.nn.Module, data, masks: Mapping[int, Tensor], k: Mapping[int, int], *,
                  num_hops: int = 3) -> dict[str, float]:
    """PyG's fidelity of hard explanations: each node's ``k`` highest-scored pairs of its computation subgraph.

    AUC asks whether a mask finds the planted motif; fidelity asks, with no ground truth, whether the edges a
    mask ranks highest carry the model's prediction (GraphFramEx, Amara et al. 2022; PyG
    ``torch_geometric.explain.metric.fidelity``, "model" explanations). For node v the undirected pairs of
    its ``num_hops``-hop subgraph are ranked by mask (directions averaged, ties in stored order) and the top
    ``k[v]`` pairs, both directions, form the explanation S_v (weight 1; every other edge 0). Then

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
    pair = undirected_pair_index(edge_index, num_nodes)
    evaluator = SafeExplainer(model, _GivenEdgeMask(), explanation_type="model", node_mask_type=None,
                              edge_mask_type="object", model_config=_MODEL_CONFIG)
    scores = {"fid+": [], "fid-": []}
    for v, mask in items:
        if v not in k:
            raise ValueError(f"k has no entry for node {v}; it needs one per node of masks")
        candidates = subgraph_pairs(edge_index, v, num_hops, num_nodes).nonzero().view(-1)
        if not 1 <= k[v] <= candidates.numel():
            raise ValueError(f"k[{v}]={k[v]} is out of range; allowed: 1..{candidates.numel()} (the pairs of "
                             f"node {v}'s {num_hops}-hop subgraph)")
        score = symmetrize_edge_mask(edge_index, mask, num_nodes)[candidates]
        chosen = candidates[torch.sort(score, descending=True, stable=True).indices[:k[v]]]
        evaluator.algorithm.edge_mask = torch.isin(pair, pair[chosen]).float()
        plus, minus = fidelity(evaluator, evaluator(data.x, edge_index, index=v))
        scores["fid+"].append(plus)
        scores["fid-"].append(minus)
    return {name: float(sum(values) / len(values)) for name, values in scores.items()}
