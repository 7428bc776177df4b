import importlib
import json
import os
import shutil

import pytest
import torch
from torch_geometric.explain import Explanation

from conftest import random_node_graph
from gnnexplain.results import save_results
from gnnexplain.viz import explanation_figure, node_scores, save_figure, training_curves
from gnnexplain.viz import export


@pytest.fixture
def explanation():
    data = random_node_graph()
    torch.manual_seed(0)
    return Explanation(x=data.x, edge_index=data.edge_index, node_mask=torch.rand(data.num_nodes, 5),
                       edge_mask=torch.rand(data.num_edges))


def test_node_scores_are_scaled_to_unit_max():
    scores = node_scores(torch.tensor([[1.0, -1.0], [0.5, 0.0], [0.0, 0.0]]), 3)
    assert torch.allclose(scores, torch.tensor([1.0, 0.25, 0.0]))
    assert torch.equal(node_scores(None, 2), torch.zeros(2))
    with pytest.raises(ValueError, match="num_nodes=4"):
        node_scores(torch.ones(3, 1), 4)
    with pytest.raises(ValueError, match="NaN"):
        node_scores(torch.tensor([[float("nan")]]), 1)


def test_explanation_figure_draws_the_neighbourhood(explanation):
    labels = torch.zeros(30, dtype=torch.long)
    fig = explanation_figure(explanation, index=4, hops=1, labels=labels, predictions=labels,
                             class_names=["a", "b", "c"], title="t")
    nodes = fig.data[-1]
    neighbours = set(explanation.edge_index[1][explanation.edge_index[0] == 4].tolist()) | {4}
    assert len(nodes.x) == len(neighbours)
    assert any("node 4<br>" in t and "label a" in t for t in nodes.hovertext)
    assert "diamond" in nodes.marker.symbol
    # the same seed gives the same layout
    again = explanation_figure(explanation, index=4, hops=1)
    assert again.data[-1].x == nodes.x


def test_whole_graph_figure_has_one_edge_hover_per_undirected_pair(explanation):
    fig = explanation_figure(explanation)
    pairs = {tuple(sorted(e)) for e in explanation.edge_index.t().tolist() if e[0] != e[1]}
    assert len(fig.data[-2].hovertext) == len(pairs)


@pytest.mark.parametrize("index,hops,error", [(30, 2, IndexError), (-1, 2, IndexError), (0, 0, ValueError)])
def test_explanation_figure_rejects_bad_arguments(explanation, index, hops, error):
    with pytest.raises(error):
        explanation_figure(explanation, index=index, hops=hops)


def test_save_figure_writes_html_and_skips_static_files_with_one_notice(explanation, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(export._static, "notice_shown", False)
    monkeypatch.setitem(export._static, "server", True)  # as if kaleido's browser were running
    monkeypatch.setattr(type(explanation_figure(explanation)), "write_image",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("Kaleido requires Google Chrome")))
    fig = explanation_figure(explanation)
    paths = save_figure(fig, "graph", notebook="00_overview", out_dir=tmp_path)
    save_figure(fig, "graph2", notebook="00_overview", out_dir=tmp_path)
    assert paths == [tmp_path / "figures" / "00_overview" / "graph.html"]
    assert "plotly" in paths[0].read_text()[:100000].lower()
    out = capsys.readouterr().out
    assert out.count("PNG/SVG/PDF export skipped") == 1 and "make browser" in out
    with pytest.raises(ValueError, match="name"):
        save_figure(fig, "../evil", notebook="00_overview", out_dir=tmp_path)
    with pytest.raises(ValueError, match="formats"):
        save_figure(fig, "graph", notebook="00_overview", out_dir=tmp_path, formats=("png", "gif"))


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("google-chrome") or os.environ.get("BROWSER_PATH")),
                    reason="no Chrome/Chromium for kaleido (make browser)")
def test_save_figure_writes_png_svg_and_pdf_with_a_browser(tmp_path, monkeypatch):
    import plotly.graph_objects as go

    monkeypatch.setitem(export._static, "notice_shown", False)
    paths = save_figure(go.Figure(go.Bar(x=[0, 1], y=[1, 2])), "bars", notebook="00_x", out_dir=tmp_path)
    assert [p.suffix for p in paths] == [".html", ".png", ".svg", ".pdf"]
    heads = {p.suffix: p.read_bytes()[:200] for p in paths[1:]}
    assert heads[".png"].startswith(b"\x89PNG") and b"<svg" in heads[".svg"] and heads[".pdf"].startswith(b"%PDF")
    only_svg = save_figure(go.Figure(), "empty", notebook="00_x", out_dir=tmp_path, formats=("svg",))
    assert [p.suffix for p in only_svg] == [".html", ".svg"]


def test_training_curves_mark_the_best_epoch():
    report = {"history": {"train_loss": [3, 2, 1], "val_loss": [3, 1, 2], "val_acc": [0.1, 0.5, 0.4]}, "best_epoch": 1}
    fig = training_curves({"run": report})
    assert len(fig.data) == 3 and fig.layout.shapes[0].x0 == 2
    with pytest.raises(ValueError):
        training_curves({})


def test_save_results_converts_tensors_and_non_finite_values(tmp_path):
    path = save_results({"acc": torch.tensor(0.5), "curve": torch.arange(3), "bad": float("nan"), "n": {1: 2}},
                        notebook="00_overview", out_dir=tmp_path)
    assert json.loads(path.read_text()) == {"acc": 0.5, "curve": [0, 1, 2], "bad": None, "n": {"1": 2}}
    with pytest.raises(TypeError):
        save_results([1], notebook="x", out_dir=tmp_path)


def test_explorer_redraws_on_change_and_shows_errors(monkeypatch):
    import ipywidgets as widgets

    explorer_module = importlib.import_module("gnnexplain.widgets.explorer")  # the module, not the function
    calls, shown = [], []
    monkeypatch.setattr(explorer_module, "_pane", lambda item: shown.append(item) or widgets.Output())

    def draw(n):
        calls.append(n)
        if n < 0:
            raise ValueError("n must be >= 0")
        return [str(n), str(n + 1)] if n == 2 else str(n)

    slider = widgets.IntSlider(value=1, min=-1, max=3)
    box = explorer_module.explorer(draw, n=slider)
    slider.value = 2
    assert len(box.children[1].children) == 2  # a list is shown side by side
    slider.value = -1
    assert calls == [1, 2, -1] and shown[:3] == ["1", "2", "3"]
    assert "ValueError" in shown[-1] and "n must be" in shown[-1] and len(box.children[1].children) == 1
    assert isinstance(box, widgets.VBox) and box.children[0].children == (slider,)
    with pytest.raises(ValueError):
        explorer_module.explorer(draw)


def test_explorer_controls_wrap_keep_their_labels_and_a_usable_slider_track():
    import ipywidgets as widgets

    from gnnexplain.widgets import SLIDER_TRACK_PX, explorer

    budget = widgets.IntSlider(value=3, min=2, max=10, description="node budget")
    signed = widgets.Checkbox(value=False, description="signed (grad × input)")
    box = explorer(lambda budget, signed: f"{budget} {signed}", budget=budget, signed=signed)
    row = box.children[0]
    assert row.layout.flex_flow == "row wrap"
    assert budget.style.description_width == "initial" and budget.layout.flex == "0 0 auto"
    width = int(budget.layout.width.removesuffix("px"))
    assert width >= 8 * len("node budget") + SLIDER_TRACK_PX  # label + track (+ readout)
    assert SLIDER_TRACK_PX >= 150


def test_explorer_follow_resets_dependent_controls_before_one_redraw():
    import ipywidgets as widgets

    from gnnexplain.widgets import explorer
    sizes = {"small": 5, "large": 50}
    calls = []
    dataset = widgets.Dropdown(options=list(sizes), value="large")
    node = widgets.BoundedIntText(value=40, min=0, max=49)
    explorer(lambda dataset, node: calls.append((dataset, node)) or "", dataset=dataset, node=node,
             follow={"dataset": lambda name: {"node": {"max": sizes[name] - 1, "value": 0}}})
    dataset.value = "small"
    assert calls == [("large", 40), ("small", 0)] and node.max == 4
    with pytest.raises(ValueError, match="follow"):
        explorer(lambda node: "", node=widgets.IntSlider(), follow={"dataset": lambda v: {}})


def test_explorer_shows_a_note_without_a_kernel():
    import ipywidgets as widgets

    from gnnexplain.widgets import explorer

    bundle = explorer(lambda n: str(n), n=widgets.IntSlider())._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "make lab" in bundle["text/html"]


def test_notebook_renderer_stores_plotly_json_and_html_and_plotlyjs_once(monkeypatch):
    import IPython.display
    import plotly.graph_objects as go
    import plotly.io as pio

    from gnnexplain.viz import setup_notebook

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    default = pio.renderers.default
    try:
        setup_notebook()
        bundles = [go.Figure(go.Scatter(x=[0, 1], y=[1, i], name=f"trace{i}"))._repr_mimebundle_() for i in range(2)]
    finally:
        pio.renderers.default = default
    assert len(shown) == 1 and "plotly.js" in shown[0].data[:2000] and len(shown[0].data) > 1_000_000
    for i, bundle in enumerate(bundles):
        assert bundle["application/vnd.plotly.v1+json"]["data"][0]["name"] == f"trace{i}"
        html = bundle["text/html"]
        assert f'"name":"trace{i}"' in html and "Plotly.newPlot" in html and "mathjax" not in html.lower()


def test_figure_scores_a_pair_by_the_mean_of_its_directions():
    from gnnexplain.viz.graph import _undirected_scores

    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    scores = _undirected_scores(edge_index, torch.tensor([1.0, 0.0, 0.5, 0.5]))
    assert scores == {(0, 1): 1.0, (1, 2): 1.0}  # pair means 0.5 and 0.5, scaled by their maximum
    scores = _undirected_scores(edge_index, torch.tensor([1.0, 0.0, 0.2, 0.2]))
    assert scores[(0, 1)] == pytest.approx(1.0) and scores[(1, 2)] == pytest.approx(0.4)


def test_figures_share_one_plotlyjs(tmp_path):
    import plotly.graph_objects as go

    from gnnexplain.viz.plotlyjs import plotlyjs

    for name in ("a", "b"):
        save_figure(go.Figure(go.Scatter(x=[0, 1], y=[1, 0])), name, notebook="00_x", out_dir=tmp_path, formats=())
    shared = plotlyjs()[0]
    assert (tmp_path / "figures" / shared).stat().st_size > 1_000_000
    for name in ("a", "b"):
        html = (tmp_path / "figures" / "00_x" / f"{name}.html").read_text()
        assert f'src="../{shared}"' in html and len(html) < 100_000


def test_cartesian_bundle_serves_cartesian_figures_only(tmp_path, monkeypatch):
    import plotly.graph_objects as go

    from gnnexplain.viz import plotlyjs as bundles
    from gnnexplain.viz.notebook import _plotly_renderer_class

    fake = tmp_path / "plotly-cartesian.min.js"
    fake.write_text("/**\n* plotly.js (cartesian - minified) v0\n*/ window.Plotly = {};")
    monkeypatch.setattr(bundles, "cartesian_path", lambda: fake)
    bars, surface = go.Figure(go.Bar(y=[1])).to_dict(), go.Figure(go.Surface(z=[[1, 2], [3, 4]])).to_dict()
    assert not bundles.needs_full(bars) and bundles.needs_full(surface)
    assert bundles.plotlyjs() == (bundles.CARTESIAN_NAME, fake.read_text())
    assert bundles.plotlyjs(full=True)[0] == bundles.FULL_NAME
    paths = {n: save_figure(go.Figure(f), n, notebook="00_x", out_dir=tmp_path / "out", formats=())[0]
             for n, f in (("bars", bars), ("surface", surface))}
    assert 'src="../plotly-cartesian.min.js"' in paths["bars"].read_text()
    assert 'src="../plotly.min.js"' in paths["surface"].read_text()
    renderer = _plotly_renderer_class()()
    assert "* plotly.js" not in renderer.to_mimebundle(bars)["text/html"]  # setup_notebook embedded it
    assert "* plotly.js" in renderer.to_mimebundle(surface)["text/html"][:300]  # the full bundle, with the figure
    monkeypatch.setattr(bundles, "cartesian_path", lambda: tmp_path / "missing.js")
    assert bundles.plotlyjs()[0] == bundles.FULL_NAME
