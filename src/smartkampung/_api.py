"""The package's top-level conveniences: a scenario in, results out, region read for you.

:func:`simulate` and :func:`compare` are :func:`smartkampung.sim.simulate`
and :func:`smartkampung.sim.compare` with the scenario's region read by
:func:`smartkampung.io.read_region` when none is given: the numeric core
never reads a file, so this is where a scenario's ``[region]`` becomes
villages.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from smartkampung.io import read_region
from smartkampung.model import Region, Scenario
from smartkampung.sim import Comparison, PreparedScenario, SimulationResult
from smartkampung.sim import compare as _compare
from smartkampung.sim import simulate as _simulate

__all__ = ["compare", "simulate"]


def simulate(scenario: Scenario | PreparedScenario, *, runs: int, region: Region | None = None,
             base_dir: str | os.PathLike[str] | None = None, **options: Any) -> SimulationResult:
    """Run a Monte Carlo ensemble of a scenario (its region read when not given).

    Parameters
    ----------
    scenario : Scenario or PreparedScenario
        What to simulate.
    runs : int
        Number of runs (>= 1).
    region : Region, optional
        Use these villages instead of the scenario's own.
    base_dir : path, optional
        Folder the scenario's relative paths (a village CSV) are taken from.
    **options
        ``rng``, ``executor``, ``chunk_size``, ``keep_trajectories``,
        ``progress``, ``quantile_levels``: see :func:`smartkampung.sim.simulate`.

    Returns
    -------
    SimulationResult
    """
    if region is None and isinstance(scenario, Scenario):
        region = read_region(scenario.region, base_dir=base_dir)
    return _simulate(scenario, runs=runs, region=region, **options)


def compare(scenarios: Sequence[Scenario | PreparedScenario], *, runs: int, region: Region | None = None,
            base_dir: str | os.PathLike[str] | None = None, **options: Any) -> Comparison:
    """Run several scenarios on common random numbers (see :func:`smartkampung.sim.compare`).

    Each scenario's region is read when ``region`` is not given (scenarios
    sharing a region source read it once).
    """
    if region is not None:
        return _compare(scenarios, runs=runs, region=region, **options)
    regions: dict[Any, Region] = {}
    prepared: list[Scenario | PreparedScenario] = []
    from smartkampung.sim import prepare

    for sc in scenarios:
        if isinstance(sc, Scenario):
            if sc.region not in regions:
                regions[sc.region] = read_region(sc.region, base_dir=base_dir)
            prepared.append(prepare(sc, regions[sc.region]))
        else:
            prepared.append(sc)
    return _compare(prepared, runs=runs, **options)
