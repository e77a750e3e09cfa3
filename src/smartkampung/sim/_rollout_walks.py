"""The month-by-month walks of a rollout schedule along a policy order (see :mod:`smartkampung.sim.rollout`).

Each takes the order's costs and link lengths in policy order (an object
with the attributes of :class:`~smartkampung.sim.rollout.RolloutOrder`) and
returns the month of each position, the money spent and the km built per
month.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from smartkampung.sim.tree import ancestor_reduce

__all__ = ["NEVER", "walk_greedy", "walk_strict"]

NEVER: Final[int] = int(np.iinfo(np.int64).max // 2)
"""Sentinel ``connection_month`` of a village not connected within the horizon.

It equals ``2**62 - 1``: larger than any horizon, so code that treats
``start_step >= n_steps`` as "never" needs no special case, yet small enough
that adding a lag in months cannot overflow int64.
"""


def walk_strict(
    prep: Any,
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
            bad = ancestor_reduce(prep.parent_position, bad, np.logical_or)[0]
            keep = np.flatnonzero(~bad)
    c_cum = np.cumsum(cost[keep])
    b_cum = np.cumsum(budget)
    if carry_over and capacity is None:
        return _walk_strict_money(keep, m, c_cum, b_cum, np.cumsum(km[keep]))
    k_cum = np.cumsum(km[keep])
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


def _walk_strict_money(
    keep: NDArray[np.int64], m: int, c_cum: NDArray[np.float64], b_cum: NDArray[np.float64], k_cum: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """The strict walk with carry-over and no build capacity, without a loop over months.

    With carry-over the threshold of month ``t`` is the cumulative budget, so the
    number of kept positions connected by month ``t`` is
    ``J(t) = #{q : c_cum[q] <= b_cum[t]}``, and position ``q`` is connected in
    the first month with ``J(t) > q``. Spend and km per month are the same
    differences of cumulative sums the month-by-month walk forms, so the
    results are identical to it.
    """
    t_max = b_cum.shape[0]
    n_keep = keep.shape[0]
    connected = np.searchsorted(c_cum, b_cum, side="right")  # J(t), non-decreasing
    month_kept = np.searchsorted(connected, np.arange(n_keep), side="right").astype(np.int64)
    month_kept[month_kept >= t_max] = NEVER
    spend = np.zeros(t_max)
    built = np.zeros(t_max)
    previous = np.concatenate(([0], connected[:-1]))
    grew = np.flatnonzero(connected > previous)
    if grew.size:
        last, first = connected[grew] - 1, previous[grew]
        c_prev = np.where(first > 0, c_cum[np.maximum(first - 1, 0)], 0.0)
        spend[grew] = c_cum[last] - c_prev
        built[grew] = k_cum[last] - np.where(first > 0, k_cum[np.maximum(first - 1, 0)], 0.0)
    month_pos = np.full(m, NEVER, dtype=np.int64)
    month_pos[keep] = month_kept
    return month_pos, spend, built


def walk_greedy(
    prep: Any, budget: NDArray[np.float64], capacity: NDArray[np.float64] | None, carry_over: bool, carry_over_km: bool
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Month of each ordered position, spend and km per month; greedy skip-ahead."""
    t_max = budget.shape[0]
    m = prep.order.shape[0]
    cost, km, ppos = prep.cost, prep.km, prep.parent_position
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
            pot_full[lo + 1 :] = pot
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
