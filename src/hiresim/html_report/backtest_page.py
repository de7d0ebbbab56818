"""The backtest page: a scenario's predictions against a history (``hiresim backtest``).

Built from the JSON of ``hiresim.backtest.backtest`` with the report's shell and chart
style: the verdict in words, the PIT histogram and interval coverage, each req's actual
time-to-fill against its 90% predictive interval, hires per month, and the funnel
(with withdrawals in process).
"""

from __future__ import annotations

import math
from pathlib import Path

import plotly.graph_objects as go

from hiresim.table_files import atomic_write_text

from .chart_style import style
from .shell import Page, h

ACTUAL, PREDICTED = "#c0392b", "#2f6db5"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _pit_chart(report: dict) -> go.Figure:
    counts = report["pit_histogram"]
    fig = go.Figure(go.Bar(x=[f"{i / 10:.1f}-{(i + 1) / 10:.1f}" for i in range(10)],
                           y=counts, marker_color=PREDICTED, name="reqs"))
    expected = sum(counts) / 10
    fig.add_hline(y=expected, line_dash="dash", line_color=ACTUAL)
    return style(fig, "PIT of each req's time to fill (flat if calibrated)", 340,
                 "PIT (predictive probability of a faster fill)", "reqs", legend=False)


def _ttf_chart(report: dict, horizon: float) -> go.Figure:
    reqs = report["reqs"]
    labels = [f"{r['req']} ({r['profile']})" for r in reqs]

    def days(value: float | None) -> float:
        return horizon if value is None or not math.isfinite(value) else value

    mid = [days(r["p50"]) for r in reqs]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=labels, y=mid, mode="markers", name="predicted median, 90% interval",
        marker={"color": PREDICTED, "size": 7},
        error_y={"type": "data", "symmetric": False,
                 "array": [days(r["p95"]) - m for r, m in zip(reqs, mid, strict=True)],
                 "arrayminus": [m - days(r["p05"]) for r, m in zip(reqs, mid, strict=True)]}))
    fig.add_trace(go.Scatter(x=labels, y=[days(r["actual_ttf"]) for r in reqs],
                             mode="markers", name="actual (at the top: still open)",
                             marker={"color": ACTUAL, "symbol": "diamond", "size": 8}))
    return style(fig, "Time to fill per req: actual against predicted", 420, None, "days")


def _hires_chart(report: dict) -> go.Figure:
    rows = report["hires_per_month"]
    months = [r["month"] for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=months, y=[r["actual"] for r in rows], name="actual",
                         marker_color=ACTUAL))
    fig.add_trace(go.Scatter(
        x=months, y=[r["sim_mean"] for r in rows], mode="lines+markers",
        name="predicted mean, 90% of years", line={"color": PREDICTED},
        error_y={"type": "data", "symmetric": False,
                 "array": [r["sim_high"] - r["sim_mean"] for r in rows],
                 "arrayminus": [r["sim_mean"] - r["sim_low"] for r in rows]}))
    return style(fig, "Hires per month", 360, None, "hires")


def _funnel_table(report: dict) -> str:
    head = ("<tr><th>stage</th><th>entered</th><th>predicted</th><th>passed</th>"
            "<th>predicted</th></tr>")
    rows = "".join(
        f"<tr><td>{h(r['stage'])}</td><td>{r['actual_entries']:,}</td>"
        f"<td>{r['sim_entries']:,.0f} ({r['sim_entries_low']:,.0f}-"
        f"{r['sim_entries_high']:,.0f})</td><td>{_pct(r['actual_share'])}</td>"
        f"<td>{_pct(r['sim_share'])}</td></tr>" for r in report["funnel"])
    return f'<table class="data">{head}{rows}</table>'


def backtest_page(report: dict) -> Page:
    hist = report["history"]
    page = Page(f"{report['scenario']} against its history", "backtest",
                f"{hist['reqs']} reqs over {hist['days']:.0f} days from {hist['start']} "
                f"({', '.join(hist['files'])}); {report['replications']} replications")
    page.origin = "by hiresim backtest, which re-simulated the history's reqs"
    flags = "".join(f"<li>{h(f['text'])}</li>" for f in report["flags"])
    css = "verdict" if report["verdict"] == "calibrated" else "verdict none"
    page.section("headline", "Verdict",
                 f'<span class="{css}">{h(report["verdict"])}</span>'
                 f'<p class="lead">{h(report["sentence"])}</p>'
                 + (f"<ul>{flags}</ul>" if flags else ""), css="headline")
    cov = "".join(f"<tr><td>{h(k)}</td><td>{_pct(v)}</td></tr>"
                  for k, v in report["coverage"].items())
    page.section("ttf", "Time to fill",
                 '<div class="grid2">' + page.chart(_pit_chart(report), "", "PIT histogram")
                 + f'<div><table class="data"><tr><th>interval</th><th>reqs inside</th></tr>'
                 f"{cov}</table></div></div>"
                 + page.chart(_ttf_chart(report, hist["days"]), "", "time to fill per req"),
                 intro="Each req's actual time to fill placed in its predictive distribution "
                       "(PIT). Calibrated: PITs spread evenly, and about 50/80/90% of reqs "
                       "inside their 50/80/90% intervals.")
    hires = report["hires"]
    page.section("hires", "Hires",
                 page.chart(_hires_chart(report), "", "hires per month"),
                 intro=f"{hires['actual']} hires in the history; the scenario predicts "
                       f"{hires['sim_mean']:.1f} (90% of years {hires['sim_low']:.0f}-"
                       f"{hires['sim_high']:.0f}).")
    w = report.get("withdrawals")
    withdrew = "" if w is None else (
        f" Withdrawals in process (after engagement, before the offer): {w['actual']} in the "
        f"history, {w['sim_mean']:.1f} predicted (90% of years {w['sim_low']:.0f}-"
        f"{w['sim_high']:.0f}).")
    page.section("funnel", "Funnel", _funnel_table(report),
                 intro="Candidates entering each stage and the share passing (of those "
                       "decided), history against the replications' mean (90% of years)."
                       + withdrew)
    return page


def write_backtest_page(report: dict, output: str | Path, cdn: bool = False) -> Path:
    """Render the backtest report and write it atomically."""
    target = Path(output)
    atomic_write_text(target, backtest_page(report).render(cdn))
    return target
