import pytest
import torch
from torch_geometric.explain import Explainer
from torch_geometric.explain.algorithm import CaptumExplainer, GNNExplainer, PGExplainer

from conftest import random_node_graph
from gnnexplain.core.masks import reset_explain_state
from gnnexplain.experiments.common import (NODE_METHODS, explain_node, node_explainer, node_sanity_table,
                                       sanity_frame, sanity_verdict)
from gnnexplain.explain import BayesGrad, GradCAM, GraphPGMExplainer, NAM, ReFine, SafeExplainer, SubgraphGNNExplainer
from gnnexplain.models import GCN, TrainConfig, train_node_classifier

CFG = dict(mode="multiclass_classification", task_level="node", return_type="raw")


@pytest.fixture
def setup():
    torch.manual_seed(0)
    data = random_node_graph()
    model = GCN(data.num_features, 3).eval()
    return model, data


def run_gnnexplainer(model, data, explainer_class):
    explainer = explainer_class(model, GNNExplainer(epochs=5), explanation_type="model",
                                node_mask_type="attributes", edge_mask_type="object", model_config=CFG)
    explainer(data.x, data.edge_index, index=1)


def captum_with_edge_mask(model, data, explainer_class):
    explainer = explainer_class(model, CaptumExplainer("Saliency"), explanation_type="model",
                                node_mask_type="attributes", edge_mask_type="object", model_config=CFG)
    return explainer(data.x, data.edge_index, index=1)


def pg_gradient(model, data):
    """Gradient of PGExplainer's loss w.r.t. its MLP, with the size/entropy regularisers switched off."""
    torch.manual_seed(0)
    algorithm = PGExplainer(epochs=1, edge_size=0.0, edge_ent=0.0)
    explainer = Explainer(model, algorithm, explanation_type="phenomenon", edge_mask_type="object", model_config=CFG)
    target = model(data.x, data.edge_index).argmax(-1)
    explainer.algorithm.train(0, model, data.x, data.edge_index, target=target, index=1)
    return torch.cat([p.grad.flatten() for p in algorithm.parameters()])


def test_pyg_leaves_edge_mask_parameters_behind(setup):
    # Documents the torch-geometric 2.8.1 bug the guard exists for; if this starts failing, PyG fixed it.
    model, data = setup
    run_gnnexplainer(model, data, Explainer)
    assert any("_edge_mask" in m._parameters for m in model.modules())
    with pytest.raises(RuntimeError, match="not have been used"):
        captum_with_edge_mask(model, data, Explainer)


def test_safe_explainer_leaves_no_state_and_captum_works_after_gnnexplainer(setup):
    model, data = setup
    run_gnnexplainer(model, data, SafeExplainer)
    assert not any("_edge_mask" in m._parameters or "_loop_mask" in m._parameters for m in model.modules())
    explanation = captum_with_edge_mask(model, data, SafeExplainer)
    assert explanation.edge_mask.abs().sum() > 0


def test_pgexplainer_gets_the_prediction_gradient_after_the_guard(setup):
    model, data = setup
    fresh = pg_gradient(model, data)
    assert fresh.abs().sum() > 0
    run_gnnexplainer(model, data, Explainer)  # unguarded: leaves state behind
    assert pg_gradient(model, data).abs().sum() == 0  # the silent failure
    reset_explain_state(model)
    assert torch.allclose(pg_gradient(model, data), fresh)


def test_safe_explainer_is_seeded_and_leaves_the_global_rng_alone(setup):
    model, data = setup
    explainer = node_explainer(model, "GNNExplainer", epochs=10)
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a = explain_node(explainer, data, 2, seed=7)
    assert torch.equal(torch.rand(1), expected_next)
    b = explain_node(explainer, data, 2, seed=7)
    c = explain_node(explainer, data, 2, seed=8)
    assert torch.equal(a.edge_mask, b.edge_mask) and not torch.equal(a.edge_mask, c.edge_mask)


@pytest.mark.parametrize("training", [False, True])
def test_safe_explainer_gives_pyg_explainers_explanation(setup, training):
    model, data = setup
    model.train(training)  # GCN has dropout: the explanation must run in eval mode, and the mode come back
    settings = dict(explanation_type="model", node_mask_type="attributes", edge_mask_type="object",
                    model_config=CFG, threshold_config=dict(threshold_type="topk", value=5))
    explanations = []
    for explainer_class in (Explainer, SafeExplainer):
        torch.manual_seed(0)
        explanations.append(explainer_class(model, GNNExplainer(epochs=5), **settings)(data.x, data.edge_index,
                                                                                       index=2))
        assert all(m.training == training for m in model.modules())
    pyg, safe = explanations
    assert sorted(safe.keys()) == sorted(pyg.keys()) and safe._model_args == pyg._model_args
    for key in pyg.keys():
        assert torch.equal(safe[key], pyg[key]), key


@pytest.mark.parametrize("method", NODE_METHODS)
def test_node_methods_return_masks_of_the_documented_shapes(setup, method):
    model, data = setup
    explanation = explain_node(node_explainer(model, method, epochs=5), data, 3)
    assert explanation.node_mask.shape == data.x.shape
    assert explanation.edge_mask.shape == (data.num_edges,)
    assert explanation.index == 3


def test_gradient_saliency_is_zero_beyond_two_hops(setup):
    from torch_geometric.utils import k_hop_subgraph
    model, data = setup
    explanation = explain_node(node_explainer(model, "Saliency"), data, 0)
    inside = torch.zeros(data.num_nodes, dtype=torch.bool)
    inside[k_hop_subgraph(0, 2, data.edge_index, num_nodes=data.num_nodes)[0]] = True
    assert explanation.node_mask[~inside].abs().sum() == 0
    assert explanation.node_mask[inside].abs().sum() > 0


@pytest.mark.parametrize("index", [-1, 30, 2.0, True, "3"])
def test_node_index_outside_the_graph(setup, index):
    model, data = setup
    with pytest.raises(IndexError, match=r"outside the graph; allowed: integers 0\.\.29"):
        explain_node(node_explainer(model, "Saliency"), data, index)


def test_node_sanity_table_checks_each_method_on_the_given_nodes():
    data = random_node_graph(40, seed=1)
    torch.manual_seed(0)
    model = GCN(data.num_features, 3, hidden_channels=16)
    train_node_classifier(model, data, config=TrainConfig(epochs=60, patience=None), progress=False)
    table = node_sanity_table(model.eval(), data, [5, 12], methods=["Saliency", "GNNExplainer"], epochs=5, lr=0.1)
    assert set(table) == {"Saliency", "GNNExplainer"} and table["Saliency"]["n"] == 2
    assert table["Saliency"]["rho_seeds"] == pytest.approx(1.0)  # deterministic: the seeds agree
    assert table["Saliency"]["passes"] and table["Saliency"]["rho_randomized_model"] < 0.8
    assert -1 <= table["GNNExplainer"]["rho_randomized_model"] <= 1
    frame = sanity_frame(table)
    assert list(frame.index) == ["Saliency", "GNNExplainer"] and frame.loc["Saliency", "instances"] == 2
    with pytest.raises(ValueError, match="at least one node"):
        node_sanity_table(model, data, [])
    with pytest.raises(IndexError, match="outside the graph"):
        node_sanity_table(model, data, [40])
    with pytest.raises(ValueError, match="allowed: Saliency"):
        node_sanity_table(model, data, [5], methods=["lime"])


def test_sanity_verdict_and_the_learning_rate_reach_gnnexplainer():
    sanity = {"A": {"passes": True}, "B": {"passes": False}}
    assert sanity_verdict(sanity, "A") == "passes the model-randomisation check"
    assert sanity_verdict(sanity, "B") == "fails the model-randomisation check"
    assert sanity_verdict(sanity, "C") == sanity_verdict(None, "A") == "not sanity-checked"
    assert node_explainer(GCN(3, 2), "GNNExplainer", lr=0.1).algorithm.lr == 0.1
    with pytest.raises(ValueError, match="at least one method"):
        sanity_frame({})


def test_unknown_method():
    with pytest.raises(ValueError, match="allowed: Saliency, Integrated Gradients, GNNExplainer"):
        node_explainer(GCN(3, 2), "lime")


@pytest.mark.parametrize("algorithm, good, bad", [
    (lambda: GradCAM(), dict(task_level="graph", node_mask_type="object", edge_mask_type=None),
     dict(task_level="node", node_mask_type="object", edge_mask_type=None)),
    (lambda: BayesGrad(4), dict(task_level="graph", node_mask_type="object", edge_mask_type=None),
     dict(task_level="graph", node_mask_type="object", edge_mask_type="object")),
    (lambda: NAM(), dict(task_level="node", node_mask_type="object", edge_mask_type=None),
     dict(task_level="graph", node_mask_type="object", edge_mask_type=None)),
    (lambda: SubgraphGNNExplainer(epochs=1), dict(task_level="node", node_mask_type=None, edge_mask_type="object"),
     dict(task_level="node", node_mask_type="attributes", edge_mask_type="object")),
    (lambda: ReFine(3, 2), dict(task_level="graph", node_mask_type=None, edge_mask_type="object"),
     dict(task_level="node", node_mask_type=None, edge_mask_type="object")),
    (lambda: GraphPGMExplainer(), dict(task_level="graph", node_mask_type=None, edge_mask_type="object"),
     dict(task_level="graph", node_mask_type="object", edge_mask_type="object")),
])
def test_supports_is_a_bool_and_connect_names_the_refusal(algorithm, good, bad):
    def configs(task_level, node_mask_type, edge_mask_type):
        return (dict(explanation_type="model", node_mask_type=node_mask_type, edge_mask_type=edge_mask_type),
                dict(mode="multiclass_classification", task_level=task_level, return_type="raw"))

    alg = algorithm()
    alg.connect(*configs(**good))
    assert alg.supports() is True
    with pytest.raises(ValueError, match=f"{type(alg).__name__} cannot explain these settings: .*allowed"):
        alg.connect(*configs(**bad))
    assert alg.supports() is False
