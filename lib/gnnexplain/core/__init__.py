"""The bottom layer: graph utilities every other layer shares (undirected pairs, computation subgraphs,
top-ρ selection, edge-mask injection and reset). It imports only torch, PyG and ``gnnexplain.validation``."""

from gnnexplain.core.graph import (
    check_ratio,
    computation_subgraph,
    explanatory_batch,
    num_kept,
    per_pair,
    select_edges,
    subgraph_pairs,
    symmetrize_edge_mask,
    top_ratio_mask,
    undirected_pair_index,
)
from gnnexplain.core.masks import SafeExplainer, edge_masked, masked_logits, reset_explain_state

__all__ = [
    "SafeExplainer",
    "check_ratio",
    "computation_subgraph",
    "edge_masked",
    "explanatory_batch",
    "masked_logits",
    "num_kept",
    "per_pair",
    "reset_explain_state",
    "select_edges",
    "subgraph_pairs",
    "symmetrize_edge_mask",
    "top_ratio_mask",
    "undirected_pair_index",
]
