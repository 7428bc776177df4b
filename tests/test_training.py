import pytest
import torch
from torch_geometric.data import Data

from conftest import random_node_graph
from gnnexplain.models import GCN, GIN, TrainConfig, load_or_train, train_graph_classifier, train_node_classifier

CONFIG = TrainConfig(epochs=30, patience=None)


def fit_gcn(data, seed, cache_dir, retrain=False, calls=None):
    def train(model):
        if calls is not None:
            calls.append(seed)
        return train_node_classifier(model, data, config=CONFIG, progress=False)
    return load_or_train(lambda: GCN(data.num_features, 3), train, name="gcn-test",
                         key={"dataset": "random", "train": CONFIG.as_dict()}, seed=seed,
                         cache_dir=cache_dir, retrain=retrain)


def same_weights(a, b):
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_gcn_without_input_dropout_drops_hidden_layers_only():
    data = random_node_graph()
    torch.manual_seed(0)
    one_layer = GCN(data.num_features, 3, dropout=0.5, num_layers=1, input_dropout=False).train()
    assert torch.equal(one_layer(data.x, data.edge_index), one_layer.eval()(data.x, data.edge_index))
    default = GCN(data.num_features, 3, dropout=0.5, num_layers=1).train()
    assert not torch.equal(default(data.x, data.edge_index), default.eval()(data.x, data.edge_index))
    two_layers = GCN(data.num_features, 3, dropout=0.5, input_dropout=False).train()
    assert not torch.equal(two_layers(data.x, data.edge_index), two_layers.eval()(data.x, data.edge_index))
    assert "input_dropout" not in default.config  # the default GCN's checkpoint key is unchanged
    assert two_layers.config["input_dropout"] is False
    with pytest.raises(TypeError, match="input_dropout"):
        GCN(data.num_features, 3, input_dropout=0)


def test_same_seed_same_weights_and_metrics(tmp_path):
    data = random_node_graph()
    m1, r1 = fit_gcn(data, 0, tmp_path / "a")
    m2, r2 = fit_gcn(data, 0, tmp_path / "b")  # separate caches: both really train
    m3, _ = fit_gcn(data, 1, tmp_path / "c")
    assert not r1["from_cache"] and not r2["from_cache"]
    assert same_weights(m1, m2)
    assert r1["history"] == r2["history"] and r1["test_acc"] == r2["test_acc"]
    assert not same_weights(m1, m3)


def test_checkpoint_cache_hit_and_miss(tmp_path):
    data, calls = random_node_graph(), []
    m1, r1 = fit_gcn(data, 0, tmp_path, calls=calls)
    m2, r2 = fit_gcn(data, 0, tmp_path, calls=calls)
    assert calls == [0] and r2["from_cache"] and r2["checkpoint"] == r1["checkpoint"]
    assert same_weights(m1, m2) and r2["test_acc"] == r1["test_acc"]
    fit_gcn(data, 1, tmp_path, calls=calls)  # another seed is another key
    assert calls == [0, 1] and len(list(tmp_path.glob("gcn-test-*.pt"))) == 2
    fit_gcn(data, 0, tmp_path, retrain=True, calls=calls)
    assert calls == [0, 1, 0]


def test_what_follows_a_model_is_the_same_trained_or_loaded(tmp_path):
    import random

    import numpy as np

    def draws():
        return torch.rand(3).tolist(), np.random.rand(2).tolist(), random.random()

    data = random_node_graph()
    fit_gcn(data, 0, tmp_path)
    after_training = draws()
    _, report = fit_gcn(data, 0, tmp_path)
    assert report["from_cache"] and draws() == after_training
    blob = torch.load(report["checkpoint"], weights_only=True)
    del blob["rng"]  # a checkpoint of an older version: retrained, so the draws stay the same
    torch.save(blob, report["checkpoint"])
    with pytest.warns(UserWarning, match="random state"):
        _, report = fit_gcn(data, 0, tmp_path)
    assert not report["from_cache"] and draws() == after_training


def test_corrupted_checkpoint_is_retrained_with_a_warning(tmp_path):
    data, calls = random_node_graph(), []
    m1, r1 = fit_gcn(data, 0, tmp_path, calls=calls)
    with open(r1["checkpoint"], "wb") as f:
        f.write(b"not a checkpoint")
    with pytest.warns(UserWarning, match="unreadable"):
        m2, r2 = fit_gcn(data, 0, tmp_path, calls=calls)
    assert calls == [0, 0] and not r2["from_cache"] and same_weights(m1, m2)
    assert fit_gcn(data, 0, tmp_path)[1]["from_cache"]  # the file was replaced by a good one


def test_early_stopping_restores_the_best_epoch():
    torch.manual_seed(0)
    data = random_node_graph()
    report = train_node_classifier(GCN(5, 3), data, config=TrainConfig(epochs=300, lr=0.05, patience=5),
                                   progress=False)
    losses = report["history"]["val_loss"]
    assert report["epochs_run"] == report["best_epoch"] + 6 < 300
    assert losses[report["best_epoch"]] == min(losses)


def test_gcn_reaches_kipf_accuracy_on_real_cora(cora, tmp_path):
    data = cora[0]
    _, report = load_or_train(lambda: GCN(cora.num_features, cora.num_classes),
                              lambda m: train_node_classifier(m, data, progress=False), name="gcn-cora",
                              key={"dataset": "Cora"}, seed=0, cache_dir=tmp_path)
    assert report["test_acc"] >= 0.79  # Kipf & Welling report 0.815


def test_gin_learns_a_structural_graph_label():
    # label 1 = cycle, 0 = path: separable only through structure, since all features are equal.
    graphs = []
    for n in range(4, 12):
        path = torch.stack([torch.arange(n - 1), torch.arange(1, n)])
        cycle = torch.cat([path, torch.tensor([[n - 1], [0]])], dim=1)
        for ei, label in ((path, 0), (cycle, 1)):
            graphs.append(Data(x=torch.ones(n, 1), edge_index=torch.cat([ei, ei.flip(0)], 1), y=torch.tensor([label])))
    torch.manual_seed(0)
    report = train_graph_classifier(GIN(1, 2, hidden_channels=16, num_layers=2), graphs, graphs, graphs,
                                    config=TrainConfig(epochs=150, lr=0.01, batch_size=4, patience=None),
                                    progress=False)
    assert report["test_acc"] == 1.0


@pytest.mark.parametrize("field,value", [("epochs", 0), ("lr", 0.0), ("weight_decay", -1.0), ("patience", 0),
                                         ("batch_size", 0)])
def test_train_config_rejects_out_of_range_values(field, value):
    with pytest.raises(ValueError, match=field):
        TrainConfig(**{field: value})


def test_bad_model_arguments_and_missing_masks():
    with pytest.raises(ValueError, match="num_layers"):
        GCN(3, 2, num_layers=0)
    with pytest.raises(ValueError, match="dropout"):
        GIN(3, 2, dropout=1.0)
    data = random_node_graph()
    data.val_mask[:] = False
    with pytest.raises(ValueError, match="val_mask"):
        train_node_classifier(GCN(5, 3), data, progress=False)
