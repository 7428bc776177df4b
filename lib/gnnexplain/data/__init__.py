"""Datasets: PyG loaders behind an offline raw-file mirror, molecules with RDKit twins, and the papers'
synthetic generators (brain networks, GNNExplainer benchmarks, Is_Acyclic) and transforms."""

from gnnexplain.data.ba3motif import BA3_CLASSES, BA3_FEATURES, make_ba3motif, split_ba3motif
from gnnexplain.data.benchmarks import BENCHMARKS, EXPLAINED_POSITION, explained_nodes, make_benchmark
from gnnexplain.data.is_acyclic import IS_ACYCLIC_CLASSES, degree_features, make_is_acyclic, split_graphs
from gnnexplain.data.loaders import DATASETS, DatasetUnavailableError, load_dataset, mirror_dir
from gnnexplain.data.molecules import (
    MoleculeSet,
    atom_environments,
    graph_from_smiles,
    kfold_indices,
    load_molecules,
    mol_from_smiles,
    molecule_from_text,
    split_indices,
    substructure_matches,
    with_labels,
)
from gnnexplain.data.synthetic import BrainNetworks, brain_graphs, brain_networks, ewd_features, oracle_scores
from gnnexplain.data.transforms import Sparsify, sparsify_mask

__all__ = [
    "BA3_CLASSES",
    "BA3_FEATURES",
    "BENCHMARKS",
    "BrainNetworks",
    "DATASETS",
    "DatasetUnavailableError",
    "EXPLAINED_POSITION",
    "IS_ACYCLIC_CLASSES",
    "MoleculeSet",
    "Sparsify",
    "atom_environments",
    "brain_graphs",
    "brain_networks",
    "degree_features",
    "ewd_features",
    "explained_nodes",
    "graph_from_smiles",
    "kfold_indices",
    "load_dataset",
    "load_molecules",
    "make_ba3motif",
    "make_benchmark",
    "make_is_acyclic",
    "mirror_dir",
    "mol_from_smiles",
    "molecule_from_text",
    "oracle_scores",
    "sparsify_mask",
    "split_ba3motif",
    "split_graphs",
    "split_indices",
    "substructure_matches",
    "with_labels",
]
