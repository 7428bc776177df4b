"""What every explainer of the workbook shares: ``supports()`` answers with a bool, as PyG's contract asks, and
``connect()`` (called when a PyG ``Explainer`` is built) says *why* it refuses settings, instead of PyG's generic
"does not support the given explanation settings".

Two kinds of requirement (docs/conventions.md §0.3):

* the **settings** (``explainer_config``, ``model_config``): :meth:`SupportCheck.settings_reason`;
* the **model** (its layers, signature or dropout): :meth:`SupportCheck.model_requirement`. PyG's
  ``Explainer`` does not hand the model to ``connect()``, so the model is known once it is bound
  (:meth:`SupportCheck.bind_model`, which :class:`gnnexplain.core.masks.SafeExplainer` calls before connecting)
  and is checked again at every explanation (:meth:`SupportCheck.check_model`), so a plain PyG ``Explainer``
  refuses an unsuitable model too, at its first call.
"""

from __future__ import annotations

import functools
import inspect

import torch
from torch_geometric.explain.config import ExplainerConfig, ModelConfig
from torch_geometric.nn import MessagePassing

from gnnexplain.validation import check_graph, check_node_index


def _value(setting) -> object:
    return getattr(setting, "value", setting)


def mismatch(wanted: dict[str, tuple[object, object | tuple]]) -> str | None:
    """The first setting that is not allowed, as a sentence, or ``None`` if all are.

    Args:
        wanted: ``{setting name: (value given, allowed value or tuple of allowed values)}``.
    """
    for name, (got, allowed) in wanted.items():
        options = allowed if isinstance(allowed, tuple) else (allowed,)
        if got not in options:
            listed = " or ".join(repr(_value(a)) for a in options)
            return f"{name}={_value(got)!r}; allowed: {listed}"
    return None


def message_passing_layers(model: torch.nn.Module) -> list[MessagePassing]:
    """The PyG ``MessagePassing`` submodules of ``model``, in registration order (empty for dense or
    scatter-written models such as DGCNN, GGNN and NFP)."""
    return [m for m in model.modules() if isinstance(m, MessagePassing)]


def takes_argument(function, name: str) -> bool:
    """Whether ``function`` (e.g. a model's ``forward``) accepts a keyword argument ``name`` (or ``**kwargs``).

    The answer is cached per plain function (a bound method's ``__func__``): its signature cannot change, and
    reading it costs more than a small explanation's other checks together."""
    return _takes_argument(getattr(function, "__func__", function), name)


@functools.lru_cache(maxsize=256)
def _takes_argument(function, name: str) -> bool:
    params = inspect.signature(function).parameters
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


class SupportCheck:
    """Mixin for a PyG ``ExplainerAlgorithm``: subclasses implement :meth:`settings_reason` and, when the
    method needs something of the model, :meth:`model_requirement`.

    ``supports()`` is ``unsupported_reason() is None``; ``connect()`` raises ``ValueError`` naming the algorithm
    and the reason; the settings are checked first, then the bound model (if any).
    """

    def settings_reason(self) -> str | None:
        """Why the connected ``explainer_config`` / ``model_config`` cannot be explained, or ``None``."""
        raise NotImplementedError

    def model_requirement(self, model: torch.nn.Module) -> str | None:
        """Why this method cannot explain ``model`` (under the connected settings, where they matter), or
        ``None``. The default: no requirement."""
        return None

    def batch_requirement(self, function) -> str | None:
        """At graph level (or before connection), ``function`` (the model's forward that receives a batch of graphs)
        must take ``batch``: explainers that batch graphs, or copies of one, need it to pool them apart."""
        connected = "_model_config" in self.__dict__
        if (connected and self.model_config.task_level.value != "graph") or takes_argument(function, "batch"):
            return None
        return f"its {function.__name__}() takes no batch argument, so batched graphs cannot be pooled apart"

    def explained_instance(self, model: torch.nn.Module, x, edge_index, index, target):
        """Check an explanation call and say what it explains: ``(index, target)``.

        Validates the graph (:func:`gnnexplain.validation.check_graph`) and the model (:meth:`check_model`). At node
        level ``index`` must name one node and the result is ``(node int, its class as a 0-dim tensor)`` (``target``
        ``[N]``, one class per node, or one class); at graph level ``index`` must be ``None`` and ``target`` is
        returned as given.

        Raises:
            ValueError: for a model the method cannot explain, several or no nodes at node level, an index at graph
                level. IndexError: for a node outside the graph. TypeError / ValueError: see ``check_graph``.
        """
        name = type(self).__name__
        check_graph(x, edge_index, name=name)
        self.check_model(model)
        if self.model_config.task_level.value == "node":
            flat = torch.as_tensor(index).view(-1) if index is not None else torch.empty(0)
            if flat.numel() != 1:
                raise ValueError(f"{name} explains one node at a time: index must name a single node, got {index!r}")
            node = check_node_index(flat.item(), x.size(0))
            return node, target.view(-1)[node if target.numel() == x.size(0) else 0]
        if index is not None:
            raise ValueError(f"index must be None: {name} explains every graph of the batch at graph level")
        return None, target

    def bind_model(self, model: torch.nn.Module):
        """Remember ``model`` as the one :meth:`supports` and :meth:`connect` check; returns ``self``.

        The model is not registered as a submodule (it is not part of the explainer's parameters or state).
        """
        object.__setattr__(self, "_bound_model", model)
        return self

    def unsupported_reason(self, model: torch.nn.Module | None = None) -> str | None:
        """Why the connected settings, or ``model`` (default: the bound model, if any), cannot be explained,
        or ``None``. Model reasons start with ``"model "``."""
        reason = self.settings_reason()
        model = model if model is not None else self.__dict__.get("_bound_model")
        if reason is None and model is not None:
            requirement = self.model_requirement(model)
            reason = None if requirement is None else f"model {type(model).__name__}: {requirement}"
        return reason

    def supports(self) -> bool:
        return self.unsupported_reason() is None

    def connect(self, explainer_config: ExplainerConfig, model_config: ModelConfig) -> None:
        self._explainer_config = ExplainerConfig.cast(explainer_config)
        self._model_config = ModelConfig.cast(model_config)
        reason = self.unsupported_reason()
        if reason is not None:
            raise ValueError(f"{type(self).__name__} cannot explain these settings: {reason}")

    def check_model(self, model: torch.nn.Module) -> None:
        """Raise ``ValueError`` naming the method, the model and the requirement it misses.

        Called at every explanation (it reads the model's modules and signature: microseconds).
        """
        requirement = self.model_requirement(model)
        if requirement is not None:
            raise ValueError(f"{type(self).__name__} cannot explain model {type(model).__name__}: {requirement}")
