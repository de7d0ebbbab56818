"""Shared fixtures: tiny deterministic scenarios built from plain dicts, and record helpers.

``TINY`` is a one-req, one-recruiter team in which every effort and delay is fixed and every
probability is 0 or 1, so a test can work out by hand the exact day each thing happens.
With ``hours_per_week: 7`` one hour of effort takes exactly one calendar day
(``days = hours * 7 / hours_per_week``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hiresim.records import CANDIDATE_COLUMNS, REQ_COLUMNS, STAFF_COLUMNS, VISIT_COLUMNS
from hiresim.scenario import Scenario, scenario_from_dict

TINY: dict[str, Any] = {
    "name": "tiny",
    "simulation": {"horizon_days": 60, "replications": 1, "seed": 7},
    "team": {
        "structure": "combined",
        "recruiters": {"count": 1, "hours_per_week": 7},
        "task_switch_hours": 0,
        # a part-time sourcer who sources exactly like a specialist: no hidden 0.8 factor
        "recruiter_skill": {"reply_rate_multiplier": 1.0, "outreach_hours_multiplier": 1.0},
        "handoff": {"sourcer_hours": 1, "recruiter_hours": 1, "delay_days": 1,
                    "context_loss": 0},
    },
    "effort": {
        "intake_hours": 1, "outreach_hours": 1, "follow_up_hours": 0,
        "qualification_call_hours": 1, "application_review_hours": 1, "screen_hours": 1,
        "scheduling_hours": 1, "debrief_hours": 1, "offer_hours": 1,
    },
    "outreach": {
        "touches": 1, "touch_gap_days": 1, "reply_share_by_touch": [1.0],
        "reply_delay_days": 2, "prospects_per_req_per_week": 1, "max_active_per_req": 1,
    },
    # the mechanisms of docs/model.md 2.10-4.10 are on by default; TINY switches them off
    # so that every day can be worked out by hand
    "workload": {"recruiter_hours_per_req_per_week": 0, "recruiter_hours_per_candidate_per_week": 0,
                 "sourcer_hours_per_req_per_week": 0},
    "candidates": {
        "patience_days": None, "offer_response_days": 2,
        "acceptance_grace_days": 0, "acceptance_drop_per_week": 0, "pool_reengage_rate": 0,
    },
    "costs": {"job_ad_per_req_per_month": 0, "other_external_per_year": 0},
    "profiles": [{
        "name": "eng",
        "openings": {"count": 1, "first_day": 0, "last_day": 0},
        "inbound": {"applications_per_week": 0},
        "sourced": {"reply_rate": 1, "interest_rate": 1, "qualify_rate": 1},
        "screen_pass_rate": 1,
        "interview_rounds": [
            {"name": "onsite", "pass_rate": 1, "interviewer_hours": 1, "lead_days": 3},
        ],
        "decision_pass_rate": 1,
        "offer_acceptance": 1,
        "dropout": {"hazard_per_week": 0},
        "interviewers": {"count": 1, "hours_per_week": 14, "hourly_cost": 0,
                         "scheduling": "fluid"},
    }],
}


def merged(base: dict, overrides: dict) -> dict:
    """``base`` with ``overrides`` merged in: nested dicts merge, anything else replaces.

    The key ``profile`` merges into every entry of ``profiles`` (handy for one-profile
    scenarios); ``profiles`` itself replaces the list.
    """
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if key == "profile":
            out["profiles"] = [merged(p, value) for p in out["profiles"]]
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@pytest.fixture(scope="session")
def make_scenario() -> Callable[..., Scenario]:
    """``make_scenario(overrides, base=TINY)``: a validated Scenario (session scope so that
    hypothesis tests may use it)."""

    def make(overrides: dict | None = None, base: dict | None = None) -> Scenario:
        return scenario_from_dict(merged(TINY if base is None else base, overrides or {}))

    return make


def as_dicts(rows: list[tuple] | None, columns: tuple[str, ...]) -> list[dict]:
    assert rows is not None, "run with record_detail=True"
    return [dict(zip(columns, row, strict=True)) for row in rows]


def visits_of(result) -> list[dict]:
    return as_dicts(result.visits, VISIT_COLUMNS)


def candidates_of(result) -> list[dict]:
    return as_dicts(result.candidates, CANDIDATE_COLUMNS)


def reqs_of(result) -> list[dict]:
    return as_dicts(result.reqs, REQ_COLUMNS)


def staff_of(result) -> list[dict]:
    return as_dicts(result.staff, STAFF_COLUMNS)


@pytest.fixture(scope="session")
def records() -> Any:
    """Row helpers as a namespace: ``records.visits(result)`` etc. (dicts keyed by column)."""

    class Records:
        visits = staticmethod(visits_of)
        candidates = staticmethod(candidates_of)
        reqs = staticmethod(reqs_of)
        staff = staticmethod(staff_of)

    return Records


@pytest.fixture(scope="module")
def small_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small scenario (tests/small_scenario.py) as a YAML file."""
    from small_scenario import small_dict

    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(yaml.safe_dump(small_dict(), sort_keys=False))
    return path


@pytest.fixture(scope="module")
def small(small_file: Path) -> Scenario:
    from hiresim.scenario_files import load_scenario

    return load_scenario(small_file)
