"""The planner's view: the deterministic reverse funnel a TA leader builds in a spreadsheet.

From the hires the plan needs, work backwards through the scenario's pass rates to the
candidates each stage must **decide** (pass or fail), and from the efforts to the hours
each role must give; then place that work in the months between each req's opening and
its target start. No simulation, no randomness: ``hiresim plan FILE`` answers at once.

Per hire, with ``p`` the pass rates of the stages after a given one::

    offers     = hires / offer_acceptance
    debriefs   = offers / decision_pass_rate
    round k    = (next stage) / pass_rate of round k        (last round first)
    screens    = (first round) / screen_pass_rate           (x (1 - context_loss), split)
    inbound:  reviews = screens / review_pass_rate           (if applications are reviewed)
    sourced:  qualification calls = screens (or handoffs) / qualify_rate,
              replies = calls / interest_rate,
              prospects = replies / (reply_rate x the sourcing role's reply multiplier)

Hires are shared between applicants and sourced prospects in proportion to the hires per
week each source would yield for an open req (applications per week x the applicant's
chance to be hired, against prospects per week x the prospect's), an assumption the
simulation does not make: there the first good candidate of either source fills the req.

Hours per role are the mean effort of every decided visit (``effort.*``; interview rounds:
``panel_size x interviewer_hours`` for interviewers and ``scheduling_hours`` for the
recruiter; outreach: the first message plus the expected follow-up touches, times the
sourcing role's hours multiplier; one intake per req). Task switching is left out.

What the arithmetic leaves out, and so why the simulation differs (shown side by side in
the report): **queues** (work waits for busy people, so hires come later and patience
runs out), **drop-out** (candidates who withdraw while waiting, and offer acceptance that
falls with time), **close-outs** (candidates still in process when their req fills: work
done that yields no hire, so the simulation decides more candidates per hire), and
**variability** (the plan is met in some replications and missed in others). With an
unlimited team, no patience limit and no acceptance decay, the simulation's mean decided
visits per stage match these counts up to close-outs (tests/test_reverse_funnel.py).

The rates are read in one place, ``source_steps``: a new rate of the model (e.g. a
drop-out probability per stage) is one more factor in a step's ``pass_rate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hiresim import calendar
from hiresim.hiring_plan import DEFAULT_LEAD_DAYS
from hiresim.scenario import RoleProfile, Scenario

ROLES = ("recruiter", "sourcer", "interviewer")


@dataclass(frozen=True)
class Step:
    """One stage a candidate must pass, as the planner sees it."""

    stage: str  # the stage name of the simulation's funnel table
    label: str  # plural noun for people ("screens")
    pass_rate: float
    hours: dict[str, float] = field(default_factory=dict)  # role -> mean hours per visit
    also: dict[str, float] = field(default_factory=dict)  # other counts per visit: replies


def source_steps(scenario: Scenario, profile: RoleProfile, source: str) -> list[Step]:
    """The stages of one source (``inbound`` or ``sourced``) from entry to the offer, with
    the scenario's pass rates and mean efforts. Every model rate the planner uses is here."""
    e, team = scenario.effort, scenario.team
    split = team.structure == "split"
    sourcing_role = "sourcer" if split else "recruiter"
    skill = team.sourcer_skill if split else team.recruiter_skill
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
        steps.append(Step("qualification", "qualification calls", profile.sourced.qualify_rate,
                          {sourcing_role: e.qualification_call_hours.mean}))
        if split:
            steps.append(Step("handoff", "handoffs", 1.0, {
                "sourcer": team.handoff.sourcer_hours.mean,
                "recruiter": team.handoff.recruiter_hours.mean}))
        screen = profile.screen_pass_rate * (1 - team.handoff.context_loss if split else 1.0)
    else:
        if profile.inbound.reviewed:
            steps.append(Step("application_review", "applications",
                              profile.inbound.review_pass_rate,
                              {"recruiter": e.application_review_hours.mean}))
        screen = profile.screen_pass_rate
    steps.append(Step("screen", "screens", screen, {"recruiter": e.screen_hours.mean}))
    for rnd in profile.interview_rounds:
        steps.append(Step(rnd.name, f"{rnd.name} interviews", rnd.pass_rate, {
            "recruiter": e.scheduling_hours.mean,
            "interviewer": rnd.panel_size * rnd.interviewer_hours.mean}))
    steps.append(Step("debrief", "debriefs", profile.decision_pass_rate,
                      {"recruiter": e.debrief_hours.mean}))
    steps.append(Step("offer", "offers", profile.offer_acceptance,
                      {"recruiter": e.offer_hours.mean}))
    return steps


def per_hire(steps: list[Step]) -> list[float]:
    """Decided visits of each step per hire (backwards: the offer first, then upstream)."""
    counts, needed = [], 1.0
    for step in reversed(steps):
        needed = needed / step.pass_rate if step.pass_rate > 0 else float("inf")
        counts.append(needed)
    return counts[::-1]


def inbound_share(scenario: Scenario, profile: RoleProfile) -> float:
    """Share of a profile's hires the planner expects from applicants (module docstring)."""
    def yield_per_week(source: str, per_week: float) -> float:
        counts = per_hire(source_steps(scenario, profile, source))
        return per_week / counts[0] if counts[0] not in (0.0, float("inf")) else 0.0

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
    hours: dict[str, list[float]]  # role -> hours needed by month
    capacity: dict[str, list[float]]  # role -> productive hours in the month (nan: unlimited)

    def totals(self) -> dict[tuple[str, str], float]:
        """Decided visits per (source, stage) over the whole plan inside the horizon."""
        return {key: sum(values) for key, values in self.stages.items()}


def planner_view(scenario: Scenario) -> PlannerView:
    """The reverse funnel of the scenario's plan, month by month.

    Each plan row (or, without a plan, each req: one hire per position, wanted
    ``DEFAULT_LEAD_DAYS`` after it opens) needs its funnel work spread evenly over the
    days from its reqs' opening to its target start; work after the horizon is left out.
    """
    from hiresim.months import role_capacity_hours, scenario_months

    table = scenario_months(scenario)
    n = len(table)
    view = PlannerView(table, [0.0] * n, [0.0] * n, {}, {}, {r: [0.0] * n for r in ROLES},
                       {r: [role_capacity_hours(scenario, r, m.end_day - m.first_day)
                            for m in table] for r in ROLES})
    intake = scenario.effort.intake_hours.mean
    for profile in scenario.profiles:
        share = inbound_share(scenario, profile)
        for count, open_day, target_day in _demand(profile):
            opened = calendar.month_of_day(open_day, table)
            if opened is not None:
                view.reqs[opened] += count
                view.hours["recruiter"][opened] += count * intake
            target = calendar.month_of_day(target_day, table)
            if target is not None:
                view.hires[target] += count
            spread = _spread(open_day, target_day, table)
            for source, weight in (("inbound", share), ("sourced", 1.0 - share)):
                if weight == 0:
                    continue
                steps = source_steps(scenario, profile, source)
                for step, visits in zip(steps, per_hire(steps), strict=True):
                    key = (source, step.stage)
                    view.labels.setdefault(key, step.label)
                    row = view.stages.setdefault(key, [0.0] * n)
                    for name, per_visit in step.also.items():
                        view.labels.setdefault((source, name), name)
                        extra = view.stages.setdefault((source, name), [0.0] * n)
                        for m, part in spread:
                            extra[m] += count * weight * visits * part * per_visit
                    for m, part in spread:
                        row[m] += count * weight * visits * part
                        for role, hours in step.hours.items():
                            view.hours[role][m] += count * weight * visits * part * hours
    return view


def _demand(profile: RoleProfile) -> list[tuple[float, float, float]]:
    """(hires, open day, target day) of a profile: its plan rows, or one per req."""
    o = profile.openings
    if o.plan is not None:
        return [(e.count, e.open_day, e.target_day) for e in o.plan]
    from hiresim.hiring_plan import even_open_days

    positions = 1 if o.positions_per_req == "unlimited" else o.positions_per_req
    days = even_open_days(o.count, o.first_day, o.last_day)  # random spacing: its mean spread
    return [(float(positions), day, day + DEFAULT_LEAD_DAYS) for day in days]


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
