"""Evaluation metrics for explanations: the neighbour-deletion (perturbation) experiment of NAM, ..."""

from gnnexplain.metrics.perturbation import (
    PERCENTS,
    PerturbationResult,
    explainer_node_scores,
    num_deleted,
    perturbation_experiment,
    perturbation_logits,
    ranking_explainer,
)

__all__ = [
    "PERCENTS",
    "PerturbationResult",
    "explainer_node_scores",
    "num_deleted",
    "perturbation_experiment",
    "perturbation_logits",
    "ranking_explainer",
]
