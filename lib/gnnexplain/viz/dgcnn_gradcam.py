"""Figures of notebook 01 (Palcu et al. 2019): the class-difference heatmap of every sparsification level, one
sparsified graph with its Grad-CAM node importance, and the explorer's draw function (docs/01_dgcnn_gradcam.md)."""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor

from gnnexplain.data.synthetic import STATE_NAMES
from gnnexplain.metrics.sanity import FAILS_NOTE
from gnnexplain.viz.heatmap import class_difference_heatmap, weighted_graph_figure


def _verdict(passes: bool | None) -> str:
    return f" — Grad-CAM {FAILS_NOTE}" if passes is False else ""


def level_heatmaps(heat: dict, planted: list[int], passes: dict | None = None) -> dict:
    """The paper's heatmap ``C_State1 − C_State2`` for each sparsification level (its Fig. 3).

    Args:
        heat: ``{p: (C_State1, C_State2)}``, class-wise frequency matrices ``[n, bins]`` from
            :func:`gnnexplain.explain.gradcam.class_frequency`. planted: ids of the planted nodes, marked ▲.
        passes: ``{p: bool}``, the sanity verdict of each level
            (:func:`gnnexplain.experiments.dgcnn_gradcam.sanity_table`); a level that does not pass says
            :data:`FAILS_NOTE` in its title. None: no verdict shown.
    Returns:
        ``{p: plotly Figure}`` in the order of ``heat``.
    """
    passes = passes or {}
    titles = {p: f"p = {p}%: C_State1 − C_State2 (▲ planted nodes){_verdict(passes.get(p))}" for p in heat}
    return {p: class_difference_heatmap(*pair, highlight=planted, title=titles[p]) for p, pair in heat.items()}


def gradcam_graph_figure(explained: dict, graphs: list, index: int, p: int, *, truth: Tensor, layout_seed: int = 0,
                         passes: bool | None = None):
    """Graph ``index`` of one sparsification level with its Grad-CAM node importance (``node_mask``).

    Args:
        explained: :func:`gnnexplain.experiments.dgcnn_gradcam.explain_folds` output of that level
            (``node_mask [G, n]``, ``pred [G]``). graphs: the level's sparsified ``Data`` list (``y [1]``,
            ``edge_weight [E]``). index: graph position in ``[0, G)``. p: the level, for the title.
        truth: BoolTensor ``[n]`` of planted nodes (hover text). layout_seed: spring-layout seed.
        passes: the level's sanity verdict; False adds :data:`FAILS_NOTE` to the title, None shows no verdict.
    Returns:
        ``plotly.graph_objects.Figure`` titled with the true and predicted state and the kept edges.
    Raises:
        IndexError: if ``index`` is outside ``[0, G)``.
    """
    if not 0 <= index < len(graphs):
        raise IndexError(f"index={index} is outside 0..{len(graphs) - 1}")
    graph = graphs[index]
    state, pred = STATE_NAMES[int(graph.y)], STATE_NAMES[int(explained["pred"][index])]
    return weighted_graph_figure(graph, explained["node_mask"][index], ground_truth=truth, layout_seed=layout_seed,
                                 title=f"graph {index} ({state}, predicted {pred}), p = {p}%: "
                                       f"{graph.num_edges // 2} edges{_verdict(passes)}")


def state_graph_drawer(explained: dict, graphs: dict, heatmaps: dict, y: Tensor, *, truth: Tensor,
                       layout_seed: int = 0, passes: dict | None = None) -> Callable:
    """The draw function of notebook 01's explorer: ``draw(p, state, i)`` shows the i-th graph of ``state`` at
    level p (:func:`gradcam_graph_figure`) next to that level's heatmap.

    Args:
        explained, graphs, heatmaps: ``{p: ...}`` of :func:`explain_folds` outputs, sparsified graphs and
            :func:`level_heatmaps`. y: LongTensor ``[G]`` of states (0 = State1, 1 = State2).
        truth, layout_seed: see :func:`gradcam_graph_figure`. passes: ``{p: bool}`` sanity verdicts (see
            :func:`level_heatmaps`).
    Returns:
        ``draw(p, state, i) -> [graph figure, heatmap]``; it raises IndexError when ``state`` has no i-th graph
        and ValueError for a state outside ``STATE_NAMES``.
    """
    by_state = [(y == s).nonzero().view(-1) for s in range(len(STATE_NAMES))]
    passes = passes or {}

    def draw(p, state, i):
        members = by_state[STATE_NAMES.index(state)]
        if not 0 <= i < len(members):
            raise IndexError(f"i={i} is outside 0..{len(members) - 1} for {state}")
        return [gradcam_graph_figure(explained[p], graphs[p], int(members[i]), p, truth=truth,
                                     layout_seed=layout_seed, passes=passes.get(p)), heatmaps[p]]

    return draw
