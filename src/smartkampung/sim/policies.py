"""Rollout policies: the order in which villages are connected.

A *policy* gives every village a priority (higher = sooner). The order is
built with a heap over the villages that are available (their parent is
already in the order, or they hang off the backbone or off an
already-connected village): repeatedly take the available village with the
highest priority, ties to the lowest index. So a child never comes before
its parent, and a high-priority village behind a low-priority link is reached
as soon as that link is.

The built-in policies are named in :data:`POLICIES`; a priority array or a
function of :class:`PolicyInputs` can stand in for any of them.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any, Final, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung import _defaults
from smartkampung._arrays import ARRAY_EQ, ARRAY_EQ_NAN, readonly_array
from smartkampung._deprecation import renamed
from smartkampung._errors import ParameterError
from smartkampung._validation import as_int_array, as_vector, check_shape
from smartkampung.sim.tree import ancestor_reduce, check_tree, subtree_sums

__all__ = ["COST_FREE_POLICIES", "POLICIES", "PolicyInputs", "PolicyName", "Priority", "policy_order"]

POLICIES: Final[tuple[str, ...]] = _defaults.POLICIES
#: Built-in policies whose order does not depend on the villages' costs, so one
#: order serves every cost draw (see :meth:`~smartkampung.sim.rollout.RolloutOrder.with_costs`).
COST_FREE_POLICIES: Final[tuple[str, ...]] = ("population", "least_developed", "nearest")
"""Names accepted by ``priority=`` (a callable or an array is also accepted)."""

PolicyName = Literal["population", "cost_effectiveness", "least_developed", "nearest"]


def _readonly_opt(arr: NDArray[Any] | None) -> NDArray[Any] | None:
    return None if arr is None else readonly_array(arr)


@renamed("capex_idr", "subtree_capex_idr")
@attrs.frozen
class PolicyInputs:
    """The per-village arrays a priority callable receives.

    All arrays have shape ``(n_villages,)`` and are read-only. Optional
    inputs that were not given to :func:`~smartkampung.sim.rollout.schedule` are ``None``.

    Attributes
    ----------
    parent : ndarray of int64
        Parent village on the tree, ``-1`` for a link to the backbone.
    capex : ndarray of float64
        Cost of connecting each village, in the programme's currency. [currency]
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
    subtree_capex : ndarray of float64
        Cost of the village and of every not-yet-connected village below it. [currency]

    Notes
    -----
    The old names ``capex_idr`` and ``subtree_capex_idr`` work until the
    next release, with a :class:`DeprecationWarning`.
    """

    parent: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    capex: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    already_connected: NDArray[np.bool_] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    depth: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    link_km: NDArray[np.float64] | None = attrs.field(eq=ARRAY_EQ_NAN, converter=_readonly_opt)
    backbone_km: NDArray[np.float64] | None = attrs.field(eq=ARRAY_EQ_NAN, converter=_readonly_opt)
    population: NDArray[np.float64] | None = attrs.field(eq=ARRAY_EQ_NAN, converter=_readonly_opt)
    idm_composite: NDArray[np.float64] | None = attrs.field(eq=ARRAY_EQ_NAN, converter=_readonly_opt)
    subtree_population: NDArray[np.float64] | None = attrs.field(eq=ARRAY_EQ_NAN, converter=_readonly_opt)
    subtree_capex: NDArray[np.float64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return int(self.parent.shape[0])


#: What ``priority=`` accepts: a policy name, a priority per village, or a function of :class:`PolicyInputs`.
Priority = PolicyName | str | ArrayLike | Callable[[PolicyInputs], ArrayLike]


def policy_order(
    parent: ArrayLike, priority: ArrayLike, *, already_connected: ArrayLike | None = None
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
    par, _ = check_tree(parent, fn)
    n = par.shape[0]
    key = as_vector(priority, n, "priority", fn)
    done = check_already_connected(already_connected, n, fn)
    return heap_order(without_connected_parents(par, done), key, ~done)


def check_already_connected(value: Any, n: int, fn: str) -> NDArray[np.bool_]:
    """A boolean mask or an array of village indices as a mask of shape (n,)."""
    if value is None:
        return np.zeros(n, dtype=bool)
    raw = np.asarray(value)
    if raw.dtype == bool:
        check_shape(raw, (n,), "already_connected", fn)
        return raw.copy()
    idx = as_int_array(raw, "already_connected", fn)
    if idx.ndim != 1:
        raise ParameterError(
            "already_connected",
            f"must be a boolean mask of shape ({n},) or a 1-D array of village indices",
            function=fn,
        )
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ParameterError("already_connected", f"indices must lie in [0, {n - 1}]", function=fn)
    mask = np.zeros(n, dtype=bool)
    mask[idx] = True
    return mask


def without_connected_parents(parent: NDArray[np.int64], done: NDArray[np.bool_]) -> NDArray[np.int64]:
    """The parent array with links to already-connected villages cut (-1): they are the network now."""
    return np.where((parent >= 0) & done[np.maximum(parent, 0)], -1, parent)


def priority_key(
    priority: Priority,
    *,
    parent: NDArray[np.int64],
    depth: NDArray[np.int64],
    wparent: NDArray[np.int64],
    done: NDArray[np.bool_],
    cost: NDArray[np.float64],
    population: NDArray[np.float64] | None,
    idm_composite: NDArray[np.float64] | None,
    link_km: NDArray[np.float64] | None,
    fn: str,
) -> tuple[NDArray[np.float64], str]:
    """The priority of every village under a policy, and the policy's name.

    ``wparent`` is ``parent`` with links to already-connected villages cut
    (:func:`without_connected_parents`); the arrays were checked by the caller.
    """
    n = parent.shape[0]
    active = ~done

    def need(arr: NDArray[np.float64] | None, name: str, policy: str) -> NDArray[np.float64]:
        if arr is None:
            raise ParameterError(name, f"is required by priority={policy!r}", function=fn)
        return arr

    def subtree(values: NDArray[np.float64]) -> NDArray[np.float64]:
        topo = np.argsort(depth, kind="stable")
        return subtree_sums(wparent, topo, np.where(active, values, 0.0))

    def backbone_km(k: NDArray[np.float64]) -> NDArray[np.float64]:
        acc: NDArray[np.float64] = ancestor_reduce(wparent, np.where(active, k, 0.0), np.add)[0]
        return acc

    if isinstance(priority, str):
        if priority == "population":
            return need(population, "population", priority).astype(np.float64), priority
        if priority == "cost_effectiveness":
            sub_pop = subtree(need(population, "population", priority))
            sub_cost = subtree(cost)
            with np.errstate(divide="ignore", invalid="ignore"):
                key = np.where(sub_cost > 0, sub_pop / np.where(sub_cost > 0, sub_cost, 1.0), np.inf)
            return key, priority
        if priority == "least_developed":
            score = need(idm_composite, "idm_composite", priority)
            return np.where(np.isnan(score), -np.inf, -score), priority
        if priority == "nearest":
            return -backbone_km(need(link_km, "link_km", priority)), priority
        raise ParameterError(
            "priority",
            f"unknown policy {priority!r}; valid names are "
            f"{', '.join(repr(p) for p in POLICIES)}, or pass a priority "
            "array or a callable",
            function=fn,
        )
    if callable(priority):
        inputs = PolicyInputs(
            parent=parent,
            capex=cost,
            already_connected=done,
            depth=depth,
            link_km=link_km,
            backbone_km=None if link_km is None else backbone_km(link_km),
            population=population,
            idm_composite=idm_composite,
            subtree_population=None if population is None else subtree(population),
            subtree_capex=subtree(cost),
        )
        return as_vector(priority(inputs), n, "priority", fn), "callable"
    return as_vector(priority, n, "priority", fn), "array"


def heap_order(wparent: NDArray[np.int64], key: NDArray[np.float64], active: NDArray[np.bool_]) -> NDArray[np.int64]:
    """The policy order of the ``active`` villages (see the module notes); ``O(n log n)``."""
    n = wparent.shape[0]
    nodes = np.flatnonzero(active)
    sorted_nodes = nodes[np.argsort(-key[nodes], kind="stable")]
    rank = np.empty(n, dtype=np.int64)
    rank[sorted_nodes] = np.arange(sorted_nodes.shape[0])
    child = nodes[wparent[nodes] >= 0]
    # Fast path: the plain ranking already puts every parent before its children
    # (e.g. "nearest"); then the heap would pop exactly this sequence.
    if np.all(rank[wparent[child]] < rank[child]):
        return sorted_nodes.astype(np.int64)
    ch = child[np.argsort(wparent[child], kind="stable")]
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(wparent[ch], minlength=n), out=starts[1:])
    ch_rank: list[int] = rank[ch].tolist()
    st: list[int] = starts.tolist()
    by_rank: list[int] = sorted_nodes.tolist()
    heap: list[int] = np.sort(rank[nodes[wparent[nodes] < 0]]).tolist()
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
