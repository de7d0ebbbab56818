"""Goals a TA leader states, and the probability that a team meets them.

A goal is ``METRIC OP VALUE`` such as ``time_to_fill_days.p80<=60``, ``fill_rate>=0.9`` or
``hires>=40``. It is checked per replication (one simulated year of the plan), and the
probability of meeting it is the share of replications that do, with a 95% Wilson
interval. ``time_to_fill_days.pNN`` uses each replication's Kaplan-Meier quantile (a
replication that never reaches that share of filled reqs does not meet a ``<=`` goal);
``time_to_fill_days`` alone means its median.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hiresim.intervals import wilson
from hiresim.kpi_catalogue import goal_column

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_CONFIDENCE = 0.8  # probability of meeting the goals a recommended team must reach

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
#: ``METRIC OP VALUE``; groups: metric, operator, value (the report reads goals with it too)
GOAL_PATTERN = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|<|>)\s*([-+]?[0-9]*\.?[0-9]+)\s*$")


class GoalError(ValueError):
    """A goal that cannot be parsed or names an unknown metric."""


@dataclass(frozen=True)
class Goal:
    text: str
    column: str
    op: str
    value: float

    def met(self, kpis: pd.DataFrame) -> np.ndarray:
        """Per replication: does it meet the goal? (nan never meets it)."""
        values = kpis[self.column].to_numpy(dtype=float)
        compare = _OPS[self.op]
        return np.array([not math.isnan(v) and compare(v, self.value) for v in values],
                        dtype=bool)


def parse_goal(text: str, known: set[str] | None = None) -> Goal:
    """Parse ``METRIC OP VALUE``; the metric must be a goal KPI of the catalogue (or the
    time-to-fill summary name and its percentiles, ``hiresim.kpi_catalogue``), and a
    column of ``known`` when given (e.g. the KPI table of a saved result folder)."""
    match = GOAL_PATTERN.match(text)
    if not match:
        raise GoalError(f"cannot read goal {text!r}: write METRIC OP VALUE, "
                        "e.g. 'time_to_fill_days.p80<=60' or 'fill_rate>=0.9'")
    name, op, value = match.groups()
    try:
        column = goal_column(name)
    except KeyError as err:
        raise GoalError(f"goal {text!r}: {err.args[0]}") from None
    if known is not None and column not in known:
        raise GoalError(f"goal {text!r}: metric {name!r} is not in these results")
    return Goal(text=text.strip(), column=column, op=op, value=float(value))


def goal_probability(goal: Goal, kpis: pd.DataFrame) -> dict:
    """Share of replications meeting the goal, with its 95% interval."""
    met = goal.met(kpis)
    n = int(met.size)
    k = int(met.sum())
    low, high = wilson(k, n)
    return {"goal": goal.text, "probability": k / n if n else None,
            "ci_low": low, "ci_high": high, "replications": n}
