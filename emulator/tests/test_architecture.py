"""The package's import structure (issue 24): modules form layers, not circles.

An import circle makes a module's behaviour depend on which module happens to be imported first, and
the usual dodge - an import inside a function - hides the dependency from the reader. So every
module of cognito_emulator is parsed (not imported: this runs without moto's side effects) and:
- the graph of intra-package imports, wherever they sit, must have no cycle;
- no intra-package import may sit inside a function or method body.
"""

import ast
from pathlib import Path

PACKAGE = "cognito_emulator"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / PACKAGE


def _module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(PACKAGE_DIR).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def _targets(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, known) -> list[str]:
    """The package modules an import statement loads (none for imports from outside the package)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
        return [name for name in names if name == PACKAGE or name.startswith(PACKAGE + ".")]
    if node.level:
        # Relative: `.` is the importer's package (the importer itself for an __init__).
        base = importer.split(".") if is_package else importer.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    elif node.module and (node.module == PACKAGE or node.module.startswith(PACKAGE + ".")):
        source = node.module
    else:
        return []
    found = []
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        # `from . import passkeys` loads a module; `from . import REGION` a name of the package itself.
        found.append(submodule if submodule in known else source)
    return found


class _Imports(ast.NodeVisitor):
    """Every import statement of one module, with whether it sits inside a function."""

    def __init__(self):
        self.found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
        self.depth = 0

    def _function(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _import(self, node):
        self.found.append((node, self.depth > 0))

    visit_Import = visit_ImportFrom = _import


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    """(module -> the package modules it imports, the imports found inside functions)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    in_functions = []
    for name, path in modules.items():
        source = path.read_text()
        visitor = _Imports()
        visitor.visit(ast.parse(source, filename=str(path)))
        for node, inside in visitor.found:
            targets = _targets(node, name, path.name == "__init__.py", modules)
            graph[name].update(t for t in targets if t != name)
            if targets and inside:
                line = ast.get_source_segment(source, node)
                in_functions.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}: {line}")
    return graph, in_functions


def _shortest_path(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        if path[-1] == goal:
            return path
        for following in sorted(graph[path[-1]] - seen):
            seen.add(following)
            paths.append(path + [following])
    return None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through each import edge that lies on a cycle, without repeats."""
    cycles, seen = [], set()
    for module in sorted(graph):
        for imported in sorted(graph[module]):
            back = _shortest_path(graph, imported, module)
            if back is None:
                continue
            cycle = [module] + back
            loop = cycle[:-1]
            key = frozenset(zip(loop, loop[1:] + loop[:1]))
            if key not in seen:
                seen.add(key)
                cycles.append(cycle)
    return cycles


def _short(module: str) -> str:
    return module.removeprefix(PACKAGE + ".")


def test_the_parser_sees_the_imports():
    """A guard for the two tests below: they must not pass because nothing was found."""
    graph, _ = _graph()
    assert f"{PACKAGE}.patches" in graph
    assert f"{PACKAGE}.auth" in graph[f"{PACKAGE}.patches"]  # `from . import ... auth ...`
    assert f"{PACKAGE}.errors" in graph[f"{PACKAGE}.lookup"]  # `from .errors import ...`
    assert PACKAGE in graph[f"{PACKAGE}.pools"]  # `from . import REGION`: the package itself


def test_no_import_cycles():
    graph, _ = _graph()
    cycles = _cycles(graph)
    report = "\n".join(" -> ".join(_short(m) for m in cycle) for cycle in cycles)
    print(report)
    assert not cycles, f"import cycles in {PACKAGE}:\n{report}"


def test_no_imports_inside_functions():
    _, in_functions = _graph()
    report = "\n".join(in_functions)
    print(report)
    assert not in_functions, f"intra-package imports inside functions (move them to the module top):\n{report}"
