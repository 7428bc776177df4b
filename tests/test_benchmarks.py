"""GNNExplainer's synthetic benchmarks, the Table-1 explainers and the ground-truth edge AUC."""

import pytest
import torch
from torch_geometric.data import Data

from gnnexplain.data import BENCHMARKS, explained_nodes, make_benchmark
from gnnexplain.experiments.gnnexplainer_xgnn import (
    explain_edges, table1_explainer, TABLE1_METHODS, train_pgexplainer,
)
from gnnexplain.explain import SafeExplainer
from gnnexplain.metrics import topk_fidelity, uniform_mask_response
from gnnexplain.core.graph import symmetrize_edge_mask
from gnnexplain.metrics import edge_auc, explanation_pairs, flat_mask_fraction
from gnnexplain.models import ConcatGNN

# nodes, undirected edges (motif + base + links + random), motif edges, classes
EXPECTED = {"BA-Shapes": (700, 2055, 480, 4), "BA-Community": (1400, 4460, 960, 8),
            "Tree-Cycles": (871, None, 360, 2), "Tree-Grid": (1231, 1705, 960, 2)}


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_counts_and_ground_truth(name):
    data = make_benchmark(name, seed=0)
    nodes, edges, motif_edges, classes = EXPECTED[name]
    assert data.num_nodes == nodes and data.is_undirected() and not data.has_self_loops()
    if edges is not None:
        assert data.num_edges == 2 * edges
    assert int(data.edge_mask.sum()) == 2 * motif_edges
    assert int(data.y.max()) + 1 == classes
    src, dst = data.edge_index[:, data.edge_mask]
    # every ground-truth edge joins two nodes of the same motif
    assert (data.motif_id[src] == data.motif_id[dst]).all() and (data.motif_id[src] >= 0).all()
    assert (data.train_mask ^ data.val_mask ^ data.test_mask).all()


def test_tree_cycles_random_edges_are_one_percent():
    data = make_benchmark("Tree-Cycles", seed=0)
    structural = 510 + 60 * 6 + 60  # tree + cycles + one link per cycle
    extra = data.num_edges // 2 - structural
    assert 9 <= extra <= 9 + 60  # int(1% of edges) random + up to 60 second links


def test_benchmark_is_seeded():
    a, b, c = make_benchmark("BA-Shapes", 1), make_benchmark("BA-Shapes", 1), make_benchmark("BA-Shapes", 2)
    assert torch.equal(a.edge_index, b.edge_index) and torch.equal(a.train_mask, b.train_mask)
    assert not torch.equal(a.edge_index, c.edge_index)


def test_unknown_benchmark_raises():
    with pytest.raises(ValueError, match="BA-Shapes"):
        make_benchmark("BA-Houses")


def test_explained_nodes_are_the_authors_place_in_each_motif():
    # make_pred_real starts a house or a cycle at the explained node and a grid one node before it
    for name, first, count in (("BA-Shapes", 300, 80), ("Tree-Cycles", 511, 60), ("Tree-Grid", 512, 80)):
        data = make_benchmark(name)
        nodes = explained_nodes(data)
        assert nodes.numel() == count and int(nodes[0]) == first
        assert torch.equal(data.motif_id[nodes], torch.arange(count))  # one node per motif, in motif order
    data = make_benchmark("BA-Community")
    assert torch.equal(explained_nodes(data), data.node_mask.nonzero().view(-1)[::5])  # BA: the house's first node
    grid = make_benchmark("Tree-Grid")
    assert torch.equal(explained_nodes(grid, position=8), explained_nodes(grid) + 7)
    for position in (-1, 9):
        with pytest.raises(ValueError, match="position.*allowed: 0..8"):
            explained_nodes(grid, position=position)
    grid.name = "my graph"
    with pytest.raises(ValueError, match="no default position.*Tree-Grid"):
        explained_nodes(grid)
    grid.node_mask = torch.zeros_like(grid.node_mask)
    with pytest.raises(ValueError, match="no motif nodes"):
        explained_nodes(grid, position=0)


def test_symmetrize_averages_directions():
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    out = symmetrize_edge_mask(edge_index, torch.tensor([1.0, 0.0, 0.2, 0.4]), 3)
    assert torch.allclose(out, torch.tensor([0.5, 0.5, 0.3, 0.3]))


def test_edge_auc_on_hand_made_example():
    # path 0-1-2-3 plus 3-4; ground truth: 1-2 and 2-3
    edge_index = torch.tensor([[0, 1, 1, 2, 2, 3, 3, 4], [1, 0, 2, 1, 3, 2, 4, 3]])
    truth = torch.tensor([0, 0, 1, 1, 1, 1, 0, 0]).bool()
    perfect = torch.tensor([0.1, 0.1, 0.9, 0.9, 0.8, 0.8, 0.2, 0.2])
    assert edge_auc({2: perfect}, edge_index, truth, num_hops=2) == 1.0
    # direction-inconsistent scores are averaged: pair 0-1 -> 0.5, pair 1-2 -> 0.45: one wrong ordering
    skew = torch.tensor([1.0, 0.0, 0.9, 0.0, 0.8, 0.8, 0.2, 0.2])
    scores, labels = explanation_pairs(edge_index, skew, truth, 2, 2, 5)
    assert len(scores) == 4 and labels.sum() == 2
    assert edge_auc({2: skew}, edge_index, truth, num_hops=2) == pytest.approx(0.75)
    # node 0 with one hop sees only the negative pair 0-1
    with pytest.raises(ValueError, match="undefined"):
        edge_auc({0: perfect}, edge_index, truth, num_hops=1)
    with pytest.raises(ValueError, match="at least one"):
        edge_auc({}, edge_index, truth)
    with pytest.raises(IndexError, match="node=5 is outside the graph"):
        edge_auc({5: perfect}, edge_index, truth)


def test_edge_auc_per_node_ignores_the_scale_between_nodes():
    # path 0-1-2-3-4, ground truth 1-2 and 2-3; each mask ranks its own node's pairs perfectly, at different scales
    edge_index = torch.tensor([[0, 1, 1, 2, 2, 3, 3, 4], [1, 0, 2, 1, 3, 2, 4, 3]])
    truth = torch.tensor([0, 0, 1, 1, 1, 1, 0, 0]).bool()
    masks = {2: torch.tensor([0.8, 0.8, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8]),   # pairs 0-1, 1-2, 2-3, 3-4
             1: torch.tensor([0.2, 0.2, 0.3, 0.3, 0.3, 0.3, 0.0, 0.0])}   # pairs 0-1, 1-2, 2-3
    # pooled: positives 0.9, 0.9, 0.3, 0.3 against negatives 0.8, 0.8, 0.2 -> 8 of 12 orderings right
    assert edge_auc(masks, edge_index, truth, num_hops=2) == pytest.approx(8 / 12)
    assert edge_auc(masks, edge_index, truth, num_hops=2, per_node=True) == 1.0
    # node 0 at one hop sees only the negative pair 0-1: skipped, or an error if no node is left
    both = {**masks, 0: torch.ones(8)}
    assert edge_auc(both, edge_index, truth, num_hops=1, per_node=True) == edge_auc(
        masks, edge_index, truth, num_hops=1, per_node=True)
    with pytest.raises(ValueError, match="per-node ROC-AUC is undefined"):
        edge_auc({0: torch.ones(8)}, edge_index, truth, num_hops=1, per_node=True)


def test_flat_mask_fraction_counts_masks_that_rank_nothing():
    # path 0-1-2-3-4 plus an isolated node 5; masks over pairs 0-1, 1-2, 2-3, 3-4
    edge_index = torch.tensor([[0, 1, 1, 2, 2, 3, 3, 4], [1, 0, 2, 1, 3, 2, 4, 3]])
    collapsed = torch.full((8,), 1e-7) + torch.arange(8) * 1e-8   # a mask network that switched every edge off
    informative = torch.tensor([0.1, 0.1, 0.9, 0.9, 0.8, 0.8, 0.2, 0.2])
    assert flat_mask_fraction({2: collapsed, 1: informative}, edge_index, num_hops=2) == 0.5
    assert flat_mask_fraction({2: informative}, edge_index, num_hops=2) == 0.0
    # only the node's own subgraph counts: node 0 at one hop sees pair 0-1 alone, whose spread is 0
    assert flat_mask_fraction([(0, informative)], edge_index, num_hops=1) == 1.0
    # directions are averaged first: 1.0 / 0.0 on pair 0-1 is one score, 0.5
    assert flat_mask_fraction({0: torch.tensor([1.0, 0.0, 0.5, 0.5, 0, 0, 0, 0])}, edge_index, num_hops=2) == 1.0
    assert flat_mask_fraction({2: informative}, edge_index, num_hops=2, atol=1.0) == 1.0
    with pytest.raises(ValueError, match="atol=0"):
        flat_mask_fraction({2: informative}, edge_index, atol=0)
    with pytest.raises(ValueError, match="atol=nan"):
        flat_mask_fraction({2: informative}, edge_index, atol=float("nan"))
    with pytest.raises(ValueError, match="node 5's 3-hop subgraph holds no edge"):
        flat_mask_fraction({5: informative}, edge_index, num_nodes=6)
    with pytest.raises(IndexError, match="node=7 is outside the graph"):
        flat_mask_fraction({7: informative}, edge_index, num_nodes=6)
    with pytest.raises(ValueError, match="at least one"):
        flat_mask_fraction({}, edge_index)
    with pytest.raises(ValueError, match="num_hops=0"):
        flat_mask_fraction({2: informative}, edge_index, num_hops=0)
    with pytest.raises(ValueError, match="edge_mask has 7 entries"):
        flat_mask_fraction({2: informative[:7]}, edge_index)


def test_edge_auc_own_motif_ground_truth():
    # two triangles (motifs 0 and 1: nodes 0-2, 3-5) joined by the negative edge 2-3; node 0 is explained
    pairs = [(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5), (3, 5)]
    edge_index = torch.tensor(pairs + [(v, u) for u, v in pairs]).t()
    truth = torch.tensor([1, 1, 1, 0, 1, 1, 1] * 2).bool()
    motif_id = torch.tensor([0, 0, 0, 1, 1, 1])
    # own triangle high, bridge 0.5, the other triangle near 0 (what the prediction of node 0 needs)
    mask = torch.tensor([0.9, 0.9, 0.9, 0.5, 0.1, 0.1, 0.1] * 2)
    # PyG's convention: the other triangle's edges (within 3 hops) are positives ranked below the bridge
    assert edge_auc({0: mask}, edge_index, truth, num_hops=3) == pytest.approx(0.5)
    # the authors' convention: only node 0's own triangle is positive
    assert edge_auc({0: mask}, edge_index, truth, num_hops=3, motif_id=motif_id) == 1.0
    with pytest.raises(ValueError, match="no motif"):
        edge_auc({0: mask}, edge_index, truth, motif_id=torch.tensor([-1, 0, 0, 1, 1, 1]))
    with pytest.raises(ValueError, match="motif_id has 5 entries"):
        edge_auc({0: mask}, edge_index, truth, motif_id=motif_id[:5])


@pytest.mark.parametrize("method", TABLE1_METHODS)
def test_table1_explainers_return_edge_masks(method):
    data = make_benchmark("BA-Shapes", 0)
    torch.manual_seed(0)
    model = ConcatGNN(10, 4, conv="gat" if method == "Att" else "gcn").eval()
    nodes = explained_nodes(data)[::8]
    explainer = table1_explainer(model, method, epochs=2)
    pred = model(data.x, data.edge_index).argmax(-1)
    if method == "PGExplainer":
        assert len(train_pgexplainer(explainer, data, nodes, pred, seed=0)) == 2
    target = pred if method == "PGExplainer" else None
    masks, seconds = explain_edges(explainer, data, nodes, target=target, seed=0)
    again, _ = explain_edges(explainer, data, nodes, target=target, seed=0)
    assert set(masks) == set(nodes.tolist()) and seconds > 0
    for v, mask in masks.items():
        assert mask.shape == (data.num_edges,) and torch.isfinite(mask).all()
        assert torch.allclose(mask, again[v])
    assert 0.0 <= edge_auc(masks, data.edge_index, data.edge_mask) <= 1.0


def test_saliency_is_the_loss_gradient_on_the_edge_mask():
    # Saliency, the paper's "Grad": |∂(−log p_ŷ) / ∂ edge mask| at the full graph (mask 1), by hand with PyG's set_masks
    from torch_geometric.explain.algorithm.utils import clear_masks, set_masks

    edge_index, x = _tiny_graph()
    torch.manual_seed(0)
    model = ConcatGNN(10, 3, num_layers=2).eval()
    pred = model(x, edge_index).argmax(-1)
    mask = torch.ones(edge_index.size(1), requires_grad=True)
    set_masks(model, mask, edge_index, apply_sigmoid=False)
    (-model(x, edge_index).log_softmax(-1)[2, pred[2]]).backward()
    clear_masks(model)
    grad = table1_explainer(model, "Saliency")(x, edge_index, index=2).edge_mask
    assert torch.allclose(grad, mask.grad.abs(), atol=1e-6)
    # not the logit's gradient: the softmax couples the classes
    logit_mask = torch.ones(edge_index.size(1), requires_grad=True)
    set_masks(model, logit_mask, edge_index, apply_sigmoid=False)
    model(x, edge_index)[2, pred[2]].backward()
    clear_masks(model)
    assert not torch.allclose(grad, logit_mask.grad.abs(), atol=1e-4)
    assert torch.equal(model(x, edge_index).argmax(-1), pred)  # the model is left unmasked


def test_pgexplainer_training_is_seeded():
    data = make_benchmark("Tree-Cycles", 0)
    torch.manual_seed(0)
    model = ConcatGNN(10, 2).eval()
    nodes = explained_nodes(data)[::10]
    pred = model(data.x, data.edge_index).argmax(-1)
    masks = []
    for global_seed in (1, 2):  # the explainers are built under different global RNG states
        torch.manual_seed(global_seed)
        explainer = table1_explainer(model, "PGExplainer", epochs=2)
        train_pgexplainer(explainer, data, nodes, pred, seed=5)
        masks.append(explain_edges(explainer, data, nodes, target=pred, seed=5)[0])
    assert all(torch.equal(masks[0][v], masks[1][v]) for v in masks[0])


def test_unknown_method_raises():
    with pytest.raises(ValueError, match="GNNExplainer"):
        table1_explainer(ConcatGNN(10, 4), "LIME")
    with pytest.raises(ValueError, match="conv"):
        ConcatGNN(10, 4, conv="sage")


def _tiny_graph():
    # path 0-1-2-3-4-5 and a separate edge 6-7, both directions stored
    pairs = torch.tensor([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [6, 7]]).t()
    return torch.cat([pairs, pairs.flip(0)], dim=1), torch.randn(8, 10, generator=torch.Generator().manual_seed(0))


def _subgraph_explainer(epochs: int):
    """A 2-layer ConcatGNN (seeded weights) explained by a 2-hop SubgraphGNNExplainer."""
    from gnnexplain.explain import SubgraphGNNExplainer

    torch.manual_seed(0)
    model = ConcatGNN(10, 2, num_layers=2).eval()
    return SafeExplainer(model, SubgraphGNNExplainer(epochs=epochs, num_hops=2), explanation_type="model",
                         node_mask_type=None, edge_mask_type="object",
                         model_config=dict(mode="multiclass_classification", task_level="node", return_type="raw"))


def test_subgraph_gnnexplainer_maps_the_mask_back_to_all_edges():
    from torch_geometric.utils import k_hop_subgraph

    edge_index, x = _tiny_graph()
    explainer = _subgraph_explainer(epochs=20)
    mask = explainer(x, edge_index, index=1, seed=3).edge_mask
    assert mask.shape == (edge_index.size(1),) and ((mask >= 0) & (mask <= 1)).all()
    # 2 hops from node 1: edges 0-1, 1-2, 2-3; everything else is 0
    inside = torch.tensor([1, 1, 1, 0, 0, 0] * 2).bool()
    assert (mask[inside] > 0).all() and (mask[~inside] == 0).all()
    assert torch.equal(mask[:6], mask[6:])  # both directions share one value
    assert torch.equal(mask, explainer(x, edge_index, index=1, seed=3).edge_mask)
    # the same optimisation on the extracted subgraph gives the same values at the mapped positions
    subset, sub_edges, center, kept = k_hop_subgraph(1, 2, edge_index, relabel_nodes=True, num_nodes=8)
    sub_mask = explainer(x[subset], sub_edges, index=int(center), seed=3).edge_mask
    assert torch.allclose(mask[kept], sub_mask)
    # a batch of nodes: each node's mask is the one it gets alone (node 1 comes first, so same init)
    batch = explainer(x, edge_index, index=torch.tensor([1, 6]), seed=3)
    assert batch.edge_masks.shape == (2, edge_index.size(1))
    assert torch.allclose(batch.edge_masks[0], mask, atol=1e-6)
    assert (batch.edge_masks[1][[5, 11]] > 0).all() and (batch.edge_masks[1][:5] == 0).all()
    assert torch.equal(batch.edge_mask, batch.edge_masks.max(0).values)


def test_subgraph_gnnexplainer_forward_skips_only_edges_that_cannot_reach_the_node(monkeypatch):
    from gnnexplain.explain import SubgraphGNNExplainer

    edge_index, x = _tiny_graph()
    # 2 hops from node 1: nodes 0-3; the edge 2 -> 3 ends 2 hops out, so its message cannot reach node 1
    g = SubgraphGNNExplainer(num_hops=2)._subgraphs([1], x, edge_index)
    targets = edge_index[1][g["kept"]]
    assert torch.equal(g["live"], targets != 3) and int((~g["live"]).sum()) == 1
    explainer = _subgraph_explainer(epochs=50)
    nodes = torch.tensor([1, 2, 6])
    masks = explainer(x, edge_index, index=nodes, seed=1).edge_masks
    # the same optimisation with every subgraph edge in the forward pass gives the same masks
    subgraphs = SubgraphGNNExplainer._subgraphs

    def every_edge_live(self, *args):
        union = subgraphs(self, *args)
        return {**union, "live": torch.ones_like(union["live"])}

    monkeypatch.setattr(SubgraphGNNExplainer, "_subgraphs", every_edge_live)
    assert torch.allclose(explainer(x, edge_index, index=nodes, seed=1).edge_masks, masks, atol=1e-6)


def test_subgraph_gnnexplainer_rejects_bad_settings():
    from gnnexplain.explain import SubgraphGNNExplainer

    with pytest.raises(ValueError, match="epochs"):
        SubgraphGNNExplainer(epochs=0)
    with pytest.raises(ValueError, match="entropy_mean"):
        SubgraphGNNExplainer(entropy_mean="nodes")
    edge_index, x = _tiny_graph()
    explainer = table1_explainer(ConcatGNN(10, 2).eval(), "GNNExplainer", epochs=2)
    with pytest.raises(IndexError, match="index"):
        explainer(x, edge_index, index=8)


def test_topk_fidelity_keeps_the_top_pairs_and_asks_pyg():
    edge_index, x = _tiny_graph()
    torch.manual_seed(7)  # a model whose prediction at node 2 tells the two candidate selections below apart
    model = ConcatGNN(10, 3, num_layers=2).eval()
    data = Data(x=x, edge_index=edge_index)
    # directed scores in edge_index order: pairs 0-1, 1-2, 2-3, 3-4, 4-5, 6-7, then the reverse directions
    mask = torch.tensor([0.8, 1.0, 0.9, 0.1, 0.1, 0.5, 0.8, 0.0, 0.9, 0.1, 0.1, 0.5])
    # pair means: 0-1 0.8, 1-2 0.5, 2-3 0.9 -> top 2 in node 2's subgraph: 2-3 and 0-1 (6-7 lies outside it)

    def kept(pairs):  # bool [E]: both directions of the given pairs
        return torch.tensor([(a, b) in pairs or (b, a) in pairs for a, b in edge_index.t().tolist()])

    keep, max_keep = kept({(2, 3), (0, 1)}), kept({(2, 3), (1, 2)})  # by pair means / by the larger direction

    def changed(edges):  # the sum-aggregating model reads a 0/1 edge weight as dropping the edge
        return float(model(x, edges).argmax(-1)[2] != model(x, edge_index).argmax(-1)[2])

    expected = {"fid+": changed(edge_index[:, ~keep]), "fid-": changed(edge_index[:, keep])}
    assert expected != {"fid+": changed(edge_index[:, ~max_keep]), "fid-": changed(edge_index[:, max_keep])}
    assert topk_fidelity(model, data, {2: mask}, {2: 2}, num_hops=2) == expected
    # a mean over the nodes
    both = topk_fidelity(model, data, {2: mask, 6: mask}, {2: 2, 6: 1}, num_hops=2)
    alone6 = topk_fidelity(model, data, {6: mask}, {6: 1}, num_hops=2)
    assert both == {name: (expected[name] + alone6[name]) / 2 for name in expected}
    # keeping all 4 pairs of node 2's subgraph keeps every message it gets: its prediction cannot change
    assert topk_fidelity(model, data, {2: mask}, {2: 4}, num_hops=2)["fid-"] == 0.0
    with pytest.raises(ValueError, match=r"k\[2\]=5 is out of range; allowed: 1..4"):
        topk_fidelity(model, data, {2: mask}, {2: 5}, num_hops=2)
    with pytest.raises(ValueError, match="k has no entry for node 2"):
        topk_fidelity(model, data, {2: mask}, {}, num_hops=2)
    with pytest.raises(ValueError, match="at least one"):
        topk_fidelity(model, data, {}, {})
    with pytest.raises(IndexError, match="outside the graph"):
        topk_fidelity(model, data, {9: mask}, {9: 1})


def test_concat_gnn_is_the_authors_encoder():
    edge_index, x = _tiny_graph()
    torch.manual_seed(0)
    model = ConcatGNN(10, 3, hidden_channels=4, num_layers=3).eval()
    emb = model.embed(x, edge_index)
    assert emb.shape == (8, 12)
    blocks = emb.view(8, 3, 4)
    # every layer is L2-normalised before its ReLU (the last layer has none, so its norm is exactly 1)
    assert torch.allclose(blocks[:, 2].norm(dim=-1), torch.ones(8), atol=1e-5)
    assert (blocks[:, :2].norm(dim=-1) <= 1 + 1e-5).all()
    assert (blocks[:, :2] >= 0).all() and (blocks[:, 2] < 0).any()  # ReLU on all but the last layer
    # raw adjacency, no self-loop: a node's first layer sees only its neighbours' features
    x2 = x.clone()
    x2[0] += 1.0
    assert torch.allclose(model.embed(x2, edge_index)[0, :4], emb[0, :4])


def _tiny_benchmark():
    # a 7-node binary tree (0-6), a 6-cycle motif (7-12) hung from leaf 3, one random edge 6-9; motif edges are
    # the ground truth, constant features as in the benchmarks
    tree = [[0, 1], [0, 2], [1, 3], [1, 4], [2, 5], [2, 6]]
    cycle = [[7, 8], [8, 9], [9, 10], [10, 11], [11, 12], [12, 7]]
    pairs = torch.tensor(tree + cycle + [[3, 7], [6, 9]]).t()
    truth = torch.tensor([False] * 6 + [True] * 6 + [False] * 2)
    return Data(x=torch.ones(13, 10), edge_index=torch.cat([pairs, pairs.flip(0)], dim=1),
                edge_mask=torch.cat([truth, truth]))


def test_gnnexplainer_sensitivity_scores_each_setting_as_table1():
    from gnnexplain.experiments.gnnexplainer_xgnn import gnnexplainer_sensitivity, table1_aucs
    from gnnexplain.explain.gnnexplainer import GNNEXPLAINER_SETTINGS

    data, nodes = _tiny_benchmark(), torch.tensor([7, 9])
    torch.manual_seed(0)
    models = {"gcn": ConcatGNN(10, 2).eval(), "gat": ConcatGNN(10, 2, conv="gat").eval()}
    grid = [{}, {"edge_size": 0.1, "mask_init": 0.0, "lr": 0.01}, {"epochs": 300, "lr": 0.1, "edge_size": 0.005}]
    out = gnnexplainer_sensitivity(models["gcn"], data, nodes, grid, seed=4)
    assert len(out) == len(grid)
    authors = dict(epochs=300, lr=0.1, mask_init=1.0, symmetric=True, entropy_mean="dense", edge_size=0.005,
                   edge_ent=1.0)
    assert out[0]["setting"] == authors and list(out[0]["setting"]) == list(GNNEXPLAINER_SETTINGS)
    assert out[1]["setting"] == {**authors, "edge_size": 0.1, "mask_init": 0.0, "lr": 0.01}
    assert all(0.0 <= r["auc"] <= 1.0 and r["seconds_per_node"] > 0 for r in out)
    assert out[1]["auc"] != out[0]["auc"]  # the overrides reach the optimisation
    # the empty setting is table1_aucs' GNNExplainer (same path, same seed); spelling the defaults out changes nothing
    table = table1_aucs(models, data, nodes, seed=4, pg_epochs=2)
    assert out[0]["auc"] == table["GNNExplainer"]["auc"] == out[2]["auc"]
    again = gnnexplainer_sensitivity(models["gcn"], data, nodes, grid[1:2], seed=4)[0]  # seeded
    assert (again["setting"], again["auc"]) == (out[1]["setting"], out[1]["auc"])


def test_gnnexplainer_sensitivity_rejects_bad_grids():
    from gnnexplain.experiments.gnnexplainer_xgnn import gnnexplainer_sensitivity

    data, model = _tiny_benchmark(), ConcatGNN(10, 2).eval()
    nodes = torch.tensor([7])
    with pytest.raises(ValueError, match="at least one setting"):
        gnnexplainer_sensitivity(model, data, nodes, [])
    # an unknown key is reported before any setting runs (here the empty node list would fail first)
    with pytest.raises(ValueError, match=r"edge_sise.*allowed: epochs"):
        gnnexplainer_sensitivity(model, data, torch.tensor([], dtype=torch.long), [{}, {"edge_sise": 0.1}])
    with pytest.raises(TypeError, match="mapping"):
        gnnexplainer_sensitivity(model, data, nodes, [("edge_size", 0.1)])
    with pytest.raises(ValueError, match="lr"):  # an invalid value is not replaced by the default
        gnnexplainer_sensitivity(model, data, nodes, [{"lr": 0.0}])
    with pytest.raises(ValueError, match="GNNExplainer"):
        table1_explainer(model, "Saliency", edge_size=0.1)


def test_uniform_mask_response_spans_the_model_and_the_edgeless_graph():
    data = make_benchmark("Tree-Cycles", seed=0)
    torch.manual_seed(0)
    model = ConcatGNN(10, 2, conv="gcn").eval()
    nodes = explained_nodes(data)[:4]
    before = model(data.x, data.edge_index).softmax(-1)
    out = uniform_mask_response(model, data, nodes, [1.0, 0.5, 0.0])
    assert out.shape == (3, 4)
    # s = 1: the model's own confidence; s = 0: the graph without edges
    assert torch.allclose(out[0], before[nodes].max(-1).values)
    pred = before[nodes].argmax(-1)
    empty = model(data.x, torch.empty(2, 0, dtype=torch.long)).softmax(-1)[nodes, pred]
    assert torch.allclose(out[2], empty, atol=1e-6)
    # with zero biases the L2-normalised layers are scale-invariant: any s > 0 gives the same prediction ...
    assert torch.allclose(out[1], out[0])
    with torch.no_grad():  # ... a bias makes the model read half-weight edges as a sparser graph
        for name, param in model.named_parameters():
            if name.endswith("bias"):
                param.fill_(0.5)
    before = model(data.x, data.edge_index).softmax(-1)
    out = uniform_mask_response(model, data, nodes, [1.0, 0.5])
    assert not torch.allclose(out[1], out[0])
    assert torch.equal(model(data.x, data.edge_index).softmax(-1), before)  # no mask left behind
    uniform_mask_response(model.train(), data, nodes, [0.5])
    assert model.training  # the caller's mode is restored
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        uniform_mask_response(model, data, nodes, [1.5])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        uniform_mask_response(model, data, nodes, [float("nan")])
    with pytest.raises(IndexError, match="outside the graph"):
        uniform_mask_response(model, data, [data.num_nodes], [1.0])
    with pytest.raises(ValueError, match="MessagePassing"):
        uniform_mask_response(torch.nn.Linear(10, 2), data, nodes, [1.0])
