"""Plotly figures and RDKit drawings of explanations, and their export to ``OUT_DIR/figures/<notebook>/``."""

from gnnexplain.viz.curves import training_curves
from gnnexplain.viz.export import save_figure
from gnnexplain.viz.generated import generated_graph_figure
from gnnexplain.viz.graph import explanation_figure, node_scores
from gnnexplain.viz.heatmap import class_difference_heatmap, weighted_graph_figure
from gnnexplain.viz.molecules import molecule_svg, save_svg, scale_scores, svg_row
from gnnexplain.viz.notebook import setup_notebook
from gnnexplain.viz.niv import contribution_bars, niv_figure, top_contributors
from gnnexplain.viz.perturbation import perturbation_figure
from gnnexplain.viz.subgraphs import (
    MUTAG_ATOMS,
    acc_curves_figure,
    mutag_molecule_svg,
    pretraining_figure,
    subgraph_figure,
)

__all__ = [
    "MUTAG_ATOMS",
    "acc_curves_figure",
    "class_difference_heatmap",
    "contribution_bars",
    "explanation_figure",
    "generated_graph_figure",
    "molecule_svg",
    "mutag_molecule_svg",
    "niv_figure",
    "node_scores",
    "perturbation_figure",
    "pretraining_figure",
    "save_figure",
    "save_svg",
    "scale_scores",
    "setup_notebook",
    "subgraph_figure",
    "svg_row",
    "top_contributors",
    "training_curves",
    "weighted_graph_figure",
]
