"""What one more person buys: the bottleneck named by its effect, not by how busy it is.

For a team, each *purchase* is one more person in one role: one more sourcer, one more
recruiter, one more interviewer for each profile, and, for each agency the scenario
uses, ``AGENCY_STEP`` more submittals a month from it (about one more agency recruiter's
worth at the default capacity). Each is run on the same seed and replication numbers as the team
(common random numbers), so its effect on the goal KPI is a paired difference per
replication with a Student-t interval, Bonferroni-adjusted over the purchases so that all
of them hold together with 95% confidence.

Prices, in US$ per year of the added person:

- a sourcer or recruiter: annual salary x benefits load + tool seat (the TA team cost);
- an interviewer: the profile's ``hourly_cost`` x the hours a week they give to
  interviewing x 365 / 7, the engineers' loaded rate (never $0): with interview slots the
  hours reserved in slots (slots a week x slot length), as the ``team_cost_per_year`` KPI
  and the sweep's ranking count them, else ``hours_per_week``;
- more agency capacity: the extra agency fees it brings, per year (paid per hire, so
  known only from the runs: the mean paired difference of ``cost_agency_fees`` x 365 /
  the simulated window's days). When it brings no extra fees it has no per-dollar figure.

The *bottleneck* is the purchase whose effect helps most per dollar (improvement of the
goal KPI per $100k a year) among those whose interval excludes no help (the whole
interval on the helpful side). When none clearly helps, no bottleneck is named: adding
one person of any role does not clearly move the goal KPI. Utilisation stays context.

The goal KPI is the column of the first goal (``time_to_fill_days.p80<=60`` means the
replication's P80 time-to-fill, lower is better) or, with no goal, P80 time-to-fill.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hiresim.goals import Goal
from hiresim.intervals import paired_difference
from hiresim.kpi_catalogue import BY_NAME
from hiresim.kpi_numbers import AMOUNT, EFFECT, bracketed, unit_words, write
from hiresim.scenario import Scenario, scenario_to_dict

WEEKS_PER_YEAR = 365.0 / 7.0
PER_DOLLARS = 100_000.0  # effects per dollar are stated per $100k a year
DEFAULT_KPI = "time_to_fill_p80"
AGENCY_STEP = 4.0  # submittals a month added to an agency (its default capacity)


@dataclass(frozen=True)
class Purchase:
    """One more person in one role: the changed scenario and its price per year (US$)."""

    label: str  # 'one more recruiter', 'one more backend interviewer'
    role: str  # 'sourcer', 'recruiter', 'interviewers:backend'
    scenario: Scenario
    cost_per_year: float


def goal_kpi(goals: Sequence[Goal]) -> tuple[str, bool]:
    """The KPI a purchase is judged on and whether lower is better."""
    if goals:
        goal = goals[0]
        return goal.column, goal.op in ("<=", "<")
    return DEFAULT_KPI, True


def _staff_price(spec: dict, load: float) -> float:
    return float(spec.get("annual_salary", 0.0)) * load + float(
        spec.get("tool_seat_per_year", 0.0))


def purchases(scenario: Scenario) -> list[Purchase]:
    """Every purchase of one more person for a team (unlimited pools are left out)."""
    base = scenario_to_dict(scenario)
    team = base["team"]
    load = float(team.get("benefits_load", 1.0))
    out: list[tuple[str, str, dict, float]] = []
    staff = neighbours(scenario)  # a TA hire joins later and ramps up (team_changes)
    sourcers = team.get("sourcers") or team["recruiters"]  # priced like a recruiter if new
    for label, role, spec in (("one more sourcer", "sourcer", sourcers),
                              ("one more recruiter", "recruiter", team["recruiters"])):
        if label in staff:
            out.append((label, role, scenario_to_dict(staff[label]), _staff_price(spec, load)))
    for i, profile in enumerate(base["profiles"]):
        pool = profile["interviewers"]
        if pool["count"] == "unlimited":
            continue
        data = copy.deepcopy(base)
        data["profiles"][i]["interviewers"]["count"] += 1
        profile_spec = scenario.profiles[i]
        hours = (profile_spec.interview_slots_per_week * profile_spec.interview_slot_hours
                 if pool.get("scheduling") == "slots" and profile_spec.interview_rounds
                 and profile_spec.interview_slot_hours > 0 else float(pool["hours_per_week"]))
        price = float(pool["hourly_cost"]) * hours * WEEKS_PER_YEAR
        out.append((f"one more {profile['name']} interviewer",
                    f"interviewers:{profile['name']}", data, price))
    for j, agency in enumerate(base.get("agencies") or []):
        data = copy.deepcopy(base)
        data["agencies"][j]["capacity_per_month"] += AGENCY_STEP
        out.append((f"{AGENCY_STEP:g} more submittals a month from {agency['name']}",
                    f"agency:{agency['name']}", data, 0.0))  # priced from the runs
    result = []
    for label, role, data, price in out:
        short = label.replace("one more ", "1 ").replace(" submittals a month from ", " from ")
        data["name"] = f"{scenario.name} + {short}"
        result.append(Purchase(label, role, Scenario.model_validate(data), price))
    return result


def purchase_effects(base: pd.DataFrame, variants: Mapping[str, pd.DataFrame],
                     bought: Sequence[Purchase], goals: Sequence[Goal] = ()) -> list[dict]:
    """Paired effect of each purchase on the goal KPI, P80 time-to-fill and cost per hire.

    ``base`` and each of ``variants`` (by purchase label) are per-replication KPI tables
    with a ``replication`` column, run on the same seed. Each row: ``buy``, ``role``,
    ``cost_per_year`` (its price), ``kpi`` (the goal KPI) and ``effect`` (paired
    difference, variant minus base), ``gain_per_100k`` (improvement per $100k a year with
    ``gain_low``/``gain_high``: positive helps), ``clear`` (the interval is wholly on the
    helpful side), the paired ``time_to_fill_p80`` and ``cost_per_hire`` differences, the
    change of TA team cost per year, and, with goals, ``goal_probability_change``.
    """
    from hiresim.sweep_grid import goals_met

    kpi, lower = goal_kpi(goals)
    sign = -1.0 if lower else 1.0
    a = base.set_index("replication")
    m = max(1, len(bought))
    rows = []
    for p in bought:
        b = variants[p.label].set_index("replication")
        price = agency_price(p, a, b) if p.role.startswith("agency:") else p.cost_per_year
        effect = paired_difference(a[kpi], b[kpi], m)
        gain = gain_low = gain_high = None
        if effect["mean"] is not None:
            scale = PER_DOLLARS / price if price > 0 else None
            bounds = sorted(sign * v for v in (effect["ci_low"], effect["ci_high"])
                            if v is not None)
            if scale is not None:
                gain = sign * effect["mean"] * scale
                if bounds:
                    gain_low, gain_high = bounds[0] * scale, bounds[-1] * scale
        low, high = effect.get("ci_low"), effect.get("ci_high")
        clear = low is not None and high is not None and (
            (high < 0) if lower else (low > 0))
        row = {
            "buy": p.label, "role": p.role, "cost_per_year": price,
            "kpi": kpi, "effect": effect, "clear": bool(clear),
            "gain_per_100k": gain, "gain_low": gain_low, "gain_high": gain_high,
            "team_cost_per_year": _mean_change(a, b, "team_cost_per_year"),
            "time_to_fill_p80": paired_difference(a["time_to_fill_p80"],
                                                  b["time_to_fill_p80"], m),
            "cost_per_hire": paired_difference(a["cost_per_hire"], b["cost_per_hire"], m),
        }
        if goals:
            before = goals_met(base, goals).mean() if len(base) else np.nan
            after = goals_met(variants[p.label], goals).mean() if len(b) else np.nan
            row["goal_probability_change"] = float(after - before)
        rows.append(row)
    return rows


def agency_price(p: Purchase, a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Extra agency fees per year that more agency capacity brings (US$; paired mean)."""
    sim = p.scenario.simulation
    years = (sim.horizon_days - sim.warmup_days) / 365.0
    return _mean_change(a, b, "cost_agency_fees") / years if years > 0 else 0.0


def _mean_change(a: pd.DataFrame, b: pd.DataFrame, column: str) -> float:
    if column not in a or column not in b:
        return 0.0
    return float(np.nanmean(b[column].to_numpy(dtype=float))
                 - np.nanmean(a[column].to_numpy(dtype=float)))


def bottleneck(effects: Sequence[dict]) -> dict | None:
    """The purchase that clearly helps most per dollar, or None when none clearly helps."""
    helping = [e for e in effects if e["clear"]]
    if not helping:
        return None
    return max(helping, key=lambda e: (np.inf if e["gain_per_100k"] is None
                                       else e["gain_per_100k"]))


def _kpi_words(kpi: str) -> str:
    words = {"time_to_fill_p50": "median time-to-fill", "time_to_fill_p80":
             "P80 time-to-fill", "time_to_fill_p90": "P90 time-to-fill"}
    return words.get(kpi, BY_NAME[kpi].sentence_words if kpi in BY_NAME else kpi)


def _kind(kpi: str) -> str:
    return BY_NAME[kpi].kind if kpi in BY_NAME else ""


def role_words(role: str) -> str:
    """'sourcer' -> 'sourcers'; 'interviewers:backend' -> 'backend interviewers';
    'agency:Acme' -> 'capacity of the agency Acme'."""
    if role.startswith("interviewers:"):
        return f"{role.split(':', 1)[1]} interviewers"
    if role.startswith("agency:"):
        return f"capacity of the agency {role.split(':', 1)[1]}"
    return {"sourcer": "sourcers", "recruiter": "recruiters"}.get(role, role)


def effect_words(e: dict) -> str:
    """'one more recruiter ($177,000 a year): P80 time-to-fill -6.2 days [-9.0, -3.1]'."""
    d = e["effect"]
    kpi = e["kpi"]
    kind = _kind(kpi)
    head = f"{e['buy']} ({write(e['cost_per_year'], 'money', AMOUNT)} a year)"
    if d["mean"] is None:
        return f"{head}: {_kpi_words(kpi)} could not be compared"
    text = f"{head}: {_kpi_words(kpi)} {write(d['mean'], kind, EFFECT)}{unit_words(kind)}"
    if d.get("ci_low") is not None:
        text += f" {bracketed(d['ci_low'], d['ci_high'], kind, EFFECT)}"
    return text


def bottleneck_summary(effects: Sequence[dict]) -> dict:
    """The bottleneck and a sentence naming it, for the report files and headlines."""
    top = bottleneck(effects)
    if not effects:
        return {"role": None, "buy": None, "sentence": "", "effects": []}
    confidence = effects[0]["effect"].get("confidence", 0.95)
    level = f"{100 * confidence:.4g}%"
    kpi = _kpi_words(effects[0]["kpi"])
    if top is None:
        sentence = (f"No single added person clearly changes {kpi} (paired, {level} "
                    "intervals): " + "; ".join(effect_words(e) for e in effects) + ".")
    else:
        per = ("" if top["gain_per_100k"] is None else
               f", {abs(top['gain_per_100k']):.1f}{unit_words(_kind(top['kpi']))} per $100k a year")
        others = [effect_words(e) for e in effects if e is not top]
        sentence = (f"Bottleneck by effect: {role_words(top['role'])}: "
                    f"{effect_words(top)}{per}, the most per dollar of the purchases "
                    f"that clearly help ({level} intervals)"
                    + (f"; {'; '.join(others)}" if others else "") + ".")
    return {"role": None if top is None else top["role"],
            "buy": None if top is None else top["buy"], "sentence": sentence,
            "effects": list(effects)}


def neighbours(scenario: Scenario) -> dict[str, Scenario]:
    """The chosen team plus one sourcer, plus one recruiter, plus one interviewer each.

    A TA hire joins after ``team_changes.hire_lead_days`` and ramps up (a joiner); with
    both that and ``ramp_days`` at 0 the role's count goes up by one instead. One more
    sourcer for a combined team makes it hybrid; without a sourcers section the sourcer
    is priced like a recruiter.
    """
    base = scenario_to_dict(scenario)
    out = {}
    team = base["team"]
    sourcers = team.get("sourcers")
    if team["structure"] == "combined" and (sourcers is None or sourcers["count"] == 0):
        data = copy.deepcopy(base)
        data["team"]["structure"] = "hybrid"
        data["team"]["sourcers"] = sourcers or {k: v for k, v in team["recruiters"].items()
                                                if k != "max_reqs"}
        data["team"]["sourcers"]["count"] = 0
        out["one more sourcer"] = _one_more(data, "sourcer")
    elif team["structure"] != "combined" and sourcers and sourcers["count"] != "unlimited":
        out["one more sourcer"] = _one_more(copy.deepcopy(base), "sourcer")
    if team["recruiters"]["count"] != "unlimited":
        out["one more recruiter"] = _one_more(copy.deepcopy(base), "recruiter")
    data = copy.deepcopy(base)
    changed = False
    for profile in data["profiles"]:
        if profile["interviewers"]["count"] != "unlimited":
            profile["interviewers"]["count"] += 1
            changed = True
    if changed:
        out["one more interviewer per profile"] = data
    result = {}
    for label, data in out.items():
        short = label.replace("one more ", "1 ").replace(" submittals a month from ", " from ")
        data["name"] = f"{scenario.name} + {short}"
        result[label] = Scenario.model_validate(data)
    return result


def _one_more(data: dict, role: str) -> dict:
    """``data`` with one more TA person of ``role``: a joiner on the day a hire decided
    today would start (with the ramp-up), or one more head from day 0 when both the lead
    time and the ramp-up are 0."""
    changes = data["team_changes"]
    if changes["hire_lead_days"] == 0 and changes["ramp_days"] == 0:
        data["team"][f"{role}s"]["count"] += 1
    else:
        changes["joiners"].append({"role": role, "start_day": changes["hire_lead_days"],
                                   "ramp_days": None})
    return data
