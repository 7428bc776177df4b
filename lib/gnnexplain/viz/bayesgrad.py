"""Notebook 03's figures (Akita et al., ICONIP 2018): precision/recall curves of the pyridine study, RDKit drawings
of saliency maps and their per-atom std, the ESOL signed maps on one scale, and the explorer.

Colours follow :mod:`gnnexplain.viz.molecules` (docs/03_bayesgrad.md §3.4(b)-(c)).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import torch

from gnnexplain.data import molecule_from_text
from gnnexplain.experiments.bayesgrad import explain_molecules, saliency_explainer
from gnnexplain.explain.bayesgrad import METHODS, REDUCTIONS
from gnnexplain.metrics.sanity import FAILS_NOTE
from gnnexplain.viz.molecules import molecule_svg, save_svg
from gnnexplain.widgets import explorer


def sanity_note(entry: Mapping | None) -> str:
    """``" — fails the model-randomisation check"`` for a sanity entry that does not pass, else ``""`` (also for
    ``None``: no check run)."""
    return f" — {FAILS_NOTE}" if entry is not None and not entry["passes"] else ""


def pr_curves_figure(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], prauc: Mapping[str, float], *,
                     num_models: int):
    """Atom-level precision against recall, one line per method (the pyridine study, Table 1).

    Args:
        curves: method -> ``(recall [R], precision [R])``, e.g. :meth:`SmallDataStudy.mean_curves`.
        prauc: method -> its mean PR-AUC, shown in the legend. num_models: models averaged, for the title.
    Returns:
        A plotly ``Figure``.
    Raises:
        KeyError: if a method of ``curves`` has no PR-AUC.
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    for name, (recall, precision) in curves.items():
        fig.add_scatter(x=list(recall), y=list(precision), mode="lines+markers",
                        name=f"{name} (PR-AUC {prauc[name]:.3f})")
    fig.update_layout(title=f"Atom-level precision/recall on held-out pyridine molecules (mean of {num_models} "
                            "models)", xaxis_title="recall", yaxis_title="precision", template="plotly_white",
                      height=450)
    return fig


def map_svgs(model: torch.nn.Module, graph, mol, *, method: str, mode: str = "binary_classification",
             legend: str = "", seed: int = 0, signed: bool = False, note: str = "", **options) -> dict[str, str]:
    """Explain one molecule and draw its map and its per-atom std over the M samples.

    Args:
        model, method, mode, signed, **options: as :func:`gnnexplain.experiments.bayesgrad.saliency_explainer`.
        graph: the atom-id graph of ``mol`` (atom i = row i). legend: the molecule's name under the map.
        note: appended to both legends, untruncated (e.g. :func:`sanity_note`).
    Returns:
        ``{"mean": svg, "std": svg}`` (white → red; the mean blue/white/red when ``signed``).
    Raises:
        ValueError, TypeError: as :func:`saliency_explainer`.
    """
    explainer = saliency_explainer(model, method, mode=mode, signed=signed, **options)
    (mean,), (std,) = explain_molecules(explainer, [graph], seed=seed)
    return {"mean": molecule_svg(mol, mean, signed=signed, legend=f"{method} mean: {legend}"[:80] + note),
            "std": molecule_svg(mol, std, legend=f"{method}: std over {explainer.algorithm.num_samples} samples"
                                                 f"{note}")}


def method_svgs(model: torch.nn.Module, graph, mol, methods: Mapping[str, dict], *, legend: str = "",
                seed: int = 0, std_of: str = "BayesGrad", sanity: Mapping[str, dict] | None = None) -> dict[str, str]:
    """The map of each method of ``methods`` (name -> options of ``saliency_explainer``), then the std of
    ``std_of`` under the key ``f"{std_of}_std"``.

    Args:
        sanity: name -> sanity entry of ``model`` (:func:`gnnexplain.experiments.bayesgrad.sanity_table`); the
            legends of a method that does not pass say :data:`FAILS_NOTE`. None: no verdict shown.
    Raises:
        KeyError: if ``std_of`` is not a method of ``methods``, or ``sanity`` lacks one.
    """
    drawn = {name: map_svgs(model, graph, mol, legend=legend, seed=seed,
                            note=sanity_note(None if sanity is None else sanity[name]), **options)
             for name, options in methods.items()}
    return {**{name: svgs["mean"] for name, svgs in drawn.items()}, f"{std_of}_std": drawn[std_of]["std"]}


def study_svgs(maps: Mapping, mols, legends: Mapping, *, signed: bool = False,
               shared_scale: bool = False, sanity: Mapping | None = None) -> dict:
    """Draw the precomputed maps (key -> ``[n]``) of the molecules named in ``legends`` (key -> legend).

    Args:
        maps: key (a name or molecule id) -> map. mols: RDKit molecules by the same keys (a mapping or a list).
        signed: blue/white/red colouring of signed maps.
        shared_scale: colour on one scale, the global extremes over ALL of ``maps`` (the repo's ESOL ``plot.py``),
            instead of each molecule's own.
        sanity: the sanity entry of the method behind ``maps``; if it does not pass, every legend says
            :data:`FAILS_NOTE`. None: no verdict shown.
    Returns:
        key -> SVG, in the order of ``legends``.
    Raises:
        KeyError: for a legend without a map or molecule. ValueError: as :func:`molecule_svg`.
    """
    vmax = None
    if shared_scale:
        values = torch.cat([torch.as_tensor(m).view(-1) for m in maps.values()])
        vmax = (float(-values.min()), float(values.max()))
    return {key: molecule_svg(mols[key], maps[key], signed=signed, vmax=vmax, legend=legend + sanity_note(sanity))
            for key, legend in legends.items()}


def save_svgs(svgs: Mapping[str, str], *, prefix: str, notebook: str, out_dir: str | os.PathLike) -> list[Path]:
    """Save each drawing as ``<prefix><name>.svg`` (spaces -> ``_``, other characters than letters, digits and
    ``_`` dropped) with :func:`gnnexplain.viz.save_svg`; returns the paths."""
    return [save_svg(svg, prefix + re.sub(r"[^A-Za-z0-9_]", "", str(name).replace(" ", "_")), notebook=notebook,
                     out_dir=out_dir) for name, svg in svgs.items()]


def saliency_explorer(models: Mapping[str, tuple[torch.nn.Module, str]], graphs: Sequence, mols: Sequence, *,
                      molecule: str = "0", seed: int = 0):
    """Explorer of one molecule's map (left) and its per-atom std over the M samples (right).

    Controls: the molecule (an index into ``graphs``/``mols`` or any SMILES), the model (a key of ``models``:
    name -> ``(model, mode)``), the method, M, σ, the reduction and signed gradient × input.

    Returns:
        The :func:`gnnexplain.widgets.explorer` widget.
    """
    import ipywidgets as widgets

    def draw(molecule, model, method, samples, sigma, reduction, signed):
        graph, mol, label = molecule_from_text(molecule, graphs, mols)
        net, mode = models[model]
        return list(map_svgs(net, graph, mol, method=method, mode=mode, legend=label, seed=seed, signed=signed,
                             num_samples=samples, sigma=sigma, reduction=reduction).values())

    return explorer(draw,
                    molecule=widgets.Text(value=molecule, description="index/SMILES"),
                    model=widgets.Dropdown(options=list(models), description="model"),
                    method=widgets.Dropdown(options=METHODS, value="BayesGrad", description="method"),
                    samples=widgets.IntSlider(value=40, min=1, max=200, description="M"),
                    sigma=widgets.FloatSlider(value=0.15, min=0.0, max=0.5, step=0.05, description="σ"),
                    reduction=widgets.Dropdown(options=REDUCTIONS, description="reduction"),
                    signed=widgets.Checkbox(value=False, description="signed (grad × input)"))
