"""Notebook 01's experiment (Palcu et al. 2019): Grad-CAM importance frequencies of DGCNN cross-validation
models on the generated brain networks, scored against the planted nodes (docs/01_dgcnn_gradcam.md §1.4–1.6),
for one generated dataset and across generator seeds."""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Batch
from torch_geometric.explain import Explanation
from torch_geometric.explain.config import ExplanationType

from gnnexplain.core.masks import SafeExplainer
from gnnexplain.data import brain_graphs, brain_networks, oracle_scores
from gnnexplain.experiments.common import explain_and_time, mean_std
from gnnexplain.explain.gradcam import GradCAM, class_frequency, importance_frequency
from gnnexplain.metrics import node_auroc, precision_at_k
from gnnexplain.metrics.sanity import model_randomization_test, randomized_copy, sanity_summary
from gnnexplain.models import DGCNN, TrainConfig, cross_validate, stratified_folds


def frequency_scores(c1: Tensor, c2: Tensor, high_bin: int = 6) -> dict[str, Tensor]:
    """Per-node scores from the class-wise frequency matrices, for ground-truth scoring
    (docs/01_dgcnn_gradcam.md §1.6).

    With bin centres ``h_b = b / (bins - 1)`` and coverage-normalised rows ``N_s = C_s / sum_b C_s`` (so a
    node covered by fewer conv positions is not penalised; uncovered rows stay zero):

    * ``"mean_difference"``: ``|sum_b h_b (N_1 - N_2)[:, b]|``, how much the node's mean importance differs
      between the states (the paper's heatmap reading, free of coverage bias: 0 for H = 1 everywhere);
    * ``"difference"``: ``|sum_b h_b (C_1 - C_2)[:, b]|``, the same on raw counts (coverage differences
      between the states, i.e. the sort order alone, also score here);
    * ``"high"``: ``sum_{b >= high_bin} (C_1 + C_2)[:, b]``, the high-importance mass;
    * ``"high_normalized"``: ``sum_{b >= high_bin} (N_1 + N_2)[:, b]``.

    Args:
        c1, c2: ``[n, bins]`` class-wise matrices (State1, State2) from :func:`class_frequency`.
        high_bin: first bin counted as "high importance" (6, i.e. H >= 0.6).
    Returns:
        dict of FloatTensors ``[n]``, >= 0, larger = more important.
    Raises:
        ValueError: if the shapes differ.
    """
    if c1.shape != c2.shape or c1.dim() != 2:
        raise ValueError(f"c1 {tuple(c1.shape)} and c2 {tuple(c2.shape)} must both be [n, bins]")
    c1, c2 = c1.float(), c2.float()
    centre = torch.arange(c1.size(1), dtype=c1.dtype) / (c1.size(1) - 1)
    n1, n2 = (c / c.sum(1, keepdim=True).clamp_min(1e-12) for c in (c1, c2))
    return {"mean_difference": ((n1 - n2) * centre).sum(1).abs(),
            "difference": ((c1 - c2) * centre).sum(1).abs(),
            "high": (c1 + c2)[:, high_bin:].sum(1),
            "high_normalized": (n1 + n2)[:, high_bin:].sum(1)}


def gradcam_explainer(model: torch.nn.Module, *, explanation_type: str = "phenomenon",
                      normalize: str = "max") -> SafeExplainer:
    """A :class:`SafeExplainer` running :class:`GradCAM` on a graph classifier that returns logits.

    Args:
        model: e.g. :class:`gnnexplain.models.dgcnn.DGCNN`.
        explanation_type: ``"phenomenon"`` (explain a given target class, e.g. the true class, as the paper
            does) or ``"model"`` (explain the predicted class).
        normalize: see :func:`gradcam_map`.
    Raises:
        ValueError: for an unknown ``explanation_type`` or ``normalize``.
    """
    if explanation_type not in ("phenomenon", "model"):
        raise ValueError(f"explanation_type={explanation_type!r}; allowed: phenomenon, model")
    return SafeExplainer(model, GradCAM(normalize), explanation_type=explanation_type, node_mask_type="object",
                         edge_mask_type=None, model_config=dict(mode="multiclass_classification",
                                                                task_level="graph", return_type="raw"))


def explain_graphs(explainer: SafeExplainer, graphs) -> Explanation:
    """Explain a list of graphs in one batched pass (target: each graph's true class ``y`` for
    ``"phenomenon"`` explainers, the prediction for ``"model"`` ones).

    Args:
        explainer: from :func:`gradcam_explainer`.
        graphs: a non-empty sequence of PyG ``Data`` with ``x``, ``edge_index`` and ``y [1]``.
    Returns:
        The batch's ``Explanation`` (see :class:`GradCAM`) with ``batch [N]`` and ``y [B]``.
    Raises:
        ValueError: if ``graphs`` is empty.
    """
    if len(graphs) == 0:
        raise ValueError("graphs must hold at least one graph")
    batch = Batch.from_data_list(list(graphs))
    target = batch.y if explainer.explanation_type == ExplanationType.phenomenon else None
    explanation = explainer(batch.x, batch.edge_index, target=target, batch=batch.batch)
    explanation.y = batch.y
    return explanation


def explain_folds(folds: list[dict], graphs, *, explanation_type: str = "phenomenon",
                  normalize: str = "max") -> dict:
    """Grad-CAM for every graph with the cross-validation model that did not train on it
    (docs/01_dgcnn_gradcam.md §1.4).

    Each fold's test graphs are explained in one batched pass; outputs are returned in the order of
    ``graphs``. All graphs must have the same number of nodes n (node identity is shared across graphs).

    Args:
        folds: from :func:`gnnexplain.models.cross_validate` (``model`` and ``test_index`` per fold).
        graphs: the PyG ``Data`` list the folds index. explanation_type, normalize: see
            :func:`gradcam_explainer`.
    Returns:
        dict: ``cam [G, L]``, ``groups [G, L, 2*K2]``, ``perm [G, k]``, ``frequency [G, n, 11]``,
        ``node_mask [G, n]`` (see :class:`GradCAM`), ``y [G]``, ``pred [G]``, ``seconds_per_graph``
        (wall time of the explanations divided by G).
    Raises:
        ValueError: if the graphs differ in size or the folds do not cover every graph exactly once.
    """
    sizes = {g.num_nodes for g in graphs}
    if len(sizes) != 1:
        raise ValueError(f"explain_folds needs graphs of one size, got sizes {sorted(sizes)}")
    covered = torch.cat([f["test_index"] for f in folds])
    if covered.numel() != len(graphs) or torch.unique(covered).numel() != len(graphs):
        raise ValueError("folds must cover every graph exactly once")
    n = sizes.pop()
    parts, seconds = [], 0.0
    for fold in folds:
        explainer = gradcam_explainer(fold["model"], explanation_type=explanation_type, normalize=normalize)
        fold_graphs = [graphs[i] for i in fold["test_index"].tolist()]
        (explanation,), per_graph = explain_and_time(lambda **kw: explain_graphs(explainer, **kw),
                                                     [dict(graphs=fold_graphs)], num_instances=len(fold_graphs))
        parts.append(explanation)
        seconds += per_graph * len(fold_graphs)
    seconds /= len(graphs)
    order = torch.argsort(covered)  # back to the order of `graphs`
    out = {name: torch.cat([e[name] for e in parts])[order] for name in ("cam", "groups", "perm", "frequency", "y")}
    out["node_mask"] = torch.cat([e.node_mask.view(-1, n) for e in parts])[order]
    out["pred"] = torch.cat([e.logits.argmax(-1) for e in parts])[order]
    out["seconds_per_graph"] = seconds
    return out


def empty_cam_share(model: torch.nn.Module, graphs) -> float:
    """Share of ``graphs`` whose Grad-CAM H (target: the true class) is zero at every conv position.

    Eq. 4's ReLU zeroes H wherever the gradient-weighted sum of the conv2 maps is negative; an H zero everywhere
    gives every node the same (zero) mask, which ranks nothing (docs/01_dgcnn_gradcam.md §1.3; docs/metrics.md,
    "Sanity checks").

    Args:
        model: a DGCNN (trained or re-initialised). graphs: a non-empty sequence of ``Data`` with ``y [1]``.
    Returns:
        float in [0, 1].
    Raises:
        ValueError: if ``graphs`` is empty.
    """
    cam = explain_graphs(gradcam_explainer(model), graphs).cam
    return float((cam.amax(1) == 0).float().mean())


def sanity_table(folds: dict, graphs: dict, *, n_graphs: int, seeds: Sequence[int] = (0, 1)) -> dict:
    """Adebayo et al.'s model-parameter randomisation test of Grad-CAM at every sparsification level
    (:mod:`gnnexplain.metrics.sanity` and its rule, ``SANITY_RULE``).

    At each level p, fold 0's model explains the first ``n_graphs`` of its test graphs (target: the true class),
    and so does the same DGCNN with every layer re-initialised (``randomized_copy``, seed ``seeds[0]``).

    Args:
        folds: ``{p: [fold dicts]}`` of :func:`cross_validate_levels`. graphs: ``{p: [Data]}`` the folds index.
        n_graphs: test graphs per level, >= 1. seeds: at least two distinct explanation seeds.
    Returns:
        ``{"sanity": {"Grad-CAM": summary over the graphs of every level}, "sanity_by_p": {p: summary}}``, each
        summary ``{"rho_randomized_model", "rho_seeds", "passes", "n", "n_undefined"}``
        (:func:`gnnexplain.metrics.sanity.sanity_summary`; ρ in [-1, 1] or NaN); the per-level ones also hold
        ``"empty_cam_trained"`` and ``"empty_cam_randomized"``, the :func:`empty_cam_share` of the two models.
    Raises:
        ValueError: for ``n_graphs < 1`` or bad seeds.
    """
    if n_graphs < 1:
        raise ValueError(f"n_graphs={n_graphs} must be >= 1")
    by_p, every = {}, []
    for p, level_folds in folds.items():
        model = level_folds[0]["model"]
        chosen = [graphs[p][i] for i in level_folds[0]["test_index"][:n_graphs].tolist()]
        explainer = gradcam_explainer(model)
        tests = [model_randomization_test(explainer, dict(x=g.x, edge_index=g.edge_index, target=g.y,
                                                          batch=torch.zeros(g.num_nodes, dtype=torch.long)),
                                          seeds=seeds) for g in chosen]
        every += tests
        by_p[p] = {**sanity_summary(tests), "empty_cam_trained": empty_cam_share(model, chosen),
                   "empty_cam_randomized": empty_cam_share(randomized_copy(model, seed=seeds[0]), chosen)}
    return {"sanity": {"Grad-CAM": sanity_summary(every)}, "sanity_by_p": by_p}


def planted_node_scores(explained: dict, truth: Tensor) -> dict:
    """AUROC of every per-node frequency score against the planted nodes, with its position-only control.

    The control runs the same pipeline with H ≡ 1 (only the sort order and the coverage of the conv positions
    count), so a score that finds the planted nodes only through the sort order scores as well there.

    Args:
        explained: output of :func:`explain_folds` (``cam``, ``groups``, ``frequency``, ``y``,
            ``pred``). truth: BoolTensor ``[n]``, True for planted nodes.
    Returns:
        ``{"auroc": {score: float}, "control": {score: float}, "precision": float}`` with the scores of
        :func:`frequency_scores`; AUROCs in [0, 1]; ``precision`` is Precision@|S| of the
        headline score ``"mean_difference"``.
    Raises:
        ValueError: if ``truth`` does not have one entry per node or holds a single class.
    """
    num_nodes = explained["frequency"].size(1)
    if truth.numel() != num_nodes:
        raise ValueError(f"truth has {truth.numel()} entries for {num_nodes} nodes")
    y, pred = explained["y"], explained["pred"]
    ones = importance_frequency(torch.ones_like(explained["cam"]), explained["groups"], num_nodes)
    scores = frequency_scores(*[class_frequency(explained["frequency"], y, pred, s) for s in (0, 1)])
    control = frequency_scores(*[class_frequency(ones, y, pred, s) for s in (0, 1)])
    return {"auroc": {name: node_auroc(s, truth) for name, s in scores.items()},
            "control": {name: node_auroc(s, truth) for name, s in control.items()},
            "precision": precision_at_k(scores["mean_difference"], truth)}


def generator_seed_study(p: float, seeds: Sequence[int], *, n_per_class: int, n_folds: int, config, k: int,
                         progress: bool = False) -> dict[int, dict]:
    """The whole notebook-01 pipeline at one sparsification level for several generator seeds.

    For each seed: generate the brain networks (a new planted set S), sparsify at ``p``, cross-validate a DGCNN
    (seeded with the same seed, models cached), explain every graph with its held-out fold's model and score
    against S (:func:`planted_node_scores`), with the data oracle as a reference.

    Args:
        p: sparsification level in [0, 100]. seeds: generator (and training) seeds, at least one.
        n_per_class, n_folds: graphs per state and cross-validation folds. config: ``TrainConfig``.
        k: SortPooling size. progress: tqdm bars while training.
    Returns:
        ``{seed: {"accuracy": mean fold test accuracy, "oracle": AUROC, "auroc", "control", "precision"}}``.
    Raises:
        ValueError: if ``seeds`` is empty (and the errors of the generator, sparsification and training).
    """
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed")
    out = {}
    for seed in seeds:
        networks = brain_networks(n_per_class, seed=seed)
        graphs = brain_graphs(networks, p)
        cv = cross_validate(lambda: DGCNN(graphs[0].num_features, 2, k=k), graphs,
                            stratified_folds(networks.y, n_folds, seed=seed), config=config, name=f"dgcnn-brain-p{p}",
                            key={"data": networks.params, "p": p, "features": "dEWD20+id"}, seed=seed,
                            progress=progress)
        out[seed] = {"accuracy": float(np.mean([f["test_acc"] for f in cv])),
                     "oracle": node_auroc(oracle_scores(networks), networks.ground_truth),
                     **planted_node_scores(explain_folds(cv, graphs), networks.ground_truth)}
    return out


LEVELS = (100, 70, 50, 30, 10)
"""Sparsification percentages p of the paper (Palcu et al. 2019, §4.2), densest first."""

PAPER_ACCURACY = {100: 97.9, 70: 98.5, 50: 97.3, 30: 92.9, 10: 90.3}
"""Mean 10-fold CV accuracy (%) per sparsification level p, the paper's Table 1."""

SCORE_NAMES = {"mean_difference": "mean difference", "difference": "raw difference", "high": "high mass",
               "high_normalized": "high mass (normalised)"}
"""Display label of each score of :func:`frequency_scores`, headline first (docs/01_dgcnn_gradcam.md §1.6)."""


def level_training(*, quick: bool) -> dict[int, TrainConfig]:
    """The DGCNN training settings per sparsification level (docs/01_dgcnn_gradcam.md §1.4; our choices where the
    paper is silent).

    Adam with lr 1e-3, no weight decay, at most the paper's 50 epochs for p >= 50% and 100 for p <= 30% (quick:
    25 / 35), batches of 25 graphs (quick: 10, so that few graphs still give several steps) and, in full mode,
    early stopping after 10 epochs without a lower validation loss (quick: none).

    Args:
        quick: the reduced settings of the notebook's quick mode.
    Returns:
        ``{p: TrainConfig}`` for every p of :data:`LEVELS`.
    """
    def epochs(p):
        if p >= 50:
            return 25 if quick else 50
        return 35 if quick else 100

    return {p: TrainConfig(epochs=epochs(p), lr=1e-3, weight_decay=0.0, patience=None if quick else 10,
                           batch_size=10 if quick else 25) for p in LEVELS}


def fold_accuracy(folds: Sequence[dict]) -> dict:
    """Mean and sample std (ddof = 1) of the test accuracies of cross-validation folds, in float32.

    Computed by torch on a float32 tensor, as the notebook always has (float64 would change the last digits of
    the published results); over generator seeds, :func:`seed_study_summary` uses
    :func:`gnnexplain.experiments.common.mean_std`.

    Args:
        folds: from :func:`gnnexplain.models.cross_validate`, at least two, each with ``test_acc`` in [0, 1].
    Returns:
        ``{"mean", "std", "n"}``, accuracies as fractions in [0, 1].
    Raises:
        ValueError: for fewer than two folds.
    """
    if len(folds) < 2:
        raise ValueError(f"fold_accuracy needs at least two folds, got {len(folds)}")
    accuracy = torch.tensor([f["test_acc"] for f in folds])
    return {"mean": float(accuracy.mean()), "std": float(accuracy.std()), "n": len(folds)}


def cross_validate_levels(networks, graphs: dict, folds: Tensor, *, configs: dict, k: int, seed: int = 0) -> dict:
    """Cross-validate a DGCNN at every sparsification level on the same folds, timed (docs/01_dgcnn_gradcam.md §1.4).

    Models are cached per level and fold (:func:`gnnexplain.models.cross_validate`, name ``dgcnn-brain-p<p>``).

    Args:
        networks: the generated :func:`gnnexplain.data.brain_networks` (its ``params`` key the cache).
        graphs: ``{p: [Data]}`` from :func:`gnnexplain.data.brain_graphs`. folds: fold ids ``[G]``.
        configs: ``{p: TrainConfig}`` (:func:`level_training`). k: SortPooling size. seed: training seed.
    Returns:
        ``{"folds": {p: [fold dicts]}, "seconds": {p: wall time of training or loading, s}}``.
    Raises:
        KeyError: if ``configs`` lacks a level of ``graphs``.
    """
    out = {"folds": {}, "seconds": {}}
    for p, level_graphs in graphs.items():
        start = time.perf_counter()
        build = lambda n=level_graphs[0].num_features: DGCNN(n, 2, k=k)  # noqa: E731
        out["folds"][p] = cross_validate(build, level_graphs, folds, config=configs[p], name=f"dgcnn-brain-p{p}",
                                         key={"data": networks.params, "p": p, "features": "dEWD20+id"}, seed=seed)
        out["seconds"][p] = time.perf_counter() - start
    return out


def random_auroc(truth: Tensor, draws: int, *, seed: int = 0) -> float:
    """Mean AUROC of uniformly random node scores against the planted nodes: the chance level (≈ 0.5).

    Args:
        truth: BoolTensor ``[n]`` with both classes. draws: number of random score vectors, >= 1.
        seed: seeds the generator of the draws.
    Returns:
        Mean AUROC in [0, 1] (float32 mean, as torch computes it).
    Raises:
        ValueError: for ``draws < 1`` (and the errors of :func:`gnnexplain.metrics.node_auroc`).
    """
    if draws < 1:
        raise ValueError(f"draws={draws} must be >= 1")
    generator = torch.Generator().manual_seed(seed)
    return float(torch.tensor([node_auroc(torch.rand(truth.numel(), generator=generator), truth)
                               for _ in range(draws)]).mean())


def ground_truth_table(scored: dict, *, random: float, oracle: float):
    """The planted-node table of notebook 01: AUROC of every score and of its position-only control per level,
    Precision@|S| of the headline score, the random and oracle references (docs/01_dgcnn_gradcam.md §1.6).

    Args:
        scored: ``{p: planted_node_scores(...)}``. random, oracle: AUROCs of :func:`random_auroc` and of the
            data oracle.
    Returns:
        ``pandas.DataFrame`` indexed by p (``"p (%)"``), one column per score and control (labels of
        :data:`SCORE_NAMES`), then ``"Precision@8 (mean difference)"``, ``"random"``, ``"data oracle"``.
    """
    import pandas as pd

    table = pd.DataFrame({f"Grad-CAM: {label}": {p: s["auroc"][name] for p, s in scored.items()}
                          for name, label in SCORE_NAMES.items()})
    for name, label in SCORE_NAMES.items():
        table[f"position-only (H≡1): {label}"] = {p: s["control"][name] for p, s in scored.items()}
    table["Precision@8 (mean difference)"] = {p: s["precision"] for p, s in scored.items()}
    table["random"] = random
    table["data oracle"] = oracle
    return table.rename_axis("p (%)")


SEED_STUDY_COLUMNS = {"CV accuracy": ("accuracy",), "AUROC (mean difference)": ("auroc", "mean_difference"),
                      "position-only control": ("control", "mean_difference"), "Precision@8": ("precision",),
                      "data oracle": ("oracle",)}
"""Columns of the generator-seed study and where each is read in a :func:`generator_seed_study` record."""


def _study_value(record: dict, path: tuple) -> float:
    for key in path:
        record = record[key]
    return record


def seed_study_table(study: dict):
    """One row per generator seed of :func:`generator_seed_study`, columns :data:`SEED_STUDY_COLUMNS`.

    Returns:
        ``pandas.DataFrame`` indexed by ``"generator seed"``.
    """
    import pandas as pd

    return pd.DataFrame({seed: {column: _study_value(record, path) for column, path in SEED_STUDY_COLUMNS.items()}
                         for seed, record in study.items()}).T.rename_axis("generator seed")


def seed_study_summary(study: dict) -> dict:
    """Mean and population std (ddof = 0) over generator seeds of each column of :func:`seed_study_table`.

    Returns:
        ``{"mean": {column: float}, "std": {column: float}, "n_seeds": int}``
        (:func:`gnnexplain.experiments.common.mean_std` per column).
    Raises:
        ValueError: if ``study`` is empty.
    """
    stats = {column: mean_std([_study_value(r, path) for r in study.values()])
             for column, path in SEED_STUDY_COLUMNS.items()}
    return {"mean": {c: s["mean"] for c, s in stats.items()}, "std": {c: s["std"] for c, s in stats.items()},
            "n_seeds": len(study)}


def accuracy_results(accuracy: dict) -> dict:
    """The accuracy part of notebook 01's results JSON, next to the paper's Table 1.

    Args:
        accuracy: ``{p: fold_accuracy(...)}``.
    Returns:
        ``{"accuracy_by_p": {p: mean}, "accuracy_std_by_p": {p: std}, "paper_accuracy_by_p": {p: fraction}}``,
        accuracies as fractions in [0, 1] (the paper's from :data:`PAPER_ACCURACY`, labelled as the paper's).
    """
    return {"accuracy_by_p": {p: a["mean"] for p, a in accuracy.items()},
            "accuracy_std_by_p": {p: a["std"] for p, a in accuracy.items()},
            "paper_accuracy_by_p": {p: a / 100 for p, a in PAPER_ACCURACY.items()}}


def ground_truth_results(scored: dict) -> dict:
    """The planted-node part of notebook 01's results JSON (docs/01_dgcnn_gradcam.md §1.6).

    Args:
        scored: ``{p: planted_node_scores(...)}``.
    Returns:
        ``gt_auroc_by_p`` and ``position_control_auroc_by_p`` (the headline score ``"mean_difference"`` and its
        position-only control per p), ``gt_auroc_all_scores_by_p`` and ``position_control_all_scores_by_p``
        (every score of :func:`frequency_scores`) and ``precision_at_8_by_p``; AUROCs and precisions in [0, 1].
    """
    return {"gt_auroc_by_p": {p: s["auroc"]["mean_difference"] for p, s in scored.items()},
            "gt_auroc_all_scores_by_p": {p: s["auroc"] for p, s in scored.items()},
            "position_control_auroc_by_p": {p: s["control"]["mean_difference"] for p, s in scored.items()},
            "position_control_all_scores_by_p": {p: s["control"] for p, s in scored.items()},
            "precision_at_8_by_p": {p: s["precision"] for p, s in scored.items()}}
