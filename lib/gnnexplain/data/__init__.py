"""Datasets: PyG loaders behind an offline raw-file mirror, plus the papers' synthetic generators."""

from gnnexplain.data.loaders import (
    DATASETS,
    DatasetUnavailableError,
    load_dataset,
    mirror_dir,
)
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

__all__ = ["DATASETS", "DatasetUnavailableError", "load_dataset", "mirror_dir"]
__all__ += ["MoleculeSet", "atom_environments", "graph_from_smiles", "kfold_indices", "load_molecules",
            "mol_from_smiles", "molecule_from_text", "split_indices", "substructure_matches", "with_labels"]
from gnnexplain.data.synthetic import BrainNetworks, brain_graphs, brain_networks, ewd_features, oracle_scores
from gnnexplain.data.transforms import Sparsify, sparsify_mask
__all__ += ["BrainNetworks", "Sparsify", "brain_graphs", "brain_networks", "ewd_features", "oracle_scores",
            "sparsify_mask"]
