"""Benchmark notebook 06's speed targets: ``run_benchmark`` in QUICK mode within 4 minutes, full mode within 30 minutes
on 2 CPU cores (issue 24; docs/06_benchmark.md).

Usage (from the repository root):
    PYTHONPATH=lib GNNEXPLAIN_DATA_DIR=<cache> OMP_NUM_THREADS=1 \
        python benchmarks/benchmark_speed.py [--full] [--seeds 0 1 2] [--threads 1] [--cold]

Runs every registered method on every registered dataset and the control run of notebooks 04 and 05's models
(``control_run``), as notebook 06 does, and prints the wall time of the whole run, of each dataset (model training
included, which the checkpoint cache skips on a second run: pass ``--cold`` to train into an empty cache) and of the
control run, and the seconds per explained instance of each method. Full mode by default runs three seeds; QUICK one.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

import torch

from gnnexplain.experiments.benchmark import DATASETS, EXPLAINERS, control_run, run_benchmark

QUICK_TARGET_S, FULL_TARGET_S = 4 * 60.0, 30 * 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="full settings (default: QUICK)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="default: 0 (QUICK) or 0 1 2 (full)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the machine has 2 cores)")
    parser.add_argument("--cold", action="store_true", help="train every model into an empty checkpoint cache")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    seeds = args.seeds or ([0, 1, 2] if args.full else [0])
    if args.cold:
        os.environ["GNNEXPLAIN_DATA_DIR"] = tempfile.mkdtemp(prefix="benchmark-speed-")
    quick = not args.full
    per_dataset, start = {}, time.perf_counter()
    results = {}
    for name in DATASETS:
        t0 = time.perf_counter()
        results[name] = run_benchmark(list(EXPLAINERS), [name], seeds, quick=quick)
        per_dataset[name] = time.perf_counter() - t0
    t0 = time.perf_counter()
    control_run(seeds, quick=quick)
    control_seconds = time.perf_counter() - t0
    total = time.perf_counter() - start
    target = QUICK_TARGET_S if quick else FULL_TARGET_S
    print(f"run_benchmark ({'QUICK' if quick else 'full'}, seeds {seeds}, {args.threads} thread(s), "
          f"{'cold' if args.cold else 'warm'} checkpoint cache)")
    for name, seconds in per_dataset.items():
        cells = results[name].seconds_per_instance[name]
        timing = ", ".join(f"{m} {c['mean']:.3f}" for m, c in cells.items() if "mean" in c)
        print(f"  {name:<13} {seconds:7.1f} s   s/instance: {timing}")
    print(f"  {'control run':<13} {control_seconds:7.1f} s   (notebooks 04 and 05's models)")
    print(f"total {total:.1f} s (target <= {target:.0f} s: {'met' if total <= target else 'MISSED'}); "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
