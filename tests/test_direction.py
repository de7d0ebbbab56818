"""Direction and reproducibility: on the same random numbers, more capacity never hurts.

Candidates draw their own fates from their req's stream, and applicants arrive on their
req's own stream, so two scenarios that differ only in staffing meet the same candidates
(common random numbers). That turns "more recruiters shorten screen waits" from a
statistical statement into one that must hold in every replication.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from hiresim.experiment import run_replications
from hiresim.replication import run_replication
from hiresim.scenario_files import load_scenario

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
REPLICATIONS = range(4)


def screen_waits(result, records, horizon: float) -> tuple[list[float], list[float]]:
    """(enter days, waits) of every screen visit; a wait still running at the horizon is
    counted up to the horizon (censored), so that long waits are not silently dropped."""
    screens = [v for v in records.visits(result) if v["stage"] == "screen"]
    screens.sort(key=lambda v: v["enter_day"])  # visits are recorded as they end
    enters = [v["enter_day"] for v in screens]
    waits = [(horizon if math.isnan(v["start_day"]) else v["start_day"]) - v["enter_day"]
             for v in screens]
    return enters, waits


def test_more_recruiters_never_lengthen_the_mean_screen_wait(make_scenario, records):
    """Applicants only (40 a week, straight to a screen of exponential length, mean 1 hour),
    one shared queue, 1, 2 or 3 recruiters of 32 h/week. Nobody passes the screen, so the
    screen is the recruiters' only work: a FIFO G/G/c queue with the same arrivals and the
    same service times in every variant. One recruiter is overloaded (rho = 1.25)."""
    def scenario(recruiters: int):
        return make_scenario({
            "simulation": {"horizon_days": 60},
            "team": {"work_queue": "shared",
                     "recruiters": {"count": recruiters, "hours_per_week": 32}},
            "effort": {"screen_hours": {"dist": "exponential", "mean": 1.0}},
            "outreach": {"prospects_per_req_per_week": 0},
            "profile": {"inbound": {"applications_per_week": 40, "reviewed": False},
                        "screen_pass_rate": 0.0, "interview_rounds": []},
        })

    variants = {c: scenario(c) for c in (1, 2, 3)}
    for k in REPLICATIONS:
        means = {}
        arrivals = None
        for c, sc in variants.items():
            enters, waits = screen_waits(run_replication(sc, k, record_detail=True), records,
                                         sc.simulation.horizon_days)
            assert min(waits) >= 0.0
            if arrivals is None:
                arrivals = enters
                assert len(arrivals) > 200  # ~340 expected in 60 days
            assert enters == arrivals, "staffing changed who applied when (CRN broken)"
            means[c] = sum(waits) / len(waits)
        assert means[2] <= means[1] + 1e-12 and means[3] <= means[2] + 1e-12, (k, means)
        assert means[1] > 2 * means[2], (k, means)  # recruiters really were the bottleneck


def test_more_sourcers_never_reduce_outreach(make_scenario):
    """A split team sourcing four reqs at 40 prospects a week each (half an hour per
    outreach): far more than one sourcer's 32 hours. Nobody passes the screen, so no req
    closes and outreach is limited only by the sourcers' time."""
    def scenario(sourcers: int):
        return make_scenario({
            "simulation": {"horizon_days": 45},
            "team": {"structure": "split",
                     "recruiters": {"count": 2, "hours_per_week": 32},
                     "sourcers": {"count": sourcers, "hours_per_week": 32},
                     "handoff": {"sourcer_hours": 0.25, "recruiter_hours": 0.25}},
            "effort": {"outreach_hours": 0.5, "qualification_call_hours": 0.5},
            "outreach": {"prospects_per_req_per_week": 40, "max_active_per_req": None,
                         "reply_delay_days": {"dist": "exponential", "mean": 2.0}},
            "profile": {"openings": {"count": 4},
                        "sourced": {"reply_rate": 0.3, "interest_rate": 0.5,
                                    "qualify_rate": 0.7},
                        "screen_pass_rate": 0.0, "interview_rounds": []},
        })

    variants = {s: scenario(s) for s in (1, 2, 3)}
    for k in REPLICATIONS:
        contacted = {s: run_replication(sc, k).kpis["contacted"] for s, sc in variants.items()}
        assert contacted[1] <= contacted[2] <= contacted[3], (k, contacted)
        assert contacted[2] > 1.5 * contacted[1], (k, contacted)  # sourcers were the limit


@pytest.mark.parametrize("name", ["combined", "split"])
def test_zero_reply_rate_gives_zero_sourced_hires(name):
    """Nobody answers outreach: no replies, no sourced hire; applicants are still hired."""
    path = SCENARIO_DIR / f"{name}.yaml"
    profiles = [p.name for p in load_scenario(path).profiles]
    scenario = load_scenario(path, [f"profiles[{p}].sourced.reply_rate=0" for p in profiles]
                             + ["simulation.horizon_days=100"])
    assert all(p.sourced.reply_rate == 0 for p in scenario.profiles)
    for result in run_replications(scenario, 2, record_detail=True):
        k = result.kpis
        assert k["contacted"] > 0 and k["replies"] == 0 and k["reply_rate"] == 0
        assert k["sourced_hires"] == 0 and k["hires"] == k["inbound_hires"] > 0
        sourced = [c for c in result.candidates if c[3] == "sourced"]
        assert sourced and all(c[8] == "outreach" for c in sourced)  # nobody got further
        assert {c[7] for c in sourced} <= {"no_reply", "closed_out", "in_process"}


def _small(name: str):
    return load_scenario(SCENARIO_DIR / f"{name}.yaml", ["simulation.horizon_days=60"])


@pytest.mark.parametrize("name", ["combined", "split"])
def test_same_seed_same_results_different_seed_different_results(name):
    scenario = _small(name)
    a = run_replication(scenario, 0, seed=123)
    b = run_replication(scenario, 0, seed=123)
    assert repr(a.kpis) == repr(b.kpis)  # repr: nan == nan, and every digit counts
    assert repr(a.reqs) == repr(b.reqs) and repr(a.staff) == repr(b.staff)
    assert a.funnel == b.funnel and repr(a.snapshots) == repr(b.snapshots)
    c = run_replication(scenario, 0, seed=124)
    d = run_replication(scenario, 1, seed=123)
    for other in (c, d):
        assert other.kpis != a.kpis
        assert other.kpis["contacted"] != a.kpis["contacted"] or (
            other.kpis["applicants"] != a.kpis["applicants"])


def test_a_replication_does_not_depend_on_its_batch():
    """Replication 2 alone equals replication 2 among 0..2 (no shared random state)."""
    scenario = _small("split")
    batch = run_replications(scenario, 3, seed=5)
    alone = run_replication(scenario, 2, seed=5)
    assert [r.replication for r in batch] == [0, 1, 2]
    assert repr(batch[2].kpis) == repr(alone.kpis)
    assert repr(batch[2].reqs) == repr(alone.reqs)
