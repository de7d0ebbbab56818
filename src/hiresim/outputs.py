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
    DIR/calendar.parquet     per replication and month: reqs open, backlog, staff hours
    DIR/calendar_hires.parquet  per replication, month and profile: reqs opened, hires
    DIR/months.parquet       the month table across replications: hires against the plan
                             with their band, reqs, staff hours (hiresim.months)
    DIR/planned_hires.parquet  each planned hire: the month it is likely made (P50/P80)

(``.csv`` instead of ``.parquet`` with ``--table-format csv``.)

Every file is written atomically (temporary file, fsync, rename: ``hiresim.table_files``),
so an interrupted run never leaves a half-written file that looks complete. While a run is
under way, finished replications are saved in ``DIR/parts/`` in chunks; a chunk counts
only once its marker file exists. ``resume`` picks up the finished chunks, checks that the
scenario and seed are unchanged, and the final tables are identical to those of an
uninterrupted run.

The final tables are streamed from the chunks, one chunk at a time, so writing them takes
the same memory for 100 or 100,000 replications. The chunks of a table are first
given one schema (``unify_schema``): the column types ``pandas.concat`` of the chunks
would have given, e.g. a column that is empty or all missing in one chunk takes its type
from the others, and integers next to floats become floats.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import platform
import shutil
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from hiresim import __version__
from hiresim.folder_guard import (
    STUDY_FILE,
    FolderError,
    FolderLock,
    check_may_empty,
    check_not_locked,
    file_digest,
    verify_run_folder,
)
from hiresim.records import (
    CANDIDATE_COLUMNS,
    FUNNEL_COLUMNS,
    MONTH_COLUMNS,
    MONTH_HIRE_COLUMNS,
    REQ_COLUMNS,
    SNAPSHOT_COLUMNS,
    STAFF_COLUMNS,
    VISIT_COLUMNS,
    ReplicationResult,
)
from hiresim.scenario import Scenario, scenario_to_dict
from hiresim.table_columns import documented, sweep_arrow, tidy
from hiresim.table_files import (
    TableSchemaError,
    atomic_write_frame,
    atomic_write_table,
    atomic_write_text,
    conform,
    unify_schema,
    with_pandas_metadata,
    write_csv_stream,
    write_parquet_stream,
)

PARTS = "parts"
CHUNK_REPLICATIONS = 10
# Written at the end from the calendar tables, across replications (hiresim.months):
MONTH_TABLES = ("months", "planned_hires")
TABLES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    # table name -> (ReplicationResult attribute, columns); None columns: the KPI dict
    # (and MONTH_TABLES, derived from "calendar" and "calendar_hires" when a run finishes)
    "replications": ("kpis", None),
    "reqs": ("reqs", REQ_COLUMNS),
    "staff": ("staff", STAFF_COLUMNS),
    "snapshots": ("snapshots", SNAPSHOT_COLUMNS),
    "funnel": ("funnel", FUNNEL_COLUMNS),
    "candidates": ("candidates", CANDIDATE_COLUMNS),
    "visits": ("visits", VISIT_COLUMNS),
    "calendar": ("months", MONTH_COLUMNS),
    "calendar_hires": ("month_hires", MONTH_HIRE_COLUMNS),
}
DETAIL_TABLES = ("candidates", "visits")


class OutputError(FolderError):
    """A result folder cannot be used as asked (exists, is a file, changed scenario, ...)."""


def scenario_fingerprint(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario, independent of key order and of its name."""
    data = scenario_to_dict(scenario)
    data.pop("name", None)
    data.pop("description", None)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    lock: FolderLock | None = None
    label: str = ""  # the ``scenario`` column of the tables (default: the scenario's name)

    @property
    def shown_name(self) -> str:
        return self.label or self.scenario.name

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def prepare(cls, path: str | Path, scenario: Scenario, seed: int, replications: int,
                detail: bool, table_format: str, executor: str, force: bool = False,
                resume: bool = False, protect: Collection[Path] = ()
                ) -> tuple[ResultFolder, list[int]]:
        """Open a folder for writing, locked for this writer until ``finish`` or
        ``mark_interrupted``; returns it and the replications already done.

        ``force`` empties a folder only if hiresim wrote it and it holds none of the paths
        in ``protect`` (the run's inputs): ``hiresim.folder_guard``.
        """
        folder_path = Path(path)
        if folder_path.exists() and not folder_path.is_dir():
            raise OutputError(f"{folder_path}: exists and is not a folder")
        folder = cls(folder_path, scenario, seed, replications, detail, table_format,
                     executor, time.time())
        if resume:
            if not (folder_path / "run.json").is_file():
                raise OutputError(f"{folder_path}: nothing to resume (no run.json); run "
                                  "without --resume")
            folder.lock = FolderLock(folder_path).acquire()
            try:
                return folder, folder._resume_check()
            except BaseException:
                folder.lock.release()
                raise
        if folder_path.exists() and any(folder_path.iterdir()):
            if not force:
                raise OutputError(
                    f"{folder_path}: folder exists and is not empty; use --force to overwrite "
                    "it or --resume to continue an interrupted run"
                )
            check_not_locked(folder_path)
            check_may_empty(folder_path, protect)
            shutil.rmtree(folder_path)
        try:
            (folder_path / PARTS).mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputError(f"{folder_path}: cannot create the folder: {err.strerror}") from err
        folder.lock = FolderLock(folder_path).acquire()
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
        saved = meta.get("replications")
        if meta.get("status") == "complete" and isinstance(saved, int):
            _verify(self.path)  # never resume from damaged tables
            if saved > self.replications:
                raise self._fewer(saved)
            if saved == self.replications:
                return list(range(saved))
        (self.path / PARTS).mkdir(exist_ok=True)
        done = self._done_chunks()
        numbers = sorted(k for first, last in done for k in range(first, last + 1))
        if numbers and numbers[-1] >= self.replications:
            raise self._fewer(numbers[-1] + 1)  # resuming never throws replications away
        return numbers

    def _fewer(self, saved: int) -> OutputError:
        return OutputError(f"{self.path}: holds {saved} replications, more than -n "
                           f"{self.replications}; resume with -n {saved} or more, or "
                           "without -n")

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
                               self._tidy(table, results), "parquet")
        atomic_write_text(parts / f"chunk-{first:07d}-{last:07d}.done", "")

    def _tidy(self, table: str, results: Sequence[ReplicationResult]) -> pd.DataFrame:
        """A table as stored (``hiresim.table_columns.tidy``: scenario column, typed)."""
        return tidy(table, table_frame(results, table), self.shown_name)

    def _tables(self) -> list[str]:
        return [t for t in TABLES if self.detail or t not in DETAIL_TABLES]

    def _chunk_files(self, table: str) -> list[tuple[int, int, Path]]:
        """The finished chunk files of a table in replication order. They must cover
        replications 0 .. n-1 exactly once: anything else is a damaged folder."""
        out, expected = [], 0
        for first, last in self._done_chunks():
            if first != expected:
                what = "overlap" if first < expected else f"miss replication {expected}"
                raise OutputError(f"{self.path / PARTS}: saved chunks {what}; start over "
                                  "with --force")
            part = self.path / PARTS / f"{table}-{first:07d}-{last:07d}.parquet"
            if not part.is_file():
                raise OutputError(f"{part}: missing although its chunk is marked done "
                                  "(damaged folder); start over with --force")
            out.append((first, last, part))
            expected = last + 1
        if expected != self.replications:
            raise OutputError(f"{self.path / PARTS}: saved chunks hold {expected} "
                              f"replications, not {self.replications}")
        return out

    def _stream(self, table: str, columns: Sequence[str] | None = None
                ) -> tuple[pa.Schema, Iterator[pa.Table]]:
        """The schema of a table and its chunks, read one at a time and conformed to it."""
        files = self._chunk_files(table)
        wanted = _with_replication(columns)
        schema = None
        names: dict[Path, list[str]] = {}  # columns of each chunk, from its footer
        for _, _, path in files:  # the footers only: no rows are read yet
            found = _read_part(path, pq.read_schema)
            names[path] = found.names
            if wanted is not None:
                found = pa.schema([found.field(c) for c in wanted if c in found.names])
            try:
                schema = unify_schema(schema, found)
            except TableSchemaError as err:
                raise OutputError(f"{path}: {err}") from err
        assert schema is not None, "no chunk"
        if wanted is not None:  # in the order asked for; a column no chunk has: nulls
            schema = pa.schema([schema.field(c) if c in schema.names else pa.field(c, pa.null())
                                for c in wanted])
        schema = documented(table, with_pandas_metadata(schema))

        def chunks() -> Iterator[pa.Table]:
            for first, last, path in files:
                read = wanted
                if wanted is not None:
                    read = [c for c in wanted if c in names[path]]
                data = _read_part(path, functools.partial(pq.read_table, columns=read))
                _check_rows(path, data, first, last, exact=table == "replications")
                yield conform(data, schema)

        return schema, chunks()

    def read_table(self, table: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A table assembled from the finished chunks, in replication order: the same frame
        as the final table read back with ``pandas.read_parquet``. ``columns``: only these
        (and ``replication``)."""
        if not (self.path / PARTS).is_dir():  # a finished folder (resumed when complete)
            final = self.path / f"{table}.parquet"
            if final.is_file():
                return pd.read_parquet(final, columns=_with_replication(columns))
            if (self.path / f"{table}.csv").is_file():
                return pd.read_csv(self.path / f"{table}.csv",
                                   usecols=_with_replication(columns))
            raise OutputError(f"{self.path}: {table} table missing; start over with --force")
        if self.replications == 0:
            frame = self._tidy(table, [])
            return frame if columns is None else frame[_with_replication(columns)]
        schema, chunks = self._stream(table, columns)
        return pa.concat_tables([schema.empty_table(), *chunks]).to_pandas()

    # -- finishing -----------------------------------------------------------------------
    def finish(self, summary: dict) -> list[Path]:
        """Write the final tables (streamed chunk by chunk), the resolved scenario, summary
        and provenance; then mark the folder complete and drop the chunks."""
        written = [self._write_final(table) for table in self._tables()]
        written += self._write_month_tables()
        scenario_yaml = yaml.safe_dump(scenario_to_dict(self.scenario), sort_keys=False)
        atomic_write_text(self.path / "scenario.yaml", scenario_yaml)
        atomic_write_text(self.path / "summary.json", json.dumps(_json_safe(summary), indent=2))
        files = ["scenario.yaml", "summary.json", *(p.name for p in written)]
        self._write_meta(status="complete", completed=self.replications,
                         files={name: _file_entry(self.path / name) for name in files})
        shutil.rmtree(self.path / PARTS, ignore_errors=True)
        self._unlock()
        return [self.path / "scenario.yaml", self.path / "run.json",
                self.path / "summary.json", *written]

    def _write_final(self, table: str) -> Path:
        suffix = "csv" if self.table_format == "csv" else "parquet"
        target = self.path / f"{table}.{suffix}"
        if not (self.path / PARTS).is_dir():  # resumed when already complete: keep it
            if not target.is_file():
                raise OutputError(f"{target}: missing from a complete folder; start over "
                                  "with --force")
            return target
        if self.replications == 0:  # no replication at all: an empty table
            atomic_write_frame(target, self._tidy(table, []), self.table_format)
            return target
        schema, chunks = self._stream(table)
        if suffix == "csv":
            write_csv_stream(target, schema, chunks)
        else:
            write_parquet_stream(target, schema, chunks)
        return target

    def _write_month_tables(self) -> list[Path]:
        """The month table and the planned hires (``hiresim.months``), across replications."""
        from hiresim.months import month_table, planned_hire_table

        suffix = "csv" if self.table_format == "csv" else "parquet"
        try:
            months, hires = self.read_table("calendar"), self.read_table("calendar_hires")
        except OutputError:  # a folder of an older hiresim, without month records
            return []
        if not (set(MONTH_COLUMNS) <= set(months.columns)
                and set(MONTH_HIRE_COLUMNS) <= set(hires.columns)):
            return []
        frames = {"months": month_table(self.scenario, months, hires),
                  "planned_hires": planned_hire_table(self.scenario, hires)}
        out = []
        for name, frame in frames.items():
            frame.insert(0, "scenario", self.scenario.name)  # as Results.months has it
            target = self.path / f"{name}.{suffix}"
            atomic_write_frame(target, frame, self.table_format)
            out.append(target)
        return out

    def mark_interrupted(self, completed: int) -> None:
        self._write_meta(status="interrupted", completed=completed)
        self._unlock()

    def release(self) -> None:
        """Give up the folder's lock (after finishing, or when the run failed)."""
        self._unlock()

    def _unlock(self) -> None:
        if self.lock is not None:
            self.lock.release()

    def _write_meta(self, status: str, completed: int, files: dict | None = None) -> None:
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
        if files is not None:  # a complete folder: what report and --resume verify
            meta["files"] = files
        atomic_write_text(self.path / "run.json", json.dumps(meta, indent=2))


# ---------------------------------------------------------------- study folders
@contextlib.contextmanager
def study_folder(path: str | Path, force: bool, kind: str,
                 protect: Collection[Path] = ()) -> Iterator[Path]:
    """The top folder of a compare or sweep (``--out``), locked while the study writes it.

    A non-empty folder is refused without ``force``, and with it unless hiresim wrote it
    and it holds none of ``protect``; a path that is not a folder always. ``study.json``
    (provenance, ``status`` running, then complete) marks the folder as hiresim's.
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder")
    if folder.exists() and any(folder.iterdir()):
        if not force:
            raise OutputError(f"{folder}: folder exists and is not empty; use --force to "
                              "overwrite it")
        check_not_locked(folder)
        check_may_empty(folder, protect)
        shutil.rmtree(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{folder}: cannot create the folder: {err.strerror}") from err
    lock = FolderLock(folder).acquire()
    meta = {"hiresim_version": __version__, "kind": kind, "status": "running",
            "started_unix": time.time()}
    try:
        atomic_write_text(folder / STUDY_FILE, json.dumps(meta, indent=2))
        yield folder
        meta["status"] = "complete"
        atomic_write_text(folder / STUDY_FILE, json.dumps(meta, indent=2))
    finally:
        lock.release()


def verify_results(folder: Path) -> None:
    """Before a result folder is read back (report): every run in it is complete and its
    tables match run.json; a compare or sweep finished. ``OutputError`` with one line
    naming what is wrong or missing."""
    if (folder / "run.json").is_file():
        _verify(folder)
        return
    study = folder / STUDY_FILE
    if study.is_file():
        try:
            status = json.loads(study.read_text()).get("status")
        except (OSError, ValueError, AttributeError):
            status = None
        if status != "complete":
            raise OutputError(f"{folder}: the compare or sweep in this folder did not finish "
                              f"(study.json status: {status}); run it again")
    runs = [p.parent for p in sorted(folder.glob("*/run.json"))]
    runs += [p.parent for p in sorted(folder.glob("points/*/run.json"))]
    for run in runs:
        _verify(run)


def _verify(run: Path) -> None:
    try:
        verify_run_folder(run)
    except FolderError as err:
        raise OutputError(str(err)) from None


def write_comparison(folder: Path, report: dict) -> Path:
    """``comparison.json`` of a compare folder: the report ``hiresim compare`` prints."""
    target = folder / "comparison.json"
    atomic_write_text(target, json.dumps(_json_safe(report), indent=2))
    return target


def write_sweep(folder: Path, table: pd.DataFrame, report: dict) -> list[Path]:
    """``sweep.parquet`` (one row per point and replication) and ``sweep_summary.json``."""
    atomic_write_table(folder / "sweep.parquet", sweep_arrow(table))
    atomic_write_text(folder / "sweep_summary.json", json.dumps(_json_safe(report), indent=2))
    return [folder / "sweep.parquet", folder / "sweep_summary.json"]


def _read_part(path: Path, read: Callable[[Path], Any]) -> Any:
    """Read a saved chunk; a truncated or unreadable file is a damaged folder."""
    try:
        return read(path)
    except (pa.ArrowException, OSError) as err:
        raise OutputError(f"{path}: unreadable ({' '.join(str(err).split())[:120]}); the "
                          "folder is damaged: start over with --force") from None


def _file_entry(path: Path) -> dict:
    """Size, checksum and (for a Parquet table) row count of a file, for run.json."""
    entry: dict[str, Any] = {"bytes": path.stat().st_size, "sha256": file_digest(path)}
    if path.suffix == ".parquet":
        entry["rows"] = pq.ParquetFile(path).metadata.num_rows
    return entry


def _with_replication(columns: Sequence[str] | None) -> list[str] | None:
    if columns is None:
        return None
    return ["replication", *(c for c in columns if c != "replication")]


def _check_rows(path: Path, data: pa.Table, first: int, last: int, exact: bool) -> None:
    """The rows of a chunk file are replications first..last, in order (``exact``: each
    exactly once, as in the replications table)."""
    numbers = data.column("replication").to_numpy()
    if exact:
        ok = np.array_equal(numbers, np.arange(first, last + 1))
    else:
        ok = numbers.size == 0 or (numbers[0] >= first and numbers[-1] <= last
                                   and bool(np.all(np.diff(numbers) >= 0)))
    if not ok:
        raise OutputError(f"{path}: rows are not those of replications {first}..{last} in "
                          "order; start over with --force")


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
