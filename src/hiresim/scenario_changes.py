"""Scenario sections for the team over the year and outside help: joiners with a ramp-up,
attrition with backfill (``team_changes``), and agencies or RPO providers (``agencies``).
Units as everywhere in scenarios: days are calendar days, rates are per year or per month
as their names say, shares are fractions in [0, 1]. The model's side is
``hiresim.model.team_changes`` and ``hiresim.model.agency``; docs/model.md 2.13 and 4.4a.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hiresim.scenario_base import NonNegative, Probability, _Spec


class Joiner(_Spec):
    """A TA hire who joins during the plan: their role, start day and ramp-up.

    ``ramp_days`` None takes ``team_changes.ramp_days``. They have the hours, load limit,
    salary and skill of their role's section, and are paid from their start day.
    """

    role: Literal["recruiter", "sourcer", "coordinator"]
    start_day: NonNegative
    ramp_days: NonNegative | None = None


class Attrition(_Spec):
    """TA staff who leave: a constant hazard per person, and the delay until a backfill.

    ``annual_rate`` is the expected leavers per person per year (0.2: about one in five
    a year leaves). A leaver finishes the task in hand; their reqs (and the work queued
    for them) go to the least-loaded colleague of the role, or wait for the backfill when
    there is none. The backfill starts ``backfill_days`` later and ramps up like a joiner.
    """

    annual_rate: NonNegative = 0.0
    backfill_days: NonNegative = 45.0


class TeamChanges(_Spec):
    """The team over the year: joiners, ramp-up and attrition (``hiresim.model.team_changes``).

    Productivity rises linearly from ``ramp_start_productivity`` on the start day to 1
    after ``ramp_days`` (a task started at productivity p takes 1/p times as long).
    ``hire_lead_days`` is how long a TA hire decided today takes to start: "what to buy
    next" in a sweep adds the extra person as a joiner on that day, with the ramp-up.
    """

    ramp_days: NonNegative = 90.0
    ramp_start_productivity: Annotated[float, Field(gt=0.0, le=1.0)] = 0.25
    hire_lead_days: NonNegative = 45.0
    joiners: list[Joiner] = Field(default_factory=list)
    attrition: Attrition = Attrition()

    @property
    def active(self) -> bool:
        """Does anything change over the year (joiners or attrition)?"""
        return bool(self.joiners) or self.attrition.annual_rate > 0


class Agency(_Spec):
    """An external provider (agency or RPO) that submits candidates for some reqs.

    It works the reqs of the named ``profiles`` (all profiles if the list is empty) once a
    req has been open ``engage_after_days`` (0: from the start; N: an overflow for reqs
    still unfilled after N days) and its intake is done. It submits
    ``capacity_per_month`` candidates per 30 days across the reqs it works, evenly paced,
    the first for a req ``first_submittal_days`` after it starts on it (its speed). Its
    candidates pass the screen, interview rounds and decision at the profile's rates times
    ``quality`` (at most 1). A ``sourcing`` agency hands candidates to the req's recruiter
    (a handoff review, then the usual screen to offer); a ``full_cycle`` agency (RPO) runs
    screen, scheduling, debrief and offer with its own people; interviews are the team's.
    Each hire costs ``fee_share_of_salary`` x the profile's ``annual_salary`` (external).
    """

    name: Annotated[str, Field(min_length=1)]
    kind: Literal["sourcing", "full_cycle"] = "sourcing"
    profiles: list[str] = Field(default_factory=list)
    engage_after_days: NonNegative = 0.0
    capacity_per_month: NonNegative = 4.0
    first_submittal_days: NonNegative = 14.0
    quality: NonNegative = 1.0
    fee_share_of_salary: Probability = 0.20
