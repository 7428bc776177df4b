"""Write a notebook's headline numbers to ``OUT_DIR/results/<notebook>.json``."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path


def _plain(value):
    """Convert numpy/torch scalars and arrays, tuples and paths to JSON types; NaN/inf become None."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def save_results(results: dict, *, notebook: str, out_dir: str | os.PathLike) -> Path:
    """Write ``results`` as indented JSON to ``<out_dir>/results/<notebook>.json`` and return the path.

    Numpy and torch values are converted to plain numbers and lists; non-finite floats become ``null``.

    Raises:
        TypeError: if ``results`` is not a dict or holds a value JSON cannot represent.
    """
    if not isinstance(results, dict):
        raise TypeError(f"results must be a dict, got {type(results).__name__}")
    path = Path(out_dir) / "results" / f"{notebook}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plain(results), indent=2, sort_keys=True) + "\n")
    return path
