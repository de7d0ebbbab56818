"""Reading saved result folders for the report: run, compare, sweep (and several runs).

Nothing here simulates. A folder is recognised by its marker file:

- ``comparison.json``: a COMPARE folder (one run folder per scenario beside it);
- ``sweep_summary.json``: a SWEEP folder (``points/<point>/`` run folders);
- ``run.json`` + ``summary.json``: a RUN folder;
- none of these, but sub-folders that are run folders: several runs side by side
  (``hiresim run a.yaml b.yaml --out DIR``).

Anything else raises :class:`ReportError` with a one-line message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from hiresim.folder_guard import safe_name
from hiresim.records import FUNNEL_COLUMNS, REQ_COLUMNS, SNAPSHOT_COLUMNS, STAFF_COLUMNS
from hiresim.sweep_grid import ROW_FIELDS

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "reqs": REQ_COLUMNS,
    "staff": STAFF_COLUMNS,
    "snapshots": SNAPSHOT_COLUMNS,
    "funnel": FUNNEL_COLUMNS,
}


class ReportError(Exception):
    """A folder that cannot be turned into a report (one-line message)."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ReportError(f"{path}: cannot read it ({err.strerror})") from None
    except ValueError as err:
        raise ReportError(f"{path}: not valid JSON ({err})") from None


@dataclass
class RunData:
    """One scenario's saved run: provenance, summary, resolved scenario and tables."""

    path: Path
    name: str
    meta: dict
    summary: dict
    scenario: dict
    goals: list[dict] = field(default_factory=list)
    bottleneck: dict | None = None  # by effect (bottleneck.json of run --bottleneck)
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def metrics(self) -> dict:
        return self.summary.get("metrics", {}) or {}

    @property
    def horizon(self) -> float:
        sim = self.scenario.get("simulation") or {}
        try:
            return float(sim.get("horizon_days", 365.0))
        except (TypeError, ValueError):
            return 365.0

    @property
    def warmup(self) -> float:
        sim = self.scenario.get("simulation") or {}
        try:
            return float(sim.get("warmup_days") or 0.0)
        except (TypeError, ValueError):
            return 0.0

    @property
    def replications(self) -> int:
        value = self.summary.get("replications", self.meta.get("replications"))
        return int(value) if isinstance(value, int | float) else 0

    def table(self, name: str) -> pd.DataFrame:
        """A table of the folder (parquet or csv); an empty frame if it is not there."""
        if name in self._tables:
            return self._tables[name]
        frame = None
        for suffix in ("parquet", "csv"):
            path = self.path / f"{name}.{suffix}"
            if path.is_file():
                try:
                    frame = (pd.read_parquet(path) if suffix == "parquet"
                             else pd.read_csv(path))
                except Exception as err:
                    raise ReportError(f"{path}: cannot read the table ({err})") from None
                break
        if frame is None:
            columns = ["replication", *TABLE_COLUMNS.get(name, ())]
            frame = pd.DataFrame(columns=columns)
        self._tables[name] = frame
        return frame


@dataclass
class CompareData:
    path: Path
    report: dict
    runs: list[RunData]

    @property
    def baseline(self) -> str:
        return str(self.report.get("baseline") or self.runs[0].name)


@dataclass
class SweepData:
    path: Path
    report: dict
    points: pd.DataFrame
    runs: dict[str, RunData]  # point name -> its run folder (those that exist)
    settings: list[str]


@dataclass
class MultiRunData:
    path: Path
    runs: list[RunData]


def is_run_folder(path: Path) -> bool:
    return (path / "run.json").is_file() and (path / "summary.json").is_file()


def load_run(path: Path, name: str | None = None) -> RunData:
    """A run folder; refuses unfinished runs with a one-line reason."""
    meta_path = path / "run.json"
    if not meta_path.is_file():
        raise ReportError(f"{path}: not a hiresim result folder (no run.json)")
    meta = _read_json(meta_path)
    if not isinstance(meta, dict):
        raise ReportError(f"{meta_path}: not a hiresim run.json")
    status = meta.get("status")
    if status != "complete" or not (path / "summary.json").is_file():
        raise ReportError(
            f"{path}: the run is not complete (status {status!s}, "
            f"{meta.get('completed', '?')} of {meta.get('replications', '?')} replications); "
            "finish it with 'hiresim run ... --resume' first")
    summary = _read_json(path / "summary.json")
    if not isinstance(summary, dict):
        raise ReportError(f"{path / 'summary.json'}: not a hiresim summary")
    scenario: dict = {}
    scenario_path = path / "scenario.yaml"
    if scenario_path.is_file():
        try:
            loaded = yaml.safe_load(scenario_path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as err:
            raise ReportError(f"{scenario_path}: cannot read it ({err})") from None
        scenario = loaded if isinstance(loaded, dict) else {}
    display = name if name is not None else str(
        summary.get("scenario") or meta.get("scenario") or scenario.get("name") or path.name)
    raw_goals = summary.get("goals")
    goals = [g for g in raw_goals if isinstance(g, dict)] if isinstance(raw_goals, list) else []
    by_effect = path / "bottleneck.json"
    found = _read_json(by_effect) if by_effect.is_file() else None
    return RunData(path=path, name=display, meta=meta, summary=summary, scenario=scenario,
                   goals=goals, bottleneck=found if isinstance(found, dict) else None)


def _find_run(parent: Path, name: str, used: set[Path]) -> Path | None:
    direct = parent / safe_name(name)
    if is_run_folder(direct) and direct not in used:
        return direct
    for sub in sorted(p for p in parent.iterdir() if p.is_dir()):
        if sub in used or not is_run_folder(sub):
            continue
        try:
            meta = json.loads((sub / "run.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and meta.get("scenario") == name:
            return sub
    return direct if is_run_folder(direct) else None


def load_compare(path: Path) -> CompareData:
    report = _read_json(path / "comparison.json")
    if not isinstance(report, dict) or not isinstance(report.get("scenarios"), list) \
            or not report["scenarios"]:
        raise ReportError(f"{path / 'comparison.json'}: not a hiresim comparison")
    runs: list[RunData] = []
    used: set[Path] = set()
    for payload in report["scenarios"]:
        name = str(payload.get("scenario", ""))
        folder = payload.get("folder")  # written since folder names are made unique
        sub = (path / folder if isinstance(folder, str) and is_run_folder(path / folder)
               else _find_run(path, name, used))
        if sub is None:
            raise ReportError(f"{path}: the result folder of scenario {name!r} is missing "
                              f"(expected {safe_name(name)}/)")
        used.add(sub)
        run = load_run(sub, name=name)
        if isinstance(payload.get("goals"), list):
            run.goals = list(payload["goals"])
        runs.append(run)
    return CompareData(path=path, report=report, runs=runs)


_ROW_FIELDS = ROW_FIELDS | {
    # issue 16: coordinators, hires per TA head, agency fees, TA cost with agency fees
    "coordinators", "hires_per_ta_head", "cost_agency_fees", "ta_cost_per_year",
}


def load_sweep(path: Path) -> SweepData:
    report = _read_json(path / "sweep_summary.json")
    if not isinstance(report, dict) or not isinstance(report.get("points"), list) \
            or not report["points"]:
        raise ReportError(f"{path / 'sweep_summary.json'}: not a hiresim sweep summary")
    rows = report["points"]
    settings = [k for k in rows[0] if k not in _ROW_FIELDS]
    points = pd.DataFrame(rows)
    points["point"] = points["point"].astype(str)
    runs: dict[str, RunData] = {}
    folder = path / "points"
    used: set[Path] = set()
    if folder.is_dir():
        for name in points["point"]:
            sub = _find_run(folder, name, used)
            if sub is None:
                continue
            used.add(sub)
            try:
                runs[name] = load_run(sub, name=name)
            except ReportError:
                continue
    return SweepData(path=path, report=report, points=points, runs=runs, settings=settings)


def load_multi(path: Path) -> MultiRunData | None:
    subs = sorted(p for p in path.iterdir() if p.is_dir() and is_run_folder(p))
    if not subs:
        return None
    return MultiRunData(path=path, runs=[load_run(p) for p in subs])


def load_folder(folder: str | Path) -> RunData | CompareData | SweepData | MultiRunData:
    """Detect the kind of result folder and load it."""
    path = Path(folder)
    if not path.exists():
        raise ReportError(f"{path}: no such folder")
    if not path.is_dir():
        raise ReportError(f"{path}: not a folder (give a result folder written with --out)")
    if (path / "comparison.json").is_file():
        return load_compare(path)
    if (path / "sweep_summary.json").is_file():
        return load_sweep(path)
    if (path / "run.json").is_file():
        return load_run(path)
    try:
        multi = load_multi(path)
    except OSError as err:
        raise ReportError(f"{path}: cannot read the folder ({err.strerror})") from None
    if multi is None:
        raise ReportError(f"{path}: not a hiresim result folder (no run.json, comparison.json "
                          "or sweep_summary.json)")
    return multi
