"""The rollout as a fast model of counts: the ensemble's schedule step for many simulations at once.

Used by :mod:`smartkampung.sim.forecast` (calibration, forecasts, backtests);
:class:`RolloutModel` is public there.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._arrays import ARRAY_EQ, readonly_array
from smartkampung._errors import ParameterError
from smartkampung._validation import check_choice
from smartkampung.model._scenario import Fixed
from smartkampung.sim.planning import plan_rollout_order
from smartkampung.sim.policies import COST_FREE_POLICIES
from smartkampung.sim.rollout import NEVER, RolloutOrder
from smartkampung.sim.run import PreparedScenario
from smartkampung.sim.tail import cost_multipliers, standard_waits
from smartkampung.sim.tree import ancestor_reduce

__all__ = ["RolloutModel"]


# --------------------------------------------------------------------------- the count model


@attrs.frozen(eq=False)
class RolloutModel:
    """A prepared scenario's rollout as a fast model of counts, for calibration and forecasts.

    It reproduces the ensemble's schedule step exactly (the same policy
    order, budgets, readiness and cost draws give the same connection months)
    and evaluates many simulations at once. Build it with :meth:`from_prepared`.

    Attributes
    ----------
    order : RolloutOrder
        Policy order with the plan's costs (times the scenario's fixed capex
        multiplier) and the villages connected at the start.
    base_cost : ndarray of float64, shape (m,)
        The plan's capital cost of each position of the order. [currency]
    capex_multiplier : float
        The scenario's (fixed) capex multiplier. [-]
    counted : ndarray of bool, shape (n_villages,)
        Villages the observed counts are of (e.g. desa).
    phase_starts : tuple of int
        First month of each budget phase (0 for the scenario's first budget).
    phase_scales : tuple of bool
        Whether each phase's budget is a multiple of the previous one.
    n_months : int
        The scenario's horizon: every simulation is funded over at least
        this many months, as the ensemble is, so a village too dear for a
        short horizon's money is not dropped here while the ensemble keeps
        it in line. [months]
    """

    order: RolloutOrder
    base_cost: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    capex_multiplier: float
    counted: NDArray[np.bool_] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    phase_starts: tuple[int, ...]
    phase_scales: tuple[bool, ...]
    n_months: int = 0

    @classmethod
    def from_prepared(cls, prepared: PreparedScenario, *, kind: str = "desa") -> RolloutModel:
        """The count model of a prepared scenario, counting villages of one kind (``"desa"``, ``"all"``, ...)."""
        fn = "RolloutModel.from_prepared"
        sc = prepared.scenario
        ro = sc.rollout
        if not isinstance(ro.capex_multiplier, Fixed):
            raise ParameterError(
                "prepared",
                "the scenario's capex_multiplier must be fixed: only the ratio of budget "
                "to cost is identified by counts",
                function=fn,
            )
        if ro.build_km_per_month is not None or not ro.carry_over:
            raise ParameterError(
                "prepared",
                "the fast count model covers carry-over budgets without a build "
                "capacity (the scenario has one, or no carry-over)",
                function=fn,
            )
        if ro.policy not in COST_FREE_POLICIES and ro.cost_spread != Fixed(0.0):
            raise ParameterError(
                "prepared",
                f"policy {ro.policy!r} orders by cost, so a cost spread changes the "
                "order in every draw; use one of " + ", ".join(COST_FREE_POLICIES),
                function=fn,
            )
        plan = prepared.plan
        kinds = _kinds(prepared)
        if kind != "all":
            check_choice(kind, "kind", fn, [*sorted(set(kinds.tolist())), "all"])
        counted = np.ones(plan.n_villages, dtype=bool) if kind == "all" else kinds == kind
        order = plan_rollout_order(
            plan,
            policy=ro.policy,
            initially_connected=ro.initially_connected,
            capex_multiplier=ro.capex_multiplier.value,
            function=fn,
        )
        starts = (0, *(p.start_month for p in ro.budget_phases))
        scales = (False, *(p.scale is not None for p in ro.budget_phases))
        return cls(
            order=order,
            base_cost=plan.capex[order.order],
            capex_multiplier=ro.capex_multiplier.value,
            counted=counted,
            phase_starts=starts,
            phase_scales=scales,
            n_months=prepared.n_months,
        )

    def funding_months(self, months: NDArray[np.int64]) -> int:
        """Months of budget a simulation of counts up to ``months`` is funded over: at least the horizon."""
        return max(int(months.max()) + 1, self.n_months)

    @property
    def n_villages(self) -> int:
        """Villages in the region."""
        return self.order.n_villages

    @property
    def initial_count(self) -> int:
        """Counted villages connected at the start."""
        return int(np.count_nonzero(self.order.already_connected & self.counted))

    def budget_path(self, phase_values: Sequence[float], n_months: int) -> NDArray[np.float64]:
        """Money per month for the phases' values (amounts, or multiples of the previous phase). [currency/month]"""
        if len(phase_values) != len(self.phase_starts):
            raise ParameterError(
                "phase_values",
                f"needs one value per budget phase ({len(self.phase_starts)}), got {len(phase_values)}",
                function="RolloutModel.budget_path",
            )
        budget = np.empty(n_months)
        amount = 0.0
        for start, scaled, value in zip(self.phase_starts, self.phase_scales, phase_values, strict=True):
            amount = amount * value if scaled else value
            budget[min(start, n_months) :] = amount
        return budget

    def connection_months(
        self,
        budget: NDArray[np.float64],
        readiness_months: float,
        cost_spread: float,
        uniforms: NDArray[np.float64],
        normals: NDArray[np.float64],
    ) -> NDArray[np.int64]:
        """Connection month of every village in every simulation, shape (n_sims, n_villages) (NEVER: not funded).

        ``uniforms`` and ``normals`` (n_sims, n_villages) are the villages'
        draws (:func:`~smartkampung.sim.tail.village_draws`).
        """
        o = self.order
        return self.to_villages(
            self._months(
                budget, readiness_months, cost_spread, standard_waits(uniforms[:, o.order]), normals[:, o.order]
            )
        )

    def _months(
        self,
        budget: NDArray[np.float64],
        readiness_months: float,
        cost_spread: float,
        waits: NDArray[np.float64],
        normals: NDArray[np.float64],
    ) -> NDArray[np.int64]:
        """Connection month of each position of the order, from standard waits and normals in order."""
        o = self.order
        n_sims = waits.shape[0]
        # The same products the ensemble's schedule step forms: cost x (multiplier x village multiplier).
        if cost_spread > 0:
            village = cost_multipliers(normals, cost_spread)
            cost = self.base_cost[None, :] * (self.capex_multiplier * village)
            funded = _funded_positions(o, cost, budget)
        else:
            one = _funded_positions(o, (self.base_cost * self.capex_multiplier)[None, :], budget)
            funded = np.broadcast_to(one, (n_sims, o.order.shape[0]))
        if readiness_months > 0:
            live = np.maximum(funded, np.floor(readiness_months * waits).astype(np.int64))
            return np.where(funded >= NEVER, NEVER, live)
        return np.array(funded)

    def counts(self, connection_months: NDArray[np.int64], months: ArrayLike) -> NDArray[np.int64]:
        """Counted villages connected by the end of each month, shape (n_sims, len(months)).

        ``connection_months`` is :meth:`connection_months`' result (n_sims, n_villages).
        """
        return self._counts(connection_months[:, self.order.order], months)

    def _counts(self, position_months: NDArray[np.int64], months: ArrayLike) -> NDArray[np.int64]:
        mm = np.asarray(months, dtype=np.int64)
        cm = position_months[:, self.counted[self.order.order]]
        out = (cm[:, :, None] <= mm[None, None, :]).sum(axis=1)
        return np.asarray(out + self.initial_count, dtype=np.int64)

    def to_villages(self, position_months: NDArray[np.int64]) -> NDArray[np.int64]:
        """Months per village (n_sims, n_villages) from months per position of the order."""
        months = np.zeros((position_months.shape[0], self.n_villages), dtype=np.int64)
        months[:, self.order.order] = position_months
        return months


def _kinds(prepared: PreparedScenario) -> NDArray[np.str_]:
    return np.asarray([v.kind.value for v in prepared.plan.region.villages], dtype=np.str_)


def _funded_positions(o: RolloutOrder, cost: NDArray[np.float64], budget: NDArray[np.float64]) -> NDArray[np.int64]:
    """Month each position is funded (strict order, carry-over), per row of ``cost`` (n_rows, m).

    The strict walk of :meth:`RolloutOrder.positions_months` with carry-over,
    for many cost rows at once. A village costing more than the whole
    horizon's budget is dropped with the villages below it, as there.
    """
    b_cum = np.cumsum(budget)
    bad = cost > float(np.sum(budget))
    if bad.any():
        bad = ancestor_reduce(o.parent_position, bad.T, np.logical_or)[0].T
    c_cum = np.cumsum(np.where(bad, 0.0, cost), axis=1)
    month = np.searchsorted(b_cum, c_cum, side="left").astype(np.int64)
    month[(month >= b_cum.shape[0]) | bad] = NEVER
    return month
