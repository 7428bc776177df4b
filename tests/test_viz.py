import json

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


def test_save_figure_writes_html_and_skips_png_with_one_notice(explanation, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(export, "_png_notice_shown", False)
    monkeypatch.setattr(type(explanation_figure(explanation)), "write_image",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("Kaleido requires Google Chrome")))
    fig = explanation_figure(explanation)
    paths = save_figure(fig, "graph", notebook="00_overview", out_dir=tmp_path)
    save_figure(fig, "graph2", notebook="00_overview", out_dir=tmp_path)
    assert paths == [tmp_path / "figures" / "00_overview" / "graph.html"]
    assert "plotly" in paths[0].read_text()[:100000].lower()
    assert capsys.readouterr().out.count("PNG export skipped") == 1
    with pytest.raises(ValueError, match="name"):
        save_figure(fig, "../evil", notebook="00_overview", out_dir=tmp_path)


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


def test_explorer_redraws_on_change_and_shows_errors():
    import ipywidgets as widgets

    from gnnexplain.widgets import explorer
    calls = []

    def draw(n):
        calls.append(n)
        if n < 0:
            raise ValueError("n must be >= 0")
        return str(n)

    slider = widgets.IntSlider(value=1, min=-1, max=3)
    box = explorer(draw, n=slider)
    slider.value = 2
    slider.value = -1
    assert calls == [1, 2, -1]
    assert isinstance(box, widgets.VBox) and box.children[0].children == (slider,)
    with pytest.raises(ValueError):
        explorer(draw)


def test_figure_scores_a_pair_by_the_mean_of_its_directions():
    from gnnexplain.viz.graph import _undirected_scores

    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    scores = _undirected_scores(edge_index, torch.tensor([1.0, 0.0, 0.5, 0.5]))
    assert scores == {(0, 1): 1.0, (1, 2): 1.0}  # pair means 0.5 and 0.5, scaled by their maximum
    scores = _undirected_scores(edge_index, torch.tensor([1.0, 0.0, 0.2, 0.2]))
    assert scores[(0, 1)] == pytest.approx(1.0) and scores[(1, 2)] == pytest.approx(0.4)


def test_figures_share_one_plotlyjs(tmp_path):
    import plotly.graph_objects as go

    for name in ("a", "b"):
        save_figure(go.Figure(go.Scatter(x=[0, 1], y=[1, 0])), name, notebook="00_x", out_dir=tmp_path)
    shared = tmp_path / "figures" / "plotly.min.js"
    assert shared.stat().st_size > 1_000_000
    for name in ("a", "b"):
        html = (tmp_path / "figures" / "00_x" / f"{name}.html").read_text()
        assert 'src="../plotly.min.js"' in html and len(html) < 100_000
