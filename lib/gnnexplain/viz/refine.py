"""Notebook 04's figures (ReFine, Wang et al., NeurIPS 2021): explanatory subgraphs and Mutagenicity molecules
before and after fine-tuning, and the explorer's panes (docs/04_refine.md §4.5–4.6)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from torch import Tensor, nn
from torch_geometric.data import Data

from gnnexplain.data import BA3_CLASSES
from gnnexplain.experiments.refine import subgraph_probability
from gnnexplain.metrics.sanity import FAILS_NOTE
from gnnexplain.viz.subgraphs import mutag_molecule_svg, subgraph_figure

# ReFine-FT is the pre-trained attributor before fine-tuning, ReFine the same attributor fine-tuned per graph
FINE_TUNING_PAIR = (("before", "ReFine-FT"), ("after", "ReFine"))
NOT_CHECKED = "not checked for model randomisation"


def sanity_note(sanity: Mapping[str, Mapping] | None, method: str, *, sep: str = ", ") -> str:
    """The words a drawing of ``method``'s mask carries about its model-randomisation check (Adebayo et al. 2018):
    ``""`` if it passes (or ``sanity`` is ``None``), ``sep + "fails the model-randomisation check"`` if it does
    not, ``sep + "not checked for model randomisation"`` if ``sanity`` has no entry for it.

    Args:
        sanity: ``{method: {"passes": bool, ...}}`` of the dataset drawn (one of ``sanity_tables``' tables).
        sep: what precedes the words (``"<br>"`` starts a new line of a plotly title).
    """
    if sanity is None:
        return ""
    if method not in sanity:
        return sep + NOT_CHECKED
    return "" if sanity[method]["passes"] else sep + FAILS_NOTE


def finetuning_subgraphs(graphs: Sequence[Data], masks: Mapping[str, Sequence[Tensor]], *, ratio: float = 0.4,
                         count: int = 3, class_names: Sequence[str] = BA3_CLASSES,
                         sanity: Mapping[str, Mapping] | None = None) -> dict[tuple[int, str], object]:
    """Explanatory subgraphs of the first ``count`` graphs before (ReFine-FT) and after (ReFine) fine-tuning.

    Args:
        graphs: the explained graphs (``y`` = the class explained, ``role`` outlines motif nodes).
        masks: ``{method: [E_g] importances per graph}`` with "ReFine-FT" and "ReFine" (``run_table2``'s masks).
        ratio: ρ in (0, 1] of the drawn subgraph. count: graphs drawn (at most ``len(graphs)``).
        class_names: the label of each class, for the titles.
        sanity: the dataset's model-randomisation checks; a title says when its method fails or was not checked
            (:func:`sanity_note`).
    Returns:
        ``{(graph index, "before" | "after"): plotly figure}``, graph by graph.
    Raises:
        KeyError: if ``masks`` lacks a method; ValueError: for a bad ρ or a mask of the wrong size.
    """
    return {(i, when): subgraph_figure(graphs[i], masks[method][i], ratio,
                                       title=f"graph {i} ({class_names[int(graphs[i].y)]}), {when} fine-tuning"
                                             f"{sanity_note(sanity, method, sep='<br>')}")
            for i in range(min(count, len(graphs))) for when, method in FINE_TUNING_PAIR}


def finetuning_molecules(molecules: Sequence[Data], classes: Sequence[int], masks: Mapping[str, Sequence[Tensor]],
                         *, ratio: float = 0.4, count: int = 3,
                         sanity: Mapping[str, Mapping] | None = None) -> list[str]:
    """RDKit drawings of the first ``count`` Mutagenicity molecules with the bonds kept at ρ, before (ReFine-FT)
    and after (ReFine) fine-tuning, molecule by molecule.

    Args:
        molecules: Mutagenicity graphs with ``edge_attr`` (see :func:`mutag_molecule_svg`). classes: the class
            explained for each. masks, sanity: as :func:`finetuning_subgraphs` (the note goes in the legend).
            ratio: ρ in (0, 1]. count: molecules.
    Returns:
        ``2 * min(count, len(molecules))`` SVG strings.
    Raises:
        KeyError: if ``masks`` lacks a method; ValueError: from :func:`mutag_molecule_svg`.
    """
    return [mutag_molecule_svg(molecules[i], masks[method][i], ratio,
                               legend=f"molecule {i}, class {classes[i]}, {method}{sanity_note(sanity, method)}")
            for i in range(min(count, len(molecules))) for _, method in FINE_TUNING_PAIR]


def explorer_panes(model: nn.Module, graphs: Sequence[Data], classes: Sequence[int],
                   masks: Mapping[str, Sequence[Tensor]], graph: int, method: str, ratio: float, *,
                   molecule: bool = False, sanity: Mapping[str, Mapping] | None = None) -> list:
    """The explorer's view of one explanation: the explanatory subgraph at ρ, titled with the model's probability
    of the explained class on it (:func:`~gnnexplain.experiments.refine.subgraph_probability`), and with
    ``molecule`` the RDKit drawing.

    Args:
        model: the model explained. graphs: the explained graphs (Mutagenicity: with ``edge_attr``).
        classes: the class explained for each graph. masks: ``{method: [E_g] per graph}``.
        graph: index into ``graphs``. method: a key of ``masks``. ratio: ρ in (0, 1].
        sanity: as :func:`finetuning_subgraphs` (the note goes in the title).
    Returns:
        ``[plotly figure]`` or ``[plotly figure, SVG string]``.
    Raises:
        IndexError: for ``graph`` outside ``[0, len(graphs))``; ValueError: for a method not in ``masks``.
    """
    if not 0 <= graph < len(graphs):
        raise IndexError(f"graph must be in [0, {len(graphs)}), got {graph}")
    if method not in masks:
        raise ValueError(f"method {method!r} did not run here; choose one of {list(masks)}")
    g, imp, cls = graphs[graph], masks[method][graph], classes[graph]
    probability = subgraph_probability(model, g, imp, ratio, cls)
    title = f"{method}, ρ = {ratio:.1f}: P(class {cls} | subgraph) = {probability:.3f}"
    panes = [subgraph_figure(g, imp, ratio, title=title + sanity_note(sanity, method, sep="<br>"))]
    if molecule:
        panes.append(mutag_molecule_svg(g, imp, ratio, legend=title + sanity_note(sanity, method)))
    return panes
