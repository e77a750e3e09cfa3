"""A rollout calibration's result, :class:`CalibrationResult` (re-exported by :mod:`smartkampung.sim.calibrate`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._arrays import ARRAY_EQ, readonly_array
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array
from smartkampung.sim._search import ModelFunction

__all__ = ["CalibrationResult"]


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class CalibrationResult:
    """A fitted rollout model: parameters, their intervals, residuals.

    Attributes
    ----------
    param_names : tuple of str
        One name per parameter, in order.
    params : ndarray of float64, shape (k,)
        Fitted values (units as the model defines them).
    interval : ndarray of float64, shape (k, 2)
        Lower and upper ends of each parameter's interval (NaN for a point fit).
    interval_at_bound : ndarray of bool, shape (k, 2)
        True where an end of the interval is the search bound, i.e. the data
        do not bound the parameter on that side within ``bounds``.
    interval_method : str
        ``"none"`` (a point fit), ``"profile"`` (profile likelihood) or ``"bootstrap"`` (residual
        bootstrap percentiles); see the module docstring.
    level : float
        Confidence level of the interval. [0–1]
    bounds : ndarray of float64, shape (k, 2)
        The search bounds.
    observed_months : ndarray, shape (m,)
        Months of the observations. [month]
    observed_counts : ndarray of float64, shape (m,)
        Observed counts. [villages]
    fitted_counts : ndarray of float64, shape (m,)
        The fitted model's counts at ``observed_months``. [villages]
    residuals : ndarray of float64, shape (m,)
        ``observed_counts − fitted_counts``. [villages]
    sse : float
        Sum of squared residuals. [villages²]
    rmse : float
        Root mean squared residual, ``sqrt(sse / m)``. [villages]
    n_evaluations : int
        Model evaluations used (fit and interval).
    model : callable
        The model, ``model(params, months) -> counts``; used by :meth:`project`.
    description : str
        Free text shown by :meth:`summary`.
    """

    param_names: tuple[str, ...] = attrs.field(converter=_str_tuple)
    params: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    interval: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    interval_at_bound: NDArray[np.bool_] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    interval_method: str
    level: float
    bounds: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    observed_months: NDArray[Any] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    observed_counts: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    fitted_counts: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    residuals: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    sse: float
    rmse: float
    n_evaluations: int
    model: ModelFunction = attrs.field(eq=False, repr=False)
    description: str = ""

    def project(self, months: ArrayLike) -> NDArray[np.float64]:
        """The fitted model's counts at any months (e.g. future ones).

        Parameters
        ----------
        months : array_like, shape (p,)
            Months to evaluate, in the model's convention (for
            :func:`fit_budget`: whole months >= 0, counts by the end of the
            month). [month]

        Returns
        -------
        ndarray of float64, shape (p,)
            Counts. [villages]
        """
        fn = "CalibrationResult.project"
        mon = np.atleast_1d(np.asarray(months))
        if mon.ndim != 1 or mon.size == 0:
            raise ParameterError("months", "must be a non-empty 1-D array", function=fn)
        out = as_float_array(self.model(self.params.copy(), mon), "model", fn)
        if out.shape != mon.shape:
            raise ParameterError("model", f"returned shape {out.shape}, expected {mon.shape}", function=fn)
        return out

    def summary(self) -> str:
        """A readable report: parameters with intervals, fit statistics, residuals."""
        pct = f"{100 * self.level:g}%"
        method = {"profile": "profile-likelihood", "bootstrap": "residual-bootstrap"}.get(self.interval_method, "")
        lines = ["Rollout calibration (least squares on connected-village counts)"]
        if self.description:
            lines.append(self.description)
        lines.append(f"parameters, with {pct} {method} intervals:" if method else "parameters (point fit):")
        width = max(len(p) for p in self.param_names)
        for j, name in enumerate(self.param_names):
            lo, hi = self.interval[j]
            if not method:
                lines.append(f"  {name:<{width}} = {self.params[j]:.6g}")
                continue
            lo_s = ("<=" if self.interval_at_bound[j, 0] else "") + f"{lo:.6g}"
            hi_s = (">=" if self.interval_at_bound[j, 1] else "") + f"{hi:.6g}"
            lines.append(f"  {name:<{width}} = {self.params[j]:.6g}   [{lo_s}, {hi_s}]")
        if self.interval_at_bound.any():
            lines.append("  (<= / >=: the interval reaches the search bound)")
        m = self.observed_counts.shape[0]
        lines.append(
            f"observations: {m}   SSE: {self.sse:.6g}   RMSE: {self.rmse:.4g} villages"
            f"   model evaluations: {self.n_evaluations}"
        )
        lines.append(f"  {'month':>8} {'observed':>9} {'fitted':>9} {'residual':>9}")
        for mo, ob, fi, re in zip(
            self.observed_months.tolist(),
            self.observed_counts.tolist(),
            self.fitted_counts.tolist(),
            self.residuals.tolist(),
            strict=True,
        ):
            lines.append(f"  {mo:>8g} {ob:>9g} {fi:>9.4g} {re:>9.4g}")
        return "\n".join(lines)
