"""Bundled village and district polygons (Banyuwangi, Guimaras), for maps and for telling land from water.

Sources and licences (MIT, both): ``docs/data.rst``. Banyuwangi's 217 desa
and kelurahan and 25 kecamatan polygons are from ``cahyadsn/wilayah_boundaries``
(Kepmendagri 2025 boundaries, simplified); Guimaras's 98 barangay polygons
from ``faeldon/philippines-json-maps`` (PSA/NAMRIA 2023 boundaries,
simplified).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Final

from smartkampung._errors import ParameterError
from smartkampung.datasets._bundled import data_path
from smartkampung.io._geojson import boundaries_from_geojson
from smartkampung.model._village import Region
from smartkampung.sim.land import Boundaries

__all__ = ["BOUNDARY_SETS", "boundaries", "boundaries_for"]

#: The bundled polygon sets: ``(region, level) -> (file, source)``.
BOUNDARY_SETS: Final[dict[tuple[str, str], tuple[str, str]]] = {
    ("banyuwangi", "village"): (
        "banyuwangi_villages.geojson",
        "cahyadsn/wilayah_boundaries (MIT), Kepmendagri No 300.2.2-2430 Tahun 2025, simplified",
    ),
    ("banyuwangi", "district"): (
        "banyuwangi_kecamatan.geojson",
        "cahyadsn/wilayah_boundaries (MIT), Kepmendagri No 300.2.2-2430 Tahun 2025, simplified",
    ),
    ("guimaras", "village"): (
        "guimaras_barangays.geojson",
        "faeldon/philippines-json-maps (MIT), PSA/NAMRIA boundaries as of 31 Dec 2023, simplified",
    ),
}


@functools.cache
def boundaries(region: str = "banyuwangi", level: str = "village") -> Boundaries:
    """Bundled polygons of a region's villages or districts.

    Parameters
    ----------
    region : {"banyuwangi", "guimaras"}
    level : {"village", "district"}
        Villages (desa, kelurahan, barangays) or districts (kecamatan;
        Banyuwangi only).

    Returns
    -------
    Boundaries
        One feature per code (Kemendagri or PSGC codes, as in
        :func:`banyuwangi` and :func:`guimaras`), ``[lon, lat]`` WGS84.

    Raises
    ------
    ParameterError
        For a region or level that is not bundled.
    """
    key = (str(region).lower(), str(level).lower())
    if key not in BOUNDARY_SETS:
        known = ", ".join(f"{r}/{lv}" for r, lv in BOUNDARY_SETS)
        raise ParameterError(
            "region", f"no bundled polygons for {region!r} at level {level!r}; bundled: {known}", function="boundaries"
        )
    name, source = BOUNDARY_SETS[key]
    path = data_path(name)
    data = json.loads(path.read_text(encoding="utf-8"))
    return boundaries_from_geojson(data, source=source, file=str(path))


def boundaries_for(region: Region | Iterable[str]) -> Boundaries | None:
    """The bundled village polygons covering every village of a region, if any.

    A region read from a user's CSV of Guimaras barangays (PSGC codes) gets
    the bundled Guimaras polygons; a region of other villages gets None
    (then give polygons with :func:`smartkampung.io.read_boundaries`).

    Parameters
    ----------
    region : Region or iterable of str
        The region, or its village codes.
    """
    codes = [v.code for v in region.villages] if isinstance(region, Region) else [str(c) for c in region]
    if not codes:
        return None
    for name, level in BOUNDARY_SETS:
        if level != "village":
            continue
        found = boundaries(name, level)
        if found.covers(codes):
            return found
    return None
