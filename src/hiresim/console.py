"""What the command line shares between its commands: options, progress, one-line errors.

Exit codes: 0 success, 2 bad input (scenario file, flags or output folder; one line per
problem on stderr, no traceback), 130 interrupted (Ctrl-C; says how to resume). Only the
command line (``cli.py``) uses this module.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from hiresim.goals import Goal, GoalError, parse_goal
from hiresim.scenario import Scenario
from hiresim.scenario_files import OverrideError, load_scenario
from hiresim.scenario_problems import ScenarioError

if TYPE_CHECKING:
    from hiresim.experiment import Executor


def bad_input(message: str) -> NoReturn:
    """One line (or one per problem) on stderr, exit status 2."""
    click.echo(message, err=True)
    sys.exit(2)


def load_all(files: tuple[str, ...], sets: tuple[str, ...], debug: bool,
             allow_large: bool = False) -> list[Scenario]:
    """Load every file; report the problems of all of them before exiting. A scenario
    whose one replication is estimated too large (``hiresim.workload``) is a problem
    (FILE: error: ...) unless ``allow_large``."""
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
    if not allow_large:
        from hiresim.workload import estimate, problem

        pairs = zip(files, scenarios, strict=True)
        too_large = [f"{path}: error: {m}" for path, s in pairs if (m := problem(estimate(s)))]
        if too_large:
            bad_input("\n".join(too_large))
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

    cores = os.cpu_count() or 1
    if workers is not None and workers > cores and not dask:
        click.echo(f"warning: --workers {workers} is more than this machine's {cores} cores; "
                   "the extra processes only share them", err=True)
    try:
        ex = make_executor(workers, dask)
    except ExecutorUnavailable as err:
        bad_input(f"error: {err}")
    try:
        yield ex
    except BaseException:  # Ctrl-C (exit 130) or a problem: do not wait for queued work
        ex.close(wait=False)
        raise
    ex.close()


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
    from hiresim.outputs import OutputError
    from hiresim.workload import WorkloadError

    try:
        return func()
    except (OutputError, WorkloadError) as err:
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


def write_report(folder: Path, output: str | Path | None, cdn: bool, debug: bool) -> Path:
    """The HTML report of a result folder; a problem exits 2 with one line."""
    from hiresim.api import report
    from hiresim.report import ReportError

    try:
        return report(folder, output, cdn=cdn)
    except ReportError as err:
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
        click.option("--report", "report_path", type=click.Path(dir_okay=False),
                     default=None, help="Also write an HTML report to this file (see "
                                        "'hiresim report')."),
        click.option("--cdn", is_flag=True, help="With --report: load plotly.js from the web."),
        click.option("--force", is_flag=True, help="Overwrite a non-empty --out folder."),
        click.option("--allow-large", is_flag=True,
                     help="Run even a scenario whose replications are estimated too large "
                          "(see 'hiresim validate')."),
    ]
    for option in reversed(options):
        func = option(func)
    return func
