"""Configured PyG baselines for node classification: Saliency and Integrated Gradients (through
``CaptumExplainer``) and GNNExplainer (Ying et al., NeurIPS 2019)."""

from __future__ import annotations

import time

import torch
from torch_geometric.explain import Explanation
from torch_geometric.explain.algorithm import CaptumExplainer, GNNExplainer

from gnnexplain.explain.safety import SafeExplainer
from gnnexplain.validation import check_node_index

NODE_METHODS = ("saliency", "integrated_gradients", "gnnexplainer")
_MODEL_CONFIG = dict(mode="multiclass_classification", task_level="node", return_type="raw")


def node_explainer(model: torch.nn.Module, method: str, *, epochs: int = 200, lr: float = 0.01) -> SafeExplainer:
    """A :class:`SafeExplainer` for a node classifier returning logits.

    All methods explain the model's own prediction (``explanation_type="model"``) with a node mask over
    features (``node_mask [N, F]``) and an edge mask over edges (``edge_mask [E]``).

    Args:
        model: maps ``(x [N, F], edge_index [2, E])`` to logits ``[N, C]``.
        method: one of :data:`NODE_METHODS`: ``"saliency"`` (|∂logit/∂input|, Simonyan et al. 2014),
            ``"integrated_gradients"`` (Sundararajan et al. 2017), ``"gnnexplainer"`` (learned soft masks).
        epochs, lr: GNNExplainer's optimisation settings (the paper's defaults).
    Raises:
        ValueError: for an unknown ``method``.
    """
    if method == "saliency":
        algorithm = CaptumExplainer("Saliency")
    elif method == "integrated_gradients":
        algorithm = CaptumExplainer("IntegratedGradients")
    elif method == "gnnexplainer":
        algorithm = GNNExplainer(epochs=epochs, lr=lr)
    else:
        raise ValueError(f"unknown method={method!r}; allowed: {', '.join(NODE_METHODS)}")
    return SafeExplainer(model, algorithm, explanation_type="model", node_mask_type="attributes",
                         edge_mask_type="object", model_config=_MODEL_CONFIG)


def explain_node(explainer: SafeExplainer, data, index: int, *, seed: int = 0) -> Explanation:
    """Explain the prediction for node ``index`` of ``data`` (``x [N, F]``, ``edge_index [2, E]``).

    Returns:
        PyG ``Explanation`` with ``node_mask [N, F]``, ``edge_mask [E]``, ``index`` and the inputs.
    Raises:
        IndexError: if ``index`` is not an integer in ``[0, N)``.
    """
    index = check_node_index(index, data.num_nodes)
    return explainer(data.x, data.edge_index, index=index, seed=seed)


def time_explanations(explainer: SafeExplainer, data, nodes, *, seed: int = 0) -> tuple[list[Explanation], float]:
    """Explain each node of ``nodes`` in turn and measure wall time.

    Returns:
        ``(explanations, seconds_per_explanation)``.
    Raises:
        ValueError: if ``nodes`` is empty; IndexError: for a node outside the graph.
    """
    nodes = list(nodes)
    if not nodes:
        raise ValueError("nodes must name at least one node")
    start = time.perf_counter()
    explanations = [explain_node(explainer, data, n, seed=seed) for n in nodes]
    return explanations, (time.perf_counter() - start) / len(nodes)
