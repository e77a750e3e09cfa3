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

from collections.abc import Sequence
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung._errors import ParameterError
from smartkampung.model._geo import Location, mean_location
from smartkampung.model._scenario import FromPosterior, Scenario
from smartkampung.model._village import Region
from smartkampung.sim import outcomes
from smartkampung.sim._adopt_runs import Adoption, adopt, adopt_runs
from smartkampung.sim.distributions import quantile
from smartkampung.sim.geometry import great_circle_km, nearest_neighbours
from smartkampung.sim.idm import IDMInputs, PreparedIDM, prepare_idm, project_runs
from smartkampung.sim.metrics import Metric, metric_table
from smartkampung.sim.planning import NetworkPlan, plan_network, plan_rollout_order, schedule_rollout
from smartkampung.sim.policies import COST_FREE_POLICIES
from smartkampung.sim.rollout import RolloutOrder, RolloutSchedule, per_month
from smartkampung.sim.tail import cost_multipliers, readiness_delay, village_draws

__all__ = [
    "DRAWS",
    "TAIL_DRAWS",
    "Adoption",
    "PreparedScenario",
    "RunDraws",
    "RunOutput",
    "adopt",
    "adopt_runs",
    "draw",
    "draw_names",
    "median_budget",
    "prepare",
    "run_chunk",
    "run_one",
    "run_outcomes",
    "schedule_run",
]

#: Order of the uncertain draws of a run (one uniform variate each), before one per budget phase.
DRAWS: Final[tuple[str, ...]] = ("budget_per_month", "capex_multiplier", "p_multiplier", "q_multiplier")
#: The draws of a declared tail, after the budget phases: the mean readiness wait, the cost
#: spread and the row of the calibrated posterior (-1 without one).
TAIL_DRAWS: Final[tuple[str, ...]] = ("readiness_months", "cost_spread", "posterior_row")
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
        return (f"PreparedScenario({self.scenario.name!r}, {self.n_villages} villages, "
                f"{self.market.shape[0]} services, {self.n_months} months)")


def prepare(scenario: Scenario, region: Region, *, land: Any = None, idm: IDMInputs | None = None
            ) -> PreparedScenario:
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
        raise ParameterError("region", f"must be a Region (read a scenario's with smartkampung.io.read_region), "
                             f"got {type(region).__name__}", function="prepare")
    ro = scenario.rollout
    _check_initially_connected(ro.initially_connected, region)
    plan = plan_network(region, technologies=scenario.programme.technologies, route_factor=ro.route_factor,
                        demand_mbps=ro.demand_mbps, horizon_years=ro.horizon_years,
                        discount_rate=ro.discount_rate, technology_choice=ro.technology_choice, land=land)
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
                                     cost_per_km=out.cost_per_km,
                                     value_of_time_per_hour=out.value_of_time_per_hour)

    village_kinds = sorted({v.kind.value for v in region.villages})
    kind_of = np.array([v.kind.value for v in region.villages], dtype=np.str_)
    kind_weights = [(kind_of == k).astype(np.float64) for k in village_kinds]
    prepared_idm = prepare_idm(scenario, cols, idm, function="prepare")
    return PreparedScenario(
        scenario=scenario, plan=plan, neighbours=neighbours, market=market,
        hours_per_transaction=np.asarray(per_tx.hours, dtype=np.float64),
        coverage_weights=np.stack([np.ones(n), cols.households.astype(np.float64),
                                   cols.population.astype(np.float64), plan.opex_per_year / 12.0, *kind_weights]),
        idm=prepared_idm,
        metrics=metric_table([s.id for s in services], [p.id for p in scenario.programme.pillars], village_kinds,
                             currency=scenario.currency),
        order=(plan_rollout_order(plan, policy=ro.policy, initially_connected=ro.initially_connected,
                                  function="prepare") if ro.policy in COST_FREE_POLICIES else None),
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
    values : ndarray of float64, shape (len(DRAWS) + n_budget_phases [+ 3],)
        The values used, in the order of :data:`DRAWS`, then each budget
        phase's monthly budget (or scale), then, when the scenario declares
        a tail, the values of :data:`TAIL_DRAWS`.
    budget : ndarray of float64, shape (n_months,)
        Money for building in each month, phases applied, in the programme's currency. [currency/month]
    adoption_seed : numpy.random.SeedSequence
        Stream of the adoption step (one child per service).
    idm_seed : numpy.random.SeedSequence
        Stream of the IDM projection (starting state and yearly shocks).
    village_capex_multiplier : ndarray of float64, shape (n_villages,), optional
        Each village's capital-cost multiplier (times the run's
        ``capex_multiplier``), when the scenario declares a cost spread. [-]
    ready_month : ndarray of int64, shape (n_villages,), optional
        Month each village office is ready, when the scenario declares a
        readiness wait. [month]
    """

    index: int
    values: NDArray[np.float64]
    budget: NDArray[np.float64]
    adoption_seed: np.random.SeedSequence
    idm_seed: np.random.SeedSequence
    village_capex_multiplier: NDArray[np.float64] | None = None
    ready_month: NDArray[np.int64] | None = None

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
    distributions' supports at 0). A declared tail (readiness, cost spread, a
    calibrated posterior) draws from a fourth stream of the run, so a
    scenario without one draws exactly as before: three variates of
    :data:`TAIL_DRAWS` (the posterior's row among them), then the villages'
    own draws, or those of the posterior row's calibration simulation.
    """
    draw_seq, adoption_seq, idm_seq, tail_seq = run_seed(root, index).spawn(4)
    sc = prepared.scenario
    ro, ad = sc.rollout, sc.adoption
    u = np.random.default_rng(draw_seq).random(len(DRAWS) + len(ro.budget_phases))
    distributions = [ro.budget_per_month, ro.capex_multiplier, ad.p_multiplier, ad.q_multiplier,
                     *(phase.scale if phase.scale is not None else phase.budget_per_month
                       for phase in ro.budget_phases)]
    posterior = ro.posterior if ro.posterior_columns else None
    village_multiplier = ready = None
    row_values: dict[str, float] = {}
    if ro.has_tail:
        g = np.random.default_rng(tail_seq)
        u_tail = g.random(len(TAIL_DRAWS))
        row = -1
        villages_seed = np.random.SeedSequence(tail_seq.entropy, spawn_key=(*tail_seq.spawn_key, 0))
        if posterior is not None:
            row = min(int(u_tail[2] * len(posterior.values)), len(posterior.values) - 1)
            row_values = dict(zip(posterior.parameters, posterior.values[row], strict=True))
            villages_seed = np.random.SeedSequence(posterior.seed, spawn_key=(posterior.sims[row],))

    def value_of(dist: Any, uniform: float, name: str) -> float:
        return row_values[name] if isinstance(dist, FromPosterior) else float(quantile(dist, uniform))

    names = draw_names(sc)
    values = np.array([value_of(dist, u[i], names[i]) for i, dist in enumerate(distributions)])
    if ro.has_tail:
        readiness = value_of(ro.readiness_months, u_tail[0], "readiness_months")
        spread = value_of(ro.cost_spread, u_tail[1], "cost_spread")
        u_villages, z_villages = village_draws(villages_seed, prepared.n_villages)
        village_multiplier = values[1] * cost_multipliers(z_villages, spread) if spread > 0 else None
        ready = readiness_delay(u_villages, readiness) if readiness > 0 else None
        values = np.concatenate([values, [readiness, spread, float(row)]])
    budget = np.full(sc.horizon_months, values[0])
    amount = values[0]
    for j, phase in enumerate(ro.budget_phases):
        amount = amount * values[len(DRAWS) + j] if phase.scale is not None else values[len(DRAWS) + j]
        budget[phase.start_month:] = amount
    return RunDraws(index=index, values=values, budget=budget, adoption_seed=adoption_seq, idm_seed=idm_seq,
                    village_capex_multiplier=village_multiplier, ready_month=ready)


def median_budget(scenario: Scenario) -> NDArray[np.float64]:
    """The monthly budget with every uncertain amount at its median (a posterior column's median). [currency/month]

    What a single plan (``smartkampung plan``) shows; a scaled phase is its
    median scale times the previous phase's median budget.
    """
    ro = scenario.rollout

    def median(dist: Any, name: str) -> float:
        if isinstance(dist, FromPosterior):
            assert ro.posterior is not None  # the validators require it
            return float(np.median(ro.posterior.column(name)))
        return float(quantile(dist, 0.5))

    budget = np.full(scenario.horizon_months, median(ro.budget_per_month, "budget_per_month"))
    amount = budget[0]
    for i, phase in enumerate(ro.budget_phases):
        name = f"budget_phases[{i}]"
        amount = amount * median(phase.scale, name) if phase.scale is not None else median(
            phase.budget_per_month, name)
        budget[phase.start_month:] = amount
    return budget


def draw_names(scenario: Scenario) -> tuple[str, ...]:
    """Names of the values a run records (:attr:`RunDraws.values`), in order."""
    ro = scenario.rollout
    names = (*DRAWS, *(f"budget_phases[{i}]" for i in range(len(ro.budget_phases))))
    return (*names, *TAIL_DRAWS) if ro.has_tail else names


# --------------------------------------------------------------------------- 2. schedule


def schedule_run(prepared: PreparedScenario, draws: RunDraws) -> RolloutSchedule:
    """Step 2: when each village is connected, under the run's budget, costs and villages' readiness.

    The schedule of :func:`~smartkampung.sim.planning.schedule_rollout` with
    the run's budget and cost multiplier (per village with a cost spread);
    with a cost-free policy the prepared order is repriced, not ranked again.
    """
    ro = prepared.scenario.rollout
    multiplier: Any = (draws.capex_multiplier if draws.village_capex_multiplier is None
                       else draws.village_capex_multiplier)
    if prepared.order is None:
        schedule = schedule_rollout(prepared.plan, budget_per_month=draws.budget, n_months=prepared.n_months,
                                    policy=ro.policy, build_km_per_month=ro.build_km_per_month,
                                    carry_over=ro.carry_over, initially_connected=ro.initially_connected,
                                    capex_multiplier=multiplier)
    else:
        fn = "schedule_run"
        T = prepared.n_months
        capacity = None if ro.build_km_per_month is None else per_month(ro.build_km_per_month, T,
                                                                        "build_km_per_month", fn)
        order = prepared.order.with_costs(prepared.plan.capex * multiplier)
        schedule = order.schedule(per_month(draws.budget, T, "budget_per_month", fn), capacity,
                                  carry_over=ro.carry_over, carry_over_km=ro.carry_over)
    return schedule if draws.ready_month is None else schedule.with_readiness(draws.ready_month)


# --------------------------------------------------------------------------- 3. adopt


# Adoption and adopt live in smartkampung.sim._adopt_runs, beside adopt_runs (many runs at once).


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
    return _monthly(prepared, schedule, adoption), _idm_counts(prepared, [schedule], [adoption], [draws])[0]


def _monthly(prepared: PreparedScenario, schedule: RolloutSchedule, adoption: Adoption) -> NDArray[np.float64]:
    """The monthly metrics of one run, shape (n_metrics, n_months)."""
    sc = prepared.scenario
    T = prepared.n_months
    row = {m.name: i for i, m in enumerate(prepared.metrics)}
    monthly = np.zeros((len(row), T))
    coverage = outcomes.connected_totals(np.minimum(schedule.connection_month, T), prepared.coverage_weights, T)
    for k, name in enumerate(("villages_connected", "households_connected", "people_connected", "opex")):
        monthly[row[name]] = coverage[k]
    kinds = [m.name for m in prepared.metrics if m.name.startswith("villages_connected:")]
    for k, name in enumerate(kinds, start=4):
        monthly[row[name]] = coverage[k]
    monthly[row["capex"]] = schedule.spend
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
    monthly[row["travel_cost_saved"]] = hours * sc.outcomes.speed_kmh * sc.outcomes.cost_per_km
    monthly[row["time_value_saved"]] = hours * sc.outcomes.value_of_time_per_hour
    cumulative_cost = np.cumsum(monthly[row["capex"]] + monthly[row["opex"]])
    monthly[row["cumulative_cost"]] = cumulative_cost
    monthly[row["cost_per_connected_household"]] = outcomes.cost_per_household(
        cumulative_cost, monthly[row["households_connected"]])
    monthly[row["cost_per_transaction"]] = outcomes.cost_per_transaction(
        cumulative_cost, np.cumsum(monthly[row["transactions"]]))
    return monthly


def _idm_counts(prepared: PreparedScenario, schedules: Sequence[RolloutSchedule], adoptions: Sequence[Adoption],
                draws: Sequence[RunDraws]) -> NDArray[np.int64]:
    """The IDM status counts of several runs at once, shape (runs, n_years, n_statuses); each run's own stream."""
    if prepared.idm is None:
        return np.zeros((len(schedules), 0, _N_STATUS), dtype=np.int64)
    return project_runs(prepared.idm, np.stack([s.connection_month for s in schedules]), prepared.n_months,
                        np.stack([a.driver_adopters for a in adoptions]), adoptions[0].driver_market,
                        [np.random.default_rng(d.idm_seed) for d in draws])


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
            keep_trajectories: bool = False, backend: str = "numpy") -> RunOutput:
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
    backend : {"numpy", "numba"}
        Adoption kernel (:func:`~smartkampung.sim._adoption_batch.adopt_batch`).
    """
    return run_chunk(prepared, [index], root, keep_trajectories, backend)[0]


def run_chunk(prepared: PreparedScenario, indices: Sequence[int], root: np.random.SeedSequence,
              keep_trajectories: bool = False, backend: str = "numpy") -> list[RunOutput]:
    """Several runs at once, each equal to :func:`run_one` of its index.

    The services' adoption of all the runs is simulated together
    (:func:`~smartkampung.sim._adopt_runs.adopt_runs`): a small region's runs
    side by side in one wide vector per step.
    """
    draws = [draw(prepared, root, i) for i in indices]
    schedules = [schedule_run(prepared, d) for d in draws]
    adoptions = adopt_runs(prepared, schedules, draws, keep_trajectories=keep_trajectories, backend=backend)
    idm = _idm_counts(prepared, schedules, adoptions, draws)  # all the chunk's runs together, each its own stream
    outputs = []
    for i, d, schedule, adoption, idm_counts in zip(indices, draws, schedules, adoptions, idm, strict=True):
        outputs.append(RunOutput(index=i, draws=d.values, monthly=_monthly(prepared, schedule, adoption),
                                 connection_month=np.asarray(schedule.connection_month, dtype=np.int64),
                                 half_month=adoption.half_month, final_fraction=adoption.final_fraction,
                                 idm_counts=idm_counts, trajectories=adoption.trajectories))
    return outputs
