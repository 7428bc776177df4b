"""Explanation metrics."""

from gnnexplain.metrics.groundtruth import edge_auc, explanation_pairs, symmetrize_edge_mask  # noqa: F401
