"""Studies: several scenarios run on common random numbers, then compared or swept.

A *comparison* runs scenarios A, B, C... with the same root seed and replication numbers
and reports each KPI per scenario and the paired differences against A. A *sweep* runs
every point of a grid the same way, finds the Pareto frontier, the cheapest team that
meets the goals, and what to buy next from there. Both are used by the Python API
(``hiresim.api``), the CLI and ``scripts/scenario_findings.py``. With a folder, every
file of the study is written here, through ``hiresim.outputs``: one result folder per
scenario (or grid point), plus ``comparison.json`` or ``sweep.parquet`` and
``sweep_summary.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hiresim.batch import run_batch
from hiresim.comparison import compare_kpis, headline_statements
from hiresim.experiment import Executor
from hiresim.folder_guard import folder_names
from hiresim.goals import Goal
from hiresim.outputs import (
    json_safe,
    scenario_fingerprint,
    study_folder,
    write_comparison,
    write_sweep,
)
from hiresim.purchases import bottleneck_summary, purchase_effects, purchases
from hiresim.ranking import decide, fixed_check
from hiresim.records import ReplicationResult
from hiresim.results import Results
from hiresim.scenario import Scenario
from hiresim.scenario_files import GridPoint
from hiresim.sweep_grid import (
    PointResult,
    cheapest_meeting,
    closest_row,
    goals_met,
    next_steps,
    pareto_front,
    planned_team_cost,
    point_row,
    ranking,
    sweep_table,
)
from hiresim.table_files import atomic_write_text
from hiresim.workload import check_scenario

Progress = Callable[[int], None]


def display_names(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, made unique: 'split', 'split (2)' when a file is compared with itself."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for s in scenarios:
        seen[s.name] = seen.get(s.name, 0) + 1
        names.append(s.name if seen[s.name] == 1 else f"{s.name} ({seen[s.name]})")
    return names


def run_all(scenarios: Sequence[Scenario], replications: int | None, seed: int | None,
            executor: Executor, folder: Path | None = None,
            progress: Progress | None = None,
            on_start: Callable[[Scenario], None] | None = None,
            goals: Sequence[Goal] = (), allow_large: bool = False,
            counts: Sequence[int] | None = None) -> list[Results]:
    """Every scenario on the same seed and replication numbers (common random numbers).

    With ``folder``, each scenario's results go to a sub-folder named after its (unique)
    display name. Every scenario's workload is checked before the first one runs
    (``hiresim.workload``; ``allow_large`` skips the check). ``counts``: replications per
    scenario (a sequential sweep), instead of the same ``replications`` for all; each
    still runs numbers 0 .. count - 1.
    """
    for scenario in scenarios:
        check_scenario(scenario, allow_large)
    n = replications or max(s.simulation.replications for s in scenarios)
    root_seed = seed if seed is not None else scenarios[0].simulation.seed
    outcomes = []
    names = display_names(scenarios)
    sizes = list(counts) if counts is not None else [n] * len(scenarios)
    for scenario, name, sub, size in zip(scenarios, names, folder_names(names), sizes,
                                         strict=True):
        if on_start is not None:
            on_start(scenario)
        target = None if folder is None else folder / sub
        outcomes.append(run_batch(scenario, size, root_seed, executor, out=target,
                                  force=True, progress=progress, goals=goals, name=name,
                                  allow_large=allow_large))
    return outcomes


class CachedExecutor(Executor):
    """An executor that keeps each replication it ran (by scenario object, seed and
    number), so a sequential sweep's screening rounds are not run again when the points'
    result folders are written: the same numbers, run once."""

    def __init__(self, inner: Executor) -> None:
        super().__init__(1)
        self.inner = inner
        self.name = inner.name
        self.workers = inner.workers
        self._kept: dict[tuple[int, int, int, bool], ReplicationResult] = {}

    def map(self, scenario: Scenario, replications: Iterable[int], seed: int,
            record_detail: bool = False) -> Iterator[ReplicationResult]:
        numbers = list(replications)  # a sequential sweep's rounds: small lists
        key = (id(scenario), seed)
        missing = [k for k in numbers if (*key, k, record_detail) not in self._kept]
        for result in self.inner.map(scenario, missing, seed, record_detail):
            self._kept[(*key, result.replication, record_detail)] = result
        for k in numbers:
            yield self._kept[(*key, k, record_detail)]

    def map_many(self, jobs: Sequence[tuple[Scenario, Sequence[int]]], seed: int,
                 record_detail: bool = False) -> list[list[ReplicationResult]]:
        """``map`` of several scenarios at once, the missing replications of all of them
        run together on the inner executor."""
        work = [(scenario, list(numbers)) for scenario, numbers in jobs]
        missing = [(scenario, [k for k in numbers
                               if (id(scenario), seed, k, record_detail) not in self._kept])
                   for scenario, numbers in work]
        ran = self.inner.map_many([(sc, ks) for sc, ks in missing if ks], seed, record_detail)
        for (scenario, _), results in zip([m for m in missing if m[1]], ran, strict=True):
            for result in results:
                self._kept[(id(scenario), seed, result.replication, record_detail)] = result
        return [[self._kept[(id(scenario), seed, k, record_detail)] for k in numbers]
                for scenario, numbers in work]

    def forget(self, scenario: Scenario) -> None:
        """Let go of a scenario's kept replications (its folder is written)."""
        for key in [k for k in self._kept if k[0] == id(scenario)]:
            del self._kept[key]

    def close(self, wait: bool = True) -> None:
        self._kept.clear()


@dataclass
class Comparison:
    """Scenarios compared on common random numbers: each one's Results and the report
    (the JSON ``hiresim compare --format json`` prints and ``comparison.json`` holds)."""

    results: list[Results]
    report: dict
    folder: Path | None = None

    @property
    def replications(self) -> pd.DataFrame:
        """Every scenario's KPIs per replication, one table (``scenario`` column first)."""
        return pd.concat([r.replications for r in self.results], ignore_index=True)

    @property
    def differences(self) -> pd.DataFrame:
        """Paired differences against the baseline: one row per scenario and KPI."""
        rows = [{"scenario": other, "baseline": self.report["baseline"], "kpi": kpi, **diff}
                for other, diffs in self.report["differences"].items()
                for kpi, diff in diffs.items()]
        return pd.DataFrame(rows)


def compare_study(scenarios: Sequence[Scenario], replications: int | None, seed: int | None,
                  executor: Executor, goals: Sequence[Goal] = (), folder: Path | None = None,
                  progress: Progress | None = None,
                  on_start: Callable[[Scenario], None] | None = None,
                  force: bool = False, protect: Collection[Path] = (),
                  allow_large: bool = False, bottleneck: bool = False) -> Comparison:
    """Run and compare: KPIs per scenario, paired differences against the first. With
    ``bottleneck``, each scenario is also run with one more person in each role
    (``purchase_study``) and its bottleneck by effect is named."""
    names = display_names(scenarios)
    for scenario in scenarios:  # before the folder is prepared
        check_scenario(scenario, allow_large)
    with _maybe_study_folder(folder, force, "compare", protect) as folder:
        outcomes = run_all(scenarios, replications, seed, executor, folder, progress,
                           on_start, goals, allow_large)
        bottlenecks = {}
        if bottleneck:
            for name, o in zip(names, outcomes, strict=True):
                effects = purchase_study(o.scenario, o.kpis, o.n_replications, o.seed,
                                         executor, goals, progress, on_start)
                bottlenecks[name] = {"scenario": name, **bottleneck_summary(effects)}
        comparison = _comparison(outcomes, names, folder, bottlenecks)
    return comparison


def _comparison(outcomes: list[Results], names: list[str], folder: Path | None,
                bottlenecks: dict[str, dict] | None = None) -> Comparison:
    differences = compare_kpis([o.kpis for o in outcomes], names)
    report = {
        "baseline": names[0],
        "replications": outcomes[0].n_replications,
        "seed": outcomes[0].seed,
        "comparisons": len(names) - 1,
        "family_confidence": 0.95,
        "scenarios": [{**o.to_dict(), **({"folder": o.folder.name} if o.folder else {})}
                      for o in outcomes],
        "differences": differences,
        "statements": headline_statements(differences, names[0])
        + [f"{b['scenario']}: {b['sentence']}" for b in (bottlenecks or {}).values()],
        **({"bottlenecks": bottlenecks} if bottlenecks else {}),
    }
    if folder is not None:
        write_comparison(folder, report)
    return Comparison(outcomes, report, folder)


@contextmanager
def _maybe_study_folder(folder: Path | None, force: bool, kind: str,
                        protect: Collection[Path]) -> Iterator[Path | None]:
    if folder is None:
        yield None
        return
    with study_folder(folder, force, kind, protect) as path:
        yield path


@dataclass
class Sweep:
    """A grid of team shapes: each point's KPIs, the frontier, the recommendation."""

    points: list[PointResult]
    report: dict
    folder: Path | None = None

    @property
    def table(self) -> pd.DataFrame:
        """One row per point and replication (the table of ``sweep.parquet``)."""
        return sweep_table(self.points)


def sweep_study(points: Sequence[GridPoint], replications: int | None, seed: int | None,
                executor: Executor, goals: Sequence[Goal] = (), confidence: float = 0.8,
                folder: Path | None = None, progress: Progress | None = None,
                on_start: Callable[[Scenario], None] | None = None,
                force: bool = False, source: str | None = None,
                protect: Collection[Path] = (), allow_large: bool = False,
                budget: int | None = None) -> Sweep:
    """Run every grid point; frontier, recommendation and what to buy next.

    ``source``: the sweep file's name, recorded in the report as ``file``. ``budget``
    (total replications) makes the sweep *sequential* (``hiresim.ranking``): replications
    go in rounds to the shapes whose verdict is still uncertain, until the recommendation
    is confident or the budget is spent; it needs goals. Without it every point runs
    ``replications`` (a fixed-size sweep).
    """
    for point in points:  # before the folder is prepared
        check_scenario(point.scenario, allow_large)
    with _maybe_study_folder(folder, force, "sweep", protect) as folder:
        return _sweep(points, replications, seed, executor, goals, confidence, folder,
                      progress, on_start, source, allow_large, budget)


def purchase_study(scenario: Scenario, base: pd.DataFrame, replications: int, seed: int,
                   executor: Executor, goals: Sequence[Goal] = (),
                   progress: Progress | None = None,
                   on_start: Callable[[Scenario], None] | None = None,
                   known: dict[str, pd.DataFrame] | None = None) -> list[dict]:
    """The paired effect of one more person in each role (``hiresim.purchases``) on the
    first ``replications`` replications of ``seed``; ``known``: KPI tables already run,
    by scenario fingerprint (replications beyond ``replications`` are left out)."""
    bought = purchases(scenario)
    known = dict(known or {})
    missing = [p.scenario for p in bought
               if scenario_fingerprint(p.scenario) not in known
               or len(known[scenario_fingerprint(p.scenario)]) < replications]
    extra = run_all(missing, replications, seed, executor, None, progress,
                    on_start) if missing else []
    for sc, outcome in zip(missing, extra, strict=True):
        known[scenario_fingerprint(sc)] = outcome.kpis
    variants = {}
    for p in bought:
        kpis = known[scenario_fingerprint(p.scenario)]
        variants[p.label] = kpis[kpis["replication"] < replications]
    return purchase_effects(base[base["replication"] < replications], variants, bought,
                            goals)


BOTTLENECK_FILE = "bottleneck.json"


def run_bottlenecks(outcomes: Sequence[Results], executor: Executor,
                    goals: Sequence[Goal] = (), progress: Progress | None = None
                    ) -> list[dict]:
    """The bottleneck by effect of each run (``purchase_study`` on its replications and
    seed); written as ``bottleneck.json`` into a run's result folder, which the report
    reads."""
    out = []
    for o in outcomes:
        effects = purchase_study(o.scenario, o.kpis, o.n_replications, o.seed, executor,
                                 goals, progress)
        found = {"scenario": o.name, **bottleneck_summary(effects)}
        if o.folder is not None:
            atomic_write_text(Path(o.folder) / BOTTLENECK_FILE,
                              json.dumps(json_safe(found), indent=2))
        out.append(found)
    return out


def _sweep(points: Sequence[GridPoint], replications: int | None, seed: int | None,
           executor: Executor, goals: Sequence[Goal], confidence: float,
           folder: Path | None, progress: Progress | None,
           on_start: Callable[[Scenario], None] | None, source: str | None,
           allow_large: bool = False, budget: int | None = None) -> Sweep:
    scenarios = [p.scenario for p in points]
    root_seed = seed if seed is not None else scenarios[0].simulation.seed
    decision = None
    counts = None
    if budget is not None and goals:
        cached = CachedExecutor(executor)
        executor = cached

        def sample_round(todo: dict[int, list[int]]) -> dict[int, list[bool]]:
            if on_start is not None:
                for i in todo:
                    on_start(scenarios[i])
            ran = cached.map_many([(scenarios[i], numbers) for i, numbers in todo.items()],
                                  root_seed)
            out = {}
            for i, results in zip(todo, ran, strict=True):
                rows = [r.kpis for r in results]
                if progress is not None:
                    progress(len(rows))
                out[i] = list(goals_met(pd.DataFrame(rows), goals)) if rows else []
            return out

        def sample(i: int, numbers: Sequence[int]) -> list[bool]:
            return sample_round({i: list(numbers)})[i]

        decision = decide([p.name for p in points], [planned_team_cost(s) for s in scenarios],
                          sample, confidence, budget, sample_round=sample_round)
        counts = [decision.replications[p.name] for p in points]
    outcomes = run_all(scenarios, replications, root_seed, executor,
                       None if folder is None else folder / "points",
                       None if decision is not None else progress, on_start,
                       allow_large=allow_large, counts=counts)
    results = [PointResult(p.name, p.scenario, p.settings, o.kpis, o.metrics)
               for p, o in zip(points, outcomes, strict=True)]
    rows = [point_row(r, goals) for r in results]
    if decision is not None:
        chosen_row = next((r for r in rows if r["point"] == decision.recommended), None)
    else:
        chosen_row = cheapest_meeting(rows, confidence) if goals else None
    effects: list[dict] = []
    n_base = max(o.n_replications for o in outcomes)
    target = chosen_row or closest_row(rows, results, goals)
    if target is not None:
        chosen = next(r for r in results if r.name == target["point"])
        known = {scenario_fingerprint(r.scenario): r.kpis for r in results}
        effects = purchase_study(chosen.scenario, chosen.kpis, len(chosen.kpis), root_seed,
                                 executor, goals, None, on_start, known)
    report = {
        **({"file": source} if source is not None else {}),
        "replications": n_base,
        "seed": root_seed,
        "goals": [g.text for g in goals],
        "confidence": confidence,
        "points": rows,
        "pareto_front": pareto_front(rows),
        "recommended": chosen_row["point"] if chosen_row else None,
        "buy_next_from": target["point"] if target else None,
        "buy_next": effects,
        "ranking": ranking(rows, confidence),
        "skipped_points": list(getattr(points, "skipped", [])),
        "bottleneck": bottleneck_summary(effects) if effects else None,
        "next_steps": next_steps(rows, goals, confidence, effects, results)
        if goals and chosen_row is None else None,
        "decision": decision.to_dict() if decision is not None else fixed_check(
            [r.name for r in results], [planned_team_cost(r.scenario) for r in results],
            [list(goals_met(r.kpis, goals)) for r in results], confidence) if goals
        else None,
    }
    sweep = Sweep(results, report, folder)
    if folder is not None:
        write_sweep(folder, sweep.table, report)
    return sweep
