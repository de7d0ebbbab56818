"""Hybrid teams, pods, pooled leads, coordinators, and structure as a sweep axis (issue 16)."""

from __future__ import annotations

import math

import pytest

from hiresim import api
from hiresim.purchases import neighbours
from hiresim.replication import run_replication
from hiresim.scenario import scenario_from_dict
from hiresim.scenario_files import OverrideError, expand_grid
from hiresim.scenario_problems import ScenarioError
from hiresim.summary_table import sweep_report
from structures_plan import SOURCER, plan_dict, scenario, with_changes

RECORDS = ("kpis", "reqs", "staff", "snapshots", "candidates", "visits", "funnel")


def hybrid_dict(hours: float = 32, **team: object) -> dict:
    return with_changes(plan_dict(), "hybrid", team={
        "structure": "hybrid", "sourcers": {**SOURCER, "hours_per_week": hours},
        "sourcer_skill": {"reply_rate_multiplier": 1.0, "outreach_hours_multiplier": 1.0},
        **team})


# -- hybrid -----------------------------------------------------------------------------------


def test_a_hybrid_team_validates_runs_and_compares_with_the_team_without_its_sourcer():
    combined = scenario(plan_dict())
    hybrid = scenario(hybrid_dict())
    assert (hybrid.recruiter_count, hybrid.sourcer_count) == (3, 1)
    study = api.compare([combined, hybrid], replications=4, seed=11)
    diff = study.report["differences"]["hybrid"]
    # the sourcer is paid: the TA team costs exactly the sourcer's loaded salary and seat more
    assert diff["team_cost_per_year"]["mean"] == pytest.approx(95000 * 1.45 + 10000)
    assert diff["hires_per_ta_head"]["mean"] < 0  # same hires, one more head
    result = run_replication(hybrid, 0, 11, record_detail=True)
    by = {(row[0], row[1]) for row in result.staff}
    assert ("sourcer-1", "sourcer") in by
    sourced_by = {row[4] for row in result.candidates if row[3] == "sourced"}
    assert sourced_by == {"recruiter", "sourcer"}  # recruiters still source; so does she
    handoffs = [v for v in result.visits if v[1] == "handoff"]
    assert handoffs  # the sourcer's leads are handed off as in split


def test_a_hybrid_sourcer_at_zero_hours_reproduces_the_combined_team_exactly():
    combined = scenario(plan_dict())
    idle = scenario(hybrid_dict(hours=0))
    for k in (0, 1):
        a = run_replication(combined, k, 5, record_detail=True)
        b = run_replication(idle, k, 5, record_detail=True)
        for part in RECORDS:
            assert repr(getattr(a, part)) == repr(getattr(b, part)), part


def test_recruiters_who_source_a_share_of_their_time_source_more_than_when_idle():
    """One busy recruiter with outreach wanted without limit: when idle, sourcing gets
    the leftovers; with a 50% share it gets about half of the hours."""
    data = with_changes(plan_dict(recruiters=1), "busy")
    data["outreach"].update(prospects_per_req_per_week=40, max_active_per_req=None)
    idle = scenario(data)
    share = scenario(with_changes(data, "share", team={"recruiter_sourcing": "share",
                                                       "recruiter_sourcing_share": 0.5}))
    for k in (0, 1):
        a = run_replication(idle, k, 3).kpis["recruiter_sourcing_share"]
        b = run_replication(share, k, 3).kpis["recruiter_sourcing_share"]
        assert b > a + 0.05 and b == pytest.approx(0.5, abs=0.05), (k, a, b)


def test_pooled_lead_routing_sends_leads_to_other_recruiters_than_the_reqs_owner():
    pooled = scenario(hybrid_dict(lead_routing="pooled"))
    result = run_replication(pooled, 0, 7, record_detail=True)
    owner = {row[0]: row[9] for row in result.reqs}
    assert len(set(owner.values())) == 3
    assert result.kpis["hires"] > 0


# -- pods and coordinators ----------------------------------------------------------------------


def test_in_pods_a_sourcer_sources_only_the_reqs_of_their_pod():
    data = with_changes(plan_dict(recruiters=2), "pods", team={
        "structure": "split", "sourcers": {**SOURCER, "count": 2},
        "sourcer_assignment": "pods"})
    result = run_replication(scenario(data), 0, 3)
    pairs = {(row[9], row[10]) for row in result.reqs if row[10]}
    assert pairs == {("recruiter-1", "sourcer-1"), ("recruiter-2", "sourcer-2")}
    pooled = run_replication(scenario(with_changes(data, "pooled", team={
        "sourcer_assignment": "pooled"})), 0, 3)
    assert len({(row[9], row[10]) for row in pooled.reqs if row[10]}) > 2  # crossed


def test_coordinators_take_the_scheduling_off_recruiters_and_cost_their_salary():
    base = scenario(plan_dict())
    coordinated = scenario(with_changes(plan_dict(), "coordinated", team={
        "coordinators": {"count": 1, "hours_per_week": 32, "annual_salary": 65000}}))
    a = run_replication(base, 0, 9)
    b = run_replication(coordinated, 0, 9)
    rec_a = sum(h for _, r, _, act, h in a.staff if r == "recruiter" and act == "scheduling")
    rec_b = sum(h for _, r, _, act, h in b.staff if r == "recruiter" and act == "scheduling")
    coord_b = sum(h for _, r, _, act, h in b.staff if r == "coordinator"
                  and act == "scheduling")
    assert rec_a > 0 and rec_b == 0 and coord_b > 0
    years = 240 / 365
    assert b.kpis["cost_salaries"] - a.kpis["cost_salaries"] == pytest.approx(
        65000 * 1.45 * years)
    assert 0 < b.kpis["utilization_coordinator"] < 1
    assert b.kpis["hires_per_ta_head"] == pytest.approx(
        b.kpis["hires"] / 4 / (240 / (365 / 4)))


# -- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("team", "message"), [
    ({"structure": "hybrid"}, "a hybrid team needs a 'sourcers' section"),
    ({"sourcers": SOURCER}, "use structure: hybrid"),
    ({"structure": "split", "sourcers": SOURCER, "sourcer_assignment": "pods",
      "pipeline_ahead_days": 10}, "pipeline_ahead_days must be 0"),
    ({"recruiters": {"count": 2, "hours_per_week": 0}}, "hours_per_week above 0"),
])
def test_structure_mistakes_are_refused_with_one_clear_line(team, message):
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(with_changes(plan_dict(), "bad", team=team))


# -- structure as a sweep dimension -------------------------------------------------------------


def sweep_file(tmp_path, axes: str) -> str:
    import yaml

    data = with_changes(plan_dict(horizon_days=120), "grid",
                        team={"sourcers": {**SOURCER, "count": 0}},
                        agencies=[{"name": "ml", "profiles": ["ml-embedded"],
                                   "capacity_per_month": 0}])
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(data) + axes)
    return str(path)


def test_a_structure_axis_skips_impossible_combinations_and_names_them(tmp_path):
    path = sweep_file(tmp_path, "sweep:\n  team.structure: [combined, hybrid, split]\n"
                                "  team.sourcers.count: [0, 1]\n")
    grid = expand_grid(path)
    names = [p.name for p in grid]
    assert names == ["grid-combined-s0", "grid-hybrid-s0", "grid-hybrid-s1", "grid-split-s0",
                     "grid-split-s1"]
    assert len(grid.skipped) == 1 and grid.skipped[0].startswith("grid-combined-s1: ")
    assert "a combined team has no sourcers" in grid.skipped[0]
    # the same from the command line
    cli_grid = expand_grid(sweep_file(tmp_path, ""), ["team.structure=combined,split",
                                                      "team.sourcers.count=0,2"])
    assert [p.name for p in cli_grid] == ["grid-combined-s0", "grid-split-s0", "grid-split-s2"]


def test_a_value_impossible_in_every_combination_is_still_refused(tmp_path):
    path = sweep_file(tmp_path, "")
    with pytest.raises(OverrideError, match="--vary team.structure: value 'matrix'"):
        expand_grid(path, ["team.structure=combined,matrix", "team.sourcers.count=0,1"])


def test_one_sweep_ranks_structures_and_agency_and_recommends_one(tmp_path):
    path = sweep_file(tmp_path, "sweep:\n  team.structure: [combined, hybrid, split]\n"
                                "  team.recruiters.count: [2, 3]\n"
                                "  team.sourcers.count: [0, 1]\n"
                                "  agencies[0].capacity_per_month: [0, 4]\n")
    study = api.sweep(path, replications=2, seed=3,
                      goals=["time_to_fill_days.p80<=90", "fill_rate>=0.3"],
                      confidence=0.5, out=tmp_path / "out")
    report = study.report
    assert len(report["points"]) == 20 and len(report["skipped_points"]) == 4
    ranking = report["ranking"]
    assert [r["rank"] for r in ranking] == list(range(1, 21))
    assert ranking[0]["point"] == report["recommended"]
    assert ranking[0]["goal_probability"] >= 0.5
    rows = {r["point"]: r for r in report["points"]}
    agency_row = rows["grid-combined-r3-s0-a4"]
    assert agency_row["cost_agency_fees"] >= 0
    assert agency_row["ta_cost_per_year"] == pytest.approx(
        agency_row["team_cost_per_year"] + agency_row["cost_agency_fees"] / (120 / 365))
    assert all(math.isfinite(r["hires_per_ta_head"]) for r in report["points"])
    text = sweep_report(report)
    ranking_at = text.index("Ranking (")
    recommended_at = text.index(f"Recommended: {report['recommended']}")
    assert ranking_at < recommended_at  # shown together: the ranking, then the pick
    assert "(recommended)" in text[ranking_at:recommended_at]
    assert "Skipped 4 impossible combinations" in text
    html = api.report(tmp_path / "out", tmp_path / "report.html").read_text()
    assert "<th>Rank</th>" in html and "Hires per TA head" in html
    assert "Skipped 4 impossible combinations" in html


# -- what to buy next ---------------------------------------------------------------------------


def test_what_to_buy_next_adds_a_ramping_joiner_and_turns_combined_into_hybrid():
    variants = neighbours(scenario(plan_dict()))
    recruiter = variants["one more recruiter"]
    assert recruiter.recruiter_count == 3
    (joiner,) = recruiter.team_changes.joiners
    assert (joiner.role, joiner.start_day) == ("recruiter", 45.0)
    assert recruiter.team_changes.ramp_days == 90.0
    sourcer = variants["one more sourcer"]
    assert sourcer.team.structure == "hybrid"
    assert [j.role for j in sourcer.team_changes.joiners] == ["sourcer"]
    assert sourcer.team.sourcers is not None and sourcer.team.sourcers.annual_salary > 0
    immediate = neighbours(scenario(with_changes(plan_dict(), "now", team_changes={
        "hire_lead_days": 0, "ramp_days": 0})))
    assert immediate["one more recruiter"].recruiter_count == 4
    assert not immediate["one more recruiter"].team_changes.joiners
