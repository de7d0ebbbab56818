"""The team over the year: TA hires who join and ramp up, TA staff who leave and are backfilled.

(docs/model.md, section "The team over the year"; the scenario's ``team_changes``.)

- A joiner of a counted role (recruiter, sourcer, coordinator) starts work on their
  ``start_day``: from then on they take reqs like anyone of their role (the least-loaded
  person gets the next req; they also take the reqs waiting in the backlog).
- Ramp-up: a newcomer's productivity rises linearly from ``ramp_start_productivity`` on
  the start day to 1 after ``ramp_days``; a task started at productivity p takes 1/p
  times as long (the hours booked are the task's hours: the rest is learning).
- Attrition: each counted TA person (joiners and backfills too) leaves after an
  exponential time with rate ``annual_rate`` per year, drawn from their own random stream
  (``Stream.TEAM_CHANGES``, by role and person), so a change elsewhere does not move it.
  A leaver finishes the task in hand. Their open reqs, the reqs they source and the work
  queued for them go to the least-loaded colleague of the role (their pod, in pods);
  with no colleague left they wait for the backfill. The backfill starts
  ``backfill_days`` after the departure and ramps up like a joiner.
- Payroll: each person is paid from their start day to their departure (or the horizon);
  ``payroll_years_delta`` is the difference to the scenario's head counts paid for the
  whole window, which the cost KPIs add.

Interviewers and unlimited pools neither join nor leave.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from hiresim.model.requisitions import Desk, Req
from hiresim.model.structures import PodDesks, RoleTemplate, make_person, present
from hiresim.model.work import Person, Staff
from hiresim.random_streams import Stream, stream

if TYPE_CHECKING:
    import simpy

    from hiresim.model.journey import Journeys
    from hiresim.model.sourcing import ReqSourcing
    from hiresim.model.work import EffortSampler
    from hiresim.scenario import TeamChanges

ROLES = ("recruiter", "sourcer", "coordinator")
DAYS_PER_YEAR = 365.0


def ramp(start_day: float, ramp_days: float, first: float) -> Callable[[float], float]:
    """Productivity at a day: ``first`` on ``start_day``, rising linearly to 1 after
    ``ramp_days``."""

    def pace(day: float) -> float:
        done = (day - start_day) / ramp_days
        if done >= 1.0:
            return 1.0
        return first + (1.0 - first) * max(0.0, done)

    return pace


class RoleGroup:
    """The people of one counted role, where their reqs come from, and how to make one."""

    def __init__(self, people: list[Staff], desk: Desk[Any] | PodDesks[Any] | None,
                 template: RoleTemplate) -> None:
        self.people = people  # the model's list: joiners and backfills are appended
        self.desk = desk  # None: a role without reqs (coordinators)
        self.template = template


class Turnover:
    """Joiners, ramp-up, departures and backfills of one replication."""

    def __init__(
        self,
        env: simpy.Environment,
        journeys: Journeys,
        effort: EffortSampler,
        changes: TeamChanges,
        groups: dict[str, RoleGroup],
        reqs: list[Req[Any]],
        new_prospect: Callable[[ReqSourcing, Staff], None],
        sourcing_open_until: float,
        seed: int,
        replication: int,
        horizon: float,
    ) -> None:
        self.env = env
        self.journeys = journeys
        self.effort = effort
        self.changes = changes
        self.groups = groups
        self.reqs = reqs
        self.new_prospect = new_prospect
        self.sourcing_open_until = sourcing_open_until
        self.seed = seed
        self.replication = replication
        self.horizon = horizon
        self.rate = changes.attrition.annual_rate
        self.serial = dict.fromkeys(ROLES, 0)
        # every counted TA person: [role, start day, departure day or None, the person,
        # on the scenario's head count]
        self.payroll: list[list[Any]] = []
        self.departures = 0
        for role, group in groups.items():
            desk = group.desk
            if isinstance(desk, Desk) and desk.people is group.people:
                desk.people = list(group.people)  # leavers leave the desk, not the books
            for person in list(group.people):
                self.payroll.append([role, 0.0, None, person, True])
                self._watch(person)
        for joiner in changes.joiners:
            ramp_days = changes.ramp_days if joiner.ramp_days is None else joiner.ramp_days
            journeys.start(self._join(joiner.role, float(joiner.start_day), float(ramp_days)))

    # -- joining -----------------------------------------------------------------------
    def _join(self, role: str, day: float, ramp_days: float) -> Generator[Any, Any, None]:
        if day > self.env.now:
            yield self.env.timeout(day - self.env.now)
        person = self._new(role, day, ramp_days)
        self._enter(person, None)

    def _new(self, role: str, start_day: float, ramp_days: float) -> Person:
        group = self.groups[role]
        name = f"{role}-{len(group.people) + 1}"
        person = make_person(self.env, self.effort, self.journeys, group.template, name,
                             start_day)
        if ramp_days > 0:
            person.pace = ramp(start_day, ramp_days, self.changes.ramp_start_productivity)
        if group.template.sources:
            person.new_prospect = self.new_prospect
            person.sourcing_open_until = self.sourcing_open_until
        group.people.append(person)
        self.payroll.append([role, start_day, None, person, False])
        self._watch(person)
        return person

    def _enter(self, person: Staff, like: Staff | None) -> None:
        """Put a person at their role's desk and hand them the reqs waiting there."""
        group = self.groups[person.role]
        desk = group.desk
        recruiter_pods = self.groups.get("sourcer")
        if person.role == "recruiter" and recruiter_pods is not None and \
                isinstance(recruiter_pods.desk, PodDesks):
            recruiter_pods.desk.join(person, like)
        if desk is None:
            return
        if isinstance(desk, PodDesks):
            desk = desk.join(person, like)
        if person not in desk.people:
            desk.people.append(person)
        while desk.backlog and (desk.max_reqs is None or person.req_load < desk.max_reqs):
            req, on_assigned = desk.backlog.popleft()
            if req.closed:
                continue
            person.req_load += 1
            on_assigned(req, person)

    # -- leaving -----------------------------------------------------------------------
    def _watch(self, person: Staff) -> None:
        """Draw when the person leaves; schedule it if it is before the horizon."""
        if self.rate <= 0:
            return
        role = person.role
        self.serial[role] += 1
        rng = stream(self.seed, self.replication, Stream.TEAM_CHANGES, ROLES.index(role),
                     self.serial[role])
        start = max(self.env.now, getattr(person, "start_day", 0.0))
        day = start + float(rng.exponential(DAYS_PER_YEAR / self.rate))
        if day < self.horizon:
            self.journeys.start(self._leave_at(person, day))

    def _leave_at(self, person: Staff, day: float) -> Generator[Any, Any, None]:
        yield self.env.timeout(day - self.env.now)
        self._leave(person)

    def _leave(self, person: Staff) -> None:
        assert isinstance(person, Person)
        now = self.env.now
        self.departures += 1
        person.gone = True
        for entry in self.payroll:
            if entry[3] is person:
                entry[2] = now
        group = self.groups[person.role]
        desk = group.desk
        if isinstance(desk, PodDesks):
            desk = desk.desk_of(person)
        if desk is not None and person in desk.people:
            desk.people.remove(person)  # no more reqs for them (they stay in the books)
        pool = desk.people if desk is not None else group.people
        candidates = [p for p in pool if present(p, now) and p is not person]
        if desk is None:  # coordinators: a shared queue, nothing to hand over
            successor = None
        elif candidates:
            successor = min(candidates, key=lambda p: p.req_load)
        else:  # nobody left to take over: the backfill, who starts later, gets it all
            successor = self._new(person.role, now + self.changes.attrition.backfill_days,
                                  self.changes.ramp_days)
            self._enter(successor, person)
        if successor is not None:
            self._hand_over(person, successor)
        person.wake_up()  # an idle worker ends now
        if successor is None or present(successor, now):
            self.journeys.start(self._backfill(person))

    def _backfill(self, leaver: Staff) -> Generator[Any, Any, None]:
        yield self.env.timeout(self.changes.attrition.backfill_days)
        person = self._new(leaver.role, self.env.now, self.changes.ramp_days)
        self._enter(person, leaver)

    def _hand_over(self, leaver: Person, successor: Staff) -> None:
        """The leaver's reqs, the reqs they source and their queued work go to ``successor``."""
        role = leaver.role
        for req in self.reqs:
            if req.closed:
                continue
            if req.recruiter is leaver:
                req.recruiter = successor
                if role == "recruiter":
                    successor.req_load += 1
            if req.sourcer is leaver:
                req.sourcer = successor
                if role == "sourcer":
                    successor.req_load += 1
        taken = getattr(successor, "sourcing_reqs", [])
        for sourcing in list(leaver.sourcing_reqs):
            if sourcing not in taken and not sourcing.stopped:
                successor.add_sourcing_req(sourcing)
        leaver.sourcing_reqs.clear()
        leaver.req_load = 0
        if leaver.queue is not successor.queue and isinstance(successor, Person):
            leaver.queue.hand_over(successor.queue)

    def days_on_team(self, person: Staff, horizon: float) -> float:
        """Days in [0, horizon] the person was on the team (``horizon`` for people who
        neither joined nor left, interviewers included)."""
        for entry in self.payroll:
            if entry[3] is person:
                end = horizon if entry[2] is None else min(entry[2], horizon)
                return max(0.0, end - min(entry[1], horizon))
        return horizon

    # -- payroll -----------------------------------------------------------------------
    def payroll_years_delta(self, role: str, warmup: float, horizon: float) -> float:
        """Person-years paid in [warmup, horizon] for the role, minus its head count paid
        for the whole window (what the scenario's head counts alone would pay)."""
        window = horizon - warmup
        delta = 0.0
        for entry in self.payroll:
            if entry[0] != role:
                continue
            start, end = entry[1], horizon if entry[2] is None else entry[2]
            delta += max(0.0, min(end, horizon) - max(start, warmup))
            if entry[4]:  # on the scenario's head count: already paid for the window
                delta -= window
        return delta / DAYS_PER_YEAR
