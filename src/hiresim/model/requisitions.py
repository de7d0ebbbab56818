"""Requisitions (reqs): openings from the hiring plan, their owners, backlog and closing.

A req opens on its day from the plan, waits in the backlog until a recruiter has room
under their ``max_reqs`` load, gets an intake with the hiring manager, and is then
*active*: the job ad is posted (applicants start to arrive) and sourcing runs
(``hiresim.model.sourcing``, ``Req.sourcing``). With split roles the req also needs a
sourcer, who may start ``pipeline_ahead_days`` before the req opens. A req closes when
its positions are filled (one accepted offer for an ordinary req); the candidates still
in process for it are closed out.

A req holds its live candidates and its hires, but what a candidate is belongs to the
layer above (``hiresim.model.candidates``): ``Req`` is generic in its candidates' type.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import simpy

from hiresim.model.sourcing import ReqSourcing
from hiresim.model.work import Staff
from hiresim.random_streams import BlockDraws

if TYPE_CHECKING:
    from hiresim.scenario import RoleProfile

C = TypeVar("C")  # the candidates of a req (``hiresim.model.candidates.Candidate``)


class Req(Generic[C]):
    """One opening (or an evergreen req with several positions) of a role profile.

    Days are simulated days since the start of the run.
    """

    def __init__(
        self,
        env: simpy.Environment,
        index: int,
        profile: RoleProfile,
        profile_index: int,
        open_day: float,
        sourcing_rate_per_week: float,
        max_active: int | None,
    ) -> None:
        self.env = env
        self.index = index
        self.profile = profile
        self.profile_index = profile_index
        self.open_day = open_day
        positions = profile.openings.positions_per_req
        self.positions: float = float("inf") if positions == "unlimited" else float(positions)
        self.filled_positions = 0
        self.recruiter: Staff | None = None
        self.sourcer: Staff | None = None
        self.assigned_day: float | None = None  # recruiter assigned (left the backlog)
        self.active_day: float | None = None  # intake done, ad posted
        self.sourcing_day: float | None = None  # a sourcing person started on it
        self.filled_day: float | None = None
        self.closed = False
        self.activated = env.event()
        # live candidates in creation order (a dict: an ordered set, so rows come out in a
        # reproducible order; a set of objects would iterate in memory-address order)
        self.active_candidates: dict[C, None] = {}
        self.hired: list[C] = []
        self.sourced_draws: BlockDraws | None = None  # sourced candidates' stream, made on use
        self.sourcing = ReqSourcing(index, sourcing_rate_per_week, max_active)
        self.offer_out = False  # one offer at a time per req
        self.in_process = 0  # live candidates who reached the screen (recruiter workload)
        self.dropout_draws: list[BlockDraws | None] = [None, None, None, None]  # per source
        self.offer_waiters: deque[tuple[C, simpy.Event]] = deque()

    def close(self, now: float) -> None:
        """All positions filled at day ``now``: no more candidates, no more sourcing."""
        self.closed = True
        self.filled_day = now
        self.sourcing.stop()


R = TypeVar("R", bound="Req[Any]")  # a req, whatever its candidates


class Desk(Generic[R]):
    """Hands reqs to the least-loaded person of a role; reqs wait in a FIFO backlog."""

    def __init__(self, people: list[Staff], max_reqs: int | None) -> None:
        self.people = people
        self.max_reqs = max_reqs
        self.backlog: deque[tuple[R, Callable[[R, Staff], None]]] = deque()

    def request(self, req: R, on_assigned: Callable[[R, Staff], None]) -> None:
        """Assign ``req`` to the least-loaded person now, or queue it until one has room."""
        person = self._free_person()
        if person is None:
            self.backlog.append((req, on_assigned))
        else:
            person.req_load += 1
            on_assigned(req, person)

    def release(self, person: Staff) -> None:
        """``person`` is done with a req: hand them the next open req of the backlog."""
        person.req_load -= 1
        while self.backlog:
            req, on_assigned = self.backlog.popleft()
            if req.closed:
                continue
            person.req_load += 1
            on_assigned(req, person)
            return

    def _free_person(self) -> Staff | None:
        best: Staff | None = None
        for person in self.people:
            if self.max_reqs is not None and person.req_load >= self.max_reqs:
                continue
            if best is None or person.req_load < best.req_load:
                best = person
        return best
