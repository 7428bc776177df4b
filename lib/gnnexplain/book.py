"""Build a static website of the executed workbook: ``python -m gnnexplain.book [--out OUT] [--site SITE]``.

The site is built with Sphinx, MyST-NB and the Sphinx Book Theme from the executed notebooks of the last ``make
reproduce`` (``<out>/notebooks/``): no notebook is run again. Why not Jupyter Book 2 (MyST's Node.js tool): its
HTML build downloads its site theme from the web at build time, which fails offline, and this machine and CI reach
package registries only; Sphinx and its themes are pure-Python packages that build offline.

The landing page is the README's table of notebooks, with the run's mode (quick or full), seed and date; every
notebook page shows its tables (the papers' numbers next to ours), its interactive plotly figures (their HTML,
with the plotly.js that ``setup_notebook`` embeds once per notebook) and, in place of each explorer, a note that
it needs a live kernel (``make lab``). The site is written to ``<site>/`` (default ``<out>/book/``), its Sphinx
sources to ``<out>/book_src/``; open ``<site>/index.html`` or serve the folder (``python -m http.server -d
<site>``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path

from gnnexplain.paths import repo_root
from gnnexplain.validation import check_writable_dir

CONF = '''# Sphinx configuration of the workbook's site, written by gnnexplain.book; edit there, not here.
project = "GNN explainability workbook"
author = "the workbook's authors"
extensions = ["myst_nb"]
html_theme = "sphinx_book_theme"
html_title = project
html_theme_options = {"show_toc_level": 2, "home_page_in_toc": True}
nb_execution_mode = "off"  # the notebooks were executed by `make reproduce`
# explorers need a kernel: show their HTML note instead of an empty widget view
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["dollarmath"]
exclude_patterns = ["_build"]
html_copy_source = False  # an executed notebook's source holds plotly.js: once on its page is enough
html_show_sourcelink = False
suppress_warnings = ["mystnb.unknown_mime_type", "misc.highlighting_failure"]
'''
NOTEBOOK_TABLE = "## What each notebook shows"


def readme_table(readme: str, available: set[str]) -> str:
    """The README's table of notebooks (the section under ``NOTEBOOK_TABLE``), with the name of each notebook in
    ``available`` (stems) linked to its page.

    Raises:
        ValueError: if the README has no such section.
    """
    start = readme.find(NOTEBOOK_TABLE)
    if start < 0:
        raise ValueError(f"README.md has no section {NOTEBOOK_TABLE!r}")
    body = readme[start + len(NOTEBOOK_TABLE):]
    end = body.find("\n## ")
    section = body if end < 0 else body[:end]

    def link(match: re.Match) -> str:
        stem = match.group(1)
        return f"| [{stem}]({stem}.ipynb) |" if stem in available else match.group(0)

    return re.sub(r"^\| `(\d\d_\w+)` \|", link, section.strip(), flags=re.M)


def run_summary(out: Path, notebooks: list[Path]) -> str:
    """One line on the run behind the site: its mode and seed (from the results JSON) and when it ended."""
    modes, seeds = set(), set()
    for path in sorted((out / "results").glob("*.json")):
        results = json.loads(path.read_text())
        modes.add("quick" if results.get("quick") else "full")
        seeds.add(results.get("seed"))
    ended = max(json.loads(p.read_text()).get("metadata", {}).get("papermill", {}).get("end_time") or ""
                for p in notebooks)
    mode = " and ".join(sorted(modes)) or "unknown"
    seed = ", ".join(str(s) for s in sorted(seeds, key=str)) or "unknown"
    note = " (reduced settings: numbers differ from a full run)" if modes == {"quick"} else ""
    return f"Built from a **{mode}** run{note}, seed {seed}, that ended {ended[:19].replace('T', ' ') or 'unknown'} UTC."


def write_sources(out: Path, src: Path) -> None:
    """Write the Sphinx sources (conf.py, index.md, copies of the executed notebooks) into ``src``.

    Raises:
        FileNotFoundError: if ``<out>/notebooks/`` holds no executed notebook ``NN_*.ipynb``.
    """
    notebooks = sorted((out / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no executed notebooks in {out / 'notebooks'}: run `make reproduce QUICK=1` "
                                "(or `make reproduce`) first")
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    (src / "conf.py").write_text(CONF)
    for path in notebooks:
        shutil.copy2(path, src / path.name)
    root = repo_root()
    stems = [p.stem for p in notebooks]
    table = readme_table((root / "README.md").read_text(), set(stems)) if root else ""
    toctree = "\n".join(stems)
    (src / "index.md").write_text(f"""# GNN explainability workbook

Five papers on explaining graph neural networks, reproduced and explored in executed notebooks. Every number is
computed by the run; numbers from the papers stand next to ours and are labelled as the papers'.
{run_summary(out, notebooks)}

The figures are interactive (hover, zoom). The explorers, whose controls redraw figures, need a live Python
kernel: run `make lab` in a clone of the workbook and open the notebook in JupyterLab.

{table}

```{{toctree}}
:maxdepth: 1
:hidden:

{toctree}
```
""")


def build_book(out_dir: str | Path = "out", site_dir: str | Path | None = None) -> Path:
    """Build the site from ``<out_dir>/notebooks/`` into ``site_dir`` (default ``<out_dir>/book``).

    Returns:
        The site's ``index.html``.
    Raises:
        FileNotFoundError: if there are no executed notebooks (see :func:`write_sources`).
        NotADirectoryError: if ``out_dir`` or ``site_dir`` names a file (:func:`~gnnexplain.validation.check_writable_dir`).
        FileExistsError: if ``site_dir`` is a non-empty folder that is not a site built before (Sphinx's
            ``.buildinfo`` is missing): its files are never overwritten.
        RuntimeError: if Sphinx reports an error.
    """
    from sphinx.cmd.build import build_main

    out = Path(out_dir)
    site = Path(site_dir) if site_dir is not None else out / "book"
    if site.is_dir() and any(site.iterdir()) and not (site / ".buildinfo").is_file():
        raise FileExistsError(f"--site={str(site)!r} holds files that are not a site built here; allowed: an empty "
                              "or new folder, or a site built before")
    check_writable_dir(out, "--out")
    check_writable_dir(site, "--site")
    src = out / "book_src"
    write_sources(out, src)
    status = build_main(["-b", "html", "-q", "-d", str(src / "_build" / "doctrees"), str(src), str(site)])
    if status != 0:
        raise RuntimeError(f"Sphinx failed with status {status} building {site}")
    return site / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gnnexplain.book", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="the output folder of `make reproduce` (default: out)")
    parser.add_argument("--site", default=None, help="where to write the site (default: <out>/book)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        index = build_book(args.out, args.site)
    except (FileNotFoundError, ValueError, OSError) as exc:
        parser.error(str(exc))
    size = sum(p.stat().st_size for p in index.parent.rglob("*") if p.is_file())
    print(f"site built in {time.perf_counter() - start:.1f} s: {index} ({size / 1e6:.1f} MB); "
          f"serve it with: python -m http.server -d {index.parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
