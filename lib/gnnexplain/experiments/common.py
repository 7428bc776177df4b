"""What every notebook's experiment shares: the one explain-and-time loop, the one mean ± std, the configured
PyG baselines for node classification (Saliency and Integrated Gradients through ``CaptumExplainer``,
GNNExplainer of Ying et al., NeurIPS 2019) that notebooks 00 and 02 compare with, their model-randomisation
check (Adebayo et al., NeurIPS 2018) and the verdict that figure titles carry."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import torch
from torch_geometric.explain import Explanation
from torch_geometric.explain.algorithm import CaptumExplainer, GNNExplainer

from gnnexplain.core.masks import SafeExplainer
from gnnexplain.metrics.sanity import FAILS_NOTE, PASSES_NOTE, sanity_checks
from gnnexplain.validation import check_node_index, check_node_indices, check_optimisation

NODE_METHODS = ("Saliency", "Integrated Gradients", "GNNExplainer")
"""Display names of the node baselines of :func:`node_explainer`."""

CLASS_NAMES = {
    "Cora": ["Case_Based", "Genetic_Algorithms", "Neural_Networks", "Probabilistic_Methods",
             "Reinforcement_Learning", "Rule_Learning", "Theory"],
    "CiteSeer": ["Agents", "AI", "DB", "IR", "ML", "HCI"],
    "PubMed": ["Diabetes_Experimental", "Diabetes_Type_1", "Diabetes_Type_2"],
}
"""Topic of each class id of the Planetoid citation graphs (notebooks 00 and 02)."""

_MODEL_CONFIG = dict(mode="multiclass_classification", task_level="node", return_type="raw")


def explain_and_time(explainer, calls: Iterable[Mapping], *, num_instances: int | None = None
                     ) -> tuple[list[Explanation], float]:
    """Call ``explainer(**kwargs)`` once for each ``kwargs`` of ``calls`` and time the calls together: the one
    explain-and-time loop behind every experiment of the workbook.

    Args:
        explainer: a ``torch_geometric.explain.Explainer`` (a :class:`SafeExplainer` also takes ``seed``).
        calls: keyword arguments of each call (``x``, ``edge_index``, ``index``/``target``/``batch``, ``seed`` ...).
        num_instances: how many instances the calls explain together, when one call explains several (a batch
            of graphs, or all nodes in one optimisation); default: one per call.
    Returns:
        ``(explanations, seconds_per_instance)``: one ``Explanation`` per call, in order, and the wall time of
        all calls divided by ``num_instances``.
    Raises:
        ValueError: if ``calls`` is empty or ``num_instances < 1``.
    """
    calls = list(calls)
    count = len(calls) if num_instances is None else num_instances
    if not calls or count < 1:
        raise ValueError(f"calls must hold at least one call and num_instances must be >= 1; got {len(calls)} "
                         f"call(s), num_instances={num_instances}")
    start = time.perf_counter()
    explanations = [explainer(**kwargs) for kwargs in calls]
    return explanations, (time.perf_counter() - start) / count


def mean_std(values: Sequence[float], *, ddof: int = 0) -> dict:
    """``{"mean", "std", "n"}`` of ``values`` (e.g. one metric over seeds); ``std`` is 0 for a single value.

    Args:
        values: at least one finite number. ddof: 0 for the population std (the default), 1 for the sample std.
    Raises:
        ValueError: for no values, a non-finite value, or ``ddof`` not 0 or 1 (or 1 with a single value).
    """
    array = np.asarray(list(values), dtype=float)
    if array.size == 0 or not np.isfinite(array).all():
        raise ValueError(f"values must hold at least one finite number, got {array.tolist()}")
    if ddof not in (0, 1) or ddof >= array.size:
        raise ValueError(f"ddof={ddof}; allowed: 0, or 1 with at least two values (got {array.size})")
    return {"mean": float(array.mean()), "std": float(array.std(ddof=ddof)), "n": int(array.size)}


def node_explainer(model: torch.nn.Module, method: str, *, epochs: int = 200, lr: float = 0.01) -> SafeExplainer:
    """A :class:`SafeExplainer` for a node classifier returning logits.

    All methods explain the model's own prediction (``explanation_type="model"``) with a node mask over
    features (``node_mask [N, F]``) and an edge mask over edges (``edge_mask [E]``).

    Args:
        model: maps ``(x [N, F], edge_index [2, E])`` to logits ``[N, C]``.
        method: one of :data:`NODE_METHODS`: ``"Saliency"`` (|∂logit/∂input|, Simonyan et al. 2014),
            ``"Integrated Gradients"`` (Sundararajan et al. 2017), ``"GNNExplainer"`` (learned soft masks).
        epochs, lr: GNNExplainer's optimisation settings (default lr: PyG's 0.01; notebooks 00 and 02 pass 0.1,
            the default of Ying et al.'s ``explainer_main.py``, which passes the model-randomisation check on Cora
            where 0.01 does not: :func:`node_sanity_table`).
    Raises:
        ValueError: for an unknown ``method``.
    """
    if method == "Saliency":
        algorithm = CaptumExplainer("Saliency")
    elif method == "Integrated Gradients":
        algorithm = CaptumExplainer("IntegratedGradients")
    elif method == "GNNExplainer":
        check_optimisation(epochs, lr)
        algorithm = GNNExplainer(epochs=epochs, lr=lr)
    else:
        raise ValueError(f"unknown method={method!r}; allowed: {', '.join(NODE_METHODS)}")
    return SafeExplainer(model, algorithm, explanation_type="model", node_mask_type="attributes",
                         edge_mask_type="object", model_config=_MODEL_CONFIG)


def explain_node(explainer: SafeExplainer, data, index: int, *, seed: int = 0) -> Explanation:
    """Explain the prediction for node ``index`` of ``data`` (``x [N, F]``, ``edge_index [2, E]``).

    Returns:
        PyG ``Explanation`` with ``node_mask [N, F]``, ``edge_mask [E]``, ``index`` and the inputs.
    Raises:
        IndexError: if ``index`` is not an integer in ``[0, N)``.
    """
    index = check_node_index(index, data.num_nodes)
    return explainer(data.x, data.edge_index, index=index, seed=seed)


def time_explanations(explainer: SafeExplainer, data, nodes, *, seed: int = 0) -> tuple[list[Explanation], float]:
    """Explain each node of ``nodes`` of ``data`` (``x [N, F]``, ``edge_index [2, E]``) in turn, timed.

    Returns:
        ``(explanations, seconds_per_explanation)``: PyG ``Explanation`` objects with ``node_mask [N, F]``,
        ``edge_mask [E]``, ``index`` and the inputs.
    Raises:
        ValueError: if ``nodes`` is empty; IndexError: for a node outside the graph.
    """
    nodes = check_node_indices(nodes, data.num_nodes).tolist()
    return explain_and_time(explainer, [dict(x=data.x, edge_index=data.edge_index, index=n, seed=seed)
                                        for n in nodes])


def node_sanity_table(model: torch.nn.Module, data, nodes, *, methods: Sequence[str] = NODE_METHODS,
                      epochs: int = 200, lr: float = 0.01, seeds: Sequence[int] = (0, 1),
                      num_hops: int = 2) -> dict[str, dict]:
    """The model-parameter randomisation test (Adebayo et al., NeurIPS 2018) of the node baselines
    (:func:`node_explainer`) on ``nodes``, each explained on its computation subgraph: the results JSON's
    ``sanity`` entry (:func:`gnnexplain.metrics.sanity.sanity_checks`; the rule: docs/metrics.md).

    Args:
        model: node classifier with ``num_hops`` message-passing layers, ``(x [N, F], edge_index [2, E])`` to
            logits ``[N, C]``. data: the graph (``x``, ``edge_index``). nodes: the explained node ids, at least one.
        methods: display names from :data:`NODE_METHODS`. epochs, lr: GNNExplainer's settings.
        seeds: at least two distinct seeds (the noise floor). num_hops: the model's number of layers, >= 1.
    Returns:
        ``{method: {"rho_randomized_model", "rho_seeds", "passes", "n", "n_undefined"}}``; each ρ is a mean
        Spearman correlation in [-1, 1] (NaN if no node gives a defined one), ``n == len(nodes)``.
    Raises:
        ValueError: for no node, an unknown method or fewer than two seeds; IndexError: for a node outside
        the graph.
    """
    nodes = check_node_indices(nodes, data.num_nodes).tolist()
    explainers = {m: node_explainer(model, m, epochs=epochs, lr=lr) for m in methods}
    instances = [dict(x=data.x, edge_index=data.edge_index, index=n) for n in nodes]
    return sanity_checks(explainers, instances, seeds=seeds, num_hops=num_hops)


def sanity_verdict(sanity: Mapping[str, Mapping] | None, method: str) -> str:
    """The words a figure of ``method``'s mask carries about its model-randomisation check.

    Args:
        sanity: ``{method: {"passes", ...}}`` (:func:`node_sanity_table`), or ``None`` when nothing was checked.
        method: the method's display name.
    Returns:
        ``"passes the model-randomisation check"``, ``"fails the model-randomisation check"``, or ``"not
        sanity-checked"`` when ``sanity`` is ``None`` or has no entry for ``method``.
    """
    if sanity is None or method not in sanity:
        return "not sanity-checked"
    return PASSES_NOTE if sanity[method]["passes"] else FAILS_NOTE


def sanity_frame(sanity: Mapping[str, Mapping]):
    """``sanity`` (:func:`node_sanity_table`) as a table, one row per method: both ρ (rounded to 2 decimals), the
    verdict and the number of explained instances.

    Raises:
        ValueError: for an empty ``sanity``.
    """
    import pandas as pd

    if not sanity:
        raise ValueError("sanity must hold at least one method")
    return pd.DataFrame({m: {"ρ(trained, randomised model)": round(e["rho_randomized_model"], 2),
                             "ρ(seed, other seed)": round(e["rho_seeds"], 2), "passes": e["passes"],
                             "instances": e["n"]} for m, e in sanity.items()}).T
