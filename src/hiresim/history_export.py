"""A simulated year written as an ATS export: hiresim's own candidates in the generic format.

``export_history`` runs one replication of a scenario with per-candidate records and writes
its stage visits as the generic history CSV (``hiresim.ats_export``) plus a reqs file
beside it (``NAME-reqs.csv``). Day *d* of the simulation becomes a date: the scenario's
``simulation.start_date`` when it has one, otherwise ``DEFAULT_START`` (Monday 5 January
2026), plus *d* days, written to the minute.

How the model's records become export rows (records in ``hiresim.records``):

- an ``outreach`` visit is the outreach row (``passed`` = replied, ``rejected`` = no reply),
  and a reply adds an ``interest`` row at the moment of the reply (``passed`` =
  interested, ``rejected`` = not interested);
- interview rounds are ``interview:<round name>``; other stages keep their names;
- visit outcomes: ``passed``, ``failed`` -> ``rejected`` (at the offer: ``declined``; an
  accepted offer is ``hired``), ``withdrew``, ``closed_out`` -> ``closed``,
  ``in_process`` -> ``open`` (no ``left_at``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path
from typing import Any

from hiresim.ats_export import EPOCH, FIXED_STAGES, HISTORY_COLUMNS, ROUND_PREFIX, format_time
from hiresim.records import CANDIDATE_COLUMNS, REQ_COLUMNS, VISIT_COLUMNS, ReplicationResult
from hiresim.scenario import Scenario
from hiresim.table_files import atomic_write_text

DEFAULT_START = dt.date(2026, 1, 5)
REQS_HEADER = ("req_id", "profile", "opened_at", "posted_at", "filled_at")
_OUTCOME = {"passed": "passed", "failed": "rejected", "withdrew": "withdrew",
            "closed_out": "closed", "in_process": "open"}


def start_date_of(scenario: Scenario) -> dt.date:
    """The calendar date of day 0: ``simulation.start_date`` if the scenario has one."""
    value: Any = getattr(scenario.simulation, "start_date", None)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value)
    return DEFAULT_START


def day_zero(start: dt.date) -> float:
    """Days since 1970-01-01 of the midnight starting ``start``."""
    return float((start - EPOCH.date()).days)


def export_stage(stage: str) -> str:
    return stage if stage in FIXED_STAGES else ROUND_PREFIX + stage


def history_rows(result: ReplicationResult, zero: float) -> tuple[list[tuple], list[tuple]]:
    """Rows of the history file and of the reqs file for one replication's records."""
    if result.candidates is None or result.visits is None:
        raise ValueError("the replication was run without record_detail")
    cand = {row[0]: dict(zip(CANDIDATE_COLUMNS, row, strict=True))
            for row in result.candidates}
    rows: list[tuple] = []
    for visit in result.visits:
        v = dict(zip(VISIT_COLUMNS, visit, strict=True))
        c = cand[v["candidate"]]
        base = (f"c{v['candidate']}", f"r{c['req']}", c["profile"], c["source"])
        enter = format_time(zero + v["enter_day"])
        outcome = _OUTCOME[v["outcome"]]
        left = "" if outcome == "open" else format_time(zero + v["end_day"])
        if v["stage"] == "outreach":
            interested = v["outcome"] == "passed"
            replied = interested or c["terminal"] == "not_interested"
            if replied:
                rows.append((*base, "outreach", enter, left, "passed"))
                rows.append((*base, "interest", left, left,
                             "passed" if interested else "rejected"))
            else:
                rows.append((*base, "outreach", enter, left,
                             "rejected" if outcome == "rejected" else outcome))
            continue
        if v["stage"] == "offer" and outcome in ("passed", "rejected"):
            outcome = "hired" if outcome == "passed" else "declined"
        rows.append((*base, export_stage(v["stage"]), enter, left, outcome))
    rows.sort(key=lambda r: (r[5], int(r[0][1:])))
    reqs = []
    for req in result.reqs:
        r = dict(zip(REQ_COLUMNS, req, strict=True))
        if r["open_day"] >= result.horizon_days:
            continue
        posted = r["active_day"] if math.isfinite(r["active_day"]) else r["open_day"]
        reqs.append((f"r{r['req']}", r["profile"], format_time(zero + r["open_day"]),
                     format_time(zero + posted), format_time(zero + r["filled_day"])))
    return rows, reqs


def reqs_path_for(out: Path) -> Path:
    """Where the reqs file of a history file goes: ``NAME-reqs.csv`` beside it."""
    return out.with_name(f"{out.stem}-reqs.csv")


def _csv(header: tuple[str, ...], rows: list[tuple]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def export_history(scenario: Scenario, out: str | Path, replication: int = 0,
                   seed: int | None = None) -> tuple[Path, Path, int, int]:
    """Simulate replication ``replication`` and write its history and reqs files.

    Returns the two paths, the number of history rows and of reqs.
    """
    from hiresim.replication import run_replication

    result = run_replication(scenario, replication, seed, record_detail=True)
    rows, reqs = history_rows(result, day_zero(start_date_of(scenario)))
    target = Path(out)
    atomic_write_text(target, _csv(HISTORY_COLUMNS, rows))
    req_target = reqs_path_for(target)
    atomic_write_text(req_target, _csv(REQS_HEADER, reqs))
    return target, req_target, len(rows), len(reqs)
