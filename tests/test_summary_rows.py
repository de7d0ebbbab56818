"""Which rows the summary tables show: a row of an optional feature (agency fees) only when
a scenario of the table uses it, in the terminal (run, compare) and in the HTML report;
rows of costs every team has (TA team cost, cost per hire) always."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from hiresim.summary_table import summary_table, unused_feature_kpis
from small_scenario import cli, small_dict

AGENCY = {"name": "search", "capacity_per_month": 30, "first_submittal_days": 1,
          "quality": 1.5, "fee_share_of_salary": 0.2}


def scenario_file(folder: Path, name: str, agency: bool) -> Path:
    data = small_dict(openings=2)
    data["name"] = name
    if agency:
        data["agencies"] = [AGENCY]
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def table_rows(text: str) -> list[str]:
    """The labels of a plain-text table's rows (the text before the first number)."""
    return [re.split(r"\s{2,}", line)[0] for line in text.splitlines() if line.strip()]


def report_rows(html: str) -> list[str]:
    return re.findall(r"<tr><td>([^<]+)</td>", html)


def test_a_team_without_agencies_shows_no_agency_fees_row(tmp_path: Path) -> None:
    plain = scenario_file(tmp_path, "plain", agency=False)
    done = cli("run", plain, "-n", 3, "--workers", 1, "--report", tmp_path / "run.html")
    assert done.exit_code == 0, done.stderr
    rows = table_rows(done.stdout)
    assert "Cost per hire" in rows and "TA team cost per year" in rows
    assert "Agency fees" not in rows
    html = (tmp_path / "run.html").read_text()
    assert "Cost per hire" in report_rows(html)
    assert "Agency fees" not in report_rows(html)


def test_agency_fees_show_when_one_scenario_of_the_table_has_an_agency(tmp_path: Path) -> None:
    plain = scenario_file(tmp_path, "plain", agency=False)
    agency = scenario_file(tmp_path, "agency", agency=True)
    done = cli("run", agency, "-n", 3, "--workers", 1)
    assert done.exit_code == 0, done.stderr
    assert "Agency fees" in table_rows(done.stdout)
    done = cli("compare", plain, agency, "-n", 3, "--workers", 1,
               "--report", tmp_path / "cmp.html")
    assert done.exit_code == 0, done.stderr
    summary, _, differences = done.stdout.partition("Paired differences")
    fees = [line for line in summary.splitlines() if line.startswith("Agency fees")]
    assert len(fees) == 1 and re.search(r"\s0 \[0, 0\]\s", fees[0]), fees  # plain: 0
    assert "Agency fees" in table_rows(differences)
    html = (tmp_path / "cmp.html").read_text()
    assert report_rows(html).count("Agency fees") == 2  # the summary and the differences


def test_compare_of_teams_without_agencies_has_no_agency_difference_row(
        tmp_path: Path) -> None:
    one = scenario_file(tmp_path, "one", agency=False)
    data = yaml.safe_load(one.read_text())
    data["name"] = "two"
    data["team"]["recruiters"]["count"] += 1
    two = tmp_path / "two.yaml"
    two.write_text(yaml.safe_dump(data))
    done = cli("compare", one, two, "-n", 3, "--workers", 1)
    assert done.exit_code == 0, done.stderr
    assert "Agency fees" not in done.stdout
    assert "Cost per hire" in table_rows(done.stdout.partition("Paired differences")[2])


def test_unused_feature_rows_need_every_scenario_to_be_without_it() -> None:
    zero = {"cost_agency_fees": {"mean": 0.0, "n": 3}}
    fees = {"cost_agency_fees": {"mean": 1200.0, "n": 3}}
    assert unused_feature_kpis([zero, {}]) == {"cost_agency_fees"}
    assert unused_feature_kpis([zero, fees]) == frozenset()
    assert unused_feature_kpis([]) == frozenset()
    summary = {"scenario": "s", "replications": 3, "seed": 1,
               "metrics": {"cost_per_hire": {"mean": 9000.0, "n": 3}, **zero}}
    assert "Agency fees" not in summary_table([summary])
    summary["metrics"].update(fees)
    assert "Agency fees" in summary_table([summary])
