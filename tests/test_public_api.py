"""The public names of the Python API: ``hiresim.sweep`` is the API function (no module of
that name shadows it), whatever was imported before, and ``from hiresim.api import sweep``
is the same function."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import yaml

from small_scenario import small_dict

SRC = Path(__file__).resolve().parents[1] / "src"


def test_no_module_named_hiresim_sweep() -> None:
    assert importlib.util.find_spec("hiresim.sweep_grid") is not None
    assert importlib.util.find_spec("hiresim.sweep") is None


def test_hiresim_sweep_is_the_api_function_after_the_grid_modules_load(tmp_path: Path) -> None:
    data = small_dict()
    data["sweep"] = {"team.sourcers.count": [1, 2]}
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(data))
    # a fresh interpreter: the modules the sweep uses are imported first (as any other API
    # call or the report does), then the package attribute is called
    program = f"""
import json, sys
import hiresim
import hiresim.studies, hiresim.sweep_grid, hiresim.summary_table, hiresim.html_report.data
from hiresim.api import sweep
assert hiresim.sweep is sweep, hiresim.sweep
sw = hiresim.sweep({str(path)!r}, replications=2)
print(json.dumps(sorted(row["point"] for row in sw.report["points"])))
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}, check=False)
    assert done.returncode == 0, done.stderr
    points = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(points) == 2
