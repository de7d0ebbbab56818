"""Flat record types of one replication: the columns of each table and what they mean.

Rows are plain tuples (cheap to make in the simulation, cheap to pickle between processes);
these column lists name them. Times are in days since the start of the plan (day 0);
``nan`` means "did not happen before the horizon". Derived numbers (waits, durations,
rates) are computed from these timestamps in ``kpis``/``metrics``, never stored twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REQ_COLUMNS = (
    "req",  # index of the req in opening order
    "profile",  # role profile name
    "open_day",  # approval: the clock of time-to-fill starts here
    "assigned_day",  # a recruiter took it from the backlog
    "active_day",  # intake done, job ad posted, sourcing may start
    "sourcing_day",  # a sourcing person started on it (may precede open_day)
    "filled_day",  # last position's offer accepted (nan: open at the horizon)
    "positions",  # positions on the req (inf: evergreen)
    "filled_positions",
    "recruiter",
    "sourcer",
    "counted",  # opened after the warm-up: part of the statistics
)

CANDIDATE_COLUMNS = (
    "candidate",
    "req",
    "profile",
    "source",  # "sourced" (outbound), "inbound" (applicant) or "agency" (an agency submitted)
    "sourced_by",  # "sourcer", "recruiter", "agency:<name>" ("" for applicants)
    "created_day",  # first contact (first touch sent) or application
    "end_day",  # when the terminal state was reached (the horizon for in_process)
    "terminal",  # one of model.outcomes.TERMINAL_STATES
    "terminal_stage",  # stage at which it ended
    "replied",  # sourced candidate replied
    "offered",  # received an offer
)

VISIT_COLUMNS = (
    "candidate",
    "stage",  # outreach, qualification, handoff, application_review, screen, <round>, ...
    "enter_day",  # ready for the stage
    "start_day",  # the team first started work on it (nan: never started)
    "end_day",  # left the stage
    "outcome",  # passed, failed, withdrew, closed_out, in_process
)

STAFF_COLUMNS = (
    "person",
    "role",  # recruiter, sourcer, interviewer:<profile>
    "hours_per_week",
    "activity",
    "hours",  # hours spent on the activity within the horizon
)

FUNNEL_COLUMNS = (
    "source",  # sourced or inbound
    "stage",
    "outcome",  # passed, failed, withdrew, closed_out, in_process
    "candidates",  # stage visits with that outcome (candidates created after the warm-up)
)

SNAPSHOT_COLUMNS = (
    "day",
    "reqs_in_backlog",  # opened, waiting for a recruiter with room
    "reqs_open",  # opened and not filled
    "tasks_waiting_recruiters",
    "tasks_waiting_sourcers",
    "tasks_waiting_interviewers",
)

# Month by month (hiresim.calendar months: calendar months from simulation.start_date, or
# 30.4-day blocks), all reqs and candidates (the warm-up is not left out).
MONTH_COLUMNS = (
    "month",  # 0, 1, ... in order
    "label",  # "2027-03" with a start date, else "month 4"
    "first_day",  # the month is [first_day, end_day) in days since day 0
    "end_day",  # the next month's first day; the horizon for the last month
    "reqs_open",  # at the month's end: opened and not filled
    "reqs_in_backlog",  # at the month's end: waiting for a recruiter with room
    "recruiter_hours",  # busy hours worked within the month, all recruiters
    "sourcer_hours",
    "interviewer_hours",  # all interviewer pools
)

MONTH_HIRE_COLUMNS = (
    "month",
    "profile",
    "reqs_opened",  # reqs of the profile that opened within the month
    "hires",  # accepted offers (positions filled) within the month
)


@dataclass(frozen=True)
class ReplicationResult:
    """Everything one replication returns: compact, picklable, free of SimPy objects."""

    replication: int
    seed: int
    horizon_days: float
    kpis: dict[str, float]
    reqs: list[tuple]
    staff: list[tuple]
    snapshots: list[tuple]
    candidates: list[tuple] | None = None
    visits: list[tuple] | None = None
    funnel: list[tuple] = field(default_factory=list)
    months: list[tuple] = field(default_factory=list)  # MONTH_COLUMNS
    month_hires: list[tuple] = field(default_factory=list)  # MONTH_HIRE_COLUMNS
