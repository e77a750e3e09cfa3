"""Trees of village connections: the minimum fibre tree and tree arithmetic.

A tree is given by ``parent``, one entry per village: the village its link
comes from, or ``-1`` for a village linked straight to the backbone (a
forest hanging from the backbone, whose points of presence count as one
root). Two kinds of functions live here:

* :func:`minimum_fibre_tree`: the cheapest tree reaching every village from
  the backbone, an exact minimum spanning tree on the sphere in
  ``O(n log n)``, returned as a :class:`FibreTree`;
* tree arithmetic shared by the technology choice, the rollout and the
  calibration (in :mod:`smartkampung.sim._tree_paths`, re-exported here):
  :func:`check_tree` (validate a parent array, get depths),
  :func:`ancestor_reduce` (reduce values along each path to the backbone by
  pointer jumping) and :func:`subtree_sums`.
"""

from __future__ import annotations

import math
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung import _defaults
from smartkampung._arrays import ARRAY_EQ, readonly_float, readonly_int
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, as_int_array, check_float, check_nonnegative, check_shape
from smartkampung.sim._tree_paths import ancestor_reduce, check_tree, positive_weights, subtree_sums, tree_depths
from smartkampung.sim.geometry import haversine_km, unit_vectors, village_and_pop_arrays

__all__ = ["DEFAULT_ROUTE_FACTOR", "FibreTree", "ancestor_reduce", "check_tree", "minimum_fibre_tree", "subtree_sums"]

#: Ratio of the length of a fibre route (along roads and poles) to the
#: great-circle distance it spans. Illustrative assumption: 1.3, the middle of
#: the circuity factors of about 1.2–1.4 reported for road networks (Newell,
#: G. F. (1980). *Traffic Flow on Transportation Networks*, MIT Press, about
#: 1.2 in cities; Ballou, R. H., Rahardja, H., Sakai, N. (2002). Selected
#: country circuity factors for road and rail network distances.
#: *International Journal of Physical Distribution & Logistics Management*
#: 32, for national networks). [dimensionless]
DEFAULT_ROUTE_FACTOR: Final[float] = _defaults.ROUTE_FACTOR

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
# The minimum fibre tree
# --------------------------------------------------------------------------


@attrs.frozen(repr=False)
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

    def __repr__(self) -> str:
        return (
            f"FibreTree({self.n_villages} villages, {self.total_km:.6g} km, depth up to "
            f"{int(self.depth.max(initial=0))}, route_factor={self.route_factor:g})"
        )

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
                "backbone_index", "must be >= 0 exactly where parent == -1 and -1 elsewhere", function=fn
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
            raise ParameterError("depth", "must be 1 at the backbone and parent depth + 1 below it", function=fn)

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
        depth = tree_depths(par, "parent", fn)
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
        hull_edges = np.concatenate((simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]))
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
    pairs = np.column_stack((np.nonzero(close)[0], np.asarray(nbr, dtype=np.int64)[close])).astype(np.int64)
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
    lat, lon, plat, plon = village_and_pop_arrays(lat_deg, lon_deg, pop_lat_deg, pop_lon_deg, fn)
    rf = _route_factor(route_factor, fn)
    n = lat.shape[0]
    n_pops = plat.shape[0]
    if n == 0:
        empty_i = np.zeros(0, dtype=np.int64)
        return FibreTree(empty_i, empty_i, np.zeros(0), empty_i, empty_i, rf)

    # Distinct points: villages first, then points of presence.
    all_lat = np.concatenate((lat, plat))
    all_lon = np.concatenate((lon, plon))
    xyz_all = unit_vectors(all_lat, all_lon)
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
    link = haversine_km(lat, lon, tgt_lat, tgt_lon) * rf
    depth = tree_depths(parent, "parent", fn)
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
    w = positive_weights(haversine_km(lat[i0], lon[i0], lat[i1], lon[i1]))
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


def _route_factor(route_factor: Any, function: str) -> float:
    # A route is never shorter than the straight line it follows.
    return check_float(route_factor, "route_factor", function, minimum=1.0)
