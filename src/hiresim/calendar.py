"""The plan's calendar: dates and months on the model's clock of calendar days.

The simulation counts **calendar days** from day 0 (``simulation.start_date`` when given):
every day of the week is a day, and a person's weekly hours are spread evenly over all
seven (docs/model.md, 2.2), so weekends and holidays are not modelled day by day. This
module turns what planners write into those day numbers and back:

- a day number (``30``, ``45.5``) stays a day number;
- an ISO date (``2027-03-15``) is the day ``date - start_date``;
- a month (``2027-03``) is its first day when something starts in it (``from``, a target
  start month) and its last day when a window ends in it (``to``).

Months for results: with a start date they are calendar months (the first one may be
partial, from the start date to the end of its month); without one they are blocks of
``365.25 / 12`` days labelled ``month 1``, ``month 2``, ... Only the standard library is
used here, so that the scenario, the model and the CLI can all import it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hiresim.scenario_messages import FieldProblem

DAYS_PER_MONTH = 365.25 / 12  # a month without a start date

_MONTH = re.compile(r"(\d{4})-(\d{1,2})\Z")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\Z")


class CalendarError(ValueError):
    """A date or month that cannot be read or placed on the model's clock."""


def parse_start_date(text: object) -> dt.date:
    """``simulation.start_date``: an ISO date (``2027-01-01``)."""
    if isinstance(text, dt.date):
        return text
    if not isinstance(text, str) or not _DATE.match(text.strip()):
        raise CalendarError(f"start_date must be an ISO date such as 2027-01-01, not {text!r}")
    try:
        return dt.date.fromisoformat(_iso(text.strip()))
    except ValueError as err:
        raise CalendarError(f"start_date {text!r} is not a real date ({err})") from None


def _iso(text: str) -> str:
    parts = text.split("-")
    return "-".join([parts[0], *(p.zfill(2) for p in parts[1:])])


def is_calendar_text(value: object) -> bool:
    """Is ``value`` written as a date or a month (rather than a day number)?"""
    return isinstance(value, dt.date) or (
        isinstance(value, str) and bool(_MONTH.match(value.strip()) or _DATE.match(value.strip())))


def to_date(value: object, end_of_month: bool = False) -> dt.date:
    """A date or month as a date (a month: its first day, or its last with ``end_of_month``)."""
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    month = _MONTH.match(text)
    try:
        if month:
            first = dt.date(int(month.group(1)), int(month.group(2)), 1)
            return last_of_month(first) if end_of_month else first
        if _DATE.match(text):
            return dt.date.fromisoformat(_iso(text))
    except ValueError as err:
        raise CalendarError(f"{text!r} is not a real date or month ({err})") from None
    raise CalendarError(f"{text!r} is not a date (2027-03-15), a month (2027-03) or a "
                        "day number")


def last_of_month(day: dt.date) -> dt.date:
    return next_month(day) - dt.timedelta(days=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def to_day(value: object, start: dt.date | None, end_of_month: bool = False,
           what: str = "a date") -> float:
    """A day number, date or month as days since the start (day 0 = ``start``).

    Dates need a start date; a date before it is an error (the model has no days < 0).
    """
    if isinstance(value, bool):
        raise CalendarError(f"{what}: {value!r} is not a date or a day number")
    if isinstance(value, int | float):
        if value < 0:
            raise CalendarError(f"{what}: day {value:g} is before day 0")
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value.strip()):
        return to_day(float(value), start, end_of_month, what)
    date = to_date(value, end_of_month)
    if start is None:
        raise CalendarError(f"{what} {value} needs simulation.start_date (or use day numbers)")
    days = (date - start).days
    if days < 0:
        raise CalendarError(f"{what} {value} is before the start date {start.isoformat()}")
    return float(days)


@dataclass(frozen=True)
class Month:
    """One month of the results: ``[first_day, end_day)`` in days since the start."""

    index: int  # 0, 1, ... in order
    label: str  # "2027-03" with a start date, else "month 4"
    first_day: float
    end_day: float  # the next month's first day, or the horizon for the last one


def months(horizon_days: float, start: dt.date | None = None) -> list[Month]:
    """The months that cover ``[0, horizon_days)``: calendar months from ``start``, or
    blocks of ``DAYS_PER_MONTH`` days without one. The last month ends at the horizon."""
    out: list[Month] = []
    first = 0.0
    day = start
    while first < horizon_days:
        if day is None:
            end = min(horizon_days, (len(out) + 1) * DAYS_PER_MONTH)
            label = f"month {len(out) + 1}"
        else:
            following = next_month(day)
            end = min(horizon_days, first + (following - day).days)
            label = f"{day.year:04d}-{day.month:02d}"
            day = following
        out.append(Month(len(out), label, first, end))
        first = end
    return out


def month_of_day(day: float, table: list[Month]) -> int | None:
    """Index of the month holding ``day``; None at or after the horizon."""
    for month in table:
        if month.first_day <= day < month.end_day:
            return month.index
    return None


def label_of(value: object, start: dt.date | None) -> str:
    """The month label of a date or month as written (``2027-03``), or of a day number."""
    if is_calendar_text(value):
        date = to_date(value)
        return f"{date.year:04d}-{date.month:02d}"
    return str(value)


def resolve_opening_dates(data: Any) -> Any:
    """Raw scenario data with ``first_day``/``last_day`` filled in from each profile's
    ``openings.from``/``to`` (dates or months, counted from ``simulation.start_date``).

    A window given both ways must agree (a resolved scenario carries both)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("profiles"), list):
        return data
    sim = data.get("simulation")
    start_text = sim.get("start_date") if isinstance(sim, Mapping) else None
    try:
        start = None if start_text is None else parse_start_date(start_text)
    except CalendarError:
        return data  # reported at simulation.start_date
    profiles = []
    for i, profile in enumerate(data["profiles"]):
        openings = profile.get("openings") if isinstance(profile, Mapping) else None
        if not isinstance(openings, Mapping) or not ({"from", "to"} & set(openings)):
            profiles.append(profile)
            continue
        openings = dict(openings)
        for key, day_key, end in (("from", "first_day", False), ("to", "last_day", True)):
            if openings.get(key) is None:
                continue
            where = ("profiles", i, "openings", key)
            value = openings[key]
            if not is_calendar_text(value):
                raise FieldProblem(where, f"{key} must be a date (2027-03-15) or a month "
                                          f"(2027-03), not {value!r}; use {day_key} for days")
            try:
                day = to_day(value, start, end_of_month=end, what=key)
            except CalendarError as err:
                raise FieldProblem(where, str(err)) from None
            given = openings.get(day_key)
            if given is not None and given != day:
                raise FieldProblem(where, f"give either {key} or {day_key}, not both")
            openings[day_key] = day
        if openings.get("to") is None and openings.get("from") is not None:
            openings.setdefault("last_day", openings["first_day"])
        profiles.append({**profile, "openings": openings})
    return {**data, "profiles": profiles}
