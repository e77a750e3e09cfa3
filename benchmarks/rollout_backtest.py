"""Out-of-sample checks of the rollout forecast: Banyuwangi's own counts, and coverage on the model's own truths.

Run as ``python benchmarks/rollout_backtest.py`` (``--truths N`` for the
synthetic part, default 200; ``--quick`` for a smoke run). Prints:

* **Banyuwangi**: a rolling-origin backtest of the calibrated forecaster
  (:class:`~smartkampung.sim.forecast.RolloutForecaster`, the shipped
  calibration's grid, noise levels, seed and 200 simulations per grid
  point) on the desa counts 44 (Jan 2017), 80 (May 2017), 115 (Sep 2017) and
  the brief's 167 (May 2018): from each origin with at least two counts, the
  posterior is computed from the counts up to the origin only and each later
  count is predicted, with its median and 80 % and 95 % bands.
* **Synthetic truths**: ``--truths`` count series drawn from the model itself
  (:func:`~smartkampung.sim.forecast.model_truths`: budgets log-uniform on
  the ranges below, a readiness wait uniform on 0–36 months, fresh village
  draws, Gaussian reporting noise of a standard deviation log-uniform on
  0.5–8 desa), observed at months 6, 11, 15, 23, 35 and 47 of Banyuwangi's
  network; each is backtested from every origin with at least three
  counts, on a coarser grid (12 x 12 x 10 points, 60 simulations, 5 noise
  levels). The pooled coverage of the 80 % and 95 % bands is the
  calibration check: a forecaster whose bands mean what they say covers
  about 80 % and 95 % of the held-back values.
"""

from __future__ import annotations

import argparse
import time

import attrs
import numpy as np

import smartkampung as sk
from smartkampung.datasets._calibration import GRID, N_SIMS, NOISE_SD, SEED, rollout_phases
from smartkampung.datasets._scenarios import _base_scenario
from smartkampung.model import Fixed
from smartkampung.sim.backtest import backtest, pool
from smartkampung.sim.forecast import RolloutForecaster, RolloutModel, model_truths


def banyuwangi_model() -> RolloutModel:
    sc = _base_scenario()
    ro = attrs.evolve(sc.rollout, budget_per_month=Fixed(1.0), budget_phases=rollout_phases(Fixed(1.0)))
    prepared = sk.sim.prepare(attrs.evolve(sc, rollout=ro).without_idm(), sk.datasets.banyuwangi())
    return RolloutModel.from_prepared(prepared, kind="desa")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--truths", type=int, default=200)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    model = banyuwangi_model()
    obs = sk.datasets.banyuwangi_observations()
    label = {int(m): f"{sk.datasets.banyuwangi_scenario().month_label(int(m))}" for m in obs.months}

    start = time.perf_counter()
    forecaster = RolloutForecaster(
        model,
        months=obs.months,
        grid=GRID,
        noise_sd=NOISE_SD,
        fixed={"budget_phases[1]": 1.0},
        n_sims=20 if args.quick else N_SIMS,
        seed=SEED,
    )
    result = backtest(obs.months, obs.counts, forecaster, min_train=2)  # bands 10-90 % and 2.5-97.5 %
    elapsed = time.perf_counter() - start
    print(f"Banyuwangi: rolling-origin backtest on the observed desa counts ({elapsed:.1f} s)")
    print(
        f"  {'origin (last count used)':<26} {'predicted':<10} {'observed':>8} {'median':>7} "
        f"{'80 % band':>15} {'95 % band':>15}"
    )
    for i in range(result.n_rows):
        o, t = int(result.t_origin[i]), int(result.t[i])
        (lo80, lo95), (hi80, hi95) = result.lower[i], result.upper[i]
        print(
            f"  {label[o]:<26} {label[t]:<10} {result.observed[i]:>8.0f} {result.point[i]:>7.1f} "
            f"  [{lo80:5.1f}, {hi80:5.1f}]   [{lo95:5.1f}, {hi95:5.1f}]"
        )

    months = np.array([6, 11, 15, 23, 35, 47])
    grid = {
        "budget_per_month": np.geomspace(5e7, 2e9, 12),
        "budget_phases[0]": np.geomspace(5e8, 2e10, 12),
        "readiness_months": np.arange(0.0, 37.0, 4.0),
    }
    prior = {"budget_per_month": (5e7, 2e9), "budget_phases[0]": (5e8, 2e10), "readiness_months": (0.0, 36.0)}
    truths = 20 if args.quick else args.truths
    start = time.perf_counter()
    synthetic = RolloutForecaster(
        model,
        months=months,
        grid=grid,
        noise_sd=np.geomspace(0.5, 8.0, 5),
        fixed={"budget_phases[1]": 1.0},
        n_sims=60,
        seed=7,
        n_draws=300,
    )
    _, series = model_truths(
        model,
        months,
        truths,
        prior=prior,
        noise_sd=(0.5, 8.0),
        fixed={"budget_phases[1]": 1.0},
        log_scale=("budget_per_month", "budget_phases[0]"),
        rng=11,
    )
    pooled = pool([backtest(months, y, synthetic, min_train=3) for y in series])
    elapsed = time.perf_counter() - start
    print(
        f"\nSynthetic truths: {truths} series x origins after 3, 4 and 5 counts = {pooled.n_rows} predictions "
        f"({elapsed:.1f} s)"
    )
    for level, covered in zip(pooled.nominal, pooled.coverage(), strict=True):
        se = np.sqrt(level * (1 - level) / pooled.n_rows)
        print(
            f"  {round(level * 100)} % bands cover {covered:.3f} of the held-back counts "
            f"(nominal {level:.2f}; binomial standard error {se:.3f})"
        )


if __name__ == "__main__":
    main()
