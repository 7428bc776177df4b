"""A checkpoint cache: a model is trained once per (model config, data, seed, training config)."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path
from typing import Callable

import torch
from torch_geometric import seed_everything

from gnnexplain.paths import data_dir
from gnnexplain.validation import check_file_name, check_writable_dir


def cache_key(parts: dict) -> str:
    """A 16-hex-digit SHA-256 digest of ``parts`` (JSON with sorted keys; non-JSON values by ``repr``)."""
    text = json.dumps(parts, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def rng_state() -> dict:
    """The global random state of torch (CPU), numpy and Python's ``random``, as tensors and plain containers
    (so ``torch.load(weights_only=True)`` reads it back)."""
    import random

    import numpy as np

    _, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    return {"torch": torch.get_rng_state(),
            "numpy": {"keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos), "has_gauss": int(has_gauss),
                      "cached_gaussian": float(cached)},
            "python": {"version": version, "internal": list(internal), "gauss_next": gauss_next}}


def set_rng_state(state: dict) -> None:
    """Restore a state from :func:`rng_state`."""
    import random

    import numpy as np

    torch.set_rng_state(state["torch"])
    n = state["numpy"]
    np.random.set_state(("MT19937", n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"],
                         n["cached_gaussian"]))
    p = state["python"]
    random.setstate((p["version"], tuple(p["internal"]), p["gauss_next"]))


def load_or_train(build: Callable[[], torch.nn.Module], train: Callable[[torch.nn.Module], dict], *,
                  name: str, key: dict, seed: int, cache_dir: str | os.PathLike | None = None,
                  retrain: bool = False) -> tuple[torch.nn.Module, dict]:
    """Build a model and load its cached weights, or train it and cache them.

    The cache file is ``<cache_dir>/<name>-<digest>.pt`` with ``digest = cache_key(key + model class +
    model.config + seed)``. Both ``build`` and ``train`` run right after ``seed_everything(seed)``, so
    the same seed gives the same weights and the same report. The global random state after training is stored
    with the weights and restored on loading, so whatever the notebook draws next is the same whether the model
    was trained or loaded (a checkpoint without that state is retrained).

    Args:
        build: returns a fresh, untrained model; its ``config`` attribute (if any) enters the key.
        train: trains the model in place and returns a report of JSON types (numbers, strings, lists,
            dicts), stored with the weights.
        name: a readable file-name prefix, e.g. ``"gcn-cora"``.
        key: what else identifies the run (dataset, split, training config ...).
        seed: the random seed.
        cache_dir: defaults to ``data/checkpoints``.
        retrain: ignore a cached file and train again.
    Returns:
        ``(model, report)``; the model is in eval mode; ``report["from_cache"]`` says whether the
        weights were loaded, ``report["checkpoint"]`` is the file path.
    Raises:
        ValueError: if ``name`` is not a plain file name (it would write outside the cache folder).
        OSError: if the cache folder cannot be created or written to, raised before any training.
    Warns:
        UserWarning: if the cached file cannot be read (corrupted, or from an incompatible model);
            the model is then retrained and the file replaced.
    """
    check_file_name(name, "name")
    cache_dir = Path(cache_dir) if cache_dir is not None else data_dir() / "checkpoints"
    check_writable_dir(cache_dir, "cache_dir")
    seed_everything(seed)
    model = build()
    full_key = {**key, "model": type(model).__name__, "config": getattr(model, "config", None), "seed": seed}
    path = cache_dir / f"{name}-{cache_key(full_key)}.pt"
    if path.exists() and not retrain:
        try:
            blob = torch.load(path, weights_only=True)
            model.load_state_dict(blob["state_dict"])
            if "rng" not in blob:
                raise KeyError("no random state after training (written by an older version)")
            set_rng_state(blob["rng"])
            model.eval()
            return model, {**blob["report"], "from_cache": True, "checkpoint": str(path)}
        except Exception as exc:  # any unreadable file means: train again
            warnings.warn(f"checkpoint {path} is unreadable ({type(exc).__name__}: {exc}); retraining",
                          stacklevel=2)
            seed_everything(seed)
            model = build()
    seed_everything(seed)
    report = train(model)
    model.eval()
    tmp = path.with_suffix(".tmp")
    torch.save({"state_dict": model.state_dict(), "report": report, "key": json.dumps(full_key, default=repr),
                "rng": rng_state()}, tmp)
    os.replace(tmp, path)  # atomic: a crash never leaves a half-written checkpoint
    return model, {**report, "from_cache": False, "checkpoint": str(path)}
