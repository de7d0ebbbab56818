"""The example notebook (examples/first_hour.py, jupytext percent format) runs as a script:
a scenario, a comparison and a sweep through the Python API, and the report's figures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_example_notebook_runs_and_draws_the_report_figures() -> None:
    script = ROOT / "examples" / "first_hour.py"
    assert script.read_text().count("# %%") >= 6  # cells a notebook front end opens
    env = {**os.environ, "HIRESIM_EXAMPLE_REPLICATIONS": "4",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    counts = [int(n) for n in re.findall(r"^(\d+) figures \(", done.stdout, re.MULTILINE)]
    assert len(counts) == 3 and all(n >= 3 for n in counts), done.stdout
    assert "recommended:" in done.stdout and "Cost per hire" in done.stdout
