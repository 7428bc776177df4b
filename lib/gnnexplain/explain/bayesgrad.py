"""Gradient saliency on atom embeddings: VanillaGrad, SmoothGrad, BayesGrad and BayesSmoothGrad.

BayesGrad (Akita et al., "BayesGrad: Explaining Predictions of Graph Convolutional Networks", ICONIP 2018,
https://arxiv.org/abs/1807.01985) averages the saliency map over M dropout masks (MC dropout, eqs. 7-9);
SmoothGrad (Smilkov et al. 2017) over M Gaussian perturbations of the input; BayesSmoothGrad does both.
The gradient is taken w.r.t. the atom embedding ``e = model.embed(x)`` of the raw (pre-sigmoid) output
(docs/03_bayesgrad.md §3.1). The M samples run as ONE forward/backward pass over M disjoint copies of the input batch.
"""

from __future__ import annotations

import contextlib

import torch
from torch import Tensor
from torch_geometric.explain import Explanation
from torch_geometric.explain.algorithm import ExplainerAlgorithm
from torch_geometric.explain.config import MaskType, ModelTaskLevel
from torch_geometric.utils import scatter

from gnnexplain.explain.base import SupportCheck, mismatch
from gnnexplain.validation import check_finite, check_graph, check_number


REDUCTIONS = ("square", "l2", "abs", "raw")
SIGMA_MODES = ("absolute", "relative")
METHODS = ("VanillaGrad", "SmoothGrad", "BayesGrad", "BayesSmoothGrad")


def reduce_gradient(grad: Tensor, reduction: str) -> Tensor:
    """Reduce gradients ``[..., d]`` over the channel axis (docs/03_bayesgrad.md §3.2; repo
    ``base_calculator.transform``).

    Args:
        grad: ``[..., d]``.
        reduction: ``"square"`` (Σ g², the repo default), ``"l2"`` (‖g‖₂, paper eq. 1), ``"abs"`` (Σ |g|)
            or ``"raw"`` (Σ g, signed).
    Returns:
        ``[...]``.
    Raises:
        ValueError: for another ``reduction``.
    """
    if reduction == "square":
        return grad.pow(2).sum(-1)
    if reduction == "l2":
        return grad.norm(dim=-1)
    if reduction == "abs":
        return grad.abs().sum(-1)
    if reduction == "raw":
        return grad.sum(-1)
    raise ValueError(f"unknown reduction={reduction!r}; allowed: {', '.join(REDUCTIONS)}")


@contextlib.contextmanager
def dropout_only(model: torch.nn.Module, enabled: bool):
    """Within the block, switch ONLY ``torch.nn.Dropout*`` modules to train mode (MC dropout).

    BatchNorm and everything else stays as it was; all modes are restored on exit.

    Raises:
        ValueError: if ``enabled`` and ``model`` has no dropout module with p > 0 (BayesGrad needs one).
    """
    drops = [m for m in model.modules() if isinstance(m, torch.nn.modules.dropout._DropoutNd)]
    if enabled and not drops:
        raise ValueError(f"BayesGrad samples dropout masks, but {type(model).__name__} has no torch.nn.Dropout "
                         "module; use VanillaGrad/SmoothGrad or add dropout to the model")
    if enabled and not any(m.p > 0 for m in drops):
        raise ValueError(f"BayesGrad samples dropout masks, but every dropout of {type(model).__name__} has p=0: "
                         "the samples would all be VanillaGrad; use VanillaGrad or a model with dropout p > 0")
    before = [m.training for m in drops]
    try:
        if enabled:
            for m in drops:
                m.train(True)
        yield
    finally:
        for m, mode in zip(drops, before):
            m.train(mode)


def check_embedding_model(model: torch.nn.Module) -> None:
    """Raise ``TypeError`` unless ``model`` has ``embed`` and ``forward_from_embedding`` methods."""
    for name in ("embed", "forward_from_embedding"):
        if not callable(getattr(model, name, None)):
            raise TypeError(f"{type(model).__name__} has no {name}(); embedding saliency needs the atom embedding "
                            "(see gnnexplain.models.GGNN)")


class EmbeddingSaliency(SupportCheck, ExplainerAlgorithm):
    """Per-atom saliency from gradients w.r.t. the atom embedding, averaged over M stochastic samples.

    Sample m uses the embedding ``e_m = e + ε_m`` (``ε_m ~ N(0, s²)`` per entry when ``noise``; ``s = σ``
    for ``sigma_mode="absolute"``, ``s = σ (max e − min e)`` over each molecule for ``"relative"``) and
    weights ``θ_m`` (a fresh dropout mask when ``dropout``, else eval weights). Its map is
    ``v_m = red(∂f/∂e_m)`` or, when ``signed``, ``v_m = Σ_d (e_m − b)_d (∂f/∂e_m)_d`` (gradient × input
    with baseline ``b``, paper §2.4). The node mask is ``mean_m v_m + λ std_m v_m`` (λ = 0: the paper's
    eq. 9; λ ≠ 0: the repo's UCB/LCB form). Each sample is reduced before averaging (docs/03_bayesgrad.md §3.2).

    Use the subclasses :class:`VanillaGrad`, :class:`SmoothGrad`, :class:`BayesGrad`,
    :class:`BayesSmoothGrad`. Models must expose ``embed(x) -> e [N, H]`` and
    ``forward_from_embedding(e, edge_index, **kwargs) -> [B, C]`` raw outputs
    (:class:`gnnexplain.models.GGNN`, :class:`gnnexplain.models.NFP`).

    Args:
        num_samples: M >= 1 (100 in the paper).
        sigma: noise standard deviation σ >= 0 (0.15).
        sigma_mode: ``"absolute"`` or ``"relative"``.
        reduction: one of :data:`REDUCTIONS` (ignored when ``signed``).
        signed: gradient × (input − baseline) instead of a reduction of the gradient.
        baseline: ``b [H]`` or a float (default 0, the mean of the N(0, 1) embedding prior).
        lam: λ, the weight of the per-node std added to the mean.
        output: column of the model's output that is differentiated.
    Returns (``forward``):
        ``Explanation`` with ``node_mask [N, 1]`` and extra attributes ``node_mean [N]`` and ``node_std [N]``
        (mean and population std over the M samples: the uncertainty of the explanation), ``num_samples``.
        Graph-level only (``index`` must be ``None``); any number of graphs in one ``batch``.
    Raises:
        ValueError: for M < 1, σ < 0, an unknown mode/reduction, a node-level index, or (BayesGrad) a
            model without dropout. TypeError: for a model without ``embed``/``forward_from_embedding``.
    """

    noise = False
    dropout = False

    def __init__(self, num_samples: int = 100, *, sigma: float = 0.15, sigma_mode: str = "absolute",
                 reduction: str = "square", signed: bool = False, baseline: Tensor | float = 0.0,
                 lam: float = 0.0, output: int = 0):
        super().__init__()
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 1:
            raise ValueError(f"num_samples (M) must be an integer >= 1, got {num_samples!r}")
        if not isinstance(sigma, (int, float)) or not 0 <= sigma < float("inf"):
            raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}")
        check_number(lam, "lam")
        check_number(output, "output", low=0, integer=True)
        if torch.is_tensor(baseline):
            check_finite(baseline, "baseline")
        else:
            check_number(baseline, "baseline")
        if sigma_mode not in SIGMA_MODES:
            raise ValueError(f"unknown sigma_mode={sigma_mode!r}; allowed: {', '.join(SIGMA_MODES)}")
        if reduction not in REDUCTIONS:
            raise ValueError(f"unknown reduction={reduction!r}; allowed: {', '.join(REDUCTIONS)}")
        self.num_samples = num_samples if (self.noise or self.dropout) else 1
        self.sigma, self.sigma_mode, self.reduction = float(sigma), sigma_mode, reduction
        self.signed, self.baseline, self.lam, self.output = signed, baseline, float(lam), output

    def unsupported_reason(self) -> str | None:
        # graph-level models, one importance per atom
        return mismatch({"task_level": (self.model_config.task_level, ModelTaskLevel.graph),
                         "node_mask_type": (self.explainer_config.node_mask_type, MaskType.object),
                         "edge_mask_type": (self.explainer_config.edge_mask_type, None)})

    def forward(self, model: torch.nn.Module, x: Tensor, edge_index: Tensor, *, target: Tensor,
                index=None, batch: Tensor | None = None, **kwargs) -> Explanation:
        check_graph(x, edge_index, name=type(self).__name__)
        if index is not None:
            raise ValueError("index must be None: embedding saliency explains whole graphs")
        check_embedding_model(model)
        with dropout_only(model, self.dropout):
            samples = self.sample_maps(model, x, edge_index, batch=batch, **kwargs)
        mean, std = samples.mean(0), samples.std(0, correction=0)
        return Explanation(node_mask=(mean + self.lam * std).unsqueeze(-1), node_mean=mean, node_std=std,
                           num_samples=self.num_samples)

    def sample_maps(self, model: torch.nn.Module, x: Tensor, edge_index: Tensor, *,
                    batch: Tensor | None = None, noise: Tensor | None = None, **kwargs) -> Tensor:
        """The per-sample maps ``v [M, N]`` from one batched pass over M copies of the input.

        Args:
            noise: optional standard-normal draws ``[M, N, H]`` (scaled by σ here) instead of fresh ones,
                so a looped reference can reuse them.
        Other keyword arguments (``edge_type``) go to the model; tensors with one entry per edge are
            replicated with the edges.
        """
        m_count = self.num_samples
        e0 = model.embed(x).detach()
        n, e_count = e0.size(0), edge_index.size(1)
        batch = batch if batch is not None else torch.zeros(n, dtype=torch.long, device=e0.device)
        num_graphs = int(batch.max()) + 1 if n else 0
        copies = torch.arange(m_count, device=e0.device)
        big_edge_index = (edge_index.repeat(1, m_count)
                          + (copies * n).repeat_interleave(e_count).unsqueeze(0))
        big_batch = batch.repeat(m_count) + (copies * num_graphs).repeat_interleave(n)
        big_kwargs = {k: (v.repeat(m_count) if torch.is_tensor(v) and v.dim() == 1 and v.numel() == e_count else v)
                      for k, v in kwargs.items()}
        e = e0.repeat(m_count, 1)
        if self.noise:
            eps = noise if noise is not None else torch.randn(m_count, n, e0.size(1), device=e0.device)
            if eps.shape != (m_count, n, e0.size(1)):
                raise ValueError(f"noise must have shape {(m_count, n, e0.size(1))}, got {tuple(eps.shape)}")
            scale = torch.full((n, 1), self.sigma, device=e0.device)
            if self.sigma_mode == "relative":
                hi = scatter(e0.max(-1).values, batch, dim=0, dim_size=num_graphs, reduce="max")
                lo = scatter(e0.min(-1).values, batch, dim=0, dim_size=num_graphs, reduce="min")
                scale = scale * (hi - lo)[batch].unsqueeze(-1)
            e = e + (eps * scale).reshape(m_count * n, -1)
        e.requires_grad_(True)
        out = model.forward_from_embedding(e, big_edge_index, batch=big_batch, **big_kwargs)
        # The sum over graphs and copies gives each copy its own gradient: copies share no nodes.
        (grad,) = torch.autograd.grad(out[:, self.output].sum(), e)
        if self.signed:
            value = ((e.detach() - torch.as_tensor(self.baseline, dtype=e.dtype)) * grad).sum(-1)
        else:
            value = reduce_gradient(grad, self.reduction)
        return value.view(m_count, n).detach()


class VanillaGrad(EmbeddingSaliency):
    """Plain gradient saliency: eval mode, one sample (M is forced to 1). See :class:`EmbeddingSaliency`."""


class SmoothGrad(EmbeddingSaliency):
    """SmoothGrad (Smilkov et al. 2017) on the embedding: Gaussian noise, eval weights."""

    noise = True


class BayesGrad(EmbeddingSaliency):
    """BayesGrad (Akita et al. 2018, eqs. 7-9): M dropout masks, no input noise."""

    dropout = True


class BayesSmoothGrad(EmbeddingSaliency):
    """BayesSmoothGrad (Akita et al. 2018): dropout masks and Gaussian noise together."""

    noise = True
    dropout = True


ALGORITHMS = {"VanillaGrad": VanillaGrad, "SmoothGrad": SmoothGrad, "BayesGrad": BayesGrad,
              "BayesSmoothGrad": BayesSmoothGrad}


