"""A recommendation robust to what we do not know: second-order Monte Carlo over a sweep.

Outer loop: ``samples`` draws of the uncertain inputs (the ``uncertain:`` block; a Latin
hypercube over the ranges: uniform, or triangular with a ``mode``). Inner loop: for each
draw, every team shape of the sweep runs the same replications (the year's randomness) on
common random numbers (``hiresim.studies.run_all``): the same seed and replication
numbers for every shape and every draw.

Each replication of each draw either meets every goal or not (the goal indicator I).
A shape's probability of meeting the goals is the mean of I over draws and replications.
Its risk, the variance p(1 - p) of I, splits (law of total variance) into

- parameter uncertainty: the variance across draws of the per-draw probability p_j,
  corrected for the binomial noise of estimating p_j from ``replications`` years;
- the year's luck: the mean within-draw variance p_j(1 - p_j).

The recommended shape is the cheapest (team cost per year) whose probability reaches
``confidence``; failing that, the most likely to meet the goals.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from hiresim.experiment import Executor
from hiresim.goals import Goal
from hiresim.scenario import Scenario, scenario_from_dict, scenario_to_dict
from hiresim.scenario_files import (
    GridPoint,
    OverrideError,
    UncertainInput,
    apply,
    load_document,
    uncertain_inputs,
    with_overrides,
)
from hiresim.scenario_problems import ScenarioError
from hiresim.sweep_grid import goals_met

Progress = Callable[[int], None]


def draw(inputs: Sequence[UncertainInput], samples: int, seed: int) -> np.ndarray:
    """``samples`` x ``len(inputs)`` values: a Latin hypercube mapped onto the ranges."""
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(inputs), seed=seed).random(samples)
    out = np.empty_like(u)
    for k, item in enumerate(inputs):
        lo, hi, col = item.low, item.high, u[:, k]
        if item.mode is None or hi == lo:
            values = lo + col * (hi - lo)
        else:  # inverse CDF of the triangular distribution
            c = (item.mode - lo) / (hi - lo)
            values = np.where(col < c, lo + np.sqrt(col * (hi - lo) * (item.mode - lo)),
                              hi - np.sqrt((1 - col) * (hi - lo) * (hi - item.mode)))
        out[:, k] = np.round(values) if item.integer else values
    return out


def with_inputs(scenario: Scenario, inputs: Sequence[UncertainInput],
                values: Sequence[float]) -> Scenario:
    """The scenario with each input set (an input the scenario lacks is skipped)."""
    data = scenario_to_dict(scenario)
    for item, value in zip(inputs, values, strict=True):
        try:
            trial = copy.deepcopy(data)
            apply(trial, item.path, int(value) if item.integer else float(value))
            scenario_from_dict(trial)
        except (OverrideError, ScenarioError):
            continue
        data = trial
    return scenario_from_dict(data)


def risk_split(met: np.ndarray) -> dict[str, float]:
    """``met``: draws x replications of 0/1. Probability and the variance decomposition."""
    p = float(met.mean())
    n = met.shape[1]
    p_j = met.mean(axis=1)
    within = float(np.mean(p_j * (1 - p_j))) * (n / (n - 1) if n > 1 else 1.0)
    between = max(0.0, float(p_j.var()) - within / n)
    total = between + within
    return {"goal_probability": p, "worst_sample_probability": float(p_j.min()),
            "best_sample_probability": float(p_j.max()),
            "parameter_share": between / total if total > 0 else 0.0,
            "luck_share": within / total if total > 0 else 0.0}


def robust_sweep(file: str, points: Sequence[GridPoint], executor: Executor,
                 goals: Sequence[Goal], samples: int = 16, replications: int | None = None,
                 seed: int | None = None, sets: Sequence[str] = (),
                 confidence: float = 0.8, progress: Progress | None = None) -> dict:
    """Rank the sweep's team shapes by their probability of meeting ``goals`` across the
    uncertain inputs (outer) and the year's randomness (inner)."""
    from hiresim.studies import run_all

    if not goals:
        raise OverrideError("a robust sweep needs at least one --goal to rank team shapes by")
    doc = load_document(file)
    inputs = uncertain_inputs(doc, with_overrides(doc, tuple(sets)))
    if not inputs:
        raise OverrideError("no uncertain inputs: add an 'uncertain:' block to the file")
    first = points[0].scenario
    n = replications or first.simulation.replications
    root = first.simulation.seed if seed is None else seed
    thetas = draw(inputs, samples, root % (2**32))
    met = np.zeros((len(points), samples, n))
    cost = np.zeros((len(points), samples))
    for j, theta in enumerate(thetas):
        scenarios = [with_inputs(p.scenario, inputs, theta) for p in points]
        for i, res in enumerate(run_all(scenarios, n, root, executor, progress=progress)):
            kpis = res.kpis.sort_values("replication")
            met[i, j] = goals_met(kpis, goals)
            cost[i, j] = float(kpis["team_cost_per_year"].mean())
    rows: list[dict[str, Any]] = [
        {"point": p.name, **p.settings, "team_cost_per_year": float(cost[i].mean()),
         **risk_split(met[i])} for i, p in enumerate(points)]
    rows.sort(key=lambda r: (-r["goal_probability"], r["team_cost_per_year"]))
    ok = [r for r in rows if r["goal_probability"] >= confidence]
    chosen = min(ok, key=lambda r: r["team_cost_per_year"]) if ok else rows[0]
    report = {"kind": "robust sweep", "file": file, "goals": [g.text for g in goals],
              "confidence": confidence, "parameter_samples": samples, "replications": n,
              "seed": root, "inputs": [{"input": x.label, "low": x.low, "high": x.high,
                                        "mode": x.mode} for x in inputs],
              "samples": [dict(zip([x.label for x in inputs], map(float, t), strict=True))
                          for t in thetas],
              "ranking": rows, "recommended": chosen["point"] if ok else None}
    report["recommendation"] = recommendation(report, chosen, bool(ok))
    return report


def recommendation(report: dict, row: dict, meets: bool) -> str:
    """The recommendation in words, with where its risk comes from."""
    goals = " and ".join(report["goals"])
    p, worst = row["goal_probability"], row["worst_sample_probability"]
    head = (f"Hire {row['point']}: the cheapest team shape that meets {goals} in at least "
            f"{100 * report['confidence']:.0f}% of simulated years" if meets else
            f"No team shape reaches {100 * report['confidence']:.0f}% for {goals}; the most "
            f"likely is {row['point']}")
    text = (f"{head}: {100 * p:.0f}% across the uncertain inputs and the year's randomness "
            f"(worst sampled inputs: {100 * worst:.0f}%).")
    if row["parameter_share"] + row["luck_share"] == 0 or math.isclose(p, 1.0):
        return text + " No sampled input or year missed the goals."
    names = ", ".join(x["input"] for x in report["inputs"])
    return text + (f" Of its risk of missing them, {100 * row['parameter_share']:.0f}% comes "
                   f"from not knowing the inputs ({names}) and "
                   f"{100 * row['luck_share']:.0f}% from the year's luck.")


def robust_table(report: dict) -> str:
    """The ranking as aligned text, then the recommendation."""
    cells = [("team", "P(goals)", "worst sample", "from inputs", "from luck", "team cost")]
    for r in report["ranking"]:
        cells.append((r["point"], f"{100 * r['goal_probability']:.0f}%",
                      f"{100 * r['worst_sample_probability']:.0f}%",
                      f"{100 * r['parameter_share']:.0f}%", f"{100 * r['luck_share']:.0f}%",
                      f"${r['team_cost_per_year']:,.0f}"))
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(c))).rstrip() for c in cells]
    return "\n".join([*lines, "", report["recommendation"]])
