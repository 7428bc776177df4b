"""Metrics for explanations against ground truth."""

from gnnexplain.metrics.prauc import DEFAULT_RATES, pr_auc, precision_recall_points

__all__ = ["DEFAULT_RATES", "pr_auc", "precision_recall_points"]
