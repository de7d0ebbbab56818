"""A small, cheap scenario for the Monte Carlo, output and goal tests, and an in-process CLI.

scenarios/split.yaml cut down (few reqs, short horizon, high pass rates): a replication costs
about 13 ms, so tests can run many of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from hiresim.cli import main

REPO = Path(__file__).resolve().parents[1]
SEED = 4242


def small_dict(horizon_days: int = 90, openings: int = 1, seed: int = SEED,
               easy: bool = True) -> dict:
    """scenarios/split.yaml with ``openings`` reqs per profile over ``horizon_days``.

    ``easy`` raises pass rates and lowers candidate volumes: fewer candidates per hire,
    so a replication is cheap (about 13 ms) and its KPIs vary less.
    """
    data = yaml.safe_load((REPO / "scenarios" / "split.yaml").read_text())
    data["simulation"].update(horizon_days=horizon_days, replications=5, seed=seed)
    for profile in data["profiles"]:
        profile["openings"] = {"count": openings, "first_day": 0, "last_day": 30,
                               "spacing": "even"}
    if easy:
        data["outreach"]["prospects_per_req_per_week"] = 4
        for profile in data["profiles"]:
            profile["inbound"].update(applications_per_week=3, review_pass_rate=0.5)
            profile["screen_pass_rate"] = 0.9
            for round_ in profile["interview_rounds"]:
                round_["pass_rate"] = 0.9
            profile["decision_pass_rate"] = 0.95
            profile["offer_acceptance"] = 0.95
    return data


def cli(*args: object) -> Any:
    """Invoke ``hiresim`` in-process (stdout and stderr kept apart; not a terminal)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
