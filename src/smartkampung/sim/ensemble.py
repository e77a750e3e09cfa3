"""Monte Carlo ensembles of a scenario: rollout, adoption, outcomes; reduced as runs arrive.

Seeds follow SPEC 7. One root :class:`numpy.random.SeedSequence` is built
from ``rng``; run *r* uses the stream with spawn key ``root.spawn_key + (0, r)``
and nothing else, so a run's result depends only on the root entropy and its
index: not on the executor, the number of workers, or how runs are grouped
into tasks. Results are folded in run order, so floating-point sums are
bit-identical too.

Per run:

1. draw the uncertain assumptions (budget, capital-cost multiplier, Bass
   multipliers) by inverse transform of one uniform variate each, in a fixed
   order (common random numbers across scenarios);
2. schedule the rollout (:func:`smartkampung.sim.planning.schedule_rollout`);
3. simulate every service's adoption from each village's connection month
   plus the service lag (:func:`smartkampung.sim.adoption.simulate_adoption`);
4. reduce to monthly totals, per-village summaries and IDM status counts.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung._errors import DataFileError, ParameterError, Problem
from smartkampung.model._geo import Location, mean_location
from smartkampung.model._programme import AdoptionModel
from smartkampung.model._scenario import Scenario
from smartkampung.model._village import DEFAULT_HOUSEHOLD_SIZE, Region
from smartkampung.sim.adoption import linear_adoption, nearest_neighbours, simulate_adoption
from smartkampung.sim.distributions import quantile
from smartkampung.sim.network import great_circle_km
from smartkampung.sim.outcomes import IDM_DIMENSIONS, connected_totals, project_idm, travel_savings
from smartkampung.sim.planning import NetworkPlan, plan_network, schedule_rollout
from smartkampung.sim.results import SimulationResult

__all__ = ["DRAWS", "Comparison", "PreparedScenario", "RunOutput", "compare", "prepare", "run_one", "simulate"]

#: Order of the uncertain draws of a run (one uniform variate each).
DRAWS = ("budget_idr_per_month", "capex_multiplier", "p_multiplier", "q_multiplier")
_N_STATUS = 5


def _region_of(scenario: Scenario, base_dir: Path | None) -> Region:
    from smartkampung import datasets
    from smartkampung.io import read_villages_csv

    src = scenario.region
    if src.builtin is not None:
        region = {"banyuwangi": datasets.banyuwangi, "guimaras": datasets.guimaras}[src.builtin]()
        if src.household_size != DEFAULT_HOUSEHOLD_SIZE:  # the bundled regions give no household counts
            region = attrs.evolve(region, villages=tuple(
                attrs.evolve(v, households=round(v.population / src.household_size)) for v in region.villages))
        return region
    assert src.csv is not None
    path = Path(src.csv)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        where = "" if base_dir is not None else " (a relative path is taken from the current folder; pass " \
                                                 "base_dir=, the scenario file's folder)"
        raise DataFileError(str(path), [Problem(f"the scenario's village file [region] csv = {src.csv!r} was "
                                                f"not found at {path.resolve()}{where}")])
    region = read_villages_csv(path, region_code=src.code, region_name=src.name, country=src.country,
                               default_kind=src.kind, household_size=src.household_size)
    return region.with_district_backbone()


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
    coverage_weights : ndarray of float64, shape (4, n_villages)
        What a connected village adds to the monthly totals: 1 village, its
        households, its people, its running cost per month [IDR].
    hours_per_transaction : ndarray of float64, shape (n_villages,)
        Travel time one transaction done at the village saves (round trip
        to the office). [h]
    idm_base : ndarray of float64, shape (3, n_villages)
        Starting IKS, IKE, IKL before the per-run spread: a desa's own score
        where the region has one, else the scenario's assumed base; NaN for
        villages without IDM (kelurahan and villages outside Indonesia).
    idm_spread_mask : ndarray of bool, shape (n_villages,)
        Desa whose starting values are assumed, and so drawn in each run
        around the base with the scenario's ``base_spread``.
    year_months : ndarray of int64, shape (n_years,)
        Month index of each December in the horizon (IDM is scored yearly).
    year_labels : tuple of int
        Calendar year of each of those months.
    metric_names : tuple of str
        Names of the monthly metrics, in the order of ``RunOutput.monthly``.
    """

    scenario: Scenario
    plan: NetworkPlan
    neighbours: NDArray[np.intp]
    market: NDArray[np.int64]
    hours_per_transaction: NDArray[np.float64]
    coverage_weights: NDArray[np.float64]
    idm_base: NDArray[np.float64]
    idm_spread_mask: NDArray[np.bool_]
    year_months: NDArray[np.int64]
    year_labels: tuple[int, ...]
    metric_names: tuple[str, ...]

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return self.plan.n_villages

    @property
    def n_months(self) -> int:
        """Horizon. [months]"""
        return self.scenario.horizon_months


def _metric_names(scenario: Scenario) -> tuple[str, ...]:
    names = ["villages_connected", "households_connected", "people_connected", "capex_idr", "opex_idr",
             "cumulative_cost_idr", "adopters", "transactions", "hours_saved", "travel_cost_saved_idr",
             "time_value_saved_idr", "cost_per_connected_household_idr", "cost_per_transaction_idr"]
    names += [f"adopters:{s.id}" for s in scenario.programme.services]
    names += [f"transactions:{s.id}" for s in scenario.programme.services]
    names += [f"adopters_pillar:{p.id}" for p in scenario.programme.pillars]
    names += [f"transactions_pillar:{p.id}" for p in scenario.programme.pillars]
    return tuple(names)


def prepare(scenario: Scenario, *, region: Region | None = None, base_dir: str | Path | None = None,
            rng: Any = None) -> PreparedScenario:
    """Resolve the region, plan the network and precompute per-village arrays.

    Parameters
    ----------
    scenario : Scenario
    region : Region, optional
        Use this region instead of the scenario's source.
    base_dir : path, optional
        Folder that relative paths in the scenario (a village CSV) are relative to.
    rng : seed, optional
        Accepted for symmetry with :func:`simulate`; preparing draws nothing.
    """
    if not isinstance(rng, np.random.Generator):  # a Generator is not drawn from here
        _root_seed(rng)  # checked here so a bad seed fails before the planning work
    if region is None:
        region = _region_of(scenario, Path(base_dir) if base_dir is not None else None)
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
    per_tx = travel_savings(np.ones(n), distance_km, road_factor=out.road_factor, speed_kmh=out.speed_kmh,
                            cost_idr_per_km=out.cost_idr_per_km,
                            value_of_time_idr_per_hour=out.value_of_time_idr_per_hour)

    idm = out.idm
    has_score = ~np.isnan(cols.idm_iks)
    gets_default = ~has_score & cols.is_desa  # IDM scores Indonesian desa only
    idm_base = np.full((3, n), np.nan)
    for d, (given, base) in enumerate(zip((cols.idm_iks, cols.idm_ike, cols.idm_ikl),
                                          (idm.base_iks, idm.base_ike, idm.base_ikl), strict=True)):
        idm_base[d] = np.where(has_score, given, np.where(gets_default, base, np.nan))

    year, month = scenario.start_year_month
    first_december = (12 - month) % 12
    year_months = np.arange(first_december, scenario.horizon_months, 12, dtype=np.int64)
    year_labels = tuple(int(year + (month - 1 + int(t)) // 12) for t in year_months)
    return PreparedScenario(
        scenario=scenario, plan=plan, neighbours=neighbours, market=market,
        hours_per_transaction=np.asarray(per_tx.hours, dtype=np.float64),
        coverage_weights=np.stack([np.ones(n), cols.households.astype(np.float64),
                                   cols.population.astype(np.float64), plan.opex_idr_per_year / 12.0]),
        idm_base=idm_base, idm_spread_mask=gets_default, year_months=year_months, year_labels=year_labels,
        metric_names=_metric_names(scenario),
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
        Monthly totals, rows named by ``PreparedScenario.metric_names``.
    connection_month : ndarray of int64, shape (n_villages,)
        Month each village is connected (>= n_months: never).
    half_month : ndarray of int32, shape (n_services, n_villages)
        First month with at least half of the market adopting; -1 if never.
    final_fraction : ndarray of float32, shape (n_services, n_villages)
        Share of the market adopting at the horizon.
    idm_counts : ndarray of int64, shape (n_years, 5)
        Desa per IDM status (Sangat Tertinggal … Mandiri) each December.
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


def _root_seed(rng: Any) -> np.random.SeedSequence:
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        # SPEC 7: a Generator given as rng seeds the root (one draw from it).
        return np.random.SeedSequence(int(rng.integers(0, 2**63)))
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng < 0:
        raise ParameterError("rng", f"a seed must be >= 0, got {rng}", function="simulate")
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.SeedSequence(rng)
    if (isinstance(rng, Sequence) and not isinstance(rng, str) and len(rng) > 0
            and all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) and x >= 0 for x in rng)):
        return np.random.SeedSequence(rng)
    raise ParameterError("rng", f"must be None, an int seed, a SeedSequence or a Generator, got {rng!r}",
                         function="simulate")


def _child(root: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    # A fixed child of the root: the same whatever else is spawned.
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key))


def run_one(prepared: PreparedScenario, index: int, root: np.random.SeedSequence,
            keep_trajectories: bool = False) -> RunOutput:
    """One run of the ensemble: draws, rollout, adoption of every service, outcomes.

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
    sc = prepared.scenario
    seq = _child(root, 0, index)
    draw_seq, adoption_seq, idm_seq = seq.spawn(3)
    ro, ad = sc.rollout, sc.adoption
    # The first four variates are always the DRAWS, then one per budget phase,
    # so adding a phase never changes the other draws (common random numbers).
    u = np.random.default_rng(draw_seq).random(len(DRAWS) + len(ro.budget_phases))
    distributions = [ro.budget_idr_per_month, ro.capex_multiplier, ad.p_multiplier, ad.q_multiplier,
                     *(phase.budget_idr_per_month for phase in ro.budget_phases)]
    # Non-negative by the scenario's validators (their supports start at >= 0).
    draws = np.array([float(quantile(dist, u[i])) for i, dist in enumerate(distributions)])
    T = sc.horizon_months
    budget = np.full(T, draws[0])
    for phase, value in zip(ro.budget_phases, draws[len(DRAWS):], strict=True):
        budget[phase.start_month:] = value
    plan = prepared.plan
    sched = schedule_rollout(plan, budget_idr_per_month=budget, n_months=T, policy=ro.policy,
                             build_km_per_month=ro.build_km_per_month, carry_over=ro.carry_over,
                             initially_connected=ro.initially_connected, capex_multiplier=draws[1])
    conn = sched.connection_month
    names = prepared.metric_names
    monthly = np.zeros((len(names), T))
    row = {name: i for i, name in enumerate(names)}
    totals = connected_totals(np.minimum(conn, T), prepared.coverage_weights, T)  # (4, T)
    for k, name in enumerate(("villages_connected", "households_connected", "people_connected", "opex_idr")):
        monthly[row[name]] = totals[k]
    monthly[row["capex_idr"]] = sched.spend_idr

    services = sc.programme.services
    pillars = sc.programme.pillars
    pillar_row = {p.id: row[f"adopters_pillar:{p.id}"] for p in pillars}
    dim_index = {p.id: (IDM_DIMENSIONS.index(p.idm_dimension.value) if p.idm_dimension is not None else -1)
                 for p in pillars}
    n = prepared.n_villages
    sample_months = prepared.year_months - sc.outcomes.idm.lag_months
    dim_adopters = np.zeros((3, len(sample_months), n))
    dim_market = np.zeros((3, n))
    half_month = np.full((len(services), n), -1, dtype=np.int32)
    final_fraction = np.zeros((len(services), n), dtype=np.float32)
    trajectories = None
    adopt_streams = adoption_seq.spawn(len(services))
    for s, svc in enumerate(services):
        market = prepared.market[s]
        start = np.minimum(conn, T) + svc.lag_months
        if svc.adoption_model is AdoptionModel.BASS:
            adopters = simulate_adoption(market, start, prepared.neighbours, p=svc.p_innovation * draws[2],
                                         q=svc.q_imitation * draws[3], w=ad.neighbour_weight, steps=T,
                                         runs=1, stochastic=ad.stochastic, rng=adopt_streams[s], workers=1)[0]
        else:
            steps_since = np.arange(T)[:, None] - start[None, :] + 1
            adopters = linear_adoption(steps_since, svc.linear_rate, m=market)
            if ad.stochastic:
                adopters = np.floor(adopters).astype(np.int32)
        if keep_trajectories:
            if trajectories is None:
                trajectories = np.zeros((len(services), T, n), dtype=adopters.dtype)
            trajectories[s] = adopters
        totals = adopters.sum(axis=1, dtype=np.float64)
        tx_rate = svc.transactions_per_household_per_year / 12.0
        monthly[row[f"adopters:{svc.id}"]] = totals
        monthly[row[f"transactions:{svc.id}"]] = totals * tx_rate
        monthly[row["adopters"]] += totals
        monthly[row["transactions"]] += totals * tx_rate
        monthly[row["hours_saved"]] += adopters @ (prepared.hours_per_transaction * tx_rate)
        monthly[pillar_row[svc.pillar]] += totals
        monthly[row[f"transactions_pillar:{svc.pillar}"]] += totals * tx_rate
        reached = adopters >= 0.5 * market[None, :]
        reached &= market[None, :] > 0
        any_reached = reached.any(axis=0)
        half_month[s] = np.where(any_reached, reached.argmax(axis=0), -1)
        with np.errstate(invalid="ignore", divide="ignore"):
            final_fraction[s] = np.where(market > 0, adopters[-1] / np.maximum(market, 1), 0.0)
        d = dim_index[svc.pillar]
        if d >= 0:
            dim_market[d] += market
            valid = sample_months >= 0
            dim_adopters[d, valid] += adopters[sample_months[valid]]
        del adopters, reached
    _travel_money(prepared, monthly, row)
    cumulative_cost = np.cumsum(monthly[row["capex_idr"]] + monthly[row["opex_idr"]])
    monthly[row["cumulative_cost_idr"]] = cumulative_cost
    households = monthly[row["households_connected"]]
    monthly[row["cost_per_connected_household_idr"]] = np.divide(
        cumulative_cost, households, out=np.full(T, np.nan), where=households > 0)
    cum_tx = np.cumsum(monthly[row["transactions"]])
    monthly[row["cost_per_transaction_idr"]] = np.divide(cumulative_cost, cum_tx, out=np.full(T, np.nan),
                                                         where=cum_tx > 0)
    idm_counts = _idm_counts(prepared, dim_adopters, dim_market, np.random.default_rng(idm_seq))
    return RunOutput(index=index, draws=draws, monthly=monthly, connection_month=np.asarray(conn, dtype=np.int64),
                     half_month=half_month, final_fraction=final_fraction, idm_counts=idm_counts,
                     trajectories=trajectories)


def _travel_money(prepared: PreparedScenario, monthly: NDArray[np.float64], row: dict[str, int]) -> None:
    """Money saved, from the hours saved.

    Road km per trip is ``hours × speed`` for every village (one average
    speed), and both money terms are linear in km or hours, so the monthly
    totals follow from the total hours exactly.
    """
    out = prepared.scenario.outcomes
    km = monthly[row["hours_saved"]] * out.speed_kmh
    monthly[row["travel_cost_saved_idr"]] = km * out.cost_idr_per_km
    monthly[row["time_value_saved_idr"]] = monthly[row["hours_saved"]] * out.value_of_time_idr_per_hour


def _idm_counts(prepared: PreparedScenario, dim_adopters: NDArray[np.float64],
                dim_market: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.int64]:
    n_years = len(prepared.year_months)
    counts = np.zeros((n_years, _N_STATUS), dtype=np.int64)
    if n_years == 0:
        return counts
    base = prepared.idm_base.copy()
    spread = prepared.scenario.outcomes.idm.base_spread
    mask = prepared.idm_spread_mask
    if spread > 0 and mask.any():
        # Assumed starting values vary between desa and are uncertain: drawn per run.
        base[:, mask] = np.clip(base[:, mask] + rng.normal(0.0, spread, (3, int(mask.sum()))), 0.0, 1.0)
    scored = ~np.isnan(base[0])
    if not scored.any():
        return counts
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(dim_market[:, None, :] > 0, dim_adopters / np.maximum(dim_market[:, None, :], 1), 0.0)
    fraction = np.clip(fraction[:, :, scored], 0.0, 1.0)
    idm = prepared.scenario.outcomes.idm
    projection = project_idm(base[0, scored], base[1, scored], base[2, scored], fraction,
                             effect=(idm.effect_social, idm.effect_economic, idm.effect_ecological),
                             lag_months=0, ceiling=idm.ceiling, trend_per_year=idm.trend_per_year,
                             months=prepared.year_months)
    for code in range(_N_STATUS):
        counts[:, code] = (projection.status == code).sum(axis=1)
    return counts


def _workers_of(executor: Any) -> int:
    """How many tasks an executor runs at once (a guess when it does not say)."""
    for attribute in ("_max_workers", "max_workers"):
        value = getattr(executor, attribute, None)
        if isinstance(value, int) and value > 0:
            return value
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is not None:
        try:
            return max(1, int(sum(client.nthreads().values())))
        except Exception:  # a client that cannot tell: fall back below
            pass
    return os.cpu_count() or 1


def _run_chunk(prepared: PreparedScenario, indices: Sequence[int], root: np.random.SeedSequence,
               keep_trajectories: bool) -> list[RunOutput]:
    return [run_one(prepared, i, root, keep_trajectories) for i in indices]


def _progress_callback(progress: bool | Callable[[int, int], None] | None,
                       total: int) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    if progress is None or progress is False:
        return None, lambda: None
    if callable(progress):
        return progress, lambda: None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # no progress bar library: a plain line on stderr
        def plain(done: int, total: int) -> None:
            print(f"\rruns {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)
        return plain, lambda: None
    bar = tqdm(total=total, unit="run", file=sys.stderr, leave=False)

    def update(done: int, total: int) -> None:
        bar.update(done - bar.n)

    return update, bar.close


def simulate(
    scenario: Scenario | PreparedScenario,
    *,
    runs: int,
    rng: Any = None,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    keep_trajectories: bool = False,
    progress: bool | Callable[[int, int], None] | None = None,
    region: Region | None = None,
    base_dir: str | Path | None = None,
    quantile_levels: Iterable[float] = (0.1, 0.5, 0.9),
) -> SimulationResult:
    """Run a Monte Carlo ensemble of a scenario.

    Parameters
    ----------
    scenario : Scenario or PreparedScenario
        What to simulate. Preparing once (:func:`prepare`) saves the network
        planning when the same scenario is run several times.
    runs : int
        Number of runs (>= 1).
    rng : int, SeedSequence, Generator or None
        Root seed (SPEC 7). The same seed gives bit-identical results with
        any executor and any ``chunk_size``.
    executor : concurrent.futures.Executor, optional
        Where runs execute: None (in this process), a
        ``ThreadPoolExecutor``, a ``ProcessPoolExecutor``, or Dask's
        ``distributed.Client(...).get_executor()``.
    chunk_size : int, optional
        Runs per task sent to the executor. Default: spread runs over about
        four tasks per worker.
    keep_trajectories : bool
        Keep adopters per run, service, month and village (memory:
        ``runs × services × months × villages`` integers).
    progress : bool or callable, optional
        True: a progress bar on stderr (tqdm if installed). A callable is
        called as ``progress(done, total)`` after each chunk.
    region : Region, optional
        Use this region instead of the scenario's source.
    base_dir : path, optional
        Folder the scenario's relative paths are relative to.
    quantile_levels : iterable of float
        Default quantiles reported by the result's summaries.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ParameterError
        ``runs`` < 1, a bad ``rng`` or ``chunk_size``.
    """
    fn = "simulate"
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise ParameterError("runs", f"must be a whole number >= 1, got {runs!r}", function=fn)
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer))
                                   or chunk_size < 1):
        raise ParameterError("chunk_size", f"must be a whole number >= 1, got {chunk_size!r}", function=fn)
    if executor is not None and not hasattr(executor, "submit"):
        raise ParameterError("executor", "must be a concurrent.futures.Executor (or have .submit)", function=fn)
    levels = tuple(float(q) for q in quantile_levels)
    if not levels or any(not 0.0 <= q <= 1.0 for q in levels):
        raise ParameterError("quantile_levels", f"must be probabilities in [0, 1], got {levels}", function=fn)
    root = _root_seed(rng)
    prepared = scenario if isinstance(scenario, PreparedScenario) else prepare(
        scenario, region=region, base_dir=base_dir, rng=root)
    runs = int(runs)
    collector = SimulationResult.collector(prepared, runs=runs, root=root, keep_trajectories=keep_trajectories,
                                           quantile_levels=levels)
    report, close = _progress_callback(progress, runs)
    try:
        if executor is None:
            for i in range(runs):
                collector.add(run_one(prepared, i, root, keep_trajectories))
                if report:
                    report(i + 1, runs)
        else:
            workers = _workers_of(executor)
            size = int(chunk_size) if chunk_size else max(1, math.ceil(runs / (4 * workers)))
            chunks = [list(range(start, min(start + size, runs))) for start in range(0, runs, size)]
            # Keep every worker busy with a bounded number of tasks in flight
            # (memory), and fold results in run order (bit-identical sums).
            in_flight: dict[int, Future[list[RunOutput]]] = {}
            window = 2 * workers
            next_submit = 0
            done_runs = 0
            for c in range(len(chunks)):
                while next_submit < len(chunks) and next_submit < c + window:
                    in_flight[next_submit] = executor.submit(_run_chunk, prepared, chunks[next_submit], root,
                                                             keep_trajectories)
                    next_submit += 1
                for output in in_flight.pop(c).result():
                    collector.add(output)
                done_runs += len(chunks[c])
                if report:
                    report(done_runs, runs)
    finally:
        close()
    return collector.result()


@attrs.frozen
class Comparison:
    """Several scenarios run on common random numbers.

    Attributes
    ----------
    results : tuple of SimulationResult
        One per scenario, in the order given; run *r* of every scenario used
        the same random streams.
    """

    results: tuple[SimulationResult, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Scenario names."""
        return tuple(r.scenario_name for r in self.results)

    def summary(self, q: Sequence[float] | None = None) -> str:
        """The headline outcomes of every scenario, one plain-text table after another."""
        return "\n\n".join(r.summary(q) for r in self.results)

    def rows(self, q: Sequence[float] | None = None) -> tuple[list[str], list[list[Any]]]:
        """Header and rows (scenario, outcome, unit, quantiles...) of the headline outcomes."""
        levels = tuple(self.results[0].quantile_levels if q is None else q)
        header = ["scenario", "outcome", "unit", *[f"q{round(x * 100):02d}" for x in levels]]
        rows = [[r.scenario_name, label, unit, *values]
                for r in self.results for label, unit, values in r.summary_rows(levels)]
        return header, rows

    def to_dataframe(self, q: Sequence[float] | None = None) -> Any:
        """The headline outcomes with uncertainty bands as a pandas DataFrame. Needs pandas."""
        import pandas as pd

        header, rows = self.rows(q)
        return pd.DataFrame(rows, columns=header)

    def difference(self, name: str, a: int = 1, b: int = 0) -> NDArray[np.float64]:
        """Per-run difference of a metric between scenario ``a`` and ``b``, shape (runs, n_months).

        Common random numbers make this paired difference far less noisy
        than the difference of two independent ensembles.
        """
        n = len(self.results)
        for label, index in (("a", a), ("b", b)):
            if not -n <= index < n:
                raise ParameterError(label, f"must index one of the {n} scenarios", function="Comparison.difference")
        first, second = self.results[a].metric(name), self.results[b].metric(name)
        if first.shape != second.shape:
            raise ParameterError("b", f"scenarios {a} and {b} differ in runs or horizon ({first.shape} vs "
                                 f"{second.shape})", function="Comparison.difference")
        return first - second


def compare(scenarios: Sequence[Scenario], *, runs: int, rng: Any = None, executor: Executor | None = None,
            region: Region | None = None, base_dir: str | Path | None = None,
            progress: bool | Callable[[int, int], None] | None = None) -> Comparison:
    """Run several scenarios on common random numbers.

    Every scenario is run with the same root seed, so run *r* of each draws
    its uncertain assumptions from the same uniform variates (a richer
    budget distribution gives a richer budget in every run) and uses the
    same adoption streams.

    Parameters
    ----------
    scenarios : sequence of Scenario
        At least one; names should differ.
    runs, rng, executor, region, base_dir, progress
        As :func:`simulate`.

    Returns
    -------
    Comparison
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ParameterError("scenarios", "give at least one scenario", function="compare")
    root = _root_seed(rng)
    results = tuple(simulate(s, runs=runs, rng=root, executor=executor, region=region, base_dir=base_dir,
                             progress=progress) for s in scenarios)
    return Comparison(results)
