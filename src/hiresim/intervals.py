"""Confidence intervals across replications: plain statistics, no simulation.

Replications are the independent samples, so each interval here is computed over one
value per replication:

- ``interval``: mean and 95% Student-t interval of per-replication values;
- ``paired_difference``: mean of per-replication differences between two scenarios run on
  common random numbers, with a Student-t interval, Bonferroni-adjusted for several
  comparisons against one baseline;
- ``wilson``: 95% Wilson score interval of a proportion (the share of replications that
  meet a goal).

This module depends on numpy only (scipy and pandas are imported on first use: they are
slow to import), never on SimPy or the model, so that the metrics, the goals, the
comparison of scenarios and the report all use these same formulas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

CONFIDENCE = 0.95  # of every interval of one quantity; paired_difference divides the rest


def t_quantile(p: float, df: int) -> float:
    """Student-t quantile (scipy, imported on first use: it is slow to import)."""
    from scipy.special import stdtrit

    return float(stdtrit(df, p))


def _mean_interval(x: np.ndarray, confidence: float) -> dict[str, float | int | None]:
    """Mean, sd and the two-sided t-interval of the mean of ``x`` (no nan)."""
    n = int(x.size)
    if n == 0:
        return {"mean": None, "sd": None, "ci_low": None, "ci_high": None, "n": 0}
    mean = float(x.mean())
    if n == 1:
        return {"mean": mean, "sd": None, "ci_low": None, "ci_high": None, "n": 1}
    sd = float(x.std(ddof=1))
    half = t_quantile(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return {"mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def interval(values: Sequence[float] | np.ndarray | pd.Series) -> dict[str, float | int | None]:
    """Mean, sd and the 95% t-interval of per-replication values (nan values left out)."""
    x = np.asarray(values, dtype=float)
    return _mean_interval(x[~np.isnan(x)], CONFIDENCE)


def paired_difference(base: pd.Series, other: pd.Series, comparisons: int = 1) -> dict:
    """Mean of per-replication differences (other - base) with an adjusted t-interval.

    Both series are indexed by replication number; replications where either is nan
    (e.g. a P80 never reached) are left out and counted in ``n``. With ``comparisons`` = m
    the interval is a (1 - 0.05/m) one, so that m of them hold together with 95%
    confidence; ``confidence`` in the result says which.
    """
    import pandas as pd

    joined = pd.concat({"a": base, "b": other}, axis=1).dropna()
    d = (joined["b"] - joined["a"]).to_numpy(dtype=float)
    confidence = 1.0 - (1.0 - CONFIDENCE) / max(1, comparisons)
    out = _mean_interval(d, confidence)
    if out["sd"] is None:  # fewer than two pairs: no sd in the result
        del out["sd"]
    return {**out, "confidence": confidence}


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% Wilson score interval for a proportion (nan, nan without trials)."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)
