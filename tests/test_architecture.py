"""The shape of the package, enforced on its source text and on what a fresh interpreter loads.

- ``model/`` (the SimPy model) never imports pandas, plotly, click or yaml, neither directly
  nor transitively (e.g. through the scenario types it reads).
- The layers that work on records (``metrics``, the shared statistics in ``intervals``,
  ``goals``, ``comparison``, ``summary_table``, ``survival``, ``records``, the KPI catalogue
  and the ``report`` package) never load simpy, not even through a helper module.
- Nothing imports the CLI (``__main__`` is the CLI's own entry point).
- The imports between hiresim's own modules form no cycle.
- Modules stay small: at most 600 lines each, the CLI under 300.

Every import statement counts, including those inside functions and ``TYPE_CHECKING``
blocks: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "hiresim"


# -- reading import statements -------------------------------------------------------------


def module_name(path: Path) -> str:
    """Dotted name of the module in ``path`` (a package's ``__init__.py`` is the package)."""
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("hiresim", *parts))


def package_of(path: Path) -> str:
    """The package that relative imports in ``path`` are resolved against."""
    return ".".join(("hiresim", *path.relative_to(SRC).parent.parts))


def imported_names(text: str, package: str) -> list[tuple[str, list[str]]]:
    """Every import statement in ``text`` as (module, names imported from it); ``import a.b``
    gives ``("a.b", [])``. Relative imports are resolved against ``package``."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.append((module, [alias.name for alias in node.names]))
    return found


def module_imports(text: str, package: str) -> set[str]:
    """Absolute names of every module that an import statement in ``text`` may refer to
    (for ``from a import b`` both ``a`` and ``a.b``: ``b`` may be a submodule)."""
    names: set[str] = set()
    for module, imported in imported_names(text, package):
        names.add(module)
        names.update(f"{module}.{name}" for name in imported)
    return names


def imported_modules(path: Path) -> set[str]:
    return module_imports(path.read_text(encoding="utf-8"), package_of(path))


def top_level(names: Iterable[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def internal_edges(text: str, package: str, known: set[str]) -> set[str]:
    """The hiresim modules that ``text`` imports: ``from hiresim.a import b`` is an edge to
    ``hiresim.a.b`` when that is a module, otherwise to ``hiresim.a``; ``import hiresim.a.b``
    is an edge to ``hiresim.a.b``."""
    edges: set[str] = set()
    for module, imported in imported_names(text, package):
        if module != "hiresim" and not module.startswith("hiresim."):
            continue
        if not imported:
            edges.add(module)
            continue
        for name in imported:
            edges.add(f"{module}.{name}" if f"{module}.{name}" in known else module)
    return edges


def python_files(*parts: str) -> list[Path]:
    base = SRC.joinpath(*parts)
    return sorted(base.rglob("*.py")) if base.is_dir() else [base] if base.exists() else []


def rel(path: Path) -> str:
    return str(path.relative_to(SRC.parent))


ALL_FILES = sorted(SRC.rglob("*.py"))
ALL_MODULES = {module_name(p): p for p in ALL_FILES}


def test_import_scanner_sees_every_kind_of_import():
    text = (
        "import numpy as np\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    import pandas.api\ndef f():\n    from yaml import safe_load\n"
        "from . import candidates\nfrom ..cli import main\n"
    )
    names = module_imports(text, "hiresim.model")
    assert top_level(names) == {"numpy", "typing", "pandas", "yaml", "hiresim"}
    assert {"hiresim.model.candidates", "hiresim.cli", "hiresim.cli.main"} <= names


def test_internal_edges_resolve_submodules_and_names():
    known = {"hiresim", "hiresim.model", "hiresim.model.work", "hiresim.records"}
    text = (
        "import simpy\nfrom hiresim.model import work\nfrom hiresim.records import REQ_COLUMNS\n"
        "def f():\n    from hiresim import __version__\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import hiresim.model.work\n"
    )
    assert internal_edges(text, "hiresim.html_report", known) == {
        "hiresim.model.work", "hiresim.records", "hiresim"}
    assert internal_edges("from .work import Task\nfrom . import x\n", "hiresim.model",
                          known) == {"hiresim.model.work", "hiresim.model"}


def test_module_names_of_packages_and_modules():
    assert module_name(SRC / "__init__.py") == "hiresim"
    assert module_name(SRC / "model" / "__init__.py") == "hiresim.model"
    assert module_name(SRC / "model" / "work.py") == "hiresim.model.work"
    assert "hiresim.model.hiring_model" in ALL_MODULES


# -- what a fresh interpreter loads ----------------------------------------------------------


def modules_loaded_by(module: str) -> set[str]:
    """Every module a fresh interpreter has loaded after ``import <module>`` (this checkout's
    sources first on the path)."""
    code = f"import sys\nimport {module}\nprint(','.join(sorted(sys.modules)))\n"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(SRC.parent), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.strip().split(","))


def loaded_libraries(loaded: set[str], libraries: set[str]) -> list[str]:
    return sorted(libraries & top_level(loaded))


def hiresim_modules(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if m == "hiresim" or m.startswith("hiresim."))


def test_fresh_interpreter_reports_what_an_import_loads():
    loaded = modules_loaded_by("hiresim.intervals")
    assert {"hiresim", "hiresim.intervals", "numpy"} <= loaded
    assert "hiresim.cli" not in loaded
    assert "simpy" in modules_loaded_by("hiresim.model.work")


def existing(names: Iterable[str]) -> list[str]:
    """The names that are modules of this checkout (planned modules are skipped until they
    exist). Known files are taken as they are; other names are looked up with ``find_spec``
    and count only if they resolve to this checkout's sources."""
    found = []
    for name in names:
        if name in ALL_MODULES:
            found.append(name)
            continue
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin and Path(spec.origin).is_relative_to(SRC):
            found.append(name)
    return found


# The layers that work on records. A module not written yet is skipped by ``existing``.
PLANNED = {"hiresim.kpi_catalogue"}
RECORD_LAYERS = [
    "hiresim.metrics", "hiresim.intervals", "hiresim.goals", "hiresim.comparison",
    "hiresim.summary_table", "hiresim.survival", "hiresim.records", "hiresim.kpi_catalogue",
    *sorted(m for m in ALL_MODULES
            if m == "hiresim.html_report" or m.startswith("hiresim.html_report.")),
]
NO_SIMPY = existing(RECORD_LAYERS)

# The simulation core: the SimPy model and the code path of one replication (worker processes).
SIMULATION_CORE = sorted(m for m in ALL_MODULES if m.startswith("hiresim.model")) + [
    "hiresim.replication"]
FORBIDDEN_IN_MODEL = {"pandas", "plotly", "click", "yaml"}


def test_every_layer_named_here_exists():
    """A renamed module must be renamed here too, or its rules would silently stop applying."""
    missing = sorted(set(RECORD_LAYERS) - set(NO_SIMPY) - PLANNED)
    assert not missing, f"no such modules: {missing}"
    assert {"hiresim.html_report", "hiresim.html_report.pages"} <= set(NO_SIMPY)
    assert {"hiresim.model", "hiresim.model.hiring_model", "hiresim.model.work"} <= set(
        SIMULATION_CORE)


@pytest.mark.parametrize("module", NO_SIMPY)
def test_record_layers_never_load_simpy(module):
    """Importing the module in a fresh interpreter leaves simpy unloaded."""
    loaded = modules_loaded_by(module)
    assert "simpy" not in loaded, (
        f"import {module} loads simpy; hiresim modules it loaded: {hiresim_modules(loaded)}")


@pytest.mark.parametrize("module", SIMULATION_CORE)
def test_simulation_core_never_loads_io_or_presentation_libraries(module):
    """Also transitively: through the scenario types or a helper module."""
    loaded = modules_loaded_by(module)
    bad = loaded_libraries(loaded, FORBIDDEN_IN_MODEL)
    assert not bad, (f"import {module} loads {bad}; "
                     f"hiresim modules it loaded: {hiresim_modules(loaded)}")


# -- import statements in the source text ----------------------------------------------------

MODEL_FILES = python_files("model")


@pytest.mark.parametrize("path", MODEL_FILES, ids=rel)
def test_model_never_imports_io_or_presentation_libraries(path):
    found = top_level(imported_modules(path)) & FORBIDDEN_IN_MODEL
    assert not found, f"{rel(path)} imports {sorted(found)}"


NO_SIMPY_FILES = [ALL_MODULES[m] for m in NO_SIMPY]


@pytest.mark.parametrize("path", NO_SIMPY_FILES, ids=rel)
def test_record_layers_never_import_simpy_or_the_model(path):
    names = imported_modules(path)
    assert "simpy" not in top_level(names), f"{rel(path)} imports simpy"
    model = sorted(n for n in names if n == "hiresim.model" or n.startswith("hiresim.model."))
    assert not model, f"{rel(path)} imports the SimPy model: {model}"


@pytest.mark.parametrize(
    "path", [p for p in ALL_FILES if p.name not in ("cli.py", "__main__.py")], ids=rel)
def test_nothing_imports_the_cli(path):
    names = imported_modules(path)
    assert not any(n == "hiresim.cli" or n.startswith("hiresim.cli.") for n in names), \
        f"{rel(path)} imports hiresim.cli"
    assert "hiresim.cli" not in path.read_text(encoding="utf-8").replace(
        "hiresim.cli:main", ""), f"{rel(path)} names hiresim.cli (a lazy import?)"


def test_main_module_is_only_the_cli_entry_point():
    assert imported_modules(SRC / "__main__.py") <= {"hiresim.cli", "hiresim.cli.main"}


# -- import cycles ---------------------------------------------------------------------------


def import_graph() -> dict[str, set[str]]:
    """hiresim module -> the hiresim modules it imports (every import statement counts)."""
    known = set(ALL_MODULES)
    return {
        name: internal_edges(path.read_text(encoding="utf-8"), package_of(path), known) & known
        for name, path in ALL_MODULES.items()
    }


def strongly_connected_components(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative); each component sorted, components in no set order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph.get(succ, ())))))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return components


def one_cycle(graph: Mapping[str, set[str]], component: list[str]) -> list[str]:
    """A shortest cycle through the first module of ``component``, start repeated at the end."""
    start = component[0]
    members = set(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for succ in sorted(graph[node] & members):
                if succ == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if succ not in previous:
                    previous[succ] = node
                    following.append(succ)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover


def import_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component that has one (a self-import counts)."""
    return sorted(
        one_cycle(graph, component)
        for component in strongly_connected_components(graph)
        if len(component) > 1 or component[0] in graph[component[0]]
    )


def test_cycle_finder_finds_one_cycle_per_component():
    graph = {
        "a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(),
        "e": {"f"}, "f": {"e", "g"}, "g": {"g"}, "h": {"a"},
    }
    assert import_cycles(graph) == [["a", "b", "c", "a"], ["e", "f", "e"], ["g", "g"]]
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_import_graph_sees_lazy_and_relative_imports():
    graph = import_graph()
    assert "hiresim.model.hiring_model" in graph["hiresim.replication"]
    assert "hiresim.html_report.pages" in graph["hiresim.html_report"]  # from .pages import ...
    assert "hiresim.html_report" in graph["hiresim.console"]  # inside a function


def test_hiresim_imports_form_no_cycle():
    graph = import_graph()
    cycles = import_cycles(graph)
    components = {c[0]: c for c in strongly_connected_components(graph)}
    assert not cycles, "import cycles (one per strongly connected component):\n" + "\n".join(
        f"{' -> '.join(cycle)}   [component: {', '.join(components[cycle[0]])}]"
        for cycle in cycles)


# -- module sizes ----------------------------------------------------------------------------

MAX_MODULE_LINES = 600
MAX_CLI_LINES = 300


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("path", ALL_FILES, ids=rel)
def test_modules_are_small(path):
    limit = MAX_CLI_LINES - 1 if path == SRC / "cli.py" else MAX_MODULE_LINES
    lines = line_count(path)
    assert lines <= limit, f"{rel(path)} has {lines} lines (at most {limit})"


# -- citations ------------------------------------------------------------------------------

REPO = SRC.parents[1]
CITED_TREES = ("src", "tests", "scripts", "benchmarks", "scenarios", "docs")
CITED_FILES = ("README.md", "Makefile", "pyproject.toml", "setup.py")
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".cfg"}
OUTSIDE_PATHS = re.compile(r"\bdesign/\w+\.md|/work/share[d]|\.\./(?:shared|seed)\b")


def documented_files() -> list[Path]:
    files = [REPO / name for name in CITED_FILES if (REPO / name).exists()]
    for tree in CITED_TREES:
        files += [p for p in sorted((REPO / tree).rglob("*"))
                  if p.suffix in TEXT_SUFFIXES and p.is_file()]
    return [p for p in files if p != Path(__file__).resolve()]


def test_outside_path_pattern():
    notes = "design" + "/"  # written in two parts so this file cites nothing itself
    for cited in (f"see {notes}model.md", f"({notes}validation.md, Conservation)",
                  "/work/" + f"shared/{notes}model.md", "../" + "seed/notes", "../" + "shared/x"):
        assert OUTSIDE_PATHS.search(cited), cited
    for fine in ("docs/model.md", "docs/validation.md", "a shared queue", "seed: 7"):
        assert not OUTSIDE_PATHS.search(fine), fine


def test_nothing_cites_files_users_do_not_have():
    """Code, docs and comments cite the original sources or the repository's own docs, not
    notes outside the repository."""
    files = documented_files()
    assert REPO / "docs" / "model.md" in files and SRC / "cli.py" in files
    found = [f"{p.relative_to(REPO)}:{n}: {line.strip()}"
             for p in files
             for n, line in enumerate(
                 p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if OUTSIDE_PATHS.search(line)]
    assert not found, "cites files outside the repository:\n" + "\n".join(found)


def test_readme_layout_names_every_module() -> None:
    """A newcomer finds each module's room from README's Layout: every module of the
    package (and every model layer) is named there."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("src/hiresim/\n"):]
    block = block[:block.index("```")]
    package = root / "src" / "hiresim"
    missing = [p.name for p in package.glob("*.py")
               if p.name not in ("__init__.py", "__main__.py") and p.name not in block]
    missing += [p.stem for p in (package / "model").glob("*.py")
                if p.stem != "__init__" and p.stem not in block]
    assert not missing, f"README's Layout does not name: {missing}"
