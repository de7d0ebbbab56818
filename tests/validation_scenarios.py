"""Textbook systems written as ordinary hiresim scenarios, plus the theory they reduce to.

Nothing here is a special code path of the model: every helper builds a plain scenario
dict (what a user could write in YAML) and validates it with
``hiresim.scenario.scenario_from_dict``. The reductions (results in docs/validation.md):

- **M/M/c** -- one profile with one evergreen req (``positions_per_req: unlimited``),
  applicants arriving as a Poisson stream straight into the recruiter screen
  (``inbound.reviewed: false``, no sourcing), ``c`` recruiters on one shared FIFO queue
  working 168 h/week (24 h/day: an activity of ``h`` hours takes ``h/24`` days), an
  exponential screen, screen pass rate 0 (everyone leaves after the screen), no patience.
- **Tandem (Jackson) network** -- the same, with a screen pass rate ``p`` and one
  interview round held by a pool of interviewers (exponential interview, no lead time,
  no recruiter scheduling), interview pass rate 0.
- **Pure funnel** -- split roles, sourcing at a fixed pace (or inbound), unlimited or
  finite capacity, no withdrawals, no acceptance decay, no context loss, and a drain
  (``new_candidates_until_day``) so every candidate reaches a terminal state.

- **Realistic** (``rich``) -- the model's defaults (patience, acceptance decay, reqs
  that close, backlog, two profiles), optionally starved so that candidates withdraw.

Every scenario here switches off the mechanisms of docs/model.md 2.10-4.10 (recurring
workload, drop-out hazard, interview slots, talent pool: ``without_realism``), which are
on by default: the textbook systems are the model without them.

Also: the theory (Erlang C by the stable recursion, the M/M/c FIFO wait tail, the LIFO
tail for contrast), the experiments (per-replication statistics, run on local worker
processes), the exact checks (Little's law from the live state and from the records,
conservation, common random numbers, deterministic edge cases), and the run sizes and
seeds shared by tests/test_validation.py and scripts/validate_model.py.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np

from hiresim.scenario import Scenario, scenario_from_dict

HOURS_PER_DAY = 24.0  # 168 hours per week
NO_TIME = 0.0


# --------------------------------------------------------------------------- theory


def erlang_b(c: int, a: float) -> float:
    """Erlang B blocking probability by the stable recursion B_k = a B_{k-1}/(k + a B_{k-1})."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """P(wait > 0) in M/M/c with offered load a = lambda/mu < c: C = c B_c / (c - a(1 - B_c))."""
    if not 0.0 <= a < c:
        raise ValueError(f"unstable system: a={a} >= c={c}")
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


class MMc:
    """Steady-state quantities of the M/M/c FIFO queue."""

    def __init__(self, c: int, lam: float, mu: float) -> None:
        self.c, self.lam, self.mu = c, lam, mu
        self.a = lam / mu
        self.rho = self.a / c
        self.C = erlang_c(c, self.a)
        self.theta = c * mu - lam  # decay rate of the conditional wait

    @property
    def wq(self) -> float:
        """Mean wait in queue."""
        return self.C / self.theta

    def p_wait_gt(self, t: float) -> float:
        """P(Wq > t) = C exp(-(c mu - lambda) t) for t >= 0 (FIFO only)."""
        return self.C * math.exp(-self.theta * t)

    @property
    def lq(self) -> float:
        return self.lam * self.wq

    def label(self) -> str:
        return f"M/M/{self.c}, lambda={self.lam:g}/day, mu={self.mu:g}/day (rho={self.rho:.3f})"


def lifo_p_wait_gt(q: MMc, t: float) -> float:
    """P(Wq > t) in the same M/M/c under non-preemptive LIFO (same mean, different tail).

    A customer who must wait waits until the backlog of later arrivals clears: a busy
    period of an M/M/1 queue with arrival rate lambda and service rate c mu, whose density
    is sqrt(c mu/lambda) exp(-(lambda + c mu) x) I_1(2 x sqrt(lambda c mu)) / x.
    Used to show that the tail check tells FIFO from other orders.
    """
    from scipy import integrate, special

    lam, m = q.lam, q.c * q.mu
    z = 2.0 * math.sqrt(lam * m)

    def density(x: float) -> float:
        if x <= 0.0:
            return 0.0
        return math.sqrt(m / lam) / x * math.exp(-(lam + m - z) * x) * special.ive(1, z * x)

    tail, _ = integrate.quad(density, t, math.inf, limit=200)
    return q.C * tail


# --------------------------------------------------------------------------- scenarios


def without_realism(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` with the mechanisms of docs/model.md 2.10-4.10 switched off explicitly
    (recurring workload, drop-out hazard, interview slots, talent pool): they are on by
    default, and the textbook systems here are the model without them."""
    d = copy.deepcopy(d)
    d["workload"] = {"recruiter_hours_per_req_per_week": 0.0,
                     "recruiter_hours_per_candidate_per_week": 0.0,
                     "sourcer_hours_per_req_per_week": 0.0}
    d.setdefault("candidates", {})["pool_reengage_rate"] = 0.0
    for profile in d["profiles"]:
        profile["dropout"] = {"hazard_per_week": 0.0}
        profile.setdefault("interviewers", {})["scheduling"] = "fluid"
    return d


def _exp_hours(mean_days: float) -> dict[str, Any]:
    """An exponential effort whose mean takes ``mean_days`` of a 168 h/week person."""
    return {"dist": "exponential", "mean": mean_days * HOURS_PER_DAY}


def _fixed(value: float) -> dict[str, Any]:
    return {"dist": "fixed", "value": value}


def _base(
    *,
    name: str,
    horizon_days: float,
    warmup_days: float,
    seed: int,
    until_day: float | None,
) -> dict[str, Any]:
    sim: dict[str, Any] = {
        "horizon_days": float(horizon_days),
        "warmup_days": float(warmup_days),
        "replications": 10,
        "seed": seed,
    }
    if until_day is not None:
        sim["new_candidates_until_day"] = float(until_day)
    return {
        "name": name,
        "description": "validation: a textbook system expressed as a hiresim scenario",
        "simulation": sim,
        "candidates": {
            "patience_days": None,
            "acceptance_drop_per_week": 0.0,
            "offer_response_days": _fixed(0.0),
        },
        "costs": {"job_ad_per_req_per_month": 0.0},
    }


def mmc_dict(
    c: int | str,
    lam: float,
    mean_service_days: float,
    *,
    horizon_days: float = 1000.0,
    warmup_days: float = 0.0,
    seed: int = 1,
    until_day: float | None = None,
    service: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The M/M/c queue: c recruiters screening Poisson applicants (rate lam per day)."""
    d = _base(name=f"mmc-c{c}", horizon_days=horizon_days, warmup_days=warmup_days,
              seed=seed, until_day=until_day)
    d["team"] = {
        "structure": "split",
        "work_queue": "shared",
        "recruiters": {"count": c, "hours_per_week": 168.0},
        "sourcers": {"count": 0},
    }
    d["effort"] = {
        "intake_hours": NO_TIME,
        "screen_hours": service if service is not None else _exp_hours(mean_service_days),
        "scheduling_hours": NO_TIME,
        "debrief_hours": NO_TIME,
        "offer_hours": NO_TIME,
    }
    d["outreach"] = {"prospects_per_req_per_week": 0.0}
    d["profiles"] = [{
        "name": "queue",
        "openings": {"count": 1, "first_day": 0.0, "positions_per_req": "unlimited"},
        "inbound": {"applications_per_week": 7.0 * lam, "reviewed": False},
        "screen_pass_rate": 0.0,
        "interview_rounds": [],
        "interviewers": {"count": 0},
    }]
    return d


def mmc(c: int | str, lam: float, mean_service_days: float, **kw: Any) -> Scenario:
    return scenario_from_dict(without_realism(mmc_dict(c, lam, mean_service_days, **kw)),
                              "<mmc>")


def tandem_dict(
    c1: int,
    lam: float,
    mean_screen_days: float,
    screen_pass_rate: float,
    c2: int,
    mean_interview_days: float,
    **kw: Any,
) -> dict[str, Any]:
    """Screen (c1 recruiters) -> Bernoulli(p) -> one interview round (c2 interviewers)."""
    d = mmc_dict(c1, lam, mean_screen_days, **kw)
    d["name"] = f"tandem-c{c1}-c{c2}"
    profile = d["profiles"][0]
    profile["screen_pass_rate"] = float(screen_pass_rate)
    profile["interview_rounds"] = [{
        "name": "interview",
        "pass_rate": 0.0,
        "interviewer_hours": _exp_hours(mean_interview_days),
        "lead_days": _fixed(0.0),
    }]
    profile["interviewers"] = {"count": c2, "hours_per_week": 168.0}
    return d


def tandem(*args: Any, **kw: Any) -> Scenario:
    return scenario_from_dict(without_realism(tandem_dict(*args, **kw)), "<tandem>")


# The pure funnel (docs/validation.md, section 5): five pass rates with product 0.024.
FUNNEL_RATES = {
    "reply_rate": 0.25,
    "interest_rate": 0.8,
    "qualify_rate": 0.5,
    "screen_pass_rate": 0.3,
    "offer_acceptance": 0.8,
}


def funnel_product(rates: dict[str, float] = FUNNEL_RATES) -> float:
    return math.prod(rates.values())


# A busy but stable team for the default funnel pace (8 reqs x 10 prospects a day):
# sourcers ~85% busy, the recruiter ~90%, the interviewer ~60%.
FINITE_STAFF = {"sourcers": (2, 140.0), "recruiters": (1, 70.0), "interviewers": (1, 28.0)}
# For the inbound funnel (4 reqs x up to 10 applicants a day): recruiters at most ~65% busy,
# interviewers ~50%.
INBOUND_FINITE_STAFF = {"sourcers": (1, 40.0), "recruiters": (2, 84.0),
                        "interviewers": (2, 84.0)}


def funnel_dict(
    *,
    prospects_per_req_per_week: float,
    until_day: float,
    horizon_days: float,
    reqs: int = 8,
    capacity: str = "unlimited",
    staff: dict[str, tuple[int, float]] | None = None,
    seed: int = 7,
    rates: dict[str, float] = FUNNEL_RATES,
    interview_rounds: int = 1,
    work_queue: str = "shared",
) -> dict[str, Any]:
    """The sourced funnel of ``reqs`` evergreen reqs opened on day 0: outreach -> reply ->
    interest -> qualify -> handoff -> screen -> interview(s) (pass 1) -> decision (pass 1)
    -> offer -> accept.

    ``capacity``: ``unlimited`` (every role an unlimited pool) or ``finite``: ``staff``
    maps ``sourcers``/``recruiters``/``interviewers`` to (count, hours_per_week); the
    default is a busy but stable team for the default pace. ``work_queue``: ``shared`` (one
    queue per role) or ``per_owner`` (each recruiter and sourcer works on their own reqs).
    Everything random about a candidate's fate is drawn from the candidate's own stream, so
    capacity can only change *when* things happen.
    """
    d = _base(name=f"funnel-{capacity}", horizon_days=horizon_days, warmup_days=0.0,
              seed=seed, until_day=until_day)
    if capacity == "unlimited":
        roles = {r: {"count": "unlimited", "hours_per_week": 40.0}
                 for r in ("sourcers", "recruiters", "interviewers")}
    elif capacity == "finite":
        staff = staff or FINITE_STAFF
        roles = {r: {"count": n, "hours_per_week": h} for r, (n, h) in staff.items()}
    else:
        raise ValueError(capacity)
    d["team"] = {
        "structure": "split",
        "work_queue": work_queue,
        "recruiters": roles["recruiters"],
        "sourcers": roles["sourcers"],
        "handoff": {"context_loss": 0.0},
    }
    d["effort"] = {
        "intake_hours": NO_TIME,
        "outreach_hours": {"dist": "exponential", "mean": 0.2},
        "follow_up_hours": _fixed(0.05),
        "qualification_call_hours": {"dist": "exponential", "mean": 0.5},
        "application_review_hours": {"dist": "exponential", "mean": 0.1},
        "screen_hours": {"dist": "exponential", "mean": 0.75},
        "scheduling_hours": _fixed(0.25),
        "debrief_hours": _fixed(0.25),
        "offer_hours": NO_TIME,
    }
    d["outreach"] = {
        "prospects_per_req_per_week": float(prospects_per_req_per_week),
        "max_active_per_req": None,
    }
    d["profiles"] = [{
        "name": "funnel",
        "openings": {"count": reqs, "first_day": 0.0, "last_day": 0.0,
                     "positions_per_req": "unlimited"},
        "inbound": {"applications_per_week": 0.0},
        "sourced": {
            "reply_rate": rates["reply_rate"],
            "interest_rate": rates["interest_rate"],
            "qualify_rate": rates["qualify_rate"],
        },
        "screen_pass_rate": rates["screen_pass_rate"],
        "interview_rounds": [
            {"name": f"round{k + 1}", "pass_rate": 1.0,
             "interviewer_hours": {"dist": "exponential", "mean": 1.0},
             "lead_days": {"dist": "exponential", "mean": 2.0}}
            for k in range(interview_rounds)
        ],
        "decision_pass_rate": 1.0,
        "offer_acceptance": rates["offer_acceptance"],
        "interviewers": roles["interviewers"],
    }]
    return d


def funnel(**kw: Any) -> Scenario:
    return scenario_from_dict(without_realism(funnel_dict(**kw)), "<funnel>")


def inbound_funnel_dict(
    *,
    applications_per_req_per_week: float,
    until_day: float,
    horizon_days: float,
    reqs: int = 4,
    capacity: str = "unlimited",
    staff: dict[str, tuple[int, float]] | None = None,
    seed: int = 11,
) -> dict[str, Any]:
    """Applicants: review .25 -> screen .8 -> two rounds .5 and .6 -> decision .3 -> accept .8."""
    d = funnel_dict(prospects_per_req_per_week=0.0, until_day=until_day,
                    horizon_days=horizon_days, reqs=reqs, capacity=capacity,
                    staff=staff or INBOUND_FINITE_STAFF, seed=seed, interview_rounds=2)
    d["name"] = f"inbound-funnel-{capacity}"
    p = d["profiles"][0]
    p["inbound"] = {"applications_per_week": float(applications_per_req_per_week),
                    "reviewed": True,
                    "review_pass_rate": 0.25}
    p["screen_pass_rate"] = 0.8
    p["interview_rounds"][0]["pass_rate"] = 0.5
    p["interview_rounds"][1]["pass_rate"] = 0.6
    p["decision_pass_rate"] = 0.3
    p["offer_acceptance"] = 0.8
    return d


INBOUND_RATES = {
    "application_review": 0.25,
    "screen": 0.8,
    "round1": 0.5,
    "round2": 0.6,
    "debrief": 0.3,
    "offer": 0.8,
}


def inbound_funnel(**kw: Any) -> Scenario:
    return scenario_from_dict(without_realism(inbound_funnel_dict(**kw)), "<inbound-funnel>")


def rich_dict(structure: str = "combined", *, stressed: bool = False, seed: int = 3,
              horizon_days: float = 365.0) -> dict[str, Any]:
    """A realistic scenario on the model's defaults (patience, acceptance decay, reqs that
    close, backlog, two profiles). ``stressed`` starves the team so that candidates
    withdraw and reqs wait in the backlog: every bookkeeping path is exercised."""
    recruiters: dict[str, Any] = {"count": 2, "max_reqs": 4}
    interviewers: dict[str, Any] = {}
    if stressed:
        recruiters = {"count": 1, "hours_per_week": 12.0, "max_reqs": 3}
        interviewers = {"interviewers": {"count": 1, "hours_per_week": 3.0}}
    team: dict[str, Any] = {"structure": structure, "recruiters": recruiters}
    if structure == "split":
        team["sourcers"] = {"count": 1, "max_reqs": 6}
        team["pipeline_ahead_days"] = 14.0
    else:
        team["task_switch_hours"] = 0.1
    return {
        "name": f"rich-{structure}{'-stressed' if stressed else ''}",
        "simulation": {"horizon_days": float(horizon_days), "seed": seed},
        "team": team,
        "profiles": [
            {"name": "eng", "openings": {"count": 16, "last_day": 250.0}, **interviewers},
            {"name": "ml",
             "openings": {"count": 4, "first_day": 30.0, "last_day": 200.0,
                          "spacing": "random"},
             "inbound": {"applications_per_week": 2.0},
             "sourced": {"reply_rate": 0.15}, **interviewers},
        ],
    }


def rich(structure: str = "combined", **kw: Any) -> Scenario:
    return scenario_from_dict(without_realism(rich_dict(structure, **kw)), "<rich>")


# --------------------------------------------------------------------------- experiments
#
# Standard errors always come from independent replications: each replication is reduced
# to one number per quantity (its mean wait, its share of customers who waited, ...) and
# the spread of those numbers across replications gives the standard error. Customers of
# one replication are never pooled as if they were independent.


def stage_visits(result: Any, stage: str, lo: float, hi: float) -> np.ndarray:
    """(enter, start, end) of the visits to ``stage`` that entered in [lo, hi), as rows.

    Raises if one of them never started: the experiments drain the system
    (``new_candidates_until_day``) so that every counted customer is served.
    """
    rows = [(v[2], v[3], v[4]) for v in result.visits if v[1] == stage and lo <= v[2] < hi]
    x = np.asarray(rows, dtype=float).reshape(-1, 3)
    unstarted = int(np.isnan(x[:, 1]).sum())
    if unstarted:
        raise AssertionError(f"{unstarted} {stage} visits never started: drain longer")
    return x


def replication_stats(
    scenario: Scenario, k: int, seed: int, stages: tuple[str, ...], lo: float, hi: float,
    ts: tuple[float, ...] = (),
) -> dict[str, dict[str, Any]]:
    """One replication reduced to per-replication statistics of each stage's waits:
    n, mean wait, P(wait > 0), P(wait > t) for t in ts, mean service (end - start)."""
    from hiresim.replication import run_replication

    result = run_replication(scenario, k, seed, record_detail=True)
    out: dict[str, dict[str, Any]] = {}
    for stage in stages:
        x = stage_visits(result, stage, lo, hi)
        w = x[:, 1] - x[:, 0]
        nan = math.nan
        out[stage] = {
            "replication": k,
            "seed": seed,
            "n": int(w.size),
            "mean_wait": float(w.mean()) if w.size else nan,
            "p_wait": float((w > 0.0).mean()) if w.size else nan,
            "tail": [float((w > t).mean()) if w.size else nan for t in ts],
            "mean_service": float((x[:, 2] - x[:, 1]).mean()) if w.size else nan,
        }
    return out


def _call(args: tuple) -> Any:
    func, a = args
    return func(*a)


def pmap(func: Any, arglist: list[tuple], workers: int = 1) -> list[Any]:
    """``[func(*a) for a in arglist]``, on ``workers`` local processes when > 1 (in order)."""
    if workers <= 1 or len(arglist) <= 1:
        return [func(*a) for a in arglist]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, len(arglist) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as ex:
        return list(ex.map(_call, [(func, a) for a in arglist], chunksize=chunk))


def stats_over_replications(
    scenario: Scenario, replications: int, seed: int, stages: tuple[str, ...], lo: float,
    hi: float, ts: tuple[float, ...] = (), workers: int = 1,
) -> dict[str, list[dict[str, Any]]]:
    """Per-replication statistics of each stage, replications 0..n-1 of ``seed``."""
    args = [(scenario, k, seed, stages, lo, hi, ts) for k in range(replications)]
    per_rep = pmap(replication_stats, args, workers)
    return {stage: [r[stage] for r in per_rep] for stage in stages}


def estimate(values: Any) -> dict[str, float]:
    """Mean, standard error and 95% t-interval of per-replication values (hiresim.metrics)."""
    from hiresim.metrics import interval

    x = np.asarray(values, dtype=float)
    iv = interval(x)
    se = float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan
    return {"mean": float(iv["mean"]), "se": se, "ci_low": float(iv["ci_low"]),
            "ci_high": float(iv["ci_high"]), "n": int(iv["n"])}


def mmc_experiment(
    q: MMc, *, replications: int, warmup_days: float, window_days: float, seed: int,
    ts: tuple[float, ...] = (), drain_days: float = 40.0, workers: int = 1,
) -> list[dict[str, Any]]:
    """Replications of the M/M/c scenario: customers arriving in [warm-up, warm-up + window)
    are measured; new arrivals stop at the end of the window and the run drains."""
    until = warmup_days + window_days
    scn = mmc(q.c, q.lam, 1.0 / q.mu, horizon_days=until + drain_days,
              warmup_days=warmup_days, until_day=until, seed=seed)
    return stats_over_replications(scn, replications, seed, ("screen",), warmup_days, until,
                                   ts, workers)["screen"]


def tandem_experiment(
    q1: MMc, p: float, q2: MMc, *, replications: int, warmup_days: float, window_days: float,
    seed: int, ts: tuple[float, ...] = (), drain_days: float = 60.0, workers: int = 1,
) -> dict[str, list[dict[str, Any]]]:
    """Replications of the tandem network; both stages measured on visits entering the
    stage in [warm-up, warm-up + window)."""
    until = warmup_days + window_days
    scn = tandem(q1.c, q1.lam, 1.0 / q1.mu, p, q2.c, 1.0 / q2.mu,
                 horizon_days=until + drain_days, warmup_days=warmup_days, until_day=until,
                 seed=seed)
    return stats_over_replications(scn, replications, seed, ("screen", "interview"),
                                   warmup_days, until, ts, workers)


def _macro_run(q: MMc, replications: int, warmup_days: float, window_days: float,
               seed: int) -> list[float]:
    reps = mmc_experiment(q, replications=replications, warmup_days=warmup_days,
                          window_days=window_days, seed=seed)
    return [r["mean_wait"] for r in reps]


def coverage_experiment(
    q: MMc, *, macro_runs: int, replications: int, warmup_days: float, window_days: float,
    first_seed: int, workers: int = 1,
) -> dict[str, Any]:
    """Independent macro-runs (root seeds first_seed, first_seed + 1, ...), each of
    ``replications`` replications; the share whose 95% interval (hiresim.metrics.interval
    over the replications' mean waits) covers the Erlang-C mean wait."""
    from hiresim.metrics import interval

    args = [(q, replications, warmup_days, window_days, first_seed + m)
            for m in range(macro_runs)]
    runs = pmap(_macro_run, args, workers)
    covered = 0
    means = []
    for waits in runs:
        iv = interval(waits)
        means.append(iv["mean"])
        covered += int(iv["ci_low"] <= q.wq <= iv["ci_high"])
    return {"macro_runs": macro_runs, "covered": covered,
            "coverage": covered / macro_runs, "mean_of_means": float(np.mean(means))}


# --------------------------------------------------------------------------- Little's law


def little_from_records(visits: list[tuple], horizon: float) -> dict[str, dict[str, float]]:
    """Per stage, from the recorded visits only: the time-integral over [0, T] of the
    occupancy step function (a sweep over enter/leave events), the sum of the truncated
    sojourns min(end, T) - max(enter, 0), the smallest occupancy seen and the counts.

    The two totals are equal for any set of well-formed records; the sweep also shows
    that occupancy never goes negative and that every visit has an end.
    """
    by_stage: dict[str, list[tuple[float, float]]] = {}
    for v in visits:
        by_stage.setdefault(v[1], []).append((v[2], v[4]))
    out: dict[str, dict[str, float]] = {}
    for stage, rows in by_stage.items():
        x = np.asarray(rows, dtype=float)
        a = np.clip(x[:, 0], 0.0, horizon)
        b = np.clip(x[:, 1], 0.0, horizon)
        times = np.concatenate([a, b])
        delta = np.concatenate([np.ones(a.size), -np.ones(b.size)])
        order = np.lexsort((-delta, times))  # entries before leaves at equal times
        t_sorted = times[order]
        occupancy = np.cumsum(delta[order])
        integral = math.fsum((occupancy[:-1] * np.diff(t_sorted)).tolist())
        out[stage] = {
            "visits": float(a.size),
            "integral": integral,
            "sojourns": math.fsum((b - a).tolist()),
            "min_occupancy": float(occupancy.min()),
            "missing_end": float(np.isnan(x[:, 1]).sum()),
        }
    return out


def live_occupancy(scenario: Scenario, k: int, seed: int) -> tuple[dict[str, float], Any]:
    """Run one replication event by event and integrate each stage's occupancy from the
    model's *live state* (candidates of the open reqs and the stage they are in), not from
    the records. Returns the integrals over [0, horizon] and the finished model.

    A candidate whose patience ran out while waiting for the team (no work on them started
    by the deadline) is removed lazily by the model (when the task is popped, or at the
    horizon) and its visit is closed as of the deadline; here such a candidate stops
    counting at its deadline, which is the definition the records use.
    """
    from hiresim.model.hiring_model import HiringModel

    model = HiringModel(scenario, k, seed, record_detail=True)
    env = model.env
    horizon = model.horizon
    integrals: dict[str, float] = {}
    t = env.now
    while True:
        nxt = env.peek()
        if nxt > t:  # every event at time t has run: the state holds on [t, next event)
            t1 = min(nxt, horizon)
            for req in model.reqs:
                for c in req.active_candidates:
                    if not c.stage:
                        continue
                    until = t1
                    d = c.pending_deadline
                    if d is not None and d < t1:
                        p = c.pending  # a task, a panel's tasks, or None (waiting on an event)
                        tasks = p if isinstance(p, list) else [p] if p is not None else []
                        if not any(x.started_at is not None and x.started_at <= d
                                   for x in tasks):
                            until = max(t, d)  # waited past the deadline: withdrew at d
                    integrals[c.stage] = integrals.get(c.stage, 0.0) + (until - t)
            t = t1
        if nxt >= horizon:
            break
        env.step()
    model.run()  # nothing left before the horizon: this closes the books
    return integrals, model


# --------------------------------------------------------------------------- checks
#
# Each returns plain data (so that the tests assert on it and scripts/validate_model.py
# tabulates it from the same code).


def little_check(scenario: Scenario, k: int, seed: int) -> list[dict[str, Any]]:
    """Little's law per stage for one replication: the live-state occupancy integral, the
    records' occupancy integral and the sum of truncated sojourns, and the worst relative
    difference."""
    live, model = live_occupancy(scenario, k, seed)
    records = little_from_records(model.visits, model.horizon)
    rows = []
    for stage, r in sorted(records.items()):
        scale = max(1.0, r["sojourns"])
        rows.append({
            "stage": stage, "visits": int(r["visits"]), "live": live.get(stage, 0.0),
            "integral": r["integral"], "sojourns": r["sojourns"],
            "min_occupancy": r["min_occupancy"], "missing_end": int(r["missing_end"]),
            "rel_err": max(abs(live.get(stage, 0.0) - r["sojourns"]),
                           abs(r["integral"] - r["sojourns"])) / scale,
        })
    for stage in sorted(set(live) - set(records)):
        rows.append({"stage": stage, "visits": 0, "live": live[stage], "integral": 0.0,
                     "sojourns": 0.0, "min_occupancy": 0.0, "missing_end": 0,
                     "rel_err": abs(live[stage])})
    return rows


def fifo_recursion_check(c: int, lam: float, mean_service_days: float, k: int,
                         seed: int, horizon_days: float = 1000.0) -> dict[str, Any]:
    """The M/M/c scenario against an independent FIFO c-server queue (the Kiefer-Wolfowitz
    recursion: each customer, in arrival order, starts at max(arrival, earliest free
    server)) fed with the *same* arrivals and service times as the model's replication:
    the start times must agree to floating-point precision. Also Kolmogorov-Smirnov
    p-values of the inter-arrival and service times against their exponentials."""
    import heapq

    from scipy import stats

    from hiresim.replication import run_replication

    until = horizon_days - 100.0
    scn = mmc(c, lam, mean_service_days, horizon_days=horizon_days, until_day=until)
    r = run_replication(scn, k, seed, record_detail=True)
    v = sorted((x for x in r.visits if x[1] == "screen"), key=lambda x: x[2])
    enter = np.array([x[2] for x in v])
    start = np.array([x[3] for x in v])
    service = np.array([x[4] for x in v]) - start
    free = [0.0] * c
    reference = np.empty(enter.size)
    for i, (a, s_) in enumerate(zip(enter, service, strict=True)):
        begin = max(a, heapq.heappop(free))
        reference[i] = begin
        heapq.heappush(free, begin + s_)
    gaps = np.diff(np.concatenate([[0.0], enter]))
    return {
        "customers": int(enter.size),
        "unstarted": int(np.isnan(start).sum()),
        "max_abs_diff": float(np.max(np.abs(reference - start))),
        "ks_interarrival_p": float(stats.kstest(gaps, "expon", args=(0, 1 / lam)).pvalue),
        "ks_service_p": float(stats.kstest(service, "expon",
                                           args=(0, mean_service_days)).pvalue),
    }


TERMINAL_OUTCOME = {  # the outcome of the last stage visit of each terminal state
    "no_reply": "failed", "not_interested": "failed", "rejected": "failed",
    "declined_offer": "failed", "withdrew": "withdrew", "closed_out": "closed_out",
    "in_process": "in_process", "hired": "passed",
}


def conservation_problems(result: Any) -> list[str]:
    """Exact bookkeeping of one replication (docs/validation.md, section 3): every
    candidate ends once, in one terminal state, at the stage of its last visit; only the
    last visit may end other than 'passed'; timestamps never go backwards; no wait is
    negative; the funnel table matches the visits; nobody is busy beyond their hours."""
    from hiresim.model.outcomes import TERMINAL_STATES

    problems: list[str] = []
    if set(TERMINAL_OUTCOME) != set(TERMINAL_STATES):
        problems.append(f"terminal states changed: {sorted(TERMINAL_STATES)}")
    horizon = result.horizon_days
    cands = {row[0]: row for row in result.candidates}
    if len(cands) != len(result.candidates):
        problems.append("a candidate ended twice")
    by_cand: dict[int, list[tuple]] = {}
    for v in result.visits:
        by_cand.setdefault(v[0], []).append(v)
    for cid, visits in by_cand.items():
        if cid not in cands:
            continue  # created in the warm-up: not in the candidate table
        created, end, terminal, terminal_stage = cands[cid][5:9]
        visits.sort(key=lambda v: (v[2], v[4]))
        last = visits[-1]
        for v in visits[:-1]:
            if v[5] != "passed":
                problems.append(f"candidate {cid}: {v[1]} ended {v[5]} on day {v[4]:.4f}, "
                                f"then the journey went on: {visits[visits.index(v) + 1:]}")
        if (last[5], last[1]) != (TERMINAL_OUTCOME.get(terminal), terminal_stage):
            problems.append(f"candidate {cid}: last visit {last[1]}/{last[5]} but terminal "
                            f"state {terminal} at {terminal_stage}")
        if last[4] != end:
            problems.append(f"candidate {cid}: last visit ends on day {last[4]:.4f}, the "
                            f"candidate on day {end:.4f}")
        prev_end = created
        for v in visits:
            enter, start, leave = v[2], v[3], v[4]
            if enter < prev_end or leave < enter or leave > horizon:
                problems.append(f"candidate {cid}: timestamps go backwards at {v}")
            if start == start and not enter <= start <= leave:
                problems.append(f"candidate {cid}: start outside the visit {v}")
            prev_end = leave
    source = {row[0]: row[3] for row in result.candidates}
    counts: dict[tuple, int] = {}
    for v in result.visits:
        if v[0] in source:
            key = (source[v[0]], v[1], v[5])
            counts[key] = counts.get(key, 0) + 1
    funnel = {tuple(row[:3]): row[3] for row in result.funnel if row[3]}
    if funnel != counts:
        problems.append("the funnel table does not match the visits")
    busy: dict[str, float] = {}
    limit: dict[str, float] = {}
    for person, _role, hours_per_week, _activity, hours in result.staff:
        if person.endswith("-pool"):
            continue  # an unlimited pool (work.UnlimitedPool) has no hours limit
        busy[person] = busy.get(person, 0.0) + hours
        limit[person] = hours_per_week * horizon / 7.0
    for person, hours in busy.items():
        if hours > limit[person] * (1 + 1e-9):
            problems.append(f"{person} busy {hours:.2f} h of {limit[person]:.2f}")
    return problems


def binom_p(successes: int, trials: int, p: float) -> float:
    """Two-sided exact binomial p-value (1 or 0 for rates of 0 or 1)."""
    from scipy import stats

    if trials == 0:
        return math.nan
    if p in (0.0, 1.0):
        return 1.0 if successes == trials * p else 0.0
    return float(stats.binomtest(successes, trials, p).pvalue)


def funnel_report(result: Any, rates: dict[str, float] = FUNNEL_RATES) -> dict[str, Any]:
    """The sourced funnel of one drained replication: N prospects, hires vs N x prod(p)
    (z), and per stage the passes out of the decided visits with their exact binomial
    p-value against the stage's pass rate."""
    cands = result.candidates
    n = sum(1 for c in cands if c[3] == "sourced")
    hires = sum(1 for c in cands if c[7] == "hired")
    p = funnel_product(rates)
    out: dict[str, dict[str, int]] = {}
    for v in result.visits:
        d = out.setdefault(v[1], {})
        d[v[5]] = d.get(v[5], 0) + 1
    replied = sum(1 for c in cands if c[9])
    stages = [("reply", replied, n, rates["reply_rate"]),
              ("interest", out["outreach"].get("passed", 0), replied, rates["interest_rate"])]
    expected = {"qualification": rates["qualify_rate"], "handoff": 1.0,
                "screen": rates["screen_pass_rate"], "round1": 1.0, "debrief": 1.0,
                "offer": rates["offer_acceptance"]}
    for stage, rate in expected.items():
        o = out.get(stage, {})
        stages.append((stage, o.get("passed", 0), o.get("passed", 0) + o.get("failed", 0),
                       rate))
    return {
        "n": n, "hires": hires, "p": p, "expected": n * p,
        "sd": math.sqrt(n * p * (1 - p)),
        "z": (hires - n * p) / math.sqrt(n * p * (1 - p)),
        "p_value": binom_p(hires, n, p),
        "terminals": sorted({c[7] for c in cands}),
        "outcomes": sorted({v[5] for v in result.visits}),
        "stages": [{"stage": s, "passed": k, "trials": m, "rate": r, "observed": k / m,
                    "p_value": binom_p(k, m, r)} for s, k, m, r in stages],
        "max_wait": max((v[3] - v[2] for v in result.visits if v[3] == v[3]), default=0.0),
    }


def fates_by_req(result: Any) -> dict[int, list[tuple]]:
    """Each req's candidates in creation order with (terminal, stage, replied, offered)."""
    per_req: dict[int, list[tuple]] = {}
    for c in sorted(result.candidates):  # candidate ids are in creation order
        per_req.setdefault(c[1], []).append((c[7], c[8], c[9], c[10]))
    return per_req


def compare_fates(a: Any, b: Any) -> tuple[int, int]:
    """(candidates compared, candidates whose fate differs) between two runs, matching the
    k-th candidate of each req."""
    fa, fb = fates_by_req(a), fates_by_req(b)
    compared = differ = 0
    for req, xs in fa.items():
        ys = fb.get(req, [])
        m = min(len(xs), len(ys))
        compared += m
        differ += sum(1 for x, y in zip(xs[:m], ys[:m], strict=True) if x != y)
    return compared, differ


def screen_waits_by_candidate(scenario: Scenario, k: int, seed: int) -> dict[int, float]:
    """Each candidate's screen wait, truncated at the horizon."""
    from hiresim.replication import run_replication

    r = run_replication(scenario, k, seed, record_detail=True)
    T = r.horizon_days
    return {v[0]: (v[3] if v[3] == v[3] else T) - v[2] for v in r.visits if v[1] == "screen"}


def crn_comparison(before: Scenario, after: Scenario, replications: int,
                   seed: int) -> list[dict[str, Any]]:
    """Per replication on the same seed: candidates, how many waited longer after the
    change, and the mean screen wait before and after."""
    rows = []
    for k in range(replications):
        w0 = screen_waits_by_candidate(before, k, seed)
        w1 = screen_waits_by_candidate(after, k, seed)
        same = w0.keys() == w1.keys()
        longer = sum(1 for c in w0 if w1.get(c, math.inf) > w0[c] + 1e-9)
        rows.append({"replication": k, "candidates": len(w0), "same_candidates": same,
                     "waited_longer": longer, "mean_before": float(np.mean(list(w0.values()))),
                     "mean_after": float(np.mean(list(w1.values())))})
    return rows


def shipped_scenario_files() -> list[Path]:
    """The scenarios shipped with the project (scenarios/*.yaml)."""
    return sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))


def shipped_checks(path: Path, k: int = 0, seed: int = 1) -> dict[str, Any]:
    """Little's law (live state vs records), conservation and horizon cuts (at 30%, 60%
    and 90% of the horizon) on one replication of a shipped scenario file."""
    from hiresim.replication import run_replication
    from hiresim.scenario_files import load_scenario

    scenario = load_scenario(path)
    little = little_check(scenario, k, seed)
    conservation = conservation_problems(run_replication(scenario, k, seed,
                                                         record_detail=True))
    h = scenario.simulation.horizon_days
    cuts = horizon_cut_problems(scenario, [0.3 * h + 0.01, 0.6 * h + 0.01, 0.9 * h + 0.01],
                                k, seed)
    return {"stages": len(little), "little_rel_err": max(r["rel_err"] for r in little),
            "little_ok": all(r["rel_err"] <= 1e-9 and r["min_occupancy"] >= 0
                             and r["missing_end"] == 0 for r in little),
            "conservation": conservation, "cuts": cuts}


# --------------------------------------------------------------------------- run sizes
#
# The default test run uses FAST; ``pytest -m validation`` and scripts/validate_model.py
# use LARGE. Seeds are fixed.

T_TAIL = 1.0 / 0.9  # the tail point t = 1.1111: C exp(-(c mu - lambda) t) = C / e

MMC_SYSTEMS = {
    "c3-rho0.70": (MMc(3, 2.1, 1.0), (0.5, T_TAIL, 2.5)),
    "c4-rho0.75": (MMc(4, 3.0, 1.0), (0.5, 1.5)),
    "c1-rho0.625": (MMc(1, 5.0, 8.0), (0.2, 0.5)),
    "c10-rho0.90": (MMc(10, 9.0, 1.0), (0.5, 1.0)),
}
MMC_SEEDS = {key: 101 + i for i, key in enumerate(MMC_SYSTEMS)}
# (replications, warm-up days, window days): about 3,000 customers per replication (fast)
# or 30 x 10,000 customers after 1,000 of warm-up (large, as in docs/validation.md)
MMC_FAST = {"c3-rho0.70": (12, 50.0, 1400.0), "c4-rho0.75": (12, 50.0, 1000.0),
            "c1-rho0.625": (12, 20.0, 600.0)}
MMC_LARGE = {"c3-rho0.70": (30, 476.0, 4762.0), "c4-rho0.75": (30, 333.0, 3333.0),
             "c1-rho0.625": (30, 200.0, 2000.0), "c10-rho0.90": (30, 300.0, 1111.0)}

TANDEM = (MMc(3, 2.1, 1.0), 0.5, MMc(2, 1.05, 0.8))
TANDEM_SEED = 211
TANDEM_FAST = (12, 50.0, 1000.0)
TANDEM_LARGE = (30, 476.0, 4762.0)

FUNNEL_SEED = 31
FUNNEL_FAST = {"reqs": 8, "prospects_per_req_per_week": 70.0, "until_day": 125.0,
               "horizon_days": 215.0}
# Large (docs/validation.md, section 5): N = 200,000 outreach (80 reqs x 10 a day x 250
# days), ten times the fast pace, with ten times the fast finite team. Recruiters and
# sourcers each work from their own queue (per_owner): a recruiter owns 8 reqs and a sourcer
# 4, the fast run's reqs per person, so each is as busy as there and candidates wait for
# them (max wait about 0.6 days; interviewers always share one queue). In one shared queue
# per role, ten recruiters pool their time so well that no stage waits more than 0.06 days
# to start, and even eight (15% more work than hours) only reach 0.07: the excess piles up
# in handoffs, the lowest-priority recruiter work, whose wait does not delay a stage's start
# (its sourcer half has started it).
FUNNEL_LARGE = {"reqs": 80, "prospects_per_req_per_week": 70.0, "until_day": 250.0,
                "horizon_days": 340.0}
FUNNEL_LARGE_STAFF = {"sourcers": (20, 140.0), "recruiters": (10, 70.0),
                      "interviewers": (10, 28.0)}
FUNNEL_LARGE_WORK_QUEUE = "per_owner"


def funnel_target(large: bool) -> float:
    """Prospects the plan asks for: reqs x pace x days."""
    f = FUNNEL_LARGE if large else FUNNEL_FAST
    return f["reqs"] * f["prospects_per_req_per_week"] / 7.0 * f["until_day"]


def funnel_scenario(capacity: str, large: bool) -> Scenario:
    kw: dict[str, Any] = dict(FUNNEL_LARGE if large else FUNNEL_FAST)
    if capacity == "finite" and large:
        kw["staff"] = FUNNEL_LARGE_STAFF
        kw["work_queue"] = FUNNEL_LARGE_WORK_QUEUE
    return funnel(capacity=capacity, seed=FUNNEL_SEED, **kw)


COVERAGE_SYSTEM = MMc(3, 1.5, 1.0)
COVERAGE_SEED = 10_000
# (macro-runs, replications each, warm-up days, window days)
COVERAGE_FAST = (50, 8, 20.0, 80.0)
COVERAGE_LARGE = (300, 10, 20.0, 2000.0)  # ~3,000 customers per replication

CRN_SEED = 77
CRN_BASE = {"horizon_days": 500.0, "until_day": 400.0}


def crn_pair(change: str) -> tuple[Scenario, Scenario]:
    """(before, after): every screen 20% shorter (same draws), or one more recruiter."""
    before = mmc(3, 2.1, 1.0, **CRN_BASE)
    if change == "faster_screen":
        return before, mmc(3, 2.1, 0.8, **CRN_BASE)
    if change == "one_more_recruiter":
        return before, mmc(4, 2.1, 1.0, **CRN_BASE)
    raise ValueError(change)


LITTLE_SEED = 17
LITTLE_SCENARIOS = {
    "mmc": lambda: mmc(3, 2.1, 1.0, horizon_days=300.0),
    "mmc-unlimited": lambda: mmc("unlimited", 2.1, 1.0, horizon_days=300.0),
    "tandem": lambda: tandem(3, 2.1, 1.0, 0.5, 2, 1.25, horizon_days=300.0),
    "inbound-funnel-finite": lambda: inbound_funnel(
        applications_per_req_per_week=35.0, until_day=60.0, horizon_days=90.0,
        capacity="finite"),
    "rich-combined": lambda: rich("combined", horizon_days=200.0),
    "rich-split": lambda: rich("split", horizon_days=200.0),
    "rich-combined-stressed": lambda: rich("combined", stressed=True, horizon_days=200.0),
    "rich-split-stressed": lambda: rich("split", stressed=True, horizon_days=150.0),
}


CLOSE_DURING_INTERVIEW: dict[str, Any] = without_realism({
    # One req, one recruiter at 7 h/week (1 hour of effort = 1 day), everything fixed and
    # every probability 1: candidate 1 is hired on day 19 while candidate 3's 6-day onsite
    # (days 14-20) is under way, so candidate 3 is closed out on day 19 mid-interview.
    "name": "close-during-interview",
    "simulation": {"horizon_days": 30.0, "seed": 1},
    "team": {"structure": "combined", "recruiters": {"count": 1, "hours_per_week": 7.0},
             "recruiter_skill": {"reply_rate_multiplier": 1.0}},
    "effort": {"intake_hours": 1.0, "outreach_hours": 1.0, "follow_up_hours": 0.0,
               "qualification_call_hours": 1.0, "application_review_hours": 1.0,
               "screen_hours": 1.0, "scheduling_hours": 1.0, "debrief_hours": 1.0,
               "offer_hours": 1.0},
    "outreach": {"touches": 1, "touch_gap_days": 1.0, "reply_share_by_touch": [1.0],
                 "reply_delay_days": 2.0, "prospects_per_req_per_week": 7.0,
                 "max_active_per_req": None},
    "candidates": {"patience_days": None, "offer_response_days": 0.0,
                   "acceptance_grace_days": 0.0, "acceptance_drop_per_week": 0.0},
    "profiles": [{
        "name": "eng",
        "openings": {"count": 1},
        "inbound": {"applications_per_week": 0.0},
        "sourced": {"reply_rate": 1.0, "interest_rate": 1.0, "qualify_rate": 1.0},
        "screen_pass_rate": 1.0,
        "interview_rounds": [{"name": "onsite", "pass_rate": 1.0, "interviewer_hours": 6.0,
                              "lead_days": 0.0}],
        "decision_pass_rate": 1.0,
        "offer_acceptance": 1.0,
        "interviewers": {"count": 3, "hours_per_week": 7.0},
    }],
})


def _close_run(horizon: float | None = None, patience: float | None = None) -> Any:
    from hiresim.replication import run_replication

    data = copy.deepcopy(CLOSE_DURING_INTERVIEW)
    if horizon is not None:
        data["simulation"]["horizon_days"] = horizon
    if patience is not None:
        data["candidates"]["patience_days"] = patience
    return run_replication(scenario_from_dict(data, "<close-during-interview>"), 0, 1,
                           record_detail=True)


def closed_out_check() -> dict[str, Any]:
    """CLOSE_DURING_INTERVIEW: when the req closes (the hire), candidates whose onsite is
    under way are closed out; none of them may have a visit that begins later."""
    r = _close_run()
    end = {c[0]: (c[6], c[7], c[8]) for c in r.candidates}
    hired = [c for c in r.candidates if c[7] == "hired"]
    mid_work = [v for v in r.visits if v[5] == "closed_out" and v[3] == v[3] and v[3] < v[4]]
    after = [v for v in r.visits if v[2] > end[v[0]][0]]
    return {"ok": len(hired) == 1 and bool(mid_work) and not after,
            "hired": [(c[0], c[6]) for c in hired],
            "closed_out_mid_work": mid_work, "visits_after_end": after}


def _with_horizon(scenario: Scenario, horizon: float) -> Scenario:
    sim = scenario.simulation.model_copy(update={"horizon_days": float(horizon)})
    return scenario.model_copy(update={"simulation": sim})


def horizon_cut_problems(scenario: Scenario, cuts: list[float], k: int = 0,
                         seed: int = 1) -> list[str]:
    """Cutting a run at T only truncates it: against the same replication run to its own
    horizon, every candidate who had ended before T ends the same way, every candidate
    still in process at T is 'in_process' at T at the stage they were in, and every visit
    under way at T is cut at T with the same start (nan only if no work had started by T).
    Catches work under way being recorded as never started, and candidates being served at
    T being recorded as having withdrawn at their patience deadline."""
    from hiresim.replication import run_replication

    full = run_replication(scenario, k, seed, record_detail=True)
    problems: list[str] = []
    for T in map(float, cuts):
        cut = run_replication(_with_horizon(scenario, T), k, seed, record_detail=True)
        got = {c[0]: c for c in cut.candidates}
        want_ids = {c[0] for c in full.candidates if c[5] < T}
        if set(got) != want_ids:
            problems.append(f"T={T:g}: candidates created before T differ")
            continue
        stage_at_t = {v[0]: v[1] for v in full.visits if v[2] <= T < v[4]}
        for c in full.candidates:
            if c[0] not in got:
                continue
            mine = got[c[0]]
            if c[6] < T:
                if (mine[6], mine[7], mine[8]) != (c[6], c[7], c[8]):
                    problems.append(f"T={T:g}: candidate {c[0]} ended {c[7]} at {c[8]} on day "
                                    f"{c[6]:.4f}, cut run: {mine[7]} at {mine[8]} on day "
                                    f"{mine[6]:.4f}")
            elif (mine[7], mine[8], mine[6]) != ("in_process", stage_at_t.get(c[0]), T):
                problems.append(f"T={T:g}: candidate {c[0]} in {stage_at_t.get(c[0])} at T "
                                f"(full run: {c[7]} on day {c[6]:.4f}), cut run: {mine[7]} "
                                f"at {mine[8]} on day {mine[6]:.4f}")
        want_visits = set()
        for v in full.visits:
            if v[2] >= T:
                continue
            if v[4] < T:
                want_visits.add(repr(v))
            else:
                start = v[3] if v[3] == v[3] and v[3] <= T else math.nan
                want_visits.add(repr((v[0], v[1], v[2], start, T, "in_process")))
        got_visits = {repr(v) for v in cut.visits}
        for v in sorted(want_visits - got_visits)[:3]:
            problems.append(f"T={T:g}: expected visit {v} not in the cut run")
        for v in sorted(got_visits - want_visits)[:3]:
            problems.append(f"T={T:g}: unexpected visit {v} in the cut run")
    return problems


def horizon_cut_check() -> dict[str, Any]:
    """horizon_cut_problems on CLOSE_DURING_INTERVIEW with 2.5 days of patience (some
    candidates withdraw, some are served past their deadline), cut every half day."""
    data = copy.deepcopy(CLOSE_DURING_INTERVIEW)
    data["candidates"]["patience_days"] = 2.5
    scenario = scenario_from_dict(data, "<close-during-interview>")
    problems = horizon_cut_problems(scenario, [t + 0.25 for t in np.arange(1.0, 25.0, 0.5)])
    return {"ok": not problems, "problems": problems[:6], "count": len(problems)}


def unlimited_pace_check() -> dict[str, Any]:
    """Unlimited sourcers are never the bottleneck: one req at a target of 200 prospects a
    day for 50 days (each outreach takes 0.035 days on average) must contact about 10,000
    prospects (within 1%)."""
    from hiresim.replication import run_replication

    s = funnel(capacity="unlimited", reqs=1, prospects_per_req_per_week=1400.0,
               until_day=50.0, horizon_days=51.0)
    contacted = run_replication(s, 0, 3).kpis["contacted"]
    target = 1400.0 / 7.0 * 50.0
    return {"ok": abs(contacted / target - 1.0) <= 0.01, "contacted": contacted,
            "target": target}
