"""GGNNDrop: the gated graph network with dropout used by BayesGrad (Akita et al. 2018; docs/03_bayesgrad.md §3.3)."""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.nn import global_add_pool
from torch_geometric.utils import scatter

from gnnexplain.data.molecules import BOND_TYPES, NUM_ATOM_IDS
from gnnexplain.validation import check_model_args


def check_atom_graph(x: Tensor, edge_index: Tensor, edge_type: Tensor, num_ids: int, num_types: int) -> None:
    """Validate the inputs of the molecule models.

    Raises:
        ValueError: if ``x`` is not a 1-D integer tensor of ids in ``[0, num_ids)``, or ``edge_type`` does
            not give one id in ``[0, num_types)`` per column of ``edge_index``.
    """
    if x.dim() != 1 or x.dtype not in (torch.long, torch.int32, torch.int64):
        raise ValueError(f"x must be a 1-D LongTensor of atom ids [N], got dtype {x.dtype} shape {tuple(x.shape)}")
    if x.numel() and (int(x.min()) < 0 or int(x.max()) >= num_ids):
        raise ValueError(f"atom ids in x must lie in 0..{num_ids - 1}")
    if edge_type is None or edge_type.shape != edge_index.shape[1:]:
        raise ValueError(f"edge_type must be a LongTensor [E={edge_index.size(1)}] of bond-type ids")
    if edge_type.numel() and (int(edge_type.min()) < 0 or int(edge_type.max()) >= num_types):
        raise ValueError(f"edge_type ids must lie in 0..{num_types - 1}")


class GGNN(torch.nn.Module):
    """GGNNDrop of the BayesGrad code (``models/ggnn_drop.py``), re-implemented on PyG sparse batches.

    ``h_0 = Embed(atom id)``; for ``t = 1..T`` with one shared (weight-tied) message layer:
    ``h ← dropout(h)``, ``m_v = Σ_τ Σ_{u ∈ N_τ(v)} W_τ h_u`` (plain sum per bond type τ, no self-loop),
    ``s ← GRUCell([h_v, m_v], s)`` with ``s = 0`` at the first step (Chainer's stateful ``L.GRU``; torch's
    GRU gate convention), ``h ← s``. Readout ``g = Σ_v σ(Lin_i([h_T, h_0])) ⊙ Lin_j(h_T)``, head
    ``Linear(dropout(g))``. Unlike the Chainer model on padded dense batches, padding atoms do not exist
    here and so do not enter the readout.

    Args:
        out_channels: outputs per graph (1 logit for a binary task, 1 value for regression).
        hidden_channels: H (16 in the paper).
        num_layers: message-passing steps T >= 1 (4).
        dropout: dropout probability in [0, 1) (0.25); ``torch.nn.Dropout`` modules, so BayesGrad can
            switch them on alone.
        num_atom_ids: embedding rows (119: atomic numbers 0..118).
        num_edge_types: bond types (4).
    Forward:
        ``x [N]`` atom ids, ``edge_index [2, E]``, ``edge_type [E]``, optional ``batch [N]`` -> raw outputs
        ``[B, out_channels]`` (pre-sigmoid logits). :meth:`embed` gives ``e [N, H]`` and
        :meth:`forward_from_embedding` runs the rest, so gradients can be taken w.r.t. ``e``.
    Raises:
        ValueError: for sizes < 1, ``dropout`` outside [0, 1), or invalid inputs (see :func:`check_atom_graph`).
    """

    def __init__(self, out_channels: int = 1, hidden_channels: int = 16, num_layers: int = 4,
                 dropout: float = 0.25, num_atom_ids: int = NUM_ATOM_IDS, num_edge_types: int = len(BOND_TYPES)):
        super().__init__()
        check_model_args(dropout, out_channels=out_channels, hidden_channels=hidden_channels,
                         num_layers=num_layers, num_atom_ids=num_atom_ids, num_edge_types=num_edge_types)
        self.config = dict(out_channels=out_channels, hidden_channels=hidden_channels, num_layers=num_layers,
                           dropout=dropout, num_atom_ids=num_atom_ids, num_edge_types=num_edge_types)
        h = hidden_channels
        self.embedding = torch.nn.Embedding(num_atom_ids, h)
        self.message = torch.nn.Linear(h, num_edge_types * h)
        self.gru = torch.nn.GRUCell(2 * h, h)
        self.readout_i = torch.nn.Linear(2 * h, h)
        self.readout_j = torch.nn.Linear(h, h)
        self.head = torch.nn.Linear(h, out_channels)
        self.node_dropout = torch.nn.Dropout(dropout)
        self.head_dropout = torch.nn.Dropout(dropout)

    def embed(self, x: Tensor) -> Tensor:
        """Atom embedding ``e [N, H]`` of atom ids ``x [N]`` (BayesGrad's gradient target)."""
        return self.embedding(x)

    def forward_from_embedding(self, e: Tensor, edge_index: Tensor, edge_type: Tensor,
                               batch: Tensor | None = None) -> Tensor:
        """Raw outputs ``[B, out_channels]`` from atom embeddings ``e [N, H]``."""
        n, h_dim = e.shape
        src, dst = edge_index
        h, state = e, e.new_zeros(n, h_dim)
        for _ in range(self.config["num_layers"]):
            h = self.node_dropout(h)
            # Row (u, τ) of the [N * T, H] messages: index_select's backward is a fast index_add.
            msg = self.message(h).view(-1, h_dim).index_select(0, src * self.config["num_edge_types"] + edge_type)
            m = scatter(msg, dst, dim=0, dim_size=n, reduce="sum")
            state = self.gru(torch.cat([h, m], dim=-1), state)
            h = state
        gate = torch.sigmoid(self.readout_i(torch.cat([h, e], dim=-1)))
        g = global_add_pool(gate * self.readout_j(h), batch)
        return self.head(self.head_dropout(g))

    def forward(self, x: Tensor, edge_index: Tensor, edge_type: Tensor, batch: Tensor | None = None) -> Tensor:
        check_atom_graph(x, edge_index, edge_type, self.config["num_atom_ids"], self.config["num_edge_types"])
        return self.forward_from_embedding(self.embed(x), edge_index, edge_type, batch)
