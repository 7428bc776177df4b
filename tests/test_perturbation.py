import pytest
import torch
from torch_geometric.utils import k_hop_subgraph

from conftest import random_node_graph
from gnnexplain.experiments.common import node_explainer
from gnnexplain.explain.nam import nam_contributions
from gnnexplain.experiments.nam import explainer_node_scores, ranking_explainer
from gnnexplain.metrics import PERCENTS, num_deleted, perturbation_experiment, perturbation_logits
from gnnexplain.models import GCN


@pytest.fixture(scope="module")
def setup():
    data = random_node_graph(num_nodes=60, seed=1)
    data.x = torch.cat([data.x, torch.randn(1, data.num_features)])  # node 60: isolated
    data.y = torch.cat([data.y, torch.tensor([0])])
    torch.manual_seed(0)
    model = GCN(data.num_features, 3, hidden_channels=8).eval()
    for _, bias in model.linear_parameters():
        torch.nn.init.normal_(bias, std=0.3)
    nodes = torch.tensor([0, 3, 7, 12, 25, 31, 44, 59, 60])
    return model, data, nodes


def reference_logits(model, data, v, scores, percent, hops=2, rank_by="signed"):
    """Delete the top-ranked K-hop neighbours of v in the full graph, then run the model from scratch."""
    hood = k_hop_subgraph(v, hops, data.edge_index, num_nodes=data.num_nodes)[0]
    hood = hood[hood != v].sort().values
    s = scores[hood].abs() if rank_by == "abs" else scores[hood]
    ranked = hood[torch.argsort(-s, stable=True)]
    deleted = torch.zeros(data.num_nodes, dtype=torch.bool)
    deleted[ranked[:int(num_deleted(torch.tensor(hood.numel()), percent))]] = True
    src, dst = data.edge_index
    edited = data.edge_index[:, ~(deleted[src] | deleted[dst])]
    with torch.no_grad():
        return model(data.x, edited)[v]


@pytest.mark.parametrize("rank_by", ["signed", "abs"])
def test_edited_graph_equals_the_model_on_that_graph_built_from_scratch(setup, rank_by):
    model, data, nodes = setup
    scores = torch.randn(nodes.numel(), data.num_nodes, generator=torch.Generator().manual_seed(3))
    logits = perturbation_logits(model, data.x, data.edge_index, nodes, scores, rank_by=rank_by,
                                 max_batch_nodes=500)  # several batches
    assert logits.shape == (len(PERCENTS), nodes.numel(), 3)
    for i, p in enumerate(PERCENTS):
        for t, v in enumerate(nodes.tolist()):
            expected = reference_logits(model, data, v, scores[t], p, rank_by=rank_by)
            torch.testing.assert_close(logits[i, t], expected, atol=1e-5, rtol=0)


def test_three_hop_neighbourhood_for_a_three_layer_gcn(setup):
    _, data, nodes = setup
    torch.manual_seed(1)
    model = GCN(data.num_features, 3, hidden_channels=8, num_layers=3).eval()
    scores = torch.randn(nodes.numel(), data.num_nodes, generator=torch.Generator().manual_seed(4))
    logits = perturbation_logits(model, data.x, data.edge_index, nodes, scores, hops=3, percents=[30])
    for t, v in enumerate(nodes.tolist()):
        torch.testing.assert_close(logits[0, t], reference_logits(model, data, v, scores[t], 30, hops=3),
                                   atol=1e-5, rtol=0)


def test_deleting_all_neighbours_gives_identical_predictions_for_every_ranking(setup):
    model, data, nodes = setup
    nam = nam_contributions(model, data.x, data.edge_index, index=nodes)
    runs = [perturbation_logits(model, data.x, data.edge_index, nodes, nam, percents=[0, 50, 100]),
            perturbation_logits(model, data.x, data.edge_index, nodes, nam.to_dense(), percents=[0, 50, 100],
                                rank_by="abs")]
    runs += [perturbation_logits(model, data.x, data.edge_index, nodes, None, seed=s, percents=[0, 50, 100])
             for s in range(3)]
    with torch.no_grad():
        intact = model(data.x, data.edge_index)[nodes]
    for run in runs:
        torch.testing.assert_close(run[0], intact, atol=1e-5, rtol=0)  # p = 0: nothing deleted
        torch.testing.assert_close(run[2], runs[0][2], atol=1e-6, rtol=0)  # p = 100: the same graph
    assert not torch.allclose(runs[0][1], runs[2][1])  # p = 50 does depend on the ranking


def test_experiment_accuracies_aucs_and_isolated_nodes(setup):
    model, data, nodes = setup
    nam = nam_contributions(model, data.x, data.edge_index, index=nodes, target=data.y[nodes])
    result = perturbation_experiment(model, data, nodes, {"nam": nam}, random_seeds=(0, 1))
    assert set(result.accuracy) == {"nam", "random"} and result.num_nodes == nodes.numel()
    isolated = [v for v in nodes.tolist() if k_hop_subgraph(v, 2, data.edge_index, num_nodes=61)[0].numel() == 1]
    assert 60 in isolated and result.num_empty == len(isolated)  # counted as unchanged
    assert result.predictions["random"].shape == (2, len(PERCENTS), nodes.numel())
    with torch.no_grad():
        intact = model(data.x, data.edge_index).argmax(-1)[nodes]
    assert result.accuracy["nam"][0] == pytest.approx(float((intact == data.y[nodes]).float().mean()))
    assert result.accuracy["nam"][-1] == pytest.approx(result.accuracy["random"][-1])
    assert result.accuracy_std["random"][-1] == 0 and result.accuracy_std["nam"] == [0.0] * len(PERCENTS)
    acc = torch.tensor(result.accuracy["random"], dtype=torch.float64)
    assert result.auc["random"] == pytest.approx(float(torch.trapezoid(acc, dx=0.1)))
    assert list(result.table().index) == ["nam", "random"]


def test_num_deleted_rounds_halves_up():
    size = torch.tensor([0, 4, 5, 15, 7])
    assert num_deleted(size, 10).tolist() == [0, 0, 1, 2, 1]
    assert num_deleted(size, 100).tolist() == size.tolist()
    assert num_deleted(size, 0).tolist() == [0] * 5


def test_explainer_scores_on_the_subgraph_equal_the_full_graph(setup):
    model, data, nodes = setup
    explainer = node_explainer(model, "Saliency")
    scores = explainer_node_scores(explainer, data.x, data.edge_index, nodes[:3])
    for t, v in enumerate(nodes[:3].tolist()):
        full = explainer(data.x, data.edge_index, index=v).node_mask.sum(-1)
        torch.testing.assert_close(scores[t], full, atol=1e-6, rtol=0)


def test_errors(setup):
    model, data, nodes = setup
    x, ei = data.x, data.edge_index
    scores = torch.zeros(nodes.numel(), data.num_nodes)
    with pytest.raises(ValueError, match="allowed: signed, abs"):
        perturbation_logits(model, x, ei, nodes, scores, rank_by="desc")
    with pytest.raises(ValueError, match=r"percents=.*integers in \[0, 100\]"):
        perturbation_logits(model, x, ei, nodes, scores, percents=[0, 110])
    with pytest.raises(ValueError, match="hops=0 must be an integer >= 1"):
        perturbation_logits(model, x, ei, nodes, scores, hops=0)
    with pytest.raises(ValueError, match=r"scores must have shape \[T, N\]"):
        perturbation_logits(model, x, ei, nodes, scores[:, :5])
    with pytest.raises(ValueError, match="needs a seed"):
        perturbation_logits(model, x, ei, nodes, None)
    with pytest.raises(IndexError, match=r"nodes=\[61\] is outside the graph; allowed: integers 0\.\.60"):
        perturbation_logits(model, x, ei, [0, 61], None, seed=0)
    with pytest.raises(ValueError, match="'random' is reserved"):
        perturbation_experiment(model, data, nodes, {"random": scores})
    with pytest.raises(ValueError, match="must name at least one node"):
        perturbation_logits(model, x, ei, [], None, seed=0)


def test_ranking_explainers(setup):
    model, data, nodes = setup
    scores = explainer_node_scores(ranking_explainer(model, "GNNExplainer", gnnexplainer_epochs=5), data.x,
                                   data.edge_index, nodes[:2], seed=0)
    hood = k_hop_subgraph(int(nodes[0]), 3, data.edge_index, num_nodes=data.num_nodes)[0]
    outside = torch.ones(data.num_nodes, dtype=torch.bool)
    outside[hood] = False
    assert (scores[0, outside] == 0).all() and (scores[0, hood] >= 0).all()
    with pytest.raises(ValueError, match="allowed: Saliency, Integrated Gradients, GNNExplainer"):
        ranking_explainer(model, "nam")


def test_random_ranking_is_seeded(setup):
    model, data, nodes = setup
    run = [perturbation_logits(model, data.x, data.edge_index, nodes, None, seed=s, percents=[50]) for s in (4, 4, 5)]
    assert torch.equal(run[0], run[1]) and not torch.equal(run[0], run[2])
