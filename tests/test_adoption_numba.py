"""The compiled (numba) adoption backend: exact sampler, same model, reproducible streams.

Skipped as a whole without numba (``pip install "smartkampung[fast]"``); the
error a user gets without numba is tested in ``test_adoption_batch.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

pytest.importorskip("numba")

from smartkampung._errors import ParameterError
from smartkampung.sim import _adoption_numba as nb
from smartkampung.sim import _numba_binomial as nbb
from smartkampung.sim._adoption_batch import adopt_batch, numba_available
from smartkampung.sim.adoption import simulate_adoption
from strategies import neighbour_graphs


def fresh(seed: int, runs: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(runs)]


def test_numba_available() -> None:
    assert numba_available()


# ------------------------------------------------------------- elementary functions


def test_exp_and_one_minus_exp_are_accurate() -> None:
    rng = np.random.default_rng(0)
    y = np.concatenate(
        [
            -rng.random(20_000) * 745.0,
            -rng.random(20_000),
            -rng.random(2_000) * 1e-12,
            [0.0, -0.0, -1e-300, -745.0, -745.2, -800.0, -1e9, -np.inf],
        ]
    )
    got = np.array([nbb._exp_neg(v) for v in y])
    want = np.exp(y)
    normal = want > np.finfo(float).tiny
    assert np.all(np.abs(got[normal] - want[normal]) <= 2 * np.spacing(want[normal]))
    np.testing.assert_allclose(got[~normal], want[~normal], rtol=0, atol=1e-320)
    x = np.concatenate(
        [
            rng.random(20_000) * 0.7,
            rng.random(5_000) * 1e-8,
            rng.random(5_000) * 40.0,
            [0.0, 1e-300, 0.35, np.nextafter(0.35, 0), 700.0, np.inf],
        ]
    )
    got = np.array([nbb._one_minus_exp_neg(v) for v in x])
    want = -np.expm1(-x)
    assert np.all(np.abs(got - want) <= 3 * np.spacing(want))
    x = np.concatenate([rng.random(20_000) * 0.1, rng.random(5_000) * 1e-8, [0.0, 1e-300, np.nextafter(0.1, 0)]])
    got = np.array([nbb._one_minus_exp_neg_short(v) for v in x])
    want = -np.expm1(-x)
    assert np.all(np.abs(got - want) <= 3 * np.spacing(want))


def test_log_factorial_matches_gammaln() -> None:
    k = np.concatenate([np.arange(0, 600), np.unique(np.geomspace(600, 2e9, 400).astype(np.int64))])
    got = np.array([nb.log_factorial(int(v)) for v in k])
    want = special.gammaln(k + 1.0)
    np.testing.assert_allclose(got, want, rtol=2e-15, atol=1e-15)


# ------------------------------------------------------------------- sampler


def chi_square_pvalue(draws: np.ndarray, n: int, p: float) -> float:
    """Chi-square goodness of fit of integer draws to Binomial(n, p), cells of expected count >= 20."""
    size = draws.size
    dist = stats.binom(n, p)
    lo, hi = int(dist.ppf(1e-9)), int(dist.isf(1e-9))
    support = np.arange(lo, hi + 1)
    expected = dist.pmf(support) * size
    expected[0] += dist.cdf(lo - 1) * size
    expected[-1] += dist.sf(hi) * size
    counts = np.bincount(np.clip(draws, lo, hi) - lo, minlength=support.size).astype(float)
    # Merge neighbouring cells from the left until each expects >= 20.
    obs_cells, exp_cells, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(counts, expected, strict=True):
        acc_o += o
        acc_e += e
        if acc_e >= 20:
            obs_cells.append(acc_o)
            exp_cells.append(acc_e)
            acc_o = acc_e = 0.0
    if acc_e > 0:
        if exp_cells:
            obs_cells[-1] += acc_o
            exp_cells[-1] += acc_e
        else:
            obs_cells.append(acc_o)
            exp_cells.append(acc_e)
    obs, exp = np.array(obs_cells), np.array(exp_cells)
    if obs.size < 2:
        return 1.0
    chi2 = float(((obs - exp) ** 2 / exp).sum())
    return float(stats.chi2.sf(chi2, obs.size - 1))


CASES = [
    # (n, p): inversion, the switch at mean 30, BTRS, the flipped side p > 1/2, extremes.
    (1, 0.3),
    (5, 0.5),
    (40, 0.02),
    (2000, 0.0005),
    (2000, 0.005),
    (3000, 0.0033),
    (100, 0.29),
    (1000, 0.0299),
    (1000, 0.03),
    (1000, 0.031),
    (60, 0.5),
    (3000, 0.02),
    (10_000, 0.25),
    (200, 0.9),
    (31, 0.97),
    (7, 0.999),
    (10**6, 1e-12),
    (10**6, 3e-5),
    (10**9, 0.3),
    (10**9, 1e-7),
    (2**31 - 1, 0.5),
    (50, 1e-300),
]


@pytest.mark.parametrize(("n", "p"), CASES)
def test_sampler_matches_the_binomial_pmf(n: int, p: float) -> None:
    size = 40_000
    draws = nb.sample_binomial(np.full(size, n), np.full(size, p), np.random.default_rng(n % 1000 + 17))
    assert draws.min() >= 0
    assert draws.max() <= n
    assert chi_square_pvalue(draws, n, p) > 1e-4
    mean, var = n * p, n * p * (1 - p)
    assert abs(draws.mean() - mean) <= 6 * math.sqrt(var / size) + 1e-12


def test_sampler_degenerate_cases() -> None:
    g = np.random.default_rng(0)
    n = np.array([0, 0, 0, 5, 5, 10**9, 3, 2**40])
    p = np.array([0.0, 0.5, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    np.testing.assert_array_equal(nb.sample_binomial(n, p, g), [0, 0, 0, 0, 5, 10**9, 0, 2**40])


def test_sampler_mixed_pieces_match_the_pmf_jointly() -> None:
    # Many different (n, p) in one call (lanes of one piece differ), checked by
    # the probability integral transform: F(X-1) < V <= F(X) with V uniform.
    rng = np.random.default_rng(3)
    size = 60_000
    n = rng.integers(0, 5000, size)
    p = np.where(rng.random(size) < 0.5, rng.random(size) * 0.02, rng.random(size))
    x = nb.sample_binomial(n, p, np.random.default_rng(4))
    lo = stats.binom.cdf(x - 1, n, p)
    hi = stats.binom.cdf(x, n, p)
    v = lo + rng.random(size) * (hi - lo)  # randomised PIT: exactly uniform under the null
    assert stats.kstest(v, "uniform").pvalue > 1e-4


def test_sampler_redraws_a_uniform_in_the_rounding_gap() -> None:
    # The largest uniform below 1 lies above the computed total probability for
    # many (n, p): the lane must be redrawn from the extra stream, not return n.
    size = 20_000
    n = np.full(size, 60, dtype=np.int64)
    x = np.full(size, -math.log1p(-0.1))
    u = np.full(size, np.nextafter(1.0, 0.0))
    out = np.empty(size, dtype=np.int64)
    extra = np.random.default_rng(5)
    nbb._sample_kernel(n, x, u, *nbb._stream_pointers(extra), out)
    assert out.max() < 30  # P(X >= 30) is about 1e-12 for Binomial(60, 0.1)
    assert chi_square_pvalue(out, 60, 0.1) > 1e-4
    # The scalar inversion, given half the true (1 - p)^n: its terms sum to
    # 1/2, so every uniform above 1/2 is in the gap and redrawn; the draws
    # must still follow the law exactly.
    g = np.random.default_rng(6)
    u0 = np.random.default_rng(7).random(4000)
    pointers = nbb._stream_pointers(g)
    draws = np.array([nbb._inversion(60, 0.1, 0.5 * 0.9**60, float(u), *pointers) for u in u0])
    assert chi_square_pvalue(draws, 60, 0.1) > 1e-4


def test_sampler_is_reproducible() -> None:
    n = np.arange(0, 4000, 3)
    p = np.linspace(0.0, 1.0, n.size)
    a = nb.sample_binomial(n, p, np.random.default_rng(9))
    b = nb.sample_binomial(n, p, np.random.default_rng(9))
    c = nb.sample_binomial(n, p, np.random.default_rng(10))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


# ------------------------------------------------------------------- the model


@st.composite
def problems(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(1, 9))
    runs = draw(st.integers(1, 3))
    steps = draw(st.integers(1, 12))
    market = np.array(draw(st.lists(st.integers(0, 5000), min_size=n, max_size=n)))
    start = np.array(
        draw(st.lists(st.lists(st.integers(-2, steps + 2), min_size=n, max_size=n), min_size=runs, max_size=runs))
    )
    kind, nbr = draw(neighbour_graphs(n))
    return {
        "market": market,
        "start": start,
        "nbr": nbr,
        "p": np.array(draw(st.lists(st.floats(0.0, 0.5), min_size=runs, max_size=runs))),
        "q": np.array(draw(st.lists(st.floats(0.0, 2.0), min_size=runs, max_size=runs))),
        "w": 0.0 if kind == "none" else draw(st.floats(0.0, 1.0)),
        "steps": steps,
        "dt": draw(st.floats(0.1, 3.0)),
    }


@settings(max_examples=40, deadline=None)
@given(pr=problems())
def test_deterministic_equals_the_numpy_backend(pr: dict[str, Any]) -> None:
    kw = {"p": pr["p"], "q": pr["q"], "w": pr["w"], "steps": pr["steps"], "dt": pr["dt"], "stochastic": False}
    fast = adopt_batch(pr["market"], pr["start"], pr["nbr"], backend="numba", **kw)
    ref = adopt_batch(pr["market"], pr["start"], pr["nbr"], backend="numpy", **kw)
    assert fast.dtype == np.float64
    assert fast.shape == ref.shape
    np.testing.assert_allclose(fast, ref, rtol=1e-12, atol=1e-12 * max(1, int(pr["market"].max())))


@settings(max_examples=40, deadline=None)
@given(pr=problems(), seed=st.integers(0, 2**32 - 1))
def test_stochastic_invariants(pr: dict[str, Any], seed: int) -> None:
    runs = pr["start"].shape[0]
    out = adopt_batch(
        pr["market"],
        pr["start"],
        pr["nbr"],
        p=pr["p"],
        q=pr["q"],
        w=pr["w"],
        steps=pr["steps"],
        dt=pr["dt"],
        generators=fresh(seed, runs),
        backend="numba",
    )
    assert out.dtype == np.int32
    assert np.all(np.diff(out, axis=1) >= 0)  # never falls
    assert np.all(out >= 0)
    assert np.all(out <= pr["market"])  # within the market
    t = np.arange(pr["steps"])[None, :, None]
    assert np.all(out[t < pr["start"][:, None, :]] == 0)  # nothing before the start step


def test_stochastic_mean_and_variance_agree_with_the_numpy_backend() -> None:
    # Per village and month, over 3,000 runs of each backend: three regimes
    # (small means by inversion, means >= 30 by BTRS / Generator.binomial, and
    # probabilities above 1/2 with a long step).
    rng = np.random.default_rng(0)
    runs = 3000
    for market, dt, steps in (
        (np.array([40, 300, 900, 2500, 0, 60]), 1.0, 30),
        (np.array([20_000, 50_000, 8_000, 120_000, 3_000, 70_000]), 1.0, 20),
        (np.array([30, 200, 1000, 45, 5000, 9]), 25.0, 6),
    ):
        n = market.size
        nbr = np.array([[(i + 1) % n, (i + 2) % n] for i in range(n)])
        start = np.tile(rng.integers(0, 4, n), (runs, 1))
        kw = {"p": 0.004, "q": 0.06, "w": 0.4, "steps": steps, "dt": dt}
        a = adopt_batch(market, start, nbr, generators=fresh(1, runs), backend="numba", **kw).astype(float)
        b = adopt_batch(market, start, nbr, generators=fresh(2, runs), backend="numpy", **kw).astype(float)
        ma, mb = a.mean(0), b.mean(0)
        va, vb = a.var(0, ddof=1), b.var(0, ddof=1)
        se_mean = np.sqrt((va + vb) / runs)
        live = se_mean > 0
        assert np.all(ma[~live] == mb[~live])
        z_mean = np.abs(ma - mb)[live] / se_mean[live]
        # The variance of a sample variance: (m4 - v^2) / runs.
        m4a = ((a - ma) ** 4).mean(0)
        m4b = ((b - mb) ** 4).mean(0)
        se_var = np.sqrt(np.maximum(m4a - va**2, 0) / runs + np.maximum(m4b - vb**2, 0) / runs)
        z_var = np.abs(va - vb)[live] / se_var[live]
        # About 100-180 correlated cells per regime: 5 standard errors is a
        # false alarm well below 1e-4 per cell.
        assert z_mean.max() < 5, z_mean.max()
        assert z_var.max() < 5, z_var.max()


def test_same_seed_same_result_and_batch_invariance() -> None:
    rng = np.random.default_rng(1)
    n, runs, steps = 40, 6, 30
    market = rng.integers(0, 4000, n)
    nbr = np.array([rng.choice(np.delete(np.arange(n), i), 5, replace=False) for i in range(n)])
    start = rng.integers(-1, 20, (runs, n))
    p = 0.003 * rng.uniform(0.5, 1.5, runs)
    q = 0.05 * rng.uniform(0.5, 1.5, (runs, n))
    kw = {"w": 0.3, "steps": steps, "backend": "numba"}
    seqs = np.random.SeedSequence(42).spawn(runs)
    whole = adopt_batch(market, start, nbr, p=p, q=q, generators=[np.random.default_rng(s) for s in seqs], **kw)
    again = adopt_batch(market, start, nbr, p=p, q=q, generators=[np.random.default_rng(s) for s in seqs], **kw)
    np.testing.assert_array_equal(whole, again)
    # Each run alone, and the runs in reverse order: the same numbers.
    for b in range(runs):
        alone = adopt_batch(
            market,
            start[b : b + 1],
            nbr,
            p=p[b : b + 1],
            q=q[b : b + 1],
            generators=[np.random.default_rng(seqs[b])],
            **kw,
        )
        np.testing.assert_array_equal(alone[0], whole[b])
    rev = slice(None, None, -1)
    backwards = adopt_batch(
        market, start[rev], nbr, p=p[rev], q=q[rev], generators=[np.random.default_rng(s) for s in seqs[::-1]], **kw
    )
    np.testing.assert_array_equal(backwards[rev], whole)
    other = adopt_batch(market, start, nbr, p=p, q=q, generators=fresh(43, runs), **kw)
    assert not np.array_equal(other, whole)
    threaded = adopt_batch(
        market, start, nbr, p=p, q=q, generators=[np.random.default_rng(s) for s in seqs], workers=3, **kw
    )
    np.testing.assert_array_equal(threaded, whole)


def test_result_depends_on_the_generator_state_only() -> None:
    # Generators made twice from one SeedSequence object give the same run (no
    # spawn counter is used); the generator is advanced by the run's draws, and
    # bit generators that cannot jump work too.
    seq = np.random.SeedSequence(5)
    args = ([100, 200, 4000], np.zeros((1, 3), dtype=np.int64), None)
    kw = {"p": 0.1, "q": 0.2, "steps": 5, "backend": "numba"}
    g = np.random.default_rng(seq)
    first = adopt_batch(*args, generators=[g], **kw)
    np.testing.assert_array_equal(first, adopt_batch(*args, generators=[np.random.default_rng(seq)], **kw))
    assert seq.n_children_spawned == 0
    assert not np.array_equal(first, adopt_batch(*args, generators=[g], **kw))
    sfc = [np.random.Generator(np.random.SFC64(3))]
    again = [np.random.Generator(np.random.SFC64(3))]
    np.testing.assert_array_equal(adopt_batch(*args, generators=sfc, **kw), adopt_batch(*args, generators=again, **kw))


def test_large_markets_use_int64_and_stay_exact() -> None:
    market = np.array([2**31 + 11, 3])
    out = adopt_batch(
        market, np.zeros((2, 2), dtype=np.int64), None, p=0.2, q=0.0, steps=4, generators=fresh(0, 2), backend="numba"
    )
    assert out.dtype == np.int64
    remaining = market[0] * math.exp(-0.2 * 4)
    assert abs(out[:, -1, 0].mean() - (market[0] - remaining)) < 6 * math.sqrt(market[0] * 0.3)


def test_close_to_simulate_adoption_on_a_real_sized_region() -> None:
    # 217 villages: the numba and numpy backends' mean final totals over 200 runs agree.
    rng = np.random.default_rng(2)
    n, runs = 217, 200
    market = rng.integers(200, 3000, n)
    nbr = np.array([rng.choice(np.delete(np.arange(n), i), 6, replace=False) for i in range(n)])
    start = np.tile(rng.integers(0, 40, n), (runs, 1))
    kw = {"p": 0.0025, "q": 0.0317, "w": 0.3, "steps": 60}
    fast = adopt_batch(market, start, nbr, generators=fresh(3, runs), backend="numba", **kw)[:, -1].sum(1)
    ref = simulate_adoption(market, start[0], nbr, runs=runs, rng=4, **kw)[:, -1].sum(1)
    se = math.sqrt(fast.var(ddof=1) / runs + ref.var(ddof=1) / runs)
    assert abs(fast.mean() - ref.mean()) < 5 * se


def test_numba_backend_checks_arguments_like_numpy() -> None:
    with pytest.raises(ParameterError) as info:
        adopt_batch(
            [1, 2],
            np.zeros((1, 2), dtype=np.int64),
            None,
            p=0.1,
            q=0.1,
            steps=3,
            generators=fresh(0, 2),
            backend="numba",
        )
    assert info.value.parameter == "generators"
    with pytest.raises(ParameterError) as info:
        adopt_batch(
            [1, 2],
            np.zeros((1, 2), dtype=np.int64),
            None,
            p=0.1,
            q=0.1,
            w=0.2,
            steps=3,
            generators=fresh(0, 1),
            backend="numba",
        )
    assert info.value.parameter == "neighbours"


@pytest.mark.parametrize("layout", ["equal", "table", "rows"])
def test_every_neighbour_layout_matches_the_numpy_backend(layout: str) -> None:
    # EQUAL: an index array; TABLE: sparse weights of similar row lengths;
    # ROWS: sparse weights with one very long row (a hub village).
    rng = np.random.default_rng(8)
    n = 60
    market = rng.integers(0, 3000, n)
    if layout == "equal":
        nbr: Any = np.array([rng.choice(n, 4) for _ in range(n)])
    else:
        dense = (rng.random((n, n)) < 0.08) * rng.random((n, n))
        if layout == "rows":
            dense[0] = rng.random(n)
        dense[5] = 0.0  # an isolated village
        rows = dense.sum(axis=1, keepdims=True)
        nbr = sp.csr_array(np.divide(dense, rows, out=np.zeros_like(dense), where=rows > 0))
    mode = nb.Neighbours(nbr, n).mode
    assert mode == {"equal": nb.EQUAL, "table": nb.TABLE, "rows": nb.ROWS}[layout]
    start = rng.integers(-2, 30, (3, n))
    kw = {"p": [0.002, 0.004, 0.01], "q": 0.08, "w": 0.6, "steps": 36, "stochastic": False}
    fast = adopt_batch(market, start, nbr, backend="numba", **kw)
    ref = adopt_batch(market, start, nbr, backend="numpy", **kw)
    np.testing.assert_allclose(fast, ref, rtol=1e-12, atol=1e-9)
    kw["stochastic"] = True
    draws = adopt_batch(market, start, nbr, generators=fresh(0, 3), backend="numba", **kw)
    assert np.all(np.diff(draws, axis=1) >= 0)
    assert np.all(draws <= market)
