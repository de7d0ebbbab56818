"""The planner's time in process: how long each stage takes when no one is busy, and who
is still there at its end under the drop-out hazard (``hiresim.reverse_funnel``).

All times are calendar days. A task of ``h`` hours done by a person with ``hours_per_week``
takes ``h * 7 / hours_per_week`` days (the simulation's fluid working week), so a stage's
**no-queue** duration is the mean effort of its work at its role's pace plus the candidate's
own delays (mean handoff delay, interview ``lead_days``, offer response). Waits in queues
are not in these times: a busy team lengthens time in process, and so loses more
candidates, than the arithmetic says.

Interviews: with a fluid (or unlimited) interviewer pool a round takes the mean
``interviewer_hours`` at the interviewers' pace (a panel: the mean, not the mean of the
slowest member); with ``scheduling: slots`` the round is booked into an empty calendar,
the wait for the first slot being half the gap between the pool's slots, plus one gap per
further panel member, then the interview itself (its mean hours of real time).

Drop-out (docs/model.md 4.9): an engaged candidate is still in process ``t`` days after
engaging with probability ``S(t) = exp(-hazard_per_week * (t / 7) ** shape)``; the clock
starts at the qualification call for sourced candidates (they engage when they reply with
interest) and at the screen for applicants (after application review), and stops when the
offer stage is reached. The planner takes each stage's no-queue duration as fixed, so a
stage from day ``a`` to day ``b`` of that clock keeps ``S(b) / S(a)`` of those who enter
it (with random durations the simulation's mean survival ``E[S(T)]`` differs a little
from ``S(E[T])``: less the more the durations vary).
"""

from __future__ import annotations

import math

from hiresim.scenario import InterviewRound, RoleProfile, Scenario, StaffRole

STEPS_PER_STAGE = 32  # Simpson's rule intervals for the expected days alive in a stage


def work_days(hours: float, hours_per_week: float) -> float:
    """Calendar days a task of ``hours`` takes a person working ``hours_per_week``."""
    return hours * 7.0 / hours_per_week if hours_per_week > 0 else 0.0


def role_pace(role: StaffRole | None) -> float:
    """Hours per week of one person of a staff role (0 when there is no such role)."""
    return 0.0 if role is None else role.hours_per_week


def scheduler_pace(scenario: Scenario) -> float:
    """Hours per week of whoever schedules interviews: coordinators when the team has
    some, else the recruiters."""
    team = scenario.team
    if team.coordinators is not None and team.coordinators.hours_per_week > 0:
        return team.coordinators.hours_per_week
    return team.recruiters.hours_per_week


def booked(profile: RoleProfile) -> bool:
    """Are the profile's interviews booked into slots (else a fluid or unlimited pool)?
    Booked interviews book the interviewers' hours when the round is held."""
    iv = profile.interviewers
    return iv.scheduling == "slots" and iv.count != "unlimited" and int(iv.count) > 0 \
        and bool(profile.interview_rounds) and profile.interview_slot_hours > 0.0


def interview_days(profile: RoleProfile, rnd: InterviewRound) -> float:
    """No-queue days of an interview itself, after scheduling and the lead days."""
    iv = profile.interviewers
    hours = rnd.interviewer_hours.mean
    if not booked(profile):
        return work_days(hours, iv.hours_per_week)
    people = int(iv.count)
    between = 7.0 / profile.interview_slots_per_week / people  # the pool's slots are this apart
    panel = min(rnd.panel_size, people)
    return between / 2.0 + (panel - 1) * between + hours / 24.0


def survival(profile: RoleProfile, days: float) -> float:
    """Share of engaged candidates still in process ``days`` after engaging."""
    d = profile.dropout
    if d.hazard_per_week <= 0.0 or days <= 0.0:
        return 1.0
    return math.exp(-d.hazard_per_week * (days / 7.0) ** d.shape)


def days_alive(profile: RoleProfile, start: float, days: float) -> float:
    """Expected days a candidate entering a stage on day ``start`` of the drop-out clock
    spends in it, if it lasts ``days`` (they leave early if they drop out)."""
    if days <= 0.0:
        return 0.0
    at_start = survival(profile, start)
    if at_start == 1.0 and survival(profile, start + days) == 1.0:
        return days
    n = STEPS_PER_STAGE
    h = days / n
    total = 0.0
    for i in range(n + 1):
        weight = 1 if i in (0, n) else 4 if i % 2 else 2
        total += weight * survival(profile, start + i * h)
    return total * h / 3.0 / at_start if at_start > 0 else 0.0
