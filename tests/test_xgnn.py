"""XGNN: action masks, graph transition and rules, determinism, errors, and that training works."""

import pytest
import torch
from torch_geometric.nn import global_add_pool

from gnnexplain.explain.xgnn import (FAILED, INVALID, OK, XGNN, GraphRules, XGNNPolicy, degree_node_features, end_mask,
                                     is_valid, start_mask, to_pyg, trace_graph, transition)


class TypeCounter(torch.nn.Module):
    """Toy graph classifier over two node types A, B: logit of class 1 = #B - #A (class 0: its negative)."""

    def forward(self, x, edge_index, batch):
        score = global_add_pool(x[:, 1:2] - x[:, 0:1], batch)
        return torch.cat([-score, score], dim=-1)


TOY_RULES = GraphRules(("A", "B"), (None, None))


def state(types, edges, slots):
    node_type = torch.full((1, slots), -1)
    node_type[0, : len(types)] = torch.tensor(types)
    adj = torch.zeros(1, slots, slots, dtype=torch.bool)
    for u, v in edges:
        adj[0, u, v] = adj[0, v, u] = True
    return node_type, adj


def test_masks_allow_existing_start_nodes_and_never_the_start_as_end():
    node_type, _ = state([0, 1, 0], [(0, 1), (1, 2)], slots=5)
    assert start_mask(node_type).tolist() == [[True, True, True, False, False]]
    allowed = end_mask(node_type, torch.tensor([1]), num_types=2)
    assert allowed.tolist() == [[True, False, True, False, False, True, True]]


def test_policy_samples_only_allowed_actions():
    rules = GraphRules.mutag()
    xgnn = XGNN(rules)
    xgnn.policy = XGNNPolicy(7)
    node_type, adj = state([0, 0, 2], [(0, 1), (1, 2)], slots=6)
    node_type, adj = node_type.expand(200, -1), adj.expand(200, -1, -1)
    start, end, logp = xgnn._sample(node_type, adj, torch.Generator().manual_seed(0))
    assert (start < 3).all() and (end != start).all() and ((end < 3) | (end >= 6)).all()
    assert torch.isfinite(logp).all() and (logp <= 0).all()


def test_transition_adds_nodes_edges_and_enforces_rules():
    rules = GraphRules.mutag()  # O (type 2) has valence 2, F (3) valence 1
    slots = 3
    node_type, adj = state([2, 0], [(0, 1)], slots)
    # new F node on O: O gets degree 2 -> OK
    t, a, status = transition(node_type, adj, torch.tensor([0]), torch.tensor([slots + 3]), rules)
    assert status.item() == OK and t[0].tolist() == [2, 0, 3] and a[0, 0, 2] and a[0, 2, 0]
    # edge F-C: F would have degree 2 > 1 -> INVALID and state unchanged
    t2, a2, status = transition(t, a, torch.tensor([2]), torch.tensor([1]), rules)
    assert status.item() == INVALID and torch.equal(t2, t) and torch.equal(a2, a)
    # existing edge and a new node in a full graph both fail
    assert transition(t, a, torch.tensor([0]), torch.tensor([1]), rules)[2].item() == FAILED
    assert transition(t, a, torch.tensor([1]), torch.tensor([slots]), rules)[2].item() == FAILED
    types, edge_index, batch = to_pyg(t, a)
    assert is_valid(types, edge_index, rules) and batch.tolist() == [0, 0, 0]
    assert not is_valid(torch.tensor([3, 3, 3]), torch.tensor([[0, 0, 1, 2], [1, 2, 0, 0]]), rules)


def test_training_raises_target_probability_and_graphs_are_valid():
    def mean_probability(episodes):
        xgnn = XGNN(TOY_RULES, max_step=8, rollouts=3, rollback="invalid")
        xgnn.fit(TypeCounter(), 1, max_node=6, episodes=episodes, seed=0)
        graphs = xgnn.generate(16, seed=1)
        return torch.tensor([g.probability for g in graphs]).mean(), graphs

    p_before, _ = mean_probability(1)
    p_after, graphs = mean_probability(10)
    assert p_before < 0.6 and p_after > 0.95  # the policy learned to add B nodes
    assert all(g.valid and g.data.num_nodes <= 6 and len(g.trace) == 8 for g in graphs)
    g = graphs[0]
    assert torch.equal(trace_graph(g.trace[g.best_step], num_types=2).x, g.data.x)
    assert g.trace[g.best_step]["probability"] == g.probability


def test_repo_rollback_keeps_only_edits_with_non_negative_reward():
    xgnn = XGNN(TOY_RULES, max_step=8, rollouts=2).fit(TypeCounter(), 1, max_node=6, episodes=2, seed=0)
    trace = [entry for g in xgnn.generate(8, seed=0) for entry in g.trace]
    assert {e["status"] for e in trace} >= {"accepted", "rejected"}
    assert all(e["probability"] >= 0.4 for e in trace if e["status"] == "accepted")  # P - 1/2 + 0.1 >= 0


def test_same_seed_same_graphs():
    runs = []
    for _ in range(2):
        xgnn = XGNN(GraphRules.mutag(), max_step=6, rollouts=2).fit(TypeCounter(), 0, max_node=4, episodes=3, seed=7)
        runs.append([(g.data.node_type.tolist(), g.data.edge_index.tolist(), g.probability)
                     for g in xgnn.generate(4, seed=3)])
    assert runs[0] == runs[1]
    other = XGNN(GraphRules.mutag(), max_step=6, rollouts=2).fit(TypeCounter(), 0, max_node=4, episodes=3, seed=8)
    assert [(g.data.node_type.tolist(), g.data.edge_index.tolist()) for g in other.generate(4, seed=3)] != \
        [r[:2] for r in runs[0]]


def test_errors_for_bad_class_budget_and_rules():
    xgnn = XGNN(TOY_RULES)
    with pytest.raises(ValueError, match=r"target_class=2 does not exist; allowed: 0\.\.1"):
        xgnn.fit(TypeCounter(), 2, max_node=4, episodes=1)
    with pytest.raises(ValueError, match="max_node"):
        xgnn.fit(TypeCounter(), 1, max_node=1, episodes=1)
    with pytest.raises(RuntimeError, match="fit"):
        xgnn.generate(2)
    with pytest.raises(ValueError, match="max_degree"):
        GraphRules(("C", "N"), (4,))
    with pytest.raises(ValueError, match="rollback"):
        XGNN(GraphRules.mutag(), rollback="always")


def test_is_acyclic_families_and_labels():
    import networkx as nx
    from torch_geometric.utils import to_networkx

    from gnnexplain.data import make_is_acyclic, split_graphs

    graphs = make_is_acyclic(num_per_family=3, seed=0)
    assert len(graphs) == 24 and {int(g.y) for g in graphs} == {0, 1}
    for g in graphs:
        is_forest = nx.is_forest(to_networkx(g, to_undirected=True))
        assert is_forest == (int(g.y) == 1), g.family
        assert torch.equal(g.x.view(-1), torch.bincount(g.edge_index[0], minlength=g.num_nodes).float())
    # the paper's families: a leaf (degree 1) iff acyclic; leafy_cycles adds cyclic graphs with leaves
    has_leaf = [bool((g.x == 1).any()) for g in graphs]
    assert has_leaf == [int(g.y) == 1 for g in graphs]
    leafy = make_is_acyclic(num_per_family=3, seed=0, leafy_cycles=True)
    assert len(leafy) == 30 and all(torch.equal(a.edge_index, b.edge_index) for a, b in zip(graphs, leafy))
    for g in leafy[24:]:
        assert g.family in ("tadpole", "lollipop") and int(g.y) == 0 and (g.x == 1).any()
        graph = to_networkx(g, to_undirected=True)
        assert not nx.is_forest(graph) and nx.is_connected(graph)
    train, val, test = split_graphs(graphs, seed=0)
    assert (len(train), len(val), len(test)) == (19, 2, 3)
    with pytest.raises(ValueError, match="fractions"):
        split_graphs(graphs, fractions=(0.9, 0.2))


def test_degree_node_features_are_the_is_acyclic_inputs():
    from gnnexplain.data import make_is_acyclic

    path = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    degrees = degree_node_features(torch.zeros(3, dtype=torch.long), path, 1)
    assert torch.equal(degrees, torch.tensor([[1.0], [2.0], [1.0]]))
    for g in make_is_acyclic(num_per_family=1, seed=0):
        assert torch.equal(degree_node_features(torch.zeros(g.num_nodes, dtype=torch.long), g.edge_index, 1), g.x)


def test_graph_gcn_and_generated_figures():
    from gnnexplain.models import GraphGCN
    from gnnexplain.viz import generated_graph_figure
    from gnnexplain.viz.generated import generated_graph_grid

    model = GraphGCN(7, 2)
    x = torch.eye(7)[torch.tensor([0, 1, 2, 0])]
    edge_index = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    assert model(x, edge_index, torch.tensor([0, 0, 1, 1])).shape == (2, 2)
    with pytest.raises(ValueError, match="pooling"):
        GraphGCN(7, 2, pooling="sort")
    fig = generated_graph_figure([0, 1, 2, 0], edge_index, GraphRules.mutag().node_types, title="t")
    assert list(fig.data[1].text) == ["C", "N", "O", "C"] and fig.data[1].marker.color[1] == "red"
    with pytest.raises(ValueError, match="type_names"):
        generated_graph_figure([0, 9], edge_index[:, :2], ("C",))
    panel = {"node_type": [0, 1], "edge_index": edge_index[:, :2], "title": "p"}
    assert len(generated_graph_grid([[panel, panel]], ("C", "N")).data) == 4
    with pytest.raises(ValueError, match="rectangular"):
        generated_graph_grid([[panel], []], ("C", "N"))
