"""The ``hiresim`` command line: parse, call the library, print. Nothing imports this.

Exit codes: 0 success, 2 bad input (scenario file, flags or output folder; one line per
problem on stderr, no traceback), 130 interrupted (Ctrl-C; says how to resume).
"""

from __future__ import annotations

import functools
import json
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from hiresim import __version__
from hiresim.compiled import core_mode
from hiresim.goals import DEFAULT_CONFIDENCE, Goal, GoalError, goal_probability, parse_goal
from hiresim.kpis import KPI_NAMES
from hiresim.scenario import Scenario
from hiresim.scenario_files import (
    SWEEP,
    OverrideError,
    expand_grid,
    load_document,
    load_scenario,
)
from hiresim.scenario_problems import ScenarioError
from hiresim.summary_table import (
    difference_table,
    event_log,
    goal_lines,
    summary_table,
    sweep_report,
    warnings_for,
)

if TYPE_CHECKING:
    from hiresim.batch import BatchOutcome
    from hiresim.experiment import Executor

# Simulation, pandas and the output machinery are imported inside the commands that need
# them, so that 'hiresim validate' and '--help' answer at once.


def _bad_input(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(2)


def _load_all(files: tuple[str, ...], sets: tuple[str, ...], debug: bool) -> list[Scenario]:
    """Load every file; report the problems of all of them before exiting."""
    scenarios, problems = [], []
    for path in files:
        try:
            scenarios.append(load_scenario(path, sets))
        except ScenarioError as err:
            if debug:
                raise
            problems.append(str(err))
        except OverrideError as err:
            raise click.BadParameter(str(err), param_hint="--set") from None
    if problems:
        _bad_input("\n".join(problems))
    return scenarios


def _goals(texts: tuple[str, ...]) -> list[Goal]:
    try:
        return [parse_goal(g, set(KPI_NAMES)) for g in texts]
    except GoalError as err:
        raise click.BadParameter(str(err), param_hint="--goal") from None


@contextmanager
def _executor(workers: int | None, dask: str | None) -> Iterator[Executor]:
    from hiresim.experiment import ExecutorUnavailable, make_executor

    try:
        ex = make_executor(workers, dask)
    except ExecutorUnavailable as err:
        _bad_input(f"error: {err}")
    try:
        yield ex
    except BaseException:  # Ctrl-C (exit 130) or a problem: do not wait for queued work
        ex.close(wait=False)
        raise
    ex.close()


class _Progress:
    """A progress bar on stderr with done/total, rate and ETA; silent when not a terminal."""

    def __init__(self, total: int, label: str, quiet: bool) -> None:
        from tqdm import tqdm

        # No monitor thread: worker processes are forked after the bar starts, and a fork
        # while another thread runs can deadlock the child (Python 3.12+ warns of it).
        tqdm.monitor_interval = 0
        self._bar = tqdm(total=total, desc=label, unit="rep", file=sys.stderr, leave=False,
                         disable=quiet or not sys.stderr.isatty(), dynamic_ncols=True)

    def __call__(self, n: int) -> None:
        if self._bar.n + n > self._bar.total:
            self._bar.total = self._bar.n + n
        self._bar.update(n)

    def label(self, text: str) -> None:
        self._bar.set_description(text, refresh=False)

    def close(self) -> None:
        self._bar.close()


def _fresh_folder(out: str | None, force: bool) -> Path | None:
    """A top-level --out folder for compare/sweep: refuse a non-empty one without --force."""
    if out is None:
        return None
    path = Path(out)
    if path.exists() and not path.is_dir():
        _bad_input(f"error: {path}: exists and is not a folder")
    if path.exists() and any(path.iterdir()):
        if not force:
            _bad_input(f"error: {path}: folder exists and is not empty; use --force to "
                       "overwrite it")
        shutil.rmtree(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        _bad_input(f"error: {path}: cannot create the folder: {err.strerror}")
    return path


@contextmanager
def _report_folder(out: str | None, report_path: str | None) -> Iterator[str | None]:
    """--report without --out: results go to a temporary folder, removed afterwards."""
    if report_path is None or out is not None:
        yield out
        return
    tmp = tempfile.mkdtemp(prefix="hiresim-")
    _TEMPORARY.add(str(Path(tmp) / "results"))
    try:
        yield str(Path(tmp) / "results")
    finally:
        _TEMPORARY.discard(str(Path(tmp) / "results"))
        shutil.rmtree(tmp, ignore_errors=True)


_TEMPORARY: set[str] = set()  # result folders made only for --report (not worth naming)


def _says_where(folder: Path | str) -> bool:
    return not any(str(folder).startswith(t) for t in _TEMPORARY)


# ------------------------------------------------------------------ shared options

def _simulation_options(func: Callable) -> Callable:
    """Options every simulating command shares."""
    options = [
        click.option("-n", "--replications", type=click.IntRange(min=1), default=None,
                     help="Replications per scenario [default: the file's "
                          "simulation.replications]."),
        click.option("--seed", type=click.IntRange(min=0), default=None,
                     help="Root random seed [default: the file's simulation.seed]."),
        click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
                     help="Override one setting, e.g. --set team.recruiters.count=4 or "
                          "--set 'profiles[backend].openings.count=40'. Repeatable."),
        click.option("--format", "fmt", type=click.Choice(["table", "json"]),
                     default="table", show_default=True,
                     help="table: aligned text; json: JSON objects, one per line."),
        click.option("--workers", type=click.IntRange(min=1), default=None,
                     help="Local worker processes [default: all cores]. Results do not "
                          "depend on it."),
        click.option("--dask", metavar="ADDRESS", default=None,
                     help="Run on a Dask cluster at ADDRESS (tcp://host:8786), or 'local' "
                          "to start a LocalCluster. Needs: pip install 'hiresim[dask]'."),
        click.option("--goal", "goals", multiple=True, metavar="GOAL",
                     help="A goal, e.g. 'time_to_fill_days.p80<=60' or 'fill_rate>=0.9'; "
                          "reports the probability of meeting it. Repeatable."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
        click.option("--debug", is_flag=True, help="Show full tracebacks (for developers)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _guarded(debug: bool, scenario_name: str, resume_hint: str | None,
             func: Callable[[], Any], where: Path | str | None = None) -> Any:
    """Run a batch; turn folder problems into exit 2 and Ctrl-C into exit 130."""
    from hiresim.outputs import OutputError

    try:
        return func()
    except OutputError as err:
        if debug:
            raise
        _bad_input(f"error: {err}")
    except OSError as err:
        if debug:
            raise
        place = err.filename or where or "output"
        _bad_input(f"error: {place}: {err.strerror or err}")
    except KeyboardInterrupt:
        tail = (f"Finished replications are saved; continue with: {resume_hint}"
                if resume_hint else "Nothing was saved (use --out DIR with 'hiresim run' to "
                                    "keep finished replications).")
        click.echo(f"\ninterrupted: {scenario_name} stopped before finishing. {tail}", err=True)
        sys.exit(130)


# ------------------------------------------------------------------ commands

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hiresim",
                      message=f"%(prog)s, version %(version)s (simulation core: {core_mode()})")
def main() -> None:
    """hiresim: simulate a hiring team to decide between a combined full-cycle recruiter
    role and split sourcer/recruiter roles, and how many of each.

    Scenario files (YAML) describe a team and a hiring plan; see scenarios/ and README.md.
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="Override one setting before validating. Repeatable.")
@click.option("--debug", is_flag=True, help="Show full tracebacks (for developers).")
def validate(files: tuple[str, ...], sets: tuple[str, ...], debug: bool) -> None:
    """Check scenario FILES. Exit 0 if all are valid; otherwise exit 2 and print one line
    per problem on stderr as FILE:LINE:COL: error: path: message."""
    scenarios = _load_all(files, sets, debug)
    for path, scenario in zip(files, scenarios, strict=True):
        click.echo(f"{path}: ok ({scenario.name})")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@_simulation_options
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Write a result folder (tables, resolved scenario, provenance). With "
                   "several FILES, one sub-folder per scenario.")
@click.option("--force", is_flag=True, help="Overwrite a non-empty --out folder.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run in --out: only missing replications run.")
@click.option("--records", type=click.Choice(["none", "candidates"]), default="none",
              show_default=True, help="candidates: also write per-candidate and per-stage "
                                      "tables to --out (more disk and memory).")
@click.option("--table-format", type=click.Choice(["parquet", "csv"]), default="parquet",
              show_default=True, help="File format of the tables in --out.")
@click.option("--precision", type=click.FloatRange(min=0.0, min_open=True), default=None,
              help="Add replications until the main KPIs' 95% half-widths are within this "
                   "fraction of their means (e.g. 0.02).")
@click.option("--max-replications", type=click.IntRange(min=1), default=5000,
              show_default=True, help="Upper bound for --precision.")
@click.option("--replication", type=click.IntRange(min=0), default=None,
              help="Re-run replication K alone and print its event log (to inspect an "
                   "outlier).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Also write an HTML report to this file (see 'hiresim report').")
@click.option("--cdn", is_flag=True, help="With --report: load plotly.js from the web.")
def run(files: tuple[str, ...], replications: int | None, seed: int | None,
        sets: tuple[str, ...], fmt: str, workers: int | None, dask: str | None,
        goals: tuple[str, ...], quiet: bool, debug: bool, out: str | None, force: bool,
        resume: bool, records: str, table_format: str, precision: float | None,
        max_replications: int, replication: int | None, report_path: str | None,
        cdn: bool) -> None:
    """Simulate each scenario in FILES and print a summary of its KPIs with 95% confidence
    intervals across replications. With several files, the table puts them side by side."""

    if resume and force:
        raise click.UsageError("--resume and --force exclude each other")
    if (resume or force) and out is None:
        raise click.UsageError("--resume and --force need --out")
    if resume and precision is not None:
        raise click.UsageError("--resume cannot be combined with --precision")
    parsed_goals = _goals(goals)
    scenarios = _load_all(files, sets, debug)
    for path in files:
        if SWEEP in load_document(path).data:
            click.echo(f"note: {path} has a sweep: section; 'hiresim run' runs its base "
                       f"scenario only, 'hiresim sweep {path}' runs every point", err=True)
    if replication is not None:
        _inspect_replication(scenarios, replication, seed, fmt)
        return
    if out is not None and len(scenarios) > 1:
        names = [s.name for s in scenarios]
        if len(set(names)) != len(names):
            _bad_input("error: --out with several files needs distinct scenario names")
    with _report_folder(out, report_path) as out:
        _run(scenarios, files, replications, seed, fmt, workers, dask, parsed_goals, quiet,
             debug, out, force, resume, records, table_format, precision, max_replications)
        if report_path is not None:
            assert out is not None  # _report_folder gives a folder whenever there is a report
            _write_report(Path(out), report_path, cdn, debug)
            click.echo(f"report: {report_path}", err=True)


def _run(scenarios: list[Scenario], files: tuple[str, ...], replications: int | None,
         seed: int | None, fmt: str, workers: int | None, dask: str | None,
         parsed_goals: list[Goal], quiet: bool, debug: bool, out: str | None, force: bool,
         resume: bool, records: str, table_format: str, precision: float | None,
         max_replications: int) -> None:
    from hiresim.batch import run_batch
    from hiresim.outputs import json_safe, recorded_replications
    from hiresim.studies import safe_name
    from hiresim.table_files import atomic_write_text

    outcomes: list[BatchOutcome] = []
    with _executor(workers, dask) as ex:
        for scenario in scenarios:
            target = None if out is None else (
                Path(out) if len(scenarios) == 1 else Path(out) / safe_name(scenario.name))
            n = replications or scenario.simulation.replications
            if resume and replications is None and target is not None:
                n = recorded_replications(target) or n
            root_seed = scenario.simulation.seed if seed is None else seed
            bar = _Progress(n, scenario.name, quiet)
            hint = None
            if target is not None:
                args = [a for a in sys.argv[1:] if a not in ("--force", "--resume")]
                hint = "hiresim " + " ".join(shlex.quote(a) for a in args) + " --resume"
            try:
                outcomes.append(_guarded(debug, scenario.name, hint, functools.partial(
                    run_batch, scenario, n, root_seed, ex, detail=records == "candidates",
                    out=target, force=force, resume=resume, table_format=table_format,
                    progress=bar, precision=precision,
                    max_replications=max_replications if precision else None), target))
            finally:
                bar.close()
    payloads = []
    for outcome in outcomes:
        payload = outcome.to_dict()
        if parsed_goals:
            payload["goals"] = [goal_probability(g, outcome.kpis) for g in parsed_goals]
            if outcome.files:  # keep the goals with the saved summary (the report shows them)
                atomic_write_text(outcome.files[0].parent / "summary.json",
                                  json.dumps(json_safe(payload), indent=2))
        payloads.append(payload)
    if fmt == "json":
        for payload in payloads:
            click.echo(json.dumps(json_safe(payload)))
    else:
        click.echo(summary_table(payloads))
        for payload in payloads:
            for line in goal_lines(payload):
                click.echo(line)
        if precision is not None:
            for o in outcomes:
                click.echo(f"{o.scenario.name}: {o.replications} replications reached "
                           f"the requested precision of {precision:g}"
                           if o.precision_reached else
                           f"{o.scenario.name}: stopped at --max-replications "
                           f"{max_replications} before reaching precision {precision:g}")
    for payload in payloads:
        for line in warnings_for(payload):
            click.echo(line, err=True)
    for outcome in outcomes:
        if outcome.files and _says_where(outcome.files[0].parent):
            folder = outcome.files[0].parent
            click.echo(f"{outcome.scenario.name}: results in {folder}/ "
                       f"({', '.join(p.name for p in outcome.files)})", err=True)


def _study(quiet: bool, debug: bool, replications: int | None, scenarios: list[Scenario],
           label: str, func: Callable[[_Progress, Callable[[Scenario], None]], Any],
           where: Path | None = None) -> Any:
    """Run a compare/sweep study with one progress bar across all its scenarios."""
    n = replications or max(s.simulation.replications for s in scenarios)
    bar = _Progress(n * len(scenarios), label, quiet)
    try:
        return _guarded(debug, label, None, lambda: func(
            bar, lambda s: bar.label(f"{label}: {s.name}")), where)
    finally:
        bar.close()


def _inspect_replication(scenarios: list[Scenario], k: int, seed: int | None,
                         fmt: str) -> None:
    from hiresim.outputs import json_safe
    from hiresim.replication import run_replication

    for scenario in scenarios:
        root_seed = scenario.simulation.seed if seed is None else seed
        result = run_replication(scenario, k, root_seed, record_detail=True)
        log = event_log(result)
        if fmt == "json":
            click.echo(json.dumps(json_safe({
                "scenario": scenario.name, "replication": k, "seed": root_seed,
                "kpis": result.kpis, "events": log})))
            continue
        click.echo(f"{scenario.name}: replication {k} of seed {root_seed}")
        for key, value in result.kpis.items():
            click.echo(f"  {key:34s} {value:,.3f}")
        click.echo("\nevent log (day, event):")
        for day, text in log:
            click.echo(f"{day:9.2f}  {text}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@_simulation_options
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Write one result folder per scenario plus comparison.json.")
@click.option("--force", is_flag=True, help="Overwrite a non-empty --out folder.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Also write an HTML report to this file (see 'hiresim report').")
@click.option("--cdn", is_flag=True, help="With --report: load plotly.js from the web.")
def compare(files: tuple[str, ...], replications: int | None, seed: int | None,
            sets: tuple[str, ...], fmt: str, workers: int | None, dask: str | None,
            goals: tuple[str, ...], quiet: bool, debug: bool, out: str | None,
            force: bool, report_path: str | None, cdn: bool) -> None:
    """Compare scenarios FILES on common random numbers: each KPI per scenario, and the
    paired difference of each against the FIRST with 95% intervals (Bonferroni-adjusted
    for the number of comparisons), in numbers and in words."""
    if len(files) < 2:
        raise click.UsageError("compare needs at least two scenario files")
    parsed_goals = _goals(goals)
    scenarios = _load_all(files, sets, debug)
    with _report_folder(out, report_path) as out:
        folder = _fresh_folder(out, force)
        _compare(scenarios, replications, seed, fmt, workers, dask, parsed_goals, quiet,
                 debug, folder)
        if report_path is not None and folder is not None:
            _write_report(folder, report_path, cdn, debug)
            click.echo(f"report: {report_path}", err=True)


def _compare(scenarios: list[Scenario], replications: int | None, seed: int | None, fmt: str,
             workers: int | None, dask: str | None, parsed_goals: list[Goal], quiet: bool,
             debug: bool, folder: Path | None) -> None:
    from hiresim.outputs import json_safe
    from hiresim.studies import compare_study
    from hiresim.table_files import atomic_write_text

    with _executor(workers, dask) as ex:
        study = _study(quiet, debug, replications, scenarios, "compare", lambda bar, start:
                       compare_study(scenarios, replications, seed, ex, parsed_goals, folder,
                                     bar, start), folder)
    report = study.report
    payloads = report["scenarios"]
    names = [p["scenario"] for p in payloads]
    differences = report["differences"]
    statements = report["statements"]
    if folder is not None:
        atomic_write_text(folder / "comparison.json", json.dumps(json_safe(report), indent=2))
    if fmt == "json":
        click.echo(json.dumps(json_safe(report)))
    else:
        click.echo(summary_table(payloads))
        for payload in payloads:
            for line in goal_lines(payload):
                click.echo(line)
        click.echo("")
        click.echo(difference_table(differences, names[0], len(names) - 1))
        click.echo("")
        for line in statements:
            click.echo(f"- {line}")
    for payload in payloads:
        for line in warnings_for(payload):
            click.echo(line, err=True)
    if folder is not None and _says_where(folder):
        click.echo(f"results in {folder}/", err=True)


@main.command()
@click.argument("file", type=click.Path(dir_okay=True))
@_simulation_options
@click.option("--vary", "varies", multiple=True, metavar="PATH=V1,V2,...",
              help="Add a sweep axis, e.g. --vary team.sourcers.count=1,2,3. Repeatable; "
                   "combined with the file's sweep: section.")
@click.option("--confidence", type=click.FloatRange(0.0, 1.0), default=DEFAULT_CONFIDENCE,
              show_default=True,
              help="Probability of meeting all goals that the recommended team must reach.")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Write sweep.parquet (one row per point and replication), "
                   "sweep_summary.json and one result folder per point.")
@click.option("--force", is_flag=True, help="Overwrite a non-empty --out folder.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Also write an HTML report to this file (see 'hiresim report').")
@click.option("--cdn", is_flag=True, help="With --report: load plotly.js from the web.")
def sweep(file: str, replications: int | None, seed: int | None, sets: tuple[str, ...],
          fmt: str, workers: int | None, dask: str | None, goals: tuple[str, ...],
          quiet: bool, debug: bool, varies: tuple[str, ...], confidence: float,
          out: str | None, force: bool, report_path: str | None, cdn: bool) -> None:
    """Run the grid of team shapes in FILE's sweep: section (and --vary axes) and report
    each point's KPIs, the Pareto frontier of cost per hire against P80 time-to-fill, the
    cheapest team that meets the --goal(s), and what to buy next."""
    parsed_goals = _goals(goals)
    try:
        points = expand_grid(file, list(varies), sets)
    except ScenarioError as err:
        if debug:
            raise
        _bad_input(str(err))
    except OverrideError as err:
        raise click.BadParameter(str(err), param_hint="--vary/--set") from None
    with _report_folder(out, report_path) as out:
        folder = _fresh_folder(out, force)
        _sweep(file, points, replications, seed, fmt, workers, dask, parsed_goals, quiet,
               debug, confidence, folder)
        if report_path is not None and folder is not None:
            _write_report(folder, report_path, cdn, debug)
            click.echo(f"report: {report_path}", err=True)


def _sweep(file: str, points: list, replications: int | None, seed: int | None, fmt: str,
           workers: int | None, dask: str | None, parsed_goals: list[Goal], quiet: bool,
           debug: bool, confidence: float, folder: Path | None) -> None:
    import pandas as pd

    from hiresim.outputs import json_safe
    from hiresim.studies import sweep_study
    from hiresim.table_files import atomic_write_frame, atomic_write_text

    with _executor(workers, dask) as ex:
        study = _study(quiet, debug, replications, [p.scenario for p in points], "sweep",
                       lambda bar, start: sweep_study(points, replications, seed, ex,
                                                      parsed_goals, confidence, folder, bar,
                                                      start), folder)
    results = study.points
    report = {"file": file, **study.report}
    if folder is not None:
        tidy = pd.concat(
            [r.kpis.assign(point=r.name, **{k: str(v) for k, v in r.settings.items()})
             for r in results], ignore_index=True)
        first = ["point", *results[0].settings.keys()]
        tidy = tidy[first + [c for c in tidy.columns if c not in first]]
        atomic_write_frame(folder / "sweep.parquet", tidy, "parquet")
        atomic_write_text(folder / "sweep_summary.json", json.dumps(json_safe(report), indent=2))
    if fmt == "json":
        click.echo(json.dumps(json_safe(report)))
    else:
        click.echo(sweep_report(report))
    if folder is not None and _says_where(folder):
        click.echo(f"results in {folder}/", err=True)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Where to write the HTML file [default: FOLDER/report.html].")
@click.option("--cdn", is_flag=True,
              help="Load plotly.js from the web instead of embedding it (a small file that "
                   "needs a connection to open).")
@click.option("--debug", is_flag=True, help="Show full tracebacks (for developers).")
def report(folder: str, output: str | None, cdn: bool, debug: bool) -> None:
    """Render one self-contained HTML report from a saved result folder (of run, compare or
    sweep --out), without simulating again."""
    path = _write_report(Path(folder), output, cdn, debug)
    click.echo(f"report: {path}", err=True)


def _write_report(folder: Path, output: str | Path | None, cdn: bool, debug: bool) -> Path:
    from hiresim.report import ReportError, write_report

    target = Path(output) if output is not None else folder / "report.html"
    try:
        return write_report(folder, target, cdn=cdn)
    except ReportError as err:
        if debug:
            raise
        _bad_input(f"error: {err}")
    except OSError as err:
        if debug:
            raise
        _bad_input(f"error: {err.filename or target}: {err.strerror or err}")


if __name__ == "__main__":  # pragma: no cover
    main()
