"""The IDM projection of many runs at once, each with its own stream: the arithmetic on all runs' desa together.

A run's projection (:func:`~smartkampung.sim.idm.project_run`) works on a
few hundred desa, where numpy's per-call cost dominates. Here the runs of an
ensemble's chunk are laid side by side (run ``r``'s desa are rows ``r * n ..
(r + 1) * n - 1``): every run still draws its own random numbers from its own
generator in the order the single-run projection draws them, and every
number is computed by the same elementwise operations, so each run's counts
equal those of the run alone, bit for bit, whatever the other runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from smartkampung.sim.idm._effects import connection_idm_year, effect_floor
from smartkampung.sim.idm._initial import donor_rows
from smartkampung.sim.idm._project import Stepper

if TYPE_CHECKING:  # _run imports this module
    from smartkampung.sim.idm._run import PreparedIDM

__all__ = ["project_runs"]


def project_runs(
    idm: PreparedIDM,
    connection_months: NDArray[np.int64],
    n_months: int,
    driver_adopters: NDArray[np.float64],
    driver_market: NDArray[np.float64],
    rngs: Sequence[np.random.Generator],
) -> NDArray[np.int64]:
    """Several runs' projections: villages per status in each IDM year, shape (runs, n_years, n_statuses).

    Parameters
    ----------
    idm : PreparedIDM
    connection_months : ndarray of int64, shape (runs, n_villages)
        Each run's connection months (>= *n_months*: not within the horizon). [month]
    n_months : int
        Horizon. [months]
    driver_adopters : ndarray of float64, shape (runs, n_drivers, n_years, n_villages)
        Adopters counting toward each driver at each year's cut-off. [households]
    driver_market : ndarray of float64, shape (n_drivers, n_villages)
        Their markets. [households]
    rngs : sequence of numpy.random.Generator, length runs
        Each run's IDM stream (see :func:`~smartkampung.sim.idm.project_run`).
    """
    v = idm.villages
    index = idm.index
    runs, nv = len(rngs), v.size
    connected = connection_idm_year(
        connection_months[:, v],
        start_year=idm.start_year,
        start_month=idm.start_month,
        cutoff_month=idm.cutoff_month,
        never_from=n_months,
    ).reshape(-1)
    market = driver_market[None, :, None, v]
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(market > 0, driver_adopters[:, :, :, v] / np.maximum(market, 1.0), 0.0)
    fraction = np.clip(fraction, 0.0, 1.0)  # (runs, n_drivers, n_years, nv)

    def floor_of(year: int, t: int) -> NDArray[np.int8]:
        adoption = {driver: fraction[:, d, t].reshape(-1) for d, driver in enumerate(idm.drivers)}
        return effect_floor(
            idm.effects, year=year, n_desa=runs * nv, connected_year=connected, adoption=adoption, index=index
        )

    # The observed state: each run's desa draw donors whose status, raised to the observed year's floor, is theirs.
    floor = floor_of(idm.observed_year, 0).astype(np.int64)
    backgrounds = []
    for r, rng in enumerate(rngs):
        target = idm.known_status.astype(np.int64)
        unknown = np.flatnonzero(target < 0)
        if unknown.size:
            target[unknown] = rng.permutation(np.repeat(np.arange(index.n_statuses), idm.remaining_counts))
        rows = donor_rows(
            idm.reference, target, floor[r * nv : (r + 1) * nv], rng, index, "simulate", cache=idm.donor_status_cache
        )
        backgrounds.append(idm.reference[rows])
    xb = np.concatenate(backgrounds) if backgrounds else np.zeros((0, index.n_indicators), dtype=np.int8)

    stepper = idm.stepper
    years = [int(y) for y in idm.years]
    position = {y: t for t, y in enumerate(years)}
    counts = np.zeros((runs, len(years), index.n_statuses), dtype=np.int64)
    for year in range(idm.observed_year, years[-1] + 1):
        if year > idm.observed_year:
            xb = _step(stepper, xb, rngs, nv)  # the band conditioning the moves is the background's own status
        t = position.get(year)
        if t is None:
            continue
        x = xb if idm.counterfactual or not idm.effects else np.maximum(xb, floor_of(year, t))
        status = stepper.status(x).astype(np.intp).reshape(runs, nv)
        for r in range(runs):
            counts[r, t] = np.bincount(status[r], minlength=index.n_statuses)
    return counts


def _step(stepper: Stepper, x: NDArray[np.int8], rngs: Sequence[np.random.Generator], nv: int) -> NDArray[np.int8]:
    """:meth:`Stepper.step` of every run at once: each run's draws from its own stream, in the same order."""
    n, j = x.shape
    b = stepper.status(x).astype(np.intp)
    regime = np.zeros(len(rngs), dtype=np.intp)
    unchanged = np.empty(n)
    z = np.empty((n, j), dtype=np.float32)
    for r, rng in enumerate(rngs):
        rows = slice(r * nv, (r + 1) * nv)
        # The order of Stepper.step: the year's regime, frozen uniforms, indicator, desa, then regency shocks.
        regime[r] = int(rng.integers(0, stepper.n_regimes)) if stepper.n_regimes > 1 else 0
        unchanged[rows] = rng.random(nv)
        zr = rng.standard_normal((nv, j), dtype=np.float32)
        zr *= stepper.sd_e
        desa_shock = rng.standard_normal(nv, dtype=np.float32) * stepper.sd_d
        regency_shock = rng.standard_normal(stepper.n_groups, dtype=np.float32) * stepper.sd_r
        zr += (desa_shock + regency_shock[stepper.group])[:, None]
        z[rows] = zr
    regime_of_row = np.repeat(regime, nv)
    frozen = unchanged < stepper.frozen[regime_of_row, b]
    row = (b[:, None].astype(np.int32) * j + np.arange(j, dtype=np.int32)[None, :]) * stepper.levels + x
    r_of = regime_of_row[:, None]
    moving = (z > stepper.stay_high[r_of, row]) | (z <= stepper.stay_low[r_of, row])
    moving[frozen] = False
    moves = np.flatnonzero(moving)
    out = x.copy()
    if moves.size:
        thresholds = stepper.tau[np.repeat(regime_of_row, j)[moves], row.reshape(-1)[moves]]  # (k, L-1)
        out.reshape(-1)[moves] = (z.reshape(-1)[moves][:, None] > thresholds).sum(axis=1, dtype=np.int8)
    return out
