"""Which uncertain input drives the answer: one-at-a-time (tornado) and global sensitivity.

The inputs are the ``uncertain:`` block of the scenario files (``hiresim.scenario_files``):
each a setting path with a range ``[low, high]``. An *evaluation* runs the scenario (or the
pair FILE, OTHER) with some inputs set, for ``replications`` replications on common random
numbers: the same root seed and replication numbers 0..n-1 at every evaluated point, so
two points differ only by the inputs, never by the draw, and the same scenario against
itself gives exactly zero effects. The output of an evaluation is, per KPI, the mean over
replications (one scenario) or the mean paired difference OTHER - FILE (two scenarios).

- One-at-a-time: each input at ``points`` evenly spaced values of its range, the others
  at the files' own values. Its *swing* is the spread of each KPI over those values (the
  tornado bar). With two scenarios, the decision is the sign of the paired difference of
  the decision KPI; if it changes inside the range, the break-even value is bracketed on
  the grid, narrowed by bisection (each step one more evaluation) and interpolated.
- Global: Morris elementary effects (``mu_star``: overall influence, ``sigma``:
  interactions and non-linearity) or Sobol indices (``S1`` first order, ``ST`` total),
  computed by SALib on the decision output, all inputs varied together.

Inputs that a scenario does not have (e.g. a sourcer's salary in a combined team) are
applied only to the scenarios that have them.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hiresim.experiment import Executor
from hiresim.kpi_catalogue import CATALOGUE
from hiresim.scenario import Scenario
from hiresim.scenario_files import (
    OverrideError,
    UncertainInput,
    apply,
    load_document,
    scenario_in,
    uncertain_inputs,
    with_overrides,
)
from hiresim.scenario_problems import ScenarioError, YamlDocument
from hiresim.studies import run_all

Progress = Callable[[int], None]
MAIN_KPIS = ("time_to_fill_p80", "cost_per_hire", "fill_rate")
_BETTER = {k.name: k.better for k in CATALOGUE}
_WORDS = {k.name: k.sentence_words for k in CATALOGUE}
_KINDS = {k.name: k.kind for k in CATALOGUE}


@dataclass
class Subject:
    """One scenario file as data (after ``extends`` and ``--set``), ready to take inputs."""

    doc: YamlDocument
    data: dict
    name: str

    def with_values(self, inputs: Sequence[UncertainInput], values: dict[int, float]
                    ) -> tuple[Scenario, list[int]]:
        """The scenario with input ``i`` set to ``values[i]``; inputs it lacks are skipped.

        Returns the scenario and the indices of the inputs that applied.
        """
        data = copy.deepcopy(self.data)
        used: list[int] = []
        for i in sorted(values):
            trial = copy.deepcopy(data)
            try:
                apply(trial, inputs[i].path, _typed(inputs[i], values[i]))
                scenario_in(self.doc, trial)
            except (OverrideError, ScenarioError):
                continue
            data, used = trial, [*used, i]
        return scenario_in(self.doc, data), used


def _typed(item: UncertainInput, value: float) -> float | int:
    return int(round(value)) if item.integer else float(value)


def load_subjects(files: Sequence[str | Path], sets: Sequence[str] = ()
                  ) -> tuple[list[Subject], list[UncertainInput]]:
    """The scenarios and their uncertain inputs (the union of the files' blocks, the first
    file's range winning for a path named twice)."""
    subjects: list[Subject] = []
    inputs: dict[str, UncertainInput] = {}
    for f in files:
        doc = load_document(f)
        data = with_overrides(doc, tuple(sets))
        for item in uncertain_inputs(doc, data):
            inputs.setdefault(item.label, item)
        subjects.append(Subject(doc, data, str(data.get("name", f))))
    return subjects, list(inputs.values())


@dataclass
class Evaluator:
    """Runs the subjects at given input values on common random numbers (cached)."""

    subjects: list[Subject]
    inputs: list[UncertainInput]
    replications: int
    seed: int
    executor: Executor
    kpis: tuple[str, ...]
    progress: Progress | None = None
    cache: dict[tuple, dict[str, float]] = field(default_factory=dict)
    applies: dict[int, list[str]] = field(default_factory=dict)

    @property
    def paired(self) -> bool:
        return len(self.subjects) > 1

    def __call__(self, values: dict[int, float]) -> dict[str, float]:
        key = tuple(sorted((i, _typed(self.inputs[i], v)) for i, v in values.items()))
        if key in self.cache:
            return self.cache[key]
        scenarios = []
        for s in self.subjects:
            scenario, used = s.with_values(self.inputs, values)
            scenarios.append(scenario)
            for i in used:
                if s.name not in self.applies.setdefault(i, []):
                    self.applies[i].append(s.name)
        results = run_all(scenarios, self.replications, self.seed, self.executor,
                          progress=self.progress)
        frames = [r.kpis.sort_values("replication") for r in results]
        out = {}
        for kpi in self.kpis:
            first = frames[0][kpi].to_numpy(dtype=float)
            if self.paired:
                diff = frames[-1][kpi].to_numpy(dtype=float) - first
                out[kpi] = _mean(diff)
            else:
                out[kpi] = _mean(first)
        self.cache[key] = out
        return out


def _mean(values: np.ndarray) -> float:
    ok = values[~np.isnan(values)]
    return float(ok.mean()) if ok.size else math.nan


def _sign(x: float) -> int:
    return 0 if not math.isfinite(x) or x == 0 else (1 if x > 0 else -1)


def grid(item: UncertainInput, points: int) -> list[float]:
    """``points`` evenly spaced values of the range (whole numbers for a count)."""
    values = np.linspace(item.low, item.high, max(2, points))
    if item.integer:
        return sorted({float(round(v)) for v in values})
    return [float(v) for v in values]


def break_even(f: Callable[[float], float], a: float, fa: float, b: float, fb: float,
               steps: int, integer: bool = False) -> float:
    """Where ``f`` changes sign between ``a`` and ``b``: bisection for ``steps`` steps,
    then linear interpolation in the last bracket (for a count: the first value on
    ``b``'s side)."""
    for _ in range(steps):
        if integer and abs(b - a) <= 1:
            break
        m = (a + b) / 2
        if integer:
            m = float(math.floor(m))
            if m in (a, b):
                break
        fm = f(m)
        if _sign(fm) == 0:
            return m
        if _sign(fm) == _sign(fa):
            a, fa = m, fm
        else:
            b, fb = m, fm
    if integer:
        return b
    return a + (b - a) * fa / (fa - fb) if fa != fb else (a + b) / 2


def one_at_a_time(ev: Evaluator, decision: str, points: int = 5, refine: int = 3
                  ) -> list[dict]:
    """The tornado: each input over its range, the others at the files' values."""
    base = ev({})
    rows = []
    for i, item in enumerate(ev.inputs):
        xs = grid(item, points)
        outs = [ev({i: x}) for x in xs]
        row: dict[str, Any] = {
            "input": item.label, "low": item.low, "high": item.high,
            "points": [{"value": x, **o} for x, o in zip(xs, outs, strict=True)],
            "swing": {k: _spread([o[k] for o in outs]) for k in ev.kpis},
            "at_low": outs[0][decision], "at_high": outs[-1][decision],
            "base": base[decision],
        }
        if ev.paired:
            row.update(_flip(ev, i, item, xs, [o[decision] for o in outs], decision, refine))
        row["applies_to"] = ev.applies.get(i, [])
        rows.append(row)
    rows.sort(key=lambda r: -(r["swing"][decision] or 0.0))
    return rows


def _spread(values: list[float]) -> float:
    ok = [v for v in values if math.isfinite(v)]
    return float(max(ok) - min(ok)) if ok else 0.0


def _flip(ev: Evaluator, i: int, item: UncertainInput, xs: list[float], ds: list[float],
          decision: str, refine: int) -> dict:
    """Does the sign of the paired difference change inside the range, and where?"""
    signs = [_sign(d) for d in ds]
    nonzero = [s for s in signs if s]
    flips = len(set(nonzero)) > 1
    points: list[float] = []
    if flips:
        for k in range(len(xs) - 1):
            if signs[k] and signs[k + 1] and signs[k] != signs[k + 1]:
                points.append(break_even(lambda x: ev({i: x})[decision], xs[k], ds[k],
                                         xs[k + 1], ds[k + 1], refine, item.integer))
            elif signs[k + 1] == 0 and 0 < k + 1 < len(xs) - 1:
                points.append(xs[k + 1])
    return {"flips": flips, "break_even": points}


def global_indices(ev: Evaluator, decision: str, method: str = "morris",
                   samples: int = 4, seed: int = 0) -> dict:
    """Morris screening or Sobol indices of the decision output (SALib), every input varied
    together on common random numbers."""
    if method == "none" or not ev.inputs:
        return {"method": "none", "indices": []}
    names = [x.label for x in ev.inputs]
    problem: dict[str, Any] = {"num_vars": len(ev.inputs), "names": names,
               "bounds": [[x.low, x.high if x.high > x.low else x.low + 1e-9]
                          for x in ev.inputs]}
    if method == "morris":
        from SALib.analyze import morris as analyze
        from SALib.sample import morris as sample

        xs = sample.sample(problem, samples, num_levels=4, seed=seed)
    elif method == "sobol":
        from SALib.analyze import sobol as analyze  # type: ignore[no-redef]
        from SALib.sample import sobol as sample  # type: ignore[no-redef]

        xs = sample.sample(problem, samples, calc_second_order=False, seed=seed)
    else:
        raise ValueError(f"unknown method {method!r}: morris, sobol or none")
    ys = np.array([ev(dict(enumerate(row)))[decision] for row in xs], dtype=float)
    ys = np.where(np.isfinite(ys), ys, np.nanmean(ys) if np.isfinite(ys).any() else 0.0)
    if np.ptp(ys) == 0:  # no input moves the output: every index is exactly zero
        zero = {"mu_star": 0.0, "sigma": 0.0} if method == "morris" else {"S1": 0.0, "ST": 0.0}
        indices = [{"input": n, **zero} for n in names]
    elif method == "morris":
        si = analyze.analyze(problem, xs, ys, num_levels=4, seed=seed)
        indices = [{"input": n, "mu_star": float(si["mu_star"][k]),
                    "sigma": float(si["sigma"][k]),
                    "mu_star_conf": float(si["mu_star_conf"][k])}
                   for k, n in enumerate(names)]
    else:
        si = analyze.analyze(problem, ys, calc_second_order=False, seed=seed)
        indices = [{"input": n, "S1": float(si["S1"][k]), "ST": float(si["ST"][k])}
                   for k, n in enumerate(names)]
    return {"method": method, "evaluations": len(xs), "indices": indices}


def sensitivity_study(files: Sequence[str | Path], executor: Executor,
                      replications: int | None = None, seed: int | None = None,
                      sets: Sequence[str] = (), decision: str = "time_to_fill_p80",
                      points: int = 5, refine: int = 3, method: str = "morris",
                      samples: int = 4, progress: Progress | None = None) -> dict:
    """The whole study as plain data (what ``hiresim sensitivity --format json`` prints)."""
    from hiresim.sensitivity_words import statements

    subjects, inputs = load_subjects(files, sets)
    if not inputs:
        raise OverrideError("no uncertain inputs: add an 'uncertain:' block to the scenario "
                            "file, e.g. profiles[backend].sourced.reply_rate: "
                            "{low: 0.2, high: 0.4}")
    first = scenario_in(subjects[0].doc, subjects[0].data)
    n = replications or first.simulation.replications
    root = first.simulation.seed if seed is None else seed
    kpis = tuple(dict.fromkeys((decision, *MAIN_KPIS)))
    ev = Evaluator(subjects, inputs, n, root, executor, kpis, progress)
    tornado = one_at_a_time(ev, decision, points, refine)
    report = {
        "kind": "sensitivity",
        "scenarios": [s.name for s in subjects],
        "paired": ev.paired,
        "replications": n, "seed": root,
        "decision_kpi": decision, "better": _BETTER.get(decision, ""),
        "kpi_words": _WORDS.get(decision, decision), "kpi_kind": _KINDS.get(decision, ""),
        "base": ev({}),
        "inputs": [{"input": x.label, "low": x.low, "high": x.high} for x in inputs],
        "tornado": tornado,
        "global": global_indices(ev, decision, method, samples, root % (2**32)),
    }
    report["evaluations"] = len(ev.cache)
    report["statements"] = statements(report)
    return report
