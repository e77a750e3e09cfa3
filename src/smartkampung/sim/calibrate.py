"""Calibrating a rollout to observed counts of connected villages.

:func:`fit_rollout` fits the free parameters of any model
``model(params, months) -> counts`` to observed counts by least squares;
:func:`fit_budget` is the common case: the monthly budget (and optionally the
build capacity) of :func:`smartkampung.sim.rollout.schedule` so that the
simulated connected-village curve matches the observations.
:func:`banyuwangi_observations` holds the public Smart Kampung counts.

Method
------
The objective is the sum of squared residuals ``SSE(θ) = Σ (model(θ)_i −
observed_i)²``. A rollout count curve is a step function of the budget (a
village is connected in a month or not), so gradients are useless and a local
optimiser started anywhere can sit on a flat step. Each parameter is searched
on ``[low, high]`` mapped to the unit interval (linearly, or logarithmically
when ``low > 0`` and ``high / low >= 100``):

1. *Bracketing scan*: SSE on a regular grid (``n_grid`` points per parameter,
   plus ``initial`` and any ``candidates``); the best point locates the
   global basin. A grid can step over a narrow optimal stretch; where the
   breakpoints of the step function are known, pass points between them as
   ``candidates`` (:func:`fit_budget` does this itself for the strict,
   carry-over, money-only model, where the count at month ``t`` jumps exactly
   at budgets ``C_k / (t + 1)``, ``C_k`` the cumulative cost of the first
   ``k`` villages in policy order, which makes its 1-D fit exact wherever
   no village is dropped as unaffordable, i.e. for budgets of at least the
   largest village cost divided by the number of months).
2. *Refinement*: for one parameter, bounded Brent minimisation
   (:func:`scipy.optimize.minimize_scalar`, ``method="bounded"``) between the
   two grid neighbours of the best point; for several, Nelder–Mead
   (:func:`scipy.optimize.minimize`) within the bounds, started from the best
   grid point with a simplex one grid step wide. The best point seen anywhere
   is kept, so refinement never makes the fit worse.
3. *Plateau centring*: where SSE is flat around the optimum (a step), each
   parameter is moved, with the others fixed, to the middle of the flat
   stretch on the search scale (the geometric middle on a log scale; edges
   found by bisection), so the estimate does not depend on where the search
   happened to land.

Uncertainty
-----------
``interval="profile"`` (default): a profile-likelihood interval assuming
independent Gaussian errors of unknown variance. With ``m`` observations and
``σ²`` profiled out, ``−2 log LR = m log(SSE_p(θ_j) / SSE_min)``, so the
interval is the set of ``θ_j`` with ``SSE_p(θ_j) <= SSE_min ×
exp(χ²₁(level) / m)``, where ``SSE_p`` is the SSE minimised over the other
parameters. Its ends are the outermost profile-grid points inside that set,
refined by bisection (the hull, if the set is not one interval). When the fit
is exact (``SSE_min = 0``) the interval is the set of values that reproduce
the observations exactly.

``interval="bootstrap"``: a residual bootstrap: ``n_bootstrap`` data sets
``fitted + resampled residuals`` are refitted and the interval is their
percentile interval. It collapses to the estimate when the fit is exact.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from smartkampung._arrays import ARRAY_EQ, readonly_array
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, as_int_array
from smartkampung.sim.rollout import (
    PolicyInputs,
    PolicyName,
    _check_bool,
    _per_month,
    _prepare,
    _walk_greedy,
    _walk_strict,
)

__all__ = [
    "BANYUWANGI_START",
    "CalibrationResult",
    "RolloutObservations",
    "banyuwangi_observations",
    "fit_budget",
    "fit_rollout",
    "months_elapsed",
    "observation_month",
]

ModelFunction = Callable[[NDArray[np.float64], NDArray[Any]], ArrayLike]
"""``model(params (k,), months (m,)) -> counts (m,)``."""

BANYUWANGI_START: Final[_dt.date] = _dt.date(2016, 5, 31)
"""Launch of Smart Kampung, month 0 of its rollout (merdeka-2016-05-31)."""

_DAYS_PER_MONTH: Final[float] = 365.25 / 12.0


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _date_tuple(value: Iterable[_dt.date]) -> tuple[_dt.date, ...]:
    return tuple(value)




# --------------------------------------------------------------------------- #
# Result
# --------------------------------------------------------------------------- #


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
        Lower and upper ends of each parameter's interval.
    interval_at_bound : ndarray of bool, shape (k, 2)
        True where an end of the interval is the search bound, i.e. the data
        do not bound the parameter on that side within ``bounds``.
    interval_method : str
        ``"profile"`` (profile likelihood) or ``"bootstrap"`` (residual
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
            raise ParameterError("model", f"returned shape {out.shape}, expected {mon.shape}",
                                 function=fn)
        return out

    def summary(self) -> str:
        """A readable report: parameters with intervals, fit statistics, residuals."""
        pct = f"{100 * self.level:g}%"
        method = ("profile-likelihood" if self.interval_method == "profile"
                  else "residual-bootstrap")
        lines = ["Rollout calibration (least squares on connected-village counts)"]
        if self.description:
            lines.append(self.description)
        lines.append(f"parameters, with {pct} {method} intervals:")
        width = max(len(p) for p in self.param_names)
        for j, name in enumerate(self.param_names):
            lo, hi = self.interval[j]
            lo_s = ("<=" if self.interval_at_bound[j, 0] else "") + f"{lo:.6g}"
            hi_s = (">=" if self.interval_at_bound[j, 1] else "") + f"{hi:.6g}"
            lines.append(f"  {name:<{width}} = {self.params[j]:.6g}   [{lo_s}, {hi_s}]")
        if self.interval_at_bound.any():
            lines.append("  (<= / >=: the interval reaches the search bound)")
        m = self.observed_counts.shape[0]
        lines.append(f"observations: {m}   SSE: {self.sse:.6g}   RMSE: {self.rmse:.4g} villages"
                     f"   model evaluations: {self.n_evaluations}")
        lines.append(f"  {'month':>8} {'observed':>9} {'fitted':>9} {'residual':>9}")
        for mo, ob, fi, re in zip(self.observed_months.tolist(), self.observed_counts.tolist(),
                                  self.fitted_counts.tolist(), self.residuals.tolist(),
                                  strict=True):
            lines.append(f"  {mo:>8g} {ob:>9g} {fi:>9.4g} {re:>9.4g}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- #
# The optimiser
# --------------------------------------------------------------------------- #


class _Objective:
    """SSE on the unit cube, with a cache of model predictions and an evaluation count."""

    def __init__(self, model: ModelFunction, months: NDArray[Any], lo: NDArray[np.float64],
                 hi: NDArray[np.float64], log: NDArray[np.bool_], fn: str) -> None:
        self.model = model
        self.months = months
        self.lo, self.hi, self.log = lo, hi, log
        self.fn = fn
        self.cache: dict[tuple[float, ...], NDArray[np.float64]] = {}
        self.n_evaluations = 0

    def to_params(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        u = np.clip(u, 0.0, 1.0)
        lin = self.lo + u * (self.hi - self.lo)
        with np.errstate(divide="ignore"):
            lg = np.exp(np.log(np.where(self.log, self.lo, 1.0))
                        + u * (np.log(np.where(self.log, self.hi, 1.0))
                               - np.log(np.where(self.log, self.lo, 1.0))))
        out = np.where(self.log, lg, lin)
        # keep the exact bounds at the ends of the unit interval
        out = np.where(u <= 0.0, self.lo, np.where(u >= 1.0, self.hi, out))
        return np.asarray(out, dtype=np.float64)

    def to_unit(self, params: NDArray[np.float64]) -> NDArray[np.float64]:
        lin = (params - self.lo) / (self.hi - self.lo)
        safe_lo = np.where(self.log, self.lo, 1.0)
        safe_hi = np.where(self.log, self.hi, 2.0)
        safe_p = np.where(self.log, params, 1.0)
        lg = np.log(safe_p / safe_lo) / np.log(safe_hi / safe_lo)
        return np.clip(np.where(self.log, lg, lin), 0.0, 1.0)

    def predict(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        key = tuple(np.clip(u, 0.0, 1.0).tolist())
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        theta = self.to_params(np.asarray(key, dtype=np.float64))
        self.n_evaluations += 1
        out = as_float_array(self.model(theta, self.months), "model", self.fn)
        if out.shape != self.months.shape:
            raise ParameterError("model", f"returned shape {out.shape} for {self.months.shape[0]} "
                                 "observed months; it must return one count per month",
                                 function=self.fn)
        if not np.all(np.isfinite(out)):
            raise ParameterError("model", f"returned non-finite counts at params {theta!r}",
                                 function=self.fn)
        self.cache[key] = out
        return out

    def sse(self, u: NDArray[np.float64], y: NDArray[np.float64]) -> float:
        r = self.predict(u) - y
        return float(r @ r)


def _grid_axis(n: int) -> NDArray[np.float64]:
    return np.linspace(0.0, 1.0, n)


def _minimise(
    f: Callable[[NDArray[np.float64]], float],
    k: int,
    n_grid: int,
    starts: Sequence[NDArray[np.float64]] = (),
) -> tuple[NDArray[np.float64], float]:
    """Global-then-local minimisation of *f* on the unit cube [0, 1]^k."""
    best_u: NDArray[np.float64] = np.zeros(k)
    best_f = math.inf

    def consider(u: NDArray[np.float64]) -> float:
        nonlocal best_u, best_f
        u = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
        val = f(u)
        if val < best_f:
            best_u, best_f = u.copy(), val
        return val

    axis = _grid_axis(n_grid)
    step = axis[1] - axis[0]
    if k == 1:
        vals = np.array([consider(np.array([a])) for a in axis])
        for s in starts:
            consider(s)
        i = int(np.argmin(vals))
        centre = float(best_u[0]) if best_f < vals[i] else float(axis[i])
        a, b = max(centre - step, 0.0), min(centre + step, 1.0)
        res = optimize.minimize_scalar(lambda x: consider(np.array([x])), bounds=(a, b),
                                       method="bounded", options={"xatol": 1e-10})
        consider(np.array([float(res.x)]))
    else:
        for point in itertools.product(axis, repeat=k):
            consider(np.array(point))
        for s in starts:
            consider(s)
        x0 = best_u.copy()
        simplex = np.vstack([x0] + [x0 + step * np.eye(k)[j] * (1 if x0[j] + step <= 1 else -1)
                                    for j in range(k)])
        optimize.minimize(consider, x0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * k,
                          options={"initial_simplex": simplex, "xatol": 1e-9, "fatol": 0.0,
                                   "maxiter": 400 * k, "maxfev": 800 * k})
    return best_u, best_f


def _inside(value: float, threshold: float) -> bool:
    return value <= threshold + 1e-12 * max(threshold, 1.0)


def _bisect_edge(g: Callable[[float], float], inside: float, outside: float, threshold: float,
                 n_iter: int = 45) -> float:
    """The last point inside {g <= threshold} between an inside and an outside point."""
    for _ in range(n_iter):
        if abs(outside - inside) < 1e-12:
            break
        mid = 0.5 * (inside + outside)
        if _inside(g(mid), threshold):
            inside = mid
        else:
            outside = mid
    return inside


def _plateau_edges(g: Callable[[float], float], u0: float, threshold: float, step: float
                   ) -> tuple[float, float, bool, bool]:
    """Edges of the stretch of {g <= threshold} around u0 (u0 inside); flags at bound."""
    ends: list[float] = []
    flags: list[bool] = []
    for direction in (-1.0, 1.0):
        inside, d = u0, step
        while True:
            cand = min(max(u0 + direction * d, 0.0), 1.0)
            if not _inside(g(cand), threshold):
                ends.append(_bisect_edge(g, inside, cand, threshold))
                flags.append(False)
                break
            inside = cand
            if cand in (0.0, 1.0):
                ends.append(cand)
                flags.append(True)
                break
            d *= 2.0
    return ends[0], ends[1], flags[0], flags[1]


def _centre(f: Callable[[NDArray[np.float64]], float], u: NDArray[np.float64], f_min: float,
            step: float) -> NDArray[np.float64]:
    """Move each coordinate to the middle of the flat stretch of *f* around *u*."""
    u = u.copy()
    for j in range(u.shape[0]):
        def along(x: float, j: int = j) -> float:
            v = u.copy()
            v[j] = x
            return f(v)
        left, right, _, _ = _plateau_edges(along, float(u[j]), f_min, step)
        mid = 0.5 * (left + right)
        if _inside(along(mid), f_min):
            u[j] = mid
    return u


def _default_grid(k: int) -> int:
    defaults = {1: 401, 2: 41}
    return defaults[k] if k in defaults else max(5, round(3000.0 ** (1.0 / k)))


# --------------------------------------------------------------------------- #
# fit_rollout
# --------------------------------------------------------------------------- #


def _check_observations(months: Any, counts: Any, fn: str) -> tuple[NDArray[Any], NDArray[np.float64]]:
    mon = np.asarray(months)
    if mon.dtype.kind not in "iu":
        mon = as_float_array(months, "observed_months", fn)
    if mon.ndim != 1 or mon.size == 0:
        raise ParameterError("observed_months", "must be a non-empty 1-D array", function=fn)
    if mon.dtype.kind == "f" and not np.all(np.isfinite(mon)):
        raise ParameterError("observed_months", "must be finite", function=fn)
    if np.any(np.diff(mon) <= 0):
        raise ParameterError("observed_months", "must be strictly increasing", function=fn)
    cnt = as_float_array(counts, "observed_counts", fn)
    if cnt.shape != mon.shape:
        raise ParameterError("observed_counts", f"must have the same shape as observed_months "
                             f"{mon.shape}, got {cnt.shape}", function=fn)
    if not np.all(np.isfinite(cnt)):
        raise ParameterError("observed_counts", "must be finite", function=fn)
    if np.min(cnt) < 0:
        raise ParameterError("observed_counts", f"must be >= 0 (minimum is {np.min(cnt)!r})",
                             function=fn)
    return mon, cnt


def fit_rollout(
    model: ModelFunction,
    observed_months: ArrayLike,
    observed_counts: ArrayLike,
    *,
    bounds: ArrayLike,
    initial: ArrayLike | None = None,
    candidates: ArrayLike | None = None,
    param_names: Sequence[str] | None = None,
    scale: Sequence[Literal["linear", "log"]] | None = None,
    interval: Literal["profile", "bootstrap"] = "profile",
    level: float = 0.95,
    n_grid: int | None = None,
    n_profile: int = 41,
    n_bootstrap: int = 200,
    rng: int | np.random.Generator | None = None,
    description: str = "",
) -> CalibrationResult:
    """Fit a rollout model's free parameters to observed counts by least squares.

    Parameters
    ----------
    model : callable
        ``model(params, months) -> counts``: ``params`` an ndarray of shape
        (k,), ``months`` an ndarray of shape (m,) (the observed months during
        the fit, any months in :meth:`CalibrationResult.project`); returns
        finite counts of shape (m,). [villages]
    observed_months : array_like, shape (m,)
        Strictly increasing months of the observations, in the model's
        convention. [month]
    observed_counts : array_like, shape (m,)
        Observed counts, >= 0. [villages]
    bounds : array_like, shape (k, 2)
        ``(low, high)`` per parameter, finite, ``low < high``. The search
        never leaves them.
    initial : array_like, shape (k,), optional
        A starting guess inside the bounds, added to the scan.
    candidates : array_like, shape (c, k), optional
        More points to add to the scan, inside the bounds (shape (c,) is
        accepted when k = 1).
    param_names : sequence of str, optional
        Default ``("theta0", "theta1", ...)``.
    scale : sequence of {"linear", "log"}, optional
        Search scale per parameter. Default: ``"log"`` where ``low > 0`` and
        ``high / low >= 100``, else ``"linear"``.
    interval : {"profile", "bootstrap"}, default "profile"
        How the uncertainty is computed (see the module docstring).
    level : float, default 0.95
        Confidence level, in (0, 1).
    n_grid : int, optional
        Scan points per parameter (>= 3); default 401 for one parameter, 41
        for two, about ``3000 ** (1/k)`` beyond.
    n_profile : int, default 41
        Profile grid points per parameter when k >= 2 (>= 3).
    n_bootstrap : int, default 200
        Bootstrap replicates (>= 10).
    rng : int or numpy.random.Generator, optional
        Seed or generator for the bootstrap (SPEC 7); unused for "profile".
    description : str, optional
        Free text for :meth:`CalibrationResult.summary`.

    Returns
    -------
    CalibrationResult

    Raises
    ------
    ParameterError
        On mismatched lengths, months not strictly increasing, negative or
        non-finite counts, malformed bounds or initial values, a bad option,
        or a model returning the wrong shape or non-finite counts.
    """
    fn = "fit_rollout"
    if not callable(model):
        raise ParameterError("model", "must be callable as model(params, months)", function=fn)
    months, y = _check_observations(observed_months, observed_counts, fn)
    b = as_float_array(bounds, "bounds", fn)
    if b.ndim == 1 and b.shape == (2,):
        b = b[None, :]
    if b.ndim != 2 or b.shape[1] != 2 or b.shape[0] < 1:
        raise ParameterError("bounds", f"must have shape (k, 2), got {b.shape}", function=fn)
    if not np.all(np.isfinite(b)):
        raise ParameterError("bounds", "must be finite", function=fn)
    if np.any(b[:, 0] >= b[:, 1]):
        raise ParameterError("bounds", "each low must be < its high", function=fn)
    k = b.shape[0]
    lo, hi = b[:, 0].copy(), b[:, 1].copy()
    names = tuple(f"theta{j}" for j in range(k)) if param_names is None else tuple(param_names)
    if len(names) != k or not all(isinstance(s, str) for s in names):
        raise ParameterError("param_names", f"must be {k} strings", function=fn)
    if scale is None:
        log = (lo > 0) & (hi / np.where(lo > 0, lo, 1.0) >= 100.0)
    else:
        sc = tuple(scale)
        if len(sc) != k or any(s not in ("linear", "log") for s in sc):
            raise ParameterError("scale", f"must be {k} of 'linear' or 'log'", function=fn)
        log = np.array([s == "log" for s in sc])
        if np.any(log & (lo <= 0)):
            raise ParameterError("scale", "'log' needs a positive lower bound", function=fn)
    if interval not in ("profile", "bootstrap"):
        raise ParameterError("interval", f"must be 'profile' or 'bootstrap', got {interval!r}",
                             function=fn)
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0.0 < level < 1.0:
        raise ParameterError("level", f"must be a number in (0, 1), got {level!r}", function=fn)
    ng = _default_grid(k) if n_grid is None else n_grid
    for name, val, low in (("n_grid", ng, 3), ("n_profile", n_profile, 3),
                           ("n_bootstrap", n_bootstrap, 10)):
        if isinstance(val, bool) or not isinstance(val, int) or val < low:
            raise ParameterError(name, f"must be an integer >= {low}, got {val!r}", function=fn)
    obj = _Objective(model, months, lo, hi, log, fn)
    starts: list[NDArray[np.float64]] = []
    if initial is not None:
        x0 = np.atleast_1d(as_float_array(initial, "initial", fn))
        if x0.shape != (k,) or not np.all(np.isfinite(x0)):
            raise ParameterError("initial", f"must be {k} finite values", function=fn)
        if np.any(x0 < lo) or np.any(x0 > hi):
            raise ParameterError("initial", "must lie within bounds", function=fn)
        starts.append(obj.to_unit(x0))
    if candidates is not None:
        cand = as_float_array(candidates, "candidates", fn)
        if k == 1 and cand.ndim == 1:
            cand = cand[:, None]
        if cand.ndim != 2 or cand.shape[1] != k or not np.all(np.isfinite(cand)):
            raise ParameterError("candidates", f"must be finite, of shape (c, {k})", function=fn)
        if np.any(cand < lo) or np.any(cand > hi):
            raise ParameterError("candidates", "must lie within bounds", function=fn)
        starts.extend(obj.to_unit(c) for c in cand)

    def sse(u: NDArray[np.float64]) -> float:
        return obj.sse(u, y)

    step = 1.0 / (ng - 1)
    u_hat, f_min = _minimise(sse, k, ng, starts)
    u_hat = _centre(sse, u_hat, f_min, step)
    f_min = sse(u_hat)

    m = y.shape[0]
    ends = np.empty((k, 2))
    at_bound = np.zeros((k, 2), dtype=bool)
    if interval == "profile":
        threshold = f_min * math.exp(float(stats.chi2.ppf(level, 1)) / m)
        for j in range(k):
            ends_u, flags = _profile_interval(sse, u_hat, j, k, threshold, ng, n_profile)
            ends[j] = obj.to_params(np.full(k, ends_u[0]))[j], obj.to_params(
                np.full(k, ends_u[1]))[j]
            at_bound[j] = flags
    else:
        gen = np.random.default_rng(rng)
        fitted_hat = obj.predict(u_hat)
        resid = y - fitted_hat
        draws = np.empty((n_bootstrap, k))
        for r in range(n_bootstrap):
            y_star = fitted_hat + gen.choice(resid, size=m, replace=True)

            def sse_star(u: NDArray[np.float64], y_star: NDArray[np.float64] = y_star) -> float:
                return obj.sse(u, y_star)

            u_b, f_b = _minimise(sse_star, k, ng, [u_hat])
            u_b = _centre(sse_star, u_b, f_b, step)
            draws[r] = obj.to_params(u_b)
        alpha = 1.0 - level
        ends[:, 0] = np.quantile(draws, alpha / 2, axis=0)
        ends[:, 1] = np.quantile(draws, 1 - alpha / 2, axis=0)
        at_bound[:, 0] = ends[:, 0] <= lo
        at_bound[:, 1] = ends[:, 1] >= hi

    theta = obj.to_params(u_hat)
    fitted = obj.predict(u_hat)
    resid = y - fitted
    sse_val = float(resid @ resid)
    return CalibrationResult(
        param_names=names, params=theta, interval=ends, interval_at_bound=at_bound,
        interval_method=interval, level=float(level), bounds=b.copy(),
        observed_months=months.copy(), observed_counts=y.copy(), fitted_counts=fitted.copy(),
        residuals=resid, sse=sse_val, rmse=math.sqrt(sse_val / m),
        n_evaluations=obj.n_evaluations, model=model, description=description,
    )


def _profile_interval(
    sse: Callable[[NDArray[np.float64]], float],
    u_hat: NDArray[np.float64],
    j: int,
    k: int,
    threshold: float,
    n_grid: int,
    n_profile: int,
) -> tuple[tuple[float, float], tuple[bool, bool]]:
    """Ends (unit scale) of the profile interval of parameter j, and at-bound flags."""
    if k == 1:
        def prof(x: float) -> float:
            return sse(np.array([x]))
        grid = _grid_axis(n_grid)
    else:
        inner_grid = _default_grid(k - 1) if k > 2 else 21
        others = [i for i in range(k) if i != j]

        def prof(x: float) -> float:
            def g(v: NDArray[np.float64]) -> float:
                w = np.empty(k)
                w[j] = x
                w[others] = v
                return sse(w)
            return _minimise(g, k - 1, inner_grid, [u_hat[others]])[1]
        grid = _grid_axis(n_profile)
    pts = np.append(grid, u_hat[j])
    vals = np.array([prof(float(x)) for x in pts])
    ins = np.array([_inside(float(v), threshold) for v in vals])
    ins[-1] = True  # the estimate is inside by construction
    left_in = float(np.min(pts[ins]))
    right_in = float(np.max(pts[ins]))
    out = pts[~ins]
    left_out = out[out < left_in]
    right_out = out[out > right_in]
    n_iter = 40 if k == 1 else 25
    if left_out.size:
        left, left_b = _bisect_edge(prof, left_in, float(left_out.max()), threshold, n_iter), False
    else:
        left, left_b = 0.0, True
    if right_out.size:
        right = _bisect_edge(prof, right_in, float(right_out.min()), threshold, n_iter)
        right_b = False
    else:
        right, right_b = 1.0, True
    return (left, right), (left_b, right_b)


# --------------------------------------------------------------------------- #
# fit_budget: the common case
# --------------------------------------------------------------------------- #


def fit_budget(
    parent: ArrayLike,
    capex_idr: ArrayLike,
    observed_months: ArrayLike,
    observed_counts: ArrayLike,
    *,
    budget_bounds: tuple[float, float],
    build_km_bounds: tuple[float, float] | None = None,
    link_km: ArrayLike | None = None,
    priority: PolicyName | ArrayLike | Callable[[PolicyInputs], ArrayLike] = "population",
    population: ArrayLike | None = None,
    idm_composite: ArrayLike | None = None,
    already_connected: ArrayLike | None = None,
    carry_over: bool = True,
    carry_over_km: bool | None = None,
    strict: bool = True,
    drop_unaffordable: bool = True,
    interval: Literal["profile", "bootstrap"] = "profile",
    level: float = 0.95,
    n_grid: int | None = None,
    n_bootstrap: int = 200,
    rng: int | np.random.Generator | None = None,
) -> CalibrationResult:
    """Fit a constant monthly budget (and optionally build capacity) to connected-village counts.

    The model is :func:`~smartkampung.sim.rollout.schedule` with the given
    tree, costs and policy; its count at month ``t`` is the number of villages
    connected by the end of month ``t``, already-connected ones included
    (``RolloutSchedule.connected_count()[t]``). The policy order is computed
    once.

    Parameters
    ----------
    parent, capex_idr, link_km, priority, population, idm_composite, already_connected, \
carry_over, carry_over_km, strict, drop_unaffordable
        As in :func:`~smartkampung.sim.rollout.schedule`.
    observed_months : array_like of int, shape (m,)
        Strictly increasing whole months >= 0: each count is the number
        connected by the end of that month. [month]
    observed_counts : array_like, shape (m,)
        Observed counts of connected villages, >= 0. [villages]
    budget_bounds : (float, float)
        Search range of the budget, ``0 <= low < high``. [IDR/month]
    build_km_bounds : (float, float), optional
        If given, the build capacity is fitted too, in this range
        (``0 <= low < high``); needs ``link_km``. [km/month]
    interval, level, n_grid, n_bootstrap, rng
        As in :func:`fit_rollout`.

    Returns
    -------
    CalibrationResult
        Parameters ``("budget_idr_per_month",)`` or
        ``("budget_idr_per_month", "build_km_per_month")``. Its
        :meth:`~CalibrationResult.project` gives counts at any whole months.

    Raises
    ------
    ParameterError
        As :func:`schedule` and :func:`fit_rollout`; also for months that are
        not whole numbers >= 0, and for negative bounds.
    """
    fn = "fit_budget"
    mon = as_int_array(observed_months, "observed_months", fn)
    if mon.ndim != 1 or mon.size == 0:
        raise ParameterError("observed_months", "must be a non-empty 1-D array", function=fn)
    if np.min(mon) < 0:
        raise ParameterError("observed_months", "must be >= 0", function=fn)
    carry = _check_bool(carry_over, "carry_over", fn)
    carry_km = carry if carry_over_km is None else _check_bool(carry_over_km, "carry_over_km", fn)
    strict_b = _check_bool(strict, "strict", fn)
    drop = _check_bool(drop_unaffordable, "drop_unaffordable", fn)
    bnds = [_check_bounds(budget_bounds, "budget_bounds", fn)]
    names = ["budget_idr_per_month"]
    if build_km_bounds is not None:
        if link_km is None:
            raise ParameterError("link_km", "is required when build_km_bounds is given",
                                 function=fn)
        bnds.append(_check_bounds(build_km_bounds, "build_km_bounds", fn))
        names.append("build_km_per_month")
    prep = _prepare(parent, capex_idr, priority=priority, population=population,
                    idm_composite=idm_composite, link_km=link_km,
                    already_connected=already_connected, fn=fn)
    n_already = int(prep.already.sum())
    fit_km = build_km_bounds is not None

    def model(params: NDArray[np.float64], months: NDArray[Any]) -> NDArray[np.float64]:
        mm = as_int_array(months, "months", "fit_budget model")
        if mm.size and np.min(mm) < 0:
            raise ParameterError("months", "must be whole months >= 0", function="fit_budget model")
        t_max = int(np.max(mm)) + 1
        budget = _per_month(float(params[0]), t_max, "budget_idr_per_month", fn)
        cap = _per_month(float(params[1]), t_max, "build_km_per_month", fn) if fit_km else None
        if strict_b:
            month_pos = _walk_strict(prep, budget, cap, carry, carry_km, drop)[0]
        else:
            month_pos = _walk_greedy(prep, budget, cap, carry, carry_km)[0]
        within = month_pos[month_pos < t_max]
        counts = np.cumsum(np.bincount(within, minlength=t_max)) + n_already
        return counts[mm].astype(np.float64)

    cands = None
    if strict_b and carry and not fit_km:
        cands = _budget_candidates(prep, mon, as_float_array(observed_counts, "observed_counts", fn),
                                   bnds[0], n_already, drop)
    policy = prep.policy
    desc = (f"model: rollout.schedule, policy {policy!r}, "
            f"{'strict' if strict_b else 'greedy'} order, carry-over {carry}"
            f"{f', km carry-over {carry_km}' if fit_km else ''}; {prep.n} villages, "
            f"{n_already} already connected")
    return fit_rollout(model, mon, observed_counts, bounds=np.array(bnds), param_names=names,
                       candidates=cands, interval=interval, level=level, n_grid=n_grid, n_bootstrap=n_bootstrap,
                       rng=rng, description=desc)


def _budget_candidates(
    prep: Any, months: NDArray[np.int64], counts: NDArray[np.float64],
    bounds: tuple[float, float], n_already: int, drop: bool,
) -> NDArray[np.float64] | None:
    """Budgets between the exact breakpoints of the strict carry-over count curve.

    With nothing dropped, the count by the end of month ``t`` is
    ``n_already + #{k : C_k <= b (t + 1)}``; it is constant between the
    breakpoints ``C_k / (t + 1)``. Nothing is dropped when
    ``b >= max(capex) / n_months`` (or never, without ``drop``). Returns the
    middles of the best stretches (up to 8), or None.
    """
    if counts.shape != months.shape or prep.cost.size == 0:
        return None  # fit_rollout reports the mismatch
    c_cum = np.cumsum(prep.cost)
    t1 = (months + 1).astype(np.float64)
    lo, hi = bounds
    if drop:
        lo = max(lo, float(prep.cost.max()) / float(months.max() + 1))
    if lo >= hi or c_cum.size * t1.size > 4_000_000:
        return None
    bps = (c_cum[:, None] / t1[None, :]).ravel()
    bps = np.unique(np.concatenate([bps[(bps > lo) & (bps < hi)], [lo, hi]]))
    mids = 0.5 * (bps[:-1] + bps[1:])
    sse = np.zeros(mids.shape[0])
    for j in range(t1.shape[0]):
        pred = n_already + np.searchsorted(c_cum, mids * t1[j], side="right")
        sse += (pred - counts[j]) ** 2
    best = np.flatnonzero(sse == sse.min())[:8]
    return np.asarray(mids[best], dtype=np.float64)


def _check_bounds(value: Any, name: str, fn: str) -> tuple[float, float]:
    arr = as_float_array(value, name, fn)
    if arr.shape != (2,) or not np.all(np.isfinite(arr)) or arr[0] < 0 or arr[0] >= arr[1]:
        raise ParameterError(name, f"must be (low, high) with 0 <= low < high, got {value!r}",
                             function=fn)
    return float(arr[0]), float(arr[1])


# --------------------------------------------------------------------------- #
# Observations
# --------------------------------------------------------------------------- #


def months_elapsed(start: _dt.date, date: _dt.date) -> float:
    """Months from *start* to *date*, counting a month as 365.25 / 12 days. [month]"""
    return (date - start).days / _DAYS_PER_MONTH


def observation_month(start: _dt.date, date: _dt.date) -> int:
    """The month index whose end is nearest to *date*.

    A count observed on *date* is compared with the count by the end of month
    ``round(months_elapsed(start, date)) − 1`` (month 0 is the first month
    after *start*); ``-1`` means "at the start".
    """
    return round(months_elapsed(start, date)) - 1


@attrs.frozen
class RolloutObservations:
    """Observed counts of connected villages, with their dates and sources.

    Attributes
    ----------
    start_date : datetime.date
        Month 0 starts here.
    dates : tuple of datetime.date
        Date of each observation.
    months : ndarray of int64, shape (m,)
        ``observation_month(start_date, date)`` for each date. [month]
    counts : ndarray of int64, shape (m,)
        Villages connected. [villages]
    initial_connected : int
        Villages connected at the start. [villages]
    n_villages : int
        The denominator of the counts. [villages]
    sources : tuple of str
        Source key of each observation (see the data sources page).
    notes : tuple of str
        What each observation says, and caveats.
    includes_headline_claim : bool
        Whether the unsourced headline claim is among the observations.
    """

    start_date: _dt.date
    dates: tuple[_dt.date, ...] = attrs.field(converter=_date_tuple)
    months: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    counts: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    initial_connected: int
    n_villages: int
    sources: tuple[str, ...] = attrs.field(converter=_str_tuple)
    notes: tuple[str, ...] = attrs.field(converter=_str_tuple)
    includes_headline_claim: bool


def banyuwangi_observations(*, include_headline_claim: bool = True) -> RolloutObservations:
    """Smart Kampung (Banyuwangi) connected-desa counts, for calibrating a rollout.

    Launch on 31 May 2016 is the start (month 0 begins), with 41 villages
    ready (merdeka-2016-05-31; that count is of "desa/kelurahan", out of 217,
    while the later ones are of the 189 desa). Observations (from
    ``smart_kampung_connectivity.csv``, source keys as in its SOURCES.md):

    ========== ======= ===== ======================= ===================
    date       month   count what                    source
    ========== ======= ===== ======================= ===================
    2017-01-02 6       44    desa running Smart K.   jawapos-2017-01-02
    2017-05-23 11      80    desa running Smart K.   detik-2017-05-23
    2017-09    15      115   desa on fibre optic     infokomputer-2017-09
    2018-05-31 23      167   headline claim          none found
    ========== ======= ===== ======================= ===================

    The September 2017 count has no day; the 15th is assumed. Months follow
    :func:`observation_month` (the count by the end of the month nearest the
    date).

    Parameters
    ----------
    include_headline_claim : bool, default True
        Include "167 of 189 desa by May 2018". **This figure is the project
        brief's; no public source for it was found** (SOURCES.md, "What is
        missing"). It is dated 31 May 2018 here. Pass False to fit the
        sourced counts only.

    Returns
    -------
    RolloutObservations
        Denominator 189 desa, 41 connected at the start.
    """
    inc = _check_bool(include_headline_claim, "include_headline_claim", "banyuwangi_observations")
    rows: list[tuple[_dt.date, int, str, str]] = [
        (_dt.date(2017, 1, 2), 44, "jawapos-2017-01-02",
         "about 44 desa running Smart Kampung; MoU with ICON+ for 145 more"),
        (_dt.date(2017, 5, 23), 80, "detik-2017-05-23",
         "80 of 189 desa running Smart Kampung"),
        (_dt.date(2017, 9, 15), 115, "infokomputer-2017-09",
         "115 of 189 desa connected to fibre optic (September 2017; day assumed 15)"),
    ]
    if inc:
        rows.append((_dt.date(2018, 5, 31), 167, "unsourced-headline-claim",
                     "HEADLINE CLAIM from the project brief, 167 of 189 desa by May 2018; "
                     "no public source found"))
    return RolloutObservations(
        start_date=BANYUWANGI_START,
        dates=tuple(r[0] for r in rows),
        months=np.array([observation_month(BANYUWANGI_START, r[0]) for r in rows],
                        dtype=np.int64),
        counts=np.array([r[1] for r in rows], dtype=np.int64),
        initial_connected=41,
        n_villages=189,
        sources=tuple(r[2] for r in rows),
        notes=tuple(r[3] for r in rows),
        includes_headline_claim=inc,
    )
