"""Speed against peers: hiresim, Ciw and bare SimPy on the same M/M/c queue; shipped scenarios.

Run from the repository root::

    .venv/bin/python benchmarks/bench_peers.py                 # full: ~3-5 min on 2 cores
    .venv/bin/python benchmarks/bench_peers.py --quick         # smoke run, < 30 s
    .venv/bin/python benchmarks/bench_peers.py --json peers.json
    .venv/bin/python benchmarks/bench_peers.py --only shipped  # part (b) only (no Ciw needed)

Needs Ciw, a benchmark-only dependency (never imported by src/ or tests):
``.venv/bin/python -m pip install ciw``. Without it the script says so and exits 2.

(a) Peers. One M/M/c queue, c = 5, rho = 0.9 (lambda 4.5/day, mean service 1 day),
    about 200,000 customers from an empty queue, simulated three ways:

    - hiresim: ``run_replication`` of benchmarks/scenarios/mmc-c5-rho09.yaml, the
      validation tests' reduction of M/M/c to a scenario (Poisson applicants straight
      into the recruiter screen, 5 recruiters on one shared FIFO queue working 168 h a
      week, exponential 24-hour screen = 1 day, everything else off). New applicants stop
      at day customers/lambda (``--set simulation.new_candidates_until_day``) and the run
      goes on 40 more days so every customer is served. Timed twice: with per-candidate
      records (``record_detail=True``, needed for the waits) and without (the default of
      ``hiresim run``). Customers = KPI ``applicants``. Wait in queue of a customer =
      start - enter of its ``screen`` stage visit (start = when a recruiter started the
      screen), from the replication's visit records.
    - Ciw: ``ciw.Simulation`` of the same network, ``simulate_until_max_customers(N)``
      (N customers completed); wait = ``waiting_time`` of its records.
    - bare SimPy: ``benchmarks/bench_core.py``'s ``mmc_run`` (``simpy.Resource``, one
      process per customer, N customers, run until the queue drains).

    All three start empty and average the wait over every customer. The mean waits are
    set against the exact Erlang C value (with a 95% interval across the rounds, which are
    independent replications). Timings are interleaved: each round runs every workload
    once, in a rotated order, with its own seed; the ratios (hiresim / Ciw, hiresim / bare
    SimPy customers per second) are taken within a round and the table shows their median
    over rounds, by wall time and by CPU time. Goals: hiresim >= 2x Ciw and >= 0.5x bare
    SimPy customers per second.

(b) Shipped scenarios: replications per second, candidates per second and SimPy events
    per candidate of scenarios/split.yaml and scenarios/combined.yaml, measured by
    ``bench_core.bench_scenario`` (event counting pass, then timed replications each
    paired with a 20,000-customer M/M/c slice). Only the replications-per-second column
    is new here; see benchmarks/README.md for the rest.

The script measures whatever ``hiresim`` is importable and changes nothing in the
repository. It is not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import bench_core
import numpy as np
from bench_core import (
    CountingEnvironment,
    counting_simpy,
    erlang_c_wait,
    events_counted,
    machine_info,
    mmc_run,
)

from hiresim.replication import run_replication
from hiresim.scenario import Scenario
from hiresim.scenario_files import load_scenario

ROOT = Path(__file__).resolve().parent.parent
MMC_SCENARIO = ROOT / "benchmarks" / "scenarios" / "mmc-c5-rho09.yaml"
SHIPPED = ("scenarios/split.yaml", "scenarios/combined.yaml")
DRAIN_DAYS = 40.0
GOAL_VS_CIW = 2.0
GOAL_VS_SIMPY = 0.5
CIW_MISSING = ("bench_peers.py needs Ciw (a benchmark-only dependency): "
               ".venv/bin/python -m pip install ciw")


def t_interval(values: list[float]) -> tuple[float, float]:
    """95% Student-t interval of the mean of independent values (nan, nan if fewer than 2)."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return math.nan, math.nan
    half = float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return float(x.mean()) - half, float(x.mean()) + half


def hiresim_state() -> dict[str, Any]:
    """Which hiresim was measured: package path, a hash of its .py files, git HEAD and
    whether src/ had uncommitted changes (the source may change while a benchmark runs:
    compare the hash at the start and at the end)."""
    import hiresim

    pkg = Path(hiresim.__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(pkg.rglob("*.py")):
        h.update(str(f.relative_to(pkg)).encode())
        h.update(f.read_bytes())
    from hiresim.compiled import core_mode

    out: dict[str, Any] = {"package": str(pkg), "sha256": h.hexdigest()[:12],
                           "core": core_mode()}
    try:
        git = ["git", "-C", str(ROOT)]
        out["git_head"] = subprocess.run([*git, "rev-parse", "--short", "HEAD"],
                                         capture_output=True, text=True,
                                         check=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, check=True).stdout
        out["src_uncommitted_changes"] = bool(dirty.strip())
    except (OSError, subprocess.CalledProcessError):
        out["git_head"] = None
    return out


def print_state(before: dict[str, Any], after: dict[str, Any]) -> None:
    dirty = " + uncommitted changes in src/" if before.get("src_uncommitted_changes") else ""
    print(f"hiresim measured: {before['package']}  git {before.get('git_head')}{dirty}  "
          f"source hash {before['sha256']}  core: {before.get('core')}"
          + ("" if after["sha256"] == before["sha256"] else
             f"\nWARNING: the hiresim source changed during the run (hash {after['sha256']} "
             "at the end); processes started later may have measured the new code"))


def finish_run(m: dict[str, Any], state: dict[str, Any], load_before: Any, load_after: Any,
               t0: float, json_path: str | None, prefer: str, figures: dict[str, Any]
               ) -> None:
    """The common end of a benchmark: load, what was measured, a load warning, the JSON."""
    state_after = hiresim_state()
    print()
    print(f"load avg before/after: {load_before} / {load_after}  "
          f"(benchmark took {time.perf_counter() - t0:.0f} s)")
    print_state(state, state_after)
    if load_before and max(load_before[0], load_after[0]) > 0.8 * m["nproc"]:
        print(f"WARNING: load average above {0.8 * m['nproc']:.1f} on {m['nproc']} cores: "
              f"wall times are inflated by other work; prefer the {prefer}")
    if json_path:
        out = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "machine": m,
               "hiresim_state": state, "hiresim_state_after": state_after,
               "load_before": load_before, "load_after": load_after, **figures}
        Path(json_path).write_text(json.dumps(out, indent=2, default=float) + "\n")
        print(f"wrote {json_path}")


# -- the M/M/c queue as a hiresim scenario -------------------------------------------------
def mmc_parameters(scenario: Scenario) -> dict[str, float]:
    """c, lambda (per day), mean service (days) and rho, read back from the scenario."""
    team = scenario.team
    profile = scenario.profiles[0]
    recruiters = team.recruiters
    screen = scenario.effort.screen_hours
    if (len(scenario.profiles) != 1 or team.work_queue != "shared"
            or recruiters.count == "unlimited" or profile.inbound.reviewed
            or profile.screen_pass_rate != 0.0 or profile.interview_rounds
            or scenario.candidates.patience_days is not None
            or type(screen).__name__ != "Exponential"):
        raise SystemExit(f"{MMC_SCENARIO} is no longer the M/M/c reduction it should be")
    c = int(recruiters.count)
    lam = profile.inbound.applications_per_week / 7.0
    mean_service = screen.mean / (recruiters.hours_per_week / 7.0)  # hours / (hours per day)
    return {"c": c, "lam": lam, "mean_service": mean_service,
            "rho": lam * mean_service / c}


def mmc_scenario(customers: int, seed: int) -> tuple[Scenario, dict[str, float]]:
    base = load_scenario(MMC_SCENARIO)
    q = mmc_parameters(base)
    until = customers / q["lam"]
    scenario = load_scenario(MMC_SCENARIO, [
        f"simulation.new_candidates_until_day={until!r}",
        f"simulation.horizon_days={until + DRAIN_DAYS!r}",
        f"simulation.seed={seed}",
    ])
    return scenario, q


def run_hiresim(scenario: Scenario, record_detail: bool) -> dict[str, Any]:
    c0, t0 = time.process_time(), time.perf_counter()
    result = run_replication(scenario, 0, record_detail=record_detail)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out: dict[str, Any] = {"customers": int(result.kpis["applicants"]), "wall_s": wall,
                           "cpu_s": cpu, "mean_wait": math.nan, "unserved": 0}
    if record_detail:
        x = np.array([(v[2], v[3]) for v in result.visits if v[1] == "screen"], dtype=float)
        served = ~np.isnan(x[:, 1])
        out["unserved"] = int((~served).sum())
        out["mean_wait"] = float((x[served, 1] - x[served, 0]).mean())
        out["visits"] = int(x.shape[0])
    return out


def run_ciw(customers: int, q: dict[str, float], seed: int) -> dict[str, Any]:
    import ciw

    c0, t0 = time.process_time(), time.perf_counter()
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=q["lam"])],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / q["mean_service"])],
        number_of_servers=[q["c"]],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(customers, method="Complete")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    records = sim.get_all_records()
    waits = [r.waiting_time for r in records if r.record_type == "service"]
    return {"customers": len(waits), "wall_s": wall, "cpu_s": cpu,
            "mean_wait": float(np.mean(waits)), "unserved": 0}


def run_simpy(customers: int, q: dict[str, float], seed: int) -> dict[str, Any]:
    _, wait, wall, cpu = mmc_run(customers, q["c"], q["rho"], q["mean_service"], seed)
    return {"customers": customers, "wall_s": wall, "cpu_s": cpu, "mean_wait": wait,
            "unserved": 0}


WORKLOADS = ("simpy", "hiresim", "hiresim_norec", "ciw")
LABELS = {
    "simpy": "bare SimPy (simpy.Resource)",
    "hiresim": "hiresim (records on)",
    "hiresim_norec": "hiresim (records off)",
    "ciw": "Ciw",
}


def bench_peers(customers: int, rounds: int, seed: int, warm_customers: int) -> dict[str, Any]:
    _, q = mmc_scenario(customers, seed)
    c, lam, mu = q["c"], q["lam"], 1.0 / q["mean_service"]
    p_wait, wq = erlang_c_wait(c, lam, mu)

    # Untimed warm-up of every workload; it also counts SimPy events per customer.
    warm, _ = mmc_scenario(warm_customers, seed + 10_000)
    with counting_simpy() as envs:
        r = run_replication(warm, 0)
    hiresim_events = envs[0].events_processed / r.kpis["applicants"]
    env, _, _, _ = mmc_run(warm_customers, c, q["rho"], q["mean_service"], seed,
                           CountingEnvironment)
    simpy_events = events_counted(env) / warm_customers
    run_ciw(min(warm_customers, 2_000), q, seed)

    runs: dict[str, list[dict[str, Any]]] = {w: [] for w in WORKLOADS}
    for rnd in range(rounds):
        s = seed + rnd
        scenario, _ = mmc_scenario(customers, s)
        order = WORKLOADS[rnd % len(WORKLOADS):] + WORKLOADS[:rnd % len(WORKLOADS)]
        for w in order:
            if w == "simpy":
                out = run_simpy(customers, q, s)
            elif w == "hiresim":
                out = run_hiresim(scenario, record_detail=True)
            elif w == "hiresim_norec":
                out = run_hiresim(scenario, record_detail=False)
            else:
                out = run_ciw(customers, q, s)
            out.update(round=rnd, seed=s, position=order.index(w),
                       customers_per_s=out["customers"] / out["wall_s"],
                       customers_per_cpu_s=out["customers"] / out["cpu_s"])
            runs[w].append(out)
            print(f"  round {rnd + 1}/{rounds}: {LABELS[w]:<28} {out['customers']:>8,} "
                  f"customers in {out['wall_s']:6.2f} s wall, {out['cpu_s']:6.2f} s CPU",
                  flush=True)

    summary: dict[str, Any] = {}
    for w, rs in runs.items():
        waits = [r["mean_wait"] for r in rs if not math.isnan(r["mean_wait"])]
        weights = [r["customers"] for r in rs if not math.isnan(r["mean_wait"])]
        pooled = (float(np.average(waits, weights=weights)) if waits else math.nan)
        ci_low, ci_high = t_interval(waits)
        summary[w] = {
            "label": LABELS[w],
            "customers": statistics.median(r["customers"] for r in rs),
            "median_wall_s": statistics.median(r["wall_s"] for r in rs),
            "median_customers_per_s": statistics.median(r["customers_per_s"] for r in rs),
            "median_customers_per_cpu_s": statistics.median(r["customers_per_cpu_s"]
                                                            for r in rs),
            "mean_wait": pooled,
            "wait_ci_low": ci_low,
            "wait_ci_high": ci_high,
            "wait_rel_error": pooled / wq - 1.0 if waits else math.nan,
            "unserved": sum(r["unserved"] for r in rs),
            "events_per_customer": {"simpy": simpy_events, "hiresim": hiresim_events,
                                    "hiresim_norec": hiresim_events}.get(w, math.nan),
        }

    def ratios(num: str, den: str, key: str) -> list[float]:
        return [a[key] / b[key] for a, b in zip(runs[num], runs[den], strict=True)]

    paired: dict[str, Any] = {}
    for num in ("hiresim", "hiresim_norec", "ciw"):
        for den in ("ciw", "simpy"):
            if num == den:
                continue
            for key, tag in (("customers_per_s", "wall"), ("customers_per_cpu_s", "cpu")):
                rs = ratios(num, den, key)
                paired[f"{num}_vs_{den}_{tag}"] = {"per_round": rs,
                                                   "median": statistics.median(rs)}
    return {
        "scenario": str(MMC_SCENARIO.relative_to(ROOT)),
        "customers": customers,
        "rounds": rounds,
        "seed": seed,
        "queue": q,
        "erlang_c_wait": wq,
        "erlang_c_p_wait": p_wait,
        "drain_days": DRAIN_DAYS,
        "runs": runs,
        "summary": summary,
        "paired": paired,
    }


# -- (b) shipped scenarios -----------------------------------------------------------------
def bench_shipped(paths: list[Path], replications: int, pair_customers: int,
                  seed: int) -> list[dict[str, Any]]:
    env, _, _, _ = mmc_run(pair_customers, 5, 0.9, 1.0, seed, CountingEnvironment)
    pair = {"customers": pair_customers, "servers": 5, "rho": 0.9, "mean_service": 1.0,
            "seed": seed, "events": events_counted(env)}
    out = []
    for path in paths:
        s = bench_core.bench_scenario(path, replications, 1, pair)
        s["replications_per_s"] = 1.0 / s["median_wall_s"]
        s["replications_per_cpu_s"] = 1.0 / s["median_cpu_s"]
        s["pair_customers"] = pair_customers
        out.append(s)
    return out


# -- reporting -----------------------------------------------------------------------------
def _goal(value: float, goal: float) -> str:
    return "MET" if value >= goal else "NOT MET"


def print_peers(p: dict[str, Any]) -> None:
    q = p["queue"]
    print()
    print(f"(a) M/M/{q['c']} queue, lambda {q['lam']:g}/day, mean service "
          f"{q['mean_service']:g} day, rho {q['rho']:.3f}; about {p['customers']:,} customers "
          f"from an empty queue; {p['rounds']} round(s), interleaved")
    print(f"    hiresim scenario: {p['scenario']} (arrivals stop at day "
          f"{p['customers'] / q['lam']:,.1f}, then {p['drain_days']:g} days to drain)")
    head = (f"{'simulator':<29}{'customers':>10}{'wall s':>8}{'cust/s':>9}{'cust/CPU-s':>11}"
            f"{'ev/cust':>8}{'mean Wq':>9}{'95% CI over rounds':>21}{'vs Erlang C':>12}")
    print(head)
    print("-" * len(head))
    for w in WORKLOADS:
        s = p["summary"][w]
        ev = s["events_per_customer"]
        ci = (f"[{s['wait_ci_low']:.3f}, {s['wait_ci_high']:.3f}]"
              if not math.isnan(s["wait_ci_low"]) else "-")
        wait = f"{s['mean_wait']:.4f}" if not math.isnan(s["mean_wait"]) else "n/a"
        rel = (f"{100 * s['wait_rel_error']:+.1f}%" if not math.isnan(s["wait_rel_error"])
               else "-")
        print(f"{s['label']:<29}{int(s['customers']):>10,}{s['median_wall_s']:>8.2f}"
              f"{s['median_customers_per_s']:>9,.0f}{s['median_customers_per_cpu_s']:>11,.0f}"
              f"{(f'{ev:.2f}' if not math.isnan(ev) else '-'):>8}{wait:>9}{ci:>21}{rel:>12}")
    print(f"{'Erlang C (exact)':<29}{'':>10}{'':>8}{'':>9}{'':>11}{'':>8}"
          f"{p['erlang_c_wait']:>9.4f}{'':>21}{'':>12}   P(wait) = {p['erlang_c_p_wait']:.4f}")
    unserved = sum(p["summary"][w]["unserved"] for w in WORKLOADS)
    if unserved:
        print(f"WARNING: {unserved} hiresim customers never started service: drain longer")
    print("(rates: medians over rounds; Wq in days = in units of the mean service time; "
          "hiresim's wait = screen start - screen enter per candidate visit)")
    print()
    print("paired ratios of customers per second (median over rounds of the within-round "
          "ratio):")
    pr = p["paired"]
    for num, den in (("hiresim", "ciw"), ("hiresim", "simpy"), ("hiresim_norec", "ciw"),
                     ("hiresim_norec", "simpy"), ("ciw", "simpy")):
        wall, cpu = pr[f"{num}_vs_{den}_wall"], pr[f"{num}_vs_{den}_cpu"]
        rounds = ", ".join(f"{x:.3f}" for x in cpu["per_round"])
        print(f"  {LABELS[num]:<24} / {LABELS[den]:<28} wall {wall['median']:6.3f}x   "
              f"CPU {cpu['median']:6.3f}x   (CPU per round: {rounds})")
    print()
    for num in ("hiresim", "hiresim_norec"):
        vc, vs = pr[f"{num}_vs_ciw_cpu"]["median"], pr[f"{num}_vs_simpy_cpu"]["median"]
        vcw, vsw = pr[f"{num}_vs_ciw_wall"]["median"], pr[f"{num}_vs_simpy_wall"]["median"]
        print(f"goal {LABELS[num]} >= {GOAL_VS_CIW:g}x Ciw: {_goal(min(vc, vcw), GOAL_VS_CIW)} "
              f"({vc:.2f}x by CPU, {vcw:.2f}x by wall; needs "
              f"{max(1.0, GOAL_VS_CIW / min(vc, vcw)):.2f}x)")
        print(f"goal {LABELS[num]} >= {GOAL_VS_SIMPY:g}x bare SimPy: "
              f"{_goal(min(vs, vsw), GOAL_VS_SIMPY)} ({vs:.2f}x by CPU, {vsw:.2f}x by wall; "
              f"needs {max(1.0, GOAL_VS_SIMPY / min(vs, vsw)):.2f}x)")


def print_shipped(rows: list[dict[str, Any]]) -> None:
    print()
    print("(b) shipped scenarios (bench_core.bench_scenario: medians over replications "
          "0..n-1)")
    head = (f"{'scenario':<10}{'reps':>5}{'s/rep':>8}{'reps/s':>8}{'reps/CPU-s':>11}"
            f"{'cand/rep':>9}{'cand/s':>9}{'cand/CPU-s':>11}{'events':>9}{'ev/cand':>8}"
            f"{'x M/M/c':>9}")
    print(head)
    print("-" * len(head))
    for s in rows:
        print(f"{s['name']:<10}{len(s['runs']):>5}{s['median_wall_s']:>8.3f}"
              f"{s['replications_per_s']:>8.2f}{s['replications_per_cpu_s']:>11.2f}"
              f"{int(s['median_candidates']):>9,}{s['median_candidates_per_s']:>9,.0f}"
              f"{s['median_candidates_per_cpu_s']:>11,.0f}{int(s['median_events']):>9,}"
              f"{s['events_per_candidate']:>8.2f}{s['median_ratio_candidates_per_cpu_s']:>9.3f}")
    if rows:
        print(f"(x M/M/c: candidates per CPU-second / bare SimPy M/M/c customers per CPU-second "
              f"of a {rows[0]['pair_customers']:,}-customer slice timed just before each "
              "replication)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--only", choices=("peers", "shipped"),
                   help="run one part only (default: both)")
    p.add_argument("--customers", type=int, default=200_000,
                   help="M/M/c customers per simulator and round")
    p.add_argument("--rounds", type=int, default=3,
                   help="interleaved rounds of the peer comparison (one seed each)")
    p.add_argument("--replications", "-n", type=int, default=5,
                   help="replications timed per shipped scenario")
    p.add_argument("--pair-customers", type=int, default=20_000,
                   help="customers of the M/M/c slice paired with each shipped replication, "
                        "and of the untimed warm-up of the peers")
    p.add_argument("--seed", type=int, default=12345, help="seed of round 1 (round r: +r)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 20,000 customers, 1 round, 1 replication (< 30 s)")
    p.add_argument("--json", metavar="PATH", help="also write every figure to this JSON file")
    args = p.parse_args(argv)
    if args.quick:
        args.customers, args.rounds, args.replications = 20_000, 1, 1
        args.pair_customers = min(args.pair_customers, 5_000)
    if min(args.customers, args.rounds, args.replications, args.pair_customers) < 1:
        p.error("--customers, --rounds, --replications and --pair-customers must be >= 1")
    if args.only != "shipped":
        try:
            import ciw
        except ImportError:
            print(CIW_MISSING, file=sys.stderr)
            return 2
        ciw_version = ciw.__version__
    else:
        ciw_version = None

    load_before = bench_core._load()
    m = machine_info()
    m["ciw"] = ciw_version
    state = hiresim_state()
    print(f"hiresim peers benchmark  python {m['python']}  simpy {m['simpy']}  "
          f"ciw {ciw_version or '-'}  numpy {m['numpy']}")
    print(f"cpu: {m['cpu']}  nproc={m['nproc']}  load avg before: {load_before}")
    print_state(state, state)
    t0 = time.perf_counter()
    peers = shipped = None
    if args.only != "shipped":
        peers = bench_peers(args.customers, args.rounds, args.seed, args.pair_customers)
    if args.only != "peers":
        shipped = bench_shipped([ROOT / s for s in SHIPPED], args.replications,
                                args.pair_customers, args.seed)
    load_after = bench_core._load()
    if peers:
        print_peers(peers)
    if shipped:
        print_shipped(shipped)
    finish_run(m, state, load_before, load_after, t0, args.json, "CPU-time ratios",
               {"peers": peers, "shipped": shipped})
    return 0


if __name__ == "__main__":
    sys.exit(main())
