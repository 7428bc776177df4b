"""Edge-mask injection and reset, and running PyG explainers without side effects on the caller's model.

With torch-geometric 2.8.1, ``GNNExplainer`` registers its edge mask as an ``nn.Parameter`` on every
``MessagePassing`` layer, and ``clear_masks`` afterwards sets it to ``None`` but leaves the key
``_edge_mask`` in the layer's ``_parameters``. From then on ``set_masks`` wraps every new mask in a fresh
``Parameter``, which cuts it from the autograd graph: ``CaptumExplainer`` with an edge mask raises
("differentiated Tensor ... not used in the graph") and ``PGExplainer`` trains with no gradient from the
prediction loss. :func:`reset_explain_state` removes that state; :class:`SafeExplainer` calls it before and
after every explanation, and :func:`edge_masked` around every masked forward pass.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import torch
from torch import Tensor, nn
from torch_geometric.explain import Explainer, Explanation
from torch_geometric.explain.config import ExplanationType
from torch_geometric.explain.algorithm.utils import set_masks
from torch_geometric.nn import MessagePassing

from gnnexplain.validation import check_graph, check_node_index, check_node_indices, check_number


_MASK_ATTRS = ("_edge_mask", "_loop_mask")
_GRAPHMASK_ATTRS = ("message_scale", "message_replacement", "explain_message", "latest_messages",
                    "latest_source_embeddings", "latest_target_embeddings")



def reset_explain_state(model: torch.nn.Module, modules: list[nn.Module] | None = None) -> torch.nn.Module:
    """Remove every explanation mask that PyG explainers leave on ``model``'s message-passing layers.

    Args:
        model: any module; its ``MessagePassing`` submodules are cleaned in place.
        modules: ``list(model.modules())`` when the caller has listed them already.
    Returns:
        ``model``, for chaining.
    """
    for module in model.modules() if modules is None else modules:
        if isinstance(module, MessagePassing):
            if module.explain is True:
                module.explain = None
            for attr in _MASK_ATTRS:
                module._parameters.pop(attr, None)
                object.__setattr__(module, attr, None)
            module._apply_sigmoid = True
            # PyG's GraphMaskExplainer leaves its gates (non-leaf tensors: the model cannot be deep-copied) and a
            # bound explain_message behind
            for attr in _GRAPHMASK_ATTRS:
                module.__dict__.pop(attr, None)
    return model


@contextmanager
def eval_mode(model: nn.Module, modules: list[nn.Module] | None = None):
    """Run the block with ``model`` in eval mode and restore its mode after it, as PyG's ``Explainer`` does
    (``model.eval()``, then ``model.train(model.training)``), but switch only when some module is in training
    mode: a whole-model switch visits every module (~80 µs for NFP's 43), four times per PyG explanation call.
    ``modules``: ``list(model.modules())`` when the caller has listed them already."""
    if not any(module.training for module in (model.modules() if modules is None else modules)):
        yield model
        return
    training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(training)



class SafeExplainer(Explainer):
    """``torch_geometric.explain.Explainer`` that cleans the model before and after each call (explanation masks
    removed, the parameters' ``requires_grad`` as they were).

    Accepts the arguments of ``Explainer`` unchanged. Calling it takes the same arguments as
    ``Explainer.__call__`` plus ``seed``: when given, the explanation runs under a forked, seeded torch
    RNG, so stochastic explainers (GNNExplainer's mask initialisation, PGExplainer's sampling) are
    reproducible and the caller's RNG stream is untouched.

    Every call checks its inputs first (:func:`gnnexplain.validation.check_graph`): ``edge_index`` an integer
    ``[2, E]`` with ids in range, finite features, for node-level tasks ``index`` inside the graph, and, for the
    workbook's models (which record ``config``), the feature width and the ``target`` classes; bad input raises
    ``TypeError``, ``ValueError`` or ``IndexError`` naming it, before the model runs.

    An algorithm with ``bind_model`` (the workbook's, :class:`gnnexplain.explain.base.SupportCheck`) is given the
    model before it is connected, so construction already refuses a model the method cannot explain, with the
    reason.

    The explanation is PyG's (``Explainer.__call__`` for homogeneous graphs, the only kind the checks accept: same
    target, prediction, attributes, mask validation and thresholding), with the model put in eval mode once around
    the prediction and the algorithm, and only if some module is in training mode (:func:`eval_mode`).
    """

    def __init__(self, model: nn.Module, algorithm, *args, **kwargs):
        if callable(getattr(algorithm, "bind_model", None)):
            algorithm.bind_model(model)
        super().__init__(model, algorithm, *args, **kwargs)

    def __call__(self, *args, seed: int | None = None, **kwargs) -> Explanation:
        self._check_inputs(args, kwargs)
        if seed is not None:
            check_number(seed, "seed", low=0, integer=True)
        # One walk of the module tree for the cleaning before and after and the mode check (explainers do not add
        # modules to the model).
        modules = list(self.model.modules())
        reset_explain_state(self.model, modules)
        # PyG's GraphMaskExplainer freezes the model's parameters and leaves them frozen, after which a method that
        # differentiates through them (Grad-CAM's embedding gradient) gets no graph: their flags are restored
        trainable = [p.requires_grad for p in self.model.parameters()]
        # On CPU, fork and seed the CPU generator alone: torch.manual_seed also (lazily) seeds every accelerator
        # backend, which costs more than a small explanation.
        x = args[0] if args else kwargs["x"]  # model and inputs share a device
        on_cpu = not isinstance(x, torch.Tensor) or x.device.type == "cpu"
        try:
            with torch.random.fork_rng(devices=[] if on_cpu else None, enabled=seed is not None):
                if seed is not None and on_cpu:
                    torch.default_generator.manual_seed(seed)
                elif seed is not None:
                    torch.manual_seed(seed)
                return self._explain(modules, *args, **kwargs)
        finally:
            reset_explain_state(self.model, modules)
            for parameter, flag in zip(self.model.parameters(), trainable):
                parameter.requires_grad_(flag)

    def _explain(self, modules: list[nn.Module], x: Tensor, edge_index: Tensor, *, target: Tensor | None = None,
                 index=None, **kwargs) -> Explanation:
        """PyG's ``Explainer.__call__`` (torch-geometric 2.8) for a homogeneous graph, with one :func:`eval_mode`."""
        prediction = None
        if self.explanation_type == ExplanationType.phenomenon and target is None:
            raise ValueError(f"The 'target' has to be provided for the explanation type "
                             f"'{self.explanation_type.value}'")
        if self.explanation_type == ExplanationType.model and target is not None:
            warnings.warn(f"The 'target' should not be provided for the explanation type "
                          f"'{self.explanation_type.value}'", stacklevel=3)
        if isinstance(index, int):
            index = torch.tensor([index])
        with eval_mode(self.model, modules):
            if self.explanation_type == ExplanationType.model:
                prediction = self.get_prediction(x, edge_index, **kwargs)
                target = self.get_target(prediction)
            explanation = self.algorithm(self.model, x, edge_index, target=target, index=index, **kwargs)
        explanation._model_config = self.model_config
        explanation.prediction, explanation.target, explanation.index = prediction, target, index
        explanation._model_args = list(kwargs)
        explanation.x, explanation.edge_index = x, edge_index
        for key, arg in kwargs.items():
            explanation[key] = arg
        explanation.validate_masks()
        return explanation.threshold(self.threshold_config)

    @torch.no_grad()
    def get_prediction(self, *args, **kwargs) -> Tensor:
        """The model's output on the inputs (no gradient), in eval mode (:func:`eval_mode`), as PyG's."""
        with eval_mode(self.model):
            return self.model(*args, **kwargs)

    def _check_inputs(self, args: tuple, kwargs: dict) -> None:
        names = ("x", "edge_index")
        given = dict(zip(names, args), **{k: kwargs[k] for k in names if k in kwargs})
        if len(given) < 2:
            raise TypeError(f"an explanation needs x and edge_index, got {sorted(given)}")
        x = given["x"]
        check_graph(x, given["edge_index"], name="explained graph")
        config = getattr(self.model, "config", None) or {}  # the workbook's models record their sizes
        width = config.get("in_channels")
        if width is not None and x.is_floating_point() and x.dim() == 2 and x.size(1) != width:
            raise ValueError(f"x has {x.size(1)} features per node; the model {type(self.model).__name__} takes "
                             f"in_channels={width}")
        target, classes = kwargs.get("target"), config.get("num_classes")
        if torch.is_tensor(target) and classes is not None and self.model_config.mode.value != "regression":
            if target.is_floating_point() or (target.numel() and (int(target.min()) < 0
                                                                   or int(target.max()) >= classes)):
                raise ValueError(f"target holds {target.unique()[:5].tolist()}; allowed: class ids 0..{classes - 1}")
        index = kwargs.get("index")
        if index is not None and self.model_config.task_level.value == "node":
            if torch.is_tensor(index) and index.numel() != 1:
                check_node_indices(index, given["x"].size(0), "index")
            else:
                check_node_index(index.item() if torch.is_tensor(index) and index.is_floating_point() else index,
                                 given["x"].size(0))


@contextmanager
def edge_masked(model: nn.Module, edge_mask: Tensor, edge_index: Tensor, *, double_sigmoid: bool = False):
    """Inject ``edge_mask`` into every message-passing layer of ``model`` for the ``with`` block.

    Args:
        model: a module with PyG ``MessagePassing`` layers.
        edge_mask: ``[E]`` values in [0, 1] multiplying the messages (no sigmoid applied), or, with
            ``double_sigmoid=True``, probabilities that PyG squashes once more (PyG 1.7's behaviour, used by
            the ReFine repo: effective mask ``σ(edge_mask)`` in (0.5, 0.73)).
        edge_index: ``[2, E]``, the graph the mask belongs to.
    Raises:
        ValueError: if ``edge_mask`` is not ``[E]``.
    """
    if edge_mask.dim() != 1 or edge_mask.numel() != edge_index.size(1):
        raise ValueError(f"edge_mask must have shape [{edge_index.size(1)}], got {list(edge_mask.shape)}")
    reset_explain_state(model)
    set_masks(model, edge_mask, edge_index, apply_sigmoid=double_sigmoid)
    try:
        yield model
    finally:
        reset_explain_state(model)



def masked_logits(model: nn.Module, x: Tensor, edge_index: Tensor, batch: Tensor | None, edge_mask: Tensor,
                  *, double_sigmoid: bool = False, rep: bool = False) -> Tensor:
    """``model`` logits ``[B, C]`` (or ``graph_rep`` ``[B, H]`` when ``rep``) with ``edge_mask`` on its
    messages; see :func:`edge_masked`. An all-ones mask reproduces the unmasked output exactly."""
    with edge_masked(model, edge_mask, edge_index, double_sigmoid=double_sigmoid):
        return (model.graph_rep if rep else model)(x, edge_index, batch)
