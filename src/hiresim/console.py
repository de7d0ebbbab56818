"""What the command line shares between its commands: options, progress, one-line errors.

Exit codes: 0 success, 2 bad input (scenario file, flags or output folder; one line per
problem on stderr, no traceback), 130 interrupted (Ctrl-C; says how to resume). Only the
command line (``cli.py``) uses this module.
"""

from __future__ import annotations

import math
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
    """The command that continues an interrupted run: this one, with --resume (and without
    --force, and without --precision/--max-replications, which a resume cannot take: it
    finishes the replications the folder was started with)."""
    args, skip = [], False
    for arg in sys.argv[1:]:
        if skip:
            skip = False
            continue
        name = arg.partition("=")[0]
        if name in ("--force", "--resume"):
            continue
        if name in ("--precision", "--max-replications"):
            skip = "=" not in arg
            continue
        args.append(arg)
    return "hiresim " + " ".join(shlex.quote(a) for a in args) + " --resume"


def bad_input(message: str) -> NoReturn:
    """One line (or one per problem) on stderr, exit status 2."""
    click.echo(message, err=True)
    sys.exit(2)


def load_all(files: tuple[str, ...], sets: tuple[str, ...], debug: bool) -> list[Scenario]:
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
        bad_input("\n".join(problems))
    return scenarios


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


def guarded(debug: bool, name: str, resume_hint: str | None, func: Callable[[], Any],
            where: Path | str | None = None) -> Any:
    """Run a batch or study; folder problems exit 2, Ctrl-C exits 130."""
    from hiresim.folder_guard import FolderError

    try:
        return func()
    except FolderError as err:
        if debug:
            raise
        bad_input(f"error: {err}")
    except OSError as err:
        if debug:
            raise
        bad_input(f"error: {err.filename or where or 'output'}: {err.strerror or err}")
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
    """The HTML report of a result folder; a problem exits 2 with one line."""
    from hiresim.api import report
    from hiresim.folder_guard import FolderError
    from hiresim.html_report import ReportError

    try:
        return report(folder, output, cdn=cdn, protect=protect)
    except (ReportError, FolderError) as err:
        if debug:
            raise
        bad_input(f"error: {err}")
    except OSError as err:
        if debug:
            raise
        bad_input(f"error: {err.filename or output or folder}: {err.strerror or err}")


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
    ]
    for option in reversed(options):
        func = option(func)
    return func


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
    """One ``run_batch`` call with progress, its errors as one line (``guarded``)."""
    return guarded(debug, name, hint, lambda: batch(progress=bar), target)
