"""GNNs used by the papers, seeded training loops, cross-validation and a checkpoint cache."""

from gnnexplain.models.checkpoints import cache_key, load_or_train
from gnnexplain.models.concat_gnn import ConcatGNN
from gnnexplain.models.crossval import cross_validate, stratified_folds
from gnnexplain.models.dgcnn import DGCNN, SortPooling, dense_graphs, sortpool_k
from gnnexplain.models.gcn import GCN
from gnnexplain.models.ggnn import GGNN
from gnnexplain.models.gin import GIN
from gnnexplain.models.graph_gcn import GraphGCN
from gnnexplain.models.molecule_training import (
    cross_validate_regression,
    fit_molecule_model,
    predict,
    train_molecule_model,
)
from gnnexplain.models.nfp import NFP
from gnnexplain.models.refine_gnns import BA3MotifNet, MutagGIN
from gnnexplain.models.training import (
    TrainConfig,
    accuracy,
    correct_predictions,
    fit_early_stopping,
    train_dense_graph_classifier,
    train_graph_classifier,
    train_node_classifier,
)

__all__ = [
    "BA3MotifNet",
    "ConcatGNN",
    "DGCNN",
    "GCN",
    "GGNN",
    "GIN",
    "GraphGCN",
    "MutagGIN",
    "NFP",
    "SortPooling",
    "TrainConfig",
    "accuracy",
    "correct_predictions",
    "cache_key",
    "cross_validate",
    "cross_validate_regression",
    "dense_graphs",
    "fit_early_stopping",
    "fit_molecule_model",
    "load_or_train",
    "predict",
    "sortpool_k",
    "stratified_folds",
    "train_dense_graph_classifier",
    "train_graph_classifier",
    "train_molecule_model",
    "train_node_classifier",
]
