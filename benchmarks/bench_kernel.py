"""Speed of the compiled adoption kernel against ``simulate_adoption`` and a plain numpy loop.

Run as ``python benchmarks/bench_kernel.py`` (``--quick`` for a smoke run,
``--sampler`` to add the binomial sampler alone). Needs numba
(``pip install "smartkampung[fast]"``). Prints, in one run, village-months
per second side by side for

* stochastic adoption on 1,000, 20,000 and 84,000 villages × 120 months:
  the plain numpy loop (``bench_adoption.numpy_loop``: one
  ``Generator.binomial`` over all villages per run and month),
  ``simulate_adoption`` and ``adopt_batch(backend="numba")``;
* deterministic adoption on 20,000 villages × 120 months: the plain numpy loop
  of the deterministic equations, ``simulate_adoption(stochastic=False)`` and
  the numba backend;
* a small region's ensemble, 217 villages (Banyuwangi's count) × 120 months ×
  100 runs, each run with its own start steps and coefficients: the plain loop
  run by run, ``simulate_adoption`` run by run (as the ensemble calls it),
  ``adopt_batch`` with the numpy backend and with the numba backend;

with the ratios to the numpy loop and the fraction of the bound of about
4.5e7 village-months per second on one core (issue 13: uniform 1.8 ns,
7-neighbour mat-vec 5.8 ns, exp 2.5 ns, inversion 7-10 ns, about 22 ns a
village-month). Everything runs on one core, warm (one call first), best of
three interleaved rounds (``--repeats``), except the rows "numba, 2 threads"
(``workers=2``, the same numbers; their bound is two cores', 9e7).

Problem (as ``bench_adoption.py``): villages scattered over Banyuwangi's
bounding box, k = 6 nearest neighbours, w = 0.3, markets of 200 to 3,000
households, start steps staggered over the first 60 months, p = 0.03/12 and
q = 0.38/12 per month (published averages); in the ensemble each run scales p
and q by its own factor in [0.8, 1.2] (illustrative assumption).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_adoption import P, Q, W, make_problem, numpy_loop, numpy_loop_deterministic

from smartkampung.sim._adoption_batch import adopt_batch, numba_available
from smartkampung.sim.adoption import simulate_adoption

#: Village-months per second on one core that the issue's cost model allows.
BOUND_PER_CORE = 4.5e7


def loop_one_run(
    market: NDArray[np.int64],
    start: NDArray[np.int64],
    nbr: NDArray[np.intp],
    *,
    p: float,
    q: float,
    steps: int,
    gen: np.random.Generator,
) -> NDArray[np.int64]:
    """The plain numpy loop of ``bench_adoption.numpy_loop`` for one run with its own start, p and q."""
    n = market.size
    out = np.empty((steps, n), dtype=np.int64)
    adopters = np.zeros(n, dtype=np.int64)
    for t in range(steps):
        a = adopters / market
        spill = a[nbr].mean(axis=1)
        hazard = p + q * ((1 - W) * a + W * spill)
        prob = np.where(t >= start, 1 - np.exp(-hazard), 0.0)
        adopters = adopters + gen.binomial(market - adopters, prob)
        out[t] = adopters
    return out


def best_of(funcs: dict[str, Callable[[], Any]], repeats: int) -> tuple[dict[str, float], dict[str, Any]]:
    """Best wall time of each function over ``repeats`` interleaved rounds, after one warm-up call each."""
    results = {name: func() for name, func in funcs.items()}
    best = dict.fromkeys(funcs, float("inf"))
    for _ in range(repeats):
        for name, func in funcs.items():
            t0 = time.perf_counter()
            results[name] = func()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best, results


def seeds(runs: int, seed: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(runs)]


def stochastic_case(n: int, runs: int, steps: int, repeats: int) -> tuple[dict[str, float], str]:
    """Best times of the three implementations on ``n`` villages, and a line on their agreement."""
    market, start, nbr = make_problem(n)
    starts = np.broadcast_to(start, (runs, n))
    best, res = best_of(
        {
            "numpy loop": lambda: numpy_loop(market, start, nbr, steps=steps, runs=runs, rng=1),
            "simulate_adoption": lambda: simulate_adoption(
                market, start, nbr, p=P, q=Q, w=W, steps=steps, runs=runs, rng=1
            ),
            "numba backend": lambda: adopt_batch(
                market, starts, nbr, p=P, q=Q, w=W, steps=steps, generators=seeds(runs, 1), backend="numba"
            ),
            **(
                {
                    "numba, 2 threads": lambda: adopt_batch(
                        market,
                        starts,
                        nbr,
                        p=P,
                        q=Q,
                        w=W,
                        steps=steps,
                        generators=seeds(runs, 1),
                        backend="numba",
                        workers=2,
                    )
                }
                if runs > 1
                else {}
            ),
        },
        repeats,
    )
    if "numba, 2 threads" in res and not np.array_equal(res["numba, 2 threads"], res["numba backend"]):
        raise SystemExit("the numba backend's result depends on the number of threads")
    note = (
        f"  stochastic {n:,}: mean final total, numpy loop {res['numpy loop'][:, -1].sum(1).mean():,.0f}, "
        f"simulate_adoption {res['simulate_adoption'][:, -1].sum(1).mean():,.0f}, "
        f"numba {res['numba backend'][:, -1].sum(1).mean():,.0f}"
    )
    return best, note


def sampler_table(repeats: int, quick: bool) -> None:
    """Nanoseconds per draw of the compiled sampler and of ``Generator.binomial``."""
    from smartkampung.sim._adoption_numba import sample_binomial

    print()
    print("binomial sampler alone, 10^6 draws of Binomial(n, mean/n) with n varying in [2000, 2100)")
    print(f"{'mean':>6} {'compiled [ns/draw]':>19} {'Generator.binomial [ns/draw]':>29}")
    gen = np.random.default_rng(5)
    size = 200_000 if quick else 1_000_000
    nn = gen.integers(2000, 2100, size)
    for mean in (0.5, 2, 5, 10, 20, 29, 40, 100, 1000):
        pp = np.full(size, mean / 2000)
        best, _ = best_of(
            {"c": lambda pp=pp: sample_binomial(nn, pp, gen), "np": lambda pp=pp: gen.binomial(nn, pp)}, repeats
        )
        print(f"{mean:>6} {best['c'] / size * 1e9:>19.1f} {best['np'] / size * 1e9:>29.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--repeats", type=int, default=3, help="timing rounds (default 3)")
    parser.add_argument("--sampler", action="store_true", help="also time the binomial sampler alone")
    args = parser.parse_args()
    if not numba_available():
        raise SystemExit('numba is not installed: pip install "smartkampung[fast]"')
    steps = 60 if args.quick else 120
    sizes = [(1_000, 10), (20_000, 2), (84_000, 1)] if not args.quick else [(500, 2), (2_000, 1)]
    repeats = 1 if args.quick else args.repeats
    rows: list[tuple[str, str, dict[str, float], int]] = []
    notes: list[str] = []

    for n, runs in sizes:
        best, note = stochastic_case(n, runs, steps, repeats)
        rows.append(("stochastic", f"{n:,} × {steps} × {runs}", best, n * steps * runs))
        notes.append(note)

    n_det = 2_000 if args.quick else 20_000
    market, start, nbr = make_problem(n_det)
    best, res = best_of(
        {
            "numpy loop": lambda: numpy_loop_deterministic(market, start, nbr, steps=steps),
            "simulate_adoption": lambda: simulate_adoption(
                market, start, nbr, p=P, q=Q, w=W, steps=steps, stochastic=False
            ),
            "numba backend": lambda: adopt_batch(
                market, start[None], nbr, p=P, q=Q, w=W, steps=steps, stochastic=False, backend="numba"
            ),
        },
        repeats,
    )
    rows.append(("deterministic", f"{n_det:,} × {steps} × 1", best, n_det * steps))
    det_err = float(
        np.max(
            np.abs(res["numba backend"][0] - res["simulate_adoption"][0]) / np.maximum(res["simulate_adoption"][0], 1.0)
        )
    )
    notes.append(f"  deterministic: max relative |numba - simulate_adoption| {det_err:.1e}")

    n_small, runs_small = (217, 20) if args.quick else (217, 100)
    market, _, nbr = make_problem(n_small, seed=2)
    rng = np.random.default_rng(3)
    starts = rng.integers(0, 60, (runs_small, n_small))
    p_run = P * rng.uniform(0.8, 1.2, runs_small)
    q_run = Q * rng.uniform(0.8, 1.2, runs_small)

    def per_run_simulate() -> NDArray[Any]:
        gens = seeds(runs_small, 4)
        return np.stack(
            [
                simulate_adoption(
                    market, starts[b], nbr, p=p_run[b], q=q_run[b], w=W, steps=steps, runs=1, rng=[gens[b]]
                )[0]
                for b in range(runs_small)
            ]
        )

    def per_run_loop() -> NDArray[Any]:
        gens = seeds(runs_small, 4)
        return np.stack(
            [
                loop_one_run(market, starts[b], nbr, p=p_run[b], q=q_run[b], steps=steps, gen=gens[b])
                for b in range(runs_small)
            ]
        )

    best, res = best_of(
        {
            "numpy loop": per_run_loop,
            "simulate_adoption": per_run_simulate,
            "adopt_batch numpy": lambda: adopt_batch(
                market, starts, nbr, p=p_run, q=q_run, w=W, steps=steps, generators=seeds(runs_small, 4)
            ),
            "numba backend": lambda: adopt_batch(
                market,
                starts,
                nbr,
                p=p_run,
                q=q_run,
                w=W,
                steps=steps,
                generators=seeds(runs_small, 4),
                backend="numba",
            ),
        },
        repeats,
    )
    rows.append(("small region, batched", f"{n_small} × {steps} × {runs_small}", best, n_small * steps * runs_small))
    same = np.array_equal(res["adopt_batch numpy"], res["simulate_adoption"])
    notes.append(f"  small region: adopt_batch numpy == simulate_adoption run by run, bit for bit: {same}")
    if not same:
        raise SystemExit("adopt_batch (numpy) differs from simulate_adoption")

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Spatial Bass adoption, k=6, w={W}, p={P:.5f}, q={Q:.5f} per month; one core; "
        f"numpy {np.__version__}; best of {repeats} rounds, warm; load average at the end {load:.2f}"
    )
    print(
        f"{'case':<22} {'villages × months × runs':>25}  {'implementation':<18} {'time [s]':>9} "
        f"{'village-months/s':>17} {'× numpy loop':>12} {'of bound':>9}"
    )
    for case, size, best, vm in rows:
        base = vm / best["numpy loop"]
        for name, secs in best.items():
            rate = vm / secs
            bound = BOUND_PER_CORE * (2 if "2 threads" in name else 1)
            print(
                f"{case:<22} {size:>25}  {name:<18} {secs:>9.3f} {rate:>17,.0f} {rate / base:>11.2f}× "
                f"{rate / bound:>8.0%}"
            )
    print()
    print("agreement")
    for line in notes:
        print(line)

    if args.sampler:
        sampler_table(repeats, args.quick)


if __name__ == "__main__":
    main()
