"""Charts of a sweep: KPI heatmaps over the grid of team shapes, the Pareto frontier of
cost per hire (US$) against P80 time-to-fill (days), and the probability of meeting the
goal per team shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from hiresim.kpi_numbers import CHART, PAGE, write

from .chart_style import PALETTE, esc, goal_entry, style

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
        ylabels = [" · ".join(f"{setting_label(k)} {row[k]}" for k in y_keys)
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
    if kind == "share":
        zmin, zmax = 0, 1
    fig = go.Figure(go.Heatmap(
        z=z, x=[esc(x) for x in xs], y=[esc(y) for y in ys], text=text,
        texttemplate="%{text}", textfont={"size": 13}, colorscale=scale,
        zmin=zmin, zmax=zmax if zmax > zmin else zmin + 1,
        hovertext=hover, hoverinfo="text", xgap=3, ygap=3,
        colorbar={"title": {"text": esc(unit), "side": "top"}, "thickness": 12,
                  "tickformat": ".0%" if kind == "share" else ("$,.0f" if kind == "money"
                                                               else ",.0f")},
    ))
    style(fig, esc(title), height=max(260, 150 + 70 * len(ys)),
           xtitle=esc(setting_label(x_key)),
           ytitle=esc(" · ".join(setting_label(k) for k in y_keys)) if y_keys else None,
           legend=False, top=60)
    fig.update_xaxes(type="category", showgrid=False)
    fig.update_yaxes(type="category", showgrid=False, autorange="reversed")
    fig.update_layout(margin={"r": 130})  # the colour bar, then the toolbar beyond it
    return fig


def setting_label(key: str) -> str:
    """A varied setting in words: 'team.recruiters.count' becomes 'Recruiters',
    'profiles[backend].interviewers.count' 'Backend interviewers'."""
    match = re.fullmatch(r"profiles\[([^\]]+)\]\.(.+)", key)
    if match:
        profile, rest = match.groups()
        profile = f"profile {int(profile) + 1}" if profile.isdigit() else profile
        text = f"{profile} {_words(rest)}"
    else:
        text = _words(key[5:] if key.startswith("team.") else key)
    return text[:1].upper() + text[1:]


def _words(path: str) -> str:
    text = path.replace(".count", "").replace("_", " ").replace(".", " ")
    return re.sub(r"\[(\d+)\]", r" \1", text).replace("[", " ").replace("]", "").strip()


def _kind_fmt(v: float | None, kind: str) -> str:
    if v is None:
        return "> horizon" if kind == "days" else "-"
    return write(v, kind, CHART)


def pareto_scatter(points: pd.DataFrame, colors: Mapping[str, str], front: Sequence[str],
                   recommended: str | None, goal_days: float | None = None,
                   labels: Mapping[str, str] | None = None) -> go.Figure:
    """Cost per hire against P80 time-to-fill for every point; the frontier joined up.

    ``points``: point, cost_per_hire, time_to_fill_p80, team_cost_per_year and optionally
    goal_probability. ``labels``: the settings in words per point (e.g. '1 sourcer, 2
    recruiters'), shown when hovering.
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
    for _, row in usable.iterrows():
        name = row["point"]
        is_front = name in front
        is_rec = recommended is not None and name == recommended
        goal = row.get("goal_probability")
        goal_text = (f"<br>meets the goal(s) in {100 * goal:.0f}% of simulated years"
                     if goal is not None and pd.notna(goal) else "")
        short = labels.get(name, "")
        err_x = _error(row, "cost_per_hire")
        err_y = _error(row, "time_to_fill_p80")
        fig.add_trace(go.Scatter(
            x=[row["cost_per_hire"]], y=[row["time_to_fill_p80"]],
            error_x=err_x, error_y=err_y,
            mode="markers",
            marker={"size": 20 if is_rec else (13 if is_front else 10),
                    "symbol": "star" if is_rec else "circle",
                    "color": colors.get(name, PALETTE[0]),
                    "opacity": 1.0 if (is_front or is_rec) else 0.55,
                    "line": {"color": "#111827" if is_rec else "white", "width": 1.5}},
            # the point's name, as in the grid table and the other charts (the settings
            # in words are in the hover text: long labels overlapped in two columns)
            name=esc(name) + (" ★" if is_rec else " (frontier)" if is_front else ""),
            hovertext=[f"<b>{esc(name)}</b>" + (f" · {esc(short)}" if short else "") +
                       f"<br>cost per hire {write(row['cost_per_hire'], 'money', PAGE)}"
                       f"<br>P80 time-to-fill {write(row['time_to_fill_p80'], 'days', PAGE)} days"
                       f"<br>TA team {write(row['team_cost_per_year'], 'money', PAGE)} a year"
                       + goal_text
                       + ("<br>on the Pareto frontier" if is_front else "")
                       + ("<br><b>recommended</b>" if is_rec else "")],
            hoverinfo="text", showlegend=True, cliponaxis=False,
        ))
    if goal_days is not None:
        fig.add_hline(y=goal_days, line={"color": "#c0392b", "dash": "dash", "width": 1.5})
        goal_entry(fig, f"goal: P80 ≤ {goal_days:g} days")
    style(fig, "Cost against speed: the Pareto frontier",
          height=470 + 20 * ((len(usable) + 3) // 2),
          xtitle="Cost per hire (US$, mean; bars: 95% CI)",
          ytitle="P80 time-to-fill (days, all reqs; bars: 95% CI)", legend_at="bottom")
    fig.update_layout(margin={"b": 90 + 20 * ((len(usable) + 3) // 2)},
                      legend={"y": -0.14, "entrywidth": 0.5, "entrywidthmode": "fraction"})
    # honest axes: both start at zero, so distances read as the differences they are
    xs = usable["cost_per_hire"].astype(float)
    ys = usable["time_to_fill_p80"].astype(float).tolist() + (
        [goal_days] if goal_days is not None else [])
    if len(xs):
        fig.update_xaxes(range=[0, _top(usable, "cost_per_hire", [float(xs.max())])])
        fig.update_yaxes(range=[0, _top(usable, "time_to_fill_p80", ys)])
    fig.update_xaxes(tickformat="$,.0f")
    return fig


def _error(row: pd.Series, column: str) -> dict:
    """Plotly error bars from ``<column>_low``/``_high`` when the frame has them."""
    low, high = row.get(f"{column}_low"), row.get(f"{column}_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return {"visible": False}
    value = float(row[column])
    return {"type": "data", "symmetric": False, "array": [max(0.0, float(high) - value)],
            "arrayminus": [max(0.0, value - float(low))], "color": "#6b7280",
            "thickness": 1.2, "width": 3}


def _top(frame: pd.DataFrame, column: str, values: Sequence[float]) -> float:
    highs = frame.get(f"{column}_high")
    top = max([*values, *([] if highs is None else highs.dropna().astype(float).tolist())])
    return top * 1.12 if top > 0 else 1.0


def sweep_line(points: pd.DataFrame, x_key: str, value: str, title: str, unit: str,
               kind: str, recommended: str | None = None) -> go.Figure:
    """A KPI along a one-axis sweep: the axis's values on x, the KPI on y (a line with
    markers; the recommended point starred). Used instead of a one-row heatmap."""
    rows = points.copy()
    try:
        rows = rows.sort_values(x_key, kind="stable")
    except TypeError:
        pass
    ys = [None if pd.isna(v) else float(v) for v in rows[value]]
    scale = 100.0 if kind == "share" else 1.0
    shown = [None if v is None else v * scale for v in ys]
    fig = go.Figure(go.Scatter(
        x=[esc(x) for x in rows[x_key]], y=shown, mode="lines+markers+text",
        line={"color": PALETTE[0], "width": 2},
        marker={"size": [16 if n == recommended else 9 for n in rows["point"]],
                "symbol": ["star" if n == recommended else "circle" for n in rows["point"]],
                "color": PALETTE[0]},
        text=[_kind_fmt(v, kind) for v in ys], textposition="top center",
        hovertext=[f"<b>{esc(n)}</b><br>{esc(title)}: {_kind_fmt(v, kind)}"
                   for n, v in zip(rows["point"], ys, strict=True)],
        hoverinfo="text", showlegend=False, cliponaxis=False,
    ))
    style(fig, esc(title), height=320, xtitle=esc(setting_label(x_key)),
          ytitle=esc(unit if kind != "share" else "%"), legend=False, top=60)
    fig.update_xaxes(type="category")
    finite = [v for v in shown if v is not None]
    fig.update_yaxes(range=[0, (max(finite) * 1.2 if finite and max(finite) > 0 else 1)])
    return fig


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
    ticks = [f"{esc(n)}<br>{v:.0f}%" if pd.notna(v) else esc(n)
             for n, v in zip(rows["point"], p, strict=True)]
    fig = go.Figure(go.Bar(
        x=ticks, y=p,
        marker_color=[colors.get(n, PALETTE[0]) for n in rows["point"]],
        marker_line={"color": ["#111827" if n == recommended else "rgba(0,0,0,0)"
                               for n in rows["point"]], "width": 2.5},
        error_y={"type": "data", "symmetric": False, "array": (high - p).fillna(0).tolist(),
                 "arrayminus": (p - low).fillna(0).tolist(), "color": "#374151",
                 "thickness": 1.3, "width": 5},
        showlegend=False,
        hovertext=[f"<b>{esc(n)}</b><br>meets {esc(goal_text)} in {v:.0f}% of simulated years"
                   f"<br>95% CI {lo:.0f}% to {hi:.0f}%<br>TA team {write(c, 'money', PAGE)} a year"
                   + ("<br><b>recommended</b>" if n == recommended else "")
                   for n, v, lo, hi, c in zip(rows["point"], p, low, high,
                                              rows["team_cost_per_year"], strict=True)],
        hoverinfo="text",
    ))
    fig.add_hline(y=confidence * 100, line={"color": "#c0392b", "dash": "dash", "width": 1.5})
    goal_entry(fig, f"required probability: {confidence * 100:.0f}%")
    style(fig, "Probability of meeting the goal, cheapest team first", legend=True,
           xtitle="Team (sweep point), cheapest first",
           ytitle="Simulated years meeting the goal (%)")
    fig.update_yaxes(range=[0, 112], ticksuffix="%")
    fig.update_layout(uniformtext={"minsize": 10, "mode": "hide"}, bargap=0.35)
    return fig

