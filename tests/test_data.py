import shutil

import pytest
import torch_geometric.datasets.planetoid as planetoid_module

from gnnexplain.data import DATASETS, DatasetUnavailableError, load_dataset, mirror_dir
from gnnexplain.data.loaders import _copy_from_mirror
from gnnexplain.paths import MIRROR_ENV


def test_unknown_dataset_name_lists_allowed_names(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset name='Corra'.*Cora, CiteSeer"):
        load_dataset("Corra", root=tmp_path)


def test_mirror_path_that_does_not_exist(tmp_path, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=MIRROR_ENV):
        mirror_dir()
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_dataset("Cora", root=tmp_path / "cache")


def test_mirror_copy_loads_real_cora_without_writing_to_the_mirror(real_mirror, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    shutil.copytree(real_mirror / "Cora", mirror / "Cora")
    before = sorted(p.relative_to(mirror) for p in mirror.rglob("*"))
    monkeypatch.setenv(MIRROR_ENV, str(mirror))
    data = load_dataset("cora", root=tmp_path / "cache")[0]  # case-insensitive name
    assert (data.num_nodes, data.num_edges, int(data.test_mask.sum())) == (2708, 10556, 1000)
    assert sorted(p.name for p in (tmp_path / "cache" / "Cora" / "raw").iterdir()) == sorted(DATASETS["Cora"].raw_files)
    assert sorted(p.relative_to(mirror) for p in mirror.rglob("*")) == before


def test_copy_from_mirror_never_overwrites_cached_files(tmp_path):
    source = tmp_path / "mirror" / "MUTAG" / "raw"
    source.mkdir(parents=True)
    (source / "MUTAG_A.txt").write_text("mirror")
    (source / "MUTAG_graph_indicator.txt").write_text("mirror")
    raw = tmp_path / "cache" / "MUTAG" / "raw"
    raw.mkdir(parents=True)
    (raw / "MUTAG_A.txt").write_text("user")
    _copy_from_mirror(tmp_path / "mirror", DATASETS["MUTAG"], raw)
    assert (raw / "MUTAG_A.txt").read_text() == "user"
    assert (raw / "MUTAG_graph_indicator.txt").read_text() == "mirror"


@pytest.fixture
def offline(monkeypatch):
    """Make PyG's Planetoid download fail as it does on a machine without internet."""
    def refuse(*args, **kwargs):
        raise OSError("Cannot connect to host github.com:443")
    monkeypatch.setattr(planetoid_module.fs, "cp", refuse)


def test_incomplete_pubmed_mirror_gives_a_clear_error(tmp_path, monkeypatch, offline):
    # The shared mirror lacks ind.pubmed.allx; build the same situation with stand-in files.
    raw = tmp_path / "mirror" / "PubMed" / "raw"
    raw.mkdir(parents=True)
    for name in DATASETS["PubMed"].raw_files:
        if name != "ind.pubmed.allx":
            (raw / name).write_bytes(b"x")
    monkeypatch.setenv(MIRROR_ENV, str(tmp_path / "mirror"))
    with pytest.raises(DatasetUnavailableError) as info:
        load_dataset("PubMed", root=tmp_path / "cache")
    message = str(info.value)
    assert "'PubMed'" in message and "ind.pubmed.allx" in message and MIRROR_ENV in message
    assert "ind.pubmed.tx" in message  # the full list of expected raw files


def test_real_pubmed_mirror_is_incomplete(real_mirror, tmp_path, offline):
    with pytest.raises(DatasetUnavailableError, match="ind.pubmed.allx"):
        load_dataset("PubMed", root=tmp_path / "cache")


def test_no_mirror_and_no_network(tmp_path, monkeypatch, offline):
    monkeypatch.delenv(MIRROR_ENV, raising=False)
    with pytest.raises(DatasetUnavailableError, match=rf"CiteSeer.*\(unset\).*{MIRROR_ENV}"):
        load_dataset("CiteSeer", root=tmp_path / "cache")


@pytest.mark.parametrize("name,graphs", [("MUTAG", 188), ("Mutagenicity", 4337), ("ESOL", 1128), ("Tox21", 7823)])
def test_other_real_datasets_load_from_the_mirror(real_mirror, name, graphs, tmp_path, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, str(real_mirror))
    assert len(load_dataset(name, root=tmp_path)) == graphs
