"""ReFine: multi-grained explanations by pre-training and fine-tuning (Wang, Wu, Zhang, He, Chua,
NeurIPS 2021; docs/04_refine.md §4; repo Wuyxin/ReFine ``explainers/refine.py``).

One edge attributor per class (``T^(c)``, eq. 4) is pre-trained on all graphs the target model predicts
correctly, with a fidelity loss, a contrastive loss and size/entropy regularisers (eqs. 6–8), through a
concrete relaxation (eq. 5). An explanation of one graph routes it to the attributor of its class and
optionally fine-tunes a *copy* of that attributor for a few steps at ratio ρ (eqs. 9–10).

``mode="paper"`` follows the paper's equations; ``mode="repo"`` the official code (whose numbers the paper
reports). The differences, all switched by ``mode``: fidelity as cross-entropy vs minus the probability;
natural log vs log2 in the concrete noise; contrastive loss of Deep-InfoMax/JSD form on the attributor's
pooled encoder vs the repo's ReLU-cosine logsumexp on the target model's ``graph_rep``; edge selection in
fine-tuning by Gumbel-top-k sampling vs deterministic top-k (``ft_selection`` sets it apart from the mode);
masks applied once vs twice through a sigmoid (PyG 1.7); returned mask after vs before the last fine-tuning step.
"""

from __future__ import annotations

import copy
import inspect

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Batch, Data
from torch_geometric.explain import Explanation
from torch_geometric.explain.algorithm import ExplainerAlgorithm
from torch_geometric.explain.config import ModelTaskLevel
from torch_geometric.loader import DataLoader
from torch_geometric.nn import ARMAConv, global_mean_pool

from gnnexplain.core.graph import check_ratio, explanatory_batch, select_edges, top_ratio_mask, undirected_pair_index
from gnnexplain.core.masks import edge_masked, masked_logits
from gnnexplain.explain.base import SupportCheck, message_passing_layers, mismatch
from gnnexplain.validation import check_graph, check_number
from gnnexplain.models.training import correct_predictions

REFINE_MODES = ("paper", "repo")
FT_SELECTIONS = ("sample", "topk")
_EPS = 1e-6


class EdgeAttributor(nn.Module):
    """The attribution module of one class (docs/04_refine.md §4.2, repo ``EdgeMaskNet``): ``ReLU(Lin(F→hid))``,
    then 2× ``BatchNorm(ReLU(ARMAConv))``, edge representation ``[h_i, h_j]``, MLP ``2hid→hid→1``.

    Args:
        in_channels: F. hidden: width (BA-3motif 50, Mutagenicity 100). num_layers: ARMA layers (2).
    """

    def __init__(self, in_channels: int, hidden: int, num_layers: int = 2):
        super().__init__()
        self.lin = nn.Linear(in_channels, hidden)
        self.convs = nn.ModuleList([ARMAConv(hidden, hidden) for _ in range(num_layers)])
        self.norms = nn.ModuleList([nn.BatchNorm1d(hidden) for _ in range(num_layers)])
        self.mlp = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)

    def embed(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """Node embeddings ``[N, hidden]``."""
        h = F.relu(self.lin(x))
        for conv, norm in zip(self.convs, self.norms):
            h = norm(F.relu(conv(h, edge_index)))
        return h

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """Edge logits α ``[E]``."""
        h = self.embed(x, edge_index)
        return self.mlp(torch.cat([h[edge_index[0]], h[edge_index[1]]], dim=-1)).squeeze(-1)


def concrete(alpha: Tensor, beta: float = 1.0, *, mode: str = "paper",
             generator: torch.Generator | None = None) -> Tensor:
    """Binary concrete sample ``m = σ((log u − log(1−u) + α) / β)``, ``u ~ U(0, 1)`` (paper eq. 5).

    Args:
        alpha: logits ``[E]``. beta: temperature > 0 (ReFine 1). mode: ``"paper"`` (natural log, ``u``
            clipped to [1e-6, 1−1e-6]) or ``"repo"`` (log2 and ``+1e-6`` after dividing by β).
        generator: the noise source.
    Returns:
        ``[E]`` in (0, 1); as β → 0 a Bernoulli(σ(α)) sample.
    Raises:
        ValueError: for β <= 0 or an unknown mode.
    """
    if not 0 < beta < float("inf"):
        raise ValueError(f"beta must be > 0, got {beta}")
    _check_mode(mode)
    u = torch.rand(alpha.shape, generator=generator).clamp(_EPS, 1 - _EPS)
    if mode == "repo":
        return torch.sigmoid((torch.log2(u) - torch.log2(1 - u) + alpha) / beta + _EPS)
    return torch.sigmoid((torch.log(u) - torch.log(1 - u) + alpha) / beta)


def _check_mode(mode: str) -> None:
    if mode not in REFINE_MODES:
        raise ValueError(f"mode must be one of {REFINE_MODES}, got {mode!r}")


def _check_selection(selection: str) -> str:
    if selection not in FT_SELECTIONS:
        raise ValueError(f"ft_selection must be one of {FT_SELECTIONS}, got {selection!r}")
    return selection


def _check_features(x: Tensor) -> None:
    if not x.is_floating_point() or x.dim() != 2:
        raise ValueError(f"ReFine's attributors read floating node features [N, F]; x has dtype {x.dtype} and shape "
                         f"{tuple(x.shape)}")


def mask_regulariser(m: Tensor) -> Tensor:
    """``1e-4·mean(m) + 1e-2·mean(H_b(m))`` (docs/04_refine.md §4.4 item 3; both modes)."""
    entropy = -m * torch.log(m + _EPS) - (1 - m) * torch.log(1 - m + _EPS)
    return 1e-4 * m.mean() + 1e-2 * entropy.mean()


class ReFine(SupportCheck, ExplainerAlgorithm):
    """ReFine as a PyG explainer algorithm (graph-level, edge mask ``[E]`` in [0, 1]).

    Call :meth:`fit` once (pre-training), then explain graphs one by one through
    :class:`gnnexplain.core.masks.SafeExplainer` (``explanation_type`` "model" explains the prediction,
    "phenomenon" a given class), or many at once with :meth:`attribute` (no fine-tuning, batched by class).
    Any graph classifier with message-passing layers and the signature ``model(x, edge_index, batch)`` can be
    explained (:meth:`model_requirement`); ``mode="repo"`` also needs its ``graph_rep``.

    Args:
        in_channels: node feature size F. num_classes: C (one attributor each). hidden: attributor width.
        mode: ``"paper"`` or ``"repo"`` (module docstring). ratio: ρ in (0, 1] for the contrastive term and
            fine-tuning (0.4). fine_tune: fine-tune per instance (False gives ReFine-FT).
        contrastive: use the contrastive loss in pre-training (False gives ReFine-CT). gamma: its weight (5).
        beta: concrete temperature (1). tau: temperature of the repo-mode contrastive loss (0.1).
        ft_steps: fine-tuning steps (20). ft_lr: fine-tuning learning rate (1e-4).
        ft_selection: how fine-tuning picks its ⌈ρ·P⌉ edges: ``"sample"`` (Gumbel-top-k, the paper) or
            ``"topk"`` (deterministic, the repo); ``None`` takes the mode's. seed: seeds the attributors'
            initialisation and every sampling step.
    Raises:
        ValueError: for an unknown mode or ft_selection, ρ outside (0, 1], or non-positive sizes/steps.
    """

    def __init__(self, in_channels: int, num_classes: int, *, hidden: int = 50, mode: str = "paper",
                 ratio: float = 0.4, fine_tune: bool = True, contrastive: bool = True, gamma: float = 5.0,
                 beta: float = 1.0, tau: float = 0.1, ft_steps: int = 20, ft_lr: float = 1e-4,
                 ft_selection: str | None = None, seed: int = 0):
        super().__init__()
        _check_mode(mode)
        self.ft_selection = _check_selection(ft_selection or ("sample" if mode == "paper" else "topk"))
        for name, value in dict(in_channels=in_channels, num_classes=num_classes, hidden=hidden,
                                ft_steps=ft_steps).items():
            check_number(value, name, low=1, integer=True)
        for name, value in dict(gamma=gamma, ft_lr=ft_lr).items():
            check_number(value, name, low=0)
        for name, value in dict(beta=beta, tau=tau).items():
            check_number(value, name, low=0, low_open=True)
        check_number(seed, "seed", low=0, integer=True)
        self.mode, self.ratio = mode, check_ratio(ratio)
        self.fine_tune, self.contrastive = fine_tune, contrastive
        self.gamma, self.beta, self.tau, self.ft_steps, self.ft_lr, self.seed = gamma, beta, tau, ft_steps, ft_lr, seed
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.attributors = nn.ModuleList([EdgeAttributor(in_channels, hidden) for _ in range(num_classes)])
        self.generator = torch.Generator().manual_seed(seed)

    @property
    def num_classes(self) -> int:
        return len(self.attributors)

    def _check_class(self, cls: Tensor) -> None:
        if cls.numel() and (int(cls.min()) < 0 or int(cls.max()) >= self.num_classes):
            raise ValueError(f"target class must be in 0..{self.num_classes - 1}, got {cls.unique().tolist()}")

    def _route(self, x: Tensor, edge_index: Tensor, batch: Tensor, classes: Tensor, fn) -> list:
        """Apply ``fn(attributor, x_c, edge_index_c, batch_c, node_sel, edge_sel)`` once per class present,
        on the sub-batch of the graphs of that class (no per-graph loop)."""
        node_class = classes[batch]
        outputs = []
        for c in classes.unique().tolist():
            node_sel = node_class == c
            edge_sel = node_sel[edge_index[0]]
            mapping = torch.cumsum(node_sel.long(), 0) - 1
            outputs.append(fn(self.attributors[c], x[node_sel], mapping[edge_index[:, edge_sel]],
                              batch[node_sel], node_sel, edge_sel))
        return outputs

    def edge_logits(self, x: Tensor, edge_index: Tensor, batch: Tensor, classes: Tensor) -> Tensor:
        """α ``[E]``: each graph's edges scored by the attributor of its class ``classes [B]``."""
        self._check_class(classes)
        alpha = x.new_zeros(edge_index.size(1))
        for edge_sel, a in self._route(x, edge_index, batch, classes,
                                       lambda att, xc, ec, bc, ns, es: (es, att(xc, ec))):
            alpha = alpha.masked_scatter(edge_sel, a)
        return alpha

    def _masked(self, model, x, edge_index, batch, m, rep=False):
        return masked_logits(model, x, edge_index, batch, m, double_sigmoid=self.mode == "repo", rep=rep)

    def _fidelity(self, logits: Tensor, full_prob: Tensor, target: Tensor) -> Tensor:
        # summed over the graphs of the batch, as in eq. 6 and the repo: a mean would let the contrastive
        # term (weight γ = 5) outweigh fidelity by the batch size
        if self.mode == "repo":  # minus the probability of the predicted class
            return -logits.softmax(-1).gather(1, target.view(-1, 1)).sum()
        return -(full_prob * logits.log_softmax(-1)).sum()  # soft cross-entropy, eq. 6

    def _contrastive(self, model, batch: Batch, m: Tensor, classes: Tensor) -> Tensor:
        edge_graph = batch.batch[batch.edge_index[0]]
        sub = explanatory_batch(batch, select_edges(m, batch.edge_index, self.ratio, edge_graph, batch.num_graphs))
        m_sub = m[sub.edge_id]
        same = classes.view(-1, 1) == classes.view(1, -1)
        if self.mode == "repo":  # target model's representation, ReLU-cosine, logsumexp over graphs
            h = F.normalize(self._masked(model, sub.x, sub.edge_index, sub.batch, m_sub, rep=True), dim=-1)
            sim = F.relu(h @ h.t())
            pos, tot = (sim * same).sum(1), sim.sum(1)
            return -torch.logsumexp(pos / (self.tau * tot + _EPS), dim=0)

        def pooled(att, xc, ec, bc, ns, es):  # the attributor's encoder on its class's subgraphs, masked
            with edge_masked(att, m_sub[es], ec):
                return global_mean_pool(att.embed(xc, ec), bc, size=batch.num_graphs)

        h = sum(self._route(sub.x, sub.edge_index, sub.batch, classes, pooled))
        score = h @ h.t()
        off_diag = ~torch.eye(len(classes), dtype=torch.bool)
        pos, neg = same & off_diag, ~same
        loss = h.new_zeros(())
        if pos.any():
            loss = loss + F.softplus(-score[pos]).mean()
        if neg.any():
            loss = loss + F.softplus(score[neg]).mean()
        return loss

    def _loss(self, model, batch: Batch, stochastic: bool) -> tuple[Tensor, Tensor]:
        classes = batch.y
        with torch.no_grad():
            full_prob = model(batch.x, batch.edge_index, batch.batch).softmax(-1)
        alpha = self.edge_logits(batch.x, batch.edge_index, batch.batch, classes)
        m = concrete(alpha, self.beta, mode=self.mode, generator=self.generator) if stochastic else alpha.sigmoid()
        loss = self._fidelity(self._masked(model, batch.x, batch.edge_index, batch.batch, m), full_prob, classes)
        loss = loss + mask_regulariser(m)
        if self.contrastive:
            loss = loss + self.gamma * self._contrastive(model, batch, m, classes)
        return loss

    def fit(self, model: nn.Module, graphs, val_graphs, *, epochs: int = 25, lr: float = 1e-3,
            batch_size: int = 256) -> dict:
        """Pre-train the class-wise attributors (paper eqs. 6–8, docs/04_refine.md §4.4).

        Only graphs the model predicts correctly are used (as the repo does for every split); each graph's
        attributor is the one of its predicted class. Adam with ``ReduceLROnPlateau(0.2, patience 3,
        min_lr 1e-5)`` on the validation loss, which uses deterministic masks ``σ(α)``.

        Args:
            model: a graph classifier ReFine can explain (:meth:`model_requirement`; ``graph_rep`` for
                ``mode="repo"``), in eval mode (its weights are not changed).
            graphs, val_graphs: sequences of ``Data`` with ``x``, ``edge_index``, ``y``.
            epochs: >= 1 (BA-3motif 25, Mutagenicity 100). lr: Adam rate (repo BA-3motif 1e-4).
            batch_size: graphs per step (256).
        Returns:
            ``{"train_loss": [...], "val_loss": [...], "num_train": int, "num_val": int}``; the losses are
            the batch losses summed over an epoch, divided by the number of graphs.
        Raises:
            ValueError: if ``epochs < 1``, no graph is predicted correctly, or ReFine cannot explain ``model``
                (:meth:`model_requirement`).
        """
        if epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {epochs}")
        self.check_model(model)
        train_set, val_set = correct_predictions(model, graphs), correct_predictions(model, val_graphs)
        if not train_set or not val_set:
            raise ValueError("the model predicts no training or no validation graph correctly")
        loader = DataLoader(train_set, batch_size=batch_size, shuffle=True,
                            generator=torch.Generator().manual_seed(self.seed))
        val_batch = Batch.from_data_list(val_set)
        optimizer = torch.optim.Adam(self.attributors.parameters(), lr=lr)
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.2, patience=3,
                                                               min_lr=1e-5)
        history = {"train_loss": [], "val_loss": [], "num_train": len(train_set), "num_val": len(val_set)}
        for _ in range(epochs):
            self.attributors.train()
            total = 0.0
            for batch in loader:
                optimizer.zero_grad()
                loss = self._loss(model, batch, stochastic=True)
                loss.backward()
                optimizer.step()
                total += float(loss.detach())
            self.attributors.eval()
            with torch.no_grad():
                val = float(self._loss(model, val_batch, stochastic=False))
            scheduler.step(val)
            history["train_loss"].append(total / len(train_set))
            history["val_loss"].append(val / len(val_set))
        model.zero_grad(set_to_none=True)
        return history

    @torch.no_grad()
    def attribute(self, graphs, classes: Tensor) -> list[Tensor]:
        """Pre-trained (ReFine-FT) edge probabilities ``σ(α)`` for many graphs, batched by class.

        Args:
            graphs: sequence of ``Data``. classes: ``[B]`` class per graph (usually the predictions).
        Returns:
            One ``[E_g]`` tensor in (0, 1) per graph.
        Raises:
            ValueError: for a class outside 0..C-1.
        """
        self.attributors.eval()
        batch = Batch.from_data_list([Data(x=g.x, edge_index=g.edge_index, num_nodes=g.num_nodes) for g in graphs])
        p = self.edge_logits(batch.x, batch.edge_index, batch.batch, classes.view(-1)).sigmoid()
        return list(p.split([g.edge_index.size(1) for g in graphs]))

    def fine_tuned(self, model: nn.Module, x: Tensor, edge_index: Tensor, cls: int,
                   ratio: float | None = None, *, lr: float | None = None, selection: str | None = None) -> Tensor:
        """Fine-tune a deep copy of attributor ``cls`` on one graph (paper eqs. 9–10, docs/04_refine.md §4.5).

        Each of ``ft_steps`` Adam steps (learning rate ``lr``, default ``ft_lr``): ``p = σ(α)``; select ⌈ρ·P⌉
        undirected edges (the metrics' convention) by ``selection`` (default ``ft_selection``: ``"sample"``,
        Gumbel-top-k sampling in proportion to p with one noise per pair, or ``"topk"``); feed the relabelled
        subgraph with the selected ``p`` as edge masks; minimise the fidelity loss plus the regularisers on p.
        The shared attributor is left untouched.

        Returns:
            ``[E]`` edge probabilities (paper: after the last step; repo: before it).
        Raises:
            ValueError: for ρ outside (0, 1], lr <= 0, an unknown selection, a graph with no edges or a class
                outside 0..C-1.
        """
        ratio = check_ratio(self.ratio if ratio is None else ratio)
        lr = self.ft_lr if lr is None else lr
        if lr <= 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        sample = _check_selection(selection or self.ft_selection) == "sample"
        if edge_index.size(1) == 0:
            raise ValueError("cannot explain a graph with no edges")
        self._check_class(torch.tensor([cls]))
        attributor = copy.deepcopy(self.attributors[cls]).eval()
        optimizer = torch.optim.Adam(attributor.parameters(), lr=lr)
        graph = Data(x=x, edge_index=edge_index, num_nodes=x.size(0))
        edge_graph = edge_index.new_zeros(edge_index.size(1))
        pair = undirected_pair_index(edge_index, x.size(0))  # select undirected edges (metrics convention)
        target = torch.tensor([cls])
        with torch.no_grad():
            full_prob = model(x, edge_index).softmax(-1)
        for _ in range(self.ft_steps):
            p = attributor(x, edge_index).sigmoid()
            score = p.detach()
            if sample:  # Gumbel-top-k: a sample of pairs without replacement, in proportion to p
                u = torch.rand(int(pair.max()) + 1, generator=self.generator).clamp(_EPS, 1 - _EPS)[pair]
                score = torch.log(score + _EPS) - torch.log(-torch.log(u))
            sub = explanatory_batch(graph, top_ratio_mask(score, edge_graph, ratio, 1, pair=pair))
            logits = self._masked(model, sub.x, sub.edge_index, sub.batch, p[sub.edge_id])
            loss = self._fidelity(logits, full_prob, target) + mask_regulariser(p)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.zero_grad(set_to_none=True)
        if self.mode == "repo":
            return p.detach()
        with torch.no_grad():
            return attributor(x, edge_index).sigmoid()

    def forward(self, model: nn.Module, x: Tensor, edge_index: Tensor, *, target: Tensor,
                index=None, **kwargs) -> Explanation:
        """Explain one graph for class ``target`` (``[1]``): ``Explanation(edge_mask=[E] in (0, 1))``.

        Raises:
            ValueError: for a batch of several graphs, a graph with no edges or a class outside 0..C-1.
        """
        check_graph(x, edge_index, name=type(self).__name__)
        self.check_model(model)
        _check_features(x)
        if kwargs.get("batch") is not None and int(kwargs["batch"].max()) > 0:
            raise ValueError("ReFine.forward explains one graph; use attribute() for many")
        if edge_index.size(1) == 0:
            raise ValueError("cannot explain a graph with no edges")
        cls = target.view(-1)[:1]
        self._check_class(cls)
        if self.fine_tune:
            return Explanation(edge_mask=self.fine_tuned(model, x, edge_index, int(cls)))
        attributor = self.attributors[int(cls)].eval()  # one graph: no batching or routing needed
        with torch.no_grad():
            return Explanation(edge_mask=attributor(x, edge_index).sigmoid())

    def model_requirement(self, model: nn.Module) -> str | None:
        """ReFine explains a graph classifier ``model(x [N, F], edge_index, batch) -> logits [B, C]`` (``batch`` the
        third positional argument) whose edges act only through PyG ``MessagePassing`` layers (the edge mask is
        injected into their messages: without them the mask would not reach the model and every loss would be
        blind to it), with ``C`` = ``num_classes`` and, when the model records ``config["in_channels"]``, ``F`` =
        the attributors' ``in_channels``. ``mode="repo"`` also needs ``graph_rep(x, edge_index, batch)``, the pooled
        representation its contrastive loss reads. Features must be floating ``[N, F]`` (checked per call)."""
        params = list(inspect.signature(model.forward).parameters.values())
        positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(positional) < 3 or positional[2] != "batch":
            if not any(p.kind is p.VAR_POSITIONAL for p in params):
                return (f"its forward({', '.join(positional)}) does not take batch as the third argument; ReFine "
                        "calls model(x, edge_index, batch)")
        if not message_passing_layers(model):
            return ("has no torch_geometric MessagePassing layer, so ReFine's edge mask cannot reach its messages "
                    "(dense or scatter-written propagation)")
        config = getattr(model, "config", None) or {}
        for name, mine in (("num_classes", self.num_classes), ("in_channels", self.attributors[0].lin.in_features)):
            if config.get(name) is not None and config[name] != mine:
                return f"has {name}={config[name]}, but this ReFine was built with {name}={mine}"
        if self.mode == "repo" and not callable(getattr(model, "graph_rep", None)):
            return "has no graph_rep(x, edge_index, batch), which mode='repo' contrasts; use mode='paper'"
        return None

    def settings_reason(self) -> str | None:
        # an edge mask of graph classifiers
        return mismatch({"task_level": (self.model_config.task_level, ModelTaskLevel.graph),
                         "node_mask_type": (self.explainer_config.node_mask_type, None)})


