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
from scipy import stats

from smartkampung._arrays import ARRAY_EQ, readonly_float
from smartkampung._errors import ParameterError
from smartkampung._threads import one_blas_thread
from smartkampung._validation import as_float_array, check_bool, check_choice, check_float, instance_of, one_of
from smartkampung.sim._bass_estimators import (
    MIN_POINTS,
    BassRegression,
    Likelihood,
    bass_f,
    bass_shape,
    best_grid_mle,
    best_grid_nls,
    covariance_from_normal,
    fit_mle,
    fit_nls,
    fit_ols,
    inverse_information,
    mean_and_jacobian,
    optional_float,
)

__all__ = ["BASS_FIT_METHODS", "BassFit", "BassForecaster", "BassPredictive", "BassRegression", "fit_bass"]

BassMethod = Literal["nls", "ols", "mle"]

#: The estimators :func:`fit_bass` offers.
BASS_FIT_METHODS: Final[tuple[str, ...]] = ("nls", "ols", "mle")


# --------------------------------------------------------------------------- #
# Results
# --------------------------------------------------------------------------- #


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
    population: float | None = attrs.field(converter=optional_float)
    t: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    y: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    fitted: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    residuals: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_float)
    sse: float = attrs.field(converter=float)
    sigma: float = attrs.field(converter=float)
    dof: int
    log_likelihood: float | None = attrs.field(default=None, converter=optional_float)
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
        check_bool(cum, "cumulative", fn)
        f = bass_f(tt, self.p, self.q)
        if not cum:
            f = f - bass_f(tt - 1.0, self.p, self.q)
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
        check_bool(cum, "cumulative", fn)
        mean, jac = mean_and_jacobian(tt, self.params, cum)
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
    check_choice(method, "method", fn, BASS_FIT_METHODS)
    check_bool(cumulative, "cumulative", fn)
    tt = as_float_array(t, "t", fn)
    yy = as_float_array(y, "y", fn)
    if tt.ndim != 1:
        raise ParameterError("t", f"must be 1-D, got shape {tt.shape}", function=fn)
    if yy.ndim != 1:
        raise ParameterError("y", f"must be 1-D, got shape {yy.shape}", function=fn)
    if tt.shape != yy.shape:
        raise ParameterError("y", f"must have the same length as t ({tt.shape[0]}), got {yy.shape[0]}", function=fn)
    if tt.shape[0] < MIN_POINTS:
        raise ParameterError(
            "y",
            f"needs at least {MIN_POINTS} observations to fit p, q and m with a residual error, got {tt.shape[0]}",
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
        pop = check_float(population, "population", fn, allow_inf=True)
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


def fit_bass(
    t: ArrayLike, y: ArrayLike, *, cumulative: bool = False, method: BassMethod = "nls", population: float | None = None
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
    with one_blas_thread():  # a 3-parameter problem: BLAS threads only cost (smartkampung._threads)
        if method == "ols":
            theta, cov, regression = fit_ols(_per_period(yy, cumulative), fn, pop)
        else:
            if consecutive:
                try:
                    ols_start = fit_ols(_per_period(yy, cumulative), fn, pop)[0]
                except ParameterError:
                    ols_start = None
            if method == "nls":
                starts = [best_grid_nls(tt, yy, cumulative, pop)]
                if ols_start is not None:
                    starts.append(ols_start)
                theta = fit_nls(tt, yy, cumulative, pop, starts)
                _, jac = mean_and_jacobian(tt, theta, cumulative)
                resid = yy - theta[2] * bass_shape(tt, float(theta[0]), float(theta[1]), cumulative)[0]
                cov = covariance_from_normal(jac, float(resid @ resid) / dof)
            else:
                lik = Likelihood(tt, _per_period(yy, cumulative), pop)
                starts = [best_grid_mle(lik, tt)]
                if ols_start is not None:
                    starts.append(ols_start)
                theta = fit_mle(lik, starts)
                log_lik = lik.value(theta)
                cov = inverse_information(-lik.hessian(theta))
    p, q, m = (float(v) for v in theta)
    g = bass_shape(tt, p, q, cumulative)[0]
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

    method: BassMethod = attrs.field(default="nls", validator=one_of(BASS_FIT_METHODS))
    cumulative: bool = attrs.field(default=False, validator=instance_of(bool))
    population: float | None = attrs.field(default=None, converter=optional_float)

    def __call__(self, t_train: ArrayLike, y_train: ArrayLike) -> BassPredictive:
        """Fit on ``(t_train, y_train)`` and return the predictive distribution."""
        fit = fit_bass(t_train, y_train, cumulative=self.cumulative, method=self.method, population=self.population)
        return BassPredictive(fit)
