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

import ctypes
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any

from hiresim.records import ReplicationResult
from hiresim.replication import run_replication
from hiresim.scenario import Scenario

ProgressCallback = Callable[[int], None]
MAX_CHUNK = 16
IN_FLIGHT_PER_WORKER = 3  # chunks submitted ahead per worker process (bounded memory)
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


def _worker_init(parent: int | None = None) -> None:
    """In each worker process: Ctrl-C is the parent's to handle (it ends the workers), and
    the worker dies with its parent (``_die_with_parent``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if parent is not None:
        _die_with_parent(parent)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_POLL_S = 1.0  # the watchdog's interval where there is no parent-death signal


def _die_with_parent(parent: int) -> None:
    """End this worker when the process that started it dies, even by SIGKILL (the OOM
    killer), which gives the parent no chance to stop its workers: otherwise they would
    wait for work on the pool's pipe for ever.

    Linux, when the pool forked this worker itself: ``prctl(PR_SET_PDEATHSIG, SIGKILL)``
    asks the kernel to kill this process when its parent (strictly: the parent's thread
    that started it, the calling thread of ``Executor.map``) ends; the parent may already
    be gone when it is set, hence the check of ``getppid`` after it. Elsewhere (or when a
    fork server started this worker, so its parent is not the pool's process): a daemon
    thread that checks every ``PARENT_POLL_S`` seconds that the parent is alive.
    """
    if os.getppid() == parent and sys.platform.startswith("linux") \
            and _set_parent_death_signal(signal.SIGKILL):
        if os.getppid() != parent:  # it died before the signal was set
            os._exit(1)
        return
    if not _alive(parent):
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="hiresim-parent-watchdog",
                     daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process now has the pid
        return True
    return True


def _set_parent_death_signal(sig: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):  # pragma: no cover - no libc or no prctl
        return False


def _watch_parent(parent: int) -> None:
    while _alive(parent):
        time.sleep(PARENT_POLL_S)
    os._exit(1)


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


def _known_length(numbers: Iterable[int]) -> int | None:
    try:
        return len(numbers)  # type: ignore[arg-type]
    except (TypeError, OverflowError):  # an iterator, or a range too long for len()
        return None


def chunks(numbers: Iterable[int], workers: int) -> Iterator[list[int]]:
    """Replication numbers in chunks, lazily: about four per worker, at most MAX_CHUNK each.

    Only the chunk being made is held, so ``range(10**12)`` costs nothing. The chunk size
    needs the count: of a sized input it is ``len``; of an iterator, the first
    ``4 x workers x MAX_CHUNK`` numbers are read ahead (if there are more, the size is
    MAX_CHUNK anyway).
    """
    it = iter(numbers)
    n = _known_length(numbers)
    head: list[int] = []
    if n is None:
        enough = 4 * max(1, workers) * MAX_CHUNK
        head = list(islice(it, enough))
        if len(head) < enough:
            n = len(head)
    size = MAX_CHUNK if n is None else max(1, min(MAX_CHUNK, n // max(1, workers * 4)))
    rest = chain(head, it)
    while part := list(islice(rest, size)):
        yield part


def chunked(numbers: Iterable[int], workers: int) -> list[list[int]]:
    """``chunks`` as a list (for a known, small set of numbers)."""
    return list(chunks(numbers, workers))


def chunk_count(numbers: Iterable[int], workers: int) -> int | None:
    """How many chunks ``chunks(numbers, workers)`` makes, if the count is known."""
    n = _known_length(numbers)
    if n is None:
        return None
    size = max(1, min(MAX_CHUNK, n // max(1, workers * 4)))
    return -(-n // size)


def in_order(parts: Iterator[list[int]], submit: Callable[[list[int]], Any], limit: int,
             result: Callable[[Any], list[ReplicationResult]]
             ) -> Generator[ReplicationResult, None, None]:
    """Results of chunks submitted with ``submit``, in chunk order, with at most ``limit``
    chunks submitted and not yet consumed: the next one is submitted as each is taken."""
    pending: deque[Any] = deque(submit(part) for part in islice(parts, limit))
    try:
        while pending:
            done = result(pending[0])
            pending.popleft()  # a finished future holds its results: let them go
            for part in islice(parts, 1):
                pending.append(submit(part))
            yield from done
            del done
    finally:  # the caller stopped early, Ctrl-C or a failed chunk: drop what is queued
        for future in pending:
            future.cancel()


class Executor:
    """Serial execution in this process (``workers == 1``) or a local process pool.

    The pool starts on the first chunk, with no more processes than that map has chunks
    (so ``workers=1000`` for 12 replications starts 12); a later map that has more chunks
    replaces a smaller, idle pool.
    """

    name = "serial"

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._pool_size = 0
        self.submitted = 0  # chunks handed to the pool (for tests and diagnostics)
        if workers > 1:
            self.name = f"processes:{workers}"

    def _start_pool(self, wanted: int) -> None:
        size = max(1, min(self.workers, wanted))
        if self._pool is not None and self._pool_size >= size:
            return
        if self._pool is not None:  # idle between maps: all its results were taken
            self._pool.shutdown(wait=True)
        with _sigint_blocked_for_children():  # workers start on the first submits
            self._pool = ProcessPoolExecutor(max_workers=size, initializer=_worker_init,
                                             initargs=(os.getpid(),))
        self._pool_size = size

    def _submit(self, scenario: Scenario, part: list[int], seed: int,
                record_detail: bool) -> Future[list[ReplicationResult]]:
        if self._pool is None:
            self._start_pool(self.workers)
        assert self._pool is not None
        self.submitted += 1
        with _sigint_blocked_for_children():  # workers start on the first submits
            return self._pool.submit(_run_chunk, scenario, part, seed, record_detail)

    def map(
        self,
        scenario: Scenario,
        replications: Iterable[int],
        seed: int,
        record_detail: bool = False,
    ) -> Iterator[ReplicationResult]:
        """Results of the given replications, yielded in the order of ``replications``.

        ``replications`` may be any iterable (a generator, ``range(10**12)``): numbers are
        taken as chunks are submitted, and at most ``IN_FLIGHT_PER_WORKER`` chunks per
        worker are in the pool at a time, so memory does not grow with their count.
        """
        if self.workers == 1:
            for k in replications:
                yield run_replication(scenario, k, seed, record_detail)
            return
        parts = chunks(replications, self.workers)
        first = list(islice(parts, 2))
        if not first:
            return
        if len(first) == 1 and len(first[0]) == 1:  # one replication: no pool for it
            yield run_replication(scenario, first[0][0], seed, record_detail)
            return
        count = chunk_count(replications, self.workers)
        self._start_pool(self.workers if count is None else count)
        try:
            yield from in_order(
                chain(first, parts),
                lambda part: self._submit(scenario, part, seed, record_detail),
                self._pool_size * IN_FLIGHT_PER_WORKER, self._result)
        except GeneratorExit:  # the caller stopped early: in_order cancelled what is left
            raise
        except BaseException:  # Ctrl-C while waiting (or a failed chunk): stop the workers
            self.close(wait=False)
            raise

    def _result(self, future: Any) -> list[ReplicationResult]:
        return future.result()

    def _submitter(self, scenario: Scenario, seed: int,
                   record_detail: bool) -> Callable[[list[int]], Any]:
        """A function that submits one chunk of ``scenario``'s replications."""
        return lambda part: self._submit(scenario, part, seed, record_detail)

    def map_many(self, jobs: Sequence[tuple[Scenario, Sequence[int]]], seed: int,
                 record_detail: bool = False) -> list[list[ReplicationResult]]:
        """Several scenarios' replications at once (a round of a sequential sweep): the
        chunks of every job share the workers, instead of one scenario after the other
        with the workers idle at the end of each. Per job, its results in the order of
        its numbers; the same results as ``map`` on each job."""
        work = [(scenario, list(numbers)) for scenario, numbers in jobs]
        total = sum(len(numbers) for _, numbers in work)
        if self.workers == 1 or total <= 1:
            return [list(self.map(sc, numbers, seed, record_detail)) for sc, numbers in work]
        flat = [(j, part) for j, (_, numbers) in enumerate(work)
                for part in chunks(numbers, self.workers)]
        self._prepare(len(flat))
        submit_job = [self._submitter(sc, seed, record_detail) for sc, _ in work]
        owners = iter([j for j, _ in flat])
        results = in_order(iter([part for _, part in flat]),
                           lambda part: submit_job[next(owners)](part),
                           self.workers * IN_FLIGHT_PER_WORKER, self._result)
        try:
            return [[next(results) for _ in numbers] for _, numbers in work]
        except BaseException:  # Ctrl-C while waiting (or a failed chunk): stop the workers
            results.close()
            self.close(wait=False)
            raise

    def _prepare(self, chunk_count: int) -> None:
        """Start the pool for a map of ``chunk_count`` chunks."""
        self._start_pool(chunk_count)

    def close(self, wait: bool = True) -> None:
        """Shut the pool down. ``wait=False`` (Ctrl-C, an error) does not let the workers
        finish: queued chunks are dropped and running ones killed (``stop_pool``)."""
        pool, self._pool = self._pool, None
        self._pool_size = 0
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

    def map(self, scenario: Scenario, replications: Iterable[int], seed: int,
            record_detail: bool = False) -> Iterator[ReplicationResult]:
        parts = chunks(replications, self.workers)
        first = list(islice(parts, 1))
        if not first:
            return
        submit = self._submitter(scenario, seed, record_detail)
        yield from in_order(chain(first, parts), submit,
                            self.workers * IN_FLIGHT_PER_WORKER, lambda f: f.result())

    def _submitter(self, scenario: Scenario, seed: int,
                   record_detail: bool) -> Callable[[list[int]], Any]:
        scattered = self._client.scatter(scenario, broadcast=True)

        def submit(part: list[int]) -> Any:
            self.submitted += 1
            return self._client.submit(_run_chunk, scattered, part, seed, record_detail,
                                       pure=False)
        return submit

    def _prepare(self, chunk_count: int) -> None:
        """The cluster is already up."""

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
    replications: int | Iterable[int] | None = None,
    seed: int | None = None,
    workers: int = 1,
    record_detail: bool = False,
    progress: ProgressCallback | None = None,
    executor: Executor | None = None,
) -> list[ReplicationResult]:
    """Results of the given replications (``range(n)`` for an int), in replication order."""
    if replications is None:
        replications = scenario.simulation.replications
    numbers = range(replications) if isinstance(replications, int) else replications
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
