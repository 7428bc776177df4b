"""The package's layout is its architecture: imports go one way only, and no module imports itself back.

Each layer below may import from the layers before it in ``LAYERS`` (and from its own layer), never from a later one;
the whole import graph, function-level imports included, must have no cycle (README, "The library").
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lib" / "gnnexplain"

# bottom to top; a name is a top-level module or subpackage of gnnexplain
LAYERS = (
    ("paths", "validation", "results"),
    ("core",),
    ("data",),
    ("models",),
    ("metrics",),
    ("explain",),
    ("experiments",),
    ("viz", "widgets"),
    ("reproduce", "book"),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` for every ``gnnexplain`` import of a file, at any depth (function-level ones too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name == "gnnexplain" or name.startswith("gnnexplain.")]


def graph() -> dict[str, list[tuple[int, str]]]:
    return {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_every_module_belongs_to_a_layer():
    unknown = sorted({layer(m) for m in graph() if m != "gnnexplain"} - set(RANK))
    assert not unknown, f"modules outside LAYERS: {unknown}; add them to a layer"


def test_imports_point_down_only():
    upward = [f"{module}:{line} imports {target}" for module, targets in graph().items() if module != "gnnexplain"
              for line, target in targets
              if layer(target) in RANK and RANK[layer(target)] > RANK[layer(module)]]
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_metrics_never_import_explain():
    wrong = [f"{m}:{line}" for m, targets in graph().items() if layer(m) == "metrics"
             for line, target in targets if layer(target) == "explain"]
    assert not wrong, wrong


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_import_graph_has_no_cycle():
    modules = graph()
    # a package's __init__ importing its own submodules is how a package exports; every other edge counts
    edges = {m: {t for _, t in targets if t in modules and t != m and not t.startswith(m + ".")}
             for m, targets in modules.items()}
    assert find_cycle(edges) is None, f"import cycle: {' -> '.join(find_cycle(edges))}"


def test_subpackages_do_not_import_each_other_both_ways():
    # e.g. explain -> metrics and metrics -> explain, even through different modules, is a cycle of layers
    edges = {}
    for module, targets in graph().items():
        edges.setdefault(layer(module), set()).update(layer(t) for _, t in targets if layer(t) != layer(module))
    edges.pop("", None)
    assert find_cycle(edges) is None, f"cycle between subpackages: {' -> '.join(find_cycle(edges))}"


@pytest.mark.parametrize("edges, cycle", [({"a": {"b"}, "b": {"a"}}, True), ({"a": {"b"}, "b": set()}, False),
                                          ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True)])
def test_find_cycle_finds_cycles(edges, cycle):
    assert (find_cycle(edges) is not None) is cycle


def test_an_upward_import_would_be_caught(tmp_path):
    path = tmp_path / "x.py"
    path.write_text("def f():\n    from gnnexplain.explain import NAM\n")
    assert imports(path) == [(2, "gnnexplain.explain")]
    assert RANK["explain"] > RANK["metrics"]
