"""The node classifier of the GNNExplainer paper (Ying et al., NeurIPS 2019): three graph convolutions
whose outputs are concatenated before a linear classifier (the authors' ``models.py::GcnEncoderNode``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.nn import GATConv, GCNConv
from torch_geometric.utils import degree

CONVS = ("gcn", "gat")


class ConcatGNN(torch.nn.Module):
    """``h_l = act_l(normalize(conv_l(h_{l-1})))`` for l = 1..L, logits ``= Lin([h_1 ‖ … ‖ h_L])``.

    As in the authors' ``GcnEncoderNode`` (``concat=True``, ``bn=False``): every layer output is L2-normalised
    per node (``normalize_embedding=True``), layers 1..L-1 use ReLU and the last layer none, and the
    classifier reads the concatenation of all layer outputs (3 · 20 = 60 features).

    With ``conv="gcn"`` each layer is ``A h W + b`` on the raw adjacency (PyG ``GCNConv`` with
    ``normalize=False, add_self_loops=False``): the authors' ``GraphConv`` with ``add_self=False``, sum
    aggregation and no self-loop, weights Xavier-uniform with ReLU gain and zero bias. An explanation edge
    mask therefore scales the entries of A, as in the authors' masked adjacency.
    With ``conv="gat"`` each layer is a one-head ``GATConv`` (Veličković et al. 2018), the model behind
    the "Att" baseline of the paper's Table 1 (explained by PyG's ``AttentionExplainer``). Attention
    averages its neighbours, so on constant features it sees no structure at all; this variant therefore
    appends ``log(1 + degree)`` (from ``edge_index``) to ``x`` ([proposal]: the paper does not say).

    Args:
        in_channels: node feature size F.
        num_classes: number of classes C.
        hidden_channels: width of every layer (hidden 20 and output 20 in the paper).
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
                           num_layers=num_layers, conv=conv, layer="authors-l2norm")
        sizes = [in_channels + (conv == "gat")] + [hidden_channels] * num_layers
        if conv == "gcn":
            self.convs = torch.nn.ModuleList(GCNConv(a, b, normalize=False, add_self_loops=False)
                                             for a, b in zip(sizes[:-1], sizes[1:]))
            for layer in self.convs:
                torch.nn.init.xavier_uniform_(layer.lin.weight, gain=torch.nn.init.calculate_gain("relu"))
        else:
            self.convs = torch.nn.ModuleList(GATConv(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.lin = torch.nn.Linear(hidden_channels * num_layers, num_classes)

    def embed(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """Concatenated layer outputs ``[N, L·H]`` (PGExplainer's node embeddings)."""
        if self.config["conv"] == "gat":
            deg = degree(edge_index[1], x.size(0), dtype=x.dtype)
            x = torch.cat([x, deg.log1p().unsqueeze(-1)], dim=-1)
        outs = []
        for i, conv in enumerate(self.convs):
            x = F.normalize(conv(x, edge_index), p=2.0, dim=-1)
            x = x.relu() if i < len(self.convs) - 1 else x
            outs.append(x)
        return torch.cat(outs, dim=-1)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        return self.lin(self.embed(x, edge_index))
