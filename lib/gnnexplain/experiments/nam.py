"""Notebook 02's experiment (Xie & Lu, NAM): NAM configured as a PyG explainer for a GCN, and the baseline rankings
of the neighbour-deletion experiment (Saliency, Integrated Gradients, GNNExplainer), each explained on the node's
computation subgraph (docs/02_nam.md §2.4), and the model-randomisation check of every method the notebook shows."""

from __future__ import annotations

import time

import torch
from torch import Tensor
from torch_geometric.explain.algorithm import GNNExplainer
from torch_geometric.utils import k_hop_subgraph
from tqdm import tqdm  # text bars: a notebook widget bar closed by leave=False is a dead view once saved

from gnnexplain.core.masks import SafeExplainer
from gnnexplain.data import DatasetUnavailableError, load_dataset
from gnnexplain.experiments.common import NODE_METHODS, explain_and_time, node_explainer
from gnnexplain.explain.nam import NAM, NAM_TARGETS, nam_autograd, nam_bias_share, nam_contributions, nam_self_walk
from gnnexplain.metrics import perturbation_experiment
from gnnexplain.metrics.sanity import model_randomization_test, sanity_summary
from gnnexplain.models import TrainConfig, load_or_train, train_node_classifier
from gnnexplain.models.gcn import GCN
from gnnexplain.validation import check_node_indices, check_optimisation


def explainer_node_scores(explainer, x: Tensor, edge_index: Tensor, nodes, *, hops: int = 2,
                          seed: int = 0, progress: bool = False) -> Tensor:
    """Per-node attribution scores ``[T, N]`` from a PyG explainer, one explanation per centre node.

    Each explanation runs on the (K+1)-hop subgraph of the centre node: it holds every edge into nodes
    within K hops, so a K-layer GCN's output at the centre, and hence Saliency and Integrated Gradients,
    are exactly those of the full graph, at a fraction of the cost. The node mask ``[n, F]`` is summed over
    features (signed; Saliency and GNNExplainer masks are non-negative) and placed in row t.

    Args:
        explainer: a ``torch_geometric.explain.Explainer`` (e.g. :func:`gnnexplain.experiments.common.node_explainer`).
        x: ``[N, F]``; edge_index: ``[2, E]``; nodes: centre nodes ``[T]``.
        hops: K (the model's number of layers), >= 1.
        seed: passed to a :class:`SafeExplainer` for stochastic explainers (GNNExplainer).
        progress: show a tqdm bar.
    Returns:
        FloatTensor ``[T, N]``; zero outside each centre's (K+1)-hop subgraph.
    Raises:
        IndexError: for a node outside the graph; ValueError for ``hops < 1``.
    """
    if not isinstance(hops, int) or hops < 1:
        raise ValueError(f"hops={hops!r} must be an integer >= 1")
    nodes = check_node_indices(nodes, x.size(0))
    out = torch.zeros(nodes.numel(), x.size(0))
    extra = {"seed": seed} if isinstance(explainer, SafeExplainer) else {}
    for t, node in enumerate(tqdm(nodes.tolist(), desc="explain", leave=False, disable=not progress)):
        subset, sub_edges, mapping, _ = k_hop_subgraph(node, hops + 1, edge_index, relabel_nodes=True,
                                                       num_nodes=x.size(0))
        (explanation,), _ = explain_and_time(explainer, [dict(x=x[subset], edge_index=sub_edges,
                                                              index=int(mapping[0]), **extra)])
        out[t, subset] = explanation.node_mask.detach().reshape(subset.numel(), -1).sum(-1).float()
    return out


def ranking_explainer(model: torch.nn.Module, method: str, *, gnnexplainer_epochs: int = 200,
                      gnnexplainer_lr: float = 0.01):
    """The explainer behind a baseline ranking of neighbours in the deletion experiment.

    ``"Saliency"`` and ``"Integrated Gradients"`` are :func:`gnnexplain.experiments.common.node_explainer` (feature
    masks, summed per node by :func:`explainer_node_scores`). ``"gnnexplainer"`` learns one mask value per
    *node* (``node_mask_type="object"``) plus the edge mask: a node ranking is what this experiment deletes
    by, and it is 2-4x cheaper than the ``[N, F]`` feature mask ([proposal]; Ying et al. 2019 learn both).
    ``gnnexplainer_epochs`` and ``gnnexplainer_lr`` are its optimisation settings (lr default: PyG's 0.01).

    Raises:
        ValueError: for a ``method`` outside :data:`NODE_METHODS`.
    """
    if method not in NODE_METHODS:
        raise ValueError(f"unknown method={method!r}; allowed: {', '.join(NODE_METHODS)}")
    if method != "GNNExplainer":
        return node_explainer(model, method)
    check_optimisation(gnnexplainer_epochs, gnnexplainer_lr)
    return SafeExplainer(model, GNNExplainer(epochs=gnnexplainer_epochs, lr=gnnexplainer_lr),
                         explanation_type="model", node_mask_type="object", edge_mask_type="object",
                         model_config=dict(mode="multiclass_classification", task_level="node", return_type="raw"))


def nam_explainer(model: GCN, *, target: str = "pred", method: str = "auto") -> SafeExplainer:
    """A :class:`SafeExplainer` running :class:`NAM` on a GCN node classifier that returns logits.

    Args:
        model: a :class:`GCN`.
        target: ``"pred"`` explains the predicted class (``explanation_type="model"``); ``"true"`` explains
            a class passed as ``target`` at call time, e.g. the labels (``"phenomenon"``; the paper's choice).
        method: see :func:`gnnexplain.explain.nam.nam_contributions`.
    Raises:
        ValueError: for an unknown ``target`` or ``method``. TypeError: for a model other than GCN.
    """
    if target not in NAM_TARGETS:
        raise ValueError(f"unknown target={target!r}; allowed: {', '.join(NAM_TARGETS)}")
    if not isinstance(model, GCN):
        raise TypeError(f"NAM supports model=gnnexplain.models.GCN, got {type(model).__name__}")
    return SafeExplainer(model, NAM(method), explanation_type="model" if target == "pred" else "phenomenon",
                         node_mask_type="object", edge_mask_type=None,
                         model_config=dict(mode="multiclass_classification", task_level="node",
                                           return_type="raw"))


PAPER_TABLE1 = {"Cora": (2708, 5429, 1433, 7), "CiteSeer": (3327, 4732, 3703, 6), "PubMed": (19717, 44338, 500, 3)}
"""Nodes, edges, features and classes per dataset, Xie & Lu's Table 1."""

PAPER_GCN_ACCURACY = {"Cora": 0.815, "CiteSeer": 0.703, "PubMed": 0.790}
"""GCN test accuracy on the public split, Kipf & Welling (ICLR 2017), Table 2."""

PAPER_NODES = {"Cora": (1358, 919), "CiteSeer": (1422, 2064), "PubMed": (11450, 14751)}
"""``(centre node, its most influential 1-hop neighbour)`` of the NIV examples, Xie & Lu's Figs. 7–9."""


def load_graphs(names) -> dict:
    """Load the citation graphs with row-normalised features (Kipf & Welling), skipping unavailable ones.

    Args:
        names: dataset names, e.g. ``["Cora", "CiteSeer", "PubMed"]``.
    Returns:
        ``{"graphs": {name: (dataset, data)}, "skipped": {name: reason}}``, in the order of ``names``; a dataset
        whose raw files can be neither found nor downloaded (:class:`gnnexplain.data.DatasetUnavailableError`)
        is skipped with the error's message.
    """
    import torch_geometric.transforms as T

    out = {"graphs": {}, "skipped": {}}
    for name in names:
        try:
            dataset = load_dataset(name, transform=T.NormalizeFeatures())
        except DatasetUnavailableError as exc:
            out["skipped"][name] = str(exc)
            continue
        out["graphs"][name] = (dataset, dataset[0])
    return out


def dataset_table(graphs: dict):
    """Size and split of each loaded graph next to the paper's Table 1 (:data:`PAPER_TABLE1`).

    Args:
        graphs: ``{name: (dataset, data)}`` from :func:`load_graphs`; ``data`` has the Planetoid masks.
    Returns:
        ``pandas.DataFrame``, one row per dataset.
    """
    import pandas as pd

    rows = {}
    for name, (dataset, data) in graphs.items():
        nodes, edges, _, _ = PAPER_TABLE1[name]
        split = " / ".join(str(int(m.sum())) for m in (data.train_mask, data.val_mask, data.test_mask))
        rows[name] = {"nodes": data.num_nodes, "undirected edges": data.num_edges // 2,
                      "features": dataset.num_features, "classes": dataset.num_classes, "train / val / test": split,
                      "paper (Xie & Lu, Table 1): nodes / edges": f"{nodes} / {edges}"}
    return pd.DataFrame(rows).T


def train_gcns(graphs: dict, *, seed: int = 0) -> dict:
    """The two-layer GCN of Kipf & Welling per graph (default :class:`TrainConfig`), cached, with its predictions.

    Args:
        graphs: ``{name: (dataset, data)}`` from :func:`load_graphs`. seed: training seed.
    Returns:
        ``{"models": {name: GCN}, "reports": {name: training report}, "predictions": {name: LongTensor [N]}}``.
    """
    config = TrainConfig()
    out = {"models": {}, "reports": {}, "predictions": {}}
    for name, (dataset, data) in graphs.items():
        model, out["reports"][name] = load_or_train(
            lambda d=dataset: GCN(d.num_features, d.num_classes),
            lambda m, d=data: train_node_classifier(m, d, config=config, progress=False),
            name=f"gcn-{name.lower()}", key={"dataset": name, "split": "public", "features": "normalized",
                                             "train": config.as_dict()}, seed=seed)
        out["models"][name] = model
        with torch.no_grad():
            out["predictions"][name] = model(data.x, data.edge_index).argmax(-1)
    return out


def _best_seconds(fn, repeats: int = 3) -> float:
    return min(explain_and_time(fn, [{}])[1] for _ in range(repeats))


def identity_check(model: GCN, data, predictions: Tensor, *, sample_size: int, seed: int = 0) -> dict[str, float]:
    """NAM's identities checked on a real graph, and the closed form timed against autograd (docs/02_nam.md §2.2).

    On ``sample_size`` random nodes (seeded), the closed form is compared with autograd gradient × input; on all
    nodes, the contributions plus the biases' share are compared with the logit of the predicted class.

    Args:
        model: a 2-layer :class:`GCN` in eval mode. data: ``x [N, F]``, ``edge_index [2, E]``.
        predictions: LongTensor ``[N]``, the class explained at each node. sample_size: nodes checked against
            autograd, >= 1. seed: seeds the sample.
    Returns:
        ``{check: value}``: the largest errors (float32 round-off when the identities hold; 0 beyond 2 hops), the
        walk ``a -> a -> a``'s mean share of Σ |NAM| in [0, 1], the stored contributions (nnz) and the seconds of
        both routes for all nodes (autograd extrapolated from the sample).
    Raises:
        ValueError: for ``sample_size < 1`` (and the errors of :func:`gnnexplain.explain.nam.nam_contributions`).
    """
    if sample_size < 1:
        raise ValueError(f"sample_size={sample_size} must be >= 1")
    x, ei, n = data.x, data.edge_index, data.num_nodes
    seconds_all = _best_seconds(lambda: nam_contributions(model, x, ei))
    contributions = nam_contributions(model, x, ei)                      # [N, N] sparse, predicted classes
    logits = model(x, ei).detach()
    conservation = (torch.sparse.sum(contributions, 1).to_dense() + nam_bias_share(model, x, ei)
                    - logits[torch.arange(n), predictions])
    sample = torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:sample_size]
    dense = contributions.index_select(0, sample).to_dense()
    autograd, seconds_each = explain_and_time(lambda a: nam_autograd(model, x, ei, a, int(predictions[a])),
                                              [{"a": int(a)} for a in sample])
    autograd = torch.stack(autograd)
    beyond = max(float(autograd[i][~torch.isin(torch.arange(n), k_hop_subgraph(int(a), 2, ei, num_nodes=n)[0])]
                       .abs().max()) for i, a in enumerate(sample))
    mass = torch.zeros(n).index_add_(0, contributions.indices()[0], contributions.values().abs())
    self_walk_share = nam_self_walk(model, x, ei).abs() / mass.clamp_min(1e-12)
    return {"max |closed form - grad x input|": float((dense - autograd).abs().max()),
            "max |sum NAM + bias share - logit|": float(conservation.abs().max()),
            "max |grad x input| beyond 2 hops": beyond, "stored contributions (nnz)": contributions._nnz(),
            "walk a->a->a: mean share of sum |NAM|": float(self_walk_share.mean()),
            "closed form, all nodes (s)": seconds_all,
            "autograd loop, all nodes (s, extrapolated)": seconds_each * n,
            "speed-up": seconds_each * n / seconds_all}


def sample_test_nodes(data, num_nodes: int, *, seed: int = 0) -> Tensor:
    """A seeded random sample of ``num_nodes`` test nodes of ``data`` (``test_mask [N]``), in id order: the nodes
    of the deletion experiment and, fewer of them, of the sanity check.

    Returns:
        LongTensor ``[min(num_nodes, test nodes)]``; with the same ``seed``, the sample of ``k`` nodes is part
        of the sample of any larger ``num_nodes``.
    Raises:
        ValueError: for ``num_nodes < 1``.
    """
    if not isinstance(num_nodes, int) or num_nodes < 1:
        raise ValueError(f"num_nodes={num_nodes!r} must be an integer >= 1")
    test = data.test_mask.nonzero().view(-1)
    pick = torch.randperm(test.numel(), generator=torch.Generator().manual_seed(seed))[:num_nodes]
    return test[pick.sort().values]


def perturbation_study(model: GCN, data, *, num_nodes: int, random_seeds: int, gnnexplainer_epochs: int,
                       gnnexplainer_lr: float = 0.01, seed: int = 0) -> dict:
    """The neighbour-deletion experiment (Xie & Lu §4.1, Fig. 6; docs/02_nam.md §2.4) on ``num_nodes`` test nodes.

    The test nodes are a seeded random sample (in id order); they are ranked by NAM (predicted and true class)
    and by each baseline of :data:`NODE_METHODS` (:func:`ranking_explainer`), and deleted by
    :func:`gnnexplain.metrics.perturbation_experiment` with ``random_seeds`` random orders.

    Args:
        model: a 2-layer :class:`GCN`. data: with ``test_mask``, ``y``. num_nodes: test nodes, >= 1.
        random_seeds: seeds 0 .. random_seeds-1 of the random baseline. gnnexplainer_epochs, gnnexplainer_lr:
            GNNExplainer's epochs and learning rate. seed: seeds the sample (:func:`sample_test_nodes`) and
            GNNExplainer.
    Returns:
        ``{"result": PerturbationResult, "seconds": {"rankings (s)", "deletion runs (s)"}}``.
    """
    x, ei = data.x, data.edge_index
    nodes = sample_test_nodes(data, num_nodes, seed=seed)
    start = time.perf_counter()
    rankings = {"NAM": nam_contributions(model, x, ei, index=nodes),
                "NAM (true class)": nam_contributions(model, x, ei, index=nodes, target=data.y[nodes])}
    for method in NODE_METHODS:
        explainer = ranking_explainer(model, method, gnnexplainer_epochs=gnnexplainer_epochs,
                                      gnnexplainer_lr=gnnexplainer_lr)
        rankings[method] = explainer_node_scores(explainer, x, ei, nodes, seed=seed)
    explain_seconds = time.perf_counter() - start
    start = time.perf_counter()
    result = perturbation_experiment(model, data, nodes, rankings, random_seeds=range(random_seeds), progress=False)
    return {"result": result,
            "seconds": {"rankings (s)": explain_seconds, "deletion runs (s)": time.perf_counter() - start}}


SANITY_METHODS = ("NAM", "NAM (true class)", *NODE_METHODS)
"""Display names of the methods whose masks notebook 02 shows, in the order of its tables."""


def sanity_table(models: dict, graphs: dict, *, num_nodes: int, seeds=(0, 1), gnnexplainer_epochs: int,
                 gnnexplainer_lr: float = 0.01, seed: int = 0) -> dict[str, dict]:
    """The model-parameter randomisation test (Adebayo et al., NeurIPS 2018; rule: docs/metrics.md) of every method
    of :data:`SANITY_METHODS`, as the deletion experiment and the explorer configure it (:func:`nam_explainer`,
    :func:`ranking_explainer`), pooled over the graphs: the results JSON's ``sanity`` entry.

    On each graph, ``num_nodes`` test nodes drawn by :func:`sample_test_nodes` (part of the deletion experiment's
    sample drawn with the same ``seed``) are explained on their 2-hop computation subgraphs (exact logits of a
    2-layer GCN); "NAM (true class)" explains each node's label.

    Args:
        models: ``{name: 2-layer GCN}``. graphs: ``{name: (dataset, data)}`` (:func:`load_graphs`), at least one.
        num_nodes: test nodes per graph, >= 1. seeds: at least two distinct seeds (the noise floor).
        gnnexplainer_epochs, gnnexplainer_lr: GNNExplainer's settings. seed: seeds the node sample.
    Returns:
        ``{method: {"rho_randomized_model", "rho_seeds", "passes", "n", "n_undefined"}}``
        (:func:`gnnexplain.metrics.sanity.sanity_summary`), ``n`` = explained nodes over all graphs.
    Raises:
        ValueError: for no graph, ``num_nodes < 1`` or fewer than two seeds.
    """
    if not graphs:
        raise ValueError("graphs must hold at least one graph")
    tests = {method: [] for method in SANITY_METHODS}
    for name, (_, data) in graphs.items():
        model = models[name]
        explainers = {"NAM": nam_explainer(model), "NAM (true class)": nam_explainer(model, target="true"),
                      **{m: ranking_explainer(model, m, gnnexplainer_epochs=gnnexplainer_epochs,
                                              gnnexplainer_lr=gnnexplainer_lr) for m in NODE_METHODS}}
        for node in sample_test_nodes(data, num_nodes, seed=seed).tolist():
            inputs = dict(x=data.x, edge_index=data.edge_index, index=node)
            for method, explainer in explainers.items():
                extra = {"target": data.y} if method == "NAM (true class)" else {}
                tests[method].append(model_randomization_test(explainer, {**inputs, **extra}, seeds=seeds,
                                                              num_hops=2))
    return {method: sanity_summary(results) for method, results in tests.items()}
