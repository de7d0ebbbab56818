"""Warnings that the answer may rest on something the user did not intend.

One line each, never errors (``validate`` and ``run`` print them on stderr):

- ``zero_salaries``: a role with people but salary 0 (the default), so cost per hire and
  team cost leave that role's pay out;
- ``openings_after_horizon``: openings planned on or after the horizon, which never open;
- ``dropped_profiles``: a file that ``extends`` another and whose ``profiles`` list
  *replaces* the parent's (lists are not merged by name, see ``hiresim.scenario_files``)
  without some of the parent's profiles, unless the scenario names them in
  ``profiles_left_out`` (left out on purpose);
- ``team_not_the_constraint``: after a run, every TA role busy under 40% of its hours:
  the team is not what limits hiring, so the team-shape question is moot here.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from pathlib import Path

from hiresim.scenario import Scenario
from hiresim.scenario_files import EXTENDS, load_document, load_scenario
from hiresim.scenario_problems import ScenarioError

IDLE_UTILISATION = 0.4  # every TA role under this share of its hours: not the constraint


def zero_salaries(scenario: Scenario) -> list[str]:
    """Roles with people on payroll and ``annual_salary: 0``."""
    out = []
    for label, role in (("recruiters", scenario.team.recruiters),
                        ("sourcers", scenario.team.sourcers)):
        if role is not None and role.headcount > 0 and role.annual_salary == 0:
            out.append(f"warning: {scenario.name}: team.{label}.annual_salary is 0, so cost "
                       "per hire and team cost leave their pay out; set it to compare costs")
    return out


def openings_after_horizon(scenario: Scenario) -> list[str]:
    """Profiles with openings (or planned hires) on or after ``simulation.horizon_days``:
    they never open (or cannot be seen). One implementation: ``hiresim.hiring_plan``."""
    from hiresim.hiring_plan import horizon_warnings

    return [f"warning: {scenario.name}: {line}" for line in horizon_warnings(scenario)]


def dropped_profiles(path: str | Path, on_purpose: Collection[str] = ()) -> list[str]:
    """A variant whose ``profiles`` list replaced its parent's and left profiles out, other
    than those ``on_purpose`` (the scenario's ``profiles_left_out``)."""
    child = load_document(path)
    own = load_document_without_parent(path)
    if own is None or "profiles" not in own:
        return []
    parent_name = own.get(EXTENDS)
    if not isinstance(parent_name, str):
        return []
    try:
        parent = load_document(Path(path).resolve().parent / parent_name)
    except (ScenarioError, OSError):
        return []
    names = [p.get("name") for p in child.data.get("profiles") or [] if isinstance(p, dict)]
    gone = [str(p.get("name")) for p in parent.data.get("profiles") or []
            if isinstance(p, dict) and p.get("name") not in names
            and p.get("name") not in on_purpose]
    if not gone:
        return []
    return [f"warning: {child.file}: its profiles list replaces the one of {parent_name} "
            f"(lists are not merged), leaving out {', '.join(gone)}; list them again if "
            "they belong to the plan, or name them in profiles_left_out if they are left "
            "out on purpose"]


def load_document_without_parent(path: str | Path) -> dict | None:
    from hiresim.yaml_reader import load_yaml_file

    try:
        return load_yaml_file(path).data
    except ScenarioError:
        return None


def team_not_the_constraint(summary: dict) -> list[str]:
    """After a run: every TA role (recruiters, sourcers) under 40% utilisation."""
    m = summary.get("metrics") or {}
    busy = [m.get(f"utilization_{role}", {}).get("mean") for role in ("recruiter", "sourcer")]
    busy = [b for b in busy if b is not None and math.isfinite(b)]
    if not busy or max(busy) >= IDLE_UTILISATION:
        return []
    return [f"warning: {summary.get('scenario')}: every TA role is busy under "
            f"{100 * IDLE_UTILISATION:.0f}% of its hours (at most {100 * max(busy):.0f}%): the "
            "team is not the constraint here, so its shape barely changes the answer"]


def file_warnings(path: str | Path, sets: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The warnings a scenario file deserves before it runs (validate, run)."""
    scenario = load_scenario(path, sets)
    return [*zero_salaries(scenario),  # horizon: load_all warns
            *dropped_profiles(path, scenario.profiles_left_out)]
