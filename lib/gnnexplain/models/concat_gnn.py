"""The node classifier of the GNNExplainer paper (Ying et al., NeurIPS 2019): three graph convolutions
whose outputs are concatenated before a linear classifier (the authors' ``models.py::GcnEncoderNode``)."""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.nn import GATConv, GraphConv
from torch_geometric.utils import degree

CONVS = ("gcn", "gat")


class ConcatGNN(torch.nn.Module):
    """``h_l = ReLU(conv_l(h_{l-1}))`` for l = 1..L, logits ``= Lin([h_1 ‖ … ‖ h_L])``.

    With ``conv="gcn"`` each layer is PyG's ``GraphConv`` (``h_i W_1 + Σ_j a_ij h_j W_2 + b``): the authors'
    ``adj @ x @ W`` with sum aggregation, which lets the model count neighbours of constant-feature nodes
    (a symmetrically normalised ``GCNConv`` stays at the majority class on Tree-Cycles).
    With ``conv="gat"`` each layer is a one-head ``GATConv`` (Veličković et al. 2018), the model behind
    the "Att" baseline of the paper's Table 1 (explained by PyG's ``AttentionExplainer``). Attention
    averages its neighbours, so on constant features it sees no structure at all; this variant therefore
    appends ``log(1 + degree)`` (from ``edge_index``) to ``x`` ([proposal]: the paper does not say).

    Args:
        in_channels: node feature size F.
        num_classes: number of classes C.
        hidden_channels: width of every layer (20 in the paper).
        num_layers: L >= 1 (3 in the paper).
        conv: one of :data:`CONVS`.
    Forward:
        ``x [N, F]``, ``edge_index [2, E]`` -> logits ``[N, C]``. :meth:`embed` returns ``[N, L·H]``.
    Raises:
        ValueError: for ``num_layers < 1`` or an unknown ``conv``.
    """

    def __init__(self, in_channels: int, num_classes: int, hidden_channels: int = 20, num_layers: int = 3,
                 conv: str = "gcn"):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"num_layers must be >= 1, got {num_layers}")
        if conv not in CONVS:
            raise ValueError(f"unknown conv={conv!r}; allowed: {', '.join(CONVS)}")
        self.config = dict(in_channels=in_channels, num_classes=num_classes, hidden_channels=hidden_channels,
                           num_layers=num_layers, conv=conv)
        sizes = [in_channels + (conv == "gat")] + [hidden_channels] * num_layers
        layer = GraphConv if conv == "gcn" else GATConv
        self.convs = torch.nn.ModuleList(layer(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.lin = torch.nn.Linear(hidden_channels * num_layers, num_classes)

    def embed(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """Concatenated layer outputs ``[N, L·H]`` (PGExplainer's node embeddings)."""
        if self.config["conv"] == "gat":
            deg = degree(edge_index[1], x.size(0), dtype=x.dtype)
            x = torch.cat([x, deg.log1p().unsqueeze(-1)], dim=-1)
        outs = []
        for conv in self.convs:
            x = conv(x, edge_index).relu()
            outs.append(x)
        return torch.cat(outs, dim=-1)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        return self.lin(self.embed(x, edge_index))
