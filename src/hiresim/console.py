"""What the command line shares between its commands: options, progress, one-line errors.

Exit codes: 0 success, 2 bad input (scenario file, flags or output folder; one line per
problem on stderr, no traceback), 130 interrupted (Ctrl-C; says how to resume). Only the
command line (``cli.py``) uses this module.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from hiresim.goals import Goal, GoalError, parse_goal
from hiresim.scenario import MAX_SEED, Scenario
from hiresim.scenario_files import OverrideError, input_files, load_scenario
from hiresim.scenario_problems import ScenarioError

if TYPE_CHECKING:
    from hiresim.experiment import Executor
    from hiresim.results import Results


class OneLineErrors(click.Group):
    """A command group whose usage errors are one line (``error: --workers: ...``, exit 2)
    and whose Ctrl-C exits 130 with one line, in every command (not click's usage text,
    nor "Aborted!" with exit 1)."""

    def main(self, args: Any = None, prog_name: str | None = None,  # type: ignore[override]
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as err:
            bad_input(f"error: {_usage_message(err)}")
        except click.ClickException as err:
            bad_input(f"error: {err.format_message()}")
        except click.Abort:
            click.echo("interrupted", err=True)
            sys.exit(130)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


class Fraction(click.ParamType):
    """A finite number between 0 and 1 (nan and inf refused): a share or a probability."""

    name = "fraction"

    def __init__(self, open_low: bool = False, open_high: bool = False) -> None:
        self.open_low, self.open_high = open_low, open_high

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        low_ok = number > 0 if self.open_low else number >= 0
        high_ok = number < 1 if self.open_high else number <= 1
        if not (math.isfinite(number) and low_ok and high_ok):
            span = (f"{'above' if self.open_low else 'from'} 0 "
                    f"{'and below' if self.open_high else 'to'} 1")
            self.fail(f"{value} is not a number {span} (e.g. 0.05)", param, ctx)
        return number


def _usage_message(err: click.UsageError) -> str:
    """click's message on one line, led by the option it is about ('--workers: ...')."""
    text = " ".join(err.format_message().split())
    text = re.sub(r"^Invalid value for [^:]+: ", "", text)
    if isinstance(err, click.MissingParameter):
        return text
    param = getattr(err, "param", None)
    hint = getattr(err, "param_hint", None)
    if param is not None and getattr(param, "opts", None):
        hint = max(param.opts, key=len)
    elif param is not None and param.name:
        hint = param.name.upper()
    if isinstance(hint, (list, tuple)):
        hint = max(hint, key=len)
    if hint and not text.startswith(str(hint)):
        return f"{hint}: {text}"
    return text


def resume_hint() -> str:
    """The command that continues an interrupted run: this one, with --resume and without
    --force. A --precision run cannot resume as such: the hint drops --precision,
    --max-replications and -n, so the resume finishes the replications the folder says the
    run had reached for (run.json)."""
    argv = sys.argv[1:]
    drop = {"--force", "--resume"}
    valued = {"--precision", "--max-replications"}
    if any(a.partition("=")[0] in valued for a in argv):
        valued |= {"-n", "--replications"}
    args, skip = [], False
    for arg in argv:
        name = arg.partition("=")[0]
        if skip or name in drop:
            skip = False
            continue
        if name in valued:
            skip = "=" not in arg
            continue
        args.append(arg)
    return "hiresim " + " ".join(shlex.quote(a) for a in args) + " --resume"


def bad_input(message: str) -> NoReturn:
    """One line (or one per problem) on stderr, exit status 2."""
    click.echo(message, err=True)
    sys.exit(2)


def load_all(files: tuple[str, ...], sets: tuple[str, ...], debug: bool,
             allow_large: bool = False) -> list[Scenario]:
    """Load every file (with ``--plan`` if given); report the problems of all of them before
    exiting. A scenario whose one replication is estimated too large (``hiresim.workload``)
    is a problem (FILE: error: ...) unless ``allow_large``; plans that reach past the
    horizon get a warning (one line each)."""
    from hiresim.hiring_plan import horizon_warnings

    scenarios, problems = [], []
    for path in files:
        try:
            scenarios.append(load_scenario(path, with_plan(sets)))
        except ScenarioError as err:
            if debug:
                raise
            problems.append(str(err))
        except OverrideError as err:
            raise click.BadParameter(str(err), param_hint="--set") from None
    if problems:
        bad_input("\n".join(problems))
    if not allow_large:
        from hiresim.workload import estimate, problem

        pairs = zip(files, scenarios, strict=True)
        # FILE:1:1: error: ... like every other scenario problem (the whole file is at fault)
        too_large = [f"{path}:1:1: error: {m}" for path, s in pairs
                     if (m := problem(estimate(s)))]
        if too_large:
            bad_input("\n".join(too_large))
    for path, scenario in zip(files, scenarios, strict=True):
        for line in horizon_warnings(scenario):
            click.echo(f"warning: {path}: {line}", err=True)
    return scenarios


PLAN_META = "hiresim.plan"


def _remember_plan(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[PLAN_META] = str(Path(value).resolve())


plan_option = click.option(
    "--plan", type=click.Path(dir_okay=False), default=None, expose_value=False,
    callback=_remember_plan, help="A hiring plan CSV (profile,count,start[,open][,priority]) "
                                  "that replaces the profiles' openings.")


def with_plan(sets: tuple[str, ...]) -> tuple[str, ...]:
    """``--set`` overrides plus ``plan=FILE`` when ``--plan FILE`` was given."""
    ctx = click.get_current_context(silent=True)
    plan = None if ctx is None else ctx.meta.get(PLAN_META)
    return sets if plan is None else (*sets, f"plan={json.dumps(plan)}")


def parse_goals(texts: tuple[str, ...]) -> list[Goal]:
    try:
        return [parse_goal(g) for g in texts]
    except GoalError as err:
        raise click.BadParameter(str(err), param_hint="--goal") from None


@contextmanager
def executor(workers: int | None, dask: str | None) -> Iterator[Executor]:
    """Local worker processes or a Dask cluster, closed at once on Ctrl-C or an error."""
    from hiresim.experiment import ExecutorUnavailable, make_executor

    if dask is not None and dask != "local" and not DASK_ADDRESS.match(dask):
        bad_input(f"error: --dask: {dask!r} is not a Dask scheduler address; give "
                  "tcp://HOST:PORT (or tls://, ws://, wss://) or 'local'")
    cores = os.cpu_count() or 1
    if workers is not None and workers > cores and not dask:
        click.echo(f"warning: --workers {workers} is more than this machine's {cores} cores; "
                   "the extra processes only share them", err=True)
    try:
        ex = make_executor(workers, dask)
    except (ExecutorUnavailable, ValueError, OSError, TimeoutError) as err:
        bad_input(f"error: --dask: {' '.join(str(err).split())}")
    try:
        yield ex
    except BaseException:  # Ctrl-C (exit 130) or a problem: do not wait for queued work
        ex.close(wait=False)
        raise
    ex.close()


# a Dask scheduler address: scheme://host:port (distributed's schemes) or host:port
DASK_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$")


class Progress:
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


_TEMPORARY: set[str] = set()  # result folders made only for --report (not worth naming)


@contextmanager
def report_folder(out: str | None, report_path: str | None) -> Iterator[str | None]:
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


def says_where(folder: Path | str | None) -> bool:
    """Whether to tell the user where results are (not for a temporary --report folder)."""
    return folder is not None and not any(str(folder).startswith(t) for t in _TEMPORARY)


@contextmanager
def one_line_errors(debug: bool, expected: tuple[type[Exception], ...],
                    where: Path | str | None) -> Iterator[None]:
    """Turn an ``expected`` problem or a file-system error into one line on stderr and
    exit status 2, no traceback ('error: MESSAGE', or 'error: FILE: REASON' where FILE
    is the error's own file name, else ``where``). With ``debug`` the error propagates."""
    try:
        yield
    except expected as err:
        if debug:
            raise
        bad_input(f"error: {err}")
    except OSError as err:
        if debug:
            raise
        bad_input(f"error: {err.filename or where}: {err.strerror or err}")


def guarded(debug: bool, name: str, resume_hint: str | None, func: Callable[[], Any],
            where: Path | str | None = None) -> Any:
    """Run a batch or study; folder problems exit 2, Ctrl-C exits 130."""
    from hiresim.folder_guard import FolderError
    from hiresim.workload import WorkloadError

    try:
        with one_line_errors(debug, (FolderError, WorkloadError), where or "output"):
            return func()
    except KeyboardInterrupt:
        tail = (f"Finished replications are saved; continue with: {resume_hint}"
                if resume_hint else "Nothing was saved (use --out DIR with 'hiresim run' to "
                                    "keep finished replications).")
        click.echo(f"\ninterrupted: {name} stopped before finishing. {tail}", err=True)
        sys.exit(130)


def with_progress(quiet: bool, total: int, label: str,
                  func: Callable[[Progress], Any]) -> Any:
    bar = Progress(total, label, quiet)
    try:
        return func(bar)
    finally:
        bar.close()


def inputs(files: Sequence[str]) -> list[Path]:
    """The scenario files of a run and every file they extend: never to be overwritten."""
    out: list[Path] = []
    for f in files:
        try:
            out += input_files(f)
        except (ScenarioError, OSError):
            out.append(Path(f))
    return out


def check_report_target(report_path: str | None, protect: Sequence[Path]) -> None:
    """Refuse a --report target before anything runs (``folder_guard``), with one line."""
    from hiresim.folder_guard import FolderError
    from hiresim.folder_guard import check_report_target as check

    if report_path is not None:
        try:
            check(Path(report_path), protect)
        except FolderError as err:
            bad_input(f"error: --report: {err}")


def write_report(folder: Path, output: str | Path | None, cdn: bool, debug: bool,
                 protect: Sequence[Path] = ()) -> Path:
    """The HTML report of a result folder or of a sensitivity or robust sweep JSON file
    (``hiresim.api.report``); a problem exits 2 with one line."""
    from hiresim.api import report
    from hiresim.folder_guard import FolderError
    from hiresim.html_report import ReportError

    with one_line_errors(debug, (ReportError, FolderError), output or folder):
        return report(folder, output, cdn=cdn, protect=protect)


def simulation_options(func: Callable) -> Callable:
    """Options every simulating command shares."""
    options = [
        click.option("-n", "--replications", type=click.IntRange(min=1), default=None,
                     help="Replications per scenario [default: the file's "
                          "simulation.replications]."),
        click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED), default=None,
                     help="Root random seed, 0 to 2**63-1 [default: the file's "
                          "simulation.seed]."),
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
        click.option("--report", "report_path", type=click.Path(dir_okay=False),
                     default=None, help="Also write an HTML report to this file (see "
                                        "'hiresim report')."),
        click.option("--cdn", is_flag=True, help="With --report: load plotly.js from the web."),
        click.option("--force", is_flag=True, help="Overwrite a non-empty --out folder."),
        click.option("--allow-large", is_flag=True,
                     help="Run even a scenario whose replications are estimated too large "
                          "(see 'hiresim validate')."),
        plan_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def note_sweeps(files: Sequence[str]) -> None:
    """'hiresim run' on a file with a sweep: section runs its base scenario only: say so."""
    from hiresim.scenario_files import SWEEP, load_document

    for path in files:
        if SWEEP in load_document(path).data:
            click.echo(f"note: {path} has a sweep: section; 'hiresim run' runs its base "
                       f"scenario only, 'hiresim sweep {path}' runs every point", err=True)


def check_resume(resume: bool, force: bool, out: str | None, precision: float | None) -> None:
    """``run``'s --resume and --force: with --out, not together, not with --precision."""
    if resume and force:
        raise click.UsageError("--resume and --force exclude each other")
    if (resume or force) and out is None:
        raise click.UsageError("--resume and --force need --out")
    if resume and precision is not None:
        raise click.UsageError("--resume cannot be combined with --precision")


def echo_warnings(payloads: Sequence[dict]) -> None:
    """The warnings of each scenario's summary (``hiresim.summary_table``), on stderr."""
    from hiresim.summary_table import warnings_for

    for payload in payloads:
        for line in warnings_for(payload):
            click.echo(line, err=True)


def warn_assumptions(files: Sequence[str], sets: Sequence[str]) -> None:
    """One line on stderr per thing the answer may rest on unintentionally (never an error;
    ``hiresim.assumption_warnings``). Files that do not load are reported elsewhere."""
    from hiresim.assumption_warnings import file_warnings

    for path in files:
        try:
            lines = file_warnings(path, tuple(sets))
        except (ScenarioError, OverrideError, OSError):
            continue
        for line in lines:
            click.echo(line, err=True)


def json_line(value: object) -> str:
    """One JSON object on one line (nan and inf as null)."""
    from hiresim.outputs import json_safe

    return json.dumps(json_safe(value))


BUDGET_PER_SHAPE = 100  # default --budget of a sequential sweep: replications per shape


def budget_option(func: Callable) -> Callable:
    """``--budget``: total replications of a sequential sweep (``hiresim.ranking``)."""
    return click.option(
        "--budget", type=click.IntRange(min=1), default=None,
        help="Total replications of a sequential sweep (the default when a --goal is given "
             f"and -n is not; default {BUDGET_PER_SHAPE} per team shape): rounds of "
             "replications go to the shapes still undecided until the recommendation is "
             "confident or the budget is spent. -n runs a fixed-size sweep instead.")(func)


def sweep_budget(budget: int | None, replications: int | None, goals: Sequence[Goal],
                 shapes: int) -> int | None:
    """The budget of a sweep: None (fixed size) with -n and no --budget, or no goal."""
    if not goals or (replications is not None and budget is None):
        return None
    return budget if budget is not None else BUDGET_PER_SHAPE * shapes


def bottleneck_option(func: Callable) -> Callable:
    """``--bottleneck``: run one more person in each role of each scenario (paired)."""
    return click.option(
        "--bottleneck", is_flag=True,
        help="Also run each scenario with one more sourcer, recruiter and interviewer of "
             "each profile (same random numbers) and name the bottleneck: the addition "
             "that helps the goal KPI (default P80 time-to-fill) most per dollar.")(func)


def guarded_batch(batch: Callable[..., Any], debug: bool, name: str, hint: str | None,
                  target: Path | None, bar: Progress) -> Any:
    """A run's batch with its progress bar, guarded (``guarded``)."""
    return guarded(debug, name, hint, lambda: batch(progress=bar), target)


def report_if_asked(out: str | Path | None, report_path: str | None, cdn: bool,
                    debug: bool, protect: list[Path]) -> None:
    """The HTML report of a finished study, when --report asked for one."""
    if report_path is not None and out is not None:
        write_report(Path(out), report_path, cdn, debug, protect)
        click.echo(f"report: {report_path}", err=True)




# ---------------------------------------------------------------- months and the plan
by_option = click.option(
    "--by", type=click.Choice(["total", "month"]), default="total", show_default=True,
    help="month: also the month table (hires against the plan with the P10-P90 band, "
         "reqs, backlog, staff hours) and the month each planned hire is likely made.")


def with_months(outcome: Results, by: str) -> dict:
    """The JSON payload of a run, with the month tables when ``--by month``."""
    payload = outcome.to_dict()
    if by == "month":
        from hiresim.outputs import json_safe

        payload["months"] = json_safe(outcome.months.drop(columns="scenario")
                                      .to_dict(orient="records"))  # the payload names it
        payload["planned_hires"] = json_safe(outcome.planned_hires.drop(columns="scenario")
                                             .to_dict(orient="records"))
    return payload


def echo_months(outcomes: Sequence[Results], by: str) -> None:
    """The month table of each run (``--by month``), as text."""
    if by != "month":
        return
    from hiresim.months import month_lines, planned_hire_lines

    for o in outcomes:
        click.echo(f"\n{o.name}: by month (hires are accepted offers; cum. P10-P90: the band "
                   "across replications)")
        click.echo("\n".join(month_lines(o.months)))
        for line in planned_hire_lines(o.planned_hires):
            click.echo(f"- {line}")


def plan_command_options(func: Callable) -> Callable:
    """Arguments and options of ``hiresim plan``."""
    for option in reversed([
        click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True)),
        click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
                     help="Override one setting. Repeatable."),
        plan_option,
        click.option("--format", "fmt", type=click.Choice(["table", "json"]),
                     default="table", show_default=True),
        click.option("--debug", is_flag=True, help="Show full tracebacks (for developers)."),
    ]):
        func = option(func)
    return func


def plan_text(scenario: Scenario, fmt: str) -> str:
    """``hiresim plan``: the reverse funnel per month, as text or JSON."""
    from hiresim.reverse_funnel import planner_lines, planner_view

    view = planner_view(scenario)
    if fmt == "json":
        return json.dumps({"scenario": scenario.name, "months": [m.label for m in view.months],
                           "reqs": view.reqs, "hires": view.hires, "hours": view.hours,
                           "recurring_hours": view.recurring, "dropouts": view.dropouts,
                           "capacity_hours": view.capacity,
                           "stages": [{"source": k[0], "stage": k[1], "visits": v}
                                      for k, v in view.stages.items()]},
                          default=lambda x: None)
    return "\n".join([f"{scenario.name}: the planner's reverse funnel (no simulation; "
                      "decided visits per stage after drop-out, hours per role with "
                      "recurring work and their share of the role's productive hours)",
                      *planner_lines(view)])


def inspect(scenarios: list, k: int, seed: int | None, fmt: str) -> None:
    """Re-run replication ``k`` of each scenario and print its KPIs and event log."""
    from hiresim.replication import run_replication
    from hiresim.summary_table import event_log, inspection_lines

    for scenario in scenarios:
        root_seed = scenario.simulation.seed if seed is None else seed
        result = run_replication(scenario, k, root_seed, record_detail=True)
        if fmt == "json":
            click.echo(json_line({"scenario": scenario.name, "replication": k,
                                   "seed": root_seed, "kpis": result.kpis,
                                   "events": event_log(result)}))
        else:
            click.echo("\n".join(inspection_lines(scenario.name, result)))

