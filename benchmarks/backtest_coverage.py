"""Coverage of the Bass forecaster's bands in rolling-origin backtests on synthetic truths.

Run as ``python benchmarks/backtest_coverage.py`` (``--series N``,
``--seed S``). Each synthetic series is t = 1..24 months of per-period
adoptions m (F(t) − F(t − 1)) plus independent N(0, σ²) noise, the noise
model the forecaster declares, with p ~ U(0.005, 0.03), q ~ U(0.15, 0.5),
m ~ U(2,000, 20,000) per month and σ a share U(0.05, 0.2) of the smallest
mean (illustrative ranges). For each setting (first origin ``min_train``,
horizons up to 6) every origin of every series is backtested with
``BassForecaster()`` ("nls"). The table gives the pooled coverage of the 80 %
and 95 % bands with a cluster standard error (the standard deviation of the
per-series coverage over sqrt(number of series): values of one series share
a fit), per horizon and overall.

A second block shows what the same forecaster does when the declared noise
model is wrong: Poisson counts (variance = mean) instead of constant-variance
Gaussian noise.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from smartkampung.sim.adoption import bass_cdf
from smartkampung.sim.backtest import backtest
from smartkampung.sim.fitting import BassForecaster


def run(n_series: int, min_train: int, noise: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    t = np.arange(1.0, 25.0)
    per_series, rows, horizons = [], [], []
    start = time.perf_counter()
    for _ in range(n_series):
        p, q, m = rng.uniform(0.005, 0.03), rng.uniform(0.15, 0.5), rng.uniform(2000.0, 20000.0)
        mean = m * (bass_cdf(t, p, q) - bass_cdf(t - 1.0, p, q))
        if noise == "gaussian":
            y = mean + rng.normal(0.0, rng.uniform(0.05, 0.2) * mean.min(), t.size)
        else:
            y = rng.poisson(mean).astype(float)
        res = backtest(t, y, BassForecaster(), min_train=min_train, max_horizon=6)
        per_series.append(res.coverage())
        rows.append(res.inside)
        horizons.append(res.horizon)
    return np.array(per_series), np.concatenate(rows), np.concatenate(horizons), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for noise in ("gaussian", "poisson"):
        print(f"noise: {noise}, {args.series} series, t = 1..24, horizons 1-6")
        print(f"{'min_train':>9} {'horizon':>7} {'rows':>6} {'cover 80%':>10} {'cover 95%':>10}")
        for min_train in (8, 12, 16):
            per, inside, hor, secs = run(args.series, min_train, noise, args.seed)
            se = per.std(axis=0, ddof=1) / np.sqrt(per.shape[0])
            for h in range(1, 7):
                sel = hor == h
                c = inside[sel].mean(axis=0)
                print(f"{min_train:>9} {h:>7} {int(sel.sum()):>6} {c[0]:>10.3f} {c[1]:>10.3f}")
            c = inside.mean(axis=0)
            print(
                f"{min_train:>9} {'all':>7} {inside.shape[0]:>6} {c[0]:>6.3f}±{se[0]:.3f} {c[1]:>6.3f}±{se[1]:.3f}"
                f"   ({secs:.1f} s)"
            )
        print()


if __name__ == "__main__":
    main()
