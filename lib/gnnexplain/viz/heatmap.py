"""The class-difference importance heatmap of Palcu et al. 2019 (§4.3) and a weighted-graph drawing."""

from __future__ import annotations

from typing import Sequence

from torch import Tensor


def class_difference_heatmap(c1: Tensor, c2: Tensor, *, drop_first_bin: bool = True,
                             highlight: Sequence[int] = (), title: str | None = None,
                             names: tuple[str, str] = ("State1", "State2")):
    """Heatmap of ``C_1 - C_2`` (nodes on x, importance bins on y), on a diverging scale centred on 0.

    Red high and blue low in a column means the node is important for the first class, the reverse for the
    second; ~0 means not discriminative (the paper's reading, Fig. 3). Bin b spans importances
    ``[b/10, (b+1)/10)``; bin 0 (below 0.1) is dropped by default, as in the paper.

    Args:
        c1, c2: ``[n, bins]`` class-wise frequency matrices (``gnnexplain.explain.class_frequency``).
        drop_first_bin: hide bin 0. highlight: node ids marked below the x axis (e.g. the planted ones).
        title: figure title. names: the two class names.
    Returns:
        ``plotly.graph_objects.Figure``.
    Raises:
        ValueError: if the shapes differ.
    """
    import plotly.graph_objects as go

    if c1.shape != c2.shape or c1.dim() != 2:
        raise ValueError(f"c1 {tuple(c1.shape)} and c2 {tuple(c2.shape)} must both be [n, bins]")
    diff = (c1.float() - c2.float()).T  # [bins, n]
    bins = c1.size(1)
    first = 1 if drop_first_bin else 0
    labels = [f"{b / (bins - 1):.1f}" for b in range(first, bins)]
    z = diff[first:]
    limit = float(z.abs().max()) or 1.0
    fig = go.Figure(go.Heatmap(
        z=z.tolist(), x=list(range(c1.size(0))), y=labels, colorscale="RdBu_r", zmid=0, zmin=-limit, zmax=limit,
        colorbar=dict(title=f"{names[0]} − {names[1]}<br>(per graph)"),
        hovertemplate="node %{x}<br>importance bin %{y}<br>difference %{z:.3f}<extra></extra>"))
    if len(highlight):
        fig.add_scatter(x=list(highlight), y=[labels[0]] * len(highlight), mode="markers", name="planted node",
                        marker=dict(symbol="triangle-up", size=9, color="black"), yaxis="y",
                        hovertemplate="planted node %{x}<extra></extra>")
    fig.update_layout(title=title, template="plotly_white", height=380, xaxis_title="node",
                      yaxis_title="importance bin (H)", legend=dict(orientation="h", y=-0.25))
    return fig


def weighted_graph_figure(graph, node_importance: Tensor, *, ground_truth: Tensor | None = None,
                          layout_seed: int = 0, title: str | None = None):
    """Draw one (sparsified) weighted graph with node size/colour by importance, edges by weight.

    A thin wrapper around :func:`gnnexplain.viz.explanation_figure`: edge width and opacity follow the
    edge weights (scaled to [0, 1] by their maximum absolute value), hover text tells whether a node is in the
    ground truth.

    Args:
        graph: PyG ``Data`` with ``x [n, F]``, ``edge_index [2, E]``, ``edge_weight [E]``.
        node_importance: FloatTensor ``[n]`` (e.g. Grad-CAM's node mask). ground_truth: BoolTensor ``[n]``.
        layout_seed: spring-layout seed. title: figure title.
    Returns:
        ``plotly.graph_objects.Figure``.
    Raises:
        ValueError: if ``node_importance`` does not have n entries.
    """
    from torch_geometric.data import Data

    from gnnexplain.viz.graph import explanation_figure

    if node_importance.numel() != graph.num_nodes:
        raise ValueError(f"node_importance has {node_importance.numel()} entries, the graph {graph.num_nodes} nodes")
    shown = Data(x=graph.x, edge_index=graph.edge_index, node_mask=node_importance.view(-1, 1).float(),
                 edge_mask=graph.edge_weight.abs())
    labels = ground_truth.long() if ground_truth is not None else None
    return explanation_figure(shown, labels=labels, class_names=("not planted", "planted"),
                              layout_seed=layout_seed, title=title)
