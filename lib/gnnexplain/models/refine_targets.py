"""Target GNNs of ReFine (Wang et al., NeurIPS 2021; repo Wuyxin/ReFine ``gnns/``) and edge-mask injection.

Both models map ``(x [N, F], edge_index [2, E], batch [N] | None)`` to logits ``[B, C]`` and expose the
pooled graph representation as :meth:`graph_rep`. Edge masks reach every message-passing layer through
PyG's ``set_masks`` mechanism (messages on edge e multiplied by ``m_e``); :func:`masked_logits` applies it.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.explain.algorithm.utils import set_masks
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


@contextmanager
def edge_masked(model: nn.Module, edge_mask: Tensor, edge_index: Tensor, *, double_sigmoid: bool = False):
    """Inject ``edge_mask`` into every message-passing layer of ``model`` for the ``with`` block.

    Args:
        model: a module with PyG ``MessagePassing`` layers.
        edge_mask: ``[E]`` values in [0, 1] multiplying the messages (no sigmoid applied), or, with
            ``double_sigmoid=True``, probabilities that PyG squashes once more (PyG 1.7's behaviour, used by
            the ReFine repo: effective mask ``σ(edge_mask)`` in (0.5, 0.73)).
        edge_index: ``[2, E]``, the graph the mask belongs to.
    Raises:
        ValueError: if ``edge_mask`` is not ``[E]``.
    """
    if edge_mask.dim() != 1 or edge_mask.numel() != edge_index.size(1):
        raise ValueError(f"edge_mask must have shape [{edge_index.size(1)}], got {list(edge_mask.shape)}")
    from gnnexplain.explain.safety import reset_explain_state  # here: gnnexplain.explain imports this module

    reset_explain_state(model)
    set_masks(model, edge_mask, edge_index, apply_sigmoid=double_sigmoid)
    try:
        yield model
    finally:
        reset_explain_state(model)


def masked_logits(model: nn.Module, x: Tensor, edge_index: Tensor, batch: Tensor | None, edge_mask: Tensor,
                  *, double_sigmoid: bool = False, rep: bool = False) -> Tensor:
    """``model`` logits ``[B, C]`` (or ``graph_rep`` ``[B, H]`` when ``rep``) with ``edge_mask`` on its
    messages; see :func:`edge_masked`. An all-ones mask reproduces the unmasked output exactly."""
    with edge_masked(model, edge_mask, edge_index, double_sigmoid=double_sigmoid):
        return (model.graph_rep if rep else model)(x, edge_index, batch)
