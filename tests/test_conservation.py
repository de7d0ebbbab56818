"""Conservation laws that hold exactly in every replication (docs/validation.md, section 3).

Checked on the shipped scenarios and, with hypothesis, on random small valid scenarios:

- every candidate ends in exactly one terminal state, reached at its last stage visit;
- per stage, entered = passed + failed + withdrew + closed out + in process, and the
  candidates' terminal states account for every visit that did not pass;
- a candidate's visits are contiguous (each stage is entered when the previous one is
  left, the first when the candidate was created) and time never runs backwards;
- no wait is negative; nobody is busy for more hours than they have;
- hires (KPI) = hired candidates = positions filled; a filled req has all its positions
  filled, by hires that ended on or before its fill day, the last one on that day.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

# OUTCOME_OF_TERMINAL: how a terminal state shows in the outcome of the candidate's last
# visit (the model's own map, checked here against every visit the model records).
from hiresim.model.outcomes import OUTCOME_OF_TERMINAL, TERMINAL_STATES, VISIT_OUTCOMES
from hiresim.replication import run_replication
from hiresim.scenario import Scenario
from hiresim.scenario_files import load_scenario

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"

EPS = 1e-9


def test_every_terminal_state_ends_in_one_visit_outcome():
    assert set(OUTCOME_OF_TERMINAL) == set(TERMINAL_STATES)
    assert set(OUTCOME_OF_TERMINAL.values()) <= set(VISIT_OUTCOMES)
    # Only a hire passes its last stage; the other endings show as themselves or failed.
    assert [t for t, o in OUTCOME_OF_TERMINAL.items() if o == "passed"] == ["hired"]
    for state in ("withdrew", "closed_out", "in_process"):
        assert OUTCOME_OF_TERMINAL[state] == state


def _show(vs: list[dict]) -> str:
    return "\n".join(f"  {v['stage']:<20} enter {v['enter_day']:.4f} start {v['start_day']:.4f}"
                     f" end {v['end_day']:.4f} {v['outcome']}" for v in vs)


def check_conservation(scenario: Scenario, result, records) -> None:
    horizon = scenario.simulation.horizon_days
    cands = {c["candidate"]: c for c in records.candidates(result)}
    assert len(cands) == len(result.candidates), "candidate ids are unique"
    visits_by: dict[int, list[dict]] = defaultdict(list)
    for v in records.visits(result):
        visits_by[v["candidate"]].append(v)
    # Candidates created in the warm-up have visits but no row (they are not counted).
    assert set(cands) <= set(visits_by), "every counted candidate has stage visits"

    # -- one terminal state, at the last visit
    for cid, c in cands.items():
        assert c["terminal"] in TERMINAL_STATES, c
        vs = visits_by[cid]
        *before, last = vs
        story = f"candidate {c}\n{_show(vs)}"
        assert all(v["outcome"] == "passed" for v in before), f"visit after the end: {story}"
        assert last["outcome"] == OUTCOME_OF_TERMINAL[c["terminal"]], story
        assert last["stage"] == c["terminal_stage"], story
        assert last["end_day"] == c["end_day"], story
        assert 0.0 <= c["created_day"] <= c["end_day"] <= horizon + EPS, c
        assert (c["terminal"] == "in_process") == (c["end_day"] == horizon
                                                  and last["outcome"] == "in_process"), c
        if c["terminal"] == "hired":
            assert c["offered"] and last["stage"] == "offer", c
        if c["source"] == "inbound":
            assert c["sourced_by"] == "" and not c["replied"], c
        elif c["source"] == "pool":  # a silver medallist re-engaged: starts at the screen
            assert c["sourced_by"] == "" and vs[0]["stage"] == "screen", (c, vs)
        else:
            assert c["sourced_by"] in ("sourcer", "recruiter"), c
            assert vs[0]["stage"] == "outreach", (c, vs)

    # -- contiguous visits, time never runs backwards, no negative wait
    for cid, vs in visits_by.items():
        if cid in cands:
            assert vs[0]["enter_day"] == cands[cid]["created_day"], vs
        for v in vs:
            assert v["outcome"] in VISIT_OUTCOMES, v
            if math.isnan(v["start_day"]):
                assert v["enter_day"] <= v["end_day"], v
            else:
                assert v["enter_day"] <= v["start_day"] <= v["end_day"], v
                assert v["start_day"] - v["enter_day"] >= 0.0, v  # the wait
        for prev, nxt in zip(vs, vs[1:], strict=False):
            assert nxt["enter_day"] == prev["end_day"], f"not contiguous:\n{_show(vs)}"
        stages = [v["stage"] for v in vs]
        assert len(stages) == len(set(stages)), f"a stage visited twice: {vs}"

    # -- per stage: entered = passed + failed + withdrew + closed_out + in_process
    counted = [v for cid, vs in visits_by.items() if cid in cands for v in vs]
    entered = Counter(v["stage"] for v in counted)
    outcomes = Counter((v["stage"], v["outcome"]) for v in counted)
    ends_here = Counter((c["terminal_stage"], OUTCOME_OF_TERMINAL[c["terminal"]])
                        for c in cands.values())
    moved_on = Counter(a["stage"] for cid, vs in visits_by.items() if cid in cands
                       for a in vs[:-1])
    for stage, n in entered.items():
        assert n == sum(outcomes[stage, o] for o in VISIT_OUTCOMES), stage
        for outcome in ("failed", "withdrew", "closed_out", "in_process"):
            assert outcomes[stage, outcome] == ends_here[stage, outcome], (stage, outcome)
        # passed = moved on to a next stage, or hired at this stage
        assert outcomes[stage, "passed"] == moved_on[stage] + ends_here[stage, "passed"], stage
    # The funnel rows (source, stage, outcome, candidates) tally the same stage visits.
    source = {cid: c["source"] for cid, c in cands.items()}
    tally = Counter((source[v["candidate"]], v["stage"], v["outcome"]) for v in counted)
    assert {(s, st, o): n for s, st, o, n in result.funnel} == dict(tally)

    # -- staff hours within what people have
    capacity: dict[str, float] = {}
    busy: dict[str, float] = defaultdict(float)
    for s in records.staff(result):
        assert s["hours"] >= 0.0, s
        busy[s["person"]] += s["hours"]
        capacity[s["person"]] = s["hours_per_week"] * horizon / 7.0
    for person, hours in busy.items():
        if person.endswith("-pool"):  # an unlimited pool is a modelling device
            continue
        assert hours <= capacity[person] * (1 + 1e-12) + 1e-9, (person, hours)

    # -- hires, positions and fills
    hired = [c for c in cands.values() if c["terminal"] == "hired"]
    assert result.kpis["hires"] == len(hired)
    reqs = records.reqs(result)
    hires_by_req = Counter(c["req"] for c in hired)
    all_counted = all(r["counted"] for r in reqs)
    for r in reqs:
        if all_counted:
            assert hires_by_req[r["req"]] == r["filled_positions"], r
        assert r["filled_positions"] <= r["positions"], r
        if math.isnan(r["filled_day"]):
            assert r["filled_positions"] < r["positions"], r
            continue
        assert r["filled_positions"] == r["positions"], r
        ends = [c["end_day"] for c in hired if c["req"] == r["req"]]
        if all_counted:
            assert max(ends) == r["filled_day"], r
        assert r["open_day"] <= r["assigned_day"] <= r["active_day"] <= r["filled_day"], r
        # After the fill nobody is still being worked for this req.
        late = [c for c in cands.values() if c["req"] == r["req"]
                and c["end_day"] > r["filled_day"]]
        assert not late, late
    for r in reqs:
        if not math.isnan(r["assigned_day"]):
            assert r["open_day"] <= r["assigned_day"], r


# --------------------------------------------------------------------------- shipped


@pytest.mark.parametrize("name", ["combined", "split"])
@pytest.mark.parametrize("replication", [0, 1])
def test_shipped_scenarios_conserve(records, name, replication):
    scenario = load_scenario(SCENARIO_DIR / f"{name}.yaml")
    result = run_replication(scenario, replication, record_detail=True)
    check_conservation(scenario, result, records)


# --------------------------------------------------------------------------- random


def _effort(draw) -> object:
    kind = draw(st.sampled_from(["fixed", "exponential", "zero"]))
    if kind == "zero":
        return 0.0
    value = draw(st.floats(0.05, 3.0))
    return value if kind == "fixed" else {"dist": "exponential", "mean": value}


def _delay(draw, high: float) -> object:
    value = draw(st.floats(0.0, high))
    if value > 0 and draw(st.booleans()):
        return {"dist": "exponential", "mean": value}
    return value


# Any probability, with the edges often.
prob = st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0.0, 1.0))
# Pass rates lean high, so that journeys are long, offers are made and reqs close while
# other candidates are under way (where the bookkeeping is hardest).
pass_rate = st.one_of(st.just(1.0), st.floats(0.6, 1.0), st.floats(0.0, 1.0))


@st.composite
def scenarios(draw) -> dict:
    """A small, valid scenario: a few reqs, a few people, any probabilities."""
    structure = draw(st.sampled_from(["combined", "split"]))
    horizon = draw(st.floats(20.0, 90.0))
    touches = draw(st.integers(1, 3))
    weights = draw(st.lists(st.integers(1, 5), min_size=touches, max_size=touches))
    shares = [w / sum(weights) for w in weights]
    shares[-1] = 1.0 - sum(shares[:-1])

    def staff() -> dict:
        role = {"count": draw(st.integers(1, 3)),
                "hours_per_week": draw(st.sampled_from([7.0, 14.0, 32.0]))}
        max_reqs = draw(st.none() | st.integers(1, 3))
        if max_reqs is not None:
            role["max_reqs"] = max_reqs
        return role

    team: dict = {
        "structure": structure,
        "work_queue": draw(st.sampled_from(["per_owner", "shared"])),
        "recruiters": staff(),
        "task_switch_hours": draw(st.sampled_from([0.0, 0.1])),
        "handoff": {"sourcer_hours": _effort(draw), "recruiter_hours": _effort(draw),
                    "delay_days": _delay(draw, 3.0), "context_loss": draw(prob)},
        "recruiter_skill": {"reply_rate_multiplier": draw(st.floats(0.0, 1.5))},
    }
    if structure == "split":
        team["sourcers"] = staff()
        team["pipeline_ahead_days"] = draw(st.sampled_from([0.0, 5.0]))

    prospects_per_week = draw(st.sampled_from([0.0, 2.0]) | st.floats(0.0, 15.0))

    def profile(i: int) -> dict:
        first = draw(st.floats(0.0, horizon / 2))
        rounds = [
            {"name": f"round{k}", "pass_rate": draw(pass_rate),
             "panel_size": draw(st.integers(1, 3)), "interviewer_hours": _effort(draw),
             "lead_days": _delay(draw, 5.0)}
            for k in range(draw(st.integers(0, 2)))
        ]
        # Every profile needs a source of candidates, or the scenario is refused.
        low = 0.0 if prospects_per_week > 0 else 0.5
        return {
            "name": f"p{i}",
            "openings": {
                "count": draw(st.integers(1, 3)), "first_day": first,
                "last_day": first + draw(st.floats(0.0, 20.0)),
                "spacing": draw(st.sampled_from(["even", "random"])),
                "positions_per_req": draw(st.sampled_from([1, 1, 2])),
            },
            "inbound": {"applications_per_week": draw(st.floats(low, 8.0)),
                        "reviewed": draw(st.booleans()), "review_pass_rate": draw(pass_rate)},
            "sourced": {"reply_rate": draw(pass_rate), "interest_rate": draw(pass_rate),
                        "qualify_rate": draw(pass_rate)},
            "screen_pass_rate": draw(pass_rate),
            "interview_rounds": rounds,
            "decision_pass_rate": draw(pass_rate),
            "offer_acceptance": draw(pass_rate),
            "interviewers": {"count": draw(st.sampled_from([1, 2, "unlimited"])),
                             "hours_per_week": draw(st.sampled_from([4.0, 14.0]))},
        }

    patience = draw(st.sampled_from(["none", "fixed", "exponential"]))
    patience_days = (None if patience == "none" else draw(st.floats(0.5, 20.0)))
    if patience == "exponential":
        patience_days = {"dist": "exponential", "mean": patience_days}
    simulation: dict = {"horizon_days": horizon, "seed": draw(st.integers(0, 2**32))}
    if draw(st.booleans()):
        simulation["new_candidates_until_day"] = draw(st.floats(0.0, horizon))
    return {
        "name": "random",
        "simulation": simulation,
        "team": team,
        "effort": {name: _effort(draw) for name in (
            "intake_hours", "outreach_hours", "follow_up_hours", "qualification_call_hours",
            "application_review_hours", "screen_hours", "scheduling_hours", "debrief_hours",
            "offer_hours")},
        "outreach": {
            "touches": touches, "touch_gap_days": _delay(draw, 4.0),
            "reply_share_by_touch": shares, "reply_delay_days": _delay(draw, 3.0),
            "prospects_per_req_per_week": prospects_per_week,
            "max_active_per_req": draw(st.none() | st.integers(1, 4)),
        },
        "candidates": {
            "patience_days": patience_days,
            "offer_response_days": _delay(draw, 4.0),
            "acceptance_grace_days": draw(st.floats(0.0, 30.0)),
            "acceptance_drop_per_week": draw(st.floats(0.0, 0.1)),
        },
        "profiles": [profile(i) for i in range(draw(st.integers(1, 2)))],
    }


def _example(team: dict, effort: dict, outreach: dict, candidates: dict,
             profiles: list[dict]) -> dict:
    """A hand-kept example scenario: a 20-day run, every probability 1 unless stated."""
    every = {"openings": {"count": 1}, "inbound": {"reviewed": False},
             "sourced": {"reply_rate": 1.0, "interest_rate": 1.0, "qualify_rate": 1.0},
             "screen_pass_rate": 1.0, "decision_pass_rate": 1.0, "offer_acceptance": 1.0,
             "interviewers": {"count": 1, "hours_per_week": 4.0}}
    return {
        "name": "example", "simulation": {"horizon_days": 20.0, "seed": 0},
        "team": {"structure": "combined", "recruiters": {"count": 1, "hours_per_week": 7.0},
                 "recruiter_skill": {"reply_rate_multiplier": 0.0}, **team},
        "effort": {"intake_hours": 1.0, "application_review_hours": 1.0, "screen_hours": 1.0,
                   "scheduling_hours": 1.0, "debrief_hours": 1.0, "offer_hours": 1.0,
                   **effort},
        "outreach": {"touches": 1, "reply_share_by_touch": [1.0], "reply_delay_days": 0.0,
                     "max_active_per_req": None, **outreach},
        "candidates": {"offer_response_days": 0.0, "acceptance_drop_per_week": 0.0,
                       **candidates},
        "profiles": [{**every, **p} for p in profiles],
    }


# Two applicants for one req; the second is in a 3.5-day interview when the first accepts.
CLOSED_OUT_MID_INTERVIEW = _example(
    team={"task_switch_hours": 0.0}, effort={}, outreach={"prospects_per_req_per_week": 0.0},
    candidates={"patience_days": None},
    profiles=[{"name": "p0", "inbound": {"applications_per_week": 2.0, "reviewed": False},
               "interview_rounds": [{"name": "round0", "pass_rate": 1.0,
                                     "interviewer_hours": 2.0, "lead_days": 0.0}]}])
# A recruiter switching between sourcing and screens (0.1 h) with very impatient applicants.
TASK_SWITCH_AND_PATIENCE = _example(
    team={"task_switch_hours": 0.1}, effort={"outreach_hours": 2.25,
                                             "qualification_call_hours": 0.0},
    outreach={"prospects_per_req_per_week": 1.0}, candidates={"patience_days": 0.5},
    profiles=[{"name": "p0", "inbound": {"applications_per_week": 0.0},
               "interview_rounds": []},
              {"name": "p1", "openings": {"count": 2},
               "inbound": {"applications_per_week": 1.0, "reviewed": False},
               "interview_rounds": []}])


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios(), replication=st.integers(0, 3))
@example(data=CLOSED_OUT_MID_INTERVIEW, replication=0)
@example(data=TASK_SWITCH_AND_PATIENCE, replication=0)
def test_random_scenarios_conserve(make_scenario, records, data, replication):
    scenario = make_scenario(base=data)
    result = run_replication(scenario, replication, record_detail=True)
    check_conservation(scenario, result, records)
