"""Evaluation metrics for explanations, as plain functions: ground-truth AUROC and Precision@k, the
neighbour-deletion (perturbation) experiment of NAM, and the atom-level PR-AUC of BayesGrad."""

from gnnexplain.metrics.groundtruth import node_auroc, precision_at_k
from gnnexplain.metrics.perturbation import (
    PERCENTS,
    PerturbationResult,
    explainer_node_scores,
    num_deleted,
    perturbation_experiment,
    perturbation_logits,
    ranking_explainer,
)
from gnnexplain.metrics.prauc import DEFAULT_RATES, pr_auc, precision_recall_points

__all__ = [
    "DEFAULT_RATES",
    "PERCENTS",
    "PerturbationResult",
    "explainer_node_scores",
    "node_auroc",
    "num_deleted",
    "perturbation_experiment",
    "perturbation_logits",
    "pr_auc",
    "precision_at_k",
    "precision_recall_points",
    "ranking_explainer",
]
