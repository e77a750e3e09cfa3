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


def _group_median(
    values: NDArray[np.float64], group: NDArray[np.int64], starts: NDArray[np.intp], counts: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Median of ``values`` within each group (groups numbered 0.., given their starts and sizes when sorted)."""
    order = np.lexsort((values, group))
    ranked = values[order]
    low = ranked[starts + (counts - 1) // 2]
    high = ranked[starts + counts // 2]
    result: NDArray[np.float64] = (low + high) / 2.0
    return result


def _centres(
    xyz: NDArray[np.float64], group: NDArray[np.int64], starts: NDArray[np.intp], counts: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Each group's median centre: the coordinate-wise median of its unit vectors, back on the sphere."""
    centre = np.column_stack([_group_median(xyz[:, c], group, starts, counts) for c in range(3)])
    norm = np.linalg.norm(centre, axis=1, keepdims=True)
    # Points all round the globe have no centre to speak of: take the group's first point.
    first = xyz[np.lexsort((np.arange(len(group)), group))[starts]]
    with np.errstate(invalid="ignore", divide="ignore"):
        result: NDArray[np.float64] = np.where(norm > 1e-12, centre / norm, first)
    return result


def region_checks(
    region: Region, *, record_of: Callable[[int], str] | None = None
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
    # Districts renumbered 0.. in order of their codes' first appearance among the villages.
    _, district = np.unique(cols.district_index, return_inverse=True)
    counts = np.bincount(district)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp)
    centre = _centres(xyz, district, starts, counts)
    from_centre = _km(xyz, centre[district])
    median = _group_median(from_centre, district, starts, counts)
    size = counts[district]
    errors: list[Problem] = []
    refused: set[int] = set()
    # Impossible: far from every other village of its district (looked at only where it could be).
    for i in np.flatnonzero((size >= 2) & (from_centre > FAR_FROM_DISTRICT_KM / 2)):
        mates = np.flatnonzero(district == district[i])
        others = mates[mates != i]
        nearest = float(_km(xyz[others], xyz[i][None, :]).min())
        if nearest > FAR_FROM_DISTRICT_KM:
            refused.add(int(i))
            errors.append(
                Problem(
                    f"is {nearest:,.0f} km from the nearest other village of district "
                    f"{region.villages[int(i)].district_code!r}: a district is not that large, so its lat/lon must be "
                    "wrong (a sign error, or latitude and longitude swapped?)",
                    record=record_of(int(i)),
                    field="lat",
                )
            )
    notes: dict[str, list[Problem]] = {"district": [], "region": [], "population": [], "zero": []}
    odd = (size >= 3) & (from_centre > np.maximum(SPREAD_FACTOR * median[district], DISTRICT_MIN_KM))
    for i in np.flatnonzero(odd):
        if int(i) in refused:
            continue
        notes["district"].append(
            Problem(
                f"lies {from_centre[i]:,.0f} km from the centre of district {region.villages[int(i)].district_code!r}, "
                f"whose villages lie a median {median[district[i]]:,.1f} km from it: check its lat/lon (a sign error, "
                "or latitude and longitude swapped?)",
                record=record_of(int(i)),
                field="lat",
            )
        )
    if n >= 5:
        whole = np.zeros(n, dtype=np.int64)
        region_centre = _centres(xyz, whole, np.array([0], dtype=np.intp), np.array([n], dtype=np.intp))[0]
        distance = _km(xyz, region_centre[None, :])
        typical = float(np.median(distance))
        for i in np.flatnonzero(distance > max(SPREAD_FACTOR * typical, REGION_MIN_KM)):
            if int(i) in refused or odd[i]:
                continue
            notes["region"].append(
                Problem(
                    f"lies {distance[i]:,.0f} km from the centre of the region, whose villages lie a median "
                    f"{typical:,.1f} km from it: check its lat/lon (a sign error, or latitude and longitude swapped?)",
                    record=record_of(int(i)),
                    field="lat",
                )
            )
    zero = np.flatnonzero((cols.lat_deg == 0.0) & (cols.lon_deg == 0.0))
    if 0 < zero.size < n:  # a whole table at (0, 0) is a test, not a slip
        for i in zero:
            notes["zero"].append(
                Problem(
                    "is at lat 0, lon 0, in the Gulf of Guinea: missing coordinates?",
                    record=record_of(int(i)),
                    field="lat",
                )
            )
    if n > NEIGHBOURS:
        notes["population"] = _population_notes(xyz, cols.population, record_of)
    warnings: list[Problem] = []
    for kind, found in notes.items():
        warnings += found[:MAX_WARNINGS_PER_KIND]
        if len(found) > MAX_WARNINGS_PER_KIND:
            what = {
                "district": "far from their district",
                "region": "far from the region",
                "population": "with a population far from their neighbours'",
                "zero": "at lat 0, lon 0",
            }[kind]
            warnings.append(Problem(f"... and {len(found) - MAX_WARNINGS_PER_KIND:,} more villages {what}"))
    return errors, warnings


def _population_notes(
    xyz: NDArray[np.float64], population: NDArray[np.int64], record_of: Callable[[int], str]
) -> list[Problem]:
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
        notes.append(
            Problem(
                f"population {int(pop[i]):,} is {max(ratio[i], 1 / ratio[i]):,.0f} times {word} the median "
                f"({typical[i]:,.0f}) of its {NEIGHBOURS} nearest villages: a digit too many or too few?",
                record=record_of(int(i)),
                field="population",
            )
        )
    return notes
