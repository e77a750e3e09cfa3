"""The estimators behind :func:`smartkampung.sim.fitting.fit_bass`: the Bass curve, its derivatives, OLS, NLS and MLE.

Private: :mod:`smartkampung.sim.fitting` is the interface and documents the
methods.
"""

from __future__ import annotations

import math
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

from smartkampung._arrays import ARRAY_EQ, readonly_float
from smartkampung._errors import ParameterError

#: Lower bound on ``p`` during the search [time⁻¹]: ``F`` needs ``p > 0``. A
#: numerical floor, not an estimate (illustrative assumption).
_P_FLOOR: Final[float] = 1e-10
#: Range of the log-space search for ``p`` and ``q`` in "mle" [time⁻¹]
#: (numerical limits, illustrative assumption; ``q`` this small is ``q = 0``).
_LOG_LO: Final[float] = math.log(1e-10)
_LOG_HI: Final[float] = math.log(1e3)
#: Starting grid: ``(p + q) t_n`` and ``q / p`` (numerical choice).
_GRID_BT: Final[NDArray[np.float64]] = np.geomspace(0.05, 40.0, 24)
_GRID_RATIO: Final[NDArray[np.float64]] = np.geomspace(1e-2, 1e4, 24)
#: Fewest observations: three parameters plus one residual degree of freedom.
MIN_POINTS: Final[int] = 4


def optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


@attrs.frozen
class BassRegression:
    """Bass's (1969) regression ``y_t = a + b Y_{t−1} + c Y_{t−1}²`` behind an ``"ols"`` fit.

    Attributes
    ----------
    a, b, c : float
        Coefficients: ``a = p m`` [adopters per period], ``b = q − p``
        [period⁻¹], ``c = −q / m`` [per adopter per period].
    covariance : ndarray of float64, shape (3, 3)
        ``s² (XᵀX)⁻¹`` of ``(a, b, c)``.
    sigma : float
        Residual standard error of the regression, ``sqrt(SSE / (n − 3))``.
        [adopters per period]
    """

    a: float = attrs.field(converter=float)
    b: float = attrs.field(converter=float)
    c: float = attrs.field(converter=float)
    covariance: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    sigma: float = attrs.field(converter=float)


# --------------------------------------------------------------------------- #
# The curve and its derivatives
# --------------------------------------------------------------------------- #


def bass_f(t: NDArray[np.float64], p: Any, q: Any) -> NDArray[np.float64]:
    """Unit Bass cdf ``F(t)`` for ``t`` (any shape) and ``p > 0``, ``q >= 0`` broadcast against it."""
    tt = np.maximum(t, 0.0)
    b = p + q
    e = np.exp(-b * tt)
    out: NDArray[np.float64] = -np.expm1(-b * tt) / (1.0 + (q / p) * e)
    return out


def bass_f_grad(
    t: NDArray[np.float64], p: float, q: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """``F(t)``, ``∂F/∂p`` and ``∂F/∂q`` for scalar ``p > 0``, ``q >= 0``.

    With ``b = p + q``, ``a = q / p``, ``E = e^{−bt}``, ``D = 1 + aE``:
    ``∂F/∂b = tE(1 + a)/D²``, ``∂F/∂a = −(1 − E)E/D²``, ``∂a/∂p = −q/p²``,
    ``∂a/∂q = 1/p``.
    """
    tt = np.maximum(t, 0.0)
    b = p + q
    a = q / p
    e = np.exp(-b * tt)
    one_minus_e = -np.expm1(-b * tt)
    d = 1.0 + a * e
    f = one_minus_e / d
    d2 = d * d
    dfdb = tt * e * (1.0 + a) / d2
    dfda = -one_minus_e * e / d2
    return f, dfdb - dfda * q / (p * p), dfdb + dfda / p


def bass_shape(
    t: NDArray[np.float64], p: float, q: float, cumulative: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The unit curve ``g`` (``F(t)`` or ``F(t) − F(t − 1)``) and its derivatives in ``p`` and ``q``."""
    f, fp, fq = bass_f_grad(t, p, q)
    if cumulative:
        return f, fp, fq
    f0, fp0, fq0 = bass_f_grad(t - 1.0, p, q)
    return f - f0, fp - fp0, fq - fq0


def mean_and_jacobian(
    t: NDArray[np.float64], theta: NDArray[np.float64], cumulative: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean ``m g(t)`` and its Jacobian in ``(p, q, m)``, shape (n, 3)."""
    p, q, m = float(theta[0]), float(theta[1]), float(theta[2])
    g, gp, gq = bass_shape(t, p, q, cumulative)
    jac = np.empty((t.shape[0], 3))
    jac[:, 0] = m * gp
    jac[:, 1] = m * gq
    jac[:, 2] = g
    return m * g, jac


def grid_shapes(
    t: NDArray[np.float64], cumulative: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Unit curves at every starting-grid point: ``p (k,)``, ``q (k,)`` and ``g (k, n)``."""
    bt, ratio = np.meshgrid(_GRID_BT, _GRID_RATIO, indexing="ij")
    b = bt.ravel() / float(t[-1])
    r = ratio.ravel()
    p = b / (1.0 + r)
    q = b - p
    tt = t[None, :]
    g = bass_f(tt, p[:, None], q[:, None])
    if not cumulative:
        g = g - bass_f(tt - 1.0, p[:, None], q[:, None])
    return p, q, g


def covariance_from_normal(jac: NDArray[np.float64], s2: float) -> NDArray[np.float64]:
    """``s² (JᵀJ)⁻¹`` computed on scaled columns; infinite where ``J`` is rank deficient."""
    scale = np.sqrt(np.sum(jac * jac, axis=0))
    if not np.all(np.isfinite(scale)) or np.any(scale == 0.0):
        return np.full((3, 3), np.inf)
    js = jac / scale
    _, sv, vt = np.linalg.svd(js, full_matrices=False)
    if sv[-1] <= sv[0] * 1e-12:
        return np.full((3, 3), np.inf)
    inv = (vt.T / (sv * sv)) @ vt
    return np.asarray(s2 * inv / np.outer(scale, scale), dtype=np.float64)


def inverse_information(info: NDArray[np.float64]) -> NDArray[np.float64]:
    """Inverse of a symmetric information matrix, scaled for conditioning; inf if not positive definite."""
    diag = np.diag(info)
    if not np.all(np.isfinite(info)) or np.any(diag <= 0):
        return np.full((3, 3), np.inf)
    scale = np.sqrt(diag)
    scaled = info / np.outer(scale, scale)
    w, v = np.linalg.eigh(0.5 * (scaled + scaled.T))
    if w[0] <= w[-1] * 1e-12:
        return np.full((3, 3), np.inf)
    inv = (v / w) @ v.T
    return np.asarray(inv / np.outer(scale, scale), dtype=np.float64)


# --------------------------------------------------------------------------- #
# Estimators
# --------------------------------------------------------------------------- #


def fit_ols(
    x: NDArray[np.float64], fn: str, population: float | None
) -> tuple[NDArray[np.float64], NDArray[np.float64], BassRegression]:
    """Bass's regression on per-period ``x`` (t = 1..n): ``(p, q, m)``, their covariance, the regression."""
    n = x.shape[0]
    ycum = np.concatenate(([0.0], np.cumsum(x)[:-1]))
    design = np.column_stack((np.ones(n), ycum, ycum * ycum))
    # Scale the columns so the normal equations are well conditioned.
    col = np.max(np.abs(design), axis=0)
    col[col == 0] = 1.0
    coef_s, _, rank, _ = np.linalg.lstsq(design / col, x, rcond=None)
    if rank < 3:
        raise ParameterError(
            "y", "Bass's regression is singular for these data (too few distinct cumulative values)", function=fn
        )
    a, b, c = (coef_s / col).tolist()
    resid = x - design @ (coef_s / col)
    s2 = float(resid @ resid) / (n - 3)
    xtx_inv = np.linalg.inv((design / col).T @ (design / col)) / np.outer(col, col)
    cov_abc = s2 * xtx_inv
    where = f"(a = {a:.6g}, b = {b:.6g}, c = {c:.6g})"
    if a <= 0:
        raise ParameterError(
            "y",
            f"Bass's regression gives a = p m <= 0 {where}: no positive innovation coefficient; try method='nls'",
            function=fn,
        )
    disc = b * b - 4.0 * a * c
    if disc < 0:
        raise ParameterError(
            "y",
            f"Bass's regression has no real market: the roots of c m² + b m + a = 0 are "
            f"not real {where}; try method='nls'",
            function=fn,
        )
    if c > 0:
        raise ParameterError(
            "y",
            f"Bass's regression gives c > 0 {where}, which implies a negative imitation "
            "coefficient q = -c m; try method='nls'",
            function=fn,
        )
    denom = math.sqrt(disc) - b if c < 0 else -b
    if not denom > 0:
        raise ParameterError(
            "y",
            f"Bass's regression gives no finite market {where}: the series shows no "
            "saturation yet; try method='nls' with a population bound",
            function=fn,
        )
    m = 2.0 * a / denom if c < 0 else a / denom  # the positive root of c m² + b m + a, written stably
    if not m > 0 or not math.isfinite(m):
        raise ParameterError(
            "y", f"Bass's regression gives a market m = {m!r} that is not positive and finite {where}", function=fn
        )
    if population is not None and m > population:
        raise ParameterError(
            "y",
            f"Bass's regression gives a market m = {m:.6g} above population "
            f"({population:g}); try method='nls' or 'mle', which respect the bound",
            function=fn,
        )
    p = a / m
    q = -c * m
    # Delta method: implicit differentiation of c m² + b m + a = 0.
    denom = 2.0 * c * m + b
    dm = -np.array([1.0, m, m * m]) / denom  # dm/d(a, b, c)
    dp = np.array([1.0 / m, 0.0, 0.0]) - (a / (m * m)) * dm
    dq = np.array([0.0, 0.0, -m]) - c * dm
    grad = np.vstack((dp, dq, dm))
    cov = grad @ cov_abc @ grad.T
    reg = BassRegression(a=a, b=b, c=c, covariance=cov_abc, sigma=math.sqrt(s2))
    return np.array([p, q, m]), cov, reg


def best_grid_nls(
    t: NDArray[np.float64], y: NDArray[np.float64], cumulative: bool, population: float | None
) -> NDArray[np.float64]:
    p, q, g = grid_shapes(t, cumulative)
    gy = g @ y
    gg = np.einsum("ij,ij->i", g, g)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(gg > 0, gy / gg, 0.0)
        if population is not None:
            m = np.minimum(m, population)
        sse = np.einsum("ij,ij->i", y[None, :] - m[:, None] * g, y[None, :] - m[:, None] * g)
    sse = np.where(np.isfinite(sse) & (m > 0), sse, np.inf)
    k = int(np.argmin(sse))
    return np.array([p[k], q[k], m[k]])


def fit_nls(
    t: NDArray[np.float64],
    y: NDArray[np.float64],
    cumulative: bool,
    population: float | None,
    starts: list[NDArray[np.float64]],
) -> NDArray[np.float64]:
    m_hi = np.inf if population is None else population
    lower = np.array([_P_FLOOR, 0.0, 0.0])
    upper = np.array([np.inf, np.inf, m_hi])

    def resid(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        mean, _ = mean_and_jacobian(t, theta, cumulative)
        return mean - y

    def jac(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        return mean_and_jacobian(t, theta, cumulative)[1]

    # Run from the start with the smallest profiled SSE only (m re-profiled at the start's p and q).
    def profiled_sse(x0: NDArray[np.float64]) -> float:
        g = bass_shape(t, float(x0[0]), float(x0[1]), cumulative)[0]
        gg = float(g @ g)
        if not gg > 0 or not np.all(np.isfinite(g)):
            return np.inf
        m = min(float(g @ y) / gg, m_hi)
        r = y - m * g
        return float(r @ r)

    ranked = sorted(starts, key=profiled_sse)
    best: NDArray[np.float64] | None = None
    best_cost = np.inf
    for x0 in ranked[:1]:
        x0 = np.clip(x0, lower, np.where(np.isfinite(upper), upper, np.inf))
        x0[0] = max(x0[0], 10 * _P_FLOOR)
        sol = optimize.least_squares(
            resid,
            x0,
            jac=jac,
            bounds=(lower, upper),
            method="trf",
            x_scale="jac",
            ftol=1e-14,
            xtol=1e-14,
            gtol=1e-14,
            max_nfev=2000,
        )
        if np.all(np.isfinite(sol.x)) and sol.cost < best_cost:
            best, best_cost = sol.x, float(sol.cost)
    assert best is not None  # the grid start always gives a finite cost
    return np.asarray(best, dtype=np.float64)


class Likelihood:
    """Log-likelihood of per-period counts ``x`` (t = 1..n): Poisson, or multinomial with ``population``."""

    def __init__(self, t: NDArray[np.float64], x: NDArray[np.float64], population: float | None) -> None:
        self.t = t
        self.x = x
        self.total = float(np.sum(x))
        self.population = population
        self.positive = x > 0
        if population is None:
            self.const = -float(np.sum(special.gammaln(x + 1.0)))
        else:
            rest = population - self.total
            self.const = float(
                special.gammaln(population + 1.0) - np.sum(special.gammaln(x + 1.0)) - special.gammaln(rest + 1.0)
            )

    def m_hat(self, g_total: Any) -> Any:
        """The maximising ``m`` for given ``(p, q)``: ``X / F(t_n)``, capped at the population."""
        with np.errstate(divide="ignore"):
            m = self.total / g_total
        return m if self.population is None else np.minimum(m, self.population)

    def value(self, theta: NDArray[np.float64]) -> float:
        p, q, m = (float(v) for v in theta)
        g = bass_shape(self.t, p, q, False)[0]
        return self._value(g, m)

    def _value(self, g: NDArray[np.float64], m: float) -> float:
        x = self.x
        mu = m * g
        if np.any(mu[self.positive] <= 0):
            return -np.inf
        log_mu = np.log(mu[self.positive])
        g_total = float(np.sum(g))
        if self.population is None:
            return self.const + float(x[self.positive] @ log_mu) - m * g_total
        n = self.population
        rest = n - self.total
        stay = 1.0 - m * g_total / n
        if rest > 0 and stay <= 0:
            return -np.inf
        tail = rest * math.log(stay) if rest > 0 else 0.0
        return self.const + float(x[self.positive] @ (log_mu - math.log(n))) + tail

    def score(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Gradient of the log-likelihood in ``(p, q, m)``."""
        mean, jac = mean_and_jacobian(self.t, theta, False)
        w = np.where(self.positive, self.x / np.where(mean > 0, mean, 1.0), 0.0)
        grad = jac.T @ w
        mu_total = float(np.sum(mean))
        jac_total = np.sum(jac, axis=0)
        if self.population is None:
            return np.asarray(grad - jac_total, dtype=np.float64)
        rest = self.population - self.total
        return np.asarray(grad - rest / (self.population - mu_total) * jac_total, dtype=np.float64)

    def hessian(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Central differences of the analytic score (relative step 1e-5)."""
        h = np.empty((3, 3))
        for j in range(3):
            step = 1e-5 * (abs(theta[j]) if theta[j] != 0 else max(abs(theta[0]), 1e-8))
            up, down = theta.copy(), theta.copy()
            up[j] += step
            down[j] -= step
            if down[j] < 0 or (j == 0 and down[j] <= 0):  # one-sided at a bound
                down[j] = theta[j]
                h[:, j] = (self.score(up) - self.score(down)) / step
            else:
                h[:, j] = (self.score(up) - self.score(down)) / (2 * step)
        return 0.5 * (h + h.T)

    def profile(self, uv: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        """Negative profile log-likelihood over ``(log p, log q)`` and its gradient (envelope theorem)."""
        p, q = math.exp(float(uv[0])), math.exp(float(uv[1]))
        g = bass_shape(self.t, p, q, False)[0]
        m = float(self.m_hat(float(np.sum(g))))
        val = self._value(g, m)
        if not math.isfinite(val):
            return 1e300, np.zeros(2)
        sc = self.score(np.array([p, q, m]))
        return -val, -np.array([sc[0] * p, sc[1] * q])


def best_grid_mle(lik: Likelihood, t: NDArray[np.float64]) -> NDArray[np.float64]:
    p, q, g = grid_shapes(t, False)
    g_total = np.sum(g, axis=1)
    m = lik.m_hat(g_total)
    pos = lik.positive
    with np.errstate(divide="ignore", invalid="ignore"):
        vals = np.sum(lik.x[pos][None, :] * np.log(m[:, None] * g[:, pos]), axis=1)
        if lik.population is None:
            vals = vals - m * g_total
        else:
            rest = lik.population - lik.total
            tail = rest * np.log1p(-m * g_total / lik.population) if rest > 0 else 0.0
            vals = vals - lik.total * math.log(lik.population) + tail
    vals = np.where(np.isfinite(vals) & np.isfinite(m) & (m > 0), vals, -np.inf)
    k = int(np.argmax(vals))
    return np.array([p[k], q[k], m[k]])


def fit_mle(lik: Likelihood, starts: list[NDArray[np.float64]]) -> NDArray[np.float64]:
    bounds = [(_LOG_LO, _LOG_HI), (_LOG_LO, _LOG_HI)]
    best_uv: NDArray[np.float64] | None = None
    best_val = np.inf
    for x0 in starts:
        uv0 = np.clip(np.log(np.maximum(x0[:2], 1e-10)), _LOG_LO, _LOG_HI)
        sol = optimize.minimize(
            lik.profile,
            uv0,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 2000},
        )
        if math.isfinite(float(sol.fun)) and float(sol.fun) < best_val:
            best_uv, best_val = np.asarray(sol.x, dtype=np.float64), float(sol.fun)
    assert best_uv is not None
    p, q = math.exp(float(best_uv[0])), math.exp(float(best_uv[1]))
    g = bass_shape(lik.t, p, q, False)[0]
    theta = np.array([p, q, float(lik.m_hat(float(np.sum(g))))])
    # Newton polish on (p, q, m), on diagonally scaled variables (m is ~1e5 times p), with step halving:
    # L-BFGS-B can stop early in the long, flat valley the likelihood has when the peak is barely observed.
    interior = (
        _LOG_LO + 1 < best_uv[0] < _LOG_HI - 1
        and _LOG_LO + 1 < best_uv[1] < _LOG_HI - 1
        and (lik.population is None or theta[2] < lik.population)
    )
    if interior:
        val = lik.value(theta)
        for _ in range(30):
            hess = lik.hessian(theta)
            scale = np.sqrt(np.abs(np.diag(hess)))
            if not np.all(np.isfinite(hess)) or np.any(scale == 0):
                break
            try:
                z = np.linalg.solve(hess / np.outer(scale, scale), -lik.score(theta) / scale)
            except np.linalg.LinAlgError:
                break
            step = z / scale
            accepted = False
            lam = 1.0
            while lam >= 1.0 / 1024:
                cand = theta + lam * step
                valid = np.all(cand[:2] > 0) and cand[2] > 0 and (lik.population is None or cand[2] <= lik.population)
                if valid:
                    cand_val = lik.value(cand)
                    if cand_val >= val:
                        accepted = True
                        break
                lam /= 2.0
            if not accepted:
                break
            small = bool(np.all(np.abs(lam * step) <= 1e-12 * np.abs(theta)))
            theta, val = cand, cand_val
            if small:
                break
    return theta
