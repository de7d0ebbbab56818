"""Replication numbers are streamed and worker processes are bounded (issue 14, items 7,
8 and 10): ``-n 10**9`` does not list its numbers, a pool holds a bounded number of chunks,
never has more processes than chunks, and its workers die with the main process even when
that one is SIGKILLed (as by the OOM killer).
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hiresim
from hiresim.experiment import IN_FLIGHT_PER_WORKER, Executor, chunked, chunks
from hiresim.scenario import Scenario
from small_scenario import REPO, SEED, cli

LINUX_PROC = Path("/proc/self/stat").exists()
SOURCES = str(Path(hiresim.__file__).resolve().parents[1])  # the hiresim under test


def _env(*extra: str) -> dict[str, str]:
    """This environment, with the hiresim under test first on the path of a child."""
    path = [SOURCES, *extra, os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in path if p)}


@settings(max_examples=100, deadline=None)
@given(n=st.integers(0, 700), workers=st.integers(1, 16))
def test_lazy_chunks_of_an_iterator_are_those_of_the_list(n: int, workers: int) -> None:
    numbers = list(range(5, 5 + n))
    assert list(chunks(iter(numbers), workers)) == chunked(numbers, workers)
    assert list(chunks(range(5, 5 + n), workers)) == chunked(numbers, workers)


def test_chunks_of_an_endless_stream_are_made_lazily() -> None:
    first = list(itertools.islice(chunks(itertools.count(), 2), 3))
    assert first == [list(range(0, 16)), list(range(16, 32)), list(range(32, 48))]
    assert next(chunks(range(10**19), 4)) == list(range(16))  # too long for len()


def test_map_over_a_trillion_replications_keeps_few_chunks_in_flight(small: Scenario) -> None:
    start = time.monotonic()
    with Executor(workers=2) as ex:
        stream = ex.map(small, range(10**12), SEED)
        taken = [next(stream).replication for _ in range(20)]
        in_flight = ex.submitted
        stream.close()
    assert taken == list(range(20))
    # 2 workers x IN_FLIGHT_PER_WORKER chunks, plus the ones submitted as chunks were taken
    assert in_flight <= 2 * IN_FLIGHT_PER_WORKER + 2
    assert time.monotonic() - start < 60


def test_map_of_a_generator_gives_the_serial_results_in_order(small: Scenario) -> None:
    wanted = [7, 3, 30, 31, 32, 0, 12, 40, 41, 42, 43, 44, 2]
    with Executor(workers=1) as one:
        serial = [(r.replication, repr(r.kpis)) for r in one.map(small, wanted, SEED)]
    with Executor(workers=2) as two:
        parallel = [(r.replication, repr(r.kpis))
                    for r in two.map(small, iter(wanted), SEED)]
    assert parallel == serial


def test_pool_has_no_more_processes_than_chunks(small: Scenario) -> None:
    with Executor(workers=64) as ex:
        results = list(ex.map(small, range(3), SEED))
        pool = ex._pool
        assert pool is not None
        assert len(pool._processes) <= 3  # type: ignore[attr-defined]
        # a later, larger map of the same executor gets a larger pool
        more = list(ex.map(small, range(3, 9), SEED))
        assert ex._pool is not None and len(ex._pool._processes) == 6  # type: ignore
    assert [r.replication for r in results + more] == list(range(9))


def test_workers_beyond_the_cores_get_one_warning_line(small_file: Path) -> None:
    many = (os.cpu_count() or 1) + 7
    result = cli("run", small_file, "-n", "2", "--workers", many, "-q", "--format", "json")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: --workers {many} is more than this machine's "
                        f"{os.cpu_count()} cores; the extra processes only share them"]


def _run_snippet(code: str, timeout: float) -> subprocess.CompletedProcess:
    """Run Python code in a child limited to 3 GB of address space (a run that would list
    10**12 numbers fails there instead of eating the machine)."""
    prelude = textwrap.dedent("""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
    """)
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=timeout, env=_env())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs RLIMIT_AS (POSIX)")
def test_a_batch_of_a_trillion_replications_starts_at_once(small_file: Path) -> None:
    """run_batch with -n 10**12: the first results arrive without listing the numbers."""
    done = _run_snippet(f"""
        import time
        from hiresim.batch import run_batch
        from hiresim.experiment import Executor
        from hiresim.scenario_files import load_scenario
        scenario = load_scenario({str(small_file)!r})
        seen = []
        def progress(n):
            seen.append(n)
            if len(seen) >= 5:
                raise KeyboardInterrupt
        start = time.monotonic()
        for workers in (1, 2):
            seen.clear()
            with Executor(workers) as ex:
                try:
                    run_batch(scenario, 10**12, {SEED}, ex, progress=progress)
                except KeyboardInterrupt:
                    pass
        print("ok", round(time.monotonic() - start, 1))
    """, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("ok")


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc/*/stat; psutil is not installed)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed process may wait to be reaped by init)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2:].split()[0] not in ("Z", "X")


@pytest.mark.skipif(not LINUX_PROC, reason="reads /proc")
def test_workers_exit_when_the_main_process_is_killed(tmp_path: Path) -> None:
    """SIGKILL of the main process only (what the OOM killer does): its workers go too."""
    main = subprocess.Popen(
        [sys.executable, "-m", "hiresim", "run", str(REPO / "scenarios" / "combined.yaml"),
         "-n", "100000", "--workers", "2", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(), cwd=tmp_path)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.2)
            workers = _children(main.pid)
            assert main.poll() is None, "the run ended before its workers started"
        assert len(workers) >= 2, "no worker processes appeared"
        time.sleep(1.0)  # the workers are running their first chunks
        workers = _children(main.pid)
        os.kill(main.pid, signal.SIGKILL)
        main.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(w) for w in workers):
            time.sleep(0.1)
        left = [w for w in workers if _running(w)]
        assert not left, f"worker processes {left} outlived the killed main process"
    finally:
        if main.poll() is None:
            main.kill()
            main.wait()
        for w in workers:  # only the processes this test started
            if _running(w):
                os.kill(w, signal.SIGKILL)
