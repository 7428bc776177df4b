"""Datasets: PyG loaders behind an offline raw-file mirror, plus the papers' synthetic generators."""

from gnnexplain.data.loaders import (
    DATASETS,
    DatasetUnavailableError,
    load_dataset,
    mirror_dir,
)

__all__ = ["DATASETS", "DatasetUnavailableError", "load_dataset", "mirror_dir"]
from gnnexplain.data.benchmarks import BENCHMARKS, explained_nodes, make_benchmark  # noqa: E402
from gnnexplain.data.is_acyclic import IS_ACYCLIC_CLASSES, degree_features, make_is_acyclic, split_graphs  # noqa: E402,E501
