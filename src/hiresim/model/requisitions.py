"""Requisitions (reqs): openings from the hiring plan, their owners, backlog and closing.

A req opens on its day from the plan, waits in the backlog until a recruiter has room
under their ``max_reqs`` load, gets an intake with the hiring manager, and is then
*active*: the job ad is posted (applicants start to arrive) and sourcing runs. With split
roles the req also needs a sourcer, who may start ``pipeline_ahead_days`` before the req
opens. A req closes when its positions are filled (one accepted offer for an ordinary
req); the candidates still in process for it are closed out.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

import simpy

if TYPE_CHECKING:
    from hiresim.model.candidates import Candidate
    from hiresim.scenario import RoleProfile


class Req:
    """One opening (or an evergreen req with several positions) of a role profile."""

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
        self.recruiter: Any = None
        self.sourcer: Any = None
        self.assigned_day: float | None = None  # recruiter assigned (left the backlog)
        self.active_day: float | None = None  # intake done, ad posted
        self.sourcing_day: float | None = None  # a sourcing person started on it
        self.filled_day: float | None = None
        self.closed = False
        self.activated = env.event()
        # live candidates in creation order (a dict: an ordered set, so rows come out in a
        # reproducible order; a set of objects would iterate in memory-address order)
        self.active_candidates: dict[Candidate, None] = {}
        self.pipeline_count = 0  # engaged candidates (qualification or later), for the cap
        self.max_active = max_active
        self.hired: list[Candidate] = []
        self.sourced_draws: Any = None  # the req's sourced-candidate stream, made on first use
        self.sourcing_rate_per_day = sourcing_rate_per_week / 7.0
        self._tokens = 1.0  # outreach allowance: start with one prospect
        self._token_time = 0.0
        self._token_cap = max(1.0, sourcing_rate_per_week)  # at most a week of catch-up
        self.offer_out = False
        self.offer_waiters: deque[Any] = deque()

    # -- sourcing pace -------------------------------------------------------------
    def start_sourcing_clock(self, now: float) -> None:
        self._token_time = now
        self._tokens = 1.0

    def sourcing_tokens(self, now: float) -> float:
        accrued = (now - self._token_time) * self.sourcing_rate_per_day
        return min(self._token_cap, self._tokens + accrued)

    def take_sourcing_token(self, now: float) -> None:
        self._tokens = self.sourcing_tokens(now) - 1.0
        self._token_time = now

    def wants_sourcing(self) -> bool:
        """Open, with a sourcing target, and a pipeline below the cap."""
        if self.closed or self.sourcing_rate_per_day <= 0.0:
            return False
        return self.max_active is None or self.pipeline_count < self.max_active


def next_outreach(reqs: list[Req], now: float) -> tuple[Req | None, float | None]:
    """Of the reqs one person sources: the req with the most outreach tokens if it has at
    least one (the first on ties), else the days until the next token is due (None if no
    req wants sourcing). An idle sourcer asks this every time their queue runs dry."""
    best: Req | None = None
    best_tokens = 0.0
    soonest: float | None = None
    for req in reqs:
        if not req.wants_sourcing():
            continue
        tokens = req.sourcing_tokens(now)
        if tokens >= 1.0:
            if tokens > best_tokens:
                best, best_tokens = req, tokens
        else:
            wait = (1.0 - tokens) / req.sourcing_rate_per_day
            if soonest is None or wait < soonest:
                soonest = wait
    return best, soonest


class Desk:
    """Hands reqs to the least-loaded person of a role; reqs wait in a FIFO backlog."""

    def __init__(self, people: list[Any], max_reqs: int | None) -> None:
        self.people = people
        self.max_reqs = max_reqs
        self.backlog: deque[tuple[Req, Any]] = deque()

    def request(self, req: Req, on_assigned: Any) -> None:
        person = self._free_person()
        if person is None:
            self.backlog.append((req, on_assigned))
        else:
            person.req_load += 1
            on_assigned(req, person)

    def release(self, person: Any) -> None:
        person.req_load -= 1
        while self.backlog:
            req, on_assigned = self.backlog.popleft()
            if req.closed:
                continue
            person.req_load += 1
            on_assigned(req, person)
            return

    def _free_person(self) -> Any:
        best = None
        for person in self.people:
            if self.max_reqs is not None and person.req_load >= self.max_reqs:
                continue
            if best is None or person.req_load < best.req_load:
                best = person
        return best
