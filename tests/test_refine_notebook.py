"""Notebook 04's library (docs/04_refine.md §4.6–4.8): settings per dataset, the loop over datasets and seeds,
mean ± std over seeds, Tables 2–4 next to the paper's, the results JSON, on small hand-made runs; and its figures
(gnnexplain.viz.refine): subgraphs and molecules before/after fine-tuning, the explorer's panes."""

import math

import pytest
import torch
from torch_geometric.data import Data

from gnnexplain.experiments import refine
from gnnexplain.metrics import RATIOS
from gnnexplain.metrics.sanity import FAILS_NOTE
from gnnexplain.viz.refine import (NOT_CHECKED, explorer_panes, finetuning_molecules,
                                   finetuning_subgraphs, sanity_note)


class EdgeCount(torch.nn.Module):
    """Logits ``[B, 2]`` = (0, number of stored edges of each graph): class 1 gains with every kept edge."""

    def forward(self, x, edge_index, batch=None):
        batch = batch if batch is not None else torch.zeros(x.size(0), dtype=torch.long)
        count = torch.bincount(batch[edge_index[0]], minlength=int(batch.max()) + 1).float()
        return torch.stack([torch.zeros_like(count), count], dim=-1)


RING = torch.tensor([[0, 1, 2, 3, 1, 2, 3, 0], [1, 2, 3, 0, 0, 1, 2, 3]])  # 4 undirected edges, stored twice


def fake_run(auc: dict, *, curve_offset: float = 0.0, seconds: float = 1.0) -> dict:
    return {"acc_auc": auc, "recall_at_5": {m: v / 2 for m, v in auc.items()}, "groundtruth_auroc": auc,
            "acc_at_rho": {m: [curve_offset + r for r in RATIOS] for m in auc},
            "seconds_per_instance": {m: seconds for m in auc}, "pretrain": {"ReFine-FT": {"seconds": 2 * seconds}}}


@pytest.fixture
def runs():
    # seed 0 also ran an other-formulation row; seed 1 did not
    return {("BA-3motif", 0): fake_run({"Saliency": 0.5, "ReFine": 0.6, "ReFine (repo mode)": 0.4}),
            ("BA-3motif", 1): fake_run({"Saliency": 0.7, "ReFine": 0.6}, curve_offset=0.1, seconds=3.0),
            ("Mutagenicity", 0): fake_run({"Saliency": 0.9, "ReFine": 0.8}),
            ("Mutagenicity", 1): fake_run({"Saliency": 0.9, "ReFine": 0.6})}


def test_table2_setups_follow_the_validation_choice():
    quick = refine.table2_setups({"BA-3motif": 5, "Mutagenicity": 3}, quick=True)
    full = refine.table2_setups({"BA-3motif": 25, "Mutagenicity": 30})
    assert (full["BA-3motif"].mode, full["Mutagenicity"].mode) == ("paper", "repo")
    assert (full["BA-3motif"].ft_selection, full["Mutagenicity"].ft_selection) == ("topk", "sample")
    assert (quick["BA-3motif"].lr, full["BA-3motif"].lr) == (1e-3, 1e-4)
    assert quick["Mutagenicity"].epochs == 3 and full["Mutagenicity"].pgm_top_node == 0.2
    table = refine.setup_table(full)
    assert table.loc["mode"].tolist() == ["paper", "repo"] and table.loc["pre-training epochs"].tolist() == [25, 30]
    with pytest.raises(KeyError):
        refine.table2_setups({"BA-3motif": 5})
    with pytest.raises(ValueError, match="pretrain_epochs"):
        refine.table2_setups({"BA-3motif": 0, "Mutagenicity": 3})


def test_seed_stats_use_the_population_std_and_count_the_seeds_that_ran(runs):
    stats = refine.seed_stats(runs, "BA-3motif", "acc_auc", [0, 1])
    assert list(stats) == ["Saliency", "ReFine", "ReFine (repo mode)"]
    assert stats["Saliency"] == pytest.approx({"mean": 0.6, "std": 0.1, "n_seeds": 2})  # ddof = 0
    assert stats["ReFine (repo mode)"] == {"mean": 0.4, "std": 0.0, "n_seeds": 1}
    assert refine.over_seeds(runs, "Mutagenicity", "acc_auc", [1, 0])["ReFine"] == [0.6, 0.8]
    with pytest.raises(KeyError):
        refine.seed_stats(runs, "MUTAG", "acc_auc", [0])


def test_summarise_runs_averages_curves_and_timings(runs):
    summary = refine.summarise_runs(runs, ["BA-3motif", "Mutagenicity"], [0, 1])
    assert set(summary) == {"acc_auc", "recall_at_5", "groundtruth_auroc", "acc_at_rho", "seconds_per_instance",
                            "pretrain_seconds"}
    assert summary["acc_at_rho"]["BA-3motif"]["Saliency"] == pytest.approx([r + 0.05 for r in RATIOS])
    assert summary["acc_at_rho"]["BA-3motif"]["ReFine (repo mode)"] == pytest.approx(list(RATIOS))
    assert summary["recall_at_5"]["Saliency"]["mean"] == pytest.approx(0.3)  # BA-3motif only
    assert summary["groundtruth_auroc"]["Saliency"]["mean"] == pytest.approx(0.6)
    assert summary["seconds_per_instance"]["BA-3motif"]["ReFine"] == pytest.approx(2.0)
    assert summary["pretrain_seconds"]["Mutagenicity"]["ReFine-FT"] == pytest.approx(2.0)
    assert summary["acc_auc"]["Mutagenicity"]["ReFine"]["std"] == pytest.approx(0.1)


def test_table2_frame_puts_ours_next_to_the_paper_under_one_name(runs):
    summary = refine.summarise_runs(runs, ["BA-3motif", "Mutagenicity"], [0, 1])
    table = refine.table2_frame(summary["acc_auc"], summary["recall_at_5"])
    assert list(table.index) == ["Saliency (paper: SA)", "ReFine", "ReFine (repo mode)"]
    assert table.loc["Saliency (paper: SA)", ("BA-3motif ACC-AUC", "ours")] == "0.600 ± 0.100"
    assert table.loc["Saliency (paper: SA)", ("BA-3motif ACC-AUC", "paper")] == 0.518
    assert table.loc["ReFine", ("Mutagenicity ACC-AUC", "paper")] == 0.955
    assert table.loc["ReFine (repo mode)", ("BA-3motif Recall@5", "ours")] == "0.200 (1 seed)"
    assert table.loc["ReFine (repo mode)", ("Mutagenicity ACC-AUC", "ours")] == ""  # did not run there
    assert refine.table2_rows(summary["acc_auc"]) == ["Saliency", "ReFine", "ReFine (repo mode)"]


def test_table3_and_table4_pick_the_paper_columns():
    curves = {name: {"ReFine-FT": [0.1 * i for i in range(1, 11)], "ReFine": [1.0] * 10}
              for name in ("BA-3motif", "Mutagenicity")}
    table3 = refine.table3_frame(curves)
    assert table3.loc["ReFine-FT", ("BA-3motif", "ACC@0.4 (ours)")] == pytest.approx(0.4)
    assert table3.loc["ReFine-FT", ("Mutagenicity", "ACC@0.6 (ours)")] == pytest.approx(0.6)
    assert table3.loc["ReFine", ("BA-3motif", "ACC@0.6 paper (Wang et al. 2021, Table 3)")] == 0.728
    seconds = {"BA-3motif": {"ReFine": 0.12346, "Saliency": 0.001}, "Mutagenicity": {"ReFine": 0.2}}
    table4 = refine.table4_frame(seconds, {"BA-3motif": {"ReFine-FT": 3.0}, "Mutagenicity": {}})
    assert table4.loc["ReFine", ("BA-3motif", "s / graph (ours)")] == 0.1235  # rounded to 4 decimals
    assert table4.loc["GNNExplainer", ("Mutagenicity", "paper (V100)")] == 2.03
    assert table4.loc["ReFine-FT", ("BA-3motif", "training s (ours)")] == 3.0


def test_split_summary_and_model_accuracy_table():
    g = Data(x=torch.ones(4, 1), edge_index=RING)
    table = refine.split_summary({"toy": {"train": [g, g], "val": [g], "test": [g]}})
    assert table["toy"].to_dict() == {"graphs": 4, "train": 2, "val": 1, "test": 1, "mean nodes": 4.0,
                                      "mean stored edges": 8.0}
    with pytest.raises(ValueError, match="no graphs"):
        refine.split_summary({"toy": {"train": [], "val": [], "test": []}})
    accuracy = refine.model_accuracy_table({"BA-3motif": 0.95, "Mutagenicity": 0.7689}, 0.5)
    assert accuracy["test accuracy (ours)"].tolist() == [0.95, 0.769, 0.5]
    assert accuracy["paper (Wang et al. 2021, §4.1)"].tolist()[:2] == [1.0, 1.0]


def test_run_seeds_runs_the_other_formulation_on_the_first_seed_only(monkeypatch):
    calls = []

    def fake_run_table2(model, train, val, test, setup, *, seed, with_recall):
        calls.append((len(train), setup.variant_rows, seed, with_recall))
        return {"seed": seed}

    monkeypatch.setattr(refine, "run_table2", fake_run_table2)
    g = Data(x=torch.ones(4, 1), edge_index=RING)
    gt = Data(x=torch.ones(4, 1), edge_index=RING, edge_gt=torch.ones(8, dtype=torch.bool))
    splits = {name: {"train": [g] * 5, "val": [g], "test": [g]} for name in ("BA-3motif", "Mutagenicity")}
    setups = refine.table2_setups({"BA-3motif": 1, "Mutagenicity": 1})
    lines = []
    runs = refine.run_seeds({"BA-3motif": None, "Mutagenicity": None}, splits, {"BA-3motif": [gt], "Mutagenicity": [g]},
                            setups, [3, 4], pretrain_graphs={"Mutagenicity": 2}, log=lines.append)
    assert calls == [(5, True, 3, True), (5, False, 4, True), (2, True, 3, False), (2, False, 4, False)]
    assert runs["Mutagenicity", 4] == {"seed": 4} and len(lines) == 4 and lines[0].startswith("BA-3motif, seed 3")
    with pytest.raises(ValueError, match="seeds"):
        refine.run_seeds({}, splits, {}, setups, [])


def test_original_graphs_and_subgraph_probability():
    originals = [Data(x=torch.ones(4, 1), edge_index=RING, edge_attr=torch.ones(8, 3)) for _ in range(2)]
    copies = [Data(x=g.x, edge_index=g.edge_index) for g in originals[::-1]]
    assert refine.original_graphs(copies, originals) == originals[::-1]
    with pytest.raises(ValueError, match="copies of none"):
        refine.original_graphs([Data(x=torch.ones(4, 1), edge_index=RING)], originals)
    g = Data(x=torch.ones(4, 1), edge_index=RING)
    imp = torch.rand(8, generator=torch.Generator().manual_seed(0))
    # ρ = 0.5 keeps 2 of 4 pairs = 4 stored edges: logits (0, 4); ρ = 1 keeps all 8
    assert refine.subgraph_probability(EdgeCount(), g, imp, 0.5, 1) == pytest.approx(torch.tensor(4.0).sigmoid().item())
    assert refine.subgraph_probability(EdgeCount(), g, imp, 1.0, 0) == pytest.approx(torch.tensor(-8.0).sigmoid().item())
    with pytest.raises(IndexError, match="cls"):
        refine.subgraph_probability(EdgeCount(), g, imp, 0.5, 2)
    with pytest.raises(ValueError, match="ratio"):
        refine.subgraph_probability(EdgeCount(), g, imp, 0.0, 1)


def check(rho_randomized_model, rho_seeds=1.0, n=2, n_undefined=0):
    """A ``sanity_summary`` output with the rule applied (margin 0.2)."""
    return {"rho_randomized_model": rho_randomized_model, "rho_seeds": rho_seeds, "n": n, "n_undefined": n_undefined,
            "passes": n_undefined == 0 and rho_seeds >= 0.2 and rho_randomized_model <= rho_seeds - 0.2}


SANITY = {"BA-3motif": {"Saliency": check(0.1), "GNNExplainer": check(0.9, 0.5), "ReFine": check(0.3)},
          "Mutagenicity": {"Saliency": check(0.3), "GNNExplainer": check(0.1, 0.5),
                           "ReFine": check(float("nan"), float("nan"), n_undefined=2)}}


def test_sanity_results_average_over_datasets_and_pass_only_on_every_one():
    results = refine.sanity_results(SANITY)
    assert list(results) == ["Saliency", "GNNExplainer", "ReFine"]
    assert results["Saliency"]["rho_randomized_model"] == pytest.approx(0.2) and results["Saliency"]["passes"]
    assert results["GNNExplainer"]["passes"] is False  # fails on BA-3motif, passes on Mutagenicity
    assert results["ReFine"]["rho_randomized_model"] == 0.3 and results["ReFine"]["n_undefined"] == 2  # NaN left out
    assert results["ReFine"]["n"] == 4 and results["ReFine"]["passes"] is False
    assert results["GNNExplainer"]["by_dataset"]["Mutagenicity"] == SANITY["Mutagenicity"]["GNNExplainer"]
    only = refine.sanity_results({"BA-3motif": {"ReFine": check(float("nan"), float("nan"), n_undefined=2)}})
    assert math.isnan(only["ReFine"]["rho_seeds"])
    with pytest.raises(ValueError, match="at least one dataset"):
        refine.sanity_results({})


def test_table2_frame_puts_the_sanity_check_next_to_each_checked_row(runs):
    summary = refine.summarise_runs(runs, ["BA-3motif", "Mutagenicity"], [0, 1])
    table = refine.table2_frame(summary["acc_auc"], summary["recall_at_5"], {"BA-3motif": SANITY["BA-3motif"]})
    assert table.loc["Saliency (paper: SA)", ("BA-3motif sanity", "ρ randomised")] == "0.100"
    assert table.loc["ReFine", ("BA-3motif sanity", "passes")] == "yes"
    assert table.loc["ReFine (repo mode)", ("BA-3motif sanity", "passes")] == ""  # not checked
    assert ("Mutagenicity sanity", "passes") not in table.columns


def test_sanity_tables_check_the_first_graphs_on_the_run_s_training_graphs(monkeypatch):
    calls = []

    def fake_sanity_table(model, train, val, graphs, setup, run, *, seed, seeds):
        calls.append((len(train), len(graphs), run, seed, seeds))
        return {"Saliency": check(0.1)}

    monkeypatch.setattr(refine, "sanity_table", fake_sanity_table)
    g = Data(x=torch.ones(4, 1), edge_index=RING)
    splits = {name: {"train": [g] * 5, "val": [g], "test": [g]} for name in ("BA-3motif", "Mutagenicity")}
    setups = refine.table2_setups({"BA-3motif": 1, "Mutagenicity": 1})
    explained = {"BA-3motif": [g] * 4, "Mutagenicity": [g]}
    tables = refine.sanity_tables({"BA-3motif": None, "Mutagenicity": None}, splits, explained, setups,
                                  {"BA-3motif": 1, "Mutagenicity": 2}, num_graphs=3, seed=7, seeds=(0, 1, 2),
                                  pretrain_graphs={"Mutagenicity": 2})
    assert calls == [(5, 3, 1, 7, (0, 1, 2)), (2, 1, 2, 7, (0, 1, 2))]
    assert set(tables) == {"BA-3motif", "Mutagenicity"}
    with pytest.raises(ValueError, match="num_graphs"):
        refine.sanity_tables({}, splits, {}, setups, {}, num_graphs=0)


def test_notebook_results_name_the_model_not_the_target(runs):
    summary = refine.summarise_runs(runs, ["BA-3motif", "Mutagenicity"], [0, 1])
    setups = refine.table2_setups({"BA-3motif": 1, "Mutagenicity": 1})
    results = refine.notebook_results(summary, model_accuracy={"BA-3motif": 0.9, "Mutagenicity": 0.8},
                                      leak_free_accuracy=0.7, explained={"BA-3motif": [1, 2], "Mutagenicity": [3]},
                                      setups=setups, seeds=(0, 1), quick=True, seed=0, sanity=SANITY)
    assert results["sanity"]["Saliency"]["passes"] and not results["sanity"]["GNNExplainer"]["passes"]
    assert results["model_accuracy"] == {"BA-3motif": 0.9, "Mutagenicity": 0.8}
    assert results["model_accuracy_leak_free_ba3motif"] == 0.7 and not any("target" in k for k in results)
    assert results["num_explained"] == {"BA-3motif": 2, "Mutagenicity": 1} and results["seeds"] == [0, 1]
    assert results["refine_setup"]["Mutagenicity"] == {"mode": "repo", "ft_selection": "sample", "ft_lr": 1e-4}
    assert results["acc_auc"] is summary["acc_auc"]


def test_method_names_are_the_workbooks():
    assert refine.REFINE_BASELINES[0] == "Saliency" and "SA" not in refine.TABLE2_METHODS
    assert set(refine.PAPER_TABLE2["ACC-AUC BA-3motif"]) == set(refine.TABLE2_METHODS)
    with pytest.raises(ValueError, match="unknown method"):
        refine.graph_explainer(EdgeCount(), "SA")


def ring_molecule(y: int) -> Data:
    """A carbon 4-ring (Mutagenicity's one-hot atom 0) with single bonds, class ``y``."""
    x = torch.zeros(4, 14)
    x[:, 0] = 1
    return Data(x=x, edge_index=RING, edge_attr=torch.eye(3)[[0] * 8], y=torch.tensor([y]))


@pytest.fixture
def masks():
    # ReFine-FT ranks pair {0, 1} first, ReFine pair {2, 3}; three graphs each
    before, after = torch.tensor([9., 1, 1, 1, 9, 1, 1, 1]), torch.tensor([1., 1, 9, 1, 1, 1, 9, 1])
    return {"ReFine-FT": [before] * 3, "ReFine": [after] * 3}


def test_finetuning_subgraphs_draw_before_and_after_per_graph(masks):
    graphs = [Data(x=torch.ones(4, 1), edge_index=RING, y=torch.tensor([c])) for c in (0, 2)]
    figures = finetuning_subgraphs(graphs, masks, ratio=0.25, count=3)
    assert list(figures) == [(0, "before"), (0, "after"), (1, "before"), (1, "after")]  # only two graphs
    assert figures[1, "after"].layout.title.text == "graph 1 (grid), after fine-tuning"
    red = next(t for t in figures[0, "before"].data if t.name == "explanatory subgraph")
    assert sum(x is not None for x in red.x) == 4  # one undirected pair kept, drawn for both directions
    with pytest.raises(KeyError):
        finetuning_subgraphs(graphs, {"ReFine": masks["ReFine"]})


def test_finetuning_molecules_highlight_each_method(masks):
    svgs = finetuning_molecules([ring_molecule(1), ring_molecule(0)], [1, 0], masks, ratio=0.25, count=1)
    assert len(svgs) == 2 and all(s.lstrip().startswith("<?xml") for s in svgs)
    # the two methods keep different bonds, so the drawings differ, each with a highlight
    assert svgs[0] != svgs[1] and all("#FF7F7F" in s for s in svgs)


def test_explorer_panes_title_the_subgraph_probability_and_check_inputs(masks):
    graphs = [ring_molecule(1)]
    panes = explorer_panes(EdgeCount(), graphs, [1], masks, 0, "ReFine", 0.5)
    # ρ = 0.5 keeps 2 of 4 pairs = 4 stored edges: logits (0, 4)
    assert len(panes) == 1 and panes[0].layout.title.text.endswith(f"= {torch.tensor(4.0).sigmoid():.3f}")
    assert isinstance(explorer_panes(EdgeCount(), graphs, [1], masks, 0, "ReFine", 0.5, molecule=True)[1], str)
    with pytest.raises(IndexError, match="graph must be in"):
        explorer_panes(EdgeCount(), graphs, [1], masks, 1, "ReFine", 0.5)
    with pytest.raises(ValueError, match="did not run"):
        explorer_panes(EdgeCount(), graphs, [1], masks, 0, "GNNExplainer", 0.5)


def test_drawings_say_when_their_method_fails_or_was_not_checked(masks, monkeypatch):
    sanity = {"ReFine-FT": check(0.9), "ReFine": check(0.1)}  # ReFine-FT fails
    assert sanity_note(sanity, "ReFine") == "" and sanity_note(None, "ReFine-FT") == ""
    assert sanity_note(sanity, "ReFine-FT") == ", " + FAILS_NOTE
    assert sanity_note(sanity, "GNNExplainer", sep="<br>") == "<br>" + NOT_CHECKED
    graphs = [Data(x=torch.ones(4, 1), edge_index=RING, y=torch.tensor([0]))]
    figures = finetuning_subgraphs(graphs, masks, ratio=0.25, sanity=sanity)
    assert figures[0, "before"].layout.title.text.endswith("<br>" + FAILS_NOTE)
    assert figures[0, "after"].layout.title.text == "graph 0 (house), after fine-tuning"
    import gnnexplain.viz.refine as viz_refine

    monkeypatch.setattr(viz_refine, "mutag_molecule_svg", lambda graph, imp, ratio, *, legend: legend)  # RDKit: paths
    legends = finetuning_molecules([ring_molecule(1)], [1], masks, ratio=0.25, sanity=sanity)
    assert legends == [f"molecule 0, class 1, ReFine-FT, {FAILS_NOTE}", "molecule 0, class 1, ReFine"]
    panes = explorer_panes(EdgeCount(), [ring_molecule(1)], [1], masks, 0, "ReFine-FT", 0.5, molecule=True,
                           sanity={"ReFine": check(0.1)})
    assert panes[0].layout.title.text.endswith("<br>" + NOT_CHECKED) and panes[1].endswith(", " + NOT_CHECKED)


def test_methods_run_lists_the_rows_that_ran_on_one_dataset_in_table_order():
    acc_auc = {"BA-3motif": {"Saliency": {}, "ReFine": {}, "ReFine (paper fine-tuning)": {}},
               "Mutagenicity": {"Saliency": {}, "ReFine": {}, "ReFine (repo fine-tuning)": {}}}
    masks = {"ReFine": [], "Saliency": [], "ReFine (repo fine-tuning)": []}
    assert refine.methods_run(acc_auc, masks) == ["Saliency", "ReFine", "ReFine (repo fine-tuning)"]
