"""The command line's tools beside the simulation commands: ``init`` (a first scenario),
``schema`` (the JSON Schema for editors), ``explain`` (where each value comes from) and
``sensitivity`` (which uncertain input drives the answer).

Each is a click command registered on the ``hiresim`` group by ``cli.py``; its options and
the glue to the library live here, so that ``cli.py`` keeps the core commands.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hiresim.console import (
    Progress,
    bad_input,
    executor,
    guarded,
    json_line,
    load_all,
    simulation_options,
    warn_assumptions,
    with_progress,
)
from hiresim.scenario_files import OverrideError
from hiresim.scenario_problems import ScenarioError

if TYPE_CHECKING:
    from hiresim.experiment import Executor
    from hiresim.goals import Goal


def init_options(func: Callable) -> Callable:
    """Options of ``hiresim init``: the answers to its questions (asked when left out)."""
    options = [
        click.option("--name", default=None, help="Scenario name [default: the file name]."),
        click.option("--roles", default=None, metavar="NAME=COUNT,...",
                     help="Roles to hire and how many reqs of each, e.g. backend=10,data=3."),
        click.option("--start-date", default=None, metavar="YYYY-MM-DD",
                     help="Day 0 of the plan (simulation.start_date) [default: the first "
                          "day of next month]."),
        click.option("--from", "from_month", default=None, metavar="YYYY-MM",
                     help="Month the first reqs open (from its first day) [default: the "
                          "start date's month]."),
        click.option("--to", "to_month", default=None, metavar="YYYY-MM",
                     help="Month the last reqs open (up to its last day) [default: six "
                          "months from --from]."),
        click.option("--first-day", type=click.FloatRange(min=0), default=None,
                     help="Instead of --from: day the first reqs open (days from the start "
                          "date, day 0)."),
        click.option("--last-day", type=click.FloatRange(min=0), default=None,
                     help="Instead of --to: day the last reqs open (days from day 0)."),
        click.option("--structure", type=click.Choice(["combined", "split"]), default=None,
                     help="combined: full-cycle recruiters who source; split: sourcers "
                          "feeding recruiters."),
        click.option("--recruiters", type=click.IntRange(min=1), default=None,
                     help="Recruiters today."),
        click.option("--sourcers", type=click.IntRange(min=0), default=None,
                     help="Sourcers today (split teams)."),
        click.option("--recruiter-salary", type=click.FloatRange(min=0), default=None,
                     help="A recruiter's base salary per year."),
        click.option("--sourcer-salary", type=click.FloatRange(min=0), default=None,
                     help="A sourcer's base salary per year."),
        click.option("--non-interactive", is_flag=True,
                     help="Ask nothing: what no flag gives takes its default."),
        click.option("--force", is_flag=True,
                     help="Replace FILE if (and only if) hiresim init wrote it."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


_QUESTIONS: dict[str, tuple[str, Any]] = {
    "roles": ("Roles to hire, NAME=COUNT separated by commas", str),
    "start_date": ("Plan starts on (day 0, YYYY-MM-DD)", str),
    "from_month": ("First reqs open in month (YYYY-MM)", str),
    "to_month": ("Last reqs open in month (YYYY-MM)", str),
    "structure": ("Team today: combined (full-cycle recruiters) or split (sourcers + "
                  "recruiters)", click.Choice(["combined", "split"])),
    "recruiters": ("Recruiters today", click.IntRange(min=1)),
    "sourcers": ("Sourcers today", click.IntRange(min=0)),
    "recruiter_salary": ("A recruiter's base salary per year", float),
    "sourcer_salary": ("A sourcer's base salary per year", float),
}


def init_scenario(file: str, name: str | None, non_interactive: bool, force: bool,
                  **given: Any) -> None:
    """Ask what flags left out (unless ``non_interactive``), write FILE, say so."""
    from hiresim.init_scenario import (
        Answers,
        InitError,
        default_from,
        default_to,
        parse_roles,
        write_scenario,
    )

    defaults = Answers(name=name or Path(file).stem)
    values: dict[str, Any] = {"name": defaults.name, "start_date": defaults.start_date,
                              "first_day": given.pop("first_day", None),
                              "last_day": given.pop("last_day", None)}
    days_given = values["first_day"] is not None or values["last_day"] is not None
    try:
        if Path(file).exists() and not force:  # refuse before asking anything
            write_scenario(file, defaults, force=False)
        for key, (question, kind) in _QUESTIONS.items():
            value = given.get(key)
            skip = (key.startswith("sourcer") and values.get("structure") == "combined") or (
                key.endswith("_month") and days_given)
            if value is None and not non_interactive and not skip:
                default = getattr(defaults, key)
                if key == "roles":
                    default = ",".join(f"{k}={v}" for k, v in defaults.roles.items())
                elif key == "from_month":
                    default = default_from(values["start_date"])
                elif key == "to_month":
                    default = default_to(values["from_month"])
                value = click.prompt(question, default=default, type=kind)
            if value is not None:
                values[key] = parse_roles(value) if key == "roles" else value
        path = write_scenario(file, Answers(**values), force=force)
    except InitError as err:
        bad_input(f"error: {err}")
    click.echo(f"wrote {path}: check it with 'hiresim validate {path}', "
               f"run it with 'hiresim run {path}'", err=True)


def sensitivity_options(func: Callable) -> Callable:
    """Options of ``hiresim sensitivity`` (beyond the shared simulation options)."""
    options = [
        click.option("--kpi", default="time_to_fill_p80", show_default=True,
                     help="The decision KPI (a column of the replications table)."),
        click.option("--points", type=click.IntRange(min=2, max=50), default=5,
                     show_default=True, help="Values per input for the tornado."),
        click.option("--refine", type=click.IntRange(min=0, max=20), default=3,
                     show_default=True, help="Bisection steps for each break-even value."),
        click.option("--method", type=click.Choice(["morris", "sobol", "none"]),
                     default="morris", show_default=True,
                     help="Global method (all inputs varied together), via SALib."),
        click.option("--samples", type=click.IntRange(min=1), default=4, show_default=True,
                     help="Morris trajectories, or Sobol base samples (a power of 2)."),
        click.option("--out", type=click.Path(dir_okay=False), default=None,
                     help="Also write the report as JSON to this file."),
    ]
    for option in reversed(options):
        func = option(func)
    return simulation_options(func)


def study_run(label: str, run: Callable[[Executor, Progress], dict], workers: int | None,
              quiet: bool, debug: bool) -> dict:
    """Run a sensitivity or robust study with a progress bar; bad input exits 2."""
    try:
        with executor(workers, None) as ex:
            return with_progress(quiet, 0, label, lambda bar: guarded(
                debug, label, None, lambda: run(ex, bar)))
    except ScenarioError as err:
        if debug:
            raise
        bad_input(str(err))
    except OverrideError as err:
        raise click.BadParameter(str(err), param_hint="--set/uncertain") from None


def kpi_name(name: str) -> str:
    """A KPI column of the catalogue, or a one-line error naming the closest."""
    from hiresim.kpi_catalogue import CATALOGUE

    names = [k.name for k in CATALOGUE]
    if name not in names:
        import difflib

        close = difflib.get_close_matches(name, names, 1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise click.BadParameter(f"unknown KPI {name!r}{hint}", param_hint="--kpi")
    return name


def write_outputs(report: dict, out: str | None, report_path: str | None, cdn: bool,
                  page: Callable[[dict], Any], write: Callable[..., Path]) -> None:
    """A study's JSON (``--out``) and HTML page (``--report``), each named on stderr."""
    from hiresim.outputs import json_safe
    from hiresim.table_files import atomic_write_text

    try:
        if out is not None:
            atomic_write_text(Path(out), json.dumps(json_safe(report), indent=1) + "\n")
            click.echo(f"results: {out}", err=True)
        if report_path is not None:
            write(page(report), report_path, cdn)
            click.echo(f"report: {report_path}", err=True)
    except OSError as err:
        bad_input(f"error: {err.filename or out or report_path}: {err.strerror or err}")


def explain_file(path: str, sets: Sequence[str], fmt: str, debug: bool) -> None:
    """Print the resolved scenario value by value with its origin (``hiresim.explain``)."""
    from hiresim.explain import explain, explain_table

    load_all((path,), tuple(sets), debug)  # problems: one line each, exit 2
    rows = explain(path, sets)
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in rows]))
    else:
        click.echo(explain_table(rows))
    warn_assumptions((path,), sets)



def explain_options(func: Callable) -> Callable:
    """Options of ``hiresim explain``."""
    func = click.option("--debug", is_flag=True,
                        help="Show full tracebacks (for developers).")(func)
    func = click.option("--format", "fmt", type=click.Choice(["table", "json"]),
                        default="table")(func)
    return click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
                        help="Override one setting first. Repeatable.")(func)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@explain_options
def explain(file: str, sets: tuple[str, ...], fmt: str, debug: bool) -> None:
    """Print the resolved scenario in FILE (after extends and --set), each value marked as
    set in the file, inherited, set on the command line, or a default (with its source)."""
    explain_file(file, sets, fmt, debug)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@sensitivity_options
def sensitivity(files: tuple[str, ...], kpi: str, points: int, refine: int, method: str,
                samples: int, out: str | None, **opts: Any) -> None:
    """Which uncertain: input drives the answer: a tornado of FILE's KPIs (given FILE OTHER,
    of their paired difference, with break-even values) and Morris/Sobol screening."""
    from hiresim.html_report.sensitivity_page import sensitivity_page, write_page
    from hiresim.sensitivity import sensitivity_study
    from hiresim.sensitivity_words import tornado_table

    report = study_run("sensitivity", lambda ex, bar: sensitivity_study(
        files, ex, opts["replications"], opts["seed"], opts["sets"], kpi_name(kpi), points,
        refine, method, samples, bar), opts["workers"], opts["quiet"], opts["debug"])
    click.echo(json_line(report) if opts["fmt"] == "json" else tornado_table(report))
    write_outputs(report, out, opts["report_path"], opts["cdn"], sensitivity_page, write_page)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False), default="scenario.yaml")
@init_options
def init(file: str, **answers: Any) -> None:
    """Write a first scenario FILE [default: scenario.yaml] from a few questions (roles,
    when reqs open, the team today, salaries); every other value is a marked default."""
    init_scenario(file, **answers)


@click.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (editor completion: see README)."""
    from hiresim.schema import schema_text, shipped_schema

    click.echo(schema_text(shipped_schema()), nl=False)


def robust_options(func: Callable) -> Callable:
    """``sweep --robust``: second-order Monte Carlo over the file's uncertain: inputs."""
    func = click.option("--robust-samples", type=click.IntRange(min=2), default=16,
                        show_default=True, help="With --robust: draws of the inputs.")(func)
    return click.option("--robust", is_flag=True,
                        help="Rank team shapes by P(goals) across the uncertain: inputs "
                             "(outer samples) and the year's luck (replications); --out "
                             "is then a JSON file.")(func)


def robust_command(file: str, points: Sequence[Any], goals: Sequence[Goal], samples: int,
                   replications: int | None, seed: int | None, sets: Sequence[str],
                   confidence: float, workers: int | None, quiet: bool, debug: bool,
                   fmt: str, out: str | None, report_path: str | None, cdn: bool) -> None:
    """``hiresim sweep --robust``: run, print the ranking, write JSON and HTML."""
    from hiresim.html_report.sensitivity_page import robust_page, write_page
    from hiresim.robust import robust_sweep, robust_table

    report = study_run("robust sweep", lambda ex, bar: robust_sweep(
        file, points, ex, goals, samples, replications, seed, sets, confidence, bar),
        workers, quiet, debug)
    click.echo(json_line(report) if fmt == "json" else robust_table(report))
    write_outputs(report, out, report_path, cdn, robust_page, write_page)


COMMANDS = (init, schema, explain, sensitivity)
