"""Which model each of the papers' methods explains: supports() and connect() for every method x model of the
workbook (docs/conventions.md §0.3), and the generalised methods on models other than their paper's."""

import pytest
import torch
from torch_geometric.data import Batch
from torch_geometric.nn import GCNConv, global_add_pool

from gnnexplain.data import graph_from_smiles
from gnnexplain.explain import (
    NAM,
    BayesGrad,
    BayesSmoothGrad,
    GradCAM,
    NodeGradCAM,
    ReFine,
    SafeExplainer,
    SmoothGrad,
    VanillaGrad,
)
from gnnexplain.models import DGCNN, GCN, GGNN, GIN, NFP, BA3MotifNet, ConcatGNN, GraphGCN, MutagGIN

from conftest import random_node_graph

F, C = 5, 3
NODE = dict(mode="multiclass_classification", task_level="node", return_type="raw")
GRAPH = dict(mode="multiclass_classification", task_level="graph", return_type="raw")
BINARY = dict(mode="binary_classification", task_level="graph", return_type="raw")

#: model name -> (constructor, model_config)
MODELS = {
    "GCN": (lambda: GCN(F, C, 8), NODE),
    "GAT": (lambda: ConcatGNN(F, C, 8, conv="gat"), NODE),
    "GIN": (lambda: GIN(F, C, 8), GRAPH),
    "DGCNN": (lambda: DGCNN(F, C, k=10), GRAPH),
    "GGNN": (lambda: GGNN(hidden_channels=8, num_layers=2), BINARY),
    "NFP": (lambda: NFP(hidden_channels=8, num_layers=2), BINARY),
    "GraphGCN": (lambda: GraphGCN(F, C), GRAPH),
    "BA3MotifNet": (lambda: BA3MotifNet(F, 8, C), GRAPH),
    "MutagGIN": (lambda: MutagGIN(F, 8, C), GRAPH),
}
NODE_MASK = dict(node_mask_type="object", edge_mask_type=None)
EDGE_MASK = dict(node_mask_type=None, edge_mask_type="object")
#: method name -> (constructor, explainer settings)
METHODS = {
    "NAM": (lambda: NAM(), NODE_MASK),
    "VanillaGrad": (lambda: VanillaGrad(), NODE_MASK),
    "SmoothGrad": (lambda: SmoothGrad(3), NODE_MASK),
    "BayesGrad": (lambda: BayesGrad(3), NODE_MASK),
    "BayesSmoothGrad": (lambda: BayesSmoothGrad(3), NODE_MASK),
    "NodeGradCAM": (lambda: NodeGradCAM(), NODE_MASK),
    "GradCAM": (lambda: GradCAM(), NODE_MASK),
    "ReFine": (lambda: ReFine(F, C, hidden=8), EDGE_MASK),
    "ReFine repo": (lambda: ReFine(F, C, hidden=8, mode="repo"), EDGE_MASK),
}
OK = None
NO_DROPOUT = "no torch.nn.Dropout"
NOT_GRAPH, NOT_NODE = "task_level='node'", "task_level='graph'"
#: the expected answer: None (supported) or a piece of the reason
EXPECTED = {
    "GCN": dict(NAM=OK, VanillaGrad=OK, SmoothGrad=OK, BayesGrad=OK, BayesSmoothGrad=OK, NodeGradCAM=OK,
                GradCAM=NOT_GRAPH, ReFine=NOT_GRAPH, **{"ReFine repo": NOT_GRAPH}),
    "GAT": dict(NAM="gnnexplain.models.GCN", VanillaGrad=OK, SmoothGrad=OK, BayesGrad=NO_DROPOUT,
                BayesSmoothGrad=NO_DROPOUT, NodeGradCAM=OK, GradCAM=NOT_GRAPH, ReFine=NOT_GRAPH,
                **{"ReFine repo": NOT_GRAPH}),
    "GIN": dict(NAM=NOT_NODE, VanillaGrad=OK, SmoothGrad=OK, BayesGrad=OK, BayesSmoothGrad=OK, NodeGradCAM=OK,
                GradCAM="trace()", ReFine=OK, **{"ReFine repo": "graph_rep"}),
    "DGCNN": dict(NAM=NOT_NODE, VanillaGrad=OK, SmoothGrad=OK, BayesGrad=OK, BayesSmoothGrad=OK,
                  NodeGradCAM="no torch_geometric MessagePassing", GradCAM=OK,
                  ReFine="no torch_geometric MessagePassing", **{"ReFine repo": "no torch_geometric MessagePassing"}),
    "GGNN": dict(NAM=NOT_NODE, VanillaGrad=OK, SmoothGrad=OK, BayesGrad=OK, BayesSmoothGrad=OK,
                 NodeGradCAM="mode='binary_classification'", GradCAM="mode='binary_classification'",
                 ReFine="batch as the third argument", **{"ReFine repo": "batch as the third argument"}),
    "NFP": dict(NAM=NOT_NODE, VanillaGrad=OK, SmoothGrad=OK, BayesGrad=OK, BayesSmoothGrad=OK,
                NodeGradCAM="mode='binary_classification'", GradCAM="mode='binary_classification'",
                ReFine="batch as the third argument", **{"ReFine repo": "batch as the third argument"}),
    "GraphGCN": dict(NAM=NOT_NODE, VanillaGrad=OK, SmoothGrad=OK, BayesGrad=NO_DROPOUT, BayesSmoothGrad=NO_DROPOUT,
                     NodeGradCAM=OK, GradCAM="trace()", ReFine=OK, **{"ReFine repo": "graph_rep"}),
    "BA3MotifNet": dict(NAM=NOT_NODE, VanillaGrad=OK, SmoothGrad=OK, BayesGrad=OK, BayesSmoothGrad=OK,
                        NodeGradCAM=OK, GradCAM="trace()", ReFine=OK, **{"ReFine repo": OK}),
    "MutagGIN": dict(NAM=NOT_NODE, VanillaGrad=OK, SmoothGrad=OK, BayesGrad=NO_DROPOUT, BayesSmoothGrad=NO_DROPOUT,
                     NodeGradCAM=OK, GradCAM="trace()", ReFine=OK, **{"ReFine repo": OK}),
}


def molecule():
    return graph_from_smiles("Oc1ccccc1CCN")[0]


def inputs(model_name, num_graphs=1):
    """Keyword arguments of one explanation call for the model (atom ids for GGNN/NFP)."""
    if model_name in ("GGNN", "NFP"):
        g = molecule()
        return dict(x=g.x, edge_index=g.edge_index, edge_type=g.edge_type)
    graphs = [random_node_graph(12, F, C, seed=s) for s in range(num_graphs)]
    if MODELS[model_name][1] is NODE:
        return dict(x=graphs[0].x, edge_index=graphs[0].edge_index, index=3)
    batch = Batch.from_data_list(graphs)
    return dict(x=batch.x, edge_index=batch.edge_index, batch=batch.batch)


@pytest.mark.parametrize("model_name", MODELS)
@pytest.mark.parametrize("method", METHODS)
def test_supports_for_every_method_and_model(method, model_name):
    make_model, model_config = MODELS[model_name]
    make_method, settings = METHODS[method]
    model, algorithm = make_model().eval(), make_method()
    expected = EXPECTED[model_name][method]
    if expected is None:
        explainer = SafeExplainer(model, algorithm, explanation_type="model", model_config=model_config, **settings)
        assert algorithm.supports() is True and algorithm.unsupported_reason() is None
        if not method.startswith("ReFine"):  # ReFine's attributors are untrained here; see test_refine_*
            kw = inputs(model_name, num_graphs=2)
            mask = explainer(**kw, seed=0).node_mask
            assert mask.shape == (kw["x"].size(0), 1) and torch.isfinite(mask).all()
    else:
        with pytest.raises(ValueError, match=f"{type(algorithm).__name__} cannot explain these settings: .*"
                                             f"{expected.replace('(', '[(]').replace(')', '[)]')}"):
            SafeExplainer(model, algorithm, explanation_type="model", model_config=model_config, **settings)
        assert algorithm.supports() is False and expected in algorithm.unsupported_reason()


def test_a_plain_pyg_explainer_refuses_the_model_at_its_first_call():
    from torch_geometric.explain import Explainer

    model = GraphGCN(F, C).eval()
    explainer = Explainer(model, BayesGrad(3), explanation_type="model", model_config=GRAPH, **NODE_MASK)
    assert explainer.algorithm.supports() is True  # PyG does not hand the model to connect()
    with pytest.raises(ValueError, match="BayesGrad cannot explain model GraphGCN: .*no torch.nn.Dropout"):
        explainer(**inputs("GraphGCN"))
    assert explainer.algorithm.unsupported_reason(model).startswith("model GraphGCN: has no torch.nn.Dropout")


# --- embedding saliency on any model ------------------------------------------------------------------------

def test_vanillagrad_on_features_equals_autograd_node_and_graph_level():
    torch.manual_seed(0)
    gcn, data = GCN(F, C, 8).eval(), random_node_graph(12, F, C, seed=1)
    explainer = SafeExplainer(gcn, VanillaGrad(reduction="raw"), explanation_type="phenomenon",
                              model_config=NODE, **NODE_MASK)
    mask = explainer(data.x, data.edge_index, index=4, target=torch.tensor(2)).node_mask.view(-1)
    x = data.x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(gcn(x, data.edge_index)[4, 2], x)
    torch.testing.assert_close(mask, grad.sum(-1))
    gin = GIN(F, C, 8).eval()
    kw = inputs("GIN", num_graphs=3)
    explainer = SafeExplainer(gin, VanillaGrad(), explanation_type="model", model_config=GRAPH, **NODE_MASK)
    mask = explainer(**kw).node_mask.view(-1)
    x = kw["x"].clone().requires_grad_(True)
    logits = gin(x, kw["edge_index"], kw["batch"])
    (grad,) = torch.autograd.grad(logits.gather(1, logits.argmax(-1, keepdim=True)).sum(), x)
    torch.testing.assert_close(mask, grad.pow(2).sum(-1))


def test_named_embedding_module_and_batched_copies_equal_a_loop():
    torch.manual_seed(0)
    model = BA3MotifNet(F, 8, C).eval()
    kw = inputs("BA3MotifNet")
    algo = SmoothGrad(4, sigma=0.2, embedding="embed", reduction="l2")
    noise = torch.randn(4, kw["x"].size(0), 8)
    target = torch.tensor([1])
    batched = algo.sample_maps(model, kw["x"], kw["edge_index"], batch=kw["batch"], target=target, noise=noise)
    one = SmoothGrad(1, sigma=0.2, embedding="embed", reduction="l2")
    for m in range(4):
        e = (model.embed(kw["x"]) + 0.2 * noise[m]).detach().requires_grad_(True)
        h = e
        for conv in model.convs:
            h = torch.relu(conv(h, kw["edge_index"]))
        logit = model.head(h.mean(0, keepdim=True))[0, 1]
        (grad,) = torch.autograd.grad(logit, e)
        torch.testing.assert_close(batched[m], grad.norm(dim=-1))
        looped = one.sample_maps(model, kw["x"], kw["edge_index"], batch=kw["batch"], target=target,
                                 noise=noise[m:m + 1])
        torch.testing.assert_close(batched[m], looped[0])


def test_embedding_saliency_bad_inputs():
    with pytest.raises(ValueError, match="embedding must be None, 'x' or the name of a submodule"):
        VanillaGrad(embedding="")
    model = GIN(F, C, 8).eval()
    with pytest.raises(ValueError, match="has no submodule 'nope'"):
        SafeExplainer(model, VanillaGrad(embedding="nope"), explanation_type="model", model_config=GRAPH,
                      **NODE_MASK)
    g = molecule()
    with pytest.raises(ValueError, match="x has dtype torch.int64 .*embedding="):
        VanillaGrad(embedding="x").sample_maps(GGNN(hidden_channels=8), g.x, g.edge_index, edge_type=g.edge_type)
    kw = inputs("GIN")
    with pytest.raises(ValueError, match=r"node_weight has shape \(12,\); allowed: one row per edge"):
        VanillaGrad().sample_maps(model, kw["x"], kw["edge_index"], node_weight=torch.ones(12))


# --- Grad-CAM on node embeddings (Pope et al. 2019) ---------------------------------------------------------

class SumReadout(torch.nn.Module):
    """One GCNConv, sum pooling and a linear head: dlogit_c/dF(n) = w_c for every node, so alpha = w_c."""

    def __init__(self):
        super().__init__()
        self.conv = GCNConv(F, 4)
        self.head = torch.nn.Linear(4, C)

    def forward(self, x, edge_index, batch=None):
        return self.head(global_add_pool(self.conv(x, edge_index), batch))


def test_node_gradcam_has_the_known_answer_and_explains_each_graph_of_a_batch():
    torch.manual_seed(0)
    model, kw = SumReadout().eval(), inputs("GIN", num_graphs=2)
    explainer = SafeExplainer(model, NodeGradCAM(), explanation_type="phenomenon", model_config=GRAPH, **NODE_MASK)
    target = torch.tensor([2, 0])
    explanation = explainer(**kw, target=target)
    features = model.conv(kw["x"], kw["edge_index"]).detach()
    w = model.head.weight.detach()
    torch.testing.assert_close(explanation.alpha, w[target])
    expected = torch.relu((features * w[target][kw["batch"]]).sum(-1))
    torch.testing.assert_close(explanation.node_mask.view(-1), expected)
    assert (explanation.node_mask >= 0).all() and explanation.node_mask.max() > 0


def test_node_gradcam_reads_the_last_message_passing_layer_or_a_named_one():
    torch.manual_seed(0)
    model, kw = GIN(F, C, 8).eval(), inputs("GIN")
    last = SafeExplainer(model, NodeGradCAM(), explanation_type="model", model_config=GRAPH, **NODE_MASK)(**kw)
    named = SafeExplainer(model, NodeGradCAM(layer="convs.2"), explanation_type="model", model_config=GRAPH,
                          **NODE_MASK)(**kw)
    torch.testing.assert_close(last.node_mask, named.node_mask)
    first = SafeExplainer(model, NodeGradCAM(layer="convs.0"), explanation_type="model", model_config=GRAPH,
                          **NODE_MASK)(**kw)
    assert not torch.allclose(first.node_mask, last.node_mask)
    with pytest.raises(ValueError, match="one node at a time"):
        SafeExplainer(GCN(F, C, 8).eval(), NodeGradCAM(), explanation_type="model", model_config=NODE,
                      **NODE_MASK)(kw["x"], kw["edge_index"], index=torch.tensor([1, 2]))


# --- ReFine on another graph classifier ---------------------------------------------------------------------

def test_refine_fits_and_explains_a_graph_classifier_other_than_its_papers():
    torch.manual_seed(0)
    graphs = [random_node_graph(10, F, C, seed=s) for s in range(12)]
    model = GraphGCN(F, C).eval()
    with torch.no_grad():
        for g in graphs:
            g.y = model(g.x, g.edge_index).argmax(-1)
    refine = ReFine(F, C, hidden=8, ft_steps=2, seed=0)
    history = refine.fit(model, graphs[:8], graphs[8:], epochs=2, batch_size=4)
    assert len(history["train_loss"]) == 2
    explainer = SafeExplainer(model, refine, explanation_type="model", model_config=GRAPH, **EDGE_MASK)
    g = graphs[0]
    mask = explainer(g.x, g.edge_index, seed=0).edge_mask
    assert mask.shape == (g.edge_index.size(1),) and ((mask > 0) & (mask < 1)).all()
    with pytest.raises(ValueError, match="ReFine cannot explain model DGCNN: .*MessagePassing"):
        refine.fit(DGCNN(F, C, k=10).eval(), graphs[:8], graphs[8:], epochs=1)
    with pytest.raises(ValueError, match="num_classes=2, but this ReFine was built with num_classes=3"):
        refine.fit(GraphGCN(F, 2).eval(), graphs[:8], graphs[8:], epochs=1)
