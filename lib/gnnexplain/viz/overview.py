"""Figures of notebook 00 (overview): one Cora node's explanation by each node baseline, drawn on demand and
cached, for the worked example and the explorer."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from gnnexplain.experiments.common import explain_node, node_explainer
from gnnexplain.viz.graph import explanation_figure


def node_explanation_drawer(model: torch.nn.Module, data, *, predictions: Tensor, class_names: Sequence[str],
                            epochs: int = 200, seed: int = 0, explanations: dict | None = None) -> Callable:
    """``draw(node, method, hops, title=None)``: the ``hops``-hop neighbourhood of ``node`` with the explanation of
    the model's prediction for it by ``method`` (:func:`gnnexplain.viz.explanation_figure`).

    Each ``(node, method)`` is explained once (:func:`gnnexplain.experiments.common.explain_node` with
    :func:`gnnexplain.experiments.common.node_explainer`) and kept in ``explanations``.

    Args:
        model: node classifier, ``(x [N, F], edge_index [2, E])`` to logits ``[N, C]``. data: the graph, with
            ``y [N]``. predictions: LongTensor ``[N]`` (hover text). class_names: name per class id.
        epochs, seed: GNNExplainer's epochs, and the seed of stochastic explainers and of the layout.
        explanations: ``{(node, method): Explanation}`` already computed (reused, and filled by ``draw``).
    Returns:
        ``draw(node, method, hops, title=None) -> plotly Figure``; the default title is ``"<method>: node <node>"``.
        It raises ValueError for a method outside :data:`gnnexplain.experiments.common.NODE_METHODS` and
        IndexError for a node outside the graph.
    """
    cache = {} if explanations is None else explanations

    def draw(node, method, hops, title=None):
        if (node, method) not in cache:
            cache[node, method] = explain_node(node_explainer(model, method, epochs=epochs), data, node, seed=seed)
        return explanation_figure(cache[node, method], index=node, hops=hops, labels=data.y, predictions=predictions,
                                  class_names=class_names, layout_seed=seed, title=title or f"{method}: node {node}")

    return draw
