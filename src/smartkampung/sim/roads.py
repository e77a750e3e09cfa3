"""Fibre along roads: a tree over a user's road graph instead of straight lines.

Villages and points of presence are joined to their nearest road node by a
straight access link, all points of presence are joined to one root by 0 km
edges, and Mehlhorn's 2-approximate Steiner tree
(:func:`~smartkampung.sim.network.steiner_tree_on_roads`) joins them along the
roads. Each village's parent is then the next village up the tree towards
the backbone, and its link length the road distance to it.
"""

from __future__ import annotations

from collections import deque

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from smartkampung._arrays import readonly_array
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, as_int_array, check_nonnegative, check_shape
from smartkampung.sim.network import FibreTree, _unit_vectors, great_circle_km, steiner_tree_on_roads

__all__ = ["RoadGraph", "road_fibre_tree"]


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


def road_fibre_tree(lat_deg: ArrayLike, lon_deg: ArrayLike, pop_lat_deg: ArrayLike, pop_lon_deg: ArrayLike,
                    roads: RoadGraph) -> FibreTree:
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
        of :func:`~smartkampung.sim.network.choose_technology` is costed on
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
    :func:`~smartkampung.sim.network.minimum_fibre_tree`. A village sitting
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
    road_tree = cKDTree(_unit_vectors(roads.node_lat_deg, roads.node_lon_deg))
    _, nearest = road_tree.query(_unit_vectors(points_lat, points_lon))
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
        raise ParameterError("roads", f"some villages cannot be reached from the backbone along the roads "
                             f"({exc.message})", function=fn) from None

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
        raise ParameterError("roads", f"villages {missing} cannot be reached from the backbone along the roads",
                             function=fn)
    return FibreTree.from_parents(parent, link_km, backbone_index=backbone_index, route_factor=1.0)
