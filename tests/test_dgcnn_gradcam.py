"""DGCNN, SortPooling, sparsification, the brain-network generator and Grad-CAM importance frequency
(Palcu et al. 2019; docs/01_dgcnn_gradcam.md §1.9)."""

import pytest
import torch
from torch_geometric.data import Batch, Data

from gnnexplain.data import Sparsify, brain_graphs, brain_networks, ewd_features, oracle_scores, sparsify_mask
from gnnexplain.experiments.dgcnn_gradcam import explain_graphs, frequency_scores, gradcam_explainer
from gnnexplain.explain.gradcam import class_frequency, gradcam_map, importance_frequency, node_groups
from gnnexplain.metrics import node_auroc, precision_at_k
from gnnexplain.models import DGCNN, SortPooling, sortpool_k, stratified_folds
from gnnexplain.viz import class_difference_heatmap, weighted_graph_figure


@pytest.fixture(scope="module")
def small_net():
    return brain_networks(6, n_nodes=20, n_inf=3, seed=1)


# --- receptive field (§1.3) --------------------------------------------------------------------------

def test_receptive_field_matches_perturbation_and_skips_last_position():
    torch.manual_seed(0)
    model = DGCNN(5, 2, k=85).eval()
    with torch.no_grad():
        model.conv1.bias.fill_(1.0)  # keep the ReLUs open, so that a perturbation can propagate
        model.conv2.bias.fill_(1.0)
    pooled = torch.rand(1, 85, model.total_dim)
    base = model.conv_maps(pooled)[0]
    fields = model.receptive_fields()
    assert fields.shape == (38, 10) and int(fields.max()) == 83
    for i in range(85):
        bumped = pooled.clone()
        bumped[0, i] += 5 * torch.randn(model.total_dim)
        changed = set(((model.conv_maps(bumped)[0] - base).abs().amax(0) > 1e-6).nonzero().view(-1).tolist())
        allowed = {t for t in range(38) if 2 * t <= i <= 2 * t + 9}
        assert allowed == set((fields == i).any(1).nonzero().view(-1).tolist())
        assert changed <= allowed, f"position {i} changed conv2 outputs {changed - allowed} outside its field"
        if i == 84:
            assert changed == set()
        elif i in (0, 40):
            assert changed, f"position {i} changed nothing"


# --- SortPooling -------------------------------------------------------------------------------------

def test_sortpooling_permutation_padding_and_stable_ties():
    x = torch.tensor([[0.0, 0.5], [1.0, 0.9], [2.0, 0.5], [3.0, 0.1],  # graph 0: tie 0.5 at nodes 0 and 2
                      [4.0, 0.3], [5.0, 0.7]])                       # graph 1: 2 nodes -> padded
    batch = torch.tensor([0, 0, 0, 0, 1, 1])
    pooled, perm = SortPooling(3)(x, batch)
    assert perm.tolist() == [[1, 0, 2], [1, 0, -1]]
    assert torch.equal(pooled[0], x[[1, 0, 2]])
    assert torch.equal(pooled[1, :2], x[[5, 4]]) and torch.equal(pooled[1, 2], torch.zeros(2))
    # tie-break on the preceding channel: node 2 (2.0) before node 0 (0.0)
    assert SortPooling(3, tie_break=True)(x, batch)[1][0].tolist() == [1, 2, 0]
    with pytest.raises(ValueError, match="k=0"):
        SortPooling(0)


def test_sortpool_k_percentile_rule():
    assert sortpool_k([85] * 10, 0.6) == 85
    assert sortpool_k([3, 5, 8, 20, 30], 0.6) == 10  # 8 -> max(10, 8)
    assert sortpool_k([3, 5], 25) == 25
    with pytest.raises(ValueError):
        sortpool_k([], 0.6)


def test_dgcnn_forward_shapes_and_norms():
    g = Data(x=torch.randn(12, 4), edge_index=torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]]))
    batch = Batch.from_data_list([g, g])
    for norm in ("rw_dgcnn", "gcn_sym"):
        model = DGCNN(4, 3, k=10, norm=norm).eval()
        trace = model.trace(batch.x, batch.edge_index, batch.batch)
        assert trace.logits.shape == (2, 3) and trace.maps.shape == (2, 32, 1) and trace.perm.shape == (2, 10)
        assert torch.allclose(trace.logits[0], trace.logits[1], atol=1e-6)  # identical graphs
    with pytest.raises(ValueError, match="norm="):
        DGCNN(4, 2, norm="sym")
    with pytest.raises(ValueError, match="too small"):
        DGCNN(4, 2, k=8)


def test_dgcnn_conv1_equals_flattened_conv1d():
    torch.manual_seed(0)
    model = DGCNN(3, 2, k=11)
    pooled = torch.randn(2, 11, model.total_dim)
    reference = torch.relu(model.conv2(torch.nn.functional.max_pool1d(
        torch.relu(model.conv1(pooled.reshape(2, 1, -1))), 2, 2)))
    assert torch.allclose(model.conv_maps(pooled), reference, atol=1e-5)


# --- sparsification (eq. 1) --------------------------------------------------------------------------

def test_sparsify_hand_made_graph():
    w = torch.tensor([0.125, 0.5, 0.125, 0.25])  # total 1.0, exact in binary
    assert sparsify_mask(w, 100).all()
    assert not sparsify_mask(w, 0).any()
    assert sparsify_mask(w, 80).tolist() == [False, True, False, True]   # 0.5, 0.75 < 0.8; 0.875 stops
    assert not sparsify_mask(w, 50).any()                               # 0.5 >= 0.5 stops at once
    assert sparsify_mask(w, 50, "asc").tolist() == [True, False, True, False]  # weakest: 0.125 + 0.125
    assert sparsify_mask(torch.tensor([0.9, -0.5, 0.2]), 100).all()     # negative weights: p=100 keeps all


def test_sparsify_is_monotone_in_p_and_vectorised():
    w = torch.rand(7, 50) * 1.6 - 0.4
    counts = torch.stack([sparsify_mask(w, p).sum(1) for p in range(0, 101, 5)])
    assert (counts.diff(dim=0) >= 0).all()
    assert torch.equal(sparsify_mask(w, 37), torch.stack([sparsify_mask(row, 37) for row in w]))


@pytest.mark.parametrize("p", [-1, 100.5, "50", True])
def test_sparsify_rejects_bad_p(p):
    with pytest.raises(ValueError, match="p=.*\\[0, 100\\]"):
        sparsify_mask(torch.rand(4), p)
    with pytest.raises(ValueError, match="p="):
        Sparsify(p)


def test_sparsify_transform_keeps_both_directions_and_rejects_directed_graphs():
    edge_index = torch.tensor([[0, 1, 1, 2, 0, 2], [1, 0, 2, 1, 2, 0]])
    data = Data(edge_index=edge_index, edge_weight=torch.tensor([0.5, 0.5, 0.25, 0.25, 0.25, 0.25]), num_nodes=3)
    out = Sparsify(70)(data)  # 0.5 < 0.7, 0.75 >= 0.7: keep the 0-1 edge only
    assert out.edge_index.tolist() == [[0, 1], [1, 0]] and out.edge_weight.tolist() == [0.5, 0.5]
    with pytest.raises(ValueError, match="undirected"):
        Sparsify(70)(Data(edge_index=edge_index[:, :3], edge_weight=torch.ones(3), num_nodes=3))
    with pytest.raises(ValueError, match="order="):
        Sparsify(70, order="descending")


# --- Algorithm 1 -------------------------------------------------------------------------------------

def test_importance_frequency_hand_made():
    h = torch.tensor([0.05, 0.55, 1.0, 0.7])
    groups = torch.tensor([[0, 1], [1, 2], [2, -1], [0, 0]])
    expected = torch.zeros(3, 11, dtype=torch.long)
    expected[0, 0] = expected[1, 0] = expected[1, 5] = expected[2, 5] = expected[2, 10] = 1
    expected[0, 7] = 2  # 0.7 lands in bin 7 (not 6), counted once per occurrence
    assert torch.equal(importance_frequency(h, groups, 3), expected)
    batched = importance_frequency(torch.stack([h, h.flip(0)]), torch.stack([groups, groups.flip(0)]), 3)
    assert torch.equal(batched[0], expected) and torch.equal(batched[1], expected)
    with pytest.raises(ValueError, match="\\[0, 1\\]"):
        importance_frequency(torch.tensor([1.2]), torch.tensor([[0]]), 3)
    with pytest.raises(ValueError, match="num_nodes=3"):
        importance_frequency(torch.tensor([0.5]), torch.tensor([[3]]), 3)


def test_gradcam_map_eqs_2_to_4():
    maps = torch.tensor([[[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]]])       # [1, 2 channels, 3]
    grads = torch.tensor([[[1.0, 1.0, 1.0], [-1.0, -2.0, 0.0]]])    # alpha = [1, -1]
    raw = torch.relu(torch.tensor([1.0, 1.0, -3.0]))
    assert torch.allclose(gradcam_map(maps, grads), raw / raw.max()[None])
    assert torch.equal(gradcam_map(maps, torch.zeros_like(grads)), torch.zeros(1, 3))
    with pytest.raises(ValueError, match="normalize="):
        gradcam_map(maps, grads, "l2")


def test_node_groups_map_positions_through_perm():
    perm = torch.tensor([[2, 0, 1, -1]])
    assert node_groups(perm, torch.tensor([[0, 1], [2, 3]])).tolist() == [[[2, 0], [1, -1]]]
    with pytest.raises(ValueError, match="outside"):
        node_groups(perm, torch.tensor([[3, 4]]))


def test_class_frequency_and_scores():
    freq = torch.zeros(3, 2, 11, dtype=torch.long)
    freq[0, 0, 10] = freq[1, 0, 10] = 2
    freq[2, 1, 1] = 1
    y, pred = torch.tensor([0, 0, 1]), torch.tensor([0, 1, 1])
    assert class_frequency(freq, y, pred, 0)[0, 10] == 2          # graph 1 is misclassified
    assert class_frequency(freq, y, pred, 0, "true_class")[0, 10] == 2
    assert class_frequency(freq, y, pred, 0, "all")[0, 10] == pytest.approx(4 / 3)
    scores = frequency_scores(class_frequency(freq, y, pred, 0), class_frequency(freq, y, pred, 1))
    assert scores["mean_difference"].tolist() == pytest.approx([1.0, 0.1])
    assert scores["high"].tolist() == pytest.approx([2.0, 0.0])
    with pytest.raises(ValueError, match="graph_set="):
        class_frequency(freq, y, pred, 0, "correct")


# --- generator ---------------------------------------------------------------------------------------

def test_generator_is_bit_identical_and_seeded():
    a, b, c = brain_networks(5, seed=3), brain_networks(5, seed=3), brain_networks(5, seed=4)
    assert torch.equal(a.weights, b.weights) and torch.equal(a.y, b.y) and torch.equal(a.informative, b.informative)
    assert not torch.equal(a.weights, c.weights)
    assert torch.equal(a.weights, a.weights.transpose(1, 2)) and a.weights.abs().max() <= 1
    assert (a.weights.diagonal(dim1=1, dim2=2) == 0).all() and a.y.bincount().tolist() == [5, 5]


def test_generator_plants_the_shift_on_s():
    net = brain_networks(150, n_nodes=40, n_inf=5, delta=0.25, seed=0)
    strength = net.weights.sum(-1) / 39
    shift = strength[net.y == 1].mean(0) - strength[net.y == 0].mean(0)
    gt = net.ground_truth
    assert shift[gt].mean().item() == pytest.approx(-0.25, abs=0.02)
    assert shift[~gt].mean().item() == pytest.approx(-0.25 * 5 / 39, abs=0.01)  # leakage via edges into S
    assert node_auroc(oracle_scores(net), gt) == 1.0
    with pytest.raises(ValueError, match="mode="):
        brain_networks(2, mode="ewd")


def test_brain_graphs_features_and_edges(small_net):
    graphs = brain_graphs(small_net, 100)
    assert len(graphs) == 12 and graphs[0].x.shape == (20, 40)
    assert graphs[0].edge_index.size(1) == 20 * 19
    assert torch.allclose(graphs[0].x[:, :20].sum(1), torch.ones(20))    # dEWD rows: all 19 edges / 19
    assert torch.equal(graphs[0].x[:, 20:], torch.eye(20))
    sparse = brain_graphs(small_net, 30)
    degree = torch.bincount(sparse[0].edge_index[0], minlength=20)
    assert torch.allclose(sparse[0].x[:, :20].sum(1), degree / 19)
    with pytest.raises(ValueError):
        ewd_features(small_net.weights, small_net.weights > 0, 0)


# --- the explainer -----------------------------------------------------------------------------------

def test_gradcam_explainer_batched_equals_single(small_net):
    torch.manual_seed(0)
    graphs = brain_graphs(small_net, 70)
    model = DGCNN(graphs[0].num_features, 2, k=20).eval()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    explainer = gradcam_explainer(model)
    both = explain_graphs(explainer, graphs[:2])
    one = explain_graphs(explainer, graphs[1:2])
    assert torch.allclose(both.cam[1], one.cam[0], atol=1e-5)
    assert both.cam.shape == (2, 6) and both.frequency.shape == (2, 20, 11) and both.node_mask.shape == (40, 1)
    assert float(both.cam.max()) <= 1 and float(both.cam.min()) >= 0
    coverage = (both.groups[0].unsqueeze(-1) == torch.arange(20)).sum((0, 1))
    assert torch.equal(both.frequency[0].sum(1), coverage)  # every covering element counted once
    assert all(torch.equal(v, state[k]) for k, v in model.state_dict().items())
    with pytest.raises(ValueError, match="explanation_type="):
        gradcam_explainer(model, explanation_type="phenomena")


def test_stratified_folds_and_metrics():
    y = torch.tensor([0, 1] * 10)
    folds = stratified_folds(y, 5, seed=0)
    assert torch.equal(folds, stratified_folds(y, 5, seed=0))
    assert all(int((y[folds == f] == 1).sum()) == 2 for f in range(5))
    with pytest.raises(ValueError, match="n_folds=11"):
        stratified_folds(y, 11)
    truth = torch.tensor([True, False, False, True])
    assert node_auroc(torch.tensor([0.9, 0.1, 0.2, 0.8]), truth) == 1.0
    assert node_auroc(torch.tensor([0.1, 0.9, 0.8, 0.2]), truth) == 0.0
    assert precision_at_k(torch.tensor([0.9, 0.1, 0.95, 0.8]), truth) == 0.5
    with pytest.raises(ValueError, match="both"):
        node_auroc(torch.rand(3), torch.zeros(3, dtype=torch.bool))


def test_figures(small_net):
    c1, c2 = torch.rand(20, 11), torch.rand(20, 11)
    fig = class_difference_heatmap(c1, c2, highlight=[1, 2])
    heat = fig.data[0]
    assert heat.zmid == 0 and heat.zmin == -heat.zmax and len(heat.y) == 10
    graph = brain_graphs(small_net, 30)[0]
    assert weighted_graph_figure(graph, torch.rand(20), ground_truth=small_net.ground_truth).data
    with pytest.raises(ValueError, match="entries"):
        weighted_graph_figure(graph, torch.rand(3))


def test_gradcam_model_explanation_and_bad_calls(small_net):
    torch.manual_seed(0)
    graphs = brain_graphs(small_net, 50)
    model = DGCNN(graphs[0].num_features, 2, k=20).eval()
    explanation = explain_graphs(gradcam_explainer(model, explanation_type="model"), graphs[:3])
    assert torch.equal(explanation.target, explanation.logits.argmax(-1))  # the predicted class is explained
    batch = Batch.from_data_list(graphs[:2])
    with pytest.raises(ValueError, match="index=None"):
        gradcam_explainer(model)(batch.x, batch.edge_index, target=batch.y, index=0, batch=batch.batch)
    with pytest.raises(ValueError, match="at least one graph"):
        explain_graphs(gradcam_explainer(model), [])


def test_cross_validate_and_explain_folds_restore_graph_order(small_net, tmp_path, monkeypatch):
    from gnnexplain.experiments.dgcnn_gradcam import explain_folds
    from gnnexplain.models import TrainConfig, cross_validate

    monkeypatch.setenv("GNNEXPLAIN_DATA_DIR", str(tmp_path))
    graphs = brain_graphs(small_net, 70)
    folds = stratified_folds(small_net.y, 2, seed=0)
    config = TrainConfig(epochs=2, lr=1e-3, weight_decay=0.0, patience=None, batch_size=4)
    cv = cross_validate(lambda: DGCNN(graphs[0].num_features, 2, k=20), graphs, folds, config=config,
                        name="t", key={"p": 70}, seed=0)
    assert [int((folds == f).sum()) for f in range(2)] == [len(f["test_index"]) for f in cv]
    assert all(0 <= f["test_acc"] <= 1 for f in cv)
    ex = explain_folds(cv, graphs)
    assert torch.equal(ex["y"], small_net.y) and ex["frequency"].shape == (12, 20, 11)
    single = explain_graphs(gradcam_explainer(cv[1]["model"]), [graphs[int(cv[1]["test_index"][0])]])
    assert torch.allclose(ex["cam"][int(cv[1]["test_index"][0])], single.cam[0], atol=1e-5)
    with pytest.raises(ValueError, match="exactly once"):
        explain_folds(cv[:1], graphs)


def test_dense_training_equals_sparse_training(small_net):
    from gnnexplain.models import TrainConfig, dense_graphs, train_dense_graph_classifier, train_graph_classifier

    graphs = brain_graphs(small_net, 70)
    config = TrainConfig(epochs=3, lr=1e-3, weight_decay=0.0, patience=None, batch_size=4)
    train, val, test = torch.arange(0, 8), torch.arange(8, 10), torch.arange(10, 12)
    reports = []
    for dense in (False, True):
        torch.manual_seed(0)
        model = DGCNN(graphs[0].num_features, 2, k=20)
        if dense:
            batch = Batch.from_data_list(graphs)
            x, adj, mask = dense_graphs(batch.x, batch.edge_index, batch.batch)
            model.eval()  # dropout off for the comparison; training switches it back on
            assert torch.allclose(model.forward_dense(x, adj, mask).detach(),
                                  model(batch.x, batch.edge_index, batch.batch).detach(), atol=1e-6)
            reports.append(train_dense_graph_classifier(model, x, adj, mask, batch.y, train, val, test,
                                                        config=config, seed=3, progress=False))
        else:
            subset = lambda index: [graphs[i] for i in index]  # noqa: E731
            reports.append(train_graph_classifier(model, subset(train), subset(val), subset(test), config=config,
                                                  seed=3, progress=False))
        reports[-1]["weights"] = torch.cat([p.detach().view(-1) for p in model.parameters()])
    sparse, dense = reports
    assert torch.allclose(torch.tensor(sparse["history"]["train_loss"]), torch.tensor(dense["history"]["train_loss"]))
    assert torch.allclose(torch.tensor(sparse["history"]["val_loss"]), torch.tensor(dense["history"]["val_loss"]),
                          atol=1e-6)
    assert torch.allclose(sparse["weights"], dense["weights"], atol=1e-5)
    assert sparse["test_acc"] == dense["test_acc"]
    with pytest.raises(ValueError, match="must not be empty"):
        train_dense_graph_classifier(model, x, adj, mask, batch.y, train[:0], val)



def test_planted_node_scores_and_seed_study(tmp_path, monkeypatch):
    from gnnexplain.experiments.dgcnn_gradcam import explain_folds, generator_seed_study, planted_node_scores
    from gnnexplain.models import TrainConfig, cross_validate

    monkeypatch.setenv("GNNEXPLAIN_DATA_DIR", str(tmp_path))
    config = TrainConfig(epochs=2, lr=1e-3, weight_decay=0.0, patience=None, batch_size=4)
    study = generator_seed_study(70, [0, 1], n_per_class=4, n_folds=2, config=config, k=85)
    assert sorted(study) == [0, 1]
    for seed, result in study.items():
        assert 0 <= result["accuracy"] <= 1 and 0 <= result["precision"] <= 1
        assert set(result["auroc"]) == set(result["control"]) == {"mean_difference", "difference", "high",
                                                                   "high_normalized"}
        # H = 1 everywhere carries no class difference after coverage normalisation: an uninformative control
        assert result["control"]["mean_difference"] == 0.5
    # the same seed reproduces the study (cached models, deterministic explanations)
    assert generator_seed_study(70, [1], n_per_class=4, n_folds=2, config=config, k=85)[1] == study[1]
    # the first seed equals scoring the pipeline by hand
    networks = brain_networks(4, seed=0)
    graphs = brain_graphs(networks, 70)
    cv = cross_validate(lambda: DGCNN(graphs[0].num_features, 2, k=85), graphs, stratified_folds(networks.y, 2, seed=0),
                        config=config, name="dgcnn-brain-p70",
                        key={"data": networks.params, "p": 70, "features": "dEWD20+id"}, seed=0)
    assert planted_node_scores(explain_folds(cv, graphs), networks.ground_truth)["auroc"] == study[0]["auroc"]
    with pytest.raises(ValueError, match="at least one seed"):
        generator_seed_study(70, [], n_per_class=4, n_folds=2, config=config, k=85)
    with pytest.raises(ValueError, match="entries for 85 nodes"):
        planted_node_scores(explain_folds(cv, graphs), networks.ground_truth[:10])
