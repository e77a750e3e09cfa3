"""Inverse CDFs of the scenario distributions (``smartkampung.sim.distributions.quantile``).

Expected values are worked out by hand from each distribution's CDF, or
computed by scipy.stats (an independent implementation).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st

from smartkampung import ParameterError
from smartkampung.model import Fixed, LogNormal, Normal, Triangular, Uniform
from smartkampung.sim.distributions import quantile

# ----------------------------------------------------------------- exact values


def test_fixed_is_its_value_everywhere() -> None:
    out = quantile(Fixed(3.25), [0.0, 0.3, 0.999, 1.0])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [3.25, 3.25, 3.25, 3.25])


@pytest.mark.parametrize(("u", "expected"), [(0.0, 2.0), (0.25, 4.0), (0.5, 6.0), (0.875, 9.0), (1.0, 10.0)])
def test_uniform(u: float, expected: float) -> None:
    # Uniform(2, 10): x = 2 + 8 u.
    assert float(quantile(Uniform(2.0, 10.0), u)) == expected


# Triangular(0, 1, 4): CDF x²/4 for x <= 1 and 1 - (4 - x)²/12 for x >= 1, so
# u = 0.16 -> x = 0.8; u = 0.25 -> the mode; u = 2/3 -> (4 - x)² = 4 -> x = 2;
# u = 0.75 -> (4 - x)² = 3 -> x = 4 - sqrt(3).
@pytest.mark.parametrize(
    ("u", "expected"), [(0.0, 0.0), (0.16, 0.8), (0.25, 1.0), (2 / 3, 2.0), (0.75, 4 - math.sqrt(3)), (1.0, 4.0)]
)
def test_triangular_closed_form(u: float, expected: float) -> None:
    assert float(quantile(Triangular(0.0, 1.0, 4.0), u)) == pytest.approx(expected, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize(
    ("dist", "u", "expected"),
    [
        # mode at the low end: CDF 1 - (2 - x)²/4; u = 0.75 -> x = 1.
        (Triangular(0.0, 0.0, 2.0), 0.75, 1.0),
        # mode at the high end: CDF x²/4; u = 0.25 -> x = 1.
        (Triangular(0.0, 2.0, 2.0), 0.25, 1.0),
        (Triangular(0.0, 2.0, 2.0), 1.0, 2.0),
        (Triangular(0.0, 0.0, 2.0), 0.0, 0.0),
    ],
)
def test_triangular_with_the_mode_at_an_end(dist: Triangular, u: float, expected: float) -> None:
    assert float(quantile(dist, u)) == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_triangular_matches_scipy() -> None:
    dist = Triangular(1.0e8, 3.0e8, 7.0e8)
    u = np.linspace(0.0, 1.0, 41)
    ref = scipy.stats.triang.ppf(u, c=(3.0e8 - 1.0e8) / 6.0e8, loc=1.0e8, scale=6.0e8)
    np.testing.assert_allclose(quantile(dist, u), ref, rtol=1e-12)


def test_lognormal_median_is_the_median() -> None:
    assert float(quantile(LogNormal(median=5.0, sigma=0.7), 0.5)) == 5.0
    assert float(quantile(LogNormal(median=2.5e9, sigma=0.0), 0.9)) == 2.5e9


def test_lognormal_matches_scipy() -> None:
    u = np.array([0.001, 0.05, 0.2, 0.5, 0.8, 0.95, 0.999])
    ref = scipy.stats.lognorm.ppf(u, s=0.7, scale=5.0)
    np.testing.assert_allclose(quantile(LogNormal(5.0, 0.7), u), ref, rtol=1e-12)
    # one standard deviation of the log above the median
    assert float(quantile(LogNormal(5.0, 0.7), scipy.stats.norm.cdf(1.0))) == pytest.approx(5.0 * math.exp(0.7))


def test_untruncated_normal_matches_scipy() -> None:
    u = np.array([0.001, 0.025, 0.3, 0.5, 0.7, 0.975, 0.999])
    np.testing.assert_allclose(quantile(Normal(10.0, 2.0), u), scipy.stats.norm.ppf(u, 10.0, 2.0), rtol=1e-12)
    assert float(quantile(Normal(10.0, 2.0), 0.5)) == 10.0
    assert float(quantile(Normal(10.0, 0.0), 0.123)) == 10.0  # sigma 0: the mean


TRUNCATED = [
    (1.0, 0.5, 0.8, 2.0),  # a window around the mean
    (0.0, 1.0, 0.0, math.inf),  # half-normal
    (0.0, 1.0, -math.inf, -2.0),  # lower tail only
    (0.0, 1.0, 2.0, math.inf),  # upper tail only
    (10.0, 3.0, -math.inf, 0.0),  # a window well below the mean
    (0.0, 1.0, -6.0, -4.0),  # far in the lower tail
    (0.0, 1.0, 4.0, 6.0),  # far in the upper tail
    (1.0, 0.05, 1.45, 1.5),  # the mirror image of (0, 1, -10, -9): a window 9 to 10 sd above the mean
]


@pytest.mark.parametrize(("mu", "sigma", "low", "high"), TRUNCATED)
def test_truncated_normal_stays_within_bounds_and_matches_scipy(
    mu: float, sigma: float, low: float, high: float
) -> None:
    dist = Normal(mu, sigma, low, high)
    u = np.array([0.0, 1e-6, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0 - 1e-6, 1.0])
    q = quantile(dist, u)
    assert np.all(np.isfinite(q)), q  # also at u = 0 and 1: a run always draws a usable number
    assert np.all((q >= low) & (q <= high)), q
    assert np.all(np.diff(q) >= 0), q
    inner = slice(1, -1)
    a, b = (low - mu) / sigma, (high - mu) / sigma
    ref = scipy.stats.truncnorm.ppf(u[inner], a, b, loc=mu, scale=sigma)
    np.testing.assert_allclose(q[inner], ref, rtol=1e-7, err_msg=f"Normal({mu}, {sigma}, {low}, {high})")


def test_truncated_normal_is_symmetric_under_reflection() -> None:
    # Reflecting the window about the mean reflects the quantile function.
    u = np.linspace(0.0, 1.0, 21)
    for low, high in [(0.3, 2.0), (4.0, 6.0), (9.0, 10.0)]:
        upper = quantile(Normal(0.0, 1.0, low, high), u)
        lower = quantile(Normal(0.0, 1.0, -high, -low), 1.0 - u)
        np.testing.assert_allclose(upper, -lower, rtol=1e-7, err_msg=f"window [{low}, {high}]")


def test_shape_is_kept() -> None:
    u = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    for dist in (Fixed(1.0), Uniform(0, 1), Normal(0, 1, -1, 1), LogNormal(1, 0.5), Triangular(0, 1, 2)):
        assert quantile(dist, u).shape == (2, 3)
        assert quantile(dist, 0.5).shape == ()
        assert quantile(dist, []).shape == (0,)


# ------------------------------------------------------------- monotone in u

finite = st.floats(-1e6, 1e6, allow_nan=False)


@st.composite
def distributions(draw: st.DrawFn) -> Fixed | Uniform | Normal | LogNormal | Triangular:
    kind = draw(st.sampled_from(["fixed", "uniform", "normal", "lognormal", "triangular"]))
    if kind == "fixed":
        return Fixed(draw(finite))
    if kind == "uniform":
        a, b = sorted((draw(finite), draw(finite)))
        return Uniform(a, b)
    if kind == "normal":
        mu = draw(finite)
        sigma = draw(st.floats(1e-3, 1e4))
        low = draw(st.one_of(st.just(-math.inf), st.floats(-5, 5).map(lambda z: mu + z * sigma)))
        high = draw(
            st.one_of(
                st.just(math.inf), st.floats(0.01, 5).map(lambda z: (low if math.isfinite(low) else mu) + z * sigma)
            )
        )
        return Normal(mu, sigma, low, high)
    if kind == "lognormal":
        return LogNormal(draw(st.floats(1e-3, 1e9)), draw(st.floats(0.0, 3.0)))
    a, b = sorted((draw(finite), draw(finite)))
    if a == b:
        b = a + 1.0
    mode = draw(st.floats(0.0, 1.0)) * (b - a) + a
    return Triangular(a, min(max(mode, a), b), b)


@given(dist=distributions(), us=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=30))
def test_quantile_is_monotone_in_u(dist: Fixed | Uniform | Normal | LogNormal | Triangular, us: list[float]) -> None:
    u = np.sort(np.array(us))
    q = quantile(dist, u)
    assert np.all(np.isfinite(q))
    assert np.all(np.diff(q) >= 0), (dist, u, q)


@given(dist=distributions(), u=st.floats(0.0, 1.0))
def test_quantile_stays_in_the_support(dist: Fixed | Uniform | Normal | LogNormal | Triangular, u: float) -> None:
    x = float(quantile(dist, u))
    if isinstance(dist, (Uniform, Triangular, Normal)):
        assert dist.low <= x <= dist.high
    elif isinstance(dist, LogNormal):
        assert x > 0
    else:
        assert x == dist.value


@given(dist=distributions(), u=st.one_of(st.sampled_from([0.0, 1.0 - 2**-53, 0.5, 1e-300]), st.floats(0.0, 1.0)))
def test_every_draw_lies_in_the_interval_the_validators_check(
    dist: Fixed | Uniform | Normal | LogNormal | Triangular, u: float
) -> None:
    # The scenario's validators bound each uncertain field by the interval its distribution can draw
    # (model._distributions.support); the sampler must never draw outside it (issue 12: a log-normal budget
    # with a large sigma drew infinity and wrote NaN into the outputs).
    from smartkampung.model._distributions import support

    lowest, highest = support(dist)
    x = float(quantile(dist, u))
    # Within a few units in the last place: the triangular inverse CDF at u = 0 with the mode at the
    # low end computes high - sqrt((high - low)**2), which can round one ulp below low
    # (Triangular(-764521.9999999999, -764521.9999999999, 284055.0) draws -764522.0).
    slack = 4 * max(math.ulp(lowest), math.ulp(highest))
    assert lowest - slack <= x <= highest + slack, (dist, u, x, lowest, highest)


# --------------------------------------------------------------------- errors


@pytest.mark.parametrize("u", [-0.1, 1.1, math.nan, math.inf, [0.5, 2.0], [[0.1], [-1e-9]]])
def test_u_outside_unit_interval_is_rejected(u: object) -> None:
    with pytest.raises(ParameterError) as info:
        quantile(Uniform(0.0, 1.0), u)  # type: ignore[arg-type]
    assert info.value.parameter == "u"
    assert "quantile" in str(info.value)


def test_non_numeric_u_is_rejected() -> None:
    with pytest.raises(ParameterError) as info:
        quantile(Uniform(0.0, 1.0), "half")
    assert info.value.parameter == "u"


def test_unknown_distribution_is_rejected() -> None:
    with pytest.raises(ParameterError) as info:
        quantile(object(), 0.5)  # type: ignore[arg-type]
    assert info.value.parameter == "distribution"
