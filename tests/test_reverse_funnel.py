"""The planner's reverse funnel against the simulation (hiresim.reverse_funnel).

With an unlimited team, no patience limit, no acceptance decay and one candidate at a time
per req (so no close-outs), the simulation's mean decided visits per stage (passed or
failed) are what the planner's arithmetic says. When the team binds, the simulation decides
more candidates per hire (withdrawals and close-outs) and makes fewer hires by the horizon.
"""

from __future__ import annotations

import math

import pytest

import hiresim
from hiresim.reverse_funnel import per_hire, planner_lines, planner_view, source_steps
from hiresim.scenario import scenario_from_dict

REPLICATIONS = 100


def sourced_only(binding: bool) -> dict:
    """Two profiles of sourced candidates only, written out in full (the issue-15
    mechanisms, on by default, switched off here), so the check does not move with
    shipped files or defaults."""
    def profile(name: str, reply_rate: float) -> dict:
        return {
            "name": name, "openings": {"count": 2, "first_day": 0, "last_day": 30},
            "inbound": {"applications_per_week": 0},
            "sourced": {"reply_rate": reply_rate, "interest_rate": 0.6, "qualify_rate": 0.8},
            "screen_pass_rate": 0.9,
            "interview_rounds": [
                {"name": "technical", "pass_rate": 0.9, "interviewer_hours": 1.0,
                 "lead_days": 1.0},
                {"name": "onsite", "pass_rate": 0.9, "interviewer_hours": 1.0,
                 "panel_size": 2, "lead_days": 1.0}],
            "decision_pass_rate": 0.95, "offer_acceptance": 0.95,
            "dropout": {"hazard_per_week": 0.0},
            "interviewers": {"count": "unlimited", "hours_per_week": 4.0,
                             "scheduling": "fluid"}}

    data = {
        "name": "planner-check",
        "simulation": {"horizon_days": 400.0, "replications": 5, "seed": 7},
        "team": {"structure": "combined",
                 "recruiters": {"count": "unlimited", "hours_per_week": 40.0}},
        "outreach": {"prospects_per_req_per_week": 3.0, "max_active_per_req": 1},
        "candidates": {"patience_days": None, "acceptance_drop_per_week": 0.0,
                       "pool_reengage_rate": 0.0},
        "workload": {"recruiter_hours_per_req_per_week": 0.0,
                     "recruiter_hours_per_candidate_per_week": 0.0,
                     "sourcer_hours_per_req_per_week": 0.0},
        "profiles": [profile("backend", 0.35), profile("data", 0.2)],
    }
    if binding:  # one part-time recruiter and interviewer, impatient candidates, 8 reqs
        data["simulation"]["horizon_days"] = 150.0
        data["team"]["recruiters"] = {"count": 1, "hours_per_week": 3.0}
        data["candidates"]["patience_days"] = {"dist": "lognormal", "median": 5, "p90": 12}
        data["outreach"].update(prospects_per_req_per_week=10.0, max_active_per_req=4)
        for p in data["profiles"]:
            p["interviewers"] = {"count": 1, "hours_per_week": 1.0, "scheduling": "fluid"}
            p["openings"]["count"] = 4
    return data


def decided(results: hiresim.Results) -> dict:
    """Mean decided (passed or failed) and all visits per (source, stage), with the SE."""
    funnel = results.funnel
    out = {}
    for key, group in funnel.groupby(["source", "stage"]):
        per_rep = group[group["outcome"].isin(["passed", "failed"])].groupby(
            "replication")["candidates"].sum().reindex(range(results.n_replications),
                                                      fill_value=0)
        every = group.groupby("replication")["candidates"].sum().reindex(
            range(results.n_replications), fill_value=0)
        out[key] = (per_rep.mean(), per_rep.std(ddof=1) / math.sqrt(len(per_rep)),
                    every.mean())
    return out


@pytest.fixture(scope="module")
def unlimited_run():
    scenario = scenario_from_dict(sourced_only(binding=False))
    return scenario, hiresim.simulate(scenario, replications=REPLICATIONS, seed=7)


def test_reverse_funnel_matches_the_simulation_when_nothing_binds(unlimited_run) -> None:
    scenario, results = unlimited_run
    planned = sum(p.openings.count for p in scenario.profiles)
    hires = results.replications["reqs_filled"].mean()
    assert hires >= 0.97 * planned  # (almost) every req fills by the horizon
    # the arithmetic is linear in the hires: scale it to the hires actually made
    expected = {k: v * hires / planned for k, v in planner_view(scenario).totals().items()}
    simulated = decided(results)
    checked = 0
    for key, value in expected.items():
        if key[1] == "replies":
            continue
        mean, se, _ = simulated[key]
        assert abs(mean - value) <= 4 * se + 1e-9, (key, value, mean, se)
        checked += 1
    assert checked >= 6  # outreach, qualification, screen, two rounds, debrief, offer


def test_the_team_binding_makes_the_simulation_need_more_per_hire() -> None:
    scenario = scenario_from_dict(sourced_only(binding=True))
    results = hiresim.simulate(scenario, replications=40, seed=7)
    planned = sum(p.openings.count for p in scenario.profiles)
    hires = results.replications["reqs_filled"].mean()
    assert hires < planned  # queues: not every planned hire is made by the horizon
    expected = planner_view(scenario).totals()
    simulated = decided(results)
    # per hire made, the simulation works more candidates at the screen than the
    # arithmetic says: withdrawals while waiting and close-outs are work without a hire
    screens_per_hire = simulated[("sourced", "screen")][2] / hires
    assert screens_per_hire > expected[("sourced", "screen")] / planned


def test_per_hire_counts_work_backwards_from_the_offer() -> None:
    scenario = scenario_from_dict(sourced_only(binding=False))
    profile = scenario.profiles[0]
    steps = source_steps(scenario, profile, "sourced")
    counts = per_hire(steps)
    assert [s.stage for s in steps][-2:] == ["debrief", "offer"]
    assert counts[-1] == pytest.approx(1 / profile.offer_acceptance)
    assert counts[-2] == pytest.approx(counts[-1] / profile.decision_pass_rate)
    reply = profile.sourced.reply_rate * scenario.team.recruiter_skill.reply_rate_multiplier
    assert counts[0] == pytest.approx(counts[1] / (reply * profile.sourced.interest_rate))


def test_planner_view_places_hours_in_the_months_and_prints_them() -> None:
    data = sourced_only(binding=False)
    data["simulation"]["start_date"] = "2027-01-01"
    scenario = scenario_from_dict(data)
    view = planner_view(scenario)
    assert [m.label for m in view.months][:3] == ["2027-01", "2027-02", "2027-03"]
    assert sum(view.hires) == sum(p.openings.count for p in scenario.profiles)
    assert sum(view.hours["recruiter"]) > 0 and sum(view.hours["interviewer"]) > 0
    lines = planner_lines(view)
    assert lines[0].split()[:3] == ["month", "reqs", "hires"]
    assert lines[1].split()[0] == "2027-01"


def test_plan_command_answers_before_any_simulation() -> None:
    from small_scenario import cli

    done = cli("plan", "scenarios/plan-combined.yaml")
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].split()[:4] == ["month", "reqs", "hires", "offers"]
    assert [x.split()[0] for x in lines[2:5]] == ["2027-01", "2027-02", "2027-03"]
    assert sum(int(x.split()[2]) for x in lines[2:]) == 16  # the hires of plan.csv
    again = cli("plan", "scenarios/plan-combined.yaml", "--format", "json")
    import json

    payload = json.loads(again.stdout)
    assert sum(payload["hires"]) == 16 and payload["months"][0] == "2027-01"
