"""A hiring plan from a CSV file: the headcount plan a TA leader keeps in a spreadsheet.

``plan: plan.csv`` in a scenario (relative to the file that says it) or ``--plan FILE``
on the command line replaces the profiles' ``openings`` with the plan's rows::

    profile,count,start,priority
    backend,4,2027-02,1
    backend,3,2027-05,2
    frontend,2,2027-03-15,

Columns (a header row names them; order free, other columns ignored):

- ``profile`` (or ``role``): a profile name of the scenario;
- ``count``: hires wanted (a whole number, 0 or more; 0 rows are skipped);
- ``start`` (or ``target``, ``start_month``, ``start_date``): the target start, a month
  (``2027-05``: a hire made in May is on time; the reqs' lead time counts back from
  1 May) or a date; a day number also works;
- ``open`` (optional): when the row's reqs open (a date, month or day number); without
  it they open ``DEFAULT_LEAD_DAYS`` days before the target start, and never before day 0;
- ``priority`` (optional, a whole number): carried to the results; the model does not
  rank reqs by it (reqs are taken in the order they open).

Each row becomes ``count`` reqs (one position each unless the profile's openings say
``positions_per_req``) opening on the row's open day. Profiles the plan does not name are
left out of the scenario. Problems are one line each, naming the file, its line and
column: ``plan.csv:3:2: error: count: -1 is not a whole number of hires >= 0``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiresim.calendar import CalendarError, parse_start_date, to_day
from hiresim.scenario_problems import Problem, ScenarioError

if TYPE_CHECKING:
    from hiresim.scenario import Scenario

DEFAULT_LEAD_DAYS = 60.0  # reqs open this long before a row's target start (assumption)
PLAN_KEY = "plan"

_COLUMNS = {  # column -> the names it may have in the header
    "profile": ("profile", "role"),
    "count": ("count", "hires", "headcount"),
    "start": ("start", "target", "start_month", "start_date", "target_start"),
    "open": ("open", "open_date", "open_month"),
    "priority": ("priority",),
}
_REQUIRED = ("profile", "count", "start")


class PlanError(ScenarioError):
    """Problems in a hiring plan file, one line each (file, line, column)."""


def plan_path(data: Mapping[str, Any], scenario_file: str) -> Path | None:
    """The plan file a scenario's data names, relative to ``scenario_file``'s folder."""
    name = data.get(PLAN_KEY)
    if not isinstance(name, str) or not name.strip():
        return None
    path = Path(name)
    return path if path.is_absolute() else Path(scenario_file).parent / path


def apply_plan(data: dict, scenario_file: str) -> dict:
    """Scenario data with its profiles' openings taken from its ``plan`` file, if any.

    Data whose openings already hold plan rows (a resolved scenario) is returned as is.
    """
    path = plan_path(data, scenario_file)
    profiles = data.get("profiles")
    if path is None or not isinstance(profiles, list):
        return data
    if any(isinstance(p, Mapping) and isinstance(p.get("openings"), Mapping)
           and p["openings"].get("plan") for p in profiles):
        return data
    sim = data.get("simulation")
    sim = sim if isinstance(sim, Mapping) else {}
    try:
        start = None if sim.get("start_date") is None else parse_start_date(sim["start_date"])
    except CalendarError:
        start = None  # reported at simulation.start_date; dates then ask for it
    names = [str(p.get("name")) for p in profiles if isinstance(p, Mapping)]
    rows = read_plan(path, names, start)
    planned: list[dict] = []
    for profile in profiles:
        mine = [entry for name, entry in rows if name == profile.get("name")]
        if not mine:
            continue  # not in the plan: no reqs, so the profile is left out
        openings = dict(profile.get("openings") or {})
        kept = {k: openings[k] for k in ("positions_per_req",) if k in openings}
        days = [e["open_day"] for e in mine]
        planned.append({**profile, "openings": {
            "count": sum(e["count"] for e in mine), "first_day": min(days),
            "last_day": max(days), **kept, "plan": mine}})
    if not planned:
        raise PlanError([Problem(str(path), 1, 1, "count", "the plan has no hires")])
    return {**data, "profiles": planned, PLAN_KEY: str(data[PLAN_KEY])}


def read_plan(path: Path, profiles: list[str], start: Any) -> list[tuple[str, dict]]:
    """The rows of a plan file as (profile name, plan entry data); PlanError on problems."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise PlanError([Problem(file, 1, 1, PLAN_KEY, f"cannot read the plan file "
                                                       f"({err.strerror or err})")]) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise PlanError([Problem(file, 1, 1, "<header>", "the plan file is empty; its first "
                                 "line names the columns: profile,count,start")])
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t")  # type: ignore[assignment]
    except csv.Error:
        pass
    reader = csv.reader(lines, dialect)
    header = [h.strip().lower() for h in next(reader)]
    where: dict[str, int] = {}
    for column, aliases in _COLUMNS.items():
        for alias in aliases:
            if alias in header:
                where[column] = header.index(alias)
                break
    missing = [c for c in _REQUIRED if c not in where]
    if missing:
        raise PlanError([Problem(file, 1, 1, "<header>",
                                 f"missing column{'s' * (len(missing) > 1)} "
                                 f"{', '.join(missing)} (the header has: {', '.join(header)}; "
                                 "needed: profile, count, start; optional: open, priority)")])
    problems: list[Problem] = []
    rows: list[tuple[str, dict]] = []
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row = _Row(file, line_no, cells, where, problems)
        entry = row.entry(profiles, start)
        if entry is not None and entry[1]["count"] > 0:
            rows.append(entry)
    if problems:
        raise PlanError(problems)
    return rows


class _Row:
    """One line of a plan file being read; problems go to the shared list."""

    def __init__(self, file: str, line: int, cells: list[str], where: dict[str, int],
                 problems: list[Problem]) -> None:
        self.file, self.line, self.cells, self.where = file, line, cells, where
        self.problems = problems

    def cell(self, column: str) -> str:
        i = self.where.get(column)
        return "" if i is None or i >= len(self.cells) else self.cells[i].strip()

    def fail(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.line, self.where[column] + 1, column,
                                     message))

    def whole(self, column: str, what: str, minimum: int) -> int | None:
        text = self.cell(column)
        try:
            value = float(text)
            ok = math.isfinite(value) and value == int(value) and value >= minimum
        except ValueError:
            ok = False
        if not ok:
            self.fail(column, f"{text or 'an empty cell'} is not a whole number of "
                              f"{what} >= {minimum}")
            return None
        return int(value)

    def entry(self, profiles: list[str], start: Any) -> tuple[str, dict] | None:
        name = self.cell("profile")
        if name not in profiles:
            self.fail("profile", f"unknown profile {name!r} (the scenario's profiles: "
                                 f"{', '.join(profiles)})")
        count = self.whole("count", "hires", 0)
        target = self.cell("start")
        target_day = open_day = None
        try:
            target_day = to_day(target, start, what="target start")
        except CalendarError as err:
            self.fail("start", str(err) if target else "empty: give a month (2027-05), "
                                                       "a date or a day number")
        if self.cell("open"):
            try:
                open_day = to_day(self.cell("open"), start, what="open")
            except CalendarError as err:
                self.fail("open", str(err))
        elif target_day is not None:
            open_day = max(0.0, target_day - DEFAULT_LEAD_DAYS)
        priority = None
        if self.cell("priority"):
            priority = self.whole("priority", "priority", 0)
        if name not in profiles or count is None or target_day is None or open_day is None:
            return None
        if open_day > target_day:
            self.fail("open", f"opens ({self.cell('open')}) after its target start ({target})")
            return None
        return name, {"count": count, "target": target, "target_day": target_day,
                      "open_day": open_day, "priority": priority, "row": self.line}


def horizon_warnings(scenario: Scenario) -> list[str]:
    """One line per profile whose plan reaches past the horizon: reqs that would open on
    or after it never open, and hires targeted after it cannot be seen in the results."""
    horizon = scenario.simulation.horizon_days
    out = []
    for profile in scenario.profiles:
        o = profile.openings
        if o.plan is not None:
            late = sum(1 for day in o.planned_open_days() if day >= horizon)
            after = sum(e.count for e in o.plan if e.target_day >= horizon)
            if after:
                out.append(f"{profile.name}: {after} of {o.count} planned hires have a target "
                           f"start on or after the horizon (day {horizon:g}); "
                           "lengthen simulation.horizon_days to see them")
        elif o.spacing == "random":
            late = o.count if o.first_day >= horizon else 0
            if o.first_day < horizon <= o.last_day:
                out.append(f"{profile.name}: openings reach day {o.last_day:g}, past the "
                           f"horizon (day {horizon:g}); reqs drawn after it never open")
        else:
            late = sum(1 for day in even_open_days(o.count, o.first_day, o.last_day)
                       if day >= horizon)
        if late:
            out.append(f"{profile.name}: {late} of {o.count} reqs open on or after the "
                       f"horizon (day {horizon:g}) and never open; lengthen "
                       "simulation.horizon_days or move the openings")
    return out


def even_open_days(count: int, first: float, last: float) -> list[float]:
    """The open days of ``spacing: even`` (as the model places them)."""
    if count == 1:
        return [first]
    step = (last - first) / (count - 1)
    return [first + i * step for i in range(count)]
