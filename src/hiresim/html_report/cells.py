"""Numbers and names as the page shows them: the CLI's number formats (money in US$,
whole days, shares in %), signed differences, goal probabilities and scenario names
with their colour swatch. All user text goes through :func:`.shell.h`.
"""

from __future__ import annotations

from typing import Any

from hiresim.summary_table import TEXT_FORMATS, format_number

from . import analysis as an
from .data import RunData
from .shell import h

# The CLI's number formats (summary_table), with money in dollars and whole days.
PAGE_FORMATS: dict[str, str] = {
    **TEXT_FORMATS,
    "money": "${:,.0f}",
    "days": "{:.0f}",
}


def fmt(value: Any, kind: str, digits: int | None = None) -> str:
    """A number in a page format (kind: money, days, share, count, ratio, int; the
    catalogue's ``digits`` override the decimals); '-' if missing."""
    return format_number(an.number(value), kind, PAGE_FORMATS, digits)


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
    return "> horizon" if v is None else f"{v:.0f} days"


def horizon_words(run: RunData) -> str:
    """'within the year', or 'within the N-day horizon' for other plan lengths."""
    horizon = run.horizon
    return "within the year" if abs(horizon - 365) < 1e-9 else \
        f"within the {horizon:g}-day horizon"


def signed(value: float, kind: str) -> str:
    """A difference with its sign (money in whole US$, pct in percentage points, else 0.1)."""
    digits = 0 if kind == "money" else 2 if kind == "ratio" else 1
    if shown_zero(value, kind):
        value = 0.0
    if kind == "money":
        return "$0" if value == 0 else f"{'−' if value < 0 else '+'}${abs(value):,.0f}"
    if kind == "share":
        return f"{value * 100:+.1f} pt".replace("-", "−").replace("+0.0", "0.0")
    return f"{value:+.{digits}f}".replace("-", "−").replace(f"+{0:.{digits}f}",
                                                            f"{0:.{digits}f}")


def shown_zero(value: float, kind: str) -> bool:
    """True when ``signed`` shows ``value`` as zero (it must then not be bolded)."""
    digits = 0 if kind == "money" else 2 if kind == "ratio" else 1
    scale = 100 if kind == "share" else 1
    return round(value * scale, digits) == 0
