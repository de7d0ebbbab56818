"""The sensitivity report: a tornado chart and "What the answer depends on" in words, and
the robust sweep's section (parameter uncertainty against the year's luck).

Reads the plain report of ``hiresim.sensitivity.sensitivity_study`` (``sensitivity.json``)
or of ``hiresim.robust.robust_sweep`` (``robust.json``); nothing is simulated here.
"""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go

from hiresim.sensitivity_words import amount, value_text
from hiresim.table_files import atomic_write_text

from .chart_style import style
from .shell import Page, h


def tornado_chart(report: dict) -> go.Figure:
    """One horizontal bar per input, from its value at the low end to the high end of its
    range, around the files' value (a dashed line); widest at the top."""
    kpi = report["decision_kpi"]
    rows = list(reversed(report["tornado"]))
    base = report["base"][kpi]
    fig = go.Figure()
    for end, color in (("at_low", "#4c78a8"), ("at_high", "#f58518")):
        fig.add_trace(go.Bar(
            y=[r["input"] for r in rows], x=[(r[end] or 0.0) - (base or 0.0) for r in rows],
            base=[base] * len(rows), orientation="h", marker_color=color,
            name="input at its low end" if end == "at_low" else "input at its high end",
            hovertemplate="%{y}: %{x:.3g}<extra></extra>"))
    fig.add_vline(x=base, line_dash="dash", line_color="#555")
    if report["paired"]:
        fig.add_vline(x=0, line_color="#c0392b")
    what = "paired difference" if report["paired"] else "value"
    style(fig, f"Tornado: {kpi} ({what})", height=160 + 40 * len(rows),
          xtitle=f"{kpi} ({what})")
    fig.update_layout(barmode="overlay")
    return fig


def _tornado_rows(report: dict) -> str:
    kpi, kind = report["decision_kpi"], report.get("kpi_kind", "")
    body = "".join(
        f"<tr><td>{h(r['input'])}</td><td>{h(value_text(r['low']))} to "
        f"{h(value_text(r['high']))}</td><td>{h(amount(r['at_low'], kind))}</td>"
        f"<td>{h(amount(r['at_high'], kind))}</td><td>{h(amount(r['swing'][kpi], kind))}</td>"
        f"<td>{h(', '.join(value_text(v) for v in r.get('break_even', [])) or '-')}</td></tr>"
        for r in report["tornado"])
    return ("<table><thead><tr><th>input</th><th>range</th><th>at low</th><th>at high</th>"
            f"<th>swing</th><th>break-even</th></tr></thead><tbody>{body}</tbody></table>")


def sensitivity_page(report: dict) -> Page:
    names = report["scenarios"]
    title = " vs ".join(names[:2]) if report["paired"] else names[0]
    page = Page(title, "sensitivity",
                f"{len(report['tornado'])} uncertain inputs, {report['replications']} "
                f"replications per point on common random numbers (seed {report['seed']})")
    words = "".join(f"<li>{h(s)}</li>" for s in report["statements"])
    page.section("depends", "What the answer depends on", f"<ul>{words}</ul>",
                 css="headline")
    page.section("tornado", "Tornado", page.chart(tornado_chart(report),
                 "Each input over its range with the others at the files' values.",
                 "tornado chart") + _tornado_rows(report))
    g = report.get("global") or {}
    if g.get("indices"):
        keys = [k for k in ("mu_star", "sigma", "S1", "ST") if k in g["indices"][0]]
        rows = "".join("<tr><td>" + h(i["input"]) + "</td>" + "".join(
            f"<td>{i[k]:.3g}</td>" for k in keys) + "</tr>" for i in g["indices"])
        page.section("global", f"Global screening ({g['method']})",
                     f"<table><thead><tr><th>input</th>{''.join(f'<th>{k}</th>' for k in keys)}"
                     f"</tr></thead><tbody>{rows}</tbody></table>",
                     intro=f"All inputs varied together ({g.get('evaluations', 0)} "
                           "evaluations, same random numbers): a large sigma against mu_star "
                           "means the input's effect depends on the others.")
    return page


def robust_page(report: dict) -> Page:
    """The robust sweep: shapes ranked by P(goal) across parameter uncertainty and luck."""
    page = Page(report.get("file") or "robust sweep", "robust sweep",
                f"{report['parameter_samples']} parameter samples x {report['replications']} "
                "replications per team shape")
    page.section("recommendation", "Recommendation", f"<p>{h(report['recommendation'])}</p>",
                 css="headline")
    rows = "".join(
        f"<tr><td>{h(r['point'])}</td><td>{100 * r['goal_probability']:.0f}%</td>"
        f"<td>{100 * r['worst_sample_probability']:.0f}%</td>"
        f"<td>{100 * r['parameter_share']:.0f}%</td><td>{100 * r['luck_share']:.0f}%</td>"
        f"<td>{h(amount(r['team_cost_per_year'], 'money'))}</td></tr>"
        for r in report["ranking"])
    page.section("risk", "Parameter uncertainty against the year's luck",
                 "<table><thead><tr><th>team</th><th>P(goal)</th><th>worst sample</th>"
                 "<th>risk from parameters</th><th>risk from luck</th><th>team cost</th></tr>"
                 f"</thead><tbody>{rows}</tbody></table>",
                 intro="The variance of the goal indicator splits into the part explained by "
                       "the uncertain inputs and the part left to the year's randomness.")
    return page


def write_page(page: Page, output: str | Path, cdn: bool = False) -> Path:
    """Render ``page`` to one self-contained HTML file, written atomically."""
    target = Path(output)
    atomic_write_text(target, page.render(cdn))
    return target
