"""Training of the BayesGrad molecule models: sigmoid cross-entropy with class-balanced epochs, or MSE."""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import Data

from gnnexplain.data.packed import PackedGraphs
from gnnexplain.models.training import TrainConfig, fit_early_stopping

TASKS = ("binary", "regression")


def balanced_order(labels: Tensor, generator: torch.Generator) -> Tensor:
    """One epoch of indices where every class is oversampled to the majority-class count.

    Mirrors chainer-chemistry's ``BalancedSerialIterator`` used by BayesGrad: each class contributes
    ``max_c n_c`` indices (its shuffled members, repeated as needed), and the union is shuffled.

    Args:
        labels: class ids ``[n]`` (any integer-valued dtype).
        generator: the seeded source of randomness.
    Returns:
        LongTensor ``[C * max_c n_c]``.
    """
    labels = labels.long().view(-1)
    classes = labels.unique()
    members = [torch.nonzero(labels == c).view(-1) for c in classes]
    target = max(len(m) for m in members)
    parts = []
    for m in members:
        reps = -(-target // len(m))
        parts.append(torch.cat([m[torch.randperm(len(m), generator=generator)] for _ in range(reps)])[:target])
    order = torch.cat(parts)
    return order[torch.randperm(len(order), generator=generator)]


def predict(model: torch.nn.Module, graphs: Sequence[Data], batch_size: int = 256) -> Tensor:
    """Raw outputs of ``model`` (eval mode, no gradient) for each graph: ``[n]`` (first output column)."""
    model.eval()
    outs = []
    pool = PackedGraphs(graphs) if len(graphs) else None
    with torch.no_grad():
        for start in range(0, len(graphs), batch_size):
            outs.append(model(*pool.collate(torch.arange(start, min(start + batch_size, len(graphs)))))[:, 0])
    return torch.cat(outs) if outs else torch.empty(0)


def train_molecule_model(model: torch.nn.Module, train_set: Sequence[Data], val_set: Sequence[Data], *,
                         task: str = "binary", config: TrainConfig = TrainConfig(epochs=50, lr=1e-3,
                                                                                 weight_decay=0.0, patience=None,
                                                                                 batch_size=32),
                         balanced: bool = True, seed: int = 0, progress: bool = True) -> dict:
    """Train a molecule model (``GGNN``/``NFP``) on graphs with ``y [1]``.

    Binary tasks use the sigmoid cross-entropy on the first output (a pre-sigmoid logit) and, with
    ``balanced``, class-balanced epochs (:func:`balanced_order`); regression uses the MSE. Adam as in
    BayesGrad (Chainer defaults: lr 1e-3); the weights of the epoch with the lowest validation loss are
    restored (``config.patience=None`` trains all epochs).

    Args:
        model: maps ``(x [N], edge_index, edge_type, batch)`` to ``[B, >=1]``.
        train_set, val_set: atom-id graphs with a float label ``y [1]`` (0/1 for ``"binary"``).
        task: ``"binary"`` or ``"regression"``.
        config: epochs, lr, weight decay, patience, batch size.
        balanced: oversample classes per epoch (binary only).
        seed: seeds the epoch orders (a dedicated generator).
        progress: show a tqdm bar.
    Returns:
        Report as in :func:`gnnexplain.models.train_graph_classifier`; ``history["val_acc"]`` holds the
        validation accuracy (binary, logit > 0) or RMSE (regression).
    Raises:
        ValueError: for an unknown ``task``, an empty set, or non-0/1 labels in a binary task.
    """
    if task not in TASKS:
        raise ValueError(f"unknown task={task!r}; allowed: {', '.join(TASKS)}")
    if len(train_set) == 0 or len(val_set) == 0:
        raise ValueError("train_set and val_set must not be empty")
    train_y = torch.cat([g.y.view(-1) for g in train_set]).float()
    val_y = torch.cat([g.y.view(-1) for g in val_set]).float()
    if task == "binary" and not bool(((train_y == 0) | (train_y == 1)).all()):
        raise ValueError("binary task labels must be 0 or 1")
    generator = torch.Generator().manual_seed(seed)
    pool = PackedGraphs(train_set)
    loss_fn = F.binary_cross_entropy_with_logits if task == "binary" else F.mse_loss

    def step(optimizer):
        if task == "binary" and balanced:
            order = balanced_order(train_y, generator)
        else:
            order = torch.randperm(len(train_set), generator=generator)
        total = 0.0
        for start in range(0, len(order), config.batch_size):
            idx = order[start:start + config.batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(*pool.collate(idx))[:, 0], train_y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        return total / len(order)

    def validate():
        out = predict(model, val_set)
        loss = loss_fn(out, val_y).item()
        return loss, ((out > 0).float() == val_y).float().mean().item() if task == "binary" else loss ** 0.5

    return fit_early_stopping(model, config, step, validate, progress=progress)


def _digest(graphs: Sequence[Data]) -> str:
    from gnnexplain.models.checkpoints import cache_key

    if any(getattr(g, "mol_id", None) is None for g in graphs):
        raise ValueError("graphs need a mol_id (use gnnexplain.data.with_labels) to key the checkpoint cache")
    return cache_key([(int(g.mol_id), round(float(g.y.view(-1)[0]), 6)) for g in graphs])


def fit_molecule_model(model_class: type, model_kwargs: dict, train_set: Sequence[Data], val_set: Sequence[Data],
                       *, name: str, task: str = "binary", config: TrainConfig, seed: int = 0,
                       balanced: bool = True, progress: bool = False) -> tuple[torch.nn.Module, dict]:
    """Train ``model_class(**model_kwargs)`` with :func:`train_molecule_model`, through the checkpoint cache.

    The cache key holds the model class and config, the (``mol_id``, label) pairs of both sets, the task,
    ``config``, ``balanced`` and ``seed`` (:func:`gnnexplain.models.load_or_train`).

    Returns:
        ``(model in eval mode, report)``.
    Raises:
        ValueError: if a graph has no ``mol_id``, or as :func:`train_molecule_model`.
    """
    from gnnexplain.models.checkpoints import load_or_train

    key = dict(task=task, train=_digest(train_set), val=_digest(val_set), train_config=config.as_dict(),
               balanced=balanced)
    return load_or_train(lambda: model_class(**model_kwargs),
                         lambda m: train_molecule_model(m, train_set, val_set, task=task, config=config,
                                                        balanced=balanced, seed=seed, progress=progress),
                         name=name, key=key, seed=seed)


def cross_validate_regression(graphs: Sequence[Data], labels: Tensor, folds: Sequence[Tensor], *,
                              model_class: type, model_kwargs: dict, config: TrainConfig, name: str,
                              seed: int = 0, val_fraction: float = 0.1, progress: bool = False) -> list[dict]:
    """K-fold regression as in BayesGrad's ESOL experiment: labels standardised on each training split.

    For fold k the other folds train the model (``val_fraction`` of them, seeded, held back for the
    restore-best-epoch validation) and fold k is predicted.

    Args:
        graphs: all atom-id graphs (positions = ids).
        labels: ``[n]`` regression targets.
        folds: index tensors, e.g. :func:`gnnexplain.data.kfold_indices`.
        model_class, model_kwargs: the model (``out_channels=1``).
        config, name, seed, progress: as in :func:`fit_molecule_model` (fold k uses ``seed + k``).
        val_fraction: in [0, 1).
    Returns:
        Per fold a dict: ``model``, ``report``, ``test`` (graph ids), ``mean``, ``std`` (the standardisation),
        ``predictions`` (original units) and ``rmse``.
    Raises:
        ValueError: if ``val_fraction`` is outside [0, 1) or the labels do not match the graphs.
    """
    from gnnexplain.data.molecules import with_labels

    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must lie in [0, 1), got {val_fraction}")
    labels = torch.as_tensor(labels).float().view(-1)
    if labels.numel() != len(graphs):
        raise ValueError(f"labels has {labels.numel()} entries, expected {len(graphs)}")
    results = []
    for k, test in enumerate(folds):
        rest = torch.cat([f for j, f in enumerate(folds) if j != k])
        rest = rest[torch.randperm(len(rest), generator=torch.Generator().manual_seed(seed + k))]
        n_val = max(1, int(len(rest) * val_fraction))
        train, val = rest[n_val:], rest[:n_val]
        mean, std = labels[train].mean(), labels[train].std()
        scaled = with_labels(graphs, (labels - mean) / std)
        model, report = fit_molecule_model(model_class, model_kwargs, [scaled[i] for i in train.tolist()],
                                           [scaled[i] for i in val.tolist()], name=f"{name}-fold{k}",
                                           task="regression", config=config, seed=seed + k, progress=progress)
        predictions = predict(model, [scaled[i] for i in test.tolist()]) * std + mean
        rmse = float((predictions - labels[test]).pow(2).mean().sqrt())
        results.append(dict(model=model, report=report, test=test, mean=float(mean), std=float(std),
                            predictions=predictions, rmse=rmse))
    return results
