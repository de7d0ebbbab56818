"""Scale: time per candidate and peak memory of one replication as the hiring plan grows.

Run from the repository root::

    .venv/bin/python benchmarks/bench_scale.py                  # 1x, 4x, 16x: ~10-12 min on 2 cores
    .venv/bin/python benchmarks/bench_scale.py --quick          # 1x and 2x, smoke run (< 30 s)
    .venv/bin/python benchmarks/bench_scale.py --json scale.json
    .venv/bin/python benchmarks/bench_scale.py --only time      # or: --only memory / profile

The plan is scaled with hiresim's own ``--set`` overrides (``hiresim.scenario_files.load_scenario
(path, sets)``): at scale k every profile's ``openings.count`` and ``interviewers.count``
and the team's ``recruiters.count`` and ``sourcers.count`` are multiplied by k. Everything
per person stays the same (hours, ``max_reqs``, effort, rates, the 365-day horizon), so the
load on each person is the same and the candidates grow about k-fold. Default scenario:
scenarios/split.yaml (``--scenario`` to change).

(a) Time. An untimed pass of replication 0 at each scale counts SimPy events per
    candidate (and warms up). Then each round runs, for every scale in a rotated order,
    a BLOCK of largest/k replications at scale k (so every block simulates about as many
    candidates and lasts about as long as one replication of the largest plan; each
    round uses fresh replication numbers), between two short bare-SimPy M/M/c slices
    (bench_core's ``mmc_run``). Per block: microseconds per candidate (wall and CPU
    time), the same divided by the slices' mean microseconds per customer ("cost of a
    candidate in M/M/c customers", steadier under a changing machine load), and the CPU
    time spent in the cyclic garbage collector (``gc.callbacks``). Growth at scale k =
    the figure at k / the figure at 1x in the same round; the table shows the median
    over rounds, paired (in M/M/c customers) and raw (CPU microseconds). Goal: flat
    within 25% from 1x to the largest scale.

(c) Profile (when (a) is not flat, ``--profile yes``, or ``--only profile``): ``py-spy
    record --native`` over one process that alternates the smallest and the largest plan
    (microseconds per candidate per function at both sizes, largest growth first), then
    cProfile call counts per candidate at both sizes (deterministic: is anything done more
    often per candidate?) and the size of GC generation 0 at each gen-0 collection.

(b) Memory. Each (scale, mode) runs in a FRESH process (imports, scenario loaded, a
    30-day warm-up replication, then one replication of the scaled plan, replication 0):
      - ``rss``: peak resident memory during the replication minus the resident memory just
        before it (no tracing; the kernel's peak mark VmHWM is reset first through
        /proc/self/clear_refs, else ru_maxrss is used);
      - ``heap``: tracemalloc peak during ``run_replication``, what the result keeps after
        ``gc.collect()`` and what that collection freed (the finished model is cyclic
        garbage), with and without per-candidate records (``record_detail``, i.e. ``hiresim run
        --records candidates``);
      - ``live``: the model run step by step with a sampler process (every simulated day:
        traced heap, live candidates, SimPy's event queue length), then run again to take
        a tracemalloc snapshot at the day of the heap peak: the allocation sites that hold
        the memory at the peak.

The script measures whatever ``hiresim`` is importable, changes nothing in the repository,
and is not part of the test suite.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import bench_core
from bench_core import (
    CountingEnvironment,
    _candidates,
    counting_simpy,
    events_counted,
    machine_info,
    mmc_run,
    scheduled_minus_pending,
)
from bench_peers import finish_run, hiresim_state, print_state

from hiresim.replication import run_replication
from hiresim.scenario import Scenario
from hiresim.scenario_files import load_scenario

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = "scenarios/split.yaml"
FLAT_WITHIN = 1.25


# -- scaling the plan ----------------------------------------------------------------------
def scale_sets(path: Path, k: int) -> list[str]:
    """``--set`` overrides that multiply the plan and the staff of a scenario by ``k``."""
    base = load_scenario(path)
    sets = []
    for role in ("recruiters", "sourcers"):
        spec = getattr(base.team, role)
        if spec is not None and spec.count != "unlimited":
            sets.append(f"team.{role}.count={int(spec.count) * k}")
    for p in base.profiles:
        sets.append(f"profiles[{p.name}].openings.count={p.openings.count * k}")
        if p.interviewers.count != "unlimited":
            sets.append(f"profiles[{p.name}].interviewers.count={int(p.interviewers.count) * k}")
    return sets


def scaled(path: Path, k: int) -> Scenario:
    return load_scenario(path, scale_sets(path, k) if k != 1 else [])


def describe(s: Scenario) -> dict[str, Any]:
    return {
        "reqs": sum(p.openings.count for p in s.profiles),
        "recruiters": s.recruiter_count,
        "sourcers": s.sourcer_count,
        "interviewers": sum(int(p.interviewers.count) for p in s.profiles
                            if p.interviewers.count != "unlimited"),
    }


# -- (a) time per candidate ----------------------------------------------------------------
class GcTimer:
    """CPU time spent in the cyclic garbage collector (via ``gc.callbacks``), by generation."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self.by_generation = [0.0, 0.0, 0.0]
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.process_time()
        else:
            spent = time.process_time() - self._start
            self.seconds += spent
            self.collections[info["generation"]] += 1
            self.by_generation[info["generation"]] += spent

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def bench_time(path: Path, scales: list[int], rounds: int, pair_customers: int,
               seed: int) -> dict[str, Any]:
    """Time blocks of about equal work: at scale k a block is largest/k replications, so
    every block simulates about as many candidates as one replication of the largest plan.
    Round r runs one block per scale (in a rotated order; fresh replication numbers each
    round), each between two M/M/c slices whose mean is the block's paired baseline."""
    scenarios = {k: scaled(path, k) for k in scales}
    largest = scales[-1]
    block = {k: max(1, largest // k) for k in scales}
    env, _, _, _ = mmc_run(pair_customers, 5, 0.9, 1.0, seed, CountingEnvironment)
    pair_events = events_counted(env)

    counted: dict[int, dict[str, Any]] = {}  # untimed: SimPy events of replication 0
    for k in scales:
        with counting_simpy() as envs:
            result = run_replication(scenarios[k], 0)
        ev = envs[0].events_processed
        if scheduled_minus_pending(envs[0]) != ev:
            raise RuntimeError("event count mismatch")
        counted[k] = {"events": ev, "candidates": _candidates(result.kpis),
                      "events_per_candidate": ev / _candidates(result.kpis),
                      "hires": result.kpis["hires"], "reqs_opened": result.kpis["reqs_opened"]}

    def slice_time() -> tuple[float, float]:
        _, _, wall, cpu = mmc_run(pair_customers, 5, 0.9, 1.0, seed)
        return 1e6 * wall / pair_customers, 1e6 * cpu / pair_customers

    runs: list[dict[str, Any]] = []
    for rnd in range(rounds):
        order = scales[rnd % len(scales):] + scales[:rnd % len(scales)]
        for k in order:
            reps = list(range(rnd * block[k], (rnd + 1) * block[k]))
            before = slice_time()
            cand = 0
            with GcTimer() as gct:
                c0, t0 = time.process_time(), time.perf_counter()
                for rep in reps:
                    cand += _candidates(run_replication(scenarios[k], rep).kpis)
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            after = slice_time()
            us_wall, us_cpu = 1e6 * wall / cand, 1e6 * cpu / cand
            base_wall, base_cpu = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
            n = len(reps)
            runs.append({
                "scale": k, "round": rnd, "replications": reps, "position": order.index(k),
                "wall_s": wall, "cpu_s": cpu, "candidates": cand,
                "candidates_per_replication": cand / n,
                "us_per_candidate_wall": us_wall, "us_per_candidate_cpu": us_cpu,
                "slice_us_per_customer_wall": [before[0], after[0]],
                "slice_us_per_customer_cpu": [before[1], after[1]],
                "cost_in_customers_wall": us_wall / base_wall,
                "cost_in_customers_cpu": us_cpu / base_cpu,
                "gc_s": gct.seconds, "gc_collections_per_replication":
                    [c / n for c in gct.collections],
                "gc_s_by_generation": gct.by_generation, "gc_collections": gct.collections,
                "gc_us_per_candidate": 1e6 * gct.seconds / cand,
            })
            print(f"  round {rnd + 1}/{rounds}: {k:>3}x  {n:>2} replication(s)  "
                  f"{cand:>7,} candidates  {wall:6.2f} s wall  {cpu:6.2f} s CPU  "
                  f"{us_cpu:6.1f} us/cand (CPU)  = {us_cpu / base_cpu:5.2f} M/M/c customers",
                  flush=True)

    def at(k: int, rnd: int) -> dict[str, Any]:
        return next(r for r in runs if r["scale"] == k and r["round"] == rnd)

    first = scales[0]
    per_scale = []
    for k in scales:
        rs = [r for r in runs if r["scale"] == k]
        row: dict[str, Any] = {"scale": k, **describe(scenarios[k]),
                               "replications_per_block": block[k], **counted[k]}
        for key in ("candidates_per_replication", "wall_s", "cpu_s", "gc_us_per_candidate",
                    "us_per_candidate_wall", "us_per_candidate_cpu",
                    "cost_in_customers_wall", "cost_in_customers_cpu"):
            row[f"median_{key}"] = statistics.median(r[key] for r in rs)
        row["gc_collections_per_run"] = [
            statistics.median(r["gc_collections_per_replication"][g] for r in rs)
            for g in range(3)]
        row["gc_ms_per_collection"] = [
            1e3 * sum(r["gc_s_by_generation"][g] for r in rs)
            / max(1, sum(r["gc_collections"][g] for r in rs)) for g in range(3)]
        for key in ("cost_in_customers_cpu", "cost_in_customers_wall",
                    "us_per_candidate_cpu", "us_per_candidate_wall"):
            g = [at(k, rnd)[key] / at(first, rnd)[key] for rnd in range(rounds)]
            row[f"growth_{key}"] = {"per_round": g, "median": statistics.median(g)}
        per_scale.append(row)
    top = per_scale[-1]
    growth = top["growth_cost_in_customers_cpu"]["median"]
    raw = top["growth_us_per_candidate_cpu"]["median"]
    return {
        "scenario": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "scales": scales, "rounds": rounds, "pair_customers": pair_customers,
        "replications_per_block": block,
        "pair_events": pair_events, "sets": {k: scale_sets(path, k) for k in scales if k != 1},
        "runs": runs, "per_scale": per_scale,
        "growth_largest": growth, "growth_largest_raw_cpu": raw,
        "flat": growth <= FLAT_WITHIN and raw <= FLAT_WITHIN,
        "verdict": ("flat" if growth <= FLAT_WITHIN and raw <= FLAT_WITHIN else
                    "not flat" if growth > FLAT_WITHIN and raw > FLAT_WITHIN else
                    "inconclusive (paired and raw disagree)"),
    }


# -- (b) memory, in fresh processes ----------------------------------------------------------
def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def _proc_status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def _reset_peak_rss() -> bool:
    """Reset VmHWM (Linux: write 5 to /proc/self/clear_refs); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        _proc_status_kb("VmHWM")
    except (OSError, KeyError):
        return False
    return True


def _live_candidates(model: Any) -> int:
    return sum(len(r.active_candidates) for r in model.reqs)


def memory_child(path: Path, k: int, mode: str, record_detail: bool) -> dict[str, Any]:
    """Run in a fresh process: one replication of the plan at scale k, memory measured."""
    scenario = scaled(path, k)
    # warm-up (imports, caches, first-call costs): a 30-day slice of the 1x plan
    run_replication(load_scenario(path, ["simulation.horizon_days=30"]), 1)
    gc.collect()
    out: dict[str, Any] = {"scale": k, "mode": mode, "record_detail": record_detail,
                           "hiresim_sha256": hiresim_state()["sha256"], **describe(scenario)}
    if mode == "rss":
        # Reset the kernel's peak-RSS mark (VmHWM) so that the peak of THIS replication is
        # seen, not that of the imports; fall back to ru_maxrss where that is refused.
        reset = _reset_peak_rss()
        before = _proc_status_kb("VmRSS") if reset else _maxrss_kb()
        result = run_replication(scenario, 0, record_detail=record_detail)
        peak = _proc_status_kb("VmHWM") if reset else _maxrss_kb()
        out.update(rss_before_kb=before, rss_peak_kb=peak, peak_reset=reset,
                   candidates=_candidates(result.kpis), growth_kb=peak - before)
        return out
    if mode == "heap":
        tracemalloc.start()
        result = run_replication(scenario, 0, record_detail=record_detail)
        current, peak = tracemalloc.get_traced_memory()
        gc.collect()  # the finished model is cyclic garbage until the collector runs
        kept = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        out.update(peak_bytes=peak, retained_bytes=kept, uncollected_bytes=current - kept,
                   candidates=_candidates(result.kpis),
                   candidate_rows=len(result.candidates or ()),
                   visit_rows=len(result.visits or ()))
        return out
    # mode == "live": sample the model as it runs, then snapshot at the heap peak
    from hiresim.kpis import replication_kpis
    from hiresim.model.hiring_model import HiringModel

    def sampled_run(snapshot_day: float | None) -> tuple[list[tuple], Any, Any]:
        gc.collect()
        tracemalloc.start(1)
        model = HiringModel(scenario, 0, record_detail=record_detail)
        env = model.env
        samples: list[tuple] = []
        holder: list[Any] = []

        def sampler():
            while True:
                samples.append((env.now, tracemalloc.get_traced_memory()[0],
                                _live_candidates(model), len(env._queue)))
                if snapshot_day is not None and env.now == snapshot_day and not holder:
                    holder.append(tracemalloc.take_snapshot())
                yield env.timeout(1.0)

        env.process(sampler())
        model.run()
        kpis, _ = replication_kpis(model)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return samples, (kpis, peak), holder[0] if holder else None

    samples, (kpis, peak), _ = sampled_run(None)
    peak_sample = max(samples, key=lambda s: s[1])
    live_peak = max(samples, key=lambda s: s[2])
    out.update(candidates=_candidates(kpis), hires=kpis["hires"], peak_bytes=peak,
               peak_day=peak_sample[0], heap_at_peak_day=peak_sample[1],
               live_candidates_at_peak_day=peak_sample[2],
               event_queue_at_peak_day=peak_sample[3],
               max_live_candidates=live_peak[2], max_live_day=live_peak[0],
               max_event_queue=max(s[3] for s in samples),
               samples=[s for i, s in enumerate(samples) if i % 7 == 0])
    if os.environ.get("BENCH_SCALE_NO_SNAPSHOT"):
        return out
    _, _, snap = sampled_run(peak_sample[0])
    if snap is not None:
        stats = snap.statistics("lineno")
        total = sum(s.size for s in stats)
        out["snapshot_total_bytes"] = total
        out["snapshot_top"] = [
            {"where": f"{_short(s.traceback[0].filename)}:{s.traceback[0].lineno}",
             "bytes": s.size, "blocks": s.count}
            for s in stats[:12]
        ]
        by_file: dict[str, int] = {}
        for s in stats:
            f = _short(s.traceback[0].filename)
            by_file[f] = by_file.get(f, 0) + s.size
        out["snapshot_by_file"] = sorted(by_file.items(), key=lambda x: -x[1])[:10]
    return out


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/src/", "/benchmarks/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    if "/hiresim/" in filename:  # a scratch copy of the package on PYTHONPATH
        return "hiresim/" + filename.split("/hiresim/", 1)[1]
    return filename


def run_child(path: Path, k: int, mode: str, record_detail: bool,
              snapshot: bool) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--memory-child", str(k),
           "--mode", mode, "--scenario", str(path)]
    if record_detail:
        cmd.append("--record-detail")
    env = dict(os.environ)
    if not snapshot:
        env["BENCH_SCALE_NO_SNAPSHOT"] = "1"
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory child failed ({' '.join(cmd)}):\n{proc.stderr}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["child_s"] = time.perf_counter() - t0
    label = f"{mode}{' +records' if record_detail else ''}"
    print(f"  memory {k:>3}x {label:<13} done in {out['child_s']:5.1f} s", flush=True)
    return out


def bench_memory(path: Path, scales: list[int], records: bool, snapshot: bool
                 ) -> dict[str, Any]:
    rows = []
    for k in scales:
        rows.append(run_child(path, k, "rss", False, snapshot))
        rows.append(run_child(path, k, "heap", False, snapshot))
        if records:
            rows.append(run_child(path, k, "rss", True, snapshot))
            rows.append(run_child(path, k, "heap", True, snapshot))
        rows.append(run_child(path, k, "live", False, snapshot))
    return {"scenario": str(path), "scales": scales, "rows": rows}


# -- (c) profile: which functions grow -------------------------------------------------------
def _profiled(scenario: Scenario, replications: int, first: int) -> tuple[int, float]:
    cand, c0 = 0, time.process_time()
    for k in range(first, first + replications):
        cand += _candidates(run_replication(scenario, k).kpis)
    return cand, time.process_time() - c0


def profiled_small_scale(scenario: Scenario, replications: int, first: int) -> tuple[int, float]:
    """The smallest plan (its name marks the samples in the profile)."""
    return _profiled(scenario, replications, first)


def profiled_large_scale(scenario: Scenario, replications: int, first: int) -> tuple[int, float]:
    """The largest plan (its name marks the samples in the profile)."""
    return _profiled(scenario, replications, first)


def profile_child(path: Path, small: int, large: int, repeats: int, out_path: Path) -> None:
    """Runs under py-spy: ``repeats`` times, large/small replications of the small plan (about
    as many candidates as) one replication of the large plan, alternating."""
    s_small, s_large = scaled(path, small), scaled(path, large)
    n_small = max(1, large // small)
    run_replication(load_scenario(path, ["simulation.horizon_days=30"]), 1)  # warm-up
    out: dict[str, list[float]] = {"small_candidates": [], "small_cpu_s": [],
                                   "large_candidates": [], "large_cpu_s": []}
    for i in range(repeats):
        c, t = profiled_small_scale(s_small, n_small, i * n_small)
        out["small_candidates"].append(c)
        out["small_cpu_s"].append(t)
        c, t = profiled_large_scale(s_large, 1, i)
        out["large_candidates"].append(c)
        out["large_cpu_s"].append(t)
    out_path.write_text(json.dumps(out))


def _frame(f: str) -> str:
    f = re.sub(r":\d+\)$", ")", f)
    for marker in ("site-packages/", "/src/", "/benchmarks/"):
        f = f.replace(f.split(marker, 1)[0] + marker, "") if marker in f else f
    return f


def bench_profile(path: Path, small: int, large: int, repeats: int, rate: int,
                  top: int = 15) -> dict[str, Any] | None:
    """py-spy (``--native``: C frames too, e.g. the garbage collector and heapq) over one
    process that alternates the small and the large plan; each function's share of the
    samples of a plan times that plan's measured CPU time per candidate gives microseconds
    per candidate per function, at both sizes."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(exe).exists():
        print("  profile skipped: py-spy is not installed (.venv/bin/python -m pip install "
              "py-spy)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        raw, js = Path(tmp) / "raw.txt", Path(tmp) / "child.json"
        cmd = [exe, "record", "--native", "-r", str(rate), "-f", "raw", "-o", str(raw), "--",
               sys.executable, str(Path(__file__).resolve()), "--profile-child",
               f"{small},{large},{repeats}", "--profile-out", str(js), "--scenario", str(path)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not js.exists() or not raw.exists():
            print(f"  profile failed (py-spy exit {proc.returncode}): "
                  f"{(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
            return None
        child = json.loads(js.read_text())
        lines = raw.read_text().splitlines()
    print(f"  profile: py-spy --native at {rate} Hz, {repeats} x ({max(1, large // small)} "
          f"replications at {small}x, 1 at {large}x), {time.perf_counter() - t0:.0f} s",
          flush=True)
    counts = {m: (collections.Counter(), collections.Counter()) for m in ("small", "large")}
    totals = {"small": 0, "large": 0}
    for line in lines:
        stack, n_text = line.rsplit(" ", 1)
        frames = stack.split(";")
        marker = ("small" if any(f.startswith("profiled_small_scale") for f in frames) else
                  "large" if any(f.startswith("profiled_large_scale") for f in frames) else None)
        if marker is None:
            continue
        n = int(n_text)
        totals[marker] += n
        self_c, cum_c = counts[marker]
        self_c[_frame(frames[-1])] += n
        for f in {_frame(f) for f in frames}:
            if not (f.startswith("0x") or "bench_scale.py" in f or "run_replication" in f):
                cum_c[f] += n
    us = {m: 1e6 * sum(child[f"{m}_cpu_s"]) / sum(child[f"{m}_candidates"])
          for m in ("small", "large")}

    def table(idx: int) -> list[dict[str, Any]]:
        keys = set(counts["small"][idx]) | set(counts["large"][idx])
        rows = []
        for key in keys:
            a = counts["small"][idx][key] / max(1, totals["small"]) * us["small"]
            b = counts["large"][idx][key] / max(1, totals["large"]) * us["large"]
            rows.append({"function": key, "us_small": a, "us_large": b, "diff": b - a})
        rows.sort(key=lambda r: -r["diff"])
        return rows[:top]

    return {"small": small, "large": large, "repeats": repeats, "rate_hz": rate,
            "samples": totals, "us_per_candidate": us, "child": child,
            "self": table(0), "cumulative": table(1), "calls": bench_calls(path, small, large)}


def bench_calls(path: Path, small: int, large: int, top: int = 8) -> dict[str, Any]:
    """Python function calls per candidate at the small and the large plan (cProfile call
    counts: deterministic, unaffected by the machine's load). If no function is called
    more often per candidate at the large plan, the growth in time is not algorithmic."""
    import cProfile
    import pstats

    t0 = time.perf_counter()
    res: dict[int, tuple[collections.Counter, int]] = {}
    young: dict[int, list[int]] = {}

    def young_size(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 0:
            young[k].append(len(gc.get_objects(0)))

    for k, n in ((small, max(1, large // small)), (large, 1)):
        scenario, prof, cand = scaled(path, k), cProfile.Profile(), 0
        young[k] = []
        gc.collect()
        gc.callbacks.append(young_size)  # objects in generation 0 at each gen-0 collection
        prof.enable()
        for rep in range(n):
            cand += _candidates(run_replication(scenario, rep).kpis)
        prof.disable()
        gc.callbacks.remove(young_size)
        calls: collections.Counter = collections.Counter()
        for (file, _, name), v in pstats.Stats(prof).stats.items():  # type: ignore[attr-defined]
            calls[f"{name} ({_short(file)})"] += v[1]
        res[k] = (calls, cand)
    (a, ca), (b, cb) = res[small], res[large]
    rows = []
    for key in set(a) | set(b):
        x, y = a.get(key, 0) / ca, b.get(key, 0) / cb
        if max(x, y) >= 0.01:
            rows.append({"function": key, "small": x, "large": y, "diff": y - x})
    rows.sort(key=lambda r: -abs(r["diff"]))
    print(f"  call counts: cProfile, {time.perf_counter() - t0:.0f} s", flush=True)
    return {"small": small, "large": large, "candidates": {small: ca, large: cb},
            "calls_per_candidate": {small: sum(a.values()) / ca, large: sum(b.values()) / cb},
            "largest_changes": rows[:top],
            "gen0_collections_per_replication": {small: len(young[small]) / max(1, large // small),
                                                 large: len(young[large])},
            "gen0_young_objects_median": {k: statistics.median(v) if v else 0
                                          for k, v in young.items()},
            "gen0_young_objects_max": {k: max(v, default=0) for k, v in young.items()}}


def print_profile(pr: dict[str, Any]) -> None:
    us = pr["us_per_candidate"]
    print()
    print(f"(c) where the extra time per candidate goes, {pr['small']}x -> {pr['large']}x "
          f"(py-spy --native, one process; CPU us/candidate measured in it: "
          f"{us['small']:.1f} -> {us['large']:.1f}, {us['large'] / us['small']:.2f}x; "
          f"samples {pr['samples']['small']:,} / {pr['samples']['large']:,})")
    for name, key in (("self time (the function's own code)", "self"),
                      ("cumulative (the function and what it calls)", "cumulative")):
        print(f"  {name}: us/candidate at {pr['small']}x, at {pr['large']}x, difference")
        for r in pr[key]:
            print(f"    {r['us_small']:7.2f} {r['us_large']:7.2f} {r['diff']:+7.2f}  "
                  f"{r['function'][:100]}")
    calls = pr.get("calls")
    if calls:
        cp = calls["calls_per_candidate"]
        small, large = calls["small"], calls["large"]
        print(f"  Python function calls per candidate (cProfile counts, deterministic): "
              f"{cp[small]:.1f} at {small}x, {cp[large]:.1f} at {large}x "
              f"({cp[large] / cp[small]:.3f}x); largest changes per candidate:")
        for r in calls["largest_changes"]:
            print(f"    {r['small']:8.3f} {r['large']:8.3f} {r['diff']:+8.3f}  "
                  f"{r['function'][:100]}")
        n, med, mx = (calls[key] for key in ("gen0_collections_per_replication",
                                             "gen0_young_objects_median",
                                             "gen0_young_objects_max"))
        print("  generation-0 collections per replication and objects in generation 0 at "
              "each (median, max):")
        for k in (small, large):
            print(f"    {k:>3}x: {n[k]:6.1f} collections, {med[k]:9,.0f} median, "
                  f"{mx[k]:9,} max objects")


# -- reporting -------------------------------------------------------------------------------
def print_time(t: dict[str, Any]) -> None:
    print()
    blocks = ", ".join(f"{n} at {k}x" for k, n in t["replications_per_block"].items())
    print(f"(a) time per candidate, {t['scenario']} scaled; {t['rounds']} round(s), each a "
          f"block of replications per scale ({blocks}),\n    each block between two "
          f"{t['pair_customers']:,}-customer M/M/c slices")
    head = (f"{'scale':>5}{'reqs':>6}{'staff r/s/i':>13}{'cand./rep':>11}{'ev/cand':>8}"
            f"{'block s CPU':>12}{'us/cand CPU':>12}{'of it GC':>9}{'us/cand wall':>13}"
            f"{'in cust.':>9}"
            f"{'growth paired':>14}{'growth raw CPU':>15}")
    print(head)
    print("-" * len(head))
    for r in t["per_scale"]:
        staff = f"{r['recruiters']}/{r['sourcers']}/{r['interviewers']}"
        print(f"{r['scale']:>4}x{r['reqs']:>6}{staff:>13}"
              f"{int(r['median_candidates_per_replication']):>11,}"
              f"{r['events_per_candidate']:>8.2f}{r['median_cpu_s']:>12.2f}"
              f"{r['median_us_per_candidate_cpu']:>12.1f}{r['median_gc_us_per_candidate']:>9.1f}"
              f"{r['median_us_per_candidate_wall']:>13.1f}"
              f"{r['median_cost_in_customers_cpu']:>9.2f}"
              f"{r['growth_cost_in_customers_cpu']['median']:>13.3f}x"
              f"{r['growth_us_per_candidate_cpu']['median']:>14.3f}x")
    print("(ev/cand: SimPy events per candidate in replication 0; of it GC: CPU time in the "
          "cyclic garbage collector (gc.callbacks) per candidate;\n"
          " in cust.: CPU time of a candidate / mean CPU time of an M/M/c customer of the "
          "slices just before and after;\n growth: that figure (paired) or raw CPU us/candidate at "
          "this scale / at 1x in the same round, median over rounds)")
    print("cyclic garbage collector per replication (median collections; mean CPU ms per "
          "collection), generations 0/1/2:")
    for r in t["per_scale"]:
        n, ms = r["gc_collections_per_run"], r["gc_ms_per_collection"]
        print(f"  {r['scale']:>3}x: {n[0]:.0f}/{n[1]:.0f}/{n[2]:.0f} collections, "
              f"{ms[0]:.2f}/{ms[1]:.2f}/{ms[2]:.2f} ms each, "
              f"{r['median_gc_us_per_candidate']:.2f} us per candidate")
    top = t["per_scale"][-1]
    g, raw = top["growth_cost_in_customers_cpu"], top["growth_us_per_candidate_cpu"]
    verdict = {"flat": "FLAT (goal met)", "not flat": "NOT FLAT (goal not met)"}.get(
        t["verdict"], t["verdict"].upper())
    print(f"goal: time per candidate flat within {100 * (FLAT_WITHIN - 1):.0f}% from 1x to "
          f"{top['scale']}x: {verdict}: {g['median']:.3f}x paired by CPU (per round "
          f"{', '.join(f'{x:.3f}' for x in g['per_round'])}), {raw['median']:.3f}x raw CPU "
          f"(per round {', '.join(f'{x:.3f}' for x in raw['per_round'])}), "
          f"{top['growth_cost_in_customers_wall']['median']:.3f}x paired by wall")


def print_memory(m: dict[str, Any]) -> None:
    print()
    print("(b) memory of ONE replication, each in a fresh process (replication 0, after "
          "imports and a 30-day warm-up replication)")
    rows = m["rows"]

    def find(k: int, mode: str, rd: bool = False) -> dict[str, Any] | None:
        return next((r for r in rows if r["scale"] == k and r["mode"] == mode
                     and r["record_detail"] == rd), None)

    head = (f"{'scale':>5}{'candidates':>11}{'RSS growth MB':>14}{'heap peak MB':>13}"
            f"{'kept MB':>8}{'cyclic MB':>10}{'+records: RSS':>14}{'heap peak':>10}"
            f"{'kept MB':>8}{'kept B/cand':>12}")
    print(head)
    print("-" * len(head))
    for k in m["scales"]:
        rss, heap = find(k, "rss"), find(k, "heap")
        rss_r, heap_r = find(k, "rss", True), find(k, "heap", True)
        line = (f"{k:>4}x{heap['candidates']:>11,}{rss['growth_kb'] / 1024:>14.1f}"
                f"{heap['peak_bytes'] / 2**20:>13.1f}{heap['retained_bytes'] / 2**20:>8.2f}"
                f"{heap['uncollected_bytes'] / 2**20:>10.1f}")
        if rss_r and heap_r:
            line += (f"{rss_r['growth_kb'] / 1024:>14.1f}{heap_r['peak_bytes'] / 2**20:>10.1f}"
                     f"{heap_r['retained_bytes'] / 2**20:>8.1f}"
                     f"{heap_r['retained_bytes'] / heap_r['candidates']:>12.0f}")
        print(line)
    print("(RSS growth: peak RSS during the replication - RSS before it; heap: tracemalloc peak "
          "during run_replication;\n kept: traced memory still held by the returned result after "
          "gc.collect(); cyclic: what that\n collection freed, i.e. the finished model left as "
          "cyclic garbage when run_replication returned)")
    print()
    print("what is live at the heap peak (sampled every simulated day, records off):")
    head = (f"{'scale':>5}{'peak day':>9}{'heap MB':>8}{'live cand.':>11}{'max live':>9}"
            f"{'event queue':>12}{'B per live cand.':>17}")
    print(head)
    print("-" * len(head))
    for k in m["scales"]:
        live = find(k, "live")
        print(f"{k:>4}x{live['peak_day']:>9.0f}{live['heap_at_peak_day'] / 2**20:>8.1f}"
              f"{live['live_candidates_at_peak_day']:>11,}{live['max_live_candidates']:>9,}"
              f"{live['event_queue_at_peak_day']:>12,}"
              f"{live['heap_at_peak_day'] / max(1, live['live_candidates_at_peak_day']):>17,.0f}")
    for k in m["scales"]:
        live = find(k, "live")
        if "snapshot_top" not in live:
            continue
        print(f"  {k}x, allocation sites holding memory on day {live['peak_day']:.0f} "
              f"(tracemalloc snapshot, {live['snapshot_total_bytes'] / 2**20:.1f} MB traced):")
        for s in live["snapshot_top"][:8]:
            print(f"    {s['bytes'] / 2**20:7.2f} MB {s['blocks']:>8,} blocks  {s['where']}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--only", choices=("time", "memory", "profile"),
                   help="one part only (default: time, then the profile if not flat, then "
                        "memory)")
    p.add_argument("--scales", default="1,4,16", help="plan multipliers, comma-separated")
    p.add_argument("--rounds", type=int, default=5, help="timed rounds (replication r each)")
    p.add_argument("--pair-customers", type=int, default=20_000,
                   help="customers of the M/M/c slice timed before each run")
    p.add_argument("--memory-scales", default="1,16", help="plan multipliers for memory")
    p.add_argument("--scenario", default=DEFAULT_SCENARIO, help="scenario file to scale")
    p.add_argument("--seed", type=int, default=12345, help="seed of the M/M/c slices")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: scales 1,2, 1 round, memory at 1x and 2x without the "
                        "records variant and the snapshot (< 30 s)")
    p.add_argument("--json", metavar="PATH", help="also write every figure to this JSON file")
    p.add_argument("--profile", choices=("auto", "yes", "no"), default="auto",
                   help="py-spy profile of the smallest against the largest scale: auto = "
                        "only when the time per candidate is not flat (never with --quick)")
    p.add_argument("--profile-repeats", type=int, default=2,
                   help="alternations of small and large plan in the profiled process")
    p.add_argument("--profile-rate", type=int, default=200, help="py-spy samples per second")
    p.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    p.add_argument("--profile-child", help=argparse.SUPPRESS)
    p.add_argument("--profile-out", help=argparse.SUPPRESS)
    p.add_argument("--mode", choices=("rss", "heap", "live"), help=argparse.SUPPRESS)
    p.add_argument("--record-detail", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    path = Path(args.scenario)
    if not path.is_absolute() and not path.exists():
        path = ROOT / path
    path = path.resolve()

    if args.profile_child is not None:
        small, large, repeats = (int(x) for x in args.profile_child.split(","))
        profile_child(path, small, large, repeats, Path(args.profile_out))
        return 0
    if args.memory_child is not None:
        out = memory_child(path, args.memory_child, args.mode, args.record_detail)
        print(json.dumps(out, default=float))
        return 0

    scales = sorted({int(x) for x in args.scales.split(",")})
    mem_scales = sorted({int(x) for x in args.memory_scales.split(",")})
    records, snapshot = True, True
    if args.quick:
        scales, args.rounds, mem_scales = [1, 2], 1, [1, 2]
        args.pair_customers = min(args.pair_customers, 5_000)
        records, snapshot = False, False
        if args.profile == "auto":
            args.profile = "no"
    if scales[0] != 1 or min(args.rounds, args.pair_customers) < 1:
        p.error("--scales must include 1; --rounds and --pair-customers must be >= 1")

    load_before = bench_core._load()
    m = machine_info()
    print(f"hiresim scale benchmark  python {m['python']}  simpy {m['simpy']}  "
          f"numpy {m['numpy']}")
    print(f"cpu: {m['cpu']}  nproc={m['nproc']}  load avg before: {load_before}")
    state = hiresim_state()
    print_state(state, state)
    t0 = time.perf_counter()
    timing = memory = profile = None
    if args.only in (None, "time"):
        timing = bench_time(path, scales, args.rounds, args.pair_customers, args.seed)
    if args.only == "profile" or (args.only is None and (
            args.profile == "yes" or (args.profile == "auto" and timing and not timing["flat"]))):
        profile = bench_profile(path, scales[0], scales[-1], args.profile_repeats,
                                args.profile_rate)
    if args.only in (None, "memory"):
        memory = bench_memory(path, mem_scales, records, snapshot)
    load_after = bench_core._load()
    if timing:
        print_time(timing)
    if profile:
        print_profile(profile)
    if memory:
        print_memory(memory)
    finish_run(m, state, load_before, load_after, t0, args.json, "paired CPU-time figures",
               {"time": timing, "profile": profile, "memory": memory})
    return 0


if __name__ == "__main__":
    sys.exit(main())
