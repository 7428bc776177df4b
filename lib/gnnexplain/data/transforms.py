"""Graph transforms: the cumulative-weight sparsification of Palcu et al. 2019 (eq. 1)."""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.transforms import BaseTransform

from gnnexplain.validation import check_finite
from torch_geometric.utils import is_undirected

SPARSIFY_ORDERS = ("desc", "asc")


def _check_p_order(p, order: str) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 100:
        raise ValueError(f"p={p!r} must be a number in [0, 100] (percent of the graph's total weight)")
    if order not in SPARSIFY_ORDERS:
        raise ValueError(f"order={order!r}; allowed: {', '.join(SPARSIFY_ORDERS)}")
    return float(p)


def sparsify_mask(weights: Tensor, p: float, order: str = "desc") -> Tensor:
    """Which edges the sparsification of Palcu et al. 2019 (§3.1, eq. 1) keeps, for many graphs at once.

    Per graph (one row of ``weights``), with ``T = p/100 * sum(weights)``, the edges are sorted by weight
    (descending for ``order="desc"``: the strongest first; ascending for ``"asc"``: the weakest first; ties by
    edge position, a stable sort) and the longest prefix ``e_1..e_m`` whose every prefix sum
    ``w_1 + ... + w_i`` (i <= m) is ``< T`` is kept. ``p = 100`` keeps every edge (the paper's meaning of
    100%; with negative weights the literal prefix rule would drop some). The threshold is per graph.

    Args:
        weights: FloatTensor ``[..., E]``, one weight per *undirected* edge (each edge once), one graph per
            row.
        p: percentage in [0, 100].
        order: ``"desc"`` (paper) or ``"asc"``.
    Returns:
        BoolTensor ``[..., E]``, True for kept edges, in the input edge order.
    Raises:
        ValueError: if ``p`` is not in [0, 100], ``order`` is not one of :data:`SPARSIFY_ORDERS`, a weight is NaN
            or inf, or (for p < 100) a graph's total weight is not positive: the threshold ``T`` is a share of
            that total, which then selects nothing meaningful.
    """
    p = _check_p_order(p, order)
    check_finite(weights, "weights")
    if p < 100 and weights.numel() and bool((weights.sum(-1) <= 0).any()):
        raise ValueError(f"weights: {int((weights.sum(-1) <= 0).sum())} graph(s) have a total weight <= 0; "
                         "sparsification keeps a share p of a positive total weight")
    if p == 100:
        return torch.ones_like(weights, dtype=torch.bool)
    # float64 so that prefix sums over thousands of edges do not drift across the threshold
    w = weights.double()
    threshold = w.sum(-1, keepdim=True) * (p / 100)
    sorted_w, idx = torch.sort(w, dim=-1, descending=order == "desc", stable=True)
    # keep position i only if no prefix sum up to i reached the threshold
    reached = (sorted_w.cumsum(-1) >= threshold).cumsum(-1) > 0
    keep = torch.zeros_like(reached)
    return keep.scatter_(-1, idx, ~reached)


class Sparsify(BaseTransform):
    """PyG transform applying :func:`sparsify_mask` to one undirected weighted graph.

    Input: a ``Data`` with ``edge_index [2, E]`` storing every undirected edge in both directions with equal
    weights in ``edge_weight [E]`` (or ``edge_attr [E]`` / ``[E, 1]``); no self-loops. Output: a copy with
    the kept edges, still in both directions, and their weights (in the same attribute).

    Args:
        p: percentage in [0, 100]; ``order``: ``"desc"`` (keep the strongest) or ``"asc"`` (keep the weakest).
    Raises:
        ValueError: for ``p`` or ``order`` out of range (at construction), and at call time for a graph
            without edge weights, with self-loops, or that is not undirected.
    """

    def __init__(self, p: float, order: str = "desc"):
        self.p = _check_p_order(p, order)
        self.order = order

    def forward(self, data: Data) -> Data:
        name = "edge_weight" if data.get("edge_weight") is not None else "edge_attr"
        weight = data.get(name)
        if weight is None or weight.numel() != data.edge_index.size(1):
            raise ValueError("Sparsify needs one weight per edge in data.edge_weight [E] or data.edge_attr [E, 1]")
        weight = weight.view(-1)
        src, dst = data.edge_index
        if bool((src == dst).any()):
            raise ValueError("Sparsify needs a graph without self-loops")
        if not is_undirected(data.edge_index, weight, num_nodes=data.num_nodes):
            raise ValueError("Sparsify needs an undirected graph: every edge in both directions, equal weights")
        upper = src < dst  # each undirected edge once
        kept_upper = sparsify_mask(weight[upper], self.p, self.order)
        kept_pairs = data.edge_index[:, upper][:, kept_upper]
        key = src * data.num_nodes + dst
        rev_key = dst * data.num_nodes + src
        kept_keys = kept_pairs[0] * data.num_nodes + kept_pairs[1]
        keep = torch.isin(key, kept_keys) | torch.isin(rev_key, kept_keys)
        out = data.clone()
        out.edge_index = data.edge_index[:, keep]
        out[name] = data[name][keep]
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p}, order={self.order!r})"
