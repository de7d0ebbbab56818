"""Assembling the report: one self-contained HTML page from a saved result folder.

plotly.js is embedded once in ``<head>`` (or loaded from the CDN with ``cdn=True``);
each chart is a ``<div>`` plus its figure as JSON in a ``<script type="application/json">``
block that one small loader script draws with ``Plotly.newPlot``. All user text is
escaped with :func:`html.escape` in the page and with :func:`figures.esc` in the figures;
the figure JSON has ``<``, ``>`` and ``&`` written as ``\\u003c``-style escapes so that no
string can close its ``<script>`` element. A Content-Security-Policy with the hashes of
the page's own scripts stops any other script from running.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import html
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly
import plotly.graph_objects as go
import plotly.io as pio

from hiresim import __version__
from hiresim.summary_table import TEXT_FORMATS, format_number
from hiresim.survival import filled_share_by

from . import analysis as an
from . import figures as fg
from .data import (
    CompareData,
    MultiRunData,
    ReportError,
    RunData,
    SweepData,
    load_folder,
)


def h(text: Any) -> str:
    """Escape user text for HTML (element content and attribute values)."""
    return html.escape(str(text), quote=True)


# ============================================================================ page shell

CSS = """
:root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --bg:#f6f7f9; --card:#fff;
        --accent:#2f6db5; --good:#2e9d6a; --warn:#b45309; --bad:#c0392b; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; background:var(--bg); color:var(--ink);
       font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto,
             "Helvetica Neue", Arial, sans-serif; }
header.top { background:#1e3a5f; color:#fff; padding:18px 0 16px; }
.wrap { max-width:1240px; margin:0 auto; padding:0 24px; }
header.top .kind { text-transform:uppercase; letter-spacing:.08em; font-size:12px;
                   opacity:.8; margin:0 0 2px; }
header.top h1 { margin:0; font-size:26px; line-height:1.25; font-weight:650;
                overflow-wrap:anywhere; }
header.top .sub { margin:4px 0 0; opacity:.85; font-size:14px; overflow-wrap:anywhere; }
nav.toc { background:#fff; border-bottom:1px solid var(--line); position:sticky; top:0;
          z-index:10; }
nav.toc .wrap { display:flex; flex-wrap:wrap; gap:4px 18px; padding-top:8px;
                padding-bottom:8px; font-size:13.5px; }
nav.toc a { color:var(--accent); text-decoration:none; }
nav.toc a:hover { text-decoration:underline; }
main { padding:20px 0 40px; }
section { background:var(--card); border:1px solid var(--line); border-radius:10px;
          padding:18px 22px 20px; margin:0 0 20px; }
section > h2 { margin:0 0 6px; font-size:20px; font-weight:650; }
section > p.intro { margin:0 0 12px; color:var(--muted); max-width:95ch; }
.headline { border-left:6px solid var(--accent); }
.headline .lead { font-size:19px; line-height:1.45; margin:4px 0 10px; max-width:100ch; }
.headline ul { margin:6px 0 0 0; padding-left:20px; }
.headline li { margin:3px 0; }
.verdict { display:inline-block; font-size:12px; font-weight:700; letter-spacing:.05em;
           text-transform:uppercase; color:#fff; background:var(--accent);
           border-radius:4px; padding:2px 8px; margin-bottom:6px; }
.verdict.none { background:var(--warn); }
.warn { color:var(--warn); }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(170px, 1fr));
         gap:12px; margin:14px 0 4px; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 12px; background:#fbfcfd; }
.card .label { font-size:12.5px; color:var(--muted); }
.card .value { font-size:24px; font-weight:650; line-height:1.2; }
.card .ci { font-size:12px; color:var(--muted); }
.grid2 { display:grid; grid-template-columns:1fr; gap:14px; }
@media (min-width: 1100px) { .grid2 { grid-template-columns:1fr 1fr; } }
figure.chart-box { margin:0; border:1px solid var(--line); border-radius:8px; padding:6px;
                   background:#fff; min-width:0; }
figure.chart-box figcaption { font-size:13px; color:var(--muted); padding:4px 8px 6px; }
.chart { width:100%; min-height:240px; }
.chart-error { color:var(--bad); font-weight:600; padding:12px; }
table.data { border-collapse:collapse; width:100%; font-size:13.5px; margin:6px 0 10px; }
table.data th, table.data td { border-bottom:1px solid var(--line); padding:5px 8px;
                               text-align:right; vertical-align:top; }
table.data th:first-child, table.data td:first-child { text-align:left; }
table.data thead th { background:#f3f4f6; font-weight:650; position:sticky; top:0; }
table.data tbody tr:hover { background:#f9fafb; }
table.data td.txt { text-align:left; overflow-wrap:anywhere; }
table.data.kv th { text-align:left; }
table.data td { white-space:nowrap; }
table.data td.txt, table.data td:first-child { white-space:normal; }
table.data tr.section td { background:#f9fafb; font-weight:650; text-align:left; }
table.data tr.differs td { background:#fff7e6; }
table.data .best { font-weight:700; }
.tablewrap { overflow-x:auto; }
.swatch { display:inline-block; width:11px; height:11px; border-radius:2px;
          margin-right:6px; vertical-align:-1px; }
.name { overflow-wrap:anywhere; }
details { margin:8px 0; }
details > summary { cursor:pointer; color:var(--accent); font-weight:600; }
.small { font-size:13px; color:var(--muted); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
       font-size:12.5px; background:#f3f4f6; padding:1px 4px; border-radius:3px;
       overflow-wrap:anywhere; }
footer { color:var(--muted); font-size:12.5px; padding:0 0 30px; }
.noscript { background:#fff3cd; padding:10px 14px; border-radius:6px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { background:#fff; font-size:12px; }
  nav.toc { display:none; }
  header.top { background:#fff; color:var(--ink); border-bottom:2px solid var(--ink);
               padding:0 0 8px; }
  section { border:none; padding:0; margin:0 0 14px; break-inside:auto; }
  figure.chart-box { break-inside:avoid; border:none; }
  .grid2 { grid-template-columns:1fr; }
  table.data thead th { position:static; }
  .wrap { max-width:none; padding:0; }
}
"""

LOADER = """
(function () {
  "use strict";
  var blocks = document.querySelectorAll("script.fig-data");
  if (typeof Plotly === "undefined") {
    var msg = document.getElementById("plotly-missing");
    if (msg) { msg.hidden = false; }
    return;
  }
  var config = {displaylogo: false, responsive: true,
                modeBarButtonsToRemove: ["lasso2d", "select2d", "autoScale2d"],
                toImageButtonOptions: {format: "png", scale: 2}};
  var jobs = [];
  Array.prototype.forEach.call(blocks, function (block) {
    var target = document.getElementById(block.getAttribute("data-target"));
    if (!target) { return; }
    try {
      var fig = JSON.parse(block.textContent);
      jobs.push(Plotly.newPlot(target, fig.data, fig.layout, config).then(function () {
        target.setAttribute("data-rendered", "1");
      }));
    } catch (err) {
      target.textContent = "This chart could not be drawn.";
      target.className += " chart-error";
      console.error(err);
    }
  });
  Promise.all(jobs).then(function () {
    document.body.setAttribute("data-charts-ready", String(jobs.length));
  }, function (err) { console.error(err); });
  function resizeAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".chart[data-rendered]"),
      function (el) { Plotly.Plots.resize(el); });
  }
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"),
      function (d) { d.setAttribute("open", ""); });
    resizeAll();
  });
  window.addEventListener("afterprint", resizeAll);
})();
"""


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _figure_json(fig: go.Figure) -> str:
    text = pio.to_json(fig, validate=False, pretty=False, remove_uids=True)
    # no '<', '>' or '&' may reach the HTML parser inside <script>
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Page:
    """Sections of HTML plus the figures they reference, rendered to one document."""

    def __init__(self, title: str, kind: str, subtitle: str = "") -> None:
        self.title = title
        self.kind = kind
        self.subtitle = subtitle
        self.sections: list[tuple[str, str, str]] = []  # id, title, html
        self.figures: list[tuple[str, str]] = []  # div id, json

    def chart(self, fig: go.Figure, caption: str = "", label: str = "") -> str:
        """HTML of one chart (a placeholder the loader fills) with its caption."""
        div_id = f"fig-{len(self.figures) + 1}"
        self.figures.append((div_id, _figure_json(fig)))
        height = int(fig.layout.height or 420)
        cap = f"<figcaption>{caption}</figcaption>" if caption else ""
        return (f'<figure class="chart-box"><div class="chart" id="{div_id}" role="img" '
                f'aria-label="{h(label)}" style="height:{height}px"></div>{cap}</figure>')

    def section(self, sid: str, title: str, body: str, intro: str = "",
                css: str = "") -> None:
        intro_html = f'<p class="intro">{intro}</p>' if intro else ""
        klass = f' class="{css}"' if css else ""
        self.sections.append((sid, title, f'<section id="{sid}"{klass}><h2>{h(title)}</h2>'
                                          f"{intro_html}{body}</section>"))

    def render(self, cdn: bool) -> str:
        version = plotly.offline.get_plotlyjs_version()
        if cdn:
            src = f"https://cdn.plot.ly/plotly-{version}.min.js"
            plotly_tag = f'<script src="{src}" charset="utf-8"></script>'
            script_src = f"'{_sha256(LOADER)}' https://cdn.plot.ly"
        else:
            js = plotly.offline.get_plotlyjs()
            plotly_tag = f"<script>{js}</script>"
            script_src = f"'{_sha256(js)}' '{_sha256(LOADER)}'"
        csp = (f"default-src 'none'; script-src {script_src}; style-src 'unsafe-inline'; "
               "img-src data: blob:; font-src data:; connect-src 'none'; "
               "base-uri 'none'; form-action 'none'")
        toc = "".join(f'<a href="#{sid}">{h(title)}</a>' for sid, title, _ in self.sections)
        body = "".join(s for _, _, s in self.sections)
        data = "".join(f'<script type="application/json" class="fig-data" '
                       f'data-target="{div_id}">{payload}</script>'
                       for div_id, payload in self.figures)
        made = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="hiresim {h(__version__)}">\n'
            f"<title>{h(self.title)} · hiresim report</title>\n"
            f"<style>{CSS}</style>\n{plotly_tag}\n</head>\n<body>\n"
            f'<header class="top"><div class="wrap"><p class="kind">hiresim {h(self.kind)} '
            f'report</p><h1 class="name">{h(self.title)}</h1>'
            + (f'<p class="sub">{h(self.subtitle)}</p>' if self.subtitle else "")
            + "</div></header>\n"
            f'<nav class="toc"><div class="wrap">{toc}</div></nav>\n'
            '<main><div class="wrap">\n'
            '<p id="plotly-missing" class="noscript" hidden>The charts need plotly.js, which '
            "this report loads from the internet (it was written with --cdn). Open it online, "
            "or write it again without --cdn for a file that works offline.</p>\n"
            f"{body}\n</div></main>\n"
            f'<footer><div class="wrap">Made by hiresim {h(__version__)} on {h(made)} from a '
            "saved result folder; nothing was re-simulated. Charts: plotly.js "
            f"{h(version)}.</div></footer>\n"
            f"{data}\n<script>{LOADER}</script>\n</body>\n</html>\n"
        )


# ============================================================================ formatting

KPI_ROWS: tuple[tuple[str, str, str, str], ...] = (
    # (label, metric, sub-key or "", kind)
    ("Time to fill, median of all reqs (days)", "time_to_fill_days", "p50", "days"),
    ("Time to fill P80, all reqs (days)", "time_to_fill_days", "p80", "days"),
    ("Time to fill P90, all reqs (days)", "time_to_fill_days", "p90", "days"),
    ("Reqs filled by the horizon", "fill_rate", "", "pct"),
    ("Reqs still open at the horizon (all replications)", "time_to_fill_days",
     "censored_reqs", "int"),
    ("Hires", "hires", "", "count"),
    ("Time to hire (days)", "time_to_hire_days", "", "days1"),
    ("Cost per hire", "cost_per_hire", "", "money"),
    ("TA team cost per year", "team_cost_per_year", "", "money"),
    ("Offer acceptance", "offer_acceptance_rate", "", "pct"),
    ("Outreach reply rate", "reply_rate", "", "pct"),
    ("Prospects contacted per sourced hire", "contacted_per_sourced_hire", "", "count"),
    ("Hires per recruiter per quarter", "hires_per_recruiter_per_quarter", "", "ratio"),
    ("Engaged candidates who withdrew", "withdrawal_rate", "", "pct"),
    ("Recruiter utilisation", "utilization_recruiter", "", "pct"),
    ("Sourcer utilisation", "utilization_sourcer", "", "pct"),
    ("Interviewer utilisation", "utilization_interviewers", "", "pct"),
    ("Recruiter hours spent sourcing", "recruiter_sourcing_share", "", "pct"),
    ("Days a req waits for a recruiter", "backlog_days_mean", "", "days1"),
)


# The CLI's number formats (summary_table), with money in dollars and whole days.
PAGE_FORMATS: dict[str, str] = {
    **TEXT_FORMATS,
    "money": "${:,.0f}",
    "days": "{:.0f}",
    "days1": "{:.1f}",
    "int": "{:,.0f}",
}


def _fmt(value: Any, kind: str) -> str:
    return format_number(an.number(value), kind, PAGE_FORMATS)


def _kpi_cell(metric: dict, sub: str, kind: str) -> str:
    if not metric:
        return "-"
    if sub:
        value = metric.get(sub)
        if value is None and sub.startswith("p"):
            return "&gt; horizon"
        return h(_fmt(value, kind))
    mean = metric.get("mean")
    if mean is None:
        return "-"
    low, high = metric.get("ci_low"), metric.get("ci_high")
    ci = (f' <span class="small">[{h(_fmt(low, kind))}, {h(_fmt(high, kind))}]</span>'
          if low is not None and high is not None and abs(high - low) > 1e-9 else "")
    return h(_fmt(mean, kind)) + ci


def _swatch(color: str) -> str:
    return f'<span class="swatch" style="background:{color}"></span>'


def _name(name: str, colors: dict[str, str] | None = None) -> str:
    sw = _swatch(colors[name]) if colors and name in colors else ""
    return f'{sw}<span class="name">{h(name)}</span>'


def kpi_table(runs: Sequence[RunData], colors: dict[str, str],
              goal_texts: Sequence[str] = ()) -> str:
    head = "".join(f"<th>{_name(r.name, colors)}</th>" for r in runs)
    rows = []
    for label, metric, sub, kind in KPI_ROWS:
        cells = [r.metrics.get(metric) or {} for r in runs]
        if all((c.get("n", 0) == 0 and not (sub and c.get(sub) is not None)) for c in cells):
            continue
        tds = "".join(f"<td>{_kpi_cell(c, sub, kind)}</td>" for c in cells)
        rows.append(f"<tr><td>{h(label)}</td>{tds}</tr>")
    if goal_texts:
        probs = [an.joint_goal_probability(r, goal_texts) for r in runs]
        if any(p is not None for p in probs):
            tds = "".join(f"<td>{_prob_cell(p)}</td>" for p in probs)
            rows.append(f"<tr><td>Simulated years meeting {h(an.goals_phrase(goal_texts))}"
                        f"</td>{tds}</tr>")
    reps = sorted({r.replications for r in runs})
    return (f'<div class="tablewrap"><table class="data"><thead><tr><th>Metric (mean '
            f"[95% CI across replications])</th>{head}</tr></thead><tbody>{''.join(rows)}"
            f"</tbody></table></div><p class=\"small\">{'/'.join(map(str, reps))} replications "
            "per scenario. Time-to-fill percentiles come from one Kaplan-Meier curve of all "
            "reqs of all replications, with reqs still open at the horizon counted as "
            "censored; “&gt; horizon” means that share of reqs was not filled within the "
            "simulated period.</p>")


def _prob_cell(p: dict | None) -> str:
    if p is None or p.get("probability") is None:
        return "-"
    return (f"{100 * p['probability']:.0f}% <span class=\"small\">[{100 * p['ci_low']:.0f}%, "
            f"{100 * p['ci_high']:.0f}%]</span>")


def kpi_cards(run: RunData) -> str:
    m = run.metrics
    ttf = m.get("time_to_fill_days") or {}
    cph = m.get("cost_per_hire") or {}

    def ci(metric: dict, kind: str) -> str:
        if metric.get("ci_low") is None:
            return ""
        return f"95% CI {_fmt(metric['ci_low'], kind)} to {_fmt(metric['ci_high'], kind)}"

    cards = [
        ("Median time-to-fill", _days_text(ttf.get("p50")), "all reqs, Kaplan-Meier"),
        ("P80 time-to-fill", _days_text(ttf.get("p80")), "80% of reqs filled within"),
        ("Cost per hire", _fmt(cph.get("mean"), "money"), ci(cph, "money")),
        ("Reqs filled", _fmt((m.get("fill_rate") or {}).get("mean"), "pct"),
         _horizon_words(run)),
        ("Hires", _fmt((m.get("hires") or {}).get("mean"), "count"),
         ci(m.get("hires") or {}, "count")),
        ("Time-to-hire", _days_text((m.get("time_to_hire_days") or {}).get("mean")),
         "first contact or application to acceptance"),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="label">{h(a)}</div><div class="value">{h(b)}</div>'
        f'<div class="ci">{h(c)}</div></div>' for a, b, c in cards) + "</div>"


def _days_text(value: Any) -> str:
    v = an.number(value)
    return "> horizon" if v is None else f"{v:.0f} days"


def _horizon_words(run: RunData) -> str:
    horizon = run.horizon
    return "within the year" if abs(horizon - 365) < 1e-9 else \
        f"within the {horizon:g}-day horizon"


# ============================================================================ sections

def _ttf_frames(runs: Sequence[RunData]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                                  pd.DataFrame]:
    stats, curves, marks, censored = [], [], [], []
    for run in runs:
        fills, horizon = an.fill_durations(run)
        if fills.empty:
            continue
        groups = [("All reqs", fills)]
        groups += [(str(p), fills[fills["profile"] == p])
                   for p in dict.fromkeys(fills["profile"])]
        for group, part in groups:
            box = an.km_box(part["days"].to_numpy(), part["filled"].to_numpy())
            stats.append({"scenario": run.name, "group": group, **box})
        d, f = fills["days"].to_numpy(), fills["filled"].to_numpy()
        grid, share = an.km_curve(d, f, horizon)
        curves.append(pd.DataFrame({"scenario": run.name, "day": grid, "share": share}))
        for q in (0.5, 0.8):
            day = an.km_quantile(d, f, q)
            if day is not None:
                marks.append({"scenario": run.name, "label": f"P{int(q * 100)}", "day": day,
                              "share": q})
        cens_days = np.unique(np.round(d[~f.astype(bool)], 0))
        if cens_days.size:
            censored.append(pd.DataFrame({"scenario": run.name, "day": cens_days,
                                          "share": filled_share_by(d, f, cens_days)}))
    return (pd.DataFrame(stats),
            pd.concat(curves, ignore_index=True) if curves else
            pd.DataFrame(columns=["scenario", "day", "share"]),
            pd.DataFrame(marks, columns=["scenario", "label", "day", "share"]),
            pd.concat(censored, ignore_index=True) if censored else
            pd.DataFrame(columns=["scenario", "day", "share"]))


def ttf_section(page: Page, runs: Sequence[RunData], colors: dict[str, str],
                goal_texts: Sequence[str] = ()) -> None:
    stats, curves, marks, censored = _ttf_frames(runs)
    if stats.empty:
        return
    goal = an.goal_line_value(goal_texts, "time_to_fill_days.p80")
    open_reqs = ", ".join(
        f"{h(r.name)}: "
        f"{int((r.metrics.get('time_to_fill_days') or {}).get('censored_reqs') or 0):,}"
        for r in runs)
    box = page.chart(
        fg.time_to_fill_box(stats, colors, goal),
        "Box: the middle half of reqs (25% to 75% filled); whiskers: 10% and 90%; line: "
        "median; diamond: P80. All from the Kaplan-Meier curve, so reqs still open at the "
        "horizon count as “not filled yet” instead of being dropped. Hover for the numbers.",
        "Time-to-fill by role profile")
    curve = page.chart(
        fg.filled_share_curve(curves, marks, colors, censored, goal),
        "Kaplan-Meier estimate of the share of reqs filled within a number of days of "
        f"opening, all replications pooled. Ticks: reqs still open at the horizon "
        f"(censored; {open_reqs}).",
        "Share of reqs filled over time")
    page.section("time-to-fill", "Time-to-fill", f'<div class="grid2">{box}{curve}</div>',
                 intro="Days from req approval to the accepted offer, backlog and intake "
                       "included.")


def cost_section(page: Page, runs: Sequence[RunData], colors: dict[str, str]) -> None:
    rows = []
    parts = []
    for run in runs:
        m = run.metrics.get("cost_per_hire") or {}
        rows.append({"scenario": run.name, "mean": m.get("mean"), "ci_low": m.get("ci_low"),
                     "ci_high": m.get("ci_high"), "n": m.get("n")})
        b = an.cost_breakdown(run)
        if not b.empty:
            parts.append(b.assign(scenario=run.name))
    height = max(380, 230 + 70 * len(runs))
    bars = page.chart(
        fg.cost_per_hire_bars(pd.DataFrame(rows), colors, height=height),
        "Mean cost per hire with its 95% confidence interval across replications "
        "(ANSI/SHRM: internal plus external recruiting cost over the period, divided by "
        "hires).", "Cost per hire")
    body = bars
    if parts:
        breakdown = pd.concat(parts, ignore_index=True)
        body += page.chart(
            fg.cost_breakdown_bars(breakdown, height=height),
            "Each component divided by the year's hires, averaged over replications; the "
            "segments add up to the cost per hire. Agency fees, referral bonuses and "
            "relocation are not modelled (zero here).", "Cost per hire by component")
    page.section("cost", "Cost per hire", f'<div class="grid2">{body}</div>',
                 intro="Money is in US$ as given in the scenario.")


def _forest_frame(compare: CompareData) -> pd.DataFrame:
    base = compare.baseline
    rows = []
    for other, diffs in (compare.report.get("differences") or {}).items():
        for kpi, label, group in FOREST_KPIS:
            diff = diffs.get(kpi)
            if not diff or diff.get("mean") is None:
                continue
            low, high = diff.get("ci_low"), diff.get("ci_high")
            clear = low is not None and high is not None and (low > 0 or high < 0)
            text = _difference_words(other, base, label, group, diff, clear)
            rows.append({"scenario": other, "label": label, "group": group,
                         "mean": diff["mean"], "ci_low": low, "ci_high": high,
                         "clear": clear, "statement": text})
    return pd.DataFrame(rows, columns=["scenario", "label", "group", "mean", "ci_low",
                                       "ci_high", "clear", "statement"])


def _difference_words(other: str, base: str, label: str, group: str, diff: dict,
                      clear: bool) -> str:
    """'split vs combined: cost per hire −$388 (95% CI −$563 to −$214), a clear difference'."""
    kind = {"days": "days", "money": "money", "points": "pct"}[group]
    unit = " days" if group == "days" else ""
    text = f"{other} vs {base}: {label.lower()} {_signed(diff['mean'], kind)}{unit}"
    low, high = diff.get("ci_low"), diff.get("ci_high")
    if low is None or high is None:
        return text + " (no interval: too few replications)"
    return (text + f" (CI {_signed(low, kind)} to {_signed(high, kind)}{unit}), "
            + ("a clear difference" if clear else "not a clear difference"))


FOREST_KPIS = (
    ("time_to_fill_p50", "Time-to-fill, median", "days"),
    ("time_to_fill_p80", "Time-to-fill, P80", "days"),
    ("time_to_fill_p90", "Time-to-fill, P90", "days"),
    ("time_to_hire_days", "Time-to-hire", "days"),
    ("cost_per_hire", "Cost per hire", "money"),
    ("fill_rate", "Reqs filled", "points"),
    ("offer_acceptance_rate", "Offer acceptance", "points"),
    ("reply_rate", "Outreach reply rate", "points"),
    ("withdrawal_rate", "Withdrawals", "points"),
    ("utilization_recruiter", "Recruiter utilisation", "points"),
    ("utilization_sourcer", "Sourcer utilisation", "points"),
)

DIFF_ROWS = (
    ("time_to_fill_p50", "Time to fill, median (days)", "days"),
    ("time_to_fill_p80", "Time to fill P80 (days)", "days"),
    ("time_to_fill_p90", "Time to fill P90 (days)", "days"),
    ("cost_per_hire", "Cost per hire", "money"),
    ("team_cost_per_year", "TA team cost per year", "money"),
    ("fill_rate", "Reqs filled", "pct"),
    ("hires", "Hires", "count"),
    ("time_to_hire_days", "Time to hire (days)", "days"),
    ("offer_acceptance_rate", "Offer acceptance", "pct"),
    ("withdrawal_rate", "Withdrawals", "pct"),
    ("hires_per_recruiter_per_quarter", "Hires per recruiter per quarter", "count"),
    ("utilization_recruiter", "Recruiter utilisation", "pct"),
    ("utilization_sourcer", "Sourcer utilisation", "pct"),
    ("reply_rate", "Outreach reply rate", "pct"),
)


def _signed(value: float, kind: str) -> str:
    digits = 0 if kind == "money" else 1
    scale = 100 if kind == "pct" else 1
    if round(value * scale, digits) == 0:
        value = 0.0
    if kind == "money":
        return "$0" if value == 0 else f"{'−' if value < 0 else '+'}${abs(value):,.0f}"
    if kind == "pct":
        return f"{value * 100:+.1f} pt".replace("-", "−").replace("+0.0", "0.0")
    return f"{value:+.1f}".replace("-", "−").replace("+0.0", "0.0")


def differences_section(page: Page, compare: CompareData, colors: dict[str, str]) -> None:
    diffs = compare.report.get("differences") or {}
    if not diffs:
        return
    base = compare.baseline
    forest = _forest_frame(compare)
    chart = page.chart(
        fg.forest_plot(forest, colors, base),
        "Each dot is the mean of the per-replication differences (scenario minus "
        f"{h(base)}), the bar its {_confidence(compare)} confidence interval. Filled dots: "
        "the interval excludes zero (a clear difference); hollow: not clear. "
        f"{'Both' if len(compare.runs) == 2 else 'All'} scenarios ran on the same random "
        "numbers, which makes these intervals much tighter than those of the scenarios' own "
        "KPIs.", "Paired differences against the baseline")
    others = list(diffs)
    head = "".join(f"<th>{_name(o, colors)}</th>" for o in others)
    rows = []
    for kpi, label, kind in DIFF_ROWS:
        cells = []
        for o in others:
            d = diffs[o].get(kpi) or {}
            if d.get("mean") is None:
                cells.append("<td>-</td>")
                continue
            low, high = d.get("ci_low"), d.get("ci_high")
            clear = low is not None and high is not None and (low > 0 or high < 0)
            ci = (f' <span class="small">[{h(_signed(low, kind))}, {h(_signed(high, kind))}]'
                  "</span>" if low is not None and high is not None and abs(high - low) > 1e-9
                  else "")
            cls = ' class="best"' if clear else ""
            cells.append(f"<td><span{cls}>{h(_signed(d['mean'], kind))}</span>{ci}</td>")
        if all(c == "<td>-</td>" for c in cells):
            continue
        rows.append(f"<tr><td>{h(label)}</td>{''.join(cells)}</tr>")
    table = (f'<div class="tablewrap"><table class="data"><thead><tr><th>Difference vs '
             f"{_name(base, colors)}</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
             "</table></div><p class=\"small\">Bold: the interval excludes zero. "
             f"Intervals are {_confidence(compare)} (Bonferroni-adjusted for "
             f"{int(compare.report.get('comparisons') or 1)} comparison(s)).</p>")
    page.section("differences", f"Paired differences against {base}", chart + table,
                 intro="What changes if you pick another scenario instead of the baseline, "
                       "on the same simulated candidates and reqs.")


def _confidence(compare: CompareData) -> str:
    m = max(1, int(compare.report.get("comparisons") or 1))
    return f"{round((1 - 0.05 / m) * 100, 1):g}%"


def funnel_section(page: Page, runs: Sequence[RunData], colors: dict[str, str]) -> None:
    frames = []
    entered: dict[str, float] = {}
    stages: list[str] = []
    for run in runs:
        f = an.funnel_table(run)
        if f.empty:
            continue
        frames.append(f.assign(scenario=run.name))
        for stage, value in f.groupby("stage")["entered"].sum().items():
            entered[stage] = entered.get(stage, 0.0) + float(value)
            if stage not in stages:
                stages.append(stage)
    if not frames:
        return
    funnel = pd.concat(frames, ignore_index=True)
    order = an.stage_order(runs[0].scenario, stages, entered)
    a = page.chart(
        fg.funnel_chart(funnel, colors, order),
        "Candidates who reached each stage per simulated year (mean over replications), "
        "outbound prospects on the left, applicants on the right. The percentage is the "
        "share of the previous stage that got this far. Hover for passes, fails and "
        "withdrawals.", "Candidate funnel by source")
    b = page.chart(
        fg.stage_outcomes(funnel, order),
        "How each stage ended for the candidates who reached it: passed on, failed or "
        "declined (at outreach: no reply or not interested), withdrew (ran out of "
        "patience), closed out because the req was filled, or still in process when the "
        "simulated period ended.", "Stage outcomes")
    page.section("funnel", "The funnel by source", a + b,
                 intro="Sourced (outbound) prospects and inbound applicants, stage by stage.")


def time_section(page: Page, runs: Sequence[RunData], colors: dict[str, str]) -> None:
    utils, hours = [], []
    for run in runs:
        u = an.utilisation(run)
        if not u.empty:
            # one category per role across scenarios ("Recruiters", not "Full-cycle ...")
            u = u.assign(scenario=run.name, label=[an.role_label(r) for r in u["role"]])
            utils.append(u)
        a = an.activity_hours(run)
        if not a.empty:
            hours.append(a.assign(scenario=run.name))
    if not utils and not hours:
        return
    body = ""
    notes = []
    for run in runs:
        share = (run.metrics.get("recruiter_sourcing_share") or {}).get("mean")
        structure = (run.scenario.get("team") or {}).get("structure")
        if share is not None and structure == "combined":
            notes.append(f"In <b class=\"name\">{h(run.name)}</b> the full-cycle recruiters "
                         f"spend <b>{100 * share:.0f}%</b> of their busy hours sourcing "
                         "(outreach, follow-ups, qualification calls).")
        elif structure == "split":
            notes.append(f"In <b class=\"name\">{h(run.name)}</b> the sourcers do the "
                         "sourcing; recruiters spend "
                         f"{100 * (share or 0):.0f}% of their hours on it.")
    charts = ""
    if utils:
        frame = pd.concat(utils, ignore_index=True)
        rank = frame["role"].map(lambda r: {"recruiter": 0, "sourcer": 1}.get(r, 2))
        frame = frame.assign(_rank=rank).sort_values("_rank", kind="stable")
        charts += page.chart(
            fg.utilisation_bars(frame, colors, an.SATURATED),
            "Busy hours (all activities, task switching included) divided by available "
            "hours (head count × productive hours per week × weeks), mean with 95% CI "
            "across replications. Interviewers are shown per role-profile pool.",
            "Utilisation by role")
    if hours:
        charts += page.chart(
            fg.activity_hours_bars(pd.concat(hours, ignore_index=True), len(runs) > 1),
            "Average hours per person per week on each activity; grey is the rest of their "
            "productive hours. Greens are sourcing work.", "Hours by activity")
    body = charts
    if notes:
        body += "<ul>" + "".join(f"<li>{n}</li>" for n in notes) + "</ul>"
    page.section("time", "Where the time goes", body,
                 intro="Who is busy, with what, and how much a full-cycle recruiter "
                       "spends sourcing.")


def backlog_section(page: Page, runs: Sequence[RunData], colors: dict[str, str]) -> None:
    frames = []
    for run in runs:
        s = an.backlog_series(run)
        if s.empty:
            continue
        if (run.scenario.get("team") or {}).get("structure") == "combined" and \
                "tasks_waiting_sourcers" in s:
            s = s.drop(columns=["tasks_waiting_sourcers"])
        frames.append(s.assign(scenario=run.name))
    if not frames:
        return
    chart = page.chart(
        fg.backlog_lines(pd.concat(frames, ignore_index=True), colors),
        "Weekly snapshots averaged over replications. Open reqs: approved and not yet "
        "filled (dashed, when there are any: reqs waiting for a recruiter with room). Tasks "
        "waiting: work queued for each role, smoothed with a 4-week moving average. New "
        "outreach is never queued, so a short sourcer queue does not mean no sourcing is "
        "wanted.", "Backlog over time")
    items = []
    for run in runs:
        b = an.bottleneck(run)
        if b["sentence"]:
            prefix = f'<b class="name">{h(run.name)}</b>: ' if len(runs) > 1 else ""
            items.append(f"<li>{prefix}{h(b['sentence'])}</li>")
    body = chart + (f"<ul>{''.join(items)}</ul>" if items else "")
    page.section("backlog", "Backlog and the bottleneck", body,
                 intro="Open reqs and the work waiting for each role over the plan.")


def assumptions_section(page: Page, runs: Sequence[RunData],
                        colors: dict[str, str], note: str = "") -> None:
    scenarios = [r.scenario for r in runs]
    if not any(scenarios):
        return
    names = [r.name for r in runs]
    multi = len(runs) > 1
    head = "".join(f"<th>{_name(n, colors)}</th>" for n in names) if multi else \
        "<th>Value</th>"
    sections: dict[str, list[str]] = {}
    values: dict[tuple[str, str], list[str]] = {}
    for i, sc in enumerate(scenarios):
        for sec, rows in an.scenario_sections(sc):
            keys = sections.setdefault(sec, [])
            for key, value in rows:
                if key not in keys:
                    keys.append(key)
                values.setdefault((sec, key), ["-"] * len(scenarios))[i] = value
    body_rows = []
    differing = []
    for sec, keys in sections.items():
        body_rows.append(f'<tr class="section"><td colspan="{len(names) + 1}">{h(sec)}</td>'
                         "</tr>")
        for key in keys:
            vals = values[(sec, key)]
            differs = multi and len(set(vals)) > 1 and key not in ("name",)
            cls = ' class="differs"' if differs else ""
            tds = "".join(f'<td class="txt">{h(v)}</td>' for v in vals)
            row = f"<tr{cls}><td>{h(key)}</td>{tds}</tr>"
            body_rows.append(row)
            if differs:
                differing.append(f"<tr><td>{h(sec)}.{h(key)}</td>{tds}</tr>")
    table = (f'<div class="tablewrap"><table class="data kv"><thead><tr><th>Setting</th>'
             f"{head}</tr></thead><tbody>{''.join(body_rows)}</tbody></table></div>")
    parts = []
    if note:
        parts.append(f"<p>{note}</p>")
    if differing:
        parts.append("<p>Settings that differ between the scenarios:</p>"
                     f'<div class="tablewrap"><table class="data kv"><thead><tr><th>Setting'
                     f"</th>{head}</tr></thead><tbody>{''.join(differing)}</tbody></table>"
                     "</div>")
    parts.append(f"<details{' open' if not multi else ''}><summary>Team, effort, outreach, "
                 f"candidates and costs{' (highlighted: differs)' if multi else ''}"
                 f"</summary>{table}</details>")
    # profiles: one table per distinct set of profiles
    seen: list[tuple[list[str], list]] = []
    for run in runs:
        prof = an.profile_rows(run.scenario)
        if not prof[0]:
            continue
        if any(prof == s for s in seen):
            continue
        seen.append(prof)
    for idx, (pnames, prows) in enumerate(seen):
        phead = "".join(f"<th>{h(p)}</th>" for p in pnames)
        trs = "".join(f"<tr><td>{h(k)}</td>" + "".join(f'<td class="txt">{h(v)}</td>'
                                                       for v in vals) + "</tr>"
                      for k, vals in prows)
        whose = ""
        if len(seen) > 1:
            owners = [r.name for r in runs if an.profile_rows(r.scenario) == seen[idx]]
            whose = " of " + ", ".join(h(o) for o in owners)
        elif multi:
            whose = " (the same in every scenario)"
        parts.append(f"<details open><summary>Role profiles and hiring plan{whose}</summary>"
                     f'<div class="tablewrap"><table class="data kv"><thead><tr><th>Setting'
                     f"</th>{phead}</tr></thead><tbody>{trs}</tbody></table></div></details>")
    page.section("assumptions", "Assumptions", "".join(parts),
                 intro="The fully resolved scenario as simulated (every default filled in). "
                       "Units are in the names: *_days calendar days, *_hours hours of "
                       "effort, *_per_week per calendar week, money in US$ a year unless the "
                       "name says otherwise.")


def provenance_section(page: Page, runs: Sequence[RunData], extra: Sequence[tuple[str, str]]
                       = ()) -> None:
    def row(label: str, vals: Sequence[str]) -> str:
        return f"<tr><td>{h(label)}</td>" + "".join(f'<td class="txt">{h(v)}</td>'
                                                    for v in vals) + "</tr>"

    head = "".join(f"<th>{_name(r.name)}</th>" for r in runs)
    rows = [
        row("Result folder", [str(r.path) for r in runs]),
        row("Root seed", [str(r.meta.get("seed", r.summary.get("seed", "-"))) for r in runs]),
        row("Replications", [str(r.replications) for r in runs]),
        row("hiresim version", [str(r.meta.get("hiresim_version", "-")) for r in runs]),
        row("Python", [str(r.meta.get("python", "-")) for r in runs]),
        row("Packages", [", ".join(f"{k} {v}" for k, v in (r.meta.get("packages") or {})
                                   .items()) or "-" for r in runs]),
        row("Executor", [str(r.meta.get("executor", "-")) for r in runs]),
        row("Started", [_when(r.meta.get("started_unix")) for r in runs]),
        row("Wall time", [f"{float(r.meta.get('wall_seconds') or 0):.1f} s" for r in runs]),
        row("Scenario fingerprint (SHA-256)", [str(r.meta.get("scenario_sha256", "-"))
                                               for r in runs]),
    ]
    extra_html = "".join(f"<li>{h(a)}: {b}</li>" for a, b in extra)
    body = ((f"<ul>{extra_html}</ul>" if extra_html else "")
            + f'<div class="tablewrap"><table class="data kv"><thead><tr><th></th>{head}</tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
            "<p class=\"small\">Re-running with the same scenario, seed and replication count "
            "reproduces these results exactly (independently of the number of workers).</p>")
    page.section("provenance", "Provenance", body)


def _when(value: Any) -> str:
    v = an.number(value)
    if v is None:
        return "-"
    return _dt.datetime.fromtimestamp(v).astimezone().strftime("%Y-%m-%d %H:%M %Z")


def scenario_sections(page: Page, runs: Sequence[RunData], colors: dict[str, str],
                      goal_texts: Sequence[str] = ()) -> None:
    ttf_section(page, runs, colors, goal_texts)
    cost_section(page, runs, colors)
    funnel_section(page, runs, colors)
    time_section(page, runs, colors)
    backlog_section(page, runs, colors)


# ============================================================================ headlines

def _run_sentence(run: RunData) -> str:
    m = run.metrics
    ttf = m.get("time_to_fill_days") or {}
    p50, p80 = an.number(ttf.get("p50")), an.number(ttf.get("p80"))
    cph = (m.get("cost_per_hire") or {}).get("mean")
    fill = (m.get("fill_rate") or {}).get("mean")
    team = an.team_words(run.scenario)
    parts = [
        f"median time-to-fill {_days_text(p50)} "
        f"(P80 {'> horizon' if p80 is None else f'{p80:.0f}'})",
        f"cost per hire {an.money(cph)}",
        f"{an.pct(fill)} of reqs filled {_horizon_words(run)}",
    ]
    return (f'<b class="name">{h(run.name)}</b>' + (f" ({h(team)})" if team else "")
            + ": " + h(", ".join(parts)) + ".")


def _warnings(run: RunData) -> list[str]:
    out = []
    m = run.metrics
    for key, label in (("utilization_recruiter", "recruiters"),
                       ("utilization_sourcer", "sourcers"),
                       ("utilization_interviewers", "interviewers")):
        mean = (m.get(key) or {}).get("mean")
        if mean is not None and mean >= an.SATURATED:
            out.append(f"{run.name}: {label} are busy {100 * mean:.0f}% of their hours; work "
                       "piles up faster than it is done, so results depend on the horizon.")
    if ((m.get("hires") or {}).get("mean") or 0) == 0:
        out.append(f"{run.name}: no hires in any replication; check the hiring plan.")
    if run.replications < 30:
        out.append(f"{run.name}: only {run.replications} replications; intervals are wide. "
                   "Use more (-n 200) before deciding.")
    return out


def _warning_list(runs: Sequence[RunData]) -> str:
    items = [w for r in runs for w in _warnings(r)]
    if not items:
        return ""
    seen = list(dict.fromkeys(items))
    return '<ul class="warn">' + "".join(f"<li>{h(w)}</li>" for w in seen) + "</ul>"


def run_headline(run: RunData) -> str:
    lead = _run_sentence(run)
    bn = an.bottleneck(run)
    goals = [g for g in run.goals if g.get("probability") is not None]
    goal_html = "".join(
        f"<li>Meets {h(an.goal_words(str(g.get('goal')), short=True))} in "
        f"<b>{100 * g['probability']:.0f}%</b> of simulated years (95% CI "
        f"{100 * g['ci_low']:.0f}%–{100 * g['ci_high']:.0f}%).</li>" for g in goals)
    items = goal_html + (f"<li>{h(bn['sentence'])}</li>" if bn["sentence"] else "")
    return (f'<p class="lead">{lead}</p>' + (f"<ul>{items}</ul>" if items else "")
            + kpi_cards(run) + _warning_list([run]))


def _goal_texts(runs: Sequence[RunData]) -> list[str]:
    texts: list[str] = []
    for run in runs:
        for g in run.goals:
            text = str(g.get("goal", ""))
            if text and text not in texts:
                texts.append(text)
    return texts


def _clear_sign(diff: dict | None) -> int:
    """-1: clearly lower; +1: clearly higher; 0: no clear difference (or unknown)."""
    if not diff or diff.get("ci_low") is None or diff.get("ci_high") is None:
        return 0
    if diff["ci_high"] < 0:
        return -1
    if diff["ci_low"] > 0:
        return 1
    return 0


def _goal_met(run: RunData, goal_texts: Sequence[str]) -> pd.Series | None:
    return an.goal_met(run.table("replications"), goal_texts)


def _dominance_lead(runs: Sequence[RunData], base: str, diffs: dict) -> tuple[str, str]:
    """(verdict, sentence) from the paired P80 time-to-fill and cost-per-hire differences."""
    better, worse = [], []
    for other, d in diffs.items():
        p80 = _clear_sign(d.get("time_to_fill_p80"))
        cost = _clear_sign(d.get("cost_per_hire"))
        if (p80 < 0 or cost < 0) and p80 <= 0 and cost <= 0:
            better.append(other)
        if (p80 > 0 or cost > 0) and p80 >= 0 and cost >= 0:
            worse.append(other)
    if len(better) == 1:
        pick = next(r for r in runs if r.name == better[0])
        team = an.team_words(pick.scenario)
        d = diffs[pick.name]
        gains = []
        if _clear_sign(d.get("time_to_fill_p80")) < 0:
            gains.append(f"fills reqs {abs(d['time_to_fill_p80']['mean']):.1f} days faster "
                         "at P80")
        if _clear_sign(d.get("cost_per_hire")) < 0:
            gains.append(f"costs {an.money(abs(d['cost_per_hire']['mean']))} less per hire")
        rest = ("" if len(gains) == 2 else
                ", with no clear difference in "
                + ("cost per hire" if "faster" in gains[0] else "P80 time-to-fill"))
        return "Recommendation", (
            f'<b class="name">{h(pick.name)}</b>' + (f" ({h(team)})" if team else "")
            + f" is the better choice over {h(base)}: it {h(' and '.join(gains))}{rest}.")
    if diffs and len(worse) == len(diffs):
        pick = next((r for r in runs if r.name == base), runs[0])
        team = an.team_words(pick.scenario)
        return "Recommendation", (
            f'Keep <b class="name">{h(pick.name)}</b>' + (f" ({h(team)})" if team else "")
            + ": every alternative is slower at P80 or dearer per hire, and none is clearly "
            "better on the other.")
    return "A trade-off", ("No scenario is clearly better on both P80 time-to-fill and cost "
                           "per hire; the statements below say what each choice gains and "
                           "gives up.")


def compare_headline(compare: CompareData) -> str:
    runs = compare.runs
    base = compare.baseline
    goal_texts = _goal_texts(runs)
    diffs = compare.report.get("differences") or {}
    parts = []
    verdict = ""
    if goal_texts:
        probs = {r.name: an.joint_goal_probability(r, goal_texts) for r in runs}
        known = {k: v for k, v in probs.items() if v and v.get("probability") is not None}
        if not known:  # fall back on comparison.json's per-goal figures (one goal)
            for r in runs:
                if r.goals and r.goals[0].get("probability") is not None:
                    known[r.name] = r.goals[0]
        if known:
            ranked = sorted((r for r in runs if r.name in known), key=lambda r: (
                -known[r.name]["probability"],
                (r.metrics.get("cost_per_hire") or {}).get("mean") or float("inf")))
            best = ranked[0]
            pb = known[best.name]
            phrase = an.goals_phrase(goal_texts)
            met = {r.name: _goal_met(r, goal_texts) for r in ranked}
            m = max(1, len(ranked) - 1)
            leads = []
            for other in ranked[1:]:
                a, b = met.get(other.name), met.get(best.name)
                if a is None or b is None:
                    leads.append(False)
                    continue
                d = an.paired_difference(a, b, m)
                leads.append(d.get("ci_low") is not None and d["ci_low"] > 0)
            if len(ranked) > 1 and all(leads):
                verdict = "Recommendation"
                team = an.team_words(best.scenario)
                others = "; ".join(
                    f"{h(r.name)} does with "
                    f"{100 * known[r.name]['probability']:.0f}%" for r in ranked[1:])
                parts.append(
                    f'<p class="lead"><b class="name">{h(best.name)}</b>'
                    + (f" ({h(team)})" if team else "")
                    + f" meets {h(phrase)} with <b>{100 * pb['probability']:.0f}%</b> "
                    f"probability (95% CI {100 * pb['ci_low']:.0f}%–"
                    f"{100 * pb['ci_high']:.0f}%); {others}.</p>")
            else:
                listing = ", ".join(
                    f'<b class="name">{h(r.name)}</b> {100 * known[r.name]["probability"]:.0f}%'
                    for r in ranked)
                same = len({round(known[r.name]["probability"], 12) for r in ranked}) == 1
                verdict, lead = _dominance_lead(runs, base, diffs)
                parts.append(f'<p class="lead">{lead}</p>')
                parts.append(
                    f"<p>Chance of meeting {h(phrase)} in a simulated year: {listing}"
                    + ("." if same and len(ranked) > 1 else
                       " (the difference is not clear at this number of replications)."
                       if len(ranked) > 1 else ".") + "</p>")
    if not parts:
        verdict, lead = _dominance_lead(runs, base, diffs)
        parts.append(f'<p class="lead">{lead}</p>')
    statements = compare.report.get("statements") or []
    items = "".join(f"<li>{h(s)}</li>" for s in statements)
    for run in runs:
        bn = an.bottleneck(run)
        if bn["sentence"]:
            items += f'<li><b class="name">{h(run.name)}</b>: {h(bn["sentence"])}</li>'
    head = f'<span class="verdict">{h(verdict)}</span>' if verdict else ""
    runs_line = "<p>" + "<br>".join(_run_sentence(r) for r in runs) + "</p>"
    return head + "".join(parts) + runs_line + (f"<ul>{items}</ul>" if items else "") \
        + _warning_list(runs)


def _point_label(row: pd.Series, settings: Sequence[str]) -> str:
    return ", ".join(f"{fg._setting_label(k)} {row[k]}" for k in settings)


def sweep_headline(sweep: SweepData, colors: dict[str, str]) -> str:
    report = sweep.report
    points = sweep.points
    goals = [str(g) for g in report.get("goals") or []]
    confidence = float(report.get("confidence") or 0.8)
    rec = report.get("recommended")
    n = len(points)
    out = []
    if goals and rec is not None and (points["point"] == rec).any():
        row = points[points["point"] == rec].iloc[0]
        run = sweep.runs.get(rec)
        team = an.team_words(run.scenario) if run else _point_label(row, sweep.settings)
        out.append('<span class="verdict">Recommendation</span>')
        out.append(
            f'<p class="lead"><b class="name">{h(rec)}</b>' + (f" ({h(team)})" if team else "")
            + f" is the cheapest team in the grid that meets {h(an.goals_phrase(goals))}: "
            f"<b>{100 * float(row['goal_probability']):.0f}%</b> of simulated years (95% CI "
            f"{100 * float(row['goal_ci_low']):.0f}%–{100 * float(row['goal_ci_high']):.0f}%; "
            f"required {100 * confidence:.0f}%), for a TA team cost of "
            f"{an.money(row['team_cost_per_year'])} a year and "
            f"{an.money(row['cost_per_hire'])} per hire.</p>")
    elif goals:
        best = points.sort_values(["goal_probability", "team_cost_per_year"],
                                  ascending=[False, True]).iloc[0] \
            if "goal_probability" in points else None
        out.append('<span class="verdict none">No team meets the goal</span>')
        text = (f"None of the {n} team shapes meets {h(an.goals_phrase(goals))} in at least "
                f"{100 * confidence:.0f}% of simulated years.")
        if best is not None and pd.notna(best.get("goal_probability")):
            run = sweep.runs.get(best["point"])
            team = an.team_words(run.scenario) if run else ""
            text += (f' The closest is <b class="name">{h(best["point"])}</b>'
                     + (f" ({h(team)})" if team else "")
                     + f" with {100 * float(best['goal_probability']):.0f}% (95% CI "
                     f"{100 * float(best['goal_ci_low']):.0f}%–"
                     f"{100 * float(best['goal_ci_high']):.0f}%). Add people beyond the grid, "
                     "relax the goal, or accept a lower confidence.")
        out.append(f'<p class="lead">{text}</p>')
    else:
        out.append('<span class="verdict none">No goal given</span>')
        out.append(f'<p class="lead">{n} team shapes were simulated without a goal; run the '
                   "sweep with <code>--goal</code> (e.g. <code>time_to_fill_days.p80&lt;=60"
                   "</code>) for a recommendation. The Pareto frontier below shows the teams "
                   "worth considering.</p>")
    items = []
    usable = points[points["cost_per_hire"].notna()]
    if len(usable):
        cheap = usable.loc[usable["cost_per_hire"].astype(float).idxmin()]
        items.append(f"Lowest cost per hire: {h(cheap['point'])} "
                     f"({an.money(cheap['cost_per_hire'])}).")
    fast = points[points["time_to_fill_p80"].notna()]
    if len(fast):
        quick = fast.loc[fast["time_to_fill_p80"].astype(float).idxmin()]
        items.append(f"Fastest at P80: {h(quick['point'])} "
                     f"({float(quick['time_to_fill_p80']):.0f} days).")
    front = report.get("pareto_front") or []
    if front:
        items.append("On the Pareto frontier (no other team is both cheaper per hire and "
                      f"faster at P80): {', '.join(h(p) for p in front)}.")
    for e in report.get("buy_next") or []:
        p80 = (e.get("time_to_fill_p80") or {}).get("mean")
        change = e.get("goal_probability_change")
        items.append(
            f"Buying {h(e.get('buy'))} ({an.money(e.get('team_cost_per_year'))} a year) "
            + (f"changes P80 time-to-fill by {p80:+.1f} days" if p80 is not None else "")
            + (f" and the goal probability by {100 * change:+.0f} points"
               if change is not None else "") + ".")
    if items:
        out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    reps = int(report.get("replications") or 0)
    if reps and reps < 30:
        out.append(f'<ul class="warn"><li>Only {reps} replications per team; intervals are '
                   "wide. Use more (-n 200) before deciding.</li></ul>")
    return "".join(out)


# ============================================================================ pages

def _title_of(runs: Sequence[RunData]) -> str:
    return " vs ".join(r.name for r in runs)


def run_page(run: RunData) -> Page:
    colors = fg.scenario_colors([run.name])
    desc = str(run.scenario.get("description") or "")
    page = Page(run.name, "run", desc)
    page.section("headline", "Headline", run_headline(run), css="headline")
    scenario_sections(page, [run], colors, _goal_texts([run]))
    page.section("kpis", "All metrics", kpi_table([run], colors, _goal_texts([run])))
    assumptions_section(page, [run], colors)
    provenance_section(page, [run])
    return page


def compare_page(compare: CompareData) -> Page:
    runs = compare.runs
    colors = fg.scenario_colors([r.name for r in runs])
    goal_texts = _goal_texts(runs)
    page = Page(_title_of(runs), "comparison",
                f"{len(runs)} scenarios on common random numbers; baseline "
                f"{compare.baseline}")
    page.section("headline", "Headline", compare_headline(compare), css="headline")
    page.section("kpis", "Scenarios side by side", kpi_table(runs, colors, goal_texts))
    differences_section(page, compare, colors)
    scenario_sections(page, runs, colors, goal_texts)
    assumptions_section(page, runs, colors)
    provenance_section(page, runs, [
        ("Baseline", h(compare.baseline)),
        ("Seed / replications", h(f"{compare.report.get('seed')} / "
                                  f"{compare.report.get('replications')}")),
        ("Goals", h("; ".join(goal_texts)) if goal_texts else "none given"),
    ])
    return page


def multi_page(multi: MultiRunData) -> Page:
    runs = multi.runs
    colors = fg.scenario_colors([r.name for r in runs])
    page = Page(_title_of(runs), "runs", f"{len(runs)} scenarios from one result folder")
    lead = "<p>" + "<br>".join(_run_sentence(r) for r in runs) + "</p>"
    items = "".join(f'<li><b class="name">{h(r.name)}</b>: {h(an.bottleneck(r)["sentence"])}'
                    "</li>" for r in runs if an.bottleneck(r)["sentence"])
    page.section("headline", "Headline", lead + (f"<ul>{items}</ul>" if items else "")
                 + "<p class=\"small\">For paired differences with intervals, use "
                 "<code>hiresim compare</code>.</p>" + _warning_list(runs), css="headline")
    page.section("kpis", "Scenarios side by side", kpi_table(runs, colors))
    scenario_sections(page, runs, colors)
    assumptions_section(page, runs, colors)
    provenance_section(page, runs)
    return page


def _points_table(sweep: SweepData, colors: dict[str, str]) -> str:
    report = sweep.report
    front = set(report.get("pareto_front") or [])
    rec = report.get("recommended")
    goals = bool(report.get("goals"))
    heads = ["Team (point)", *(fg._setting_label(s) for s in sweep.settings), "TA team $/yr",
             "Cost per hire", "TTF median", "TTF P80", "Reqs filled", "Recruiter util.",
             "Sourcer util."] + (["P(goals)"] if goals else [])
    rows = []
    for _, r in sweep.points.iterrows():
        name = r["point"]
        marks = []
        if name == rec:
            marks.append("★ recommended")
        if name in front:
            marks.append("Pareto")
        tag = f' <span class="small">({h(", ".join(marks))})</span>' if marks else ""
        cells = [f"<td>{_name(name, colors)}{tag}</td>"]
        cells += [f"<td>{h(r[s])}</td>" for s in sweep.settings]
        cells += [f"<td>{h(_fmt(r['team_cost_per_year'], 'money'))}</td>",
                  f"<td>{h(_fmt(r['cost_per_hire'], 'money'))}</td>",
                  f"<td>{h(_days_or_horizon(r['time_to_fill_p50']))}</td>",
                  f"<td>{h(_days_or_horizon(r['time_to_fill_p80']))}</td>",
                  f"<td>{h(_fmt(r['fill_rate'], 'pct'))}</td>",
                  f"<td>{h(_fmt(r['utilization_recruiter'], 'pct'))}</td>",
                  f"<td>{h(_fmt(r['utilization_sourcer'], 'pct'))}</td>"]
        if goals:
            p = {"probability": an.number(r.get("goal_probability")),
                 "ci_low": an.number(r.get("goal_ci_low")) or 0.0,
                 "ci_high": an.number(r.get("goal_ci_high")) or 0.0}
            cells.append(f"<td>{_prob_cell(p)}</td>")
        cls = ' class="differs"' if name == rec else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return ('<div class="tablewrap"><table class="data"><thead><tr>'
            + "".join(f"<th>{h(x)}</th>" for x in heads)
            + f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
            "<p class=\"small\">Time-to-fill in days (pooled Kaplan-Meier); money in US$; "
            "P(goals): share of simulated years meeting every goal, with its 95% Wilson "
            "interval.</p>")


def _days_or_horizon(value: Any) -> str:
    v = an.number(value)
    return "> horizon" if v is None else f"{v:.0f}"


def sweep_page(sweep: SweepData) -> Page:
    report = sweep.report
    points = sweep.points
    names = list(points["point"])
    colors = fg.scenario_colors(names)
    goals = [str(g) for g in report.get("goals") or []]
    rec = report.get("recommended")
    page = Page(f"Sweep of {report.get('file') or sweep.path.name}", "sweep",
                f"{len(points)} team shapes × {report.get('replications')} replications, "
                f"seed {report.get('seed')}; varied: {', '.join(sweep.settings) or 'nothing'}")
    page.section("headline", "Headline", sweep_headline(sweep, colors), css="headline")
    page.section("grid-table", "The grid", _points_table(sweep, colors),
                 intro="Every team shape simulated on the same random numbers.")
    # heatmaps
    settings = sweep.settings
    charts = ""
    if settings:
        x_key, y_keys = settings[-1], settings[:-1]
        specs = [("time_to_fill_p80", "P80 time-to-fill", "days", "days", True),
                 ("cost_per_hire", "Cost per hire", "US$", "money", True)]
        if goals and "goal_probability" in points:
            specs.append(("goal_probability", "Probability of meeting the goal", "share",
                          "pct", False))
        else:
            specs.append(("time_to_fill_p50", "Median time-to-fill", "days", "days", True))
        specs.append(("team_cost_per_year", "TA team cost per year", "US$", "money", True))
        for column, title, unit, kind, lower in specs:
            if column not in points:
                continue
            charts += page.chart(
                fg.sweep_heatmap(points, x_key, y_keys, column, title, unit, kind, lower, rec),
                f"{h(title)} for each team shape; darker is better"
                + ("; ★ recommended." if rec else "."), title)
        page.section("heatmaps", "KPIs over the grid", f'<div class="grid2">{charts}</div>')
    # Pareto and goal probability
    labels = {str(r["point"]): _point_label(r, settings) for _, r in points.iterrows()}
    pareto = page.chart(
        fg.pareto_scatter(points, colors, report.get("pareto_front") or [], rec,
                          an.goal_line_value(goals, "time_to_fill_days.p80"), labels),
        "Each dot is a team shape; further down and to the left is better. Labelled dots "
        "are on the Pareto frontier: no other team is both cheaper per hire and faster at "
        "P80." + (" The star is the recommended team." if rec else ""),
        "Pareto frontier of cost per hire against P80 time-to-fill")
    body = pareto
    if goals and "goal_probability" in points:
        body += page.chart(
            fg.goal_probability_bars(points, colors, float(report.get("confidence") or 0.8),
                                     "; ".join(goals), rec),
            "Share of simulated years in which the team meets every goal, with 95% Wilson "
            "intervals; the recommended team is the cheapest one reaching the required "
            "probability.", "Probability of meeting the goal")
    buy = report.get("buy_next") or []
    extra = ""
    if buy:
        trs = []
        for e in buy:
            p80 = e.get("time_to_fill_p80") or {}
            cph = e.get("cost_per_hire") or {}
            change = e.get("goal_probability_change")
            trs.append(
                f"<tr><td>{h(e.get('buy'))}</td>"
                f"<td>{h(_signed(float(e.get('team_cost_per_year') or 0), 'money'))}</td>"
                f"<td>{_diff_ci(p80, 'days')}</td><td>{_diff_ci(cph, 'money')}</td>"
                f"<td>{'-' if change is None else h(f'{100 * change:+.0f} pt')}</td></tr>")
        extra = ("<h3>What to buy next</h3><p class=\"small\">From the recommended team, the "
                 "paired effect of one more person (same random numbers).</p>"
                 '<div class="tablewrap"><table class="data"><thead><tr><th>Buy</th>'
                 "<th>TA team $/yr</th><th>P80 time-to-fill (days)</th><th>Cost per hire</th>"
                 f"<th>Goal probability</th></tr></thead><tbody>{''.join(trs)}</tbody>"
                 "</table></div>")
    page.section("pareto", "Cost against speed", f'<div class="grid2">{body}</div>{extra}')
    # per-point curves and cost
    runs = [sweep.runs[n] for n in names if n in sweep.runs]
    if runs:
        stats, curves, marks, censored = _ttf_frames(runs)
        cost_rows = [{"scenario": r.name, **{k: (r.metrics.get("cost_per_hire") or {}).get(k)
                                             for k in ("mean", "ci_low", "ci_high", "n")}}
                     for r in runs]
        charts = ""
        if not curves.empty:
            charts += page.chart(
                fg.filled_share_curve(curves, marks, colors, None,
                                      an.goal_line_value(goals, "time_to_fill_days.p80")),
                "Kaplan-Meier share of reqs filled within a number of days, per team shape "
                "(censoring at the horizon included).", "Share of reqs filled over time")
        charts += page.chart(
            fg.cost_per_hire_bars(pd.DataFrame(cost_rows), colors,
                                  title="Cost per hire by team shape"),
            "Mean cost per hire with its 95% confidence interval across replications.",
            "Cost per hire by team shape")
        page.section("grid-detail", "Time-to-fill and cost of every team",
                     f'<div class="grid2">{charts}</div>')
        chosen = _chosen_point(sweep)
        if chosen is not None and chosen in sweep.runs:
            run = sweep.runs[chosen]
            why = "the recommended team" if chosen == rec else (
                "the team closest to the goal" if goals else "the cheapest team on the "
                "Pareto frontier")
            before = len(page.sections)
            single = {run.name: colors[run.name]}
            funnel_section(page, [run], single)
            time_section(page, [run], single)
            backlog_section(page, [run], single)
            # label the detail sections with the point they describe
            for i in range(before, len(page.sections)):
                sid, title, body_html = page.sections[i]
                body_html = body_html.replace(
                    f"<h2>{h(title)}</h2>",
                    f"<h2>{h(title)}: <span class=\"name\">{h(chosen)}</span></h2>"
                    f"<p class=\"small\">Shown for {h(why)}.</p>", 1)
                page.sections[i] = (sid, title, body_html)
            assumptions_section(page, [run], single,
                                note=f"The scenario of {h(why)}, <b class=\"name\">{h(chosen)}"
                                     "</b>; the other points differ only in: "
                                     + (", ".join(f"<code>{h(s)}</code>" for s in settings)
                                        or "nothing") + ".")
    provenance_section(page, runs[:1] if runs else [], [
        ("Sweep file", h(report.get("file"))),
        ("Seed / replications per point", h(f"{report.get('seed')} / "
                                            f"{report.get('replications')}")),
        ("Goals", h("; ".join(goals)) if goals else "none given"),
        ("Required probability", h(f"{100 * float(report.get('confidence') or 0.8):.0f}%")),
    ])
    return page


def _diff_ci(d: dict, kind: str) -> str:
    if not d or d.get("mean") is None:
        return "-"
    text = h(_signed(d["mean"], kind))
    if d.get("ci_low") is not None and d.get("ci_high") is not None:
        text += (f' <span class="small">[{h(_signed(d["ci_low"], kind))}, '
                 f'{h(_signed(d["ci_high"], kind))}]</span>')
    return text


def _chosen_point(sweep: SweepData) -> str | None:
    rec = sweep.report.get("recommended")
    if rec:
        return str(rec)
    points = sweep.points
    if "goal_probability" in points and points["goal_probability"].notna().any():
        best = points.sort_values(["goal_probability", "team_cost_per_year"],
                                  ascending=[False, True]).iloc[0]
        return str(best["point"])
    front = sweep.report.get("pareto_front") or []
    return str(front[0]) if front else (str(points["point"].iloc[0]) if len(points) else None)


# ============================================================================ public API

def render_report(folder: str | Path, cdn: bool = False) -> str:
    """One self-contained HTML page for a saved result folder (run, compare or sweep)."""
    data = load_folder(folder)
    if isinstance(data, CompareData):
        page = compare_page(data)
    elif isinstance(data, SweepData):
        page = sweep_page(data)
    elif isinstance(data, MultiRunData):
        page = multi_page(data)
    else:
        page = run_page(data)
    return page.render(cdn)


def write_report(folder: str | Path, output: str | Path, cdn: bool = False) -> Path:
    """Render the report of ``folder`` and write it to ``output`` atomically.

    The page is written to a temporary file beside ``output`` and renamed over it, so a
    reader never sees half a report and a failure leaves any previous report intact.
    """
    target = Path(output)
    if target.is_dir():
        raise ReportError(f"{target}: is a folder; give a file name such as report.html")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise ReportError(f"{parent}: no such folder for the report")
    text = render_report(folder, cdn=cdn)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as err:
        raise ReportError(f"{target}: cannot write the report ({err.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ReportError(f"{target}: cannot write the report ({err.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


__all__ = ["ReportError", "render_report", "write_report"]
