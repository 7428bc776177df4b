"""Plotly figures of explanations and their export to ``OUT_DIR/figures/<notebook>/``."""

from gnnexplain.viz.curves import training_curves
from gnnexplain.viz.export import save_figure
from gnnexplain.viz.graph import explanation_figure, node_scores

__all__ = ["explanation_figure", "node_scores", "save_figure", "training_curves"]
from gnnexplain.viz.generated import generated_graph_figure  # noqa: E402
