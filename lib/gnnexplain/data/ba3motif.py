"""BA-3motif (Wang et al., NeurIPS 2021, §4.1; repo Wuyxin/ReFine ``datasets/ba3motif_dataset.py``) and BA-2motif
(Luo et al., NeurIPS 2020, §5.1): graph classification where each graph is a Barabási–Albert base with exactly one
motif (house, 6-cycle or 3×3 grid; house or 5-cycle), and the label is the motif type.

Edge convention: each undirected edge is stored twice, once per direction, in ``edge_index [2, E]``, and the
ground truth ``edge_gt [E]`` marks both directions of a motif edge. Ratios and top-k selections count undirected
pairs, scored by the mean of their two directions (:mod:`gnnexplain.core.graph`, docs/conventions.md §0.1).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.datasets.motif_generator import CycleMotif, GridMotif, HouseMotif
from torch_geometric.utils import to_undirected

from gnnexplain.validation import check_number


BA3_CLASSES = ("house", "cycle", "grid")
BA3_FEATURES = ("leaky", "constant", "random")
BA2_CLASSES = ("house", "5-cycle")
BA2_FEATURE_VALUE = 0.1  # every one of the 10 node features (PyG's BA2MotifDataset has 10; the value is ours)


def _motif(kind: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(edge_index [2, E_m] of PyG's motif, node roles [n_m]); roles: house 1,1,2,2,3; cycles and grid 1."""
    if kind == "house":
        motif = HouseMotif().structure
        return motif.edge_index, motif.y + 1
    motif = {"cycle": CycleMotif(6), "5-cycle": CycleMotif(5), "grid": GridMotif()}[kind].structure
    return motif.edge_index, torch.ones(motif.num_nodes, dtype=torch.long)


def _attach(kind: str, rng: np.random.Generator, base_range: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """A BA base (networkx, ``m = 1``, size uniform in ``base_range``) and one motif joined by one edge between a
    random base node and a random motif node: ``(edge_index [2, E] sorted, both directions, role [N])``."""
    n_base = int(rng.integers(base_range[0], base_range[1] + 1))
    base = nx.barabasi_albert_graph(n_base, 1, seed=int(rng.integers(2**31)))
    base_edges = torch.tensor(list(base.edges()), dtype=torch.long).t()
    motif_edges, motif_roles = _motif(kind)
    n_motif = motif_roles.numel()
    anchor = torch.tensor([[int(rng.integers(n_base))], [n_base + int(rng.integers(n_motif))]])
    edge_index = torch.cat([to_undirected(base_edges), motif_edges + n_base, to_undirected(anchor)], dim=1)
    edge_index = to_undirected(edge_index, num_nodes=n_base + n_motif)  # sorted, both directions once
    return edge_index, torch.cat([torch.zeros(n_base, dtype=torch.long), motif_roles])


def _graph(label: int, rng: np.random.Generator, features: str, base_range: tuple[int, int]) -> Data:
    edge_index, role = _attach(BA3_CLASSES[label], rng, base_range)
    num_nodes = role.numel()
    if features == "leaky":  # the original features: they reveal motif membership and (roles 2, 3) the house
        x = 0.25 * torch.nn.functional.one_hot(role, 4).float()
        x = x + 0.75 * torch.from_numpy(rng.random((num_nodes, 4))).float()
    elif features == "random":
        x = torch.from_numpy(rng.random((num_nodes, 4))).float()
    else:
        x = torch.ones(num_nodes, 4)
    edge_gt = (role[edge_index[0]] > 0) & (role[edge_index[1]] > 0)
    return Data(x=x, edge_index=edge_index, y=torch.tensor([label]), role=role, edge_gt=edge_gt,
                num_nodes=num_nodes)


def make_ba3motif(num_graphs: int = 3000, *, features: str = "leaky", seed: int = 0,
                  base_range: tuple[int, int] = (12, 20)) -> list[Data]:
    """Generate BA-3motif graphs, shuffled.

    Each graph: a BA base (``m = 1``, size uniform in ``base_range``) plus one motif (house 5 nodes / 6
    edges, 6-cycle, 3×3 grid 9 nodes / 12 edges) attached by one edge between a random base node and a random
    motif node. Base size and ``m`` are not recoverable from the paper or repo ([proposal], docs/04_refine.md §4.7).

    Args:
        num_graphs: total count, a positive multiple of 3 (``num_graphs / 3`` graphs per class).
        features: ``"leaky"`` (the original ``0.25·one_hot(role, 4) + 0.75·U(0,1)^4``), ``"constant"``
            (all ones) or ``"random"`` (``U(0,1)^4``), the two leak-free variants.
        seed: seeds every random choice (numpy ``Generator``), so the output is bit-identical per seed.
        base_range: inclusive (min, max) base-graph size, min >= 2.
    Returns:
        A list of ``Data`` with ``x [N, 4]``, ``edge_index [2, E]`` (both directions), ``y [1]`` (0 house,
        1 cycle, 2 grid), ``role [N]`` (0 base), ``edge_gt [E]`` bool (both endpoints in the motif; the
        anchor edge is not ground truth).
    Raises:
        ValueError: for a bad ``num_graphs``, ``features`` or ``base_range``.
    """
    check_number(seed, "seed", low=0, integer=True)
    if num_graphs < 3 or num_graphs % 3:
        raise ValueError(f"num_graphs must be a positive multiple of 3, got {num_graphs}")
    if features not in BA3_FEATURES:
        raise ValueError(f"features must be one of {BA3_FEATURES}, got {features!r}")
    if not 2 <= base_range[0] <= base_range[1]:
        raise ValueError(f"base_range must satisfy 2 <= min <= max, got {base_range}")
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(3), num_graphs // 3)
    rng.shuffle(labels)
    return [_graph(int(label), rng, features, base_range) for label in labels]


def make_ba2motif(num_graphs: int = 1000, *, seed: int = 0) -> list[Data]:
    """Generate BA-2motif graphs (Luo et al., NeurIPS 2020, §5.1: PGExplainer's graph benchmark), shuffled.

    Each graph: a Barabási–Albert base of 20 nodes (networkx, ``m = 1``: a tree of 19 edges) plus PyG's
    ``HouseMotif`` (class 0) or ``CycleMotif(5)`` (class 1), joined by one edge between a random base node and a
    random motif node: 25 nodes, 26 (house) or 25 (cycle) undirected edges. PyG's ``BAGraph(20, 1)`` is not used:
    it drops self-loop draws and leaves 17.5 edges and 2.5 components on average (measured), where the original
    base graphs are connected (PyG's ``BA2MotifDataset`` reports 51.0 stored edges per graph: 19 + 1 + 5.5
    undirected). The anchor rule is ours (the authors' generator is not published); docs/datasets.md.

    Args:
        num_graphs: total count, a positive even number (half per class).
        seed: seeds every random choice (numpy ``Generator``), so the output is bit-identical per seed.
    Returns:
        A list of ``Data`` with ``x [25, 10]`` (all :data:`BA2_FEATURE_VALUE`), ``edge_index [2, E]`` (both
        directions, sorted), ``y [1]`` (0 house, 1 5-cycle), ``role [25]`` (0 base; house 1, 1, 2, 2, 3; cycle 1)
        and the ground truth ``node_mask [25]`` (bool, motif nodes) and ``edge_mask [E]`` (bool, both endpoints in
        the motif, both directions; the anchor edge is not ground truth).
    Raises:
        TypeError / ValueError: for a non-integer or out-of-range ``num_graphs`` or ``seed``, naming it.
    """
    check_number(seed, "seed", low=0, integer=True)
    check_number(num_graphs, "num_graphs", low=2, integer=True)
    if num_graphs % 2:
        raise ValueError(f"num_graphs={num_graphs} must be even (half the graphs per class)")
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(2), num_graphs // 2)
    rng.shuffle(labels)
    graphs = []
    for label in labels.tolist():
        edge_index, role = _attach(BA2_CLASSES[label], rng, (20, 20))
        node_mask = role > 0
        graphs.append(Data(x=torch.full((role.numel(), 10), BA2_FEATURE_VALUE), edge_index=edge_index,
                           y=torch.tensor([label]), role=role, node_mask=node_mask,
                           edge_mask=node_mask[edge_index[0]] & node_mask[edge_index[1]]))
    return graphs


def split_ba3motif(graphs: list, *, test_fraction: float = 400 / 3000, val_fraction: float = 400 / 3000):
    """The repo's split of an already shuffled list: test first, then validation, the rest training.

    Args:
        graphs: the output of :func:`make_ba3motif`.
        test_fraction, val_fraction: in (0, 1) with sum < 1 (defaults: 400 / 400 / 2,200 of 3,000).
    Returns:
        ``(train, val, test)`` lists.
    Raises:
        ValueError: if the fractions are out of range or a split would be empty.
    """
    if not (0 < test_fraction < 1 and 0 < val_fraction < 1 and test_fraction + val_fraction < 1):
        raise ValueError("test_fraction and val_fraction must be in (0, 1) with a sum below 1")
    n_test = math.ceil(test_fraction * len(graphs))
    n_val = math.ceil(val_fraction * len(graphs))
    if len(graphs) - n_test - n_val < 1:
        raise ValueError(f"{len(graphs)} graphs are too few to split")
    return graphs[n_test + n_val:], graphs[n_test:n_test + n_val], graphs[:n_test]
