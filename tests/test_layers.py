"""The package's imports run one way: each layer imports only the layers below it, and no
module imports itself through others. Read from the source with `ast`, function-local imports
included, so that a newcomer's shortcut cannot slip in unnoticed."""

from __future__ import annotations

import ast
from pathlib import Path

import sozialgraph

PACKAGE = Path(sozialgraph.__file__).resolve().parent

# Lowest first. A module may import its own layer and those before it, never one after it.
LAYERS = (
    "sozialgraph",  # the package's __init__ (its version) and sozialgraph.settings
    "sozialgraph.rdf",
    "sozialgraph.sandbox",
    "sozialgraph.corpus",
    "sozialgraph.inference",
    "sozialgraph.store",
    "sozialgraph.search",
    "sozialgraph.sparql",
    "sozialgraph.validation",
    "sozialgraph.pipeline",
    "sozialgraph.release",
    "sozialgraph.extract",  # drafts from texts: reads corpus, rdf and settings
    "sozialgraph.review",  # review and promotion of drafts: reads corpus, rdf, pipeline, validation
    "sozialgraph.web",
    "sozialgraph.cli",
)
BASE_MODULES = {"sozialgraph", "sozialgraph.settings"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports (a `from package import module` counts as the
    module, `from module import name` as the module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t.split(".")[0].startswith("sozialgraph"))
    return found - {name}


def layer_of(module: str) -> int:
    if module in BASE_MODULES:
        return 0
    return max(i for i, layer in enumerate(LAYERS)
               if module == layer or module.startswith(layer + "."))


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def test_every_module_belongs_to_a_layer():
    for name in modules():
        assert name in BASE_MODULES or any(
            name == layer or name.startswith(layer + ".") for layer in LAYERS[1:]), name


def test_imports_run_from_higher_layers_to_lower_ones_only():
    upward = sorted(f"{name} imports {target}"
                    for name, targets in graph().items() for target in targets
                    if target in modules() and layer_of(target) > layer_of(name))
    assert upward == []


def test_the_shipped_package_never_imports_the_developer_tools():
    tools = sorted(f"{name} imports {target}" for name, targets in graph().items()
                   for target in targets if not target.startswith(("sozialgraph.",))
                   and target != "sozialgraph")
    assert tools == []


def test_no_module_imports_itself_through_others():
    edges = {name: {t for t in targets if t in edges_known} for name, targets in graph().items()
             for edges_known in [set(modules())]}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            # a package's __init__ importing its own modules is how packages re-export
            if node == target.rpartition(".")[0]:
                continue
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[node] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    assert cycles == []
