"""The conclusions documented in scenarios/README.md hold on another seed.

scripts/scenario_findings.py writes scenarios/findings.json: the differences it reports as
clear (beyond 4 standard errors) and the teams it recommends. Here each claim is re-run on
a different root seed with fewer replications: a difference must keep its sign, and a
recommended team must still meet its goals with a probability no more than 4 binomial
standard errors below the required confidence.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from hiresim.experiment import Executor
from hiresim.goals import parse_goal
from hiresim.scenario_files import expand_grid, load_scenario
from hiresim.studies import compare_study, sweep_study

ROOT = Path(__file__).resolve().parents[1]
FINDINGS_FILE = ROOT / "scenarios" / "findings.json"
FINDINGS = (json.loads(FINDINGS_FILE.read_text()) if FINDINGS_FILE.is_file()
            else {"seed": 0, "claims": []})
OTHER_SEED = FINDINGS["seed"] + 7919
N = 40


def _claims(kind: str) -> list[dict]:
    return [c for c in FINDINGS["claims"] if c["kind"] == kind]


def test_findings_document_the_shipped_files() -> None:
    assert FINDINGS_FILE.is_file(), "run scripts/scenario_findings.py (make findings)"
    readme = (ROOT / "scenarios" / "README.md").read_text()
    for claim in FINDINGS["claims"]:
        for f in claim["files"]:
            assert (ROOT / f).is_file(), f
            assert f"`{f}`" in readme
    assert FINDINGS["claims"], "the findings script stated no conclusion at all"


@pytest.mark.slow
@pytest.mark.parametrize("claim", _claims("difference"),
                         ids=lambda c: f"{c['question']}-{c['other']}-{c['kpi']}")
def test_difference_keeps_its_sign_on_another_seed(claim: dict) -> None:
    if claim.get("points"):
        grid = {p.name: p.scenario for p in expand_grid(ROOT / claim["files"][0])}
        names = [claim["baseline"], claim["other"]]
        scenarios = [grid[n] for n in names]
    else:
        sets = claim.get("sets") or [[] for _ in claim["files"]]  # per file --set overrides
        scenarios = [load_scenario(ROOT / f, own) for f, own in zip(claim["files"], sets,
                                                                     strict=True)]
        by_name = {s.name: s for s in scenarios}
        scenarios = [by_name[claim["baseline"]], by_name[claim["other"]]]
    with Executor(2) as ex:
        report = compare_study(scenarios, N, OTHER_SEED, ex).report
    diff = report["differences"][claim["other"]][claim["kpi"]]
    assert diff["mean"] is not None
    if claim["direction"] == "lower":
        assert diff["mean"] < 0, diff
    else:
        assert diff["mean"] > 0, diff


@pytest.mark.slow
@pytest.mark.parametrize("claim", _claims("recommended"), ids=lambda c: c["question"])
def test_recommended_team_meets_its_goals_on_another_seed(claim: dict) -> None:
    points = [p for p in expand_grid(ROOT / claim["files"][0]) if p.name == claim["point"]]
    goals = [parse_goal(g) for g in claim["goals"]]
    with Executor(2) as ex:
        report = sweep_study(points, N, OTHER_SEED, ex, goals, claim["confidence"]).report
    p = report["points"][0]["goal_probability"]
    target = claim["confidence"]
    se = math.sqrt(target * (1 - target) / N)
    assert p >= target - 4 * se, (p, target)

