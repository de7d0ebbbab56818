"""Charts of time: time-to-fill (Kaplan-Meier box and curve), where staff time goes
(utilisation and hours by activity) and the backlog over the plan. Days are calendar days
since a req opened (or day of the plan); hours are hours per person per week.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .analysis import ACTIVITY_LABELS
from .chart_style import MUTED, PALETTE, esc, fmt_days, goal_entry, rgba, style

ACTIVITY_COLORS = {
    # sourcing work: greens
    "outreach": "#166534",
    "follow_up": "#22a35a",
    "qualification": "#6fcf97",
    "handoff_out": "#b7e4c7",
    # recruiting work: blues and purples
    "intake": "#1e3a8a",
    "handoff_in": "#bcd3f2",
    "application_review": "#3b82f6",
    "screen": "#1d4ed8",
    "scheduling": "#7c9fd9",
    "debrief": "#7d5ba6",
    "offer": "#4c1d95",
    # interviewers, switching, idle
    "interview": "#e07b22",
    "task_switch": "#c0392b",
    "idle": "#e5e7eb",
}


# ------------------------------------------------------------------------ time to fill

def time_to_fill_box(stats: pd.DataFrame, colors: Mapping[str, str],
                     goal_days: float | None = None) -> go.Figure:
    """Time-to-fill distribution per scenario and role profile (Kaplan-Meier quantiles).

    ``stats``: scenario, group (e.g. 'All reqs', a profile), p10, p25, p50, p75, p80, p90,
    n, censored, max. The box is the middle half of reqs (P25-P75) and the whiskers reach
    P10 and P90, all from the Kaplan-Meier curve, so reqs still open at the horizon count.
    """
    fig = go.Figure()
    groups = list(dict.fromkeys(stats["group"]))
    for name in dict.fromkeys(stats["scenario"]):
        part = stats[stats["scenario"] == name].set_index("group").reindex(groups)
        part = part[part["n"].fillna(0) > 0]
        if part.empty:
            continue
        color = colors.get(name, PALETTE[0])
        x = [esc(g) for g in part.index]

        def val(col: str, fallback: pd.Series | None = None, frame: pd.DataFrame = part
                ) -> list[float]:
            values = frame[col].astype(float)
            if fallback is not None:
                values = values.fillna(fallback.astype(float))
            return values.tolist()

        upper = val("p90", part["max"])
        q3 = [min(a, b) for a, b in zip(val("p75", part["max"]), upper, strict=True)]
        fig.add_trace(go.Box(
            x=x, q1=val("p25", part["max"]), median=val("p50", part["max"]), q3=q3,
            lowerfence=val("p10", part["max"]), upperfence=upper,
            name=esc(name), legendgroup=esc(name), marker_color=color,
            fillcolor=rgba(color, 0.25), line={"color": color, "width": 1.6},
            offsetgroup=esc(name), alignmentgroup="ttf", hoverinfo="skip",
            boxpoints=False,
        ))
        hover = []
        for group, row in part.iterrows():
            hover.append(
                f"<b>{esc(name)}</b> · {esc(group)}<br>"
                f"10% of reqs filled by {fmt_days(row['p10'])}<br>"
                f"25% by {fmt_days(row['p25'])}<br>"
                f"50% (median) by {fmt_days(row['p50'])}<br>"
                f"75% by {fmt_days(row['p75'])}<br>"
                f"<b>80% by {fmt_days(row['p80'])}</b><br>"
                f"90% by {fmt_days(row['p90'])}<br>"
                f"{int(row['n']):,} reqs, {int(row['censored']):,} still open at the horizon")
        fig.add_trace(go.Scatter(
            x=x, y=val("p80", part["max"]), mode="markers",
            marker={"symbol": "diamond", "size": 10, "color": color,
                    "line": {"color": "white", "width": 1.5}},
            name=f"{esc(name)} P80", legendgroup=esc(name), showlegend=False,
            offsetgroup=esc(name), alignmentgroup="ttf",
            hovertext=hover, hoverinfo="text",
        ))
    fig.update_layout(boxmode="group", scattermode="group", boxgroupgap=0.25, boxgap=0.2)
    if goal_days is not None:
        fig.add_hline(y=goal_days, line={"color": "#c0392b", "dash": "dash", "width": 1.5})
        goal_entry(fig, f"goal: P80 ≤ {goal_days:g} days")
    multi = stats["scenario"].nunique() > 1
    style(fig, "Time-to-fill by role profile", xtitle="Role profile",
           ytitle="Time-to-fill (days)", legend=multi or goal_days is not None)
    fig.update_yaxes(rangemode="tozero")
    return fig


def filled_share_curve(curves: pd.DataFrame, marks: pd.DataFrame, colors: Mapping[str, str],
                       censored: pd.DataFrame | None = None,
                       goal_days: float | None = None) -> go.Figure:
    """Share of reqs filled within d days (Kaplan-Meier, censoring at the horizon).

    ``curves``: scenario, day, share (0-1). ``marks``: scenario, label ('P50', 'P80'),
    day, share. ``censored`` (optional): scenario, day, share: where reqs were still open
    at the horizon (drawn as small ticks on the curve).
    """
    fig = go.Figure()
    names = list(dict.fromkeys(curves["scenario"]))
    for i, name in enumerate(names):
        color = colors.get(name, PALETTE[0])
        part = curves[curves["scenario"] == name]
        fig.add_trace(go.Scatter(
            x=part["day"], y=part["share"] * 100, mode="lines", name=esc(name),
            legendgroup=esc(name), line={"color": color, "width": 2.4, "shape": "hv"},
            hovertemplate="%{y:.0f}% of reqs filled within %{x:.0f} days<extra>%{fullData.name}"
                          "</extra>",
        ))
        if censored is not None and not censored.empty:
            cens = censored[censored["scenario"] == name]
            if not cens.empty:
                fig.add_trace(go.Scatter(
                    x=cens["day"], y=cens["share"] * 100, mode="markers",
                    name=f"{esc(name)}: open at the horizon", legendgroup=esc(name),
                    showlegend=False,
                    marker={"symbol": "line-ns-open", "size": 7, "color": color,
                            "line": {"width": 1}},
                    hovertemplate="req still open at the horizon after %{x:.0f} days "
                                  "(censored)<extra>%{fullData.name}</extra>",
                ))
        m = marks[marks["scenario"] == name]
        if not m.empty:
            fig.add_trace(go.Scatter(
                x=m["day"], y=m["share"] * 100,
                mode="markers+text" if len(names) <= 2 else "markers",
                text=[str(v) for v in m["label"]],
                textposition="middle right" if i == 0 else "middle left",
                textfont={"color": color, "size": 11},
                marker={"size": 8, "color": color, "line": {"color": "white", "width": 1}},
                name=f"{esc(name)} quantiles", legendgroup=esc(name), showlegend=False,
                hovertemplate="%{text}: %{x:.0f} days<extra>%{fullData.name}</extra>",
            ))
    if goal_days is not None:
        fig.add_vline(x=goal_days, line={"color": "#c0392b", "dash": "dash", "width": 1.5})
        fig.add_hline(y=80, line={"color": "#9ca3af", "dash": "dot", "width": 1})
        goal_entry(fig, f"goal: 80% filled within {goal_days:g} days")
    style(fig, "Share of reqs filled over time", xtitle="Days since the req opened",
           ytitle="Reqs filled (%)", legend=len(names) > 1 or goal_days is not None)
    fig.update_yaxes(range=[0, 102], ticksuffix="%")
    fig.update_xaxes(rangemode="tozero")
    return fig


# ------------------------------------------------------------------------ staff time

def utilisation_bars(frame: pd.DataFrame, colors: Mapping[str, str],
                     saturated: float = 0.97) -> go.Figure:
    """Share of available hours busy, by role and scenario, with 95% intervals.

    ``frame``: scenario, label (role), mean, ci_low, ci_high.
    """
    fig = go.Figure()
    roles = list(dict.fromkeys(frame["label"]))
    names = list(dict.fromkeys(frame["scenario"]))
    for name in names:
        part = frame[frame["scenario"] == name].set_index("label").reindex(roles)
        part = part[part["mean"].notna()]
        mean = part["mean"].astype(float) * 100
        low = part["ci_low"].astype(float) * 100
        high = part["ci_high"].astype(float) * 100
        has = ~(low.isna() | high.isna())
        fig.add_trace(go.Bar(
            x=[esc(r) for r in part.index], y=mean, name=esc(name), legendgroup=esc(name),
            marker_color=colors.get(name, PALETTE[0]),
            error_y={"type": "data", "symmetric": False,
                     "array": (high - mean).where(has, 0).tolist(),
                     "arrayminus": (mean - low).where(has, 0).tolist(),
                     "color": "#374151", "thickness": 1.3, "width": 5},
            text=[f"{v:.0f}%" for v in mean], textposition="inside",
            insidetextanchor="start", textangle=0, textfont={"color": "white"},
            hovertext=[f"<b>{esc(name)}</b> · {esc(r)}<br>busy {v:.1f}% of available hours"
                       + (f"<br>95% CI {lo:.1f}% to {hi:.1f}%" if ok else "")
                       for r, v, lo, hi, ok in zip(part.index, mean, low, high, has,
                                                   strict=True)],
            hoverinfo="text",
        ))
    fig.add_hline(y=saturated * 100, line={"color": "#c0392b", "dash": "dot", "width": 1.3},
                  annotation_text=f"{saturated * 100:.0f}%: work piles up faster than it "
                                  "is done",
                  annotation_position="top right",
                  annotation_font={"color": "#c0392b", "size": 11})
    fig.update_layout(barmode="group", bargap=0.3, bargroupgap=0.05,
                      uniformtext={"minsize": 10, "mode": "hide"})
    style(fig, "Utilisation by role", height=380, xtitle=None,
           ytitle="Busy share of available hours (%)", legend=len(names) > 1)
    fig.update_yaxes(range=[0, 112], ticksuffix="%")
    return fig


def activity_hours_bars(frame: pd.DataFrame, multi: bool) -> go.Figure:
    """Hours per person per week by activity, per role (and scenario when ``multi``).

    ``frame``: scenario, label (role), activity, hours. 'idle' is the rest of their hours.
    """
    fig = go.Figure()
    keys = list(dict.fromkeys(zip(frame["scenario"], frame["label"], strict=True)))
    if multi:
        y_of = {k: f"{esc(k[0])} · {esc(k[1])}" for k in keys}
    else:
        y_of = {k: esc(k[1]) for k in keys}
    activities = [a for a in ACTIVITY_LABELS if (frame["activity"] == a).any()]
    activities += [a for a in dict.fromkeys(frame["activity"]) if a not in activities]
    totals = {k: float(frame[(frame["scenario"] == k[0]) & (frame["label"] == k[1])
                             & (frame["activity"] != "idle")]["hours"].sum()) for k in keys}
    for activity in activities:
        part = frame[frame["activity"] == activity]
        if part.empty:
            continue
        label = ACTIVITY_LABELS.get(activity, str(activity).replace("_", " "))
        hover = []
        for s, role, hours in zip(part["scenario"], part["label"], part["hours"], strict=True):
            busy = totals.get((s, role)) or 0.0
            share = "" if activity == "idle" or busy <= 0 else \
                f" ({100 * hours / busy:.0f}% of their busy time)"
            hover.append(f"<b>{esc(role)}</b>" + (f" · {esc(s)}" if multi else "") +
                         f"<br>{esc(label)}: {hours:.1f} h per person per week{share}")
        fig.add_trace(go.Bar(
            y=[y_of[(s, role)] for s, role in zip(part["scenario"], part["label"],
                                                 strict=True)],
            x=part["hours"], orientation="h", name=esc(label),
            marker_color=ACTIVITY_COLORS.get(activity, MUTED),
            marker_line={"color": "#cbd5e1", "width": 1} if activity == "idle" else None,
            hovertext=hover, hoverinfo="text",
        ))
    fig.update_layout(barmode="stack", bargap=0.3)
    style(fig, "Where the time goes: hours by activity",
           height=max(150 + 36 * len(keys), 140 + 20 * len(activities)),
           xtitle="Hours per person per week", legend_at="right")
    fig.update_yaxes(autorange="reversed", categoryorder="array",
                     categoryarray=[y_of[k] for k in keys], showgrid=False)
    return fig


BACKLOG_PANELS = (
    ("reqs_open", "Open reqs", "reqs"),
    ("tasks_waiting_recruiters", "Tasks waiting for recruiters", "tasks"),
    ("tasks_waiting_sourcers", "Tasks waiting for sourcers", "tasks"),
    ("tasks_waiting_interviewers", "Tasks waiting for interviewers", "tasks"),
)


def backlog_lines(series: pd.DataFrame, colors: Mapping[str, str],
                  smooth_weeks: int = 4) -> go.Figure:
    """Open reqs and tasks waiting per queue over the plan (means of weekly snapshots).

    ``series``: scenario, day and the snapshot columns (``reqs_open``, ``reqs_in_backlog``,
    ``tasks_waiting_recruiters|sourcers|interviewers``); a column that is missing or all
    nan for a scenario (no sourcers in a combined team) is left out. Task counts are
    smoothed with a centred ``smooth_weeks`` moving average.
    """
    panels = [p for p in BACKLOG_PANELS if p[0] in series and series[p[0]].notna().any()]
    cols = 2
    rows = max(1, math.ceil(len(panels) / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[p[1] for p in panels],
                        horizontal_spacing=0.1, vertical_spacing=0.2)
    names = list(dict.fromkeys(series["scenario"]))
    backlog_shown = False
    for name in names:
        part = series[series["scenario"] == name].sort_values("day")
        color = colors.get(name, PALETTE[0])
        for i, (column, title, unit) in enumerate(panels):
            r, c = i // cols + 1, i % cols + 1
            if column not in part or part[column].isna().all():
                continue
            y = part[column].astype(float)
            if unit == "tasks" and smooth_weeks > 1:
                y = y.rolling(smooth_weeks, center=True, min_periods=1).mean()
            fig.add_trace(go.Scatter(
                x=part["day"], y=y, mode="lines", name=esc(name), legendgroup=esc(name),
                showlegend=(i == 0 and len(names) > 1),
                line={"color": color, "width": 2},
                hovertemplate="day %{x:.0f}: %{y:.1f} " + unit +
                              f" ({title.lower()})<extra>%{{fullData.name}}</extra>",
            ), row=r, col=c)
            if column == "reqs_open" and "reqs_in_backlog" in part and \
                    part["reqs_in_backlog"].fillna(0).max() > 0:
                fig.add_trace(go.Scatter(
                    x=part["day"], y=part["reqs_in_backlog"], mode="lines",
                    name="reqs waiting for a recruiter (dashed)", legendgroup="backlog",
                    showlegend=not backlog_shown,
                    line={"color": color, "width": 1.8, "dash": "dash"},
                    hovertemplate="day %{x:.0f}: %{y:.1f} reqs waiting for a recruiter"
                                  "<extra>" + esc(name) + "</extra>",
                ), row=r, col=c)
                backlog_shown = True
    for i, (_, _, unit) in enumerate(panels):
        r, c = i // cols + 1, i % cols + 1
        fig.update_yaxes(title_text="reqs" if unit == "reqs" else "tasks waiting",
                         rangemode="tozero", row=r, col=c)
        fig.update_xaxes(title_text="Day of the plan" if r == rows else None,
                         rangemode="tozero", row=r, col=c)
    style(fig, "Backlog over time (mean of weekly snapshots across replications)",
           height=120 + 300 * rows, legend=len(names) > 1 or backlog_shown, gap=30)
    for ann in fig.layout.annotations:
        ann.update(font={"size": 13})
    return fig
