"""Object-level planning: ``plan_network`` (tree + technology) and ``schedule_rollout`` (budget schedule)."""

from __future__ import annotations

import math

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartkampung import ParameterError, PointOfPresence, Region, Technology
from smartkampung.datasets import banyuwangi, guimaras, synthetic_region
from smartkampung.model import DEFAULT_TECHNOLOGIES, IDR_PER_USD, POLICIES
from smartkampung.sim import NetworkPlan, plan_network, schedule_rollout
from smartkampung.sim.rollout import NEVER


@pytest.fixture(scope="module")
def fibre_plan() -> NetworkPlan:
    """Banyuwangi, every village on fibre (the Smart Kampung design)."""
    return plan_network(banyuwangi(), technology_choice=False)


# ------------------------------------------------------------------ plan_network


def test_all_fibre_plan(fibre_plan: NetworkPlan) -> None:
    plan = fibre_plan
    n = 217
    assert plan.n_villages == n
    assert plan.technology.tolist() == ["fibre"] * n
    assert plan.counts() == {"fibre": n}
    assert plan.choice.on_fibre.all()
    np.testing.assert_array_equal(plan.parent, plan.tree.parent)
    np.testing.assert_array_equal(plan.link_km, plan.tree.link_km)
    assert plan.fibre_km == pytest.approx(plan.tree.total_km, rel=1e-12)
    assert plan.fibre_km == pytest.approx(float(plan.tree.link_km.sum()), rel=1e-12)
    # Villages hanging from the backbone name a point of presence; the others none.
    at_backbone = plan.parent < 0
    assert np.all(plan.backbone_index[at_backbone] >= 0)
    assert np.all(plan.backbone_index[at_backbone] < len(plan.backbone))
    assert np.all(plan.backbone_index[~at_backbone] == -1)
    assert len(plan.backbone) == 25
    # Costs by hand from the fibre technology: Rp 10 M + USD 5,000/km; Rp 10 M/yr + 1 % of the km cost per year.
    per_km = 5_000 * IDR_PER_USD
    np.testing.assert_allclose(plan.capex, 10e6 + per_km * plan.link_km, rtol=1e-12)
    np.testing.assert_allclose(plan.opex_per_year, 10e6 + 0.01 * per_km * plan.link_km, rtol=1e-12)
    assert plan.total_capex == pytest.approx(n * 10e6 + per_km * plan.fibre_km, rel=1e-12)
    assert plan.total_opex_per_year == pytest.approx(float(plan.opex_per_year.sum()), rel=1e-12)
    np.testing.assert_array_equal(plan.columns.code, [v.code for v in plan.region.villages])


def test_route_factor_scales_the_fibre_length(fibre_plan: NetworkPlan) -> None:
    # The tree's shape does not depend on a uniform route factor; its length is proportional to it.
    longer = plan_network(banyuwangi(), technology_choice=False, route_factor=2.6)
    assert longer.tree.route_factor == 2.6
    np.testing.assert_array_equal(longer.parent, fibre_plan.parent)
    assert longer.fibre_km == pytest.approx(fibre_plan.fibre_km * 2.6 / fibre_plan.tree.route_factor, rel=1e-12)


def test_backbone_override() -> None:
    region = banyuwangi()
    one = (PointOfPresence("town", "Regency office", region.districts[15].location),)
    plan = plan_network(region, backbone=one, technology_choice=False)
    assert plan.backbone == one
    assert plan.columns.pop_lat_deg.tolist() == [one[0].location.lat_deg]
    roots = plan.parent < 0
    assert roots.any()
    assert np.all(plan.backbone_index[roots] == 0)  # every root hangs from the one point of presence
    # A single point of presence needs at least as much fibre as 25 of them.
    assert plan.fibre_km >= plan_network(region, technology_choice=False).fibre_km


def _check_no_village_is_stranded(plan: NetworkPlan, demand: np.ndarray) -> None:
    choice, tree = plan.choice, plan.tree
    techs = {t.id: t for t in DEFAULT_TECHNOLOGIES}
    ids = plan.technology
    needs = choice.depends_on >= 0
    # A village that needs another first needs its tree parent, and that parent is on fibre.
    np.testing.assert_array_equal(choice.depends_on[needs], tree.parent[needs])
    assert choice.on_fibre[choice.depends_on[needs]].all()
    # Fibre hangs only from fibre (or the backbone): no fibre island.
    fibre_children = choice.on_fibre & (tree.parent >= 0)
    assert choice.on_fibre[tree.parent[fibre_children]].all()
    # Only fibre and microwave hops depend on a parent; cellular and satellite stand alone.
    assert set(ids[needs].tolist()) <= {"fibre", "microwave"}
    # Every village gets a technology that carries its demand over a feasible link.
    for i in range(plan.n_villages):
        tech = techs[str(ids[i])]
        assert demand[i] <= tech.capacity_mbps, (i, tech.id)
        assert plan.link_km[i] <= tech.max_link_km, (i, tech.id)
    # Villages flagged on fibre use the fibre technology unless they only relay (then they still carry fibre).
    assert np.all(choice.on_fibre[ids == "fibre"])


@pytest.mark.parametrize("region_fn", [banyuwangi, guimaras], ids=["banyuwangi", "guimaras"])
def test_technology_choice_never_strands_a_village(region_fn: object) -> None:
    region: Region = region_fn()  # type: ignore[operator]
    n = region.n_villages
    # Every fifth village needs 400 Mbps: more than microwave (300), cellular (20) or satellite (50)
    # carry, so it must be on fibre, and so must every village between it and the backbone.
    demand = np.where(np.arange(n) % 5 == 0, 400.0, 10.0)
    plan = plan_network(region, demand_mbps=demand, technology_choice=True)
    counts = plan.counts()
    assert counts["fibre"] > 0
    assert sum(counts.values()) == n
    assert counts["fibre"] < n  # a real mix, not all fibre
    assert np.all(plan.technology[demand > 300] == "fibre")
    _check_no_village_is_stranded(plan, demand)
    # The choice minimises lifetime cost, so it never costs more than putting everyone on fibre.
    all_fibre = plan_network(region, demand_mbps=demand, technology_choice=False)
    assert plan.choice.total_lifetime_cost <= all_fibre.choice.total_lifetime_cost * (1 + 1e-12)
    # The fibre length counts only villages on fibre.
    assert plan.fibre_km == pytest.approx(float(plan.link_km[plan.choice.on_fibre].sum()))


def test_technology_choice_with_default_demand() -> None:
    plan = plan_network(banyuwangi(), technology_choice=True)
    demand = np.full(plan.n_villages, 10.0)
    _check_no_village_is_stranded(plan, demand)
    fibre_only = plan_network(banyuwangi(), technology_choice=False)
    assert plan.choice.total_lifetime_cost <= fibre_only.choice.total_lifetime_cost


def test_cheap_fibre_wins_everywhere() -> None:
    cheap = attrs.evolve(DEFAULT_TECHNOLOGIES[0], capex=0.0, capex_per_km=1.0, opex_per_year=0.0, opex_per_km_year=0.0)
    plan = plan_network(banyuwangi(), technologies=(cheap, *DEFAULT_TECHNOLOGIES[1:]), technology_choice=True)
    assert plan.counts()["fibre"] == 217


def test_plan_errors() -> None:
    region = synthetic_region(30, seed=3)
    with pytest.raises(ParameterError) as info:
        plan_network(attrs.evolve(region, backbone=()))
    assert info.value.parameter == "backbone"
    no_fibre = tuple(t for t in DEFAULT_TECHNOLOGIES if t.id != "fibre")
    with pytest.raises(ParameterError) as info:
        plan_network(region, technologies=no_fibre, technology_choice=False)
    assert info.value.parameter == "technologies"
    with pytest.raises(ParameterError) as info:
        plan_network(region, route_factor=0.5)
    assert info.value.parameter == "route_factor"
    # Nothing can carry 5 Gbps: the error says so instead of planning nonsense.
    slow = (Technology("satellite", "VSAT", capex=1.0, capacity_mbps=50.0),)
    with pytest.raises(ParameterError) as info:
        plan_network(region, technologies=slow, demand_mbps=5000.0)
    assert info.value.parameter == "technologies"


# -------------------------------------------------------------- schedule_rollout


def test_initially_connected_as_a_count(fibre_plan: NetworkPlan) -> None:
    kwargs = {"budget_per_month": 3e8, "n_months": 60, "policy": "population"}
    none = schedule_rollout(fibre_plan, **kwargs)  # type: ignore[arg-type]
    some = schedule_rollout(fibre_plan, initially_connected=20, **kwargs)  # type: ignore[arg-type]
    assert not none.already_connected.any()
    assert some.already_connected.sum() == 20
    # The first 20 villages of the policy's own order.
    assert set(np.flatnonzero(some.already_connected).tolist()) == set(none.order[:20].tolist())
    assert np.all(some.connection_month[some.already_connected] == 0)
    # ... free: they add nothing to the spend.
    built = (some.connection_month < 60) & ~some.already_connected
    assert some.spend.sum() == pytest.approx(float(fibre_plan.capex[built].sum()), rel=1e-9)
    # A head start never delays anyone.
    assert np.all(some.connection_month <= none.connection_month)


def test_initially_connected_as_codes(fibre_plan: NetworkPlan) -> None:
    codes = ["35.10.15.2012", "35.10.01.2001", "35.10.16.1001"]
    index = [fibre_plan.region.village_index(c) for c in codes]
    s = schedule_rollout(fibre_plan, budget_per_month=1e8, n_months=24, initially_connected=codes)
    assert sorted(np.flatnonzero(s.already_connected).tolist()) == sorted(index)
    assert np.all(s.connection_month[index] == 0)
    assert not np.isin(s.order, index).any()  # not scheduled again
    same = schedule_rollout(fibre_plan, budget_per_month=1e8, n_months=24, initially_connected=tuple(codes))
    assert same == s


@pytest.mark.parametrize("bad", [["35.10.15.2012", "99.99.99.9999"], ["nope"], [3]])
def test_unknown_initial_code(fibre_plan: NetworkPlan, bad: list[object]) -> None:
    with pytest.raises(ParameterError) as info:
        schedule_rollout(fibre_plan, budget_per_month=1e8, n_months=12, initially_connected=bad)  # type: ignore[arg-type]
    assert info.value.parameter == "initially_connected"
    assert str(bad[-1]) in str(info.value)


@pytest.mark.parametrize("count", [-1, 218])
def test_initial_count_out_of_range(fibre_plan: NetworkPlan, count: int) -> None:
    with pytest.raises(ParameterError) as info:
        schedule_rollout(fibre_plan, budget_per_month=1e8, n_months=12, initially_connected=count)
    assert info.value.parameter == "initially_connected"


@pytest.mark.parametrize("multiplier", [-0.5, math.nan, math.inf])
def test_bad_capex_multiplier(fibre_plan: NetworkPlan, multiplier: float) -> None:
    with pytest.raises(ParameterError) as info:
        schedule_rollout(fibre_plan, budget_per_month=1e8, n_months=12, capex_multiplier=multiplier)
    assert info.value.parameter == "capex_multiplier"
    assert "schedule_rollout" in str(info.value)


def test_capex_multiplier_scales_costs(fibre_plan: NetworkPlan) -> None:
    # Doubling every cost and every budget (exact in binary floating point) changes no month.
    base = schedule_rollout(fibre_plan, budget_per_month=2e8, n_months=48, policy="nearest")
    double = schedule_rollout(fibre_plan, budget_per_month=4e8, n_months=48, policy="nearest", capex_multiplier=2.0)
    np.testing.assert_array_equal(double.connection_month, base.connection_month)
    np.testing.assert_array_equal(double.spend, 2 * base.spend)
    # Doubling costs alone slows the rollout.
    slower = schedule_rollout(fibre_plan, budget_per_month=2e8, n_months=48, policy="nearest", capex_multiplier=2.0)
    assert np.all(slower.connection_month >= base.connection_month)
    assert slower.connected_count()[-1] < base.connected_count()[-1]


def test_free_rollout_connects_everything_at_once(fibre_plan: NetworkPlan) -> None:
    s = schedule_rollout(fibre_plan, budget_per_month=0.0, n_months=3, capex_multiplier=0.0)
    assert np.all(s.connection_month == 0)
    nothing = schedule_rollout(fibre_plan, budget_per_month=0.0, n_months=3)
    assert np.all(nothing.connection_month == NEVER)


def test_dependencies_come_first() -> None:
    region = guimaras()
    demand = np.where(np.arange(region.n_villages) % 4 == 0, 400.0, 10.0)
    plan = plan_network(region, demand_mbps=demand, technology_choice=True)
    for policy in POLICIES:
        s = schedule_rollout(plan, budget_per_month=2e8, n_months=60, policy=policy)
        needs = plan.parent >= 0
        assert np.all(s.connection_month[needs] >= s.connection_month[plan.parent[needs]]), policy


@given(
    budget=st.floats(2e8, 3e9), factor=st.floats(1.0, 4.0), policy=st.sampled_from(POLICIES), initial=st.integers(0, 50)
)
def test_more_budget_never_delays(
    fibre_plan: NetworkPlan, budget: float, factor: float, policy: str, initial: int
) -> None:
    # 60 months of at least Rp 0.2 bn afford the dearest village (about Rp 0.8 bn), so none is dropped.
    assert fibre_plan.capex.max() < 60 * 2e8
    kwargs = {"n_months": 60, "policy": policy, "initially_connected": initial}
    poor = schedule_rollout(fibre_plan, budget_per_month=budget, **kwargs)  # type: ignore[arg-type]
    rich = schedule_rollout(fibre_plan, budget_per_month=budget * factor, **kwargs)  # type: ignore[arg-type]
    assert np.all(rich.connection_month <= poor.connection_month)
    assert np.all(rich.connected_count() >= poor.connected_count())


@given(
    budgets=st.lists(st.floats(0.0, 2e9), min_size=36, max_size=36),
    extra=st.lists(st.floats(0.0, 1e9), min_size=36, max_size=36),
    policy=st.sampled_from(POLICIES),
)
def test_more_budget_in_some_months_never_delays(
    fibre_plan: NetworkPlan, budgets: list[float], extra: list[float], policy: str
) -> None:
    base = np.array(budgets) + 1e9 / 36  # at least Rp 1 bn over the horizon: every village affordable
    poor = schedule_rollout(fibre_plan, budget_per_month=base, n_months=36, policy=policy)
    rich = schedule_rollout(fibre_plan, budget_per_month=base + np.array(extra), n_months=36, policy=policy)
    assert np.all(rich.connection_month <= poor.connection_month)


@given(
    budget=st.floats(0.0, 2e9),
    carry_over=st.booleans(),
    policy=st.sampled_from(POLICIES),
    build_km=st.one_of(st.none(), st.floats(1.0, 50.0)),
)
def test_spend_never_exceeds_budget(
    fibre_plan: NetworkPlan, budget: float, carry_over: bool, policy: str, build_km: float | None
) -> None:
    months = 36
    s = schedule_rollout(
        fibre_plan,
        budget_per_month=budget,
        n_months=months,
        policy=policy,
        carry_over=carry_over,
        build_km_per_month=build_km,
    )
    tol = 1e-9 * max(budget, 1.0)
    assert np.all(s.spend >= 0)
    assert np.all(np.cumsum(s.spend) <= np.cumsum(s.budget) + tol * np.arange(1, months + 1))
    if not carry_over:
        assert np.all(s.spend <= s.budget + tol)
    # The money spent is exactly the cost of what was built, month by month.
    built = s.connection_month < months
    for t in (0, months // 2, months - 1):
        in_month = built & (s.connection_month == t) & ~s.already_connected
        assert s.spend[t] == pytest.approx(float(fibre_plan.capex[in_month].sum()), rel=1e-9, abs=1e-3)
    if build_km is not None:
        assert np.all(np.cumsum(s.km_built) <= build_km * np.arange(1, months + 1) * (1 + 1e-9))


@pytest.mark.parametrize("seed", [0, 1])
def test_fibre_only_tree_of_a_2000_village_region_is_the_exact_mst(seed: int) -> None:
    # Issue 3's acceptance: with route factor 1 the planned fibre length equals the minimum spanning
    # tree of the complete graph (points of presence merged into one root), to 1e-9 relative.
    from scipy.sparse.csgraph import minimum_spanning_tree

    from smartkampung.datasets import synthetic_region
    from smartkampung.sim.geometry import great_circle_km

    region = synthetic_region(2000, seed=seed)
    plan = plan_network(region, route_factor=1.0, technology_choice=False)
    cols = plan.columns
    lat = np.concatenate([[0.0], cols.lat_deg])
    lon = np.concatenate([[0.0], cols.lon_deg])
    dist = great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    # Node 0 is the merged backbone: its distance to a village is that to the nearest point of presence.
    to_backbone = great_circle_km(
        cols.lat_deg[:, None], cols.lon_deg[:, None], cols.pop_lat_deg[None, :], cols.pop_lon_deg[None, :]
    ).min(axis=1)
    dist[0, 1:] = dist[1:, 0] = to_backbone
    np.fill_diagonal(dist, 0.0)
    dist[dist == 0.0] = 1e-300  # scipy treats exact zeros off the diagonal as missing edges
    np.fill_diagonal(dist, 0.0)
    exact = float(minimum_spanning_tree(np.triu(dist)).sum())
    assert plan.fibre_km == pytest.approx(exact, rel=1e-9)
