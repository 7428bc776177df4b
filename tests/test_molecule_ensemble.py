"""Packed molecule batches and the vmapped ensemble trainer: the same numbers as models taken one by one."""

import copy

import pytest
import torch
import torch.nn.functional as F
from torch_geometric.data import Batch

from gnnexplain.data import graph_from_smiles
from gnnexplain.data.packed import PackedGraphs
from gnnexplain.models import GGNN, NFP, TrainConfig
from gnnexplain.models.ensemble import MaskedAdam, ModelEnsemble, train_ensemble
from gnnexplain.models.ggnn import gru_cell

SMILES = ["Oc1ccccc1CCN", "c1ccncc1C(=O)O", "CC#N", "C=CCl", "[Na+]", "CCO", "c1ccc2ccccc2c1", "CC(=O)Nc1ccncc1"]
LABELS = torch.tensor([0, 1, 0, 0, 0, 0, 0, 1], dtype=torch.float)


@pytest.fixture(scope="module")
def graphs():
    return [graph_from_smiles(s)[0] for s in SMILES]


def test_collate_equals_batch_from_data_list(graphs):
    pool = PackedGraphs(graphs)
    ids = torch.tensor([6, 2, 4, 0, 2])
    x, edge_index, edge_type, batch = pool.collate(ids)
    b = Batch.from_data_list([graphs[i] for i in ids.tolist()])
    for mine, ref in [(x, b.x), (edge_index, b.edge_index), (edge_type, b.edge_type), (batch, b.batch)]:
        assert torch.equal(mine, ref)


@pytest.mark.parametrize("cls", [GGNN, NFP])
def test_padded_groups_give_each_groups_outputs(cls, graphs):
    torch.manual_seed(0)
    model = cls().eval()
    pool = PackedGraphs(graphs)
    groups = [torch.tensor([0, 1, 2]), torch.tensor([7]), torch.tensor([], dtype=torch.long), torch.tensor([4, 6, 5])]
    x, edge_index, edge_type, batch = pool.padded(groups, 3)
    assert x.shape[0] == edge_index.shape[0] == 4 and int(batch.max()) == 3
    for k, ids in enumerate(groups):
        out = model.forward_from_embedding(model.embed(x[k]), edge_index[k], edge_type[k], batch[k], num_graphs=4)
        if len(ids):
            assert torch.allclose(out[:len(ids)], model(*pool.collate(ids)), atol=1e-5)
    with pytest.raises(ValueError, match="num_slots"):
        pool.padded(groups, 2)


def test_gru_cell_equals_torch():
    torch.manual_seed(0)
    cell = torch.nn.GRUCell(6, 4)
    inputs, state = torch.randn(5, 6), torch.randn(5, 4)
    assert torch.allclose(gru_cell(cell, inputs, state), cell(inputs, state), atol=1e-6)


def test_masked_adam_equals_torch_adam_per_member():
    torch.manual_seed(0)
    weights = [torch.randn(3, 4, 2), torch.randn(3, 5)]
    refs = [[w[k].clone().requires_grad_(True) for w in weights] for k in range(3)]
    opts = [torch.optim.Adam(r, lr=0.01, weight_decay=0.1) for r in refs]
    masked = MaskedAdam(weights, lr=0.01, weight_decay=0.1)
    plan = [[True, True, False], [True, False, True], [False, True, True], [True, True, True]]
    for active in plan:
        grads = [torch.randn_like(w) for w in weights]
        masked.step(grads, torch.tensor(active))
        for k in range(3):
            if active[k]:
                for r, g in zip(refs[k], grads):
                    r.grad = g[k].clone()
                opts[k].step()
    for k in range(3):
        for w, r in zip(weights, refs[k]):
            assert torch.allclose(w[k], r.detach(), atol=1e-6)


@pytest.mark.parametrize("cls", [GGNN, NFP])
def test_ensemble_training_equals_members_trained_alone(cls, graphs):
    """Without dropout, member k of an ensemble run is exactly a model trained alone on its own data."""
    torch.manual_seed(0)
    kwargs = dict(hidden_channels=8, num_layers=2, dropout=0.0)
    ensemble = ModelEnsemble(cls, kwargs, 2)
    alone = [copy.deepcopy(m) for m in ensemble.members]
    pool = PackedGraphs(graphs)
    train_ids = [torch.tensor([0, 1, 2, 3, 4]), torch.tensor([1, 5, 6, 7])]  # different sizes: uneven epochs
    val_ids = [torch.tensor([5, 7]), torch.tensor([0, 2, 3])]
    config = TrainConfig(epochs=3, lr=0.01, weight_decay=0.0, patience=None, batch_size=2)
    report = train_ensemble(ensemble, pool, train_ids, [LABELS[i] for i in train_ids], val_ids,
                            [LABELS[i] for i in val_ids], task="regression", config=config, seed=3, progress=False)
    for k, model in enumerate(alone):
        generator = torch.Generator().manual_seed(3 + k)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        states, val_losses = [], []
        for _ in range(3):
            order = torch.randperm(len(train_ids[k]), generator=generator)
            for start in range(0, len(order), 2):
                ids = train_ids[k][order[start:start + 2]]
                optimizer.zero_grad()
                F.mse_loss(model(*pool.collate(ids))[:, 0], LABELS[ids]).backward()
                optimizer.step()
            with torch.no_grad():
                val_losses.append(F.mse_loss(model(*pool.collate(val_ids[k]))[:, 0], LABELS[val_ids[k]]).item())
            states.append(copy.deepcopy(model.state_dict()))
        best = min(range(3), key=val_losses.__getitem__)
        assert report["members"][k]["best_epoch"] == best
        assert report["members"][k]["history"]["val_loss"] == pytest.approx(val_losses, abs=1e-5)
        for name, value in ensemble.members[k].state_dict().items():
            assert torch.allclose(value, states[best][name], atol=1e-5), name


def test_ensemble_early_stopping_is_per_member_and_seeded(graphs):
    pool = PackedGraphs(graphs)
    ids, y = [torch.arange(8)] * 3, [LABELS] * 3
    config = TrainConfig(epochs=6, lr=0.05, weight_decay=0.0, patience=1, batch_size=4)

    def run():
        torch.manual_seed(1)
        ensemble = ModelEnsemble(GGNN, dict(hidden_channels=8, num_layers=2, dropout=0.25), 3)
        report = train_ensemble(ensemble, pool, ids, y, ids, y, config=config, seed=0, progress=False)
        return ensemble, report

    (a, ra), (b, rb) = run(), run()
    assert ra == rb
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    for member in ra["members"]:
        losses = member["history"]["val_loss"]
        assert member["epochs_run"] == len(losses) <= 6
        assert member["best_epoch"] == min(range(len(losses)), key=losses.__getitem__)
    with pytest.raises(ValueError, match="one entry per member"):
        train_ensemble(a, pool, ids[:2], y, ids, y, config=config, progress=False)
    with pytest.raises(ValueError, match="size"):
        ModelEnsemble(GGNN, {}, 0)
