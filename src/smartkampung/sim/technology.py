"""Technology choice: per village, the connection with the least lifetime cost.

Fibre along the village's own tree link, a point-to-point microwave hop,
cellular or satellite, each with feasibility limits (range, capacity), are
costed over a horizon (capital plus discounted running costs), and the
cheapest is taken, solved exactly over the fibre tree: a village leaving
fibre takes its whole subtree off fibre, so a village stays on fibre as a
relay whenever that is cheaper for the villages behind it.

:func:`choose_technology` runs in three phases, each a function here: cost
every option of every village (:func:`_option_costs`), check that every
village can be served at all (:func:`_check_servable`), then the dynamic
programme over the tree (:func:`_choose_over_tree`). Money is in the
programme's currency (rupiah for the bundled defaults) [currency].
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, NamedTuple, Protocol

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung import _defaults
from smartkampung._arrays import ARRAY_EQ, readonly_bool, readonly_float, readonly_int
from smartkampung._deprecation import attribute, renamed
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, broadcast_per_village, check_float, check_nonnegative, check_shape
from smartkampung.sim.tree import FibreTree

__all__ = [
    "DEFAULT_DEMAND_MBPS",
    "DEFAULT_DISCOUNT_RATE",
    "DEFAULT_HORIZON_YEARS",
    "DEFAULT_WATER_COST_FACTOR",
    "LINK_KINDS",
    "TechnologyChoice",
    "TechnologyParameters",
    "annuity_factor",
    "choose_technology",
]

#: Real discount rate for lifetime costs: 9 % a year, the general social
#: discount rate of the Asian Development Bank (2017), *Guidelines for the
#: Economic Analysis of Projects*, doi:10.22617/TIM178607-2 (6 % is allowed
#: there for social-sector projects; pass ``discount_rate=0.06`` to use it).
#: [year⁻¹]
DEFAULT_DISCOUNT_RATE: Final[float] = _defaults.DISCOUNT_RATE

#: Horizon over which running costs are counted. Illustrative assumption:
#: 10 years, shorter than the 20–25-year life of buried fibre and about the
#: life of radio and satellite terminals. [year]
DEFAULT_HORIZON_YEARS: Final[float] = _defaults.HORIZON_YEARS

#: Bandwidth a village office needs, for technology feasibility. [Mbps]
#: Illustrative assumption: office services, a public Wi-Fi hotspot and a
#: library corner.
DEFAULT_DEMAND_MBPS: Final[float] = _defaults.DEMAND_MBPS

#: Up-front cost of a km of fibre over water (a submarine or river
#: crossing) over the fibre technology's cost per km on land: 7, i.e. USD
#: 35,000/km (the submarine-cable industry average) over the reference USD
#: 5,000/km, an illustrative assumption (``_defaults.WATER_COST_FACTOR``).
#: A ratio, so the crossing is priced in the programme's currency. [-]
DEFAULT_WATER_COST_FACTOR: Final[float] = _defaults.WATER_COST_FACTOR

#: The link models :func:`choose_technology` knows: ``fibre`` runs along the
#: village's own tree link and needs a fibre parent; ``microwave`` hops in a
#: straight line to a fibre parent or to the nearest point of presence;
#: ``cellular`` needs the village within range of a point of presence;
#: ``satellite`` works anywhere.
LINK_KINDS: Final[tuple[str, ...]] = ("fibre", "microwave", "cellular", "satellite")

# Option modes: fibre on the tree link; needs a fibre parent (a microwave hop
# to it); works anywhere (microwave to the nearest point of presence,
# cellular, satellite).
_FIBRE, _NEEDS_FIBRE_PARENT, _ANYWHERE = 0, 1, 2


class TechnologyParameters(Protocol):
    """What :func:`choose_technology` reads from a technology.

    :class:`smartkampung.model.Technology` satisfies it; so does any object
    with these attributes (one with the old names, ``capex_idr`` and the
    like, is read until the next release, with a :class:`DeprecationWarning`).
    """

    @property
    def id(self) -> str:
        """Identifier; also the link model unless ``link_kinds`` says otherwise."""

    @property
    def capex(self) -> float:
        """Up-front cost per village, in the programme's currency. [currency]"""

    @property
    def capex_per_km(self) -> float:
        """Up-front cost per km of link. [currency/km]"""

    @property
    def opex_per_year(self) -> float:
        """Running cost per village. [currency/year]"""

    @property
    def opex_per_km_year(self) -> float:
        """Running cost per km of link. [currency/km/year]"""

    @property
    def opex_per_mbps_year(self) -> float:
        """Running cost per Mbps of demand. [currency/Mbps/year]"""

    @property
    def max_link_km(self) -> float:
        """Longest feasible link; ``inf`` for none. [km]"""

    @property
    def capacity_mbps(self) -> float:
        """Most bandwidth one village can get. [Mbps]"""


def annuity_factor(horizon_years: float, discount_rate: float) -> float:
    """Present value of 1 (in any currency) a year, paid at the end of each year.

    Parameters
    ----------
    horizon_years : float
        Number of years, > 0 (fractions allowed). [year]
    discount_rate : float
        Real discount rate, >= 0. [year⁻¹]

    Returns
    -------
    float
        ``(1 − (1 + r)^−H) / r``, or ``H`` when ``r = 0``. [year]

    Raises
    ------
    ParameterError
        If ``horizon_years <= 0`` or ``discount_rate < 0`` or either is not
        finite.
    """
    return _annuity_factor(horizon_years, discount_rate, "annuity_factor")


def _annuity_factor(horizon_years: float, discount_rate: float, fn: str) -> float:
    h = check_float(horizon_years, "horizon_years", fn, minimum=0.0, exclusive_minimum=True)
    r = check_float(discount_rate, "discount_rate", fn, minimum=0.0)
    if r == 0:
        return h
    return float(-math.expm1(-h * math.log1p(r)) / r)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@renamed(
    "capex_idr",
    "opex_idr_per_year",
    "lifetime_cost_idr",
    "total_capex_idr",
    "total_opex_idr_per_year",
    "total_lifetime_cost_idr",
)
@attrs.frozen(repr=False)
class TechnologyChoice:
    """The technology each village uses and what it costs.

    Attributes
    ----------
    technology : ndarray of int64, shape (n_villages,)
        Row of the chosen technology in :attr:`technology_ids`.
    technology_ids : tuple of str
        The ``id`` of each technology passed to :func:`choose_technology`.
    on_fibre : ndarray of bool, shape (n_villages,)
        The village is on the fibre tree (possibly only as a relay for the
        villages behind it).
    depends_on : ndarray of int64, shape (n_villages,)
        The village whose connection this one needs first: its tree parent
        for fibre and for a microwave hop to the parent; -1 when it needs
        only the backbone or nothing.
    link_km : ndarray of float64, shape (n_villages,)
        Length the cost was computed on: fibre route, microwave hop,
        distance to the point of presence for cellular, 0 for satellite. [km]
    capex : ndarray of float64, shape (n_villages,)
        Up-front cost, in the programme's currency. [currency]
    opex_per_year : ndarray of float64, shape (n_villages,)
        Running cost. [currency/year]
    lifetime_cost : ndarray of float64, shape (n_villages,)
        ``capex + opex_per_year × annuity_factor``. [currency]
    annuity_factor : float
        Present value of 1 a year over the horizon. [year]

    Notes
    -----
    The old names (``capex_idr``, ``opex_idr_per_year``,
    ``lifetime_cost_idr`` and the ``total_..._idr`` sums) work until the
    next release, with a :class:`DeprecationWarning`.
    """

    technology: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    technology_ids: tuple[str, ...] = attrs.field(converter=_str_tuple)
    on_fibre: NDArray[np.bool_] = attrs.field(converter=readonly_bool, eq=ARRAY_EQ)
    depends_on: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    link_km: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    capex: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    opex_per_year: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    lifetime_cost: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    annuity_factor: float = attrs.field(converter=float)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in self.counts().items())
        return f"TechnologyChoice({self.n_villages} villages; {counts}; capex {self.total_capex:.6g})"

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return int(self.technology.shape[0])

    @property
    def total_capex(self) -> float:
        """Sum of up-front costs. [currency]"""
        return float(np.sum(self.capex))

    @property
    def total_opex_per_year(self) -> float:
        """Sum of running costs. [currency/year]"""
        return float(np.sum(self.opex_per_year))

    @property
    def total_lifetime_cost(self) -> float:
        """Sum of lifetime costs, the quantity :func:`choose_technology` minimises. [currency]"""
        return float(np.sum(self.lifetime_cost))

    def counts(self) -> dict[str, int]:
        """Number of villages per technology id."""
        tally = np.bincount(self.technology, minlength=len(self.technology_ids))
        return {tid: int(c) for tid, c in zip(self.technology_ids, tally, strict=True)}


_TECH_FIELDS: Final[tuple[str, ...]] = (
    "capex",
    "capex_per_km",
    "opex_per_year",
    "opex_per_km_year",
    "opex_per_mbps_year",
    "max_link_km",
    "capacity_mbps",
)


def _technology_table(
    technologies: Sequence[TechnologyParameters], link_kinds: Mapping[str, str] | None, fn: str
) -> tuple[list[str], list[str], NDArray[np.float64]]:
    candidate: object = technologies
    if isinstance(candidate, (str, bytes)) or not isinstance(candidate, Sequence):
        raise ParameterError("technologies", "must be a sequence of technologies", function=fn)
    if len(technologies) == 0:
        raise ParameterError("technologies", "must hold at least one technology", function=fn)
    kinds_map = dict(link_kinds or {})
    for key, kind in kinds_map.items():
        if kind not in LINK_KINDS:
            raise ParameterError("link_kinds", f"{key!r} maps to {kind!r}, not one of {LINK_KINDS}", function=fn)
    ids: list[str] = []
    kinds: list[str] = []
    table = np.empty((len(technologies), len(_TECH_FIELDS)))
    for t, tech in enumerate(technologies):
        tid = getattr(tech, "id", None)
        if not isinstance(tid, str):
            raise ParameterError("technologies", f"item {t} has no string attribute 'id'", function=fn)
        if tid in ids:
            raise ParameterError("technologies", f"duplicate id {tid!r}", function=fn)
        kind = kinds_map.get(tid, tid)
        if kind not in LINK_KINDS:
            raise ParameterError(
                "technologies",
                f"id {tid!r} is not a known link model {LINK_KINDS}; map it to one with link_kinds",
                function=fn,
            )
        ids.append(tid)
        kinds.append(kind)
        for f, field in enumerate(_TECH_FIELDS):
            try:
                value = attribute(tech, field)
            except AttributeError:
                raise ParameterError("technologies", f"{tid!r} has no attribute {field!r}", function=fn) from None
            try:
                x = float(value)
            except (TypeError, ValueError):
                raise ParameterError(
                    "technologies", f"{tid!r}.{field} must be a number, got {value!r}", function=fn
                ) from None
            if math.isnan(x) or x < 0 or (field in ("max_link_km", "capacity_mbps") and x <= 0):
                raise ParameterError(
                    "technologies", f"{tid!r}.{field} must be >= 0 (> 0 for limits), got {value!r}", function=fn
                )
            if math.isinf(x) and field not in ("max_link_km", "capacity_mbps"):
                raise ParameterError("technologies", f"{tid!r}.{field} must be finite", function=fn)
            table[t, f] = x
    return ids, kinds, table


def choose_technology(
    tree: FibreTree,
    backbone_distance_km: ArrayLike,
    demand_mbps: ArrayLike,
    technologies: Sequence[TechnologyParameters],
    *,
    horizon_years: float = DEFAULT_HORIZON_YEARS,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    link_kinds: Mapping[str, str] | None = None,
    water_km: ArrayLike | None = None,
    water_cost_factor: float = DEFAULT_WATER_COST_FACTOR,
) -> TechnologyChoice:
    """Least-lifetime-cost technology per village, keeping fibre relays.

    Parameters
    ----------
    tree : FibreTree
        The fibre tree (from :func:`minimum_fibre_tree`).
    backbone_distance_km : array_like, shape (n_villages,)
        Great-circle distance from each village to its nearest point of
        presence (see :func:`nearest_backbone`). [km]
    demand_mbps : array_like, scalar or shape (n_villages,)
        Bandwidth each village office needs. [Mbps]
    technologies : sequence of TechnologyParameters
        Candidate technologies, e.g.
        :data:`smartkampung.model.DEFAULT_TECHNOLOGIES`. Each ``id`` (or its
        entry in ``link_kinds``) names its link model, one of
        :data:`LINK_KINDS`; several technologies may share a link model.
    horizon_years : float, default :data:`DEFAULT_HORIZON_YEARS` (10)
        Years of running costs counted. Illustrative assumption. [year]
    discount_rate : float, default :data:`DEFAULT_DISCOUNT_RATE` (0.09)
        Real discount rate (ADB 2017 general rate). [year⁻¹]
    link_kinds : mapping of str to str, optional
        Link model of technologies whose ``id`` is not one of
        :data:`LINK_KINDS`, e.g. ``{"leo": "satellite"}``.
    water_km : array_like, shape (n_villages,), optional
        Great-circle km of each village's tree link that runs over water
        (from :func:`smartkampung.sim.land.water_km`); at most the link's
        straight length. Default: none. [km]
    water_cost_factor : float, default :data:`DEFAULT_WATER_COST_FACTOR` (7)
        Up-front cost per km of fibre over water as a multiple of the fibre
        technology's ``capex_per_km``. [-]

    Returns
    -------
    TechnologyChoice

    Raises
    ------
    ParameterError
        On bad arguments, or when some village cannot be served by any
        technology (its demand exceeds every feasible capacity, or every
        link is out of range): the message counts them and names the first.

    Notes
    -----
    *Costs.* For technology ``t`` over a link of length ``L``:
    ``capex = capex + capex_per_km L``, ``opex = opex_per_year +
    opex_per_km_year L + opex_per_mbps_year demand`` (the technology's
    parameters, in the programme's currency) and
    ``lifetime = capex + opex AF`` with the annuity factor ``AF = (1 − (1 +
    r)^−H) / r`` (``AF = H`` for ``r = 0``): running costs paid at the end of
    each of ``H`` years, discounted at rate ``r``. ``L`` is the tree link
    ``link_km`` for fibre; for microwave the straight-line hop to the tree
    parent (``link_km / route_factor``) when the parent is on fibre (for a
    village at the backbone, its point of presence) or else the hop to the
    nearest point of presence; ``backbone_distance_km`` for cellular; 0 for
    satellite. A technology is feasible when ``demand <= capacity_mbps`` and
    ``L <= max_link_km``.

    *Water.* A fibre link with ``W`` km of its straight line over water is
    laid straight across the water and along the route on land: its length
    is ``L_land + W`` with ``L_land = L (1 − W / S)`` (``S`` the straight
    length), and its capital cost ``capex + capex_per_km (L_land +
    water_cost_factor W)``. A microwave hop over water costs what it
    costs over land (radio crosses water well), so the choice may leave a
    crossing to microwave or satellite.

    *Relay rule.* Fibre can only hang from fibre: a village off fibre takes
    its whole subtree off fibre. The exact optimum is a dynamic programme
    over the tree, in reverse topological order. With ``f(v)`` the fibre
    cost, ``a1(v)`` the best alternative when the parent is on fibre (or is
    the backbone), ``a0(v)`` the best alternative when it is not (microwave
    to the nearest point of presence, cellular, satellite):

    * ``A(v) = a0(v) + Σ_c A(c)`` -- subtree cost when ``v``'s parent is off
      fibre;
    * ``F(v) = f(v) + Σ_c min(F(c), a1(c) + Σ_g A(g))`` -- subtree cost with
      ``v`` on fibre (``g`` runs over the children of ``c``);
    * a village at the backbone costs ``min(F(v), a1(v) + Σ_c A(c))``.

    So a village stays on fibre, even where another technology would be
    cheaper for it alone, whenever that is cheaper for its subtree. The sums
    run level by level from the deepest (``numpy.add.at`` on the parents), and
    the choices are read back from the top: ``O(n)`` work in ``O(depth)``
    vectorised steps. Ties go to fibre.
    """
    fn = "choose_technology"
    if not isinstance(tree, FibreTree):
        raise ParameterError("tree", f"must be a FibreTree, got {type(tree).__name__}", function=fn)
    n = tree.n_villages
    dist = as_float_array(backbone_distance_km, "backbone_distance_km", fn)
    check_shape(dist, (n,), "backbone_distance_km", fn)
    check_nonnegative(dist, "backbone_distance_km", fn)
    demand = broadcast_per_village(demand_mbps, n, "demand_mbps", fn)
    check_nonnegative(demand, "demand_mbps", fn)
    ids, kinds, table = _technology_table(technologies, link_kinds, fn)
    af = _annuity_factor(horizon_years, discount_rate, fn)
    water = np.zeros(n) if water_km is None else as_float_array(water_km, "water_km", fn)
    check_shape(water, (n,), "water_km", fn)
    check_nonnegative(water, "water_km", fn)
    if (water > tree.straight_km * (1 + 1e-9) + 1e-9).any():
        raise ParameterError("water_km", "must not exceed the straight length of the link", function=fn)
    water_price = check_float(water_cost_factor, "water_cost_factor", fn, minimum=0.0)

    options = _option_costs(tree, dist, demand, kinds, table, af, water, water_price)
    levels = _levels(tree.depth)
    _check_servable(tree.parent, levels, options, demand, dist, fn)
    chosen, on_fibre = _choose_over_tree(tree.parent, levels, options)

    cols = np.arange(n)
    uses_parent = (options.mode[chosen] <= _NEEDS_FIBRE_PARENT) & (tree.parent >= 0)
    return TechnologyChoice(
        technology=options.technology[chosen],
        technology_ids=tuple(ids),
        on_fibre=on_fibre,
        depends_on=np.where(uses_parent, tree.parent, -1),
        link_km=options.length[chosen, cols],
        capex=options.capex[chosen, cols],
        opex_per_year=options.opex[chosen, cols],
        lifetime_cost=options.lifetime[chosen, cols],
        annuity_factor=af,
    )


class _Options(NamedTuple):
    """Every way to connect every village: one row per (technology, link) option."""

    technology: NDArray[np.int64]  # (k,) row of the technology in the table
    mode: NDArray[np.int64]  # (k,) _FIBRE, _NEEDS_FIBRE_PARENT or _ANYWHERE
    length: NDArray[np.float64]  # (k, n) link length the option is costed on [km]
    capex: NDArray[np.float64]  # (k, n) [currency]
    opex: NDArray[np.float64]  # (k, n) [currency/year]
    lifetime: NDArray[np.float64]  # (k, n) capex + AF x opex, inf where infeasible [currency]

    def best(self, modes: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Cheapest lifetime cost per village among the options of the given modes, and which option."""
        n = self.lifetime.shape[1]
        rows = np.flatnonzero(modes)
        if rows.size == 0:
            return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
        sub = self.lifetime[rows]
        arg = np.argmin(sub, axis=0)
        return sub[arg, np.arange(n)], rows[arg].astype(np.int64)


def _option_costs(
    tree: FibreTree,
    dist: NDArray[np.float64],
    demand: NDArray[np.float64],
    kinds: list[str],
    table: NDArray[np.float64],
    af: float,
    water: NDArray[np.float64] | None = None,
    water_price: float = 0.0,
) -> _Options:
    """Phase 1: capex, opex and lifetime cost of every option of every village."""
    n = tree.n_villages
    hop_parent_km = tree.straight_km
    water = np.zeros(n) if water is None else water
    with np.errstate(invalid="ignore", divide="ignore"):
        land_share = np.where(hop_parent_km > 0, 1.0 - water / hop_parent_km, 1.0)
    land_km = np.asarray(tree.link_km, dtype=np.float64) * np.clip(land_share, 0.0, 1.0)
    fibre_km = land_km + water
    zero = np.zeros(n)
    specs: list[tuple[int, int, NDArray[np.float64]]] = []
    for t, kind in enumerate(kinds):
        if kind == "fibre":
            specs.append((t, _FIBRE, fibre_km))
        elif kind == "microwave":
            specs.append((t, _NEEDS_FIBRE_PARENT, hop_parent_km))
            specs.append((t, _ANYWHERE, dist))
        elif kind == "cellular":
            specs.append((t, _ANYWHERE, dist))
        else:
            specs.append((t, _ANYWHERE, zero))
    k = len(specs)
    capex = np.empty((k, n))
    opex = np.empty((k, n))
    life = np.empty((k, n))
    for o, (t, mode, length) in enumerate(specs):
        c0, c_km, o0, o_km, o_mbps, max_km, cap = table[t]
        if mode == _FIBRE:
            capex[o] = c0 + c_km * (land_km + water_price * water)
        else:
            capex[o] = c0 + c_km * length
        opex[o] = o0 + o_km * length + o_mbps * demand
        feasible = (demand <= cap) & (length <= max_km)
        life[o] = np.where(feasible, capex[o] + af * opex[o], np.inf)
    return _Options(
        technology=np.array([t for t, _, _ in specs], dtype=np.int64),
        mode=np.array([m for _, m, _ in specs], dtype=np.int64),
        length=np.stack([length for _, _, length in specs]),
        capex=capex,
        opex=opex,
        lifetime=life,
    )


def _levels(depth: NDArray[np.int64]) -> list[NDArray[np.int64]]:
    """Villages grouped by depth, from the backbone down."""
    by_depth = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[by_depth], np.arange(1, int(depth.max(initial=0)) + 2))
    return [by_depth[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]


def _check_servable(
    parent: NDArray[np.int64],
    levels: list[NDArray[np.int64]],
    options: _Options,
    demand: NDArray[np.float64],
    dist: NDArray[np.float64],
    fn: str,
) -> None:
    """Phase 2: refuse, before optimising, when some village can be served by nothing.

    A village can be served if it has a standalone option, or if its chain of
    ancestors can all be fibre and it can take fibre or a microwave hop from
    its parent.
    """
    n = parent.shape[0]
    f_cost = options.best(options.mode == _FIBRE)[0]
    a0_cost = options.best(options.mode == _ANYWHERE)[0]
    a1_cost = options.best(options.mode >= _NEEDS_FIBRE_PARENT)[0]
    chain_ok = np.zeros(n, dtype=np.bool_)
    servable = np.zeros(n, dtype=np.bool_)
    for idx in levels:
        p = parent[idx]
        up_ok = np.where(p >= 0, chain_ok[np.maximum(p, 0)], True)
        chain_ok[idx] = up_ok & np.isfinite(f_cost[idx])
        servable[idx] = np.isfinite(a0_cost[idx]) | (up_ok & (np.isfinite(f_cost[idx]) | np.isfinite(a1_cost[idx])))
    if not servable.all():
        bad = np.flatnonzero(~servable)
        raise ParameterError(
            "technologies",
            f"no feasible technology for {bad.size} village(s) (first: row {int(bad[0])}, "
            f"demand {float(demand[bad[0]])} Mbps, {float(dist[bad[0]]):.3f} km from the "
            "backbone): demand exceeds every capacity or every link is out of range",
            function=fn,
        )


def _choose_over_tree(
    parent: NDArray[np.int64], levels: list[NDArray[np.int64]], options: _Options
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Phase 3: the dynamic programme (bottom-up subtree costs, top-down choices); see Notes above.

    Returns the option chosen for each village and whether it is on fibre.
    """
    n = parent.shape[0]
    f_cost, f_opt = options.best(options.mode == _FIBRE)
    a0_cost, a0_opt = options.best(options.mode == _ANYWHERE)
    a1_cost, a1_opt = options.best(options.mode >= _NEEDS_FIBRE_PARENT)
    # Bottom-up: subtree costs.
    sum_a = np.zeros(n)  # Σ over children of A(c)
    sum_best = np.zeros(n)  # Σ over children of min(F(c), a1(c) + Σ A(g))
    prefer_fibre = np.zeros(n, dtype=np.bool_)
    for idx in reversed(levels):
        a_sub = a0_cost[idx] + sum_a[idx]
        f_sub = f_cost[idx] + sum_best[idx]
        alt_sub = a1_cost[idx] + sum_a[idx]
        pf = f_sub <= alt_sub
        prefer_fibre[idx] = pf
        p = parent[idx]
        inner = p >= 0
        np.add.at(sum_a, p[inner], a_sub[inner])
        np.add.at(sum_best, p[inner], np.where(pf, f_sub, alt_sub)[inner])
    # Top-down: read the choices back.
    on_fibre = np.zeros(n, dtype=np.bool_)
    parent_fibre = np.zeros(n, dtype=np.bool_)
    for idx in levels:
        p = parent[idx]
        pfib = np.where(p >= 0, on_fibre[np.maximum(p, 0)], True)
        parent_fibre[idx] = pfib
        on_fibre[idx] = pfib & prefer_fibre[idx]
    chosen = np.where(on_fibre, f_opt, np.where(parent_fibre, a1_opt, a0_opt))
    return chosen, on_fibre
