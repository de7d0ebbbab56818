"""One hiring team and its plan as a SimPy model: build it, run it to the horizon, read it.

``HiringModel`` wires the pieces together: the people (``work``), the reqs and their
desks (``requisitions``), their sourcing (``sourcing``) and the candidate journeys
(``candidates``), which count into a ``Tally``. It owns the random streams of one
replication and collects flat rows (tuples) for reqs, candidates, stage visits, staff time
and weekly snapshots. It knows nothing of pandas, files or the CLI.
"""

from __future__ import annotations

import gc
import math
from collections import deque
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from hiresim.distributions import Fixed
from hiresim.model.agency import AgencyProvider
from hiresim.model.candidates import Candidate, CandidateFlow, Tally
from hiresim.model.interviews import SlotBook
from hiresim.model.journey import Journeys
from hiresim.model.requisitions import Desk, Req
from hiresim.model.sourcing import ReqSourcing
from hiresim.model.structures import (
    PodDesks,
    RoleTemplate,
    pooled_lead_router,
    recruiter_sourcing_share,
)
from hiresim.model.team_changes import RoleGroup, Turnover
from hiresim.model.work import (
    Activity,
    EffortSampler,
    Person,
    Staff,
    Task,
    TaskQueue,
    UnlimitedPool,
    WorkQueue,
)
from hiresim.random_streams import BlockDraws, Stream, stream
from hiresim.scenario import Scenario, SourcingSkill, StaffRole

SNAPSHOT_EVERY_DAYS = 7.0
UPKEEP_EVERY_DAYS = 1.0  # recurring req work is queued once a day, a day's worth at a time
SOURCE_CODE = {"sourced": 0, "inbound": 1, "pool": 2, "agency": 3}  # per-source streams


class HiringModel:
    """The SimPy world of one replication."""

    def __init__(
        self,
        scenario: Scenario,
        replication: int,
        root_seed: int | None = None,
        record_detail: bool = False,
    ) -> None:
        self.scenario = scenario
        self.replication = replication
        self.seed = scenario.simulation.seed if root_seed is None else root_seed
        self.env = env = simpy.Environment()
        self.journeys = Journeys()  # every story of the run: candidates, staff, reqs
        sim = scenario.simulation
        self.horizon = sim.horizon_days
        self.warmup = sim.warmup_days
        self.new_candidates_until = (
            float("inf") if sim.new_candidates_until_day is None else sim.new_candidates_until_day
        )
        self.tally = Tally(record_detail)
        self.snapshots: list[tuple] = []
        self._next_id = 0

        self.effort = self._effort_sampler()
        team = scenario.team
        split = team.structure == "split"
        self.split = split
        self.hybrid = team.structure == "hybrid"  # recruiters source, sourcers too
        self.templates: dict[str, RoleTemplate] = {}  # how to make one more (team changes)
        self.recruiters = self._staff("recruiter", team.recruiters, team.recruiter_skill,
                                      sources=not split)
        self.sourcers = (
            self._staff("sourcer", team.sourcers, team.sourcer_skill, sources=True)
            if team.structure != "combined" and team.sourcers is not None
            and team.sourcers.hours_per_week > 0
            else []
        )
        self.coordinators = (
            self._staff("coordinator", team.coordinators, None, sources=False, shared=True)
            if team.coordinators is not None and team.coordinators.hours_per_week > 0
            else []
        )
        self.recruiter_desk: Desk[Req[Candidate]] = Desk(self.recruiters,
                                                         team.recruiters.max_reqs)
        self.sourcer_desk: Desk[Req[Candidate]] | PodDesks[Req[Candidate]] = (
            PodDesks(self.recruiters, self.sourcers, team.sourcers.max_reqs)
            if team.sourcer_assignment == "pods" and self.sourcers and team.sourcers
            else Desk(self.sourcers, team.sourcers.max_reqs if team.sourcers else None))
        self.interviewer_people: list[list[Staff]] = []
        self.interviewers: list[TaskQueue] = []
        for profile in scenario.profiles:
            iv = profile.interviewers
            role = StaffRole(count=iv.count, hours_per_week=iv.hours_per_week)
            people = self._staff(f"interviewer:{profile.name}", role, None, sources=False,
                                 shared=True)
            self.interviewer_people.append(people)
            self.interviewers.append(people[0].queue if people else WorkQueue(env, "nobody"))
        self.slot_books: list[SlotBook | None] = [
            self._slot_book(p, len(people))
            for p, people in zip(scenario.profiles, self.interviewer_people, strict=True)
        ]
        self.flow = CandidateFlow(env, scenario, self.tally, self.interviewers,
                                  self.zero_effort, self.hire, self.slot_books,
                                  self._interview_held, self._dropout_draws)
        # talent pool per profile: (day closed out, interview rounds passed), oldest first
        self.pools: list[list[tuple[float, int]]] = [[] for _ in scenario.profiles]
        # finite markets per profile: prospects left, and days when contacted ones return
        self.market_left: list[float] = [
            math.inf if p.sourced.market_size is None else float(p.sourced.market_size)
            for p in scenario.profiles]
        self.market_returns: list[deque[float]] = [deque() for _ in scenario.profiles]
        if self.coordinators:  # they share one queue and schedule every interview round
            self.flow.scheduling = self.coordinators[0].queue
        if team.lead_routing == "pooled" and team.structure != "combined":
            self.flow.route_lead = pooled_lead_router(self.recruiters, env)
        self.reqs = self._plan()
        for req in self.reqs:
            self.journeys.start(self._req_lifecycle(req))
        self.journeys.start(self._snapshots())
        w = scenario.workload
        if (w.recruiter_hours_per_req_per_week > 0 or w.sourcer_hours_per_req_per_week > 0
                or w.recruiter_hours_per_candidate_per_week > 0):
            self.journeys.start(self._upkeep())
        self.agencies = [  # a provider without capacity is not there at all
            AgencyProvider(env, self.journeys, i, spec, self.flow, self.effort,
                           self._new_candidate, self.seed, replication,
                           self.new_candidates_until)
            for i, spec in enumerate(scenario.agencies) if spec.capacity_per_month > 0]
        for agency in self.agencies:
            for req in self.reqs:
                agency.watch(req)
        self.turnover = self._turnover() if scenario.team_changes.active else None

    # -- construction --------------------------------------------------------------------
    def _effort_sampler(self) -> EffortSampler:
        e = self.scenario.effort
        h = self.scenario.team.handoff
        dists = {
            Activity.INTAKE: e.intake_hours,
            Activity.OUTREACH: e.outreach_hours,
            Activity.FOLLOW_UP: e.follow_up_hours,
            Activity.QUALIFICATION: e.qualification_call_hours,
            Activity.HANDOFF_OUT: h.sourcer_hours,
            Activity.HANDOFF_IN: h.recruiter_hours,
            Activity.APPLICATION_REVIEW: e.application_review_hours,
            Activity.SCREEN: e.screen_hours,
            Activity.SCHEDULING: e.scheduling_hours,
            Activity.DEBRIEF: e.debrief_hours,
            Activity.OFFER: e.offer_hours,
            Activity.TASK_SWITCH: self.scenario.team.task_switch_hours,
        }
        # Interviews have no entry: each round passes its own interviewer_hours.
        rngs = {a: BlockDraws(stream(self.seed, self.replication, Stream.EFFORT, int(a)))
                for a in Activity}
        self.zero_effort = frozenset(
            a for a, d in dists.items() if d.is_deterministic and d.mean == 0.0
        )
        return EffortSampler(dists, rngs)

    def _staff(
        self,
        role: str,
        spec: StaffRole | None,
        skill: SourcingSkill | None,
        sources: bool,
        shared: bool | None = None,
    ) -> list[Staff]:
        """The people of one role, each with a queue (or one shared queue, or unlimited)."""
        if spec is None:
            return []
        env = self.env
        effort = self.effort
        outreach_dists: dict[Activity, Any] = {}
        reply_multiplier = 1.0
        if skill is not None:
            e = self.scenario.effort
            outreach_dists = {
                Activity.OUTREACH: e.outreach_hours.scaled(skill.outreach_hours_multiplier),
                Activity.FOLLOW_UP: e.follow_up_hours.scaled(skill.outreach_hours_multiplier),
            }
            reply_multiplier = skill.reply_rate_multiplier
        if spec.unlimited:
            pool = UnlimitedPool(env, f"{role}-pool", role, spec.hours_per_week, effort,
                                 outreach_dists, reply_multiplier)
            people: list[Staff] = [pool]
        else:
            if shared is None:
                shared = self.scenario.team.work_queue == "shared"
            common = WorkQueue(env, role) if shared else None
            switch = self.scenario.team.task_switch_hours
            switch_hours = switch if sources and switch.mean > 0 else None
            persons = [
                Person(env, f"{role}-{i + 1}", role, spec.hours_per_week,
                       common if common is not None else WorkQueue(env, f"{role}-{i + 1}"),
                       effort, switch_hours, outreach_dists, reply_multiplier, self.journeys)
                for i in range(int(spec.count))
            ]
            share = recruiter_sourcing_share(self.scenario.team) if role == "recruiter" else 0.0
            for one in persons:
                one.sourcing_share = share
            people = list(persons)
            self.templates[role] = RoleTemplate(role, spec, outreach_dists, reply_multiplier,
                                                switch_hours, common, sources, share)
        if sources:
            for person in people:
                person.new_prospect = self.new_prospect
                person.sourcing_open_until = self.new_candidates_until
        return people

    def _slot_book(self, profile: Any, people: int) -> SlotBook | None:
        iv = profile.interviewers
        if iv.scheduling != "slots" or iv.count == "unlimited" or people == 0:
            return None
        if not profile.interview_rounds or profile.interview_slot_hours <= 0.0:
            # no interviews, or none that takes interviewer time: nothing to book
            return None
        return SlotBook(people, profile.interview_slots_per_week, iv.panel_window_days)

    def _interview_held(self, p_index: int, person: int, dist: Any) -> None:
        """A booked interview took place: its hours go to the interviewer's tally."""
        interviewer = self.interviewer_people[p_index][person]
        interviewer.busy_hours[Activity.INTERVIEW] += self.effort.hours(Activity.INTERVIEW, dist)

    def _dropout_draws(self, c: Candidate) -> BlockDraws:
        """The drop-out stream of a candidate's req and source (made on first use)."""
        req = c.req
        code = SOURCE_CODE[c.source]
        draws = req.dropout_draws[code]
        if draws is None:
            draws = req.dropout_draws[code] = BlockDraws(stream(
                self.seed, self.replication, Stream.DROPOUT, req.index, code), block=32)
        return draws

    def _upkeep(self) -> Generator[Any, Any, None]:
        """Recurring work: each day, every finite recruiter and sourcer is given a day's
        worth of hours for the open reqs they hold (and, for recruiters, the candidates
        of those reqs in process from the screen on)."""
        env = self.env
        w = self.scenario.workload
        per_req_r = w.recruiter_hours_per_req_per_week / 7.0 * UPKEEP_EVERY_DAYS
        per_cand = w.recruiter_hours_per_candidate_per_week / 7.0 * UPKEEP_EVERY_DAYS
        per_req_s = w.sourcer_hours_per_req_per_week / 7.0 * UPKEEP_EVERY_DAYS
        # a combined recruiter also does the sourcer's recurring work for their reqs
        per_req_own = per_req_r + (0.0 if self.split else per_req_s)
        while True:
            yield env.timeout(UPKEEP_EVERY_DAYS)
            hours: dict[Staff, float] = {}
            for req in self.reqs:
                if req.closed or req.active_day is None:
                    continue
                recruiter = req.recruiter
                if recruiter is not None and not recruiter.unlimited:
                    hours[recruiter] = hours.get(recruiter, 0.0) + per_req_own \
                        + per_cand * req.in_process
                sourcer = req.sourcer
                if self.split and sourcer is not None and not sourcer.unlimited:
                    hours[sourcer] = hours.get(sourcer, 0.0) + per_req_s
            for person, h in hours.items():
                if h > 0.0:
                    task = Task(Activity.REQ_UPKEEP, None)
                    task.dist = Fixed(dist="fixed", value=h)
                    person.queue.submit(task)

    def _plan(self) -> list[Req[Candidate]]:
        """All reqs of the hiring plan, in order of opening."""
        out = self.scenario.outreach
        opens: list[tuple[float, int, int]] = []
        for p_index, profile in enumerate(self.scenario.profiles):
            o = profile.openings
            if o.plan is not None:  # a hiring plan's rows: their own open days
                days = sorted(o.planned_open_days())
            elif o.spacing == "random":  # each profile its own stream: others stay put
                rng = stream(self.seed, self.replication, Stream.PLAN, p_index)
                days = np.sort(rng.uniform(o.first_day, o.last_day, o.count)).tolist()
            elif o.count == 1:
                days = [o.first_day]
            else:
                step = (o.last_day - o.first_day) / (o.count - 1)
                days = [o.first_day + i * step for i in range(o.count)]
            opens.extend((day, p_index, i) for i, day in enumerate(days))
        opens.sort()
        reqs: list[Req[Candidate]] = []
        for index, (day, p_index, _) in enumerate(opens):
            reqs.append(Req(self.env, index, self.scenario.profiles[p_index], p_index, day,
                            out.prospects_per_req_per_week, out.max_active_per_req))
        return reqs

    # -- the life of a req ---------------------------------------------------------------
    def _req_lifecycle(self, req: Req[Candidate]):
        env = self.env
        ahead = self.scenario.team.pipeline_ahead_days if self.split or self.hybrid else 0.0
        if ahead > 0:
            yield env.timeout(max(0.0, req.open_day - ahead))
            self.sourcer_desk.request(req, self._sourcer_assigned)
        yield env.timeout(max(0.0, req.open_day - env.now))
        self.recruiter_desk.request(req, self._recruiter_assigned)

    def _recruiter_assigned(self, req: Req[Candidate], person: Staff) -> None:
        req.recruiter = person
        req.assigned_day = self.env.now
        self.journeys.start(self._intake(req, person))

    def _intake(self, req: Req[Candidate], person: Staff):
        task = Task(Activity.INTAKE, None)
        person.queue.submit(task)
        yield task
        if req.closed:
            return
        person = req.recruiter or person  # another, if the recruiter left meanwhile
        req.active_day = self.env.now
        req.activated.succeed()
        if self.pools[req.profile_index]:
            self._reengage(req)
        if req.profile.inbound.applications_per_week > 0:
            self.journeys.start(self._applications(req))
        if self.hybrid:
            self._hybrid_intake(req, person)
        elif not self.split:
            self._sourcer_assigned(req, person)
        elif req.sourcer is None and self.scenario.team.pipeline_ahead_days <= 0:
            self.sourcer_desk.request(req, self._sourcer_assigned)

    def _hybrid_intake(self, req: Req[Candidate], person: Staff) -> None:
        """Hybrid: the recruiter sources the req (as in combined) and a sourcer joins."""
        if req.sourcer is not None:  # a sourcer started ahead: the recruiter joins in
            person.add_sourcing_req(req.sourcing)
            return
        self._sourcer_assigned(req, person)
        if self.sourcers and self.scenario.team.pipeline_ahead_days <= 0:
            self.sourcer_desk.request(req, self._sourcer_assigned)

    def _sourcer_assigned(self, req: Req[Candidate], person: Staff) -> None:
        if req.closed:
            if person.role == "sourcer":
                self.sourcer_desk.release(person)
            return
        first = req.sourcing_day is None
        req.sourcer = person
        if first or not self.hybrid:  # hybrid: a sourcer joining keeps the req's pace
            req.sourcing_day = self.env.now
            req.sourcing.start(self.env.now)
        person.add_sourcing_req(req.sourcing)

    def _applications(self, req: Req[Candidate]):
        """Applicants arrive as a Poisson stream while the req is open and advertised."""
        env = self.env
        gaps = BlockDraws(stream(self.seed, self.replication, Stream.INBOUND_ARRIVALS,
                                 req.index), block=64)
        mean_gap = 7.0 / req.profile.inbound.applications_per_week
        fates = BlockDraws(stream(self.seed, self.replication, Stream.INBOUND_CANDIDATES,
                                  req.index))
        while True:
            yield env.timeout(gaps.exponential(mean_gap))
            if req.closed or env.now >= self.new_candidates_until:
                return
            c = self._new_candidate(req, "inbound")
            self.flow.draw_fate(c, fates, 1.0)
            self.journeys.start(self.flow.inbound(c))

    def _reengage(self, req: Req[Candidate]) -> None:
        """A req of a profile with a talent pool became active: each pooled candidate
        re-engages for it with probability rate x 0.5 ** (days in the pool / half-life)."""
        now = self.env.now
        if now >= self.new_candidates_until:
            return
        b = self.scenario.candidates
        pool = self.pools[req.profile_index]
        u = BlockDraws(stream(self.seed, self.replication, Stream.TALENT_POOL, req.index))
        fates: BlockDraws | None = None
        kept: list[tuple[float, int]] = []
        for day, rounds_passed in pool:
            p = b.pool_reengage_rate * 0.5 ** ((now - day) / b.pool_half_life_days)
            if u.random() >= p:
                kept.append((day, rounds_passed))
                continue
            if fates is None:
                fates = BlockDraws(stream(self.seed, self.replication, Stream.POOL_CANDIDATES,
                                          req.index))
            c = self._new_candidate(req, "pool")
            self.flow.draw_fate(c, fates, 1.0)
            if c.counted:
                self.tally.pool_reengaged += 1
            c.skip_rounds = rounds_passed  # a silver medallist: re-engagement call (screen),
            self.journeys.start(self.flow.pipeline(c))  # then the rounds not yet passed
        self.pools[req.profile_index] = kept

    def _take_prospect(self, p_index: int) -> bool:
        """One prospect of the profile's finite market (False: none left to contact)."""
        left = self.market_left[p_index]
        if left == math.inf:
            return True
        now = self.env.now
        returns = self.market_returns[p_index]
        while returns and returns[0] <= now:  # cooled off: can be contacted again
            returns.popleft()
            left += 1.0
        if left < 1.0:
            self.market_left[p_index] = left
            return False
        self.market_left[p_index] = left - 1.0
        returns.append(now + self.scenario.profiles[p_index].sourced.recontact_after_days)
        return True

    def new_prospect(self, sourcing: ReqSourcing, person: Staff) -> None:
        """A sourcing person finished the first outreach to a new prospect for a req."""
        if self.env.now >= self.new_candidates_until:
            return
        req = self.reqs[sourcing.req_index]
        if not self._take_prospect(req.profile_index):
            if self.env.now >= self.warmup:
                self.tally.market_misses += 1  # searched, found no one new to contact
            return
        draws = req.sourced_draws
        if draws is None:
            draws = req.sourced_draws = BlockDraws(stream(
                self.seed, self.replication, Stream.SOURCED_CANDIDATES, req.index))
        c = self._new_candidate(req, "sourced")
        c.sourced_by = person.role
        self.flow.draw_fate(c, draws, person.reply_multiplier)
        self.journeys.start(self.flow.sourced(c, person))

    def _new_candidate(self, req: Req[Candidate], source: str) -> Candidate:
        self._next_id += 1
        now = self.env.now
        c = Candidate(self._next_id, req, source, now, counted=now >= self.warmup)
        req.active_candidates[c] = None
        return c

    def hire(self, c: Candidate) -> None:
        """An accepted offer: fill a position, and close the req when all are filled."""
        req = c.req
        req.hired.append(c)
        req.filled_positions += 1
        if req.filled_positions >= req.positions:
            self._close(req)

    def _close(self, req: Req[Candidate]) -> None:
        now = self.env.now
        req.close(now)
        pooling = self.scenario.candidates.pool_reengage_rate > 0.0
        late = self._late_stages(req) if pooling else {}
        for other in list(req.active_candidates):
            passed = late.get(other.stage, -1)
            self.flow.resolve(other, now, "closed_out")
            if passed >= 0 and other.terminal == "closed_out":  # a silver medallist
                self.pools[req.profile_index].append((now, passed))
        req.sourced_draws = None  # no new prospects for a closed req: free its blocks
        if req.sourcer is not None:
            req.sourcer.remove_sourcing_req(req.sourcing)
            if req.sourcer.role == "sourcer":
                self.sourcer_desk.release(req.sourcer)
        recruiter = req.recruiter
        assert recruiter is not None  # a hire needs a recruiter
        if self.hybrid:
            recruiter.remove_sourcing_req(req.sourcing)
        self.recruiter_desk.release(recruiter)

    @staticmethod
    def _late_stages(req: Req[Candidate]) -> dict[str, int]:
        """Stages whose closed-out candidates join the talent pool (interview rounds,
        debrief, offer), with the interview rounds a candidate there has passed."""
        rounds = req.profile.interview_rounds
        late = {r.name: k for k, r in enumerate(rounds)}
        late["debrief"] = late["offer"] = len(rounds)
        return late

    def _turnover(self) -> Turnover:
        """Joiners, ramp-up and attrition of the counted TA roles (``team_changes``)."""
        groups: dict[str, RoleGroup] = {}
        for role, people, desk in (("recruiter", self.recruiters, self.recruiter_desk),
                                   ("sourcer", self.sourcers, self.sourcer_desk),
                                   ("coordinator", self.coordinators, None)):
            template = self.templates.get(role)
            if template is not None and not template.spec.unlimited:
                groups[role] = RoleGroup(people, desk, template)
        return Turnover(self.env, self.journeys, self.effort, self.scenario.team_changes,
                        groups, self.reqs, self.new_prospect, self.new_candidates_until,
                        self.seed, self.replication, self.horizon)

    # -- what was counted (the tally's, for readers of a finished run) -------------------
    @property
    def counts(self) -> dict[tuple[str, str], int]:
        """(source, terminal state) -> candidates counted."""
        return self.tally.counts

    @property
    def stage_counts(self) -> dict[tuple[str, str, str], int]:
        """(source, stage, outcome) -> stage visits of counted candidates."""
        return self.tally.stage_counts

    @property
    def replies(self) -> int:
        return self.tally.replies

    @property
    def outreach_unresolved(self) -> int:
        return self.tally.outreach_unresolved

    @property
    def hires(self) -> list[Candidate]:
        return self.tally.hires

    @property
    def visits(self) -> list[tuple] | None:
        return self.tally.visits

    @property
    def candidate_rows(self) -> list[tuple] | None:
        return self.tally.candidate_rows

    # -- observation ---------------------------------------------------------------------
    def _snapshots(self):
        env = self.env
        while True:
            self.snapshots.append(self.snapshot())
            if env.now + SNAPSHOT_EVERY_DAYS > self.horizon:
                return
            yield env.timeout(SNAPSHOT_EVERY_DAYS)

    def snapshot(self) -> tuple:
        """(day, reqs in backlog, reqs open, tasks waiting for recruiters/sourcers/interviewers)."""
        open_reqs = sum(1 for r in self.reqs if r.open_day <= self.env.now and not r.closed)
        return (
            self.env.now,
            len(self.recruiter_desk.backlog),
            open_reqs,
            _waiting(self.recruiters),
            _waiting(self.sourcers),
            sum(_waiting(p) for p in self.interviewer_people),
        )

    # -- running -------------------------------------------------------------------------
    def run(self) -> HiringModel:
        """Run to the horizon, with Python's cyclic garbage collector paused meanwhile.

        The model drops almost no reference cycles while it runs (finished candidates and
        their stories are freed by reference counting), but every collector pass walks
        the live heap, which grows with the plan: at 16 times the shipped plan it cost
        about 10% of the time per candidate (docs/performance.md).
        """
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.env.run(until=self.horizon)
        finally:
            if collecting:
                gc.enable()
        self._finalise()
        self.journeys.close_all()
        return self

    def _finalise(self) -> None:
        """Close the books at the horizon: live candidates are in process (or withdrew)."""
        horizon = self.horizon
        for req in self.reqs:
            for c in list(req.active_candidates):
                self.flow.resolve(c, horizon, "in_process")
        for person in self.all_people():
            part = person.hours_in_progress(horizon)
            if part is not None:
                person.busy_hours[part[0]] += part[1]
            person.busy_hours = np.array(person.busy_hours)

    def all_people(self) -> list[Staff]:
        people = list(self.recruiters) + list(self.sourcers) + list(self.coordinators)
        for group in self.interviewer_people:
            people.extend(group)
        return people


def _waiting(people: list[Staff]) -> int:
    queues = {id(p.queue): p.queue for p in people}
    return sum(len(q.pending()) for q in queues.values())
