"""Argument checks shared by the library: each error names the parameter and the allowed values."""

from __future__ import annotations

import operator


def check_node_index(index, num_nodes: int, name: str = "index") -> int:
    """Return ``index`` as an int if it is an integer in ``[0, num_nodes)``.

    Raises:
        IndexError: for a non-integer (floats and bools included) or an out-of-range index.
    """
    try:
        value = operator.index(index)
    except TypeError:
        value = None
    if value is None or isinstance(index, bool) or not 0 <= value < num_nodes:
        raise IndexError(f"node {name}={index!r} is outside the graph; allowed: integers 0..{num_nodes - 1}")
    return value


def check_node_indices(nodes, num_nodes: int, name: str = "nodes"):
    """Return ``nodes`` (an int, a sequence or a tensor of ids) as a LongTensor ``[T]`` of ids in ``[0, num_nodes)``.

    Raises:
        ValueError: if ``nodes`` is empty.
        IndexError: for a float or bool dtype, or an id outside the graph (the first offenders are named).
    """
    import torch

    nodes = torch.as_tensor(nodes).view(-1)
    if nodes.numel() == 0:
        raise ValueError(f"{name} must name at least one node")
    if nodes.is_floating_point() or nodes.dtype == torch.bool:
        raise IndexError(f"{name} has dtype {nodes.dtype}; allowed: integers 0..{num_nodes - 1}")
    bad = (nodes < 0) | (nodes >= num_nodes)
    if bad.any():
        raise IndexError(f"node {name}={nodes[bad][:5].tolist()} is outside the graph; "
                         f"allowed: integers 0..{num_nodes - 1}")
    return nodes.long()


def check_model_args(dropout: float | None = None, **sizes: int) -> None:
    """Check a model's constructor arguments: every size an integer >= 1, ``dropout`` in [0, 1).

    Raises:
        ValueError: naming the first argument out of range and its allowed values.
    """
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}={value!r} must be an integer >= 1")
    if dropout is not None and not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout={dropout!r} must be in [0, 1)")


def check_number(value, name: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, integer: bool = False):
    """Return ``value`` if it is a finite number inside the given bounds (an ``int`` when ``integer``).

    Args:
        low, high: bounds (``None``: unbounded); ``low_open`` / ``high_open`` exclude the bound itself.
    Raises:
        TypeError: for a non-number, a bool, or a non-integer where an integer is required.
        ValueError: for NaN, inf or a value outside the bounds; the message names the parameter and the range.
    """
    import math
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real) or (integer and not isinstance(value,
                                                                                                  numbers.Integral)):
        raise TypeError(f"{name}={value!r} must be {'an integer' if integer else 'a real number'}")
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    allowed = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
    if (not math.isfinite(value) or (low is not None and (value < low or (low_open and value == low)))
            or (high is not None and (value > high or (high_open and value == high)))):
        raise ValueError(f"{name}={value!r} is out of range; allowed: finite values in {allowed}")
    return int(value) if integer else value


def check_graph(x, edge_index, *, name: str = "graph") -> None:
    """Check the inputs of a graph model: ``edge_index`` an integer tensor ``[2, E]`` with ids in ``[0, N)``, and
    ``x`` (floating features ``[N, F]``, or integer ids such as atom numbers ``[N]``) free of NaN and inf.

    Raises:
        TypeError: if ``x`` or ``edge_index`` is not a tensor, or ``edge_index`` is not an integer tensor.
        ValueError: for a wrong shape or non-finite features. IndexError: for an edge id outside ``[0, N)``.
    """
    import torch

    if not torch.is_tensor(x) or not torch.is_tensor(edge_index):
        raise TypeError(f"{name}: x and edge_index must be tensors, got {type(x).__name__} and "
                        f"{type(edge_index).__name__}")
    if edge_index.is_floating_point() or edge_index.dtype == torch.bool or edge_index.is_complex():
        raise TypeError(f"{name}: edge_index has dtype {edge_index.dtype}; allowed: an integer dtype (torch.long)")
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(f"{name}: edge_index must have shape [2, E], got {list(edge_index.shape)}")
    if x.dim() == 0:
        raise ValueError(f"{name}: x must have one row per node, got a 0-dimensional tensor")
    num_nodes = x.size(0)
    if edge_index.numel() and (int(edge_index.min()) < 0 or int(edge_index.max()) >= num_nodes):
        raise IndexError(f"{name}: edge_index holds node ids {int(edge_index.min())}..{int(edge_index.max())}; "
                         f"allowed: 0..{num_nodes - 1} (x has {num_nodes} rows)")
    if x.is_floating_point() and not bool(torch.isfinite(x).all()):
        bad = int((~torch.isfinite(x)).any(dim=-1).sum()) if x.dim() > 1 else int((~torch.isfinite(x)).sum())
        raise ValueError(f"{name}: x holds NaN or inf in {bad} node row(s); allowed: finite features")


def check_finite(values, name: str) -> None:
    """Raise ``ValueError`` naming ``name`` if the tensor ``values`` holds NaN or inf (e.g. an explanation's scores)."""
    import torch

    values = torch.as_tensor(values)
    if values.is_sparse:  # only the stored entries can be non-finite
        values = values.coalesce().values()
    if values.is_floating_point() and not bool(torch.isfinite(values).all()):
        raise ValueError(f"{name} holds {int((~torch.isfinite(values)).sum())} NaN or inf value(s); "
                         "allowed: finite scores")


def check_file_name(name: str, what: str = "name") -> str:
    """Return ``name`` if it is a plain file-name part that stays in its folder: letters, digits, ``-``, ``_`` and
    ``.``, not starting with ``.`` and without ``..``.

    Raises:
        TypeError: for a non-string. ValueError: for any other name (a path, ``..``, an empty string ...).
    """
    if not isinstance(name, str):
        raise TypeError(f"{what}={name!r} must be a string")
    if not name or name.startswith(".") or ".." in name or not all(c.isalnum() or c in "-_." for c in name):
        raise ValueError(f"{what}={name!r} must be a plain file name: letters, digits, '-', '_' or '.', not "
                         "starting with '.' (a path or '..' would write outside its folder)")
    return name


def check_writable_dir(folder, what: str = "folder"):
    """Create ``folder`` if needed and check that files can be written in it; return it as a ``Path``.

    Meant for caches and output folders, checked before any work starts.

    Raises:
        NotADirectoryError: if ``folder`` (or a parent) exists as a file. PermissionError: if it cannot be written.
    """
    import os
    import tempfile
    from pathlib import Path

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{what}={str(folder)!r} is a file; allowed: a folder (it is created if missing)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except (FileExistsError, NotADirectoryError) as exc:
        raise NotADirectoryError(f"{what}={str(folder)!r} cannot be created: a parent is a file ({exc})") from exc
    except PermissionError as exc:
        raise PermissionError(f"{what}={str(folder)!r} is not writable ({exc})") from exc
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"{what}={str(folder)!r} is not writable")
    return folder


def check_optimisation(epochs, lr) -> None:
    """Check an explainer's optimisation settings: ``epochs`` an integer >= 1 (0 epochs would return the random
    initial mask or an untrained network) and ``lr`` a finite number > 0.

    Raises:
        TypeError / ValueError: as :func:`check_number`, naming ``epochs`` or ``lr``.
    """
    check_number(epochs, "epochs", low=1, integer=True)
    check_number(lr, "lr", low=0, low_open=True)
