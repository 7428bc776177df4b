"""GNNExplainer as its authors ran it on node tasks (Ying et al., NeurIPS 2019), on PyG's :class:`GNNExplainer`:
the mask optimised on the explained node's computation subgraph, one logit per undirected pair
(docs/05_gnnexplainer_xgnn.md §5.1)."""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torch_geometric.explain import Explanation
from torch_geometric.explain.algorithm import GNNExplainer
from torch_geometric.explain.algorithm.utils import set_masks
from torch_geometric.explain.config import MaskType, ModelTaskLevel
from torch_geometric.utils import k_hop_subgraph

from gnnexplain.core.graph import undirected_pair_index
from gnnexplain.explain.base import SupportCheck, mismatch
from gnnexplain.validation import check_graph, check_node_index, check_number

# the settings of SubgraphGNNExplainer an experiment may override (gnnexplain.experiments.gnnexplainer_xgnn)
# (num_hops is left out: it must match the model's depth and the AUC's computation subgraph)
GNNEXPLAINER_SETTINGS = ("epochs", "lr", "mask_init", "symmetric", "entropy_mean", "edge_size", "edge_ent")


class SubgraphGNNExplainer(SupportCheck, GNNExplainer):
    """GNNExplainer run as its authors ran it on node tasks (Ying et al., NeurIPS 2019, §4.1 and eq. 4;
    repo ``explainer/explain.py``), with PyG's :class:`GNNExplainer` coefficients and prediction loss.

    Differences from PyG's defaults, each from the authors' code (docs/05_gnnexplainer_xgnn.md §5.1):

    * the mask is optimised on node ``index``'s ``num_hops``-hop computation subgraph only
      (``k_hop_subgraph``, relabelled: the authors' ``extract_neighborhood``), so the cost of one explanation
      does not grow with the graph (and the forward pass skips the edges into the subgraph's outer ring,
      which cannot reach ``index``); the mask is mapped back to all ``E`` edges (0 outside);
    * one mask logit per *undirected* pair, shared by both directions (``symmetric=True``; the authors
      symmetrise their dense mask as ``(σ(M) + σ(M)ᵀ) / 2``);
    * logits start at ``N(mask_init, std)`` with ``mask_init = 1`` (σ ≈ 0.73, the authors' init), and
      Adam runs with ``lr = 0.1`` for ``epochs = 300``;
    * the entropy term is the authors' mean over their dense ``n × n`` mask (``n`` = subgraph nodes), i.e.
      ``edge_ent · Σ_e H(σ(m_e)) / n²`` (``entropy_mean="dense"``); PyG averages over the edges instead
      (``"edges"``), which weighs entropy ``n² / E`` times more.

    Loss: cross-entropy of the model's prediction for ``index`` + ``edge_size · Σ_e σ(m_e)`` + the entropy
    term, sums over the *directed* edges whose mask gradient is non-zero in the first epoch (PyG's hard mask:
    edges whose messages reach ``index`` within ``num_hops`` layers). Not reproduced: the authors' Laplacian
    term on predicted labels (divided by n², negligible), their use of the ground-truth label, and their
    feature mask learned alongside (``x ⊙ σ(f)``, f starting at 0, size term 1.0 · mean σ(f)): the benchmarks'
    features are constant, so it only rescales the first layer's input.

    Args:
        epochs: Adam steps, >= 1. lr: learning rate, > 0.
        num_hops: L, the model's number of message-passing layers, >= 1.
        mask_init: mean of the initial mask logits.
        symmetric: tie the two directions of each undirected pair.
        entropy_mean: ``"dense"`` or ``"edges"`` (see above).
        **coeffs: overrides of :attr:`GNNExplainer.default_coeffs` (``edge_size`` 0.005, ``edge_ent`` 1.0).
    Returns (``forward``, ``index`` an int or ``[M]`` node ids):
        ``Explanation`` with ``edge_masks [M, E]`` (one mask per node, in [0, 1], 0 outside the node's hard
        mask) and ``edge_mask [E]``, their element-wise maximum.
    Raises:
        ValueError: for ``epochs < 1``, ``lr <= 0``, ``num_hops < 1``, a non-finite ``mask_init``, a negative or
            non-finite coefficient, an unknown coefficient or ``entropy_mean``; TypeError for a non-integer
            ``epochs`` or ``num_hops``; at call
            time, for a node mask, a non-node task, a missing ``index`` or a model that ignores edge masks.
        IndexError: for ``index`` outside the graph.
    """

    def __init__(self, epochs: int = 300, lr: float = 0.1, *, num_hops: int = 3, mask_init: float = 1.0,
                 symmetric: bool = True, entropy_mean: str = "dense", **coeffs):
        check_number(epochs, "epochs", low=1, integer=True)  # 0 epochs would return the random initial mask
        check_number(lr, "lr", low=0, low_open=True)
        check_number(num_hops, "num_hops", low=1, integer=True)
        check_number(mask_init, "mask_init")
        if entropy_mean not in ("dense", "edges"):
            raise ValueError(f"unknown entropy_mean={entropy_mean!r}; allowed: dense, edges")
        unknown = sorted(set(coeffs) - set(GNNExplainer.default_coeffs))
        if unknown:
            raise ValueError(f"unknown coefficient(s) {unknown}; allowed: {', '.join(GNNExplainer.default_coeffs)}")
        for name, value in coeffs.items():  # a negative size or entropy coefficient rewards the opposite mask
            check_number(value, name, low=0, low_open=name == "EPS")
        super().__init__(epochs=epochs, lr=lr, **coeffs)
        self.num_hops, self.mask_init, self.symmetric = num_hops, mask_init, symmetric
        self.entropy_mean = entropy_mean

    @property
    def settings(self) -> dict:
        """The values of :data:`GNNEXPLAINER_SETTINGS` this explainer runs with (defaults resolved)."""
        values = dict(epochs=self.epochs, lr=self.lr, mask_init=self.mask_init, symmetric=self.symmetric,
                      entropy_mean=self.entropy_mean)
        return {k: values[k] if k in values else self.coeffs[k] for k in GNNEXPLAINER_SETTINGS}

    def settings_reason(self) -> str | None:
        # an edge mask for node tasks; no feature mask (the benchmarks' features carry no signal)
        return mismatch({"node_mask_type": (self.explainer_config.node_mask_type, None),
                         "edge_mask_type": (self.explainer_config.edge_mask_type, MaskType.object),
                         "task_level": (self.model_config.task_level, ModelTaskLevel.node)})

    def _subgraphs(self, nodes: list[int], x: Tensor, edge_index: Tensor):
        """The disjoint union of the nodes' computation subgraphs (relabelled) and its bookkeeping.

        ``live`` marks the edges whose target lies within ``num_hops - 1`` hops of the centre: only their
        messages can reach it in ``num_hops`` layers, so only they enter the forward pass (a quarter of the
        edges on BA-Shapes). The others stay in the mask, the regulariser and the output. This is exact for
        layers whose output at a node depends on its incoming edges only (the authors' GCN on the raw
        adjacency, GAT, GIN); a degree-normalised ``GCNConv`` would see other degrees at the rim, as it
        already does once the subgraph is cut out.
        """
        parts = [k_hop_subgraph(v, self.num_hops, edge_index, relabel_nodes=True, num_nodes=x.size(0))
                 for v in nodes]
        live = [torch.isin(p[0][p[1][1]], k_hop_subgraph(v, self.num_hops - 1, edge_index, num_nodes=x.size(0))[0])
                for v, p in zip(nodes, parts)]
        sizes = torch.tensor([p[0].numel() for p in parts])
        node_offset = torch.cat([sizes.new_zeros(1), sizes.cumsum(0)[:-1]])
        pairs = [undirected_pair_index(p[1], p[0].numel()) if self.symmetric else torch.arange(p[1].size(1))
                 for p in parts]
        num_params = torch.tensor([int(q.max()) + 1 if q.numel() else 0 for q in pairs])
        param_offset = torch.cat([num_params.new_zeros(1), num_params.cumsum(0)[:-1]])
        num_edges = torch.tensor([p[1].size(1) for p in parts])
        return dict(
            subset=torch.cat([p[0] for p in parts]),
            edges=torch.cat([p[1] + o for p, o in zip(parts, node_offset.tolist())], dim=1),
            centers=torch.cat([p[2] for p in parts]) + node_offset,
            kept=torch.cat([p[3].nonzero().view(-1) for p in parts]),
            pair=torch.cat([q + o for q, o in zip(pairs, param_offset.tolist())]),
            owner=torch.arange(len(nodes)).repeat_interleave(num_edges), live=torch.cat(live),
            sizes=sizes, num_params=num_params)

    def forward(self, model: torch.nn.Module, x: Tensor, edge_index: Tensor, *, target: Tensor,
                index: int | Tensor | None = None, **kwargs) -> Explanation:
        """Explain each node of ``index`` (an int or ``[M]`` ids) on its own computation subgraph.

        Several nodes are optimised in one batch (the disjoint union of their subgraphs, one Adam over
        all logits): Adam is element-wise and the loss is a sum of per-node terms, so each node's mask
        equals that of a run on its own. Returns ``Explanation(edge_mask [E], edge_masks [M, E])``:
        ``edge_masks[i]`` is node ``index[i]``'s mask and ``edge_mask`` their element-wise maximum (the
        mask itself for one node).
        """
        check_graph(x, edge_index, name=type(self).__name__)
        if index is None:
            raise ValueError("index is required: SubgraphGNNExplainer explains nodes")
        nodes = [check_node_index(int(v), x.size(0)) for v in torch.as_tensor(index).view(-1)]
        if not nodes:
            raise ValueError("index must name at least one node")
        g = self._subgraphs(nodes, x, edge_index)
        gain = torch.nn.init.calculate_gain("relu")
        # the authors' init N(mask_init, gain·sqrt(2 / 2n)), drawn node by node (a node's draw does not
        # depend on the batch it is explained in, only on the RNG state and its place in the batch)
        logits = torch.nn.Parameter(torch.cat([
            self.mask_init + gain * math.sqrt(2.0 / (2 * int(n))) * torch.randn(int(p))
            for n, p in zip(g["sizes"], g["num_params"])]).to(x.device))
        optimizer = torch.optim.Adam([logits], lr=self.lr, foreach=False)
        x_sub, y, hard = x[g["subset"]], target[torch.tensor(nodes)], None
        live_edges = g["edges"][:, g["live"]]
        dense = self.entropy_mean == "dense"
        eps, size_coef, ent_coef = self.coeffs["EPS"], self.coeffs["edge_size"], self.coeffs["edge_ent"]
        try:
            for epoch in range(self.epochs):
                optimizer.zero_grad()
                edge_logits = logits[g["pair"]]
                m = edge_logits.sigmoid()
                set_masks(model, m[g["live"]], live_edges, apply_sigmoid=False)
                # mean over the M nodes times M: a sum of independent per-node losses
                loss = len(nodes) * self._calculate_base_loss(model(x_sub, live_edges, **kwargs)[g["centers"]], y)
                if hard is not None:  # as PyG: no regulariser in the first epoch, which finds the hard mask
                    ent = -m * torch.log(m + eps) - (1 - m) * torch.log(1 - m + eps)
                    loss = loss + size_coef * (m * hard).sum() + ent_coef * (ent * hard / denom).sum()
                loss.backward()
                optimizer.step()
                if epoch == 0:
                    if logits.grad is None:
                        raise ValueError("the model ignores the edge mask (it has no MessagePassing layer)")
                    hard = (logits.grad != 0)[g["pair"]].float()
                    per_node = (g["sizes"].float() ** 2 if dense else
                                torch.zeros(len(nodes)).index_add_(0, g["owner"], hard).clamp(min=1))
                    denom = per_node[g["owner"]]
        finally:
            self._clean_model(model)
        masks = x.new_zeros(len(nodes), edge_index.size(1))
        masks[g["owner"], g["kept"]] = logits.detach()[g["pair"]].sigmoid() * hard
        return Explanation(edge_mask=masks.max(dim=0).values, edge_masks=masks)
