"""The layout of DESIGN §1 holds: no import cycle, modules of readable size, a quiet core.

The layering itself is import-linter's job (`make lint`, contracts in pyproject.toml); these tests
check what its contracts cannot say.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "websets_sync"
MAX_MODULE_LINES = 300


def _strongly_connected(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    """Tarjan's algorithm: every set of modules that import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> Iterator[list[str]]:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                yield from visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            yield component

    for node in sorted(graph):
        if node not in index:
            yield from visit(node)


def test_no_import_cycle() -> None:
    graph = grimp.build_graph("websets_sync", exclude_type_checking_imports=True)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    # A package's __init__ re-exports its front door; that is not a cycle of logic.
    for module, targets in edges.items():
        edges[module] = {t for t in targets if not module.startswith(t + ".")}
    cycles = [sorted(c) for c in _strongly_connected(edges) if len(c) > 1]
    assert cycles == []


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_of_readable_size(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines"


def _names_used(name: str, *, attribute: bool, allowed: tuple[str, ...] = ("cli",)) -> list[str]:
    """Where ``name`` is used (as ``x.name`` or as a bare name) outside the allowed packages."""
    found = []
    for path in _modules():
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            used = (
                isinstance(node, ast.Attribute) and node.attr == name
                if attribute
                else isinstance(node, ast.Name) and node.id == name
            )
            if used:
                found.append(f"{relative}:{node.lineno}")
    return found


def test_the_core_never_reads_the_environment() -> None:
    assert _names_used("environ", attribute=True) == []
    assert _names_used("getenv", attribute=True) == []


def test_only_render_prints() -> None:
    # The emulator's HTTP server logs nothing; render/console.py is the one writer of output.
    assert _names_used("print", attribute=False, allowed=("cli", "render")) == []
