"""DGCNN, the Deep Graph CNN of Zhang, Cui, Neumann & Chen (AAAI 2018), with a SortPooling that returns
its permutation, so that Grad-CAM (Palcu et al. 2019) can map conv positions back to nodes.

Architecture as in the official code (muhanzhang/pytorch_DGCNN; docs/01_dgcnn_gradcam.md §1.2): graph convolutions
``Z_{t+1} = tanh(((A + I) Z_t W_t + b_t) / (deg + 1))`` with widths 32-32-32-1, concatenated (D = 97),
SortPooling on the last channel to k nodes, ``Conv1d(1, 16, D, stride D)`` -> ReLU -> ``MaxPool1d(2, 2)``
-> ``Conv1d(16, 32, 5)`` -> ReLU -> dense 128 -> ReLU -> dropout 0.5 -> logits.
Not PyG's ``examples/dgcnn_classification.py`` (that is Dynamic Graph CNN, for point clouds).
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.utils import to_dense_adj, to_dense_batch

DGCNN_NORMS = ("rw_dgcnn", "gcn_sym")


def sortpool_k(graph_sizes: Sequence[int], k: float = 0.6) -> int:
    """SortPooling size k by the official rule (pytorch_DGCNN ``main.py``).

    Args:
        graph_sizes: node counts of all graphs (train and test).
        k: if ``<= 1``, a percentile: ``k = max(10, sorted(sizes)[ceil(k * len) - 1])``; else used as is.
    Returns:
        int k >= 10 (a percentile) or ``int(k)``.
    Raises:
        ValueError: if ``graph_sizes`` is empty or ``k <= 0``.
    """
    if not len(graph_sizes) or k <= 0:
        raise ValueError("sortpool_k needs graph sizes and k > 0")
    if k > 1:
        return int(k)
    sizes = sorted(graph_sizes)
    return max(10, int(sizes[math.ceil(k * len(sizes)) - 1]))


def dense_graphs(x: Tensor, edge_index: Tensor, batch: Tensor | None = None,
                 edge_weight: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Dense form of a batch of graphs, as :class:`DGCNN` consumes it.

    Args:
        x: ``[N, F]``. edge_index: ``[2, E]``. batch: ``[N]`` sorted graph ids (None: one graph).
        edge_weight: ``[E]`` or None (every edge counts 1).
    Returns:
        ``(x [B, Nmax, F], adj [B, Nmax, Nmax], mask [B, Nmax])``; ``adj[b, i, j]`` is the summed weight of the
        edges i -> j of graph b, ``mask`` is True for real nodes.
    """
    z, mask = to_dense_batch(x, batch)
    return z, to_dense_adj(edge_index, batch, edge_weight, max_num_nodes=z.size(1)), mask


class SortPooling(nn.Module):
    """SortPooling (Zhang et al. 2018) that also returns the sort permutation.

    Per graph, nodes are sorted by their last feature channel in descending order with a *stable* sort
    (ties keep the node order, so results are reproducible; ``tie_break=True`` breaks ties by the preceding
    channels, last to first, as in the DGCNN paper), the first k are kept and graphs with fewer than k nodes
    are padded with zero rows. PyG's ``SortAggregation`` does the same but does not return the permutation.

    Args:
        k: number of kept nodes, >= 1. tie_break: lexicographic tie-break on the preceding channels.
    Raises:
        ValueError: if ``k < 1``.
    """

    def __init__(self, k: int, tie_break: bool = False):
        super().__init__()
        if k < 1:
            raise ValueError(f"k={k} must be >= 1")
        self.k, self.tie_break = int(k), tie_break

    def forward(self, x: Tensor, batch: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Sort and truncate/pad.

        Args:
            x: FloatTensor ``[N, D]``. batch: LongTensor ``[N]`` of graph ids (sorted), or None for one graph.
        Returns:
            ``(pooled [B, k, D], perm [B, k])``: ``perm[b, j]`` is the index *within graph b* (0-based, in the
            order of ``x``) of the node in sorted slot j, or -1 for a padding slot.
        """
        if batch is None:
            batch = x.new_zeros(x.size(0), dtype=torch.long)
        return self.sort_dense(*to_dense_batch(x, batch))

    def sort_dense(self, dense: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        """:meth:`forward` on a dense batch: ``dense [B, Nmax, D]``, ``mask [B, Nmax]`` (True = real node)."""
        num_graphs, n_max, dim = dense.shape
        order = torch.arange(n_max, device=dense.device).expand(num_graphs, n_max)
        channels = range(dim) if self.tie_break else [dim - 1]
        for c in channels:  # successive stable sorts: the last one sorted (channel D-1) is the primary key
            key = dense.gather(1, order.unsqueeze(-1).expand(-1, -1, dim))[..., c]
            key = key.masked_fill(~mask.gather(1, order), float("-inf"))  # padding goes last
            order = order.gather(1, torch.sort(key, dim=1, descending=True, stable=True).indices)
        sorted_x = dense.gather(1, order.unsqueeze(-1).expand(-1, -1, dim))
        perm = order.masked_fill(~mask.gather(1, order), -1)
        if n_max >= self.k:
            return sorted_x[:, :self.k], perm[:, :self.k]
        pad = self.k - n_max
        return F.pad(sorted_x, (0, 0, 0, pad)), F.pad(perm, (0, pad), value=-1)


class DGCNNTrace(NamedTuple):
    """What Grad-CAM needs from one forward pass of :class:`DGCNN`.

    Attributes:
        logits: ``[B, C]`` pre-softmax class scores.
        maps: ``[B, conv2_channels, L2]`` post-ReLU outputs of the last 1-D convolution (the Grad-CAM feature
            maps), part of the autograd graph of ``logits``.
        perm: ``[B, k]`` node index within its graph for each sorted slot, -1 for padding.
    """

    logits: Tensor
    maps: Tensor
    perm: Tensor


class DGCNN(nn.Module):
    """DGCNN of Zhang et al. (AAAI 2018) for graph classification (docs/01_dgcnn_gradcam.md §1.2).

    Args:
        in_channels: node feature size F. num_classes: C >= 2. k: SortPooling size (>= 10 so conv2 fits).
        latent_dims: graph-convolution widths; the last one is the sort key (default 32-32-32-1, D = 97).
        conv1_channels, conv2_channels, conv2_kernel: the 1-D CNN head (16, 32, 5).
        hidden: dense width (128). dropout: dropout rate before the output layer (0.5, train mode only).
        norm: ``"rw_dgcnn"`` (official: ``(A + I)`` sum, bias, divide by ``deg + 1``) or ``"gcn_sym"``
            (``D̃^{-1/2}(A + I)D̃^{-1/2}``).
        tie_break: see :class:`SortPooling`.
    Raises:
        ValueError: for an unknown ``norm`` or a ``k`` too small for the head.
    """

    def __init__(self, in_channels: int, num_classes: int, k: int = 85, latent_dims: Sequence[int] = (32, 32, 32, 1),
                 conv1_channels: int = 16, conv2_channels: int = 32, conv2_kernel: int = 5, hidden: int = 128,
                 dropout: float = 0.5, norm: str = "rw_dgcnn", tie_break: bool = False):
        super().__init__()
        if norm not in DGCNN_NORMS:
            raise ValueError(f"norm={norm!r}; allowed: {', '.join(DGCNN_NORMS)}")
        if k // 2 < conv2_kernel:
            raise ValueError(f"k={k} is too small: floor(k/2) must be >= conv2_kernel={conv2_kernel}")
        self.config = dict(in_channels=in_channels, num_classes=num_classes, k=k, latent_dims=list(latent_dims),
                           conv1_channels=conv1_channels, conv2_channels=conv2_channels,
                           conv2_kernel=conv2_kernel, hidden=hidden, dropout=dropout, norm=norm,
                           tie_break=tie_break)
        dims = [in_channels, *latent_dims]
        self.convs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.total_dim = sum(latent_dims)
        self.pool = SortPooling(k, tie_break)
        self.conv1 = nn.Conv1d(1, conv1_channels, self.total_dim, stride=self.total_dim)
        self.conv2 = nn.Conv1d(conv1_channels, conv2_channels, conv2_kernel)
        self.length = k // 2 - conv2_kernel + 1  # L2
        self.lin1 = nn.Linear(conv2_channels * self.length, hidden)
        self.lin2 = nn.Linear(hidden, num_classes)
        self.dropout = dropout
        self.drop = nn.Dropout(dropout)  # a module, so that MC dropout (BayesGrad) can switch it on alone
        self.norm = norm
        for lin in (*self.convs, self.lin1, self.lin2):  # official weights_init: Glorot weights, zero biases
            nn.init.xavier_uniform_(lin.weight)
            nn.init.zeros_(lin.bias)

    def embed(self, x: Tensor, edge_index: Tensor, batch: Tensor | None = None,
              edge_weight: Tensor | None = None) -> Tensor:
        """Concatenated graph-convolution outputs ``Zcat [N, D]`` (last channel = sort key).

        Propagation uses a dense adjacency per graph of the batch (:func:`dense_graphs`): the graphs of this
        workbook are small and often complete, where dense batched products are many times faster than
        scatter. ``edge_weight [E]`` (optional, must be > 0) weights the neighbour sum and the degree; the
        official DGCNN ignores weights (None).
        """
        z, adj, mask = dense_graphs(x, edge_index, batch, edge_weight)
        return self.embed_dense(z, adj)[mask]

    def embed_dense(self, z: Tensor, adj: Tensor) -> Tensor:
        """:meth:`embed` on a dense batch: ``z [B, Nmax, F]``, ``adj [B, Nmax, Nmax]`` -> ``[B, Nmax, D]``
        (padding rows hold values that :meth:`SortPooling.sort_dense` masks out)."""
        deg = adj.sum(-1, keepdim=True) + 1  # [B, Nmax, 1]
        if self.norm == "gcn_sym":
            inv = deg.rsqrt()
            adj = inv * adj * inv.transpose(1, 2)
        outputs = []
        for lin in self.convs:
            h = z @ lin.weight.t()  # (A + I) Z W == (A + I)(Z W): aggregate in the narrower space
            if self.norm == "rw_dgcnn":
                z = torch.tanh((adj @ h + h + lin.bias) / deg)  # bias before the normalisation
            else:
                z = torch.tanh(adj @ h + h / deg + lin.bias)
            outputs.append(z)
        return torch.cat(outputs, dim=-1)

    def conv_maps(self, pooled: Tensor) -> Tensor:
        """The 1-D CNN on sorted nodes: ``pooled [B, k, D]`` -> post-ReLU conv2 maps ``[B, 32, L2]``."""
        # conv1 has kernel = stride = D: position i sees exactly sorted node i, i.e. a linear map per node
        # (same numbers as self.conv1 on the flattened [B, 1, k*D] input, several times faster on CPU)
        weight = self.conv1.weight.view(self.conv1.out_channels, -1)
        h = F.relu(F.linear(pooled, weight, self.conv1.bias)).transpose(1, 2)  # [B, 16, k]
        h = F.max_pool1d(h, 2, 2)
        return F.relu(self.conv2(h))

    def classify(self, maps: Tensor) -> Tensor:
        """Dense head: conv2 maps ``[B, 32, L2]`` -> logits ``[B, C]``."""
        h = F.relu(self.lin1(maps.flatten(1)))
        h = self.drop(h)
        return self.lin2(h)

    def trace(self, x: Tensor, edge_index: Tensor, batch: Tensor | None = None,
              edge_weight: Tensor | None = None) -> DGCNNTrace:
        """Forward pass returning logits, the last conv maps and the SortPooling permutation (for Grad-CAM)."""
        return self.trace_dense(*dense_graphs(x, edge_index, batch, edge_weight))

    def trace_dense(self, x: Tensor, adj: Tensor, mask: Tensor) -> DGCNNTrace:
        """:meth:`trace` on a dense batch (:func:`dense_graphs`): ``x [B, Nmax, F]``, ``adj [B, Nmax, Nmax]``,
        ``mask [B, Nmax]``."""
        pooled, perm = self.pool.sort_dense(self.embed_dense(x, adj), mask)
        maps = self.conv_maps(pooled)
        return DGCNNTrace(self.classify(maps), maps, perm)

    def forward(self, x: Tensor, edge_index: Tensor, batch: Tensor | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        """Logits ``[B, C]`` for a batch of graphs (``x [N, F]``, ``edge_index [2, E]``, ``batch [N]``)."""
        return self.trace(x, edge_index, batch, edge_weight).logits

    def forward_dense(self, x: Tensor, adj: Tensor, mask: Tensor) -> Tensor:
        """Logits ``[B, C]`` from a dense batch (:func:`dense_graphs`); equal to :meth:`forward` on the same
        graphs. Lets training precompute the dense tensors once instead of collating every mini-batch."""
        return self.trace_dense(x, adj, mask).logits

    def receptive_fields(self) -> Tensor:
        """Sorted positions behind each element of the conv2 maps (docs/01_dgcnn_gradcam.md §1.3).

        conv1 position i is sorted node i (kernel = stride = D); max-pool output q covers {2q, 2q+1};
        conv2 output t covers pooled t .. t + K2 - 1. So element t covers sorted positions
        ``2t .. 2t + 2*K2 - 1`` (10 positions for K2 = 5); with odd k the last position is never covered.

        Returns:
            LongTensor ``[L2, 2 * conv2_kernel]`` of sorted positions, all < k.
        """
        kernel = self.config["conv2_kernel"]
        start = 2 * torch.arange(self.length)
        return start.unsqueeze(1) + torch.arange(2 * kernel).unsqueeze(0)
