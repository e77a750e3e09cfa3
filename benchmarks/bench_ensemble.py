"""Whole ensembles: national planning, Banyuwangi's ensemble, the command line, and a national ensemble.

Run as ``python benchmarks/bench_ensemble.py`` (``--quick`` for a smoke run;
``--against PATH`` to time an older checkout's ``src`` folder in the same
run, e.g. ``--against ../wt-bbd/src`` for the issue's baseline ``bbd3ed6``).
Prints four tables, each with its baseline measured in the same run:

* **Plan and schedule, 84,000 villages** (about Indonesia's count; a
  synthetic region with one point of presence per district, about 9,700):
  ``plan_network`` plus ``schedule_rollout`` over 120 months, beside a bare
  scipy pipeline on the same points (``ConvexHull`` of the unit vectors +
  ``minimum_spanning_tree``). Target: under 5 s, within 5x of the bare one.
* **Banyuwangi, 100 runs**: ``simulate`` of the flagship (217 villages x
  its services x 120 months x 100 runs) with each backend, against a plain
  numpy loop that runs only its adoption (one ``Generator.binomial`` over
  the villages per month, run by run and service by service, with the same
  connection months, markets, neighbours and coefficients). Target: >= 3x.
* **Command line**: ``smartkampung simulate --runs 100`` (the flagship; wall
  time of the process and the simulation part it reports), this checkout
  and the ``--against`` one. Target: under 3 s of simulation.
* **National ensemble**: 84,000 villages x 5 services x 120 months x 100
  runs, each configuration in a fresh process (wall time, and the peak
  resident memory of the process and its workers, summed, sampled every
  0.1 s): the ``--against`` checkout and the numpy backend on a tenth of the
  runs (their rate), the numba backend serially, on 2 worker processes
  (started within the timing) and on a Dask LocalCluster of 2 single-thread
  workers (started, and warmed by a 2-run ensemble, before it). Results must be
  identical across executors (the script compares them). Targets: under 45
  s on the 2 cores, peak memory under 1 GB.

The national scenario is the flagship's programme (first 5 services) on
``synthetic_region(84_000)`` with a budget of 5e10 to 1e11 IDR a month, the
"population" policy, no tail and no IDM projection (as in the issue's
measurement at ``bbd3ed6``, which had neither; the older checkout projects
its IDM uplift).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import ConvexHull

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def _best(fn: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _bare_scipy(lat: np.ndarray, lon: np.ndarray) -> float:
    la, lo = np.radians(lat), np.radians(lon)
    xyz = np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    s = ConvexHull(xyz).simplices
    edges = np.unique(np.sort(np.concatenate([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]]), axis=1), axis=0)
    w = np.linalg.norm(xyz[edges[:, 0]] - xyz[edges[:, 1]], axis=1)
    n = len(lat)
    return float(minimum_spanning_tree(coo_matrix((w, (edges[:, 0], edges[:, 1])), shape=(n, n))).sum())


# --------------------------------------------------------------------------- the national scenario


def national_scenario(services: int = 5) -> Any:
    """The synthetic national scenario, for this checkout and older ones alike (no tail, no IDM)."""
    import attrs

    import smartkampung as sk

    base = sk.datasets.banyuwangi_scenario()
    programme = attrs.evolve(base.programme, services=base.programme.services[:services])
    # Checkouts before the currency renaming call the budget budget_idr_per_month.
    budget = "budget_per_month" if hasattr(base.rollout, "budget_per_month") else "budget_idr_per_month"
    changes: dict[str, Any] = {
        budget: sk.model.Uniform(5e10, 1e11),
        "budget_phases": (),
        "initially_connected": 0,
        "policy": "population",
    }
    if hasattr(base.rollout, "posterior"):  # checkouts with a tail: switch it off
        changes.update(readiness_months=sk.model.Fixed(0.0), cost_spread=sk.model.Fixed(0.0), posterior=None)
    scenario = attrs.evolve(
        base, name="national (synthetic)", programme=programme, rollout=attrs.evolve(base.rollout, **changes)
    )
    return scenario.without_idm() if hasattr(scenario, "without_idm") else scenario


def _hash(result: Any) -> str:
    h = hashlib.sha256()
    for name in ("monthly", "draws", "p_connected", "mean_final_fraction"):
        h.update(np.ascontiguousarray(getattr(result, name)).tobytes())
    return h.hexdigest()[:16]


class _PeakMemory:
    """Peak memory of this process and all its descendants, summed (psutil, sampled).

    Two sums: resident set sizes (``peak``), which count a page shared by
    forked workers once per process, and proportional set sizes
    (``peak_pss``, Linux), which split each shared page among its sharers,
    so that their sum is the memory the processes take from the machine.
    """

    def __init__(self, interval: float = 0.1) -> None:
        import psutil

        self._me = psutil.Process()
        self._interval = interval
        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, with_pss: bool = True) -> None:
        rss = pss = 0
        for p in [self._me, *self._me.children(recursive=True)]:
            with contextlib.suppress(Exception):  # a worker that just exited
                if with_pss:
                    info = p.memory_full_info()
                    rss += info.rss
                    pss += getattr(info, "pss", info.rss)  # no PSS outside Linux: the RSS
                else:
                    rss += p.memory_info().rss
        self.peak = max(self.peak, rss)
        if with_pss:
            self.peak_pss = max(self.peak_pss, pss)

    def _run(self) -> None:
        # The PSS reads each process's smaps (about 10 ms for a worker with numba loaded): once every
        # 20 samples (2 s), so that the sampler takes under 2 % of a core; the RSS every 0.1 s.
        count = 0
        while not self._stop.wait(self._interval):
            count += 1
            self._sample(with_pss=count % 20 == 0)

    def __enter__(self) -> _PeakMemory:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def _row(config: str, n: int, runs: int) -> dict[str, Any]:
    """One national configuration in this (fresh) process: wall time, peak memory, result hash."""
    from concurrent.futures import ProcessPoolExecutor

    import smartkampung as sk
    from smartkampung.sim import prepare, simulate

    region = sk.datasets.synthetic_region(n, seed=0)
    prepared = prepare(national_scenario(), region=region)
    backend = {"backend": "numba"} if "numba" in config else ({"backend": "numpy"} if "numpy" in config else {})
    if backend.get("backend") == "numba" and not config.endswith("dask"):
        # Compile, or load the cache, outside the timing (workers forked later inherit the compiled code):
        # as in a session that has run once. A cold start adds about 2.4 s to the 2-process row.
        simulate(prepared, runs=1, rng=0, **backend)
    if config.endswith("dask"):
        import distributed

        # A cluster is started once and used for many ensembles: its start and its workers' first
        # import and compile are left out of the timing (one 1-run ensemble first).
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            simulate(prepared, runs=2, rng=0, executor=client.get_executor(), chunk_size=1, **backend)
            with _PeakMemory() as memory:
                start = time.perf_counter()
                result = simulate(prepared, runs=runs, rng=1, executor=client.get_executor(), **backend)
                wall = time.perf_counter() - start
        return {
            "wall": wall,
            "peak_mb": memory.peak / 2**20,
            "peak_pss_mb": memory.peak_pss / 2**20,
            "hash": _hash(result),
        }
    with _PeakMemory() as memory:
        start = time.perf_counter()
        if config.endswith("processes"):
            with ProcessPoolExecutor(2) as pool:
                result = simulate(prepared, runs=runs, rng=1, executor=pool, **backend)
        else:
            result = simulate(prepared, runs=runs, rng=1, **backend)
        wall = time.perf_counter() - start
    return {"wall": wall, "peak_mb": memory.peak / 2**20, "peak_pss_mb": memory.peak_pss / 2**20, "hash": _hash(result)}


def _run_row(config: str, n: int, runs: int, src: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, __file__, "--row", config, "--n", str(n), "--runs", str(runs)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise RuntimeError(f"row {config} failed:\n{out.stderr[-3000:]}")
    row: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return row


# --------------------------------------------------------------------------- Banyuwangi


def banyuwangi_table(runs: int, repeats: int) -> None:
    sys.path.insert(0, str(HERE))
    from bench_kernel import loop_one_run

    import smartkampung as sk
    from smartkampung.model import AdoptionModel
    from smartkampung.sim import prepare, simulate
    from smartkampung.sim.adoption import numba_available
    from smartkampung.sim.run import draw, schedule_run

    scenario = sk.datasets.banyuwangi_scenario()
    region = sk.io.read_region(scenario.region)
    prepared = prepare(scenario, region, idm=sk.datasets.idm_inputs())
    root = np.random.SeedSequence(1)
    draws = [draw(prepared, root, i) for i in range(runs)]
    conn = [np.minimum(schedule_run(prepared, d).connection_month, prepared.n_months) for d in draws]
    services = [
        (s, svc) for s, svc in enumerate(scenario.programme.services) if svc.adoption_model is AdoptionModel.BASS
    ]
    nbr = prepared.neighbours

    def plain_loop() -> None:
        gen = np.random.default_rng(0)
        for d, c in zip(draws, conn, strict=True):
            for s, svc in services:
                # The plain loop's market must be positive (it divides by it): a household at least.
                loop_one_run(
                    np.maximum(prepared.market[s], 1),
                    c + svc.lag_months,
                    nbr,
                    p=svc.p_innovation * d.p_multiplier,
                    q=svc.q_imitation * d.q_multiplier,
                    steps=prepared.n_months,
                    gen=gen,
                )

    backends = ["numpy", *(["numba"] if numba_available() else [])]
    for b in backends:
        simulate(prepared, runs=2, rng=0, backend=b)  # warm
    times = {"loop": _best(plain_loop, repeats)}
    for b in backends:
        times[b] = _best(lambda b=b: simulate(prepared, runs=runs, rng=1, backend=b), repeats)
    vm = prepared.n_villages * prepared.n_months * len(services) * runs
    print(
        f"\nBanyuwangi: {prepared.n_villages} villages x {len(services)} Bass services x "
        f"{prepared.n_months} months x {runs} runs = {vm:.3g} village-months (best of {repeats})"
    )
    print(f"  {'plain numpy loop, adoption only':<44} {times['loop']:7.2f} s  {vm / times['loop']:10.3g} /s")
    for b in backends:
        print(
            f"  {f'simulate (whole ensemble), {b} backend':<44} {times[b]:7.2f} s  {vm / times[b]:10.3g} /s"
            f"   {times['loop'] / times[b]:5.2f}x the loop (target >= 3x)"
        )


# --------------------------------------------------------------------------- command line


def cli_time(src: Path, runs: int, extra: tuple[str, ...] = ()) -> tuple[float, float | None]:
    """Wall time of ``smartkampung simulate --runs N`` from ``src``, and the simulation time it prints."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(src), "MPLBACKEND": "Agg"}
        start = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "smartkampung",
                "simulate",
                "--runs",
                str(runs),
                "--seed",
                "1",
                "--out",
                str(Path(tmp) / "out"),
                *extra,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp,
        )
        wall = time.perf_counter() - start
    if out.returncode:
        raise RuntimeError(f"simulate from {src} failed:\n{out.stderr[-2000:]}")
    # "100 runs in 3.2 s" (older checkouts) or "100 runs (numpy backend) in 3.2 s"
    found = re.search(r"(\d+) runs (?:\(\w+ backend\) )?in ([0-9.]+) s", out.stdout)
    return wall, float(found.group(2)) if found else None


def cli_table(runs: int, against: Path | None) -> None:
    print(f"\nCommand line: smartkampung simulate --runs {runs} (the flagship, plots and all outputs)")
    from smartkampung.sim.adoption import numba_available

    rows: list[tuple[str, Path, tuple[str, ...]]] = [("this checkout", SRC, ())]
    if numba_available():
        rows.append(("this checkout, --backend numba", SRC, ("--backend", "numba")))
    if against:
        rows.append(("--against " + str(against), against, ()))
    for label, src, extra in rows:
        wall, sim = cli_time(src, runs, extra)
        part = f"{sim:6.2f} s of simulation" if sim is not None else "simulation time not printed"
        print(f"  {label:<44} {wall:6.2f} s in all, {part}   (target: under 3 s of simulation)")


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8,000 villages, 4 national runs, 20 Banyuwangi runs")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--n", type=int, default=84_000, help=argparse.SUPPRESS)
    parser.add_argument("--row", help=argparse.SUPPRESS)
    parser.add_argument("--against", type=Path, help="an older checkout's src folder to time in the same run")
    parser.add_argument("--skip", nargs="*", default=(), choices=("plan", "banyuwangi", "cli", "national"))
    args = parser.parse_args()
    if args.row:
        print(json.dumps(_row(args.row, args.n, args.runs)))
        return
    n = 8_000 if args.quick else args.n
    runs = 4 if args.quick else args.runs
    repeats = 1 if args.quick else 3
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, numpy {np.__version__}, load average at the start {load:.2f}")

    if "plan" not in args.skip:
        import smartkampung as sk
        from smartkampung.sim import plan_network, schedule_rollout

        region = sk.datasets.synthetic_region(n, seed=0)
        cols = region.to_columns()
        lat = np.concatenate([cols.lat_deg, cols.pop_lat_deg])
        lon = np.concatenate([cols.lon_deg, cols.pop_lon_deg])

        def plan_and_schedule() -> None:
            plan = plan_network(region)
            schedule_rollout(plan, budget_per_month=8e10, n_months=120, policy="population")

        bare = _best(lambda: _bare_scipy(lat, lon), repeats)
        ours = _best(plan_and_schedule, repeats)
        print(f"\nPlan and schedule: {n:,} villages + {len(cols.pop_lat_deg):,} points of presence, 120 months")
        print(f"  {'plan_network + schedule_rollout':<44} {ours:8.3f} s")
        print(f"  {'bare scipy ConvexHull + MST':<44} {bare:8.3f} s")
        print(f"  ratio ours / bare: {ours / bare:.2f}x   (targets: < 5 s, <= 5x)")
    if "banyuwangi" not in args.skip:
        banyuwangi_table(20 if args.quick else 100, repeats)
    if "cli" not in args.skip:
        cli_table(5 if args.quick else 100, args.against)
    if "national" in args.skip:
        return
    from smartkampung.sim.adoption import numba_available

    tenth = max(1, runs // 10)
    configs: list[tuple[str, str, int, Path]] = []
    if args.against:
        configs.append(("--against checkout, serial", "old serial", tenth, args.against))
    configs += [
        ("numpy backend, serial", "numpy serial", tenth, SRC),
        ("numpy backend, 2 processes", "numpy processes", tenth, SRC),
    ]
    if numba_available():
        configs += [
            ("numba backend, serial", "numba serial", runs, SRC),
            ("numba backend, 2 processes", "numba processes", runs, SRC),
            ("numba backend, Dask LocalCluster 2 x 1", "numba dask", runs, SRC),
        ]
    vm1 = n * 5 * 120
    print(
        f"\nNational ensemble: {n:,} villages x 5 services x 120 months x {runs} runs = {vm1 * runs:.3g} "
        "village-months (each row a fresh process; rows with fewer runs give their rate)"
    )
    hashes: dict[tuple[str, int], set[str]] = {}
    for label, config, r, src in configs:
        row = _run_row(config, n, r, src)
        rate = vm1 * r / row["wall"]
        projected = vm1 * runs / rate
        print(
            f"  {label:<40} {r:>4} runs {row['wall']:7.1f} s  {rate:10.3g} village-months/s  "
            f"({projected:6.1f} s for {runs} runs)  peak RSS {row['peak_mb']:5.0f} MB, "
            f"PSS {row.get('peak_pss_mb', float('nan')):5.0f} MB"
        )
        if config != "old serial":
            hashes.setdefault((config.split()[0], r), set()).add(row["hash"])
    for (backend, r), found in hashes.items():
        print(f"  {backend}, {r} runs: identical on every executor: {len(found) == 1}")
    print(
        "  peak RSS sums the processes' resident sets (a page shared by forked workers counts once per\n"
        "  process); peak PSS shares each such page among them: the memory taken from the machine"
    )
    print("  targets: under 45 s on the 2 cores, peak memory under 1,000 MB")


if __name__ == "__main__":
    main()
