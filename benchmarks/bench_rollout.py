"""Benchmark: budget-limited rollout of 84,000 villages over 120 months.

A random tree (each village's parent is a random earlier village, or the
backbone with probability 2 %; indices then shuffled), lognormal costs, and a
constant budget that connects about 80 % of the villages within the horizon.
Each policy is scheduled in strict and greedy mode; times are the best of
``REPEATS`` runs. The reference is a plain Python loop walking the same
policy order village by village (strict, carry-over), so its ratio shows what
the cumulative-sum walk saves; the target is the design's "well under 1 s".

Run: ``python benchmarks/bench_rollout.py``
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from smartkampung.sim.rollout import NEVER, POLICIES, RolloutSchedule, rollout_order, schedule

N_VILLAGES = 84_000
N_MONTHS = 120
REPEATS = 3
TARGET_S = 1.0


def make_inputs(seed: int = 20160531) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    n = N_VILLAGES
    earlier = (rng.random(n) * np.arange(n)).astype(np.int64)
    topo_parent = np.where((np.arange(n) == 0) | (rng.random(n) < 0.02), -1, earlier)
    perm = rng.permutation(n)
    parent = np.full(n, -1, dtype=np.int64)
    parent[perm] = np.where(topo_parent < 0, -1, perm[np.maximum(topo_parent, 0)])
    cost = rng.lognormal(np.log(2.0e8), 0.8, n)  # illustrative assumption [IDR]
    return {
        "parent": parent,
        "capex": cost,
        "population": rng.integers(300, 10_000, n),
        "idm_composite": rng.uniform(0.45, 0.9, n),
        "link_km": rng.gamma(2.0, 3.0, n),
        "budget": 0.8 * cost.sum() / N_MONTHS,
    }


def best_time(fn: Callable[[], Any]) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def python_walk(order: np.ndarray, cost: np.ndarray, budget: float, n_months: int) -> np.ndarray:
    """Reference: strict order, carry-over, one village at a time in Python."""
    month = np.full(cost.shape[0], NEVER, dtype=np.int64)
    money, p = 0.0, 0
    order_l, cost_l = order.tolist(), cost.tolist()
    out = month.tolist()
    for t in range(n_months):
        money += budget
        while p < len(order_l) and cost_l[order_l[p]] <= money:
            money -= cost_l[order_l[p]]
            out[order_l[p]] = t
            p += 1
    return np.asarray(out, dtype=np.int64)


def main() -> None:
    d = make_inputs()
    data = {"population": d["population"], "idm_composite": d["idm_composite"], "link_km": d["link_km"]}
    print(f"rollout schedule: {N_VILLAGES:,} villages x {N_MONTHS} months (best of {REPEATS}; target < {TARGET_S:g} s)")
    header = (
        f"{'policy':<34} {'mode':<7} {'order [s]':>9} {'walk [s]':>9} {'total [s]':>9} "
        f"{'x target':>9} {'connected':>10}"
    )
    print(header)
    print("-" * len(header))
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for policy in POLICIES:
        rows.append((policy, "strict", {"priority": policy}))
        rows.append((policy, "greedy", {"priority": policy, "strict": False}))
    rows.append(("population, no carry-over", "strict", {"priority": "population", "carry_over": False}))
    rows.append(
        (
            "population, build km/month",
            "strict",
            {"priority": "population", "build_km_per_month": d["link_km"].sum() / 150},
        )
    )
    walk_pop = 0.0
    pop_schedule: RolloutSchedule | None = None
    for label, mode, kw in rows:
        kw = dict(kw)
        strict = kw.pop("strict", True)
        carry = kw.pop("carry_over", True)
        cap = kw.pop("build_km_per_month", None)
        budget = np.full(N_MONTHS, d["budget"])
        capacity = None if cap is None else np.full(N_MONTHS, cap)

        def run_public(
            kw: dict[str, Any] = kw, strict: bool = strict, carry: bool = carry, cap: float | None = cap
        ) -> RolloutSchedule:
            return schedule(
                d["parent"],
                d["capex"],
                budget_per_month=d["budget"],
                n_months=N_MONTHS,
                strict=strict,
                carry_over=carry,
                build_km_per_month=cap,
                **data,
                **kw,
            )

        def run_order(kw: dict[str, Any] = kw) -> Any:
            return rollout_order(
                d["parent"], d["capex"], priority=kw["priority"], already_connected=None, function="bench", **data
            )

        t_total, s = best_time(run_public)
        t_order, prep = best_time(run_order)

        def run_walk(
            prep: Any = prep,
            budget: np.ndarray = budget,
            capacity: np.ndarray | None = capacity,
            strict: bool = strict,
            carry: bool = carry,
        ) -> RolloutSchedule:
            return prep.schedule(
                budget, capacity, carry_over=carry, carry_over_km=carry, strict=strict, drop_unaffordable=True
            )

        t_walk, _ = best_time(run_walk)
        if label == "population" and mode == "strict":
            walk_pop = t_walk
            pop_schedule = s
        print(
            f"{label:<34} {mode:<7} {t_order:9.3f} {t_walk:9.4f} {t_total:9.3f} "
            f"{t_total / TARGET_S:9.2f} {int(s.connected_count()[-1]):>10,}"
        )
    print("-" * len(header))
    assert pop_schedule is not None
    t_py, m_py = best_time(lambda: python_walk(pop_schedule.order, d["capex"], d["budget"], N_MONTHS))
    assert np.array_equal(pop_schedule.connection_month, m_py), "reference walk disagrees"
    print("walk only, population order, strict, carry-over:")
    print(f"  {'python village-by-village loop':<34} {t_py:9.4f} s   1.0x")
    print(
        f"  {'cumulative sums + searchsorted':<34} {walk_pop:9.4f} s   {t_py / walk_pop:.1f}x faster (identical months)"
    )


if __name__ == "__main__":
    main()
