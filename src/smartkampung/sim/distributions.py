"""Draw uncertain assumptions by inverse transform of uniform variates.

Each run of an ensemble draws one uniform variate per uncertain assumption,
in a fixed order, and maps it through the assumption's quantile function.
Two scenarios run with the same root seed therefore see the same variates:
common random numbers, so a scenario with a higher budget distribution gets
a higher budget in every run.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri

from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array
from smartkampung.model._scenario import Distribution, Fixed, FromPosterior, LogNormal, Normal, Triangular, Uniform

__all__ = ["quantile"]


def quantile(distribution: Distribution, u: ArrayLike) -> NDArray[np.float64]:
    """The ``u``-quantile of a distribution (its inverse CDF).

    Parameters
    ----------
    distribution : Fixed, Uniform, Normal, LogNormal or Triangular
        The declared distribution.
    u : array_like of float
        Probabilities in [0, 1).

    Returns
    -------
    ndarray of float64
        Same shape as ``u``. Non-decreasing in ``u``.

    Notes
    -----
    A truncated normal uses ``mu + sigma * Φ⁻¹(Φ(a) + u (Φ(b) − Φ(a)))`` with
    ``a, b`` the standardised bounds; a log-normal ``median * exp(sigma Φ⁻¹(u))``;
    a triangular distribution its closed-form inverse CDF.
    """
    arr = as_float_array(u, "u", "quantile")
    if arr.size and (not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1):
        raise ParameterError("u", "must lie in [0, 1]", function="quantile")
    if isinstance(distribution, Fixed):
        return np.full(arr.shape, float(distribution.value))
    if isinstance(distribution, Uniform):
        return distribution.low + arr * (distribution.high - distribution.low)
    if isinstance(distribution, Normal):
        if distribution.sigma == 0:
            return np.full(arr.shape, float(distribution.mu))
        a = (distribution.low - distribution.mu) / distribution.sigma
        b = (distribution.high - distribution.mu) / distribution.sigma
        # Work in the lower tail, where ndtr keeps its precision: a window far
        # above the mean is the mirror image of one far below it.
        flip = a > -b
        lo, hi = (ndtr(-b), ndtr(-a)) if flip else (ndtr(a), ndtr(b))
        p = lo + ((1.0 - arr) if flip else arr) * (hi - lo)
        z = ndtri(np.clip(p, 1e-300, 1 - 1e-16))
        z = -z if flip else z
        out: NDArray[np.float64] = np.clip(
            distribution.mu + distribution.sigma * z, distribution.low, distribution.high
        )
        return out
    if isinstance(distribution, LogNormal):
        z = ndtri(np.clip(arr, 1e-300, 1 - 1e-16))
        return np.asarray(distribution.median * np.exp(distribution.sigma * z), dtype=np.float64)
    if isinstance(distribution, Triangular):
        a, c, b = distribution.low, distribution.mode, distribution.high
        split = (c - a) / (b - a)
        left = a + np.sqrt(arr * (b - a) * (c - a))
        right = b - np.sqrt((1 - arr) * (b - a) * (b - c))
        return np.where(arr < split, left, right)
    if isinstance(distribution, FromPosterior):
        raise ParameterError(
            "distribution",
            "FromPosterior has no quantiles of its own: its value is the run's row of the scenario's rollout.posterior",
            function="quantile",
        )
    raise ParameterError("distribution", f"unknown distribution {distribution!r}", function="quantile")
