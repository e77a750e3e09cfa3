"""Fibre along a road graph."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartkampung import ParameterError, datasets
from smartkampung.sim import plan_network
from smartkampung.sim.geometry import great_circle_km
from smartkampung.sim.roads import RoadGraph, road_fibre_tree


def _line_roads() -> RoadGraph:
    # Three road nodes on the equator at 0, 0.1 and 0.2 degrees of longitude, joined in a line.
    return RoadGraph(
        node_lat_deg=[0.0, 0.0, 0.0], node_lon_deg=[0.0, 0.1, 0.2], edge_u=[0, 1], edge_v=[1, 2], edge_km=[12.0, 15.0]
    )


def test_villages_on_a_road_line_hang_one_after_another() -> None:
    # Villages sit on road nodes 1 and 2; the point of presence on node 0.
    tree = road_fibre_tree([0.0, 0.0], [0.1, 0.2], [0.0], [0.0], _line_roads())
    assert tree.parent.tolist() == [-1, 0]
    assert tree.backbone_index.tolist() == [0, -1]
    np.testing.assert_allclose(tree.link_km, [12.0, 15.0], atol=1e-9)  # road km, not straight-line km
    assert tree.route_factor == 1.0


def test_access_links_are_straight_and_a_shared_road_is_charged_once() -> None:
    # A village 1 km north of node 2 and one 1 km south of it: both reach the backbone through the
    # same 27 km of road, which is charged to one of them only.
    north, south = 1.0 / 111.195, -1.0 / 111.195
    tree = road_fibre_tree([north, south], [0.2, 0.2], [0.0], [0.0], _line_roads())
    access = great_circle_km(north, 0.2, 0.0, 0.2)
    assert sorted(tree.link_km.tolist()) == pytest.approx(sorted([27.0 + float(access), float(access)]), abs=1e-9)
    assert tree.total_km == pytest.approx(27.0 + 2 * float(access), abs=1e-9)
    assert sorted(tree.parent.tolist()) == [-1, -1]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_villages=st.integers(1, 6))
def test_total_length_equals_networkx_mehlhorn(seed: int, n_villages: int) -> None:
    # A random connected road grid; the fibre tree's total is the Steiner tree's length
    # over the same augmented graph (access links and the merged backbone included).
    rng = np.random.default_rng(seed)
    side = 4
    lat = np.repeat(np.arange(side) * 0.05, side)
    lon = np.tile(np.arange(side) * 0.05, side)
    edges = [(r * side + c, r * side + c + 1) for r in range(side) for c in range(side - 1)]
    edges += [(r * side + c, (r + 1) * side + c) for r in range(side - 1) for c in range(side)]
    km = rng.uniform(5.0, 9.0, len(edges))
    roads = RoadGraph(lat, lon, [u for u, _ in edges], [v for _, v in edges], km)
    v_lat, v_lon = rng.uniform(0, 0.15, n_villages), rng.uniform(0, 0.15, n_villages)
    p_lat, p_lon = np.array([0.0, 0.15]), np.array([0.0, 0.15])
    tree = road_fibre_tree(v_lat, v_lon, p_lat, p_lon, roads)

    graph = nx.Graph()
    for (u, v), length in zip(edges, km, strict=True):
        graph.add_edge(u, v, weight=float(length))
    nodes_lat, nodes_lon = lat, lon
    points = list(zip(np.concatenate([v_lat, p_lat]), np.concatenate([v_lon, p_lon]), strict=True))
    for k, (a, b) in enumerate(points):
        nearest = int(np.argmin(great_circle_km(a, b, nodes_lat, nodes_lon)))
        graph.add_edge(
            ("point", k), nearest, weight=float(great_circle_km(a, b, nodes_lat[nearest], nodes_lon[nearest]))
        )
    graph.add_edge(("point", n_villages), ("point", n_villages + 1), weight=0.0)
    terminals = [("point", k) for k in range(n_villages + 2)]
    expected = nx.algorithms.approximation.steiner_tree(graph, terminals, method="mehlhorn").size(weight="weight")
    assert tree.total_km == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert np.all((tree.parent >= 0) | (tree.backbone_index >= 0))


def test_plan_network_along_roads() -> None:
    region = datasets.guimaras()
    cols = region.to_columns()
    # A crude road graph: every village and municipal hall is a node, joined to its 3 nearest others,
    # segments 1.4 times the straight line.
    lat = np.concatenate([cols.lat_deg, cols.pop_lat_deg])
    lon = np.concatenate([cols.lon_deg, cols.pop_lon_deg])
    d = great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1)[:, :3]
    u = np.repeat(np.arange(len(lat)), 3)
    v = nearest.ravel()
    roads = RoadGraph(lat, lon, u, v, 1.4 * d[u, v])
    by_road = plan_network(region, roads=roads, technology_choice=False)
    straight = plan_network(region, route_factor=1.0, technology_choice=False)
    assert by_road.counts() == {"fibre": region.n_villages}
    assert by_road.fibre_km >= straight.fibre_km  # the straight-line tree is the shortest possible
    assert by_road.fibre_km <= 2 * 1.4 * straight.fibre_km + 1e-9


def test_unreachable_village_and_bad_graphs() -> None:
    roads = RoadGraph([0.0, 0.0, 5.0, 5.0], [0.0, 0.1, 5.0, 5.1], [0, 2], [1, 3], [12.0, 11.0])
    with pytest.raises(ParameterError) as info:
        road_fibre_tree([5.0], [5.05], [0.0], [0.0], roads)
    assert info.value.parameter == "roads"
    with pytest.raises(ParameterError) as info:
        RoadGraph([0.0], [0.0, 1.0], [0], [0], [1.0])
    assert info.value.parameter == "node_lon_deg"
    with pytest.raises(ParameterError) as info:
        RoadGraph([0.0, 1.0], [0.0, 1.0], [0], [2], [1.0])
    assert info.value.parameter == "edge_u"
    with pytest.raises(ParameterError) as info:
        RoadGraph([0.0, 1.0], [0.0, 1.0], [0], [1], [-1.0])
    assert info.value.parameter == "edge_km"
    with pytest.raises(ParameterError) as info:
        road_fibre_tree([0.0], [0.0], [], [], _line_roads())
    assert info.value.parameter == "pop_lat_deg"
