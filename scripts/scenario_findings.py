#!/usr/bin/env python
"""Regenerate scenarios/README.md and scenarios/findings.json from real runs.

Each shipped question is answered by a comparison or a sweep on common random numbers.
The script writes, per question, the numbers and the conclusions in words, and
findings.json with the machine-readable claims that tests/test_scenario_findings.py
re-checks on another seed.

    .venv/bin/python scripts/scenario_findings.py [-n 100] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from hiresim.console import BUDGET_PER_SHAPE
from hiresim.experiment import make_executor
from hiresim.goals import parse_goal
from hiresim.intervals import paired_difference
from hiresim.kpi_numbers import PAGE, TABLE, write
from hiresim.outputs import json_safe
from hiresim.scenario_files import expand_grid, load_scenario
from hiresim.studies import compare_study, sweep_study
from hiresim.summary_table import sweep_report

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

# every profile's openings doubled (the "doubling the openings for the same team")
DOUBLED = ["profiles[backend].openings.count=64", "profiles[frontend].openings.count=44",
           "profiles[ml-embedded].openings.count=20"]

QUESTIONS = [
    {
        "id": "baseline",
        "title": "Combined role or split roles, at the same budget?",
        "kind": "compare",
        "files": ["combined.yaml", "split.yaml"],
        "why": "The baseline: the same 64-opening plan (including a scarce ML/embedded "
               "profile) staffed by three full-cycle recruiters, or by one sourcer and two "
               "recruiters, for about the same TA budget.",
        "drives": ("the salaries (the sourcer is paid less: equal salaries), the recruiters' "
                   "sourcing skill (0.8 reply, 1.25 hours multipliers: skill multipliers 1.0) and "
                   "the split handoff (delay, 5% context loss); all assumptions, neutralised below"
                   " where a claim is clear. The higher withdrawal rate of split is neither: it "
                   "is applicants who lose patience (SR Group 2023's ~22 days) waiting for "
                   "application review by two recruiters instead of three (the funnel table: "
                   "withdrawals at application_review), so it rests on the head count of the "
                   "recruiter role and on review coming after all other candidate work"),
    },
    {
        "id": "double",
        "title": "Twice the openings for the same team: who keeps sourcing?",
        "kind": "compare",
        "files": ["combined.yaml", "split.yaml"],
        "sets": [["name=combined-2x", *DOUBLED], ["name=split-2x", *DOUBLED]],
        "why": "The baseline teams with every profile's openings doubled (128 in the year; "
               "`--set profiles[backend].openings.count=64` and likewise). A full-cycle "
               "recruiter's pipeline work comes before sourcing, so the question is whether "
               "the combined recruiters' sourcing share falls and the split team's dedicated "
               "sourcer pulls ahead on sourced hires.",
        "drives": "the work priorities (pipeline before new outreach, docs/model.md 2.3 and "
                  "2.6) and the recurring per-req workload (2.10, an assumption)",
    },
    {
        "id": "team-sizes",
        "title": "With split roles, how many sourcers, recruiters and backend interviewers?",
        "kind": "sweep",
        "files": ["split-team-sizes.yaml"],
        "goals": ["time_to_fill_days.p80<=160"],
        "why": "The plan of split.yaml at 1-2 sourcers x 1-3 recruiters x 8 or 10 backend "
               "interviewers; the cheapest team that fills 80% of reqs within 160 days in at "
               "least 80% of simulated years.",
        "drives": ("the recurring workload per req (2.10, an assumption), which leaves one "
                   "recruiter far short; past two recruiters, backend interview slots (2 a "
                   "week per interviewer, an assumption: docs/model.md 2.2), where two more "
                   "interviewers cost a sixth of a third recruiter; and salaries (cheapest "
                   "team)"),
    },
    {
        "id": "scarce",
        "title": "A scarce, specialised profile: does a dedicated sourcer help?",
        "kind": "compare",
        "files": ["scarce-combined.yaml", "scarce-split.yaml"],
        "why": "16 ML/embedded openings with few applicants and low reply rates: two "
               "full-cycle recruiters, or one sourcer and one recruiter (cheaper).",
        "drives": ("the scarce profile's market (2 applicants a week, 18% reply: Gem 2022), the "
                   "recruiters' sourcing skill multipliers and salaries (assumptions, neutralised "
                   "below)"),
    },
    {
        "id": "pipeline-ahead",
        "title": "Building a pipeline ahead of headcount approval",
        "kind": "compare",
        "files": ["split.yaml", "pipeline-ahead.yaml"],
        "why": "The split team, with the sourcer starting on each req 30 days before it is "
               "approved.",
        "drives": ("the patience and drop-out of candidates found before the req opens "
                   "(docs/model.md 2.9, 4.6, 4.9: the hazard is calibrated, its shape an "
                   "assumption)"),
    },
    {
        "id": "new-market",
        "title": "Expanding into a new market with no existing network",
        "kind": "compare",
        "files": ["new-market-combined.yaml", "new-market-split.yaml"],
        "why": "30 openings in a new hub: a third of the usual applicants, colder outreach. "
               "Three full-cycle recruiters, or one sourcer and two recruiters.",
        "drives": ("the cold-market rates (a third of the applicants, 25% reply, 45% interest: "
                   "assumptions) and the salaries and skill multipliers (neutralised below)"),
    },
    {
        "id": "slow-interviews",
        "title": "Candidates drop out because interviews are slow: another sourcer, or more "
                 "interview slots?",
        "kind": "compare-points",
        "files": ["slow-interviews.yaml"],
        "points": ["slow-interviews-s1-i4", "slow-interviews-s2-i4", "slow-interviews-s1-i8"],
        "why": "The split team with scarce interviewer time (4 interviewers at 1.5 h a week "
               "per profile): add a sourcer (s2), or double the interviewers (i8).",
        "drives": ("interviewer slots (2.11: slot length and reserved-hour cost, assumptions) and "
                   "the drop-out hazard (4.9)"),
    },
    {
        "id": "remote",
        "title": "Many technical roles at once for a remote team",
        "kind": "compare",
        "files": ["remote-combined.yaml", "remote-split.yaml"],
        "why": "100 remote openings across five profiles: six full-cycle recruiters, or two "
               "sourcers and four recruiters.",
        "drives": ("the remote market rates (more, weaker applicants: assumption), salaries and "
                   "skill multipliers (neutralised below)"),
    },
]

CLAIM_KPIS = ("time_to_fill_p80", "cost_per_hire", "time_to_fill_p50", "withdrawal_rate")
# paired differences the answers quote beyond the catalogue's compared KPIs
EXTRA_DIFFERENCES = ("sourced_hires", "recruiter_sourcing_share", "pool_hires")
STRONG_T = 4.0  # a difference is stated as a finding only when |mean| > 4 standard errors


def _claims(question: dict, report: dict, names: list[str], files: list[str]) -> list[dict]:
    claims = []
    for other, diffs in report["differences"].items():
        for kpi in CLAIM_KPIS:
            d = diffs.get(kpi)
            if not d or d.get("mean") is None or d.get("sd") in (None, 0):
                continue
            se = d["sd"] / math.sqrt(d["n"])
            t = d["mean"] / se if se > 0 else 0.0
            if abs(t) >= STRONG_T:
                claims.append({
                    "question": question["id"], "kind": "difference",
                    "baseline": names[0], "other": other,
                    "files": files, "points": question.get("points"),
                    "sets": question.get("sets"),
                    "kpi": kpi, "direction": "lower" if d["mean"] < 0 else "higher",
                    "mean": d["mean"], "t": t,
                })
    return claims


# The assumptions a combined-vs-split claim may rest on, and how each is neutralised:
# the sourcer paid (and equipped) like a recruiter; a recruiter who sources as well as a
# dedicated sourcer. Every claim of a comparison is re-run with each neutralised.
NEUTRALISED = {
    "equal salaries": {"split": ["team.sourcers.annual_salary=120000",
                                 "team.sourcers.tool_seat_per_year=3000"]},
    "skill multipliers 1.0": {"combined": ["team.recruiter_skill.reply_rate_multiplier=1.0",
                                           "team.recruiter_skill.outreach_hours_multiplier=1.0"],
                              "split": ["team.recruiter_skill.reply_rate_multiplier=1.0",
                                        "team.recruiter_skill.outreach_hours_multiplier=1.0"]},
}


def _load(files: list[str], sets: list[list[str]] | None,
          sets_by_structure: dict[str, list[str]] | None = None) -> list:
    """The question's scenarios: each file with its own ``--set`` overrides, and the
    overrides of ``sets_by_structure`` for its team structure."""
    out = []
    for k, f in enumerate(files):
        own = list(sets[k]) if sets else []
        plain = load_scenario(ROOT / f, own)
        extra = (sets_by_structure or {}).get(plain.team.structure, [])
        out.append(load_scenario(ROOT / f, own + extra) if extra else plain)
    return out


def _assumption_lines(found: list[dict], files: list[str], replications: int, seed: int,
                      ex: object, sets: list[list[str]] | None = None) -> str:
    """For each clear claim: its paired effect with each assumption neutralised."""
    structures = {load_scenario(ROOT / f).team.structure for f in files}
    if not found or structures != {"combined", "split"}:
        return ""
    lines = []
    own_sets = sets
    for name, sets in NEUTRALISED.items():
        report = compare_study(_load(files, own_sets, sets), replications, seed, ex).report
        for c in found:
            d = report["differences"].get(c["other"], {}).get(c["kpi"])
            if not d or d.get("mean") is None or not d.get("sd"):
                continue
            t = d["mean"] / (d["sd"] / math.sqrt(d["n"]))
            verdict = ("still clear: not driven by this assumption" if abs(t) >= STRONG_T
                       and (d["mean"] < 0) == (c["mean"] < 0) else
                       "no longer clear: this assumption drives it")
            lines.append(f"- {c['kpi'].replace('_', ' ')} ({c['other']} - {c['baseline']}: "
                         f"{c['mean']:+,.1f}) with {name}: {d['mean']:+,.1f} "
                         f"(|t| = {abs(t):.1f}), {verdict}")
    if not lines:
        return ""
    return ("\n\nThe same claims with each assumption neutralised (paired, same random "
            "numbers; equal salaries: the sourcer paid and equipped like a recruiter; skill "
            "multipliers 1.0: a recruiter sources like a dedicated sourcer):\n\n"
            + "\n".join(lines))


def _with_extra_differences(study: Any) -> dict:
    """The comparison's report, its differences extended by EXTRA_DIFFERENCES."""
    report = study.report
    base = study.results[0].kpis.set_index("replication")
    m = max(1, len(study.results) - 1)
    for name, res in zip([p["scenario"] for p in report["scenarios"]][1:], study.results[1:],
                         strict=True):
        other = res.kpis.set_index("replication")
        for kpi in EXTRA_DIFFERENCES:
            if kpi in base and kpi in other:
                report["differences"][name].setdefault(
                    kpi, paired_difference(base[kpi], other[kpi], m))
    return report


def _metric(report: dict, scenario: str, kpi: str) -> float:
    return next(p["metrics"][kpi]["mean"] for p in report["scenarios"]
                if p["scenario"] == scenario)


def _paired(report: dict, other: str, kpi: str) -> str:
    d = report["differences"][other][kpi]
    se = d["sd"] / math.sqrt(d["n"]) if d.get("sd") else 0.0
    return f"{d['mean']:+.1f} (standard error {se:.1f})"


def _answer_double(reports: dict[str, dict]) -> str:
    """The issue's first question, answered from the runs: twice the openings."""
    base, double = reports["baseline"], reports["double"]
    share = [_metric(base, "combined", "recruiter_sourcing_share"),
             _metric(double, "combined-2x", "recruiter_sourcing_share")]
    hires = {name: _metric(r, name, "sourced_hires") for r, name in
             [(base, "combined"), (base, "split"), (double, "combined-2x"),
              (double, "split-2x")]}
    return (
        "\n\n**Answer.** With twice the openings the combined recruiters spend "
        f"{share[1]:.0%} of their busy hours sourcing, against {share[0]:.0%} at the "
        "baseline plan: their pipeline work crowds out sourcing. Sourced hires: combined "
        f"{hires['combined']:.1f} -> {hires['combined-2x']:.1f}, split {hires['split']:.1f} "
        f"-> {hires['split-2x']:.1f}; at twice the openings split minus combined is "
        f"{_paired(double, 'split-2x', 'sourced_hires')} sourced hires (paired), against "
        f"{_paired(base, 'split', 'sourced_hires')} at the baseline plan.\n")


def _answer_scarce(reports: dict[str, dict]) -> str:
    """The issue's second question: scarce inbound, at equal headcount (2 and 1 + 1)."""
    r = reports["scarce"]
    return (
        "\n\n**Answer (equal headcount: two full-cycle recruiters, or one sourcer and "
        "one recruiter).** Split minus combined, paired: time to fill P80 "
        f"{_paired(r, 'scarce-split', 'time_to_fill_p80')} days, median "
        f"{_paired(r, 'scarce-split', 'time_to_fill_p50')} days, sourced hires "
        f"{_paired(r, 'scarce-split', 'sourced_hires')}, cost per hire "
        f"{_paired(r, 'scarce-split', 'cost_per_hire')}. The sourcing capacity is one "
        "dedicated sourcer against two recruiters who source when their pipeline leaves "
        "time, so the result weighs the sourcer's skill (the 0.8 reply and 1.25 hours "
        "multipliers of a sourcing recruiter, assumptions) against the second person "
        "who can screen and run interviews; a difference is a finding only beyond 4 "
        "standard errors (listed above, with the neutralised assumptions, when there is "
        "one). Where neither team is busy (the utilisation rows), the market, not who "
        "sources, is what binds: in a finite market (docs/model.md 4.11) a dedicated "
        "sourcer only reaches the same prospects sooner.\n")


ANSWERS = {"double": _answer_double, "scarce": _answer_scarce}


def _md_table(rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out)


def _fmt(v: float | None, kind: str) -> str:
    """pct as '84.0%', money as '$16,082', days and num to one decimal ('-' if missing)."""
    if kind == "money":
        return write(v, "money", PAGE)
    return write(v, "share" if kind == "pct" else kind, TABLE)


def _scenario_table(payloads: list[dict]) -> str:
    rows = [["", *[p["scenario"] for p in payloads]]]
    spec = [
        ("Time to fill, median (days)", lambda m: m["time_to_fill_days"]["p50"], "days"),
        ("Time to fill, P80 (days)", lambda m: m["time_to_fill_days"]["p80"], "days"),
        ("Reqs filled within the year", lambda m: m["fill_rate"]["mean"], "pct"),
        ("Cost per hire", lambda m: m["cost_per_hire"]["mean"], "money"),
        ("TA team cost per year", lambda m: m["team_cost_per_year"]["mean"], "money"),
        ("Hires per recruiter per quarter",
         lambda m: m["hires_per_recruiter_per_quarter"]["mean"], "num"),
        ("Reqs filled within 90 days", lambda m: m["fill_rate_in_window"]["mean"], "pct"),
        ("Hires per TA head per quarter",
         lambda m: m["hires_per_ta_head"]["mean"], "num"),
        ("Engaged candidates who withdrew", lambda m: m["withdrawal_rate"]["mean"], "pct"),
        ("Screened candidates who withdrew",
         lambda m: m["screened_withdrawal_rate"]["mean"], "pct"),
        ("Sourced hires", lambda m: m["sourced_hires"]["mean"], "num"),
        ("Hires from the talent pool", lambda m: m["pool_hires"]["mean"], "num"),
        ("Prospects contacted per sourced hire",
         lambda m: m["contacted_per_sourced_hire"]["mean"], "num"),
        ("Recruiter hours spent sourcing",
         lambda m: m["recruiter_sourcing_share"]["mean"], "pct"),
        ("Recruiter utilisation", lambda m: m["utilization_recruiter"]["mean"], "pct"),
        ("Sourcer utilisation", lambda m: m["utilization_sourcer"]["mean"], "pct"),
    ]
    for label, get, kind in spec:
        rows.append([label, *[_fmt(get(p["metrics"]), kind) for p in payloads]])
    return _md_table(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("-n", "--replications", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    started = time.time()
    sections = []
    claims: list[dict] = []
    reports: dict[str, dict] = {}
    with make_executor(args.workers) as ex:
        for q in QUESTIONS:
            print(f"[{time.time() - started:6.0f}s] {q['id']} ...", file=sys.stderr, flush=True)
            files = [f"scenarios/{f}" for f in q["files"]]
            cmd = ""
            if q["kind"] == "sweep":
                goals = [parse_goal(g) for g in q["goals"]]
                points = expand_grid(SCENARIOS / q["files"][0])
                # as `hiresim sweep --goal` does: sequential, 100 replications a shape at most
                study = sweep_study(points, None, args.seed, ex, goals,
                                    budget=BUDGET_PER_SHAPE * len(points))
                report = {"file": files[0], **study.report}
                goal_flags = " ".join(f"--goal '{g}'" for g in q["goals"])
                cmd = f"hiresim sweep {files[0]} {goal_flags}"
                body = "```\n" + sweep_report(report) + "\n```"
                if report["recommended"]:
                    row = next(r for r in report["points"]
                               if r["point"] == report["recommended"])
                    claims.append({"question": q["id"], "kind": "recommended",
                                   "files": files, "goals": q["goals"],
                                   "confidence": report["confidence"],
                                   "point": report["recommended"],
                                   "goal_probability": row["goal_probability"]})
            else:
                if q["kind"] == "compare-points":
                    grid = {p.name: p for p in expand_grid(SCENARIOS / q["files"][0])}
                    scenarios = [grid[name].scenario for name in q["points"]]
                    cmd = f"hiresim sweep {files[0]}"
                else:
                    scenarios = _load(files, q.get("sets"))
                    cmd = "hiresim compare " + " ".join(files)
                    if q.get("sets"):
                        cmd += " (each with the --set overrides above)"
                study = compare_study(scenarios, args.replications, args.seed, ex)
                report = _with_extra_differences(study)
                names = [p["scenario"] for p in report["scenarios"]]
                claims.extend(_claims(q, report, names, files))
                found = [c for c in claims if c["question"] == q["id"]]
                findings = "\n".join(f"- {s}" for s in report["statements"])
                strong = "\n".join(
                    f"- **{c['other']}** has {'lower' if c['direction'] == 'lower' else 'higher'}"
                    f" {c['kpi'].replace('_', ' ')} than {c['baseline']} "
                    f"(|t| = {abs(c['t']):.1f})" for c in found)
                body = (_scenario_table(report["scenarios"]) + "\n\nPaired differences "
                        "(same random numbers):\n\n" + findings
                        + ("\n\nFindings clear beyond 4 standard errors (checked by "
                           "`tests/test_scenario_findings.py` on another seed):\n\n" + strong
                           if strong else "\n\nNo difference is clear beyond 4 standard "
                                          "errors.")
                        + (_assumption_lines(found, files, args.replications, args.seed, ex,
                                             q.get("sets"))
                           if q["kind"] == "compare" else ""))
                reports[q["id"]] = report
                body += ANSWERS[q["id"]](reports) if q["id"] in ANSWERS else ""
            body += f"\n\nWhat drives these results: {q['drives']}.\n"
            sections.append(f"## {q['title']}\n\n{q['why']}\n\nFiles: "
                            + ", ".join(f"`{f}`" for f in files)
                            + f"  \nCommand: `{cmd}`\n\n{body}\n")
    head = (
        "# Shipped scenarios: the questions they answer and what hiresim finds\n\n"
        "Generated by `scripts/scenario_findings.py` "
        f"({args.replications} replications, seed {args.seed}, {date.today().isoformat()}); "
        "do not edit by hand. Every number below is from a real run; the claims are "
        "re-checked on a different seed by `tests/test_scenario_findings.py` "
        "(`pytest -m slow`).\n\n"
        "Scenario files use `extends:` so that variants only state what differs: "
        "`scarce-split.yaml` extends `scarce-combined.yaml`, which extends `combined.yaml`. "
        "Every parameter's unit and source is commented in `combined.yaml` and `split.yaml`; "
        "the model is described in `docs/model.md`.\n\n"
        "| file | question |\n|---|---|\n"
        + "\n".join(f"| {', '.join('`' + f + '`' for f in q['files'])} | {q['title']} |"
                    for q in QUESTIONS)
        + "\n"
    )
    (SCENARIOS / "README.md").write_text(head + "\n" + "\n".join(sections))
    (SCENARIOS / "findings.json").write_text(json.dumps(json_safe({
        "replications": args.replications, "seed": args.seed, "claims": claims}), indent=2))
    print(f"wrote scenarios/README.md and scenarios/findings.json in "
          f"{time.time() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
