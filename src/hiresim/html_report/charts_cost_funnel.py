"""Charts of money and candidates: cost per hire (with its components), paired
differences between scenarios (forest plot) and the candidate funnel with stage outcomes.
Money is in US$; funnel counts are candidates per simulated year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from hiresim.kpi_numbers import PAGE, write

from .analysis import OUTCOME_LABELS, stage_label
from .chart_style import GRID, MUTED, PALETTE, esc, rgba, style

OUTCOME_COLORS = {
    "passed": "#2e9d6a",
    "failed": "#9ca3af",
    "withdrew": "#e07b22",
    "closed_out": "#93c5fd",
    "in_process": "#fde68a",
}
COST_COLORS = {
    "cost_salaries": "#2f6db5",
    "cost_tools": "#93c5fd",
    "cost_interviewers": "#e07b22",
    "cost_job_ads": "#2e9d6a",
    "cost_other_external": "#9ca3af",
    "cost_agency_fees": "#b45309",
}


# ------------------------------------------------------------------------ cost


def _dollars(value: float) -> str:
    """Money in whole US$ as the report writes it ('$16,082')."""
    return write(value, "money", PAGE)

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
        ci_text = (f"95% CI {_dollars(low)} to {_dollars(high)}" if has_ci
                   else "no interval (too few replications)")
        fig.add_trace(go.Bar(
            x=[esc(name)], y=[mean], name=esc(name), marker_color=colors.get(name, PALETTE[0]),
            error_y={"type": "data", "symmetric": False,
                     "array": [high - mean if has_ci else 0],
                     "arrayminus": [mean - low if has_ci else 0],
                     "color": "#374151", "thickness": 1.5, "width": 8},
            text=[_dollars(mean) if len(frame) <= 4 else ""], textposition="inside",
            insidetextanchor="start",
            textangle=0, textfont={"color": "white"},
            hovertext=[f"<b>{esc(name)}</b><br>cost per hire {_dollars(mean)}<br>{ci_text}"
                       f"<br>{int(row.get('n') or 0)} replications"],
            hoverinfo="text",
        ))
    style(fig, title, height=height, xtitle=None, ytitle="US$ per hire", legend=False)
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
        hover = [f"<b>{esc(s)}</b><br>{esc(label)}: {_dollars(v)} per hire<br>"
                 f"{_dollars(y)} a year" if pd.notna(v) else ""
                 for s, v, y in zip(scenarios, part["per_hire"], part["per_year"], strict=True)]
        fig.add_trace(go.Bar(
            y=[esc(s) for s in scenarios], x=part["per_hire"].fillna(0).tolist(),
            orientation="h", name=esc(label),
            marker_color=COST_COLORS.get(component, MUTED),
            text=[_dollars(v) if pd.notna(v) else "" for v in part["per_hire"]],
            textposition="inside", insidetextanchor="middle", textangle=0,
            hovertext=hover, hoverinfo="text",
        ))
    fig.update_layout(barmode="stack", uniformtext={"minsize": 10, "mode": "hide"},
                      bargap=0.35)
    style(fig, "Cost per hire by component", height=height,
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
        return style(fig, f"Paired differences against {esc(baseline)}", height=260)
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
    style(fig, f"Paired differences against the baseline, {esc(baseline)}", height=height,
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
    if len(scenarios) > 1:
        return funnel_bars(funnel, colors, order)
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
                connector={"fillcolor": rgba(color, 0.18), "line": {"width": 0}},
                texttemplate="%{value:,.0f} (%{percentPrevious:.0%})",
                textposition="auto", textfont={"size": 11}, constraintext="outside",
                hovertext=hover, hoverinfo="text",
            ), row=r, col=c)
    style(fig, "Candidate funnel by source (candidates per simulated year)",
           height=90 + 330 * len(scenarios), legend=False, top=70)
    fig.update_xaxes(showticklabels=False, showgrid=False)
    fig.update_yaxes(showgrid=False)
    fig.update_layout(margin={"l": 150})
    for ann in fig.layout.annotations:
        ann.update(font={"size": 13})
    return fig


def funnel_bars(funnel: pd.DataFrame, colors: Mapping[str, str],
                order: Sequence[str]) -> go.Figure:
    """Several scenarios' funnels in one row: per source, stages down the side and one
    bar per scenario (candidates per simulated year), instead of a funnel per scenario."""
    scenarios = list(dict.fromkeys(funnel["scenario"]))
    sources = [s for s in ("sourced", "inbound") if (funnel["source"] == s).any()]
    words = {"sourced": "Sourced (outbound)", "inbound": "Inbound (applicants)"}
    fig = make_subplots(rows=1, cols=max(len(sources), 1),
                        subplot_titles=[words[s] for s in sources], horizontal_spacing=0.18)
    for c, source in enumerate(sources, start=1):
        part = funnel[funnel["source"] == source]
        stages = [s for s in order if s in set(part["stage"])]
        for name in scenarios:
            rows = part[part["scenario"] == name].set_index("stage").reindex(stages)
            values = rows["entered"].fillna(0).tolist()
            fig.add_trace(go.Bar(
                y=[esc(stage_label(s)) for s in stages], x=values, orientation="h",
                name=esc(name), legendgroup=esc(name), showlegend=c == 1,
                marker={"color": colors.get(name, PALETTE[0])},
                text=[f"{v:,.0f}" for v in values], textposition="outside",
                textfont={"size": 10}, cliponaxis=False,
                hovertext=[f"<b>{esc(stage_label(s))}</b> ({esc(name)}, {source})<br>"
                           f"{v:,.1f} a year" for s, v in zip(stages, values, strict=True)],
                hoverinfo="text"), row=1, col=c)
        fig.update_yaxes(autorange="reversed", row=1, col=c)
    style(fig, "Candidate funnel by source (candidates per simulated year)",
          height=200 + 22 * len(scenarios) * max(1, len(order)), gap=30)
    top = float(funnel["entered"].max()) if len(funnel) else 10.0
    fig.update_xaxes(type="log", showgrid=True, dtick=1, range=[0, np.log10(max(top, 10)) + 0.5],
                     title_text="candidates a year (log scale)")
    fig.update_layout(barmode="group", bargap=0.25, margin={"l": 150})
    for ann in fig.layout.annotations:
        ann.update(font={"size": 13})
    return fig


def stage_outcomes(funnel: pd.DataFrame, order: Sequence[str]) -> go.Figure:
    """What happens at each stage: share passed, failed, withdrew, closed out, in process.

    ``funnel`` as for :func:`funnel_chart`. One panel per source; with several scenarios
    their bars stand together under each stage ('Screen · split'), in the same panels.
    """
    scenarios = list(dict.fromkeys(funnel["scenario"]))
    sources = [s for s in ("sourced", "inbound") if (funnel["source"] == s).any()]
    words = {"sourced": "Sourced (outbound)", "inbound": "Inbound (applicants)"}
    multi = len(scenarios) > 1
    fig = make_subplots(rows=1, cols=max(len(sources), 1),
                        subplot_titles=[words[s] for s in sources], horizontal_spacing=0.2)
    rows_per_panel = 1
    for c, source in enumerate(sources, start=1):
        part = funnel[(funnel["source"] == source) & (funnel["stage"] != "hired")]
        stages = [s for s in order if s in set(part["stage"])]
        present = set(zip(part["stage"], part["scenario"], strict=True))
        keys = [(st, n) for st in stages for n in scenarios if (st, n) in present]
        rows_per_panel = max(rows_per_panel, len(keys))
        table = part.set_index(["stage", "scenario"]).reindex(keys)
        total = table["entered"].replace(0, np.nan)
        labels = [esc(stage_label(st)) + (f" · {esc(n)}" if multi else "") for st, n in keys]
        for outcome, label in OUTCOME_LABELS.items():
            share = (table[outcome] / total).fillna(0.0)
            fig.add_trace(go.Bar(
                y=labels, x=share * 100, orientation="h", name=label, legendgroup=outcome,
                showlegend=c == 1, marker_color=OUTCOME_COLORS[outcome],
                hovertext=[
                    f"<b>{esc(stage_label(st))}</b> ({esc(n)}, {source})<br>"
                    f"{label}: {write(v, 'share')} ({write(k, 'count')} a year)"
                    for (st, n), v, k in zip(keys, share, table[outcome].fillna(0.0),
                                             strict=True)],
                hoverinfo="text",
            ), row=1, col=c)
        fig.update_yaxes(autorange="reversed", row=1, col=c)
        fig.update_xaxes(range=[0, 100], ticksuffix="%", row=1, col=c,
                         title_text="Share of the candidates at the stage")
    fig.update_layout(barmode="stack", bargap=0.25 if not multi else 0.15)
    style(fig, "What happens at each stage: conversion and withdrawals",
          height=200 + 24 * rows_per_panel, gap=30)
    fig.update_layout(legend={"traceorder": "normal"}, margin={"l": 170 if multi else 130})
    for ann in fig.layout.annotations:
        ann.update(font={"size": 13})
    return fig
