"""Benchmark notebook 01's hot paths: DGCNN training epochs (sparse mini-batches collated every step against
dense tensors computed once) and Grad-CAM + Algorithm 1 for all graphs in one batched pass.

Usage (from the repository root):
    PYTHONPATH=lib OMP_NUM_THREADS=1 python benchmarks/dgcnn_speed.py [--per-class 250] [--p 100] [--epochs 5]

Uses the notebook's generator, features and DGCNN (k = 85) with an untrained model (timing does not depend
on the weights) and prints seconds per epoch and milliseconds per explained graph.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch_geometric.data import Batch

from gnnexplain.data import brain_graphs, brain_networks
from gnnexplain.experiments.dgcnn_gradcam import explain_graphs, gradcam_explainer
from gnnexplain.models import DGCNN, TrainConfig, dense_graphs, train_dense_graph_classifier, train_graph_classifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=250)
    parser.add_argument("--p", type=float, default=100)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    graphs = brain_graphs(brain_networks(args.per_class, seed=0), args.p)
    n_train, n_val = int(0.8 * len(graphs)), int(0.1 * len(graphs))
    index = torch.arange(len(graphs))
    train, val, test = index[:n_train], index[n_train:n_train + n_val], index[n_train + n_val:]
    config = TrainConfig(epochs=args.epochs, lr=1e-3, weight_decay=0.0, patience=None, batch_size=25)
    print(f"{len(graphs)} graphs, p = {args.p}%, {graphs[0].num_edges} directed edges in graph 0, "
          f"{args.threads} thread(s), batch 25")

    def build():
        torch.manual_seed(0)
        return DGCNN(graphs[0].num_features, 2, k=85)

    start = time.perf_counter()
    train_graph_classifier(build(), [graphs[i] for i in train], [graphs[i] for i in val], [graphs[i] for i in test],
                           config=config, progress=False)
    sparse = (time.perf_counter() - start) / args.epochs
    start = time.perf_counter()
    batch = Batch.from_data_list(graphs)
    dense = (*dense_graphs(batch.x, batch.edge_index, batch.batch), batch.y)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    model = build()
    train_dense_graph_classifier(model, *dense, train, val, test, config=config, progress=False)
    dense_epoch = (time.perf_counter() - start) / args.epochs
    print(f"training epoch: sparse {sparse:.3f} s, dense {dense_epoch:.3f} s ({sparse / dense_epoch:.1f}x; "
          f"dense tensors built once in {setup:.2f} s)")
    start = time.perf_counter()
    explain_graphs(gradcam_explainer(model), graphs)  # H, node groups and the frequency matrix of every graph
    print(f"Grad-CAM + Algorithm 1, all {len(graphs)} graphs in one batched pass: "
          f"{1000 * (time.perf_counter() - start) / len(graphs):.2f} ms per graph")


if __name__ == "__main__":
    main()
