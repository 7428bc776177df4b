"""Bad input is refused at the door of every public explainer, metric, generator and I/O function, with an error
that names the parameter, what it got and what is allowed; nothing is silently accepted."""

import math

import pytest
import torch
from torch_geometric.explain.algorithm import CaptumExplainer

from conftest import random_node_graph
from gnnexplain.core.graph import computation_subgraph, select_edges
from gnnexplain.core.masks import SafeExplainer
from gnnexplain.data import brain_networks, make_ba3motif, make_benchmark, make_is_acyclic, sparsify_mask
from gnnexplain.explain import (NAM, BayesGrad, BayesSmoothGrad, GradCAM, GraphPGMExplainer, ReFine, SmoothGrad,
                                SubgraphGNNExplainer, VanillaGrad)
from gnnexplain.experiments.common import node_explainer
from gnnexplain.experiments.gnnexplainer_xgnn import table1_explainer
from gnnexplain.experiments.nam import ranking_explainer
from gnnexplain.experiments.refine import graph_explainer
from gnnexplain.explain.refine import concrete
from gnnexplain.metrics import (acc_at_ratios, acc_auc, edge_auc, flat_mask_fraction, node_auroc, pr_auc,
                                precision_at_k, recall_at_n)
from gnnexplain.metrics.sanity import model_randomization_test
from gnnexplain.models import GCN, GGNN, GIN, load_or_train
from gnnexplain.results import compare_results, save_results
from gnnexplain.viz import save_figure, save_svg

NODE_CFG = dict(mode="multiclass_classification", task_level="node", return_type="raw")
DATA = random_node_graph(12, seed=0)
GOOD_X, GOOD_EI = DATA.x, DATA.edge_index


def saliency(**call):
    model = GCN(DATA.num_features, 3).eval()
    explainer = SafeExplainer(model, CaptumExplainer("Saliency"), explanation_type="model",
                              node_mask_type="attributes", model_config=NODE_CFG)
    kwargs = dict(x=GOOD_X, edge_index=GOOD_EI, index=0)
    kwargs.update(call)
    return explainer(**kwargs)


def nam(**call):
    model = GCN(DATA.num_features, 3).eval()
    explainer = SafeExplainer(model, NAM(), explanation_type="model", node_mask_type="object",
                              model_config=NODE_CFG)
    return explainer(**{**dict(x=GOOD_X, edge_index=GOOD_EI, index=0), **call})


def with_nan(x):
    x = x.clone()
    x[3, 1] = math.nan
    return x


def bayesgrad_without_dropout():
    from gnnexplain.data import graph_from_smiles

    g = graph_from_smiles("Oc1ccccc1CCN")[0]
    model = GGNN(hidden_channels=8, num_layers=2, dropout=0.0)
    explainer = SafeExplainer(model, BayesGrad(4), explanation_type="model", node_mask_type="object",
                              model_config=dict(mode="regression", task_level="graph", return_type="raw"))
    explainer(g.x, g.edge_index, edge_type=g.edge_type)


EDGE_INDEX = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
MASKS = {1: torch.tensor([0.1, math.nan, 0.3, 0.4])}
TRUTH = torch.tensor([True, True, False, False])

CASES = [
    # graph inputs of every explanation (SafeExplainer and each explainer's forward)
    ("x with NaN", lambda: saliency(x=with_nan(GOOD_X)), ValueError, "x holds NaN or inf"),
    ("x with inf", lambda: saliency(x=GOOD_X.masked_fill(GOOD_X > 1, math.inf)), ValueError, "NaN or inf"),
    ("NAM, x with NaN", lambda: nam(x=with_nan(GOOD_X)), ValueError, "NaN or inf"),
    ("float edge_index", lambda: saliency(edge_index=GOOD_EI.float()), TypeError, "edge_index has dtype"),
    ("edge_index [E, 2]", lambda: saliency(edge_index=GOOD_EI.t().contiguous()), ValueError, r"\[2, E\]"),
    ("edge_index [3, E]", lambda: saliency(edge_index=torch.zeros(3, 4, dtype=torch.long)), ValueError,
     r"\[2, E\]"),
    ("edge id out of range", lambda: saliency(edge_index=torch.tensor([[0, 12], [12, 0]])), IndexError,
     "allowed: 0..11"),
    ("negative edge id", lambda: saliency(edge_index=torch.tensor([[0, -1], [-1, 0]])), IndexError, "allowed: 0"),
    ("index out of range", lambda: saliency(index=12), IndexError, "index=12 is outside the graph"),
    ("negative index", lambda: saliency(index=-1), IndexError, "outside the graph"),
    ("float index", lambda: saliency(index=2.5), IndexError, "outside the graph"),
    ("bool index", lambda: saliency(index=True), IndexError, "outside the graph"),
    ("index list out of range", lambda: saliency(index=torch.tensor([0, 30])), IndexError, "outside the graph"),
    ("x of the wrong width", lambda: saliency(x=GOOD_X[:, :2]), ValueError, "in_channels=5"),
    ("target class out of range", lambda: nam(target=torch.full((12,), 3)), ValueError, "class ids 0..2"),
    ("x not a tensor", lambda: saliency(x=GOOD_X.tolist()), TypeError, "must be tensors"),
    ("negative seed", lambda: saliency(seed=-1), ValueError, "seed=-1"),
    ("float seed", lambda: saliency(seed=1.5), TypeError, "seed=1.5"),
    # explainer hyperparameters
    ("Grad-CAM num_bins 1", lambda: GradCAM(num_bins=1), ValueError, "num_bins=1"),
    ("Grad-CAM num_bins 2.5", lambda: GradCAM(num_bins=2.5), TypeError, "num_bins=2.5"),
    ("Grad-CAM normalize", lambda: GradCAM(normalize="l2"), ValueError, "normalize='l2'"),
    ("SmoothGrad sigma inf", lambda: SmoothGrad(sigma=math.inf), ValueError, "sigma"),
    ("SmoothGrad sigma NaN", lambda: SmoothGrad(sigma=math.nan), ValueError, "sigma"),
    ("SmoothGrad sigma < 0", lambda: SmoothGrad(sigma=-0.1), ValueError, "sigma"),
    ("BayesGrad lam NaN", lambda: BayesGrad(lam=math.nan), ValueError, "lam=nan"),
    ("BayesGrad M = 0", lambda: BayesGrad(num_samples=0), ValueError, "num_samples"),
    ("BayesGrad M = 2.0", lambda: BayesGrad(num_samples=2.0), ValueError, "num_samples"),
    ("VanillaGrad output -1", lambda: VanillaGrad(output=-1), ValueError, "output=-1"),
    ("BayesSmoothGrad baseline inf", lambda: BayesSmoothGrad(baseline=math.inf), ValueError, "baseline=inf"),
    ("BayesGrad, dropout p = 0", bayesgrad_without_dropout, ValueError, "has p=0"),
    ("GNNExplainer epochs 0", lambda: SubgraphGNNExplainer(epochs=0), ValueError, "epochs=0"),
    ("GNNExplainer epochs 1.5", lambda: SubgraphGNNExplainer(epochs=1.5), TypeError, "epochs=1.5"),
    ("GNNExplainer lr 0", lambda: SubgraphGNNExplainer(lr=0), ValueError, "lr=0"),
    ("GNNExplainer lr NaN", lambda: SubgraphGNNExplainer(lr=math.nan), ValueError, "lr=nan"),
    ("GNNExplainer mask_init NaN", lambda: SubgraphGNNExplainer(mask_init=math.nan), ValueError, "mask_init"),
    ("GNNExplainer edge_size < 0", lambda: SubgraphGNNExplainer(edge_size=-1.0), ValueError, "edge_size=-1"),
    ("GNNExplainer edge_ent inf", lambda: SubgraphGNNExplainer(edge_ent=math.inf), ValueError, "edge_ent=inf"),
    ("GNNExplainer unknown coefficient", lambda: SubgraphGNNExplainer(edge_sise=0.1), ValueError, "edge_sise"),
    ("GNNExplainer entropy_mean", lambda: SubgraphGNNExplainer(entropy_mean="nodes"), ValueError, "entropy_mean"),
    ("GNNExplainer num_hops 0", lambda: SubgraphGNNExplainer(num_hops=0), ValueError, "num_hops=0"),
    ("node GNNExplainer epochs 0", lambda: node_explainer(GCN(3, 2), "GNNExplainer", epochs=0), ValueError, "epochs=0"),
    ("node GNNExplainer lr NaN", lambda: node_explainer(GCN(3, 2), "GNNExplainer", lr=math.nan), ValueError,
     "lr=nan"),
    ("ranking GNNExplainer epochs 0", lambda: ranking_explainer(GCN(3, 2), "GNNExplainer", gnnexplainer_epochs=0),
     ValueError, "epochs=0"),
    ("Table 1 PGExplainer epochs 0", lambda: table1_explainer(GCN(3, 2), "PGExplainer", epochs=0), ValueError,
     "epochs=0"),
    ("Table 2 PGExplainer epochs 0", lambda: graph_explainer(GIN(3, 2), "PGExplainer", epochs=0), ValueError,
     "epochs=0"),
    ("Table 2 GNNExplainer lr < 0", lambda: graph_explainer(GIN(3, 2), "GNNExplainer", lr=-0.1), ValueError,
     "lr=-0.1"),
    ("ReFine ratio 0", lambda: ReFine(3, 2, ratio=0), ValueError, "ratio"),
    ("ReFine ratio 1.5", lambda: ReFine(3, 2, ratio=1.5), ValueError, "ratio"),
    ("ReFine beta 0", lambda: ReFine(3, 2, beta=0), ValueError, "beta=0"),
    ("ReFine tau NaN", lambda: ReFine(3, 2, tau=math.nan), ValueError, "tau=nan"),
    ("ReFine hidden 0", lambda: ReFine(3, 2, hidden=0), ValueError, "hidden=0"),
    ("ReFine gamma < 0", lambda: ReFine(3, 2, gamma=-1.0), ValueError, "gamma=-1"),
    ("ReFine mode", lambda: ReFine(3, 2, mode="code"), ValueError, "mode"),
    ("ReFine negative seed", lambda: ReFine(3, 2, seed=-3), ValueError, "seed=-3"),
    ("concrete beta inf", lambda: concrete(torch.zeros(3), math.inf), ValueError, "beta"),
    ("PGM-Explainer num_samples 4", lambda: GraphPGMExplainer(num_samples=4), ValueError, "num_samples"),
    ("PGM-Explainer percentage 0", lambda: GraphPGMExplainer(percentage=0), ValueError, "percentage"),
    ("PGM-Explainer top-node NaN", lambda: GraphPGMExplainer(top_node_fraction=math.nan), ValueError,
     "top_node_fraction"),
    # metrics
    ("AUROC NaN score", lambda: node_auroc(torch.tensor([0.1, math.nan]), torch.tensor([True, False])), ValueError,
     "NaN or inf"),
    ("AUROC inf score", lambda: node_auroc(torch.tensor([0.1, math.inf]), torch.tensor([True, False])), ValueError,
     "NaN or inf"),
    ("AUROC all positive", lambda: node_auroc(torch.rand(4), torch.ones(4, dtype=torch.bool)), ValueError,
     "both positives and negatives"),
    ("AUROC all negative", lambda: node_auroc(torch.rand(4), torch.zeros(4, dtype=torch.bool)), ValueError,
     "both positives and negatives"),
    ("AUROC lengths", lambda: node_auroc(torch.rand(3), torch.tensor([True, False])), ValueError, "entries"),
    ("Precision@0", lambda: precision_at_k(torch.rand(4), torch.tensor([1, 0, 1, 0]), 0), ValueError, "k=0"),
    ("edge AUC NaN mask", lambda: edge_auc(MASKS, EDGE_INDEX, TRUTH, num_hops=1), ValueError, "NaN or inf"),
    ("edge AUC one class", lambda: edge_auc({1: torch.rand(4)}, EDGE_INDEX, torch.ones(4, dtype=torch.bool),
                                            num_hops=1), ValueError, "one class"),
    ("edge AUC no node", lambda: edge_auc({}, EDGE_INDEX, TRUTH), ValueError, "at least one"),
    ("edge AUC node outside", lambda: edge_auc({7: torch.rand(4)}, EDGE_INDEX, TRUTH), IndexError, "7"),
    ("flat-mask atol 0", lambda: flat_mask_fraction({1: torch.rand(4)}, EDGE_INDEX, atol=0), ValueError, "atol"),
    ("PR-AUC NaN score", lambda: pr_auc([torch.tensor([0.2, math.nan, 0.1])], [[0]]), ValueError, "NaN or inf"),
    ("PR-AUC rate 0", lambda: pr_auc([torch.rand(3)], [[0]], rates=[0.0]), ValueError, "rates"),
    ("PR-AUC truth out of range", lambda: pr_auc([torch.rand(3)], [[5]]), ValueError, "atom ids"),
    ("ACC@ρ NaN importance", lambda: acc_at_ratios(torch.nn.Identity(), [DATA], [torch.full((GOOD_EI.size(1),),
                                                                                              math.nan)]),
     ValueError, "NaN or inf"),
    ("Recall@N NaN", lambda: recall_at_n([torch.tensor([math.nan, 1.0, 0, 0])], [TRUTH], [EDGE_INDEX]), ValueError,
     "NaN or inf"),
    ("Recall@0", lambda: recall_at_n([torch.rand(4)], [TRUTH], [EDGE_INDEX], 0), ValueError, "n must be >= 1"),
    ("ACC-AUC length", lambda: acc_auc([0.5] * 9), ValueError, "10 accuracies"),
    ("ACC-AUC value > 1", lambda: acc_auc([1.5] * 10), ValueError, "in \\[0, 1\\]"),
    ("sanity: one seed", lambda: model_randomization_test(None, {}, seeds=(0,)), ValueError, "two distinct seeds"),
    ("sanity: margin 3", lambda: model_randomization_test(None, {}, margin=3), ValueError, "margin=3"),
    # graph utilities and generators
    ("subgraph num_hops 0", lambda: computation_subgraph(0, 0, GOOD_EI, 12), ValueError, "num_hops=0"),
    ("select ratio 0", lambda: select_edges(torch.rand(4), EDGE_INDEX, 0.0), ValueError, "ratio"),
    ("sparsify NaN weight", lambda: sparsify_mask(torch.tensor([[0.5, math.nan]]), 50), ValueError, "NaN or inf"),
    ("sparsify negative weights", lambda: sparsify_mask(torch.tensor([[-0.5, -0.2]]), 50), ValueError,
     "total weight <= 0"),
    ("sparsify p 101", lambda: sparsify_mask(torch.rand(1, 3), 101), ValueError, "p=101"),
    ("sparsify order", lambda: sparsify_mask(torch.rand(1, 3), 50, "random"), ValueError, "order"),
    ("benchmark name", lambda: make_benchmark("BA-Houses"), ValueError, "BA-Houses"),
    ("benchmark seed", lambda: make_benchmark("BA-Shapes", seed=-1), ValueError, "seed=-1"),
    ("brain networks n_per_class 0", lambda: brain_networks(0), ValueError, "n_per_class=0"),
    ("brain networks sigma NaN", lambda: brain_networks(2, sigma=math.nan), ValueError, "sigma=nan"),
    ("brain networks mu0 inf", lambda: brain_networks(2, mu0=math.inf), ValueError, "mu0=inf"),
    ("brain networks n_inf > n_nodes", lambda: brain_networks(2, n_nodes=5, n_inf=6), ValueError, "n_inf=6"),
    ("BA-3motif count", lambda: make_ba3motif(10), ValueError, "multiple of 3"),
    ("BA-3motif features", lambda: make_ba3motif(3, features="degree"), ValueError, "features"),
    ("BA-3motif seed", lambda: make_ba3motif(3, seed=1.5), TypeError, "seed=1.5"),
    ("Is_Acyclic count", lambda: make_is_acyclic(0), ValueError, "num_per_family=0"),
    # names written to disk stay in their folder; folders are checked before any work
    ("results name ..", lambda: save_results({}, notebook="../escape", out_dir="/tmp/unused"), ValueError,
     "plain file name"),
    ("results name with /", lambda: save_results({}, notebook="a/b", out_dir="/tmp/unused"), ValueError,
     "plain file name"),
    ("figure name ..", lambda: save_figure(None, "../x", notebook="00", out_dir="/tmp/unused"), ValueError,
     "plain file name"),
    ("svg notebook ..", lambda: save_svg("<svg/>", "x", notebook="..", out_dir="/tmp/unused"), ValueError,
     "plain file name"),
    ("checkpoint name with /", lambda: load_or_train(lambda: GCN(3, 2), lambda m: {}, name="../../x", key={},
                                                     seed=0), ValueError, "plain file name"),
    ("compare: negative tolerance", lambda: compare_results("/tmp", "/tmp", rel_tol=-1), ValueError, "rel_tol"),
]


@pytest.mark.parametrize("call, error, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_at_least_sixty_bad_inputs_are_covered():
    assert len(CASES) >= 60


def test_cache_folder_that_is_a_file_is_refused_before_training(tmp_path):
    (tmp_path / "cache").write_text("not a folder")
    trained = []
    with pytest.raises(NotADirectoryError, match="cache_dir"):
        load_or_train(lambda: GCN(3, 2), lambda m: trained.append(1) or {}, name="gcn", key={}, seed=0,
                      cache_dir=tmp_path / "cache")
    assert not trained


def test_out_naming_a_file_is_a_usage_error(tmp_path, capsys):
    from gnnexplain.reproduce import main

    (tmp_path / "out").write_text("")
    with pytest.raises(SystemExit) as exit_info:
        main(["--out", str(tmp_path / "out"), "--notebooks", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "is a file" in capsys.readouterr().err
