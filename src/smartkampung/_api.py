"""The package's top-level conveniences: a scenario in, results out, region and IDM data read for you.

:func:`simulate` and :func:`compare` are :func:`smartkampung.sim.simulate`
and :func:`smartkampung.sim.compare` with the scenario's region read by
:func:`smartkampung.io.read_region` when none is given, and, for a scenario
that projects IDM on a region with desa, the bundled IDM dynamics and donor
records (:func:`smartkampung.datasets.idm_inputs`) passed as ``idm=``: the numeric
core never reads a file, so this is where a scenario's ``[region]`` becomes
villages and the IDM projection gets its data. The command line runs
through here too.
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


def _with_idm(scenario: Scenario | PreparedScenario, region: Region | None, options: dict[str, Any]) -> dict[str, Any]:
    # The bundled data only where a projection needs them: a scenario with an observed IDM state, a region with desa.
    if "idm" in options or not isinstance(scenario, Scenario) or region is None:
        return options
    from smartkampung.datasets._idm import idm_inputs_if_needed

    idm = idm_inputs_if_needed(scenario, region)
    return options if idm is None else {**options, "idm": idm}


def simulate(
    scenario: Scenario | PreparedScenario,
    *,
    runs: int,
    region: Region | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    **options: Any,
) -> SimulationResult:
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
        ``progress``, ``quantile_levels``, ``idm``: see
        :func:`smartkampung.sim.simulate`. Without ``idm``, a scenario that
        projects IDM (``outcomes.idm.observed_year``) on a region with desa
        gets the bundled data (:func:`smartkampung.datasets.idm_inputs`).

    Returns
    -------
    SimulationResult
    """
    if region is None and isinstance(scenario, Scenario):
        region = read_region(scenario.region, base_dir=base_dir)
    return _simulate(scenario, runs=runs, region=region, **_with_idm(scenario, region, options))


def compare(
    scenarios: Sequence[Scenario | PreparedScenario],
    *,
    runs: int,
    region: Region | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Comparison:
    """Run several scenarios on common random numbers (see :func:`smartkampung.sim.compare`).

    Each scenario's region is read when ``region`` is not given (scenarios
    sharing a region source read it once), and scenarios projecting IDM on a
    region with desa get the bundled IDM data unless ``idm`` is given.
    """
    from smartkampung.sim import prepare

    idm = options.pop("idm", None)
    regions: dict[Any, Region] = {}
    prepared: list[Scenario | PreparedScenario] = []
    for sc in scenarios:
        if isinstance(sc, Scenario):
            if region is not None:
                villages = region
            else:
                if sc.region not in regions:
                    regions[sc.region] = read_region(sc.region, base_dir=base_dir)
                villages = regions[sc.region]
            given = {} if idm is None else {"idm": idm}
            prepared.append(prepare(sc, villages, **_with_idm(sc, villages, given)))
        else:
            prepared.append(sc)
    return _compare(prepared, runs=runs, **options)
