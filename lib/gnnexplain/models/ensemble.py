"""Train K molecule models at once: stacked weights, one vmapped forward/backward per step, per-member Adam.

BayesGrad's Table 1 (Akita et al. 2018) needs 30 GGNNs, each trained on its own 1,000-molecule subset, and
the ESOL experiment one NFP per cross-validation fold. Trained one after another, every step of these small
models is dominated by Python and dispatch overhead. Here the K members' parameters are stacked
(``torch.func.stack_module_state``), each step runs all members on their own mini-batches in one
``torch.func.vmap`` over ``functional_call`` (the members' own ``forward_from_embedding`` code), and
:class:`MaskedAdam` applies ``torch.optim.Adam``'s update to each member separately. Every member keeps
its own data order, validation set, early stopping and best epoch, exactly as if trained alone; only the
random streams differ (dropout masks come from one generator for the whole ensemble).
"""

from __future__ import annotations

import copy
import math
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.func import functional_call, stack_module_state, vmap
from tqdm.auto import tqdm

from gnnexplain.data.packed import PackedGraphs
from gnnexplain.models.molecule_training import TASKS, balanced_order
from gnnexplain.models.training import TrainConfig


class ModelEnsemble(torch.nn.Module):
    """K independent models of one class (``members``), stored together so one checkpoint holds them all.

    Args:
        model_class: a molecule model with ``embed`` and ``forward_from_embedding(..., num_graphs=)``
            (:class:`gnnexplain.models.GGNN`, :class:`gnnexplain.models.NFP`).
        model_kwargs: its constructor arguments (the same for every member).
        size: K >= 1; member k is built k-th from the current random state.
    Raises:
        ValueError: if ``size < 1``.
    """

    def __init__(self, model_class: type, model_kwargs: dict, size: int):
        super().__init__()
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"size must be an integer >= 1, got {size!r}")
        self.members = torch.nn.ModuleList(model_class(**model_kwargs) for _ in range(size))
        self.config = dict(member=getattr(self.members[0], "config", None), model=model_class.__name__, size=size)

    def __len__(self) -> int:
        return len(self.members)

    def __getitem__(self, k: int) -> torch.nn.Module:
        return self.members[k]


class _FromIds(torch.nn.Module):
    """``model`` from atom ids to outputs without input checks (they call ``.item()``, which vmap forbids)."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: Tensor, edge_index: Tensor, edge_type: Tensor, batch: Tensor, num_graphs: int) -> Tensor:
        return self.model.forward_from_embedding(self.model.embed(x), edge_index, edge_type, batch,
                                                 num_graphs=num_graphs)


class MaskedAdam:
    """``torch.optim.Adam`` on stacked parameters ``[K, ...]``, where only the active members take a step.

    Member k's update (moments, bias correction with its own step count, L2 weight decay added to the
    gradient) is the one ``torch.optim.Adam(lr, betas, eps, weight_decay)`` would make on that member alone;
    inactive members (stopped early, or without a batch this step) keep their weights and moments.

    Args:
        params: stacked leaf tensors ``[K, ...]``, updated in place.
        lr, betas, eps, weight_decay: as in ``torch.optim.Adam``.
    """

    def __init__(self, params: Sequence[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        self.params = list(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]
        self.steps = torch.zeros(self.params[0].size(0), dtype=torch.long)

    @torch.no_grad()
    def step(self, grads: Sequence[Tensor], active: Tensor) -> None:
        """Update the members where ``active [K]`` (bool) is true with ``grads`` (same shapes as the params)."""
        beta1, beta2 = self.betas
        self.steps += active.long()
        t = self.steps.clamp(min=1).double()
        step_size = (self.lr / (1 - beta1 ** t)).float()
        bias2_sqrt = (1 - beta2 ** t).sqrt().float()
        for p, g, m, v in zip(self.params, grads, self.exp_avg, self.exp_avg_sq):
            shape = (-1,) + (1,) * (p.dim() - 1)
            on = active.view(shape)
            if self.weight_decay:
                g = g + self.weight_decay * p
            m.copy_(torch.where(on, m.lerp(g, 1 - beta1), m))
            v.copy_(torch.where(on, v * beta2 + (1 - beta2) * g * g, v))
            denom = v.sqrt() / bias2_sqrt.view(shape) + self.eps
            p.copy_(torch.where(on, p - step_size.view(shape) * m / denom, p))


def _loss(task: str, out: Tensor, y: Tensor) -> Tensor:
    return (F.binary_cross_entropy_with_logits if task == "binary" else F.mse_loss)(out, y, reduction="none")


def train_ensemble(ensemble: ModelEnsemble, pool: PackedGraphs, train_ids: Sequence[Tensor],
                   train_y: Sequence[Tensor], val_ids: Sequence[Tensor], val_y: Sequence[Tensor], *,
                   task: str = "binary", config: TrainConfig, balanced: bool = True, seed: int = 0,
                   val_chunk: int = 256, progress: bool = True) -> dict:
    """Train every member k on its graphs ``train_ids[k]`` of ``pool``, all members in each step.

    Per member, the protocol of :func:`gnnexplain.models.train_molecule_model`: epochs of
    ``config.batch_size`` graphs (class-balanced with ``balanced`` for a binary task), sigmoid cross-entropy
    or MSE (mean over the batch), Adam, validation loss after each epoch, early stopping after
    ``config.patience`` epochs without improvement (``None``: all epochs), best epoch's weights restored.

    Args:
        ensemble: K members, trained in place (left in eval mode).
        pool: the graphs all ids refer to.
        train_ids, val_ids: K LongTensors of graph ids (non-empty).
        train_y, val_y: K float tensors of labels aligned with the ids (0/1 for ``"binary"``).
        task: ``"binary"`` or ``"regression"``.
        config: epochs, lr, weight_decay, patience, batch_size.
        balanced: oversample classes per epoch (binary only; :func:`balanced_order`).
        seed: seeds member k's epoch orders (``seed + k``); dropout uses the global generator (seed it).
        val_chunk: validation graphs per member per forward pass.
        progress: show a tqdm bar over epochs.
    Returns:
        ``{"members": [report_k]}`` with report_k as from ``fit_early_stopping``
        (``history`` with ``train_loss``, ``val_loss``, ``val_acc`` (accuracy, or RMSE for regression),
        ``best_epoch``, ``epochs_run``).
    Raises:
        ValueError: for an unknown ``task``, K mismatches, empty sets, or non-0/1 binary labels.
    """
    k_count = len(ensemble)
    if task not in TASKS:
        raise ValueError(f"unknown task={task!r}; allowed: {', '.join(TASKS)}")
    if not len(train_ids) == len(train_y) == len(val_ids) == len(val_y) == k_count:
        raise ValueError(f"train_ids, train_y, val_ids and val_y need one entry per member ({k_count})")
    train_ids = [torch.as_tensor(i, dtype=torch.long).view(-1) for i in train_ids]
    val_ids = [torch.as_tensor(i, dtype=torch.long).view(-1) for i in val_ids]
    train_y = [torch.as_tensor(y, dtype=torch.float).view(-1) for y in train_y]
    val_y = [torch.as_tensor(y, dtype=torch.float).view(-1) for y in val_y]
    for ids, y in zip(train_ids + val_ids, train_y + val_y):
        if len(ids) == 0 or len(ids) != len(y):
            raise ValueError("every member needs non-empty train and val ids with one label each")
    if task == "binary" and any(not bool(((y == 0) | (y == 1)).all()) for y in train_y):
        raise ValueError("binary task labels must be 0 or 1")

    wrapped = [_FromIds(m) for m in ensemble.members]
    params, buffers = stack_module_state(wrapped)
    base = copy.deepcopy(wrapped[0]).to("meta")
    names = list(params)
    optimizer = MaskedAdam([params[n] for n in names], lr=config.lr, weight_decay=config.weight_decay)
    generators = [torch.Generator().manual_seed(seed + k) for k in range(k_count)]
    size = config.batch_size

    def run(members: Tensor, x, edge_index, edge_type, batch, num_graphs):
        sub_p = {n: params[n][members] for n in names}
        sub_b = {n: b[members] for n, b in buffers.items()}
        call = lambda p, b, *inputs: functional_call(base, (p, b), (*inputs, num_graphs))  # noqa: E731
        return vmap(call, randomness="different")(sub_p, sub_b, x, edge_index, edge_type, batch)[..., 0]

    def epoch(active: Tensor) -> Tensor:
        base.train()
        orders = [balanced_order(train_y[k], generators[k]) if task == "binary" and balanced
                  else torch.randperm(len(train_ids[k]), generator=generators[k]) for k in range(k_count)]
        total, seen = torch.zeros(k_count), torch.zeros(k_count)
        for start in range(0, max(len(o) for o in orders), size):
            parts = {k: orders[k][start:start + size] for k in range(k_count)
                     if active[k] and start < len(orders[k])}
            members = torch.tensor(list(parts))
            x, edge_index, edge_type, batch = pool.padded([train_ids[k][p] for k, p in parts.items()], size)
            out = run(members, x, edge_index, edge_type, batch, size + 1)[:, :size]
            y = torch.zeros(len(parts), size)
            valid = torch.zeros(len(parts), size, dtype=torch.bool)
            for row, (k, p) in enumerate(parts.items()):
                y[row, :len(p)], valid[row, :len(p)] = train_y[k][p], True
            losses = (_loss(task, out, y) * valid).sum(1) / valid.sum(1)
            grads = torch.autograd.grad(losses.sum(), [params[n] for n in names])
            stepped = torch.zeros(k_count, dtype=torch.bool)
            stepped[members] = True
            optimizer.step(grads, stepped)
            counts = valid.sum(1).float()
            total[members] += losses.detach() * counts
            seen[members] += counts
        return total / seen.clamp(min=1)

    @torch.no_grad()
    def validate(active: Tensor) -> tuple[Tensor, Tensor]:
        base.eval()
        members = torch.nonzero(active).view(-1)
        longest = max(len(val_ids[k]) for k in members.tolist())
        outs = []
        for start in range(0, longest, val_chunk):
            x, edge_index, edge_type, batch = pool.padded([val_ids[k][start:start + val_chunk]
                                                           for k in members.tolist()], val_chunk)
            outs.append(run(members, x, edge_index, edge_type, batch, val_chunk + 1)[:, :val_chunk])
        out = torch.cat(outs, dim=1)
        loss, metric = torch.full((k_count,), math.nan), torch.full((k_count,), math.nan)
        for row, k in enumerate(members.tolist()):
            o, y = out[row, :len(val_ids[k])], val_y[k]
            loss[k] = _loss(task, o, y).mean()
            metric[k] = ((o > 0).float() == y).float().mean() if task == "binary" else loss[k].sqrt()
        return loss, metric

    histories = [{"train_loss": [], "val_loss": [], "val_acc": []} for _ in range(k_count)]
    best_loss = torch.full((k_count,), math.inf)
    best_epoch, waited = torch.zeros(k_count, dtype=torch.long), torch.zeros(k_count, dtype=torch.long)
    best = {n: params[n].detach().clone() for n in names}
    active = torch.ones(k_count, dtype=torch.bool)
    for e in tqdm(range(config.epochs), desc=f"train {k_count} models", disable=not progress, leave=False):
        train_loss = epoch(active)
        val_loss, val_metric = validate(active)
        for k in torch.nonzero(active).view(-1).tolist():
            histories[k]["train_loss"].append(float(train_loss[k]))
            histories[k]["val_loss"].append(float(val_loss[k]))
            histories[k]["val_acc"].append(float(val_metric[k]))
        improved = active & (val_loss < best_loss)
        best_loss = torch.where(improved, val_loss, best_loss)
        best_epoch = torch.where(improved, e, best_epoch)
        waited = torch.where(improved, 0, waited + active.long())
        for n in names:
            best[n][improved] = params[n].detach()[improved]
        if config.patience is not None:
            active = active & (waited < config.patience)
        if not bool(active.any()):
            break
    with torch.no_grad():
        for k, member in enumerate(ensemble.members):
            member.load_state_dict({n.removeprefix("model."): best[n][k] for n in names})
    ensemble.eval()
    return {"members": [dict(history=histories[k], best_epoch=int(best_epoch[k]),
                             epochs_run=len(histories[k]["val_loss"])) for k in range(k_count)]}
