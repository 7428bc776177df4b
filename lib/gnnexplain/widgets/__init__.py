"""ipywidgets explorers used by the notebooks."""

from gnnexplain.widgets.explorer import CSS_CLASS, NEEDS_KERNEL, SLIDER_TRACK_PX, ExplorerBox, explorer, fit_control

__all__ = ["CSS_CLASS", "NEEDS_KERNEL", "SLIDER_TRACK_PX", "ExplorerBox", "explorer", "fit_control"]
