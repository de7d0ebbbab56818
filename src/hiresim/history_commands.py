"""The command-line wrappers of ``export-history``, ``calibrate`` and ``backtest``.

Registered on the ``hiresim`` command group (the CLI module); each parses its options, calls
``hiresim.history_export``, ``hiresim.calibration`` / ``hiresim.calibrated_scenario`` or
``hiresim.backtest``, and prints. Bad input (a scenario, an unreadable export) is one line
and exit status 2 (``hiresim.console``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from hiresim import console as ui

FORMATS = ("generic", "greenhouse", "lever", "ashby")


def _export_options(func: Callable) -> Callable:
    func = click.option("--as-of", default=None, metavar="DATE",
                        help="End of the history's period [default: its last timestamp].")(func)
    func = click.option("--stage-map", type=click.Path(dir_okay=False), default=None,
                        help="YAML or CSV mapping your stage names to hiresim's.")(func)
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="generic",
                        show_default=True, help="Layout of the export files.")(func)


def _history(exports: tuple[str, ...], fmt: str, stage_map: str | None,
             as_of: str | None) -> Any:
    from hiresim.ats_export import ExportError
    from hiresim.history_loader import load_history

    try:
        history = load_history(exports, fmt, stage_map, as_of)
    except ExportError as err:
        ui.bad_input(f"error: {err}")
    for line in history.report.lines():
        click.echo(line, err=True)
    return history


@click.command("export-history")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="History CSV to write (the reqs file goes beside it: NAME-reqs.csv).")
@click.option("--replication", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=None)
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE")
def export_history_command(scenario: str, out: str, replication: int, seed: int | None,
                           sets: tuple[str, ...]) -> None:
    """Simulate one year of SCENARIO and write its candidates as an ATS export (the generic
    CSV format that 'hiresim calibrate' reads)."""
    from hiresim.history_export import export_history

    sc = ui.load_all((scenario,), sets, False)[0]
    path, reqs, rows, n = export_history(sc, out, replication, seed)
    click.echo(f"{path}: {rows} stage rows; {reqs}: {n} reqs", err=True)


@click.command("calibrate")
@click.argument("exports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="Scenario file to write.")
@click.option("--base", type=click.Path(dir_okay=False), default=None,
              help="Scenario whose team, efforts and other settings the export cannot "
                   "inform are copied [default: hiresim's defaults].")
@_export_options
def calibrate_command(exports: tuple[str, ...], out: str, base: str | None, fmt: str,
                      stage_map: str | None, as_of: str | None) -> None:
    """Estimate a scenario from ATS EXPORTS (history files and a reqs file): pass rates,
    reply rates, applications per req-week, offer acceptance, drop-out hazard and the
    plan, each with its sample size and 90% interval as a comment in --out."""
    from hiresim.calibrated_scenario import default_base, write_scenario
    from hiresim.calibration import calibrate

    history = _history(exports, fmt, stage_map, as_of)
    base_sc = ui.load_all((base,), (), False)[0] if base else default_base()
    cal = calibrate(history, base_sc)
    write_scenario(cal, base_sc, base or "hiresim defaults", out)
    click.echo(f"{out}: calibrated from {history.report.rows_used} rows "
               f"({len(cal.profiles)} profile(s), {len(history.reqs)} reqs)", err=True)


@click.command("backtest")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.argument("exports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_export_options
@click.option("-n", "--replications", type=click.IntRange(min=2), default=100,
              show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=None)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE")
@click.option("--format-out", "out_fmt", type=click.Choice(["table", "json"]),
              default="table", show_default=True)
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the backtest as an HTML page.")
def backtest_command(scenario: str, exports: tuple[str, ...], fmt: str, stage_map: str | None,
                     as_of: str | None, replications: int, seed: int | None, workers: int,
                     sets: tuple[str, ...], out_fmt: str, report_path: str | None) -> None:
    """Re-simulate the reqs of the history in EXPORTS with SCENARIO and compare: each req's
    time to fill against its predictive distribution (PIT, interval coverage), hires per
    month and the funnel, with a verdict: calibrated, too optimistic or too pessimistic."""
    from hiresim.backtest import BacktestError, backtest, backtest_lines

    sc = ui.load_all((scenario,), sets, False)[0]
    history = _history(exports, fmt, stage_map, as_of)
    try:
        report = backtest(sc, history, replications, seed, workers)
    except BacktestError as err:
        ui.bad_input(f"error: {err}")
    if out_fmt == "json":
        from hiresim.outputs import json_safe

        click.echo(json.dumps(json_safe(report)))
    else:
        click.echo("\n".join(backtest_lines(report)))
    if report_path:
        from hiresim.html_report.backtest_page import write_backtest_page

        click.echo(f"report: {write_backtest_page(report, Path(report_path))}", err=True)


COMMANDS = (export_history_command, calibrate_command, backtest_command)
