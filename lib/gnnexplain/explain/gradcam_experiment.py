"""Ground-truth scoring of Grad-CAM importance frequencies against the planted nodes (METHODS §1.6), for one
generated dataset and across generator seeds."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from gnnexplain.explain.gradcam import class_frequency, explain_folds, frequency_scores, importance_frequency


def planted_node_scores(explained: dict, truth: Tensor) -> dict:
    """AUROC of every per-node frequency score against the planted nodes, with its position-only control.

    The control runs the same pipeline with H ≡ 1 (only the sort order and the coverage of the conv positions
    count), so a score that finds the planted nodes only through the sort order scores as well there.

    Args:
        explained: output of :func:`gnnexplain.explain.explain_folds` (``cam``, ``groups``, ``frequency``, ``y``,
            ``pred``). truth: BoolTensor ``[n]``, True for planted nodes.
    Returns:
        ``{"auroc": {score: float}, "control": {score: float}, "precision": float}`` with the scores of
        :func:`gnnexplain.explain.frequency_scores`; AUROCs in [0, 1]; ``precision`` is Precision@|S| of the
        headline score ``"mean_difference"``.
    Raises:
        ValueError: if ``truth`` does not have one entry per node or holds a single class.
    """
    from gnnexplain.metrics import node_auroc, precision_at_k

    num_nodes = explained["frequency"].size(1)
    if truth.numel() != num_nodes:
        raise ValueError(f"truth has {truth.numel()} entries for {num_nodes} nodes")
    y, pred = explained["y"], explained["pred"]
    ones = importance_frequency(torch.ones_like(explained["cam"]), explained["groups"], num_nodes)
    scores = frequency_scores(*[class_frequency(explained["frequency"], y, pred, s) for s in (0, 1)])
    control = frequency_scores(*[class_frequency(ones, y, pred, s) for s in (0, 1)])
    return {"auroc": {name: node_auroc(s, truth) for name, s in scores.items()},
            "control": {name: node_auroc(s, truth) for name, s in control.items()},
            "precision": precision_at_k(scores["mean_difference"], truth)}


def generator_seed_study(p: float, seeds: Sequence[int], *, n_per_class: int, n_folds: int, config, k: int,
                         progress: bool = False) -> dict[int, dict]:
    """The whole notebook-01 pipeline at one sparsification level for several generator seeds.

    For each seed: generate the brain networks (a new planted set S), sparsify at ``p``, cross-validate a DGCNN
    (seeded with the same seed, models cached), explain every graph with its held-out fold's model and score
    against S (:func:`planted_node_scores`), with the data oracle as a reference.

    Args:
        p: sparsification level in [0, 100]. seeds: generator (and training) seeds, at least one.
        n_per_class, n_folds: graphs per state and cross-validation folds. config: ``TrainConfig``.
        k: SortPooling size. progress: tqdm bars while training.
    Returns:
        ``{seed: {"accuracy": mean fold test accuracy, "oracle": AUROC, "auroc", "control", "precision"}}``.
    Raises:
        ValueError: if ``seeds`` is empty (and the errors of the generator, sparsification and training).
    """
    from gnnexplain.data import brain_graphs, brain_networks, oracle_scores
    from gnnexplain.metrics import node_auroc
    from gnnexplain.models import DGCNN, cross_validate, stratified_folds

    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed")
    out = {}
    for seed in seeds:
        networks = brain_networks(n_per_class, seed=seed)
        graphs = brain_graphs(networks, p)
        cv = cross_validate(lambda: DGCNN(graphs[0].num_features, 2, k=k), graphs,
                            stratified_folds(networks.y, n_folds, seed=seed), config=config, name=f"dgcnn-brain-p{p}",
                            key={"data": networks.params, "p": p, "features": "dEWD20+id"}, seed=seed,
                            progress=progress)
        out[seed] = {"accuracy": float(np.mean([f["test_acc"] for f in cv])),
                     "oracle": node_auroc(oracle_scores(networks), networks.ground_truth),
                     **planted_node_scores(explain_folds(cv, graphs), networks.ground_truth)}
    return out
