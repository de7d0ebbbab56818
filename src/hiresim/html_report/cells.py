"""Numbers and names as the page shows them: KPI numbers in ``hiresim.kpi_numbers``'
``PAGE`` style (money in US$, whole days, shares in %), signed differences in its
``PAGE_DIFF`` style, goal probabilities and scenario names with their colour swatch. All
user text goes through :func:`.shell.h`.
"""

from __future__ import annotations

from typing import Any

from hiresim.kpi_numbers import PAGE, PAGE_DIFF, write
from hiresim.kpi_numbers import shown_zero as shown_zero  # re-exported for the pages

from . import analysis as an
from .data import RunData
from .shell import h


def fmt(value: Any, kind: str, digits: int | None = None) -> str:
    """A number in a page format (kind: money, days, share, count, ratio, int; the
    catalogue's ``digits`` override the decimals); '-' if missing."""
    return write(an.number(value), kind, PAGE, digits)


def _swatch(color: str) -> str:
    return f'<span class="swatch" style="background:{color}"></span>'


def name_html(name: str, colors: dict[str, str] | None = None) -> str:
    """A scenario name, escaped, after its colour swatch when it has a colour."""
    sw = _swatch(colors[name]) if colors and name in colors else ""
    return f'{sw}<span class="name">{h(name)}</span>'


def prob_cell(p: dict | None) -> str:
    """A goal probability in % with its 95% interval, or '-' when unknown."""
    if p is None or p.get("probability") is None:
        return "-"
    return (f"{100 * p['probability']:.0f}% <span class=\"small\">[{100 * p['ci_low']:.0f}%, "
            f"{100 * p['ci_high']:.0f}%]</span>")


def days_text(value: Any) -> str:
    """Whole days, or '> horizon' when the quantile was not reached."""
    v = an.number(value)
    return "> horizon" if v is None else f"{write(v, 'days', PAGE)} days"


def horizon_words(run: RunData) -> str:
    """'within the year', or 'within the N-day horizon' for other plan lengths."""
    horizon = run.horizon
    return "within the year" if abs(horizon - 365) < 1e-9 else \
        f"within the {horizon:g}-day horizon"


def signed(value: float, kind: str) -> str:
    """A difference with its sign (money in whole US$, shares in percentage points,
    ratios to 0.01, else 0.1; zero without a sign, a true minus sign)."""
    return write(value, kind, PAGE_DIFF)
