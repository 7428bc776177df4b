"""Scoring a node importance against a known ground-truth node set."""

from __future__ import annotations

import torch
from torch import Tensor


def _check(scores: Tensor, ground_truth: Tensor) -> tuple[Tensor, Tensor]:
    scores, truth = torch.as_tensor(scores).detach().float().view(-1), torch.as_tensor(ground_truth).view(-1).bool()
    if scores.numel() != truth.numel():
        raise ValueError(f"scores has {scores.numel()} entries, ground_truth {truth.numel()}")
    if torch.isnan(scores).any():
        raise ValueError("scores hold NaN")
    if truth.all() or not truth.any():
        raise ValueError("ground_truth must hold both positives and negatives")
    return scores, truth


def node_auroc(scores: Tensor, ground_truth: Tensor) -> float:
    """Area under the ROC curve of ``scores`` for the positives of ``ground_truth`` (scikit-learn).

    Args:
        scores: FloatTensor ``[n]``, larger = more important. ground_truth: BoolTensor ``[n]``.
    Returns:
        float in [0, 1]; 0.5 for uninformative scores, ties counted half.
    Raises:
        ValueError: for different lengths, NaN scores, or a ground truth with a single class.
    """
    from sklearn.metrics import roc_auc_score

    scores, truth = _check(scores, ground_truth)
    return float(roc_auc_score(truth.numpy(), scores.numpy()))


def precision_at_k(scores: Tensor, ground_truth: Tensor, k: int | None = None) -> float:
    """Fraction of the ``k`` highest-scored nodes that are positives (``k`` defaults to the positive count).

    Ties at the cut are broken by node index (stable sort), so the value is reproducible.

    Raises:
        ValueError: as :func:`node_auroc`, or for ``k`` outside ``[1, n]``.
    """
    scores, truth = _check(scores, ground_truth)
    k = int(truth.sum()) if k is None else k
    if not 1 <= k <= scores.numel():
        raise ValueError(f"k={k} must be in [1, {scores.numel()}]")
    top = torch.sort(scores, descending=True, stable=True).indices[:k]
    return float(truth[top].float().mean())
