"""Figures of notebook 02 (Xie & Lu, NAM): the NIV examples of the paper and the explorer's draw function
(docs/02_nam.md §2.5), each titled with its method's model-randomisation verdict."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from torch import Tensor

from gnnexplain.experiments.common import sanity_verdict
from gnnexplain.experiments.nam import explainer_node_scores
from gnnexplain.explain.nam import nam_contributions
from gnnexplain.models.gcn import GCN
from gnnexplain.viz.niv import contribution_bars, niv_figure, top_contributors


def niv_example(model: GCN, data, node: int, paper_top: int, predictions: Tensor, class_names: Sequence[str], *,
                dataset: str, layout_seed: int = 0, sanity: Mapping[str, Mapping] | None = None) -> dict:
    """One NIV example of the paper (Xie & Lu, Figs. 7–9; docs/02_nam.md §2.5): the 1-hop neighbourhood of
    ``node`` sized by its NAM contribution to the node's true class, its most influential neighbour, and where
    the paper's most influential neighbour ranks here.

    Args:
        model: a 2-layer :class:`GCN`. data: ``x``, ``edge_index``, ``y``. node: the centre (paper's id).
        paper_top: the paper's most influential neighbour. predictions: LongTensor ``[N]``.
        class_names: topic per class id. dataset: its name, for the title. layout_seed: of the layout.
        sanity: ``{method: {"passes", ...}}`` (:func:`gnnexplain.experiments.nam.sanity_table`); the title ends
            with the verdict of "NAM (true class)" (:func:`gnnexplain.experiments.common.sanity_verdict`).
    Returns:
        ``{"figure": niv_figure, "row": {...}}``; the row's rank counts by |contribution| from 1 (``None`` when
        the paper's node is not a 1-hop neighbour here).
    Raises:
        IndexError: for a node outside the graph (and the errors of :func:`niv_figure`).
    """
    label = int(data.y[node])
    row = nam_contributions(model, data.x, data.edge_index, index=[node], target=[label])
    top = top_contributors(row, data.edge_index, node, hops=1, k=data.num_nodes)
    paper_rank = (top.index[top["node"] == paper_top] + 1).tolist()
    figure = niv_figure(row, data.edge_index, node, predictions=predictions, labels=data.y, hops=1,
                        class_names=class_names, layout_seed=layout_seed,
                        title=f"NIV, {dataset} node {node} (label {class_names[label]}): 1-hop contributions — "
                              f"NAM (true class) {sanity_verdict(sanity, 'NAM (true class)')}")
    return {"figure": figure,
            "row": {"node": node, "label": class_names[label], "prediction": class_names[int(predictions[node])],
                    "1-hop neighbours": len(top), "most influential (this run)": int(top["node"][0]),
                    "its contribution": float(top["contribution"][0]),
                    "centre's own contribution": float(row.to_dense()[0, node]),
                    "paper (Xie & Lu, Figs. 7-9): most influential": paper_top,
                    "rank of the paper's node here (by |contribution|)": paper_rank[0] if paper_rank else None}}


def nam_drawer(graphs: dict, models: dict, predictions: dict, explainers: dict, *, class_names: dict,
               seed: int = 0, sanity: Mapping[str, Mapping] | None = None) -> Callable:
    """The draw function of notebook 02's explorer: NIV plot and top contributors of one node.

    ``draw(dataset, node, misclassified_no, hops, method)``: with ``misclassified_no >= 0`` the node is that
    misclassified test node (the last one if there are fewer); ``method`` ``"NAM"`` draws NAM contributions to
    the predicted class, any other the node scores of ``explainers[dataset][method]``
    (:func:`gnnexplain.experiments.nam.explainer_node_scores`).

    Args:
        graphs: ``{name: (dataset, data)}``; models, predictions: ``{name: GCN}``, ``{name: LongTensor [N]}``.
        explainers: ``{name: {method: explainer}}``. class_names: ``{name: topic per class id}``.
        seed: seeds stochastic explainers and the layout.
        sanity: ``{method: {"passes", ...}}`` (:func:`gnnexplain.experiments.nam.sanity_table`); the NIV title ends
            with the method's verdict (:func:`gnnexplain.experiments.common.sanity_verdict`).
    Returns:
        ``draw(...) -> [niv_figure, contribution_bars]``; it raises IndexError for a node outside the dataset.
    """
    misclassified = {name: [int(v) for v in data.test_mask.nonzero().view(-1) if predictions[name][v] != data.y[v]]
                     for name, (_, data) in graphs.items()}

    def draw(dataset, node, misclassified_no, hops, method):
        data, model, pred, names = graphs[dataset][1], models[dataset], predictions[dataset], class_names[dataset]
        if misclassified_no >= 0:
            wrong = misclassified[dataset]
            node = wrong[min(misclassified_no, len(wrong) - 1)]
        if not 0 <= node < data.num_nodes:
            raise IndexError(f"node={node} is outside {dataset}; allowed: 0..{data.num_nodes - 1}")
        if method == "NAM":
            row = nam_contributions(model, data.x, data.edge_index, index=[node])
        else:
            row = explainer_node_scores(explainers[dataset][method], data.x, data.edge_index, [node], seed=seed)[0]
        title = (f"{method}: {dataset} node {node} (label {names[int(data.y[node])]}, "
                 f"pred {names[int(pred[node])]}) — {sanity_verdict(sanity, method)}")
        return [niv_figure(row, data.edge_index, node, predictions=pred, labels=data.y, hops=hops,
                           class_names=names, layout_seed=seed, title=title),
                contribution_bars(row, data.edge_index, node, hops=hops, k=10, predictions=pred,
                                  class_names=names, title="top contributors")]

    return draw
