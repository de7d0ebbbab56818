"""hiresim.intervals: the one set of interval formulas that metrics, goals, comparisons and
the report share (the report cannot import the others: they pull in SimPy)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hiresim import comparison, goals, intervals, metrics
from hiresim.html_report import analysis


def test_everyone_uses_the_same_formulas():
    assert metrics.interval is intervals.interval is analysis.interval
    assert comparison.paired_difference is intervals.paired_difference \
        is analysis.paired_difference
    assert goals.wilson is intervals.wilson is analysis.wilson


def test_interval_is_the_student_t_interval():
    x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, math.nan]
    got = intervals.interval(x)
    data = np.array([v for v in x if not math.isnan(v)])
    low, high = stats.t.interval(0.95, data.size - 1, loc=data.mean(), scale=stats.sem(data))
    assert got["n"] == 7
    assert got["mean"] == pytest.approx(data.mean())
    assert got["sd"] == pytest.approx(data.std(ddof=1))
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((low, high), rel=1e-12)


def test_interval_with_fewer_than_two_values():
    assert intervals.interval([]) == {"mean": None, "sd": None, "ci_low": None,
                                      "ci_high": None, "n": 0}
    assert intervals.interval([math.nan, 2.0]) == {"mean": 2.0, "sd": None, "ci_low": None,
                                                   "ci_high": None, "n": 1}


def test_paired_difference_is_the_interval_of_the_differences():
    base = pd.Series([1.0, 2.0, 4.0, 3.0, math.nan], index=[0, 1, 2, 3, 4])
    other = pd.Series([2.0, 2.5, 5.0, 3.5, 7.0], index=[0, 1, 2, 3, 4])
    one = intervals.paired_difference(base, other)
    plain = intervals.interval((other - base).dropna())
    assert one == {**plain, "confidence": 0.95}
    # Bonferroni for three comparisons: a 98.3% interval, wider, around the same mean.
    three = intervals.paired_difference(base, other, comparisons=3)
    assert three["confidence"] == pytest.approx(1 - 0.05 / 3)
    assert three["mean"] == one["mean"]
    assert three["ci_low"] < one["ci_low"] and three["ci_high"] > one["ci_high"]


def test_paired_difference_aligns_on_replication_and_needs_two_pairs():
    base = pd.Series([1.0, 5.0], index=[7, 8])
    other = pd.Series([9.0, 2.0], index=[8, 9])
    assert intervals.paired_difference(base, other) == {
        "mean": 4.0, "ci_low": None, "ci_high": None, "n": 1, "confidence": 0.95}
    assert intervals.paired_difference(base, pd.Series([1.0], index=[3]))["n"] == 0


def test_wilson_stays_inside_zero_one():
    assert intervals.wilson(0, 20)[0] == 0.0
    assert intervals.wilson(20, 20)[1] == 1.0
    low, high = intervals.wilson(3, 10)
    assert 0.0 < low < 0.3 < high < 1.0
