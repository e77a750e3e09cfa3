"""Speed of ``fit_bass`` on a 20-point series (target: an "nls" fit under 50 ms), and of a point rollout fit.

Run as ``python benchmarks/bench_fitting.py`` (``--repeats N`` to change the
number of timed fits per method; ``--rollout-repeats N`` for the second
table). The second table times ``fit_rollout`` of the two Banyuwangi budgets
(before and after January 2017, ``nearest`` policy, fibre to every office,
41 villages at launch) to the four desa counts, with ``interval=None`` (a
point fit) and with the default profile-likelihood interval, interleaved. The series: per-period adoptions of the
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
    parser.add_argument("--rollout-repeats", type=int, default=3)
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
    if args.rollout_repeats:
        rollout_fits(args.rollout_repeats)


def rollout_fits(repeats: int) -> None:
    import smartkampung as sk
    from smartkampung.datasets import banyuwangi_observations
    from smartkampung.sim import plan_network, schedule_rollout
    from smartkampung.sim.calibrate import fit_rollout

    obs = banyuwangi_observations(include_headline_claim=True)
    plan = plan_network(sk.datasets.banyuwangi(), technology_choice=False)
    is_desa = ~plan.columns.is_kelurahan

    def connected_desa(theta: np.ndarray, months: np.ndarray) -> np.ndarray:
        horizon = int(np.max(months)) + 1
        budget = np.where(np.arange(horizon) < 7, theta[0], theta[1])
        s = schedule_rollout(plan, budget_per_month=budget, n_months=horizon, policy="nearest", initially_connected=41)
        return np.array([np.sum(is_desa & (s.connection_month <= m)) for m in months], dtype=float)

    times: dict[str, list[float]] = {"None": [], "profile": []}
    for _ in range(repeats):
        for interval in (None, "profile"):
            start = time.perf_counter()
            fit_rollout(
                connected_desa,
                obs.months,
                obs.counts,
                interval=interval,
                bounds=[[1e6, 1e10], [1e7, 2e10]],
                param_names=["before", "after"],
            )
            times[str(interval)].append(time.perf_counter() - start)
    point, profile = np.median(times["None"]), np.median(times["profile"])
    print(f"\nfit_rollout, two budgets, four counts ({repeats} interleaved repeats, medians)")
    print(f"  interval=None     {point:6.2f} s")
    print(f"  interval=profile  {profile:6.2f} s   the point fit takes {point / profile:.0%} of the time")


if __name__ == "__main__":
    main()
