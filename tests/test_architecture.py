"""The direction of imports (design/architecture.md), enforced on the source text.

- ``model/`` is SimPy only: it never imports pandas, plotly, click or yaml.
- ``metrics`` and the report code never import simpy (they work on records); nor do the
  statistics they share (``intervals``) or the goals and comparisons built on them.
- Nothing imports the CLI (``__main__`` is the CLI's own entry point).

Every import statement counts, including those inside functions and ``TYPE_CHECKING``
blocks: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "hiresim"


def module_imports(text: str, package: str) -> set[str]:
    """Absolute names of every module that an import statement in ``text`` refers to, for a
    module of ``package`` (relative imports are resolved against it)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def imported_modules(path: Path) -> set[str]:
    package = ".".join(("hiresim", *path.relative_to(SRC).parent.parts))
    return module_imports(path.read_text(encoding="utf-8"), package)


def top_level(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def python_files(*parts: str) -> list[Path]:
    base = SRC.joinpath(*parts)
    return sorted(base.rglob("*.py")) if base.is_dir() else [base] if base.exists() else []


def rel(path: Path) -> str:
    return str(path.relative_to(SRC.parent))


def test_import_scanner_sees_every_kind_of_import():
    text = (
        "import numpy as np\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    import pandas.api\ndef f():\n    from yaml import safe_load\n"
        "from . import candidates\nfrom ..cli import main\n"
    )
    names = module_imports(text, "hiresim.model")
    assert {"numpy", "pandas", "yaml", "hiresim"} <= top_level(names)
    assert {"hiresim.model.candidates", "hiresim.cli", "hiresim.cli.main"} <= names


MODEL_FILES = python_files("model")
FORBIDDEN_IN_MODEL = {"pandas", "plotly", "click", "yaml"}


def test_model_package_exists():
    assert {p.name for p in MODEL_FILES} >= {"__init__.py", "work.py", "candidates.py",
                                             "requisitions.py", "hiring_model.py"}


@pytest.mark.parametrize("path", MODEL_FILES, ids=rel)
def test_model_never_imports_io_or_presentation_libraries(path):
    found = top_level(imported_modules(path)) & FORBIDDEN_IN_MODEL
    assert not found, f"{rel(path)} imports {sorted(found)}"


def modules_loaded_by(statement: str) -> set[str]:
    """Every module a fresh interpreter has loaded after running ``statement``."""
    code = f"import sys\n{statement}\nprint(','.join(sorted(sys.modules)))\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.strip().split(","))


def test_model_imports_load_no_pandas_plotly_or_click():
    """Also transitively: importing the model (and running a replication's code path)
    must not drag pandas, plotly or click in, e.g. through a helper module."""
    loaded = modules_loaded_by("import hiresim.model.hiring_model, hiresim.replication")
    bad = sorted({"pandas", "plotly", "click"} & top_level(loaded))
    assert not bad, f"loaded by the model: {bad}"


NO_SIMPY = python_files("metrics.py") + python_files("report") + [
    p for p in SRC.glob("report*.py")] + python_files("summary_table.py") + python_files(
    "intervals.py") + python_files("goals.py") + python_files("comparison.py")


def test_metrics_exists():
    assert SRC / "metrics.py" in NO_SIMPY
    assert SRC / "intervals.py" in NO_SIMPY


def test_shared_statistics_load_no_simpy():
    """The report uses hiresim.intervals, so it must not drag SimPy in, even transitively."""
    loaded = modules_loaded_by("import hiresim.intervals, hiresim.summary_table")
    bad = sorted(m for m in loaded if m == "simpy" or m.startswith(("simpy.", "hiresim.model")))
    assert not bad, f"loaded by hiresim.intervals or hiresim.summary_table: {bad}"


@pytest.mark.parametrize("path", NO_SIMPY, ids=rel)
def test_metrics_and_report_never_import_simpy(path):
    names = imported_modules(path)
    assert "simpy" not in top_level(names), f"{rel(path)} imports simpy"
    model = sorted(n for n in names if n.startswith("hiresim.model"))
    assert not model, f"{rel(path)} imports the SimPy model: {model}"


ALL_FILES = sorted(SRC.rglob("*.py"))


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
