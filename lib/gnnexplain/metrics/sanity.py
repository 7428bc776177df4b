"""Sanity checks for explanations (Adebayo et al., "Sanity Checks for Saliency Maps", NeurIPS 2018), for any PyG
``Explainer`` (the workbook's :class:`~gnnexplain.core.masks.SafeExplainer` included), node- or graph-level.

An explanation of a prediction must depend on the model that made it. The *model-parameter randomisation test*
explains the same input with the trained model and with the same architecture re-initialised, and compares the two
masks by Spearman's rank correlation ρ of their absolute values (over the entries where either is non-zero). A
stochastic explainer also varies with its own seed, so the same ρ between two seeds on the trained model is the
noise floor. The rule (docs/metrics.md, "Sanity checks"):

    passes  ⇔  ρ(trained, randomised) ≤ ρ(seed, other seed) − SANITY_MARGIN  and  ρ(seed, other seed) ≥ SANITY_MARGIN

i.e. re-initialising the model changes the mask clearly more than a new seed does, and two seeds on the trained
model agree at least that much (a mask the seed decides is no explanation of the model, however it compares). A trained-model mask that is
constant on the explained input ranks nothing: ρ is undefined (NaN) and the explainer does not pass. A randomised
model whose mask is constant where the trained one is not (e.g. Grad-CAM's ReLU map vanishing) shares no ranking
with it: that ρ counts as 0.

Cascading randomisation re-initialises the layers one more at a time from the output layer down and reports ρ after
each step; the *data randomisation test* compares the masks of a model trained on the true labels with those of the
same model trained on permuted labels (:func:`data_randomization_test`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence

import torch
from torch import nn
from torch_geometric.explain import Explainer, Explanation

from gnnexplain.core.graph import computation_subgraph
from gnnexplain.core.masks import reset_explain_state

SANITY_MARGIN = 0.2
# what a figure of a mask says about its check (notebooks and viz use these words only)
PASSES_NOTE = "passes the model-randomisation check"
FAILS_NOTE = "fails the model-randomisation check"
SANITY_RULE = (f"passes iff ρ(trained, randomised) <= ρ(seed, other seed) − {SANITY_MARGIN} and "
               f"ρ(seed, other seed) >= {SANITY_MARGIN}")
RANDOMIZATIONS = ("independent", "cascading")


def mask_vector(explanation: Explanation) -> torch.Tensor:
    """The explanation's masks as one vector of absolute values: ``node_mask`` ``[N, F]`` flattened, then
    ``edge_mask`` ``[E]``, whichever are present.

    Raises:
        ValueError: if the explanation holds neither mask, or a mask holds NaN or inf.
    """
    parts = [m.detach().reshape(-1).abs().float() for m in (explanation.get("node_mask"), explanation.get("edge_mask"))
             if m is not None]
    if not parts:
        raise ValueError("the explanation has neither node_mask nor edge_mask: nothing to compare")
    vector = torch.cat(parts)
    if not torch.isfinite(vector).all():
        raise ValueError("the explanation's mask holds NaN or inf")
    return vector


def rank_correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    """Spearman's ρ of two masks of equal length (ties get average ranks) over the entries where either is non-zero.

    Entries that are zero in both masks are left out: they are zero by the graph's structure (an edge or feature
    whose gradient cannot reach the explained output), whatever the weights, and as one big tie they would make any
    two masks look alike. NaN if fewer than two entries remain or either mask is constant on them.

    Raises:
        ValueError: for masks of different lengths.
    """
    from scipy.stats import spearmanr

    if a.shape != b.shape:
        raise ValueError(f"masks must have the same length, got {a.numel()} and {b.numel()}")
    used = (a != 0) | (b != 0)
    a, b = a[used], b[used]
    if a.numel() < 2 or bool((a == a[0]).all()) or bool((b == b[0]).all()):
        return math.nan
    return float(spearmanr(a.numpy(), b.numpy()).statistic)


def parameter_layers(model: nn.Module) -> list[str]:
    """Names of the modules that hold parameters of their own and can ``reset_parameters()``, in registration order
    (input side first): the units cascading randomisation re-initialises, output layer first."""
    return [name for name, m in model.named_modules()
            if callable(getattr(m, "reset_parameters", None)) and any(True for _ in m.parameters(recurse=False))]


def randomized_copy(model: nn.Module, *, seed: int, layers: Sequence[str] | None = None) -> nn.Module:
    """A deep copy of ``model`` with re-initialised weights (the model itself is untouched).

    Args:
        seed: seeds the re-initialisation.
        layers: names from :func:`parameter_layers` to re-initialise; ``None`` re-initialises every one of them.
    Raises:
        ValueError: if ``model`` has no re-initialisable layer or ``layers`` names an unknown one.
    """
    names = parameter_layers(model)
    if not names:
        raise ValueError(f"{type(model).__name__} has no layer with reset_parameters(): nothing to randomise")
    chosen = names if layers is None else list(layers)
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        raise ValueError(f"unknown layers {unknown}; allowed: {names}")
    copy_ = copy.deepcopy(reset_explain_state(model))
    modules = dict(copy_.named_modules())
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for name in chosen:
            modules[name].reset_parameters()
    return copy_.train(model.training)


def _explainer_for(explainer: Explainer, model: nn.Module) -> Explainer:
    """The same explainer (a fresh copy of its algorithm, the same settings) for another model."""
    return type(explainer)(model, copy.deepcopy(explainer.algorithm), explanation_type=explainer.explanation_type,
                           node_mask_type=explainer.node_mask_type, edge_mask_type=explainer.edge_mask_type,
                           model_config=explainer.model_config, threshold_config=explainer.threshold_config)


def _inputs(inputs: Mapping, num_hops: int | None) -> dict:
    """``inputs`` cut to the explained node's computation subgraph when ``num_hops`` is given."""
    inputs = dict(inputs)
    for key in ("x", "edge_index"):
        if key not in inputs:
            raise ValueError(f"inputs must hold {key!r}; got keys {sorted(inputs)}")
    if num_hops is None:
        return inputs
    if inputs.get("index") is None:
        raise ValueError("num_hops restricts a node-level explanation to its computation subgraph: pass 'index'")
    subset, sub_edges, center, _ = computation_subgraph(int(inputs["index"]), num_hops, inputs["edge_index"],
                                                        inputs["x"].size(0))
    target = inputs.get("target")
    if torch.is_tensor(target) and target.dim() > 0 and target.numel() == inputs["x"].size(0):
        inputs["target"] = target[subset]
    return {**inputs, "x": inputs["x"][subset], "edge_index": sub_edges, "index": center}


def _explain(explainer: Explainer, inputs: Mapping, seed: int) -> torch.Tensor:
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return mask_vector(explainer(**inputs))


def _verdict(rho_random: float, rho_seeds: float, margin: float) -> bool:
    """The module's rule; NaN on either side never passes."""
    return rho_seeds >= margin and rho_random <= rho_seeds - margin  # comparisons with NaN are False


def _constant(mask: torch.Tensor) -> bool:
    return mask.numel() < 2 or bool((mask == mask[0]).all())


def _check_seeds(seeds: Sequence[int]) -> list[int]:
    seeds = list(seeds)
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must hold at least two distinct seeds (the noise floor), got {seeds}")
    return seeds


def model_randomization_test(explainer: Explainer, inputs: Mapping, *, seeds: Sequence[int] = (0, 1),
                             num_hops: int | None = None, margin: float = SANITY_MARGIN,
                             randomization: str = "independent",
                             fit: Callable[[Explainer], object] | None = None) -> dict:
    """Adebayo et al.'s model-parameter randomisation test for one explained input.

    Args:
        explainer: a PyG ``Explainer`` around the trained model.
        inputs: keyword arguments of one explainer call (``x``, ``edge_index`` and ``index``, ``target``, ``batch``
            ... as the explainer needs).
        seeds: at least two distinct seeds; each explanation runs under ``torch.manual_seed(seed)``, and the model
            is re-initialised with the first one.
        num_hops: for a node-level explanation, the model's number of layers: the call then runs on the node's
            computation subgraph (:func:`gnnexplain.core.graph.computation_subgraph`), which gives the model the
            same logits for the node at a fraction of the cost.
        margin: the verdict's margin, in [0, 2].
        randomization: ``"independent"`` (every layer re-initialised at once) or ``"cascading"`` (one layer more
            at a time from the output layer down; ``rho_randomized_model`` is the last, fully random step).
        fit: called with the explainer of each randomised model before it explains, for explainers trained on
            their model (PGExplainer's mask network, ReFine's attributors), so each explains its own model.
    Returns:
        ``{"rho_randomized_model", "rho_seeds", "passes", "randomization", "cascade"}``: ρ between the masks of the
        trained and the randomised model (first seed; 0 when only the randomised mask is constant), the mean ρ between the first seed and each other seed on the
        trained model, the verdict (module docstring), and for ``"cascading"`` a list of ``(layer, ρ)`` pairs.
    Raises:
        ValueError: for fewer than two seeds, a margin outside [0, 2], an unknown ``randomization``, inputs without
            ``x``/``edge_index`` (or ``index`` with ``num_hops``), or an explanation without a finite mask.
    """
    return model_randomization_tests(explainer, [inputs], seeds=seeds, num_hops=num_hops, margin=margin,
                                     randomization=randomization, fit=fit)[0]


def model_randomization_tests(explainer: Explainer, instances: Sequence[Mapping], *, seeds: Sequence[int] = (0, 1),
                              num_hops: int | None = None, margin: float = SANITY_MARGIN,
                              randomization: str = "independent",
                              fit: Callable[[Explainer], object] | None = None) -> list[dict]:
    """:func:`model_randomization_test` of several explained inputs of one explainer, with each randomised model
    built, and for a method trained on its model fitted, once for all of them: the randomised model depends on
    the first seed only, so the numbers are those of one call per input, and a fitted method (ReFine's
    pre-training on a training set) is not trained again for every input.

    Args:
        instances: the inputs, at least one; the other arguments as in :func:`model_randomization_test`.
    Returns:
        One result per input, in order (as :func:`model_randomization_test`).
    Raises:
        ValueError: as :func:`model_randomization_test`, or for no instance.
    """
    seeds = _check_seeds(seeds)
    if not 0 <= margin <= 2:
        raise ValueError(f"margin={margin!r} must lie in [0, 2]")
    if randomization not in RANDOMIZATIONS:
        raise ValueError(f"randomization={randomization!r}; allowed: {', '.join(RANDOMIZATIONS)}")
    if not instances:
        raise ValueError("instances must hold at least one input")
    inputs = [_inputs(one, num_hops) for one in instances]
    trained = [[_explain(explainer, one, s) for s in seeds] for one in inputs]
    rho_seeds = [sum(rank_correlation(masks[0], m) for m in masks[1:]) / (len(seeds) - 1) for masks in trained]
    if randomization == "independent":
        steps = [(None, None)]
    else:
        names = parameter_layers(explainer.model)[::-1]
        steps = [(name, names[:i + 1]) for i, name in enumerate(names)]
    cascades = [[] for _ in inputs]
    for name, layers in steps:
        randomized = _explainer_for(explainer, randomized_copy(explainer.model, seed=seeds[0], layers=layers))
        if fit is not None:
            fit(randomized)
        for one, masks, cascade in zip(inputs, trained, cascades):
            mask = _explain(randomized, one, seeds[0])
            rho = rank_correlation(masks[0], mask)
            if math.isnan(rho) and _constant(mask) and not _constant(masks[0]):
                rho = 0.0  # the randomised model's mask ranks nothing: it shares no ranking with the trained one
            cascade.append((name, rho))
    return [{"rho_randomized_model": cascade[-1][1], "rho_seeds": rho,
             "passes": bool(_verdict(cascade[-1][1], rho, margin)), "randomization": randomization,
             "cascade": cascade if randomization == "cascading" else []} for cascade, rho in zip(cascades, rho_seeds)]


def data_randomization_test(explainer: Explainer, inputs: Mapping, train: Callable[[torch.Tensor], nn.Module],
                            labels: torch.Tensor, *, seed: int = 0, num_hops: int | None = None,
                            fit: Callable[[Explainer], object] | None = None) -> dict:
    """Adebayo et al.'s data randomisation test: the masks of a model trained on ``labels`` and of the same
    architecture trained (by ``train``) on a seeded permutation of them.

    Args:
        explainer: a PyG ``Explainer`` around the model trained on the true labels.
        inputs, num_hops, fit: as in :func:`model_randomization_test`.
        train: maps labels ``[L]`` to a model trained on them (in eval mode).
        labels: the true training labels ``[L]``. seed: seeds the permutation and both explanations.
    Returns:
        ``{"rho_permuted_labels": float}``: ρ of the two masks (NaN if either is constant).
    Raises:
        ValueError: for fewer than two labels, or as :func:`model_randomization_test`.
    """
    if labels.numel() < 2:
        raise ValueError(f"labels must hold at least two entries, got {labels.numel()}")
    inputs = _inputs(inputs, num_hops)
    generator = torch.Generator().manual_seed(seed)
    permuted = labels[torch.randperm(labels.numel(), generator=generator)]
    other = _explainer_for(explainer, train(permuted))
    if fit is not None:
        fit(other)
    return {"rho_permuted_labels": rank_correlation(_explain(explainer, inputs, seed), _explain(other, inputs, seed))}


def sanity_summary(results: Sequence[Mapping], *, margin: float = SANITY_MARGIN) -> dict:
    """One method's verdict over several explained instances: the mean of each ρ (over the instances where it is
    defined) and the module's rule applied to the means; the results JSON's ``sanity`` entry.

    Args:
        results: outputs of :func:`model_randomization_test`, at least one.
        margin: the rule's margin, in [0, 2].
    Returns:
        ``{"rho_randomized_model", "rho_seeds", "passes", "n", "n_undefined"}``; ``n_undefined`` counts instances
        whose ρ was NaN (a constant mask), which never pass.
    Raises:
        ValueError: for no results or a margin outside [0, 2].
    """
    if not results:
        raise ValueError("results must hold at least one model_randomization_test output")
    if not 0 <= margin <= 2:
        raise ValueError(f"margin={margin!r} must lie in [0, 2]")
    pairs = [(r["rho_randomized_model"], r["rho_seeds"]) for r in results]
    defined = [(a, b) for a, b in pairs if not (math.isnan(a) or math.isnan(b))]
    if not defined:
        return {"rho_randomized_model": math.nan, "rho_seeds": math.nan, "passes": False, "n": len(pairs),
                "n_undefined": len(pairs)}
    rho_random = sum(a for a, _ in defined) / len(defined)
    rho_seeds = sum(b for _, b in defined) / len(defined)
    return {"rho_randomized_model": rho_random, "rho_seeds": rho_seeds,
            "passes": bool(len(defined) == len(pairs) and _verdict(rho_random, rho_seeds, margin)),
            "n": len(pairs), "n_undefined": len(pairs) - len(defined)}


def sanity_checks(explainers: Mapping[str, Explainer], instances: Sequence[Mapping], *,
                  seeds: Sequence[int] = (0, 1), num_hops: int | None = None,
                  fit: Mapping[str, Callable[[Explainer], object]] | None = None) -> dict[str, dict]:
    """The results JSON's ``sanity`` entry: :func:`model_randomization_test` of every explainer on every instance,
    summarised per method by :func:`sanity_summary`.

    Args:
        explainers: ``{method name: PyG Explainer}``, each around its trained model.
        instances: the explained inputs, each the keyword arguments of one explainer call; at least one.
        seeds, num_hops: as in :func:`model_randomization_test`.
        fit: ``{method name: callback}`` for the methods trained on their model (see
            :func:`model_randomization_test`).
    Returns:
        ``{method: {"rho_randomized_model", "rho_seeds", "passes", "n", "n_undefined"}}``.
    Raises:
        ValueError: for no explainer, no instance, or a ``fit`` entry for an unknown method.
    """
    if not explainers or not instances:
        raise ValueError(f"need at least one explainer and one instance, got {len(explainers)} and {len(instances)}")
    fit = dict(fit or {})
    unknown = sorted(set(fit) - set(explainers))
    if unknown:
        raise ValueError(f"fit names unknown methods {unknown}; allowed: {sorted(explainers)}")
    return {name: sanity_summary(model_randomization_tests(explainer, instances, seeds=seeds, num_hops=num_hops,
                                                           fit=fit.get(name)))
            for name, explainer in explainers.items()}
