"""Across replications: tables (pandas) and summaries with confidence intervals.

Replications are the independent samples. Candidates or reqs of one replication are not
independent of each other, so every interval here is computed across replications
(one value per replication), never over pooled candidates. Intervals are 95% Student-t
intervals on the mean of the per-replication values (``hiresim.intervals``), cut to the
values a KPI can take (never below 0; a share never above 1): with few replications a
t-interval of a count or share can otherwise cross them ("12.5 hires [-19.3, 44.3]").

``time_to_fill_days`` is summarised as: ``mean``/``ci_low``/``ci_high`` of the
per-replication Kaplan-Meier median, and ``p50``/``p80``/``p90`` from the Kaplan-Meier
curve of all reqs of all replications pooled (censoring at the horizon included). A
quantile that the curve never reaches (too few reqs filled) is ``null``: "longer than the
horizon allows us to see".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from hiresim.intervals import interval
from hiresim.kpi_catalogue import BY_NAME, FILL_TIME, POOLED_QUANTILES, Kpi
from hiresim.records import (
    CANDIDATE_COLUMNS,
    FUNNEL_COLUMNS,
    REQ_COLUMNS,
    SNAPSHOT_COLUMNS,
    STAFF_COLUMNS,
    VISIT_COLUMNS,
    ReplicationResult,
)
from hiresim.survival import censored_fill_times, fill_time_quantile


def replications_frame(results: Sequence[ReplicationResult]) -> pd.DataFrame:
    """One row per replication, one column per KPI."""
    rows = [{"replication": r.replication, "seed": r.seed, **r.kpis} for r in results]
    return pd.DataFrame(rows)


def _table(results: Sequence[ReplicationResult], attr: str, columns: tuple) -> pd.DataFrame:
    frames = []
    for r in results:
        rows = getattr(r, attr)
        if rows is None:
            raise ValueError(
                f"{attr} were not recorded: simulate with record_candidates=True"
            )
        frame = pd.DataFrame.from_records(rows, columns=list(columns))
        frame.insert(0, "replication", r.replication)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["replication", *columns])
    return pd.concat(frames, ignore_index=True)


def derived_columns(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the columns computed from a table's timestamps (never stored twice):
    ``time_to_fill_days`` on reqs (nan if open at the end), ``wait_days`` (enter to start)
    and ``days_in_stage`` on stage visits."""
    if table == "reqs":
        frame["time_to_fill_days"] = frame["filled_day"] - frame["open_day"]
    elif table == "visits":
        frame["wait_days"] = frame["start_day"] - frame["enter_day"]
        frame["days_in_stage"] = frame["end_day"] - frame["enter_day"]
    return frame


def reqs_frame(results: Sequence[ReplicationResult]) -> pd.DataFrame:
    """One row per req per replication, with ``time_to_fill_days`` (nan if open at the end)."""
    return derived_columns("reqs", _table(results, "reqs", REQ_COLUMNS))


def candidates_frame(results: Sequence[ReplicationResult]) -> pd.DataFrame:
    return _table(results, "candidates", CANDIDATE_COLUMNS)


def visits_frame(results: Sequence[ReplicationResult]) -> pd.DataFrame:
    """One row per stage visit, with ``wait_days`` (enter to start) and ``days_in_stage``."""
    return derived_columns("visits", _table(results, "visits", VISIT_COLUMNS))


def staff_frame(results: Sequence[ReplicationResult]) -> pd.DataFrame:
    return _table(results, "staff", STAFF_COLUMNS)


def snapshots_frame(results: Sequence[ReplicationResult]) -> pd.DataFrame:
    return _table(results, "snapshots", SNAPSHOT_COLUMNS)


def funnel_frame(results: Sequence[ReplicationResult]) -> pd.DataFrame:
    """Stage visits by source, stage and outcome, per replication."""
    return _table(results, "funnel", FUNNEL_COLUMNS)


def _none_if_nan(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def fill_times(result: ReplicationResult) -> tuple[np.ndarray, np.ndarray]:
    """Days to fill (or to the horizon: censored) and whether filled, for counted reqs."""
    cols = {name: i for i, name in enumerate(REQ_COLUMNS)}
    rows = [row for row in result.reqs if row[cols["counted"]]]
    return censored_fill_times([row[cols["open_day"]] for row in rows],
                               [row[cols["filled_day"]] for row in rows], result.horizon_days)


FILL_TIME_COLUMNS = ("counted", "open_day", "filled_day")  # the reqs columns used below


def fill_times_from_reqs(reqs: pd.DataFrame, horizon_days: float
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Pooled (days to fill or to the horizon, filled) of counted reqs in a reqs table."""
    counted = reqs[reqs["counted"].astype(bool)]
    return censored_fill_times(counted["open_day"].to_numpy(dtype=float),
                               counted["filled_day"].to_numpy(dtype=float), horizon_days)


def summarize(results: Sequence[ReplicationResult]) -> dict[str, dict]:
    """Every KPI summarised across replications; headline names first (stable keys)."""
    pairs = [fill_times(r) for r in results]
    durations = np.concatenate([d for d, _ in pairs]) if pairs else np.empty(0)
    filled = np.concatenate([f for _, f in pairs]) if pairs else np.empty(0, dtype=bool)
    return summarize_kpis(replications_frame(results), durations, filled)


def summarize_kpis(
    frame: pd.DataFrame, fill_durations: np.ndarray, filled: np.ndarray
) -> dict[str, dict]:
    """Summaries from the per-replication KPI table and the pooled req fill times.

    ``fill_durations``/``filled`` are the days to fill (or to the horizon, censored) of every
    counted req of every replication, for the pooled Kaplan-Meier percentiles.
    """
    metrics: dict[str, dict] = {}
    ttf = within_bounds(interval(frame["time_to_fill_p50"]), BY_NAME["time_to_fill_p50"]) \
        if "time_to_fill_p50" in frame else interval([])
    ttf.update({
        f"p{int(q * 100)}": _none_if_nan(fill_time_quantile(fill_durations, filled, q))
        for q in POOLED_QUANTILES
    })
    ttf["censored_reqs"] = int((~np.asarray(filled, dtype=bool)).sum())
    metrics[FILL_TIME] = ttf
    for name in frame.columns:
        if name in ("replication", "seed", "scenario") or name in metrics:
            continue
        metrics[name] = within_bounds(interval(frame[name]), BY_NAME.get(name))
    return metrics


def within_bounds(summary: dict, kpi: Kpi | None) -> dict:
    """A t-interval cut to the values a KPI can take: no KPI is negative, a share is at
    most 1 (with few replications a t-interval can cross these bounds)."""
    if kpi is None:
        return summary
    if summary.get("ci_low") is not None:
        summary["ci_low"] = max(0.0, summary["ci_low"])
    if kpi.kind == "share" and summary.get("ci_high") is not None:
        summary["ci_high"] = min(1.0, summary["ci_high"])
    return summary
