"""A plotly drawing of a graph explanation: node size and colour by node mask, edges by edge mask."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor

from gnnexplain.core.graph import symmetrize_edge_mask
from gnnexplain.validation import check_node_index

_EDGE_LEVELS = 5  # edges are drawn in this many width/opacity levels, one plotly trace each


def edge_lines(pos: dict, pairs) -> tuple[list, list]:
    """x and y coordinates of straight edges for one plotly line trace (``None`` separates the segments).

    Args:
        pos: node -> (x, y), e.g. from ``networkx.spring_layout``. pairs: iterable of ``(u, v)`` node pairs.
    Returns:
        ``(xs, ys)``, three entries per pair.
    """
    xs, ys = [], []
    for u, v in pairs:
        xs += [pos[u][0], pos[v][0], None]
        ys += [pos[u][1], pos[v][1], None]
    return xs, ys


def node_scores(node_mask: Tensor | None, num_nodes: int) -> Tensor:
    """Per-node importance in [0, 1]: ``|node_mask|`` summed over features, divided by its maximum.

    Args:
        node_mask: ``[N, F]`` or ``[N, 1]`` or ``[N]``, or ``None`` (all zeros are returned).
        num_nodes: N.
    Returns:
        FloatTensor ``[N]``; all zeros when the mask is ``None`` or identically zero.
    Raises:
        ValueError: if the mask's first dimension is not N or it holds NaN.
    """
    if node_mask is None:
        return torch.zeros(num_nodes)
    if node_mask.size(0) != num_nodes:
        raise ValueError(f"node_mask has {node_mask.size(0)} rows, expected num_nodes={num_nodes}")
    if torch.isnan(node_mask).any():
        raise ValueError("node_mask holds NaN")
    score = node_mask.detach().abs().reshape(num_nodes, -1).sum(-1).float()
    top = score.max()
    return score / top if top > 0 else score


def _undirected_scores(edge_index: Tensor, edge_mask: Tensor | None) -> dict[tuple[int, int], float]:
    """One score per undirected pair {u, v}: the mean of |mask| over its stored directions (the metrics' rule,
    :func:`gnnexplain.core.graph.symmetrize_edge_mask`), scaled to [0, 1]; self-loops are not drawn."""
    values = edge_mask.detach().abs().float() if edge_mask is not None else torch.ones(edge_index.size(1))
    if edge_index.size(1) == 0:
        return {}
    values = symmetrize_edge_mask(edge_index, values, int(edge_index.max()) + 1)
    top = float(values.max()) if float(values.max()) > 0 else 1.0
    return {(min(u, v), max(u, v)): s for (u, v), s in zip(edge_index.t().tolist(), (values / top).tolist()) if u != v}


def explanation_figure(explanation, *, index: int | None = None, hops: int = 2,
                       labels: Tensor | None = None, predictions: Tensor | None = None,
                       class_names: Sequence[str] | None = None, layout_seed: int = 0,
                       title: str | None = None):
    """Draw an explanation (or the ``index``-centred ``hops``-hop part of it) as a plotly figure.

    Node size and colour follow :func:`node_scores`; edge width and opacity follow the edge mask, one
    line per undirected pair (the mean of its two directed scores, as in the metrics). The layout is networkx's spring
    layout with ``layout_seed``, so the same call gives the same picture.

    Args:
        explanation: a PyG ``Explanation`` (or ``Data``) with ``x [N, F]``, ``edge_index [2, E]`` and
            optional ``node_mask`` and ``edge_mask [E]``.
        index: centre node, drawn as a diamond; ``None`` draws the whole graph.
        hops: neighbourhood radius around ``index``, >= 1.
        labels, predictions: ``[N]`` class ids shown on hover; ``predictions`` also colour the outlines.
        class_names: names of the class ids, for hover text.
        layout_seed: seed of the spring layout.
        title: figure title.
    Returns:
        ``plotly.graph_objects.Figure``.
    Raises:
        IndexError: if ``index`` is outside the graph. ValueError: if ``hops < 1``.
    """
    import networkx as nx
    import plotly.graph_objects as go
    from torch_geometric.utils import k_hop_subgraph

    num_nodes = explanation.x.size(0)
    edge_index = explanation.edge_index
    edge_mask = getattr(explanation, "edge_mask", None)
    if hops < 1:
        raise ValueError(f"hops={hops} must be >= 1")
    if index is not None:
        index = check_node_index(index, num_nodes)
        nodes, _, _, kept = k_hop_subgraph(index, hops, edge_index, num_nodes=num_nodes)
        edge_index = edge_index[:, kept]
        edge_mask = edge_mask[kept] if edge_mask is not None else None
    else:
        nodes = torch.arange(num_nodes)
    score = node_scores(getattr(explanation, "node_mask", None), num_nodes)
    pairs = _undirected_scores(edge_index, edge_mask)

    graph = nx.Graph()
    graph.add_nodes_from(nodes.tolist())
    graph.add_edges_from(pairs)
    pos = nx.spring_layout(graph, seed=layout_seed)

    def name(c):
        return class_names[c] if class_names is not None else str(c)

    traces = []
    for level in range(_EDGE_LEVELS):
        lo, hi = level / _EDGE_LEVELS, (level + 1) / _EDGE_LEVELS
        xs, ys = edge_lines(pos, [uv for uv, s in pairs.items()
                                  if lo <= s < hi or (level == _EDGE_LEVELS - 1 and s >= hi)])
        if xs:
            traces.append(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                     line=dict(width=0.5 + 4.5 * hi, color=f"rgba(200,30,30,{0.15 + 0.85 * hi})")))
    if pairs:
        mids = list(pairs.items())
        traces.append(go.Scatter(
            x=[(pos[u][0] + pos[v][0]) / 2 for (u, v), _ in mids],
            y=[(pos[u][1] + pos[v][1]) / 2 for (u, v), _ in mids],
            mode="markers", marker=dict(size=6, opacity=0), showlegend=False,
            hovertext=[f"edge {u}–{v}<br>edge mask {s:.3f}" for (u, v), s in mids], hoverinfo="text"))

    node_list = nodes.tolist()
    hover = []
    for v in node_list:
        text = f"node {v}<br>node mask {float(score[v]):.3f}"
        if labels is not None:
            text += f"<br>label {name(int(labels[v]))}"
        if predictions is not None:
            text += f"<br>prediction {name(int(predictions[v]))}"
        hover.append(text)
    traces.append(go.Scatter(
        x=[pos[v][0] for v in node_list], y=[pos[v][1] for v in node_list], mode="markers",
        hovertext=hover, hoverinfo="text", showlegend=False,
        marker=dict(size=[8 + 22 * float(score[v]) for v in node_list],
                    color=[float(score[v]) for v in node_list], colorscale="Reds", cmin=0, cmax=1,
                    colorbar=dict(title="node<br>importance"),
                    symbol=["diamond" if v == index else "circle" for v in node_list],
                    line=dict(width=[3 if v == index else 1 for v in node_list],
                              color=([int(predictions[v]) for v in node_list] if predictions is not None
                                     else "black"),
                              colorscale="Viridis" if predictions is not None else None))))
    fig = go.Figure(traces)
    fig.update_layout(title=title, template="plotly_white", height=520, margin=dict(l=10, r=10, t=50, b=10),
                      xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x"))
    return fig
