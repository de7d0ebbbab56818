"""Validation: hiresim reproduces known results whenever a scenario reduces to a textbook
system (docs/validation.md), and its bookkeeping is exact.

Every scenario here is an ordinary scenario dict (tests/validation_scenarios.py): there
are no special code paths. Statistical checks use fixed seeds and tolerances of four
standard errors, where the standard error comes from independent replications (one number
per replication), never from pooled customers. Exact checks (Little's law, conservation,
common random numbers) must hold in every replication to floating-point precision.

The default run has the fast versions. ``pytest -m validation`` runs the larger ones;
``scripts/validate_model.py`` runs the same larger experiments and writes
docs/validation.md.
"""

from __future__ import annotations

import math
import os
from functools import cache

import pytest
from scipy import integrate, stats

import validation_scenarios as vs
from hiresim.replication import run_replication

Z = 4.0  # tolerance in standard errors
P_MIN = 2 * stats.norm.sf(Z)  # two-sided p-value of a 4-sigma deviation (6.3e-5)
T_TAIL = vs.T_TAIL
WORKERS = max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                         else os.cpu_count() or 1))  # local worker processes

large = pytest.mark.validation
FAST_OR_LARGE = [pytest.param(False, id="fast"), pytest.param(True, id="large", marks=large)]


def assert_within(values, expected: float, what: str, z: float = Z) -> dict:
    """Mean of per-replication values within z standard errors of the theory."""
    e = vs.estimate(values)
    assert e["se"] > 0, f"{what}: no spread across replications"
    dev = (e["mean"] - expected) / e["se"]
    assert abs(dev) <= z, (
        f"{what}: simulated {e['mean']:.5f} (se {e['se']:.5f}, 95% CI "
        f"[{e['ci_low']:.5f}, {e['ci_high']:.5f}], {e['n']} replications) vs theory "
        f"{expected:.5f}: {dev:+.1f} se"
    )
    return e


def check_queue(q: vs.MMc, reps: list[dict], ts: tuple[float, ...]) -> None:
    assert_within([r["mean_wait"] for r in reps], q.wq, f"{q.label()} mean wait Wq")
    assert_within([r["p_wait"] for r in reps], q.C, f"{q.label()} P(wait > 0)")
    for i, t in enumerate(ts):
        assert_within([r["tail"][i] for r in reps], q.p_wait_gt(t),
                      f"{q.label()} P(wait > {t:g})")
    assert_within([r["mean_service"] for r in reps], 1.0 / q.mu,
                  f"{q.label()} mean service time")


# ----------------------------------------------------------------------------- Erlang C


def test_erlang_c_matches_reference_values():
    q = vs.MMc(3, 2.1, 1.0)
    assert q.C == pytest.approx(0.4923445, abs=5e-8)
    assert q.wq == pytest.approx(0.5470494, abs=5e-8)
    assert q.p_wait_gt(T_TAIL) == pytest.approx(0.1811234, abs=5e-8)
    q4 = vs.MMc(4, 3.0, 1.0)
    assert q4.C == pytest.approx(0.5094340, abs=5e-8)
    assert q4.wq == pytest.approx(0.5094340, abs=5e-8)
    q1 = vs.MMc(1, 5.0, 8.0)
    assert q1.C == pytest.approx(0.625, abs=1e-12)  # M/M/1: C = rho
    assert q1.wq == pytest.approx(0.2083333, abs=5e-8)
    q2 = vs.TANDEM[2]  # the tandem's second node
    assert q2.wq == pytest.approx(0.9455403, abs=5e-8)


def test_erlang_c_stable_recursion_agrees_with_the_direct_formula():
    for c in (1, 2, 3, 5, 10, 30):
        for rho in (0.1, 0.5, 0.9, 0.99):
            a = rho * c
            head = sum(a**k / math.factorial(k) for k in range(c))
            tail = a**c / math.factorial(c) * c / (c - a)
            assert vs.erlang_c(c, a) == pytest.approx(tail / (head + tail), rel=1e-12)
    big = [vs.erlang_c(c, 0.9 * c) for c in (100, 1000, 10000)]  # no overflow
    assert all(0.0 < x < 1.0 for x in big) and big[0] > big[1] > big[2]
    with pytest.raises(ValueError):
        vs.erlang_c(3, 3.0)


def test_lifo_reference_has_the_same_mean_but_a_different_tail():
    """The LIFO tail used to show that the tail check tells FIFO from other orders."""
    q = vs.MMc(3, 2.1, 1.0)
    assert vs.lifo_p_wait_gt(q, 0.0) == pytest.approx(q.C, rel=1e-9)
    mean, _ = integrate.quad(lambda t: vs.lifo_p_wait_gt(q, t), 0, math.inf, limit=200)
    assert mean == pytest.approx(q.wq, rel=1e-6)
    assert vs.lifo_p_wait_gt(q, T_TAIL) < 0.65 * q.p_wait_gt(T_TAIL)


# ----------------------------------------------------------------------------- M/M/c


@cache
def _mmc_run(key: str, slow: bool) -> list[dict]:
    q, ts = vs.MMC_SYSTEMS[key]
    reps, warmup, window = (vs.MMC_LARGE if slow else vs.MMC_FAST)[key]
    return vs.mmc_experiment(q, replications=reps, warmup_days=warmup, window_days=window,
                             seed=vs.MMC_SEEDS[key], ts=ts, workers=WORKERS)


@pytest.mark.parametrize("key", sorted(vs.MMC_FAST))
def test_mmc_screen_matches_erlang_c(key):
    """Recruiters as the c servers of the screen: mean wait, P(wait > 0), P(wait > t) and
    the mean screen (168 h/week: 24 hours = 1 day) match the M/M/c formulas."""
    q, ts = vs.MMC_SYSTEMS[key]
    check_queue(q, _mmc_run(key, False), ts)


@large
@pytest.mark.parametrize("key", sorted(vs.MMC_LARGE))
def test_mmc_screen_matches_erlang_c_large(key):
    q, ts = vs.MMC_SYSTEMS[key]
    check_queue(q, _mmc_run(key, True), ts)


@pytest.mark.parametrize("c,lam", [(1, 0.7), (3, 2.1), (10, 9.0)])
def test_mmc_is_exactly_a_fifo_c_server_queue(c, lam):
    """Fed the model's own arrival and screen times, an independent FIFO c-server queue
    (Kiefer-Wolfowitz recursion) starts every customer at exactly the same time; and the
    inter-arrival and screen times are exponential with the right means (KS test)."""
    check = vs.fifo_recursion_check(c, lam, 1.0, 0, 5)
    assert check["customers"] > 500 and check["unstarted"] == 0, check
    assert check["max_abs_diff"] <= 1e-9, check
    assert check["ks_interarrival_p"] > P_MIN and check["ks_service_p"] > P_MIN, check


@pytest.mark.parametrize("slow", FAST_OR_LARGE)
def test_tail_tells_fifo_from_lifo(slow):
    """Mean wait and P(wait > 0) are the same under FIFO and LIFO; the tail is not. The
    simulated tail matches FIFO and is more than 4 standard errors away from LIFO."""
    q, ts = vs.MMC_SYSTEMS["c3-rho0.70"]
    runs = _mmc_run("c3-rho0.70", slow)
    i = ts.index(T_TAIL)
    e = assert_within([r["tail"][i] for r in runs], q.p_wait_gt(T_TAIL), "FIFO tail")
    lifo = vs.lifo_p_wait_gt(q, T_TAIL)
    assert abs(e["mean"] - lifo) > Z * e["se"], (e, lifo)


# ----------------------------------------------------------------------------- tandem


@pytest.mark.parametrize("slow", FAST_OR_LARGE)
def test_tandem_second_stage_matches_jackson(slow):
    """Screen (3 recruiters) -> pass 50% -> interview (2 interviewers): each node is an
    independent M/M/c with its own arrival rate (Burke + Bernoulli thinning)."""
    q1, p, q2 = vs.TANDEM
    assert q2.lam == pytest.approx(p * q1.lam)
    reps, warmup, window = vs.TANDEM_LARGE if slow else vs.TANDEM_FAST
    runs = vs.tandem_experiment(q1, p, q2, replications=reps, warmup_days=warmup,
                                window_days=window, seed=vs.TANDEM_SEED, ts=(1.0,),
                                workers=WORKERS)
    check_queue(q1, runs["screen"], (1.0,))
    check_queue(q2, runs["interview"], (1.0,))
    share = [i["n"] / s["n"] for s, i in zip(runs["screen"], runs["interview"], strict=True)]
    assert_within(share, p, "share routed to the interview")


# ----------------------------------------------------------------------------- Little's law


@pytest.mark.parametrize("name", sorted(vs.LITTLE_SCENARIOS))
def test_littles_law_exact_per_stage(name):
    """For every stage in every replication: the integral over [0, T] of the stage's
    occupancy, integrated event by event from the model's live state, equals the sum over
    the recorded visits of min(leave, T) - max(enter, 0), to floating-point precision."""
    scenario = vs.LITTLE_SCENARIOS[name]()
    for k in range(2):
        rows = vs.little_check(scenario, k, vs.LITTLE_SEED)
        assert rows
        for r in rows:
            assert r["missing_end"] == 0 and r["min_occupancy"] >= 0, r
            assert r["rel_err"] <= 1e-9, (
                f"replication {k}, {r['stage']}: live occupancy integral {r['live']:.9f} vs "
                f"records {r['integral']:.9f} vs truncated sojourns {r['sojourns']:.9f} "
                f"({r['visits']} visits)"
            )


def test_littles_law_when_drop_out_follows_lapsed_patience():
    """A candidate waiting for their req to open (pipeline ahead) whose patience runs out,
    and whom the drop-out hazard reaches only later, withdrew at the deadline: the records
    say so and agree with the live state (replication 0 of the shipped scenario, seed 1,
    has two such candidates at the handoff)."""
    from hiresim.scenario_files import load_scenario

    path, = (p for p in vs.shipped_scenario_files() if p.stem == "pipeline-ahead")
    scenario = load_scenario(path)
    rows = vs.little_check(scenario, 0, 1)
    assert {r["stage"] for r in rows} >= {"handoff"}
    for r in rows:
        assert r["rel_err"] <= 1e-9, r


@large
@pytest.mark.parametrize("path", vs.shipped_scenario_files(), ids=lambda p: p.stem)
def test_shipped_scenarios_little_conservation_and_cuts(path):
    """Little's law (live state vs records), conservation and horizon cuts hold exactly
    on every shipped scenario."""
    check = vs.shipped_checks(path)
    assert check["little_ok"], check["little_rel_err"]
    assert not check["conservation"], check["conservation"][:4]
    assert not check["cuts"], check["cuts"][:4]


def test_littles_law_l_equals_lambda_w_for_the_queue():
    """L = lambda W over [0, T] (truncated waits) for the queue in front of the screen."""
    r = run_replication(vs.mmc(3, 2.1, 1.0, horizon_days=400.0), 0, 5, record_detail=True)
    T = r.horizon_days
    queue = [(v[0], "queue", v[2], min(v[3], T) if v[3] == v[3] else T, 0.0, "")
             for v in r.visits if v[1] == "screen"]
    queue = [(c, s, a, b, b, o) for c, s, a, b, _, o in queue]
    lam = len(queue) / T
    w = sum(b - a for _, _, a, b, _, _ in queue) / len(queue)
    L = vs.little_from_records(queue, T)["queue"]["integral"] / T
    assert L == pytest.approx(lam * w, rel=1e-12)


# ----------------------------------------------------------------------------- conservation


@pytest.mark.parametrize("name", ["rich-combined", "rich-split", "rich-combined-stressed",
                                  "rich-split-stressed", "inbound-funnel-finite", "tandem"])
def test_conservation_every_replication(name):
    scenario = vs.LITTLE_SCENARIOS[name]()
    for k in range(3):
        problems = vs.conservation_problems(run_replication(scenario, k, 23,
                                                            record_detail=True))
        assert not problems, (f"replication {k}: {len(problems)} problems, e.g.\n"
                              + "\n".join(problems[:4]))




def test_a_closed_out_candidate_stops_where_it_was_closed_out():
    """A req closes when its offer is accepted; candidates whose interview is under way at
    that moment are closed out and must not go on to a debrief (or an offer) afterwards
    (vs.CLOSE_DURING_INTERVIEW: everything fixed, onsites of six days)."""
    check = vs.closed_out_check()
    assert check["hired"] and check["closed_out_mid_work"], check  # the case happens
    assert not check["visits_after_end"], check


def test_cutting_a_run_only_truncates_it():
    """A run cut at T equals the full run up to T: work under way at T has started (its
    visit keeps its start day) and a candidate being served at T is in process, not
    withdrawn at a patience deadline that passed during the work (deterministic team with
    2.5 days of patience, cut every half day)."""
    check = vs.horizon_cut_check()
    assert check["ok"], f"{check['count']} problems, e.g.\n" + "\n".join(check["problems"])


@pytest.mark.parametrize("name", ["rich-combined-stressed", "rich-split-stressed"])
def test_cutting_a_run_only_truncates_it_with_withdrawals(name):
    problems = vs.horizon_cut_problems(vs.LITTLE_SCENARIOS[name](),
                                       [20.5, 49.3, 77.7, 98.1, 121.7, 139.9], 0, 5)
    assert not problems, f"{len(problems)} problems, e.g.\n" + "\n".join(problems[:4])


def test_unlimited_sourcers_keep_the_target_pace():
    """An unlimited pool is 'never the bottleneck' (work.UnlimitedPool): at a target of 200
    prospects a day per req it must reach about 200 a day, however long one outreach
    takes (0.035 days on average here)."""
    check = vs.unlimited_pace_check()
    assert check["ok"], check


# ----------------------------------------------------------------------------- pure funnel


@cache
def _funnel_run(capacity: str, slow: bool):
    return run_replication(vs.funnel_scenario(capacity, slow), 0, vs.FUNNEL_SEED,
                           record_detail=True)


@pytest.mark.parametrize("capacity", ["unlimited", "finite"])
@pytest.mark.parametrize("slow", FAST_OR_LARGE)
def test_pure_funnel_hires_binomial(capacity, slow):
    """No withdrawals, drained: hires ~ Binomial(N, prod p) (z within 4) and every stage's
    passes are consistent with its pass rate (exact binomial test), with unlimited and with
    finite capacity."""
    rep = vs.funnel_report(_funnel_run(capacity, slow))
    assert set(rep["terminals"]) <= {"no_reply", "not_interested", "rejected",
                                     "declined_offer", "hired"}, rep["terminals"]
    assert set(rep["outcomes"]) <= {"passed", "failed"}, rep["outcomes"]
    assert rep["n"] >= 0.9 * vs.funnel_target(slow)  # N = 200,000 (large), 10,000 (fast)
    assert abs(rep["z"]) <= Z, (
        f"hires {rep['hires']} vs N x prod(p) = {rep['n']} x {rep['p']} = "
        f"{rep['expected']:.1f} (sd {rep['sd']:.1f}): z = {rep['z']:.2f}")
    assert rep["p_value"] > P_MIN
    for s in rep["stages"]:
        assert s["p_value"] > P_MIN, s
    if capacity == "finite":
        assert rep["max_wait"] > 0.1  # the team really was a constraint
    else:
        assert rep["max_wait"] == 0.0


@pytest.mark.parametrize("slow", FAST_OR_LARGE)
def test_capacity_changes_when_never_whether_sourced(slow):
    """The k-th prospect of each req meets the same fate with unlimited or finite staff."""
    compared, differ = vs.compare_fates(_funnel_run("unlimited", slow),
                                        _funnel_run("finite", slow))
    assert compared >= 0.9 * vs.funnel_target(slow)
    assert differ == 0


def test_capacity_changes_when_never_whether_inbound():
    """Applicants arrive at the same times whatever the staffing: every one of them ends
    in the same terminal state at the same stage; only the waits differ."""
    kw = dict(applications_per_req_per_week=35.0, until_day=200.0, horizon_days=300.0)
    res = {cap: run_replication(vs.inbound_funnel(capacity=cap, **kw), 0, 41,
                                record_detail=True)
           for cap in ("unlimited", "finite")}
    a, b = (sorted(res[c].candidates) for c in ("unlimited", "finite"))
    assert [c[5] for c in a] == [c[5] for c in b]  # same arrivals
    assert [(c[7], c[8]) for c in a] == [(c[7], c[8]) for c in b]
    assert {c[7] for c in b} <= {"rejected", "declined_offer", "hired"}
    waits = {cap: [v[3] - v[2] for v in res[cap].visits if v[3] == v[3]] for cap in res}
    assert max(waits["unlimited"]) == 0.0 and max(waits["finite"]) > 0.1
    stage_counts: dict[str, dict[str, int]] = {}
    for v in res["finite"].visits:
        d = stage_counts.setdefault(v[1], {})
        d[v[5]] = d.get(v[5], 0) + 1
    for stage, rate in vs.INBOUND_RATES.items():
        o = stage_counts[stage]
        pv = vs.binom_p(o.get("passed", 0), o.get("passed", 0) + o.get("failed", 0), rate)
        assert pv > P_MIN, (stage, o, rate)


# ----------------------------------------------------------------------------- CRN


def test_crn_a_scenario_against_itself_differs_by_exactly_zero():
    scenario = vs.tandem(3, 2.1, 1.0, 0.5, 2, 1.25, horizon_days=200.0)
    a = run_replication(scenario, 3, 9, record_detail=True)
    b = run_replication(scenario, 3, 9, record_detail=True)
    assert repr(a.visits) == repr(b.visits) and repr(a.candidates) == repr(b.candidates)
    assert repr(a.kpis) == repr(b.kpis) and repr(a.staff) == repr(b.staff)


@pytest.mark.parametrize("change", ["faster_screen", "one_more_recruiter"])
def test_crn_more_capacity_never_makes_anyone_wait_longer(change):
    """Same seeds, FIFO: a faster screen (every screen 20% shorter, the same draws) or one
    more recruiter never makes any candidate wait longer, hence never any replication's
    mean screen wait. Waits are truncated at the horizon; the runs also drain."""
    before, after = vs.crn_pair(change)
    rows = vs.crn_comparison(before, after, 8, vs.CRN_SEED)
    for r in rows:
        assert r["same_candidates"], r
        assert r["waited_longer"] == 0, r
        assert r["mean_after"] <= r["mean_before"] + 1e-12, r
    assert all(r["mean_after"] < r["mean_before"] for r in rows)  # and it did help


# ----------------------------------------------------------------------------- CI coverage


@pytest.mark.parametrize("slow", FAST_OR_LARGE)
def test_confidence_interval_coverage(slow):
    """Over independent macro-runs (root seeds 10000, 10001, ...), the 95% t-interval
    across replications (hiresim.metrics.interval) on the mean wait covers the Erlang-C
    value 92-98% of the time (large). The fast version has short runs (its intervals
    under-cover slightly, ~90%) and few macro-runs: it only requires the coverage to be
    consistent with 95% at ~4 sigma, which catches e.g. intervals over pooled customers."""
    macro_runs, reps, warmup, window = vs.COVERAGE_LARGE if slow else vs.COVERAGE_FAST
    res = vs.coverage_experiment(vs.COVERAGE_SYSTEM, macro_runs=macro_runs,
                                 replications=reps, warmup_days=warmup, window_days=window,
                                 first_seed=vs.COVERAGE_SEED, workers=WORKERS)
    if slow:
        assert 0.92 <= res["coverage"] <= 0.98, res
    else:
        assert stats.binomtest(res["covered"], macro_runs, 0.95).pvalue > P_MIN, res
