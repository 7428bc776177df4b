"""RDKit 2D drawings of molecules with atoms and bonds coloured by a saliency map (SVG strings).

Unsigned maps go white → red after a per-molecule min-max scaling (the BayesGrad repo's
``smiles_visualizer.py``); signed maps go blue (negative) → white → red (positive), each sign scaled by its
own maximum magnitude (the repo's ESOL ``plot.py``; pass ``vmax`` to share the scale across molecules).
Bond colours follow the repo: 0 if either end is ≤ 0, 1 if either is ≥ 1, else the mean of its two atoms.
"""

from __future__ import annotations

import html
import itertools
import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from gnnexplain.validation import check_file_name

_gradient_ids = itertools.count()


def _colour(value: float, signed: bool) -> tuple[float, float, float]:
    """White → red for value in [0, 1]; with ``signed``, value in [-1, 1] and blue for negatives."""
    v = float(np.clip(abs(value), 0.0, 1.0))
    if signed and value < 0:
        return (1.0 - v, 1.0 - v, 1.0)
    return (1.0, 1.0 - v, 1.0 - v)


def _as_array(scores) -> np.ndarray:
    s = np.asarray(scores.detach().cpu() if hasattr(scores, "detach") else scores, dtype=float).reshape(-1)
    if np.isnan(s).any():
        raise ValueError("scores hold NaN")
    return s


def scale_bounds(scores, *, signed: bool = False, vmax=None) -> tuple[float, float]:
    """The bounds :func:`scale_scores` uses: ``(lo, hi)`` (unsigned) or ``(neg_max, pos_max)`` (signed).

    Raises:
        ValueError: if ``scores`` holds NaN or ``vmax`` is invalid (see :func:`scale_scores`).
    """
    s = _as_array(scores)
    if signed:
        if vmax is None:
            return max(-s.min(initial=0.0), 0.0), max(s.max(initial=0.0), 0.0)
        neg, pos = (vmax, vmax) if isinstance(vmax, (int, float)) else vmax
        if not (neg > 0 and pos > 0):
            raise ValueError(f"vmax must be positive, got {vmax!r}")
        return float(neg), float(pos)
    if vmax is None:
        return float(s.min(initial=0.0)), float(s.max(initial=0.0))
    lo, hi = vmax
    if not hi > lo:
        raise ValueError(f"vmax=(lo, hi) needs hi > lo, got {vmax!r}")
    return float(lo), float(hi)


def scale_scores(scores, *, signed: bool = False, vmax: float | tuple[float, float] | None = None) -> np.ndarray:
    """Scale a saliency map for colouring.

    Args:
        scores: ``[n]`` atom scores (tensor or array).
        signed: keep signs: positives divided by their max, negatives by their |min| (or by ``vmax``).
        vmax: unsigned: ``(lo, hi)`` fixed bounds instead of the molecule's min and max; signed: a float or
            ``(neg_max, pos_max)`` magnitudes, e.g. global extremes over a data set.
    Returns:
        ``[n]`` floats, in [0, 1] (unsigned) or [-1, 1] (signed) within the bounds; a constant map gives zeros.
    Raises:
        ValueError: if ``scores`` holds NaN or ``vmax`` is not positive / not increasing.
    """
    s = _as_array(scores)
    a, b = scale_bounds(s, signed=signed, vmax=vmax)
    if signed:
        return np.where(s > 0, s / (b or 1.0), s / (a or 1.0))
    return (s - a) / (b - a) if b > a else np.zeros_like(s)


def _colour_bar(width: int, y: int, signed: bool, labels: tuple[str, str, str]) -> str:
    gid = f"gnnexplain-grad-{next(_gradient_ids)}"
    stops = ([("0%", "#0000ff"), ("50%", "#ffffff"), ("100%", "#ff0000")] if signed
             else [("0%", "#ffffff"), ("100%", "#ff0000")])
    stop_xml = "".join(f'<stop offset="{o}" stop-color="{c}"/>' for o, c in stops)
    left, bar = 20, width - 40
    text = "".join(
        f'<text x="{x}" y="{y + 30}" font-size="11" font-family="sans-serif" text-anchor="{a}">{html.escape(t)}</text>'
        for x, a, t in ((left, "start", labels[0]), (left + bar // 2, "middle", labels[1]),
                        (left + bar, "end", labels[2])) if t)
    return (f'<defs><linearGradient id="{gid}">{stop_xml}</linearGradient></defs>'
            f'<rect x="{left}" y="{y}" width="{bar}" height="12" fill="url(#{gid})" stroke="#888"/>{text}')


def molecule_svg(mol, scores=None, *, signed: bool = False, vmax=None, legend: str | None = None,
                 size: tuple[int, int] = (360, 280), colour_bar: bool = True) -> str:
    """Draw ``mol`` with atoms and bonds coloured by ``scores`` (see the module docstring).

    Args:
        mol: an RDKit ``Mol`` whose atom i has score ``scores[i]``.
        scores: ``[n_atoms]`` saliency, or ``None`` for a plain drawing.
        signed: blue/red colouring of a signed map.
        vmax: see :func:`scale_scores`.
        legend: text under the molecule (its name, SMILES, method ...); default: the SMILES.
        size: ``(width, height)`` of the drawing in pixels.
        colour_bar: add a colour bar with the scale's end values.
    Returns:
        An SVG document as a string.
    Raises:
        ValueError: if ``scores`` has not one entry per atom or holds NaN.
    """
    from rdkit import Chem
    from rdkit.Chem.Draw import rdMolDraw2D

    width, height = size
    legend = legend if legend is not None else Chem.MolToSmiles(mol)
    drawer = rdMolDraw2D.MolDraw2DSVG(width, height)
    kwargs = {}
    if scores is not None:
        raw = _as_array(scores)
        if raw.size != mol.GetNumAtoms():
            raise ValueError(f"scores has {raw.size} entries, the molecule has {mol.GetNumAtoms()} atoms")
        v = scale_scores(raw, signed=signed, vmax=vmax)
        bonds, bond_colours = [], {}
        for bond in mol.GetBonds():
            a, b = v[bond.GetBeginAtomIdx()], v[bond.GetEndAtomIdx()]
            if signed:
                value = (a + b) / 2
            else:
                value = 0.0 if min(a, b) <= 0 else 1.0 if max(a, b) >= 1 else (a + b) / 2
            bonds.append(bond.GetIdx())
            bond_colours[bond.GetIdx()] = _colour(value, signed)
        kwargs = dict(highlightAtoms=list(range(v.size)),
                      highlightAtomColors={i: _colour(x, signed) for i, x in enumerate(v)},
                      highlightBonds=bonds, highlightBondColors=bond_colours)
    rdMolDraw2D.PrepareAndDrawMolecule(drawer, Chem.Mol(mol), legend=legend, **kwargs)
    drawer.FinishDrawing()
    body = re.sub(r"^<\?xml[^>]*>\s*", "", drawer.GetDrawingText())
    bar, total = "", height
    if scores is not None and colour_bar:
        a, b = scale_bounds(raw, signed=signed, vmax=vmax)
        labels = (f"{-a:.3g} (blue)", "0", f"{b:.3g} (red)") if signed else (f"{a:.3g}", "importance", f"{b:.3g}")
        bar, total = _colour_bar(width, height + 4, signed, labels), height + 44
    # RDKit draws the legend as glyph paths; the <title> keeps it as searchable, accessible text.
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" '
            f'viewBox="0 0 {width} {total}"><title>{html.escape(legend)}</title>{body}{bar}</svg>')


def svg_row(svgs: Sequence[str]) -> str:
    """HTML placing SVG drawings side by side (wrapping), for ``IPython.display.HTML`` or a widget."""
    cells = "".join(f'<div style="margin:4px">{s}</div>' for s in svgs)
    return f'<div style="display:flex;flex-wrap:wrap;align-items:flex-start">{cells}</div>'


def save_svg(svg: str, name: str, *, notebook: str, out_dir: str | os.PathLike) -> Path:
    """Write ``svg`` to ``<out_dir>/figures/<notebook>/<name>.svg`` and return the path.

    Raises:
        ValueError: if ``name`` or ``notebook`` is not a plain file name
            (:func:`gnnexplain.validation.check_file_name`).
    """
    check_file_name(name, "name")
    check_file_name(notebook, "notebook")
    path = Path(out_dir) / "figures" / notebook / f"{name}.svg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(svg)
    return path
