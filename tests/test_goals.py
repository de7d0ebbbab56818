"""Goals (``--goal 'METRIC OP VALUE'``): parsing, per-replication checks, the probability of
meeting a goal with its Wilson interval, and the command line around them."""

from __future__ import annotations

import json
import math
import operator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from hiresim.experiment import run_replications
from hiresim.goals import Goal, GoalError, goal_probability, parse_goal, wilson
from hiresim.kpi_catalogue import CATALOGUE, KPI_NAMES
from hiresim.replication import run_replication
from hiresim.scenario import Scenario
from small_scenario import SEED, cli

REPO = Path(__file__).resolve().parents[1]
KNOWN = set(KPI_NAMES)
OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


# ----------------------------------------------------------------- parsing

@pytest.mark.parametrize("text, column, op, value", [
    ("fill_rate>=0.9", "fill_rate", ">=", 0.9),
    ("  hires >= 40  ", "hires", ">=", 40.0),
    ("time_to_fill_days.p80<=60", "time_to_fill_p80", "<=", 60.0),
    ("time_to_fill_days.p90 < 75.5", "time_to_fill_p90", "<", 75.5),
    ("time_to_fill_days.p50<45", "time_to_fill_p50", "<", 45.0),
    ("time_to_fill_days<=45", "time_to_fill_p50", "<=", 45.0),  # the median
    ("cost_per_hire<.5", "cost_per_hire", "<", 0.5),
    ("utilization_recruiter>-1", "utilization_recruiter", ">", -1.0),
    ("withdrawal_rate>+0.25", "withdrawal_rate", ">", 0.25),
])
def test_goals_parse(text: str, column: str, op: str, value: float) -> None:
    goal = parse_goal(text, KNOWN)
    assert (goal.column, goal.op, goal.value) == (column, op, value)
    assert goal.text == text.strip()


@pytest.mark.parametrize("text", [
    "", "fill_rate", "fill_rate=0.9", "fill_rate==0.9", "fill_rate=>0.9", "fill_rate!=1",
    "0.9<=fill_rate", "fill_rate>=ninety", "fill_rate>=90%", "fill rate>=0.9",
    "fill_rate>=0.9 and hires>=3", "fill_rate>=0.9;", ">=0.9", "fill_rate>=",
])
def test_unreadable_goals_are_refused(text: str) -> None:
    with pytest.raises(GoalError, match="cannot read goal"):
        parse_goal(text, KNOWN)


@pytest.mark.parametrize("text", ["speed>=3", "time_to_fill_days.p95<=60", "Fill_rate>=0.9",
                                  "time_to_fill>=3", "hires_total>=1"])
def test_unknown_metrics_are_refused(text: str) -> None:
    with pytest.raises(GoalError, match="unknown metric") as err:
        parse_goal(text, KNOWN)
    assert "valid metrics: time_to_fill_days, " in str(err.value)  # the names are listed
    with pytest.raises(GoalError, match="unknown metric"):
        parse_goal(text)  # the catalogue decides, not the caller's list


def test_an_unknown_metric_gets_the_nearest_names() -> None:
    with pytest.raises(GoalError, match=r"did you mean 'time_to_fill_p80'"):
        parse_goal("time_to_fil_p80<=60")
    with pytest.raises(GoalError, match=r"did you mean 'fill_rate'"):
        parse_goal("Fill_rate>=0.9")


def test_a_metric_missing_from_saved_results_is_refused() -> None:
    with pytest.raises(GoalError, match="not in these results"):
        parse_goal("hires>=1", {"fill_rate"})


def test_every_kpi_can_be_a_goal_and_every_kpi_is_per_replication(small: Scenario) -> None:
    for kpi in CATALOGUE:
        if kpi.goal:
            assert parse_goal(f"{kpi.name}>=0", KNOWN).column == kpi.name
        else:  # bookkeeping counts such as reqs_opened are not goals
            with pytest.raises(GoalError, match="unknown metric"):
                parse_goal(f"{kpi.name}>=0", KNOWN)
    # accepted names are exactly the columns a replication has: no goal can miss its column
    assert set(run_replication(small, 0, SEED).kpis) == KNOWN


# ----------------------------------------------------------------- checking and probability

@pytest.mark.parametrize("op, expected", [
    ("<=", [True, True, False, False]),
    ("<", [True, False, False, False]),
    (">=", [False, True, True, False]),
    (">", [False, False, True, False]),
])
def test_goal_met_per_replication_with_nan_never_meeting(op: str,
                                                         expected: list[bool]) -> None:
    frame = pd.DataFrame({"time_to_fill_p80": [59.9, 60.0, 60.1, math.nan]})
    goal = parse_goal(f"time_to_fill_days.p80{op}60", KNOWN)
    assert list(goal.met(frame)) == expected
    result = goal_probability(goal, frame)
    assert result["probability"] == sum(expected) / 4 and result["replications"] == 4


@pytest.mark.parametrize("k, n", [(0, 1), (1, 1), (8, 10), (0, 10), (10, 10), (87, 200),
                                  (1, 1000), (999, 1000)])
def test_wilson_interval_matches_scipy(k: int, n: int) -> None:
    expected = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson(k, n)
    assert low == pytest.approx(float(expected.low), abs=1e-12)
    assert high == pytest.approx(float(expected.high), abs=1e-12)


def test_probability_of_nothing_is_unknown() -> None:
    assert all(math.isnan(x) for x in wilson(0, 0))
    result = goal_probability(parse_goal("hires>=1"), pd.DataFrame({"hires": []}))
    assert result["probability"] is None and result["replications"] == 0


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 5000), data=st.data())
def test_wilson_interval_is_a_proper_interval(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    low, high = wilson(k, n)
    assert 0.0 <= low < high <= 1.0
    assert low - 1e-12 <= k / n <= high + 1e-12  # (exactly: see the test below)


def test_wilson_interval_contains_the_estimate_at_none_and_all() -> None:
    for n in (3, 10, 13, 200):
        assert wilson(0, n)[0] == 0.0
        assert wilson(n, n)[1] == 1.0


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(math.nan)), min_size=1,
                       max_size=60),
       op=st.sampled_from(sorted(OPS)),
       threshold=st.floats(-1e6, 1e6))
def test_probability_is_the_share_of_replications_meeting_the_goal(
        values: list[float], op: str, threshold: float) -> None:
    goal = Goal(text="x", column="hires", op=op, value=threshold)
    result = goal_probability(goal, pd.DataFrame({"hires": values}))
    meets = [not math.isnan(v) and OPS[op](v, threshold) for v in values]
    assert result["probability"] == sum(meets) / len(values)
    assert (result["ci_low"], result["ci_high"]) == wilson(sum(meets), len(values))


# ----------------------------------------------------------------- command line

def test_cli_goal_probability_is_the_share_in_replications_parquet(small: Scenario,
                                                                   small_file: Path,
                                                                   tmp_path: Path) -> None:
    n = 16
    kpis = pd.DataFrame([r.kpis for r in run_replications(small, n, SEED)])
    # thresholds in the middle of the spread, so that the shares are not all 0 or 1
    cost = float(kpis["cost_per_hire"].median())
    p80 = float(np.nanmedian(kpis["time_to_fill_p80"]))
    goals = [f"cost_per_hire<={cost}", f"time_to_fill_days.p80<={p80}",
             f"time_to_hire_days>{kpis['time_to_hire_days'].median()}"]
    args = ["run", small_file, "-n", n, "--workers", 2, "--out", tmp_path / "g"]
    for g in goals:
        args += ["--goal", g]
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    reported = json.loads(result.stdout)["goals"]
    table = pd.read_parquet(tmp_path / "g" / "replications.parquet")
    assert len(table) == n
    columns = ["cost_per_hire", "time_to_fill_p80", "time_to_hire_days"]
    shares = []
    for g, column, got in zip(goals, columns, reported, strict=True):
        op = next(o for o in ("<=", ">=", "<", ">") if o in g)
        threshold = float(g.split(op)[1])
        meets = [not math.isnan(v) and OPS[op](v, threshold) for v in table[column]]
        assert got["goal"] == g and got["replications"] == n
        assert got["probability"] == sum(meets) / n
        interval = binomtest(sum(meets), n).proportion_ci(method="wilson")
        assert got["ci_low"] == pytest.approx(float(interval.low), abs=1e-12)
        assert got["ci_high"] == pytest.approx(float(interval.high), abs=1e-12)
        shares.append(got["probability"])
    assert any(0 < s < 1 for s in shares)  # the check had something to count
    # the table form says the same in words
    text = cli("run", small_file, "-n", n, "--workers", 1, "--goal", goals[0])
    assert text.exit_code == 0
    assert f"meets {goals[0]} in {100 * shares[0]:.0f}% of replications" in text.stdout
    assert f"n={n}" in text.stdout


@pytest.mark.parametrize("goal, message", [
    ("fill_rate=>0.9", "cannot read goal"),
    ("fill_rate", "cannot read goal"),
    ("speed>=3", "unknown metric 'speed'"),
    ("time_to_fill_days.p95<=60", "unknown metric"),
])
def test_cli_refuses_bad_goals_before_simulating(small_file: Path, tmp_path: Path,
                                                 goal: str, message: str) -> None:
    result = cli("run", small_file, "-n", 500, "--workers", 1, "--goal", "hires>=1",
                 "--goal", goal, "--out", tmp_path / "never")
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "never").exists()  # refused before anything ran
