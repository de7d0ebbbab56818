"""A real Dask cluster: a scheduler and two workers started as separate processes (the
``dask`` command line, loopback only), a sweep run through ``--dask tcp://...``, and the
same results as a local run, bit for bit."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from small_scenario import cli

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 90


def dask_command() -> str | None:
    beside = Path(sys.executable).parent / "dask"
    return str(beside) if beside.is_file() else shutil.which("dask")


def _stop(processes: list[subprocess.Popen]) -> None:
    """End the processes this test started (workers first), each by its own id."""
    for proc in reversed(processes):
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    for proc in reversed(processes):
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    dask = dask_command()
    if dask is None:
        pytest.skip("the dask command line is not installed (pip install 'hiresim[dask]')")
    pytest.importorskip("distributed", reason="needs dask.distributed")
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])}
    logs = [open(folder / f"{name}.log", "w") for name in ("scheduler", "w1", "w2")]
    processes: list[subprocess.Popen] = []
    try:
        processes.append(subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(scheduler_file)],
            cwd=folder, env=env, stdout=logs[0], stderr=subprocess.STDOUT))
        deadline = time.monotonic() + START_SECONDS
        while not scheduler_file.is_file() or not scheduler_file.read_text().strip():
            if time.monotonic() > deadline or processes[0].poll() is not None:
                pytest.fail("the Dask scheduler did not start: "
                            + (folder / "scheduler.log").read_text()[-1000:])
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for log in logs[1:]:
            processes.append(subprocess.Popen(
                [dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                 "--nworkers", "1", "--no-dashboard", "--memory-limit", "0"],
                cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT))
        with Client(address, timeout=START_SECONDS) as client:
            client.wait_for_workers(2, timeout=START_SECONDS)
            assert len(client.scheduler_info()["workers"]) == 2
        yield address
    finally:
        _stop(processes)
        for log in logs:
            log.close()


def test_a_sweep_on_a_real_cluster_equals_the_local_run(cluster: str, tmp_path: Path) -> None:
    sweep_file = ROOT / "scenarios" / "split-team-sizes.yaml"
    args = ("sweep", sweep_file, "-n", 3, "--seed", 11, "--quiet", "--format", "json",
            "--set", "profiles[*].openings.count=4", "--goal", "fill_rate>=0.5")
    remote = cli(*args, "--dask", cluster, "--out", tmp_path / "remote")
    assert remote.exit_code == 0, remote.stderr
    local = cli(*args, "--workers", 1, "--out", tmp_path / "local")
    assert local.exit_code == 0, local.stderr
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "remote" / "sweep.parquet"),
                                  pd.read_parquet(tmp_path / "local" / "sweep.parquet"))
    points = sorted(p.name for p in (tmp_path / "local" / "points").iterdir())
    assert len(points) > 1
    for point in points:
        for table in ("replications", "reqs", "staff"):
            pd.testing.assert_frame_equal(
                pd.read_parquet(tmp_path / "remote" / "points" / point / f"{table}.parquet"),
                pd.read_parquet(tmp_path / "local" / "points" / point / f"{table}.parquet"),
                obj=f"{point}/{table}")
    run = json.loads((tmp_path / "remote" / "points" / points[0] / "run.json").read_text())
    assert run["executor"] == f"dask:{cluster}"
