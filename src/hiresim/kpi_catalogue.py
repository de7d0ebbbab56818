"""The KPI catalogue: every key performance indicator of a replication, named once.

Each entry says what a KPI is called in tables (``name``: the column of the replications
table and of ``replications.parquet``), how it is shown (``label`` with its unit,
``words`` inside a sentence, ``kind`` and ``digits``), which direction is better, and
where it appears:

- ``table``: a row of the summary tables (``hiresim run``, the report's KPI table);
- ``compared``: a row of paired differences (``hiresim compare``, the report);
- ``forest``: a dot of the report's forest plot of paired differences;
- ``precision``: a KPI whose interval ``--precision`` tightens;
- ``goal``: usable in ``--goal`` (every KPI is, unless it is a bookkeeping count);
- ``order``: where it stands in tables and comparisons (lower first).

The computation of each KPI from one replication's records is in ``hiresim.kpis``; a test
keeps the catalogue and that computation in step (same names, same order). Adding a KPI
is one entry here plus its computation there: tables, JSON, paired differences, goals
and the report pick it up from this catalogue.

Kinds and units: ``days`` (calendar days), ``money`` (the scenario's currency, US$ in the
shipped files), ``share`` (a fraction in [0, 1], shown as a percentage; differences in
percentage points), ``count`` (a number of things, e.g. hires), ``ratio`` (a rate such as
hires per recruiter per quarter).

This module imports nothing but the standard library, so every layer may use it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["days", "money", "share", "count", "ratio"]
Better = Literal["lower", "higher", ""]


@dataclass(frozen=True)
class Kpi:
    """One KPI of a replication: its name, how it is shown and where it is used."""

    name: str
    label: str
    kind: Kind
    better: Better = ""
    words: str = ""
    short: str = ""
    digits: int | None = None
    table: bool = False
    compared: bool = False
    forest: bool = False
    precision: bool = False
    goal: bool = True
    order: int = 100
    doc: str = ""

    @property
    def sentence_words(self) -> str:
        """The KPI inside a sentence ('median time-to-fill'); the label in lower case
        without its unit when no words are given."""
        return self.words or self.label.partition(" (")[0].lower()

    @property
    def short_label(self) -> str:
        """The label without its unit, for charts ('Time-to-fill, P80')."""
        return self.short or self.label.partition(" (")[0]


# The KPIs in the order ``hiresim.kpis.replication_kpis`` computes them.
CATALOGUE: tuple[Kpi, ...] = (
    Kpi("reqs_opened", "Reqs opened", "count", goal=False,
        doc="Reqs opened in the window (after the warm-up, before the horizon)."),
    Kpi("reqs_filled", "Reqs filled", "count", "higher",
        doc="Counted reqs filled by an accepted offer before the horizon."),
    Kpi("fill_rate", "Reqs filled by the horizon", "share", "higher",
        words="share of reqs filled", short="Reqs filled", table=True, compared=True,
        forest=True, precision=True, order=6, doc="reqs_filled / reqs_opened."),
    Kpi("time_to_fill_p50", "Time to fill, median (days)", "days", "lower",
        words="median time-to-fill", short="Time-to-fill, median", compared=True,
        forest=True, precision=True,
        order=1, doc="Kaplan-Meier median of the replication's days from req open to accepted "
            "offer (censored at the horizon); nan when under half the reqs were filled."),
    Kpi("time_to_fill_p80", "Time to fill P80 (days)", "days", "lower",
        words="time-to-fill at P80", short="Time-to-fill, P80", compared=True, forest=True,
        order=2, doc="Kaplan-Meier 80th percentile of days to fill; nan when not reached."),
    Kpi("time_to_fill_p90", "Time to fill P90 (days)", "days", "lower",
        words="time-to-fill at P90", short="Time-to-fill, P90", compared=True, forest=True,
        order=3, doc="Kaplan-Meier 90th percentile of days to fill; nan when not reached."),
    Kpi("time_to_fill_mean_filled", "Time to fill, mean of filled reqs (days)", "days",
        "lower", doc="Mean days to fill of the filled reqs only (biased low: censored "
                     "reqs are left out)."),
    Kpi("backlog_days_mean", "Days a req waits for a recruiter", "days", "lower",
        digits=1, table=True, order=18,
        doc="Mean days from req open to assignment to a recruiter."),
    Kpi("hires", "Hires", "count", "higher", compared=True, table=True, precision=True,
        order=7, doc="Accepted offers for counted reqs."),
    Kpi("sourced_hires", "Sourced hires", "count", "higher",
        doc="Hires whose first contact was outreach."),
    Kpi("inbound_hires", "Inbound hires", "count", "higher",
        doc="Hires who applied."),
    Kpi("contacted", "Prospects contacted", "count", doc="Sourced prospects contacted."),
    Kpi("applicants", "Applicants", "count", doc="Inbound applications."),
    Kpi("replies", "Replies to outreach", "count", doc="Prospects who replied."),
    Kpi("reply_rate", "Outreach reply rate", "share", "higher", words="outreach reply rate",
        table=True, compared=True, forest=True,
        order=10, doc="Replies / prospects whose outreach sequence ended."),
    Kpi("contacted_per_sourced_hire", "Prospects contacted per sourced hire", "count",
        "lower", table=True, order=11, doc="contacted / sourced_hires."),
    Kpi("offers", "Offers", "count", doc="Offers made (accepted or declined)."),
    Kpi("offer_acceptance_rate", "Offer acceptance", "share", "higher",
        words="offer acceptance", table=True, compared=True, forest=True,
        order=9, doc="hires / offers."),
    Kpi("withdrawals", "Withdrawals", "count", "lower",
        doc="Candidates who withdrew (patience ran out while waiting)."),
    Kpi("withdrawal_rate", "Engaged candidates who withdrew", "share", "lower",
        words="withdrawals", short="Withdrawals", table=True, compared=True, forest=True,
        order=13, doc="withdrawals / candidates who engaged (applied, or replied with interest)."),
    Kpi("time_to_hire_days", "Time to hire (days)", "days", "lower", words="time-to-hire",
        short="Time-to-hire", digits=1, table=True, compared=True, forest=True,
        order=8, doc="Mean days from a hire's first contact or application to acceptance."),
    Kpi("candidates_in_process", "Candidates in process at the horizon", "count",
        doc="Candidates neither hired nor out when the horizon came."),
    Kpi("hires_per_recruiter_per_quarter", "Hires per recruiter per quarter", "ratio",
        "higher", table=True, compared=True,
        order=12, doc="hires / recruiters / (window days / 91.25)."),
    Kpi("hires_per_ta_head", "Hires per TA head per quarter", "ratio", "higher",
        table=True, compared=True, order=12,
        doc="hires / (recruiters + sourcers) / (window days / 91.25)."),
    Kpi("utilization_sourcer", "Sourcer utilisation", "share", "lower", table=True,
        compared=True, forest=True, order=15, doc="Sourcers' busy hours / available hours."),
    Kpi("utilization_recruiter", "Recruiter utilisation", "share", "lower", table=True,
        compared=True, forest=True, order=14, doc="Recruiters' busy hours / available hours."),
    Kpi("utilization_interviewers", "Interviewer utilisation", "share", "lower",
        table=True, order=16, doc="Interviewers' busy hours / available hours."),
    Kpi("recruiter_sourcing_share", "Recruiter hours spent sourcing", "share",
        table=True, order=17, doc="Share of recruiters' busy hours spent on sourcing work."),
    Kpi("cost_salaries", "Salaries, loaded", "money", "lower",
        doc="TA team salaries x benefits load, prorated to the window."),
    Kpi("cost_tools", "Tool seats", "money", "lower", doc="Tool seats prorated."),
    Kpi("cost_interviewers", "Interviewer time", "money", "lower",
        doc="Interview hours x the profile's hourly cost."),
    Kpi("cost_job_ads", "Job ads", "money", "lower", doc="Job ads per advertised req-month."),
    Kpi("cost_other_external", "Other external costs", "money", "lower",
        doc="Other external fees prorated to the window."),
    Kpi("cost_internal", "Internal costs", "money", "lower",
        doc="Salaries + tools + interviewer time."),
    Kpi("cost_external", "External costs", "money", "lower", doc="Job ads + other fees."),
    Kpi("cost_total", "Total cost", "money", "lower", doc="Internal + external costs."),
    Kpi("team_cost_per_year", "TA team cost per year", "money", "lower",
        words="TA team cost per year", table=True, compared=True,
        order=5, doc="(salaries + tools) per year of the window."),
    Kpi("cost_per_hire", "Cost per hire", "money", "lower", words="cost per hire",
        table=True, compared=True, forest=True, precision=True,
        order=4, doc="ANSI/SHRM cost per hire: (internal + external costs) / hires."),
)

BY_NAME: dict[str, Kpi] = {k.name: k for k in CATALOGUE}
KPI_NAMES: tuple[str, ...] = tuple(k.name for k in CATALOGUE)

# The summary key of time-to-fill: its mean/interval are those of the per-replication
# median (``time_to_fill_p50``); p50/p80/p90 come from the Kaplan-Meier curve of every req
# of every replication pooled (``hiresim.metrics``).
FILL_TIME = "time_to_fill_days"
POOLED_QUANTILES = (0.5, 0.8, 0.9)


@dataclass(frozen=True)
class SummaryRow:
    """A row of a summary table: a summary key, an optional sub-key, label and format."""

    key: str
    sub: str
    label: str
    kind: Kind | Literal["int"]
    digits: int | None = None


def summary_rows() -> tuple[SummaryRow, ...]:
    """The rows of the summary tables, time-to-fill first, then every ``table`` KPI."""
    rows = [
        SummaryRow(FILL_TIME, "", "Time to fill, median per run (days)", "days"),
        *(SummaryRow(FILL_TIME, f"p{int(q * 100)}",
                     f"Time to fill P{int(q * 100)}, all reqs (days)", "days")
          for q in POOLED_QUANTILES),
        SummaryRow(FILL_TIME, "censored_reqs",
                   "Reqs still open at the horizon (all replications)", "int"),
    ]
    rows += [SummaryRow(k.name, "", k.label, k.kind, k.digits) for k in _shown("table")]
    return tuple(rows)


def _shown(flag: str) -> tuple[Kpi, ...]:
    return tuple(sorted((k for k in CATALOGUE if getattr(k, flag)), key=lambda k: k.order))


def compared() -> tuple[Kpi, ...]:
    """KPIs with paired differences, in display order."""
    return _shown("compared")


def forest() -> tuple[Kpi, ...]:
    """KPIs drawn in the forest plot of paired differences, in display order."""
    return _shown("forest")


def precision_kpis() -> tuple[str, ...]:
    """Names of the KPIs whose intervals ``--precision`` tightens."""
    return tuple(k.name for k in CATALOGUE if k.precision)


# Goal names that stand for a per-replication KPI: the summary key of time-to-fill and its
# pooled percentiles are checked per replication on the replication's own quantile.
GOAL_ALIASES: dict[str, str] = {
    FILL_TIME: "time_to_fill_p50",
    **{f"{FILL_TIME}.p{int(q * 100)}": f"time_to_fill_p{int(q * 100)}"
       for q in POOLED_QUANTILES},
}


def goal_names() -> tuple[str, ...]:
    """Every metric name ``--goal`` accepts, aliases first."""
    return (*GOAL_ALIASES, *(k.name for k in CATALOGUE if k.goal))


def goal_column(name: str) -> str:
    """The per-replication column a goal metric refers to; ``KeyError`` with a message
    that suggests the nearest valid names when there is none."""
    column = GOAL_ALIASES.get(name, name)
    kpi = BY_NAME.get(column)
    if kpi is None or not kpi.goal:
        names = goal_names()
        near = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        hint = (f"did you mean {' or '.join(repr(n) for n in near)}? " if near else "")
        raise KeyError(f"unknown metric {name!r}; {hint}valid metrics: {', '.join(names)}")
    return column
