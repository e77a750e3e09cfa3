"""Tests for smartkampung.sim.rollout: hand-computed schedules, a reference
implementation, hypothesis properties, and every error path."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from smartkampung import ParameterError
from smartkampung.sim.rollout import NEVER, POLICIES, PolicyInputs, RolloutSchedule, policy_order, schedule

# --------------------------------------------------------------------------- #
# A small hand-worked tree
#
#        backbone
#        /      \
#      v0        v4
#     /  \
#   v1    v2
#   |
#   v3
# --------------------------------------------------------------------------- #

PARENT = np.array([-1, 0, 0, 1, -1])
COST = np.array([10.0, 4.0, 6.0, 3.0, 8.0])
POP = np.array([100, 50, 80, 300, 20])
KM = np.array([5.0, 2.0, 3.0, 1.0, 4.0])
IDM = np.array([0.7, 0.5, 0.6, 0.9, np.nan])


def run(**kw: Any) -> RolloutSchedule:
    args: dict[str, Any] = {"budget_per_month": 10.0, "n_months": 5, "population": POP}
    args.update(kw)
    return schedule(PARENT, COST, **args)


def test_population_order_by_hand() -> None:
    # available {v0:100, v4:20} -> v0; {v1:50, v2:80, v4} -> v2; {v1, v4} -> v1;
    # {v3:300, v4} -> v3; then v4.
    assert run().order.tolist() == [0, 2, 1, 3, 4]


def test_strict_carry_over_by_hand() -> None:
    # cumulative cost in order 10, 16, 20, 23, 31; cumulative budget 10, 20, 30, 40, 50
    s = run()
    assert s.connection_month.tolist() == [0, 1, 1, 2, 3]
    assert s.spend.tolist() == [10.0, 10.0, 3.0, 8.0, 0.0]
    assert s.connected_count().tolist() == [1, 3, 4, 5, 5]
    assert s.connected_count(POP).tolist() == [100.0, 230.0, 530.0, 550.0, 550.0]
    assert s.is_connected_by(1).tolist() == [True, True, True, False, False]
    assert s.never_connected.tolist() == [False] * 5
    assert s.cumulative_spend.tolist() == [10.0, 20.0, 23.0, 31.0, 31.0]


def test_strict_budget_nine_carry_over_by_hand() -> None:
    # cumulative budget 9, 18, 27, 36: v0 (10) and v2 (16) in month 1, v1 (20) and
    # v3 (23) in month 2, v4 (31) in month 3
    s = run(budget_per_month=9.0)
    assert s.connection_month.tolist() == [1, 2, 1, 2, 3]
    assert s.spend.tolist() == [0.0, 16.0, 7.0, 8.0, 0.0]


def test_no_carry_over_drops_unaffordable_subtree() -> None:
    # v0 costs 10 > 9 = the most ever available in one month: v0 and everything
    # below it are never connected; v4 is not blocked.
    s = run(budget_per_month=9.0, carry_over=False)
    assert s.connection_month.tolist() == [NEVER, NEVER, NEVER, NEVER, 0]
    assert s.spend.tolist() == [8.0, 0.0, 0.0, 0.0, 0.0]
    assert s.never_connected.tolist() == [True, True, True, True, False]
    # without dropping, v0 blocks the whole strict order
    s = run(budget_per_month=9.0, carry_over=False, drop_unaffordable=False)
    assert s.connection_month.tolist() == [NEVER] * 5


def test_no_carry_over_loses_the_remainder() -> None:
    # month 2: v3 (3) fits, v4 (8) does not (3 + 8 > 10); the 7 left are lost
    s = run(carry_over=False)
    assert s.connection_month.tolist() == [0, 1, 1, 2, 3]
    assert s.spend.tolist() == [10.0, 10.0, 3.0, 8.0, 0.0]
    s = run(carry_over=False, budget_per_month=[10.0, 10.0, 5.0, 5.0, 9.0])
    # month 2: v3 (3); month 3: v4 (8) > 5; month 4: v4
    assert s.connection_month.tolist() == [0, 1, 1, 2, 4]


def test_greedy_skips_ahead_and_is_not_monotone() -> None:
    # budget 9 with carry-over, greedy: month 0 money 9, v0 (10) unaffordable, skip to
    # v4 (8), 1 left. Month 1: 10: v0, 0 left. Month 2: 9: v2 (6), 3 left, v1 (4) no.
    # Month 3: 12: v1 (4), then its child v3 (3) in the same scan.
    s9 = run(budget_per_month=9.0, strict=False)
    assert s9.connection_month.tolist() == [1, 3, 2, 3, 0]
    assert s9.spend.tolist() == [8.0, 10.0, 6.0, 7.0, 0.0]
    # budget 10: v0 at once, so v4 waits until month 3: more money, later v4
    s10 = run(budget_per_month=10.0, strict=False)
    assert s10.connection_month.tolist() == [0, 1, 1, 2, 3]
    assert s10.connection_month[4] > s9.connection_month[4]


def test_build_capacity_by_hand() -> None:
    # km in order 5, 3, 2, 1, 4 -> cumulative 5, 8, 10, 11, 15; capacity 4 per month
    s = run(budget_per_month=100.0, link_km=KM, build_km_per_month=4.0)
    assert s.connection_month.tolist() == [1, 2, 1, 2, 3]
    assert s.km_built.tolist() == [0.0, 8.0, 3.0, 4.0, 0.0]
    assert s.build_km_per_month.tolist() == [4.0] * 5
    # without carry-over of capacity, v0's 5 km link never fits into one month
    s = run(budget_per_month=100.0, link_km=KM, build_km_per_month=4.0, carry_over_km=False)
    assert s.connection_month.tolist() == [NEVER, NEVER, NEVER, NEVER, 0]
    # capacity 5 without carry-over: 5 | 3+2 | 1+4
    s = run(budget_per_month=100.0, link_km=KM, build_km_per_month=5.0, carry_over_km=False)
    assert s.connection_month.tolist() == [0, 1, 1, 2, 2]
    assert s.km_built.tolist() == [5.0, 5.0, 5.0, 0.0, 0.0]


def test_already_connected_by_hand() -> None:
    # v0 connected: order v2 (80), v1 (50), v3 (300), v4; costs 6, 4, 3, 8 ->
    # cumulative 6, 10, 13, 21 against 5, 10, 15, 20, 25
    s = run(budget_per_month=5.0, already_connected=[0])
    assert s.order.tolist() == [2, 1, 3, 4]
    assert s.connection_month.tolist() == [0, 1, 1, 2, 4]
    assert s.already_connected.tolist() == [True, False, False, False, False]
    assert s.connected_count().tolist() == [1, 3, 4, 4, 5]
    assert s.is_connected_by(-1).tolist() == [True, False, False, False, False]
    # a mask works the same
    mask = np.array([True, False, False, False, False])
    assert run(budget_per_month=5.0, already_connected=mask) == s


def test_already_connected_below_an_unconnected_parent() -> None:
    # v3 was connected before the plan although v1 is not: it is free and at month 0
    s = run(already_connected=[3])
    assert s.connection_month[3] == 0
    assert 3 not in s.order.tolist()
    assert s.spend.sum() == COST.sum() - COST[3]


def test_cost_effectiveness_order_by_hand() -> None:
    # subtree population / subtree cost: v0 530/23, v1 350/7 = 50, v2 80/6, v3 100, v4 20/8
    s = run(priority="cost_effectiveness")
    assert s.order.tolist() == [0, 1, 3, 2, 4]
    assert s.policy == "cost_effectiveness"


def test_least_developed_order_by_hand() -> None:
    # lowest IDM first among the available; unknown (NaN) IDM last
    s = run(priority="least_developed", idm_composite=IDM)
    assert s.order.tolist() == [0, 1, 2, 3, 4]


def test_nearest_order_by_hand() -> None:
    # distance along the tree: v0 5, v1 7, v2 8, v3 8, v4 4
    s = run(priority="nearest", link_km=KM)
    assert s.order.tolist() == [4, 0, 1, 2, 3]
    # with v0 already connected, distances are measured from it
    s = run(priority="nearest", link_km=KM, already_connected=[0])
    assert s.order.tolist() == [1, 2, 3, 4]  # v1 2, v2 3, v3 3 (tie: lower index), v4 4


def test_array_and_callable_priorities() -> None:
    s = run(priority=[5.0, 1.0, 2.0, 9.0, 0.0])
    assert s.order.tolist() == [0, 2, 1, 3, 4]
    assert s.policy == "array"
    seen: list[PolicyInputs] = []

    def lowest_index_first(inputs: PolicyInputs) -> np.ndarray:
        seen.append(inputs)
        return -np.arange(inputs.n_villages, dtype=float)

    s = run(priority=lowest_index_first, link_km=KM)
    assert s.order.tolist() == [0, 1, 2, 3, 4]
    assert s.policy == "callable"
    inp = seen[0]
    assert inp.depth.tolist() == [1, 2, 2, 3, 1]
    assert inp.subtree_population is not None
    assert inp.subtree_population.tolist() == [530.0, 350.0, 80.0, 300.0, 20.0]
    assert inp.subtree_capex.tolist() == [23.0, 7.0, 6.0, 3.0, 8.0]
    assert inp.backbone_km is not None
    assert inp.backbone_km.tolist() == [5.0, 7.0, 8.0, 8.0, 4.0]
    assert inp.idm_composite is None
    assert not inp.parent.flags.writeable


def test_a_child_never_precedes_its_parent_even_with_higher_priority() -> None:
    # v3 has the highest priority but must wait for v0 and v1, and v1 has the lowest:
    # {v0 1.0, v4 0.9} -> v0; {v1 0, v2 0.5, v4 0.9} -> v4; -> v2; -> v1; -> v3
    order = policy_order(PARENT, [1.0, 0.0, 0.5, 100.0, 0.9])
    assert order.tolist() == [0, 4, 2, 1, 3]


def test_zero_budget_connects_only_free_villages() -> None:
    s = schedule([-1, 0, -1], [0.0, 0.0, 5.0], budget_per_month=0.0, n_months=3, population=[1, 1, 1])
    assert s.connection_month.tolist() == [0, 0, NEVER]
    assert s.connected_count().tolist() == [2, 2, 2]


def test_empty_and_all_connected() -> None:
    s = schedule(np.zeros(0, dtype=int), np.zeros(0), budget_per_month=1.0, n_months=2, population=np.zeros(0))
    assert s.connection_month.shape == (0,)
    assert s.connected_count().tolist() == [0, 0]
    s = run(already_connected=np.ones(5, dtype=bool))
    assert s.order.size == 0
    assert s.connected_count().tolist() == [5] * 5
    assert s.spend.sum() == 0.0


def test_result_is_frozen_and_read_only() -> None:
    s = run()
    assert not s.connection_month.flags.writeable
    with pytest.raises(AttributeError):
        s.strict = False  # type: ignore[misc]


def test_never_sentinel_is_safe() -> None:
    assert NEVER == 2**62 - 1
    assert np.iinfo(np.int64).max - 10_000 > NEVER


# --------------------------------------------------------------------------- #
# Reference implementation (plain Python, one village at a time)
# --------------------------------------------------------------------------- #


def ref_order(parent: list[int], key: list[float], already: set[int]) -> list[int]:
    taken = set(already)
    remaining = [i for i in range(len(parent)) if i not in already]
    out = []
    while remaining:
        avail = [i for i in remaining if parent[i] == -1 or parent[i] in taken]
        best = max(avail, key=lambda i: (key[i], -i))
        out.append(best)
        taken.add(best)
        remaining.remove(best)
    return out


def ref_schedule(
    parent: list[int],
    cost: list[float],
    km: list[float],
    order: list[int],
    already: set[int],
    budget: list[float],
    cap: list[float] | None,
    *,
    carry: bool,
    carry_km: bool,
    strict: bool,
    drop: bool,
) -> list[int]:
    n, t_max = len(parent), len(budget)
    month = [NEVER] * n
    for i in already:
        month[i] = 0
    dropped: set[int] = set()
    if strict and drop:
        ever = sum(budget) if carry else max(budget)
        ever_km = math.inf if cap is None else (sum(cap) if carry_km else max(cap))
        for v in order:  # parents come first in the order
            p = parent[v]
            if cost[v] > ever or km[v] > ever_km or (p >= 0 and p not in already and p in dropped):
                dropped.add(v)
    money = room = 0.0
    done = set(already)
    for t in range(t_max):
        money = money + budget[t] if carry else budget[t]
        if cap is None:
            room = math.inf
        elif carry_km:
            room = room + cap[t]
        else:
            room = cap[t]
        for v in order:
            if v in done or v in dropped:
                continue
            ok_parent = parent[v] == -1 or parent[v] in done
            if ok_parent and cost[v] <= money and km[v] <= room:
                done.add(v)
                month[v] = t
                money -= cost[v]
                room -= km[v]
            elif strict:
                break
    return month


@st.composite
def cases(draw: Any, max_n: int = 10) -> dict[str, Any]:
    n = draw(st.integers(1, max_n))
    topo_parent = [
        -1 if i == 0 or (draw(st.booleans()) and draw(st.booleans())) else draw(st.integers(0, i - 1)) for i in range(n)
    ]
    perm = draw(st.permutations(list(range(n))))
    # relabel: topological village i becomes perm[i]
    parent = [-1] * n
    for i, p in enumerate(topo_parent):
        parent[perm[i]] = -1 if p < 0 else perm[p]
    money = st.integers(0, 20).map(float)
    cost = draw(st.lists(money, min_size=n, max_size=n))
    km = draw(st.lists(st.integers(0, 6).map(float), min_size=n, max_size=n))
    pop = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))
    n_months = draw(st.integers(1, 6))
    budget = draw(st.lists(st.integers(0, 25).map(float), min_size=n_months, max_size=n_months))
    extra = draw(st.lists(st.integers(0, 10).map(float), min_size=n_months, max_size=n_months))
    cap = draw(st.none() | st.lists(st.integers(0, 8).map(float), min_size=n_months, max_size=n_months))
    cap_extra = draw(st.lists(st.integers(0, 4).map(float), min_size=n_months, max_size=n_months))
    already = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return {
        "parent": parent,
        "cost": cost,
        "km": km,
        "pop": pop,
        "n_months": n_months,
        "budget": budget,
        "extra": extra,
        "cap": cap,
        "cap_extra": cap_extra,
        "already": already,
        "carry": draw(st.booleans()),
        "carry_km": draw(st.booleans()),
        "policy": draw(st.sampled_from(POLICIES)),
        "idm": draw(st.lists(st.floats(0.2, 0.9) | st.just(math.nan), min_size=n, max_size=n)),
    }


def sched(
    c: dict[str, Any],
    *,
    budget: list[float] | None = None,
    cap: list[float] | str | None = "case",
    strict: bool = True,
    drop: bool = True,
) -> RolloutSchedule:
    capacity = c["cap"] if cap == "case" else cap
    return schedule(
        c["parent"],
        c["cost"],
        budget_per_month=c["budget"] if budget is None else budget,
        n_months=c["n_months"],
        priority=c["policy"],
        population=c["pop"],
        idm_composite=c["idm"],
        link_km=c["km"],
        build_km_per_month=capacity,
        already_connected=np.array(c["already"]),
        carry_over=c["carry"],
        carry_over_km=c["carry_km"],
        strict=strict,
        drop_unaffordable=drop,
    )


@settings(max_examples=150, deadline=None)
@given(cases(), st.booleans(), st.booleans())
def test_matches_reference_implementation(c: dict[str, Any], strict: bool, drop: bool) -> None:
    s = sched(c, strict=strict, drop=drop)
    already = {i for i, a in enumerate(c["already"]) if a}
    assert s.order.tolist() == ref_order(c["parent"], _key(c, s), already)
    expected = ref_schedule(
        c["parent"],
        c["cost"],
        c["km"],
        s.order.tolist(),
        already,
        c["budget"],
        c["cap"],
        carry=c["carry"],
        carry_km=c["carry_km"],
        strict=strict,
        drop=drop,
    )
    assert s.connection_month.tolist() == expected


def _key(c: dict[str, Any], s: RolloutSchedule) -> list[float]:
    """The policy's priority values, computed independently of the module."""
    n = len(c["parent"])
    already = np.array(c["already"])
    eff_parent = [-1 if p < 0 or already[p] else p for p in c["parent"]]

    def below(v: int) -> list[int]:  # v and all not-already villages depending on it
        out, stack = [], [v]
        while stack:
            u = stack.pop()
            out.append(u)
            stack += [w for w in range(n) if eff_parent[w] == u and not already[w]]
        return out

    if c["policy"] == "population":
        return [float(p) for p in c["pop"]]
    if c["policy"] == "cost_effectiveness":
        keys = []
        for v in range(n):
            sub = below(v)
            cost = sum(c["cost"][u] for u in sub)
            keys.append(math.inf if cost == 0 else sum(c["pop"][u] for u in sub) / cost)
        return keys
    if c["policy"] == "least_developed":
        return [-math.inf if math.isnan(x) else -x for x in c["idm"]]
    dist = []
    for v in range(n):
        d, u = 0.0, v
        while u >= 0:
            d += c["km"][u]
            u = eff_parent[u]
        dist.append(-d)
    return dist


@settings(max_examples=150, deadline=None)
@given(cases(), st.booleans(), st.booleans())
def test_invariants(c: dict[str, Any], strict: bool, drop: bool) -> None:
    s = sched(c, strict=strict, drop=drop)
    month = s.connection_month
    t_max = c["n_months"]
    already = np.array(c["already"])
    # each village is connected once (a month in the horizon) or never
    assert np.all((month == NEVER) | ((month >= 0) & (month < t_max)))
    assert np.all(month[already] == 0)
    assert sorted(s.order.tolist()) == np.flatnonzero(~already).tolist()
    # no village before its parent (villages the schedule connects)
    for v, p in enumerate(c["parent"]):
        if p >= 0 and not already[v] and month[v] != NEVER:
            assert month[p] <= month[v]
    # money
    budget = np.array(c["budget"])
    rtol = 1e-9
    if c["carry"]:
        assert np.all(np.cumsum(s.spend) <= np.cumsum(budget) * (1 + rtol) + rtol)
    else:
        assert np.all(s.spend <= budget * (1 + rtol) + rtol)
    cost = np.array(c["cost"])
    connected_now = (month < t_max) & ~already
    assert math.isclose(s.spend.sum(), cost[connected_now].sum(), abs_tol=1e-9)
    # build capacity
    km = np.array(c["km"])
    assert math.isclose(s.km_built.sum(), km[connected_now].sum(), abs_tol=1e-9)
    if c["cap"] is not None:
        cap = np.array(c["cap"])
        if c["carry_km"]:
            assert np.all(np.cumsum(s.km_built) <= np.cumsum(cap) * (1 + rtol) + rtol)
        else:
            assert np.all(s.km_built <= cap * (1 + rtol) + rtol)
    # the helpers agree with the months
    counts = s.connected_count()
    for t in range(t_max):
        assert counts[t] == int(np.sum(s.is_connected_by(t)))
    assert np.all(np.diff(counts) >= 0)


@settings(max_examples=150, deadline=None)
@given(cases(), st.booleans())
def test_more_budget_never_delays_a_village(c: dict[str, Any], scalar: bool) -> None:
    if scalar:
        small: list[float] = [c["budget"][0]] * c["n_months"]
        big = [b + c["extra"][0] for b in small]
    else:
        small = c["budget"]
        big = [b + e for b, e in zip(small, c["extra"], strict=True)]
    # without dropping: unconditional
    m_small = sched(c, budget=small, drop=False).connection_month
    m_big = sched(c, budget=big, drop=False).connection_month
    assert np.all(m_big <= m_small)
    # with dropping: whenever the smaller budget drops nothing, neither does the bigger
    ever = sum(small) if c["carry"] else max(small)
    assume(max(c["cost"]) <= ever)
    if c["cap"] is not None:
        ever_km = sum(c["cap"]) if c["carry_km"] else max(c["cap"])
        assume(max(c["km"]) <= ever_km)
    assert np.all(sched(c, budget=big).connection_month <= sched(c, budget=small).connection_month)


@settings(max_examples=100, deadline=None)
@given(cases())
def test_more_build_capacity_never_delays_a_village(c: dict[str, Any]) -> None:
    cap = c["cap"] if c["cap"] is not None else [3.0] * c["n_months"]
    big = [a + b for a, b in zip(cap, c["cap_extra"], strict=True)]
    m_small = sched(c, cap=cap, drop=False).connection_month
    m_big = sched(c, cap=big, drop=False).connection_month
    assert np.all(m_big <= m_small)


@settings(max_examples=100, deadline=None)
@given(cases(max_n=12), st.lists(st.integers(-5, 5).map(float), min_size=12, max_size=12))
def test_policy_order_matches_brute_force(c: dict[str, Any], key: list[float]) -> None:
    n = len(c["parent"])
    already = {i for i, a in enumerate(c["already"]) if a}
    got = policy_order(c["parent"], key[:n], already_connected=np.array(c["already"]))
    assert got.tolist() == ref_order(c["parent"], key[:n], already)


def test_large_random_tree_respects_precedence() -> None:
    rng = np.random.default_rng(7)
    n = 3000
    parent = np.array([-1 if i == 0 or rng.random() < 0.05 else rng.integers(0, i) for i in range(n)])
    perm = rng.permutation(n)
    relabelled = np.full(n, -1)
    relabelled[perm] = np.where(parent < 0, -1, perm[np.maximum(parent, 0)])
    cost = rng.uniform(1, 10, n)
    pop = rng.integers(1, 1000, n)
    for policy in ("population", "cost_effectiveness"):
        s = schedule(relabelled, cost, budget_per_month=cost.sum() / 20, n_months=25, priority=policy, population=pop)
        pos = np.empty(n, dtype=int)
        pos[s.order] = np.arange(n)
        child = np.flatnonzero(relabelled >= 0)
        assert np.all(pos[relabelled[child]] < pos[child])
        assert np.all(s.connection_month[relabelled[child]] <= s.connection_month[child])
        assert s.connected_count()[-1] == n


# --------------------------------------------------------------------------- #
# Errors
# --------------------------------------------------------------------------- #


def _raises(param: str, **kw: Any) -> None:
    args: dict[str, Any] = {"parent": PARENT, "capex": COST, "budget_per_month": 10.0, "n_months": 5, "population": POP}
    args.update(kw)
    with pytest.raises(ParameterError) as info:
        schedule(args.pop("parent"), args.pop("capex"), **args)
    assert info.value.parameter == param
    assert info.value.function == "schedule"


@pytest.mark.parametrize(
    ("param", "kw"),
    [
        ("budget_per_month", {"budget_per_month": -1.0}),
        ("budget_per_month", {"budget_per_month": math.nan}),
        ("budget_per_month", {"budget_per_month": math.inf}),
        ("budget_per_month", {"budget_per_month": [1.0, 2.0]}),
        ("budget_per_month", {"budget_per_month": "lots"}),
        ("n_months", {"n_months": 0}),
        ("n_months", {"n_months": 2.5}),
        ("n_months", {"n_months": True}),
        ("priority", {"priority": "richest"}),
        ("priority", {"priority": [1.0, 2.0]}),
        ("priority", {"priority": [1.0, 2.0, math.nan, 0.0, 0.0]}),
        ("priority", {"priority": lambda inputs: np.ones(3)}),
        ("priority", {"priority": lambda inputs: np.full(5, math.inf)}),
        ("parent", {"parent": [-1, 0, 0, 1, 5]}),
        ("parent", {"parent": [-2, 0, 0, 1, -1]}),
        ("parent", {"parent": [1, 0, 0, 1, -1]}),
        ("parent", {"parent": [-1, 0, 2, 1, -1]}),
        ("parent", {"parent": [[-1, 0, 0, 1, -1]]}),
        ("parent", {"parent": [-1, 0.5, 0, 1, -1]}),
        ("capex", {"capex": [1.0, 2.0]}),
        ("capex", {"capex": [1.0, -2.0, 0.0, 0.0, 0.0]}),
        ("capex", {"capex": [1.0, math.nan, 0.0, 0.0, 0.0]}),
        ("population", {"population": None}),
        ("population", {"population": [1, 2, 3]}),
        ("population", {"priority": "cost_effectiveness", "population": None}),
        ("idm_composite", {"priority": "least_developed"}),
        ("link_km", {"priority": "nearest"}),
        ("link_km", {"build_km_per_month": 5.0}),
        ("link_km", {"link_km": [1.0, -1.0, 0.0, 0.0, 0.0]}),
        ("build_km_per_month", {"link_km": KM, "build_km_per_month": -5.0}),
        ("build_km_per_month", {"link_km": KM, "build_km_per_month": [1.0, 2.0]}),
        ("already_connected", {"already_connected": [7]}),
        ("already_connected", {"already_connected": [True, False]}),
        ("already_connected", {"already_connected": [[0]]}),
        ("carry_over", {"carry_over": 1}),
        ("carry_over_km", {"carry_over_km": "yes"}),
        ("strict", {"strict": None}),
        ("drop_unaffordable", {"drop_unaffordable": 0}),
    ],
)
def test_bad_parameters(param: str, kw: dict[str, Any]) -> None:
    _raises(param, **kw)


def test_unknown_policy_lists_the_valid_names() -> None:
    with pytest.raises(ParameterError, match="'population', 'cost_effectiveness', 'least_developed', 'nearest'"):
        run(priority="random")


def test_cycle_message_names_a_village() -> None:
    with pytest.raises(ParameterError, match="cycle"):
        schedule([-1, 2, 3, 1, -1], COST, budget_per_month=1.0, n_months=2, population=POP)


def test_policy_order_errors() -> None:
    with pytest.raises(ParameterError) as info:
        policy_order([-1, 0], [1.0])
    assert info.value.parameter == "priority"
    with pytest.raises(ParameterError) as info:
        policy_order([0, 0], [1.0, 2.0])
    assert info.value.parameter == "parent"


def test_helper_errors() -> None:
    s = run()
    with pytest.raises(ParameterError) as info:
        s.connected_count([1.0, 2.0])
    assert info.value.parameter == "weights"
    with pytest.raises(ParameterError):
        s.connected_count([1.0, math.nan, 1.0, 1.0, 1.0])
    with pytest.raises(ParameterError) as info:
        s.is_connected_by(1.5)  # type: ignore[arg-type]
    assert info.value.parameter == "month"
