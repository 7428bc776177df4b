"""Figures of notebook 00 (overview): one Cora node's explanation by each node baseline, drawn on demand and
cached, for the worked example and the explorer, each titled with its model-randomisation verdict."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import torch
from torch import Tensor

from gnnexplain.experiments.common import explain_node, node_explainer, sanity_verdict
from gnnexplain.viz.graph import explanation_figure


def node_explanation_drawer(model: torch.nn.Module, data, *, predictions: Tensor, class_names: Sequence[str],
                            epochs: int = 200, lr: float = 0.01, seed: int = 0, explanations: dict | None = None,
                            sanity: Mapping[str, Mapping] | None = None) -> Callable:
    """``draw(node, method, hops, title=None)``: the ``hops``-hop neighbourhood of ``node`` with the explanation of
    the model's prediction for it by ``method`` (:func:`gnnexplain.viz.explanation_figure`).

    Each ``(node, method)`` is explained once (:func:`gnnexplain.experiments.common.explain_node` with
    :func:`gnnexplain.experiments.common.node_explainer`) and kept in ``explanations``.

    Args:
        model: node classifier, ``(x [N, F], edge_index [2, E])`` to logits ``[N, C]``. data: the graph, with
            ``y [N]``. predictions: LongTensor ``[N]`` (hover text). class_names: name per class id.
        epochs, lr, seed: GNNExplainer's epochs and learning rate, and the seed of stochastic explainers and of
            the layout.
        explanations: ``{(node, method): Explanation}`` already computed (reused, and filled by ``draw``).
        sanity: ``{method: {"passes", ...}}`` (:func:`gnnexplain.experiments.common.node_sanity_table`); every title
            ends with the method's verdict (:func:`gnnexplain.experiments.common.sanity_verdict`).
    Returns:
        ``draw(node, method, hops, title=None) -> plotly Figure``; the default title is ``"<method>: node <node>"``,
        and ``" — <verdict>"`` follows either title.
        It raises ValueError for a method outside :data:`gnnexplain.experiments.common.NODE_METHODS` and
        IndexError for a node outside the graph.
    """
    cache = {} if explanations is None else explanations

    def draw(node, method, hops, title=None):
        if (node, method) not in cache:
            explainer = node_explainer(model, method, epochs=epochs, lr=lr)
            cache[node, method] = explain_node(explainer, data, node, seed=seed)
        title = f"{title or f'{method}: node {node}'} — {sanity_verdict(sanity, method)}"
        return explanation_figure(cache[node, method], index=node, hops=hops, labels=data.y, predictions=predictions,
                                  class_names=class_names, layout_seed=seed, title=title)

    return draw
