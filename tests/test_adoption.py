"""Tests for smartkampung.sim.adoption: closed forms, the simulation core, neighbours."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.integrate import solve_ivp

from smartkampung._errors import ParameterError
from smartkampung.sim import _binomial
from smartkampung.sim.adoption import (
    BASS_AVERAGE_PER_YEAR,
    bass_cdf,
    bass_pdf,
    iter_adoption,
    linear_adoption,
    simulate_adoption,
)
from smartkampung.sim.geometry import DEFAULT_NEIGHBOURS, nearest_neighbours

# ------------------------------------------------------------------ closed forms


@pytest.mark.parametrize(("p", "q"), [(0.03, 0.38), (0.01, 0.0), (0.2, 0.1), (0.001, 1.5), (0.03 / 12, 0.38 / 12)])
def test_bass_cdf_matches_ode_solution(p: float, q: float) -> None:
    # Independent method: integrate dF/dt = (p + qF)(1 - F), F(0) = 0, numerically.
    t_end = 25.0 / (p + q)
    t = np.linspace(0.0, t_end, 60)
    sol = solve_ivp(
        lambda _t, f: (p + q * f) * (1 - f), (0.0, t_end), [0.0], t_eval=t, method="DOP853", rtol=1e-12, atol=1e-14
    )
    assert sol.success
    np.testing.assert_allclose(bass_cdf(t, p, q), sol.y[0], rtol=1e-9, atol=1e-12)


def test_bass_cdf_special_values() -> None:
    p, q = 0.03, 0.38
    assert bass_cdf(0.0, p, q) == 0.0
    assert bass_cdf(-5.0, p, q) == 0.0
    assert bass_cdf(np.inf, p, q) == 1.0
    assert bass_cdf(np.inf, p, q, m=250.0) == 250.0
    # Peak of the adoption rate: t* = ln(q/p)/(p+q), where F = (q - p) / (2q).
    t_star = math.log(q / p) / (p + q)
    assert bass_cdf(t_star, p, q) == pytest.approx((q - p) / (2 * q), rel=1e-13)
    # q = 0: exponential adoption.
    t = np.array([0.5, 3.0, 40.0])
    np.testing.assert_allclose(bass_cdf(t, 0.1, 0.0), 1 - np.exp(-0.1 * t), rtol=1e-14)
    # p = 0: nobody ever starts.
    np.testing.assert_array_equal(bass_cdf(t, 0.0, 0.5), 0.0)
    np.testing.assert_array_equal(bass_cdf(t, 0.0, 0.0), 0.0)
    # A tiny p does not overflow q / p into NaN.
    tiny = bass_cdf(np.array([0.0, 1.0, 1e3, np.inf]), 1e-320, 0.5)
    assert np.all(np.isfinite(tiny))
    assert tiny[-1] == 1.0
    # Market scaling and broadcasting.
    grid = bass_cdf(np.array([[1.0], [2.0]]), np.array([0.01, 0.02, 0.03]), 0.3, m=10.0)
    assert grid.shape == (2, 3)
    assert grid[1, 2] == pytest.approx(10.0 * float(bass_cdf(2.0, 0.03, 0.3)), rel=1e-15)


def test_bass_average_constants() -> None:
    assert BASS_AVERAGE_PER_YEAR["p"] == 0.03
    assert BASS_AVERAGE_PER_YEAR["q"] == 0.38
    with pytest.raises(TypeError):
        BASS_AVERAGE_PER_YEAR["p"] = 1.0  # type: ignore[index]
    assert DEFAULT_NEIGHBOURS == 6
    # Per-year coefficients with t in years equal per-month ones with t in months.
    assert bass_cdf(3.0, 0.03, 0.38) == pytest.approx(float(bass_cdf(36.0, 0.03 / 12, 0.38 / 12)), rel=1e-13)


def test_bass_pdf_is_derivative_of_cdf() -> None:
    p, q = 0.03, 0.38
    t = np.linspace(0.1, 20.0, 50)
    h = 1e-5
    numeric = (bass_cdf(t + h, p, q) - bass_cdf(t - h, p, q)) / (2 * h)
    np.testing.assert_allclose(bass_pdf(t, p, q), numeric, rtol=1e-7)
    assert bass_pdf(0.0, p, q, m=100.0) == pytest.approx(100.0 * p)
    assert bass_pdf(-1.0, p, q) == 0.0
    t_star = math.log(q / p) / (p + q)
    assert bass_pdf(t_star, p, q) == pytest.approx((p + q) ** 2 / (4 * q), rel=1e-12)
    assert bass_pdf(5.0, 0.0, q) == 0.0


def test_linear_adoption_values() -> None:
    t = np.array([-1.0, 0.0, 25.0, 50.0, 100.0, 150.0, np.inf])
    np.testing.assert_array_equal(linear_adoption(t, 0.01, m=200.0), [0.0, 0.0, 50.0, 100.0, 200.0, 200.0, 200.0])
    np.testing.assert_array_equal(linear_adoption(np.array([3.0, np.inf]), 0.0), [0.0, 0.0])


@pytest.mark.parametrize(
    ("func", "kwargs", "name"),
    [
        (bass_cdf, {"t": 1.0, "p": -0.1, "q": 0.3}, "p"),
        (bass_cdf, {"t": 1.0, "p": 0.1, "q": -0.3}, "q"),
        (bass_cdf, {"t": 1.0, "p": np.nan, "q": 0.3}, "p"),
        (bass_cdf, {"t": 1.0, "p": 0.1, "q": 0.3, "m": -1.0}, "m"),
        (bass_cdf, {"t": np.nan, "p": 0.1, "q": 0.3}, "t"),
        (bass_cdf, {"t": "soon", "p": 0.1, "q": 0.3}, "t"),
        (bass_cdf, {"t": [1.0, 2.0], "p": [0.1, 0.2, 0.3], "q": 0.3}, "t"),
        (bass_pdf, {"t": 1.0, "p": 0.1, "q": np.inf}, "q"),
        (bass_pdf, {"t": [1.0, 2.0], "p": [0.1, 0.2, 0.3], "q": 0.3}, "t"),
        (linear_adoption, {"t": 1.0, "rate": -0.1}, "rate"),
        (linear_adoption, {"t": 1.0, "rate": 0.1, "m": np.nan}, "m"),
        (linear_adoption, {"t": [1.0, 2.0], "rate": [0.1, 0.2, 0.3]}, "t"),
    ],
)
def test_closed_form_errors(func: Any, kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(ParameterError) as info:
        func(**kwargs)
    assert info.value.parameter == name


# ------------------------------------------------------------------- neighbours


def _haversine_neighbours(lat: np.ndarray, lon: np.ndarray, k: int) -> list[set[int]]:
    la, lo = np.radians(lat), np.radians(lon)
    dlat = la[:, None] - la[None, :]
    dlon = lo[:, None] - lo[None, :]
    hav = np.sin(dlat / 2) ** 2 + np.cos(la)[:, None] * np.cos(la)[None, :] * np.sin(dlon / 2) ** 2
    np.fill_diagonal(hav, np.inf)
    return [set(np.argsort(row, kind="stable")[:k].tolist()) for row in hav]


def test_nearest_neighbours_match_brute_force() -> None:
    rng = np.random.default_rng(3)
    lat = rng.uniform(-60, 60, 150)
    lon = rng.uniform(-180, 180, 150)
    idx = nearest_neighbours(lat, lon)
    assert idx.shape == (150, 6)
    assert not np.any(idx == np.arange(150)[:, None])
    assert [set(r.tolist()) for r in idx] == _haversine_neighbours(lat, lon, 6)


def test_nearest_neighbours_edge_cases() -> None:
    # Across the antimeridian: the nearest of a point at 179.9 E is at 179.9 W.
    idx = nearest_neighbours([0.0, 0.0, 0.0], [179.9, -179.9, 170.0], k=1)
    np.testing.assert_array_equal(idx[:, 0], [1, 0, 0])
    # k is capped at n - 1; one village has no neighbours.
    assert nearest_neighbours([1.0, 2.0, 3.0], [4.0, 5.0, 6.0], k=10).shape == (3, 2)
    assert nearest_neighbours([1.0], [2.0]).shape == (1, 0)
    # Coincident points: self is still excluded.
    dup = nearest_neighbours([5.0, 5.0, 5.0, 6.0], [100.0, 100.0, 100.0, 100.0], k=2)
    assert not np.any(dup == np.arange(4)[:, None])
    assert set(dup[0].tolist()) == {1, 2}


@pytest.mark.parametrize(
    ("lat", "lon", "k", "name"),
    [
        ([91.0, 0.0], [0.0, 0.0], 6, "lat_deg"),
        ([[1.0, 2.0]], [[1.0, 2.0]], 6, "lat_deg"),
        ([1.0, 2.0], [1.0], 6, "lon_deg"),
        ([1.0, 2.0], [1.0, np.nan], 6, "lon_deg"),
        ([1.0, 2.0], [1.0, 2.0], 0, "k"),
        ([1.0, 2.0], [1.0, 2.0], 2.5, "k"),
    ],
)
def test_nearest_neighbours_errors(lat: Any, lon: Any, k: Any, name: str) -> None:
    with pytest.raises(ParameterError) as info:
        nearest_neighbours(lat, lon, k=k)
    assert info.value.parameter == name


# ----------------------------------------------------------- deterministic core


def test_deterministic_converges_to_bass() -> None:
    p, q = 0.03, 0.38  # per year; dt and the horizon in years
    horizon = 12.0
    errors = []
    for dt in (0.1, 0.01):
        steps = round(horizon / dt)
        out = simulate_adoption([1000.0], [0], None, p=p, q=q, steps=steps, dt=dt, stochastic=False)
        t = dt * np.arange(1, steps + 1)
        errors.append(np.max(np.abs(out[0, :, 0] / 1000.0 - bass_cdf(t, p, q))))
    assert errors[1] < 2e-3
    # First-order scheme: ten times smaller steps, about ten times smaller error.
    assert 5.0 < errors[0] / errors[1] < 15.0


def _hand_two_steps(
    market: list[float], start: list[int], nbr: list[list[int]], p: list[float], q: float, w: float, dt: float
) -> list[list[float]]:
    """The equations of DESIGN.md with Python floats, village by village."""
    n = len(market)
    adopters = [0.0] * n
    history = []
    for t in range(2):
        frac = [adopters[i] / market[i] if market[i] > 0 else 0.0 for i in range(n)]
        new = []
        for i in range(n):
            if t < start[i]:
                new.append(adopters[i])
                continue
            spill = sum(frac[j] for j in nbr[i]) / len(nbr[i])
            hazard = p[i] + q * ((1 - w) * frac[i] + w * spill)
            new.append(adopters[i] + (market[i] - adopters[i]) * (1 - math.exp(-hazard * dt)))
        adopters = new
        history.append(list(adopters))
    return history


def test_deterministic_two_steps_by_hand() -> None:
    market = [100.0, 200.0, 50.0]
    start = [0, 0, 1]
    nbr = [[1, 2], [0, 2], [0, 1]]
    p = [0.1, 0.2, 0.05]
    q, w, dt = 0.5, 0.4, 1.5
    # Step 0: villages 0 and 1 start with a = 0, so h = p:
    #   A0 = 100 (1 - e^{-0.15}) = 13.9292..., A1 = 200 (1 - e^{-0.3}) = 51.8364...
    expected = _hand_two_steps(market, start, nbr, p, q, w, dt)
    assert expected[0][0] == pytest.approx(100 * (1 - math.exp(-0.15)), rel=1e-15)
    assert expected[0][1] == pytest.approx(200 * (1 - math.exp(-0.3)), rel=1e-15)
    assert expected[0][2] == 0.0
    out = simulate_adoption(market, start, nbr, p=p, q=q, w=w, steps=2, dt=dt, stochastic=False, runs=2)
    assert out.dtype == np.float64
    assert out.shape == (2, 2, 3)
    np.testing.assert_allclose(out[0], expected, rtol=1e-13)
    np.testing.assert_array_equal(out[0], out[1])
    # The same weights as a sparse matrix give the same numbers.
    wmat = sp.csr_array(np.array([[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]))
    out_sp = simulate_adoption(market, start, wmat, p=p, q=q, w=w, steps=2, dt=dt, stochastic=False)
    np.testing.assert_allclose(out_sp[0], expected, rtol=1e-13)


def test_deterministic_unequal_sparse_weights_by_hand() -> None:
    # Village 1 listens to 0 with weight 0.75 and to 2 with 0.25; 0 and 2 are isolated.
    wmat = sp.csr_array(np.array([[0.0, 0.0, 0.0], [0.75, 0.0, 0.25], [0.0, 0.0, 0.0]]))
    market, p, q, w = [10.0, 20.0, 40.0], 0.2, 0.6, 0.5
    out = simulate_adoption(market, [0, 1, 0], wmat, p=p, q=q, w=w, steps=2, stochastic=False)
    a0 = 1 - math.exp(-0.2)  # villages 0 and 2 after step 0 (fractions)
    h1 = 0.2 + 0.6 * (0.5 * 0.0 + 0.5 * (0.75 * a0 + 0.25 * a0))
    h0 = 0.2 + 0.6 * (0.5 * a0)  # isolated: the neighbour term is 0
    expected = [
        [10 * a0, 0.0, 40 * a0],
        [
            10 * (a0 + (1 - a0) * (1 - math.exp(-h0))),
            20 * (1 - math.exp(-h1)),
            40 * (a0 + (1 - a0) * (1 - math.exp(-h0))),
        ],
    ]
    np.testing.assert_allclose(out[0], expected, rtol=1e-13)


def test_per_village_coefficients_match_separate_runs() -> None:
    # Without a neighbour term villages are independent: per-village p and q
    # must give what each village gives alone with scalar coefficients.
    market, start = [120.0, 300.0, 75.0], [0, 2, 1]
    p, q = [0.01, 0.03, 0.002], [0.2, 0.05, 0.4]
    together = simulate_adoption(market, start, None, p=p, q=q, steps=10, dt=0.5, stochastic=False)[0]
    for i in range(3):
        alone = simulate_adoption([market[i]], [start[i]], None, p=p[i], q=q[i], steps=10, dt=0.5, stochastic=False)[
            0, :, 0
        ]
        np.testing.assert_allclose(together[:, i], alone, rtol=1e-14)


def test_zero_market_and_late_start() -> None:
    out = simulate_adoption([0, 100, 100], [0, 0, 5], [[1], [0], [1]], p=0.5, q=1.0, w=0.5, steps=5, runs=2, rng=1)
    assert np.all(out[:, :, 0] == 0)
    assert np.all(out[:, :, 2] == 0)  # starts at step 5 = the horizon
    assert out[:, -1, 1].min() > 0
    det = simulate_adoption([0.0, 10.5], [-3, 0], None, p=0.2, q=0.1, steps=3, stochastic=False)
    assert np.all(det[..., 0] == 0)
    assert det[0, 0, 1] == pytest.approx(10.5 * (1 - math.exp(-0.2)))


def test_no_innovation_no_adoption() -> None:
    out = simulate_adoption([500, 800], [0, 0], None, p=0.0, q=0.9, steps=24, runs=3, rng=2)
    assert not out.any()


# -------------------------------------------------------------- stochastic core


def test_single_step_is_exact_binomial() -> None:
    # From A = 0, one step draws Binomial(M, 1 - exp(-p dt)) in every village.
    n, market, p, dt = 20_000, 60, 0.04, 2.0
    out = simulate_adoption(np.full(n, market), np.zeros(n, dtype=int), None, p=p, q=0.5, steps=1, dt=dt, rng=11)
    prob = 1 - math.exp(-p * dt)
    values, counts = np.unique(out[0, 0], return_counts=True)
    expected = stats.binom.pmf(values, market, prob) * n
    keep = expected >= 5
    chi2 = float(np.sum((counts[keep] - expected[keep]) ** 2 / expected[keep]))
    assert stats.chi2.sf(chi2, int(keep.sum()) - 1) > 1e-4


@pytest.mark.parametrize(
    ("trials", "prob"), [(1000, 0.004), (25, 0.5), (3, 0.2), (2000, 0.0149), (2000, 0.02), (50, 0.9), (10**9, 1e-8)]
)
def test_binomial_sampler_is_exact(trials: int, prob: float) -> None:
    # Both paths of the sampler (inversion below mean 30, numpy above or
    # for p > 0.5), two runs at once, against the binomial pmf.
    gens = [np.random.default_rng(5), np.random.default_rng(6)]
    size = 40_000
    draws = _binomial.binomial(gens, np.full((2, size), trials, dtype=np.int64), np.full((2, size), prob)).ravel()
    values, counts = np.unique(draws, return_counts=True)
    expected = stats.binom.pmf(values, trials, prob) * draws.size
    keep = expected >= 5
    chi2 = float(np.sum((counts[keep] - expected[keep]) ** 2 / expected[keep]))
    assert stats.chi2.sf(chi2, int(keep.sum()) - 1) > 1e-4
    assert draws.min() >= 0
    assert draws.max() <= trials


def test_binomial_sampler_degenerate_and_mixed() -> None:
    gens = [np.random.default_rng(1)]
    n = np.array([[0, 5, 7, 100, 3000, 1]])
    p = np.array([[0.3, 0.0, 1.0, 0.5, 0.02, 0.999]])
    draws = _binomial.binomial(gens, n, p)
    assert draws[0, 0] == 0
    assert draws[0, 1] == 0
    assert draws[0, 2] == 7
    assert np.all((draws >= 0) & (draws <= n))


def test_inversion_redraws_stuck_elements(monkeypatch: pytest.MonkeyPatch) -> None:
    # With a negative cap every element past k = 0 counts as stuck and must be
    # handed back for a redraw, so the fallback path is exercised.
    monkeypatch.setattr(_binomial, "_CAP_SD", -1e6)
    u01 = np.array([0.0, 0.999, 0.5])
    n = np.array([10, 10, 10], dtype=np.int64)
    p = np.array([0.1, 0.1, 0.1])
    draws, stuck = _binomial.binomial_inversion(u01, n, p, n * p)
    f0 = 0.9**10  # = 0.3487
    assert draws[0] == 0  # u = 0 <= f(0)
    np.testing.assert_array_equal(stuck, [1, 2])  # both above f(0)
    assert f0 < 0.5
    # Through _binomial: stuck elements are redrawn by numpy, deterministically.
    big_n = np.full((1, 200), 10, dtype=np.int64)
    big_p = np.full((1, 200), 0.1)
    out = _binomial.binomial([np.random.default_rng(0)], big_n, big_p)
    again = _binomial.binomial([np.random.default_rng(0)], big_n, big_p)
    np.testing.assert_array_equal(out, again)
    assert np.all((out >= 0) & (out <= 10))
    assert np.count_nonzero(out) > 50  # most were redrawn (p(0) = 0.35 only)


def test_stochastic_mean_tracks_deterministic() -> None:
    # Markets of 10^6 households: the stochastic fraction's spread is ~5e-4 and
    # its mean differs from the deterministic path only through the curvature
    # of the update in A (Jensen); that bias is O(1/M). Bound it by 60/M: per
    # step the curvature term is at most q dt Var(a) <= q dt / (4M), and the
    # Lipschitz growth of errors over 36 steps is at most exp((p + q) 36 dt).
    rng = np.random.default_rng(8)
    n, runs, steps, m = 60, 24, 36, 1_000_000
    market = np.full(n, m)
    start = rng.integers(0, 6, n)
    nbr = rng.integers(0, n, (n, 3))
    kw: dict[str, Any] = {"p": 0.01, "q": 0.08, "w": 0.3, "steps": steps}
    sto = simulate_adoption(market, start, nbr, runs=runs, rng=9, **kw) / m
    det = simulate_adoption(market, start, nbr, stochastic=False, **kw)[0] / m
    mean = sto.mean(axis=0)
    se = sto.std(axis=0, ddof=1) / math.sqrt(runs)
    bias_bound = 60.0 / m
    assert np.all(np.abs(mean - det) <= 5 * se + bias_bound)
    # And a sharper check on the total over villages.
    tot = sto.mean(axis=2)
    tot_se = tot.std(axis=0, ddof=1) / math.sqrt(runs)
    assert np.all(np.abs(tot.mean(axis=0) - det.mean(axis=1)) <= 5 * tot_se + bias_bound)


def test_dtype_and_shape() -> None:
    out = simulate_adoption([10, 20], [0, 1], None, p=0.1, q=0.2, steps=4, runs=3, rng=0)
    assert out.shape == (3, 4, 2)
    assert out.dtype == np.int32
    big = simulate_adoption([3_000_000_000], [0], None, p=0.01, q=0.0, steps=2, rng=0)
    assert big.dtype == np.int64
    assert 0 < big[0, -1, 0] < 3_000_000_000
    # Whole-number floats are accepted as markets in stochastic mode.
    same = simulate_adoption([10.0, 20.0], [0, 1], None, p=0.1, q=0.2, steps=4, runs=3, rng=0)
    np.testing.assert_array_equal(out, same)
    empty = simulate_adoption(
        np.zeros(0, dtype=int), np.zeros(0, dtype=int), None, p=0.1, q=0.2, steps=3, runs=2, rng=0
    )
    assert empty.shape == (2, 3, 0)


# ------------------------------------------------------ property-based invariants


@st.composite
def problems(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(1, 7))
    steps = draw(st.integers(1, 9))
    market = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    start = draw(st.lists(st.integers(-2, steps + 2), min_size=n, max_size=n))
    k = draw(st.integers(0, 3))
    nbr = draw(st.lists(st.lists(st.integers(0, n - 1), min_size=k, max_size=k), min_size=n, max_size=n))
    return {
        "market": np.array(market),
        "start_step": np.array(start),
        "neighbours": np.array(nbr, dtype=np.int64).reshape(n, k),
        "p": draw(st.floats(0.0, 1.0)),
        "q": draw(st.floats(0.0, 2.0)),
        "w": draw(st.floats(0.0, 1.0)),
        "steps": steps,
        "dt": draw(st.floats(0.1, 3.0)),
    }


def _check_invariants(out: np.ndarray, prob: dict[str, Any]) -> None:
    market = prob["market"]
    assert np.all(np.diff(out, axis=1) >= 0)  # never falls
    assert np.all(out >= 0)
    assert np.all(out <= market * (1 + 1e-12))  # never exceeds the market
    t = np.arange(prob["steps"])[:, None]
    before = t < prob["start_step"][None, :]
    assert np.all(out[:, before] == 0)  # nothing before the start step


@settings(max_examples=60, deadline=None)
@given(prob=problems(), seed=st.integers(0, 2**32 - 1), runs=st.integers(1, 4))
def test_stochastic_invariants_and_reproducibility(prob: dict[str, Any], seed: int, runs: int) -> None:
    out = simulate_adoption(**prob, runs=runs, rng=seed)
    _check_invariants(out, prob)
    assert out.dtype == np.int32
    # Same seed: identical.
    np.testing.assert_array_equal(out, simulate_adoption(**prob, runs=runs, rng=seed))
    # Run splitting: each run alone with its spawned child gives the same numbers,
    children = np.random.default_rng(seed).spawn(runs)
    singles = [simulate_adoption(**prob, runs=1, rng=[c]) for c in children]
    np.testing.assert_array_equal(out, np.concatenate(singles))
    # and fewer runs from the same seed are a prefix.
    np.testing.assert_array_equal(out[:1], simulate_adoption(**prob, runs=1, rng=seed))
    # The step-by-step form gives the same numbers.
    frames = list(iter_adoption(**prob, runs=runs, rng=seed))
    np.testing.assert_array_equal(out, np.stack(frames, axis=1))


@settings(max_examples=40, deadline=None)
@given(prob=problems())
def test_deterministic_invariants(prob: dict[str, Any]) -> None:
    prob["market"] = prob["market"] * 1.5
    out = simulate_adoption(**prob, runs=2, stochastic=False)
    _check_invariants(out, prob)
    np.testing.assert_array_equal(out[0], out[1])
    frames = list(iter_adoption(**prob, runs=2, stochastic=False))
    np.testing.assert_array_equal(out, np.stack(frames, axis=1))


def test_run_splitting_into_groups() -> None:
    rng = np.random.default_rng(4)
    n = 300
    market = rng.integers(100, 2000, n)
    start = rng.integers(-1, 10, n)
    nbr = rng.integers(0, n, (n, 6))
    kw: dict[str, Any] = {"p": 0.01, "q": 0.1, "w": 0.3, "steps": 15}
    whole = simulate_adoption(market, start, nbr, runs=5, rng=123, **kw)
    children = np.random.default_rng(123).spawn(5)
    parts = [
        simulate_adoption(market, start, nbr, runs=2, rng=children[:2], **kw),
        simulate_adoption(market, start, nbr, runs=3, rng=tuple(children[2:]), **kw),
    ]
    np.testing.assert_array_equal(whole, np.concatenate(parts))
    # SeedSequences work as per-run streams too.
    seqs = np.random.SeedSequence(123).spawn(5)
    np.testing.assert_array_equal(whole, simulate_adoption(market, start, nbr, runs=5, rng=seqs, **kw))


def test_generator_is_advanced_and_seed_is_not() -> None:
    kw: dict[str, Any] = {"p": 0.05, "q": 0.3, "steps": 6, "runs": 2}
    gen = np.random.default_rng(1)
    first = simulate_adoption([500, 600], [0, 0], None, rng=gen, **kw)
    second = simulate_adoption([500, 600], [0, 0], None, rng=gen, **kw)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(
        simulate_adoption([500, 600], [0, 0], None, rng=7, **kw),
        simulate_adoption([500, 600], [0, 0], None, rng=7, **kw),
    )


# ---------------------------------------------------------------- error paths

_GOOD: dict[str, Any] = {
    "market": [100, 200, 300],
    "start_step": [0, 1, 2],
    "neighbours": [[1], [2], [0]],
    "p": 0.01,
    "q": 0.1,
    "w": 0.3,
    "steps": 4,
    "dt": 1.0,
    "runs": 2,
    "stochastic": True,
}
_ROWS_BAD = sp.csr_array(np.array([[0, 1.0, 0], [0.5, 0, 0], [0, 1.0, 0]]))
_NEG = sp.csr_array(np.array([[0, 1.5, -0.5], [1.0, 0, 0], [0, 1.0, 0]]))
_NAN = sp.csr_array(np.array([[0, np.nan, 0], [1.0, 0, 0], [0, 1.0, 0]]))


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"market": [[100, 200, 300]]}, "market"),
        ({"market": [100, np.nan, 300]}, "market"),
        ({"market": [100, -1, 300]}, "market"),
        ({"market": [100, 200.5, 300]}, "market"),
        ({"market": ["a", "b", "c"]}, "market"),
        ({"start_step": [0, 1]}, "start_step"),
        ({"start_step": [0, 1.5, 2]}, "start_step"),
        ({"p": -0.01}, "p"),
        ({"p": [0.1, 0.2]}, "p"),
        ({"p": np.nan}, "p"),
        ({"q": -0.1}, "q"),
        ({"q": [0.1, -0.2, 0.3]}, "q"),
        ({"w": -0.1}, "w"),
        ({"w": 1.5}, "w"),
        ({"w": np.nan}, "w"),
        ({"w": [0.1, 0.2, 0.3]}, "w"),
        ({"neighbours": None}, "neighbours"),
        ({"neighbours": [[1], [2], [3]]}, "neighbours"),
        ({"neighbours": [[1], [2], [-1]]}, "neighbours"),
        ({"neighbours": [1, 2, 0]}, "neighbours"),
        ({"neighbours": [[1], [2]]}, "neighbours"),
        ({"neighbours": [[1.5], [2], [0]]}, "neighbours"),
        ({"neighbours": sp.csr_array((4, 4))}, "neighbours"),
        ({"neighbours": _ROWS_BAD}, "neighbours"),
        ({"neighbours": _NEG}, "neighbours"),
        ({"neighbours": _NAN}, "neighbours"),
        ({"steps": 0}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"steps": True}, "steps"),
        ({"dt": 0.0}, "dt"),
        ({"dt": -1.0}, "dt"),
        ({"dt": np.inf}, "dt"),
        ({"runs": 0}, "runs"),
        ({"stochastic": "yes"}, "stochastic"),
        ({"rng": "seed"}, "rng"),
        ({"rng": [np.random.default_rng(1)]}, "rng"),
        ({"rng": [np.random.default_rng(1)] * 2}, "rng"),
    ],
)
def test_simulate_errors(change: dict[str, Any], name: str) -> None:
    kwargs = {**_GOOD, **change}
    market, start, neighbours = kwargs.pop("market"), kwargs.pop("start_step"), kwargs.pop("neighbours")
    with pytest.raises(ParameterError) as info:
        simulate_adoption(market, start, neighbours, **kwargs)
    assert info.value.parameter == name
    assert info.value.function == "simulate_adoption"
    # iter_adoption checks when called, not on the first next().
    with pytest.raises(ParameterError) as info2:
        iter_adoption(market, start, neighbours, **kwargs)
    assert info2.value.parameter == name


def test_deterministic_accepts_fractional_market_and_ignores_rng_streams() -> None:
    out = simulate_adoption(
        [100.5, 0.25], [0, 0], None, p=0.1, q=0.2, steps=2, stochastic=False, rng=[np.random.default_rng(1)]
    )
    assert out.shape == (1, 2, 2)
    with pytest.raises(ParameterError) as info:
        simulate_adoption([1.0], [0], None, p=0.1, q=0.2, steps=2, stochastic=False, rng="x")
    assert info.value.parameter == "rng"


def test_errors_raised_before_any_work() -> None:
    gen = np.random.default_rng(1)
    seed_seq = gen.bit_generator.seed_seq
    assert isinstance(seed_seq, np.random.SeedSequence)
    before = gen.bit_generator.state
    with pytest.raises(ParameterError):
        simulate_adoption([10, 20], [0, 0], None, p=0.1, q=0.2, w=0.5, steps=3, rng=gen)
    assert seed_seq.n_children_spawned == 0
    assert gen.bit_generator.state == before
