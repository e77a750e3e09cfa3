"""Geometry on the sphere: great-circle distances, unit vectors, nearest points.

Positions are WGS84 latitude and longitude [degrees]; the Earth is a sphere of
the mean radius :data:`EARTH_MEAN_RADIUS_KM` (the error against the
ellipsoid is below about 0.5 %). Nearest-point searches run on the points
as 3-D unit vectors, where straight-line (chord) length orders pairs exactly
as great-circle length does, so they hold across the antimeridian and at the
poles.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from smartkampung import _defaults
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, check_finite, check_in_range, check_int, check_shape

__all__ = [
    "DEFAULT_NEIGHBOURS",
    "EARTH_MEAN_RADIUS_KM",
    "great_circle_km",
    "nearest_backbone",
    "nearest_neighbours",
    "unit_vectors",
]

#: Mean radius of the Earth, ``R1 = (2a + b) / 3`` of the GRS 80 ellipsoid as
#: recommended by the IUGG: 6,371,008.7714 m (Moritz, H. (2000). Geodetic
#: Reference System 1980. *Journal of Geodesy* 74, 128–133,
#: doi:10.1007/s001900050278). [km]
EARTH_MEAN_RADIUS_KM: Final[float] = _defaults.EARTH_MEAN_RADIUS_KM

#: Number of nearest villages that share word of mouth, with equal weights. [-]
#: DESIGN.md ("Adoption"): the k = 6 nearest villages; a modelling choice
#: (illustrative assumption), not an estimate.
DEFAULT_NEIGHBOURS: Final[int] = _defaults.NEIGHBOURS


def check_lat_lon(
    lat: NDArray[np.float64], lon: NDArray[np.float64], lat_name: str, lon_name: str, function: str
) -> None:
    check_in_range(lat, -90.0, 90.0, lat_name, function)
    check_in_range(lon, -180.0, 180.0, lon_name, function)


def haversine_km(
    lat1: NDArray[np.float64], lon1: NDArray[np.float64], lat2: NDArray[np.float64], lon2: NDArray[np.float64]
) -> NDArray[np.float64]:
    phi1 = np.radians(lat1)
    phi2 = np.radians(lat2)
    s_phi = np.sin(0.5 * (phi2 - phi1))
    s_lam = np.sin(0.5 * np.radians(lon2 - lon1))
    a = s_phi * s_phi + np.cos(phi1) * np.cos(phi2) * s_lam * s_lam
    a = np.clip(a, 0.0, 1.0)
    out: NDArray[np.float64] = 2.0 * EARTH_MEAN_RADIUS_KM * np.arctan2(np.sqrt(a), np.sqrt(1.0 - a))
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
            raise ParameterError(name, f"shape {arr.shape} does not broadcast with {shape}", function=fn) from None
    check_lat_lon(arrays[0], arrays[1], names[0], names[1], fn)
    check_lat_lon(arrays[2], arrays[3], names[2], names[3], fn)
    return np.asarray(haversine_km(*arrays))


def unit_vectors(lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]) -> NDArray[np.float64]:
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
    lat, lon, plat, plon = village_and_pop_arrays(lat_deg, lon_deg, pop_lat_deg, pop_lon_deg, fn)
    return _nearest_backbone(lat, lon, plat, plon)


def _nearest_backbone(
    lat: NDArray[np.float64], lon: NDArray[np.float64], plat: NDArray[np.float64], plon: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:

    if lat.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    tree = cKDTree(unit_vectors(plat, plon))
    _, idx = tree.query(unit_vectors(lat, lon), k=1)
    index = np.asarray(idx, dtype=np.int64)
    return index, haversine_km(lat, lon, plat[index], plon[index])


def village_and_pop_arrays(
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
        raise ParameterError("pop_lat_deg", f"must be one-dimensional, got shape {plat.shape}", function=fn)
    check_shape(plon, plat.shape, "pop_lon_deg", fn)
    if plat.size == 0:
        raise ParameterError("pop_lat_deg", "needs at least one backbone point of presence", function=fn)
    check_lat_lon(lat, lon, "lat_deg", "lon_deg", fn)
    check_lat_lon(plat, plon, "pop_lat_deg", "pop_lon_deg", fn)
    return lat, lon, plat, plon


def nearest_neighbours(lat_deg: ArrayLike, lon_deg: ArrayLike, k: int = DEFAULT_NEIGHBOURS) -> NDArray[np.intp]:
    """Indices of each village's ``k`` nearest other villages on the sphere.

    Points are placed as 3-D unit vectors and searched with a k-d tree:
    straight-line (chord) distance orders pairs exactly as great-circle
    distance does, so the result is the great-circle nearest neighbours,
    valid across the antimeridian and near the poles.

    Parameters
    ----------
    lat_deg : array_like, shape (n_villages,)
        Latitude. [degrees, -90 to 90]
    lon_deg : array_like, shape (n_villages,)
        Longitude. [degrees]
    k : int, optional
        Neighbours per village, >= 1; capped at ``n_villages - 1``. The
        default 6 is DESIGN.md's choice (:data:`DEFAULT_NEIGHBOURS`).

    Returns
    -------
    numpy.ndarray of intp, shape (n_villages, min(k, n_villages - 1))
        Row ``i`` lists the neighbours of village ``i``, nearest first; it
        never contains ``i`` itself. Ties (equal distances) are broken by
        the k-d tree. Pass it as ``neighbours`` to
        :func:`~smartkampung.sim.adoption.simulate_adoption` (equal weights ``1/k``).

    Raises
    ------
    ParameterError
        If the coordinates are not finite 1-D arrays of one length, a
        latitude lies outside [-90, 90], or ``k < 1``.
    """
    fn = "nearest_neighbours"
    lat = as_float_array(lat_deg, "lat_deg", fn)
    lon = as_float_array(lon_deg, "lon_deg", fn)
    if lat.ndim != 1:
        raise ParameterError("lat_deg", f"must be 1-D, got shape {lat.shape}", function=fn)
    check_shape(lon, lat.shape, "lon_deg", fn)
    check_in_range(lat, -90.0, 90.0, "lat_deg", fn)
    check_finite(lon, "lon_deg", fn)
    k_int = check_int(k, "k", fn, minimum=1)
    n = lat.size
    kk = min(k_int, max(n - 1, 0))
    if kk == 0:
        return np.zeros((n, 0), dtype=np.intp)
    xyz = unit_vectors(lat, lon)
    _, idx = cKDTree(xyz).query(xyz, k=kk + 1)
    idx = np.asarray(idx, dtype=np.intp).reshape(n, kk + 1)
    # Drop the village itself; where duplicates of a point pushed it out of the
    # k + 1 found, drop the farthest instead.
    drop = idx == np.arange(n)[:, None]
    no_self = ~drop.any(axis=1)
    drop[no_self, kk] = True
    return np.ascontiguousarray(idx[~drop].reshape(n, kk))
