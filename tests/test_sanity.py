import math

import pytest
import torch
from torch_geometric.explain import Explainer, Explanation
from torch_geometric.explain.algorithm import CaptumExplainer, ExplainerAlgorithm

from conftest import random_node_graph
from gnnexplain.core.masks import SafeExplainer
from gnnexplain.metrics.sanity import (data_randomization_test, mask_vector, model_randomization_test,
                                       model_randomization_tests, parameter_layers, randomized_copy,
                                       rank_correlation, sanity_checks, sanity_summary)
from gnnexplain.models import GCN, TrainConfig, train_node_classifier

CFG = dict(mode="multiclass_classification", task_level="node", return_type="raw")


class SeedOnly(ExplainerAlgorithm):
    """Ignores the model: a random edge mask drawn from the RNG (what a seed-driven explainer amounts to)."""

    def forward(self, model, x, edge_index, *, target, index=None, **kwargs):
        return Explanation(edge_mask=torch.rand(edge_index.size(1)))

    def supports(self):
        return True


class Constant(SeedOnly):
    def forward(self, model, x, edge_index, *, target, index=None, **kwargs):
        return Explanation(edge_mask=torch.ones(edge_index.size(1)))


@pytest.fixture(scope="module")
def trained():
    data = random_node_graph(40, seed=1)
    torch.manual_seed(0)
    model = GCN(data.num_features, 3, hidden_channels=16)
    train_node_classifier(model, data, config=TrainConfig(epochs=60, patience=None), progress=False)
    return data, model.eval()


def edge_explainer(model, algorithm, cls=Explainer):
    return cls(model, algorithm, explanation_type="model", edge_mask_type="object", model_config=CFG)


def test_saliency_depends_on_the_model_and_passes(trained):
    data, model = trained
    explainer = edge_explainer(model, CaptumExplainer("Saliency"), SafeExplainer)
    result = model_randomization_test(explainer, dict(x=data.x, edge_index=data.edge_index, index=5), num_hops=2)
    assert result["rho_seeds"] == pytest.approx(1.0)  # deterministic: every seed gives the same mask
    assert result["rho_randomized_model"] < 0.8 and result["passes"]


def test_a_mask_the_seed_decides_fails(trained):
    data, model = trained
    result = model_randomization_test(edge_explainer(model, SeedOnly()), dict(x=data.x, edge_index=data.edge_index,
                                                                              index=5), num_hops=2, seeds=(0, 1, 2))
    assert result["rho_randomized_model"] == pytest.approx(1.0)  # same seed, same mask, whatever the model
    assert abs(result["rho_seeds"]) < 0.6 and not result["passes"]


def test_a_constant_mask_ranks_nothing_and_fails(trained):
    data, model = trained
    result = model_randomization_test(edge_explainer(model, Constant()), dict(x=data.x, edge_index=data.edge_index))
    assert math.isnan(result["rho_randomized_model"]) and not result["passes"]


class ZeroWhenRandom(SeedOnly):
    """A mask that follows the trained model's first weight and vanishes on any other model (like a ReLU map)."""

    def __init__(self, reference):
        super().__init__()
        self.reference = reference

    def forward(self, model, x, edge_index, *, target, index=None, **kwargs):
        same = torch.equal(next(model.parameters()), self.reference)
        return Explanation(edge_mask=torch.arange(edge_index.size(1), dtype=torch.float) * same)


def test_a_mask_that_vanishes_on_the_random_model_passes(trained):
    data, model = trained
    explainer = edge_explainer(model, ZeroWhenRandom(next(model.parameters()).detach().clone()))
    result = model_randomization_test(explainer, dict(x=data.x, edge_index=data.edge_index))
    assert result["rho_randomized_model"] == 0.0 and result["rho_seeds"] == pytest.approx(1.0) and result["passes"]


def test_cascading_randomisation_reports_each_layer_output_first(trained):
    data, model = trained
    explainer = edge_explainer(model, CaptumExplainer("Saliency"))
    result = model_randomization_test(explainer, dict(x=data.x, edge_index=data.edge_index, index=5), num_hops=2,
                                      randomization="cascading")
    assert [name for name, _ in result["cascade"]] == parameter_layers(model)[::-1]
    assert result["rho_randomized_model"] == result["cascade"][-1][1]


def test_several_inputs_share_one_randomised_model_and_one_fit(trained):
    data, model = trained
    explainer = edge_explainer(model, CaptumExplainer("Saliency"), SafeExplainer)
    inputs = [dict(x=data.x, edge_index=data.edge_index, index=v) for v in (3, 5, 7)]
    fits = []
    together = model_randomization_tests(explainer, inputs, num_hops=2, randomization="cascading", fit=fits.append)
    assert len(fits) == len(parameter_layers(model))  # one fit per randomised model, not per input
    assert together == [model_randomization_test(explainer, one, num_hops=2, randomization="cascading")
                        for one in inputs]
    with pytest.raises(ValueError, match="instances"):
        model_randomization_tests(explainer, [])


def test_randomized_copy_leaves_the_model_alone_and_is_seeded(trained):
    _, model = trained
    before = [p.clone() for p in model.parameters()]
    a, b = randomized_copy(model, seed=3), randomized_copy(model, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(before, model.parameters()))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(next(a.parameters()), before[0])
    with pytest.raises(ValueError, match="unknown layers"):
        randomized_copy(model, seed=0, layers=["nope"])
    with pytest.raises(ValueError, match="nothing to randomise"):
        randomized_copy(torch.nn.ReLU(), seed=0)


def test_data_randomization_compares_with_a_model_trained_on_permuted_labels(trained):
    data, model = trained

    def train(labels):
        torch.manual_seed(0)
        other = GCN(data.num_features, 3, hidden_channels=16)
        permuted = data.clone()
        permuted.y = labels
        train_node_classifier(other, permuted, config=TrainConfig(epochs=60, patience=None), progress=False)
        return other.eval()

    result = data_randomization_test(edge_explainer(model, CaptumExplainer("Saliency")),
                                     dict(x=data.x, edge_index=data.edge_index, index=5), train, data.y, num_hops=2)
    assert -1 <= result["rho_permuted_labels"] < 0.9


def test_bad_arguments_are_refused(trained):
    data, model = trained
    explainer = edge_explainer(model, CaptumExplainer("Saliency"))
    inputs = dict(x=data.x, edge_index=data.edge_index, index=5)
    with pytest.raises(ValueError, match="two distinct seeds"):
        model_randomization_test(explainer, inputs, seeds=(0, 0))
    with pytest.raises(ValueError, match="randomization"):
        model_randomization_test(explainer, inputs, randomization="layerwise")
    with pytest.raises(ValueError, match="margin"):
        model_randomization_test(explainer, inputs, margin=-1)
    with pytest.raises(ValueError, match="pass 'index'"):
        model_randomization_test(explainer, dict(x=data.x, edge_index=data.edge_index), num_hops=2)
    with pytest.raises(ValueError, match="NaN or inf"):
        mask_vector(Explanation(edge_mask=torch.tensor([1.0, float("nan")])))
    with pytest.raises(ValueError, match="same length"):
        rank_correlation(torch.ones(3), torch.ones(4))


def test_rank_correlation_leaves_out_entries_zero_in_both():
    a, b = torch.tensor([0.0, 0, 0, 1, 2, 3]), torch.tensor([0.0, 0, 0, 3, 2, 1])
    assert rank_correlation(a, b) == pytest.approx(-1.0)
    assert math.isnan(rank_correlation(torch.tensor([0.0, 0, 1]), torch.tensor([0.0, 0, 2])))


def test_sanity_summary_averages_and_applies_the_rule():
    ok = {"rho_randomized_model": 0.2, "rho_seeds": 1.0}
    bad = {"rho_randomized_model": 0.9, "rho_seeds": 1.0}
    assert sanity_summary([ok, ok])["passes"]
    summary = sanity_summary([ok, bad])
    assert summary["rho_randomized_model"] == pytest.approx(0.55) and summary["passes"]  # 0.55 <= 1.0 - 0.2
    assert sanity_summary([bad, bad])["passes"] is False  # 0.9 > 1.0 - 0.2
    noisy = {"rho_randomized_model": -0.8, "rho_seeds": 0.1}  # seeds disagree: the seed decides the mask
    assert sanity_summary([noisy])["passes"] is False
    undefined = sanity_summary([ok, {"rho_randomized_model": math.nan, "rho_seeds": 1.0}])
    assert undefined["n_undefined"] == 1 and undefined["passes"] is False
    with pytest.raises(ValueError, match="at least one"):
        sanity_summary([])


def test_sanity_checks_summarise_each_method(trained):
    data, model = trained
    explainers = {"Saliency": edge_explainer(model, CaptumExplainer("Saliency")),
                  "seed only": edge_explainer(model, SeedOnly())}
    instances = [dict(x=data.x, edge_index=data.edge_index, index=v) for v in (5, 12)]
    table = sanity_checks(explainers, instances, num_hops=2)
    assert table["Saliency"]["passes"] and not table["seed only"]["passes"]
    assert table["Saliency"]["n"] == 2
    with pytest.raises(ValueError, match="unknown methods"):
        sanity_checks(explainers, instances, fit={"GNNExplainer": print})
