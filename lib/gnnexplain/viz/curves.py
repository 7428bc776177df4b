"""Training curves from the report of :mod:`gnnexplain.models.training`."""

from __future__ import annotations

from typing import Mapping


def training_curves(reports: Mapping[str, dict], *, title: str | None = None):
    """Plot train/validation loss and validation accuracy per epoch for one or more training runs.

    Args:
        reports: run name -> report with ``history`` (lists ``train_loss``, ``val_loss``, ``val_acc``) and
            ``best_epoch``, as returned by ``train_node_classifier`` / ``train_graph_classifier``.
        title: figure title.
    Returns:
        ``plotly.graph_objects.Figure`` with two panels (loss, accuracy); the restored epoch is marked.
    Raises:
        ValueError: if ``reports`` is empty or a report lacks ``history``.
    """
    import plotly.graph_objects as go
    from plotly.colors import qualitative
    from plotly.subplots import make_subplots

    if not reports:
        raise ValueError("reports must hold at least one training report")
    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss (cross-entropy)", "validation accuracy"))
    for i, (name, report) in enumerate(reports.items()):
        if "history" not in report:
            raise ValueError(f"report {name!r} has no 'history'")
        hist, color = report["history"], qualitative.Plotly[i % len(qualitative.Plotly)]
        epochs = list(range(1, len(hist["val_loss"]) + 1))
        fig.add_scatter(x=epochs, y=hist["train_loss"], name=f"{name} train", line=dict(color=color, dash="dot"),
                        row=1, col=1)
        fig.add_scatter(x=epochs, y=hist["val_loss"], name=f"{name} val", line=dict(color=color), row=1, col=1)
        fig.add_scatter(x=epochs, y=hist["val_acc"], name=f"{name} val acc", line=dict(color=color),
                        showlegend=False, row=1, col=2)
        fig.add_vline(x=report["best_epoch"] + 1, line=dict(color=color, dash="dash", width=1))
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(title=title, template="plotly_white", height=380)
    return fig
