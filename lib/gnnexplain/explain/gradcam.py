"""Grad-CAM for graph networks: on the node embeddings of the last message-passing layer of any model (Pope et al.,
CVPR 2019: :class:`NodeGradCAM`), and the "importance frequency" explanations for DGCNN (Palcu et al. 2019, §3.3
and Algorithm 1: :class:`GradCAM`).

Pope, Kolouri, Rostami, Martin, Hoffmann, *Explainability Methods for Graph Convolutional Neural Networks*,
CVPR 2019, §3: for the node embeddings ``F [N, K]`` of the last graph-convolution layer and a class score ``y_c``,
``α_k = (1/N) Σ_n ∂y_c/∂F_k(n)`` and ``L(n) = ReLU(Σ_k α_k F_k(n))``.

Palcu, Supuran, Lemnaru, Dinsoreanu, Potolea, Muresan, *Discovering Discriminative Nodes for Classification
with Deep Graph Convolutional Methods*, NFMCP @ ECML-PKDD 2019, https://doi.org/10.1007/978-3-030-48861-1_5.

Grad-CAM is computed on the last 1-D convolution of DGCNN (eqs. 2-4), giving ``H`` with one value per conv2
position. Instead of upsampling, each position is mapped back through conv2 -> max-pool -> conv1 and the
SortPooling permutation to the group of nodes it sees (``FG``), and Algorithm 1 counts, per node, how often
it falls in each of 11 importance bins. Summed over the graphs of a class this is the matrix ``C_s`` behind the
paper's class-difference heatmaps.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.explain import Explanation
from torch_geometric.explain.algorithm import ExplainerAlgorithm
from torch_geometric.explain.config import ExplanationType, MaskType, ModelMode, ModelReturnType, ModelTaskLevel
from torch_geometric.utils import scatter

from gnnexplain.explain.base import SupportCheck, message_passing_layers, mismatch
from gnnexplain.validation import check_graph, check_number


CAM_NORMALIZATIONS = ("max", "minmax")
FREQUENCY_GRAPH_SETS = ("true_class_correct", "true_class", "all")
_EPS = 1e-9  # so that e.g. 0.7 lands in bin 7, not 6, despite floating point


def gradcam_map(maps: Tensor, grads: Tensor, normalize: str = "max") -> Tensor:
    """Grad-CAM importance ``H`` per conv position (Palcu et al. 2019, eqs. 2-4).

    ``alpha_ch = mean_t dS_c/dF[ch, t]`` (eq. 2, global-average-pooled gradient), ``A = alpha * F`` (eq. 3),
    ``H = ReLU(sum_ch A)`` (eq. 4), then scaled to [0, 1] (the paper only says H lies in [0, 1]):
    ``"max"`` divides by ``max(H)``, ``"minmax"`` maps ``[min, max]`` to [0, 1]; an all-zero H stays zero.

    Args:
        maps: FloatTensor ``[B, channels, L]``, the post-ReLU feature maps F of the last conv layer.
        grads: FloatTensor ``[B, channels, L]``, ``dS_c/dF`` for each graph's target class.
        normalize: one of :data:`CAM_NORMALIZATIONS`.
    Returns:
        FloatTensor ``[B, L]`` in [0, 1].
    Raises:
        ValueError: for an unknown ``normalize`` or mismatched shapes.
    """
    if normalize not in CAM_NORMALIZATIONS:
        raise ValueError(f"normalize={normalize!r}; allowed: {', '.join(CAM_NORMALIZATIONS)}")
    if maps.shape != grads.shape or maps.dim() != 3:
        raise ValueError(f"maps {tuple(maps.shape)} and grads {tuple(grads.shape)} must both be [B, channels, L]")
    alpha = grads.mean(dim=2, keepdim=True)
    h = torch.relu((alpha * maps).sum(dim=1))
    low = h.amin(dim=1, keepdim=True) if normalize == "minmax" else torch.zeros_like(h[:, :1])
    span = h.amax(dim=1, keepdim=True) - low
    return torch.where(span > 0, (h - low) / span.clamp_min(torch.finfo(h.dtype).tiny), torch.zeros_like(h))


def node_groups(perm: Tensor, receptive_fields: Tensor) -> Tensor:
    """The node group ``FG(t)`` behind each conv position t (Palcu et al. 2019, §3.3).

    Args:
        perm: LongTensor ``[B, k]``, node index within its graph per sorted slot, -1 for padding
            (:class:`gnnexplain.models.dgcnn.SortPooling`).
        receptive_fields: LongTensor ``[L, G]`` of sorted positions in ``[0, k)`` per conv position
            (:meth:`gnnexplain.models.dgcnn.DGCNN.receptive_fields`).
    Returns:
        LongTensor ``[B, L, G]`` of node ids, -1 where the slot is padding.
    Raises:
        ValueError: if a receptive-field position is outside ``[0, k)``.
    """
    k = perm.size(1)
    if receptive_fields.numel() and (receptive_fields.min() < 0 or receptive_fields.max() >= k):
        raise ValueError(f"receptive_fields hold positions outside [0, k={k})")
    flat = receptive_fields.reshape(1, -1).expand(perm.size(0), -1)
    return perm.gather(1, flat).view(perm.size(0), *receptive_fields.shape)


def importance_frequency(h: Tensor, groups: Tensor, num_nodes: int, num_bins: int = 11) -> Tensor:
    """Count, per node, how often it falls in each Grad-CAM importance bin (Algorithm 1, Palcu et al. 2019).

    For every element t of h and every node v of ``groups[t]``: ``C[v, b] += 1`` with
    ``b = min(floor((num_bins - 1) * h[t] + 1e-9), num_bins - 1)``; with 11 bins, ``b = floor(10 h)`` and
    h = 1.0 lands in bin 10.

    Args:
        h: Grad-CAM importances in [0, 1], shape ``[L]`` (one graph) or ``[B, L]`` (a batch).
        groups: node ids covered by each element of h, a LongTensor ``[L, G]`` (or ``[B, L, G]``) padded
            with -1.
        num_nodes: number of nodes n of the graph (the largest graph of a batch).
        num_bins: number of bins, >= 2.
    Returns:
        LongTensor ``[n, num_bins]`` (or ``[B, n, num_bins]``, one matrix per graph); row v counts the
        elements of h that cover node v, by bin.
    Raises:
        ValueError: if h has values outside [0, 1], groups has ids >= num_nodes, the shapes do not match,
            or ``num_bins < 2``.
    """
    if num_bins < 2:
        raise ValueError(f"num_bins={num_bins} must be >= 2")
    if groups.shape[:-1] != h.shape or h.dim() not in (1, 2):
        raise ValueError(f"h {tuple(h.shape)} must be [L] or [B, L] and groups {tuple(groups.shape)} [..., L, G]")
    if h.numel() and (torch.isnan(h).any() or h.min() < 0 or h.max() > 1):
        raise ValueError("h must hold values in [0, 1]")
    if groups.numel() and groups.max() >= num_nodes:
        raise ValueError(f"groups hold node ids >= num_nodes={num_nodes}")
    single = h.dim() == 1
    h, groups = (h.unsqueeze(0), groups.unsqueeze(0)) if single else (h, groups)
    num_graphs = h.size(0)
    bins = ((num_bins - 1) * h + _EPS).floor().long().clamp(0, num_bins - 1)  # [B, L]
    graph = torch.arange(num_graphs, device=h.device).view(-1, 1, 1)
    valid = groups >= 0
    flat = ((graph * num_nodes + groups) * num_bins + bins.unsqueeze(-1))[valid]
    counts = torch.bincount(flat, minlength=num_graphs * num_nodes * num_bins)
    counts = counts.view(num_graphs, num_nodes, num_bins)
    return counts[0] if single else counts


def class_frequency(frequency: Tensor, y: Tensor, pred: Tensor, cls: int,
                    graph_set: str = "true_class_correct") -> Tensor:
    """``C_s``: the importance-frequency matrices of the graphs of class ``cls``, per graph
    (docs/01_dgcnn_gradcam.md §1.4).

    Args:
        frequency: ``[B, n, bins]`` per-graph matrices, each computed with target class = its true class.
        y, pred: LongTensor ``[B]``, true and predicted classes. cls: the class s.
        graph_set: ``"true_class_correct"`` (graphs of class s predicted correctly), ``"true_class"``, or
            ``"all"`` (every graph).
    Returns:
        FloatTensor ``[n, bins]``: the sum over the selected graphs divided by their number (zeros if none).
    Raises:
        ValueError: for an unknown ``graph_set``.
    """
    if graph_set not in FREQUENCY_GRAPH_SETS:
        raise ValueError(f"graph_set={graph_set!r}; allowed: {', '.join(FREQUENCY_GRAPH_SETS)}")
    if graph_set == "all":
        keep = torch.ones_like(y, dtype=torch.bool)
    else:
        keep = (y == cls) & ((pred == y) if graph_set == "true_class_correct" else True)
    if not bool(keep.any()):
        return torch.zeros(frequency.shape[1:])
    return frequency[keep].float().sum(0) / int(keep.sum())


class GradCAM(SupportCheck, ExplainerAlgorithm):
    """Grad-CAM with importance frequency for DGCNN graph classification (Palcu et al. 2019).

    The model must expose ``trace(x, edge_index, batch, edge_weight) -> (logits, maps, perm)`` and
    ``receptive_fields()`` (see :class:`gnnexplain.models.dgcnn.DGCNN`). One call explains every graph of a
    batch in one forward/backward pass: the gradient of the summed target logits w.r.t. the conv maps is
    each graph's own gradient, since graphs do not interact.

    The returned ``Explanation`` holds ``node_mask [N, 1]``: the mean H over the conv positions that cover
    the node (0 for a node no position covers, e.g. the lowest-ranked of 85), and the extra attributes

    * ``cam``: FloatTensor ``[B, L]``, H in [0, 1] (eqs. 2-4);
    * ``groups``: LongTensor ``[B, L, G]``, the node ids (within each graph) behind each element of H, -1 for
      padding (G = 10 for DGCNN's head);
    * ``perm``: LongTensor ``[B, k]``, the SortPooling permutation;
    * ``frequency``: LongTensor ``[B, n_max, 11]``, Algorithm 1's matrix per graph;
    * ``logits``: FloatTensor ``[B, C]``, the model's output.

    Args:
        normalize: how H is scaled to [0, 1], one of :data:`CAM_NORMALIZATIONS` (default ``"max"``).
        num_bins: Algorithm 1's bins (11).
    Raises:
        ValueError: for an unknown ``normalize``.
    """

    def __init__(self, normalize: str = "max", num_bins: int = 11):
        super().__init__()
        if normalize not in CAM_NORMALIZATIONS:
            raise ValueError(f"normalize={normalize!r}; allowed: {', '.join(CAM_NORMALIZATIONS)}")
        self.normalize, self.num_bins = normalize, check_number(num_bins, "num_bins", low=2, integer=True)

    def forward(self, model: torch.nn.Module, x: Tensor, edge_index: Tensor, *, target: Tensor,
                index=None, batch: Tensor | None = None, edge_weight: Tensor | None = None,
                **kwargs) -> Explanation:
        check_graph(x, edge_index, name=type(self).__name__)
        if index is not None:
            raise ValueError("GradCAM explains every graph of the batch; pass index=None and batch the graphs "
                             "you want explained")
        self.check_model(model)
        if batch is None:
            batch = torch.zeros(x.size(0), dtype=torch.long, device=x.device)
        with torch.enable_grad():
            trace = model.trace(x, edge_index, batch, edge_weight)
            score = trace.logits.gather(1, target.view(-1, 1)).sum()  # pre-softmax S_c of each graph
            (grads,) = torch.autograd.grad(score, trace.maps)
        cam = gradcam_map(trace.maps.detach(), grads, self.normalize)
        groups = node_groups(trace.perm, model.receptive_fields().to(x.device))
        sizes = torch.bincount(batch, minlength=cam.size(0))
        frequency = importance_frequency(cam, groups, int(sizes.max()), self.num_bins)

        # node_mask: mean H over the positions covering each node, in the batch's global node numbering
        offset = (sizes.cumsum(0) - sizes).view(-1, 1, 1)
        valid = groups >= 0
        node = (groups + offset)[valid]
        value = cam.unsqueeze(-1).expand_as(groups)[valid]
        total = scatter(value, node, 0, dim_size=x.size(0), reduce="sum")
        covered = scatter(torch.ones_like(value), node, 0, dim_size=x.size(0), reduce="sum")
        node_mask = (total / covered.clamp_min(1)).unsqueeze(-1)
        return Explanation(node_mask=node_mask, cam=cam, groups=groups, perm=trace.perm, frequency=frequency,
                           logits=trace.logits.detach())

    def model_requirement(self, model: torch.nn.Module) -> str | None:
        if not all(callable(getattr(model, name, None)) for name in ("trace", "receptive_fields")):
            return ("GradCAM (importance frequency) needs trace() and receptive_fields(), the conv maps and the "
                    "SortPooling permutation of a DGCNN; for other models use NodeGradCAM")
        return None

    def settings_reason(self) -> str | None:
        # graph-level logits (one per class), one importance per node, no edge mask
        config, model_config = self.explainer_config, self.model_config
        return mismatch({"task_level": (model_config.task_level, ModelTaskLevel.graph),
                         "mode": (model_config.mode, ModelMode.multiclass_classification),
                         "return_type": (model_config.return_type, ModelReturnType.raw),
                         "node_mask_type": (config.node_mask_type, (None, MaskType.object)),
                         "edge_mask_type": (config.edge_mask_type, None),
                         "explanation_type": (config.explanation_type,
                                              (ExplanationType.model, ExplanationType.phenomenon))})




class NodeGradCAM(SupportCheck, ExplainerAlgorithm):
    """Grad-CAM on node embeddings (Pope et al., CVPR 2019, §3) for any model with a PyG message-passing layer.

    ``F [N, K]`` is the output of the last ``MessagePassing`` module that runs in the forward pass (caught by
    forward hooks; or of the submodule named ``layer``): the node embeddings as they leave that layer, before any
    activation the model applies outside it (GCN's ``relu``), where Pope et al. take the layer's activated output
    ([ours]: a hook cannot see a functional activation). For the target class's raw score ``y`` (a graph's logit,
    or node ``index``'s logit),

        α_k = mean over the nodes n of the graph of ∂y/∂F_k(n),      node_mask[n] = ReLU(Σ_k α_k F_k(n)).

    One call explains every graph of a ``batch`` (graph level: α per graph, from the sum of the graphs' target
    logits, since graphs do not interact), or one node (node level: α over all N nodes).

    Returns:
        ``Explanation`` with ``node_mask [N, 1]`` >= 0 (in the units of ``F`` times logit per unit; not
        normalised) and the extra attribute ``alpha [B, K]`` (one row at node level).
    Args:
        layer: name of the submodule whose output is ``F`` (``dict(model.named_modules())``); ``None`` = the last
            message-passing layer to run.
    Raises:
        ValueError: at connection or call, for a model without a ``MessagePassing`` module (DGCNN, GGNN, NFP: use
            :class:`GradCAM` for DGCNN) or without the named ``layer``, a layer that does not return one node
            embedding tensor ``[N, K]``, a node-level ``index`` that is not one node or a graph-level one that is
            not None; settings other than multiclass classification on raw logits with ``node_mask_type="object"``
            and no edge mask.
    """

    def __init__(self, layer: str | None = None):
        super().__init__()
        if layer is not None and (not isinstance(layer, str) or not layer):
            raise ValueError(f"layer must be None or the name of a submodule, got {layer!r}")
        self.layer = layer

    def model_requirement(self, model: torch.nn.Module) -> str | None:
        if self.layer is not None and self.layer not in dict(model.named_modules()):
            return f"has no submodule {self.layer!r} (layer=)"
        if not message_passing_layers(model):
            return ("has no torch_geometric MessagePassing layer whose node embeddings Grad-CAM could read "
                    "(for DGCNN use GradCAM, the importance-frequency variant)")
        return self.batch_requirement(model.forward)

    def settings_reason(self) -> str | None:
        config, model_config = self.explainer_config, self.model_config
        return mismatch({"task_level": (model_config.task_level, (ModelTaskLevel.graph, ModelTaskLevel.node)),
                         "mode": (model_config.mode, ModelMode.multiclass_classification),
                         "return_type": (model_config.return_type, ModelReturnType.raw),
                         "node_mask_type": (config.node_mask_type, MaskType.object),
                         "edge_mask_type": (config.edge_mask_type, None)})

    def forward(self, model: torch.nn.Module, x: Tensor, edge_index: Tensor, *, target: Tensor,
                index=None, batch: Tensor | None = None, **kwargs) -> Explanation:
        index, target = self.explained_instance(model, x, edge_index, index, target)
        node_level = index is not None
        modules = ([dict(model.named_modules())[self.layer]] if self.layer is not None
                   else message_passing_layers(model))
        outputs = []
        handles = [m.register_forward_hook(lambda mod, inp, out: outputs.append(out)) for m in modules]
        try:
            with torch.enable_grad():
                logits = model(x, edge_index, **({} if node_level else {"batch": batch}), **kwargs)
                embedding = outputs[-1] if outputs else None
                if not torch.is_tensor(embedding) or embedding.dim() != 2 or embedding.size(0) != x.size(0):
                    shape = tuple(embedding.shape) if torch.is_tensor(embedding) else type(embedding).__name__
                    raise ValueError(f"the Grad-CAM layer must return node embeddings [N={x.size(0)}, K], got {shape}")
                rows = logits[index].view(1, -1) if node_level else logits
                score = rows.gather(1, target.view(-1, 1)).sum()
                (grad,) = torch.autograd.grad(score, embedding)
        finally:
            for handle in handles:
                handle.remove()
        group = (torch.zeros(x.size(0), dtype=torch.long, device=x.device) if node_level or batch is None
                 else batch)
        alpha = scatter(grad, group, dim=0, reduce="mean")  # [B, K]
        node_mask = torch.relu((alpha[group] * embedding.detach()).sum(-1, keepdim=True))
        return Explanation(node_mask=node_mask, alpha=alpha)
