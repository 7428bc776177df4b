"""Evaluation metrics for explanations, as plain functions: ground-truth node AUROC, Precision@k and
edge-mask AUC, the neighbour-deletion (perturbation) experiment of NAM, the atom-level PR-AUC of BayesGrad,
and ReFine's ACC@rho, ACC-AUC and Recall@N."""

from gnnexplain.metrics.groundtruth import (
    edge_auc,
    explanation_items,
    explanation_pairs,
    flat_mask_fraction,
    node_auroc,
    own_motif_edges,
    precision_at_k,
    subgraph_pairs,
    symmetrize_edge_mask,
    undirected_pair_index,
)
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
from gnnexplain.metrics.subgraph_acc import (
    RATIOS,
    acc_at_ratios,
    acc_auc,
    check_ratio,
    explanatory_batch,
    num_kept,
    recall_at_n,
    select_edges,
    top_ratio_mask,
)

__all__ = [
    "DEFAULT_RATES",
    "PERCENTS",
    "PerturbationResult",
    "RATIOS",
    "acc_at_ratios",
    "acc_auc",
    "check_ratio",
    "edge_auc",
    "explainer_node_scores",
    "explanation_items",
    "explanation_pairs",
    "explanatory_batch",
    "flat_mask_fraction",
    "node_auroc",
    "num_deleted",
    "num_kept",
    "own_motif_edges",
    "perturbation_experiment",
    "perturbation_logits",
    "pr_auc",
    "precision_at_k",
    "precision_recall_points",
    "ranking_explainer",
    "recall_at_n",
    "select_edges",
    "subgraph_pairs",
    "symmetrize_edge_mask",
    "top_ratio_mask",
    "undirected_pair_index",
]
