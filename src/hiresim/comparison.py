"""Comparing scenarios on common random numbers: paired differences with intervals.

Scenarios are run with the same root seed and replication numbers, so replication k of
every scenario meets the same candidates per req (``random_streams``). The difference of
a KPI between scenario B and the baseline A is then computed per replication,
``d_k = B_k - A_k``, and its mean gets a Student-t interval across replications. Pairing
removes the variation the two share, which makes the interval much tighter than that of
two independent runs. With several scenarios against one baseline, intervals are
Bonferroni-adjusted: each is a (1 - 0.05/m) interval for m comparisons, so all of them
hold together with 95% confidence. A scenario compared with itself differs by exactly 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from hiresim.intervals import paired_difference
from hiresim.kpi_catalogue import BY_NAME, compared
from hiresim.kpi_numbers import AMOUNT, BOUND, write


def compare_kpis(frames: Sequence[pd.DataFrame], names: Sequence[str]) -> dict[str, dict]:
    """Paired differences of every compared KPI: each scenario against the first."""
    base = frames[0].set_index("replication")
    m = max(1, len(frames) - 1)
    out: dict[str, dict] = {}
    for name, frame in zip(names[1:], frames[1:], strict=True):
        other = frame.set_index("replication")
        out[name] = {
            kpi.name: paired_difference(base[kpi.name], other[kpi.name], m)
            for kpi in compared()
            if kpi.name in base and kpi.name in other
        }
    return out


def _ci(diff: dict, kind: str) -> str:
    """'95% CI -18.5 to 22.0 days' (days name their unit; money and points need none)."""
    low, high = diff["ci_low"], diff["ci_high"]
    if low is None:
        return "no interval: fewer than two replications where both reach it"
    pct = f"{round(diff['confidence'] * 100, 1):g}%"
    return (f"{pct} CI {write(low, kind, BOUND)} to {write(high, kind, BOUND)}"
            f"{' days' if kind == 'days' else ''}")


def statement(other: str, base: str, kpi: str, diff: dict) -> str:
    """One sentence on one KPI, e.g. 'split fills reqs 11.0 days faster at P80 than ...'."""
    entry = BY_NAME[kpi]
    words, kind = entry.sentence_words, entry.kind
    mean = diff["mean"]
    if mean is None:
        return f"{other} vs {base}: {words} could not be compared (not reached in any pair)"
    low, high = diff["ci_low"], diff["ci_high"]
    if mean == 0 and (low is None or (low == 0 and high == 0)):
        return f"{other} and {base} do not differ in {words}"
    clear = low is not None and (low > 0 or high < 0)
    if kpi.startswith("time_to_fill"):
        where = {"p50": "at the median", "p80": "at P80", "p90": "at P90"}[kpi[-3:]]
        pace = "faster" if mean < 0 else "slower"
        text = f"{other} fills reqs {write(mean, kind, AMOUNT)} {pace} {where} than {base}"
    elif kpi == "cost_per_hire":
        text = (f"{other} costs {write(mean, kind, AMOUNT)} {'more' if mean > 0 else 'less'} "
                f"per hire than {base}")
    elif kind == "money":
        text = (f"{other} costs {write(mean, kind, AMOUNT)} {'more' if mean > 0 else 'less'} "
                f"({words}) than {base}")
    else:
        text = (f"{other} has {write(mean, kind, AMOUNT)} {'more' if mean > 0 else 'less'} "
                f"{words} than {base}")
    if not clear:
        return f"{text}, but the difference is not clear ({_ci(diff, kind)})"
    return f"{text} ({_ci(diff, kind)})"


# The KPIs a headline covers, in the order it names them.
PICTURE = ("time_to_fill_p80", "time_to_fill_p50", "hires", "fill_rate", "cost_per_hire")


def clear_sign(diff: dict | None) -> int:
    """+1 when the interval is wholly above 0, -1 wholly below, else 0 (not clear)."""
    if not diff or diff.get("ci_low") is None or diff.get("ci_high") is None:
        return 0
    return 1 if diff["ci_low"] > 0 else -1 if diff["ci_high"] < 0 else 0


def _picture_phrase(kpi: str, mean: float) -> str:
    amount = write(mean, BY_NAME[kpi].kind, AMOUNT)
    if kpi == "time_to_fill_p80":
        return (f"{'faster' if mean < 0 else 'slower'} for the slowest reqs (P80 "
                f"{amount} {'sooner' if mean < 0 else 'later'})")
    if kpi == "time_to_fill_p50":
        return (f"{'faster' if mean < 0 else 'slower'} for the typical req (median "
                f"{amount} {'sooner' if mean < 0 else 'later'})")
    if kpi == "hires":
        return f"{amount} {'more' if mean > 0 else 'fewer'} hires"
    if kpi == "fill_rate":
        return f"{amount} {'more' if mean > 0 else 'fewer'} reqs filled"
    return f"{amount} {'more' if mean > 0 else 'less'} per hire"


def picture(diffs: dict[str, dict]) -> tuple[list[str], list[str], list[str]]:
    """(better, worse, unclear) phrases over ``PICTURE``: clear differences only are
    better or worse; the rest are named as not clear."""
    better: list[str] = []
    worse: list[str] = []
    unclear: list[str] = []
    for kpi in PICTURE:
        d = diffs.get(kpi)
        if not d:
            continue
        if d.get("mean") is None:  # no replication pair reached it: say so, never omit it
            unclear.append(f"{BY_NAME[kpi].sentence_words} (not reached within the horizon)")
            continue
        sign = clear_sign(d)
        if sign == 0:
            unclear.append(BY_NAME[kpi].sentence_words)
            continue
        good = (sign < 0) == (BY_NAME[kpi].better == "lower")
        (better if good else worse).append(_picture_phrase(kpi, d["mean"]))
    return better, worse, unclear


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def picture_statement(other: str, base: str, diffs: dict[str, dict]) -> str:
    """The whole picture in one sentence: what is clearly better, what clearly worse
    (median, P80, hires, fill rate and cost per hire), and what is not clear."""
    better, worse, unclear = picture(diffs)
    level = next((f"{100 * d['confidence']:.4g}%" for d in diffs.values()
                  if d.get("confidence")), "95%")
    if better and worse:
        head = (f"A mixed picture: {other} against {base} is {_and(better)}, but "
                f"{_and(worse)}")
    elif better:
        head = f"{other} against {base}: {_and(better)}"
    elif worse:
        head = f"{other} against {base}: {_and(worse)}"
    else:
        head = f"{other} and {base} show no clear difference"
    tail = (f"; no clear difference in {_and(unclear)}" if unclear and (better or worse)
            else f" in {_and(unclear)}" if unclear else "")
    return f"{head}{tail} (clear: interval excludes 0 at {level} family confidence)."


def headline_statements(differences: dict[str, dict], base: str) -> list[str]:
    """The sentences a TA leader reads first: the whole picture (median, P80, hires, fill
    rate, cost per hire), then P80 time-to-fill and cost per hire in detail."""
    lines = []
    for other, diffs in differences.items():
        lines.append(picture_statement(other, base, diffs))
        for kpi in ("time_to_fill_p80", "cost_per_hire"):
            if kpi in diffs:
                lines.append(statement(other, base, kpi, diffs[kpi]))
    return lines


def variance_ratio(base: pd.Series, other: pd.Series) -> float:
    """Var(paired difference) / (Var(base) + Var(other)): below 1 when pairing helps."""
    joined = pd.concat({"a": base, "b": other}, axis=1).dropna()
    paired = float(np.var(joined["b"] - joined["a"], ddof=1))
    independent = float(np.var(joined["a"], ddof=1) + np.var(joined["b"], ddof=1))
    return paired / independent if independent > 0 else math.nan
