"""Evaluation metrics for explanations: the neighbour-deletion (perturbation) experiment of NAM and the
atom-level PR-AUC against ground truth of BayesGrad."""

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
    "num_deleted",
    "perturbation_experiment",
    "perturbation_logits",
    "pr_auc",
    "precision_recall_points",
    "ranking_explainer",
]
