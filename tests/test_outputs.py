"""Result folders (``hiresim run --out DIR``): layout, provenance, refusal rules, atomic
writes, and resuming an interrupted run to tables identical to an uninterrupted one.

Interruptions are real: a SIGINT sent to a ``hiresim`` subprocess, a KeyboardInterrupt
raised from the progress callback of ``run_batch``, and an OSError raised half-way through
writing a Parquet file.
"""

from __future__ import annotations

import dataclasses
import errno
import glob
import hashlib
import json
import os
import platform
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

import hiresim
import hiresim.experiment
import hiresim.table_files
from hiresim.batch import run_batch
from hiresim.experiment import Executor, run_replications
from hiresim.outputs import (
    DETAIL_TABLES,
    MONTH_TABLES,
    TABLES,
    OutputError,
    ResultFolder,
    scenario_fingerprint,
    table_frame,
)
from hiresim.records import CANDIDATE_COLUMNS, VISIT_COLUMNS
from hiresim.scenario import Scenario, scenario_to_dict
from hiresim.scenario_files import load_scenario
from hiresim.table_columns import tidy
from small_scenario import SEED, cli, small_dict

REPO = Path(__file__).resolve().parents[1]
BASIC_TABLES = ("replications", "reqs", "staff", "snapshots")
RUN_TABLES = tuple(t for t in TABLES if t not in DETAIL_TABLES)  # written without --records


def one_line(text: str) -> str:
    """The one message line of stderr, besides one-line assumption warnings ("warning: ...",
    e.g. a tiny test team that is not the constraint)."""
    lines = [line for line in text.strip().splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1, f"expected one line, got: {text!r}"
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and a hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def temp_files(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.name.endswith(".tmp")]


def final_tables(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()
                  if p.suffix in (".parquet", ".csv") and p.stem in TABLES)


def assert_same_tables(folder: Path, reference: Path,
                       tables: tuple[str, ...] = RUN_TABLES) -> None:
    for table in tables:
        pd.testing.assert_frame_equal(pd.read_parquet(folder / f"{table}.parquet"),
                                      pd.read_parquet(reference / f"{table}.parquet"),
                                      obj=table)


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Replication numbers simulated in this process by serial executors, in order."""
    done: list[int] = []
    real = hiresim.experiment.run_replication

    def counting(scenario: Scenario, k: int, *args: Any, **kwargs: Any) -> Any:
        done.append(k)
        return real(scenario, k, *args, **kwargs)

    monkeypatch.setattr(hiresim.experiment, "run_replication", counting)
    return done


@pytest.fixture(scope="module")
def reference(small_file: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> Callable[[int], Path]:
    """``reference(n)``: the folder of an uninterrupted run of n (made once per n)."""
    made: dict[int, Path] = {}

    def get(n: int) -> Path:
        if n not in made:
            folder = tmp_path_factory.mktemp("reference") / f"n{n}"
            result = cli("run", small_file, "-n", n, "--workers", 2, "--out", folder,
                         "--format", "json")
            assert result.exit_code == 0, result.stderr
            made[n] = folder
        return made[n]

    return get


# ----------------------------------------------------------------- layout and contents

@pytest.fixture(scope="module")
def parquet_run(small_file: Path, tmp_path_factory: pytest.TempPathFactory
                ) -> tuple[Path, Any, float]:
    folder = tmp_path_factory.mktemp("parquet") / "out"
    start = time.time()
    result = cli("run", small_file, "-n", 6, "--seed", 77, "--workers", 2,
                 "--set", "team.recruiters.count=3", "--out", folder, "--format", "json")
    elapsed = time.time() - start
    assert result.exit_code == 0, result.stderr
    return folder, result, elapsed


def test_folder_holds_the_parquet_tables_and_nothing_half_done(parquet_run: tuple) -> None:
    folder, result, _ = parquet_run
    names = {p.name for p in folder.iterdir()}
    expected = {"scenario.yaml", "run.json", "summary.json",
                *(f"{t}.parquet" for t in BASIC_TABLES)}
    assert expected <= names
    assert not names & {"candidates.parquet", "visits.parquet", "parts"}
    assert all(Path(n).stem in (*TABLES, *MONTH_TABLES)
               for n in names if n.endswith(".parquet"))
    assert not list(folder.rglob("*.csv")) and not temp_files(folder)
    assert "results in" in one_line(result.stderr)
    assert json.loads((folder / "summary.json").read_text()) == json.loads(result.stdout)


def test_tables_hold_exactly_the_replications(parquet_run: tuple, small_file: Path) -> None:
    folder, _, _ = parquet_run
    from hiresim.scenario_files import load_scenario as load_with_sets

    scenario = load_with_sets(small_file, ("team.recruiters.count=3",))
    results = run_replications(scenario, 6, 77)
    for table in RUN_TABLES:
        saved = pd.read_parquet(folder / f"{table}.parquet")
        pd.testing.assert_frame_equal(saved, tidy(table, table_frame(results, table),
                                                  scenario.name), check_dtype=False, obj=table)
    reqs = pd.read_parquet(folder / "reqs.parquet")
    assert len(reqs) == sum(len(r.reqs) for r in results)
    assert list(pd.read_parquet(folder / "replications.parquet")["replication"]) == list(
        range(6))
    staff = pd.read_parquet(folder / "staff.parquet")
    assert len(set(staff[staff["role"] == "recruiter"]["person"])) == 3  # --set applied


def test_scenario_yaml_is_the_resolved_scenario_and_loads_back(parquet_run: tuple,
                                                                small_file: Path) -> None:
    folder, _, _ = parquet_run
    from hiresim.scenario_files import load_scenario as load_with_sets

    used = load_with_sets(small_file, ("team.recruiters.count=3",))
    saved = load_scenario(folder / "scenario.yaml")  # validates again
    assert saved == used
    assert saved.team.recruiters.count == 3  # the override, resolved
    assert yaml.safe_load((folder / "scenario.yaml").read_text()) == scenario_to_dict(used)
    assert scenario_fingerprint(saved) == json.loads(
        (folder / "run.json").read_text())["scenario_sha256"]
    # every default is filled in: the saved file has keys the input file never wrote
    written = yaml.safe_load(small_file.read_text())
    resolved = yaml.safe_load((folder / "scenario.yaml").read_text())
    assert set(written["candidates"]) < set(resolved["candidates"]) or set(
        written["team"]) < set(resolved["team"])


def test_run_json_records_provenance(parquet_run: tuple) -> None:
    folder, _, elapsed = parquet_run
    meta = json.loads((folder / "run.json").read_text())
    assert meta["hiresim_version"] == hiresim.__version__
    assert meta["python"] == platform.python_version()
    for package in ("simpy", "numpy", "pandas", "pyarrow", "scipy"):
        assert meta["packages"][package] == metadata.version(package)
    assert meta["seed"] == 77 and meta["replications"] == 6 and meta["completed"] == 6
    assert meta["executor"] == "processes:2"
    assert meta["status"] == "complete"
    assert isinstance(meta["wall_seconds"], float | int)
    assert 0 <= meta["wall_seconds"] <= elapsed + 1


def test_records_candidates_adds_candidate_and_visit_tables(small: Scenario, small_file: Path,
                                                            tmp_path: Path) -> None:
    result = cli("run", small_file, "-n", 3, "--workers", 1, "--records", "candidates",
                 "--out", tmp_path / "c")
    assert result.exit_code == 0, result.stderr
    results = run_replications(small, 3, SEED, record_detail=True)
    for table, columns in (("candidates", CANDIDATE_COLUMNS), ("visits", VISIT_COLUMNS)):
        saved = pd.read_parquet(tmp_path / "c" / f"{table}.parquet")
        derived = ["wait_days", "days_in_stage"] if table == "visits" else []
        assert list(saved.columns) == ["scenario", "replication", *columns, *derived]
        expected = tidy(table, table_frame(results, table), small.name)
        assert len(saved) == len(expected) > 0
        pd.testing.assert_frame_equal(saved, expected, check_dtype=False, obj=table)
    assert all((tmp_path / "c" / f"{t}.parquet").is_file() for t in BASIC_TABLES)


def test_csv_tables_hold_the_parquet_values(small_file: Path, tmp_path: Path) -> None:
    for fmt in ("parquet", "csv"):
        result = cli("run", small_file, "-n", 3, "--workers", 1, "--table-format", fmt,
                     "--out", tmp_path / fmt)
        assert result.exit_code == 0, result.stderr
    assert not list((tmp_path / "csv").glob("*.parquet"))
    assert json.loads((tmp_path / "csv" / "run.json").read_text())["table_format"] == "csv"
    for table in RUN_TABLES:
        pq = pd.read_parquet(tmp_path / "parquet" / f"{table}.parquet")
        csv = pd.read_csv(tmp_path / "csv" / f"{table}.csv")
        assert list(csv.columns) == list(pq.columns) and len(csv) == len(pq), table
        for column in pq.columns:
            if pd.api.types.is_numeric_dtype(pq[column]):
                pd.testing.assert_series_equal(csv[column].astype(float),
                                               pq[column].astype(float), obj=column)
            else:
                assert list(csv[column].fillna("").astype(str)) == list(
                    pq[column].fillna("").astype(str)), column


def test_several_files_get_one_sub_folder_each(tmp_path: Path) -> None:
    files = []
    for name in ("alpha", "beta"):
        data = small_dict()
        data["name"] = name
        files.append(tmp_path / f"{name}.yaml")
        files[-1].write_text(yaml.safe_dump(data))
    result = cli("run", *files, "-n", 2, "--workers", 1, "--out", tmp_path / "both")
    assert result.exit_code == 0, result.stderr
    for name in ("alpha", "beta"):
        assert (tmp_path / "both" / name / "replications.parquet").is_file()
        assert json.loads((tmp_path / "both" / name / "run.json").read_text())[
            "scenario"] == name


# ----------------------------------------------------------------- refusing folders

def test_non_empty_folder_is_refused_and_left_untouched(small_file: Path,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    before = snapshot(folder)
    result = cli("run", small_file, "-n", 2, "--workers", 1, "--out", folder)
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert line.startswith("error:") and "--force" in line and str(folder) in line
    assert result.stdout == ""
    assert snapshot(folder) == before


def test_empty_existing_folder_is_used(small_file: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("run", small_file, "-n", 2, "--workers", 1, "--out", tmp_path / "empty")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "empty" / "replications.parquet").is_file()


def test_force_overwrites_a_folder(small_file: Path, tmp_path: Path,
                                   reference: Callable[[int], Path]) -> None:
    folder = tmp_path / "again"
    assert cli("run", small_file, "-n", 4, "--seed", 1, "--workers", 1,
               "--out", folder).exit_code == 0
    (folder / "stale.txt").write_text("old")
    result = cli("run", small_file, "-n", 6, "--workers", 1, "--out", folder, "--force")
    assert result.exit_code == 0, result.stderr
    assert not (folder / "stale.txt").exists()
    meta = json.loads((folder / "run.json").read_text())
    assert meta["seed"] == SEED and meta["replications"] == 6
    assert_same_tables(folder, reference(6))


def test_out_path_that_is_a_file_is_refused(small: Scenario, small_file: Path,
                                            tmp_path: Path) -> None:
    target = tmp_path / "results.txt"
    target.write_text("not a folder")
    result = cli("run", small_file, "-n", 2, "--workers", 1, "--out", target)
    assert result.exit_code == 2
    assert str(target.name) in result.stderr and "Traceback" not in result.stderr
    assert target.read_text() == "not a folder"
    with Executor(1) as ex, pytest.raises(OutputError, match="not a folder"):
        run_batch(small, 2, SEED, ex, out=target)
    assert target.read_text() == "not a folder"
    # a folder inside a file cannot be made either: one line, exit 2
    inside = cli("run", small_file, "-n", 2, "--workers", 1, "--out", target / "sub")
    assert inside.exit_code == 2
    assert one_line(inside.stderr).startswith("error:")


def test_resume_and_force_need_out_and_exclude_each_other(small_file: Path,
                                                          tmp_path: Path) -> None:
    assert cli("run", small_file, "--resume").exit_code == 2
    assert cli("run", small_file, "--force").exit_code == 2
    both = cli("run", small_file, "--out", tmp_path / "x", "--resume", "--force")
    assert both.exit_code == 2 and not (tmp_path / "x").exists()
    nothing = cli("run", small_file, "-n", 2, "--out", tmp_path / "none", "--resume")
    assert nothing.exit_code == 2
    assert "nothing to resume" in one_line(nothing.stderr)


# ----------------------------------------------------------------- interruption and resume

@pytest.mark.parametrize("workers", [1, 2])
def test_keyboard_interrupt_in_progress_callback_then_resume(
        small: Scenario, small_file: Path, tmp_path: Path, workers: int,
        reference: Callable[[int], Path], computed: list[int]) -> None:
    folder = tmp_path / "run"
    seen = []

    def progress(n: int) -> None:
        seen.append(n)
        if len(seen) == 15:  # half-way through the second chunk of ten
            raise KeyboardInterrupt

    ex = Executor(workers)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_batch(small, 30, SEED, ex, out=folder, progress=progress)
    finally:
        ex.close()
    meta = json.loads((folder / "run.json").read_text())
    assert meta["status"] == "interrupted" and meta["completed"] == 10
    assert sorted(p.name for p in (folder / "parts").glob("*.done")) == [
        "chunk-0000000-0000009.done"]
    assert final_tables(folder) == [] and not temp_files(folder)
    computed.clear()
    if workers == 1:  # resume from the command line, without -n: the recorded 30
        result = cli("run", small_file, "--workers", 1, "--out", folder, "--resume",
                     "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["replications"] == 30
        assert computed == list(range(10, 30))  # only the missing replications
    else:
        calls = []
        with Executor(2) as ex2:
            outcome = run_batch(small, 30, SEED, ex2, out=folder, resume=True,
                                progress=calls.append)
        assert outcome.resumed == 10 and len(calls) == 20
    meta = json.loads((folder / "run.json").read_text())
    assert meta["status"] == "complete" and meta["completed"] == 30
    assert not (folder / "parts").exists() and not temp_files(folder)
    assert_same_tables(folder, reference(30))
    assert json.loads((folder / "summary.json").read_text()) == json.loads(
        (reference(30) / "summary.json").read_text())


def test_sigint_to_a_running_command_then_resume(small_file: Path, tmp_path: Path,
                                                 reference: Callable[[int], Path],
                                                 computed: list[int]) -> None:
    folder = tmp_path / "run"
    n = 60
    proc = subprocess.Popen(
        [sys.executable, "-m", "hiresim", "run", str(small_file), "-n", str(n),
         "--workers", "1", "--out", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    start = time.monotonic()
    try:
        while not glob.glob(str(folder / "parts" / "chunk-*.done")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() - start < 300, "no chunk finished"
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    meta = json.loads((folder / "run.json").read_text())
    assert meta["status"] == "interrupted"
    saved = sorted(p.name for p in (folder / "parts").glob("chunk-*.done"))
    done = {k for name in saved
            for first, last in [map(int, name[len("chunk-"):-len(".done")].split("-"))]
            for k in range(first, last + 1)}
    assert 0 < len(done) < n and meta["completed"] == len(done)
    assert final_tables(folder) == [] and not temp_files(folder)
    # the printed command resumes it
    match = re.search(r"(hiresim run .*--resume)\s*$", err.strip())
    assert match, err
    command = shlex.split(match.group(1))
    assert command[:2] == ["hiresim", "run"]
    computed.clear()
    result = cli(*command[1:])
    assert result.exit_code == 0, result.stderr
    assert sorted(computed) == sorted(set(range(n)) - done)  # only the missing ones
    assert len(computed) == len(set(computed))
    assert_same_tables(folder, reference(n))
    assert json.loads((folder / "run.json").read_text())["status"] == "complete"


@pytest.fixture
def interrupted(small: Scenario, tmp_path: Path) -> Path:
    """A folder of a 30-replication run interrupted after its first chunk of ten."""
    folder = tmp_path / "interrupted"
    count = []

    def progress(n: int) -> None:
        count.append(n)
        if len(count) == 12:
            raise KeyboardInterrupt

    with Executor(1) as ex, pytest.raises(KeyboardInterrupt):
        run_batch(small, 30, SEED, ex, out=folder, progress=progress)
    return folder


@pytest.mark.parametrize("change, message", [
    ("edit", "scenario changed"),
    ("set", "scenario changed"),
    ("seed", "seed changed"),
    ("records", "--records changed"),
    ("fewer", "-n 5"),
])
def test_resume_refuses_a_changed_run(interrupted: Path, small_file: Path, tmp_path: Path,
                                      change: str, message: str) -> None:
    before = snapshot(interrupted)
    file, extra = small_file, ["-n", "30"]
    if change == "edit":
        data = small_dict()
        data["profiles"][0]["screen_pass_rate"] = 0.85
        file = tmp_path / "edited.yaml"
        file.write_text(yaml.safe_dump(data))
    elif change == "set":
        extra += ["--set", "team.recruiters.count=3"]
    elif change == "seed":
        extra += ["--seed", str(SEED + 1)]
    elif change == "records":
        extra += ["--records", "candidates"]
    else:
        extra = ["-n", "5"]
    result = cli("run", file, *extra, "--workers", 1, "--out", interrupted, "--resume")
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert line.startswith("error:") and message in line, line
    assert snapshot(interrupted) == before


def test_resume_may_change_the_workers(interrupted: Path, small_file: Path,
                                       reference: Callable[[int], Path]) -> None:
    result = cli("run", small_file, "-n", 30, "--workers", 2, "--out", interrupted,
                 "--resume")
    assert result.exit_code == 0, result.stderr
    assert_same_tables(interrupted, reference(30))


def test_resume_of_a_complete_folder_keeps_its_tables(small_file: Path, tmp_path: Path,
                                                      computed: list[int]) -> None:
    folder = tmp_path / "done"
    first = cli("run", small_file, "-n", 4, "--workers", 1, "--out", folder,
                "--format", "json")
    assert first.exit_code == 0
    before = {t: pd.read_parquet(folder / f"{t}.parquet") for t in RUN_TABLES}
    computed.clear()
    again = cli("run", small_file, "-n", 4, "--workers", 1, "--out", folder, "--resume",
                "--format", "json")
    assert again.exit_code == 0
    assert computed == []
    for table, frame in before.items():
        pd.testing.assert_frame_equal(pd.read_parquet(folder / f"{table}.parquet"), frame)
    assert again.stdout == first.stdout


# ----------------------------------------------------------------- final tables, streamed

def _part(folder: Path, table: str, first: int, last: int, frame: pd.DataFrame) -> None:
    frame.to_parquet(folder / "parts" / f"{table}-{first:07d}-{last:07d}.parquet",
                     index=False)


def _mark(folder: Path, first: int, last: int) -> None:
    (folder / "parts" / f"chunk-{first:07d}-{last:07d}.done").write_text("")


def _awkward_folder(small: Scenario, path: Path, fmt: str) -> ResultFolder:
    """A folder of 6 replications in 4 chunks whose parts disagree on column types the
    way real chunks can: a column all missing in one chunk, an empty chunk, integers in
    one chunk and floats in another, a categorical column, a KPI only some chunks have."""
    folder, _ = ResultFolder.prepare(path, small, SEED, 6, False, fmt, "serial")
    results = run_replications(small, 6, SEED)
    chunks = [(0, 1), (2, 2), (3, 3), (4, 5)]
    for first, last in chunks:
        for table in RUN_TABLES:
            frame = table_frame(results[first:last + 1], table)
            if (first, table) == (2, "reqs"):
                frame["sourcer"] = None  # all missing: a null column in this chunk
                frame["counted"] = frame["counted"].astype(object)
                frame.loc[0, "counted"] = None  # bool with a gap: object
                frame["filled_positions"] = frame["filled_positions"].astype(float)
                frame.loc[0, "filled_positions"] = float("nan")  # int in the others
            if first == 3 and table in ("reqs", "funnel"):
                frame = frame.iloc[0:0]  # a replication without rows
            if first == 3 and table == "staff":
                frame = table_frame([dataclasses.replace(results[3], staff=[])], table)
            if first == 4 and table == "reqs":
                frame["profile"] = frame["profile"].astype("category")
            if first == 4 and table == "replications":
                frame["late_kpi"] = 1.5  # a column only the last chunk has
                frame["hires"] = frame["hires"].astype(int)  # float in the others
            _part(path, table, first, last, frame)
        _mark(path, first, last)
    return folder


def concat_of_parts(folder: Path, table: str) -> pd.DataFrame:
    """What finish() wrote before it streamed: every chunk read, concatenated, sorted."""
    frames = [pd.read_parquet(p) for p in sorted((folder / "parts").glob(f"{table}-*"))]
    return (pd.concat(frames, ignore_index=True)
            .sort_values("replication", kind="stable").reset_index(drop=True))


def test_streamed_parquet_tables_equal_the_concatenation_of_their_chunks(
        small: Scenario, tmp_path: Path) -> None:
    folder = _awkward_folder(small, tmp_path / "out", "parquet")
    schemas = {pq.read_schema(p).field("sourcer").type
               for p in (tmp_path / "out" / "parts").glob("reqs-*")}
    assert "null" in map(str, schemas) and len(schemas) > 1  # the chunks really disagree
    expected = {}
    for table in RUN_TABLES:
        concat_of_parts(folder.path, table).to_parquet(tmp_path / f"{table}.parquet",
                                                       index=False)
        expected[table] = pd.read_parquet(tmp_path / f"{table}.parquet")
    assembled = {t: folder.read_table(t) for t in RUN_TABLES}  # what the summary uses
    fill_columns = folder.read_table("reqs", columns=["counted", "open_day", "filled_day"])
    folder.finish({"metrics": {}})
    for table in RUN_TABLES:
        final = pd.read_parquet(folder.path / f"{table}.parquet")
        pd.testing.assert_frame_equal(final, expected[table], obj=table)
        pd.testing.assert_frame_equal(assembled[table], final, obj=table)
    reqs = expected["reqs"]
    assert reqs["sourcer"].isna().any() and reqs["sourcer"].notna().any()
    assert reqs["filled_positions"].dtype == float  # int in 3 chunks, float in 1
    assert expected["replications"]["hires"].dtype == float
    assert list(expected["replications"].columns)[-1] == "late_kpi"
    assert expected["replications"]["late_kpi"].isna().sum() == 4
    assert set(expected["funnel"]["replication"]) == {0, 1, 2, 4, 5}  # 3 had no rows
    pd.testing.assert_frame_equal(fill_columns,
                                  expected["reqs"][["replication", "counted", "open_day",
                                                    "filled_day"]])
    assert not (folder.path / "parts").exists() and not temp_files(folder.path)


def test_streamed_csv_tables_are_byte_for_byte_the_concatenation(small: Scenario,
                                                                tmp_path: Path) -> None:
    folder = _awkward_folder(small, tmp_path / "out", "csv")
    expected = {t: concat_of_parts(folder.path, t).to_csv(index=False) for t in RUN_TABLES}
    folder.finish({"metrics": {}})
    for table in RUN_TABLES:
        assert (folder.path / f"{table}.csv").read_text() == expected[table], table


@pytest.mark.parametrize("damage, message", [
    ("gap", "miss replication 2"),
    ("overlap", "overlap"),
    ("short", "hold 4 replications, not 6"),
    ("rows", "rows are not those of replications 2..3"),
])
def test_finish_refuses_chunks_that_do_not_make_the_run(small: Scenario, tmp_path: Path,
                                                        damage: str, message: str) -> None:
    folder, _ = ResultFolder.prepare(tmp_path / "out", small, SEED, 6, False, "parquet",
                                     "serial")
    results = run_replications(small, 6, SEED)
    chunks = {"gap": [(0, 1), (3, 5)], "overlap": [(0, 2), (2, 5)],
              "short": [(0, 1), (2, 3)], "rows": [(0, 1), (2, 3), (4, 5)]}[damage]
    for first, last in chunks:
        for table in RUN_TABLES:
            rows = results[first:last + 1]
            if damage == "rows" and first == 2 and table == "replications":
                rows = results[3:4] + results[2:3]  # out of order
            _part(folder.path, table, first, last, table_frame(rows, table))
        _mark(folder.path, first, last)
    with pytest.raises(OutputError, match=re.escape(message)):
        folder.finish({})
    assert final_tables(folder.path) == [] and not temp_files(folder.path)
    assert json.loads((folder.path / "run.json").read_text())["status"] == "running"


_FINISH_PEAK = """
import json, sys, time, tracemalloc
from pathlib import Path
import pyarrow as pa
import hiresim.outputs as outputs
import hiresim.table_files as table_files
from hiresim.scenario_files import load_scenario
path, scenario_file, n, fmt = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
folder = outputs.ResultFolder(Path(path), load_scenario(scenario_file), 1, n, False, fmt,
                              "serial", time.time())
table_files.ROW_GROUP_ROWS = 20_000  # one chunk's reqs rows: the row-group buffer stays small
tracemalloc.start()
arrow_before = pa.default_memory_pool().max_memory()
folder.finish({})
heap = tracemalloc.get_traced_memory()[1]
print(json.dumps({"arrow_peak": pa.default_memory_pool().max_memory(),
                  "arrow_before": arrow_before, "heap_peak": heap}))
"""


@pytest.mark.parametrize("fmt", [
    "parquet",
    pytest.param("csv", marks=pytest.mark.slow),  # 25 s: tracemalloc slows to_csv down
])
def test_finishing_memory_does_not_grow_with_the_replications(small_file: Path,
                                                              tmp_path: Path,
                                                              fmt: str) -> None:
    """Finishing 200 replications peaks no higher than finishing 20: one chunk at a time.
    (Peak = Arrow's memory pool plus the Python heap, in a fresh process.)"""
    import numpy as np

    rng = np.random.default_rng(1)
    peaks = {}
    for n in (20, 200):
        path = tmp_path / f"n{n}"
        (path / "parts").mkdir(parents=True)
        for first in range(0, n, 10):
            last = first + 9
            reps = np.repeat(np.arange(first, last + 1), 2_000)  # 20,000 rows a chunk
            big = pd.DataFrame({"replication": reps, "x": rng.random(reps.size),
                                "label": np.where(reps % 2 == 0, "even", "odd")})
            small_rows = pd.DataFrame({"replication": np.arange(first, last + 1)})
            for table in RUN_TABLES:
                _part(path, table, first, last, big if table == "reqs" else small_rows)
            _mark(path, first, last)
        done = subprocess.run([sys.executable, "-c", _FINISH_PEAK, str(path), str(small_file),
                               str(n), fmt], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        figures = json.loads(done.stdout)
        peaks[n] = figures["arrow_peak"] + figures["heap_peak"]
        rows = (pd.read_parquet(path / "reqs.parquet", columns=["replication"])
                if fmt == "parquet" else pd.read_csv(path / "reqs.csv", usecols=["replication"]))
        assert len(rows) == n * 2_000 and rows["replication"].is_monotonic_increasing
    # measured: 4.5 vs 4.7 MB streamed; 12 vs 59 MB (Parquet), 11 vs 35 MB (CSV) before
    assert peaks[200] < 1.5 * peaks[20] + 2**20, peaks


# ----------------------------------------------------------------- atomic writes

def _fail_parquet_write(monkeypatch: pytest.MonkeyPatch, at_call: int) -> dict:
    """Make the ``at_call``-th DataFrame.to_parquet write half a file, then fail.
    ``state["restore"]()`` puts the real writer back."""
    real = pd.DataFrame.to_parquet
    state: dict[str, Any] = {"calls": 0, "failed": None,
                             "restore": lambda: monkeypatch.setattr(pd.DataFrame,
                                                                    "to_parquet", real)}

    def flaky(self: pd.DataFrame, path: Any, *args: Any, **kwargs: Any) -> Any:
        state["calls"] += 1
        if state["calls"] != at_call:
            return real(self, path, *args, **kwargs)
        real(self, path, *args, **kwargs)
        data = Path(path).read_bytes()
        Path(path).write_bytes(data[: len(data) // 2])  # a torn write
        state["failed"] = str(path)
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", flaky)
    return state


def test_write_failure_mid_run_leaves_no_final_table(small_file: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     reference: Callable[[int], Path],
                                                     computed: list[int]) -> None:
    folder = tmp_path / "run"
    state = _fail_parquet_write(monkeypatch, at_call=len(RUN_TABLES) + 2)  # 2nd chunk
    result = cli("run", small_file, "-n", 30, "--workers", 1, "--out", folder)
    assert state["failed"] is not None
    assert result.exit_code == 2
    assert "No space left on device" in one_line(result.stderr)
    assert "Traceback" not in result.stderr
    assert final_tables(folder) == [] and not temp_files(folder)
    assert not Path(state["failed"]).exists()  # the torn file is gone
    assert sorted(p.name for p in (folder / "parts").glob("*.done")) == [
        "chunk-0000000-0000009.done"]
    assert json.loads((folder / "run.json").read_text())["status"] != "complete"
    state["restore"]()
    computed.clear()
    again = cli("run", small_file, "-n", 30, "--workers", 1, "--out", folder, "--resume")
    assert again.exit_code == 0, again.stderr
    assert computed == list(range(10, 30))
    assert_same_tables(folder, reference(30))


def _fail_final_table_write(monkeypatch: pytest.MonkeyPatch, table: str, fmt: str) -> dict:
    """Make the streamed writing of the final ``table`` fail on its second chunk, after
    the first one reached the temporary file (a disk that fills up half-way).
    ``state["restore"]()`` puts everything back."""
    state: dict[str, Any] = {"failed": None, "writes": 0}
    undo = []

    def fail_second(where: str) -> None:
        if not Path(where).name.startswith(f".{table}.{fmt}."):
            return
        state["writes"] += 1
        if state["writes"] == 2:
            state["failed"] = where
            raise OSError(errno.ENOSPC, "No space left on device", where)

    if fmt == "parquet":
        real_writer = pq.ParquetWriter

        class FlakyWriter(real_writer):  # type: ignore[misc, valid-type]
            def __init__(self, where: Any, *args: Any, **kwargs: Any) -> None:
                super().__init__(where, *args, **kwargs)
                self.where = str(where)

            def write_table(self, *args: Any, **kwargs: Any) -> None:
                super().write_table(*args, **kwargs)
                fail_second(self.where)

        real_rows = hiresim.table_files.ROW_GROUP_ROWS
        monkeypatch.setattr(pq, "ParquetWriter", FlakyWriter)
        monkeypatch.setattr(hiresim.table_files, "ROW_GROUP_ROWS", 1)  # a write per chunk
        undo += [lambda: monkeypatch.setattr(pq, "ParquetWriter", real_writer),
                 lambda: monkeypatch.setattr(hiresim.table_files, "ROW_GROUP_ROWS", real_rows)]
    else:
        real_to_csv = pd.DataFrame.to_csv

        def flaky(self: pd.DataFrame, target: Any = None, *args: Any, **kwargs: Any) -> Any:
            out = real_to_csv(self, target, *args, **kwargs)
            fail_second(str(getattr(target, "name", target)))
            return out

        monkeypatch.setattr(pd.DataFrame, "to_csv", flaky)
        undo.append(lambda: monkeypatch.setattr(pd.DataFrame, "to_csv", real_to_csv))
    state["restore"] = lambda: [f() for f in undo]
    return state


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_write_failure_while_finishing_leaves_no_complete_looking_folder(
        small_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        reference: Callable[[int], Path], computed: list[int], fmt: str) -> None:
    folder, uninterrupted = tmp_path / "run", tmp_path / "uninterrupted"
    args = ("-n", 30, "--workers", 1, "--table-format", fmt)
    if fmt == "csv":
        assert cli("run", small_file, *args, "--out", uninterrupted).exit_code == 0
    # 3 chunks of parts, then the final tables: fail on the second chunk of reqs
    state = _fail_final_table_write(monkeypatch, "reqs", fmt)
    result = cli("run", small_file, *args, "--out", folder)
    assert result.exit_code == 2 and state["failed"] is not None
    assert "No space left on device" in one_line(result.stderr)
    assert not temp_files(folder)
    assert not (folder / f"reqs.{fmt}").exists()  # the table being written is not there
    assert (folder / f"replications.{fmt}").is_file()  # written before reqs
    for name in final_tables(folder):  # what is there is whole and right
        if fmt == "parquet":
            assert_same_tables(folder, reference(30), (Path(name).stem,))
        else:
            assert (folder / name).read_bytes() == (uninterrupted / name).read_bytes(), name
    assert json.loads((folder / "run.json").read_text())["status"] != "complete"
    assert not (folder / "summary.json").exists()
    state["restore"]()
    computed.clear()
    again = cli("run", small_file, *args, "--out", folder, "--resume")
    assert again.exit_code == 0, again.stderr
    assert computed == []  # every replication was saved before the failure
    if fmt == "parquet":
        assert_same_tables(folder, reference(30))
    else:  # byte for byte the files of the uninterrupted run
        assert final_tables(folder) == final_tables(uninterrupted) == sorted(
            f"{t}.csv" for t in RUN_TABLES)
        for name in final_tables(folder):
            assert (folder / name).read_bytes() == (uninterrupted / name).read_bytes(), name
    assert json.loads((folder / "run.json").read_text())["status"] == "complete"


def test_no_temporary_files_and_readable_permissions_after_runs(small_file: Path,
                                                                tmp_path: Path) -> None:
    result = cli("run", small_file, "-n", 12, "--workers", 2, "--out", tmp_path / "r",
                 "--records", "candidates", "--table-format", "csv")
    assert result.exit_code == 0, result.stderr
    assert not temp_files(tmp_path) and not list(tmp_path.rglob(".*"))
    umask = os.umask(0)
    os.umask(umask)
    for path in (tmp_path / "r").iterdir():
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path.name
