"""The mechanisms that make roles bind as in real teams (issue 15).

Recurring req workload, the drop-out hazard, interview slots, the talent pool, finite
markets and the fill rate within N days. Statistical checks use fixed seeds, paired
replications (common random numbers) and tolerances of about 4 standard errors; the long
ones are marked ``slow``.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from hiresim.kpis import _fill_rate_in_window
from hiresim.model.interviews import SlotBook
from hiresim.replication import run_replication
from hiresim.scenario_files import load_scenario

ROOT = Path(__file__).resolve().parents[1]
COMBINED = ROOT / "scenarios" / "combined.yaml"
SPLIT = ROOT / "scenarios" / "split.yaml"


def kpis(path: Path, sets: list[str], reps: int, key: str) -> np.ndarray:
    scenario = load_scenario(path, sets)
    return np.array([run_replication(scenario, k).kpis[key] for k in range(reps)])


def paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    d = b - a
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(len(d)))


# -- interview slots -------------------------------------------------------------------
def test_a_panel_is_booked_into_different_people_within_the_window() -> None:
    book = SlotBook(people=8, slots_per_week=2, window_days=1.5)
    days = []
    for _ in range(6):
        booking = book.book(0.0, 4)
        assert len({i for i, _ in booking}) == 4  # four different interviewers
        slot_days = [book.slot_day(i, j) for i, j in booking]
        assert max(slot_days) - min(slot_days) <= 1.5 + 1e-9
        assert min(slot_days) >= 0.0
        days.append(min(slot_days))
    # 16 slots a week: four panels of four fill a week, so later panels wait longer
    assert days == sorted(days) and days[-1] > 7.0


def test_a_released_booking_frees_its_slots_for_the_next_candidate() -> None:
    book = SlotBook(people=2, slots_per_week=1, window_days=7.0)
    first = book.book(0.0, 1)
    second = book.book(0.0, 1)
    assert first != second
    book.release(first, now=0.0)
    assert book.book(0.0, 1) == first


def test_a_panel_that_no_window_fits_takes_the_soonest_slots() -> None:
    book = SlotBook(people=4, slots_per_week=1, window_days=0.5)  # slots 1.75 days apart
    booking = book.book(0.0, 4)
    assert max(book.slot_day(i, j) for i, j in booking) < 7.0


def test_a_panel_larger_than_the_pool_uses_everyone_once() -> None:
    book = SlotBook(people=3, slots_per_week=2, window_days=0.5)
    booking = book.book(1.0, 4)
    assert sorted(i for i, _ in booking) == [0, 1, 2]


def test_one_more_interviewer_costs_money() -> None:
    base = load_scenario(SPLIT, ["simulation.horizon_days=120"])
    more = load_scenario(SPLIT, ["simulation.horizon_days=120",
                                 "profiles[backend].interviewers.count=9"])
    a, b = run_replication(base, 0).kpis, run_replication(more, 0).kpis
    # 2 slots of 1.5 h a week reserved at $100 an hour for 120 days
    assert b["team_cost_per_year"] - a["team_cost_per_year"] == pytest.approx(
        2 * 1.5 * 100 * 365 / 7)
    assert b["cost_interviewers"] > a["cost_interviewers"]


@pytest.mark.slow
def test_the_same_interviewer_hours_split_among_more_people_take_about_as_long() -> None:
    """4 x 6 h, 8 x 3 h and 16 x 1.5 h a week for backend: the same 16 slots a week."""
    reps = 40
    shapes = {n: [f"profiles[backend].interviewers.count={n}",
                  f"profiles[backend].interviewers.hours_per_week={24 / n}"]
              for n in (4, 8, 16)}
    ttf = {n: kpis(SPLIT, sets, reps, "time_to_fill_mean_filled") for n, sets in shapes.items()}
    for n in (4, 16):
        diff, se = paired(ttf[8], ttf[n])
        assert abs(diff) < 4.0 + 4 * se, (n, diff, se)


# -- recurring workload ----------------------------------------------------------------
@pytest.mark.parametrize("openings", [30, 120])
def test_one_combined_recruiter_never_exceeds_eight_hires_a_quarter(openings: int) -> None:
    sets = ["team.recruiters.count=1", f"profiles[backend].openings.count={openings}",
            "profiles[backend].inbound.applications_per_week=30"]
    per_quarter = kpis(COMBINED, sets, 3, "hires_per_recruiter_per_quarter")
    assert per_quarter.max() <= 8.0, per_quarter


def test_req_upkeep_takes_recruiter_hours_in_proportion_to_reqs_held() -> None:
    base = ["simulation.horizon_days=120"]
    none = load_scenario(COMBINED, [*base, "workload.recruiter_hours_per_req_per_week=0",
                                    "workload.sourcer_hours_per_req_per_week=0",
                                    "workload.recruiter_hours_per_candidate_per_week=0"])
    some = load_scenario(COMBINED, base)
    assert run_replication(none, 0).kpis["utilization_recruiter"] < \
        run_replication(some, 0).kpis["utilization_recruiter"]
    staff = run_replication(some, 0).staff
    upkeep = sum(row[4] for row in staff if row[3] == "req_upkeep")
    assert upkeep > 0


# -- drop-out --------------------------------------------------------------------------
NO_HAZARD = [f"profiles[{p}].dropout.hazard_per_week=0"
             for p in ("backend", "frontend", "ml-embedded")]


def test_screened_candidates_withdraw_with_the_hazard_and_hardly_without() -> None:
    sets = ["simulation.horizon_days=150"]
    on = kpis(COMBINED, sets, 4, "screened_withdrawal_rate")
    off = kpis(COMBINED, sets + NO_HAZARD, 4, "screened_withdrawal_rate")
    assert on.mean() > 0.03 and off.mean() < 0.01, (on, off)


@pytest.mark.slow
def test_removing_the_drop_out_hazard_changes_hires_by_a_clear_paired_amount() -> None:
    reps = 30
    on = kpis(COMBINED, [], reps, "hires")
    off = kpis(COMBINED, NO_HAZARD, reps, "hires")
    diff, se = paired(on, off)
    assert diff > 4 * se, (diff, se)


@pytest.mark.slow
def test_a_faster_process_loses_fewer_candidates() -> None:
    reps = 30
    slow_sets = [f"profiles[{p}].interview_rounds[{k}].lead_days=14"
                 for p in ("backend", "frontend", "ml-embedded") for k in (0, 1)]
    fast = kpis(COMBINED, [], reps, "screened_withdrawal_rate")
    slow = kpis(COMBINED, slow_sets, reps, "screened_withdrawal_rate")
    diff, se = paired(fast, slow)
    assert diff > 4 * se, (diff, se)


# -- talent pool, finite market --------------------------------------------------------
def test_silver_medallists_come_back_only_with_a_pool() -> None:
    sets = ["simulation.horizon_days=200"]
    with_pool = run_replication(load_scenario(COMBINED, [*sets, "candidates.pool_reengage_rate=1"]),
                                0).kpis
    without = run_replication(load_scenario(COMBINED, [*sets, "candidates.pool_reengage_rate=0"]),
                              0).kpis
    assert with_pool["pool_reengaged"] > 0 and with_pool["pool_hires"] > 0
    assert without["pool_reengaged"] == 0 and without["pool_hires"] == 0


def test_a_finite_market_runs_out_and_caps_contacts() -> None:
    sets = ["simulation.horizon_days=120", "candidates.pool_reengage_rate=0",
            "profiles[backend].sourced.market_size=40",
            "profiles[frontend].sourced.market_size=40",
            "profiles[ml-embedded].sourced.market_size=40",
            *(f"profiles[{p}].sourced.recontact_after_days=1000"
              for p in ("backend", "frontend", "ml-embedded"))]
    k = run_replication(load_scenario(COMBINED, sets), 0).kpis
    assert k["contacted"] <= 120 and k["market_misses"] > 0


# -- fill rate within N days -----------------------------------------------------------
def test_fill_rate_in_window_counts_only_reqs_opened_early_enough() -> None:
    reqs = [SimpleNamespace(open_day=0.0, filled_day=80.0),  # within 90 days
            SimpleNamespace(open_day=10.0, filled_day=120.0),  # after 110 days
            SimpleNamespace(open_day=20.0, filled_day=None),  # never
            SimpleNamespace(open_day=300.0, filled_day=None)]  # opened too late: left out
    assert _fill_rate_in_window(reqs, 90.0, 365.0) == pytest.approx(1 / 3)
    assert math.isnan(_fill_rate_in_window(reqs[3:], 90.0, 365.0))


# -- defaults --------------------------------------------------------------------------
def test_the_defaults_are_the_calibrated_values_of_the_reference_scenarios() -> None:
    """A scenario that says nothing about the mechanisms gets them as calibrated."""
    from hiresim.scenario import CandidateBehaviour, Dropout, Interviewers, Workload

    shipped = load_scenario(COMBINED)
    assert Workload() == shipped.workload
    assert CandidateBehaviour().pool_reengage_rate == shipped.candidates.pool_reengage_rate
    backend = shipped.profiles[0]
    assert Dropout() == backend.dropout
    assert Interviewers().scheduling == backend.interviewers.scheduling == "slots"


def test_a_minimal_scenario_binds_like_a_real_team() -> None:
    """Only a team and a plan: recurring work, drop-out, slots and a talent pool are on."""
    from hiresim.scenario import scenario_from_dict

    minimal = scenario_from_dict({
        "name": "minimal", "simulation": {"horizon_days": 200},
        "team": {"structure": "combined", "recruiters": {"count": 1, "max_reqs": 15}},
        "outreach": {"prospects_per_req_per_week": 4},
        "profiles": [{"name": "eng", "openings": {"count": 12, "last_day": 120}}],
    })
    results = [run_replication(minimal, k) for k in range(3)]
    assert all(sum(h for *_, a, h in r.staff if a == "req_upkeep") > 0 for r in results)
    # a fast process loses few candidates, but the hazard is there
    assert sum(r.kpis["dropouts"] for r in results) > 0
    # reserved slots are paid whether used or not: 6 people x 4 slots of 1 h x 200 days
    assert results[0].kpis["cost_interviewers"] == pytest.approx(6 * 4 * 100 * 200 / 7)
    assert sum(r.kpis["pool_reengaged"] for r in results) > 0


def test_a_pool_hires_clock_starts_at_its_re_engagement() -> None:
    """Time-to-hire of a silver medallist counts from their first contact in this process:
    they are created for the new req once it is active, never before."""
    from hiresim.records import CANDIDATE_COLUMNS, REQ_COLUMNS

    result = run_replication(load_scenario(COMBINED, ["simulation.horizon_days=200",
                                                      "candidates.pool_reengage_rate=1"]),
                             0, record_detail=True)
    reqs = {r[0]: dict(zip(REQ_COLUMNS, r, strict=True)) for r in result.reqs}
    pool = [dict(zip(CANDIDATE_COLUMNS, c, strict=True)) for c in result.candidates or []
            if c[CANDIDATE_COLUMNS.index("source")] == "pool"]
    assert pool
    for c in pool:
        assert c["created_day"] >= reqs[c["req"]]["active_day"], c
