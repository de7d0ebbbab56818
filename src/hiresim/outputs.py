"""Result folders: tables a user can open in pandas, polars or DuckDB, written safely.

Layout of ``--out DIR`` (one scenario)::

    DIR/scenario.yaml        the fully resolved scenario (every default filled in)
    DIR/run.json             provenance: versions, seed, replications, executor, wall time
    DIR/summary.json         the summary printed by ``--format json``
    DIR/replications.parquet one row per replication: every KPI
    DIR/reqs.parquet         one row per req per replication
    DIR/staff.parquet        hours per person and activity per replication
    DIR/snapshots.parquet    weekly backlog snapshots per replication
    DIR/funnel.parquet       stage visits by source, stage and outcome per replication
    DIR/candidates.parquet   one row per candidate (only with --records candidates)
    DIR/visits.parquet       one row per stage visit (only with --records candidates)

(``.csv`` instead of ``.parquet`` with ``--table-format csv``.)

Every file is written atomically (temporary file, fsync, rename), so an interrupted run
never leaves a half-written file that looks complete. While a run is under way, finished
replications are saved in ``DIR/parts/`` in chunks; a chunk counts only once its marker
file exists. ``resume`` picks up the finished chunks, checks that the scenario and seed
are unchanged, and the final tables are identical to those of an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from hiresim import __version__
from hiresim.records import (
    CANDIDATE_COLUMNS,
    FUNNEL_COLUMNS,
    REQ_COLUMNS,
    SNAPSHOT_COLUMNS,
    STAFF_COLUMNS,
    VISIT_COLUMNS,
    ReplicationResult,
)
from hiresim.scenario import Scenario, scenario_to_dict

PARTS = "parts"
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() would give: mkstemp's 0600 is too private
CHUNK_REPLICATIONS = 10
TABLES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    # table name -> (ReplicationResult attribute, columns); None columns: the KPI dict
    "replications": ("kpis", None),
    "reqs": ("reqs", REQ_COLUMNS),
    "staff": ("staff", STAFF_COLUMNS),
    "snapshots": ("snapshots", SNAPSHOT_COLUMNS),
    "funnel": ("funnel", FUNNEL_COLUMNS),
    "candidates": ("candidates", CANDIDATE_COLUMNS),
    "visits": ("visits", VISIT_COLUMNS),
}
DETAIL_TABLES = ("candidates", "visits")


class OutputError(Exception):
    """A result folder cannot be used as asked (exists, is a file, changed scenario, ...)."""


def scenario_fingerprint(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario, independent of key order and of its name."""
    data = scenario_to_dict(scenario)
    data.pop("name", None)
    data.pop("description", None)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that it either appears whole or not at all."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_frame(path: Path, frame: pd.DataFrame, fmt: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if fmt == "csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def table_frame(results: Sequence[ReplicationResult], table: str) -> pd.DataFrame:
    """One table of a batch of replications, with a leading ``replication`` column."""
    attr, columns = TABLES[table]
    if columns is None:
        return pd.DataFrame([{"replication": r.replication, "seed": r.seed, **r.kpis}
                             for r in results])
    frames = []
    for r in results:
        rows = getattr(r, attr) or []
        frame = pd.DataFrame.from_records(rows, columns=list(columns))
        frame.insert(0, "replication", r.replication)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["replication", *columns])
    return pd.concat(frames, ignore_index=True)


def package_versions() -> dict[str, str]:
    out = {}
    for name in ("simpy", "numpy", "pandas", "pydantic", "scipy", "pyarrow", "click"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@dataclass
class ResultFolder:
    """A result folder being written (or resumed) for one scenario run."""

    path: Path
    scenario: Scenario
    seed: int
    replications: int
    detail: bool
    table_format: str
    executor: str
    started: float

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def prepare(cls, path: str | Path, scenario: Scenario, seed: int, replications: int,
                detail: bool, table_format: str, executor: str, force: bool = False,
                resume: bool = False) -> tuple[ResultFolder, list[int]]:
        """Open a folder for writing; returns it and the replications already done."""
        folder_path = Path(path)
        if folder_path.exists() and not folder_path.is_dir():
            raise OutputError(f"{folder_path}: exists and is not a folder")
        folder = cls(folder_path, scenario, seed, replications, detail, table_format,
                     executor, time.time())
        if resume:
            return folder, folder._resume_check()
        if folder_path.exists() and any(folder_path.iterdir()):
            if not force:
                raise OutputError(
                    f"{folder_path}: folder exists and is not empty; use --force to overwrite "
                    "it or --resume to continue an interrupted run"
                )
            shutil.rmtree(folder_path)
        try:
            (folder_path / PARTS).mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputError(f"{folder_path}: cannot create the folder: {err.strerror}") from err
        folder._write_meta(status="running", completed=0)
        return folder, []

    def _resume_check(self) -> list[int]:
        meta_path = self.path / "run.json"
        if not meta_path.is_file():
            raise OutputError(f"{self.path}: nothing to resume (no run.json); run without "
                              "--resume")
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError) as err:
            raise OutputError(f"{meta_path}: unreadable ({err})") from err
        if meta.get("scenario_sha256") != scenario_fingerprint(self.scenario):
            raise OutputError(f"{self.path}: the scenario changed since this folder was started; "
                              "use a new --out folder (or --force to start over)")
        if meta.get("seed") != self.seed:
            raise OutputError(f"{self.path}: the seed changed since this folder was started "
                              f"(was {meta.get('seed')}, now {self.seed})")
        if bool(meta.get("detail")) != self.detail:
            raise OutputError(f"{self.path}: --records changed since this folder was started")
        self.table_format = meta.get("table_format", self.table_format)
        if meta.get("status") == "complete" and meta.get("replications") == self.replications:
            return list(range(self.replications))
        (self.path / PARTS).mkdir(exist_ok=True)
        done = self._done_chunks()
        numbers = sorted(k for first, last in done for k in range(first, last + 1))
        if numbers and numbers[-1] >= self.replications:
            raise OutputError(f"{self.path}: holds replications beyond -n {self.replications}; "
                              "resume with the same -n")
        return numbers

    # -- parts ---------------------------------------------------------------------------
    def _done_chunks(self) -> list[tuple[int, int]]:
        out = []
        for marker in (self.path / PARTS).glob("chunk-*.done"):
            first, last = (int(x) for x in marker.stem.split("-")[1:3])
            out.append((first, last))
        return sorted(out)

    def write_chunk(self, results: Sequence[ReplicationResult]) -> None:
        """Save a contiguous run of finished replications; all-or-nothing via a marker."""
        if not results:
            return
        first, last = results[0].replication, results[-1].replication
        parts = self.path / PARTS
        for table in self._tables():
            atomic_write_frame(parts / f"{table}-{first:07d}-{last:07d}.parquet",
                          table_frame(results, table), "parquet")
        atomic_write_text(parts / f"chunk-{first:07d}-{last:07d}.done", "")

    def _tables(self) -> list[str]:
        return [t for t in TABLES if self.detail or t not in DETAIL_TABLES]

    def read_table(self, table: str) -> pd.DataFrame:
        """A table assembled from the finished chunks, in replication order."""
        frames = []
        chunks = self._done_chunks() if (self.path / PARTS).is_dir() else []
        for first, last in chunks:
            frames.append(pd.read_parquet(
                self.path / PARTS / f"{table}-{first:07d}-{last:07d}.parquet"))
        if not frames:
            final = self.path / f"{table}.parquet"
            if final.is_file():  # a finished folder (resumed when already complete)
                return pd.read_parquet(final)
            if (self.path / f"{table}.csv").is_file():
                return pd.read_csv(self.path / f"{table}.csv")
            return table_frame([], table)
        frame = pd.concat(frames, ignore_index=True)
        return frame.sort_values("replication", kind="stable").reset_index(drop=True)

    # -- finishing -----------------------------------------------------------------------
    def finish(self, summary: dict) -> list[Path]:
        """Write the final tables, the resolved scenario, summary and provenance."""
        written = []
        suffix = "csv" if self.table_format == "csv" else "parquet"
        for table in self._tables():
            target = self.path / f"{table}.{suffix}"
            atomic_write_frame(target, self.read_table(table), self.table_format)
            written.append(target)
        scenario_yaml = yaml.safe_dump(scenario_to_dict(self.scenario), sort_keys=False)
        atomic_write_text(self.path / "scenario.yaml", scenario_yaml)
        atomic_write_text(self.path / "summary.json", json.dumps(_json_safe(summary), indent=2))
        self._write_meta(status="complete", completed=self.replications)
        shutil.rmtree(self.path / PARTS, ignore_errors=True)
        return [self.path / "scenario.yaml", self.path / "run.json",
                self.path / "summary.json", *written]

    def mark_interrupted(self, completed: int) -> None:
        self._write_meta(status="interrupted", completed=completed)

    def _write_meta(self, status: str, completed: int) -> None:
        meta = {
            "hiresim_version": __version__,
            "python": platform.python_version(),
            "packages": package_versions(),
            "scenario": self.scenario.name,
            "scenario_sha256": scenario_fingerprint(self.scenario),
            "seed": self.seed,
            "replications": self.replications,
            "completed": completed,
            "detail": self.detail,
            "table_format": self.table_format,
            "executor": self.executor,
            "status": status,
            "started_unix": self.started,
            "wall_seconds": round(time.time() - self.started, 3),
        }
        atomic_write_text(self.path / "run.json", json.dumps(meta, indent=2))


def recorded_replications(path: str | Path) -> int | None:
    """The replication count a result folder was started with (None if unknown)."""
    try:
        meta = json.loads((Path(path) / "run.json").read_text())
    except (OSError, ValueError):
        return None
    value = meta.get("replications")
    return value if isinstance(value, int) else None


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and (np.isnan(value) or np.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def json_safe(value: Any) -> Any:
    """Replace nan/inf by None, recursively, for JSON output."""
    return _json_safe(value)


def fill_times_from_reqs(reqs: pd.DataFrame, horizon_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Pooled (days to fill or to the horizon, filled) of counted reqs in a reqs table."""
    counted = reqs[reqs["counted"].astype(bool)]
    filled = counted["filled_day"].notna().to_numpy()
    end = np.where(filled, counted["filled_day"].to_numpy(dtype=float), horizon_days)
    return end - counted["open_day"].to_numpy(dtype=float), filled


def iter_chunks(results: Iterable[ReplicationResult], size: int = CHUNK_REPLICATIONS
                ) -> Iterable[list[ReplicationResult]]:
    """Group a stream of results into contiguous chunks."""
    chunk: list[ReplicationResult] = []
    for r in results:
        if chunk and r.replication != chunk[-1].replication + 1:
            yield chunk
            chunk = []
        chunk.append(r)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
