"""NAM, the Node Attribution Method for graph convolutional networks (Xie & Lu, arXiv 1903.03768).

For a centre node ``a`` and class ``c``, NAM gives every node ``j`` the share of the logit ``Z[a, c]`` that
flows from ``j``'s input features along the walks ``j → k → a`` of the self-looped graph (paper eqs. 10-14;
docs/02_nam.md §2.2):

    R_{a,c}(j→k→a) = Â[a,k] · Â[k,j] · ⟨S_c[k], U[j]⟩,   U = X W1,   S_c[k, h] = 1[P1[k,h] > 0] · W2[h, c]
    NAM_{a,c}(j)   = Σ_k R_{a,c}(j→k→a)

For a ReLU GCN (dropout off) this equals gradient × input, ``Σ_f X[j,f] ∂Z[a,c]/∂X[j,f]``; it conserves the
logit, ``Σ_j NAM_{a,c}(j) + bias share = Z[a,c]``; and it is zero beyond K hops for a K-layer GCN.

For K GCN layers the walks have K steps, ``R(j→k_1→…→k_{K-1}→a) = Â[a,k_{K-1}]…Â[k_1,j] ⟨…⟩`` with the ReLU
gates of every hidden layer; the identities hold for every K.

Two ways to compute it, for a GCN of any depth K >= 1:
* the closed form (all targets at once, never a dense N × N matrix; docs/02_nam.md §2.3): the paper's sparse
  products over the self-looped edge list for K = 2, a walk back from each target through the layers otherwise;
* autograd gradient × input, one backward pass per target.

Supported models: :class:`gnnexplain.models.GCN` (``GCNConv`` layers, ReLU between them, no other layer), whose
propagation NAM needs written out; any other model is refused with the reason (:meth:`NAM.model_requirement`).
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor
from torch_geometric.explain import Explanation
from torch_geometric.explain.algorithm import ExplainerAlgorithm
from torch_geometric.explain.config import MaskType, ModelMode, ModelReturnType, ModelTaskLevel

from gnnexplain.explain.base import SupportCheck, mismatch
from gnnexplain.models.gcn import GCN, check_eval_gcn, normalized_adjacency, propagate
from gnnexplain.validation import check_graph, check_node_index, check_node_indices

NAM_METHODS = ("auto", "closed_form", "autograd")
NAM_TARGETS = ("pred", "true")


def _check_targets(model: GCN, x: Tensor, edge_index: Tensor, index, target,
                   edge_weight: Tensor | None) -> tuple[Tensor, Tensor]:
    """Validate ``index`` (None = all nodes) and ``target`` (None = predicted class) as LongTensors [T]."""
    num_nodes = x.size(0)
    index = check_node_indices(torch.arange(num_nodes) if index is None else index, num_nodes, "index")
    num_classes = model.config["num_classes"]
    if target is None:
        with torch.no_grad():
            target = model(x, edge_index, edge_weight)[index].argmax(-1)
    target = torch.as_tensor(target).view(-1)
    if target.numel() != index.numel() or target.is_floating_point():
        raise ValueError(f"target must hold one integer class per index ({index.numel()}), got {tuple(target.shape)} "
                         f"of dtype {target.dtype}")
    if ((target < 0) | (target >= num_classes)).any():
        raise ValueError(f"target classes must lie in 0..{num_classes - 1}, got {target.unique().tolist()}")
    return index, target.long()


def _two_layer_walk_terms(model: GCN, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None):
    """Â (edge list), the gates of layer 1 and U, for the closed form of a 2-layer GCN."""
    if len(model.convs) != 2:
        raise ValueError(f"the bias share and the self walk are the paper's 2-layer quantities; got a GCN with "
                         f"num_layers={len(model.convs)}")
    (w1, b1), _ = model.linear_parameters()
    adj_index, adj_weight = normalized_adjacency(edge_index, x.size(0), edge_weight, x.dtype)
    u = x @ w1
    gate = (propagate(adj_index, adj_weight, u) + b1 > 0).to(u.dtype)
    return adj_index, adj_weight, u, gate


@torch.no_grad()
def _closed_form_two_layers(model: GCN, x: Tensor, edge_index: Tensor, index: Tensor, target: Tensor,
                 edge_weight: Tensor | None) -> Tensor:
    adj_index, adj_weight, u, gate = _two_layer_walk_terms(model, x, edge_index, edge_weight)
    w2 = model.linear_parameters()[1][0]
    n, src, dst = x.size(0), adj_index[0], adj_index[1]
    # Last two steps of every walk j -> k -> a, all classes at once: B_c[k, j] = Â[k,j] <S_c[k], U[j]>, [E', C].
    last_steps = adj_weight.unsqueeze(-1) * ((gate[dst] * u[src]) @ w2)
    adj = torch.sparse_coo_tensor(torch.stack([dst, src]), adj_weight, (n, n), check_invariants=False).coalesce()
    rows, cols, values = [], [], []
    for c in target.unique().tolist():  # at most C sparse products; each target row uses its own class
        pos = (target == c).nonzero().view(-1)
        b_c = torch.sparse_coo_tensor(torch.stack([dst, src]), last_steps[:, c], (n, n),
                                      check_invariants=False).coalesce()
        with warnings.catch_warnings():  # torch routes COO @ COO through CSR and warns that CSR is "beta"
            warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
            product = torch.sparse.mm(adj.index_select(0, index[pos]), b_c).coalesce()
        rows.append(pos[product.indices()[0]])
        cols.append(product.indices()[1])
        values.append(product.values())
    return torch.sparse_coo_tensor(torch.stack([torch.cat(rows), torch.cat(cols)]), torch.cat(values),
                                   (index.numel(), n), check_invariants=False).coalesce()


def _propagate_pairs(adj_by_dst: tuple[Tensor, Tensor, Tensor], num_nodes: int, target_id: Tensor,
                     node: Tensor, vec: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """One step back through Â: the pairs (target t, node k) with vectors ``vec [P, D]`` become (t, j) with
    ``Σ_k Â[k, j] vec[(t, k)]`` over the edges j → k, summed per (t, j)."""
    ptr, src, weight = adj_by_dst
    count = ptr[node + 1] - ptr[node]
    pair = torch.repeat_interleave(torch.arange(node.numel()), count)
    edge = ptr[node][pair] + torch.arange(pair.numel()) - torch.repeat_interleave(count.cumsum(0) - count, count)
    key = target_id[pair] * num_nodes + src[edge]
    keys, inverse = torch.unique(key, return_inverse=True)
    out = vec.new_zeros(keys.numel(), vec.size(1)).index_add_(0, inverse, weight[edge].unsqueeze(-1) * vec[pair])
    return keys // num_nodes, keys % num_nodes, out


@torch.no_grad()
def _closed_form_any_depth(model: GCN, x: Tensor, edge_index: Tensor, index: Tensor, target: Tensor,
                           edge_weight: Tensor | None) -> Tensor:
    """NAM of a K-layer GCN by walking back from each target through the layers (docs/02_nam.md §2.3):
    ``δ_K = e_c`` at node a; ``δ_{l-1}[j] = G_{l-1}[j] ⊙ Σ_k Â[k,j] W_l δ_l[k]``; ``NAM(j) = ⟨U[j], Σ_k Â[k,j] δ_1[k]⟩``
    with ``U = X W_1`` and the ReLU gates ``G_l`` of the forward pass; every vector is kept only on the (target,
    node) pairs a walk reaches, never as a dense ``T × N`` matrix per channel."""
    layers = model.linear_parameters()
    n = x.size(0)
    adj_index, adj_weight = normalized_adjacency(edge_index, n, edge_weight, x.dtype)
    order = torch.argsort(adj_index[1], stable=True)
    ptr = torch.zeros(n + 1, dtype=torch.long)
    ptr[1:] = torch.bincount(adj_index[1], minlength=n).cumsum(0)
    adj_by_dst = (ptr, adj_index[0][order], adj_weight[order])
    u, gates, h = x @ layers[0][0], [], None
    for i, (weight, bias) in enumerate(layers[:-1]):
        h = propagate(adj_index, adj_weight, u if i == 0 else h @ weight) + bias
        gates.append((h > 0).to(u.dtype))
        h = h.relu()
    target_id, node = torch.arange(index.numel()), index
    vec = torch.nn.functional.one_hot(target, layers[-1][0].size(1)).to(u.dtype)  # δ_K, [T, C]
    for l in range(len(layers) - 1, 0, -1):  # layer l+1 (0-based l) back to the gates of layer l
        target_id, node, vec = _propagate_pairs(adj_by_dst, n, target_id, node, vec @ layers[l][0].t())
        vec = vec * gates[l - 1][node]
    target_id, node, vec = _propagate_pairs(adj_by_dst, n, target_id, node, vec)
    values = (vec * u[node]).sum(-1)
    return torch.sparse_coo_tensor(torch.stack([target_id, node]), values, (index.numel(), n),
                                   check_invariants=False).coalesce()


def nam_autograd(model: GCN, x: Tensor, edge_index: Tensor, index: int, target: int, *,
                 edge_weight: Tensor | None = None) -> Tensor:
    """NAM of one target by autograd gradient × input (docs/02_nam.md §2.3), for a GCN of any depth.

    Args:
        model: a :class:`GCN` in eval mode; x: ``[N, F]``; edge_index: ``[2, E]``; edge_weight: optional ``[E]``.
        index: the centre node a in ``[0, N)``; target: the class c in ``[0, C)``.
    Returns:
        ``[N]``: ``Σ_f X[j,f] ∂Z[a,c]/∂X[j,f]`` per node j.
    Raises:
        TypeError / ValueError: see :func:`check_eval_gcn`; IndexError for ``index`` outside the graph;
        ValueError for ``target`` outside ``[0, C)``.
    """
    check_eval_gcn(model)
    index = check_node_index(index, x.size(0))
    (index_t,), (target_t,) = _check_targets(model, x, edge_index, [index], [target], edge_weight)
    x = x.detach().requires_grad_(True)
    logit = model(x, edge_index, edge_weight)[index_t, target_t]
    (grad,) = torch.autograd.grad(logit, x)
    return (grad * x).sum(-1).detach()


def nam_contributions(model: GCN, x: Tensor, edge_index: Tensor, index=None, target=None, *,
                      edge_weight: Tensor | None = None, method: str = "auto") -> Tensor:
    """NAM contributions of every node to many targets at once, as a sparse matrix (docs/02_nam.md §2.2-2.3).

    Args:
        model: a :class:`GCN` in eval mode.
        x: ``[N, F]`` node features; edge_index: ``[2, E]``; edge_weight: optional ``[E]``.
        index: centre nodes ``[T]`` (ints in ``[0, N)``); ``None`` means every node.
        target: class per centre node ``[T]`` (ints in ``[0, C)``); ``None`` means the model's prediction.
        method: ``"closed_form"`` (sparse, all targets at once: the paper's walk products for 2 layers, a walk
            back through the layers for any other depth), ``"autograd"`` (one backward pass per target), or
            ``"auto"`` (the closed form).
    Returns:
        Sparse COO ``[T, N]`` (coalesced): entry ``(t, j)`` is ``NAM_{index[t], target[t]}(j)``; entries
        beyond K hops of ``index[t]`` are not stored (they are exactly zero).
    Raises:
        TypeError: for a model other than :class:`GCN`. ValueError: for an unknown ``method``, a model in
        training mode, or a bad ``target``.
        IndexError: for an ``index`` outside the graph.
    """
    if method not in NAM_METHODS:
        raise ValueError(f"unknown method={method!r}; allowed: {', '.join(NAM_METHODS)}")
    check_eval_gcn(model)
    index, target = _check_targets(model, x, edge_index, index, target, edge_weight)
    if method in ("closed_form", "auto"):
        closed_form = _closed_form_two_layers if len(model.convs) == 2 else _closed_form_any_depth
        return closed_form(model, x, edge_index, index, target, edge_weight)
    rows = torch.stack([nam_autograd(model, x, edge_index, int(a), int(c), edge_weight=edge_weight)
                        for a, c in zip(index, target)])
    return rows.to_sparse_coo().coalesce()


@torch.no_grad()
def nam_bias_share(model: GCN, x: Tensor, edge_index: Tensor, index=None, target=None, *,
                   edge_weight: Tensor | None = None) -> Tensor:
    """The part of ``Z[a, c]`` carried by the biases of a 2-layer GCN (conservation, docs/02_nam.md §2.2 item 2).

    ``Σ_k Â[a,k] ⟨S_c[k], b1⟩ + b2[c]``, so that ``Σ_j NAM_{a,c}(j) + nam_bias_share = Z[a, c]``.

    Args and errors as for :func:`nam_contributions` (closed form only: a 2-layer GCN).
    Returns:
        ``[T]`` bias share per centre node.
    """
    check_eval_gcn(model)
    index, target = _check_targets(model, x, edge_index, index, target, edge_weight)
    adj_index, adj_weight, _, gate = _two_layer_walk_terms(model, x, edge_index, edge_weight)
    (_, b1), (w2, b2) = model.linear_parameters()
    through_layer1 = propagate(adj_index, adj_weight, (gate * b1) @ w2)  # [N, C]
    return through_layer1[index, target] + b2[target]


@torch.no_grad()
def nam_self_walk(model: GCN, x: Tensor, edge_index: Tensor, index=None, target=None, *,
                  edge_weight: Tensor | None = None) -> Tensor:
    """The single walk a → a → a, ``Â[a,a]² ⟨S_c[a], U[a]⟩``: what the paper says existing attribution methods
    recover ("only C(a0, a2)", Xie & Lu §3; docs/02_nam.md §2.2 item 4), kept for the ablation.

    Args and errors as for :func:`nam_bias_share` (a 2-layer GCN).
    Returns:
        ``[T]`` the self-walk term per centre node (one of the terms summed in ``NAM_{a,c}(a)``).
    """
    check_eval_gcn(model)
    index, target = _check_targets(model, x, edge_index, index, target, edge_weight)
    adj_index, adj_weight, u, gate = _two_layer_walk_terms(model, x, edge_index, edge_weight)
    loops = adj_index[0] == adj_index[1]
    self_weight = torch.zeros(x.size(0), dtype=u.dtype).index_add_(0, adj_index[0][loops], adj_weight[loops])
    per_class = (gate[index] * u[index]) @ model.linear_parameters()[1][0]  # [T, C]
    return self_weight[index] ** 2 * per_class[torch.arange(index.numel()), target]


class NAM(SupportCheck, ExplainerAlgorithm):
    """The Node Attribution Method (Xie & Lu, arXiv 1903.03768, eqs. 10-14) as a PyG explainer.

    Explains one node of a :class:`gnnexplain.models.GCN` node classifier of any depth K (the only model it
    supports, :meth:`model_requirement`): ``node_mask [N, 1]`` holds
    ``NAM_{a,c}(j)`` for every node j (signed; zero beyond K hops), with ``a = index`` and ``c = target[a]``
    (the prediction for ``explanation_type="model"``, the given label for ``"phenomenon"``).

    Extra attributes of the returned ``Explanation``: ``logit`` (0-dim, ``Z[a, c]``), ``bias_share`` (0-dim,
    ``Z[a, c] - Σ_j node_mask[j]``, the biases' part of the logit) and ``target_class`` (0-dim long).

    Args:
        method: ``"auto"``, ``"closed_form"`` or ``"autograd"`` (see :func:`nam_contributions`).
    Raises:
        ValueError: for an unknown ``method``; at connection (model bound by ``SafeExplainer``), for a model
        other than GCN; at connection, for settings other than
        ``node_mask_type="object"``, no edge mask, node-level multiclass classification on raw logits.
    """

    def __init__(self, method: str = "auto"):
        super().__init__()
        if method not in NAM_METHODS:
            raise ValueError(f"unknown method={method!r}; allowed: {', '.join(NAM_METHODS)}")
        self.method = method

    def forward(self, model: torch.nn.Module, x: Tensor, edge_index: Tensor, *, target: Tensor,
                index=None, edge_weight: Tensor | None = None, **kwargs) -> Explanation:
        check_graph(x, edge_index, name=type(self).__name__)
        if kwargs:
            raise ValueError(f"NAM takes no model arguments besides edge_weight, got {sorted(kwargs)}")
        check_eval_gcn(model)
        flat = torch.as_tensor(index).view(-1) if index is not None else torch.empty(0)
        if flat.numel() != 1:
            raise ValueError(f"NAM explains one node at a time: index must name a single node, got {index!r}")
        node = check_node_index(flat.item(), x.size(0))
        target = torch.as_tensor(target).view(-1)
        if target.numel() not in (1, x.size(0)):
            raise ValueError(f"target must hold one class per node ({x.size(0)}) or one class, got {target.numel()}")
        cls = target[node] if target.numel() == x.size(0) else target[0]
        row = nam_contributions(model, x, edge_index, [node], [int(cls)], edge_weight=edge_weight,
                                method=self.method)
        node_mask = row.to_dense().view(-1, 1)
        with torch.no_grad():
            logit = model(x, edge_index, edge_weight)[node, int(cls)]
        return Explanation(node_mask=node_mask, logit=logit, bias_share=logit - node_mask.sum(),
                           target_class=torch.tensor(int(cls)))

    def model_requirement(self, model: torch.nn.Module) -> str | None:
        if not isinstance(model, GCN):
            return ("NAM's walks need the GCN propagation written out, i.e. a gnnexplain.models.GCN (GCNConv layers "
                    "with ReLU between them, any depth); other layers (GIN's MLPs, attention, L2-normalised or "
                    "dense propagation, pooling heads) have no walk decomposition here")
        return None

    def settings_reason(self) -> str | None:
        config, model_config = self.explainer_config, self.model_config
        return mismatch({"node_mask_type": (config.node_mask_type, MaskType.object),
                         "edge_mask_type": (config.edge_mask_type, None),
                         "task_level": (model_config.task_level, ModelTaskLevel.node),
                         "mode": (model_config.mode, ModelMode.multiclass_classification),
                         "return_type": (model_config.return_type, ModelReturnType.raw)})


