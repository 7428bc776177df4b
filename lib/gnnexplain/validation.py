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
