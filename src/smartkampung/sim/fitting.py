"""Fitting the Bass (1969) model to an observed adoption series.

:func:`fit_bass` estimates the coefficient of innovation ``p``, the
coefficient of imitation ``q`` and the market ``m`` (eventual adopters) from a
series of adoptions, by one of three estimators, and returns a
:class:`BassFit` with standard errors, the fitted curve and
:meth:`BassFit.project`. :class:`BassForecaster` turns it into a forecaster
for :func:`smartkampung.sim.backtest.backtest`.

Model
-----
With ``F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p) e^{−(p+q)t})`` (Bass 1969 [1]_,
:func:`smartkampung.sim.adoption.bass_cdf`), time ``t`` counted from the start
of adoption (``F(0) = 0``):

* per-period data ``y_i`` are the adoptions in the period of one time unit
  that ends at ``t_i``, with mean ``m (F(t_i) − F(t_i − 1))``;
* cumulative data ``Y_i`` are the adopters by ``t_i``, with mean ``m F(t_i)``.

Estimators
----------
``"nls"``
    Nonlinear least squares of Srinivasan and Mason (1986) [2]_: minimise
    ``Σ (y_i − m (F(t_i) − F(t_i − 1)))²`` (or ``Σ (Y_i − m F(t_i))²`` with
    ``cumulative=True``) over ``p > 0``, ``q >= 0``, ``0 < m`` (``<= population``
    when given). Standard errors from the Jacobian ``J`` of the fitted curve
    at the optimum: ``Cov = s² (JᵀJ)⁻¹`` with ``s² = SSE / (n − 3)``.
``"ols"``
    Bass's (1969) regression ``y_t = a + b Y_{t−1} + c Y_{t−1}²`` on
    per-period data (``Y_{t−1}`` the adopters before period ``t``), with
    ``a = p m``, ``b = q − p``, ``c = −q / m``: ``m`` is the positive root of
    ``c m² + b m + a = 0``, ``p = a / m``, ``q = −c m``. It is refused when
    the roots are not real, no root is positive, or ``p <= 0`` or ``q < 0``
    follow. Standard errors from the regression's covariance ``s² (XᵀX)⁻¹``
    carried to ``(p, q, m)`` by the delta method.
``"mle"``
    Maximum likelihood on counts, Schmittlein and Mahajan (1982) [3]_: each of
    ``N`` (``population``) individuals adopts in period ``i`` with probability
    ``(m/N)(F(t_i) − F(t_{i−1}))`` or not by ``t_n`` with probability
    ``1 − (m/N) F(t_n)``; a multinomial likelihood. Without ``population`` the
    limit ``N → ∞`` is used: independent Poisson counts with means
    ``m (F(t_i) − F(t_{i−1}))``. Standard errors from the observed
    information (the negative Hessian of the log-likelihood at the maximum).

``"ols"`` and ``"mle"`` need the whole series from the start of adoption:
``t = 1, 2, ..., n``. ``"nls"`` takes any strictly increasing ``t > 0``
(missing periods may be left out).

Starting values and search
--------------------------
``"nls"`` and ``"mle"`` start from the best point of a grid over
``(p + q) t_n`` in [0.05, 40] and ``q / p`` in [10⁻², 10⁴] (both log-spaced, 24
× 24 points), ``m`` profiled out in closed form at each point, and from the
OLS estimate when it exists. ``"nls"`` then runs
:func:`scipy.optimize.least_squares` (trust-region reflective, analytic
Jacobian, bounds) from each start and keeps the best; ``"mle"`` maximises the
profile log-likelihood over ``(log p, log q)`` with L-BFGS-B and an analytic
gradient, then polishes with Newton steps on ``(p, q, m)``.

Published example reproduced
----------------------------
A worked classroom example (course "Data Analysis for Brand Management",
module 1, as transcribed in the public notes github.com/aoyingxue/GitNote,
file ``GRADUATE_STUDY/2.555A_DATA_ANALYSIS_FOR_BRAND_MANAGEMENT/Module_1_InClass.md``)
gives adoptions of 0.517, 1.169, 1.604, 2.044 and 2.286 million in years
1-5 and Bass's regression estimates p = 0.0626032, q = 0.73766359,
M = 10.5036768 [million]. ``fit_bass(range(1, 6), y, method="ols")``
reproduces all printed digits (``tests/test_fitting.py``). The source gives no
NLS or ML estimates.

References
----------
.. [1] F. M. Bass, "A new product growth for model consumer durables",
   *Management Science*, vol. 15, no. 5, pp. 215-227, 1969.
   doi:10.1287/mnsc.15.5.215
.. [2] V. Srinivasan and C. H. Mason, "Nonlinear least squares estimation of
   new product diffusion models", *Marketing Science*, vol. 5, no. 2,
   pp. 169-178, 1986. doi:10.1287/mksc.5.2.169
.. [3] D. C. Schmittlein and V. Mahajan, "Maximum likelihood estimation for an
   innovation diffusion model of new product acceptance", *Marketing
   Science*, vol. 1, no. 1, pp. 57-78, 1982. doi:10.1287/mksc.1.1.57
"""

from __future__ import annotations

import math
from typing import Any, Final, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats

from smartkampung._arrays import ARRAY_EQ, readonly_float
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array

__all__ = [
    "BASS_FIT_METHODS",
    "BassFit",
    "BassForecaster",
    "BassPredictive",
    "BassRegression",
    "fit_bass",
]

BassMethod = Literal["nls", "ols", "mle"]

#: The estimators :func:`fit_bass` offers.
BASS_FIT_METHODS: Final[tuple[str, ...]] = ("nls", "ols", "mle")

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
_MIN_POINTS: Final[int] = 4


# --------------------------------------------------------------------------- #
# The curve and its derivatives
# --------------------------------------------------------------------------- #


def _bass_f(t: NDArray[np.float64], p: Any, q: Any) -> NDArray[np.float64]:
    """Unit Bass cdf ``F(t)`` for ``t`` (any shape) and ``p > 0``, ``q >= 0`` broadcast against it."""
    tt = np.maximum(t, 0.0)
    b = p + q
    e = np.exp(-b * tt)
    out: NDArray[np.float64] = -np.expm1(-b * tt) / (1.0 + (q / p) * e)
    return out


def _bass_f_grad(
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


def _shape(
    t: NDArray[np.float64], p: float, q: float, cumulative: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The unit curve ``g`` (``F(t)`` or ``F(t) − F(t − 1)``) and its derivatives in ``p`` and ``q``."""
    f, fp, fq = _bass_f_grad(t, p, q)
    if cumulative:
        return f, fp, fq
    f0, fp0, fq0 = _bass_f_grad(t - 1.0, p, q)
    return f - f0, fp - fp0, fq - fq0


def _mean_and_jacobian(
    t: NDArray[np.float64], theta: NDArray[np.float64], cumulative: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean ``m g(t)`` and its Jacobian in ``(p, q, m)``, shape (n, 3)."""
    p, q, m = float(theta[0]), float(theta[1]), float(theta[2])
    g, gp, gq = _shape(t, p, q, cumulative)
    jac = np.empty((t.shape[0], 3))
    jac[:, 0] = m * gp
    jac[:, 1] = m * gq
    jac[:, 2] = g
    return m * g, jac


def _grid_shapes(
    t: NDArray[np.float64], cumulative: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Unit curves at every starting-grid point: ``p (k,)``, ``q (k,)`` and ``g (k, n)``."""
    bt, ratio = np.meshgrid(_GRID_BT, _GRID_RATIO, indexing="ij")
    b = bt.ravel() / float(t[-1])
    r = ratio.ravel()
    p = b / (1.0 + r)
    q = b - p
    tt = t[None, :]
    g = _bass_f(tt, p[:, None], q[:, None])
    if not cumulative:
        g = g - _bass_f(tt - 1.0, p[:, None], q[:, None])
    return p, q, g


def _covariance_from_normal(jac: NDArray[np.float64], s2: float) -> NDArray[np.float64]:
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


def _inverse_information(info: NDArray[np.float64]) -> NDArray[np.float64]:
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
# Results
# --------------------------------------------------------------------------- #


def _opt_float(value: Any) -> float | None:
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


@attrs.frozen
class BassFit:
    """A Bass model fitted to an adoption series by :func:`fit_bass`.

    Attributes
    ----------
    p : float
        Coefficient of innovation. [time⁻¹, the unit of ``t``]
    q : float
        Coefficient of imitation. [time⁻¹]
    m : float
        Market: eventual adopters. [unit of ``y``, e.g. households]
    p_se, q_se, m_se : float
        Standard errors of ``p``, ``q`` and ``m`` (``inf`` where the data do
        not identify them). [as the estimate]
    covariance : ndarray of float64, shape (3, 3)
        Estimated covariance of ``(p, q, m)``, in that order.
    method : {"nls", "ols", "mle"}
        The estimator (see :mod:`smartkampung.sim.fitting`).
    cumulative : bool
        Whether ``y`` (and :attr:`fitted`) are cumulative adopters rather
        than adoptions per period.
    population : float or None
        Upper bound on ``m`` (the ``N`` of the "mle" likelihood), if given.
    t : ndarray of float64, shape (n,)
        Times of the observations (ends of the periods). [time]
    y : ndarray of float64, shape (n,)
        The observations. [adopters, or adopters per period]
    fitted : ndarray of float64, shape (n,)
        The fitted Bass curve at ``t`` on the scale of ``y``:
        ``project(t)``.
    residuals : ndarray of float64, shape (n,)
        ``y − fitted``.
    sse : float
        ``Σ residuals²``. [unit of ``y``, squared]
    sigma : float
        Residual standard error of the fitted curve, ``sqrt(sse / (n − 3))``.
        [unit of ``y``]
    dof : int
        Residual degrees of freedom, ``n − 3``.
    log_likelihood : float or None
        Maximised log-likelihood ("mle" only).
    regression : BassRegression or None
        The regression behind an "ols" fit.
    """

    p: float = attrs.field(converter=float)
    q: float = attrs.field(converter=float)
    m: float = attrs.field(converter=float)
    p_se: float = attrs.field(converter=float)
    q_se: float = attrs.field(converter=float)
    m_se: float = attrs.field(converter=float)
    covariance: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    method: str
    cumulative: bool
    population: float | None = attrs.field(converter=_opt_float)
    t: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    y: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    fitted: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    residuals: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    sse: float = attrs.field(converter=float)
    sigma: float = attrs.field(converter=float)
    dof: int
    log_likelihood: float | None = attrs.field(default=None, converter=_opt_float)
    regression: BassRegression | None = None

    @property
    def params(self) -> NDArray[np.float64]:
        """``(p, q, m)`` as an array of shape (3,)."""
        return np.array([self.p, self.q, self.m])

    @property
    def peak_time(self) -> float:
        """Time of the adoption peak, ``ln(q/p) / (p + q)`` (0 when ``q <= p``). [time]"""
        if self.q <= self.p:
            return 0.0
        return math.log(self.q / self.p) / (self.p + self.q)

    def project(self, t: ArrayLike, *, cumulative: bool | None = None) -> NDArray[np.float64]:
        """The fitted curve at any times (past or future).

        Parameters
        ----------
        t : array_like
            Times (ends of periods). [time, the unit of the fit]
        cumulative : bool, optional
            ``True`` for cumulative adopters ``m F(t)``, ``False`` for
            adoptions in the period ending at ``t``, ``m (F(t) − F(t − 1))``.
            Default: the scale the fit was made on.

        Returns
        -------
        ndarray of float64, shaped as ``t``
            [unit of ``y``]

        Raises
        ------
        ParameterError
            If ``t`` holds NaN or ``cumulative`` is not a bool.
        """
        fn = "BassFit.project"
        tt = as_float_array(t, "t", fn)
        if np.any(np.isnan(tt)):
            raise ParameterError("t", "must not be NaN", function=fn)
        cum = self.cumulative if cumulative is None else cumulative
        if not isinstance(cum, bool):
            raise ParameterError("cumulative", f"must be a bool, got {cumulative!r}", function=fn)
        f = _bass_f(tt, self.p, self.q)
        if not cum:
            f = f - _bass_f(tt - 1.0, self.p, self.q)
        return np.asarray(self.m * f, dtype=np.float64)

    def prediction_quantiles(
        self, t: ArrayLike, levels: ArrayLike, *, cumulative: bool | None = None
    ) -> NDArray[np.float64]:
        """Quantiles of a new observation at ``t``: delta method with Gaussian noise.

        A new observation is ``μ(t; θ) + ε`` with ``ε ~ N(0, σ²)`` independent
        (the noise model for which "nls" is maximum likelihood). Its quantiles
        are ``μ̂(t) + t_ν(level) · sqrt(σ̂² + ∇μᵀ Cov ∇μ)``, ``t_ν`` the
        Student-t quantile with ``ν = n − 3`` degrees of freedom, ``∇μ`` the
        gradient of the curve in ``(p, q, m)`` at the estimate, ``Cov`` the
        covariance of the estimate and ``σ̂`` :attr:`sigma` (the standard
        prediction interval of nonlinear regression).

        Parameters
        ----------
        t : array_like, shape (k,)
            Times. [time]
        levels : array_like, shape (L,)
            Probability levels in (0, 1).
        cumulative : bool, optional
            Scale, as in :meth:`project`; default the fit's. The noise is
            taken to be on that scale.

        Returns
        -------
        ndarray of float64, shape (L, k)
            [unit of ``y``]

        Raises
        ------
        ParameterError
            On NaN times, levels outside (0, 1), or a bad ``cumulative``.
        """
        fn = "BassFit.prediction_quantiles"
        tt = np.atleast_1d(as_float_array(t, "t", fn)).ravel()
        if np.any(np.isnan(tt)):
            raise ParameterError("t", "must not be NaN", function=fn)
        lv = np.atleast_1d(as_float_array(levels, "levels", fn)).ravel()
        if not np.all((lv > 0.0) & (lv < 1.0)):
            raise ParameterError("levels", "must lie strictly between 0 and 1", function=fn)
        cum = self.cumulative if cumulative is None else cumulative
        if not isinstance(cum, bool):
            raise ParameterError("cumulative", f"must be a bool, got {cumulative!r}", function=fn)
        mean, jac = _mean_and_jacobian(tt, self.params, cum)
        with np.errstate(invalid="ignore"):
            var_param = np.einsum("ij,jk,ik->i", jac, self.covariance, jac)
        var = self.sigma**2 + np.where(np.isfinite(var_param), var_param, np.inf)
        z = stats.t.ppf(lv, self.dof)
        return np.asarray(mean[None, :] + z[:, None] * np.sqrt(var)[None, :], dtype=np.float64)

    def summary(self) -> str:
        """A readable report: estimates with standard errors and fit statistics."""
        scale = "cumulative adopters" if self.cumulative else "adoptions per period"
        lines = [f"Bass model fitted by {self.method!r} on {scale} ({self.t.shape[0]} observations)"]
        for name, est, se in (("p", self.p, self.p_se), ("q", self.q, self.q_se), ("m", self.m, self.m_se)):
            lines.append(f"  {name} = {est:.6g}   (s.e. {se:.3g})")
        lines.append(f"SSE {self.sse:.6g}   residual s.e. {self.sigma:.4g} on {self.dof} d.o.f.")
        if self.log_likelihood is not None:
            lines.append(f"log-likelihood {self.log_likelihood:.6g}")
        if self.q > self.p:
            lines.append(f"peak at t = {self.peak_time:.4g}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- #
# Input checks
# --------------------------------------------------------------------------- #


def _check_inputs(
    t: Any, y: Any, cumulative: Any, method: Any, population: Any, fn: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], float | None]:
    if method not in BASS_FIT_METHODS:
        raise ParameterError("method", f"must be one of {BASS_FIT_METHODS}, got {method!r}", function=fn)
    if not isinstance(cumulative, bool):
        raise ParameterError("cumulative", f"must be a bool, got {cumulative!r}", function=fn)
    tt = as_float_array(t, "t", fn)
    yy = as_float_array(y, "y", fn)
    if tt.ndim != 1:
        raise ParameterError("t", f"must be 1-D, got shape {tt.shape}", function=fn)
    if yy.ndim != 1:
        raise ParameterError("y", f"must be 1-D, got shape {yy.shape}", function=fn)
    if tt.shape != yy.shape:
        raise ParameterError("y", f"must have the same length as t ({tt.shape[0]}), got {yy.shape[0]}", function=fn)
    if tt.shape[0] < _MIN_POINTS:
        raise ParameterError(
            "y",
            f"needs at least {_MIN_POINTS} observations to fit p, q and m with a residual error, got {tt.shape[0]}",
            function=fn,
        )
    if not np.all(np.isfinite(tt)):
        raise ParameterError("t", "must be finite (found NaN or infinity)", function=fn)
    if not np.all(np.isfinite(yy)):
        raise ParameterError("y", "must be finite (found NaN or infinity)", function=fn)
    if np.any(np.diff(tt) <= 0):
        raise ParameterError("t", "must be strictly increasing", function=fn)
    if tt[0] <= 0:
        raise ParameterError(
            "t", f"must be > 0: time counts from the start of adoption (first is {tt[0]!r})", function=fn
        )
    if np.min(yy) < 0:
        raise ParameterError("y", f"must be >= 0 (minimum is {np.min(yy)!r})", function=fn)
    if not np.any(yy > 0):
        raise ParameterError("y", "is all zeros: no adoption to fit", function=fn)
    if cumulative and np.any(np.diff(yy) < 0):
        i = int(np.argmax(np.diff(yy) < 0))
        raise ParameterError(
            "y",
            f"is cumulative but decreases (from {yy[i]!r} to {yy[i + 1]!r} at index "
            f"{i + 1}); cumulative adopters never decrease",
            function=fn,
        )
    if method in ("ols", "mle") and not np.array_equal(tt, np.arange(1.0, tt.shape[0] + 1.0)):
        raise ParameterError(
            "t",
            f"method {method!r} needs the whole series from the start of adoption, "
            "t = 1, 2, ..., n; use method='nls' for gaps or a later start",
            function=fn,
        )
    pop: float | None = None
    if population is not None:
        if isinstance(population, bool) or not isinstance(population, int | float | np.integer | np.floating):
            raise ParameterError("population", f"must be a number or None, got {population!r}", function=fn)
        pop = float(population)
        total = float(yy[-1]) if cumulative else float(np.sum(yy))
        if not math.isfinite(pop) or pop <= 0:
            raise ParameterError("population", f"must be finite and > 0, got {population!r}", function=fn)
        if pop < total:
            raise ParameterError(
                "population", f"({pop:g}) is smaller than the adopters already observed ({total:g})", function=fn
            )
    return tt, yy, pop


def _per_period(y: NDArray[np.float64], cumulative: bool) -> NDArray[np.float64]:
    """Adoptions per period ``t = 1..n`` from either scale (adopters before ``t = 1`` are 0)."""
    return np.diff(y, prepend=0.0) if cumulative else y


# --------------------------------------------------------------------------- #
# Estimators
# --------------------------------------------------------------------------- #


def _ols(
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


def _best_grid_nls(
    t: NDArray[np.float64], y: NDArray[np.float64], cumulative: bool, population: float | None
) -> NDArray[np.float64]:
    p, q, g = _grid_shapes(t, cumulative)
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


def _nls(
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
        mean, _ = _mean_and_jacobian(t, theta, cumulative)
        return mean - y

    def jac(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        return _mean_and_jacobian(t, theta, cumulative)[1]

    # Run from the start with the smallest profiled SSE only (m re-profiled at the start's p and q).
    def profiled_sse(x0: NDArray[np.float64]) -> float:
        g = _shape(t, float(x0[0]), float(x0[1]), cumulative)[0]
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


class _Likelihood:
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
        g = _shape(self.t, p, q, False)[0]
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
        mean, jac = _mean_and_jacobian(self.t, theta, False)
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
        g = _shape(self.t, p, q, False)[0]
        m = float(self.m_hat(float(np.sum(g))))
        val = self._value(g, m)
        if not math.isfinite(val):
            return 1e300, np.zeros(2)
        sc = self.score(np.array([p, q, m]))
        return -val, -np.array([sc[0] * p, sc[1] * q])


def _best_grid_mle(lik: _Likelihood, t: NDArray[np.float64]) -> NDArray[np.float64]:
    p, q, g = _grid_shapes(t, False)
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


def _mle(lik: _Likelihood, starts: list[NDArray[np.float64]]) -> NDArray[np.float64]:
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
    g = _shape(lik.t, p, q, False)[0]
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


def fit_bass(
    t: ArrayLike,
    y: ArrayLike,
    *,
    cumulative: bool = False,
    method: BassMethod = "nls",
    population: float | None = None,
) -> BassFit:
    """Fit the Bass (1969) model to an observed adoption series.

    Parameters
    ----------
    t : array_like, shape (n,)
        Times of the observations, strictly increasing and > 0, counted from
        the start of adoption: the ends of the periods for per-period data
        (the first month is ``t = 1``). "ols" and "mle" need
        ``t = 1, 2, ..., n``. [time, e.g. month]
    y : array_like, shape (n,)
        Adoptions per period (``cumulative=False``) or adopters by ``t``
        (``cumulative=True``, non-decreasing); finite, >= 0, not all zero,
        n >= 4. [adopters, e.g. e-KTP issued or app users]
    cumulative : bool, default False
        Whether ``y`` is cumulative. "nls" then fits ``m F(t)`` to it
        (Srinivasan and Mason's cumulative form); "ols" and "mle" difference
        it to per-period counts.
    method : {"nls", "ols", "mle"}, default "nls"
        Nonlinear least squares, Bass's regression, or maximum likelihood;
        see :mod:`smartkampung.sim.fitting`.
    population : float, optional
        Number of potential adopters, an upper bound on ``m`` (e.g.
        households of a village), >= the adopters observed. For "mle" it is
        the ``N`` of Schmittlein and Mahajan's multinomial likelihood; without
        it "mle" uses the Poisson limit. "ols" refuses a market above it.
        [unit of ``y``]

    Returns
    -------
    BassFit
        Estimates, standard errors, the fitted curve and ``project(t)``.

    Raises
    ------
    ParameterError
        If ``t`` and ``y`` differ in length, hold NaN or infinity, have fewer
        than 4 points, ``t`` is not strictly increasing and > 0 (or not
        ``1..n`` for "ols"/"mle"), ``y`` is negative or all zeros, a
        cumulative ``y`` decreases, ``method`` or ``cumulative`` is invalid,
        ``population`` is not a positive number at least the observed total,
        or (for "ols") Bass's regression gives no valid ``(p, q, m)``.

    Notes
    -----
    The time unit of ``p`` and ``q`` is the unit of ``t`` (per month for
    monthly series). A 20-point "nls" fit takes a few milliseconds
    (``benchmarks/bench_fitting.py``).

    Examples
    --------
    >>> import numpy as np
    >>> from smartkampung.sim.fitting import fit_bass
    >>> t = np.arange(1, 6)
    >>> fit = fit_bass(t, [0.517, 1.169, 1.604, 2.044, 2.286], method="ols")
    >>> round(fit.p, 7), round(fit.q, 8), round(fit.m, 7)
    (0.0626032, 0.73766359, 10.5036768)
    """
    fn = "fit_bass"
    tt, yy, pop = _check_inputs(t, y, cumulative, method, population, fn)
    n = tt.shape[0]
    dof = n - 3
    regression: BassRegression | None = None
    log_lik: float | None = None
    ols_start: NDArray[np.float64] | None = None
    consecutive = np.array_equal(tt, np.arange(1.0, n + 1.0))
    if method == "ols":
        theta, cov, regression = _ols(_per_period(yy, cumulative), fn, pop)
    else:
        if consecutive:
            try:
                ols_start = _ols(_per_period(yy, cumulative), fn, pop)[0]
            except ParameterError:
                ols_start = None
        if method == "nls":
            starts = [_best_grid_nls(tt, yy, cumulative, pop)]
            if ols_start is not None:
                starts.append(ols_start)
            theta = _nls(tt, yy, cumulative, pop, starts)
            _, jac = _mean_and_jacobian(tt, theta, cumulative)
            resid = yy - theta[2] * _shape(tt, float(theta[0]), float(theta[1]), cumulative)[0]
            cov = _covariance_from_normal(jac, float(resid @ resid) / dof)
        else:
            lik = _Likelihood(tt, _per_period(yy, cumulative), pop)
            starts = [_best_grid_mle(lik, tt)]
            if ols_start is not None:
                starts.append(ols_start)
            theta = _mle(lik, starts)
            log_lik = lik.value(theta)
            cov = _inverse_information(-lik.hessian(theta))
    p, q, m = (float(v) for v in theta)
    g = _shape(tt, p, q, cumulative)[0]
    fitted = m * g
    resid = yy - fitted
    sse = float(resid @ resid)
    se = np.sqrt(np.where(np.diag(cov) >= 0, np.diag(cov), np.inf))
    return BassFit(
        p=p,
        q=q,
        m=m,
        p_se=se[0],
        q_se=se[1],
        m_se=se[2],
        covariance=cov,
        method=method,
        cumulative=cumulative,
        population=pop,
        t=tt,
        y=yy,
        fitted=fitted,
        residuals=resid,
        sse=sse,
        sigma=math.sqrt(sse / dof),
        dof=dof,
        log_likelihood=log_lik,
        regression=regression,
    )


# --------------------------------------------------------------------------- #
# Forecaster for the backtest
# --------------------------------------------------------------------------- #


@attrs.frozen
class BassPredictive:
    """Predictive distribution of future observations from a :class:`BassFit`.

    Gaussian noise of constant variance on the scale of the fit, plus the
    estimate's uncertainty by the delta method: see
    :meth:`BassFit.prediction_quantiles`.

    Attributes
    ----------
    fit : BassFit
        The fit on the training observations.
    """

    fit: BassFit

    def quantiles(self, t: ArrayLike, levels: ArrayLike) -> NDArray[np.float64]:
        """Quantiles at future times, shape ``(len(levels), len(t))``. [unit of ``y``]"""
        return self.fit.prediction_quantiles(t, levels)


def _check_method(instance: Any, attribute: Any, value: Any) -> None:
    if value not in BASS_FIT_METHODS:
        raise ParameterError(
            attribute.name, f"must be one of {BASS_FIT_METHODS}, got {value!r}", function="BassForecaster"
        )


def _check_bool(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, bool):
        raise ParameterError(attribute.name, f"must be a bool, got {value!r}", function="BassForecaster")


@attrs.frozen
class BassForecaster:
    """A forecaster for :func:`~smartkampung.sim.backtest.backtest` built on :func:`fit_bass`.

    Calling it with training data fits the Bass model and returns a
    :class:`BassPredictive`, whose quantiles combine the estimate's
    uncertainty (delta method) with independent Gaussian noise of constant
    variance: the noise model for which "nls" is the maximum-likelihood
    estimator. With "ols" or "mle" the same predictive formula is used with
    that estimator's covariance.

    Attributes
    ----------
    method : {"nls", "ols", "mle"}, default "nls"
    cumulative : bool, default False
        Whether the series is cumulative adopters.
    population : float, optional
        Upper bound on ``m``; see :func:`fit_bass`. [unit of ``y``]
    """

    method: BassMethod = attrs.field(default="nls", validator=_check_method)
    cumulative: bool = attrs.field(default=False, validator=_check_bool)
    population: float | None = attrs.field(default=None, converter=_opt_float)

    def __call__(self, t_train: ArrayLike, y_train: ArrayLike) -> BassPredictive:
        """Fit on ``(t_train, y_train)`` and return the predictive distribution."""
        fit = fit_bass(t_train, y_train, cumulative=self.cumulative, method=self.method, population=self.population)
        return BassPredictive(fit)
