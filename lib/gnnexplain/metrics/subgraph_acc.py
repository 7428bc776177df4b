"""ReFine's explanation metrics (Wang et al., NeurIPS 2021, §4.1; repo Wuyxin/ReFine
``explainers/base.py::evaluate_acc, evaluate_recall``): ACC@ρ, ACC-AUC and Recall@N.

Edge convention (:mod:`gnnexplain.core.graph`, used by every metric, ReFine's selection and the figures): ρ and N
count *undirected* edges. The two stored directions of an edge {u, v} form one pair, scored by the mean of their two
importances and kept or dropped together; an edge stored in one direction only is a pair of its own.
The top ⌈ρ·P⌉ of a graph's P pairs are kept. The repo stores each BA-3motif edge once, so there ρ counts
undirected edges too; ranking the two directions independently (what the repo does on graphs stored both
ways) can keep one direction of an edge and drop the other, a graph the model never saw in training.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor
from torch_geometric.data import Batch, Data

from gnnexplain.core.graph import explanatory_batch, per_pair, select_edges, undirected_pair_index
from gnnexplain.validation import check_finite

RATIOS = tuple(round(0.1 * i, 1) for i in range(1, 11))


def _plain(graph) -> Data:
    """A plain ``Data`` with only ``x`` and ``edge_index`` of ``graph`` (so batching ignores extras)."""
    return Data(x=graph.x, edge_index=graph.edge_index, num_nodes=graph.num_nodes)


@torch.no_grad()
def acc_at_ratios(model: torch.nn.Module, graphs: Sequence, imps: Sequence[Tensor], *,
                  ratios: Sequence[float] = RATIOS, target: Tensor | None = None) -> list[float]:
    """ACC@ρ: the fraction of graphs whose explanatory subgraph (top ⌈ρ·P⌉ undirected edges, relabelled) the model
    still assigns to ``target``, for each ρ (paper §4.1; one batched forward pass per ρ).

    Args:
        model: ``(x, edge_index, batch) -> logits [B, C]``, in eval mode.
        graphs: B ``Data`` objects (the test graphs the model predicts correctly, as in the paper).
        imps: B edge importances, ``imps[g]`` of shape ``[E_g]``; or a list of such lists, one per ρ
            (ReFine fine-tunes separately for each ρ).
        ratios: ρ values in (0, 1]. target: ``[B]`` classes (default: the model's full-graph predictions).
    Returns:
        One accuracy in [0, 1] per ρ.
    Raises:
        ValueError: for empty ``graphs``, mismatched lengths, NaN or inf importances, ρ outside (0, 1] or a graph
            with no edges.
    """
    if len(graphs) == 0:
        raise ValueError("graphs must not be empty")
    per_ratio = isinstance(imps[0], (list, tuple))
    if per_ratio and len(imps) != len(ratios):
        raise ValueError(f"got {len(imps)} importance lists for {len(ratios)} ratios")
    for part in (imps if per_ratio else [imps]):
        for imp in part:
            check_finite(imp, "imps")
    batch = Batch.from_data_list([_plain(g) for g in graphs])
    if target is None:
        target = model(batch.x, batch.edge_index, batch.batch).argmax(-1)
    edge_graph = batch.batch[batch.edge_index[0]]
    accs = []
    for i, ratio in enumerate(ratios):
        imp = torch.cat(list(imps[i] if per_ratio else imps))
        if imp.numel() != batch.num_edges:
            raise ValueError(f"importances hold {imp.numel()} values for {batch.num_edges} edges")
        sub = explanatory_batch(batch, select_edges(imp, batch.edge_index, ratio, edge_graph, len(graphs)))
        pred = model(sub.x, sub.edge_index, sub.batch).argmax(-1)
        accs.append(float((pred == target).float().mean()))
    return accs


def acc_auc(accs: Sequence[float]) -> float:
    """ACC-AUC: the mean of ACC@ρ over ρ ∈ {0.1, …, 1.0} (a normalised Riemann sum; the repo's JSON calls
    it "ROC-AUC").

    Raises:
        ValueError: unless there are exactly 10 values, each in [0, 1].
    """
    values = torch.as_tensor(list(accs), dtype=torch.float64)
    if values.numel() != len(RATIOS) or ((values < 0) | (values > 1)).any():
        raise ValueError(f"accs must be {len(RATIOS)} accuracies in [0, 1], got {list(accs)}")
    return float(values.mean())


def recall_at_n(imps: Sequence[Tensor], ground_truth: Sequence[Tensor], edge_indices: Sequence[Tensor],
                n: int = 5) -> float:
    """Recall@N: ``|top-N pairs ∩ GT pairs| / |GT pairs|`` per graph, averaged (paper §4.1, BA-3motif), with
    the module's convention: undirected pairs ranked by the mean importance of their directions.

    Args:
        imps: per-graph importances ``[E_g]``. ground_truth: per-graph bool ``[E_g]`` (a pair is ground truth
            if one of its stored directions is). edge_indices: per-graph ``[2, E_g]``.
        n: N >= 1 (capped at the number of pairs).
    Returns:
        The mean recall in [0, 1].
    Raises:
        ValueError: for n < 1, mismatched lengths or shapes, NaN or inf importances, or a graph without
            ground-truth edges.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not len(imps) == len(ground_truth) == len(edge_indices) or len(imps) == 0:
        raise ValueError("imps, ground_truth and edge_indices must be non-empty and of equal length")
    recalls = []
    for imp, gt, edge_index in zip(imps, ground_truth, edge_indices):
        check_finite(imp, "imps")
        if not imp.shape == gt.shape == edge_index.shape[1:] or not gt.any():
            raise ValueError("each ground truth must match its importances' and edges' shape and hold a positive edge")
        pair = undirected_pair_index(edge_index, int(edge_index.max()) + 1)
        pair_imp, pair_gt = per_pair(imp.detach().float(), pair, "mean"), per_pair(gt.long(), pair, "amax").bool()
        top = torch.sort(pair_imp, descending=True, stable=True).indices[:n]
        recalls.append(float(pair_gt[top].sum()) / float(pair_gt.sum()))
    return sum(recalls) / len(recalls)
