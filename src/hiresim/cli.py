"""The ``hiresim`` command line: parse, call the library, print. Nothing imports this.

Exit codes: 0 success, 2 bad input (scenario file, flags or output folder; one line per
problem on stderr, no traceback), 130 interrupted (Ctrl-C; says how to resume).
"""

from __future__ import annotations

import json
import shlex
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from hiresim import __version__
from hiresim.batch import BatchOutcome, run_batch
from hiresim.experiment import Executor, ExecutorUnavailable, make_executor
from hiresim.goals import GoalError, goal_probability, parse_goal
from hiresim.outputs import OutputError, json_safe, recorded_replications
from hiresim.replication import run_replication
from hiresim.scenario import Scenario, load_scenario
from hiresim.scenario_yaml import ScenarioError
from hiresim.summary_table import event_log, goal_lines, summary_table, warnings_for


def _bad_input(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(2)


def _load_all(files: tuple[str, ...], debug: bool) -> list[Scenario]:
    """Load every file; report the problems of all of them before exiting."""
    scenarios, problems = [], []
    for path in files:
        try:
            scenarios.append(load_scenario(path))
        except ScenarioError as err:
            if debug:
                raise
            problems.append(str(err))
    if problems:
        _bad_input("\n".join(problems))
    return scenarios


@contextmanager
def _executor(workers: int | None, dask: str | None):  # noqa: ANN202
    try:
        ex = make_executor(workers, dask)
    except ExecutorUnavailable as err:
        _bad_input(f"error: {err}")
    try:
        yield ex
    finally:
        ex.close()


class _Progress:
    """A progress bar on stderr with done/total, rate and ETA; silent when not a terminal."""

    def __init__(self, total: int, label: str, quiet: bool) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, desc=label, unit="rep", file=sys.stderr, leave=False,
                         disable=quiet or not sys.stderr.isatty(), dynamic_ncols=True)

    def __call__(self, n: int) -> None:
        if self._bar.n + n > self._bar.total:
            self._bar.total = self._bar.n + n
        self._bar.update(n)

    def close(self) -> None:
        self._bar.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hiresim")
def main() -> None:
    """hiresim: simulate a hiring team to decide between a combined full-cycle recruiter
    role and split sourcer/recruiter roles, and how many of each.

    Scenario files (YAML) describe a team and a hiring plan; see scenarios/ and README.md.
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--debug", is_flag=True, help="Show full tracebacks (for developers).")
def validate(files: tuple[str, ...], debug: bool) -> None:
    """Check scenario FILES. Exit 0 if all are valid; otherwise exit 2 and print one line
    per problem on stderr as FILE:LINE:COL: error: path: message."""
    scenarios = _load_all(files, debug)
    for path, scenario in zip(files, scenarios, strict=True):
        click.echo(f"{path}: ok ({scenario.name})")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("-n", "--replications", type=click.IntRange(min=1), default=None,
              help="Replications per scenario [default: the file's simulation.replications].")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Root random seed [default: the file's simulation.seed].")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table: aligned text; json: one JSON object per line.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes [default: all cores]. Results do not depend on it.")
@click.option("--dask", metavar="ADDRESS", default=None,
              help="Run on a Dask cluster at ADDRESS (tcp://host:8786), or 'local' to start "
                   "a LocalCluster. Needs: pip install 'hiresim[dask]'.")
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
@click.option("--goal", "goals", multiple=True, metavar="GOAL",
              help="A goal to meet, e.g. 'time_to_fill_days.p80<=60' or 'fill_rate>=0.9'; "
                   "prints the probability of meeting it. Repeatable.")
@click.option("--precision", type=click.FloatRange(min=0.0, min_open=True), default=None,
              help="Add replications until the main KPIs' 95% half-widths are within this "
                   "fraction of their means (e.g. 0.02).")
@click.option("--max-replications", type=click.IntRange(min=1), default=5000,
              show_default=True, help="Upper bound for --precision.")
@click.option("--replication", type=click.IntRange(min=0), default=None,
              help="Re-run replication K alone and print its event log (to inspect an "
                   "outlier).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--debug", is_flag=True, help="Show full tracebacks (for developers).")
def run(files: tuple[str, ...], replications: int | None, seed: int | None, fmt: str,
        workers: int | None, dask: str | None, out: str | None, force: bool, resume: bool,
        records: str, table_format: str, goals: tuple[str, ...], precision: float | None,
        max_replications: int, replication: int | None, quiet: bool, debug: bool) -> None:
    """Simulate each scenario in FILES and print a summary of its KPIs with 95% confidence
    intervals across replications. With several files, the table puts them side by side."""
    if resume and force:
        raise click.UsageError("--resume and --force exclude each other")
    if (resume or force) and out is None:
        raise click.UsageError("--resume and --force need --out")
    if resume and precision is not None:
        raise click.UsageError("--resume cannot be combined with --precision")
    try:
        parsed_goals = [parse_goal(g) for g in goals]
    except GoalError as err:
        raise click.BadParameter(str(err), param_hint="--goal") from None
    scenarios = _load_all(files, debug)
    if replication is not None:
        _inspect_replication(scenarios, replication, seed, fmt)
        return
    if out is not None and len(scenarios) > 1:
        names = [s.name for s in scenarios]
        if len(set(names)) != len(names):
            _bad_input("error: --out with several files needs distinct scenario names")
    outcomes: list[BatchOutcome] = []
    with _executor(workers, dask) as ex:
        for scenario in scenarios:
            target = None if out is None else (
                Path(out) if len(scenarios) == 1 else Path(out) / scenario.name)
            outcomes.append(_run_one(scenario, replications, seed, ex, target, force, resume,
                                     records, table_format, precision, max_replications,
                                     quiet, debug))
    for outcome in outcomes:
        known = set(outcome.kpis.columns)
        for goal in parsed_goals:
            if goal.column not in known:
                raise click.BadParameter(f"unknown metric in goal {goal.text!r}",
                                         param_hint="--goal")
    payloads = []
    for outcome in outcomes:
        payload = outcome.to_dict()
        if parsed_goals:
            payload["goals"] = [goal_probability(g, outcome.kpis) for g in parsed_goals]
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
                           if o.replications < max_replications else
                           f"{o.scenario.name}: stopped at --max-replications "
                           f"{max_replications} before reaching precision {precision:g}")
    for payload in payloads:
        for line in warnings_for(payload):
            click.echo(line, err=True)
    for outcome in outcomes:
        if outcome.files:
            folder = outcome.files[0].parent
            click.echo(f"{outcome.scenario.name}: results in {folder}/ "
                       f"({', '.join(p.name for p in outcome.files)})", err=True)


def _run_one(scenario: Scenario, replications: int | None, seed: int | None, ex: Executor,
             target: Path | None, force: bool, resume: bool, records: str, table_format: str,
             precision: float | None, max_replications: int, quiet: bool,
             debug: bool) -> BatchOutcome:
    n = replications or scenario.simulation.replications
    if resume and replications is None and target is not None:
        n = recorded_replications(target) or n
    root_seed = scenario.simulation.seed if seed is None else seed
    bar = _Progress(n, scenario.name, quiet)
    try:
        return run_batch(scenario, n, root_seed, ex, detail=records == "candidates",
                         out=target, force=force, resume=resume, table_format=table_format,
                         progress=bar, precision=precision,
                         max_replications=max_replications if precision else None)
    except OutputError as err:
        if debug:
            raise
        _bad_input(f"error: {err}")
    except OSError as err:
        if debug:
            raise
        _bad_input(f"error: {err.filename or target}: {err.strerror}")
    except KeyboardInterrupt:
        bar.close()
        if target is not None:
            args = [a for a in sys.argv[1:] if a not in ("--force", "--resume")]
            again = "hiresim " + " ".join(shlex.quote(a) for a in args) + " --resume"
            tail = f"Finished replications are saved in {target}; continue with: {again}"
        else:
            tail = "Nothing was saved (use --out DIR to keep finished replications)."
        click.echo(f"\ninterrupted: {scenario.name} stopped before finishing. {tail}", err=True)
        sys.exit(130)
    finally:
        bar.close()


def _inspect_replication(scenarios: list[Scenario], k: int, seed: int | None,
                         fmt: str) -> None:
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


if __name__ == "__main__":  # pragma: no cover
    main()
