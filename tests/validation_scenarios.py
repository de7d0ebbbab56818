"""Textbook systems written as ordinary hiresim scenarios, plus the theory they reduce to.

Nothing here is a special code path of the model: every helper builds a plain scenario
dict (what a user could write in YAML) and validates it with
``hiresim.scenario.scenario_from_dict``. The reductions (see design/validation.md):

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

Also: the Erlang C formula (stable recursion) and the Jackson node values.
"""

from __future__ import annotations

import copy
import math
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
    d = _base(name=f"mmc-c{c}", horizon_days=horizon_days,
                         warmup_days=warmup_days, seed=seed, until_day=until_day)
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
    return scenario_from_dict(mmc_dict(c, lam, mean_service_days, **kw), "<mmc>")


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
    return scenario_from_dict(tandem_dict(*args, **kw), "<tandem>")


# The pure funnel of design/validation.md: five pass rates with product 0.024.
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
# For the inbound funnel (4 reqs x 10 applicants a day): recruiters ~65%, interviewers ~50%.
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
) -> dict[str, Any]:
    """The sourced funnel of ``reqs`` evergreen reqs opened on day 0: outreach -> reply ->
    interest -> qualify -> handoff -> screen -> interview(s) (pass 1) -> decision (pass 1)
    -> offer -> accept.

    ``capacity``: ``unlimited`` (every role an unlimited pool) or ``finite``: ``staff``
    maps ``sourcers``/``recruiters``/``interviewers`` to (count, hours_per_week); the
    default is a busy but stable team for the default pace. Everything random about a
    candidate's fate is drawn from the candidate's own stream, so capacity can only change
    *when* things happen.
    """
    d = _base(name=f"funnel-{capacity}", horizon_days=horizon_days,
                         warmup_days=0.0, seed=seed, until_day=until_day)
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
        "work_queue": "shared",
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
    return scenario_from_dict(funnel_dict(**kw), "<funnel>")


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
    return scenario_from_dict(inbound_funnel_dict(**kw), "<inbound-funnel>")


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
    return scenario_from_dict(rich_dict(structure, **kw), "<rich>")


# --------------------------------------------------------------------------- experiments
#
# Standard errors always come from independent replications: each replication is reduced
# to one number per quantity (its mean wait, its share of customers who waited, ...) and
# the spread of those numbers across replications gives the standard error. Customers of
# one replication are never pooled as if they were independent.


def stage_waits(result: Any, stage: str, lo: float, hi: float) -> np.ndarray:
    """Waits (start - enter, days) of the visits to ``stage`` that entered in [lo, hi).

    Raises if one of them never started: the experiments drain the system
    (``new_candidates_until_day``) so that every counted customer is served.
    """
    rows = [(v[2], v[3]) for v in result.visits if v[1] == stage and lo <= v[2] < hi]
    if not rows:
        return np.empty(0)
    enter, start = np.asarray(rows, dtype=float).T
    if np.isnan(start).any():
        raise AssertionError(
            f"{int(np.isnan(start).sum())} {stage} visits never started: drain longer"
        )
    return start - enter


def replication_stage_stats(
    scenario: Scenario, k: int, seed: int, stage: str, lo: float, hi: float,
    ts: tuple[float, ...] = (),
) -> dict[str, Any]:
    """One replication reduced to its per-replication statistics of one stage's waits."""
    from hiresim.replication import run_replication

    result = run_replication(scenario, k, seed, record_detail=True)
    w = stage_waits(result, stage, lo, hi)
    return {
        "replication": k,
        "seed": seed,
        "n": int(w.size),
        "mean_wait": float(w.mean()) if w.size else math.nan,
        "p_wait": float((w > 0.0).mean()) if w.size else math.nan,
        "tail": [float((w > t).mean()) if w.size else math.nan for t in ts],
    }


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


def stage_stats(
    scenario: Scenario, replications: int, seed: int, stage: str, lo: float, hi: float,
    ts: tuple[float, ...] = (), workers: int = 1, first: int = 0,
) -> list[dict[str, Any]]:
    """Per-replication statistics of one stage for replications first..first+n-1."""
    args = [(scenario, k, seed, stage, lo, hi, ts)
            for k in range(first, first + replications)]
    return pmap(replication_stage_stats, args, workers)


def estimate(values: Any) -> dict[str, float]:
    """Mean, standard error and 95% t-interval of per-replication values (hiresim.metrics)."""
    from hiresim.metrics import interval

    x = np.asarray(values, dtype=float)
    iv = interval(x)
    se = float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan
    return {"mean": float(iv["mean"]), "se": se, "ci_low": float(iv["ci_low"]),
            "ci_high": float(iv["ci_high"]), "n": int(iv["n"])}


def z_score(values: Any, expected: float) -> float:
    e = estimate(values)
    return (e["mean"] - expected) / e["se"]


def mmc_experiment(
    q: MMc, *, replications: int, warmup_days: float, window_days: float, seed: int,
    ts: tuple[float, ...] = (), drain_days: float = 40.0, workers: int = 1,
    c: int | str | None = None,
) -> list[dict[str, Any]]:
    """Replications of the M/M/c scenario: customers arriving in [warm-up, warm-up + window)
    are measured; new arrivals stop at the end of the window and the run drains."""
    until = warmup_days + window_days
    scn = mmc(q.c if c is None else c, q.lam, 1.0 / q.mu, horizon_days=until + drain_days,
              warmup_days=warmup_days, until_day=until, seed=seed)
    return stage_stats(scn, replications, seed, "screen", warmup_days, until, ts, workers)


def with_changes(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict:
    """A deep copy of a scenario dict with one nested value replaced."""
    out = copy.deepcopy(data)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out
