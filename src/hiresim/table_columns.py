"""The columns of the result tables: their meaning, their types and the tidy form.

Every table of a run, in memory (``hiresim.results.Results``) and in a result folder
(``hiresim.outputs``), has the same columns with the same types:

- ``scenario`` first (the scenario's name, or its display name in a comparison), so the
  tables of several runs concatenate (``pandas.concat``, ``pl.concat``, DuckDB
  ``read_parquet('*/reqs.parquet')``), then ``replication``;
- the columns computed from timestamps are stored too (``time_to_fill_days`` on reqs,
  ``wait_days`` and ``days_in_stage`` on stage visits);
- KPIs that count things (``kind`` ``count`` in ``hiresim.kpi_catalogue``: hires, offers,
  reqs opened, ...) are 64-bit integers; ratios of counts such as
  ``contacted_per_sourced_hire`` stay floats (they are nan when the denominator is 0).

Each column's meaning (:data:`COLUMN_DOCS`, below) is stored in the Parquet files as field
metadata (``description``), so ``pyarrow.parquet.read_schema(path).field(name).metadata``
answers "what is this column?" without this package. Units: ``*_day`` columns are days
since the start of the plan (day 0; nan: did not happen before the horizon), ``*_days``
durations in days, ``hours`` hours of a person's effort.

Tables and their columns (besides ``scenario`` and ``replication``):

- ``replications``: ``seed`` and one column per KPI;
- ``reqs``: one row per req: ``req``, ``profile``, ``open_day``, ``assigned_day``,
  ``active_day``, ``sourcing_day``, ``filled_day``, ``positions``, ``filled_positions``,
  ``recruiter``, ``sourcer``, ``counted``, ``time_to_fill_days``;
- ``staff``: hours per person and activity: ``person``, ``role``, ``hours_per_week``,
  ``activity``, ``hours``;
- ``snapshots``: weekly backlog counts: ``day``, ``reqs_in_backlog``, ``reqs_open``,
  ``tasks_waiting_recruiters``, ``tasks_waiting_sourcers``, ``tasks_waiting_interviewers``;
- ``funnel``: stage visits by ``source``, ``stage`` and ``outcome``: ``candidates``;
- ``candidates`` and ``visits`` (with ``--records candidates``): one row per candidate
  and per stage visit.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from hiresim.kpi_catalogue import CATALOGUE
from hiresim.metrics import derived_columns

SCENARIO = "scenario"
DESCRIPTION = b"description"

#: KPIs that count things: stored as 64-bit integers (never nan: a test checks).
INTEGER_KPIS: tuple[str, ...] = tuple(
    k.name for k in CATALOGUE if k.kind == "count" and "_per_" not in k.name)

_COMMON = {
    SCENARIO: "Scenario name (display name in a comparison or sweep point).",
    "replication": "Replication number 0, 1, 2, ...: one independent simulated period.",
}

COLUMN_DOCS: dict[str, dict[str, str]] = {
    "replications": {
        "seed": "Root random seed of the batch.",
        **{k.name: f"{k.label}: {k.doc}".rstrip() for k in CATALOGUE},
    },
    "reqs": {
        "req": "Index of the req in opening order.",
        "profile": "Role profile of the req.",
        "open_day": "Day the req was approved: the time-to-fill clock starts.",
        "assigned_day": "Day a recruiter took it from the backlog (nan: never).",
        "active_day": "Day intake was done and the job ad posted (nan: never).",
        "sourcing_day": "Day a sourcing person started on it (may precede open_day).",
        "filled_day": "Day the last position's offer was accepted (nan: open at the horizon).",
        "positions": "Positions on the req (inf: evergreen).",
        "filled_positions": "Positions filled by the horizon.",
        "recruiter": "Recruiter who owned the req.",
        "sourcer": "Sourcer who worked the req.",
        "counted": "Opened after the warm-up: part of the statistics.",
        "time_to_fill_days": "filled_day - open_day in days (nan: open at the horizon).",
    },
    "staff": {
        "person": "Person (index within the role).",
        "role": "recruiter, sourcer or interviewer:<profile>.",
        "hours_per_week": "The person's productive hours per week.",
        "activity": "Activity the hours went to.",
        "hours": "Hours spent on the activity within the horizon.",
    },
    "snapshots": {
        "day": "Day of the weekly snapshot.",
        "reqs_in_backlog": "Reqs opened and waiting for a recruiter with room.",
        "reqs_open": "Reqs opened and not filled.",
        "tasks_waiting_recruiters": "Tasks queued for recruiters.",
        "tasks_waiting_sourcers": "Tasks queued for sourcers.",
        "tasks_waiting_interviewers": "Tasks queued for interviewers.",
    },
    "funnel": {
        "source": "sourced (outbound) or inbound (applicant).",
        "stage": "Pipeline stage.",
        "outcome": "passed, failed, withdrew, closed_out or in_process.",
        "candidates": "Stage visits with that outcome (candidates created after the warm-up).",
    },
    "candidates": {
        "candidate": "Candidate number.",
        "req": "Req the candidate was for.",
        "profile": "Role profile of the req.",
        "source": "sourced (outbound) or inbound (applicant).",
        "sourced_by": "Role that sourced them: sourcer or recruiter (empty for applicants).",
        "created_day": "Day of first contact (first touch sent) or application.",
        "end_day": "Day the terminal state was reached (the horizon for in_process).",
        "terminal": "Terminal state (hired, rejected, withdrew, ...).",
        "terminal_stage": "Stage at which it ended.",
        "replied": "A sourced candidate replied.",
        "offered": "Received an offer.",
    },
    "visits": {
        "candidate": "Candidate number.",
        "stage": "Stage visited (outreach, qualification, screen, a round, ...).",
        "enter_day": "Day the candidate was ready for the stage.",
        "start_day": "Day the team first started work on it (nan: never started).",
        "end_day": "Day the candidate left the stage.",
        "outcome": "passed, failed, withdrew, closed_out or in_process.",
        "wait_days": "start_day - enter_day: days waiting for the team.",
        "days_in_stage": "end_day - enter_day: days in the stage.",
    },
}


def column_doc(table: str, column: str) -> str:
    """What a column of a result table means ('' if undocumented)."""
    return _COMMON.get(column) or COLUMN_DOCS.get(table, {}).get(column, "")


def tidy(table: str, frame: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """The stored form of a table: ``scenario`` first, derived columns added, counting
    KPIs as integers (see the module docstring). Columns already there are kept."""
    if table in ("reqs", "visits"):
        needed = {"reqs": "time_to_fill_days", "visits": "days_in_stage"}[table]
        if needed not in frame:
            frame = derived_columns(table, frame)
    if table == "replications":
        for name in INTEGER_KPIS:
            if name in frame and frame[name].dtype.kind == "f" and frame[name].notna().all():
                frame[name] = frame[name].astype("int64")
    if SCENARIO not in frame:
        frame.insert(0, SCENARIO, pd.Series([scenario] * len(frame), index=frame.index,
                                            dtype="str"))
    return frame


def documented(table: str, schema: pa.Schema) -> pa.Schema:
    """``schema`` with each column's meaning as Parquet field metadata (``description``)."""
    fields = []
    for field in schema:
        doc = column_doc(table, field.name)
        fields.append(field.with_metadata({DESCRIPTION: doc.encode()}) if doc else field)
    return pa.schema(fields, metadata=schema.metadata)


def sweep_arrow(table: pd.DataFrame) -> pa.Table:
    """The sweep table (``hiresim.sweep_grid.sweep_table``) as Arrow, as ``sweep.parquet``
    stores it: each varied setting's dotted path as its field metadata (``path``), KPI
    columns documented like the replications table's."""
    paths = table.attrs.get("setting_paths", {})
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    fields = []
    for field in arrow.schema:
        meta = {}
        if field.name in paths:
            meta = {b"path": paths[field.name].encode(),
                    DESCRIPTION: f"Varied setting {paths[field.name]}.".encode()}
        elif field.name == "point":
            meta = {DESCRIPTION: b"Sweep point (its scenario name)."}
        elif column_doc("replications", field.name):
            meta = {DESCRIPTION: column_doc("replications", field.name).encode()}
        fields.append(field.with_metadata(meta) if meta else field)
    return arrow.cast(pa.schema(fields, metadata=arrow.schema.metadata))
