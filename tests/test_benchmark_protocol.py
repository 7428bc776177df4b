"""The one protocol of notebook 06 (issue 24, docs/06_benchmark.md): its metrics on known answers, and
``run_benchmark`` on tiny datasets whose ground truth an oracle explainer can read off the features."""

import json
import math

import pytest
import torch
import torch_geometric
from torch_geometric.data import Data
from torch_geometric.explain import Explanation
from torch_geometric.explain.algorithm import ExplainerAlgorithm
from torch_geometric.utils import to_undirected

from gnnexplain.data import GroundTruthSet
from gnnexplain.experiments import benchmark as bench
from gnnexplain.metrics.benchmark import (
    candidate_pairs,
    characterization,
    groundtruth_auroc,
    instance_scores,
    truth_size_scores,
)
from gnnexplain.metrics.fidelity import first_directions, topk_pair_mask


# -- tiny datasets: feature 1 marks the motif nodes, so the truth is readable from x ---------------------------------
def tiny_node_data(seed: int) -> Data:
    """A path of 24 base nodes with 6 triangles, each joined to the path by one edge; y = 1 on motif nodes."""
    g = torch.Generator().manual_seed(seed)
    base = torch.stack([torch.arange(23), torch.arange(1, 24)])
    tri = torch.tensor([[0, 1, 0], [1, 2, 2]])
    motifs = torch.cat([tri + 24 + 3 * m for m in range(6)], dim=1)
    anchors = torch.stack([24 + 3 * torch.arange(6), 4 * torch.arange(6)])
    edges = torch.cat([base, motifs, anchors], dim=1)
    truth = torch.cat([torch.zeros(base.size(1)), torch.ones(motifs.size(1)), torch.zeros(anchors.size(1))])
    edge_index, edge_mask = to_undirected(edges, truth, num_nodes=42, reduce="max")
    node_mask = torch.arange(42) >= 24
    x = torch.stack([torch.ones(42), node_mask.float()], dim=1)
    perm = torch.randperm(42, generator=g)
    masks = [torch.zeros(42, dtype=torch.bool) for _ in range(3)]
    for mask, part in zip(masks, (perm[:28], perm[28:35], perm[35:])):
        mask[part] = True
    return Data(x=x, edge_index=edge_index, y=node_mask.long(), node_mask=node_mask, edge_mask=edge_mask.bool(),
                train_mask=masks[0], val_mask=masks[1], test_mask=masks[2], name="TinyNodes")


def tiny_node_graph(seed: int, quick: bool) -> GroundTruthSet:
    """:func:`tiny_node_data` as a ground-truth set; the candidates are the motif nodes."""
    data = tiny_node_data(seed)
    return GroundTruthSet("TinyNodes", "node", "edge", data, 2, data.node_mask.nonzero().view(-1),
                          *(m.nonzero().view(-1) for m in (data.train_mask, data.val_mask, data.test_mask)),
                          "tiny node graph", "tests", seed, quick)


def tiny_graphs(seed: int, quick: bool) -> GroundTruthSet:
    """30 graphs: a 6-node path with a triangle (class 1) or a square (class 0) hung on it; the motif is the truth."""
    g = torch.Generator().manual_seed(seed)
    graphs = []
    for i in range(30):
        label = i % 2
        size = 3 if label else 4
        ring = torch.stack([torch.arange(size), (torch.arange(size) + 1) % size]) + 6
        anchor = torch.tensor([[int(torch.randint(6, (1,), generator=g))], [6]])
        edges = torch.cat([torch.stack([torch.arange(5), torch.arange(1, 6)]), ring, anchor], dim=1)
        truth = torch.cat([torch.zeros(5), torch.ones(size), torch.zeros(1)])
        edge_index, edge_mask = to_undirected(edges, truth, num_nodes=6 + size, reduce="max")
        node_mask = torch.arange(6 + size) >= 6
        graphs.append(Data(x=torch.stack([torch.ones(6 + size), node_mask.float()], dim=1), edge_index=edge_index,
                           y=torch.tensor([label]), node_mask=node_mask, edge_mask=edge_mask.bool()))
    return GroundTruthSet("TinyGraphs", "graph", "edge", graphs, 2, torch.arange(30), torch.arange(18),
                          torch.arange(18, 24), torch.arange(24, 30), "tiny graphs", "tests", seed, quick)


class FeatureOracle(ExplainerAlgorithm):
    """Edge mask 1 on the edges between motif nodes (feature 1), or its reverse."""

    def __init__(self, reverse: bool = False):
        super().__init__()
        self.reverse = reverse

    def forward(self, model, x, edge_index, *, target, index=None, **kwargs):
        inside = x[edge_index[0], 1] * x[edge_index[1], 1]
        return Explanation(edge_mask=1 - inside if self.reverse else inside)

    def supports(self):
        return True


class GradMask(FeatureOracle):
    """The oracle's mask still inside an autograd graph, as an optimiser's mask can be."""

    def forward(self, model, x, edge_index, *, target, index=None, **kwargs):
        weight = torch.nn.Parameter(torch.ones(()))
        return Explanation(edge_mask=super().forward(model, x, edge_index, target=target).edge_mask * weight)


class NodeMaskOnly(ExplainerAlgorithm):
    """Refuses every setting with an edge mask: the protocol must report why it does not apply."""

    def forward(self, model, x, edge_index, *, target, index=None, **kwargs):
        return Explanation(node_mask=torch.ones(x.size(0), 1))

    def supports(self):
        return self.explainer_config.edge_mask_type is None


@pytest.fixture(scope="module")
def registries(tmp_path_factory):
    """The tiny datasets and test explainers registered (and removed afterwards), checkpoints in a temporary cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GNNEXPLAIN_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    mp.setattr(bench, "EXPLAINERS", dict(bench.EXPLAINERS))
    mp.setattr(bench, "DATASETS", dict(bench.DATASETS))
    bench.register_dataset("TinyNodes", tiny_node_graph, dropout=0.0, epochs=(200, 200))
    bench.register_dataset("TinyGraphs", tiny_graphs, epochs=(60, 60))
    bench.register_explainer("Oracle", lambda model, task: FeatureOracle())
    bench.register_explainer("Reversed", lambda model, task: FeatureOracle(reverse=True))
    bench.register_explainer("NodeMaskOnly", lambda model, task: NodeMaskOnly())
    bench.register_explainer("GradMask", lambda model, task: GradMask())
    yield
    mp.undo()


METHODS = ["Oracle", "Reversed", "Random", "Saliency", "NAM", "Attention", "NodeMaskOnly", "GradMask"]


def run(seeds=(0,)):
    return bench.run_benchmark(METHODS, ["TinyNodes", "TinyGraphs"], seeds, quick=True, num_instances=6,
                               sanity_instances=1)


@pytest.fixture(scope="module")
def result(registries):
    return run()


# -- metrics on known answers ----------------------------------------------------------------------------------------
def star_instance(num_leaves=6, num_true=2):
    """A star around node 0 with both directions stored; the first ``num_true`` spokes are the truth."""
    leaves = torch.arange(1, num_leaves + 1)
    edge_index = to_undirected(torch.stack([torch.zeros(num_leaves, dtype=torch.long), leaves]))
    truth = (edge_index.max(0).values <= num_true)
    return edge_index, truth


def test_groundtruth_auroc_is_1_for_the_truth_0_reversed_and_about_half_at_random():
    edge_index, truth = star_instance()
    oracle = instance_scores("edge", truth.float(), truth, edge_index, 7)
    reverse = instance_scores("edge", 1 - truth.float(), truth, edge_index, 7)
    assert groundtruth_auroc([oracle])["pooled"] == 1.0
    assert groundtruth_auroc([reverse, reverse])["per_instance"] == 0.0
    g = torch.Generator().manual_seed(0)
    items = [instance_scores("edge", torch.rand(edge_index.size(1), generator=g), truth, edge_index, 7)
             for _ in range(300)]
    assert abs(groundtruth_auroc(items)["pooled"] - 0.5) < 0.05


def test_pairs_are_scored_by_the_mean_of_their_directions_and_counted_once():
    edge_index, truth = star_instance(3, 1)
    mask = torch.arange(6, dtype=torch.float)  # each pair's directions score differently
    scores, labels = instance_scores("edge", mask, truth, edge_index, 4)
    assert scores.numel() == 3 and labels.tolist() == [1.0, 0.0, 0.0]
    pair_of = {tuple(sorted(e)): [] for e in edge_index.t().tolist()}
    for e, s in zip(edge_index.t().tolist(), mask.tolist()):
        pair_of[tuple(sorted(e))].append(s)
    assert sorted(scores.tolist()) == sorted(sum(v) / 2 for v in pair_of.values())


def test_node_task_items_stay_in_the_explained_nodes_subgraph():
    data = tiny_node_data(0)
    kept = candidate_pairs(data.edge_index, 42, index=24, num_hops=1)
    assert int(kept.sum()) == 4  # node 24's 1-hop subgraph {0, 24, 25, 26}: its triangle's 3 pairs and 0-24
    scores, labels = instance_scores("node", data.x, data.node_mask, data.edge_index, 42, index=24, num_hops=1)
    assert labels.tolist() == [0.0, 1.0, 1.0, 1.0] and scores.numel() == 4  # nodes 0, 24, 25, 26


def test_topk_pair_mask_keeps_k_pairs_in_both_directions():
    edge_index, _ = star_instance(4, 1)
    mask = torch.tensor([0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6])
    hard = topk_pair_mask(edge_index, mask, 2)
    pairs = {tuple(sorted(e)) for e, h in zip(edge_index.t().tolist(), hard.tolist()) if h}
    assert hard.sum() == 4 and len(pairs) == 2
    assert int(first_directions(edge_index, 5).sum()) == 4
    with pytest.raises(ValueError, match="k=5 is out of range"):
        topk_pair_mask(edge_index, mask, 5)


def test_unfaithfulness_is_pygs_and_finite_for_a_saturated_model():
    from torch_geometric.explain.metric import unfaithfulness

    from gnnexplain.core.masks import SafeExplainer
    from gnnexplain.metrics.fidelity import hard_mask_scores

    edge_index, truth = star_instance(4, 2)
    x = torch.ones(5, 1)

    class Scaled(torch.nn.Module):  # one GCN layer whose logits grow with ``scale``
        def __init__(self, scale):
            super().__init__()
            self.conv, self.scale = torch_geometric.nn.GCNConv(1, 2), scale

        def forward(self, x, edge_index, edge_weight=None):
            return self.scale * self.conv(x, edge_index, edge_weight)

    torch.manual_seed(0)
    model = Scaled(1.0)
    hard = truth.float()
    ours = hard_mask_scores(model, x, edge_index, hard, index=0)["unfaithfulness"]
    explainer = SafeExplainer(model, bench.RandomEdgeMask(), explanation_type="model", node_mask_type=None,
                              edge_mask_type="object", model_config=dict(mode="multiclass_classification",
                                                                         task_level="node", return_type="raw"))
    explanation = explainer(x, edge_index, index=torch.tensor([0]))
    explanation.edge_mask = hard
    assert ours == pytest.approx(unfaithfulness(explainer, explanation), abs=1e-6)
    model.scale = 1e4  # probabilities underflow to 0: PyG's log of softmax gives NaN
    assert math.isfinite(hard_mask_scores(model, x, edge_index, hard, index=0)["unfaithfulness"])


def test_characterization_is_pygs_harmonic_mean():
    assert characterization(1.0, 0.0) == 1.0
    assert characterization(0.0, 0.0) == 0.0 and characterization(1.0, 1.0) == 0.0
    assert characterization(0.5, 0.5) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="fid_plus"):
        characterization(1.5, 0.0)


def test_the_truth_itself_is_faithful_on_a_model_that_reads_it(registries):
    data = tiny_node_data(0)
    models, accuracy, label = bench.train_models(bench.DATASETS["TinyNodes"], tiny_node_graph(0, True), 0, True)
    assert label == "GCN" and set(accuracy) == {"GCN", "GAT"}
    model = models["default"]
    inside = data.x[data.edge_index[0], 1] * data.x[data.edge_index[1], 1]
    scores = truth_size_scores(model, data.x, data.edge_index, inside, data.edge_mask, index=30, num_hops=3)
    assert set(scores) == {"fid+", "fid-", "unfaithfulness"}
    assert 0 <= scores["unfaithfulness"] < 1 and scores["fid-"] in (0.0, 1.0)
    with pytest.raises(ValueError, match="size is 0"):
        truth_size_scores(model, data.x, data.edge_index, inside, torch.zeros_like(data.edge_mask), index=0,
                          num_hops=1)


# -- the protocol ----------------------------------------------------------------------------------------------------
def test_oracle_scores_1_reversed_0_random_near_half(result):
    for dataset in ("TinyNodes", "TinyGraphs"):
        assert result.auroc[dataset]["Oracle"]["mean"] == 1.0
        assert result.auroc[dataset]["Reversed"]["mean"] == 0.0
        assert abs(result.auroc[dataset]["Random"]["mean"] - 0.5) < 0.25
        assert result.auroc[dataset]["Oracle"]["level"] == "edge"
    assert result.auroc["TinyNodes"]["NAM"]["level"] == "node"


def test_every_method_explains_the_same_correctly_predicted_motif_instances(result):
    ids = result.instances["TinyNodes"]["0"]
    assert len(ids) == 6 and ids == sorted(ids) and all(i >= 24 for i in ids)
    instances = result.explained["TinyNodes", 0]
    for method in ("Oracle", "Saliency", "Random"):
        explanations = result.explanations["TinyNodes", 0, method]
        assert [e.edge_mask.numel() for e in explanations] == [inst.edge_index.size(1) for inst in instances]


def test_json_has_the_issues_shape(result, tmp_path):
    data = result.to_json()
    assert {"auroc", "fidelity", "sanity", "seconds_per_instance", "model_accuracy"} <= set(data)
    for dataset, methods in data["auroc"].items():
        assert list(methods) == METHODS
        for cell in methods.values():
            assert {"mean", "std", "n"} <= set(cell) or set(cell) == {"not_applicable"}
    assert set(data["fidelity"]["TinyNodes"]["Oracle"]) == set(bench.FIDELITY_KEYS)
    assert data["truth_fidelity"]["TinyNodes"] == data["fidelity"]["TinyNodes"]["Oracle"]  # the oracle is the truth
    assert set(data["model_accuracy"]["TinyNodes"]) == {"GCN", "GAT"} and set(data["model_accuracy"]["TinyGraphs"]) == {
        "GIN"}
    assert data["sanity"]["TinyNodes"]["Saliency"]["n"] == 1
    path = result.save(tmp_path)
    assert path.name == "06_benchmark.json" and json.loads(path.read_text())["auroc"]["TinyNodes"]["Oracle"]["n"] == 1


def test_not_applicable_cells_give_the_reason(result):
    assert "node classifiers only" in result.auroc["TinyGraphs"]["NAM"]["not_applicable"]
    assert "GAT" in result.auroc["TinyGraphs"]["Attention"]["not_applicable"]
    assert "not_applicable" in result.sanity["TinyGraphs"]["Attention"]
    assert "node mask" in result.fidelity["TinyNodes"]["NAM"]["not_applicable"]
    assert "not support" in result.auroc["TinyNodes"]["NodeMaskOnly"]["not_applicable"]
    board = result.leaderboard()
    assert board.loc["NAM", "TinyGraphs"].startswith("n/a: ")
    assert "±" in board.loc["Oracle", "TinyNodes"]


def test_a_workbook_method_says_why_it_cannot_explain_a_model():
    from gnnexplain.models import GCN, GIN

    bayes = bench.EXPLAINERS["BayesGrad"].requires
    node, graph = (bench.Task("D", level, 3, name, True) for level, name in (("node", "GCN"), ("graph", "GIN")))
    assert bayes(GCN(4, 2, dropout=0.1), node) is None and bayes(GIN(4, 2), graph) is None
    assert "dropout p > 0" in bayes(GCN(4, 2, dropout=0.0), node)  # BayesGrad samples dropout masks
    assert bench.EXPLAINERS["VanillaGrad"].requires(GCN(4, 2, dropout=0.0), node) is None
    assert "graph classifiers only" in bench.EXPLAINERS["ReFine"].requires(GCN(4, 2), node)
    assert bench.EXPLAINERS["ReFine"].requires(GIN(4, 2), graph) is None
    assert bench.EXPLAINERS["NAM"].requires(GCN(4, 2, num_layers=4), node) is None  # any depth


def test_a_registered_explainer_gets_a_row(registries):
    bench.register_explainer("Mine", lambda model, task: FeatureOracle())
    board = bench.run_benchmark(["Saliency", "Mine"], ["TinyNodes"], [0], quick=True, num_instances=2,
                                sanity_instances=1).leaderboard()
    assert list(board.index) == ["Saliency", "Mine"] and board.loc["Mine", "TinyNodes"] == "1.000 ± 0.000"


def test_the_same_seed_gives_the_same_numbers(result):
    def strip(value):  # timings are the only machine-dependent numbers
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "seconds_per_instance"}
        return value

    again = run()
    assert strip(again.to_json()) == strip(result.to_json())


def test_two_workers_give_the_same_numbers_in_the_same_order(result):
    def strip(value):  # timings are the only machine-dependent numbers; NaN made comparable
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "seconds_per_instance"}
        return "nan" if isinstance(value, float) and math.isnan(value) else value

    parallel = bench.run_benchmark(METHODS, ["TinyNodes", "TinyGraphs"], [0], quick=True, num_instances=6,
                                   sanity_instances=1, workers=2)
    assert strip(parallel.to_json()) == strip(result.to_json())
    assert list(parallel.auroc) == ["TinyNodes", "TinyGraphs"]
    assert parallel.explanations.keys() == result.explanations.keys()  # the explorer's data came back too


def test_std_over_seeds(registries):
    two = bench.run_benchmark(["Oracle", "Random"], ["TinyNodes"], [0, 1], quick=True, num_instances=4,
                              sanity_instances=1)
    assert two.auroc["TinyNodes"]["Oracle"] == {"mean": 1.0, "std": 0.0, "n": 2, "level": "edge"}
    assert two.auroc["TinyNodes"]["Random"]["n"] == 2 and math.isfinite(two.auroc["TinyNodes"]["Random"]["std"])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(explainers=["Nope"]), ValueError, "explainers"),
    (dict(explainers=["Saliency", "Saliency"]), ValueError, "explainers"),
    (dict(datasets=["Nope"]), ValueError, "datasets"),
    (dict(seeds=[]), ValueError, "seeds"),
    (dict(seeds=[0, 0]), ValueError, "seeds"),
    (dict(seeds=[-1]), ValueError, "seeds"),
    (dict(seeds=[0.5]), TypeError, "seeds"),
    (dict(num_instances=0), ValueError, "num_instances"),
    (dict(sanity_instances=-1), ValueError, "sanity_instances"),
    (dict(models="mine"), ValueError, "models="),
    (dict(workers=0), ValueError, "workers"),
    (dict(models="notebooks", datasets=["BA-Shapes", "Infection"]), ValueError, "no notebook explains Infection"),
])
def test_bad_input_names_the_parameter(kwargs, error, match):
    with pytest.raises(error, match=match):
        bench.run_benchmark(**{"explainers": ["Saliency"], "datasets": ["BA-Shapes"], **kwargs})


def test_bad_registrations_and_queries_name_the_parameter(result):
    with pytest.raises(TypeError, match="factory"):
        bench.register_explainer("X", None)
    with pytest.raises(ValueError, match="already registered"):
        bench.register_explainer("Saliency", lambda model, task: FeatureOracle())
    with pytest.raises(ValueError, match="model="):
        bench.register_explainer("X", lambda model, task: FeatureOracle(), model="gin")
    with pytest.raises(ValueError, match="dropout"):
        bench.register_dataset("X", tiny_graphs, dropout=1.0)
    with pytest.raises(ValueError, match="metric="):
        result.leaderboard("accuracy")
    with pytest.raises(ValueError, match="level="):
        instance_scores("graph", torch.ones(3), torch.ones(3), torch.zeros(2, 3, dtype=torch.long), 3)
    with pytest.raises(ValueError, match="items"):
        groundtruth_auroc([])


def test_disagreements_list_the_pairs_that_auroc_and_fidelity_order_oppositely():
    def cell(mean):
        return {"mean": mean, "std": 0.0, "n": 1}

    result = bench.BenchmarkResult(
        auroc={"D": {"A": cell(0.9), "B": cell(0.5), "C": cell(0.85)}},
        fidelity={"D": {"A": {k: cell(0.2) for k in bench.FIDELITY_KEYS},
                        "B": {k: cell(0.8) for k in bench.FIDELITY_KEYS},
                        "C": {k: cell(0.25) for k in bench.FIDELITY_KEYS}}})
    found = bench.disagreements(result, "fid+")
    assert [(d["truth_prefers"], d["model_prefers"]) for d in found] == [("A", "B"), ("C", "B")]
    assert bench.disagreements(result, "fid-") == []  # a higher fid- is worse: B is then worse on both counts
    with pytest.raises(ValueError, match="fidelity="):
        bench.disagreements(result, "accuracy")


def test_oversampled_repeats_the_rare_class():
    graphs = [Data(y=torch.tensor([label])) for label in (0, 0, 0, 0, 0, 0, 1, 1)]
    labels = [int(g.y) for g in bench.oversampled(graphs)]
    assert labels.count(0) == 6 and labels.count(1) == 6
    assert bench.oversampled(graphs[:2] + graphs[6:]) == graphs[:2] + graphs[6:]  # balanced: unchanged


def test_figures_of_a_result(result):
    from gnnexplain.viz import benchmark as figures

    heat = figures.leaderboard_heatmap(result)
    assert list(heat.data[0].y) == METHODS and heat.data[0].z[METHODS.index("NAM")][1] is None  # n/a: blank
    assert len(figures.auroc_against_seconds(result).data) >= 4
    assert figures.auroc_against_fidelity(result).data[-1].name == "ground truth itself"
    inst = result.explained["TinyNodes", 0][0]
    pair = figures.mask_beside_truth(inst, result.explanations["TinyNodes", 0, "Saliency"][0], method="Saliency",
                                     dataset="TinyNodes")
    assert len(pair) == 2 and "ground truth" in pair[1].layout.title.text
    assert "check not run" in pair[0].layout.title.text
    failing = figures.mask_beside_truth(inst, result.explanations["TinyNodes", 0, "Saliency"][0], method="Saliency",
                                        dataset="TinyNodes", sanity={"passes": False})
    assert "fails the model-randomisation check" in failing[0].layout.title.text
    draw = figures.benchmark_drawer(result, 0)
    drawn = draw("TinyNodes", "Saliency", 0)  # the pair above, titled with the result's own verdict
    verdict = figures.sanity_note(result.sanity["TinyNodes"].get("Saliency"))
    assert drawn[0].layout.title.text == f"Saliency: TinyNodes, node {inst.id} — {verdict}"
    assert drawn[1].layout.title.text == pair[1].layout.title.text
    with pytest.raises(ValueError, match="does not apply"):
        draw("TinyGraphs", "NAM", 0)
    with pytest.raises(IndexError, match="instance="):
        draw("TinyNodes", "Saliency", 10_000)
    with pytest.raises(ValueError, match="metric="):
        figures.leaderboard_heatmap(result, "fid+")
    with pytest.raises(ValueError, match="fidelity="):
        figures.auroc_against_fidelity(result, "auroc")


def test_graphmask_leaves_the_model_trainable_for_the_next_method():
    from gnnexplain.models import GCN

    data = tiny_node_data(0)
    torch.manual_seed(0)
    model = GCN(2, 2, num_layers=3, dropout=0.1, input_dropout=False).eval()
    task = bench.Task("TinyNodes", "node", 3, "GCN", True)
    graphmask = bench.EXPLAINERS["GraphMask"].factory(model, task)
    graphmask(data.x, data.edge_index, index=30, seed=0)
    assert all(p.requires_grad for p in model.parameters())  # PyG's GraphMask froze them
    gradcam = bench.EXPLAINERS["Grad-CAM"].factory(model, task)
    assert gradcam(data.x, data.edge_index, index=30, seed=0).node_mask.shape == (42, 1)


def test_methods_explained_lists_the_methods_that_ran_on_a_dataset_and_seed():
    from gnnexplain.experiments.benchmark import BenchmarkResult

    result = BenchmarkResult(explanations={("A", 0, "x"): [], ("B", 0, "y"): [], ("A", 1, "z"): [], ("A", 0, "w"): []})
    assert result.methods_explained("A", 0) == ["x", "w"] and result.methods_explained("C", 0) == []


class ReadsFlag(torch.nn.Module):
    """A node classifier that reads the motif flag (feature 1): the control model of the tests."""

    def forward(self, x, edge_index):
        return torch.stack([1 - x[:, 1], x[:, 1]], dim=1) * 5


def test_a_control_run_explains_the_notebooks_model_without_the_sanity_check(registries):
    bench.register_dataset("TinyControl", tiny_node_graph, dropout=0.0, epochs=(200, 200),
                           notebook_model=lambda dataset, seed, quick: (ReadsFlag(), "ReadsFlag", 1.0))
    control = bench.run_benchmark(["Oracle", "Random"], ["TinyControl"], [0], quick=True, num_instances=3,
                                  sanity_instances=0, models="notebooks")
    assert set(control.model_accuracy["TinyControl"]) == {"ReadsFlag", "GAT"}  # no GCN trained
    assert control.auroc["TinyControl"]["Oracle"]["mean"] == 1.0
    assert control.sanity["TinyControl"]["Oracle"] == {"not_applicable": "not run (sanity_instances=0)"}
    assert control.settings["models"] == "notebooks"
    with pytest.raises(TypeError, match="notebook_model"):
        bench.register_dataset("X", tiny_graphs, notebook_model="ConcatGNN")


def test_agreement_sets_the_control_beside_the_notebook_and_checks_the_std_intervals():
    cell = lambda mean, std: {"mean": mean, "std": std, "n": 3}  # noqa: E731
    result = bench.BenchmarkResult(auroc={"BA-Shapes": {"Saliency": cell(0.99, 0.01), "PGExplainer": cell(0.5, 0.1)}})
    control = bench.BenchmarkResult(
        auroc={"BA-Shapes": {"Saliency (notebook 05)": cell(0.95, 0.02), "PGExplainer": cell(0.80, 0.01),
                             "GNNExplainer (notebook 05)": {"not_applicable": "no"}}},
        settings={"models": "notebooks"})
    reference = {"BA-Shapes": {"Saliency": cell(0.97, 0.01), "PGExplainer": cell(0.90, 0.05),
                               "GNNExplainer": cell(0.9, 0.0)}}
    table = bench.agreement(result, control, reference)
    assert list(table.index) == [("BA-Shapes", "Saliency"), ("BA-Shapes", "PGExplainer")]
    assert table.loc[("BA-Shapes", "Saliency"), "agrees"]  # |0.95 - 0.97| <= 0.02 + 0.01
    assert not table.loc[("BA-Shapes", "PGExplainer"), "agrees"]  # 0.10 > 0.01 + 0.05
    assert table.loc[("BA-Shapes", "PGExplainer"), "leaderboard"] == "0.500 ± 0.100"
    assert table.loc[("BA-Shapes", "PGExplainer"), "difference"] == -0.1
    with pytest.raises(ValueError, match="models='notebooks'"):
        bench.agreement(result, result, reference)
    control.auroc["BA-Shapes"]["PGExplainer"] = {"mean": 0.9, "std": 0.0, "n": 1}
    assert bench.agreement(result, control, reference).loc[("BA-Shapes", "PGExplainer"), "agrees"] is None
    assert bench.agreement(result, control, {}).empty  # no notebook results: no row


def test_notebook_references_read_the_sibling_notebooks_of_the_same_mode(tmp_path):
    (tmp_path / "results").mkdir()
    stats = {"mean": 0.9, "std": 0.0}
    (tmp_path / "results" / "05_gnnexplainer_xgnn.json").write_text(
        json.dumps({"quick": True, "explanation_auc": {"BA-Shapes": {"Saliency": stats}}}))
    (tmp_path / "results" / "04_refine.json").write_text(json.dumps({"quick": False, "groundtruth_auroc": {}}))
    reference, notes = bench.notebook_references(tmp_path, quick=True)
    assert reference == {"BA-Shapes": {"Saliency": stats}}
    assert len(notes) == 1 and "04_refine" in notes[0] and "quick=False" in notes[0]
    reference, notes = bench.notebook_references(tmp_path / "elsewhere", quick=True)
    assert reference == {} and all("run that notebook first" in n for n in notes)


def test_a_worker_sends_a_sliced_graph_without_the_datasets_whole_storage():
    import io
    import pickle

    storage = torch.arange(100_000.0, requires_grad=True) * 1  # a dataset's collated features, in a graph
    payload = {"x": storage[10:20], "whole": torch.ones(3)}
    buffer = io.BytesIO()
    bench._CompactPickler(buffer, pickle.HIGHEST_PROTOCOL).dump(payload)
    assert len(buffer.getvalue()) < 5_000  # plain pickle writes all 100,000 floats
    back = pickle.loads(buffer.getvalue())
    assert torch.equal(back["x"], torch.arange(10.0, 20.0)) and torch.equal(back["whole"], torch.ones(3))
