"""External providers: a recruiting agency (sourcing only) or an RPO (full cycle).

(docs/model.md, section "Agencies and RPO"; the scenario's ``agencies``.)

A provider works the reqs of its profiles (all if none are named) once a req has been
open ``engage_after_days`` and its intake is done (0: from the start; N: an overflow for
reqs still unfilled after N days). It submits ``capacity_per_month`` candidates per 30
days, evenly paced, across the reqs it works: each slot goes to the req that has had the
fewest of its candidates so far (the longest-worked first on ties), if that req has been
worked for ``first_submittal_days`` (its speed); a slot with no such req is lost.

Its candidates are drawn like any other from their own random stream (by agency and
req, ``Stream.AGENCY_CANDIDATES``): common random numbers across scenarios. Quality
scales their chance to pass the screen, each interview round and the decision: a
candidate whose uniform for a stage is ``u`` passes when ``u / quality`` is below the
profile's rate, i.e. with probability ``min(1, rate x quality)``. Offer acceptance and
their delays are the profile's.

- ``sourcing``: the req's recruiter reviews the submittal (a handoff-in, stage
  ``handoff``), then screens, schedules, debriefs and makes the offer as usual.
- ``full_cycle`` (RPO): the provider's own people (an unlimited pool, role ``agency``)
  screen, schedule, debrief and make the offer; the team's interviewers interview.

Fees (``fee_share_of_salary`` x the profile's ``annual_salary`` per hire made through the
provider) are external costs, added by ``hiresim.kpis``. A provider with no capacity is
not built at all, so it changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from hiresim.model.candidates import U_DECISION, U_ROUNDS, U_SCREEN, Candidate, CandidateFlow
from hiresim.model.work import Activity, EffortSampler, UnlimitedPool
from hiresim.random_streams import BlockDraws, Stream, stream

if TYPE_CHECKING:
    import simpy

    from hiresim.model.journey import Journeys
    from hiresim.model.requisitions import Req
    from hiresim.scenario import Agency

DAYS_PER_MONTH = 30.0
AGENCY_SOURCE = "agency"  # the ``source`` of an agency's candidates
AGENCY_HOURS_PER_WEEK = 40.0  # nominal hours of a full-cycle provider's people


def agency_label(name: str) -> str:
    """The ``sourced_by`` of a provider's candidates: ``agency:<name>``."""
    return f"agency:{name}"


class AgencyProvider:
    """One external provider in one replication."""

    def __init__(
        self,
        env: simpy.Environment,
        journeys: Journeys,
        index: int,
        spec: Agency,
        flow: CandidateFlow,
        effort: EffortSampler,
        new_candidate: Callable[[Req[Candidate], str], Candidate],
        seed: int,
        replication: int,
        open_until: float,
    ) -> None:
        self.env = env
        self.journeys = journeys
        self.index = index
        self.spec = spec
        self.flow = flow
        self.new_candidate = new_candidate
        self.seed = seed
        self.replication = replication
        self.open_until = open_until
        self.label = agency_label(spec.name)
        self.pool = UnlimitedPool(env, self.label, "agency", AGENCY_HOURS_PER_WEEK, effort)
        self.working: list[list[Any]] = []  # [req, day it can first submit, submitted]
        self.submitted = 0
        self.draws: dict[int, BlockDraws] = {}
        journeys.start(self._deliver())

    def serves(self, req: Req[Candidate]) -> bool:
        names = self.spec.profiles
        return not names or req.profile.name in names

    def watch(self, req: Req[Candidate]) -> None:
        """Start on ``req`` when it is due (if the provider serves its profile)."""
        if self.serves(req):
            self.journeys.start(self._engage(req))

    def _engage(self, req: Req[Candidate]) -> Generator[Any, Any, None]:
        env = self.env
        due = req.open_day + self.spec.engage_after_days
        if due > env.now:
            yield env.timeout(due - env.now)
        if not req.activated.triggered:
            yield req.activated
        if req.closed:
            return
        self.working.append([req, env.now + self.spec.first_submittal_days, 0])

    def _deliver(self) -> Generator[Any, Any, None]:
        env = self.env
        gap = DAYS_PER_MONTH / self.spec.capacity_per_month
        while True:
            yield env.timeout(gap)
            if env.now >= self.open_until:
                return
            self.working = [w for w in self.working if not w[0].closed]
            ready = [w for w in self.working if w[1] <= env.now]
            if not ready:
                continue  # nothing to submit for: the slot is lost
            entry = min(ready, key=lambda w: w[2])  # fewest so far; first worked on ties
            entry[2] += 1
            self.submitted += 1
            self._submit(entry[0])

    def _submit(self, req: Req[Candidate]) -> None:
        c = self.new_candidate(req, AGENCY_SOURCE)
        c.sourced_by = self.label
        draws = self.draws.get(req.index)
        if draws is None:  # the provider's candidates for a req: their own stream
            draws = self.draws[req.index] = BlockDraws(stream(
                self.seed, self.replication, Stream.AGENCY_CANDIDATES, self.index, req.index))
        self.flow.draw_fate(c, draws, 1.0)
        quality = self.spec.quality
        if quality != 1.0:
            u = c.u
            stages = [U_SCREEN, U_DECISION, *range(U_ROUNDS, len(u))]
            for k in stages:
                u[k] = u[k] / quality if quality > 0 else 2.0
        self.journeys.start(self._journey(c))

    def _journey(self, c: Candidate) -> Generator[Any, Any, None]:
        flow = self.flow
        flow.join_pipeline(c)
        if self.spec.kind == "full_cycle":
            yield from flow.pipeline(c, self.pool)
            return
        flow.enter(c, "handoff")
        recruiter = c.req.recruiter
        assert recruiter is not None  # the provider starts once the req is active
        if not (yield from flow.team_step(c, recruiter.queue, Activity.HANDOFF_IN)):
            return
        flow.leave(c, "passed", self.env.now)
        yield from flow.pipeline(c)
