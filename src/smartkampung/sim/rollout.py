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
sooner). The order is built with a heap over the villages that are currently
available (their parent is already in the order, or they hang off the
backbone or off an already-connected village): repeatedly take the available
village with the highest priority (ties: lowest index). So a child is never
ordered before its parent, and a high-priority village behind a low-priority
link is reached as soon as that link is.

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

import heapq
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._arrays import ARRAY_EQ, ARRAY_EQ_NAN, readonly_array
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, as_int_array, check_nonnegative, check_shape

if TYPE_CHECKING:
    from smartkampung.model import VillageColumns

__all__ = [
    "NEVER",
    "POLICIES",
    "PolicyInputs",
    "RolloutSchedule",
    "policy_order",
    "schedule",
    "schedule_columns",
]

NEVER: Final[int] = int(np.iinfo(np.int64).max // 2)
"""Sentinel ``connection_month`` of a village not connected within the horizon.

It equals ``2**62 - 1``: larger than any horizon, so code that treats
``start_step >= n_steps`` as "never" needs no special case, yet small enough
that adding a lag in months cannot overflow int64.
"""

POLICIES: Final[tuple[str, ...]] = ("population", "cost_effectiveness", "least_developed", "nearest")
"""Names accepted by ``priority=`` (a callable or an array is also accepted)."""

PolicyName = Literal["population", "cost_effectiveness", "least_developed", "nearest"]


def _readonly_opt(arr: NDArray[Any] | None) -> NDArray[Any] | None:
    return None if arr is None else readonly_array(arr)


@attrs.frozen
class PolicyInputs:
    """The per-village arrays a priority callable receives.

    All arrays have shape ``(n_villages,)`` and are read-only. Optional
    inputs that were not given to :func:`schedule` are ``None``.

    Attributes
    ----------
    parent : ndarray of int64
        Parent village on the tree, ``-1`` for a link to the backbone.
    capex_idr : ndarray of float64
        Cost of connecting each village. [IDR]
    already_connected : ndarray of bool
        Villages connected before the start.
    depth : ndarray of int64
        Number of links between the village and the backbone (1 for a village
        whose parent is ``-1``). [links]
    link_km : ndarray of float64 or None
        Length of each village's link to its parent (or to the backbone). [km]
    backbone_km : ndarray of float64 or None
        Length along the tree from the village to the network as it stands at
        the start (the backbone or an already-connected village), its own link
        included; 0 for already-connected villages. [km]
    population : ndarray of float64 or None
        People per village. [people]
    idm_composite : ndarray of float64 or None
        IDM composite score, NaN where unknown. [0–1]
    subtree_population : ndarray of float64 or None
        Population of the village and of every not-yet-connected village below
        it whose connection depends on it. [people]
    subtree_capex_idr : ndarray of float64
        Cost of the village and of every not-yet-connected village below it. [IDR]
    """

    parent: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    capex_idr: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    already_connected: NDArray[np.bool_] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    depth: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    link_km: NDArray[np.float64] | None = attrs.field(eq=ARRAY_EQ_NAN, converter=_readonly_opt)
    backbone_km: NDArray[np.float64] | None = attrs.field(eq=ARRAY_EQ_NAN, converter=_readonly_opt)
    population: NDArray[np.float64] | None = attrs.field(eq=ARRAY_EQ_NAN, converter=_readonly_opt)
    idm_composite: NDArray[np.float64] | None = attrs.field(eq=ARRAY_EQ_NAN, converter=_readonly_opt)
    subtree_population: NDArray[np.float64] | None = attrs.field(eq=ARRAY_EQ_NAN, converter=_readonly_opt)
    subtree_capex_idr: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return int(self.parent.shape[0])


@attrs.frozen
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
    budget_idr : ndarray of float64, shape (n_months,)
        Money made available in each month. [IDR]
    spend_idr : ndarray of float64, shape (n_months,)
        Money spent in each month. [IDR]
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
    """

    connection_month: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    already_connected: NDArray[np.bool_] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    order: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    budget_idr: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    spend_idr: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    build_km_per_month: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    km_built: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    carry_over: bool = True
    carry_over_km: bool = True
    strict: bool = True
    policy: str = "population"

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return int(self.connection_month.shape[0])

    @property
    def n_months(self) -> int:
        """Length of the horizon. [month]"""
        return int(self.budget_idr.shape[0])

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
        if isinstance(month, bool) or not isinstance(month, int | np.integer):
            raise ParameterError("month", f"must be an integer, got {month!r}",
                                 function="RolloutSchedule.is_connected_by")
        return np.asarray((self.connection_month <= int(month)) | self.already_connected)

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
    def cumulative_spend_idr(self) -> NDArray[np.float64]:
        """Money spent up to and including each month, shape (n_months,). [IDR]"""
        return np.cumsum(self.spend_idr)


# --------------------------------------------------------------------------- #
# Tree helpers (vectorised)
# --------------------------------------------------------------------------- #


def _ancestor_reduce(
    parent: NDArray[np.int64], values: NDArray[Any], ufunc: np.ufunc
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Reduce *values* along each village's path to its root by pointer jumping.

    Returns ``(acc, anc)`` where ``acc[i] = ufunc.reduce(values on the path
    from i to its root, i included)`` and ``anc`` is all -1 for a forest; an
    entry still >= 0 after ``ceil(log2 n) + 2`` rounds marks a cycle.
    O(n log depth), fully vectorised.
    """
    acc = values.copy()
    anc = parent.copy()
    n = parent.shape[0]
    rounds = int(np.ceil(np.log2(max(n, 2)))) + 2
    idx = np.flatnonzero(anc >= 0)
    for _ in range(rounds):
        if idx.size == 0:
            break
        a = anc[idx]
        acc[idx] = ufunc(acc[idx], acc[a])
        anc[idx] = anc[a]
        idx = idx[anc[idx] >= 0]
    return acc, anc


def _check_tree(parent_in: ArrayLike, function: str) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Validate ``parent``; return it and the depth of each village (links to the backbone)."""
    parent = as_int_array(parent_in, "parent", function)
    if parent.ndim != 1:
        raise ParameterError("parent", f"must be one-dimensional, got shape {parent.shape}",
                             function=function)
    n = parent.shape[0]
    if n and (parent.min() < -1 or parent.max() >= n):
        bad = int(np.flatnonzero((parent < -1) | (parent >= n))[0])
        raise ParameterError(
            "parent", f"entries must be -1 (backbone) or a village index in [0, {n - 1}]; "
            f"village {bad} has parent {int(parent[bad])}", function=function)
    depth, anc = _ancestor_reduce(parent, np.ones(n, dtype=np.int64), np.add)
    if np.any(anc >= 0):
        bad = int(np.flatnonzero(anc >= 0)[0])
        raise ParameterError("parent", f"contains a cycle (village {bad} never reaches the "
                             "backbone); it must describe a tree or forest", function=function)
    return parent, depth


def _subtree_sums(
    wparent: NDArray[np.int64], topo: NDArray[np.int64], values: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Sum of *values* over each village's subtree (bottom-up over a topological order)."""
    s = values.astype(np.float64).tolist()
    par = wparent.tolist()
    for i in reversed(topo.tolist()):
        p = par[i]
        if p >= 0:
            s[p] += s[i]
    return np.asarray(s, dtype=np.float64)


def policy_order(
    parent: ArrayLike,
    priority: ArrayLike,
    *,
    already_connected: ArrayLike | None = None,
) -> NDArray[np.int64]:
    """The precedence-consistent order a priority array defines.

    Repeatedly take, among the villages whose parent is already taken (or is
    the backbone, or an already-connected village), the one with the highest
    priority; ties go to the lowest index. O(n log n).

    Parameters
    ----------
    parent : array_like of int, shape (n_villages,)
        Parent village on the tree, ``-1`` for the backbone.
    priority : array_like of float, shape (n_villages,)
        Higher = sooner; finite.
    already_connected : array_like, optional
        Boolean mask of shape (n_villages,) or an array of village indices;
        these villages are left out of the order.

    Returns
    -------
    ndarray of int64, shape (n_ordered,)
        Village indices, every village not already connected exactly once, a
        parent always before its children.
    """
    fn = "policy_order"
    par, _ = _check_tree(parent, fn)
    n = par.shape[0]
    key = _check_priority_array(priority, n, fn)
    done = _check_already(already_connected, n, fn)
    wpar = np.where((par >= 0) & done[np.maximum(par, 0)], -1, par)
    return _heap_order(wpar, key, ~done)


def _heap_order(
    wpar: NDArray[np.int64], key: NDArray[np.float64], active: NDArray[np.bool_]
) -> NDArray[np.int64]:
    n = wpar.shape[0]
    nodes = np.flatnonzero(active)
    sorted_nodes = nodes[np.argsort(-key[nodes], kind="stable")]
    rank = np.empty(n, dtype=np.int64)
    rank[sorted_nodes] = np.arange(sorted_nodes.shape[0])
    child = nodes[wpar[nodes] >= 0]
    # Fast path: the plain ranking already puts every parent before its children
    # (e.g. "nearest"); then the heap would pop exactly this sequence.
    if np.all(rank[wpar[child]] < rank[child]):
        return sorted_nodes.astype(np.int64)
    ch = child[np.argsort(wpar[child], kind="stable")]
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(wpar[ch], minlength=n), out=starts[1:])
    ch_rank: list[int] = rank[ch].tolist()
    st: list[int] = starts.tolist()
    by_rank: list[int] = sorted_nodes.tolist()
    heap: list[int] = np.sort(rank[nodes[wpar[nodes] < 0]]).tolist()
    out: list[int] = []
    push, pop, append = heapq.heappush, heapq.heappop, out.append
    while heap:
        v = by_rank[pop(heap)]
        append(v)
        a, b = st[v], st[v + 1]
        if b > a:
            for r in ch_rank[a:b]:
                push(heap, r)
    return np.asarray(out, dtype=np.int64)


# --------------------------------------------------------------------------- #
# Argument checks
# --------------------------------------------------------------------------- #


def _check_priority_array(value: Any, n: int, fn: str, name: str = "priority") -> NDArray[np.float64]:
    arr = as_float_array(value, name, fn)
    check_shape(arr, (n,), name, fn)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, "must be finite (found NaN or infinity)", function=fn)
    return arr


def _check_already(value: Any, n: int, fn: str) -> NDArray[np.bool_]:
    if value is None:
        return np.zeros(n, dtype=bool)
    raw = np.asarray(value)
    if raw.dtype == bool:
        check_shape(raw, (n,), "already_connected", fn)
        return raw.copy()
    idx = as_int_array(raw, "already_connected", fn)
    if idx.ndim != 1:
        raise ParameterError("already_connected", "must be a boolean mask of shape "
                             f"({n},) or a 1-D array of village indices", function=fn)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ParameterError("already_connected", f"indices must lie in [0, {n - 1}]", function=fn)
    mask = np.zeros(n, dtype=bool)
    mask[idx] = True
    return mask


def _per_village(value: Any, n: int, name: str, fn: str, *, allow_nan: bool = False
                 ) -> NDArray[np.float64]:
    arr = as_float_array(value, name, fn)
    check_shape(arr, (n,), name, fn)
    finite = np.isfinite(arr) | (np.isnan(arr) if allow_nan else False)
    if not np.all(finite):
        raise ParameterError(name, "must be finite (found NaN or infinity)", function=fn)
    if np.nanmin(arr, initial=0.0) < 0:
        raise ParameterError(name, f"must be >= 0 (minimum is {np.nanmin(arr)!r})", function=fn)
    return arr


def _per_month(value: Any, n_months: int, name: str, fn: str) -> NDArray[np.float64]:
    arr = as_float_array(value, name, fn)
    if arr.ndim == 0:
        arr = np.full(n_months, float(arr))
    check_shape(arr, (n_months,), name, fn)
    check_nonnegative(arr, name, fn)
    return arr


def _check_bool(value: Any, name: str, fn: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ParameterError(name, f"must be True or False, got {value!r}", function=fn)
    return bool(value)


# --------------------------------------------------------------------------- #
# The prepared problem (order computed once) and the month-by-month walk
# --------------------------------------------------------------------------- #


@attrs.frozen
class _Prepared:
    """Everything that does not depend on the budget: the order and costs in order."""

    n: int
    order: NDArray[np.int64]  # (m,) villages in policy order
    cost: NDArray[np.float64]  # (m,) capex in order
    km: NDArray[np.float64]  # (m,) link km in order (zeros without link_km)
    ppos: NDArray[np.int64]  # (m,) position of the parent in the order, -1 if none to wait for
    has_km: bool
    already: NDArray[np.bool_]
    policy: str


def _prepare(
    parent: ArrayLike,
    capex_idr: ArrayLike,
    *,
    priority: PolicyName | ArrayLike | Callable[[PolicyInputs], ArrayLike],
    population: ArrayLike | None,
    idm_composite: ArrayLike | None,
    link_km: ArrayLike | None,
    already_connected: ArrayLike | None,
    fn: str,
) -> _Prepared:
    par, depth = _check_tree(parent, fn)
    n = par.shape[0]
    cost = _per_village(capex_idr, n, "capex_idr", fn)
    km = None if link_km is None else _per_village(link_km, n, "link_km", fn)
    pop = None if population is None else _per_village(population, n, "population", fn)
    idm = None if idm_composite is None else _per_village(idm_composite, n, "idm_composite", fn,
                                                          allow_nan=True)
    done = _check_already(already_connected, n, fn)
    active = ~done
    wpar = np.where((par >= 0) & done[np.maximum(par, 0)], -1, par)

    def need(arr: NDArray[np.float64] | None, name: str, policy: str) -> NDArray[np.float64]:
        if arr is None:
            raise ParameterError(name, f"is required by priority={policy!r}", function=fn)
        return arr

    def subtree(values: NDArray[np.float64]) -> NDArray[np.float64]:
        topo = np.argsort(depth, kind="stable")
        return _subtree_sums(wpar, topo, np.where(active, values, 0.0))

    def backbone_km(k: NDArray[np.float64]) -> NDArray[np.float64]:
        return _ancestor_reduce(wpar, np.where(active, k, 0.0), np.add)[0]

    policy: str
    if isinstance(priority, str):
        policy = priority
        if priority == "population":
            key = need(pop, "population", priority).astype(np.float64)
        elif priority == "cost_effectiveness":
            sub_pop = subtree(need(pop, "population", priority))
            sub_cost = subtree(cost)
            with np.errstate(divide="ignore", invalid="ignore"):
                key = np.where(sub_cost > 0, sub_pop / np.where(sub_cost > 0, sub_cost, 1.0), np.inf)
        elif priority == "least_developed":
            score = need(idm, "idm_composite", priority)
            key = np.where(np.isnan(score), -np.inf, -score)
        elif priority == "nearest":
            key = -backbone_km(need(km, "link_km", priority))
        else:
            raise ParameterError("priority", f"unknown policy {priority!r}; valid names are "
                                 f"{', '.join(repr(p) for p in POLICIES)}, or pass a priority "
                                 "array or a callable", function=fn)
    elif callable(priority):
        policy = "callable"
        inputs = PolicyInputs(
            parent=par, capex_idr=cost, already_connected=done, depth=depth, link_km=km,
            backbone_km=None if km is None else backbone_km(km),
            population=pop, idm_composite=idm,
            subtree_population=None if pop is None else subtree(pop),
            subtree_capex_idr=subtree(cost),
        )
        key = _check_priority_array(priority(inputs), n, fn)
    else:
        policy = "array"
        key = _check_priority_array(priority, n, fn)

    order = _heap_order(wpar, key, active)
    pos = np.full(n, -1, dtype=np.int64)
    pos[order] = np.arange(order.shape[0])
    wp = wpar[order]
    ppos = np.where(wp >= 0, pos[np.maximum(wp, 0)], -1)
    return _Prepared(
        n=n, order=order, cost=cost[order], km=(np.zeros(order.shape[0]) if km is None
                                                else km[order]),
        ppos=ppos, has_km=km is not None, already=done, policy=policy,
    )


def _walk_strict(
    prep: _Prepared,
    budget: NDArray[np.float64],
    capacity: NDArray[np.float64] | None,
    carry_over: bool,
    carry_over_km: bool,
    drop_unaffordable: bool,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Month of each ordered position, spend and km per month; strict order."""
    t_max = budget.shape[0]
    m = prep.order.shape[0]
    cost, km = prep.cost, prep.km
    keep = np.arange(m)
    if drop_unaffordable and m:
        ever_money = float(np.sum(budget)) if carry_over else float(np.max(budget))
        bad = cost > ever_money
        if capacity is not None:
            ever_km = float(np.sum(capacity)) if carry_over_km else float(np.max(capacity))
            bad |= km > ever_km
        if bad.any():
            bad = _ancestor_reduce(prep.ppos, bad, np.logical_or)[0]
            keep = np.flatnonzero(~bad)
    c_cum = np.cumsum(cost[keep])
    k_cum = np.cumsum(km[keep])
    b_cum = np.cumsum(budget)
    cap_cum = None if capacity is None else np.cumsum(capacity)
    month_kept = np.full(keep.shape[0], NEVER, dtype=np.int64)
    spend = np.zeros(t_max)
    built = np.zeros(t_max)
    p = 0
    n_keep = keep.shape[0]
    for t in range(t_max):
        if p >= n_keep:
            break
        c_prev = c_cum[p - 1] if p else 0.0
        thr = b_cum[t] if carry_over else c_prev + budget[t]
        j = int(np.searchsorted(c_cum, thr, side="right"))
        if capacity is not None:
            k_prev = k_cum[p - 1] if p else 0.0
            assert cap_cum is not None
            kthr = cap_cum[t] if carry_over_km else k_prev + capacity[t]
            j = min(j, int(np.searchsorted(k_cum, kthr, side="right")))
        if j > p:
            month_kept[p:j] = t
            spend[t] = c_cum[j - 1] - c_prev
            built[t] = k_cum[j - 1] - (k_cum[p - 1] if p else 0.0)
            p = j
    month_pos = np.full(m, NEVER, dtype=np.int64)
    month_pos[keep] = month_kept
    return month_pos, spend, built


def _walk_greedy(
    prep: _Prepared,
    budget: NDArray[np.float64],
    capacity: NDArray[np.float64] | None,
    carry_over: bool,
    carry_over_km: bool,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Month of each ordered position, spend and km per month; greedy skip-ahead."""
    t_max = budget.shape[0]
    m = prep.order.shape[0]
    cost, km, ppos = prep.cost, prep.km, prep.ppos
    conn_buf = bytearray(m)
    conn = np.frombuffer(conn_buf, dtype=np.bool_)  # shared memory: numpy and Python views
    month_pos = np.full(m, NEVER, dtype=np.int64)
    spend = np.zeros(t_max)
    built = np.zeros(t_max)
    ppos_l: list[int] = ppos.tolist()
    cost_l: list[float] = cost.tolist()
    km_l: list[float] = km.tolist()
    money = 0.0
    room = 0.0
    lo = 0
    for t in range(t_max):
        money = money + budget[t] if carry_over else float(budget[t])
        if capacity is None:
            room = np.inf
        elif carry_over_km:
            room = room + capacity[t]
        else:
            room = float(capacity[t])
        spent = 0.0
        km_t = 0.0
        # 1. The contiguous walk from the first unconnected position: every
        #    unconnected village on it is available (its parent precedes it).
        rest = ~conn[lo:]
        c_cum = np.cumsum(np.where(rest, cost[lo:], 0.0))
        k_cum = np.cumsum(np.where(rest, km[lo:], 0.0))
        j = int(np.searchsorted(c_cum, money, side="right"))
        if capacity is not None:
            j = min(j, int(np.searchsorted(k_cum, room, side="right")))
        if j:
            taken = lo + np.flatnonzero(rest[:j])
            conn[taken] = True
            month_pos[taken] = t
            spent, km_t = float(c_cum[j - 1]), float(k_cum[j - 1])
            money -= spent
            room -= km_t
        lo += j
        # 2. Skip ahead: one scan over the later villages that could still be
        #    afforded and could be available this month.
        if lo < m:
            tail = slice(lo + 1, m)
            pot = ~conn[tail] & (cost[tail] <= money) & (km[tail] <= room)
            par_t = ppos[tail]
            pidx = np.maximum(par_t, 0)
            pot_full = np.zeros(m, dtype=bool)
            pot_full[lo + 1:] = pot
            pot &= (par_t < 0) | conn[pidx] | pot_full[pidx]
            for i in (lo + 1 + np.flatnonzero(pot)).tolist():
                c = cost_l[i]
                k = km_l[i]
                if c <= money and k <= room:
                    pp = ppos_l[i]
                    if pp < 0 or conn_buf[pp]:
                        conn_buf[i] = 1
                        month_pos[i] = t
                        money -= c
                        room -= k
                        spent += c
                        km_t += k
        spend[t] = spent
        built[t] = km_t
        # advance lo past connected positions
        if lo < m and conn[lo]:
            nz = np.flatnonzero(~conn[lo:])
            lo = m if nz.size == 0 else lo + int(nz[0])
    return month_pos, spend, built


def _run(
    prep: _Prepared,
    budget: NDArray[np.float64],
    capacity: NDArray[np.float64] | None,
    *,
    carry_over: bool,
    carry_over_km: bool,
    strict: bool,
    drop_unaffordable: bool,
) -> RolloutSchedule:
    if strict:
        month_pos, spend, built = _walk_strict(prep, budget, capacity, carry_over, carry_over_km,
                                               drop_unaffordable)
    else:
        month_pos, spend, built = _walk_greedy(prep, budget, capacity, carry_over, carry_over_km)
    month = np.zeros(prep.n, dtype=np.int64)
    month[prep.order] = month_pos
    return RolloutSchedule(
        connection_month=month,
        already_connected=prep.already.copy(),
        order=prep.order,
        budget_idr=budget.copy(),
        spend_idr=spend,
        build_km_per_month=(np.full(budget.shape[0], np.inf) if capacity is None
                            else capacity.copy()),
        km_built=built,
        carry_over=carry_over,
        carry_over_km=carry_over_km,
        strict=strict,
        policy=prep.policy,
    )


def _check_n_months(n_months: Any, fn: str) -> int:
    if isinstance(n_months, bool) or not isinstance(n_months, int | np.integer):
        raise ParameterError("n_months", f"must be an integer, got {n_months!r}", function=fn)
    if n_months < 1:
        raise ParameterError("n_months", f"must be >= 1, got {n_months}", function=fn)
    return int(n_months)


def schedule(
    parent: ArrayLike,
    capex_idr: ArrayLike,
    *,
    budget_idr_per_month: ArrayLike,
    n_months: int,
    priority: PolicyName | ArrayLike | Callable[[PolicyInputs], ArrayLike] = "population",
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
    capex_idr : array_like of float, shape (n_villages,)
        Cost of connecting each village (its link and equipment); finite,
        >= 0. [IDR]
    budget_idr_per_month : float or array_like, shape (n_months,)
        Money made available each month; finite, >= 0. [IDR/month]
    n_months : int
        Horizon, >= 1. [month]
    priority : str, array_like or callable, default "population"
        The policy ranking the villages (higher value = sooner, ties by lower
        index):

        - ``"population"``: largest ``population`` first.
        - ``"cost_effectiveness"``: largest ``subtree population / subtree
          capex`` first, both summed over the village and every
          not-yet-connected village below it on the tree (what its link
          unlocks); a zero subtree cost ranks first. [people/IDR]
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
        ``link_km``.

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
    >>> s = schedule([-1, 0, 0], [10.0, 8.0, 5.0], budget_idr_per_month=10.0,
    ...              n_months=3, population=[1, 3, 2])
    >>> s.connection_month.tolist()
    [0, 1, 2]
    """
    fn = "schedule"
    t_max = _check_n_months(n_months, fn)
    carry = _check_bool(carry_over, "carry_over", fn)
    carry_km = carry if carry_over_km is None else _check_bool(carry_over_km, "carry_over_km", fn)
    strict_b = _check_bool(strict, "strict", fn)
    drop = _check_bool(drop_unaffordable, "drop_unaffordable", fn)
    budget = _per_month(budget_idr_per_month, t_max, "budget_idr_per_month", fn)
    capacity = None
    if build_km_per_month is not None:
        if link_km is None:
            raise ParameterError("link_km", "is required when build_km_per_month is given",
                                 function=fn)
        capacity = _per_month(build_km_per_month, t_max, "build_km_per_month", fn)
    prep = _prepare(parent, capex_idr, priority=priority, population=population,
                    idm_composite=idm_composite, link_km=link_km,
                    already_connected=already_connected, fn=fn)
    return _run(prep, budget, capacity, carry_over=carry, carry_over_km=carry_km,
                strict=strict_b, drop_unaffordable=drop)


def schedule_columns(
    columns: VillageColumns,
    parent: ArrayLike,
    capex_idr: ArrayLike,
    **kwargs: Any,
) -> RolloutSchedule:
    """:func:`schedule` with population and IDM taken from a region's columns.

    Parameters
    ----------
    columns : VillageColumns
        From ``Region.to_columns()``; supplies ``population`` [people] and
        ``idm_composite`` [0–1] unless they are given in ``kwargs``.
    parent, capex_idr
        As in :func:`schedule`, one row per village of ``columns``.
    **kwargs
        Any other keyword of :func:`schedule` (``budget_idr_per_month`` and
        ``n_months`` are required).

    Returns
    -------
    RolloutSchedule
    """
    kwargs.setdefault("population", columns.population)
    kwargs.setdefault("idm_composite", columns.idm_composite)
    return schedule(parent, capex_idr, **kwargs)
