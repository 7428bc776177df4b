"""Notebook 01's experiment helpers (docs/01_dgcnn_gradcam.md §1.4–1.6) and its figures, on tiny inputs."""

import copy

import pytest
import torch

from gnnexplain.data import brain_graphs, brain_networks
from gnnexplain.experiments import dgcnn_gradcam
from gnnexplain.metrics.sanity import FAILS_NOTE, randomized_copy
from gnnexplain.models import TrainConfig, stratified_folds
from gnnexplain.viz.dgcnn_gradcam import gradcam_graph_figure, level_heatmaps, state_graph_drawer


def scored_level(auroc, control, precision):
    names = dgcnn_gradcam.SCORE_NAMES
    return {"auroc": dict.fromkeys(names, auroc), "control": dict.fromkeys(names, control), "precision": precision}


def test_level_training_follows_the_paper_and_quick_mode():
    full, quick = dgcnn_gradcam.level_training(quick=False), dgcnn_gradcam.level_training(quick=True)
    assert list(full) == list(dgcnn_gradcam.LEVELS) == [100, 70, 50, 30, 10]
    assert {p: c.epochs for p, c in full.items()} == {100: 50, 70: 50, 50: 50, 30: 100, 10: 100}
    assert {p: c.epochs for p, c in quick.items()} == {100: 25, 70: 25, 50: 25, 30: 35, 10: 35}
    assert full[70].patience == 10 and quick[70].patience is None
    assert (full[10].batch_size, quick[10].batch_size, full[10].lr, full[10].weight_decay) == (25, 10, 1e-3, 0.0)


def test_fold_accuracy_is_the_float32_sample_std():
    folds = [{"test_acc": a} for a in (0.5, 0.75, 1.0)]
    out = dgcnn_gradcam.fold_accuracy(folds)
    assert out["n"] == 3 and out["mean"] == pytest.approx(0.75) and out["std"] == pytest.approx(0.25)
    assert out["std"] == float(torch.tensor([0.5, 0.75, 1.0]).std())
    with pytest.raises(ValueError, match="at least two folds"):
        dgcnn_gradcam.fold_accuracy(folds[:1])


def test_random_auroc_is_seeded_and_near_chance():
    truth = torch.zeros(40, dtype=torch.bool)
    truth[:8] = True
    first = dgcnn_gradcam.random_auroc(truth, 40, seed=3)
    assert first == dgcnn_gradcam.random_auroc(truth, 40, seed=3) != dgcnn_gradcam.random_auroc(truth, 40, seed=4)
    assert 0.35 < first < 0.65
    with pytest.raises(ValueError, match="draws=0"):
        dgcnn_gradcam.random_auroc(truth, 0)


def test_ground_truth_table_and_results():
    scored = {70: scored_level(1.0, 0.5, 0.875), 10: scored_level(0.25, 0.5, 0.0)}
    table = dgcnn_gradcam.ground_truth_table(scored, random=0.51, oracle=0.99)
    assert list(table.index) == [70, 10] and table.index.name == "p (%)"
    assert table.loc[70, "Grad-CAM: mean difference"] == 1.0
    assert table.loc[10, "position-only (H≡1): high mass"] == 0.5
    assert table.loc[70, "Precision@8 (mean difference)"] == 0.875 and (table["random"] == 0.51).all()
    assert table.shape[1] == 2 * len(dgcnn_gradcam.SCORE_NAMES) + 3
    results = dgcnn_gradcam.ground_truth_results(scored)
    assert results["gt_auroc_by_p"] == {70: 1.0, 10: 0.25}
    assert results["position_control_auroc_by_p"] == {70: 0.5, 10: 0.5}
    assert results["precision_at_8_by_p"] == {70: 0.875, 10: 0.0}
    assert results["gt_auroc_all_scores_by_p"][10] == scored[10]["auroc"]


def test_accuracy_results_label_the_paper_as_fractions():
    out = dgcnn_gradcam.accuracy_results({70: {"mean": 0.9, "std": 0.1, "n": 3}})
    assert out["accuracy_by_p"] == {70: 0.9} and out["accuracy_std_by_p"] == {70: 0.1}
    assert out["paper_accuracy_by_p"][70] == pytest.approx(0.985)


def test_seed_study_table_and_population_std():
    study = {0: {"accuracy": 1.0, "oracle": 1.0, "precision": 1.0, **scored_level(1.0, 0.5, 1.0)},
             1: {"accuracy": 0.5, "oracle": 0.9, "precision": 0.5, **scored_level(0.6, 0.5, 0.5)}}
    table = dgcnn_gradcam.seed_study_table(study)
    assert list(table.columns) == list(dgcnn_gradcam.SEED_STUDY_COLUMNS) and list(table.index) == [0, 1]
    assert table.loc[1, "AUROC (mean difference)"] == 0.6
    summary = dgcnn_gradcam.seed_study_summary(study)
    assert summary["n_seeds"] == 2 and summary["mean"]["CV accuracy"] == 0.75
    assert summary["std"]["CV accuracy"] == pytest.approx(0.25)  # ddof = 0
    assert summary["std"]["position-only control"] == 0.0
    with pytest.raises(ValueError):
        dgcnn_gradcam.seed_study_summary({})


@pytest.fixture(scope="module")
def explained_levels(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("GNNEXPLAIN_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    networks = brain_networks(6, n_nodes=20, n_inf=3, seed=1)
    graphs = {p: brain_graphs(networks, p) for p in (100, 50)}
    configs = {p: TrainConfig(epochs=1, lr=1e-3, weight_decay=0.0, patience=None, batch_size=4) for p in graphs}
    trained = dgcnn_gradcam.cross_validate_levels(networks, graphs, stratified_folds(networks.y, 2, seed=0),
                                                  configs=configs, k=10, seed=0)
    mp.undo()
    explained = {p: dgcnn_gradcam.explain_folds(trained["folds"][p], graphs[p]) for p in graphs}
    return networks, graphs, trained, explained


def test_cross_validate_levels_trains_every_level_on_the_folds(explained_levels):
    networks, graphs, trained, _ = explained_levels
    assert list(trained["folds"]) == list(trained["seconds"]) == [100, 50]
    assert all(len(folds) == 2 for folds in trained["folds"].values())
    covered = torch.cat([f["test_index"] for f in trained["folds"][50]]).sort().values
    assert covered.tolist() == list(range(len(networks.y)))
    assert all(s > 0 for s in trained["seconds"].values())


def test_figures_and_drawer(explained_levels):
    networks, graphs, _, explained = explained_levels
    zeros = torch.zeros(networks.num_nodes, 11)
    heatmaps = level_heatmaps({p: (zeros, zeros) for p in graphs}, networks.informative.tolist())
    assert list(heatmaps) == [100, 50] and "p = 50%" in heatmaps[50].layout.title.text
    fig = gradcam_graph_figure(explained[50], graphs[50], 0, 50, truth=networks.ground_truth)
    assert f"{graphs[50][0].num_edges // 2} edges" in fig.layout.title.text
    with pytest.raises(IndexError, match="index=12"):
        gradcam_graph_figure(explained[50], graphs[50], 12, 50, truth=networks.ground_truth)
    draw = state_graph_drawer(explained, graphs, heatmaps, networks.y, truth=networks.ground_truth)
    graph_fig, heatmap = draw(50, "State2", 1)
    index = int((networks.y == 1).nonzero()[1])
    assert heatmap is heatmaps[50] and graph_fig.layout.title.text.startswith(f"graph {index} (State2")
    with pytest.raises(IndexError, match="i=6 is outside 0..5 for State1"):
        draw(100, "State1", 6)
    assert FAILS_NOTE not in fig.layout.title.text and FAILS_NOTE not in heatmaps[50].layout.title.text


def test_figures_say_when_a_level_fails_the_sanity_check(explained_levels):
    networks, graphs, _, explained = explained_levels
    zeros = torch.zeros(networks.num_nodes, 11)
    passes = {100: False, 50: True}
    heatmaps = level_heatmaps({p: (zeros, zeros) for p in graphs}, networks.informative.tolist(), passes)
    assert FAILS_NOTE in heatmaps[100].layout.title.text and FAILS_NOTE not in heatmaps[50].layout.title.text
    draw = state_graph_drawer(explained, graphs, heatmaps, networks.y, truth=networks.ground_truth, passes=passes)
    assert FAILS_NOTE in draw(100, "State1", 0)[0].layout.title.text
    assert FAILS_NOTE not in draw(50, "State1", 0)[0].layout.title.text


def test_sanity_table_per_level_and_over_all_levels(explained_levels):
    _, graphs, trained, _ = explained_levels
    table = dgcnn_gradcam.sanity_table(trained["folds"], graphs, n_graphs=2)
    assert list(table["sanity_by_p"]) == [100, 50] and list(table["sanity"]) == ["Grad-CAM"]
    overall = table["sanity"]["Grad-CAM"]
    assert overall["n"] == 4 and isinstance(overall["passes"], bool)
    for level in table["sanity_by_p"].values():
        assert level["n"] == 2 and 0 <= level["n_undefined"] <= 2
        assert 0 <= level["empty_cam_trained"] <= 1 and 0 <= level["empty_cam_randomized"] <= 1
        if level["n_undefined"] < 2:
            assert level["rho_seeds"] == pytest.approx(1.0)  # Grad-CAM is deterministic: the seed changes nothing
    with pytest.raises(ValueError, match="n_graphs=0"):
        dgcnn_gradcam.sanity_table(trained["folds"], graphs, n_graphs=0)


def test_an_empty_cam_ranks_nothing_and_does_not_pass(explained_levels):
    _, graphs, trained, _ = explained_levels
    model = copy.deepcopy(trained["folds"][50][0]["model"])
    with torch.no_grad():  # conv2 maps ReLU(0 + b) with b < 0: zero everywhere, so H = 0
        model.conv2.weight.zero_()
        model.conv2.bias.fill_(-1.0)
    assert dgcnn_gradcam.empty_cam_share(model, graphs[50][:3]) == 1.0
    folds = {50: [{**trained["folds"][50][0], "model": model}]}
    level = dgcnn_gradcam.sanity_table(folds, graphs, n_graphs=2)["sanity_by_p"][50]
    assert level["n_undefined"] == 2 and level["passes"] is False
    assert level["empty_cam_trained"] == 1.0


def test_randomized_copy_of_a_dgcnn_keeps_its_head_and_changes_its_weights(explained_levels):
    _, graphs, trained, _ = explained_levels
    model = trained["folds"][50][0]["model"]
    copy_ = randomized_copy(model, seed=0)
    g = graphs[50][0]
    assert torch.equal(copy_.receptive_fields(), model.receptive_fields()) and not copy_.training
    assert not torch.allclose(copy_.trace(g.x, g.edge_index).maps, model.trace(g.x, g.edge_index).maps)
