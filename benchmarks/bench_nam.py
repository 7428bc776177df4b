"""Speed of NAM on real Cora (issue 4): all-targets closed form vs looping autograd, and the perturbation run.

Run: ``python benchmarks/bench_nam.py [--autograd-sample 200]`` (set ``OMP_NUM_THREADS`` as you like).
Prints seconds and the speed-up; the autograd loop is timed on a sample of targets and scaled to all nodes.
"""

from __future__ import annotations

import argparse
import time

import torch

from gnnexplain.experiments.nam import load_graphs, train_gcns
from gnnexplain.explain.nam import nam_autograd, nam_contributions
from gnnexplain.metrics import perturbation_experiment


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--autograd-sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    graphs = load_graphs(["Cora"])["graphs"]
    data = graphs["Cora"][1]
    model = train_gcns(graphs, seed=args.seed)["models"]["Cora"]
    n = data.num_nodes
    closed = best_of(lambda: nam_contributions(model, data.x, data.edge_index))
    with torch.no_grad():
        pred = model(data.x, data.edge_index).argmax(-1)
    sample = torch.randperm(n, generator=torch.Generator().manual_seed(args.seed))[:args.autograd_sample]
    start = time.perf_counter()
    for a in sample.tolist():
        nam_autograd(model, data.x, data.edge_index, a, int(pred[a]))
    loop = (time.perf_counter() - start) / sample.numel() * n
    print(f"threads={torch.get_num_threads()}  Cora N={n}")
    print(f"NAM closed form, all {n} targets: {closed:.3f} s")
    print(f"autograd loop, all {n} targets (from {sample.numel()} timed): {loop:.1f} s"
          f"  -> speed-up {loop / closed:.0f}x")
    test = data.test_mask.nonzero().view(-1)
    nam = nam_contributions(model, data.x, data.edge_index, index=test, target=data.y[test])
    start = time.perf_counter()
    result = perturbation_experiment(model, data, test, {"nam": nam}, random_seeds=range(5), progress=False)
    print(f"perturbation, {test.numel()} test nodes, NAM + 5 random seeds, 11 percentages: "
          f"{time.perf_counter() - start:.1f} s; AUC {result.auc}")


if __name__ == "__main__":
    main()
