"""Node-level explanations on the computation subgraph vs the whole graph, on real Cora (issue: sanity checks).

Run: ``python benchmarks/subgraph_speed.py [--nodes 5] [--epochs 200]``. Prints, for the workbook's 2-layer GCN:
how many of the 1,000 test predictions the bare 2-hop subgraph changes and the computation subgraph changes
(:func:`gnnexplain.core.graph.computation_subgraph`, which also keeps the edges into the outermost ring), and the
seconds per node of PyG's GNNExplainer on the whole graph and on the computation subgraph, with the speed-up.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch_geometric.explain.algorithm import GNNExplainer
from torch_geometric.utils import k_hop_subgraph

from gnnexplain.core.graph import computation_subgraph
from gnnexplain.core.masks import SafeExplainer
from gnnexplain.experiments.nam import load_graphs, train_gcns


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=5, help="test nodes explained in each setting")
    parser.add_argument("--epochs", type=int, default=200, help="GNNExplainer epochs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    graphs = load_graphs(["Cora"])["graphs"]
    data = graphs["Cora"][1]
    model = train_gcns(graphs, seed=args.seed)["models"]["Cora"]
    test = data.test_mask.nonzero().view(-1)
    with torch.no_grad():
        full = model(data.x, data.edge_index).argmax(-1)
        bare = exact = 0
        for v in test.tolist():
            subset, edges, mapping, _ = k_hop_subgraph(v, 2, data.edge_index, relabel_nodes=True)
            bare += int(model(data.x[subset], edges)[mapping[0]].argmax() != full[v])
            subset, edges, center, _ = computation_subgraph(v, 2, data.edge_index, data.num_nodes)
            exact += int(model(data.x[subset], edges)[center].argmax() != full[v])
    print(f"threads={torch.get_num_threads()}  Cora: {test.numel()} test nodes; predictions changed by the bare "
          f"2-hop subgraph: {bare}, by the computation subgraph: {exact}")
    explainer = SafeExplainer(model, GNNExplainer(epochs=args.epochs, lr=0.01), explanation_type="model",
                              node_mask_type="attributes", edge_mask_type="object",
                              model_config=dict(mode="multiclass_classification", task_level="node",
                                                return_type="raw"))
    nodes = test[:args.nodes].tolist()
    start = time.perf_counter()
    for v in nodes:
        explainer(data.x, data.edge_index, index=v, seed=args.seed)
    whole = (time.perf_counter() - start) / len(nodes)
    start = time.perf_counter()
    for v in nodes:
        subset, edges, center, _ = computation_subgraph(v, 2, data.edge_index, data.num_nodes)
        explainer(data.x[subset], edges, index=center, seed=args.seed)
    sub = (time.perf_counter() - start) / len(nodes)
    print(f"GNNExplainer, {args.epochs} epochs, {len(nodes)} nodes: whole graph {whole:.2f} s/node, computation "
          f"subgraph {sub:.3f} s/node -> speed-up {whole / sub:.0f}x")


if __name__ == "__main__":
    main()
