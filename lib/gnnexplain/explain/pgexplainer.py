"""Training PyG's PGExplainer (Luo et al., NeurIPS 2020) reproducibly and without side effects on the model."""

from __future__ import annotations

import torch

from gnnexplain.core.masks import SafeExplainer, reset_explain_state
from gnnexplain.validation import check_optimisation


def fit_pgexplainer(explainer: SafeExplainer, epoch_inputs, *, seed: int) -> list[float]:
    """Train the mask network of a PGExplainer (Luo et al., NeurIPS 2020) reproducibly and without side effects.

    The model is cleaned with :func:`reset_explain_state` before and after (a stale ``_edge_mask`` would cut
    the prediction loss's gradient), and everything runs under a forked torch RNG seeded with ``seed``: the
    mask network is re-initialised (PyG initialises it from the unseeded global RNG), and any shuffling or
    concrete-noise sampling is seeded too.

    Args:
        explainer: a :class:`SafeExplainer` whose algorithm is PyG's ``PGExplainer``.
        epoch_inputs: called once per epoch (inside the seeded RNG); returns an iterable of keyword
            arguments for one ``PGExplainer.train`` call each (``x``, ``edge_index``, ``target`` and ``index``
            or ``batch``).
        seed: the random seed.
    Returns:
        The mean training loss per epoch.
    Raises:
        TypeError: if the explainer's algorithm is not a ``PGExplainer``.
    """
    from torch_geometric.explain.algorithm import PGExplainer

    if not isinstance(explainer.algorithm, PGExplainer):
        raise TypeError("fit_pgexplainer needs an explainer built with method='PGExplainer'")
    check_optimisation(explainer.algorithm.epochs, explainer.algorithm.lr)  # 0 epochs: an untrained mask network
    reset_explain_state(explainer.model)
    losses = []
    try:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            explainer.algorithm.reset_parameters()
            for epoch in range(explainer.algorithm.epochs):
                step_losses = [explainer.algorithm.train(epoch, explainer.model, **inputs)
                               for inputs in epoch_inputs()]
                losses.append(sum(step_losses) / len(step_losses))
    finally:
        reset_explain_state(explainer.model)
    return losses
