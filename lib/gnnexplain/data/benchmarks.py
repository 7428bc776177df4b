"""The four synthetic node-classification benchmarks of GNNExplainer (Ying et al., NeurIPS 2019, §5.1).

BA-Shapes, BA-Community, Tree-Cycles and Tree-Grid: a base graph (Barabási–Albert from networkx, or a
balanced binary tree from PyG's ``TreeGraph``) with motifs (house, 6-cycle, 3×3 grid, from PyG's motif generators)
attached at regular spacing, as in the authors' ``gengraph.py`` / ``synthetic_structsim.py``, then random
perturbation edges. PyG's ``ExplainerDataset`` is not used as is because it attaches motifs at random base
nodes and adds no perturbation edges; its generators are.

Every graph is undirected (both directions stored, coalesced) and carries ground truth:
``edge_mask [E]`` (bool, True for edges whose endpoints lie in the same motif and that the motif itself
defines; connecting and random edges are False), ``node_mask [N]`` (bool, node belongs to a motif) and
``motif_id [N]`` (long, motif number or -1 for base nodes).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.datasets.graph_generator import TreeGraph
from torch_geometric.datasets.motif_generator import CycleMotif, GridMotif, HouseMotif
from torch_geometric.utils import coalesce, to_undirected

from gnnexplain.validation import check_number


BENCHMARKS = ("BA-Shapes", "BA-Community", "Tree-Cycles", "Tree-Grid")
# place in its motif of the node the authors' evaluation explains (see explained_nodes)
EXPLAINED_POSITION = {"BA-Shapes": 0, "BA-Community": 0, "Tree-Cycles": 0, "Tree-Grid": 1}
NUM_FEATURES = 10  # the authors' train.py uses 10-dimensional node features throughout


def _motif(kind: str) -> tuple[Tensor, Tensor, int]:
    """Edges ``[2, e]`` (one direction each), role labels and size of a PyG motif."""
    motif = {"house": HouseMotif(), "cycle": CycleMotif(6), "grid": GridMotif()}[kind]()
    ei = motif.edge_index
    ei = ei[:, ei[0] < ei[1]]
    role = motif.y if motif.y is not None else torch.zeros(motif.num_nodes, dtype=torch.long)
    return ei, role, motif.num_nodes


def _base(kind: str, seed: int) -> tuple[Tensor, int]:
    """Undirected base-graph edges (one direction each) and node count.

    The BA graph comes from networkx (as in the authors' code): PyG's ``BAGraph`` drops duplicate
    draws and yields about 1,410 instead of 5·295 = 1,475 edges. The tree is PyG's ``TreeGraph``.
    """
    if kind == "ba":
        import networkx as nx

        graph = nx.barabasi_albert_graph(300, 5, seed=seed)
        return torch.tensor(list(graph.edges), dtype=torch.long).t(), 300
    graph = TreeGraph(depth=8, undirected=True)()
    ei = graph.edge_index
    return ei[:, ei[0] < ei[1]], graph.num_nodes


def _random_edges(existing: Tensor, num_nodes: int, count: int, rng: np.random.Generator,
                  left: tuple[int, int] | None = None, right: tuple[int, int] | None = None) -> Tensor:
    """``count`` new undirected edges ``[2, count]`` between uniformly drawn node pairs that are not yet
    joined (no self-loops); ``left``/``right`` restrict the endpoints to half-open node ranges."""
    present = set(map(tuple, existing.t().tolist()))
    present |= {(v, u) for u, v in present}
    lo_a, hi_a = left or (0, num_nodes)
    lo_b, hi_b = right or (0, num_nodes)
    new: list[tuple[int, int]] = []
    while len(new) < count:
        u, v = int(rng.integers(lo_a, hi_a)), int(rng.integers(lo_b, hi_b))
        if u != v and (u, v) not in present:
            present |= {(u, v), (v, u)}
            new.append((u, v))
    return torch.tensor(new, dtype=torch.long).view(-1, 2).t()


def _shapes_graph(base: str, motif: str, num_motifs: int, perturb: float, seed: int,
                  extra_link_prob: float = 0.0) -> Data:
    """Base graph + ``num_motifs`` motifs at regular spacing + ``int(perturb·E)`` random edges.

    Mirrors ``synthetic_structsim.build_graph`` (rdm_basis_plugins=False): motif k's first node is joined
    to base node ``k·⌊n_base/num_motifs⌋``; with probability ``extra_link_prob`` a second edge joins motif
    node ``a`` to base node ``plugin + b`` (a, b uniform in 1..3), as the authors do for cycles.
    """
    rng = np.random.default_rng(seed)
    base_ei, n_base = _base(base, seed)
    motif_ei, motif_role, size = _motif(motif)
    spacing = n_base // num_motifs
    starts = n_base + size * torch.arange(num_motifs)
    motif_edges = (motif_ei.unsqueeze(0) + starts.view(-1, 1, 1)).permute(1, 0, 2).reshape(2, -1)
    links = torch.stack([starts, spacing * torch.arange(num_motifs)])
    if extra_link_prob > 0:
        extra = torch.from_numpy(rng.random(num_motifs) < extra_link_prob)
        a = torch.from_numpy(rng.integers(1, 4, num_motifs))
        b = torch.from_numpy(rng.integers(1, 4, num_motifs))
        links = torch.cat([links, torch.stack([(starts + a)[extra], (links[1] + b)[extra]])], dim=1)
    num_nodes = n_base + size * num_motifs
    edges = torch.cat([base_ei, motif_edges, links], dim=1)
    noise = _random_edges(edges, num_nodes, int(perturb * edges.size(1)), rng)
    edges = torch.cat([base_ei, motif_edges, links, noise], dim=1)
    labels = torch.cat([torch.zeros(base_ei.size(1)), torch.ones(motif_edges.size(1)),
                        torch.zeros(links.size(1) + noise.size(1))])
    edge_index, edge_mask = to_undirected(edges, labels, num_nodes=num_nodes, reduce="max")
    motif_id = torch.cat([torch.full((n_base,), -1), torch.arange(num_motifs).repeat_interleave(size)])
    role = torch.cat([torch.zeros(n_base, dtype=torch.long), (motif_role + 1).repeat(num_motifs)])
    return Data(edge_index=edge_index, edge_mask=edge_mask.bool(), node_mask=motif_id >= 0,
                motif_id=motif_id, role=role, num_nodes=num_nodes)


def stratified_split(y: Tensor, seed: int, train: float = 0.8, val: float = 0.1) -> tuple[Tensor, Tensor, Tensor]:
    """Stratified boolean train/val/test masks ``[N]`` (80/10/10: the authors train on 80%).

    Args:
        y: labels ``[N]``. seed: seeds the permutation of each class (``numpy.random.default_rng(seed + 1)``).
        train, val: shares of each class, rounded per class; the rest of the class is test.
    Returns:
        ``(train_mask, val_mask, test_mask)``, disjoint BoolTensors ``[N]`` covering every node.
    """
    rng = np.random.default_rng(seed + 1)
    masks = [torch.zeros(y.numel(), dtype=torch.bool) for _ in range(3)]
    for c in y.unique().tolist():
        idx = torch.from_numpy(rng.permutation((y == c).nonzero().view(-1).numpy()))
        n_train, n_val = int(round(train * idx.numel())), int(round(val * idx.numel()))
        masks[0][idx[:n_train]] = True
        masks[1][idx[n_train:n_train + n_val]] = True
        masks[2][idx[n_train + n_val:]] = True
    return tuple(masks)


def _finish(data: Data, y: Tensor, x: Tensor, name: str, seed: int) -> Data:
    data.x, data.y, data.name = x, y, name
    data.train_mask, data.val_mask, data.test_mask = stratified_split(y, seed)
    return data


def make_benchmark(name: str, seed: int = 0) -> Data:
    """Build one of the GNNExplainer benchmarks (Ying et al. 2019, §4 and Table 1), seeded.

    ========================  ============================================================  =====  =======
    name                      construction                                                  nodes  classes
    ========================  ============================================================  =====  =======
    ``"BA-Shapes"``           BA(300, m=5) + 80 houses, + 1% random edges                   700    4
    ``"BA-Community"``        two BA-Shapes joined by 350 random edges; Gaussian features   1,400  8
    ``"Tree-Cycles"``         binary tree of height 8 + 60 six-cycles, + 1% random edges    871    2
    ``"Tree-Grid"``           the same tree + 80 3×3 grids, + 10% random edges              1,231  2
    ========================  ============================================================  =====  =======

    Features are ``ones [N, 10]`` except BA-Community, where dims 0–1 are drawn from N(∓1, 0.5) by
    community (variance 0.5, as in the authors' ``featgen.py``) and dims 2–9 from N(0, 1).
    BA-Shapes labels: 0 base, 1 house bottom, 2 house middle, 3 house top; BA-Community adds 4 for the
    second community; Tree-* labels: 1 for motif nodes.

    Args:
        name: one of :data:`BENCHMARKS`.
        seed: seeds the base graph, the extra links, the perturbation edges, features and the split.
    Returns:
        PyG ``Data`` with ``x [N, 10]``, ``edge_index [2, E]`` (undirected, coalesced), ``y [N]``,
        ground truth ``edge_mask [E]``, ``node_mask [N]`` (bool), ``motif_id [N]`` (-1 for base nodes),
        stratified 80/10/10 ``train_mask``, ``val_mask``, ``test_mask`` and ``name``.
    Raises:
        ValueError: for an unknown ``name``.
    """
    check_number(seed, "seed", low=0, integer=True)
    if name == "BA-Shapes":
        data = _shapes_graph("ba", "house", 80, 0.01, seed)
        return _finish(data, data.role, torch.ones(data.num_nodes, NUM_FEATURES), name, seed)
    if name == "BA-Community":
        return _ba_community(seed)
    if name in ("Tree-Cycles", "Tree-Grid"):
        cycles = name == "Tree-Cycles"
        data = _shapes_graph("tree", "cycle" if cycles else "grid", 60 if cycles else 80,
                             0.01 if cycles else 0.1, seed, extra_link_prob=0.5 if cycles else 0.0)
        return _finish(data, data.node_mask.long(), torch.ones(data.num_nodes, NUM_FEATURES), name, seed)
    raise ValueError(f"unknown benchmark name={name!r}; allowed: {', '.join(BENCHMARKS)}")


def _ba_community(seed: int) -> Data:
    """Two BA-Shapes graphs (seeds ``2·seed`` and ``2·seed+1``) joined by 350 random inter-community edges
    (the authors' ``gen_syn2``)."""
    parts = [_shapes_graph("ba", "house", 80, 0.01, 2 * seed + k) for k in range(2)]
    n = parts[0].num_nodes
    rng = np.random.default_rng(seed)
    bridges = _random_edges(torch.empty(2, 0, dtype=torch.long), 2 * n, 350, rng, (0, n), (n, 2 * n))
    edge_index = torch.cat([parts[0].edge_index, parts[1].edge_index + n, bridges, bridges.flip(0)], dim=1)
    edge_mask = torch.cat([parts[0].edge_mask, parts[1].edge_mask, torch.zeros(2 * bridges.size(1))])
    edge_index, edge_mask = coalesce(edge_index, edge_mask, num_nodes=2 * n)
    motif_id = torch.cat([parts[0].motif_id, torch.where(parts[1].motif_id >= 0, parts[1].motif_id + 80, -1)])
    community = torch.arange(2).repeat_interleave(n)
    y = torch.cat([parts[0].role, parts[1].role]) + 4 * community
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(2 * n, NUM_FEATURES, generator=g)
    x[:, :2] = x[:, :2] * 0.5 ** 0.5 + (2 * community - 1).view(-1, 1).float()
    data = Data(edge_index=edge_index, edge_mask=edge_mask.bool(), node_mask=motif_id >= 0,
                motif_id=motif_id, num_nodes=2 * n)
    return _finish(data, y, x, "BA-Community", seed)


def explained_nodes(data: Data, position: int | None = None) -> Tensor:
    """One node per motif, at the same place in every motif: by default the node the authors' evaluation explains.

    The authors' ``explain_nodes_gnn_stats`` scores each explained node with ``make_pred_real``
    (repo ``explainer/explain.py``), which labels the motif edges by offsets from the node's own index: the
    house and the cycle start *at* the explained node (BA-Shapes' ``range(400, 700, 5)``: the house node joined
    to the base graph), the 3×3 grid one node *before* it. So the default :data:`EXPLAINED_POSITION` is place 0
    in a house or a cycle (the node joined to the base graph) and place 1 in a grid (a side node of the first row).

    Args:
        data: a benchmark from :func:`make_benchmark` (motifs are runs of consecutive node ids in ``motif_id``).
        position: place of the explained node in its motif, ``0 <= position < motif size``; ``None`` takes
            :data:`EXPLAINED_POSITION` for ``data.name``.
    Returns:
        LongTensor ``[num_motifs]`` of node ids, ascending (one per motif, in motif order).
    Raises:
        ValueError: if ``position`` is None and ``data.name`` is not one of :data:`BENCHMARKS`, if ``data`` has
            no motif node, or if ``position`` lies outside a motif.
    """
    if position is None:
        name = getattr(data, "name", None)
        if name not in EXPLAINED_POSITION:
            raise ValueError(f"no default position for data.name={name!r}; pass position or use one of "
                             f"{', '.join(BENCHMARKS)}")
        position = EXPLAINED_POSITION[name]
    nodes = data.node_mask.nonzero().view(-1)
    if nodes.numel() == 0:
        raise ValueError("data has no motif nodes (node_mask is all False)")
    _, sizes = torch.unique_consecutive(data.motif_id[nodes], return_counts=True)
    if not 0 <= position < int(sizes.min()):
        raise ValueError(f"position={position} lies outside the motif; allowed: 0..{int(sizes.min()) - 1}")
    return nodes[sizes.cumsum(0) - sizes] + position
