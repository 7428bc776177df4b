"""Notebook 03's experiment and figures on tiny synthetic molecules: settings, splits, Table 1's study, the
Tyrphostin test, ESOL's environment table, the timing and the drawings (gnnexplain.experiments.bayesgrad,
gnnexplain.viz.bayesgrad)."""

import pandas as pd
import pytest
import torch

from gnnexplain.data import graph_from_smiles, mol_from_smiles
from gnnexplain.data.molecules import MoleculeSet
from gnnexplain.experiments.bayesgrad import (
    PAPER_TABLE1,
    TYRPHOSTIN,
    Settings,
    SmallDataStudy,
    TyrphostinStudy,
    environment_importance,
    esol_signed_maps,
    held_out_rocauc,
    pyridine_task,
    saliency_explainer,
    sanity_table,
    small_data_study,
    speed_study,
    table1_methods,
    task_split,
    tyrphostin_study,
)
from gnnexplain.explain.bayesgrad import METHODS
from gnnexplain.metrics.sanity import FAILS_NOTE, randomized_copy
from gnnexplain.models import GGNN, NFP, TrainConfig
from gnnexplain.viz.bayesgrad import (
    method_svgs,
    pr_curves_figure,
    saliency_explorer,
    save_svgs,
    study_svgs,
)

PYRIDINES = ["c1ccncc1C", "Cc1ccncc1O", "c1ccncc1CC", "Nc1ccncc1"]
OTHERS = ["c1ccccc1", "CCO", "CCN", "CCCC", "OCCO", "c1ccccc1O"]


def molecules(smiles=PYRIDINES + OTHERS, tasks=1):
    graphs = []
    for k, s in enumerate(smiles):
        g = graph_from_smiles(s)[0]
        g.y = torch.tensor([[float(k % 2)] + [float("nan") if k == 0 else 1.0] * (tasks - 1)])
        g.smiles = s
        graphs.append(g)
    names = ["A"] + [f"T{t}" for t in range(1, tasks)]
    return MoleculeSet("Tox21", graphs, [mol_from_smiles(s) for s in smiles], names, num_rows=len(smiles) + 1)


def test_settings_quick_and_full_follow_the_paper_schedules():
    quick, full = Settings.for_run(True), Settings.for_run(False)
    assert (quick.n_subsets, full.n_subsets, full.subset_size, full.num_samples) == (3, 30, 1000, 100)
    assert quick.full.patience is None and full.full.patience == 5 and full.srmmp.patience == 10
    assert (full.full.epochs, full.subset.epochs, full.srmmp.epochs, full.esol.epochs) == (20, 15, 60, 50)
    assert full.esol.lr == 5e-4 and full.full.lr == 1e-3 and full.full.batch_size == 32
    table = full.schedules()
    assert table.loc["SR-MMP NFP", "paper epochs"] == 200 and table.loc["ESOL NFP, each fold", "epochs (cap)"] == 50
    assert table.loc["SR-MMP NFP", "patience"] == 10 and set(quick.schedules()["patience"]) == {"all epochs"}


def test_table1_methods_use_display_names_and_m():
    methods = table1_methods(7, sigma=0.2)
    assert list(methods) == list(METHODS) == list(PAPER_TABLE1)
    assert all(options["method"] == name for name, options in methods.items())
    assert "num_samples" not in methods["VanillaGrad"] and methods["BayesGrad"]["num_samples"] == 7
    assert methods["SmoothGrad"]["sigma"] == 0.2 and "sigma" not in methods["BayesGrad"]


def test_pyridine_task_splits_labels_and_ground_truth():
    task = pyridine_task(molecules(), n_test=4, n_val=3, seed=1)
    assert task.labels.tolist() == [1] * 4 + [0] * 6
    assert sorted(g.mol_id for g in task.train + task.val + task.test) == list(range(10))
    assert [len(task.train), len(task.val), len(task.test)] == [3, 3, 4]
    assert [g.mol_id for g in task.test] == task.ids["test"].tolist()
    assert all(g.y.item() == 1 for g in task.positives) and len(task.positive_atoms) == len(task.positives)
    assert all(len(atoms) == 6 for atoms in task.positive_atoms)    # the six pyridine ring atoms
    assert task.counts().loc["all", "pyridine (y=1)"] == 4
    assert task.results()["pyridine_counts"] == {"positive": 4, "negative": 6,
                                                 "held_out_positive": len(task.positives)}
    with pytest.raises(ValueError, match="sizes"):
        pyridine_task(molecules(), n_test=8, n_val=5)


def test_task_split_drops_missing_labels_and_keeps_parts():
    data = molecules(tasks=2)
    ids = {"train": torch.tensor([5, 0, 3]), "val": torch.tensor([1, 2]), "test": torch.tensor([9, 4])}
    split = task_split(data, "T1", ids)
    assert [g.mol_id for g in split.train] == [3, 5]    # molecule 0 has no T1 label; molecule order
    assert [g.mol_id for g in split.val] == [1, 2] and [g.mol_id for g in split.test] == [4, 9]
    with pytest.raises(ValueError, match="task"):
        task_split(data, "SR-MMP", ids)


def test_held_out_rocauc_orders_logits():
    class ByAtoms(torch.nn.Module):  # logit = number of atoms - 5
        def forward(self, x, edge_index, edge_type=None, batch=None):
            return torch.bincount(batch, minlength=int(batch.max()) + 1).float().unsqueeze(-1) - 5

    graphs = [graph_from_smiles(s)[0] for s in ["C", "CC", "CCCCCCC", "CCCCCCCC"]]
    for g, y in zip(graphs, [0.0, 0.0, 1.0, 1.0]):
        g.y = torch.tensor([y])
    assert held_out_rocauc(ByAtoms(), graphs) == 1.0
    graphs[0].y = torch.tensor([1.0])
    assert held_out_rocauc(ByAtoms(), graphs) == pytest.approx(2 / 3)


def study_of(values: dict[str, list[float]]) -> SmallDataStudy:
    per_model = pd.DataFrame({**values, **{f"{m} (quirk)": [v - 0.1 for v in vs] for m, vs in values.items()}})
    per_model.index.name = "subset"
    curves = {m: [([0.0, 1.0], [1.0, v]) for v in vs] for m, vs in values.items()}
    return SmallDataStudy(per_model, curves, last_model=torch.nn.Identity(), seconds=0.0)


def test_small_data_summary_uses_the_sample_std_and_the_paired_test():
    study = study_of({"VanillaGrad": [0.4, 0.5, 0.6], "BayesGrad": [0.5, 0.7, 0.6]})
    summary = study.summary()
    assert summary.loc["BayesGrad", "PR-AUC mean"] == pytest.approx(0.6)
    assert summary.loc["BayesGrad", "PR-AUC std"] == pytest.approx(0.1)       # ddof = 1: sqrt(0.02 / 2)
    assert summary.loc["VanillaGrad", "mean, original quirk"] == pytest.approx(0.4)
    assert summary.loc["BayesGrad", "paper mean (Akita et al. 2018, Table 1)"] == 0.544
    paired = study.paired_test()    # differences 0.1, 0.2, 0.0: mean 0.1, sd 0.1, t = 0.1 / (0.1 / sqrt 3)
    assert paired["t"] == pytest.approx(3 ** 0.5) and paired["wins"] == 2 and paired["n"] == 3
    assert study.mean_curves()["BayesGrad"] == (pytest.approx([0.0, 1.0]), pytest.approx([1.0, 0.6]))
    results = study.results()
    assert results["pyridine_prauc"]["VanillaGrad"] == {"mean": pytest.approx(0.5), "std": pytest.approx(0.1),
                                                         "n_models": 3}
    assert results["bayesgrad_vs_vanillagrad_pvalue"] == pytest.approx(paired["pvalue"])
    assert results["paper_pyridine_prauc"]["BayesGrad"] == {"mean": 0.544, "std": 0.019}
    with pytest.raises(ValueError, match="ddof"):
        study_of({"BayesGrad": [0.5]}).prauc()


def test_small_data_study_trains_one_model_per_subset(tmp_path, monkeypatch):
    monkeypatch.setenv("GNNEXPLAIN_DATA_DIR", str(tmp_path))
    task = pyridine_task(molecules(PYRIDINES * 2 + OTHERS), n_test=6, n_val=4, seed=0)
    config = TrainConfig(epochs=1, lr=1e-2, weight_decay=0.0, patience=None, batch_size=4)
    study = small_data_study(task, table1_methods(2), n_subsets=2, subset_size=5, config=config, seed=3)
    assert list(study.per_model.index) == [0, 1] and study.methods == list(METHODS)
    assert study.per_model[list(METHODS)].apply(lambda c: c.between(0, 1)).all().all()
    assert all(len(pairs) == 2 for pairs in study.curves.values()) and isinstance(study.last_model, GGNN)
    with pytest.raises(ValueError, match="n_subsets"):
        small_data_study(task, table1_methods(2), n_subsets=0, subset_size=5, config=config)


def test_tyrphostin_study_ranks_the_phenolic_o():
    torch.manual_seed(0)
    study = tyrphostin_study(NFP(hidden_channels=8, num_layers=2, dropout=0.25), num_samples=3)
    table = study.table
    assert list(table.index) == list(TYRPHOSTIN)
    assert table.loc["Tyrphostin 9", "site"] == "O6" and table.loc["OH -> CH3 analogue", "site"] == "C6"
    assert table["site rank"].between(1, table["atoms"]).all() and table["site percentile"].between(0, 100).all()
    assert ((table["site rank"] <= 2) == table["highlighted"]).all()           # 21 atoms: the top max(1, 2)
    assert study.reproduced == bool(table["highlighted"].iloc[0] and not table["highlighted"].iloc[1])
    assert all(len(study.maps[n]) == study.mols[n].GetNumAtoms() for n in TYRPHOSTIN)
    assert study.results()["tyrphostin"][0]["molecule"] == "Tyrphostin 9"
    with pytest.raises(ValueError, match="hydroxyl"):
        tyrphostin_study(NFP(hidden_channels=8, num_layers=2), {"a": "CCC", "b": "CCC"}, num_samples=2)


def test_tyrphostin_reading_needs_the_first_highlighted_and_the_second_not():
    def reading(flags):
        return TyrphostinStudy(pd.DataFrame({"highlighted": flags}), {}, {}).reproduced

    assert reading([True, False, False]) and not reading([True, True]) and not reading([False, False])


def test_esol_maps_cover_each_held_out_molecule_and_environment_table():
    torch.manual_seed(0)
    data = molecules()
    folds = [{"model": NFP(hidden_channels=8, num_layers=2, dropout=0.25), "test": torch.tensor(ids)}
             for ids in ([3, 0, 7], [1, 2])]
    maps = esol_signed_maps(folds, data.graphs, num_samples=2)
    assert list(maps) == [3, 0, 7, 1, 2] and all(len(maps[i]) == data.graphs[i].num_nodes for i in maps)
    table = environment_importance({5: torch.tensor([1.0, -3.0, 1.0]),                     # CCO
                                    9: torch.tensor([2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 0.5])}, data.mols)  # phenol
    assert table.loc["hydroxyl O", "mean"] == pytest.approx(0.75) and table.loc["hydroxyl O", "count"] == 2
    assert table.loc["hydroxyl O", "fraction positive"] == 1.0 and table.loc["aliphatic C", "mean"] == -1.0
    assert table.loc["aromatic C", "mean"] == pytest.approx(4.5) and table.loc["aromatic C", "count"] == 6
    with pytest.raises(ValueError, match="at least one"):
        environment_importance({}, data.mols)
    with pytest.raises(ValueError, match="atoms"):
        environment_importance({5: torch.tensor([1.0, 2.0])}, data.mols)


def test_speed_study_times_every_method_and_the_loop():
    model, graphs = GGNN(hidden_channels=8, num_layers=2).eval(), molecules().graphs[:2]
    speed = speed_study(model, graphs, table1_methods(3), num_samples=3)
    assert list(speed.seconds) == list(METHODS) and speed.loop_seconds > 0
    assert speed.table().index[-1] == "BayesGrad as a loop of 3 passes"
    assert set(speed.results()) == {"seconds_per_molecule", "bayesgrad_loop_seconds_per_molecule"}
    with pytest.raises(ValueError, match="at least one"):
        speed_study(model, [], table1_methods(3), num_samples=3)


def test_figures_and_drawings(tmp_path):
    fig = pr_curves_figure({"BayesGrad": ([0.2, 0.9], [0.8, 0.4])}, {"BayesGrad": 0.25}, num_models=3)
    assert fig.data[0].name == "BayesGrad (PR-AUC 0.250)" and list(fig.data[0].y) == [0.8, 0.4]
    with pytest.raises(KeyError):
        pr_curves_figure({"SmoothGrad": ([0.0], [1.0])}, {}, num_models=1)
    torch.manual_seed(0)
    model, (g, mol) = GGNN(hidden_channels=8, num_layers=2), graph_from_smiles("Oc1ccncc1")
    svgs = method_svgs(model, g, mol, table1_methods(2), legend="hydroxypyridine")
    assert list(svgs) == [*METHODS, "BayesGrad_std"] and all(s.startswith("<svg") for s in svgs.values())
    assert "std over 2 samples" in svgs["BayesGrad_std"] and "hydroxypyridine" in svgs["SmoothGrad"]
    signed = study_svgs({0: torch.tensor([1.0, -1.0]), 1: torch.tensor([-4.0, 4.0, 0.0])},
                        [mol_from_smiles("CO"), mol_from_smiles("CCO")], {0: "methanol"}, signed=True,
                        shared_scale=True)
    assert list(signed) == [0] and "-4 (blue)" in signed[0]               # the scale of all maps, not its own
    paths = save_svgs({"OH -> CH3 analogue": signed[0]}, prefix="srmmp_", notebook="03_bayesgrad", out_dir=tmp_path)
    assert paths[0].name == "srmmp_OH__CH3_analogue.svg" and paths[0].read_text() == signed[0]


def test_sanity_table_on_molecule_models():
    torch.manual_seed(1)
    graphs = [graph_from_smiles(s)[0] for s in PYRIDINES[:3]]
    ggnn = GGNN(hidden_channels=8, num_layers=2).eval()
    table = sanity_table(ggnn, graphs, table1_methods(8))
    assert list(table) == list(METHODS) and all(r["n"] == 3 and r["n_undefined"] == 0 for r in table.values())
    assert table["VanillaGrad"]["rho_seeds"] == pytest.approx(1.0)  # deterministic: the seed changes nothing
    assert table["BayesGrad"]["rho_seeds"] < 1.0                     # dropout masks drawn from the seed
    assert table["VanillaGrad"]["passes"]  # re-initialising the weights re-orders the gradient map
    nfp = NFP(hidden_channels=8, num_layers=2).eval()
    signed = sanity_table(nfp, graphs, {"BayesGrad": dict(method="BayesGrad", num_samples=4, signed=True)},
                          mode="regression", seeds=(0, 1, 2))
    assert set(signed["BayesGrad"]) == {"rho_randomized_model", "rho_seeds", "passes", "n", "n_undefined"}
    with pytest.raises(ValueError, match="at least one"):
        sanity_table(ggnn, [], table1_methods(8))


def test_the_randomised_copy_keeps_eval_mode_and_bayesgrad_dropout():
    torch.manual_seed(1)  # seed 0 would draw the same weights as randomized_copy(seed=0)
    g = graph_from_smiles("Cc1ccncc1O")[0]
    model = GGNN(hidden_channels=8, num_layers=2).eval()
    copy_ = randomized_copy(model, seed=0)
    assert not copy_.training and not torch.equal(copy_.embedding.weight, model.embedding.weight)
    kwargs = dict(x=g.x, edge_index=g.edge_index, edge_type=g.edge_type)
    assert torch.equal(copy_(**kwargs), copy_(**kwargs))  # eval: dropout off outside BayesGrad
    explainer = saliency_explainer(copy_, "BayesGrad", num_samples=2)
    first, second = (explainer(**kwargs, seed=s).node_mask for s in (0, 1))
    assert not torch.equal(first, second)  # BayesGrad switches the copy's dropout on


def test_drawings_say_when_a_method_fails_the_sanity_check():
    torch.manual_seed(0)
    model, (g, mol) = GGNN(hidden_channels=8, num_layers=2), graph_from_smiles("Oc1ccncc1")
    verdicts = {m: {"passes": m != "SmoothGrad"} for m in METHODS}
    svgs = method_svgs(model, g, mol, table1_methods(2), legend="hydroxypyridine", sanity=verdicts)
    assert FAILS_NOTE in svgs["SmoothGrad"] and not any(FAILS_NOTE in svgs[m] for m in METHODS if m != "SmoothGrad")
    maps = {0: torch.tensor([1.0, 2.0])}
    assert FAILS_NOTE in study_svgs(maps, [mol_from_smiles("CO")], {0: "methanol"}, sanity={"passes": False})[0]
    assert FAILS_NOTE not in study_svgs(maps, [mol_from_smiles("CO")], {0: "methanol"}, sanity={"passes": True})[0]


def test_explorer_draws_mean_and_std():
    import ipywidgets as widgets

    torch.manual_seed(0)
    model, (g, mol) = GGNN(hidden_channels=8, num_layers=2), graph_from_smiles("Oc1ccncc1")
    box = saliency_explorer({"GGNN": (model, "binary_classification")}, [g], [mol], molecule="0")
    controls, panes = box.children[0].children, box.children[1].children
    assert [c.description for c in controls[:3]] == ["index/SMILES", "model", "method"]
    def shown(pane):  # the HTML an explorer pane (an Output widget) displays
        return pane.outputs[0]["data"]["text/html"]

    assert len(panes) == 2 and "BayesGrad mean: #0" in shown(panes[0]) and "std over 40 samples" in shown(panes[1])
    controls[2].value = "VanillaGrad"     # M is forced to 1
    assert "std over 1 samples" in shown(box.children[1].children[1])
    controls[0].value = "C1CC("            # an invalid SMILES is shown as a message
    assert "invalid SMILES" in shown(box.children[1].children[0])
