"""hiresim: discrete-event simulation of technical hiring teams.

Should a team be full-cycle recruiters (combined role) or sourcers plus recruiters (split
roles), and how many of each, for a given hiring plan? hiresim simulates candidates
flowing through outreach, applications, screens, interviews and offers, with sourcers,
recruiters and interviewers as capacity-limited resources, and reports time-to-fill and
cost-per-hire with confidence intervals.

Python API::

    import hiresim
    results = hiresim.simulate("scenarios/split.yaml", replications=50)
    results.summary(); results.replications; results.reqs
    comparison = hiresim.compare(["scenarios/combined.yaml", "scenarios/split.yaml"])
    comparison.differences
    grid = hiresim.sweep("scenarios/split-team-sizes.yaml", goals=["fill_rate>=0.9"])
    grid.report["recommended"]

(``hiresim.api`` documents each function.)

The names below are imported on first use, so that ``import hiresim.scenario`` (or a
worker process) does not pay for pandas and scipy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Results": "hiresim.results",
    "Comparison": "hiresim.studies",
    "Sweep": "hiresim.studies",
    "simulate": "hiresim.api",
    "compare": "hiresim.api",
    "sweep": "hiresim.api",
    "report": "hiresim.api",
    "Scenario": "hiresim.scenario",
    "load_scenario": "hiresim.scenario_files",
    "run_replication": "hiresim.replication",
    "ScenarioError": "hiresim.scenario_problems",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'hiresim' has no attribute {name!r}")
