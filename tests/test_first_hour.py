"""A newcomer's first hour: ``hiresim init``, the scenario JSON Schema, messages a person
understands, shell completion."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hiresim.cli import main
from hiresim.init_scenario import (
    MARKER,
    Answers,
    InitError,
    default_start_date,
    parse_roles,
    scenario_text,
)
from hiresim.scenario_files import load_scenario
from hiresim.scenario_problems import ScenarioError
from hiresim.schema import SCHEMA_FILE, generate_schema, schema_text, shipped_schema

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a dev dependency")


def cli(*args: object, input: str | None = None) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


# ---------------------------------------------------------------- hiresim init

def test_init_non_interactive_writes_a_file_that_validates_and_runs(tmp_path: Path) -> None:
    target = tmp_path / "team.yaml"
    result = cli("init", target, "--non-interactive", "--roles", "backend=6,data=2",
                 "--start-date", "2027-01-01", "--from", "2027-02", "--to", "2027-06",
                 "--structure", "split", "--recruiters", 3, "--sourcers", 2,
                 "--recruiter-salary", 110000, "--sourcer-salary", 90000)
    assert result.exit_code == 0, result.stderr
    text = target.read_text()
    assert text.splitlines()[0] == MARKER
    assert "not supported" not in text
    raw = yaml.safe_load(text)
    assert raw["simulation"]["start_date"] == "2027-01-01"
    # the months are written as given (no day numbers that an edit could contradict)
    assert raw["profiles"][0]["openings"] == {**raw["profiles"][0]["openings"],
                                              "from": "2027-02", "to": "2027-06"}
    assert "first_day" not in raw["profiles"][0]["openings"]
    scenario = load_scenario(target)
    assert scenario.name == "team"
    assert scenario.simulation.start_date == "2027-01-01"
    # 1 February is day 31; 30 June, the last day of the last month, is day 180
    assert [(p.name, p.openings.count, p.openings.first_day, p.openings.last_day)
            for p in scenario.profiles] == [("backend", 6, 31, 180), ("data", 2, 31, 180)]
    assert (scenario.team.recruiters.count, scenario.team.sourcers.count) == (3, 2)
    assert scenario.team.recruiters.annual_salary == 110000
    lines = {line.split(":")[0].strip(): line for line in text.splitlines()
             if not line.startswith("#")}
    # asked values carry no mark; every other value is a marked default with its source
    assert "#" not in lines["structure"] and "#" not in lines["start_date"]
    assert "#" not in lines["from"] and "#" not in lines["to"]
    assert "# default; source: benchmark: BLS ECEC" in lines["benefits_load"]
    assert "# default" in lines["touches"] and "# default" in lines["horizon_days"]
    values = [line for line in text.splitlines() if not line.startswith("#")
              and line.rstrip().endswith(tuple("0123456789}]el"))
              and "name:" not in line]
    assert all("# default" in line or line.split(":")[0].strip() in
               {"structure", "count", "annual_salary", "from", "to"}
               for line in values), [v for v in values if "# default" not in v][:3]
    run = cli("run", target, "-n", 2, "--workers", 1, "--quiet",
              "--set", "simulation.horizon_days=240")
    assert run.exit_code == 0, run.stderr
    assert "Cost per hire" in run.stdout


def test_init_takes_day_numbers_for_scripts(tmp_path: Path) -> None:
    target = tmp_path / "days.yaml"
    result = cli("init", target, "--non-interactive", "--roles", "qa=2",
                 "--start-date", "2027-03-01", "--first-day", 10, "--last-day", 120)
    assert result.exit_code == 0, result.stderr
    openings = yaml.safe_load(target.read_text())["profiles"][0]["openings"]
    assert (openings["first_day"], openings["last_day"]) == (10, 120)
    assert "from" not in openings and "to" not in openings
    assert load_scenario(target).simulation.start_date == "2027-03-01"
    both = cli("init", tmp_path / "both.yaml", "--non-interactive", "--first-day", 10,
               "--from", "2027-03", "--start-date", "2027-03-01")
    assert both.exit_code == 2 and "not both" in both.stderr
    assert not (tmp_path / "both.yaml").exists()


def test_init_defaults_to_six_months_from_the_first_day_of_next_month(tmp_path: Path) -> None:
    assert default_start_date(dt.date(2026, 12, 7)) == "2027-01-01"
    assert default_start_date(dt.date(2027, 1, 31)) == "2027-02-01"
    target = tmp_path / "plain.yaml"
    assert cli("init", target, "--non-interactive").exit_code == 0
    scenario = load_scenario(target)
    start = dt.date.fromisoformat(scenario.simulation.start_date)
    assert start == dt.date.fromisoformat(default_start_date()) and start.day == 1
    openings = scenario.profiles[0].openings
    assert openings.first_day == 0
    six_months = dt.date(start.year + (start.month > 6), (start.month + 5) % 12 + 1, 1)
    assert openings.last_day == (six_months - start).days - 1


def test_init_asks_what_flags_leave_out(tmp_path: Path) -> None:
    target = tmp_path / "asked.yaml"
    # start date given; the months take their defaults (the start month and five after)
    answers = "backend=4, ml=1\n2027-03-01\n\n\ncombined\n2\n100000\n"
    result = cli("init", target, input=answers)
    assert result.exit_code == 0, result.stderr
    assert "Recruiters today" in result.stdout and "Sourcers today" not in result.stdout
    assert "open in month (YYYY-MM) [2027-03]" in result.stdout
    assert "open in month (YYYY-MM) [2027-08]" in result.stdout
    assert "open on day" not in result.stdout  # months, not day numbers
    scenario = load_scenario(target)
    assert scenario.team.structure == "combined" and scenario.team.sourcers is None
    assert {p.name: p.openings.count for p in scenario.profiles} == {"backend": 4, "ml": 1}
    # 1 March to 31 August 2027: days 0 to 183
    assert {(p.openings.first_day, p.openings.last_day) for p in scenario.profiles} == {
        (0, 183)}
    assert scenario.team.recruiters.annual_salary == 100000


def test_init_wording_has_no_unsupported_dates() -> None:
    help_text = cli("init", "--help").stdout
    assert "--from" in help_text and "--start-date" in help_text
    readme = (ROOT / "README.md").read_text()
    first_hour = readme[readme.index("## First hour"):readme.index("**Editor completion")]
    assert "--from 2027-01 --to 2027-06" in first_hour and "--first-day 0" not in first_hour
    for text in (help_text, first_hour, scenario_text(Answers(start_date="2027-01-01"))):
        assert "not supported" not in text


def test_init_never_overwrites_a_file_it_did_not_write(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: precious\n")
    for flags in ((), ("--force",)):
        result = cli("init", mine, "--non-interactive", *flags)
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert mine.read_text() == "name: precious\n"
    written = tmp_path / "init.yaml"
    assert cli("init", written, "--non-interactive").exit_code == 0
    again = cli("init", written, "--non-interactive", "--roles", "qa=3")
    assert again.exit_code == 2 and "exists" in again.stderr
    forced = cli("init", written, "--non-interactive", "--roles", "qa=3", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert [p.name for p in load_scenario(written).profiles] == ["qa"]


def test_init_refuses_answers_that_make_no_scenario(tmp_path: Path) -> None:
    with pytest.raises(InitError, match="NAME=COUNT"):
        parse_roles("backend")
    with pytest.raises(InitError, match="twice"):
        parse_roles("a=1,a=2")
    assert parse_roles("a=1, b=2") == {"a": 1, "b": 2}
    with pytest.raises(InitError, match="last_day"):
        scenario_text(Answers(first_day=100, last_day=10))
    with pytest.raises(InitError, match="before from"):
        scenario_text(Answers(start_date="2027-01-01", from_month="2027-05",
                              to_month="2027-02"))
    with pytest.raises(InitError, match="before the start date"):
        scenario_text(Answers(start_date="2027-03-01", from_month="2027-01"))
    with pytest.raises(InitError, match="month"):
        scenario_text(Answers(start_date="2027-01-01", from_month="March"))
    result = cli("init", tmp_path / "x.yaml", "--non-interactive", "--roles", "a=0")
    assert result.exit_code == 2 and not (tmp_path / "x.yaml").exists()


# ---------------------------------------------------------------- JSON Schema

def test_shipped_schema_is_the_generated_one() -> None:
    fresh = schema_text(generate_schema((ROOT / "docs" / "model.md").read_text()))
    shipped = (ROOT / "src" / "hiresim" / SCHEMA_FILE).read_text()
    assert shipped == fresh, "regenerate: python -m hiresim.schema docs/model.md"
    assert json.loads(shipped) == shipped_schema()


def test_hiresim_schema_prints_the_schema() -> None:
    result = cli("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == shipped_schema()


def validator() -> object:
    schema = shipped_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_schema_validates_every_shipped_scenario_and_they_point_to_it(path: Path) -> None:
    errors = list(validator().iter_errors(yaml.safe_load(path.read_text())))
    assert not errors, [e.message for e in errors]
    first = path.read_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert (path.parent / first.split("$schema=")[1]).resolve() == (
        ROOT / "src" / "hiresim" / SCHEMA_FILE)


def test_schema_knows_extends_sweep_unlimited_and_distributions() -> None:
    v = validator()
    base = yaml.safe_load((ROOT / "scenarios" / "split.yaml").read_text())
    ok = {**base, "sweep": {"team.sourcers.count": [1, 2, "unlimited"],
                            "profiles[*].interviewers.count": [4, 8]}}
    ok["team"]["recruiters"]["count"] = "unlimited"
    ok["effort"]["screen_hours"] = {"dist": "lognormal", "median": 0.7, "p90": 1.2}
    assert not list(v.iter_errors(ok))
    assert not list(v.iter_errors({"extends": "split.yaml", "team": {"recruiters": {
        "hours_per_week": 30}}}))  # a child file may leave out required keys
    bad = [
        {**base, "sweep": {"team.sourcers.count": 3}},                 # not a list
        {**base, "team": {**base["team"], "recruiters": {"count": "four"}}},
        {**base, "effort": {"screen_hours": {"dist": "gamma", "mean": 1}}},
        {**base, "outreach": {**base["outreach"], "tuoches": 3}},       # unknown key
        {k: v for k, v in base.items() if k != "team"},                 # required
        {"extends": "split.yaml", "team": {"recruiters": {"hours_per_wek": 30}}},
    ]
    for doc in bad:
        assert list(v.iter_errors(doc)), doc
    described = shipped_schema()["$defs"]["Openings"]["properties"]["first_day"]
    assert "opening window" in described["description"].lower()


# ---------------------------------------------------------------- messages

def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path


SMALL = """name: s
team: {structure: combined, recruiters: {count: 2}}
profiles:
  - name: backend
    openings: {count: 3}
    sourced: {reply_rate: 35}
"""


def test_a_share_written_as_a_percent_number_gets_did_you_mean(tmp_path: Path) -> None:
    result = cli("validate", write(tmp_path, SMALL))
    assert result.exit_code == 2
    assert "s.yaml:6:" in result.stderr
    assert "(got 35); did you mean 0.35?" in result.stderr
    shares = SMALL.replace("sourced: {reply_rate: 35}", "sourced: {reply_rate: 0.3}") + (
        "outreach: {reply_share_by_touch: [50, 35, 15]}\n")
    result = cli("validate", write(tmp_path, shares))
    assert [line.split("did you mean ")[1][:4] for line in result.stderr.splitlines()] == [
        "0.5?", "0.35", "0.15"]
    # a count is not a share: no hint for a number above a limit other than 1
    capped = SMALL.replace("{reply_rate: 35}", "{reply_rate: 0.3}").replace(
        "{count: 2}", "{count: 2, max_reqs: 0}")
    assert "did you mean" not in cli("validate", write(tmp_path, capped)).stderr


def test_messages_name_the_keys_of_a_section_not_a_class(tmp_path: Path) -> None:
    text = SMALL.replace("openings: {count: 3}", "openings: 3").replace(
        "{reply_rate: 35}", "{reply_rate: 0.3}")
    result = cli("validate", write(tmp_path, text))
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "a mapping with count, first_day, last_day" in line and "(got 3)" in line
    assert "instance" not in line and "Openings" not in line
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, text.replace("recruiters: {count: 2}",
                                                   "recruiters: [2]")))
    assert "StaffRole" not in str(err.value) and "hours_per_week" in str(err.value)


def test_goal_errors_list_the_metric_names(tmp_path: Path) -> None:
    result = cli("run", ROOT / "scenarios" / "split.yaml", "-n", 1, "--goal", "hire<=3")
    assert result.exit_code == 2
    assert "unknown metric 'hire'" in result.stderr
    assert "time_to_fill_days.p80" in result.stderr and "cost_per_hire" in result.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_script_is_produced(shell: str) -> None:
    env = {**os.environ, "_HIRESIM_COMPLETE": f"{shell}_source",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    code = "from hiresim.cli import main; main(prog_name='hiresim')"
    script = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)
    assert script.returncode == 0, script.stderr
    assert "_HIRESIM_COMPLETE" in script.stdout
    assert ("complete" in script.stdout) or ("compdef" in script.stdout)
    readme = (ROOT / "README.md").read_text()
    assert f"_HIRESIM_COMPLETE={shell}_source hiresim" in readme
