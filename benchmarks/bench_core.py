"""Core throughput benchmark: hiresim replications against a bare SimPy M/M/c baseline.

Run from the repository root (``make bench`` does the first, after ``make fast``)::

    .venv-fast/bin/python benchmarks/bench_core.py             # 5 replications per scenario
    .venv-fast/bin/python benchmarks/bench_core.py --quick     # 1 replication, 50k customers
    .venv-fast/bin/python benchmarks/bench_core.py --json bench.json

What it measures, all in ONE process and one run so that the ratios are fair:

(a) hiresim: ``run_replication(load_scenario(path), k)`` for k = 0..N-1 of each scenario
    (default scenarios/split.yaml and scenarios/combined.yaml). Wall time per replication,
    candidates simulated (KPI counters ``contacted`` + ``applicants``), candidates per
    second, SimPy events per second and events per candidate. Medians over replications.
(b) a bare SimPy M/M/c queue (``simpy.Resource``, c=5, rho=0.9, exponential service, one
    process per customer): customers per second, events per second, and its mean wait in
    queue against the Erlang C formula as a sanity check.
(c) the ratios hiresim / baseline of candidates (customers) per second and of events per
    second, and the stated target of 25,000 candidates per second per core. The ratios are
    paired: a short M/M/c slice (``--pair-customers``) is timed right before each
    replication and the replication's rates are divided by that slice's, which keeps the
    ratios steady on a machine whose load changes from second to second.

Events are counted in a separate, untimed pass that runs the same replication with
``simpy.Environment`` temporarily replaced by a counting subclass (the simulation is
deterministic for a seed, so the count is the same as in the timed pass). The count is
cross-checked against SimPy's own event-id counter. Timed passes use unpatched SimPy, so
counting costs the timings nothing; the counting pass doubles as the warm-up.

The benchmark measures whatever ``hiresim`` is importable, and the table says which
(package path, and ``core: compiled (mypyc)`` or ``core: pure Python``): ``make bench``
runs it in ``.venv-fast`` (``make fast``: the core compiled), ``.venv/bin/python
benchmarks/bench_core.py`` on the Python sources (the editable install); a scratch copy
first on PYTHONPATH measures an experiment, from its sources.
This script is not part of the test suite and changes nothing in the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import simpy
from simpy.core import EmptySchedule

import hiresim
from hiresim.compiled import core_mode
from hiresim.replication import run_replication
from hiresim.scenario_files import load_scenario

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIOS = ("scenarios/split.yaml", "scenarios/combined.yaml")
TARGET_CANDIDATES_PER_SECOND = 25_000.0  # per core: a five-stage candidate in ~40 us
_BaseEnvironment = simpy.Environment


# -- event counting -----------------------------------------------------------------------
class CountingEnvironment(_BaseEnvironment):
    """A SimPy environment that counts the events it processes (benchmark only)."""

    created: list[CountingEnvironment] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events_processed = 0
        CountingEnvironment.created.append(self)

    def step(self) -> None:
        self.events_processed += 1
        try:
            _BaseEnvironment.step(self)
        except EmptySchedule:
            self.events_processed -= 1  # nothing was processed
            raise


def events_counted(env: simpy.Environment) -> int:
    """Events processed by a ``CountingEnvironment``."""
    if not isinstance(env, CountingEnvironment):
        raise TypeError("events are only counted by a CountingEnvironment")
    return env.events_processed


def scheduled_minus_pending(env: simpy.Environment) -> int:
    """Events processed according to SimPy's event-id counter (a zero-cost cross-check)."""
    return next(env._eid) - len(env._queue)


@contextlib.contextmanager
def counting_simpy() -> Iterator[list[CountingEnvironment]]:
    """Make every ``simpy.Environment()`` a ``CountingEnvironment`` for the duration.

    hiresim builds its environment as ``simpy.Environment()`` in
    ``hiresim.model.hiring_model``; that name is looked up on the shared ``simpy``
    module, so replacing the module attribute is enough and is undone on exit.
    """
    import hiresim.model.hiring_model as hm

    made: list[CountingEnvironment] = []
    CountingEnvironment.created = made
    saved = hm.simpy.Environment
    hm.simpy.Environment = CountingEnvironment  # type: ignore[misc]
    try:
        yield made
    finally:
        hm.simpy.Environment = saved  # type: ignore[misc]


# -- (a) hiresim --------------------------------------------------------------------------
def _candidates(kpis: dict[str, float]) -> int:
    return int(kpis["contacted"] + kpis["applicants"])


def _kpi_fingerprint(kpis: dict[str, float]) -> tuple[tuple[str, float], ...]:
    return tuple(sorted((k, float(v)) for k, v in kpis.items()))


def _same(a: tuple[tuple[str, float], ...], b: tuple[tuple[str, float], ...]) -> bool:
    if len(a) != len(b):
        return False
    for (ka, va), (kb, vb) in zip(a, b, strict=True):
        if ka != kb or not (va == vb or (math.isnan(va) and math.isnan(vb))):
            return False
    return True


def bench_scenario(path: Path, replications: int, repeat: int, pair: dict[str, Any]) -> dict:
    """Count events (untimed pass), then time each replication ``repeat`` times.

    Right before each timed replication a short M/M/c slice (``pair``) is timed too, and
    the replication's rates are divided by that slice's rates: on a machine whose load
    changes from second to second, a ratio of two measurements taken a moment apart is far
    steadier than a ratio to a baseline measured a minute earlier.
    """
    t0 = time.perf_counter()
    scenario = load_scenario(path)
    load_s = time.perf_counter() - t0

    counted: dict[int, dict[str, Any]] = {}
    for k in range(replications):
        with counting_simpy() as envs:
            result = run_replication(scenario, k)
        if len(envs) != 1:
            raise RuntimeError(f"expected one SimPy environment per replication, got {len(envs)}")
        env = envs[0]
        events = env.events_processed
        check = scheduled_minus_pending(env)
        if check != events:
            raise RuntimeError(f"event count mismatch: step() saw {events}, eid says {check}")
        counted[k] = {
            "events": events,
            "candidates": _candidates(result.kpis),
            "hires": result.kpis["hires"],
            "fingerprint": _kpi_fingerprint(result.kpis),
        }

    runs = []
    for _ in range(repeat):
        for k in range(replications):
            _, _, slice_wall, slice_cpu = mmc_run(pair["customers"], pair["servers"],
                                                  pair["rho"], pair["mean_service"], pair["seed"])
            c0, t = time.process_time(), time.perf_counter()
            result = run_replication(scenario, k)
            wall = time.perf_counter() - t
            cpu = time.process_time() - c0
            info = counted[k]
            if not _same(_kpi_fingerprint(result.kpis), info["fingerprint"]):
                raise RuntimeError(f"{path.name} replication {k}: KPIs differ between passes")
            cand, ev = info["candidates"], info["events"]
            base_u_wall = pair["customers"] / slice_wall
            base_u_cpu = pair["customers"] / slice_cpu
            base_e_wall = pair["events"] / slice_wall
            base_e_cpu = pair["events"] / slice_cpu
            runs.append({
                "replication": k,
                "wall_s": wall,
                "cpu_s": cpu,
                "candidates": cand,
                "events": ev,
                "hires": info["hires"],
                "candidates_per_s": cand / wall,
                "events_per_s": ev / wall,
                "us_per_candidate": 1e6 * wall / cand,
                "candidates_per_cpu_s": cand / cpu,
                "events_per_cpu_s": ev / cpu,
                "pair_baseline_wall_s": slice_wall,
                "pair_baseline_cpu_s": slice_cpu,
                "ratio_candidates_per_s": cand / wall / base_u_wall,
                "ratio_events_per_s": ev / wall / base_e_wall,
                "ratio_candidates_per_cpu_s": cand / cpu / base_u_cpu,
                "ratio_events_per_cpu_s": ev / cpu / base_e_cpu,
            })
    total_wall = sum(r["wall_s"] for r in runs)

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    out = {
        "scenario": str(path),
        "name": scenario.name,
        "load_s": load_s,
        "replications": replications,
        "repeat": repeat,
        "runs": runs,
        "events_per_candidate": sum(r["events"] for r in runs)
        / sum(r["candidates"] for r in runs),
        "pooled_candidates_per_s": sum(r["candidates"] for r in runs) / total_wall,
        "pooled_events_per_s": sum(r["events"] for r in runs) / total_wall,
    }
    for key in ("wall_s", "cpu_s", "candidates", "events", "candidates_per_s", "events_per_s",
                "candidates_per_cpu_s", "events_per_cpu_s", "ratio_candidates_per_s",
                "ratio_events_per_s", "ratio_candidates_per_cpu_s", "ratio_events_per_cpu_s"):
        out[f"median_{key}"] = med(key)
    return out


# -- (b) bare SimPy M/M/c -------------------------------------------------------------------
def erlang_c_wait(c: int, lam: float, mu: float) -> tuple[float, float]:
    """(probability of waiting, mean wait in queue) of an M/M/c queue."""
    a = lam / mu
    rho = a / c
    if rho >= 1.0:
        return 1.0, math.inf
    term, partial = 1.0, 1.0  # a^k / k!, summed for k < c
    for k in range(1, c):
        term *= a / k
        partial += term
    top = term * a / c / (1.0 - rho)  # a^c / c! / (1 - rho)
    p_wait = top / (partial + top)
    return p_wait, p_wait / (c * mu - lam)


def mmc_run(
    customers: int, c: int, rho: float, mean_service: float, seed: int,
    env_class: Callable[[], simpy.Environment] = _BaseEnvironment,
) -> tuple[simpy.Environment, float, float, float]:
    """Simulate ``customers`` customers: (env, mean wait in queue, wall s, CPU s)."""
    c0, t0 = time.process_time(), time.perf_counter()
    mu = 1.0 / mean_service
    lam = rho * c * mu
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1.0 / lam, customers).tolist()
    services = rng.exponential(mean_service, customers).tolist()
    env = env_class()
    server = simpy.Resource(env, capacity=c)
    total_wait = [0.0]

    def customer(service: float):
        arrived = env.now
        with server.request() as req:
            yield req
            total_wait[0] += env.now - arrived
            yield env.timeout(service)

    def source():
        for i in range(customers):
            yield env.timeout(gaps[i])
            env.process(customer(services[i]))

    env.process(source())
    env.run()
    wall = time.perf_counter() - t0
    return env, total_wait[0] / customers, wall, time.process_time() - c0


def bench_baseline(customers: int, repeat: int, seed: int,
                   c: int = 5, rho: float = 0.9, mean_service: float = 1.0) -> dict[str, Any]:
    env, _, _, _ = mmc_run(customers, c, rho, mean_service, seed, CountingEnvironment)
    events = events_counted(env)
    check = scheduled_minus_pending(env)
    if check != events:
        raise RuntimeError(f"baseline event count mismatch: {events} vs {check}")
    walls, cpus, wait = [], [], math.nan
    for _ in range(repeat):
        _, wait, wall, cpu = mmc_run(customers, c, rho, mean_service, seed)
        walls.append(wall)
        cpus.append(cpu)
    mu = 1.0 / mean_service
    p_wait, wq = erlang_c_wait(c, rho * c * mu, mu)
    wall = statistics.median(walls)
    return {
        "customers": customers,
        "servers": c,
        "rho": rho,
        "mean_service": mean_service,
        "seed": seed,
        "walls_s": walls,
        "cpus_s": cpus,
        "median_wall_s": wall,
        "median_cpu_s": statistics.median(cpus),
        "events": events,
        "events_per_customer": events / customers,
        "customers_per_s": customers / wall,
        "events_per_s": events / wall,
        "us_per_customer": 1e6 * wall / customers,
        "mean_wait": wait,
        "erlang_c_wait": wq,
        "erlang_c_p_wait": p_wait,
        "wait_rel_error": wait / wq - 1.0,
    }


# -- reporting ----------------------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count() or 1
    import pydantic

    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu": cpu,
        "nproc": usable,
        "simpy": simpy.__version__,
        "numpy": np.__version__,
        "pydantic": pydantic.VERSION,
        "hiresim": str(Path(hiresim.__file__).parent),
        "core": core_mode(),
        "gc_enabled": gc.isenabled(),
    }


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover
        return []


def print_report(out: dict[str, Any]) -> None:
    m, base = out["machine"], out["baseline"]
    print(f"hiresim core benchmark  python {m['python']}  simpy {m['simpy']}  "
          f"numpy {m['numpy']}  pydantic {m['pydantic']}")
    print(f"cpu: {m['cpu']}  nproc={m['nproc']}  load avg before/after: "
          f"{out['load_before']} / {out['load_after']}")
    print(f"hiresim package measured: {m['hiresim']}  core: {m['core']}")
    print()
    head = (f"{'workload':<24}{'wall s':>9}{'units':>9}{'events':>10}{'ev/unit':>9}"
            f"{'units/s':>10}{'events/s':>11}{'us/unit':>9}{'x base u/s':>11}{'x base ev/s':>12}")
    print(head)
    print("-" * len(head))
    print(f"{'M/M/c baseline (cust.)':<24}{base['median_wall_s']:>9.3f}{base['customers']:>9d}"
          f"{base['events']:>10d}{base['events_per_customer']:>9.2f}"
          f"{base['customers_per_s']:>10,.0f}{base['events_per_s']:>11,.0f}"
          f"{base['us_per_customer']:>9.1f}{1.0:>11.3f}{1.0:>12.3f}")
    for s in out["scenarios"]:
        label = f"{s['name']} (cand., med/{len(s['runs'])})"
        print(f"{label:<24}{s['median_wall_s']:>9.3f}{int(s['median_candidates']):>9d}"
              f"{int(s['median_events']):>10d}{s['events_per_candidate']:>9.2f}"
              f"{s['median_candidates_per_s']:>10,.0f}{s['median_events_per_s']:>11,.0f}"
              f"{1e6 / s['median_candidates_per_s']:>9.1f}"
              f"{s['median_ratio_candidates_per_s']:>11.3f}"
              f"{s['median_ratio_events_per_s']:>12.3f}")
    print(f"(ratios: median over replications of the replication's rate divided by the rate "
          f"of a {base['pair_customers']:,}-customer\n M/M/c slice timed just before it)")
    print()
    print("by CPU time (time.process_time; less sensitive to other load on the machine):")
    print(f"  {'M/M/c baseline':<22} cpu {base['median_cpu_s']:.3f} s  "
          f"{base['customers_per_cpu_s']:,.0f} cust/cpu-s  "
          f"{base['events_per_cpu_s']:,.0f} ev/cpu-s")
    for s in out["scenarios"]:
        print(f"  {s['name']:<22} cpu {s['median_cpu_s']:.3f} s  "
              f"{s['median_candidates_per_cpu_s']:,.0f} cand/cpu-s  "
              f"{s['median_events_per_cpu_s']:,.0f} ev/cpu-s  "
              f"x base: {s['median_ratio_candidates_per_cpu_s']:.3f} (units/s), "
              f"{s['median_ratio_events_per_cpu_s']:.3f} (events/s)")
    if out["load_before"] and out["load_before"][0] > 0.8 * m["nproc"]:
        print(f"  WARNING: load average {out['load_before'][0]} on {m['nproc']} cores: "
              "wall times are inflated by other work; prefer the CPU-time figures and ratios")
    print()
    print(f"baseline sanity: mean wait {base['mean_wait']:.4f} vs Erlang C "
          f"{base['erlang_c_wait']:.4f} ({100 * base['wait_rel_error']:+.1f}%; "
          f"P(wait)={base['erlang_c_p_wait']:.3f}, c={base['servers']}, rho={base['rho']})")
    target = out["target_candidates_per_s"]
    for s in out["scenarios"]:
        wall, cpu = s["median_candidates_per_s"], s["median_candidates_per_cpu_s"]
        verdict = "MEETS" if wall >= target else "misses"
        print(f"target {target:,.0f} cand/s/core: {s['name']} {verdict} it: {wall:,.0f} cand/s "
              f"wall ({100 * wall / target:.0f}%), {cpu:,.0f} cand/CPU-s "
              f"({100 * cpu / target:.0f}%; needs {max(1.0, target / cpu):.2f}x by CPU time)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--replications", "-n", type=int, default=5,
                   help="replications timed per scenario (k = 0..n-1); medians are reported")
    p.add_argument("--repeat", type=int, default=1,
                   help="time each replication this many times")
    p.add_argument("--customers", type=int, default=200_000,
                   help="customers in the bare SimPy M/M/c baseline")
    p.add_argument("--baseline-repeats", type=int, default=3,
                   help="timed baseline runs (1 before the scenarios, the rest after)")
    p.add_argument("--pair-customers", type=int, default=20_000,
                   help="customers in the M/M/c slice timed right before each replication "
                        "(the ratios are taken to these slices)")
    p.add_argument("--seed", type=int, default=12345, help="seed of the M/M/c baseline")
    p.add_argument("--scenario", action="append", dest="scenarios", metavar="YAML",
                   help="scenario file (repeatable); default: split and combined")
    p.add_argument("--quick", action="store_true",
                   help="1 replication, 50,000 customers, 1 baseline run (a smoke run)")
    p.add_argument("--json", metavar="PATH", help="also write every figure to this JSON file")
    args = p.parse_args(argv)
    if args.quick:
        args.replications, args.customers, args.baseline_repeats = 1, 50_000, 1
        args.pair_customers = min(args.pair_customers, 10_000)
    if min(args.replications, args.repeat, args.customers, args.baseline_repeats,
           args.pair_customers) < 1:
        p.error("--replications, --repeat, --customers, --baseline-repeats and "
                "--pair-customers must be >= 1")
    paths = [Path(s) if Path(s).is_absolute() or Path(s).exists() else ROOT / s
             for s in (args.scenarios or DEFAULT_SCENARIOS)]

    load_before = _load()
    pair_customers = min(args.customers, args.pair_customers)
    env, _, _, _ = mmc_run(pair_customers, 5, 0.9, 1.0, args.seed, CountingEnvironment)
    pair = {"customers": pair_customers, "servers": 5, "rho": 0.9, "mean_service": 1.0,
            "seed": args.seed, "events": events_counted(env)}
    first = bench_baseline(args.customers, 1, args.seed)
    scenarios = [bench_scenario(path, args.replications, args.repeat, pair) for path in paths]
    walls, cpus = list(first["walls_s"]), list(first["cpus_s"])
    if args.baseline_repeats > 1:
        more = bench_baseline(args.customers, args.baseline_repeats - 1, args.seed)
        walls += more["walls_s"]
        cpus += more["cpus_s"]
    base = dict(first)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    base.update(walls_s=walls, cpus_s=cpus, median_wall_s=wall, median_cpu_s=cpu,
                customers_per_s=args.customers / wall, events_per_s=base["events"] / wall,
                us_per_customer=1e6 * wall / args.customers,
                customers_per_cpu_s=args.customers / cpu, events_per_cpu_s=base["events"] / cpu,
                pair_customers=pair_customers, pair_events=pair["events"])
    for s in scenarios:
        # Unpaired ratios (to the 200k-customer baseline medians), for reference.
        s["unpaired_ratio_candidates_per_s"] = (s["median_candidates_per_s"]
                                                / base["customers_per_s"])
        s["unpaired_ratio_candidates_per_cpu_s"] = (s["median_candidates_per_cpu_s"]
                                                    / base["customers_per_cpu_s"])
        s["share_of_target"] = s["median_candidates_per_s"] / TARGET_CANDIDATES_PER_SECOND
    out = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine_info(),
        "load_before": load_before,
        "load_after": _load(),
        "target_candidates_per_s": TARGET_CANDIDATES_PER_SECOND,
        "baseline": base,
        "scenarios": scenarios,
    }
    print_report(out)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
