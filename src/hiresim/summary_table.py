"""Plain-text presentation of summaries: labels with units, tables, and warnings.

Used by the CLI (which does the printing) and by anything else that shows a summary in
words. Numbers are written by ``hiresim.kpi_numbers`` (style ``TABLE``, paired differences
``DIFFERENCE``): shares as percentages, money in whole units.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from hiresim.kpi_catalogue import SummaryRow, compared, summary_rows
from hiresim.kpi_numbers import AMOUNT, DIFFERENCE, bracketed, write
from hiresim.records import REQ_COLUMNS, ReplicationResult
from hiresim.sweep_grid import ROW_FIELDS, next_steps_sentences

SATURATED = 0.97  # utilisation at which a queue no longer settles within the horizon


def cell(metric: dict, row: SummaryRow) -> str:
    """'mean [ci_low, ci_high]' for a summarised metric, or a pooled percentile."""
    kind, sub = row.kind, row.sub
    if sub:
        value = metric.get(sub)
        return write(value, kind) if value is not None else "> horizon"
    mean = metric.get("mean")
    if mean is None:
        return "-"
    low, high = metric.get("ci_low"), metric.get("ci_high")
    if low is None or high is None:
        return write(mean, kind)
    if kind == "share":  # a share cannot leave [0, 1]; few replications give wide t-intervals
        low, high = max(0.0, low), min(1.0, high)
    return f"{write(mean, kind)} {bracketed(low, high, kind)}"


# KPIs of a feature a team may not use (agencies and RPO): their rows are left out of a
# table (summary and paired differences, terminal and report) when no scenario of it uses
# the feature, i.e. the KPI is zero or absent in every scenario. Costs every team has
# (salaries, tools, interviewer time) always show.
OPTIONAL_FEATURE_KPIS = frozenset({"cost_agency_fees"})


def unused_feature_kpis(metrics: Iterable[Mapping[str, dict]]) -> frozenset[str]:
    """The optional-feature KPIs (``OPTIONAL_FEATURE_KPIS``) whose mean is zero or absent in
    every one of these scenarios' metrics (``summary["metrics"]``); none when none given."""
    given = list(metrics)
    if not given:
        return frozenset()
    return frozenset(k for k in OPTIONAL_FEATURE_KPIS
                     if all(not (m.get(k) or {}).get("mean") for m in given))


def summary_table(summaries: Sequence[dict]) -> str:
    """Side-by-side table, one column per scenario (``Results.to_dict()`` shapes)."""
    names = [s["scenario"] for s in summaries]
    rows: list[list[str]] = [["", *names]]
    unused = unused_feature_kpis(s["metrics"] for s in summaries)
    for spec in summary_rows():
        if all(s["metrics"].get(spec.key, {}).get("n", 0) == 0 for s in summaries):
            continue
        if spec.key in unused:
            continue
        rows.append([spec.label, *(cell(s["metrics"].get(spec.key, {}), spec)
                                   for s in summaries)])
    reps = {s["replications"] for s in summaries}
    seeds = {s["seed"] for s in summaries}
    head = (
        f"{'/'.join(str(r) for r in sorted(reps))} replications, seed "
        f"{'/'.join(str(s) for s in sorted(seeds))}; mean [95% CI across replications]"
    )
    return head + "\n\n" + _aligned(rows)


def warnings_for(summary: dict) -> list[str]:
    """Plain-language warnings about results that need care (saturated roles, medians
    beyond the horizon, no hires)."""
    out = []
    m = summary["metrics"]
    name = summary["scenario"]
    for role, label in (("recruiter", "recruiters"), ("sourcer", "sourcers"),
                        ("interviewers", "interviewers")):
        mean = m.get(f"utilization_{role}", {}).get("mean")
        if mean is not None and mean >= SATURATED:
            out.append(
                f"warning: {name}: {label} are busy {100 * mean:.0f}% of their hours; work "
                "piles up faster than it is done, so results depend on the horizon"
            )
    ttf_runs, runs = m.get("time_to_fill_days", {}).get("n"), summary.get("replications")
    if ttf_runs is not None and runs and ttf_runs < runs:
        out.append(
            f"warning: {name}: in {runs - ttf_runs} of {runs} replications fewer than half "
            "the reqs were filled by the horizon, so their median time to fill is longer "
            f"than the run shows; 'Time to fill, median per run' averages the other "
            f"{ttf_runs} and understates it: read it with the fill rate and P80"
        )
    if (m.get("hires", {}).get("mean") or 0) == 0:
        out.append(f"warning: {name}: no hires in any replication; check the hiring plan")
    return out


def goal_lines(summary: dict) -> list[str]:
    """'split: P(time_to_fill_days.p80<=60) = 87% [83%, 90%] over 200 replications'."""
    out = []
    for g in summary.get("goals", []):
        if g["probability"] is None:
            continue
        out.append(
            f"{summary['scenario']}: meets {g['goal']} in {100 * g['probability']:.0f}% of "
            f"replications [95% CI {100 * g['ci_low']:.0f}%-{100 * g['ci_high']:.0f}%, "
            f"n={g['replications']}]"
        )
    return out


def precision_lines(outcomes: Sequence, precision: float | None,
                    max_replications: int) -> list[str]:
    """Whether each run (``hiresim.results.Results``) reached its ``--precision``."""
    if precision is None:
        return []
    return [f"{o.name}: {o.n_replications} replications reached the requested precision "
            f"of {precision:g}" if o.precision_reached else
            f"{o.name}: stopped at --max-replications {max_replications} before reaching "
            f"precision {precision:g}" for o in outcomes]


def inspection_lines(name: str, result: ReplicationResult) -> list[str]:
    """One replication in words: its KPIs, then its event log (``run --replication K``)."""
    lines = [f"{name}: replication {result.replication} of seed {result.seed}"]
    lines += [f"  {key:34s} {value:,.3f}" for key, value in result.kpis.items()]
    lines.append("\nevent log (day, event):")
    lines += [f"{day:9.2f}  {text}" for day, text in event_log(result)]
    return lines


def event_log(result: ReplicationResult) -> list[tuple[float, str]]:
    """A chronological log of one replication: req milestones and candidate stage moves."""
    events: list[tuple[float, int, str]] = []
    cols = {name: i for i, name in enumerate(REQ_COLUMNS)}
    for row in result.reqs:
        req = f"req {row[cols['req']]} ({row[cols['profile']]})"
        for col, text in (
            ("open_day", "opened"),
            ("assigned_day", f"assigned to {row[cols['recruiter']]}"),
            ("active_day", "intake done, advertised"),
            ("sourcing_day", f"sourcing by {row[cols['sourcer']]}"),
            ("filled_day", "filled"),
        ):
            day = row[cols[col]]
            if day == day:  # not nan
                events.append((day, 0, f"{req} {text}"))
    profile_of = {}
    for c in result.candidates or []:
        profile_of[c[0]] = (c[3], c[1])
    for cand, stage, enter, _start, end, outcome in result.visits or []:
        source, req = profile_of.get(cand, ("?", "?"))
        who = f"candidate {cand} ({source}, req {req})"
        if stage != "outreach" or outcome != "failed":
            events.append((enter, 1, f"{who} enters {stage}"))
            events.append((end, 2, f"{who} {outcome} {stage}"))
    events.sort(key=lambda e: (e[0], e[1]))
    return [(day, text) for day, _, text in events]


def _diff_cell(diff: dict, kind: str) -> str:
    """'mean [ci_low, ci_high]' of a paired difference, signed ('-' when missing)."""
    if diff.get("mean") is None:
        return "-"
    text = write(diff["mean"], kind, DIFFERENCE)
    if diff.get("ci_low") is None:
        return text
    return f"{text} {bracketed(diff['ci_low'], diff['ci_high'], kind, DIFFERENCE)}"


def _aligned(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j])
                               for j, c in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def difference_table(differences: dict[str, dict], baseline: str, comparisons: int,
                     summaries: Sequence[dict] = ()) -> str:
    """Paired differences against the baseline, one column per other scenario; with the
    scenarios' ``summaries``, without the rows of a feature none of them uses."""
    others = list(differences)
    if not others:
        return ""
    confidence = 1 - 0.05 / max(1, comparisons)
    rows = [[f"difference vs {baseline}", *others]]
    unused = unused_feature_kpis(s["metrics"] for s in summaries)
    for kpi in compared():
        if all(kpi.name not in differences[o] for o in others) or kpi.name in unused:
            continue
        rows.append([kpi.label, *(_diff_cell(differences[o].get(kpi.name, {}), kind=kpi.kind)
                                  for o in others)])
    adjust = (f", Bonferroni-adjusted for {comparisons} comparisons"
              if comparisons > 1 else "")
    head = (f"Paired differences (scenario minus {baseline}, same random numbers); "
            f"mean [{100 * confidence:.4g}% CI{adjust}]")
    return head + "\n\n" + _aligned(rows)


# Fields of a sweep point's row besides the settings (added with issue 16).
SWEEP_ROW_EXTRAS = ("coordinators", "hires_per_ta_head", "cost_agency_fees",
                    "ta_cost_per_year")


def skipped_lines(skipped: list[str]) -> list[str]:
    """The grid's impossible combinations, one line per reason, naming the points."""
    by_reason: dict[str, list[str]] = {}
    for line in skipped:
        point, _, reason = line.partition(": ")
        by_reason.setdefault(reason, []).append(point)
    return [f"Skipped {len(points)} impossible combination{'s' if len(points) > 1 else ''} "
            f"({reason}): {', '.join(points)}" for reason, points in by_reason.items()]


def _ranking_lines(report: dict) -> list[str]:
    """The ranking of the points, with each one's probability of meeting the goals."""
    ranked = report.get("ranking") or []
    if not ranked:
        return []
    order = ("meets the goals first, cheapest TA cost a year (team + agency fees) first"
             if report["goals"] else "cheapest TA cost a year (team + agency fees) first")
    out = ["", f"Ranking ({order}):"]
    for r in ranked[:10]:
        p = r.get("goal_probability")
        out.append(
            f"{r['rank']:>3}. {r['point']}: {write(r['ta_cost_per_year'], 'money')} a "
            f"year, cost per hire {write(r['cost_per_hire'], 'money')}, "
            f"{write(r.get('hires_per_ta_head'), 'ratio')} hires per TA head a quarter"
            + (f", P(goals) {100 * p:.0f}%" if p is not None else "")
            + (" (recommended)" if r["point"] == report.get("recommended") else ""))
    if len(ranked) > 10:
        out.append(f"     ... and {len(ranked) - 10} more (sweep_summary.json: ranking)")
    return out


def sweep_report(report: dict) -> str:
    """The sweep in text: points, Pareto frontier, recommendation, what to buy next."""
    rows = report["points"]
    settings = [k for k in rows[0] if k not in ROW_FIELDS and k not in SWEEP_ROW_EXTRAS] \
        if rows else []
    head = ["point", "team $/yr", "cost/hire", "TTF P50", "TTF P80", "filled",
            "util rec", "util src", "hires/TA head"]
    if report["goals"]:
        head.append("P(goals)")
    table = [head]
    front = set(report["pareto_front"])
    for r in rows:
        line = [
            r["point"] + (" *" if r["point"] in front else ""),
            write(r["team_cost_per_year"], "money"),
            write(r["cost_per_hire"], "money"),
            write(r["time_to_fill_p50"], "days"),
            write(r["time_to_fill_p80"], "days") if r["time_to_fill_p80"] is not None
            else "> horizon",
            write(r["fill_rate"], "share"),
            write(r["utilization_recruiter"], "share"),
            write(r["utilization_sourcer"], "share"),
            write(r.get("hires_per_ta_head"), "ratio"),
        ]
        if report["goals"]:
            line.append(write(r.get("goal_probability"), "share"))
        table.append(line)
    out = [
        f"{len(rows)} team shapes x {_reps_words(rows, report)} replications, seed "
        f"{report['seed']} (same random numbers for every point)"
        + (f"; varied: {', '.join(settings)}" if settings else ""),
        "",
        _aligned(table),
        "",
        "* on the Pareto frontier (no other point is both cheaper per hire and faster at P80): "
        + ", ".join(report["pareto_front"]),
    ]
    out += skipped_lines(report.get("skipped_points") or [])
    out += _ranking_lines(report)
    if report["goals"]:
        out += _sweep_verdict(report, rows)
    else:
        out.append("State a --goal (e.g. --goal 'time_to_fill_days.p80<=60') to get the "
                   "cheapest team that meets it and what to buy next.")
    return "\n".join(out)


def tentative_pick(report: dict) -> str | None:
    """The cheapest point whose estimated goal probability reaches the requirement."""
    ok = [r for r in report.get("points") or []
          if (r.get("goal_probability") or 0.0) >= report["confidence"]]
    return min(ok, key=lambda r: r["team_cost_per_year"])["point"] if ok else None


def _reps_words(rows: Sequence[dict], report: dict) -> str:
    counts = sorted({int(r.get("replications") or report["replications"]) for r in rows})
    if len(counts) <= 1:
        return str(counts[0] if counts else report["replications"])
    return f"{counts[0]}-{counts[-1]} (sequential: more where the verdict was uncertain)"


def _sweep_verdict(report: dict, rows: Sequence[dict]) -> list[str]:
    """Recommendation with its confidence, next steps, bottleneck, what to buy next."""
    out = []
    goals = " and ".join(report["goals"])
    rec = report["recommended"]
    decision = report.get("decision") or {}
    required = 100 * report["confidence"]
    if rec is None and decision and not decision.get("confident"):
        tentative = tentative_pick(report)
        out.append(f"No recommendation: the sweep is not confident which team is the cheapest "
                   f"that meets {goals} with probability >= {required:.0f}%"
                   + (f" (the best guess so far is {tentative})" if tentative else "") + ".")
        out += next_steps_sentences(report.get("next_steps") or {}, report["confidence"])
    elif rec is None:
        out.append(f"No team shape meets {goals} with probability >= {required:.0f}%.")
        out += next_steps_sentences(report.get("next_steps") or {}, report["confidence"])
    else:
        row = next(r for r in rows if r["point"] == rec)
        cost = write(row["team_cost_per_year"], "money")
        out.append(
            f"Recommended: {rec}, the cheapest team ({cost} a year) that meets {goals} with "
            f"probability {100 * row['goal_probability']:.0f}% (95% CI "
            f"{100 * row['goal_ci_low']:.0f}-{100 * row['goal_ci_high']:.0f}%; required "
            f"{required:.0f}%)" + ("" if decision.get("confident", True) else
                                    ", but this answer is not confident (below)") + ".")
    if decision:
        reason = str(decision.get("reason"))
        sure = reason.startswith("confident: ")
        out.append(f"{'Confident' if sure else 'Not confident'} ({decision.get('procedure')}): "
                   f"{reason.split(': ', 1)[-1].rstrip('.')}.")
        if "total_replications" in decision:
            rounds = decision["rounds"]
            out.append(f"Replications: {decision['total_replications']} in {rounds} "
                       f"round{'s' if rounds != 1 else ''} (budget {decision['budget']}).")
    buy = report.get("buy_next") or []
    if buy:
        out.append("")
        if (report.get("bottleneck") or {}).get("sentence"):
            out.append(report["bottleneck"]["sentence"])
        out.append(f"What to buy next, from {report.get('buy_next_from') or rec} (paired, "
                   "same random numbers):")
        for e in buy:
            goal = e.get("goal_probability_change")
            out.append(
                f"- {e['buy']}: +{write(e.get('cost_per_year', 0), 'money', AMOUNT)} a year; P80 "
                f"time-to-fill {_diff_cell(e['time_to_fill_p80'], 'days')} days; cost per "
                f"hire {_diff_cell(e['cost_per_hire'], 'money')}"
                + (f"; P(goals) {100 * goal:+.0f} points" if goal is not None else ""))
    return out
