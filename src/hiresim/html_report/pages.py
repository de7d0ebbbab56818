"""Page builders (run, comparison, several runs, sweep) and the public API that renders
a saved result folder to one self-contained HTML page and writes it atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from hiresim.summary_table import skipped_lines
from hiresim.table_files import atomic_write_text

from . import analysis as an
from .assumptions import assumptions_section, provenance_section
from .cells import fmt, name_html, prob_cell, signed
from .chart_style import scenario_colors
from .charts_cost_funnel import cost_per_hire_bars
from .charts_sweep import (
    goal_probability_bars,
    pareto_scatter,
    setting_label,
    sweep_heatmap,
    sweep_line,
)
from .charts_time import filled_share_curve
from .data import CompareData, MultiRunData, ReportError, RunData, SweepData, load_folder
from .headlines import (
    compare_headline,
    goal_texts_of,
    point_label,
    run_headline,
    run_sentence,
    sweep_headline,
    warning_list,
)
from .kpi_sections import differences_section, kpi_table
from .month_section import month_section
from .sections import backlog_section, funnel_section, scenario_sections, time_section, ttf_frames
from .shell import Page, h


def _title_of(runs: Sequence[RunData]) -> str:
    return " vs ".join(r.name for r in runs)


def run_page(run: RunData) -> Page:
    colors = scenario_colors([run.name])
    desc = str(run.scenario.get("description") or "")
    page = Page(run.name, "run", desc)
    page.section("headline", "Headline", run_headline(run), css="headline")
    scenario_sections(page, [run], colors, goal_texts_of([run]))
    month_section(page, [run], colors)
    page.section("kpis", "All metrics", kpi_table([run], colors, goal_texts_of([run])))
    assumptions_section(page, [run], colors)
    provenance_section(page, [run])
    return page


def compare_page(compare: CompareData) -> Page:
    runs = compare.runs
    colors = scenario_colors([r.name for r in runs])
    goal_texts = goal_texts_of(runs)
    page = Page(_title_of(runs), "comparison",
                f"{len(runs)} scenarios on common random numbers; baseline "
                f"{compare.baseline}")
    page.section("headline", "Headline", compare_headline(compare), css="headline")
    page.section("kpis", "Scenarios side by side", kpi_table(runs, colors, goal_texts))
    differences_section(page, compare, colors)
    scenario_sections(page, runs, colors, goal_texts)
    month_section(page, runs, colors)
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
    colors = scenario_colors([r.name for r in runs])
    page = Page(_title_of(runs), "runs", f"{len(runs)} scenarios from one result folder")
    lead = "<p>" + "<br>".join(run_sentence(r) for r in runs) + "</p>"
    items = "".join(f'<li><b class="name">{h(r.name)}</b>: {h(an.bottleneck(r)["sentence"])}'
                    "</li>" for r in runs if an.bottleneck(r)["sentence"])
    page.section("headline", "Headline", lead + (f"<ul>{items}</ul>" if items else "")
                 + "<p class=\"small\">For paired differences with intervals, use "
                 "<code>hiresim compare</code>.</p>" + warning_list(runs), css="headline")
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
    ranks = {str(x["point"]): x["rank"] for x in report.get("ranking") or []}
    heads = (["Rank"] if ranks else []) + [
        "Team (point)", *(setting_label(s) for s in sweep.settings)] + (
        ["P(goals)"] if goals else []) + [  # the deciding column before the details
        "TA $/yr (team + agency fees)",
        "Cost per hire", "TTF median", "TTF P80", "Reqs filled", "Recruiter util.",
        "Sourcer util.", "Hires per TA head"]
    rows = []
    points = sweep.points
    if ranks:  # the ranking's order: the recommendation first
        points = points.assign(_rank=points["point"].map(ranks)).sort_values("_rank")
    for _, r in points.iterrows():
        name = r["point"]
        marks = []
        if name == rec:
            marks.append("★ recommended")
        if name in front:
            marks.append("Pareto")
        tag = f'<br><span class="small">({h(", ".join(marks))})</span>' if marks else ""
        cells = [f"<td>{h(ranks.get(str(name), ''))}</td>"] if ranks else []
        cells += [f"<td>{name_html(name, colors)}{tag}</td>"]
        cells += [f"<td>{h(r[s])}</td>" for s in sweep.settings]
        if goals:
            p = {"probability": an.number(r.get("goal_probability")),
                 "ci_low": an.number(r.get("goal_ci_low")) or 0.0,
                 "ci_high": an.number(r.get("goal_ci_high")) or 0.0}
            cells.append(f"<td>{prob_cell(p)}</td>")
        cells += [f"<td>{h(fmt(r.get('ta_cost_per_year', r['team_cost_per_year']), 'money'))}"
                  "</td>",
                  f"<td>{h(fmt(r['cost_per_hire'], 'money'))}</td>",
                  f"<td>{h(_days_or_horizon(r['time_to_fill_p50']))}</td>",
                  f"<td>{h(_days_or_horizon(r['time_to_fill_p80']))}</td>",
                  f"<td>{h(fmt(r['fill_rate'], 'share'))}</td>",
                  f"<td>{h(fmt(r['utilization_recruiter'], 'share'))}</td>",
                  f"<td>{h(fmt(r['utilization_sourcer'], 'share'))}</td>",
                  f"<td>{h(fmt(r.get('hires_per_ta_head'), 'ratio'))}</td>"]
        cls = ' class="differs"' if name == rec else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return ('<div class="tablewrap"><table class="data"><thead><tr>'
            + "".join(f"<th>{h(x)}</th>" for x in heads)
            + f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
            "<p class=\"small\">Time-to-fill in days (pooled Kaplan-Meier); money in US$; "
            "P(goals): share of simulated years meeting every goal, with its 95% Wilson "
            "interval. Rank: those meeting the goals first, cheapest TA cost a year (team "
            "plus agency fees) first. Cost per hire includes agency fees.</p>"
            + "".join(f'<p class="small">{h(line)}</p>'
                      for line in skipped_lines(report.get("skipped_points") or [])))


def _days_or_horizon(value: Any) -> str:
    v = an.number(value)
    return "> horizon" if v is None else f"{v:.0f}"


def sweep_page(sweep: SweepData) -> Page:
    report = sweep.report
    points = sweep.points
    names = list(points["point"])
    colors = scenario_colors(names)
    goals = [str(g) for g in report.get("goals") or []]
    rec = report.get("recommended")
    page = Page(f"Sweep of {Path(str(report.get('file') or sweep.path)).name}", "sweep",
                f"{len(points)} team shapes × {report.get('replications')} replications, "
                f"seed {report.get('seed')}; varied: {', '.join(sweep.settings) or 'nothing'}")
    page.section("headline", "Headline", sweep_headline(sweep, colors), css="headline")
    page.section("grid-table", "The grid", _points_table(sweep, colors),
                 intro="Every team shape simulated on the same random numbers.")
    # KPIs over the grid: heatmaps, or lines along a single axis
    settings = sweep.settings
    charts = ""
    if settings:
        x_key, y_keys = settings[-1], settings[:-1]
        specs = [("time_to_fill_p80", "P80 time-to-fill", "days", "days", True),
                 ("cost_per_hire", "Cost per hire", "US$", "money", True)]
        if goals and "goal_probability" in points:
            specs.append(("goal_probability", "Probability of meeting the goal", "%",
                          "share", False))
        else:
            specs.append(("time_to_fill_p50", "Median time-to-fill", "days", "days", True))
        specs.append(("team_cost_per_year", "TA team cost per year", "US$", "money", True))
        for column, title, unit, kind, lower in specs:
            if column not in points:
                continue
            if not y_keys:
                charts += page.chart(
                    sweep_line(points, x_key, column, title, unit, kind, rec),
                    f"{h(title)} along {h(setting_label(x_key).lower())}"
                    + ("; ★ recommended." if rec else "."), title)
                continue
            charts += page.chart(
                sweep_heatmap(points, x_key, y_keys, column, title, unit, kind, lower, rec),
                f"{h(title)} for each team shape; darker is better"
                + ("; ★ recommended." if rec else "."), title)
        page.section("heatmaps", "KPIs over the grid", f'<div class="grid2">{charts}</div>')
    # Pareto and goal probability
    labels = {str(r["point"]): point_label(r, settings) for _, r in points.iterrows()}
    pareto = page.chart(
        pareto_scatter(_with_intervals(points, sweep), colors,
                       report.get("pareto_front") or [], rec,
                       an.goal_line_value(goals, "time_to_fill_days.p80"), labels),
        "Each dot is a team shape, with 95% intervals across replications (cost per hire; "
        "P80: the half-width of the per-replication P80's interval around the pooled P80); "
        "both axes start at zero. Further down and to the left is better. The legend names "
        "each dot; '(frontier)' marks the Pareto frontier: no other team is both cheaper "
        "per hire and faster at P80." + (" The star is the recommended team." if rec else ""),
        "Pareto frontier of cost per hire against P80 time-to-fill")
    body = pareto
    if goals and "goal_probability" in points:
        body += page.chart(
            goal_probability_bars(points, colors, float(report.get("confidence") or 0.8),
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
                f"<td>{h(signed(_price(e), 'money'))}</td>"
                f"<td>{_diff_ci(p80, 'days')}</td><td>{_diff_ci(cph, 'money')}</td>"
                f"<td>{'-' if change is None else h(f'{100 * change:+.0f} pt')}</td></tr>")
        extra = ("<h3>What to buy next</h3><p class=\"small\">From the recommended (or "
                 "closest) team, the paired effect of one more person (same random numbers); "
                 "interviewers priced at their hourly cost for the hours reserved in slots a "
                 "year; more agency capacity at the extra fees a year it brings.</p>"
                 '<div class="tablewrap"><table class="data"><thead><tr><th>Buy</th>'
                 "<th>Cost per year</th><th>P80 time-to-fill (days)</th><th>Cost per hire</th>"
                 f"<th>Goal probability</th></tr></thead><tbody>{''.join(trs)}</tbody>"
                 "</table></div>")
    page.section("pareto", "Cost against speed", f'<div class="grid2">{body}</div>{extra}')
    # per-point curves and cost
    runs = [sweep.runs[n] for n in names if n in sweep.runs]
    if runs:
        stats, curves, marks, censored = ttf_frames(runs)
        cost_rows = [{"scenario": r.name, **{k: (r.metrics.get("cost_per_hire") or {}).get(k)
                                             for k in ("mean", "ci_low", "ci_high", "n")}}
                     for r in runs]
        charts = ""
        if not curves.empty:
            charts += page.chart(
                filled_share_curve(curves, marks, colors, None,
                                      an.goal_line_value(goals, "time_to_fill_days.p80")),
                "Kaplan-Meier share of reqs filled within a number of days, per team shape "
                "(censoring at the horizon included).", "Share of reqs filled over time")
        charts += page.chart(
            cost_per_hire_bars(pd.DataFrame(cost_rows), colors,
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


def _with_intervals(points: pd.DataFrame, sweep: SweepData) -> pd.DataFrame:
    """The points with ``cost_per_hire_low/high`` and ``time_to_fill_p80_low/high`` from
    their runs' summaries (for the Pareto chart's error bars)."""
    out = points.copy()
    for column in ("cost_per_hire_low", "cost_per_hire_high", "time_to_fill_p80_low",
                   "time_to_fill_p80_high"):
        out[column] = None
    for i, name in enumerate(out["point"]):
        run = sweep.runs.get(name)
        if run is None:
            continue
        cph = run.metrics.get("cost_per_hire") or {}
        out.loc[out.index[i], "cost_per_hire_low"] = cph.get("ci_low")
        out.loc[out.index[i], "cost_per_hire_high"] = cph.get("ci_high")
        p80 = run.metrics.get("time_to_fill_p80") or {}
        pooled = an.number(out["time_to_fill_p80"].iloc[i])
        if pooled is not None and p80.get("ci_high") is not None and p80.get("mean"):
            half = float(p80["ci_high"]) - float(p80["mean"])
            out.loc[out.index[i], "time_to_fill_p80_low"] = pooled - half
            out.loc[out.index[i], "time_to_fill_p80_high"] = pooled + half
    return out


def _price(e: dict) -> float:
    """A purchase's price per year (older files: the change of TA team cost)."""
    return float(e.get("cost_per_year", e.get("team_cost_per_year")) or 0)


def _diff_ci(d: dict, kind: str) -> str:
    if not d or d.get("mean") is None:
        return "-"
    text = h(signed(d["mean"], kind))
    if d.get("ci_low") is not None and d.get("ci_high") is not None:
        text += (f' <span class="small">[{h(signed(d["ci_low"], kind))}, '
                 f'{h(signed(d["ci_high"], kind))}]</span>')
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

    The page is written to a temporary file beside ``output`` and renamed over it
    (``hiresim.table_files``), so a reader never sees half a report, a failure leaves any
    previous report intact, and a replaced file keeps its permissions.
    """
    target = Path(output)
    if target.is_dir():
        raise ReportError(f"{target}: is a folder; give a file name such as report.html")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise ReportError(f"{parent}: no such folder for the report")
    text = render_report(folder, cdn=cdn)
    try:
        atomic_write_text(target, text)
    except OSError as err:
        raise ReportError(f"{target}: cannot write the report ({err.strerror})") from None
    return target


__all__ = ["ReportError", "render_report", "write_report"]
