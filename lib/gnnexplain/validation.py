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
