"""The graph convolutional network of Kipf & Welling (ICLR 2017), and its propagation written out (Â as an edge
list), which NAM and the neighbour-deletion experiment compute with."""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.nn import GCNConv
from torch_geometric.nn.conv.gcn_conv import gcn_norm

from gnnexplain.validation import check_model_args


class GCN(torch.nn.Module):
    """Kipf & Welling's GCN, eq. 9: ``Z = Â ReLU(Â X W0) W1`` with dropout before each layer (or, with
    ``input_dropout=False``, before each layer but the first).

    ``Â = D̃^{-1/2}(A + I)D̃^{-1/2}`` (PyG's ``GCNConv`` with self-loops and symmetric normalisation).

    Args:
        in_channels: node feature size F.
        num_classes: number of classes C.
        hidden_channels: hidden width (16 in the paper).
        dropout: dropout probability in [0, 1) applied to the input of each layer (0.5 in the paper).
        num_layers: number of ``GCNConv`` layers K >= 1 (2 in the paper).
        input_dropout: also drop the input features (the paper's placement, default). ``False`` drops the hidden
            layers' inputs only: on constant features (the GNNExplainer benchmarks) dropping inputs leaves nodes
            that no structure tells apart, and such a GCN stays at the majority class (docs/06_benchmark.md §6.2).
    Forward:
        ``x [N, F]``, ``edge_index [2, E]``, optional ``edge_weight [E]`` -> logits ``[N, C]``.
    Raises:
        ValueError: for ``num_layers < 1`` or ``dropout`` outside [0, 1).
    """

    def __init__(self, in_channels: int, num_classes: int, hidden_channels: int = 16,
                 dropout: float = 0.5, num_layers: int = 2, input_dropout: bool = True):
        super().__init__()
        check_model_args(dropout, in_channels=in_channels, num_classes=num_classes,
                         hidden_channels=hidden_channels, num_layers=num_layers)
        self.config = dict(in_channels=in_channels, num_classes=num_classes,
                           hidden_channels=hidden_channels, dropout=dropout, num_layers=num_layers)
        if not isinstance(input_dropout, bool):
            raise TypeError(f"input_dropout={input_dropout!r} must be a bool")
        if not input_dropout:  # only then in the config: the checkpoint keys of the default GCN stay as they were
            self.config["input_dropout"] = False
        sizes = [in_channels] + [hidden_channels] * (num_layers - 1) + [num_classes]
        self.convs = torch.nn.ModuleList(GCNConv(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.dropout = dropout
        self.input_dropout = input_dropout
        # a module rather than F.dropout, so that MC dropout (BayesGrad) can switch it on alone
        self.drop = torch.nn.Dropout(dropout)

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        for i, conv in enumerate(self.convs):
            if i > 0 or self.input_dropout:
                x = self.drop(x)
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


def check_eval_gcn(model: torch.nn.Module, user: str = "NAM") -> GCN:
    """Return ``model`` if it is a :class:`GCN` in eval mode, the model NAM's identities (and the exact
    propagation of :func:`gcn_forward_projected`) hold for.

    Args:
        user: who asks, named in the error (``"NAM"``, ``"the deletion experiment"``).
    Raises:
        TypeError: for any other model class (NAM is defined for ReLU GCNs with ``GCNConv`` layers).
        ValueError: if the model is in training mode (dropout breaks the gates and the identities).
    """
    if not isinstance(model, GCN):
        raise TypeError(f"{user} supports model=gnnexplain.models.GCN (a ReLU GCN, Kipf & Welling); "
                        f"got {type(model).__name__}")
    if model.training:
        raise ValueError("model is in training mode; call model.eval() (dropout breaks NAM's identities)")
    return model


def normalized_adjacency(edge_index: Tensor, num_nodes: int, edge_weight: Tensor | None = None,
                         dtype: torch.dtype = torch.float) -> tuple[Tensor, Tensor]:
    """Â = D̃^{-1/2}(A + I)D̃^{-1/2} as an edge list, exactly as ``GCNConv`` builds it (PyG's ``gcn_norm``).

    Returns:
        ``(adj_index [2, E'], adj_weight [E'])`` with self-loops; ``Â[adj_index[1], adj_index[0]] = adj_weight``
        (row = receiving node, column = sending node).
    """
    return gcn_norm(edge_index, edge_weight, num_nodes, improved=False, add_self_loops=True,
                    flow="source_to_target", dtype=dtype)


def propagate(adj_index: Tensor, adj_weight: Tensor, h: Tensor) -> Tensor:
    """``Â h`` for ``h [N, D]`` and Â from :func:`normalized_adjacency`; returns ``[N, D]``."""
    out = torch.zeros_like(h)
    return out.index_add_(0, adj_index[1], adj_weight.unsqueeze(-1) * h[adj_index[0]])


def gcn_forward_projected(model: GCN, u: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
    """The GCN's logits from ``u = X W1`` (its first linear map already applied); eval mode.

    ``u`` is all a GCN needs from the features, so edited copies of a graph can share one projection
    instead of copying the ``[N, F]`` features (the perturbation experiment, docs/02_nam.md §2.4).

    Args:
        model: a :class:`GCN` in eval mode.
        u: ``[N, H]`` = ``x @ W1`` for the first layer's ``W1`` (``model.linear_parameters()[0][0]``).
        edge_index: ``[2, E]``; edge_weight: optional ``[E]``.
    Returns:
        logits ``[N, C]``, equal to ``model(x, edge_index, edge_weight)``.
    """
    layers = check_eval_gcn(model).linear_parameters()
    adj_index, adj_weight = normalized_adjacency(edge_index, u.size(0), edge_weight, u.dtype)
    h = u
    for i, (weight, bias) in enumerate(layers):
        h = propagate(adj_index, adj_weight, h if i == 0 else h @ weight) + bias
        if i < len(layers) - 1:
            h = h.relu()
    return h
