"""The KPI catalogue: in step with what a replication computes, and the one place to add a KPI.

Adding a KPI is one catalogue entry plus its computation in ``hiresim.kpis``; the test
below registers a new KPI that way (on this process's catalogue and computation, with
replications run in this process) and finds it in the run table, the saved JSON, the
paired differences, ``--goal`` and the HTML report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import hiresim
from hiresim import kpi_catalogue, kpis
from hiresim.api import report as write_html
from hiresim.goals import parse_goal
from hiresim.kpi_catalogue import CATALOGUE, KPI_NAMES, Kpi, compared, summary_rows
from hiresim.replication import run_replication
from hiresim.scenario_files import load_scenario
from small_scenario import small_dict

ROOT = Path(__file__).resolve().parents[1]


def test_the_catalogue_lists_every_kpi_of_a_replication_in_order() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "split.yaml", ["simulation.horizon_days=60"])
    assert tuple(run_replication(scenario, 0).kpis) == KPI_NAMES


def test_names_are_unique_and_every_flagged_kpi_says_which_direction_is_better() -> None:
    assert len(set(KPI_NAMES)) == len(KPI_NAMES)
    for kpi in CATALOGUE:
        assert kpi.doc, kpi.name
        if kpi.compared or kpi.forest or kpi.precision:
            assert kpi.better in ("lower", "higher"), kpi.name


def test_summary_rows_start_with_time_to_fill_and_follow_the_display_order() -> None:
    rows = summary_rows()
    assert [r.sub for r in rows[:5]] == ["", "p50", "p80", "p90", "censored_reqs"]
    orders = [kpi_catalogue.BY_NAME[r.key].order for r in rows[5:]]
    assert orders == sorted(orders)


@pytest.fixture()
def registered(monkeypatch: pytest.MonkeyPatch) -> Kpi:
    """A new KPI, registered as a developer would: one entry and its computation."""
    new = Kpi("offers_per_hire", "Offers per hire", "ratio", "lower", table=True,
              compared=True, forest=True, order=0, doc="offers / hires.")
    monkeypatch.setattr(kpi_catalogue, "CATALOGUE", (*CATALOGUE, new))
    monkeypatch.setattr(kpi_catalogue, "BY_NAME", {**kpi_catalogue.BY_NAME, new.name: new})
    monkeypatch.setattr(kpi_catalogue, "KPI_NAMES", (*KPI_NAMES, new.name))
    compute = kpis.replication_kpis

    def with_new(model: object) -> tuple[dict[str, float], list[tuple]]:
        values, funnel = compute(model)  # type: ignore[arg-type]
        values[new.name] = values["offers"] / values["hires"] if values["hires"] else 0.0
        return values, funnel

    monkeypatch.setattr("hiresim.replication.replication_kpis", with_new)
    return new


def test_a_registered_kpi_reaches_every_table_json_difference_goal_and_report(
        registered: Kpi, tmp_path: Path) -> None:
    files = []
    for name, recruiters in (("base", 2), ("more", 3)):
        data = small_dict()
        data["name"] = name
        data["team"]["recruiters"]["count"] = recruiters
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data))
        files.append(path)
    goal = f"{registered.name}<=5"
    study = hiresim.compare(files, replications=3, workers=1, goals=[goal],
                            out=tmp_path / "out")
    base = study.results[0]
    assert registered.name in base.replications.columns  # the run table
    saved = json.loads((tmp_path / "out" / "base" / "summary.json").read_text())
    assert saved["metrics"][registered.name]["n"] == 3  # the JSON
    assert registered in compared()
    assert study.report["differences"]["more"][registered.name]["mean"] is not None
    assert parse_goal(goal).column == registered.name  # --goal
    assert saved["goals"][0]["goal"] == goal
    html = write_html(tmp_path / "out").read_text()
    assert html.count(registered.label) >= 2  # the KPI table and the differences table
