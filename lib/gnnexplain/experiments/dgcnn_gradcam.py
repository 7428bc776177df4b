"""Notebook 01's experiment (Palcu et al. 2019): Grad-CAM importance frequencies of DGCNN cross-validation
models on the generated brain networks, scored against the planted nodes (docs/01_dgcnn_gradcam.md §1.4–1.6),
for one generated dataset and across generator seeds."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Batch
from torch_geometric.explain import Explanation
from torch_geometric.explain.config import ExplanationType

from gnnexplain.core.masks import SafeExplainer
from gnnexplain.data import brain_graphs, brain_networks, oracle_scores
from gnnexplain.experiments.common import explain_and_time
from gnnexplain.explain.gradcam import GradCAM, class_frequency, importance_frequency
from gnnexplain.metrics import node_auroc, precision_at_k
from gnnexplain.models import DGCNN, cross_validate, stratified_folds


def frequency_scores(c1: Tensor, c2: Tensor, high_bin: int = 6) -> dict[str, Tensor]:
    """Per-node scores from the class-wise frequency matrices, for ground-truth scoring (docs/01_dgcnn_gradcam.md §1.6).

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
    """Grad-CAM for every graph with the cross-validation model that did not train on it (docs/01_dgcnn_gradcam.md §1.4).

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


