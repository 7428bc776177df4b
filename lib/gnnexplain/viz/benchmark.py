"""Notebook 06's figures: the leaderboard as a heatmap, ground-truth AUROC against cost and against fidelity, and one
explanation's mask beside the ground truth (docs/06_benchmark.md)."""

from __future__ import annotations

from gnnexplain.metrics.sanity import FAILS_NOTE, PASSES_NOTE
from gnnexplain.viz.graph import explanation_figure


def _cells(table: dict, key: str | None = None) -> dict[tuple[str, str], float]:
    """``{(dataset, method): mean}`` of the applicable cells of a results table (``key`` picks a fidelity)."""
    out = {}
    for dataset, methods in table.items():
        for method, cell in methods.items():
            if "not_applicable" not in cell:
                out[dataset, method] = (cell[key] if key else cell)["mean"]
    return out


def leaderboard_heatmap(result, metric: str = "auroc", *, title: str | None = None):
    """Heatmap of one metric, methods (rows) × datasets (columns); a method that does not apply leaves its cell
    blank and shows the reason on hover.

    Args:
        result: a :class:`gnnexplain.experiments.benchmark.BenchmarkResult`.
        metric: ``"auroc"`` or ``"auroc_per_instance"`` (scale [0, 1], 0.5 = chance, white).
    Returns:
        ``plotly.graph_objects.Figure``.
    Raises:
        ValueError: for another ``metric``.
    """
    import plotly.graph_objects as go

    if metric not in ("auroc", "auroc_per_instance"):
        raise ValueError(f"metric={metric!r}; allowed: 'auroc', 'auroc_per_instance'")
    table = getattr(result, metric)
    datasets = list(table)
    methods = list(dict.fromkeys(m for cells in table.values() for m in cells))
    z, text, hover = [], [], []
    for method in methods:
        cells = [table[d][method] for d in datasets]
        z.append([None if "not_applicable" in c else c["mean"] for c in cells])
        text.append(["" if "not_applicable" in c else f"{c['mean']:.2f}" for c in cells])
        hover.append([f"{method} on {d}: " + (f"n/a: {c['not_applicable']}" if "not_applicable" in c else
                                             f"{c['mean']:.3f} ± {c['std']:.3f} (n = {c['n']})")
                      for d, c in zip(datasets, cells)])
    fig = go.Figure(go.Heatmap(z=z, x=datasets, y=methods, text=text, texttemplate="%{text}", customdata=hover,
                               hovertemplate="%{customdata}<extra></extra>", zmin=0, zmax=1, zmid=0.5,
                               colorscale="RdBu", colorbar=dict(title=metric)))
    fig.update_layout(title=title or f"Ground-truth {metric} (0.5 = chance; blank: not applicable)",
                      yaxis=dict(autorange="reversed"), height=120 + 40 * len(methods))
    return fig


def auroc_against_seconds(result):
    """Ground-truth AUROC (y) against seconds per instance (x, log scale), one marker per method and dataset,
    coloured by method. Returns a ``plotly.graph_objects.Figure``."""
    import plotly.graph_objects as go

    auroc, seconds = _cells(result.auroc), _cells(result.seconds_per_instance)
    fig = go.Figure()
    for method in dict.fromkeys(m for _, m in auroc):
        keys = [k for k in auroc if k[1] == method]
        fig.add_trace(go.Scatter(x=[seconds[k] for k in keys], y=[auroc[k] for k in keys], mode="markers",
                                 name=method, text=[k[0] for k in keys],
                                 hovertemplate="%{text}: AUROC %{y:.3f}, %{x:.3g} s<extra>" + method + "</extra>"))
    fig.add_hline(y=0.5, line_dash="dot", annotation_text="chance")
    fig.update_layout(xaxis=dict(type="log", title="seconds per instance (fitting included)"),
                      yaxis=dict(title="ground-truth AUROC", range=[0, 1.02]), title="What an explanation costs")
    return fig


def auroc_against_fidelity(result, fidelity: str = "fid+"):
    """Ground-truth AUROC (x) against a fidelity at the truth's size (y), one marker per method and dataset, and
    the ground truth itself as a cross per dataset (``result.truth_fidelity``): points far from the diagonal trend
    are where the two yardsticks disagree (Faber et al., KDD 2021). Returns a ``plotly.graph_objects.Figure``.

    Raises:
        ValueError: for a ``fidelity`` outside ``fid+``, ``fid-``, ``characterization``, ``unfaithfulness``.
    """
    import plotly.graph_objects as go

    allowed = ("fid+", "fid-", "characterization", "unfaithfulness")
    if fidelity not in allowed:
        raise ValueError(f"fidelity={fidelity!r}; allowed: {', '.join(allowed)}")
    auroc, fid = _cells(result.auroc), _cells(result.fidelity, fidelity)
    fig = go.Figure()
    for method in dict.fromkeys(m for _, m in fid):
        keys = [k for k in fid if k[1] == method and k in auroc]
        fig.add_trace(go.Scatter(x=[auroc[k] for k in keys], y=[fid[k] for k in keys], mode="markers", name=method,
                                 text=[k[0] for k in keys],
                                 hovertemplate="%{text}: AUROC %{x:.3f}, " + fidelity + " %{y:.3f}<extra>"
                                               + method + "</extra>"))
    truth = {d: cells[fidelity]["mean"] for d, cells in result.truth_fidelity.items()}
    fig.add_trace(go.Scatter(x=[1.0] * len(truth), y=list(truth.values()), text=list(truth), mode="markers",
                             marker=dict(symbol="x", size=10, color="black"), name="ground truth itself",
                             hovertemplate="%{text}: " + fidelity + " %{y:.3f}<extra>ground truth</extra>"))
    fig.update_layout(xaxis=dict(title="ground-truth AUROC", range=[-0.02, 1.05]),
                      yaxis=dict(title=f"{fidelity} at the truth's size"),
                      title=f"Ground-truth AUROC against {fidelity}: where they disagree")
    return fig


def sanity_note(sanity: dict | None) -> str:
    """A method's model-randomisation verdict on a dataset (``result.sanity[dataset].get(method)``) in words."""
    if not sanity or "passes" not in sanity:
        return "model-randomisation check not run"
    return PASSES_NOTE if sanity["passes"] else FAILS_NOTE


def mask_beside_truth(instance, explanation, *, method: str, dataset: str, sanity: dict | None = None) -> list:
    """Two drawings of one explained instance: the method's mask and the ground truth, same layout.

    Args:
        instance: a :class:`gnnexplain.experiments.benchmark.Instance` (its graph, explained node, truth).
        explanation: the method's ``Explanation`` of it (``edge_mask [e]`` or ``node_mask``).
        method, dataset: names for the titles.
        sanity: the method's sanity entry on the dataset; its verdict goes in the mask's title
            (:func:`sanity_note`).
    Returns:
        ``[mask figure, truth figure]`` (plotly).
    """
    from torch_geometric.data import Data

    hops = 3 if instance.index is not None else 1
    graph = dict(x=instance.x, edge_index=instance.edge_index)
    mask = Data(**graph, edge_mask=explanation.get("edge_mask"), node_mask=explanation.get("node_mask"))
    truth = Data(**graph, edge_mask=instance.edge_truth.float(), node_mask=instance.node_truth.float())
    where = f"node {instance.id}" if instance.index is not None else f"graph {instance.id}"
    return [explanation_figure(mask, index=instance.index, hops=hops,
                               title=f"{method}: {dataset}, {where} — {sanity_note(sanity)}"),
            explanation_figure(truth, index=instance.index, hops=hops, title=f"ground truth: {dataset}, {where}")]


def benchmark_drawer(result, seed: int):
    """The draw function of notebook 06's explorer: ``draw(dataset, method, instance)`` ->
    :func:`mask_beside_truth` of the method's explanation of the ``instance``-th explained instance of ``dataset``
    under ``seed``, its title carrying the method's sanity verdict there.

    Args:
        result: a :class:`gnnexplain.experiments.benchmark.BenchmarkResult`. seed: one of its seeds.
    Returns:
        The draw function; it raises ValueError for a method that does not apply to the dataset (with the reason)
        and IndexError for an instance outside ``0 .. n - 1``.
    """
    def draw(dataset: str, method: str, instance: int) -> list:
        instances = result.explained[dataset, seed]
        if (dataset, seed, method) not in result.explanations:
            raise ValueError(f"{method} does not apply to {dataset}: "
                             f"{result.auroc[dataset][method]['not_applicable']}")
        if not 0 <= instance < len(instances):
            raise IndexError(f"instance={instance}; allowed: 0 .. {len(instances) - 1}")
        return mask_beside_truth(instances[instance], result.explanations[dataset, seed, method][instance],
                                 method=method, dataset=dataset, sanity=result.sanity[dataset].get(method))

    return draw
