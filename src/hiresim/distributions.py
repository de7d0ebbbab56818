"""Probability distributions for durations and effort in a hiring simulation.

Each spec describes a random, non-negative quantity: how many hours of staff effort an
activity takes (a screen, an intake meeting, a round of outreach) or how many calendar
days pass before something happens (a candidate's reply, an offer response). A spec has
no unit of its own: its numbers are in the unit of the field that holds it, so
``screen_hours: {dist: triangular, low: 0.5, mode: 0.75, high: 1.5}`` is in hours of
effort and ``reply_delay_days: {dist: lognormal, median: 1, p90: 4}`` is in calendar days.

Specs are written in YAML scenario files either as a bare number (``screen_hours: 0.75``,
meaning always exactly 0.75) or as a mapping with a ``dist`` key:

* ``fixed``       -- ``value``: always this value.
* ``exponential`` -- ``mean``: memoryless waiting times.
* ``uniform``     -- ``low``, ``high``: every value in between equally likely.
* ``triangular``  -- ``low``, ``mode``, ``high``: a "min / most likely / max" estimate.
* ``lognormal``   -- either ``mean`` and ``sd``, or ``median`` and ``p90`` (the value
  exceeded one time in ten): right-skewed delays, most short and a few long.

Every spec is an immutable, strictly validated pydantic model: numbers must be finite
and non-negative, text such as ``"3"`` and true/false are not numbers, and unknown keys
are errors. Error messages are short sentences meant to be shown as ``path: message``.

Sampling (``sample``) is on the simulation's hot path: it makes exactly one numpy
``Generator`` call (none for ``fixed``) with parameters computed once per spec, and
returns a python ``float``. ``sample_many(rng, n)`` draws the same numbers as ``n`` calls
of ``sample`` with the same generator, and both draw exactly what the numpy method of the
same name would (``rng.uniform``, ``rng.triangular``, ...).

Precomputed sampling parameters are cached in the instance ``__dict__`` (a
``functools.cached_property``), not in pydantic ``PrivateAttr``: reading a private
attribute goes through ``BaseModel.__getattr__`` and costs more than the draw itself.
Make changed specs with the constructor, ``model_validate`` or ``scaled``, never with
``model_copy(update=...)``, which would carry the old cached parameters over.
"""

from __future__ import annotations

import math
from functools import cached_property
from numbers import Real
from statistics import NormalDist
from typing import Annotated, Any, Literal, Union, cast

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hiresim.random_streams import lognormal_of

__all__ = [
    "AnyDistribution",
    "Distribution",
    "DistributionSpec",
    "Exponential",
    "Fixed",
    "Lognormal",
    "Triangular",
    "Uniform",
    "Z_90",
    "parse_distribution",
]

#: Standard normal 0.9 quantile: a lognormal's p90 is ``exp(mu + Z_90 * sigma)``.
Z_90 = 1.2815515655446004

# Its inv_cdf agrees with scipy.special.ndtri to ~1e-15 and spares importing scipy.
_STANDARD_NORMAL = NormalDist()

_CONFIG = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

# Default of the optional lognormal parameters. Typed ``Any`` so that the fields can be
# annotated ``float``: after validation all four of them always hold a float.
_NOT_GIVEN: Any = None


def _exp(x: float) -> float:
    """``math.exp`` that returns inf instead of raising OverflowError."""
    return math.exp(x) if x < 709.0 else math.inf


def _expm1(x: float) -> float:
    return math.expm1(x) if x < 709.0 else math.inf


def _num(x: float) -> str:
    """A number for an error message: ``3`` rather than ``3.0``."""
    return format(x, ".15g")


def _check_factor(factor: object) -> float:
    if isinstance(factor, bool) or not isinstance(factor, Real):
        raise TypeError(f"factor must be a number, got {type(factor).__name__}")
    f = float(factor)
    if not (math.isfinite(f) and f >= 0.0):
        raise ValueError(f"factor must be a finite number >= 0, got {factor!r}")
    return f


def _check_q(q: object) -> float:
    if isinstance(q, bool) or not isinstance(q, Real):
        raise TypeError(f"q must be a number, got {type(q).__name__}")
    p = float(q)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"q must be between 0 and 1, got {q!r}")
    return p


def _check_n(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"n must be an integer, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return int(n)


class Fixed(BaseModel):
    """Always exactly ``value``. Draws no random numbers."""

    model_config = _CONFIG

    dist: Literal["fixed"] = "fixed"
    value: float = Field(ge=0)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def sd(self) -> float:
        return 0.0

    @property
    def is_deterministic(self) -> bool:
        return True

    def sample(self, rng: np.random.Generator) -> float:
        return self.value

    def sample_many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(_check_n(n), self.value, dtype=float)

    def quantile(self, q: float) -> float:
        _check_q(q)
        return self.value

    def scaled(self, factor: float) -> Fixed:
        return Fixed(value=self.value * _check_factor(factor))


class Exponential(BaseModel):
    """Exponential with the given ``mean`` (memoryless; sd equals the mean)."""

    model_config = _CONFIG

    dist: Literal["exponential"] = "exponential"
    mean: float = Field(gt=0)

    @property
    def sd(self) -> float:
        return self.mean

    @property
    def is_deterministic(self) -> bool:
        return False

    def sample(self, rng: np.random.Generator) -> float:
        return rng.exponential(self.mean)

    def sample_many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean, size=_check_n(n))

    def quantile(self, q: float) -> float:
        p = _check_q(q)
        return math.inf if p == 1.0 else -self.mean * math.log1p(-p)

    def scaled(self, factor: float) -> Exponential | Fixed:
        """Same shape with every value times ``factor``; ``Fixed(0)`` for factor 0."""
        f = _check_factor(factor)
        if f == 0.0:
            return Fixed(value=0.0)
        return Exponential(mean=self.mean * f)


class Uniform(BaseModel):
    """Every value between ``low`` and ``high`` equally likely."""

    model_config = _CONFIG

    dist: Literal["uniform"] = "uniform"
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _check_order(self) -> Uniform:
        if self.high < self.low:
            raise PydanticCustomError(
                "uniform_order",
                "high ({high}) must be at least low ({low})",
                {"high": _num(self.high), "low": _num(self.low)},
            )
        return self

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def sd(self) -> float:
        return (self.high - self.low) / math.sqrt(12.0)

    @property
    def is_deterministic(self) -> bool:
        return False

    def sample(self, rng: np.random.Generator) -> float:
        # Bit-for-bit what rng.uniform(low, high) returns, at a quarter of its cost.
        return self.low + (self.high - self.low) * rng.random()

    def sample_many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size=_check_n(n))

    def quantile(self, q: float) -> float:
        return self.low + _check_q(q) * (self.high - self.low)

    def scaled(self, factor: float) -> Uniform:
        f = _check_factor(factor)
        return Uniform(low=self.low * f, high=self.high * f)


class Triangular(BaseModel):
    """Triangular "min / most likely / max" estimate: ``low <= mode <= high``, ``low < high``."""

    model_config = _CONFIG

    dist: Literal["triangular"] = "triangular"
    low: float = Field(ge=0)
    mode: float
    high: float

    @model_validator(mode="after")
    def _check_order(self) -> Triangular:
        if not self.high > self.low:
            raise PydanticCustomError(
                "triangular_order",
                "high ({high}) must be greater than low ({low})",
                {"high": _num(self.high), "low": _num(self.low)},
            )
        if not self.low <= self.mode <= self.high:
            raise PydanticCustomError(
                "triangular_mode",
                "mode ({mode}) must be between low ({low}) and high ({high})",
                {"mode": _num(self.mode), "low": _num(self.low), "high": _num(self.high)},
            )
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    @property
    def sd(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0)

    @property
    def is_deterministic(self) -> bool:
        return False

    @cached_property
    def _tri_params(self) -> tuple[float, float, float, float, float]:
        """(low, high, F(mode), left product, right product), as numpy computes them."""
        base = self.high - self.low
        left_base = self.mode - self.low
        return (
            self.low,
            self.high,
            left_base / base,
            left_base * base,
            (self.high - self.mode) * base,
        )

    def sample(self, rng: np.random.Generator) -> float:
        # Inverse CDF of one uniform draw: bit-for-bit what rng.triangular returns, at half
        # its cost (numpy re-checks its arguments on every call).
        low, high, ratio, left_prod, right_prod = self._tri_params
        u = rng.random()
        if u <= ratio:
            return low + math.sqrt(u * left_prod)
        return high - math.sqrt((1.0 - u) * right_prod)

    def sample_many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, size=_check_n(n))

    def quantile(self, q: float) -> float:
        p = _check_q(q)
        a, c, b = self.low, self.mode, self.high
        if p < (c - a) / (b - a):
            return a + math.sqrt(p * (b - a) * (c - a))
        return b - math.sqrt((1.0 - p) * (b - a) * (b - c))

    def scaled(self, factor: float) -> Triangular | Fixed:
        """Same shape with every value times ``factor``; ``Fixed(0)`` for factor 0."""
        f = _check_factor(factor)
        if f == 0.0:
            return Fixed(value=0.0)
        return Triangular(low=self.low * f, mode=self.mode * f, high=self.high * f)


class Lognormal(BaseModel):
    """Lognormal, given EITHER by ``mean`` and ``sd`` OR by ``median`` and ``p90``.

    After validation all four of ``mean``, ``sd``, ``median`` and ``p90`` hold the
    distribution's exact values (the pair that was not given is derived), so ``mean`` and
    ``sd`` answer like the other distributions' properties. Serialisation writes only the
    pair that was given, so a dumped spec validates again. Build new specs with the
    constructor or ``model_validate``, not ``model_copy(update=...)``.
    """

    model_config = _CONFIG

    dist: Literal["lognormal"] = "lognormal"
    mean: float = Field(default=_NOT_GIVEN, gt=0)
    sd: float = Field(default=_NOT_GIVEN, gt=0)
    median: float = Field(default=_NOT_GIVEN, gt=0)
    p90: float = Field(default=_NOT_GIVEN, gt=0)

    @model_validator(mode="after")
    def _check_and_derive(self) -> Lognormal:
        # The keys given in the input, not the non-None fields: this validator runs again on
        # an existing instance (e.g. one passed to a DistributionSpec field), which already
        # has all four fields filled in.
        given = [k for k in ("mean", "sd", "median", "p90") if k in self.model_fields_set]
        if given not in (["mean", "sd"], ["median", "p90"]):
            msg = "give either mean and sd, or median and p90"
            if given:
                msg += " (got " + ", ".join(given) + ")"
            raise PydanticCustomError("lognormal_parameters", msg)
        if given == ["median", "p90"] and not self.p90 > self.median:
            raise PydanticCustomError(
                "lognormal_order",
                "p90 ({p90}) must be greater than median ({median})",
                {"p90": _num(self.p90), "median": _num(self.median)},
            )
        mu, sigma = self._log_params
        if not sigma > 0.0:  # only when the pair is (nearly) equal to the last digit
            raise PydanticCustomError("lognormal_spread", "the spread is too small")
        if given == ["mean", "sd"]:
            derived = {"median": _exp(mu), "p90": _exp(mu + Z_90 * sigma)}
        else:
            mean = _exp(mu + 0.5 * sigma * sigma)
            derived = {"mean": mean, "sd": mean * math.sqrt(_expm1(sigma * sigma))}
        if not all(0.0 < v < math.inf for v in (sigma, *derived.values())):
            raise PydanticCustomError("lognormal_spread", "the spread is too large")
        for key, value in derived.items():
            # Fill the pair that was not given; model_fields_set still records the given one.
            object.__setattr__(self, key, value)
        return self

    @model_serializer(mode="wrap")
    def _dump_given_pair(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for key in ("mean", "sd") if self.by_median else ("median", "p90"):
                data.pop(key, None)
        return data

    @property
    def by_median(self) -> bool:
        """True when the spec was given by median and p90, False for mean and sd."""
        return "median" in self.model_fields_set

    @cached_property
    def _log_params(self) -> tuple[float, float]:
        """(mu, sigma) of the log of the quantity (see the module docstring on caching)."""
        if self.by_median:
            mu = math.log(self.median)
            sigma = (math.log(self.p90) - mu) / Z_90
        else:
            ratio = self.sd / self.mean
            var = math.log1p(ratio * ratio)
            mu = math.log(self.mean) - 0.5 * var
            sigma = math.sqrt(var)
        return mu, sigma

    @property
    def mu(self) -> float:
        """Mean of the log of the quantity."""
        return self._log_params[0]

    @property
    def sigma(self) -> float:
        """Standard deviation of the log of the quantity."""
        return self._log_params[1]

    @property
    def is_deterministic(self) -> bool:
        return False

    def sample(self, rng: np.random.Generator) -> float:
        mu, sigma = self._log_params
        return rng.lognormal(mu, sigma)

    def sample_many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mu, sigma = self._log_params
        return rng.lognormal(mu, sigma, size=_check_n(n))

    def quantile(self, q: float) -> float:
        p = _check_q(q)
        if p == 0.0 or p == 1.0:
            return 0.0 if p == 0.0 else math.inf
        mu, sigma = self._log_params
        return _exp(mu + sigma * _STANDARD_NORMAL.inv_cdf(p))

    def scaled(self, factor: float) -> Lognormal | Fixed:
        """Same shape with every value times ``factor``, given by the same pair of
        parameters as this one; ``Fixed(0)`` for factor 0."""
        f = _check_factor(factor)
        if f == 0.0:
            return Fixed(value=0.0)
        if self.by_median:
            return Lognormal(median=self.median * f, p90=self.p90 * f)
        return Lognormal(mean=self.mean * f, sd=self.sd * f)


Distribution = Annotated[
    Union[Fixed, Exponential, Uniform, Triangular, Lognormal],  # noqa: UP007
    Field(discriminator="dist"),
]
"""A distribution spec written as a mapping with a ``dist`` key."""

#: The plain union of the distribution classes, for type annotations and isinstance.
AnyDistribution = Union[Fixed, Exponential, Uniform, Triangular, Lognormal]  # noqa: UP007

_KINDS: dict[str, type[BaseModel]] = {
    "fixed": Fixed,
    "exponential": Exponential,
    "uniform": Uniform,
    "triangular": Triangular,
    "lognormal": Lognormal,
}
_KIND_LIST = ", ".join(_KINDS)
_CLASSES = tuple(_KINDS.values())


def _coerce_spec(value: Any) -> Any:
    """Turn a bare number into ``Fixed`` and a mapping into its distribution.

    Validating the mapping here (rather than leaving it to the tagged union) keeps the
    distribution's name out of error paths: ``screen_hours.high``, not
    ``screen_hours.uniform.high``.
    """
    if isinstance(value, bool | np.bool_):
        raise PydanticCustomError(
            "distribution_type", "expected a number or a distribution, not true/false"
        )
    if isinstance(value, Real):
        x = float(value)
        if not math.isfinite(x):
            raise PydanticCustomError("finite_number", "Input should be a finite number")
        if x < 0.0:
            raise PydanticCustomError(
                "greater_than_equal", "Input should be greater than or equal to 0"
            )
        return Fixed(value=x)
    if isinstance(value, dict):
        if "dist" not in value:
            raise PydanticCustomError(
                "distribution_kind", "missing 'dist' (one of: {kinds})", {"kinds": _KIND_LIST}
            )
        kind = value["dist"]
        cls = _KINDS.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise PydanticCustomError(
                "distribution_kind",
                "unknown distribution {kind} (use one of: {kinds})",
                {"kind": repr(kind), "kinds": _KIND_LIST},
            )
        return cls.model_validate(value)
    if isinstance(value, _CLASSES):
        return value
    if isinstance(value, str):
        raise PydanticCustomError(
            "distribution_type",
            "expected a number or a distribution, got the text {text}",
            {"text": repr(value)},
        )
    got = "nothing" if value is None else f"a {type(value).__name__}"
    raise PydanticCustomError(
        "distribution_type", "expected a number or a distribution, got {got}", {"got": got}
    )


DistributionSpec = Annotated[
    Distribution,
    BeforeValidator(_coerce_spec, json_schema_input_type=Union[float, Distribution]),  # noqa: UP007
]
"""A distribution spec that may also be a bare number ``x >= 0``, meaning ``Fixed(value=x)``."""

_SPEC_ADAPTER: TypeAdapter[Any] = TypeAdapter(DistributionSpec)


def parse_distribution(value: object) -> AnyDistribution:
    """Validate a bare number or mapping (e.g. from YAML) as a ``DistributionSpec``."""
    return cast(AnyDistribution, _SPEC_ADAPTER.validate_python(value))


class SequenceSampler:
    """Draws a fixed sequence of specs from one generator, as ``sample`` would one by one.

    ``draw(rng)`` returns ``[d.sample(rng) for d in specs]`` with exactly those numbers and
    leaves the generator in the same state. When every spec is ``fixed`` or ``lognormal``
    (the usual case for candidate delays) it makes a single numpy call: numpy's lognormal
    is ``exp(mu + sigma * z)`` of one standard normal ``z``, and a block of standard
    normals consumes the generator exactly as the same number of single draws. Other
    specs fall back to one ``sample`` call each. Parameters are read once, here, so the
    hot path touches plain floats only.
    """

    __slots__ = ("_specs", "_items", "_normals")

    def __init__(self, specs: list[Distribution] | tuple[Distribution, ...]) -> None:
        self._specs = tuple(specs)
        items: list[tuple[float, float]] | None = []
        normals = 0
        for spec in self._specs:
            if isinstance(spec, Fixed):
                items.append((spec.value, 0.0))  # type: ignore[union-attr]
            elif isinstance(spec, Lognormal):
                mu, sigma = spec._log_params
                items.append((mu, sigma))  # type: ignore[union-attr]
                normals += 1
            else:
                items = None
                break
        # (value, 0.0) for fixed, (mu, sigma) for lognormal; None: sample one by one
        self._items = None if items is None else tuple(items)
        self._normals = normals

    def __len__(self) -> int:
        return len(self._specs)

    @property
    def normals_needed(self) -> int | None:
        """Standard normals ``from_normals`` needs; None when specs must be sampled."""
        return None if self._items is None else self._normals

    def draw(self, rng: np.random.Generator) -> list[float]:
        if self._items is None:
            return [spec.sample(rng) for spec in self._specs]
        return self.from_normals(rng.standard_normal(self._normals).tolist()
                                 if self._normals else [])

    def from_normals(self, normals: list[float]) -> list[float]:
        """The values, given ``normals_needed`` standard normal draws."""
        assert self._items is not None
        z = iter(normals)
        out = []
        for a, sigma in self._items:
            if sigma == 0.0:  # fixed (a lognormal always has sigma > 0)
                out.append(a)
            else:
                out.append(lognormal_of(a, sigma, next(z)))
        return out
