"""Out-of-sample check of fitted IDM dynamics: fit on early year pairs, predict later years of the same desa.

Calibration uses data up to the forecast origin only. The predictions are
compared with what was observed and with the no-change forecast (the
origin year's statuses); see :func:`backtest_idm_dynamics`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung._arrays import ARRAY_EQ, readonly_bool, readonly_float, readonly_int
from smartkampung._errors import ParameterError
from smartkampung._typing import as_generator
from smartkampung._validation import check_bool, check_int
from smartkampung.model._idm_data import IndicatorPanel
from smartkampung.sim.idm._fit import DEFAULT_PRIOR_STRENGTH, fit_idm_dynamics
from smartkampung.sim.idm._project import Stepper
from smartkampung.sim.idm._scores import group_index

__all__ = ["IDMBacktest", "backtest_idm_dynamics"]


@attrs.frozen
class IDMBacktest:
    """Out-of-sample check of fitted dynamics on later years of the same desa.

    Attributes
    ----------
    fit_pairs : tuple of (int, int)
        Year pairs the dynamics were fitted on.
    origin_year : int
        Forecast origin: the desa's observed scores in this year start every run.
    target_years : tuple of int
        Years predicted.
    n_desa : ndarray of int64, shape (n_targets,)
        Desa recorded in both the origin and the target year.
    observed, naive : ndarray of int64, shape (n_targets, n_statuses)
        Observed status counts, and the no-change forecast (origin statuses).
    mean, low, high : ndarray of float64, shape (n_targets, n_statuses)
        Mean predicted counts and the ``band`` quantiles over runs.
    tv_model, tv_naive : ndarray of float64, shape (n_targets,)
        Total-variation error of the status shares, ``½ Σ |p̂ − p|`` (mean
        prediction and no change). [share of desa]
    rps_model, rps_naive : ndarray of float64, shape (n_targets,)
        Mean ranked probability score per desa (ordinal statuses; 0 is perfect).
    covered : ndarray of bool, shape (n_targets, n_statuses)
        Whether each observed count lies in its band.
    n_regencies : ndarray of int64, shape (n_targets,)
        Regencies with at least ``min_regency_desa`` desa in the comparison.
    regency_coverage : ndarray of float64, shape (n_targets,)
        Share of those regencies whose observed number of desa at the
        second-highest status or above (IDM: Maju or Mandiri) lies in its band:
        the check that matters for one regency's projection (Banyuwangi's).
    band : (float, float)
        Quantiles of the band.
    n_runs : int
        Runs simulated.
    """

    fit_pairs: tuple[tuple[int, int], ...]
    origin_year: int
    target_years: tuple[int, ...]
    n_desa: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    observed: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    naive: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    mean: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    low: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    high: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    tv_model: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    tv_naive: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    rps_model: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    rps_naive: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    covered: NDArray[np.bool_] = attrs.field(converter=readonly_bool, eq=ARRAY_EQ)
    n_regencies: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    regency_coverage: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    band: tuple[float, float]
    n_runs: int

    def table(self) -> str:
        """A plain-text table: one line per target year."""
        pairs = ", ".join(f"{a}→{b}" for a, b in self.fit_pairs)
        lines = [
            f"fit on {pairs}; origin {self.origin_year}; {self.n_runs} runs; band {self.band}",
            "target  n_desa  observed                      naive TV  model TV  naive RPS  model RPS  "
            "in band  regencies in band  model mean counts",
        ]
        for t, year in enumerate(self.target_years):
            obs = " ".join(f"{c:5d}" for c in self.observed[t])
            mean = " ".join(f"{c:7.1f}" for c in self.mean[t])
            lines.append(
                f"{year}  {self.n_desa[t]:6d}  {obs}  {self.tv_naive[t]:8.3f}  {self.tv_model[t]:8.3f}  "
                f"{self.rps_naive[t]:9.4f}  {self.rps_model[t]:9.4f}  {int(self.covered[t].sum())}/"
                f"{self.covered.shape[1]}      {self.regency_coverage[t]:5.2f} of {self.n_regencies[t]:3d}      {mean}"
            )
        return "\n".join(lines)


def _rps(cumulative_forecast: NDArray[np.float64], observed: NDArray[np.int64], k: int) -> float:
    cum_obs = (observed[:, None] <= np.arange(k - 1)[None, :]).astype(np.float64)
    return float(np.mean(((cumulative_forecast[:, : k - 1] - cum_obs) ** 2).sum(axis=1)))


def backtest_idm_dynamics(
    panel: IndicatorPanel,
    *,
    fit_pairs: Sequence[tuple[int, int]],
    origin_year: int,
    target_years: Sequence[int],
    n_runs: int = 200,
    band: tuple[float, float] = (0.05, 0.95),
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    min_regency_desa: int = 10,
    correlated_shocks: bool = True,
    rng: Any = None,
) -> IDMBacktest:
    """Fit on some year pairs, predict later status distributions of the same desa.

    The dynamics are fitted on *fit_pairs* only (all must end by
    *origin_year*: calibration uses data up to the forecast origin). Every run
    starts from the desa's observed scores in *origin_year* and moves them by
    the background dynamics (no programme effects), each desa's regency
    sharing its regency shock. For each target year the desa recorded in both
    years are compared with their observed statuses and with the no-change
    forecast.

    Parameters
    ----------
    panel : IndicatorPanel
        Observed records.
    fit_pairs : sequence of (int, int)
        Year pairs to fit, e.g. ``[(2021, 2022)]``.
    origin_year : int
        Forecast origin.
    target_years : sequence of int
        Years after *origin_year* to predict.
    n_runs : int, default 200
        Simulated runs.
    band : (float, float), default (0.05, 0.95)
        Quantiles of the prediction band.
    prior_strength : float
        Passed to :func:`fit_idm_dynamics`.
    min_regency_desa : int, default 10
        Smallest number of compared desa for a regency to count in
        ``regency_coverage``.
    correlated_shocks : bool, default True
        False sets the fitted ``rho_regency`` and ``rho_desa`` to 0 (independent
        indicator moves), to show what the shared shocks contribute.
    rng : seed or Generator, optional
        SPEC 7 random source.

    Returns
    -------
    IDMBacktest

    Raises
    ------
    ParameterError
        If a fit pair ends after the origin, a target is not after it, or
        a number is out of range.
    """
    fn = "backtest_idm_dynamics"
    if not isinstance(panel, IndicatorPanel):
        raise ParameterError("panel", f"must be an IndicatorPanel, got {type(panel).__name__}", function=fn)
    origin_year = check_int(origin_year, "origin_year", fn)
    pairs = tuple((int(a), int(b)) for a, b in fit_pairs)
    late = [p for p in pairs if p[1] > origin_year]
    if late:
        raise ParameterError(
            "fit_pairs",
            f"{late} end after origin_year {origin_year}: fit only on data up to the forecast origin",
            function=fn,
        )
    targets = tuple(int(t) for t in target_years)
    if not targets or any(t <= origin_year for t in targets) or len(set(targets)) != len(targets):
        raise ParameterError(
            "target_years", f"must be distinct years after origin_year {origin_year}, got {targets!r}", function=fn
        )
    n_runs = check_int(n_runs, "n_runs", fn, minimum=1)
    min_regency_desa = check_int(min_regency_desa, "min_regency_desa", fn, minimum=2)
    lo_q, hi_q = float(band[0]), float(band[1])
    if not 0.0 <= lo_q < hi_q <= 1.0:
        raise ParameterError("band", f"must be quantiles 0 <= low < high <= 1, got {band!r}", function=fn)
    correlated_shocks = check_bool(correlated_shocks, "correlated_shocks", fn)
    dynamics = fit_idm_dynamics(panel, year_pairs=pairs, prior_strength=prior_strength)
    if not correlated_shocks:
        dynamics = attrs.evolve(dynamics, rho_regency=0.0, rho_desa=0.0)
    ix = panel.index
    k = ix.n_statuses
    origin_rows = np.flatnonzero(panel.years == origin_year)
    if origin_rows.size == 0:
        raise ParameterError("origin_year", f"no record in {origin_year}", function=fn)
    codes0 = panel.codes[origin_rows]
    x0 = panel.scores[origin_rows]
    group, n_groups = group_index(panel.regency_codes[origin_rows], origin_rows.size, "panel", fn)
    last = max(targets)
    gen = as_generator(rng, fn)
    stepper = Stepper(dynamics, group, n_groups)
    status0 = stepper.status(x0)
    sims = np.empty((len(targets), n_runs, origin_rows.size), dtype=np.int8)
    where = {t: i for i, t in enumerate(targets)}
    for r in range(n_runs):
        x, status = x0, status0
        for year in range(origin_year + 1, last + 1):
            x = stepper.step(x, gen, status)
            status = stepper.status(x)
            if year in where:
                sims[where[year], r] = status
    n_desa, observed, naive, mean, low, high = [], [], [], [], [], []
    tv_m, tv_n, rps_m, rps_n, covered = [], [], [], [], []
    n_reg, reg_cov = [], []
    top = max(k - 2, 0)
    for t, year in enumerate(targets):
        rows_t = np.flatnonzero(panel.years == year)
        _, i0, i1 = np.intersect1d(codes0, panel.codes[rows_t], assume_unique=True, return_indices=True)
        obs_status = stepper.status(panel.scores[rows_t[i1]]).astype(np.int64)
        n = i0.size
        obs_counts = np.bincount(obs_status, minlength=k)
        naive_counts = np.bincount(status0[i0].astype(np.int64), minlength=k)
        s = sims[t][:, i0].astype(np.int64)  # (n_runs, n)
        run_counts = np.stack([np.bincount(row, minlength=k) for row in s])  # (n_runs, k)
        mean_counts = run_counts.mean(axis=0)
        n_desa.append(n)
        observed.append(obs_counts)
        naive.append(naive_counts)
        mean.append(mean_counts)
        low.append(np.quantile(run_counts, lo_q, axis=0))
        high.append(np.quantile(run_counts, hi_q, axis=0))
        covered.append((obs_counts >= low[-1]) & (obs_counts <= high[-1]))
        tv_m.append(0.5 * float(np.abs(mean_counts - obs_counts).sum()) / max(n, 1))
        tv_n.append(0.5 * float(np.abs(naive_counts - obs_counts).sum()) / max(n, 1))
        prob = np.stack([(s == c).mean(axis=0) for c in range(k)], axis=1)  # (n, k)
        rps_m.append(_rps(np.cumsum(prob, axis=1), obs_status, k))
        naive_prob = np.eye(k)[status0[i0].astype(np.int64)]
        rps_n.append(_rps(np.cumsum(naive_prob, axis=1), obs_status, k))
        g = group[i0]
        size = np.bincount(g, minlength=n_groups)
        big = np.flatnonzero(size >= min_regency_desa)
        obs_top = np.bincount(g, weights=obs_status >= top, minlength=n_groups)[big]
        sim_top = np.stack([np.bincount(g, weights=row >= top, minlength=n_groups)[big] for row in s])
        inside = (obs_top >= np.quantile(sim_top, lo_q, axis=0)) & (obs_top <= np.quantile(sim_top, hi_q, axis=0))
        n_reg.append(big.size)
        reg_cov.append(float(inside.mean()) if big.size else math.nan)
    return IDMBacktest(
        fit_pairs=pairs,
        origin_year=int(origin_year),
        target_years=targets,
        n_desa=np.asarray(n_desa),
        observed=np.stack(observed),
        naive=np.stack(naive),
        mean=np.stack(mean),
        low=np.stack(low),
        high=np.stack(high),
        tv_model=np.asarray(tv_m),
        tv_naive=np.asarray(tv_n),
        rps_model=np.asarray(rps_m),
        rps_naive=np.asarray(rps_n),
        covered=np.stack(covered),
        n_regencies=np.asarray(n_reg),
        regency_coverage=np.asarray(reg_cov),
        band=(lo_q, hi_q),
        n_runs=int(n_runs),
    )
