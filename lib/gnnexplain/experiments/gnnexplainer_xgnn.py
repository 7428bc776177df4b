"""Notebook 05's experiment, part 1: the explainers of GNNExplainer's Table 1 (Ying et al., NeurIPS 2019) on the
synthetic benchmarks: Att (GAT attention, PyG's ``AttentionExplainer``), Grad (Saliency: the gradient of the loss on
the edge mask, Captum ``Saliency``), GNNExplainer (:class:`~gnnexplain.explain.gnnexplainer.SubgraphGNNExplainer`:
the authors' settings on the node's computation subgraph) and PGExplainer (Luo et al., NeurIPS 2020), all run through
:class:`SafeExplainer` and all returning an edge mask ``[E]`` (no feature mask: the benchmarks' features carry no
signal); their edge ROC-AUC (Table 1) and GNNExplainer's sensitivity to its settings
(docs/05_gnnexplainer_xgnn.md §5.1)."""

from __future__ import annotations

import time
from collections.abc import Mapping

import torch
from torch import Tensor
from torch_geometric.explain.algorithm import AttentionExplainer, CaptumExplainer, PGExplainer

from gnnexplain.core.masks import SafeExplainer
from gnnexplain.experiments.common import explain_and_time
from gnnexplain.explain.gnnexplainer import GNNEXPLAINER_SETTINGS, SubgraphGNNExplainer
from gnnexplain.explain.pgexplainer import fit_pgexplainer
from gnnexplain.metrics.groundtruth import edge_auc

TABLE1_METHODS = ("Att", "Grad", "GNNExplainer", "PGExplainer")
_MODEL_CONFIG = dict(mode="multiclass_classification", task_level="node", return_type="raw")


class _LogProbs(torch.nn.Module):
    """``log_softmax`` of a node classifier's logits, so that Captum's saliency differentiates the loss.

    The paper's Grad baseline is the gradient of the model's *loss* with respect to the adjacency
    (Ying et al. 2019, §4.2; repo ``explain.py::adj_feat_grad``: ``|∂(−log p_y)/∂A|``). Saliency on the
    predicted class of this wrapper gives ``|∂ log p_ŷ / ∂ edge mask|``, the same magnitude.

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
        method: ``"Att"`` (attention coefficients, max over layers), ``"Grad"`` (|∂(−log p_ŷ) / ∂ edge mask|,
            the gradient of the loss of the predicted class ŷ: the paper's gradient baseline), ``"GNNExplainer"``
            (:class:`SubgraphGNNExplainer`, the authors' settings: ``epochs`` 300, ``lr`` 0.1) or ``"PGExplainer"``
            (``epochs`` of training, default 30, ``lr`` default 0.003; train it with :func:`train_pgexplainer`).
        epochs, lr: override the defaults above (unused by Att and Grad).
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
    if settings and method != "GNNExplainer":
        raise ValueError(f"settings {sorted(settings)} apply to method='GNNExplainer' only, not {method!r}")
    kind, config = "model", _MODEL_CONFIG
    if method == "Att":
        algorithm = AttentionExplainer(reduce="max")
    elif method == "Grad":
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


