"""Fibre tree and technology choice: the network model on arrays.

Three pieces, all pure functions on numpy arrays:

* :func:`minimum_fibre_tree` -- the cheapest tree that reaches every village
  from the fibre backbone (an exact minimum spanning tree on the sphere, in
  ``O(n log n)``), returned as a :class:`FibreTree` of per-village arrays;
* :func:`choose_technology` -- per village, fibre, microwave, cellular or
  satellite at the least lifetime cost, solved exactly over the tree so that a
  village leaving the fibre tree never strands the villages behind it;
* :func:`steiner_tree_on_roads` -- when a road graph is known, Mehlhorn's
  2-approximation of the Steiner tree that joins villages and points of
  presence along the roads.

Distances are great-circle distances on a sphere of the Earth's mean radius
[km]. Money is in rupiah [IDR].
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Protocol

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._arrays import ARRAY_EQ, readonly_bool, readonly_float, readonly_int
from smartkampung._errors import ParameterError
from smartkampung._validation import (
    as_float_array,
    as_int_array,
    broadcast_per_village,
    check_in_range,
    check_nonnegative,
    check_shape,
)

__all__ = [
    "DEFAULT_DISCOUNT_RATE",
    "DEFAULT_HORIZON_YEARS",
    "DEFAULT_ROUTE_FACTOR",
    "EARTH_MEAN_RADIUS_KM",
    "LINK_KINDS",
    "FibreTree",
    "RoadSteinerTree",
    "TechnologyChoice",
    "TechnologyParameters",
    "annuity_factor",
    "choose_technology",
    "great_circle_km",
    "minimum_fibre_tree",
    "nearest_backbone",
    "steiner_tree_on_roads",
]

#: Mean radius of the Earth, ``R1 = (2a + b) / 3`` of the GRS 80 ellipsoid as
#: recommended by the IUGG: 6,371,008.7714 m (Moritz, H. (2000). Geodetic
#: Reference System 1980. *Journal of Geodesy* 74, 128–133,
#: doi:10.1007/s001900050278). [km]
EARTH_MEAN_RADIUS_KM: Final[float] = 6371.0088

#: Ratio of the length of a fibre route (along roads and poles) to the
#: great-circle distance it spans. Illustrative assumption: 1.3, the middle of
#: the circuity factors of about 1.2–1.4 reported for road networks (Newell,
#: G. F. (1980). *Traffic Flow on Transportation Networks*, MIT Press, about
#: 1.2 in cities; Ballou, R. H., Rahardja, H., Sakai, N. (2002). Selected
#: country circuity factors for road and rail network distances.
#: *International Journal of Physical Distribution & Logistics Management*
#: 32, for national networks). [dimensionless]
DEFAULT_ROUTE_FACTOR: Final[float] = 1.3

#: Real discount rate for lifetime costs: 9 % a year, the general social
#: discount rate of the Asian Development Bank (2017), *Guidelines for the
#: Economic Analysis of Projects*, doi:10.22617/TIM178607-2 (6 % is allowed
#: there for social-sector projects; pass ``discount_rate=0.06`` to use it).
#: [year⁻¹]
DEFAULT_DISCOUNT_RATE: Final[float] = 0.09

#: Horizon over which running costs are counted. Illustrative assumption:
#: 10 years, shorter than the 20–25-year life of buried fibre and about the
#: life of radio and satellite terminals. [year]
DEFAULT_HORIZON_YEARS: Final[float] = 10.0

#: The link models :func:`choose_technology` knows: ``fibre`` runs along the
#: village's own tree link and needs a fibre parent; ``microwave`` hops in a
#: straight line to a fibre parent or to the nearest point of presence;
#: ``cellular`` needs the village within range of a point of presence;
#: ``satellite`` works anywhere.
LINK_KINDS: Final[tuple[str, ...]] = ("fibre", "microwave", "cellular", "satellite")

# Up to this many distinct points, candidate edges are all pairs (exact and
# cheap); above it, the spherical Delaunay triangulation.
_DENSE_LIMIT: Final[int] = 64
# Neighbours added as candidate edges for points the hull could not place.
_SAFETY_NEIGHBOURS: Final[int] = 8
# Chord below which two points count as nearly coincident (about 6 m on the
# Earth), and the largest such cluster given all-pairs treatment.
_NEAR_CHORD: Final[float] = 1e-6
_CLUSTER_LIMIT: Final[int] = 16


# --------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------


def _check_lat_lon(
    lat: NDArray[np.float64], lon: NDArray[np.float64], lat_name: str, lon_name: str, function: str
) -> None:
    check_in_range(lat, -90.0, 90.0, lat_name, function)
    check_in_range(lon, -180.0, 180.0, lon_name, function)


def _haversine_km(
    lat1: NDArray[np.float64],
    lon1: NDArray[np.float64],
    lat2: NDArray[np.float64],
    lon2: NDArray[np.float64],
) -> NDArray[np.float64]:
    phi1 = np.radians(lat1)
    phi2 = np.radians(lat2)
    s_phi = np.sin(0.5 * (phi2 - phi1))
    s_lam = np.sin(0.5 * np.radians(lon2 - lon1))
    a = s_phi * s_phi + np.cos(phi1) * np.cos(phi2) * s_lam * s_lam
    a = np.clip(a, 0.0, 1.0)
    out: NDArray[np.float64] = (
        2.0 * EARTH_MEAN_RADIUS_KM * np.arctan2(np.sqrt(a), np.sqrt(1.0 - a))
    )
    return out


def great_circle_km(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> NDArray[np.float64]:
    """Great-circle distance between points, by the haversine formula.

    Parameters
    ----------
    lat1_deg, lon1_deg : array_like
        First point(s): latitude positive north, longitude positive east.
        [degrees; latitude in -90..90, longitude in -180..180]
    lat2_deg, lon2_deg : array_like
        Second point(s), same conventions. All four arguments broadcast
        against each other.

    Returns
    -------
    ndarray of float64
        Distance along the sphere of radius :data:`EARTH_MEAN_RADIUS_KM`,
        in the broadcast shape of the inputs (0-d for scalars). [km]

    Raises
    ------
    ParameterError
        If a coordinate is not finite, out of range, or the shapes do not
        broadcast.

    Notes
    -----
    ``d = 2 R atan2(√a, √(1 − a))`` with ``a = sin²(Δφ/2) + cos φ₁ cos φ₂
    sin²(Δλ/2)``: accurate for small distances (no ``acos`` of a number near
    one) and for nearly antipodal points. The Earth is taken as a sphere; the
    error against the ellipsoid is below about 0.5 %.

    References
    ----------
    .. [1] Sinnott, R. W. (1984). Virtues of the haversine. *Sky and
       Telescope* 68(2), 159.
    """
    fn = "great_circle_km"
    names = ("lat1_deg", "lon1_deg", "lat2_deg", "lon2_deg")
    arrays = [as_float_array(v, n, fn) for v, n in zip((lat1_deg, lon1_deg, lat2_deg, lon2_deg), names, strict=True)]
    shape: tuple[int, ...] = ()
    for arr, name in zip(arrays, names, strict=True):
        try:
            shape = np.broadcast_shapes(shape, arr.shape)
        except ValueError:
            raise ParameterError(
                name, f"shape {arr.shape} does not broadcast with {shape}", function=fn
            ) from None
    _check_lat_lon(arrays[0], arrays[1], names[0], names[1], fn)
    _check_lat_lon(arrays[2], arrays[3], names[2], names[3], fn)
    return np.asarray(_haversine_km(*arrays))


def _unit_vectors(lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points as 3-D unit vectors, shape ``(n, 3)``."""
    phi = np.radians(lat_deg)
    lam = np.radians(lon_deg)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def nearest_backbone(
    lat_deg: ArrayLike, lon_deg: ArrayLike, pop_lat_deg: ArrayLike, pop_lon_deg: ArrayLike
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The nearest point of presence to each village, and how far it is.

    Parameters
    ----------
    lat_deg, lon_deg : array_like, shape (n_villages,)
        Village positions. [degrees]
    pop_lat_deg, pop_lon_deg : array_like, shape (n_pops,)
        Backbone points of presence, ``n_pops >= 1``. [degrees]

    Returns
    -------
    index : ndarray of int64, shape (n_villages,)
        Row of the nearest point of presence.
    distance_km : ndarray of float64, shape (n_villages,)
        Great-circle distance to it (no route factor: this is the distance a
        radio link spans). [km]

    Raises
    ------
    ParameterError
        On bad shapes or coordinates, or when there is no point of presence.

    Notes
    -----
    A k-d tree on the points as 3-D unit vectors: chord length is a monotone
    function of great-circle distance, so the nearest by chord is the nearest
    on the sphere. ``O((n_villages + n_pops) log n_pops)``.
    """
    fn = "nearest_backbone"
    lat, lon, plat, plon = _village_and_pop_arrays(lat_deg, lon_deg, pop_lat_deg, pop_lon_deg, fn)
    return _nearest_backbone(lat, lon, plat, plon)


def _nearest_backbone(
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    plat: NDArray[np.float64],
    plon: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    from scipy.spatial import cKDTree

    if lat.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    tree = cKDTree(_unit_vectors(plat, plon))
    _, idx = tree.query(_unit_vectors(lat, lon), k=1)
    index = np.asarray(idx, dtype=np.int64)
    return index, _haversine_km(lat, lon, plat[index], plon[index])


def _village_and_pop_arrays(
    lat_deg: ArrayLike, lon_deg: ArrayLike, pop_lat_deg: ArrayLike, pop_lon_deg: ArrayLike, fn: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    lat = as_float_array(lat_deg, "lat_deg", fn)
    lon = as_float_array(lon_deg, "lon_deg", fn)
    plat = as_float_array(pop_lat_deg, "pop_lat_deg", fn)
    plon = as_float_array(pop_lon_deg, "pop_lon_deg", fn)
    if lat.ndim != 1:
        raise ParameterError("lat_deg", f"must be one-dimensional, got shape {lat.shape}", function=fn)
    check_shape(lon, lat.shape, "lon_deg", fn)
    if plat.ndim != 1:
        raise ParameterError(
            "pop_lat_deg", f"must be one-dimensional, got shape {plat.shape}", function=fn
        )
    check_shape(plon, plat.shape, "pop_lon_deg", fn)
    if plat.size == 0:
        raise ParameterError(
            "pop_lat_deg", "needs at least one backbone point of presence", function=fn
        )
    _check_lat_lon(lat, lon, "lat_deg", "lon_deg", fn)
    _check_lat_lon(plat, plon, "pop_lat_deg", "pop_lon_deg", fn)
    return lat, lon, plat, plon


# --------------------------------------------------------------------------
# Trees
# --------------------------------------------------------------------------




def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _depths(parent: NDArray[np.int64], name: str, function: str) -> NDArray[np.int64]:
    """Links from the backbone to each village (roots have depth 1).

    Pointer jumping (Wyllie's list ranking): every round each village adds
    the depth of its current ancestor and jumps to that ancestor's ancestor,
    so ``ceil(log2(max depth)) + 1`` vectorised rounds suffice. A cycle never
    reaches the backbone and is reported.
    """
    n = parent.shape[0]
    depth = np.ones(n, dtype=np.int64)
    anc = parent.copy()
    max_rounds = max(1, math.ceil(math.log2(max(n, 1))) + 2)
    for _ in range(max_rounds):
        live = anc >= 0
        if not live.any():
            return depth
        up = anc[live]
        depth[live] += depth[up]
        anc[live] = anc[up]
    bad = np.flatnonzero(anc >= 0)
    raise ParameterError(
        name,
        f"is not a tree: {bad.size} villages (first: {int(bad[0])}) never reach the backbone "
        "(the parent links contain a cycle)",
        function=function,
    )


@attrs.frozen
class FibreTree:
    """A fibre tree hanging from the backbone, as per-village arrays.

    Build one with :func:`minimum_fibre_tree`, or from a known parent array
    with :meth:`from_parents`. The arrays are read-only; the constructor
    checks that they describe a tree.

    Attributes
    ----------
    parent : ndarray of int64, shape (n_villages,)
        The village this village's fibre comes from, or -1 when it connects
        straight to the backbone.
    backbone_index : ndarray of int64, shape (n_villages,)
        For ``parent == -1``, the row of the point of presence it connects
        to; -1 otherwise.
    link_km : ndarray of float64, shape (n_villages,)
        Length of the fibre link to the parent (or point of presence): the
        great-circle distance times :attr:`route_factor`. [km]
    order : ndarray of int64, shape (n_villages,)
        A topological order: every parent comes before its children (here,
        villages sorted by depth).
    depth : ndarray of int64, shape (n_villages,)
        Number of fibre links from the backbone to the village; 1 for a
        village connected straight to the backbone. [links]
    route_factor : float
        Route length over great-circle distance used for ``link_km``.
        [dimensionless]
    """

    parent: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    backbone_index: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    link_km: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    order: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    depth: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    route_factor: float = attrs.field(converter=float)

    def __attrs_post_init__(self) -> None:
        fn = "FibreTree"
        if self.parent.ndim != 1:
            raise ParameterError("parent", "must be one-dimensional", function=fn)
        n = self.parent.shape[0]
        for name in ("backbone_index", "link_km", "order", "depth"):
            check_shape(getattr(self, name), (n,), name, fn)
        if not (math.isfinite(self.route_factor) and self.route_factor >= 1.0):
            raise ParameterError(
                "route_factor", f"must be a finite number >= 1, got {self.route_factor!r}", function=fn
            )
        if n == 0:
            return
        if self.parent.min() < -1 or self.parent.max() >= n:
            raise ParameterError("parent", f"must hold -1 or a village row in [0, {n})", function=fn)
        roots = self.parent < 0
        if np.any(self.backbone_index[~roots] != -1) or np.any(self.backbone_index[roots] < 0):
            raise ParameterError(
                "backbone_index",
                "must be >= 0 exactly where parent == -1 and -1 elsewhere",
                function=fn,
            )
        check_nonnegative(self.link_km, "link_km", fn)
        if not np.array_equal(np.sort(self.order), np.arange(n)):
            raise ParameterError("order", "must be a permutation of the village rows", function=fn)
        position = np.empty(n, dtype=np.int64)
        position[self.order] = np.arange(n)
        kids = np.flatnonzero(~roots)
        if np.any(position[self.parent[kids]] >= position[kids]):
            raise ParameterError("order", "must list every parent before its children", function=fn)
        expected = np.ones(n, dtype=np.int64)
        # With a valid topological order, depth consistency is a local check.
        expected[kids] = self.depth[self.parent[kids]] + 1
        if not np.array_equal(self.depth, expected):
            raise ParameterError(
                "depth", "must be 1 at the backbone and parent depth + 1 below it", function=fn
            )

    @classmethod
    def from_parents(
        cls,
        parent: ArrayLike,
        link_km: ArrayLike,
        *,
        backbone_index: ArrayLike | None = None,
        route_factor: float = 1.0,
    ) -> FibreTree:
        """A tree from its parent array (computing depth and order).

        Parameters
        ----------
        parent : array_like of int, shape (n_villages,)
            Parent village row, -1 for a village connected to the backbone.
        link_km : array_like of float, shape (n_villages,)
            Fibre route length of each village's link. [km]
        backbone_index : array_like of int, shape (n_villages,), optional
            Point of presence of each root (-1 elsewhere). Default: 0 for
            every root, as for a backbone with one point of presence.
        route_factor : float, default 1.0
            Route length over straight-line length of ``link_km``, used by
            :func:`choose_technology` to recover microwave hop lengths.
            [dimensionless]

        Returns
        -------
        FibreTree

        Raises
        ------
        ParameterError
            If the parent links contain a cycle or an index out of range, or
            an array has the wrong shape.
        """
        fn = "FibreTree.from_parents"
        par = as_int_array(parent, "parent", fn)
        if par.ndim != 1:
            raise ParameterError("parent", f"must be one-dimensional, got shape {par.shape}", function=fn)
        n = par.shape[0]
        if n and (par.min() < -1 or par.max() >= n):
            raise ParameterError("parent", f"must hold -1 or a village row in [0, {n})", function=fn)
        links = as_float_array(link_km, "link_km", fn)
        check_shape(links, (n,), "link_km", fn)
        check_nonnegative(links, "link_km", fn)
        if backbone_index is None:
            bb = np.where(par < 0, 0, -1).astype(np.int64)
        else:
            bb = as_int_array(backbone_index, "backbone_index", fn)
            check_shape(bb, (n,), "backbone_index", fn)
        depth = _depths(par, "parent", fn)
        order = np.argsort(depth, kind="stable")
        return cls(par, bb, links, order, depth, route_factor)

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return int(self.parent.shape[0])

    @property
    def total_km(self) -> float:
        """Total fibre route length, the sum of :attr:`link_km`. [km]"""
        return float(np.sum(self.link_km))

    @property
    def straight_km(self) -> NDArray[np.float64]:
        """Great-circle length of each link, ``link_km / route_factor``. [km]"""
        return np.asarray(self.link_km / self.route_factor)


def _candidate_edges(xyz: NDArray[np.float64]) -> NDArray[np.int64]:
    """Pairs ``(i, j)``, ``i < j``, that contain every minimum-spanning-tree edge.

    *xyz* holds distinct unit vectors. Small sets: all pairs. Otherwise the
    edges of the convex hull (the Delaunay triangulation on the sphere); if
    the points are coplanar (all on one circle) the hull does not exist and
    the circle's consecutive pairs are used. Near-coincident clusters get
    the extra edges of :func:`_near_cluster_edges`; points the hull leaves
    out (closer to a hull vertex than Qhull's precision) and large clumps get
    edges to their nearest neighbours.
    """
    from scipy.spatial import ConvexHull, QhullError, cKDTree

    m = xyz.shape[0]
    if m <= 1:
        return np.zeros((0, 2), dtype=np.int64)
    if m <= _DENSE_LIMIT:
        i, j = np.triu_indices(m, k=1)
        return np.column_stack((i, j)).astype(np.int64)
    parts: list[NDArray[np.int64]] = []
    try:
        simplices = np.asarray(ConvexHull(xyz).simplices, dtype=np.int64)
    except QhullError:
        parts.append(_circle_edges(xyz))
        loose = np.arange(m)
    else:
        hull_edges = np.concatenate(
            (simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]])
        )
        parts.append(hull_edges)
        placed = np.zeros(m, dtype=np.bool_)
        placed[simplices.ravel()] = True
        cluster_edges, big = _near_cluster_edges(xyz, hull_edges)
        parts.append(cluster_edges)
        loose = np.flatnonzero(~placed | big)
    if loose.size:
        k = min(_SAFETY_NEIGHBOURS + 1, m)
        _, nbr = cKDTree(xyz).query(xyz[loose], k=k)
        nbr = np.asarray(nbr, dtype=np.int64)
        parts.append(np.column_stack((np.repeat(loose, k), nbr.ravel())))
    edges = np.concatenate(parts)
    edges = edges[edges[:, 0] != edges[:, 1]]
    edges.sort(axis=1)
    key = np.unique(edges[:, 0] * m + edges[:, 1])
    return np.column_stack((key // m, key % m))


def _near_cluster_edges(
    xyz: NDArray[np.float64], hull_edges: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Extra candidate edges around points nearly on top of each other.

    Where distinct points are closer than about ``sqrt(machine epsilon)``
    of the radius (~0.1 m), Qhull merges nearly coplanar facets and
    re-triangulates them, so a hull edge from such a cluster may start at the
    wrong member. Every member of a cluster (points chained by gaps under
    :data:`_NEAR_CHORD`) is given the union of the members' hull neighbours,
    and the members are joined pairwise. Clusters larger than
    :data:`_CLUSTER_LIMIT` are flagged for nearest-neighbour edges instead.
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    m = xyz.shape[0]
    none = np.zeros((0, 2), dtype=np.int64)
    # Near pairs from a bounded k-nearest query (a dense clump cannot blow
    # up the pair count; it just becomes one large cluster).
    k = min(_SAFETY_NEIGHBOURS + 1, m)
    dist, nbr = cKDTree(xyz).query(xyz, k=k, distance_upper_bound=_NEAR_CHORD)
    close = np.isfinite(np.asarray(dist)) & (np.asarray(nbr) != np.arange(m)[:, None])
    if not close.any():
        return none, np.zeros(m, dtype=np.bool_)
    pairs = np.column_stack(
        (np.nonzero(close)[0], np.asarray(nbr, dtype=np.int64)[close])
    ).astype(np.int64)
    link = coo_array((np.ones(pairs.shape[0]), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
    _, label = connected_components(link, directed=False)
    label = np.asarray(label, dtype=np.int64)
    size = np.bincount(label)
    small = (size[label] > 1) & (size[label] <= _CLUSTER_LIMIT)
    big = size[label] > _CLUSTER_LIMIT
    # (cluster label, target point) for every hull edge leaving a member,
    # and every member itself.
    both = np.concatenate((hull_edges, hull_edges[:, ::-1]))
    leaving = both[small[both[:, 0]]]
    members = np.flatnonzero(small)
    lab = np.concatenate((label[leaving[:, 0]], label[members]))
    target = np.concatenate((leaving[:, 1], members))
    # Expand each (label, target) to (member, target) for all members.
    by_label = members[np.argsort(label[members], kind="stable")]
    sorted_labels = label[by_label]
    start = np.searchsorted(sorted_labels, lab, side="left")
    count = np.searchsorted(sorted_labels, lab, side="right") - start
    offs = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    src = by_label[np.repeat(start, count) + offs]
    return np.column_stack((src, np.repeat(target, count))), big


def _circle_edges(xyz: NDArray[np.float64]) -> NDArray[np.int64]:
    """Consecutive pairs of points lying on one circle of the sphere.

    For points on a circle, a pair that is not consecutive has another point
    on the shorter arc between them, nearer to both: so the pair is not in the
    relative neighbourhood graph and not in the minimum spanning tree.
    """
    centre = xyz.mean(axis=0)
    _, _, vt = np.linalg.svd(xyz - centre)
    normal = vt[2]
    offset = xyz - float(centre @ normal) * normal
    angle = np.arctan2(offset @ vt[1], offset @ vt[0])
    ring = np.argsort(angle, kind="stable").astype(np.int64)
    return np.column_stack((ring, np.roll(ring, -1)))


def minimum_fibre_tree(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    pop_lat_deg: ArrayLike,
    pop_lon_deg: ArrayLike,
    *,
    route_factor: float = DEFAULT_ROUTE_FACTOR,
) -> FibreTree:
    """The shortest fibre tree that reaches every village from the backbone.

    A minimum spanning tree of the villages and the backbone's points of
    presence, with all points of presence merged into one root (fibre
    between two points of presence is already there and costs nothing).

    Parameters
    ----------
    lat_deg, lon_deg : array_like, shape (n_villages,)
        Village positions (e.g. the village office). [degrees]
    pop_lat_deg, pop_lon_deg : array_like, shape (n_pops,)
        Points of presence of the backbone, ``n_pops >= 1``. [degrees]
    route_factor : float, default :data:`DEFAULT_ROUTE_FACTOR` (1.3)
        Length of a fibre route over the great-circle distance it spans;
        >= 1. The default is an illustrative assumption (see
        :data:`DEFAULT_ROUTE_FACTOR`). A constant factor does not change which
        tree is shortest, only the reported lengths. [dimensionless]

    Returns
    -------
    FibreTree
        Per-village ``parent``, ``backbone_index``, ``link_km``, ``order``
        and ``depth``; ``total_km`` is the tree's route length.

    Raises
    ------
    ParameterError
        If a coordinate is out of range or not finite, the shapes differ,
        there is no point of presence, or ``route_factor < 1``.

    Notes
    -----
    *Exactness.* Let ``G`` be the complete graph on villages and points of
    presence, with great-circle weights except weight 0 between two points of
    presence; its minimum spanning trees are exactly the trees this function
    looks for. If an edge ``uv`` with a village end is not an edge of the
    relative neighbourhood graph, some point ``w`` is strictly nearer to both
    ``u`` and ``v`` than they are to each other, so ``uv`` is the strictly
    heaviest edge of the cycle ``u w v`` in ``G`` and lies in no minimum
    spanning tree. The relative neighbourhood graph is contained in every
    Delaunay triangulation (its edges have an empty closed diametral cap), so
    the Delaunay edges plus the point-of-presence pairs contain every minimum
    spanning tree edge, and the tree found on them is a minimum spanning tree
    of ``G``. On the sphere the Delaunay triangulation is the convex hull of
    the points as 3-D unit vectors (``scipy.spatial.ConvexHull``): chord
    length orders pairs exactly as great-circle length does, so empty
    spherical caps are empty half-spaces. The spanning tree is then computed
    on the candidate edges' great-circle lengths (haversine, accurate for
    points centimetres apart). This holds over any area, across the
    antimeridian and at the poles, where a Delaunay triangulation of raw
    latitude/longitude misses tree edges.

    *Cost.* Hull ``O(n log n)``, ``O(n)`` candidate edges, Kruskal on those,
    a breadth-first search for the parents, pointer jumping for the depths:
    ``O(n log n)`` in all, with ``n = n_villages + n_pops``.

    *Degenerate input.* Up to 64 distinct points, all pairs are candidates.
    Villages at identical coordinates hang from the first of them with a
    0 km link; villages sitting exactly on a point of presence connect to it
    with a 0 km link. Points on one circle (e.g. all at one latitude), for
    which no hull exists, use consecutive pairs along the circle (plus 8
    nearest neighbours). Where distinct points lie within about 6 m of each
    other, Qhull's precision handling can re-triangulate around them; each
    such cluster's members get the union of the members' hull neighbours
    (clusters of up to 16 points; larger clumps, their 8 nearest
    neighbours). With 4-point clusters from 1e-12° to 1e-5° wide inside a
    110 km region the total matches the complete-graph tree to 1e-9
    (2e-11 at worst, from rounding at the 0.1 mm scale).
    """
    fn = "minimum_fibre_tree"
    lat, lon, plat, plon = _village_and_pop_arrays(lat_deg, lon_deg, pop_lat_deg, pop_lon_deg, fn)
    rf = _route_factor(route_factor, fn)
    n = lat.shape[0]
    n_pops = plat.shape[0]
    if n == 0:
        empty_i = np.zeros(0, dtype=np.int64)
        return FibreTree(empty_i, empty_i, np.zeros(0), empty_i, empty_i, rf)

    # Distinct points: villages first, then points of presence.
    all_lat = np.concatenate((lat, plat))
    all_lon = np.concatenate((lon, plon))
    xyz_all = _unit_vectors(all_lat, all_lon)
    n_all = n + n_pops
    srt = np.lexsort((xyz_all[:, 2], xyz_all[:, 1], xyz_all[:, 0]))
    s_xyz = xyz_all[srt]
    new_group = np.ones(n_all, dtype=np.bool_)
    new_group[1:] = np.any(s_xyz[1:] != s_xyz[:-1], axis=1)
    group_sorted = np.cumsum(new_group) - 1
    group = np.empty(n_all, dtype=np.int64)
    group[srt] = group_sorted
    n_groups = int(group_sorted[-1]) + 1
    # First member (lowest index) of each group, and its first PoP if any.
    first = np.full(n_groups, n_all, dtype=np.int64)
    np.minimum.at(first, group, np.arange(n_all))
    first_pop = np.full(n_groups, n_all, dtype=np.int64)
    np.minimum.at(first_pop, group[n:], np.arange(n, n_all))
    has_pop = first_pop < n_all
    xyz = xyz_all[first]

    # Contracted nodes: village groups 0..n_vnodes-1, every PoP group -> root.
    n_vnodes = int(np.count_nonzero(~has_pop))
    node = np.full(n_groups, n_vnodes, dtype=np.int64)
    node[~has_pop] = np.arange(n_vnodes)
    root = n_vnodes
    node_rep = first[~has_pop]  # representative village of each village node

    parent_node_pop = np.full(n_vnodes, -1, dtype=np.int64)  # PoP row for root links
    pred = np.full(n_vnodes + 1, -1, dtype=np.int64)
    if n_vnodes:
        pred, parent_node_pop = _contracted_tree(
            xyz, all_lat[first], all_lon[first], node, first_pop - n, has_pop, n_vnodes
        )

    # Back to villages.
    parent = np.full(n, -1, dtype=np.int64)
    backbone = np.full(n, -1, dtype=np.int64)
    g = group[:n]
    on_pop = has_pop[g]
    backbone[on_pop] = first_pop[g[on_pop]] - n
    vnode = node[g]
    rep = first[g]
    is_rep = (~on_pop) & (rep == np.arange(n))
    dup = (~on_pop) & ~is_rep
    parent[dup] = rep[dup]
    rep_idx = np.flatnonzero(is_rep)
    p_node = pred[vnode[rep_idx]]
    to_root = p_node == root
    backbone[rep_idx[to_root]] = parent_node_pop[vnode[rep_idx[to_root]]]
    parent[rep_idx[~to_root]] = node_rep[p_node[~to_root]]

    roots = parent < 0
    tgt_lat = np.where(roots, plat[np.maximum(backbone, 0)], lat[np.maximum(parent, 0)])
    tgt_lon = np.where(roots, plon[np.maximum(backbone, 0)], lon[np.maximum(parent, 0)])
    link = _haversine_km(lat, lon, tgt_lat, tgt_lon) * rf
    depth = _depths(parent, "parent", fn)
    order = np.argsort(depth, kind="stable")
    return FibreTree(parent, backbone, link, order, depth, rf)


def _contracted_tree(
    xyz: NDArray[np.float64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    node: NDArray[np.int64],
    group_pop: NDArray[np.int64],
    has_pop: NDArray[np.bool_],
    n_vnodes: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Minimum spanning tree of the contracted graph, rooted at the backbone.

    Returns the predecessor of every node (``root = n_vnodes``) and, for each
    village node whose tree link goes to the root, the PoP row it uses.
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree

    root = n_vnodes
    pairs = _candidate_edges(xyz)
    a = node[pairs[:, 0]]
    b = node[pairs[:, 1]]
    keep = a != b  # drop PoP-PoP pairs (inside the root)
    pairs, a, b = pairs[keep], a[keep], b[keep]
    # Great-circle length from the coordinates: the same order as chord
    # length, but accurate to the last bits for points centimetres apart.
    i0, i1 = pairs[:, 0], pairs[:, 1]
    w = _positive_weights(_haversine_km(lat[i0], lon[i0], lat[i1], lon[i1]))
    # Orient root edges as (village node, root) and keep the shortest one
    # per village node: the sparse matrix would otherwise add duplicates.
    lo = np.minimum(a, b)
    hi = np.maximum(a, b)
    pop_end = np.where(has_pop[pairs[:, 0]], pairs[:, 0], pairs[:, 1])
    at_root = hi == root
    r_idx = np.flatnonzero(at_root)
    r_sorted = r_idx[np.lexsort((w[r_idx], lo[r_idx]))]
    first_of = np.ones(r_sorted.size, dtype=np.bool_)
    first_of[1:] = lo[r_sorted[1:]] != lo[r_sorted[:-1]]
    best_root = r_sorted[first_of]
    root_pop = np.full(n_vnodes, -1, dtype=np.int64)
    root_pop[lo[best_root]] = group_pop[pop_end[best_root]]
    sel = np.concatenate((np.flatnonzero(~at_root), best_root))
    graph = csr_array((w[sel], (lo[sel], hi[sel])), shape=(n_vnodes + 1, n_vnodes + 1))
    mst = minimum_spanning_tree(graph)
    reached, pred = breadth_first_order(mst, root, directed=False, return_predecessors=True)
    if reached.shape[0] != n_vnodes + 1:  # pragma: no cover - candidate graphs are connected
        raise RuntimeError("minimum_fibre_tree: candidate graph is not connected")
    return np.asarray(pred, dtype=np.int64), root_pop


def _route_factor(route_factor: float, fn: str) -> float:
    try:
        rf = float(route_factor)
    except (TypeError, ValueError):
        raise ParameterError("route_factor", "must be a number", function=fn) from None
    if not (math.isfinite(rf) and rf >= 1.0):
        raise ParameterError(
            "route_factor",
            f"must be a finite number >= 1 (a route is never shorter than the straight line), "
            f"got {route_factor!r}",
            function=fn,
        )
    return rf


# --------------------------------------------------------------------------
# Technology choice
# --------------------------------------------------------------------------


class TechnologyParameters(Protocol):
    """What :func:`choose_technology` reads from a technology.

    :class:`smartkampung.model.Technology` satisfies it; so does any object
    with these attributes.
    """

    @property
    def id(self) -> str:
        """Identifier; also the link model unless ``link_kinds`` says otherwise."""

    @property
    def capex_idr(self) -> float:
        """Up-front cost per village. [IDR]"""

    @property
    def capex_idr_per_km(self) -> float:
        """Up-front cost per km of link. [IDR/km]"""

    @property
    def opex_idr_per_year(self) -> float:
        """Running cost per village. [IDR/year]"""

    @property
    def opex_idr_per_km_year(self) -> float:
        """Running cost per km of link. [IDR/km/year]"""

    @property
    def opex_idr_per_mbps_year(self) -> float:
        """Running cost per Mbps of demand. [IDR/Mbps/year]"""

    @property
    def max_link_km(self) -> float:
        """Longest feasible link; ``inf`` for none. [km]"""

    @property
    def capacity_mbps(self) -> float:
        """Most bandwidth one village can get. [Mbps]"""


def annuity_factor(horizon_years: float, discount_rate: float) -> float:
    """Present value of 1 IDR a year, paid at the end of each year.

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
    h = _finite_scalar(horizon_years, "horizon_years", fn)
    r = _finite_scalar(discount_rate, "discount_rate", fn)
    if h <= 0:
        raise ParameterError("horizon_years", f"must be > 0, got {horizon_years!r}", function=fn)
    if r < 0:
        raise ParameterError("discount_rate", f"must be >= 0, got {discount_rate!r}", function=fn)
    if r == 0:
        return h
    return float(-math.expm1(-h * math.log1p(r)) / r)


def _finite_scalar(value: Any, name: str, fn: str) -> float:
    if isinstance(value, bool):
        raise ParameterError(name, "must be a number, got a bool", function=fn)
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ParameterError(name, f"must be a number, got {value!r}", function=fn) from None
    if not math.isfinite(x):
        raise ParameterError(name, f"must be finite, got {value!r}", function=fn)
    return x


@attrs.frozen
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
    capex_idr : ndarray of float64, shape (n_villages,)
        Up-front cost. [IDR]
    opex_idr_per_year : ndarray of float64, shape (n_villages,)
        Running cost. [IDR/year]
    lifetime_cost_idr : ndarray of float64, shape (n_villages,)
        ``capex_idr + opex_idr_per_year × annuity_factor``. [IDR]
    annuity_factor : float
        Present value of 1 IDR a year over the horizon. [year]
    """

    technology: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    technology_ids: tuple[str, ...] = attrs.field(converter=_str_tuple)
    on_fibre: NDArray[np.bool_] = attrs.field(converter=readonly_bool, eq=ARRAY_EQ)
    depends_on: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    link_km: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    capex_idr: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    opex_idr_per_year: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    lifetime_cost_idr: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    annuity_factor: float = attrs.field(converter=float)

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return int(self.technology.shape[0])

    @property
    def total_capex_idr(self) -> float:
        """Sum of up-front costs. [IDR]"""
        return float(np.sum(self.capex_idr))

    @property
    def total_opex_idr_per_year(self) -> float:
        """Sum of running costs. [IDR/year]"""
        return float(np.sum(self.opex_idr_per_year))

    @property
    def total_lifetime_cost_idr(self) -> float:
        """Sum of lifetime costs, the quantity :func:`choose_technology` minimises. [IDR]"""
        return float(np.sum(self.lifetime_cost_idr))

    def counts(self) -> dict[str, int]:
        """Number of villages per technology id."""
        tally = np.bincount(self.technology, minlength=len(self.technology_ids))
        return {tid: int(c) for tid, c in zip(self.technology_ids, tally, strict=True)}


_TECH_FIELDS: Final[tuple[str, ...]] = (
    "capex_idr",
    "capex_idr_per_km",
    "opex_idr_per_year",
    "opex_idr_per_km_year",
    "opex_idr_per_mbps_year",
    "max_link_km",
    "capacity_mbps",
)


def _technology_table(
    technologies: Sequence[TechnologyParameters],
    link_kinds: Mapping[str, str] | None,
    fn: str,
) -> tuple[list[str], list[str], NDArray[np.float64]]:
    candidate: object = technologies
    if isinstance(candidate, (str, bytes)) or not isinstance(candidate, Sequence):
        raise ParameterError("technologies", "must be a sequence of technologies", function=fn)
    if len(technologies) == 0:
        raise ParameterError("technologies", "must hold at least one technology", function=fn)
    kinds_map = dict(link_kinds or {})
    for key, kind in kinds_map.items():
        if kind not in LINK_KINDS:
            raise ParameterError(
                "link_kinds", f"{key!r} maps to {kind!r}, not one of {LINK_KINDS}", function=fn
            )
    ids: list[str] = []
    kinds: list[str] = []
    table = np.empty((len(technologies), len(_TECH_FIELDS)))
    for t, tech in enumerate(technologies):
        tid = getattr(tech, "id", None)
        if not isinstance(tid, str):
            raise ParameterError(
                "technologies", f"item {t} has no string attribute 'id'", function=fn
            )
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
            if not hasattr(tech, field):
                raise ParameterError(
                    "technologies", f"{tid!r} has no attribute {field!r}", function=fn
                )
            value = getattr(tech, field)
            try:
                x = float(value)
            except (TypeError, ValueError):
                raise ParameterError(
                    "technologies", f"{tid!r}.{field} must be a number, got {value!r}", function=fn
                ) from None
            if math.isnan(x) or x < 0 or (field in ("max_link_km", "capacity_mbps") and x <= 0):
                raise ParameterError(
                    "technologies", f"{tid!r}.{field} must be >= 0 (> 0 for limits), got {value!r}",
                    function=fn,
                )
            if math.isinf(x) and field not in ("max_link_km", "capacity_mbps"):
                raise ParameterError(
                    "technologies", f"{tid!r}.{field} must be finite", function=fn
                )
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
    ``capex = capex_idr + capex_idr_per_km L``, ``opex = opex_idr_per_year +
    opex_idr_per_km_year L + opex_idr_per_mbps_year demand`` and
    ``lifetime = capex + opex AF`` with the annuity factor ``AF = (1 − (1 +
    r)^−H) / r`` (``AF = H`` for ``r = 0``): running costs paid at the end of
    each of ``H`` years, discounted at rate ``r``. ``L`` is the tree link
    ``link_km`` for fibre; for microwave the straight-line hop to the tree
    parent (``link_km / route_factor``) when the parent is on fibre (for a
    village at the backbone, its point of presence) or else the hop to the
    nearest point of presence; ``backbone_distance_km`` for cellular; 0 for
    satellite. A technology is feasible when ``demand <= capacity_mbps`` and
    ``L <= max_link_km``.

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

    # Options: (technology row, mode, link length). Mode 0 = fibre,
    # 1 = needs a fibre parent (microwave to parent), 2 = anywhere.
    fibre_km = np.asarray(tree.link_km, dtype=np.float64)
    hop_parent_km = tree.straight_km
    zero = np.zeros(n)
    options: list[tuple[int, int, NDArray[np.float64]]] = []
    for t, kind in enumerate(kinds):
        if kind == "fibre":
            options.append((t, 0, fibre_km))
        elif kind == "microwave":
            options.append((t, 1, hop_parent_km))
            options.append((t, 2, dist))
        elif kind == "cellular":
            options.append((t, 2, dist))
        else:
            options.append((t, 2, zero))
    k = len(options)
    capex = np.empty((k, n))
    opex = np.empty((k, n))
    life = np.empty((k, n))
    for o, (t, _, length) in enumerate(options):
        c0, c_km, o0, o_km, o_mbps, max_km, cap = table[t]
        capex[o] = c0 + c_km * length
        opex[o] = o0 + o_km * length + o_mbps * demand
        feasible = (demand <= cap) & (length <= max_km)
        life[o] = np.where(feasible, capex[o] + af * opex[o], np.inf)
    modes = np.array([m for _, m, _ in options])

    def best(mask: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
        sub = life[rows]
        arg = np.argmin(sub, axis=0)
        return sub[arg, np.arange(n)], rows[arg].astype(np.int64)

    f_cost, f_opt = best(modes == 0)
    a0_cost, a0_opt = best(modes == 2)
    a1_cost, a1_opt = best(modes >= 1)

    parent = tree.parent
    by_depth = np.argsort(tree.depth, kind="stable")
    bounds = np.searchsorted(
        tree.depth[by_depth], np.arange(1, int(tree.depth.max(initial=0)) + 2)
    )
    levels = [by_depth[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]

    # Feasibility first (before the optimisation): a village can be served
    # if it has a standalone option, or if its chain of ancestors can all be
    # fibre and it can take fibre or a microwave hop from its parent.
    chain_ok = np.zeros(n, dtype=np.bool_)
    servable = np.zeros(n, dtype=np.bool_)
    for idx in levels:
        p = parent[idx]
        up_ok = np.where(p >= 0, chain_ok[np.maximum(p, 0)], True)
        chain_ok[idx] = up_ok & np.isfinite(f_cost[idx])
        servable[idx] = np.isfinite(a0_cost[idx]) | (
            up_ok & (np.isfinite(f_cost[idx]) | np.isfinite(a1_cost[idx]))
        )
    if not servable.all():
        bad = np.flatnonzero(~servable)
        raise ParameterError(
            "technologies",
            f"no feasible technology for {bad.size} village(s) (first: row {int(bad[0])}, "
            f"demand {float(demand[bad[0]])} Mbps, {float(dist[bad[0]]):.3f} km from the "
            "backbone): demand exceeds every capacity or every link is out of range",
            function=fn,
        )

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
    cols = np.arange(n)
    tech_of_option = np.array([t for t, _, _ in options], dtype=np.int64)
    lengths = np.stack([length for _, _, length in options])
    uses_parent = (modes[chosen] <= 1) & (parent >= 0)
    return TechnologyChoice(
        technology=tech_of_option[chosen],
        technology_ids=tuple(ids),
        on_fibre=on_fibre,
        depends_on=np.where(uses_parent, parent, -1),
        link_km=lengths[chosen, cols],
        capex_idr=capex[chosen, cols],
        opex_idr_per_year=opex[chosen, cols],
        lifetime_cost_idr=life[chosen, cols],
        annuity_factor=af,
    )


# --------------------------------------------------------------------------
# Steiner tree on a road graph
# --------------------------------------------------------------------------


@attrs.frozen
class RoadSteinerTree:
    """A tree along a road graph joining all terminals.

    Attributes
    ----------
    edge_index : ndarray of int64, shape (n_tree_edges,)
        Rows of the input edge list that the tree uses, ascending.
    total_km : float
        Sum of their lengths. [km]
    nodes : ndarray of int64
        Graph nodes the tree touches (terminals and Steiner points), ascending.
    """

    edge_index: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    total_km: float = attrs.field(converter=float)
    nodes: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)


def _positive_weights(w: NDArray[np.float64]) -> NDArray[np.float64]:
    # scipy's sparse graphs treat an explicit 0 as "no edge": stand the
    # smallest positive double in for zero-length edges.
    return np.where(w > 0, w, np.nextafter(0.0, 1.0))


def _min_per_pair(
    u: NDArray[np.int64], v: NDArray[np.int64], w: NDArray[np.float64], n: int
) -> NDArray[np.int64]:
    """Rows of the shortest edge for each unordered node pair (no self-loops)."""
    lo = np.minimum(u, v)
    hi = np.maximum(u, v)
    rows = np.flatnonzero(lo != hi)
    key = lo[rows] * n + hi[rows]
    srt = rows[np.lexsort((w[rows], key))]
    key_s = lo[srt] * n + hi[srt]
    first = np.ones(srt.size, dtype=np.bool_)
    first[1:] = key_s[1:] != key_s[:-1]
    return srt[first]


def steiner_tree_on_roads(
    n_nodes: int,
    edge_u: ArrayLike,
    edge_v: ArrayLike,
    edge_km: ArrayLike,
    terminals: ArrayLike,
) -> RoadSteinerTree:
    """Mehlhorn's 2-approximate Steiner tree joining terminals along roads.

    Parameters
    ----------
    n_nodes : int
        Number of road-graph nodes (junctions, villages, points of presence).
    edge_u, edge_v : array_like of int, shape (n_edges,)
        End nodes of each undirected road segment, in ``[0, n_nodes)``.
    edge_km : array_like of float, shape (n_edges,)
        Segment lengths, >= 0. [km]
    terminals : array_like of int, shape (n_terminals,)
        Nodes the tree must join: villages and points of presence (to treat
        the backbone as one root, join its points of presence by 0 km edges
        first).

    Returns
    -------
    RoadSteinerTree
        Edges used (rows of the input), total length and nodes touched.

    Raises
    ------
    ParameterError
        On bad shapes, node indices out of range, negative or non-finite
        lengths, no terminals, or terminals in different connected parts of
        the graph.

    Notes
    -----
    Mehlhorn (1988): (1) one multi-source Dijkstra from all terminals at once
    gives each node its nearest terminal ``s(x)`` and distance ``d(x)``;
    (2) every road edge ``xy`` with ``s(x) != s(y)`` proposes a terminal pair
    at ``d(x) + w(xy) + d(y)``, the shortest proposal per pair kept; (3) a
    minimum spanning tree of these proposals; (4) each of its edges is
    expanded into the road edge and the two shortest paths back to the
    terminals; (5) a minimum spanning tree of the expanded subgraph, then
    non-terminal leaves are pruned until none is left. The result weighs at
    most ``2 (1 − 1/ℓ)`` times the optimum (``ℓ`` = leaves of the optimal
    tree). ``O(m + n log n)``.

    References
    ----------
    .. [1] Mehlhorn, K. (1988). A faster approximation algorithm for the
       Steiner problem in graphs. *Information Processing Letters* 27(3),
       125–128. doi:10.1016/0020-0190(88)90066-X
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra, minimum_spanning_tree

    fn = "steiner_tree_on_roads"
    if isinstance(n_nodes, bool) or not isinstance(n_nodes, (int, np.integer)) or n_nodes < 1:
        raise ParameterError("n_nodes", f"must be a positive integer, got {n_nodes!r}", function=fn)
    n = int(n_nodes)
    eu = as_int_array(edge_u, "edge_u", fn)
    if eu.ndim != 1:
        raise ParameterError("edge_u", f"must be one-dimensional, got shape {eu.shape}", function=fn)
    ev = as_int_array(edge_v, "edge_v", fn)
    check_shape(ev, eu.shape, "edge_v", fn)
    ew = as_float_array(edge_km, "edge_km", fn)
    check_shape(ew, eu.shape, "edge_km", fn)
    check_nonnegative(ew, "edge_km", fn)
    for arr, name in ((eu, "edge_u"), (ev, "edge_v")):
        if arr.size and (arr.min() < 0 or arr.max() >= n):
            raise ParameterError(name, f"must hold node indices in [0, {n})", function=fn)
    term = as_int_array(terminals, "terminals", fn)
    if term.ndim != 1 or term.size == 0:
        raise ParameterError("terminals", "must be a non-empty 1-D array of nodes", function=fn)
    if term.min() < 0 or term.max() >= n:
        raise ParameterError("terminals", f"must hold node indices in [0, {n})", function=fn)
    term = np.unique(term)
    empty_i = np.zeros(0, dtype=np.int64)
    if term.size == 1:
        return RoadSteinerTree(empty_i, 0.0, term)

    # (1) Voronoi regions of the terminals.
    keep = _min_per_pair(eu, ev, ew, n)
    lo = np.minimum(eu[keep], ev[keep])
    hi = np.maximum(eu[keep], ev[keep])
    graph = csr_array((_positive_weights(ew[keep]), (lo, hi)), shape=(n, n))
    dist, pred, source = dijkstra(
        graph, directed=False, indices=term, min_only=True, return_predecessors=True
    )
    reached = np.isfinite(dist)
    if not reached[term].all() or len(np.unique(source[term])) != term.size:  # pragma: no cover
        raise RuntimeError("steiner_tree_on_roads: multi-source Dijkstra lost a terminal")
    # (2) Terminal pairs proposed by edges between regions.
    x, y = eu[keep], ev[keep]
    cross = reached[x] & reached[y] & (source[x] != source[y])
    cx, cy, crow = x[cross], y[cross], keep[cross]
    cw = dist[cx] + ew[crow] + dist[cy]
    sx = np.asarray(source[cx], dtype=np.int64)
    sy = np.asarray(source[cy], dtype=np.int64)
    best = _min_per_pair(sx, sy, cw, n)
    # (3) Spanning tree of the terminal graph.
    t_lo = np.minimum(sx[best], sy[best])
    t_hi = np.maximum(sx[best], sy[best])
    tgraph = csr_array((_positive_weights(cw[best]), (t_lo, t_hi)), shape=(n, n))
    tmst = minimum_spanning_tree(tgraph).tocoo()
    chosen_pairs = {(int(a), int(b)) for a, b in zip(tmst.row, tmst.col, strict=True)}
    if len(chosen_pairs) != term.size - 1:
        comps = term.size - len(chosen_pairs)
        raise ParameterError(
            "terminals",
            f"are not all connected by the road graph ({comps} separate groups)",
            function=fn,
        )
    pair_lo = np.minimum(tmst.row, tmst.col).astype(np.int64)
    pair_hi = np.maximum(tmst.row, tmst.col).astype(np.int64)
    pair_key = np.sort(pair_lo * n + pair_hi)
    best_key = t_lo * n + t_hi
    used = best[np.isin(best_key, pair_key)]
    bridge_rows = crow[used]
    # (4) Expand: the bridging road edges plus the shortest paths from their
    # ends back to the terminals, walked up the predecessor forest.
    on_path = np.zeros(n, dtype=np.bool_)
    frontier = np.unique(np.concatenate((cx[used], cy[used])))
    while frontier.size:
        on_path[frontier] = True
        up = pred[frontier]
        up = up[up >= 0]
        frontier = np.unique(up[~on_path[up]])
    path_nodes = np.flatnonzero(on_path & (pred >= 0))
    # Road edge used to step from a path node to its predecessor: the
    # shortest edge of that node pair (the one Dijkstra relaxed).
    pair_row = _pair_lookup(lo, hi, keep, n)
    path_rows = pair_row(path_nodes, np.asarray(pred[path_nodes], dtype=np.int64))
    sub_rows = np.unique(np.concatenate((bridge_rows, path_rows)))
    # (5) Spanning tree of the expanded subgraph, then prune.
    s_lo = np.minimum(eu[sub_rows], ev[sub_rows])
    s_hi = np.maximum(eu[sub_rows], ev[sub_rows])
    sgraph = csr_array((_positive_weights(ew[sub_rows]), (s_lo, s_hi)), shape=(n, n))
    smst = minimum_spanning_tree(sgraph).tocoo()
    t_rows = pair_row(np.asarray(smst.row, dtype=np.int64), np.asarray(smst.col, dtype=np.int64))
    is_terminal = np.zeros(n, dtype=np.bool_)
    is_terminal[term] = True
    alive = np.ones(t_rows.size, dtype=np.bool_)
    while True:
        ends = np.concatenate((eu[t_rows[alive]], ev[t_rows[alive]]))
        degree = np.bincount(ends, minlength=n)
        leaf = (degree == 1) & ~is_terminal
        drop = alive & (leaf[eu[t_rows]] | leaf[ev[t_rows]])
        if not drop.any():
            break
        alive &= ~drop
    rows = np.sort(t_rows[alive])
    nodes = np.unique(np.concatenate((eu[rows], ev[rows], term)))
    return RoadSteinerTree(rows, float(np.sum(ew[rows])), nodes)


def _pair_lookup(
    lo: NDArray[np.int64], hi: NDArray[np.int64], rows: NDArray[np.int64], n: int
) -> Any:
    """A function mapping node pairs to the input row of their shortest edge."""
    key = lo * n + hi
    srt = np.argsort(key)
    key_sorted = key[srt]

    def lookup(a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.int64]:
        q = np.minimum(a, b) * n + np.maximum(a, b)
        pos = np.searchsorted(key_sorted, q)
        return np.asarray(rows[srt[pos]], dtype=np.int64)

    return lookup
