"""Plain-text presentation of summaries: labels with units, tables, and warnings.

Used by the CLI (which does the printing) and by anything else that shows a summary in
words. Percent-type metrics are shown as percentages; money is rounded to whole units.
"""

from __future__ import annotations

from collections.abc import Sequence

from hiresim.records import REQ_COLUMNS, ReplicationResult

# metric key -> (label with unit, kind). kind: days, pct, money, count, ratio
LABELS: dict[str, tuple[str, str]] = {
    "time_to_fill_days": ("Time to fill, median per run (days)", "days"),
    "time_to_fill_days.p50": ("Time to fill P50, all reqs (days)", "days"),
    "time_to_fill_days.p80": ("Time to fill P80, all reqs (days)", "days"),
    "time_to_fill_days.p90": ("Time to fill P90, all reqs (days)", "days"),
    "fill_rate": ("Reqs filled by the horizon", "pct"),
    "hires": ("Hires", "count"),
    "time_to_hire_days": ("Time to hire (days)", "days"),
    "cost_per_hire": ("Cost per hire", "money"),
    "offer_acceptance_rate": ("Offer acceptance", "pct"),
    "reply_rate": ("Outreach reply rate", "pct"),
    "contacted_per_sourced_hire": ("Prospects contacted per sourced hire", "count"),
    "hires_per_recruiter_per_quarter": ("Hires per recruiter per quarter", "ratio"),
    "withdrawal_rate": ("Engaged candidates who withdrew", "pct"),
    "utilization_recruiter": ("Recruiter utilisation", "pct"),
    "utilization_sourcer": ("Sourcer utilisation", "pct"),
    "utilization_interviewers": ("Interviewer utilisation", "pct"),
    "recruiter_sourcing_share": ("Recruiter hours spent sourcing", "pct"),
    "backlog_days_mean": ("Days a req waits for a recruiter", "days"),
}

SATURATED = 0.97  # utilisation at which a queue no longer settles within the horizon


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "count":
        return f"{value:,.1f}"
    return f"{value:.2f}" if kind == "ratio" else f"{value:.1f}"


def cell(metric: dict, key: str) -> str:
    """'mean [ci_low, ci_high]' for a summarised metric, or a pooled percentile."""
    base, _, sub = key.partition(".")
    kind = LABELS[key][1]
    if sub:
        value = metric.get(sub)
        return _fmt(value, kind) if value is not None else "> horizon"
    mean = metric.get("mean")
    if mean is None:
        return "-"
    low, high = metric.get("ci_low"), metric.get("ci_high")
    if low is None or high is None:
        return _fmt(mean, kind)
    return f"{_fmt(mean, kind)} [{_fmt(low, kind)}, {_fmt(high, kind)}]"


def summary_table(summaries: Sequence[dict]) -> str:
    """Side-by-side table, one column per scenario (``Results.to_dict()`` shapes)."""
    names = [s["scenario"] for s in summaries]
    rows: list[list[str]] = [["", *names]]
    for key, (label, _) in LABELS.items():
        base = key.partition(".")[0]
        if all(s["metrics"].get(base, {}).get("n", 0) == 0 for s in summaries):
            continue
        rows.append([label, *(cell(s["metrics"].get(base, {}), key) for s in summaries)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j])
                               for j, c in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    reps = {s["replications"] for s in summaries}
    seeds = {s["seed"] for s in summaries}
    head = (
        f"{'/'.join(str(r) for r in sorted(reps))} replications, seed "
        f"{'/'.join(str(s) for s in sorted(seeds))}; mean [95% CI across replications]"
    )
    return head + "\n\n" + "\n".join(lines)


def warnings_for(summary: dict) -> list[str]:
    """Plain-language warnings about results that need care (saturated roles, no hires)."""
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
