"""Benchmark BayesGrad and SmoothGrad: side by side with Captum's ``NoiseTunnel`` on one molecule, and one batched
pass over M copies against a loop of M single-sample passes.

Usage (from the repository root):
    PYTHONPATH=lib GNNEXPLAIN_DATA_MIRROR=<raw mirror> OMP_NUM_THREADS=1 \\
        python benchmarks/bayesgrad_speed.py [--samples 100] [--repeats 300] [--molecules 50] [--threads 1]

1. Captum: on one molecule (Tyrphostin 9, notebook 03's SR-MMP example, or ``--smiles``) and the same untrained
   model (timing does not depend on the weights), the workbook's full call (``SafeExplainer`` with a seed, as the
   notebook runs it) against ``NoiseTunnel(Saliency(f)).attribute(e, nt_type="smoothgrad", nt_samples=M,
   nt_samples_batch_size=M, stdevs=σ)`` on the same atom embedding, where ``f`` runs the M noisy copies through
   ``forward_from_embedding`` as one batch of M graphs. Median milliseconds over ``--repeats`` calls each.
   Ours twice: the model-type call (PyG first runs the model on the molecule for the prediction, one forward pass
   Captum does not make) and, like for like, the call with the target given (``explanation_type="phenomenon"``,
   the class the model-type call infers). BayesGrad draws a dropout mask per copy, which Captum's SmoothGrad does
   not; the same NoiseTunnel with the model's dropout modules switched on (``stdevs=0``, "Captum with dropout on")
   does BayesGrad's work, and BayesGrad is compared with both.
2. Loop: the first ``--molecules`` Tox21 molecules (0 skips this part), batched against M single-sample calls.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time

import torch
from captum.attr import NoiseTunnel, Saliency

from gnnexplain.data import graph_from_smiles, load_molecules
from gnnexplain.explain.bayesgrad import dropout_only
from gnnexplain.experiments.bayesgrad import SIGMA, TYRPHOSTIN, saliency_explainer, seconds_per_molecule
from gnnexplain.models import GGNN, NFP


def median_ms(calls: dict, repeats: int) -> dict:
    """Median wall time in milliseconds of each ``calls[name]()``, after 10 warm-up calls each. The calls take
    turns, so that load from other processes falls on all of them alike."""
    times = {name: [] for name in calls}
    for round_ in range(10 + repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            if round_ >= 10:
                times[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(values) for name, values in times.items()}


def captum_smoothgrad(model, graph, samples: int, sigma: float, mc_dropout: bool = False):
    """Captum's SmoothGrad with every sample in one batch, on the atom embedding of ``graph``; with ``mc_dropout``
    the model's dropout modules sample a mask per copy (and ``sigma`` is 0): BayesGrad's work done by Captum."""
    n, num_edges = graph.num_nodes, graph.edge_index.size(1)

    def copies_output(e):  # [k, N, H] noisy embeddings -> [k] raw outputs, one graph per copy
        k = e.size(0)
        offsets = torch.arange(k)
        edge_index = graph.edge_index.repeat(1, k) + (offsets * n).repeat_interleave(num_edges)
        return model.forward_from_embedding(e.reshape(k * n, -1), edge_index, graph.edge_type.repeat(k),
                                            offsets.repeat_interleave(n))[:, 0]

    tunnel = NoiseTunnel(Saliency(copies_output))

    def call():
        e = model.embed(graph.x).detach().unsqueeze(0)
        with dropout_only(model, mc_dropout):
            return tunnel.attribute(e, nt_type="smoothgrad", nt_samples=samples, nt_samples_batch_size=samples,
                                    stdevs=sigma)
    return call


def side_by_side(smiles: str, samples: int, repeats: int) -> None:
    graph = graph_from_smiles(smiles)[0]
    inputs = dict(x=graph.x, edge_index=graph.edge_index, edge_type=graph.edge_type, seed=0)
    print(f"Side by side with Captum NoiseTunnel (smoothgrad, nt_samples={samples}, nt_samples_batch_size={samples}) "
          f"on {graph.num_nodes} atoms, {repeats} repeats taking turns, median ms; speed = Captum's ms / ours "
          "(>= 1.00x: at least as fast):")
    for model_class in (GGNN, NFP):
        torch.manual_seed(0)
        model = model_class().eval()
        calls = {"Captum plain": captum_smoothgrad(model, graph, samples, SIGMA),
                 "Captum with dropout on": captum_smoothgrad(model, graph, samples, 0.0, mc_dropout=True)}
        for method, options in (("SmoothGrad", dict(sigma=SIGMA)), ("BayesGrad", {})):
            as_model = saliency_explainer(model, method, num_samples=samples, **options)
            given = saliency_explainer(model, method, explanation_type="phenomenon", num_samples=samples, **options)
            # The class PyG infers for the model-type call; Captum, like the target-given call, runs no forward
            # pass to find it.
            target = as_model.get_target(as_model.get_prediction(graph.x, graph.edge_index, edge_type=graph.edge_type))
            calls[f"{method}, model-type call"] = functools.partial(as_model, **inputs)
            calls[f"{method}, target given"] = functools.partial(given, target=target, **inputs)
        ms = median_ms(calls, repeats)
        print(f"  {model_class.__name__}: Captum plain {ms['Captum plain']:.2f} ms, Captum with dropout on "
              f"{ms['Captum with dropout on']:.2f} ms")
        for method, same_work in (("SmoothGrad", "Captum plain"), ("BayesGrad", "Captum with dropout on")):
            for call in ("model-type call", "target given"):
                ours = ms[f"{method}, {call}"]
                line = f"    ours: {method}, {call}: {ours:.2f} ms = {ms[same_work] / ours:.2f}x {same_work}"
                if same_work != "Captum plain":
                    line += f", {ms['Captum plain'] / ours:.2f}x Captum plain"
                print(line)


def batched_against_loop(num_molecules: int, samples: int) -> None:
    graphs = load_molecules("Tox21").graphs[:num_molecules]
    atoms = sum(g.num_nodes for g in graphs) / len(graphs)
    print(f"Batched against a loop: {len(graphs)} Tox21 molecules ({atoms:.1f} atoms on average), M = {samples}")
    for model_class in (GGNN, NFP):
        torch.manual_seed(0)
        model = model_class().eval()
        batched = 1000 * seconds_per_molecule(saliency_explainer(model, "BayesGrad", num_samples=samples), graphs)
        single = saliency_explainer(model, "BayesGrad", num_samples=1)
        looped = 1000 * seconds_per_molecule(single, graphs) * samples
        print(f"  {model_class.__name__}: batched {batched:.1f} ms/molecule, loop of {samples} passes "
              f"{looped:.1f} ms/molecule, speed-up {looped / batched:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--smiles", default=TYRPHOSTIN["Tyrphostin 9"])
    parser.add_argument("--molecules", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{args.threads} thread(s)")
    side_by_side(args.smiles, args.samples, args.repeats)
    if args.molecules > 0:
        batched_against_loop(args.molecules, args.samples)


if __name__ == "__main__":
    main()
