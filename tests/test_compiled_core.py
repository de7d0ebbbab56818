"""The simulation core compiled by mypyc gives the same records as its Python sources.

The test suite runs the sources (``make test`` is an editable install, which compiles
nothing). Here a wheel is built once, as ``make fast`` and ``pip install .`` build it
(``pip wheel``, about a minute), and unpacked into a temporary directory; a child process
imports ``hiresim`` from there, checks that the core really is compiled, and runs the
shipped scenarios and random ones (the conservation tests' generator, derandomized).
Every record must be bit-identical to the same runs here on the sources. Without a C
compiler the comparison is skipped: such a machine can only install the sources.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hiresim
from hiresim.compiled import CORE_MODULES, core_mode
from hiresim.replication import run_replication
from hiresim.scenario import scenario_from_dict
from hiresim.scenario_files import load_scenario
from test_conservation import scenarios

REPO = Path(__file__).resolve().parents[1]
RANDOM_CASES = 30  # small and quick: the shipped scenarios are the workload


def _c_compiler() -> str | None:
    return shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")


def _build_env(**extra: str) -> dict[str, str]:
    """This process's environment, without what would change the build or its imports."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "HIRESIM_NO_COMPILE")}
    return {**env, "PIP_DISABLE_PIP_VERSION_CHECK": "1", **extra}


def _build_wheel(dest: Path, **env: str) -> tuple[Path, str]:
    """``pip wheel`` of a copy of the project (the working tree is left alone): the wheel
    and pip's output, in which setup.py says why it fell back to Python, if it did."""
    project = dest / "project"
    project.mkdir(parents=True)
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, project / name)
    shutil.copytree(REPO / "src", project / "src", ignore=shutil.ignore_patterns(
        "__pycache__", "*.so", "*.pyd", "*.egg-info", "_compiled.json"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps",
                           "-w", str(dest / "wheel"), str(project)],
                          capture_output=True, text=True, cwd=dest, env=_build_env(**env))
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-5000:]
    (wheel,) = (dest / "wheel").glob("hiresim-*.whl")
    return wheel, output


def _fallback_messages(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if "hiresim setup:" in line]


def _extension_of(module: str, names: list[str]) -> str | None:
    stem = module.replace(".", "/") + "."
    return next((n for n in names if n.startswith(stem) and n.endswith((".so", ".pyd"))), None)


@pytest.fixture(scope="module")
def compiled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the package as a built wheel installs it, the core compiled."""
    if _c_compiler() is None:
        pytest.skip("no C compiler: the core can only be installed as pure Python")
    work = tmp_path_factory.mktemp("compiled-core")
    wheel, output = _build_wheel(work)
    names = zipfile.ZipFile(wheel).namelist()
    missing = [m for m in CORE_MODULES if _extension_of(m, names) is None]
    assert not missing, (missing, _fallback_messages(output) or output[-3000:])
    site = work / "site"
    zipfile.ZipFile(wheel).extractall(site)
    return site


# ------------------------------------------------------------- identical results


def _exact(value: Any) -> Any:
    """A comparable form of a result: floats as exact hex (NaN equal to NaN)."""
    if isinstance(value, dict):
        return {str(k): _exact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_exact(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and type(value) is int:
        return value
    number = float(value)  # numpy scalars too
    return "nan" if math.isnan(number) else number.hex()


def run_cases(cases: list[dict]) -> list[Any]:
    """Run each case (a scenario file or dict, and a replication) with every record."""
    out = []
    for case in cases:
        if "file" in case:
            scenario = load_scenario(case["file"])
        else:
            scenario = scenario_from_dict(case["data"])
        result = run_replication(scenario, case["replication"], record_detail=True)
        out.append(_exact({
            "kpis": result.kpis, "reqs": result.reqs, "staff": result.staff,
            "snapshots": result.snapshots, "candidates": result.candidates,
            "visits": result.visits, "funnel": result.funnel,
        }))
    return out


_CHILD = """
import json, sys
site, tests, cases, out = sys.argv[1:5]
sys.path[:0] = [site, tests]
import hiresim, hiresim.model.work as work
from hiresim.compiled import core_mode
assert hiresim.__file__.startswith(site), hiresim.__file__
assert core_mode() == "compiled (mypyc)", core_mode()
assert not work.__file__.endswith(".py"), work.__file__
from test_compiled_core import run_cases
json.dump(run_cases(json.load(open(cases))), open(out, "w"))
"""


def _run_compiled(site: Path, cases: list[dict], tmp_path: Path) -> list[Any]:
    case_file, out_file = tmp_path / "cases.json", tmp_path / "out.json"
    case_file.write_text(json.dumps(cases))
    done = subprocess.run([sys.executable, "-c", _CHILD, str(site), str(REPO / "tests"),
                           str(case_file), str(out_file)],
                          capture_output=True, text=True, cwd=tmp_path, env=_build_env())
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out_file.read_text())


def _first_difference(a: Any, b: Any, where: str = "") -> str:
    if type(a) is not type(b) or not isinstance(a, (list, dict)):
        return f"{where}: {a!r} != {b!r}"
    if len(a) != len(b):
        return f"{where}: {len(a)} items != {len(b)}"
    keys = a.keys() if isinstance(a, dict) else range(len(a))
    for k in keys:
        if a[k] != b[k]:
            return _first_difference(a[k], b[k], f"{where}[{k!r}]")
    return where


def _random_cases(n: int) -> list[dict]:
    """``n`` random valid scenarios, the same every run (derandomized hypothesis)."""
    found: list[dict] = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(data=scenarios(), replication=st.integers(0, 3))
    def collect(data: dict, replication: int) -> None:
        if len(found) < n:
            found.append({"data": data, "replication": replication})

    collect()
    return found


def test_the_tests_run_the_python_sources() -> None:
    """An editable install compiles nothing; a compiled file left in src/ by an older
    build would be imported instead of its edited source."""
    leftovers = sorted(str(p.relative_to(REPO)) for p in (REPO / "src").rglob("*.so"))
    assert leftovers == [], "remove them: make clean, or find src -name '*.so' -delete"
    assert core_mode() == "pure Python (not compiled)", hiresim.__file__


def test_compiled_and_python_sources_give_identical_records(
        compiled_site: Path, tmp_path: Path) -> None:
    shipped = [{"file": str(path), "replication": 0}
               for path in sorted((REPO / "scenarios").glob("*.yaml"))]
    assert len(shipped) >= 10
    cases = shipped + _random_cases(RANDOM_CASES)
    sources = run_cases(cases)
    compiled = _run_compiled(compiled_site, cases, tmp_path)
    for case, a, b in zip(cases, compiled, sources, strict=True):
        assert a == b, (case.get("file", "random scenario"), _first_difference(a, b))
    kinds = ("reqs", "staff", "snapshots", "candidates", "visits", "funnel")
    assert all(any(r[kind] for r in sources[:len(shipped)]) for kind in kinds)
    assert sum(len(r["candidates"]) for r in sources) > 50_000  # a real workload


@pytest.mark.slow
def test_without_a_c_compiler_a_wheel_holds_the_python_sources(tmp_path: Path) -> None:
    """`pip install .` needs no C compiler to be correct: with a compiler that fails, the
    wheel holds every source and no extension, and setup.py says so once."""
    wheel, output = _build_wheel(tmp_path, CC="/bin/false")
    names = zipfile.ZipFile(wheel).namelist()
    assert [n for n in names if n.endswith((".so", ".pyd"))] == []
    for module in CORE_MODULES:
        assert module.replace(".", "/") + ".py" in names
    (message,) = _fallback_messages(output)
    assert "compiling the core failed" in message and "pure Python" in message
