"""The modules that read scenarios import each other one way only (no import circle).

Every import counts: at the top, inside functions and under ``TYPE_CHECKING``. The layers,
lowest first: ``scenario_problems`` (problems and located documents), ``yaml_reader``
(the strict YAML reader), ``scenario_messages`` (validation errors as messages),
``scenario`` (the pydantic models), ``scenario_files`` (extends, overrides, sweeps).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

SCENARIO_MODULES = (
    "hiresim.scenario_problems",
    "hiresim.yaml_reader",
    "hiresim.scenario_messages",
    "hiresim.scenario",
    "hiresim.scenario_files",
)


def module_file(name: str, src: Path = SRC) -> Path | None:
    """The source file of a module under ``src`` (None for modules outside it)."""
    base = src.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imports(name: str, src: Path = SRC) -> set[str]:
    """Every module that module ``name`` imports, wherever the import statement is."""
    path = module_file(name, src)
    assert path is not None, name
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            found.add(base)
            # ``from hiresim import yaml_reader`` imports the module hiresim.yaml_reader
            found.update(f"{base}.{alias.name}" for alias in node.names
                         if module_file(f"{base}.{alias.name}", src) is not None)
    return found


def imported_modules(name: str, src: Path = SRC) -> set[str]:
    """Every hiresim module that module ``name`` imports."""
    return {m for m in imports(name, src) if m.split(".")[0] == "hiresim" and module_file(m, src)}


def import_cycle(start: tuple[str, ...], src: Path = SRC) -> list[str] | None:
    """A circle of imports through hiresim modules reachable from ``start`` (None if none)."""
    graph: dict[str, set[str]] = {}
    todo = list(start)
    while todo:
        name = todo.pop()
        if name not in graph:
            # the package's own __init__ is imported first by every submodule: not an edge
            graph[name] = imported_modules(name, src) - {"hiresim"}
            todo.extend(graph[name])
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt] if nxt in path else [*path, nxt]
            if nxt not in state:
                cycle = visit(nxt, [*path, nxt])
                if cycle:
                    return cycle
        state[name] = 2
        return None

    for name in start:
        if name not in state:
            cycle = visit(name, [name])
            if cycle:
                return cycle
    return None


def test_no_import_circle_among_the_scenario_modules() -> None:
    assert import_cycle(SCENARIO_MODULES) is None


@pytest.mark.parametrize(("lower", "higher"), [
    ("hiresim.scenario", "hiresim.scenario_files"),
    ("hiresim.scenario_messages", "hiresim.scenario"),
    ("hiresim.yaml_reader", "hiresim.scenario_messages"),
    ("hiresim.scenario_problems", "hiresim.yaml_reader"),
])
def test_a_lower_layer_never_imports_a_higher_one(lower: str, higher: str) -> None:
    assert higher not in imported_modules(lower)


def test_the_models_do_not_read_yaml() -> None:
    modules = imports("hiresim.scenario")
    assert "hiresim.yaml_reader" not in modules
    assert not [m for m in modules if m.split(".")[0] == "yaml"]


def test_a_circle_is_found(tmp_path: Path) -> None:
    """The check can fail: a function-level import back up the layers is a circle."""
    package = tmp_path / "hiresim"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "scenario.py").write_text(
        "def load():\n    from hiresim.scenario_files import load\n    return load()\n")
    (package / "scenario_files.py").write_text(
        "import typing\nif typing.TYPE_CHECKING:\n    from hiresim import scenario\n")
    assert import_cycle(("hiresim.scenario",), tmp_path) == [
        "hiresim.scenario", "hiresim.scenario_files", "hiresim.scenario"]
