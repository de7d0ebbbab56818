"""The KPI rows of the report's tables, in one place.

Each row names a metric of the saved summaries (``summary.json`` metrics, or a key of a
comparison's paired differences) with its label and number format ("days", "money",
"pct", "count", ...; see :data:`.cells.PAGE_FORMATS`). Read by :mod:`.kpi_sections`.
"""

from __future__ import annotations

KPI_ROWS: tuple[tuple[str, str, str, str], ...] = (
    # (label, metric, sub-key or "", kind)
    ("Time to fill, median of all reqs (days)", "time_to_fill_days", "p50", "days"),
    ("Time to fill P80, all reqs (days)", "time_to_fill_days", "p80", "days"),
    ("Time to fill P90, all reqs (days)", "time_to_fill_days", "p90", "days"),
    ("Reqs filled by the horizon", "fill_rate", "", "pct"),
    ("Reqs still open at the horizon (all replications)", "time_to_fill_days",
     "censored_reqs", "int"),
    ("Hires", "hires", "", "count"),
    ("Time to hire (days)", "time_to_hire_days", "", "days1"),
    ("Cost per hire", "cost_per_hire", "", "money"),
    ("TA team cost per year", "team_cost_per_year", "", "money"),
    ("Offer acceptance", "offer_acceptance_rate", "", "pct"),
    ("Outreach reply rate", "reply_rate", "", "pct"),
    ("Prospects contacted per sourced hire", "contacted_per_sourced_hire", "", "count"),
    ("Hires per recruiter per quarter", "hires_per_recruiter_per_quarter", "", "ratio"),
    ("Engaged candidates who withdrew", "withdrawal_rate", "", "pct"),
    ("Recruiter utilisation", "utilization_recruiter", "", "pct"),
    ("Sourcer utilisation", "utilization_sourcer", "", "pct"),
    ("Interviewer utilisation", "utilization_interviewers", "", "pct"),
    ("Recruiter hours spent sourcing", "recruiter_sourcing_share", "", "pct"),
    ("Days a req waits for a recruiter", "backlog_days_mean", "", "days1"),
)


FOREST_KPIS = (
    ("time_to_fill_p50", "Time-to-fill, median", "days"),
    ("time_to_fill_p80", "Time-to-fill, P80", "days"),
    ("time_to_fill_p90", "Time-to-fill, P90", "days"),
    ("time_to_hire_days", "Time-to-hire", "days"),
    ("cost_per_hire", "Cost per hire", "money"),
    ("fill_rate", "Reqs filled", "points"),
    ("offer_acceptance_rate", "Offer acceptance", "points"),
    ("reply_rate", "Outreach reply rate", "points"),
    ("withdrawal_rate", "Withdrawals", "points"),
    ("utilization_recruiter", "Recruiter utilisation", "points"),
    ("utilization_sourcer", "Sourcer utilisation", "points"),
)

DIFF_ROWS = (
    ("time_to_fill_p50", "Time to fill, median (days)", "days"),
    ("time_to_fill_p80", "Time to fill P80 (days)", "days"),
    ("time_to_fill_p90", "Time to fill P90 (days)", "days"),
    ("cost_per_hire", "Cost per hire", "money"),
    ("team_cost_per_year", "TA team cost per year", "money"),
    ("fill_rate", "Reqs filled", "pct"),
    ("hires", "Hires", "count"),
    ("time_to_hire_days", "Time to hire (days)", "days"),
    ("offer_acceptance_rate", "Offer acceptance", "pct"),
    ("withdrawal_rate", "Withdrawals", "pct"),
    ("hires_per_recruiter_per_quarter", "Hires per recruiter per quarter", "count"),
    ("utilization_recruiter", "Recruiter utilisation", "pct"),
    ("utilization_sourcer", "Sourcer utilisation", "pct"),
    ("reply_rate", "Outreach reply rate", "pct"),
)
