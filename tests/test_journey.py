"""Journeys: candidate stories stepped by the events and tasks they wait for."""

from __future__ import annotations

import gc
import sys
import types
from typing import Any

import pytest
import simpy

from hiresim.compiled import core_mode
from hiresim.experiment import run_replications
from hiresim.model.hiring_model import HiringModel
from hiresim.model.journey import Journeys
from hiresim.model.work import DONE, WITHDREW, Activity, Task
from hiresim.scenario import Scenario
from small_scenario import SEED


def test_a_journey_runs_at_once_and_resumes_on_events_and_tasks() -> None:
    env = simpy.Environment()
    journeys = Journeys()
    task = Task(Activity.SCREEN, None)
    seen: list[tuple[float, Any]] = []

    def story():
        seen.append((env.now, "start"))
        value = yield env.timeout(2.0, value="delay")
        seen.append((env.now, value))
        outcome = yield task
        seen.append((env.now, outcome))

    journeys.start(story())
    assert seen == [(0.0, "start")]  # started in the creating step, no Initialize event
    assert len(journeys.live) == 1
    env.run(until=5.0)
    assert seen == [(0.0, "start"), (2.0, "delay")]
    queued = len(env._queue)
    task.complete(DONE)  # the worker's call resumes the story at once
    assert seen[-1] == (5.0, DONE)
    assert journeys.live == {}  # returned: no longer tracked, no end event scheduled
    assert len(env._queue) == queued


def test_waiting_on_something_already_processed_goes_on_at_once() -> None:
    env = simpy.Environment()
    done = env.event().succeed("early")
    env.run()  # processed: its callbacks are gone
    task = Task(Activity.OFFER, None)
    task.complete(WITHDREW)
    got: list[Any] = []

    def story():
        got.append((yield done))
        got.append((yield task))

    Journeys().start(story())
    assert got == ["early", WITHDREW]


def test_a_task_completes_once() -> None:
    task = Task(Activity.SCREEN, None)
    task.complete(DONE)
    with pytest.raises(RuntimeError, match="fired twice"):
        task.complete(DONE)


def test_close_all_closes_suspended_journeys_outermost_first() -> None:
    journeys = Journeys()
    closed: list[str] = []

    def inner():
        try:
            yield Task(Activity.SCREEN, None)  # never completed
        finally:
            closed.append("inner")

    def outer():
        try:
            yield from inner()
        finally:
            closed.append("outer")

    journeys.start(outer())
    journeys.close_all()
    assert closed == ["inner", "outer"]
    assert journeys.live == {}


def _suspended_stories() -> list[str]:
    """Stories suspended mid-way, seen as Python generators (the core run from sources;
    compiled generators are not frames the garbage collector can show)."""
    return sorted(
        o.gi_code.co_name for o in gc.get_objects()
        if isinstance(o, types.GeneratorType) and o.gi_frame is not None
        and o.gi_code.co_filename.endswith(("candidates.py", "hiring_model.py"))
        and o.gi_code.co_name in ("sourced", "inbound", "pipeline", "team_step", "_intake",
                                  "_upkeep", "_req_lifecycle", "_applications")
    )


def test_no_story_is_left_suspended_for_the_garbage_collector(small: Scenario) -> None:
    """Candidates closed out mid-task wait forever on a cancelled task, and many are in
    process at the horizon. Left suspended, their nested ``yield from`` generators are
    finalised by the garbage collector in any order; inner first, CPython prints
    "generator already executing" on stderr (it did, before journeys were closed at the
    end of the run). test_compiled_core runs this file on the Python sources too."""
    model = HiringModel(small, 3, SEED)
    env_run = model.env.run
    seen: list[tuple[int, list[str]]] = []

    def run_and_look(until: float) -> None:
        env_run(until=until)
        seen.append((len(model.journeys.live), _suspended_stories()))

    model.env.run = run_and_look  # type: ignore[method-assign]
    model.run()
    live_at_horizon, suspended_at_horizon = seen[0]
    assert live_at_horizon > 0, "the check needs journeys under way at the horizon"
    assert model.journeys.live == {}
    if not core_mode().startswith("compiled"):
        assert suspended_at_horizon, "the Python generators of those journeys are visible"
        assert _suspended_stories() == []


def test_no_generator_errors_when_runs_are_collected(small: Scenario) -> None:
    problems: list[Any] = []
    old_hook, old_threshold = sys.unraisablehook, gc.get_threshold()
    sys.unraisablehook = problems.append
    gc.set_threshold(100, 2, 2)  # collect often, during the runs
    try:
        results = run_replications(small, [17, 4, 29, 3, 0], SEED)
        del results
        gc.collect()
    finally:
        sys.unraisablehook = old_hook
        gc.set_threshold(*old_threshold)
    assert [repr(p.exc_value) for p in problems] == []


# ----------------------------------------------- what Journey relies on in SimPy


def test_simpy_keeps_an_events_value_in_the_private_value_attribute() -> None:
    """journey.py reads SimPy's ``Event._value`` (and ``callbacks``) instead of the public
    ``Event.value`` property, to save a property call per resume. This pins the SimPy
    behaviour that relies on: if an upgrade changes it, this fails (journey.py says why)."""
    env = simpy.Environment()
    event = env.event()
    assert event.callbacks == []  # pending: a list to append to
    seen: list[tuple[Any, Any]] = []
    event.callbacks.append(lambda ev: seen.append((ev.callbacks, ev._value)))
    event.succeed("outcome")
    assert event._value == "outcome"  # set when triggered, before it is processed
    timeout = env.timeout(1.0, value="late")
    assert timeout._value == "late"  # a timeout's value is set when it is made
    env.run()
    assert seen == [(None, "outcome")]  # processed before callbacks run; value final
    assert event.callbacks is None and timeout.callbacks is None
    assert (event._value, timeout._value) == (event.value, timeout.value)


def test_a_journey_gets_the_value_simpy_events_succeed_with() -> None:
    """The same through a journey: pending and already-processed SimPy events both give
    the story the value they succeeded with."""
    env = simpy.Environment()
    pending = env.event()
    processed = env.event().succeed(7)
    env.run()
    got: list[Any] = []

    def story():
        got.append((yield processed))
        got.append((yield pending))
        got.append((yield env.timeout(1.0, value="timed")))

    Journeys().start(story())
    assert got == [7]
    pending.succeed("later")
    env.run()
    assert got == [7, "later", "timed"]
