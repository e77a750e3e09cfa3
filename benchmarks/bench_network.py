"""Speed of the fibre tree and the technology choice.

Run as ``python benchmarks/bench_network.py`` (add ``--quick`` for a small
smoke run). Prints one table:

* 2,000 villages (+ 170 points of presence): :func:`minimum_fibre_tree`
  against ``networkx.minimum_spanning_tree`` on the complete graph (PoPs
  merged into one root; building the graph timed separately from the
  spanning tree) and against a bare scipy pipeline (``ConvexHull`` of the
  unit vectors, chord weights, ``minimum_spanning_tree``; no PoP merging, no
  duplicate handling, no parents, depths or km);
* 84,000 villages (about Indonesia's count) + 7,000 points of presence:
  :func:`minimum_fibre_tree`, :func:`nearest_backbone` and
  :func:`choose_technology` (the four default technologies) against the
  same bare scipy pipeline.

It also checks that the tree lengths agree with networkx's exact answer.

Points: a small clustered generator (villages scattered around cluster
centres drawn over Indonesia's bounding box, 5,100 km west to east; points
of presence drawn the same way). Times are the best of a few repeats after
a warm-up.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartkampung.model import DEFAULT_TECHNOLOGIES
from smartkampung.sim.geometry import great_circle_km, nearest_backbone
from smartkampung.sim.technology import choose_technology
from smartkampung.sim.tree import minimum_fibre_tree

Points = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


def clustered_points(n_villages: int, n_pops: int, seed: int = 0) -> Points:
    """Villages and PoPs scattered around ~n/300 centres over Indonesia's bounding box."""
    rng = np.random.default_rng(seed)
    n_clusters = max(3, (n_villages + n_pops) // 300)
    c_lat = rng.uniform(-10.5, 5.5, n_clusters)
    c_lon = rng.uniform(95.5, 140.5, n_clusters)
    total = n_villages + n_pops
    k = rng.integers(0, n_clusters, total)
    lat = np.clip(c_lat[k] + rng.normal(0.0, 0.25, total), -90.0, 90.0)
    lon = np.clip(c_lon[k] + rng.normal(0.0, 0.25, total), -180.0, 180.0)
    return lat[:n_villages], lon[:n_villages], lat[n_villages:], lon[n_villages:]


def unit_vectors(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float64]:
    p, q = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(p) * np.cos(q), np.cos(p) * np.sin(q), np.sin(p)))


def bare_scipy_mst(points: Points) -> float:
    """ConvexHull of unit vectors + chord-weighted minimum_spanning_tree, nothing else."""
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import minimum_spanning_tree
    from scipy.spatial import ConvexHull

    lat, lon, plat, plon = points
    xyz = unit_vectors(np.r_[lat, plat], np.r_[lon, plon])
    m = xyz.shape[0]
    s = np.asarray(ConvexHull(xyz).simplices, dtype=np.int64)
    e = np.concatenate((s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]))
    e.sort(axis=1)
    key = np.unique(e[:, 0] * m + e[:, 1])
    i, j = key // m, key % m
    w = np.linalg.norm(xyz[i] - xyz[j], axis=1)
    mst = minimum_spanning_tree(coo_array((w, (i, j)), shape=(m, m)).tocsr())
    return float(mst.sum())


def networkx_graph(points: Points) -> Any:
    """Complete graph on the villages plus one root standing for all PoPs."""
    import networkx as nx  # type: ignore[import-untyped]

    lat, lon, plat, plon = points
    n = lat.size
    d = great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    to_root = great_circle_km(lat[:, None], lon[:, None], plat[None, :], plon[None, :]).min(axis=1)
    iu, ju = np.triu_indices(n, k=1)
    g = nx.Graph()
    g.add_weighted_edges_from(zip(iu.tolist(), ju.tolist(), d[iu, ju].tolist(), strict=True))
    g.add_weighted_edges_from((v, n, float(to_root[v])) for v in range(n))
    return g


def networkx_mst_km(g: Any) -> float:
    import networkx as nx

    return float(nx.minimum_spanning_tree(g).size(weight="weight"))


def best_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    out = fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    args = parser.parse_args()
    n_small, pops_small = (300, 25) if args.quick else (2_000, 170)
    n_big, pops_big = (8_400, 700) if args.quick else (84_000, 7_000)
    repeats = 1 if args.quick else 3

    rows: list[tuple[str, str, float, str]] = []

    # ---- small: against networkx on the complete graph -------------------------------
    pts = clustered_points(n_small, pops_small, seed=1)
    t_ours, tree = best_time(lambda: minimum_fibre_tree(*pts, route_factor=1.0), repeats)
    t_bare, _ = best_time(lambda: bare_scipy_mst(pts), repeats)
    t0 = time.perf_counter()
    graph = networkx_graph(pts)
    t_build = time.perf_counter() - t0
    t_nx, nx_km = best_time(lambda: networkx_mst_km(graph), 1)
    label = f"{n_small:,} villages + {pops_small} PoPs"
    rows += [
        (label, "minimum_fibre_tree", t_ours, "1.0"),
        (label, "bare scipy ConvexHull + MST", t_bare, f"{t_bare / t_ours:.2f}"),
        (label, "networkx complete graph: build", t_build, f"{t_build / t_ours:.0f}"),
        (label, "networkx complete graph: MST", t_nx, f"{t_nx / t_ours:.0f}"),
        (label, "networkx build + MST", t_build + t_nx, f"{(t_build + t_nx) / t_ours:.0f}"),
    ]
    rel = abs(tree.total_km - nx_km) / nx_km

    # ---- big: national scale -----------------------------------------------------------
    big = clustered_points(n_big, pops_big, seed=2)
    t_tree, big_tree = best_time(lambda: minimum_fibre_tree(*big), repeats)
    t_near, (_, dist) = best_time(lambda: nearest_backbone(*big), repeats)
    demand = np.random.default_rng(3).choice([5.0, 10.0, 20.0, 40.0], size=n_big)
    t_choice, choice = best_time(lambda: choose_technology(big_tree, dist, demand, DEFAULT_TECHNOLOGIES), repeats)
    t_bare_big, _ = best_time(lambda: bare_scipy_mst(big), repeats)
    label = f"{n_big:,} villages + {pops_big:,} PoPs"
    rows += [
        (label, "minimum_fibre_tree", t_tree, "1.0"),
        (label, "bare scipy ConvexHull + MST", t_bare_big, f"{t_bare_big / t_tree:.2f}"),
        (label, "nearest_backbone", t_near, f"{t_near / t_tree:.2f}"),
        (label, "choose_technology", t_choice, f"{t_choice / t_tree:.2f}"),
        (label, "tree + nearest + choice", t_tree + t_near + t_choice, f"{(t_tree + t_near + t_choice) / t_tree:.2f}"),
    ]

    w_case = max(len(r[0]) for r in rows)
    w_meth = max(len(r[1]) for r in rows)
    print(f"{'problem':<{w_case}}  {'method':<{w_meth}}  {'time [s]':>9}  {'time ÷ tree time':>20}")
    print("-" * (w_case + w_meth + 35))
    for case, meth, t, ratio in rows:
        print(f"{case:<{w_case}}  {meth:<{w_meth}}  {t:9.4f}  {ratio:>20}")
    print()
    print(f"small: tree {tree.total_km:,.3f} km vs networkx {nx_km:,.3f} km (relative difference {rel:.1e})")
    print(
        f"big: tree {big_tree.total_km:,.0f} km of route, depth up to {int(big_tree.depth.max())}; "
        f"technologies {choice.counts()}; lifetime cost "
        f"Rp {choice.total_lifetime_cost / 1e12:,.2f} trillion"
    )
    print(
        f"target (DESIGN.md): 84,000-village tree under 2 s -> "
        f"{'met' if t_tree < 2.0 or args.quick else 'NOT met'} ({t_tree:.2f} s)"
    )


if __name__ == "__main__":
    main()
