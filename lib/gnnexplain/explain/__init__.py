"""Explainers: the papers' methods as PyG ``ExplainerAlgorithm`` subclasses, and configured baselines.

Every explainer here runs through :class:`SafeExplainer`, a ``torch_geometric.explain.Explainer`` that
leaves the explained model exactly as it found it (see :func:`reset_explain_state`). The model-level
explainer XGNN lives in :mod:`gnnexplain.explain.xgnn`.
"""

from gnnexplain.explain.baselines import NODE_METHODS, explain_node, node_explainer, time_explanations
from gnnexplain.explain.bayesgrad import (
    BayesGrad,
    BayesSmoothGrad,
    SmoothGrad,
    VanillaGrad,
    explain_molecules,
    saliency_explainer,
    saliency_prauc,
)
from gnnexplain.explain.gradcam import (
    GradCAM,
    class_frequency,
    explain_folds,
    explain_graphs,
    frequency_scores,
    gradcam_explainer,
    gradcam_map,
    importance_frequency,
    node_groups,
)
from gnnexplain.explain.gradcam_experiment import generator_seed_study, planted_node_scores
from gnnexplain.explain.nam import (
    NAM,
    nam_autograd,
    nam_bias_share,
    nam_contributions,
    nam_explainer,
    nam_self_walk,
)
from gnnexplain.explain.refine import (
    EdgeAttributor,
    REFINE_MODES,
    ReFine,
    concrete,
    correct_predictions,
    mask_regulariser,
)
from gnnexplain.explain.refine_baselines import (
    REFINE_BASELINES,
    GraphPGMExplainer,
    explain_each_graph,
    graph_explainer,
    train_graph_pgexplainer,
)
from gnnexplain.explain.refine_experiment import RefineSetup, TABLE2_METHODS, run_table2, table2_splits, table2_target
from gnnexplain.explain.safety import SafeExplainer, reset_explain_state
from gnnexplain.explain.synthetic import (
    GNNEXPLAINER_SETTINGS,
    TABLE1_METHODS,
    SubgraphGNNExplainer,
    explain_edges,
    gnnexplainer_sensitivity,
    table1_aucs,
    table1_explainer,
    topk_fidelity,
    train_pgexplainer,
    uniform_mask_response,
)

__all__ = [
    "BayesGrad",
    "BayesSmoothGrad",
    "EdgeAttributor",
    "GNNEXPLAINER_SETTINGS",
    "GradCAM",
    "GraphPGMExplainer",
    "NAM",
    "NODE_METHODS",
    "REFINE_BASELINES",
    "REFINE_MODES",
    "ReFine",
    "RefineSetup",
    "SafeExplainer",
    "SmoothGrad",
    "SubgraphGNNExplainer",
    "TABLE1_METHODS",
    "TABLE2_METHODS",
    "VanillaGrad",
    "class_frequency",
    "concrete",
    "correct_predictions",
    "explain_each_graph",
    "explain_edges",
    "explain_folds",
    "explain_graphs",
    "explain_molecules",
    "explain_node",
    "frequency_scores",
    "generator_seed_study",
    "gnnexplainer_sensitivity",
    "gradcam_explainer",
    "gradcam_map",
    "graph_explainer",
    "importance_frequency",
    "mask_regulariser",
    "nam_autograd",
    "nam_bias_share",
    "nam_contributions",
    "nam_explainer",
    "nam_self_walk",
    "node_explainer",
    "node_groups",
    "planted_node_scores",
    "reset_explain_state",
    "run_table2",
    "saliency_explainer",
    "saliency_prauc",
    "table1_aucs",
    "table1_explainer",
    "table2_splits",
    "table2_target",
    "time_explanations",
    "topk_fidelity",
    "train_graph_pgexplainer",
    "train_pgexplainer",
    "uniform_mask_response",
]
