"""A scenario prepared once for all its runs: :func:`prepare` and :class:`PreparedScenario`.

What every run of an ensemble shares is computed here, once: the network
plan (and, for the cost-free policies, the rollout order), the neighbour
graph and markets of the adoption model, the travel saved per transaction,
the table of monthly metrics and the prepared IDM projection. The steps of
a run are in :mod:`smartkampung.sim.run`, which re-exports both names.
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung._errors import ParameterError
from smartkampung.model._geo import Location, mean_location
from smartkampung.model._scenario import Scenario
from smartkampung.model._village import Region
from smartkampung.sim import outcomes
from smartkampung.sim.geometry import great_circle_km, nearest_neighbours
from smartkampung.sim.idm import IDMInputs, PreparedIDM, prepare_idm
from smartkampung.sim.metrics import Metric, metric_table
from smartkampung.sim.planning import NetworkPlan, plan_network, plan_rollout_order
from smartkampung.sim.policies import COST_FREE_POLICIES
from smartkampung.sim.rollout import RolloutOrder

__all__ = ["PreparedScenario", "prepare"]

_N_STATUS: Final[int] = 5  # IDM's statuses: the shape of the (empty) counts when there is no projection


@attrs.frozen(eq=False)
class PreparedScenario:
    """Everything a run needs, computed once: picklable arrays, no callables.

    Attributes
    ----------
    scenario : Scenario
    plan : NetworkPlan
        Network plan (deterministic: it does not depend on the draws).
    neighbours : ndarray of intp, shape (n_villages, k)
        Nearest villages for the spatial Bass term.
    market : ndarray of int64, shape (n_services, n_villages)
        Households that may adopt each service. [households]
    hours_per_transaction : ndarray of float64, shape (n_villages,)
        Travel time one transaction done at the village saves (round trip
        to the office). [h]
    coverage_weights : ndarray of float64, shape (4 + n_kinds, n_villages)
        What a connected village adds to the monthly totals: 1 village, its
        households, its people, its running cost per month [currency], then 1
        for each village kind present (``metrics`` has a
        ``villages_connected:<kind>`` row for each).
    idm : PreparedIDM or None
        The IDM projection's shared arrays (which villages are scored, the
        IDM years, the observed state, the effect rules); None when the
        scenario projects no IDM for this region (no observed state declared,
        no desa, or no IDM year within the horizon).
    metrics : tuple of Metric
        The monthly metrics, in the row order of ``RunOutput.monthly``.
    order : RolloutOrder or None
        The rollout policy's order at the plan's costs, computed once when
        the policy does not rank by cost
        (:data:`~smartkampung.sim.policies.COST_FREE_POLICIES`); each run
        then reprices it with its cost draws instead of ranking again.
    """

    scenario: Scenario
    plan: NetworkPlan
    neighbours: NDArray[np.intp]
    market: NDArray[np.int64]
    hours_per_transaction: NDArray[np.float64]
    coverage_weights: NDArray[np.float64]
    idm: PreparedIDM | None
    metrics: tuple[Metric, ...]
    order: RolloutOrder | None = None

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return self.plan.n_villages

    @property
    def n_months(self) -> int:
        """Horizon. [months]"""
        return self.scenario.horizon_months

    @property
    def year_labels(self) -> tuple[int, ...]:
        """IDM years projected (IDM *Y* is the ministry's IDM *Y* release); empty without IDM."""
        return self.idm.years if self.idm is not None else ()

    @property
    def n_statuses(self) -> int:
        """Statuses of the index projected (IDM: 5)."""
        return self.idm.n_statuses if self.idm is not None else _N_STATUS

    @property
    def metric_names(self) -> tuple[str, ...]:
        """Names of the monthly metrics, in row order."""
        return tuple(m.name for m in self.metrics)

    def __repr__(self) -> str:
        return (
            f"PreparedScenario({self.scenario.name!r}, {self.n_villages} villages, "
            f"{self.market.shape[0]} services, {self.n_months} months)"
        )


def prepare(scenario: Scenario, region: Region, *, land: Any = None, idm: IDMInputs | None = None) -> PreparedScenario:
    """Plan the network and precompute the per-village arrays every run shares.

    Parameters
    ----------
    scenario : Scenario
        The assumptions.
    region : Region
        The villages (read a scenario's with :func:`smartkampung.io.read_region`).
    land : Boundaries, optional
        Land polygons for the water-crossing check of the network plan (see
        :func:`~smartkampung.sim.planning.plan_network`); e.g.
        :func:`smartkampung.datasets.boundaries_for` of the region.
    idm : IDMInputs, optional
        Fitted dynamics and donor records for the IDM projection, needed when
        the scenario declares an observed IDM state and the region has desa
        (:func:`smartkampung.simulate` passes the bundled ones:
        ``IDMInputs(datasets.idm_dynamics(), datasets.idm_panel())``). IDM
        year *Y* is scored from the state at the end of the cut-off month of
        year *Y* (``outcomes.idm.cutoff_month``); the years run from the
        observed year to the last whose cut-off falls within the horizon.

    Returns
    -------
    PreparedScenario

    Raises
    ------
    ParameterError
        Among others ``idm`` when the scenario needs an IDM projection and
        *idm* is not given, ``status_counts`` when the observed counts do
        not fit the region's desa, ``effects`` when a rule names an unknown
        indicator or driver.
    """
    if not isinstance(scenario, Scenario):
        raise ParameterError("scenario", f"must be a Scenario, got {type(scenario).__name__}", function="prepare")
    if not isinstance(region, Region):
        raise ParameterError(
            "region",
            f"must be a Region (read a scenario's with smartkampung.io.read_region), got {type(region).__name__}",
            function="prepare",
        )
    ro = scenario.rollout
    _check_initially_connected(ro.initially_connected, region)
    plan = plan_network(
        region,
        technologies=scenario.programme.technologies,
        route_factor=ro.route_factor,
        demand_mbps=ro.demand_mbps,
        horizon_years=ro.horizon_years,
        discount_rate=ro.discount_rate,
        technology_choice=ro.technology_choice,
        land=land,
    )
    cols = plan.columns
    n = cols.n_villages
    k = min(scenario.adoption.n_neighbours, max(n - 1, 1))
    neighbours = nearest_neighbours(cols.lat_deg, cols.lon_deg, k=k) if n > 1 else np.zeros((n, 1), dtype=np.intp)
    services = scenario.programme.services
    shares = np.array([s.market_share for s in services], dtype=np.float64).reshape(-1, 1)
    market = np.floor(cols.households[None, :] * shares).astype(np.int64)  # (n_services, n_villages)

    out = scenario.outcomes
    office = out.office or _population_centre(cols.lat_deg, cols.lon_deg, cols.population)
    distance_km = great_circle_km(cols.lat_deg, cols.lon_deg, office.lat_deg, office.lon_deg)
    per_tx = outcomes.travel_savings(
        np.ones(n),
        distance_km,
        road_factor=out.road_factor,
        speed_kmh=out.speed_kmh,
        cost_per_km=out.cost_per_km,
        value_of_time_per_hour=out.value_of_time_per_hour,
    )

    village_kinds = sorted({v.kind.value for v in region.villages})
    kind_of = np.array([v.kind.value for v in region.villages], dtype=np.str_)
    kind_weights = [(kind_of == k).astype(np.float64) for k in village_kinds]
    prepared_idm = prepare_idm(scenario, cols, idm, function="prepare")
    return PreparedScenario(
        scenario=scenario,
        plan=plan,
        neighbours=neighbours,
        market=market,
        hours_per_transaction=np.asarray(per_tx.hours, dtype=np.float64),
        coverage_weights=np.stack(
            [
                np.ones(n),
                cols.households.astype(np.float64),
                cols.population.astype(np.float64),
                plan.opex_per_year / 12.0,
                *kind_weights,
            ]
        ),
        idm=prepared_idm,
        metrics=metric_table(
            [s.id for s in services],
            [p.id for p in scenario.programme.pillars],
            village_kinds,
            currency=scenario.currency,
        ),
        order=(
            plan_rollout_order(plan, policy=ro.policy, initially_connected=ro.initially_connected, function="prepare")
            if ro.policy in COST_FREE_POLICIES
            else None
        ),
    )


def _check_initially_connected(initial: int | tuple[str, ...], region: Region) -> None:
    # Checked once here, before any run, rather than inside every run.
    if isinstance(initial, int):
        if initial > region.n_villages:
            raise ParameterError(
                "initially_connected",
                f"{initial} villages cannot be connected at the start: the region has {region.n_villages}",
                function="simulate",
            )
        return
    codes = {v.code for v in region.villages}
    unknown = [code for code in initial if code not in codes]
    if unknown:
        raise ParameterError(
            "initially_connected", f"unknown village codes: {', '.join(unknown[:5])}", function="simulate"
        )


def _population_centre(lat: NDArray[np.float64], lon: NDArray[np.float64], population: NDArray[np.int64]) -> Location:
    # Population-weighted spherical mean; the tiny offset keeps an all-zero population defined.
    return mean_location(
        [Location(float(a), float(b)) for a, b in zip(lat, lon, strict=True)],
        (population.astype(np.float64) + 1e-9).tolist(),
    )
