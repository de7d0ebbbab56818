"""Backtest: re-simulate the reqs of a history with a scenario and compare with what happened.

The scenario's hiring plan is replaced by the history's (per profile: the count of reqs and
the first and last opening day, evenly spaced) and its horizon by the history's period;
everything else is the scenario's. ``replications`` simulated years then give, for each
historical req (matched by profile and opening order), a predictive distribution of its
time-to-fill, and for the whole period a predictive distribution of hires per month and of
the funnel.

- **PIT** (probability integral transform) of a req: the predictive probability of a fill
  time below the actual one; a req still open at the end of the history, like a simulated
  req not filled by the horizon, counts as "longer than the period", and ties are broken
  uniformly (randomised PIT, fixed seed), so a calibrated scenario gives uniform PITs.
  A mean PIT above 0.5 means reqs took longer than predicted (the scenario is **too
  optimistic**), below 0.5 shorter (**too pessimistic**); the test is a z-score of the
  mean PIT (standard error ``1/sqrt(12 n)``) beyond ``Z_FLAG``.
- **Coverage**: the share of reqs inside their central 50/80/90% predictive intervals; a
  90% coverage that a binomial test rejects at ``P_FLAG`` is flagged (intervals too narrow
  or too wide).
- **Funnel**: per stage, the candidates entering and the share passing (of those decided),
  actual against the replications' mean and spread; a share (or the volume entering
  outreach or application review) more than ``Z_FLAG_FUNNEL`` replication standard
  deviations away is flagged, named with the scenario field that sets it.
- **Withdrawals** after engagement (from the qualification or the screen on, before the
  offer: the drop-out clock's span, docs/model.md 4.9): actual against the replications'
  mean and spread, flagged like a funnel volume and named with ``profiles[].dropout``;
  fewer simulated withdrawals than actual is optimistic.
- **Hires**: per calendar month and in total.

The verdict is ``calibrated`` without flags; otherwise ``too optimistic`` or ``too
pessimistic`` (the direction of most of the evidence, weighted by z-score), or
``miscalibrated`` when the flags have no direction, followed by where.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from hiresim.ats_export import FIXED_STAGES, ROUND_PREFIX, History, stage_rank, to_date
from hiresim.calibration import round_order
from hiresim.scenario import Scenario, scenario_from_dict, scenario_to_dict

LEVELS = (0.5, 0.8, 0.9)
Z_FLAG = 3.0
Z_FLAG_FUNNEL = 3.5
P_FLAG = 0.001
PIT_SEED = 20261207
SHARE_FIELD = {"outreach": "sourced.reply_rate x interest_rate (reply and interest)",
               "qualification": "sourced.qualify_rate",
               "application_review": "inbound.review_pass_rate",
               "screen": "screen_pass_rate", "debrief": "decision_pass_rate",
               "offer": "offer_acceptance", "handoff": "handoff (withdrawals)"}
VOLUME_FIELD = {"outreach": "outreach.prospects_per_req_per_week (sourcing volume)",
                "application_review": "inbound.applications_per_week"}
DROPOUT_FIELD = "profiles[].dropout.hazard_per_week (withdrawals in process)"
NOT_ENGAGED = ("outreach", "interest", "application_review", "offer")
_OUTCOME = {"passed": "passed", "hired": "passed", "rejected": "failed", "declined": "failed",
            "withdrew": "withdrew", "closed": "closed_out", "open": "in_process"}


class BacktestError(Exception):
    """The scenario and the history cannot be compared (e.g. a profile is missing)."""


@dataclass(frozen=True)
class Flag:
    """One piece of evidence that the scenario is off: where, how far, which way."""

    where: str
    text: str
    z: float
    direction: str  # "optimistic", "pessimistic" or "" (no direction)


def plan_scenario(scenario: Scenario, history: History) -> Scenario:
    """The scenario with the history's plan and period."""
    data = scenario_to_dict(scenario)
    by_name = {p["name"]: p for p in data["profiles"]}
    reqs = history.reqs
    missing = sorted(set(reqs["profile"]) - set(by_name))
    if missing:
        raise BacktestError(f"the history has reqs of profile(s) {', '.join(missing)}, which "
                            f"the scenario does not have ({', '.join(by_name)})")
    profiles = []
    for name in dict.fromkeys(reqs.sort_values("opened")["profile"]):
        days = reqs.loc[reqs["profile"] == name, "opened"] - history.start
        p = dict(by_name[name])
        p["openings"] = {**p["openings"], "count": len(days), "first_day": float(days.min()),
                         "last_day": float(days.max()), "spacing": "even"}
        profiles.append(p)
    data["profiles"] = profiles
    last = max(p["openings"]["last_day"] for p in profiles)
    data["simulation"]["horizon_days"] = max(history.days, last + 1.0)
    data["simulation"]["warmup_days"] = 0.0
    return scenario_from_dict(data, f"<{scenario.name} with the history's plan>")


def randomized_pit(samples: np.ndarray, actual: float, u: float) -> float:
    below = float(np.mean(samples < actual))
    at = float(np.mean(samples <= actual))
    return below + u * (at - below)


def _ranked(frame: pd.DataFrame, open_col: str) -> pd.DataFrame:
    frame = frame.sort_values(open_col, kind="stable").copy()
    frame["k"] = frame.groupby("profile").cumcount()
    return frame


def req_pits(history: History, sim_reqs: pd.DataFrame) -> pd.DataFrame:
    """Per historical req: actual time-to-fill, its PIT and predictive quantiles (days;
    inf: not filled within the period)."""
    actual = _ranked(history.reqs, "opened")
    ttf = (actual["filled"] - actual["opened"]).where(actual["filled"] <= history.end)
    actual["actual_ttf"] = ttf.fillna(math.inf)
    sim = sim_reqs.sort_values(["replication", "open_day"], kind="stable").copy()
    sim["ttf"] = sim["time_to_fill_days"].fillna(math.inf)
    sim["k"] = sim.groupby(["replication", "profile"]).cumcount()
    samples = sim.groupby(["profile", "k"])["ttf"].apply(np.asarray)
    rng = np.random.default_rng(PIT_SEED)
    rows = []
    for r in actual.itertuples(index=False):
        s = samples.get((r.profile, r.k), np.array([]))
        u = rng.uniform()
        with np.errstate(invalid="ignore"):
            q = np.quantile(s, [0.05, 0.5, 0.95]) if len(s) else [math.nan] * 3
        rows.append({"req": r.req, "profile": r.profile, "opened": to_date(r.opened).isoformat(),
                     "actual_ttf": r.actual_ttf, "filled": math.isfinite(r.actual_ttf),
                     "pit": randomized_pit(s, r.actual_ttf, u) if len(s) else math.nan,
                     "p05": q[0], "p50": q[1], "p95": q[2]})
    return pd.DataFrame(rows)


def actual_funnel(history: History) -> pd.DataFrame:
    """The history's stage visits by stage and outcome, in the model's stage names."""
    v = history.visits
    interest = v[v["stage"] == "interest"].set_index("candidate")["outcome"]
    rows = v[v["stage"] != "interest"].copy()
    out = rows["stage"] == "outreach"
    replied = out & (rows["outcome"] == "passed")
    rows.loc[replied, "outcome"] = rows.loc[replied, "candidate"].map(interest).fillna("passed")
    rows["stage"] = rows["stage"].str.removeprefix(ROUND_PREFIX)
    rows["outcome"] = rows["outcome"].map(_OUTCOME)
    return rows.groupby(["stage", "outcome"]).size().rename("candidates").reset_index()


def _shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Entries and the share passing (of passed + failed) per stage."""
    wide = frame.pivot_table(index="stage", columns="outcome", values="candidates",
                             aggfunc="sum", fill_value=0)
    for col in ("passed", "failed"):
        if col not in wide:
            wide[col] = 0
    decided = wide["passed"] + wide["failed"]
    return pd.DataFrame({"entries": wide.sum(axis=1),
                         "share": (wide["passed"] / decided.where(decided > 0))})


def funnel_rows(history: History, sim_funnel: pd.DataFrame) -> list[dict]:
    act = _shares(actual_funnel(history))
    per_rep = {rep: _shares(g.groupby(["stage", "outcome"])["candidates"].sum().reset_index())
               for rep, g in sim_funnel.groupby("replication")}
    rows = []
    rounds = [r.removeprefix(ROUND_PREFIX) for r in round_order(history.visits)]
    for stage in sorted(act.index, key=lambda s: (stage_rank(_export_name(s)),
                                                  rounds.index(s) if s in rounds else 0)):
        entries = np.array([t["entries"].get(stage, 0) for t in per_rep.values()], dtype=float)
        shares = np.array([t["share"].get(stage, np.nan) for t in per_rep.values()], dtype=float)
        shares = shares[np.isfinite(shares)]
        rows.append({"stage": stage, "actual_entries": int(act.loc[stage, "entries"]),
                     "sim_entries": float(entries.mean()), "sim_entries_sd": float(entries.std()),
                     "sim_entries_low": float(np.quantile(entries, 0.05)),
                     "sim_entries_high": float(np.quantile(entries, 0.95)),
                     "actual_share": _num(act.loc[stage, "share"]),
                     "sim_share": _num(shares.mean()) if len(shares) else None,
                     "sim_share_sd": _num(shares.std()) if len(shares) else None})
    return rows


def withdrawals(history: History, sim_funnel: pd.DataFrame) -> dict:
    """Withdrawals after engagement and before the offer, actual and per replication."""
    v = history.visits
    actual = int(((v["outcome"] == "withdrew") & ~v["stage"].isin(NOT_ENGAGED)).sum())
    sim = sim_funnel[(sim_funnel["outcome"] == "withdrew")
                     & ~sim_funnel["stage"].isin(NOT_ENGAGED)]
    reps = sorted(sim_funnel["replication"].unique())
    counts = sim.groupby("replication")["candidates"].sum().reindex(reps, fill_value=0)
    col = counts.to_numpy(dtype=float)
    return {"actual": actual, "sim_mean": float(col.mean()) if len(col) else 0.0,
            "sim_sd": float(col.std()) if len(col) else 0.0,
            "sim_low": float(np.quantile(col, 0.05)) if len(col) else 0.0,
            "sim_high": float(np.quantile(col, 0.95)) if len(col) else 0.0}


def _export_name(stage: str) -> str:
    return stage if stage in FIXED_STAGES else ROUND_PREFIX + stage


def _num(value: float) -> float | None:
    return None if value is None or not math.isfinite(float(value)) else float(value)


def monthly_hires(history: History, sim_reqs: pd.DataFrame) -> list[dict]:
    start = to_date(history.start)
    filled = history.reqs["filled"].dropna()
    actual = pd.Series([to_date(d).strftime("%Y-%m") for d in filled if d <= history.end],
                       dtype=object).value_counts()
    sim = sim_reqs.dropna(subset=["filled_day"])
    months = sim["filled_day"].map(
        lambda d: (pd.Timestamp(start) + pd.Timedelta(days=float(d))).strftime("%Y-%m"))
    counts = sim.assign(month=months).groupby(["replication", "month"]).size().unstack(
        fill_value=0).reindex(sorted(sim_reqs["replication"].unique()), fill_value=0)
    every = sorted(set(actual.index) | set(counts.columns))
    rows = []
    for m in every:
        col = counts[m].to_numpy(dtype=float) if m in counts else np.zeros(len(counts))
        rows.append({"month": m, "actual": int(actual.get(m, 0)), "sim_mean": float(col.mean()),
                     "sim_low": float(np.quantile(col, 0.05)),
                     "sim_high": float(np.quantile(col, 0.95))})
    return rows


def flags_for(pits: pd.DataFrame, funnel: list[dict], hires_actual: int,
              hires_sim: np.ndarray, withdrew: dict | None = None) -> list[Flag]:
    flags = []
    if withdrew is not None and withdrew["sim_sd"] > 0:
        z = (withdrew["sim_mean"] - withdrew["actual"]) / withdrew["sim_sd"]
        if abs(z) > Z_FLAG_FUNNEL:
            flags.append(Flag("withdrawals", f"{withdrew['sim_mean']:,.0f} withdrawals in "
                              f"process predicted, {withdrew['actual']:,} in the history "
                              f"({DROPOUT_FIELD})", abs(z),
                              "pessimistic" if z > 0 else "optimistic"))
    p = pits["pit"].dropna().to_numpy()
    if len(p):
        z = (p.mean() - 0.5) / math.sqrt(1.0 / (12.0 * len(p)))
        if abs(z) > Z_FLAG:
            slower = z > 0
            flags.append(Flag("time to fill", f"reqs filled {'slower' if slower else 'faster'}"
                              f" than predicted (mean PIT {p.mean():.2f}, z {z:+.1f})", abs(z),
                              "optimistic" if slower else "pessimistic"))
        inside = int((np.abs(p - 0.5) <= 0.45).sum())
        test = stats.binomtest(inside, len(p), 0.9)
        if test.pvalue < P_FLAG:
            wide = inside / len(p) > 0.9
            flags.append(Flag("90% intervals", f"{inside / len(p):.0%} of reqs inside their "
                              f"90% intervals (intervals too {'wide' if wide else 'narrow'})",
                              float(stats.norm.isf(test.pvalue / 2)), ""))
    for row in funnel:
        if row["sim_share"] is not None and row["actual_share"] is not None \
                and (row["sim_share_sd"] or 0) > 0:
            z = (row["sim_share"] - row["actual_share"]) / row["sim_share_sd"]
            if abs(z) > Z_FLAG_FUNNEL:
                name = SHARE_FIELD.get(row["stage"], f"interview_rounds[{row['stage']}].pass_rate")
                flags.append(Flag(row["stage"], f"{row['stage']}: the scenario passes "
                                  f"{row['sim_share']:.1%} where the history passed "
                                  f"{row['actual_share']:.1%} ({name})", abs(z),
                                  "optimistic" if z > 0 else "pessimistic"))
        if row["stage"] in VOLUME_FIELD and row["sim_entries_sd"] > 0:
            z = (row["sim_entries"] - row["actual_entries"]) / row["sim_entries_sd"]
            if abs(z) > Z_FLAG_FUNNEL:
                flags.append(Flag(row["stage"] + " volume", f"{row['stage']}: "
                                  f"{row['sim_entries']:,.0f} candidates predicted, "
                                  f"{row['actual_entries']:,} in the history "
                                  f"({VOLUME_FIELD[row['stage']]})", abs(z),
                                  "optimistic" if z > 0 else "pessimistic"))
    if len(hires_sim) and hires_sim.std() > 0:
        z = (hires_sim.mean() - hires_actual) / hires_sim.std()
        if abs(z) > Z_FLAG_FUNNEL:
            flags.append(Flag("hires", f"{hires_sim.mean():.1f} hires predicted, "
                              f"{hires_actual} in the history", abs(z),
                              "optimistic" if z > 0 else "pessimistic"))
    return sorted(flags, key=lambda f: -f.z)


def verdict_of(flags: list[Flag]) -> tuple[str, str]:
    """The verdict word and the sentence that says where."""
    if not flags:
        return "calibrated", ("calibrated: the history's fill times, hires and funnel are "
                              "within what the scenario predicts")
    weight = {d: sum(f.z for f in flags if f.direction == d)
              for d in ("optimistic", "pessimistic")}
    if max(weight.values()) == 0:
        word = "miscalibrated"
    else:
        word = "too " + max(weight, key=lambda d: weight[d])
    return word, f"{word}: " + "; ".join(f.text for f in flags)


def backtest(scenario: Scenario, history: History, replications: int = 100,
             seed: int | None = None, workers: int = 1) -> dict:
    """Re-simulate the history's reqs and compare (the JSON shape of ``hiresim backtest``)."""
    from hiresim.api import simulate

    planned = plan_scenario(scenario, history)
    res = simulate(planned, replications=replications, seed=seed, workers=workers)
    sim_reqs = res.reqs
    pits = req_pits(history, sim_reqs)
    funnel = funnel_rows(history, res.funnel)
    hires = monthly_hires(history, sim_reqs)
    hires_sim = sim_reqs.dropna(subset=["filled_day"]).groupby("replication").size().reindex(
        range(replications), fill_value=0).to_numpy(dtype=float)
    hires_actual = int(pits["filled"].sum())
    withdrew = withdrawals(history, res.funnel)
    flags = flags_for(pits, funnel, hires_actual, hires_sim, withdrew)
    word, sentence = verdict_of(flags)
    p = pits["pit"].dropna().to_numpy()
    return {
        "scenario": scenario.name, "replications": replications, "seed": res.seed,
        "history": {"files": history.files, "start": to_date(history.start).isoformat(),
                    "days": round(history.days, 2), "reqs": len(history.reqs),
                    "rows_used": history.report.rows_used},
        "verdict": word, "sentence": sentence,
        "flags": [f.__dict__ for f in flags],
        "pit_mean": _num(p.mean()) if len(p) else None,
        "pit_histogram": np.histogram(p, bins=10, range=(0, 1))[0].tolist(),
        "coverage": {f"{level:.0%}": _num(float((np.abs(p - 0.5) <= level / 2).mean()))
                     if len(p) else None for level in LEVELS},
        "hires": {"actual": hires_actual, "sim_mean": float(hires_sim.mean()),
                  "sim_low": float(np.quantile(hires_sim, 0.05)),
                  "sim_high": float(np.quantile(hires_sim, 0.95))},
        "withdrawals": withdrew, "hires_per_month": hires, "funnel": funnel,
        "reqs": pits.replace({math.inf: None}).to_dict("records"),
    }


def backtest_lines(report: dict) -> list[str]:
    """The backtest as text for the terminal."""
    h, hires = report["history"], report["hires"]
    lines = [f"backtest of {report['scenario']} against {', '.join(h['files'])}: {h['reqs']} "
             f"reqs over {h['days']:.0f} days from {h['start']}, {report['replications']} "
             "replications",
             "", f"verdict: {report['sentence']}", "",
             f"time to fill: mean PIT {report['pit_mean']:.2f} (0.50 if calibrated); "
             "PIT histogram (10 bins): " + " ".join(map(str, report["pit_histogram"])),
             "coverage of predictive intervals: " + ", ".join(
                 f"{k}: {v:.0%}" for k, v in report["coverage"].items() if v is not None),
             f"hires: {hires['actual']} actual, {hires['sim_mean']:.1f} predicted "
             f"(90% of years {hires['sim_low']:.0f}-{hires['sim_high']:.0f})"]
    w = report.get("withdrawals")
    if w is not None:
        lines.append(f"withdrawals in process: {w['actual']} actual, {w['sim_mean']:.1f} "
                     f"predicted (90% of years {w['sim_low']:.0f}-{w['sim_high']:.0f})")
    lines += ["",
             f"{'stage':<22}{'entered':>9}{'predicted':>11}{'passed':>9}{'predicted':>11}"]
    for row in report["funnel"]:
        share = "" if row["actual_share"] is None else f"{row['actual_share']:.1%}"
        sim_share = "" if row["sim_share"] is None else f"{row['sim_share']:.1%}"
        lines.append(f"{row['stage']:<22}{row['actual_entries']:>9,}"
                     f"{row['sim_entries']:>11,.0f}{share:>9}{sim_share:>11}")
    lines += ["", f"{'month':<10}{'hires':>6}{'predicted':>11}{'90% of years':>14}"]
    for row in report["hires_per_month"]:
        lines.append(f"{row['month']:<10}{row['actual']:>6}{row['sim_mean']:>11.1f}"
                     f"{row['sim_low']:>8.0f}-{row['sim_high']:<5.0f}")
    return lines
