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
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung.sim import outcomes
from smartkampung.sim._adopt_runs import Adoption, adopt, adopt_runs
from smartkampung.sim._draws import DRAWS, TAIL_DRAWS, RunDraws, draw, draw_names, median_budget
from smartkampung.sim._prepared import _N_STATUS, PreparedScenario, prepare
from smartkampung.sim.idm import project_runs
from smartkampung.sim.planning import schedule_rollout
from smartkampung.sim.rollout import RolloutSchedule, per_month

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


# --------------------------------------------------------------------------- 2. schedule


def schedule_run(prepared: PreparedScenario, draws: RunDraws) -> RolloutSchedule:
    """Step 2: when each village is connected, under the run's budget, costs and villages' readiness.

    The schedule of :func:`~smartkampung.sim.planning.schedule_rollout` with
    the run's budget and cost multiplier (per village with a cost spread);
    with a cost-free policy the prepared order is repriced, not ranked again.
    """
    ro = prepared.scenario.rollout
    multiplier: Any = (
        draws.capex_multiplier if draws.village_capex_multiplier is None else draws.village_capex_multiplier
    )
    if prepared.order is None:
        schedule = schedule_rollout(
            prepared.plan,
            budget_per_month=draws.budget,
            n_months=prepared.n_months,
            policy=ro.policy,
            build_km_per_month=ro.build_km_per_month,
            carry_over=ro.carry_over,
            initially_connected=ro.initially_connected,
            capex_multiplier=multiplier,
        )
    else:
        fn = "schedule_run"
        T = prepared.n_months
        capacity = (
            None if ro.build_km_per_month is None else per_month(ro.build_km_per_month, T, "build_km_per_month", fn)
        )
        order = prepared.order.with_costs(prepared.plan.capex * multiplier)
        schedule = order.schedule(
            per_month(draws.budget, T, "budget_per_month", fn),
            capacity,
            carry_over=ro.carry_over,
            carry_over_km=ro.carry_over,
        )
    return schedule if draws.ready_month is None else schedule.with_readiness(draws.ready_month)


# --------------------------------------------------------------------------- 3. adopt


# Adoption and adopt live in smartkampung.sim._adopt_runs, beside adopt_runs (many runs at once).


# --------------------------------------------------------------------------- 4. outcomes


def run_outcomes(
    prepared: PreparedScenario, schedule: RolloutSchedule, adoption: Adoption, draws: RunDraws
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
        cumulative_cost, monthly[row["households_connected"]]
    )
    monthly[row["cost_per_transaction"]] = outcomes.cost_per_transaction(
        cumulative_cost, np.cumsum(monthly[row["transactions"]])
    )
    return monthly


def _idm_counts(
    prepared: PreparedScenario,
    schedules: Sequence[RolloutSchedule],
    adoptions: Sequence[Adoption],
    draws: Sequence[RunDraws],
) -> NDArray[np.int64]:
    """The IDM status counts of several runs at once, shape (runs, n_years, n_statuses); each run's own stream."""
    if prepared.idm is None:
        return np.zeros((len(schedules), 0, _N_STATUS), dtype=np.int64)
    return project_runs(
        prepared.idm,
        np.stack([s.connection_month for s in schedules]),
        prepared.n_months,
        np.stack([a.driver_adopters for a in adoptions]),
        adoptions[0].driver_market,
        [np.random.default_rng(d.idm_seed) for d in draws],
    )


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


def run_one(
    prepared: PreparedScenario,
    index: int,
    root: np.random.SeedSequence,
    keep_trajectories: bool = False,
    backend: str = "numpy",
) -> RunOutput:
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


def run_chunk(
    prepared: PreparedScenario,
    indices: Sequence[int],
    root: np.random.SeedSequence,
    keep_trajectories: bool = False,
    backend: str = "numpy",
) -> list[RunOutput]:
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
        outputs.append(
            RunOutput(
                index=i,
                draws=d.values,
                monthly=_monthly(prepared, schedule, adoption),
                connection_month=np.asarray(schedule.connection_month, dtype=np.int64),
                half_month=adoption.half_month,
                final_fraction=adoption.final_fraction,
                idm_counts=idm_counts,
                trajectories=adoption.trajectories,
            )
        )
    return outputs
