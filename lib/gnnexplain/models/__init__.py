"""GNNs used by the papers, a seeded training loop and a checkpoint cache."""

from gnnexplain.models.checkpoints import cache_key, load_or_train
from gnnexplain.models.gcn import GCN
from gnnexplain.models.gin import GIN
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
]
from gnnexplain.models.concat_gnn import ConcatGNN  # noqa: E402
from gnnexplain.models.graph_gcn import GraphGCN  # noqa: E402
