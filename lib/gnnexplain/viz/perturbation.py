"""Accuracy-vs-deletion curves of the NAM perturbation experiment (Xie & Lu, Fig. 6)."""

from __future__ import annotations


def perturbation_figure(result, *, title: str | None = None):
    """Plot accuracy against the percentage of deleted K-hop neighbours, one line per ranking method.

    Args:
        result: a :class:`gnnexplain.metrics.PerturbationResult`; the random ranking gets a ±1 std band
            over its seeds, and every legend entry shows the method's area under the curve.
        title: figure title.
    Returns:
        ``plotly.graph_objects.Figure``.
    Raises:
        ValueError: if ``result`` holds no method.
    """
    import plotly.graph_objects as go
    from plotly.colors import qualitative

    if not result.accuracy:
        raise ValueError("result holds no ranking method")
    fig = go.Figure()
    for i, (method, acc) in enumerate(result.accuracy.items()):
        color = qualitative.Plotly[i % len(qualitative.Plotly)]
        std = result.accuracy_std.get(method, [0.0] * len(acc))
        if any(s > 0 for s in std):
            upper = [a + s for a, s in zip(acc, std)]
            lower = [a - s for a, s in zip(acc, std)]
            fig.add_scatter(x=result.percents + result.percents[::-1], y=upper + lower[::-1], fill="toself",
                            line=dict(width=0), fillcolor=color, opacity=0.2, hoverinfo="skip", showlegend=False)
        fig.add_scatter(x=result.percents, y=acc, mode="lines+markers", line=dict(color=color),
                        name=f"{method} (AUC {result.auc[method]:.3f})")
    fig.update_layout(title=title, template="plotly_white", height=420, xaxis_title="deleted K-hop neighbours (%)",
                      yaxis_title=f"accuracy of the {result.num_nodes} centre nodes", yaxis_range=[0, 1])
    return fig
