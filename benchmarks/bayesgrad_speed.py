"""Benchmark BayesGrad: one batched pass over M copies against a loop of M single-sample passes.

Usage (from the repository root):
    PYTHONPATH=lib GNNEXPLAIN_DATA_MIRROR=<raw mirror> OMP_NUM_THREADS=1 \
        python benchmarks/bayesgrad_speed.py [--molecules 50] [--samples 100] [--threads 1]

Explains the first ``--molecules`` Tox21 molecules with an untrained GGNNDrop (timing does not depend on
the weights), through ``SafeExplainer`` as the notebook does, and prints milliseconds per molecule.
"""

from __future__ import annotations

import argparse

import torch
from gnnexplain.data import load_molecules
from gnnexplain.experiments.bayesgrad import saliency_explainer, seconds_per_molecule
from gnnexplain.models import GGNN, NFP


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--molecules", type=int, default=50)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    graphs = load_molecules("Tox21").graphs[:args.molecules]
    atoms = sum(g.num_nodes for g in graphs) / len(graphs)
    print(f"{len(graphs)} Tox21 molecules ({atoms:.1f} atoms on average), M = {args.samples}, "
          f"{args.threads} thread(s)")
    for model_class in (GGNN, NFP):
        torch.manual_seed(0)
        model = model_class().eval()
        batched = 1000 * seconds_per_molecule(saliency_explainer(model, "BayesGrad", num_samples=args.samples), graphs)
        single = saliency_explainer(model, "BayesGrad", num_samples=1)
        looped = 1000 * seconds_per_molecule(single, graphs) * args.samples
        print(f"{model_class.__name__}: batched {batched:.1f} ms/molecule, loop of {args.samples} passes "
              f"{looped:.1f} ms/molecule, speed-up {looped / batched:.1f}x")


if __name__ == "__main__":
    main()
