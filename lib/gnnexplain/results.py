"""Write a notebook's headline numbers to ``OUT_DIR/results/<notebook>.json``, and compare two output folders
(``python -m gnnexplain.results FIRST SECOND``: every non-timing key must agree)."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path

from gnnexplain.validation import check_file_name


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
        ValueError: if ``notebook`` is not a plain file name (it would write outside ``results/``).
    """
    if not isinstance(results, dict):
        raise TypeError(f"results must be a dict, got {type(results).__name__}")
    check_file_name(notebook, "notebook")
    path = Path(out_dir) / "results" / f"{notebook}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plain(results), indent=2, sort_keys=True) + "\n")
    return path


# keys whose values depend on the machine or the cache, not on the computation (compare_results skips them)
VOLATILE_KEYS = re.compile(r"seconds|timing|wall_time|from_cache|speed-up|\(s[,)]")


def _renamed(value, rename: Mapping[str, str]):
    """``value`` with every dict key found in ``rename`` replaced, at any depth."""
    if isinstance(value, dict):
        return {rename.get(k, k): _renamed(v, rename) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, rename) for v in value]
    return value


def _differences(a, b, path: str, rel_tol: float) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            where = f"{path}/{key}"
            if VOLATILE_KEYS.search(str(key)):
                continue
            if key not in a or key not in b:
                out.append(f"{where}: only in {'the second' if key not in a else 'the first'}")
            else:
                out += _differences(a[key], b[key], where, rel_tol)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} vs {len(b)} entries"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{path}[{i}]", rel_tol)]
    if isinstance(a, float) and isinstance(b, (int, float)) or isinstance(b, float) and isinstance(a, (int, float)):
        return [] if math.isclose(a, b, rel_tol=rel_tol, abs_tol=rel_tol) else [f"{path}: {a!r} vs {b!r}"]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


def compare_results(first: str | os.PathLike, second: str | os.PathLike, *, rel_tol: float = 0.0,
                    rename: Mapping[str, str] | None = None) -> dict[str, list]:
    """Compare the results JSON of two output folders, key by key, skipping timings and cache flags.

    Args:
        first, second: ``out/`` folders (each with ``results/<notebook>.json``).
        rel_tol: relative (and absolute) tolerance for floats, >= 0; 0 asks for identical numbers.
        rename: keys renamed on purpose, ``{old key in first: new key in second}``, applied at any depth of
            ``first`` before comparing (e.g. ``{"Grad": "Saliency"}``).
    Returns:
        ``{notebook: [difference, ...]}`` for every notebook in either folder (an empty list: identical);
        a notebook present in one folder only is reported as such.
    Raises:
        FileNotFoundError: if a folder has no ``results/``. ValueError: for a negative ``rel_tol``.
    """
    if not rel_tol >= 0:
        raise ValueError(f"rel_tol={rel_tol!r} must be >= 0")
    folders = [Path(first) / "results", Path(second) / "results"]
    for folder in folders:
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} does not exist: pass an output folder of `make reproduce`")
    names = sorted({p.stem for f in folders for p in f.glob("*.json")})
    out = {}
    for name in names:
        paths = [f / f"{name}.json" for f in folders]
        if not all(p.exists() for p in paths):
            out[name] = [f"only in {paths[0].parent.parent if paths[0].exists() else paths[1].parent.parent}"]
        else:
            old, new = (json.loads(p.read_text()) for p in paths)
            out[name] = _differences(_renamed(old, rename or {}), new, "", rel_tol)
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m gnnexplain.results FIRST SECOND [--rel-tol T]``: print the differences; exit 1 if any."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m gnnexplain.results",
                                     description="Compare the results JSON of two output folders (timings skipped).")
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--rel-tol", type=float, default=0.0, help="tolerance for floats (default 0: identical)")
    parser.add_argument("--rename", nargs="+", default=[], metavar="OLD=NEW",
                        help="keys renamed on purpose between FIRST and SECOND")
    args = parser.parse_args(argv)
    pairs = [item.split("=", 1) for item in args.rename]
    if any(len(pair) != 2 or not all(pair) for pair in pairs):
        parser.error(f"--rename takes OLD=NEW pairs, got {args.rename}")
    try:
        report = compare_results(args.first, args.second, rel_tol=args.rel_tol, rename=dict(pairs))
    except (FileNotFoundError, ValueError) as exc:
        parser.error(str(exc))
    for name, differences in report.items():
        print(f"{name}: {'identical' if not differences else f'{len(differences)} difference(s)'}")
        for line in differences:
            print(f"  {line}")
    return 1 if any(report.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
