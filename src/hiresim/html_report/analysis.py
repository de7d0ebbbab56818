"""Numbers and words for the report, computed from the saved tables (no simulation).

Every function takes plain data (frames, dicts) and returns frames or strings; raw user
text (scenario, role and profile names) is returned unescaped; the figure builders and
the page escape it where they output it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hiresim.goals import GOAL_PATTERN, GoalError, parse_goal
from hiresim.intervals import interval, wilson
from hiresim.intervals import paired_difference as paired_difference  # re-exported
from hiresim.kpi_numbers import PAGE, write
from hiresim.summary_table import SATURATED  # work piles up faster than it is done
from hiresim.survival import (
    censored_fill_times,
    fill_time_quantile,
    filled_share_by,
)

from .data import RunData

SOURCING_ACTIVITIES = ("outreach", "follow_up", "qualification", "handoff_out")

ACTIVITY_LABELS: dict[str, str] = {  # in stacking order: sourcing work first
    "outreach": "Outreach (first message)",
    "follow_up": "Follow-up touches",
    "qualification": "Qualification calls",
    "handoff_out": "Handoff (sourcer side)",
    "intake": "Req intake",
    "application_review": "Application review",
    "handoff_in": "Handoff (recruiter side)",
    "screen": "Screens",
    "scheduling": "Interview scheduling",
    "debrief": "Debriefs",
    "offer": "Offers",
    "interview": "Interviews",
    "req_upkeep": "Req upkeep (syncs, updates, admin)",
    "task_switch": "Task switching",
    "idle": "Not busy",
}

STAGE_LABELS: dict[str, str] = {
    "outreach": "Outreach",
    "qualification": "Qualification call",
    "handoff": "Handoff",
    "application_review": "Application review",
    "screen": "Screen",
    "debrief": "Debrief",
    "offer": "Offer",
    "hired": "Hired",
}

OUTCOME_LABELS: dict[str, str] = {
    "passed": "Passed",
    "failed": "Failed / declined",
    "withdrew": "Withdrew",
    "closed_out": "Closed out (req filled)",
    "in_process": "Still in process",
}

COST_COMPONENTS: tuple[tuple[str, str], ...] = (
    ("cost_salaries", "TA salaries (loaded)"),
    ("cost_tools", "Tools and seats"),
    ("cost_interviewers", "Interviewer time"),
    ("cost_job_ads", "Job ads"),
    ("cost_other_external", "Other external fees"),
    ("cost_agency_fees", "Agency fees"),
)


# ---------------------------------------------------------------------------- numbers

def number(value: Any) -> float | None:
    """A finite float or None."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def money(value: Any) -> str:
    return write(number(value), "money", PAGE)


def pct(value: Any, digits: int = 0) -> str:
    v = number(value)
    return "-" if v is None else f"{100 * v:.{digits}f}%"


def days(value: Any, digits: int = 0) -> str:
    v = number(value)
    return "> horizon" if v is None else f"{v:.{digits}f}"


def plural(n: Any, word: str, many: str | None = None) -> str:
    if n == "unlimited":
        return f"unlimited {many or word + 's'}"
    try:
        k = int(n)
    except (TypeError, ValueError):
        return f"{n} {many or word + 's'}"
    return f"{k} {word if k == 1 else (many or word + 's')}"


# ---------------------------------------------------------------------------- time to fill

def fill_durations(run: RunData) -> tuple[pd.DataFrame, float]:
    """Per counted req: profile, days (to fill, or to the horizon), filled; and the horizon."""
    reqs = run.table("reqs")
    horizon = run.horizon
    if reqs.empty:
        return pd.DataFrame({"profile": [], "days": [], "filled": []}), horizon
    counted = reqs[reqs["counted"].astype(bool)] if "counted" in reqs else reqs
    days, filled = censored_fill_times(counted["open_day"].to_numpy(dtype=float),
                                       counted["filled_day"].to_numpy(dtype=float), horizon)
    out = pd.DataFrame({
        "profile": counted["profile"].astype(str).to_numpy(),
        "days": days,
        "filled": filled,
    })
    return out, horizon


def km_quantile(durations: np.ndarray, filled: np.ndarray, q: float) -> float | None:
    """Kaplan-Meier quantile of days to fill; None where the curve never gets there."""
    value = fill_time_quantile(durations, filled, q)
    return None if math.isnan(value) else value


def km_box(durations: np.ndarray, filled: np.ndarray) -> dict[str, float | None]:
    """Kaplan-Meier P10/P25/P50/P75/P80/P90 (None where the curve never gets there)."""
    d = np.asarray(durations, dtype=float)
    f = np.asarray(filled, dtype=bool)
    out = {f"p{int(q * 100)}": km_quantile(d, f, q) for q in (0.1, 0.25, 0.5, 0.75, 0.8, 0.9)}
    out["n"] = int(d.size)
    out["censored"] = int((~f).sum())
    out["max"] = float(d.max()) if d.size else None
    return out


def km_curve(durations: np.ndarray, filled: np.ndarray, horizon: float,
             points: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """The KM share filled on an even grid of days, 0 to the longest observed time."""
    d = np.asarray(durations, dtype=float)
    top = float(np.nanmax(d)) if d.size else horizon
    grid = np.linspace(0.0, max(top, 1.0), points)
    return grid, filled_share_by(d, np.asarray(filled, dtype=bool), grid)


# ---------------------------------------------------------------------------- team and goals

def team_words(scenario: dict) -> str:
    """'split roles: 1 sourcer and 2 recruiters' or 'combined role: 3 full-cycle recruiters'."""
    team = scenario.get("team") or {}
    recruiters = (team.get("recruiters") or {}).get("count", "?")
    if team.get("structure") == "split":
        sourcers = (team.get("sourcers") or {}).get("count", "?")
        return (f"split roles: {plural(sourcers, 'sourcer')} and "
                f"{plural(recruiters, 'recruiter')}")
    if team.get("structure") == "combined":
        return f"combined role: {plural(recruiters, 'full-cycle recruiter')}"
    if team.get("structure") == "hybrid":
        sourcers = (team.get("sourcers") or {}).get("count", "?")
        return (f"hybrid: {plural(recruiters, 'full-cycle recruiter')} and "
                f"{plural(sourcers, 'sourcer')}")
    return ""


def headcount(scenario: dict) -> dict[str, float | None]:
    """People per staff role as the staff table names them (None: unlimited)."""
    team = scenario.get("team") or {}
    out: dict[str, float | None] = {}

    def count(spec: dict | None) -> float | None:
        value = (spec or {}).get("count")
        return None if value == "unlimited" or value is None else float(value)

    out["recruiter"] = count(team.get("recruiters"))
    if team.get("structure") in ("split", "hybrid") and team.get("sourcers"):
        out["sourcer"] = count(team.get("sourcers"))
    if team.get("coordinators"):
        out["coordinator"] = count(team.get("coordinators"))
    for profile in scenario.get("profiles") or []:
        out[f"interviewer:{profile.get('name')}"] = count(profile.get("interviewers"))
    return out


def hours_per_week(scenario: dict) -> dict[str, float | None]:
    team = scenario.get("team") or {}
    out: dict[str, float | None] = {
        "recruiter": number((team.get("recruiters") or {}).get("hours_per_week")),
        "sourcer": number((team.get("sourcers") or {}).get("hours_per_week")),
        "coordinator": number((team.get("coordinators") or {}).get("hours_per_week")),
    }
    for profile in scenario.get("profiles") or []:
        out[f"interviewer:{profile.get('name')}"] = number(
            (profile.get("interviewers") or {}).get("hours_per_week"))
    return out


def role_label(role: str, scenario: dict | None = None) -> str:
    if role == "recruiter":
        structure = ((scenario or {}).get("team") or {}).get("structure")
        return "Full-cycle recruiters" if structure == "combined" else "Recruiters"
    if role == "sourcer":
        return "Sourcers"
    if role == "coordinator":
        return "Coordinators"
    if role.startswith("interviewer:"):
        return f"Interviewers ({role.split(':', 1)[1]})"
    if role == "interviewers":
        return "Interviewers"
    return role


_OP_WORDS = {"<=": "at most", "<": "under", ">=": "at least", ">": "over"}


def goal_words(text: str, short: bool = False) -> str:
    """'time_to_fill_days.p80<=60' -> 'P80 time-to-fill of at most 60 days' (or, short,
    'the 60-day P80 time-to-fill goal')."""
    match = GOAL_PATTERN.match(text or "")
    if not match:
        return f"the goal {text}" if short else str(text)
    metric, op, raw = match.groups()
    value = float(raw)
    ops = _OP_WORDS[op]
    q = re.fullmatch(r"time_to_fill_days(?:\.p(\d+))?", metric)
    if q:
        which = f"P{q.group(1)}" if q.group(1) else "median"
        if short and op in ("<=", "<"):
            return f"the {value:g}-day {which} time-to-fill goal"
        return f"{which} time-to-fill {ops} {value:g} days"
    if metric.endswith("_rate") or metric.startswith("utilization"):
        words = f"{metric.replace('_', ' ')} {ops} {100 * value:g}%"
    elif metric.startswith("cost") or metric == "team_cost_per_year":
        words = f"{metric.replace('_', ' ')} {ops} ${value:,.0f}"
    elif metric.endswith("_days"):
        words = f"{metric[:-5].replace('_', ' ')} {ops} {value:g} days"
    else:
        words = f"{metric.replace('_', ' ')} {ops} {value:g}"
    return f"the goal “{words}”" if short else words


def goals_phrase(goals: Sequence[str]) -> str:
    if len(goals) == 1:
        return goal_words(goals[0], short=True)
    return "all goals (" + "; ".join(goal_words(g) for g in goals) + ")"


def goal_met(kpis: pd.DataFrame, goal_texts: Sequence[str]) -> pd.Series | None:
    """Per replication (indexed by its number): does the year meet every goal?

    ``hiresim.goals`` reads each goal (``time_to_fill_days.pNN`` is the replication's own
    Kaplan-Meier quantile, ``time_to_fill_days`` its median; a missing value never meets
    a goal). None when a goal cannot be read or names a column the table does not have.
    """
    if kpis.empty or not goal_texts:
        return None
    met = np.ones(len(kpis), dtype=bool)
    for text in goal_texts:
        try:
            goal = parse_goal(text or "", known=set(kpis.columns))
        except GoalError:
            return None
        met &= goal.met(kpis)
    index = kpis["replication"].to_numpy() if "replication" in kpis else None
    return pd.Series(met.astype(float), index=index)


def joint_goal_probability(run: RunData, goal_texts: Sequence[str]) -> dict | None:
    """P(a simulated year meets every goal) from the replications table, with Wilson CI."""
    met_series = goal_met(run.table("replications"), goal_texts)
    if met_series is None:
        return None
    met = met_series.to_numpy() > 0.5
    k, n = int(met.sum()), int(met.size)
    low, high = wilson(k, n)
    return {"probability": k / n if n else None, "ci_low": low, "ci_high": high,
            "replications": n}


def goal_line_value(goal_texts: Sequence[str], metric: str) -> float | None:
    """The threshold of a '<=' goal on ``metric`` (e.g. time_to_fill_days.p80), if any."""
    for text in goal_texts:
        match = GOAL_PATTERN.match(text or "")
        if match and match.group(1) == metric and match.group(2) in ("<=", "<"):
            return float(match.group(3))
    return None


# ---------------------------------------------------------------------------- cost

def cost_breakdown(run: RunData) -> pd.DataFrame:
    """Mean per-hire cost of each component (sums to the mean cost per hire)."""
    kpis = run.table("replications")
    rows = []
    if kpis.empty or "hires" not in kpis:
        return pd.DataFrame(columns=["component", "label", "per_hire", "per_year"])
    hires = kpis["hires"].to_numpy(dtype=float)
    ok = hires > 0
    years = max(run.horizon - run.warmup, 1e-9) / 365.0
    for key, label in COST_COMPONENTS:
        if key not in kpis:
            continue
        values = kpis[key].to_numpy(dtype=float)
        if key == "cost_agency_fees" and not values.any():
            continue  # no agency: no empty component
        per_hire = float(np.mean(values[ok] / hires[ok])) if ok.any() else float("nan")
        rows.append({"component": key, "label": label, "per_hire": per_hire,
                     "per_year": float(np.mean(values)) / years})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- staff time

def utilisation(run: RunData) -> pd.DataFrame:
    """Per staff role: mean share of available hours busy, with a 95% interval."""
    staff = run.table("staff")
    heads = headcount(run.scenario)
    hpw = hours_per_week(run.scenario)
    rows = []
    reps = run.table("replications")
    replications = (reps["replication"].to_numpy() if "replication" in reps and len(reps)
                    else np.arange(run.replications))
    busy = (staff.groupby(["role", "replication"])["hours"].sum()
            if not staff.empty else pd.Series(dtype=float))
    for role, heads_n in heads.items():
        per_week = hpw.get(role)
        if not heads_n or not per_week:
            continue
        available = heads_n * per_week * run.horizon / 7.0
        values = []
        for k in replications:
            values.append(float(busy.get((role, k), 0.0)) / available)
        ci = interval(values)
        rows.append({"role": role, "label": role_label(role, run.scenario), **ci})
    return pd.DataFrame(rows, columns=["role", "label", "mean", "ci_low", "ci_high", "n"])


def activity_hours(run: RunData) -> pd.DataFrame:
    """Per role and activity: hours per person per week (plus 'idle' up to their hours)."""
    staff = run.table("staff")
    heads = headcount(run.scenario)
    hpw = hours_per_week(run.scenario)
    reps = max(run.replications, 1)
    weeks = run.horizon / 7.0
    rows = []
    for role, heads_n in heads.items():
        part = staff[staff["role"] == role] if not staff.empty else staff
        per_person = heads_n if heads_n else None
        totals: dict[str, float] = (
            {str(k): float(v) for k, v in part.groupby("activity")["hours"].sum().items()}
            if not part.empty else {})
        busy_total = 0.0
        known = [a for a in ACTIVITY_LABELS if a != "idle" and a in totals]
        for activity in known + [a for a in totals if a not in ACTIVITY_LABELS]:
            hours = totals[activity] / reps / weeks / (per_person or 1)
            if hours <= 0:
                continue
            busy_total += hours
            rows.append({"role": role, "activity": activity, "hours": hours})
        cap = hpw.get(role)
        if per_person and cap and cap > busy_total:
            rows.append({"role": role, "activity": "idle", "hours": cap - busy_total})
    frame = pd.DataFrame(rows, columns=["role", "activity", "hours"])
    if not frame.empty:
        frame["label"] = [role_label(r, run.scenario) for r in frame["role"]]
    else:
        frame["label"] = []
    return frame


def backlog_series(run: RunData) -> pd.DataFrame:
    """Weekly snapshots averaged over replications (mean per day of each series)."""
    snaps = run.table("snapshots")
    columns = [c for c in ("reqs_open", "reqs_in_backlog", "tasks_waiting_recruiters",
                           "tasks_waiting_sourcers", "tasks_waiting_interviewers")
               if c in snaps]
    if snaps.empty or not columns:
        return pd.DataFrame(columns=["day", *columns])
    return snaps.groupby("day", as_index=False)[columns].mean()


QUEUE_LABELS = {
    "tasks_waiting_recruiters": ("recruiter", "recruiters"),
    "tasks_waiting_sourcers": ("sourcer", "sourcers"),
    "tasks_waiting_interviewers": ("interviewers", "interviewers"),
}


def bottleneck(run: RunData, measured: bool = False) -> dict:
    """The busiest role and the longest queue in a sentence: context, not the bottleneck
    (which is named by effect, ``hiresim.purchases``, when the study measured it;
    ``measured`` leaves out the hint to measure it)."""
    util = utilisation(run)
    snaps = backlog_series(run)
    queues = {c: float(snaps[c].mean()) for c in QUEUE_LABELS if c in snaps and len(snaps)}
    out: dict[str, Any] = {"role": None, "utilisation": None, "queue": None,
                           "waiting": None, "sentence": ""}
    parts = []
    if not util.empty and util["mean"].notna().any():
        top = util.loc[util["mean"].astype(float).idxmax()]
        out["role"], out["utilisation"] = top["role"], float(top["mean"])
        label = top["label"]
        others = ", ".join(f"{r['label'].lower()} {pct(r['mean'])}"
                           for _, r in util.iterrows() if r["role"] != top["role"]
                           and r["mean"] is not None)
        level = float(top["mean"])
        if level >= SATURATED:
            head = (f"Busiest role: {label.lower()}, {pct(level)} of their hours: work piles "
                    "up faster than it is done")
        elif level >= 0.75:
            head = f"Busiest role: {label.lower()}, {pct(level)} of their hours"
        else:
            head = (f"No role is near its limit; the busiest are {label.lower()} at "
                    f"{pct(level)} of their hours")
        parts.append(head + (f" (others: {others})" if others else "") + ".")
        if level >= 0.75 and not measured:
            parts.append("Busy is not proof of a constraint: the bottleneck is the role whose "
                         "one more person changes the goal KPI most per dollar "
                         "(hiresim compare --bottleneck, or a sweep's what to buy next).")
    if queues:
        column = max(queues, key=lambda c: queues[c])
        out["queue"], out["waiting"] = column, queues[column]
        if queues[column] >= 0.05:
            parts.append(f"The longest queue is the {QUEUE_LABELS[column][1]}' "
                         f"({queues[column]:.1f} tasks waiting on average at the weekly "
                         "snapshots).")
        else:
            parts.append("Almost no tasks wait in any queue at the weekly snapshots.")
    out["sentence"] = " ".join(parts)
    return out


# ---------------------------------------------------------------------------- funnel

CANONICAL_STAGES = ("outreach", "qualification", "handoff", "application_review", "screen")
END_STAGES = ("debrief", "offer", "hired")


def stage_order(scenario: dict, stages: Sequence[str], entered: dict[str, float]) -> list[str]:
    """Pipeline order: sourcing stages, review, screen, interview rounds, debrief, offer."""
    rounds: list[str] = []
    for profile in scenario.get("profiles") or []:
        for rnd in profile.get("interview_rounds") or []:
            name = str(rnd.get("name"))
            if name not in rounds:
                rounds.append(name)
    known = [*CANONICAL_STAGES, *rounds]
    head = [s for s in known if s in stages]
    tail = [s for s in END_STAGES if s in stages]
    middle = sorted((s for s in stages if s not in head and s not in tail),
                    key=lambda s: -entered.get(s, 0.0))
    return [*head, *middle, *tail]


def funnel_table(run: RunData) -> pd.DataFrame:
    """Per source and stage: mean candidates per simulated year by outcome, plus entered."""
    funnel = run.table("funnel")
    cols = ["source", "stage", *OUTCOME_LABELS, "entered"]
    if funnel.empty:
        return pd.DataFrame(columns=cols)
    reps = max(run.replications, 1)
    pivot = (funnel.groupby(["source", "stage", "outcome"])["candidates"].sum() / reps)
    wide = pivot.unstack("outcome").fillna(0.0)
    for outcome in OUTCOME_LABELS:
        if outcome not in wide:
            wide[outcome] = 0.0
    wide = wide[list(OUTCOME_LABELS)].reset_index()
    wide["entered"] = wide[list(OUTCOME_LABELS)].sum(axis=1)
    hired = wide[wide["stage"] == "offer"].copy()
    if not hired.empty:
        hired["stage"] = "hired"
        hired["entered"] = hired["passed"]
        for outcome in OUTCOME_LABELS:
            hired[outcome] = 0.0
        hired["passed"] = hired["entered"]
        wide = pd.concat([wide, hired], ignore_index=True)
    return wide[cols]


def stage_label(stage: str) -> str:
    """Readable stage name; stages not known here are interview rounds ('Onsite interview')."""
    if stage in STAGE_LABELS:
        return STAGE_LABELS[stage]
    return stage.replace("_", " ").capitalize() + " interview"


# ---------------------------------------------------------------------------- assumptions

def _distribution_text(value: dict) -> str:
    kind = value.get("dist")
    if kind == "fixed":
        return _scalar_text(value.get("value"))
    args = ", ".join(f"{k} {_scalar_text(v)}" for k, v in value.items() if k != "dist")
    return f"{kind} ({args})"


def _scalar_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 and value.is_integer() else f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return ", ".join(_scalar_text(v) for v in value)
    return str(value)


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A nested scenario section as (dotted key, readable value) rows, in file order."""
    rows: list[tuple[str, str]] = []
    if isinstance(value, dict):
        if "dist" in value:
            return [(prefix, _distribution_text(value))]
        for key, sub in value.items():
            rows.extend(flatten(sub, f"{prefix}.{key}" if prefix else str(key)))
        return rows
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        for i, item in enumerate(value):
            label = item.get("name", i) if isinstance(item, dict) else i
            sub = {k: v for k, v in item.items() if k != "name"} if isinstance(item, dict) \
                else item
            rows.extend(flatten(sub, f"{prefix}[{label}]"))
        return rows
    return [(prefix, _scalar_text(value))]


def scenario_sections(scenario: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, rows) for everything but the profiles, in file order."""
    out = []
    general = [(k, _scalar_text(v)) for k, v in scenario.items()
               if k in ("name", "description")]
    if general:
        out.append(("scenario", general))
    for key, value in scenario.items():
        if key in ("name", "description", "profiles"):
            continue
        out.append((key, flatten(value)))
    return out


def profile_rows(scenario: dict) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Profile names and (setting, value per profile) rows: one column per role profile."""
    profiles = scenario.get("profiles") or []
    names = [str(p.get("name", i)) for i, p in enumerate(profiles)]
    per_profile = [dict(flatten({k: v for k, v in p.items() if k != "name"}))
                   for p in profiles]
    keys: list[str] = []
    for rows in per_profile:
        for k in rows:
            if k not in keys:
                keys.append(k)
    return names, [(k, [rows.get(k, "-") for rows in per_profile]) for k in keys]
