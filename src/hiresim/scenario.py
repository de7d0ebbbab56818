"""Scenario: the typed, validated, frozen description of one hiring team and its plan.

A scenario is read from YAML once (``hiresim.scenario_files.load_scenario``), validated
here (``validate_document``), and never mutated afterwards: variants are copies
(``scenario.model_copy(update=...)``). Every field carries its unit in its name (``*_days``
are calendar days, ``*_hours`` are hours of a person's effort, ``*_per_week`` are rates per
calendar week, money is in the scenario's currency per year unless the name says
otherwise). Probabilities are plain fractions in [0, 1].

Sections:

- ``simulation``: horizon, warm-up, default replications and seed.
- ``team``: the structure (``combined`` full-cycle recruiters, ``split`` sourcers plus
  recruiters, or ``hybrid``: full-cycle recruiters plus sourcers), head counts, productive
  hours, req loads, salaries, the handoff, how well each role sources (specialisation),
  pods, lead routing and recruiting coordinators.
- ``effort``: hours of a person's time per activity.
- ``outreach``: the sourcing sequence (touches, reply timing, prospects per req per week).
- ``workload``: recurring hours per open req and per candidate in process.
- ``candidates``: candidate behaviour (patience, offer response, acceptance decay, talent
  pool).
- ``costs``: external costs (job ads, other fees).
- ``team_changes``: TA staff who join during the plan, ramp-up, attrition and backfill.
- ``agencies``: external providers (agency or RPO) per profile or as overflow, with fees.
- ``profiles``: the hiring plan, one role profile per kind of opening, each with its talent
  market (inbound applicants, sourced reply and interest rates, stage pass rates, offer
  acceptance) and its interviewer capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hiresim.calendar import CalendarError, parse_start_date, resolve_opening_dates
from hiresim.distributions import DistributionSpec, Fixed, Lognormal, Triangular
from hiresim.scenario_base import (
    MAX_MAGNITUDE,
    MAX_SEED,
    Count,
    NonNegative,
    Positive,
    Probability,
    Rate,
    Unlimited,
    _Spec,
)
from hiresim.scenario_changes import Agency, TeamChanges
from hiresim.scenario_messages import FieldProblem, problems_from_validation_error
from hiresim.scenario_problems import ScenarioError, YamlDocument

# --------------------------------------------------------------------------- simulation


class Simulation(_Spec):
    """Run settings. Days are calendar days from the start of the plan (day 0), which is
    ``start_date`` when given (an ISO date; dates and months elsewhere need it)."""

    horizon_days: Positive = 365.0
    warmup_days: NonNegative = 0.0
    new_candidates_until_day: NonNegative | None = None
    replications: Annotated[int, Field(ge=1)] = 100
    # below 2**63: result tables store the seed as a 64-bit integer
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = 20261126
    # share of reqs filled within this many days of opening (reqs opened at least this
    # long before the horizon): a fill rate the horizon does not cap
    fill_window_days: Positive = 90.0
    start_date: str | None = None  # ISO date of day 0, e.g. 2027-01-01 (hiresim.calendar)

    @model_validator(mode="after")
    def _start_date_is_a_date(self) -> Simulation:
        if self.start_date is not None:
            try:
                parse_start_date(self.start_date)
            except CalendarError as err:
                raise FieldProblem(("start_date",), str(err)) from None
        return self

    @model_validator(mode="after")
    def _warmup_inside_horizon(self) -> Simulation:
        if self.warmup_days >= self.horizon_days:
            raise FieldProblem(("warmup_days",),
                f"warmup_days ({self.warmup_days:g}) must be shorter than "
                f"horizon_days ({self.horizon_days:g})"
            )
        return self


# --------------------------------------------------------------------------- team


class StaffRole(_Spec):
    """A group of people in one role with the same hours, load limit and cost."""

    count: Count | Unlimited
    # 0 hours: nobody works (a sourcer at 0 hours is no sourcer); recruiters need hours > 0
    hours_per_week: NonNegative = 32.0
    max_reqs: Annotated[int, Field(ge=1)] | None = None
    annual_salary: NonNegative = 0.0
    tool_seat_per_year: NonNegative = 0.0

    @property
    def unlimited(self) -> bool:
        return self.count == "unlimited"

    @property
    def headcount(self) -> int:
        """People on payroll (an unlimited pool is a modelling device and costs nothing;
        people at 0 hours a week are not there)."""
        if self.count == "unlimited" or self.hours_per_week == 0:
            return 0
        return int(self.count)


class SourcingSkill(_Spec):
    """How well one role sources, relative to the profile's market figures.

    ``reply_rate_multiplier`` scales the profile's ``sourced.reply_rate`` for outreach sent by
    this role; ``outreach_hours_multiplier`` scales the hours of outreach and follow-ups.
    """

    reply_rate_multiplier: NonNegative = 1.0
    outreach_hours_multiplier: Positive = 1.0


class Handoff(_Spec):
    """The split-role handoff of a qualified lead from sourcer to recruiter."""

    sourcer_hours: DistributionSpec = Fixed(dist="fixed", value=0.25)
    recruiter_hours: DistributionSpec = Fixed(dist="fixed", value=0.25)
    delay_days: DistributionSpec = Fixed(dist="fixed", value=1.0)
    context_loss: Probability = 0.05


def _default_recruiter_skill() -> SourcingSkill:
    return SourcingSkill(reply_rate_multiplier=0.8, outreach_hours_multiplier=1.25)


class Team(_Spec):
    """Who does the work: full-cycle recruiters (combined), sourcers plus recruiters (split),
    or full-cycle recruiters who still source plus sourcers feeding them (hybrid).

    The hybrid and pod options (``lead_routing``, ``sourcer_assignment``,
    ``recruiter_sourcing``) and ``coordinators`` are wired by ``hiresim.model.structures``.
    """

    structure: Literal["combined", "hybrid", "split"]
    work_queue: Literal["per_owner", "shared"] = "per_owner"
    recruiters: StaffRole
    sourcers: StaffRole | None = None
    benefits_load: Annotated[float, Field(ge=1.0)] = 1.45
    task_switch_hours: DistributionSpec = Fixed(dist="fixed", value=0.0)
    sourcer_skill: SourcingSkill = SourcingSkill()
    recruiter_skill: SourcingSkill = Field(default_factory=_default_recruiter_skill)
    handoff: Handoff = Handoff()
    pipeline_ahead_days: NonNegative = 0.0
    # -- hybrid teams, pods and coordinators (issue 16; defaults keep older files unchanged)
    coordinators: StaffRole | None = None
    lead_routing: Literal["req_recruiter", "pooled"] = "req_recruiter"
    sourcer_assignment: Literal["pooled", "pods"] = "pooled"
    recruiter_sourcing: Literal["when_idle", "share"] = "when_idle"
    recruiter_sourcing_share: Probability = 0.25

    @model_validator(mode="after")
    def _roles_match_structure(self) -> Team:
        if self.structure in ("split", "hybrid"):
            if self.sourcers is None:
                raise FieldProblem(("structure",),
                                   f"a {self.structure} team needs a 'sourcers' section")
        else:
            if self.sourcers is not None and self.sourcers.count not in (0,):
                raise FieldProblem(("sourcers",),
                    "a combined team has no sourcers: remove 'sourcers' or use structure: "
                    "hybrid (recruiters who still source) or split"
                )
            if self.pipeline_ahead_days > 0:
                raise FieldProblem(("pipeline_ahead_days",),
                                   "pipeline_ahead_days needs sourcers (structure: split "
                                   "or hybrid)")
        if self.recruiters.count == 0:
            raise FieldProblem(("recruiters", "count"),
                               "the team needs at least one recruiter (count >= 1)")
        if self.recruiters.hours_per_week == 0:
            raise FieldProblem(("recruiters", "hours_per_week"),
                               "recruiters need hours_per_week above 0")
        if self.sourcer_assignment == "pods" and self.structure != "combined":
            if self.recruiters.unlimited or (self.sourcers is not None
                                             and self.sourcers.unlimited):
                raise FieldProblem(("sourcer_assignment",),
                                   "pods need counted recruiters and sourcers, not 'unlimited'")
            if self.pipeline_ahead_days > 0:
                raise FieldProblem(("sourcer_assignment",),
                                   "pods pick a req's sourcer by its recruiter: "
                                   "pipeline_ahead_days must be 0")
        if self.coordinators is not None and self.coordinators.unlimited:
            raise FieldProblem(("coordinators", "count"),
                               "coordinators need a number, not 'unlimited'")
        return self

    @property
    def sourcing_role(self) -> Literal["sourcer", "recruiter"]:
        return "sourcer" if self.structure == "split" else "recruiter"

    @property
    def has_sourcers(self) -> bool:
        """Are there dedicated sourcers who work (split or hybrid, count and hours > 0)?"""
        s = self.sourcers
        return (self.structure != "combined" and s is not None and s.hours_per_week > 0
                and (s.unlimited or s.headcount > 0))


# --------------------------------------------------------------------------- activities


class Effort(_Spec):
    """Hours of a person's productive time per activity (one candidate or one req)."""

    intake_hours: DistributionSpec = Triangular(dist="triangular", low=1.0, mode=1.5, high=3.0)
    outreach_hours: DistributionSpec = Triangular(
        dist="triangular", low=0.1, mode=0.2, high=0.4
    )
    follow_up_hours: DistributionSpec = Fixed(dist="fixed", value=0.05)
    qualification_call_hours: DistributionSpec = Fixed(dist="fixed", value=0.5)
    application_review_hours: DistributionSpec = Fixed(dist="fixed", value=0.1)
    screen_hours: DistributionSpec = Fixed(dist="fixed", value=0.75)
    scheduling_hours: DistributionSpec = Fixed(dist="fixed", value=0.5)
    debrief_hours: DistributionSpec = Fixed(dist="fixed", value=0.5)
    offer_hours: DistributionSpec = Fixed(dist="fixed", value=2.0)


class Workload(_Spec):
    """Recurring work that exists whatever the candidate flow, in hours per calendar week.

    Per open req a person holds (hiring-manager syncs, pipeline reviews, reporting, ATS
    admin; for sourcers calibration syncs and search maintenance), and per candidate in
    process from the screen on (scheduling messages, updates, rejections). A combined
    recruiter does both jobs and pays the recruiter and the sourcer hours per req. The
    defaults are the calibrated values of docs/model.md 2.10 (assumptions that put recruiter
    utilisation at 75-90% on the reference scenarios); zero leaves an item out.
    """

    recruiter_hours_per_req_per_week: NonNegative = 1.0
    recruiter_hours_per_candidate_per_week: NonNegative = 0.4
    sourcer_hours_per_req_per_week: NonNegative = 0.5


class Outreach(_Spec):
    """The outbound sequence a sourcing person runs for each prospect."""

    touches: Annotated[int, Field(ge=1, le=10)] = 3
    touch_gap_days: DistributionSpec = Fixed(dist="fixed", value=4.0)
    reply_share_by_touch: list[Probability] = Field(default_factory=lambda: [0.5, 0.35, 0.15])
    reply_delay_days: DistributionSpec = Lognormal(dist="lognormal", median=1.0, p90=4.0)
    prospects_per_req_per_week: Rate = 20.0
    max_active_per_req: Annotated[int, Field(ge=1)] | None = 6

    @model_validator(mode="after")
    def _shares_fit_touches(self) -> Outreach:
        if len(self.reply_share_by_touch) != self.touches:
            raise FieldProblem(("reply_share_by_touch",),
                f"reply_share_by_touch has {len(self.reply_share_by_touch)} entries "
                f"but touches is {self.touches}"
            )
        total = sum(self.reply_share_by_touch)
        if abs(total - 1.0) > 1e-6:
            raise FieldProblem(("reply_share_by_touch",),
                               f"reply_share_by_touch must sum to 1 (it sums to {total:g})")
        return self


class CandidateBehaviour(_Spec):
    """What candidates do on their own: lose patience, take time to answer offers."""

    patience_days: DistributionSpec | None = Lognormal(dist="lognormal", median=21.0, p90=45.0)
    offer_response_days: DistributionSpec = Fixed(dist="fixed", value=3.0)
    acceptance_grace_days: NonNegative = 30.0
    acceptance_drop_per_week: Probability = 0.02
    # talent pool: late-stage candidates closed out when a req fills may be re-engaged for
    # the next req of their profile, with probability rate x 0.5 ** (days in pool / half-life)
    # (0.2: calibrated assumption, docs/model.md 4.10; 0 switches the pool off)
    pool_reengage_rate: Probability = 0.2
    pool_half_life_days: Positive = 90.0


class Costs(_Spec):
    """External costs (ANSI/SHRM): job ads per req per 30 days of advertising, other fees."""

    job_ad_per_req_per_month: NonNegative = 300.0
    other_external_per_year: NonNegative = 0.0


# --------------------------------------------------------------------------- hiring plan


class PlanEntry(_Spec):
    """One row of a hiring plan (``hiresim.hiring_plan``): ``count`` hires of the profile
    wanted by ``target`` (a month or date as written; ``target_day`` in days), whose reqs
    open on ``open_day``. ``priority`` is carried to the results; the model does not use it."""

    count: Annotated[int, Field(ge=1)]
    target: str
    target_day: NonNegative
    open_day: NonNegative
    priority: int | None = None
    row: Annotated[int, Field(ge=1)] = 1  # line of the plan file (for messages)


class Openings(_Spec):
    """When a profile's reqs open: ``count`` reqs between ``first_day`` and ``last_day``
    (days), or between ``from`` and ``to`` (dates or months, with
    ``simulation.start_date``), or on the days of a hiring plan's rows (``plan``)."""

    model_config = ConfigDict(populate_by_name=True)

    count: Annotated[int, Field(ge=1, le=MAX_MAGNITUDE)]
    first_day: NonNegative = 0.0
    last_day: NonNegative = 0.0
    spacing: Literal["even", "random"] = "even"
    positions_per_req: Annotated[int, Field(ge=1)] | Unlimited = 1
    from_: str | None = Field(default=None, alias="from")  # a month opens on its first day
    to: str | None = None  # a month ends on its last day
    plan: list[PlanEntry] | None = None

    @model_validator(mode="after")
    def _window(self) -> Openings:
        if self.last_day < self.first_day:
            raise FieldProblem(("last_day",),
                f"last_day ({self.last_day:g}) is before first_day ({self.first_day:g})"
            )
        if self.plan is not None:
            planned = sum(e.count for e in self.plan)
            if planned != self.count:
                raise FieldProblem(("count",), f"count ({self.count}) differs from the "
                                               f"plan's hires ({planned})")
        return self

    def planned_open_days(self) -> list[float]:
        """The open day of each req of a plan (``plan``), in plan order."""
        return [e.open_day for e in self.plan or () for _ in range(e.count)]


class InboundMarket(_Spec):
    """Applicants: a Poisson stream per open, advertised req."""

    applications_per_week: Rate = 10.0
    reviewed: bool = True
    review_pass_rate: Probability = 0.2


class SourcedMarket(_Spec):
    """Passive talent reached by outreach; rates are for a dedicated sourcer's outreach."""

    reply_rate: Probability = 0.3
    interest_rate: Probability = 0.5
    qualify_rate: Probability = 0.7
    # a finite market: addressable prospects of the profile (None: unlimited); a contacted
    # prospect can be contacted again only after recontact_after_days
    market_size: Annotated[int, Field(ge=1)] | None = None
    recontact_after_days: NonNegative = 180.0


class InterviewRound(_Spec):
    """One round of the interview loop: scheduled by a recruiter, held by interviewers.

    ``panel_size`` interviewers each give ``interviewer_hours`` to the candidate, in
    parallel (e.g. an onsite of four one-hour interviews); the round is over when the last
    of them is done.
    """

    name: Annotated[str, Field(min_length=1)]
    pass_rate: Probability
    interviewer_hours: DistributionSpec = Fixed(dist="fixed", value=1.0)
    panel_size: Annotated[int, Field(ge=1, le=20)] = 1
    lead_days: DistributionSpec = Fixed(dist="fixed", value=3.0)


class Interviewers(_Spec):
    """The hiring manager and interviewers of one profile: hours they can give per week."""

    count: Count | Unlimited = 6
    hours_per_week: Positive = 4.0
    hourly_cost: NonNegative = 100.0
    # fluid: interview hours spread over the week (a queue per profile); slots: each
    # interviewer offers weekly slots and interviews are booked into the next free ones
    scheduling: Literal["fluid", "slots"] = "slots"
    slots_per_week: Annotated[int, Field(ge=1)] | None = None  # None: hours / slot length
    panel_window_days: NonNegative = 2.0  # a panel's slots all fall within this window


class Dropout(_Spec):
    """Candidates leave the process at a hazard that rises with time since they engaged.

    Survival in process after ``w`` weeks is ``exp(-hazard_per_week * w ** shape)``
    (Weibull); ``shape`` > 1 makes the weekly hazard rise (competing offers). The default
    0.05 is calibrated to the published 10-30% of candidates in process who withdraw
    (docs/model.md 4.9); zero ``hazard_per_week`` switches it off.
    """

    hazard_per_week: NonNegative = 0.05
    shape: Positive = 1.5


class RoleProfile(_Spec):
    """One kind of opening in the hiring plan, with its talent market and interviewers."""

    name: Annotated[str, Field(min_length=1)]
    openings: Openings
    annual_salary: NonNegative = 150_000.0
    inbound: InboundMarket = InboundMarket()
    sourced: SourcedMarket = SourcedMarket()
    screen_pass_rate: Probability = 0.5
    interview_rounds: list[InterviewRound] = Field(
        default_factory=lambda: [
            InterviewRound(name="technical", pass_rate=0.5),
            InterviewRound(name="onsite", pass_rate=0.6, panel_size=4),
        ]
    )
    decision_pass_rate: Probability = 0.8
    offer_acceptance: Probability = 0.84
    # acceptance points lost per week beyond the grace period (None: candidates' value)
    acceptance_drop_per_week: Probability | None = None
    dropout: Dropout = Dropout()
    interviewers: Interviewers = Interviewers()

    @property
    def interview_slot_hours(self) -> float:
        """Length of one interview slot: the longest round's mean interviewer hours."""
        return max((r.interviewer_hours.mean for r in self.interview_rounds), default=1.0)

    @property
    def interview_slots_per_week(self) -> int:
        """Slots one interviewer offers a week: as stated, else hours / slot length (>= 1)."""
        iv = self.interviewers
        if iv.slots_per_week is not None:
            return iv.slots_per_week
        slot = self.interview_slot_hours
        if slot <= 0.0:  # interviews that take no interviewer time: nothing to book
            return 1
        return max(1, int(iv.hours_per_week / slot + 1e-9))


# --------------------------------------------------------------------------- team changes


# --------------------------------------------------------------------------- agencies


class Scenario(_Spec):
    """One team and one hiring plan: everything a replication needs."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    simulation: Simulation = Simulation()
    team: Team
    effort: Effort = Effort()
    outreach: Outreach = Outreach()
    workload: Workload = Workload()
    candidates: CandidateBehaviour = CandidateBehaviour()
    costs: Costs = Costs()
    profiles: Annotated[list[RoleProfile], Field(min_length=1)]
    team_changes: TeamChanges = TeamChanges()
    agencies: list[Agency] = Field(default_factory=list)
    plan: str | None = None  # the hiring plan file the openings came from (hiresim.hiring_plan)
    # the parent's profiles a variant's own profiles list leaves out on purpose (no warning)
    profiles_left_out: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _dates_to_days(cls, data: Any) -> Any:
        """Openings given by date or month (``from``/``to``) get their day numbers."""
        return resolve_opening_dates(data)

    @model_validator(mode="after")
    def _unique_profiles(self) -> Scenario:
        names = [p.name for p in self.profiles]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise FieldProblem(("profiles", i, "name"),
                                   f"profile name '{name}' is used twice; names must be unique")
        for i, name in enumerate(self.profiles_left_out):
            if name in names:
                raise FieldProblem(("profiles_left_out", i), f"profile '{name}' is in the "
                                   "plan; list only profiles this file leaves out on purpose")
        return self

    @model_validator(mode="after")
    def _agencies_and_joiners_fit(self) -> Scenario:
        names = [p.name for p in self.profiles]
        seen: list[str] = []
        for i, agency in enumerate(self.agencies):
            if agency.name in seen:
                raise FieldProblem(("agencies", i, "name"),
                                   f"agency name '{agency.name}' is used twice")
            seen.append(agency.name)
            for j, profile in enumerate(agency.profiles):
                if profile not in names:
                    raise FieldProblem(("agencies", i, "profiles", j),
                        f"agency {agency.name} names profile '{profile}', which is not in "
                        f"the plan ({', '.join(names)})")
        team = self.team
        for i, joiner in enumerate(self.team_changes.joiners):
            spec = {"recruiter": team.recruiters, "coordinator": team.coordinators,
                    "sourcer": team.sourcers if team.structure != "combined" else None
                    }[joiner.role]
            if spec is None or spec.unlimited:
                raise FieldProblem(("team_changes", "joiners", i, "role"),
                    f"a joining {joiner.role} needs a counted 'team.{joiner.role}s' section "
                    "(and sourcers need structure: hybrid or split)")
        return self

    @model_validator(mode="after")
    def _can_make_progress(self) -> Scenario:
        """Refuse plans in which no candidate could ever be hired (instead of a silent run)."""
        team = self.team
        people = team.has_sourcers if team.structure == "split" else True  # recruiters source
        sourcing = self.outreach.prospects_per_req_per_week > 0 and people

        for i, profile in enumerate(self.profiles):
            if profile.interview_rounds and profile.interviewers.count == 0:
                raise FieldProblem(("profiles", i, "interviewers", "count"),
                    f"{profile.name} has interview rounds but no interviewers: "
                    "no candidate could ever be interviewed, so the run could make no progress"
                )
            agency = any(a.capacity_per_month > 0 and (not a.profiles or profile.name in
                                                         a.profiles) for a in self.agencies)
            if not sourcing and not agency and profile.inbound.applications_per_week == 0:
                raise FieldProblem(("profiles", i, "inbound", "applications_per_week"),
                    f"{profile.name} gets no candidates: no applicants and no sourcing "
                    "(outreach.prospects_per_req_per_week is 0 or nobody sources), so the run "
                    "could make no progress"
                )
        return self

    @property
    def recruiter_count(self) -> int:
        return self.team.recruiters.headcount

    @property
    def sourcer_count(self) -> int:
        return self.team.sourcers.headcount if self.team.sourcers else 0

    @property
    def coordinator_count(self) -> int:
        return self.team.coordinators.headcount if self.team.coordinators else 0

    @property
    def ta_headcount(self) -> int:
        """Recruiters + sourcers + coordinators on payroll, joiners included."""
        return (self.recruiter_count + self.sourcer_count + self.coordinator_count
                + len(self.team_changes.joiners))


ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_document(doc: YamlDocument, model: type[ModelT],
                      data: Mapping[str, Any] | None = None) -> ModelT:
    """Validate ``data`` (by default the document's own) into ``model``.

    Raises ScenarioError with one line per problem, located in ``doc`` (the file the data
    was read from, even when ``data`` is that file's data with overrides applied).
    """
    try:
        return model.model_validate(doc.data if data is None else data)
    except ValidationError as err:
        raise ScenarioError(problems_from_validation_error(err, doc, model)) from None


def scenario_from_dict(data: dict, source: str = "<scenario>") -> Scenario:
    """Validate plain data (as from YAML) into a Scenario; raise ScenarioError on problems.

    Problems are reported at line 1 of ``source``, as plain data has no line numbers.
    """
    return validate_document(YamlDocument(file=source, data=data, positions={(): (1, 1)}),
                             Scenario)


# Optional fields added after the first scenario files are left out of the resolved
# scenario while unset, so that the resolved file (and its fingerprint) of a scenario that
# does not use them stays what it was.
def scenario_to_dict(scenario: Scenario) -> dict:
    """The fully resolved scenario (every default filled in) as plain data for YAML/JSON."""
    data = scenario.model_dump(mode="json", by_alias=True)
    for key in ("plan",):
        if data.get(key) is None:
            data.pop(key, None)
    if data["simulation"].get("start_date") is None:
        data["simulation"].pop("start_date", None)
    for profile in data["profiles"]:
        for key in ("from", "to", "plan"):
            if profile["openings"].get(key) is None:
                profile["openings"].pop(key, None)
    return data
