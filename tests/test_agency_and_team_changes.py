"""Agencies and RPO, joiners with ramp-up, attrition and backfill (issue 16), paired."""

from __future__ import annotations

import pandas as pd
import pytest

from hiresim import api
from hiresim.comparison import paired_difference
from hiresim.model.team_changes import ramp
from hiresim.replication import run_replication
from hiresim.scenario_problems import ScenarioError
from structures_plan import plan_dict, scenario, with_changes

RECORDS = ("kpis", "reqs", "staff", "snapshots", "candidates", "visits", "funnel")
NEW_KPIS = ("cost_agency_fees", "agency_hires", "hires_per_ta_head", "utilization_coordinator",
            "ta_departures")
ML_AGENCY = {"name": "ml-search", "profiles": ["ml-embedded"], "capacity_per_month": 4,
             "fee_share_of_salary": 0.20}


def paired(base, other, kpi: str, reps: range, seed: int) -> dict:
    """Paired difference other - base of one KPI over ``reps`` (same random numbers)."""
    a = pd.Series([run_replication(base, k, seed).kpis[kpi] for k in reps])
    b = pd.Series([run_replication(other, k, seed).kpis[kpi] for k in reps])
    return paired_difference(a, b, 1)


# -- agencies ----------------------------------------------------------------------------------


def test_an_agency_with_zero_capacity_changes_nothing_exactly():
    base = scenario(plan_dict())
    idle = scenario(with_changes(plan_dict(), "plan", agencies=[
        {**ML_AGENCY, "capacity_per_month": 0}, {"name": "rpo", "kind": "full_cycle",
                                                 "capacity_per_month": 0}]))
    for k in (0, 1):
        a = run_replication(base, k, 21, record_detail=True)
        b = run_replication(idle, k, 21, record_detail=True)
        for part in RECORDS:
            assert repr(getattr(a, part)) == repr(getattr(b, part)), part
        assert a.kpis["cost_agency_fees"] == 0.0 and a.kpis["agency_hires"] == 0.0


def test_an_agency_at_20_percent_of_salary_shows_in_cost_per_hire_paired():
    base = scenario(plan_dict())
    agency = scenario(with_changes(plan_dict(), "agency", agencies=[
        {"name": "search", "capacity_per_month": 6, "fee_share_of_salary": 0.20}]))
    study = api.compare([base, agency], replications=6, seed=5)
    diff = study.report["differences"]["agency"]
    assert diff["cost_per_hire"]["ci_low"] > 0, diff["cost_per_hire"]
    per_rep = study.results[1].kpis
    assert (per_rep["agency_hires"] > 0).all()
    assert (per_rep["cost_external"] - per_rep["cost_job_ads"] - per_rep["cost_other_external"]
            ).tolist() == pytest.approx(per_rep["cost_agency_fees"].tolist())
    result = run_replication(agency, 0, 5, record_detail=True)
    salary = {p.name: p.annual_salary for p in agency.profiles}
    hired = [row for row in result.candidates if row[3] == "agency" and row[7] == "hired"]
    assert {row[4] for row in hired} == {"agency:search"}
    assert result.kpis["cost_agency_fees"] == pytest.approx(
        sum(0.20 * salary[row[2]] for row in hired))
    with_fees = result.kpis["cost_total"] / result.kpis["hires"]
    assert result.kpis["cost_per_hire"] == pytest.approx(with_fees)


def test_an_agency_for_named_profiles_works_only_their_reqs():
    agency = scenario(with_changes(plan_dict(), "agency", agencies=[ML_AGENCY]))
    result = run_replication(agency, 0, 5, record_detail=True)
    agency_rows = [row for row in result.candidates if row[3] == "agency"]
    assert agency_rows and {row[2] for row in agency_rows} == {"ml-embedded"}
    assert {row[4] for row in agency_rows} == {"agency:ml-search"}


def test_agency_quality_raises_its_candidates_pass_rates():
    low = scenario(with_changes(plan_dict(), "low", agencies=[{**ML_AGENCY, "quality": 0.5}]))
    high = scenario(with_changes(plan_dict(), "high", agencies=[{**ML_AGENCY, "quality": 1.5}]))

    def passed_screen(sc) -> float:
        ok = total = 0
        for k in range(3):
            run = run_replication(sc, k, 8, record_detail=True)
            agency_ids = {row[0] for row in run.candidates if row[3] == "agency"}
            screens = [v for v in run.visits if v[0] in agency_ids and v[1] == "screen"
                       and v[5] in ("passed", "failed")]
            ok += sum(v[5] == "passed" for v in screens)
            total += len(screens)
        return ok / total

    assert passed_screen(high) > passed_screen(low) + 0.2


def test_a_full_cycle_agency_as_overflow_does_the_recruiter_work_itself():
    data = with_changes(plan_dict(recruiters=1), "rpo", agencies=[
        {"name": "rpo", "kind": "full_cycle", "engage_after_days": 30,
         "capacity_per_month": 8, "fee_share_of_salary": 0.15}])
    run = run_replication(scenario(data), 0, 4, record_detail=True)
    ids = {row[0] for row in run.candidates if row[3] == "agency"}
    assert ids and run.kpis["agency_hires"] > 0
    first = min(row[5] for row in run.candidates if row[3] == "agency")
    assert first >= 30  # overflow: only reqs open for 30 days or more
    assert not [v for v in run.visits if v[0] in ids and v[1] == "handoff"]  # no handoff


def test_an_agency_for_an_unknown_profile_is_refused():
    with pytest.raises(ScenarioError, match="names profile 'robotics'"):
        scenario(with_changes(plan_dict(), "bad", agencies=[
            {**ML_AGENCY, "profiles": ["robotics"]}]))


# -- the team over the year --------------------------------------------------------------------


def test_productivity_ramps_linearly_to_one():
    pace = ramp(90.0, 90.0, 0.25)
    assert (pace(90.0), pace(135.0), pace(180.0), pace(400.0)) == (0.25, 0.625, 1.0, 1.0)


def test_a_ta_hire_on_day_90_with_a_ramp_is_less_useful_than_one_from_day_0():
    """One recruiter for the plan is overloaded; a second from day 0 against a second who
    starts on day 90 and ramps up over 90 days, on the same random numbers."""
    early = scenario(plan_dict(recruiters=2))
    late = scenario(with_changes(plan_dict(recruiters=1), "late", team_changes={
        "joiners": [{"role": "recruiter", "start_day": 90, "ramp_days": 90}]}))
    assert early.ta_headcount == late.ta_headcount == 2
    reps = range(5)
    diff = paired(early, late, "time_to_fill_mean_filled", reps, 17)
    assert diff["ci_low"] > 0, diff  # the late, ramping hire fills reqs measurably slower
    hires = paired(early, late, "time_to_fill_p50", reps, 17)
    assert hires["mean"] > 0, hires
    cost = paired(early, late, "cost_salaries", reps, 17)  # paid from day 90 only
    assert cost["mean"] == pytest.approx(-120_000 * 1.45 * 90 / 365)


def test_attrition_lengthens_time_to_fill_paired():
    steady = scenario(plan_dict())
    leaving = scenario(with_changes(plan_dict(), "leaving", team_changes={
        "attrition": {"annual_rate": 1.5, "backfill_days": 45}}))
    reps = range(12)
    departures = [run_replication(leaving, k, 29).kpis["ta_departures"] for k in reps]
    assert sum(departures) > 0
    diff = paired(steady, leaving, "time_to_fill_mean_filled", reps, 29)
    assert diff["ci_low"] > 0, diff


def test_a_leaver_hands_reqs_to_colleagues_and_the_backfill_takes_new_ones():
    leaving = scenario(with_changes(plan_dict(), "leaving", team_changes={
        "attrition": {"annual_rate": 2.0, "backfill_days": 20}}))
    run = run_replication(leaving, 0, 31, record_detail=True)
    assert run.kpis["ta_departures"] >= 1
    worked = {row[0] for row in run.staff if row[1] == "recruiter"}
    assert "recruiter-4" in worked  # the first backfill worked
    # one backfill per departure and nobody else; leavers who worked stay in the books
    # (a person who left before doing any work has no hours, so no staff row)
    team = {f"recruiter-{i}" for i in range(1, 4 + int(run.kpis["ta_departures"]))}
    assert worked <= team and {"recruiter-1", "recruiter-2"} <= worked
    assert run.kpis["reqs_filled"] > 0.8 * run.kpis["reqs_opened"]


def test_a_sole_recruiter_who_leaves_leaves_the_work_to_the_backfill():
    data = with_changes(plan_dict(recruiters=1), "sole", team_changes={
        "attrition": {"annual_rate": 3.0, "backfill_days": 30}})
    run = run_replication(scenario(data), 0, 2, record_detail=True)
    assert run.kpis["ta_departures"] >= 1
    assert run.kpis["hires"] > 0


def test_a_joiner_needs_a_counted_section_for_their_role():
    with pytest.raises(ScenarioError, match="a joining sourcer needs"):
        scenario(with_changes(plan_dict(), "bad", team_changes={
            "joiners": [{"role": "sourcer", "start_day": 10}]}))


def test_no_new_option_no_new_numbers_but_the_new_kpis_are_there():
    run = run_replication(scenario(plan_dict()), 0, 3)
    assert [k for k in run.kpis if k in NEW_KPIS] == list(NEW_KPIS)
    assert list(run.kpis)[-len(NEW_KPIS):] == list(NEW_KPIS)  # appended at the end
    assert run.kpis["hires_per_ta_head"] == pytest.approx(
        run.kpis["hires_per_recruiter_per_quarter"])  # three recruiters, nobody else
