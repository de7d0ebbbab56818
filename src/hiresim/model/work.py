"""Staff time: people with weekly productive hours who pull prioritised tasks from queues.

Every activity costs a person hours of effort. A person works at ``hours_per_week / 7``
hours per calendar day (a fluid approximation of the working week: nights and weekends
are spread evenly, see docs/model.md), so a task of ``h`` hours occupies them for
``h * 7 / hours_per_week`` calendar days. Work is never pre-empted.

Each person runs one long-lived worker process. It always takes the most urgent task
waiting in its queue (later-stage work first, see ``Activity``), FIFO within a priority.
Only when the queue is empty does a sourcing person start new outreach for the reqs they
source, paced by a per-req weekly target (``hiresim.model.sourcing``). So a busy
full-cycle recruiter sources least exactly when the pipeline is fullest: that dynamic
follows from priorities, it is not assumed anywhere.

Candidates that lose patience while waiting are removed lazily: a queued task carries the
candidate's deadline, and a worker that pops an expired task reports the withdrawal (as of
the deadline) instead of doing the work.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Protocol

import simpy

from hiresim.distributions import Fixed
from hiresim.model.journey import Journeys, Signal
from hiresim.model.sourcing import ReqSourcing, next_outreach

if TYPE_CHECKING:
    from hiresim.distributions import Distribution


class Activity(IntEnum):
    """Kinds of work. The value indexes effort streams and hour tallies (append only)."""

    INTAKE = 0
    OUTREACH = 1
    FOLLOW_UP = 2
    QUALIFICATION = 3
    HANDOFF_OUT = 4
    HANDOFF_IN = 5
    APPLICATION_REVIEW = 6
    SCREEN = 7
    SCHEDULING = 8
    INTERVIEW = 9
    DEBRIEF = 10
    OFFER = 11
    TASK_SWITCH = 12
    REQ_UPKEEP = 13  # recurring work per open req and candidate in process (workload)


ACTIVITY_NAMES: tuple[str, ...] = tuple(a.name.lower() for a in Activity)

# Lower runs first: offer > debrief, scheduling and req upkeep > screen > handoff/qualification >
# application review > follow-ups > new outreach (docs/model.md, section 2.3).
PRIORITY: dict[Activity, int] = {
    Activity.INTAKE: 0,
    Activity.OFFER: 0,
    Activity.DEBRIEF: 1,
    Activity.SCHEDULING: 1,
    Activity.INTERVIEW: 1,
    Activity.REQ_UPKEEP: 1,
    Activity.SCREEN: 2,
    Activity.HANDOFF_IN: 3,
    Activity.HANDOFF_OUT: 3,
    Activity.QUALIFICATION: 3,
    Activity.APPLICATION_REVIEW: 4,
    Activity.FOLLOW_UP: 5,
    Activity.OUTREACH: 6,
}

SOURCING_WORK = frozenset(
    {Activity.OUTREACH, Activity.FOLLOW_UP, Activity.QUALIFICATION, Activity.HANDOFF_OUT}
)

# Outcomes a task completes with (``Task.complete``).
DONE = 1
WITHDREW = 2


class Task(Signal):
    """One piece of work for one person: how urgent, when it expires, who waits for it.

    A candidate's journey waits for the task like for any ``Signal``; the person who
    finishes it (or finds it expired) calls ``complete`` with ``DONE`` or ``WITHDREW``,
    and the candidate goes on at once, at the same simulated time.
    """

    __slots__ = ("activity", "priority", "deadline", "cancelled", "started_at", "hours", "dist")

    def __init__(
        self,
        activity: Activity,
        deadline: float | None,
        priority: int | None = None,
    ) -> None:
        super().__init__()
        self.activity = activity
        self.priority = PRIORITY[activity] if priority is None else priority
        self.deadline = deadline
        self.cancelled = False
        self.started_at: float | None = None
        self.hours = 0.0
        self.dist: Distribution | None = None  # overrides the activity's effort distribution

    # ``completed`` and ``complete(DONE or WITHDREW)`` are Signal's ``fired`` and ``fire``,
    # under the names the work vocabulary uses (methods: compiled classes take no aliases).
    @property
    def completed(self) -> bool:
        return self.callbacks is None

    def complete(self, outcome: int) -> None:
        """Done (``DONE``) or expired (``WITHDREW``): the waiting journey goes on now."""
        self.fire(outcome)

    def __repr__(self) -> str:
        return f"<Task {self.activity.name}>"


class EffortSampler:
    """Draws hours of effort per activity, each activity from its own random stream.

    The streams are ``BlockDraws``: a distribution samples from them as from a numpy
    Generator, with the standard variates drawn in blocks.
    """

    def __init__(self, distributions: dict[Activity, Distribution], rngs: dict[Activity, Any]):
        self._dists = distributions
        self._rngs = rngs

    def hours(self, activity: Activity, dist: Distribution | None = None) -> float:
        d = self._dists[activity] if dist is None else dist
        if type(d) is Fixed:  # most effort specs: no draw, no method call
            return d.value
        return d.sample(self._rngs[activity])


class TaskQueue(Protocol):
    """Where work for a role is submitted: a ``WorkQueue`` or an ``UnlimitedPool``."""

    def __len__(self) -> int: ...

    def submit(self, task: Task) -> None:
        """Hand over ``task``; it completes (``Task.complete``) when it is done or expired."""

    def pending(self) -> list[Task]:
        """The live tasks waiting to be started."""


class WorkQueue:
    """Tasks waiting for one person (per-owner queues) or for a pool (a shared queue)."""

    def __init__(self, env: simpy.Environment, name: str) -> None:
        self.env = env
        self.name = name
        self._heap: list[tuple[int, int, Task]] = []
        self._seq = 0
        self.idle: list[Person] = []
        # the owner left (``hiresim.model.team_changes``): work goes to their successor
        self.forward: WorkQueue | None = None

    def __len__(self) -> int:
        return len(self._heap)

    def submit(self, task: Task) -> None:
        if self.forward is not None:
            self.forward.submit(task)
            return
        self._seq += 1
        heapq.heappush(self._heap, (task.priority, self._seq, task))
        if self.idle:
            self.idle[0].wake_up()

    def pop(self) -> Task | None:
        """The most urgent live task; expired tasks are answered WITHDREW on the way."""
        heap = self._heap
        now = self.env.now
        while heap:
            task = heapq.heappop(heap)[2]
            if task.cancelled:
                continue
            if task.deadline is not None and task.deadline < now:
                task.complete(WITHDREW)
                continue
            return task
        return None

    def pending(self) -> list[Task]:
        return [t for _, _, t in self._heap if not t.cancelled]

    def hand_over(self, other: WorkQueue) -> None:
        """The owner left: the work waiting here, and all work submitted later, goes to
        ``other`` (``hiresim.model.team_changes``)."""
        tasks = [t for _, _, t in sorted(self._heap, key=lambda entry: entry[:2])]
        self._heap.clear()
        self.forward = other
        for task in tasks:
            other.submit(task)


class Staff(Protocol):
    """A member of staff or an unlimited pool of them (``Person``, ``UnlimitedPool``).

    What reqs, candidates and the model ask of staff: a queue to submit work to, hours
    booked per ``Activity``, a load of reqs (``Desk``), and, for sourcing people, the reqs
    they source and where a new prospect goes (``new_prospect``, set by the model).
    """

    name: str
    role: str
    hours_per_week: float  # productive hours per week (a pool: per member, nominal)
    reply_multiplier: float  # sourcing skill: scales a prospect's reply rate
    busy_hours: Any  # hours by Activity: a list while running, a numpy array after
    req_load: int  # reqs assigned by a Desk
    new_prospect: Callable[[ReqSourcing, Staff], None] | None
    sourcing_open_until: float  # day after which no new outreach starts

    @property
    def unlimited(self) -> bool:
        """Unlimited capacity (no finite hours)?"""

    @property
    def queue(self) -> TaskQueue:
        """Where work for this member (or pool) is submitted."""

    def wake_up(self) -> None:
        """Look for work now, if idle (new work queued or a req wants sourcing again)."""

    def add_sourcing_req(self, req: ReqSourcing) -> None:
        """Start sourcing for a req."""

    def remove_sourcing_req(self, req: ReqSourcing) -> None:
        """Stop sourcing for a req (it closed)."""

    def hours_in_progress(self, now: float) -> tuple[Activity, float] | None:
        """Hours already spent on the task under way at ``now`` (for the horizon cut)."""


class Person:
    """One member of staff (recruiter, sourcer or interviewer), working as a journey.

    An idle person waits on a SimPy event: whoever gives them work (a task submitted to
    their queue, a new req to source, a sourcing alarm) triggers it, and they look for
    the most urgent task once the step that woke them is over (so a hire that frees a
    pipeline slot and closes the req in one step never starts outreach for that req).
    """

    unlimited = False  # finite hours (see UnlimitedPool)

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        role: str,
        hours_per_week: float,
        queue: WorkQueue,
        effort: EffortSampler,
        switch_hours: Distribution | None,
        outreach_dists: dict[Activity, Distribution] | None = None,
        reply_multiplier: float = 1.0,
        journeys: Journeys | None = None,
        start_day: float = 0.0,
    ) -> None:
        self.env = env
        self.name = name
        self.role = role
        self.hours_per_week = hours_per_week
        self.days_per_hour = 7.0 / hours_per_week
        self.queue = queue
        self.effort = effort
        self.switch_hours = switch_hours
        self.outreach_dists = outreach_dists or {}
        self.reply_multiplier = reply_multiplier
        self.busy_hours: Any = [0.0] * len(Activity)  # by Activity; a numpy array after the run
        self.req_load = 0
        self.sourcing_reqs: list[ReqSourcing] = []
        self.new_prospect: Callable[[ReqSourcing, Staff], None] | None = None
        self.sourcing_open_until = float("inf")
        self._last_was_sourcing: bool | None = None
        self._wake: simpy.Event | None = None
        self._current: tuple[Activity, float, float] | None = None  # activity, start, hours
        # Team changes and structures (``hiresim.model.team_changes``, ``structures``):
        self.start_day = start_day  # the worker starts on this day (a joiner, a backfill)
        self.pace: Callable[[float], float] | None = None  # productivity at a day (ramp-up)
        self.gone = False  # left the team: the worker stops after the task in hand
        self.sourcing_share = 0.0  # > 0: source first while sourcing is below this share
        (journeys or Journeys()).start(self._work())

    # -- waking ------------------------------------------------------------------
    def wake_up(self) -> None:
        """Wake the worker if it is idle (new work in its queue or a new req to source)."""
        wake = self._wake
        if wake is not None and not wake.triggered:
            self.queue.idle.remove(self)
            wake.succeed()

    def _alarm(self, wake: simpy.Event) -> Callable[[simpy.Event], None]:
        def ring(_: simpy.Event) -> None:
            if self._wake is wake:
                self.wake_up()

        return ring

    # -- sourcing ----------------------------------------------------------------
    def add_sourcing_req(self, req: ReqSourcing) -> None:
        self.sourcing_reqs.append(req)
        self.wake_up()

    def remove_sourcing_req(self, req: ReqSourcing) -> None:
        if req in self.sourcing_reqs:
            self.sourcing_reqs.remove(req)

    def _next_outreach(self) -> tuple[ReqSourcing | None, float | None]:
        """A req with an outreach token now, else the days until the next token is due."""
        now = self.env.now
        if now >= self.sourcing_open_until:
            return None, None
        return next_outreach(self.sourcing_reqs, now)

    # -- the worker --------------------------------------------------------------
    def _work(self) -> Generator[Any, Any, None]:  # a journey
        env = self.env
        queue = self.queue
        if self.start_day > env.now:
            yield env.timeout(self.start_day - env.now)
        while True:
            if self.gone:
                return
            prospect_req: ReqSourcing | None = None
            if self.sourcing_share > 0.0 and self.sourcing_reqs and self._behind_on_sourcing():
                prospect_req, wait = self._next_outreach()
            task = queue.pop() if prospect_req is None else None
            if task is None and prospect_req is None and self.sourcing_reqs:
                prospect_req, wait = self._next_outreach()
            elif prospect_req is None:
                wait = None
            if task is None and prospect_req is None:
                wake = self._wake = env.event()
                queue.idle.append(self)
                if wait is not None:
                    env.timeout(wait + 1e-9).callbacks.append(self._alarm(wake))
                yield wake
                continue
            activity = task.activity if task is not None else Activity.OUTREACH
            sourcing = activity in SOURCING_WORK
            if task is not None:
                task.started_at = env.now  # the candidate stops waiting: work (or a switch) starts
            if (
                self.switch_hours is not None
                and self._last_was_sourcing is not None
                and sourcing != self._last_was_sourcing
            ):
                switch = self.effort.hours(Activity.TASK_SWITCH, self.switch_hours)
                if switch > 0.0:
                    yield self._begin(Activity.TASK_SWITCH, switch)
                    self._end(Activity.TASK_SWITCH, switch)
            self._last_was_sourcing = sourcing
            if task is not None:
                dist = task.dist
                hours = task.hours = self.effort.hours(
                    activity, dist if dist is not None else self.outreach_dists.get(activity))
            else:
                assert prospect_req is not None
                hours = self.effort.hours(activity, self.outreach_dists.get(activity))
                prospect_req.take_token(env.now)
            if hours > 0.0:
                yield self._begin(activity, hours)
                self._end(activity, hours)
            if task is not None:
                # The candidate goes on at once and may queue its next step here, before
                # this person chooses what to do next: that step competes on priority.
                task.complete(DONE)
            elif (prospect_req is not None and self.new_prospect is not None
                  and not prospect_req.stopped):
                self.new_prospect(prospect_req, self)

    def _behind_on_sourcing(self) -> bool:
        """Has sourcing taken less than ``sourcing_share`` of the hours worked so far?"""
        busy = self.busy_hours
        total = sum(busy)
        return total <= 0.0 or sum(busy[a] for a in SOURCING_WORK) < self.sourcing_share * total

    def _begin(self, activity: Activity, hours: float) -> simpy.Timeout:
        """Start ``hours`` (> 0) of work on ``activity``: the delay to wait, in calendar
        days at this person's weekly hours (divided by their productivity while they ramp
        up). ``_end`` books the hours when it is over."""
        self._current = (activity, self.env.now, hours)
        if self.pace is not None:
            return self.env.timeout(hours * self.days_per_hour / self.pace(self.env.now))
        return self.env.timeout(hours * self.days_per_hour)

    def _end(self, activity: Activity, hours: float) -> None:
        self._current = None
        self.busy_hours[activity] += hours

    def hours_in_progress(self, now: float) -> tuple[Activity, float] | None:
        """Hours already spent on the task under way at ``now`` (for the horizon cut)."""
        if self._current is None:
            return None
        activity, start, hours = self._current
        return activity, min(hours, (now - start) / self.days_per_hour)


class UnlimitedPool:
    """A role with unlimited capacity: every task starts the moment it is submitted.

    A modelling device for validation and for 'this role is never the bottleneck'. It has
    the same interface as a queue of people; sourcing runs at each req's target pace.
    """

    unlimited = True

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        role: str,
        hours_per_week: float,
        effort: EffortSampler,
        outreach_dists: dict[Activity, Distribution] | None = None,
        reply_multiplier: float = 1.0,
    ) -> None:
        self.env = env
        self.name = name
        self.role = role
        self.hours_per_week = hours_per_week
        self.days_per_hour = 7.0 / hours_per_week
        self.effort = effort
        self.outreach_dists = outreach_dists or {}
        self.reply_multiplier = reply_multiplier
        self.busy_hours: Any = [0.0] * len(Activity)  # by Activity; a numpy array after the run
        self.req_load = 0
        self.queue = self  # tasks are submitted to the pool itself
        self.idle: list[Person] = []
        self.new_prospect: Callable[[ReqSourcing, Staff], None] | None = None
        self.sourcing_open_until = float("inf")

    def __len__(self) -> int:
        return 0

    def pending(self) -> list[Task]:
        return []

    def submit(self, task: Task) -> None:
        hours = self.effort.hours(
            task.activity, task.dist or self.outreach_dists.get(task.activity)
        )
        task.started_at = self.env.now
        task.hours = hours
        self.busy_hours[task.activity] += hours
        self.env.timeout(hours * self.days_per_hour).callbacks.append(
            lambda _ev: None if task.completed else task.complete(DONE)
        )

    def add_sourcing_req(self, req: ReqSourcing) -> None:
        self.env.process(self._source(req))

    def remove_sourcing_req(self, req: ReqSourcing) -> None:
        """Sourcing for a req stops by itself once the req no longer wants it."""

    def _source(self, req: ReqSourcing) -> Generator[Any, Any, None]:
        """Start one outreach every 1/rate days, however long each takes (never a bottleneck)."""
        env = self.env
        rate = req.rate_per_day
        if rate <= 0:
            return
        while not req.stopped and env.now < self.sourcing_open_until:
            if req.wants_sourcing():
                task = Task(Activity.OUTREACH, None)
                self.submit(task)
                task.callbacks.append(self._prospect_callback(req))  # type: ignore[union-attr]
            yield env.timeout(1.0 / rate)

    def _prospect_callback(self, req: ReqSourcing) -> Callable[[Task], None]:
        def found(_: Task) -> None:
            if self.new_prospect is not None and not req.stopped:
                self.new_prospect(req, self)

        return found

    def hours_in_progress(self, now: float) -> tuple[Activity, float] | None:
        return None  # every task is booked in full when it is submitted

    def wake_up(self) -> None:
        """Nothing to wake: the pool never idles."""
