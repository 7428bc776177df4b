"""Evaluation metrics for explanations, as plain functions over masks, models and data (they never import
:mod:`gnnexplain.explain`): ground-truth node AUROC, Precision@k and edge-mask AUC, fidelity of top-k
explanations, the neighbour-deletion (perturbation) experiment of NAM, the atom-level PR-AUC of BayesGrad,
ReFine's ACC@rho, ACC-AUC and Recall@N, and the benchmark protocol's ground-truth AUROC, truth-size fidelity and
unfaithfulness (notebook 06). The undirected-pair rule they share is :mod:`gnnexplain.core.graph`."""

from gnnexplain.metrics.benchmark import (
    candidate_pairs,
    characterization,
    groundtruth_auroc,
    instance_scores,
    truth_size_scores,
)
from gnnexplain.metrics.fidelity import (
    first_directions,
    hard_mask_scores,
    topk_fidelity,
    topk_pair_mask,
    uniform_mask_response,
)
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
    "candidate_pairs",
    "characterization",
    "edge_auc",
    "explanation_items",
    "explanation_pairs",
    "first_directions",
    "flat_mask_fraction",
    "groundtruth_auroc",
    "hard_mask_scores",
    "instance_scores",
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
    "topk_pair_mask",
    "truth_size_scores",
    "uniform_mask_response",
]
