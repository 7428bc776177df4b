"""Notebook 06's experiment: every explainer on every planted ground truth under one protocol (issue 24,
docs/06_benchmark.md), behind :func:`run_benchmark`.

Two registries make the seams: :data:`EXPLAINERS` (name -> :class:`ExplainerSpec`, a factory building a PyG
``Explainer`` for a model and :class:`Task`, with the method's requirement) and :data:`DATASETS` (name ->
:class:`DatasetSpec`, a seeded loader of a dataset with ground truth). :func:`register_explainer` and
:func:`register_dataset` add to them; a registered method gets a row of the leaderboard, a registered dataset a column.

The protocol, for each dataset and seed: the data are generated with the seed, one model per kind is trained with it
(a GCN for node tasks, a GIN for graph tasks, a GAT for attention on node tasks; cached by ``load_or_train``), and the
explained instances are drawn with it: correctly predicted motif nodes, or correctly predicted test graphs. Every
method explains the same instances (a node on its computation subgraph, which gives the model the node's exact
logits), under the same seed, timed by :func:`gnnexplain.experiments.common.explain_and_time`, and every explanation
is scored by the metrics of :mod:`gnnexplain.metrics.benchmark`. Numbers are mean ± std over the seeds.
"""

from __future__ import annotations

import io
import math
import multiprocessing
import pickle
import time
from collections.abc import Callable, Sequence
import dataclasses
from dataclasses import dataclass, field
from functools import partial

import torch
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.explain import Explainer, Explanation
from torch_geometric.explain.algorithm import (
    AttentionExplainer,
    CaptumExplainer,
    ExplainerAlgorithm,
    GNNExplainer,
    GraphMaskExplainer,
    PGExplainer,
)
from torch_geometric.explain.config import MaskType
from torch_geometric.nn import MessagePassing

from gnnexplain.core.graph import computation_subgraph
from gnnexplain.core.masks import SafeExplainer
from gnnexplain.data import BENCHMARKS as NOTEBOOK05_BENCHMARKS, GROUND_TRUTHS, GroundTruthSet, load_ground_truth
from gnnexplain.data.molecules import NUM_ATOM_IDS
from gnnexplain.experiments.common import explain_and_time, mean_std
from gnnexplain.experiments.gnnexplainer_xgnn import table1_explainer, train_model as train_concat_gnn
from gnnexplain.explain import NAM, BayesGrad, BayesSmoothGrad, NodeGradCAM, ReFine, SmoothGrad, VanillaGrad
from gnnexplain.explain.base import SupportCheck
from gnnexplain.explain.pgexplainer import fit_pgexplainer
from gnnexplain.metrics.benchmark import (
    characterization,
    groundtruth_auroc,
    instance_scores,
    truth_size_scores,
)
from gnnexplain.metrics.sanity import sanity_checks
from gnnexplain.models import GCN, GIN, TrainConfig, load_or_train, train_graph_classifier, train_node_classifier
from gnnexplain.validation import check_number

LEVELS = ("node", "graph")
NUM_HOPS = 3  # every model has three message-passing layers: a motif node's subgraph holds its whole motif
FIDELITY_KEYS = ("fid+", "fid-", "characterization", "unfaithfulness")
METRICS = ("auroc", "auroc_per_instance", "seconds_per_instance") + FIDELITY_KEYS
_MODEL_CONFIG = dict(mode="multiclass_classification", return_type="raw")


@dataclass(frozen=True)
class Task:
    """What an explainer factory is told about the explained model.

    Attributes:
        dataset: the dataset's name. level: ``"node"`` (node classifier, ``index`` names the explained node) or
            ``"graph"`` (graph classifier). num_hops: the model's message-passing layers. model: ``"GCN"``, ``"GIN"``
            or ``"GAT"``. quick: reduced settings (fewer epochs).
    """

    dataset: str
    level: str
    num_hops: int
    model: str
    quick: bool


@dataclass(frozen=True)
class ExplainerSpec:
    """A registered method.

    Attributes:
        name: the row label.
        factory: ``(model, task) -> Explainer`` (a :class:`SafeExplainer` preferably) or an ``ExplainerAlgorithm``,
            which is wrapped by :func:`explainer_for` (a "model" explanation with an edge mask ``[E]``).
        requires: ``(model, task) -> reason or None``: why the method cannot explain this model, or ``None``.
        model: which model of a dataset it explains: ``"default"`` (GCN / GIN) or ``"gat"``.
        fit: ``(explainer, calls, seed, dataset) -> None`` for methods trained on their model: PGExplainer trains on
            the explained instances' calls (each ``x``, ``edge_index``, ``target``, ``index``), ReFine pre-trains on
            the training graphs of ``dataset`` (the :class:`~gnnexplain.data.GroundTruthSet`).
    """

    name: str
    factory: Callable
    requires: Callable | None = None
    model: str = "default"
    fit: Callable | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """A registered dataset with ground truth.

    Attributes:
        name: the column label.
        load: ``(seed, quick) -> GroundTruthSet`` (:func:`gnnexplain.data.load_ground_truth`'s form: its ``task``
            says node or graph classification, its ``candidates`` which instances may be explained, its indices the
            split, and every graph carries bool ``node_mask`` / ``edge_mask``).
        dropout: the node GCN's dropout, on its hidden layers only (input dropout on constant features leaves nodes
            that no structure tells apart: docs/06_benchmark.md §6.2); unused by graph tasks.
        epochs: training epochs ``(quick, full)`` of the default model.
        notebook_model: ``(dataset, seed, quick) -> (model, label, test accuracy)``: the model that the notebook
            reproducing the dataset's paper explains (``run_benchmark(..., models="notebooks")``), or ``None``.
    """

    name: str
    load: Callable
    dropout: float = 0.1
    epochs: tuple[int, int] = (300, 1000)
    notebook_model: Callable | None = None


@dataclass
class Instance:
    """One explained prediction on its own graph.

    Attributes:
        id: the node id in the dataset's graph, or the graph's position in the test split.
        x: ``[n, F]``. edge_index: ``[2, e]``. index: the explained node (node tasks, in the local graph) or None.
        node_truth: bool ``[n]``. edge_truth: bool ``[e]``.
    """

    id: int
    x: Tensor
    edge_index: Tensor
    index: int | None
    node_truth: Tensor
    edge_truth: Tensor

    def call(self) -> dict:
        """The keyword arguments of one explainer call."""
        return dict(x=self.x, edge_index=self.edge_index, **({} if self.index is None else {"index": self.index}))


class RandomEdgeMask(ExplainerAlgorithm):
    """The random baseline: an edge mask of uniform draws in [0, 1) from torch's global RNG (seeded by
    :class:`SafeExplainer`'s ``seed``). Any model, any task; it ranks edges at chance."""

    def forward(self, model, x: Tensor, edge_index: Tensor, *, target, index=None, **kwargs) -> Explanation:
        return Explanation(edge_mask=torch.rand(edge_index.size(1)))

    def supports(self) -> bool:
        return self.explainer_config.edge_mask_type == MaskType.object and self.explainer_config.node_mask_type is None


def explainer_for(model: nn.Module, task: Task, algorithm: ExplainerAlgorithm, *, explanation_type: str = "model",
                  node_mask_type: str | None = None, edge_mask_type: str | None = "object") -> SafeExplainer:
    """A :class:`SafeExplainer` of ``algorithm`` for ``model`` on ``task``: by default the model's own prediction
    ("model"), an edge mask ``[E]``, no node mask, raw logits of a multiclass classifier at ``task.level``.

    Raises:
        ValueError: if the algorithm refuses the settings (its ``supports()``; the workbook's explainers say why).
    """
    return SafeExplainer(model, algorithm, explanation_type=explanation_type, node_mask_type=node_mask_type,
                         edge_mask_type=edge_mask_type, model_config={**_MODEL_CONFIG, "task_level": task.level})


def _fit_pgexplainer(explainer: SafeExplainer, calls: list[dict], seed: int, dataset: GroundTruthSet) -> None:
    fit_pgexplainer(explainer, lambda: calls, seed=seed)


def _refine(model: nn.Module, task: Task) -> ReFine:
    # notebook 04's BA-3motif setup (experiments.refine.notebook_setups): the paper's formulation, top-k fine-tuning
    return ReFine(model.config["in_channels"], model.config["num_classes"], hidden=50, mode="paper",
                  ft_selection="topk", ft_lr=1e-3)


#: ReFine's pre-training reads at most this many directed edges of training graphs per epoch in full mode [ours]:
#: every graph of BA-2motif, BA-3motif, Mutagenicity and Tox21 (at most about 220,000 edges), the first 100 of
#: Brain-Networks' 320 (about 5,000 edges each), whose full set took 140 s per pre-training (docs/06_benchmark.md
#: §6.8).
REFINE_PRETRAIN_EDGES = 500_000


def _fit_refine(explainer: SafeExplainer, calls: list[dict], seed: int, dataset: GroundTruthSet) -> None:
    """Pre-train ReFine's attributors on the dataset's training graphs with edges, in order, up to
    :data:`REFINE_PRETRAIN_EDGES` directed edges, validated on its validation graphs (notebook 04's settings: 25
    epochs at lr 1e-4; QUICK 10 epochs at 1e-3 on at most the first 200 training graphs), seeded."""
    quick = dataset.quick
    # ReFine refuses a graph without edges (Tox21 and Mutagenicity hold a few single-atom or salt molecules)
    train, val = ([dataset.data[i] for i in index.tolist() if dataset.data[i].num_edges > 0]
                  for index in (dataset.train_index, dataset.val_index))
    edges = torch.tensor([g.num_edges for g in train]).cumsum(0)
    train = train[:200] if quick else train[:max(1, int((edges <= REFINE_PRETRAIN_EDGES).sum()))]
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        explainer.algorithm.fit(explainer.model, train, val, epochs=10 if quick else 25, lr=1e-3 if quick else 1e-4)


def _graphmask_requires(model: nn.Module, task: Task) -> str | None:
    # PyG's GraphMaskExplainer sizes its gates from every layer's in_channels / out_channels
    lacking = sorted({type(m).__name__ for m in model.modules() if isinstance(m, MessagePassing)
                      and not (hasattr(m, "in_channels") and hasattr(m, "out_channels"))})
    if lacking:
        return f"PyG's GraphMask sizes its gates from each layer's in_channels and out_channels; {', '.join(lacking)} " \
               f"of the {task.model} has none"
    return None


GRAPHMASK_EPOCHS = 30


def _epochs(task: Task, quick: int, full: int) -> int:
    return quick if task.quick else full


EXPLAINERS: dict[str, ExplainerSpec] = {}
"""The registered methods, in leaderboard order (:func:`register_explainer`)."""


def register_explainer(name: str, factory: Callable, *, requires: Callable | None = None, model: str = "default",
                       fit: Callable | None = None, replace: bool = False) -> ExplainerSpec:
    """Register a method so that :func:`run_benchmark` runs it and the leaderboard gives it a row.

    A few lines suffice for your own PyG ``ExplainerAlgorithm``::

        register_explainer("Mine", lambda model, task: MyAlgorithm())

    Args:
        name: the row label, a non-empty string.
        factory, requires, model, fit: see :class:`ExplainerSpec`.
        replace: allow replacing a registered method of the same name.
    Returns:
        The :class:`ExplainerSpec`.
    Raises:
        TypeError: if ``name`` is not a string or ``factory`` / ``requires`` / ``fit`` are not callable.
        ValueError: for an empty or already registered ``name`` (without ``replace``) or an unknown ``model``.
    """
    if not isinstance(name, str) or not name.strip():
        raise (TypeError if not isinstance(name, str) else ValueError)(f"name={name!r} must be a non-empty string")
    for label, value in (("factory", factory), ("requires", requires), ("fit", fit)):
        if value is not None and not callable(value) or (label == "factory" and value is None):
            raise TypeError(f"{label}={value!r} must be callable")
    if model not in ("default", "gat"):
        raise ValueError(f"model={model!r}; allowed: 'default' (GCN / GIN) or 'gat'")
    if name in EXPLAINERS and not replace:
        raise ValueError(f"name={name!r} is already registered; pass replace=True to replace it")
    EXPLAINERS[name] = ExplainerSpec(name, factory, requires, model, fit)
    return EXPLAINERS[name]


register_explainer("Random", lambda model, task: RandomEdgeMask())
register_explainer("Saliency", lambda model, task: explainer_for(model, task, CaptumExplainer("Saliency")))
register_explainer("Integrated Gradients",
                   lambda model, task: explainer_for(model, task, CaptumExplainer("IntegratedGradients")))
register_explainer("GNNExplainer", lambda model, task: explainer_for(
    model, task, GNNExplainer(epochs=_epochs(task, 100, 200), lr=0.1)))
register_explainer("PGExplainer", lambda model, task: explainer_for(
    model, task, PGExplainer(epochs=_epochs(task, 10, 30), lr=0.003), explanation_type="phenomenon"),
    fit=_fit_pgexplainer)
# GraphMask: 30 epochs in full mode too; PyG's 100 cost 2-4 s per node, the largest share of the full run, and
# scored no closer to the truth (docs/06_benchmark.md §6.8)
register_explainer("GraphMask", lambda model, task: explainer_for(
    model, task, GraphMaskExplainer(task.num_hops, epochs=GRAPHMASK_EPOCHS, log=False)),
    requires=_graphmask_requires)
register_explainer("Attention", lambda model, task: explainer_for(model, task, AttentionExplainer(reduce="max")),
                   model="gat")
def register_method(name: str, algorithm: Callable[[nn.Module, Task], SupportCheck], *, node_mask: bool = True,
                    explanation_type: str = "model", levels: tuple[str, ...] = LEVELS, fit: Callable | None = None,
                    replace: bool = False) -> ExplainerSpec:
    """Register one of the workbook's methods (a :class:`~gnnexplain.explain.base.SupportCheck` algorithm): its
    factory connects a fresh algorithm to the model and task, and its ``requires`` is the method's own answer, the
    reason its ``supports()`` / ``connect()`` give for the model (docs/conventions.md §0.3), so a row says why a
    method does not apply.

    Args:
        name: the row label. algorithm: ``(model, task) -> the unconnected algorithm``.
        node_mask: the method returns a node mask ``[N, 1]`` (no edge mask); else an edge mask ``[E]``.
        explanation_type: ``"model"`` or ``"phenomenon"`` (the model's prediction is the target either way).
        levels: the tasks it explains. fit, replace: as for :func:`register_explainer`.
    Returns:
        The :class:`ExplainerSpec`.
    """
    masks = dict(node_mask_type="object", edge_mask_type=None) if node_mask else {}

    def factory(model: nn.Module, task: Task) -> SafeExplainer:
        return explainer_for(model, task, algorithm(model, task), explanation_type=explanation_type, **masks)

    def requires(model: nn.Module, task: Task) -> str | None:
        if task.level not in levels:
            return f"explains {' and '.join(levels)} classifiers only; this is a {task.model} {task.level} classifier"
        try:  # SafeExplainer binds the model before connecting: connect() raises the method's reason
            factory(model, task)
        except ValueError as exc:
            return str(exc)
        return None

    return register_explainer(name, factory, requires=requires, fit=fit, replace=replace)


# The papers' methods on any model they can explain: NAM (GCN of any depth), the BayesGrad family on the input
# features (M = 100, QUICK 25; BayesGrad needs dropout), Grad-CAM on the last message-passing layer's node
# embeddings (Pope et al.), ReFine on graph classifiers (pre-trained on the training graphs).
register_method("NAM", lambda model, task: NAM(), levels=("node",))
for _name, _method in (("VanillaGrad", VanillaGrad), ("SmoothGrad", SmoothGrad), ("BayesGrad", BayesGrad),
                       ("BayesSmoothGrad", BayesSmoothGrad)):
    register_method(_name, lambda model, task, _method=_method: _method(_epochs(task, 25, 100)))
register_method("Grad-CAM", lambda model, task: NodeGradCAM())
register_method("ReFine", _refine, node_mask=False, explanation_type="phenomenon", levels=("graph",), fit=_fit_refine)


# -- datasets ------------------------------------------------------------------------------------------------------
DATASETS: dict[str, DatasetSpec] = {}
"""The registered datasets, in leaderboard order (:func:`register_dataset`)."""


def register_dataset(name: str, load: Callable, *, dropout: float = 0.1, epochs: tuple[int, int] = (300, 1000),
                     notebook_model: Callable | None = None, replace: bool = False) -> DatasetSpec:
    """Register a dataset with ground truth (see :class:`DatasetSpec`); it becomes a leaderboard column.

    Raises:
        TypeError: if ``load`` or ``notebook_model`` is not callable. ValueError: for a dropout outside [0, 1),
            epochs that are not two integers >= 1, or a registered ``name`` without ``replace``.
    """
    for label, value in (("load", load), ("notebook_model", notebook_model)):
        if not callable(value) and (label == "load" or value is not None):
            raise TypeError(f"{label}={value!r} must be callable")
    check_number(dropout, "dropout", low=0, high=1, high_open=True)
    if len(epochs) != 2:
        raise ValueError(f"epochs={epochs!r} must be (quick, full)")
    for value in epochs:
        check_number(value, "epochs", low=1, integer=True)
    if name in DATASETS and not replace:
        raise ValueError(f"name={name!r} is already registered; pass replace=True to replace it")
    DATASETS[name] = DatasetSpec(name, load, dropout, tuple(epochs), notebook_model)
    return DATASETS[name]


def one_hot_atoms(dataset: GroundTruthSet) -> GroundTruthSet:
    """``dataset`` with each graph's integer atom ids ``x [N]`` replaced by their one-hot ``[N, NUM_ATOM_IDS]``
    (float), which a GIN and a gradient need (Tox21's graphs keep ids for notebook 03's atom embedding)."""
    graphs = [g.clone() for g in dataset.data]
    for g in graphs:
        g.x = nn.functional.one_hot(g.x, NUM_ATOM_IDS).float()
    return dataclasses.replace(dataset, data=graphs)


def notebook05_model(dataset: GroundTruthSet, seed: int, quick: bool) -> tuple[nn.Module, str, float]:
    """Notebook 05's model of a GNNExplainer benchmark: the authors' ``ConcatGNN`` (GCN convolutions), trained as
    notebook 05 trains it (:func:`gnnexplain.experiments.gnnexplainer_xgnn.train_model`, 1,000 epochs, QUICK 300;
    the same checkpoint)."""
    model, report = train_concat_gnn(dataset.data, "gcn", seed, epochs=300 if quick else 1000)
    return model, "ConcatGNN", report["test_acc"]


def notebook04_model(dataset: GroundTruthSet, seed: int, quick: bool) -> tuple[nn.Module, str, float]:
    """Notebook 04's BA-3motif model: ``BA3MotifNet`` on the same graphs and split, trained as notebook 04 trains it
    (:func:`gnnexplain.experiments.refine.table2_model`, 100 epochs, QUICK 60; the same checkpoint)."""
    from gnnexplain.experiments.refine import table2_model

    split = {part: [dataset.data[i] for i in index.tolist()]
             for part, index in (("train", dataset.train_index), ("val", dataset.val_index),
                                 ("test", dataset.test_index))}
    model, report = table2_model("ba3", split, 60 if quick else 100, seed=seed)
    return model, "BA3MotifNet", report["test_acc"]


#: The node GCN's hidden-layer dropout per node ground truth [ours]: the highest of 0.02, 0.05, 0.1, 0.2, 0.3
#: whose validation accuracy (seed 0, 1,000 epochs) is within 0.02 of the best (docs/06_benchmark.md §6.2).
NODE_DROPOUT = {"BA-Shapes": 0.05, "BA-Community": 0.3, "Tree-Cycles": 0.05, "Tree-Grid": 0.1, "Infection": 0.05}
for _name in GROUND_TRUTHS:
    register_dataset(_name, (lambda seed, quick, _name=_name: one_hot_atoms(load_ground_truth(_name, seed, quick)))
                     if _name == "Tox21-Pyridine" else partial(load_ground_truth, _name),
                     dropout=NODE_DROPOUT.get(_name, 0.1), epochs=(1000, 1000) if _name in NODE_DROPOUT else (30, 100),
                     notebook_model=notebook05_model if _name in NOTEBOOK05_BENCHMARKS else
                     notebook04_model if _name == "BA-3motif" else None)


# -- models and instances ------------------------------------------------------------------------------------------
def train_models(spec: DatasetSpec, dataset: GroundTruthSet, seed: int, quick: bool,
                 choice: str = "benchmark") -> tuple[dict[str, nn.Module], dict[str, float], str]:
    """The models of one dataset and seed, trained through the checkpoint cache.

    Args:
        choice: ``"benchmark"``: the default model is the GCN (node tasks) or GIN (graph tasks); ``"notebooks"``:
            the dataset's :attr:`DatasetSpec.notebook_model`.
    Returns:
        ``({"default": model, "gat": GAT (node tasks)}, {model label: test accuracy in [0, 1]}, the default
        model's label)``, labels "GCN", "GIN", "GAT" or the notebook model's.
    """
    epochs = spec.epochs[0] if quick else spec.epochs[1]
    data = dataset.data
    models, accuracy = {}, {}
    if choice == "notebooks":
        models["default"], label, accuracy[label] = spec.notebook_model(dataset, seed, quick)
    elif dataset.task == "node":
        config = TrainConfig(epochs=epochs, lr=0.01, weight_decay=0.0, patience=None)
        models["default"], report = load_or_train(
            lambda: GCN(data.num_features, dataset.num_classes, hidden_channels=20, dropout=spec.dropout,
                        num_layers=NUM_HOPS, input_dropout=False),
            lambda m: train_node_classifier(m, data, config=config, progress=False),
            name=f"benchmark-gcn-{spec.name}", key={"dataset": spec.name, "train": config.as_dict()}, seed=seed)
        label, accuracy["GCN"] = "GCN", report["test_acc"]
    else:
        train, val, test = ([data[i] for i in index.tolist()]
                            for index in (dataset.train_index, dataset.val_index, dataset.test_index))
        train = oversampled(train)
        config = TrainConfig(epochs=epochs, lr=0.01, weight_decay=0.0, patience=20, batch_size=64)
        models["default"], report = load_or_train(
            lambda: GIN(data[0].num_features, dataset.num_classes, hidden_channels=32, num_layers=NUM_HOPS),
            lambda m: train_graph_classifier(m, train, val, test, config=config, progress=False),
            name=f"benchmark-gin-{spec.name}", key={"dataset": spec.name, "quick": quick, "train": config.as_dict(),
                                                    "graphs": len(data), "training_graphs": len(train)}, seed=seed)
        label, accuracy["GIN"] = "GIN", report["test_acc"]
    if dataset.task == "node":
        models["gat"], report = train_concat_gnn(data, "gat", seed, epochs=epochs)
        accuracy["GAT"] = report["test_acc"]
    return models, accuracy, label


def oversampled(graphs: list[Data]) -> list[Data]:
    """``graphs`` with each class's graphs repeated ``round(largest class / class size)`` times, so that a rare
    class (Tox21's 5 % with pyridine) is not ignored by the classifier; balanced sets are returned unchanged."""
    labels = [int(g.y) for g in graphs]
    counts = {c: labels.count(c) for c in set(labels)}
    largest = max(counts.values())
    return [g for g, c in zip(graphs, labels) for _ in range(max(1, round(largest / counts[c])))]


@torch.no_grad()
def explained_instances(dataset: GroundTruthSet, model: nn.Module, seed: int, count: int) -> list[Instance]:
    """The instances every method explains: ``count`` correctly predicted candidates (``dataset.candidates``:
    motif nodes, each on its computation subgraph, or test graphs whose truth explains their label), drawn with
    ``seed`` and sorted by id.

    Raises:
        ValueError: if no instance qualifies.
    """
    generator = torch.Generator().manual_seed(seed)
    data = dataset.data
    if dataset.task == "node":
        pred = model(data.x, data.edge_index).argmax(-1)
        pool = dataset.candidates[pred[dataset.candidates] == data.y[dataset.candidates]]
    else:
        tested = set(dataset.test_index.tolist())
        pool = torch.tensor([i for i in dataset.candidates.tolist() if i in tested
                             and int(model(data[i].x, data[i].edge_index).argmax(-1)) == int(data[i].y)],
                            dtype=torch.long)
    if pool.numel() == 0:
        raise ValueError(f"dataset {dataset.name!r}: the model predicts no candidate correctly")
    chosen = pool[torch.randperm(pool.numel(), generator=generator)[:count]].sort().values.tolist()
    if dataset.task == "graph":
        return [Instance(i, data[i].x, data[i].edge_index, None, data[i].node_mask.bool(), data[i].edge_mask.bool())
                for i in chosen]
    out = []
    for v in chosen:
        subset, sub_edges, center, kept = computation_subgraph(v, NUM_HOPS, data.edge_index, data.num_nodes)
        out.append(Instance(v, data.x[subset], sub_edges, center, data.node_mask[subset].bool(),
                            data.edge_mask[kept].bool()))
    return out


# -- the run -------------------------------------------------------------------------------------------------------
def not_applicable(reason: str) -> dict:
    """A leaderboard cell for a method that does not apply: ``{"not_applicable": reason}``."""
    return {"not_applicable": reason}


def _build(spec: ExplainerSpec, models: dict, task: Task) -> tuple[Explainer | None, str | None]:
    """The method's explainer for this dataset, or the reason it does not apply."""
    model = models.get(spec.model)
    if model is None:
        return None, f"needs a {spec.model.upper()} model, and the workbook has none for {task.level} tasks"
    if spec.requires is not None and (reason := spec.requires(model, task)) is not None:
        return None, reason
    try:  # PyG's Explainer connects the algorithm, which refuses settings it does not support
        built = spec.factory(model, task)
        if isinstance(built, ExplainerAlgorithm):
            built = explainer_for(model, task, built)
    except ValueError as exc:
        return None, str(exc)
    return built, None


def _mask_level(explanation: Explanation, instance: Instance) -> tuple[str, Tensor, Tensor]:
    """The mask an explanation is judged by: its edge mask against the edge truth, else its node mask against the
    node truth."""
    if explanation.get("edge_mask") is not None and instance.edge_truth.any():
        return "edge", explanation.edge_mask, instance.edge_truth
    if explanation.get("node_mask") is not None and instance.node_truth.any():
        return "node", explanation.node_mask, instance.node_truth
    raise ValueError("the explanation has no mask that the ground truth covers")


def _explain(spec: ExplainerSpec, explainer: Explainer, model: nn.Module, instances: list[Instance],
             seed: int, dataset: GroundTruthSet) -> tuple[list[Explanation], float]:
    """Explain every instance; seconds per instance include the training of a fitted method (PGExplainer)."""
    calls = [inst.call() for inst in instances]
    fit_seconds = 0.0
    if explainer.explanation_type.value == "phenomenon":  # the target is the model's own prediction
        with torch.no_grad():
            for call in calls:
                call["target"] = model(call["x"], call["edge_index"]).argmax(-1)
    if spec.fit is not None:
        start = time.perf_counter()
        spec.fit(explainer, calls, seed, dataset)
        fit_seconds = time.perf_counter() - start
    explanations, seconds = explain_and_time(explainer, [dict(call, seed=seed) for call in calls])
    # detached: a mask still in an autograd graph keeps the graph alive and cannot leave a worker process
    return [e.detach() for e in explanations], seconds + fit_seconds / len(instances)


def _score(explanations: list[Explanation], instances: list[Instance], model: nn.Module) -> dict:
    """Per-seed numbers of one method: pooled and per-instance AUROC, and the truth-size fidelities (edge masks)."""
    levels, items, fidelities = set(), [], []
    for explanation, inst in zip(explanations, instances):
        level, mask, truth = _mask_level(explanation, inst)
        levels.add(level)
        items.append(instance_scores(level, mask, truth, inst.edge_index, inst.x.size(0), index=inst.index,
                                     num_hops=NUM_HOPS if inst.index is not None else None))
        if level == "edge":
            fidelities.append(truth_size_scores(model, inst.x, inst.edge_index, mask, truth, index=inst.index,
                                                num_hops=NUM_HOPS if inst.index is not None else None))
    auroc = groundtruth_auroc(items)
    out = {"level": "/".join(sorted(levels)), "auroc": auroc["pooled"], "auroc_per_instance": auroc["per_instance"]}
    if fidelities:
        for key in ("fid+", "fid-", "unfaithfulness"):
            out[key] = sum(f[key] for f in fidelities) / len(fidelities)
        out["characterization"] = characterization(out["fid+"], out["fid-"])
    return out


@dataclass
class BenchmarkResult:
    """What :func:`run_benchmark` measured.

    Attributes (dataset -> method -> cell, a cell being ``{"mean", "std", "n"}`` over seeds or ``{"not_applicable":
    reason}``):
        auroc: pooled ground-truth ROC-AUC (``level`` says whether edges or nodes were ranked).
        auroc_per_instance: the mean of the instances' own ROC-AUCs.
        fidelity: method -> ``{"fid+", "fid-", "characterization", "unfaithfulness"}`` cells, at the truth's size.
        sanity: method -> the model-randomisation summary (:func:`gnnexplain.metrics.sanity.sanity_summary`) on the
            first seed's first instances, or not applicable.
        seconds_per_instance: wall time per explained instance (training of fitted methods included).
        model_accuracy: dataset -> model -> test accuracy ``{"mean", "std", "n"}``.
        truth_fidelity: dataset -> ``{"fid+", "fid-", "characterization", "unfaithfulness"}`` cells of the ground
            truth itself taken as the explanation: a low fid+ or a high fid- says the model does not rest on it.
        instances: dataset -> seed -> the explained instances' ids. settings: the run's settings.
        explanations: ``{(dataset, seed, method): [Explanation]}``, ``explained``: ``{(dataset, seed):
            [Instance]}`` and ``ground_truths``: ``{(dataset, seed): GroundTruthSet}``, for the notebook and its
            explorer (not serialised).
    """

    auroc: dict = field(default_factory=dict)
    auroc_per_instance: dict = field(default_factory=dict)
    fidelity: dict = field(default_factory=dict)
    sanity: dict = field(default_factory=dict)
    seconds_per_instance: dict = field(default_factory=dict)
    model_accuracy: dict = field(default_factory=dict)
    truth_fidelity: dict = field(default_factory=dict)
    instances: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    explanations: dict = field(default_factory=dict, repr=False)
    explained: dict = field(default_factory=dict, repr=False)
    ground_truths: dict = field(default_factory=dict, repr=False)

    def to_json(self) -> dict:
        """The results JSON (issue 24): ``auroc``, ``auroc_per_instance``, ``fidelity``, ``sanity``,
        ``seconds_per_instance``, ``model_accuracy``, ``truth_fidelity``, ``instances`` and ``settings``, all plain
        JSON types, and ``quick`` (the notebooks' common key)."""
        return {**{key: getattr(self, key) for key in ("auroc", "auroc_per_instance", "fidelity", "sanity",
                                                       "seconds_per_instance", "model_accuracy", "truth_fidelity",
                                                       "instances", "settings")},
                "quick": self.settings.get("quick")}

    def methods_explained(self, dataset: str, seed: int) -> list[str]:
        """The methods with explanations on ``dataset`` under ``seed``, in the order they ran (an explorer's
        choices: the others do not apply there)."""
        return [m for (d, s, m) in self.explanations if d == dataset and s == seed]

    def save(self, out_dir, **extra) -> object:
        """Write :meth:`to_json` and the JSON-able ``extra`` entries (e.g. ``agreement=``) to
        ``<out_dir>/results/06_benchmark.json`` and return the path."""
        from gnnexplain.results import save_results

        return save_results({**self.to_json(), **extra}, notebook="06_benchmark", out_dir=out_dir)

    def leaderboard(self, metric: str = "auroc", *, digits: int = 3):
        """The leaderboard as a pandas ``DataFrame``: one row per method, one column per dataset, each cell
        ``"mean ± std"`` or ``"n/a: <reason>"``.

        Args:
            metric: one of :data:`METRICS`. digits: decimals shown, >= 0.
        Raises:
            ValueError: for an unknown ``metric`` or bad ``digits``.
        """
        import pandas as pd

        if metric not in METRICS:
            raise ValueError(f"metric={metric!r}; allowed: {', '.join(METRICS)}")
        check_number(digits, "digits", low=0, integer=True)
        table = self.fidelity if metric in FIDELITY_KEYS else getattr(self, metric)
        rows = {}
        for dataset, methods in table.items():
            for method, cell in methods.items():
                if metric in FIDELITY_KEYS and "not_applicable" not in cell:
                    cell = cell[metric]
                rows.setdefault(method, {})[dataset] = (f"n/a: {cell['not_applicable']}" if "not_applicable" in cell
                                                        else f"{cell['mean']:.{digits}f} ± {cell['std']:.{digits}f}")
        return pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(table))


def _cell(values: list[float], reason: str) -> dict:
    """mean ± std over seeds of the finite values, or not applicable with ``reason`` when there are none."""
    finite = [v for v in values if not math.isnan(v)]
    return mean_std(finite) if finite else not_applicable(reason)


def _check_names(names, registry: dict, what: str) -> list[str]:
    names = list(registry) if names is None else ([names] if isinstance(names, str) else list(names))
    unknown = [n for n in names if n not in registry]
    if not names or unknown or len(set(names)) != len(names):
        raise ValueError(f"{what}={names!r}: needs distinct registered names; unknown {unknown}; allowed: "
                         f"{', '.join(registry)}")
    return names


MODEL_CHOICES = ("benchmark", "notebooks")


def run_benchmark(explainers: Sequence[str] | None = None, datasets: Sequence[str] | None = None,
                  seeds: Sequence[int] = (0,), *, quick: bool = False, num_instances: int | None = None,
                  sanity_instances: int | None = None, models: str = "benchmark",
                  workers: int = 1) -> BenchmarkResult:
    """Run the one protocol: every method of ``explainers`` on every dataset of ``datasets`` for every seed.

    Args:
        explainers: registered method names (:data:`EXPLAINERS`); ``None``: all, in registration order.
        datasets: registered dataset names (:data:`DATASETS`); ``None``: all.
        seeds: distinct integers >= 0, at least one: each generates the data, trains the models, draws the
            instances and seeds the explainers; cells are mean ± std over them.
        quick: reduced settings (fewer graphs, epochs and instances).
        num_instances: explained instances per dataset and seed, >= 1 (default 8 quick, 30 full).
        sanity_instances: instances of the first seed given the model-randomisation test, >= 0 (default 1 quick, 5
            full; 0 skips the test); the test runs under the seeds ``seeds[0]`` and ``seeds[0] + 1``.
        models: ``"benchmark"``: the benchmark's own models (GCN / GIN, the GAT for attention); ``"notebooks"``:
            instead of the GCN / GIN, the model that the notebook reproducing the dataset's paper explains
            (:attr:`DatasetSpec.notebook_model`: notebook 05's ``ConcatGNN`` on GNNExplainer's four benchmarks,
            notebook 04's ``BA3MotifNet`` on BA-3motif), a control run that sets the benchmark's protocol beside
            those notebooks' numbers (:func:`agreement`).
        workers: processes that run the datasets in parallel, >= 1 (forked: Linux and macOS); a dataset's numbers
            do not depend on it, every stochastic step being seeded per dataset. One core each: set
            ``torch.set_num_threads(1)`` first.
    Returns:
        A :class:`BenchmarkResult`.
    Raises:
        ValueError: for an unknown or repeated name, no seed, repeated seeds, a count < 1 (``sanity_instances``
            < 0), an unknown ``models``, or ``models="notebooks"`` with a dataset no notebook explains.
        TypeError: for a seed, count or ``workers`` that is not an integer.
    """
    explainers = _check_names(explainers, EXPLAINERS, "explainers")
    datasets = _check_names(datasets, DATASETS, "datasets")
    seeds = [check_number(s, "seeds", low=0, integer=True) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds={seeds!r} must hold at least one seed, without repeats")
    num_instances = check_number((8 if quick else 30) if num_instances is None else num_instances,
                                 "num_instances", low=1, integer=True)
    sanity_instances = check_number((1 if quick else 5) if sanity_instances is None else sanity_instances,
                                    "sanity_instances", low=0, integer=True)
    if models not in MODEL_CHOICES:
        raise ValueError(f"models={models!r}; allowed: {', '.join(MODEL_CHOICES)}")
    if models == "notebooks" and (missing := [d for d in datasets if DATASETS[d].notebook_model is None]):
        raise ValueError(f"models='notebooks': no notebook explains {', '.join(missing)}; datasets with a notebook "
                         f"model: {', '.join(d for d, spec in DATASETS.items() if spec.notebook_model)}")
    workers = check_number(workers, "workers", low=1, integer=True)
    settings = {"explainers": explainers, "datasets": datasets, "seeds": seeds, "quick": bool(quick),
                "num_instances": num_instances, "sanity_instances": sanity_instances, "num_hops": NUM_HOPS,
                "models": models}
    if workers == 1 or len(datasets) == 1:
        return merged_results(settings, [_dataset_result(settings, name) for name in datasets])
    # fork: the children inherit the registries, so explainers registered in a notebook run there too
    with multiprocessing.get_context("fork").Pool(min(workers, len(datasets))) as pool:
        parts = pool.map(partial(_pickled_dataset_result, settings), datasets, chunksize=1)
    return merged_results(settings, [pickle.loads(part) for part in parts])


def _dataset_result(settings: dict, name: str) -> BenchmarkResult:
    """One dataset's :class:`BenchmarkResult` (a worker's share of :func:`run_benchmark`)."""
    result = BenchmarkResult(settings=settings)
    _run_dataset(result, DATASETS[name], settings["explainers"], settings["seeds"], settings["quick"],
                 settings["num_instances"], settings["sanity_instances"], settings["models"])
    return result


class _CompactPickler(pickle.Pickler):
    """Pickles a tensor that views a larger storage (a graph sliced from a PyG dataset) as a detached copy of its own
    elements: plain pickle would write the whole dataset's storage once per graph (gigabytes for Mutagenicity)."""

    def reducer_override(self, obj):
        if isinstance(obj, torch.Tensor) and obj.untyped_storage().nbytes() > obj.numel() * obj.element_size():
            return obj.detach().clone(memory_format=torch.contiguous_format).__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        return NotImplemented


def _pickled_dataset_result(settings: dict, name: str) -> bytes:
    # bytes, not the result: torch's multiprocessing pickler passes every tensor's storage as a file descriptor, and
    # a dataset's thousands of molecule tensors exhaust them ("received 0 items of ancdata")
    buffer = io.BytesIO()
    _CompactPickler(buffer, pickle.HIGHEST_PROTOCOL).dump(_dataset_result(settings, name))
    return buffer.getvalue()


def merged_results(settings: dict, parts: Sequence[BenchmarkResult]) -> BenchmarkResult:
    """One :class:`BenchmarkResult` with ``settings`` holding the datasets of ``parts``, in their order."""
    merged = BenchmarkResult(settings=settings)
    for part in parts:
        for key in (f.name for f in dataclasses.fields(BenchmarkResult) if f.name != "settings"):
            getattr(merged, key).update(getattr(part, key))
    return merged


def _run_dataset(result: BenchmarkResult, spec: DatasetSpec, explainers: list[str], seeds: list[int], quick: bool,
                 num_instances: int, sanity_instances: int, model_choice: str) -> None:
    per_seed, accuracy, reasons, truth_runs = {m: [] for m in explainers}, {}, {}, []
    result.instances[spec.name] = {}
    for seed in seeds:
        dataset = result.ground_truths[spec.name, seed] = spec.load(seed, quick)
        models, acc, default = train_models(spec, dataset, seed, quick, model_choice)
        for label, value in acc.items():
            accuracy.setdefault(label, []).append(value)
        instances = explained_instances(dataset, models["default"], seed, num_instances)
        result.instances[spec.name][str(seed)] = [inst.id for inst in instances]
        result.explained[spec.name, seed] = instances
        truth_runs.append(_truth_fidelity(instances, models["default"]))
        for method in explainers:
            method_spec = EXPLAINERS[method]
            task = Task(spec.name, dataset.task, NUM_HOPS, {"default": default, "gat": "GAT"}[method_spec.model], quick)
            explainer, reason = _build(method_spec, models, task)
            if explainer is None:
                reasons[method] = reason
                continue
            explanations, seconds = _explain(method_spec, explainer, explainer.model, instances, seed, dataset)
            result.explanations[spec.name, seed, method] = explanations
            per_seed[method].append({**_score(explanations, instances, explainer.model), "seconds": seconds})
            if seed == seeds[0]:
                result.sanity.setdefault(spec.name, {})[method] = (
                    _sanity(method_spec, explainer, instances, sanity_instances, seed, dataset) if sanity_instances
                    else not_applicable("not run (sanity_instances=0)"))
    result.model_accuracy[spec.name] = {label: mean_std(values) for label, values in accuracy.items()}
    result.truth_fidelity[spec.name] = {key: _cell([r[key] for r in truth_runs], "no finite value")
                                        for key in FIDELITY_KEYS}
    for key in ("auroc", "auroc_per_instance", "seconds_per_instance", "fidelity"):
        getattr(result, key)[spec.name] = {}
    for method in explainers:
        runs = per_seed[method]
        if not runs:
            cell = not_applicable(reasons[method])
            for key in ("auroc", "auroc_per_instance", "seconds_per_instance", "fidelity", "sanity"):
                getattr(result, key).setdefault(spec.name, {})[method] = cell
            continue
        level = runs[0]["level"]
        result.auroc[spec.name][method] = {**mean_std([r["auroc"] for r in runs]), "level": level}
        result.auroc_per_instance[spec.name][method] = {
            **_cell([r["auroc_per_instance"] for r in runs], "no instance holds both classes of ground truth"),
            "level": level}
        result.seconds_per_instance[spec.name][method] = mean_std([r["seconds"] for r in runs])
        result.fidelity[spec.name][method] = (
            {key: mean_std([r[key] for r in runs]) for key in FIDELITY_KEYS} if "fid+" in runs[0] else
            not_applicable(f"fidelity at the truth's size keeps the top-k edges; {method} gives a {level} mask"))


def _truth_fidelity(instances: list[Instance], model: nn.Module) -> dict:
    """The fidelities of the ground truth itself as the explanation (its edges kept or removed): how much the
    model's prediction rests on the planted truth (Faber et al., KDD 2021)."""
    scores = [truth_size_scores(model, inst.x, inst.edge_index, inst.edge_truth.float(), inst.edge_truth,
                                index=inst.index, num_hops=NUM_HOPS if inst.index is not None else None)
              for inst in instances]
    out = {key: sum(s[key] for s in scores) / len(scores) for key in ("fid+", "fid-", "unfaithfulness")}
    return {**out, "characterization": characterization(out["fid+"], out["fid-"])}


def _sanity(spec: ExplainerSpec, explainer: Explainer, instances: list[Instance], count: int, seed: int,
            dataset: GroundTruthSet) -> dict:
    """The model-randomisation test on the first ``count`` instances (PGExplainer refitted on each random model)."""
    chosen = instances[:count]
    calls = [inst.call() for inst in chosen]
    if explainer.explanation_type.value == "phenomenon":
        with torch.no_grad():
            for call in calls:
                call["target"] = explainer.model(call["x"], call["edge_index"]).argmax(-1)
    fit = None if spec.fit is None else {spec.name: lambda e: spec.fit(e, calls, seed, dataset)}
    return sanity_checks({spec.name: explainer}, calls, seeds=(seed, seed + 1), fit=fit)[spec.name]


def disagreements(result: BenchmarkResult, fidelity: str = "fid+", *, margin: float = 0.1) -> list[dict]:
    """Where ground-truth AUROC and fidelity order two methods oppositely (Faber et al., KDD 2021): on one
    dataset, method ``a`` beats ``b`` by more than ``margin`` in AUROC while ``b`` beats ``a`` by more than
    ``margin`` in ``fidelity`` (for ``fid-`` and ``unfaithfulness``, lower is better).

    Args:
        result: a :class:`BenchmarkResult`. fidelity: one of :data:`FIDELITY_KEYS`. margin: >= 0.
    Returns:
        ``[{"dataset", "truth_prefers", "model_prefers", "auroc": (a, b), fidelity: (a, b)}]`` (means).
    Raises:
        ValueError: for an unknown ``fidelity`` or a negative ``margin``.
    """
    if fidelity not in FIDELITY_KEYS:
        raise ValueError(f"fidelity={fidelity!r}; allowed: {', '.join(FIDELITY_KEYS)}")
    check_number(margin, "margin", low=0)
    sign = -1 if fidelity in ("fid-", "unfaithfulness") else 1
    out = []
    for dataset, methods in result.fidelity.items():
        scored = {m: (result.auroc[dataset][m]["mean"], cell[fidelity]["mean"]) for m, cell in methods.items()
                  if "not_applicable" not in cell}
        for a, (auroc_a, fid_a) in scored.items():
            for b, (auroc_b, fid_b) in scored.items():
                if auroc_a - auroc_b > margin and sign * (fid_b - fid_a) > margin:
                    out.append({"dataset": dataset, "truth_prefers": a, "model_prefers": b,
                                "auroc": (auroc_a, auroc_b), fidelity: (fid_a, fid_b)})
    return out


#: The rows of :func:`agreement` in notebook 06: ``(method in the leaderboard, method of the control run, the
#: notebook's own name for it)``. The control run explains notebook 05's model with notebook 05's Saliency and
#: GNNExplainer (registered under these names by :func:`control_run`, for its run only: the authors' settings,
#: docs/05_gnnexplainer_xgnn.md) and with the benchmark's PGExplainer and ReFine, which are notebook 05's and 04's.
AGREEMENT_ROWS = (("Saliency", "Saliency (notebook 05)", "Saliency"),
                  ("GNNExplainer", "GNNExplainer (notebook 05)", "GNNExplainer"),
                  ("PGExplainer", "PGExplainer", "PGExplainer"),
                  ("ReFine", "ReFine", "ReFine"))


def control_run(seeds: Sequence[int], *, quick: bool, num_instances: int | None = None,
                workers: int = 1) -> BenchmarkResult:
    """The control run of :func:`agreement`: the benchmark's protocol (instances, metric, seeds) on the notebooks'
    models with the notebooks' methods, so that a difference from the leaderboard can be told apart from a
    difference of protocol.

    GNNExplainer's four benchmarks: notebook 05's ``ConcatGNN`` explained by notebook 05's Saliency (of the
    log-probabilities) and GNNExplainer (the authors' settings, 300 epochs), both registered for this run only
    under the names of :data:`AGREEMENT_ROWS`, and by the benchmark's PGExplainer (notebook 05's settings).
    BA-3motif: notebook 04's ``BA3MotifNet`` explained by the benchmark's ReFine (notebook 04's setup). No sanity
    check (``sanity_instances=0``).

    Args:
        seeds, quick, num_instances, workers: as for :func:`run_benchmark`.
    Returns:
        One :class:`BenchmarkResult` holding the five datasets (``settings["models"] == "notebooks"``).
    """
    saved = dict(EXPLAINERS)
    try:
        for method in ("Saliency", "GNNExplainer"):
            register_explainer(f"{method} (notebook 05)",
                               lambda model, task, method=method: table1_explainer(model, method))
        parts = [run_benchmark(["Saliency (notebook 05)", "GNNExplainer (notebook 05)", "PGExplainer"],
                               list(NOTEBOOK05_BENCHMARKS), seeds, quick=quick, num_instances=num_instances,
                               sanity_instances=0, models="notebooks", workers=workers),
                 run_benchmark(["ReFine"], ["BA-3motif"], seeds, quick=quick, num_instances=num_instances,
                               sanity_instances=0, models="notebooks")]
    finally:
        EXPLAINERS.clear()
        EXPLAINERS.update(saved)
    return merged_results({**parts[0].settings, "explainers": [m for p in parts for m in p.settings["explainers"]],
                           "datasets": [d for p in parts for d in p.settings["datasets"]]}, parts)


def agreement(result: BenchmarkResult, control: BenchmarkResult, reference: dict,
              rows: Sequence[tuple[str, str, str]] = AGREEMENT_ROWS):
    """The benchmark's ground-truth AUROC beside a notebook's own, with a control run in between.

    For each dataset of ``control`` and each row ``(method, control method, reference method)`` that all three
    hold: the leaderboard's cell (the benchmark's model and method), the control's (``run_benchmark(...,
    models="notebooks")``: the notebook's model, and the notebook's implementation where it differs), the
    notebook's own number, and whether the control and the notebook agree: their mean ± std intervals overlap,
    ``|difference| <= std_control + std_notebook`` (the issue's "to within their std"); ``None`` for a control
    of one seed, which has no std (QUICK mode).

    Args:
        result: the leaderboard's :class:`BenchmarkResult`. control: the control run.
        reference: dataset -> the notebook's method name -> ``{"mean", "std", ...}`` (notebook 05's
            ``explanation_auc``, notebook 04's ``groundtruth_auroc``, from their results JSON).
        rows: the method triples (default :data:`AGREEMENT_ROWS`).
    Returns:
        A pandas ``DataFrame`` indexed by (dataset, method) with columns "leaderboard", "control (notebook's
        model)", "notebook", "difference" (control − notebook) and "agrees"; cells "mean ± std"; a missing cell is
        "–".
    Raises:
        ValueError: if ``control`` did not run with ``models="notebooks"``.
    """
    import pandas as pd

    if control.settings.get("models") != "notebooks":
        raise ValueError("control must come from run_benchmark(..., models='notebooks')")

    def text(cell):
        return f"{cell['mean']:.3f} ± {cell['std']:.3f}" if cell and "mean" in cell else "–"

    columns = ["dataset", "method", "leaderboard", "control (notebook's model)", "notebook", "difference", "agrees"]
    table = []
    for dataset, cells in control.auroc.items():
        for method, control_method, reference_method in rows:
            ours, theirs = cells.get(control_method), reference.get(dataset, {}).get(reference_method)
            if not (ours and "mean" in ours and theirs):
                continue
            difference = ours["mean"] - theirs["mean"]
            table.append([dataset, method, text(result.auroc.get(dataset, {}).get(method)), text(ours), text(theirs),
                          round(difference, 3),
                          abs(difference) <= ours["std"] + theirs["std"] if ours["n"] > 1 else None])
    return pd.DataFrame(table, columns=columns).set_index(["dataset", "method"])


def notebook_references(out_dir, quick: bool) -> tuple[dict, list[str]]:
    """The numbers :func:`agreement` compares with: notebook 05's ``explanation_auc`` (GNNExplainer's four
    benchmarks) and notebook 04's ``groundtruth_auroc`` (BA-3motif), read from ``<out_dir>/results/``.

    A notebook's numbers are used only when its results JSON exists and ran in the same mode (``quick``).

    Returns:
        ``(dataset -> method -> {"mean", "std", ...}, notes)``, a note per notebook left out, saying why.
    """
    import json
    from pathlib import Path

    reference, notes = {}, []
    for notebook, key in (("05_gnnexplainer_xgnn", "explanation_auc"), ("04_refine", "groundtruth_auroc")):
        path = Path(out_dir) / "results" / f"{notebook}.json"
        if not path.is_file():
            notes.append(f"{notebook}: no results at {path}; run that notebook first (make reproduce runs it)")
            continue
        results = json.loads(path.read_text())
        if results.get("quick") != bool(quick):
            notes.append(f"{notebook}: {path} ran with quick={results.get('quick')}, this run with quick={quick}")
            continue
        if key not in results:
            notes.append(f"{notebook}: {path} has no {key!r} (an older run); run that notebook again")
            continue
        reference.update({"BA-3motif": results[key]} if notebook == "04_refine" else results[key])
    return reference, notes
