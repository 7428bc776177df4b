"""Plotly drawings of XGNN's generated graphs: node types as labels and colours (Yuan et al., KDD 2020)."""

from __future__ import annotations

from typing import Sequence

from gnnexplain.viz.graph import edge_lines

# The XGNN repo's atom colours (C green, N red, O blue, F cyan, I magenta, Cl white, Br yellow).
ATOM_COLORS = {"C": "green", "N": "red", "O": "blue", "F": "cyan", "I": "magenta", "Cl": "white", "Br": "yellow"}


def generated_graph_figure(node_type, edge_index, type_names: Sequence[str], *, title: str | None = None,
                           layout_seed: int = 0, height: int = 300):
    """Draw a graph whose nodes carry types: each node labelled with its type name and coloured by type.

    Args:
        node_type: ``[n]`` type ids (tensor or list). edge_index: ``[2, E]`` (either or both directions).
        type_names: name of each type id; atoms get :data:`ATOM_COLORS`, other names grey.
        title: figure title. layout_seed: seed of networkx's spring layout. height: pixels.
    Returns:
        ``plotly.graph_objects.Figure``.
    Raises:
        ValueError: if a type id has no name.
    """
    import networkx as nx
    import plotly.graph_objects as go

    types = [int(t) for t in node_type]
    if any(not 0 <= t < len(type_names) for t in types):
        raise ValueError(f"node types {sorted(set(types))} need names; type_names has {len(type_names)}")
    graph = nx.Graph()
    graph.add_nodes_from(range(len(types)))
    graph.add_edges_from((int(u), int(v)) for u, v in zip(*[list(r) for r in edge_index]) if int(u) != int(v))
    pos = nx.spring_layout(graph, seed=layout_seed)
    xs, ys = edge_lines(pos, graph.edges)
    names = [type_names[t] for t in types]
    fig = go.Figure([
        go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="grey", width=2), hoverinfo="skip", showlegend=False),
        go.Scatter(x=[pos[v][0] for v in graph.nodes], y=[pos[v][1] for v in graph.nodes], mode="markers+text",
                   text=names, textposition="middle center", hovertext=[f"node {v}: {n}" for v, n in enumerate(names)],
                   hoverinfo="text", showlegend=False,
                   marker=dict(size=26, color=[ATOM_COLORS.get(n, "lightgrey") for n in names],
                               line=dict(color="black", width=1)))])
    fig.update_layout(title=title, template="plotly_white", height=height, margin=dict(l=5, r=5, t=40, b=5),
                      xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x"))
    return fig


def generated_graph_grid(panels: Sequence[Sequence[dict]], type_names: Sequence[str], *, title: str | None = None,
                         layout_seed: int = 0):
    """A grid of generated graphs: ``panels[row][col]`` is a dict with ``node_type``, ``edge_index`` and
    ``title`` (e.g. one row per class, one column per node budget, the probability in the title).

    Returns:
        ``plotly.graph_objects.Figure``.
    Raises:
        ValueError: if ``panels`` is empty or ragged.
    """
    from plotly.subplots import make_subplots

    rows, cols = len(panels), len(panels[0]) if panels else 0
    if rows == 0 or cols == 0 or any(len(r) != cols for r in panels):
        raise ValueError("panels must be a non-empty rectangular list of lists")
    fig = make_subplots(rows, cols, subplot_titles=[p["title"] for r in panels for p in r],
                        horizontal_spacing=0.02, vertical_spacing=0.08)
    for i, row in enumerate(panels):
        for j, panel in enumerate(row):
            single = generated_graph_figure(panel["node_type"], panel["edge_index"], type_names,
                                            layout_seed=layout_seed)
            for trace in single.data:
                trace.marker.size = 16 if trace.mode == "markers+text" else None
                fig.add_trace(trace, row=i + 1, col=j + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(title=title, template="plotly_white", height=230 * rows + 60, width=max(700, 170 * cols),
                      margin=dict(l=5, r=5, t=70, b=5))
    for annotation in fig.layout.annotations:
        annotation.font.size = 11
    return fig
