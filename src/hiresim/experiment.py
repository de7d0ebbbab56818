"""Run MANY replications: serially, on local worker processes, or on a Dask cluster.

Each replication is the pure function ``run_replication(scenario, k, seed)``; this module
only fans replication numbers out in chunks and hands the results back *in replication
order*, so everything downstream is identical for 1 or N workers, or any cluster. One
``Executor`` is made per command and reused for every scenario of that command, so a
sweep of many scenarios pays the pool start-up once.

Ctrl-C: worker processes ignore SIGINT (the terminal sends it to the whole process
group); the parent handles it and ends the workers at once (``stop_pool``), so an
interrupted command exits promptly, prints no worker tracebacks, and keeps the chunks
it had already saved for ``--resume``.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from hiresim.records import ReplicationResult
from hiresim.replication import run_replication
from hiresim.scenario import Scenario

ProgressCallback = Callable[[int], None]
MAX_CHUNK = 16
STOP_GRACE_S = 5.0  # after SIGTERM, how long a worker may take to die before SIGKILL


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


def _worker_init() -> None:
    """In each worker process: Ctrl-C is the parent's to handle (it ends the workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def _sigint_blocked_for_children() -> Iterator[None]:
    """Block SIGINT in this thread while worker processes are started: they inherit the
    mask, so a Ctrl-C before ``_worker_init`` runs cannot raise KeyboardInterrupt in them
    (and print a traceback). The parent still gets the signal, once unblocked."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """End a process pool now: drop the chunks it has not started, terminate its workers.

    ``shutdown(cancel_futures=True)`` alone drops only the chunks not yet handed to the
    workers; the ``workers + 1`` chunks already in the pool's call queue would still run
    to the end, and Python waits for them at exit. So the workers get SIGTERM (SIGKILL
    after ``STOP_GRACE_S``); concurrent.futures then fails the remaining futures with
    BrokenProcessPool and its manager thread ends. A worker killed while sending a result
    would leave that thread waiting for the rest of the message for ever (so Python would
    hang at exit): closing our copy of the result pipe's write end turns it into EOF.
    (This reads the pool's private ``_processes`` and ``_result_queue``; Python 3.14 has
    ``terminate_workers()`` for the first part.)
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + STOP_GRACE_S
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.exitcode is None:
            process.kill()
            process.join()
    writer = getattr(results, "_writer", None)
    if processes and writer is not None:  # no worker is left to write to it
        writer.close()
    if manager is not None:
        manager.join(STOP_GRACE_S)


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
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             initializer=_worker_init)
        with _sigint_blocked_for_children():  # workers start on the first submits
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
        except GeneratorExit:  # the caller stopped early: only cancel what is left
            raise
        except BaseException:  # Ctrl-C while waiting (or a failed chunk): stop the workers
            self.close(wait=False)
            raise
        finally:
            for future in futures:
                if future is not None:
                    future.cancel()

    def _result(self, future: Any) -> list[ReplicationResult]:
        return future.result()

    def close(self, wait: bool = True) -> None:
        """Shut the pool down. ``wait=False`` (Ctrl-C, an error) does not let the workers
        finish: queued chunks are dropped and running ones killed (``stop_pool``)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if wait:
            pool.shutdown(wait=True, cancel_futures=True)
        else:
            stop_pool(pool)

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
        futures: list[Any] = [
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
