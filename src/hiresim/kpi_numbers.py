"""How KPI numbers are written: one formatter for the terminal, JSON sentences and the report.

Every number a user reads is written by :func:`write` from its KPI *kind*
(``hiresim.kpi_catalogue``: ``days``, ``money``, ``share``, ``count``, ``ratio``; summary
rows add ``int``, a count of things such as censored reqs) in one *style*, the place it
is shown. A style says, per kind, the decimals, the scale (shares are fractions in [0, 1]
shown x 100, as a percentage or in percentage points), thousands separators, the unit
around the number, and how the sign is written:

=================  ==========  ======================================================
style              sign        written as (days, money, share, count, ratio, int)
=================  ==========  ======================================================
``TABLE``          as is       63.6, 16,082, 84.0%, 53.8, 4.48, 82 (terminal tables)
``PAGE``           as is       64, $16,082, 84.0%, 53.8, 4.48, 82 (the HTML report)
``CHART``          as is       64 d, $16,082, 84%, 4.48 (chart labels; counts as ratios)
``DIFFERENCE``     + or -      +1.8, +192, -3.3pt, -2.1, +1.97 (terminal paired tables)
``PAGE_DIFF``      + or −      +1.8, −$192, −3.3 pt, −2.1, +1.97 (the HTML report)
``AMOUNT``         magnitude   1.8 days, $192, 3.3 points, 2.1 (sentences: 'costs $192 more')
``BOUND``          as is       -18.5, -1,798, -12.2, 2.1 (an interval's ends in a sentence)
``EFFECT``         + or -      +1.8, +192, -3.3, +2.1 (effects of one more person)
``SENSITIVITY``    as is       4.2 days, $1,250, 3.1 points, 0.42 (tornado: 3 significant
                               digits for counts and ratios; 'n/a' when not finite)
=================  ==========  ======================================================

The styles differ on purpose where their places do: tables show one decimal of days and
the report whole days; paired tables in the terminal glue 'pt' to a share difference and
keep '+0.0' for zero, the report writes ' pt', a true minus sign (−) and zero without a
sign; sentences carry their unit in words. The sign always comes before a prefix
('-$72,500', '−$192'); counts in ``DIFFERENCE`` have no thousands separators.

A number that rounds to zero at the shown decimals is written as zero, never '-0.0'.
Missing numbers (None) are written '-' ('n/a' in ``SENSITIVITY``, which also writes
infinities and nan so). This module imports nothing but the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Sign = Literal["as is", "plus", "magnitude"]
MINUS = "−"  # U+2212, the report's minus sign
DIGITS_KINDS = ("days", "count", "ratio")  # kinds whose decimals a KPI's ``digits`` set


@dataclass(frozen=True)
class Look:
    """How one kind of number is written in one style: ``decimals`` after multiplying by
    ``scale``, with thousands separators when ``grouped``, between ``prefix`` and
    ``suffix`` (the unit); ``significant`` digits instead of decimals when set."""

    decimals: int = 1
    scale: float = 1.0
    grouped: bool = False
    prefix: str = ""
    suffix: str = ""
    significant: int | None = None


@dataclass(frozen=True)
class Style:
    """A place numbers are shown: a ``Look`` per kind (``default`` for other kinds) and
    how the sign is written. ``sign``: 'as is' (a minus when negative), 'plus' (always a
    sign) or 'magnitude' (no sign: the sentence says 'more' or 'less'). ``bare_zero``:
    zero without a '+';
    ``digits``: a KPI's ``digits`` override the decimals of days, counts and ratios."""

    looks: Mapping[str, Look]
    default: Look = field(default_factory=Look)
    sign: Sign = "as is"
    minus: str = "-"
    bare_zero: bool = False
    digits: bool = False
    missing: str = "-"
    finite_only: bool = False

    def look(self, kind: str, digits: int | None = None) -> Look:
        """The look of ``kind``, with the catalogue's ``digits`` where they apply."""
        if digits is not None and self.digits and kind in DIGITS_KINDS:
            return Look(digits, grouped=True)
        return self.looks.get(kind, self.default)


_PERCENT = Look(1, 100.0, suffix="%")
_WHOLE = Look(0, grouped=True)
_DOLLARS = Look(0, grouped=True, prefix="$")

TABLE = Style({"share": _PERCENT, "int": _WHOLE, "money": _WHOLE,
               "count": Look(1, grouped=True), "ratio": Look(2), "days": Look(1)},
              digits=True)
PAGE = Style({**TABLE.looks, "money": _DOLLARS, "days": Look(0)}, digits=True)
CHART = Style({"money": _DOLLARS, "share": Look(0, 100.0, suffix="%"),
               "days": Look(0, suffix=" d")}, default=Look(2))
DIFFERENCE = Style({"money": _WHOLE, "ratio": Look(2), "share": Look(1, 100.0, suffix="pt")},
                   sign="plus")
PAGE_DIFF = Style({"money": _DOLLARS, "ratio": Look(2), "share": Look(1, 100.0, suffix=" pt")},
                  sign="plus", minus=MINUS, bare_zero=True)
AMOUNT = Style({"money": _DOLLARS, "share": Look(1, 100.0, suffix=" points"),
                "days": Look(1, suffix=" days")}, sign="magnitude")
BOUND = Style({"money": _WHOLE, "share": Look(1, 100.0)})
EFFECT = Style(BOUND.looks, sign="plus")
SENSITIVITY = Style({**AMOUNT.looks}, default=Look(significant=3), missing="n/a",
                    finite_only=True)


def write(value: float | None, kind: str, style: Style = TABLE,
          digits: int | None = None) -> str:
    """``value`` of a KPI of ``kind`` as ``style`` writes it (module docstring)."""
    if value is None or (style.finite_only and not math.isfinite(value)):
        return style.missing
    look = style.look(kind, digits)
    shown = value * look.scale
    if style.sign == "magnitude":
        shown = abs(shown)
    if look.significant is not None:
        body = f"{abs(shown):.{look.significant}g}"
    else:
        if round(shown, look.decimals) == 0:  # never '-0.0'
            shown = 0.0
        body = f"{abs(shown):{',' if look.grouped else ''}.{look.decimals}f}"
    if shown < 0:
        sign = style.minus
    elif style.sign == "plus" and not (style.bare_zero and shown == 0):
        sign = "+"
    else:
        sign = ""
    return f"{sign}{look.prefix}{body}{look.suffix}"


def shown_zero(value: float, kind: str, style: Style = PAGE_DIFF) -> bool:
    """True when ``style`` writes ``value`` as zero (the report does not bold it then)."""
    look = style.look(kind)
    return round(value * look.scale, look.decimals) == 0


def unit_words(kind: str) -> str:
    """The unit a sentence puts after a difference: ' days', ' points', or nothing."""
    return {"days": " days", "share": " points"}.get(kind, "")


def bracketed(low: float | None, high: float | None, kind: str, style: Style = TABLE) -> str:
    """An interval's ends as tables write them after the mean: '[55.7, 74.0]'."""
    return f"[{write(low, kind, style)}, {write(high, kind, style)}]"
