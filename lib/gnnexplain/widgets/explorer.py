"""A generic explorer: controls on top, figures below that are redrawn when any control changes.

Each pane is an ``ipywidgets.Output`` that displays what the draw function returns, exactly as a cell would: a
plotly figure is drawn by JupyterLab's plotly renderer at the notebook's width, like the static figures, and
SVG, HTML and DataFrames show as they do in a cell. (Plotly's ``FigureWidget``, used before, drew at a fixed
700 px and, being an anywidget, sometimes failed to come back after a page reload.) Headless runs keep working:
the panes' outputs are set on the widgets, not captured from a ``with`` block that nbclient would have to
imitate, and ``gnnexplain.reproduce`` drops the widget state from the executed notebook afterwards.

Layout: the controls wrap onto as many rows as the notebook column needs, each keeps its natural width, labels
are never cut and every slider keeps a track of at least :data:`SLIDER_TRACK_PX`; the panes share the column's
width. Read without a kernel (nbconvert HTML, nbviewer, ``make book``), an explorer shows :data:`NEEDS_KERNEL`
instead of an empty widget.
"""

from __future__ import annotations

import html
from typing import Callable, Mapping

import ipywidgets as widgets
from IPython.display import HTML

SLIDER_TRACK_PX = 180
CSS_CLASS = "gnnexplain-explorer"  # on the explorer's box, for tests and styles
NEEDS_KERNEL = ("<p><b>Interactive explorer.</b> Its controls redraw the figures in a live Python kernel: run "
                "<code>make lab</code> in the workbook's folder and run this notebook in JupyterLab.</p>")
_SLIDERS = (widgets.IntSlider, widgets.FloatSlider, widgets.SelectionSlider, widgets.IntRangeSlider,
            widgets.FloatRangeSlider, widgets.FloatLogSlider)


def _label_px(text: str) -> int:
    """A generous width for a label in the notebook's 13 px UI font."""
    return 8 * len(text) + 12


def fit_control(control: widgets.Widget) -> None:
    """Size one control for a wrapping row: natural width, full label, and a usable slider track.

    Sliders get ``label + SLIDER_TRACK_PX + readout`` pixels; checkboxes their label's width; other controls keep
    their own width. Labels use ``description_width='initial'`` (their own length) so none is cut, and no control
    shrinks in a full row (``flex: 0 0 auto``): the row wraps instead.
    """
    description = getattr(control, "description", "") or ""
    if hasattr(control, "style") and hasattr(control.style, "description_width"):
        control.style.description_width = "initial"
    if isinstance(control, _SLIDERS):
        control.layout.width = f"{_label_px(description) + SLIDER_TRACK_PX + 80}px"
    elif isinstance(control, widgets.Checkbox):
        control.layout.width = f"{_label_px(description) + 40}px"
        control.indent = False
    control.layout.flex = "0 0 auto"
    control.layout.margin = "2px 12px 2px 0"


class ExplorerBox(widgets.VBox):
    """The explorer's box; its repr adds :data:`NEEDS_KERNEL` as HTML, which readers without a kernel show."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/html"] = NEEDS_KERNEL
        return bundle


def _pane(item) -> widgets.Output:
    """An output area showing ``item`` as a cell would; a plain string is HTML/SVG markup when it starts with
    ``<``, else preformatted text.

    The output is set on the widget (``outputs``) rather than displayed inside ``with pane:``: nbclient's
    imitation of ``Output`` widgets can stall a headless run for the whole cell timeout on the latter.
    """
    from IPython.core.formatters import format_display_data
    from plotly.basedatatypes import BaseFigure

    if isinstance(item, str):
        item = HTML(item if item.lstrip().startswith("<") else f"<pre>{html.escape(item)}</pre>")
    if isinstance(item, BaseFigure):  # its display hook would show it in the cell, not return it
        data, metadata = item._repr_mimebundle_(), {}
    else:
        data, metadata = format_display_data(item)
    pane = widgets.Output(layout=widgets.Layout(flex="1 1 0", min_width="0"))
    pane.outputs = ({"output_type": "display_data", "data": data, "metadata": metadata},)
    return pane


def explorer(draw: Callable[..., object], *, follow: Mapping[str, Callable[[object], Mapping]] | None = None,
             **controls: widgets.ValueWidget) -> ExplorerBox:
    """Build a widget that calls ``draw(**values)`` and shows its result whenever a control changes.

    Args:
        draw: takes one keyword argument per control (its current ``value``) and returns something a cell can
            display (a plotly figure, an ipywidget, an object with ``_repr_html_``/``_repr_svg_``, a string of
            SVG/HTML markup or plain text), or a list/tuple of such, shown side by side sharing the width.
        follow: controls that others depend on: ``{name: update}``, where ``update(new_value)`` returns
            ``{other control's name: {trait: value}}`` (e.g. a dataset's node range and a valid node). The
            dependent controls are updated first, then the panes are drawn once.
        **controls: ipywidgets value widgets (``Dropdown``, ``IntSlider``, ...), keyed by the name of
            ``draw``'s argument. They are resized in place (:func:`fit_control`).
    Returns:
        An :class:`ExplorerBox` (a ``VBox``) with CSS class :data:`CSS_CLASS`: the controls (a wrapping row), then
        the drawn panes. A ``ValueError``/``IndexError`` raised by ``draw`` (e.g. a node id outside the graph) is
        shown as a message in place of the panes.
    Raises:
        ValueError: if no control is given, or ``follow`` names a control that is not given; an ``update`` that
            returns a name that is not a control raises it when its control changes.
    """
    if not controls:
        raise ValueError("explorer needs at least one control widget")
    follow = dict(follow or {})
    unknown = sorted(set(follow) - set(controls))
    if unknown:
        raise ValueError(f"follow names {unknown}, which are not controls; allowed: {sorted(controls)}")
    for control in controls.values():
        fit_control(control)
    panes = widgets.HBox(layout=widgets.Layout(width="100%"))
    updating = []

    def redraw(*_):
        if updating:
            return
        try:
            result = draw(**{name: w.value for name, w in controls.items()})
            items = list(result) if isinstance(result, (list, tuple)) else [result]
        except (ValueError, IndexError) as exc:
            items = [f"<b>{type(exc).__name__}</b>: {html.escape(str(exc))}"]
        old, panes.children = panes.children, tuple(_pane(item) for item in items)
        for pane in old:
            pane.close()

    def follower(update):
        def on_change(change):
            changes = update(change["new"])
            missing = sorted(set(changes) - set(controls))
            if missing:
                raise ValueError(f"follow update names {missing}, which are not controls; "
                                 f"allowed: {sorted(controls)}")
            updating.append(True)
            try:
                for name, traits in changes.items():
                    with controls[name].hold_trait_notifications():
                        for trait, value in traits.items():
                            setattr(controls[name], trait, value)
            finally:
                updating.pop()
            redraw()
        return on_change

    for name, control in controls.items():
        control.observe(follower(follow[name]) if name in follow else redraw, names="value")
    redraw()
    row = widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap", width="100%"))
    box = ExplorerBox([row, panes], layout=widgets.Layout(width="100%"))
    box.add_class(CSS_CLASS)
    return box
