"""Where the workbook keeps its cache and its outputs."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "GNNEXPLAIN_DATA_DIR"
MIRROR_ENV = "GNNEXPLAIN_DATA_MIRROR"

# lib/gnnexplain/paths.py -> repository root, when running from a checkout.
_REPO_ROOT = Path(__file__).resolve().parents[2]


def repo_root() -> Path | None:
    """The repository root when the package runs from a checkout, else ``None``."""
    return _REPO_ROOT if (_REPO_ROOT / "pyproject.toml").is_file() else None


def data_dir() -> Path:
    """The cache root for datasets and checkpoints.

    ``$GNNEXPLAIN_DATA_DIR`` if set, else ``<repo>/data`` in a checkout, else
    ``~/.cache/gnnexplain``. The folder is created if missing.
    """
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        root = Path(env).expanduser()
    elif repo_root() is not None:
        root = repo_root() / "data"
    else:
        root = Path.home() / ".cache" / "gnnexplain"
    root.mkdir(parents=True, exist_ok=True)
    return root
