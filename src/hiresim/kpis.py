"""Key performance indicators of ONE replication, computed from its records.

Each KPI is named, labelled and flagged once in ``hiresim.kpi_catalogue``; this module
computes them, in the catalogue's order (a test keeps the two in step).

Definitions (docs/model.md repeats them for users):

- time-to-fill: days from req open (approval) to the accepted offer that fills it, backlog
  time included. Reqs open at the horizon are censored; ``time_to_fill_p50/p80/p90`` are
  Kaplan-Meier quantiles over the replication's reqs (nan when that share of reqs was not
  filled before the horizon).
- fill_rate: filled reqs / reqs opened (after the warm-up).
- time_to_hire_days: mean days from a hire's first contact or application to acceptance.
- cost_per_hire (ANSI/SHRM): (internal + external costs over the window) / hires. Internal:
  loaded salaries (salary x benefits load) and tool seats of the TA team prorated to the
  window, plus interviewer hours at their hourly cost. External: job ads per req per 30
  days advertised, other external fees prorated.
- offer_acceptance_rate: hired / (hired + declined offers).
- reply_rate: sourced prospects who replied / prospects whose outreach sequence ended
  (prospects cut off mid-sequence by a req closing or by the horizon are left out).
- hires_per_recruiter_per_quarter: hires / recruiters / (window days / 91.25).
- hires_per_ta_head: hires / (recruiters + sourcers) / (window days / 91.25).
- withdrawal_rate: candidates who withdrew / candidates who engaged (applied, or replied
  with interest).
- utilization_<role>: busy hours / available hours (head count x hours per week x weeks).

The window is [warm-up, horizon]: candidates created and reqs opened in the warm-up are
left out.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from hiresim.model.work import SOURCING_WORK, Activity
from hiresim.survival import censored_fill_times, fill_time_quantile

if TYPE_CHECKING:
    from hiresim.model.hiring_model import HiringModel

DAYS_PER_QUARTER = 365.0 / 4.0
DAYS_PER_MONTH = 30.0

def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def replication_kpis(model: HiringModel) -> tuple[dict[str, float], list[tuple]]:
    """The KPI dict and the funnel rows (source, stage, outcome, candidates) of a finished run."""
    sc = model.scenario
    horizon = model.horizon
    warmup = model.warmup
    window = horizon - warmup
    years = window / 365.0

    # -- reqs and time-to-fill
    counted = [r for r in model.reqs if r.open_day >= warmup and r.open_day < horizon]
    durations, filled = censored_fill_times(
        [r.open_day for r in counted],
        [math.nan if r.filled_day is None else r.filled_day for r in counted], horizon)
    kpis: dict[str, float] = {
        "reqs_opened": float(len(counted)),
        "reqs_filled": float(filled.sum()),
        "fill_rate": _ratio(float(filled.sum()), len(counted)),
        "time_to_fill_p50": fill_time_quantile(durations, filled, 0.5),
        "time_to_fill_p80": fill_time_quantile(durations, filled, 0.8),
        "time_to_fill_p90": fill_time_quantile(durations, filled, 0.9),
        "time_to_fill_mean_filled": float(durations[filled].mean()) if filled.any() else math.nan,
        "backlog_days_mean": float(np.mean([
            (r.assigned_day if r.assigned_day is not None else horizon) - r.open_day
            for r in counted
        ])) if counted else math.nan,
    }

    # -- candidates
    counts = model.counts
    funnel = [(src, stage, outcome, n)
              for (src, stage, outcome), n in sorted(model.stage_counts.items())]

    def n(source: str | None, state: str | None) -> int:
        return sum(v for (s, t), v in counts.items()
                   if (source is None or s == source) and (state is None or t == state))

    hires = [c for c in model.hires if c.counted]
    sourced_hires = sum(1 for c in hires if c.source == "sourced")
    contacted = n("sourced", None)
    applicants = n("inbound", None)
    resolved = contacted - model.outreach_unresolved  # prospects whose sequence ended
    engaged = applicants + resolved - n("sourced", "no_reply") - n("sourced", "not_interested")
    withdrew = n(None, "withdrew")
    declined = n(None, "declined_offer")
    kpis.update({
        "hires": float(len(hires)),
        "sourced_hires": float(sourced_hires),
        "inbound_hires": float(len(hires) - sourced_hires),
        "contacted": float(contacted),
        "applicants": float(applicants),
        "replies": float(model.replies),
        "reply_rate": _ratio(model.replies, resolved),
        "contacted_per_sourced_hire": _ratio(contacted, sourced_hires),
        "offers": float(len(hires) + declined),
        "offer_acceptance_rate": _ratio(len(hires), len(hires) + declined),
        "withdrawals": float(withdrew),
        "withdrawal_rate": _ratio(withdrew, engaged),
        "time_to_hire_days": float(np.mean([c.end - c.created for c in hires]))
        if hires else math.nan,
        "candidates_in_process": float(n(None, "in_process")),
    })

    # -- staff time
    recruiters = sc.recruiter_count
    kpis["hires_per_recruiter_per_quarter"] = _ratio(len(hires), recruiters * window
                                                      / DAYS_PER_QUARTER)
    ta_heads = recruiters + (sc.team.sourcers.headcount if sc.team.sourcers is not None else 0)
    kpis["hires_per_ta_head"] = _ratio(len(hires), ta_heads * window / DAYS_PER_QUARTER)
    busy: dict[str, float] = {}
    sourcing_hours: dict[str, float] = {}
    available: dict[str, float] = {}
    for person in model.all_people():
        role = "interviewers" if person.role.startswith("interviewer") else person.role
        busy[role] = busy.get(role, 0.0) + float(person.busy_hours.sum())
        sourcing_hours[role] = sourcing_hours.get(role, 0.0) + float(
            sum(person.busy_hours[a] for a in SOURCING_WORK))
        if person.unlimited:  # an unlimited pool has no finite hours
            available[role] = math.inf
        elif available.get(role) != math.inf:
            available[role] = available.get(role, 0.0) + person.hours_per_week * horizon / 7.0
    for role in ("sourcer", "recruiter", "interviewers"):
        cap = available.get(role, 0.0)
        kpis[f"utilization_{role}"] = (
            busy.get(role, 0.0) / cap if 0 < cap < math.inf else math.nan
        )
    kpis["recruiter_sourcing_share"] = _ratio(sourcing_hours.get("recruiter", 0.0),
                                              busy.get("recruiter", 0.0))

    # -- cost per hire (ANSI/SHRM)
    team = sc.team
    salaries = tools = 0.0
    for spec in (team.recruiters, team.sourcers):
        if spec is None:
            continue
        salaries += spec.headcount * spec.annual_salary * team.benefits_load * years
        tools += spec.headcount * spec.tool_seat_per_year * years
    interviewer_cost = 0.0
    for p_index, people in enumerate(model.interviewer_people):
        rate = sc.profiles[p_index].interviewers.hourly_cost
        interviewer_cost += rate * sum(float(p.busy_hours[Activity.INTERVIEW]) for p in people)
    ad_days = sum(
        ((r.filled_day if r.filled_day is not None else horizon) - r.active_day)
        for r in counted if r.active_day is not None
    )
    job_ads = sc.costs.job_ad_per_req_per_month * ad_days / DAYS_PER_MONTH
    other = sc.costs.other_external_per_year * years
    internal = salaries + tools + interviewer_cost
    external = job_ads + other
    kpis.update({
        "cost_salaries": salaries,
        "cost_tools": tools,
        "cost_interviewers": interviewer_cost,
        "cost_job_ads": job_ads,
        "cost_other_external": other,
        "cost_internal": internal,
        "cost_external": external,
        "cost_total": internal + external,
        "team_cost_per_year": (salaries + tools) / years if years > 0 else math.nan,
        "cost_per_hire": _ratio(internal + external, len(hires)),
    })
    return kpis, funnel
