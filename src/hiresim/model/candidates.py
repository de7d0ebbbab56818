"""Candidates and their journey: outreach or application, screen, interviews, offer.

A candidate's own outcomes (will they reply, after which touch, are they interested, do
they pass each stage, do they accept) and their own delays (reply latency, availability
for interviews, time to answer an offer, patience) are drawn once, when the candidate is
created, from the random stream of their req and source. Staffing changes *when* things
happen to a candidate, never *whether* they pass (common random numbers).

Every candidate ends in exactly one terminal state (``TERMINAL_STATES``) at a named stage.
Each stage visit is recorded as (enter, start, end, outcome): ``enter`` is when the
candidate became ready for the stage, ``start`` when the team first started work on it,
``end`` when it was left. Time waiting for the team counts against the candidate's
patience (cumulative over the process); when it runs out, they withdraw. On top of that,
an engaged candidate may drop out at any time before the offer (``Dropout``: a hazard that
rises with days since they engaged), and interview rounds of a profile with slots are
booked into its interviewers' calendar (``hiresim.model.interviews``). Late-stage
candidates closed out when their req fills may come back from the profile's talent pool
(source ``pool``): the screen is a re-engagement call they pass, and they skip
the rounds they already passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hiresim.distributions import SequenceSampler
from hiresim.model.interviews import SlotBook
from hiresim.model.outcomes import OUTCOME_OF_TERMINAL
from hiresim.model.requisitions import Req
from hiresim.model.work import DONE, WITHDREW, Activity, Staff, Task, TaskQueue
from hiresim.random_streams import BlockDraws

if TYPE_CHECKING:
    import simpy

    from hiresim.scenario import Scenario

# Positions in a candidate's block of uniform draws (append only).
U_REPLY, U_TOUCH, U_INTEREST, U_QUALIFY, U_REVIEW, U_SCREEN, U_DECISION, U_ACCEPT = range(8)
U_ROUNDS = 8


class Candidate:
    """One person in the funnel, with their pre-drawn fate and their timestamps (days)."""

    __slots__ = (
        "id", "req", "source", "created", "u", "reply_touch", "touch_gaps", "reply_delay",
        "handoff_delay", "lead_days", "offer_response", "patience_left", "handed_off",
        "terminal", "terminal_stage", "end", "stage", "stage_enter", "stage_start",
        "pending", "pending_deadline", "in_pipeline", "counted", "replied", "offered",
        "sourced_by", "screened", "booking", "booked_in", "skip_rounds", "dropped",
    )
    # drawn by CandidateFlow.draw_fate when the candidate is created
    u: list[float]  # uniforms: reply, touch, interest, ..., one per interview round
    reply_touch: int  # the touch they reply to, -1 for never
    touch_gaps: list[float]
    reply_delay: float
    handoff_delay: float
    lead_days: list[float]
    offer_response: float
    patience_left: float  # days of waiting left (inf: never withdraws)

    def __init__(self, cid: int, req: Req[Candidate], source: str, created: float,
                 counted: bool) -> None:
        self.id = cid
        self.req = req
        self.source = source
        self.created = created
        self.counted = counted  # created after the warm-up: in the statistics
        self.handed_off = False
        self.terminal = ""  # a TERMINAL_STATES name once ended ("" while live)
        self.terminal_stage = ""
        self.end = float("nan")
        self.stage = ""
        self.stage_enter = 0.0
        self.stage_start = float("nan")
        self.pending: Task | list[Task] | None = None  # work queued for them (a panel: list)
        self.pending_deadline: float | None = None
        self.in_pipeline = False
        self.replied = False
        self.offered = False
        self.sourced_by = ""
        self.screened = False  # reached the screen (counted in the req's in-process load)
        self.booking: list[tuple[int, int]] | None = None  # interview slots booked ahead
        self.booked_in: SlotBook | None = None
        self.skip_rounds = 0  # a pool candidate skips the rounds they passed before
        self.dropped = False  # left by the drop-out hazard (not lost patience)


class Tally:
    """What one run counts of its candidates, as they end.

    Only candidates created after the warm-up (``Candidate.counted``) are counted:
    ``counts`` (source, terminal state) -> candidates; ``stage_counts`` (source, stage,
    outcome) -> stage visits; ``replies``; ``outreach_unresolved``, sourced prospects cut
    off (closed out or in process) before their outreach sequence ended, whose reply is not
    known. ``hires`` lists every hired candidate, warm-up included. With ``record_detail``,
    ``visits`` holds every stage visit (candidate, stage, enter, start, end, outcome; days)
    and ``candidate_rows`` a row per candidate; otherwise both are None.
    """

    def __init__(self, record_detail: bool) -> None:
        self.counts: dict[tuple[str, str], int] = {}
        self.stage_counts: dict[tuple[str, str, str], int] = {}
        self.replies = 0
        self.outreach_unresolved = 0
        self.screened = 0  # candidates who reached the screen
        self.screened_withdrew = 0  # of them, withdrew (patience or drop-out)
        self.dropouts = 0  # withdrew by the drop-out hazard
        self.pool_reengaged = 0  # candidates re-engaged from a talent pool
        self.market_misses = 0  # outreach that found no prospect left in a finite market
        self.hires: list[Candidate] = []
        self.visits: list[tuple] | None = [] if record_detail else None
        self.candidate_rows: list[tuple] | None = [] if record_detail else None

    def candidate_finished(self, c: Candidate) -> None:
        """Tally a candidate's end (candidates created during the warm-up are not counted)."""
        if not c.counted:
            return
        key = (c.source, c.terminal or "")
        self.counts[key] = self.counts.get(key, 0) + 1
        if c.terminal_stage == "outreach" and c.terminal in ("closed_out", "in_process"):
            # cut off before the outreach sequence ended: reply not yet known
            self.outreach_unresolved += 1
        if c.replied:
            self.replies += 1
        if c.screened:
            self.screened += 1
            if c.terminal == "withdrew":
                self.screened_withdrew += 1
        if c.dropped:
            self.dropouts += 1
        if self.candidate_rows is not None:
            self.candidate_rows.append((
                c.id, c.req.index, c.req.profile.name, c.source, c.sourced_by, c.created,
                c.end, c.terminal, c.terminal_stage, c.replied, c.offered,
            ))


class CandidateFlow:
    """The hiring story: one generator per candidate, run as a ``Journey``.

    It is given what the story needs of the rest of the model: the tally to count into,
    the interviewers' queue of each profile, the activities that take no one's time
    (effort fixed at zero hours) and ``on_hire``, called after a candidate is hired (the
    model fills a position and closes the req when it is full).
    """

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        tally: Tally,
        interviewers: list[TaskQueue],
        zero_effort: frozenset[Activity],
        on_hire: Callable[[Candidate], None],
        slot_books: list[SlotBook | None] | None = None,
        on_interview: Callable[[int, int, Any], None] | None = None,
        dropout_draws: Callable[[Candidate], BlockDraws] | None = None,
    ) -> None:
        self.env = env
        self.tally = tally
        self.interviewers = interviewers
        # per profile: its interviewers' slot calendar (None: the fluid queue)
        self.slot_books: list[SlotBook | None] = slot_books or [None] * len(scenario.profiles)
        # (profile index, interviewer, interviewer_hours distribution): book an interview
        self.on_interview = on_interview
        self.dropout_draws = dropout_draws
        self._dropout = [(p.dropout.hazard_per_week, p.dropout.shape)
                         for p in scenario.profiles]
        self.zero_effort = zero_effort
        self.on_hire = on_hire
        self.outreach = scenario.outreach
        self.behaviour = scenario.candidates
        self.split = scenario.team.structure == "split"
        self.context_loss = scenario.team.handoff.context_loss
        self.handoff = scenario.team.handoff
        shares = scenario.outreach.reply_share_by_touch
        acc, self.touch_cdf = 0.0, []
        for share in shares:
            acc += share
            self.touch_cdf.append(acc)
        self.touch_cdf[-1] = 1.0
        self.n_gaps = self.outreach.touches - 1
        self.patient = self.behaviour.patience_days is not None
        self._plans = [self._fate_plan(p) for p in scenario.profiles]
        # Structures (``hiresim.model.structures``): who takes a sourcer's lead (None: the
        # req's recruiter) and who schedules interviews (None: the candidate's recruiter).
        self.route_lead: Callable[[Candidate], Staff] | None = None
        self.scheduling: TaskQueue | None = None

    # -- creating candidates -------------------------------------------------------------
    def _fate_plan(self, profile: Any) -> tuple[int, float, int, SequenceSampler]:
        """Per profile: uniforms to draw, base reply rate, touches and the delay sampler."""
        out = self.outreach
        rounds = profile.interview_rounds
        delays = [out.touch_gap_days] * (out.touches - 1) + [
            out.reply_delay_days, self.handoff.delay_days, *(r.lead_days for r in rounds),
            self.behaviour.offer_response_days,
        ]
        if self.behaviour.patience_days is not None:
            delays.append(self.behaviour.patience_days)
        return U_ROUNDS + len(rounds), profile.sourced.reply_rate, len(rounds), \
            SequenceSampler(delays)

    def draw_fate(self, c: Candidate, draws: BlockDraws, reply_multiplier: float) -> None:
        """Draw everything about the candidate that is theirs, always the same counts.

        The uniforms (reply, touch, each pass/fail), then the delays in order: touch gaps,
        reply delay, handoff delay, interview lead times, offer response, patience.
        """
        n_u, reply_rate, n_rounds, delays = self._plans[c.req.profile_index]
        u = c.u = draws.uniforms(n_u)
        if c.source == "sourced" and u[U_REPLY] < min(1.0, reply_rate * reply_multiplier):
            touch = 0
            while u[U_TOUCH] >= self.touch_cdf[touch]:
                touch += 1
            c.reply_touch = touch
        else:
            c.reply_touch = -1
        normals = delays.normals_needed
        if normals is None:  # other kinds than fixed and lognormal: one sample() each
            d = delays.draw(draws)  # type: ignore[arg-type]
        else:
            d = delays.from_normals(draws.normals(normals))
        gaps = self.n_gaps
        c.touch_gaps = d[:gaps]
        c.reply_delay = d[gaps]
        c.handoff_delay = d[gaps + 1]
        c.lead_days = d[gaps + 2:gaps + 2 + n_rounds]
        c.offer_response = d[gaps + 2 + n_rounds]
        c.patience_left = d[gaps + 3 + n_rounds] if self.patient else float("inf")

    # -- bookkeeping ---------------------------------------------------------------------
    def enter(self, c: Candidate, stage: str) -> None:
        c.stage = stage
        c.stage_enter = self.env.now
        c.stage_start = float("nan")

    def leave(self, c: Candidate, outcome: str, t: float) -> None:
        """Close the current stage visit with its outcome (and tally it for the funnel)."""
        if c.stage:
            visits = self.tally.visits
            if visits is not None:
                visits.append((c.id, c.stage, c.stage_enter, c.stage_start, t, outcome))
            if c.counted:
                key = (c.source, c.stage, outcome)
                counts = self.tally.stage_counts
                counts[key] = counts.get(key, 0) + 1
            c.stage = ""

    def finish(self, c: Candidate, state: str, t: float) -> None:
        """Put the candidate in its terminal state at time t and free its req's slot."""
        if c.terminal:
            return
        c.terminal = state
        c.terminal_stage = c.stage
        c.end = t
        if c.pending is not None:
            for task in c.pending if isinstance(c.pending, list) else (c.pending,):
                task.cancelled = True
                started = task.started_at
                if started is not None and started <= t and c.stage_start != c.stage_start:
                    c.stage_start = started  # work on the stage was under way
            c.pending = None
        c.pending_deadline = None
        if c.booking is not None and c.booked_in is not None:
            c.booked_in.release(c.booking, t)  # slots ahead are free again
            c.booking = None
        self.leave(c, OUTCOME_OF_TERMINAL[state], t)
        req = c.req
        req.active_candidates.pop(c, None)
        if c.screened:
            req.in_process -= 1
        if c.in_pipeline:
            c.in_pipeline = False
            if req.sourcing.disengage() and req.sourcer is not None:
                req.sourcer.wake_up()  # a slot under the pipeline cap: source again
        self.tally.candidate_finished(c)

    def resolve(self, c: Candidate, t: float, state: str) -> None:
        """End a live candidate at t (req closed, horizon): a lapsed wait is a withdrawal."""
        deadline = c.pending_deadline
        if deadline is not None and deadline < t and not self._started_by(c, deadline):
            self.finish(c, "withdrew", deadline)
        else:
            self.finish(c, state, t)

    @staticmethod
    def _started_by(c: Candidate, t: float) -> bool:
        """Had the team started any of the candidate's pending work by time t?"""
        pending = c.pending
        tasks = pending if isinstance(pending, list) else (pending,) if pending else ()
        return any(task.started_at is not None and task.started_at <= t for task in tasks)

    def team_step(self, c: Candidate, queue: TaskQueue, activity: Activity,
                  priority: int | None = None, dist: Any = None, patient: bool = True,
                  panel: int = 1):
        """Queue work for the team and wait until it is done; False if the candidate left.

        An activity whose effort is a fixed zero hours takes no one's time: it is not queued
        and the candidate moves on at once (how a scenario leaves a step out).
        """
        if (activity in self.zero_effort) if dist is None else (
                dist.is_deterministic and dist.mean == 0.0):
            return True
        now = self.env.now
        deadline = now + c.patience_left if patient and c.patience_left != float("inf") else None
        task = Task(activity, deadline, priority)
        task.dist = dist
        c.pending = task
        c.pending_deadline = deadline
        queue.submit(task)
        if panel > 1:  # the others of the panel work in parallel; the candidate waits for all
            return (yield from self._panel(c, queue, task, panel, now))
        outcome = yield task
        if c.terminal:  # closed out while the work was under way
            return False
        c.pending = None
        c.pending_deadline = None
        if outcome == WITHDREW:  # only a task with a deadline expires
            self.finish(c, "withdrew", deadline)  # type: ignore[arg-type]
            return False
        started: float = task.started_at  # type: ignore[assignment]  # done: it was started
        if c.stage_start != c.stage_start:  # NaN: first work on this stage
            c.stage_start = started
        if patient:
            c.patience_left = max(0.0, c.patience_left - (started - now))
        return True

    def _panel(self, c: Candidate, queue: TaskQueue, first: Task, panel: int, now: float):
        """Wait for a panel of interviewers; patience runs until the first one starts."""
        tasks = [first]
        for _ in range(panel - 1):
            task = Task(first.activity, None, first.priority)
            task.dist = first.dist
            queue.submit(task)
            tasks.append(task)
        c.pending = tasks
        outcome = yield first
        if c.terminal:
            return False
        c.pending_deadline = None
        if outcome == WITHDREW:  # only a task with a deadline expires
            self.finish(c, "withdrew", first.deadline)  # type: ignore[arg-type]
            return False
        for task in tasks[1:]:
            yield task
            if c.terminal:
                return False
        c.pending = None
        started: float = first.started_at  # type: ignore[assignment]  # done: it was started
        if c.stage_start != c.stage_start:
            c.stage_start = started
        c.patience_left = max(0.0, c.patience_left - (started - now))
        return True

    def wait_for(self, c: Candidate, event: Any):
        """Wait on the team for something other than a person's work (req start, offer slot)."""
        now = self.env.now
        deadline = now + c.patience_left if c.patience_left != float("inf") else None
        c.pending_deadline = deadline
        outcome = yield event
        c.pending_deadline = None
        if c.terminal:
            return False
        if outcome == WITHDREW or (deadline is not None and deadline < self.env.now):
            self.finish(c, "withdrew", deadline)  # type: ignore[arg-type]  # set: it lapsed
            return False
        c.patience_left -= self.env.now - now
        return True

    # -- the journeys ---------------------------------------------------------------------
    def sourced(self, c: Candidate, sourcer: Staff):
        """Outreach sequence, reply, qualification call, handoff (split), then the pipeline."""
        env = self.env
        self.enter(c, "outreach")
        c.stage_start = c.created  # the first touch was the outreach that found them
        last_touch = self.outreach.touches - 1
        touch = 0
        while touch != c.reply_touch:
            if touch == last_touch:
                self.finish(c, "no_reply", env.now)
                return
            yield env.timeout(c.touch_gaps[touch])
            if c.terminal:
                return
            if not (yield from self.team_step(c, sourcer.queue, Activity.FOLLOW_UP,
                                              patient=False)):
                return
            touch += 1
        yield env.timeout(c.reply_delay)
        if c.terminal:
            return
        c.replied = True
        profile = c.req.profile
        if c.u[U_INTEREST] >= profile.sourced.interest_rate:
            self.finish(c, "not_interested", env.now)
            return
        self.leave(c, "passed", env.now)

        self.join_pipeline(c)
        self.enter(c, "qualification")
        if not (yield from self.team_step(c, sourcer.queue, Activity.QUALIFICATION)):
            return
        if c.u[U_QUALIFY] >= profile.sourced.qualify_rate:
            self.finish(c, "rejected", env.now)
            return
        self.leave(c, "passed", env.now)

        owner: Staff | None = None
        if self.split or c.sourced_by == "sourcer":  # a dedicated sourcer hands off
            self.enter(c, "handoff")
            if not (yield from self.team_step(c, sourcer.queue, Activity.HANDOFF_OUT)):
                return
            yield env.timeout(c.handoff_delay)
            if c.terminal:
                return
            req = c.req
            if not req.activated.triggered:
                if not (yield from self.wait_for(c, req.activated)):
                    return
            recruiter = req.recruiter if self.route_lead is None else self.route_lead(c)
            assert recruiter is not None  # the req is active: a recruiter owns it
            if not (yield from self.team_step(c, recruiter.queue, Activity.HANDOFF_IN)):
                return
            c.handed_off = True
            self.leave(c, "passed", env.now)
            owner = recruiter
        yield from self.pipeline(c, owner)

    def inbound(self, c: Candidate):
        """An applicant: application review (if the profile reviews), then the pipeline."""
        inbound = c.req.profile.inbound
        if inbound.reviewed:
            self.enter(c, "application_review")
            recruiter = c.req.recruiter
            assert recruiter is not None  # applicants come once the req is active
            if not (yield from self.team_step(c, recruiter.queue,
                                              Activity.APPLICATION_REVIEW)):
                return
            if c.u[U_REVIEW] >= inbound.review_pass_rate:
                self.finish(c, "rejected", self.env.now)
                return
            self.leave(c, "passed", self.env.now)
        yield from self.pipeline(c)

    def pipeline(self, c: Candidate, owner: Staff | None = None):
        """Recruiter screen, the interview loop, debrief and decision, offer and answer.

        ``owner`` takes the candidate through (default: the req's recruiter; a pooled lead's
        recruiter or a full-cycle agency otherwise)."""
        env = self.env
        req = c.req
        profile = req.profile
        if owner is None:
            owner = req.recruiter
        assert owner is not None  # the req is active: a recruiter owns it
        recruiter = owner.queue
        scheduler = recruiter
        if self.scheduling is not None and owner.role == "recruiter":
            scheduler = self.scheduling  # coordinators schedule for the team's recruiters
        self.join_pipeline(c)

        self.enter(c, "screen")
        c.screened = True
        req.in_process += 1
        if not (yield from self.team_step(c, recruiter, Activity.SCREEN)):
            return
        screen_p = profile.screen_pass_rate
        if c.handed_off:
            screen_p *= 1.0 - self.context_loss
        if c.source != "pool" and c.u[U_SCREEN] >= screen_p:  # pool: screened before
            self.finish(c, "rejected", env.now)
            return
        self.leave(c, "passed", env.now)

        interviewers = self.interviewers[req.profile_index]
        book = self.slot_books[req.profile_index]
        for k, rnd in enumerate(profile.interview_rounds):
            if k < c.skip_rounds:
                continue  # a pool candidate passed this round for an earlier req
            self.enter(c, rnd.name)
            if not (yield from self.team_step(c, scheduler, Activity.SCHEDULING)):
                return
            if book is not None:
                if not (yield from self._booked_round(c, book, k, rnd)):
                    return
            else:
                yield env.timeout(c.lead_days[k])
                if c.terminal:
                    return
                if not (yield from self.team_step(c, interviewers, Activity.INTERVIEW,
                                                  priority=-k, dist=rnd.interviewer_hours,
                                                  panel=rnd.panel_size)):
                    return
            if c.u[U_ROUNDS + k] >= rnd.pass_rate:
                self.finish(c, "rejected", env.now)
                return
            self.leave(c, "passed", env.now)

        self.enter(c, "debrief")
        if not (yield from self.team_step(c, recruiter, Activity.DEBRIEF)):
            return
        if c.u[U_DECISION] >= profile.decision_pass_rate:
            self.finish(c, "rejected", env.now)
            return
        self.leave(c, "passed", env.now)

        self.enter(c, "offer")
        if req.offer_out:  # one offer at a time per req
            slot = env.event()
            req.offer_waiters.append((c, slot))
            if not (yield from self.wait_for(c, slot)):
                return
        req.offer_out = True
        ok = yield from self.team_step(c, recruiter, Activity.OFFER)
        if ok:
            c.offered = True
            yield env.timeout(c.offer_response)
        if not c.terminal and ok:
            if c.u[U_ACCEPT] < self.acceptance(c, env.now):
                self.finish(c, "hired", env.now)
                self.tally.hires.append(c)
                self.on_hire(c)
            else:
                self.finish(c, "declined_offer", env.now)
        self.release_offer(req)

    def join_pipeline(self, c: Candidate) -> None:
        """Count an engaged candidate against the req's sourcing cap (once), and start
        their drop-out clock."""
        if not c.in_pipeline:
            c.in_pipeline = True
            c.req.sourcing.engage()
            hazard, shape = self._dropout[c.req.profile_index]
            if hazard > 0.0 and self.dropout_draws is not None:
                e = self.dropout_draws(c).exponential()
                weeks = (e / hazard) ** (1.0 / shape)
                self.env.timeout(weeks * 7.0).callbacks.append(self._drop_out(c))

    def _drop_out(self, c: Candidate) -> Callable[[Any], None]:
        def leave(_: Any) -> None:
            if c.terminal or c.offered or c.stage == "offer":
                return  # gone already, or past the point drop-out covers (the offer)
            now = self.env.now
            deadline = c.pending_deadline
            if deadline is not None and deadline < now and not self._started_by(c, deadline):
                self.finish(c, "withdrew", deadline)  # their patience had run out first
                return
            c.dropped = True
            self.finish(c, "withdrew", now)
        return leave

    def _booked_round(self, c: Candidate, book: SlotBook, k: int, rnd: Any):
        """Book the round into the interviewers' next free slots once the candidate is
        available (their lead days), and wait until the last panel member's slot is over.
        Waiting for a slot does not use patience (the drop-out hazard runs meanwhile)."""
        env = self.env
        booking = c.booking = book.book(env.now + c.lead_days[k], rnd.panel_size)
        c.booked_in = book
        last = max(book.slot_day(i, j) for i, j in booking)  # + the interview itself:
        yield env.timeout(last + rnd.interviewer_hours.mean / 24.0 - env.now)
        if c.terminal:
            return False
        c.booking = None
        for i, _ in booking:
            if self.on_interview is not None:
                self.on_interview(c.req.profile_index, i, rnd.interviewer_hours)
        return True

    def acceptance(self, c: Candidate, now: float) -> float:
        """Offer acceptance probability, falling once the process outlasts the grace period
        (by the profile's weekly drop when it states one, else the candidates' default)."""
        b = self.behaviour
        profile = c.req.profile
        drop = profile.acceptance_drop_per_week
        drop = b.acceptance_drop_per_week if drop is None else drop
        overdue_weeks = max(0.0, (now - c.created - b.acceptance_grace_days) / 7.0)
        return max(0.0, profile.offer_acceptance - drop * overdue_weeks)


    def release_offer(self, req: Req[Candidate]) -> None:
        """Hand the req's offer slot to the next candidate still waiting for it."""
        now = self.env.now
        while req.offer_waiters and not req.closed:
            c, slot = req.offer_waiters.popleft()
            if c.terminal:
                continue
            if c.pending_deadline is not None and c.pending_deadline < now:
                slot.succeed(WITHDREW)
                continue
            slot.succeed(DONE)
            return
        req.offer_out = False
