"""Load the workbook's real datasets through PyG's own dataset classes.

PyG downloads raw files into ``<root>/<folder>/raw`` when they are missing. When the environment
variable ``GNNEXPLAIN_DATA_MIRROR`` names a folder with the same layout (``<mirror>/<folder>/raw``),
its raw files are copied into the cache first, so PyG finds them and never downloads. The mirror
itself is only read, never written: PyG writes ``processed/`` next to ``raw/``.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from gnnexplain.paths import MIRROR_ENV, data_dir


class DatasetUnavailableError(RuntimeError):
    """A dataset's raw files are neither in the cache, nor in the mirror, nor downloadable."""


@dataclass(frozen=True)
class DatasetSpec:
    """How one dataset is found: the PyG class, the name it takes, its folder and raw files."""

    loader: str  # "planetoid" | "moleculenet" | "tudataset"
    pyg_name: str
    folder: str
    raw_files: tuple[str, ...]
    paper: str


def _planetoid(name: str, paper: str) -> DatasetSpec:
    parts = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")
    return DatasetSpec("planetoid", name, name, tuple(f"ind.{name.lower()}.{p}" for p in parts), paper)


def _tu(name: str, paper: str) -> DatasetSpec:
    parts = ("A", "graph_indicator", "graph_labels", "node_labels", "edge_labels")
    return DatasetSpec("tudataset", name, name, tuple(f"{name}_{p}.txt" for p in parts), paper)


DATASETS: dict[str, DatasetSpec] = {
    "Cora": _planetoid("Cora", "02 NAM, 00 overview"),
    "CiteSeer": _planetoid("CiteSeer", "02 NAM"),
    "PubMed": _planetoid("PubMed", "02 NAM"),
    "Tox21": DatasetSpec("moleculenet", "Tox21", "tox21", ("tox21.csv",), "03 BayesGrad"),
    "ESOL": DatasetSpec("moleculenet", "ESOL", "esol", ("delaney-processed.csv",), "03 BayesGrad"),
    "Mutagenicity": _tu("Mutagenicity", "04 ReFine"),
    "MUTAG": _tu("MUTAG", "05 XGNN"),
}


def canonical_name(name: str) -> str:
    """Map a case-insensitive dataset name to its canonical spelling.

    Raises:
        ValueError: if ``name`` is not one of :data:`DATASETS`.
    """
    lookup = {key.lower(): key for key in DATASETS}
    if not isinstance(name, str) or name.lower() not in lookup:
        raise ValueError(f"unknown dataset name={name!r}; allowed: {', '.join(DATASETS)}")
    return lookup[name.lower()]


def mirror_dir() -> Path | None:
    """The offline mirror named by ``$GNNEXPLAIN_DATA_MIRROR``, or ``None`` when unset.

    Raises:
        FileNotFoundError: if the variable is set to a path that is not a directory.
    """
    value = os.environ.get(MIRROR_ENV)
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(f"{MIRROR_ENV}={value!r} is not a directory; unset it or point it at a "
                                "folder of raw files in PyG's layout (<mirror>/<Dataset>/raw/...)")
    return path


def _missing(raw_dir: Path, spec: DatasetSpec) -> list[str]:
    return [f for f in spec.raw_files if not (raw_dir / f).is_file()]


def _copy_from_mirror(mirror: Path, spec: DatasetSpec, raw_dir: Path) -> None:
    """Copy the mirror's raw files that the cache lacks; never overwrite a cached file."""
    source = mirror / spec.folder / "raw"
    if not source.is_dir():
        return
    raw_dir.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        target = raw_dir / item.name
        if item.is_file() and not target.exists():
            shutil.copy2(item, target)


def _construct(spec: DatasetSpec, root: Path, **kwargs):
    from torch_geometric import datasets as pyg_datasets

    if spec.loader == "planetoid":
        return pyg_datasets.Planetoid(str(root), spec.pyg_name, **kwargs)
    if spec.loader == "moleculenet":
        return pyg_datasets.MoleculeNet(str(root), spec.pyg_name, **kwargs)
    return pyg_datasets.TUDataset(str(root), spec.pyg_name, **kwargs)


def load_dataset(name: str, root: str | os.PathLike | None = None, **kwargs):
    """Load a real dataset with PyG's own class, from the cache, the offline mirror, or the web.

    Args:
        name: one of ``Cora, CiteSeer, PubMed`` (``Planetoid``), ``Tox21, ESOL`` (``MoleculeNet``),
            ``Mutagenicity, MUTAG`` (``TUDataset``); case-insensitive.
        root: cache root; defaults to :func:`gnnexplain.paths.data_dir` (``data/`` in a checkout).
        **kwargs: passed to the PyG dataset class (``transform``, ``pre_transform``, ...).
    Returns:
        The PyG ``InMemoryDataset``.
    Raises:
        ValueError: for an unknown ``name``.
        FileNotFoundError: if ``$GNNEXPLAIN_DATA_MIRROR`` is set to a path that does not exist.
        DatasetUnavailableError: if raw files are missing from cache and mirror and PyG's download
            fails; the message names the dataset, the raw files expected and the variable.
    """
    from filelock import FileLock

    spec = DATASETS[canonical_name(name)]
    root = Path(root) if root is not None else data_dir()
    raw_dir = root / spec.folder / "raw"
    # Parallel workers (pytest-xdist, notebooks) share the cache: one processes, the others wait.
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / f".{spec.folder}.lock")):
        return _load_locked(spec, root, raw_dir, **kwargs)


def _load_locked(spec: DatasetSpec, root: Path, raw_dir: Path, **kwargs):
    mirror = mirror_dir()
    if mirror is not None and _missing(raw_dir, spec):
        _copy_from_mirror(mirror, spec, raw_dir)
    missing = _missing(raw_dir, spec)
    try:
        return _construct(spec, root, **kwargs)
    except Exception as exc:  # PyG's download raises URLError, aiohttp or OSError errors alike
        if not missing:
            raise
        where = f"the mirror {mirror / spec.folder / 'raw'}" if mirror else f"${MIRROR_ENV} (unset)"
        raise DatasetUnavailableError(
            f"dataset {spec.pyg_name!r} is unavailable: raw files {missing} are missing from the cache "
            f"{raw_dir} and from {where}, and PyG's download failed ({type(exc).__name__}: {exc}). "
            f"Expected raw files: {list(spec.raw_files)}. Go online, or set {MIRROR_ENV} to a folder "
            f"holding {spec.folder}/raw/ with those files."
        ) from exc
