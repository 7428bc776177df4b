"""The ground-truth datasets of the benchmark (docs/datasets.md, "Ground truths for the benchmark"): one call,
:func:`load_ground_truth`, gives every dataset with a known explanation in one form, seeded.

Every graph carries its ground truth in PyG's convention (``torch_geometric.explain.Explanation``): ``node_mask [N]``
and ``edge_mask [E]``, both bool, with each undirected edge stored in both directions and both directions marked
alike, except Infection, whose edge mask is PyG's directed one. :attr:`GroundTruthSet.truth` names the mask the
dataset defines (``"edge"`` or ``"node"``); the other one is derived from it as documented per dataset. The
generators and loaders are those of the notebooks (:mod:`~gnnexplain.data.benchmarks`,
:mod:`~gnnexplain.data.ba3motif`, :mod:`~gnnexplain.data.synthetic`, :mod:`~gnnexplain.data.molecules`) and PyG's
``InfectionDataset``; this module only puts their truths in one form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor
from torch_geometric.data import Batch, Data

from gnnexplain.data.ba3motif import make_ba2motif, make_ba3motif, split_ba3motif
from gnnexplain.data.benchmarks import BENCHMARKS, explained_nodes, make_benchmark, stratified_split
from gnnexplain.data.loaders import load_dataset
from gnnexplain.data.molecules import load_molecules, split_indices, substructure_matches
from gnnexplain.data.synthetic import brain_graphs, brain_networks
from gnnexplain.validation import check_graph, check_number

#: TU Mutagenicity's node labels 0..13 (the TU README; hydrogens are explicit nodes).
MUTAGENICITY_ATOMS = ("C", "O", "Cl", "H", "N", "F", "Br", "S", "P", "I", "Na", "K", "Li", "Ca")
#: TU Mutagenicity's graph label of the mutagens (2,401 graphs; 1 = nonmutagen, 1,936 graphs).
MUTAGEN = 0
#: Infection benchmark settings: PyG's documented example (``InfectionDataset`` docstring).
INFECTION = dict(num_nodes=500, edge_prob=0.004, num_infected_nodes=50, max_path_length=3)
#: Sparsification level of the brain networks (percent kept): notebook 01's seed-robustness level.
BRAIN_LEVEL = 70
#: Graph counts of the graph-level sets, full and quick (Mutagenicity and Tox21: molecules kept in quick mode).
SIZES = {"BA-2motif": (1000, 200), "BA-3motif": (3000, 600), "Brain-Networks": (250, 100),
         "Mutagenicity": (None, 1000), "Tox21-Pyridine": (None, 1000)}


@dataclass(frozen=True)
class GroundTruthSet:
    """One ground-truth dataset in the benchmark's form.

    Attributes:
        name: one of :data:`GROUND_TRUTHS`.
        task: ``"node"`` (node classification on one graph) or ``"graph"`` (graph classification).
        truth: ``"edge"`` or ``"node"``: which mask the dataset defines (the other is derived, docs/datasets.md).
        data: a PyG ``Data`` (node task) with ``x``, ``edge_index``, ``y [N]``, ``node_mask [N]``, ``edge_mask [E]``
            (bool) and ``train_mask``/``val_mask``/``test_mask [N]``; or a list of ``Data`` (graph task), each with
            ``x``, ``edge_index``, ``y [1]``, ``node_mask [N_g]`` and ``edge_mask [E_g]`` (bool).
        num_classes: number of classes of ``y``.
        candidates: LongTensor ``[C]``, ascending: the nodes (node task) or graphs (graph task) whose ground truth
            explains their label, among which the benchmark picks the instances it explains.
        train_index, val_index, test_index: LongTensors of node ids (node task) or graph positions (graph task);
            disjoint, together every node or graph.
        description: one line: construction and truth. source: paper and code the dataset follows.
        seed, quick: the arguments it was built with.
    """

    name: str
    task: str
    truth: str
    data: Data | list[Data]
    num_classes: int
    candidates: Tensor
    train_index: Tensor
    val_index: Tensor
    test_index: Tensor
    description: str
    source: str
    seed: int
    quick: bool = False

    @property
    def num_instances(self) -> int:
        """Nodes (node task) or graphs (graph task)."""
        return self.data.num_nodes if self.task == "node" else len(self.data)


def nodes_of_edges(edge_index: Tensor, edge_mask: Tensor, num_nodes: int) -> Tensor:
    """BoolTensor ``[num_nodes]``: True for every endpoint of an edge marked in ``edge_mask [E]`` (bool)."""
    node_mask = torch.zeros(num_nodes, dtype=torch.bool)
    node_mask[edge_index[:, edge_mask].reshape(-1)] = True
    return node_mask


def mutagenicity_ground_truth(data: Data) -> Tensor:
    """The NO₂ / NH₂ edge ground truth of Luo et al. 2020 (PGExplainer, §5.1) on TU Mutagenicity molecules.

    Rule (docs/datasets.md, "Mutagenicity: NO₂ and NH₂"): in a molecule labelled mutagenic (``y == MUTAGEN``), an
    NO₂ group is an N atom bonded to exactly two terminal O atoms (O with one bond), an NH₂ group an N atom bonded
    to exactly two H atoms; the ground truth is every directed edge between such an N and those O or H atoms.
    Nonmutagens get no ground truth. Works on one molecule or on a ``Batch`` of many at once (the rule is local).

    Args:
        data: TU-style ``Data`` or ``Batch``: ``x [N, 14]`` one-hot atom labels in :data:`MUTAGENICITY_ATOMS`
            order, ``edge_index [2, E]`` with both directions of every bond, ``y`` the graph label(s) ``[B]`` in
            {0, 1} and, for ``B > 1`` graphs, ``batch [N]``.
    Returns:
        BoolTensor ``[E]``, symmetric (an edge and its reverse agree).
    Raises:
        TypeError, ValueError, IndexError: for a malformed graph (:func:`gnnexplain.validation.check_graph`), ``x``
            that is not a one-hot ``[N, 14]``, a bond stored in one direction only, a missing ``y``, a label
            outside {0, 1}, or several labels without ``batch``; each message names the attribute.
    """
    from torch_geometric.utils import degree, is_undirected, scatter

    x, edge_index = data.x, data.edge_index
    check_graph(x, edge_index, name="data")
    num_nodes = x.size(0)
    if x.dim() != 2 or x.size(1) != len(MUTAGENICITY_ATOMS) or not bool(((x == 0) | (x == 1)).all()) \
            or not bool((x.sum(1) == 1).all()):
        raise ValueError(f"data.x must be the one-hot atom labels [N, {len(MUTAGENICITY_ATOMS)}] of TU "
                         f"Mutagenicity ({', '.join(MUTAGENICITY_ATOMS)}), got shape {list(x.shape)}")
    if not is_undirected(edge_index, num_nodes=num_nodes):
        raise ValueError("data.edge_index must hold both directions of every bond (as TU Mutagenicity does)")
    y = getattr(data, "y", None)
    if y is None:
        raise ValueError("data.y is missing; allowed: graph labels in {0 (mutagen), 1 (nonmutagen)}")
    y = y.view(-1)
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(f"data.y={y.tolist()[:5]} holds labels outside {{0 (mutagen), 1 (nonmutagen)}}")
    batch = getattr(data, "batch", None)
    if batch is None and y.numel() != 1:
        raise ValueError(f"data.y has {y.numel()} labels but data.batch is missing; allowed: one label, or a Batch")
    mutagen = (y == MUTAGEN)[batch] if batch is not None else (y == MUTAGEN).expand(num_nodes)

    atom = x.argmax(1)
    src, dst = edge_index
    oxygen = (atom == MUTAGENICITY_ATOMS.index("O")) & (degree(src, num_nodes) == 1)  # terminal O
    hydrogen = atom == MUTAGENICITY_ATOMS.index("H")
    nitrogen = mutagen & (atom == MUTAGENICITY_ATOMS.index("N"))
    no2 = nitrogen & (scatter(oxygen[dst].long(), src, dim_size=num_nodes, reduce="sum") == 2)
    nh2 = nitrogen & (scatter(hydrogen[dst].long(), src, dim_size=num_nodes, reduce="sum") == 2)
    return ((no2[src] & oxygen[dst]) | (no2[dst] & oxygen[src]) | (nh2[src] & hydrogen[dst])
            | (nh2[dst] & hydrogen[src]))


def _graph_split(num_graphs: int, seed: int) -> tuple[Tensor, Tensor, Tensor]:
    """Seeded random train / val / test graph positions, 80 / 10 / 10 (:func:`split_indices`)."""
    test, val, train = split_indices(num_graphs, [num_graphs // 10, num_graphs // 10], seed=seed)
    return train.sort().values, val.sort().values, test.sort().values


def _subset(num_graphs: int, size: int | None, seed: int) -> Tensor:
    """Positions kept: all, or a seeded random ``size`` of them, ascending (quick mode of the real datasets)."""
    if size is None or size >= num_graphs:
        return torch.arange(num_graphs)
    return split_indices(num_graphs, [size], seed=seed)[0].sort().values


def _with_truth(graph: Data, edge_mask: Tensor | None = None, node_mask: Tensor | None = None) -> Data:
    """``graph`` with both masks: the one given and the other derived (endpoints / edges inside the node set)."""
    src, dst = graph.edge_index
    if edge_mask is None:
        edge_mask = node_mask[src] & node_mask[dst]
    if node_mask is None:
        node_mask = nodes_of_edges(graph.edge_index, edge_mask, graph.num_nodes)
    graph.edge_mask, graph.node_mask = edge_mask.bool(), node_mask.bool()
    return graph


def _node_set(data: Data, candidates: Tensor, num_classes: int):
    splits = (data.train_mask, data.val_mask, data.test_mask)
    return data, num_classes, candidates, *(m.nonzero().view(-1) for m in splits)


def _benchmark(name: str) -> Callable:
    def build(seed: int, quick: bool):
        data = make_benchmark(name, seed)
        return _node_set(data, explained_nodes(data), int(data.y.max()) + 1)
    return build


def _infection(seed: int, quick: bool):
    from torch_geometric.datasets import InfectionDataset
    from torch_geometric.datasets.graph_generator import ERGraph

    with torch.random.fork_rng():  # PyG draws from torch's global generator; seed it, then restore it
        torch.manual_seed(seed)
        graph = InfectionDataset(ERGraph(INFECTION["num_nodes"], INFECTION["edge_prob"]),
                                 INFECTION["num_infected_nodes"], INFECTION["max_path_length"])[0]
    data = _with_truth(Data(x=graph.x, edge_index=graph.edge_index, y=graph.y, name="Infection"),
                       edge_mask=graph.edge_mask > 0)
    data.train_mask, data.val_mask, data.test_mask = stratified_split(data.y, seed)
    reached = (data.y >= 1) & (data.y <= INFECTION["max_path_length"])
    return _node_set(data, reached.nonzero().view(-1), INFECTION["max_path_length"] + 2)


def _graph_set(graphs: list[Data], candidates: Tensor, num_classes: int, split: tuple[Tensor, Tensor, Tensor]):
    return (graphs, num_classes, candidates, *split)


def _ba2motif(seed: int, quick: bool):
    graphs = make_ba2motif(SIZES["BA-2motif"][quick], seed=seed)
    return _graph_set(graphs, torch.arange(len(graphs)), 2, _graph_split(len(graphs), seed))


def _ba3motif(seed: int, quick: bool):
    graphs = [_with_truth(g, edge_mask=g.edge_gt, node_mask=g.role > 0)
              for g in make_ba3motif(SIZES["BA-3motif"][quick], features="leaky", seed=seed)]
    train, val, test = (torch.tensor(part) for part in split_ba3motif(list(range(len(graphs)))))
    return _graph_set(graphs, torch.arange(len(graphs)), 3, (train, val, test))


def _mutagenicity(seed: int, quick: bool):
    dataset = load_dataset("Mutagenicity")
    keep = _subset(len(dataset), SIZES["Mutagenicity"][quick], seed)
    graphs = [dataset[i] for i in keep.tolist()]
    edge_mask = mutagenicity_ground_truth(Batch.from_data_list(graphs))  # all molecules in one vectorised call
    graphs = [_with_truth(g, edge_mask=mask) for g, mask in
              zip(graphs, edge_mask.split([g.num_edges for g in graphs]))]
    for g, mol_id in zip(graphs, keep.tolist()):
        g.mol_id = mol_id
    candidates = torch.tensor([k for k, g in enumerate(graphs) if bool(g.edge_mask.any())], dtype=torch.long)
    return _graph_set(graphs, candidates, 2, _graph_split(len(graphs), seed))


def _brain(seed: int, quick: bool):
    networks = brain_networks(SIZES["Brain-Networks"][quick], seed=seed)
    truth = networks.ground_truth
    graphs = [_with_truth(g, edge_mask=truth[g.edge_index[0]] | truth[g.edge_index[1]], node_mask=truth.clone())
              for g in brain_graphs(networks, BRAIN_LEVEL)]
    return _graph_set(graphs, torch.arange(len(graphs)), 2, _graph_split(len(graphs), seed))


def _tox21(seed: int, quick: bool):
    molecules = load_molecules("Tox21")
    keep = _subset(len(molecules), SIZES["Tox21-Pyridine"][quick], seed)
    labels, atoms = substructure_matches([molecules.mols[i] for i in keep.tolist()])
    graphs = []
    for mol_id, label, matched in zip(keep.tolist(), labels, atoms):
        g = molecules.graphs[mol_id]
        node_mask = torch.zeros(g.num_nodes, dtype=torch.bool)
        node_mask[matched] = True
        graphs.append(_with_truth(Data(x=g.x, edge_index=g.edge_index, edge_type=g.edge_type, y=label.view(1),
                                       smiles=g.smiles, mol_id=mol_id), node_mask=node_mask))
    return _graph_set(graphs, labels.nonzero().view(-1), 2, _graph_split(len(graphs), seed))


@dataclass(frozen=True)
class _Spec:
    task: str
    truth: str
    build: Callable
    description: str
    source: str


_GNNEXPLAINER = "Ying et al., NeurIPS 2019, §4; data.make_benchmark (docs/05_gnnexplainer_xgnn.md §5.1)"
_SPECS: dict[str, _Spec] = {
    **{name: _Spec("node", "edge", _benchmark(name),
                   f"{name}: base graph with motifs attached; truth = the motifs' own edges "
                   "(candidates: one node per motif, the one the authors explain)", _GNNEXPLAINER)
       for name in BENCHMARKS},
    "Infection": _Spec("node", "edge", _infection,
                       "Erdős–Rényi graph (500 nodes, p = 0.004), 50 infected nodes; label = hops to the nearest "
                       "infected node (0..3, 4 = farther); truth = PyG's edges within 3 hops out of the infected",
                       "Faber et al., KDD 2021, §4; PyG InfectionDataset with ERGraph"),
    "BA-2motif": _Spec("graph", "edge", _ba2motif,
                       "BA tree of 20 nodes + a house (class 0) or a 5-cycle (class 1); truth = the motif's edges",
                       "Luo et al., NeurIPS 2020, §5.1; PyG HouseMotif / CycleMotif, data.make_ba2motif"),
    "BA-3motif": _Spec("graph", "edge", _ba3motif,
                       "BA tree of 12-20 nodes + a house, 6-cycle or 3x3 grid (classes 0, 1, 2), original leaky "
                       "features; truth = the motif's edges",
                       "Wang et al., NeurIPS 2021, §4.1; data.make_ba3motif (docs/04_refine.md §4.7)"),
    "Mutagenicity": _Spec("graph", "edge", _mutagenicity,
                          "TU Mutagenicity molecules (explicit H); truth = the N-O bonds of NO2 and N-H bonds of "
                          "NH2 groups in mutagens (candidates: mutagens with a group)",
                          "Luo et al., NeurIPS 2020, §5.1; data.mutagenicity_ground_truth"),
    "Brain-Networks": _Spec("graph", "node", _brain,
                            "complete weighted graphs of 85 nodes, sparsified to 70 %, State1 / State2; truth = "
                            "the 8 planted nodes (edges: those touching them)",
                            "Palcu et al. 2019, §4.1; data.brain_networks (docs/01_dgcnn_gradcam.md §1.5)"),
    "Tox21-Pyridine": _Spec("graph", "node", _tox21,
                            "Tox21 molecules as atom-id graphs, label = contains pyridine; truth = the pyridine "
                            "atoms (edges: bonds between them; candidates: molecules with pyridine)",
                            "Akita et al., ICONIP 2018, §4.1; data.substructure_matches (docs/03_bayesgrad.md "
                            "§3.4)"),
}
#: Names accepted by :func:`load_ground_truth`: node tasks first, then graph tasks.
GROUND_TRUTHS = tuple(_SPECS)


def load_ground_truth(name: str, seed: int = 0, quick: bool = False) -> GroundTruthSet:
    """Build or load one ground-truth dataset of the benchmark, seeded (docs/datasets.md, "Ground truths").

    ====================  =====  =====  ========================================================================
    name                  task   truth  size (full; quick)
    ====================  =====  =====  ========================================================================
    BA-Shapes             node   edge   700 nodes, 80 candidates (quick: the same)
    BA-Community          node   edge   1,400 nodes, 160 candidates
    Tree-Cycles           node   edge   871 nodes, 60 candidates
    Tree-Grid             node   edge   1,231 nodes, 80 candidates
    Infection             node   edge   500 nodes, the nodes 1-3 hops from an infected one
    BA-2motif             graph  edge   1,000 graphs of 25 nodes (quick: 200)
    BA-3motif             graph  edge   3,000 graphs (quick: 600)
    Mutagenicity          graph  edge   4,337 molecules (quick: a seeded 1,000), candidates: mutagens with a group
    Brain-Networks        graph  node   500 graphs of 85 nodes (quick: 200)
    Tox21-Pyridine        graph  node   7,823 molecules (quick: a seeded 1,000), candidates: with pyridine
    ====================  =====  =====  ========================================================================

    Args:
        name: one of :data:`GROUND_TRUTHS` (exact spelling).
        seed: integer >= 0; seeds the generator, the split and (quick mode) the subset of real molecules. The
            same seed gives bit-identical tensors.
        quick: a bool; True shrinks the graph-level sets as in the table (the node-level graphs keep their size).
    Returns:
        A :class:`GroundTruthSet`.
    Raises:
        ValueError: for an unknown ``name`` (the message lists :data:`GROUND_TRUTHS`) or a negative ``seed``.
        TypeError: for a non-integer ``seed`` or a non-bool ``quick``.
        DatasetUnavailableError: Mutagenicity or Tox21 without their raw files (see :func:`load_dataset`).
    """
    if not isinstance(name, str) or name not in _SPECS:
        raise ValueError(f"unknown ground truth name={name!r}; allowed: {', '.join(GROUND_TRUTHS)}")
    check_number(seed, "seed", low=0, integer=True)
    if not isinstance(quick, bool):
        raise TypeError(f"quick={quick!r} must be a bool (True or False)")
    spec = _SPECS[name]
    data, num_classes, candidates, train, val, test = spec.build(int(seed), quick)
    return GroundTruthSet(name, spec.task, spec.truth, data, num_classes, candidates, train, val, test,
                          spec.description, spec.source, int(seed), quick)
