"""Step 1 of a run: its uncertain assumptions, drawn from its own stream (:func:`draw`).

Each uncertain assumption takes one uniform variate, in the fixed order of
:data:`DRAWS` (then one per budget phase, then :data:`TAIL_DRAWS`), and is
drawn by inverse transform, so that scenarios compared on common random
numbers draw their assumptions from the same variates. Re-exported by
:mod:`smartkampung.sim.run`.
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung.model._scenario import FromPosterior, Scenario
from smartkampung.sim._prepared import PreparedScenario
from smartkampung.sim.distributions import quantile
from smartkampung.sim.tail import cost_multipliers, readiness_delay, village_draws

__all__ = ["DRAWS", "TAIL_DRAWS", "RunDraws", "draw", "draw_names", "median_budget", "run_seed"]

#: Order of the uncertain draws of a run (one uniform variate each), before one per budget phase.
DRAWS: Final[tuple[str, ...]] = ("budget_per_month", "capex_multiplier", "p_multiplier", "q_multiplier")
#: The draws of a declared tail, after the budget phases: the mean readiness wait, the cost
#: spread and the row of the calibrated posterior (-1 without one).
TAIL_DRAWS: Final[tuple[str, ...]] = ("readiness_months", "cost_spread", "posterior_row")


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
    distributions = [
        ro.budget_per_month,
        ro.capex_multiplier,
        ad.p_multiplier,
        ad.q_multiplier,
        *(phase.scale if phase.scale is not None else phase.budget_per_month for phase in ro.budget_phases),
    ]
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
        budget[phase.start_month :] = amount
    return RunDraws(
        index=index,
        values=values,
        budget=budget,
        adoption_seed=adoption_seq,
        idm_seed=idm_seq,
        village_capex_multiplier=village_multiplier,
        ready_month=ready,
    )


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
        amount = amount * median(phase.scale, name) if phase.scale is not None else median(phase.budget_per_month, name)
        budget[phase.start_month :] = amount
    return budget


def draw_names(scenario: Scenario) -> tuple[str, ...]:
    """Names of the values a run records (:attr:`RunDraws.values`), in order."""
    ro = scenario.rollout
    names = (*DRAWS, *(f"budget_phases[{i}]" for i in range(len(ro.budget_phases))))
    return (*names, *TAIL_DRAWS) if ro.has_tail else names
