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

from collections.abc import Callable, Collection, Iterator, Sequence
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
    scenario_fingerprint,
    study_folder,
    write_comparison,
    write_sweep,
)
from hiresim.results import Results
from hiresim.scenario import Scenario
from hiresim.scenario_files import GridPoint
from hiresim.sweep import (
    PointResult,
    cheapest_meeting,
    marginal_effects,
    neighbours,
    pareto_front,
    point_row,
    ranking,
    sweep_table,
)
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
            goals: Sequence[Goal] = (), allow_large: bool = False) -> list[Results]:
    """Every scenario on the same seed and replication numbers (common random numbers).

    With ``folder``, each scenario's results go to a sub-folder named after its (unique)
    display name. Every scenario's workload is checked before the first one runs
    (``hiresim.workload``; ``allow_large`` skips the check).
    """
    for scenario in scenarios:
        check_scenario(scenario, allow_large)
    n = replications or max(s.simulation.replications for s in scenarios)
    root_seed = seed if seed is not None else scenarios[0].simulation.seed
    outcomes = []
    names = display_names(scenarios)
    for scenario, name, sub in zip(scenarios, names, folder_names(names), strict=True):
        if on_start is not None:
            on_start(scenario)
        target = None if folder is None else folder / sub
        outcomes.append(run_batch(scenario, n, root_seed, executor, out=target, force=True,
                                  progress=progress, goals=goals, name=name,
                                  allow_large=allow_large))
    return outcomes


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
                  allow_large: bool = False) -> Comparison:
    """Run and compare: KPIs per scenario, paired differences against the first."""
    names = display_names(scenarios)
    for scenario in scenarios:  # before the folder is prepared
        check_scenario(scenario, allow_large)
    with _maybe_study_folder(folder, force, "compare", protect) as folder:
        outcomes = run_all(scenarios, replications, seed, executor, folder, progress,
                           on_start, goals, allow_large)
        comparison = _comparison(outcomes, names, folder)
    return comparison


def _comparison(outcomes: list[Results], names: list[str], folder: Path | None) -> Comparison:
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
        "statements": headline_statements(differences, names[0]),
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
                protect: Collection[Path] = (), allow_large: bool = False) -> Sweep:
    """Run every grid point; frontier, recommendation and what to buy next.

    ``source``: the sweep file's name, recorded in the report as ``file``.
    """
    for point in points:  # before the folder is prepared
        check_scenario(point.scenario, allow_large)
    with _maybe_study_folder(folder, force, "sweep", protect) as folder:
        return _sweep(points, replications, seed, executor, goals, confidence, folder,
                      progress, on_start, source, allow_large)


def _sweep(points: Sequence[GridPoint], replications: int | None, seed: int | None,
           executor: Executor, goals: Sequence[Goal], confidence: float,
           folder: Path | None, progress: Progress | None,
           on_start: Callable[[Scenario], None] | None, source: str | None,
           allow_large: bool) -> Sweep:
    outcomes = run_all([p.scenario for p in points], replications, seed, executor,
                       None if folder is None else folder / "points", progress, on_start,
                       allow_large=allow_large)
    results = [PointResult(p.name, p.scenario, p.settings, o.kpis, o.metrics)
               for p, o in zip(points, outcomes, strict=True)]
    rows = [point_row(r, goals) for r in results]
    chosen_row = cheapest_meeting(rows, confidence) if goals else None
    effects: list[dict] = []
    if chosen_row is not None:
        chosen = next(r for r in results if r.name == chosen_row["point"])
        known = {scenario_fingerprint(r.scenario): r for r in results}
        variants = neighbours(chosen.scenario)
        missing = [s for s in variants.values() if scenario_fingerprint(s) not in known]
        extra = run_all(missing, outcomes[0].n_replications, outcomes[0].seed, executor,
                        None, progress, on_start, allow_large=allow_large) if missing else []
        for s, o in zip(missing, extra, strict=True):
            known[scenario_fingerprint(s)] = PointResult(s.name, s, {}, o.kpis, o.metrics)
        effects = marginal_effects(
            chosen, {label: known[scenario_fingerprint(s)] for label, s in variants.items()},
            goals)
    report = {
        **({"file": source} if source is not None else {}),
        "replications": outcomes[0].n_replications,
        "seed": outcomes[0].seed,
        "goals": [g.text for g in goals],
        "confidence": confidence,
        "points": rows,
        "pareto_front": pareto_front(rows),
        "recommended": chosen_row["point"] if chosen_row else None,
        "buy_next": effects,
        "ranking": ranking(rows, confidence),
        "skipped_points": list(getattr(points, "skipped", [])),
    }
    sweep = Sweep(results, report, folder)
    if folder is not None:
        write_sweep(folder, sweep.table, report)
    return sweep
