"""Headlines in words: the lead sentence of each scenario, warnings, the verdict of a
comparison (goal probabilities, then paired P80 time-to-fill and cost per hire) and the
recommendation of a sweep.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hiresim.comparison import picture
from hiresim.kpi_numbers import DIFFERENCE, write
from hiresim.summary_table import tentative_pick
from hiresim.sweep_grid import goal_value, next_steps_sentences

from . import analysis as an
from .cells import days_text, horizon_words
from .charts_sweep import setting_label
from .data import CompareData, RunData, SweepData
from .kpi_sections import kpi_cards
from .shell import h


def run_sentence(run: RunData) -> str:
    """One scenario in one sentence: median and P80 time-to-fill, cost per hire, reqs filled."""
    m = run.metrics
    ttf = m.get("time_to_fill_days") or {}
    p50, p80 = an.number(ttf.get("p50")), an.number(ttf.get("p80"))
    cph = (m.get("cost_per_hire") or {}).get("mean")
    fill = (m.get("fill_rate") or {}).get("mean")
    team = an.team_words(run.scenario)
    parts = [
        f"median time-to-fill {days_text(p50)} "
        f"(P80 {'> horizon' if p80 is None else f'{p80:.0f}'})",
        f"cost per hire {an.money(cph)}",
        f"{an.pct(fill)} of reqs filled {horizon_words(run)}",
    ]
    return (f'<b class="name">{h(run.name)}</b>' + (f" ({h(team)})" if team else "")
            + ": " + h(", ".join(parts)) + ".")


def _warnings(run: RunData) -> list[str]:
    out = []
    m = run.metrics
    for key, label in (("utilization_recruiter", "recruiters"),
                       ("utilization_sourcer", "sourcers"),
                       ("utilization_interviewers", "interviewers")):
        mean = (m.get(key) or {}).get("mean")
        if mean is not None and mean >= an.SATURATED:
            out.append(f"{run.name}: {label} are busy {100 * mean:.0f}% of their hours; work "
                       "piles up faster than it is done, so results depend on the horizon.")
    if ((m.get("hires") or {}).get("mean") or 0) == 0:
        out.append(f"{run.name}: no hires in any replication; check the hiring plan.")
    if run.replications < 30:
        out.append(f"{run.name}: only {run.replications} replications; intervals are wide. "
                   "Use more (-n 200) before deciding.")
    return out


def warning_list(runs: Sequence[RunData]) -> str:
    """Warnings (saturated roles, no hires, few replications) as a list, or ''."""
    items = [w for r in runs for w in _warnings(r)]
    if not items:
        return ""
    seen = list(dict.fromkeys(items))
    return '<ul class="warn">' + "".join(f"<li>{h(w)}</li>" for w in seen) + "</ul>"


def run_headline(run: RunData) -> str:
    lead = run_sentence(run)
    bn = an.bottleneck(run, measured=run.bottleneck is not None)
    goals = [g for g in run.goals if g.get("probability") is not None]
    goal_html = "".join(
        f"<li>Meets {h(an.goal_words(str(g.get('goal')), short=True))} in "
        f"<b>{100 * g['probability']:.0f}%</b> of simulated years (95% CI "
        f"{100 * g['ci_low']:.0f}%–{100 * g['ci_high']:.0f}%).</li>" for g in goals)
    by_effect = (run.bottleneck or {}).get("sentence")
    items = goal_html + (f"<li>{h(by_effect)}</li>" if by_effect else "") + (
        f"<li>{'Context: ' if by_effect else ''}{h(bn['sentence'])}</li>"
        if bn["sentence"] else "")
    return (f'<p class="lead">{lead}</p>' + (f"<ul>{items}</ul>" if items else "")
            + kpi_cards(run) + warning_list([run]))


def goal_texts_of(runs: Sequence[RunData]) -> list[str]:
    """The goals the runs were measured against, in order, without repeats."""
    texts: list[str] = []
    for run in runs:
        for g in run.goals:
            text = str(g.get("goal", ""))
            if text and text not in texts:
                texts.append(text)
    return texts


def _goal_met(run: RunData, goal_texts: Sequence[str]) -> pd.Series | None:
    return an.goal_met(run.table("replications"), goal_texts)


def _dominance_lead(runs: Sequence[RunData], base: str, diffs: dict) -> tuple[str, str]:
    """(verdict, sentence) from the paired differences of the whole picture: median and
    P80 time-to-fill, hires, fill rate and cost per hire (``hiresim.comparison.picture``).
    A scenario is the better choice only when it is clearly better on some of them and
    clearly worse on none."""
    pictures = {other: picture(d) for other, d in diffs.items()}
    better = [o for o, (good, bad, _) in pictures.items() if good and not bad]
    worse = [o for o, (good, bad, _) in pictures.items() if bad and not good]
    if len(better) == 1:
        pick = next(r for r in runs if r.name == better[0])
        team = an.team_words(pick.scenario)
        good, _, unclear = pictures[pick.name]
        rest = f" (no clear difference in {_and(unclear)})" if unclear else ""
        return "Recommendation", (
            f'<b class="name">{h(pick.name)}</b>' + (f" ({h(team)})" if team else "")
            + f" is the better choice over {h(base)}: it is {h(_and(good))}, and clearly "
            f"worse on nothing{h(rest)}.")
    if diffs and len(worse) == len(diffs):
        pick = next((r for r in runs if r.name == base), runs[0])
        team = an.team_words(pick.scenario)
        return "Recommendation", (
            f'Keep <b class="name">{h(pick.name)}</b>' + (f" ({h(team)})" if team else "")
            + ": every alternative is clearly worse on time-to-fill, hires, fill rate or "
            "cost per hire, and clearly better on none.")
    mixed = [(o, good, bad) for o, (good, bad, _) in pictures.items() if good and bad]
    if mixed:
        o, good, bad = mixed[0]
        return "A trade-off", (
            f'<b class="name">{h(o)}</b> against {h(base)} is {h(", ".join(good))}, but '
            f"{h(', '.join(bad))}: no choice is better on everything.")
    return "A trade-off", ("No scenario is clearly better on time-to-fill, hires and cost "
                           "per hire together; the statements below say what each choice "
                           "gains and gives up.")


def _and(items: Sequence[str]) -> str:
    """'a, b and c'."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def compare_headline(compare: CompareData) -> str:
    runs = compare.runs
    base = compare.baseline
    goal_texts = goal_texts_of(runs)
    diffs = compare.report.get("differences") or {}
    parts = []
    verdict = ""
    if goal_texts:
        probs = {r.name: an.joint_goal_probability(r, goal_texts) for r in runs}
        known = {k: v for k, v in probs.items() if v and v.get("probability") is not None}
        if not known:  # fall back on comparison.json's per-goal figures (one goal)
            for r in runs:
                if r.goals and r.goals[0].get("probability") is not None:
                    known[r.name] = r.goals[0]
        if known:
            ranked = sorted((r for r in runs if r.name in known), key=lambda r: (
                -known[r.name]["probability"],
                (r.metrics.get("cost_per_hire") or {}).get("mean") or float("inf")))
            best = ranked[0]
            pb = known[best.name]
            phrase = an.goals_phrase(goal_texts)
            met = {r.name: _goal_met(r, goal_texts) for r in ranked}
            m = max(1, len(ranked) - 1)
            leads = []
            for other in ranked[1:]:
                a, b = met.get(other.name), met.get(best.name)
                if a is None or b is None:
                    leads.append(False)
                    continue
                d = an.paired_difference(a, b, m)
                leads.append(d.get("ci_low") is not None and d["ci_low"] > 0)
            if len(ranked) > 1 and all(leads):
                verdict = "Recommendation"
                team = an.team_words(best.scenario)
                others = "; ".join(
                    f"{h(r.name)} does with "
                    f"{100 * known[r.name]['probability']:.0f}%" for r in ranked[1:])
                parts.append(
                    f'<p class="lead"><b class="name">{h(best.name)}</b>'
                    + (f" ({h(team)})" if team else "")
                    + f" meets {h(phrase)} with <b>{100 * pb['probability']:.0f}%</b> "
                    f"probability (95% CI {100 * pb['ci_low']:.0f}%–"
                    f"{100 * pb['ci_high']:.0f}%); {others}.</p>")
            else:
                listing = ", ".join(
                    f'<b class="name">{h(r.name)}</b> {100 * known[r.name]["probability"]:.0f}%'
                    for r in ranked)
                same = len({round(known[r.name]["probability"], 12) for r in ranked}) == 1
                verdict, lead = _dominance_lead(runs, base, diffs)
                parts.append(f'<p class="lead">{lead}</p>')
                parts.append(
                    f"<p>Chance of meeting {h(phrase)} in a simulated year: {listing}"
                    + ("." if same and len(ranked) > 1 else
                       " (the difference is not clear at this number of replications)."
                       if len(ranked) > 1 else ".") + "</p>")
    if not parts:
        verdict, lead = _dominance_lead(runs, base, diffs)
        parts.append(f'<p class="lead">{lead}</p>')
    statements = compare.report.get("statements") or []
    items = "".join(f"<li>{h(s)}</li>" for s in statements)
    by_effect = compare.report.get("bottlenecks") or {}
    for run in runs:
        bn = an.bottleneck(run, measured=run.name in by_effect)
        if bn["sentence"]:
            context = "Context: " if run.name in by_effect else ""
            items += (f'<li><b class="name">{h(run.name)}</b>: {context}'
                      f'{h(bn["sentence"])}</li>')
    head = f'<span class="verdict">{h(verdict)}</span>' if verdict else ""
    runs_line = "<p>" + "<br>".join(run_sentence(r) for r in runs) + "</p>"
    return head + "".join(parts) + runs_line + (f"<ul>{items}</ul>" if items else "") \
        + warning_list(runs)


def point_label(row: pd.Series, settings: Sequence[str]) -> str:
    """A sweep point by its settings, e.g. 'recruiters 2, sourcers 1'."""
    return ", ".join(f"{setting_label(k)} {row[k]}" for k in settings)


def sweep_headline(sweep: SweepData, colors: dict[str, str]) -> str:
    report = sweep.report
    points = sweep.points
    goals = [str(g) for g in report.get("goals") or []]
    confidence = float(report.get("confidence") or 0.8)
    rec = report.get("recommended")
    n = len(points)
    out = []
    if goals and rec is not None and (points["point"] == rec).any():
        row = points[points["point"] == rec].iloc[0]
        run = sweep.runs.get(rec)
        team = an.team_words(run.scenario) if run else point_label(row, sweep.settings)
        decision = report.get("decision") or {}
        sure = decision.get("confident", True)
        out.append('<span class="verdict">Recommendation</span>' if sure else
                   '<span class="verdict none">Recommendation, not confident</span>')
        out.append(
            f'<p class="lead"><b class="name">{h(rec)}</b>' + (f" ({h(team)})" if team else "")
            + f" is the cheapest team in the grid that meets {h(an.goals_phrase(goals))}: "
            f"<b>{100 * float(row['goal_probability']):.0f}%</b> of simulated years (95% CI "
            f"{100 * float(row['goal_ci_low']):.0f}%–{100 * float(row['goal_ci_high']):.0f}%; "
            f"required {100 * confidence:.0f}%), for a TA team cost of "
            f"{an.money(row['team_cost_per_year'])} a year and "
            f"{an.money(row['cost_per_hire'])} per hire."
            + ("" if sure else f" {h(decision.get('reason', ''))}") + "</p>")
    elif goals and (report.get("decision") or {}).get("confident") is False:
        tentative = tentative_pick(report)
        out.append('<span class="verdict none">Not confident</span>')
        out.append(
            f'<p class="lead">The sweep is not confident which team is the cheapest that '
            f"meets {h(an.goals_phrase(goals))} in at least {100 * confidence:.0f}% of "
            "simulated years"
            + (f'; the best guess so far is <b class="name">{h(tentative)}</b>'
               if tentative else "")
            + f". {h(report['decision'].get('reason', ''))}</p>")
    elif goals:
        best = points.sort_values(["goal_probability", "team_cost_per_year"],
                                  ascending=[False, True]).iloc[0] \
            if "goal_probability" in points else None
        out.append('<span class="verdict none">No team meets the goal</span>')
        text = (f"None of the {n} team shapes meets {h(an.goals_phrase(goals))} in at least "
                f"{100 * confidence:.0f}% of simulated years.")
        if best is not None and pd.notna(best.get("goal_probability")):
            run = sweep.runs.get(best["point"])
            team = an.team_words(run.scenario) if run else ""
            text += (f' The closest is <b class="name">{h(best["point"])}</b>'
                     + (f" ({h(team)})" if team else "")
                     + f" with {100 * float(best['goal_probability']):.0f}% (95% CI "
                     f"{100 * float(best['goal_ci_low']):.0f}%–"
                     f"{100 * float(best['goal_ci_high']):.0f}%). Add people beyond the grid, "
                     "relax the goal, or accept a lower confidence.")
        out.append(f'<p class="lead">{text}</p>')
    else:
        out.append('<span class="verdict none">No goal given</span>')
        out.append(f'<p class="lead">{n} team shapes were simulated without a goal; run the '
                   "sweep with <code>--goal</code> (e.g. <code>time_to_fill_days.p80&lt;=60"
                   "</code>) for a recommendation. The Pareto frontier below shows the teams "
                   "worth considering.</p>")
    items = []
    usable = points[points["cost_per_hire"].notna()]
    if len(usable):
        cheap = usable.loc[usable["cost_per_hire"].astype(float).idxmin()]
        items.append(f"Lowest cost per hire: {h(cheap['point'])} "
                     f"({an.money(cheap['cost_per_hire'])}).")
    fast = points[points["time_to_fill_p80"].notna()]
    if len(fast):
        quick = fast.loc[fast["time_to_fill_p80"].astype(float).idxmin()]
        items.append(f"Fastest at P80: {h(quick['point'])} "
                     f"({float(quick['time_to_fill_p80']):.0f} days).")
    front = report.get("pareto_front") or []
    if front:
        items.append("On the Pareto frontier (no other team is both cheaper per hire and "
                      f"faster at P80): {', '.join(h(p) for p in front)}.")
    decision = report.get("decision") or {}
    if decision.get("reason") and decision.get("confident"):
        reason = str(decision["reason"]).removeprefix("confident: ")
        items.insert(0, f"Confident ({h(decision.get('procedure'))}): {h(reason)}.")
    elif decision.get("procedure"):
        items.insert(0, f"Decided by {h(decision['procedure'])}.")
    for sentence in next_steps_sentences(
            report.get("next_steps") or {}, confidence,
            lambda metric, op, value: an.goal_words(f"{metric}{op}{goal_value(value)}")):
        items.append(h(sentence))
    if (report.get("bottleneck") or {}).get("sentence"):
        items.append(h(report["bottleneck"]["sentence"]))
    for e in [] if (report.get("bottleneck") or {}).get("sentence") else (
            report.get("buy_next") or []):
        p80 = (e.get("time_to_fill_p80") or {}).get("mean")
        change = e.get("goal_probability_change")
        price = e.get("cost_per_year", e.get("team_cost_per_year"))
        items.append(
            f"Buying {h(e.get('buy'))} ({an.money(price)} a year) "
            + (f"changes P80 time-to-fill by {write(p80, 'days', DIFFERENCE)} days"
               if p80 is not None else "")
            + (f" and the goal probability by {100 * change:+.0f} points"
               if change is not None else "") + ".")
    if items:
        out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    reps = int(report.get("replications") or 0)
    if reps and reps < 30 and not decision.get("confident"):
        out.append(f'<ul class="warn"><li>Only {reps} replications per team; intervals are '
                   "wide. Use more (-n 200) before deciding.</li></ul>")
    return "".join(out)
