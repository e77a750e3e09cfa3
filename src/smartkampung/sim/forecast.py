"""Forecasting the rollout: its tail, a posterior from the observed counts, prediction bands that widen.

A budget-only rollout connects villages as fast as money allows and so
reaches every village on a date the model is sure of: its bands close once
the money is there. The last villages of a real programme are slow for
reasons a budget does not see. Two optional mechanisms give the model that
tail, each drawn per run (:class:`~smartkampung.model.RolloutAssumptions`):

* *readiness*: each village not connected at the start waits an
  exponential time of mean ``readiness_months`` (from the start) until its
  office is ready; its link is funded in policy order as before and goes
  live when both money and office are there. Children on the fibre tree
  hang from their parent's *link*, not from its office, so a late office
  delays no one else;
* *cost spread*: a per-village multiplier on capital cost, log-normal with
  mean 1 and log standard deviation ``cost_spread``.

:func:`calibrate_rollout` fits the budgets of the phases and the tail
parameters to observed counts by simulated likelihood on a grid (flat priors
on declared ranges; an observed count is the modelled count plus Gaussian
reporting noise of standard deviation ``noise_sd``, itself on the grid). The
simulations share their random numbers across the grid (common random
numbers), so the likelihood surface is smooth and the fit is reproducible.
The posterior it returns gives prediction bands *conditional on the
observations* (each simulation is weighted by how well it reproduces them),
and :meth:`RolloutCalibration.posterior_sample` turns it into a
:class:`~smartkampung.model.RolloutPosterior` that a scenario carries into
every ensemble. :class:`RolloutForecaster` plugs the whole into
:func:`smartkampung.sim.backtest.backtest`.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp

from smartkampung._arrays import ARRAY_EQ, readonly_array
from smartkampung._deprecation import current_keys, current_name
from smartkampung._errors import ParameterError
from smartkampung._typing import SeedLike, as_generator, as_seed_sequence
from smartkampung._validation import as_float_array, as_int_array, check_choice, check_float, check_int
from smartkampung.model._scenario import RolloutPosterior
from smartkampung.sim._rollout_model import RolloutModel
from smartkampung.sim.backtest import SamplePredictive
from smartkampung.sim.distributions import quantile
from smartkampung.sim.rollout import NEVER
from smartkampung.sim.tail import standard_waits, village_draws

__all__ = ["RolloutCalibration", "RolloutForecaster", "RolloutModel", "calibrate_rollout", "model_truths"]


# --------------------------------------------------------------------------- calibration


@attrs.frozen(eq=False)
class RolloutCalibration:
    """The posterior of a rollout's parameters on a grid, from observed counts.

    Attributes
    ----------
    model : RolloutModel
    names : tuple of str
        Parameters on the grid: the budget phases (``budget_per_month``,
        ``budget_phases[i]``), ``readiness_months``, ``cost_spread``, and the
        reporting noise ``noise_sd`` [villages].
    axes : tuple of ndarray
        Grid values of each parameter.
    log_weight : ndarray of float64, shape (n_grid,)
        Log posterior weight of every grid point (flat prior on the grid), normalised.
    observed_months, observed_counts : ndarray, shape (m,)
        The data the posterior is conditioned on. [month], [villages]
    n_sims : int
        Simulations per grid point.
    seed : int
        Entropy of the simulations' per-village draws (shared by every grid point).
    """

    model: RolloutModel
    names: tuple[str, ...]
    axes: tuple[NDArray[np.float64], ...]
    log_weight: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    observed_months: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    observed_counts: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    n_sims: int
    seed: int
    fixed: Mapping[str, float] = attrs.field(factory=dict)

    def grid_point(self, flat_index: int) -> dict[str, float]:
        """The parameter values of one grid point."""
        size = int(self.log_weight.shape[0])
        flat_index = check_int(flat_index, "flat_index", "RolloutCalibration.grid_point", minimum=0, maximum=size - 1)
        idx = np.unravel_index(flat_index, tuple(a.shape[0] for a in self.axes))
        values = {name: float(axis[i]) for name, axis, i in zip(self.names, self.axes, idx, strict=True)}
        return {**self.fixed, **values}

    def marginal(self, name: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Posterior probability of each grid value of one parameter."""
        fn = "RolloutCalibration.marginal"
        j = self.names.index(check_choice(current_name(name, self.names, "parameter", fn), "name", fn, self.names))
        shape = tuple(a.shape[0] for a in self.axes)
        w = np.exp(self.log_weight).reshape(shape)
        other = tuple(i for i in range(len(shape)) if i != j)
        return self.axes[j], np.asarray(w.sum(axis=other))

    def interval(self, name: str, level: float = 0.95) -> tuple[float, float, float]:
        """Posterior median and central credible interval of one parameter, from its grid marginal."""
        fn = "RolloutCalibration.interval"
        name = check_choice(current_name(name, self.names, "parameter", fn), "name", fn, self.names)
        level = check_float(
            level, "level", fn, minimum=0.0, maximum=1.0, exclusive_minimum=True, exclusive_maximum=True
        )
        values, p = self.marginal(name)
        cdf = np.cumsum(p)
        lo, mid, hi = (
            float(values[min(int(np.searchsorted(cdf, q)), len(values) - 1)])
            for q in ((1 - level) / 2, 0.5, (1 + level) / 2)
        )
        return mid, lo, hi

    def summary(self) -> str:
        """Medians and 95 % credible intervals of every parameter."""
        lines = [
            f"Rollout posterior from {self.observed_counts.shape[0]} counts at months "
            f"{self.observed_months.tolist()}: {self.n_sims} simulations per grid point"
        ]
        for name in self.names:
            mid, lo, hi = self.interval(name)
            lines.append(f"  {name:<22} median {mid:.4g}   95 % [{lo:.4g}, {hi:.4g}]")
        return "\n".join(lines)

    def _draw_points(self, k: int, rng: np.random.Generator) -> NDArray[np.int64]:
        p = np.exp(self.log_weight - self.log_weight.max())
        return np.asarray(rng.choice(p.shape[0], size=k, p=p / p.sum()), dtype=np.int64)

    def _simulate_rows(self, point: dict[str, float], months: NDArray[np.int64], rows: ArrayLike) -> NDArray[np.int64]:
        phases = [point[_phase_name(i)] for i in range(len(self.model.phase_starts))]
        budget = self.model.budget_path(
            phases, self.model.funding_months(np.concatenate([months, self.observed_months]))
        )
        waits, normals = _sims_in_order(self.model, self.seed, self.n_sims)
        idx = np.asarray(rows, dtype=np.int64)
        pm = self.model._months(
            budget, point.get("readiness_months", 0.0), point.get("cost_spread", 0.0), waits[idx], normals[idx]
        )
        return self.model._counts(pm, months)

    def _likely_sims(self, point: dict[str, float], size: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """Simulations of a grid point drawn by how well they reproduce the observations."""
        obs = self._simulate_rows(point, self.observed_months, np.arange(self.n_sims))
        logw = _log_noise(obs, self.observed_counts, point["noise_sd"])
        w = np.exp(logw - logw.max())
        return np.asarray(rng.choice(self.n_sims, size=size, p=w / w.sum()), dtype=np.int64)

    def predict(
        self, months: ArrayLike, n_draws: int, *, rng: SeedLike = None, future_scales: Mapping[int, Any] | None = None
    ) -> NDArray[np.float64]:
        """Draws of the observed count at ``months`` given the observations, shape (n_draws, len(months)).

        Each draw takes a grid point from the posterior, then one of its
        simulations with probability proportional to how well it reproduces
        the observations (so the unseen villages' readiness is conditioned
        on the counts), and adds the reporting noise. ``future_scales`` maps
        a budget phase index to the distribution of its scale, for phases
        that start after the observations and whose budget is unknown: each
        draw takes its own scale.
        """
        fn = "RolloutCalibration.predict"
        gen = as_generator(rng, fn)
        mm = as_int_array(months, "months", fn)
        k = check_int(n_draws, "n_draws", fn, minimum=1)
        out = np.empty((k, mm.shape[0]))
        points = self._draw_points(k, gen)
        for p in np.unique(points).tolist():
            rows = np.flatnonzero(points == p)
            point = self.grid_point(p)
            chosen = self._likely_sims(point, rows.shape[0], gen)
            if not future_scales:
                out[rows] = self._simulate_rows(point, mm, chosen)
            else:
                for r, s in zip(rows.tolist(), chosen.tolist(), strict=True):
                    varied = dict(point)
                    for phase, dist in future_scales.items():
                        varied[_phase_name(phase)] = float(quantile(dist, gen.random()))
                    out[r] = self._simulate_rows(varied, mm, [s])[0]
            out[rows] += gen.normal(0.0, point["noise_sd"], (rows.shape[0], mm.shape[0]))
        # A report cannot count fewer villages than none nor more than there are.
        return np.clip(out, 0.0, float(np.count_nonzero(self.model.counted)))

    def posterior_sample(self, k: int, *, rng: SeedLike = None, source: str = "") -> RolloutPosterior:
        """A joint sample of the calibrated parameters, for a scenario's ``rollout.posterior``.

        Each row is a grid point drawn from the posterior and one of its
        simulations drawn by its likelihood; the row's ``sims`` entry names
        that simulation, whose per-village draws a run regenerates.
        """
        fn = "RolloutCalibration.posterior_sample"
        gen = as_generator(rng, fn)
        k = check_int(k, "k", fn, minimum=1)
        points = self._draw_points(k, gen)
        params = [n for n in self.names if n != "noise_sd"]
        values: list[tuple[float, ...]] = []
        sims: list[int] = []
        for p in points.tolist():
            point = self.grid_point(p)
            sims.append(int(self._likely_sims(point, 1, gen)[0]))
            values.append(tuple(point[n] for n in params))
        return RolloutPosterior(
            parameters=tuple(params), values=tuple(values), sims=tuple(sims), seed=self.seed, source=source
        )


def _phase_name(i: int) -> str:
    return "budget_per_month" if i == 0 else f"budget_phases[{i - 1}]"


@functools.lru_cache(maxsize=8)
def _sims(seed: int, n_sims: int, n_villages: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The calibration simulations' village draws: simulation ``s`` from ``SeedSequence(seed, spawn_key=(s,))``."""
    u = np.empty((n_sims, n_villages))
    z = np.empty((n_sims, n_villages))
    for s in range(n_sims):
        u[s], z[s] = village_draws(np.random.SeedSequence(seed, spawn_key=(s,)), n_villages)
    u.setflags(write=False)
    z.setflags(write=False)
    return u, z


def _sims_in_order(model: RolloutModel, seed: int, n_sims: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    u, z = _sims(seed, n_sims, model.n_villages)
    return standard_waits(u[:, model.order.order]), z[:, model.order.order]


def _log_noise(sim_counts: NDArray[np.int64], observed: NDArray[np.float64], sd: float) -> NDArray[np.float64]:
    """Log density of the observations given each simulation's counts, Gaussian reporting noise."""
    r = (observed[None, :] - sim_counts) / sd
    out: NDArray[np.float64] = -0.5 * np.sum(r * r, axis=1) - observed.shape[0] * math.log(sd * math.sqrt(2 * math.pi))
    return out


def _check_grid(
    model: RolloutModel, grid: Mapping[str, ArrayLike], fixed: Mapping[str, float] | None, fn: str
) -> tuple[tuple[str, ...], tuple[NDArray[np.float64], ...], dict[str, float], list[str]]:
    phases = [_phase_name(i) for i in range(len(model.phase_starts))]
    allowed = [*phases, "readiness_months", "cost_spread"]
    # A grid or fixed value named by the first budget's old name, with a warning.
    grid = current_keys(grid, allowed, "parameter", "grid", fn)
    fixed = current_keys(fixed or {}, allowed, "parameter", "fixed", fn)
    for name in grid:
        check_choice(name, "grid", fn, allowed)
    for name in fixed:
        check_choice(name, "fixed", fn, allowed)
    missing = [p for p in phases if p not in grid and p not in fixed]
    if missing:
        raise ParameterError("grid", f"needs values (or a fixed value) for {', '.join(missing)}", function=fn)
    names = tuple(n for n in allowed if n in grid)
    axes = tuple(np.atleast_1d(as_float_array(grid[n], f"grid[{n!r}]", fn)) for n in names)
    for name, axis in zip(names, axes, strict=True):
        if axis.ndim != 1 or axis.size == 0 or not np.all(np.isfinite(axis)) or np.any(axis < 0):
            raise ParameterError("grid", f"{name}: needs finite values >= 0", function=fn)
    return names, axes, fixed, phases


def _check_noise(noise_sd: ArrayLike, fn: str) -> NDArray[np.float64]:
    sds = np.atleast_1d(as_float_array(noise_sd, "noise_sd", fn))
    if sds.ndim != 1 or not np.all(np.isfinite(sds)) or np.any(sds <= 0):
        raise ParameterError("noise_sd", "must be finite values > 0", function=fn)
    return sds


def _check_months(months: ArrayLike, name: str, fn: str) -> NDArray[np.int64]:
    mm = as_int_array(months, name, fn)
    if mm.ndim != 1 or mm.size == 0 or np.any(np.diff(mm) <= 0) or mm.min() < 0:
        raise ParameterError(name, "must be increasing whole months >= 0", function=fn)
    return mm


def _grid_counts(
    model: RolloutModel,
    names: tuple[str, ...],
    axes: tuple[NDArray[np.float64], ...],
    fixed: Mapping[str, float],
    phases: Sequence[str],
    months: NDArray[np.int64],
    seed: int,
    n_sims: int,
) -> NDArray[np.int16]:
    """Counts of every simulation of every grid point at ``months``, shape (*grid, n_sims, len(months))."""
    waits, normals = _sims_in_order(model, seed, n_sims)
    horizon = model.funding_months(months)
    out = np.empty((*tuple(a.shape[0] for a in axes), n_sims, months.shape[0]), dtype=np.int16)
    # Readiness changes only the live months: fund once per budget and spread, then wait per readiness.
    funded_cache: dict[tuple[float, ...], NDArray[np.int64]] = {}
    counted = model.counted[model.order.order]
    counted_waits = waits[:, counted]
    for idx in itertools.product(*(range(a.shape[0]) for a in axes)):
        point = {**fixed, **{n: float(a[i]) for n, a, i in zip(names, axes, idx, strict=True)}}
        spread = point.get("cost_spread", 0.0)
        key = (*(point[p] for p in phases), spread)
        funded = funded_cache.get(key)
        if funded is None:
            budget = model.budget_path([point[p] for p in phases], horizon)
            funded = model._months(budget, 0.0, spread, waits, normals)[:, counted]
            funded_cache[key] = funded
        mean_wait = point.get("readiness_months", 0.0)
        live = (
            np.where(funded >= NEVER, NEVER, np.maximum(funded, np.floor(mean_wait * counted_waits)))
            if mean_wait > 0
            else funded
        )
        out[idx] = (live[:, :, None] <= months[None, None, :]).sum(axis=1) + model.initial_count
    return out


def _log_likelihood(
    table: NDArray[np.int16], counts: NDArray[np.float64], sds: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Simulated log likelihood of every grid point and noise level, shape (n_grid, len(sds))."""
    n_sims = table.shape[-2]
    sims = table.reshape(-1, n_sims, table.shape[-1]).astype(np.float64)
    sse = np.sum((counts[None, None, :] - sims) ** 2, axis=2)  # (n_grid, n_sims)
    norm = counts.shape[0] * np.log(sds * math.sqrt(2 * math.pi)) + math.log(n_sims)
    out: NDArray[np.float64] = logsumexp(-sse[:, None, :] / (2.0 * sds[None, :, None] ** 2), axis=2) - norm
    return out


def calibrate_rollout(
    model: RolloutModel,
    observed_months: ArrayLike,
    observed_counts: ArrayLike,
    *,
    grid: Mapping[str, ArrayLike],
    noise_sd: ArrayLike,
    fixed: Mapping[str, float] | None = None,
    n_sims: int = 200,
    rng: SeedLike = None,
) -> RolloutCalibration:
    """The posterior of budgets and tail parameters given observed counts, on a grid.

    Parameters
    ----------
    model : RolloutModel
        From :meth:`RolloutModel.from_prepared`.
    observed_months : array_like of int, shape (m,)
        Months of the counts (count by the end of the month). [month]
    observed_counts : array_like, shape (m,)
        Counted villages connected then. [villages]
    grid : mapping of str to array_like
        Grid values of each free parameter: every budget phase
        (``budget_per_month``, ``budget_phases[i]``: amounts, or
        multiples for a scaled phase), optionally ``readiness_months`` and
        ``cost_spread``. The prior is flat over the grid points (give
        geometrically spaced budgets for a log-uniform prior).
    noise_sd : array_like
        Grid of the reporting noise's standard deviation, > 0. [villages]
    fixed : mapping of str to float, optional
        Values of parameters held fixed (a phase after the observations, say).
    n_sims : int
        Simulations per grid point (the same per-village draws for every point).
    rng : seed
        Seeds the per-village draws (SPEC 7).

    Returns
    -------
    RolloutCalibration

    Notes
    -----
    The likelihood of a grid point is the mean over its simulations of the
    Gaussian density of the observations around the simulated counts (an
    unbiased simulated likelihood); the posterior is it times the flat
    prior, normalised over the grid.
    """
    fn = "calibrate_rollout"
    months = _check_months(observed_months, "observed_months", fn)
    counts = as_float_array(observed_counts, "observed_counts", fn)
    if counts.shape != months.shape or not np.all(np.isfinite(counts)):
        raise ParameterError("observed_counts", "must be finite, one count per observed month", function=fn)
    sds = _check_noise(noise_sd, fn)
    names, axes, fixed, phases = _check_grid(model, grid, fixed, fn)
    n_sims = check_int(n_sims, "n_sims", fn, minimum=1)
    seed = int(as_seed_sequence(rng, fn).generate_state(1, np.uint64)[0] >> np.uint64(1))
    table = _grid_counts(model, names, axes, fixed, phases, months, seed, n_sims)
    return _calibration(model, names, axes, sds, table, months, counts, n_sims, seed, fixed)


def _calibration(
    model: RolloutModel,
    names: tuple[str, ...],
    axes: tuple[NDArray[np.float64], ...],
    sds: NDArray[np.float64],
    table: NDArray[np.int16],
    months: NDArray[np.int64],
    counts: NDArray[np.float64],
    n_sims: int,
    seed: int,
    fixed: dict[str, float],
) -> RolloutCalibration:
    flat = _log_likelihood(table, counts, sds).reshape(-1)
    log_w = flat - float(logsumexp(flat))
    return RolloutCalibration(
        model=model,
        names=(*names, "noise_sd"),
        axes=(*axes, sds),
        log_weight=log_w,
        observed_months=months,
        observed_counts=counts,
        n_sims=n_sims,
        seed=seed,
        fixed=fixed,
    )


# --------------------------------------------------------------------------- backtests


@attrs.frozen(eq=False)
class RolloutForecaster:
    """A forecaster for :func:`~smartkampung.sim.backtest.backtest`: calibrate on the training counts, predict the rest.

    The simulations of every grid point at every month the backtest may ask
    about are made once (the first call), so each origin costs only a
    reweighting. Predictive draws: a grid point from the posterior, one of
    its simulations by its likelihood, plus the reporting noise, clipped to
    the counted villages.

    Attributes
    ----------
    model : RolloutModel
    months : array_like of int
        Every month the backtest trains on or predicts. [month]
    grid, noise_sd, fixed, n_sims
        As :func:`calibrate_rollout`.
    n_draws : int
        Predictive draws behind the quantiles.
    seed : int
        Seeds the simulations and the predictive draws.
    """

    model: RolloutModel
    months: Any
    grid: Mapping[str, Any]
    noise_sd: Any
    fixed: Mapping[str, float] = attrs.field(factory=dict)
    n_sims: int = 100
    n_draws: int = 400
    seed: int = 0
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)

    def _table(self) -> tuple[NDArray[np.int64], NDArray[np.int16], tuple[Any, ...]]:
        if "table" not in self._cache:
            fn = "RolloutForecaster"
            months = _check_months(self.months, "months", fn)
            names, axes, fixed, phases = _check_grid(self.model, self.grid, self.fixed, fn)
            table = _grid_counts(
                self.model,
                names,
                axes,
                fixed,
                phases,
                months,
                self.seed,
                check_int(self.n_sims, "n_sims", fn, minimum=1),
            )
            self._cache["table"] = (months, table, (names, axes, fixed, _check_noise(self.noise_sd, fn)))
        out: tuple[NDArray[np.int64], NDArray[np.int16], tuple[Any, ...]] = self._cache["table"]
        return out

    def posterior(self, t_train: ArrayLike, y_train: ArrayLike) -> RolloutCalibration:
        """The posterior given training counts at months among :attr:`months`."""
        months, table, (names, axes, fixed, sds) = self._table()
        fn = "RolloutForecaster"
        tt = as_int_array(t_train, "t_train", fn)
        cols = _columns(months, tt)
        yy = as_float_array(y_train, "y_train", fn)
        if yy.shape != tt.shape:
            raise ParameterError(
                "y_train", f"needs one count per training month ({tt.shape[0]}), got shape {yy.shape}", function=fn
            )
        return _calibration(self.model, names, axes, sds, table[..., cols], tt, yy, table.shape[-2], self.seed, fixed)

    def __call__(self, t_train: NDArray[np.float64], y_train: NDArray[np.float64]) -> SamplePredictive:
        """Calibrate on ``(t_train, y_train)``; the predictive draws counts at later months of :attr:`months`."""
        months, table, _ = self._table()
        cal = self.posterior(t_train, y_train)
        train = table[..., _columns(months, cal.observed_months)].reshape(-1, table.shape[-2], len(cal.observed_months))
        flat = table.reshape(-1, table.shape[-2], table.shape[-1])
        n_sd = cal.axes[-1].shape[0]
        top = int(np.count_nonzero(self.model.counted))

        def draw(t: NDArray[np.float64]) -> NDArray[np.float64]:
            gen = np.random.default_rng(self.seed + 1)
            cols = _columns(months, t.astype(np.int64))
            points = cal._draw_points(self.n_draws, gen)
            grid_point, sd_index = np.divmod(points, n_sd)
            out = np.empty((self.n_draws, cols.shape[0]))
            for g in np.unique(points).tolist():
                rows = np.flatnonzero(points == g)
                sd = float(cal.axes[-1][sd_index[rows[0]]])
                logw = _log_noise(train[grid_point[rows[0]]], cal.observed_counts, sd)
                w = np.exp(logw - logw.max())
                chosen = gen.choice(flat.shape[1], size=rows.shape[0], p=w / w.sum())
                noise = gen.normal(0.0, sd, (rows.shape[0], cols.shape[0]))
                out[rows] = flat[grid_point[rows[0]]][chosen][:, cols] + noise
            return np.clip(out, 0.0, float(top))

        return SamplePredictive(draw)


def _columns(months: NDArray[np.int64], wanted: NDArray[np.int64]) -> NDArray[np.int64]:
    cols = np.searchsorted(months, wanted)
    if np.any(cols >= months.shape[0]) or not np.array_equal(months[np.minimum(cols, months.shape[0] - 1)], wanted):
        raise ParameterError(
            "t",
            f"months {wanted.tolist()} must be among the forecaster's months {months.tolist()}",
            function="RolloutForecaster",
        )
    return np.asarray(cols, dtype=np.int64)


def model_truths(
    model: RolloutModel,
    months: ArrayLike,
    n_truths: int,
    *,
    prior: Mapping[str, tuple[float, float]],
    noise_sd: tuple[float, float],
    fixed: Mapping[str, float] | None = None,
    log_scale: Sequence[str] = (),
    rng: SeedLike = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Series made by the model itself, for checking a forecaster's coverage (simulation-based calibration).

    Each truth draws its parameters from the prior (uniform on ``[low,
    high]``, log-uniform for names in ``log_scale``), fresh per-village
    draws, and Gaussian reporting noise of a standard deviation drawn
    log-uniformly from ``noise_sd``.

    Returns
    -------
    params : ndarray of float64, shape (n_truths, len(prior) + 1)
        The drawn parameters (in ``prior``'s order), then the noise.
    series : ndarray of float64, shape (n_truths, len(months))
        The observed counts.
    """
    fn = "model_truths"
    gen = as_generator(rng, fn)
    mm = _check_months(months, "months", fn)
    n = check_int(n_truths, "n_truths", fn, minimum=1)
    phases = [_phase_name(i) for i in range(len(model.phase_starts))]
    allowed = [*phases, "readiness_months", "cost_spread"]
    prior = current_keys(prior, allowed, "parameter", "prior", fn)
    fixed = current_keys(fixed or {}, allowed, "parameter", "fixed", fn)
    log_scale = [current_name(name, allowed, "parameter", fn) for name in log_scale]
    known = {**fixed, **prior}
    missing = [p for p in phases if p not in known]
    if missing:
        raise ParameterError("prior", f"needs a range (or a fixed value) for {', '.join(missing)}", function=fn)
    for name, bounds in prior.items():
        check_choice(name, "prior", fn, allowed)
        lo, hi = (check_float(b, "prior", fn, minimum=0.0) for b in bounds)
        if hi < lo or (name in log_scale and lo <= 0):
            raise ParameterError(
                "prior", f"{name}: needs 0 <= low <= high (low > 0 on a log scale), got ({lo:g}, {hi:g})", function=fn
            )
    sd_lo, sd_hi = (check_float(b, "noise_sd", fn, minimum=0.0, exclusive_minimum=True) for b in noise_sd)
    if sd_hi < sd_lo:
        raise ParameterError("noise_sd", f"needs low <= high, got ({sd_lo:g}, {sd_hi:g})", function=fn)
    params = np.empty((n, len(prior) + 1))
    series = np.empty((n, mm.shape[0]))
    for r in range(n):
        point = dict(fixed or {})
        for j, (name, (lo, hi)) in enumerate(prior.items()):
            value = (
                math.exp(gen.uniform(math.log(lo), math.log(hi))) if name in log_scale else float(gen.uniform(lo, hi))
            )
            point[name] = value
            params[r, j] = value
        sd = math.exp(gen.uniform(math.log(sd_lo), math.log(sd_hi)))
        params[r, -1] = sd
        u, z = village_draws(np.random.SeedSequence(int(gen.integers(2**62))), model.n_villages)
        budget = model.budget_path([point[p] for p in phases], model.funding_months(mm))
        cm = model.connection_months(
            budget, point.get("readiness_months", 0.0), point.get("cost_spread", 0.0), u[None, :], z[None, :]
        )
        series[r] = np.clip(
            model.counts(cm, mm)[0] + gen.normal(0.0, sd, mm.shape[0]), 0.0, float(np.count_nonzero(model.counted))
        )
    return params, series
