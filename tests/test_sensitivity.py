"""Sensitivity of the answer to uncertain inputs: tornado, break-even, Morris, CRN."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from hiresim.experiment import Executor
from hiresim.scenario_files import UncertainInput, load_scenario
from hiresim.scenario_problems import ScenarioError
from hiresim.sensitivity import break_even, grid, sensitivity_study
from small_scenario import cli, small_dict

NULL_INPUT = "profiles[backend].annual_salary"  # the hire's salary: not used by the model
SOURCER_SALARY = "team.sourcers.annual_salary"


def _pair(tmp_path):
    """Split (1 recruiter + 1 sourcer at salary S) against combined (2 recruiters at
    100,000), same tool seats: the TA team cost breaks even at S = 100,000 exactly."""
    split = small_dict()
    split["team"]["recruiters"].update(count=1, annual_salary=100000, tool_seat_per_year=3000)
    split["team"]["sourcers"].update(count=1, annual_salary=60000, tool_seat_per_year=3000)
    split["uncertain"] = {NULL_INPUT: {"low": 100000, "high": 250000},
                          SOURCER_SALARY: {"low": 50000, "high": 180000}}
    combined = copy.deepcopy(split)
    combined["name"] = "combined"
    combined["team"]["structure"] = "combined"
    combined["team"]["recruiters"]["count"] = 2
    del combined["team"]["sourcers"]
    del combined["team"]["handoff"]
    del combined["team"]["sourcer_skill"]
    combined["uncertain"] = {NULL_INPUT: {"low": 100000, "high": 250000}}
    paths = []
    for name, data in (("combined", combined), ("split", split)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data))
        paths.append(path)
    return paths


def test_planted_break_even_and_null_input(tmp_path):
    combined, split = _pair(tmp_path)
    with Executor(1) as ex:
        report = sensitivity_study([combined, split], ex, replications=2,
                                   decision="team_cost_per_year", points=5, refine=2)
    rows = {r["input"]: r for r in report["tornado"]}
    salary = rows[SOURCER_SALARY]
    assert salary["flips"] is True
    assert salary["applies_to"] == ["split"]
    assert len(salary["break_even"]) == 1
    assert salary["break_even"][0] == pytest.approx(100000, abs=500)
    null = rows[NULL_INPUT]
    assert null["flips"] is False and null["swing"]["team_cost_per_year"] == 0
    indices = {i["input"]: i for i in report["global"]["indices"]}
    assert indices[NULL_INPUT]["mu_star"] == pytest.approx(0, abs=1e-9)
    assert indices[SOURCER_SALARY]["mu_star"] > 1000
    assert report["tornado"][0]["input"] == SOURCER_SALARY  # the widest bar first
    words = " ".join(report["statements"])
    assert "team.sourcers.annual_salary can flip the answer" in words
    assert "break-even at 1e+05" in words or "break-even at 100,000" in words


def test_same_scenario_against_itself_gives_exactly_zero(tmp_path):
    data = small_dict()
    data["uncertain"] = {"outreach.prospects_per_req_per_week": {"low": 2, "high": 8},
                         "profiles[*].sourced.reply_rate": {"low": 0.2, "high": 0.5}}
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(data))
    with Executor(1) as ex:
        report = sensitivity_study([path, path], ex, replications=3, points=3, samples=2)
    for row in report["tornado"]:
        assert all(v == 0 for v in row["swing"].values())
        assert all(p[k] == 0 for p in row["points"] for k in row["swing"])
        assert not row["flips"]
    assert all(i["mu_star"] == 0 and i["sigma"] == 0 for i in report["global"]["indices"])
    # while the same inputs do move the scenario on its own (so zero is not trivial)
    with Executor(1) as ex:
        alone = sensitivity_study([path], ex, replications=3, points=3, method="none")
    assert max(r["swing"]["fill_rate"] + r["swing"]["time_to_fill_p80"]
               for r in alone["tornado"]) > 0


def test_break_even_bisection_on_a_known_line():
    calls = []

    def f(x):
        calls.append(x)
        return 2 * x - 7  # zero at 3.5

    assert break_even(f, 0.0, -7.0, 10.0, 13.0, steps=3) == pytest.approx(3.5)
    assert len(calls) == 3
    assert break_even(lambda x: x - 3.5, 0, -3.5, 10, 6.5, steps=10, integer=True) == 4
    assert grid(UncertainInput(("x",), 1, 4, integer=True), 7) == [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("block, message", [
    ({"profiles[backend].sourced.reply_rat": {"low": 0.2, "high": 0.4}}, "unknown setting"),
    ({"profiles[backend].sourced.reply_rate": {"low": 0.5, "high": 0.4}},
     "low (0.5) is above high (0.4)"),
    ({"profiles[backend].sourced.reply_rate": {"low": 0.5, "high": 1.4}}, "high 1.4"),
    ({"profiles[nobody].sourced.reply_rate": {"low": 0.1, "high": 0.4}}, "no item named"),
    ({"profiles[backend].sourced.reply_rate": [0.1, 0.4]}, "give a range"),
])
def test_uncertain_block_errors_are_one_line(tmp_path, block, message):
    data = small_dict()
    data["uncertain"] = block
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    lines = str(err.value).splitlines()
    assert len(lines) == 1 and message in lines[0] and "uncertain" in lines[0]
    assert lines[0].startswith(f"{path}:")
    result = cli("validate", path)
    assert result.exit_code == 2 and message in result.stderr


def test_cli_sensitivity_json_and_report(tmp_path):
    combined, split = _pair(tmp_path)
    html = tmp_path / "s.html"
    result = cli("sensitivity", combined, split, "-n", "2", "--kpi", "team_cost_per_year",
                 "--points", "3", "--method", "none", "--format", "json", "--workers", "1",
                 "--report", html, "-q")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["scenarios"] == ["combined", "split"]
    text = html.read_text()
    assert "What the answer depends on" in text and "Tornado" in text
    table = cli("sensitivity", combined, split, "-n", "2", "--kpi", "team_cost_per_year",
                "--points", "3", "--method", "none", "--workers", "1", "-q")
    assert table.exit_code == 0 and SOURCER_SALARY in table.stdout
    assert "break-even" in table.stdout


@pytest.mark.slow
def test_shipped_combined_vs_split_names_what_can_flip_the_answer():
    """The issue's case: the outreach pace (20 by default, 8 in the files) can flip
    combined vs split; sensitivity must name it with a break-even inside its range."""
    from small_scenario import REPO

    files = [REPO / "scenarios" / "combined.yaml", REPO / "scenarios" / "split.yaml"]
    with Executor(2) as ex:
        report = sensitivity_study(files, ex, replications=8, points=3, refine=2,
                                   method="none")
    rows = {r["input"]: r for r in report["tornado"]}
    assert set(rows) == {"outreach.prospects_per_req_per_week",
                         "candidates.acceptance_drop_per_week",
                         "team.recruiter_skill.reply_rate_multiplier"}
    for row in rows.values():
        if row["flips"]:
            assert all(row["low"] <= b <= row["high"] for b in row["break_even"])
            assert f"{row['input']} can flip the answer" in " ".join(report["statements"])
    assert rows["outreach.prospects_per_req_per_week"]["flips"]
