"""Notebook 05's figures: GNNExplainer's Table 1 next to the paper's, the models' response to a uniform soft mask,
XGNN's training curves and generated graphs (docs/05_gnnexplainer_xgnn.md §5.1–5.2), and the draw functions of the
notebook's two explorers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch_geometric.data import Data

from gnnexplain.data import BENCHMARKS
from gnnexplain.experiments.gnnexplainer_xgnn import (
    CLASS_NAMES,
    PAPER_LABELS,
    PAPER_TABLE1,
    TABLE1_METHODS,
    Benchmarks,
    explain_edges,
    graph_rules,
    table1_explainer,
    train_pgexplainer,
)
from gnnexplain.explain.xgnn import trace_graph
from gnnexplain.metrics.sanity import FAILS_NOTE
from gnnexplain.viz.generated import generated_graph_figure, generated_graph_grid
from gnnexplain.viz.graph import explanation_figure


def table1_figure(auc: Mapping, num_seeds: int):
    """Bars of this run's edge AUC per benchmark and method (error bars: std over the seeds) and crosses at the
    paper's Table 1 (Ying et al. 2019), labelled with the paper's method names.

    Args:
        auc: ``{benchmark: {method: {"mean", "std"}}}`` for every benchmark of ``BENCHMARKS`` and method of
            ``TABLE1_METHODS`` (``experiments.gnnexplainer_xgnn.auc_table``), AUCs in [0, 1].
        num_seeds: seeds behind the means, for the title.
    Returns:
        ``plotly.graph_objects.Figure`` with one bar trace per method and one marker trace per paper method.
    Raises:
        KeyError: if ``auc`` lacks a benchmark or a method.
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    for m in TABLE1_METHODS:
        fig.add_bar(name=m, x=list(BENCHMARKS), y=[auc[n][m]["mean"] for n in BENCHMARKS],
                    error_y={"type": "data", "array": [auc[n][m]["std"] for n in BENCHMARKS]})
    for m, values in PAPER_TABLE1.items():
        label = f"{m} (paper: {PAPER_LABELS[m]})" if m in PAPER_LABELS else f"{m} (paper)"
        fig.add_scatter(name=label, x=list(BENCHMARKS), y=list(values), mode="markers",
                        marker={"symbol": "x", "size": 10})
    fig.update_layout(barmode="group", template="plotly_white",
                      yaxis={"title": "explanation ROC-AUC", "range": [0, 1.05]},
                      title=f"Explanation AUC against motif edges ({num_seeds} seed(s))")
    return fig


def uniform_mask_figure(scales: Sequence[float], response: Mapping[str, Sequence[float]], *, initial: float):
    """P(predicted class) against the mask value s put on every edge, one line per benchmark, with a dotted line
    at GNNExplainer's initial mask.

    Args:
        scales: the mask values s in [0, 1]. response: ``{benchmark: [P per scale]}``
            (``experiments.gnnexplainer_xgnn.uniform_response``). initial: σ(1) ≈ 0.731, GNNExplainer's start.
    Returns:
        ``plotly.graph_objects.Figure``.
    Raises:
        ValueError: if a curve has not one value per scale.
    """
    import plotly.graph_objects as go

    if any(len(curve) != len(scales) for curve in response.values()):
        raise ValueError(f"each curve needs {len(scales)} values, one per scale")
    fig = go.Figure([go.Scatter(x=list(scales), y=list(curve), mode="lines+markers", name=name)
                     for name, curve in response.items()])
    fig.add_vline(x=initial, line_dash="dot", annotation_text="GNNExplainer's initial mask σ(1)")
    fig.update_layout(template="plotly_white", xaxis_title="mask value s on every edge",
                      yaxis={"title": "P(predicted class)", "range": [0, 1.02]},
                      title="How the models read a uniform soft mask")
    return fig


def xgnn_training_figure(generators: Mapping):
    """XGNN's training curves: P(target class) of each episode's final graph, one line per (dataset, class).

    Args:
        generators: ``{(dataset, class id): fitted XGNN}`` (``history["probability"]``, one value in [0, 1] per
            episode).
    Returns:
        ``plotly.graph_objects.Figure``.
    """
    import plotly.graph_objects as go

    fig = go.Figure([go.Scatter(y=gen.history["probability"], mode="lines", name=f"{name}: {CLASS_NAMES[name][c]}")
                     for (name, c), gen in generators.items()])
    fig.update_layout(template="plotly_white", xaxis_title="episode", yaxis_title="P(target class | final graph)",
                      title="XGNN training: target-class probability of each episode's final graph")
    return fig


def xgnn_grid_figure(generated: Mapping, name: str, budgets: Sequence[int], *, layout_seed: int = 0):
    """The most probable generated graph of each class (rows) and node budget (columns) of dataset ``name``.

    Args:
        generated: ``{(dataset, class id, budget): [GeneratedGraph]}`` (``generate_graphs``).
        name: ``"MUTAG"``, ``"Is_Acyclic"`` or ``"Is_Acyclic_leafy"``. budgets: the column budgets.
        layout_seed: seed of the spring layouts.
    Returns:
        ``plotly.graph_objects.Figure``; each panel's title gives the class, the budget and P(class).
    Raises:
        KeyError: if a (class, budget) of ``name`` was not generated.
    """
    panels = [[_panel(max(generated[name, c, b], key=lambda g: g.probability), CLASS_NAMES[name][c], b)
               for b in budgets] for c in (0, 1)]
    return generated_graph_grid(panels, graph_rules(name).node_types, layout_seed=layout_seed,
                                title=f"XGNN on {name}: one row per class, one column per node budget")


def _panel(best, class_name: str, budget: int) -> dict:
    return {"node_type": best.data.node_type, "edge_index": best.data.edge_index,
            "title": f"{class_name}, ≤{budget} nodes: P={best.probability:.3f}"}


def sanity_note(sanity: Mapping | None, method: str, benchmark: str) -> str:
    """The verdict of the model-randomisation check to print next to a method's mask on a benchmark: ``""`` when it
    passes there, ``"fails the model-randomisation check"`` when it does not, ``"model-randomisation check not run
    on <benchmark>"`` when that benchmark was not checked (or ``sanity`` is ``None``).

    Args:
        sanity: ``experiments.gnnexplainer_xgnn.sanity_table``'s ``{method: {..., "by_benchmark": {benchmark:
            {"passes", ...}}}}``, or ``None``. method, benchmark: the mask shown.
    Raises:
        KeyError: if ``sanity`` lacks ``method``.
    """
    checked = {} if sanity is None else sanity[method]["by_benchmark"]
    if benchmark not in checked:
        return f"model-randomisation check not run on {benchmark}"
    return "" if checked[benchmark]["passes"] else FAILS_NOTE


def benchmark_explorer(bench: Benchmarks, runs: Mapping, *, seed: int, pg_epochs: int, sanity: Mapping | None = None):
    """The draw function of the benchmark explorer: ``draw(benchmark, node, method) -> Figure``, the node's 3-hop
    neighbourhood with the method's edge mask (width and opacity), outlines by the GCN's prediction; the title
    adds the method's :func:`sanity_note` on the benchmark, e.g. "fails the model-randomisation check".

    A node outside the explained set is explained on demand (PGExplainer trained on the explained nodes first)
    and cached.

    Args:
        bench, runs: from ``prepare_benchmarks`` and ``explain_table1``. seed: the seed whose benchmarks are
            drawn. pg_epochs: PGExplainer's training epochs for on-demand explanations.
        sanity: ``sanity_table`` of ``seed`` (see :func:`sanity_note`); ``None``: every title says the check was
            not run.
    Returns:
        The draw function; it raises IndexError for a node outside the benchmark's graph.
    """
    cache = {}

    def draw(benchmark: str, node: int, method: str):
        data = bench.datasets[benchmark, seed]
        if not 0 <= node < data.num_nodes:
            raise IndexError(f"node {node} is outside {benchmark}'s {data.num_nodes} nodes")
        with torch.no_grad():
            pred = bench.models[benchmark, seed, "gcn"](data.x, data.edge_index).argmax(-1)
        masks = runs[benchmark, seed][method]["masks"]
        if node not in masks and (benchmark, node, method) not in cache:
            cache[benchmark, node, method] = _explain_on_demand(bench, benchmark, node, method, pred, seed, pg_epochs)
        mask = masks[node] if node in masks else cache[benchmark, node, method]
        shown = Data(x=data.x, edge_index=data.edge_index, edge_mask=mask)  # no node mask: edges only
        note = sanity_note(sanity, method, benchmark)
        return explanation_figure(shown, index=node, hops=3, labels=data.y, predictions=pred, layout_seed=seed,
                                  title=f"{method} on {benchmark}: node {node} (label {int(data.y[node])})"
                                        + (f" — {note}" if note else ""))

    return draw


def _explain_on_demand(bench, benchmark, node, method, pred, seed, pg_epochs):
    """The edge mask ``[E]`` of one node outside the explained set, as ``table1_aucs`` would compute it."""
    data, pg = bench.datasets[benchmark, seed], method == "PGExplainer"
    explainer = table1_explainer(bench.models[benchmark, seed, "gat" if method == "Att" else "gcn"], method,
                                 epochs=pg_epochs if pg else None)
    if pg:
        train_pgexplainer(explainer, data, bench.explained[benchmark, seed], pred, seed=seed)
    return explain_edges(explainer, data, torch.tensor([node]), target=pred if pg else None, seed=seed)[0][node]


def xgnn_explorer(generators: Mapping, *, layout_seed: int = 0):
    """The draw function of the XGNN explorer: ``draw(dataset, target, budget, seed, step) -> Figure``, the graph
    after ``step`` of one generation trace of class ``target`` (a class name), with the edit's status and
    P(target) in the title. Traces are generated once per (dataset, class, budget, seed) and cached.

    Args:
        generators: ``{(dataset, class id): fitted XGNN}``. layout_seed: seed of the spring layout.
    Returns:
        The draw function; a ``step`` past the trace's end shows its last step. It raises ValueError for a
        class name the dataset does not have.
    """
    cache = {}

    def draw(dataset: str, target: str, budget: int, seed: int, step: int):
        c = CLASS_NAMES[dataset].index(target)
        if (dataset, c, budget, seed) not in cache:
            cache[dataset, c, budget, seed] = generators[dataset, c].generate(1, max_node=budget, seed=seed)[0]
        result = cache[dataset, c, budget, seed]
        entry = result.trace[min(step, len(result.trace) - 1)]
        types = graph_rules(dataset).node_types
        shown = trace_graph(entry, num_types=len(types))
        return generated_graph_figure(shown.node_type, shown.edge_index, types, layout_seed=layout_seed, height=420,
                                      title=f"step {entry['step']}: {entry['status']}, P({target}) = "
                                            f"{entry['probability']:.3f} (returned graph: step {result.best_step})")

    return draw
