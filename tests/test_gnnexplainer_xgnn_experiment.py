"""Notebook 05's experiment (experiments/gnnexplainer_xgnn.py) and figures (viz/gnnexplainer_xgnn.py) on tiny inputs:
the same tiny tree-and-cycle graph stands in for every benchmark, with untrained models."""

import math

import pytest
import torch
from gnnexplain.data import BENCHMARKS, IS_ACYCLIC_CLASSES
from gnnexplain.experiments import gnnexplainer_xgnn as gx
from gnnexplain.explain.xgnn import GeneratedGraph
from gnnexplain.metrics.sanity import SANITY_MARGIN
from gnnexplain.models import ConcatGNN, GraphGCN
from gnnexplain.viz import gnnexplainer_xgnn as figures
from torch_geometric.data import Data

SEEDS = (0, 1)


def tiny_benchmark() -> Data:
    """A 7-node binary tree (0-6), a 6-cycle motif (7-12) hung from leaf 3 and one random edge 6-9."""
    tree = [[0, 1], [0, 2], [1, 3], [1, 4], [2, 5], [2, 6]]
    cycle = [[7, 8], [8, 9], [9, 10], [10, 11], [11, 12], [12, 7]]
    pairs = torch.tensor(tree + cycle + [[3, 7], [6, 9]]).t()
    truth = torch.tensor([False] * 6 + [True] * 6 + [False] * 2)
    motif_id = torch.tensor([-1] * 7 + [0] * 6)
    return Data(x=torch.ones(13, 10), edge_index=torch.cat([pairs, pairs.flip(0)], dim=1),
                edge_mask=torch.cat([truth, truth]), motif_id=motif_id, node_mask=motif_id >= 0,
                y=(motif_id >= 0).long())


@pytest.fixture(scope="module")
def bench():
    torch.manual_seed(0)
    models = {(n, s, conv): ConcatGNN(10, 2, conv=conv).eval() for n in BENCHMARKS for s in SEEDS
              for conv in ("gcn", "gat")}
    reports = {(n, s, conv): {"train_acc": 0.5 + s / 4, "test_acc": 0.25 * (s + 1)} for n, s, conv in models}
    return gx.Benchmarks(SEEDS, {(n, s): tiny_benchmark() for n in BENCHMARKS for s in SEEDS},
                         {(n, s): torch.tensor([7, 9]) for n in BENCHMARKS for s in SEEDS}, models, reports)


@pytest.fixture(scope="module")
def runs(bench):
    return gx.explain_table1(bench, pg_epochs=1)


def test_notebook_settings_full_and_quick():
    full, quick = gx.notebook_settings(False, 3), gx.notebook_settings(True, 3)
    assert full.seeds == (3, 4, 5) and quick.seeds == (3,)
    assert len(full.sensitivity_grid) == 12 and len(quick.sensitivity_grid) == 2
    assert {"edge_size": 0.005, "mask_init": 1.0, "lr": 0.1} in full.sensitivity_grid  # the authors'
    assert (full.node_limit, full.node_epochs, full.xgnn_episodes) == (30, 1000, 50)
    assert quick.budgets == (4, 6) and full.xgnn_budget == quick.xgnn_budget == 6
    assert full.sanity_benchmarks == BENCHMARKS and full.sanity_seeds == (3, 4, 5) and full.sanity_nodes == 10
    assert quick.sanity_benchmarks == ("BA-Shapes", "Tree-Cycles") and quick.sanity_seeds == (3, 4)


def test_train_model_caches_by_seed(monkeypatch, tmp_path):
    from conftest import random_node_graph

    monkeypatch.setenv("GNNEXPLAIN_DATA_DIR", str(tmp_path))
    data = random_node_graph(num_features=10)
    data.name = "tiny"
    model, report = gx.train_model(data, "gcn", 0, epochs=2)
    assert isinstance(model, ConcatGNN) and not model.training and not report["from_cache"]
    assert gx.train_model(data, "gcn", 0, epochs=2)[1]["from_cache"]
    assert not gx.train_model(data, "gcn", 1, epochs=2)[1]["from_cache"]
    with pytest.raises(ValueError, match="conv"):
        gx.train_model(data, "sage", 0, epochs=2)


def test_prepare_benchmarks_explains_each_motif_once(monkeypatch):
    calls = []

    def fake_train(data, conv, seed, *, epochs):
        calls.append((data.name, conv, seed))
        return conv, {"test_acc": 1.0}

    monkeypatch.setattr(gx, "train_model", fake_train)
    bench = gx.prepare_benchmarks((0,), node_limit=3, node_epochs=1)
    assert set(bench.datasets) == {(n, 0) for n in BENCHMARKS} and len(calls) == 8
    assert all(len(v) == 3 for v in bench.explained.values())
    assert bench.models["Tree-Grid", 0, "gat"] == "gat"
    summary = gx.benchmark_summary(bench, 0)
    assert summary["BA-Shapes"]["nodes"] == 700 and summary["Tree-Cycles"]["motif edges (ground truth)"] == 360


def test_model_accuracy_is_the_mean_over_seeds(bench):
    assert gx.model_accuracy(bench)["BA-Shapes"] == pytest.approx(0.375)
    assert gx.model_accuracy(bench, "gat", "train")["Tree-Grid"] == pytest.approx(0.625)


def test_explain_table1_and_auc_tables(bench, runs):
    assert set(runs) == set(bench.datasets) and all(set(r) == set(gx.TABLE1_METHODS) for r in runs.values())
    auc = gx.auc_table(bench, runs)
    for n in BENCHMARKS:  # the same graph, seeded explainers: seed-dependent only for PGExplainer/GNNExplainer
        for m in gx.TABLE1_METHODS:
            values = [runs[n, s][m]["auc"] for s in SEEDS]
            assert auc[n][m]["mean"] == pytest.approx(sum(values) / 2)
            assert auc[n][m]["std"] == pytest.approx(abs(values[0] - values[1]) / 2)  # population std
            assert set(auc[n][m]) == {"mean", "std"}
    # one motif only: the authors' ground truth is PyG's; within each node the AUC differs
    own = gx.auc_table(bench, runs, own_motif=True)
    assert own["BA-Shapes"]["Saliency"]["mean"] == pytest.approx(auc["BA-Shapes"]["Saliency"]["mean"])
    per_node = gx.auc_table(bench, runs, per_node=True)
    assert all(0.0 <= v["mean"] <= 1.0 for row in per_node.values() for v in row.values())


def test_table1_rows_label_the_papers_numbers():
    auc = {n: {m: {"mean": 0.5, "std": 0.1} for m in gx.TABLE1_METHODS} for n in BENCHMARKS}
    rows = gx.table1_rows(auc, 2)
    ours, paper, replication = rows.values()
    assert ours["BA-Shapes", "Saliency (paper: Grad)"] == "0.500 ± 0.100"
    assert paper["Tree-Grid", "Saliency (paper: Grad)"] == "0.667" and paper["BA-Shapes", "PGExplainer"] == "–"
    assert replication["Tree-Cycles", "GNNExplainer"] == "0.540" and replication["Tree-Cycles", "Att"] == "–"
    own = {n: {m: {"mean": 0.9 if m == "Saliency" else 0.7, "std": 0.0} for m in gx.TABLE1_METHODS}
           for n in BENCHMARKS}
    columns = gx.ground_truth_rows(auc, own, auc)
    assert columns["GNNExplainer − Saliency, own motif"]["BA-Shapes", "GNNExplainer"] == "-0.200"
    assert columns["GNNExplainer − Saliency, own motif"]["BA-Shapes", "Att"] == ""


def test_gnnexplainer_versus_saliency(runs):
    auc = {n: {"GNNExplainer": {"mean": 0.6}, "Saliency": {"mean": 0.8}} for n in BENCHMARKS}
    assert gx.gnnexplainer_minus_saliency(auc) == pytest.approx({n: -0.2 for n in BENCHMARKS})
    fake = {(n, s): {"GNNExplainer": {"auc": 0.5 + s}, "Saliency": {"auc": 0.9}} for n in BENCHMARKS for s in SEEDS}
    table = gx.versus_saliency(auc, fake, SEEDS)
    assert table["BA-Shapes"]["seeds with GNNExplainer ≥ Saliency"] == "1 / 2"
    assert table["Tree-Grid"]["paper: GNNExplainer − Grad"] == pytest.approx(0.875 - 0.667)
    seconds = gx.seconds_per_node(runs)
    assert set(seconds) == set(gx.TABLE1_METHODS) and all(s > 0 for s in seconds.values())


def test_flat_fractions_and_mean_masks(bench, runs):
    flat = gx.flat_fractions(bench, runs)
    assert set(flat) == set(runs) and all(set(r) == set(gx.SOFT_MASK_METHODS) for r in flat.values())
    assert all(0.0 <= v <= 1.0 for r in flat.values() for v in r.values())
    rows = gx.soft_mask_rows(bench, runs, gx.auc_table(bench, runs), {n: [1.0] * 6 for n in BENCHMARKS})
    row = rows["BA-Shapes"]
    assert 0.0 <= row["GNNExplainer mask, other edges"] <= 1.0 and row["P at s = 0.73"] == 1.0


def test_uniform_response_and_fidelity(bench, runs):
    response = gx.uniform_response(bench, (1.0, 0.0))
    with torch.no_grad():
        probs = bench.models["BA-Shapes", 0, "gcn"](bench.datasets["BA-Shapes", 0].x,
                                                     bench.datasets["BA-Shapes", 0].edge_index).softmax(-1)
    own = probs[[7, 9]].max(-1).values.mean()
    other = bench.models["BA-Shapes", 1, "gcn"](bench.datasets["BA-Shapes", 1].x,
                                                bench.datasets["BA-Shapes", 1].edge_index).softmax(-1)
    expected = (own + other[[7, 9]].max(-1).values.mean()) / 2  # s = 1: the models' own confidence
    assert response["BA-Shapes"][0] == pytest.approx(float(expected), abs=1e-6)
    fidelity = gx.fidelity_at_motif_size(bench, runs)
    assert set(fidelity["Tree-Grid"]) == set(gx.FIDELITY_ROWS)
    assert all(0.0 <= v <= 1.0 for rows in fidelity.values() for r in rows.values() for v in r.values())


def test_sensitivity_grid_rows_and_best_settings(bench, runs):
    grid = [{}, {"edge_size": 0.1, "lr": 0.01}]
    sensitivity, seconds = gx.sensitivity_grid(bench, grid, 0)
    assert seconds > 0 and all(len(rows) == 2 for rows in sensitivity.values())
    rows = gx.grid_rows(sensitivity, runs, 0)
    assert rows["BA-Shapes"]["edge_size 0.005, mask_init 1, lr 0.1 (authors)"] == runs["BA-Shapes", 0][
        "GNNExplainer"]["auc"]
    assert rows["BA-Shapes"]["Saliency (seed 0, same nodes)"] == runs["BA-Shapes", 0]["Saliency"]["auc"]
    best = gx.best_settings(sensitivity, runs, 0)["Tree-Cycles"]
    assert best["best_auc"] == max(r["auc"] for r in sensitivity["Tree-Cycles"])
    assert best["reaches_saliency"] == (best["best_auc"] >= best["saliency_auc"])
    broken = {n: [{**r, "auc": r["auc"] + 0.1} for r in rows] for n, rows in sensitivity.items()}
    with pytest.raises(ValueError, match="does not reproduce"):
        gx.grid_rows(broken, runs, 0)
    assert math.isnan(gx.best_settings({"BA-Shapes": sensitivity["BA-Shapes"][1:]}, runs, 0)["BA-Shapes"][
        "authors_auc"])


def test_sanity_table_checks_every_method_on_each_benchmark(bench, monkeypatch):
    fits, train = [], gx.train_pgexplainer

    def counted(explainer, *args, **kwargs):
        fits.append(explainer.model)
        return train(explainer, *args, **kwargs)

    monkeypatch.setattr(gx, "train_pgexplainer", counted)
    before = [p.clone() for p in bench.models["Tree-Cycles", 0, "gcn"].parameters()]
    table = gx.sanity_table(bench, ("BA-Shapes", "Tree-Cycles"), num_nodes=1, seed=0, pg_epochs=1)
    assert set(table) == set(gx.TABLE1_METHODS)
    assert all(set(t["by_benchmark"]) == {"BA-Shapes", "Tree-Cycles"} and t["n"] == 2 for t in table.values())
    # PGExplainer is trained once on each trained GCN, then once on each re-initialised copy (one per node)
    assert len(fits) == 4 and sum(m is bench.models["Tree-Cycles", 0, "gcn"] for m in fits) == 1
    assert all(torch.equal(p, q) for p, q in zip(before, bench.models["Tree-Cycles", 0, "gcn"].parameters()))
    for method in ("Att", "Saliency"):  # deterministic: every seed gives the same mask
        assert table[method]["rho_seeds"] == pytest.approx(1.0)
    for t in table.values():
        assert t["passes_on_every_benchmark"] == all(s["passes"] for s in t["by_benchmark"].values())
        for s in (t, *t["by_benchmark"].values()):
            if not math.isnan(s["rho_randomized_model"]):
                assert -1 <= s["rho_randomized_model"] <= 1
                assert s["passes"] == (s["n_undefined"] == 0
                                       and s["rho_randomized_model"] <= s["rho_seeds"] - SANITY_MARGIN)
    with pytest.raises(ValueError, match="at least one of"):
        gx.sanity_table(bench, ("Cora",), num_nodes=1, seed=0)
    with pytest.raises(ValueError, match="num_nodes"):
        gx.sanity_table(bench, ("BA-Shapes",), num_nodes=0, seed=0)


def test_sanity_rows_and_notes():
    ok = {"rho_randomized_model": 0.1, "rho_seeds": 1.0, "passes": True, "n": 2, "n_undefined": 0}
    bad = {**ok, "rho_randomized_model": 0.95, "passes": False}
    sanity = {"Saliency": {**ok, "n": 4, "by_benchmark": {"BA-Shapes": ok, "Tree-Cycles": bad}}}
    rows = gx.sanity_rows(sanity)
    assert list(rows) == [("BA-Shapes", "Saliency"), ("Tree-Cycles", "Saliency"),
                          ("all checked (pooled)", "Saliency")]
    assert rows["Tree-Cycles", "Saliency"] == {"ρ randomised model": 0.95, "ρ seeds": 1.0, "passes": False,
                                               "nodes": 2}
    assert rows["all checked (pooled)", "Saliency"]["nodes"] == 4
    assert figures.sanity_note(sanity, "Saliency", "BA-Shapes") == ""
    assert figures.sanity_note(sanity, "Saliency", "Tree-Cycles") == "fails the model-randomisation check"
    assert figures.sanity_note(sanity, "Saliency", "Tree-Grid") == "model-randomisation check not run on Tree-Grid"
    assert figures.sanity_note(None, "Att", "BA-Shapes") == "model-randomisation check not run on BA-Shapes"
    with pytest.raises(KeyError):
        figures.sanity_note(sanity, "Att", "BA-Shapes")


def test_setting_label_marks_the_authors():
    assert gx.setting_label(gx.AUTHORS_SETTING) == "edge_size 0.005, mask_init 1, lr 0.1 (authors)"
    assert gx.setting_label({**gx.AUTHORS_SETTING, "lr": 0.01}) == "edge_size 0.005, mask_init 1, lr 0.01"


def _generated(types, edges, probability):
    pairs = torch.tensor(edges, dtype=torch.long).view(-1, 2).t()
    data = Data(node_type=torch.tensor(types), edge_index=torch.cat([pairs, pairs.flip(0)], dim=1),
                num_nodes=len(types))
    return GeneratedGraph(data, probability, True)


@pytest.fixture(scope="module")
def generated():
    path, triangle = [(0, 1), (1, 2)], [(0, 1), (1, 2), (2, 0)]
    out = {}
    for name in gx.GRAPH_SETS:
        for b in (3, 4):
            out[name, 0, b] = [_generated([0, 0, 0], triangle, 0.8)]
            out[name, 1, b] = [_generated([0, 1, 2], path, 0.6 + b / 10)]
    return out


def test_xgnn_summaries(generated):
    summary = gx.xgnn_summary(generated, (3, 4))
    assert summary["MUTAG"]["mutagenic"]["n_graphs"] == 2
    assert summary["MUTAG"]["mutagenic"]["mean_probability"] == pytest.approx(0.95)
    assert summary["Is_Acyclic"]["acyclic"]["by_budget"] == pytest.approx({3: 0.9, 4: 1.0})
    composition = gx.atom_composition(generated)
    assert composition["non-mutagenic"]["C"] == 1.0 and composition["mutagenic"]["N"] == pytest.approx(1 / 3)
    assert gx.has_leaf(generated["MUTAG", 1, 3][0].data) and not gx.has_leaf(generated["MUTAG", 0, 3][0].data)
    assert gx.is_forest(generated["MUTAG", 1, 3][0].data) and not gx.is_forest(generated["MUTAG", 0, 3][0].data)
    generators = {key: type("Fitted", (), {"history": {"acceptance": [0.5, 1.0]}})() for key in
                  {(n, c) for n, c, _ in generated}}
    rows = gx.generation_rows(generated, generators)
    assert len(rows) == len(generated) and rows[0]["acceptance (training)"] == 0.75


def test_leaf_shortcut_measures_generated_and_data_graphs(generated):
    data = [Data(edge_index=g.data.edge_index, num_nodes=3, y=torch.tensor([c]))
            for c, g in ((0, generated["MUTAG", 0, 3][0]), (1, generated["MUTAG", 1, 3][0]))]
    graph_models = gx.GraphModels({name: data for name in gx.GRAPH_SETS}, {}, {}, {})
    shortcut = gx.leaf_shortcut(generated, graph_models)
    assert shortcut["Is_Acyclic_forest_fraction"] == {"cyclic": 0.0, "acyclic": 1.0}
    assert shortcut["Is_Acyclic_leafy_leaf_fraction"]["training data"] == {"cyclic": 0.0, "acyclic": 1.0}
    rows = gx.leaf_rows(shortcut)
    assert set(rows) == {(n, c) for n in gx.ACYCLIC_SETS for c in IS_ACYCLIC_CLASSES}
    assert rows["Is_Acyclic", "acyclic"]["generated: has a leaf (degree 1)"] == 1.0


def test_graph_models_generators_and_rows(monkeypatch, tmp_path):
    monkeypatch.setenv("GNNEXPLAIN_DATA_DIR", str(tmp_path))
    settings = gx.notebook_settings(True, 0)
    assert gx.graph_rules("MUTAG").node_types[:3] == ("C", "N", "O")
    assert gx.xgnn_generator("Is_Acyclic", settings).rollback == "invalid"
    assert gx.xgnn_generator("MUTAG", settings).rollback == "negative"
    small = {"MUTAG": GraphGCN(7, 2).eval(), "Is_Acyclic": GraphGCN(1, 2).eval(),
             "Is_Acyclic_leafy": GraphGCN(1, 2).eval()}
    tiny = gx.Settings(**{**settings.__dict__, "xgnn_episodes": 1, "xgnn_steps": 2, "xgnn_rollouts": 1,
                          "n_graphs": 1, "budgets": (3,)})
    generators, seconds = gx.fit_generators(gx.GraphModels({}, {}, small, {}), tiny)
    assert set(generators) == {(n, c) for n in gx.GRAPH_SETS for c in (0, 1)} and len(seconds) == 6
    generated = gx.generate_graphs(generators, tiny)
    assert set(generated) == {(n, c, 3) for n in gx.GRAPH_SETS for c in (0, 1)}
    assert all(len(v) == 1 and v[0].data.num_nodes <= 3 for v in generated.values())
    graphs = {n: [Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=2)] for n in gx.GRAPH_SETS}
    reports = {n: {"train_acc": 0.9, "test_acc": 0.8} for n in gx.GRAPH_SETS}
    rows = gx.graph_model_rows(gx.GraphModels(graphs, {}, small, reports))
    assert rows["MUTAG"]["mean edges"] == 1.0 and rows["MUTAG"]["slides accuracy"] == 0.963
    assert math.isnan(rows["Is_Acyclic_leafy"]["slides accuracy"])


def test_notebook_results_keys_and_renames(bench, runs, generated):
    settings = gx.Settings(**{**gx.notebook_settings(False, 0).__dict__, "seeds": SEEDS, "budgets": (3, 4)})
    graph_models = gx.GraphModels({n: [] for n in gx.GRAPH_SETS}, {}, {}, {n: {"test_acc": 0.7} for n in gx.GRAPH_SETS})
    graph_models.graphs = {n: [Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=2, y=torch.tensor([c]))
                               for c in (0, 1)] for n in gx.GRAPH_SETS}
    sensitivity, seconds = gx.sensitivity_grid(bench, [{}], 0)
    auc = gx.auc_table(bench, runs)
    results = gx.notebook_results(settings, bench, runs, graph_models, auc=auc, auc_own=auc, auc_node=auc,
                                  flat=gx.flat_fractions(bench, runs), fidelity={}, response={n: [0.5] * 6
                                                                                             for n in BENCHMARKS},
                                  sensitivity=sensitivity, sensitivity_seconds=seconds, generated=generated,
                                  fit_seconds={}, sanity={"Saliency": {"passes": True}})
    assert results["model_accuracy"]["MUTAG"] == 0.7 and results["model_accuracy"]["BA-Shapes"] == pytest.approx(0.375)
    assert set(results["paper_explanation_auc"]) == {"Att", "Saliency", "GNNExplainer"}
    assert set(results["gnnexplainer_sensitivity_vs_saliency"]["BA-Shapes"]) == {
        "saliency_auc", "best_auc", "best_setting", "reaches_saliency"}
    assert results["uniform_mask_response"]["Tree-Grid"]["0.731"] == 0.5
    assert results["gnnexplainer_minus_saliency"] == pytest.approx(gx.gnnexplainer_minus_saliency(auc))
    assert results["seeds"] == [0, 1] and results["quick"] is False
    assert results["sanity"] == {"Saliency": {"passes": True}, "XGNN": gx.XGNN_SANITY}
    assert set(gx.XGNN_SANITY) == {"not_applicable"}


def test_figures(bench, runs, generated):
    auc = gx.auc_table(bench, runs)
    fig = figures.table1_figure(auc, 2)
    assert [t.name for t in fig.data] == [*gx.TABLE1_METHODS, "Att (paper)", "Saliency (paper: Grad)",
                                          "GNNExplainer (paper)"]
    fig = figures.uniform_mask_figure((1.0, 0.0), {"BA-Shapes": [0.9, 0.1]}, initial=gx.INITIAL_MASK)
    assert list(fig.data[0].y) == [0.9, 0.1]
    with pytest.raises(ValueError, match="one per scale"):
        figures.uniform_mask_figure((1.0, 0.0), {"BA-Shapes": [0.9]}, initial=0.7)
    fitted = {("MUTAG", 1): type("Fitted", (), {"history": {"probability": [0.2, 0.4]}})()}
    assert figures.xgnn_training_figure(fitted).data[0].name == "MUTAG: mutagenic"
    grid = figures.xgnn_grid_figure(generated, "MUTAG", (3, 4))
    assert "mutagenic, ≤4 nodes: P=1.000" in [a.text for a in grid.layout.annotations]
    with pytest.raises(KeyError):
        figures.xgnn_grid_figure(generated, "MUTAG", (5,))


def test_benchmark_explorer_explains_other_nodes_on_demand(bench, runs):
    verdict = {m: {"by_benchmark": {"BA-Shapes": {"passes": True}, "Tree-Cycles": {"passes": False}}}
               for m in gx.TABLE1_METHODS}
    draw = figures.benchmark_explorer(bench, runs, seed=0, pg_epochs=1, sanity=verdict)
    assert draw("BA-Shapes", 7, "Saliency").layout.title.text == "Saliency on BA-Shapes: node 7 (label 1)"
    assert draw("Tree-Cycles", 7, "Saliency").layout.title.text.endswith(" — fails the model-randomisation check")
    assert draw("BA-Shapes", 8, "GNNExplainer").data  # not explained by Table 1: explained on demand
    assert 8 not in runs["BA-Shapes", 0]["GNNExplainer"]["masks"]  # the table's masks are left alone
    with pytest.raises(IndexError, match="outside"):
        draw("BA-Shapes", 13, "Att")
    unchecked = figures.benchmark_explorer(bench, runs, seed=0, pg_epochs=1)("BA-Shapes", 7, "Att")
    assert unchecked.layout.title.text.endswith("model-randomisation check not run on BA-Shapes")


def test_xgnn_explorer_replays_a_trace():
    settings = gx.Settings(**{**gx.notebook_settings(True, 0).__dict__, "xgnn_episodes": 1, "xgnn_steps": 3,
                              "xgnn_rollouts": 1})
    generator = gx.xgnn_generator("MUTAG", settings).fit(GraphGCN(7, 2).eval(), 1, max_node=4, episodes=1)
    draw = figures.xgnn_explorer({("MUTAG", 1): generator})
    assert draw("MUTAG", "mutagenic", 4, 0, 0).layout.title.text.startswith("step 0: ")
    assert draw("MUTAG", "mutagenic", 4, 0, 99).layout.title.text.startswith("step 2: ")  # past the end: the last
    with pytest.raises(ValueError):
        draw("MUTAG", "cyclic", 4, 0, 0)
