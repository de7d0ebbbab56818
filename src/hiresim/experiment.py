"""Run MANY replications: serially, on local worker processes, or on a Dask cluster.

Each replication is the pure function ``run_replication(scenario, k, seed)``; this module
only fans replication numbers out in chunks and hands the results back *in replication
order*, so everything downstream is identical for 1 or N workers, or any cluster. One
``Executor`` is made per command and reused for every scenario of that command, so a
sweep of many scenarios pays the pool start-up once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from hiresim.records import ReplicationResult
from hiresim.replication import run_replication
from hiresim.scenario import Scenario

ProgressCallback = Callable[[int], None]
MAX_CHUNK = 16


class ExecutorUnavailable(RuntimeError):
    """The requested executor cannot be used here (e.g. Dask is not installed)."""


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _run_chunk(
    scenario: Scenario, replications: Sequence[int], seed: int, record_detail: bool
) -> list[ReplicationResult]:
    return [run_replication(scenario, k, seed, record_detail) for k in replications]


def chunked(numbers: Sequence[int], workers: int) -> list[list[int]]:
    """Split replication numbers into chunks: about four per worker, at most MAX_CHUNK each."""
    size = max(1, min(MAX_CHUNK, len(numbers) // max(1, workers * 4)))
    return [list(numbers[i:i + size]) for i in range(0, len(numbers), size)]


class Executor:
    """Serial execution in this process (``workers == 1``) or a local process pool."""

    name = "serial"

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if workers > 1:
            self.name = f"processes:{workers}"

    def _submit(self, scenario: Scenario, part: list[int], seed: int,
                record_detail: bool) -> Future[list[ReplicationResult]]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        return self._pool.submit(_run_chunk, scenario, part, seed, record_detail)

    def map(
        self,
        scenario: Scenario,
        replications: Sequence[int],
        seed: int,
        record_detail: bool = False,
    ) -> Iterator[ReplicationResult]:
        """Results of the given replications, yielded in the order of ``replications``."""
        numbers = list(replications)
        if self.workers == 1 or len(numbers) <= 1:
            for k in numbers:
                yield run_replication(scenario, k, seed, record_detail)
            return
        futures: list[Any] = [self._submit(scenario, part, seed, record_detail)
                              for part in chunked(numbers, self.workers)]
        try:
            for i, future in enumerate(futures):
                futures[i] = None  # a finished future holds its results: let them go
                yield from self._result(future)
        finally:
            for future in futures:
                if future is not None:
                    future.cancel()

    def _result(self, future: Any) -> list[ReplicationResult]:
        return future.result()

    def close(self, wait: bool = True) -> None:
        """Shut the pool down; ``wait=False`` (after Ctrl-C) does not wait for running work."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(wait=exc_type is None)


class DaskExecutor(Executor):
    """The same chunks sent to a Dask distributed cluster (an address, or 'local')."""

    def __init__(self, address: str, local_workers: int | None = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as err:
            raise ExecutorUnavailable(
                "--dask needs Dask: pip install 'hiresim[dask]'"
            ) from err
        super().__init__(workers=1)
        self._cluster = None
        if address == "local":
            n = local_workers or default_workers()
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(address, timeout="10s")
            except OSError as err:
                raise ExecutorUnavailable(f"cannot reach the Dask scheduler at {address}: "
                                          f"{err}") from err
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        self.name = f"dask:{address}"

    def map(self, scenario: Scenario, replications: Sequence[int], seed: int,
            record_detail: bool = False) -> Iterator[ReplicationResult]:
        numbers = list(replications)
        if not numbers:
            return
        scattered = self._client.scatter(scenario, broadcast=True)
        futures = [
            self._client.submit(_run_chunk, scattered, part, seed, record_detail, pure=False)
            for part in chunked(numbers, self.workers)
        ]
        try:
            for i, future in enumerate(futures):
                futures[i] = None
                yield from future.result()
        finally:
            for future in futures:
                if future is not None:
                    future.cancel()

    def close(self, wait: bool = True) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(workers: int | None = None, dask: str | None = None) -> Executor:
    """The executor for a command: Dask when an address is given, else local processes."""
    if dask:
        return DaskExecutor(dask, local_workers=workers)
    return Executor(default_workers() if workers is None else workers)


def run_replications(
    scenario: Scenario,
    replications: int | Sequence[int] | None = None,
    seed: int | None = None,
    workers: int = 1,
    record_detail: bool = False,
    progress: ProgressCallback | None = None,
    executor: Executor | None = None,
) -> list[ReplicationResult]:
    """Results of the given replications (``range(n)`` for an int), in replication order."""
    if replications is None:
        replications = scenario.simulation.replications
    numbers = list(range(replications)) if isinstance(replications, int) else list(replications)
    root_seed = scenario.simulation.seed if seed is None else seed
    own = executor is None
    ex = Executor(workers) if executor is None else executor
    try:
        out = []
        for result in ex.map(scenario, numbers, root_seed, record_detail):
            out.append(result)
            if progress is not None:
                progress(1)
        return out
    finally:
        if own:
            ex.close()
