"""The Python API: what the command line does, as functions that return objects.

    >>> import hiresim
    >>> res = hiresim.simulate("scenarios/split.yaml", replications=50)
    >>> cmp = hiresim.compare(["scenarios/combined.yaml", "scenarios/split.yaml"],
    ...                       replications=50, goals=["time_to_fill_days.p80<=60"])
    >>> cmp.differences            # paired differences, one row per scenario and KPI
    >>> sw = hiresim.sweep("scenarios/split-team-sizes.yaml", replications=20,
    ...                    goals=["time_to_fill_days.p80<=60"])
    >>> sw.report["recommended"]; sw.table
    >>> hiresim.report("results/", "report.html")

Scenarios are given as files (``extends`` and ``sets`` applied) or as ``Scenario``
objects. Every function runs on common random numbers with the scenario's seed unless
``seed`` is given, on ``workers`` local processes (results do not depend on it) or a Dask
cluster (``dask="tcp://host:8786"`` or ``"local"``). With ``out``, the result folders are
written as the CLI writes them (``hiresim.outputs``), and ``hiresim.report`` renders one.
A scenario whose one replication is estimated too large to run safely raises
``hiresim.workload.WorkloadError`` before anything runs, unless ``allow_large=True``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from hiresim.batch import run_batch
from hiresim.experiment import make_executor
from hiresim.folder_guard import check_report_target
from hiresim.goals import DEFAULT_CONFIDENCE, Goal, parse_goal
from hiresim.outputs import verify_results
from hiresim.results import Results
from hiresim.scenario import Scenario
from hiresim.scenario_files import expand_grid, load_scenario
from hiresim.studies import Comparison, Sweep, compare_study, sweep_study

ScenarioLike = Scenario | str | Path
Progress = Callable[[int], None]


def _scenario(item: ScenarioLike, sets: Sequence[str] = ()) -> Scenario:
    return item if isinstance(item, Scenario) else load_scenario(item, list(sets))


def _goals(goals: Sequence[str | Goal]) -> list[Goal]:
    return [g if isinstance(g, Goal) else parse_goal(g) for g in goals]


def simulate(
    scenario: ScenarioLike,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    record_candidates: bool = False,
    *,
    goals: Sequence[str | Goal] = (),
    sets: Sequence[str] = (),
    out: str | Path | None = None,
    force: bool = False,
    dask: str | None = None,
    progress: Progress | None = None,
    allow_large: bool = False,
) -> Results:
    """Run one scenario ``replications`` times (default: its ``simulation`` section) and
    keep every replication's records for the Results' tables."""
    sc = _scenario(scenario, sets)
    n = replications or sc.simulation.replications
    root_seed = sc.simulation.seed if seed is None else seed
    with make_executor(workers, dask) as ex:
        return run_batch(sc, n, root_seed, ex, detail=record_candidates, out=out,
                         force=force, progress=progress, keep_runs=True, goals=_goals(goals),
                         allow_large=allow_large)


def compare(
    scenarios: Sequence[ScenarioLike],
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    *,
    goals: Sequence[str | Goal] = (),
    sets: Sequence[str] = (),
    out: str | Path | None = None,
    force: bool = False,
    dask: str | None = None,
    progress: Progress | None = None,
    allow_large: bool = False,
    bottleneck: bool = False,
) -> Comparison:
    """Run scenarios on common random numbers and compare each with the first; with
    ``bottleneck``, also name each one's bottleneck by effect (``hiresim.purchases``)."""
    loaded = [_scenario(s, sets) for s in scenarios]
    if len(loaded) < 2:
        raise ValueError("compare needs at least two scenarios")
    with make_executor(workers, dask) as ex:
        return compare_study(loaded, replications, seed, ex, _goals(goals),
                             None if out is None else Path(out), progress, force=force,
                             allow_large=allow_large, bottleneck=bottleneck)


def sweep(
    file: str | Path,
    vary: Sequence[str] = (),
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    *,
    goals: Sequence[str | Goal] = (),
    confidence: float = DEFAULT_CONFIDENCE,
    sets: Sequence[str] = (),
    out: str | Path | None = None,
    force: bool = False,
    dask: str | None = None,
    progress: Progress | None = None,
    allow_large: bool = False,
    budget: int | None = None,
) -> Sweep:
    """Run the grid of ``file``'s ``sweep:`` section and ``vary`` axes (``PATH=V1,V2``):
    Pareto frontier, the cheapest team meeting the goals, and what to buy next.
    ``budget`` (total replications, with goals) makes it sequential (``hiresim.ranking``)."""
    points = expand_grid(file, list(vary), tuple(sets))
    with make_executor(workers, dask) as ex:
        return sweep_study(points, replications, seed, ex, _goals(goals), confidence,
                           None if out is None else Path(out), progress, force=force,
                           source=str(file), allow_large=allow_large, budget=budget)


def report(folder: str | Path, output: str | Path | None = None, cdn: bool = False,
           protect: Collection[Path] = ()) -> Path:
    """Write the HTML report of a saved result folder (default ``FOLDER/report.html``), or
    of a study's JSON file: what ``hiresim sensitivity --out`` or ``hiresim sweep --robust
    --out`` wrote (default: its name with ``.html``; the page their ``--report`` writes).

    The folder's tables are first checked against its provenance (``outputs.verify_results``);
    the target must be a regular file that is none of ``protect`` (e.g. the run's inputs)
    and not inside a result folder except as an ``.html`` file at its top
    (``hiresim.folder_guard``). Anything else raises ``hiresim.html_report.ReportError``.
    """
    from hiresim.html_report import ReportError, write_report

    if not Path(folder).exists():
        raise ReportError(f"{folder}: no such result folder or file")
    if Path(folder).is_file():
        return study_report(Path(folder), output, cdn, protect)
    target = Path(output) if output is not None else Path(folder) / "report.html"
    check_report_target(target, protect)
    verify_results(Path(folder))
    return write_report(Path(folder), target, cdn=cdn)


# ``kind`` of a study's JSON report -> the function of ``html_report.sensitivity_page``
# that renders it (the same page as the command's ``--report``)
STUDY_PAGES = {"sensitivity": "sensitivity_page", "robust sweep": "robust_page"}
MAX_STUDY_BYTES = 64 * 2**20  # a study's JSON is small; anything larger is something else


def study_report(path: Path, output: str | Path | None = None, cdn: bool = False,
                 protect: Collection[Path] = ()) -> Path:
    """The HTML page of the JSON report of ``hiresim sensitivity`` or ``sweep --robust``
    at ``path`` (default target: ``path`` with ``.html``); ``ReportError`` with one line
    for any other file."""
    from hiresim.html_report import ReportError
    from hiresim.html_report import sensitivity_page as pages

    data = _study_json(path)
    kind = data.get("kind") if isinstance(data, dict) else None
    name = STUDY_PAGES.get(kind) if isinstance(kind, str) else None
    if name is None or not isinstance(data, dict):
        raise ReportError(
            f"{path}: not a hiresim result folder, nor the JSON file that 'hiresim "
            "sensitivity --out' or 'hiresim sweep --robust --out' writes")
    target = Path(output) if output is not None else path.with_suffix(".html")
    check_report_target(target, (*protect, path))
    try:
        page = getattr(pages, name)(data)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        raise ReportError(f"{path}: an incomplete or altered {kind} report "
                          f"({type(err).__name__}: {err}); write it again with --out") from None
    return Path(pages.write_page(page, target, cdn))


def _study_json(path: Path) -> object:
    """The JSON value in ``path``, or None when it is too large or not JSON text."""
    try:
        if path.stat().st_size > MAX_STUDY_BYTES:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
