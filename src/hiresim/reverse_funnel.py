"""The planner's view: the deterministic reverse funnel a TA leader builds in a spreadsheet.

From the hires the plan needs, work backwards through the scenario's pass rates and the
drop-out hazard to the candidates each stage must **decide** (pass or fail), and from the
efforts and the recurring workload to the hours each role must give; then place that work
in the months between each req's opening and its target start. No simulation, no
randomness: ``hiresim plan FILE`` answers at once.

Per hire, with ``s`` the share of candidates entering a stage who are still in process at
its decision (drop-out, below)::

    offers     = hires / offer_acceptance
    debriefs   = offers / (decision_pass_rate x s(offer) = 1)
    round k    = (next stage) / (pass_rate of round k x s(next stage))   (last round first)
    screens    = (first round) / (screen_pass_rate x s(first round))  (x (1 - context_loss), split)
    inbound:  reviews = screens / (review_pass_rate x s(screen))  (if applications are reviewed)
    sourced:  qualification calls = (screens or handoffs) / (qualify_rate x s(next)),
              replies = calls / (interest_rate x s(qualification)),
              prospects = replies / (reply_rate x the sourcing role's reply multiplier)

**Drop-out** (``profiles[].dropout``, docs/model.md 4.9): an engaged candidate is still in
process ``t`` days after engaging with probability ``exp(-hazard_per_week * (t/7)**shape)``.
As in the simulation the clock starts when a sourced candidate replies with interest
(before the qualification call) and when an applicant passes application review (before
the screen), and stops at the offer stage. ``t`` is the **no-queue** time in process: each
stage's mean effort at its role's weekly pace plus the candidate's own mean delays
(``hiresim.process_time``). A stage from day ``a`` to day ``b`` of that clock keeps
``s = S(b) / S(a)`` of those who enter it (``Step.survival``), so the visits entering a
stage are its decided visits divided by ``s``, and the drop-outs per stage are the
difference (``PlannerView.dropouts``). Using fixed mean durations is an approximation:
the simulation averages ``S`` over random durations, and queues lengthen the time.

Hires are shared between applicants and sourced prospects in proportion to the hires per
week each source would yield for an open req (applications per week x the applicant's
chance to be hired, against prospects per week x the prospect's), an assumption the
simulation does not make: there the first good candidate of either source fills the req.

Hours per role are the mean effort of every decided visit (``effort.*``; interview rounds:
``panel_size x interviewer_hours`` for interviewers and ``scheduling_hours`` for the
recruiter; outreach: the first message plus the expected follow-up touches, times the
sourcing role's hours multiplier; one intake per req), plus the work done on candidates
who drop out later in the stage (a role's work is paid by those still in process when it
starts), plus the **recurring workload** (``workload``, docs/model.md 2.10): the hours per
open req per week for the weeks from each req's opening to its target start (the span the
work is spread over; the simulation pays them from intake done to the req filling), and
the recruiter's hours per candidate in process per week over each candidate's expected
no-queue days from the screen to their end (the answer to the offer, a rejection or a
drop-out). As in the simulation, unlimited pools pay no recurring hours (a combined
recruiter pays the sourcer's per-req hours too). Task switching is left out.

What the arithmetic still leaves out, and so why the simulation differs (shown side by
side in the report): **queues** (work waits for busy people, so hires come later,
patience runs out, and the longer time in process loses more candidates to drop-out than
the no-queue time says), **acceptance decay** (offer acceptance that falls with time),
**close-outs** (candidates still in process when their req fills: work done that yields no
hire, so the simulation decides more candidates per hire), **interview slots filling up**
(only the wait for a slot in an empty calendar is in the time), the **talent pool**
(silver medallists who come back for a later req), agencies, and **variability** (the plan
is met in some replications and missed in others). With an ample team, no patience limit
and no acceptance decay, the simulation's mean decided visits per stage match these counts
up to close-outs, with or without drop-out, and so do the hours per role with recurring
work on, given the weeks the simulated reqs were open (tests/test_reverse_funnel.py).

The rates are read in one place, ``source_steps``: a new rate of the model is one more
factor in a step's ``pass_rate``, or in its ``survival`` if it takes candidates out while
the stage is under way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from hiresim import calendar
from hiresim.hiring_plan import DEFAULT_LEAD_DAYS
from hiresim.process_time import (
    booked,
    days_alive,
    interview_days,
    role_pace,
    scheduler_pace,
    survival,
    work_days,
)
from hiresim.scenario import RoleProfile, Scenario

ROLES = ("recruiter", "sourcer", "interviewer")


@dataclass(frozen=True)
class Step:
    """One stage a candidate must pass, as the planner sees it."""

    stage: str  # the stage name of the simulation's funnel table
    label: str  # plural noun for people ("screens")
    pass_rate: float
    # role -> mean hours per visit the role works on; once ``_in_process`` has run, per
    # decided visit, including the work done on candidates who drop out later in the stage
    hours: dict[str, float] = field(default_factory=dict)
    also: dict[str, float] = field(default_factory=dict)  # other counts per visit: replies
    days: float = 0.0  # no-queue days from entering the stage to its decision (offer: answer)
    survival: float = 1.0  # share of those entering who are still in process at the decision
    # role -> recurring hours per decided visit (hours per candidate in process per week)
    recurring: dict[str, float] = field(default_factory=dict)
    starts: dict[str, float] = field(default_factory=dict)  # role -> days in when work starts


def source_steps(scenario: Scenario, profile: RoleProfile, source: str) -> list[Step]:
    """The stages of one source (``inbound`` or ``sourced``) from entry to the offer, with
    the scenario's pass rates, mean efforts, no-queue days and drop-out survival. Every
    model rate the planner uses is here."""
    e, team = scenario.effort, scenario.team
    split = team.structure == "split"
    sourcing_role = "sourcer" if split else "recruiter"
    skill = team.sourcer_skill if split else team.recruiter_skill
    recruiter = team.recruiters.hours_per_week
    sourcing = role_pace(team.sourcers) if split else recruiter
    steps: list[Step] = []
    if source == "sourced":
        out = scenario.outreach
        reply = min(1.0, profile.sourced.reply_rate * skill.reply_rate_multiplier)
        by_touch = sum(share * k for k, share in enumerate(out.reply_share_by_touch))
        follow_ups = reply * by_touch + (1 - reply) * (out.touches - 1)
        outreach_hours = (e.outreach_hours.mean + follow_ups * e.follow_up_hours.mean
                          ) * skill.outreach_hours_multiplier
        steps.append(Step("outreach", "prospects", reply * profile.sourced.interest_rate,
                          {sourcing_role: outreach_hours}, {"replies": reply}))
        hours = e.qualification_call_hours.mean
        steps.append(Step("qualification", "qualification calls", profile.sourced.qualify_rate,
                          {sourcing_role: hours}, days=work_days(hours, sourcing)))
        if split:
            h = team.handoff
            taken = work_days(h.sourcer_hours.mean, sourcing) + h.delay_days.mean
            steps.append(Step("handoff", "handoffs", 1.0, {
                "sourcer": h.sourcer_hours.mean, "recruiter": h.recruiter_hours.mean},
                days=taken + work_days(h.recruiter_hours.mean, recruiter),
                starts={"recruiter": taken}))
        screen = profile.screen_pass_rate * (1 - team.handoff.context_loss if split else 1.0)
        clock = 1  # engaged at the reply with interest: the qualification call is first
    else:
        if profile.inbound.reviewed:
            hours = e.application_review_hours.mean
            steps.append(Step("application_review", "applications",
                              profile.inbound.review_pass_rate,
                              {"recruiter": hours}, days=work_days(hours, recruiter)))
        screen = profile.screen_pass_rate
        clock = len(steps)  # engaged once through application review: from the screen
    steps.append(Step("screen", "screens", screen, {"recruiter": e.screen_hours.mean},
                      days=work_days(e.screen_hours.mean, recruiter)))
    scheduler = scheduler_pace(scenario)
    for rnd in profile.interview_rounds:
        before = work_days(e.scheduling_hours.mean, scheduler) + rnd.lead_days.mean
        days = before + interview_days(profile, rnd)
        steps.append(Step(rnd.name, f"{rnd.name} interviews", rnd.pass_rate, {
            "recruiter": e.scheduling_hours.mean,
            "interviewer": rnd.panel_size * rnd.interviewer_hours.mean},
            days=days, starts={"interviewer": days if booked(profile) else before}))
    steps.append(Step("debrief", "debriefs", profile.decision_pass_rate,
                      {"recruiter": e.debrief_hours.mean},
                      days=work_days(e.debrief_hours.mean, recruiter)))
    steps.append(Step("offer", "offers", profile.offer_acceptance,
                      {"recruiter": e.offer_hours.mean},
                      days=work_days(e.offer_hours.mean, recruiter)
                      + scenario.candidates.offer_response_days.mean))
    return _in_process(scenario, profile, steps, clock)


def _in_process(scenario: Scenario, profile: RoleProfile, steps: list[Step],
                clock: int) -> list[Step]:
    """The steps with their drop-out survival (from the step at ``clock``, where the
    drop-out clock starts, up to the offer) and the recruiter's hours per candidate in
    process (from the screen on), both over the no-queue days (``hiresim.process_time``)."""
    team = scenario.team
    per_week = 0.0 if team.recruiters.unlimited else \
        scenario.workload.recruiter_hours_per_candidate_per_week
    screen = next(i for i, step in enumerate(steps) if step.stage == "screen")
    out, day = [], 0.0
    for i, step in enumerate(steps):
        if i < clock:
            out.append(step)
            continue
        start = day
        if step.stage == "offer":  # drop-out covers the time before the offer only
            kept, alive = 1.0, step.days
        else:
            kept = survival(profile, day + step.days) / survival(profile, day)
            alive = days_alive(profile, day, step.days)
            day += step.days
        recurring = {}
        if i >= screen and per_week > 0:  # per candidate entering, so per decided visit:
            recurring["recruiter"] = per_week / 7.0 * alive / kept if kept > 0 else math.inf
        hours = {role: h * _still_in(profile, start, step.starts.get(role, 0.0)) / kept
                 if kept > 0 else math.inf for role, h in step.hours.items()}
        out.append(replace(step, survival=kept, recurring=recurring, hours=hours))
    return out


def _still_in(profile: RoleProfile, start: float, later: float) -> float:
    """Share of those entering a stage on day ``start`` of the drop-out clock who are still
    in process ``later`` days into it (when a role's work on the stage starts)."""
    return survival(profile, start + later) / survival(profile, start) if later > 0 else 1.0


def per_hire(steps: list[Step]) -> list[float]:
    """Decided visits of each step per hire (backwards: the offer first, then upstream).

    A step's decided visits are those its passes must feed into the next step, divided by
    its pass rate; the visits entering it are its decided visits divided by its survival
    (those who drop out while in it are never decided)."""
    counts, needed = [], 1.0  # needed: visits that must enter the step after this one
    for step in reversed(steps):
        needed = needed / step.pass_rate if step.pass_rate > 0 else math.inf
        counts.append(needed)
        needed = needed / step.survival if step.survival > 0 else math.inf
    return counts[::-1]


def entering_per_hire(steps: list[Step]) -> list[float]:
    """Visits entering each step per hire: decided visits plus those that drop out in it."""
    return [n / s.survival if s.survival > 0 else math.inf
            for n, s in zip(per_hire(steps), steps, strict=True)]


def inbound_share(scenario: Scenario, profile: RoleProfile) -> float:
    """Share of a profile's hires the planner expects from applicants (module docstring)."""
    def yield_per_week(source: str, per_week: float) -> float:
        counts = entering_per_hire(source_steps(scenario, profile, source))
        return per_week / counts[0] if counts[0] not in (0.0, math.inf) else 0.0

    team = scenario.team
    people = team.sourcers if team.structure == "split" else team.recruiters
    sources = people is not None and (people.unlimited or people.headcount > 0)
    sourced = yield_per_week("sourced", scenario.outreach.prospects_per_req_per_week
                             if sources else 0.0)
    inbound = yield_per_week("inbound", profile.inbound.applications_per_week)
    return 1.0 if inbound + sourced == 0 else inbound / (inbound + sourced)


@dataclass
class PlannerView:
    """The reverse funnel per month: what the plan needs, before any simulation."""

    months: list[calendar.Month]
    hires: list[float]  # hires needed, by target month
    reqs: list[float]  # reqs opening in the month
    stages: dict[tuple[str, str], list[float]]  # (source, stage) -> decided visits by month
    labels: dict[tuple[str, str], str]
    hours: dict[str, list[float]]  # role -> hours needed by month (recurring work included)
    capacity: dict[str, list[float]]  # role -> productive hours in the month (nan: unlimited)
    recurring: dict[str, list[float]] = field(default_factory=dict)  # role -> of which recurring
    dropouts: list[float] = field(default_factory=list)  # visits ended by drop-out, by month

    def totals(self) -> dict[tuple[str, str], float]:
        """Decided visits per (source, stage) over the whole plan inside the horizon."""
        return {key: sum(values) for key, values in self.stages.items()}


def per_req_hours(scenario: Scenario) -> dict[str, float]:
    """Recurring hours per open req per week, by role (``workload``; docs/model.md 2.10):
    the recruiter's, plus the sourcer's for a combined recruiter; a split team's sourcers
    pay theirs. Unlimited pools pay none (as in the simulation)."""
    w, team = scenario.workload, scenario.team
    split = team.structure == "split"
    out = {}
    if not team.recruiters.unlimited:
        out["recruiter"] = w.recruiter_hours_per_req_per_week + (
            0.0 if split else w.sourcer_hours_per_req_per_week)
    s = team.sourcers
    if split and s is not None and not s.unlimited and s.headcount > 0:
        out["sourcer"] = w.sourcer_hours_per_req_per_week
    return {role: hours for role, hours in out.items() if hours > 0}


def planner_view(scenario: Scenario) -> PlannerView:
    """The reverse funnel of the scenario's plan, month by month.

    Each plan row (or, without a plan, each req: one hire per position, wanted
    ``DEFAULT_LEAD_DAYS`` after it opens) needs its funnel work spread evenly over the
    days from its reqs' opening to its target start; work after the horizon is left out.
    Each req is taken to be open over that same span, and pays the recurring hours per
    open req for each of its weeks (``per_req_hours``).
    """
    from hiresim.months import role_capacity_hours, scenario_months

    table = scenario_months(scenario)
    n = len(table)
    view = PlannerView(table, [0.0] * n, [0.0] * n, {}, {}, {r: [0.0] * n for r in ROLES},
                       {r: [role_capacity_hours(scenario, r, m.end_day - m.first_day)
                            for m in table] for r in ROLES},
                       {r: [0.0] * n for r in ROLES}, [0.0] * n)
    intake = scenario.effort.intake_hours.mean
    upkeep = per_req_hours(scenario)
    for profile in scenario.profiles:
        share = inbound_share(scenario, profile)
        for count, reqs, open_day, target_day in _demand(profile):
            opened = calendar.month_of_day(open_day, table)
            if opened is not None:
                view.reqs[opened] += reqs
                view.hours["recruiter"][opened] += reqs * intake
            target = calendar.month_of_day(target_day, table)
            if target is not None:
                view.hires[target] += count
            spread = _spread(open_day, target_day, table)
            weeks = max(0.0, target_day - open_day) / 7.0
            for role, per_week in upkeep.items():
                for m, part in spread:
                    view.hours[role][m] += reqs * per_week * weeks * part
                    view.recurring[role][m] += reqs * per_week * weeks * part
            for source, weight in (("inbound", share), ("sourced", 1.0 - share)):
                if weight == 0:
                    continue
                _add_source(view, source, source_steps(scenario, profile, source),
                            count * weight, spread)
    return view


def _add_source(view: PlannerView, source: str, steps: list[Step], hires: float,
                spread: list[tuple[int, float]]) -> None:
    """Add the visits, drop-outs and hours of ``hires`` from one source, spread over months."""
    n = len(view.months)
    for step, visits, entering in zip(steps, per_hire(steps), entering_per_hire(steps),
                                      strict=True):
        key = (source, step.stage)
        view.labels.setdefault(key, step.label)
        row = view.stages.setdefault(key, [0.0] * n)
        for name, per_visit in step.also.items():
            view.labels.setdefault((source, name), name)
            extra = view.stages.setdefault((source, name), [0.0] * n)
            for m, part in spread:
                extra[m] += hires * visits * part * per_visit
        for m, part in spread:
            row[m] += hires * visits * part
            view.dropouts[m] += hires * (entering - visits) * part
            for role, hours in step.hours.items():
                view.hours[role][m] += hires * visits * part * hours
            for role, hours in step.recurring.items():
                view.hours[role][m] += hires * visits * part * hours
                view.recurring[role][m] += hires * visits * part * hours


def _demand(profile: RoleProfile) -> list[tuple[float, float, float, float]]:
    """(hires, reqs, open day, target day) of a profile: its plan rows, or one per req."""
    o = profile.openings
    if o.plan is not None:
        return [(e.count, e.count, e.open_day, e.target_day) for e in o.plan]
    from hiresim.hiring_plan import even_open_days

    positions = 1 if o.positions_per_req == "unlimited" else o.positions_per_req
    days = even_open_days(o.count, o.first_day, o.last_day)  # random spacing: its mean spread
    return [(float(positions), 1.0, day, day + DEFAULT_LEAD_DAYS) for day in days]


def _spread(first: float, last: float, table: list[calendar.Month]) -> list[tuple[int, float]]:
    """Shares of the span ``[first, last]`` in each month (all in one month if empty)."""
    if last <= first:
        m = calendar.month_of_day(first, table)
        return [] if m is None else [(m, 1.0)]
    out = []
    for month in table:
        overlap = min(last, month.end_day) - max(first, month.first_day)
        if overlap > 0:
            out.append((month.index, overlap / (last - first)))
    return out


def planner_lines(view: PlannerView) -> list[str]:
    """The planner's view as aligned text (``hiresim plan FILE``): per month the hires
    needed, the decided visits of the main stages (both sources together), and the hours
    each role needs with their share of its productive hours."""
    columns = [("offers", ("offer",))]
    rounds = [stage for (_, stage) in view.stages
              if stage not in _NOT_ROUNDS and stage not in ("offer", "debrief")]
    columns += [(f"{stage}s", (stage,)) for stage in dict.fromkeys(reversed(rounds))]
    columns += [("screens", ("screen",)), ("applications", ("application_review",)),
                ("replies", ("replies",)), ("prospects", ("outreach",))]
    columns = [(name, stages) for name, stages in columns
               if any(k[1] in stages for k in view.stages)]
    head = ["month", "reqs", "hires", *(name for name, _ in columns), *(f"{r} h" for r in ROLES)]
    rows = []
    for m, month in enumerate(view.months):
        cells = [month.label, f"{view.reqs[m]:.0f}", f"{view.hires[m]:.0f}"]
        for _, stages in columns:
            cells.append(f"{sum(v[m] for k, v in view.stages.items() if k[1] in stages):.1f}")
        cells += [f"{view.hours[r][m]:.0f} ({_load(view.hours[r][m], view.capacity[r][m])})"
                  for r in ROLES]
        rows.append(cells)
    widths = [max(len(c) for c in col) for col in zip(head, *rows, strict=True)]
    return ["  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True))
            for line in (head, *rows)]


_NOT_ROUNDS = {"outreach", "qualification", "handoff", "application_review", "screen",
               "replies"}


def _load(hours: float, capacity: float) -> str:
    if capacity != capacity:  # nan: unlimited
        return "-"
    if capacity == 0:
        return "-" if hours == 0 else "no one"
    return f"{hours / capacity:.0%}"
