"""Plotly figure builders for the report: pandas frames in, ``go.Figure`` out.

Conventions shared by every builder:

- ``colors`` maps a scenario (or sweep point) name to its colour, so a scenario keeps its
  colour across all charts (:func:`scenario_colors`).
- Names in the frames are raw user text. Plotly renders titles, legend entries, tick
  labels and hover text as a small subset of HTML, so every user string is escaped with
  :func:`esc` before it goes into a figure; plotly shows the entities as plain text.
  User text is never put inside a hover *template* (where ``%{...}`` would be read as a
  placeholder); it travels as trace names, data or ``hovertext``.
- Every chart has a title, axis titles with units and hover text.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .analysis import ACTIVITY_LABELS, OUTCOME_LABELS, stage_label

PALETTE = (
    "#2f6db5",  # blue
    "#e07b22",  # orange
    "#2e9d6a",  # green
    "#c0392b",  # red
    "#7d5ba6",  # purple
    "#8c6d31",  # brown
    "#d16ba5",  # pink
    "#4b5563",  # slate
    "#17a2b8",  # teal
    "#b8a100",  # olive
)
FONT = ("-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
        "sans-serif")
GRID = "#e5e7eb"
MUTED = "#6b7280"

OUTCOME_COLORS = {
    "passed": "#2e9d6a",
    "failed": "#9ca3af",
    "withdrew": "#e07b22",
    "closed_out": "#93c5fd",
    "in_process": "#fde68a",
}
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
COST_COLORS = {
    "cost_salaries": "#2f6db5",
    "cost_tools": "#93c5fd",
    "cost_interviewers": "#e07b22",
    "cost_job_ads": "#2e9d6a",
    "cost_other_external": "#9ca3af",
}


# A small template (plotly_white's look) instead of the full plotly_white, which is slow
# to copy and would put its colour scales for every trace type into every figure's JSON.
_AXIS = {"gridcolor": GRID, "linecolor": "#d1d5db", "zerolinecolor": "#d1d5db",
         "ticks": "", "automargin": True, "title": {"standoff": 12}}
_TEMPLATE = {"layout": {
    "colorway": list(PALETTE), "paper_bgcolor": "white", "plot_bgcolor": "white",
    "hovermode": "closest", "xaxis": _AXIS, "yaxis": _AXIS,
    "font": {"family": FONT, "size": 12.5, "color": "#1f2937"},
    "hoverlabel": {"font": {"family": FONT, "size": 12.5}, "align": "left"},
}}


@functools.cache
def _template() -> go.layout.Template:
    """Built once: validating a template dict for every figure is slow."""
    return go.layout.Template(_TEMPLATE)


def esc(text: object) -> str:
    """User text made safe for plotly's HTML-like labels (shown literally)."""
    return html.escape(str(text), quote=False)


def scenario_colors(names: Sequence[str]) -> dict[str, str]:
    """A fixed colour per scenario, in order (the palette repeats after ten)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _rgba(color: str, alpha: float) -> str:
    c = color.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _style(fig: go.Figure, title: str, height: int = 420, xtitle: str | None = None,
           ytitle: str | None = None, legend: bool = True, top: int | None = None,
           legend_at: str = "top", gap: int = 6) -> go.Figure:
    """The report's look: white template, left title, legend on top (or bottom/right).

    ``gap``: pixels between the top of the plot area and a top legend (room for subplot
    titles).
    """
    if top is None:
        top = 88 + gap if legend and legend_at == "top" else 48 + gap
    paper = max(height - top - 60, 100)
    where = {
        "top": {"orientation": "h", "yanchor": "bottom", "y": 1.0 + gap / paper,
                "xanchor": "left", "x": 0.0},
        "bottom": {"orientation": "h", "yanchor": "top", "y": -0.16, "xanchor": "left",
                   "x": 0.0},
        "right": {"orientation": "v", "yanchor": "top", "y": 1.0, "xanchor": "left",
                  "x": 1.02, "traceorder": "normal"},
    }[legend_at]
    fig.update_layout(
        template=_template(),
        title={"text": f"<b>{title}</b>", "x": 0.01, "xanchor": "left", "y": 0.985,
               "yanchor": "top", "font": {"size": 16}},
        height=height,
        margin={"l": 70, "r": 24, "t": top, "b": 60},
        showlegend=legend,
        legend={**where, "font": {"size": 12}},
    )
    if xtitle is not None:
        fig.update_xaxes(title_text=xtitle)
    if ytitle is not None:
        fig.update_yaxes(title_text=ytitle)
    return fig


def _goal_entry(fig: go.Figure, text: str, **kwargs: object) -> None:
    """A legend entry for a goal line drawn with add_hline/add_vline."""
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=text,
                             line={"color": "#c0392b", "dash": "dash", "width": 1.5},
                             hoverinfo="skip", **kwargs))


def _fmt_days(value: float | None) -> str:
    return "> horizon" if value is None or not math.isfinite(value) else f"{value:.0f} days"


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
            fillcolor=_rgba(color, 0.25), line={"color": color, "width": 1.6},
            offsetgroup=esc(name), alignmentgroup="ttf", hoverinfo="skip",
            boxpoints=False,
        ))
        hover = []
        for group, row in part.iterrows():
            hover.append(
                f"<b>{esc(name)}</b> · {esc(group)}<br>"
                f"10% of reqs filled by {_fmt_days(row['p10'])}<br>"
                f"25% by {_fmt_days(row['p25'])}<br>"
                f"50% (median) by {_fmt_days(row['p50'])}<br>"
                f"75% by {_fmt_days(row['p75'])}<br>"
                f"<b>80% by {_fmt_days(row['p80'])}</b><br>"
                f"90% by {_fmt_days(row['p90'])}<br>"
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
        _goal_entry(fig, f"goal: P80 ≤ {goal_days:g} days")
    multi = stats["scenario"].nunique() > 1
    _style(fig, "Time-to-fill by role profile", xtitle="Role profile",
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
        _goal_entry(fig, f"goal: 80% filled within {goal_days:g} days")
    _style(fig, "Share of reqs filled over time", xtitle="Days since the req opened",
           ytitle="Reqs filled (%)", legend=len(names) > 1 or goal_days is not None)
    fig.update_yaxes(range=[0, 102], ticksuffix="%")
    fig.update_xaxes(rangemode="tozero")
    return fig


# ------------------------------------------------------------------------ cost

def cost_per_hire_bars(frame: pd.DataFrame, colors: Mapping[str, str],
                       title: str = "Cost per hire", height: int = 400) -> go.Figure:
    """Mean cost per hire per scenario with its 95% interval across replications.

    ``frame``: scenario, mean, ci_low, ci_high, n.
    """
    fig = go.Figure()
    for _, row in frame.iterrows():
        name = row["scenario"]
        mean = row["mean"]
        if mean is None or pd.isna(mean):
            continue
        low, high = row.get("ci_low"), row.get("ci_high")
        has_ci = low is not None and high is not None and not pd.isna(low) and not pd.isna(high)
        ci_text = (f"95% CI ${low:,.0f} to ${high:,.0f}" if has_ci
                   else "no interval (too few replications)")
        fig.add_trace(go.Bar(
            x=[esc(name)], y=[mean], name=esc(name), marker_color=colors.get(name, PALETTE[0]),
            error_y={"type": "data", "symmetric": False,
                     "array": [high - mean if has_ci else 0],
                     "arrayminus": [mean - low if has_ci else 0],
                     "color": "#374151", "thickness": 1.5, "width": 8},
            text=[f"${mean:,.0f}" if len(frame) <= 4 else ""], textposition="inside",
            insidetextanchor="start",
            textangle=0, textfont={"color": "white"},
            hovertext=[f"<b>{esc(name)}</b><br>cost per hire ${mean:,.0f}<br>{ci_text}"
                       f"<br>{int(row.get('n') or 0)} replications"],
            hoverinfo="text",
        ))
    _style(fig, title, height=height, xtitle=None, ytitle="US$ per hire", legend=False)
    fig.update_yaxes(tickformat="$,.0f", rangemode="tozero")
    fig.update_layout(bargap=0.45, uniformtext={"minsize": 10, "mode": "hide"})
    return fig


def cost_breakdown_bars(frame: pd.DataFrame, height: int = 400) -> go.Figure:
    """Where the money goes: mean cost per hire by component, stacked per scenario.

    ``frame``: scenario, component, label, per_hire, per_year.
    """
    fig = go.Figure()
    scenarios = list(dict.fromkeys(frame["scenario"]))
    for component in dict.fromkeys(frame["component"]):
        part = frame[frame["component"] == component].set_index("scenario").reindex(scenarios)
        label = str(part["label"].dropna().iloc[0]) if part["label"].notna().any() else component
        hover = [f"<b>{esc(s)}</b><br>{esc(label)}: ${v:,.0f} per hire<br>"
                 f"${y:,.0f} a year" if pd.notna(v) else ""
                 for s, v, y in zip(scenarios, part["per_hire"], part["per_year"], strict=True)]
        fig.add_trace(go.Bar(
            y=[esc(s) for s in scenarios], x=part["per_hire"].fillna(0).tolist(),
            orientation="h", name=esc(label),
            marker_color=COST_COLORS.get(component, MUTED),
            text=[f"${v:,.0f}" if pd.notna(v) else "" for v in part["per_hire"]],
            textposition="inside", insidetextanchor="middle", textangle=0,
            hovertext=hover, hoverinfo="text",
        ))
    fig.update_layout(barmode="stack", uniformtext={"minsize": 10, "mode": "hide"},
                      bargap=0.35)
    _style(fig, "Cost per hire by component", height=height,
           xtitle="US$ per hire (mean over replications)")
    fig.update_layout(legend={"traceorder": "normal"})
    fig.update_xaxes(tickformat="$,.0f")
    fig.update_yaxes(autorange="reversed", ticksuffix=" ")
    return fig


# ------------------------------------------------------------------------ differences

FOREST_GROUPS = (
    ("days", "Days (negative: faster than the baseline)", 1.0, " days"),
    ("money", "US$ (negative: cheaper than the baseline)", 1.0, ""),
    ("points", "Percentage points", 100.0, " pt"),
)


def forest_plot(diffs: pd.DataFrame, colors: Mapping[str, str], baseline: str) -> go.Figure:
    """Paired differences against the baseline with their intervals, one panel per unit.

    ``diffs``: scenario, label, group ('days', 'money', 'points'), mean, ci_low, ci_high,
    clear (bool), statement (text for the hover). Hollow markers: interval includes 0.
    """
    groups = [g for g in FOREST_GROUPS if (diffs["group"] == g[0]).any()]
    counts = [int(diffs[diffs["group"] == g[0]]["label"].nunique()) for g in groups]
    if not groups:
        fig = go.Figure()
        return _style(fig, f"Paired differences against {esc(baseline)}", height=260)
    fig = make_subplots(rows=len(groups), cols=1, row_heights=counts,
                        vertical_spacing=0.16 if len(groups) > 1 else 0.05)
    scenarios = list(dict.fromkeys(diffs["scenario"]))
    m = len(scenarios)
    shown: set[str] = set()
    for r, (group, axis_title, scale, unit) in enumerate(groups, start=1):
        part = diffs[diffs["group"] == group]
        labels = list(dict.fromkeys(part["label"]))
        ypos = {label: len(labels) - 1 - i for i, label in enumerate(labels)}
        for j, name in enumerate(scenarios):
            rows = part[part["scenario"] == name]
            rows = rows[rows["mean"].notna()]
            if rows.empty:
                continue
            offset = ((m - 1) / 2 - j) * (0.5 / max(m, 1)) if m > 1 else 0.0
            color = colors.get(name, PALETTE[0])
            mean = rows["mean"].astype(float).to_numpy() * scale
            low = rows["ci_low"].astype(float).to_numpy() * scale
            high = rows["ci_high"].astype(float).to_numpy() * scale
            has = ~(np.isnan(low) | np.isnan(high))
            clear = rows["clear"].astype(bool).to_numpy()
            fig.add_trace(go.Scatter(
                x=mean, y=[ypos[label] + offset for label in rows["label"]],
                mode="markers", name=esc(name), legendgroup=esc(name),
                showlegend=name not in shown,
                marker={"size": 11, "color": [color if c else "white" for c in clear],
                        "symbol": "circle", "line": {"color": color, "width": 2}},
                error_x={"type": "data", "symmetric": False,
                         "array": np.where(has, high - mean, 0).tolist(),
                         "arrayminus": np.where(has, mean - low, 0).tolist(),
                         "color": color, "thickness": 2, "width": 5},
                hovertext=[
                    f"<b>{esc(label)}</b><br>{esc(stmt)}" for label, stmt in
                    zip(rows["label"], rows["statement"], strict=True)],
                hoverinfo="text",
            ), row=r, col=1)
            shown.add(name)
        fig.add_vline(x=0, line={"color": "#374151", "width": 1.2}, row=r, col=1)
        fig.update_yaxes(tickvals=list(ypos.values()), ticktext=[esc(t) for t in ypos],
                         range=[-0.6, len(labels) - 0.4], showgrid=False, zeroline=False,
                         row=r, col=1)
        values = pd.concat([part["mean"], part["ci_low"], part["ci_high"]]).astype(float)
        v = values.to_numpy()
        v = v[np.isfinite(v)] * scale
        lo = min(0.0, float(v.min())) if v.size else 0.0
        hi = max(0.0, float(v.max())) if v.size else 0.0
        pad = (hi - lo) * 0.08 or 1.0
        fig.update_xaxes(title_text=esc(axis_title), row=r, col=1, range=[lo - pad, hi + pad],
                         ticksuffix=unit if group == "points" else "",
                         tickformat="$,.0f" if group == "money" else None)
    height = 170 + 44 * sum(counts) + 70 * len(groups)
    _style(fig, f"Paired differences against the baseline, {esc(baseline)}", height=height,
           legend=True)
    fig.update_xaxes(showgrid=True, gridcolor=GRID, zeroline=False)
    return fig


# ------------------------------------------------------------------------ funnel

def funnel_chart(funnel: pd.DataFrame, colors: Mapping[str, str],
                 order: Sequence[str]) -> go.Figure:
    """Candidates per simulated year at each stage: a funnel per scenario and source.

    ``funnel``: scenario, source, stage, entered, passed, failed, withdrew, closed_out,
    in_process (means per replication); the 'hired' stage has the hires. The text gives
    the count and the share of the previous stage that reached this one.
    """
    scenarios = list(dict.fromkeys(funnel["scenario"]))
    sources = [s for s in ("sourced", "inbound") if (funnel["source"] == s).any()]
    words = {"sourced": "sourced (outbound)", "inbound": "inbound (applicants)"}
    multi = len(scenarios) > 1
    titles = [(f"{esc(n)}: " if multi else "") + words[s] for n in scenarios for s in sources]
    titles = [t[0].upper() + t[1:] if not multi else t for t in titles]
    fig = make_subplots(rows=len(scenarios), cols=max(len(sources), 1), subplot_titles=titles,
                        horizontal_spacing=0.16,
                        vertical_spacing=0.12 if len(scenarios) > 1 else 0.1)
    for r, name in enumerate(scenarios, start=1):
        for c, source in enumerate(sources, start=1):
            part = funnel[(funnel["scenario"] == name) & (funnel["source"] == source)]
            stages = [s for s in order if s in set(part["stage"])]
            part = part.set_index("stage").reindex(stages)
            if part.empty:
                continue
            hover = []
            for stage, row in part.iterrows():
                head = f"<b>{esc(stage_label(stage))}</b> ({esc(name)}, {source})<br>"
                if stage == "hired":
                    hover.append(f"{head}{row['entered']:,.1f} hires a year")
                    continue
                hover.append(
                    f"{head}{row['entered']:,.1f} candidates a year reached this stage<br>"
                    f"passed {row['passed']:,.1f} · failed {row['failed']:,.1f} · "
                    f"withdrew {row['withdrew']:,.1f}<br>"
                    f"closed out when the req filled {row['closed_out']:,.1f} · "
                    f"in process at the end {row['in_process']:,.1f}")
            color = colors.get(name, PALETTE[0])
            fig.add_trace(go.Funnel(
                y=[esc(stage_label(s)) for s in stages], x=part["entered"].tolist(),
                name=esc(name), showlegend=False, marker={"color": color},
                connector={"fillcolor": _rgba(color, 0.18), "line": {"width": 0}},
                texttemplate="%{value:,.0f} (%{percentPrevious:.0%})",
                textposition="auto", textfont={"size": 11}, constraintext="outside",
                hovertext=hover, hoverinfo="text",
            ), row=r, col=c)
    _style(fig, "Candidate funnel by source (candidates per simulated year)",
           height=90 + 330 * len(scenarios), legend=False, top=70)
    fig.update_xaxes(showticklabels=False, showgrid=False)
    fig.update_yaxes(showgrid=False)
    fig.update_layout(margin={"l": 150})
    for ann in fig.layout.annotations:
        ann.update(font={"size": 13})
    return fig


def stage_outcomes(funnel: pd.DataFrame, order: Sequence[str]) -> go.Figure:
    """What happens at each stage: share passed, failed, withdrew, closed out, in process.

    ``funnel`` as for :func:`funnel_chart`. One panel per scenario and source.
    """
    scenarios = list(dict.fromkeys(funnel["scenario"]))
    sources = [s for s in ("sourced", "inbound") if (funnel["source"] == s).any()]
    words = {"sourced": "sourced (outbound)", "inbound": "inbound (applicants)"}
    multi = len(scenarios) > 1
    titles = [(f"{esc(n)}: " if multi else "") + words[s] for n in scenarios for s in sources]
    titles = [t[0].upper() + t[1:] if not multi else t for t in titles]
    fig = make_subplots(rows=len(scenarios), cols=max(len(sources), 1), subplot_titles=titles,
                        horizontal_spacing=0.2, vertical_spacing=0.16 if len(scenarios) > 1
                        else 0.1)
    for r, name in enumerate(scenarios, start=1):
        for c, source in enumerate(sources, start=1):
            part = funnel[(funnel["scenario"] == name) & (funnel["source"] == source)]
            part = part[part["stage"] != "hired"]
            stages = [s for s in order if s in set(part["stage"])]
            part = part.set_index("stage").reindex(stages)
            total = part["entered"].replace(0, np.nan)
            for outcome, label in OUTCOME_LABELS.items():
                share = (part[outcome] / total).fillna(0.0)
                fig.add_trace(go.Bar(
                    y=[esc(stage_label(s)) for s in stages], x=share * 100,
                    orientation="h", name=label, legendgroup=outcome,
                    showlegend=(r == 1 and c == 1),
                    marker_color=OUTCOME_COLORS[outcome],
                    hovertext=[
                        f"<b>{esc(stage_label(s))}</b> ({esc(name)}, {source})<br>"
                        f"{label}: {v * 100:.1f}% ({n:,.1f} a year)"
                        for s, v, n in zip(stages, share, part[outcome], strict=True)],
                    hoverinfo="text",
                ), row=r, col=c)
            fig.update_yaxes(autorange="reversed", row=r, col=c)
            fig.update_xaxes(range=[0, 100], ticksuffix="%", row=r, col=c,
                             title_text="Share of the candidates at the stage" if
                             r == len(scenarios) else None)
    fig.update_layout(barmode="stack", bargap=0.25)
    _style(fig, "What happens at each stage: conversion and withdrawals",
           height=130 + 290 * len(scenarios), gap=30)
    fig.update_layout(legend={"traceorder": "normal"})
    for ann in fig.layout.annotations:
        ann.update(font={"size": 13})
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
    _style(fig, "Utilisation by role", height=380, xtitle=None,
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
    _style(fig, "Where the time goes: hours by activity",
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
    _style(fig, "Backlog over time (mean of weekly snapshots across replications)",
           height=120 + 300 * rows, legend=len(names) > 1 or backlog_shown, gap=30)
    for ann in fig.layout.annotations:
        ann.update(font={"size": 13})
    return fig


# ------------------------------------------------------------------------ sweeps

def sweep_heatmap(points: pd.DataFrame, x_key: str, y_keys: Sequence[str], value: str,
                  title: str, unit: str, kind: str, lower_is_better: bool,
                  recommended: str | None = None) -> go.Figure:
    """A KPI over the grid: x = the last varied setting, y = the others combined.

    ``points``: point, the setting columns and ``value``. ``kind``: money, days, pct.
    Darker cells are better.
    """
    xs = list(dict.fromkeys(points[x_key].tolist()))
    try:
        xs = sorted(xs)
    except TypeError:
        pass
    if len(y_keys) == 1:
        ylabels = [str(row[y_keys[0]]) for _, row in points.iterrows()]
    elif y_keys:
        ylabels = [" · ".join(f"{_setting_label(k)} {row[k]}" for k in y_keys)
                   for _, row in points.iterrows()]
    else:
        ylabels = ["all points"] * len(points)
    frame = points.assign(_y=ylabels)
    ys = list(dict.fromkeys(ylabels))
    z, text, hover = [], [], []
    for y in ys:
        zr, tr, hr = [], [], []
        for x in xs:
            match = frame[(frame["_y"] == y) & (frame[x_key] == x)]
            v = float(match[value].iloc[0]) if len(match) and pd.notna(match[value].iloc[0]) \
                else None
            name = str(match["point"].iloc[0]) if len(match) else ""
            shown = _kind_fmt(v, kind)
            star = " ★" if recommended is not None and name == recommended else ""
            zr.append(v)
            tr.append(shown + star)
            hr.append(f"<b>{esc(name)}</b><br>{esc(title)}: {shown}")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    scale = "Blues" if not lower_is_better else [[0, "#08306b"], [0.5, "#6baed6"],
                                                 [1, "#f7fbff"]]
    values = [v for row in z for v in row if v is not None]
    zmin = min(values) if values else 0
    zmax = max(values) if values else 1
    if kind == "pct":
        zmin, zmax = 0, 1
    fig = go.Figure(go.Heatmap(
        z=z, x=[esc(x) for x in xs], y=[esc(y) for y in ys], text=text,
        texttemplate="%{text}", textfont={"size": 13}, colorscale=scale,
        zmin=zmin, zmax=zmax if zmax > zmin else zmin + 1,
        hovertext=hover, hoverinfo="text", xgap=3, ygap=3,
        colorbar={"title": {"text": esc(unit), "side": "right"}, "thickness": 12,
                  "tickformat": ".0%" if kind == "pct" else ("$,.0f" if kind == "money"
                                                               else ",.0f")},
    ))
    _style(fig, esc(title), height=max(260, 150 + 70 * len(ys)),
           xtitle=esc(_setting_label(x_key)),
           ytitle=esc(" · ".join(_setting_label(k) for k in y_keys)) if y_keys else None,
           legend=False, top=60)
    fig.update_xaxes(type="category", showgrid=False)
    fig.update_yaxes(type="category", showgrid=False, autorange="reversed")
    return fig


def _setting_label(key: str) -> str:
    text = key[5:] if key.startswith("team.") else key
    return text.replace(".count", "").replace("_", " ").replace(".", " ")


def _kind_fmt(v: float | None, kind: str) -> str:
    if v is None:
        return "> horizon" if kind == "days" else "-"
    if kind == "money":
        return f"${v:,.0f}"
    if kind == "pct":
        return f"{100 * v:.0f}%"
    return f"{v:.0f} d" if kind == "days" else f"{v:.2f}"


def pareto_scatter(points: pd.DataFrame, colors: Mapping[str, str], front: Sequence[str],
                   recommended: str | None, goal_days: float | None = None,
                   labels: Mapping[str, str] | None = None) -> go.Figure:
    """Cost per hire against P80 time-to-fill for every point; the frontier joined up.

    ``points``: point, cost_per_hire, time_to_fill_p80, team_cost_per_year and optionally
    goal_probability. ``labels``: short text per point (e.g. '1 sourcer, 2 recruiters').
    """
    fig = go.Figure()
    labels = labels or {}
    usable = points[points["cost_per_hire"].notna() & points["time_to_fill_p80"].notna()]
    on_front = usable[usable["point"].isin(front)].sort_values("cost_per_hire")
    if len(on_front) > 1:
        fig.add_trace(go.Scatter(
            x=on_front["cost_per_hire"], y=on_front["time_to_fill_p80"], mode="lines",
            line={"color": "#9ca3af", "dash": "dash", "width": 1.5},
            name="Pareto frontier", hoverinfo="skip",
        ))
    order = {n: i for i, n in enumerate(on_front["point"])}
    for _, row in usable.iterrows():
        name = row["point"]
        is_front = name in front
        is_rec = recommended is not None and name == recommended
        goal = row.get("goal_probability")
        goal_text = (f"<br>meets the goal(s) in {100 * goal:.0f}% of simulated years"
                     if goal is not None and pd.notna(goal) else "")
        short = labels.get(name, "")
        fig.add_trace(go.Scatter(
            x=[row["cost_per_hire"]], y=[row["time_to_fill_p80"]],
            mode="markers+text" if (is_front or is_rec) else "markers",
            text=[esc(short or name)],
            textposition=_label_side(row["cost_per_hire"], usable["cost_per_hire"],
                                     order.get(name, 0)),
            textfont={"size": 11, "color": "#374151"},
            marker={"size": 20 if is_rec else (13 if is_front else 10),
                    "symbol": "star" if is_rec else "circle",
                    "color": colors.get(name, PALETTE[0]),
                    "opacity": 1.0 if (is_front or is_rec) else 0.55,
                    "line": {"color": "#111827" if is_rec else "white", "width": 1.5}},
            name=esc(name) + (" (recommended)" if is_rec else ""),
            hovertext=[f"<b>{esc(name)}</b>" + (f" · {esc(short)}" if short else "") +
                       f"<br>cost per hire ${row['cost_per_hire']:,.0f}"
                       f"<br>P80 time-to-fill {row['time_to_fill_p80']:.0f} days"
                       f"<br>TA team ${row['team_cost_per_year']:,.0f} a year"
                       + goal_text
                       + ("<br>on the Pareto frontier" if is_front else "")
                       + ("<br><b>recommended</b>" if is_rec else "")],
            hoverinfo="text", showlegend=False, cliponaxis=False,
        ))
    if goal_days is not None:
        fig.add_hline(y=goal_days, line={"color": "#c0392b", "dash": "dash", "width": 1.5})
        _goal_entry(fig, f"goal: P80 ≤ {goal_days:g} days")
    _style(fig, "Cost against speed: the Pareto frontier", height=460,
           xtitle="Cost per hire (US$, mean)",
           ytitle="P80 time-to-fill (days, all reqs)",
           legend=len(on_front) > 1 or goal_days is not None)
    xs = usable["cost_per_hire"].astype(float)
    ys = usable["time_to_fill_p80"].astype(float).tolist() + (
        [goal_days] if goal_days is not None else [])
    if len(xs):
        xpad = (xs.max() - xs.min()) * 0.15 or xs.max() * 0.05 or 1.0
        ypad = (max(ys) - min(ys)) * 0.15 or 2.0
        fig.update_xaxes(range=[xs.min() - xpad, xs.max() + xpad])
        fig.update_yaxes(range=[min(ys) - ypad, max(ys) + ypad])
    fig.update_xaxes(tickformat="$,.0f")
    return fig


def _label_side(x: float, xs: pd.Series, k: int) -> str:
    """Text position that keeps a point's label inside the chart and off its neighbours."""
    lo, hi = float(xs.min()), float(xs.max())
    side = "left" if hi > lo and (x - lo) / (hi - lo) > 0.5 else "right"
    return f"{'top' if k % 2 == 0 else 'bottom'} {side}"


def goal_probability_bars(points: pd.DataFrame, colors: Mapping[str, str],
                          confidence: float, goal_text: str,
                          recommended: str | None = None) -> go.Figure:
    """Probability that a simulated year meets every goal, per point, with Wilson 95% CIs.

    ``points``: point, goal_probability, goal_ci_low, goal_ci_high, team_cost_per_year.
    Points are sorted by team cost (cheapest first).
    """
    rows = points.sort_values("team_cost_per_year", kind="stable")
    p = rows["goal_probability"].astype(float) * 100
    low = rows["goal_ci_low"].astype(float) * 100
    high = rows["goal_ci_high"].astype(float) * 100
    fig = go.Figure(go.Bar(
        x=[esc(n) for n in rows["point"]], y=p,
        marker_color=[colors.get(n, PALETTE[0]) for n in rows["point"]],
        marker_line={"color": ["#111827" if n == recommended else "rgba(0,0,0,0)"
                               for n in rows["point"]], "width": 2.5},
        error_y={"type": "data", "symmetric": False, "array": (high - p).fillna(0).tolist(),
                 "arrayminus": (p - low).fillna(0).tolist(), "color": "#374151",
                 "thickness": 1.3, "width": 5},
        text=[f"{v:.0f}%" if pd.notna(v) else "-" for v in p], textposition="inside",
        insidetextanchor="start", textangle=0, textfont={"color": "white"},
        showlegend=False,
        hovertext=[f"<b>{esc(n)}</b><br>meets {esc(goal_text)} in {v:.0f}% of simulated years"
                   f"<br>95% CI {lo:.0f}% to {hi:.0f}%<br>TA team ${c:,.0f} a year"
                   + ("<br><b>recommended</b>" if n == recommended else "")
                   for n, v, lo, hi, c in zip(rows["point"], p, low, high,
                                              rows["team_cost_per_year"], strict=True)],
        hoverinfo="text",
    ))
    fig.add_hline(y=confidence * 100, line={"color": "#c0392b", "dash": "dash", "width": 1.5})
    _goal_entry(fig, f"required probability: {confidence * 100:.0f}%")
    _style(fig, "Probability of meeting the goal, cheapest team first", legend=True,
           xtitle="Team (sweep point), cheapest first",
           ytitle="Simulated years meeting the goal (%)")
    fig.update_yaxes(range=[0, 112], ticksuffix="%")
    fig.update_layout(uniformtext={"minsize": 10, "mode": "hide"}, bargap=0.35)
    return fig

