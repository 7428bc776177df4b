"""Which plotly.js a figure's HTML loads: plotly's cartesian partial bundle when it is installed and draws every
trace of the figure (1.5 MB), else the full bundle that plotly.py ships (4.6 MB).

Every figure of the workbook is cartesian (scatter, bar, heatmap), and plotly.js is embedded once in every
executed notebook and once beside the figure files, so the partial bundle keeps a quick ``out/`` at about half its
size. Plotly publishes the bundle on the npm registry as ``plotly.js-cartesian-dist-min``, one release per
plotly.js release; :func:`main` (run by ``make install``) fetches the release that matches plotly.py's plotly.js with ``npm pack`` into ``<venv>/share/gnnexplain/``. Without npm, or for a figure
with other trace types, the full bundle is used: nothing breaks, the files are larger.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

CARTESIAN_PACKAGE = "plotly.js-cartesian-dist-min"
# the trace types of plotly.js's cartesian bundle (its index.js)
CARTESIAN_TRACES = frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
                              "image", "pie", "scatter", "scatterternary", "violin"})
FULL_NAME, CARTESIAN_NAME = "plotly.min.js", "plotly-cartesian.min.js"


def plotlyjs_version() -> str:
    """The version of the plotly.js that plotly.py ships, e.g. ``"4.1.1"``."""
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


def cartesian_path() -> Path:
    """Where the cartesian bundle of :func:`plotlyjs_version` is installed (inside the environment)."""
    return Path(sys.prefix) / "share" / "gnnexplain" / f"plotly-cartesian-{plotlyjs_version()}.min.js"


def needs_full(fig_dict: dict) -> bool:
    """Whether a figure (``fig.to_dict()``) has a trace that the cartesian bundle cannot draw."""
    return any(trace.get("type", "scatter") not in CARTESIAN_TRACES for trace in fig_dict.get("data", ()))


def plotlyjs_name(*, full: bool = False) -> str:
    """The file name of the plotly.js to load (:data:`CARTESIAN_NAME` when the cartesian bundle is installed and
    ``full`` is false, else :data:`FULL_NAME`), without reading it."""
    return CARTESIAN_NAME if not full and cartesian_path().is_file() else FULL_NAME


def plotlyjs(*, full: bool = False) -> tuple[str, str]:
    """``(file name, script)`` of the plotly.js to load (:func:`plotlyjs_name`)."""
    name = plotlyjs_name(full=full)
    if name == CARTESIAN_NAME:
        return name, cartesian_path().read_text()
    from plotly.offline import get_plotlyjs

    return name, get_plotlyjs()


def install_cartesian(npm: str | None = None) -> Path:
    """Fetch the cartesian bundle that matches plotly.py's plotly.js with ``npm pack`` and install it at
    :func:`cartesian_path`.

    Raises:
        FileNotFoundError: if npm is not found. RuntimeError: if npm fails or the bundle's version differs.
    """
    npm = npm or shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm not found")
    version, target = plotlyjs_version(), cartesian_path()
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([npm, "pack", f"{CARTESIAN_PACKAGE}@{version}", "--pack-destination", tmp],
                              capture_output=True, text=True, timeout=300)
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or len(tarballs) != 1:
            raise RuntimeError(f"npm pack {CARTESIAN_PACKAGE}@{version} failed: {done.stderr.strip()[-300:]}")
        with tarfile.open(tarballs[0]) as archive:
            script = archive.extractfile(f"package/{CARTESIAN_NAME}").read().decode()
    if not re.match(rf"/\*\*\s*\* plotly\.js [^\n]*v{re.escape(version)}\n", script):
        raise RuntimeError(f"{CARTESIAN_PACKAGE}@{version} holds another plotly.js: {script[:80]!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_target = target.with_suffix(".tmp")
    tmp_target.write_text(script)
    tmp_target.replace(target)
    return target


def main() -> int:
    """Install the cartesian bundle; without npm, or if npm fails, say so and keep the full bundle (exit 0)."""
    if cartesian_path().is_file():
        print(f"plotly.js cartesian bundle already installed: {cartesian_path()}")
        return 0
    try:
        path = install_cartesian()
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        print(f"plotly.js cartesian bundle not installed ({exc}); figures embed the full plotly.js (4.6 MB)")
        return 0
    print(f"plotly.js cartesian bundle installed: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
