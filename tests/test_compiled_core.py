"""The simulation core compiled with mypyc against its Python sources (setup.py).

Compiled or from sources, a replication must give bit-identical records: the shipped
scenarios and random ones (the conservation tests' generator) run here in-process, on
the compiled core, and in a child process with ``HIRESIM_PURE=1``. The test files that
look at Python internals (generator frames) also run on the sources.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hiresim
from hiresim.compiled import MANIFEST, PURE_ENV, core_mode
from hiresim.replication import run_replication
from hiresim.scenario import scenario_from_dict
from hiresim.scenario_files import load_scenario
from test_conservation import scenarios

REPO = Path(__file__).resolve().parents[1]
SRC = Path(hiresim.__file__).resolve().parents[1]
COMPILED = core_mode().startswith("compiled")
needs_compiled = pytest.mark.skipif(not COMPILED, reason=f"core is {core_mode()}")


def _c_compiler() -> str | None:
    return shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")


def test_the_core_is_compiled_where_a_c_compiler_is() -> None:
    """`make venv` (pip install -e .) compiles the core; a stale build is reported here."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        pytest.skip(f"{PURE_ENV} is set")
    if _c_compiler() is None:
        pytest.skip("no C compiler: the core is installed as pure Python")
    assert COMPILED, (f"the core runs as {core_mode()}: rebuild it with `make venv` or "
                      "`pip install -e .`")
    import hiresim.model.work as work
    assert Path(work.__file__).suffix != ".py"


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


def _run_on_sources(cases: list[dict], tmp_path: Path) -> list[Any]:
    case_file, out_file = tmp_path / "cases.json", tmp_path / "out.json"
    case_file.write_text(json.dumps(cases))
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[3]);"
        "from hiresim.compiled import core_mode;"
        "assert core_mode().startswith('pure'), core_mode();"
        "from test_compiled_core import run_cases;"
        "json.dump(run_cases(json.load(open(sys.argv[1]))), open(sys.argv[2], 'w'))"
    )
    env = {**os.environ, PURE_ENV: "1"}
    subprocess.run([sys.executable, "-c", code, str(case_file), str(out_file),
                    str(REPO / "tests")], check=True, env=env, cwd=REPO)
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


@needs_compiled
def test_compiled_and_python_sources_give_identical_records(tmp_path: Path) -> None:
    shipped = [{"file": str(path), "replication": k}
               for path in sorted((REPO / "scenarios").glob("*.yaml")) for k in (0,)]
    cases = shipped + _random_cases(30)
    compiled = run_cases(cases)
    sources = _run_on_sources(cases, tmp_path)
    for case, a, b in zip(cases, compiled, sources, strict=True):
        assert a == b, (case.get("file", "random scenario"), _first_difference(a, b))
    assert sum(len(r["candidates"]) for r in compiled) > 50_000  # a real workload


@needs_compiled
def test_journey_tests_pass_on_the_python_sources() -> None:
    """test_journey looks at suspended generators, which only the sources show."""
    env = {**os.environ, PURE_ENV: "1"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_journey.py", "tests/test_traces.py"],
                          env=env, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


# ------------------------------------------------------------- choosing the form


def _core_mode_in(path: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    code = ("import hiresim.model.work as w; from hiresim.compiled import core_mode;"
            "print(core_mode()); print(w.__file__)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(path), **(env or {})},
                          cwd=path)


def _copy_of_the_package(tmp_path: Path) -> Path:
    """The installed package (sources, extensions, manifest) copied to tmp_path/src."""
    dest = tmp_path / "src"
    shutil.copytree(SRC / "hiresim", dest / "hiresim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for lib in SRC.glob("hiresim_core__mypyc*"):
        shutil.copy2(lib, dest / lib.name)
    return dest


@needs_compiled
def test_hiresim_pure_runs_the_sources() -> None:
    done = _core_mode_in(SRC, {PURE_ENV: "1"})
    mode, module = done.stdout.splitlines()
    assert mode == f"pure Python ({PURE_ENV} is set)"
    assert module.endswith("work.py")
    assert "Warning" not in done.stderr  # asked for: no warning


@needs_compiled
def test_a_stale_build_runs_the_sources_and_says_so(tmp_path: Path) -> None:
    src = _copy_of_the_package(tmp_path)
    fresh = _core_mode_in(src)
    assert fresh.stdout.splitlines()[0] == "compiled (mypyc)", fresh.stderr
    work = src / "hiresim" / "model" / "work.py"
    work.write_text(work.read_text() + "\n# an edit after the build\n")
    stale = _core_mode_in(src)
    mode, module = stale.stdout.splitlines()
    assert mode == "pure Python (work.py changed since the core was compiled)"
    assert module == str(work)
    assert "StaleCoreWarning: hiresim: work.py changed since the core was compiled" \
        in stale.stderr
    assert "make venv" in stale.stderr


@needs_compiled
def test_a_build_without_its_shared_library_runs_the_sources(tmp_path: Path) -> None:
    src = _copy_of_the_package(tmp_path)
    for lib in src.glob("hiresim_core__mypyc*"):
        lib.unlink()
    done = _core_mode_in(src)
    assert done.stdout.splitlines()[0] == \
        "pure Python (the compiled core's shared library is missing)", done.stderr


@needs_compiled
def test_compiled_modules_without_their_manifest_run_the_sources(tmp_path: Path) -> None:
    """Without the record of what was compiled from which source, staleness is unknown."""
    src = _copy_of_the_package(tmp_path)
    (src / "hiresim" / MANIFEST.name).unlink()
    done = _core_mode_in(src)
    assert done.stdout.splitlines()[0] == \
        "pure Python (the compiled core has no record of its sources (_compiled.json))"
    assert "StaleCoreWarning" in done.stderr


def test_a_pure_python_install_runs_the_sources_quietly(tmp_path: Path) -> None:
    src = _copy_of_the_package(tmp_path)
    (src / "hiresim" / MANIFEST.name).unlink(missing_ok=True)
    for ext in list(src.rglob("*.so")) + list(src.rglob("*.pyd")):
        ext.unlink()
    done = _core_mode_in(src)
    assert done.stdout.splitlines() == ["pure Python (not compiled)",
                                        str(src / "hiresim" / "model" / "work.py")]
    assert done.stderr == ""


@pytest.mark.slow
@needs_compiled
def test_a_wheel_carries_the_compiled_core_and_leaves_the_working_tree_alone(
        tmp_path: Path) -> None:
    """`pip wheel .` (about a minute): extensions and manifest in the wheel; the editable
    install's manifest in src/ is untouched (a wheel build once deleted it)."""
    import zipfile

    before = MANIFEST.read_bytes()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(tmp_path), str(REPO)], check=True, cwd=tmp_path)
    assert MANIFEST.read_bytes() == before
    (wheel,) = tmp_path.glob("hiresim-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "hiresim/_compiled.json" in names
    manifest = json.loads(zipfile.ZipFile(wheel).read("hiresim/_compiled.json"))
    assert json.loads(before)["modules"] == manifest["modules"]
    for module in manifest["modules"]:
        stem = module.replace(".", "/")
        assert any(n.startswith(stem + ".") and n.endswith((".so", ".pyd")) for n in names)
        assert stem + ".py" in names
    assert any(n.startswith("hiresim_core__mypyc") for n in names)


def test_make_rebuilds_the_core_when_a_compiled_source_changes() -> None:
    """The venv stamp in the Makefile depends on every compiled module's source, so that
    `make test` and `make demo` recompile after an edit (the list is in hiresim.compiled)."""
    import fnmatch
    import re

    from hiresim.compiled import CORE_MODULES

    makefile = (REPO / "Makefile").read_text()
    core = re.search(r"^CORE\s*:=\s*(.+)$", makefile, re.M)
    assert core, "Makefile has no CORE list"
    patterns = [p.removeprefix("$(wildcard ").removesuffix(")") for p in core[1].split()]
    assert re.search(r"^\$\(STAMP\):.*\$\(CORE\)", makefile, re.M)
    for module in CORE_MODULES:
        path = f"src/{module.replace('.', '/')}.py"
        assert any(fnmatch.fnmatch(path, p) for p in patterns), (path, patterns)
    assert any(fnmatch.fnmatch("setup.py", p) for p in patterns)
