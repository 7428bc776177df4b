"""The two-layer graph convolutional network of Kipf & Welling (ICLR 2017)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.nn import GCNConv

from gnnexplain.validation import check_model_args


class GCN(torch.nn.Module):
    """Kipf & Welling's GCN, eq. 9: ``Z = Â ReLU(Â X W0) W1`` with dropout before each layer.

    ``Â = D̃^{-1/2}(A + I)D̃^{-1/2}`` (PyG's ``GCNConv`` with self-loops and symmetric normalisation).

    Args:
        in_channels: node feature size F.
        num_classes: number of classes C.
        hidden_channels: hidden width (16 in the paper).
        dropout: dropout probability in [0, 1) applied to the input of each layer (0.5 in the paper).
        num_layers: number of ``GCNConv`` layers K >= 1 (2 in the paper).
    Forward:
        ``x [N, F]``, ``edge_index [2, E]``, optional ``edge_weight [E]`` -> logits ``[N, C]``.
    Raises:
        ValueError: for ``num_layers < 1`` or ``dropout`` outside [0, 1).
    """

    def __init__(self, in_channels: int, num_classes: int, hidden_channels: int = 16,
                 dropout: float = 0.5, num_layers: int = 2):
        super().__init__()
        check_model_args(dropout, in_channels=in_channels, num_classes=num_classes,
                         hidden_channels=hidden_channels, num_layers=num_layers)
        self.config = dict(in_channels=in_channels, num_classes=num_classes,
                           hidden_channels=hidden_channels, dropout=dropout, num_layers=num_layers)
        sizes = [in_channels] + [hidden_channels] * (num_layers - 1) + [num_classes]
        self.convs = torch.nn.ModuleList(GCNConv(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.dropout = dropout

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        for i, conv in enumerate(self.convs):
            x = F.dropout(x, self.dropout, training=self.training)
            x = conv(x, edge_index, edge_weight)
            if i < len(self.convs) - 1:
                x = x.relu()
        return x

    def linear_parameters(self) -> list[tuple[Tensor, Tensor]]:
        """Per layer ``l``, ``(W_l [in, out], b_l [out])`` such that the layer computes ``Â (H W_l) + b_l``.

        Explainers that open the network up (NAM's closed form, Xie & Lu eq. 10-14) read the weights here
        instead of reaching into ``convs``. The tensors are views of the parameters (not copies).
        """
        return [(conv.lin.weight.t(), conv.bias) for conv in self.convs]
