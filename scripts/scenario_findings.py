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

from hiresim.experiment import make_executor
from hiresim.goals import parse_goal
from hiresim.outputs import json_safe
from hiresim.scenario_files import expand_grid, load_scenario
from hiresim.studies import compare_study, sweep_study
from hiresim.summary_table import TEXT_FORMATS, format_number, sweep_report

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

QUESTIONS = [
    {
        "id": "baseline",
        "title": "Combined role or split roles, at the same budget?",
        "kind": "compare",
        "files": ["combined.yaml", "split.yaml"],
        "why": "The baseline: the same 60-opening plan (including a scarce ML/embedded "
               "profile) staffed by three full-cycle recruiters, or by one sourcer and two "
               "recruiters, for about the same TA budget.",
    },
    {
        "id": "team-sizes",
        "title": "With split roles, how many sourcers and recruiters?",
        "kind": "sweep",
        "files": ["split-team-sizes.yaml"],
        "goals": ["time_to_fill_days.p80<=80", "fill_rate>=0.9"],
        "why": "The plan of split.yaml at 1-2 sourcers x 1-3 recruiters; the cheapest team "
               "that fills 80% of reqs within 80 days and 90% of reqs within the year, in at "
               "least 80% of simulated years.",
    },
    {
        "id": "scarce",
        "title": "A scarce, specialised profile: does a dedicated sourcer help?",
        "kind": "compare",
        "files": ["scarce-combined.yaml", "scarce-split.yaml"],
        "why": "16 ML/embedded openings with few applicants and low reply rates: two "
               "full-cycle recruiters, or one sourcer and one recruiter (cheaper).",
    },
    {
        "id": "pipeline-ahead",
        "title": "Building a pipeline ahead of headcount approval",
        "kind": "compare",
        "files": ["split.yaml", "pipeline-ahead.yaml"],
        "why": "The split team, with the sourcer starting on each req 30 days before it is "
               "approved.",
    },
    {
        "id": "new-market",
        "title": "Expanding into a new market with no existing network",
        "kind": "compare",
        "files": ["new-market-combined.yaml", "new-market-split.yaml"],
        "why": "30 openings in a new hub: a third of the usual applicants, colder outreach. "
               "Three full-cycle recruiters, or one sourcer and two recruiters.",
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
    },
    {
        "id": "remote",
        "title": "Many technical roles at once for a remote team",
        "kind": "compare",
        "files": ["remote-combined.yaml", "remote-split.yaml"],
        "why": "100 remote openings across five profiles: six full-cycle recruiters, or two "
               "sourcers and four recruiters.",
    },
]

CLAIM_KPIS = ("time_to_fill_p80", "cost_per_hire", "time_to_fill_p50", "withdrawal_rate")
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


def _neutralised(files: list[str], sets_by_structure: dict[str, list[str]]) -> list:
    out = []
    for f in files:
        plain = load_scenario(ROOT / f)
        out.append(load_scenario(ROOT / f, sets_by_structure.get(plain.team.structure, [])))
    return out


def _assumption_lines(found: list[dict], files: list[str], replications: int, seed: int,
                      ex: object) -> str:
    """For each clear claim: its paired effect with each assumption neutralised."""
    structures = {load_scenario(ROOT / f).team.structure for f in files}
    if not found or structures != {"combined", "split"}:
        return ""
    lines = []
    for name, sets in NEUTRALISED.items():
        report = compare_study(_neutralised(files, sets), replications, seed, ex).report
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


def _md_table(rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out)


FINDINGS_FORMATS = {"pct": TEXT_FORMATS["share"], "money": "${:,.0f}"}  # others: one decimal


def _fmt(v: float | None, kind: str) -> str:
    return format_number(v, kind, FINDINGS_FORMATS)


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
    with make_executor(args.workers) as ex:
        for q in QUESTIONS:
            print(f"[{time.time() - started:6.0f}s] {q['id']} ...", file=sys.stderr, flush=True)
            files = [f"scenarios/{f}" for f in q["files"]]
            cmd = ""
            if q["kind"] == "sweep":
                goals = [parse_goal(g) for g in q["goals"]]
                points = expand_grid(SCENARIOS / q["files"][0])
                study = sweep_study(points, args.replications, args.seed, ex, goals)
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
                    scenarios = [load_scenario(SCENARIOS / f) for f in q["files"]]
                    cmd = "hiresim compare " + " ".join(files)
                study = compare_study(scenarios, args.replications, args.seed, ex)
                report = study.report
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
                        + (_assumption_lines(found, files, args.replications, args.seed, ex)
                           if q["kind"] == "compare" else ""))
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
