"""Land and water: polygons of a region, and how much of a straight link runs over water.

A region's village polygons cover its land (Banyuwangi's 217 desa and
kelurahan, Guimaras's 98 barangays are bundled in
:mod:`smartkampung.datasets`); a fibre link whose straight route leaves
them crosses a strait, a bay or a river mouth and is priced as a water
crossing (see :func:`smartkampung.sim.planning.plan_network`).

Geometry is in degrees ``[lon, lat]`` (GeoJSON order) and works on the
plane of longitude and latitude: at the scale of one link (a few km) a
straight line there and the great circle differ by metres, far less than
the simplification of the polygons. Nothing here reads a file: the readers
are :func:`smartkampung.io.read_boundaries` and
:func:`smartkampung.datasets.boundaries`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, check_float, check_shape
from smartkampung.sim.geometry import haversine_km

__all__ = ["DEFAULT_MIN_WATER_RUN_KM", "DEFAULT_WATER_STEP_KM", "Boundaries", "water_km"]

#: Spacing of the points tested along a link. [km]
DEFAULT_WATER_STEP_KM: Final[float] = 0.05
#: Shortest stretch over water that counts: shorter gaps are slivers between
#: simplified polygons or a centroid a few metres off the coast. [km]
DEFAULT_MIN_WATER_RUN_KM: Final[float] = 0.3

#: One polygon: its rings, exterior first, each an ``(n_points, 2)`` array of ``[lon, lat]``. [degrees]
Polygon = tuple[NDArray[np.float64], ...]


def _ring(points: Any, where: str) -> NDArray[np.float64]:
    ring = np.array(points, dtype=np.float64)
    if ring.ndim != 2 or ring.shape[1] < 2 or ring.shape[0] < 3:
        raise ParameterError("polygons", f"{where}: a ring needs at least 3 [lon, lat] points", function="Boundaries")
    ring = ring[:, :2]
    if not np.isfinite(ring).all() or (np.abs(ring[:, 0]) > 180).any() or (np.abs(ring[:, 1]) > 90).any():
        raise ParameterError(
            "polygons", f"{where}: coordinates must be finite [lon, lat] degrees", function="Boundaries"
        )
    ring.setflags(write=False)
    return ring


def _features(value: Iterable[Any]) -> tuple[tuple[Polygon, ...], ...]:
    out = []
    for f, feature in enumerate(value):
        polygons = []
        for p, polygon in enumerate(feature):
            rings = tuple(_ring(r, f"feature {f}, polygon {p}, ring {k}") for k, r in enumerate(polygon))
            if not rings:
                raise ParameterError("polygons", f"feature {f}, polygon {p} has no ring", function="Boundaries")
            polygons.append(rings)
        out.append(tuple(polygons))
    return tuple(out)


def _same_features(a: tuple[tuple[Polygon, ...], ...], b: tuple[tuple[Polygon, ...], ...]) -> bool:
    if len(a) != len(b):
        return False
    for fa, fb in zip(a, b, strict=True):
        if len(fa) != len(fb) or any(len(pa) != len(pb) for pa, pb in zip(fa, fb, strict=True)):
            return False
        for pa, pb in zip(fa, fb, strict=True):
            if not all(np.array_equal(ra, rb) for ra, rb in zip(pa, pb, strict=True)):
                return False
    return True


def _texts(value: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(c) for c in value)


@attrs.frozen(repr=False)
class Boundaries:
    """Polygons of a region's villages (or districts), one feature per code.

    Parameters
    ----------
    codes : tuple of str
        Code of each feature (a village or district code), unique.
    names : tuple of str
        Name of each feature.
    polygons : tuple, one entry per feature
        Each feature is a tuple of polygons (a MultiPolygon), each polygon a
        tuple of rings (exterior first, then holes), each ring an array of
        shape ``(n_points, 2)`` holding ``[lon, lat]``. [degrees]
    source : str
        Where the polygons come from (shown in reports and plan notes).

    Raises
    ------
    ParameterError
        Codes and names of different lengths from the polygons, duplicate
        codes, rings with fewer than 3 points or coordinates out of range.
    """

    codes: tuple[str, ...] = attrs.field(converter=_texts)
    names: tuple[str, ...] = attrs.field(converter=_texts)
    polygons: tuple[tuple[Polygon, ...], ...] = attrs.field(converter=_features, eq=attrs.cmp_using(eq=_same_features))
    source: str = ""
    _index: dict[str, int] = attrs.field(init=False, eq=False, repr=False)
    _edges: tuple[NDArray[np.float64], NDArray[np.int64]] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        n = len(self.polygons)
        if len(self.codes) != n or len(self.names) != n:
            raise ParameterError(
                "codes", f"{len(self.codes)} codes and {len(self.names)} names for {n} features", function="Boundaries"
            )
        index = {code: i for i, code in enumerate(self.codes)}
        if len(index) != n:
            dup = next(c for i, c in enumerate(self.codes) if index[c] != i)
            raise ParameterError("codes", f"duplicate code {dup!r}", function="Boundaries")
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_edges", _edge_table(self.polygons))

    def __repr__(self) -> str:
        n_poly = sum(len(f) for f in self.polygons)
        n_pts = sum(r.shape[0] for f in self.polygons for p in f for r in p)
        return f"Boundaries({len(self.codes)} features, {n_poly} polygons, {n_pts} points)"

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def rings(self, code: str) -> tuple[Polygon, ...]:
        """The polygons (each a tuple of rings) of one feature."""
        if code not in self._index:
            raise ParameterError("code", f"no polygon for {code!r}", function="Boundaries.rings")
        return self.polygons[self._index[code]]

    def covers(self, codes: Iterable[str]) -> bool:
        """Whether every code has a polygon here."""
        return all(c in self._index for c in codes)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(min_lon, min_lat, max_lon, max_lat)`` of all polygons. [degrees]"""
        rings = [r for f in self.polygons for p in f for r in p]
        if not rings:
            return (math.nan, math.nan, math.nan, math.nan)
        points = np.vstack(rings)
        return (
            float(points[:, 0].min()),
            float(points[:, 1].min()),
            float(points[:, 0].max()),
            float(points[:, 1].max()),
        )

    def contains(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        """Whether each point lies inside some polygon (on land).

        Parameters
        ----------
        lat_deg, lon_deg : array_like, shape (n,)
            Points. [degrees]

        Returns
        -------
        ndarray of bool, shape (n,)
            Even-odd rule per polygon (holes excluded); a point inside any
            polygon is on land.
        """
        fn = "Boundaries.contains"
        lat = as_float_array(lat_deg, "lat_deg", fn).reshape(-1)
        lon = as_float_array(lon_deg, "lon_deg", fn).reshape(-1)
        check_shape(lon, lat.shape, "lon_deg", fn)
        return _inside(self._edges, lon, lat)


def _edge_table(features: tuple[tuple[Polygon, ...], ...]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Every ring edge as ``(x0, y0, x1, y1)``, sorted by its lower y, and the polygon it belongs to."""
    edges: list[NDArray[np.float64]] = []
    owner: list[NDArray[np.int64]] = []
    polygon_id = 0
    for feature in features:
        for polygon in feature:
            for ring in polygon:
                closed = ring if np.array_equal(ring[0], ring[-1]) else np.vstack([ring, ring[:1]])
                e = np.hstack([closed[:-1], closed[1:]])
                edges.append(e)
                owner.append(np.full(e.shape[0], polygon_id, dtype=np.int64))
            polygon_id += 1
    if not edges:
        return np.zeros((0, 4)), np.zeros(0, dtype=np.int64)
    table = np.vstack(edges)
    ids = np.concatenate(owner)
    x0, y0, x1, y1 = table.T
    keep = y0 != y1  # horizontal edges never cross a horizontal ray
    out = np.column_stack([x0, y0, x1, y1])[keep]
    ids = ids[keep]
    lo = np.minimum(out[:, 1], out[:, 3])
    order = np.argsort(lo, kind="stable")
    out, ids = out[order], ids[order]
    out.setflags(write=False)
    ids.setflags(write=False)
    return out, ids


def _inside(
    edges: tuple[NDArray[np.float64], NDArray[np.int64]], x: NDArray[np.float64], y: NDArray[np.float64]
) -> NDArray[np.bool_]:
    table, ids = edges
    n = x.shape[0]
    result = np.zeros(n, dtype=np.bool_)
    if table.shape[0] == 0 or n == 0:
        return result
    x0, y0, x1, y1 = table.T
    lo, hi = np.minimum(y0, y1), np.maximum(y0, y1)
    n_polygons = int(ids.max()) + 1
    # Points in blocks, so memory stays at block × edges booleans.
    block = max(1, 2_000_000 // table.shape[0])
    for start in range(0, n, block):
        px, py = x[start : start + block, None], y[start : start + block, None]
        spans = (lo <= py) & (py < hi)
        with np.errstate(invalid="ignore", divide="ignore"):
            cross_x = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
        hits = spans & (cross_x > px)
        rows, cols = np.nonzero(hits)
        counts = np.zeros((px.shape[0], n_polygons), dtype=np.int64)
        np.add.at(counts, (rows, ids[cols]), 1)
        result[start : start + block] = (counts % 2 == 1).any(axis=1)
    return result


def water_km(
    lat0_deg: ArrayLike,
    lon0_deg: ArrayLike,
    lat1_deg: ArrayLike,
    lon1_deg: ArrayLike,
    land: Boundaries,
    *,
    step_km: float = DEFAULT_WATER_STEP_KM,
    min_run_km: float = DEFAULT_MIN_WATER_RUN_KM,
) -> NDArray[np.float64]:
    """Length of each straight link that runs over water (outside every land polygon).

    Parameters
    ----------
    lat0_deg, lon0_deg, lat1_deg, lon1_deg : array_like, shape (n_links,)
        Ends of each link. [degrees]
    land : Boundaries
        Land polygons (a region's village polygons will do).
    step_km : float
        Spacing of the points tested along each link (at least 8 per link). [km]
    min_run_km : float
        A stretch over water shorter than this counts as land (slivers
        between simplified polygons, centroids just off the coast). [km]

    Returns
    -------
    ndarray of float64, shape (n_links,)
        Great-circle km over water: the link's length times the share of its
        points outside land, counting only runs of at least ``min_run_km``.
        [km]

    Raises
    ------
    ParameterError
        Arrays of different shapes, a step that is not positive, a negative
        ``min_run_km``.
    """
    fn = "water_km"
    step = check_float(step_km, "step_km", fn, minimum=0.0, exclusive_minimum=True)
    min_run = check_float(min_run_km, "min_run_km", fn, minimum=0.0)
    if not isinstance(land, Boundaries):
        raise ParameterError("land", f"must be Boundaries, got {type(land).__name__}", function=fn)
    lat0 = as_float_array(lat0_deg, "lat0_deg", fn).reshape(-1)
    arrays = [lat0]
    for name, value in (("lon0_deg", lon0_deg), ("lat1_deg", lat1_deg), ("lon1_deg", lon1_deg)):
        a = as_float_array(value, name, fn).reshape(-1)
        check_shape(a, lat0.shape, name, fn)
        arrays.append(a)
    lat0, lon0, lat1, lon1 = arrays
    n = lat0.shape[0]
    length = np.asarray(haversine_km(lat0, lon0, lat1, lon1), dtype=np.float64)
    out = np.zeros(n)
    if n == 0:
        return out
    samples = np.maximum(8, np.ceil(length / step).astype(np.int64) + 1)
    # Points at the middle of equal pieces: each stands for length / samples km.
    link = np.repeat(np.arange(n), samples)
    offsets = np.concatenate([[0], np.cumsum(samples)[:-1]])
    t = (np.arange(samples.sum()) - np.repeat(offsets, samples) + 0.5) / np.repeat(samples, samples)
    lat = lat0[link] + t * (lat1 - lat0)[link]
    lon = lon0[link] + t * (lon1 - lon0)[link]
    wet = ~land.contains(lat, lon)
    piece = length / samples
    for i in np.flatnonzero(np.bincount(link, weights=wet, minlength=n) > 0):
        flags = wet[offsets[i] : offsets[i] + samples[i]]
        runs = _run_lengths(flags)
        need = min_run / piece[i] if piece[i] > 0 else math.inf
        out[i] = float(sum(r for r in runs if r >= need - 1e-9)) * piece[i]
    return out


def _run_lengths(flags: NDArray[np.bool_]) -> list[int]:
    """Lengths of the runs of True in a boolean vector."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return [int(b - a) for a, b in zip(change[::2], change[1::2], strict=True)]


def land_from(value: Boundaries | Sequence[Boundaries] | None) -> Boundaries | None:
    """One :class:`Boundaries` from one, several (merged) or none."""
    if value is None or isinstance(value, Boundaries):
        return value
    parts = list(value)
    if not all(isinstance(p, Boundaries) for p in parts):
        raise ParameterError("land", "must be Boundaries or a sequence of Boundaries", function="plan_network")
    if not parts:
        return None
    codes: list[str] = []
    names: list[str] = []
    polygons: list[tuple[Polygon, ...]] = []  # merged in order
    for k, part in enumerate(parts):
        codes += [f"{k}:{c}" for c in part.codes]
        names += list(part.names)
        polygons += list(part.polygons)
    return Boundaries(codes, names, polygons, source="; ".join(p.source for p in parts if p.source))
