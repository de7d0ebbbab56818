"""How a team structure wires its people: hybrid teams, pods, pooled leads, coordinators.

The two classic structures are wired in ``hiresim.model.hiring_model``: ``combined``
(every recruiter sources their own reqs) and ``split`` (sourcers source, recruiters take
the handed-off leads). This module adds what lies between and around them (docs/model.md,
section "Team structures"):

- ``hybrid``: full-cycle recruiters who still source their own reqs, plus dedicated
  sourcers who source the same reqs and hand their leads off as in ``split``. Both draw
  on the req's one weekly outreach pace (``hiresim.model.sourcing``): whoever is free
  first sources next, so sourcers take the sourcing a busy recruiter cannot get to.
- ``recruiter_sourcing: share``: a recruiter sources first, ahead of any queued work,
  while sourcing is below ``recruiter_sourcing_share`` of the hours they have worked;
  ``when_idle`` (default) sources only when nothing else waits.
- ``lead_routing: pooled``: a sourcer's lead goes to the recruiter with the fewest tasks
  waiting (who then takes the candidate to the offer), instead of the req's recruiter.
- ``sourcer_assignment: pods``: recruiter i and sourcer j are in pod ``i mod P`` and
  ``j mod P`` (P = the smaller head count); a sourcer sources only their pod's reqs.
  ``pooled`` (default): any sourcer with room takes the next req.
- ``coordinators``: recruiting coordinators, one shared queue, who schedule every
  interview round for the team's recruiters (the hours move; their salary is added).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from hiresim.model.requisitions import Desk, Req
from hiresim.model.work import Activity, EffortSampler, Person, Staff, WorkQueue

if TYPE_CHECKING:
    import simpy

    from hiresim.distributions import Distribution
    from hiresim.model.journey import Journeys
    from hiresim.scenario import StaffRole, Team

R = TypeVar("R", bound="Req[Any]")


class PodDesks(Generic[R]):
    """Sourcers in pods: a req goes to a sourcer of its recruiter's pod only.

    Same interface as a ``Desk`` for the model (``request``, ``release``, ``people``).
    """

    def __init__(self, recruiters: list[Staff], sourcers: list[Staff],
                 max_reqs: int | None) -> None:
        self.people = sourcers
        self.pods = max(1, min(len(recruiters), len(sourcers)))
        self.desks: list[Desk[R]] = [Desk([], max_reqs) for _ in range(self.pods)]
        self._pod_of: dict[Staff, int] = {}
        for i, recruiter in enumerate(recruiters):
            self._pod_of[recruiter] = i % self.pods
        for j, sourcer in enumerate(sourcers):
            self.desks[j % self.pods].people.append(sourcer)
            self._pod_of[sourcer] = j % self.pods

    @property
    def backlog(self) -> deque[tuple[R, Callable[[R, Staff], None]]]:
        out: deque[tuple[R, Callable[[R, Staff], None]]] = deque()
        for desk in self.desks:
            out.extend(desk.backlog)
        return out

    def desk_of(self, person: Staff) -> Desk[R]:
        return self.desks[self._pod_of.get(person, 0)]

    def request(self, req: R, on_assigned: Callable[[R, Staff], None]) -> None:
        recruiter = req.recruiter
        pod = self._pod_of.get(recruiter, 0) if recruiter is not None else 0
        self.desks[pod].request(req, on_assigned)

    def release(self, person: Staff) -> None:
        self.desk_of(person).release(person)

    def join(self, person: Staff, like: Staff | None = None) -> Desk[R]:
        """Put a new person in a pod: a backfill in the leaver's, a sourcer in the
        smallest pod, a recruiter in pods round-robin. Returns the pod's desk."""
        if like is not None:
            pod = self._pod_of.get(like, 0)
        elif person.role == "sourcer":
            pod = min(range(self.pods), key=lambda k: len(self.desks[k].people))
        else:
            pod = len(self._pod_of) % self.pods
        self._pod_of[person] = pod
        return self.desks[pod]


def present(person: Staff, now: float) -> bool:
    """Has the person started and not left?"""
    return not getattr(person, "gone", False) and getattr(person, "start_day", 0.0) <= now


def pooled_lead_router(recruiters: list[Staff], env: simpy.Environment
                       ) -> Callable[[Any], Staff]:
    """``lead_routing: pooled``: the present recruiter with the fewest tasks waiting."""

    def route(c: Any) -> Staff:
        now = env.now
        best: Staff | None = None
        for person in recruiters:
            if not present(person, now):
                continue
            if best is None or len(person.queue) < len(best.queue):
                best = person
        owner = c.req.recruiter
        return best if best is not None else owner

    return route


@dataclass
class RoleTemplate:
    """What the people of one counted role have in common: how to make one more of them."""

    role: str
    spec: StaffRole
    outreach_dists: dict[Activity, Any]
    reply_multiplier: float
    switch_hours: Distribution | None
    shared_queue: WorkQueue | None  # the role's one queue, or None: a queue each
    sources: bool
    sourcing_share: float = 0.0


def make_person(env: simpy.Environment, effort: EffortSampler, journeys: Journeys,
                template: RoleTemplate, name: str, start_day: float) -> Person:
    """One more person of a role, who starts work on ``start_day`` (a joiner, a backfill).

    The caller makes them source (``new_prospect``) when the role sources.
    """
    t = template
    queue = t.shared_queue if t.shared_queue is not None else WorkQueue(env, name)
    person = Person(env, name, t.role, t.spec.hours_per_week, queue, effort, t.switch_hours,
                    t.outreach_dists, t.reply_multiplier, journeys, start_day=start_day)
    person.sourcing_share = t.sourcing_share
    return person


def recruiter_sourcing_share(team: Team) -> float:
    """``recruiter_sourcing: share``: the share of their hours recruiters source first
    (0: they source only when nothing else waits)."""
    if team.recruiter_sourcing != "share" or team.structure == "split":
        return 0.0
    return float(team.recruiter_sourcing_share)
