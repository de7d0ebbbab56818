"""A Monte Carlo batch of one scenario: replications streamed into a summary and a folder.

``run_batch`` is the one way to run many replications of a scenario; it returns
``hiresim.results.Results``.

Replications are consumed as they finish (in replication order) and reduced on the fly
to what the summary needs: one KPI row and the req fill times per replication. Tables of
reqs, staff time and candidates are written to the result folder in chunks and never
all held in memory (the final tables are streamed from the chunks), so memory grows only
by what the summary needs, a few kB per replication, unless the caller asks to keep
every run (the Python API does, for its DataFrames). With a result folder the summary is
computed from the saved tables (they include the replications of an earlier, interrupted
run), so nothing is accumulated here unless ``precision`` needs the KPIs as it goes.

``precision`` keeps adding replications until the 95% half-widths of the main KPIs are
within a relative ``precision`` of their means (or ``max_replications`` is reached).
Replication numbers always run 0, 1, 2, ..., so a precision run that stops at n gives the
same numbers as a plain run of n.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hiresim.experiment import Executor
from hiresim.goals import Goal, goal_probability
from hiresim.kpi_catalogue import precision_kpis
from hiresim.metrics import (
    FILL_TIME_COLUMNS,
    fill_times,
    fill_times_from_reqs,
    interval,
    summarize_kpis,
)
from hiresim.outputs import ResultFolder, iter_chunks
from hiresim.records import ReplicationResult
from hiresim.results import Results
from hiresim.scenario import Scenario
from hiresim.table_columns import tidy
from hiresim.workload import check_scenario

PRECISION_STEP = 20


class _Accumulator:
    """What the summary needs from each replication, kept as the batch runs."""

    def __init__(self, keep_runs: bool, keep_kpis: bool = True,
                 keep_fill_times: bool = True) -> None:
        self.rows: list[dict] = []
        self.durations: list[np.ndarray] = []
        self.filled: list[np.ndarray] = []
        self.keep_runs = keep_runs
        self.keep_kpis = keep_kpis
        self.keep_fill_times = keep_fill_times
        self.runs: list[ReplicationResult] = []

    def add(self, result: ReplicationResult) -> None:
        if self.keep_kpis:
            self.rows.append({"replication": result.replication, "seed": result.seed,
                              **result.kpis})
        if self.keep_fill_times:
            d, f = fill_times(result)
            self.durations.append(d)
            self.filled.append(f)
        if self.keep_runs:
            self.runs.append(result)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)

    def fill_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.durations:
            return np.empty(0), np.empty(0, dtype=bool)
        return np.concatenate(self.durations), np.concatenate(self.filled)


def precise_enough(kpis: pd.DataFrame, precision: float) -> bool:
    """True when every main KPI's 95% half-width is within ``precision`` of its mean."""
    for name in precision_kpis():
        if name not in kpis:
            continue
        ci = interval(kpis[name])
        n, mean, high = ci["n"], ci["mean"], ci["ci_high"]
        if n is None or n < 2 or mean is None:
            return False
        if high is None or mean == 0:
            continue
        if (high - mean) > precision * abs(mean):
            return False
    return True


def run_batch(
    scenario: Scenario,
    replications: int,
    seed: int,
    executor: Executor,
    *,
    detail: bool = False,
    out: str | Path | None = None,
    force: bool = False,
    resume: bool = False,
    table_format: str = "parquet",
    progress: Callable[[int], None] | None = None,
    precision: float | None = None,
    max_replications: int | None = None,
    keep_runs: bool = False,
    goals: Sequence[Goal] = (),
    name: str | None = None,
    protect: Collection[Path] = (),
    allow_large: bool = False,
) -> Results:
    """Run (or resume) ``replications`` replications; with ``precision``, as many as needed.

    The one path for "many runs of one scenario": the Python API, ``run``, ``compare`` and
    ``sweep`` all come here. ``goals`` are checked per replication and their probability
    is part of the summary (and of ``summary.json`` with ``out``). ``keep_runs`` keeps
    every replication's records in memory for the Results' tables; without it, tables
    come from the result folder. ``name``: the name shown for the scenario (default its
    own name). ``protect``: files (the run's inputs) that ``force`` must never delete.
    A replication estimated too large to run safely (``hiresim.workload``)
    raises WorkloadError before anything is prepared or run, unless ``allow_large``.
    """
    check_scenario(scenario, allow_large, detail)
    folder: ResultFolder | None = None
    done: list[int] = []
    if out is not None:
        folder, done = ResultFolder.prepare(out, scenario, seed, replications, detail,
                                            table_format, executor.name, force, resume,
                                            protect)
        folder.label = name or ""  # the scenario column of its tables
    # with a folder the summary is read back from the saved tables (see the docstring)
    acc = _Accumulator(keep_runs, keep_kpis=folder is None or precision is not None,
                       keep_fill_times=folder is None)
    done_set = set(done)
    target = replications
    limit = max(replications, max_replications or replications)
    completed = len(done)
    reached: bool | None = None
    try:
        start = 0
        while True:
            todo = (k for k in range(start, target) if k not in done_set)
            stream = executor.map(scenario, todo, seed, detail)
            for chunk in iter_chunks(stream):
                for result in chunk:
                    acc.add(result)
                    if progress is not None:
                        progress(1)
                if folder is not None:
                    folder.write_chunk(chunk)
                completed += len(chunk)
            if precision is None:
                break
            reached = precise_enough(acc.frame(), precision)
            if reached or target >= limit:
                break
            start, target = target, min(limit, target + PRECISION_STEP)
            if folder is not None:  # an interrupted folder records how far it meant to go
                folder.replications = target
    except BaseException:
        if folder is not None:
            folder.mark_interrupted(completed)
        raise
    try:
        return _finish(scenario, seed, target, folder, acc, goals, len(done), reached, name)
    finally:
        if folder is not None:
            folder.release()


def _finish(scenario: Scenario, seed: int, target: int, folder: ResultFolder | None,
            acc: _Accumulator, goals: Sequence[Goal], resumed: int, reached: bool | None,
            name: str | None) -> Results:
    """The summary of a finished batch, read back from the folder when there is one."""
    if folder is not None:
        folder.replications = target
        kpis = folder.read_table("replications")
        durations, filled = fill_times_from_reqs(
            folder.read_table("reqs", columns=FILL_TIME_COLUMNS),
            scenario.simulation.horizon_days)
    else:
        kpis = tidy("replications", acc.frame(), name or scenario.name)
        durations, filled = acc.fill_arrays()
    outcome = Results(scenario, seed, target, kpis, summarize_kpis(kpis, durations, filled),
                      goals=[goal_probability(g, kpis) for g in goals],
                      folder=None if folder is None else folder.path, runs=acc.runs,
                      resumed=resumed, precision_reached=reached, name=name or "")
    if folder is not None:
        outcome.files = folder.finish(outcome.to_dict())
    return outcome
