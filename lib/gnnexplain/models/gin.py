"""A GIN graph classifier (Xu et al., ICLR 2019) with sum readout over all layers."""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.nn import GINConv, global_add_pool

from gnnexplain.validation import check_model_args


class GIN(torch.nn.Module):
    """Graph Isomorphism Network for graph classification.

    Each layer is ``GINConv`` with a two-layer MLP; the graph representation concatenates the
    sum-pooled node states of every layer (Xu et al. 2019, eq. 4.2), then a two-layer MLP gives logits.

    Args:
        in_channels: node feature size F.
        num_classes: number of graph classes C.
        hidden_channels: width H of every layer.
        num_layers: number of GIN layers L >= 1.
        dropout: dropout probability in [0, 1) before the last linear layer.
    Forward:
        ``x [N, F]``, ``edge_index [2, E]``, optional ``batch [N]`` (graph id per node; one graph if
        omitted) -> logits ``[B, C]``. :meth:`embed` returns the graph representation ``[B, L*H]``.
    Raises:
        ValueError: for ``num_layers < 1`` or ``dropout`` outside [0, 1).
    """

    def __init__(self, in_channels: int, num_classes: int, hidden_channels: int = 32,
                 num_layers: int = 3, dropout: float = 0.5):
        super().__init__()
        check_model_args(dropout, in_channels=in_channels, num_classes=num_classes,
                         hidden_channels=hidden_channels, num_layers=num_layers)
        self.config = dict(in_channels=in_channels, num_classes=num_classes,
                           hidden_channels=hidden_channels, num_layers=num_layers, dropout=dropout)
        self.convs = torch.nn.ModuleList()
        for i in range(num_layers):
            mlp = torch.nn.Sequential(
                torch.nn.Linear(in_channels if i == 0 else hidden_channels, hidden_channels),
                torch.nn.BatchNorm1d(hidden_channels), torch.nn.ReLU(),
                torch.nn.Linear(hidden_channels, hidden_channels), torch.nn.ReLU())
            self.convs.append(GINConv(mlp, train_eps=True))
        self.lin1 = torch.nn.Linear(num_layers * hidden_channels, hidden_channels)
        self.lin2 = torch.nn.Linear(hidden_channels, num_classes)
        self.dropout = dropout
        self.drop = torch.nn.Dropout(dropout)  # a module, so that MC dropout (BayesGrad) can switch it on alone

    def embed(self, x: Tensor, edge_index: Tensor, batch: Tensor | None = None) -> Tensor:
        """Graph representation ``[B, num_layers * hidden_channels]``."""
        if batch is None:
            batch = x.new_zeros(x.size(0), dtype=torch.long)
        pooled = []
        for conv in self.convs:
            x = conv(x, edge_index)
            pooled.append(global_add_pool(x, batch))
        return torch.cat(pooled, dim=-1)

    def forward(self, x: Tensor, edge_index: Tensor, batch: Tensor | None = None) -> Tensor:
        h = self.lin1(self.embed(x, edge_index, batch)).relu()
        h = self.drop(h)
        return self.lin2(h)
