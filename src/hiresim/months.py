"""The month table: hires per month against the plan, with the simulated band.

Built from the month records of every replication (``hiresim.records.MONTH_COLUMNS`` and
``MONTH_HIRE_COLUMNS``: tables ``calendar`` and ``calendar_hires``) and the scenario's
plan. Two tables:

``month_table`` (``months.parquet``; ``hiresim run --by month``), one row per month:

- ``planned_hires``, ``planned_cumulative``: hires the plan wants with a target start in
  the month, and up to its end (nan when the openings come from no plan);
- ``reqs_opened``: mean reqs opened in the month;
- ``hires_mean`` and ``cumulative_mean``, ``cumulative_p10``/``p50``/``p90``: accepted
  offers in the month and up to its end, mean and spread across replications (the band);
- ``on_plan``: share of replications whose cumulative hires reach the plan's by month end;
- ``reqs_open_mean``, ``reqs_in_backlog_mean``: at the month's end;
- ``<role>_hours_mean`` and ``<role>_capacity_hours`` (recruiter, sourcer, interviewer):
  busy hours worked in the month and the productive hours the role has in it
  (people x hours per week x days / 7; nan for an unlimited pool).

``planned_hire_table`` (``planned_hires.parquet``), one row per planned hire: the *k*-th
planned hire of a profile (plan rows in order of target start) is the *k*-th accepted
offer of that profile in a replication; ``p50_month``/``p80_month`` are the months by
which half / 80% of the replications have made it ("after the horizon" if not), and
``on_time`` the share made by the end of the target month.

A hire here is an accepted offer: notice periods between the offer and the first day at
work are not modelled, so a target *start* month is compared with the month the offer is
accepted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hiresim import calendar
from hiresim.records import MONTH_COLUMNS, MONTH_HIRE_COLUMNS, ReplicationResult
from hiresim.scenario import Scenario

AFTER_HORIZON = "after the horizon"
ROLES = ("recruiter", "sourcer", "interviewer")


def calendar_frame(results: Sequence[ReplicationResult]) -> pd.DataFrame:
    """Per replication and month: reqs open, backlog and busy hours (records.MONTH_COLUMNS)."""
    return _frame(results, "months", MONTH_COLUMNS)


def calendar_hires_frame(results: Sequence[ReplicationResult]) -> pd.DataFrame:
    """Per replication, month and profile: reqs opened and hires (MONTH_HIRE_COLUMNS)."""
    return _frame(results, "month_hires", MONTH_HIRE_COLUMNS)


def _frame(results: Sequence[ReplicationResult], attr: str, columns: tuple) -> pd.DataFrame:
    rows = [(r.replication, *row) for r in results for row in getattr(r, attr)]
    return pd.DataFrame.from_records(rows, columns=["replication", *columns])


def scenario_months(scenario: Scenario) -> list[calendar.Month]:
    sim = scenario.simulation
    start = None if sim.start_date is None else calendar.parse_start_date(sim.start_date)
    return calendar.months(sim.horizon_days, start)


def planned_by_month(scenario: Scenario) -> np.ndarray | None:
    """Planned hires per month (by target start; after the horizon: not counted), or None
    when no profile's openings come from a plan."""
    table = scenario_months(scenario)
    if not any(p.openings.plan for p in scenario.profiles):
        return None
    out = np.zeros(len(table))
    for profile in scenario.profiles:
        for entry in profile.openings.plan or ():
            m = calendar.month_of_day(entry.target_day, table)
            if m is not None:
                out[m] += entry.count
    return out


def month_table(scenario: Scenario, months: pd.DataFrame, hires: pd.DataFrame
                ) -> pd.DataFrame:
    """One row per month across replications (module docstring). ``months`` and ``hires``
    are the ``calendar`` and ``calendar_hires`` tables."""
    table = scenario_months(scenario)
    n_months = len(table)
    per_month = hires.groupby(["replication", "month"])[["hires", "reqs_opened"]].sum()
    reps = sorted(months["replication"].unique())
    grid = pd.MultiIndex.from_product([reps, range(n_months)], names=["replication", "month"])
    per_month = per_month.reindex(grid, fill_value=0)
    made = per_month["hires"].to_numpy(float).reshape(len(reps), n_months)
    cumulative = made.cumsum(axis=1)
    planned = planned_by_month(scenario)
    staff = months.groupby("month")[["reqs_open", "reqs_in_backlog", *(
        f"{r}_hours" for r in ROLES)]].mean().reindex(range(n_months))
    out = pd.DataFrame({
        "month": range(n_months),
        "label": [m.label for m in table],
        "first_day": [m.first_day for m in table],
        "end_day": [m.end_day for m in table],
        "planned_hires": np.nan if planned is None else planned,
        "planned_cumulative": np.nan if planned is None else planned.cumsum(),
        "reqs_opened": per_month["reqs_opened"].to_numpy(float).reshape(
            len(reps), n_months).mean(axis=0) if reps else np.nan,
        "hires_mean": made.mean(axis=0) if reps else np.nan,
        "cumulative_mean": cumulative.mean(axis=0) if reps else np.nan,
        "cumulative_p10": _quantile(cumulative, 0.1),
        "cumulative_p50": _quantile(cumulative, 0.5),
        "cumulative_p90": _quantile(cumulative, 0.9),
        "on_plan": np.nan if planned is None or not reps else
        (cumulative >= planned.cumsum() - 1e-9).mean(axis=0),
        "reqs_open_mean": staff["reqs_open"].to_numpy(float),
        "reqs_in_backlog_mean": staff["reqs_in_backlog"].to_numpy(float),
    })
    for role in ROLES:
        out[f"{role}_hours_mean"] = staff[f"{role}_hours"].to_numpy(float)
        out[f"{role}_capacity_hours"] = [
            role_capacity_hours(scenario, role, m.end_day - m.first_day) for m in table]
    return out


def _quantile(values: np.ndarray, q: float) -> np.ndarray | float:
    return np.quantile(values, q, axis=0) if len(values) else np.nan


def role_capacity_hours(scenario: Scenario, role: str, days: float) -> float:
    """Productive hours a role has in ``days`` calendar days (nan: unlimited)."""
    team = scenario.team
    if role == "interviewer":
        groups = [(p.interviewers.count, p.interviewers.hours_per_week)
                  for p in scenario.profiles]
    else:
        staff = team.recruiters if role == "recruiter" else team.sourcers
        groups = [] if staff is None else [(staff.count, staff.hours_per_week)]
    if any(count == "unlimited" for count, _ in groups):
        return float("nan")
    return float(sum(int(count) * hours for count, hours in groups) * days / 7.0)


def planned_hire_table(scenario: Scenario, hires: pd.DataFrame) -> pd.DataFrame:
    """One row per planned hire: P50/P80 month it is made and the share on time."""
    table = scenario_months(scenario)
    labels = [m.label for m in table]
    reps = sorted(hires["replication"].unique())
    rows = []
    for profile in scenario.profiles:
        entries = sorted(profile.openings.plan or (), key=lambda e: e.target_day)
        if not entries:
            continue
        mine = hires[hires["profile"] == profile.name]
        per_month = mine.groupby(["replication", "month"])["hires"].sum().reindex(
            pd.MultiIndex.from_product([reps, range(len(table))]), fill_value=0)
        cumulative = per_month.to_numpy(float).reshape(len(reps), len(table)).cumsum(axis=1)
        k = 0
        for entry in entries:
            target = calendar.month_of_day(entry.target_day, table)
            for _ in range(entry.count):
                k += 1
                reached = cumulative >= k  # by the end of each month, per replication
                month_made = np.where(reached.any(axis=1), reached.argmax(axis=1), len(table))
                rows.append({
                    "profile": profile.name, "hire": k, "target": entry.target,
                    "target_month": AFTER_HORIZON if target is None else labels[target],
                    "priority": entry.priority, "row": entry.row,
                    "p50_month": _month_label(month_made, 0.5, labels),
                    "p80_month": _month_label(month_made, 0.8, labels),
                    "on_time": float("nan") if target is None or not reps
                    else float((month_made <= target).mean()),
                })
    columns = ["profile", "hire", "target", "target_month", "priority", "row", "p50_month",
               "p80_month", "on_time"]
    return pd.DataFrame(rows, columns=columns)


def _month_label(month_made: np.ndarray, q: float, labels: list[str]) -> str:
    """The month by which a share ``q`` of the replications made the hire."""
    if not len(month_made):
        return ""
    m = int(np.quantile(month_made, q, method="higher"))
    return labels[m] if m < len(labels) else AFTER_HORIZON


def month_lines(table: pd.DataFrame) -> list[str]:
    """The month table as aligned text for the terminal (``hiresim run --by month``)."""
    has_plan = table["planned_hires"].notna().any()
    head = ["month", "opened", "hires", "cum. mean", "cum. P10-P90", "open", "backlog",
            "recr h", "src h", "intv h"]
    if has_plan:
        head[2:2] = ["plan", "plan cum."]
        head.append("on plan")
    rows = []
    for r in table.itertuples(index=False):
        cells = [r.label, f"{r.reqs_opened:.1f}", f"{r.hires_mean:.2f}",
                 f"{r.cumulative_mean:.1f}",
                 f"{r.cumulative_p10:.0f}-{r.cumulative_p90:.0f}",
                 f"{r.reqs_open_mean:.1f}", f"{r.reqs_in_backlog_mean:.1f}",
                 f"{r.recruiter_hours_mean:.0f}", f"{r.sourcer_hours_mean:.0f}",
                 f"{r.interviewer_hours_mean:.0f}"]
        if has_plan:
            cells[2:2] = [f"{r.planned_hires:.0f}", f"{r.planned_cumulative:.0f}"]
            cells.append(f"{r.on_plan:.0%}")
        rows.append(cells)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    return ["  ".join(str(c).rjust(w) for c, w in zip(line, widths, strict=True))
            for line in (head, *rows)]


def planned_hire_lines(table: pd.DataFrame) -> list[str]:
    """Planned hires, one line per plan row: its target and when its last hire is made."""
    lines = []
    for (profile, row), group in table.groupby(["profile", "row"], sort=False):
        last = group.iloc[-1]
        lines.append(f"{profile} (plan row {row}, hires {group['hire'].min()}-"
                     f"{group['hire'].max()}): target {last['target_month']}; last of them "
                     f"made by {last['p50_month']} (P50), {last['p80_month']} (P80); "
                     f"on time in {last['on_time']:.0%} of replications")
    return lines
