"""Figures of ReFine's evaluation (Wang et al., NeurIPS 2021): ACC@ρ curves, pre-training curves,
explanatory subgraphs of small graphs, and Mutagenicity molecules with the selected bonds highlighted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from torch import Tensor

from gnnexplain.core.graph import select_edges
from gnnexplain.metrics.subgraph_acc import RATIOS
from gnnexplain.viz.graph import edge_lines

# Mutagenicity's TU node labels (atom types) and edge labels (bond orders), as in the dataset's README
MUTAG_ATOMS = ("C", "O", "Cl", "H", "N", "F", "Br", "S", "P", "I", "Na", "K", "Li", "Ca")


def acc_curves_figure(curves: Mapping[str, Sequence[float]], *, title: str | None = None):
    """ACC@ρ against ρ ∈ {0.1, …, 1.0}, one line per method (``curves``: method -> 10 accuracies)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for name, curve in curves.items():
        fig.add_scatter(x=list(RATIOS), y=list(curve), mode="lines+markers", name=name)
    fig.update_layout(title=title, xaxis_title="ratio ρ of kept edges", yaxis_title="ACC@ρ",
                      template="plotly_white", height=380, yaxis_range=[0, 1.02])
    return fig


def pretraining_figure(histories: Mapping[str, Mapping], *, title: str | None = None):
    """Training and validation loss per epoch of ReFine's pre-training (``histories``: name -> the
    dict returned by ``ReFine.fit``)."""
    import plotly.graph_objects as go
    from plotly.colors import qualitative

    fig = go.Figure()
    for i, (name, hist) in enumerate(histories.items()):
        color = qualitative.Plotly[i % len(qualitative.Plotly)]
        epochs = list(range(1, len(hist["train_loss"]) + 1))
        fig.add_scatter(x=epochs, y=hist["train_loss"], name=f"{name} train", line=dict(color=color, dash="dot"))
        fig.add_scatter(x=epochs, y=hist["val_loss"], name=f"{name} val", line=dict(color=color))
    fig.update_layout(title=title, xaxis_title="epoch", yaxis_title="loss", template="plotly_white", height=380)
    return fig


def subgraph_figure(graph, imp: Tensor, ratio: float, *, title: str | None = None, seed: int = 0):
    """A graph with its explanatory subgraph (top ⌈ρ·P⌉ undirected edges, :func:`select_edges`) in thick red.

    Args:
        graph: ``Data`` with ``edge_index`` (and ``role`` to outline motif nodes, if present).
        imp: ``[E]`` importances. ratio: ρ in (0, 1]. seed: the spring layout's seed.
    Raises:
        ValueError: for ρ outside (0, 1] or a mask of the wrong size.
    """
    import networkx as nx
    import plotly.graph_objects as go

    if imp.numel() != graph.edge_index.size(1):
        raise ValueError(f"imp must have {graph.edge_index.size(1)} values, got {imp.numel()}")
    kept = select_edges(imp, graph.edge_index, ratio)
    g = nx.Graph()
    g.add_nodes_from(range(graph.num_nodes))
    g.add_edges_from(graph.edge_index.t().tolist())
    pos = nx.spring_layout(g, seed=seed)
    fig = go.Figure()
    for selected, style in ((False, dict(color="#bbb", width=1)), (True, dict(color="crimson", width=4))):
        xs, ys = edge_lines(pos, [uv for uv, k in zip(graph.edge_index.t().tolist(), kept.tolist()) if k == selected])
        fig.add_scatter(x=xs, y=ys, mode="lines", line=style, hoverinfo="skip",
                        name="explanatory subgraph" if selected else "other edges")
    role = getattr(graph, "role", None)
    motif = [bool(r > 0) for r in role.tolist()] if role is not None else [False] * graph.num_nodes
    fig.add_scatter(x=[pos[v][0] for v in g.nodes], y=[pos[v][1] for v in g.nodes], mode="markers",
                    marker=dict(size=9, color=["orange" if m else "steelblue" for m in motif]),
                    text=[f"node {v}" + (" (motif)" if motif[v] else "") for v in g.nodes], hoverinfo="text",
                    name="nodes (orange: motif)")
    fig.update_layout(title=title, template="plotly_white", height=320, width=380, showlegend=False,
                      xaxis=dict(visible=False), yaxis=dict(visible=False), margin=dict(l=5, r=5, t=40, b=5))
    return fig


def mutag_molecule_svg(graph, imp: Tensor, ratio: float, *, legend: str = "", size: tuple[int, int] = (320, 260)):
    """An RDKit drawing of a Mutagenicity graph with the bonds of its explanatory subgraph highlighted.

    Atoms come from the one-hot TU node labels (:data:`MUTAG_ATOMS`), bond orders from the one-hot edge
    labels (single, double, triple); a bond is highlighted when it is kept (both directions go together).

    Args:
        graph: Mutagenicity ``Data`` with ``x [N, 14]``, ``edge_index``, ``edge_attr [E, 3]``.
        imp: ``[E]`` importances. ratio: ρ in (0, 1]. legend: caption. size: pixels.
    Returns:
        SVG markup.
    Raises:
        ValueError: for features that are not Mutagenicity's 14 atom types, or ρ outside (0, 1].
    """
    from rdkit import Chem
    from rdkit.Chem import rdDepictor
    from rdkit.Chem.Draw import rdMolDraw2D

    if graph.x.size(1) != len(MUTAG_ATOMS):
        raise ValueError(f"graph.x must one-hot the {len(MUTAG_ATOMS)} Mutagenicity atom types")
    kept = select_edges(imp, graph.edge_index, ratio)
    mol = Chem.RWMol()
    for atom in graph.x.argmax(1).tolist():
        mol.AddAtom(Chem.Atom(MUTAG_ATOMS[atom]))
    orders = (Chem.BondType.SINGLE, Chem.BondType.DOUBLE, Chem.BondType.TRIPLE)
    bond_kept: dict[tuple[int, int], bool] = {}
    for (u, v), k, attr in zip(graph.edge_index.t().tolist(), kept.tolist(), graph.edge_attr.argmax(1).tolist()):
        key = (min(u, v), max(u, v))
        if key not in bond_kept:
            mol.AddBond(key[0], key[1], orders[attr])
        bond_kept[key] = bond_kept.get(key, False) or k
    mol = mol.GetMol()
    mol.UpdatePropertyCache(strict=False)  # TU molecules carry no charges: skip valence checks
    rdDepictor.Compute2DCoords(mol)
    bonds = [mol.GetBondBetweenAtoms(u, v).GetIdx() for (u, v), k in bond_kept.items() if k]
    atoms = sorted({a for (u, v), k in bond_kept.items() if k for a in (u, v)})
    drawer = rdMolDraw2D.MolDraw2DSVG(*size)
    drawer.drawOptions().legendFontSize = 14
    drawer.DrawMolecule(mol, highlightAtoms=atoms, highlightBonds=bonds, legend=legend)
    drawer.FinishDrawing()
    return drawer.GetDrawingText()
