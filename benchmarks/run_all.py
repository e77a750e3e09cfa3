"""Run every benchmark and print their tables one after another.

``python benchmarks/run_all.py`` (about 15 minutes on a 2-core machine;
``--quick`` for a smoke run of each). Each script prints its figures side
by side with its baseline, measured in the same run:

* ``bench_network.py``: fibre tree vs networkx (2,000 villages) and vs a bare
  scipy pipeline (84,000 villages);
* ``bench_rollout.py``: 84,000-village schedules for each policy;
* ``bench_adoption.py``: spatial Bass (stochastic and deterministic) vs plain
  numpy loops and a Mesa model;
* ``bench_ensemble.py``: plan + schedule at 84,000 villages vs bare scipy, and
  the national ensemble's time and peak memory.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("bench_network.py", "bench_rollout.py", "bench_adoption.py", "bench_ensemble.py")


def main() -> int:
    extra = sys.argv[1:]
    failed = []
    for script in SCRIPTS:
        print(f"\n===== {script} =====", flush=True)
        start = time.perf_counter()
        args = [a for a in extra if a == "--quick" or script != "bench_rollout.py"]
        code = subprocess.call([sys.executable, str(HERE / script), *args])
        print(f"===== {script}: {time.perf_counter() - start:.0f} s, exit {code}", flush=True)
        if code:
            failed.append(script)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
