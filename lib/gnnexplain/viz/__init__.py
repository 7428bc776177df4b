"""Plotly figures of explanations and their export to ``OUT_DIR/figures/<notebook>/``."""

from gnnexplain.viz.curves import training_curves
from gnnexplain.viz.export import save_figure
from gnnexplain.viz.graph import explanation_figure, node_scores
from gnnexplain.viz.niv import contribution_bars, niv_figure, top_contributors
from gnnexplain.viz.perturbation import perturbation_figure
from gnnexplain.viz.molecules import molecule_svg, save_svg, scale_scores, svg_row

__all__ = ["explanation_figure", "node_scores", "save_figure", "training_curves"]
__all__ += ["contribution_bars", "niv_figure", "perturbation_figure", "top_contributors"]
__all__ += ["molecule_svg", "save_svg", "scale_scores", "svg_row"]
from gnnexplain.viz.heatmap import class_difference_heatmap, weighted_graph_figure
__all__ += ["class_difference_heatmap", "weighted_graph_figure"]
