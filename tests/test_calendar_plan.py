"""Dates, months and the hiring plan CSV (hiresim.calendar, hiresim.hiring_plan), and the
month table end to end (hiresim.months: CLI ``--by month``, JSON, Parquet, Python API)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

import hiresim
from hiresim.calendar import months, to_day
from hiresim.hiring_plan import horizon_warnings
from hiresim.scenario import scenario_from_dict, scenario_to_dict
from hiresim.scenario_files import load_scenario
from hiresim.scenario_problems import ScenarioError
from small_scenario import cli, small_dict


def write_scenario(tmp_path: Path, plan: str | None = None, **simulation: object) -> Path:
    data = small_dict(horizon_days=180, openings=1)
    data["simulation"].update(start_date="2027-01-01", **simulation)
    if plan is not None:
        (tmp_path / "plan.csv").write_text(plan)
        data["plan"] = "plan.csv"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


PLAN = ("profile,count,start,priority\n"
        "backend,2,2027-03,1\n"
        "frontend,1,2027-04-15,2\n"
        "backend,1,2027-05,\n")


# ------------------------------------------------------------------ dates and months

def test_calendar_months_follow_the_start_date() -> None:
    import datetime as dt

    table = months(70, dt.date(2027, 1, 20))
    assert [(m.label, m.first_day, m.end_day) for m in table] == [
        ("2027-01", 0, 12), ("2027-02", 12, 40), ("2027-03", 40, 70)]
    assert [m.label for m in months(70)] == ["month 1", "month 2", "month 3"]
    assert to_day("2027-03", dt.date(2027, 1, 1)) == 59
    assert to_day("2027-03", dt.date(2027, 1, 1), end_of_month=True) == 89


def test_openings_by_month_become_days_and_day_numbers_still_work() -> None:
    data = small_dict()
    data["simulation"]["start_date"] = "2027-01-01"
    data["profiles"][0]["openings"] = {"count": 10, "from": "2027-01", "to": "2027-06"}
    scenario = scenario_from_dict(data)
    o = scenario.profiles[0].openings
    assert (o.first_day, o.last_day) == (0, 180)  # 1 January to 30 June
    again = scenario_from_dict(scenario_to_dict(scenario))  # the resolved file reloads
    assert again.profiles[0].openings == o
    assert scenario.profiles[1].openings.last_day == 30  # days as before


def test_dates_need_a_start_date_and_bad_dates_are_one_line_errors() -> None:
    data = small_dict()
    data["profiles"][0]["openings"] = {"count": 2, "from": "2027-02", "to": "2027-03"}
    with pytest.raises(ScenarioError, match=r"openings\.from: .*needs simulation\.start_date"):
        scenario_from_dict(data)
    data["simulation"]["start_date"] = "2027-02-30"
    with pytest.raises(ScenarioError, match="simulation.start_date: start_date"):
        scenario_from_dict(data)


def test_a_scenario_without_dates_resolves_as_before() -> None:
    data = scenario_to_dict(load_scenario("scenarios/combined.yaml"))
    assert "start_date" not in data["simulation"] and "plan" not in data
    assert set(data["profiles"][0]["openings"]) == {
        "count", "first_day", "last_day", "spacing", "positions_per_req"}


# ------------------------------------------------------------------ the plan file

def test_plan_rows_become_openings(tmp_path: Path) -> None:
    scenario = load_scenario(write_scenario(tmp_path, PLAN))
    by_name = {p.name: p for p in scenario.profiles}
    assert set(by_name) == {"backend", "frontend"}  # profiles not in the plan are left out
    backend = by_name["backend"].openings
    assert backend.count == 3
    # reqs open 60 days before the target start (1 March = day 59; never before day 0)
    assert backend.planned_open_days() == [0, 0, 60]
    assert [e.target_day for e in backend.plan] == [59, 120]
    assert [e.priority for e in backend.plan] == [1, None]
    assert by_name["frontend"].openings.planned_open_days() == [44]


@pytest.mark.parametrize(("text", "message"), [
    ("profile,count,start\nbackend,-1,2027-03\n", "plan.csv:2:2: error: count: -1 is not"),
    ("profile,count,start\nbackend,1.5,2027-03\n", "plan.csv:2:2: error: count: 1.5"),
    ("profile,count,start\nbakend,1,2027-03\n", "plan.csv:2:1: error: profile: unknown "
                                                 "profile 'bakend'"),
    ("profile,count,start\nbackend,1,2027-13\n", "plan.csv:2:3: error: start: '2027-13'"),
    ("profile,count,start\nbackend,1,2026-12\n", "plan.csv:2:3: error: start: target start "
                                                  "2026-12 is before the start date"),
    ("profile,start\nbackend,2027-03\n", "plan.csv:1:1: error: <header>: missing column count"),
])
def test_plan_problems_name_file_row_and_column(tmp_path: Path, text: str,
                                                message: str) -> None:
    done = cli("validate", write_scenario(tmp_path, text))
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr


def test_plan_option_replaces_the_openings(tmp_path: Path) -> None:
    path = write_scenario(tmp_path)
    (tmp_path / "other.csv").write_text("profile,count,start\nfrontend,2,2027-02\n")
    done = cli("validate", path, "--plan", tmp_path / "other.csv")
    assert done.exit_code == 0, done.stderr
    bad = cli("validate", path, "--plan", tmp_path / "missing.csv")
    assert bad.exit_code == 2 and "missing.csv" in bad.stderr and "cannot read" in bad.stderr


def test_plan_after_the_horizon_is_a_warning_never_silent(tmp_path: Path) -> None:
    late = PLAN + "frontend,2,2027-11\n"  # horizon: 180 days from 1 January, end of June
    path = write_scenario(tmp_path, late)
    scenario = load_scenario(path)
    warnings = horizon_warnings(scenario)
    assert any("frontend: 2 of 3 planned hires have a target start on or after the horizon"
               in w for w in warnings), warnings
    assert any("frontend: 2 of 3 reqs open on or after the horizon" in w for w in warnings)
    for command in (["validate"], ["run", "-n", "2", "-q"]):
        done = cli(*command, path)
        assert done.exit_code == 0, done.stderr
        lines = [x for x in done.stderr.splitlines() if x.startswith("warning:")]
        assert len(lines) == 2 and all("frontend" in x for x in lines), done.stderr


def test_openings_past_the_horizon_warn_too() -> None:
    data = small_dict(horizon_days=90)
    data["profiles"][0]["openings"] = {"count": 4, "first_day": 0, "last_day": 120}
    warnings = horizon_warnings(scenario_from_dict(data))
    assert warnings == [f"{data['profiles'][0]['name']}: 1 of 4 reqs open on or after the "
                        "horizon (day 90) and never open; lengthen simulation.horizon_days "
                        "or move the openings"]


# ------------------------------------------------------------------ months end to end

@pytest.fixture(scope="module")
def month_run(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("months")
    path = write_scenario(tmp, PLAN)
    out = tmp / "out"
    done = cli("run", path, "-n", "6", "-q", "--by", "month", "--out", out)
    assert done.exit_code == 0, done.stderr
    return path, out, done


def test_a_plan_csv_with_dates_runs_end_to_end(month_run) -> None:
    _, out, _ = month_run
    table = pd.read_parquet(out / "months.parquet")
    assert list(table["label"]) == ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05",
                                    "2027-06"]
    assert list(table["planned_hires"]) == [0, 0, 2, 1, 1, 0]
    reqs = pd.read_parquet(out / "reqs.parquet")
    hires = pd.read_parquet(out / "calendar_hires.parquet")
    # every accepted offer falls in exactly one month
    assert hires["hires"].sum() == reqs["filled_positions"].sum()
    assert table["cumulative_mean"].iloc[-1] == pytest.approx(
        reqs.groupby("replication")["filled_positions"].sum().mean())
    assert (table["cumulative_p10"] <= table["cumulative_p90"]).all()
    staff = pd.read_parquet(out / "staff.parquet")
    calendar = pd.read_parquet(out / "calendar.parquet")
    month_hours = calendar[["recruiter_hours", "sourcer_hours", "interviewer_hours"]].sum()
    assert month_hours.sum() == pytest.approx(staff["hours"].sum())
    planned = pd.read_parquet(out / "planned_hires.parquet")
    assert len(planned) == 4 and set(planned["target_month"]) == {"2027-03", "2027-04",
                                                                  "2027-05"}


def test_cli_by_month_matches_the_parquet_table(month_run) -> None:
    _, out, done = month_run
    table = pd.read_parquet(out / "months.parquet")
    lines = done.stdout.splitlines()
    start = next(i for i, x in enumerate(lines) if x.split()[:1] == ["month"])
    printed = [x.split() for x in lines[start + 1:start + 1 + len(table)]]
    head = lines[start].split()
    assert head[:4] == ["month", "opened", "plan", "plan"]
    for row, cells in zip(table.itertuples(), printed, strict=True):
        assert cells[0] == row.label
        assert float(cells[1]) == pytest.approx(row.reqs_opened, abs=0.05)
        assert float(cells[2]) == row.planned_hires
        assert float(cells[4]) == pytest.approx(row.hires_mean, abs=0.005)
        assert float(cells[5]) == pytest.approx(row.cumulative_mean, abs=0.05)
        assert cells[6] == f"{row.cumulative_p10:.0f}-{row.cumulative_p90:.0f}"


def test_json_and_python_api_give_the_same_month_table(month_run) -> None:
    path, out, _ = month_run
    table = pd.read_parquet(out / "months.parquet")
    done = cli("run", path, "-n", "6", "-q", "--by", "month", "--format", "json")
    payload = json.loads(done.stdout)
    assert [m["hires_mean"] for m in payload["months"]] == pytest.approx(
        list(table["hires_mean"]))
    assert len(payload["planned_hires"]) == 4
    api = hiresim.simulate(str(path), replications=6)
    pd.testing.assert_frame_equal(api.months, table)


def test_report_month_view_shows_hires_against_the_plan_with_intervals(month_run) -> None:
    from hiresim.html_report import render_report

    _, out, _ = month_run
    html = render_report(out)
    section = html[html.index('<section id="months"'):]
    section = section[:section.index("</section>")]
    assert "By month: the plan against the simulation" in section
    assert "band from P10 to P90" in section  # the chart's caption: the interval
    assert "When the planned hires are made" in section and "(P80)" in section
    assert "The planner&#x27;s arithmetic beside the simulation" in section or \
        "The planner's arithmetic beside the simulation" in section
    assert "Why the simulation differs" in section and "Close-outs" in section
    # the chart has the plan, the mean and the P10-P90 band
    for trace in ('"name":"plan"', '"name":"simulated mean"', '"name":"simulated P10-P90"'):
        assert trace in html.replace(": ", ":").replace(", ", ","), trace
