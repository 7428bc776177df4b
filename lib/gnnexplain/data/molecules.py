"""Molecule datasets for BayesGrad (Akita et al. 2018): Tox21 and ESOL as atom-id graphs with RDKit twins.

Each molecule becomes a PyG ``Data`` with ``x [N]`` atomic numbers (ids for an ``nn.Embedding``),
``edge_index [2, E]`` and ``edge_type [E]`` (0 single, 1 double, 2 triple, 3 aromatic), the labels
``y [1, T]`` of MoleculeNet and its ``smiles``. The RDKit ``Mol`` of the same SMILES has the same atom
order as the rows of ``x`` (PyG's ``from_smiles`` builds the graph from exactly that molecule), so atom
indices found by RDKit (e.g. SMARTS matches) index the rows directly. RDKit is imported inside functions.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Sequence

import torch
from torch_geometric.data import Data

from gnnexplain.data.loaders import canonical_name, load_dataset

#: Bond types kept as edge types, in the order of the four GGNN adjacency channels (docs/03_bayesgrad.md §3.3).
BOND_TYPES = ("SINGLE", "DOUBLE", "TRIPLE", "AROMATIC")
#: Atom ids are atomic numbers 0..118 (PyG's ``x_map['atomic_num']``).
NUM_ATOM_IDS = 119
#: The BayesGrad synthetic task: "contains pyridine" (Akita et al. 2018, §4.1).
PYRIDINE_SMARTS = "c1ccncc1"


def _bond_type_map() -> dict[int, int]:
    from torch_geometric.utils.smiles import e_map

    return {e_map["bond_type"].index(name): i for i, name in enumerate(BOND_TYPES)}


def to_atom_graph(data: Data) -> Data:
    """Turn a PyG molecule (``from_smiles`` features) into an atom-id graph.

    Args:
        data: ``Data`` with ``x [N, 9]`` (column 0 = atomic number), ``edge_index [2, E]``,
            ``edge_attr [E, 3]`` (column 0 = PyG bond-type index), optional ``y`` and ``smiles``.
    Returns:
        ``Data(x [N] long, edge_index [2, E], edge_type [E] long in 0..3, y, smiles)``.
    Raises:
        ValueError: if a bond is none of single/double/triple/aromatic.
    """
    mapping = _bond_type_map()
    raw = data.edge_attr[:, 0].tolist() if data.edge_index.numel() else []
    unknown = sorted({b for b in raw if b not in mapping})
    if unknown:
        raise ValueError(f"molecule {getattr(data, 'smiles', '?')!r} has bond-type ids {unknown}; "
                         f"allowed: {BOND_TYPES}")
    edge_type = torch.tensor([mapping[b] for b in raw], dtype=torch.long)
    out = Data(x=data.x[:, 0].long(), edge_index=data.edge_index, edge_type=edge_type)
    if getattr(data, "y", None) is not None:
        out.y = data.y
    if getattr(data, "smiles", None) is not None:
        out.smiles = data.smiles
    return out


def mol_from_smiles(smiles: str):
    """RDKit ``Mol`` of ``smiles`` (sanitised, no explicit hydrogens).

    Raises:
        ValueError: if RDKit cannot parse ``smiles`` or it has no atom.
    """
    from rdkit import Chem, RDLogger

    RDLogger.DisableLog("rdApp.*")
    mol = Chem.MolFromSmiles(smiles) if isinstance(smiles, str) else None
    if mol is None or mol.GetNumAtoms() == 0:
        raise ValueError(f"invalid SMILES {smiles!r}: RDKit cannot parse it into a molecule with atoms")
    return mol


def graph_from_smiles(smiles: str) -> tuple[Data, object]:
    """Atom-id graph and RDKit ``Mol`` of one SMILES, with matching atom order.

    Returns:
        ``(graph, mol)`` as in :func:`to_atom_graph`; ``graph.y`` is absent.
    Raises:
        ValueError: for a SMILES RDKit cannot parse, or an unsupported bond type.
    """
    from torch_geometric.utils import from_smiles

    mol = mol_from_smiles(smiles)
    return to_atom_graph(from_smiles(smiles)), mol


@dataclass
class MoleculeSet:
    """A molecule dataset as atom-id graphs plus RDKit molecules in the same order.

    Attributes:
        name: ``"Tox21"`` or ``"ESOL"``.
        graphs: atom-id graphs (see :func:`to_atom_graph`), ``y [1, T]`` (NaN = missing label).
        mols: RDKit ``Mol`` per graph; atom i of ``mols[k]`` is row i of ``graphs[k].x``.
        task_names: the T label columns.
        num_rows: molecules in the raw CSV.
        num_unparsed: rows PyG skipped because RDKit could not parse them (``num_rows - len(graphs)``).
    """

    name: str
    graphs: list[Data]
    mols: list
    task_names: list[str]
    num_rows: int
    num_unparsed: int = field(init=False)

    def __post_init__(self):
        self.num_unparsed = self.num_rows - len(self.graphs)

    def __len__(self) -> int:
        return len(self.graphs)

    def task(self, name: str) -> torch.Tensor:
        """Labels of task ``name`` as a float tensor ``[n]`` (NaN where missing).

        Raises:
            ValueError: for a task not in :attr:`task_names`.
        """
        if name not in self.task_names:
            raise ValueError(f"unknown task={name!r}; allowed: {', '.join(self.task_names)}")
        col = self.task_names.index(name)
        return torch.stack([g.y.view(-1)[col] for g in self.graphs]).float()


def load_molecules(name: str) -> MoleculeSet:
    """Load Tox21 or ESOL through :func:`gnnexplain.data.load_dataset` (PyG ``MoleculeNet``).

    Args:
        name: ``"Tox21"`` or ``"ESOL"`` (case-insensitive).
    Returns:
        A :class:`MoleculeSet`; ``num_unparsed`` counts the CSV rows RDKit rejects (8 hypervalent
        ``[AlH3]`` molecules of Tox21 with RDKit 2026.09), which PyG drops with a warning.
    Raises:
        ValueError: for any other dataset name.
    """
    import warnings

    name = canonical_name(name)
    if name not in ("Tox21", "ESOL"):
        raise ValueError(f"name={name!r} is not a molecule dataset; allowed: Tox21, ESOL")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyG warns once per skipped molecule; we count them instead
        dataset = load_dataset(name)
    with open(dataset.raw_paths[0], newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        num_rows = sum(1 for _ in reader)
    if name == "Tox21":
        task_names = header[:12]
    else:
        task_names = ["measured log solubility in mols per litre"]
    graphs = [to_atom_graph(d) for d in dataset]
    mols = [mol_from_smiles(g.smiles) for g in graphs]
    return MoleculeSet(name, graphs, mols, task_names, num_rows)


def substructure_matches(mols: Sequence, smarts: str = PYRIDINE_SMARTS) -> tuple[torch.Tensor, list[list[int]]]:
    """Synthetic label "contains the substructure" and its ground-truth atoms (Akita et al. 2018, §4.1).

    Args:
        mols: RDKit molecules.
        smarts: the pattern (default pyridine ``c1ccncc1``).
    Returns:
        ``(y, atoms)``: ``y`` LongTensor ``[n]`` in {0, 1} (``HasSubstructMatch``) and, per molecule, the
        flattened list of ``GetSubstructMatches`` atom indices. As in the authors' code the list keeps
        duplicates when matches share atoms (recall in :mod:`gnnexplain.metrics.prauc` divides by its length).
    Raises:
        ValueError: for an invalid SMARTS.
    """
    from rdkit import Chem

    pattern = Chem.MolFromSmarts(smarts)
    if pattern is None:
        raise ValueError(f"invalid SMARTS smarts={smarts!r}")
    atoms = [[i for match in mol.GetSubstructMatches(pattern) for i in match] for mol in mols]
    return torch.tensor([int(len(a) > 0) for a in atoms], dtype=torch.long), atoms


def with_labels(graphs: Sequence[Data], labels: torch.Tensor) -> list[Data]:
    """Copies of ``graphs`` whose ``y`` is ``labels[k]`` as a float ``[1]``, dropping NaN labels.

    Each copy keeps a ``mol_id`` attribute: its position in ``graphs`` (not ``*index*``: PyG would offset it).

    Raises:
        ValueError: if ``labels`` does not have one entry per graph.
    """
    labels = torch.as_tensor(labels).float().view(-1)
    if labels.numel() != len(graphs):
        raise ValueError(f"labels has {labels.numel()} entries, expected one per graph ({len(graphs)})")
    out = []
    for k, (g, value) in enumerate(zip(graphs, labels)):
        if torch.isnan(value):
            continue
        copy = Data(x=g.x, edge_index=g.edge_index, edge_type=g.edge_type, y=value.view(1), mol_id=k)
        out.append(copy)
    return out


def split_indices(n: int, sizes: Sequence[int], seed: int = 0) -> list[torch.Tensor]:
    """A seeded random partition of ``range(n)``: the first parts of the given sizes, then the rest.

    Args:
        n: number of items.
        sizes: sizes of the leading parts (each >= 0, summing to at most n).
        seed: seed of the permutation.
    Returns:
        ``len(sizes) + 1`` LongTensors of indices.
    Raises:
        ValueError: if a size is negative or the sizes exceed ``n``.
    """
    if any(s < 0 for s in sizes) or sum(sizes) > n:
        raise ValueError(f"sizes={list(sizes)} must be >= 0 and sum to at most n={n}")
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    bounds = torch.tensor([0, *sizes]).cumsum(0).tolist()
    return [perm[a:b] for a, b in zip(bounds[:-1], bounds[1:])] + [perm[bounds[-1]:]]


def kfold_indices(n: int, k: int = 5, seed: int = 777) -> list[torch.Tensor]:
    """The BayesGrad ESOL folds: shuffle with ``numpy.random.RandomState(seed)``, cut into ``k`` folds of
    ``n // k`` items, the last fold taking the remainder (repo ``experiments/delaney/train.py``).

    Raises:
        ValueError: unless ``2 <= k <= n``.
    """
    import numpy as np

    if not 2 <= k <= n:
        raise ValueError(f"k={k} must lie in 2..n={n}")
    order = torch.from_numpy(np.random.RandomState(seed).permutation(n))
    size = n // k
    return [order[i * size:(i + 1) * size] if i < k - 1 else order[i * size:] for i in range(k)]


#: Atom environments for the ESOL table, first match wins (SMARTS on single atoms).
ATOM_ENVIRONMENTS = (
    ("hydroxyl O", "[OX2H]"),
    ("carbonyl O", "[OX1;$(O=[#6])]"),
    ("ether/ester O", "[OX2H0]"),
    ("amine N", "[NX3;!a;!$(N-[#6]=[O,S]);!$(N~[O,N])]"),
    ("aromatic N", "[n]"),
    ("aromatic C", "[c]"),
    ("aliphatic C", "[C]"),
    ("halogen", "[F,Cl,Br,I]"),
)


def atom_environments(mol) -> list[str]:
    """The chemical environment of each atom of ``mol`` by :data:`ATOM_ENVIRONMENTS` (else ``"other"``).

    Returns:
        One label per atom, in atom order.
    """
    from rdkit import Chem

    labels = ["other"] * mol.GetNumAtoms()
    for name, smarts in reversed(ATOM_ENVIRONMENTS):  # earlier entries overwrite later ones
        for (i,) in mol.GetSubstructMatches(Chem.MolFromSmarts(smarts)):
            labels[i] = name
    return labels


def molecule_from_text(text: str, graphs: Sequence[Data], mols: Sequence) -> tuple[Data, object, str]:
    """Resolve an explorer input: an integer picks ``graphs[i]``/``mols[i]``, anything else is a SMILES.

    Returns:
        ``(graph, mol, label)``; the label names the molecule (index or SMILES).
    Raises:
        IndexError: for an index outside ``0..len(graphs)-1``. ValueError: for an invalid SMILES.
    """
    from gnnexplain.validation import check_node_index

    text = str(text).strip()
    if text.lstrip("-").isdigit():
        i = check_node_index(int(text), len(graphs), name="molecule")
        return graphs[i], mols[i], f"#{i}: {getattr(graphs[i], 'smiles', '')}"
    graph, mol = graph_from_smiles(text)
    return graph, mol, text
