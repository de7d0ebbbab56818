"""Scenario: the typed, validated, frozen description of one hiring team and its plan.

A scenario is read from YAML once (``hiresim.scenario_files.load_scenario``), validated
here (``validate_document``), and never mutated afterwards: variants are copies
(``scenario.model_copy(update=...)``). Every field carries its unit in its name (``*_days``
are calendar days, ``*_hours`` are hours of a person's effort, ``*_per_week`` are rates per
calendar week, money is in the scenario's currency per year unless the name says
otherwise). Probabilities are plain fractions in [0, 1].

Sections:

- ``simulation``: horizon, warm-up, default replications and seed.
- ``team``: the structure (``combined`` full-cycle recruiters or ``split`` sourcers plus
  recruiters), head counts, productive hours, req loads, salaries, the handoff and how well
  each role sources (specialisation).
- ``effort``: hours of a person's time per activity.
- ``outreach``: the sourcing sequence (touches, reply timing, prospects per req per week).
- ``workload``: recurring hours per open req and per candidate in process.
- ``candidates``: candidate behaviour (patience, offer response, acceptance decay, talent
  pool).
- ``costs``: external costs (job ads, other fees).
- ``profiles``: the hiring plan, one role profile per kind of opening, each with its talent
  market (inbound applicants, sourced reply and interest rates, stage pass rates, offer
  acceptance) and its interviewer capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hiresim.distributions import DistributionSpec, Fixed, Lognormal, Triangular
from hiresim.scenario_messages import FieldProblem, problems_from_validation_error
from hiresim.scenario_problems import ScenarioError, YamlDocument

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Unlimited = Literal["unlimited"]
# Head counts, openings and rates above a million are refused outright: no hiring plan has
# them, and a number that size alone makes the model allocate beyond any machine (the
# workload check, hiresim.workload, judges the scenario as a whole before a run).
MAX_MAGNITUDE = 1_000_000
Count = Annotated[int, Field(ge=0, le=MAX_MAGNITUDE)]
Rate = Annotated[float, Field(ge=0.0, le=MAX_MAGNITUDE)]


MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers in the result tables


class _Spec(BaseModel):
    """Base for every scenario section: unknown keys are errors, values are strict."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- simulation


class Simulation(_Spec):
    """Run settings. Days are calendar days from the start of the plan (day 0)."""

    horizon_days: Positive = 365.0
    warmup_days: NonNegative = 0.0
    new_candidates_until_day: NonNegative | None = None
    replications: Annotated[int, Field(ge=1)] = 100
    # below 2**63: result tables store the seed as a 64-bit integer
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = 20261126
    # share of reqs filled within this many days of opening (reqs opened at least this
    # long before the horizon): a fill rate the horizon does not cap
    fill_window_days: Positive = 90.0

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
    hours_per_week: Positive = 32.0
    max_reqs: Annotated[int, Field(ge=1)] | None = None
    annual_salary: NonNegative = 0.0
    tool_seat_per_year: NonNegative = 0.0

    @property
    def unlimited(self) -> bool:
        return self.count == "unlimited"

    @property
    def headcount(self) -> int:
        """People on payroll (an unlimited pool is a modelling device and costs nothing)."""
        return 0 if self.count == "unlimited" else int(self.count)


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
    """Who does the work: full-cycle recruiters (combined) or sourcers plus recruiters (split)."""

    structure: Literal["combined", "split"]
    work_queue: Literal["per_owner", "shared"] = "per_owner"
    recruiters: StaffRole
    sourcers: StaffRole | None = None
    benefits_load: Annotated[float, Field(ge=1.0)] = 1.45
    task_switch_hours: DistributionSpec = Fixed(dist="fixed", value=0.0)
    sourcer_skill: SourcingSkill = SourcingSkill()
    recruiter_skill: SourcingSkill = Field(default_factory=_default_recruiter_skill)
    handoff: Handoff = Handoff()
    pipeline_ahead_days: NonNegative = 0.0

    @model_validator(mode="after")
    def _roles_match_structure(self) -> Team:
        if self.structure == "split":
            if self.sourcers is None:
                raise FieldProblem(("structure",), "a split team needs a 'sourcers' section")
        else:
            if self.sourcers is not None and self.sourcers.count not in (0,):
                raise FieldProblem(("sourcers",),
                    "a combined team has no sourcers: remove 'sourcers' or use structure: split"
                )
            if self.pipeline_ahead_days > 0:
                raise FieldProblem(("pipeline_ahead_days",),
                                   "pipeline_ahead_days needs sourcers (structure: split)")
        if self.recruiters.count == 0:
            raise FieldProblem(("recruiters", "count"),
                               "the team needs at least one recruiter (count >= 1)")
        return self

    @property
    def sourcing_role(self) -> Literal["sourcer", "recruiter"]:
        return "sourcer" if self.structure == "split" else "recruiter"


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


class Openings(_Spec):
    """When a profile's reqs open: ``count`` reqs between ``first_day`` and ``last_day``."""

    count: Annotated[int, Field(ge=1, le=MAX_MAGNITUDE)]
    first_day: NonNegative = 0.0
    last_day: NonNegative = 0.0
    spacing: Literal["even", "random"] = "even"
    positions_per_req: Annotated[int, Field(ge=1)] | Unlimited = 1

    @model_validator(mode="after")
    def _window(self) -> Openings:
        if self.last_day < self.first_day:
            raise FieldProblem(("last_day",),
                f"last_day ({self.last_day:g}) is before first_day ({self.first_day:g})"
            )
        return self


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

    @model_validator(mode="after")
    def _unique_profiles(self) -> Scenario:
        names = [p.name for p in self.profiles]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise FieldProblem(("profiles", i, "name"),
                                   f"profile name '{name}' is used twice; names must be unique")
        return self

    @model_validator(mode="after")
    def _can_make_progress(self) -> Scenario:
        """Refuse plans in which no candidate could ever be hired (instead of a silent run)."""
        sources = self.team.sourcers if self.team.structure == "split" else self.team.recruiters
        sourcing = self.outreach.prospects_per_req_per_week > 0 and sources is not None and (
            sources.count == "unlimited" or sources.count > 0)
        for i, profile in enumerate(self.profiles):
            if profile.interview_rounds and profile.interviewers.count == 0:
                raise FieldProblem(("profiles", i, "interviewers", "count"),
                    f"{profile.name} has interview rounds but no interviewers: "
                    "no candidate could ever be interviewed, so the run could make no progress"
                )
            if not sourcing and profile.inbound.applications_per_week == 0:
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


def scenario_to_dict(scenario: Scenario) -> dict:
    """The fully resolved scenario (every default filled in) as plain data for YAML/JSON."""
    return scenario.model_dump(mode="json")
