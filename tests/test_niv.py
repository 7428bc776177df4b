import pytest
import torch

from gnnexplain.viz import contribution_bars, niv_figure, perturbation_figure, top_contributors

# a star 0-{1,2,3}, a tail 3-4, and node 5 isolated
EDGES = torch.tensor([[0, 1, 0, 2, 0, 3, 3, 4], [1, 0, 2, 0, 3, 0, 4, 3]])
CONTRIB = torch.tensor([0.5, -2.0, 1.0, 0.25, 3.0, 9.0])
PRED = torch.tensor([0, 1, 0, 2, 1, 0])
LABELS = torch.tensor([0, 1, 1, 2, 1, 0])


def node_traces(fig):
    return [t for t in fig.data if t.mode == "markers+text"]


def test_niv_sizes_colours_centre_and_negative_marks():
    fig = niv_figure(CONTRIB, EDGES, 0, predictions=PRED, labels=LABELS, hops=1, class_names=["a", "b", "c"],
                     size_range=(10, 40))
    traces = node_traces(fig)
    drawn = {int(t): (tr, i) for tr in traces for i, t in enumerate(tr.text)}
    assert set(drawn) == {0, 1, 2, 3}  # 1 hop: node 4 and the isolated node 5 are not drawn
    assert {tr.name for tr in traces} == {"pred: a", "pred: b", "pred: c"}
    size = {v: tr.marker.size[i] for v, (tr, i) in drawn.items()}
    assert size[1] == pytest.approx(40) and size[3] == pytest.approx(10 + 30 * 0.25 / 2)
    assert drawn[1][0].marker.symbol[drawn[1][1]] == "circle-x"  # negative
    assert drawn[2][0].marker.symbol[drawn[2][1]] == "circle"
    assert drawn[0][0].marker.line.width[drawn[0][1]] == 4  # the centre
    hover = drawn[1][0].hovertext[drawn[1][1]]
    assert "node 1" in hover and "label b" in hover and "prediction b" in hover and "contribution -2" in hover


def test_two_hops_and_seeded_layout():
    a = niv_figure(CONTRIB, EDGES, 0, predictions=PRED, hops=2, layout_seed=3)
    b = niv_figure(CONTRIB, EDGES, 0, predictions=PRED, hops=2, layout_seed=3)
    assert {int(t) for tr in node_traces(a) for t in tr.text} == {0, 1, 2, 3, 4}
    assert a.to_json() == b.to_json()


def test_top_contributors_and_bars():
    table = top_contributors(CONTRIB, EDGES, 0, hops=2, k=3)
    assert table["node"].tolist() == [4, 1, 2] and table["hop"].tolist() == [2, 1, 1]
    assert top_contributors(CONTRIB, EDGES, 0, hops=1, k=10, include_centre=True)["node"].tolist() == [1, 2, 0, 3]
    fig = contribution_bars(CONTRIB, EDGES, 0, hops=2, k=3, predictions=PRED)
    assert list(fig.data[0].x) == [1.0, -2.0, 3.0]  # smallest |c| at the bottom


def test_errors():
    with pytest.raises(ValueError, match="node 5 has no neighbour within hops=1"):
        niv_figure(CONTRIB, EDGES, 5, predictions=PRED)
    with pytest.raises(IndexError, match=r"allowed: integers 0\.\.5"):
        niv_figure(CONTRIB, EDGES, 6, predictions=PRED)
    with pytest.raises(ValueError, match="one value per node"):
        niv_figure(CONTRIB[:4], EDGES, 0, predictions=PRED)
    with pytest.raises(ValueError, match="hops=0 must be an integer >= 1"):
        top_contributors(CONTRIB, EDGES, 0, hops=0)
    with pytest.raises(ValueError, match="NaN or inf"):
        niv_figure(torch.full((6,), float("nan")), EDGES, 0, predictions=PRED)


def test_perturbation_figure_has_one_line_per_method_and_a_band_for_random():
    from gnnexplain.metrics import PerturbationResult

    result = PerturbationResult([0, 50, 100], {"nam": [0.8, 0.4, 0.1], "random": [0.8, 0.6, 0.1]},
                                {"nam": [0, 0, 0], "random": [0, 0.05, 0]}, {"nam": 0.425, "random": 0.525},
                                10, 0, {})
    fig = perturbation_figure(result)
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [t.name for t in lines] == ["nam (AUC 0.425)", "random (AUC 0.525)"]
    assert len(fig.data) == 3  # one std band
