"""The ``hiresim`` command line: parse, call the library, print. Nothing imports this.

Shared options, progress and one-line errors are in ``hiresim.console``; simulation, pandas
and the output machinery are imported inside the commands, so ``--help`` answers at once.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import click

from hiresim import __version__
from hiresim import console as ui
from hiresim.compiled import core_mode
from hiresim.goals import DEFAULT_CONFIDENCE
from hiresim.history_commands import COMMANDS as HISTORY_COMMANDS
from hiresim.scenario_files import OverrideError, expand_grid
from hiresim.scenario_problems import ScenarioError
from hiresim.summary_table import (
    difference_table,
    goal_lines,
    precision_lines,
    summary_table,
    sweep_report,
)
from hiresim.tool_commands import COMMANDS as TOOL_COMMANDS
from hiresim.tool_commands import robust_command, robust_options


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
@ui.plan_option
@click.option("--debug", is_flag=True, help="Show full tracebacks (for developers).")
@click.option("--allow-large", is_flag=True, help="Accept scenarios estimated too large.")
def validate(files: tuple[str, ...], sets: tuple[str, ...], debug: bool,
             allow_large: bool) -> None:
    """Check scenario FILES. Exit 0 if all are valid; otherwise exit 2 and print one line
    per problem on stderr as FILE:LINE:COL: error: path: message."""
    for path, scenario in zip(files, ui.load_all(files, sets, debug, allow_large), strict=True):
        click.echo(f"{path}: ok ({scenario.name})")
    ui.warn_assumptions(files, sets)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@ui.simulation_options
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Write a result folder (tables, resolved scenario, provenance); with "
                   "several FILES, one sub-folder per scenario.")
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
@ui.by_option
@ui.bottleneck_option
def run(files: tuple[str, ...], replications: int | None, seed: int | None,
        sets: tuple[str, ...], fmt: str, workers: int | None, dask: str | None,
        goals: tuple[str, ...], quiet: bool, debug: bool, report_path: str | None,
        cdn: bool, force: bool, allow_large: bool, out: str | None, resume: bool,
        records: str, table_format: str, precision: float | None, max_replications: int,
        replication: int | None, by: str, bottleneck: bool) -> None:
    """Simulate each scenario in FILES and print a summary of its KPIs with 95% confidence
    intervals across replications. With several files, the table puts them side by side."""
    from hiresim.batch import run_batch
    from hiresim.folder_guard import folder_names
    from hiresim.outputs import recorded_replications
    from hiresim.studies import run_bottlenecks

    ui.check_resume(resume, force, out, precision)
    parsed_goals = ui.parse_goals(goals)
    scenarios = ui.load_all(files, sets, debug, allow_large)
    ui.note_sweeps(files)
    if replication is not None:
        return ui.inspect(scenarios, replication, seed, fmt)
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
                max_replications=max_replications if precision else None, protect=protect,
                allow_large=allow_large, keep_runs=by == "month")
            outcomes.append(ui.with_progress(quiet, n, sc.name, functools.partial(
                ui.guarded_batch, batch, debug, sc.name,
                hint if ui.says_where(target) else None, target)))
        payloads = [ui.with_months(o, by) for o in outcomes]
        found = run_bottlenecks(outcomes, ex, parsed_goals) if bottleneck else []
        if fmt == "json":
            for payload in payloads:
                click.echo(_json(payload))
        else:
            click.echo(summary_table(payloads))
            for payload in payloads:
                for line in goal_lines(payload):
                    click.echo(line)
            ui.echo_months(outcomes, by)
            for line in precision_lines(outcomes, precision, max_replications) + [
                    f"{b['scenario']}: {b['sentence']}" for b in found]:
                click.echo(line)
        ui.echo_warnings(payloads)
        ui.warn_assumptions(files, sets)
        for o in outcomes:
            if o.files and ui.says_where(o.folder):
                click.echo(f"{o.name}: results in {o.folder}/ "
                           f"({', '.join(p.name for p in o.files)})", err=True)
        ui.report_if_asked(out, report_path, cdn, debug, protect)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@ui.simulation_options
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Write one result folder per scenario plus comparison.json.")
@ui.bottleneck_option
def compare(files: tuple[str, ...], replications: int | None, seed: int | None,
            sets: tuple[str, ...], fmt: str, workers: int | None, dask: str | None,
            goals: tuple[str, ...], quiet: bool, debug: bool, report_path: str | None,
            cdn: bool, force: bool, allow_large: bool, out: str | None,
            bottleneck: bool) -> None:
    """Compare scenarios FILES on common random numbers: each KPI per scenario, and the
    paired difference of each against the FIRST with 95% intervals (Bonferroni-adjusted
    for the number of comparisons), in numbers and in words."""
    from hiresim.studies import compare_study

    if len(files) < 2:
        raise click.UsageError("compare needs at least two scenario files")
    parsed_goals = ui.parse_goals(goals)
    scenarios = ui.load_all(files, sets, debug, allow_large)
    n = replications or max(s.simulation.replications for s in scenarios)
    protect = ui.inputs(files)
    ui.check_report_target(report_path, protect)
    with ui.report_folder(out, report_path) as out, ui.executor(workers, dask) as ex:
        folder = None if out is None else Path(out)
        study = ui.with_progress(quiet, n * len(scenarios), "compare", lambda bar: ui.guarded(
            debug, "compare", None, lambda: compare_study(
                scenarios, replications, seed, ex, parsed_goals, folder, bar,
                lambda s: bar.label(f"compare: {s.name}"), force=force, protect=protect,
                allow_large=allow_large, bottleneck=bottleneck), folder))
        report = study.report
        if fmt == "json":
            click.echo(_json(report))
        else:
            click.echo(summary_table(report["scenarios"]))
            for payload in report["scenarios"]:
                for line in goal_lines(payload):
                    click.echo(line)
            click.echo("\n" + difference_table(report["differences"], report["baseline"],
                                               report["comparisons"], report["scenarios"]) + "\n")
            for line in report["statements"]:
                click.echo(f"- {line}")
        ui.echo_warnings(report["scenarios"])
        if ui.says_where(folder):
            click.echo(f"results in {folder}/", err=True)
        ui.report_if_asked(folder, report_path, cdn, debug, protect)


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
@robust_options
@ui.budget_option
def sweep(file: str, replications: int | None, seed: int | None, sets: tuple[str, ...],
          fmt: str, workers: int | None, dask: str | None, goals: tuple[str, ...],
          quiet: bool, debug: bool, report_path: str | None, cdn: bool, force: bool,
          allow_large: bool, varies: tuple[str, ...], confidence: float,
          out: str | None, robust: bool, robust_samples: int, budget: int | None) -> None:
    """Run the grid of team shapes in FILE's sweep: section (and --vary axes) and report
    each point's KPIs, the Pareto frontier of cost per hire against P80 time-to-fill, the
    cheapest team that meets the --goal(s), and what to buy next."""
    from hiresim.studies import sweep_study

    parsed_goals = ui.parse_goals(goals)
    try:
        points = expand_grid(file, list(varies), ui.with_plan(sets))
    except ScenarioError as err:
        if debug:
            raise
        ui.bad_input(str(err))
    except OverrideError as err:
        raise click.BadParameter(str(err), param_hint="--vary/--set") from None
    if robust:
        return robust_command(file, points, parsed_goals, robust_samples, replications,
                                 seed, sets, confidence, workers, quiet, debug, fmt, out,
                                 report_path, cdn)
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
                protect=protect, allow_large=allow_large, budget=budget), folder))
        click.echo(_json(study.report) if fmt == "json" else sweep_report(study.report))
        if ui.says_where(folder):
            click.echo(f"results in {folder}/", err=True)
        ui.report_if_asked(folder, report_path, cdn, debug, protect)


@main.command("plan")
@ui.plan_command_options
def plan_command(files: tuple[str, ...], sets: tuple[str, ...], fmt: str, debug: bool) -> None:
    """The planner's reverse funnel of FILES per month, at once (no simulation): hires
    needed, then offers, interviews, screens, replies, prospects and hours per role."""
    for scenario in ui.load_all(files, sets, debug):
        click.echo(ui.plan_text(scenario, fmt))


@main.command()
@click.argument("path", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Where to write the HTML file [default: PATH/report.html for a folder, "
                   "PATH with .html for a JSON file].")
@click.option("--cdn", is_flag=True,
              help="Load plotly.js from the web instead of embedding it (a small file that "
                   "needs a connection to open).")
@click.option("--debug", is_flag=True, help="Show full tracebacks (for developers).")
def report(path: str, output: str | None, cdn: bool, debug: bool) -> None:
    """Render one self-contained HTML report, without simulating again, from PATH: a saved
    result folder (of run, compare or sweep --out) or the JSON file that sensitivity --out
    or sweep --robust --out wrote."""
    written = ui.write_report(Path(path), output, cdn, debug)
    click.echo(f"report: {written}", err=True)


# init, schema, explain, sensitivity; export-history, calibrate, backtest
for _command in (*TOOL_COMMANDS, *HISTORY_COMMANDS):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
