"""A seeded training loop with early stopping on the validation loss, for node and graph classifiers."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import Batch, Data
from tqdm import tqdm  # text bars: a notebook widget bar closed by leave=False is a dead view once saved


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings (defaults: Kipf & Welling 2017 for Cora).

    Attributes:
        epochs: maximum number of epochs, >= 1.
        lr: Adam learning rate, > 0.
        weight_decay: L2 penalty, >= 0.
        patience: stop after this many epochs without a lower validation loss (the weights of the
            best epoch are restored); ``None`` trains all epochs and still restores the best.
        batch_size: graphs per mini-batch (graph classification only), >= 1.
    Raises:
        ValueError: for a value outside the ranges above.
    """

    epochs: int = 200
    lr: float = 0.01
    weight_decay: float = 5e-4
    patience: int | None = 20
    batch_size: int = 64

    def __post_init__(self):
        checks = {"epochs": self.epochs >= 1, "lr": self.lr > 0, "weight_decay": self.weight_decay >= 0,
                  "patience": self.patience is None or self.patience >= 1, "batch_size": self.batch_size >= 1}
        for name, ok in checks.items():
            if not ok:
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)!r} is out of range")

    def as_dict(self) -> dict:
        return asdict(self)


def accuracy(logits: Tensor, y: Tensor) -> float:
    """Fraction in [0, 1] of rows of ``logits [M, C]`` whose argmax equals ``y [M]``."""
    if logits.size(0) == 0:
        raise ValueError("accuracy of an empty set is undefined")
    return (logits.argmax(dim=-1) == y).float().mean().item()


def fit_early_stopping(model: torch.nn.Module, config: TrainConfig, step: Callable[[torch.optim.Optimizer], float],
                       validate: Callable[[], tuple[float, float]], desc: str = "train",
                       progress: bool = True) -> dict:
    """The training loop shared by every model: Adam, early stopping on the validation loss, best weights restored.

    Args:
        model: trained in place; left in eval mode with the weights of the epoch of lowest validation loss.
        config: ``epochs``, ``lr``, ``weight_decay`` and ``patience`` are used.
        step: runs one epoch of training with the given optimizer (model in train mode); returns the mean loss.
        validate: returns ``(val_loss, val_metric)`` under ``torch.no_grad()`` with the model in eval mode.
        desc, progress: tqdm label and switch.
    Returns:
        ``{"history": {"train_loss", "val_loss", "val_acc"}, "best_epoch", "epochs_run"}`` (``val_acc`` holds
        whatever metric ``validate`` returns).
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    best_loss, best_epoch, best_state, waited = float("inf"), 0, None, 0
    bar = tqdm(range(config.epochs), desc=desc, disable=not progress, leave=False)
    for epoch in bar:
        model.train()
        history["train_loss"].append(step(optimizer))
        model.eval()
        with torch.no_grad():
            val_loss, val_acc = validate()
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
        bar.set_postfix(val_loss=f"{val_loss:.3f}", val_acc=f"{val_acc:.3f}")
        if val_loss < best_loss:
            best_loss, best_epoch, waited = val_loss, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            waited += 1
            if config.patience is not None and waited >= config.patience:
                break
    model.load_state_dict(best_state)
    model.eval()
    return {"history": history, "best_epoch": best_epoch, "epochs_run": len(history["val_loss"])}


def train_node_classifier(model: torch.nn.Module, data, *, config: TrainConfig = TrainConfig(),
                          progress: bool = True) -> dict:
    """Train a node classifier on ``data.train_mask``, early-stopping on ``data.val_mask``.

    Seed before calling (``torch_geometric.seed_everything``) for reproducible dropout;
    :func:`gnnexplain.models.load_or_train` does this.

    Args:
        model: maps ``(x [N, F], edge_index [2, E])`` to logits ``[N, C]``.
        data: a PyG ``Data`` with ``x, edge_index, y [N]`` and boolean ``train_mask, val_mask, test_mask``.
        config: optimisation settings.
        progress: show a tqdm bar.
    Returns:
        A report dict: ``history`` (per-epoch ``train_loss``, ``val_loss``, ``val_acc``), ``best_epoch``,
        ``epochs_run`` and ``train_acc``, ``val_acc``, ``test_acc`` in [0, 1] of the restored weights.
    Raises:
        ValueError: if ``data`` lacks a split mask or a mask selects no node.
    """
    for mask in ("train_mask", "val_mask", "test_mask"):
        if getattr(data, mask, None) is None or int(data[mask].sum()) == 0:
            raise ValueError(f"data.{mask} is missing or selects no node")

    def step(optimizer):
        optimizer.zero_grad()
        out = model(data.x, data.edge_index)
        loss = F.cross_entropy(out[data.train_mask], data.y[data.train_mask])
        loss.backward()
        optimizer.step()
        return loss.item()

    def validate():
        out = model(data.x, data.edge_index)[data.val_mask]
        return F.cross_entropy(out, data.y[data.val_mask]).item(), accuracy(out, data.y[data.val_mask])

    report = fit_early_stopping(model, config, step, validate, progress=progress)
    with torch.no_grad():
        out = model(data.x, data.edge_index)
    for split in ("train", "val", "test"):
        mask = data[f"{split}_mask"]
        report[f"{split}_acc"] = accuracy(out[mask], data.y[mask])
    return report


def _graph_loss_acc(model, loader) -> tuple[float, float]:
    total_loss, correct, count = 0.0, 0, 0
    for batch in loader:
        out = model(batch.x, batch.edge_index, batch.batch)
        total_loss += F.cross_entropy(out, batch.y, reduction="sum").item()
        correct += int((out.argmax(-1) == batch.y).sum())
        count += batch.num_graphs
    return total_loss / count, correct / count


def train_graph_classifier(model: torch.nn.Module, train_set, val_set, test_set=None, *,
                           config: TrainConfig = TrainConfig(), seed: int = 0,
                           progress: bool = True) -> dict:
    """Train a graph classifier with mini-batches, early-stopping on ``val_set``.

    Args:
        model: maps ``(x [N, F], edge_index [2, E], batch [N])`` to logits ``[B, C]``.
        train_set, val_set, test_set: sequences of PyG ``Data`` with a graph label ``y [1]``.
        config: optimisation settings (``batch_size`` is used here).
        seed: seeds the shuffling of ``train_set`` (a dedicated ``torch.Generator``).
        progress: show a tqdm bar.
    Returns:
        The report of :func:`train_node_classifier`, with ``test_acc`` only when ``test_set`` is given.
    Raises:
        ValueError: if ``train_set`` or ``val_set`` is empty.
    """
    from torch_geometric.loader import DataLoader

    if len(train_set) == 0 or len(val_set) == 0:
        raise ValueError("train_set and val_set must not be empty")
    generator = torch.Generator().manual_seed(seed)
    train_loader = DataLoader(train_set, batch_size=config.batch_size, shuffle=True, generator=generator)
    val_loader = DataLoader(val_set, batch_size=config.batch_size)

    def step(optimizer):
        total, count = 0.0, 0
        for batch in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(batch.x, batch.edge_index, batch.batch), batch.y)
            loss.backward()
            optimizer.step()
            total += loss.item() * batch.num_graphs
            count += batch.num_graphs
        return total / count

    report = fit_early_stopping(model, config, step, lambda: _graph_loss_acc(model, val_loader), progress=progress)
    with torch.no_grad():
        for split, subset in (("train", train_set), ("val", val_set), ("test", test_set)):
            if subset is not None:
                report[f"{split}_acc"] = _graph_loss_acc(model, DataLoader(subset, config.batch_size))[1]
    return report


def train_dense_graph_classifier(model: torch.nn.Module, x: Tensor, adj: Tensor, mask: Tensor, y: Tensor,
                                 train_index: Tensor, val_index: Tensor, test_index: Tensor | None = None, *,
                                 config: TrainConfig = TrainConfig(), seed: int = 0, progress: bool = True) -> dict:
    """:func:`train_graph_classifier` for a model with ``forward_dense(x, adj, mask)`` on precomputed dense graphs.

    Same mini-batches (a shuffled ``DataLoader`` over graph positions with the same seeded generator), losses and
    report, without collating sparse batches every step: for small dense graphs (e.g. 85-node complete graphs) most of
    the time of a step goes into collation and densification.

    Args:
        model: has ``forward_dense(x [B, N, F], adj [B, N, N], mask [B, N]) -> logits [B, C]``.
        x, adj, mask: all graphs, ``[G, N, F]``, ``[G, N, N]``, ``[G, N]`` (``gnnexplain.models.dense_graphs``).
        y: LongTensor ``[G]`` of labels. train_index, val_index, test_index: LongTensor graph positions.
        config, seed, progress: as in :func:`train_graph_classifier`.
    Returns:
        The report of :func:`train_graph_classifier`.
    Raises:
        ValueError: if ``train_index`` or ``val_index`` is empty, or the tensors disagree on G.
    """
    if train_index.numel() == 0 or val_index.numel() == 0:
        raise ValueError("train_index and val_index must not be empty")
    if not x.size(0) == adj.size(0) == mask.size(0) == y.size(0):
        raise ValueError(f"x, adj, mask and y must hold the same number of graphs, got "
                         f"{x.size(0)}, {adj.size(0)}, {mask.size(0)}, {y.size(0)}")
    from torch.utils.data import DataLoader

    generator = torch.Generator().manual_seed(seed)
    train_loader = DataLoader(train_index, batch_size=config.batch_size, shuffle=True, generator=generator)

    def loss_acc(index: Tensor) -> tuple[float, float]:
        out = torch.cat([model.forward_dense(x[i], adj[i], mask[i]) for i in DataLoader(index, config.batch_size)])
        return F.cross_entropy(out, y[index]).item(), accuracy(out, y[index])

    def step(optimizer):
        total = 0.0
        for i in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model.forward_dense(x[i], adj[i], mask[i]), y[i])
            loss.backward()
            optimizer.step()
            total += loss.item() * i.numel()
        return total / train_index.numel()

    report = fit_early_stopping(model, config, step, lambda: loss_acc(val_index), progress=progress)
    with torch.no_grad():
        for split, index in (("train", train_index), ("val", val_index), ("test", test_index)):
            if index is not None:
                report[f"{split}_acc"] = loss_acc(index)[1]
    return report


@torch.no_grad()
def correct_predictions(model: torch.nn.Module, graphs) -> list[Data]:
    """Plain copies (``x``, ``edge_index``, ``y`` = the class, ``edge_gt`` when present) of the graphs
    ``model`` classifies correctly (ReFine trains and evaluates on these only)."""
    if len(graphs) == 0:
        return []
    batch = Batch.from_data_list([Data(x=g.x, edge_index=g.edge_index, num_nodes=g.num_nodes) for g in graphs])
    pred = model(batch.x, batch.edge_index, batch.batch).argmax(-1)
    kept = []
    for i, g in enumerate(graphs):
        if pred[i] == g.y.view(-1)[0]:
            copy_ = Data(x=g.x, edge_index=g.edge_index, y=pred[i].view(1), num_nodes=g.num_nodes)
            if "edge_gt" in g:
                copy_.edge_gt = g.edge_gt
            kept.append(copy_)
    return kept
