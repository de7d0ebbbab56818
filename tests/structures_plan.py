"""A cut-down combined.yaml for the structure, agency and team-change tests (issue 16).

The shipped three-recruiter plan at a third of its reqs over 240 days: a replication
costs a few tenths of a second, and the team is busy enough that staffing shows.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from hiresim.scenario import Scenario, scenario_from_dict
from validation_scenarios import without_realism as switched_off

REPO = Path(__file__).resolve().parents[1]
SOURCER = {"count": 1, "hours_per_week": 32, "max_reqs": 30, "annual_salary": 95000,
           "tool_seat_per_year": 10000}


def plan_dict(recruiters: int = 3, horizon_days: int = 240) -> dict[str, Any]:
    data = yaml.safe_load((REPO / "scenarios" / "combined.yaml").read_text())
    data.pop("uncertain", None)  # ranges for sensitivity studies, not a scenario setting
    data["name"] = "plan"
    data["simulation"].update(horizon_days=horizon_days, replications=4)
    data["team"]["recruiters"]["count"] = recruiters
    counts = {"backend": 10, "frontend": 7, "ml-embedded": 4}
    for profile in data["profiles"]:
        profile["openings"].update(count=counts[profile["name"]], last_day=150)
    return without_realism(data)


def without_realism(data: dict[str, Any]) -> dict[str, Any]:
    """The structure tests measure staffing alone: the issue-15 mechanisms are switched off
    (``validation_scenarios.without_realism``), and so are the files' own realism settings
    (acceptance decay per profile, slot tuning, a finite market)."""
    data = switched_off(data)
    for profile in data["profiles"]:
        profile.pop("acceptance_drop_per_week", None)
        for key in ("slots_per_week", "panel_window_days"):
            profile["interviewers"].pop(key, None)
        profile["sourced"].pop("market_size", None)
    return data


def with_changes(data: dict[str, Any], name: str, **sections: Any) -> dict[str, Any]:
    """``data`` with top-level sections replaced and ``team`` keys merged in."""
    out = copy.deepcopy(data)
    out["name"] = name
    for key, value in sections.items():
        if key == "team":
            out["team"].update(copy.deepcopy(value))
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario(data: dict[str, Any]) -> Scenario:
    return scenario_from_dict(data)
