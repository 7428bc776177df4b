"""Notebook 00's drawer: explanations computed once per (node, method), titled with their sanity verdict, on a tiny
random graph."""

import pytest
import torch

from conftest import random_node_graph
from gnnexplain.experiments.common import explain_node, node_explainer
from gnnexplain.models import GCN
from gnnexplain.viz.overview import node_explanation_drawer


def test_drawer_reuses_and_fills_the_cache():
    data = random_node_graph(num_nodes=20)
    torch.manual_seed(0)
    model = GCN(5, 3, hidden_channels=8).eval()
    pred = model(data.x, data.edge_index).argmax(-1)
    given = explain_node(node_explainer(model, "Saliency"), data, 3)
    cache = {(3, "Saliency"): given}
    sanity = {"Saliency": {"passes": True}, "GNNExplainer": {"passes": False}}
    draw = node_explanation_drawer(model, data, predictions=pred, class_names=["a", "b", "c"], epochs=2, lr=0.1,
                                   explanations=cache, sanity=sanity)
    assert draw(3, "Saliency", 2).layout.title.text == "Saliency: node 3 — passes the model-randomisation check"
    assert cache[3, "Saliency"] is given  # reused, not recomputed
    title = draw(4, "GNNExplainer", 1, title="custom").layout.title.text
    assert title == "custom — fails the model-randomisation check"
    assert draw(4, "Integrated Gradients", 1).layout.title.text.endswith("— not sanity-checked")
    assert set(cache) == {(3, "Saliency"), (4, "GNNExplainer"), (4, "Integrated Gradients")}
    with pytest.raises(ValueError, match="allowed: Saliency, Integrated Gradients, GNNExplainer"):
        draw(3, "saliency", 2)
