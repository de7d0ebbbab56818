"""Tests for hiresim.distributions: validation, sampling, moments, quantiles, scaling."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError
from scipy import stats

from hiresim.distributions import (
    Z_90,
    AnyDistribution,
    Distribution,
    DistributionSpec,
    Exponential,
    Fixed,
    Lognormal,
    Triangular,
    Uniform,
    parse_distribution,
)

SPEC = TypeAdapter(DistributionSpec)
DIST = TypeAdapter(Distribution)

N = 200_000  # draws for the statistical checks

# One example of each kind, with moderate tails so 200k draws pin the moments down.
EXAMPLES: list[AnyDistribution] = [
    Fixed(value=2.5),
    Exponential(mean=3.0),
    Uniform(low=1.0, high=4.0),
    Triangular(low=0.5, mode=1.0, high=3.0),
    Triangular(low=0.0, mode=0.0, high=2.0),
    Triangular(low=1.0, mode=4.0, high=4.0),
    Lognormal(mean=2.0, sd=1.0),
    Lognormal(median=1.0, p90=4.0),
]
RANDOM_EXAMPLES = [d for d in EXAMPLES if not d.is_deterministic]


def _ids(d: object) -> str:
    return repr(d)


def _errors(adapter: TypeAdapter, value: object) -> list[tuple[str, str]]:
    """The (path, message) pairs a user would see for an invalid value."""
    with pytest.raises(ValidationError) as info:
        adapter.validate_python(value)
    return [(".".join(map(str, e["loc"])), e["msg"]) for e in info.value.errors()]


def _scipy(d: object) -> stats.rv_continuous:
    """The same distribution as a frozen scipy.stats object, as an independent reference."""
    if isinstance(d, Exponential):
        return stats.expon(scale=d.mean)
    if isinstance(d, Uniform):
        return stats.uniform(loc=d.low, scale=d.high - d.low)
    if isinstance(d, Triangular):
        width = d.high - d.low
        return stats.triang((d.mode - d.low) / width, loc=d.low, scale=width)
    if isinstance(d, Lognormal):
        return stats.lognorm(d.sigma, scale=math.exp(d.mu))
    raise AssertionError(d)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("value", "path", "message"),
    [
        ({"dist": "fixed", "value": -1}, "value", "greater than or equal to 0"),
        ({"dist": "fixed"}, "value", "Field required"),
        ({"dist": "exponential", "mean": 0}, "mean", "greater than 0"),
        ({"dist": "exponential", "mean": -2.0}, "mean", "greater than 0"),
        ({"dist": "uniform", "low": -1, "high": 2}, "low", "greater than or equal to 0"),
        ({"dist": "uniform", "low": 3, "high": 1}, "", "high (1) must be at least low (3)"),
        ({"dist": "triangular", "low": -1, "mode": 0, "high": 1}, "low", "greater than or equal"),
        ({"dist": "triangular", "low": 2, "mode": 2, "high": 2}, "", "high (2) must be greater"),
        ({"dist": "triangular", "low": 3, "mode": 2, "high": 1}, "", "must be greater than low"),
        (
            {"dist": "triangular", "low": 1, "mode": 0.5, "high": 2},
            "",
            "mode (0.5) must be between low (1) and high (2)",
        ),
        ({"dist": "triangular", "low": 1, "mode": 3, "high": 2}, "", "must be between low"),
        ({"dist": "lognormal", "mean": 0, "sd": 1}, "mean", "greater than 0"),
        ({"dist": "lognormal", "mean": 1, "sd": -1}, "sd", "greater than 0"),
        ({"dist": "lognormal", "median": -1, "p90": 2}, "median", "greater than 0"),
        ({"dist": "lognormal", "median": 2, "p90": 2}, "", "p90 (2) must be greater than median"),
        ({"dist": "lognormal", "median": 3, "p90": 1}, "", "p90 (1) must be greater than median"),
        ({"dist": "lognormal"}, "", "give either mean and sd, or median and p90"),
        ({"dist": "lognormal", "mean": 2}, "", "give either mean and sd, or median and p90"),
        ({"dist": "lognormal", "mean": 2, "p90": 4}, "", "or median and p90 (got mean, p90)"),
        (
            {"dist": "lognormal", "mean": 2, "sd": 1, "median": 1, "p90": 3},
            "",
            "give either mean and sd, or median and p90",
        ),
        ({"dist": "lognormal", "median": 1, "p90": 1e200}, "", "spread is too large"),
        ({"dist": "fixed", "value": True}, "value", "valid number"),
        ({"dist": "exponential", "mean": "3"}, "mean", "valid number"),
        ({"dist": "uniform", "low": 0, "high": math.nan}, "high", "finite number"),
        ({"dist": "fixed", "value": math.inf}, "value", "finite number"),
        ({"dist": "exponential", "mean": -math.inf}, "mean", "finite number"),
        ({"dist": "fixed", "value": 1, "mean": 1}, "mean", "Extra inputs are not permitted"),
        ({"dist": "exponential", "mean": 1, "rate": 1}, "rate", "Extra inputs"),
        ({"dist": "gamma", "shape": 2}, "", "unknown distribution 'gamma' (use one of: fixed,"),
        ({"dist": 3}, "", "unknown distribution 3"),
        ({"value": 3}, "", "missing 'dist'"),
        (-1, "", "greater than or equal to 0"),
        (-0.001, "", "greater than or equal to 0"),
        (True, "", "not true/false"),
        (False, "", "not true/false"),
        (np.bool_(True), "", "not true/false"),
        ("3", "", "got the text '3'"),
        (math.nan, "", "finite number"),
        (math.inf, "", "finite number"),
        (None, "", "got nothing"),
        ([1, 2], "", "got a list"),
    ],
)
def test_spec_rejects_bad_values_with_short_messages(value, path, message):
    errors = _errors(SPEC, value)
    assert len(errors) == 1, errors
    (got_path, got_message) = errors[0]
    assert got_path == path
    assert message in got_message
    assert "Value error" not in got_message and "\n" not in got_message
    assert len(got_message) < 100


def test_error_path_has_no_distribution_name_inside_a_model():
    class Activity(BaseModel):
        hours: DistributionSpec

    with pytest.raises(ValidationError) as info:
        Activity.model_validate({"hours": {"dist": "uniform", "low": -1, "high": 1}})
    assert [e["loc"] for e in info.value.errors()] == [("hours", "low")]


@pytest.mark.parametrize(
    ("cls", "kwargs", "field"),
    [
        (Fixed, {"value": True}, "value"),
        (Fixed, {"value": "3"}, "value"),
        (Exponential, {"mean": False}, "mean"),
        (Uniform, {"low": "0", "high": 1}, "low"),
        (Triangular, {"low": 0, "mode": "1", "high": 2}, "mode"),
        (Lognormal, {"median": True, "p90": 2}, "median"),
        (Lognormal, {"mean": 1.0, "sd": None}, "sd"),
    ],
)
def test_models_are_strict(cls, kwargs, field):
    with pytest.raises(ValidationError) as info:
        cls(**kwargs)
    assert info.value.errors()[0]["loc"] == (field,)


def test_plain_distribution_union_also_validates():
    assert DIST.validate_python({"dist": "exponential", "mean": 2}) == Exponential(mean=2.0)
    with pytest.raises(ValidationError):
        DIST.validate_python({"dist": "gamma"})
    with pytest.raises(ValidationError):
        DIST.validate_python(3)  # only DistributionSpec accepts bare numbers


def test_ints_are_accepted_as_floats():
    d = Triangular(low=1, mode=2, high=3)
    assert (d.low, d.mode, d.high) == (1.0, 2.0, 3.0)
    assert all(type(x) is float for x in (d.low, d.mode, d.high))


def test_specs_are_frozen_and_hashable():
    d = Uniform(low=1, high=2)
    with pytest.raises(ValidationError):
        d.low = 0.5  # type: ignore[misc]
    assert hash(d) == hash(Uniform(low=1.0, high=2.0))
    assert {d, Uniform(low=1, high=2)} == {d}


# ------------------------------------------------------------------------- bare numbers


@pytest.mark.parametrize("x", [0, 3, 2.5, 1e-9, np.float64(0.75), np.int64(4)])
def test_bare_numbers_become_fixed(x):
    d = SPEC.validate_python(x)
    assert d == Fixed(value=float(x))
    assert type(d.value) is float
    assert parse_distribution(x) == d


def test_spec_passes_instances_and_mappings_through():
    e = Exponential(mean=2)
    assert SPEC.validate_python(e) is e
    assert SPEC.validate_python({"dist": "lognormal", "median": 1, "p90": 3}) == Lognormal(
        median=1, p90=3
    )


def test_spec_inside_a_model_with_optional_and_defaults():
    class Stage(BaseModel):
        hours: DistributionSpec = Fixed(value=1.0)
        patience_days: DistributionSpec | None = None

    assert Stage().hours == Fixed(value=1.0)
    assert Stage.model_validate({"hours": 0.5}).hours == Fixed(value=0.5)
    assert Stage.model_validate({"patience_days": None}).patience_days is None
    assert Stage.model_validate({"patience_days": 7}).patience_days == Fixed(value=7.0)
    schema = Stage.model_json_schema()["properties"]["hours"]
    assert {"type": "number"} in schema["anyOf"]


@pytest.mark.parametrize("d", EXAMPLES, ids=_ids)
def test_dump_validates_back_to_an_equal_spec(d):
    assert SPEC.validate_python(d.model_dump()) == d
    assert SPEC.validate_json(d.model_dump_json()) == d
    assert pickle.loads(pickle.dumps(d)) == d


def test_lognormal_fills_the_pair_not_given_but_dumps_only_the_given_one():
    by_moments = Lognormal(mean=2, sd=1)
    assert by_moments.model_dump() == {"dist": "lognormal", "mean": 2.0, "sd": 1.0}
    assert not by_moments.by_median
    by_median = Lognormal(median=1, p90=4)
    assert by_median.model_dump() == {"dist": "lognormal", "median": 1.0, "p90": 4.0}
    assert by_median.by_median
    # The derived pair describes the same distribution.
    for d in (by_moments, by_median):
        again = Lognormal(mean=d.mean, sd=d.sd)
        assert again.median == pytest.approx(d.median, rel=1e-12)
        assert again.p90 == pytest.approx(d.p90, rel=1e-12)


# --------------------------------------------------------------------- theoretical values


def test_lognormal_parameters_follow_the_documented_formulas():
    d = Lognormal(median=2.0, p90=5.0)
    assert d.mu == pytest.approx(math.log(2.0), rel=1e-15)
    assert d.sigma == pytest.approx((math.log(5.0) - math.log(2.0)) / 1.2815515655446004)
    assert Z_90 == pytest.approx(stats.norm.ppf(0.9), rel=1e-15)
    m = Lognormal(mean=3.0, sd=2.0)
    var = math.log(1 + 4.0 / 9.0)
    assert m.sigma == pytest.approx(math.sqrt(var), rel=1e-14)
    assert m.mu == pytest.approx(math.log(3.0) - var / 2, rel=1e-14)
    assert m.mean == 3.0 and m.sd == 2.0


@pytest.mark.parametrize("d", RANDOM_EXAMPLES, ids=_ids)
def test_mean_sd_and_quantiles_match_scipy(d):
    ref = _scipy(d)
    assert d.mean == pytest.approx(ref.mean(), rel=1e-12)
    assert d.sd == pytest.approx(ref.std(), rel=1e-9)
    for q in (0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0):
        assert d.quantile(q) == pytest.approx(ref.ppf(q), rel=1e-9, abs=1e-12)
    assert not d.is_deterministic


def test_fixed_theory():
    d = Fixed(value=2.5)
    assert (d.mean, d.sd, d.quantile(0.0), d.quantile(0.9), d.is_deterministic) == (
        2.5,
        0.0,
        2.5,
        2.5,
        True,
    )


def test_lognormal_quantiles_return_the_given_median_and_p90():
    d = Lognormal(median=3.0, p90=10.0)
    assert d.quantile(0.5) == pytest.approx(3.0, rel=1e-14)
    assert d.quantile(0.9) == pytest.approx(10.0, rel=1e-14)


@pytest.mark.parametrize("q", [-0.1, 1.5, math.nan, True])
def test_quantile_rejects_levels_outside_0_1(q):
    with pytest.raises((ValueError, TypeError)):
        Exponential(mean=1).quantile(q)


# ------------------------------------------------------------------------------ sampling


@pytest.mark.parametrize("d", EXAMPLES, ids=_ids)
def test_sample_mean_agrees_with_mean_within_4_standard_errors(d):
    x = d.sample_many(np.random.default_rng(20240601), N)
    assert x.shape == (N,) and x.dtype == np.float64
    assert x.min() >= 0.0
    se = d.sd / math.sqrt(N)
    assert abs(x.mean() - d.mean) <= 4 * se + 1e-12
    assert x.std() == pytest.approx(d.sd, rel=0.03)


@pytest.mark.parametrize(("median", "p90"), [(1.0, 4.0), (21.0, 45.0), (0.25, 0.3)])
def test_lognormal_by_median_p90_hits_them_empirically(median, p90):
    d = Lognormal(median=median, p90=p90)
    x = d.sample_many(np.random.default_rng(7), N)
    for q, value in ((0.5, median), (0.9, p90)):
        # Share of draws below the value: binomial, SE sqrt(q(1-q)/n).
        se_share = math.sqrt(q * (1 - q) / N)
        assert abs(np.mean(x <= value) - q) <= 4 * se_share
        # The empirical quantile itself: SE of a sample quantile is that over the density.
        se_quantile = se_share / _scipy(d).pdf(value)
        assert abs(np.quantile(x, q) - value) <= 4 * se_quantile


@pytest.mark.parametrize("d", EXAMPLES, ids=_ids)
def test_sampling_is_reproducible_and_sample_matches_sample_many(d):
    one_by_one = [d.sample(np.random.default_rng(99)) for _ in range(3)]
    assert one_by_one[0] == one_by_one[1] == one_by_one[2]
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    singles = [d.sample(rng_a) for _ in range(2000)]
    assert all(type(s) is float for s in singles)
    many = d.sample_many(rng_b, 2000)
    np.testing.assert_array_equal(np.array(singles), many)
    np.testing.assert_array_equal(many, d.sample_many(np.random.default_rng(5), 2000))
    # Both generators are left in the same state.
    assert rng_a.bit_generator.state == rng_b.bit_generator.state


@pytest.mark.parametrize(
    ("d", "method", "args"),
    [
        (Exponential(mean=3.0), "exponential", (3.0,)),
        (Uniform(low=1.0, high=4.0), "uniform", (1.0, 4.0)),
        (Uniform(low=0.3, high=0.3), "uniform", (0.3, 0.3)),
        (Triangular(low=0.5, mode=1.0, high=3.0), "triangular", (0.5, 1.0, 3.0)),
        (Triangular(low=0.0, mode=0.0, high=2.0), "triangular", (0.0, 0.0, 2.0)),
        (Triangular(low=1.0, mode=4.0, high=4.0), "triangular", (1.0, 4.0, 4.0)),
    ],
    ids=_ids,
)
def test_sample_draws_exactly_what_numpy_would(d, method, args):
    rng_ours, rng_numpy = np.random.default_rng(11), np.random.default_rng(11)
    ours = [d.sample(rng_ours) for _ in range(5000)]
    theirs = [getattr(rng_numpy, method)(*args) for _ in range(5000)]
    assert ours == theirs


def test_lognormal_sample_is_numpy_lognormal_with_precomputed_mu_sigma():
    d = Lognormal(median=2.0, p90=5.0)
    ours = d.sample_many(np.random.default_rng(3), 1000)
    theirs = np.random.default_rng(3).lognormal(d.mu, d.sigma, size=1000)
    np.testing.assert_array_equal(ours, theirs)


def test_fixed_never_touches_the_generator():
    d = Fixed(value=1.5)
    rng = np.random.default_rng(1)
    before = rng.bit_generator.state
    assert d.sample(rng) == 1.5
    assert type(d.sample(rng)) is float
    np.testing.assert_array_equal(d.sample_many(rng, 4), np.full(4, 1.5))
    assert rng.bit_generator.state == before
    assert d.sample(None) == 1.5  # type: ignore[arg-type]  # not even looked at


@pytest.mark.parametrize("d", EXAMPLES, ids=_ids)
def test_sample_many_of_zero_and_bad_n(d):
    assert d.sample_many(np.random.default_rng(0), 0).shape == (0,)
    with pytest.raises(ValueError):
        d.sample_many(np.random.default_rng(0), -1)
    with pytest.raises(TypeError):
        d.sample_many(np.random.default_rng(0), 2.0)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- scaling


@pytest.mark.parametrize("d", EXAMPLES, ids=_ids)
@pytest.mark.parametrize("factor", [0.5, 1, 3.0, 1 / 3])
def test_scaled_scales_mean_sd_quantiles_and_samples(d, factor):
    s = d.scaled(factor)
    assert type(s) is type(d)
    assert s.mean == pytest.approx(d.mean * factor, rel=1e-12)
    assert s.sd == pytest.approx(d.sd * factor, rel=1e-9)
    assert s.quantile(0.3) == pytest.approx(d.quantile(0.3) * factor, rel=1e-9)
    ours = s.sample_many(np.random.default_rng(42), 1000)
    base = d.sample_many(np.random.default_rng(42), 1000)
    np.testing.assert_allclose(ours, base * factor, rtol=1e-9, atol=0)
    assert s.sample(np.random.default_rng(8)) == pytest.approx(
        d.sample(np.random.default_rng(8)) * factor, rel=1e-9
    )


def test_scaled_keeps_exact_parameters_where_they_are_fields():
    assert Exponential(mean=2.0).scaled(1.5).mean == 3.0
    assert Fixed(value=2.0).scaled(0.25) == Fixed(value=0.5)
    assert Uniform(low=1, high=2).scaled(2) == Uniform(low=2, high=4)
    assert Lognormal(mean=2.0, sd=1.0).scaled(3).model_dump() == {
        "dist": "lognormal",
        "mean": 6.0,
        "sd": 3.0,
    }
    assert Lognormal(median=2.0, p90=5.0).scaled(2).model_dump() == {
        "dist": "lognormal",
        "median": 4.0,
        "p90": 10.0,
    }


@pytest.mark.parametrize("d", EXAMPLES, ids=_ids)
def test_scaled_by_zero_is_always_zero(d):
    s = d.scaled(0)
    assert s.mean == 0.0 and s.sd == 0.0
    assert np.all(s.sample_many(np.random.default_rng(0), 10) == 0.0)
    if isinstance(d, Exponential | Triangular | Lognormal):
        assert s == Fixed(value=0.0)
    else:
        assert type(s) is type(d)


@pytest.mark.parametrize("factor", [-1, -0.0001, math.nan, math.inf])
def test_scaled_rejects_bad_factors(factor):
    with pytest.raises(ValueError):
        Exponential(mean=1).scaled(factor)


def test_scaled_rejects_non_numbers():
    with pytest.raises(TypeError):
        Uniform(low=0, high=1).scaled(True)
    with pytest.raises(TypeError):
        Uniform(low=0, high=1).scaled("2")  # type: ignore[arg-type]


# ------------------------------------------------------------------------ property tests

positive = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)
factors = st.floats(min_value=1e-3, max_value=1e3)


@st.composite
def triangulars(draw):
    low = draw(st.floats(min_value=0, max_value=1e4))
    high = low + draw(positive)
    mode = low + draw(st.floats(min_value=0, max_value=1)) * (high - low)
    return Triangular(low=low, mode=min(max(mode, low), high), high=high)


@st.composite
def lognormals(draw):
    if draw(st.booleans()):
        return Lognormal(mean=draw(positive), sd=draw(positive))
    median = draw(positive)
    return Lognormal(median=median, p90=median * (1 + draw(st.floats(1e-3, 50))))


any_random = st.one_of(
    positive.map(lambda m: Exponential(mean=m)),
    st.tuples(st.floats(0, 1e4), st.floats(0, 1e4)).map(lambda t: Uniform(low=min(t), high=max(t))),
    triangulars(),
    lognormals(),
)


@settings(max_examples=60, deadline=None, database=None)
@given(any_random, factors, st.integers(0, 2**32 - 1))
def test_property_samples_stay_in_support_and_scale(d, factor, seed):
    x = d.sample_many(np.random.default_rng(seed), 50)
    lo, hi = d.quantile(0.0), d.quantile(1.0)
    assert np.all((x >= lo) & (x <= hi))
    s = d.scaled(factor)
    assert s.mean == pytest.approx(d.mean * factor, rel=1e-9)
    np.testing.assert_allclose(
        s.sample_many(np.random.default_rng(seed), 50), x * factor, rtol=1e-9, atol=1e-300
    )


@settings(max_examples=60, deadline=None, database=None)
@given(any_random, st.lists(st.floats(0, 1), min_size=2, max_size=6))
def test_property_quantile_is_monotone_and_roundtrips(d, qs):
    values = [d.quantile(q) for q in sorted(qs)]
    assert values == sorted(values)
    assert SPEC.validate_python(d.model_dump()) == d


@settings(max_examples=60, deadline=None, database=None)
@given(lognormals())
def test_property_lognormal_pairs_are_consistent(d):
    assert d.quantile(0.5) == pytest.approx(d.median, rel=1e-9)
    assert d.quantile(0.9) == pytest.approx(d.p90, rel=1e-9)
    assert d.mean == pytest.approx(math.exp(d.mu + d.sigma**2 / 2), rel=1e-9)
    assert d.sd == pytest.approx(d.mean * math.sqrt(math.expm1(d.sigma**2)), rel=1e-9)
