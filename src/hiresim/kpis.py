"""Key performance indicators of ONE replication, computed from its records.

Each KPI is named, labelled and flagged once in ``hiresim.kpi_catalogue``; this module
computes them, in the catalogue's order (a test keeps the two in step).

Definitions (docs/model.md repeats them for users):

- time-to-fill: days from req open (approval) to the accepted offer that fills it, backlog
  time included. Reqs open at the horizon are censored; ``time_to_fill_p50/p80/p90`` are
  Kaplan-Meier quantiles over the replication's reqs (nan when that share of reqs was not
  filled before the horizon).
- fill_rate: filled reqs / reqs opened (after the warm-up).
- fill_rate_in_window: of the reqs opened at least ``fill_window_days`` (N, default 90)
  before the horizon, the share filled within N days of opening (not capped by the horizon).
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
  with interest); screened_withdrawal_rate: of the candidates who reached the screen, the
  share who withdrew (lost patience or dropped out).
- cost_interviewers: interview hours held at the hourly cost; for a profile with interview
  slots, every reserved slot hour (slots offered x slot length), used or not, and then part
  of team_cost_per_year too.
- utilization_<role>: busy hours / available hours (hours per week x weeks on the team,
  summed over the role's people; joiners and leavers count only while on the team).
- cost_agency_fees: per hire made through an agency, its fee share x the profile's
  annual salary (an external cost, in cost_external and cost_per_hire).
- hires_per_ta_head: hires / (recruiters + sourcers + coordinators, joiners included) /
  (window days / 91.25).

The window is [warm-up, horizon]: candidates created and reqs opened in the warm-up are
left out.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from hiresim.model.agency import AGENCY_SOURCE, agency_label
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
        "fill_rate_in_window": _fill_rate_in_window(counted, sc.simulation.fill_window_days,
                                                    horizon),
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
    tally = model.tally
    kpis.update({
        "hires": float(len(hires)),
        "sourced_hires": float(sourced_hires),
        "inbound_hires": float(sum(1 for c in hires if c.source == "inbound")),
        "pool_hires": float(sum(1 for c in hires if c.source == "pool")),
        "pool_reengaged": float(tally.pool_reengaged),
        "contacted": float(contacted),
        "applicants": float(applicants),
        "replies": float(model.replies),
        "reply_rate": _ratio(model.replies, resolved),
        "contacted_per_sourced_hire": _ratio(contacted, sourced_hires),
        "offers": float(len(hires) + declined),
        "offer_acceptance_rate": _ratio(len(hires), len(hires) + declined),
        "withdrawals": float(withdrew),
        "withdrawal_rate": _ratio(withdrew, engaged),
        "screened": float(tally.screened),
        "screened_withdrawal_rate": _ratio(tally.screened_withdrew, tally.screened),
        "dropouts": float(tally.dropouts),
        "market_misses": float(tally.market_misses),
        "time_to_hire_days": float(np.mean([c.end - c.created for c in hires]))
        if hires else math.nan,
        "candidates_in_process": float(n(None, "in_process")),
    })

    # -- staff time
    recruiters = sc.recruiter_count
    kpis["hires_per_recruiter_per_quarter"] = _ratio(len(hires), recruiters * window
                                                      / DAYS_PER_QUARTER)
    busy: dict[str, float] = {}
    sourcing_hours: dict[str, float] = {}
    available: dict[str, float] = {}
    turnover = model.turnover  # joiners and leavers are available only while on the team
    for person in model.all_people():
        role = "interviewers" if person.role.startswith("interviewer") else person.role
        busy[role] = busy.get(role, 0.0) + float(person.busy_hours.sum())
        sourcing_hours[role] = sourcing_hours.get(role, 0.0) + float(
            sum(person.busy_hours[a] for a in SOURCING_WORK))
        if person.unlimited:  # an unlimited pool has no finite hours
            available[role] = math.inf
        elif available.get(role) != math.inf:
            days = horizon if turnover is None else turnover.days_on_team(person, horizon)
            available[role] = available.get(role, 0.0) + person.hours_per_week * days / 7.0
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
    for spec in (team.recruiters, team.sourcers, team.coordinators):
        if spec is None:
            continue
        salaries += spec.headcount * spec.annual_salary * team.benefits_load * years
        tools += spec.headcount * spec.tool_seat_per_year * years
    if turnover is not None:  # joiners paid from their start, leavers until they leave
        for role, spec in (("recruiter", team.recruiters), ("sourcer", team.sourcers),
                           ("coordinator", team.coordinators)):
            if spec is None or role not in turnover.groups:
                continue
            person_years = turnover.payroll_years_delta(role, warmup, horizon)
            salaries += person_years * spec.annual_salary * team.benefits_load
            tools += person_years * spec.tool_seat_per_year
    fees = {agency_label(a.name): a.fee_share_of_salary for a in sc.agencies}
    agency_hires = [c for c in hires if c.source == AGENCY_SOURCE]
    agency_fees = float(sum(fees[c.sourced_by] * c.req.profile.annual_salary
                            for c in agency_hires))
    interviewer_cost = reserved = 0.0
    for p_index, people in enumerate(model.interviewer_people):
        profile = sc.profiles[p_index]
        rate = profile.interviewers.hourly_cost
        if model.slot_books[p_index] is not None:  # slots: every reserved hour is a cost
            slot_hours = profile.interview_slots_per_week * profile.interview_slot_hours
            cost = rate * len(people) * slot_hours * window / 7.0
            reserved += cost
            interviewer_cost += cost
        else:
            interviewer_cost += rate * sum(float(p.busy_hours[Activity.INTERVIEW])
                                           for p in people)
    ad_days = sum(
        ((r.filled_day if r.filled_day is not None else horizon) - r.active_day)
        for r in counted if r.active_day is not None
    )
    job_ads = sc.costs.job_ad_per_req_per_month * ad_days / DAYS_PER_MONTH
    other = sc.costs.other_external_per_year * years
    internal = salaries + tools + interviewer_cost
    external = job_ads + other + agency_fees  # + 0.0 without agencies: unchanged
    kpis.update({
        "cost_salaries": salaries,
        "cost_tools": tools,
        "cost_interviewers": interviewer_cost,
        "cost_job_ads": job_ads,
        "cost_other_external": other,
        "cost_internal": internal,
        "cost_external": external,
        "cost_total": internal + external,
        "team_cost_per_year": (salaries + tools + reserved) / years if years > 0 else math.nan,
        "cost_per_hire": _ratio(internal + external, len(hires)),
    })

    # -- structures, agencies and team changes (issue 16)
    kpis.update({
        "cost_agency_fees": agency_fees,
        "agency_hires": float(len(agency_hires)),
        "hires_per_ta_head": _ratio(len(hires), sc.ta_headcount * window / DAYS_PER_QUARTER),
        "utilization_coordinator": (
            busy.get("coordinator", 0.0) / available["coordinator"]
            if 0 < available.get("coordinator", 0.0) < math.inf else math.nan),
        "ta_departures": float(turnover.departures) if turnover is not None else 0.0,
    })
    return kpis, funnel


def _fill_rate_in_window(reqs: list, window_days: float, horizon: float) -> float:
    """Share of the reqs opened at least ``window_days`` before the horizon that were
    filled within ``window_days`` of opening (nan when no req opened that early)."""
    eligible = [r for r in reqs if r.open_day + window_days <= horizon]
    filled = sum(1 for r in eligible
                 if r.filled_day is not None and r.filled_day - r.open_day <= window_days)
    return _ratio(filled, len(eligible))
