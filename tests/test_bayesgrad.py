"""BayesGrad and friends: molecule data, GGNN/NFP, embedding saliency, PR-AUC and drawings."""

import numpy as np
import pytest
import torch
from torch_geometric.data import Batch, Data

from gnnexplain.data import (
    atom_environments,
    graph_from_smiles,
    kfold_indices,
    mol_from_smiles,
    molecule_from_text,
    split_indices,
    substructure_matches,
    with_labels,
)
from gnnexplain.data.packed import PackedGraphs
from gnnexplain.experiments.bayesgrad import explain_molecules, saliency_explainer
from gnnexplain.explain import BayesGrad, SmoothGrad, VanillaGrad
from gnnexplain.explain.bayesgrad import reduce_gradient
from gnnexplain.metrics import pr_auc, precision_recall_points
from gnnexplain.models import GGNN, NFP, cross_validate_regression, predict, train_molecule_model
from gnnexplain.models.molecule_training import balanced_order
from gnnexplain.models.training import TrainConfig
from gnnexplain.viz import molecule_svg, save_svg, scale_scores

SMILES = ["Oc1ccccc1CCN", "c1ccncc1C(=O)O", "CC#N", "C=CCl"]


def graph(smiles="Oc1ccccc1CCN"):
    return graph_from_smiles(smiles)[0]


def run(model, method, g, seed=0, **options):
    explainer = saliency_explainer(model, method, **options)
    return explainer(g.x, g.edge_index, edge_type=g.edge_type, seed=seed)


# --- data -------------------------------------------------------------------------------------------------

def test_rdkit_atom_order_matches_node_order():
    for smiles in SMILES:
        g, mol = graph_from_smiles(smiles)
        assert g.x.tolist() == [a.GetAtomicNum() for a in mol.GetAtoms()]
        bonds = {tuple(sorted((b.GetBeginAtomIdx(), b.GetEndAtomIdx()))) for b in mol.GetBonds()}
        assert {tuple(sorted(e)) for e in g.edge_index.t().tolist()} == bonds
    g = graph("C=CC#N")
    assert sorted(set(g.edge_type.tolist())) == [0, 1, 2]  # single, double, triple
    assert set(graph("c1ccccc1").edge_type.tolist()) == {3}  # aromatic


def test_packed_collate_equals_batch_from_data_list():
    graphs = [graph(s) for s in SMILES + ["[Na+]"]]
    ids = torch.tensor([4, 2, 0, 2, 1])
    b = Batch.from_data_list([graphs[i] for i in ids.tolist()])
    for mine, ref in zip(PackedGraphs(graphs).collate(ids), (b.x, b.edge_index, b.edge_type, b.batch)):
        assert torch.equal(mine, ref)
    with pytest.raises(ValueError, match="edge_type"):
        PackedGraphs([Data(x=graphs[0].x, edge_index=graphs[0].edge_index)])


@pytest.mark.parametrize("bad", ["C1CC", "not a smiles", "", None])
def test_invalid_smiles_raises(bad):
    with pytest.raises(ValueError, match="invalid SMILES"):
        graph_from_smiles(bad)


def test_pyridine_label_and_ground_truth_atoms():
    mols = [mol_from_smiles(s) for s in ["c1ccncc1C", "c1ccccc1", "c1ccc2ncccc2c1"]]
    y, atoms = substructure_matches(mols)
    assert y.tolist() == [1, 0, 1]
    assert sorted(atoms[0]) == [0, 1, 2, 3, 4, 5] and atoms[1] == []
    assert all(mols[2].GetAtomWithIdx(i).GetIsAromatic() for i in atoms[2])
    with pytest.raises(ValueError, match="smarts"):
        substructure_matches(mols, "[[")


def test_with_labels_drops_missing_and_keeps_ids():
    graphs = [graph(s) for s in SMILES]
    out = with_labels(graphs, torch.tensor([1.0, float("nan"), 0.0, 1.0]))
    assert [g.mol_id for g in out] == [0, 2, 3]
    assert Batch.from_data_list(out).mol_id.tolist() == [0, 2, 3]
    with pytest.raises(ValueError, match="one per graph"):
        with_labels(graphs, torch.ones(3))


def test_splits_folds_environments_and_text_input():
    parts = split_indices(10, [2, 3], seed=1)
    assert [len(p) for p in parts] == [2, 3, 5] and sorted(torch.cat(parts).tolist()) == list(range(10))
    assert torch.equal(split_indices(10, [2, 3], seed=1)[0], parts[0])
    folds = kfold_indices(12, 5)
    assert [len(f) for f in folds] == [2, 2, 2, 2, 4] and sorted(torch.cat(folds).tolist()) == list(range(12))
    with pytest.raises(ValueError, match="sizes"):
        split_indices(3, [2, 2])
    envs = atom_environments(mol_from_smiles("OCc1ccccc1N"))
    assert envs[0] == "hydroxyl O" and envs[1] == "aliphatic C" and envs[2] == "aromatic C" and envs[-1] == "amine N"
    graphs = [graph(s) for s in SMILES]
    mols = [mol_from_smiles(s) for s in SMILES]
    assert molecule_from_text(" 2 ", graphs, mols)[0] is graphs[2]
    assert molecule_from_text("CCO", graphs, mols)[0].x.tolist() == [6, 6, 8]
    with pytest.raises(IndexError, match="molecule"):
        molecule_from_text("9", graphs, mols)
    with pytest.raises(ValueError, match="invalid SMILES"):
        molecule_from_text("C1CC(", graphs, mols)


def test_cross_validation_standardises_and_predicts(tmp_path, monkeypatch):
    monkeypatch.setenv("GNNEXPLAIN_DATA_DIR", str(tmp_path))
    smiles = ["C", "CC", "CCC", "CCCC", "CCCCC", "CCCCCC", "O", "CO", "CCO", "OCCO"]
    graphs = [graph(s) for s in smiles]
    labels = torch.tensor([-1.0, -2, -3, -4, -5, -6, 1, 0.5, 0, 0.8])
    cv = cross_validate_regression(graphs, labels, kfold_indices(10, 2), model_class=NFP,
                                   model_kwargs=dict(hidden_channels=8, num_layers=2, dropout=0.0),
                                   config=TrainConfig(epochs=3, lr=1e-2, weight_decay=0, patience=None, batch_size=4),
                                   name="nfp-test")
    assert len(cv) == 2 and sorted(torch.cat([f["test"] for f in cv]).tolist()) == list(range(10))
    assert all(f["rmse"] > 0 and f["predictions"].shape == f["test"].shape for f in cv)
    for k, fold in enumerate(cv):  # standardised on the other fold (its training split), not on its own test fold
        other = labels[cv[1 - k]["test"]]
        assert float(other.min()) <= fold["mean"] <= float(other.max())


def test_load_tox21_counts_unparsed_and_pyridine(real_mirror):
    from gnnexplain.data import load_molecules

    tox21 = load_molecules("Tox21")
    assert (tox21.num_rows, len(tox21), tox21.num_unparsed) == (7831, 7823, 8)
    assert all(g.x.tolist() == [a.GetAtomicNum() for a in m.GetAtoms()] for g, m in zip(tox21.graphs, tox21.mols))
    assert int(substructure_matches(tox21.mols)[0].sum()) == 473
    srmmp = tox21.task("SR-MMP")
    assert (int((srmmp == 1).sum()), int(srmmp.isnan().sum())) == (918, 2019)


def test_load_esol_reports_unparsed(real_mirror):
    from gnnexplain.data import load_molecules

    esol = load_molecules("ESOL")
    assert len(esol) == 1128 and esol.num_unparsed == 0
    assert all(g.x.tolist() == [a.GetAtomicNum() for a in m.GetAtoms()] for g, m in zip(esol.graphs, esol.mols))
    with pytest.raises(ValueError, match="allowed"):
        load_molecules("Cora")


# --- models -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [GGNN, NFP])
def test_models_forward_equals_embedding_path_and_batches(cls):
    torch.manual_seed(0)
    model = cls(hidden_channels=8, num_layers=2).eval()
    graphs = [graph(s) for s in SMILES]
    b = Batch.from_data_list(graphs)
    out = model(b.x, b.edge_index, b.edge_type, b.batch)
    assert out.shape == (len(graphs), 1)
    alone = torch.cat([model(g.x, g.edge_index, g.edge_type) for g in graphs])
    assert torch.allclose(out, alone, atol=1e-5)
    e = model.embed(b.x)
    assert torch.allclose(model.forward_from_embedding(e, b.edge_index, b.edge_type, b.batch), out)
    with pytest.raises(ValueError, match="atom ids"):
        model(torch.randn(3, 2), b.edge_index[:, :0], b.edge_type[:0])
    with pytest.raises(ValueError, match="dropout"):
        cls(dropout=1.0)


def test_training_learns_and_balances():
    labels = torch.tensor([0] * 6 + [1] * 2)
    order = balanced_order(labels, torch.Generator().manual_seed(0))
    assert torch.bincount(labels[order]).tolist() == [6, 6]
    smiles = ["c1ccncc1", "c1ccccc1", "Cc1ccncc1", "CCO", "CCN", "Oc1ccncc1", "CCCC", "c1ccc(Cl)cc1"]
    graphs = [graph(s) for s in smiles]
    data = with_labels(graphs, torch.tensor([1., 0, 1, 0, 0, 1, 0, 0]))
    torch.manual_seed(0)
    model = GGNN(hidden_channels=8, num_layers=2, dropout=0.0)
    report = train_molecule_model(model, data, data, config=TrainConfig(epochs=60, lr=0.01, weight_decay=0,
                                                                        patience=None, batch_size=4),
                                  progress=False)
    assert report["history"]["val_loss"][-1] < report["history"]["val_loss"][0]
    assert ((predict(model, data) > 0).float() == torch.cat([g.y for g in data])).all()
    with pytest.raises(ValueError, match="task"):
        train_molecule_model(model, data, data, task="multiclass")


# --- saliency ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [GGNN, NFP])
def test_bayesgrad_refuses_inactive_dropout_and_noiseless_smoothgrad_equals_vanilla(cls):
    torch.manual_seed(0)
    model, g = cls(hidden_channels=8, num_layers=2, dropout=0.0), graph()
    vanilla = run(model, "VanillaGrad", g)
    with pytest.raises(ValueError, match="every dropout of .* has p=0"):  # it would silently be VanillaGrad
        run(model, "BayesGrad", g, num_samples=7)
    smooth = run(model, "SmoothGrad", g, num_samples=5, sigma=0.0)
    assert torch.allclose(smooth.node_mask, vanilla.node_mask, atol=1e-6)


def test_bayesgrad_samples_dropout_and_restores_modes():
    torch.manual_seed(0)
    model, g = GGNN(hidden_channels=8, num_layers=2, dropout=0.5), graph()
    model.eval()
    vanilla, bayes = run(model, "VanillaGrad", g), run(model, "BayesGrad", g, num_samples=50)
    assert bayes.node_std.min() > 0 and not torch.allclose(bayes.node_mask, vanilla.node_mask)
    assert not model.training and not any(m.training for m in model.modules())
    again = run(model, "BayesGrad", g, num_samples=50)
    assert torch.equal(again.node_mask, bayes.node_mask)  # same seed -> same numbers
    assert bayes.node_mask.shape == (g.num_nodes, 1) and bayes.node_mean.shape == (g.num_nodes,)
    ucb = run(model, "BayesGrad", g, num_samples=50, lam=1.0)  # the repo's UCB form: mean + λ std
    assert torch.allclose(ucb.node_mask.view(-1), bayes.node_mean + bayes.node_std)


def test_target_given_equals_the_model_type_call_and_the_model_is_switched_only_when_needed(monkeypatch):
    torch.manual_seed(0)
    model, g = NFP(hidden_channels=8, num_layers=2, dropout=0.5).eval(), graph()
    inputs = dict(x=g.x, edge_index=g.edge_index, edge_type=g.edge_type, seed=3)
    as_model = saliency_explainer(model, "BayesGrad", num_samples=20)
    given = saliency_explainer(model, "BayesGrad", num_samples=20, explanation_type="phenomenon")
    first = as_model(**inputs)
    with torch.no_grad():
        assert torch.equal(first.prediction, model(g.x, g.edge_index, g.edge_type))
    assert torch.equal(first.target, (first.prediction > 0).long().view(-1))
    second = given(target=first.target, **inputs)
    assert torch.equal(second.node_mask, first.node_mask) and "prediction" not in second
    with pytest.raises(ValueError, match="target"):
        given(**inputs)
    with pytest.raises(ValueError, match="explanation_type='reason'"):
        saliency_explainer(model, "BayesGrad", explanation_type="reason")
    switched = []

    def train(self, mode=True):
        switched.append(mode)
        return torch.nn.Module.train(self, mode)

    monkeypatch.setattr(NFP, "train", train)
    as_model(**inputs)
    assert switched == []  # in eval mode already: only BayesGrad's dropout modules are switched
    model.train()
    switched.clear()
    third = as_model(**inputs)  # explained in eval mode, once, and given its training mode back
    assert torch.equal(third.node_mask, first.node_mask) and switched == [False, True]
    assert all(m.training for m in model.modules())


def test_batched_samples_equal_looped_passes():
    torch.manual_seed(0)
    model, g = NFP(hidden_channels=8, num_layers=2).eval(), graph()
    algo = SmoothGrad(num_samples=6, sigma=0.3, reduction="l2")
    noise = torch.randn(6, g.num_nodes, 8)
    batched = algo.sample_maps(model, g.x, g.edge_index, edge_type=g.edge_type, noise=noise)
    one = SmoothGrad(num_samples=1, sigma=0.3, reduction="l2")
    looped = torch.stack([one.sample_maps(model, g.x, g.edge_index, edge_type=g.edge_type, noise=noise[m:m + 1])[0]
                          for m in range(6)])
    assert torch.allclose(batched, looped, atol=1e-6)


def test_many_molecules_in_one_call_equal_one_by_one():
    torch.manual_seed(0)
    model = GGNN(hidden_channels=8, num_layers=2).eval()
    graphs = [graph(s) for s in SMILES]
    explainer = saliency_explainer(model, "VanillaGrad")
    means, stds = explain_molecules(explainer, graphs, chunk=3)
    for g, m in zip(graphs, means):
        assert torch.allclose(m, run(model, "VanillaGrad", g).node_mask.view(-1), atol=1e-7)
    assert [len(s) for s in stds] == [g.num_nodes for g in graphs]


class LinearReadout(torch.nn.Module):
    """f(e) = Σ_i e_i · w: the exact per-atom contribution of atom i is e_i · w."""

    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(20, 4)
        self.w = torch.nn.Parameter(torch.randn(4))

    def embed(self, x):
        return self.embedding(x)

    def forward_from_embedding(self, e, edge_index, edge_type=None, batch=None):
        from torch_geometric.nn import global_add_pool
        return global_add_pool((e @ self.w).unsqueeze(-1), batch)

    def forward(self, x, edge_index, edge_type=None, batch=None):
        return self.forward_from_embedding(self.embed(x), edge_index, edge_type, batch)


def test_signed_gradient_times_input_is_exact_on_linear_model():
    torch.manual_seed(0)
    model, g = LinearReadout(), graph("CCO")
    expl = run(model, "VanillaGrad", g, signed=True)
    exact = (model.embed(g.x) @ model.w).detach()
    assert torch.allclose(expl.node_mask.view(-1), exact, atol=1e-6)
    assert torch.isclose(expl.node_mask.sum(), model(g.x, g.edge_index).sum(), atol=1e-5)
    baseline = torch.ones(4)
    shifted = run(model, "VanillaGrad", g, signed=True, baseline=baseline).node_mask.view(-1)
    assert torch.allclose(shifted, exact - baseline @ model.w.detach(), atol=1e-6)


def test_reductions_and_relative_sigma():
    grad = torch.tensor([[3.0, -4.0]])
    assert [reduce_gradient(grad, r).item() for r in ("square", "l2", "abs", "raw")] == [25.0, 5.0, 7.0, -1.0]
    torch.manual_seed(0)
    model, g = LinearReadout(), graph("CCO")
    # The linear model's gradient is constant, so noise only shows in the signed map: e + ε.
    algo = SmoothGrad(num_samples=2000, sigma=0.1, sigma_mode="relative", signed=True)
    maps = algo.sample_maps(model, g.x, g.edge_index)
    e = model.embed(g.x).detach()
    expected = 0.1 * float(e.max() - e.min()) * float(model.w.detach().norm())
    assert abs(maps.std(0).mean().item() - expected) / expected < 0.1


def test_bad_parameters_raise_clear_errors():
    with pytest.raises(ValueError, match="num_samples"):
        BayesGrad(num_samples=0)
    with pytest.raises(ValueError, match="sigma must be a finite number >= 0"):
        SmoothGrad(sigma=-0.1)
    with pytest.raises(ValueError, match="reduction"):
        VanillaGrad(reduction="max")
    with pytest.raises(ValueError, match="sigma_mode"):
        SmoothGrad(sigma_mode="percent")
    with pytest.raises(ValueError, match="method"):
        saliency_explainer(LinearReadout(), "integrated")
    with pytest.raises(ValueError, match="no torch.nn.Dropout"):
        run(LinearReadout(), "BayesGrad", graph("CCO"), num_samples=3)
    with pytest.raises(TypeError, match="embed"):
        run(torch.nn.Linear(2, 1), "VanillaGrad", graph("CCO"))
    from gnnexplain.explain import SafeExplainer

    with pytest.raises(ValueError, match="node_mask_type='attributes'; allowed: 'object'"):
        SafeExplainer(LinearReadout(), VanillaGrad(), explanation_type="model", node_mask_type="attributes",
                      model_config=dict(mode="regression", task_level="graph", return_type="raw"))


# --- PR-AUC -----------------------------------------------------------------------------------------------

def test_precision_recall_hand_computed():
    # Molecule A: 4 atoms, GT {2, 3}; scores rank 3 > 2 > 0 > 1. Molecule B: 12 atoms, GT [0, 0] (duplicate).
    a = [0.2, 0.1, 0.5, 0.9]
    b = [1.0] + [0.0] * 11
    rates = [0.2, 0.5, 1.0]
    # A: floor(4*.2)=0 -> 1 atom (fixed) or all 4 (quirk); .5 -> 2 atoms {3,2}; 1 -> all.
    # B: floor(12*.2)=2 -> {0, 11} (ties: higher index); .5 -> 6; 1 -> 12. Recall divides by len([0, 0]) = 2.
    recall, precision = precision_recall_points([a, b], [[2, 3], [0, 0]], rates=rates)
    assert np.allclose(precision, [(1 / 1 + 1 / 2) / 2, (2 / 2 + 1 / 6) / 2, (2 / 4 + 1 / 12) / 2])
    assert np.allclose(recall, [(1 / 2 + 1 / 2) / 2, (1 + 1 / 2) / 2, (1 + 1 / 2) / 2])
    recall_q, precision_q = precision_recall_points([a, b], [[2, 3], [0, 0]], rates=rates, original_quirk=True)
    assert np.allclose(precision_q[0], (2 / 4 + 1 / 2) / 2) and np.allclose(recall_q[0], (1 + 1 / 2) / 2)
    expected = np.trapezoid(precision, recall)
    assert pr_auc([a, b], [[2, 3], [0, 0]], rates=rates) == pytest.approx(expected)
    perfect = pr_auc([[0, 0, 1, 1]], [[2, 3]], rates=[0.5, 1.0])
    assert perfect == pytest.approx(0.5 * (1.0 + 0.5) * 0.0)  # recall 1 at both rates: zero width


def test_prauc_rejects_bad_input():
    with pytest.raises(ValueError, match="same"):
        pr_auc([[1.0]], [])
    with pytest.raises(ValueError, match="ground_truth"):
        pr_auc([[1.0, 2.0]], [[5]])
    with pytest.raises(ValueError, match="rates"):
        pr_auc([[1.0, 2.0]], [[0]], rates=[0.0, 0.5])


# --- drawings ---------------------------------------------------------------------------------------------

def test_molecule_svg_colours_and_errors(tmp_path):
    mol = mol_from_smiles("OCC")
    svg = molecule_svg(mol, [1.0, 0.5, 0.0], legend="ethanol")
    assert svg.startswith("<svg") and "ethanol" in svg and "FF0000" in svg.upper()
    signed = molecule_svg(mol, [1.0, 0.0, -2.0], signed=True)
    assert "0000FF" in signed.upper() and "linearGradient" in signed
    assert np.allclose(scale_scores([1.0, 0.0, -2.0], signed=True), [1.0, 0.0, -1.0])
    with pytest.raises(ValueError, match="atoms"):
        molecule_svg(mol, [1.0, 2.0])
    path = save_svg(svg, "ethanol", notebook="03_bayesgrad", out_dir=tmp_path)
    assert path.read_text() == svg
    with pytest.raises(ValueError, match="name"):
        save_svg(svg, "a b", notebook="03_bayesgrad", out_dir=tmp_path)
