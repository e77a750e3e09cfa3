"""The search behind :func:`smartkampung.sim.calibrate.fit_rollout`: global-then-local on the unit cube.

A rollout count curve is a step function of its parameters, so the search
scans a grid, refines locally (bounded Brent in 1-D, Nelder–Mead above),
centres the estimate on flat stretches, and finds profile-interval ends by
bisection. See the module notes of :mod:`smartkampung.sim.calibrate`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize

from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array

ModelFunction = Callable[[NDArray[np.float64], NDArray[Any]], ArrayLike]
"""``model(params (k,), months (m,)) -> counts (m,)``."""


class Objective:
    """SSE on the unit cube, with a cache of model predictions and an evaluation count."""

    def __init__(
        self,
        model: ModelFunction,
        months: NDArray[Any],
        lo: NDArray[np.float64],
        hi: NDArray[np.float64],
        log: NDArray[np.bool_],
        fn: str,
    ) -> None:
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
            lg = np.exp(
                np.log(np.where(self.log, self.lo, 1.0))
                + u * (np.log(np.where(self.log, self.hi, 1.0)) - np.log(np.where(self.log, self.lo, 1.0)))
            )
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
            raise ParameterError(
                "model",
                f"returned shape {out.shape} for {self.months.shape[0]} "
                "observed months; it must return one count per month",
                function=self.fn,
            )
        if not np.all(np.isfinite(out)):
            raise ParameterError("model", f"returned non-finite counts at params {theta!r}", function=self.fn)
        self.cache[key] = out
        return out

    def sse(self, u: NDArray[np.float64], y: NDArray[np.float64]) -> float:
        r = self.predict(u) - y
        return float(r @ r)


def grid_axis(n: int) -> NDArray[np.float64]:
    return np.linspace(0.0, 1.0, n)


def minimise(
    f: Callable[[NDArray[np.float64]], float], k: int, n_grid: int, starts: Sequence[NDArray[np.float64]] = ()
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

    axis = grid_axis(n_grid)
    step = axis[1] - axis[0]
    if k == 1:
        vals = np.array([consider(np.array([a])) for a in axis])
        for s in starts:
            consider(s)
        i = int(np.argmin(vals))
        centre = float(best_u[0]) if best_f < vals[i] else float(axis[i])
        a, b = max(centre - step, 0.0), min(centre + step, 1.0)
        res = optimize.minimize_scalar(
            lambda x: consider(np.array([x])), bounds=(a, b), method="bounded", options={"xatol": 1e-10}
        )
        consider(np.array([float(res.x)]))
    else:
        for point in itertools.product(axis, repeat=k):
            consider(np.array(point))
        for s in starts:
            consider(s)
        x0 = best_u.copy()
        simplex = np.vstack([x0] + [x0 + step * np.eye(k)[j] * (1 if x0[j] + step <= 1 else -1) for j in range(k)])
        optimize.minimize(
            consider,
            x0,
            method="Nelder-Mead",
            bounds=[(0.0, 1.0)] * k,
            options={"initial_simplex": simplex, "xatol": 1e-9, "fatol": 0.0, "maxiter": 400 * k, "maxfev": 800 * k},
        )
    return best_u, best_f


def _inside(value: float, threshold: float) -> bool:
    return value <= threshold + 1e-12 * max(threshold, 1.0)


def _bisect_edge(
    g: Callable[[float], float], inside: float, outside: float, threshold: float, n_iter: int = 45
) -> float:
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


def _plateau_edges(
    g: Callable[[float], float], u0: float, threshold: float, step: float
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


def centre(
    f: Callable[[NDArray[np.float64]], float], u: NDArray[np.float64], f_min: float, step: float
) -> NDArray[np.float64]:
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


def default_grid(k: int) -> int:
    defaults = {1: 401, 2: 41}
    return defaults[k] if k in defaults else max(5, round(3000.0 ** (1.0 / k)))


def profile_interval(
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

        grid = grid_axis(n_grid)
    else:
        inner_grid = default_grid(k - 1) if k > 2 else 21
        others = [i for i in range(k) if i != j]

        def prof(x: float) -> float:
            def g(v: NDArray[np.float64]) -> float:
                w = np.empty(k)
                w[j] = x
                w[others] = v
                return sse(w)

            return minimise(g, k - 1, inner_grid, [u_hat[others]])[1]

        grid = grid_axis(n_profile)
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
