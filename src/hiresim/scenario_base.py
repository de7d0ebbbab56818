"""The building blocks of every scenario section: strict, frozen models and the value types
(probabilities, non-negative numbers, counts with a sane upper bound, "unlimited").

Imported by ``hiresim.scenario`` and the section modules beside it; nothing here reads
files or knows the model.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Unlimited = Literal["unlimited"]
# Head counts, openings and rates above a million are refused outright: no hiring plan has
# them, and a number that size alone makes the model allocate beyond any machine (the
# workload check, hiresim.workload, judges the scenario as a whole before a run).
MAX_MAGNITUDE = 1_000_000
Count = Annotated[int, Field(ge=0, le=MAX_MAGNITUDE)]
Rate = Annotated[float, Field(ge=0.0, le=MAX_MAGNITUDE)]

MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers in the result tables


class _Spec(BaseModel):
    """Base for every scenario section: unknown keys are errors, values are strict."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
