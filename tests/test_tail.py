"""Tests of smartkampung.sim.tail: the per-village readiness waits and cost multipliers of a rollout's tail.

Expected values are computed independently: by hand from the closed forms
(``-ln(1 - u)``, ``exp(s z - s²/2)``) and from :mod:`scipy.stats` (exponential,
geometric and log-normal distributions).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from smartkampung import ParameterError
from smartkampung.sim.tail import cost_multipliers, readiness_delay, standard_waits, village_draws

uniforms = st.floats(0.0, 1.0, exclude_max=True)
means = st.floats(0.0, 60.0)
spreads = st.floats(0.0, 2.0)
normals = st.floats(-6.0, 6.0)


# --------------------------------------------------------------------------- standard_waits


def test_standard_waits_exact_values() -> None:
    u = np.array([0.0, 0.5, 1 - math.exp(-1.0), 1 - math.exp(-2.5), 0.9])
    np.testing.assert_allclose(standard_waits(u), [0.0, math.log(2.0), 1.0, 2.5, math.log(10.0)], rtol=1e-14)
    # The exponential distribution's inverse CDF of mean 1.
    np.testing.assert_allclose(standard_waits(u), stats.expon.ppf(u), rtol=1e-14)
    assert standard_waits(u).dtype == np.float64
    assert standard_waits(np.zeros((2, 3))).shape == (2, 3)
    assert standard_waits([0.25]).tolist() == pytest.approx([-math.log(0.75)])  # any array_like


@given(st.lists(uniforms, min_size=1, max_size=30))
def test_standard_waits_are_non_negative_and_increasing_in_u(us: list[float]) -> None:
    u = np.sort(np.asarray(us))
    w = standard_waits(u)
    assert np.all(np.isfinite(w))
    assert np.all(w >= 0.0)
    assert np.all(np.diff(w) >= 0.0)


# --------------------------------------------------------------------------- readiness_delay


def test_readiness_delay_exact_values() -> None:
    # floor(mean * -ln(1 - u)), worked by hand.
    u = np.array([0.0, 0.5, 1 - math.exp(-0.25), 0.9, 0.99])
    assert readiness_delay(u, 10.0).tolist() == [0, 6, 2, 23, 46]  # 0, 6.93, 2.5, 23.03, 46.05
    assert readiness_delay(u, 3.0).tolist() == [0, 2, 0, 6, 13]  # 0, 2.08, 0.75, 6.91, 13.82
    assert readiness_delay(u, 1.0).tolist() == [0, 0, 0, 2, 4]
    # The same as flooring scipy's exponential quantiles of that mean.
    np.testing.assert_array_equal(readiness_delay(u, 7.5), np.floor(stats.expon(scale=7.5).ppf(u)))
    assert readiness_delay(u, 10.0).dtype == np.int64


def test_readiness_delay_of_a_zero_mean_is_zero_everywhere() -> None:
    u = np.random.default_rng(0).random((3, 4))
    out = readiness_delay(u, 0.0)
    assert out.shape == (3, 4)
    assert out.dtype == np.int64
    assert not out.any()


def test_readiness_delay_is_geometric() -> None:
    """floor(m E) + 1 with E ~ Exp(1) is Geometric(p = 1 - exp(-1/m)): checked on 200,000 draws.

    The mean of floor(m E) is sum_k exp(-k/m) = 1 / (exp(1/m) - 1); the
    frequencies of 0, 1, ... pass a chi-square test against the geometric
    probabilities (fixed seed, so the test is deterministic; p > 0.001).
    """
    m = 6.0
    n = 200_000
    delay = readiness_delay(np.random.default_rng(20160531).random(n), m)
    mean = 1.0 / math.expm1(1.0 / m)  # 5.514
    sd = math.sqrt(math.exp(1.0 / m)) / math.expm1(1.0 / m)  # geometric: sqrt(1 - p) / p
    assert abs(delay.mean() - mean) <= 4 * sd / math.sqrt(n)
    p = -math.expm1(-1.0 / m)
    k_max = 40
    observed = np.bincount(np.minimum(delay, k_max), minlength=k_max + 1)
    expected = stats.geom.pmf(np.arange(1, k_max + 1), p) * n
    expected = np.append(expected, stats.geom.sf(k_max, p) * n)  # the pooled tail
    assert observed.sum() == pytest.approx(expected.sum())
    assert stats.chisquare(observed, expected).pvalue > 1e-3


@given(st.lists(uniforms, min_size=1, max_size=20), means, means)
def test_readiness_delay_bounds_and_monotone_in_the_mean(us: list[float], m1: float, m2: float) -> None:
    u = np.asarray(us)
    lo, hi = sorted((m1, m2))
    d_lo, d_hi = readiness_delay(u, lo), readiness_delay(u, hi)
    exact = hi * -np.log1p(-u)
    assert np.all(d_hi >= 0)
    assert np.all(d_hi <= exact)
    assert np.all(exact < d_hi + 1)
    assert np.all(d_lo <= d_hi)  # a longer mean wait never makes an office ready sooner


@given(st.lists(uniforms, min_size=2, max_size=20), means)
def test_readiness_delay_is_non_decreasing_in_u(us: list[float], m: float) -> None:
    assert np.all(np.diff(readiness_delay(np.sort(us), m)) >= 0)


# --------------------------------------------------------------------------- cost_multipliers


def test_cost_multipliers_exact_values() -> None:
    z = np.array([-1.0, 0.0, 2.0])
    s = 0.4
    np.testing.assert_allclose(cost_multipliers(z, s), [math.exp(-0.48), math.exp(-0.08), math.exp(0.72)], rtol=1e-14)
    # The log-normal of log-sd s and mean 1 (scale exp(-s²/2)), at the normal's quantiles.
    dist = stats.lognorm(s=s, scale=math.exp(-s * s / 2))
    assert dist.mean() == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(cost_multipliers(z, s), dist.ppf(stats.norm.cdf(z)), rtol=1e-9)
    np.testing.assert_array_equal(cost_multipliers(z, 0.0), np.ones(3))
    assert cost_multipliers(np.zeros((2, 5)), 0.3).shape == (2, 5)
    assert cost_multipliers(np.zeros((2, 5)), 0.0).shape == (2, 5)


def test_cost_multipliers_have_mean_one_and_log_sd_spread() -> None:
    z = np.random.default_rng(7).standard_normal(400_000)
    for s in (0.1, 0.5, 1.0):
        m = cost_multipliers(z, s)
        se = math.sqrt(math.expm1(s * s) / z.size)  # sd of a log-normal of mean 1, over sqrt(n)
        assert abs(m.mean() - 1.0) <= 4 * se, s
        np.testing.assert_allclose(np.std(np.log(m)), s * np.std(z), rtol=1e-12)
        assert np.all(m > 0)


@given(normals, normals, spreads, spreads)
def test_cost_multipliers_spread_grows_with_spread(z1: float, z2: float, s1: float, s2: float) -> None:
    (za, zb), (sa, sb) = sorted((z1, z2)), sorted((s1, s2))
    # The ratio of two villages' multipliers is exp(s (zb - za)): it grows with the spread.
    ratio_a = cost_multipliers([zb], sa)[0] / cost_multipliers([za], sa)[0]
    ratio_b = cost_multipliers([zb], sb)[0] / cost_multipliers([za], sb)[0]
    assert ratio_a == pytest.approx(math.exp(sa * (zb - za)), rel=1e-9)
    assert ratio_a <= ratio_b * (1 + 1e-12)
    # And each multiplier is increasing in its village's normal.
    assert cost_multipliers([za], sb)[0] <= cost_multipliers([zb], sb)[0]


# --------------------------------------------------------------------------- village_draws


def test_village_draws_are_the_seeds_uniforms_then_normals() -> None:
    seed = np.random.SeedSequence(2016, spawn_key=(3,))
    u, z = village_draws(seed, 50)
    g = np.random.default_rng(np.random.SeedSequence(2016, spawn_key=(3,)))
    np.testing.assert_array_equal(u, g.random(50))
    np.testing.assert_array_equal(z, g.standard_normal(50))
    assert u.shape == z.shape == (50,)
    assert u.dtype == z.dtype == np.float64
    assert np.all((u >= 0) & (u < 1))


def test_village_draws_are_deterministic_and_differ_between_streams() -> None:
    a = village_draws(np.random.SeedSequence(9, spawn_key=(0,)), 30)
    b = village_draws(np.random.SeedSequence(9, spawn_key=(0,)), 30)
    c = village_draws(np.random.SeedSequence(9, spawn_key=(1,)), 30)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[1], c[1])
    empty = village_draws(np.random.SeedSequence(9), 0)
    assert empty[0].shape == empty[1].shape == (0,)


# --------------------------------------------------------------------------- error paths
#
# FAILS on 7bd079d (src bug, see the lead's report): tail.py validates nothing, so a uniform of 1
# (or an infinite or NaN mean) gives a readiness month of -9223372036854775808 (int64 overflow of
# floor(inf)), a NaN spread gives NaN cost multipliers, and a negative count a bare numpy error.
# STYLE.md section 6: array inputs are checked on entry to sim.* functions, naming the parameter.

BAD_ARGUMENTS: list[tuple[Any, tuple[Any, ...], str]] = [
    (standard_waits, ([0.2, 1.0],), "uniforms"),
    (standard_waits, ([-0.1],), "uniforms"),
    (standard_waits, ([np.nan],), "uniforms"),
    (readiness_delay, ([0.2, 1.0], 5.0), "uniforms"),
    (readiness_delay, ([0.5], math.nan), "mean_months"),
    (readiness_delay, ([0.5], math.inf), "mean_months"),
    (readiness_delay, ([0.5], -3.0), "mean_months"),
    (cost_multipliers, ([0.5], math.nan), "spread"),
    (cost_multipliers, ([0.5], -1.0), "spread"),
    (cost_multipliers, ([math.inf], 0.3), "normals"),
    (village_draws, (np.random.SeedSequence(1), -1), "n_villages"),
]


@pytest.mark.parametrize(
    ("function", "args", "parameter"),
    BAD_ARGUMENTS,
    ids=[f"{f.__name__}-{p}-{i}" for i, (f, _, p) in enumerate(BAD_ARGUMENTS)],
)
def test_bad_arguments_are_a_parameter_error(function: Any, args: tuple[Any, ...], parameter: str) -> None:
    with pytest.raises(ParameterError) as info:
        function(*args)
    assert info.value.parameter == parameter
    assert info.value.function == function.__name__
