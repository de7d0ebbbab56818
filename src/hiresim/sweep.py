"""Sweeps: many team shapes of one plan, the Pareto frontier, and the team to hire.

Every grid point runs on the same seed and replication numbers (common random numbers),
so a point equals the same scenario run alone, bit for bit, and neighbouring points are
compared on paired differences.

- The Pareto frontier keeps the points that no other point beats on both cost per hire
  (mean) and P80 time-to-fill (pooled Kaplan-Meier): cheaper *and* faster.
- The team to hire is the point with the lowest TA cost per year (the team's salaries
  and tools plus agency fees per year, ``ta_cost_per_year``) whose probability of meeting
  every stated goal in a simulated year is at least ``confidence``.
- The ranking orders every point: those that meet the goals at ``confidence`` first,
  cheapest first, then the rest by their probability of meeting the goals; the first is
  the recommendation.
- "What to buy next": at the chosen point, the paired effect of one more sourcer (a
  combined team becomes hybrid), one more recruiter, and one more interviewer per
  profile, on the same random numbers. A TA hire decided today starts after
  ``team_changes.hire_lead_days`` and ramps up over ``team_changes.ramp_days`` (a
  recruiter hired today is not a full recruiter today).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hiresim.comparison import paired_difference
from hiresim.goals import DEFAULT_CONFIDENCE, Goal, wilson
from hiresim.scenario import Scenario, scenario_to_dict

__all__ = ["DEFAULT_CONFIDENCE"]


@dataclass
class PointResult:
    """One grid point: its settings, per-replication KPIs and summary."""

    name: str
    scenario: Scenario
    settings: dict
    kpis: pd.DataFrame
    summary: dict


SETTING_PATHS = "setting_paths"  # DataFrame.attrs key: safe column name -> dotted path


def setting_column(path: str, taken: set[str]) -> str:
    """A column name for a setting path that every tool accepts unquoted:
    ``profiles[backend].openings.count`` -> ``profiles_backend_openings_count``."""
    base = re.sub(r"[^0-9A-Za-z]+", "_", path).strip("_").lower() or "setting"
    if base[0].isdigit():
        base = f"s_{base}"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    return name


def setting_values(values: Sequence[object]) -> pd.Series:
    """The values of one varied setting with their own type: whole numbers as int64,
    numbers as float64, text as str, true/false as bool; mixed values (such as 2 and
    'unlimited') and distributions as their JSON text."""
    if all(isinstance(v, bool) for v in values):
        return pd.Series(values, dtype="bool")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pd.Series(values, dtype="int64")
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return pd.Series(values, dtype="float64")
    if all(isinstance(v, str) for v in values):
        return pd.Series(values, dtype="str")
    return pd.Series([json.dumps(v, sort_keys=True) if not isinstance(v, str) else v
                      for v in values], dtype="str")


def sweep_table(points: Sequence[PointResult]) -> pd.DataFrame:
    """One row per point and replication: ``scenario``, ``point``, one column per varied
    setting (safe names, own types; ``attrs["setting_paths"]`` maps each to its dotted
    path), then ``replication``, ``seed`` and every KPI; the table of ``sweep.parquet``."""
    paths = list(points[0].settings) if points else []
    taken = {"scenario", "point", *(c for p in points for c in p.kpis.columns)}
    columns: dict[str, str] = {}
    for path in paths:
        columns[path] = setting_column(path, taken)
        taken.add(columns[path])
    frames = []
    for p in points:
        frame = p.kpis.copy()
        if "scenario" not in frame:
            frame.insert(0, "scenario", pd.Series([p.name] * len(frame), dtype="str"))
        frame.insert(1, "point", pd.Series([p.name] * len(frame), index=frame.index,
                                           dtype="str"))
        frames.append(frame)
    tidy = pd.concat(frames, ignore_index=True)
    for i, path in enumerate(paths):
        repeated = [p.settings[path] for p in points for _ in range(len(p.kpis))]
        tidy.insert(2 + i, columns[path], setting_values(repeated))
    tidy.attrs[SETTING_PATHS] = {column: path for path, column in columns.items()}
    return tidy


def goals_met(kpis: pd.DataFrame, goals: Sequence[Goal]) -> np.ndarray:
    """Per replication: does it meet every goal?"""
    met = np.ones(len(kpis), dtype=bool)
    for goal in goals:
        met &= goal.met(kpis)
    return met


def point_row(point: PointResult, goals: Sequence[Goal]) -> dict:
    """The summary row of a point for the sweep table."""
    m = point.summary
    row = {"point": point.name, **point.settings}
    row.update({
        "team_cost_per_year": m["team_cost_per_year"]["mean"],
        "cost_per_hire": m["cost_per_hire"]["mean"],
        "time_to_fill_p50": m["time_to_fill_days"]["p50"],
        "time_to_fill_p80": m["time_to_fill_days"]["p80"],
        "fill_rate": m["fill_rate"]["mean"],
        "hires": m["hires"]["mean"],
        "utilization_recruiter": m["utilization_recruiter"]["mean"],
        "utilization_sourcer": m["utilization_sourcer"]["mean"],
        "recruiters": point.scenario.recruiter_count,
        "sourcers": point.scenario.sourcer_count,
    })
    sim = point.scenario.simulation
    years = (sim.horizon_days - sim.warmup_days) / 365.0
    fees = (m.get("cost_agency_fees") or {}).get("mean") or 0.0
    row.update({
        "coordinators": point.scenario.coordinator_count,
        "hires_per_ta_head": (m.get("hires_per_ta_head") or {}).get("mean"),
        "cost_agency_fees": fees,
        # what the recommendation minimises: the team plus agency fees, per year
        "ta_cost_per_year": (row["team_cost_per_year"] or 0.0) + fees / years,
    })
    if goals:
        met = goals_met(point.kpis, goals)
        low, high = wilson(int(met.sum()), int(met.size))
        row.update({"goal_probability": float(met.mean()) if met.size else None,
                    "goal_ci_low": low, "goal_ci_high": high})
    return row


def pareto_front(rows: Sequence[dict]) -> list[str]:
    """Names of the points not dominated on (cost per hire, P80 time-to-fill)."""
    usable = [r for r in rows
              if r["cost_per_hire"] is not None and r["time_to_fill_p80"] is not None]
    front = []
    for r in usable:
        dominated = any(
            o is not r
            and o["cost_per_hire"] <= r["cost_per_hire"]
            and o["time_to_fill_p80"] <= r["time_to_fill_p80"]
            and (o["cost_per_hire"] < r["cost_per_hire"]
                 or o["time_to_fill_p80"] < r["time_to_fill_p80"])
            for o in usable
        )
        if not dominated:
            front.append(r["point"])
    return sorted(front, key=lambda name: next(r["cost_per_hire"] for r in usable
                                               if r["point"] == name))


def cheapest_meeting(rows: Sequence[dict], confidence: float) -> dict | None:
    """The row with the lowest team cost whose goal probability reaches ``confidence``."""
    ok = [r for r in rows if (r.get("goal_probability") or 0.0) >= confidence]
    if not ok:
        return None
    return min(ok, key=_cost_key)


def _cost_key(r: dict) -> tuple[float, float]:
    return (r.get("ta_cost_per_year", r["team_cost_per_year"]), r["cost_per_hire"] or np.inf)


def ranking(rows: Sequence[dict], confidence: float) -> list[dict]:
    """Every point ranked: meeting the goals at ``confidence`` first (cheapest TA cost per
    year first), then the others by goal probability (highest first), then cost. Without
    goals: by TA cost per year. Rank 1 is the recommendation when it meets the goals."""
    def key(r: dict) -> tuple:
        p = r.get("goal_probability")
        meets = p is not None and p >= confidence
        return (not meets, 0.0 if meets else -(p or 0.0), *_cost_key(r))

    ordered = sorted(rows, key=key)
    return [{"rank": i + 1, "point": r["point"], "goal_probability": r.get("goal_probability"),
             "meets_goals": r.get("goal_probability") is not None
             and r["goal_probability"] >= confidence,
             "ta_cost_per_year": r.get("ta_cost_per_year", r["team_cost_per_year"]),
             "cost_per_hire": r["cost_per_hire"], "time_to_fill_p80": r["time_to_fill_p80"],
             "hires_per_ta_head": r.get("hires_per_ta_head")}
            for i, r in enumerate(ordered)]


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
        data["name"] = f"{scenario.name} + {label.replace('one more ', '1 ')}"
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


def marginal_effects(chosen: PointResult, variants: dict[str, PointResult],
                     goals: Sequence[Goal]) -> list[dict]:
    """Paired effect of each purchase on P80 time-to-fill, cost per hire and the goal."""
    base = chosen.kpis.set_index("replication")
    out = []
    m = max(1, len(variants))
    for label, point in variants.items():
        other = point.kpis.set_index("replication")
        effect = {
            "buy": label,
            "team_cost_per_year": (point.summary["team_cost_per_year"]["mean"] or 0.0)
            - (chosen.summary["team_cost_per_year"]["mean"] or 0.0),
            "time_to_fill_p80": paired_difference(base["time_to_fill_p80"],
                                                  other["time_to_fill_p80"], m),
            "cost_per_hire": paired_difference(base["cost_per_hire"], other["cost_per_hire"], m),
        }
        if goals:
            before = goals_met(chosen.kpis, goals).mean()
            after = goals_met(point.kpis, goals).mean()
            effect["goal_probability_change"] = float(after - before)
        out.append(effect)
    return out
