"""Comparisons and sweeps: common random numbers, exact zeros, and points equal to runs.

- A scenario compared with itself, with a copy whose keys are reordered, or with a copy
  that only has another name, differs by exactly zero in every KPI.
- Common random numbers reduce variance: for two staffing levels of the same plan, the
  variance of the paired difference is well below the sum of the two variances (what two
  independent runs would give).
- A sweep point equals the same scenario run alone with the same seed, bit for bit.
- The report commands work from the CLI.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import yaml
from click.testing import CliRunner

from hiresim.cli import main
from hiresim.comparison import compare_kpis, variance_ratio
from hiresim.experiment import Executor
from hiresim.replication import run_replication
from hiresim.scenario_files import expand_grid, load_scenario
from hiresim.studies import run_all

ROOT = Path(__file__).resolve().parents[1]
SHORT = ["simulation.horizon_days=150"]


def _small_split(tmp_path: Path, name: str = "small", reorder: bool = False) -> Path:
    data = yaml.safe_load((ROOT / "scenarios" / "split.yaml").read_text())
    data["simulation"]["horizon_days"] = 150
    data["name"] = name
    if reorder:
        data = dict(reversed(list(data.items())))
        data["team"] = dict(reversed(list(data["team"].items())))
    path = tmp_path / f"{name}-{int(reorder)}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_scenario_against_itself_reordered_or_renamed_differs_by_exactly_zero(
        tmp_path: Path) -> None:
    files = [_small_split(tmp_path), _small_split(tmp_path, reorder=True),
             _small_split(tmp_path, name="renamed")]
    scenarios = [load_scenario(f) for f in files]
    with Executor(1) as ex:
        outcomes = run_all(scenarios, 4, 11, ex)
    diffs = compare_kpis([o.kpis for o in outcomes], ["a", "b", "c"])
    for other in ("b", "c"):
        assert diffs[other], other
        for kpi, d in diffs[other].items():
            if d["n"] == 0:
                continue
            assert d["mean"] == 0.0, (other, kpi, d)
            if d["n"] >= 2:  # one pair has no interval
                assert d["ci_low"] == 0.0 and d["ci_high"] == 0.0, (other, kpi, d)


def test_common_random_numbers_reduce_the_variance_of_differences() -> None:
    base = load_scenario(ROOT / "scenarios" / "split.yaml", SHORT)
    more = load_scenario(ROOT / "scenarios" / "split.yaml",
                         [*SHORT, "team.recruiters.count=3"])
    with Executor(1) as ex:
        a, b = run_all([base, more], 12, 5, ex)
    for kpi in ("contacted", "applicants", "cost_per_hire"):
        ratio = variance_ratio(a.kpis.set_index("replication")[kpi],
                               b.kpis.set_index("replication")[kpi])
        assert ratio < 0.5, (kpi, ratio)


def test_a_sweep_point_equals_the_same_scenario_run_alone(tmp_path: Path) -> None:
    points = expand_grid(ROOT / "scenarios" / "split.yaml",
                         ["team.recruiters.count=1,2"], SHORT)
    point = next(p for p in points if p.name == "split-r1")
    alone = load_scenario(ROOT / "scenarios" / "split.yaml",
                          [*SHORT, "team.recruiters.count=1"])
    assert point.scenario.model_dump() == alone.model_copy(
        update={"name": "split-r1"}).model_dump()
    with Executor(1) as ex:
        swept = run_all([p.scenario for p in points], 2, 3, ex)
    by_name = {p.name: o for p, o in zip(points, swept, strict=True)}
    for k in (0, 1):
        solo = run_replication(alone, k, 3)
        row = by_name["split-r1"].kpis.iloc[k].drop(["scenario", "replication", "seed"])
        row = {key: float(v) for key, v in row.items()}  # counts are stored as integers
        assert pickle.dumps(row) == pickle.dumps(
            {key: float(v) for key, v in solo.kpis.items()})


def test_report_command_and_report_option(tmp_path: Path) -> None:
    runner = CliRunner()
    small = _small_split(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(main, ["run", str(small), "-n", "2", "--workers", "1", "--out",
                                  str(out), "-q"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["report", str(out), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "r.html").read_text()
    assert "<html" in html.lower() and "small" in html
    result = runner.invoke(main, ["run", str(small), "-n", "2", "--workers", "1", "-q",
                                  "--report", str(tmp_path / "direct.html")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "direct.html").stat().st_size > 100_000  # plotly.js embedded
    result = runner.invoke(main, ["report", str(tmp_path / "nothing-here")])
    assert result.exit_code == 2
    assert result.output.count("\n") <= 2 and "Traceback" not in result.output
