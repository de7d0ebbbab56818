"""Kaplan-Meier estimates for time-to-fill with reqs still open at the horizon (censored).

A req filled after ``d`` days is an event at ``d``; a req still open at the horizon,
``d`` days after it opened, is censored at ``d``: we know only that its time-to-fill
exceeds ``d``. Dropping such reqs would make hiring look faster than it is; treating the
horizon as their fill date too. The Kaplan-Meier estimator uses each req for exactly as
long as it was observed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def censored_fill_times(open_day: Sequence[float] | np.ndarray,
                        filled_day: Sequence[float] | np.ndarray,
                        horizon_days: float) -> tuple[np.ndarray, np.ndarray]:
    """The censoring rule of time-to-fill, in one place: (days, filled) per req.

    ``filled_day`` is nan for a req still open at the horizon; its days run to the horizon
    and it counts as censored (``filled`` False). Days are calendar days from req open.
    """
    opened = np.asarray(open_day, dtype=float)
    closed = np.asarray(filled_day, dtype=float)
    filled = ~np.isnan(closed)
    return np.where(filled, closed, horizon_days) - opened, filled


def kaplan_meier(durations: np.ndarray, filled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Event times and the estimated share of reqs still unfilled just after each.

    ``durations`` are days from open to fill (or to the horizon for censored reqs);
    ``filled`` is True where the req was filled. Returns (times, survival), both sorted.
    """
    durations = np.asarray(durations, dtype=float)
    filled = np.asarray(filled, dtype=bool)
    if durations.size == 0:
        return np.empty(0), np.empty(0)
    times, events = np.unique(durations[filled], return_counts=True)
    if times.size == 0:
        return times, np.empty(0)
    order = np.sort(durations)
    at_risk = durations.size - np.searchsorted(order, times, side="left")
    survival = np.cumprod(1.0 - events / at_risk)
    return times, survival


def fill_time_quantile(durations: np.ndarray, filled: np.ndarray, q: float) -> float:
    """Days by which a share ``q`` of reqs is filled (KM); nan if never reached (censored)."""
    times, survival = kaplan_meier(durations, filled)
    reached = np.nonzero(1.0 - survival >= q - 1e-12)[0]
    if reached.size == 0:
        return float("nan")
    return float(times[reached[0]])


def filled_share_by(durations: np.ndarray, filled: np.ndarray, days: np.ndarray) -> np.ndarray:
    """KM share of reqs filled within each of ``days`` (the 'filled over time' curve)."""
    times, survival = kaplan_meier(durations, filled)
    idx = np.searchsorted(times, np.asarray(days, dtype=float), side="right") - 1
    out = np.where(idx >= 0, 1.0 - survival[np.clip(idx, 0, None)] if survival.size else 0.0,
                   0.0)
    return np.asarray(out, dtype=float)
