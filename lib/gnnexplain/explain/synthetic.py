"""The explainers of GNNExplainer's Table 1 (Ying et al., NeurIPS 2019) on the synthetic benchmarks:
Att (GAT attention, PyG's ``AttentionExplainer``), Grad (edge-mask gradient, Captum ``Saliency``),
GNNExplainer and PGExplainer (Luo et al., NeurIPS 2020), all run through :class:`SafeExplainer` and all
returning an edge mask ``[E]`` (no feature mask: the benchmarks' features carry no signal)."""

from __future__ import annotations

import time

import torch
from torch import Tensor
from torch_geometric.explain.algorithm import AttentionExplainer, CaptumExplainer, GNNExplainer, PGExplainer

from gnnexplain.explain.safety import SafeExplainer, fit_pgexplainer

TABLE1_METHODS = ("Att", "Grad", "GNNExplainer", "PGExplainer")
_MODEL_CONFIG = dict(mode="multiclass_classification", task_level="node", return_type="raw")


def table1_explainer(model: torch.nn.Module, method: str, *, epochs: int = 100, lr: float = 0.01) -> SafeExplainer:
    """A :class:`SafeExplainer` with an edge mask for one method of :data:`TABLE1_METHODS`.

    Args:
        model: node classifier ``(x [N, F], edge_index [2, E]) -> logits [N, C]``; for ``"Att"`` it must
            contain attention layers (``ConcatGNN(conv="gat")``).
        method: ``"Att"`` (attention coefficients, max over layers), ``"Grad"`` (|∂ logit / ∂ edge mask|,
            the paper's gradient baseline), ``"GNNExplainer"`` (``epochs``, ``lr``: PyG's defaults 100, 0.01)
            or ``"PGExplainer"`` (``epochs`` of training, ``lr``; train it with :func:`train_pgexplainer`).
    Returns:
        The explainer; PGExplainer explains the *phenomenon* (pass ``target``), the others the model's
        own prediction.
    Raises:
        ValueError: for an unknown ``method``.
    """
    kind = "model"
    if method == "Att":
        algorithm = AttentionExplainer(reduce="max")
    elif method == "Grad":
        algorithm = CaptumExplainer("Saliency")
    elif method == "GNNExplainer":
        algorithm = GNNExplainer(epochs=epochs, lr=lr)
    elif method == "PGExplainer":
        algorithm, kind = PGExplainer(epochs=epochs, lr=lr), "phenomenon"
    else:
        raise ValueError(f"unknown method={method!r}; allowed: {', '.join(TABLE1_METHODS)}")
    return SafeExplainer(model, algorithm, explanation_type=kind, node_mask_type=None, edge_mask_type="object",
                         model_config=_MODEL_CONFIG)


def train_pgexplainer(explainer: SafeExplainer, data, nodes: Tensor, target: Tensor, *, seed: int = 0) -> list[float]:
    """Train a PGExplainer's mask network on ``nodes`` (one ``algorithm.train`` call per node and epoch).

    Runs :func:`gnnexplain.explain.safety.fit_pgexplainer` (seeded, no side effects on the model).

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
    """Edge masks for each node of ``nodes`` and the wall time per node.

    Returns:
        ``({node: edge_mask [E]}, seconds_per_node)``.
    Raises:
        ValueError: if ``nodes`` is empty.
    """
    if nodes.numel() == 0:
        raise ValueError("nodes must hold at least one node id")
    kwargs = {"target": target} if target is not None else {}
    start = time.perf_counter()
    masks = {int(v): explainer(data.x, data.edge_index, index=int(v), seed=seed, **kwargs).edge_mask.detach()
             for v in nodes}
    return masks, (time.perf_counter() - start) / nodes.numel()


def table1_aucs(models: dict, data, nodes: Tensor, *, seed: int = 0, gnnexplainer_epochs: int = 100,
                gnnexplainer_lr: float = 0.01, pg_epochs: int = 30, pg_lr: float = 0.003,
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
    from gnnexplain.metrics import edge_auc

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
