"""ReFine (docs/04_refine.md §4.10): BA-3motif generator, mask injection, subgraph metrics, concrete relaxation,
pre-training and fine-tuning, and the graph-level baselines."""

import pytest
import torch
from torch_geometric.data import Batch, Data

from gnnexplain.data import make_ba3motif, split_ba3motif
from gnnexplain.experiments.refine import explain_each_graph, graph_explainer
from gnnexplain.explain import GraphPGMExplainer, ReFine, SafeExplainer
from gnnexplain.explain.refine import concrete
from gnnexplain.experiments.refine import train_graph_pgexplainer
from gnnexplain.core.graph import explanatory_batch, num_kept, select_edges, top_ratio_mask
from gnnexplain.metrics import acc_at_ratios, acc_auc, recall_at_n
from gnnexplain.core.masks import masked_logits
from gnnexplain.models import BA3MotifNet, MutagGIN


@pytest.fixture(scope="module")
def graphs():
    return make_ba3motif(30, seed=3)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return BA3MotifNet().eval()


def test_generator_counts_ground_truth_and_seed(graphs):
    labels = torch.cat([g.y for g in graphs])
    assert torch.bincount(labels).tolist() == [10, 10, 10]
    # house 6, 6-cycle 6, 3x3 grid 12 undirected edges, each stored twice; the anchor edge is not GT
    expected = {0: 12, 1: 12, 2: 24}
    for g in graphs:
        assert int(g.edge_gt.sum()) == expected[int(g.y)]
        assert int((g.role > 0).sum()) == {0: 5, 1: 6, 2: 9}[int(g.y)]
        assert g.num_edges % 2 == 0
    again = make_ba3motif(30, seed=3)
    assert all(torch.equal(a.x, b.x) and torch.equal(a.edge_index, b.edge_index) for a, b in zip(graphs, again))
    assert not torch.equal(make_ba3motif(30, seed=4)[0].x, graphs[0].x)


def test_generator_features_and_errors():
    leak_free = make_ba3motif(3, features="constant")
    assert all(torch.equal(g.x, torch.ones_like(g.x)) for g in leak_free)
    leaky = make_ba3motif(3, features="leaky")[0]
    role_feature = leaky.x.gather(1, leaky.role.view(-1, 1)).squeeze(1)
    assert (role_feature >= 0.25).all()  # the one-hot role leaks through the features
    with pytest.raises(ValueError, match="features"):
        make_ba3motif(3, features="noisy")
    with pytest.raises(ValueError, match="num_graphs"):
        make_ba3motif(10)
    train, val, test = split_ba3motif(make_ba3motif(300, seed=0))
    assert (len(train), len(val), len(test)) == (220, 40, 40)


@pytest.mark.parametrize("net", [BA3MotifNet(), MutagGIN(4)])
def test_all_ones_mask_reproduces_logits_and_sigmoid_is_applied_once(graphs, net):
    net.eval()
    batch = Batch.from_data_list(graphs[:4])
    plain = net(batch.x, batch.edge_index, batch.batch)
    ones = torch.ones(batch.num_edges)
    assert torch.allclose(masked_logits(net, batch.x, batch.edge_index, batch.batch, ones), plain, atol=1e-6)
    double = masked_logits(net, batch.x, batch.edge_index, batch.batch, ones, double_sigmoid=True)
    assert not torch.allclose(double, plain, atol=1e-3)  # σ(1) = 0.73 on every message
    # after the context, no mask is left behind
    assert torch.equal(net(batch.x, batch.edge_index, batch.batch), plain)


def test_num_kept_and_top_ratio_mask():
    assert num_kept(10, 0.3).item() == 3  # 0.3 * 10 is 3.0000000000000004 in floating point
    assert num_kept(torch.tensor([1, 7, 10]), 0.1).tolist() == [1, 1, 1]
    assert num_kept(7, 0.5).item() == 4
    imp = torch.tensor([0.1, 0.9, 0.5, 0.3, 0.2, 0.8])
    edge_graph = torch.tensor([0, 0, 0, 1, 1, 1])
    # ⌈0.5·3⌉ = 2 per graph
    assert top_ratio_mask(imp, edge_graph, 0.5).tolist() == [False, True, True, True, False, True]
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="ratio"):
            top_ratio_mask(imp, edge_graph, bad)
    with pytest.raises(ValueError, match="at least one edge"):
        num_kept(torch.tensor([3, 0]), 0.5)


def test_selection_keeps_undirected_pairs_together():
    imp = torch.tensor([0.1, 0.9, 0.5, 0.3])
    one_graph = torch.zeros(4, dtype=torch.long)
    # stored edges: the top 2 are edges 1 and 2; pairs (mean 0.5 and 0.4): the top one is pair 0
    assert top_ratio_mask(imp, one_graph, 0.5).tolist() == [False, True, True, False]
    assert top_ratio_mask(imp, one_graph, 0.5, pair=torch.tensor([0, 0, 1, 1])).tolist() == [True, True, False, False]
    ring = torch.tensor([[0, 1, 2, 3, 1, 2, 3, 0], [1, 2, 3, 0, 0, 1, 2, 3]])
    reverse = torch.tensor([4, 5, 6, 7, 0, 1, 2, 3])  # edge e and reverse[e] join the same two nodes
    for seed in range(5):
        for ratio in (0.1, 0.3, 0.6):
            keep = select_edges(torch.rand(8, generator=torch.Generator().manual_seed(seed)), ring, ratio)
            assert torch.equal(keep, keep[reverse]) and int(keep.sum()) == 2 * num_kept(4, ratio)
    with pytest.raises(ValueError, match="at least one edge"):
        select_edges(torch.zeros(0), torch.zeros(2, 0, dtype=torch.long), 0.5)


def test_explanatory_batch_ratio_one_is_the_graph_and_relabels(graphs):
    batch = Batch.from_data_list(graphs[:3])
    edge_graph = batch.batch[batch.edge_index[0]]
    whole = explanatory_batch(batch, top_ratio_mask(torch.rand(batch.num_edges), edge_graph, 1.0))
    assert torch.equal(whole.x, batch.x) and torch.equal(whole.edge_index, batch.edge_index)
    g = Data(x=torch.arange(5.).view(-1, 1), edge_index=torch.tensor([[0, 3, 4], [3, 4, 0]]))
    sub = explanatory_batch(g, torch.tensor([False, True, False]))
    assert sub.x.view(-1).tolist() == [3.0, 4.0] and sub.edge_index.tolist() == [[0], [1]]
    assert sub.edge_id.tolist() == [1]


def test_acc_auc_and_recall_on_hand_made_examples():
    assert acc_auc([0.3] * 5 + [1.0] * 5) == pytest.approx(0.65)
    with pytest.raises(ValueError, match="accs"):
        acc_auc([0.5] * 9)
    # graph 1: pairs {0, 1} and {1, 2}, each stored twice; graph 2: a triangle stored once per edge
    edges = [torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]]), torch.tensor([[0, 1, 2], [1, 2, 0]])]
    imps = [torch.tensor([0.9, 0.1, 0.8, 0.7]), torch.tensor([0.1, 0.2, 0.3])]
    gts = [torch.tensor([True, True, False, False]), torch.tensor([False, False, True])]
    # graph 1: pair means 0.5 (GT) and 0.75 -> top-1 misses the GT pair; graph 2: top-1 = edge 2, the GT
    assert recall_at_n(imps, gts, edges, n=1) == pytest.approx(0.5)
    assert recall_at_n(imps, gts, edges, n=2) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="positive edge"):
        recall_at_n(imps[:1], [torch.zeros(4, dtype=torch.bool)], edges[:1])
    with pytest.raises(ValueError, match="equal length"):
        recall_at_n(imps, gts, edges[:1])


def test_acc_at_ratios_counts_kept_edges_per_graph():
    class ManyEdges(torch.nn.Module):  # class 1 iff the graph has at least 6 stored edges
        def forward(self, x, edge_index, batch=None):
            batch = batch if batch is not None else torch.zeros(x.size(0), dtype=torch.long)
            count = torch.bincount(batch[edge_index[0]], minlength=int(batch.max()) + 1)
            return torch.stack([(count < 6).float(), (count >= 6).float()], dim=-1)

    ring = torch.tensor([[0, 1, 2, 3, 1, 2, 3, 0], [1, 2, 3, 0, 0, 1, 2, 3]])
    g = Data(x=torch.ones(4, 1), edge_index=ring)
    # 4 undirected edges: 2·⌈4ρ⌉ >= 6 stored edges from ρ = 0.6 on; twice the same graph, batched
    accs = acc_at_ratios(ManyEdges(), [g, g], [torch.rand(8), torch.rand(8)])
    assert accs == [0.0] * 5 + [1.0] * 5
    with pytest.raises(ValueError, match="importances"):
        acc_at_ratios(ManyEdges(), [g], [torch.rand(7)])


def test_concrete_mean_tends_to_sigmoid():
    alpha = torch.tensor([-2.0, 0.0, 1.5]).repeat(20000, 1)
    for mode in ("paper", "repo"):
        sample = concrete(alpha, 0.01, mode=mode, generator=torch.Generator().manual_seed(0))
        assert ((sample < 0.01) | (sample > 0.99)).float().mean() > 0.95  # close to Bernoulli
    sample = concrete(alpha, 0.01, mode="paper", generator=torch.Generator().manual_seed(0))
    assert torch.allclose(sample.mean(0), torch.sigmoid(alpha[0]), atol=0.02)
    with pytest.raises(ValueError, match="beta"):
        concrete(alpha, 0.0)
    with pytest.raises(ValueError, match="mode"):
        concrete(alpha, mode="both")


@pytest.mark.parametrize("mode", ["paper", "repo"])
def test_fit_fine_tune_and_routing(graphs, model, mode):
    train, val, test = split_ba3motif([g.clone() for g in graphs], test_fraction=0.2, val_fraction=0.2)
    for g in train + val:  # make every graph "correct" for the random model
        g.y = model(g.x, g.edge_index).argmax(-1)
    refine = ReFine(4, 3, hidden=8, mode=mode, ft_steps=3, ft_lr=1e-2, seed=0)
    history = refine.fit(model, train, val, epochs=2, batch_size=8)
    assert len(history["train_loss"]) == 2 and all(torch.isfinite(torch.tensor(history["val_loss"])))
    shared = {k: v.clone() for k, v in refine.attributors.state_dict().items()}
    g = test[0]
    tuned = refine.fine_tuned(model, g.x, g.edge_index, 1, ratio=0.4)
    assert all(torch.equal(v, refine.attributors.state_dict()[k]) for k, v in shared.items())
    pre = refine.attribute([g], torch.tensor([1]))[0]
    assert tuned.shape == pre.shape and not torch.allclose(tuned, pre)  # fine-tuning moved the copy
    # batched routing gives the per-graph answers
    classes = torch.tensor([0, 2, 1, 2])
    batched = refine.attribute(test[:4], classes)
    single = [refine.attribute([t], classes[i:i + 1])[0] for i, t in enumerate(test[:4])]
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(batched, single))
    # the explainer path, and its errors
    explainer = graph_explainer(model, refine)
    assert isinstance(explainer, SafeExplainer)
    masks, seconds = explain_each_graph(explainer, test[:2])
    assert masks[0].shape == (test[0].num_edges,) and seconds > 0
    with pytest.raises(ValueError, match="target class"):
        refine.attribute([g], torch.tensor([3]))
    with pytest.raises(ValueError, match="ratio"):
        refine.fine_tuned(model, g.x, g.edge_index, 0, ratio=1.2)
    with pytest.raises(ValueError, match="no edges"):
        refine.fine_tuned(model, g.x, torch.empty(2, 0, dtype=torch.long), 0)
    with pytest.raises(ValueError, match="mode"):
        ReFine(4, 3, mode="both")
    with pytest.raises(ValueError, match="ft_selection"):
        ReFine(4, 3, ft_selection="best")
    with pytest.raises(ValueError, match="lr"):
        refine.fine_tuned(model, g.x, g.edge_index, 0, lr=0.0)


def test_topk_fine_tuning_needs_no_sampling(graphs, model):
    g = graphs[0]
    # the attributors' weights come from `seed`; with top-k selection nothing else is random
    a, b = (ReFine(4, 3, hidden=8, ft_steps=3, ft_lr=1e-2, seed=1) for _ in range(2))
    b.generator.manual_seed(123)
    topk = [r.fine_tuned(model, g.x, g.edge_index, 0, selection="topk") for r in (a, b)]
    assert torch.equal(*topk)
    sampled = [r.fine_tuned(model, g.x, g.edge_index, 0, selection="sample") for r in (a, b)]
    assert not torch.equal(*sampled)  # Gumbel noise from differently seeded generators


def test_fine_tuning_is_seeded(graphs, model):
    g = graphs[0]
    masks = [ReFine(4, 3, hidden=8, ft_steps=3, ft_lr=1e-2, seed=1).fine_tuned(model, g.x, g.edge_index, 0)
             for _ in range(2)]
    assert torch.equal(*masks)


def test_pgexplainer_trains_on_batches(graphs, model):
    explainer = graph_explainer(model, "PGExplainer", epochs=2, lr=0.003)
    targets = torch.cat([model(g.x, g.edge_index).argmax(-1) for g in graphs])
    losses = train_graph_pgexplainer(explainer, graphs, targets, batch_size=10)
    assert len(losses) == 2 and all(loss > 0 for loss in losses)
    masks, _ = explain_each_graph(explainer, graphs[:2], targets[:2])
    assert masks[1].shape == (graphs[1].num_edges,)
    with pytest.raises(ValueError, match="unknown method"):
        graph_explainer(model, "PGM")


def test_pgm_explainer_scores_edges_from_node_p_values_and_is_seeded(graphs, model):
    g = graphs[0]
    explainer = graph_explainer(model, "PGM-Explainer")
    first, again = (explainer(g.x, g.edge_index, seed=2) for _ in range(2))
    assert torch.equal(first.edge_mask, again.edge_mask)
    p, imp = first.node_p_value, first.edge_mask
    assert p.shape == (g.num_nodes,) and ((p >= 0) & (p <= 1)).all()
    # edge importance -p_u p_v shifted to a minimum of 0 (the ReFine repo's conversion)
    expected = -p[g.edge_index[0]] * p[g.edge_index[1]]
    assert torch.allclose(imp, expected - expected.min()) and float(imp.min()) == 0.0
    # the "uniform" perturbation stays within +-5 % of each feature's maximum and inside [0, max]
    torch.manual_seed(0)
    x = explainer.algorithm._perturb_features_on_nodes(g.x, torch.tensor([0, 3]))
    assert torch.equal(x[1:3], g.x[1:3])
    assert ((x - g.x).abs() <= 0.05 * g.x.max(0).values + 1e-7).all() and (x <= g.x.max(0).values).all()
    with pytest.raises(ValueError, match="num_samples"):
        GraphPGMExplainer(num_samples=4)
    with pytest.raises(ValueError, match="no edges"):
        explainer(g.x, torch.empty(2, 0, dtype=torch.long))


def relabelled_split(graphs, model):
    """The graphs labelled with the random model's predictions (so every one is "correct"), split 60/20/20."""
    graphs = [g.clone() for g in graphs]
    for g in graphs:
        g.y = model(g.x, g.edge_index).argmax(-1)
    return split_ba3motif(graphs, test_fraction=0.2, val_fraction=0.2)


def tiny_setup(**overrides):
    from gnnexplain.experiments.refine import RefineSetup

    return RefineSetup(hidden=8, epochs=1, lr=1e-3, batch_size=8, ft_steps=2, ft_selection="topk", ft_lr=1e-3,
                       gnnexplainer_epochs=3, pg_epochs=1, **overrides)


def test_run_table2_scores_every_method_on_the_same_graphs(graphs, model):
    from gnnexplain.experiments.refine import TABLE2_METHODS, run_table2
    from gnnexplain.models import correct_predictions

    train, val, test = relabelled_split(graphs, model)
    setup = tiny_setup()
    out_graphs = correct_predictions(model, test)[:3]
    out = run_table2(model, train, val, out_graphs, setup, seed=0, with_recall=True)
    methods = set(TABLE2_METHODS) | {"ReFine (repo mode)", "ReFine-FT (repo mode)", "ReFine (paper fine-tuning)"}
    assert methods | {"random", "ground truth"} == set(out["acc_auc"]) == set(out["recall_at_5"]) \
        == set(out["groundtruth_auroc"])
    assert out["groundtruth_auroc"]["ground truth"] == 1.0 and 0 <= out["groundtruth_auroc"]["random"] <= 1
    assert all(len(c) == 10 and c[-1] == 1.0 for c in out["acc_at_rho"].values())
    assert set(out["seconds_per_instance"]) == methods
    gt_pairs = [int(g.edge_gt.sum()) // 2 for g in out_graphs]  # both directions stored
    assert out["recall_at_5"]["ground truth"] == pytest.approx(sum(min(5, n) / n for n in gt_pairs) / len(gt_pairs))
    assert all(len(m) == 3 for m in out["masks"].values())


@pytest.mark.parametrize("mode", ["paper", "repo"])
def test_fidelity_is_summed_over_graphs(mode):
    # eq. 6 and the repo's fidelity_loss sum over the batch; a mean would let γ·L_cts outweigh it
    refine = ReFine(4, 3, hidden=4, mode=mode)
    logits, target = torch.randn(3, 3), torch.tensor([0, 2, 1])
    full_prob = torch.randn(3, 3).softmax(-1)
    one = refine._fidelity(logits, full_prob, target)
    two = refine._fidelity(logits.repeat(2, 1), full_prob.repeat(2, 1), target.repeat(2))
    assert torch.allclose(two, 2 * one)


@pytest.fixture(scope="module")
def table2_run(graphs, model):
    from gnnexplain.experiments.refine import run_table2
    from gnnexplain.models import correct_predictions

    train, val, test = relabelled_split(graphs, model)
    setup = tiny_setup(variant_rows=False)
    test = correct_predictions(model, test)[:2]
    return train, val, test, setup, run_table2(model, train, val, test, setup, seed=0)


def test_sanity_table_retrains_each_trained_explainer_on_the_randomised_model_once(table2_run, model, monkeypatch):
    from gnnexplain.experiments import refine

    train, val, test, setup, run = table2_run
    trained = {k: v.clone() for k, v in run["explainers"]["ReFine-FT"].attributors.state_dict().items()}
    calls = []

    def recording(random_model, *args, contrastive, **kwargs):
        calls.append((contrastive, torch.equal(next(random_model.parameters()), next(model.parameters()))))
        return pretrained(random_model, *args, contrastive=contrastive, **kwargs)

    pretrained = refine._pretrained_refine
    monkeypatch.setattr(refine, "_pretrained_refine", recording)
    table = refine.sanity_table(model, train, val, test, setup, run, seeds=(3, 4),
                                methods=("Saliency", "ReFine-FT", "ReFine"))
    assert list(table) == ["Saliency", "ReFine-FT", "ReFine"]
    assert all(r["n"] == 2 and -1 <= r["rho_randomized_model"] <= 1 for r in table.values())
    assert table["Saliency"]["rho_seeds"] == pytest.approx(1.0)  # deterministic
    # ReFine-FT and ReFine share one pre-training, on the randomised model (not the trained one)
    assert calls == [(True, False)]
    assert all(torch.equal(v, run["explainers"]["ReFine-FT"].attributors.state_dict()[k]) for k, v in trained.items())
    assert run["explainers"]["ReFine-FT"].fine_tune is False  # the run's explainers are copied, not changed
    with pytest.raises(ValueError, match="subset"):
        refine.sanity_table(model, train, val, test, setup, run, methods=("SA",))
    with pytest.raises(ValueError, match="at least one"):
        refine.sanity_table(model, train, val, [], setup, run)


def test_sanity_table_trains_pgexplainer_on_the_randomised_model(table2_run, model, monkeypatch):
    from gnnexplain.experiments import refine

    train, val, test, setup, run = table2_run
    assert refine.graph_explainer(model, run["explainers"]["PGExplainer"]).explanation_type.value == "phenomenon"
    calls = []

    def recording(explainer, graphs, targets, **kwargs):
        calls.append(torch.equal(next(explainer.model.parameters()), next(model.parameters())))
        return train_pg(explainer, graphs, targets, **kwargs)

    train_pg = refine.train_graph_pgexplainer
    monkeypatch.setattr(refine, "train_graph_pgexplainer", recording)
    table = refine.sanity_table(model, train, val, test, setup, run, seeds=(3, 4), methods=("PGExplainer",))
    assert calls == [False]  # once for both graphs, on the randomised model
    assert table["PGExplainer"]["n"] == 2 and table["PGExplainer"]["rho_seeds"] == pytest.approx(1.0)
