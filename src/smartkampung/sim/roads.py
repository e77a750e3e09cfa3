"""Fibre along roads: a Steiner tree over a user's road graph instead of straight lines.

:func:`steiner_tree_on_roads` is Mehlhorn's 2-approximate Steiner tree on any
graph. :func:`road_fibre_tree` uses it for a region: villages and points of
presence are joined to their nearest road node by a straight access link,
all points of presence are joined to one root by 0 km edges, and the Steiner
tree joins them along the roads. Each village's parent is then the next village up the tree towards
the backbone, and its link length the road distance to it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from smartkampung._arrays import ARRAY_EQ, readonly_array, readonly_int
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, as_int_array, check_int, check_nonnegative, check_shape
from smartkampung.sim._tree_paths import positive_weights
from smartkampung.sim.geometry import great_circle_km, unit_vectors
from smartkampung.sim.tree import FibreTree

__all__ = ["RoadGraph", "RoadSteinerTree", "road_fibre_tree", "steiner_tree_on_roads"]


@attrs.frozen(eq=False)
class RoadGraph:
    """A road network: nodes with coordinates, undirected segments with lengths.

    Parameters
    ----------
    node_lat_deg, node_lon_deg : array_like of float, shape (n_nodes,)
        Junctions and bends. [degrees]
    edge_u, edge_v : array_like of int, shape (n_edges,)
        End nodes of each segment.
    edge_km : array_like of float, shape (n_edges,)
        Length of each segment along the road. [km]
    """

    node_lat_deg: NDArray[np.float64] = attrs.field(converter=readonly_array)
    node_lon_deg: NDArray[np.float64] = attrs.field(converter=readonly_array)
    edge_u: NDArray[np.int64] = attrs.field(converter=readonly_array)
    edge_v: NDArray[np.int64] = attrs.field(converter=readonly_array)
    edge_km: NDArray[np.float64] = attrs.field(converter=readonly_array)

    def __attrs_post_init__(self) -> None:
        fn = "RoadGraph"
        lat = as_float_array(self.node_lat_deg, "node_lat_deg", fn)
        n = lat.shape[0] if lat.ndim == 1 else -1
        if n < 1:
            raise ParameterError("node_lat_deg", "must be a non-empty 1-D array", function=fn)
        check_shape(as_float_array(self.node_lon_deg, "node_lon_deg", fn), (n,), "node_lon_deg", fn)
        u = as_int_array(self.edge_u, "edge_u", fn)
        m = u.shape[0] if u.ndim == 1 else -1
        if m < 1:
            raise ParameterError("edge_u", "must be a non-empty 1-D array", function=fn)
        v = as_int_array(self.edge_v, "edge_v", fn)
        check_shape(v, (m,), "edge_v", fn)
        km = as_float_array(self.edge_km, "edge_km", fn)
        check_shape(km, (m,), "edge_km", fn)
        check_nonnegative(km, "edge_km", fn)
        if min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n:
            raise ParameterError("edge_u", f"edge ends must be node rows in [0, {n})", function=fn)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_lat_deg.shape[0])


def road_fibre_tree(
    lat_deg: ArrayLike, lon_deg: ArrayLike, pop_lat_deg: ArrayLike, pop_lon_deg: ArrayLike, roads: RoadGraph
) -> FibreTree:
    """A fibre tree from the backbone to every village along a road graph.

    Parameters
    ----------
    lat_deg, lon_deg : array_like, shape (n_villages,)
        Village offices. [degrees]
    pop_lat_deg, pop_lon_deg : array_like, shape (n_pops,)
        Points of presence. [degrees]
    roads : RoadGraph
        The road network.

    Returns
    -------
    FibreTree
        ``link_km`` is the road distance (plus straight access links from a
        village or point of presence to its nearest road node) to the next
        village up the tree, or to the point of presence. Where branches
        share a stretch of road, the stretch is charged once, to the first
        branch, so the links add up to the tree's length. ``route_factor``
        is 1: lengths are already along roads, so the microwave alternative
        of :func:`~smartkampung.sim.technology.choose_technology` is costed on
        the road distance (an overestimate of the radio hop).

    Raises
    ------
    ParameterError
        No points of presence, shapes that do not match, or a village the
        roads do not connect to the backbone.

    Notes
    -----
    Mehlhorn's method is within a factor ``2 (1 - 1/leaves)`` of the shortest
    road tree; it is not exact, unlike the straight-line tree of
    :func:`~smartkampung.sim.tree.minimum_fibre_tree`. A village sitting
    on a junction is the parent of the branches that leave it; a branch
    leaving a junction with no village hangs from the village above, while
    the road up to the junction is charged to its first branch.
    """
    fn = "road_fibre_tree"
    lat = as_float_array(lat_deg, "lat_deg", fn)
    lon = as_float_array(lon_deg, "lon_deg", fn)
    check_shape(lon, lat.shape, "lon_deg", fn)
    plat = as_float_array(pop_lat_deg, "pop_lat_deg", fn)
    plon = as_float_array(pop_lon_deg, "pop_lon_deg", fn)
    check_shape(plon, plat.shape, "pop_lon_deg", fn)
    n, n_pops, n_road = lat.shape[0], plat.shape[0], roads.n_nodes
    if n_pops == 0:
        raise ParameterError("pop_lat_deg", "needs at least one point of presence", function=fn)
    # Graph nodes: road nodes, then villages, then points of presence.
    points_lat = np.concatenate([lat, plat])
    points_lon = np.concatenate([lon, plon])
    road_tree = cKDTree(unit_vectors(roads.node_lat_deg, roads.node_lon_deg))
    _, nearest = road_tree.query(unit_vectors(points_lat, points_lon))
    access_km = great_circle_km(points_lat, points_lon, roads.node_lat_deg[nearest], roads.node_lon_deg[nearest])
    point_nodes = n_road + np.arange(n + n_pops)
    pop_nodes = point_nodes[n:]
    edge_u = np.concatenate([roads.edge_u, point_nodes, np.full(n_pops - 1, pop_nodes[0])])
    edge_v = np.concatenate([roads.edge_v, nearest, pop_nodes[1:]])
    edge_km = np.concatenate([roads.edge_km, access_km, np.zeros(n_pops - 1)])
    total_nodes = n_road + n + n_pops
    try:
        tree = steiner_tree_on_roads(total_nodes, edge_u, edge_v, edge_km, point_nodes)
    except ParameterError as exc:
        if exc.parameter != "terminals":
            raise
        raise ParameterError(
            "roads", f"some villages cannot be reached from the backbone along the roads ({exc.message})", function=fn
        ) from None

    # Walk the tree from the backbone; remember the last village (or PoP) passed.
    used_u, used_v, used_km = edge_u[tree.edge_index], edge_v[tree.edge_index], edge_km[tree.edge_index]
    adjacency: list[list[tuple[int, float]]] = [[] for _ in range(total_nodes)]
    for a, b, km in zip(used_u.tolist(), used_v.tolist(), used_km.tolist(), strict=True):
        adjacency[a].append((b, km))
        adjacency[b].append((a, km))
    parent = np.full(n, -2, dtype=np.int64)
    link_km = np.zeros(n)
    backbone_index = np.full(n, -1, dtype=np.int64)
    seen = np.zeros(total_nodes, dtype=bool)
    # Each entry: node, the village row above it (-1: the backbone), km since it, which PoP.
    queue: deque[tuple[int, int, float, int]] = deque()
    for p, node in enumerate(pop_nodes.tolist()):
        seen[node] = True
        queue.append((node, -1, 0.0, p))

    def is_village(node: int) -> bool:
        return bool(n_road <= node < n_road + n)

    while queue:
        node, above, km, pop = queue.popleft()
        carry = km
        # A village at this point comes first: it pays for the road up to here,
        # and the other branches from here then hang from it.
        for other, length in sorted(adjacency[node], key=lambda edge: not is_village(edge[0])):
            if seen[other]:
                continue
            seen[other] = True
            step, carry = carry + length, 0.0  # road shared by several branches is charged once
            if is_village(other):
                village = other - n_road
                parent[village] = above
                link_km[village] = step
                backbone_index[village] = pop if above < 0 else -1
                queue.append((other, village, 0.0, pop))
                if length == 0.0:  # the village sits on this node: later branches start from it
                    above = village
            else:
                queue.append((other, above, step, pop))
    if np.any(parent == -2):
        missing = np.flatnonzero(parent == -2)[:5].tolist()
        raise ParameterError(
            "roads", f"villages {missing} cannot be reached from the backbone along the roads", function=fn
        )
    return FibreTree.from_parents(parent, link_km, backbone_index=backbone_index, route_factor=1.0)


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


def _min_per_pair(u: NDArray[np.int64], v: NDArray[np.int64], w: NDArray[np.float64], n: int) -> NDArray[np.int64]:
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
    n_nodes: int, edge_u: ArrayLike, edge_v: ArrayLike, edge_km: ArrayLike, terminals: ArrayLike
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
    n = check_int(n_nodes, "n_nodes", fn, minimum=1)
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
    graph = csr_array((positive_weights(ew[keep]), (lo, hi)), shape=(n, n))
    dist, pred, source = dijkstra(graph, directed=False, indices=term, min_only=True, return_predecessors=True)
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
    tgraph = csr_array((positive_weights(cw[best]), (t_lo, t_hi)), shape=(n, n))
    tmst = minimum_spanning_tree(tgraph).tocoo()
    chosen_pairs = {(int(a), int(b)) for a, b in zip(tmst.row, tmst.col, strict=True)}
    if len(chosen_pairs) != term.size - 1:
        comps = term.size - len(chosen_pairs)
        raise ParameterError(
            "terminals", f"are not all connected by the road graph ({comps} separate groups)", function=fn
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
    sgraph = csr_array((positive_weights(ew[sub_rows]), (s_lo, s_hi)), shape=(n, n))
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


def _pair_lookup(lo: NDArray[np.int64], hi: NDArray[np.int64], rows: NDArray[np.int64], n: int) -> Any:
    """A function mapping node pairs to the input row of their shortest edge."""
    key = lo * n + hi
    srt = np.argsort(key)
    key_sorted = key[srt]

    def lookup(a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.int64]:
        q = np.minimum(a, b) * n + np.maximum(a, b)
        pos = np.searchsorted(key_sorted, q)
        return np.asarray(rows[srt[pos]], dtype=np.int64)

    return lookup
