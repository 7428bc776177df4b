"""Evaluation metrics for explanations, as plain functions over masks, models and data (they never import
:mod:`gnnexplain.explain`): ground-truth node AUROC, Precision@k and edge-mask AUC, fidelity of top-k
explanations, the neighbour-deletion (perturbation) experiment of NAM, the atom-level PR-AUC of BayesGrad,
and ReFine's ACC@rho, ACC-AUC and Recall@N. The undirected-pair rule they share is :mod:`gnnexplain.core.graph`."""

from gnnexplain.metrics.fidelity import topk_fidelity, uniform_mask_response
from gnnexplain.metrics.groundtruth import (
    edge_auc,
    explanation_items,
    explanation_pairs,
    flat_mask_fraction,
    node_auroc,
    own_motif_edges,
    precision_at_k,
)
from gnnexplain.metrics.perturbation import (
    PERCENTS,
    PerturbationResult,
    num_deleted,
    perturbation_experiment,
    perturbation_logits,
)
from gnnexplain.metrics.prauc import DEFAULT_RATES, pr_auc, precision_recall_points
from gnnexplain.metrics.subgraph_acc import RATIOS, acc_at_ratios, acc_auc, recall_at_n

__all__ = [
    "DEFAULT_RATES",
    "PERCENTS",
    "PerturbationResult",
    "RATIOS",
    "acc_at_ratios",
    "acc_auc",
    "edge_auc",
    "explanation_items",
    "explanation_pairs",
    "flat_mask_fraction",
    "node_auroc",
    "num_deleted",
    "own_motif_edges",
    "perturbation_experiment",
    "perturbation_logits",
    "pr_auc",
    "precision_at_k",
    "precision_recall_points",
    "recall_at_n",
    "topk_fidelity",
    "uniform_mask_response",
]
