"""The rollout's tail: villages whose office is not ready, villages that cost more than the unit costs say.

Two mechanisms that make the last villages of a programme slow, each drawn
per run and declared in :class:`~smartkampung.model.RolloutAssumptions`
(``readiness_months``, ``cost_spread``); see :mod:`smartkampung.sim.forecast`
for how they are calibrated. Pure functions on arrays.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, check_finite, check_float, check_int

__all__ = ["cost_multipliers", "readiness_delay", "standard_waits", "village_draws"]


def village_draws(seed: np.random.SeedSequence, n_villages: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The per-village variates of one run or one calibration simulation: uniforms (readiness) and normals (cost).

    Drawn in this order from ``default_rng(seed)``, so a run that reuses a
    calibration simulation's seed gets its villages' draws exactly.
    """
    n = check_int(n_villages, "n_villages", "village_draws", minimum=0)
    g = np.random.default_rng(seed)
    return g.random(n), g.standard_normal(n)


def readiness_delay(uniforms: ArrayLike, mean_months: float) -> NDArray[np.int64]:
    """Month (from the start) in which each village office becomes ready: ``floor(-mean ln(1 - u))``.

    Exponential waiting times of mean ``mean_months`` (finite, >= 0), in
    whole months; 0 everywhere for a mean of 0. [month]
    """
    mean_months = check_float(mean_months, "mean_months", "readiness_delay", minimum=0.0)
    waits = _standard_waits(uniforms, "readiness_delay")
    if mean_months == 0:
        return np.zeros(waits.shape, dtype=np.int64)
    return np.floor(mean_months * waits).astype(np.int64)


def standard_waits(uniforms: ArrayLike) -> NDArray[np.float64]:
    """Exponential variates of mean 1, ``-ln(1 - u)``, from uniforms in [0, 1)."""
    return _standard_waits(uniforms, "standard_waits")


def _standard_waits(uniforms: ArrayLike, fn: str) -> NDArray[np.float64]:
    u = as_float_array(uniforms, "uniforms", fn)
    check_finite(u, "uniforms", fn)
    if u.size and not (u.min() >= 0.0 and u.max() < 1.0):
        raise ParameterError("uniforms", f"must lie in [0, 1) (found {u.min()!r} .. {u.max()!r})", function=fn)
    out: NDArray[np.float64] = -np.log1p(-u)
    return out


def cost_multipliers(normals: ArrayLike, spread: float) -> NDArray[np.float64]:
    """Per-village capital-cost multipliers ``exp(spread z - spread² / 2)``: log-normal with mean 1.

    ``spread`` (the log standard deviation) finite and >= 0; ``normals`` finite.
    """
    fn = "cost_multipliers"
    spread = check_float(spread, "spread", fn, minimum=0.0)
    z = as_float_array(normals, "normals", fn)
    check_finite(z, "normals", fn)
    if spread == 0:
        return np.ones(z.shape)
    return np.asarray(np.exp(spread * z - 0.5 * spread * spread))
