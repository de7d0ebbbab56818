"""The report's month view: hires against the plan with the simulated band, and the
planner's reverse funnel beside the simulated outcome, with the difference explained.

Reads a run folder's ``months.parquet`` and ``planned_hires.parquet`` (``hiresim.months``)
and computes the planner's view from the resolved scenario (``hiresim.reverse_funnel``).
A folder without month tables (written by an older hiresim) gets no month section.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from hiresim.reverse_funnel import PlannerView, planner_view
from hiresim.scenario import Scenario

from .chart_style import MUTED, PALETTE, esc, rgba, style
from .data import RunData
from .shell import Page, h

ROLE_NAMES = {"recruiter": "Recruiters", "sourcer": "Sourcers", "interviewer": "Interviewers"}


def month_section(page: Page, runs: Sequence[RunData], colors: dict[str, str]) -> None:
    """One "By month" section for the runs that have a month table."""
    parts = []
    for run in runs:
        months = run.table("months")
        if months.empty or "cumulative_p10" not in months:
            continue
        color = colors.get(run.name, PALETTE[0])
        title = f"{run.name}: cumulative hires by month" if len(runs) > 1 else \
            "Cumulative hires by month"
        parts.append(page.chart(
            cumulative_hires_chart(months, color, title),
            "Accepted offers up to the end of each month: the mean over replications "
            "(line) and the band from P10 to P90 (shaded: 8 in 10 replications end the "
            "month inside it). The plan (steps) counts hires by their target start month; a "
            "hire is an accepted offer, and notice periods before the first day are not "
            "modelled.", "Cumulative hires against the plan"))
        parts.append(_planned_hires_list(run.table("planned_hires"), run.name, len(runs)))
        view = _planner_view(run)
        if view is not None:
            parts.append(_beside_table(view, months, run))
            parts.append(_explanation(view, months, run))
    if parts:
        page.section("months", "By month: the plan against the simulation", "".join(parts),
                     intro="What the plan needs month by month, the planner's arithmetic "
                           "(a reverse funnel from the scenario's rates) and what the "
                           "simulated team delivers, with its spread.")


def cumulative_hires_chart(months: pd.DataFrame, color: str, title: str) -> go.Figure:
    x = list(months["label"])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=months["cumulative_p90"], mode="lines",
                             line={"width": 0}, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=x, y=months["cumulative_p10"], mode="lines", line={"width": 0}, fill="tonexty",
        fillcolor=rgba(color, 0.2), name="simulated P10-P90",
        hovertemplate="%{x}: P10 %{y:.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=x, y=months["cumulative_mean"], mode="lines+markers", name="simulated mean",
        line={"color": color, "width": 2.5},
        hovertemplate="%{x}: %{y:.1f} hires (mean)<extra></extra>"))
    if months["planned_cumulative"].notna().any():
        fig.add_trace(go.Scatter(
            x=x, y=months["planned_cumulative"], mode="lines", name="plan",
            line={"color": MUTED, "width": 2, "dash": "dash", "shape": "hv"},
            hovertemplate="%{x}: %{y:.0f} hires planned<extra></extra>"))
    return style(fig, esc(title), height=380, xtitle="month", ytitle="hires (cumulative)")


def _planned_hires_list(planned: pd.DataFrame, name: str, n_runs: int) -> str:
    if planned.empty:
        return ""
    rows = []
    for (profile, _), group in planned.groupby(["profile", "row"], sort=False):
        last = group.iloc[-1]
        on_time = float(last["on_time"])
        rows.append(
            f"<tr><td>{h(profile)}</td><td>{int(group['hire'].min())}-"
            f"{int(group['hire'].max())}</td><td>{h(last['target_month'])}</td>"
            f"<td>{h(last['p50_month'])}</td><td>{h(last['p80_month'])}</td>"
            f"<td>{'-' if on_time != on_time else f'{on_time:.0%}'}</td></tr>")
    caption = f"{h(name)}: " if n_runs > 1 else ""
    return (f"<h3>{caption}When the planned hires are made</h3>"
            "<table><thead><tr><th>profile</th><th>hires</th><th>target month</th>"
            "<th>last made by (P50)</th><th>(P80)</th><th>on time</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            "<p class=\"note\">The k-th planned hire of a profile (plan rows in order of "
            "target) is its k-th accepted offer in a replication. On time: the share of "
            "replications that make the row's last hire by the end of its target month.</p>")


def _planner_view(run: RunData) -> PlannerView | None:
    try:
        return planner_view(Scenario.model_validate(run.scenario))
    except ValueError:  # a scenario this version cannot read: no planner column
        return None


def _beside_table(view: PlannerView, months: pd.DataFrame, run: RunData) -> str:
    roles = [r for r in ROLE_NAMES if sum(view.hours[r]) > 0 or
             months[f"{r}_hours_mean"].fillna(0).sum() > 0]
    head = ("<tr><th rowspan=2>month</th><th colspan=2>hires</th>" +
            "".join(f"<th colspan=2>{ROLE_NAMES[r]}: hours</th>" for r in roles) +
            "</tr><tr><th>planner</th><th>simulated (P10-P90)</th>" +
            "<th>planner</th><th>simulated</th>" * len(roles) + "</tr>")
    body = []
    for m, row in enumerate(months.itertuples(index=False)):
        cells = [h(row.label), f"{view.hires[m]:.0f}",
                 f"{row.hires_mean:.1f} (cum. {row.cumulative_p10:.0f}-"
                 f"{row.cumulative_p90:.0f})"]
        for r in roles:
            cells += [f"{view.hours[r][m]:.0f}", f"{getattr(row, f'{r}_hours_mean'):.0f}"]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return ("<h3>The planner's arithmetic beside the simulation</h3>"
            f"<table class=\"months\"><thead>{head}</thead><tbody>{''.join(body)}</tbody>"
            "</table><p class=\"note\">Planner: hires by target month and the hours of the "
            "decided candidates the scenario's pass rates and drop-out call for, with the "
            "recurring work per open req and per candidate in process, spread from each "
            "req's opening to its target start (<code>hiresim plan</code> prints it in "
            "full). "
            "Simulated: hires in the month (mean) and the band of cumulative hires; hours "
            "actually worked.</p>")


def _explanation(view: PlannerView, months: pd.DataFrame, run: RunData) -> str:
    """Why the simulation differs from the arithmetic, in numbers from this run."""
    planned = sum(view.hires)
    made = float(months["cumulative_mean"].iloc[-1]) if len(months) else 0.0
    funnel = run.table("funnel")
    n = max(run.replications, 1)
    withdrew = closed = 0.0
    if not funnel.empty and "outcome" in funnel:
        withdrew = float(funnel.loc[funnel["outcome"] == "withdrew", "candidates"].sum()) / n
        closed = float(funnel.loc[funnel["outcome"] == "closed_out", "candidates"].sum()) / n
    backlog = float(months["reqs_in_backlog_mean"].max()) if len(months) else 0.0
    spread = months["cumulative_p90"] - months["cumulative_p10"]
    items = [
        f"<li><b>Hires</b>: the plan asks for {planned:.0f} inside the horizon; the "
        f"simulated team makes {made:.1f} on average.</li>",
        "<li><b>Queues</b>: the arithmetic assumes work is done the moment it is needed. "
        "In the simulation work waits for busy people" +
        (f" (up to {backlog:.1f} reqs waiting for a recruiter at a month end)" if backlog > 0
         else "") + ", so hires can come later than the arithmetic assumes.</li>",
        f"<li><b>Drop-out</b>: {withdrew:.1f} candidate visits per replication end in a "
        f"withdrawal; the arithmetic expects {sum(view.dropouts):.1f} from the drop-out "
        "hazard over the time in process when no one is busy. Waits for busy people "
        "lengthen that time (more drop-outs) and use up patience (withdrawals the "
        "arithmetic leaves out), and offer acceptance falls with time, which it also "
        "leaves out.</li>",
        f"<li><b>Close-outs</b>: {closed:.1f} visits per replication end because their req "
        "filled first: work done that yields no hire, so the simulation works more "
        "candidates per hire than the arithmetic.</li>",
        "<li><b>Also left out</b>: the talent pool (silver medallists re-engaged for a "
        "later req), agencies, and interview calendars filling up (the arithmetic counts "
        "only the wait for a free slot in an empty calendar). The recurring hours per req "
        "are for the planned span from opening to target start; the simulation pays them "
        "for as long as each req is actually open.</li>",
        "<li><b>Variability</b>: the band is up to "
        f"{float(spread.max()) if len(spread) else 0:.0f} hires wide; the arithmetic gives "
        "one number where the plan is met in some replications and missed in others.</li>",
    ]
    return f"<h3>Why the simulation differs</h3><ul>{''.join(items)}</ul>"
