"""Benchmark: one ensemble run of the IDM projection (draw the initial state, then project).

Banyuwangi: 189 desa from the IDM 2020 counts, IDM 2020–2026 (6 yearly steps),
the three default programme rules. National: 75,000 desa drawn from the
bundled panel, 500 regencies, the same years and rules with made-up
connection years and adoption (only the sizes matter here). Times are
the median of ``REPEATS`` runs, each with its own seed.

Run: ``python benchmarks/bench_idm.py``
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from smartkampung.datasets import banyuwangi_idm_status, idm_dynamics, idm_panel
from smartkampung.sim.idm import DEFAULT_PROGRAMME_EFFECTS, draw_initial_state, effect_floor, project_idm_status

REPEATS = 9
YEARS = np.arange(2020, 2027)


def one_run(n: int, counts: np.ndarray, regency: np.ndarray | None, seed: int) -> float:
    panel, dynamics = idm_panel(), idm_dynamics()
    rng = np.random.default_rng(seed)
    connected = rng.integers(2017, 2026, n)
    adoption = {
        "social": np.tile(np.linspace(0.0, 0.6, YEARS.size)[:, None], (1, n)),
        "e_learning": np.tile(np.linspace(0.0, 0.05, YEARS.size)[:, None], (1, n)),
    }
    t0 = time.perf_counter()
    floor = effect_floor(
        DEFAULT_PROGRAMME_EFFECTS,
        year=2020,
        n_desa=n,
        connected_year=connected,
        adoption={k: v[0] for k, v in adoption.items()},
    )
    x0 = draw_initial_state(counts, panel, rng=rng, floor=floor)
    project_idm_status(
        x0,
        dynamics,
        initial_year=2020,
        years=YEARS,
        connected_year=connected,
        adoption=adoption,
        regency=regency,
        rng=rng,
    )
    return time.perf_counter() - t0


def main() -> None:
    idm_panel(), idm_dynamics()  # load once, outside the timings
    banyuwangi = np.array(banyuwangi_idm_status()[2020].counts)
    national_counts = np.array([6_000, 15_000, 32_000, 15_000, 7_000])
    regency = np.arange(int(national_counts.sum())) % 500
    for name, counts, reg in (
        ("Banyuwangi (189 desa)", banyuwangi, None),
        ("national (75,000 desa)", national_counts, regency),
    ):
        n = int(counts.sum())
        times = [one_run(n, counts, reg, seed) for seed in range(REPEATS)]
        print(
            f"{name}: median {statistics.median(times) * 1e3:.1f} ms per run "
            f"(min {min(times) * 1e3:.1f}, max {max(times) * 1e3:.1f}; {YEARS.size - 1} yearly steps)"
        )


if __name__ == "__main__":
    main()
