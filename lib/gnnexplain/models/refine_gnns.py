"""The GNNs that ReFine explains (Wang et al., NeurIPS 2021; repo Wuyxin/ReFine ``gnns/``; the paper calls them
"target" models).

Both models map ``(x [N, F], edge_index [2, E], batch [N] | None)`` to logits ``[B, C]`` and expose the
pooled graph representation as :meth:`graph_rep`; :func:`gnnexplain.core.masks.masked_logits` runs them with
an edge mask on their messages.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.nn import GINConv, LEConv, global_mean_pool

from gnnexplain.validation import check_model_args


def _batch(x: Tensor, batch: Tensor | None) -> Tensor:
    return batch if batch is not None else x.new_zeros(x.size(0), dtype=torch.long)


class BA3MotifNet(nn.Module):
    """The repo's BA-3motif classifier: ``Lin(F→hid)``, 2× ``LEConv(hid, hid)`` + ReLU, mean pool,
    ``Lin(hid→hid)`` + ReLU + dropout, ``Lin(hid→C)``. The paper names ASAP; the repo (whose numbers the
    paper reports) uses LEConv. Dropout is off in eval mode (the repo's dropout-at-test bug is not copied).

    Args:
        in_channels: F (4). hidden: width (64). num_classes: C (3). dropout: in [0, 1) (0.4).
    Raises:
        ValueError: for sizes < 1 or dropout outside [0, 1).
    """

    def __init__(self, in_channels: int = 4, hidden: int = 64, num_classes: int = 3, dropout: float = 0.4):
        super().__init__()
        check_model_args(dropout, in_channels=in_channels, hidden=hidden, num_classes=num_classes)
        self.config = dict(in_channels=in_channels, hidden=hidden, num_classes=num_classes, dropout=dropout)
        self.embed = nn.Linear(in_channels, hidden)
        self.convs = nn.ModuleList([LEConv(hidden, hidden), LEConv(hidden, hidden)])
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(hidden, num_classes))

    def graph_rep(self, x: Tensor, edge_index: Tensor, batch: Tensor | None = None) -> Tensor:
        """Mean-pooled node embeddings ``[B, hidden]``."""
        h = self.embed(x)
        for conv in self.convs:
            h = F.relu(conv(h, edge_index))
        return global_mean_pool(h, _batch(x, batch))

    def forward(self, x: Tensor, edge_index: Tensor, batch: Tensor | None = None) -> Tensor:
        return self.head(self.graph_rep(x, edge_index, batch))


class MutagGIN(nn.Module):
    """A GIN for Mutagenicity after the repo's ``gnns/mutag_gnn.py``: 2× ``GINConv`` with MLP
    ``F→75→hid`` and BatchNorm, mean pool, ``hid→16→C``. The repo's GINEConv also reads the 3 bond types;
    here the bond types are not used by the classifier (so an edge mask is the only edge input).

    Args:
        in_channels: F (14 atom types). hidden: width (32). num_classes: C (2).
    Raises:
        ValueError: for sizes < 1.
    """

    def __init__(self, in_channels: int = 14, hidden: int = 32, num_classes: int = 2):
        super().__init__()
        check_model_args(in_channels=in_channels, hidden=hidden, num_classes=num_classes)
        self.config = dict(in_channels=in_channels, hidden=hidden, num_classes=num_classes)
        self.convs = nn.ModuleList([
            GINConv(nn.Sequential(nn.Linear(d, 75), nn.ReLU(), nn.Linear(75, hidden)))
            for d in (in_channels, hidden)])
        self.norms = nn.ModuleList([nn.BatchNorm1d(hidden) for _ in range(2)])
        self.head = nn.Sequential(nn.Linear(hidden, 16), nn.ReLU(), nn.Linear(16, num_classes))

    def graph_rep(self, x: Tensor, edge_index: Tensor, batch: Tensor | None = None) -> Tensor:
        """Mean-pooled node embeddings ``[B, hidden]``."""
        h = x
        for conv, norm in zip(self.convs, self.norms):
            h = F.relu(norm(conv(h, edge_index)))
        return global_mean_pool(h, _batch(x, batch))

    def forward(self, x: Tensor, edge_index: Tensor, batch: Tensor | None = None) -> Tensor:
        return self.head(self.graph_rep(x, edge_index, batch))


