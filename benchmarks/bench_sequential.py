"""Sequential sweep against fixed-size sweeps on a shipped scenario (not part of the tests).

A grid of 20 team shapes of scenarios/split.yaml (sourcers 1-2 x recruiters 1-5 x backend
interviewers 6 or 9) with the goal ``time_to_fill_days.p80<=GOAL``. It runs the sequential
sweep (``hiresim.ranking``) and records its wall time and replications, then finds the
smallest fixed size (same screening rule, one look) that reaches the same confident answer.

    PYTHONPATH=src python benchmarks/bench_sequential.py [--workers 2] [--goal 80]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from hiresim.experiment import make_executor
from hiresim.goals import parse_goal
from hiresim.ranking import fixed_decision
from hiresim.scenario_files import expand_grid
from hiresim.studies import CachedExecutor, sweep_study
from hiresim.sweep_grid import goals_met, planned_team_cost

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--goal", type=float, default=80.0)
    parser.add_argument("--budget", type=int, default=2000)
    args = parser.parse_args()
    points = expand_grid(ROOT / "scenarios" / "split.yaml", [
        "team.sourcers.count=1,2", "team.recruiters.count=1,2,3,4,5",
        "profiles[backend].interviewers.count=6,9"])
    goals = [parse_goal(f"time_to_fill_days.p80<={args.goal:g}")]
    with make_executor(args.workers) as inner:
        ex = CachedExecutor(inner)  # replication k is the same in both: run it once
        start = time.perf_counter()
        cpu = time.process_time()
        study = sweep_study(points, None, None, ex, goals, 0.8, budget=args.budget)
        wall = time.perf_counter() - start
        decision = study.report["decision"]
        answer = decision["recommended"]
        costs = [planned_team_cost(p.scenario) for p in points]
        seed = points[0].scenario.simulation.seed
        fixed = None
        for n in range(20, 401, 20):  # the fixed-size sweep's verdict at n per shape
            met = [list(goals_met(pd.DataFrame([r.kpis for r in ex.map(p.scenario, range(n),
                                                                       seed)]), goals))
                   for p in points]
            if fixed_decision([p.name for p in points], costs, met, 0.8) == (True, answer):
                fixed = n
                break
    print(json.dumps({"shapes": len(points), "sequential_replications":
                      decision["total_replications"], "rounds": decision["rounds"],
                      "confident": decision["confident"], "recommended": answer,
                      "wall_seconds": round(wall, 1),
                      "main_process_cpu_seconds": round(time.process_time() - cpu, 1),
                      "fixed_size_per_shape": fixed,
                      "fixed_replications": None if fixed is None else fixed * len(points),
                      "workers": args.workers}, indent=2))


if __name__ == "__main__":
    main()
