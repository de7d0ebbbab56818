"""Exact event traces of tiny scenarios, worked out by hand.

Every effort and delay is fixed and every probability is 0 or 1 (see ``TINY`` in
conftest.py), so the day each stage visit starts and ends is known exactly. Effort in hours
takes ``hours * 7 / hours_per_week`` calendar days of the person doing it; with
``hours_per_week: 7`` an hour is a day. Each test writes its expected timeline out step by
step, in comments, from the rules in docs/model.md and the module docstrings.

Sourcing is paced by a per-req token bucket: one prospect's worth at the moment a sourcing
person starts on a req, then ``prospects_per_req_per_week / 7`` per day. An idle worker
whose next token is not due sets an alarm 1e-9 days after it is, so times that follow such
a wake-up are compared with a 1e-6 tolerance.
"""

from __future__ import annotations

import math

import pytest
import simpy

from hiresim.distributions import Fixed
from hiresim.model.sourcing import ReqSourcing
from hiresim.model.work import (
    DONE,
    WITHDREW,
    Activity,
    EffortSampler,
    Person,
    Task,
    WorkQueue,
)
from hiresim.random_streams import Stream, stream
from hiresim.replication import run_replication

EPS = 1e-6
NAN = float("nan")


def approx(x: float) -> object:
    return pytest.approx(x, abs=EPS, nan_ok=True)


def trace(result, records) -> dict[int, list[tuple]]:
    """candidate -> [(stage, enter, start, end, outcome), ...] in the order recorded."""
    out: dict[int, list[tuple]] = {}
    for v in records.visits(result):
        out.setdefault(v["candidate"], []).append(
            (v["stage"], v["enter_day"], v["start_day"], v["end_day"], v["outcome"]))
    return out


def assert_visits(actual: list[tuple], expected: list[tuple]) -> None:
    assert [v[0] for v in actual] == [v[0] for v in expected], actual
    assert [v[4] for v in actual] == [v[4] for v in expected], actual
    for got, want in zip(actual, expected, strict=True):
        assert got[1:4] == (approx(want[1]), approx(want[2]), approx(want[3])), (got, want)


def hours_by_activity(result, records, person: str) -> dict[str, float]:
    return {s["activity"]: s["hours"] for s in records.staff(result) if s["person"] == person}


# --------------------------------------------------------------------------- combined role


@pytest.mark.parametrize("hours_per_week", [7.0, 14.0, 3.5])
def test_combined_single_sourced_candidate(make_scenario, records, hours_per_week):
    """One req, one full-cycle recruiter, one prospect who passes everything.

    d = days per recruiter hour = 7 / hours_per_week; every recruiter activity is 1 hour.
    The interviewer gives 14 h/week, so their 1-hour interview takes 0.5 day.

      0      req opens, recruiter assigned at once (no backlog), intake   0 -> d
      d      req active, sourcing clock starts with 1 token; outreach     d -> 2d
      2d     prospect created (first touch sent); replies 2 days later    -> 2d+2
      2d+2   qualification call                                           -> 3d+2
      3d+2   screen                                                       -> 4d+2
      4d+2   onsite: scheduling -> 5d+2, lead 3 days -> 5d+5, interview   -> 5d+5.5
      5d+5.5 debrief                                                      -> 6d+5.5
      6d+5.5 offer                                 -> 7d+5.5, answer after 2 days -> 7d+7.5
    The next sourcing token is due 7 days after the first, after the reply: by then the
    prospect is in process and max_active_per_req (1) stops new outreach.
    """
    d = 7.0 / hours_per_week
    sc = make_scenario({"team": {"recruiters": {"hours_per_week": hours_per_week}}})
    res = run_replication(sc, 0, record_detail=True)

    fill = 7 * d + 7.5
    assert_visits(trace(res, records)[1], [
        ("outreach", 2 * d, 2 * d, 2 * d + 2, "passed"),
        ("qualification", 2 * d + 2, 2 * d + 2, 3 * d + 2, "passed"),
        ("screen", 3 * d + 2, 3 * d + 2, 4 * d + 2, "passed"),
        ("onsite", 4 * d + 2, 4 * d + 2, 5 * d + 5.5, "passed"),
        ("debrief", 5 * d + 5.5, 5 * d + 5.5, 6 * d + 5.5, "passed"),
        ("offer", 6 * d + 5.5, 6 * d + 5.5, fill, "passed"),
    ])
    [cand] = records.candidates(res)
    assert cand["source"] == "sourced" and cand["sourced_by"] == "recruiter"
    assert cand["created_day"] == approx(2 * d)
    assert cand["end_day"] == approx(fill)
    assert (cand["terminal"], cand["terminal_stage"]) == ("hired", "offer")
    assert cand["replied"] and cand["offered"]

    [req] = records.reqs(res)
    assert req["open_day"] == 0.0 and req["assigned_day"] == 0.0
    assert req["active_day"] == approx(d) and req["sourcing_day"] == approx(d)
    assert req["filled_day"] == approx(fill)
    assert req["filled_positions"] == 1 == req["positions"]
    assert req["recruiter"] == req["sourcer"] == "recruiter-1"

    recruiter = hours_by_activity(res, records, "recruiter-1")
    assert recruiter == {a: approx(1.0) for a in (
        "intake", "outreach", "qualification", "screen", "scheduling", "debrief", "offer")}
    assert hours_by_activity(res, records, "interviewer:eng-1") == {"interview": approx(1.0)}

    k = res.kpis
    assert k["hires"] == 1 and k["sourced_hires"] == 1 and k["contacted"] == 1
    assert k["fill_rate"] == 1.0
    assert k["time_to_fill_p50"] == approx(fill)
    assert k["time_to_hire_days"] == approx(fill - 2 * d)
    assert k["reply_rate"] == 1.0 and k["offer_acceptance_rate"] == 1.0
    horizon = sc.simulation.horizon_days
    assert k["hires_per_recruiter_per_quarter"] == approx(1 / (horizon / 91.25))
    assert k["utilization_recruiter"] == approx(7.0 / (hours_per_week * horizon / 7.0))


def test_combined_recruiter_sources_in_the_gaps(make_scenario, records):
    """A full-cycle recruiter sources whenever no pipeline work is waiting.

    Two reqs open on day 0: 'eng' (everyone passes) and 'scarce' (nobody replies, so each
    of its prospects is only an outreach). Pace: 1 prospect per req per week.

      0-1   intake eng;   1-2 intake scarce (FIFO among equal priorities)
      2-3   outreach eng (eng's token since day 1)      -> c1 created 3, replies at 5
      3-4   outreach scarce (token since day 2)         -> s1 created 4: no reply
      4     nothing to do, next token due: eng 9 (but capped once c1 replies), scarce 10
      5-6   qualification c1; 6-7 screen; 7-8 scheduling; lead 3 days -> 11
      10-11 outreach scarce in the gap while c1 waits for the interview -> s2 at 11
      11-11.5 interview (interviewer); 11.5-12.5 debrief; 12.5-13.5 offer; hired 15.5
      then one scarce prospect a week: outreach 17-18 -> s3 at 18, 24-25 -> s4 at 25;
      the next (31-32) is past the 30-day horizon.
    """
    scarce = {
        "name": "scarce",
        "openings": {"count": 1},
        "inbound": {"applications_per_week": 0},
        "sourced": {"reply_rate": 0.0},
        "interview_rounds": [],
    }
    base = make_scenario().model_dump(mode="json")
    sc = make_scenario({"simulation": {"horizon_days": 30},
                        "profiles": [base["profiles"][0], scarce]})
    res = run_replication(sc, 0, record_detail=True)

    cands = records.candidates(res)
    eng = [c for c in cands if c["profile"] == "eng"]
    scarce_made = sorted(c["created_day"] for c in cands if c["profile"] == "scarce")
    assert [c["created_day"] for c in eng] == [approx(3.0)]
    assert scarce_made == [approx(4.0), approx(11.0), approx(18.0), approx(25.0)]
    assert all(c["terminal"] == "no_reply" for c in cands if c["profile"] == "scarce")

    [c1] = eng
    assert_visits(trace(res, records)[c1["candidate"]], [
        ("outreach", 3, 3, 5, "passed"),
        ("qualification", 5, 5, 6, "passed"),
        ("screen", 6, 6, 7, "passed"),
        ("onsite", 7, 7, 11.5, "passed"),
        ("debrief", 11.5, 11.5, 12.5, "passed"),
        ("offer", 12.5, 12.5, 15.5, "passed"),
    ])
    reqs = {r["profile"]: r for r in records.reqs(res)}
    assert reqs["eng"]["active_day"] == 1.0 and reqs["scarce"]["active_day"] == 2.0
    assert reqs["eng"]["filled_day"] == approx(15.5)
    assert math.isnan(reqs["scarce"]["filled_day"])
    hours = hours_by_activity(res, records, "recruiter-1")
    assert hours["outreach"] == approx(5.0)  # 1 for eng + 4 for scarce
    assert hours["intake"] == approx(2.0)
    assert res.kpis["recruiter_sourcing_share"] == approx((5.0 + 1.0) / 12.0)


def test_pipeline_work_comes_before_sourcing(make_scenario, records):
    """Qualification calls wait only for the work under way, never for new outreach.

    Outreach takes 5 hours (5 days) and the pace allows a prospect a day (up to 7 banked),
    so there is always outreach to do. Replies come half a day after the first touch; the
    call (1 hour) finds nobody qualified (qualify_rate 0), so no step follows it.
      0-1 intake; 1-6 outreach -> c1 at 6 (replies 6.5); 6-11 outreach -> c2 at 11
      11-12 c1's call, although outreach tokens are waiting; c2 replied at 11.5, so
      12-13 c2's call; only then 13-18 outreach -> c3 at 18 (replies 18.5);
      18-23 outreach (c3 was not waiting yet at 18): at the 20-day horizon c3 still waits.
    """
    sc = make_scenario({
        "simulation": {"horizon_days": 20},
        "effort": {"outreach_hours": 5},
        "outreach": {"prospects_per_req_per_week": 7, "reply_delay_days": 0.5,
                     "max_active_per_req": None},
        "profile": {"sourced": {"qualify_rate": 0.0}},
    })
    res = run_replication(sc, 0, record_detail=True)
    t = trace(res, records)
    assert sorted(t) == [1, 2, 3]
    assert_visits(t[1], [("outreach", 6, 6, 6.5, "passed"),
                         ("qualification", 6.5, 11, 12, "failed")])
    assert_visits(t[2], [("outreach", 11, 11, 11.5, "passed"),
                         ("qualification", 11.5, 12, 13, "failed")])
    assert_visits(t[3], [("outreach", 18, 18, 18.5, "passed"),
                         ("qualification", 18.5, NAN, 20, "in_process")])
    hours = hours_by_activity(res, records, "recruiter-1")
    assert hours["outreach"] == approx(5 + 5 + 5 + 2)  # the last one is 2 days in
    assert hours["qualification"] == approx(2)


def test_pipeline_step_comes_before_new_outreach_at_the_same_instant(make_scenario, records):
    """Later-stage work before sourcing, also when both become ready at the same moment.

    As above, but pace 2 prospects per req per week (a token every 3.5 days) and replies
    after 1 day:

      0-1 intake eng, 1-2 intake scarce, 2-3 outreach eng -> c1 at 3 (reply at 4),
      3-4 outreach scarce -> s1 at 4 (scarce tokens: 2/7 at day 3, a full one at 5.5)
      4-5 qualification c1, 5-6 screen c1
      6   the screen ends; c1's next step (scheduling the onsite) is ready now, and so is a
          scarce token. Scheduling is pipeline work, so it comes first: 6-7 scheduling,
          then 7-8 outreach scarce -> s2 at 8.
    Horizon 9.5: c1 is still in the onsite round (lead time until 10).
    """
    scarce = {
        "name": "scarce",
        "openings": {"count": 1},
        "inbound": {"applications_per_week": 0},
        "sourced": {"reply_rate": 0.0},
        "interview_rounds": [],
    }
    base = make_scenario().model_dump(mode="json")
    sc = make_scenario({
        "simulation": {"horizon_days": 9.5},
        "outreach": {"prospects_per_req_per_week": 2, "reply_delay_days": 1},
        "profiles": [base["profiles"][0], scarce],
    })
    res = run_replication(sc, 0, record_detail=True)
    cands = records.candidates(res)
    [c1] = [c for c in cands if c["profile"] == "eng"]
    assert_visits(trace(res, records)[c1["candidate"]], [
        ("outreach", 3, 3, 4, "passed"),
        ("qualification", 4, 4, 5, "passed"),
        ("screen", 5, 5, 6, "passed"),
        ("onsite", 6, 6, 9.5, "in_process"),
    ])
    scarce_made = sorted(c["created_day"] for c in cands if c["profile"] == "scarce")
    assert scarce_made == [approx(4.0), approx(8.0)]


# --------------------------------------------------------------------------- split roles


@pytest.mark.parametrize("context_loss", [0.0, 1.0])
def test_split_roles_handoff(make_scenario, records, context_loss):
    """A sourcer (14 h/week: an hour is half a day) hands a lead to a recruiter (7 h/week).

      0-1     recruiter: intake; the req is active at 1 and goes to the sourcer then
      1-1.5   sourcer: outreach                          -> prospect created at 1.5
      3.5     reply (2 days); 3.5-4 sourcer: qualification call
      4       handoff: sourcer writes it up 4-4.5, 1.5 days delay -> 6,
              recruiter reads it 6-7 (1 hour)            -> handoff visit 4 .. 7
      7-8     recruiter: screen
    context_loss 0: screen passed; 8-9 scheduling, lead 3 -> 12, interview 12-12.5,
                    debrief 12.5-13.5, offer 13.5-14.5, accepted 2 days later: 16.5.
                    The sourcer does nothing more: the lead fills max_active_per_req (1).
    context_loss 1: the screen pass rate 1 becomes 1 * (1 - 1) = 0: rejected at 8. The
                    pipeline has room again and the next weekly token is due at 8, so the
                    sourcer starts at once: outreach 8-8.5, and so on every 7 days
                    (prospects at 1.5, 8.5, 15.5; the third is in the handoff delay,
                    18.5 -> 20, at the 19-day horizon).
    """
    sc = make_scenario({
        "simulation": {"horizon_days": 19},
        "team": {
            "structure": "split",
            "sourcers": {"count": 1, "hours_per_week": 14},
            "handoff": {"sourcer_hours": 1, "recruiter_hours": 1, "delay_days": 1.5,
                        "context_loss": context_loss},
        },
    })
    res = run_replication(sc, 0, record_detail=True)
    head = [
        ("outreach", 1.5, 1.5, 3.5, "passed"),
        ("qualification", 3.5, 3.5, 4.0, "passed"),
        ("handoff", 4.0, 4.0, 7.0, "passed"),
    ]
    visits = trace(res, records)
    cands = records.candidates(res)
    if context_loss == 0.0:
        assert_visits(visits[1], head + [
            ("screen", 7, 7, 8, "passed"),
            ("onsite", 8, 8, 12.5, "passed"),
            ("debrief", 12.5, 12.5, 13.5, "passed"),
            ("offer", 13.5, 13.5, 16.5, "passed"),
        ])
        assert [(c["terminal"], c["terminal_stage"], c["end_day"]) for c in cands] == [
            ("hired", "offer", approx(16.5))]
        leads = 1
    else:
        assert_visits(visits[1], head + [("screen", 7, 7, 8, "failed")])
        assert [c["created_day"] for c in cands] == [1.5, 8.5, 15.5]
        assert [(c["terminal"], c["terminal_stage"]) for c in cands] == [
            ("rejected", "screen"), ("rejected", "screen"), ("in_process", "handoff")]
        assert visits[3][-1] == ("handoff", 18.0, 18.0, 19.0, "in_process")
        leads = 3
    assert all(c["sourced_by"] == "sourcer" for c in cands)

    [req] = records.reqs(res)
    assert (req["recruiter"], req["sourcer"]) == ("recruiter-1", "sourcer-1")
    assert req["active_day"] == 1.0 and req["sourcing_day"] == 1.0

    sourcer = hours_by_activity(res, records, "sourcer-1")
    assert sourcer == {"outreach": approx(leads), "qualification": approx(leads),
                       "handoff_out": approx(leads)}
    recruiter = hours_by_activity(res, records, "recruiter-1")
    assert "outreach" not in recruiter and "qualification" not in recruiter
    handed_in = 1 if context_loss == 0.0 else 2
    assert recruiter["handoff_in"] == approx(handed_in)
    assert recruiter["screen"] == approx(handed_in)
    assert res.kpis["utilization_sourcer"] == approx(3.0 * leads / (14 * 19 / 7))


def test_split_pipeline_ahead_of_headcount(make_scenario, records):
    """A sourcer starts 10 days before the req opens; the handoff waits for the req.

      0       sourcer takes the req (open day 10 - 10 days ahead); outreach 0-0.5
      0.5     prospect created; replies 2.5; qualification 2.5-3; handoff out 3-3.5;
              delay 1.5 -> 5, but the req has no recruiter yet: wait for it
      10-11   the req opens, recruiter intake; active at 11
      11-12   recruiter reads the handoff; screen 12-13; scheduling 13-14; lead -> 17;
              interview 17-17.5; debrief 17.5-18.5; offer 18.5-19.5; accepted 21.5
    Time-to-fill counts from approval (day 10): 11.5 days.
    """
    sc = make_scenario({
        "team": {"structure": "split", "pipeline_ahead_days": 10,
                 "sourcers": {"count": 1, "hours_per_week": 14},
                 "handoff": {"sourcer_hours": 1, "recruiter_hours": 1, "delay_days": 1.5}},
        "profile": {"openings": {"first_day": 10, "last_day": 10}},
    })
    res = run_replication(sc, 0, record_detail=True)
    assert_visits(trace(res, records)[1], [
        ("outreach", 0.5, 0.5, 2.5, "passed"),
        ("qualification", 2.5, 2.5, 3.0, "passed"),
        ("handoff", 3.0, 3.0, 12.0, "passed"),
        ("screen", 12, 12, 13, "passed"),
        ("onsite", 13, 13, 17.5, "passed"),
        ("debrief", 17.5, 17.5, 18.5, "passed"),
        ("offer", 18.5, 18.5, 21.5, "passed"),
    ])
    [req] = records.reqs(res)
    assert req["sourcing_day"] == 0.0 and req["open_day"] == 10.0
    assert req["assigned_day"] == 10.0 and req["active_day"] == 11.0
    assert req["filled_day"] == approx(21.5)
    assert res.kpis["time_to_fill_p50"] == approx(11.5)


# --------------------------------------------------------------------------- inbound


def test_inbound_applicant(make_scenario, records):
    """An applicant: review -> screen -> onsite -> debrief -> offer; no sourcing at all.

    Arrivals are Poisson; the gaps come from the documented stream of the req
    (Stream.INBOUND_ARRIVALS, req 0), drawn from the moment the ad is posted (day 1, after
    intake). New candidates stop just after the first application, so there is one.
      a = 1 + gap1; review a -> a+1, screen -> a+2, scheduling -> a+3, lead -> a+6,
      interview -> a+6.5, debrief -> a+7.5, offer -> a+8.5, accepted at a+10.5.
    """
    seed, per_week = 11, 3.0
    gaps = stream(seed, 0, Stream.INBOUND_ARRIVALS, 0).exponential(7.0 / per_week, 2)
    a = 1.0 + gaps[0]
    sc = make_scenario({
        "simulation": {"seed": seed, "horizon_days": a + 20,
                       "new_candidates_until_day": a + gaps[1] / 2},
        "outreach": {"prospects_per_req_per_week": 0},
        "profile": {"inbound": {"applications_per_week": per_week, "reviewed": True,
                                "review_pass_rate": 1.0}},
    })
    res = run_replication(sc, 0, record_detail=True)
    assert_visits(trace(res, records)[1], [
        ("application_review", a, a, a + 1, "passed"),
        ("screen", a + 1, a + 1, a + 2, "passed"),
        ("onsite", a + 2, a + 2, a + 6.5, "passed"),
        ("debrief", a + 6.5, a + 6.5, a + 7.5, "passed"),
        ("offer", a + 7.5, a + 7.5, a + 10.5, "passed"),
    ])
    [cand] = records.candidates(res)
    assert (cand["source"], cand["sourced_by"], cand["terminal"]) == ("inbound", "", "hired")
    assert res.kpis["applicants"] == 1 and res.kpis["contacted"] == 0
    assert res.kpis["inbound_hires"] == 1
    assert math.isnan(res.kpis["reply_rate"])  # no outreach: undefined, not 0


# --------------------------------------------------------------------------- reqs


def test_req_backlog_counts_in_time_to_fill(make_scenario, records):
    """max_reqs 1: the second req (open day 2) waits until the first is filled.

    Req 0 follows the single-candidate timeline (d = 1): filled at 14.5. Req 1 then leaves
    the backlog (assigned 14.5) and runs the same 14.5-day timeline: filled at 29.
    Its time-to-fill is 29 - 2 = 27 days, 12.5 of them in the backlog.
    """
    sc = make_scenario({
        "team": {"recruiters": {"max_reqs": 1}},
        "profile": {"openings": {"count": 2, "first_day": 0, "last_day": 2}},
    })
    res = run_replication(sc, 0, record_detail=True)
    r0, r1 = records.reqs(res)
    assert (r0["open_day"], r0["assigned_day"], r0["active_day"]) == (0, 0, 1)
    assert r0["filled_day"] == approx(14.5)
    assert r1["open_day"] == 2.0
    assert r1["assigned_day"] == approx(14.5)
    assert r1["active_day"] == approx(15.5)
    assert r1["filled_day"] == approx(29.0)
    k = res.kpis
    assert k["time_to_fill_mean_filled"] == approx((14.5 + 27.0) / 2)
    assert k["time_to_fill_p50"] == approx(14.5)  # Kaplan-Meier: half filled by 14.5
    assert k["time_to_fill_p90"] == approx(27.0)
    assert k["backlog_days_mean"] == approx((0.0 + 12.5) / 2)
    backlog = {round(s[0]): s[1] for s in res.snapshots}
    assert backlog[7] == 1 and backlog[14] == 1 and backlog[21] == 0

    c2 = [c for c in records.candidates(res) if c["req"] == 1]
    assert [c["created_day"] for c in c2] == [approx(16.5)]  # 15.5 outreach start + 1


def test_first_accepted_offer_closes_req_and_closes_out_others(make_scenario, records):
    """Two prospects for one req; the first to accept closes it, the other is closed out.

    max_active_per_req 2, lead time 10 days, 1 prospect per week:
      c1: outreach 1-2, reply 4, qualification 4-5, screen 5-6, scheduling 6-7,
          lead -> 17, interview 17-17.5, debrief 17.5-18.5, offer 18.5-19.5, hired 21.5
      c2: the second token is due at 8 (recruiter idle): outreach 8-9, reply 11,
          qualification 11-12, screen 12-13, scheduling 13-14, lead until 24 ...
          closed out at 21.5 in the onsite round.
    """
    sc = make_scenario({
        "outreach": {"max_active_per_req": 2},
        "profile": {"interview_rounds": [
            {"name": "onsite", "pass_rate": 1, "interviewer_hours": 1, "lead_days": 10}]},
    })
    res = run_replication(sc, 0, record_detail=True)
    t = trace(res, records)
    assert sorted(t) == [1, 2]
    assert t[1][-1] == ("offer", approx(18.5), approx(18.5), approx(21.5), "passed")
    assert_visits(t[2], [
        ("outreach", 9, 9, 11, "passed"),
        ("qualification", 11, 11, 12, "passed"),
        ("screen", 12, 12, 13, "passed"),
        ("onsite", 13, 13, 21.5, "closed_out"),
    ])
    cands = {c["candidate"]: c for c in records.candidates(res)}
    assert cands[1]["terminal"] == "hired"
    assert (cands[2]["terminal"], cands[2]["terminal_stage"]) == ("closed_out", "onsite")
    assert cands[2]["end_day"] == approx(21.5)
    [req] = records.reqs(res)
    assert req["filled_day"] == approx(21.5)
    assert res.kpis["hires"] == 1
    assert ("sourced", "onsite", "closed_out", 1) in res.funnel
    assert ("sourced", "offer", "passed", 1) in res.funnel


def test_candidate_closed_out_during_an_interview_goes_no_further(make_scenario, records):
    """A candidate closed out while an interviewer is with them does not carry on.

    As above with a 2-day interview (4 hours at 14 h/week) and 4 days to answer offers:
      c1: scheduling 6-7, lead -> 17, interview 17-19, debrief 19-20, offer 20-21,
          accepts at 25: the req closes.
      c2: scheduling 13-14, lead -> 24, interview 24-26: closed out at 25, mid-interview.
    After 25 nobody may work for c2: the recruiter runs exactly one debrief and one offer
    (c1's), and c2 has no stage visit after being closed out.
    """
    sc = make_scenario({
        "simulation": {"horizon_days": 40},
        "outreach": {"max_active_per_req": 2},
        "candidates": {"offer_response_days": 4},
        "profile": {"interview_rounds": [
            {"name": "onsite", "pass_rate": 1, "interviewer_hours": 4, "lead_days": 10}]},
    })
    res = run_replication(sc, 0, record_detail=True)
    cands = {c["candidate"]: c for c in records.candidates(res)}
    assert cands[1]["terminal"] == "hired" and cands[1]["end_day"] == approx(25)
    assert (cands[2]["terminal"], cands[2]["terminal_stage"]) == ("closed_out", "onsite")
    assert cands[2]["end_day"] == approx(25)
    c2 = trace(res, records)[2]
    assert c2[-1][0] == "onsite" and c2[-1][4] == "closed_out", c2
    assert all(v[1] <= 25 + EPS for v in c2), f"visits after the close-out: {c2}"
    recruiter = hours_by_activity(res, records, "recruiter-1")
    assert recruiter["debrief"] == approx(1.0) and recruiter["offer"] == approx(1.0)
    assert not cands[2]["offered"]


def test_closed_out_visit_records_when_work_on_it_started(make_scenario, records):
    """start_day is "the team first started work on it": also when the candidate is closed
    out while that first piece of work is under way.

    As in the close-out test (lead 10 days), with 6-hour debriefs:
      c1: debrief 17.5-23.5, offer 23.5-24.5, accepts 2 days later: 26.5
      c2: lead -> 24, interview 24-24.5, debrief from 24.5 (recruiter free) ... closed out
          at 26.5, two days into its debrief.
    """
    sc = make_scenario({
        "outreach": {"max_active_per_req": 2},
        "effort": {"debrief_hours": 6},
        "profile": {"interview_rounds": [
            {"name": "onsite", "pass_rate": 1, "interviewer_hours": 1, "lead_days": 10}]},
    })
    res = run_replication(sc, 0, record_detail=True)
    t = trace(res, records)
    assert t[1][-2:] == [("debrief", 17.5, 17.5, 23.5, "passed"),
                         ("offer", 23.5, 23.5, 26.5, "passed")]
    assert t[2][3] == ("onsite", approx(13), approx(13), approx(24.5), "passed")
    assert t[2][4] == ("debrief", approx(24.5), approx(24.5), 26.5, "closed_out"), t[2]


# --------------------------------------------------------------------------- patience


@pytest.mark.parametrize("patience", [2.0, 5.0])
def test_withdrawal_when_patience_runs_out_while_waiting(make_scenario, records, patience):
    """A prospect replies while the recruiter is tied up in a 5-day outreach.

      0-1   intake; 1-6 outreach (5 hours)      -> c1 created at 6, replies at 6.5
      6-11  next outreach (tokens accrued 1/day); no prospect from it: new candidates
            stop at day 10. c1's qualification call waits from 6.5.
      patience 2: it runs out at 8.5 -> withdrew at 8.5 in qualification, never started.
      patience 5: due at 11.5, the call starts at 11 (4.5 days waited, 0.5 left):
            qualification 11-12, screen 12-13, scheduling 13-14, lead -> 17,
            interview 17-17.5, debrief 17.5-18.5, offer 18.5-19.5, hired 21.5.
    """
    sc = make_scenario({
        "simulation": {"new_candidates_until_day": 10},
        "effort": {"outreach_hours": 5},
        "outreach": {"prospects_per_req_per_week": 7, "reply_delay_days": 0.5},
        "candidates": {"patience_days": patience},
    })
    res = run_replication(sc, 0, record_detail=True)
    [cand] = records.candidates(res)
    visits = trace(res, records)[1]
    assert visits[0] == ("outreach", 6, 6, 6.5, "passed")
    if patience == 2.0:
        assert_visits(visits[1:], [("qualification", 6.5, NAN, 8.5, "withdrew")])
        assert (cand["terminal"], cand["terminal_stage"]) == ("withdrew", "qualification")
        assert cand["end_day"] == approx(8.5)
        assert res.kpis["withdrawals"] == 1 and res.kpis["withdrawal_rate"] == 1.0
        assert res.kpis["hires"] == 0 and res.kpis["fill_rate"] == 0.0
        assert math.isnan(res.kpis["time_to_fill_p50"])  # censored, not dropped
        assert "qualification" not in hours_by_activity(res, records, "recruiter-1")
    else:
        assert_visits(visits[1:], [
            ("qualification", 6.5, 11, 12, "passed"),
            ("screen", 12, 12, 13, "passed"),
            ("onsite", 13, 13, 17.5, "passed"),
            ("debrief", 17.5, 17.5, 18.5, "passed"),
            ("offer", 18.5, 18.5, 21.5, "passed"),
        ])
        assert cand["terminal"] == "hired" and res.kpis["withdrawals"] == 0
    assert hours_by_activity(res, records, "recruiter-1")["outreach"] == approx(10.0)


def test_task_switch_does_not_make_time_run_backwards(make_scenario, records):
    """A recruiter who switches between sourcing and pipeline work loses 0.5 hour (half a
    day at 7 h/week) each time. The candidate's patience is 0.25 day.

      0-1 intake; 1-1.5 switch to sourcing; 1.5-2.5 outreach -> c1 created 2.5
      4.5 reply; 4.5-5.5 qualification (still sourcing: no switch, no wait)
      5.5 the screen is taken up at once (well inside the patience), but first the
          recruiter switches back to pipeline work: 5.5-6, screen 6-7
      7   the onsite round: the recruiter is free, scheduling can start at once.
    However the half-day switch is booked, the candidate never waits at the onsite and
    must not withdraw there; and no stage may end before it began.
    """
    sc = make_scenario({"team": {"task_switch_hours": 0.5},
                        "candidates": {"patience_days": 0.25}})
    res = run_replication(sc, 0, record_detail=True)
    visits = trace(res, records)[1]
    assert visits[:2] == [("outreach", 2.5, 2.5, 4.5, "passed"),
                          ("qualification", 4.5, 4.5, 5.5, "passed")]
    for stage, enter, _start, end, _outcome in visits:
        assert enter <= end, f"{stage} ended at {end} before it began at {enter}: {visits}"
    [cand] = records.candidates(res)
    assert (cand["terminal"], cand["terminal_stage"]) != ("withdrew", "onsite"), visits


# --------------------------------------------------------------------------- one worker


def test_worker_takes_most_urgent_task_first_and_sources_only_when_idle():
    """A person's queue: priority order, FIFO within a priority, lazy withdrawal, and new
    outreach only when nothing is waiting.

    The worker (7 h/week, every task 1 hour = 1 day) is busy with a 5-hour intake from day
    0 to 5. At day 1 tasks arrive in a jumbled order, one of them with a deadline of day 3.
    From day 5 the tasks run one a day in priority order; the expired one is answered
    WITHDREW without being worked; outreach for a req with plenty of tokens starts only
    after the queue is empty (day 5 + 8 tasks = 13).
    """
    env = simpy.Environment()
    one = Fixed(value=1.0)
    effort = EffortSampler({a: one for a in Activity}, {a: None for a in Activity})
    queue = WorkQueue(env, "recruiter-1")
    person = Person(env, "recruiter-1", "recruiter", 7.0, queue, effort, None)
    prospects: list[float] = []
    person.new_prospect = lambda req, who: prospects.append(env.now)
    req = ReqSourcing(0, rate_per_week=70.0, max_active=None)

    intake = Task(Activity.INTAKE, None)
    intake.dist = Fixed(value=5.0)
    queue.submit(intake)
    req.start(0.0)
    person.add_sourcing_req(req)

    arrivals = [
        Activity.FOLLOW_UP, Activity.APPLICATION_REVIEW, Activity.SCREEN,
        Activity.QUALIFICATION, Activity.SCHEDULING, Activity.OFFER, Activity.DEBRIEF,
        Activity.SCREEN,
    ]
    tasks: list[Task] = []

    def submit_later():
        yield env.timeout(1.0)
        expiring = Task(Activity.OFFER, deadline=3.0)
        tasks.append(expiring)
        queue.submit(expiring)
        for activity in arrivals:
            task = Task(activity, None)
            tasks.append(task)
            queue.submit(task)

    env.process(submit_later())
    env.run(until=14.5)

    assert intake.started_at == 0.0 and intake.completed and intake._value == DONE
    expiring, *rest = tasks
    assert expiring.completed and expiring._value == WITHDREW
    assert expiring.started_at is None
    order = sorted(rest, key=lambda t: t.started_at)
    assert [t.activity for t in order] == [
        Activity.OFFER, Activity.SCHEDULING, Activity.DEBRIEF, Activity.SCREEN,
        Activity.SCREEN, Activity.QUALIFICATION, Activity.APPLICATION_REVIEW,
        Activity.FOLLOW_UP,
    ]
    assert [t.started_at for t in order] == [5.0 + i for i in range(8)]
    first, second = (t for t in order if t.activity == Activity.SCREEN)
    assert tasks.index(first) < tasks.index(second)  # FIFO within a priority
    assert prospects[:1] == [14.0]  # outreach 13 -> 14, then the prospect exists
    assert person.busy_hours[Activity.INTAKE] == 5.0
    assert person.busy_hours[Activity.OUTREACH] == 1.0
