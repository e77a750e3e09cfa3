"""One run of a scenario, as a short pipeline of named steps.

:func:`prepare` does once what every run shares (the network plan, the
neighbour graph, the markets, the travel saved per transaction); then each
run is

1. :func:`draw` -- the run's uncertain assumptions (budget, cost, Bass
   multipliers), by inverse transform of one uniform variate each, in a
   fixed order (common random numbers across scenarios);
2. :func:`schedule_run` -- the month each village is connected, under the
   drawn budget (:func:`smartkampung.sim.planning.schedule_rollout`);
3. :func:`adopt` -- every service's adoption from each village's connection
   month plus the service lag (:func:`smartkampung.sim.adoption.simulate_adoption`);
4. :func:`run_outcomes` -- the monthly metrics of
   :mod:`smartkampung.sim.metrics` and the IDM status counts, from the
   functions of :mod:`smartkampung.sim.outcomes`;

and :func:`run_one` chains them. The ensemble (:mod:`smartkampung.sim.ensemble`)
runs :func:`run_one` for every run and reduces the outputs as they arrive
(:class:`smartkampung.sim.results.Reducer`).

Seeds follow SPEC 7: run *r* uses the stream with spawn key
``root.spawn_key + (0, r)`` of the ensemble's root seed and nothing else, so a
run's result depends only on the root entropy and its index.
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung._errors import ParameterError
from smartkampung.model._geo import Location, mean_location
from smartkampung.model._programme import AdoptionModel
from smartkampung.model._scenario import Scenario
from smartkampung.model._village import Region
from smartkampung.sim import outcomes
from smartkampung.sim.adoption import linear_adoption, simulate_adoption
from smartkampung.sim.distributions import quantile
from smartkampung.sim.geometry import great_circle_km, nearest_neighbours
from smartkampung.sim.idm import IDMInputs, PreparedIDM, prepare_idm, project_run
from smartkampung.sim.metrics import Metric, metric_table
from smartkampung.sim.planning import NetworkPlan, plan_network, schedule_rollout
from smartkampung.sim.rollout import RolloutSchedule

__all__ = [
    "DRAWS",
    "Adoption",
    "PreparedScenario",
    "RunDraws",
    "RunOutput",
    "adopt",
    "draw",
    "prepare",
    "run_one",
    "run_outcomes",
    "schedule_run",
]

#: Order of the uncertain draws of a run (one uniform variate each), before one per budget phase.
DRAWS: Final[tuple[str, ...]] = ("budget_idr_per_month", "capex_multiplier", "p_multiplier", "q_multiplier")
_N_STATUS: Final[int] = 5  # IDM's statuses: the shape of the (empty) counts when there is no projection


# --------------------------------------------------------------------------- preparing


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
    coverage_weights : ndarray of float64, shape (4, n_villages)
        What a connected village adds to the monthly totals: 1 village, its
        households, its people, its running cost per month [IDR].
    idm : PreparedIDM or None
        The IDM projection's shared arrays (which villages are scored, the
        IDM years, the observed state, the effect rules); None when the
        scenario projects no IDM for this region (no observed state declared,
        no desa, or no IDM year within the horizon).
    metrics : tuple of Metric
        The monthly metrics, in the row order of ``RunOutput.monthly``.
    """

    scenario: Scenario
    plan: NetworkPlan
    neighbours: NDArray[np.intp]
    market: NDArray[np.int64]
    hours_per_transaction: NDArray[np.float64]
    coverage_weights: NDArray[np.float64]
    idm: PreparedIDM | None
    metrics: tuple[Metric, ...]

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
        return (f"PreparedScenario({self.scenario.name!r}, {self.n_villages} villages, "
                f"{self.market.shape[0]} services, {self.n_months} months)")


def prepare(scenario: Scenario, region: Region, *, idm: IDMInputs | None = None) -> PreparedScenario:
    """Plan the network and precompute the per-village arrays every run shares.

    Parameters
    ----------
    scenario : Scenario
        The assumptions.
    region : Region
        The villages (read a scenario's with :func:`smartkampung.io.read_region`).
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
        raise ParameterError("region", f"must be a Region (read a scenario's with smartkampung.io.read_region), "
                             f"got {type(region).__name__}", function="prepare")
    ro = scenario.rollout
    _check_initially_connected(ro.initially_connected, region)
    plan = plan_network(region, technologies=scenario.programme.technologies, route_factor=ro.route_factor,
                        demand_mbps=ro.demand_mbps, horizon_years=ro.horizon_years,
                        discount_rate=ro.discount_rate, technology_choice=ro.technology_choice)
    cols = plan.columns
    n = cols.n_villages
    k = min(scenario.adoption.n_neighbours, max(n - 1, 1))
    neighbours = (nearest_neighbours(cols.lat_deg, cols.lon_deg, k=k) if n > 1
                  else np.zeros((n, 1), dtype=np.intp))
    services = scenario.programme.services
    shares = np.array([s.market_share for s in services], dtype=np.float64).reshape(-1, 1)
    market = np.floor(cols.households[None, :] * shares).astype(np.int64)  # (n_services, n_villages)

    out = scenario.outcomes
    office = out.office or _population_centre(cols.lat_deg, cols.lon_deg, cols.population)
    distance_km = great_circle_km(cols.lat_deg, cols.lon_deg, office.lat_deg, office.lon_deg)
    per_tx = outcomes.travel_savings(np.ones(n), distance_km, road_factor=out.road_factor, speed_kmh=out.speed_kmh,
                                     cost_idr_per_km=out.cost_idr_per_km,
                                     value_of_time_idr_per_hour=out.value_of_time_idr_per_hour)

    prepared_idm = prepare_idm(scenario, cols, idm, function="prepare")
    return PreparedScenario(
        scenario=scenario, plan=plan, neighbours=neighbours, market=market,
        hours_per_transaction=np.asarray(per_tx.hours, dtype=np.float64),
        coverage_weights=np.stack([np.ones(n), cols.households.astype(np.float64),
                                   cols.population.astype(np.float64), plan.opex_idr_per_year / 12.0]),
        idm=prepared_idm, metrics=metric_table([s.id for s in services], [p.id for p in scenario.programme.pillars]),
    )


def _check_initially_connected(initial: int | tuple[str, ...], region: Region) -> None:
    # Checked once here, before any run, rather than inside every run.
    if isinstance(initial, int):
        if initial > region.n_villages:
            raise ParameterError("initially_connected", f"{initial} villages cannot be connected at the start: "
                                 f"the region has {region.n_villages}", function="simulate")
        return
    codes = {v.code for v in region.villages}
    unknown = [code for code in initial if code not in codes]
    if unknown:
        raise ParameterError("initially_connected", f"unknown village codes: {', '.join(unknown[:5])}",
                             function="simulate")


def _population_centre(lat: NDArray[np.float64], lon: NDArray[np.float64],
                       population: NDArray[np.int64]) -> Location:
    # Population-weighted spherical mean; the tiny offset keeps an all-zero population defined.
    return mean_location([Location(float(a), float(b)) for a, b in zip(lat, lon, strict=True)],
                         (population.astype(np.float64) + 1e-9).tolist())


# --------------------------------------------------------------------------- 1. draw


@attrs.frozen(eq=False)
class RunDraws:
    """The uncertain assumptions of one run, and the streams of its later steps.

    Attributes
    ----------
    index : int
        Run index.
    values : ndarray of float64, shape (len(DRAWS) + n_budget_phases,)
        The drawn values in the order of :data:`DRAWS`, then each budget
        phase's monthly budget.
    budget : ndarray of float64, shape (n_months,)
        Money for building in each month, phases applied. [IDR/month]
    adoption_seed : numpy.random.SeedSequence
        Stream of the adoption step (one child per service).
    idm_seed : numpy.random.SeedSequence
        Stream of the IDM projection (starting state and yearly shocks).
    """

    index: int
    values: NDArray[np.float64]
    budget: NDArray[np.float64]
    adoption_seed: np.random.SeedSequence
    idm_seed: np.random.SeedSequence

    @property
    def capex_multiplier(self) -> float:
        """Scale of every capital cost in this run. [-]"""
        return float(self.values[1])

    @property
    def p_multiplier(self) -> float:
        """Scale of every service's coefficient of innovation. [-]"""
        return float(self.values[2])

    @property
    def q_multiplier(self) -> float:
        """Scale of every service's coefficient of imitation. [-]"""
        return float(self.values[3])


def run_seed(root: np.random.SeedSequence, index: int) -> np.random.SeedSequence:
    """The stream of run ``index``: spawn key ``root.spawn_key + (0, index)``, whatever else was spawned."""
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, 0, index))


def draw(prepared: PreparedScenario, root: np.random.SeedSequence, index: int) -> RunDraws:
    """Step 1: the run's uncertain assumptions.

    The first four variates are always the :data:`DRAWS`, then one per budget
    phase, so adding a phase never changes the other draws (common random
    numbers). Every draw is non-negative (the scenario's validators bound the
    distributions' supports at 0).
    """
    draw_seq, adoption_seq, idm_seq = run_seed(root, index).spawn(3)
    sc = prepared.scenario
    ro, ad = sc.rollout, sc.adoption
    u = np.random.default_rng(draw_seq).random(len(DRAWS) + len(ro.budget_phases))
    distributions = [ro.budget_idr_per_month, ro.capex_multiplier, ad.p_multiplier, ad.q_multiplier,
                     *(phase.budget_idr_per_month for phase in ro.budget_phases)]
    values = np.array([float(quantile(dist, u[i])) for i, dist in enumerate(distributions)])
    budget = np.full(sc.horizon_months, values[0])
    for phase, value in zip(ro.budget_phases, values[len(DRAWS):], strict=True):
        budget[phase.start_month:] = value
    return RunDraws(index=index, values=values, budget=budget, adoption_seed=adoption_seq, idm_seed=idm_seq)


# --------------------------------------------------------------------------- 2. schedule


def schedule_run(prepared: PreparedScenario, draws: RunDraws) -> RolloutSchedule:
    """Step 2: when each village is connected, under the run's budget and cost multiplier."""
    ro = prepared.scenario.rollout
    return schedule_rollout(prepared.plan, budget_idr_per_month=draws.budget, n_months=prepared.n_months,
                            policy=ro.policy, build_km_per_month=ro.build_km_per_month, carry_over=ro.carry_over,
                            initially_connected=ro.initially_connected, capex_multiplier=draws.capex_multiplier)


# --------------------------------------------------------------------------- 3. adopt


@attrs.frozen(eq=False)
class Adoption:
    """What the outcomes need of every service's adoption in one run (no per-village months).

    Attributes
    ----------
    totals : ndarray of float64, shape (n_services, n_months)
        Adopters of each service per month, over all villages. [households]
    hours_saved : ndarray of float64, shape (n_months,)
        Travel time saved per month by all services. [h/month]
    half_month : ndarray of int32, shape (n_services, n_villages)
        First month with at least half of the market adopting; -1 if never.
    final_fraction : ndarray of float32, shape (n_services, n_villages)
        Share of the market adopting at the horizon.
    driver_adopters : ndarray of float64, shape (n_drivers, n_years, n_villages)
        For each adoption fraction an IDM effect rule reads
        (``PreparedIDM.drivers``: a service, or the services of an IDM
        dimension), its adopters at each IDM year's data cut-off (0 before
        the start); ``(0, 0, n_villages)`` without IDM. [households]
    driver_market : ndarray of float64, shape (n_drivers, n_villages)
        Their markets. [households]
    trajectories : ndarray, shape (n_services, n_months, n_villages), optional
        Adopters per month and village, when asked for. [households]
    """

    totals: NDArray[np.float64]
    hours_saved: NDArray[np.float64]
    half_month: NDArray[np.int32]
    final_fraction: NDArray[np.float32]
    driver_adopters: NDArray[np.float64]
    driver_market: NDArray[np.float64]
    trajectories: NDArray[Any] | None = None


def adopt(prepared: PreparedScenario, schedule: RolloutSchedule, draws: RunDraws, *,
          keep_trajectories: bool = False) -> Adoption:
    """Step 3: every service's adoption from its villages' connection months plus its lag."""
    sc = prepared.scenario
    ad = sc.adoption
    services = sc.programme.services
    T, n = prepared.n_months, prepared.n_villages
    conn = np.minimum(schedule.connection_month, T)
    idm = prepared.idm
    if idm is not None:
        sample_months, driver_services = idm.sample_months, idm.driver_services
    else:
        sample_months, driver_services = np.zeros(0, dtype=np.int64), np.zeros((0, len(services)), dtype=bool)
    valid = (sample_months >= 0) & (sample_months < T)
    totals = np.zeros((len(services), T))
    hours = np.zeros(T)
    driver_adopters = np.zeros((driver_services.shape[0], len(sample_months), n))
    driver_market = np.zeros((driver_services.shape[0], n))
    half_month = np.full((len(services), n), -1, dtype=np.int32)
    final_fraction = np.zeros((len(services), n), dtype=np.float32)
    trajectories = None
    streams = draws.adoption_seed.spawn(len(services))
    for s, svc in enumerate(services):
        market = prepared.market[s]
        start = conn + svc.lag_months
        if svc.adoption_model is AdoptionModel.BASS:
            adopters = simulate_adoption(market, start, prepared.neighbours, p=svc.p_innovation * draws.p_multiplier,
                                         q=svc.q_imitation * draws.q_multiplier, w=ad.neighbour_weight, steps=T,
                                         runs=1, stochastic=ad.stochastic, rng=streams[s])[0]
        else:
            steps_since = np.arange(T)[:, None] - start[None, :] + 1
            adopters = linear_adoption(steps_since, svc.linear_rate, m=market)
            if ad.stochastic:
                adopters = np.floor(adopters).astype(np.int32)
        if keep_trajectories:
            if trajectories is None:
                trajectories = np.zeros((len(services), T, n), dtype=adopters.dtype)
            trajectories[s] = adopters
        totals[s] = adopters.sum(axis=1, dtype=np.float64)
        hours += adopters @ (prepared.hours_per_transaction * (svc.transactions_per_household_per_year / 12.0))
        reached = (adopters >= 0.5 * market[None, :]) & (market[None, :] > 0)
        half_month[s] = np.where(reached.any(axis=0), reached.argmax(axis=0), -1)
        with np.errstate(invalid="ignore", divide="ignore"):
            final_fraction[s] = np.where(market > 0, adopters[-1] / np.maximum(market, 1), 0.0)
        for d in np.flatnonzero(driver_services[:, s]):
            driver_market[d] += market
            driver_adopters[d, valid] += adopters[sample_months[valid]]
        del adopters, reached
    return Adoption(totals=totals, hours_saved=hours, half_month=half_month, final_fraction=final_fraction,
                    driver_adopters=driver_adopters, driver_market=driver_market, trajectories=trajectories)


# --------------------------------------------------------------------------- 4. outcomes


def run_outcomes(prepared: PreparedScenario, schedule: RolloutSchedule, adoption: Adoption, draws: RunDraws
                 ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Step 4: the monthly metrics (rows of ``prepared.metrics``) and the IDM status counts per IDM year.

    The IDM projection (:func:`smartkampung.sim.idm.project_run`) draws the
    observed starting state and every yearly shock from the run's own IDM
    stream (``draws.idm_seed``), and applies the programme's effects from
    this run's connection months and adoption fractions.

    Returns
    -------
    monthly : ndarray of float64, shape (n_metrics, n_months)
    idm_counts : ndarray of int64, shape (n_years, n_statuses)
        Desa per status (IDM: Sangat Tertinggal … Mandiri) in each IDM year
        of ``prepared.year_labels``; shape (0, 5) without IDM.
    """
    sc = prepared.scenario
    T = prepared.n_months
    row = {m.name: i for i, m in enumerate(prepared.metrics)}
    monthly = np.zeros((len(row), T))
    coverage = outcomes.connected_totals(np.minimum(schedule.connection_month, T), prepared.coverage_weights, T)
    for k, name in enumerate(("villages_connected", "households_connected", "people_connected", "opex_idr")):
        monthly[row[name]] = coverage[k]
    monthly[row["capex_idr"]] = schedule.spend_idr
    for s, svc in enumerate(sc.programme.services):
        per_service = outcomes.transactions(adoption.totals[s], svc.transactions_per_household_per_year)
        monthly[row[f"adopters:{svc.id}"]] = adoption.totals[s]
        monthly[row[f"transactions:{svc.id}"]] = per_service
        monthly[row["adopters"]] += adoption.totals[s]
        monthly[row["transactions"]] += per_service
        monthly[row[f"adopters_pillar:{svc.pillar}"]] += adoption.totals[s]
        monthly[row[f"transactions_pillar:{svc.pillar}"]] += per_service
    hours = adoption.hours_saved
    monthly[row["hours_saved"]] = hours
    # Road km per trip is hours x speed for every village (one average speed), and both money
    # terms are linear in km or hours, so the monthly totals follow from the total hours exactly.
    monthly[row["travel_cost_saved_idr"]] = hours * sc.outcomes.speed_kmh * sc.outcomes.cost_idr_per_km
    monthly[row["time_value_saved_idr"]] = hours * sc.outcomes.value_of_time_idr_per_hour
    cumulative_cost = np.cumsum(monthly[row["capex_idr"]] + monthly[row["opex_idr"]])
    monthly[row["cumulative_cost_idr"]] = cumulative_cost
    monthly[row["cost_per_connected_household_idr"]] = outcomes.cost_per_household(
        cumulative_cost, monthly[row["households_connected"]])
    monthly[row["cost_per_transaction_idr"]] = outcomes.cost_per_transaction(
        cumulative_cost, np.cumsum(monthly[row["transactions"]]))
    if prepared.idm is None:
        return monthly, np.zeros((0, _N_STATUS), dtype=np.int64)
    return monthly, project_run(prepared.idm, schedule.connection_month, T, adoption.driver_adopters,
                                adoption.driver_market, np.random.default_rng(draws.idm_seed))


# --------------------------------------------------------------------------- the run


@attrs.frozen(eq=False)
class RunOutput:
    """What one run returns (small: no per-month per-village arrays unless asked).

    Attributes
    ----------
    index : int
        Run index.
    draws : ndarray of float64, shape (len(DRAWS) + n_budget_phases,)
        The drawn assumptions, in the order of :data:`DRAWS`, then each
        budget phase's monthly budget.
    monthly : ndarray of float64, shape (n_metrics, n_months)
        Monthly metrics, rows as ``PreparedScenario.metrics``.
    connection_month : ndarray of int64, shape (n_villages,)
        Month each village is connected (>= n_months: never).
    half_month : ndarray of int32, shape (n_services, n_villages)
        First month with at least half of the market adopting; -1 if never.
    final_fraction : ndarray of float32, shape (n_services, n_villages)
        Share of the market adopting at the horizon.
    idm_counts : ndarray of int64, shape (n_years, n_statuses)
        Desa per IDM status (Sangat Tertinggal … Mandiri) in each IDM year.
    trajectories : ndarray, shape (n_services, n_months, n_villages), optional
        Adopters per month and village, when asked for.
    """

    index: int
    draws: NDArray[np.float64]
    monthly: NDArray[np.float64]
    connection_month: NDArray[np.int64]
    half_month: NDArray[np.int32]
    final_fraction: NDArray[np.float32]
    idm_counts: NDArray[np.int64]
    trajectories: NDArray[Any] | None = None


def run_one(prepared: PreparedScenario, index: int, root: np.random.SeedSequence,
            keep_trajectories: bool = False) -> RunOutput:
    """One run of the ensemble: draw, schedule, adopt, outcomes.

    Parameters
    ----------
    prepared : PreparedScenario
        From :func:`prepare`.
    index : int
        Run index; the run's stream has spawn key ``root.spawn_key + (0, index)``.
    root : numpy.random.SeedSequence
        Root seed of the ensemble.
    keep_trajectories : bool
        Also return adopters per service, month and village.
    """
    draws = draw(prepared, root, index)
    schedule = schedule_run(prepared, draws)
    adoption = adopt(prepared, schedule, draws, keep_trajectories=keep_trajectories)
    monthly, idm_counts = run_outcomes(prepared, schedule, adoption, draws)
    return RunOutput(index=index, draws=draws.values, monthly=monthly,
                     connection_month=np.asarray(schedule.connection_month, dtype=np.int64),
                     half_month=adoption.half_month, final_fraction=adoption.final_fraction, idm_counts=idm_counts,
                     trajectories=adoption.trajectories)
