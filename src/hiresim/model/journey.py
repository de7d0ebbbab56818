"""Running a story (a generator) on the events it waits for, without a SimPy process.

A candidate's journey is written as a generator that yields what it waits for: a SimPy
event (a delay, a req opening, an offer slot) or a ``Task`` of staff work. SimPy would
run it as a ``Process``, which costs two scheduled events of pure bookkeeping per
candidate (start and end) and one more per piece of staff work (the task's ``done``
event). Hundreds of thousands of short journeys are the bulk of a replication, so
``Journey`` steps the generator directly instead:

* it starts at once, in the step that creates it;
* it resumes from the callback of the event it waits for, or, for staff work, straight
  from the worker who finishes the task (``Task.complete``), at the same simulated time;
* when the generator returns, nothing is scheduled.

Anything that yields must offer what a SimPy event offers for this: ``callbacks`` (a
list while pending, ``None`` once processed) and ``_value``.

Why ``_value``, a private attribute of SimPy's ``Event``: SimPy's public ``Event.value``
is a property that checks ``_value is PENDING`` and then returns ``_value``; in SimPy
4.0 and 4.1 (4.1.2 measured) it costs about 100 ns more per read than the attribute, a
read per resumed journey, about 2% of a replication's time. What this module relies on,
as SimPy 4.0-4.1 does it (``simpy.events.Event``, ``Timeout``, ``Environment.step``):

* ``Event.succeed(value)`` / ``fail`` store the value in ``_value`` when the event is
  triggered, and a ``Timeout`` stores its value in ``_value`` when it is created;
* ``Environment.step`` sets ``callbacks`` to ``None`` and only then calls each callback
  with the event, whose ``_value`` is final by then (and stays so).

tests/test_journey.py checks each of these on the installed SimPy, so an upgrade that
changes them fails there rather than quietly feeding journeys wrong values.

Journeys still under way are kept in a registry (``Journeys``) and closed, outermost
generator first, when the run ends. A suspended journey whose candidate was closed out
waits forever on a cancelled task; left to the garbage collector, such nested
``yield from`` generators can be finalised inner first, which CPython reports as
"generator already executing" on stderr.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any


class Signal:
    """Something a journey can wait for that fires at once, in the step that fires it.

    Unlike a SimPy event, firing schedules nothing: the waiters run immediately, at the
    same simulated time, before the caller goes on.
    """

    __slots__ = ("callbacks", "_value")

    def __init__(self) -> None:
        self.callbacks: list[Callable[[Any], None]] | None = []
        self._value: Any = None

    @property
    def fired(self) -> bool:
        return self.callbacks is None

    def fire(self, value: Any = None) -> None:
        callbacks = self.callbacks
        if callbacks is None:
            raise RuntimeError(f"{self!r} fired twice")
        self._value = value
        self.callbacks = None
        for callback in callbacks:
            callback(self)


class Journeys:
    """The journeys of one run that have not returned yet."""

    def __init__(self) -> None:
        self.live: dict[Journey, None] = {}  # an ordered set: closed in order of start

    def start(self, story: Generator[Any, Any, Any]) -> Journey:
        """Run ``story`` now, up to the first thing it waits for."""
        return Journey(story, self.live)

    def close_all(self) -> None:
        """Close every journey still under way (at the end of the run)."""
        live, self.live = self.live, {}
        for journey in live:
            journey.close()


class Journey:
    """Drives one generator: send it each awaited value until it returns."""

    __slots__ = ("_story", "_send", "_live")

    def __init__(self, story: Generator[Any, Any, Any], live: dict[Journey, None]) -> None:
        self._story = story
        self._send = story.send
        self._live = live
        live[self] = None
        self._advance(None)

    def close(self) -> None:
        self._story.close()

    def _resume(self, event: Any) -> None:
        self._advance(event._value)

    def _advance(self, value: Any) -> None:
        """Send ``value``, and go on until the story waits for something pending."""
        send = self._send
        while True:
            try:
                awaited = send(value)
            except StopIteration:
                self._live.pop(self, None)
                return
            callbacks = awaited.callbacks
            if callbacks is not None:  # pending: resume when it fires
                callbacks.append(self._resume)
                return
            value = awaited._value  # already processed: go on at once
