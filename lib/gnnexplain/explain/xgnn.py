"""XGNN: model-level explanations by reinforcement-learned graph generation (Yuan, Tang, Hu, Ji, KDD 2020).

A policy network grows a graph one edge at a time, from a single start node, towards graphs that the
explained graph classifier f scores as class c. Each step picks a start node among the current graph's
nodes and an end node among the current nodes and the candidate node types; the edit is rewarded with
``P_f(c | G_{t+1}) − 1/C`` plus rollouts of the current policy, and penalised when it breaks the graph
rules (e.g. valence). The policy is trained by policy gradient (REINFORCE, one update per step).

Reference implementation: DIG, branch ``main``, ``dig/xgraph/XGNN/{gnn_explain,policy_nn,gcn}.py``
(docs/05_gnnexplainer_xgnn.md §5.2). Differences, each documented where it happens: the log-probabilities are
those of the masked distributions actually sampled (the repo's cross-entropy runs over all padded rows; ``repo_loss``
reproduces it), sampling, rollouts and the graph state are batched tensors, and every step is seeded.

State layout (one row per slot, ``M = max_node``, ``T`` candidate types): rows ``0..M-1`` hold the graph's
nodes (filled in order, ``node_type = -1`` for empty slots), rows ``M..M+T-1`` the candidate nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.nn import DenseGCNConv
from torch_geometric.utils import is_undirected

from gnnexplain.data.is_acyclic import degree_features

OK, FAILED, INVALID, REJECTED = 0, 1, 2, 3
STATUS = ("accepted", "failed", "invalid", "rejected")
ROLLBACKS = ("negative", "invalid")


@dataclass(frozen=True)
class GraphRules:
    """Node types and graph rules of the generator.

    Attributes:
        node_types: names of the candidate node types 𝒞 (T >= 1).
        max_degree: per type, the largest allowed degree (valence), or ``None`` for no limit.
        start_type: index of the type of the single node every generation starts from.
    Raises:
        ValueError: for an empty type list, a length mismatch, a degree < 1 or a bad ``start_type``.
    """

    node_types: tuple[str, ...]
    max_degree: tuple[int | None, ...]
    start_type: int = 0

    def __post_init__(self):
        if not self.node_types:
            raise ValueError("node_types must name at least one type")
        if len(self.max_degree) != len(self.node_types):
            raise ValueError(f"max_degree has {len(self.max_degree)} entries for {len(self.node_types)} node_types")
        if any(d is not None and d < 1 for d in self.max_degree):
            raise ValueError(f"max_degree={self.max_degree} must hold integers >= 1 or None")
        if not 0 <= self.start_type < len(self.node_types):
            raise ValueError(f"start_type={self.start_type}; allowed: 0..{len(self.node_types) - 1}")

    @classmethod
    def mutag(cls, max_degree: tuple[int | None, ...] = (4, 5, 2, 1, 7, 7, 5)) -> "GraphRules":
        """MUTAG's atoms C, N, O, F, I, Cl, Br (its node-label order); the default valences are the XGNN
        repo's permissive table (N 5, I/Cl 7); pass e.g. ``(4, 3, 2, 1, 1, 1, 1)`` for strict ones."""
        return cls(("C", "N", "O", "F", "I", "Cl", "Br"), max_degree, start_type=0)

    @classmethod
    def unlabelled(cls, max_degree: int | None = None) -> "GraphRules":
        """One node type, ``"node"`` (Is_Acyclic)."""
        return cls(("node",), (max_degree,))

    def degree_limits(self) -> Tensor:
        """FloatTensor ``[T]`` of maximum degrees (``inf`` for no limit)."""
        return torch.tensor([float("inf") if d is None else float(d) for d in self.max_degree])


def one_hot_features(node_type: Tensor, edge_index: Tensor, num_types: int) -> Tensor:
    """Default featuriser: one-hot node types ``[K, T]`` (MUTAG's node labels)."""
    return F.one_hot(node_type, num_types).float()


def degree_node_features(node_type: Tensor, edge_index: Tensor, num_types: int) -> Tensor:
    """Featuriser for unlabelled graphs (Is_Acyclic): each node's degree ``[K, 1]``, the input of a classifier
    trained on :func:`gnnexplain.data.make_is_acyclic` graphs (:func:`gnnexplain.data.degree_features`)."""
    return degree_features(edge_index, node_type.numel())


def is_valid(node_type: Tensor, edge_index: Tensor, rules: GraphRules) -> bool:
    """Whether a graph obeys ``rules``: no node's degree above its type's maximum, no self-loop, and no
    edge stored in only one direction.

    Args:
        node_type: ``[n]`` type ids. edge_index: ``[2, E]`` (both directions).
    """
    deg = torch.bincount(edge_index[0], minlength=node_type.numel()).float()
    return bool((deg <= rules.degree_limits()[node_type]).all()) and bool((edge_index[0] != edge_index[1]).all()) \
        and is_undirected(edge_index, num_nodes=node_type.numel())


class XGNNPolicy(torch.nn.Module):
    """The generator's policy network (XGNN §3.3; repo ``policy_nn.py``).

    ``Lin(T→8)`` (no activation) → three dense GCN layers 8→16→24→32 with ReLU over
    ``D̃^{-1/2}(A+I)D̃^{-1/2}``
    (the current graph plus candidate rows, which have self-loops only) → node embeddings ``Y``.
    Start head ``MLP_s: 32→16 (ReLU6)→1`` over existing nodes; end head ``MLP_e: [Y_i ‖ Y_{a_s}] 64→24
    (ReLU6)→1`` over existing nodes and candidates. Glorot-uniform weights, zero biases.

    Args:
        num_types: T.
    """

    def __init__(self, num_types: int):
        super().__init__()
        self.embed_types = torch.nn.Linear(num_types, 8)
        self.convs = torch.nn.ModuleList(DenseGCNConv(a, b) for a, b in ((8, 16), (16, 24), (24, 32)))
        self.start_head = torch.nn.Sequential(torch.nn.Linear(32, 16), torch.nn.ReLU6(), torch.nn.Linear(16, 1))
        self.end_head = torch.nn.Sequential(torch.nn.Linear(64, 24), torch.nn.ReLU6(), torch.nn.Linear(24, 1))
        for module in self.modules():
            if isinstance(module, torch.nn.Linear):
                torch.nn.init.xavier_uniform_(module.weight)
                torch.nn.init.zeros_(module.bias)

    def forward(self, node_type: Tensor, adj: Tensor) -> Tensor:
        """Embeddings ``[B, M+T, 32]`` of states ``node_type [B, M]`` (-1 = empty) and ``adj [B, M, M]``."""
        batch, slots = node_type.shape
        num_types = self.embed_types.in_features
        x = torch.cat([F.one_hot(node_type.clamp(min=0), num_types).float() * (node_type >= 0).unsqueeze(-1),
                       torch.eye(num_types).expand(batch, num_types, num_types)], dim=1)
        full = torch.zeros(batch, slots + num_types, slots + num_types)
        full[:, :slots, :slots] = adj.float()
        mask = torch.cat([node_type >= 0, torch.ones(batch, num_types, dtype=torch.bool)], dim=1)
        h = self.embed_types(x)
        for conv in self.convs:
            h = conv(h, full, mask=mask).relu()
        return h

    def start_logits(self, emb: Tensor, node_type: Tensor) -> Tensor:
        """Unmasked start logits ``[B, M]`` over the graph slots."""
        return self.start_head(emb[:, : node_type.size(1)]).squeeze(-1)

    def end_logits(self, emb: Tensor, start: Tensor) -> Tensor:
        """Unmasked end logits ``[B, M+T]`` given start nodes ``start [B]``."""
        anchor = emb[torch.arange(emb.size(0)), start].unsqueeze(1).expand_as(emb)
        return self.end_head(torch.cat([emb, anchor], dim=-1)).squeeze(-1)


def start_mask(node_type: Tensor) -> Tensor:
    """Allowed start nodes ``[B, M]``: the existing nodes only."""
    return node_type >= 0


def end_mask(node_type: Tensor, start: Tensor, num_types: int) -> Tensor:
    """Allowed end nodes ``[B, M+T]``: existing nodes and all candidates, never the start node itself."""
    allowed = torch.cat([node_type >= 0, torch.ones(node_type.size(0), num_types, dtype=torch.bool)], dim=1)
    allowed[torch.arange(node_type.size(0)), start] = False
    return allowed


def transition(node_type: Tensor, adj: Tensor, start: Tensor, end: Tensor, rules: GraphRules):
    """Apply one batch of edits (XGNN's graph transition), vectorised over the batch.

    An end node ``a_e >= M`` adds a new node of type ``a_e - M`` joined to ``a_s`` (FAILED when the graph
    already has ``M`` nodes); otherwise the edge ``(a_s, a_e)`` is added (FAILED when it exists). An edit
    that pushes a degree above its type's maximum is INVALID. Failed and invalid edits leave the state.

    Args:
        node_type: ``[B, M]`` (-1 = empty). adj: ``[B, M, M]`` bool, symmetric. start, end: ``[B]``.
        rules: the graph rules.
    Returns:
        ``(node_type [B, M], adj [B, M, M], status [B])`` with status OK, FAILED or INVALID.
    """
    batch, slots = node_type.shape
    rows = torch.arange(batch)
    count = (node_type >= 0).sum(1)
    new_node = end >= slots
    failed = new_node & (count == slots)
    target = torch.where(new_node, count.clamp(max=slots - 1), end.clamp(max=slots - 1))
    failed |= ~new_node & adj[rows, start, target]
    out_type, out_adj = node_type.clone(), adj.clone()
    add = ~failed
    out_type[rows[add & new_node], target[add & new_node]] = (end - slots)[add & new_node]
    out_adj[rows[add], start[add], target[add]] = True
    out_adj[rows[add], target[add], start[add]] = True
    limits = rules.degree_limits()[out_type.clamp(min=0)]
    invalid = add & (out_adj.sum(-1).float() > limits).any(1)
    keep = failed | invalid
    out_type[keep], out_adj[keep] = node_type[keep], adj[keep]
    status = torch.full((batch,), OK, dtype=torch.long)
    status[failed], status[invalid] = FAILED, INVALID
    return out_type, out_adj, status


def to_pyg(node_type: Tensor, adj: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Dense states to one PyG batch: ``(node_type [K], edge_index [2, E], batch [K])``."""
    exists = node_type >= 0
    global_id = exists.flatten().cumsum(0).view_as(node_type) - 1
    b, i, j = adj.nonzero(as_tuple=True)
    batch = torch.arange(node_type.size(0)).unsqueeze(1).expand_as(node_type)[exists]
    return node_type[exists], torch.stack([global_id[b, i], global_id[b, j]]), batch


@dataclass
class GeneratedGraph:
    """One explanation graph.

    Attributes:
        data: ``Data`` with ``x`` (the model's features), ``node_type [n]``, ``edge_index [2, E]``.
        probability: ``P_f(target_class | graph)`` in [0, 1].
        valid: whether the graph obeys the rules (:func:`is_valid`).
        trace: one dict per step: ``step``, ``start``, ``end`` (slot ids; ``end >= M`` = a new node of
            type ``end - M``), ``status`` (a :data:`STATUS` name), ``probability`` and the graph after the
            step, ``node_type`` (list) and ``edges`` (list of undirected pairs).
        best_step: the trace entry ``data`` comes from.
    """

    data: Data
    probability: float
    valid: bool
    trace: list[dict] = field(default_factory=list)
    best_step: int = -1


class XGNN:
    """Train a graph generator that explains what ``model`` looks for in a class (Yuan et al. 2020).

    Args:
        rules: node types and graph rules.
        featurize: maps ``(node_type [K], edge_index [2, E], num_types)`` to the model's node features
            ``[K, F]`` (default: one-hot types; :func:`degree_node_features` for unlabelled graphs).
        max_step: steps per episode (30 in the repo).
        rollouts: m, rollouts per step (10). rollout_weight: λ1 (2). rule_reward: reward added to an
            accepted, valid edit (0.1, the repo's λ2·R_r). penalty: reward of a failed or invalid edit (-1).
        rollout_steps: cap on a rollout's length (default ``max_step - t - 1``, the repo's).
        lr, momentum, weight_decay, clip: the repo's SGD (0.01, 0.9, 5e-4) and gradient-norm clip (100).
        repo_loss: compute the policy-gradient log-probabilities like the repo (cross-entropy over all
            rows, masked and padded included) instead of from the sampled, masked distributions.
        rollback: which edits are undone: ``"negative"`` (every failed or rule-breaking edit and every edit
            with a negative reward, as the repo does; default) or ``"invalid"`` (failed or rule-breaking
            ones only, [proposal]: with ``"negative"`` the policy never leaves the start node for a class
            whose small graphs all score low, such as Is_Acyclic's cyclic class).
    Raises:
        ValueError: for ``max_step < 1``, ``rollouts < 0``, ``rollout_steps < 1`` or an unknown ``rollback``.
    """

    def __init__(self, rules: GraphRules, *, featurize: Callable | None = None, max_step: int = 30,
                 rollouts: int = 10, rollout_weight: float = 2.0, rule_reward: float = 0.1, penalty: float = -1.0,
                 rollout_steps: int | None = None, lr: float = 0.01, momentum: float = 0.9,
                 weight_decay: float = 5e-4, clip: float = 100.0, repo_loss: bool = False,
                 rollback: str = "negative"):
        if max_step < 1 or rollouts < 0 or (rollout_steps is not None and rollout_steps < 1):
            raise ValueError(f"need max_step >= 1, rollouts >= 0, rollout_steps >= 1 or None; got {max_step}, "
                             f"{rollouts}, {rollout_steps}")
        if rollback not in ROLLBACKS:
            raise ValueError(f"unknown rollback={rollback!r}; allowed: {', '.join(ROLLBACKS)}")
        self.rollback = rollback
        self.rules, self.featurize = rules, featurize or one_hot_features
        self.max_step, self.rollouts, self.rollout_weight = max_step, rollouts, rollout_weight
        self.rule_reward, self.penalty, self.rollout_steps = rule_reward, penalty, rollout_steps
        self.optim = dict(lr=lr, momentum=momentum, weight_decay=weight_decay)
        self.clip, self.repo_loss = clip, repo_loss
        self.policy: XGNNPolicy | None = None
        self.history: dict[str, list[float]] = {}

    # -- helpers -------------------------------------------------------------------------------------
    def _check(self, model, target_class: int, max_node: int) -> int:
        if isinstance(max_node, bool) or not isinstance(max_node, int) or max_node < 2:
            raise ValueError(f"max_node={max_node!r} must be an integer >= 2 (the node budget)")
        self.model = model.eval()
        num_classes = self._logits(*self._start(1, max_node)).size(-1)
        if isinstance(target_class, bool) or not isinstance(target_class, int) or not 0 <= target_class < num_classes:
            raise ValueError(f"target_class={target_class!r} does not exist; allowed: 0..{num_classes - 1}")
        return num_classes

    def _start(self, batch: int, max_node: int) -> tuple[Tensor, Tensor]:
        node_type = torch.full((batch, max_node), -1, dtype=torch.long)
        node_type[:, 0] = self.rules.start_type
        return node_type, torch.zeros(batch, max_node, max_node, dtype=torch.bool)

    @torch.no_grad()
    def _logits(self, node_type: Tensor, adj: Tensor) -> Tensor:
        types, edge_index, batch = to_pyg(node_type, adj)
        x = self.featurize(types, edge_index, len(self.rules.node_types))
        return self.model(x, edge_index, batch)

    def _probability(self, node_type: Tensor, adj: Tensor) -> Tensor:
        return self._logits(node_type, adj).softmax(-1)[:, self.target_class]

    def _sample(self, node_type: Tensor, adj: Tensor, generator: torch.Generator):
        """Sample ``(start, end)`` from the masked policy; also return their log-probabilities ``[B]``."""
        emb = self.policy(node_type, adj)
        s_logits = self.policy.start_logits(emb, node_type)
        s_logp = s_logits.masked_fill(~start_mask(node_type), float("-inf")).log_softmax(-1)
        start = torch.multinomial(s_logp.exp(), 1, generator=generator).squeeze(1)
        e_logits = self.policy.end_logits(emb, start)
        e_logp = e_logits.masked_fill(~end_mask(node_type, start, len(self.rules.node_types)),
                                      float("-inf")).log_softmax(-1)
        end = torch.multinomial(e_logp.exp(), 1, generator=generator).squeeze(1)
        if self.repo_loss:  # the repo's CE over every row, masked and padded ones included
            s_logp, e_logp = s_logits.log_softmax(-1), e_logits.log_softmax(-1)
        rows = torch.arange(start.numel())
        return start, end, s_logp[rows, start] + e_logp[rows, end]

    @torch.no_grad()
    def _rollout_value(self, node_type: Tensor, adj: Tensor, steps: int, generator: torch.Generator) -> float:
        """Mean over ``self.rollouts`` continuations: −0.1 if any edit fails or breaks a rule, else
        ``P_f(c | G_final) − 1/C`` (repo ``roll_out``)."""
        if self.rollouts == 0 or steps < 1:
            return 0.0
        types, adj = node_type.expand(self.rollouts, -1).clone(), adj.expand(self.rollouts, -1, -1).clone()
        alive = torch.ones(self.rollouts, dtype=torch.bool)
        for _ in range(steps):
            start, end, _ = self._sample(types[alive], adj[alive], generator)
            t, a, status = transition(types[alive], adj[alive], start, end, self.rules)
            types[alive], adj[alive] = t, a
            alive[alive.clone()] = status == OK
            if not alive.any():
                break
        value = torch.full((self.rollouts,), -0.1)
        if alive.any():
            value[alive] = self._probability(types[alive], adj[alive]) - 1.0 / self.num_classes
        return float(value.mean())

    # -- public API ----------------------------------------------------------------------------------
    def fit(self, model: torch.nn.Module, target_class: int, *, max_node: int = 6, episodes: int = 50,
            seed: int = 0, progress: bool = False) -> "XGNN":
        """Train the policy to generate graphs of ``target_class`` (XGNN Algorithm 1; repo ``train``).

        Each episode starts from one node of ``rules.start_type`` and runs ``max_step`` steps. A step
        samples ``(a_s, a_e)`` from the masked policy and applies it; the reward is ``penalty`` for a failed
        or invalid edit, else ``P_f(c|G_{t+1}) − 1/C + rule_reward + λ1 · mean rollout value``; the graph is
        rolled back when it fails or breaks a rule (and, with ``rollback="negative"``, when the reward is
        negative). Loss ``−R · (log π_s(a_s) + log π_e(a_e))``, one SGD step.

        Args:
            model: graph classifier ``(x [K, F], edge_index, batch [K]) -> logits [B, C]``, kept in eval mode.
            target_class: c in ``0..C-1``. max_node: the node budget M >= 2. episodes: >= 1.
            seed: seeds the policy's initialisation and every sample.
            progress: show a tqdm bar.
        Returns:
            ``self``; ``self.history`` holds per-episode ``probability`` (of the final graph),
            ``acceptance`` (fraction of accepted edits) and ``reward`` (mean step reward).
        Raises:
            ValueError: for a class that does not exist, ``max_node < 2`` or ``episodes < 1``.
        """
        from tqdm import tqdm  # text bars: see models/training.py

        self.num_classes = self._check(model, target_class, max_node)
        if episodes < 1:
            raise ValueError(f"episodes={episodes} must be >= 1")
        self.target_class, self.max_node = target_class, max_node
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.policy = XGNNPolicy(len(self.rules.node_types))
        generator = torch.Generator().manual_seed(seed)
        optimizer = torch.optim.SGD(self.policy.parameters(), **self.optim)
        self.history = {"probability": [], "acceptance": [], "reward": []}
        for _ in tqdm(range(episodes), disable=not progress, desc=f"XGNN class {target_class}", leave=False):
            node_type, adj = self._start(1, max_node)
            accepted, rewards = 0, []
            for t in range(self.max_step):
                start, end, logp = self._sample(node_type, adj, generator)
                new_type, new_adj, status = transition(node_type, adj, start, end, self.rules)
                if status.item() == OK:
                    steps = self.max_step - t - 1 if self.rollout_steps is None else min(self.rollout_steps,
                                                                                         self.max_step - t - 1)
                    reward = (float(self._probability(new_type, new_adj)) - 1.0 / self.num_classes + self.rule_reward
                              + self.rollout_weight * self._rollout_value(new_type, new_adj, steps, generator))
                else:
                    reward = self.penalty
                optimizer.zero_grad()
                (-reward * logp.sum()).backward()
                torch.nn.utils.clip_grad_norm_(self.policy.parameters(), self.clip)
                optimizer.step()
                rewards.append(reward)
                if status.item() == OK and (reward >= 0 or self.rollback == "invalid"):
                    node_type, adj, accepted = new_type, new_adj, accepted + 1
            self.history["probability"].append(float(self._probability(node_type, adj)))
            self.history["acceptance"].append(accepted / self.max_step)
            self.history["reward"].append(sum(rewards) / len(rewards))
        self.policy.eval()
        return self

    @torch.no_grad()
    def generate(self, num_graphs: int = 1, *, max_node: int | None = None, seed: int = 0,
                 tolerance: float = 0.01) -> list[GeneratedGraph]:
        """Sample explanation graphs from the trained policy, ``num_graphs`` in one batch.

        Each graph starts from one node of ``rules.start_type`` and runs ``max_step`` sampled edits; an
        edit is kept when it succeeds and obeys the rules (with ``rollback="negative"`` also only when its
        immediate reward ``P_f(c|G') − 1/C + rule_reward`` is non-negative), so every graph is valid. The
        returned graph is the one of highest ``P_f(c|G)`` along the trajectory (the latest of the ties
        within ``tolerance``, i.e. the largest), since XGNN's goal is the graph that maximises the class score;
        ``best_step`` says which, and the trace holds the whole trajectory.

        Args:
            num_graphs: >= 1. max_node: node budget (default: the one trained with), >= 2. seed: sampling seed.
            tolerance: probabilities within this of the trajectory's maximum count as ties, in [0, 1).
        Returns:
            A list of :class:`GeneratedGraph`.
        Raises:
            RuntimeError: before :meth:`fit`. ValueError: for ``num_graphs < 1``, ``max_node < 2`` or a
            ``tolerance`` outside [0, 1).
        """
        if self.policy is None:
            raise RuntimeError("call fit(model, target_class) before generate()")
        max_node = self.max_node if max_node is None else max_node
        self._check(self.model, self.target_class, max_node)
        if num_graphs < 1:
            raise ValueError(f"num_graphs={num_graphs} must be >= 1")
        if not 0.0 <= tolerance < 1.0:
            raise ValueError(f"tolerance={tolerance} must be in [0, 1)")
        generator = torch.Generator().manual_seed(seed)
        node_type, adj = self._start(num_graphs, max_node)
        prob = self._probability(node_type, adj)
        traces: list[list[dict]] = [[] for _ in range(num_graphs)]
        for t in range(self.max_step):
            start, end, _ = self._sample(node_type, adj, generator)
            new_type, new_adj, status = transition(node_type, adj, start, end, self.rules)
            new_prob = self._probability(new_type, new_adj)
            if self.rollback == "negative":
                status[(status == OK) & (new_prob - 1.0 / self.num_classes + self.rule_reward < 0)] = REJECTED
            keep = status == OK
            node_type[keep], adj[keep], prob[keep] = new_type[keep], new_adj[keep], new_prob[keep]
            for g in range(num_graphs):
                traces[g].append(self._trace_entry(t, start[g], end[g], status[g], prob[g], node_type[g], adj[g]))
        return [self._result(traces[g], tolerance) for g in range(num_graphs)]

    @staticmethod
    def _trace_entry(step, start, end, status, prob, node_type, adj) -> dict:
        upper = torch.triu(adj, diagonal=1).nonzero().tolist()
        return {"step": step, "start": int(start), "end": int(end), "status": STATUS[int(status)],
                "probability": float(prob), "node_type": node_type[node_type >= 0].tolist(),
                "edges": [tuple(e) for e in upper]}

    def _result(self, trace: list[dict], tolerance: float) -> GeneratedGraph:
        probs = torch.tensor([entry["probability"] for entry in trace])
        best = int((probs >= probs.max() - tolerance).nonzero().max())
        data = trace_graph(trace[best], self.featurize, len(self.rules.node_types))
        return GeneratedGraph(data, trace[best]["probability"], is_valid(data.node_type, data.edge_index, self.rules),
                              trace, best)


def trace_graph(entry: dict, featurize: Callable = one_hot_features, num_types: int | None = None) -> Data:
    """The graph of one trace entry as ``Data`` (``x``, ``node_type [n]``, ``edge_index`` both directions).

    Args:
        entry: a dict of :attr:`GeneratedGraph.trace`. featurize: as in :class:`XGNN`.
        num_types: T (default: largest type id + 1).
    """
    types = torch.tensor(entry["node_type"], dtype=torch.long)
    pairs = torch.tensor(entry["edges"], dtype=torch.long).view(-1, 2).t()
    edge_index = torch.cat([pairs, pairs.flip(0)], dim=1)
    num_types = int(types.max()) + 1 if num_types is None else num_types
    return Data(x=featurize(types, edge_index, num_types), edge_index=edge_index, node_type=types,
                num_nodes=types.numel())
