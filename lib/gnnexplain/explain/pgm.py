"""PGM-Explainer (Vu & Thai, NeurIPS 2020) for graph classification, on PyG's contrib ``PGMExplainer`` (it needs
``pgmpy``), with the ReFine repo's BA-3motif settings (docs/04_refine.md §4.6)."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import Tensor
from torch_geometric.explain import Explanation
from torch_geometric.explain.config import ModelTaskLevel

from gnnexplain.explain.base import SupportCheck, mismatch
from gnnexplain.validation import check_graph

with warnings.catch_warnings():  # PyG warns on every import of its contrib package
    warnings.simplefilter("ignore", UserWarning)
    from torch_geometric.contrib.explain import PGMExplainer


class GraphPGMExplainer(SupportCheck, PGMExplainer):
    """PGM-Explainer (Vu & Thai, NeurIPS 2020) for graph classification, returning an edge mask ``[E]``.

    PyG's contrib ``PGMExplainer`` draws the perturbation samples (its ``_batch_perturb_features_on_node``)
    and ``pgmpy``'s chi-square test scores each node; as in the ReFine repo (``explainers/pgm_explainer.py``)
    node p-values become edge importances ``−p_u·p_v``, shifted so the minimum is 0. Configuration (the
    repo's grid-searched BA-3motif setting): perturbation "uniform" (noise in ±5 % of each feature's
    maximum), indicator "abs", ``num_samples`` 10, ``percentage`` 20 % of the nodes perturbed per sample,
    ``top_node`` = max(1, ⌊0.1·N⌋) candidates kept ×4 for round 2.

    Three upstream problems are fixed here: PyG's "uniform" mode indexes rows with feature ids (shape
    error) and drops its clamp; PyG's graph-level round 1 tests each node against the column of the *class
    id* instead of the prediction column; PyG draws from NumPy's global RNG (here seeded from torch's, so
    :class:`SafeExplainer`'s ``seed`` makes it reproducible). A node whose column is constant gets p = 1.

    Args:
        num_samples: perturbed copies per round (>= 8, so that the top eighth holds a sample).
        percentage: percent of candidate nodes perturbed in each sample, in (0, 100].
        top_node_fraction: ``top_node`` as a fraction of N, in (0, 1].
    Raises:
        ValueError: for arguments out of range.
    """

    def __init__(self, num_samples: int = 10, percentage: float = 20.0, top_node_fraction: float = 0.1):
        if num_samples < 8:
            raise ValueError(f"num_samples must be >= 8, got {num_samples}")
        if not 0 < percentage <= 100:
            raise ValueError(f"percentage must be in (0, 100], got {percentage}")
        if not 0 < top_node_fraction <= 1:
            raise ValueError(f"top_node_fraction must be in (0, 1], got {top_node_fraction}")
        super().__init__(perturbation_mode="uniform", perturbations_is_positive_only=True, num_samples=num_samples)
        self.percentage, self.top_node_fraction = percentage, top_node_fraction

    def _perturb_features_on_nodes(self, x: Tensor, index: Tensor) -> Tensor:
        high = x.max(dim=0).values
        noise = (torch.rand(len(index), x.size(1)) * 2 - 1) * 0.05 * high
        x_perturb = x.detach().clone()
        x_perturb[index] = torch.minimum((x_perturb[index] + noise).clamp(min=0), high)
        return x_perturb

    def _node_p_values(self, model, x: Tensor, edge_index: Tensor, nodes: np.ndarray, **kwargs) -> np.ndarray:
        import pandas as pd
        from pgmpy.estimators.CITests import chi_square

        samples = self._batch_perturb_features_on_node(model, x, edge_index, nodes, self.percentage, **kwargs)
        data, n = pd.DataFrame(samples.numpy()), x.size(0)
        p = np.ones(n)  # a node never perturbed has a constant column: p = 1, no test needed
        p[nodes] = [chi_square(int(v), n, [], data, boolean=False)[1] for v in nodes]
        return np.nan_to_num(p, nan=1.0)

    def forward(self, model: torch.nn.Module, x: Tensor, edge_index: Tensor, *, target: Tensor,
                index=None, **kwargs) -> Explanation:
        """Explain one graph's prediction: ``Explanation(edge_mask=[E] >= 0, node_p_value=[N])``.

        Raises:
            ValueError: for a graph with no edges.
        """
        check_graph(x, edge_index, name=type(self).__name__)
        if edge_index.size(1) == 0:
            raise ValueError("cannot explain a graph with no edges")
        n = x.size(0)
        top_node = max(1, int(self.top_node_fraction * n))
        state = np.random.get_state()
        np.random.seed(int(torch.randint(2**31 - 1, ())))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # pgmpy 1.1+ renames chi_square (removal: 1.3)
                p = self._node_p_values(model, x, edge_index, np.arange(n), **kwargs)
                candidates = np.argsort(p, kind="stable")[:min(4 * top_node, max(n - 1, 1))]
                p = self._node_p_values(model, x, edge_index, candidates, **kwargs)
        finally:
            np.random.set_state(state)
        p = torch.as_tensor(p, dtype=torch.float)
        imp = -p[edge_index[0]] * p[edge_index[1]]
        return Explanation(edge_mask=imp - imp.min(), node_p_value=p)

    def settings_reason(self) -> str | None:
        # an edge mask of graph classifiers
        return mismatch({"task_level": (self.model_config.task_level, ModelTaskLevel.graph),
                         "node_mask_type": (self.explainer_config.node_mask_type, None)})


