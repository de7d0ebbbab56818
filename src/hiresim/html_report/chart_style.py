"""The report's chart look and the conventions every figure builder follows.

Figure builders take pandas frames and return ``go.Figure``; they live in
:mod:`.charts_time` (time-to-fill, staff time, backlog), :mod:`.charts_cost_funnel`
(cost, paired differences, funnel) and :mod:`.charts_sweep` (sweep grids and Pareto).
Conventions shared by every builder:

- ``colors`` maps a scenario (or sweep point) name to its colour, so a scenario keeps its
  colour across all charts (:func:`scenario_colors`).
- Names in the frames are raw user text. Plotly renders titles, legend entries, tick
  labels and hover text as a small subset of HTML, so every user string is escaped with
  :func:`esc` before it goes into a figure; plotly shows the entities as plain text.
  User text is never put inside a hover *template* (where ``%{...}`` would be read as a
  placeholder); it travels as trace names, data or ``hovertext``.
- Every chart has a title, axis titles with units and hover text (:func:`style`).
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Sequence

import plotly.graph_objects as go

# Colour-blind-safe: the Okabe-Ito colours (without yellow, too pale on white), then
# three of Paul Tol's muted scheme; neighbours differ in lightness as well as hue.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#332288",  # indigo (Tol)
    "#882255",  # wine (Tol)
    "#117733",  # green (Tol)
    "#555555",  # grey
)
FONT = ("-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
        "sans-serif")
GRID = "#e5e7eb"
MUTED = "#6b7280"

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


def rgba(color: str, alpha: float) -> str:
    """A '#rrggbb' colour with the given opacity (0 to 1) as a CSS rgba() string."""
    c = color.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def style(fig: go.Figure, title: str, height: int = 420, xtitle: str | None = None,
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
        margin={"l": 70, "r": 56, "t": top, "b": 60},  # right: room for the toolbar
        showlegend=legend,
        legend={**where, "font": {"size": 12}},
        # the toolbar stands on the right edge, top to bottom, clear of the title and the
        # legend above the plot
        modebar={"orientation": "v", "bgcolor": "rgba(255,255,255,0.8)"},
    )
    if xtitle is not None:
        fig.update_xaxes(title_text=xtitle)
    if ytitle is not None:
        fig.update_yaxes(title_text=ytitle)
    return fig


def goal_entry(fig: go.Figure, text: str, **kwargs: object) -> None:
    """A legend entry for a goal line drawn with add_hline/add_vline."""
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=text,
                             line={"color": "#c0392b", "dash": "dash", "width": 1.5},
                             hoverinfo="skip", **kwargs))


def fmt_days(value: float | None) -> str:
    """Whole days for hover text, or '> horizon' when not reached (None or infinite)."""
    return "> horizon" if value is None or not math.isfinite(value) else f"{value:.0f} days"

