"""Write figures as HTML that works offline (one shared plotly.js per output folder), and as PNG when a static
exporter works."""

from __future__ import annotations

import os
from pathlib import Path

from gnnexplain.validation import check_file_name

_png_notice_shown = False
PLOTLYJS = "plotly.min.js"


def _write_plotlyjs(path: Path) -> None:
    """Write plotly's bundled plotly.js to ``path`` unless the same file is already there."""
    from plotly.offline import get_plotlyjs

    script = get_plotlyjs()
    if not path.exists() or path.stat().st_size != len(script.encode()):
        tmp = path.with_suffix(".tmp")
        tmp.write_text(script)
        tmp.replace(path)


def _write_png(fig, path: Path) -> bool:
    """Write a PNG with kaleido; on any failure print one notice per process and return False."""
    global _png_notice_shown
    try:
        import kaleido  # noqa: F401  (plotly needs it; importing first gives a clear reason)

        fig.write_image(path)
        return True
    except Exception as exc:  # missing kaleido, no Chrome/Chromium for kaleido, ...
        if not _png_notice_shown:
            print(f"PNG export skipped ({type(exc).__name__}: {str(exc).splitlines()[0][:120]}); "
                  "HTML figures are written. Install kaleido and Chrome for PNGs.")
            _png_notice_shown = True
        return False


def save_figure(fig, name: str, *, notebook: str, out_dir: str | os.PathLike) -> list[Path]:
    """Save a plotly figure as ``<out_dir>/figures/<notebook>/<name>.html`` (+ ``.png`` when possible).

    The HTML loads plotly.js from ``<out_dir>/figures/plotly.min.js``, written once for all figures (4.6 MB
    instead of one copy in every file), so the figures open offline as long as the folder stays together. PNG
    export needs kaleido with a Chrome/Chromium; without one the PNG is skipped with a one-line notice, never an
    error.

    Args:
        fig: a ``plotly.graph_objects.Figure``.
        name: file stem: letters, digits, ``-``, ``_`` and ``.``, not starting with ``.``.
        notebook: the notebook's stem, e.g. ``"00_overview"``.
        out_dir: the output root (``OUT_DIR`` of the notebook).
    Returns:
        The paths written.
    Raises:
        ValueError: if ``name`` or ``notebook`` is not a plain file name
            (:func:`gnnexplain.validation.check_file_name`).
    """
    check_file_name(name, "name")
    check_file_name(notebook, "notebook")
    folder = Path(out_dir) / "figures" / notebook
    folder.mkdir(parents=True, exist_ok=True)
    _write_plotlyjs(folder.parent / PLOTLYJS)
    html = folder / f"{name}.html"
    fig.write_html(html, include_plotlyjs=f"../{PLOTLYJS}", full_html=True)
    written = [html]
    png = folder / f"{name}.png"
    if _write_png(fig, png):
        written.append(png)
    return written
