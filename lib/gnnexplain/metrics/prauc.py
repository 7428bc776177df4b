"""Atom-level precision/recall of saliency maps against ground-truth atoms (BayesGrad's PR-AUC).

The protocol of the authors' ``plot_precision_recall.py::calc_recall_precision*`` (docs/03_bayesgrad.md §3.4(a)):
for each rate r, every molecule with n atoms contributes its top ``floor(n r)`` atoms by score;
precision and recall are averaged over molecules to give one (R, P) point per r, and the area under
these points is the trapezoid rule along increasing r (``sklearn.metrics.auc`` of the original code; with
the small-fraction quirk the mean recall need not increase with r, which sklearn rejects, so the
trapezoid rule is applied along r directly).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

#: The authors' rates: ``linspace(0.1, 1.0, 20)``.
DEFAULT_RATES = tuple(np.linspace(0.1, 1.0, 20).tolist())


def precision_recall_points(scores: Sequence, ground_truth: Sequence[Sequence[int]], *,
                            rates: Sequence[float] = DEFAULT_RATES,
                            original_quirk: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Mean precision and recall over molecules, one point per selection rate.

    For molecule k with scores ``s [n]`` and ground-truth list G (atom ids, duplicates allowed as in the
    authors' flattened SMARTS matches): ``top`` = the ``max(1, floor(n r))`` highest-scored atoms (ties go
    to the higher atom index, as ``np.argsort(s)[-k:]`` does); precision = #(top ∩ G) / |top|,
    recall = #(top ∩ G) / len(G) (so duplicates in G lower the recall, as in the original code).

    Args:
        scores: per molecule, a 1-D tensor/array of atom scores ``[n_k]``.
        ground_truth: per molecule, the ground-truth atom ids (each in ``[0, n_k)``, non-empty).
        rates: selection fractions in (0, 1].
        original_quirk: reproduce the original code's ``idx[-0:]``: when ``floor(n r) = 0`` ALL atoms are
            selected (instead of one). Off by default (the corrected variant).
    Returns:
        ``(recall [R], precision [R])`` as float arrays, in the order of ``rates``.
    Raises:
        ValueError: if the lists differ in length or are empty, a score is NaN or inf, a ground truth is empty
            or out of range, or a rate lies outside (0, 1].
    """
    if len(scores) != len(ground_truth) or len(scores) == 0:
        raise ValueError(f"scores ({len(scores)}) and ground_truth ({len(ground_truth)}) must have the same, "
                         "non-zero number of molecules")
    rates = np.asarray(rates, dtype=float)
    if rates.size == 0 or not ((rates > 0) & (rates <= 1)).all():
        raise ValueError(f"rates must lie in (0, 1], got {rates.tolist()}")
    recall = np.zeros((len(scores), rates.size))
    precision = np.zeros_like(recall)
    for k, (s, gt) in enumerate(zip(scores, ground_truth)):
        s = s.detach().cpu().numpy() if torch.is_tensor(s) else np.asarray(s)
        s = s.reshape(-1)
        if not np.isfinite(s).all():
            raise ValueError(f"scores[{k}] holds NaN or inf; allowed: finite scores")
        gt = list(gt)
        if not gt or min(gt) < 0 or max(gt) >= s.size:
            raise ValueError(f"ground_truth[{k}]={gt} must be non-empty atom ids in 0..{s.size - 1}")
        order = np.argsort(s, kind="stable")
        is_gt = np.isin(order, gt)
        for j, r in enumerate(rates):
            count = int(np.floor(s.size * r))
            if count == 0:
                count = s.size if original_quirk else 1
            hits = int(is_gt[-count:].sum())
            precision[k, j] = hits / count
            recall[k, j] = hits / len(gt)
    return recall.mean(0), precision.mean(0)


def pr_auc(scores: Sequence, ground_truth: Sequence[Sequence[int]], *, rates: Sequence[float] = DEFAULT_RATES,
           original_quirk: bool = False) -> float:
    """Area under :func:`precision_recall_points`: ``Σ_j (R_{j+1} − R_j)(P_j + P_{j+1}) / 2`` along the rates.

    Equals ``sklearn.metrics.auc(recall, precision)`` whenever the recall increases with the rate (always
    the case without the quirk, since the top sets are nested).

    Returns:
        A float; in [0, 1] without the quirk.
    Raises:
        ValueError: as :func:`precision_recall_points`.
    """
    recall, precision = precision_recall_points(scores, ground_truth, rates=rates, original_quirk=original_quirk)
    return float(np.trapezoid(precision, recall))
