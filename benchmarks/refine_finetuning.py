"""Choose ReFine's fine-tuning setting on BA-3motif validation graphs (the choice behind ``RefineSetup``).

Usage (from the repository root):
    PYTHONPATH=lib GNNEXPLAIN_DATA_MIRROR=<raw mirror> OMP_NUM_THREADS=1 \
        python benchmarks/refine_finetuning.py [--graphs 3000] [--explained 50] [--seed 0]

Builds BA-3motif and its target model as notebook 04 does (full size; cached by ``load_or_train``),
pre-trains ReFine (paper mode) once, then fine-tunes it on the first ``--explained`` correctly predicted
*validation* graphs with each candidate setting (selection x learning rate, 20 steps, separately at every ρ)
and prints ACC-AUC and seconds per graph and ρ. The test graphs of the notebook's Table 2 are not touched.
"""

from __future__ import annotations

import argparse
import itertools
import time

import torch

from gnnexplain.data import make_ba3motif, split_ba3motif
from gnnexplain.explain import ReFine, correct_predictions
from gnnexplain.metrics import RATIOS, acc_at_ratios, acc_auc
from gnnexplain.models import BA3MotifNet, TrainConfig, load_or_train, train_graph_classifier

SELECTIONS = ("sample", "topk")
LEARNING_RATES = (1e-4, 2e-4, 1e-3, 3e-3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", type=int, default=3000)
    parser.add_argument("--explained", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    split = dict(zip(("train", "val", "test"), split_ba3motif(make_ba3motif(args.graphs, seed=args.seed))))
    config = TrainConfig(epochs=100, lr=1e-3, weight_decay=0.0, patience=None, batch_size=128)  # notebook 04
    model, _ = load_or_train(BA3MotifNet, lambda m: train_graph_classifier(m, split["train"], split["val"],
                                                                            split["test"], config=config,
                                                                            seed=args.seed, progress=False),
                             name="refine-ba3", key={"n": args.graphs, **config.as_dict()}, seed=args.seed)
    val = correct_predictions(model, split["val"])
    graphs, fit_val = val[:args.explained], val[args.explained:]
    targets = torch.cat([g.y.view(1) for g in graphs])
    refine = ReFine(graphs[0].x.size(1), 3, hidden=50, ratio=0.4, seed=args.seed)
    refine.fit(model, split["train"], fit_val, epochs=25, lr=1e-4)
    print(f"{len(graphs)} validation graphs; no fine-tuning (ReFine-FT): ACC-AUC "
          f"{acc_auc(acc_at_ratios(model, graphs, refine.attribute(graphs, targets), target=targets)):.3f}")
    for selection, lr in itertools.product(SELECTIONS, LEARNING_RATES):
        start = time.perf_counter()
        masks = [[refine.fine_tuned(model, g.x, g.edge_index, int(g.y), ratio, lr=lr, selection=selection)
                  for g in graphs] for ratio in RATIOS]
        seconds = (time.perf_counter() - start) / (len(graphs) * len(RATIOS))
        score = acc_auc(acc_at_ratios(model, graphs, masks, target=targets))
        print(f"selection {selection:6s} lr {lr:.0e}: ACC-AUC {score:.3f} ({seconds:.3f} s per graph and ρ)")


if __name__ == "__main__":
    main()
