"""The neighbour-deletion experiment of Xie & Lu (NAM, §4.1, Fig. 6) as docs/02_nam.md §2.4 specifies it.

For each centre node v, its K-hop neighbours ``N_{v,K}`` (v excluded) are ranked by an attribution (most
positive first); for ``p = 0, 10, ..., 100`` %, the first ``m = round(p · |N_{v,K}|)`` of them are deleted
(every edge incident to them is removed), the GCN normalisation is recomputed on the edited graph and v is
predicted again. A ranking that finds what matters makes the accuracy fall fast, so a *lower* area under
the accuracy curve is better.

Exactness without copying the whole graph: v's logits depend only on the edges *into* nodes within K hops
of v (messages, and the degrees of every node whose message reaches v), so each edited case is that edge
set of the edited graph: not the bare K-hop subgraph, whose hop-K degrees would be wrong. All centre nodes'
subgraphs form one disjoint union, copied once per (ranking, percentage) case and run in batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor
from tqdm import tqdm  # text bars: a notebook widget bar closed by leave=False is a dead view once saved

from gnnexplain.models.gcn import check_eval_gcn, gcn_forward_projected
from gnnexplain.validation import check_finite, check_node_indices

PERCENTS = tuple(range(0, 101, 10))
RANK_BY = ("signed", "abs")
_NOT_DELETABLE = torch.iinfo(torch.long).max  # rank of v itself and of nodes beyond K hops


@dataclass(frozen=True)
class _Neighbourhoods:
    """All centre nodes' subgraphs as one disjoint union (one "slot" per (centre, node) pair)."""

    centre: Tensor      # [S] position t of the centre node the slot belongs to
    node: Tensor        # [S] global node id of the slot
    dist: Tensor        # [S] hop distance from the centre (0 .. K + 1), following edges backwards
    edge_index: Tensor  # [2, L] edges between slots (source slot, target slot), targets within K hops
    centre_slot: Tensor  # [T] the slot of each centre node itself
    size: Tensor        # [T] |N_{v,K}|, the deletable neighbours


def _neighbourhoods(edge_index: Tensor, num_nodes: int, nodes: Tensor, hops: int) -> _Neighbourhoods:
    """Breadth-first search from every centre node at once, over incoming edges, vectorised."""
    src, dst = edge_index
    order = torch.argsort(dst, stable=True)
    ptr = torch.zeros(num_nodes + 1, dtype=torch.long)
    ptr[1:] = torch.bincount(dst, minlength=num_nodes).cumsum(0)

    def incoming(node: Tensor) -> tuple[Tensor, Tensor]:
        """For each entry i of ``node``: (repeat index into ``node``, ids of edges into node[i])."""
        counts = ptr[node + 1] - ptr[node]
        owner = torch.repeat_interleave(torch.arange(node.numel()), counts)
        start = torch.repeat_interleave(ptr[node] - torch.cat([torch.zeros(1, dtype=torch.long),
                                                                counts.cumsum(0)[:-1]]), counts)
        return owner, order[start + torch.arange(owner.numel())]

    t_all = torch.arange(nodes.numel())
    keys = t_all * num_nodes + nodes  # slot key: centre position * N + node id
    dists = torch.zeros(nodes.numel(), dtype=torch.long)
    frontier = keys
    for hop in range(1, hops + 2):
        owner, edges = incoming(frontier % num_nodes)
        reached = torch.unique((frontier // num_nodes)[owner] * num_nodes + src[edges])
        reached = reached[~torch.isin(reached, keys)]
        keys = torch.cat([keys, reached])
        dists = torch.cat([dists, torch.full_like(reached, hop)])
        frontier = reached
    sort = torch.argsort(keys)
    keys, dists = keys[sort], dists[sort]
    centre, node = keys // num_nodes, keys % num_nodes

    inner = (dists <= hops).nonzero().view(-1)  # edges into slots within K hops
    owner, edges = incoming(node[inner])
    target_slot = inner[owner]
    source_slot = torch.searchsorted(keys, centre[target_slot] * num_nodes + src[edges])
    size = torch.bincount(centre[(dists >= 1) & (dists <= hops)], minlength=nodes.numel())
    return _Neighbourhoods(centre, node, dists, torch.stack([source_slot, target_slot]),
                           torch.searchsorted(keys, t_all * num_nodes + nodes), size)


def _ranks(hood: _Neighbourhoods, scores: Tensor, hops: int) -> Tensor:
    """Rank (0 = deleted first) of every deletable slot within its centre's neighbourhood; others never."""
    deletable = (hood.dist >= 1) & (hood.dist <= hops)
    idx = deletable.nonzero().view(-1)
    # slots are sorted by (centre, node id): two stable sorts give (centre, score desc, node id) order
    by_score = idx[torch.argsort(-scores[idx], stable=True)]
    ordered = by_score[torch.argsort(hood.centre[by_score], stable=True)]
    first = torch.zeros(int(hood.centre.max()) + 2, dtype=torch.long)
    first[1:] = torch.bincount(hood.centre[ordered], minlength=int(hood.centre.max()) + 1).cumsum(0)
    rank = torch.full_like(hood.dist, _NOT_DELETABLE)
    rank[ordered] = torch.arange(ordered.numel()) - first[hood.centre[ordered]]
    return rank


def num_deleted(size: Tensor, percent: int) -> Tensor:
    """``m = round(p/100 · |N_{v,K}|)`` with halves rounded up, in exact integer arithmetic ([proposal],
    docs/02_nam.md §2.4: the paper does not say how |D_v| is rounded). ``size [T]`` -> ``[T]``."""
    return (2 * percent * size + 100) // 200


def perturbation_logits(model: torch.nn.Module, x: Tensor, edge_index: Tensor, nodes, scores: Tensor | None, *,
                        hops: int = 2, percents=PERCENTS, rank_by: str = "signed", seed: int | None = None,
                        max_batch_nodes: int = 2_000_000) -> Tensor:
    """Logits of each centre node after deleting its top-ranked K-hop neighbours (docs/02_nam.md §2.4).

    Args:
        model: a :class:`gnnexplain.models.GCN` in eval mode (the GCN normalisation is recomputed exactly
            on each edited graph).
        x: ``[N, F]``; edge_index: ``[2, E]``.
        nodes: centre nodes ``[T]`` (ints in ``[0, N)``).
        scores: attribution of node j for centre ``nodes[t]``, ``[T, N]`` dense or sparse (e.g. the output
            of :func:`gnnexplain.explain.nam_contributions`); ``None`` ranks uniformly at random with ``seed``.
        hops: K, the neighbourhood radius (the number of GCN layers in the paper), >= 1.
        percents: integers in [0, 100].
        rank_by: ``"signed"`` (most positive first, the default) or ``"abs"`` (largest magnitude first).
        seed: seed of the random ranking (required when ``scores`` is None).
        max_batch_nodes: cap on nodes per batched forward pass (memory).
    Returns:
        ``[P, T, C]`` logits of the centre nodes, one row per percentage.
    Raises:
        ValueError: for a bad ``hops``, ``percents``, ``rank_by``, ``scores`` shape, or ``scores=None``
        without a seed; IndexError for a node outside the graph; TypeError for a model other than GCN.
    """
    check_eval_gcn(model, "the deletion experiment")
    num_nodes = x.size(0)
    nodes = check_node_indices(nodes, num_nodes)
    percents = list(percents)
    if not isinstance(hops, int) or hops < 1:
        raise ValueError(f"hops={hops!r} must be an integer >= 1")
    if not percents or any(not isinstance(p, int) or not 0 <= p <= 100 for p in percents):
        raise ValueError(f"percents={percents!r} must be integers in [0, 100]")
    if rank_by not in RANK_BY:
        raise ValueError(f"unknown rank_by={rank_by!r}; allowed: {', '.join(RANK_BY)}")
    hood = _neighbourhoods(edge_index, num_nodes, nodes, hops)
    if scores is None:
        if seed is None:
            raise ValueError("a random ranking (scores=None) needs a seed")
        slot_scores = torch.rand(hood.node.numel(), generator=torch.Generator().manual_seed(seed))
    else:
        if tuple(scores.shape) != (nodes.numel(), num_nodes):
            raise ValueError(f"scores must have shape [T, N] = {(nodes.numel(), num_nodes)}, got {tuple(scores.shape)}")
        dense = scores.to_dense() if scores.is_sparse else scores
        slot_scores = dense.detach()[hood.centre, hood.node].float()
        if rank_by == "abs":
            slot_scores = slot_scores.abs()
    rank = _ranks(hood, slot_scores, hops)
    src, dst = hood.edge_index
    edge_rank = torch.minimum(rank[src], rank[dst])  # an edge goes once either endpoint is deleted
    edge_centre = hood.centre[dst]

    with torch.no_grad():
        u = (x @ model.linear_parameters()[0][0])[hood.node]
        slots = hood.node.numel()
        per_batch = max(1, max_batch_nodes // slots)
        out = []
        for start in range(0, len(percents), per_batch):
            chunk = percents[start:start + per_batch]
            kept = [(edge_rank >= num_deleted(hood.size, p)[edge_centre]).nonzero().view(-1) for p in chunk]
            batch_edges = torch.cat([hood.edge_index[:, k] + i * slots for i, k in enumerate(kept)], dim=1)
            logits = gcn_forward_projected(model, u.repeat(len(chunk), 1), batch_edges)
            centres = hood.centre_slot + slots * torch.arange(len(chunk)).unsqueeze(-1)
            out.append(logits[centres])
    return torch.cat(out)


@dataclass
class PerturbationResult:
    """Accuracy of the centre nodes as their top-ranked neighbours are deleted, per ranking method.

    Attributes:
        percents: the deleted percentages p.
        accuracy: method -> accuracy in [0, 1] per p (``"random"``: the mean over seeds).
        accuracy_std: method -> standard deviation over seeds per p (random only; 0 for the others).
        auc: method -> area under the accuracy curve over p/100 in [0, 1] (trapezoid rule); lower means
            the ranking finds the neighbours the prediction relies on.
        num_nodes: number of centre nodes T; num_empty: those with no K-hop neighbour (counted as unchanged).
        predictions: method -> predicted classes ``[P, T]`` (random: ``[seeds, P, T]``).
    """

    percents: list[int]
    accuracy: dict[str, list[float]]
    accuracy_std: dict[str, list[float]]
    auc: dict[str, float]
    num_nodes: int
    num_empty: int
    predictions: dict[str, Tensor] = field(repr=False)

    def table(self):
        """A pandas DataFrame: one row per method, the AUC then the accuracy at each p."""
        import pandas as pd

        frame = pd.DataFrame({f"{p}%": [self.accuracy[m][i] for m in self.accuracy]
                              for i, p in enumerate(self.percents)}, index=list(self.accuracy))
        frame.insert(0, "AUC", [self.auc[m] for m in self.accuracy])
        return frame


def perturbation_experiment(model: torch.nn.Module, data, nodes, rankings: dict[str, Tensor], *,
                            random_seeds=(0, 1, 2, 3, 4), hops: int = 2, percents=PERCENTS,
                            rank_by: str = "signed", labels: Tensor | None = None,
                            progress: bool = True) -> PerturbationResult:
    """Run the deletion experiment for several rankings and a seeded random ranking (Xie & Lu §4.1, Fig. 6).

    Args:
        model: a :class:`gnnexplain.models.GCN` in eval mode.
        data: PyG ``Data`` with ``x [N, F]``, ``edge_index [2, E]`` and ``y [N]``.
        nodes: centre nodes ``[T]`` (the paper: the 1,000 test nodes).
        rankings: method name -> scores ``[T, N]`` (see :func:`perturbation_logits`); not ``"random"``.
        random_seeds: seeds of the random ranking ("RM"), averaged; empty to skip it.
        hops, percents, rank_by: see :func:`perturbation_logits`.
        labels: ``[N]`` true classes (default ``data.y``).
        progress: show a tqdm bar over the rankings.
    Returns:
        :class:`PerturbationResult`.
    Raises:
        ValueError: if a ranking is named ``"random"``, or as :func:`perturbation_logits`.
    """
    if "random" in rankings:
        raise ValueError("the name 'random' is reserved for the seeded random ranking (random_seeds)")
    for name, scores in rankings.items():
        check_finite(scores, f"rankings[{name!r}]")
    nodes = check_node_indices(nodes, data.num_nodes)
    truth = (data.y if labels is None else labels)[nodes]
    percents = list(percents)
    predictions, accuracy, std, auc = {}, {}, {}, {}
    runs = [(name, scores, None) for name, scores in rankings.items()]
    runs += [("random", None, seed) for seed in random_seeds]
    preds_by_method: dict[str, list[Tensor]] = {}
    for name, scores, seed in tqdm(runs, desc="perturbation", leave=False, disable=not progress):
        logits = perturbation_logits(model, data.x, data.edge_index, nodes, scores, hops=hops, percents=percents,
                                     rank_by=rank_by, seed=seed)
        preds_by_method.setdefault(name, []).append(logits.argmax(-1))
    x_axis = torch.tensor(percents, dtype=torch.float64) / 100
    for name, preds in preds_by_method.items():
        stacked = torch.stack(preds)  # [runs, P, T]
        acc = (stacked == truth).double().mean(-1)  # [runs, P]
        predictions[name] = stacked if name == "random" else stacked[0]
        accuracy[name] = acc.mean(0).tolist()
        std[name] = acc.std(0, correction=0).tolist()
        auc[name] = float(torch.trapezoid(acc.mean(0), x_axis)) if len(percents) > 1 else float("nan")
    size = _neighbourhoods(data.edge_index, data.num_nodes, nodes, hops).size
    return PerturbationResult(percents, accuracy, std, auc, int(nodes.numel()), int((size == 0).sum()), predictions)


