"""GNNs used by the papers, a seeded training loop and a checkpoint cache."""

from gnnexplain.models.checkpoints import cache_key, load_or_train
from gnnexplain.models.crossval import cross_validate, stratified_folds
from gnnexplain.models.dgcnn import DGCNN, SortPooling, sortpool_k
from gnnexplain.models.gcn import GCN
from gnnexplain.models.gin import GIN
from gnnexplain.models.ggnn import GGNN
from gnnexplain.models.molecule_training import (
    cross_validate_regression,
    fit_molecule_model,
    predict,
    train_molecule_model,
)
from gnnexplain.models.nfp import NFP
from gnnexplain.models.training import (
    TrainConfig,
    accuracy,
    train_graph_classifier,
    train_node_classifier,
)

__all__ = [
    "GCN",
    "GIN",
    "TrainConfig",
    "accuracy",
    "cache_key",
    "load_or_train",
    "train_graph_classifier",
    "train_node_classifier",
    "GGNN",
    "NFP",
    "cross_validate_regression",
    "fit_molecule_model",
    "predict",
    "train_molecule_model",
]
__all__ += ["DGCNN", "SortPooling", "cross_validate", "sortpool_k", "stratified_folds"]
