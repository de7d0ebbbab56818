"""The ``hiresim`` command line: parse, call the library, print. Nothing imports this.

Exit codes: 0 success, 2 bad input (scenario file or flags; one line per problem on
stderr, no traceback), 130 interrupted.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import click

from hiresim import __version__
from hiresim.experiment import default_workers, run_replications
from hiresim.results import Results
from hiresim.scenario import Scenario, load_scenario
from hiresim.scenario_yaml import ScenarioError
from hiresim.summary_table import summary_table, warnings_for


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
        click.echo("\n".join(problems), err=True)
        sys.exit(2)
    return scenarios


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


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
              help="Worker processes [default: all cores]. Results do not depend on it.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--debug", is_flag=True, help="Show full tracebacks (for developers).")
def run(files: tuple[str, ...], replications: int | None, seed: int | None, fmt: str,
        workers: int | None, quiet: bool, debug: bool) -> None:
    """Simulate each scenario in FILES and print a summary of its KPIs with 95% confidence
    intervals across replications. With several files, the table puts them side by side."""
    scenarios = _load_all(files, debug)
    n_workers = default_workers() if workers is None else workers
    summaries = []
    for scenario in scenarios:
        n = replications or scenario.simulation.replications
        root_seed = scenario.simulation.seed if seed is None else seed
        show = not quiet and sys.stderr.isatty()
        with click.progressbar(length=n, label=f"{scenario.name}", file=sys.stderr,
                               show_eta=True, show_pos=True, hidden=not show) as bar:
            runs = run_replications(scenario, n, root_seed, n_workers, progress=bar.update)
        summaries.append(Results(scenario=scenario, seed=root_seed, runs=runs).to_dict())
    if fmt == "json":
        for s in summaries:
            click.echo(json.dumps(_json_safe(s), sort_keys=False))
    else:
        click.echo(summary_table(summaries))
    for s in summaries:
        for line in warnings_for(s):
            click.echo(line, err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
