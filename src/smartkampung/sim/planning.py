"""Object-level rollout planning: a region in, a network plan and a schedule out.

Thin wrappers over :mod:`smartkampung.sim.tree` (fibre tree),
:mod:`smartkampung.sim.technology` (technology choice) and
:mod:`smartkampung.sim.rollout` (budget-limited schedule): they
unpack a :class:`~smartkampung.model.Region` into columns, call the array
functions and keep the village codes beside the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._deprecation import renamed, renamed_arguments
from smartkampung._errors import ParameterError
from smartkampung._validation import as_vector, check_bool, check_float, check_int
from smartkampung.model._geo import PointOfPresence
from smartkampung.model._programme import DEFAULT_TECHNOLOGIES, Technology
from smartkampung.model._village import Region, VillageColumns
from smartkampung.sim.geometry import nearest_backbone
from smartkampung.sim.land import DEFAULT_MIN_WATER_RUN_KM, Boundaries, land_from, water_km
from smartkampung.sim.policies import Priority
from smartkampung.sim.roads import RoadGraph, road_fibre_tree
from smartkampung.sim.rollout import RolloutOrder, RolloutSchedule, per_month, rollout_order
from smartkampung.sim.technology import (
    DEFAULT_DEMAND_MBPS,
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_HORIZON_YEARS,
    DEFAULT_WATER_COST_FACTOR,
    TechnologyChoice,
    choose_technology,
)
from smartkampung.sim.tree import DEFAULT_ROUTE_FACTOR, FibreTree, minimum_fibre_tree

__all__ = ["NetworkPlan", "plan_network", "plan_rollout_order", "schedule_rollout"]


@renamed("capex_idr", "opex_idr_per_year", "total_capex_idr", "total_opex_idr_per_year")
@attrs.frozen
class NetworkPlan:
    """How every village of a region is connected, and what it costs.

    Attributes
    ----------
    region : Region
        The region planned.
    columns : VillageColumns
        The region as columns (rows in region order).
    tree : FibreTree
        The minimum fibre tree (before technology choice).
    choice : TechnologyChoice
        Technology, dependency, link length and costs per village.
    backbone : tuple of PointOfPresence
        The points of presence the tree hangs from.
    nearest_backbone_index : ndarray of int64, shape (n_villages,)
        Row in ``backbone`` of each village's nearest point of presence.
    water_km : ndarray of float64, shape (n_villages,)
        Great-circle km of each village's tree link over water (0 without
        land polygons). [km]
    notes : tuple of str
        What the plan could not check or assumed (no land polygons, water
        crossings priced as such), for reports.

    Notes
    -----
    Costs are in the currency of the technologies' prices (the
    programme's). The old names ``capex_idr``, ``opex_idr_per_year``,
    ``total_capex_idr`` and ``total_opex_idr_per_year`` work until the next
    release, with a :class:`DeprecationWarning`.
    """

    region: Region
    columns: VillageColumns = attrs.field(repr=False)
    tree: FibreTree = attrs.field(repr=False)
    choice: TechnologyChoice = attrs.field(repr=False)
    backbone: tuple[PointOfPresence, ...] = attrs.field(repr=False)
    nearest_backbone_index: NDArray[np.int64] = attrs.field(repr=False, eq=False)
    water_km: NDArray[np.float64] = attrs.field(
        default=attrs.Factory(lambda self: np.zeros(self.region.n_villages), takes_self=True), repr=False, eq=False
    )
    notes: tuple[str, ...] = attrs.field(default=(), repr=False, eq=False)

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return self.region.n_villages

    @property
    def parent(self) -> NDArray[np.int64]:
        """Village each village's connection depends on (-1: the backbone or none), shape (n_villages,)."""
        return self.choice.depends_on

    @property
    def backbone_index(self) -> NDArray[np.int64]:
        """Point of presence each village links to directly, else -1, shape (n_villages,).

        Fibre villages at the root of the tree: the one the tree hangs them
        from; cellular villages and microwave hops to the backbone: the
        nearest; villages that depend on another village, and satellite
        villages: -1.
        """
        choice = self.choice
        direct = choice.depends_on < 0
        index: NDArray[np.int64] = np.where(
            direct & choice.on_fibre,
            self.tree.backbone_index,
            np.where(direct & (self.technology != "satellite"), self.nearest_backbone_index, -1),
        )
        return index

    @property
    def technology(self) -> NDArray[np.str_]:
        """Technology id per village, shape (n_villages,)."""
        ids = np.asarray(self.choice.technology_ids, dtype=np.str_)
        return ids[self.choice.technology]

    @property
    def link_km(self) -> NDArray[np.float64]:
        """Length of each village's link (fibre route, microwave hop, ...). [km]"""
        return self.choice.link_km

    @property
    def capex(self) -> NDArray[np.float64]:
        """Up-front cost per village, in the programme's currency. [currency]"""
        return self.choice.capex

    @property
    def opex_per_year(self) -> NDArray[np.float64]:
        """Running cost per village. [currency/year]"""
        return self.choice.opex_per_year

    @property
    def fibre_km(self) -> float:
        """Total fibre route length. [km]"""
        return float(self.choice.link_km[self.choice.on_fibre].sum())

    @property
    def total_capex(self) -> float:
        """Sum of up-front costs. [currency]"""
        return float(self.choice.capex.sum())

    @property
    def total_opex_per_year(self) -> float:
        """Sum of running costs. [currency/year]"""
        return float(self.choice.opex_per_year.sum())

    def counts(self) -> dict[str, int]:
        """Villages per technology id."""
        return self.choice.counts()


def plan_network(
    region: Region,
    *,
    technologies: Sequence[Technology] = DEFAULT_TECHNOLOGIES,
    backbone: Sequence[PointOfPresence] | None = None,
    route_factor: float = DEFAULT_ROUTE_FACTOR,
    demand_mbps: ArrayLike = DEFAULT_DEMAND_MBPS,
    horizon_years: float = DEFAULT_HORIZON_YEARS,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    technology_choice: bool = True,
    roads: RoadGraph | None = None,
    land: Boundaries | Sequence[Boundaries] | None = None,
    water_cost_factor: float = DEFAULT_WATER_COST_FACTOR,
) -> NetworkPlan:
    """Plan how to connect every village of a region: fibre tree, then technology.

    Parameters
    ----------
    region : Region
        Villages to connect.
    technologies : sequence of Technology
        Candidates (default :data:`~smartkampung.model.DEFAULT_TECHNOLOGIES`).
    backbone : sequence of PointOfPresence, optional
        Where fibre already is. Default: ``region.backbone``.
    route_factor : float
        Fibre route length over great-circle length (>= 1). [-]
    demand_mbps : float or array_like, shape (n_villages,)
        Bandwidth each village office needs. [Mbps]
    horizon_years : float
        Years of running costs in the lifetime comparison. [years]
    discount_rate : float
        Annual discount rate. [year⁻¹]
    technology_choice : bool
        True: each village takes its least-lifetime-cost feasible technology
        (fibre villages that others hang from stay on fibre as relays). False:
        every village on fibre (needs a technology with id ``"fibre"``).
    roads : RoadGraph, optional
        Lay fibre along these roads (:func:`~smartkampung.sim.roads.road_fibre_tree`,
        a Steiner-tree approximation) instead of straight lines times
        ``route_factor``.
    land : Boundaries or sequence of Boundaries, optional
        Land polygons (the region's village polygons will do:
        :func:`smartkampung.datasets.boundaries_for`). A fibre link whose
        straight line leaves land (by more than
        :data:`~smartkampung.sim.land.DEFAULT_MIN_WATER_RUN_KM`) is priced
        as a water crossing over its stretch of water, and the technology
        choice may leave it to microwave or satellite. Without polygons no
        link is checked, and the plan's notes say so. Not used with
        ``roads`` (roads cross water on bridges).
    water_cost_factor : float
        Cost per km of fibre over water as a multiple of the fibre
        technology's cost per km (default 7: USD 35,000/km against USD
        5,000/km, an illustrative assumption). [-]

    Returns
    -------
    NetworkPlan

    Raises
    ------
    ParameterError
        No points of presence, route factor below 1, no fibre technology
        when ``technology_choice`` is False, and the checks of the array
        functions.
    """
    fn = "plan_network"
    pops = tuple(region.backbone if backbone is None else backbone)
    if not pops:
        raise ParameterError(
            "backbone",
            "the region has no points of presence; pass backbone= or use region.with_district_backbone()",
            function=fn,
        )
    techs = tuple(technologies)
    if not technology_choice:
        techs = tuple(t for t in techs if t.id == "fibre")
        if not techs:
            raise ParameterError(
                "technologies", "technology_choice=False needs a technology with id 'fibre'", function=fn
            )
    columns = (
        region.to_columns()
        if backbone is None
        else attrs.evolve(
            region.to_columns(),
            pop_lat_deg=np.array([p.location.lat_deg for p in pops]),
            pop_lon_deg=np.array([p.location.lon_deg for p in pops]),
        )
    )
    if roads is None:
        tree = minimum_fibre_tree(
            columns.lat_deg, columns.lon_deg, columns.pop_lat_deg, columns.pop_lon_deg, route_factor=route_factor
        )
    else:
        tree = road_fibre_tree(columns.lat_deg, columns.lon_deg, columns.pop_lat_deg, columns.pop_lon_deg, roads)
    nearest_index, distance_km = nearest_backbone(
        columns.lat_deg, columns.lon_deg, columns.pop_lat_deg, columns.pop_lon_deg
    )
    polygons = land_from(land)
    over_water, notes = _water_crossings(columns, tree, polygons, roads is not None)
    choice = choose_technology(
        tree,
        distance_km,
        demand_mbps,
        techs,
        horizon_years=horizon_years,
        discount_rate=discount_rate,
        water_km=over_water,
        water_cost_factor=water_cost_factor,
    )
    crossing = over_water > 0
    if crossing.any():
        kept = int((crossing & choice.on_fibre).sum())
        moved = int(crossing.sum()) - kept
        parts = (
            [f"{kept} priced as fibre water crossings ({water_cost_factor:g} times the fibre cost per km over water)"]
            if kept
            else []
        )
        parts += [f"{moved} left to another technology"] if moved else []
        notes += (
            f"{int(crossing.sum())} tree link(s) leave land ({float(over_water.sum()):,.1f} km over water): "
            + "; ".join(parts),
        )
    return NetworkPlan(
        region=region,
        columns=columns,
        tree=tree,
        choice=choice,
        backbone=pops,
        nearest_backbone_index=nearest_index,
        water_km=np.where(choice.on_fibre, over_water, 0.0),
        notes=notes,
    )


def _water_crossings(
    columns: VillageColumns, tree: FibreTree, land: Boundaries | None, along_roads: bool
) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """Km over water of each tree link, and the plan's notes on it."""
    n = columns.n_villages
    if along_roads:
        return np.zeros(n), ("fibre follows the road graph: water crossings are not checked",)
    if land is None:
        return np.zeros(n), ("no land polygons for this region: links over water, if any, are priced as fibre on land",)
    parent = tree.parent
    root = parent < 0
    lat0 = np.where(
        root, columns.pop_lat_deg[np.maximum(tree.backbone_index, 0)], columns.lat_deg[np.maximum(parent, 0)]
    )
    lon0 = np.where(
        root, columns.pop_lon_deg[np.maximum(tree.backbone_index, 0)], columns.lon_deg[np.maximum(parent, 0)]
    )
    wet = water_km(lat0, lon0, columns.lat_deg, columns.lon_deg, land, min_run_km=DEFAULT_MIN_WATER_RUN_KM)
    # The check samples the straight line; never report more than the link's straight length.
    polygons = sum(len(feature) for feature in land.polygons)
    note = f"water crossings checked against {polygons} land polygons" + (f" ({land.source})" if land.source else "")
    return np.minimum(wet, tree.straight_km), (note,)


@renamed_arguments("budget_idr_per_month")
def schedule_rollout(
    plan: NetworkPlan,
    *,
    budget_per_month: ArrayLike,
    n_months: int,
    policy: Priority = "population",
    build_km_per_month: ArrayLike | None = None,
    carry_over: bool = True,
    initially_connected: int | Sequence[str] = 0,
    capex_multiplier: ArrayLike = 1.0,
    strict: bool = True,
) -> RolloutSchedule:
    """Month-by-month schedule of a network plan under a money budget.

    Parameters
    ----------
    plan : NetworkPlan
        From :func:`plan_network`.
    budget_per_month : float or array_like, shape (n_months,)
        Money for building in each month, in the programme's currency (the
        old name ``budget_idr_per_month`` works until the next release, with
        a :class:`DeprecationWarning`). [currency/month]
    n_months : int
        Horizon. [months]
    policy : str, array or callable
        ``"population"``, ``"cost_effectiveness"``, ``"least_developed"``,
        ``"nearest"``, a priority per village (higher first), or a function of
        :class:`~smartkampung.sim.policies.PolicyInputs` returning one.
    build_km_per_month : float or array_like, optional
        Most fibre laid per month (only fibre links count). [km/month]
    carry_over : bool
        Unspent money carries over to later months.
    initially_connected : int or sequence of str
        Villages connected before month 0: their codes, or a count (the first
        villages in the policy's order).
    capex_multiplier : float or array_like, shape (n_villages,)
        Scales every up-front cost (cost uncertainty), or each village's. [-]
    strict : bool
        Strict policy order (monotone in budget) or greedy skip-ahead.

    Returns
    -------
    RolloutSchedule
    """
    fn = "schedule_rollout"
    t_max = check_int(n_months, "n_months", fn, minimum=1)
    budget = per_month(budget_per_month, t_max, "budget_per_month", fn)
    capacity = None if build_km_per_month is None else per_month(build_km_per_month, t_max, "build_km_per_month", fn)
    carry = check_bool(carry_over, "carry_over", fn)
    strict_b = check_bool(strict, "strict", fn)
    order = plan_rollout_order(
        plan, policy=policy, initially_connected=initially_connected, capex_multiplier=capex_multiplier, function=fn
    )
    return order.schedule(budget, capacity, carry_over=carry, carry_over_km=carry, strict=strict_b)


def plan_rollout_order(
    plan: NetworkPlan,
    *,
    policy: Priority = "population",
    initially_connected: int | Sequence[str] = 0,
    capex_multiplier: ArrayLike = 1.0,
    function: str = "plan_rollout_order",
) -> RolloutOrder:
    """The part of :func:`schedule_rollout` that does not depend on the budget: the policy order and its costs.

    ``order.schedule(budget, capacity, carry_over=..., carry_over_km=..., strict=...)``
    then gives, for any checked budget per month, the schedule
    :func:`schedule_rollout` gives. For a policy of
    :data:`~smartkampung.sim.policies.COST_FREE_POLICIES` the order does not
    depend on the costs, so :meth:`~smartkampung.sim.rollout.RolloutOrder.with_costs`
    reprices it for another ``capex_multiplier`` without ranking again.

    Parameters
    ----------
    plan, policy, initially_connected, capex_multiplier
        As in :func:`schedule_rollout`.
    function : str
        The public function to name in error messages.

    Returns
    -------
    RolloutOrder
    """
    fn = function
    if np.ndim(capex_multiplier) == 0:
        capex_multiplier = check_float(capex_multiplier, "capex_multiplier", fn, minimum=0.0)
    else:
        capex_multiplier = as_vector(capex_multiplier, plan.n_villages, "capex_multiplier", fn, nonnegative=True)
    choice = plan.choice
    ranking: dict[str, Any] = {
        "priority": policy,
        "population": plan.columns.population,
        "idm_composite": plan.columns.idm_composite,
        "link_km": np.where(choice.on_fibre, choice.link_km, 0.0),
    }
    capex = choice.capex * capex_multiplier
    try:
        already = _initially_connected(choice, capex, ranking, initially_connected, plan, fn)
        return rollout_order(choice.depends_on, capex, already_connected=already, function=fn, **ranking)
    except ParameterError as exc:
        # Name the argument as this function's caller spelled it.
        parameter = {"priority": "policy"}.get(exc.parameter, exc.parameter)
        raise ParameterError(parameter, exc.message, function=fn) from None


def _initially_connected(
    choice: TechnologyChoice,
    capex: NDArray[np.float64],
    ranking: dict[str, Any],
    initially_connected: int | Sequence[str],
    plan: NetworkPlan,
    fn: str,
) -> NDArray[np.bool_]:
    n = plan.n_villages
    already = np.zeros(n, dtype=bool)
    if isinstance(initially_connected, (int, np.integer)) and not isinstance(initially_connected, bool):
        count = int(initially_connected)
        if not 0 <= count <= n:
            raise ParameterError("initially_connected", f"must be between 0 and {n}, got {count}", function=fn)
        if count:
            # The first `count` villages of the policy's own order.
            ranked = rollout_order(choice.depends_on, capex, function=fn, **ranking).order
            already[ranked[:count]] = True
        return already
    codes = list(initially_connected)  # type: ignore[arg-type]
    index = {code: i for i, code in enumerate(plan.columns.code.tolist())}
    unknown = [c for c in codes if not isinstance(c, str) or c not in index]
    if unknown:
        raise ParameterError("initially_connected", f"unknown village codes: {unknown[:5]}", function=fn)
    already[[index[c] for c in codes]] = True
    return already
