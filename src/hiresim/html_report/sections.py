"""The chart sections every scenario gets: time-to-fill (Kaplan-Meier, days), cost per
hire (US$), the funnel by source (candidates per simulated year), where the time goes
(utilisation and hours per person per week) and the backlog with its bottleneck.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hiresim.survival import filled_share_by

from . import analysis as an
from .charts_cost_funnel import (
    cost_breakdown_bars,
    cost_per_hire_bars,
    funnel_chart,
    stage_outcomes,
)
from .charts_time import (
    activity_hours_bars,
    backlog_lines,
    filled_share_curve,
    time_to_fill_box,
    utilisation_bars,
)
from .data import RunData
from .shell import Page, h


def ttf_frames(runs: Sequence[RunData]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                                  pd.DataFrame]:
    """Kaplan-Meier frames per run: box stats per profile, curves, P50/P80 marks, censored ticks."""
    stats, curves, marks, censored = [], [], [], []
    for run in runs:
        fills, horizon = an.fill_durations(run)
        if fills.empty:
            continue
        groups = [("All reqs", fills)]
        groups += [(str(p), fills[fills["profile"] == p])
                   for p in dict.fromkeys(fills["profile"])]
        for group, part in groups:
            box = an.km_box(part["days"].to_numpy(), part["filled"].to_numpy())
            stats.append({"scenario": run.name, "group": group, **box})
        d, f = fills["days"].to_numpy(), fills["filled"].to_numpy()
        grid, share = an.km_curve(d, f, horizon)
        curves.append(pd.DataFrame({"scenario": run.name, "day": grid, "share": share}))
        for q in (0.5, 0.8):
            day = an.km_quantile(d, f, q)
            if day is not None:
                marks.append({"scenario": run.name, "label": f"P{int(q * 100)}", "day": day,
                              "share": q})
        cens_days = np.unique(np.round(d[~f.astype(bool)], 0))
        if cens_days.size:
            censored.append(pd.DataFrame({"scenario": run.name, "day": cens_days,
                                          "share": filled_share_by(d, f, cens_days)}))
    return (pd.DataFrame(stats),
            pd.concat(curves, ignore_index=True) if curves else
            pd.DataFrame(columns=["scenario", "day", "share"]),
            pd.DataFrame(marks, columns=["scenario", "label", "day", "share"]),
            pd.concat(censored, ignore_index=True) if censored else
            pd.DataFrame(columns=["scenario", "day", "share"]))


def ttf_section(page: Page, runs: Sequence[RunData], colors: dict[str, str],
                goal_texts: Sequence[str] = ()) -> None:
    stats, curves, marks, censored = ttf_frames(runs)
    if stats.empty:
        return
    goal = an.goal_line_value(goal_texts, "time_to_fill_days.p80")
    open_reqs = ", ".join(
        f"{h(r.name)}: "
        f"{int((r.metrics.get('time_to_fill_days') or {}).get('censored_reqs') or 0):,}"
        for r in runs)
    box = page.chart(
        time_to_fill_box(stats, colors, goal),
        "Box: the middle half of reqs (25% to 75% filled); whiskers: 10% and 90%; line: "
        "median; diamond: P80. All from the Kaplan-Meier curve, so reqs still open at the "
        "horizon count as “not filled yet” instead of being dropped. Hover for the numbers.",
        "Time-to-fill by role profile")
    curve = page.chart(
        filled_share_curve(curves, marks, colors, censored, goal),
        "Kaplan-Meier estimate of the share of reqs filled within a number of days of "
        f"opening, all replications pooled. Ticks: reqs still open at the horizon "
        f"(censored; {open_reqs}).",
        "Share of reqs filled over time")
    page.section("time-to-fill", "Time-to-fill", f'<div class="grid2">{box}{curve}</div>',
                 intro="Days from req approval to the accepted offer, backlog and intake "
                       "included.")


def cost_section(page: Page, runs: Sequence[RunData], colors: dict[str, str]) -> None:
    rows = []
    parts = []
    for run in runs:
        m = run.metrics.get("cost_per_hire") or {}
        rows.append({"scenario": run.name, "mean": m.get("mean"), "ci_low": m.get("ci_low"),
                     "ci_high": m.get("ci_high"), "n": m.get("n")})
        b = an.cost_breakdown(run)
        if not b.empty:
            parts.append(b.assign(scenario=run.name))
    height = max(380, 230 + 70 * len(runs))
    bars = page.chart(
        cost_per_hire_bars(pd.DataFrame(rows), colors, height=height),
        "Mean cost per hire with its 95% confidence interval across replications "
        "(ANSI/SHRM: internal plus external recruiting cost over the period, divided by "
        "hires).", "Cost per hire")
    body = bars
    if parts:
        breakdown = pd.concat(parts, ignore_index=True)
        body += page.chart(
            cost_breakdown_bars(breakdown, height=height),
            "Each component divided by the year's hires, averaged over replications; the "
            "segments add up to the cost per hire. Agency fees appear when the team uses "
            "an agency; referral bonuses and relocation are not modelled.",
            "Cost per hire by component")
    page.section("cost", "Cost per hire", f'<div class="grid2">{body}</div>',
                 intro="Money is in US$ as given in the scenario.")


def funnel_section(page: Page, runs: Sequence[RunData], colors: dict[str, str]) -> None:
    frames = []
    entered: dict[str, float] = {}
    stages: list[str] = []
    for run in runs:
        f = an.funnel_table(run)
        if f.empty:
            continue
        frames.append(f.assign(scenario=run.name))
        for stage, value in f.groupby("stage")["entered"].sum().items():
            entered[stage] = entered.get(stage, 0.0) + float(value)
            if stage not in stages:
                stages.append(stage)
    if not frames:
        return
    funnel = pd.concat(frames, ignore_index=True)
    order = an.stage_order(runs[0].scenario, stages, entered)
    a = page.chart(
        funnel_chart(funnel, colors, order),
        "Candidates who reached each stage per simulated year (mean over replications), "
        "outbound prospects on the left, applicants on the right. "
        + ("One bar per scenario, on a log scale so every stage reads. " if len(runs) > 1
           else "The percentage is the share of the previous stage that got this far. ")
        + "Hover for the numbers.", "Candidate funnel by source")
    b = page.chart(
        stage_outcomes(funnel, order),
        "How each stage ended for the candidates who reached it: passed on, failed or "
        "declined (at outreach: no reply or not interested), withdrew (ran out of "
        "patience waiting for the team, or dropped out, e.g. for another offer), closed "
        "out because the req was filled, or still in process when the "
        "simulated period ended.", "Stage outcomes")
    page.section("funnel", "The funnel by source", a + b,
                 intro="Sourced (outbound) prospects and inbound applicants, stage by stage.")


def time_section(page: Page, runs: Sequence[RunData], colors: dict[str, str]) -> None:
    utils, hours = [], []
    for run in runs:
        u = an.utilisation(run)
        if not u.empty:
            # one category per role across scenarios ("Recruiters", not "Full-cycle ...")
            u = u.assign(scenario=run.name, label=[an.role_label(r) for r in u["role"]])
            utils.append(u)
        a = an.activity_hours(run)
        if not a.empty:
            hours.append(a.assign(scenario=run.name))
    if not utils and not hours:
        return
    body = ""
    notes = []
    for run in runs:
        share = (run.metrics.get("recruiter_sourcing_share") or {}).get("mean")
        structure = (run.scenario.get("team") or {}).get("structure")
        if share is not None and structure == "combined":
            notes.append(f"In <b class=\"name\">{h(run.name)}</b> the full-cycle recruiters "
                         f"spend <b>{100 * share:.0f}%</b> of their busy hours sourcing "
                         "(outreach, follow-ups, qualification calls).")
        elif structure == "split":
            notes.append(f"In <b class=\"name\">{h(run.name)}</b> the sourcers do the "
                         "sourcing; recruiters spend "
                         f"{100 * (share or 0):.0f}% of their hours on it.")
    charts = ""
    if utils:
        frame = pd.concat(utils, ignore_index=True)
        rank = frame["role"].map(lambda r: {"recruiter": 0, "sourcer": 1}.get(r, 2))
        frame = frame.assign(_rank=rank).sort_values("_rank", kind="stable")
        charts += page.chart(
            utilisation_bars(frame, colors, an.SATURATED),
            "Busy hours (all activities, task switching included) divided by available "
            "hours (head count × productive hours per week × weeks), mean with 95% CI "
            "across replications. Interviewers are shown per role-profile pool.",
            "Utilisation by role")
    if hours:
        charts += page.chart(
            activity_hours_bars(pd.concat(hours, ignore_index=True), len(runs) > 1),
            "Average hours per person per week on each activity; grey is the rest of their "
            "productive hours. Greens are sourcing work.", "Hours by activity")
    body = charts
    if notes:
        body += "<ul>" + "".join(f"<li>{n}</li>" for n in notes) + "</ul>"
    page.section("time", "Where the time goes", body,
                 intro="Who is busy, with what, and how much a full-cycle recruiter "
                       "spends sourcing.")


def backlog_section(page: Page, runs: Sequence[RunData], colors: dict[str, str]) -> None:
    frames = []
    for run in runs:
        s = an.backlog_series(run)
        if s.empty:
            continue
        if (run.scenario.get("team") or {}).get("structure") == "combined" and \
                "tasks_waiting_sourcers" in s:
            s = s.drop(columns=["tasks_waiting_sourcers"])
        frames.append(s.assign(scenario=run.name))
    if not frames:
        return
    chart = page.chart(
        backlog_lines(pd.concat(frames, ignore_index=True), colors),
        "Weekly snapshots averaged over replications. Open reqs: approved and not yet "
        "filled (dashed, when there are any: reqs waiting for a recruiter with room). Tasks "
        "waiting: work queued for each role, smoothed with a 4-week moving average. New "
        "outreach is never queued, so a short sourcer queue does not mean no sourcing is "
        "wanted.", "Backlog over time")
    items = []
    for run in runs:
        b = an.bottleneck(run)
        if b["sentence"]:
            prefix = f'<b class="name">{h(run.name)}</b>: ' if len(runs) > 1 else ""
            items.append(f"<li>{prefix}{h(b['sentence'])}</li>")
    body = chart + (f"<ul>{''.join(items)}</ul>" if items else "")
    page.section("backlog", "Backlog and the bottleneck", body,
                 intro="Open reqs and the work waiting for each role over the plan.")


def scenario_sections(page: Page, runs: Sequence[RunData], colors: dict[str, str],
                      goal_texts: Sequence[str] = ()) -> None:
    ttf_section(page, runs, colors, goal_texts)
    cost_section(page, runs, colors)
    funnel_section(page, runs, colors)
    time_section(page, runs, colors)
    backlog_section(page, runs, colors)
