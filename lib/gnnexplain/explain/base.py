"""What every explainer of the workbook shares: ``supports()`` answers with a bool, as PyG's contract asks, and
``connect()`` (called when a PyG ``Explainer`` is built) says *why* it refuses settings, instead of PyG's generic
"does not support the given explanation settings"."""

from __future__ import annotations

from torch_geometric.explain.config import ExplainerConfig, ModelConfig


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


class SupportCheck:
    """Mixin for a PyG ``ExplainerAlgorithm``: subclasses implement :meth:`unsupported_reason`.

    ``supports()`` is ``unsupported_reason() is None``; ``connect()`` raises ``ValueError`` naming the algorithm
    and the reason.
    """

    def unsupported_reason(self) -> str | None:
        """Why the connected ``explainer_config`` / ``model_config`` cannot be explained, or ``None``."""
        raise NotImplementedError

    def supports(self) -> bool:
        return self.unsupported_reason() is None

    def connect(self, explainer_config: ExplainerConfig, model_config: ModelConfig) -> None:
        self._explainer_config = ExplainerConfig.cast(explainer_config)
        self._model_config = ModelConfig.cast(model_config)
        reason = self.unsupported_reason()
        if reason is not None:
            raise ValueError(f"{type(self).__name__} cannot explain these settings: {reason}")
