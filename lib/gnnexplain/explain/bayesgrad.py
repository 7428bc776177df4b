"""Gradient saliency on node embeddings: VanillaGrad, SmoothGrad, BayesGrad and BayesSmoothGrad.

BayesGrad (Akita et al., "BayesGrad: Explaining Predictions of Graph Convolutional Networks", ICONIP 2018,
https://arxiv.org/abs/1807.01985) averages the saliency map over M dropout masks (MC dropout, eqs. 7-9);
SmoothGrad (Smilkov et al. 2017) over M Gaussian perturbations of the input; BayesSmoothGrad does both.
The gradient of the raw (pre-sigmoid) output is taken w.r.t. the atom embedding ``e = model.embed(x)`` of the
molecule models (docs/03_bayesgrad.md §3.1), or w.r.t. the input features or a named submodule's output of any other
model (docs/conventions.md §0.3). The M samples run as ONE forward/backward pass over M disjoint copies of the input
batch.
"""

from __future__ import annotations

import contextlib

import torch
from torch import Tensor
from torch_geometric.explain import Explanation
from torch_geometric.explain.algorithm import ExplainerAlgorithm
from torch_geometric.explain.config import MaskType, ModelMode, ModelTaskLevel
from torch_geometric.utils import scatter

from gnnexplain.explain.base import SupportCheck, mismatch
from gnnexplain.validation import check_finite, check_number


REDUCTIONS = ("square", "l2", "abs", "raw")
SIGMA_MODES = ("absolute", "relative")
METHODS = ("VanillaGrad", "SmoothGrad", "BayesGrad", "BayesSmoothGrad")
_EMBED_PROTOCOL = "embed()"  # the gradient source "the model's embed()", not a submodule name


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


def dropout_modules(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The ``torch.nn.Dropout*`` modules of ``model`` (those MC dropout switches on), in registration order."""
    return [m for m in model.modules() if isinstance(m, torch.nn.modules.dropout._DropoutNd)]


def dropout_requirement(model: torch.nn.Module, drops: list[torch.nn.Module] | None = None) -> str | None:
    """Why MC dropout (BayesGrad) cannot sample ``model``, or ``None``: it needs a ``torch.nn.Dropout*``
    module with p > 0. Functional dropout (``F.dropout`` inside ``forward``) cannot be switched on alone, without
    putting the whole model (BatchNorm included) in training mode, so it does not count. ``drops``: the model's
    :func:`dropout_modules`, when the caller has listed them already."""
    drops = dropout_modules(model) if drops is None else drops
    if not drops:
        return ("has no torch.nn.Dropout module, and BayesGrad samples dropout masks; use VanillaGrad/SmoothGrad "
                "or add dropout to the model")
    if not any(m.p > 0 for m in drops):
        return (f"every dropout of {type(model).__name__} has p=0: BayesGrad's samples would all be VanillaGrad; "
                "use VanillaGrad or a model with dropout p > 0")
    return None


@contextlib.contextmanager
def dropout_only(model: torch.nn.Module, enabled: bool):
    """Within the block, switch ONLY ``torch.nn.Dropout*`` modules to train mode (MC dropout).

    BatchNorm and everything else stays as it was; all modes are restored on exit. With ``enabled=False`` nothing
    is switched.

    Raises:
        ValueError: if ``enabled`` and ``model`` has no dropout module with p > 0 (:func:`dropout_requirement`).
    """
    if not enabled:
        yield
        return
    drops = dropout_modules(model)
    reason = dropout_requirement(model, drops)
    if reason is not None:
        raise ValueError(f"BayesGrad cannot sample {type(model).__name__}: {reason}")
    before = [m.training for m in drops]
    try:
        for m in drops:
            m.train(True)
        yield
    finally:
        for m, mode in zip(drops, before):
            m.train(mode)


def has_embedding_protocol(model: torch.nn.Module) -> bool:
    """Whether ``model`` has ``embed(x)`` and ``forward_from_embedding(e, edge_index, ...)`` methods."""
    return all(callable(getattr(model, name, None)) for name in ("embed", "forward_from_embedding"))


def check_embedding_model(model: torch.nn.Module) -> None:
    """Raise ``TypeError`` unless ``model`` has ``embed`` and ``forward_from_embedding`` methods."""
    for name in ("embed", "forward_from_embedding"):
        if not callable(getattr(model, name, None)):
            raise TypeError(f"{type(model).__name__} has no {name}(); embedding saliency needs the atom embedding "
                            "(see gnnexplain.models.GGNN)")


def replicate_graph(copies: int, num_nodes: int, edge_index: Tensor, batch: Tensor, num_graphs: int,
                    kwargs: dict) -> tuple[Tensor, Tensor, dict]:
    """``copies`` disjoint copies of a batch of graphs, as one batch (the M samples of one pass).

    Args:
        copies: M >= 1. num_nodes: N. edge_index: ``[2, E]``. batch: ``[N]`` graph id per node, ``num_graphs`` B.
        kwargs: other model arguments; tensors with one row per edge (``size(0) == E``: ``edge_type``,
            ``edge_weight``, ``edge_attr``) are repeated with the edges, 0-dim tensors and non-tensors pass as they
            are.
    Returns:
        ``(edge_index [2, M·E], batch [M·N], kwargs)``: copy m holds nodes ``m·N .. m·N + N − 1`` and graphs
        ``m·B .. m·B + B − 1``.
    Raises:
        ValueError: for a tensor argument that is neither per edge nor 0-dim (it cannot be replicated safely).
    """
    num_edges = edge_index.size(1)
    big = {}
    for name, value in kwargs.items():
        if torch.is_tensor(value) and value.dim() > 0:
            if value.size(0) != num_edges:
                raise ValueError(f"{name} has shape {tuple(value.shape)}; allowed: one row per edge "
                                 f"([{num_edges}, ...]), a 0-dim tensor or a non-tensor argument")
            value = value.repeat(copies, *([1] * (value.dim() - 1)))
        big[name] = value
    offsets = torch.arange(copies, device=edge_index.device)
    big_edge_index = edge_index.repeat(1, copies) + (offsets * num_nodes).repeat_interleave(num_edges)
    big_batch = batch.repeat(copies) + (offsets * num_graphs).repeat_interleave(num_nodes)
    return big_edge_index, big_batch, big


class EmbeddingSaliency(SupportCheck, ExplainerAlgorithm):
    """Per-node saliency from gradients w.r.t. a node embedding, averaged over M stochastic samples.

    The embedding ``e [N, H]`` differentiated (``embedding``): the model's ``embed(x)`` when it has ``embed`` and
    ``forward_from_embedding`` (:class:`gnnexplain.models.GGNN`, :class:`gnnexplain.models.NFP`: the atom
    embedding of Akita et al.), else the input features ``x [N, F]`` (floating point); ``embedding="x"`` forces
    the features, ``embedding="<name>"`` takes the output of the submodule of that name (a forward hook replaces
    it by its perturbed copy).

    Sample m uses ``e_m = e + ε_m`` (``ε_m ~ N(0, s²)`` per entry when ``noise``; ``s = σ`` for
    ``sigma_mode="absolute"``, ``s = σ (max e − min e)`` over each graph for ``"relative"``) and weights ``θ_m`` (a
    fresh dropout mask when ``dropout``, else eval weights). Its map is ``v_m = red(∂f/∂e_m)`` or, when ``signed``,
    ``v_m = Σ_d (e_m − b)_d (∂f/∂e_m)_d`` (gradient × input with baseline ``b``, paper §2.4). The node mask is
    ``mean_m v_m + λ std_m v_m`` (λ = 0: the paper's eq. 9; λ ≠ 0: the repo's UCB/LCB form). Each sample is
    reduced before averaging (docs/03_bayesgrad.md §3.2). ``f`` is the raw output: the target class's logit for
    ``mode="multiclass_classification"``, else column ``output``. The M samples run as one forward/backward pass
    over M disjoint copies of the input (:func:`replicate_graph`).

    Use the subclasses :class:`VanillaGrad`, :class:`SmoothGrad`, :class:`BayesGrad`, :class:`BayesSmoothGrad`.
    Which models each explains (:meth:`model_requirement`, docs/conventions.md §0.3): any model, for a graph task
    one whose forward (or ``forward_from_embedding``) takes ``batch``; BayesGrad and BayesSmoothGrad also need a
    ``torch.nn.Dropout`` with p > 0 (:func:`dropout_requirement`).

    Args:
        num_samples: M >= 1 (100 in the paper).
        sigma: noise standard deviation σ >= 0 (0.15).
        sigma_mode: ``"absolute"`` or ``"relative"``.
        reduction: one of :data:`REDUCTIONS` (ignored when ``signed``).
        signed: gradient × (input − baseline) instead of a reduction of the gradient.
        baseline: ``b [H]`` or a float (default 0, the mean of the N(0, 1) embedding prior).
        lam: λ, the weight of the per-node std added to the mean.
        output: column of the model's output that is differentiated when the mode is not multiclass.
        embedding: ``None``, ``"x"`` or a submodule name (see above).
    Returns (``forward``):
        ``Explanation`` with ``node_mask [N, 1]`` and extra attributes ``node_mean [N]`` and ``node_std [N]``
        (mean and population std over the M samples: the uncertainty of the explanation), ``num_samples``.
        Graph level: ``index=None``, any number of graphs in one ``batch``; node level: ``index`` one node.
    Raises:
        ValueError: for M < 1, σ < 0, an unknown mode/reduction, an ``embedding`` that is not a string, a model
            the method cannot explain (:meth:`model_requirement`), integer features ``x`` without an embedding, or
            an index that is not one node (node level) / not None (graph level).
    """

    noise = False
    dropout = False

    def __init__(self, num_samples: int = 100, *, sigma: float = 0.15, sigma_mode: str = "absolute",
                 reduction: str = "square", signed: bool = False, baseline: Tensor | float = 0.0,
                 lam: float = 0.0, output: int = 0, embedding: str | None = None):
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
        if embedding is not None and (not isinstance(embedding, str) or not embedding):
            raise ValueError(f"embedding must be None, 'x' or the name of a submodule, got {embedding!r}")
        self.num_samples = num_samples if (self.noise or self.dropout) else 1
        self.sigma, self.sigma_mode, self.reduction = float(sigma), sigma_mode, reduction
        self.signed, self.baseline, self.lam, self.output = signed, baseline, float(lam), output
        self.embedding = embedding

    def settings_reason(self) -> str | None:
        # one importance per node, of a graph or of one node's prediction
        return mismatch({"task_level": (self.model_config.task_level, (ModelTaskLevel.graph, ModelTaskLevel.node)),
                         "node_mask_type": (self.explainer_config.node_mask_type, MaskType.object),
                         "edge_mask_type": (self.explainer_config.edge_mask_type, None)})

    def _source(self, model: torch.nn.Module) -> str:
        """:data:`_EMBED_PROTOCOL` (the model's ``embed()``), ``"x"`` or a submodule name."""
        if self.embedding is None:
            return _EMBED_PROTOCOL if has_embedding_protocol(model) else "x"
        return self.embedding

    def model_requirement(self, model: torch.nn.Module) -> str | None:
        source = self._source(model)
        if source not in (_EMBED_PROTOCOL, "x") and source not in dict(model.named_modules()):
            return f"has no submodule {source!r} to take the embedding from (embedding={source!r})"
        reason = self.batch_requirement(model.forward_from_embedding if source == _EMBED_PROTOCOL else model.forward)
        return reason or (dropout_requirement(model) if self.dropout else None)

    def forward(self, model: torch.nn.Module, x: Tensor, edge_index: Tensor, *, target: Tensor,
                index=None, batch: Tensor | None = None, **kwargs) -> Explanation:
        index, target = self.explained_instance(model, x, edge_index, index, target)
        multiclass = self.model_config.mode == ModelMode.multiclass_classification
        with dropout_only(model, self.dropout):
            samples = self.sample_maps(model, x, edge_index, batch=batch, index=index,
                                       target=target if multiclass else None, **kwargs)
        mean, std = samples.mean(0), samples.std(0, correction=0)
        return Explanation(node_mask=(mean + self.lam * std).unsqueeze(-1), node_mean=mean, node_std=std,
                           num_samples=self.num_samples)

    def sample_maps(self, model: torch.nn.Module, x: Tensor, edge_index: Tensor, *,
                    batch: Tensor | None = None, index: int | None = None, target: Tensor | None = None,
                    noise: Tensor | None = None, **kwargs) -> Tensor:
        """The per-sample maps ``v [M, N]`` from one batched pass over M copies of the input.

        Args:
            batch: ``[N]`` graph id per node (None: one graph); passed to the model only at graph level.
            index: None (graph level: every graph's output) or the node whose output is explained.
            target: None (differentiate column ``output``) or the class per graph ``[B]`` / of the node (0-dim).
            noise: optional standard-normal draws ``[M, N, H]`` (scaled by σ here) instead of fresh ones,
                so a looped reference can reuse them.
        Other keyword arguments (``edge_type``, ``edge_weight``) go to the model (:func:`replicate_graph`).
        Raises:
            ValueError: for integer ``x`` without an embedding, a ``noise`` of the wrong shape, an ``output``
                column the model does not have, or an embedding submodule that does not run exactly once.
        """
        m_count, n = self.num_samples, x.size(0)
        batch = batch if batch is not None else torch.zeros(n, dtype=torch.long, device=x.device)
        num_graphs = int(batch.max()) + 1 if n else 0
        big_edge_index, big_batch, big_kwargs = replicate_graph(m_count, n, edge_index, batch, num_graphs, kwargs)
        if index is None:
            big_kwargs["batch"] = big_batch
        captured = []

        def perturb(e: Tensor) -> Tensor:  # [M·N, H] (M equal copies) -> the noisy leaf that is differentiated
            e = e.detach()
            if self.noise:
                e = e + self._scaled_noise(e.view(m_count, n, -1)[0], batch, num_graphs, noise)
            captured.append(e.requires_grad_(True))
            return e

        source = self._source(model)
        if source == _EMBED_PROTOCOL:
            out = model.forward_from_embedding(perturb(model.embed(x).detach().repeat(m_count, 1)), big_edge_index,
                                               **big_kwargs)
        elif source == "x":
            if not x.is_floating_point():
                raise ValueError(f"x has dtype {x.dtype} (ids, not features): gradients need floating features or "
                                 "an embedding; pass embedding='<submodule name>'")
            out = model(perturb(x.repeat(m_count, 1)), big_edge_index, **big_kwargs)
        else:
            handle = dict(model.named_modules())[source].register_forward_hook(lambda mod, inp, o: perturb(o))
            try:
                out = model(x.repeat(m_count, *([1] * (x.dim() - 1))), big_edge_index, **big_kwargs)
            finally:
                handle.remove()
            if len(captured) != 1:
                raise ValueError(f"the embedding submodule {source!r} ran {len(captured)} times in one forward pass; "
                                 "allowed: exactly once")
        (e,) = captured
        if index is not None:
            out = out[index + n * torch.arange(m_count, device=out.device)]
        if target is None:
            if self.output >= out.size(-1):
                raise ValueError(f"output={self.output} but the model returns {out.size(-1)} column(s)")
            score = out[:, self.output].sum()
        else:
            score = out.gather(1, target.view(-1, 1).repeat(out.size(0) // target.numel(), 1)).sum()
        # The sum over graphs and copies gives each copy its own gradient: copies share no nodes.
        (grad,) = torch.autograd.grad(score, e)
        if self.signed:
            value = ((e.detach() - torch.as_tensor(self.baseline, dtype=e.dtype)) * grad).sum(-1)
        else:
            value = reduce_gradient(grad, self.reduction)
        return value.view(m_count, n).detach()

    def _scaled_noise(self, e0: Tensor, batch: Tensor, num_graphs: int, noise: Tensor | None) -> Tensor:
        """``ε · s`` as ``[M·N, H]`` for the embedding ``e0 [N, H]`` of one copy."""
        m_count, n = self.num_samples, e0.size(0)
        eps = noise if noise is not None else torch.randn(m_count, n, e0.size(1), device=e0.device)
        if eps.shape != (m_count, n, e0.size(1)):
            raise ValueError(f"noise must have shape {(m_count, n, e0.size(1))}, got {tuple(eps.shape)}")
        scale = torch.full((n, 1), self.sigma, device=e0.device)
        if self.sigma_mode == "relative":
            hi = scatter(e0.max(-1).values, batch, dim=0, dim_size=num_graphs, reduce="max")
            lo = scatter(e0.min(-1).values, batch, dim=0, dim_size=num_graphs, reduce="min")
            scale = scale * (hi - lo)[batch].unsqueeze(-1)
        return (eps * scale).reshape(m_count * n, -1)


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


