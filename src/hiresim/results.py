"""The Python API for notebooks: simulate a scenario, get DataFrames and the summary.

    >>> import hiresim
    >>> res = hiresim.simulate("scenarios/split.yaml", replications=20)
    >>> res.summary()["time_to_fill_days"]["p80"]
    >>> res.replications        # one row per replication
    >>> res.reqs                # one row per req per replication
    >>> hiresim.simulate("scenarios/split.yaml", record_candidates=True).candidates
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from hiresim import metrics
from hiresim.experiment import run_replications
from hiresim.records import ReplicationResult
from hiresim.scenario import Scenario
from hiresim.scenario_files import load_scenario


@dataclass
class Results:
    """The replications of one scenario run, with tables built on first use."""

    scenario: Scenario
    seed: int
    runs: list[ReplicationResult] = field(repr=False)

    @cached_property
    def replications(self) -> pd.DataFrame:
        return metrics.replications_frame(self.runs)

    @cached_property
    def reqs(self) -> pd.DataFrame:
        return metrics.reqs_frame(self.runs)

    @cached_property
    def candidates(self) -> pd.DataFrame:
        return metrics.candidates_frame(self.runs)

    @cached_property
    def visits(self) -> pd.DataFrame:
        return metrics.visits_frame(self.runs)

    @cached_property
    def staff(self) -> pd.DataFrame:
        return metrics.staff_frame(self.runs)

    @cached_property
    def snapshots(self) -> pd.DataFrame:
        return metrics.snapshots_frame(self.runs)

    @cached_property
    def funnel(self) -> pd.DataFrame:
        return metrics.funnel_frame(self.runs)

    def summary(self) -> dict[str, dict]:
        return metrics.summarize(self.runs)

    def to_dict(self) -> dict:
        """The JSON shape printed by ``hiresim run --format json``."""
        return {
            "scenario": self.scenario.name,
            "replications": len(self.runs),
            "seed": self.seed,
            "metrics": self.summary(),
        }


def simulate(
    scenario: Scenario | str | Path,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    record_candidates: bool = False,
) -> Results:
    """Run a scenario (object or YAML path). Defaults come from its ``simulation`` section."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    root_seed = scenario.simulation.seed if seed is None else seed
    runs = run_replications(scenario, replications, root_seed, workers, record_candidates)
    return Results(scenario=scenario, seed=root_seed, runs=runs)
