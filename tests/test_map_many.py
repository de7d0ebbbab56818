"""Executor.map_many: a sequential sweep's round of several scenarios run together gives
the same replications as running each scenario alone, in each job's order."""

from __future__ import annotations

import json

import pytest

from hiresim.experiment import Executor
from hiresim.scenario import Scenario
from hiresim.studies import CachedExecutor
from small_scenario import small_dict


def _kpis(results) -> list[str]:
    """Each replication's KPIs as comparable text (NaN equals NaN)."""
    return [json.dumps(r.kpis, sort_keys=True) for r in results]


def _scenarios() -> list[Scenario]:
    base = small_dict()
    more = small_dict()
    more["team"]["recruiters"]["count"] = 3
    return [Scenario.model_validate(base), Scenario.model_validate(more)]


@pytest.mark.parametrize("workers", [1, 2])
def test_map_many_equals_map_per_job(workers: int) -> None:
    a, b = _scenarios()
    jobs = [(a, [3, 0, 5]), (b, [1]), (a, []), (b, [4, 2])]
    with Executor(workers) as ex:
        together = ex.map_many(jobs, seed=11)
        alone = [list(ex.map(sc, ks, 11)) for sc, ks in jobs]
    assert [[r.replication for r in rs] for rs in together] == [ks for _, ks in jobs]
    assert [_kpis(rs) for rs in together] == [_kpis(rs) for rs in alone]
    assert _kpis(together[0]) != _kpis(together[3][:1] * 3)  # two scenarios, two answers


def test_cached_map_many_runs_only_what_it_has_not_kept() -> None:
    a, b = _scenarios()
    with Executor(2) as inner:
        cached = CachedExecutor(inner)
        first = cached.map_many([(a, [0, 1]), (b, [0])], seed=3)
        before = inner.submitted
        again = cached.map_many([(a, [1, 0]), (b, [0])], seed=3)
        assert inner.submitted == before  # all kept: nothing submitted
        more = cached.map_many([(a, [2]), (b, [0, 1])], seed=3)
    assert _kpis(again[0]) == _kpis(reversed(first[0]))
    assert _kpis(more[1][:1]) == _kpis(first[1])
    assert [r.replication for r in more[1]] == [0, 1]
