import pytest
import torch
from torch_geometric.utils import k_hop_subgraph

from conftest import random_node_graph
from gnnexplain.core.graph import computation_subgraph
from gnnexplain.models import GCN


@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_computation_subgraph_gives_the_model_exactly_the_node_logits(num_layers):
    data = random_node_graph(60, seed=3)
    model = GCN(data.num_features, 3, num_layers=num_layers).eval()
    with torch.no_grad():
        full = model(data.x, data.edge_index)
        for v in range(data.num_nodes):
            subset, sub_edges, center, kept = computation_subgraph(v, num_layers, data.edge_index, data.num_nodes)
            assert int(subset[center]) == v and int(kept.sum()) == sub_edges.size(1)
            torch.testing.assert_close(model(data.x[subset], sub_edges)[center], full[v], rtol=0, atol=1e-6)


def test_the_bare_k_hop_subgraph_changes_a_gcn_output():
    # the reason computation_subgraph keeps the edges into the outermost ring: the senders' degrees
    data = random_node_graph(60, seed=3)
    model = GCN(data.num_features, 3, num_layers=2).eval()
    with torch.no_grad():
        full = model(data.x, data.edge_index)
        changed = 0
        for v in range(data.num_nodes):
            subset, sub_edges, mapping, _ = k_hop_subgraph(v, 2, data.edge_index, relabel_nodes=True)
            changed += not torch.allclose(model(data.x[subset], sub_edges)[mapping[0]], full[v], atol=1e-5)
    assert changed > 0


def test_computation_subgraph_rejects_bad_arguments():
    data = random_node_graph(10)
    with pytest.raises(ValueError, match="num_hops"):
        computation_subgraph(0, 0, data.edge_index, 10)
    with pytest.raises(IndexError, match="index=10"):
        computation_subgraph(10, 2, data.edge_index, 10)
    with pytest.raises(ValueError, match=r"\[2, E\]"):
        computation_subgraph(0, 2, data.edge_index.t(), 10)
