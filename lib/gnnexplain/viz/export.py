"""Write figures as HTML that works offline (one shared plotly.js per output folder), and as PNG, SVG and PDF
files for papers and slides when kaleido finds a Chrome or Chromium.

Static export runs through one kaleido browser per process (``kaleido.start_sync_server``), started at the first
figure and closed at exit: a quarter of a second per file instead of about three seconds for a browser per call.
Kaleido looks for Chrome/Chromium on the ``PATH`` and in the usual places, or at ``BROWSER_PATH``; ``make
browser`` installs Debian's ``chromium`` where apt is available.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from gnnexplain.validation import check_file_name
from gnnexplain.viz.plotlyjs import needs_full, plotlyjs, plotlyjs_name

STATIC_FORMATS = ("png", "svg", "pdf")
NO_BROWSER_HINT = "install Chrome/Chromium (`make browser`, Debian's chromium) or set BROWSER_PATH"
_static = {"notice_shown": False, "server": False}
_written_plotlyjs: set[Path] = set()


def _write_plotlyjs(folder: Path, fig_dict: dict) -> str:
    """Write the plotly.js the figure needs (:func:`gnnexplain.viz.plotlyjs.plotlyjs`) into ``folder`` unless the
    same file is already there; return its name. Checked once per file and process (it is read only then)."""
    full = needs_full(fig_dict)
    path = folder / plotlyjs_name(full=full)
    if path in _written_plotlyjs and path.exists():
        return path.name
    name, script = plotlyjs(full=full)
    if not path.exists() or path.stat().st_size != len(script.encode()):
        tmp = path.with_suffix(".tmp")
        tmp.write_text(script)
        tmp.replace(path)
    _written_plotlyjs.add(path)
    return name


def _write_static(fig, stem: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write ``stem.<format>`` for each format with kaleido; on any failure print one notice per process and
    write nothing more."""
    if not formats or _static["notice_shown"]:
        return []
    written = []
    try:
        import kaleido

        if not _static["server"]:
            kaleido.start_sync_server(silence_warnings=True)
            _static["server"] = True
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            with warnings.catch_warnings():  # plotly passes kaleido options that a running server ignores
                warnings.filterwarnings("ignore", message="The kopts argument is ignored")
                fig.write_image(path)
            written.append(path)
    except Exception as exc:  # missing kaleido, no Chrome/Chromium, a browser that fails to start, ...
        print(f"{'/'.join(f.upper() for f in formats)} export skipped ({type(exc).__name__}: "
              f"{str(exc).splitlines()[0][:100] if str(exc) else 'no message'}); HTML figures are written. "
              f"For figure files, {NO_BROWSER_HINT}.")
        _static["notice_shown"] = True
    return written


def save_figure(fig, name: str, *, notebook: str, out_dir: str | os.PathLike,
                formats: tuple[str, ...] = STATIC_FORMATS) -> list[Path]:
    """Save a plotly figure as ``<out_dir>/figures/<notebook>/<name>.html`` and, when a browser is found, as
    ``<name>.png``, ``.svg`` and ``.pdf``.

    The HTML loads plotly.js from ``<out_dir>/figures/``, written once for all figures (the cartesian bundle,
    ``plotly-cartesian.min.js``, 1.5 MB, when installed and enough for the figure, else ``plotly.min.js``, 4.6 MB;
    :mod:`gnnexplain.viz.plotlyjs`), so the figures open offline as long as the folder stays together. The
    files use the figure's own size (its ``width``/``height``, else plotly's 700 × 500 px); PNGs at scale 1.
    Without kaleido or a Chrome/Chromium, the static files are skipped with a one-line notice per process, never
    an error.

    Args:
        fig: a ``plotly.graph_objects.Figure``.
        name: file stem: letters, digits, ``-``, ``_`` and ``.``, not starting with ``.``.
        notebook: the notebook's stem, e.g. ``"00_overview"``.
        out_dir: the output root (``OUT_DIR`` of the notebook).
        formats: the static formats to write, a subset of ``("png", "svg", "pdf")``; ``()`` writes HTML only.
    Returns:
        The paths written, the HTML first.
    Raises:
        ValueError: if ``name`` or ``notebook`` is not a plain file name
            (:func:`gnnexplain.validation.check_file_name`), or a format is not one of ``STATIC_FORMATS``.
    """
    check_file_name(name, "name")
    check_file_name(notebook, "notebook")
    bad = [fmt for fmt in formats if fmt not in STATIC_FORMATS]
    if bad or isinstance(formats, str):
        raise ValueError(f"formats={formats!r} has {bad or 'a string'}; allowed: a tuple, subset of {STATIC_FORMATS}")
    folder = Path(out_dir) / "figures" / notebook
    folder.mkdir(parents=True, exist_ok=True)
    script = _write_plotlyjs(folder.parent, fig.to_dict())
    html = folder / f"{name}.html"
    fig.write_html(html, include_plotlyjs=f"../{script}", full_html=True)
    return [html, *_write_static(fig, folder / name, tuple(formats))]
