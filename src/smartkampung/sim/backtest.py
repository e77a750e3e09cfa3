"""Rolling-origin backtests of any forecaster on an observed series.

"Time series cross-validation" (Hyndman and Athanasopoulos, *Forecasting:
Principles and Practice*, 3rd ed., section 5.10 [1]_): for every forecast
origin ``k >= min_train`` the forecaster is fitted on the first ``k``
observations only and predicts each later observation (up to
``max_horizon`` steps ahead). Every held-back value is compared with the
point forecast (the predictive median) and checked against the predictive
bands; :class:`BacktestResult` reports per-horizon errors and the coverage of
each band. The design follows the expanding-window cross-validation of
statsforecast (``StatsForecast.cross_validation``) and sktime
(``ExpandingWindowSplitter`` with ``evaluate``), reduced to what a
calibration study needs.

Protocol
--------
A *forecaster* is any callable ``forecaster(t_train, y_train) -> predictive``
taking float64 arrays of shape (k,); a *predictive* is any object with
``quantiles(t, levels) -> ndarray of shape (len(levels), len(t))``, the
predictive quantiles of the observations at future times ``t`` (see
:class:`Forecaster` and :class:`Predictive`). A predictive made of samples
can be wrapped in :class:`SamplePredictive`. Nothing else is assumed: the
values may be counts with an upper bound, cumulative or per period, and ``t``
integer months or any increasing times. :class:`smartkampung.sim.fitting.BassForecaster`
is one forecaster.

References
----------
.. [1] R. J. Hyndman and G. Athanasopoulos, *Forecasting: Principles and
   Practice*, 3rd ed., OTexts, 2021, section 5.10 "Time series
   cross-validation". https://otexts.com/fpp3/tscv.html
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._arrays import ARRAY_EQ, readonly_array, readonly_float
from smartkampung._errors import ParameterError, SmartKampungError
from smartkampung._validation import as_float_array, check_bool, check_int

__all__ = ["DEFAULT_BANDS", "BacktestResult", "Forecaster", "Predictive", "SamplePredictive", "backtest", "pool"]

#: Central predictive bands checked by default: 80 % (10–90 %) and 95 % (2.5–97.5 %).
DEFAULT_BANDS: tuple[tuple[float, float], ...] = ((0.10, 0.90), (0.025, 0.975))


@runtime_checkable
class Predictive(Protocol):
    """Predictive distribution of future observations."""

    def quantiles(self, t: ArrayLike, levels: ArrayLike) -> NDArray[np.float64]:
        """Quantiles at times ``t`` (k,) for probability ``levels`` (L,): shape (L, k)."""
        ...


class Forecaster(Protocol):
    """Fits on training data and returns a :class:`Predictive`."""

    def __call__(self, t_train: NDArray[np.float64], y_train: NDArray[np.float64]) -> Predictive:
        """Fit on ``t_train`` (k,) and ``y_train`` (k,)."""
        ...


@attrs.frozen
class SamplePredictive:
    """A predictive given by samples: ``draw(t) -> samples`` of shape (n_samples, len(t)).

    Quantiles are the empirical quantiles of the samples
    (:func:`numpy.quantile`, its default linear interpolation).

    Attributes
    ----------
    draw : callable
        ``draw(t)`` with ``t`` a float64 array (k,), returning a finite
        array (n_samples, k), n_samples >= 1. The same call should give
        the same samples (seed it) so a backtest is reproducible.
    """

    draw: Callable[[NDArray[np.float64]], ArrayLike]

    def quantiles(self, t: ArrayLike, levels: ArrayLike) -> NDArray[np.float64]:
        """Empirical quantiles of ``draw(t)``, shape (len(levels), len(t))."""
        fn = "SamplePredictive.quantiles"
        tt = np.atleast_1d(as_float_array(t, "t", fn))
        lv = np.atleast_1d(as_float_array(levels, "levels", fn))
        samples = as_float_array(self.draw(tt), "draw", fn)
        if samples.ndim != 2 or samples.shape[1] != tt.shape[0] or samples.shape[0] < 1:
            raise ParameterError(
                "draw", f"must return shape (n_samples, {tt.shape[0]}), got {samples.shape}", function=fn
            )
        if not np.all(np.isfinite(samples)):
            raise ParameterError("draw", "returned NaN or infinity", function=fn)
        return np.asarray(np.quantile(samples, lv, axis=0), dtype=np.float64)


def _bands_tuple(value: Any) -> tuple[tuple[float, float], ...]:
    return tuple((float(lo), float(hi)) for lo, hi in value)


def _int_tuple(value: Any) -> tuple[int, ...]:
    return tuple(int(v) for v in value)


def _readonly_int(value: Any) -> NDArray[np.int64]:
    out: NDArray[np.int64] = readonly_array(value, np.int64)
    return out


@attrs.frozen
class BacktestResult:
    """Forecasts of a rolling-origin backtest, one row per (origin, held-back observation).

    Attributes
    ----------
    bands : tuple of (float, float)
        The checked central bands as (lower level, upper level).
    origin : ndarray of int64, shape (r,)
        Number of training observations ``k`` of each row's fit.
    horizon : ndarray of int64, shape (r,)
        Steps ahead: the held-back observation's index minus ``k`` plus 1.
    t_origin : ndarray of float64, shape (r,)
        Time of the last training observation. [time]
    t : ndarray of float64, shape (r,)
        Time of the held-back observation. [time]
    observed : ndarray of float64, shape (r,)
        The held-back value. [unit of y]
    point : ndarray of float64, shape (r,)
        Point forecast: the predictive median. [unit of y]
    lower, upper : ndarray of float64, shape (r, n_bands)
        Band limits per row and band. [unit of y]
    skipped_origins : tuple of int
        Origins whose fit raised a SmartKampungError (with ``skip_errors``).
    """

    bands: tuple[tuple[float, float], ...] = attrs.field(converter=_bands_tuple)
    origin: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=_readonly_int)
    horizon: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=_readonly_int)
    t_origin: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    t: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    observed: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    point: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    lower: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    upper: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    skipped_origins: tuple[int, ...] = attrs.field(default=(), converter=_int_tuple)

    @property
    def n_rows(self) -> int:
        """Number of (origin, held-back observation) rows."""
        return int(self.origin.shape[0])

    @property
    def error(self) -> NDArray[np.float64]:
        """Forecast error ``observed − point``, shape (r,). [unit of y]"""
        return np.asarray(self.observed - self.point, dtype=np.float64)

    @property
    def inside(self) -> NDArray[np.bool_]:
        """Whether each held-back value lies in each closed band, shape (r, n_bands)."""
        obs = self.observed[:, None]
        return np.asarray((obs >= self.lower) & (obs <= self.upper))

    @property
    def nominal(self) -> NDArray[np.float64]:
        """Nominal coverage of each band, ``upper level − lower level``, shape (n_bands,)."""
        return np.array([hi - lo for lo, hi in self.bands])

    @property
    def horizons(self) -> NDArray[np.int64]:
        """The distinct horizons, ascending."""
        return np.unique(self.horizon)

    def coverage(self) -> NDArray[np.float64]:
        """Share of held-back values inside each band over all rows, shape (n_bands,); NaN without rows."""
        if self.n_rows == 0:
            return np.full(len(self.bands), np.nan)
        return np.asarray(np.mean(self.inside, axis=0), dtype=np.float64)

    def coverage_by_horizon(self) -> NDArray[np.float64]:
        """Coverage per horizon and band, shape (len(horizons), n_bands)."""
        inside = self.inside
        return np.array([np.mean(inside[self.horizon == h], axis=0) for h in self.horizons]).reshape(
            -1, len(self.bands)
        )

    def count_by_horizon(self) -> NDArray[np.int64]:
        """Rows per horizon, shape (len(horizons),)."""
        return np.array([int(np.sum(self.horizon == h)) for h in self.horizons], dtype=np.int64)

    def mae_by_horizon(self) -> NDArray[np.float64]:
        """Mean absolute error of the point forecast per horizon, shape (len(horizons),). [unit of y]"""
        err = np.abs(self.error)
        return np.array([np.mean(err[self.horizon == h]) for h in self.horizons])

    def rmse_by_horizon(self) -> NDArray[np.float64]:
        """Root mean squared error per horizon, shape (len(horizons),). [unit of y]"""
        err = self.error
        return np.array([np.sqrt(np.mean(err[self.horizon == h] ** 2)) for h in self.horizons])

    def table(self) -> list[dict[str, float | int | str]]:
        """Rows for docs: one per horizon and one ``"all"`` row.

        Each row has ``horizon``, ``n``, ``mae``, ``rmse`` and one
        ``coverage_<lo>_<hi>`` entry per band (levels in per cent, e.g.
        ``coverage_10_90``).
        """
        names = [f"coverage_{_pct(lo)}_{_pct(hi)}" for lo, hi in self.bands]
        rows: list[dict[str, float | int | str]] = []
        cov_h = self.coverage_by_horizon()
        for i, (h, n, mae, rmse) in enumerate(
            zip(
                self.horizons.tolist(),
                self.count_by_horizon().tolist(),
                self.mae_by_horizon().tolist(),
                self.rmse_by_horizon().tolist(),
                strict=True,
            )
        ):
            row: dict[str, float | int | str] = {"horizon": int(h), "n": int(n), "mae": mae, "rmse": rmse}
            row.update({name: float(c) for name, c in zip(names, cov_h[i], strict=True)})
            rows.append(row)
        err = self.error
        overall: dict[str, float | int | str] = {
            "horizon": "all",
            "n": self.n_rows,
            "mae": float(np.mean(np.abs(err))) if self.n_rows else float("nan"),
            "rmse": float(np.sqrt(np.mean(err**2))) if self.n_rows else float("nan"),
        }
        overall.update({name: float(c) for name, c in zip(names, self.coverage(), strict=True)})
        rows.append(overall)
        return rows

    def summary(self) -> str:
        """The :meth:`table` as aligned text."""
        rows = self.table()
        keys = list(rows[0].keys()) if rows else []
        lines = ["  ".join(f"{k:>14}" for k in keys)]
        for row in rows:
            cells = []
            for k in keys:
                v = row[k]
                cells.append(f"{v:>14.4g}" if isinstance(v, float) else f"{v!s:>14}")
            lines.append("  ".join(cells))
        if self.skipped_origins:
            lines.append(f"skipped origins (fit failed): {list(self.skipped_origins)}")
        return "\n".join(lines)


def _pct(level: float) -> str:
    return f"{100 * level:g}".replace(".", "p")


def _check_bands(bands: Any, fn: str) -> tuple[tuple[float, float], ...]:
    try:
        out = _bands_tuple(bands)
    except (TypeError, ValueError):
        raise ParameterError("bands", "must be a sequence of (lower, upper) probability pairs", function=fn) from None
    if not out:
        raise ParameterError("bands", "must name at least one band", function=fn)
    for lo, hi in out:
        if not 0.0 < lo < hi < 1.0:
            raise ParameterError("bands", f"each band needs 0 < lower < upper < 1, got ({lo}, {hi})", function=fn)
    return out


def backtest(
    t: ArrayLike,
    y: ArrayLike,
    forecaster: Callable[[NDArray[np.float64], NDArray[np.float64]], Any],
    *,
    min_train: int,
    max_horizon: int | None = None,
    step: int = 1,
    bands: Sequence[tuple[float, float]] = DEFAULT_BANDS,
    skip_errors: bool = False,
) -> BacktestResult:
    """Rolling-origin (expanding-window) backtest of a forecaster.

    For every origin ``k = min_train, min_train + step, ... < n`` the forecaster is fitted
    on ``t[:k], y[:k]`` and asked for the quantiles of ``y[k:k + max_horizon]``
    at ``t[k:k + max_horizon]``: the median as the point forecast and the
    limits of each band. Only data up to the origin enter each fit.

    Parameters
    ----------
    t : array_like, shape (n,)
        Strictly increasing, finite times (e.g. integer months). [time]
    y : array_like, shape (n,)
        Finite observations. [any unit, e.g. adopters or villages]
    forecaster : callable
        ``forecaster(t_train, y_train) -> predictive`` with
        ``predictive.quantiles(t, levels)`` returning shape
        ``(len(levels), len(t))``, non-decreasing in the level (see
        :class:`Forecaster`, :class:`Predictive`).
    min_train : int
        Fewest training observations, 1 <= min_train < n.
    max_horizon : int, optional
        Most steps ahead to predict from each origin (>= 1); default all
        remaining observations.
    step : int, default 1
        Spacing of the origins (>= 1); ``step >= n − min_train`` leaves the
        single origin ``min_train``.
    bands : sequence of (float, float), default ((0.1, 0.9), (0.025, 0.975))
        Central predictive bands to check, as probability levels.
    skip_errors : bool, default False
        If True, an origin whose fit or prediction raises a
        :class:`~smartkampung.SmartKampungError` is skipped and listed in
        :attr:`BacktestResult.skipped_origins`; if False the error
        propagates.

    Returns
    -------
    BacktestResult

    Raises
    ------
    ParameterError
        On mismatched or non-finite inputs, ``t`` not strictly increasing,
        bad ``min_train``, ``max_horizon``, ``step`` or ``bands``, a forecaster that is
        not callable or returns no ``quantiles``, or quantiles of the wrong
        shape, non-finite, or decreasing in the level.
    """
    fn = "backtest"
    tt = as_float_array(t, "t", fn)
    yy = as_float_array(y, "y", fn)
    if tt.ndim != 1 or yy.ndim != 1:
        raise ParameterError("t" if tt.ndim != 1 else "y", "must be 1-D", function=fn)
    if tt.shape != yy.shape:
        raise ParameterError("y", f"must have the same length as t ({tt.shape[0]}), got {yy.shape[0]}", function=fn)
    if not np.all(np.isfinite(tt)):
        raise ParameterError("t", "must be finite (found NaN or infinity)", function=fn)
    if not np.all(np.isfinite(yy)):
        raise ParameterError("y", "must be finite (found NaN or infinity)", function=fn)
    if np.any(np.diff(tt) <= 0):
        raise ParameterError("t", "must be strictly increasing", function=fn)
    if not callable(forecaster):
        raise ParameterError("forecaster", "must be callable as forecaster(t_train, y_train)", function=fn)
    n = tt.shape[0]
    k0 = check_int(min_train, "min_train", fn, minimum=1)
    if k0 >= n:
        raise ParameterError("min_train", f"must be < the number of observations ({n}), got {k0}", function=fn)
    h_max = n - k0 if max_horizon is None else check_int(max_horizon, "max_horizon", fn, minimum=1)
    stride = check_int(step, "step", fn, minimum=1)
    bnds = _check_bands(bands, fn)
    check_bool(skip_errors, "skip_errors", fn)
    levels = np.array([0.5] + [v for band in bnds for v in band])
    n_b = len(bnds)

    rows_origin: list[NDArray[np.int64]] = []
    rows_idx: list[NDArray[np.int64]] = []
    rows_q: list[NDArray[np.float64]] = []
    skipped: list[int] = []
    for k in range(k0, n, stride):
        idx = np.arange(k, min(n, k + h_max))
        try:
            predictive = forecaster(tt[:k].copy(), yy[:k].copy())
            quantiles_fn = getattr(predictive, "quantiles", None)
            if not callable(quantiles_fn):
                raise ParameterError(
                    "forecaster",
                    f"returned {type(predictive).__name__}, which has no quantiles(t, levels) method",
                    function=fn,
                )
            q = as_float_array(quantiles_fn(tt[idx].copy(), levels.copy()), "forecaster", fn)
        except SmartKampungError:
            if not skip_errors:
                raise
            skipped.append(k)
            continue
        if q.shape != (levels.shape[0], idx.shape[0]):
            raise ParameterError(
                "forecaster",
                f"quantiles returned shape {q.shape}, expected {(levels.shape[0], idx.shape[0])} (levels, times)",
                function=fn,
            )
        if not np.all(np.isfinite(q)):
            raise ParameterError("forecaster", f"quantiles at origin {k} hold NaN or infinity", function=fn)
        order = np.argsort(levels, kind="stable")
        if np.any(np.diff(q[order], axis=0) < 0):
            raise ParameterError("forecaster", f"quantiles at origin {k} decrease as the level increases", function=fn)
        rows_origin.append(np.full(idx.shape[0], k, dtype=np.int64))
        rows_idx.append(idx)
        rows_q.append(q)
    if rows_idx:
        origin = np.concatenate(rows_origin)
        idx_all = np.concatenate(rows_idx)
        q_all = np.concatenate(rows_q, axis=1)
    else:
        origin = np.zeros(0, dtype=np.int64)
        idx_all = np.zeros(0, dtype=np.int64)
        q_all = np.zeros((levels.shape[0], 0))
    lower = q_all[1::2][:n_b].T if n_b else np.zeros((idx_all.shape[0], 0))
    upper = q_all[2::2][:n_b].T if n_b else np.zeros((idx_all.shape[0], 0))
    return BacktestResult(
        bands=bnds,
        origin=origin,
        horizon=idx_all - origin + 1,
        t_origin=tt[origin - 1] if origin.size else [],
        t=tt[idx_all],
        observed=yy[idx_all],
        point=q_all[0],
        lower=lower.reshape(-1, n_b),
        upper=upper.reshape(-1, n_b),
        skipped_origins=skipped,
    )


def pool(results: Sequence[BacktestResult]) -> BacktestResult:
    """The rows of several backtests (of many series) as one, for their joint coverage and errors.

    Raises
    ------
    ParameterError
        If there is no result or their bands differ.
    """
    fn = "pool"
    results = list(results)
    if not results:
        raise ParameterError("results", "needs at least one backtest", function=fn)
    bands = results[0].bands
    if any(r.bands != bands for r in results):
        raise ParameterError("results", "must all check the same bands", function=fn)

    def cat(name: str) -> NDArray[Any]:
        return np.concatenate([getattr(r, name) for r in results])

    return BacktestResult(
        bands=bands,
        origin=cat("origin"),
        horizon=cat("horizon"),
        t_origin=cat("t_origin"),
        t=cat("t"),
        observed=cat("observed"),
        point=cat("point"),
        lower=cat("lower"),
        upper=cat("upper"),
        skipped_origins=tuple(o for r in results for o in r.skipped_origins),
    )
