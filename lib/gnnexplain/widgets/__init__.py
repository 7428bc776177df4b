"""ipywidgets explorers used by the notebooks."""

from gnnexplain.widgets.explorer import as_widget, explorer

__all__ = ["as_widget", "explorer"]
