"""Explainers: the papers' methods as PyG ``ExplainerAlgorithm`` subclasses, and configured baselines.

Every explainer here runs through :class:`SafeExplainer`, a ``torch_geometric.explain.Explainer`` that
leaves the explained model exactly as it found it (see :func:`reset_explain_state`).
"""

from gnnexplain.explain.baselines import NODE_METHODS, explain_node, node_explainer, time_explanations
from gnnexplain.explain.safety import SafeExplainer, reset_explain_state
from gnnexplain.explain.synthetic import (
    TABLE1_METHODS,
    explain_edges,
    table1_aucs,
    table1_explainer,
    train_pgexplainer,
)

__all__ = [
    "NODE_METHODS",
    "SafeExplainer",
    "explain_node",
    "node_explainer",
    "reset_explain_state",
    "time_explanations",
    "TABLE1_METHODS",
    "explain_edges",
    "table1_aucs",
    "table1_explainer",
    "train_pgexplainer",
]
