"""NIV, the Node Importance Visualisation of Xie & Lu (NAM paper §4.2, Figs. 7-9), in plotly."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor

from gnnexplain.validation import check_node_index
from gnnexplain.viz.graph import edge_lines


def _neighbourhood(edge_index: Tensor, num_nodes: int, index: int, hops: int) -> tuple[Tensor, Tensor, Tensor]:
    """Nodes within ``hops`` of ``index``, their hop distances, and the undirected edges among them."""
    from torch_geometric.utils import k_hop_subgraph, to_undirected

    if not isinstance(hops, int) or hops < 1:
        raise ValueError(f"hops={hops!r} must be an integer >= 1")
    index = check_node_index(index, num_nodes)
    nodes, _, _, _ = k_hop_subgraph(index, hops, edge_index, num_nodes=num_nodes)
    if nodes.numel() == 1:
        raise ValueError(f"node {index} has no neighbour within hops={hops} in this graph; "
                         "NIV needs at least one neighbour to attribute to")
    dist = torch.full((num_nodes,), -1)
    for h in range(hops, -1, -1):  # overwrite with ever smaller radii: the last write is the hop distance
        dist[k_hop_subgraph(index, h, edge_index, num_nodes=num_nodes)[0]] = h
    inside = torch.zeros(num_nodes, dtype=torch.bool)
    inside[nodes] = True
    edges = to_undirected(edge_index[:, inside[edge_index[0]] & inside[edge_index[1]]])
    edges = edges[:, edges[0] < edges[1]]
    return nodes, dist[nodes], edges


def _check_contributions(contributions: Tensor, num_nodes: int | None = None) -> Tensor:
    """A dense float row ``[N]`` from ``[N]``, ``[N, 1]`` or a sparse ``[1, N]``; checks size and finiteness."""
    contributions = contributions.to_dense() if contributions.is_sparse else contributions
    contributions = contributions.detach().reshape(-1).float()
    if num_nodes is not None and contributions.numel() != num_nodes:
        raise ValueError(f"contributions must hold one value per node ({num_nodes}), got {contributions.numel()}")
    if not torch.isfinite(contributions).all():
        raise ValueError("contributions hold NaN or inf")
    return contributions


def top_contributors(contributions: Tensor, edge_index: Tensor, index: int, *, hops: int = 2, k: int = 10,
                     include_centre: bool = False):
    """The ``k`` nodes within ``hops`` of ``index`` with the largest |contribution|, as a DataFrame.

    Args:
        contributions: ``[N]`` (or ``[N, 1]``, or a sparse row) NAM contributions to the centre's logit.
        edge_index: ``[2, E]``; index: the centre node; hops: radius >= 1; k: rows kept, >= 1.
        include_centre: also rank the centre's own contribution.
    Returns:
        ``pandas.DataFrame`` with columns ``node, hop, contribution``, sorted by |contribution| descending.
    Raises:
        IndexError: ``index`` outside the graph. ValueError: ``hops < 1``, ``k < 1``, a centre without
        neighbours, or contributions of the wrong size.
    """
    import pandas as pd

    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k={k!r} must be an integer >= 1")
    contributions = _check_contributions(contributions)
    nodes, dist, _ = _neighbourhood(edge_index, contributions.numel(), index, hops)
    if not include_centre:
        nodes, dist = nodes[dist > 0], dist[dist > 0]
    values = contributions[nodes]
    order = torch.argsort(-values.abs(), stable=True)[:k]
    return pd.DataFrame({"node": nodes[order].tolist(), "hop": dist[order].tolist(),
                         "contribution": values[order].tolist()})


def niv_figure(contributions: Tensor, edge_index: Tensor, index: int, *, predictions: Tensor,
               labels: Tensor | None = None, hops: int = 1, class_names: Sequence[str] | None = None,
               size_range: tuple[float, float] = (10.0, 42.0), layout_seed: int = 0, title: str | None = None):
    """Draw the ``hops``-hop neighbourhood of ``index`` sized by |NAM contribution| (paper Figs. 7-9).

    Node size is linear in |contribution| from ``size_range[0]`` (0) to ``size_range[1]`` (the largest
    |contribution| drawn); colour is the GCN's predicted class (a categorical palette, one legend entry per
    class); the centre has a thick black border; nodes whose contribution is negative are drawn as crossed
    circles (an addition beyond the paper, docs/02_nam.md §2.5). Node ids are written on the nodes and the hover
    shows id, hop, label, prediction and contribution. The layout is networkx's spring layout with
    ``layout_seed``.

    Args:
        contributions: ``[N]`` (or ``[N, 1]`` or a sparse row) contribution of each node to the centre's logit.
        edge_index: ``[2, E]``; index: the centre node; hops: 1 (the paper's figures) or more.
        predictions: ``[N]`` predicted class per node; labels: optional ``[N]`` true classes (hover).
        class_names: names of the class ids.
        size_range: marker diameters (px) for |contribution| = 0 and for the maximum, 0 < min <= max.
        layout_seed: seed of the spring layout; title: figure title.
    Returns:
        ``plotly.graph_objects.Figure``.
    Raises:
        IndexError: ``index`` outside the graph. ValueError: ``hops < 1``, a centre without neighbours,
        contributions or predictions of the wrong size, or a bad ``size_range``.
    """
    import networkx as nx
    import plotly.graph_objects as go
    from plotly.colors import qualitative

    num_nodes = predictions.numel()
    contributions = _check_contributions(contributions, num_nodes)
    if not 0 < size_range[0] <= size_range[1]:
        raise ValueError(f"size_range={size_range!r} must satisfy 0 < min <= max")
    nodes, dist, edges = _neighbourhood(edge_index, num_nodes, index, hops)
    graph = nx.Graph()
    graph.add_nodes_from(nodes.tolist())
    graph.add_edges_from(edges.t().tolist())
    pos = nx.spring_layout(graph, seed=layout_seed)

    def name(c: int) -> str:
        return class_names[c] if class_names is not None else str(c)

    xs, ys = edge_lines(pos, edges.t().tolist())
    traces = [go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                         line=dict(color="rgba(120,120,120,0.5)", width=1))]
    values = contributions[nodes]
    top = float(values.abs().max()) or 1.0
    sizes = size_range[0] + (size_range[1] - size_range[0]) * values.abs() / top
    palette = qualitative.T10
    for c in sorted(set(predictions[nodes].tolist())):
        pick = [i for i, v in enumerate(nodes.tolist()) if int(predictions[v]) == c]
        ids = [int(nodes[i]) for i in pick]
        hover = []
        for i, v in zip(pick, ids):
            text = f"node {v}{' (centre)' if v == index else ''}<br>hop {int(dist[i])}"
            if labels is not None:
                text += f"<br>label {name(int(labels[v]))}"
            hover.append(text + f"<br>prediction {name(c)}<br>contribution {float(values[i]):+.4g}")
        traces.append(go.Scatter(
            x=[pos[v][0] for v in ids], y=[pos[v][1] for v in ids], mode="markers+text", name=f"pred: {name(c)}",
            text=[str(v) for v in ids], textposition="top center", textfont=dict(size=10),
            hovertext=hover, hoverinfo="text",
            marker=dict(size=[float(sizes[i]) for i in pick], color=palette[c % len(palette)], opacity=0.9,
                        symbol=["circle-x" if float(values[i]) < 0 else "circle" for i in pick],
                        line=dict(color="black", width=[4 if v == index else 0.5 for v in ids]))))
    traces.append(go.Scatter(x=[None], y=[None], mode="markers", name="negative contribution",
                             marker=dict(symbol="circle-x", size=12, color="lightgrey",
                                         line=dict(color="black", width=0.5))))
    traces.append(go.Scatter(x=[None], y=[None], mode="markers", name=f"centre (node {index})",
                             marker=dict(symbol="circle", size=12, color="white", line=dict(color="black", width=4))))
    fig = go.Figure(traces)
    fig.update_layout(title=title, template="plotly_white", height=560, margin=dict(l=10, r=10, t=50, b=10),
                      xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x"),
                      legend=dict(itemsizing="constant"))
    return fig


def contribution_bars(contributions: Tensor, edge_index: Tensor, index: int, *, hops: int = 2, k: int = 10,
                      predictions: Tensor | None = None, class_names: Sequence[str] | None = None,
                      title: str | None = None):
    """Horizontal bar chart of the ``k`` neighbours with the largest |contribution| (signed bars).

    Args and errors as :func:`top_contributors`; ``predictions [N]`` and ``class_names`` label the bars.
    Returns:
        ``plotly.graph_objects.Figure``.
    """
    import plotly.graph_objects as go

    table = top_contributors(contributions, edge_index, index, hops=hops, k=k)[::-1]

    def tag(v: int) -> str:
        if predictions is None:
            return f"node {v}"
        c = int(predictions[v])
        return f"node {v} ({class_names[c] if class_names is not None else c})"

    fig = go.Figure(go.Bar(x=table["contribution"], y=[tag(v) for v in table["node"]], orientation="h",
                           marker_color=["#d62728" if c < 0 else "#1f77b4" for c in table["contribution"]],
                           hovertext=[f"hop {h}" for h in table["hop"]]))
    fig.update_layout(title=title, template="plotly_white", height=max(260, 28 * len(table) + 100),
                      xaxis_title="NAM contribution to the centre's logit", margin=dict(l=10, r=10, t=50, b=10))
    return fig
