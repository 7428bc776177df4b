"""Notebook 05's experiment: GNNExplainer's Table 1 (Ying et al., NeurIPS 2019) on the synthetic benchmarks, the
diagnostics of why GNNExplainer trails Saliency here, and XGNN (Yuan et al., KDD 2020) on MUTAG and Is_Acyclic.

Part 1, the explainers of Table 1: Att (GAT attention, PyG's ``AttentionExplainer``), Saliency (the paper's "Grad":
the gradient of the loss on the edge mask, Captum ``Saliency``), GNNExplainer
(:class:`~gnnexplain.explain.gnnexplainer.SubgraphGNNExplainer`: the authors' settings on the node's computation
subgraph) and PGExplainer (Luo et al., NeurIPS 2020), all run through :class:`SafeExplainer` and all returning an
edge mask ``[E]`` (no feature mask: the benchmarks' features carry no signal); their edge ROC-AUC (Table 1) under
both ground truths, and GNNExplainer's sensitivity to its settings (docs/05_gnnexplainer_xgnn.md §5.1).

Part 2, the diagnostics: flat soft masks, fidelity at the motif's size, the models' response to a uniform soft
mask, the settings grid against Saliency. Part 3, XGNN: the graph classifiers, one generator per class, the
generated graphs and the leaf shortcut of Is_Acyclic (docs/05_gnnexplainer_xgnn.md §5.2). Every number the notebook
writes to its results JSON is assembled by :func:`notebook_results`."""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor
from torch_geometric.explain.algorithm import (
    AttentionExplainer,
    CaptumExplainer,
    PGExplainer,
)

from gnnexplain.core.graph import subgraph_pairs
from gnnexplain.core.masks import SafeExplainer
from gnnexplain.data import (
    BENCHMARKS,
    IS_ACYCLIC_CLASSES,
    explained_nodes,
    load_dataset,
    make_benchmark,
    make_is_acyclic,
    split_graphs,
)
from gnnexplain.experiments.common import explain_and_time, mean_std
from gnnexplain.explain.gnnexplainer import GNNEXPLAINER_SETTINGS, SubgraphGNNExplainer
from gnnexplain.explain.pgexplainer import fit_pgexplainer
from gnnexplain.explain.xgnn import XGNN, GraphRules, degree_node_features
from gnnexplain.metrics import (
    explanation_pairs,
    flat_mask_fraction,
    own_motif_edges,
    topk_fidelity,
    uniform_mask_response,
)
from gnnexplain.metrics.groundtruth import edge_auc
from gnnexplain.validation import check_optimisation
from gnnexplain.metrics.sanity import model_randomization_tests, sanity_summary
from gnnexplain.models import (
    ConcatGNN,
    GraphGCN,
    TrainConfig,
    load_or_train,
    train_graph_classifier,
    train_node_classifier,
)

TABLE1_METHODS = ("Att", "Saliency", "GNNExplainer", "PGExplainer")
# GNNExplainer's Table 1 (Ying et al. 2019), in BENCHMARKS order; the paper calls Saliency "Grad"
PAPER_TABLE1 = {"Att": (0.815, 0.739, 0.824, 0.612), "Saliency": (0.882, 0.750, 0.905, 0.667),
                "GNNExplainer": (0.925, 0.836, 0.948, 0.875)}
PAPER_LABELS = {"Saliency": "Grad"}
# GNNExplainer in the replication of Holdijk et al., ReScience C 7(2) 2021 (models without batch norm)
REPLICATION_GNNEXPLAINER = (0.742, 0.708, 0.540, 0.714)
SOFT_MASK_METHODS = ("Att", "GNNExplainer", "PGExplainer")  # masks in [0, 1]
MOTIF_ROW = "motif (ground truth)"
FIDELITY_ROWS = (MOTIF_ROW,) + TABLE1_METHODS
INITIAL_MASK = float(torch.sigmoid(torch.tensor(1.0)))  # σ(1) = 0.731, GNNExplainer's initial mask
UNIFORM_SCALES = (1.0, 0.9, INITIAL_MASK, 0.5, 0.25, 0.0)  # uniform mask values s on every edge
AUTHORS_SETTING = SubgraphGNNExplainer().settings  # the authors' GNNExplainer settings
GRID_AXES = ("edge_size", "mask_init", "lr")
_MODEL_CONFIG = dict(mode="multiclass_classification", task_level="node", return_type="raw")
SANITY_NUM_HOPS = 3  # the models' depth: each sanity call runs on the node's 3-hop computation subgraph
XGNN_SANITY = {"not_applicable": "XGNN explains a model, not an input: it generates graphs that the model scores as "
                                 "a class, so it has no mask of an explained input to compare between the trained "
                                 "and the re-initialised model"}


class _LogProbs(torch.nn.Module):
    """``log_softmax`` of a node classifier's logits, so that Captum's saliency differentiates the loss.

    The paper's gradient baseline ("Grad" in its Table 1; Saliency here) is the gradient of the model's *loss*
    with respect to the adjacency (Ying et al. 2019, §4.2; repo ``explain.py::adj_feat_grad``:
    ``|∂(−log p_y)/∂A|``). Saliency on the predicted class of this wrapper gives ``|∂ log p_ŷ / ∂ edge mask|``,
    the same magnitude.

    Forward: ``x [N, F]``, ``edge_index [2, E]`` -> log-probabilities ``[N, C]`` (each row log-sums to 0).
    """

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: Tensor, edge_index: Tensor, **kwargs) -> Tensor:
        return self.model(x, edge_index, **kwargs).log_softmax(dim=-1)


def table1_explainer(model: torch.nn.Module, method: str, *, epochs: int | None = None,
                     lr: float | None = None, **settings) -> SafeExplainer:
    """A :class:`SafeExplainer` with an edge mask for one method of :data:`TABLE1_METHODS`.

    Args:
        model: node classifier ``(x [N, F], edge_index [2, E]) -> logits [N, C]``; for ``"Att"`` it must
            contain attention layers (``ConcatGNN(conv="gat")``).
        method: ``"Att"`` (attention coefficients, max over layers), ``"Saliency"`` (|∂(−log p_ŷ) / ∂ edge
            mask|, the gradient of the loss of the predicted class ŷ: the paper's gradient baseline, "Grad"),
            ``"GNNExplainer"`` (:class:`SubgraphGNNExplainer`, the authors' settings: ``epochs`` 300, ``lr`` 0.1)
            or ``"PGExplainer"`` (``epochs`` of training, default 30, ``lr`` default 0.003; train it with
            :func:`train_pgexplainer`).
        epochs, lr: override the defaults above (unused by Att and Saliency).
        **settings: GNNExplainer only: overrides of the other :data:`GNNEXPLAINER_SETTINGS` (``mask_init``,
            ``edge_size``, ...; see :class:`SubgraphGNNExplainer`).
    Returns:
        The explainer; PGExplainer explains the *phenomenon* (pass ``target``), the others the model's
        own prediction.
    Raises:
        ValueError: for an unknown ``method``, a setting outside :data:`GNNEXPLAINER_SETTINGS`, settings for
            another method than GNNExplainer, or an invalid value (from :class:`SubgraphGNNExplainer`).
    """
    _check_settings(settings)
    if method == "PGExplainer":
        check_optimisation(30 if epochs is None else epochs, 0.003 if lr is None else lr)
    if settings and method != "GNNExplainer":
        raise ValueError(f"settings {sorted(settings)} apply to method='GNNExplainer' only, not {method!r}")
    kind, config = "model", _MODEL_CONFIG
    if method == "Att":
        algorithm = AttentionExplainer(reduce="max")
    elif method == "Saliency":
        algorithm, model = CaptumExplainer("Saliency"), _LogProbs(model)
        config = {**_MODEL_CONFIG, "return_type": "log_probs"}
    elif method == "GNNExplainer":
        algorithm = SubgraphGNNExplainer(epochs=300 if epochs is None else epochs, lr=0.1 if lr is None else lr,
                                         **settings)
    elif method == "PGExplainer":
        algorithm = PGExplainer(epochs=30 if epochs is None else epochs, lr=0.003 if lr is None else lr)
        kind = "phenomenon"
    else:
        raise ValueError(f"unknown method={method!r}; allowed: {', '.join(TABLE1_METHODS)}")
    return SafeExplainer(model, algorithm, explanation_type=kind, node_mask_type=None, edge_mask_type="object",
                         model_config=config)


def _check_settings(settings) -> None:
    """Raise ValueError for a key of ``settings`` outside :data:`GNNEXPLAINER_SETTINGS`."""
    unknown = sorted(set(settings) - set(GNNEXPLAINER_SETTINGS))
    if unknown:
        raise ValueError(f"unknown GNNExplainer setting(s) {unknown}; allowed: {', '.join(GNNEXPLAINER_SETTINGS)}")


def train_pgexplainer(explainer: SafeExplainer, data, nodes: Tensor, target: Tensor, *, seed: int = 0) -> list[float]:
    """Train a PGExplainer's mask network on ``nodes`` (one ``algorithm.train`` call per node and epoch).

    Runs :func:`gnnexplain.explain.pgexplainer.fit_pgexplainer` (seeded, no side effects on the model).

    Args:
        explainer: from ``table1_explainer(model, "PGExplainer")``.
        data: ``Data`` with ``x [N, F]``, ``edge_index [2, E]``.
        nodes: LongTensor ``[M]`` of training node ids. target: ``[N]`` class ids (the model's predictions).
        seed: seeds the mask network's initialisation and PGExplainer's concrete-noise sampling.
    Returns:
        The mean training loss per epoch.
    Raises:
        TypeError: if the explainer is not a PGExplainer; ValueError: if ``nodes`` is empty.
    """
    if not isinstance(explainer.algorithm, PGExplainer):
        raise TypeError("train_pgexplainer needs an explainer built with method='PGExplainer'")
    if nodes.numel() == 0:
        raise ValueError("nodes must hold at least one node id")
    return fit_pgexplainer(explainer, lambda: (dict(x=data.x, edge_index=data.edge_index, target=target,
                                                    index=int(v)) for v in nodes), seed=seed)


def explain_edges(explainer: SafeExplainer, data, nodes: Tensor, *, target: Tensor | None = None,
                  seed: int = 0) -> tuple[dict[int, Tensor], float]:
    """Edge masks for each node of ``nodes`` and the wall time per node (a :class:`SubgraphGNNExplainer`
    explains all nodes in one batched optimisation, every other explainer node by node).

    Returns:
        ``({node: edge_mask [E]}, seconds_per_node)``.
    Raises:
        ValueError: if ``nodes`` is empty.
    """
    if nodes.numel() == 0:
        raise ValueError("nodes must hold at least one node id")
    kwargs = dict(x=data.x, edge_index=data.edge_index, seed=seed, **({} if target is None else {"target": target}))
    if isinstance(explainer.algorithm, SubgraphGNNExplainer):  # all nodes in one batched optimisation
        (explanation,), seconds = explain_and_time(explainer, [dict(index=nodes, **kwargs)],
                                                   num_instances=nodes.numel())
        return {int(v): explanation.edge_masks[i] for i, v in enumerate(nodes)}, seconds
    explanations, seconds = explain_and_time(explainer, [dict(index=int(v), **kwargs) for v in nodes])
    return {int(v): e.edge_mask.detach() for v, e in zip(nodes, explanations)}, seconds


def table1_aucs(models: dict, data, nodes: Tensor, *, seed: int = 0, gnnexplainer_epochs: int = 300,
                gnnexplainer_lr: float = 0.1, pg_epochs: int = 30, pg_lr: float = 0.003,
                num_hops: int = 3) -> dict[str, dict]:
    """Explain ``nodes`` with every method of :data:`TABLE1_METHODS` and score each by edge ROC-AUC.

    Args:
        models: ``{"gcn": node classifier, "gat": attention node classifier}``; Att explains ``"gat"``, the
            other methods ``"gcn"`` (PGExplainer is trained on ``nodes`` with the GCN's predictions as target).
        data: a benchmark from :func:`gnnexplain.data.make_benchmark` (with ground truth ``edge_mask``).
        nodes: LongTensor ``[M]`` of motif nodes. seed: seeds GNNExplainer and PGExplainer.
        gnnexplainer_epochs, gnnexplainer_lr, pg_epochs, pg_lr: the explainers' settings.
        num_hops: L of the computation subgraph (3 layers).
    Returns:
        ``{method: {"auc": float in [0, 1], "seconds_per_node": float, "masks": {node: edge_mask [E]}}}``.
    """
    with torch.no_grad():
        pred = models["gcn"](data.x, data.edge_index).argmax(-1)
    out = {}
    for method in TABLE1_METHODS:
        pg = method == "PGExplainer"
        epochs, lr = (pg_epochs, pg_lr) if pg else (gnnexplainer_epochs, gnnexplainer_lr)
        explainer = table1_explainer(models["gat" if method == "Att" else "gcn"], method, epochs=epochs, lr=lr)
        start = time.perf_counter()
        if pg:
            train_pgexplainer(explainer, data, nodes, pred, seed=seed)
        masks, _ = explain_edges(explainer, data, nodes, target=pred if pg else None, seed=seed)
        out[method] = {"auc": edge_auc(masks, data.edge_index, data.edge_mask, num_hops=num_hops),
                       "seconds_per_node": (time.perf_counter() - start) / nodes.numel(), "masks": masks}
    return out


def gnnexplainer_sensitivity(model: torch.nn.Module, data, nodes: Tensor, grid, *, seed: int = 0,
                             num_hops: int = 3) -> list[dict]:
    """GNNExplainer's edge ROC-AUC under each setting of a grid: does another choice of its coefficients
    change how it compares with a baseline? (A check of GNNExplainer's Table 1, Ying et al. 2019; the authors'
    settings are the defaults of :class:`SubgraphGNNExplainer`.)

    Each setting builds ``table1_explainer(model, "GNNExplainer", **setting)``, explains ``nodes`` with
    :func:`explain_edges` and scores the masks with :func:`gnnexplain.metrics.edge_auc`, exactly as
    :func:`table1_aucs` does: the empty setting ``{}`` reproduces ``table1_aucs``' GNNExplainer AUC.

    Args:
        model: node classifier ``(x [N, F], edge_index [2, E]) -> logits [N, C]`` with message-passing layers.
        data: a benchmark (``x [N, F]``, ``edge_index [2, E]``, ground-truth ``edge_mask [E]`` bool).
        nodes: LongTensor ``[M]`` of explained (motif) nodes, M >= 1.
        grid: sequence of settings, each a mapping from keys of :data:`GNNEXPLAINER_SETTINGS` to values
            (keys left out keep the authors' values), e.g. ``[{}, {"edge_size": 0.1, "lr": 0.01}]``.
        seed: seeds the mask initialisation (the same for every setting).
        num_hops: L of the computation subgraph the AUC is pooled over.
    Returns:
        One entry per setting, in grid order: ``{"setting": {key: value} for every key of
        GNNEXPLAINER_SETTINGS (defaults resolved), "auc": float in [0, 1], "seconds_per_node": float}``.
    Raises:
        ValueError: for an empty grid, an unknown key (before anything runs), an invalid value or empty
            ``nodes``. TypeError: for a setting that is not a mapping.
    """
    grid = list(grid)
    if not grid:
        raise ValueError("grid must hold at least one setting (use [{}] for the authors' settings)")
    for setting in grid:
        if not isinstance(setting, Mapping):
            raise TypeError(f"each grid setting must be a mapping of GNNExplainer settings, got {setting!r}")
        _check_settings(setting)
    out = []
    for setting in grid:
        explainer = table1_explainer(model, "GNNExplainer", **setting)
        masks, seconds = explain_edges(explainer, data, nodes, seed=seed)
        out.append({"setting": explainer.algorithm.settings, "seconds_per_node": seconds,
                    "auc": edge_auc(masks, data.edge_index, data.edge_mask, num_hops=num_hops)})
    return out




# -- the notebook's settings ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """Notebook 05's settings, full or QUICK (docs/05_gnnexplainer_xgnn.md §5.1–5.2).

    Attributes:
        quick: reduced settings, for CI. seed: the first seed. seeds: seeds of data, model and explainers.
        node_limit: explained nodes per benchmark and seed, one per motif (the authors: 60).
        node_epochs: epochs of the benchmarks' GCN (the authors: 1,000). pg_epochs: PGExplainer's training epochs.
        sensitivity_grid: GNNExplainer settings tried on the first seed (size coefficient × initial logit × lr).
        xgnn_episodes, xgnn_steps, xgnn_rollouts: XGNN's training (repo: 50 episodes of 30 steps, m = 10).
        xgnn_budget: node budget the policy is trained with (repo: max_node = 6).
        budgets: node budgets for generation [proposal]. n_graphs: generated graphs per class and budget.
        mutag_epochs, acyclic_epochs: epochs of the XGNN graph classifiers.
        sanity_benchmarks, sanity_nodes, sanity_seeds: the model-randomisation check (:func:`sanity_table`): the
            benchmarks, explained nodes per benchmark and explanation seeds.
    """

    quick: bool
    seed: int
    seeds: tuple[int, ...]
    node_limit: int
    node_epochs: int
    pg_epochs: int
    sensitivity_grid: tuple[dict, ...]
    xgnn_episodes: int
    xgnn_steps: int
    xgnn_rollouts: int
    xgnn_budget: int
    budgets: tuple[int, ...]
    n_graphs: int
    mutag_epochs: int
    acyclic_epochs: int
    sanity_benchmarks: tuple[str, ...]
    sanity_nodes: int
    sanity_seeds: tuple[int, ...]


def notebook_settings(quick: bool, seed: int) -> Settings:
    """The settings of notebook 05: the papers' where they are feasible on a CPU, reduced when ``quick``.

    Full mode runs three seeds ``seed, seed + 1, seed + 2`` and a grid of 12 GNNExplainer settings (size coefficient
    {0.005, 0.05, 0.1} × initial logit {0, 1} × lr {0.1, 0.01}); QUICK mode one seed and two settings. The sanity
    check runs on 10 nodes of every benchmark under three seeds, in QUICK mode on 2 nodes of BA-Shapes and
    Tree-Cycles under two.
    """
    grid = ([{"edge_size": 0.005, "mask_init": 1.0, "lr": 0.1}, {"edge_size": 0.1, "mask_init": 1.0, "lr": 0.01}]
            if quick else [{"edge_size": s, "mask_init": i, "lr": lr}
                           for s, i, lr in itertools.product((0.005, 0.05, 0.1), (0.0, 1.0), (0.1, 0.01))])
    return Settings(quick=quick, seed=seed, seeds=(seed,) if quick else tuple(seed + k for k in range(3)),
                    node_limit=8 if quick else 30, node_epochs=300 if quick else 1000, pg_epochs=10 if quick else 30,
                    sensitivity_grid=tuple(grid), xgnn_episodes=10 if quick else 50, xgnn_steps=20 if quick else 30,
                    xgnn_rollouts=5 if quick else 10, xgnn_budget=6,
                    budgets=(4, 6) if quick else (3, 4, 5, 6, 7, 8, 9), n_graphs=4 if quick else 10,
                    mutag_epochs=150 if quick else 500, acyclic_epochs=40 if quick else 100,
                    sanity_benchmarks=("BA-Shapes", "Tree-Cycles") if quick else BENCHMARKS,
                    sanity_nodes=2 if quick else 10, sanity_seeds=tuple(seed + k for k in range(2 if quick else 3)))


# -- benchmarks and their models -----------------------------------------------------------------------------------
@dataclass
class Benchmarks:
    """The four benchmarks per seed, the nodes every section explains and the models explained.

    Attributes:
        seeds: the seeds. datasets: ``{(benchmark, seed): Data}`` from :func:`gnnexplain.data.make_benchmark`.
        explained: ``{(benchmark, seed): LongTensor [M]}``, the authors' explained nodes (``explained_nodes``).
        models: ``{(benchmark, seed, conv): ConcatGNN}`` with ``conv`` "gcn" (the model) or "gat" (for Att).
        reports: the training reports, same keys (``train_acc``, ``test_acc`` ...).
    """

    seeds: tuple[int, ...]
    datasets: dict
    explained: dict
    models: dict
    reports: dict


def train_model(data, conv: str, seed: int, *, epochs: int) -> tuple[torch.nn.Module, dict]:
    """Train (or load from the checkpoint cache) the authors' node classifier ``ConcatGNN`` on a benchmark.

    The GCN trains ``epochs`` epochs with the authors' weight decay 5e-3 and lr 0.01; the GAT of the Att baseline
    at most 300 epochs with weight decay 5e-4 (5e-3 keeps it at the majority class on Tree-Cycles, and its
    validation loss bottoms out within 300 epochs). Both keep the weights of the lowest validation loss.

    Args:
        data: a benchmark (``x [N, F]``, ``edge_index [2, E]``, ``y [N]``, masks). conv: ``"gcn"`` or ``"gat"``.
        seed: seeds the initialisation and training. epochs: the GCN's epochs.
    Returns:
        ``(model, report)`` from :func:`gnnexplain.models.load_or_train`.
    Raises:
        ValueError: for another ``conv`` (from ``ConcatGNN``).
    """
    config = TrainConfig(epochs=epochs if conv == "gcn" else 300, lr=0.01,
                         weight_decay=5e-3 if conv == "gcn" else 5e-4, patience=None)
    return load_or_train(
        lambda: ConcatGNN(data.num_features, int(data.y.max()) + 1, conv=conv),
        lambda m: train_node_classifier(m, data, config=config, progress=False),
        name=f"concat{conv}-{data.name}", key={"benchmark": data.name, "data_seed": seed, "train": config.as_dict()},
        seed=seed)


def prepare_benchmarks(seeds: Sequence[int], *, node_limit: int, node_epochs: int) -> Benchmarks:
    """Generate every benchmark for every seed, pick its first ``node_limit`` explained nodes and train both
    models on it (:func:`train_model`)."""
    datasets = {(name, s): make_benchmark(name, seed=s) for name in BENCHMARKS for s in seeds}
    explained = {key: explained_nodes(d)[:node_limit] for key, d in datasets.items()}
    models, reports = {}, {}
    for (name, s), data in datasets.items():
        for conv in ("gcn", "gat"):
            models[name, s, conv], reports[name, s, conv] = train_model(data, conv, s, epochs=node_epochs)
    return Benchmarks(tuple(seeds), datasets, explained, models, reports)


def benchmark_summary(bench: Benchmarks, seed: int) -> dict[str, dict]:
    """``{benchmark: {"nodes", "undirected edges", "motif edges (ground truth)", "classes", "motif nodes",
    "explained nodes"}}`` of the benchmarks of ``seed`` (counts)."""
    return {name: {"nodes": d.num_nodes, "undirected edges": d.num_edges // 2,
                   "motif edges (ground truth)": int(d.edge_mask.sum()) // 2, "classes": int(d.y.max()) + 1,
                   "motif nodes": int(d.node_mask.sum()), "explained nodes": len(bench.explained[name, s])}
            for (name, s), d in bench.datasets.items() if s == seed}


def model_accuracy(bench: Benchmarks, conv: str = "gcn", split: str = "test") -> dict[str, float]:
    """``{benchmark: accuracy in [0, 1]}``, the mean over the seeds of the ``conv`` model's ``split`` accuracy."""
    return {name: mean_std([bench.reports[name, s, conv][f"{split}_acc"] for s in bench.seeds])["mean"]
            for name in BENCHMARKS}


# -- Table 1 -------------------------------------------------------------------------------------------------------
def explain_table1(bench: Benchmarks, *, pg_epochs: int) -> dict[tuple, dict]:
    """:func:`table1_aucs` for every (benchmark, seed) on its explained nodes, seeded by the benchmark's seed.

    Returns:
        ``{(benchmark, seed): {method: {"auc", "seconds_per_node", "masks"}}}``.
    """
    return {(name, s): table1_aucs({"gcn": bench.models[name, s, "gcn"], "gat": bench.models[name, s, "gat"]},
                                   data, bench.explained[name, s], seed=s, pg_epochs=pg_epochs)
            for (name, s), data in bench.datasets.items()}


def _mean_std(values) -> dict:
    """``{"mean", "std"}`` (population std) of :func:`mean_std`: the shape of the notebook's results JSON."""
    summary = mean_std(values)
    return {"mean": summary["mean"], "std": summary["std"]}


def auc_table(bench: Benchmarks, runs: dict, *, own_motif: bool = False, per_node: bool = False) -> dict:
    """Each method's edge ROC-AUC on each benchmark, mean ± std over the seeds.

    Args:
        bench, runs: from :func:`prepare_benchmarks` and :func:`explain_table1`.
        own_motif: the authors' ground truth (only the explained node's own motif is positive, their
            ``make_pred_real``) instead of PyG's (every motif edge in the computation subgraph).
        per_node: the mean of each node's own AUC instead of one AUC over the pooled pairs of all nodes.
    Returns:
        ``{benchmark: {method: {"mean", "std"}}}``, AUCs in [0, 1]; without flags, ``runs``' own AUCs.
    """
    def scores(name, method):
        if not (own_motif or per_node):
            return [runs[name, s][method]["auc"] for s in bench.seeds]
        return [edge_auc(runs[name, s][method]["masks"], d.edge_index, d.edge_mask, per_node=per_node,
                         motif_id=d.motif_id if own_motif else None)
                for s in bench.seeds for d in [bench.datasets[name, s]]]

    return {name: {m: _mean_std(scores(name, m)) for m in TABLE1_METHODS} for name in BENCHMARKS}


def table1_rows(auc: dict, num_seeds: int) -> dict[str, dict]:
    """Table 1 as ``{column: {(benchmark, method): text}}``: this run's mean ± std next to the paper's numbers
    and the replication's GNNExplainer (Holdijk et al. 2021); a method the paper labels otherwise is shown as
    e.g. "Saliency (paper: Grad)". "–" where a source has no number."""
    def label(m):
        return f"{m} (paper: {PAPER_LABELS[m]})" if m in PAPER_LABELS else m

    return {f"this run (mean ± std, {num_seeds} seed(s))": {
                (n, label(m)): f"{auc[n][m]['mean']:.3f} ± {auc[n][m]['std']:.3f}" for n in BENCHMARKS
                for m in TABLE1_METHODS},
            "paper (Ying et al. 2019, Table 1)": {
                (n, label(m)): f"{PAPER_TABLE1[m][i]:.3f}" if m in PAPER_TABLE1 else "–"
                for i, n in enumerate(BENCHMARKS) for m in TABLE1_METHODS},
            "replication (Holdijk et al. 2021)": {
                (n, label(m)): f"{REPLICATION_GNNEXPLAINER[i]:.3f}" if m == "GNNExplainer" else "–"
                for i, n in enumerate(BENCHMARKS) for m in TABLE1_METHODS}}


def ground_truth_rows(pooled: dict, own: dict, per_node: dict) -> dict[str, dict]:
    """The three AUC tables of :func:`auc_table` side by side, ``{column: {(benchmark, method): text}}``, with
    GNNExplainer − Saliency under the authors' ground truth."""
    def cell(table, n, m):
        return f"{table[n][m]['mean']:.3f} ± {table[n][m]['std']:.3f}"

    keys = [(n, m) for n in BENCHMARKS for m in TABLE1_METHODS]
    return {"every motif edge (PyG)": {(n, m): cell(pooled, n, m) for n, m in keys},
            "own motif only (authors)": {(n, m): cell(own, n, m) for n, m in keys},
            "GNNExplainer − Saliency, own motif": {
                (n, m): f"{own[n]['GNNExplainer']['mean'] - own[n]['Saliency']['mean']:+.3f}"
                if m == "GNNExplainer" else "" for n, m in keys},
            "PyG's, within each node": {(n, m): cell(per_node, n, m) for n, m in keys}}


def gnnexplainer_minus_saliency(auc: dict) -> dict[str, float]:
    """``{benchmark: GNNExplainer's mean AUC − Saliency's}`` of an :func:`auc_table` (in [-1, 1])."""
    return {n: auc[n]["GNNExplainer"]["mean"] - auc[n]["Saliency"]["mean"] for n in BENCHMARKS}


def versus_saliency(auc: dict, runs: dict, seeds: Sequence[int]) -> dict[str, dict]:
    """Per benchmark: GNNExplainer − Saliency (mean AUCs), on how many seeds GNNExplainer's AUC is at least
    Saliency's ("k / n"), and the paper's difference (GNNExplainer − Grad, Table 1)."""
    diff = gnnexplainer_minus_saliency(auc)
    return {n: {"GNNExplainer − Saliency": diff[n],
                "seeds with GNNExplainer ≥ Saliency":
                    f"{sum(runs[n, s]['GNNExplainer']['auc'] >= runs[n, s]['Saliency']['auc'] for s in seeds)} / "
                    f"{len(seeds)}",
                "paper: GNNExplainer − Grad": PAPER_TABLE1["GNNExplainer"][i] - PAPER_TABLE1["Saliency"][i]}
            for i, n in enumerate(BENCHMARKS)}


def seconds_per_node(runs: dict) -> dict[str, float]:
    """``{method: seconds per explained node}``, the mean over every (benchmark, seed) of ``runs``
    (PGExplainer's includes its training)."""
    return {m: mean_std([r[m]["seconds_per_node"] for r in runs.values()])["mean"] for m in TABLE1_METHODS}


# -- sanity checks --------------------------------------------------------------------------------------------------
def sanity_table(bench: Benchmarks, benchmarks: Sequence[str], *, num_nodes: int, seed: int,
                 seeds: Sequence[int] = (0, 1), pg_epochs: int = 30) -> dict[str, dict]:
    """Adebayo et al.'s model-parameter randomisation test (*Sanity Checks for Saliency Maps*, NeurIPS 2018) of every
    method of :data:`TABLE1_METHODS` at its Table 1 settings (:func:`table1_explainer`), per benchmark.

    On each benchmark of ``benchmarks`` (its data and models of ``seed``), the first ``num_nodes`` explained nodes
    are explained by the trained model and by the same architecture with every layer re-initialised
    (:func:`gnnexplain.metrics.sanity.model_randomization_test`, on each node's :data:`SANITY_NUM_HOPS`-hop
    computation subgraph), under each seed of ``seeds``. PGExplainer explains the trained GCN's predictions
    (phenomenon) and is trained, on the trained and on every re-initialised model, as :func:`table1_aucs` trains it
    (:func:`train_pgexplainer` on all explained nodes, ``pg_epochs`` epochs, seed ``seed``). The verdict follows
    :data:`gnnexplain.metrics.sanity.SANITY_RULE` (Spearman's ρ of the edge masks).

    Args:
        bench: from :func:`prepare_benchmarks`. benchmarks: names of :data:`BENCHMARKS` to check, at least one.
        num_nodes: explained nodes per benchmark, >= 1. seed: the benchmarks' seed (a key of ``bench``).
        seeds: at least two distinct explanation seeds. pg_epochs: PGExplainer's training epochs.
    Returns:
        ``{method: {"rho_randomized_model", "rho_seeds", "passes", "n", "n_undefined", "passes_on_every_benchmark",
        "by_benchmark": {benchmark: the first five keys}}}``: the summary over the nodes of every benchmark (the
        rule applied to the pooled means), whether the method passes on each benchmark, then each benchmark's
        summary (:func:`gnnexplain.metrics.sanity.sanity_summary`; ρ in [-1, 1] or NaN).
    Raises:
        ValueError: for no benchmark, one outside :data:`BENCHMARKS`, ``num_nodes < 1`` or bad seeds.
        KeyError: if ``bench`` lacks a benchmark of ``seed``.
    """
    unknown = sorted(set(benchmarks) - set(BENCHMARKS))
    if not benchmarks or unknown:
        raise ValueError(f"benchmarks={list(benchmarks)!r} must name at least one of {', '.join(BENCHMARKS)}")
    if num_nodes < 1:
        raise ValueError(f"num_nodes={num_nodes} must be >= 1")
    tests = {m: {} for m in TABLE1_METHODS}
    for name in benchmarks:
        data, nodes, gcn = bench.datasets[name, seed], bench.explained[name, seed], bench.models[name, seed, "gcn"]
        with torch.no_grad():
            pred = gcn(data.x, data.edge_index).argmax(-1)
        fit = functools.partial(train_pgexplainer, data=data, nodes=nodes, target=pred, seed=seed)
        for method in TABLE1_METHODS:
            pg = method == "PGExplainer"
            explainer = table1_explainer(bench.models[name, seed, "gat"] if method == "Att" else gcn, method,
                                         epochs=pg_epochs if pg else None)
            if pg:
                fit(explainer)
            # one randomised model (and PGExplainer training) for all the nodes: the same numbers as one test each
            tests[method][name] = model_randomization_tests(
                explainer, [dict(x=data.x, edge_index=data.edge_index, index=int(v), **({"target": pred} if pg else {}))
                            for v in nodes[:num_nodes]], seeds=seeds, num_hops=SANITY_NUM_HOPS, fit=fit if pg else None)
    out = {}
    for method, by in tests.items():
        each = {n: sanity_summary(ts) for n, ts in by.items()}
        out[method] = {**sanity_summary([t for ts in by.values() for t in ts]),
                       "passes_on_every_benchmark": all(e["passes"] for e in each.values()), "by_benchmark": each}
    return out


def sanity_rows(sanity: Mapping[str, Mapping]) -> dict[tuple, dict]:
    """:func:`sanity_table` as ``{(benchmark, method): {"ρ randomised model", "ρ seeds", "passes", "nodes"}}``, for
    the table beside Table 1: each checked benchmark, then ``"all checked (pooled)"`` (the rule applied to the
    means over every checked node)."""
    def row(summary):
        return {"ρ randomised model": summary["rho_randomized_model"], "ρ seeds": summary["rho_seeds"],
                "passes": summary["passes"], "nodes": summary["n"]}

    names = list(next(iter(sanity.values()))["by_benchmark"])
    return {**{(n, m): row(sanity[m]["by_benchmark"][n]) for n in names for m in sanity},
            **{("all checked (pooled)", m): row(s) for m, s in sanity.items()}}


# -- why GNNExplainer trails Saliency --------------------------------------------------------------------------------
def flat_fractions(bench: Benchmarks, runs: dict) -> dict[tuple, dict]:
    """``{(benchmark, seed): {method: share in [0, 1]}}`` of explained nodes whose soft mask is flat
    (:func:`gnnexplain.metrics.flat_mask_fraction`), for the methods of :data:`SOFT_MASK_METHODS`."""
    return {(name, s): {m: flat_mask_fraction(runs[name, s][m]["masks"], bench.datasets[name, s].edge_index)
                        for m in SOFT_MASK_METHODS} for name, s in runs}


def mean_flat_fraction(flat: dict, seeds: Sequence[int]) -> dict[str, dict]:
    """``{benchmark: {method: mean share over the seeds}}`` of :func:`flat_fractions`."""
    return {name: {m: mean_std([flat[name, s][m] for s in seeds])["mean"] for m in SOFT_MASK_METHODS}
            for name in BENCHMARKS}


def uniform_response(bench: Benchmarks, scales: Sequence[float] = UNIFORM_SCALES) -> dict[str, list[float]]:
    """``{benchmark: [P(predicted class) per scale]}``: :func:`gnnexplain.metrics.uniform_mask_response` of the
    GCN with the mask value s on every edge, averaged over the explained nodes of every seed (in [0, 1])."""
    return {name: torch.cat([uniform_mask_response(bench.models[name, s, "gcn"], bench.datasets[name, s],
                                                   bench.explained[name, s], list(scales)) for s in bench.seeds],
                            dim=1).mean(dim=1).tolist() for name in BENCHMARKS}


def mean_gnnexplainer_mask(bench: Benchmarks, runs: dict, name: str, motif: bool) -> float:
    """GNNExplainer's mean mask value (in [0, 1]) over the undirected pairs of the explained nodes' 3-hop
    subgraphs of ``name`` (all seeds), on motif pairs (``motif=True``) or on the others."""
    pairs = [explanation_pairs(d.edge_index, mask, d.edge_mask, v, 3, d.num_nodes)
             for s in bench.seeds for d in [bench.datasets[name, s]]
             for v, mask in runs[name, s]["GNNExplainer"]["masks"].items()]
    scores, labels = torch.cat([p[0] for p in pairs]), torch.cat([p[1] for p in pairs])
    return float(scores[labels == float(motif)].mean())


def soft_mask_rows(bench: Benchmarks, runs: dict, auc: dict, response: dict,
                   scales: Sequence[float] = UNIFORM_SCALES) -> dict[str, dict]:
    """Per benchmark: P(predicted class) at each uniform mask value, GNNExplainer's mean mask on motif and on
    other pairs, and the pooled AUCs of GNNExplainer and Saliency."""
    return {name: {**{f"P at s = {s:.2f}": p for s, p in zip(scales, response[name])},
                   "GNNExplainer mask, motif edges": mean_gnnexplainer_mask(bench, runs, name, True),
                   "GNNExplainer mask, other edges": mean_gnnexplainer_mask(bench, runs, name, False),
                   "GNNExplainer AUC": auc[name]["GNNExplainer"]["mean"], "Saliency AUC": auc[name]["Saliency"]["mean"]}
            for name in BENCHMARKS}


def fidelity_at_motif_size(bench: Benchmarks, runs: dict) -> dict[str, dict]:
    """PyG's fidelity (:func:`gnnexplain.metrics.topk_fidelity`) of each method's top k pairs, k = the number of
    pairs of the explained node's own motif in its 3-hop subgraph, and of the motif itself (on the GCN; Att's
    masks on the GAT they come from).

    Returns:
        ``{benchmark: {row of FIDELITY_ROWS: {"fid-", "fid+"}}}``, shares in [0, 1], mean over the seeds.
    """
    fid = {}
    for (name, s), data in bench.datasets.items():
        own = {v: own_motif_edges(data.edge_index, data.edge_mask, data.motif_id, v).float()
               for v in runs[name, s]["Saliency"]["masks"]}
        k = {v: int(m[subgraph_pairs(data.edge_index, v, 3, data.num_nodes)].sum()) for v, m in own.items()}
        fid[name, s, MOTIF_ROW] = topk_fidelity(bench.models[name, s, "gcn"], data, own, k)
        for m in TABLE1_METHODS:
            model = bench.models[name, s, "gat" if m == "Att" else "gcn"]
            fid[name, s, m] = topk_fidelity(model, data, runs[name, s][m]["masks"], k)
    return {name: {row: {key: mean_std([fid[name, s, row][key] for s in bench.seeds])["mean"]
                         for key in ("fid-", "fid+")} for row in FIDELITY_ROWS} for name in BENCHMARKS}


def sensitivity_grid(bench: Benchmarks, grid: Sequence[Mapping], seed: int) -> tuple[dict[str, list], float]:
    """:func:`gnnexplainer_sensitivity` of every benchmark of ``seed`` on its explained nodes, timed.

    Returns:
        ``({benchmark: [{"setting", "auc", "seconds_per_node"}, ...]}, seconds for the whole grid)``.
    """
    start = time.perf_counter()
    out = {name: gnnexplainer_sensitivity(bench.models[name, seed, "gcn"], bench.datasets[name, seed],
                                          bench.explained[name, seed], grid, seed=seed) for name in BENCHMARKS}
    return out, time.perf_counter() - start


def setting_label(setting: Mapping) -> str:
    """``"edge_size 0.005, mask_init 1, lr 0.1"`` (the grid's axes), marked "(authors)" for the authors'."""
    label = ", ".join(f"{k} {setting[k]:g}" for k in GRID_AXES)
    return label + " (authors)" if setting == AUTHORS_SETTING else label


def grid_rows(sensitivity: dict, runs: dict, seed: int) -> dict[str, dict]:
    """The settings grid as ``{benchmark: {setting label: AUC}}`` plus a row of Saliency's AUC on the same seed
    and nodes.

    Raises:
        ValueError: if the grid's authors' setting does not reproduce the table's GNNExplainer AUC of ``seed``
            (both go through the same path and seed, so they must agree).
    """
    for name, rows in sensitivity.items():
        if any(abs(r["auc"] - runs[name, seed]["GNNExplainer"]["auc"]) >= 1e-12
               for r in rows if r["setting"] == AUTHORS_SETTING):
            raise ValueError(f"the authors' setting of the grid does not reproduce Table 1's GNNExplainer on {name}")
    return {name: {**{setting_label(r["setting"]): r["auc"] for r in rows},
                   f"Saliency (seed {seed}, same nodes)": runs[name, seed]["Saliency"]["auc"]}
            for name, rows in sensitivity.items()}


def best_settings(sensitivity: dict, runs: dict, seed: int) -> dict[str, dict]:
    """Per benchmark: the grid's best setting (the first of the highest AUC) against Saliency on ``seed``.

    Returns:
        ``{benchmark: {"authors_auc", "best_auc", "best_setting", "saliency_auc", "reaches_saliency"}}``
        (``authors_auc`` NaN when the grid lacks the authors' setting).
    """
    out = {}
    for name, rows in sensitivity.items():
        best, saliency = max(rows, key=lambda r: r["auc"]), runs[name, seed]["Saliency"]["auc"]
        out[name] = {"authors_auc": next((r["auc"] for r in rows if r["setting"] == AUTHORS_SETTING), float("nan")),
                     "best_auc": best["auc"], "best_setting": best["setting"], "saliency_auc": saliency,
                     "reaches_saliency": bool(best["auc"] >= saliency)}
    return out


# -- XGNN ----------------------------------------------------------------------------------------------------------
ACYCLIC_SETS = ("Is_Acyclic", "Is_Acyclic_leafy")
GRAPH_SETS = ("MUTAG",) + ACYCLIC_SETS
CLASS_NAMES = {"MUTAG": ("non-mutagenic", "mutagenic"), **{name: IS_ACYCLIC_CLASSES for name in ACYCLIC_SETS}}
SLIDES_MODEL_ACCURACY = {"MUTAG": 0.963, "Is_Acyclic": 0.978}  # the authors' best training accuracy (slides)


@dataclass
class GraphModels:
    """The graph classifiers XGNN explains.

    Attributes:
        graphs: ``{dataset: list of Data}`` (MUTAG, Is_Acyclic, Is_Acyclic_leafy). features: ``{dataset: F}``.
        models: ``{dataset: GraphGCN}``. reports: their training reports (``train_acc``, ``test_acc`` ...).
    """

    graphs: dict
    features: dict
    models: dict
    reports: dict


def graph_rules(name: str) -> GraphRules:
    """XGNN's rules: MUTAG's atoms C, N, O, F, I, Cl, Br with the repo's maximum degrees; one unlabelled node
    type without a degree limit for Is_Acyclic."""
    return GraphRules.mutag() if name == "MUTAG" else GraphRules.unlabelled()


def xgnn_generator(name: str, settings: Settings) -> XGNN:
    """An untrained XGNN for ``name``: MUTAG with one-hot atom features and the repo's roll-back of every edit
    with a negative reward; Is_Acyclic with degree features, undoing only failed or invalid edits, since every
    graph of 1–2 nodes scores as acyclic and the repo's rule would keep the cyclic-class policy at the start
    node ([proposal], ``XGNN(rollback=...)``)."""
    mutag = name == "MUTAG"
    return XGNN(graph_rules(name), featurize=None if mutag else degree_node_features, max_step=settings.xgnn_steps,
                rollouts=settings.xgnn_rollouts, rollback="negative" if mutag else "invalid")


def prepare_graph_models(settings: Settings) -> GraphModels:
    """Load MUTAG, generate both Is_Acyclic variants (seeded by ``settings.seed``) and train (or load) the
    authors' GCN on each, on an 80/10/10 split.

    Raises:
        DatasetUnavailableError: if MUTAG's raw files can be neither found nor downloaded.
    """
    graphs = {"MUTAG": load_dataset("MUTAG"), "Is_Acyclic": make_is_acyclic(seed=settings.seed),
              "Is_Acyclic_leafy": make_is_acyclic(seed=settings.seed, leafy_cycles=True)}
    features = {"MUTAG": 7, **{name: 1 for name in ACYCLIC_SETS}}
    configs = {"MUTAG": TrainConfig(epochs=settings.mutag_epochs, lr=0.01, weight_decay=0.0, patience=None,
                                    batch_size=8),
               **{name: TrainConfig(epochs=settings.acyclic_epochs, lr=0.01, patience=30, batch_size=32)
                  for name in ACYCLIC_SETS}}
    trained = {name: _train_graph_model(name, graphs[name], features[name], configs[name], settings.seed)
               for name in GRAPH_SETS}
    return GraphModels(graphs, features, {n: t[0] for n, t in trained.items()}, {n: t[1] for n, t in trained.items()})


def _train_graph_model(name: str, graphs: list, features: int, config: TrainConfig, seed: int):
    """``load_or_train`` of a ``GraphGCN(features, 2)`` on an 80/10/10 split of ``graphs``."""
    parts = split_graphs(graphs, seed=seed)
    return load_or_train(
        lambda: GraphGCN(features, 2),
        lambda m: train_graph_classifier(m, *parts, config=config, seed=seed, progress=False),
        name=f"graphgcn-{name}", key={"dataset": name, "split": "80/10/10", "train": config.as_dict()}, seed=seed)


def graph_model_rows(graph_models: GraphModels) -> dict[str, dict]:
    """Per dataset: graphs, mean nodes and undirected edges, the model's train and test accuracy, and the
    slides' accuracy (NaN where the slides give none)."""
    return {name: {"graphs": len(g), "mean nodes": np.mean([d.num_nodes for d in g]),
                   "mean edges": np.mean([d.num_edges / 2 for d in g]),
                   "train accuracy": graph_models.reports[name]["train_acc"],
                   "test accuracy": graph_models.reports[name]["test_acc"],
                   "slides accuracy": SLIDES_MODEL_ACCURACY.get(name, np.nan)}
            for name, g in graph_models.graphs.items()}


def fit_generators(graph_models: GraphModels, settings: Settings) -> tuple[dict, dict]:
    """Train one XGNN policy per dataset and class (:func:`xgnn_generator`, seeded by ``settings.seed``).

    Returns:
        ``({(dataset, class id): fitted XGNN}, {"dataset/class name": seconds to train})``.
    """
    generators, seconds = {}, {}
    for name in GRAPH_SETS:
        for c in (0, 1):
            start = time.perf_counter()
            generators[name, c] = xgnn_generator(name, settings).fit(
                graph_models.models[name], c, max_node=settings.xgnn_budget, episodes=settings.xgnn_episodes,
                seed=settings.seed)
            seconds[f"{name}/{CLASS_NAMES[name][c]}"] = time.perf_counter() - start
    return generators, seconds


def generate_graphs(generators: dict, settings: Settings) -> dict[tuple, list]:
    """``{(dataset, class id, budget): [GeneratedGraph] * n_graphs}`` for every budget of ``settings``."""
    return {(name, c, b): gen.generate(settings.n_graphs, max_node=b, seed=settings.seed)
            for (name, c), gen in generators.items() for b in settings.budgets}


def generated_of(generated: dict, name: str, c: int) -> list:
    """Every graph generated for dataset ``name`` and class ``c``, over all budgets, in budget order."""
    return [g for (n, k, _), graphs in generated.items() if (n, k) == (name, c) for g in graphs]


def generation_rows(generated: dict, generators: dict) -> list[dict]:
    """One row per (dataset, class, budget): mean and min P(class), valid share, mean nodes, and the share of
    accepted edits while training."""
    return [{"dataset": name, "class": CLASS_NAMES[name][c], "node budget": b,
             "mean P(class)": np.mean([g.probability for g in graphs]),
             "min P(class)": min(g.probability for g in graphs),
             "valid": np.mean([g.valid for g in graphs]), "mean nodes": np.mean([g.data.num_nodes for g in graphs]),
             "acceptance (training)": np.mean(generators[name, c].history["acceptance"])}
            for (name, c, b), graphs in generated.items()]


def atom_composition(generated: dict) -> dict[str, dict]:
    """``{MUTAG class name: {atom: fraction of the generated atoms}}`` over every generated MUTAG graph."""
    atoms = graph_rules("MUTAG").node_types
    return {CLASS_NAMES["MUTAG"][c]: {atom: float(np.mean(np.concatenate(
                [(g.data.node_type == i).numpy() for g in generated_of(generated, "MUTAG", c)])))
                for i, atom in enumerate(atoms)} for c in (0, 1)}


def _undirected(data):
    from torch_geometric.utils import to_networkx

    return to_networkx(data, to_undirected=True)


def has_leaf(data) -> bool:
    """Whether the graph ``data`` (``edge_index`` both directions) has a leaf, a node of degree 1."""
    return any(d == 1 for _, d in _undirected(data).degree())


def is_forest(data) -> bool:
    """Whether the graph ``data`` (``edge_index`` both directions) has no cycle."""
    import networkx as nx

    return nx.is_forest(_undirected(data))


def leaf_shortcut(generated: dict, graph_models: GraphModels) -> dict[str, dict]:
    """The leaf shortcut of Is_Acyclic: per variant, the share of generated graphs per class that are forests,
    that have a leaf, and the share of the data set's graphs of each class with a leaf. In Is_Acyclic a graph
    has a leaf exactly when it is acyclic, so a model may reward leaves instead of the absence of cycles.

    Returns:
        ``{f"{name}_forest_fraction": {class: share}, f"{name}_leaf_fraction": {"generated": {class: share},
        "training data": {class: share}}}`` for both variants; shares in [0, 1].
    """
    out = {}
    for name in ACYCLIC_SETS:
        out[f"{name}_forest_fraction"] = {IS_ACYCLIC_CLASSES[c]: float(np.mean(
            [is_forest(g.data) for g in generated_of(generated, name, c)])) for c in (0, 1)}
        out[f"{name}_leaf_fraction"] = {
            "generated": {IS_ACYCLIC_CLASSES[c]: float(np.mean(
                [has_leaf(g.data) for g in generated_of(generated, name, c)])) for c in (0, 1)},
            "training data": {IS_ACYCLIC_CLASSES[c]: float(np.mean(
                [has_leaf(g) for g in graph_models.graphs[name] if int(g.y) == c])) for c in (0, 1)}}
    return out


def leaf_rows(shortcut: dict) -> dict[tuple, dict]:
    """:func:`leaf_shortcut` as ``{(data set, target class): {column: share}}``, for a table."""
    return {(name, cls): {"generated: acyclic (a forest)": shortcut[f"{name}_forest_fraction"][cls],
                          "generated: has a leaf (degree 1)": shortcut[f"{name}_leaf_fraction"]["generated"][cls],
                          "data set graphs of the class: have a leaf":
                              shortcut[f"{name}_leaf_fraction"]["training data"][cls]}
            for name in ACYCLIC_SETS for cls in IS_ACYCLIC_CLASSES}


def xgnn_summary(generated: dict, budgets: Sequence[int]) -> dict[str, dict]:
    """``{dataset: {class name: {"mean_probability", "valid_fraction", "n_graphs", "by_budget": {budget: mean
    P}}}}`` of the generated graphs (probabilities in [0, 1])."""
    return {name: {CLASS_NAMES[name][c]: {
                "mean_probability": float(np.mean([g.probability for g in generated_of(generated, name, c)])),
                "valid_fraction": float(np.mean([g.valid for g in generated_of(generated, name, c)])),
                "n_graphs": len(generated_of(generated, name, c)),
                "by_budget": {b: float(np.mean([g.probability for g in generated[name, c, b]])) for b in budgets}}
                for c in (0, 1)} for name in GRAPH_SETS}


# -- results -------------------------------------------------------------------------------------------------------
def notebook_results(settings: Settings, bench: Benchmarks, runs: dict, graph_models: GraphModels, *,
                     auc: dict, auc_own: dict, auc_node: dict, flat: dict, fidelity: dict, response: dict,
                     sensitivity: dict, sensitivity_seconds: float, generated: dict, fit_seconds: dict,
                     sanity: dict) -> dict:
    """Notebook 05's headline numbers, the dict :func:`gnnexplain.results.save_results` writes.

    Args:
        settings, bench, runs, graph_models: from :func:`notebook_settings`, :func:`prepare_benchmarks`,
            :func:`explain_table1` and :func:`prepare_graph_models`.
        auc, auc_own, auc_node: :func:`auc_table` pooled, with ``own_motif=True`` and with ``per_node=True``.
        flat, fidelity, response: :func:`flat_fractions`, :func:`fidelity_at_motif_size`, :func:`uniform_response`.
        sensitivity, sensitivity_seconds: :func:`sensitivity_grid`.
        generated, fit_seconds: :func:`generate_graphs` and :func:`fit_generators`.
        sanity: :func:`sanity_table`; the results add XGNN's entry, :data:`XGNN_SANITY` (why the test does not
            apply).
    """
    vs = best_settings(sensitivity, runs, settings.seed)
    return {
        "model_accuracy": {**model_accuracy(bench), **{n: graph_models.reports[n]["test_acc"] for n in GRAPH_SETS}},
        "att_model_accuracy": model_accuracy(bench, "gat"),
        "explanation_auc": auc,
        "explanation_auc_own_motif": auc_own,
        "explanation_auc_per_node": auc_node,
        "flat_mask_fraction": mean_flat_fraction(flat, bench.seeds),
        "fidelity_at_motif_size": fidelity,
        "uniform_mask_response": {n: dict(zip((f"{s:.3f}" for s in UNIFORM_SCALES), response[n])) for n in BENCHMARKS},
        "gnnexplainer_minus_saliency": gnnexplainer_minus_saliency(auc),
        "gnnexplainer_sensitivity": {n: [{"setting": r["setting"], "auc": r["auc"]} for r in rows]
                                     for n, rows in sensitivity.items()},
        "gnnexplainer_sensitivity_vs_saliency": {n: {k: v[k] for k in ("saliency_auc", "best_auc", "best_setting",
                                                                      "reaches_saliency")} for n, v in vs.items()},
        "gnnexplainer_sensitivity_seconds": sensitivity_seconds,
        "paper_explanation_auc": {m: dict(zip(BENCHMARKS, v)) for m, v in PAPER_TABLE1.items()},
        "seconds_per_node": seconds_per_node(runs),
        "sanity": {**sanity, "XGNN": XGNN_SANITY},
        "xgnn": xgnn_summary(generated, settings.budgets),
        "xgnn_fit_seconds": fit_seconds,
        "xgnn_reading": {"MUTAG_atom_fraction": atom_composition(generated),
                         **leaf_shortcut(generated, graph_models)},
        "slides_model_accuracy": SLIDES_MODEL_ACCURACY,
        "seeds": list(settings.seeds),
        "quick": settings.quick,
        "seed": settings.seed,
    }
