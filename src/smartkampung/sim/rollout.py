"""Budget-limited, month-by-month rollout of village connections along a fibre tree.

The numeric core takes plain arrays: a tree given by ``parent`` (one entry per
village, ``-1`` for a village linked straight to the backbone), a cost per
village connection, and a money budget per month (optionally also a build
capacity in km of link per month). A *policy* ranks the villages; the
scheduler turns that ranking into one precedence-consistent order (a village
never comes before its parent on the tree) and then walks that order month by
month, connecting what the money and build capacity allow.

Semantics
---------
Month ``t`` (0-based) is the ``t``-th month from the programme start. The
budget of month ``t`` can be spent in month ``t``; with ``carry_over=True``
whatever is not spent stays available in later months.

*Policy order.* A policy gives every village a priority value (higher =
sooner) and the order follows it without ever putting a child before its
parent (see :mod:`smartkampung.sim.policies`). The order does not depend on
the budget: :func:`rollout_order` computes it once as a :class:`RolloutOrder`,
which then schedules any number of budgets (calibration, ensembles).

*Strict order* (``strict=True``, the default). Each month the scheduler
connects villages in policy order until the next one is unaffordable (money or
build capacity), and does not skip ahead; the remainder is carried over (or
lost, with ``carry_over=False``). This makes the schedule monotone: more budget
(a larger scalar, or an elementwise larger series) or more build capacity never
delays any village, provided the same villages are dropped as unaffordable (see
below; with ``drop_unaffordable=False`` nothing is dropped and monotonicity is
unconditional).

*Greedy order* (``strict=False``). Each month the scheduler scans the whole
policy order once and connects every available village it can still afford,
skipping the ones it cannot (so cheap villages later in the order fill the
money left over). A village connected in a month makes its children available
later in the same scan. This uses the money better but is **not** monotone:
more budget can delay a village (money spent earlier on a village that was
unaffordable before).

*Unaffordable villages.* A village whose cost alone exceeds all the money
that can ever be available (with carry-over: the whole horizon's budget;
without: the largest single month's budget), or whose link alone exceeds all
the build capacity that can ever be available (same rule with
``carry_over_km``), is never connected. In strict mode it is removed from the
order together with the villages below it on the tree (precedence forces
those), so that it does not block everyone after it
(``drop_unaffordable=True``, the default). In greedy mode such villages are
simply skipped every month.

*Build capacity.* With ``carry_over_km=True`` unused capacity is carried
over, which is the same as saying that crews work through the order
continuously and a link longer than one month's capacity takes several months
(an optimistic model: crews idle for lack of money can catch up later). With
``carry_over_km=False`` each link must be built within one month's capacity and
unused capacity is lost.

*Already-connected villages* are free (no cost, no km) and are connected at the
start, in month 0, whatever the state of their parent (they were connected
before the plan, by whatever route). Their children are available from the
start. The precedence rule applies to the villages the schedule connects.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._arrays import ARRAY_EQ, readonly_array
from smartkampung._deprecation import renamed, renamed_arguments
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, as_int_array, as_vector, check_bool, check_int, check_shape
from smartkampung.sim._rollout_walks import NEVER, walk_greedy, walk_strict
from smartkampung.sim.policies import (
    POLICIES,
    PolicyInputs,
    PolicyName,
    Priority,
    check_already_connected,
    heap_order,
    policy_order,
    priority_key,
    without_connected_parents,
)
from smartkampung.sim.tree import check_tree

__all__ = [
    "NEVER",
    "POLICIES",
    "PolicyInputs",
    "PolicyName",
    "RolloutOrder",
    "RolloutSchedule",
    "policy_order",
    "rollout_order",
    "schedule",
]


@renamed("budget_idr", "spend_idr", "cumulative_spend_idr")
@attrs.frozen(repr=False)
class RolloutSchedule:
    """Result of :func:`schedule`: when each village is connected, and the money and km per month.

    Attributes
    ----------
    connection_month : ndarray of int64, shape (n_villages,)
        0-based month in which the village is connected. Already-connected
        villages have 0; villages not connected within the horizon have
        :data:`NEVER` (so ``connection_month >= n_months`` means "not within
        the horizon"). Use it directly as the start step of adoption. [month]
    already_connected : ndarray of bool, shape (n_villages,)
        Villages connected before the start (free).
    order : ndarray of int64, shape (n_ordered,)
        The policy order: every village not already connected, in the order
        the policy ranks them (precedence-consistent). Villages dropped as
        unaffordable keep their place here but are never connected.
    budget : ndarray of float64, shape (n_months,)
        Money made available in each month, in the programme's currency. [currency]
    spend : ndarray of float64, shape (n_months,)
        Money spent in each month. [currency]
    build_km_per_month : ndarray of float64, shape (n_months,)
        Build capacity made available in each month; ``inf`` when unlimited. [km]
    km_built : ndarray of float64, shape (n_months,)
        Link length built in each month; zeros when no ``link_km`` was given. [km]
    carry_over : bool
        Whether unspent money was carried to later months.
    carry_over_km : bool
        Whether unused build capacity was carried to later months.
    strict : bool
        Strict policy order (True) or greedy skip-ahead (False).
    policy : str
        The policy name, ``"array"`` for a given priority array or
        ``"callable"`` for a function.

    Notes
    -----
    The old names ``budget_idr``, ``spend_idr`` and ``cumulative_spend_idr``
    work until the next release, with a :class:`DeprecationWarning`.
    """

    connection_month: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    already_connected: NDArray[np.bool_] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    order: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    budget: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    spend: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    build_km_per_month: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    km_built: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    carry_over: bool = True
    carry_over_km: bool = True
    strict: bool = True
    policy: str = "population"

    def __repr__(self) -> str:
        connected = int(np.count_nonzero(self.connection_month < self.n_months))
        return (
            f"RolloutSchedule({self.n_villages} villages, {self.n_months} months, policy={self.policy!r}, "
            f"{'strict' if self.strict else 'greedy'}, {connected} connected within the horizon "
            f"({int(self.already_connected.sum())} at the start), spent {float(self.spend.sum()):.6g})"
        )

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return int(self.connection_month.shape[0])

    @property
    def n_months(self) -> int:
        """Length of the horizon. [month]"""
        return int(self.budget.shape[0])

    def with_readiness(self, ready_month: ArrayLike) -> RolloutSchedule:
        """The schedule when each village can go live no earlier than its office is ready.

        A funded village is connected in ``max(connection_month, ready_month)``;
        villages connected at the start, and those never funded, keep their
        month. The money is spent when a village is funded, as before, and a
        village's children hang from its link, not from its office.

        Parameters
        ----------
        ready_month : array_like of int, shape (n_villages,)
            Month from the start in which each village office is ready. [month]
        """
        fn = "RolloutSchedule.with_readiness"
        ready = as_int_array(ready_month, "ready_month", fn)
        check_shape(ready, (self.n_villages,), "ready_month", fn)
        keep = self.already_connected | (self.connection_month >= NEVER)
        month = np.where(keep, self.connection_month, np.maximum(self.connection_month, ready))
        return attrs.evolve(self, connection_month=month)

    @property
    def never_connected(self) -> NDArray[np.bool_]:
        """Villages not connected within the horizon, shape (n_villages,)."""
        return np.asarray(self.connection_month >= self.n_months)

    def is_connected_by(self, month: int) -> NDArray[np.bool_]:
        """Which villages are connected by the end of ``month``.

        Parameters
        ----------
        month : int
            0-based month; a negative month means "before the start", when
            only the already-connected villages are. [month]

        Returns
        -------
        ndarray of bool, shape (n_villages,)
        """
        month = check_int(month, "month", "RolloutSchedule.is_connected_by")
        return np.asarray((self.connection_month <= month) | self.already_connected)

    def connected_count(self, weights: ArrayLike | None = None) -> NDArray[Any]:
        """Villages (or their weight) connected by the end of each month.

        Parameters
        ----------
        weights : array_like, shape (n_villages,), optional
            A weight per village, e.g. households or population; finite.
            Without it each village counts 1.

        Returns
        -------
        ndarray, shape (n_months,)
            int64 counts without weights, float64 sums with them. Month ``t``
            includes the already-connected villages.
        """
        fn = "RolloutSchedule.connected_count"
        n, t = self.n_villages, self.n_months
        within = self.connection_month < t
        months = self.connection_month[within]
        if weights is None:
            return np.cumsum(np.bincount(months, minlength=t)[:t]).astype(np.int64)
        w = as_float_array(weights, "weights", fn)
        check_shape(w, (n,), "weights", fn)
        if not np.all(np.isfinite(w)):
            raise ParameterError("weights", "must be finite (found NaN or infinity)", function=fn)
        return np.cumsum(np.bincount(months, weights=w[within], minlength=t)[:t])

    @property
    def cumulative_spend(self) -> NDArray[np.float64]:
        """Money spent up to and including each month, shape (n_months,). [currency]"""
        return np.cumsum(self.spend)


# --------------------------------------------------------------------------- #
# The order (computed once) and the month-by-month walk
# --------------------------------------------------------------------------- #


@attrs.frozen(eq=False)
class RolloutOrder:
    """The part of a schedule that does not depend on the budget: the policy order and the costs in it.

    Build one with :func:`rollout_order`; then :meth:`schedule` (a full
    :class:`RolloutSchedule`) or :meth:`positions_months` (the month of each
    position only, for fitting) for any budget.

    Attributes
    ----------
    n_villages : int
        Villages in the tree.
    order : ndarray of int64, shape (m,)
        Villages not already connected, in policy order.
    cost : ndarray of float64, shape (m,)
        Their capital costs, in that order. [currency]
    km : ndarray of float64, shape (m,)
        Their link lengths in that order (zeros without ``link_km``). [km]
    parent_position : ndarray of int64, shape (m,)
        Position in ``order`` of each village's parent, -1 if it waits for none.
    has_km : bool
        Whether link lengths were given (needed for a build capacity).
    already_connected : ndarray of bool, shape (n_villages,)
        Villages connected before the start.
    policy : str
        The policy name, ``"array"`` or ``"callable"``.
    """

    n_villages: int
    order: NDArray[np.int64]
    cost: NDArray[np.float64]
    km: NDArray[np.float64]
    parent_position: NDArray[np.int64]
    has_km: bool
    already_connected: NDArray[np.bool_]
    policy: str

    def __repr__(self) -> str:
        return f"RolloutOrder({self.n_villages} villages, {self.order.shape[0]} to connect, policy={self.policy!r})"

    @renamed_arguments("capex_idr")
    def with_costs(self, capex: NDArray[np.float64]) -> RolloutOrder:
        """The same order with other capital costs per village (shape ``(n_villages,)``, checked). [currency]

        Only meaningful when the policy's order does not depend on the costs
        (:data:`~smartkampung.sim.policies.COST_FREE_POLICIES`), as when one
        plan is scheduled under many cost draws.
        """
        return attrs.evolve(self, cost=np.asarray(capex, dtype=np.float64)[self.order])

    def positions_months(
        self,
        budget: NDArray[np.float64],
        capacity: NDArray[np.float64] | None = None,
        *,
        carry_over: bool = True,
        carry_over_km: bool = True,
        strict: bool = True,
        drop_unaffordable: bool = True,
    ) -> NDArray[np.int64]:
        """Month in which each position of :attr:`order` is connected (:data:`NEVER` if not).

        ``budget`` (and ``capacity``) are checked float arrays of shape
        ``(n_months,)``; see :func:`schedule` for the other arguments.
        """
        if strict:
            return walk_strict(self, budget, capacity, carry_over, carry_over_km, drop_unaffordable)[0]
        return walk_greedy(self, budget, capacity, carry_over, carry_over_km)[0]

    def schedule(
        self,
        budget: NDArray[np.float64],
        capacity: NDArray[np.float64] | None = None,
        *,
        carry_over: bool = True,
        carry_over_km: bool = True,
        strict: bool = True,
        drop_unaffordable: bool = True,
    ) -> RolloutSchedule:
        """The full schedule for a checked budget (and capacity) per month; see :func:`schedule`."""
        if strict:
            month_pos, spend, built = walk_strict(self, budget, capacity, carry_over, carry_over_km, drop_unaffordable)
        else:
            month_pos, spend, built = walk_greedy(self, budget, capacity, carry_over, carry_over_km)
        month = np.zeros(self.n_villages, dtype=np.int64)
        month[self.order] = month_pos
        return RolloutSchedule(
            connection_month=month,
            already_connected=self.already_connected.copy(),
            order=self.order,
            budget=budget.copy(),
            spend=spend,
            build_km_per_month=(np.full(budget.shape[0], np.inf) if capacity is None else capacity.copy()),
            km_built=built,
            carry_over=carry_over,
            carry_over_km=carry_over_km,
            strict=strict,
            policy=self.policy,
        )


@renamed_arguments("capex_idr")
def rollout_order(
    parent: ArrayLike,
    capex: ArrayLike,
    *,
    priority: Priority = "population",
    population: ArrayLike | None = None,
    idm_composite: ArrayLike | None = None,
    link_km: ArrayLike | None = None,
    already_connected: ArrayLike | None = None,
    function: str = "rollout_order",
) -> RolloutOrder:
    """Check the tree and the per-village arrays and compute the policy order once.

    Parameters
    ----------
    parent, capex, priority, population, idm_composite, link_km, already_connected
        As in :func:`schedule`.
    function : str
        The public function to name in error messages.

    Returns
    -------
    RolloutOrder
    """
    fn = function
    par, depth = check_tree(parent, fn)
    n = par.shape[0]
    cost = as_vector(capex, n, "capex", fn, nonnegative=True)
    km = None if link_km is None else as_vector(link_km, n, "link_km", fn, nonnegative=True)
    pop = None if population is None else as_vector(population, n, "population", fn, nonnegative=True)
    idm = (
        None
        if idm_composite is None
        else as_vector(idm_composite, n, "idm_composite", fn, nonnegative=True, allow_nan=True)
    )
    done = check_already_connected(already_connected, n, fn)
    wpar = without_connected_parents(par, done)
    key, policy = priority_key(
        priority,
        parent=par,
        depth=depth,
        wparent=wpar,
        done=done,
        cost=cost,
        population=pop,
        idm_composite=idm,
        link_km=km,
        fn=fn,
    )
    order = heap_order(wpar, key, ~done)
    pos = np.full(n, -1, dtype=np.int64)
    pos[order] = np.arange(order.shape[0])
    wp = wpar[order]
    ppos = np.where(wp >= 0, pos[np.maximum(wp, 0)], -1)
    return RolloutOrder(
        n_villages=n,
        order=order,
        cost=cost[order],
        km=(np.zeros(order.shape[0]) if km is None else km[order]),
        parent_position=ppos,
        has_km=km is not None,
        already_connected=done,
        policy=policy,
    )


@renamed_arguments("capex_idr", "budget_idr_per_month")
def schedule(
    parent: ArrayLike,
    capex: ArrayLike,
    *,
    budget_per_month: ArrayLike,
    n_months: int,
    priority: Priority = "population",
    population: ArrayLike | None = None,
    idm_composite: ArrayLike | None = None,
    link_km: ArrayLike | None = None,
    build_km_per_month: ArrayLike | None = None,
    already_connected: ArrayLike | None = None,
    carry_over: bool = True,
    carry_over_km: bool | None = None,
    strict: bool = True,
    drop_unaffordable: bool = True,
) -> RolloutSchedule:
    """Schedule village connections month by month under a budget.

    See the module docstring for the exact semantics (policy order, strict
    and greedy walks, carry-over, unaffordable villages).

    Parameters
    ----------
    parent : array_like of int, shape (n_villages,)
        Parent of each village on the fibre tree; ``-1`` means the village
        links straight to the backbone (always available). Must be a forest.
    capex : array_like of float, shape (n_villages,)
        Cost of connecting each village (its link and equipment), in the
        programme's currency; finite, >= 0. [currency]
    budget_per_month : float or array_like, shape (n_months,)
        Money made available each month, in the same currency; finite, >= 0. [currency/month]
    n_months : int
        Horizon, >= 1. [month]
    priority : str, array_like or callable, default "population"
        The policy ranking the villages (higher value = sooner, ties by lower
        index):

        - ``"population"``: largest ``population`` first.
        - ``"cost_effectiveness"``: largest ``subtree population / subtree
          capex`` first, both summed over the village and every
          not-yet-connected village below it on the tree (what its link
          unlocks); a zero subtree cost ranks first. [people/currency]
        - ``"least_developed"``: lowest ``idm_composite`` first; villages with
          unknown (NaN) IDM come after all known ones.
        - ``"nearest"``: shortest distance along the tree to the network at
          the start (the backbone or an already-connected village) first;
          needs ``link_km``.
        - an array of shape (n_villages,): the priority values themselves.
        - a callable receiving a :class:`PolicyInputs` and returning such an
          array.

        Priority values must be finite. The order always respects the tree.
    population : array_like, shape (n_villages,), optional
        People per village; needed by ``"population"`` and
        ``"cost_effectiveness"``. [people]
    idm_composite : array_like, shape (n_villages,), optional
        IDM composite score (NaN where unknown); needed by
        ``"least_developed"``. [0–1]
    link_km : array_like, shape (n_villages,), optional
        Length of each village's link to its parent or to the backbone; needed
        by ``"nearest"`` and by ``build_km_per_month``. [km]
    build_km_per_month : float or array_like, shape (n_months,), optional
        Build capacity; None means unlimited. Finite, >= 0. [km/month]
    already_connected : array_like, optional
        Boolean mask (n_villages,) or array of village indices connected
        before the start; they are free and get ``connection_month`` 0.
    carry_over : bool, default True
        Carry unspent money to later months.
    carry_over_km : bool, optional
        Carry unused build capacity to later months; defaults to
        ``carry_over``.
    strict : bool, default True
        Strict policy order (monotone in the budget) or greedy skip-ahead.
    drop_unaffordable : bool, default True
        In strict mode, remove villages that can never be afforded (and the
        villages below them) instead of letting them block the order.

    Returns
    -------
    RolloutSchedule

    Raises
    ------
    ParameterError
        On a malformed tree (index out of range, a cycle), wrong shapes,
        NaN or negative costs, budgets or capacities, ``n_months < 1``, an
        unknown policy name, a missing array a policy needs, a bad priority
        array or callable result, or ``build_km_per_month`` without
        ``link_km``; or an argument given by its new and its old name
        (``capex_idr``, ``budget_idr_per_month``: deprecated, they work until
        the next release with a :class:`DeprecationWarning`).

    Notes
    -----
    Cost: computing the order is O(n log n) (a heap; a plain sort when the
    priority already respects the tree, as for ``"nearest"``); the strict
    walk is O(n + n_months log n) (cumulative sums and ``searchsorted``); the
    greedy walk is O(n_months × n) in numpy plus one Python step per
    potentially affordable village per month.

    Examples
    --------
    >>> import numpy as np
    >>> s = schedule([-1, 0, 0], [10.0, 8.0, 5.0], budget_per_month=10.0,
    ...              n_months=3, population=[1, 3, 2])
    >>> s.connection_month.tolist()
    [0, 1, 2]
    """
    fn = "schedule"
    t_max = check_int(n_months, "n_months", fn, minimum=1)
    carry = check_bool(carry_over, "carry_over", fn)
    carry_km = carry if carry_over_km is None else check_bool(carry_over_km, "carry_over_km", fn)
    strict_b = check_bool(strict, "strict", fn)
    drop = check_bool(drop_unaffordable, "drop_unaffordable", fn)
    budget = per_month(budget_per_month, t_max, "budget_per_month", fn)
    capacity = None
    if build_km_per_month is not None:
        if link_km is None:
            raise ParameterError("link_km", "is required when build_km_per_month is given", function=fn)
        capacity = per_month(build_km_per_month, t_max, "build_km_per_month", fn)
    order = rollout_order(
        parent,
        capex,
        priority=priority,
        population=population,
        idm_composite=idm_composite,
        link_km=link_km,
        already_connected=already_connected,
        function=fn,
    )
    return order.schedule(
        budget, capacity, carry_over=carry, carry_over_km=carry_km, strict=strict_b, drop_unaffordable=drop
    )


def per_month(value: ArrayLike, n_months: int, name: str, function: str) -> NDArray[np.float64]:
    """A money budget or build capacity: a scalar or one value per month, finite and >= 0, as ``(n_months,)``."""
    return as_vector(value, n_months, name, function, scalar_ok=True, nonnegative=True)
