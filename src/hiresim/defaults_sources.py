"""Where each default value of a scenario comes from (docs/model.md, section 6).

Keyed by the generic dotted path of a setting (list items as ``[*]``); the value is the
source of the *default* used when a file leaves the key out: a published benchmark named
in words, ``"assumption"`` where no published figure exists, or a plain description of a
modelling choice. A default inside a list or a distribution takes its parent's entry.
``hiresim explain`` shows these next to every defaulted value.
"""

from __future__ import annotations

ASSUMPTION = "assumption"
WORKLOAD = "assumption, calibrated to published recruiter loads (docs/model.md 2.10)"

DEFAULT_SOURCES: dict[str, str] = {
    "simulation.horizon_days": "planning choice (one year)",
    "simulation.warmup_days": "assumption (the team starts empty on day 0)",
    "simulation.new_candidates_until_day": "modelling choice (never stop)",
    "simulation.replications": "modelling choice (Monte Carlo replications)",
    "simulation.seed": "modelling choice (fixed root seed)",
    "team.work_queue": "modelling choice (section 2.4)",
    "team.sourcers": "none: a combined team has no sourcers",
    "team.benefits_load": "benchmark: BLS ECEC, about 1.45x",
    "team.task_switch_hours": ASSUMPTION,
    "team.sourcer_skill.reply_rate_multiplier":
        "reference: profile reply rates are a dedicated sourcer's",
    "team.sourcer_skill.outreach_hours_multiplier": "reference",
    "team.recruiter_skill.reply_rate_multiplier": ASSUMPTION,
    "team.recruiter_skill.outreach_hours_multiplier": ASSUMPTION,
    "team.handoff.sourcer_hours": ASSUMPTION,
    "team.handoff.recruiter_hours": ASSUMPTION,
    "team.handoff.delay_days": ASSUMPTION,
    "team.handoff.context_loss": ASSUMPTION,
    "team.pipeline_ahead_days": "modelling choice (no pipeline ahead)",
    "team.recruiters.hours_per_week": ASSUMPTION,
    "team.recruiters.max_reqs": "modelling choice (no limit)",
    "team.recruiters.annual_salary": "none: 0 leaves salaries out of cost per hire",
    "team.recruiters.tool_seat_per_year": "none: 0 leaves tools out of cost per hire",
    "team.sourcers.hours_per_week": ASSUMPTION,
    "team.sourcers.max_reqs": "modelling choice (no limit)",
    "team.sourcers.annual_salary": "none: 0 leaves salaries out of cost per hire",
    "team.sourcers.tool_seat_per_year": "none: 0 leaves tools out of cost per hire",
    "effort.intake_hours": ASSUMPTION,
    "effort.outreach_hours": ASSUMPTION,
    "effort.follow_up_hours": ASSUMPTION,
    "effort.qualification_call_hours": ASSUMPTION,
    "effort.application_review_hours": ASSUMPTION,
    "effort.screen_hours": ASSUMPTION,
    "effort.scheduling_hours": ASSUMPTION,
    "effort.debrief_hours": ASSUMPTION,
    "effort.offer_hours": ASSUMPTION,
    "outreach.touches": ASSUMPTION,
    "outreach.touch_gap_days": ASSUMPTION,
    "outreach.reply_share_by_touch":
        "benchmark: Lever 2018, ~50% of replies after touch 1, ~85% by touch 2",
    "outreach.reply_delay_days": ASSUMPTION,
    "outreach.prospects_per_req_per_week": "assumption (the shipped scenarios use 8)",
    "outreach.max_active_per_req": ASSUMPTION,
    "candidates.patience_days":
        "median: benchmark, SR Group 2023 (~22 days); the spread (p90 45) is an assumption",
    "candidates.offer_response_days": ASSUMPTION,
    "candidates.acceptance_grace_days": ASSUMPTION,
    "candidates.acceptance_drop_per_week": ASSUMPTION,
    "costs.job_ad_per_req_per_month": ASSUMPTION,
    "costs.other_external_per_year": "none: no other external costs",
    "description": "none",
    "profiles[*].openings.first_day": "modelling choice (day 0)",
    "profiles[*].openings.last_day": "modelling choice (day 0: every req opens at once)",
    "profiles[*].openings.spacing": "modelling choice (even)",
    "profiles[*].openings.positions_per_req": "modelling choice (one hire per req)",
    "profiles[*].annual_salary": "assumption (used only for agency fees)",
    "profiles[*].inbound.applications_per_week": ASSUMPTION,
    "profiles[*].inbound.reviewed": "modelling choice (applications are reviewed)",
    "profiles[*].inbound.review_pass_rate": ASSUMPTION,
    "profiles[*].sourced.reply_rate": ASSUMPTION,
    "profiles[*].sourced.interest_rate": ASSUMPTION,
    "profiles[*].sourced.qualify_rate": ASSUMPTION,
    "profiles[*].screen_pass_rate": ASSUMPTION,
    "profiles[*].interview_rounds": ASSUMPTION,
    "profiles[*].interview_rounds[*].interviewer_hours": ASSUMPTION,
    "profiles[*].interview_rounds[*].panel_size": "modelling choice (one interviewer)",
    "profiles[*].interview_rounds[*].lead_days": ASSUMPTION,
    "profiles[*].decision_pass_rate": ASSUMPTION,
    "profiles[*].offer_acceptance": "benchmark: Saratoga/PwC 2022 average 84%",
    "profiles[*].interviewers.count": ASSUMPTION,
    "profiles[*].interviewers.hours_per_week": ASSUMPTION,
    "profiles[*].interviewers.hourly_cost": ASSUMPTION,
    "team.coordinators": "none: no recruiting coordinators (docs/model.md 2.12)",
    "team.coordinators.hours_per_week": ASSUMPTION,
    "team.coordinators.max_reqs": "modelling choice (no limit)",
    "team.coordinators.annual_salary": "none: 0 leaves salaries out of cost per hire",
    "team.coordinators.tool_seat_per_year": "none: 0 leaves tools out of cost per hire",
    "team.lead_routing": "modelling choice (to the req's recruiter, 2.12)",
    "team.sourcer_assignment": "modelling choice (pooled sourcers, 2.12)",
    "team.recruiter_sourcing": "modelling choice (when idle, 2.12)",
    "team.recruiter_sourcing_share": ASSUMPTION,
    "team_changes": "none: the team stays as it is all year",
    "agencies": "none: no agency or RPO",
    "team_changes.ramp_days": "Gem 2022: about 90 days to ramp (an assumption here)",
    "team_changes.ramp_start_productivity": ASSUMPTION,
    "team_changes.hire_lead_days": "Gem 2022: about 45 days to hire a recruiter",
    "team_changes.joiners[*].ramp_days": "team_changes.ramp_days",
    "team_changes.attrition.annual_rate": "none: no attrition unless set",
    "team_changes.attrition.backfill_days": ASSUMPTION,
    "agencies[*].kind": "modelling choice (sourcing-only agency)",
    "agencies[*].profiles": "none: every profile (as overflow)",
    "agencies[*].engage_after_days": "modelling choice (from the req's opening)",
    "agencies[*].capacity_per_month": ASSUMPTION,
    "agencies[*].first_submittal_days": ASSUMPTION,
    "agencies[*].quality": "modelling choice (as good as the team's own sourcing)",
    "agencies[*].fee_share_of_salary": "agency price lists 2025-26: 15-25% of first-year base",
    "simulation.start_date": "none: days are counted from day 0 (docs/model.md 3.5)",
    "profiles[*].openings.from_": "none: openings by day numbers (first_day, last_day)",
    "profiles[*].openings.to": "none: openings by day numbers (first_day, last_day)",
    "profiles[*].openings.plan": "none: openings from first_day/last_day, not a plan",
    "profiles[*].openings.plan[*].priority": "none: the plan gives no priority",
    "profiles[*].openings.plan[*].row": "the plan file's row (for messages)",
    "plan": "none: no hiring plan file (docs/model.md 3.5)",
    "profiles_left_out": "none: every profile a variant drops is warned about (docs/model.md 6.9)",
    "simulation.fill_window_days": "modelling choice (90 days: a quarter)",
    "workload.recruiter_hours_per_req_per_week": WORKLOAD,
    "workload.recruiter_hours_per_candidate_per_week": WORKLOAD,
    "workload.sourcer_hours_per_req_per_week": WORKLOAD,
    "candidates.pool_reengage_rate": "assumption (docs/model.md 4.10)",
    "candidates.pool_half_life_days": ASSUMPTION,
    "profiles[*].sourced.market_size": "off: an unlimited market unless set (4.10)",
    "profiles[*].sourced.recontact_after_days": ASSUMPTION,
    "profiles[*].acceptance_drop_per_week": "the candidates section's value",
    "profiles[*].dropout.hazard_per_week":
        "calibrated: 10-30% of screened candidates withdraw (Jobma; Gem 2022), 4.9",
    "profiles[*].dropout.shape": ASSUMPTION,
    "profiles[*].interviewers.scheduling": "modelling choice (weekly slots, docs/model.md 2.11)",
    "profiles[*].interviewers.slots_per_week": "hours per week / interview length",
    "profiles[*].interviewers.panel_window_days": ASSUMPTION,
}


def default_source(generic: str) -> str | None:
    """The source of the default at ``generic`` (or of its nearest listed parent)."""
    path = generic
    while path:
        if path in DEFAULT_SOURCES:
            return DEFAULT_SOURCES[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def default_sections() -> dict[str, dict]:
    """The model's default values as plain data, per scenario section (``profiles`` is
    one default role profile); required fields (counts, names, structure) are left out."""
    from hiresim import scenario as sc

    team = sc.Team(structure="split", recruiters=sc.StaffRole(count=1),
                   sourcers=sc.StaffRole(count=1)).model_dump(mode="json")
    del team["structure"], team["recruiters"]["count"], team["sourcers"]["count"]
    profile = sc.RoleProfile(name="x", openings=sc.Openings(count=1)).model_dump(mode="json")
    del profile["name"], profile["openings"]["count"]
    return {"simulation": sc.Simulation().model_dump(mode="json"), "team": team,
            "effort": sc.Effort().model_dump(mode="json"),
            "outreach": sc.Outreach().model_dump(mode="json"),
            "candidates": sc.CandidateBehaviour().model_dump(mode="json"),
            "costs": sc.Costs().model_dump(mode="json"), "profiles": profile}
