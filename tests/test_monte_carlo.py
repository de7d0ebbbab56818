"""Monte Carlo at scale: reproducibility, executors (serial, processes, Dask), statistics
across replications, precision runs and progress output.

Every check compares whole results *bit for bit*: ``canon`` turns a ReplicationResult into
nested tuples in which every float is its exact hex form (so nan == nan and 0.0 != -0.0),
every value is tagged with its type, and dict order counts. Two results are "identical"
when their canonical forms are equal.

The scenario is scenarios/split.yaml shrunk to three reqs over 90 days (about 25 ms per
replication), so the default run stays fast. ``@pytest.mark.slow`` tests (pytest -m slow)
use bigger runs.
"""

from __future__ import annotations

import dataclasses
import fcntl
import gc
import glob
import json
import math
import multiprocessing
import os
import pickle
import pty
import random
import re
import select
import shlex
import signal
import struct
import subprocess
import sys
import termios
import time
import traceback
import weakref
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from hiresim.batch import precise_enough, run_batch
from hiresim.experiment import (
    MAX_CHUNK,
    STOP_GRACE_S,
    Executor,
    ExecutorUnavailable,
    chunked,
    make_executor,
    run_replications,
    stop_pool,
)
from hiresim.kpi_catalogue import BY_NAME, KPI_NAMES, precision_kpis
from hiresim.outputs import iter_chunks
from hiresim.records import ReplicationResult
from hiresim.replication import run_replication
from hiresim.scenario import Scenario, scenario_from_dict
from small_scenario import SEED, cli, small_dict

REPO = Path(__file__).resolve().parents[1]

# The canonical form of a result, as source text so that a subprocess can use the very
# same definition (exec'd here, and sent to ``python -c`` below).
CANON_SOURCE = '''
import dataclasses, hashlib

def canon(obj):
    """Exact, type-tagged, order-preserving form of a result (floats as hex)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__name__,
                tuple((f.name, canon(getattr(obj, f.name))) for f in dataclasses.fields(obj)))
    if isinstance(obj, float):
        return (type(obj).__name__, obj.hex())
    if isinstance(obj, dict):
        return ("dict", tuple((canon(k), canon(v)) for k, v in obj.items()))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, tuple(canon(x) for x in obj))
    return (type(obj).__name__, repr(obj))

def digest(results):
    return hashlib.sha256(repr([canon(r) for r in results]).encode()).hexdigest()
'''
_ns: dict[str, Any] = {}
exec(CANON_SOURCE, _ns)  # our own constant source
canon = _ns["canon"]
digest = _ns["digest"]


def assert_identical(a: ReplicationResult, b: ReplicationResult) -> None:
    assert a.replication == b.replication
    assert canon(a.kpis) == canon(b.kpis), "KPIs differ"
    assert canon(a.reqs) == canon(b.reqs), "req rows differ"
    assert canon(a) == canon(b), "other records differ"


# ----------------------------------------------------------------- reproducibility

def test_replication_k_is_the_same_alone_among_five_and_among_many(small: Scenario) -> None:
    alone = {k: run_replication(small, k, SEED) for k in (0, 3, 4)}
    among_five = run_replications(small, 5, SEED)
    among_many = run_replications(small, 30, SEED)
    shuffled = run_replications(small, [17, 4, 29, 3, 0], SEED)  # any order, any company
    assert [r.replication for r in among_five] == list(range(5))
    assert [r.replication for r in shuffled] == [17, 4, 29, 3, 0]
    for k, result in alone.items():
        assert_identical(result, among_five[k])
        assert_identical(result, among_many[k])
    assert_identical(among_many[17], shuffled[0])
    assert_identical(among_many[29], shuffled[2])
    # the comparison is strong enough to see a difference: replications differ
    assert canon(among_five[0].kpis) != canon(among_five[1].kpis)


def test_no_global_random_state_and_no_state_leaks_between_runs(small: Scenario) -> None:
    before = run_replication(small, 2, SEED)
    random.seed(1)
    np.random.seed(1)  # proving the model ignores the legacy global state
    other = scenario_from_dict(small_dict(horizon_days=60, openings=2, seed=99))
    run_replications(other, 3)  # another scenario in the same process
    random.random()
    np.random.random()
    after = run_replication(small, 2, SEED)
    assert_identical(before, after)


@pytest.fixture(scope="module")
def busy() -> Scenario:
    """Normal (not ``easy``) rates: many candidates are in process when a req closes."""
    return scenario_from_dict(small_dict(openings=2, easy=False))


def test_candidate_and_visit_records_hold_the_same_rows_every_time(busy: Scenario) -> None:
    first = run_replications(busy, [0, 1, 2], SEED, record_detail=True)
    junk = [object() for _ in range(5000)]  # move the allocator along
    again = run_replications(busy, [0, 1, 2], SEED, record_detail=True)
    del junk
    for a, b in zip(first, again, strict=True):
        assert a.candidates and a.visits
        assert sorted(map(repr, a.candidates)) == sorted(map(repr, b.candidates))
        assert sorted(map(repr, a.visits)) == sorted(map(repr, b.visits))
        assert canon(a.kpis) == canon(b.kpis) and canon(a.funnel) == canon(b.funnel)


def test_candidate_and_visit_records_are_bit_identical(busy: Scenario) -> None:
    # (this failed until Req.active_candidates became an insertion-ordered dict: a set of
    # objects hashed by address recorded candidates closed out together in address order)
    first = run_replications(busy, [0, 1, 2], SEED, record_detail=True)
    junk = [object() for _ in range(5000)]
    again = run_replications(busy, [0, 1, 2], SEED, record_detail=True)
    del junk
    for a, b in zip(first, again, strict=True):
        assert canon(a.candidates) == canon(b.candidates)
        assert canon(a.visits) == canon(b.visits)


@settings(max_examples=12, deadline=None)
@given(k=st.integers(0, 10_000), seed=st.integers(0, 2**63 - 1))
def test_any_replication_of_any_seed_is_a_pure_function(k: int, seed: int) -> None:
    scenario = _tiny_small()
    first = run_replication(scenario, k, seed)
    run_replication(scenario, k + 1, seed)
    again = run_replications(scenario, [k], seed)[0]
    assert_identical(first, again)
    assert first.seed == seed and first.replication == k


_TINY_CACHE: list[Scenario] = []


def _tiny_small() -> Scenario:
    if not _TINY_CACHE:
        _TINY_CACHE.append(scenario_from_dict(small_dict(horizon_days=45)))
    return _TINY_CACHE[0]


def test_serial_and_two_worker_processes_give_identical_results(small: Scenario) -> None:
    serial = run_replications(small, 40, SEED, workers=1)
    with Executor(workers=2) as ex:
        assert ex.name == "processes:2"
        parallel = list(ex.map(small, range(40), SEED))
        # a second map on the same pool, non-contiguous numbers, in the order asked
        subset = list(ex.map(small, [33, 2, 21, 8, 9, 10], SEED))
    assert [r.replication for r in parallel] == list(range(40))
    assert len(chunked(list(range(40)), 2)) > 2  # really split across chunks and workers
    for a, b in zip(serial, parallel, strict=True):
        assert_identical(a, b)
    assert [r.replication for r in subset] == [33, 2, 21, 8, 9, 10]
    for r in subset:
        assert_identical(r, serial[r.replication])
    assert digest(serial) == digest(run_replications(small, 40, SEED, workers=2))


@pytest.mark.parametrize("workers", [
    1,
    pytest.param(2),
])
def test_map_lets_go_of_results_already_consumed(small: Scenario, workers: int) -> None:
    refs: list[weakref.ref] = []
    alive = None
    with Executor(workers=workers) as ex:
        for i, result in enumerate(ex.map(small, range(40), SEED)):
            refs.append(weakref.ref(result))
            del result
            if i == 30:  # long after the first chunks were handed out and consumed
                gc.collect()
                alive = [k for k, ref in enumerate(refs[:10]) if ref() is not None]
    assert len(refs) == 40
    assert alive == [], f"replications {alive} are still held by the executor"


_HASH_SNIPPET = CANON_SOURCE + '''
import sys
from hiresim.scenario_files import load_scenario
from hiresim.experiment import run_replications
scenario = load_scenario(sys.argv[1])
print(digest(run_replications(scenario, [0, 1, 2], int(sys.argv[2]), record_detail=True)))
'''


def test_results_do_not_depend_on_pythonhashseed(small: Scenario, small_file: Path) -> None:
    procs = {
        hs: subprocess.Popen(
            [sys.executable, "-c", _HASH_SNIPPET, str(small_file), str(SEED)],
            env={**os.environ, "PYTHONHASHSEED": hs}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        for hs in ("0", "12345")
    }
    digests = {}
    for hs, proc in procs.items():
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        digests[hs] = out.strip()
    here = digest(run_replications(small, [0, 1, 2], SEED, record_detail=True))
    assert len(here) == 64
    assert digests["0"] == digests["12345"] == here


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_start_methods_fork_and_spawn_give_identical_results(small: Scenario,
                                                             method: str) -> None:
    expected = run_replications(small, [0, 3], SEED, record_detail=True)
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        futures = [pool.submit(run_replication, small, k, SEED, True) for k in (0, 3)]
        got = [f.result(timeout=180) for f in futures]
    for a, b in zip(expected, got, strict=True):
        assert_identical(a, b)


def test_root_seed_decides_the_numbers(small: Scenario) -> None:
    a = run_replications(small, 4, SEED)
    b = run_replications(small, 4, SEED)
    c = run_replications(small, 4, SEED + 1)
    default = run_replications(small, 4)  # simulation.seed of the file (= SEED)
    assert digest(a) == digest(b) == digest(default)
    assert all(r.seed == SEED for r in a) and all(r.seed == SEED + 1 for r in c)
    for x, y in zip(a, c, strict=True):
        assert canon(x.kpis) != canon(y.kpis)
        assert canon(x.reqs) != canon(y.reqs)


# ----------------------------------------------------------------- results are plain data

_PLAIN = (str, int, float, bool, type(None))


def _leaves(obj: Any) -> list[Any]:
    if isinstance(obj, list | tuple):
        return [leaf for x in obj for leaf in _leaves(x)]
    if isinstance(obj, dict):
        return [leaf for kv in obj.items() for x in kv for leaf in _leaves(x)]
    return [obj]


def test_results_are_picklable_plain_data_without_simpy(small: Scenario,
                                                        tmp_path: Path) -> None:
    result = run_replication(small, 1, SEED, record_detail=True)
    assert result.candidates and result.visits  # the detailed records are there too
    blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    assert_identical(pickle.loads(blob), result)
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        assert type(value) in (*_PLAIN, list, dict), f.name
        bad = {type(x).__module__ + "." + type(x).__name__
               for x in _leaves(value) if type(x) not in _PLAIN}
        assert not bad, f"{f.name} holds non-plain objects: {bad}"
    assert b"simpy" not in blob and b"hiresim.model" not in blob
    # it loads back where SimPy cannot even be imported
    (tmp_path / "r.pkl").write_bytes(blob)
    code = ("import pickle, sys; sys.modules['simpy'] = None; "
            "r = pickle.load(open(sys.argv[1], 'rb')); "
            "assert 'hiresim.model' not in sys.modules; print(r.replication, len(r.reqs))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r.pkl")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", str(len(result.reqs))]


# ----------------------------------------------------------------- run --replication K

def test_run_replication_k_reruns_it_alone_with_an_event_log(small: Scenario,
                                                             small_file: Path,
                                                             tmp_path: Path) -> None:
    batch = cli("run", small_file, "-n", 5, "--workers", 2, "--out", tmp_path / "b",
                "--format", "json")
    assert batch.exit_code == 0, batch.stderr
    table = pd.read_parquet(tmp_path / "b" / "replications.parquet")
    alone = cli("run", small_file, "--replication", 3, "--format", "json")
    assert alone.exit_code == 0, alone.stderr
    payload = json.loads(alone.stdout)
    assert payload["replication"] == 3 and payload["seed"] == SEED
    row = table[table["replication"] == 3].iloc[0]
    assert list(payload["kpis"]) == [c for c in table.columns if c not in
                                     ("scenario", "replication", "seed")]
    for name, value in payload["kpis"].items():
        if value is None:  # nan in JSON
            assert math.isnan(row[name]), name
        else:
            assert value == row[name], name  # exact: JSON floats round-trip
    events = payload["events"]
    days = [day for day, _ in events]
    assert days == sorted(days) and len(events) > 10
    filled = [text for _, text in events if text.endswith(" filled")]
    assert len(filled) == payload["kpis"]["reqs_filled"]  # no warm-up: every req counts
    # the table form prints the same replication and its log
    text = cli("run", small_file, "--replication", 3)
    assert text.exit_code == 0
    assert f"replication 3 of seed {SEED}" in text.stdout
    assert "event log" in text.stdout
    assert sum(line.endswith(" filled") for line in text.stdout.splitlines()) == len(filled)
    # --seed picks another replication 3
    other = json.loads(cli("run", small_file, "--replication", 3, "--seed", SEED + 1,
                           "--format", "json").stdout)
    assert other["kpis"] != payload["kpis"]


# ----------------------------------------------------------------- executors

def test_cli_workers_1_and_2_print_identical_json(small_file: Path) -> None:
    one = cli("run", small_file, "-n", 12, "--workers", 1, "--format", "json")
    two = cli("run", small_file, "-n", 12, "--workers", 2, "--format", "json")
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    assert json.loads(one.stdout)["replications"] == 12
    reseeded = cli("run", small_file, "-n", 12, "--workers", 1, "--format", "json",
                   "--seed", 1)
    assert reseeded.stdout != one.stdout


def test_dask_local_cluster_gives_the_local_results(small_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    one = cli("run", small_file, "-n", 6, "--workers", 1, "--format", "json",
              "--out", tmp_path / "local")
    dask = cli("run", small_file, "-n", 6, "--dask", "local", "--workers", 2,
               "--format", "json", "--out", tmp_path / "dask")
    assert dask.exit_code == 0, dask.stderr
    assert dask.stdout == one.stdout
    for table in ("replications", "reqs", "staff", "snapshots"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask" / f"{table}.parquet"),
                                      pd.read_parquet(tmp_path / "local" / f"{table}.parquet"))
    meta = json.loads((tmp_path / "dask" / "run.json").read_text())
    assert meta["executor"] == "dask:local"


@pytest.mark.slow
def test_dask_executor_results_are_bit_identical(small: Scenario) -> None:
    pytest.importorskip("dask.distributed")
    local = run_replications(small, 6, SEED)
    with make_executor(workers=2, dask="local") as ex:
        assert ex.name == "dask:local" and ex.workers == 2
        on_dask = list(ex.map(small, [5, 0, 1, 2, 3, 4], SEED))
    assert [r.replication for r in on_dask] == [5, 0, 1, 2, 3, 4]
    for r in on_dask:
        assert_identical(local[r.replication], r)


def _without_dask(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    if how == "sys.modules":
        monkeypatch.setitem(sys.modules, "dask.distributed", None)
        return
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "dask" or name.startswith(("dask.", "distributed")):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)


@pytest.mark.parametrize("how", ["sys.modules", "__import__"])
def test_dask_missing_is_one_clear_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                   small_file: Path, tmp_path: Path,
                                                   how: str) -> None:
    _without_dask(monkeypatch, how)
    with pytest.raises(ExecutorUnavailable, match="pip install"):
        make_executor(workers=2, dask="local")
    result = cli("run", small_file, "-n", 2, "--dask", "local", "--out", tmp_path / "d")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:") and "dask" in lines[0].lower()
    assert "pip install" in lines[0] and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "d").exists()  # refused before anything was written


@pytest.mark.slow
def test_unreachable_dask_scheduler_is_one_line_and_exit_2(small_file: Path) -> None:
    pytest.importorskip("dask.distributed")
    result = cli("run", small_file, "-n", 2, "--dask", "tcp://127.0.0.1:9")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach" in lines[0], result.stderr


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 500), workers=st.integers(1, 64))
def test_chunks_cover_every_replication_in_order(n: int, workers: int) -> None:
    numbers = list(range(3, 3 + n))
    parts = chunked(numbers, workers)
    assert [k for part in parts for k in part] == numbers
    assert all(1 <= len(part) <= MAX_CHUNK for part in parts)


@settings(max_examples=200, deadline=None)
@given(numbers=st.lists(st.integers(0, 60), unique=True).map(sorted))
def test_iter_chunks_are_contiguous_runs(numbers: list[int]) -> None:
    fake = [ReplicationResult(k, 0, 1.0, {}, [], [], []) for k in numbers]
    chunks = list(iter_chunks(fake))
    assert [r.replication for c in chunks for r in c] == numbers
    for c in chunks:
        ks = [r.replication for r in c]
        assert ks == list(range(ks[0], ks[0] + len(ks))) and 1 <= len(ks) <= 10


# ----------------------------------------------------------------- statistics

def test_summary_is_a_t_interval_across_replications(small_file: Path,
                                                     tmp_path: Path) -> None:
    n = 8
    result = cli("run", small_file, "-n", n, "--workers", 1, "--out", tmp_path / "s",
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    metrics = json.loads(result.stdout)["metrics"]
    table = pd.read_parquet(tmp_path / "s" / "replications.parquet")
    assert list(table["replication"]) == list(range(n))
    assert set(KPI_NAMES) <= set(table.columns)
    checked = 0
    for column in table.columns:
        if column in ("scenario", "replication", "seed"):
            continue
        key = "time_to_fill_days" if column == "time_to_fill_p50" else column
        got = metrics[key]
        x = table[column].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        assert got["n"] == x.size, column
        if x.size < 2:
            continue
        mean, sd = x.mean(), x.std(ddof=1)
        half = stats.t.ppf(0.975, x.size - 1) * sd / math.sqrt(x.size)
        assert got["mean"] == pytest.approx(mean, rel=1e-12, abs=1e-12), column
        assert got["sd"] == pytest.approx(sd, rel=1e-9, abs=1e-12), column
        # the t-interval, cut to what the KPI can take (>= 0; a share <= 1)
        high = min(1.0, mean + half) if BY_NAME[column].kind == "share" else mean + half
        assert got["ci_low"] == pytest.approx(max(0.0, mean - half), rel=1e-9,
                                              abs=1e-9), column
        assert got["ci_high"] == pytest.approx(high, rel=1e-9, abs=1e-9), column
        checked += 1
    assert checked >= 20
    spread = metrics["time_to_hire_days"]
    assert spread["ci_low"] < spread["mean"] < spread["ci_high"]  # a real interval
    # pooled Kaplan-Meier percentiles of all reqs (censored at the horizon)
    reqs = pd.read_parquet(tmp_path / "s" / "reqs.parquet")
    counted = reqs[reqs["counted"]]
    filled = counted["filled_day"].notna().to_numpy()
    days = np.where(filled, counted["filled_day"], 90.0) - counted["open_day"]
    for q in (0.5, 0.8, 0.9):
        expected = _km_quantile(days.to_numpy(dtype=float), filled, q)
        got = metrics["time_to_fill_days"][f"p{int(q * 100)}"]
        if math.isnan(expected):
            assert got is None
        else:
            assert got == pytest.approx(expected, rel=1e-12)
    assert metrics["time_to_fill_days"]["censored_reqs"] == int((~filled).sum())
    saved = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert saved["metrics"] == metrics


def _km_quantile(days: np.ndarray, filled: np.ndarray, q: float) -> float:
    """Plain Kaplan-Meier: first event time at which the filled share reaches q."""
    survival = 1.0
    for t in np.unique(days[filled]):
        at_risk = int((days >= t).sum())
        events = int(((days == t) & filled).sum())
        survival *= 1 - events / at_risk
        if 1 - survival >= q - 1e-12:
            return float(t)
    return float("nan")


def _half_widths_within(table: pd.DataFrame, precision: float) -> bool:
    for name in precision_kpis():
        x = table[name].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        if x.size < 2:
            return False
        half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
        if x.mean() != 0 and half > precision * abs(x.mean()):
            return False
    return True


def test_precision_stops_when_half_widths_are_within_5_percent(tmp_path: Path) -> None:
    small_file = tmp_path / "six-reqs.yaml"  # 6 reqs: 5% is reached after a few dozen
    small_file.write_text(yaml.safe_dump(small_dict(horizon_days=120, openings=2)))
    result = cli("run", small_file, "-n", 5, "--precision", 0.05, "--workers", 2,
                 "--out", tmp_path / "p")
    assert result.exit_code == 0, result.stderr
    match = re.search(r"(\d+) replications reached the requested precision of 0.05",
                      result.stdout)
    assert match, result.stdout
    n = int(match.group(1))
    table = pd.read_parquet(tmp_path / "p" / "replications.parquet")
    assert list(table["replication"]) == list(range(n))
    assert n > 25  # 5 and 25 replications are not enough here: it had to add some
    assert _half_widths_within(table, 0.05)
    assert precise_enough(table, 0.05)
    step = 20  # replications are added 20 at a time: the previous count was not enough
    assert not _half_widths_within(table.iloc[: max(5, n - step)], 0.05)
    meta = json.loads((tmp_path / "p" / "run.json").read_text())
    assert meta["replications"] == n and meta["status"] == "complete"
    # the first m replications are those of a plain run of m, for m = 5 and m = n
    for m in (5, n):
        plain = cli("run", small_file, "-n", m, "--workers", 2, "--out", tmp_path / f"n{m}")
        assert plain.exit_code == 0
        for name in ("replications", "reqs", "staff"):
            pd.testing.assert_frame_equal(
                pd.read_parquet(tmp_path / f"n{m}" / f"{name}.parquet"),
                pd.read_parquet(tmp_path / "p" / f"{name}.parquet")
                .pipe(lambda f, m=m: f[f["replication"] < m]).reset_index(drop=True))
    assert json.loads((tmp_path / f"n{n}" / "summary.json").read_text()) == json.loads(
        (tmp_path / "p" / "summary.json").read_text())


def test_precision_api_gives_a_plain_runs_numbers(small: Scenario) -> None:
    with Executor(workers=1) as ex:
        outcome = run_batch(small, 5, SEED, ex, precision=0.2, max_replications=200,
                            keep_runs=True)
    n = outcome.n_replications
    assert n == len(outcome.runs) == len(outcome.kpis) and n >= 5
    assert (n - 5) % 20 == 0
    assert digest(outcome.runs) == digest(run_replications(small, n, SEED))


def test_precision_unreachable_stops_at_max_replications(small_file: Path) -> None:
    result = cli("run", small_file, "-n", 5, "--precision", 1e-6, "--max-replications", 25,
                 "--workers", 1, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["replications"] == 25
    table = cli("run", small_file, "-n", 5, "--precision", 1e-6, "--max-replications", 25,
                "--workers", 1)
    assert "stopped at --max-replications 25" in table.stdout


def test_precision_reached_at_the_cap_is_reported_as_reached(small_file: Path) -> None:
    # a 99% precision is met by 5 replications of this scenario: reached at the first check
    result = cli("run", small_file, "-n", 5, "--precision", 0.99, "--max-replications", 5,
                 "--workers", 1)
    assert result.exit_code == 0
    assert "5 replications reached the requested precision" in result.stdout


# ----------------------------------------------------------------- progress and quiet

def test_no_progress_bar_when_stderr_is_not_a_terminal(small_file: Path,
                                                       tmp_path: Path) -> None:
    plain = cli("run", small_file, "-n", 4, "--workers", 1, "--format", "json")
    assert plain.exit_code == 0
    assert all(line.startswith("warning:") for line in plain.stderr.splitlines()), \
        plain.stderr
    for marker in ("\r", "rep/s", "it/s", "%|"):
        assert marker not in plain.stderr
    with_out = cli("run", small_file, "-n", 4, "--workers", 1, "--out", tmp_path / "o")
    lines = [ln for ln in with_out.stderr.splitlines() if not ln.startswith("warning:")]
    assert len(lines) == 1 and "results in" in lines[0], with_out.stderr
    assert "\r" not in with_out.stderr
    for flag in ("--quiet", "-q"):
        quiet = cli("run", small_file, "-n", 4, "--workers", 1, "--format", "json", flag)
        assert quiet.exit_code == 0
        assert quiet.stdout == plain.stdout and quiet.stderr == plain.stderr


def _stderr_on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run hiresim with stderr on a pseudo-terminal; returns (exit code, what it showed)."""
    master, slave = pty.openpty()
    # a new pseudo-terminal is 0 columns wide, and tqdm draws nothing in 0 columns
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "hiresim", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode(errors="replace")


@pytest.mark.slow
def test_progress_bar_on_a_terminal_and_quiet_silences_it(small_file: Path) -> None:
    args = ["run", str(small_file), "-n", "60", "--workers", "1", "--format", "json"]
    code, shown = _stderr_on_a_terminal(args)
    assert code == 0
    assert "rep" in shown and "/60" in shown, shown  # done/total and rate
    code, shown = _stderr_on_a_terminal([*args, "--quiet"])
    assert code == 0
    assert "/60" not in shown and "rep/s" not in shown, shown


def test_the_progress_bar_starts_no_thread_before_workers_fork() -> None:
    """Worker processes are forked after the bar starts; a fork while another Python
    thread runs (tqdm's monitor did) can deadlock the child, and Python 3.12+ warns."""
    import threading

    from hiresim.console import Progress as _Progress

    before = {t.ident for t in threading.enumerate()}
    bar = _Progress(10, "test", quiet=False)
    try:
        bar(3)
        started = [t.name for t in threading.enumerate() if t.ident not in before]
    finally:
        bar.close()
    assert started == []


# ----------------------------------------------------------------- Ctrl-C with workers

_LOGGED_CLI = """
import os, sys, time
import hiresim.experiment as ex
from hiresim.cli import main
log = sys.argv.pop(1)
real = ex.run_replication
def logged(scenario, k, *args, **kwargs):  # the forked workers inherit this
    with open(log, "a") as fh:
        fh.write(f"{time.time():.6f} {os.getpid()} {k}\\n")
    return real(scenario, k, *args, **kwargs)
ex.run_replication = logged
sys.argv[0] = "hiresim"
main()
"""


@pytest.mark.slow
def test_ctrl_c_with_worker_processes_stops_promptly(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the process group) on ``--workers 2``: exit 130 at once with the
    resume command, no worker traceback, no worker left running, and what was saved is
    whole: resuming completes the run with the numbers of each replication run alone.

    (Until the workers were terminated on Ctrl-C, the chunks already queued in the pool
    ran to the end first: 58-80 replications started after the SIGINT.)"""
    path = tmp_path / "medium.yaml"
    path.write_text(yaml.safe_dump(small_dict(horizon_days=150, openings=4)))
    out, log = tmp_path / "out", tmp_path / "started.log"
    proc = subprocess.Popen([sys.executable, "-c", _LOGGED_CLI, str(log), "run", str(path),
                             "-n", "400", "--workers", "2", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    start = time.monotonic()
    while not glob.glob(str(out / "parts" / "chunk-*.done")):
        assert proc.poll() is None and time.monotonic() - start < 300
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
    interrupted, sent = time.monotonic(), time.time()
    _, err = proc.communicate(timeout=600)
    delay = time.monotonic() - interrupted
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err and "KeyboardInterrupt" not in err
    lines = log.read_text().splitlines()
    started = [float(line.split()[0]) for line in lines]
    late = sum(t > sent + 0.1 for t in started)  # begun after Ctrl-C: wasted, never saved
    assert late <= 2, f"{late} replications started after Ctrl-C ({delay:.1f} s to stop)"
    assert delay < 5.0, f"took {delay:.1f} s to stop after Ctrl-C"
    workers = {int(line.split()[1]) for line in lines} - {proc.pid}
    assert len(workers) == 2
    for pid in workers:  # ended with the command (killpg would reach them too: check all)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    # what was saved: whole chunks only, and resuming completes the run
    assert not list(out.rglob("*.tmp"))  # (rglob sees the hidden temporary files)
    assert not glob.glob(str(out / "*.parquet"))
    meta = json.loads((out / "run.json").read_text())
    saved = sorted(out.glob("parts/chunk-*.done"))
    done = [k for m in saved for first, last in [map(int, m.stem.split("-")[1:3])]
            for k in range(first, last + 1)]
    assert meta["status"] == "interrupted" and meta["completed"] == len(done) > 0
    match = re.search(r"(hiresim run .*--resume)\s*$", err.strip())
    assert match, err
    again = cli(*shlex.split(match.group(1))[1:])
    assert again.exit_code == 0, again.stderr
    table = pd.read_parquet(out / "replications.parquet")
    assert list(table["replication"]) == list(range(400))
    scenario = scenario_from_dict(small_dict(horizon_days=150, openings=4))
    for k in (done[0], done[-1], 399):  # saved before Ctrl-C, and run on resume
        row = table[table["replication"] == k].iloc[0]
        fresh = run_replication(scenario, k, SEED)
        assert [row[name] for name in fresh.kpis] == pytest.approx(
            list(fresh.kpis.values()), nan_ok=True, rel=0, abs=0), k


def _big_result(size: int) -> bytes:
    return bytes(size)


@pytest.mark.slow
def test_stopping_a_pool_while_a_worker_sends_its_result_does_not_hang() -> None:
    """A worker terminated half-way through sending a result left the pool's manager
    thread waiting for the rest of the message for ever, and Python hanging at exit
    (found by experiment; stop_pool now closes the parent's end of the result pipe)."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    results = pool._result_queue  # type: ignore[attr-defined]
    future = pool.submit(_big_result, 300_000_000)  # ~0.1-1 s through the pipe
    manager = pool._executor_manager_thread  # type: ignore[attr-defined]
    try:
        deadline = time.monotonic() + 120
        while "recv" not in [f.name for f in traceback.extract_stack(
                sys._current_frames()[manager.ident])]:
            assert not future.done(), "missed the transfer: no test"
            assert time.monotonic() < deadline
            time.sleep(0.001)
        start = time.monotonic()
        stop_pool(pool)
        assert not manager.is_alive(), "the manager thread still waits for the result"
        assert time.monotonic() - start < STOP_GRACE_S
        with pytest.raises(BrokenProcessPool):
            future.result(timeout=0)
    finally:
        if manager.is_alive():  # the bug: unblock it by hand, or pytest never exits
            results._writer.close()
            manager.join(10)
