"""What was simulated: the assumptions section (the fully resolved scenario, differing
settings highlighted) and the provenance section (folder, seed, versions, timings).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

from . import analysis as an
from .cells import name_html
from .data import RunData
from .shell import Page, h


def _default_texts() -> dict[tuple[str, str], str]:
    """(section, dotted key) -> the model default as the table shows it."""
    from hiresim.defaults_sources import default_sections

    return {(sec, key): text for sec, value in default_sections().items()
            for key, text in an.flatten(value)}


def _mark(defaults: dict[tuple[str, str], str], sec: str, key: str, value: str) -> str:
    """' (default)' after a value equal to the model's default for that setting."""
    if defaults.get((sec, key)) == value:
        return ' <span class="small" title="the model default">(default)</span>'
    return ""


def assumptions_section(page: Page, runs: Sequence[RunData],
                        colors: dict[str, str], note: str = "") -> None:
    scenarios = [r.scenario for r in runs]
    if not any(scenarios):
        return
    names = [r.name for r in runs]
    multi = len(runs) > 1
    head = "".join(f"<th>{name_html(n, colors)}</th>" for n in names) if multi else \
        "<th>Value</th>"
    sections: dict[str, list[str]] = {}
    values: dict[tuple[str, str], list[str]] = {}
    for i, sc in enumerate(scenarios):
        for sec, rows in an.scenario_sections(sc):
            keys = sections.setdefault(sec, [])
            for key, value in rows:
                if key not in keys:
                    keys.append(key)
                values.setdefault((sec, key), ["-"] * len(scenarios))[i] = value
    defaults = _default_texts()
    body_rows = []
    differing = []
    for sec, keys in sections.items():
        body_rows.append(f'<tr class="section"><td colspan="{len(names) + 1}">{h(sec)}</td>'
                         "</tr>")
        for key in keys:
            vals = values[(sec, key)]
            differs = multi and len(set(vals)) > 1 and key not in ("name",)
            cls = ' class="differs"' if differs else ""
            tds = "".join(f'<td class="txt">{h(v)}{_mark(defaults, sec, key, v)}</td>'
                          for v in vals)
            row = f"<tr{cls}><td>{h(key)}</td>{tds}</tr>"
            body_rows.append(row)
            if differs:
                differing.append(f"<tr><td>{h(sec)}.{h(key)}</td>{tds}</tr>")
    table = (f'<div class="tablewrap"><table class="data kv"><thead><tr><th>Setting</th>'
             f"{head}</tr></thead><tbody>{''.join(body_rows)}</tbody></table></div>")
    parts = []
    if note:
        parts.append(f"<p>{note}</p>")
    if differing:
        parts.append("<p>Settings that differ between the scenarios:</p>"
                     f'<div class="tablewrap"><table class="data kv"><thead><tr><th>Setting'
                     f"</th>{head}</tr></thead><tbody>{''.join(differing)}</tbody></table>"
                     "</div>")
    parts.append(f"<details{' open' if not multi else ''}><summary>Team, effort, outreach, "
                 f"candidates and costs{' (highlighted: differs)' if multi else ''}"
                 f"</summary>{table}</details>")
    # profiles: one table per distinct set of profiles
    seen: list[tuple[list[str], list]] = []
    for run in runs:
        prof = an.profile_rows(run.scenario)
        if not prof[0]:
            continue
        if any(prof == s for s in seen):
            continue
        seen.append(prof)
    for idx, (pnames, prows) in enumerate(seen):
        phead = "".join(f"<th>{h(p)}</th>" for p in pnames)
        trs = "".join(f"<tr><td>{h(k)}</td>" + "".join(
            f'<td class="txt">{h(v)}{_mark(defaults, "profiles", k, v)}</td>'
            for v in vals) + "</tr>" for k, vals in prows)
        whose = ""
        if len(seen) > 1:
            owners = [r.name for r in runs if an.profile_rows(r.scenario) == seen[idx]]
            whose = " of " + ", ".join(h(o) for o in owners)
        elif multi:
            whose = " (the same in every scenario)"
        parts.append(f"<details open><summary>Role profiles and hiring plan{whose}</summary>"
                     f'<div class="tablewrap"><table class="data kv"><thead><tr><th>Setting'
                     f"</th>{phead}</tr></thead><tbody>{trs}</tbody></table></div></details>")
    page.section("assumptions", "Assumptions", "".join(parts),
                 intro="The fully resolved scenario as simulated (every default filled in). "
                       "Units are in the names: *_days calendar days, *_hours hours of "
                       "effort, *_per_week per calendar week, money in US$ a year unless the "
                       "name says otherwise.")


def provenance_section(page: Page, runs: Sequence[RunData], extra: Sequence[tuple[str, str]]
                       = ()) -> None:
    def row(label: str, vals: Sequence[str]) -> str:
        return f"<tr><td>{h(label)}</td>" + "".join(f'<td class="txt">{h(v)}</td>'
                                                    for v in vals) + "</tr>"

    head = "".join(f"<th>{name_html(r.name)}</th>" for r in runs)
    rows = [
        row("Result folder", [str(r.path) for r in runs]),
        row("Root seed", [str(r.meta.get("seed", r.summary.get("seed", "-"))) for r in runs]),
        row("Replications", [str(r.replications) for r in runs]),
        row("hiresim version", [str(r.meta.get("hiresim_version", "-")) for r in runs]),
        row("Python", [str(r.meta.get("python", "-")) for r in runs]),
        row("Packages", [", ".join(f"{k} {v}" for k, v in (r.meta.get("packages") or {})
                                   .items()) or "-" for r in runs]),
        row("Executor", [str(r.meta.get("executor", "-")) for r in runs]),
        row("Started", [_when(r.meta.get("started_unix")) for r in runs]),
        row("Wall time", [f"{float(r.meta.get('wall_seconds') or 0):.1f} s" for r in runs]),
        row("Scenario fingerprint (SHA-256)", [str(r.meta.get("scenario_sha256", "-"))
                                               for r in runs]),
    ]
    extra_html = "".join(f"<li>{h(a)}: {b}</li>" for a, b in extra)
    body = ((f"<ul>{extra_html}</ul>" if extra_html else "")
            + f'<div class="tablewrap"><table class="data kv"><thead><tr><th></th>{head}</tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
            "<p class=\"small\">Re-running with the same scenario, seed and replication count "
            "reproduces these results exactly (independently of the number of workers).</p>")
    page.section("provenance", "Provenance", body)


def _when(value: Any) -> str:
    v = an.number(value)
    if v is None:
        return "-"
    return _dt.datetime.fromtimestamp(v).astimezone().strftime("%Y-%m-%d %H:%M %Z")
