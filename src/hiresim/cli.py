"""The ``hiresim`` command line: parse, call the library, print. Nothing imports this.

Each command parses its options, calls ``hiresim.batch``/``hiresim.studies`` (which also
write every file of a result folder) and prints with ``hiresim.summary_table``. Shared
options, progress and one-line errors are in ``hiresim.console``. Simulation, pandas and
the output machinery are imported inside the commands that need them, so that
``hiresim validate`` and ``--help`` answer at once.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hiresim import __version__
from hiresim import console as ui
from hiresim.compiled import core_mode
from hiresim.goals import DEFAULT_CONFIDENCE
from hiresim.scenario_files import SWEEP, OverrideError, expand_grid, load_document
from hiresim.scenario_problems import ScenarioError
from hiresim.summary_table import (
    difference_table,
    event_log,
    goal_lines,
    inspection_lines,
    precision_lines,
    summary_table,
    sweep_report,
    warnings_for,
)

if TYPE_CHECKING:
    pass

OUT_HELP = "Write a result folder (tables, resolved scenario, provenance)."


def _json(value: object) -> str:
    from hiresim.outputs import json_safe

    return json.dumps(json_safe(value))


@click.group(cls=ui.OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
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
    for path, scenario in zip(files, ui.load_all(files, sets, debug), strict=True):
        click.echo(f"{path}: ok ({scenario.name})")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@ui.simulation_options
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help=OUT_HELP + " With several FILES, one sub-folder per scenario.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run in --out: only missing replications run.")
@click.option("--records", type=click.Choice(["none", "candidates"]), default="none",
              show_default=True, help="candidates: also write per-candidate and per-stage "
                                      "tables to --out (more disk and memory).")
@click.option("--table-format", type=click.Choice(["parquet", "csv"]), default="parquet",
              show_default=True, help="File format of the tables in --out.")
@click.option("--precision", type=ui.Fraction(open_low=True, open_high=True), default=None,
              help="Add replications until the main KPIs' 95% half-widths are within this "
                   "fraction of their means (e.g. 0.02).")
@click.option("--max-replications", type=click.IntRange(min=1), default=5000,
              show_default=True, help="Upper bound for --precision.")
@click.option("--replication", type=click.IntRange(min=0), default=None,
              help="Re-run replication K alone and print its event log (to inspect an "
                   "outlier).")
@ui.bottleneck_option
def run(files: tuple[str, ...], replications: int | None, seed: int | None,
        sets: tuple[str, ...], fmt: str, workers: int | None, dask: str | None,
        goals: tuple[str, ...], quiet: bool, debug: bool, report_path: str | None,
        cdn: bool, force: bool, out: str | None, resume: bool, records: str,
        table_format: str, precision: float | None, max_replications: int,
        replication: int | None, bottleneck: bool) -> None:
    """Simulate each scenario in FILES and print a summary of its KPIs with 95% confidence
    intervals across replications. With several files, the table puts them side by side."""
    from hiresim.batch import run_batch
    from hiresim.outputs import recorded_replications
    from hiresim.studies import folder_names, run_bottlenecks

    if resume and force:
        raise click.UsageError("--resume and --force exclude each other")
    if (resume or force) and out is None:
        raise click.UsageError("--resume and --force need --out")
    if resume and precision is not None:
        raise click.UsageError("--resume cannot be combined with --precision")
    parsed_goals = ui.parse_goals(goals)
    scenarios = ui.load_all(files, sets, debug)
    for path in files:
        if SWEEP in load_document(path).data:
            click.echo(f"note: {path} has a sweep: section; 'hiresim run' runs its base "
                       f"scenario only, 'hiresim sweep {path}' runs every point", err=True)
    if replication is not None:
        return _inspect(scenarios, replication, seed, fmt)
    subfolders = folder_names([s.name for s in scenarios])
    protect = ui.inputs(files)
    ui.check_report_target(report_path, protect)
    hint = ui.resume_hint()
    outcomes = []
    with ui.report_folder(out, report_path) as out, ui.executor(workers, dask) as ex:
        for sc, sub in zip(scenarios, subfolders, strict=True):
            target = None if out is None else (
                Path(out) if len(scenarios) == 1 else Path(out) / sub)
            n = replications or sc.simulation.replications
            if resume and replications is None and target is not None:
                n = recorded_replications(target) or n
            batch = functools.partial(
                run_batch, sc, n, sc.simulation.seed if seed is None else seed, ex,
                detail=records == "candidates", out=target, force=force, resume=resume,
                table_format=table_format, precision=precision, goals=parsed_goals,
                max_replications=max_replications if precision else None, protect=protect)
            outcomes.append(ui.with_progress(quiet, n, sc.name, functools.partial(
                ui.guarded_batch, batch, debug, sc.name,
                hint if ui.says_where(target) else None, target)))
        payloads = [o.to_dict() for o in outcomes]
        found = run_bottlenecks(outcomes, ex, parsed_goals) if bottleneck else []
        if fmt == "json":
            for payload in payloads:
                click.echo(_json(payload))
        else:
            click.echo(summary_table(payloads))
            for payload in payloads:
                for line in goal_lines(payload):
                    click.echo(line)
            for line in precision_lines(outcomes, precision, max_replications) + [
                    f"{b['scenario']}: {b['sentence']}" for b in found]:
                click.echo(line)
        for payload in payloads:
            for line in warnings_for(payload):
                click.echo(line, err=True)
        for o in outcomes:
            if o.files and ui.says_where(o.folder):
                click.echo(f"{o.name}: results in {o.folder}/ "
                           f"({', '.join(p.name for p in o.files)})", err=True)
        _report(out, report_path, cdn, debug, protect)


def _report(out: str | Path | None, report_path: str | None, cdn: bool, debug: bool,
            protect: list[Path]) -> None:
    if report_path is not None and out is not None:
        ui.write_report(Path(out), report_path, cdn, debug, protect)
        click.echo(f"report: {report_path}", err=True)


def _inspect(scenarios: list, k: int, seed: int | None, fmt: str) -> None:
    """Re-run replication ``k`` of each scenario and print its KPIs and event log."""
    from hiresim.replication import run_replication

    for scenario in scenarios:
        root_seed = scenario.simulation.seed if seed is None else seed
        result = run_replication(scenario, k, root_seed, record_detail=True)
        if fmt == "json":
            click.echo(_json({"scenario": scenario.name, "replication": k, "seed": root_seed,
                              "kpis": result.kpis, "events": event_log(result)}))
        else:
            click.echo("\n".join(inspection_lines(scenario.name, result)))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@ui.simulation_options
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Write one result folder per scenario plus comparison.json.")
@ui.bottleneck_option
def compare(files: tuple[str, ...], replications: int | None, seed: int | None,
            sets: tuple[str, ...], fmt: str, workers: int | None, dask: str | None,
            goals: tuple[str, ...], quiet: bool, debug: bool, report_path: str | None,
            cdn: bool, force: bool, out: str | None, bottleneck: bool) -> None:
    """Compare scenarios FILES on common random numbers: each KPI per scenario, and the
    paired difference of each against the FIRST with 95% intervals (Bonferroni-adjusted
    for the number of comparisons), in numbers and in words."""
    from hiresim.studies import compare_study

    if len(files) < 2:
        raise click.UsageError("compare needs at least two scenario files")
    parsed_goals = ui.parse_goals(goals)
    scenarios = ui.load_all(files, sets, debug)
    n = replications or max(s.simulation.replications for s in scenarios)
    protect = ui.inputs(files)
    ui.check_report_target(report_path, protect)
    with ui.report_folder(out, report_path) as out, ui.executor(workers, dask) as ex:
        folder = None if out is None else Path(out)
        study = ui.with_progress(quiet, n * len(scenarios), "compare", lambda bar: ui.guarded(
            debug, "compare", None, lambda: compare_study(
                scenarios, replications, seed, ex, parsed_goals, folder, bar,
                lambda s: bar.label(f"compare: {s.name}"), force=force, protect=protect,
                bottleneck=bottleneck), folder))
        report = study.report
        if fmt == "json":
            click.echo(_json(report))
        else:
            click.echo(summary_table(report["scenarios"]))
            for payload in report["scenarios"]:
                for line in goal_lines(payload):
                    click.echo(line)
            click.echo("\n" + difference_table(report["differences"], report["baseline"],
                                               report["comparisons"]) + "\n")
            for line in report["statements"]:
                click.echo(f"- {line}")
        for payload in report["scenarios"]:
            for line in warnings_for(payload):
                click.echo(line, err=True)
        if ui.says_where(folder):
            click.echo(f"results in {folder}/", err=True)
        _report(folder, report_path, cdn, debug, protect)


@main.command()
@click.argument("file", type=click.Path(dir_okay=True))
@ui.simulation_options
@click.option("--vary", "varies", multiple=True, metavar="PATH=V1,V2,...",
              help="Add a sweep axis, e.g. --vary team.sourcers.count=1,2,3. Repeatable; "
                   "combined with the file's sweep: section.")
@click.option("--confidence", type=ui.Fraction(), default=DEFAULT_CONFIDENCE,
              show_default=True,
              help="Probability of meeting all goals that the recommended team must reach.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Write sweep.parquet (one row per point and replication), "
                   "sweep_summary.json and one result folder per point.")
@ui.budget_option
def sweep(file: str, replications: int | None, seed: int | None, sets: tuple[str, ...],
          fmt: str, workers: int | None, dask: str | None, goals: tuple[str, ...],
          quiet: bool, debug: bool, report_path: str | None, cdn: bool, force: bool,
          varies: tuple[str, ...], confidence: float, out: str | None,
          budget: int | None) -> None:
    """Run the grid of team shapes in FILE's sweep: section (and --vary axes) and report
    each point's KPIs, the Pareto frontier of cost per hire against P80 time-to-fill, the
    cheapest team that meets the --goal(s), and what to buy next."""
    from hiresim.studies import sweep_study

    parsed_goals = ui.parse_goals(goals)
    try:
        points = expand_grid(file, list(varies), sets)
    except ScenarioError as err:
        if debug:
            raise
        ui.bad_input(str(err))
    except OverrideError as err:
        raise click.BadParameter(str(err), param_hint="--vary/--set") from None
    budget = ui.sweep_budget(budget, replications, parsed_goals, len(points))
    n = budget or (replications or max(p.scenario.simulation.replications for p in points))
    protect = ui.inputs((file,))
    ui.check_report_target(report_path, protect)
    with ui.report_folder(out, report_path) as out, ui.executor(workers, dask) as ex:
        folder = None if out is None else Path(out)
        study = ui.with_progress(quiet, n * len(points), "sweep", lambda bar: ui.guarded(
            debug, "sweep", None, lambda: sweep_study(
                points, replications, seed, ex, parsed_goals, confidence, folder, bar,
                lambda s: bar.label(f"sweep: {s.name}"), force=force, source=file,
                protect=protect, budget=budget), folder))
        click.echo(_json(study.report) if fmt == "json" else sweep_report(study.report))
        if ui.says_where(folder):
            click.echo(f"results in {folder}/", err=True)
        _report(folder, report_path, cdn, debug, protect)


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
    path = ui.write_report(Path(folder), output, cdn, debug)
    click.echo(f"report: {path}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
