"""The explainers of GNNExplainer's Table 1 (Ying et al., NeurIPS 2019) on the synthetic benchmarks:
Att (GAT attention, PyG's ``AttentionExplainer``), Grad (gradient of the loss on the edge mask, Captum ``Saliency``),
GNNExplainer (:class:`SubgraphGNNExplainer`: the authors' settings on the node's computation subgraph) and
PGExplainer (Luo et al., NeurIPS 2020), all run through :class:`SafeExplainer` and all returning an edge mask
``[E]`` (no feature mask: the benchmarks' features carry no signal)."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

import torch
from torch import Tensor
from torch_geometric.explain import Explanation
from torch_geometric.explain.algorithm import (AttentionExplainer, CaptumExplainer, ExplainerAlgorithm, GNNExplainer,
                                            PGExplainer)
from torch_geometric.explain.algorithm.utils import set_masks
from torch_geometric.explain.config import MaskType, ModelTaskLevel
from torch_geometric.explain.metric import fidelity
from torch_geometric.nn import MessagePassing
from torch_geometric.utils import k_hop_subgraph

from gnnexplain.explain.safety import SafeExplainer, fit_pgexplainer, reset_explain_state
from gnnexplain.metrics.groundtruth import (explanation_items, subgraph_pairs, symmetrize_edge_mask,
                                           undirected_pair_index)
from gnnexplain.validation import check_node_index, check_node_indices

TABLE1_METHODS = ("Att", "Grad", "GNNExplainer", "PGExplainer")
# the settings of SubgraphGNNExplainer that table1_explainer and gnnexplainer_sensitivity may override
# (num_hops is left out: it must match the model's depth and the AUC's computation subgraph)
GNNEXPLAINER_SETTINGS = ("epochs", "lr", "mask_init", "symmetric", "entropy_mean", "edge_size", "edge_ent")
_MODEL_CONFIG = dict(mode="multiclass_classification", task_level="node", return_type="raw")


class _LogProbs(torch.nn.Module):
    """``log_softmax`` of a node classifier's logits, so that Captum's saliency differentiates the loss.

    The paper's Grad baseline is the gradient of the model's *loss* with respect to the adjacency
    (Ying et al. 2019, §4.2; repo ``explain.py::adj_feat_grad``: ``|∂(−log p_y)/∂A|``). Saliency on the
    predicted class of this wrapper gives ``|∂ log p_ŷ / ∂ edge mask|``, the same magnitude.

    Forward: ``x [N, F]``, ``edge_index [2, E]`` -> log-probabilities ``[N, C]`` (each row log-sums to 0).
    """

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: Tensor, edge_index: Tensor, **kwargs) -> Tensor:
        return self.model(x, edge_index, **kwargs).log_softmax(dim=-1)


class SubgraphGNNExplainer(GNNExplainer):
    """GNNExplainer run as its authors ran it on node tasks (Ying et al., NeurIPS 2019, §4.1 and eq. 4;
    repo ``explainer/explain.py``), with PyG's :class:`GNNExplainer` coefficients and prediction loss.

    Differences from PyG's defaults, each from the authors' code (METHODS §5.1):

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
        ValueError: for ``epochs < 1``, ``lr <= 0``, ``num_hops < 1`` or an unknown ``entropy_mean``; at call
            time, for a node mask, a non-node task, a missing ``index`` or a model that ignores edge masks.
        IndexError: for ``index`` outside the graph.
    """

    def __init__(self, epochs: int = 300, lr: float = 0.1, *, num_hops: int = 3, mask_init: float = 1.0,
                 symmetric: bool = True, entropy_mean: str = "dense", **coeffs):
        if epochs < 1 or lr <= 0 or num_hops < 1:
            raise ValueError(f"need epochs >= 1, lr > 0 and num_hops >= 1; got epochs={epochs}, lr={lr}, "
                             f"num_hops={num_hops}")
        if entropy_mean not in ("dense", "edges"):
            raise ValueError(f"unknown entropy_mean={entropy_mean!r}; allowed: dense, edges")
        super().__init__(epochs=epochs, lr=lr, **coeffs)
        self.num_hops, self.mask_init, self.symmetric = num_hops, mask_init, symmetric
        self.entropy_mean = entropy_mean

    @property
    def settings(self) -> dict:
        """The values of :data:`GNNEXPLAINER_SETTINGS` this explainer runs with (defaults resolved)."""
        values = dict(epochs=self.epochs, lr=self.lr, mask_init=self.mask_init, symmetric=self.symmetric,
                      entropy_mean=self.entropy_mean)
        return {k: values[k] if k in values else self.coeffs[k] for k in GNNEXPLAINER_SETTINGS}

    def supports(self) -> bool:
        if (self.explainer_config.node_mask_type is not None
                or self.explainer_config.edge_mask_type != MaskType.object
                or self.model_config.task_level != ModelTaskLevel.node):
            raise ValueError("SubgraphGNNExplainer needs node_mask_type=None, edge_mask_type='object' and a "
                             "node-level task")
        return True

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


def table1_explainer(model: torch.nn.Module, method: str, *, epochs: int | None = None,
                     lr: float | None = None, **settings) -> SafeExplainer:
    """A :class:`SafeExplainer` with an edge mask for one method of :data:`TABLE1_METHODS`.

    Args:
        model: node classifier ``(x [N, F], edge_index [2, E]) -> logits [N, C]``; for ``"Att"`` it must
            contain attention layers (``ConcatGNN(conv="gat")``).
        method: ``"Att"`` (attention coefficients, max over layers), ``"Grad"`` (|∂(−log p_ŷ) / ∂ edge mask|,
            the gradient of the loss of the predicted class ŷ: the paper's gradient baseline), ``"GNNExplainer"``
            (:class:`SubgraphGNNExplainer`, the authors' settings: ``epochs`` 300, ``lr`` 0.1) or ``"PGExplainer"``
            (``epochs`` of training, default 30, ``lr`` default 0.003; train it with :func:`train_pgexplainer`).
        epochs, lr: override the defaults above (unused by Att and Grad).
        **settings: GNNExplainer only: overrides of the other :data:`GNNEXPLAINER_SETTINGS` (``mask_init``,
            ``edge_size``, ...; see :class:`SubgraphGNNExplainer`).
    Returns:
        The explainer; PGExplainer explains the *phenomenon* (pass ``target``), the others the model's
        own prediction.
    Raises:
        ValueError: for an unknown ``method``, a setting outside :data:`GNNEXPLAINER_SETTINGS`, settings for
            another method than GNNExplainer, or an invalid value (from :class:`SubgraphGNNExplainer`).
    """
    _check_settings(settings)
    if settings and method != "GNNExplainer":
        raise ValueError(f"settings {sorted(settings)} apply to method='GNNExplainer' only, not {method!r}")
    kind, config = "model", _MODEL_CONFIG
    if method == "Att":
        algorithm = AttentionExplainer(reduce="max")
    elif method == "Grad":
        algorithm, model = CaptumExplainer("Saliency"), _LogProbs(model)
        config = {**_MODEL_CONFIG, "return_type": "log_probs"}
    elif method == "GNNExplainer":
        algorithm = SubgraphGNNExplainer(epochs=300 if epochs is None else epochs, lr=0.1 if lr is None else lr,
                                         **settings)
    elif method == "PGExplainer":
        algorithm = PGExplainer(epochs=30 if epochs is None else epochs, lr=0.003 if lr is None else lr)
        kind = "phenomenon"
    else:
        raise ValueError(f"unknown method={method!r}; allowed: {', '.join(TABLE1_METHODS)}")
    return SafeExplainer(model, algorithm, explanation_type=kind, node_mask_type=None, edge_mask_type="object",
                         model_config=config)


def _check_settings(settings) -> None:
    """Raise ValueError for a key of ``settings`` outside :data:`GNNEXPLAINER_SETTINGS`."""
    unknown = sorted(set(settings) - set(GNNEXPLAINER_SETTINGS))
    if unknown:
        raise ValueError(f"unknown GNNExplainer setting(s) {unknown}; allowed: {', '.join(GNNEXPLAINER_SETTINGS)}")


def train_pgexplainer(explainer: SafeExplainer, data, nodes: Tensor, target: Tensor, *, seed: int = 0) -> list[float]:
    """Train a PGExplainer's mask network on ``nodes`` (one ``algorithm.train`` call per node and epoch).

    Runs :func:`gnnexplain.explain.safety.fit_pgexplainer` (seeded, no side effects on the model).

    Args:
        explainer: from ``table1_explainer(model, "PGExplainer")``.
        data: ``Data`` with ``x [N, F]``, ``edge_index [2, E]``.
        nodes: LongTensor ``[M]`` of training node ids. target: ``[N]`` class ids (the model's predictions).
        seed: seeds the mask network's initialisation and PGExplainer's concrete-noise sampling.
    Returns:
        The mean training loss per epoch.
    Raises:
        TypeError: if the explainer is not a PGExplainer; ValueError: if ``nodes`` is empty.
    """
    if not isinstance(explainer.algorithm, PGExplainer):
        raise TypeError("train_pgexplainer needs an explainer built with method='PGExplainer'")
    if nodes.numel() == 0:
        raise ValueError("nodes must hold at least one node id")
    return fit_pgexplainer(explainer, lambda: (dict(x=data.x, edge_index=data.edge_index, target=target,
                                                    index=int(v)) for v in nodes), seed=seed)


def explain_edges(explainer: SafeExplainer, data, nodes: Tensor, *, target: Tensor | None = None,
                  seed: int = 0) -> tuple[dict[int, Tensor], float]:
    """Edge masks for each node of ``nodes`` and the wall time per node (a :class:`SubgraphGNNExplainer`
    explains all nodes in one batched optimisation, every other explainer node by node).

    Returns:
        ``({node: edge_mask [E]}, seconds_per_node)``.
    Raises:
        ValueError: if ``nodes`` is empty.
    """
    if nodes.numel() == 0:
        raise ValueError("nodes must hold at least one node id")
    kwargs = {"target": target} if target is not None else {}
    start = time.perf_counter()
    if isinstance(explainer.algorithm, SubgraphGNNExplainer):  # all nodes in one batched optimisation
        batch = explainer(data.x, data.edge_index, index=nodes, seed=seed, **kwargs).edge_masks
        masks = {int(v): batch[i] for i, v in enumerate(nodes)}
    else:
        masks = {int(v): explainer(data.x, data.edge_index, index=int(v), seed=seed, **kwargs).edge_mask.detach()
                 for v in nodes}
    return masks, (time.perf_counter() - start) / nodes.numel()


def table1_aucs(models: dict, data, nodes: Tensor, *, seed: int = 0, gnnexplainer_epochs: int = 300,
                gnnexplainer_lr: float = 0.1, pg_epochs: int = 30, pg_lr: float = 0.003,
                num_hops: int = 3) -> dict[str, dict]:
    """Explain ``nodes`` with every method of :data:`TABLE1_METHODS` and score each by edge ROC-AUC.

    Args:
        models: ``{"gcn": node classifier, "gat": attention node classifier}``; Att explains ``"gat"``, the
            other methods ``"gcn"`` (PGExplainer is trained on ``nodes`` with the GCN's predictions as target).
        data: a benchmark from :func:`gnnexplain.data.make_benchmark` (with ground truth ``edge_mask``).
        nodes: LongTensor ``[M]`` of motif nodes. seed: seeds GNNExplainer and PGExplainer.
        gnnexplainer_epochs, gnnexplainer_lr, pg_epochs, pg_lr: the explainers' settings.
        num_hops: L of the computation subgraph (3 layers).
    Returns:
        ``{method: {"auc": float in [0, 1], "seconds_per_node": float, "masks": {node: edge_mask [E]}}}``.
    """
    from gnnexplain.metrics import edge_auc

    with torch.no_grad():
        pred = models["gcn"](data.x, data.edge_index).argmax(-1)
    out = {}
    for method in TABLE1_METHODS:
        pg = method == "PGExplainer"
        epochs, lr = (pg_epochs, pg_lr) if pg else (gnnexplainer_epochs, gnnexplainer_lr)
        explainer = table1_explainer(models["gat" if method == "Att" else "gcn"], method, epochs=epochs, lr=lr)
        start = time.perf_counter()
        if pg:
            train_pgexplainer(explainer, data, nodes, pred, seed=seed)
        masks, _ = explain_edges(explainer, data, nodes, target=pred if pg else None, seed=seed)
        out[method] = {"auc": edge_auc(masks, data.edge_index, data.edge_mask, num_hops=num_hops),
                       "seconds_per_node": (time.perf_counter() - start) / nodes.numel(), "masks": masks}
    return out


def gnnexplainer_sensitivity(model: torch.nn.Module, data, nodes: Tensor, grid, *, seed: int = 0,
                             num_hops: int = 3) -> list[dict]:
    """GNNExplainer's edge ROC-AUC under each setting of a grid: does another choice of its coefficients
    change how it compares with a baseline? (A check of GNNExplainer's Table 1, Ying et al. 2019; the authors'
    settings are the defaults of :class:`SubgraphGNNExplainer`.)

    Each setting builds ``table1_explainer(model, "GNNExplainer", **setting)``, explains ``nodes`` with
    :func:`explain_edges` and scores the masks with :func:`gnnexplain.metrics.edge_auc`, exactly as
    :func:`table1_aucs` does: the empty setting ``{}`` reproduces ``table1_aucs``' GNNExplainer AUC.

    Args:
        model: node classifier ``(x [N, F], edge_index [2, E]) -> logits [N, C]`` with message-passing layers.
        data: a benchmark (``x [N, F]``, ``edge_index [2, E]``, ground-truth ``edge_mask [E]`` bool).
        nodes: LongTensor ``[M]`` of explained (motif) nodes, M >= 1.
        grid: sequence of settings, each a mapping from keys of :data:`GNNEXPLAINER_SETTINGS` to values
            (keys left out keep the authors' values), e.g. ``[{}, {"edge_size": 0.1, "lr": 0.01}]``.
        seed: seeds the mask initialisation (the same for every setting).
        num_hops: L of the computation subgraph the AUC is pooled over.
    Returns:
        One entry per setting, in grid order: ``{"setting": {key: value} for every key of
        GNNEXPLAINER_SETTINGS (defaults resolved), "auc": float in [0, 1], "seconds_per_node": float}``.
    Raises:
        ValueError: for an empty grid, an unknown key (before anything runs), an invalid value or empty
            ``nodes``. TypeError: for a setting that is not a mapping.
    """
    from gnnexplain.metrics import edge_auc

    grid = list(grid)
    if not grid:
        raise ValueError("grid must hold at least one setting (use [{}] for the authors' settings)")
    for setting in grid:
        if not isinstance(setting, Mapping):
            raise TypeError(f"each grid setting must be a mapping of GNNExplainer settings, got {setting!r}")
        _check_settings(setting)
    out = []
    for setting in grid:
        explainer = table1_explainer(model, "GNNExplainer", **setting)
        masks, seconds = explain_edges(explainer, data, nodes, seed=seed)
        out.append({"setting": explainer.algorithm.settings, "seconds_per_node": seconds,
                    "auc": edge_auc(masks, data.edge_index, data.edge_mask, num_hops=num_hops)})
    return out


def uniform_mask_response(model: torch.nn.Module, data, nodes, scales) -> Tensor:
    """Probability of each node's predicted class when *every* edge carries the same mask value s.

    GNNExplainer feeds the model soft masks σ(M) in (0, 1) (Ying et al. 2019, eq. 4: ``A ⊙ σ(M)``); this
    measures how the model reads such fractional edges. A model that sums messages reads a mask of 0.5 on
    every edge as a graph of half the degree: if the probability collapses well before s reaches 0, soft
    masks take the model off the graphs it was trained on, and the optimisation follows that artefact
    rather than which edges matter. s = 1 is the model's own prediction, s = 0 the graph without edges.

    Args:
        model: node classifier ``(x [N, F], edge_index [2, E]) -> logits [N, C]`` with message-passing
            layers (the mask is injected with PyG's ``set_masks``, as GNNExplainer does).
        data: ``x [N, F]``, ``edge_index [2, E]``.
        nodes: ``[M]`` node ids (int, sequence or LongTensor), M >= 1.
        scales: S mask values, each in [0, 1].
    Returns:
        FloatTensor ``[S, M]``: P(class | x, s·A) of the class predicted on the unmasked graph, in [0, 1].
    Raises:
        ValueError: for empty ``nodes`` or ``scales``, a scale outside [0, 1] or NaN, or a model without a
            ``MessagePassing`` layer; IndexError: for a node outside the graph.
    """
    nodes = check_node_indices(nodes, data.num_nodes)
    scales = torch.as_tensor(scales, dtype=torch.float).view(-1)
    if scales.numel() == 0 or not ((scales >= 0) & (scales <= 1)).all():
        raise ValueError(f"scales={scales.tolist()} must be a non-empty sequence of values in [0, 1]")
    if not any(isinstance(m, MessagePassing) for m in model.modules()):
        raise ValueError("the model ignores edge masks: it has no MessagePassing layer")
    training = model.training
    reset_explain_state(model.eval())  # masks a PyG explainer may have left behind
    num_edges = data.edge_index.size(1)
    out = []
    try:
        with torch.no_grad():
            pred = model(data.x, data.edge_index).argmax(-1)[nodes]
            for s in scales:
                set_masks(model, torch.full((num_edges,), float(s)), data.edge_index, apply_sigmoid=False)
                out.append(model(data.x, data.edge_index).softmax(-1)[nodes, pred])
    finally:
        reset_explain_state(model).train(training)
    return torch.stack(out)


class _GivenEdgeMask(ExplainerAlgorithm):
    """Returns the edge mask it holds: precomputed explanations scored through PyG's ``Explainer`` metrics."""

    def __init__(self):
        super().__init__()
        self.edge_mask: Tensor | None = None

    def forward(self, model, x, edge_index, *, target, index=None, **kwargs) -> Explanation:
        return Explanation(edge_mask=self.edge_mask)

    def supports(self) -> bool:
        return True


def topk_fidelity(model: torch.nn.Module, data, masks: Mapping[int, Tensor], k: Mapping[int, int], *,
                  num_hops: int = 3) -> dict[str, float]:
    """PyG's fidelity of hard explanations: each node's ``k`` highest-scored pairs of its computation subgraph.

    AUC asks whether a mask finds the planted motif; fidelity asks, with no ground truth, whether the edges a
    mask ranks highest carry the model's prediction (GraphFramEx, Amara et al. 2022; PyG
    ``torch_geometric.explain.metric.fidelity``, "model" explanations). For node v the undirected pairs of
    its ``num_hops``-hop subgraph are ranked by mask (directions averaged, ties in stored order) and the top
    ``k[v]`` pairs, both directions, form the explanation S_v (weight 1; every other edge 0). Then

    * ``fid-`` = share of nodes whose predicted class changes on S_v alone (0 is best: S_v suffices);
    * ``fid+`` = share of nodes whose predicted class changes when S_v is removed (1 is best: S_v is needed).

    Args:
        model: node classifier ``(x [N, F], edge_index [2, E]) -> logits [N, C]`` with message-passing layers
            (the masks are injected as edge weights, as PyG's explainers do).
        data: ``x [N, F]``, ``edge_index [2, E]`` (undirected, both directions stored).
        masks: ``{node: edge_mask [E]}``, real scores (e.g. from :func:`explain_edges`, or a 0/1 ground truth).
        k: ``{node: number of pairs to keep}``, each in ``[1, P_v]`` (P_v: pairs in v's subgraph), for every
            node of ``masks``.
        num_hops: L of the computation subgraph, >= 1.
    Returns:
        ``{"fid+": float in [0, 1], "fid-": float in [0, 1]}``, means over the nodes.
    Raises:
        ValueError: for empty ``masks``, a node missing from ``k``, ``k[v]`` outside ``[1, P_v]``, a mask
            without E entries or ``num_hops < 1``. IndexError: for a node outside the graph.
    """
    num_nodes, edge_index = data.num_nodes, data.edge_index
    items = explanation_items(masks, num_hops, num_nodes, "masks")
    pair = undirected_pair_index(edge_index, num_nodes)
    evaluator = SafeExplainer(model, _GivenEdgeMask(), explanation_type="model", node_mask_type=None,
                              edge_mask_type="object", model_config=_MODEL_CONFIG)
    scores = {"fid+": [], "fid-": []}
    for v, mask in items:
        if v not in k:
            raise ValueError(f"k has no entry for node {v}; it needs one per node of masks")
        candidates = subgraph_pairs(edge_index, v, num_hops, num_nodes).nonzero().view(-1)
        if not 1 <= k[v] <= candidates.numel():
            raise ValueError(f"k[{v}]={k[v]} is out of range; allowed: 1..{candidates.numel()} (the pairs of "
                             f"node {v}'s {num_hops}-hop subgraph)")
        score = symmetrize_edge_mask(edge_index, mask, num_nodes)[candidates]
        chosen = candidates[torch.sort(score, descending=True, stable=True).indices[:k[v]]]
        evaluator.algorithm.edge_mask = torch.isin(pair, pair[chosen]).float()
        plus, minus = fidelity(evaluator, evaluator(data.x, edge_index, index=v))
        scores["fid+"].append(plus)
        scores["fid-"].append(minus)
    return {name: float(sum(values) / len(values)) for name, values in scores.items()}
