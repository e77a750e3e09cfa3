"""Calibrating a rollout to observed counts of connected villages.

:func:`fit_rollout` fits the free parameters of any model
``model(params, months) -> counts`` to observed counts by least squares;
:func:`fit_budget` is the common case: the monthly budget (and optionally the
build capacity) of :func:`smartkampung.sim.rollout.schedule` so that the
simulated connected-village curve matches the observations.
:func:`smartkampung.datasets.banyuwangi_observations` holds the public Smart
Kampung counts.

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

``interval=None``: a point fit only (the scan, refinement and centring); the
interval is NaN. Much faster: the profile needs a search per parameter and
grid point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from smartkampung._deprecation import renamed_arguments
from smartkampung._errors import ParameterError
from smartkampung._typing import SeedLike, as_generator
from smartkampung._validation import as_float_array, as_int_array, check_bool, check_choice, check_float, check_int
from smartkampung.sim._calibration_result import CalibrationResult
from smartkampung.sim._search import ModelFunction, Objective, centre, default_grid, minimise, profile_interval
from smartkampung.sim.policies import Priority
from smartkampung.sim.rollout import RolloutOrder, per_month, rollout_order

__all__ = ["CalibrationResult", "ModelFunction", "fit_budget", "fit_rollout"]


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
        raise ParameterError(
            "observed_counts", f"must have the same shape as observed_months {mon.shape}, got {cnt.shape}", function=fn
        )
    if not np.all(np.isfinite(cnt)):
        raise ParameterError("observed_counts", "must be finite", function=fn)
    if np.min(cnt) < 0:
        raise ParameterError("observed_counts", f"must be >= 0 (minimum is {np.min(cnt)!r})", function=fn)
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
    interval: Literal["profile", "bootstrap"] | None = "profile",
    level: float = 0.95,
    n_grid: int | None = None,
    n_profile: int = 41,
    n_bootstrap: int = 200,
    rng: SeedLike = None,
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
    interval : {"profile", "bootstrap"} or None, default "profile"
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
    if interval is not None:
        check_choice(interval, "interval", fn, ("profile", "bootstrap"))
    level = check_float(level, "level", fn, minimum=0.0, maximum=1.0, exclusive_minimum=True, exclusive_maximum=True)
    ng = default_grid(k) if n_grid is None else check_int(n_grid, "n_grid", fn, minimum=3)
    check_int(n_profile, "n_profile", fn, minimum=3)
    check_int(n_bootstrap, "n_bootstrap", fn, minimum=10)
    obj = Objective(model, months, lo, hi, log, fn)
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
    u_hat, f_min = minimise(sse, k, ng, starts)
    u_hat = centre(sse, u_hat, f_min, step)
    f_min = sse(u_hat)

    m = y.shape[0]
    ends = np.full((k, 2), np.nan)
    at_bound = np.zeros((k, 2), dtype=bool)
    if interval is None:
        pass  # a point fit: no interval work
    elif interval == "profile":
        threshold = f_min * math.exp(float(stats.chi2.ppf(level, 1)) / m)
        for j in range(k):
            ends_u, flags = profile_interval(sse, u_hat, j, k, threshold, ng, n_profile)
            ends[j] = obj.to_params(np.full(k, ends_u[0]))[j], obj.to_params(np.full(k, ends_u[1]))[j]
            at_bound[j] = flags
    else:
        gen = as_generator(rng, fn)
        fitted_hat = obj.predict(u_hat)
        resid = y - fitted_hat
        draws = np.empty((n_bootstrap, k))
        for r in range(n_bootstrap):
            y_star = fitted_hat + gen.choice(resid, size=m, replace=True)

            def sse_star(u: NDArray[np.float64], y_star: NDArray[np.float64] = y_star) -> float:
                return obj.sse(u, y_star)

            u_b, f_b = minimise(sse_star, k, ng, [u_hat])
            u_b = centre(sse_star, u_b, f_b, step)
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
        param_names=names,
        params=theta,
        interval=ends,
        interval_at_bound=at_bound,
        interval_method=interval or "none",
        level=float(level),
        bounds=b.copy(),
        observed_months=months.copy(),
        observed_counts=y.copy(),
        fitted_counts=fitted.copy(),
        residuals=resid,
        sse=sse_val,
        rmse=math.sqrt(sse_val / m),
        n_evaluations=obj.n_evaluations,
        model=model,
        description=description,
    )


# --------------------------------------------------------------------------- #
# fit_budget: the common case
# --------------------------------------------------------------------------- #


@renamed_arguments("capex_idr")
def fit_budget(
    parent: ArrayLike,
    capex: ArrayLike,
    observed_months: ArrayLike,
    observed_counts: ArrayLike,
    *,
    budget_bounds: tuple[float, float],
    build_km_bounds: tuple[float, float] | None = None,
    link_km: ArrayLike | None = None,
    priority: Priority = "population",
    population: ArrayLike | None = None,
    idm_composite: ArrayLike | None = None,
    already_connected: ArrayLike | None = None,
    carry_over: bool = True,
    carry_over_km: bool | None = None,
    strict: bool = True,
    drop_unaffordable: bool = True,
    interval: Literal["profile", "bootstrap"] | None = "profile",
    level: float = 0.95,
    n_grid: int | None = None,
    n_bootstrap: int = 200,
    rng: SeedLike = None,
) -> CalibrationResult:
    """Fit a constant monthly budget (and optionally build capacity) to connected-village counts.

    The model is :func:`~smartkampung.sim.rollout.schedule` with the given
    tree, costs and policy; its count at month ``t`` is the number of villages
    connected by the end of month ``t``, already-connected ones included
    (``RolloutSchedule.connected_count()[t]``). The policy order is computed
    once.

    Parameters
    ----------
    parent, capex, link_km, priority, population, idm_composite, already_connected, \
carry_over, carry_over_km, strict, drop_unaffordable
        As in :func:`~smartkampung.sim.rollout.schedule`.
    observed_months : array_like of int, shape (m,)
        Strictly increasing whole months >= 0: each count is the number
        connected by the end of that month. [month]
    observed_counts : array_like, shape (m,)
        Observed counts of connected villages, >= 0. [villages]
    budget_bounds : (float, float)
        Search range of the budget, ``0 <= low < high``, in the currency of ``capex``. [currency/month]
    build_km_bounds : (float, float), optional
        If given, the build capacity is fitted too, in this range
        (``0 <= low < high``); needs ``link_km``. [km/month]
    interval, level, n_grid, n_bootstrap, rng
        As in :func:`fit_rollout`.

    Returns
    -------
    CalibrationResult
        Parameters ``("budget_per_month",)`` or
        ``("budget_per_month", "build_km_per_month")``. Its
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
    carry = check_bool(carry_over, "carry_over", fn)
    carry_km = carry if carry_over_km is None else check_bool(carry_over_km, "carry_over_km", fn)
    strict_b = check_bool(strict, "strict", fn)
    drop = check_bool(drop_unaffordable, "drop_unaffordable", fn)
    bnds = [_check_bounds(budget_bounds, "budget_bounds", fn)]
    names = ["budget_per_month"]
    if build_km_bounds is not None:
        if link_km is None:
            raise ParameterError("link_km", "is required when build_km_bounds is given", function=fn)
        bnds.append(_check_bounds(build_km_bounds, "build_km_bounds", fn))
        names.append("build_km_per_month")
    prep = rollout_order(
        parent,
        capex,
        priority=priority,
        population=population,
        idm_composite=idm_composite,
        link_km=link_km,
        already_connected=already_connected,
        function=fn,
    )
    n_already = int(prep.already_connected.sum())
    fit_km = build_km_bounds is not None

    def model(params: NDArray[np.float64], months: NDArray[Any]) -> NDArray[np.float64]:
        mm = as_int_array(months, "months", "fit_budget model")
        if mm.size and np.min(mm) < 0:
            raise ParameterError("months", "must be whole months >= 0", function="fit_budget model")
        t_max = int(np.max(mm)) + 1
        budget = per_month(float(params[0]), t_max, "budget_per_month", fn)
        cap = per_month(float(params[1]), t_max, "build_km_per_month", fn) if fit_km else None
        month_pos = prep.positions_months(
            budget, cap, carry_over=carry, carry_over_km=carry_km, strict=strict_b, drop_unaffordable=drop
        )
        within = month_pos[month_pos < t_max]
        counts = np.cumsum(np.bincount(within, minlength=t_max)) + n_already
        return counts[mm].astype(np.float64)

    cands = None
    if strict_b and carry and not fit_km:
        cands = _budget_candidates(
            prep, mon, as_float_array(observed_counts, "observed_counts", fn), bnds[0], n_already, drop
        )
    policy = prep.policy
    desc = (
        f"model: rollout.schedule, policy {policy!r}, "
        f"{'strict' if strict_b else 'greedy'} order, carry-over {carry}"
        f"{f', km carry-over {carry_km}' if fit_km else ''}; {prep.n_villages} villages, "
        f"{n_already} already connected"
    )
    return fit_rollout(
        model,
        mon,
        observed_counts,
        bounds=np.array(bnds),
        param_names=names,
        candidates=cands,
        interval=interval,
        level=level,
        n_grid=n_grid,
        n_bootstrap=n_bootstrap,
        rng=rng,
        description=desc,
    )


def _budget_candidates(
    prep: RolloutOrder,
    months: NDArray[np.int64],
    counts: NDArray[np.float64],
    bounds: tuple[float, float],
    n_already: int,
    drop: bool,
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
        raise ParameterError(name, f"must be (low, high) with 0 <= low < high, got {value!r}", function=fn)
    return float(arr[0]), float(arr[1])
