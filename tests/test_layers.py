"""The package's layout is its architecture: every module imports only from its own layer or the
layers below, and no modules import each other in a circle (counting imports inside functions,
not those made only for type checking)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"

# lowest first; a module may import from its own layer and those before it
LAYERS = (
    ("sim.world",),
    ("sim.importers",),  # real exports to activity logs: below the model, which it never needs
    ("sim.agents",),
    ("sim.policies",),
    ("sim.levers",),
    ("sim.model",),
    ("sim.config",),
    ("sim.experiments",),
    ("sim.calibration", "sim.validation"),
    ("sim.reports",),  # reports read runs and logs (calibration measures the logs)
    ("sim.ui", "sim.cli"),
)


def layer_of(module: str) -> int:
    for rank, names in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in names):
            return rank
    raise AssertionError(f"{module} is in no layer: add it to a sub-package (tests/test_layers.py)")


def modules() -> dict[str, Path]:
    found = {}
    for path in SIM.rglob("*.py"):
        parts = path.relative_to(SIM.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """The ``sim`` modules a file imports, anywhere in it except under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for statement in branch.body
        for node in ast.walk(statement)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from sim.levers import content`` imports the module sim.levers.content
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name in known}


GRAPH = {name: imports(path, set(modules())) for name, path in modules().items()}


@pytest.mark.parametrize("module", sorted(name for name in GRAPH if name != "sim"))
def test_no_module_imports_a_higher_layer(module):
    own = layer_of(module)
    upward = [
        target
        for target in GRAPH[module]
        if target != "sim" and layer_of(target) > own and not module.startswith(target + ".")
    ]
    assert not upward, f"{module} (layer {own}) imports higher layers: {upward}"


def test_no_import_circles():
    """Depth-first search over the import graph; the package ``sim`` itself (which re-exports the
    model) and a package importing its own modules to register them are not edges back."""
    edges = {
        name: {t for t in targets if t not in ("sim", name) and not t.startswith(name + ".")}
        for name, targets in GRAPH.items()
        if name != "sim"
    }
    state: dict[str, int] = {}
    circles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_the_checker_sees_an_upward_import(tmp_path):
    """The layer rule can fail: a world module importing the model is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from sim.model import CommunityModel\n")
    assert imports(bad, set(modules())) == {"sim.model"}
    assert layer_of("sim.world.content") < layer_of("sim.model")
