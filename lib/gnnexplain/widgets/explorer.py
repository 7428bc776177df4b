"""A generic explorer: controls on top, figures below that are rebuilt when any control changes.

The figures are real widgets (plotly ``FigureWidget``, ``ipywidgets.HTML``) rather than an ``Output``
widget: headless runners (nbclient, papermill) mimic ``Output`` widgets by syncing state back to the
kernel and can block forever on a cell that displays a plotly figure into one (jupyter/nbclient#312).
"""

from __future__ import annotations

import html
from typing import Callable


def as_widget(item):
    """Wrap one displayable object in a widget.

    Args:
        item: a plotly ``Figure`` (-> ``FigureWidget``), an ipywidget (kept), an object with
            ``_repr_html_`` or ``_repr_svg_`` (a DataFrame, an RDKit/IPython SVG), or a string (SVG or HTML
            markup when it starts with ``<``, else shown as preformatted text).
    Returns:
        An ipywidget.
    """
    import ipywidgets as widgets
    import plotly.graph_objects as go

    if isinstance(item, go.Figure):
        return go.FigureWidget(item)
    if isinstance(item, widgets.Widget):
        return item
    for method in ("_repr_html_", "_repr_svg_"):
        if hasattr(item, method):
            return widgets.HTML(getattr(item, method)())
    text = str(item)
    return widgets.HTML(text if text.lstrip().startswith("<") else f"<pre>{html.escape(text)}</pre>")


def explorer(draw: Callable[..., object], **controls):
    """Build a widget that calls ``draw(**values)`` and shows its result whenever a control changes.

    Args:
        draw: takes one keyword argument per control (its current ``value``) and returns what
            :func:`as_widget` accepts, or a list/tuple of such (shown side by side).
        **controls: ipywidgets value widgets (``Dropdown``, ``IntSlider``, ...), keyed by the name of
            ``draw``'s argument.
    Returns:
        An ``ipywidgets.VBox``: the controls, then the drawn panes. A ``ValueError``/``IndexError`` raised
        by ``draw`` (e.g. a node id outside the graph) is shown as a message in place of the panes.
    Raises:
        ValueError: if no control is given.
    """
    import ipywidgets as widgets

    if not controls:
        raise ValueError("explorer needs at least one control widget")
    panes = widgets.HBox()

    def redraw(*_):
        try:
            shown = draw(**{name: w.value for name, w in controls.items()})
            items = shown if isinstance(shown, (list, tuple)) else [shown]
            new = tuple(as_widget(item) for item in items)
        except (ValueError, IndexError) as exc:
            new = (widgets.HTML(f"<b>{type(exc).__name__}</b>: {html.escape(str(exc))}"),)
        old, panes.children = panes.children, new
        for child in old:
            if child not in new and child not in controls.values():
                child.close()

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox(list(controls.values())), panes])
