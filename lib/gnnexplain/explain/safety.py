"""Run PyG explainers without side effects on the caller's model.

With torch-geometric 2.8.1, ``GNNExplainer`` registers its edge mask as an ``nn.Parameter`` on every
``MessagePassing`` layer, and ``clear_masks`` afterwards sets it to ``None`` but leaves the key
``_edge_mask`` in the layer's ``_parameters``. From then on ``set_masks`` wraps every new mask in a fresh
``Parameter``, which cuts it from the autograd graph: ``CaptumExplainer`` with an edge mask raises
("differentiated Tensor ... not used in the graph") and ``PGExplainer`` trains with no gradient from the
prediction loss. :func:`reset_explain_state` removes that state; :class:`SafeExplainer` calls it before and
after every explanation.
"""

from __future__ import annotations

import torch
from torch_geometric.explain import Explainer, Explanation
from torch_geometric.nn import MessagePassing

_MASK_ATTRS = ("_edge_mask", "_loop_mask")


def reset_explain_state(model: torch.nn.Module) -> torch.nn.Module:
    """Remove every explanation mask that PyG explainers leave on ``model``'s message-passing layers.

    Args:
        model: any module; its ``MessagePassing`` submodules are cleaned in place.
    Returns:
        ``model``, for chaining.
    """
    for module in model.modules():
        if isinstance(module, MessagePassing):
            if module.explain is True:
                module.explain = None
            for attr in _MASK_ATTRS:
                module._parameters.pop(attr, None)
                object.__setattr__(module, attr, None)
            module._apply_sigmoid = True
    return model


class SafeExplainer(Explainer):
    """``torch_geometric.explain.Explainer`` that cleans the model before and after each call.

    Accepts the arguments of ``Explainer`` unchanged. Calling it takes the same arguments as
    ``Explainer.__call__`` plus ``seed``: when given, the explanation runs under a forked, seeded torch
    RNG, so stochastic explainers (GNNExplainer's mask initialisation, PGExplainer's sampling) are
    reproducible and the caller's RNG stream is untouched.
    """

    def __call__(self, *args, seed: int | None = None, **kwargs) -> Explanation:
        reset_explain_state(self.model)
        try:
            with torch.random.fork_rng(enabled=seed is not None):
                if seed is not None:
                    torch.manual_seed(seed)
                return super().__call__(*args, **kwargs)
        finally:
            reset_explain_state(self.model)


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
