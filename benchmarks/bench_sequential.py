"""Sequential sweep against fixed-size sweeps on a shipped scenario (not part of the tests).

A grid of 20 team shapes of scenarios/split.yaml (sourcers 1-2 x recruiters 1-5 x backend
interviewers 6 or 10) against each ``--goal`` (at the default confidence 0.8). For
each goal it runs the whole sequential sweep (``hiresim.studies.sweep_study`` with a
budget: the ranking, the result tables and what to buy next) on a fresh cache and
records the wall time to the recommendation (the ranking's last round), the whole
sweep's wall time and the ranking's replications; then it finds the smallest fixed
size per shape (20, 40, 60, ...; same screening rule, one look) whose sweep reaches the
same confident answer on these random numbers. That size is found by looking at the
fixed-size verdict again and again, which favours the fixed sweep (a user cannot know
it in advance), so the script also gives the *planned* fixed size: the smallest n per
shape at which a fixed-size sweep reaches the same confident answer with probability
0.8, from binomial probabilities at each shape's estimated chance of meeting the goal
(all its replications run here; shapes treated as independent). Replications a goal's
sequential sweep ran are reused by the fixed-size search (replication k of a shape is
the same whoever asks).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_sequential.py [--workers 2]
        [--goal 'time_to_fill_days.p80<=160' ...] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import pandas as pd

from hiresim.compiled import core_mode
from hiresim.experiment import make_executor
from hiresim.goals import parse_goal
from hiresim.intervals import wilson
from hiresim.ranking import FAMILY, TOLERANCE, fixed_decision, z_value
from hiresim.records import ReplicationResult
from hiresim.scenario_files import expand_grid
from hiresim.studies import CachedExecutor, sweep_study
from hiresim.sweep_grid import goals_met, planned_team_cost

ROOT = Path(__file__).resolve().parents[1]
GRID = ["team.sourcers.count=1,2", "team.recruiters.count=1,2,3,4,5",
        "profiles[backend].interviewers.count=6,10"]
GOALS = ("time_to_fill_days.p80<=160", "time_to_fill_days.p80<=180",
         "time_to_fill_days.p50<=75")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--goal", action="append",
                        help=f"a goal as --goal takes it (repeatable; default {GOALS})")
    parser.add_argument("--budget", type=int, default=2000)
    parser.add_argument("--max-fixed", type=int, default=300,
                        help="largest fixed size per shape tried")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    points = expand_grid(ROOT / "scenarios" / "split.yaml", GRID)
    costs = [planned_team_cost(p.scenario) for p in points]
    seed = points[0].scenario.simulation.seed
    store: dict[tuple[int, int], dict] = {}  # (shape, replication) -> KPIs
    rows = []
    with make_executor(args.workers) as inner:
        for goal in args.goal or GOALS:
            goals = [parse_goal(goal)]
            ex = TimedExecutor(inner)
            load = os.getloadavg()[0]
            start = time.perf_counter()
            study = sweep_study(points, None, None, ex, goals, 0.8, budget=args.budget)
            wall = time.perf_counter() - start
            decided = ex.last_round_end - start
            decision = study.report["decision"]
            for i, p in enumerate(points):
                for k in range(decision["replications"][p.name]):
                    result: ReplicationResult = next(ex.map(p.scenario, [k], seed))
                    store[(i, k)] = result.kpis
            fixed = fixed_size(points, costs, goals, store, inner, seed, decision,
                               args.max_fixed)
            planned = planned_fixed_size(points, costs, goals, store, decision)
            rows.append({
                "goal": goal,
                "recommended": decision["recommended"], "confident": decision["confident"],
                "sequential_replications": decision["total_replications"],
                "rounds": decision["rounds"],
                "seconds_to_recommendation": round(decided, 1),
                "sweep_wall_seconds": round(wall, 1),
                "load_average_at_start": round(load, 2),
                "fixed_size_per_shape": fixed,
                "fixed_replications": None if fixed is None else fixed * len(points),
                "ratio": None if fixed is None else round(
                    decision["total_replications"] / (fixed * len(points)), 3),
                "planned_fixed_size_per_shape": planned,
                "ratio_to_planned": None if planned is None else round(
                    decision["total_replications"] / (planned * len(points)), 3)})
            print(json.dumps(rows[-1]), flush=True)
    out = {"shapes": len(points), "grid": GRID, "workers": args.workers,
           "core": core_mode(),
           "budget": args.budget, "goals": rows}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


class TimedExecutor(CachedExecutor):
    """Notes when the sequential ranking's last round ended (only the ranking runs whole
    rounds with ``map_many``; what to buy next and the result tables come after)."""

    last_round_end = 0.0

    def map_many(self, jobs, seed, record_detail=False):
        out = super().map_many(jobs, seed, record_detail)
        self.last_round_end = time.perf_counter()
        return out


def fixed_size(points, costs, goals, store, executor, seed, decision, most) -> int | None:
    """The smallest fixed size per shape (a multiple of 20) whose one-look verdict is the
    sequential sweep's confident answer; None if none up to ``most`` is."""
    if not decision["confident"]:
        return None
    for n in range(20, most + 1, 20):
        met = []
        for i, p in enumerate(points):
            missing = [k for k in range(n) if (i, k) not in store]
            for r in executor.map(p.scenario, missing, seed):
                store[(i, r.replication)] = r.kpis
            kpis = pd.DataFrame([store[(i, k)] for k in range(n)])
            met.append(list(goals_met(kpis, goals)))
        if fixed_decision([p.name for p in points], costs, met, 0.8) == (
                True, decision["recommended"]):
            return n
    return None


def planned_fixed_size(points, costs, goals, store, decision, target: float = 0.8,
                       required: float = 0.8) -> int | None:
    """The smallest n per shape (a multiple of 10, up to 2000) at which a fixed-size sweep
    reaches the sequential sweep's confident answer with probability ``target``: the
    answer clearly meets and every cheaper shape clearly fails, each shape's count of
    replications meeting the goals binomial at its estimated probability."""
    from scipy.stats import binom

    if not decision["confident"] or decision["recommended"] is None:
        return None
    probability = {}
    for i, p in enumerate(points):
        kpis = pd.DataFrame([v for (j, _), v in store.items() if j == i])
        probability[p.name] = float(goals_met(kpis, goals).mean())
    answer = decision["recommended"]
    cost = dict(zip([p.name for p in points], costs, strict=True))
    cheaper = [p.name for p in points if cost[p.name] < cost[answer]]
    z = z_value(1 - (1 - FAMILY) / len(points))
    for n in range(10, 2001, 10):
        bounds = [wilson(h, n, z) for h in range(n + 1)]
        meets = [h for h, (low, _) in enumerate(bounds) if low >= required - TOLERANCE]
        fails = [h for h, (_, high) in enumerate(bounds) if high < required + TOLERANCE]
        chance = 1.0 if not meets else float(binom.sf(min(meets) - 1, n, probability[answer]))
        for name in cheaper:
            chance *= float(binom.cdf(max(fails), n, probability[name])) if fails else 0.0
        if meets and chance >= target:
            return n
    return None


if __name__ == "__main__":
    main()
