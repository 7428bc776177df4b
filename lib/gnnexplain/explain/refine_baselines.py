"""The baselines of ReFine's Table 2 (Wang et al., NeurIPS 2021, §4) as PyG explainers, plus ReFine itself,
all graph-level with an edge mask ``[E]`` and all run through :class:`SafeExplainer`.

* SA: |∂ logit_ŷ / ∂ edge mask| (Captum ``Saliency`` on an all-ones edge mask). The repo differentiates the
  squared gradient w.r.t. ``edge_attr``; with a mask on messages the ranking of edges is the same quantity
  up to squaring, which does not change a top-k.
* GNNExplainer: PyG's, 100 epochs, lr 0.01, with the repo's coefficients (size 0.05 on the sum, entropy 0.5).
* PGExplainer: PyG's, trained on batches of graphs (``batch=``), size coefficient 0.005 (PyG's 0.05 on
  the edge sum collapses every mask to zero on these graphs).
* PGM-Explainer is not run: PyG's contrib version needs ``pgmpy``, which is not installed here.
"""

from __future__ import annotations

import time

import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.explain.algorithm import CaptumExplainer, GNNExplainer, PGExplainer
from torch_geometric.loader import DataLoader

from gnnexplain.explain.refine import ReFine
from gnnexplain.explain.safety import SafeExplainer, fit_pgexplainer

REFINE_BASELINES = ("SA", "GNNExplainer", "PGExplainer")
_MODEL_CONFIG = dict(mode="multiclass_classification", task_level="graph", return_type="raw")


def graph_explainer(model: torch.nn.Module, method: str | ReFine, *, epochs: int = 100,
                    lr: float = 0.01) -> SafeExplainer:
    """A graph-level :class:`SafeExplainer` with an edge mask.

    Args:
        model: ``(x, edge_index, batch) -> logits [B, C]``.
        method: ``"SA"``, ``"GNNExplainer"`` (``epochs``, ``lr``), ``"PGExplainer"`` (training ``epochs``,
            ``lr``; train it with :func:`train_graph_pgexplainer`) or a fitted :class:`ReFine` instance.
    Returns:
        The explainer; PGExplainer explains the phenomenon (pass ``target``), the others the prediction.
    Raises:
        ValueError: for an unknown ``method``.
    """
    kind = "model"
    if isinstance(method, ReFine):
        algorithm = method
    elif method == "SA":
        algorithm = CaptumExplainer("Saliency")
    elif method == "GNNExplainer":
        algorithm = GNNExplainer(epochs=epochs, lr=lr, edge_size=0.05, edge_ent=0.5)
    elif method == "PGExplainer":
        algorithm, kind = PGExplainer(epochs=epochs, lr=lr, edge_size=0.005), "phenomenon"
    else:
        raise ValueError(f"unknown method={method!r}; allowed: {', '.join(REFINE_BASELINES)} or a ReFine")
    return SafeExplainer(model, algorithm, explanation_type=kind, node_mask_type=None, edge_mask_type="object",
                         model_config=_MODEL_CONFIG)


def train_graph_pgexplainer(explainer: SafeExplainer, graphs, targets: Tensor, *, batch_size: int = 64,
                            seed: int = 0) -> list[float]:
    """Train a graph-level PGExplainer on ``graphs`` labelled with ``targets`` (the model's predictions).

    Args:
        explainer: from ``graph_explainer(model, "PGExplainer")``.
        graphs: sequence of ``Data``. targets: ``[B]`` classes. batch_size: graphs per step.
        seed: seeds the mask network's initialisation, the shuffling and the concrete noise.
    Returns:
        The mean loss per epoch.
    Raises:
        TypeError: if the explainer is not a PGExplainer; ValueError: for empty ``graphs``.
    """
    if not isinstance(explainer.algorithm, PGExplainer):
        raise TypeError("train_graph_pgexplainer needs an explainer built with method='PGExplainer'")
    if len(graphs) == 0:
        raise ValueError("graphs must not be empty")
    data = [Data(x=g.x, edge_index=g.edge_index, y=targets[i].view(1), num_nodes=g.num_nodes)
            for i, g in enumerate(graphs)]

    def epoch_inputs():  # runs inside fit_pgexplainer's seeded RNG, so the shuffling is seeded too
        loader = DataLoader(data, batch_size=batch_size, shuffle=True)
        return (dict(x=b.x, edge_index=b.edge_index, target=b.y, batch=b.batch) for b in loader)

    return fit_pgexplainer(explainer, epoch_inputs, seed=seed)


def explain_each_graph(explainer: SafeExplainer, graphs, targets: Tensor | None = None, *,
                       seed: int = 0) -> tuple[list[Tensor], float]:
    """Edge masks for each graph and the wall time per graph.

    Args:
        explainer: from :func:`graph_explainer`. graphs: sequence of ``Data``.
        targets: ``[B]`` classes (needed by phenomenon explainers). seed: seeds each explanation.
    Returns:
        ``([edge_mask [E_g] per graph], seconds_per_graph)``.
    Raises:
        ValueError: for empty ``graphs``.
    """
    if len(graphs) == 0:
        raise ValueError("graphs must not be empty")
    start = time.perf_counter()
    masks = []
    for i, g in enumerate(graphs):
        kwargs = {"target": targets[i].view(1)} if targets is not None else {}
        masks.append(explainer(g.x, g.edge_index, seed=seed, **kwargs).edge_mask.detach())
    return masks, (time.perf_counter() - start) / len(graphs)

