"""Explanation metrics as plain functions."""

from gnnexplain.metrics.groundtruth import node_auroc, precision_at_k

__all__ = ["node_auroc", "precision_at_k"]
