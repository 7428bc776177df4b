"""Benchmark notebook 05's speed targets: GNNExplainer under 1 s per node, XGNN training under 2 min per class.

Usage (from the repository root):
    PYTHONPATH=lib GNNEXPLAIN_DATA_MIRROR=<raw mirror> OMP_NUM_THREADS=1 \
        python benchmarks/gnnexplainer_xgnn_speed.py [--nodes 30] [--single 10] [--threads 1]

GNNExplainer (the notebook's ``SubgraphGNNExplainer``, 300 epochs) and Saliency explain the first ``--nodes``
explained nodes of each benchmark in one call, as the notebook's table does (GNNExplainer optimises them as one
batch), and the first ``--single`` of them one call per node, as the notebook's explorer does for a node picked on
demand. Their cost does not depend on the weights (a fixed number of epochs), so the node classifier is untrained.
XGNN is trained with the notebook's full-mode settings (``notebook_settings(quick=False)``: 50 episodes of 30 steps,
10 rollouts, node budget 6) for both classes of a GCN on real MUTAG and on Is_Acyclic; its cost does depend on the
model explained (which edits are kept), so those models are trained first (MUTAG 100 epochs, Is_Acyclic 40).
Prints seconds per node, seconds per class and the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import time

import torch
from gnnexplain.data import (
    BENCHMARKS,
    explained_nodes,
    load_dataset,
    make_benchmark,
    make_is_acyclic,
    split_graphs,
)
from gnnexplain.experiments.gnnexplainer_xgnn import (
    explain_edges,
    notebook_settings,
    table1_explainer,
    xgnn_generator,
)
from gnnexplain.models import ConcatGNN, GraphGCN, TrainConfig, train_graph_classifier

GNNEXPLAINER_TARGET_S, XGNN_TARGET_S = 1.0, 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=30, help="explained nodes per benchmark (notebook: 30)")
    parser.add_argument("--single", type=int, default=10, help="of those, nodes explained one call each")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{args.threads} thread(s); targets: GNNExplainer < {GNNEXPLAINER_TARGET_S:.0f} s per node, "
          f"XGNN < {XGNN_TARGET_S:.0f} s per class")
    for name in BENCHMARKS:
        data = make_benchmark(name, seed=0)
        torch.manual_seed(0)
        model = ConcatGNN(data.num_features, int(data.y.max()) + 1, conv="gcn").eval()
        nodes = explained_nodes(data)[:args.nodes]
        times = {}
        for method in ("GNNExplainer", "Saliency"):
            explainer = table1_explainer(model, method)
            single = [explain_edges(explainer, data, v.view(1))[1] for v in nodes[:args.single]]
            times[method] = (explain_edges(explainer, data, nodes)[1], sum(single) / len(single))
        print(f"{name:13s} " + "; ".join(f"{m} {batched:.3f} s per node ({nodes.numel()} in one call), {single:.3f} s "
                                         f"(one call each)" for m, (batched, single) in times.items()))

    settings = notebook_settings(quick=False, seed=0)
    setups = {"MUTAG": (load_dataset("MUTAG"), 7, 100), "Is_Acyclic": (make_is_acyclic(seed=0), 1, 40)}
    for name, (graphs, features, epochs) in setups.items():
        torch.manual_seed(0)
        model = GraphGCN(features, 2)
        report = train_graph_classifier(model, *split_graphs(graphs, seed=0), seed=0, progress=False,
                                        config=TrainConfig(epochs=epochs, lr=0.01, patience=None, batch_size=16))
        for c in (0, 1):
            start = time.perf_counter()
            xgnn_generator(name, settings).fit(model, c, max_node=settings.xgnn_budget,
                                               episodes=settings.xgnn_episodes, seed=0)
            print(f"XGNN on {name} (model test accuracy {report['test_acc']:.3f}), class {c}: "
                  f"{time.perf_counter() - start:.1f} s to train")
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20:.2f} GB")


if __name__ == "__main__":
    main()
