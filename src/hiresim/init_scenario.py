"""``hiresim init``: a first scenario file from the few things a TA leader knows.

The answers (:class:`Answers`: the roles to hire and how many, when their reqs open, the
team today and its salaries) fill a scenario; every other setting takes the model's
default and is written out in the file too, each marked ``# default`` with the source of
its value (from the shipped JSON Schema, ``hiresim.schema``, which carries the sources of
the documentation's parameter tables). The file validates as written, so a newcomer can
run it at once and then edit what they know better.

Dates: the plan starts on ``simulation.start_date`` (day 0; by default the first day of
next month) and each role's reqs open between two months (``openings.from``/``to``: ``from``
opens on its month's first day, ``to`` ends on its month's last; docs/model.md, 3.5). Day
numbers from day 0 (``first_day``/``last_day``) are still accepted instead of months.

A file that exists is never overwritten, unless ``force`` is given *and* the file was
written by ``hiresim init`` (its first line is :data:`MARKER`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hiresim.calendar import (
    CalendarError,
    is_calendar_text,
    next_month,
    parse_start_date,
    to_date,
)
from hiresim.scenario import Scenario, scenario_from_dict, scenario_to_dict
from hiresim.scenario_messages import annotation_members, is_model
from hiresim.scenario_problems import ScenarioError
from hiresim.schema import SCHEMA_FILE, shipped_schema

MARKER = "# Scenario written by 'hiresim init'; edit freely (see docs/model.md for each value)."


class InitError(ValueError):
    """The answers cannot make a scenario, or the target file must not be written."""


OPENING_MONTHS = 6  # by default reqs open over the first six months of the plan
DEFAULT_DAYS = (0.0, 180.0)  # first_day, last_day when only one of them is given


def default_start_date(today: dt.date | None = None) -> str:
    """The first day of the month after ``today``'s, as an ISO date."""
    return next_month(today or dt.date.today()).isoformat()


def month_label(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_later(month: str, count: int) -> str:
    """The month ``count`` months after ``month`` (``2027-01``, 5 -> ``2027-06``)."""
    first = to_date(month)
    index = first.year * 12 + first.month - 1 + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def default_from(start_date: str) -> str:
    """The month of the start date (reqs open from the plan's first month)."""
    try:
        return month_label(parse_start_date(start_date))
    except CalendarError as err:
        raise InitError(str(err)) from None


def default_to(from_month: str) -> str:
    """The month ``OPENING_MONTHS`` months into the window that starts in ``from_month``."""
    try:
        return months_later(from_month, OPENING_MONTHS - 1)
    except CalendarError as err:
        raise InitError(f"from: {err}") from None


@dataclass
class Answers:
    """What ``hiresim init`` asks. Counts are people or reqs; ``start_date`` is the ISO date
    of day 0; reqs open from the first day of month ``from_month`` to the last day of
    ``to_month`` (``2027-01``; a date also works), or, when ``first_day`` or ``last_day`` is
    given, between those days from day 0; salaries are base salaries per year in the
    scenario's currency."""

    name: str = "my-team"
    roles: dict[str, int] = field(default_factory=lambda: {"backend": 10})
    start_date: str = field(default_factory=default_start_date)
    from_month: str | None = None  # None: the start date's month
    to_month: str | None = None  # None: OPENING_MONTHS months into the window
    first_day: float | None = None
    last_day: float | None = None
    structure: str = "split"
    recruiters: int = 2
    sourcers: int = 1
    recruiter_salary: float = 120_000.0
    sourcer_salary: float = 95_000.0


# The keys each answer fills (paths in the scenario data); anything else is a default.
ASKED = (
    ("name",), ("simulation", "start_date"), ("team", "structure"), ("team", "recruiters", "count"),
    ("team", "recruiters", "annual_salary"), ("team", "sourcers", "count"),
    ("team", "sourcers", "annual_salary"), ("profiles", "*", "name"),
    ("profiles", "*", "openings", "count"), ("profiles", "*", "openings", "first_day"),
    ("profiles", "*", "openings", "last_day"), ("profiles", "*", "openings", "from"),
    ("profiles", "*", "openings", "to"),
)


def parse_roles(text: str) -> dict[str, int]:
    """``backend=10, frontend=5`` -> {"backend": 10, "frontend": 5} (InitError if not)."""
    roles: dict[str, int] = {}
    for part in re.split(r"[,\s]+", text.strip()):
        if not part:
            continue
        name, sep, count = part.partition("=")
        if not sep or not name or not count.strip().isdigit() or int(count) < 1:
            raise InitError(f"roles: write NAME=COUNT with a count of at least 1, e.g. "
                            f"backend=10 (got {part!r})")
        if name in roles:
            raise InitError(f"roles: {name!r} is given twice")
        roles[name] = int(count)
    if not roles:
        raise InitError("roles: give at least one, e.g. backend=10")
    return roles


def opening_window(answers: Answers) -> dict[str, Any]:
    """The ``openings`` keys of the answers' window: ``from``/``to`` months, or
    ``first_day``/``last_day`` when days are given (InitError when both are)."""
    if answers.first_day is not None or answers.last_day is not None:
        if answers.from_month is not None or answers.to_month is not None:
            raise InitError("give the months reqs open (--from/--to) or days "
                            "(--first-day/--last-day), not both")
        first = DEFAULT_DAYS[0] if answers.first_day is None else answers.first_day
        last = DEFAULT_DAYS[1] if answers.last_day is None else answers.last_day
        return {"first_day": first, "last_day": last}
    start = default_from(answers.start_date)
    first_month = answers.from_month or start
    last_month = answers.to_month or default_to(first_month)
    for key, value in (("from", first_month), ("to", last_month)):
        if not is_calendar_text(value):
            raise InitError(f"{key}: write a month such as 2027-01 (got {value!r})")
    try:
        if to_date(last_month, end_of_month=True) < to_date(first_month):
            raise InitError(f"to ({last_month}) is before from ({first_month})")
    except CalendarError as err:
        raise InitError(str(err)) from None
    return {"from": str(first_month), "to": str(last_month)}


def scenario_data(answers: Answers) -> dict:
    """The scenario the answers describe, every default filled in (validated). A window
    given in months is written as ``from``/``to`` only (the days they make are left out,
    so that editing a month cannot contradict them)."""
    window = opening_window(answers)
    team: dict[str, Any] = {
        "structure": answers.structure,
        "recruiters": {"count": answers.recruiters, "annual_salary": answers.recruiter_salary},
    }
    if answers.structure == "split":
        team["sourcers"] = {"count": answers.sourcers, "annual_salary": answers.sourcer_salary}
    data = {
        "name": answers.name,
        "simulation": {"start_date": answers.start_date},
        "team": team,
        "profiles": [{"name": role, "openings": {"count": count, **window}}
                     for role, count in answers.roles.items()],
    }
    try:
        resolved = scenario_to_dict(scenario_from_dict(data, "hiresim init"))
    except ScenarioError as err:
        raise InitError(" ".join(str(err).split(": error: ", 1)[-1].split())) from None
    if "from" in window:
        for profile in resolved["profiles"]:
            for key in ("first_day", "last_day"):
                profile["openings"].pop(key, None)
    return resolved


def _sources() -> dict[tuple[str, str], str]:
    """(model class name, field) -> where the default comes from, from the shipped schema."""
    out = {}
    for cls, definition in shipped_schema()["$defs"].items():
        for name, prop in definition.get("properties", {}).items():
            if "x-source" in prop:
                out[(cls, name)] = prop["x-source"]
    return out


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip()
    return text.removesuffix("...").strip()


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _is_asked(path: tuple) -> bool:
    plain = tuple("*" if isinstance(p, int) else p for p in path)
    return plain in ASKED


def _nested(model: Any, key: str) -> Any:
    if model is None or key not in model.model_fields:
        return None
    for member in annotation_members(model.model_fields[key].annotation):
        if is_model(member):
            return member
        args = getattr(member, "__args__", ())
        if args and is_model(args[0]):  # list[Model]
            return args[0]
    return None


def _default_note(model: Any, key: str, path: tuple,
                  sources: dict[tuple[str, str], str]) -> str:
    if _is_asked(path):
        return ""
    source = sources.get((getattr(model, "__name__", ""), key))
    return f"  # default; source: {source}" if source else "  # default (docs/model.md, 6)"


def _lines(data: dict, model: Any, path: tuple, indent: str,
           sources: dict[tuple[str, str], str]) -> list[str]:
    out = []
    for key, value in data.items():
        here = (*path, key)
        sub = _nested(model, key)
        if isinstance(value, dict) and sub is not None and "dist" not in value:
            out.append(f"{indent}{key}:")
            out += _lines(value, sub, here, indent + "  ", sources)
        elif (isinstance(value, list) and value and isinstance(value[0], dict)
              and key == "profiles"):
            out.append(f"{indent}{key}:")
            for i, item in enumerate(value):
                body = _lines(item, sub, (*here, i), indent + "    ", sources)
                out += [f"{indent}  - " + body[0].lstrip(), *body[1:]]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out.append(f"{indent}{key}:{_default_note(model, key, here, sources)}")
            out += [f"{indent}  - {_flow(item)}" for item in value]
        else:
            out.append(f"{indent}{key}: {_flow(value)}{_default_note(model, key, here, sources)}")
    return out


def scenario_text(answers: Answers) -> str:
    """The commented YAML of the answers' scenario (see the module docstring)."""
    data = scenario_data(answers)
    schema = resources.files("hiresim").joinpath(SCHEMA_FILE)
    head = [
        MARKER,
        f"# yaml-language-server: $schema={schema}",
        "# Values you gave have no comment; '# default' marks a value you were not asked",
        "# about, with its source (docs/model.md, section 6). Day 0 is simulation.start_date;",
        "# openings.from/to are months (or dates), first_day/last_day days from day 0 (3.5).",
        "# Run it: hiresim run THIS_FILE    Check it: hiresim validate THIS_FILE",
    ]
    body = _lines(data, Scenario, (), "", _sources())
    return "\n".join(head + body) + "\n"


def write_scenario(path: str | Path, answers: Answers, force: bool = False) -> Path:
    """Write the answers' scenario to ``path`` (InitError if it exists and may not be
    replaced: see the module docstring)."""
    target = Path(path)
    if target.exists():
        if not force:
            raise InitError(f"{target}: exists; choose another file name (or --force to "
                            "replace a file that hiresim init wrote)")
        try:
            first = target.read_text(encoding="utf-8").split("\n", 1)[0]
        except (OSError, UnicodeDecodeError):
            first = ""
        if not target.is_file() or first != MARKER:
            raise InitError(f"{target}: exists and was not written by hiresim init; "
                            "--force only replaces files hiresim init wrote")
    text = scenario_text(answers)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as err:
        raise InitError(f"{target}: cannot write: {err.strerror}") from None
    return target
