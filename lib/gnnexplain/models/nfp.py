"""NFPDrop: the neural fingerprint with dropout used by BayesGrad (Duvenaud et al. 2015; docs/03_bayesgrad.md §3.3)."""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.nn import global_add_pool
from torch_geometric.utils import degree, scatter

from gnnexplain.data.molecules import BOND_TYPES, NUM_ATOM_IDS
from gnnexplain.models.ggnn import check_atom_graph
from gnnexplain.validation import check_model_args


class NFP(torch.nn.Module):
    """NFPDrop of the BayesGrad code (``models/nfp_drop.py``) on PyG sparse batches.

    Per layer ``l``: ``h ← dropout(h)``, ``f_v = h_v + Σ_{u ∈ N(v)} h_u`` (``(A + I) h``), then
    ``h_v ← σ(W^l_{deg(v)} f_v + Σ_{d=0..6} b^l_d)``: one linear map per atom degree 0..6, and, as in the
    Chainer code where every degree linear sees a degree-masked input, all seven biases are always added
    (an atom of degree > 6 gets ``σ(Σ_d b^l_d)``). Readout ``g = Σ_l Σ_v softmax(R_l h_v)`` over channels,
    head ``Linear(dropout(g))``. Bond types are not used (``edge_type`` is accepted for a common signature).

    Args:
        out_channels: outputs per graph.
        hidden_channels: H (16 for Tox21, 32 for ESOL).
        num_layers: L >= 1 (4 for Tox21, 3 for ESOL).
        dropout: dropout probability in [0, 1) (0.25), as ``torch.nn.Dropout`` modules.
        max_degree: highest degree with its own linear map (6).
        num_atom_ids: embedding rows (119).
    Forward:
        ``x [N]``, ``edge_index [2, E]``, ``edge_type [E]``, optional ``batch [N]`` -> raw outputs
        ``[B, out_channels]``; :meth:`embed` and :meth:`forward_from_embedding` as in
        :class:`gnnexplain.models.GGNN`.
    Raises:
        ValueError: for sizes < 1, ``dropout`` outside [0, 1), or invalid inputs.
    """

    def __init__(self, out_channels: int = 1, hidden_channels: int = 16, num_layers: int = 4,
                 dropout: float = 0.25, max_degree: int = 6, num_atom_ids: int = NUM_ATOM_IDS):
        super().__init__()
        if isinstance(max_degree, bool) or not isinstance(max_degree, int) or max_degree < 0:
            raise ValueError(f"max_degree={max_degree!r} must be an integer >= 0")
        check_model_args(dropout, out_channels=out_channels, hidden_channels=hidden_channels,
                         num_layers=num_layers, num_atom_ids=num_atom_ids)
        self.config = dict(out_channels=out_channels, hidden_channels=hidden_channels, num_layers=num_layers,
                           dropout=dropout, max_degree=max_degree, num_atom_ids=num_atom_ids)
        h = hidden_channels
        self.embedding = torch.nn.Embedding(num_atom_ids, h)
        self.degree_lins = torch.nn.ModuleList(
            torch.nn.ModuleList(torch.nn.Linear(h, h) for _ in range(max_degree + 1)) for _ in range(num_layers))
        self.readouts = torch.nn.ModuleList(torch.nn.Linear(h, h) for _ in range(num_layers))
        self.head = torch.nn.Linear(h, out_channels)
        self.node_dropout = torch.nn.Dropout(dropout)
        self.head_dropout = torch.nn.Dropout(dropout)

    def embed(self, x: Tensor) -> Tensor:
        """Atom embedding ``e [N, H]`` of atom ids ``x [N]``."""
        return self.embedding(x)

    def forward_from_embedding(self, e: Tensor, edge_index: Tensor, edge_type: Tensor | None = None,
                               batch: Tensor | None = None) -> Tensor:
        """Raw outputs ``[B, out_channels]`` from atom embeddings ``e [N, H]``."""
        n = e.size(0)
        src, dst = edge_index
        deg = degree(dst, n, dtype=torch.long)
        known = (deg <= self.config["max_degree"]).unsqueeze(-1)
        deg = deg.clamp(max=self.config["max_degree"])
        h, g = e, 0
        for lins, readout in zip(self.degree_lins, self.readouts):
            h = self.node_dropout(h)
            f = h + scatter(h.index_select(0, src), dst, dim=0, dim_size=n, reduce="sum")
            # All degree maps at once [N, D, H], then each atom keeps the map of its own degree.
            every = (f @ torch.cat([lin.weight for lin in lins]).t()).view(n, len(lins), -1)
            own = every[torch.arange(n), deg]
            bias = torch.stack([lin.bias for lin in lins]).sum(0)
            h = torch.sigmoid(torch.where(known, own, 0.0) + bias)
            g = g + global_add_pool(torch.softmax(readout(h), dim=-1), batch)
        return self.head(self.head_dropout(g))

    def forward(self, x: Tensor, edge_index: Tensor, edge_type: Tensor, batch: Tensor | None = None) -> Tensor:
        check_atom_graph(x, edge_index, edge_type, self.config["num_atom_ids"], len(BOND_TYPES))
        return self.forward_from_embedding(self.embed(x), edge_index, edge_type, batch)
