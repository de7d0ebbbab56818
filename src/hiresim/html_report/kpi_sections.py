"""The KPI sections: the table of every metric per scenario (mean and 95% CI across
replications), the headline cards of a run, and the paired differences of a comparison
(forest chart and table, scenario minus baseline on common random numbers).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hiresim.kpi_catalogue import Kpi, compared, forest, summary_rows
from hiresim.summary_table import unused_feature_kpis

from . import analysis as an
from .cells import days_text, fmt, horizon_words, name_html, prob_cell, shown_zero, signed
from .charts_cost_funnel import forest_plot
from .data import CompareData, RunData
from .shell import Page, h


def _kpi_cell(metric: dict, sub: str, kind: str, digits: int | None) -> str:
    if not metric:
        return "-"
    if sub:
        value = metric.get(sub)
        if value is None and sub.startswith("p"):
            return "&gt; horizon"
        return h(fmt(value, kind, digits))
    mean = metric.get("mean")
    if mean is None:
        return "-"
    low, high = metric.get("ci_low"), metric.get("ci_high")
    ci = (f' <span class="small">[{h(fmt(low, kind, digits))}, '
          f"{h(fmt(high, kind, digits))}]</span>"
          if low is not None and high is not None and abs(high - low) > 1e-9 else "")
    return h(fmt(mean, kind, digits)) + ci


def kpi_table(runs: Sequence[RunData], colors: dict[str, str],
              goal_texts: Sequence[str] = ()) -> str:
    head = "".join(f"<th>{name_html(r.name, colors)}</th>" for r in runs)
    rows = []
    unused = unused_feature_kpis(r.metrics for r in runs)
    for row in summary_rows():
        cells = [r.metrics.get(row.key) or {} for r in runs]
        if row.key in unused:
            continue
        if all((c.get("n", 0) == 0 and not (row.sub and c.get(row.sub) is not None))
               for c in cells):
            continue
        tds = "".join(f"<td>{_kpi_cell(c, row.sub, row.kind, row.digits)}</td>"
                      for c in cells)
        rows.append(f"<tr><td>{h(row.label)}</td>{tds}</tr>")
    if goal_texts:
        probs = [an.joint_goal_probability(r, goal_texts) for r in runs]
        if any(p is not None for p in probs):
            tds = "".join(f"<td>{prob_cell(p)}</td>" for p in probs)
            rows.append(f"<tr><td>Simulated years meeting {h(an.goals_phrase(goal_texts))}"
                        f"</td>{tds}</tr>")
    reps = sorted({r.replications for r in runs})
    return (f'<div class="tablewrap"><table class="data"><thead><tr><th>Metric (mean '
            f"[95% CI across replications])</th>{head}</tr></thead><tbody>{''.join(rows)}"
            f"</tbody></table></div><p class=\"small\">{'/'.join(map(str, reps))} replications "
            "per scenario. Time-to-fill percentiles come from one Kaplan-Meier curve of all "
            "reqs of all replications, with reqs still open at the horizon counted as "
            "censored; “&gt; horizon” means that share of reqs was not filled within the "
            "simulated period.</p>")


def kpi_cards(run: RunData) -> str:
    m = run.metrics
    ttf = m.get("time_to_fill_days") or {}
    cph = m.get("cost_per_hire") or {}

    def ci(metric: dict, kind: str) -> str:
        if metric.get("ci_low") is None:
            return ""
        return f"95% CI {fmt(metric['ci_low'], kind)} to {fmt(metric['ci_high'], kind)}"

    cards = [
        ("Median time-to-fill", days_text(ttf.get("p50")), "all reqs, Kaplan-Meier"),
        ("P80 time-to-fill", days_text(ttf.get("p80")), "80% of reqs filled within"),
        ("Cost per hire", fmt(cph.get("mean"), "money"), ci(cph, "money")),
        ("Reqs filled", fmt((m.get("fill_rate") or {}).get("mean"), "share"),
         horizon_words(run)),
        ("Hires", fmt((m.get("hires") or {}).get("mean"), "count"),
         ci(m.get("hires") or {}, "count")),
        ("Time-to-hire", days_text((m.get("time_to_hire_days") or {}).get("mean")),
         "first contact or application to acceptance"),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="label">{h(a)}</div><div class="value">{h(b)}</div>'
        f'<div class="ci">{h(c)}</div></div>' for a, b, c in cards) + "</div>"


def _forest_frame(compare: CompareData) -> pd.DataFrame:
    base = compare.baseline
    rows = []
    for other, diffs in (compare.report.get("differences") or {}).items():
        for entry in forest():
            kpi, label, group = entry.name, entry.short_label, _group(entry)
            diff = diffs.get(kpi)
            if not diff or diff.get("mean") is None:
                continue
            low, high = diff.get("ci_low"), diff.get("ci_high")
            clear = low is not None and high is not None and (low > 0 or high < 0)
            text = _difference_words(other, base, label, group, diff, clear)
            rows.append({"scenario": other, "label": label, "group": group,
                         "mean": diff["mean"], "ci_low": low, "ci_high": high,
                         "clear": clear, "statement": text})
    return pd.DataFrame(rows, columns=["scenario", "label", "group", "mean", "ci_low",
                                       "ci_high", "clear", "statement"])


def _group(kpi: Kpi) -> str:
    """The forest-plot panel of a KPI: days, money, or points (shares and counts)."""
    return {"days": "days", "money": "money"}.get(kpi.kind, "points")


def _difference_words(other: str, base: str, label: str, group: str, diff: dict,
                      clear: bool) -> str:
    """'split vs combined: cost per hire −$388 (95% CI −$563 to −$214), a clear difference'."""
    kind = {"days": "days", "money": "money"}.get(group, "share")
    unit = " days" if group == "days" else ""
    text = f"{other} vs {base}: {label.lower()} {signed(diff['mean'], kind)}{unit}"
    low, high = diff.get("ci_low"), diff.get("ci_high")
    if low is None or high is None:
        return text + " (no interval: too few replications)"
    return (text + f" (CI {signed(low, kind)} to {signed(high, kind)}{unit}), "
            + ("a clear difference" if clear else "not a clear difference"))


def differences_section(page: Page, compare: CompareData, colors: dict[str, str]) -> None:
    diffs = compare.report.get("differences") or {}
    if not diffs:
        return
    base = compare.baseline
    forest = _forest_frame(compare)
    chart = page.chart(
        forest_plot(forest, colors, base),
        "Each dot is the mean of the per-replication differences (scenario minus "
        f"{h(base)}), the bar its {_confidence(compare)} confidence interval. Filled dots: "
        "the interval excludes zero (a clear difference); hollow: not clear. "
        f"{'Both' if len(compare.runs) == 2 else 'All'} scenarios ran on the same random "
        "numbers, which makes these intervals much tighter than those of the scenarios' own "
        "KPIs.", "Paired differences against the baseline")
    others = list(diffs)
    head = "".join(f"<th>{name_html(o, colors)}</th>" for o in others)
    rows = []
    unused = unused_feature_kpis(r.metrics for r in compare.runs)
    for entry in compared():
        kpi, label, kind = entry.name, entry.label, entry.kind
        if kpi in unused:
            continue
        cells = []
        for o in others:
            d = diffs[o].get(kpi) or {}
            if d.get("mean") is None:
                cells.append("<td>-</td>")
                continue
            low, high = d.get("ci_low"), d.get("ci_high")
            clear = low is not None and high is not None and (low > 0 or high < 0)
            ci = (f' <span class="small">[{h(signed(low, kind))}, {h(signed(high, kind))}]'
                  "</span>" if low is not None and high is not None and abs(high - low) > 1e-9
                  else "")
            cls = ' class="best"' if clear and not shown_zero(d["mean"], kind) else ""
            cells.append(f"<td><span{cls}>{h(signed(d['mean'], kind))}</span>{ci}</td>")
        if all(c == "<td>-</td>" for c in cells):
            continue
        rows.append(f"<tr><td>{h(label)}</td>{''.join(cells)}</tr>")
    table = (f'<div class="tablewrap"><table class="data"><thead><tr><th>Difference vs '
             f"{name_html(base, colors)}</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
             "</table></div><p class=\"small\">Bold: the interval excludes zero. "
             f"Intervals are {_confidence(compare)} (Bonferroni-adjusted for "
             f"{int(compare.report.get('comparisons') or 1)} comparison(s)).</p>")
    page.section("differences", f"Paired differences against {base}", chart + table,
                 intro="What changes if you pick another scenario instead of the baseline, "
                       "on the same simulated candidates and reqs.")


def _confidence(compare: CompareData) -> str:
    m = max(1, int(compare.report.get("comparisons") or 1))
    return f"{round((1 - 0.05 / m) * 100, 1):g}%"
