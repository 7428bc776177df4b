"""Explainers: algorithms only, one file per method, each a PyG ``ExplainerAlgorithm`` (XGNN, a model-level
explainer, has its own class), so they plug into ``torch_geometric.explain.Explainer`` and its metrics.

Run them through :class:`gnnexplain.core.masks.SafeExplainer` (re-exported here), a PyG ``Explainer`` that leaves
the explained model exactly as it found it. How each paper configures and runs them lives in
:mod:`gnnexplain.experiments`.
"""

from gnnexplain.core.masks import SafeExplainer
from gnnexplain.explain.bayesgrad import BayesGrad, BayesSmoothGrad, EmbeddingSaliency, SmoothGrad, VanillaGrad
from gnnexplain.explain.gnnexplainer import SubgraphGNNExplainer
from gnnexplain.explain.gradcam import GradCAM, NodeGradCAM
from gnnexplain.explain.nam import NAM
from gnnexplain.explain.pgm import GraphPGMExplainer
from gnnexplain.explain.refine import EdgeAttributor, ReFine
from gnnexplain.explain.xgnn import XGNN, GraphRules, XGNNPolicy

__all__ = [
    "BayesGrad",
    "BayesSmoothGrad",
    "EdgeAttributor",
    "EmbeddingSaliency",
    "GradCAM",
    "GraphPGMExplainer",
    "GraphRules",
    "NAM",
    "NodeGradCAM",
    "ReFine",
    "SafeExplainer",
    "SmoothGrad",
    "SubgraphGNNExplainer",
    "VanillaGrad",
    "XGNN",
    "XGNNPolicy",
]
