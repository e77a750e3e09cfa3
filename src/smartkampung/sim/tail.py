"""The rollout's tail: villages whose office is not ready, villages that cost more than the unit costs say.

Two mechanisms that make the last villages of a programme slow, each drawn
per run and declared in :class:`~smartkampung.model.RolloutAssumptions`
(``readiness_months``, ``cost_spread``); see :mod:`smartkampung.sim.forecast`
for how they are calibrated. Pure functions on arrays.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["cost_multipliers", "readiness_delay", "standard_waits", "village_draws"]


def village_draws(seed: np.random.SeedSequence, n_villages: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The per-village variates of one run or one calibration simulation: uniforms (readiness) and normals (cost).

    Drawn in this order from ``default_rng(seed)``, so a run that reuses a
    calibration simulation's seed gets its villages' draws exactly.
    """
    g = np.random.default_rng(seed)
    return g.random(n_villages), g.standard_normal(n_villages)


def readiness_delay(uniforms: ArrayLike, mean_months: float) -> NDArray[np.int64]:
    """Month (from the start) in which each village office becomes ready: ``floor(-mean ln(1 - u))``.

    Exponential waiting times of mean ``mean_months``, in whole months; 0
    everywhere for a mean of 0. [month]
    """
    waits = standard_waits(uniforms)
    if mean_months <= 0:
        return np.zeros(waits.shape, dtype=np.int64)
    return np.floor(mean_months * waits).astype(np.int64)


def standard_waits(uniforms: ArrayLike) -> NDArray[np.float64]:
    """Exponential variates of mean 1, ``-ln(1 - u)``, from uniforms in [0, 1)."""
    out: NDArray[np.float64] = -np.log1p(-np.asarray(uniforms, dtype=np.float64))
    return out


def cost_multipliers(normals: ArrayLike, spread: float) -> NDArray[np.float64]:
    """Per-village capital-cost multipliers ``exp(spread z - spread² / 2)``: log-normal with mean 1."""
    z = np.asarray(normals, dtype=np.float64)
    if spread <= 0:
        return np.ones(z.shape)
    return np.asarray(np.exp(spread * z - 0.5 * spread * spread))
