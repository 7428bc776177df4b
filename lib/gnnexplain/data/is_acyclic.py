"""Is_Acyclic, the synthetic graph-classification set of XGNN (Yuan et al., KDD 2020, §4.1).

Graphs from networkx generators: cyclic (class 0) = 2-D grids, cycles, wheels, circular ladders; acyclic
(class 1) = stars, binary trees, paths, full r-ary trees (r = 3, 4). The family list follows the paper
[unverified: recalled, docs/05_gnnexplainer_xgnn.md §5.2]; the sizes are [proposal]: node counts uniform in
4..52, so the mean is about 28 nodes (the slides: 28.46 nodes, 30.04 edges). Node features: the node degree, one column.

In these families a graph has a leaf (a node of degree 1) exactly when it is acyclic, so a model may learn
"has a leaf" instead of "has no cycle". ``leafy_cycles=True`` [proposal, not in the paper] adds two cyclic
families with leaves, tadpoles (a cycle with a path attached) and lollipops (a small clique with a path
attached), which break that shortcut.
"""

from __future__ import annotations

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.utils import degree, from_networkx

from gnnexplain.validation import check_number


IS_ACYCLIC_CLASSES = ("cyclic", "acyclic")


def degree_features(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """Node degree as a float feature ``[N, 1]`` (the XGNN authors' Is_Acyclic input)."""
    return degree(edge_index[0], num_nodes).unsqueeze(-1)


def _family_graph(family: str, n: int, rng: np.random.Generator):
    import networkx as nx

    if family == "grid":
        rows = int(rng.integers(2, 7))
        return nx.grid_2d_graph(rows, max(2, round(n / rows)))
    if family == "cycle":
        return nx.cycle_graph(n)
    if family == "wheel":
        return nx.wheel_graph(n)
    if family == "ladder":
        return nx.circular_ladder_graph(max(3, n // 2))
    if family == "tadpole":  # a cycle of 3..n-1 nodes and a path of the rest
        cycle = int(rng.integers(3, n))
        return nx.tadpole_graph(cycle, n - cycle)
    if family == "lollipop":  # a clique of 3..5 nodes and a path of the rest
        clique = int(rng.integers(3, 6))
        return nx.lollipop_graph(clique, max(1, n - clique))
    if family == "star":
        return nx.star_graph(n - 1)
    if family == "binary_tree":
        return nx.full_rary_tree(2, n)
    if family == "path":
        return nx.path_graph(n)
    return nx.full_rary_tree(int(rng.integers(3, 5)), n)


FAMILIES = {"grid": 0, "cycle": 0, "wheel": 0, "ladder": 0, "star": 1, "binary_tree": 1, "path": 1, "rary_tree": 1}
LEAFY_CYCLE_FAMILIES = {"tadpole": 0, "lollipop": 0}


def make_is_acyclic(num_per_family: int = 67, seed: int = 0, *, leafy_cycles: bool = False) -> list[Data]:
    """Build Is_Acyclic: ``num_per_family`` graphs from each of the 8 families (536 graphs by default).

    Args:
        num_per_family: >= 1.
        seed: seeds the sizes (and grid shapes, tree arities, cycle and clique sizes).
        leafy_cycles: also draw ``num_per_family`` graphs from each of :data:`LEAFY_CYCLE_FAMILIES` (cyclic
            graphs with leaves, 670 graphs by default), so that a leaf no longer implies "acyclic".
    Returns:
        List of ``Data`` with ``x [n, 1]`` (degree), ``edge_index [2, E]`` (undirected), ``y [1]``
        (0 cyclic, 1 acyclic) and ``family``.
    Raises:
        ValueError: if ``num_per_family < 1``.
    """
    check_number(num_per_family, "num_per_family", low=1, integer=True)
    check_number(seed, "seed", low=0, integer=True)
    rng = np.random.default_rng(seed)
    graphs = []
    families = {**FAMILIES, **LEAFY_CYCLE_FAMILIES} if leafy_cycles else FAMILIES
    for family, label in families.items():
        for n in rng.integers(4, 53, num_per_family).tolist():
            g = from_networkx(_family_graph(family, n, rng))
            graphs.append(Data(x=degree_features(g.edge_index, g.num_nodes), edge_index=g.edge_index,
                               y=torch.tensor([label]), family=family, num_nodes=g.num_nodes))
    return graphs


def split_graphs(graphs, seed: int = 0, fractions: tuple[float, float] = (0.8, 0.1)) -> tuple[list, list, list]:
    """Shuffle a graph dataset (seeded) into train / val / test lists (default 80/10/10).

    Raises:
        ValueError: if the fractions are not positive with a sum below 1, or a part would be empty.
    """
    train, val = fractions
    if train <= 0 or val <= 0 or train + val >= 1:
        raise ValueError(f"fractions={fractions} must be positive and sum to less than 1")
    order = torch.randperm(len(graphs), generator=torch.Generator().manual_seed(seed)).tolist()
    a, b = int(train * len(graphs)), int((train + val) * len(graphs))
    parts = [order[:a], order[a:b], order[b:]]
    if any(not p for p in parts):
        raise ValueError(f"{len(graphs)} graphs are too few to split by {fractions}")
    return tuple([graphs[i] for i in p] for p in parts)
