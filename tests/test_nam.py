import pytest
import torch
from torch_geometric.explain import Explainer
from torch_geometric.utils import k_hop_subgraph

from conftest import random_node_graph
from gnnexplain.experiments.nam import nam_explainer
from gnnexplain.explain import NAM
from gnnexplain.explain.nam import nam_autograd, nam_bias_share, nam_contributions, nam_self_walk
from gnnexplain.models.gcn import gcn_forward_projected, normalized_adjacency
from gnnexplain.models import GCN, GIN


def random_gcn(data, num_layers=2, seed=0, dtype=torch.float64):
    """A GCN with random weights *and biases* (PyG initialises biases to zero, which would hide bias terms)."""
    torch.manual_seed(seed)
    model = GCN(data.num_features, 3, hidden_channels=8, num_layers=num_layers).to(dtype).eval()
    for _, bias in model.linear_parameters():
        torch.nn.init.normal_(bias, std=0.5)
    return model


def graph(seed=0, dtype=torch.float64, num_nodes=30):
    data = random_node_graph(num_nodes=num_nodes, seed=seed)
    data.x = data.x.to(dtype)
    return data


def brute_force_walks(model, data, a, c):
    """docs/02_nam.md §2.3 reference: enumerate every walk j -> k -> a and add Â[a,k] Â[k,j] <S_c[k], U[j]>."""
    (w1, b1), (w2, _) = model.linear_parameters()
    adj_index, adj_weight = normalized_adjacency(data.edge_index, data.num_nodes, dtype=data.x.dtype)
    a_hat = {}
    for (j, k), w in zip(adj_index.t().tolist(), adj_weight.tolist()):
        a_hat[k, j] = a_hat.get((k, j), 0.0) + w
    neighbours = {}
    for (k, j) in a_hat:
        neighbours.setdefault(k, []).append(j)
    u = data.x @ w1
    p1 = torch.stack([sum(a_hat[k, j] * u[j] for j in neighbours[k]) + b1 for k in range(data.num_nodes)])
    walks = {}
    for k in neighbours[a]:
        s_c = (p1[k] > 0).to(u.dtype) * w2[:, c]
        for j in neighbours[k]:
            walks[j, k] = a_hat[a, k] * a_hat[k, j] * torch.dot(s_c, u[j]).detach()
    return walks


def brute_force_nam(model, data, a, c):
    nam = torch.zeros(data.num_nodes, dtype=data.x.dtype)
    for (j, _), value in brute_force_walks(model, data, a, c).items():
        nam[j] += value
    return nam


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_closed_form_equals_brute_force_and_autograd(seed):
    data = graph(seed)
    model = random_gcn(data, seed=seed)
    with torch.no_grad():
        pred = model(data.x, data.edge_index).argmax(-1)
    closed = nam_contributions(model, data.x, data.edge_index, method="closed_form").to_dense()
    for a in range(0, data.num_nodes, 3):
        c = int(pred[a])
        brute = brute_force_nam(model, data, a, c)
        grad_x_input = nam_autograd(model, data.x, data.edge_index, a, c)
        assert brute.abs().sum() > 0
        torch.testing.assert_close(closed[a], brute, atol=1e-5, rtol=0)
        torch.testing.assert_close(closed[a], grad_x_input, atol=1e-5, rtol=0)


def test_self_walk_is_the_single_walk_a_a_a():
    data = graph(11)
    model = random_gcn(data, seed=11)
    target = torch.arange(data.num_nodes) % 3
    self_walk = nam_self_walk(model, data.x, data.edge_index, target=target)
    for a in range(0, data.num_nodes, 4):
        expected = brute_force_walks(model, data, a, int(target[a]))[a, a]
        torch.testing.assert_close(self_walk[a], expected, atol=1e-10, rtol=0)


def test_closed_form_in_float32_and_with_edge_weights():
    data = graph(3, dtype=torch.float32)
    model = random_gcn(data, seed=3, dtype=torch.float32)
    weight = torch.rand(data.num_edges, generator=torch.Generator().manual_seed(0)) + 0.5
    target = torch.randint(0, 3, (data.num_nodes,), generator=torch.Generator().manual_seed(1))
    closed = nam_contributions(model, data.x, data.edge_index, target=target, edge_weight=weight).to_dense()
    auto = nam_contributions(model, data.x, data.edge_index, target=target, edge_weight=weight,
                             method="autograd").to_dense()
    torch.testing.assert_close(closed, auto, atol=1e-5, rtol=0)


def test_conservation_sum_plus_bias_share_equals_logit():
    data = graph(4)
    model = random_gcn(data, seed=4)
    target = torch.arange(data.num_nodes) % 3  # not only the predicted class
    nam = nam_contributions(model, data.x, data.edge_index, target=target)
    bias = nam_bias_share(model, data.x, data.edge_index, target=target)
    logits = model(data.x, data.edge_index)[torch.arange(data.num_nodes), target]
    assert bias.abs().min() > 0  # random biases: the bias share is a real term
    torch.testing.assert_close(torch.sparse.sum(nam, 1).to_dense() + bias, logits.detach(), atol=1e-10, rtol=0)


@pytest.mark.parametrize("num_layers", [2, 3])
def test_zero_beyond_k_hops_and_not_only_at_the_centre(num_layers):
    data = graph(5, num_nodes=40)
    model = random_gcn(data, num_layers=num_layers, seed=5)
    nam = nam_contributions(model, data.x, data.edge_index).to_dense()
    reached_last_hop = False
    for a in range(data.num_nodes):
        inside = torch.zeros(data.num_nodes, dtype=torch.bool)
        inside[k_hop_subgraph(a, num_layers, data.edge_index, num_nodes=data.num_nodes)[0]] = True
        assert (nam[a, ~inside] == 0).all()
        closer = torch.zeros_like(inside)
        closer[k_hop_subgraph(a, num_layers - 1, data.edge_index, num_nodes=data.num_nodes)[0]] = True
        reached_last_hop |= bool(nam[a, inside & ~closer].abs().sum() > 0)
    assert reached_last_hop


@pytest.mark.parametrize("num_layers", [1, 3, 4])
def test_closed_form_of_any_depth_equals_autograd(num_layers):
    data = graph(6)
    model = random_gcn(data, num_layers=num_layers, seed=6)
    closed = nam_contributions(model, data.x, data.edge_index, method="closed_form").to_dense()
    torch.testing.assert_close(closed, nam_contributions(model, data.x, data.edge_index, method="autograd").to_dense())
    row = nam_contributions(model, data.x, data.edge_index, index=[4], target=[1]).to_dense()[0]
    torch.testing.assert_close(row, nam_autograd(model, data.x, data.edge_index, 4, 1))
    assert closed.abs().sum() > 0
    with pytest.raises(ValueError, match="2-layer quantities"):  # the paper's bias share is defined for 2 layers
        nam_bias_share(model, data.x, data.edge_index)


def test_projected_forward_equals_the_model():
    data = graph(7)
    model = random_gcn(data, num_layers=3, seed=7)
    u = data.x @ model.linear_parameters()[0][0]
    torch.testing.assert_close(gcn_forward_projected(model, u, data.edge_index), model(data.x, data.edge_index))


def test_explainer_returns_the_node_mask_row_and_the_documented_extras():
    data = graph(8)
    model = random_gcn(data, seed=8)
    explanation = nam_explainer(model)(data.x, data.edge_index, index=5)
    pred = int(model(data.x, data.edge_index)[5].argmax())
    assert explanation.node_mask.shape == (data.num_nodes, 1)
    expected = nam_contributions(model, data.x, data.edge_index, index=[5], target=[pred]).to_dense()[0]
    torch.testing.assert_close(explanation.node_mask.view(-1), expected)
    assert int(explanation.target_class) == pred
    torch.testing.assert_close(explanation.bias_share,
                               nam_bias_share(model, data.x, data.edge_index, [5], [pred])[0])
    true = nam_explainer(model, target="true")(data.x, data.edge_index, target=data.y, index=5)
    assert int(true.target_class) == int(data.y[5])


@pytest.mark.parametrize("index", [-1, 30, 2.5])
def test_node_index_outside_the_graph(index):
    data = graph(9)
    model = random_gcn(data, seed=9)
    with pytest.raises(IndexError, match=r"outside the graph; allowed: integers 0\.\.29"):
        nam_explainer(model)(data.x, data.edge_index, index=index)
    with pytest.raises(IndexError, match="allowed: integers 0..29"):
        nam_contributions(model, data.x, data.edge_index, index=[0, index])


def test_unsupported_models_and_settings():
    data = graph(10, dtype=torch.float32)
    gin = GIN(data.num_features, 3).eval()
    with pytest.raises(TypeError, match="NAM supports model=gnnexplain.models.GCN"):
        nam_contributions(gin, data.x, data.edge_index)
    with pytest.raises(TypeError, match="NAM supports model=gnnexplain.models.GCN"):
        nam_explainer(gin)
    model = random_gcn(data, dtype=torch.float32)
    with pytest.raises(ValueError, match="training mode"):
        nam_contributions(model.train(), data.x, data.edge_index)
    model.eval()
    with pytest.raises(ValueError, match="node_mask_type='attributes'; allowed: 'object'"):
        Explainer(model, NAM(), explanation_type="model", node_mask_type="attributes",
                  model_config=dict(mode="multiclass_classification", task_level="node", return_type="raw"))
    with pytest.raises(ValueError, match="one node at a time"):
        nam_explainer(model)(data.x, data.edge_index, index=torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="must name at least one node"):
        nam_contributions(model, data.x, data.edge_index, index=[])
    with pytest.raises(ValueError, match="one class per node"):
        nam_explainer(model, target="true")(data.x, data.edge_index, target=data.y[:3], index=1)
    with pytest.raises(ValueError, match="allowed: auto, closed_form, autograd"):
        NAM("lrp")
    with pytest.raises(ValueError, match="allowed: pred, true"):
        nam_explainer(model, target="label")
    with pytest.raises(ValueError, match=r"target classes must lie in 0\.\.2"):
        nam_contributions(model, data.x, data.edge_index, index=[0], target=[3])


def test_nam_is_the_derivative_along_each_nodes_own_features():
    # Appendix B item 3: NAM(j) = d/de Z[a,c](X with row j scaled by 1+e) at e=0, by central differences.
    data = graph(12)
    model = random_gcn(data, seed=12)
    a, c, eps = 7, 1, 1e-6
    nam = nam_contributions(model, data.x, data.edge_index, index=[a], target=[c]).to_dense()[0]
    with torch.no_grad():
        for j in k_hop_subgraph(a, 2, data.edge_index, num_nodes=data.num_nodes)[0].tolist():
            up, down = data.x.clone(), data.x.clone()
            up[j] *= 1 + eps
            down[j] *= 1 - eps
            fd = (model(up, data.edge_index)[a, c] - model(down, data.edge_index)[a, c]) / (2 * eps)
            assert abs(float(fd - nam[j])) <= 1e-4 * max(1.0, abs(float(nam[j])))
