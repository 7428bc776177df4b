"""Notebook 03's experiment (Akita et al., ICONIP 2018): the four gradient saliencies of
:mod:`gnnexplain.explain.bayesgrad` configured for molecule models, run over many molecules, timed, and scored
by atom-level PR-AUC against substructure atoms (the pyridine study, docs/03_bayesgrad.md §3.4)."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor
from torch_geometric.data import Batch, Data

from gnnexplain.core.masks import SafeExplainer
from gnnexplain.experiments.common import explain_and_time
from gnnexplain.explain.bayesgrad import ALGORITHMS, METHODS, check_embedding_model
from gnnexplain.metrics.prauc import pr_auc, precision_recall_points


def saliency_explainer(model: torch.nn.Module, method: str, *, mode: str = "binary_classification",
                       **options) -> SafeExplainer:
    """A :class:`SafeExplainer` running one of :data:`METHODS` on a molecule model with raw outputs.

    Args:
        model: a model with ``embed`` and ``forward_from_embedding``.
        method: ``"vanilla"``, ``"smooth"``, ``"bayes"`` or ``"bayes_smooth"``.
        mode: ``"binary_classification"`` or ``"regression"``.
        **options: the arguments of :class:`EmbeddingSaliency` (``num_samples``, ``sigma``, ...).
    Raises:
        ValueError: for an unknown method or bad options. TypeError: for a model without ``embed``.
    """
    if method not in ALGORITHMS:
        raise ValueError(f"unknown method={method!r}; allowed: {', '.join(METHODS)}")
    check_embedding_model(model)
    return SafeExplainer(model, ALGORITHMS[method](**options), explanation_type="model", node_mask_type="object",
                         edge_mask_type=None,
                         model_config=dict(mode=mode, task_level="graph", return_type="raw"))


def explain_molecules(explainer: SafeExplainer, graphs: Sequence[Data], *, seed: int = 0,
                      chunk: int = 16) -> tuple[list[Tensor], list[Tensor]]:
    """Saliency maps of many molecules, ``chunk`` molecules per explainer call.

    Args:
        explainer: from :func:`saliency_explainer`.
        graphs: atom-id graphs (``x [N]``, ``edge_index``, ``edge_type``).
        seed: seeds the first chunk; chunk k uses ``seed + k``.
        chunk: molecules per call, >= 1 (memory grows with chunk × M).
    Returns:
        ``(means, stds)``: per molecule, the node mask ``[N_k]`` and the per-node std ``[N_k]``.
    Raises:
        ValueError: if ``chunk < 1``.
    """
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    parts = [list(graphs[start:start + chunk]) for start in range(0, len(graphs), chunk)]
    batches = [Batch.from_data_list(part) for part in parts]
    explanations, _ = explain_and_time(explainer, [dict(x=b.x, edge_index=b.edge_index, edge_type=b.edge_type,
                                                        batch=b.batch, seed=seed + k) for k, b in enumerate(batches)])
    means, stds = [], []
    for part, expl in zip(parts, explanations):
        sizes = [g.num_nodes for g in part]
        means += list(expl.node_mask.view(-1).split(sizes))
        stds += list(expl.node_std.split(sizes))
    return means, stds


def seconds_per_molecule(explainer: SafeExplainer, graphs: Sequence[Data], *, seed: int = 0) -> float:
    """Mean wall time of explaining each graph of ``graphs`` alone (one call per molecule).

    Raises:
        ValueError: if ``graphs`` is empty.
    """
    if not graphs:
        raise ValueError("graphs must hold at least one molecule")
    return explain_and_time(explainer, [dict(x=g.x, edge_index=g.edge_index, edge_type=g.edge_type, seed=seed)
                                        for g in graphs])[1]


def saliency_prauc(model: torch.nn.Module, graphs: Sequence[Data], ground_truth: Sequence[Sequence[int]],
                   methods: dict[str, dict], *, seed: int = 0, chunk: int = 16) -> dict[str, dict]:
    """PR-AUC of several saliency settings against ground-truth atoms (Akita et al. 2018, Table 1).

    Args:
        model: a molecule model with ``embed``.
        graphs: the molecules to explain (atom-id graphs).
        ground_truth: per molecule, the ground-truth atom ids (see :mod:`gnnexplain.metrics.prauc`).
        methods: label -> keyword arguments of :func:`saliency_explainer` (must include ``method``).
        seed, chunk: as in :func:`explain_molecules`.
    Returns:
        label -> ``{"prauc", "prauc_quirk", "recall" [R], "precision" [R]}`` (corrected curve, and the
        PR-AUC with the original small-fraction quirk).
    Raises:
        ValueError: for bad settings, or as :func:`gnnexplain.metrics.precision_recall_points`.
    """
    results = {}
    for label, options in methods.items():
        maps, _ = explain_molecules(saliency_explainer(model, **options), graphs, seed=seed, chunk=chunk)
        recall, precision = precision_recall_points(maps, ground_truth)
        results[label] = dict(prauc=pr_auc(maps, ground_truth),
                              prauc_quirk=pr_auc(maps, ground_truth, original_quirk=True),
                              recall=recall.tolist(), precision=precision.tolist())
    return results
