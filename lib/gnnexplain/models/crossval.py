"""Stratified k-fold cross-validation of a graph classifier, with one cached model per fold."""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
import torch

from gnnexplain.models.checkpoints import load_or_train
from gnnexplain.models.dgcnn import dense_graphs
from gnnexplain.models.training import TrainConfig, train_dense_graph_classifier, train_graph_classifier


def stratified_folds(y: torch.Tensor, n_folds: int, seed: int = 0) -> torch.Tensor:
    """Assign every graph to one of ``n_folds`` folds, stratified by label (scikit-learn ``StratifiedKFold``).

    Args:
        y: LongTensor ``[G]`` of labels. n_folds: 2 .. smallest class size. seed: shuffling seed.
    Returns:
        LongTensor ``[G]`` of fold ids in ``[0, n_folds)``.
    Raises:
        ValueError: if ``n_folds < 2`` or a class has fewer than ``n_folds`` graphs.
    """
    from sklearn.model_selection import StratifiedKFold

    counts = torch.bincount(y)
    if n_folds < 2 or int(counts[counts > 0].min()) < n_folds:
        raise ValueError(f"n_folds={n_folds} must be in [2, smallest class size={int(counts[counts > 0].min())}]")
    fold = np.zeros(len(y), dtype=np.int64)
    splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    for f, (_, test) in enumerate(splitter.split(np.zeros(len(y)), y.numpy())):
        fold[test] = f
    return torch.from_numpy(fold)


def cross_validate(build: Callable[[], torch.nn.Module], graphs: Sequence, folds: torch.Tensor, *,
                   config: TrainConfig, name: str, key: dict, seed: int = 0, val_fraction: float = 0.1,
                   progress: bool = False) -> list[dict]:
    """Train one model per fold (the fold is the test set) and report its test accuracy.

    Inside the training folds a stratified ``val_fraction`` (at least one graph per class) is held out for
    early stopping / choosing the epoch (``train_graph_classifier``); the test fold is never seen during
    training. Models are cached with
    :func:`gnnexplain.models.load_or_train` under ``<name>-fold<f>``. A model with ``forward_dense`` (e.g.
    :class:`gnnexplain.models.DGCNN`) is trained on dense tensors computed once for all graphs
    (:func:`gnnexplain.models.train_dense_graph_classifier`: the same batches, faster).

    Args:
        build: returns a fresh model. graphs: PyG ``Data`` with ``y [1]``. folds: ``[G]`` fold ids
            (:func:`stratified_folds`). config: training settings. name, key: cache name and identity (the
            data and anything else that changes the result). seed: seeds training and the validation split.
        val_fraction: in (0, 0.5].
        progress: show tqdm bars.
    Returns:
        One dict per fold: ``model`` (eval mode), ``report`` (training report), ``test_index`` (LongTensor of
        graph positions), ``test_acc`` in [0, 1].
    Raises:
        ValueError: if ``val_fraction`` is outside (0, 0.5] or ``folds`` does not match ``graphs``.
    """
    from sklearn.model_selection import train_test_split
    from torch_geometric.data import Batch

    if not 0 < val_fraction <= 0.5:
        raise ValueError(f"val_fraction={val_fraction} must be in (0, 0.5]")
    if len(folds) != len(graphs):
        raise ValueError(f"folds has {len(folds)} entries for {len(graphs)} graphs")
    y = np.array([int(g.y) for g in graphs])
    dense = []  # built by the first fold that trains, not when every fold comes from the cache
    results = []
    for f in range(int(folds.max()) + 1):
        test_index = (folds == f).nonzero().view(-1)
        rest = (folds != f).nonzero().view(-1).numpy()
        n_val = max(len(np.unique(y[rest])), math.ceil(val_fraction * len(rest)))  # at least one graph per class
        train_idx, val_idx = train_test_split(rest, test_size=n_val, stratify=y[rest], random_state=seed)

        def train(m):
            if hasattr(m, "forward_dense"):
                if not dense:
                    everything = Batch.from_data_list(list(graphs))
                    dense.extend([*dense_graphs(everything.x, everything.edge_index, everything.batch), everything.y])
                return train_dense_graph_classifier(m, *dense, torch.as_tensor(train_idx), torch.as_tensor(val_idx),
                                                    test_index, config=config, seed=seed, progress=progress)
            subset = lambda index: [graphs[i] for i in index]  # noqa: E731
            return train_graph_classifier(m, subset(train_idx), subset(val_idx), subset(test_index.tolist()),
                                          config=config, seed=seed, progress=progress)

        model, report = load_or_train(
            build, train,
            name=f"{name}-fold{f}", key={**key, "fold": f, "folds": folds.tolist(), "val_fraction": val_fraction,
                                         "train": config.as_dict()}, seed=seed)
        results.append({"model": model, "report": report, "test_index": test_index, "test_acc": report["test_acc"]})
    return results
