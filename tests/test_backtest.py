"""Tests of smartkampung.sim.backtest: the rolling-origin backtest and its Bass forecaster."""

from __future__ import annotations

import math

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from smartkampung import ParameterError
from smartkampung.sim.backtest import DEFAULT_BANDS, BacktestResult, SamplePredictive, backtest
from smartkampung.sim.fitting import BassForecaster

# --------------------------------------------------------------------------- toy forecasters with known answers


@attrs.frozen
class GaussianAround:
    """Predictive N(centre, sd²) at every future time."""

    centre: float
    sd: float

    def quantiles(self, t: np.ndarray, levels: np.ndarray) -> np.ndarray:
        t = np.atleast_1d(t)
        out: np.ndarray = self.centre + self.sd * stats.norm.ppf(np.asarray(levels))[:, None] * np.ones((1, t.size))
        return out


def last_value(t_train: np.ndarray, y_train: np.ndarray) -> GaussianAround:
    """Naive forecaster: the last training value, sd 1."""
    return GaussianAround(float(y_train[-1]), 1.0)


class Recorder:
    """Records what each fit was given (to check that no future data leak in)."""

    def __init__(self) -> None:
        self.calls: list[tuple[np.ndarray, np.ndarray]] = []

    def __call__(self, t_train: np.ndarray, y_train: np.ndarray) -> GaussianAround:
        self.calls.append((t_train.copy(), y_train.copy()))
        return GaussianAround(float(np.mean(y_train)), 2.0)


# --------------------------------------------------------------------------- mechanics


def test_rows_errors_and_bands_of_a_naive_forecaster() -> None:
    t = np.arange(1.0, 8.0)
    y = np.array([0.0, 1.0, 3.0, 3.5, 2.0, 2.0, 10.0])
    res = backtest(t, y, last_value, min_train=3, max_horizon=2)
    # Origins 3..6; each predicts up to 2 later values (origin 6 only one).
    np.testing.assert_array_equal(res.origin, [3, 3, 4, 4, 5, 5, 6])
    np.testing.assert_array_equal(res.horizon, [1, 2, 1, 2, 1, 2, 1])
    np.testing.assert_array_equal(res.t, [4, 5, 5, 6, 6, 7, 7])
    np.testing.assert_array_equal(res.t_origin, [3, 3, 4, 4, 5, 5, 6])
    np.testing.assert_array_equal(res.point, [3.0, 3.0, 3.5, 3.5, 2.0, 2.0, 2.0])
    np.testing.assert_array_equal(res.observed, [3.5, 2.0, 2.0, 2.0, 2.0, 10.0, 10.0])
    z80, z95 = stats.norm.ppf(0.9), stats.norm.ppf(0.975)
    np.testing.assert_allclose(res.lower[:, 0], res.point - z80)
    np.testing.assert_allclose(res.upper[:, 1], res.point + z95)
    err = res.observed - res.point  # 0.5, -1, -1.5, -1.5, 0, 8, 8
    inside80 = np.abs(err) <= z80
    inside95 = np.abs(err) <= z95
    np.testing.assert_array_equal(res.inside, np.column_stack((inside80, inside95)))
    np.testing.assert_allclose(res.coverage(), [inside80.mean(), inside95.mean()])
    h1 = res.horizon == 1
    np.testing.assert_allclose(res.mae_by_horizon(), [np.mean(np.abs(err[h1])), np.mean(np.abs(err[~h1]))])
    np.testing.assert_allclose(res.rmse_by_horizon(), [np.sqrt(np.mean(err[h1] ** 2)), np.sqrt(np.mean(err[~h1] ** 2))])
    np.testing.assert_array_equal(res.count_by_horizon(), [4, 3])
    np.testing.assert_allclose(
        res.coverage_by_horizon(),
        [[np.mean(inside80[h1]), np.mean(inside95[h1])], [np.mean(inside80[~h1]), np.mean(inside95[~h1])]],
    )
    np.testing.assert_allclose(res.nominal, [0.8, 0.95])
    rows = res.table()
    assert [r["horizon"] for r in rows] == [1, 2, "all"]
    assert rows[-1]["n"] == 7
    assert rows[0]["coverage_10_90"] == pytest.approx(np.mean(inside80[h1]))
    assert rows[1]["coverage_2p5_97p5"] == pytest.approx(np.mean(inside95[~h1]))
    assert rows[-1]["mae"] == pytest.approx(np.mean(np.abs(err)))
    assert "coverage_10_90" in res.summary()


def test_each_fit_sees_only_data_up_to_its_origin() -> None:
    t = np.arange(1.0, 11.0) * 3  # any increasing times, e.g. quarters in months
    y = np.arange(10.0) ** 2
    rec = Recorder()
    res = backtest(t, y, rec, min_train=4, step=2)
    assert [len(c[0]) for c in rec.calls] == [4, 6, 8]
    for (t_train, y_train), k in zip(rec.calls, [4, 6, 8], strict=True):
        np.testing.assert_array_equal(t_train, t[:k])
        np.testing.assert_array_equal(y_train, y[:k])
    assert set(res.origin.tolist()) == {4, 6, 8}
    assert res.n_rows == 6 + 4 + 2


@given(st.integers(2, 30), st.integers(1, 29), st.integers(1, 10), st.integers(1, 5))
def test_row_count_property(n: int, min_train: int, max_horizon: int, step: int) -> None:
    min_train = min(min_train, n - 1)
    t = np.arange(1.0, n + 1.0)
    res = backtest(t, t.copy(), last_value, min_train=min_train, max_horizon=max_horizon, step=step)
    expected = sum(min(max_horizon, n - k) for k in range(min_train, n, step))
    assert res.n_rows == expected
    assert np.all(res.horizon >= 1)
    assert np.all(res.horizon <= max_horizon)
    assert np.all(res.t > res.t_origin)
    assert np.all(res.lower <= res.upper)
    assert np.all((res.lower[:, 1] <= res.lower[:, 0]) & (res.upper[:, 0] <= res.upper[:, 1]))


def test_sample_predictive_quantiles() -> None:
    draws = np.random.default_rng(0).normal(size=(4001, 1))

    def forecaster(t_train: np.ndarray, y_train: np.ndarray) -> SamplePredictive:
        return SamplePredictive(lambda t: y_train[-1] + draws * np.ones((1, t.size)))

    t = np.arange(1.0, 6.0)
    res = backtest(t, np.zeros(5), forecaster, min_train=2)
    np.testing.assert_allclose(res.point, np.median(draws))
    np.testing.assert_allclose(res.lower[:, 0], np.quantile(draws, 0.1))
    with pytest.raises(ParameterError, match="shape") as info:
        SamplePredictive(lambda t: np.zeros(3)).quantiles([1.0], [0.5])
    assert info.value.parameter == "draw"
    with pytest.raises(ParameterError, match="NaN"):
        SamplePredictive(lambda t: np.full((3, 1), np.nan)).quantiles([1.0], [0.5])


def test_skip_errors_records_failed_origins() -> None:
    t = np.arange(1.0, 9.0)
    y = np.array([0, 0, 0, 0, 0, 5, 9, 14], dtype=float)  # all zeros before origin 6
    with pytest.raises(ParameterError, match="all zeros"):
        backtest(t, y, BassForecaster(), min_train=4)
    res = backtest(t, y, BassForecaster(), min_train=4, skip_errors=True)
    assert res.skipped_origins == (4, 5)
    assert set(res.origin.tolist()) == {6, 7}
    assert "skipped" in res.summary()


def test_empty_result_when_every_origin_fails() -> None:
    t = np.arange(1.0, 7.0)
    res = backtest(t, np.zeros(6), BassForecaster(), min_train=4, skip_errors=True)
    assert res.n_rows == 0
    assert np.all(np.isnan(res.coverage()))
    assert res.skipped_origins == (4, 5)
    assert isinstance(res, BacktestResult)


# --------------------------------------------------------------------------- the Bass forecaster's coverage


def test_bass_forecaster_coverage_is_near_nominal_on_synthetic_truths() -> None:
    """Bands of the Bass forecaster cover held-back values of its own model at the nominal rate.

    1,600 synthetic series, each t = 1..16 months of per-period adoptions
    m (F(t) − F(t − 1)) plus independent N(0, σ²) noise (the forecaster's
    declared noise model), with p ~ U(0.005, 0.03), q ~ U(0.15, 0.5),
    m ~ U(2,000, 20,000) and σ a share U(0.05, 0.2) of the smallest mean
    (so no value is negative). One origin per series (k = 12), horizons 1–4.

    Tolerance: values of one series share its fit, so they are not
    independent; the per-series coverage share has variance at most
    c(1 − c), so the pooled coverage has standard error at most
    sqrt(c(1 − c) / 1,600) = 0.010 for the 80 % band and 0.0054 for the
    95 % band. We accept three of those: 0.80 ± 0.030 and 0.95 ± 0.017.
    """
    rng = np.random.default_rng(20240601)
    t = np.arange(1.0, 17.0)
    inside = []
    n_series = 1600
    for _ in range(n_series):
        p, q, m = rng.uniform(0.005, 0.03), rng.uniform(0.15, 0.5), rng.uniform(2000.0, 20000.0)
        e = np.exp(-(p + q) * np.concatenate(([0.0], t)))
        cdf = (1 - e) / (1 + (q / p) * e)
        mean = m * np.diff(cdf)
        y = mean + rng.normal(0.0, rng.uniform(0.05, 0.2) * mean.min(), t.size)
        assert y.min() > 0
        res = backtest(t, y, BassForecaster(), min_train=12, step=4)
        assert res.n_rows == 4
        inside.append(res.inside)
    coverage = np.concatenate(inside).mean(axis=0)
    for c, nominal in zip(coverage, (0.80, 0.95), strict=True):
        tolerance = 3 * math.sqrt(nominal * (1 - nominal) / n_series)
        assert abs(c - nominal) <= tolerance, (coverage, nominal, tolerance)


# --------------------------------------------------------------------------- error paths


def _raises(parameter: str, match: str, *args: object, **kwargs: object) -> None:
    with pytest.raises(ParameterError, match=match) as info:
        backtest(*args, **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == parameter
    assert info.value.function == "backtest"


T = np.arange(1.0, 9.0)
Y = np.arange(8.0)


def test_error_inputs() -> None:
    _raises("y", "same length", T, Y[:-1], last_value, min_train=2)
    _raises("t", "strictly increasing", T[::-1], Y, last_value, min_train=2)
    _raises("t", "finite", np.where(T == 3, np.nan, T), Y, last_value, min_train=2)
    _raises("y", "finite", T, np.where(Y == 3, np.inf, Y), last_value, min_train=2)
    _raises("t", "1-D", T.reshape(2, 4), Y.reshape(2, 4), last_value, min_train=2)
    _raises("forecaster", "callable", T, Y, "naive", min_train=2)


def test_error_options() -> None:
    _raises("min_train", ">= 1", T, Y, last_value, min_train=0)
    _raises("min_train", "< the number", T, Y, last_value, min_train=8)
    _raises("min_train", "whole number", T, Y, last_value, min_train=2.5)
    _raises("max_horizon", ">= 1", T, Y, last_value, min_train=2, max_horizon=0)
    _raises("step", ">= 1", T, Y, last_value, min_train=2, step=0)
    _raises("bands", "0 < lower < upper < 1", T, Y, last_value, min_train=2, bands=[(0.9, 0.1)])
    _raises("bands", "0 < lower < upper < 1", T, Y, last_value, min_train=2, bands=[(0.0, 0.5)])
    _raises("bands", "at least one", T, Y, last_value, min_train=2, bands=[])
    _raises("bands", "pairs", T, Y, last_value, min_train=2, bands=[0.1, 0.9])
    _raises("skip_errors", "True or False", T, Y, last_value, min_train=2, skip_errors="yes")
    assert DEFAULT_BANDS == ((0.10, 0.90), (0.025, 0.975))


def test_error_bad_predictive() -> None:
    _raises("forecaster", "no quantiles", T, Y, lambda t, y: object(), min_train=2)

    @attrs.frozen
    class Fixed:
        out: np.ndarray

        def quantiles(self, t: np.ndarray, levels: np.ndarray) -> np.ndarray:
            return self.out

    _raises("forecaster", "shape", T, Y, lambda t, y: Fixed(np.zeros((5, 1))), min_train=2)
    _raises("forecaster", "NaN", T, Y, lambda t, y: Fixed(np.full((5, 6), np.nan)), min_train=2)
    decreasing = np.repeat(np.array([[0.0], [1.0], [-1.0], [2.0], [-2.0]]), 6, axis=1)  # levels 0.5, .1, .9, .025, .975
    _raises("forecaster", "decrease", T, Y, lambda t, y: Fixed(decreasing), min_train=2)
