"""Synthetic brain-like networks with planted informative nodes (Palcu et al. 2019, §4.1;
docs/01_dgcnn_gradcam.md §1.5).

The paper's 500 complete weighted graphs (85 nodes, 250 per state, weights in [-1, 1] biased positive) were
generated from real data that is not public. :func:`brain_networks` is a concrete, seeded generator with a
known ground truth: the edges touching a planted set ``S`` of nodes are drawn from a different distribution in
State2 than in State1. :func:`brain_graphs` turns the networks into PyG graphs after the sparsification of
:mod:`gnnexplain.data.transforms`, with node features that carry the edge weights (the DGCNN ignores them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data

from gnnexplain.data.transforms import sparsify_mask

from gnnexplain.validation import check_number

GENERATOR_MODES = ("isolation", "spread")
STATE_NAMES = ("State1", "State2")


@dataclass(frozen=True)
class BrainNetworks:
    """A set of complete weighted undirected graphs sharing node identities.

    Attributes:
        weights: FloatTensor ``[G, n, n]``, symmetric, zero diagonal, values in [-1, 1].
        y: LongTensor ``[G]``, 0 = State1, 1 = State2.
        informative: LongTensor ``[n_inf]``, the planted node ids ``S`` (sorted), the ground truth.
        params: the generator's arguments.
    """

    weights: Tensor
    y: Tensor
    informative: Tensor
    params: dict

    @property
    def num_nodes(self) -> int:
        return self.weights.size(1)

    @property
    def ground_truth(self) -> Tensor:
        """BoolTensor ``[n]``, True on the planted nodes ``S``."""
        mask = torch.zeros(self.num_nodes, dtype=torch.bool)
        mask[self.informative] = True
        return mask

    def upper_weights(self) -> Tensor:
        """FloatTensor ``[G, n(n-1)/2]``: each undirected edge once, in ``torch.triu_indices(n, n, 1)`` order."""
        u, v = torch.triu_indices(self.num_nodes, self.num_nodes, 1)
        return self.weights[:, u, v]


def brain_networks(n_per_class: int = 250, n_nodes: int = 85, n_inf: int = 8, *, mu0: float = 0.35,
                   sigma: float = 0.25, delta: float = 0.25, subj_sd: float = 0.05, mode: str = "isolation",
                   seed: int = 0) -> BrainNetworks:
    """Generate ``2 * n_per_class`` complete weighted graphs with planted informative nodes
    (docs/01_dgcnn_gradcam.md §1.5).

    ``S`` is a random set of ``n_inf`` nodes. Graph g has label ``y_g`` (balanced, shuffled) and a subject
    offset ``o_g ~ N(0, subj_sd)``. Every edge (u, v) gets a weight ``~ N(mu, sd)`` truncated to [-1, 1]
    (out-of-range draws are redrawn up to 100 times, then clipped), with ``mu = mu0 + o_g`` and
    ``sd = sigma``, except for the edges touching ``S`` in State2 (y = 1):

    * ``mode="isolation"``: ``mu -= delta`` (the informative nodes connect more weakly, "node isolation");
    * ``mode="spread"``: ``sd = 1.8 * sigma`` (same mean, wider distribution).

    All draws come from one ``numpy.random.default_rng(seed)`` in a fixed order, so a seed gives
    bit-identical networks.

    Args:
        n_per_class: graphs per state, >= 1. n_nodes: nodes per graph, >= 2. n_inf: planted nodes,
            1..n_nodes. mu0, sigma, delta, subj_sd: distribution parameters (sigma > 0, subj_sd >= 0).
        mode: one of :data:`GENERATOR_MODES`. seed: the random seed.
    Returns:
        :class:`BrainNetworks`.
    Raises:
        ValueError: for an argument outside the ranges above.
    """
    if mode not in GENERATOR_MODES:
        raise ValueError(f"mode={mode!r}; allowed: {', '.join(GENERATOR_MODES)}")
    check_number(n_per_class, "n_per_class", low=1, integer=True)
    check_number(n_nodes, "n_nodes", low=2, integer=True)
    check_number(n_inf, "n_inf", low=1, high=n_nodes, integer=True)
    check_number(mu0, "mu0")
    check_number(delta, "delta")
    check_number(sigma, "sigma", low=0, low_open=True)
    check_number(subj_sd, "subj_sd", low=0)
    check_number(seed, "seed", low=0, integer=True)
    rng = np.random.default_rng(seed)
    informative = np.sort(rng.choice(n_nodes, n_inf, replace=False))
    num_graphs = 2 * n_per_class
    y = (np.arange(num_graphs) % 2)[rng.permutation(num_graphs)]
    offset = rng.normal(0.0, subj_sd, num_graphs)

    u, v = np.triu_indices(n_nodes, 1)
    in_s = np.zeros(n_nodes, dtype=bool)
    in_s[informative] = True
    shifted = (y[:, None] == 1) & (in_s[u] | in_s[v])[None, :]  # [G, E]
    mu = np.broadcast_to(mu0 + offset[:, None], shifted.shape).copy()
    sd = np.full(shifted.shape, float(sigma))
    if mode == "isolation":
        mu[shifted] -= delta
    else:
        sd[shifted] *= 1.8
    w = rng.normal(mu, sd)
    for _ in range(100):  # truncated normal by redrawing only the out-of-range entries
        bad = np.abs(w) > 1
        if not bad.any():
            break
        w[bad] = rng.normal(mu[bad], sd[bad])
    w = np.clip(w, -1.0, 1.0)

    weights = torch.zeros(num_graphs, n_nodes, n_nodes)
    upper = torch.from_numpy(w).float()
    weights[:, u, v] = upper
    weights[:, v, u] = upper
    params = dict(n_per_class=n_per_class, n_nodes=n_nodes, n_inf=n_inf, mu0=mu0, sigma=sigma, delta=delta,
                  subj_sd=subj_sd, mode=mode, seed=seed)
    return BrainNetworks(weights, torch.from_numpy(y).long(), torch.from_numpy(informative).long(), params)


def ewd_features(weights: Tensor, kept: Tensor, num_bins: int = 20) -> Tensor:
    """The divided edge-weight distribution dEWD of every node (Palcu et al. 2019, §4.1).

    ``c(v, a, b)`` counts the kept edges of v with weight in ``[a, a + b)``, for ``num_bins`` bins of width
    ``b = 2 / num_bins`` on [-1, 1] (a weight of exactly 1 goes to the last bin); dEWD divides by ``n - 1``,
    the row sum of node 0 in the complete graph, so entries lie in [0, 1].

    Args:
        weights: FloatTensor ``[G, n, n]``, symmetric, values in [-1, 1].
        kept: BoolTensor ``[G, n, n]``, symmetric, which edges exist (after sparsification).
        num_bins: number of bins, >= 1.
    Returns:
        FloatTensor ``[G, n, num_bins]``.
    Raises:
        ValueError: if the shapes differ or ``num_bins < 1``.
    """
    if weights.shape != kept.shape or weights.dim() != 3:
        raise ValueError(f"weights {tuple(weights.shape)} and kept {tuple(kept.shape)} must both be [G, n, n]")
    if num_bins < 1:
        raise ValueError(f"num_bins={num_bins} must be >= 1")
    num_graphs, n, _ = weights.shape
    bins = ((weights + 1) * (num_bins / 2)).floor().long().clamp(0, num_bins - 1)
    g, a, _ = kept.nonzero(as_tuple=True)
    flat = (g * n + a) * num_bins + bins[kept]
    counts = torch.bincount(flat, minlength=num_graphs * n * num_bins)
    return counts.view(num_graphs, n, num_bins).float() / (n - 1)


def brain_graphs(networks: BrainNetworks, p: float = 100, *, order: str = "desc", num_bins: int = 20,
                 node_id_features: bool = True) -> list[Data]:
    """PyG graphs of ``networks`` after sparsification at ``p`` percent (docs/01_dgcnn_gradcam.md §1.5 node features).

    Every graph is sparsified on its own (:func:`gnnexplain.data.transforms.sparsify_mask`, all graphs in
    one vectorised call). Node features are ``x_v = [dEWD_v (num_bins, computed on the kept edges),
    one_hot(v, n) if node_id_features]``; the DGCNN propagates over the kept edges without weights, so the
    features are what carries the weight information.

    Args:
        networks: from :func:`brain_networks`. p: percent in [0, 100]. order: ``"desc"`` or ``"asc"``.
        num_bins: dEWD bins. node_id_features: append the one-hot node identity.
    Returns:
        A list of G ``Data``: ``x [n, num_bins (+ n)]``, ``edge_index [2, 2m]`` (both directions),
        ``edge_weight [2m]`` (the kept weights), ``y [1]``, ``graph_id`` (int).
    Raises:
        ValueError: for ``p`` or ``order`` out of range.
    """
    w = networks.weights
    num_graphs, n, _ = w.shape
    u, v = torch.triu_indices(n, n, 1)
    keep_upper = sparsify_mask(networks.upper_weights(), p, order)
    kept = torch.zeros(num_graphs, n, n, dtype=torch.bool)
    kept[:, u, v] = keep_upper
    kept[:, v, u] = keep_upper
    x = ewd_features(w, kept, num_bins)
    if node_id_features:
        x = torch.cat([x, torch.eye(n).expand(num_graphs, n, n)], dim=-1)
    g, a, b = kept.nonzero(as_tuple=True)
    edge_weight = w[g, a, b]
    counts = kept.sum((1, 2)).tolist()
    edge_index = torch.stack([a, b]).split(counts, dim=1)
    edge_weight = edge_weight.split(counts)
    return [Data(x=x[i], edge_index=edge_index[i], edge_weight=edge_weight[i], y=networks.y[i:i + 1],
                 graph_id=i) for i in range(num_graphs)]


def oracle_scores(networks: BrainNetworks) -> Tensor:
    """A data oracle for the planted nodes: |Welch t| of each node's mean incident weight between states.

    Args:
        networks: from :func:`brain_networks` (both states present).
    Returns:
        FloatTensor ``[n]``, >= 0; large for nodes whose incident weights differ between the states.
    """
    from scipy.stats import ttest_ind

    strength = (networks.weights.sum(-1) / (networks.num_nodes - 1)).numpy()  # [G, n] mean incident weight
    y = networks.y.numpy()
    t = ttest_ind(strength[y == 0], strength[y == 1], axis=0, equal_var=False).statistic
    return torch.from_numpy(np.abs(t)).float()
