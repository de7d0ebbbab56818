"""Run MANY replications of a scenario: serially or on local worker processes.

Each replication is the pure function ``run_replication(scenario, k, seed)``; this module
only fans the replication numbers out and puts the results back in replication order, so
the output is identical for 1 or N workers. Work is sent in chunks so that per-task
overhead stays small.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from hiresim.records import ReplicationResult
from hiresim.replication import run_replication
from hiresim.scenario import Scenario

ProgressCallback = Callable[[int], None]


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


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def run_replications(
    scenario: Scenario,
    replications: int | Sequence[int] | None = None,
    seed: int | None = None,
    workers: int = 1,
    record_detail: bool = False,
    progress: ProgressCallback | None = None,
) -> list[ReplicationResult]:
    """Results of the given replications (``range(n)`` for an int), in replication order."""
    if replications is None:
        replications = scenario.simulation.replications
    numbers = list(range(replications)) if isinstance(replications, int) else list(replications)
    root_seed = scenario.simulation.seed if seed is None else seed
    if workers <= 1 or len(numbers) <= 1:
        out = []
        for k in numbers:
            out.append(run_replication(scenario, k, root_seed, record_detail))
            if progress is not None:
                progress(1)
        return out
    chunk = max(1, min(16, len(numbers) // (workers * 4)))
    by_number: dict[int, ReplicationResult] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(_run_chunk, scenario, part, root_seed, record_detail)
            for part in _chunks(numbers, chunk)
        ]
        for future in futures:
            for result in future.result():
                by_number[result.replication] = result
                if progress is not None:
                    progress(1)
    return [by_number[k] for k in numbers]
