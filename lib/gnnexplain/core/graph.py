"""Undirected pairs, computation subgraphs and top-ρ edge selection: the one rule the metrics, the explainers and
the figures share for undirected graphs (docs/conventions.md §0.1).

Undirected graphs store both directions of every edge. An explainer may score the two directions of a pair
{u, v} differently, so a pair's score is the **mean of its two directed scores** (:func:`symmetrize_edge_mask`),
and ratios ρ and top-k counts count *pairs*: a kept pair keeps both directions. An edge stored in one direction
only is a pair of its own.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.data import Batch
from torch_geometric.utils import k_hop_subgraph

from gnnexplain.validation import check_node_index


def _pair_key(edge_index: Tensor, num_nodes: int) -> Tensor:
    """``min(u, v)·N + max(u, v)`` per directed edge ``[E]``: one id per undirected pair."""
    lo, hi = edge_index.min(dim=0).values, edge_index.max(dim=0).values
    return lo * num_nodes + hi



def undirected_pair_index(edge_index: Tensor, num_nodes: int) -> Tensor:
    """Number the undirected pairs of ``edge_index``: both directions of {u, v} get the same id.

    Args:
        edge_index: ``[2, E]``. num_nodes: N.
    Returns:
        LongTensor ``[E]`` of pair ids in ``[0, P)``, P the number of distinct pairs (ids follow the
        order of ``(min(u, v), max(u, v))``).
    """
    return torch.unique(_pair_key(edge_index, num_nodes), return_inverse=True)[1]



def per_pair(values: Tensor, pair: Tensor, reduce: str) -> Tensor:
    """``values [E]`` reduced (``"mean"``, ``"amax"``, ...: ``scatter_reduce``) over each undirected pair of
    ``pair [E]`` ids (:func:`undirected_pair_index`): ``[P]``, empty for no edges."""
    return values.new_zeros(int(pair.max()) + 1 if pair.numel() else 0).scatter_reduce(0, pair, values, reduce,
                                                                                      include_self=False)



def symmetrize_edge_mask(edge_index: Tensor, edge_mask: Tensor, num_nodes: int) -> Tensor:
    """Give both directions of every undirected pair the mean of their scores.

    Args:
        edge_index: ``[2, E]``; a pair stored once keeps its score.
        edge_mask: ``[E]`` real scores.
        num_nodes: N.
    Returns:
        FloatTensor ``[E]``.
    Raises:
        ValueError: if ``edge_mask`` does not have E entries.
    """
    if edge_mask.numel() != edge_index.size(1):
        raise ValueError(f"edge_mask has {edge_mask.numel()} entries, edge_index has {edge_index.size(1)} edges")
    inverse = undirected_pair_index(edge_index, num_nodes)
    return per_pair(edge_mask.detach().float(), inverse, "mean")[inverse]



def subgraph_pairs(edge_index: Tensor, index: int, num_hops: int, num_nodes: int) -> Tensor:
    """The undirected pairs of node ``index``'s ``num_hops``-hop computation subgraph, one stored direction each.

    Args:
        edge_index: ``[2, E]`` undirected (both directions stored). index: a node. num_hops: L >= 1.
        num_nodes: N.
    Returns:
        Bool ``[E]``, True on the direction u < v of every pair with both ends in the subgraph (self-loops dropped).
    """
    _, _, _, kept = k_hop_subgraph(int(index), num_hops, edge_index, num_nodes=num_nodes)
    return kept & (edge_index[0] < edge_index[1])


def check_ratio(ratio: float, name: str = "ratio") -> float:
    """Return ``ratio`` as a float; raise ``ValueError`` naming ``name`` unless it lies in (0, 1]."""
    if not 0 < float(ratio) <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {ratio}")
    return float(ratio)



def num_kept(num_edges: Tensor | int, ratio: float) -> Tensor:
    """⌈ρ·E⌉ clamped to [1, E] (elementwise for a tensor of edge counts).

    Raises:
        ValueError: if ``ratio`` is outside (0, 1] or a count is < 1 (a graph with no edges).
    """
    ratio = check_ratio(ratio)
    counts = torch.as_tensor(num_edges)
    if (counts < 1).any():
        raise ValueError("every graph needs at least one edge to be explained")
    # round first: 0.3 * 10 is 3.0000000000000004 in floating point, whose ceil would be 4
    kept = torch.ceil(torch.round(counts.double() * ratio, decimals=9)).long()
    return kept.clamp(1, None).minimum(counts)



def top_ratio_mask(imp: Tensor, edge_graph: Tensor, ratio: float, num_graphs: int | None = None, *,
                   pair: Tensor | None = None) -> Tensor:
    """Keep the top ⌈ρ·E_g⌉ items of every graph by importance (ties by stored order or pair id: a stable sort).

    Args:
        imp: ``[E]`` importances. edge_graph: ``[E]`` graph id per edge (0 … B-1).
        ratio: ρ in (0, 1]. num_graphs: B (default ``edge_graph.max() + 1``).
        pair: optional ``[E]`` undirected-pair id per edge (:func:`~gnnexplain.metrics.undirected_pair_index`
            of the batch): then the items are the pairs, each scored by the mean importance of its edges, and
            a kept pair keeps all its edges (the module's edge convention). ``None`` ranks stored edges.
    Returns:
        Bool ``[E]``. Differentiable selection is not needed: the mask only indexes.
    Raises:
        ValueError: for ρ outside (0, 1], mismatched shapes, or a graph with no edges.
    """
    if imp.shape != edge_graph.shape or imp.dim() != 1 or (pair is not None and pair.shape != imp.shape):
        raise ValueError(f"imp {list(imp.shape)}, edge_graph {list(edge_graph.shape)} (and pair) must all be [E]")
    num_graphs = int(edge_graph.max()) + 1 if num_graphs is None else num_graphs
    if pair is not None:
        return top_ratio_mask(per_pair(imp.detach(), pair, "mean"), per_pair(edge_graph, pair, "amax"), ratio,
                              num_graphs)[pair]
    counts = torch.bincount(edge_graph, minlength=num_graphs)
    kept = num_kept(counts, ratio)
    order = torch.sort(imp.detach(), descending=True, stable=True).indices
    order = order[torch.sort(edge_graph[order], stable=True).indices]  # by graph, then by importance
    start = torch.cumsum(counts, 0) - counts
    rank = torch.empty_like(order)
    rank[order] = torch.arange(order.numel()) - start[edge_graph[order]]
    return rank < kept[edge_graph]



def select_edges(imp: Tensor, edge_index: Tensor, ratio: float, edge_graph: Tensor | None = None,
                 num_graphs: int | None = None) -> Tensor:
    """The explanatory edges at ratio ρ under the module's convention: the top ⌈ρ·P_g⌉ undirected pairs of
    every graph by mean importance, both directions kept.

    Args:
        imp: ``[E]`` importances. edge_index: ``[2, E]`` (of a batch: node ids are global).
        ratio: ρ in (0, 1]. edge_graph: ``[E]`` graph id per edge (default: one graph).
        num_graphs: B (default ``edge_graph.max() + 1``).
    Returns:
        Bool ``[E]``.
    Raises:
        ValueError: for ρ outside (0, 1], mismatched shapes, or a graph with no edges.
    """
    if edge_index.size(1) == 0:
        raise ValueError("every graph needs at least one edge to be explained")
    edge_graph = edge_index.new_zeros(edge_index.size(1)) if edge_graph is None else edge_graph
    pair = undirected_pair_index(edge_index, int(edge_index.max()) + 1)
    return top_ratio_mask(imp, edge_graph, ratio, num_graphs, pair=pair)



def explanatory_batch(batch: Batch, keep: Tensor) -> Batch:
    """The explanatory subgraphs of a batch: the kept edges and the nodes incident to them, relabelled.

    A graph whose edges are all kept is returned whole (isolated nodes included), so ρ = 1 gives the
    original graph. Extra attributes of ``batch`` are dropped.

    Args:
        batch: a PyG ``Batch`` (or a single ``Data``) with ``x``, ``edge_index``, ``batch``.
        keep: bool ``[E]`` with at least one kept edge per graph (from :func:`select_edges`).
    Returns:
        A ``Batch`` with ``x``, ``edge_index``, ``batch``, ``edge_id`` (``[E']``, the kept edges' ids in
        ``batch``) and ``num_graphs`` equal to the input's.
    """
    graph_of = batch.batch if getattr(batch, "batch", None) is not None else batch.x.new_zeros(
        batch.num_nodes, dtype=torch.long)
    num_graphs = int(graph_of.max()) + 1
    edge_graph = graph_of[batch.edge_index[0]]
    whole = torch.bincount(edge_graph[keep], minlength=num_graphs) == torch.bincount(edge_graph, minlength=num_graphs)
    node_keep = whole[graph_of].clone()
    node_keep[batch.edge_index[:, keep].flatten()] = True
    mapping = torch.cumsum(node_keep.long(), 0) - 1  # old node id -> new id (kept nodes only)
    out = Batch(x=batch.x[node_keep], edge_index=mapping[batch.edge_index[:, keep]], batch=graph_of[node_keep],
                edge_id=keep.nonzero().flatten())
    out._num_graphs = num_graphs
    return out


def computation_subgraph(index: int, num_hops: int, edge_index: Tensor, num_nodes: int
                         ) -> tuple[Tensor, Tensor, int, Tensor]:
    """Everything a ``num_hops``-layer message-passing model needs to compute node ``index``'s output exactly.

    That is every edge *into* a node within ``num_hops`` hops of ``index`` (following edges backwards), and the
    nodes those edges touch. The edges into the outermost ring matter although their messages never reach
    ``index``: degree-normalised layers (``GCNConv``) read the in-degree of every sender whose message does, so
    the bare ``num_hops``-hop subgraph (``k_hop_subgraph``) changes the output of a 2-layer GCN at the centre.

    Args:
        index: the centre node, in ``[0, num_nodes)``. num_hops: the model's number of layers, >= 1.
        edge_index: ``[2, E]`` (source, target). num_nodes: N.
    Returns:
        ``(subset [n], sub_edge_index [2, e], center, edge_kept [E])``: the kept nodes (sorted global ids), the
        kept edges relabelled to ``0..n-1``, the centre's new id, and which of the ``E`` edges were kept.
    Raises:
        ValueError: for ``num_hops < 1`` or an ``edge_index`` that is not ``[2, E]``.
        IndexError: for ``index`` outside ``[0, num_nodes)``.
    """
    if isinstance(num_hops, bool) or not isinstance(num_hops, int) or num_hops < 1:
        raise ValueError(f"num_hops={num_hops!r} must be an integer >= 1")
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(f"edge_index must have shape [2, E], got {list(edge_index.shape)}")
    index = check_node_index(index, num_nodes)
    within, _, _, _ = k_hop_subgraph(index, num_hops, edge_index, num_nodes=num_nodes)
    edge_kept = torch.isin(edge_index[1], within)
    subset = torch.unique(torch.cat([within, edge_index[0, edge_kept]]))
    mapping = torch.full((num_nodes,), -1, dtype=torch.long)
    mapping[subset] = torch.arange(subset.numel())
    return subset, mapping[edge_index[:, edge_kept]], int(mapping[index]), edge_kept
