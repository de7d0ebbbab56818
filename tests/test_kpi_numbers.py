"""How KPI numbers are written (``hiresim.kpi_numbers``): each kind in each style, signs,
zero never shown as '-0', and the rounding at the boundaries of the shown decimals."""

from __future__ import annotations

import math

import pytest

from hiresim.kpi_catalogue import CATALOGUE, summary_rows
from hiresim.kpi_numbers import (
    AMOUNT,
    BOUND,
    CHART,
    DIFFERENCE,
    EFFECT,
    PAGE,
    PAGE_DIFF,
    SENSITIVITY,
    TABLE,
    Style,
    bracketed,
    shown_zero,
    unit_words,
    write,
)

STYLES = {"TABLE": TABLE, "PAGE": PAGE, "CHART": CHART, "DIFFERENCE": DIFFERENCE,
          "PAGE_DIFF": PAGE_DIFF, "AMOUNT": AMOUNT, "BOUND": BOUND, "EFFECT": EFFECT,
          "SENSITIVITY": SENSITIVITY}
KINDS = ("days", "money", "share", "count", "ratio", "int")

# (style, kind, value, text): one positive and one negative number of every kind.
CASES = [
    (TABLE, "days", 63.64, "63.6"), (TABLE, "money", 16082.4, "16,082"),
    (TABLE, "share", 0.8404, "84.0%"), (TABLE, "count", 1053.75, "1,053.8"),
    (TABLE, "ratio", 4.476, "4.48"), (TABLE, "int", 1082.0, "1,082"),
    (TABLE, "money", -72500.0, "-72,500"), (TABLE, "days", -3.25, "-3.2"),
    (PAGE, "days", 63.64, "64"), (PAGE, "money", 16082.4, "$16,082"),
    (PAGE, "money", -72500.0, "-$72,500"), (PAGE, "share", 0.8404, "84.0%"),
    (PAGE, "ratio", 4.476, "4.48"), (PAGE, "count", 53.75, "53.8"),
    (CHART, "days", 63.64, "64 d"), (CHART, "share", 0.8404, "84%"),
    (CHART, "money", 16082.4, "$16,082"), (CHART, "ratio", 4.476, "4.48"),
    (DIFFERENCE, "days", 1.84, "+1.8"), (DIFFERENCE, "days", -18.46, "-18.5"),
    (DIFFERENCE, "money", -1798.2, "-1,798"), (DIFFERENCE, "money", 2805.0, "+2,805"),
    (DIFFERENCE, "share", -0.0333, "-3.3pt"), (DIFFERENCE, "ratio", 1.974, "+1.97"),
    (DIFFERENCE, "count", 1234.5, "+1234.5"),
    (PAGE_DIFF, "days", -2.6, "−2.6"), (PAGE_DIFF, "money", -388.4, "−$388"),
    (PAGE_DIFF, "money", 2805.0, "+$2,805"), (PAGE_DIFF, "share", 0.0672, "+6.7 pt"),
    (PAGE_DIFF, "ratio", -0.018, "−0.02"),
    (AMOUNT, "days", -11.04, "11.0 days"), (AMOUNT, "money", -388.4, "$388"),
    (AMOUNT, "share", -0.0333, "3.3 points"), (AMOUNT, "count", 2.14, "2.1"),
    (AMOUNT, "ratio", 1.974, "2.0"),
    (BOUND, "days", -18.46, "-18.5"), (BOUND, "money", -1798.2, "-1,798"),
    (BOUND, "share", 0.055, "5.5"), (BOUND, "ratio", 1.974, "2.0"),
    (EFFECT, "days", -6.24, "-6.2"), (EFFECT, "money", 1250.0, "+1,250"),
    (EFFECT, "share", 0.031, "+3.1"), (EFFECT, "count", 2.0, "+2.0"),
    (SENSITIVITY, "days", 4.24, "4.2 days"), (SENSITIVITY, "money", -72500.0, "-$72,500"),
    (SENSITIVITY, "share", 0.031, "3.1 points"), (SENSITIVITY, "ratio", 0.4234, "0.423"),
    (SENSITIVITY, "count", 1234.5, "1.23e+03"),
]


@pytest.mark.parametrize(("style", "kind", "value", "text"), CASES)
def test_each_kind_in_each_style(style: Style, kind: str, value: float, text: str) -> None:
    assert write(value, kind, style) == text


def test_every_catalogue_kind_and_summary_row_kind_has_a_look_where_it_differs():
    """Days, money and shares look different in tables, the report and sentences; every
    kind the catalogue or the summary rows use is written without error in every style."""
    kinds = {k.kind for k in CATALOGUE} | {r.kind for r in summary_rows()}
    assert kinds <= set(KINDS)
    for style in STYLES.values():
        for kind in kinds:
            assert write(12.5, kind, style)
    assert len({write(0.5, "share", s) for s in STYLES.values()}) >= 5


@pytest.mark.parametrize("name", sorted(STYLES))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", [0.0, -0.0, -1e-9, -0.004, -0.0049, -0.00049, -0.4])
def test_zero_is_never_shown_as_minus_zero(name: str, kind: str, value: float) -> None:
    text = write(value, kind, STYLES[name])
    shown = text.lstrip("+-−$").rstrip("%ptdaysoin ")
    if shown.replace("0", "").replace(".", "").replace(",", "") == "":  # shows as zero
        assert not text.startswith(("-", "−", "$-", "$−")), (name, kind, value, text)


def test_signs_of_differences():
    assert write(0.0, "days", DIFFERENCE) == "+0.0"  # the terminal keeps '+0.0'
    assert write(-0.04, "days", DIFFERENCE) == "+0.0"
    assert write(-0.04, "days", PAGE_DIFF) == "0.0"  # the report: zero without a sign
    assert write(0.0, "money", PAGE_DIFF) == "$0"
    assert write(-0.0004, "share", PAGE_DIFF) == "0.0 pt"
    assert write(-0.3, "money", EFFECT) == "+0"
    assert write(-5.0, "days", AMOUNT) == write(5.0, "days", AMOUNT) == "5.0 days"
    assert write(-0.0, "count", SENSITIVITY) == "0"


@pytest.mark.parametrize(("value", "kind", "style", "text"), [
    (0.05, "days", TABLE, "0.1"),     # 0.05 is stored a little above 0.05
    (0.25, "days", TABLE, "0.2"),     # exactly halfway: to even
    (0.35, "days", TABLE, "0.3"),     # stored a little below 0.35
    (2.5, "money", TABLE, "2"),       # halfway: to even
    (3.5, "money", TABLE, "4"),
    (-0.05, "days", DIFFERENCE, "-0.1"),
    (-0.049999, "days", DIFFERENCE, "+0.0"),
    (0.0005, "share", TABLE, "0.1%"),  # 0.05 percent, stored a little above
    (0.00049, "share", DIFFERENCE, "+0.0pt"),
    (0.005, "ratio", PAGE_DIFF, "+0.01"),  # stored a little above 0.005
    (0.00499, "ratio", PAGE_DIFF, "0.00"),
    (999.5, "money", PAGE, "$1,000"),
    (999.49, "money", PAGE, "$999"),
    (0.9995, "ratio", SENSITIVITY, "1"),
    (0.99949, "ratio", SENSITIVITY, "0.999"),
])
def test_rounding_at_the_boundaries(value: float, kind: str, style: Style, text: str) -> None:
    assert write(value, kind, style) == text


@pytest.mark.parametrize("value", [0.0, -0.04, 0.05, -0.05, 0.004, 0.005, -0.005, 0.0049])
@pytest.mark.parametrize("kind", KINDS)
def test_shown_zero_agrees_with_the_written_text(value: float, kind: str) -> None:
    text = write(value, kind, PAGE_DIFF)
    assert shown_zero(value, kind) == (text.lstrip("+−$").rstrip(" pt") in ("0", "0.0", "0.00"))


def test_digits_override_days_counts_and_ratios_only_in_tables_and_the_page():
    assert write(27.04, "days", TABLE, digits=1) == "27.0"
    assert write(27.04, "days", PAGE, digits=1) == "27.0"  # not the page's whole days
    assert write(1234.5678, "ratio", TABLE, digits=1) == "1,234.6"
    assert write(0.5, "share", TABLE, digits=0) == "50.0%"  # not for shares
    assert write(27.04, "days", DIFFERENCE, digits=0) == "+27.0"  # not for differences


def test_missing_and_not_finite_numbers():
    for style in (TABLE, PAGE, DIFFERENCE, PAGE_DIFF, AMOUNT, BOUND, EFFECT):
        assert write(None, "days", style) == "-"
    assert write(None, "days", SENSITIVITY) == "n/a"
    assert write(math.nan, "days", SENSITIVITY) == "n/a"
    assert write(math.inf, "money", SENSITIVITY) == "n/a"
    assert write(math.nan, "share", TABLE) == "nan%"  # as Python writes it
    assert write(-math.inf, "days", DIFFERENCE) == "-inf"


def test_bracketed_interval_and_unit_words():
    assert bracketed(55.71, 74.0, "days") == "[55.7, 74.0]"
    assert bracketed(-0.122, 0.055, "share", DIFFERENCE) == "[-12.2pt, +5.5pt]"
    assert bracketed(None, None, "money") == "[-, -]"
    assert (unit_words("days"), unit_words("share"), unit_words("money")) == (
        " days", " points", "")
