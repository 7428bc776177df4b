"""Figures that render wherever a notebook is read: in JupyterLab with a kernel, and without one (nbconvert HTML,
nbviewer, the book of ``make book``).

Plotly's default in a kernel (``plotly_mimetype``) stores only ``application/vnd.plotly.v1+json``, which only a
JupyterLab with plotly's extension can draw, so an executed notebook read anywhere else shows no figure. Its
``notebook`` renderer adds HTML but loads MathJax from a CDN in every figure. The workbook's renderer stores both
the plotly JSON (JupyterLab draws it) and HTML that draws the same figure with plotly.js, embedded once per
notebook by :func:`setup_notebook`, so the HTML works offline.
"""

from __future__ import annotations

from gnnexplain.viz.plotlyjs import FULL_NAME, needs_full, plotlyjs, plotlyjs_name

RENDERER = "gnnexplain"


def _plotly_renderer_class():
    from plotly.io import to_html
    from plotly.io._base_renderers import MimetypeRenderer, PlotlyRenderer

    class WorkbookRenderer(MimetypeRenderer):
        """Plotly JSON plus offline HTML in one bundle; plotly.js is embedded by :func:`setup_notebook`, and a
        figure with traces that bundle cannot draw carries the full plotly.js in its own HTML."""

        def __init__(self):
            self._json = PlotlyRenderer()

        def to_mimebundle(self, fig_dict):
            bundle = self._json.to_mimebundle(fig_dict)
            html = to_html(fig_dict, include_plotlyjs=False, include_mathjax=False, full_html=False, validate=False)
            if needs_full(fig_dict) and plotlyjs_name() != FULL_NAME:  # a file check, not a 1.5 MB read
                html = f"<script>{plotlyjs(full=True)[1]}</script>{html}"
            bundle["text/html"] = html
            return bundle

    return WorkbookRenderer


def setup_notebook() -> None:
    """Make the workbook's renderer plotly's default for this kernel and embed plotly.js here (call it once, in
    a notebook's import cell).

    Its own output holds plotly.js (:func:`gnnexplain.viz.plotlyjs.plotlyjs`: the 1.5 MB cartesian bundle when
    installed, else the full 4.6 MB one), so the HTML of every figure shown afterwards, in this notebook or in an
    explorer, finds it offline. Every figure shown afterwards (``fig.show()`` or a figure as a cell's value)
    carries ``application/vnd.plotly.v1+json`` (JupyterLab draws it) and ``text/html`` (nbconvert, the book and
    nbviewer draw it).
    """
    import plotly.io as pio
    from IPython.display import HTML, display

    pio.renderers[RENDERER] = _plotly_renderer_class()()
    pio.renderers.default = RENDERER
    display(HTML(f"<script>window.PlotlyConfig = {{MathJaxConfig: 'local'}};</script><script>{plotlyjs()[1]}</script>"))
