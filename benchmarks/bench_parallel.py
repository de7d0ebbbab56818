"""Monte Carlo at scale: parallel speed-up, Dask overhead, and memory against replications.

Run from the repository root::

    .venv/bin/python benchmarks/bench_parallel.py            # the full run (~13-20 min, 2 cores)
    .venv/bin/python benchmarks/bench_parallel.py --quick    # smaller counts (~3 min)
    .venv/bin/python benchmarks/bench_parallel.py --json bench-parallel.json

What it measures, in ONE run:

(a) Throughput: ``run_batch`` of N replications (default 200) of scenarios/split.yaml
    without a result folder, the way ``hiresim run`` does it, on
      - ``Executor(workers=1)`` (serial, in this process),
      - ``Executor(workers=2)`` (two local worker processes; pool start-up included),
      - a Dask ``LocalCluster`` with 2 single-threaded worker processes (cluster start-up
        timed separately and left out of the map time).
    Wall time, replications per second, speed-up over serial (target >= 1.8x on 2
    cores) and Dask's extra cost per replication over local processes. The three KPI
    tables are checked to be identical.

(b) Memory: a FRESH process runs ``run_batch`` of 100 and of 1,000 replications (no
    candidate records, no keep_runs) serially and on 2 local processes, each without and
    with a result folder (``--out``). Its resident memory is sampled every 10 ms while the
    batch runs: growth = peak minus the RSS just before the batch (after imports and one
    warm-up replication). On 2 processes the parent's Python heap peak (tracemalloc) is
    reported as well. The growth per extra replication is (growth(1000) - growth(100))
    / 900. To keep the run short it uses a "thin" split.yaml: the same team, the
    same 60 reqs and 365 days (so the same rows per replication in reqs, staff and
    snapshots) but ~20x fewer candidates (a replication costs ~70 ms instead of ~0.8 s).
    The memory a replication leaves behind depends on its output rows, not on its
    candidates, unless candidate records are on. So one more configuration runs the real
    split.yaml with ``--out`` and candidate records on 2 processes, 130 vs 260
    replications: from 128 replications on, 2 workers get chunks of MAX_CHUNK (16)
    replications, so both runs hold the same number of results in flight (with candidate
    records, a few MB each), and the difference is what grows with the replications.

    ``--src LABEL=DIR`` (repeatable) measures (b) with the hiresim source tree in DIR
    instead of the installed one, every tree in the same run, e.g. before and after a
    change: ``git archive <commit> src | tar -x -C /tmp/before`` then
    ``--src before=/tmp/before/src --src after=src``. ``--only memory-out`` measures
    the ``--out`` configurations only.

The machine (CPU, cores, memory, load average before and after, versions) is printed too:
on a shared machine, a load average above the core count means the timings are inflated.
This script is not part of the test suite and changes nothing in the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from hiresim.batch import run_batch
from hiresim.experiment import Executor, make_executor
from hiresim.outputs import table_frame
from hiresim.replication import run_replication
from hiresim.scenario import Scenario
from hiresim.scenario_files import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "split.yaml"
TARGET_SPEEDUP = 1.8


# -- machine -----------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for name in ("simpy", "numpy", "pandas", "pyarrow", "dask", "distributed"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cpu": cpu,
        "cores_usable": len(os.sched_getaffinity(0)),
        "memory_gb": mem_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "hiresim": metadata.version("hiresim"),
        "packages": versions,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


# -- (a) throughput ----------------------------------------------------------------------
def _cpu_s() -> float:
    """CPU seconds of this process and of its finished (reaped) child processes."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


_LOADS: list[float] = []


def _timed_batch(scenario: Scenario, n: int, executor: Executor) -> tuple[float, pd.DataFrame]:
    start = time.perf_counter()
    outcome = run_batch(scenario, n, scenario.simulation.seed, executor)
    _LOADS.append(round(os.getloadavg()[0], 2))  # 1-minute load average at the end
    return time.perf_counter() - start, outcome.kpis


def throughput(n: int, with_dask: bool) -> dict[str, Any]:
    scenario = load_scenario(SCENARIO)
    run_replication(scenario, n + 1)  # warm-up: imports, caches (not a measured number)
    out: dict[str, Any] = {"scenario": str(SCENARIO.relative_to(ROOT)), "replications": n}
    cpu0 = _cpu_s()
    with Executor(1) as ex:
        serial, kpis_serial = _timed_batch(scenario, n, ex)
    cpu_serial = _cpu_s() - cpu0
    out["serial"] = {"wall_s": serial, "per_replication_s": serial / n,
                     "replications_per_s": n / serial, "cpu_s": cpu_serial,
                     "cpu_s_per_replication": cpu_serial / n}
    print(f"  serial          {serial:8.1f} s  {n / serial:6.2f} rep/s  "
          f"CPU {cpu_serial / n:.3f} s/rep", flush=True)
    cpu0 = _cpu_s()
    with Executor(2) as ex:
        procs, kpis_procs = _timed_batch(scenario, n, ex)
    cpu_procs = _cpu_s() - cpu0  # workers are reaped when the pool shuts down
    out["processes_2"] = {
        "wall_s": procs, "per_replication_s": procs / n, "replications_per_s": n / procs,
        "speedup": serial / procs, "efficiency": serial / procs / 2, "cpu_s": cpu_procs,
        "cpu_overhead_ms_per_replication": 1000 * (cpu_procs - cpu_serial) / n,
        "speedup_bound_from_cpu": 2 * cpu_serial / cpu_procs,
    }
    print(f"  2 processes     {procs:8.1f} s  {n / procs:6.2f} rep/s  "
          f"speed-up {serial / procs:.2f}x (target {TARGET_SPEEDUP}x); CPU overhead "
          f"{1000 * (cpu_procs - cpu_serial) / n:+.1f} ms/rep", flush=True)
    pd.testing.assert_frame_equal(kpis_serial, kpis_procs)
    out["identical_serial_processes"] = True
    if with_dask:
        cpu0 = _cpu_s()
        start = time.perf_counter()
        ex = make_executor(workers=2, dask="local")
        startup = time.perf_counter() - start
        try:
            dask_wall, kpis_dask = _timed_batch(scenario, n, ex)
        finally:
            start = time.perf_counter()
            ex.close()
            shutdown = time.perf_counter() - start
        cpu_dask = _cpu_s() - cpu0  # includes cluster start and stop
        pd.testing.assert_frame_equal(kpis_serial, kpis_dask)
        out["dask_local_2"] = {
            "cluster_start_s": startup, "cluster_close_s": shutdown, "wall_s": dask_wall,
            "per_replication_s": dask_wall / n, "replications_per_s": n / dask_wall,
            "speedup": serial / dask_wall,
            "overhead_vs_processes_ms_per_replication": 1000 * (dask_wall - procs) / n,
            "cpu_s": cpu_dask,
            "cpu_overhead_ms_per_replication": 1000 * (cpu_dask - cpu_serial) / n,
        }
        out["identical_serial_dask"] = True
        print(f"  dask local (2)  {dask_wall:8.1f} s  {n / dask_wall:6.2f} rep/s  "
              f"speed-up {serial / dask_wall:.2f}x; {1000 * (dask_wall - procs) / n:+.1f} ms"
              f"/rep vs processes; cluster start {startup:.1f} s; CPU overhead "
              f"{1000 * (cpu_dask - cpu_serial) / n:+.1f} ms/rep", flush=True)
    out["loadavg_1min_after_each"] = list(_LOADS)
    return out


# -- (b) memory --------------------------------------------------------------------------
def thin_scenario_dict() -> dict:
    data = yaml.safe_load(SCENARIO.read_text())
    data["name"] = "split-thin"
    data["outreach"]["prospects_per_req_per_week"] = 0.2
    for profile in data["profiles"]:
        profile["inbound"]["applications_per_week"] = 0.1
    return data


def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def _rss_mb() -> float:
    """Resident memory of this process now (not the high-water mark)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class _RssSampler:
    """The highest current RSS seen while running (sampled every 10 ms in a thread)."""

    def __init__(self) -> None:
        import threading

        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self) -> _RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def memory_child(path: str, n: int, workers: int, out: str | None, detail: bool = False
                 ) -> None:
    """Run in a fresh process: one batch, then print its memory figures as JSON.

    RSS is sampled while the batch runs (peak minus the RSS just before it). With worker
    processes this process only collects results, so tracemalloc (exact Python heap) is
    cheap there and is reported too; serially it would slow the simulation down ~3x.
    Arrow's own memory pool (Parquet reading and writing) is not seen by tracemalloc: its
    high-water mark is reported, and heap + Arrow peaks make the "live" peak. RSS also
    counts memory the allocators keep after it was freed, so it is the noisier figure."""
    import gc
    import tracemalloc

    import pyarrow as pa

    import hiresim

    scenario = load_scenario(path)
    run_replication(scenario, n + 1)  # warm-up: the simulation's own transient memory
    seed = scenario.simulation.seed
    with Executor(workers) as ex:
        if workers > 1:
            # start the worker processes BEFORE tracemalloc: forked workers would inherit
            # tracing and simulate ~3x slower (only this process's memory is measured)
            ex._submit(scenario, [n + 2], seed, False).result()
            tracemalloc.start()
        gc.collect()
        before = _rss_mb()
        start = time.perf_counter()
        with _RssSampler() as sampler:
            outcome = run_batch(scenario, n, seed, ex, out=out, detail=detail)
        wall = time.perf_counter() - start
    heap_peak = tracemalloc.get_traced_memory()[1] / 2**20 if workers > 1 else None
    arrow_peak = pa.default_memory_pool().max_memory() / 2**20  # Parquet reading/writing
    print(json.dumps({
        "arrow_peak_mb": arrow_peak,
        "live_peak_mb": None if heap_peak is None else heap_peak + arrow_peak,
        "rss_before_mb": before, "rss_peak_mb": sampler.peak, "wall_s": wall,
        "python_heap_peak_mb": heap_peak, "maxrss_mb": _maxrss_mb(),
        "workers_maxrss_mb": _maxrss_mb(resource.RUSAGE_CHILDREN) if workers > 1 else None,
        "kpi_table_mb": outcome.kpis.memory_usage(deep=True).sum() / 2**20,
        "hiresim": str(Path(hiresim.__file__).parent),
    }))


MEMORY_CONFIGS = [  # label, workers, --out, candidate records (on the real split.yaml)
    ("serial", 1, False, False),
    ("serial + --out", 1, True, False),
    ("2 processes", 2, False, False),
    ("2 processes + --out", 2, True, False),
    ("2 processes + --out --records candidates", 2, True, True),
]


def memory(counts: tuple[int, int], detail_counts: tuple[int, int],
           sources: list[tuple[str, str | None]], out_only: bool) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-parallel-"))
    path = tmp / "split-thin.yaml"
    path.write_text(yaml.safe_dump(thin_scenario_dict(), sort_keys=False))
    # per-replication sizes of each table (one replication of the real split.yaml)
    full = run_replication(load_scenario(SCENARIO), 0, record_detail=True)
    sizes = {t: table_frame([full], t).memory_usage(deep=True).sum() / 1024
             for t in ("replications", "reqs", "staff", "snapshots", "funnel", "candidates",
                       "visits")}
    out: dict[str, Any] = {"scenario": "split.yaml thinned (same team, reqs, horizon)",
                           "table_kb_per_replication_split": sizes, "runs": [],
                           "sources": {label: src for label, src in sources}}
    configs = [c for c in MEMORY_CONFIGS if c[2] or not out_only]
    for label, workers, with_out, detail in configs:
        ns = detail_counts if detail else counts
        for source, src in sources:
            for n in ns:
                folder = str(tmp / f"out-{source}-{workers}-{int(detail)}-{n}")
                cmd = [sys.executable, __file__, "--memory-child",
                       str(SCENARIO if detail else path), str(n), str(workers),
                       folder if with_out else "-", "detail" if detail else "-"]
                env = dict(os.environ)
                if src is not None:
                    env["PYTHONPATH"] = os.pathsep.join(
                        [str(Path(src).resolve()), *filter(None, [env.get("PYTHONPATH")])])
                done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
                figures = json.loads(done.stdout.strip().splitlines()[-1])
                figures.update(label=label, source=source, replications=n,
                               growth_mb=figures["rss_peak_mb"] - figures["rss_before_mb"])
                out["runs"].append(figures)
                heap = figures["python_heap_peak_mb"]
                print(f"  {label:42s} {source:>10s} n={n:5d}  RSS "
                      f"{figures['rss_before_mb']:6.1f} -> peak {figures['rss_peak_mb']:6.1f} "
                      f"MB (+{figures['growth_mb']:6.1f})"
                      + (f"  heap peak {heap:6.1f} + Arrow {figures['arrow_peak_mb']:5.1f} MB"
                         if heap is not None else "")
                      + f"  ({figures['wall_s']:.0f} s)", flush=True)
            small, big = out["runs"][-2], out["runs"][-1]
            per_rep = (big["growth_mb"] - small["growth_mb"]) * 1024 / (ns[1] - ns[0])
            key = label if src is None and len(sources) == 1 else f"{label} [{source}]"
            out.setdefault("growth_kb_per_replication", {})[key] = per_rep
            live = ""
            if big["live_peak_mb"] is not None:
                live_per_rep = ((big["live_peak_mb"] - small["live_peak_mb"]) * 1024
                                / (ns[1] - ns[0]))
                out.setdefault("live_growth_kb_per_replication", {})[key] = live_per_rep
                live = f"; live (heap + Arrow) peak {live_per_rep:.1f} kB"
            print(f"  {label:42s} {source:>10s} -> RSS {per_rep:.1f} kB more per extra "
                  f"replication{live} (code: {big['hiresim']})", flush=True)
    return out


# -- report ------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="20 replications for speed, 20 vs 200 (10 vs 30 with records) "
                             "for memory")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--only", choices=["throughput", "memory", "memory-out"],
                        help="run one part only (to repeat it, e.g. on a quieter machine); "
                             "memory-out: only the --out configurations of (b)")
    parser.add_argument("--src", action="append", default=[], metavar="LABEL=DIR",
                        help="(b) with the hiresim source in DIR (repeatable; compares "
                             "code versions in one run)")
    parser.add_argument("--memory-child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        path, n, workers, folder, detail = args.memory_child
        memory_child(path, int(n), int(workers), None if folder == "-" else folder,
                     detail == "detail")
        return
    sources: list[tuple[str, str | None]] = [("current", None)]
    if args.src:
        sources = [tuple(item.split("=", 1)) for item in args.src]  # type: ignore[misc]
    n_speed = 20 if args.quick else 200
    counts = (20, 200) if args.quick else (100, 1000)
    detail_counts = (10, 30) if args.quick else (130, 260)
    report: dict[str, Any] = {"command": " ".join([Path(sys.executable).name, *sys.argv]),
                              "machine": machine()}
    m = report["machine"]
    print(f"machine: {m['cpu']}, {m['cores_usable']} cores, {m['memory_gb']} GB, "
          f"Python {m['python']}, load average {m['loadavg_start']}", flush=True)
    started = time.perf_counter()
    if args.only is None or args.only == "throughput":
        print(f"(a) throughput, {n_speed} replications of {SCENARIO.name}", flush=True)
        report["throughput"] = throughput(n_speed, with_dask=not args.no_dask)
    if args.only != "throughput":
        print(f"(b) memory, {counts[0]} vs {counts[1]} replications ({detail_counts[0]} vs "
              f"{detail_counts[1]} with candidate records), fresh processes", flush=True)
        report["memory"] = memory(counts, detail_counts, sources,
                                  out_only=args.only == "memory-out")
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    report["total_s"] = time.perf_counter() - started
    print(f"done in {report['total_s'] / 60:.1f} min; load average at the end "
          f"{report['machine']['loadavg_end']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
