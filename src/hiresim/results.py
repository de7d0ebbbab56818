"""The results of one scenario's Monte Carlo batch, as the Python API and the CLI see them.

    >>> import hiresim
    >>> res = hiresim.simulate("scenarios/split.yaml", replications=20)
    >>> res.summary()["time_to_fill_days"]["p80"]
    >>> res.summary_frame()     # the same as a table: one row per KPI
    >>> res.replications        # one row per replication: every KPI (hiresim.kpi_catalogue)
    >>> res.reqs                # one row per req per replication
    >>> hiresim.simulate("scenarios/split.yaml", record_candidates=True).candidates

Every table is a pandas DataFrame whose first column is ``scenario`` (the scenario's
name), so the tables of several runs concatenate cleanly, then ``replication``. Columns:

- ``replications``: ``seed`` and one column per KPI (names, units and meaning in
  ``hiresim.kpi_catalogue``).
- ``reqs``: ``hiresim.records.REQ_COLUMNS`` (days since the start of the simulation) and
  ``time_to_fill_days`` (nan for a req still open at the horizon).
- ``staff``: hours per person and activity; ``snapshots``: weekly backlog counts;
  ``funnel``: stage visits by source, stage and outcome (candidates);
  ``candidates`` and ``visits`` (only with ``record_candidates``): one row per candidate
  and per stage visit, with ``wait_days`` and ``days_in_stage`` on visits;
  ``calendar`` and ``calendar_hires``: per month (hiresim.records.MONTH_COLUMNS).
- ``months`` and ``planned_hires``: the month table across replications and the month
  each planned hire is likely made (``hiresim.months``).

Tables come from the replications kept in memory (the Python API keeps them) or, for a
batch written to a result folder, from that folder's files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow as pa

from hiresim import metrics
from hiresim import months as month_tables
from hiresim.kpi_catalogue import BY_NAME, FILL_TIME
from hiresim.records import ReplicationResult
from hiresim.scenario import Scenario
from hiresim.table_columns import tidy

_FRAMES = {
    "replications": metrics.replications_frame,
    "reqs": metrics.reqs_frame,
    "candidates": metrics.candidates_frame,
    "visits": metrics.visits_frame,
    "staff": metrics.staff_frame,
    "snapshots": metrics.snapshots_frame,
    "funnel": metrics.funnel_frame,
    "calendar": month_tables.calendar_frame,
    "calendar_hires": month_tables.calendar_hires_frame,
}


_SUMMARY_NUMBERS = ("mean", "ci_low", "ci_high", "p50", "p80", "p90")
_UNITS = {"days": "days", "money": "currency", "share": "fraction (0-1)", "count": "count",
          "ratio": "ratio"}


@dataclass
class Results:
    """One scenario run ``n_replications`` times: KPIs per replication, their summary,
    the probability of meeting each goal, and the files written (if any)."""

    scenario: Scenario
    seed: int
    n_replications: int
    kpis: pd.DataFrame = field(repr=False)
    metrics: dict = field(repr=False)
    goals: list[dict] = field(default_factory=list)
    folder: Path | None = None
    files: list[Path] = field(default_factory=list)
    runs: list[ReplicationResult] = field(default_factory=list, repr=False)
    resumed: int = 0
    precision_reached: bool | None = None  # with a precision target: was it met?
    name: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or self.scenario.name

    # -- summaries -------------------------------------------------------------------
    def summary(self) -> dict[str, dict]:
        """Every KPI across replications: mean and 95% interval (``n``, ``mean``,
        ``ci_low``, ``ci_high``); ``time_to_fill_days`` adds pooled ``p50``/``p80``/``p90``
        and ``censored_reqs`` (``hiresim.metrics``)."""
        return self.metrics

    def summary_frame(self) -> pd.DataFrame:
        """``summary()`` as a tidy table: one row per KPI with ``scenario``, ``kpi``,
        ``label``, ``kind``, ``unit``, ``n``, ``mean``, ``ci_low``, ``ci_high`` (label and
        kind from ``hiresim.kpi_catalogue``); ``time_to_fill_days`` adds the pooled
        Kaplan-Meier ``p50``, ``p80``, ``p90`` (nan elsewhere). Frames of several runs
        concatenate."""
        rows = []
        for kpi, values in self.metrics.items():
            entry = BY_NAME.get(kpi)
            kind = entry.kind if entry else "days" if kpi == FILL_TIME else ""
            label = entry.label if entry else (
                "Time to fill, median per run (days)" if kpi == FILL_TIME else kpi)
            rows.append({"scenario": self.name, "kpi": kpi, "label": label, "kind": kind,
                         "unit": _UNITS.get(kind, ""), "n": values.get("n"),
                         **{k: values.get(k) for k in _SUMMARY_NUMBERS}})
        frame = pd.DataFrame(rows, columns=["scenario", "kpi", "label", "kind", "unit", "n",
                                            *_SUMMARY_NUMBERS])
        frame["n"] = frame["n"].fillna(0).astype("int64")
        for column in _SUMMARY_NUMBERS:
            frame[column] = frame[column].astype("float64")
        return frame

    def to_dict(self) -> dict:
        """The JSON shape of ``hiresim run --format json`` and of ``summary.json``."""
        out = {"scenario": self.name, "replications": self.n_replications, "seed": self.seed,
               "metrics": self.metrics}
        if self.goals:
            out["goals"] = self.goals
        return out

    # -- tables ----------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        """A table by name (see the module docstring), with the ``scenario`` column first."""
        if name not in _FRAMES:
            raise KeyError(f"no table {name!r}; tables: {', '.join(_FRAMES)}")
        if self.runs:  # typed as its Parquet file would be (Arrow round trip)
            frame = tidy(name, _FRAMES[name](self.runs), self.name)
            return pa.Table.from_pandas(frame, preserve_index=False).to_pandas()
        if self.folder is not None:
            return tidy(name, _read_saved(self.folder, name), self.name)
        raise ValueError(f"the {name} table was not kept: run with keep_runs=True or "
                         "write a result folder")

    @cached_property
    def replications(self) -> pd.DataFrame:
        return self.table("replications")

    @cached_property
    def reqs(self) -> pd.DataFrame:
        return self.table("reqs")

    @cached_property
    def candidates(self) -> pd.DataFrame:
        return self.table("candidates")

    @cached_property
    def visits(self) -> pd.DataFrame:
        return self.table("visits")

    @cached_property
    def staff(self) -> pd.DataFrame:
        return self.table("staff")

    @cached_property
    def snapshots(self) -> pd.DataFrame:
        return self.table("snapshots")

    @cached_property
    def funnel(self) -> pd.DataFrame:
        return self.table("funnel")

    @cached_property
    def months(self) -> pd.DataFrame:
        """The month table: hires per month against the plan with the simulated band,
        reqs open and backlog, staff hours (``hiresim.months.month_table``)."""
        return self._month_frame(month_tables.month_table(
            self.scenario, self.table("calendar"), self.table("calendar_hires")))

    @cached_property
    def planned_hires(self) -> pd.DataFrame:
        """Each planned hire: the months it is likely made (P50/P80), share on time."""
        return self._month_frame(month_tables.planned_hire_table(self.scenario,
                                                           self.table("calendar_hires")))

    def _month_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame.insert(0, "scenario", self.name)
        return frame


def _read_saved(folder: Path, name: str) -> pd.DataFrame:
    """A final table of a result folder, with the columns the in-memory table derives."""
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.is_file():
        frame = pd.read_parquet(parquet)
    elif csv.is_file():
        frame = pd.read_csv(csv)
    else:
        raise ValueError(f"{folder}: no {name} table (candidates and visits need "
                         "record_candidates / --records candidates)")
    return frame
