"""Plausibility of a region's villages: what cannot be is refused, what is odd is named.

Refused (a problem):

* a village more than :data:`FAR_FROM_DISTRICT_KM` from every other village
  of its district: a district is never thousands of km across, so one of
  the coordinates is wrong (a sign error, swapped latitude and longitude);
* a region without villages.

Warned about (a :class:`~smartkampung.DataWarning`, naming the village):

* a village far outside its district's cloud of points: farther from the
  district's median centre than :data:`SPREAD_FACTOR` times the district's
  median distance and at least :data:`DISTRICT_MIN_KM`;
* the same against the whole region's cloud (at least :data:`REGION_MIN_KM`);
* a population more than :data:`POPULATION_FACTOR` times above or below the
  median of its :data:`NEIGHBOURS` nearest villages (an extra or a missing
  digit);
* coordinates exactly (0, 0), where a blank cell often ends up.

The thresholds are illustrative assumptions chosen so that the bundled
Banyuwangi and Guimaras data and synthetic regions of up to 84,000 villages
raise no warning, while a sign error or a swapped pair of coordinates does.
Checks are on arrays: O(n log n) for a region of any size.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from smartkampung._defaults import EARTH_MEAN_RADIUS_KM
from smartkampung._errors import Problem
from smartkampung.model._village import Region

__all__ = ["FAR_FROM_DISTRICT_KM", "region_checks"]

#: A village this far from every other village of its district cannot be right. [km]
FAR_FROM_DISTRICT_KM = 1000.0
#: Distance from a district's or region's centre, in median distances, that is suspicious. [-]
SPREAD_FACTOR = 10.0
#: ... and at least this far from the district's centre. [km]
DISTRICT_MIN_KM = 50.0
#: ... or this far from the region's centre. [km]
REGION_MIN_KM = 200.0
#: A population this many times above or below its neighbours' median is suspicious. [-]
POPULATION_FACTOR = 50.0
#: Neighbours a population is compared with. [villages]
NEIGHBOURS = 6
#: Warnings of one kind listed one by one; the rest are counted in one more. [-]
MAX_WARNINGS_PER_KIND = 20


def _unit_vectors(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float64]:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _km(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Great-circle distance between unit vectors (rows of ``a`` and ``b``, or one of them broadcast). [km]"""
    chord = np.linalg.norm(a - b, axis=-1)
    result: NDArray[np.float64] = 2.0 * EARTH_MEAN_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))
    return result


def _median_centre(xyz: NDArray[np.float64]) -> NDArray[np.float64]:
    centre = np.median(xyz, axis=0)
    norm = float(np.linalg.norm(centre))
    if norm < 1e-12:  # points all round the globe: no centre to speak of
        first: NDArray[np.float64] = xyz[0]
        return first
    result: NDArray[np.float64] = centre / norm
    return result


def _outliers(xyz: NDArray[np.float64], min_km: float) -> tuple[NDArray[np.intp], NDArray[np.float64], float]:
    """Rows far outside the cloud of ``xyz``, their distance from its centre, and its median distance."""
    centre = _median_centre(xyz)
    distance = _km(xyz, centre[None, :])
    median = float(np.median(distance))
    far = np.flatnonzero(distance > max(SPREAD_FACTOR * median, min_km))
    return far, distance[far], median


def region_checks(region: Region, *, record_of: Callable[[int], str] | None = None
                  ) -> tuple[list[Problem], list[Problem]]:
    """The impossible and the suspicious in a region's villages.

    Parameters
    ----------
    region : Region
        The villages to check.
    record_of : callable, optional
        ``record_of(i)`` names village ``i`` in messages (a CSV row, say).
        Default ``"villages[i] (code X)"``.

    Returns
    -------
    errors : list of Problem
        What cannot be right (a reader refuses the data).
    warnings : list of Problem
        What is possible but suspicious, each naming the village; at most
        :data:`MAX_WARNINGS_PER_KIND` of each kind, then one that counts the rest.
    """
    n = region.n_villages
    if record_of is None:
        def record_of(i: int) -> str:
            return f"villages[{i}] (code {region.villages[i].code})"
    if n == 0:
        return [Problem("the region has no villages")], []
    cols = region.to_columns()
    xyz = _unit_vectors(cols.lat_deg, cols.lon_deg)
    errors: list[Problem] = []
    notes: dict[str, list[Problem]] = {"district": [], "region": [], "population": [], "zero": []}
    district = cols.district_index
    order = np.argsort(district, kind="stable")
    bounds = np.flatnonzero(np.diff(district[order])) + 1
    for members in np.split(order, bounds):
        if members.size < 2:
            continue
        dname = region.villages[int(members[0])].district_code
        points = xyz[members]
        centre = _median_centre(points)
        from_centre = _km(points, centre[None, :])
        # Impossible: far from every other village of the district (checked only where it could be).
        for j in np.flatnonzero(from_centre > FAR_FROM_DISTRICT_KM / 2):
            others = np.delete(points, j, axis=0)
            nearest = float(_km(others, points[j][None, :]).min())
            if nearest > FAR_FROM_DISTRICT_KM:
                errors.append(Problem(
                    f"is {nearest:,.0f} km from the nearest other village of district {dname!r}: a district is "
                    f"not that large, so its lat/lon must be wrong (a sign error, or latitude and longitude "
                    f"swapped?)", record=record_of(int(members[j])), field="lat"))
        if members.size >= 3:
            far, distance, median = _outliers(points, DISTRICT_MIN_KM)
            for j, d in zip(far, distance, strict=True):
                if d > FAR_FROM_DISTRICT_KM / 2 and any(p.record == record_of(int(members[j])) for p in errors):
                    continue
                notes["district"].append(Problem(
                    f"lies {d:,.0f} km from the centre of district {dname!r}, whose villages lie a median "
                    f"{median:,.1f} km from it: check its lat/lon (a sign error, or latitude and longitude "
                    f"swapped?)", record=record_of(int(members[j])), field="lat"))
    flagged = {p.record for p in errors} | {p.record for p in notes["district"]}
    if n >= 5:
        far, distance, median = _outliers(xyz, REGION_MIN_KM)
        for i, d in zip(far, distance, strict=True):
            if record_of(int(i)) in flagged:
                continue
            notes["region"].append(Problem(
                f"lies {d:,.0f} km from the centre of the region, whose villages lie a median {median:,.1f} km "
                f"from it: check its lat/lon (a sign error, or latitude and longitude swapped?)",
                record=record_of(int(i)), field="lat"))
    zero = np.flatnonzero((cols.lat_deg == 0.0) & (cols.lon_deg == 0.0))
    if 0 < zero.size < n:  # a whole table at (0, 0) is a test, not a slip
        for i in zero:
            notes["zero"].append(Problem("is at lat 0, lon 0, in the Gulf of Guinea: missing coordinates?",
                                         record=record_of(int(i)), field="lat"))
    if n > NEIGHBOURS:
        notes["population"] = _population_notes(xyz, cols.population, record_of)
    warnings: list[Problem] = []
    for kind, found in notes.items():
        warnings += found[:MAX_WARNINGS_PER_KIND]
        if len(found) > MAX_WARNINGS_PER_KIND:
            what = {"district": "far from their district", "region": "far from the region",
                    "population": "with a population far from their neighbours'", "zero": "at lat 0, lon 0"}[kind]
            warnings.append(Problem(f"... and {len(found) - MAX_WARNINGS_PER_KIND:,} more villages {what}"))
    return errors, warnings


def _population_notes(xyz: NDArray[np.float64], population: NDArray[np.int64],
                      record_of: Callable[[int], str]) -> list[Problem]:
    from scipy.spatial import cKDTree

    _, neighbours = cKDTree(xyz).query(xyz, k=NEIGHBOURS + 1)
    others = population[neighbours[:, 1:]].astype(np.float64)
    typical = np.median(others, axis=1)
    pop = population.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((pop > 0) & (typical > 0), pop / typical, 1.0)
    notes = []
    for i in np.flatnonzero((ratio > POPULATION_FACTOR) | (ratio < 1.0 / POPULATION_FACTOR)):
        word = "above" if ratio[i] > 1 else "below"
        notes.append(Problem(
            f"population {int(pop[i]):,} is {max(ratio[i], 1 / ratio[i]):,.0f} times {word} the median "
            f"({typical[i]:,.0f}) of its {NEIGHBOURS} nearest villages: a digit too many or too few?",
            record=record_of(int(i)), field="population"))
    return notes
