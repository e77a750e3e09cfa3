"""Seeded regression baseline: the Banyuwangi scenario in deterministic mode, 3 runs.

The stored figures were produced by this library (``python tests/test_baseline.py --write``
rewrites them); the test fails when a change moves any of them, so a change
of the model's results is always a deliberate one. Deterministic adoption
keeps the figures independent of how numpy draws binomial variates.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from smartkampung import datasets, simulate

BASELINE = Path(__file__).resolve().parent / "baseline" / "banyuwangi_deterministic.json"
METRICS = (
    "villages_connected",
    "households_connected",
    "capex",
    "adopters",
    "transactions",
    "hours_saved",
    "cumulative_cost",
)
MONTHS = (0, 6, 11, 15, 23, 35, 59, 119)


def _figures() -> dict[str, Any]:
    scenario = datasets.banyuwangi_scenario()
    scenario = attrs.evolve(scenario, adoption=attrs.evolve(scenario.adoption, stochastic=False))
    result = simulate(scenario, runs=3, rng=20160531)
    return {
        "draws": result.draws.tolist(),
        "metrics": {name: result.metric(name)[:, list(MONTHS)].tolist() for name in METRICS},
        "idm_counts_last_year": result.idm_counts[:, -1, :].tolist(),
    }


def test_matches_the_stored_baseline() -> None:
    stored = json.loads(BASELINE.read_text(encoding="utf-8"))
    now = _figures()
    np.testing.assert_allclose(now["draws"], stored["draws"], rtol=1e-12)
    for name in METRICS:
        np.testing.assert_allclose(now["metrics"][name], stored["metrics"][name], rtol=1e-9, err_msg=name)
    assert now["idm_counts_last_year"] == stored["idm_counts_last_year"]


if __name__ == "__main__" and "--write" in sys.argv:
    BASELINE.write_text(json.dumps(_figures(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {BASELINE}")
