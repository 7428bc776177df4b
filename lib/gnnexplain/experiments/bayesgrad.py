"""Notebook 03's experiment (Akita et al., ICONIP 2018): the four gradient saliencies of
:mod:`gnnexplain.explain.bayesgrad` configured for molecule models, run over many molecules, timed, and scored
by atom-level PR-AUC against substructure atoms (the pyridine study, docs/03_bayesgrad.md §3.4), with the paper's
settings (§3.5), its Table 1, the Tyrphostin 9 reading on SR-MMP and the ESOL signed importance per atom environment.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from scipy import stats
from sklearn.metrics import roc_auc_score
from torch import Tensor
from torch_geometric.data import Batch, Data

from gnnexplain.core.masks import SafeExplainer
from gnnexplain.data import (
    atom_environments,
    graph_from_smiles,
    split_indices,
    substructure_matches,
    with_labels,
)
from gnnexplain.experiments.common import explain_and_time, mean_std
from gnnexplain.explain.bayesgrad import ALGORITHMS, METHODS, check_embedding_model
from gnnexplain.metrics.prauc import pr_auc, precision_recall_points
from gnnexplain.metrics.sanity import sanity_checks
from gnnexplain.models import GGNN, TrainConfig, fit_molecule_model, predict

#: The models (docs/03_bayesgrad.md §3.3, §3.5): GGNNDrop for pyridine, NFPDrop for SR-MMP and for ESOL.
GGNN_KWARGS = dict(hidden_channels=16, num_layers=4, dropout=0.25)
NFP_TOX21_KWARGS = dict(hidden_channels=16, num_layers=4, dropout=0.25)
NFP_ESOL_KWARGS = dict(hidden_channels=32, num_layers=3, dropout=0.25)
#: SmoothGrad's noise σ (absolute, on the embedding) and the seed of ESOL's fold order (the repo's).
SIGMA = 0.15
ESOL_FOLD_SEED = 777
#: Akita et al. 2018, Table 1: PR-AUC (mean, std over 30 small-data models), and the ROC-AUC of §4.1.
PAPER_TABLE1 = {"VanillaGrad": (0.506, 0.044), "SmoothGrad": (0.514, 0.042), "BayesGrad": (0.544, 0.019),
                "BayesSmoothGrad": (0.536, 0.028)}
PAPER_PYRIDINE_ROCAUC = 0.99
#: The paper's epochs for the models of :class:`Settings` (here caps with early stopping, for time).
PAPER_EPOCHS = {"full": 50, "subset": 100, "srmmp": 200, "esol": 100}
#: §4.2: Tyrphostin 9 first, then its OH -> CH3 analogue (same SMILES positions), then two related molecules.
TYRPHOSTIN = {
    "Tyrphostin 9": "CC(C)(C)C1=C(O)C(C(C)(C)C)=CC(/C=C(C#N)\\C#N)=C1",
    "OH -> CH3 analogue": "CC(C)(C)C1=C(C)C(C(C)(C)C)=CC(/C=C(C#N)\\C#N)=C1",
    "hindered phenol aldehyde": "CC(C)(C=O)Cc1cc(C(C)(C)C)c(O)c(C(C)(C)C)c1",
    "dibromophenol oxindole": "O=C1Nc2ccc(I)cc2C1=Cc1cc(Br)c(O)c(Br)c1",
}
#: "highlighted": among the top 10 % of a molecule's atoms by saliency (at least the top atom).
TOP_FRACTION = 0.1
#: §4.3: the atom environments the paper finds hydrophilic (positive signed importance) and hydrophobic.
HYDROPHILIC = ("hydroxyl O", "amine N")
HYDROPHOBIC = ("aromatic C", "aliphatic C")
#: ESOL molecules drawn in the notebook (those present in the data set are drawn).
ESOL_EXAMPLES = ("OCC3OC(OCC2OC(OC(C#N)c1ccccc1)C(O)C(O)C2O)C(O)C(O)C3O", "c1ccccc1O", "CCCCCCCCO", "Nc1ccccc1")


@dataclass(frozen=True)
class Settings:
    """The notebook's sizes and training schedules (docs/03_bayesgrad.md §3.4-3.5); see :meth:`for_run`.

    Attributes:
        num_samples: M, samples per map (paper: 100). n_test, n_val: held-out and validation Tox21 molecules.
        n_subsets, subset_size: the small-data study's models and their training molecules (paper: 30, 1,000).
        n_timed: molecules timed per method.
        full, subset, srmmp, esol: training of the full-data GGNN (paper: 50 epochs), of each subset GGNN
            (100), of the SR-MMP NFP (200) and of each ESOL NFP (100); epochs are caps with early stopping.
    """

    num_samples: int
    n_test: int
    n_val: int
    n_subsets: int
    subset_size: int
    n_timed: int
    full: TrainConfig
    subset: TrainConfig
    srmmp: TrainConfig
    esol: TrainConfig

    @classmethod
    def for_run(cls, quick: bool) -> Settings:
        """The full settings, or with ``quick`` the reduced ones for CI (fewer models and epochs, no early stop)."""
        def config(epochs: int, full_epochs: int, *, lr: float = 1e-3, patience: int = 5) -> TrainConfig:
            return TrainConfig(epochs=epochs if quick else full_epochs, lr=lr, weight_decay=0.0,
                               patience=None if quick else patience, batch_size=32)

        return cls(num_samples=100, n_test=800, n_val=400, n_subsets=3 if quick else 30, subset_size=1000,
                   n_timed=5 if quick else 30, full=config(3, 20), subset=config(8, 15),
                   srmmp=config(3, 60, patience=10), esol=config(25, 50, lr=5e-4))

    def schedules(self) -> pd.DataFrame:
        """Epoch cap, early-stopping patience (``"all epochs"``: none) and learning rate per model, and the paper's
        epochs."""
        labels = {"full": "pyridine GGNN, full data", "subset": "pyridine GGNN, each subset",
                  "srmmp": "SR-MMP NFP", "esol": "ESOL NFP, each fold"}
        rows = {}
        for key, label in labels.items():
            config = getattr(self, key)
            rows[label] = {"epochs (cap)": config.epochs, "patience": config.patience or "all epochs",
                           "lr": config.lr, "paper epochs": PAPER_EPOCHS[key]}
        return pd.DataFrame.from_dict(rows, orient="index")


def table1_methods(num_samples: int, *, sigma: float = SIGMA) -> dict[str, dict]:
    """The four methods of Table 1 as keyword arguments of :func:`saliency_explainer`, by display name.

    VanillaGrad (M = 1), SmoothGrad (σ absolute, M samples), BayesGrad (M dropout masks), BayesSmoothGrad
    (both); reduction ``"square"`` (docs/03_bayesgrad.md §3.4(a)).
    """
    return {"VanillaGrad": dict(method="VanillaGrad"),
            "SmoothGrad": dict(method="SmoothGrad", num_samples=num_samples, sigma=sigma),
            "BayesGrad": dict(method="BayesGrad", num_samples=num_samples),
            "BayesSmoothGrad": dict(method="BayesSmoothGrad", num_samples=num_samples, sigma=sigma)}


def saliency_explainer(model: torch.nn.Module, method: str, *, mode: str = "binary_classification",
                       explanation_type: str = "model", **options) -> SafeExplainer:
    """A :class:`SafeExplainer` running one of :data:`METHODS` on a molecule model with raw outputs.

    Args:
        model: a model with ``embed`` and ``forward_from_embedding``.
        method: ``"VanillaGrad"``, ``"SmoothGrad"``, ``"BayesGrad"`` or ``"BayesSmoothGrad"``.
        mode: ``"binary_classification"`` or ``"regression"``.
        explanation_type: ``"model"`` (the notebook's: PyG first runs the model on the graph for the prediction and
            its class) or ``"phenomenon"`` (the caller gives ``target``; no extra forward pass).
        **options: the arguments of :class:`EmbeddingSaliency` (``num_samples``, ``sigma``, ...).
    Raises:
        ValueError: for an unknown method or explanation type, or bad options. TypeError: for a model without
            ``embed``.
    """
    if method not in ALGORITHMS:
        raise ValueError(f"unknown method={method!r}; allowed: {', '.join(METHODS)}")
    if explanation_type not in ("model", "phenomenon"):
        raise ValueError(f"explanation_type={explanation_type!r}; allowed: model, phenomenon")
    check_embedding_model(model)
    return SafeExplainer(model, ALGORITHMS[method](**options), explanation_type=explanation_type,
                         node_mask_type="object", edge_mask_type=None,
                         model_config=dict(mode=mode, task_level="graph", return_type="raw"))


def sanity_table(model: torch.nn.Module, graphs: Sequence[Data], methods: Mapping[str, dict], *,
                 mode: str = "binary_classification", seeds: Sequence[int] = (0, 1)) -> dict[str, dict]:
    """Adebayo et al.'s model-parameter randomisation test of each method on ``model`` (the results JSON's
    ``sanity``; :func:`gnnexplain.metrics.sanity.sanity_checks`).

    Each molecule is explained by the trained model and by a deep copy with every layer re-initialised (the atom
    embedding included; the copy keeps the model's eval mode, so BayesGrad still switches only its dropout on),
    under each seed of ``seeds``. The verdict follows :data:`gnnexplain.metrics.sanity.SANITY_RULE`, ρ being
    Spearman's rank correlation of the absolute atom maps.

    Args:
        model: a molecule model with ``embed``/``forward_from_embedding`` (GGNN, NFP).
        graphs: atom-id graphs (``x [N]``, ``edge_index``, ``edge_type``), at least one.
        methods: display name -> options of :func:`saliency_explainer` (e.g. :func:`table1_methods`).
        mode: as :func:`saliency_explainer`. seeds: at least two distinct explanation seeds.
    Returns:
        ``{name: {"rho_randomized_model", "rho_seeds", "passes", "n", "n_undefined"}}``, ρ in [-1, 1] or NaN.
    Raises:
        ValueError: for no method, no graph or bad seeds (and as :func:`saliency_explainer`).
    """
    explainers = {name: saliency_explainer(model, mode=mode, **options) for name, options in methods.items()}
    instances = [dict(x=g.x, edge_index=g.edge_index, edge_type=g.edge_type) for g in graphs]
    return sanity_checks(explainers, instances, seeds=seeds)


def explain_molecules(explainer: SafeExplainer, graphs: Sequence[Data], *, seed: int = 0,
                      chunk: int = 16) -> tuple[list[Tensor], list[Tensor]]:
    """Saliency maps of many molecules, ``chunk`` molecules per explainer call.

    Args:
        explainer: from :func:`saliency_explainer`.
        graphs: atom-id graphs (``x [N]``, ``edge_index``, ``edge_type``).
        seed: seeds the first chunk; chunk k uses ``seed + k``.
        chunk: molecules per call, >= 1 (memory grows with chunk × M).
    Returns:
        ``(means, stds)``: per molecule, the node mask ``[N_k]`` and the per-node std ``[N_k]``.
    Raises:
        ValueError: if ``chunk < 1``.
    """
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    parts = [list(graphs[start:start + chunk]) for start in range(0, len(graphs), chunk)]
    batches = [Batch.from_data_list(part) for part in parts]
    explanations, _ = explain_and_time(explainer, [dict(x=b.x, edge_index=b.edge_index, edge_type=b.edge_type,
                                                        batch=b.batch, seed=seed + k) for k, b in enumerate(batches)])
    means, stds = [], []
    for part, expl in zip(parts, explanations):
        sizes = [g.num_nodes for g in part]
        means += list(expl.node_mask.view(-1).split(sizes))
        stds += list(expl.node_std.split(sizes))
    return means, stds


def seconds_per_molecule(explainer: SafeExplainer, graphs: Sequence[Data], *, seed: int = 0) -> float:
    """Mean wall time of explaining each graph of ``graphs`` alone (one call per molecule).

    Raises:
        ValueError: if ``graphs`` is empty.
    """
    if not graphs:
        raise ValueError("graphs must hold at least one molecule")
    return explain_and_time(explainer, [dict(x=g.x, edge_index=g.edge_index, edge_type=g.edge_type, seed=seed)
                                        for g in graphs])[1]


def saliency_prauc(model: torch.nn.Module, graphs: Sequence[Data], ground_truth: Sequence[Sequence[int]],
                   methods: dict[str, dict], *, seed: int = 0, chunk: int = 16) -> dict[str, dict]:
    """PR-AUC of several saliency settings against ground-truth atoms (Akita et al. 2018, Table 1).

    Args:
        model: a molecule model with ``embed``.
        graphs: the molecules to explain (atom-id graphs).
        ground_truth: per molecule, the ground-truth atom ids (see :mod:`gnnexplain.metrics.prauc`).
        methods: label -> keyword arguments of :func:`saliency_explainer` (must include ``method``).
        seed, chunk: as in :func:`explain_molecules`.
    Returns:
        label -> ``{"prauc", "prauc_quirk", "recall" [R], "precision" [R]}`` (corrected curve, and the
        PR-AUC with the original small-fraction quirk).
    Raises:
        ValueError: for bad settings, or as :func:`gnnexplain.metrics.precision_recall_points`.
    """
    results = {}
    for label, options in methods.items():
        maps, _ = explain_molecules(saliency_explainer(model, **options), graphs, seed=seed, chunk=chunk)
        recall, precision = precision_recall_points(maps, ground_truth)
        results[label] = dict(prauc=pr_auc(maps, ground_truth),
                              prauc_quirk=pr_auc(maps, ground_truth, original_quirk=True),
                              recall=recall.tolist(), precision=precision.tolist())
    return results


def held_out_rocauc(model: torch.nn.Module, graphs: Sequence[Data]) -> float:
    """ROC-AUC of a binary molecule classifier's logits on ``graphs`` (each with a 0/1 label ``y [1]``).

    Raises:
        ValueError: if the labels hold one class only (from ``sklearn.metrics.roc_auc_score``).
    """
    return float(roc_auc_score(torch.cat([g.y for g in graphs]), predict(model, graphs)))


@dataclass
class Split:
    """Training, validation and held-out molecules (lists of atom-id graphs with labels ``y`` and ``mol_id``)."""

    train: list[Data]
    val: list[Data]
    test: list[Data]


@dataclass
class PyridineTask(Split):
    """The synthetic task of §4.1: ``y = 1`` iff the molecule contains pyridine (SMARTS ``c1ccncc1``).

    Attributes:
        labels: ``[n]`` 0/1 per Tox21 molecule. ground_truth: per molecule, its pyridine atom ids.
        ids: ``{"test", "val", "train"}`` molecule ids (LongTensors) of the seeded random split.
        positives: the held-out molecules with ``y = 1`` (the ones explained);
        positive_atoms: their ground-truth atoms, in the same order.
    """

    labels: Tensor
    ground_truth: list[list[int]]
    ids: dict[str, Tensor]
    positives: list[Data]
    positive_atoms: list[list[int]]

    def counts(self) -> pd.DataFrame:
        """Molecules, pyridine (y=1) and no pyridine (y=0) in all molecules and in each part."""
        parts = [("all", self.train + self.val + self.test), ("train", self.train), ("val", self.val),
                 ("test (held out)", self.test)]
        return pd.DataFrame({part: {"molecules": len(s), "pyridine (y=1)": int(sum(g.y.item() for g in s)),
                                    "no pyridine (y=0)": int(sum(1 - g.y.item() for g in s))}
                             for part, s in parts}).T

    def results(self) -> dict:
        """``{"pyridine_counts": {"positive", "negative", "held_out_positive"}}`` for the results JSON."""
        return {"pyridine_counts": {"positive": int(self.labels.sum()), "negative": int((1 - self.labels).sum()),
                                    "held_out_positive": len(self.positives)}}


def pyridine_task(molecules, *, n_test: int, n_val: int, seed: int = 0) -> PyridineTask:
    """Label Tox21 by pyridine and split it: ``n_test`` held out, ``n_val`` validation, the rest training.

    Args:
        molecules: a :class:`gnnexplain.data.MoleculeSet` (``graphs`` and RDKit ``mols`` in the same order).
        n_test, n_val: sizes of the held-out and validation parts. seed: seeds the split.
    Raises:
        ValueError: if ``n_test + n_val`` exceeds the number of molecules.
    """
    labels, ground_truth = substructure_matches(molecules.mols)
    test_ids, val_ids, train_ids = split_indices(len(molecules), [n_test, n_val], seed=seed)
    labelled = with_labels(molecules.graphs, labels)        # graph k keeps mol_id = k
    train, val, test = ([labelled[i] for i in ids.tolist()] for ids in (train_ids, val_ids, test_ids))
    positives = [g for g in test if g.y.item() == 1]
    return PyridineTask(train, val, test, labels=labels, ground_truth=ground_truth,
                        ids={"test": test_ids, "val": val_ids, "train": train_ids}, positives=positives,
                        positive_atoms=[ground_truth[g.mol_id] for g in positives])


def task_split(molecules, task: str, ids: Mapping[str, Tensor]) -> Split:
    """The molecules with a label for ``task`` (e.g. ``"SR-MMP"``), in the parts of ``ids`` (molecule order).

    Args:
        molecules: a :class:`gnnexplain.data.MoleculeSet`. ids: ``{"train", "val", "test"}`` molecule ids,
            e.g. :attr:`PyridineTask.ids`, so that every task holds out the same molecules.
    Raises:
        ValueError: for a task the molecules do not have.
    """
    labelled = with_labels(molecules.graphs, molecules.task(task))     # molecules without a label dropped
    parts = {name: set(part.tolist()) for name, part in ids.items()}
    return Split(*([g for g in labelled if g.mol_id in parts[name]] for name in ("train", "val", "test")))


@dataclass
class SmallDataStudy:
    """The small-data study of Table 1 (§4.1): one GGNN per training subset, each scored by every method.

    Attributes:
        per_model: one row per subset (index ``subset``): ``"epochs run"``, ``"ROC-AUC"`` (held out), the
            PR-AUC of each method (column = its name) and with the original quirk (``"<name> (quirk)"``).
        curves: method -> per model ``(recall [R], precision [R])``.
        last_model: the model of the last subset. seconds: wall time of training and explaining all models.
    """

    per_model: pd.DataFrame
    curves: dict[str, list[tuple[list[float], list[float]]]]
    last_model: torch.nn.Module
    seconds: float

    @property
    def methods(self) -> list[str]:
        """The methods' display names, in the order they were run."""
        return list(self.curves)

    def prauc(self, *, quirk: bool = False) -> dict[str, dict]:
        """Method -> :func:`mean_std` (sample std, ddof = 1, as the paper) of its PR-AUC over the models.

        Raises:
            ValueError: for a study of one model (a sample std needs two).
        """
        return {m: mean_std(self.per_model[f"{m} (quirk)" if quirk else m], ddof=1) for m in self.methods}

    def summary(self, paper: Mapping[str, tuple[float, float]] = PAPER_TABLE1) -> pd.DataFrame:
        """Table 1: mean and std of each method's PR-AUC, the quirk's mean, next to the paper's mean and std."""
        ours, quirk = self.prauc(), self.prauc(quirk=True)
        table = pd.DataFrame({m: {"PR-AUC mean": ours[m]["mean"], "PR-AUC std": ours[m]["std"],
                                  "mean, original quirk": quirk[m]["mean"],
                                  "paper mean (Akita et al. 2018, Table 1)": paper[m][0],
                                  "paper std (Table 1)": paper[m][1]} for m in self.methods}).T
        table.index.name = f"method ({len(self.per_model)} models)"
        return table

    def paired_test(self, first: str = "BayesGrad", second: str = "VanillaGrad") -> dict:
        """Paired t-test of ``first`` against ``second`` over the same models (``scipy.stats.ttest_rel``).

        Returns:
            ``{"t", "pvalue", "wins" (models where first is higher), "n"}``; t and p are NaN for one model.
        """
        a, b = self.per_model[first], self.per_model[second]
        test = stats.ttest_rel(a, b)
        return {"t": float(test.statistic), "pvalue": float(test.pvalue), "wins": int((a > b).sum()), "n": len(a)}

    def mean_curves(self) -> dict[str, tuple[list[float], list[float]]]:
        """Method -> ``(recall [R], precision [R])`` averaged over the models, point by point."""
        return {m: (np.mean([r for r, _ in pairs], axis=0).tolist(), np.mean([p for _, p in pairs], axis=0).tolist())
                for m, pairs in self.curves.items()}

    def results(self, paper: Mapping[str, tuple[float, float]] = PAPER_TABLE1) -> dict:
        """The study's keys of the results JSON (PR-AUC with and without the quirk, the paper's, the p-value)."""
        return {"pyridine_prauc": {m: {"mean": r["mean"], "std": r["std"], "n_models": r["n"]}
                                   for m, r in self.prauc().items()},
                "pyridine_prauc_quirk": {m: r["mean"] for m, r in self.prauc(quirk=True).items()},
                "paper_pyridine_prauc": {m: {"mean": mean, "std": std} for m, (mean, std) in paper.items()},
                "bayesgrad_vs_vanillagrad_pvalue": self.paired_test()["pvalue"]}


def small_data_study(task: PyridineTask, methods: Mapping[str, dict], *, n_subsets: int, subset_size: int,
                     config: TrainConfig, seed: int = 0) -> SmallDataStudy:
    """Train one GGNN per subset of ``subset_size`` training molecules and score each method (Table 1, §4.1).

    Subset s takes ``np.random.RandomState(seed + s).permutation(len(task.train))[:subset_size]``, trains a
    GGNNDrop (:data:`GGNN_KWARGS`, seed ``seed + s``, validated on ``task.val``, through the checkpoint cache) and
    explains ``task.positives`` with every method of ``methods`` (:func:`saliency_prauc`, seed ``seed + s``).

    Raises:
        ValueError: if ``n_subsets < 1``, or as :func:`fit_molecule_model` / :func:`saliency_prauc`.
    """
    if n_subsets < 1:
        raise ValueError(f"n_subsets must be >= 1, got {n_subsets}")
    rows, curves = [], {name: [] for name in methods}
    start = time.perf_counter()
    for s in range(n_subsets):
        chosen = np.random.RandomState(seed + s).permutation(len(task.train))[:subset_size]
        model, report = fit_molecule_model(GGNN, GGNN_KWARGS, [task.train[i] for i in chosen], task.val,
                                           name=f"ggnn-pyridine-subset{s}", config=config, seed=seed + s)
        scores = saliency_prauc(model, task.positives, task.positive_atoms, methods, seed=seed + s)
        row = {"subset": s, "epochs run": report["epochs_run"], "ROC-AUC": held_out_rocauc(model, task.test)}
        for name, r in scores.items():
            row[name], row[f"{name} (quirk)"] = r["prauc"], r["prauc_quirk"]
            curves[name].append((r["recall"], r["precision"]))
        rows.append(row)
    return SmallDataStudy(pd.DataFrame(rows).set_index("subset"), curves, model, time.perf_counter() - start)


@dataclass
class TyrphostinStudy:
    """BayesGrad maps of the SR-MMP molecules of §4.2 and the paper's reading as a test.

    Attributes:
        table: one row per molecule (index ``molecule``): ``"P(SR-MMP active)"``, ``"site"`` (element and atom
            id of the phenolic O, or in the analogue the atom in its place), ``"site rank"`` (1 = most salient),
            ``"atoms"``, ``"site percentile"`` (0-100), ``"site saliency / max"`` and ``"highlighted"`` (rank
            within the top ``max(1, ⌊TOP_FRACTION · n⌋)``).
        maps: molecule -> BayesGrad map ``[n]``. mols: molecule -> RDKit ``Mol``.
    """

    table: pd.DataFrame
    maps: dict[str, Tensor]
    mols: dict[str, object]

    @property
    def reproduced(self) -> bool:
        """The paper's reading: the site is highlighted in the first molecule (Tyrphostin 9), not in the second."""
        first, second = self.table["highlighted"].iloc[:2]
        return bool(first and not second)

    def results(self) -> dict:
        """``{"tyrphostin": table records, "tyrphostin_reading_reproduced": bool}`` for the results JSON."""
        return {"tyrphostin": self.table.reset_index().to_dict(orient="records"),
                "tyrphostin_reading_reproduced": self.reproduced}


def tyrphostin_study(model: torch.nn.Module, molecules: Mapping[str, str] = TYRPHOSTIN, *, num_samples: int = 40,
                     top_fraction: float = TOP_FRACTION, seed: int = 0) -> TyrphostinStudy:
    """Explain each SMILES of ``molecules`` with BayesGrad (M = ``num_samples``, reduction ``"square"``) and rank
    its phenolic O (§4.2; docs/03_bayesgrad.md §3.4(b)).

    The site of a molecule is its first hydroxyl O (:func:`gnnexplain.data.atom_environments`); a molecule without
    one (the analogue) uses the atom whose element differs between the first two molecules.

    Args:
        model: a binary molecule classifier with ``embed`` and dropout (the SR-MMP NFP).
        molecules: name -> SMILES; the first two must have equally many atoms.
    Raises:
        ValueError: for an invalid SMILES, or if a molecule has neither a hydroxyl O nor a swapped atom.
    """
    explainer = saliency_explainer(model, "BayesGrad", num_samples=num_samples, reduction="square")
    graphs = {name: graph_from_smiles(smiles) for name, smiles in molecules.items()}
    first, second = ([a.GetSymbol() for a in graphs[n][1].GetAtoms()] for n in list(molecules)[:2])
    swapped = [i for i, (a, b) in enumerate(zip(first, second)) if a != b]
    rows, maps = [], {}
    for name, (g, mol) in graphs.items():
        (s,), _ = explain_molecules(explainer, [g], seed=seed)
        prob = torch.sigmoid(predict(model, [g]))[0].item()
        site = [i for i, e in enumerate(atom_environments(mol)) if e == "hydroxyl O"][:1] or swapped
        if not site:
            raise ValueError(f"{name}: no hydroxyl O and no atom swapped between the first two molecules")
        rank, n = (s > s[site[0]]).sum().item() + 1, mol.GetNumAtoms()
        rows.append({"molecule": name, "P(SR-MMP active)": prob, "site": f"{mol.GetAtomWithIdx(site[0]).GetSymbol()}"
                     f"{site[0]}", "site rank": rank, "atoms": n, "site percentile": 100 * (n - rank) / (n - 1),
                     "site saliency / max": (s[site[0]] / s.max()).item(),
                     "highlighted": rank <= max(1, int(top_fraction * n))})
        maps[name] = s
    return TyrphostinStudy(pd.DataFrame(rows).set_index("molecule"), maps, {n: m for n, (_, m) in graphs.items()})


def esol_signed_maps(folds: Sequence[dict], graphs: Sequence[Data], *, num_samples: int = 30,
                     seed: int = 0) -> dict[int, Tensor]:
    """Signed BayesGrad maps (gradient × input, baseline 0) of every held-out ESOL molecule by its fold's model
    (§4.3; docs/03_bayesgrad.md §3.4(c)).

    Args:
        folds: from :func:`gnnexplain.models.cross_validate_regression` (each with ``model`` and ``test`` ids).
        graphs: all ESOL graphs (positions = ids). seed: fold k uses ``seed + k``.
    Returns:
        Molecule id -> map ``[n]`` (log mol/L per atom; positive = raises the predicted solubility), in fold order.
    """
    maps = {}
    for k, fold in enumerate(folds):
        explainer = saliency_explainer(fold["model"], "BayesGrad", mode="regression", num_samples=num_samples,
                                       signed=True)
        ids = fold["test"].tolist()
        means, _ = explain_molecules(explainer, [graphs[i] for i in ids], seed=seed + k)
        maps.update(zip(ids, means))
    return maps


def environment_importance(maps: Mapping[int, Tensor], mols: Sequence) -> pd.DataFrame:
    """Mean, std, count and fraction positive of signed atom importances per atom environment (§4.3).

    Args:
        maps: molecule id -> map ``[n_i]``. mols: RDKit molecules indexed by those ids.
    Returns:
        One row per environment of :func:`gnnexplain.data.atom_environments`, sorted by name.
    Raises:
        ValueError: if no map is given, or a map has not one entry per atom of its molecule.
    """
    if not maps:
        raise ValueError("maps must hold at least one molecule")
    for i, s in maps.items():
        if len(s) != mols[i].GetNumAtoms():
            raise ValueError(f"map of molecule {i} has {len(s)} entries, the molecule has "
                             f"{mols[i].GetNumAtoms()} atoms")
    atoms = pd.DataFrame([{"environment": env, "importance": v} for i, s in maps.items()
                          for env, v in zip(atom_environments(mols[i]), s.tolist())])
    table = atoms.groupby("environment")["importance"].agg(["mean", "std", "count"])
    table["fraction positive"] = atoms.groupby("environment")["importance"].apply(lambda v: (v > 0).mean())
    return table


@dataclass
class SpeedStudy:
    """Seconds per molecule of each method (one molecule per call), and of BayesGrad as a loop of M passes."""

    seconds: dict[str, float]
    loop_seconds: float
    num_samples: int

    def table(self) -> pd.Series:
        """Seconds per molecule by method, the loop last."""
        return pd.Series({**self.seconds, f"BayesGrad as a loop of {self.num_samples} passes": self.loop_seconds},
                         name="seconds per molecule")

    def results(self) -> dict:
        """The timing keys of the results JSON."""
        return {"seconds_per_molecule": self.seconds, "bayesgrad_loop_seconds_per_molecule": self.loop_seconds}


def speed_study(model: torch.nn.Module, graphs: Sequence[Data], methods: Mapping[str, dict], *, num_samples: int,
                seed: int = 0) -> SpeedStudy:
    """Time each method of ``methods`` on ``graphs`` (:func:`seconds_per_molecule`) and BayesGrad's batched pass
    against ``num_samples`` single-sample passes per molecule (seeds ``0 .. num_samples - 1``).

    Raises:
        ValueError: if ``graphs`` is empty.
    """
    seconds = {name: seconds_per_molecule(saliency_explainer(model, **options), graphs, seed=seed)
               for name, options in methods.items()}
    single = saliency_explainer(model, "BayesGrad", num_samples=1)
    _, loop_seconds = explain_and_time(single, [dict(x=g.x, edge_index=g.edge_index, edge_type=g.edge_type, seed=m)
                                                for g in graphs for m in range(num_samples)],
                                       num_instances=len(graphs))
    return SpeedStudy(seconds, loop_seconds, num_samples)
