"""What the answer depends on, in words: sentences from a sensitivity study's report.

Used by the CLI (after the tornado table) and the HTML report's "What the answer depends
on" section. Pure functions of the report's plain data (``hiresim.sensitivity``); KPI
amounts are written in ``hiresim.kpi_numbers``' ``SENSITIVITY`` style ('4.2 days',
'$1,250', '3.1 points', '0.42').
"""

from __future__ import annotations

import math
from typing import Any

from hiresim.kpi_numbers import SENSITIVITY, write

RELATIVE_INTERACTION = 0.5  # Morris sigma / mu_star above this: the effect depends on others


def amount(value: float | None, kind: str) -> str:
    """A KPI amount in its unit: '4.2 days', '$1,250', '3.1 points', '0.42' ('n/a' when
    missing or not finite)."""
    return write(value, kind, SENSITIVITY)


def value_text(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def winner(report: dict, diff: float) -> str | None:
    """Which scenario a paired difference (OTHER - FILE) favours, or None on a tie."""
    first, other = report["scenarios"][0], report["scenarios"][-1]
    if not math.isfinite(diff) or diff == 0 or not report.get("better"):
        return None
    lower_wins = report["better"] == "lower"
    return other if (diff < 0) == lower_wins else first


def statements(report: dict) -> list[str]:
    """Plain-language findings: the answer at the files' values, which inputs can flip it
    (and where), which barely matter, and where inputs interact."""
    kind, words = report.get("kpi_kind", ""), report.get("kpi_words", report["decision_kpi"])
    kpi = report["decision_kpi"]
    base = report["base"][kpi]
    rows: list[dict[str, Any]] = report["tornado"]
    out: list[str] = []
    if report["paired"]:
        first, other = report["scenarios"][0], report["scenarios"][-1]
        best = winner(report, base)
        if best is None:
            out.append(f"At the files' values, {other} and {first} do not differ on {words}.")
        else:
            out.append(f"At the files' values, {best} is better on {words} "
                       f"(by {amount(abs(base), kind)}).")
        flips = [r for r in rows if r.get("flips")]
        for r in flips:
            where = ", ".join(value_text(v) for v in r["break_even"]) or "inside the range"
            lo, hi = winner(report, r["at_low"]), winner(report, r["at_high"])
            sides = (f": {lo or 'neither'} is better at {value_text(r['low'])}, "
                     f"{hi or 'neither'} at {value_text(r['high'])}") if lo != hi else ""
            out.append(f"{r['input']} can flip the answer within "
                       f"[{value_text(r['low'])}, {value_text(r['high'])}]; break-even at "
                       f"{where}{sides}.")
        steady = [r["input"] for r in rows if not r.get("flips")]
        if steady:
            out.append("Within their ranges, these do not change the answer on their own: "
                       + ", ".join(steady) + ".")
    else:
        name = report["scenarios"][0]
        out.append(f"At the files' values, {name}'s {words} is {amount(base, kind)}.")
        for r in rows[:3]:
            out.append(f"{r['input']} over [{value_text(r['low'])}, {value_text(r['high'])}] "
                       f"moves it by up to {amount(r['swing'][kpi], kind)}.")
    null = [r["input"] for r in rows if r["swing"][kpi] == 0]
    if null:
        out.append("No effect at all within their ranges (same random numbers): "
                   + ", ".join(null) + ".")
    out += _interactions(report)
    return out


def _interactions(report: dict) -> list[str]:
    g = report.get("global") or {}
    if g.get("method") != "morris":
        return []
    mixed = [i["input"] for i in g.get("indices", [])
             if i["mu_star"] > 0 and i["sigma"] > RELATIVE_INTERACTION * i["mu_star"]]
    if not mixed:
        return []
    return ["Morris screening: the effect of " + ", ".join(mixed) + " depends on the other "
            "inputs (interactions or a curved response), so read their tornado bars as "
            "one slice."]


def tornado_table(report: dict) -> str:
    """The tornado as aligned text: one row per input, widest swing first."""
    kpi, kind = report["decision_kpi"], report.get("kpi_kind", "")
    what = ("paired difference " + " - ".join(reversed(report["scenarios"][:2]))
            if report["paired"] else report["scenarios"][0])
    head = f"{kpi} ({what}); at the files' values: {amount(report['base'][kpi], kind)}"
    rows = [("input", "range", "at low", "at high", "swing", "flips at")]
    for r in report["tornado"]:
        flips = (", ".join(value_text(v) for v in r["break_even"]) or "yes") \
            if r.get("flips") else "-"
        rows.append((r["input"], f"{value_text(r['low'])}-{value_text(r['high'])}",
                     amount(r["at_low"], kind), amount(r["at_high"], kind),
                     amount(r["swing"][kpi], kind), flips if report["paired"] else ""))
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    g = report.get("global") or {}
    if g.get("indices"):
        keys = [k for k in ("mu_star", "sigma", "S1", "ST") if k in g["indices"][0]]
        lines.append(f"\n{g['method']} ({g.get('evaluations', 0)} evaluations): " + "; ".join(
            f"{i['input']} " + " ".join(f"{k}={i[k]:.3g}" for k in keys)
            for i in g["indices"]))
    return "\n".join([head, *lines, "", *(f"- {s}" for s in report["statements"])])
