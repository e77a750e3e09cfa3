"""Tests of smartkampung.sim.fitting: Bass fits by NLS, OLS and MLE.

Expected values are computed independently here: the Bass curve, the
objectives and the standard errors are written out again in this file and
solved with scipy / numpy directly, never through the module under test.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize, special

from smartkampung import ParameterError, SmartKampungError
from smartkampung.sim.fitting import BassFit, BassForecaster, BassPredictive, fit_bass

# --------------------------------------------------------------------------- independent reference code


def ref_cdf(t: np.ndarray, p: float, q: float) -> np.ndarray:
    """Bass (1969) F(t), written again (t < 0 gives 0)."""
    t = np.clip(t, 0.0, None)
    e = np.exp(-(p + q) * t)
    out: np.ndarray = (1.0 - e) / (1.0 + (q / p) * e)
    return out


def ref_per_period(t: np.ndarray, p: float, q: float, m: float) -> np.ndarray:
    out: np.ndarray = m * (ref_cdf(t, p, q) - ref_cdf(t - 1.0, p, q))
    return out


def ref_jacobian(fun: Callable[[np.ndarray], np.ndarray], theta: np.ndarray) -> np.ndarray:
    """Central-difference Jacobian of fun at theta (relative step 1e-6)."""
    cols = []
    for j in range(theta.size):
        h = 1e-6 * abs(theta[j])
        up, dn = theta.copy(), theta.copy()
        up[j] += h
        dn[j] -= h
        cols.append((fun(up) - fun(dn)) / (2 * h))
    return np.column_stack(cols)


def ref_hessian(fun: Callable[[np.ndarray], float], theta: np.ndarray) -> np.ndarray:
    """Second central differences of a scalar fun (relative step 1e-4)."""
    k = theta.size
    h = 1e-4 * np.abs(theta)
    out = np.empty((k, k))
    for i in range(k):
        for j in range(k):

            def f(di: float, dj: float, i: int = i, j: int = j) -> float:
                x = theta.copy()
                x[i] += di * h[i]
                x[j] += dj * h[j]
                return float(fun(x))

            out[i, j] = (f(1, 1) - f(1, -1) - f(-1, 1) + f(-1, -1)) / (4 * h[i] * h[j])
    return out


T20 = np.arange(1.0, 21.0)
TRUE = (0.012, 0.35, 8000.0)


def noisy_series(seed: int = 7, sigma: float = 15.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return ref_per_period(T20, *TRUE) + rng.normal(0.0, sigma, T20.size)


def counts_series(seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.poisson(ref_per_period(T20, *TRUE)).astype(float)


def assert_rel(actual: float, expected: float, rel: float) -> None:
    assert actual == pytest.approx(expected, rel=rel), (actual, expected)


# --------------------------------------------------------------------------- published example


def test_ols_reproduces_the_published_worked_example() -> None:
    # GitNote (aoyingxue), GRADUATE_STUDY/2.555A_DATA_ANALYSIS_FOR_BRAND_MANAGEMENT/Module_1_InClass.md:
    # adoptions (millions) in years 1-5 and the printed regression estimates and recursive forecasts.
    y = [0.517, 1.169, 1.604, 2.044, 2.286]
    fit = fit_bass(np.arange(1, 6), y, method="ols")
    assert round(fit.p, 7) == 0.0626032
    assert round(fit.q, 8) == 0.73766359
    assert round(fit.m, 7) == 10.5036768
    # The source's recursive forecasts for years 6-8 (Bass's difference equation with the fitted a, b, c).
    reg = fit.regression
    assert reg is not None
    cum = float(np.sum(y))
    printed = [1.723714402, 0.833785284, 0.253556965]
    for expected in printed:
        n_t = reg.a + reg.b * cum + reg.c * cum * cum
        assert round(n_t, 9) == expected
        cum += n_t


# --------------------------------------------------------------------------- NLS against an independent fit


@pytest.mark.parametrize("cumulative", [False, True])
def test_nls_matches_independent_least_squares(cumulative: bool) -> None:
    y = noisy_series()
    if cumulative:
        y = np.cumsum(y)

    def model(theta: np.ndarray) -> np.ndarray:
        p, q, m = theta
        return m * ref_cdf(T20, p, q) if cumulative else ref_per_period(T20, p, q, m)

    ref = optimize.least_squares(
        lambda th: model(th) - y,
        np.array(TRUE),
        x_scale=np.array(TRUE),
        ftol=1e-15,
        xtol=1e-15,
        gtol=1e-15,
        method="lm",
    )
    fit = fit_bass(T20, y, cumulative=cumulative)
    for got, want in zip(fit.params, ref.x, strict=True):
        assert_rel(got, want, 1e-6)
    resid = y - model(ref.x)
    s2 = resid @ resid / (T20.size - 3)
    jac = ref_jacobian(model, ref.x)
    se = np.sqrt(np.diag(s2 * np.linalg.inv(jac.T @ jac)))
    for got, want in zip((fit.p_se, fit.q_se, fit.m_se), se, strict=True):
        assert_rel(got, want, 1e-5)
    assert_rel(fit.sse, float(resid @ resid), 1e-9)
    assert_rel(fit.sigma, math.sqrt(s2), 1e-9)
    assert fit.dof == 17
    np.testing.assert_allclose(fit.fitted, model(ref.x), rtol=1e-6)
    np.testing.assert_allclose(fit.residuals, y - fit.fitted, rtol=0, atol=1e-9)


def test_nls_with_gaps_and_late_start_matches_independent_fit() -> None:
    keep = np.array([2, 3, 5, 6, 7, 9, 10, 12, 14, 15, 17, 19]) - 1
    t, y = T20[keep], noisy_series(seed=3)[keep]
    ref = optimize.least_squares(
        lambda th: ref_per_period(t, *th) - y,
        np.array(TRUE),
        x_scale=np.array(TRUE),
        ftol=1e-15,
        xtol=1e-15,
        gtol=1e-15,
        method="lm",
    )
    fit = fit_bass(t, y)
    for got, want in zip(fit.params, ref.x, strict=True):
        assert_rel(got, want, 1e-6)


# --------------------------------------------------------------------------- OLS against an independent regression


def test_ols_matches_independent_regression_and_delta_method() -> None:
    y = noisy_series(seed=5)
    cum_before = np.concatenate(([0.0], np.cumsum(y)[:-1]))
    x = np.column_stack((np.ones_like(y), cum_before, cum_before**2))
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    s2 = resid @ resid / (y.size - 3)
    cov_abc = s2 * np.linalg.inv(x.T @ x)

    def to_pqm(abc: np.ndarray) -> np.ndarray:
        a, b, c = abc
        roots = np.roots([c, b, a])
        m = float(np.max(roots.real))
        return np.array([a / m, a / m + b, m])

    want = to_pqm(coef)
    grad = ref_jacobian(to_pqm, coef)
    se = np.sqrt(np.diag(grad @ cov_abc @ grad.T))
    fit = fit_bass(T20, y, method="ols")
    for got, exp in zip(fit.params, want, strict=True):
        assert_rel(got, exp, 1e-6)
    for got, exp in zip((fit.p_se, fit.q_se, fit.m_se), se, strict=True):
        assert_rel(got, exp, 1e-5)
    assert fit.regression is not None
    np.testing.assert_allclose([fit.regression.a, fit.regression.b, fit.regression.c], coef, rtol=1e-8)
    assert_rel(fit.regression.sigma, math.sqrt(s2), 1e-8)
    # The same per-period counts given cumulatively give the same regression.
    cum = fit_bass(T20, np.cumsum(y), cumulative=True, method="ols")
    np.testing.assert_allclose(cum.params, fit.params, rtol=1e-9)


# --------------------------------------------------------------------------- MLE against an independent maximisation


def _ref_mle(x: np.ndarray, population: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Maximise the likelihood written out here with Nelder-Mead on log-parameters; SEs by numeric Hessian."""
    total = x.sum()

    def loglik(theta: np.ndarray) -> float:
        p, q, m = theta
        mu = ref_per_period(T20, p, q, m)
        if population is None:
            return float(np.sum(x * np.log(mu) - mu - special.gammaln(x + 1)))
        c = m / population
        probs = c * (ref_cdf(T20, p, q) - ref_cdf(T20 - 1, p, q))
        rest = population - total
        if c * ref_cdf(T20[-1:], p, q)[0] >= 1:  # outside the parameter space
            return -np.inf
        return float(
            special.gammaln(population + 1)
            - np.sum(special.gammaln(x + 1))
            - special.gammaln(rest + 1)
            + np.sum(x * np.log(probs))
            + rest * np.log(1 - c * ref_cdf(T20[-1:], p, q)[0])
        )

    def neg(u: np.ndarray) -> float:
        return -loglik(np.exp(u))

    u = np.log(np.array(TRUE))
    for _ in range(2):
        u = optimize.minimize(
            neg, u, method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-13, "maxiter": 40000, "maxfev": 40000}
        ).x
    theta = np.exp(u)
    cov = np.linalg.inv(-ref_hessian(loglik, theta))
    return theta, np.sqrt(np.diag(cov))


@pytest.mark.parametrize("population", [None, 12000.0])
def test_mle_matches_independent_maximum_likelihood(population: float | None) -> None:
    x = counts_series()
    want, se = _ref_mle(x, population)
    fit = fit_bass(T20, x, method="mle", population=population)
    for got, exp in zip(fit.params, want, strict=True):
        assert_rel(got, exp, 1e-6)
    for got, exp in zip((fit.p_se, fit.q_se, fit.m_se), se, strict=True):
        assert_rel(got, exp, 1e-3)
    assert fit.log_likelihood is not None
    assert fit.population == population


# --------------------------------------------------------------------------- properties

params = st.tuples(
    st.floats(0.002, 0.05),  # p [1/month]
    st.floats(0.05, 0.8),  # q [1/month]
    st.floats(50.0, 1e6),  # m [adopters]
)


def _length(p: float, q: float) -> int:
    peak = math.log(q / p) / (p + q) if q > p else 0.0
    return int(min(80, max(12, math.ceil(1.5 * peak) + 6)))


@given(params)
def test_nls_recovers_noise_free_parameters(theta: tuple[float, float, float]) -> None:
    p, q, m = theta
    t = np.arange(1.0, _length(p, q) + 1.0)
    fit = fit_bass(t, ref_per_period(t, p, q, m))
    np.testing.assert_allclose(fit.params, theta, rtol=1e-6)
    np.testing.assert_allclose(fit.residuals, 0.0, atol=1e-6 * m)


@given(params)
def test_cumulative_nls_recovers_noise_free_parameters(theta: tuple[float, float, float]) -> None:
    p, q, m = theta
    t = np.arange(1.0, _length(p, q) + 1.0)
    fit = fit_bass(t, m * ref_cdf(t, p, q), cumulative=True)
    np.testing.assert_allclose(fit.params, theta, rtol=1e-6)


@given(params)
def test_mle_recovers_noise_free_parameters(theta: tuple[float, float, float]) -> None:
    # The expected counts themselves: the Poisson score vanishes exactly at the truth.
    p, q, m = theta
    t = np.arange(1.0, _length(p, q) + 1.0)
    fit = fit_bass(t, ref_per_period(t, p, q, m), method="mle")
    np.testing.assert_allclose(fit.params, theta, rtol=1e-6)


@given(params)
def test_ols_recovers_parameters_of_bass_difference_equation(theta: tuple[float, float, float]) -> None:
    # Bass's regression is exact for his discrete model y_t = (p + q Y_{t-1}/m)(m - Y_{t-1}).
    p, q, m = theta
    n = _length(p, q)
    y, cum = [], 0.0
    for _ in range(n):
        step = (p + q * cum / m) * (m - cum)
        y.append(step)
        cum += step
    fit = fit_bass(np.arange(1, n + 1), y, method="ols")
    np.testing.assert_allclose(fit.params, theta, rtol=1e-6)


@given(st.floats(1e-3, 1e4), st.sampled_from(["nls", "ols", "mle"]))
def test_scale_invariance_of_m(scale: float, method: str) -> None:
    y = noisy_series(seed=13)
    base = fit_bass(T20, y, method=method)  # type: ignore[arg-type]
    scaled = fit_bass(T20, scale * y, method=method)  # type: ignore[arg-type]
    assert_rel(scaled.p, base.p, 1e-6)
    assert_rel(scaled.q, base.q, 1e-6)
    assert_rel(scaled.m, scale * base.m, 1e-6)
    if method != "mle":  # Gaussian errors scale with y; Poisson standard errors do not
        assert_rel(scaled.m_se, scale * base.m_se, 1e-4)
        assert_rel(scaled.p_se, base.p_se, 1e-4)


@given(params, st.booleans())
def test_project_is_consistent(theta: tuple[float, float, float], cumulative: bool) -> None:
    p, q, m = theta
    t = np.arange(1.0, _length(p, q) + 1.0)
    y = m * ref_cdf(t, p, q) if cumulative else ref_per_period(t, p, q, m)
    fit = fit_bass(t, y, cumulative=cumulative)
    np.testing.assert_allclose(fit.project(fit.t), fit.fitted, rtol=1e-12)
    future = np.arange(1.0, 3 * t.size + 1.0)
    per = fit.project(future, cumulative=False)
    cum = fit.project(future, cumulative=True)
    np.testing.assert_allclose(np.cumsum(per), cum, rtol=1e-9, atol=1e-9 * fit.m)
    assert np.all(np.diff(cum) >= 0)
    assert cum[-1] <= fit.m * (1 + 1e-12)
    assert fit.project(0.0, cumulative=True) == 0.0
    assert float(fit.project(1e9, cumulative=True)) == pytest.approx(fit.m, rel=1e-12)


def test_projection_at_future_times_uses_the_closed_form() -> None:
    fit = fit_bass(T20, noisy_series())
    t = np.array([21.0, 24.0, 36.0])
    np.testing.assert_allclose(fit.project(t), ref_per_period(t, fit.p, fit.q, fit.m), rtol=1e-12)
    np.testing.assert_allclose(fit.project(t, cumulative=True), fit.m * ref_cdf(t, fit.p, fit.q), rtol=1e-12)


def test_prediction_quantiles_are_the_delta_method_student_t_band() -> None:
    from scipy import stats

    fit = fit_bass(T20, noisy_series())
    t = np.array([21.0, 25.0])
    jac = ref_jacobian(lambda th: ref_per_period(t, *th), fit.params)
    var = fit.sigma**2 + np.einsum("ij,jk,ik->i", jac, fit.covariance, jac)
    levels = np.array([0.1, 0.5, 0.9])
    want = ref_per_period(t, fit.p, fit.q, fit.m)[None, :] + stats.t.ppf(levels, 17)[:, None] * np.sqrt(var)
    np.testing.assert_allclose(fit.prediction_quantiles(t, levels), want, rtol=1e-6)


def test_population_bounds_the_market() -> None:
    t, y = T20[:12], noisy_series()[:12]  # before saturation, so a bound below the free m is feasible
    free = fit_bass(t, y)
    bound = 0.9 * free.m
    assert bound > y.sum()
    for method in ("nls", "mle"):
        fit = fit_bass(t, y, method=method, population=bound)
        assert fit.m <= bound * (1 + 1e-12)
        assert fit.m == pytest.approx(bound, rel=1e-6)


def test_result_is_frozen_with_readonly_arrays() -> None:
    fit = fit_bass(T20, noisy_series())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fit.p = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        fit.fitted[0] = 1.0
    assert isinstance(fit, BassFit)
    assert "'nls'" in fit.summary()
    assert "peak" in fit.summary()
    assert fit.peak_time == pytest.approx(math.log(fit.q / fit.p) / (fit.p + fit.q))


def test_forecaster_returns_predictive_of_the_fit() -> None:
    y = noisy_series()
    pred = BassForecaster()(T20, y)
    assert isinstance(pred, BassPredictive)
    assert pred.fit == fit_bass(T20, y)
    np.testing.assert_array_equal(pred.quantiles([21.0], [0.5]), fit_bass(T20, y).prediction_quantiles([21.0], [0.5]))


# --------------------------------------------------------------------------- error paths


def _raises(parameter: str, match: str, *args: object, function: str = "fit_bass", **kwargs: object) -> None:
    with pytest.raises(ParameterError, match=match) as info:
        fit_bass(*args, **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == parameter
    assert info.value.function == function
    assert isinstance(info.value, SmartKampungError)


def test_error_too_few_points() -> None:
    _raises("y", "at least 4", [1, 2, 3], [1.0, 2.0, 1.0])


def test_error_all_zeros() -> None:
    _raises("y", "all zeros", T20, np.zeros(20))


def test_error_negative_values() -> None:
    y = noisy_series()
    y[4] = -1.0
    _raises("y", ">= 0", T20, y)


def test_error_nan_and_infinity() -> None:
    y = noisy_series()
    y[3] = np.nan
    _raises("y", "finite", T20, y)
    t = T20.copy()
    t[2] = np.inf
    _raises("t", "finite", t, noisy_series())


def test_error_decreasing_cumulative_series() -> None:
    cum = np.cumsum(noisy_series())
    cum[10] = cum[9] - 1.0
    _raises("y", "decreases", T20, cum, cumulative=True)


def test_error_mismatched_lengths() -> None:
    _raises("y", "same length", T20, noisy_series()[:-1])


def test_error_bad_times() -> None:
    _raises("t", "strictly increasing", T20[::-1], noisy_series())
    _raises("t", "> 0", T20 - 1.0, noisy_series())
    _raises("t", "1-D", T20.reshape(4, 5), noisy_series().reshape(4, 5))
    _raises("y", "1-D", T20, noisy_series().reshape(4, 5))
    _raises("t", "not text", ["1", "2", "3", "4"], [1, 2, 3, 4])


@pytest.mark.parametrize("method", ["ols", "mle"])
def test_error_ols_and_mle_need_the_series_from_the_start(method: str) -> None:
    _raises("t", "t = 1, 2, ..., n", T20 + 1.0, noisy_series(), method=method)
    _raises("t", "t = 1, 2, ..., n", np.delete(T20, 5), np.delete(noisy_series(), 5), method=method)


def test_error_bad_options() -> None:
    _raises("method", "must be one of", T20, noisy_series(), method="gmm")
    _raises("cumulative", "True or False", T20, noisy_series(), cumulative=1)
    _raises("population", "number", T20, noisy_series(), population="1e5")
    _raises("population", "number", T20, noisy_series(), population=True)
    _raises("population", "> 0", T20, noisy_series(), population=-5.0)
    _raises("population", "smaller than the adopters", T20, noisy_series(), population=100.0)


def test_error_ols_roots_not_real() -> None:
    _raises("y", "not real", np.arange(1, 7), [3, 1, 1, 1, 3, 9], method="ols")


def test_error_ols_negative_imitation() -> None:
    _raises("y", "negative imitation", np.arange(1, 6), [0.1, 0.2, 0.5, 2, 9], method="ols")


def test_error_ols_no_saturation() -> None:
    _raises("y", "no finite market", np.arange(1, 6), [1, 2, 4, 8, 16], method="ols")


def test_error_ols_nonpositive_innovation() -> None:
    y = [3.0, 0.91, 1.757, 3.346, 6.201, 10.899, 17.294, 22.565, 20.449, 9.735, 1.696, 0.102]
    _raises("y", "a = p m <= 0", np.arange(1, 13), y, method="ols")


def test_error_ols_market_above_population() -> None:
    t, y = T20[:12], noisy_series()[:12]
    m = fit_bass(t, y, method="ols").m
    assert 0.99 * m > y.sum()
    _raises("y", "above population", t, y, method="ols", population=0.99 * m)


def test_error_project_and_quantiles() -> None:
    fit = fit_bass(T20, noisy_series())
    with pytest.raises(ParameterError, match="NaN") as info:
        fit.project([1.0, np.nan])
    assert info.value.function == "BassFit.project"
    with pytest.raises(ParameterError, match="True or False"):
        fit.project([1.0], cumulative="yes")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="between 0 and 1") as info:
        fit.prediction_quantiles([21.0], [0.0, 0.5])
    assert info.value.parameter == "levels"
    with pytest.raises(ParameterError, match="NaN"):
        fit.prediction_quantiles([np.nan], [0.5])
    with pytest.raises(ParameterError, match="True or False"):
        fit.prediction_quantiles([21.0], [0.5], cumulative=2)  # type: ignore[arg-type]


def test_error_forecaster_options() -> None:
    with pytest.raises(ParameterError, match="must be one of") as info:
        BassForecaster(method="bayes")  # type: ignore[arg-type]
    assert info.value.parameter == "method"
    assert info.value.function == "BassForecaster"
    with pytest.raises(ParameterError, match="True or False"):
        BassForecaster(cumulative="no")  # type: ignore[arg-type]
