"""Datasets: PyG loaders behind an offline raw-file mirror, molecules with RDKit twins, and the papers'
synthetic generators (brain networks, GNNExplainer benchmarks, BA-2motif, BA-3motif, Is_Acyclic), transforms, and
the benchmark's ground truths in one form (``load_ground_truth``)."""

from gnnexplain.data.ba3motif import (
    BA2_CLASSES,
    BA3_CLASSES,
    BA3_FEATURES,
    make_ba2motif,
    make_ba3motif,
    split_ba3motif,
)
from gnnexplain.data.benchmarks import (
    BENCHMARKS,
    EXPLAINED_POSITION,
    explained_nodes,
    make_benchmark,
    stratified_split,
)
from gnnexplain.data.ground_truth import (
    GROUND_TRUTHS,
    MUTAGENICITY_ATOMS,
    GroundTruthSet,
    load_ground_truth,
    mutagenicity_ground_truth,
    nodes_of_edges,
)
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
    "BA2_CLASSES",
    "BA3_CLASSES",
    "BA3_FEATURES",
    "BENCHMARKS",
    "BrainNetworks",
    "DATASETS",
    "DatasetUnavailableError",
    "EXPLAINED_POSITION",
    "GROUND_TRUTHS",
    "GroundTruthSet",
    "IS_ACYCLIC_CLASSES",
    "MUTAGENICITY_ATOMS",
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
    "load_ground_truth",
    "load_molecules",
    "make_ba2motif",
    "make_ba3motif",
    "make_benchmark",
    "make_is_acyclic",
    "mirror_dir",
    "mol_from_smiles",
    "molecule_from_text",
    "mutagenicity_ground_truth",
    "nodes_of_edges",
    "oracle_scores",
    "sparsify_mask",
    "split_ba3motif",
    "split_graphs",
    "split_indices",
    "stratified_split",
    "substructure_matches",
    "with_labels",
]
