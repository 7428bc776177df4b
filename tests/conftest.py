import os
from pathlib import Path

import pytest
import torch
from torch_geometric.data import Data

REPO = Path(__file__).resolve().parents[1]

if os.environ.get("PYTEST_XDIST_WORKER"):
    # Two workers on two cores: OpenMP threads would oversubscribe and spin (20x slower training).
    # Notebook kernels started by a worker inherit the variable.
    os.environ["OMP_NUM_THREADS"] = "1"
    torch.set_num_threads(1)

@pytest.fixture(scope="session")
def real_mirror() -> Path:
    """The offline mirror of real raw files (``$GNNEXPLAIN_DATA_MIRROR``), or skip."""
    value = os.environ.get("GNNEXPLAIN_DATA_MIRROR")
    if not value or not Path(value).is_dir():
        pytest.skip("GNNEXPLAIN_DATA_MIRROR is not set to the raw-data mirror")
    return Path(value)

@pytest.fixture(scope="session")
def cora():
    """Real Cora with row-normalised features (from the cache, the mirror or PyG's download)."""
    import torch_geometric.transforms as T

    from gnnexplain.data import load_dataset

    return load_dataset("Cora", transform=T.NormalizeFeatures())

def random_node_graph(num_nodes=30, num_features=5, num_classes=3, seed=0) -> Data:
    """A small random undirected graph with node labels and train/val/test masks."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(num_nodes, num_features, generator=g)
    src = torch.randint(0, num_nodes, (2 * num_nodes,), generator=g)
    dst = torch.randint(0, num_nodes, (2 * num_nodes,), generator=g)
    keep = src != dst
    edge_index = torch.stack([torch.cat([src[keep], dst[keep]]), torch.cat([dst[keep], src[keep]])])
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    perm = torch.randperm(num_nodes, generator=g)
    masks = [torch.zeros(num_nodes, dtype=torch.bool) for _ in range(3)]
    for mask, part in zip(masks, perm.tensor_split(3)):
        mask[part] = True
    return Data(x=x, edge_index=edge_index, y=y, train_mask=masks[0], val_mask=masks[1], test_mask=masks[2])
