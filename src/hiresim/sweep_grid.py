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
- "What to buy next" (``hiresim.purchases``): at the chosen point, or the closest one when
  none meets the goals, the paired effect of one more sourcer (a combined team becomes
  hybrid), one more recruiter and one more interviewer of each profile, priced per year,
  on the same random numbers. A TA hire decided today starts after
  ``team_changes.hire_lead_days`` and ramps up over ``team_changes.ramp_days`` (a
  recruiter hired today is not a full recruiter today).
- Next steps when no shape meets the goals: the closest shape, the purchase that helps
  most per dollar from there, and the goal each shape does meet with the confidence.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hiresim.goals import DEFAULT_CONFIDENCE, Goal, wilson
from hiresim.scenario import Scenario

__all__ = ["DEFAULT_CONFIDENCE", "ROW_FIELDS"]

#: The fields of a point's summary row other than its varied settings.
ROW_FIELDS = frozenset({
    "point", "team_cost_per_year", "cost_per_hire", "time_to_fill_p50", "time_to_fill_p80",
    "fill_rate", "hires", "utilization_recruiter", "utilization_sourcer", "replications",
    "recruiters", "sourcers", "goal_probability", "goal_ci_low", "goal_ci_high",
})


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
        "replications": int(len(point.kpis)),
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


def planned_team_cost(scenario: Scenario) -> float:
    """Cost per year of a shape's team, from its scenario (US$), as the
    ``team_cost_per_year`` KPI counts it for a team that does not change during the year:
    recruiters, sourcers and coordinators at head count x (salary x benefits load + tool
    seat), plus the interviewer time reserved in weekly slots (interviewers x slots per
    week x slot hours x hourly cost x 365 / 7), so one more interviewer has a price. Fluid
    interviewer time is paid per hour used (``cost_interviewers``), not reserved, and
    joiners and leavers are counted by the KPI only while on the team."""
    team = scenario.team
    total = 0.0
    for spec in (team.recruiters, team.sourcers, team.coordinators):
        if spec is not None:
            total += spec.headcount * (spec.annual_salary * team.benefits_load
                                       + spec.tool_seat_per_year)
    for profile in scenario.profiles:
        iv = profile.interviewers
        if (iv.scheduling == "slots" and iv.count != "unlimited" and iv.count > 0
                and profile.interview_rounds and profile.interview_slot_hours > 0.0):
            total += (iv.hourly_cost * iv.count * profile.interview_slots_per_week
                      * profile.interview_slot_hours * 365.0 / 7.0)
    return total


def closest_row(rows: Sequence[dict], points: Sequence[PointResult] = (),
                goals: Sequence[Goal] = ()) -> dict | None:
    """The row most likely to meet the goals; among equally likely rows (e.g. every one at
    0%), the one whose median of the first goal's metric is nearest to meeting it; then
    the cheapest. None without goals."""
    usable = [r for r in rows if r.get("goal_probability") is not None]
    if not usable:
        return None
    medians: dict[str, float] = {}
    if goals:
        goal = goals[0]
        for point in points:
            values = point.kpis[goal.column].to_numpy(dtype=float)
            lower = goal.op in ("<=", "<")
            filled = np.where(np.isnan(values), np.inf if lower else -np.inf, values)
            median = float(np.median(filled)) if filled.size else math.inf
            medians[point.name] = median if lower else -median
    return min(usable, key=lambda r: (-r["goal_probability"],
                                      medians.get(r["point"], 0.0),
                                      r["team_cost_per_year"]))


def reachable_goal(point: PointResult, goal: Goal, confidence: float) -> float | None:
    """The tightest value of ``goal``'s metric that ``point`` meets in ``confidence`` of
    its replications: for ``<=`` the ``confidence`` quantile of the metric (a replication
    that never reaches it counts as not meeting any value), for ``>=`` the 1 - confidence
    quantile. None when fewer than ``confidence`` of replications have a value."""
    values = point.kpis[goal.column].to_numpy(dtype=float)
    if values.size == 0:
        return None
    lower = goal.op in ("<=", "<")
    filled = np.where(np.isnan(values), np.inf if lower else -np.inf, values)
    q = float(np.quantile(filled, confidence if lower else 1 - confidence,
                          method="higher" if lower else "lower"))
    return q if np.isfinite(q) else None


def next_steps(rows: Sequence[dict], goals: Sequence[Goal], confidence: float,
               effects: Sequence[dict], points: Sequence[PointResult] = ()) -> dict:
    """When no shape meets the goals: the closest shape, the purchase from there that
    helps most per dollar, and the goal each shape *can* meet with ``confidence``."""
    closest = closest_row(rows, points, goals)
    helping = [e for e in effects if e.get("gain_per_100k") is not None]
    best = max(helping, key=lambda e: e["gain_per_100k"]) if helping else None
    reachable: list[dict] = []
    for goal in goals:  # each goal on its own: the tightest value each shape meets
        found: list[dict[str, Any]] = []
        for point in points:
            value = reachable_goal(point, goal, confidence)
            if value is not None:
                found.append({"point": point.name, "metric": goal.text.split(
                    goal.op)[0].strip(), "op": goal.op, "value": value,
                    "team_cost_per_year": planned_team_cost(point.scenario)})
        found.sort(key=lambda r: (r["value"] if goal.op in ("<=", "<") else -r["value"],
                                  r["team_cost_per_year"]))
        reachable.extend(found[:5])
    return {"closest": None if closest is None else closest["point"],
            "closest_probability": None if closest is None else closest["goal_probability"],
            "best_buy": None if best is None else best["buy"],
            "best_buy_cost": None if best is None else best["cost_per_year"],
            "best_buy_effect": None if best is None else best["effect"],
            "best_buy_clear": None if best is None else best["clear"],
            "reachable": reachable}


def goal_value(value: float) -> str:
    """A reachable goal's value as --goal takes it: whole days or money, two significant
    digits for shares and ratios below 10 (``fill_rate>=0.85``, not ``>=1``)."""
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.2g}"


def _goal_syntax(metric: str, op: str, value: float) -> str:
    return f"'{metric}{op}{goal_value(value)}'"


def next_steps_sentences(steps: dict, confidence: float,
                         goal_text: Callable[[str, str, float], str] = _goal_syntax
                         ) -> list[str]:
    """The next steps in words (text output and report); ``goal_text`` writes a goal
    (default: as --goal takes it)."""
    out = []
    if steps.get("closest"):
        out.append(f"Closest: {steps['closest']}, which meets the goals in "
                   f"{100 * (steps['closest_probability'] or 0):.0f}% of simulated years.")
    if steps.get("best_buy"):
        d = steps["best_buy_effect"] or {}
        how = "" if d.get("mean") is None else (
            f" (goal KPI {d['mean']:+.1f}"
            + (f" [{d['ci_low']:+.1f}, {d['ci_high']:+.1f}]" if d.get("ci_low") is not None
               else "") + ")")
        out.append(f"From there, the change that comes closest per dollar is "
                   f"{steps['best_buy']} (${steps['best_buy_cost']:,.0f} a year){how}"
                   + ("" if steps.get("best_buy_clear") else
                      "; its effect is not clear at this number of replications") + ".")
    reach = steps.get("reachable") or []
    by_metric: dict[tuple[str, str], list[dict]] = {}
    for r in reach:
        by_metric.setdefault((r["metric"], r["op"]), []).append(r)
    alone = " alone" if len(by_metric) > 1 else ""
    for found in by_metric.values():
        r = found[0]
        cheaper = min(found, key=lambda x: x["team_cost_per_year"])
        out.append(f"Reachable{alone}: {goal_text(r['metric'], r['op'], r['value'])} is met "
                   f"with {100 * confidence:.0f}% probability by {r['point']} "
                   f"(${r['team_cost_per_year']:,.0f} a year)"
                   + (f"; {goal_text(cheaper['metric'], cheaper['op'], cheaper['value'])} "
                      f"by {cheaper['point']} (${cheaper['team_cost_per_year']:,.0f} a year)"
                      if cheaper is not r else "") + ".")
    return out
