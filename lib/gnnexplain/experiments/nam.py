"""Notebook 02's experiment (Xie & Lu, NAM): NAM configured as a PyG explainer for a GCN, and the baseline rankings
of the neighbour-deletion experiment (Saliency, Integrated Gradients, GNNExplainer), each explained on the node's
computation subgraph (docs/02_nam.md §2.4)."""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.explain.algorithm import GNNExplainer
from torch_geometric.utils import k_hop_subgraph
from tqdm.auto import tqdm

from gnnexplain.core.masks import SafeExplainer
from gnnexplain.experiments.common import NODE_METHODS, explain_and_time, node_explainer
from gnnexplain.explain.nam import NAM, NAM_TARGETS
from gnnexplain.models.gcn import GCN
from gnnexplain.validation import check_node_indices


def explainer_node_scores(explainer, x: Tensor, edge_index: Tensor, nodes, *, hops: int = 2,
                          seed: int = 0, progress: bool = False) -> Tensor:
    """Per-node attribution scores ``[T, N]`` from a PyG explainer, one explanation per centre node.

    Each explanation runs on the (K+1)-hop subgraph of the centre node: it holds every edge into nodes
    within K hops, so a K-layer GCN's output at the centre, and hence Saliency and Integrated Gradients,
    are exactly those of the full graph, at a fraction of the cost. The node mask ``[n, F]`` is summed over
    features (signed; Saliency and GNNExplainer masks are non-negative) and placed in row t.

    Args:
        explainer: a ``torch_geometric.explain.Explainer`` (e.g. :func:`gnnexplain.experiments.common.node_explainer`).
        x: ``[N, F]``; edge_index: ``[2, E]``; nodes: centre nodes ``[T]``.
        hops: K (the model's number of layers), >= 1.
        seed: passed to a :class:`SafeExplainer` for stochastic explainers (GNNExplainer).
        progress: show a tqdm bar.
    Returns:
        FloatTensor ``[T, N]``; zero outside each centre's (K+1)-hop subgraph.
    Raises:
        IndexError: for a node outside the graph; ValueError for ``hops < 1``.
    """
    if not isinstance(hops, int) or hops < 1:
        raise ValueError(f"hops={hops!r} must be an integer >= 1")
    nodes = check_node_indices(nodes, x.size(0))
    out = torch.zeros(nodes.numel(), x.size(0))
    extra = {"seed": seed} if isinstance(explainer, SafeExplainer) else {}
    for t, node in enumerate(tqdm(nodes.tolist(), desc="explain", leave=False, disable=not progress)):
        subset, sub_edges, mapping, _ = k_hop_subgraph(node, hops + 1, edge_index, relabel_nodes=True,
                                                       num_nodes=x.size(0))
        (explanation,), _ = explain_and_time(explainer, [dict(x=x[subset], edge_index=sub_edges,
                                                              index=int(mapping[0]), **extra)])
        out[t, subset] = explanation.node_mask.detach().reshape(subset.numel(), -1).sum(-1).float()
    return out


def ranking_explainer(model: torch.nn.Module, method: str, *, gnnexplainer_epochs: int = 200):
    """The explainer behind a baseline ranking of neighbours in the deletion experiment.

    ``"saliency"`` and ``"integrated_gradients"`` are :func:`gnnexplain.experiments.common.node_explainer` (feature
    masks, summed per node by :func:`explainer_node_scores`). ``"gnnexplainer"`` learns one mask value per
    *node* (``node_mask_type="object"``) plus the edge mask: a node ranking is what this experiment deletes
    by, and it is 2-4x cheaper than the ``[N, F]`` feature mask ([proposal]; Ying et al. 2019 learn both).

    Raises:
        ValueError: for a ``method`` outside :data:`NODE_METHODS`.
    """
    if method not in NODE_METHODS:
        raise ValueError(f"unknown method={method!r}; allowed: {', '.join(NODE_METHODS)}")
    if method != "gnnexplainer":
        return node_explainer(model, method)
    return SafeExplainer(model, GNNExplainer(epochs=gnnexplainer_epochs), explanation_type="model",
                         node_mask_type="object", edge_mask_type="object",
                         model_config=dict(mode="multiclass_classification", task_level="node", return_type="raw"))


def nam_explainer(model: GCN, *, target: str = "pred", method: str = "auto") -> SafeExplainer:
    """A :class:`SafeExplainer` running :class:`NAM` on a GCN node classifier that returns logits.

    Args:
        model: a :class:`GCN`.
        target: ``"pred"`` explains the predicted class (``explanation_type="model"``); ``"true"`` explains
            a class passed as ``target`` at call time, e.g. the labels (``"phenomenon"``; the paper's choice).
        method: see :func:`gnnexplain.explain.nam.nam_contributions`.
    Raises:
        ValueError: for an unknown ``target`` or ``method``. TypeError: for a model other than GCN.
    """
    if target not in NAM_TARGETS:
        raise ValueError(f"unknown target={target!r}; allowed: {', '.join(NAM_TARGETS)}")
    if not isinstance(model, GCN):
        raise TypeError(f"NAM supports model=gnnexplain.models.GCN, got {type(model).__name__}")
    return SafeExplainer(model, NAM(method), explanation_type="model" if target == "pred" else "phenomenon",
                         node_mask_type="object", edge_mask_type=None,
                         model_config=dict(mode="multiclass_classification", task_level="node",
                                           return_type="raw"))
