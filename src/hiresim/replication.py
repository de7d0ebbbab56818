"""Run ONE replication: a pure, picklable function of (scenario, replication, seed).

The result depends only on its arguments: replication ``k`` of a seed is identical
whether it runs alone or among thousands, in this process or on any worker.
"""

from __future__ import annotations

from hiresim.kpis import replication_kpis
from hiresim.model.hiring_model import HiringModel
from hiresim.model.work import ACTIVITY_NAMES
from hiresim.month_sampler import MonthSampler
from hiresim.records import ReplicationResult
from hiresim.scenario import Scenario


def run_replication(
    scenario: Scenario,
    replication: int,
    seed: int | None = None,
    record_detail: bool = False,
) -> ReplicationResult:
    """Simulate one replication to the horizon and return its records and KPIs.

    ``seed`` defaults to the scenario's ``simulation.seed``. ``record_detail`` keeps
    per-candidate rows and every stage visit (more memory; for analysis and checks).
    """
    model = HiringModel(scenario, replication, seed, record_detail=record_detail)
    months = MonthSampler(model)  # reads the model at month ends; changes nothing
    model.run()
    month_rows, month_hires = months.rows()
    kpis, funnel = replication_kpis(model)
    reqs = [
        (
            r.index, r.profile.name, r.open_day, _day(r.assigned_day), _day(r.active_day),
            _day(r.sourcing_day), _day(r.filled_day), r.positions, r.filled_positions,
            getattr(r.recruiter, "name", ""), getattr(r.sourcer, "name", ""),
            r.open_day >= model.warmup,
        )
        for r in model.reqs
    ]
    staff = [
        (p.name, p.role, p.hours_per_week, ACTIVITY_NAMES[a], float(h))
        for p in model.all_people()
        for a, h in enumerate(p.busy_hours)
        if h > 0
    ]
    return ReplicationResult(
        replication=replication,
        seed=model.seed,
        horizon_days=model.horizon,
        kpis=kpis,
        reqs=reqs,
        staff=staff,
        snapshots=model.snapshots,
        candidates=model.candidate_rows,
        visits=model.visits,
        funnel=funnel,
        months=month_rows,
        month_hires=month_hires,
    )


def _day(value: float | None) -> float:
    return float("nan") if value is None else float(value)
