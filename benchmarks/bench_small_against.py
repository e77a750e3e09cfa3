"""``simulate_adoption`` on one small region, this checkout against an older one, interleaved.

``python benchmarks/bench_small_against.py --against OLD/src`` times one call of
:func:`~smartkampung.sim.adoption.simulate_adoption` (the problem of
``bench_adoption.py``, stochastic, 120 months, one run) at 217 and 1,000
villages, in fresh processes alternating between the two checkouts (median of
five each), so that the row "217 villages" of issue 13's table is compared
side by side and not against a figure from another day.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def _one(n: int, calls: int) -> float:
    # The problem from the checkout's own bench_adoption.py (the same function in both; an older one
    # cannot import this checkout's script).
    import smartkampung

    sys.path.insert(0, str(Path(smartkampung.__file__).resolve().parents[2] / "benchmarks"))
    from bench_adoption import P, Q, W, make_problem

    from smartkampung.sim.adoption import simulate_adoption

    market, start, nbr = make_problem(n)
    simulate_adoption(market, start, nbr, p=P, q=Q, w=W, steps=120, runs=1, rng=0)  # warm
    t = time.perf_counter()
    for seed in range(calls):
        simulate_adoption(market, start, nbr, p=P, q=Q, w=W, steps=120, runs=1, rng=seed)
    return (time.perf_counter() - t) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, help="an older checkout's src folder")
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_one(*args.child)))
        return
    for n, calls in ((217, 50), (1_000, 20)):
        times: dict[str, list[float]] = {"this checkout": [], "--against": []}
        for _ in range(5):
            for label, src in (("this checkout", SRC), ("--against", args.against)):
                out = subprocess.run(
                    [sys.executable, __file__, "--against", str(args.against), "--child", str(n), str(calls)],
                    env={**os.environ, "PYTHONPATH": str(src)},
                    capture_output=True,
                    text=True,
                    check=True,
                )
                times[label].append(json.loads(out.stdout))
        new, old = (statistics.median(times[k]) for k in ("this checkout", "--against"))
        rate = n * 120 / new
        print(
            f"{n:>6,} villages x 120 months, 1 run: this checkout {new * 1e3:7.2f} ms ({rate:.3g} village-months/s), "
            f"--against {old * 1e3:7.2f} ms ({n * 120 / old:.3g}); ratio {old / new:.2f}x"
        )


if __name__ == "__main__":
    main()
