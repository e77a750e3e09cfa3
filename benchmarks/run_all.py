"""Run every benchmark and print their tables one after another.

``python benchmarks/run_all.py`` (about 25 minutes on a 2-core machine;
``--quick`` for a smoke run of each; ``--against PATH`` passes an older
checkout's ``src`` to ``bench_ensemble.py``). Each script prints its figures
side by side with its baseline, measured in the same run:

* ``bench_network.py``: fibre tree vs networkx (2,000 villages) and vs a bare
  scipy pipeline (84,000 villages);
* ``bench_rollout.py``: 84,000-village schedules for each policy;
* ``bench_adoption.py``: spatial Bass (stochastic and deterministic, numpy and
  numba backends) vs plain numpy loops and a Mesa model;
* ``bench_kernel.py``: the compiled kernel at 1,000 to 84,000 villages and a
  small region's batched ensemble, vs the plain numpy loop, with the fraction
  of the one-core bound;
* ``bench_ensemble.py``: plan + schedule at 84,000 villages vs bare scipy,
  Banyuwangi's ensemble vs a plain loop of its adoption, the command line,
  and the national ensemble on each backend and executor (time, peak memory);
* ``bench_fitting.py``, ``bench_idm.py``: Bass fits and the IDM model;
* ``rollout_backtest.py``, ``backtest_coverage.py``: out-of-sample checks of
  the rollout forecast and of the Bass forecaster (coverage of their bands);
* with ``--against``, ``bench_small_against.py``: one call of
  ``simulate_adoption`` at 217 and 1,000 villages, both checkouts interleaved.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = (
    "bench_network.py",
    "bench_rollout.py",
    "bench_adoption.py",
    "bench_kernel.py",
    "bench_ensemble.py",
    "bench_fitting.py",
    "bench_idm.py",
    "rollout_backtest.py",
    "backtest_coverage.py",
)


def _arguments(script: str, extra: list[str]) -> list[str]:
    """The options each script takes: ``--quick`` where it has one, ``--against PATH`` for the ensemble only."""
    out: list[str] = []
    quick = {
        "bench_network.py",
        "bench_rollout.py",
        "bench_adoption.py",
        "bench_kernel.py",
        "bench_ensemble.py",
        "rollout_backtest.py",
    }
    if "--quick" in extra and script in quick:
        out.append("--quick")
    elif "--quick" in extra:
        small = {
            "bench_fitting.py": ["--repeats", "5", "--rollout-repeats", "1"],
            "backtest_coverage.py": ["--series", "20"],
        }
        out += small.get(script, [])
    if "--against" in extra and script in ("bench_ensemble.py", "bench_small_against.py"):
        i = extra.index("--against")
        out += extra[i : i + 2]
    return out


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Run every benchmark of benchmarks/ and print their tables.")
    parser.add_argument("--quick", action="store_true", help="a small smoke run of each script")
    parser.add_argument("--against", metavar="SRC", help="an older checkout's src folder, timed side by side")
    args = parser.parse_args()
    extra = (["--quick"] if args.quick else []) + (["--against", args.against] if args.against else [])
    failed = []
    # The side-by-side single-call timing needs an older checkout.
    for script in (*SCRIPTS, *(("bench_small_against.py",) if args.against else ())):
        print(f"\n===== {script} =====", flush=True)
        start = time.perf_counter()
        args = _arguments(script, extra)
        code = subprocess.call([sys.executable, str(HERE / script), *args])
        print(f"===== {script}: {time.perf_counter() - start:.0f} s, exit {code}", flush=True)
        if code:
            failed.append(script)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
