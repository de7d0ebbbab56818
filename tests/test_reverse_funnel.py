"""The planner's reverse funnel against the simulation (hiresim.reverse_funnel).

With an unlimited team, no patience limit, no acceptance decay and one candidate at a time
per req (so few close-outs), the simulation's mean decided visits per stage (passed or
failed) are what the planner's arithmetic says. So they are with the drop-out hazard and
the recurring workload on (a finite team with room to spare: unlimited pools pay no
recurring work), and so are the hours per role, given the weeks the simulated reqs were
open (the planner's own assumption for those is the plan's span). When the team binds, the
simulation decides more candidates per hire (withdrawals and close-outs) and makes fewer
hires by the horizon.
"""

from __future__ import annotations

import math

import pytest

import hiresim
from hiresim.hiring_plan import DEFAULT_LEAD_DAYS
from hiresim.reverse_funnel import (
    entering_per_hire,
    per_hire,
    per_req_hours,
    planner_lines,
    planner_view,
    source_steps,
)
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


HAZARD = {"hazard_per_week": 0.5, "shape": 1.5}  # about a third of interviewees drop out
WORKLOAD = {"recruiter_hours_per_req_per_week": 1.0,  # the defaults (docs/model.md 2.10)
            "recruiter_hours_per_candidate_per_week": 0.4,
            "sourcer_hours_per_req_per_week": 0.5}


def with_realism(data: dict, dropout: dict = HAZARD) -> dict:
    """The check above with drop-out and recurring work on, and four recruiters for the
    four reqs (finite people pay recurring work; unlimited pools do not)."""
    data["workload"] = dict(WORKLOAD)
    data["team"]["recruiters"] = {"count": 4, "hours_per_week": 40.0}
    for p in data["profiles"]:
        p["dropout"] = dict(dropout)
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


def checked_stages(scenario, results):
    """Each stage's simulated mean decided visits against the planner's, scaled to the
    hires actually made (the arithmetic is linear in the hires), within 4 standard errors;
    yields (stage key, simulated mean, its standard error) for every stage checked."""
    planned = sum(p.openings.count for p in scenario.profiles)
    hires = results.replications["reqs_filled"].mean()
    assert hires >= 0.97 * planned  # (almost) every req fills by the horizon
    expected = {k: v * hires / planned for k, v in planner_view(scenario).totals().items()}
    simulated = decided(results)
    for key, value in expected.items():
        if key[1] == "replies":
            continue
        mean, se, _ = simulated[key]
        assert abs(mean - value) <= 4 * se + 1e-9, (key, value, mean, se)
        yield key, mean, se


def test_reverse_funnel_matches_the_simulation_when_nothing_binds(unlimited_run) -> None:
    scenario, results = unlimited_run
    checked = sum(1 for _ in checked_stages(scenario, results))
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


@pytest.fixture(scope="module")
def realistic_run():
    scenario = scenario_from_dict(with_realism(sourced_only(binding=False)))
    return scenario, hiresim.simulate(scenario, replications=REPLICATIONS, seed=7)


def test_reverse_funnel_with_dropout_matches_the_simulation(realistic_run) -> None:
    scenario, results = realistic_run
    planned = sum(p.openings.count for p in scenario.profiles)
    hires = results.replications["reqs_filled"].mean()
    without = planner_view(scenario_from_dict(with_realism(
        sourced_only(binding=False), {"hazard_per_week": 0.0}))).totals()
    checked = off = 0
    for key, mean, se in checked_stages(scenario, results):
        checked += 1
        # the arithmetic without drop-out would be wrong here
        off += abs(mean - without[key] * hires / planned) > 4 * se
    assert checked >= 6 and off >= 3  # outreach to the first round need more without it
    # and the visits that end in a drop-out are those the survival leaves out
    funnel = results.funnel
    withdrew = funnel[funnel["outcome"] == "withdrew"].groupby("replication")[
        "candidates"].sum().reindex(range(results.n_replications), fill_value=0)
    mean, se = withdrew.mean(), withdrew.std(ddof=1) / math.sqrt(len(withdrew))
    assert mean > 1.0  # the hazard is felt
    assert abs(mean - sum(planner_view(scenario).dropouts) * hires / planned) <= 4 * se, (mean, se)


def _hours_per_replication(results: hiresim.Results, role: str,
                           activities: set[str] | None = None) -> list[float]:
    staff = results.staff
    part = staff[staff["role"].str.startswith(role)]
    if activities is not None:
        part = part[part["activity"].isin(activities)]
    return part.groupby("replication")["hours"].sum().reindex(
        range(results.n_replications), fill_value=0.0).tolist()


def test_planner_hours_with_recurring_work_match_the_simulation(realistic_run) -> None:
    """Hours per role: the planner's per-visit and per-candidate hours scaled to the hires
    made, one intake per req, and the recurring hours per req for the weeks each simulated
    req was open (from intake done to filled: when the simulation pays them)."""
    scenario, results = realistic_run
    view = planner_view(scenario)
    planned = sum(view.hires)
    reqs = sum(view.reqs)
    assert planned == reqs == 4
    made = results.replications["reqs_filled"].tolist()
    table = results.reqs
    open_days = (table["filled_day"].fillna(scenario.simulation.horizon_days) - table["active_day"])
    open_weeks = (open_days.groupby(table["replication"]).sum() / 7.0).tolist()
    intake = scenario.effort.intake_hours.mean
    per_req = per_req_hours(scenario)
    assert per_req == {"recruiter": 1.5}  # a combined recruiter pays the sourcer's 0.5 too
    lead_weeks = DEFAULT_LEAD_DAYS / 7.0
    for role, activities in (("recruiter", None), ("interviewer", None),
                             ("recruiter", {"req_upkeep"})):
        if activities is None:
            total = sum(view.hours[role])
            fixed = reqs * (intake if role == "recruiter" else 0.0)
        else:
            total = sum(view.recurring[role])
            fixed = 0.0
        rate = per_req.get(role, 0.0)
        per_hire_part = total - fixed - rate * reqs * lead_weeks
        assert per_hire_part > 0
        sim = _hours_per_replication(results, role, activities)
        gaps = [h - (per_hire_part * k / planned + fixed + rate * w)
                for h, k, w in zip(sim, made, open_weeks, strict=True)]
        mean = sum(gaps) / len(gaps)
        se = math.sqrt(sum((g - mean) ** 2 for g in gaps) / (len(gaps) - 1) / len(gaps))
        assert abs(mean) <= 4 * se + 1e-6, (role, activities, mean, se, sum(sim) / len(sim))
    # recurring work is a real part of the recruiter's hours here
    assert sum(view.recurring["recruiter"]) > 0.2 * sum(view.hours["recruiter"])


def test_switching_the_hazard_off_gives_the_pass_rate_arithmetic() -> None:
    off = scenario_from_dict(with_realism(sourced_only(binding=False),
                                          {"hazard_per_week": 0.0, "shape": 1.5}))
    on = scenario_from_dict(with_realism(sourced_only(binding=False)))
    for profile_off, profile_on in zip(off.profiles, on.profiles, strict=True):
        steps = source_steps(off, profile_off, "sourced")
        assert all(s.survival == 1.0 for s in steps)
        counts = per_hire(steps)
        assert entering_per_hire(steps) == counts
        needed = 1.0  # the product of the pass rates, from the offer back
        for step, count in reversed(list(zip(steps, counts, strict=True))):
            needed /= step.pass_rate
            assert count == pytest.approx(needed)
        with_hazard = per_hire(source_steps(on, profile_on, "sourced"))
        assert with_hazard[-1] == pytest.approx(counts[-1])  # no drop-out at the offer
        assert all(a > b for a, b in zip(with_hazard[:-2], counts[:-2], strict=True))
    assert sum(planner_view(off).dropouts) == 0.0
    # the unlimited run of the first test: its counts are the pass-rate arithmetic
    plain = scenario_from_dict(sourced_only(binding=False))
    assert planner_view(plain).totals() == planner_view(off).totals()


def test_survival_is_stage_by_stage_over_the_no_queue_time_in_process() -> None:
    scenario = scenario_from_dict(with_realism(sourced_only(binding=False)))
    profile = scenario.profiles[0]
    steps = source_steps(scenario, profile, "sourced")
    # the clock starts at the qualification call and stops at the offer
    assert steps[0].stage == "outreach" and steps[0].survival == 1.0
    days = [s.days for s in steps[1:-1]]
    # recruiters at 40 h a week: a 0.5 h call is 0.0875 days; a round is scheduling,
    # 1 lead day and a 1 h interview at 4 h a week (1.75 days)
    assert days[0] == pytest.approx(0.5 * 7 / 40)
    assert days[2] == pytest.approx(0.5 * 7 / 40 + 1.0 + 1.75)
    total = 1.0
    for step in steps[1:-1]:
        total *= step.survival
    to_offer = sum(days) / 7.0
    assert total == pytest.approx(math.exp(-0.5 * to_offer ** 1.5))
    assert steps[-1].survival == 1.0


def test_recurring_hours_per_req_follow_the_structure() -> None:
    data = with_realism(sourced_only(binding=False), {"hazard_per_week": 0.0})
    data["workload"]["recruiter_hours_per_candidate_per_week"] = 0.0
    combined = planner_view(scenario_from_dict(data))
    weeks = DEFAULT_LEAD_DAYS / 7.0
    assert sum(combined.recurring["recruiter"]) == pytest.approx(4 * 1.5 * weeks)
    data["team"] = {"structure": "split",
                    "recruiters": {"count": 2, "hours_per_week": 40.0},
                    "sourcers": {"count": 1, "hours_per_week": 40.0}}
    split = planner_view(scenario_from_dict(data))
    assert sum(split.recurring["recruiter"]) == pytest.approx(4 * 1.0 * weeks)
    assert sum(split.recurring["sourcer"]) == pytest.approx(4 * 0.5 * weeks)
    data["team"]["sourcers"]["count"] = "unlimited"  # unlimited pools pay none
    assert sum(planner_view(scenario_from_dict(data)).recurring["sourcer"]) == 0.0
