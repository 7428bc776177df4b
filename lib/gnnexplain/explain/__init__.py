"""Explainers: the papers' methods as PyG ``ExplainerAlgorithm`` subclasses, and configured baselines.

Every explainer here runs through :class:`SafeExplainer`, a ``torch_geometric.explain.Explainer`` that
leaves the explained model exactly as it found it (see :func:`reset_explain_state`).
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
from gnnexplain.explain.safety import SafeExplainer, reset_explain_state
from gnnexplain.explain.nam import NAM, nam_autograd, nam_bias_share, nam_contributions, nam_explainer, nam_self_walk
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

__all__ = [
    "NAM",
    "nam_autograd",
    "nam_bias_share",
    "nam_contributions",
    "nam_explainer",
    "nam_self_walk",
    "NODE_METHODS",
    "SafeExplainer",
    "explain_node",
    "node_explainer",
    "reset_explain_state",
    "time_explanations",
]
__all__ += ["BayesGrad", "BayesSmoothGrad", "SmoothGrad", "VanillaGrad", "explain_molecules",
            "saliency_explainer", "saliency_prauc"]
__all__ += ["GradCAM", "class_frequency", "explain_folds", "explain_graphs", "frequency_scores",
            "gradcam_explainer", "gradcam_map", "importance_frequency", "node_groups"]
