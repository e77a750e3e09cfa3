"""Speed of ``fit_bass`` on a 20-point series (target: an "nls" fit under 50 ms).

Run as ``python benchmarks/bench_fitting.py`` (``--repeats N`` to change the
number of timed fits per method). The series: per-period adoptions of the
Bass model with p = 0.012, q = 0.35, m = 8,000 per month (illustrative
values) at t = 1..20 months plus N(0, 15²) noise, seed 7. Each fit is timed
separately after one warm-up fit; the table gives the median and the 90th
percentile of the repeats.
"""

from __future__ import annotations

import argparse
import time
from typing import Literal

import numpy as np

from smartkampung.sim.adoption import bass_cdf
from smartkampung.sim.fitting import fit_bass


def series() -> tuple[np.ndarray, np.ndarray]:
    """The 20-point benchmark series (t, y)."""
    t = np.arange(1.0, 21.0)
    mean = 8000.0 * (bass_cdf(t, 0.012, 0.35) - bass_cdf(t - 1.0, 0.012, 0.35))
    return t, mean + np.random.default_rng(7).normal(0.0, 15.0, t.size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    t, y = series()
    print(f"fit_bass on {t.size} points, {args.repeats} repeats each")
    print(f"{'method':>8} {'median ms':>10} {'p90 ms':>8}   p, q, m")
    cases: tuple[tuple[Literal["nls", "ols", "mle"], bool], ...] = (
        ("nls", False),
        ("nls", True),
        ("ols", False),
        ("mle", False),
    )
    for method, cumulative in cases:
        data = np.cumsum(y) if cumulative else y
        fit = fit_bass(t, data, method=method, cumulative=cumulative)  # warm-up
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            fit_bass(t, data, method=method, cumulative=cumulative)
            times.append(time.perf_counter() - start)
        ms = 1e3 * np.array(times)
        label = method + ("/cum" if cumulative else "")
        print(
            f"{label:>8} {np.median(ms):>10.2f} {np.percentile(ms, 90):>8.2f}   {fit.p:.5f}, {fit.q:.4f}, {fit.m:.1f}"
        )


if __name__ == "__main__":
    main()
