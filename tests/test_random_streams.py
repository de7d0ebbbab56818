"""Random streams: block draws hand out the numbers a per-candidate draw would."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hiresim.distributions import SequenceSampler, parse_distribution
from hiresim.random_streams import BlockDraws

LOGNORMAL = parse_distribution({"dist": "lognormal", "median": 1.0, "p90": 4.0})
WIDE = parse_distribution({"dist": "lognormal", "mean": 5.0, "sd": 9.0})


def test_block_uniforms_are_the_stream_in_order_and_skip_a_tail_that_does_not_fit() -> None:
    draws = BlockDraws(np.random.default_rng(1), block=10)
    got = [draws.uniforms(4) for _ in range(3)]  # 4 + 4 fit, the third starts a new block
    reference = np.random.default_rng(1)
    first, second = reference.random(10).tolist(), reference.random(10).tolist()
    assert got == [first[0:4], first[4:8], second[0:4]]


def test_a_request_larger_than_the_block_is_served_whole() -> None:
    draws = BlockDraws(np.random.default_rng(2), block=4)
    assert draws.normals(9) == np.random.default_rng(2).standard_normal(9).tolist()


def test_uniforms_and_normals_have_their_own_blocks() -> None:
    """Interleaved requests: each kind comes from its own block, drawn when first needed."""
    draws = BlockDraws(np.random.default_rng(3), block=8)
    u1, z1, u2 = draws.uniforms(3), draws.normals(2), draws.uniforms(3)
    reference = np.random.default_rng(3)
    ublock = reference.random(8).tolist()
    zblock = reference.standard_normal(8).tolist()
    assert (u1, u2, z1) == (ublock[0:3], ublock[3:6], zblock[0:2])


def test_the_kth_candidate_gets_the_same_numbers_whatever_came_before() -> None:
    """Fixed counts per candidate: candidate k's numbers depend only on k (common random
    numbers), even though blocks are drawn ahead."""
    def kth(k: int) -> tuple[list[float], list[float]]:
        draws = BlockDraws(np.random.default_rng(4), block=16)
        for _ in range(k):
            draws.uniforms(5)
            draws.normals(3)
        return draws.uniforms(5), draws.normals(3)

    assert kth(7) == kth(7)
    assert kth(7) != kth(8)
    assert all(0.0 <= x < 1.0 for x in kth(20)[0])


def test_sequence_sampler_equals_one_sample_per_spec() -> None:
    specs = [parse_distribution(3), LOGNORMAL, parse_distribution(0), WIDE, LOGNORMAL]
    sampler = SequenceSampler(specs)
    assert sampler.normals_needed == 3
    for seed in range(300):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        assert sampler.draw(a) == [d.sample(b) for d in specs]
        assert a.random() == b.random()  # the generator is left in the same state


def test_sequence_sampler_from_normals_is_exp_of_mu_plus_sigma_z() -> None:
    sampler = SequenceSampler([LOGNORMAL, parse_distribution(2.5)])
    mu, sigma = LOGNORMAL.mu, LOGNORMAL.sigma
    assert sampler.from_normals([0.5]) == [math.exp(mu + sigma * 0.5), 2.5]
    assert sampler.from_normals([1e6]) == [math.inf, 2.5]  # numpy's lognormal overflows to inf


@pytest.mark.parametrize("other", [
    {"dist": "exponential", "mean": 2.0},
    {"dist": "uniform", "low": 1.0, "high": 2.0},
    {"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 4.0},
])
def test_other_distributions_fall_back_to_one_sample_each(other: dict) -> None:
    specs = [LOGNORMAL, parse_distribution(other), parse_distribution(1.0)]
    sampler = SequenceSampler(specs)
    assert sampler.normals_needed is None
    a, b = np.random.default_rng(9), np.random.default_rng(9)
    assert sampler.draw(a) == [d.sample(b) for d in specs]


def test_block_draws_stand_in_for_a_generator_value_for_value() -> None:
    """random/exponential/lognormal give what numpy gives from the same standard variate,
    each kind from its own blocks (drawn here in the order uniforms, exponentials,
    normals, because that is the order of the first requests)."""
    draws = BlockDraws(np.random.default_rng(5), block=16)
    got_u = [draws.random() for _ in range(20)]
    got_e = [draws.exponential(2.5) for _ in range(20)]
    got_l = [draws.lognormal(0.3, 0.8) for _ in range(20)]
    ref = np.random.default_rng(5)
    u = ref.random(16).tolist() + ref.random(16).tolist()
    e = ref.standard_exponential(16).tolist() + ref.standard_exponential(16).tolist()
    z = ref.standard_normal(16).tolist() + ref.standard_normal(16).tolist()
    assert got_u == u[:20]
    assert got_e == [2.5 * x for x in e[:20]]
    assert got_l == [math.exp(0.3 + 0.8 * x) for x in z[:20]]
    # and numpy's own scalar methods do the same arithmetic on the same variates
    one = np.random.default_rng(11)
    assert np.random.default_rng(11).exponential(2.5) == 2.5 * one.standard_exponential()
    one = np.random.default_rng(12)
    assert np.random.default_rng(12).lognormal(0.3, 0.8) == math.exp(
        0.3 + 0.8 * one.standard_normal())


@pytest.mark.parametrize("spec", [
    {"dist": "exponential", "mean": 2.0},
    {"dist": "uniform", "low": 1.0, "high": 2.0},
    {"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 4.0},
    {"dist": "lognormal", "median": 1.0, "p90": 4.0},
])
def test_distributions_sample_from_block_draws(spec: dict) -> None:
    """Any spec samples from BlockDraws; the values have the spec's distribution."""
    d = parse_distribution(spec)
    draws = BlockDraws(np.random.default_rng(6))
    x = np.array([d.sample(draws) for _ in range(20000)])  # type: ignore[arg-type]
    assert abs(x.mean() - d.mean) < 4 * d.sd / np.sqrt(len(x))
    assert all(np.isfinite(x)) and x.min() >= 0.0
