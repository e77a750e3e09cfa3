"""Tests of the network models: geometry, fibre tree, technology choice, Steiner tree on roads."""

from __future__ import annotations

import csv
import itertools
import math
import random
from collections.abc import Sequence
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import coo_array
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay

from smartkampung import ParameterError
from smartkampung.model import DEFAULT_TECHNOLOGIES, Technology
from smartkampung.sim.geometry import EARTH_MEAN_RADIUS_KM, great_circle_km, nearest_backbone
from smartkampung.sim.roads import RoadSteinerTree, steiner_tree_on_roads
from smartkampung.sim.technology import (
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_HORIZON_YEARS,
    TechnologyChoice,
    annuity_factor,
    choose_technology,
)
from smartkampung.sim.tree import DEFAULT_ROUTE_FACTOR, FibreTree, minimum_fibre_tree

R = EARTH_MEAN_RADIUS_KM
KM_PER_DEG = R * math.pi / 180.0
WILAYAH = Path("/work/shared/data/banyuwangi_wilayah.csv")

# --------------------------------------------------------------------------- references


def vector_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance by 3-D vectors: R atan2(|u x v|, u . v) (not haversine)."""

    def vec(lat: ArrayLike, lon: ArrayLike) -> NDArray[np.float64]:
        p, q = np.radians(lat), np.radians(lon)
        parts = np.broadcast_arrays(np.cos(p) * np.cos(q), np.cos(p) * np.sin(q), np.sin(p))
        return np.asarray(np.stack(parts, -1), dtype=np.float64)

    u, v = vec(lat1, lon1), vec(lat2, lon2)
    cross = np.linalg.norm(np.cross(u, v), axis=-1)
    return np.asarray(R * np.arctan2(cross, np.sum(u * v, axis=-1)), dtype=np.float64)


def dense_mst_km(lat_in: ArrayLike, lon_in: ArrayLike, plat_in: ArrayLike, plon_in: ArrayLike) -> float:
    """Exact MST length of the complete graph with PoPs merged (dense scipy).

    All weights are shifted by +1 km so that zero-length edges (duplicates)
    are not dropped by scipy; every spanning tree has n edges, so the shift
    changes no choice and is subtracted afterwards.
    """
    lat, lon = np.asarray(lat_in, float), np.asarray(lon_in, float)
    plat, plon = np.asarray(plat_in, float), np.asarray(plon_in, float)
    n = lat.size
    m = np.zeros((n + 1, n + 1))
    m[:n, :n] = vector_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) + 1.0
    m[:n, n] = vector_km(lat[:, None], lon[:, None], plat[None, :], plon[None, :]).min(axis=1) + 1.0
    np.fill_diagonal(m, 0.0)
    return float(minimum_spanning_tree(m).sum()) - n


def planar_delaunay_mst_km(
    lat: NDArray[np.float64], lon: NDArray[np.float64], plat: NDArray[np.float64], plon: NDArray[np.float64]
) -> float:
    """What a Delaunay triangulation of raw (lon, lat) would give (great-circle weights)."""
    n = lat.size
    alat, alon = np.r_[lat, plat], np.r_[lon, plon]
    tri = Delaunay(np.column_stack([alon, alat])).simplices
    e = np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [0, 2]]])
    node = np.r_[np.arange(n), np.full(plat.size, n)]
    a, b = node[e[:, 0]], node[e[:, 1]]
    keep = a != b
    w = vector_km(alat[e[keep, 0]], alon[e[keep, 0]], alat[e[keep, 1]], alon[e[keep, 1]])
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    best: dict[tuple[int, int], float] = {}
    for x, y, ww in zip(lo.tolist(), hi.tolist(), w.tolist(), strict=True):
        if ww < best.get((x, y), math.inf):
            best[(x, y)] = ww
    rows = np.array([k[0] for k in best])
    cols = np.array([k[1] for k in best])
    g = coo_array((np.array(list(best.values())), (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    return float(minimum_spanning_tree(g).sum())


def banyuwangi() -> tuple[NDArray[np.float64], ...]:
    with WILAYAH.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    vil = [r for r in rows if r["level"] in ("desa", "kelurahan")]
    pops = [r for r in rows if r["level"] == "kecamatan"]
    f = np.array
    return (
        f([float(r["lat"]) for r in vil]),
        f([float(r["lon"]) for r in vil]),
        f([float(r["lat"]) for r in pops]),
        f([float(r["lon"]) for r in pops]),
    )


def assert_valid_tree(t: FibreTree, n: int, n_pops: int) -> None:
    assert t.n_villages == n
    assert t.parent.dtype == np.int64
    assert t.link_km.dtype == np.float64
    roots = t.parent == -1
    assert np.all((t.parent >= -1) & (t.parent < n))
    assert np.all((t.backbone_index[roots] >= 0) & (t.backbone_index[roots] < n_pops))
    assert np.all(t.backbone_index[~roots] == -1)
    # order is a permutation and lists parents first
    assert sorted(t.order.tolist()) == list(range(n))
    pos = np.empty(n, dtype=np.int64)
    pos[t.order] = np.arange(n)
    assert np.all(pos[t.parent[~roots]] < pos[~roots])
    # every village reaches the backbone: walk up at most n steps
    for v in range(n):
        steps, u = 0, v
        while u != -1:
            u = int(t.parent[u])
            steps += 1
            assert steps <= n
        assert steps == t.depth[v]
    assert np.all(t.link_km >= 0)
    assert t.total_km == pytest.approx(float(np.sum(t.link_km)), rel=1e-12)


def links_match_geometry(
    t: FibreTree,
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    plat: NDArray[np.float64],
    plon: NDArray[np.float64],
) -> None:
    roots = t.parent < 0
    tlat = np.where(roots, plat[np.maximum(t.backbone_index, 0)], lat[np.maximum(t.parent, 0)])
    tlon = np.where(roots, plon[np.maximum(t.backbone_index, 0)], lon[np.maximum(t.parent, 0)])
    expect = vector_km(lat, lon, tlat, tlon) * t.route_factor
    np.testing.assert_allclose(t.link_km, expect, rtol=1e-9, atol=1e-9)


# --------------------------------------------------------------------------- great circle


def test_great_circle_known_values() -> None:
    # one degree of longitude on the equator, one of latitude on a meridian
    assert float(great_circle_km(0, 0, 0, 1)) == pytest.approx(KM_PER_DEG, rel=1e-14)
    assert float(great_circle_km(10, 5, 11, 5)) == pytest.approx(KM_PER_DEG, rel=1e-12)
    # pole to pole and antipodes: half the circumference
    assert float(great_circle_km(90, 0, -90, 0)) == pytest.approx(math.pi * R, rel=1e-14)
    assert float(great_circle_km(0, 0, 0, 180)) == pytest.approx(math.pi * R, rel=1e-14)
    # across the antimeridian: 2 degrees, not 358
    assert float(great_circle_km(0, 179, 0, -179)) == pytest.approx(2 * KM_PER_DEG, rel=1e-12)
    # along a parallel at 60 degrees the small circle is longer than the great circle
    assert float(great_circle_km(60, 0, 60, 90)) < math.cos(math.radians(60)) * 90 * KM_PER_DEG
    # cos d = sin^2(60) + cos^2(60) cos(90) = 0.75
    assert float(great_circle_km(60, 0, 60, 90)) == pytest.approx(R * math.acos(0.75), rel=1e-12)
    assert EARTH_MEAN_RADIUS_KM == 6371.0088


def test_great_circle_broadcasts() -> None:
    out = great_circle_km(np.zeros((3, 1)), 0.0, 0.0, np.array([0.0, 1.0, 2.0, 3.0]))
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out[1], np.arange(4) * KM_PER_DEG, rtol=1e-12)
    assert np.ndim(great_circle_km(1, 2, 3, 4)) == 0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-90, 90), min_size=4, max_size=4), st.lists(st.floats(-180, 180), min_size=4, max_size=4))
def test_great_circle_matches_vector_formula(lats: list[float], lons: list[float]) -> None:
    d = great_circle_km(lats[:2], lons[:2], lats[2:], lons[2:])
    np.testing.assert_allclose(
        d,
        vector_km(np.array(lats[:2]), np.array(lons[:2]), np.array(lats[2:]), np.array(lons[2:])),
        rtol=1e-9,
        atol=1e-6,
    )
    np.testing.assert_allclose(d, great_circle_km(lats[2:], lons[2:], lats[:2], lons[:2]), rtol=1e-12)
    assert np.all((d >= 0) & (d <= math.pi * R * (1 + 1e-12)))


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((91, 0, 0, 0), "lat1_deg"),
        ((0, 181, 0, 0), "lon1_deg"),
        ((0, 0, -90.5, 0), "lat2_deg"),
        ((0, 0, 0, float("nan")), "lon2_deg"),
        ((0, 0, [0, 1], [0, 1, 2]), "lon2_deg"),
        (("x", 0, 0, 0), "lat1_deg"),
    ],
)
def test_great_circle_errors(args: tuple[object, ...], name: str) -> None:
    with pytest.raises(ParameterError) as info:
        great_circle_km(*args)  # type: ignore[arg-type]
    assert info.value.parameter == name


# --------------------------------------------------------------------------- nearest backbone


def test_nearest_backbone_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-60, 60, 400), rng.uniform(-180, 180, 400)
    plat, plon = rng.uniform(-60, 60, 30), rng.uniform(-180, 180, 30)
    idx, dist = nearest_backbone(lat, lon, plat, plon)
    full = vector_km(lat[:, None], lon[:, None], plat[None, :], plon[None, :])
    np.testing.assert_array_equal(idx, np.argmin(full, axis=1))
    np.testing.assert_allclose(dist, full.min(axis=1), rtol=1e-9)
    i0, d0 = nearest_backbone([], [], [0.0], [0.0])
    assert i0.shape == (0,)
    assert d0.shape == (0,)


def test_nearest_backbone_errors() -> None:
    with pytest.raises(ParameterError, match="at least one") as info:
        nearest_backbone([0.0], [0.0], [], [])
    assert info.value.parameter == "pop_lat_deg"
    with pytest.raises(ParameterError) as info:
        nearest_backbone([0.0], [0.0, 1.0], [0.0], [0.0])
    assert info.value.parameter == "lon_deg"


# --------------------------------------------------------------------------- fibre tree: hand cases


def test_chain_on_the_equator_by_hand() -> None:
    # PoP at lon 0, villages at lon 3, 1, 2: the tree is the chain 0-1-2-3.
    t = minimum_fibre_tree([0.0, 0.0, 0.0], [3.0, 1.0, 2.0], [0.0], [0.0], route_factor=1.5)
    np.testing.assert_array_equal(t.parent, [2, -1, 1])
    np.testing.assert_array_equal(t.backbone_index, [-1, 0, -1])
    np.testing.assert_array_equal(t.depth, [3, 1, 2])
    np.testing.assert_array_equal(t.order, [1, 2, 0])
    np.testing.assert_allclose(t.link_km, [1.5 * KM_PER_DEG] * 3, rtol=1e-12)
    assert t.total_km == pytest.approx(4.5 * KM_PER_DEG, rel=1e-12)
    np.testing.assert_allclose(t.straight_km, [KM_PER_DEG] * 3, rtol=1e-12)
    assert t.route_factor == 1.5


def test_two_points_of_presence_are_one_root() -> None:
    # villages next to each of two PoPs 10 degrees apart: no link between the groups
    t = minimum_fibre_tree([0.0, 0.0], [0.5, 10.5], [0.0, 0.0], [0.0, 10.0], route_factor=1.0)
    np.testing.assert_array_equal(t.parent, [-1, -1])
    np.testing.assert_array_equal(t.backbone_index, [0, 1])
    assert t.total_km == pytest.approx(KM_PER_DEG, rel=1e-12)


def test_default_route_factor_applies() -> None:
    t = minimum_fibre_tree([0.0], [1.0], [0.0], [0.0])
    assert DEFAULT_ROUTE_FACTOR == 1.3
    assert t.total_km == pytest.approx(1.3 * KM_PER_DEG, rel=1e-12)


def test_village_on_a_pop_and_duplicates() -> None:
    # v0 sits on PoP 1 at (0, 2); v1 and v3 share coordinates (5, 0); v2 at
    # (5, 1) is nearer PoP 1 (5.1 degrees) than v1 is (5.4), and 1 degree from v1.
    lat = [0.0, 5.0, 5.0, 5.0]
    lon = [2.0, 0.0, 1.0, 0.0]
    t = minimum_fibre_tree(lat, lon, [50.0, 0.0], [50.0, 2.0], route_factor=1.0)
    assert t.parent[0] == -1
    assert t.backbone_index[0] == 1
    assert t.link_km[0] == 0.0
    # the later duplicate hangs from the first with a 0 km link
    assert t.parent[3] == 1
    assert t.link_km[3] == 0.0
    assert t.parent[1] == 2
    assert t.parent[2] == -1
    assert t.backbone_index[2] == 1
    hand = float(great_circle_km(5, 1, 0, 2) + great_circle_km(5, 0, 5, 1))
    assert t.total_km == pytest.approx(hand, rel=1e-12)
    assert_valid_tree(t, 4, 2)
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, [50.0, 0.0], [50.0, 2.0]), rel=1e-12)


def test_all_villages_on_pops() -> None:
    t = minimum_fibre_tree([1.0, 1.0, 2.0], [1.0, 1.0, 2.0], [2.0, 1.0, 1.0], [2.0, 1.0, 1.0])
    np.testing.assert_array_equal(t.parent, [-1, -1, -1])
    np.testing.assert_array_equal(t.backbone_index, [1, 1, 0])
    assert t.total_km == 0.0


def test_empty_and_tiny_inputs() -> None:
    t0 = minimum_fibre_tree([], [], [0.0], [0.0])
    assert t0.n_villages == 0
    assert t0.total_km == 0.0
    t1 = minimum_fibre_tree([0.0], [1.0], [0.0], [0.0], route_factor=1.0)
    np.testing.assert_array_equal(t1.parent, [-1])
    assert t1.total_km == pytest.approx(KM_PER_DEG, rel=1e-12)
    # two villages on a meridian, one PoP: v1 is nearer the PoP, v0 hangs off it
    t2 = minimum_fibre_tree([3.0, 1.0], [0.0, 0.0], [0.0], [0.0], route_factor=1.0)
    np.testing.assert_array_equal(t2.parent, [1, -1])
    assert t2.total_km == pytest.approx(3 * KM_PER_DEG, rel=1e-12)


def test_pop_duplicates_and_many_pops() -> None:
    rng = np.random.default_rng(11)
    lat, lon = rng.uniform(-8, -7, 150), rng.uniform(114, 115, 150)
    plat = np.r_[lat[:5], lat[:5], rng.uniform(-8, -7, 20)]
    plon = np.r_[lon[:5], lon[:5], rng.uniform(114, 115, 20)]
    t = minimum_fibre_tree(lat, lon, plat, plon, route_factor=1.0)
    assert_valid_tree(t, 150, 30)
    assert np.all(t.parent[:5] == -1)
    assert np.all(t.link_km[:5] == 0.0)
    np.testing.assert_array_equal(t.backbone_index[:5], np.arange(5))
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, plat, plon), rel=1e-9)


# --------------------------------------------------------------------------- fibre tree: exactness


@pytest.mark.parametrize(("n", "n_pops", "seed"), [(5, 1, 0), (65, 2, 1), (300, 5, 2), (1500, 40, 3)])
def test_equals_dense_mst_regional(n: int, n_pops: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(-8.7, -7.9, n), rng.uniform(113.8, 114.6, n)
    plat, plon = rng.uniform(-8.7, -7.9, n_pops), rng.uniform(113.8, 114.6, n_pops)
    t = minimum_fibre_tree(lat, lon, plat, plon, route_factor=1.2)
    if n <= 300:
        assert_valid_tree(t, n, n_pops)
    links_match_geometry(t, lat, lon, plat, plon)
    assert t.total_km == pytest.approx(1.2 * dense_mst_km(lat, lon, plat, plon), rel=1e-9)


def test_equals_dense_mst_clustered_1500() -> None:
    rng = np.random.default_rng(7)
    centres = np.column_stack([rng.uniform(-10, 5, 15), rng.uniform(96, 140, 15)])
    k = rng.integers(0, 15, 1500)
    lat = centres[k, 0] + rng.normal(0, 0.2, 1500)
    lon = centres[k, 1] + rng.normal(0, 0.2, 1500)
    plat, plon = lat[:30] + 0.01, lon[:30] - 0.01
    t = minimum_fibre_tree(lat, lon, plat, plon, route_factor=1.0)
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, plat, plon), rel=1e-9)


def test_equals_dense_mst_banyuwangi() -> None:
    lat, lon, plat, plon = banyuwangi()
    assert (lat.size, plat.size) == (217, 25)
    t = minimum_fibre_tree(lat, lon, plat, plon, route_factor=1.0)
    assert_valid_tree(t, 217, 25)
    links_match_geometry(t, lat, lon, plat, plon)
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, plat, plon), rel=1e-9)


def test_spread_out_archipelago_indonesia_scale() -> None:
    # ~5,100 km west-east, across the equator
    rng = np.random.default_rng(21)
    lat, lon = rng.uniform(-11, 6, 800), rng.uniform(95, 141, 800)
    plat, plon = rng.uniform(-11, 6, 8), rng.uniform(95, 141, 8)
    t = minimum_fibre_tree(lat, lon, plat, plon, route_factor=1.0)
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, plat, plon), rel=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_sphere_exact_where_planar_delaunay_is_wrong(seed: int) -> None:
    # A northern archipelago ~5,000 km across (lat 40-75, lon 60-150): the
    # Delaunay triangulation of raw (lon, lat) misses great-circle MST edges.
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(40, 75, 200), rng.uniform(60, 150, 200)
    plat, plon = rng.uniform(40, 75, 2), rng.uniform(60, 150, 2)
    exact = dense_mst_km(lat, lon, plat, plon)
    t = minimum_fibre_tree(lat, lon, plat, plon, route_factor=1.0)
    assert t.total_km == pytest.approx(exact, rel=1e-9)
    assert planar_delaunay_mst_km(lat, lon, plat, plon) > exact * (1 + 1e-4)


def test_antimeridian_and_pole() -> None:
    rng = np.random.default_rng(5)
    # a Fiji-like group straddling 180 degrees
    lat = rng.uniform(-20, -15, 300)
    lon = np.where(rng.random(300) < 0.5, rng.uniform(176, 180, 300), rng.uniform(-180, -178, 300))
    t = minimum_fibre_tree(lat, lon, [-18.0], [178.4], route_factor=1.0)
    exact = dense_mst_km(lat, lon, [-18.0], [178.4])
    assert t.total_km == pytest.approx(exact, rel=1e-9)
    assert planar_delaunay_mst_km(lat, lon, np.array([-18.0]), np.array([178.4])) > 1.01 * exact
    # around the north pole
    lat = rng.uniform(84, 90, 300)
    lon = rng.uniform(-180, 180, 300)
    t = minimum_fibre_tree(lat, lon, [88.0], [0.0], route_factor=1.0)
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, [88.0], [0.0]), rel=1e-9)


def test_whole_globe() -> None:
    rng = np.random.default_rng(8)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, 600)))
    lon = rng.uniform(-180, 180, 600)
    t = minimum_fibre_tree(lat, lon, lat[:3] + 0.5, lon[:3], route_factor=1.0)
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, lat[:3] + 0.5, lon[:3]), rel=1e-9)


@pytest.mark.parametrize("where", ["parallel", "equator", "meridian"])
def test_coplanar_points(where: str) -> None:
    # > 64 points on one circle: no 3-D hull exists, the circle fallback is used
    rng = np.random.default_rng(9)
    if where == "parallel":
        lat, lon = np.full(200, -8.25), rng.uniform(-180, 180, 200)
        plat, plon = [-8.25], [114.0]
    elif where == "equator":
        lat, lon = np.zeros(200), rng.uniform(100, 120, 200)
        plat, plon = [0.0], [110.0]
    else:
        lat, lon = rng.uniform(-80, 80, 200), np.full(200, 114.0)
        plat, plon = [-8.0], [114.0]
    t = minimum_fibre_tree(lat, lon, plat, plon, route_factor=1.0)
    assert_valid_tree(t, 200, 1)
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, plat, plon), rel=1e-9)


def test_grid_with_duplicates_and_cocircular_points() -> None:
    rng = np.random.default_rng(10)
    lat = -8 + 0.05 * rng.integers(0, 12, 1000)
    lon = 114 + 0.05 * rng.integers(0, 12, 1000)
    t = minimum_fibre_tree(lat, lon, [-8.0, -7.5], [114.0, 114.5], route_factor=1.0)
    assert_valid_tree(t, 1000, 2)
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, [-8.0, -7.5], [114.0, 114.5]), rel=1e-9)


@pytest.mark.parametrize("eps_deg", [1e-11, 1e-9, 1e-7, 1e-6])
def test_near_coincident_clusters(eps_deg: float) -> None:
    # 4-point clusters a few eps apart inside a 110 km region: Qhull merges
    # facets around them; the cluster edges keep the tree exact.
    rng = np.random.default_rng(12)
    blat, blon = rng.uniform(-8, -7, 120), rng.uniform(114, 115, 120)
    lat = np.concatenate([blat, blat + eps_deg, blat + 3 * eps_deg, blat - 2 * eps_deg])
    lon = np.concatenate([blon, blon, blon - eps_deg, blon + eps_deg])
    t = minimum_fibre_tree(lat, lon, [-7.5], [114.5], route_factor=1.0)
    assert_valid_tree(t, 480, 1)
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, [-7.5], [114.5]), rel=1e-9)


def test_dense_clump_inside_a_region() -> None:
    # 100 villages within ~2 m (one cluster larger than the all-pairs limit)
    # among 200 spread over 100 km
    rng = np.random.default_rng(13)
    lat = np.r_[rng.uniform(-8, -7.1, 200), -7.5 + rng.uniform(0, 2e-5, 100)]
    lon = np.r_[rng.uniform(114, 114.9, 200), 114.5 + rng.uniform(0, 2e-5, 100)]
    t = minimum_fibre_tree(lat, lon, [-7.2], [114.2], route_factor=1.0)
    assert_valid_tree(t, 300, 1)
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, [-7.2], [114.2]), rel=1e-9)


def test_route_factor_scales_lengths_not_tree() -> None:
    lat, lon, plat, plon = banyuwangi()
    t1 = minimum_fibre_tree(lat, lon, plat, plon, route_factor=1.0)
    t2 = minimum_fibre_tree(lat, lon, plat, plon, route_factor=1.4)
    np.testing.assert_array_equal(t1.parent, t2.parent)
    np.testing.assert_allclose(t2.link_km, 1.4 * t1.link_km, rtol=1e-15)


# --------------------------------------------------------------------------- fibre tree: properties


@st.composite
def point_sets(draw: st.DrawFn, min_n: int = 1, max_n: int = 40) -> tuple[NDArray[np.float64], ...]:
    n = draw(st.integers(min_n, max_n))
    n_pops = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["region", "grid", "wide"]))
    total = n + n_pops
    if kind == "region":
        lat, lon = rng.uniform(-8.7, -7.9, total), rng.uniform(113.8, 114.6, total)
    elif kind == "grid":  # duplicates, cocircular quadruples, villages on PoPs
        lat = -8 + 0.1 * rng.integers(0, 4, total).astype(np.float64)
        lon = 114 + 0.1 * rng.integers(0, 4, total).astype(np.float64)
    else:
        lat, lon = rng.uniform(-60, 60, total), rng.uniform(-180, 180, total)
    return lat[:n], lon[:n], lat[n:], lon[n:]


@settings(max_examples=40, deadline=None)
@given(point_sets())
def test_tree_properties_small(pts: tuple[NDArray[np.float64], ...]) -> None:
    lat, lon, plat, plon = pts
    t = minimum_fibre_tree(lat, lon, plat, plon, route_factor=1.25)
    assert_valid_tree(t, lat.size, plat.size)
    links_match_geometry(t, lat, lon, plat, plon)
    exact = 1.25 * dense_mst_km(lat, lon, plat, plon)
    assert t.total_km == pytest.approx(exact, rel=1e-9, abs=1e-9)


@settings(max_examples=15, deadline=None)
@given(point_sets(min_n=65, max_n=160))
def test_tree_properties_hull_path(pts: tuple[NDArray[np.float64], ...]) -> None:
    lat, lon, plat, plon = pts
    t = minimum_fibre_tree(lat, lon, plat, plon, route_factor=1.0)
    assert_valid_tree(t, lat.size, plat.size)
    assert t.total_km == pytest.approx(dense_mst_km(lat, lon, plat, plon), rel=1e-9, abs=1e-9)


@settings(max_examples=20, deadline=None)
@given(point_sets(min_n=2, max_n=120), st.randoms(use_true_random=False))
def test_total_invariant_to_input_order(pts: tuple[NDArray[np.float64], ...], rnd: random.Random) -> None:
    lat, lon, plat, plon = pts
    perm = list(range(lat.size))
    rnd.shuffle(perm)
    pperm = list(range(plat.size))
    rnd.shuffle(pperm)
    a = minimum_fibre_tree(lat, lon, plat, plon)
    b = minimum_fibre_tree(lat[perm], lon[perm], plat[pperm], plon[pperm])
    assert b.total_km == pytest.approx(a.total_km, rel=1e-9, abs=1e-9)


# --------------------------------------------------------------------------- fibre tree: errors


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"route_factor": 0.9}, "route_factor"),
        ({"route_factor": float("nan")}, "route_factor"),
        ({"route_factor": "fast"}, "route_factor"),
        ({"lat_deg": [95.0]}, "lat_deg"),
        ({"lon_deg": [200.0]}, "lon_deg"),
        ({"lat_deg": [float("nan")]}, "lat_deg"),
        ({"lon_deg": [0.0, 1.0]}, "lon_deg"),
        ({"lat_deg": [[0.0]], "lon_deg": [[0.0]]}, "lat_deg"),
        ({"pop_lat_deg": [], "pop_lon_deg": []}, "pop_lat_deg"),
        ({"pop_lon_deg": [0.0, 1.0]}, "pop_lon_deg"),
        ({"pop_lat_deg": [[0.0]], "pop_lon_deg": [[0.0]]}, "pop_lat_deg"),
        ({"pop_lat_deg": [-91.0]}, "pop_lat_deg"),
        ({"lat_deg": ["a"]}, "lat_deg"),
    ],
)
def test_minimum_fibre_tree_errors(kwargs: dict[str, object], name: str) -> None:
    args: dict[str, object] = {"lat_deg": [0.0], "lon_deg": [0.0], "pop_lat_deg": [1.0], "pop_lon_deg": [1.0]}
    args.update(kwargs)
    with pytest.raises(ParameterError) as info:
        minimum_fibre_tree(**args)  # type: ignore[arg-type]
    assert info.value.parameter == name
    assert info.value.function == "minimum_fibre_tree"


# --------------------------------------------------------------------------- FibreTree


def test_from_parents_depth_order_and_readonly() -> None:
    t = FibreTree.from_parents([3, -1, 1, 2, -1], [1.0, 2.0, 3.0, 4.0, 5.0], route_factor=1.25)
    np.testing.assert_array_equal(t.depth, [4, 1, 2, 3, 1])
    np.testing.assert_array_equal(t.order, [1, 4, 2, 3, 0])
    np.testing.assert_array_equal(t.backbone_index, [-1, 0, -1, -1, 0])
    assert t.total_km == 15.0
    np.testing.assert_allclose(t.straight_km, [0.8, 1.6, 2.4, 3.2, 4.0])
    with pytest.raises(ValueError, match="read-only"):
        t.parent[0] = 1
    assert t == FibreTree.from_parents([3, -1, 1, 2, -1], [1.0, 2.0, 3.0, 4.0, 5.0], route_factor=1.25)
    # a long chain needs several pointer-jumping rounds
    n = 1000
    chain = FibreTree.from_parents(np.arange(-1, n - 1), np.ones(n))
    np.testing.assert_array_equal(chain.depth, np.arange(1, n + 1))


@pytest.mark.parametrize(
    ("parent", "links", "kwargs", "name", "match"),
    [
        ([1, 0], [1.0, 1.0], {}, "parent", "cycle"),
        ([0], [1.0], {}, "parent", "cycle"),
        ([-1, 5], [1.0, 1.0], {}, "parent", "village row"),
        ([-1, -2], [1.0, 1.0], {}, "parent", "village row"),
        ([[-1]], [1.0], {}, "parent", "one-dimensional"),
        ([-1, 0], [1.0], {}, "link_km", "shape"),
        ([-1, 0], [1.0, -1.0], {}, "link_km", ">= 0"),
        ([-1, 0.5], [1.0, 1.0], {}, "parent", "whole"),
        ([-1, 0], [1.0, 1.0], {"backbone_index": [0]}, "backbone_index", "shape"),
        ([-1, 0], [1.0, 1.0], {"backbone_index": [0, 0]}, "backbone_index", "-1 elsewhere"),
        ([-1, 0], [1.0, 1.0], {"route_factor": 0.5}, "route_factor", ">= 1"),
    ],
)
def test_from_parents_errors(
    parent: object, links: list[float], kwargs: dict[str, object], name: str, match: str
) -> None:
    with pytest.raises(ParameterError, match=match) as info:
        FibreTree.from_parents(parent, links, **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == name


def test_direct_construction_is_checked() -> None:
    ok = {
        "parent": [-1, 0],
        "backbone_index": [0, -1],
        "link_km": [1.0, 1.0],
        "order": [0, 1],
        "depth": [1, 2],
        "route_factor": 1.0,
    }
    FibreTree(**ok)  # type: ignore[arg-type]
    for change, name in [
        ({"order": [1, 0]}, "order"),
        ({"order": [0, 0]}, "order"),
        ({"depth": [1, 3]}, "depth"),
        ({"depth": [1, 2, 3]}, "depth"),
        ({"backbone_index": [-1, -1]}, "backbone_index"),
    ]:
        with pytest.raises(ParameterError) as info:
            FibreTree(**{**ok, **change})  # type: ignore[arg-type]
        assert info.value.parameter == name


# --------------------------------------------------------------------------- annuity


def test_annuity_factor_by_hand() -> None:
    assert annuity_factor(5, 0.0) == 5.0
    assert annuity_factor(2, 0.1) == pytest.approx(1 / 1.1 + 1 / 1.21, rel=1e-14)
    assert annuity_factor(1, 0.09) == pytest.approx(1 / 1.09, rel=1e-14)
    # tiny rates tend to the undiscounted sum
    assert annuity_factor(10, 1e-12) == pytest.approx(10.0, rel=1e-9)
    assert DEFAULT_DISCOUNT_RATE == 0.09
    assert DEFAULT_HORIZON_YEARS == 10.0


@pytest.mark.parametrize(
    ("h", "r", "name"),
    [
        (0, 0.1, "horizon_years"),
        (-1, 0.1, "horizon_years"),
        (math.inf, 0.1, "horizon_years"),
        (5, -0.01, "discount_rate"),
        (5, float("nan"), "discount_rate"),
        (5, "x", "discount_rate"),
        (True, 0.1, "horizon_years"),
    ],
)
def test_annuity_factor_errors(h: object, r: object, name: str) -> None:
    with pytest.raises(ParameterError) as info:
        annuity_factor(h, r)  # type: ignore[arg-type]
    assert info.value.parameter == name


# --------------------------------------------------------------------------- technology choice: by hand


def techs(
    fibre: tuple[float, float] = (100.0, 10.0), microwave: float = 60.0, mw_range: float = 5.0, satellite: float = 300.0
) -> tuple[Technology, ...]:
    return (
        Technology("fibre", "Fibre", capex=fibre[0], capex_per_km=fibre[1]),
        Technology("microwave", "Microwave", capex=microwave, max_link_km=mw_range),
        Technology("satellite", "Satellite", capex=satellite),
    )


def chain_tree(root_km: float) -> FibreTree:
    # A (root, root_km from its PoP) <- B (1 km) <- C (1 km)
    return FibreTree.from_parents([-1, 0, 1], [root_km, 1.0, 1.0])


def test_relay_keeps_a_village_on_fibre() -> None:
    # A fibre 200 (only option besides satellite 300); B alone would take
    # microwave (60 < fibre 110), but then C has only satellite (300):
    # A fibre + B fibre + C microwave = 200 + 110 + 60 = 370 beats
    # A fibre + B microwave + C satellite = 560.
    c = choose_technology(chain_tree(10.0), [10.0, 11.0, 12.0], 1.0, techs(), horizon_years=1, discount_rate=0.0)
    assert c.technology_ids == ("fibre", "microwave", "satellite")
    np.testing.assert_array_equal(c.technology, [0, 0, 1])
    np.testing.assert_array_equal(c.on_fibre, [True, True, False])
    np.testing.assert_array_equal(c.depends_on, [-1, 0, 1])
    np.testing.assert_allclose(c.lifetime_cost, [200.0, 110.0, 60.0])
    np.testing.assert_allclose(c.capex, [200.0, 110.0, 60.0])
    np.testing.assert_allclose(c.link_km, [10.0, 1.0, 1.0])
    assert c.total_lifetime_cost == 370.0
    assert c.counts() == {"fibre": 2, "microwave": 1, "satellite": 0}
    assert c.annuity_factor == 1.0


def test_whole_subtree_leaves_fibre_when_cheaper() -> None:
    # A's fibre costs 100 + 40*10 = 500; satellite 100 each: 300 in all
    # beats 500 + 110 + 60. Off fibre, B and C cannot microwave (PoP 11 and
    # 12 km away, range 5 km): all satellite.
    c = choose_technology(
        chain_tree(40.0), [40.0, 11.0, 12.0], 1.0, techs(satellite=100.0), horizon_years=1, discount_rate=0.0
    )
    np.testing.assert_array_equal(c.technology, [2, 2, 2])
    assert not c.on_fibre.any()
    np.testing.assert_array_equal(c.depends_on, [-1, -1, -1])
    assert c.total_lifetime_cost == 300.0


def test_microwave_to_the_nearest_pop_when_parent_is_off_fibre() -> None:
    # Same as above but C is 4 km from a PoP: it microwaves there (60).
    c = choose_technology(
        chain_tree(40.0), [40.0, 11.0, 4.0], 1.0, techs(satellite=100.0), horizon_years=1, discount_rate=0.0
    )
    np.testing.assert_array_equal(c.technology, [2, 2, 1])
    np.testing.assert_allclose(c.link_km, [0.0, 0.0, 4.0])
    np.testing.assert_array_equal(c.depends_on, [-1, -1, -1])
    assert c.total_lifetime_cost == 260.0


def test_root_microwaves_to_its_pop_and_route_factor() -> None:
    # Route factor 1.5: A's fibre is 6 km of route (100 + 60 = 160), but the
    # straight hop is 4 km, in microwave range (60).
    t = FibreTree.from_parents([-1], [6.0], route_factor=1.5)
    c = choose_technology(t, [4.0], 1.0, techs(), horizon_years=1, discount_rate=0.0)
    np.testing.assert_array_equal(c.technology, [1])
    np.testing.assert_allclose(c.link_km, [4.0])
    assert c.total_lifetime_cost == 60.0


def test_discounted_opex_and_capacity_by_hand() -> None:
    # One village 2 km from the backbone, 10 Mbps, r = 10 %, H = 2 years:
    # AF = 1/1.1 + 1/1.21 = 1.73553719...
    af = 1 / 1.1 + 1 / 1.21
    options = (
        Technology("fibre", "F", capex=100.0, capex_per_km=5.0, opex_per_year=10.0, opex_per_km_year=1.0),
        Technology("cellular", "C", capex=20.0, opex_per_year=30.0, max_link_km=3.0, capacity_mbps=8.0),
        Technology("satellite", "S", capex=50.0, opex_per_mbps_year=4.0),
    )
    fibre = 100 + 5 * 2 + af * (10 + 1 * 2)  # 130.826...
    satellite = 50 + af * 4 * 10  # 119.42...
    t = FibreTree.from_parents([-1], [2.0])
    c = choose_technology(t, [2.0], 10.0, options, horizon_years=2, discount_rate=0.1)
    # cellular (20 + 30 AF = 72.07) is out: 10 Mbps > 8 Mbps capacity
    np.testing.assert_array_equal(c.technology, [2])
    assert c.lifetime_cost[0] == pytest.approx(satellite, rel=1e-12)
    assert c.opex_per_year[0] == pytest.approx(40.0)
    assert c.annuity_factor == pytest.approx(af, rel=1e-14)
    # at 5 Mbps cellular fits: 20 + 30 AF
    c5 = choose_technology(t, [2.0], 5.0, options, horizon_years=2, discount_rate=0.1)
    np.testing.assert_array_equal(c5.technology, [1])
    assert c5.lifetime_cost[0] == pytest.approx(20 + 30 * af, rel=1e-12)
    # 4 km from the PoP, cellular is out of range again; satellite at 5 Mbps = 50 + 20 AF
    c4 = choose_technology(FibreTree.from_parents([-1], [2.0]), [4.0], 5.0, options, horizon_years=2, discount_rate=0.1)
    np.testing.assert_array_equal(c4.technology, [2])
    assert c4.lifetime_cost[0] == pytest.approx(min(fibre, 50 + 20 * af), rel=1e-12)


def test_link_kinds_and_several_technologies_per_kind() -> None:
    options = (
        Technology("fibre", "F", capex=1000.0),
        Technology("vsat", "VSAT", capex=300.0),
        Technology("leo", "LEO", capex=250.0, capacity_mbps=20.0),
    )
    t = FibreTree.from_parents([-1, -1], [1.0, 1.0])
    c = choose_technology(t, [1.0, 1.0], [10.0, 30.0], options, link_kinds={"vsat": "satellite", "leo": "satellite"})
    np.testing.assert_array_equal(c.technology, [2, 1])  # LEO fits 10 Mbps, not 30


def test_infeasible_village_is_reported() -> None:
    options = (Technology("cellular", "C", capex=1.0, max_link_km=5.0),)
    t = FibreTree.from_parents([-1, -1], [1.0, 1.0])
    with pytest.raises(ParameterError, match="1 village") as info:
        choose_technology(t, [1.0, 9.0], 1.0, options)
    assert info.value.parameter == "technologies"
    # a fibre chain that breaks (root link too long) strands its child
    options2 = (Technology("fibre", "F", capex=1.0, max_link_km=5.0),)
    with pytest.raises(ParameterError, match="2 village"):
        choose_technology(FibreTree.from_parents([-1, 0], [9.0, 1.0]), [9.0, 9.0], 1.0, options2)


def test_empty_tree() -> None:
    c = choose_technology(FibreTree.from_parents([], []), [], 1.0, DEFAULT_TECHNOLOGIES)
    assert c.n_villages == 0
    assert c.total_lifetime_cost == 0.0


# --------------------------------------------------------------------------- technology choice: brute force


def option_cost(tech: Technology, length: float, demand: float, af: float) -> float:
    if demand > tech.capacity_mbps or length > tech.max_link_km:
        return math.inf
    opex = tech.opex_per_year + tech.opex_per_km_year * length + tech.opex_per_mbps_year * demand
    return tech.capex + tech.capex_per_km * length + af * opex


Problem = tuple[FibreTree, list[float], list[float], tuple[Technology, ...]]


def brute_force(
    tree: FibreTree, dist: list[float], demand: list[float], options: Sequence[Technology], af: float
) -> float:
    """Minimum total over all |options|^n assignments that are valid."""
    n = tree.n_villages
    parent = tree.parent.tolist()
    best = math.inf
    for assign in itertools.product(range(len(options)), repeat=n):
        fib = [options[a].id == "fibre" for a in assign]
        total = 0.0
        for v in range(n):
            tech = options[assign[v]]
            p = parent[v]
            fibre_parent = p < 0 or fib[p]
            if tech.id == "fibre":
                cost = option_cost(tech, float(tree.link_km[v]), demand[v], af) if fibre_parent else math.inf
            elif tech.id == "microwave":
                hops = [dist[v]] + ([float(tree.straight_km[v])] if fibre_parent else [])
                cost = min(option_cost(tech, h, demand[v], af) for h in hops)
            elif tech.id == "cellular":
                cost = option_cost(tech, dist[v], demand[v], af)
            else:
                cost = option_cost(tech, 0.0, demand[v], af)
            total += cost
            if total == math.inf:
                break
        best = min(best, total)
    return best


@st.composite
def tiny_problems(draw: st.DrawFn) -> Problem:
    n = draw(st.integers(1, 6))
    parent = [draw(st.integers(-1, i - 1)) for i in range(n)]
    perm = draw(st.permutations(range(n)))
    inv = {old: new for new, old in enumerate(perm)}
    par = [-1] * n
    for old in range(n):
        par[inv[old]] = -1 if parent[old] < 0 else inv[parent[old]]
    links = [float(draw(st.integers(0, 12))) for _ in range(n)]
    rf = draw(st.sampled_from([1.0, 1.5]))
    dist = [float(draw(st.integers(0, 12))) for _ in range(n)]
    demand = [float(draw(st.sampled_from([1, 10, 30, 80]))) for _ in range(n)]
    money = st.integers(0, 400).map(float)
    rng_km = st.sampled_from([2.0, 5.0, 9.0, math.inf])
    cap = st.sampled_from([5.0, 20.0, 50.0, math.inf])
    pool = [
        Technology(
            "fibre",
            "F",
            capex=draw(money),
            capex_per_km=draw(money) / 20,
            opex_per_year=draw(money) / 10,
            opex_per_km_year=draw(money) / 100,
            max_link_km=draw(rng_km),
            capacity_mbps=draw(cap),
        ),
        Technology(
            "microwave",
            "M",
            capex=draw(money),
            capex_per_km=draw(money) / 50,
            opex_per_year=draw(money) / 10,
            max_link_km=draw(rng_km),
            capacity_mbps=draw(cap),
        ),
        Technology(
            "cellular",
            "C",
            capex=draw(money),
            opex_per_year=draw(money) / 10,
            max_link_km=draw(rng_km),
            capacity_mbps=draw(cap),
        ),
        Technology("satellite", "S", capex=draw(money), opex_per_mbps_year=draw(money) / 50, capacity_mbps=draw(cap)),
    ]
    chosen = draw(st.sets(st.integers(0, 3), min_size=1))
    options = tuple(pool[i] for i in sorted(chosen))
    tree = FibreTree.from_parents(par, [x * rf for x in links], route_factor=rf)
    return tree, dist, demand, options


def assignment_is_valid(
    c: TechnologyChoice,
    tree: FibreTree,
    dist: list[float],
    demand: list[float],
    options: Sequence[Technology],
    af: float,
) -> float:
    """Check a returned assignment and recompute its cost independently."""
    total = 0.0
    for v in range(tree.n_villages):
        tech = options[int(c.technology[v])]
        p = int(tree.parent[v])
        fibre_parent = p < 0 or bool(c.on_fibre[p])
        assert c.on_fibre[v] == (tech.id == "fibre")
        if tech.id == "fibre":
            assert fibre_parent
            length = float(tree.link_km[v])
        elif tech.id == "microwave":
            length = float(c.link_km[v])
            allowed = [dist[v]] + ([float(tree.straight_km[v])] if fibre_parent else [])
            assert any(math.isclose(length, a) for a in allowed)
        elif tech.id == "cellular":
            length = dist[v]
        else:
            length = 0.0
        cost = option_cost(tech, length, demand[v], af)
        assert math.isfinite(cost)
        assert c.lifetime_cost[v] == pytest.approx(cost, rel=1e-12, abs=1e-9)
        total += cost
    return total


@settings(max_examples=60, deadline=None)
@given(tiny_problems(), st.sampled_from([(1.0, 0.0), (5.0, 0.09)]))
def test_dp_equals_brute_force(problem: Problem, money_time: tuple[float, float]) -> None:
    tree, dist, demand, options = problem
    horizon, rate = money_time
    af = annuity_factor(horizon, rate)
    best = brute_force(tree, dist, demand, options, af)
    if best == math.inf:
        with pytest.raises(ParameterError):
            choose_technology(tree, dist, demand, options, horizon_years=horizon, discount_rate=rate)
        return
    c = choose_technology(tree, dist, demand, options, horizon_years=horizon, discount_rate=rate)
    assert c.total_lifetime_cost == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert assignment_is_valid(c, tree, dist, demand, options, af) == pytest.approx(best, rel=1e-9, abs=1e-9)


def scalar_dp(
    tree: FibreTree, dist: list[float], demand: list[float], options: Sequence[Technology], af: float
) -> float:
    """The same recurrences, one village at a time in a Python loop."""
    n = tree.n_villages
    f = [math.inf] * n
    a0 = [math.inf] * n
    a1 = [math.inf] * n
    for v in range(n):
        for tech in options:
            if tech.id == "fibre":
                f[v] = min(f[v], option_cost(tech, float(tree.link_km[v]), demand[v], af))
            elif tech.id == "microwave":
                a0[v] = min(a0[v], option_cost(tech, dist[v], demand[v], af))
                a1[v] = min(a1[v], option_cost(tech, float(tree.straight_km[v]), demand[v], af))
            elif tech.id == "cellular":
                a0[v] = min(a0[v], option_cost(tech, dist[v], demand[v], af))
            else:
                a0[v] = min(a0[v], option_cost(tech, 0.0, demand[v], af))
        a1[v] = min(a1[v], a0[v])
    children: list[list[int]] = [[] for _ in range(n)]
    for v in range(n):
        if tree.parent[v] >= 0:
            children[int(tree.parent[v])].append(v)
    big_a = [0.0] * n
    big_f = [0.0] * n
    off = [0.0] * n  # a1(v) + sum A(children)
    for v in reversed(tree.order.tolist()):
        sa = sum(big_a[c] for c in children[v])
        big_a[v] = a0[v] + sa
        off[v] = a1[v] + sa
        big_f[v] = f[v] + sum(min(big_f[c], off[c]) for c in children[v])
    return sum(min(big_f[v], off[v]) for v in range(n) if tree.parent[v] < 0)


def test_vectorised_dp_equals_scalar_loop_on_banyuwangi() -> None:
    lat, lon, plat, plon = banyuwangi()
    t = minimum_fibre_tree(lat, lon, plat, plon)
    _, dist = nearest_backbone(lat, lon, plat, plon)
    rng = np.random.default_rng(4)
    demand = rng.choice([5.0, 10.0, 25.0, 60.0], size=lat.size)
    c = choose_technology(t, dist, demand, DEFAULT_TECHNOLOGIES)
    af = annuity_factor(DEFAULT_HORIZON_YEARS, DEFAULT_DISCOUNT_RATE)
    expected = scalar_dp(t, dist.tolist(), demand.tolist(), DEFAULT_TECHNOLOGIES, af)
    assert c.total_lifetime_cost == pytest.approx(expected, rel=1e-12)
    assert assignment_is_valid(c, t, dist.tolist(), demand.tolist(), DEFAULT_TECHNOLOGIES, af) == pytest.approx(
        expected, rel=1e-12
    )
    # Never worse than all-fibre or than the best standalone option per village
    all_fibre = sum(
        option_cost(DEFAULT_TECHNOLOGIES[0], float(x), d, af) for x, d in zip(t.link_km, demand, strict=True)
    )
    assert c.total_lifetime_cost <= all_fibre
    # a village depends on another only through its own tree parent, which is on fibre
    dep = c.depends_on >= 0
    np.testing.assert_array_equal(c.depends_on[dep], t.parent[dep])
    assert c.on_fibre[c.depends_on[dep]].all()
    assert np.all(c.depends_on[c.on_fibre] == t.parent[c.on_fibre])


def test_vectorised_dp_equals_scalar_loop_deep_random_tree() -> None:
    rng = np.random.default_rng(6)
    n = 800
    parent = np.array([-1] + [int(rng.integers(max(0, i - 3), i)) for i in range(1, n)])
    parent[rng.random(n) < 0.02] = -1
    perm = rng.permutation(n)
    inv = np.empty(n, dtype=np.int64)
    inv[perm] = np.arange(n)
    par = np.where(parent[perm] < 0, -1, inv[np.maximum(parent[perm], 0)])
    t = FibreTree.from_parents(par, rng.uniform(0.2, 6, n), route_factor=1.3)
    assert t.depth.max() > 50
    dist = rng.uniform(0, 40, n)
    demand = rng.choice([5.0, 15.0, 40.0], size=n)
    options = (
        Technology("fibre", "F", capex=2e7, capex_per_km=7.5e7, opex_per_year=1e7),
        Technology("microwave", "M", capex=1e8, opex_per_year=1.5e7, max_link_km=4.0, capacity_mbps=30.0),
        Technology("cellular", "C", capex=3e6, opex_per_year=1.2e7, max_link_km=8.0, capacity_mbps=20.0),
        Technology("satellite", "S", capex=7.5e6, opex_per_mbps_year=1.8e7),
    )
    c = choose_technology(t, dist, demand, options, horizon_years=15, discount_rate=0.06)
    af = annuity_factor(15, 0.06)
    expected = scalar_dp(t, dist.tolist(), demand.tolist(), options, af)
    assert c.total_lifetime_cost == pytest.approx(expected, rel=1e-12)
    assignment_is_valid(c, t, dist.tolist(), demand.tolist(), options, af)
    assert 0 < c.on_fibre.sum() < n  # the example exercises both branches


# --------------------------------------------------------------------------- technology choice: errors


def test_choose_technology_errors() -> None:
    t = FibreTree.from_parents([-1, 0], [1.0, 1.0])
    ok = {"tree": t, "backbone_distance_km": [1.0, 2.0], "demand_mbps": 1.0, "technologies": DEFAULT_TECHNOLOGIES}
    cases: list[tuple[dict[str, object], str]] = [
        ({"tree": "tree"}, "tree"),
        ({"backbone_distance_km": [1.0]}, "backbone_distance_km"),
        ({"backbone_distance_km": [1.0, -2.0]}, "backbone_distance_km"),
        ({"backbone_distance_km": [1.0, float("nan")]}, "backbone_distance_km"),
        ({"demand_mbps": [1.0, 2.0, 3.0]}, "demand_mbps"),
        ({"demand_mbps": -1.0}, "demand_mbps"),
        ({"technologies": ()}, "technologies"),
        ({"technologies": "fibre"}, "technologies"),
        ({"technologies": (DEFAULT_TECHNOLOGIES[0], DEFAULT_TECHNOLOGIES[0])}, "technologies"),
        ({"technologies": (Technology("lte450", "LTE", capex=1.0),)}, "technologies"),
        ({"technologies": (object(),)}, "technologies"),
        ({"horizon_years": 0.0}, "horizon_years"),
        ({"discount_rate": -0.5}, "discount_rate"),
        ({"link_kinds": {"lte450": "smoke-signal"}}, "link_kinds"),
    ]

    class NoCapacity:
        id = "satellite"
        capex = capex_per_km = opex_per_year = 1.0
        opex_per_km_year = opex_per_mbps_year = max_link_km = 1.0

    class NegativeCost(NoCapacity):
        capacity_mbps = 1.0
        capex = -1.0

    class InfiniteCost(NoCapacity):
        capacity_mbps = 1.0
        opex_per_year = math.inf

    class TextCost(NoCapacity):
        capacity_mbps = 1.0
        capex = "cheap"  # type: ignore[assignment]

    cases += [
        ({"technologies": (cls(),)}, "technologies") for cls in (NoCapacity, NegativeCost, InfiniteCost, TextCost)
    ]
    for change, name in cases:
        with pytest.raises(ParameterError) as info:
            choose_technology(**{**ok, **change})  # type: ignore[arg-type]
        assert info.value.parameter == name, change
        assert info.value.function == "choose_technology"


# --------------------------------------------------------------------------- Steiner tree


def random_road_graph(rng: np.random.Generator, n: int, extra: int) -> nx.Graph:
    g = nx.random_labeled_tree(n, seed=int(rng.integers(2**31)))
    nodes = list(range(n))
    for _ in range(extra):
        u, v = rng.choice(nodes, 2, replace=False)
        g.add_edge(int(u), int(v))
    for u, v in g.edges:
        g.edges[u, v]["weight"] = float(rng.uniform(0.5, 10.0))
    return g


def steiner_from_nx(g: nx.Graph, terminals: list[int]) -> tuple[RoadSteinerTree, list[tuple[int, int, float]]]:
    edges = list(g.edges(data="weight"))
    u = [e[0] for e in edges]
    v = [e[1] for e in edges]
    w = [e[2] for e in edges]
    return steiner_tree_on_roads(g.number_of_nodes(), u, v, w, terminals), edges


def optimal_steiner(g: nx.Graph, terminals: list[int]) -> float:
    others = [x for x in g.nodes if x not in terminals]
    best = math.inf
    for k in range(len(others) + 1):
        for extra in itertools.combinations(others, k):
            sub = g.subgraph(list(terminals) + list(extra))
            if nx.is_connected(sub):
                best = min(best, nx.minimum_spanning_tree(sub).size(weight="weight"))
    return best


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31), st.integers(4, 9), st.integers(0, 10))
def test_steiner_against_networkx_and_optimum(seed: int, n: int, extra: int) -> None:
    rng = np.random.default_rng(seed)
    g = random_road_graph(rng, n, extra)
    k = int(rng.integers(2, n + 1))
    terminals = sorted(int(x) for x in rng.choice(n, k, replace=False))
    result, edges = steiner_from_nx(g, terminals)
    ref = nx.algorithms.approximation.steiner_tree(g, terminals, weight="weight", method="mehlhorn")
    ref_total = ref.size(weight="weight")
    opt = optimal_steiner(g, terminals)
    assert opt - 1e-9 <= result.total_km <= 2 * opt + 1e-9
    assert result.total_km == pytest.approx(ref_total, rel=1e-9)
    # it is a tree touching every terminal whose leaves are terminals
    tree = nx.Graph([(edges[i][0], edges[i][1]) for i in result.edge_index])
    tree.add_nodes_from(terminals)
    assert nx.is_tree(tree)
    assert set(terminals) <= set(tree.nodes)
    assert all(x in terminals for x in tree.nodes if tree.degree(x) == 1)
    assert result.total_km == pytest.approx(sum(edges[i][2] for i in result.edge_index), rel=1e-12)
    np.testing.assert_array_equal(result.nodes, sorted(tree.nodes))


def test_steiner_by_hand_with_zero_and_parallel_edges() -> None:
    # Star: centre 0, terminals 1, 2, 3 at 2 km each; direct 1-2 road 5 km,
    # a parallel (longer) 0-1 road and a 0 km edge 3-4 (4 not a terminal).
    u = [0, 0, 0, 1, 0, 3]
    v = [1, 2, 3, 2, 1, 4]
    w = [2.0, 2.0, 2.0, 5.0, 7.0, 0.0]
    r = steiner_tree_on_roads(5, u, v, w, [1, 2, 3])
    np.testing.assert_array_equal(r.edge_index, [0, 1, 2])
    assert r.total_km == 6.0
    np.testing.assert_array_equal(r.nodes, [0, 1, 2, 3])
    # a zero-length edge between two terminals is used
    r0 = steiner_tree_on_roads(5, u, v, w, [3, 4])
    np.testing.assert_array_equal(r0.edge_index, [5])
    assert r0.total_km == 0.0
    single = steiner_tree_on_roads(5, u, v, w, [2, 2])
    assert single.edge_index.size == 0
    assert single.total_km == 0.0


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0, [0], [0], [1.0], [0]), "n_nodes"),
        ((True, [0], [0], [1.0], [0]), "n_nodes"),
        ((3, [[0]], [1], [1.0], [0]), "edge_u"),
        ((3, [0, 1], [1], [1.0], [0]), "edge_v"),
        ((3, [0], [1], [1.0, 2.0], [0]), "edge_km"),
        ((3, [0], [1], [-1.0], [0]), "edge_km"),
        ((3, [0], [3], [1.0], [0]), "edge_v"),
        ((3, [-1], [1], [1.0], [0]), "edge_u"),
        ((3, [0], [1], [1.0], []), "terminals"),
        ((3, [0], [1], [1.0], [5]), "terminals"),
        ((3, [0], [1], [1.0], [0, 2]), "terminals"),
    ],
)
def test_steiner_errors(args: tuple[object, ...], name: str) -> None:
    with pytest.raises(ParameterError) as info:
        steiner_tree_on_roads(*args)  # type: ignore[arg-type]
    assert info.value.parameter == name


def test_works_on_region_columns(banyuwangi_region) -> None:  # type: ignore[no-untyped-def]
    # the object layer hands its columns straight to the array core
    cols = banyuwangi_region.to_columns()
    t = minimum_fibre_tree(cols.lat_deg, cols.lon_deg, cols.pop_lat_deg, cols.pop_lon_deg, route_factor=1.0)
    assert_valid_tree(t, cols.n_villages, cols.pop_lat_deg.size)
    exact = dense_mst_km(cols.lat_deg, cols.lon_deg, cols.pop_lat_deg, cols.pop_lon_deg)
    assert t.total_km == pytest.approx(exact, rel=1e-9)
