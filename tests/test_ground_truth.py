"""The benchmark's ground truths (gnnexplain.data.ground_truth): the Mutagenicity NO2/NH2 rule on hand-built
molecules and on the real files, every set's counts and invariants, determinism, and bad input."""

import pytest
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.utils import to_undirected

from gnnexplain.core.graph import symmetrize_edge_mask
from gnnexplain.data import (
    GROUND_TRUTHS,
    MUTAGENICITY_ATOMS,
    load_ground_truth,
    make_ba2motif,
    mutagenicity_ground_truth,
)

REAL = ("Mutagenicity", "Tox21-Pyridine")  # need the raw files
GENERATED = tuple(name for name in GROUND_TRUTHS if name not in REAL)


def tu_molecule(atoms: list[str], bonds: list[tuple[int, int]], y: int = 0) -> Data:
    """A TU Mutagenicity-style molecule: one-hot atom labels [N, 14], both directions of every bond, y [1]."""
    labels = torch.tensor([MUTAGENICITY_ATOMS.index(a) for a in atoms])
    x = torch.nn.functional.one_hot(labels, len(MUTAGENICITY_ATOMS)).float()
    edge_index = to_undirected(torch.tensor(bonds).t(), num_nodes=len(atoms))
    return Data(x=x, edge_index=edge_index, y=torch.tensor([y]))


def phenyl(group_atoms: list[str], group_bonds: list[tuple[int, int]], y: int = 0) -> Data:
    """Benzene ring C0..C5 with H on C1..C5 (nodes 6..10) and a substituent on C0 (nodes from 11 on)."""
    ring = [(i, (i + 1) % 6) for i in range(6)]
    hydrogens = [(i, 5 + i) for i in range(1, 6)]
    return tu_molecule(["C"] * 6 + ["H"] * 5 + group_atoms, ring + hydrogens + group_bonds, y)


NITROBENZENE = (["N", "O", "O"], [(0, 11), (11, 12), (11, 13)])
ANILINE = (["N", "H", "H"], [(0, 11), (11, 12), (11, 13)])
NITROSOBENZENE = (["N", "O"], [(0, 11), (11, 12)])  # one O on the N: neither group


def truth_pairs(data: Data, mask: torch.Tensor) -> set[tuple[int, int]]:
    return {tuple(sorted(e)) for e in data.edge_index[:, mask].t().tolist()}


@pytest.mark.parametrize("group, pairs", [(NITROBENZENE, {(11, 12), (11, 13)}), (ANILINE, {(11, 12), (11, 13)}),
                                          (NITROSOBENZENE, set())])
def test_mutagenicity_truth_on_hand_built_molecules(group, pairs):
    mutagen = phenyl(*group, y=0)
    mask = mutagenicity_ground_truth(mutagen)
    assert mask.dtype == torch.bool and mask.shape == (mutagen.num_edges,)
    assert truth_pairs(mutagen, mask) == pairs and int(mask.sum()) == 2 * len(pairs)  # both directions
    assert not mutagenicity_ground_truth(phenyl(*group, y=1)).any()  # nonmutagens have no truth


def test_mutagenicity_truth_of_a_nitrate_skips_the_bridging_oxygen():
    # methyl nitrate CH3-O-NO2: the N has three O, two of them terminal; the C-O-N oxygen is not in the group
    data = tu_molecule(["C", "H", "H", "H", "O", "N", "O", "O"],
                       [(0, 1), (0, 2), (0, 3), (0, 4), (4, 5), (5, 6), (5, 7)])
    assert truth_pairs(data, mutagenicity_ground_truth(data)) == {(5, 6), (5, 7)}


def test_mutagenicity_truth_of_a_batch_equals_the_molecules_one_by_one():
    molecules = [phenyl(*NITROBENZENE, y=0), phenyl(*ANILINE, y=1), phenyl(*ANILINE, y=0),
                 phenyl(*NITROSOBENZENE, y=0)]
    one_by_one = torch.cat([mutagenicity_ground_truth(m) for m in molecules])
    assert torch.equal(mutagenicity_ground_truth(Batch.from_data_list(molecules)), one_by_one)
    assert int(one_by_one.sum()) == 8


def test_mutagenicity_truth_on_the_real_files(real_mirror):
    gt = load_ground_truth("Mutagenicity")
    mutagens = [g for g in gt.data if int(g.y) == 0]
    atom = [g.x.argmax(1) for g in gt.data]
    partner = {"O": 0, "H": 0}  # molecules whose truth holds an N-O / an N-H bond
    for g, a in zip(gt.data, atom):
        ends = a[g.edge_index[:, g.edge_mask]]
        assert bool((ends == MUTAGENICITY_ATOMS.index("N")).any(0).all())  # every truth bond has its N
        for name in partner:
            partner[name] += bool((ends == MUTAGENICITY_ATOMS.index(name)).any())
    with_group = gt.candidates.numel()
    print(f"Mutagenicity: {len(mutagens)} mutagens, {partner['O']} with NO2, {partner['H']} with NH2, "
          f"{with_group} with either (PGExplainer's notebook selects 1,015)")
    assert (len(gt.data), len(mutagens)) == (4337, 2401)
    assert (partner["O"], partner["H"], with_group) == (597, 502, 1017)
    assert all(int(gt.data[k].y) == 0 and gt.data[k].edge_mask.any() for k in gt.candidates.tolist())
    assert not any(g.edge_mask.any() for g in gt.data if int(g.y) == 1)


def symmetric(edge_index, edge_mask, num_nodes) -> bool:
    return torch.equal(symmetrize_edge_mask(edge_index, edge_mask, num_nodes), edge_mask.float())


def check_invariants(gt):
    """Masks bool with the right shapes, a partition into train / val / test, candidates with a truth."""
    graphs = [gt.data] if gt.task == "node" else gt.data
    for g in graphs:
        assert g.node_mask.dtype == g.edge_mask.dtype == torch.bool
        assert g.node_mask.shape == (g.num_nodes,) and g.edge_mask.shape == (g.num_edges,)
        assert symmetric(g.edge_index, g.edge_mask, g.num_nodes) or gt.name == "Infection"
    parts = torch.cat([gt.train_index, gt.val_index, gt.test_index])
    assert torch.equal(parts.sort().values, torch.arange(gt.num_instances))
    assert torch.equal(gt.candidates, gt.candidates.sort().values) and gt.candidates.numel() > 0
    if gt.task == "node":
        assert bool(gt.data.node_mask[gt.candidates].all())
        assert torch.equal(gt.data.train_mask.nonzero().view(-1), gt.train_index)
    else:
        assert all(getattr(gt.data[k], f"{gt.truth}_mask").any() for k in gt.candidates.tolist())


# name: (nodes, undirected edges, undirected truth edges, truth nodes, candidates, classes), seed 0
NODE_COUNTS = {"BA-Shapes": (700, 2055, 480, 400, 80, 4), "BA-Community": (1400, 4460, 960, 800, 160, 8),
               "Tree-Cycles": (871, 967, 360, 360, 60, 2), "Tree-Grid": (1231, 1705, 960, 720, 80, 2)}


@pytest.mark.parametrize("name", list(NODE_COUNTS))
def test_gnnexplainer_benchmark_counts(name):
    gt = load_ground_truth(name, quick=True)
    d = gt.data
    assert (gt.task, gt.truth) == ("node", "edge")
    assert (d.num_nodes, d.num_edges // 2, int(d.edge_mask.sum()) // 2, int(d.node_mask.sum()),
            gt.candidates.numel(), gt.num_classes) == NODE_COUNTS[name]
    check_invariants(gt)


def test_infection_counts_and_pyg_truth():
    gt = load_ground_truth("Infection")
    d = gt.data
    assert (d.num_nodes, d.x.shape, gt.num_classes, int((d.y == 0).sum())) == (500, (500, 2), 5, 50)
    # PyG's truth: the directed edges leaving a node within max_path_length - 1 = 2 hops of an infected node
    assert torch.equal(d.edge_mask, d.y[d.edge_index[0]] <= 2)
    assert torch.equal(gt.candidates, ((d.y >= 1) & (d.y <= 3)).nonzero().view(-1))
    assert (d.num_edges, int(d.edge_mask.sum()), gt.candidates.numel()) == (1116, 740, 316)
    check_invariants(gt)


def test_infection_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    load_ground_truth("Infection", seed=4)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("quick, size", [(True, 200), (False, 1000)])
def test_ba2motif_counts(quick, size):
    gt = load_ground_truth("BA-2motif", quick=quick)
    assert len(gt.data) == size and (gt.task, gt.truth, gt.num_classes) == ("graph", "edge", 2)
    assert sum(int(g.y) for g in gt.data) == size // 2
    for g in gt.data:
        house = int(g.y) == 0
        assert g.num_nodes == 25 and g.x.shape == (25, 10) and bool((g.x == 0.1).all())
        assert g.num_edges == 2 * (26 if house else 25)  # 19 tree edges + 1 anchor + 6 (house) or 5 (cycle)
        assert int(g.edge_mask.sum()) == (12 if house else 10) and int(g.node_mask.sum()) == 5
    assert (gt.train_index.numel(), gt.val_index.numel(), gt.test_index.numel()) == (0.8 * size, size // 10,
                                                                                    size // 10)
    check_invariants(gt)


def test_ba3motif_counts():
    gt = load_ground_truth("BA-3motif", quick=True)
    assert len(gt.data) == 600 and gt.num_classes == 3
    truth_edges = {0: 12, 1: 12, 2: 24}  # house, 6-cycle, 3x3 grid, both directions
    truth_nodes = {0: 5, 1: 6, 2: 9}
    assert all(int(g.edge_mask.sum()) == truth_edges[int(g.y)] and int(g.node_mask.sum()) == truth_nodes[int(g.y)]
               and torch.equal(g.edge_mask, g.edge_gt) for g in gt.data)
    assert (gt.train_index.numel(), gt.val_index.numel(), gt.test_index.numel()) == (440, 80, 80)
    check_invariants(gt)


def test_brain_network_counts():
    gt = load_ground_truth("Brain-Networks", quick=True)
    assert len(gt.data) == 200 and (gt.task, gt.truth) == ("graph", "node")
    planted = gt.data[0].node_mask
    assert int(planted.sum()) == 8
    for g in gt.data:
        assert g.num_nodes == 85 and torch.equal(g.node_mask, planted)
        assert torch.equal(g.edge_mask, planted[g.edge_index[0]] | planted[g.edge_index[1]])
    check_invariants(gt)


def test_tox21_pyridine_counts(real_mirror):
    gt = load_ground_truth("Tox21-Pyridine")
    assert (len(gt.data), gt.candidates.numel()) == (7823, 473)  # docs/datasets.md, Tox21
    for g in gt.data:
        assert bool(g.node_mask.any()) == bool(g.y == 1)
        if bool(g.y == 1):  # a whole ring: at least 6 atoms and their 6 bonds in both directions
            assert int(g.node_mask.sum()) >= 6 and int(g.edge_mask.sum()) >= 12
    check_invariants(load_ground_truth("Tox21-Pyridine", quick=True))


def test_every_name_is_covered():
    covered = set(NODE_COUNTS) | {"Infection", "BA-2motif", "BA-3motif", "Brain-Networks", *REAL}
    assert covered == set(GROUND_TRUTHS)


def tensors(gt) -> list[torch.Tensor]:
    graphs = [gt.data] if gt.task == "node" else gt.data
    fields = [torch.cat([getattr(g, key).reshape(-1).float() for g in graphs])
              for key in ("x", "edge_index", "y", "node_mask", "edge_mask")]
    return fields + [gt.candidates, gt.train_index, gt.val_index, gt.test_index]


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_same_tensors_other_seed_different(name):
    first, again, other = (tensors(load_ground_truth(name, seed=s, quick=True)) for s in (3, 3, 4))
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not all(a.shape == b.shape and torch.equal(a, b) for a, b in zip(first, other))


@pytest.mark.parametrize("name", REAL)
def test_real_sets_are_seeded_too(real_mirror, name):
    first, again, other = (tensors(load_ground_truth(name, seed=s, quick=True)) for s in (3, 3, 4))
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not all(a.shape == b.shape and torch.equal(a, b) for a, b in zip(first, other))


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(name="BA-Shape"), ValueError, r"name='BA-Shape'; allowed: BA-Shapes, BA-Community, .*Tox21-Pyridine"),
    (dict(name=None), ValueError, "name=None"),
    (dict(name="BA-Shapes", seed=-1), ValueError, r"seed=-1 .*allowed"),
    (dict(name="BA-Shapes", seed=1.5), TypeError, "seed=1.5 must be an integer"),
    (dict(name="BA-Shapes", seed=True), TypeError, "seed=True"),
    (dict(name="BA-Shapes", quick="yes"), TypeError, "quick='yes' must be a bool"),
])
def test_bad_arguments_name_the_parameter(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_ground_truth(**kwargs)


def test_bad_molecules_name_the_attribute():
    good = phenyl(*NITROBENZENE)
    with pytest.raises(ValueError, match=r"data.x must be the one-hot atom labels \[N, 14\]"):
        mutagenicity_ground_truth(Data(x=good.x[:, :7], edge_index=good.edge_index, y=good.y))
    with pytest.raises(ValueError, match="both directions"):
        mutagenicity_ground_truth(Data(x=good.x, edge_index=good.edge_index[:, :5], y=good.y))
    with pytest.raises(ValueError, match="data.y is missing"):
        mutagenicity_ground_truth(Data(x=good.x, edge_index=good.edge_index))
    with pytest.raises(ValueError, match="outside"):
        mutagenicity_ground_truth(Data(x=good.x, edge_index=good.edge_index, y=torch.tensor([2])))
    with pytest.raises(ValueError, match="data.batch is missing"):
        mutagenicity_ground_truth(Data(x=good.x, edge_index=good.edge_index, y=torch.tensor([0, 1])))
    with pytest.raises(IndexError, match="edge_index"):
        mutagenicity_ground_truth(Data(x=good.x, edge_index=good.edge_index + 100, y=good.y))


@pytest.mark.parametrize("num_graphs, error, message", [(3, ValueError, "num_graphs=3 must be even"),
                                                        (0, ValueError, "num_graphs=0"),
                                                        (2.0, TypeError, "num_graphs=2.0")])
def test_ba2motif_bad_count(num_graphs, error, message):
    with pytest.raises(error, match=message):
        make_ba2motif(num_graphs)
