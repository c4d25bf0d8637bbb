"""No import circle among the project's own modules when they load (the project's rule).

A static scan, so it needs nothing installed and imports nothing: the imports each module runs as
it loads (at top level, and inside `if` and `try`, but not under `TYPE_CHECKING` and not inside
functions, where the project imports heavy or late things on purpose), resolved to the modules
of monitor/, connectors/ and alerts/; then every strongly connected group of more than one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("monitor", "connectors", "alerts")


def modules_under(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module and package of PACKAGES below `root`."""
    found = {}
    for top in PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _runs_at_load(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            test = node.test
            type_checking = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
            )
            yield from _runs_at_load(node.orelse if type_checking else [*node.body, *node.orelse])
        elif isinstance(node, ast.Try):
            handlers = [stmt for handler in node.handlers for stmt in handler.body]
            yield from _runs_at_load([*node.body, *handlers, *node.orelse, *node.finalbody])


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the project's modules it imports as it loads, with the packages they sit in
    (importing `a.b.c` runs `a/b/__init__.py` first) unless the importer is already inside one."""
    modules = modules_under(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        inside = {".".join(name.split(".")[:n]) for n in range(1, name.count(".") + 2)}
        targets: set[str] = set()
        for node in _runs_at_load(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            targets.add(source)
            targets.update(f"{source}.{alias.name}" for alias in node.names)
        graph[name] = {
            ancestor
            for target in targets
            for ancestor in (".".join(target.split(".")[:n]) for n in range(1, target.count(".") + 2))
            if ancestor in modules and ancestor not in inside
        }
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other round a loop (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_round_a_circle() -> None:
    graph = import_graph(ROOT)
    assert len(graph) > 100  # the scan saw the project, not an empty folder
    assert circles(graph) == []


def test_the_scan_finds_a_circle_and_passes_over_late_imports(tmp_path: Path) -> None:
    alerts = tmp_path / "alerts"
    alerts.mkdir()
    (alerts / "__init__.py").write_text("")
    (alerts / "a.py").write_text("from alerts.b import x\n")
    (alerts / "b.py").write_text("try:\n    from alerts import c\nexcept ImportError:\n    pass\n")
    (alerts / "c.py").write_text("import alerts.a\n")
    (alerts / "late.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import alerts.d\n"
        "def f():\n    import alerts.d\n"
    )
    (alerts / "d.py").write_text("import alerts.late\n")
    assert circles(import_graph(tmp_path)) == [["alerts.a", "alerts.b", "alerts.c"]]


def private_imports(root: Path) -> list[str]:
    """`from <project module> import _name` anywhere in a module (functions included): a name one
    module marks private is not another's interface."""
    found = []
    for name, path in modules_under(root).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level == 0 and not (node.module or "").startswith(PACKAGES):
                continue  # another library's private names are its business
            found += [
                f"{name} imports {alias.name} from {node.module}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    assert private_imports(ROOT) == []


def test_the_private_import_scan_finds_one(tmp_path: Path) -> None:
    monitor = tmp_path / "monitor"
    monitor.mkdir()
    (monitor / "__init__.py").write_text("")
    (monitor / "a.py").write_text("from monitor.b import _hidden, shown\nfrom os import _exit\n")
    (monitor / "b.py").write_text("def f():\n    from .a import _late\n")
    assert private_imports(tmp_path) == [
        "monitor.a imports _hidden from monitor.b",
        "monitor.b imports _late from a",
    ]
