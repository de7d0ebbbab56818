"""The KPI name list used to check goals before a run matches what a replication returns."""

from __future__ import annotations

from pathlib import Path

from hiresim.kpi_catalogue import KPI_NAMES
from hiresim.replication import run_replication
from hiresim.scenario_files import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_kpi_names_list_every_kpi_of_a_replication() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "split.yaml", ["simulation.horizon_days=60"])
    assert tuple(run_replication(scenario, 0).kpis) == KPI_NAMES
