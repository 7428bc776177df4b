"""Notebook 02's experiment helpers (docs/02_nam.md §2.2–2.5) and its figures, on a tiny random graph."""

import pytest
import torch
from torch_geometric.data import Data

from conftest import random_node_graph
from gnnexplain.experiments import nam
from gnnexplain.experiments.common import CLASS_NAMES, NODE_METHODS
from gnnexplain.models import GCN
from gnnexplain.viz.nam import nam_drawer, niv_example


class FakeDataset:
    num_features, num_classes = 5, 3

    def __init__(self, data):
        self.data = data

    def __getitem__(self, i):
        return self.data


@pytest.fixture(scope="module")
def setup():
    data = random_node_graph(num_nodes=30)
    torch.manual_seed(0)
    model = GCN(5, 3, hidden_channels=8).eval()
    with torch.no_grad():
        pred = model(data.x, data.edge_index).argmax(-1)
    return model, data, pred


def test_identity_check_holds_on_a_random_gcn(setup):
    model, data, pred = setup
    row = nam.identity_check(model, data, pred, sample_size=5, seed=0)
    assert row["max |closed form - grad x input|"] < 1e-5
    assert row["max |sum NAM + bias share - logit|"] < 1e-5
    assert row["max |grad x input| beyond 2 hops"] == 0
    assert 0 <= row["walk a->a->a: mean share of sum |NAM|"] <= 1 and row["stored contributions (nnz)"] > 30
    assert row["speed-up"] == pytest.approx(row["autograd loop, all nodes (s, extrapolated)"]
                                            / row["closed form, all nodes (s)"])
    with pytest.raises(ValueError, match="sample_size=0"):
        nam.identity_check(model, data, pred, sample_size=0)


def test_perturbation_study_ranks_with_every_method(setup):
    model, data, _ = setup
    study = nam.perturbation_study(model, data, num_nodes=4, random_seeds=2, gnnexplainer_epochs=2,
                                   gnnexplainer_lr=0.1, seed=0)
    result = study["result"]
    assert set(result.auc) == {"NAM", "NAM (true class)", "random", *NODE_METHODS}
    assert result.num_nodes == 4 and set(study["seconds"]) == {"rankings (s)", "deletion runs (s)"}
    again = nam.perturbation_study(model, data, num_nodes=4, random_seeds=2, gnnexplainer_epochs=2,
                                   gnnexplainer_lr=0.1, seed=0)
    assert again["result"].auc == result.auc  # seeded sample, seeded GNNExplainer


def test_dataset_table_and_training(setup, tmp_path, monkeypatch):
    _, data, _ = setup
    graphs = {"Cora": (FakeDataset(data), data)}
    table = nam.dataset_table(graphs)
    assert table.loc["Cora", "nodes"] == 30 and table.loc["Cora", "features"] == 5
    assert table.loc["Cora", "train / val / test"] == "10 / 10 / 10"
    assert table.loc["Cora", "paper (Xie & Lu, Table 1): nodes / edges"] == "2708 / 5429"
    monkeypatch.setenv("GNNEXPLAIN_DATA_DIR", str(tmp_path))
    trained = nam.train_gcns(graphs, seed=0)
    assert not trained["reports"]["Cora"]["from_cache"] and trained["predictions"]["Cora"].shape == (30,)
    assert nam.train_gcns(graphs, seed=0)["reports"]["Cora"]["from_cache"]


def test_load_graphs_skips_unavailable_datasets(monkeypatch):
    def unavailable(name, **kwargs):
        raise nam.DatasetUnavailableError(f"{name}: raw file missing")

    monkeypatch.setattr(nam, "load_dataset", unavailable)
    assert nam.load_graphs(["PubMed"]) == {"graphs": {}, "skipped": {"PubMed": "PubMed: raw file missing"}}


def test_niv_example_and_drawer(setup):
    model, data, pred = setup
    centre = int(torch.bincount(data.edge_index[0]).argmax())
    neighbours = data.edge_index[1, data.edge_index[0] == centre].unique().tolist()
    example = niv_example(model, data, centre, neighbours[0], pred, ["a", "b", "c"], dataset="Toy")
    row = example["row"]
    assert row["1-hop neighbours"] == len(neighbours) and row["most influential (this run)"] in neighbours
    assert 1 <= row["rank of the paper's node here (by |contribution|)"] <= len(neighbours)
    assert example["figure"].layout.title.text.startswith(f"NIV, Toy node {centre}")
    assert example["figure"].layout.title.text.endswith("NAM (true class) not sanity-checked")
    failing = niv_example(model, data, centre, neighbours[0], pred, ["a", "b", "c"], dataset="Toy",
                          sanity={"NAM (true class)": {"passes": False}})
    assert failing["figure"].layout.title.text.endswith("NAM (true class) fails the model-randomisation check")
    far = [v for v in range(30) if v not in neighbours and v != centre][0]
    assert niv_example(model, data, centre, far, pred, ["a", "b", "c"], dataset="Toy")["row"][
        "rank of the paper's node here (by |contribution|)"] is None
    explainers = {"Toy": {"Saliency": nam.ranking_explainer(model, "Saliency")}}
    draw = nam_drawer({"Toy": (None, data)}, {"Toy": model}, {"Toy": pred}, explainers,
                      class_names={"Toy": ["a", "b", "c"]}, sanity={"Saliency": {"passes": False}})
    niv, bars = draw("Toy", centre, -1, 1, "Saliency")
    assert niv.layout.title.text.startswith(f"Saliency: Toy node {centre}") and bars.layout.title.text
    assert niv.layout.title.text.endswith("— fails the model-randomisation check")
    assert draw("Toy", centre, -1, 1, "NAM")[0].layout.title.text.endswith("— not sanity-checked")
    with pytest.raises(IndexError, match="node=30 is outside Toy"):
        draw("Toy", 30, -1, 1, "NAM")


def test_sample_test_nodes_is_seeded_nested_and_checked(setup):
    _, data, _ = setup
    nodes = nam.sample_test_nodes(data, 6, seed=3)
    assert data.test_mask[nodes].all() and nodes.tolist() == sorted(nodes.tolist())
    assert set(nam.sample_test_nodes(data, 2, seed=3).tolist()) <= set(nodes.tolist())
    assert nam.sample_test_nodes(data, 100).numel() == int(data.test_mask.sum())
    with pytest.raises(ValueError, match="num_nodes=0"):
        nam.sample_test_nodes(data, 0)


def test_sanity_table_checks_every_shown_method(setup):
    model, data, _ = setup
    graphs = {"A": (None, data), "B": (None, data)}
    # seeds other than the model's own initialisation seed 0, so the re-initialised copy differs from it
    table = nam.sanity_table({"A": model, "B": model}, graphs, num_nodes=2, seeds=(3, 4), gnnexplainer_epochs=3,
                             gnnexplainer_lr=0.1)
    assert list(table) == list(nam.SANITY_METHODS) == ["NAM", "NAM (true class)", *NODE_METHODS]
    assert all(entry["n"] == 4 for entry in table.values())  # 2 nodes in each of 2 graphs
    assert table["NAM"]["rho_seeds"] == pytest.approx(1.0)  # deterministic: the seeds agree
    assert table["NAM"]["rho_randomized_model"] < 1
    assert nam.ranking_explainer(model, "GNNExplainer", gnnexplainer_lr=0.1).algorithm.lr == 0.1
    with pytest.raises(ValueError, match="at least one graph"):
        nam.sanity_table({}, {}, num_nodes=2, gnnexplainer_epochs=3)


def test_paper_constants_cover_the_datasets():
    assert set(nam.PAPER_TABLE1) == set(nam.PAPER_GCN_ACCURACY) == set(nam.PAPER_NODES) == set(CLASS_NAMES)
    assert all(len(CLASS_NAMES[n]) == nam.PAPER_TABLE1[n][3] for n in CLASS_NAMES)


def test_identity_check_needs_nodes():
    data = Data(x=torch.ones(2, 5), edge_index=torch.tensor([[0, 1], [1, 0]]))
    with pytest.raises(ValueError, match="sample_size=-1"):
        nam.identity_check(GCN(5, 3).eval(), data, torch.zeros(2, dtype=torch.long), sample_size=-1)
