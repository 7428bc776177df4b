"""The graph classifier explained by XGNN (Yuan et al., KDD 2020; DIG's ``XGNN/gnns.py::DisNets``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.nn import GCNConv, global_add_pool, global_max_pool, global_mean_pool

POOLINGS = {"mean": global_mean_pool, "max": global_max_pool, "add": global_add_pool}


class GraphGCN(torch.nn.Module):
    """Three GCN layers ``ReLU(Â X W + b)`` (32 → 48 → 64), pooling, ``Lin(64→32)`` → ELU → ``Lin(32→C)``.

    ``Â = D^{-1/2}(A + I)D^{-1/2}`` (PyG's ``GCNConv``), as in the XGNN authors' dense ``DisNets``.

    Args:
        in_channels: node feature size F (7 one-hot atom types for MUTAG).
        num_classes: C.
        hidden: the three layer widths.
        pooling: one of :data:`POOLINGS` (``"mean"`` in the authors' code).
    Forward:
        ``x [N, F]``, ``edge_index [2, E]``, optional ``batch [N]`` -> logits ``[B, C]``.
    Raises:
        ValueError: for an unknown ``pooling`` or an empty ``hidden``.
    """

    def __init__(self, in_channels: int, num_classes: int, hidden: tuple[int, ...] = (32, 48, 64),
                 pooling: str = "mean"):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling={pooling!r}; allowed: {', '.join(POOLINGS)}")
        if not hidden:
            raise ValueError("hidden must name at least one layer width")
        self.config = dict(in_channels=in_channels, num_classes=num_classes, hidden=list(hidden), pooling=pooling)
        sizes = [in_channels, *hidden]
        self.convs = torch.nn.ModuleList(GCNConv(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.lin1 = torch.nn.Linear(hidden[-1], 32)
        self.lin2 = torch.nn.Linear(32, num_classes)
        self.pool = POOLINGS[pooling]

    def forward(self, x: Tensor, edge_index: Tensor, batch: Tensor | None = None) -> Tensor:
        for conv in self.convs:
            x = conv(x, edge_index).relu()
        if batch is None:
            batch = torch.zeros(x.size(0), dtype=torch.long, device=x.device)
        return self.lin2(F.elu(self.lin1(self.pool(x, batch))))
