"""Execute the workbook's notebooks headless with papermill.

Usage: ``python -m gnnexplain.reproduce [--quick] [--only NAME ...] [--out DIR] [--seed N]``

Each ``notebooks/NN_*.ipynb`` runs with the parameters ``QUICK``, ``SEED`` and ``OUT_DIR`` injected; the
executed copy goes to ``<out>/notebooks/``, and the notebook writes its figures and results JSON under
``<out>``. The exit status is non-zero if any notebook fails; the failing notebook and cell are named.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gnnexplain.paths import repo_root
from gnnexplain.validation import check_writable_dir


class NotebookFailed(RuntimeError):
    """A notebook raised during execution; ``notebook``, ``cell`` (0-based index) and ``error`` say where."""

    def __init__(self, notebook: str, cell: int | None, error: str):
        self.notebook, self.cell, self.error = notebook, cell, error
        where = f"cell {cell}" if cell is not None else "start-up"
        super().__init__(f"notebook {notebook} failed at {where}: {error}")


@dataclass
class RunResult:
    notebook: str
    seconds: float
    output: Path


def notebook_dir() -> Path:
    """The ``notebooks/`` folder of the checkout.

    Raises:
        FileNotFoundError: when the package is not running from a checkout that has one.
    """
    root = repo_root()
    if root is None or not (root / "notebooks").is_dir():
        raise FileNotFoundError("notebooks/ not found: run the workbook from a clone of the repository")
    return root / "notebooks"


def find_notebooks(folder: Path, only: list[str] | None = None) -> list[Path]:
    """The numbered notebooks ``NN_*.ipynb`` of ``folder``, sorted, optionally filtered.

    Args:
        only: names to keep; each matches a notebook's stem (``00_overview``), its number (``00``) or
            the rest of its stem (``overview``).
    Raises:
        ValueError: if a name in ``only`` matches no notebook (the message lists the names).
    """
    paths = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if not only:
        return paths
    chosen = []
    for name in only:
        hits = [p for p in paths if name in (p.stem, p.stem[:2], p.stem[3:])]
        if not hits:
            raise ValueError(f"--only {name!r} matches no notebook; allowed: {', '.join(p.stem for p in paths)}")
        chosen += [p for p in hits if p not in chosen]
    return sorted(chosen)


def run_notebook(path: Path, out_dir: Path, *, quick: bool, seed: int = 0,
                 cell_timeout: int | None = None) -> RunResult:
    """Execute one notebook with papermill into ``<out_dir>/notebooks/<name>.ipynb``.

    The executed notebook keeps no widget state (:func:`drop_widget_state`): an explorer's figures are live only
    with a kernel, and their stored state made executed notebooks 5-11 MB; read without a kernel, an explorer
    shows a note instead (``gnnexplain.widgets``).

    Args:
        cell_timeout: seconds one cell may run; ``None`` means 600 in quick mode and 7200 in full mode.
            A cell that runs longer fails the notebook instead of blocking the run forever.
    Raises:
        NotebookFailed: naming the notebook, the failing cell's index and the error.
    """
    if cell_timeout is None:
        cell_timeout = 600 if quick else 7200
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out_dir = Path(out_dir).resolve()
    output = out_dir / "notebooks" / path.name
    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(path), str(output), parameters=dict(QUICK=quick, SEED=seed, OUT_DIR=str(out_dir)),
            cwd=str(path.parent), kernel_name="python3", progress_bar=False, log_output=False,
            execution_timeout=cell_timeout)
    except PapermillExecutionError as exc:
        raise NotebookFailed(path.stem, exc.cell_index, f"{exc.ename}: {exc.evalue}") from exc
    except Exception as exc:  # kernel death, missing kernel, malformed notebook
        raise NotebookFailed(path.stem, None, f"{type(exc).__name__}: {exc}") from exc
    drop_widget_state(output)
    return RunResult(path.stem, time.perf_counter() - start, output)


def drop_widget_state(path: Path) -> None:
    """Remove the widget state (``metadata.widgets``) that nbclient stores in an executed notebook.

    nbclient needs that state while it runs a notebook (it mimics the ``Output`` widgets of the explorers), but
    stored it would only repeat every explorer's last figure, which a reader without a kernel cannot change.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    if nb.metadata.pop("widgets", None) is not None:
        nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gnnexplain.reproduce", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced settings (minutes, for CI)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="notebooks to run: 00, overview or 00_overview")
    parser.add_argument("--out", default="out", help="output folder (default: out)")
    parser.add_argument("--seed", type=int, default=0, help="SEED injected into every notebook (default: 0)")
    parser.add_argument("--notebooks", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        paths = find_notebooks(args.notebooks or notebook_dir(), args.only)
        check_writable_dir(args.out, "--out")
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    if not paths:
        parser.error("no notebooks NN_*.ipynb found")
    mode = "quick" if args.quick else "full"
    failures = []
    total = time.perf_counter()
    for i, path in enumerate(paths, 1):
        print(f"[{i}/{len(paths)}] {path.stem} ({mode}) ...", flush=True)
        try:
            result = run_notebook(path, Path(args.out), quick=args.quick, seed=args.seed)
            print(f"[{i}/{len(paths)}] {path.stem} done in {result.seconds:.1f} s -> {result.output}", flush=True)
        except NotebookFailed as exc:
            print(f"[{i}/{len(paths)}] FAILED: {exc}", file=sys.stderr, flush=True)
            failures.append(exc)
    print(f"{len(paths) - len(failures)} of {len(paths)} notebooks ran in {time.perf_counter() - total:.1f} s; "
          f"outputs in {Path(args.out).resolve()}")
    for exc in failures:
        print(f"FAILED: {exc}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
