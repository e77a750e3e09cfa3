"""Bundled real data (Banyuwangi, Guimaras) and a synthetic region generator.

Sources and licences: ``docs/data.rst``. Population is the 2010 census
(Banyuwangi) and the 2020 census (Guimaras); use
:meth:`Region.with_population` for newer figures.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import numpy as np

from smartkampung._errors import ParameterError
from smartkampung.io._csv import CsvRows, read_villages_csv
from smartkampung.model._geo import Location, PointOfPresence
from smartkampung.model._village import CodeSystem, District, Region, Village, VillageKind

__all__ = ["BANYUWANGI_CENSUS_2010_POPULATION", "banyuwangi", "data_path", "guimaras", "synthetic_region"]

#: 2010 census population of Kabupaten Banyuwangi, the sum of the 217 villages
#: in the bundled file (BPS Sensus Penduduk 2010).
BANYUWANGI_CENSUS_2010_POPULATION = 1_556_078

_LEVEL_KIND = {"desa": VillageKind.DESA, "kelurahan": VillageKind.KELURAHAN}


def data_path(name: str) -> Path:
    """Path of a bundled data file: ``banyuwangi_wilayah.csv``, ``guimaras_villages.csv``,
    ``smart_kampung_connectivity.csv``."""
    path = Path(str(resources.files("smartkampung.datasets") / "data" / name))
    if not path.is_file():
        available = sorted(p.name for p in path.parent.iterdir() if p.suffix == ".csv")
        raise ParameterError(
            "name", f"no bundled file {name!r}; available: {', '.join(available)}", function="data_path"
        )
    return path


@functools.cache
def banyuwangi() -> Region:
    """Kabupaten Banyuwangi (East Java, Indonesia), as real data.

    25 kecamatan (districts) and 217 villages (189 desa, 28 kelurahan) with
    their Kemendagri codes (Kepmendagri 2025), names, centroids of their
    boundary polygons, and 2010 census population (1,556,078 in all;
    households derived with :data:`DEFAULT_HOUSEHOLD_SIZE`). The backbone
    is the 25 kecamatan offices, which the regency network reaches
    (itu-wsis-2019); kecamatan centroids stand in for the offices.

    Returns
    -------
    Region
        Uses :attr:`CodeSystem.KEMENDAGRI`, so every code is checked.
    """
    rows = CsvRows(data_path("banyuwangi_wilayah.csv"))
    rows.require(("code", "name", "level", "parent_code", "lat", "lon", "population", "population_year"))
    rows.raise_if_problems()
    districts: list[District] = []
    villages: list[Village] = []
    for line, row in rows:
        lat = rows.number(line, row, "lat", -90, 90)
        lon = rows.number(line, row, "lon", -180, 180)
        population = rows.count(line, row, "population")
        year = rows.count(line, row, "population_year")
        if lat is None or lon is None or population is None:
            continue
        if row["level"] == "kecamatan":
            districts.append(District(code=row["code"], name=row["name"], location=Location(lat, lon)))
        else:
            villages.append(
                Village(
                    code=row["code"],
                    name=row["name"],
                    kind=_LEVEL_KIND[row["level"]],
                    district_code=row["parent_code"],
                    location=Location(lat, lon),
                    population=population,
                    population_year=year,
                )
            )
    rows.raise_if_problems()
    region = Region(
        code="35.10",
        name="Kabupaten Banyuwangi",
        country="ID",
        districts=districts,
        villages=villages,
        code_system=CodeSystem.KEMENDAGRI,
    )
    return region.with_district_backbone()


@functools.cache
def guimaras() -> Region:
    """Guimaras province (Philippines): 98 barangays in 5 municipalities, real data.

    PSGC codes (text, with their leading zero), names, polygon centroids and
    2020 census population (187,842 in all), from the Philippine Statistics
    Authority's PSGC datafile and NAMRIA/PSA boundaries. A real partner region
    for the "adapting to your city" path; the backbone is the five municipal
    halls (municipality centroids stand in for them).
    """
    region = read_villages_csv(
        data_path("guimaras_villages.csv"),
        region_code="0607900000",
        region_name="Guimaras",
        country="PH",
        default_kind=VillageKind.BARANGAY,
    )
    return region.with_district_backbone()


#: Log-normal fit to Banyuwangi's 217 village populations (2010 census):
#: geometric mean 6,198 people, log standard deviation 0.536.
_BANYUWANGI_LOG_POPULATION = (float(np.log(6198.0)), 0.536)
#: Area per village in Banyuwangi: about 5,782 km² (BPS) over 217 villages. [km²]
_KM2_PER_VILLAGE = 26.6
_VILLAGES_PER_DISTRICT = 8.7  # 217 / 25 in Banyuwangi
_KELURAHAN_SHARE = 28 / 217
_KM_PER_DEG_LAT = 111.195
#: Default centre of a synthetic region: Banyuwangi.
BANYUWANGI_CENTRE = Location(-8.36, 114.21)


def synthetic_region(
    n_villages: int,
    *,
    seed: int | np.random.SeedSequence | None = None,
    centre: Location = BANYUWANGI_CENTRE,
    km2_per_village: float = _KM2_PER_VILLAGE,
    villages_per_district: float = _VILLAGES_PER_DISTRICT,
) -> Region:
    """A made-up region of any size with Banyuwangi-like structure, for scale tests.

    Districts are scattered uniformly over a square whose area gives each
    village ``km2_per_village``; villages cluster around their district
    centre (Gaussian, spread matched to the district's share of the area).
    Populations are log-normal with Banyuwangi's fitted parameters (geometric
    mean 6,198, log-sd 0.536); about 13 % of villages are kelurahan, as in
    Banyuwangi. Each district office is a backbone point of presence.

    Parameters
    ----------
    n_villages : int
        Number of villages (1 to a few hundred thousand; 100,000 takes a few seconds).
    seed : int or SeedSequence, optional
        Root seed (SPEC 7): the same seed gives the same region.
    centre : Location
        Centre of the square. Default: Banyuwangi.
    km2_per_village : float
        Land area per village. [km²]
    villages_per_district : float
        Mean villages per district.

    Returns
    -------
    Region
        Codes ``SYN.DDDDD.VVVVVV`` (free code system); synthetic, not real data.
    """
    if isinstance(n_villages, bool) or not isinstance(n_villages, (int, np.integer)) or n_villages < 1:
        raise ParameterError(
            "n_villages", f"must be a whole number >= 1, got {n_villages!r}", function="synthetic_region"
        )
    if not km2_per_village > 0:
        raise ParameterError("km2_per_village", "must be > 0", function="synthetic_region")
    if not villages_per_district >= 1:
        raise ParameterError("villages_per_district", "must be >= 1", function="synthetic_region")
    n = int(n_villages)
    rng = np.random.default_rng(seed)
    n_districts = max(1, round(n / villages_per_district))
    side_km = float(np.sqrt(n * km2_per_village))
    lat_scale = 1.0 / _KM_PER_DEG_LAT
    lon_scale = 1.0 / (_KM_PER_DEG_LAT * max(np.cos(np.radians(centre.lat_deg)), 0.05))
    dx = rng.uniform(-side_km / 2, side_km / 2, n_districts)
    dy = rng.uniform(-side_km / 2, side_km / 2, n_districts)
    # Every district gets at least one village; the rest are spread at random.
    district_of = np.sort(np.concatenate([np.arange(n_districts), rng.integers(0, n_districts, n - n_districts)]))
    spread_km = float(np.sqrt(villages_per_district * km2_per_village / np.pi))
    vx = dx[district_of] + rng.normal(0, spread_km, n)
    vy = dy[district_of] + rng.normal(0, spread_km, n)
    lat = np.clip(centre.lat_deg + vy * lat_scale, -89.9, 89.9)
    lon = (centre.lon_deg + vx * lon_scale + 180.0) % 360.0 - 180.0
    d_lat = np.clip(centre.lat_deg + dy * lat_scale, -89.9, 89.9)
    d_lon = (centre.lon_deg + dx * lon_scale + 180.0) % 360.0 - 180.0
    mu, sigma = _BANYUWANGI_LOG_POPULATION
    population = np.maximum(np.round(rng.lognormal(mu, sigma, n)), 1).astype(np.int64)
    is_kelurahan = rng.random(n) < _KELURAHAN_SHARE

    district_codes = [f"SYN.{d:05d}" for d in range(n_districts)]
    districts = tuple(
        District(code=c, name=f"District {d + 1}", location=Location(d_lat[d], d_lon[d]))
        for d, c in enumerate(district_codes)
    )
    counter = np.zeros(n_districts, dtype=np.int64)
    villages = []
    for i in range(n):
        d = int(district_of[i])
        counter[d] += 1
        villages.append(
            Village(
                code=f"{district_codes[d]}.{counter[d]:06d}",
                name=f"Village {i + 1}",
                kind=VillageKind.KELURAHAN if is_kelurahan[i] else VillageKind.DESA,
                district_code=district_codes[d],
                location=Location(float(lat[i]), float(lon[i])),
                population=int(population[i]),
            )
        )
    backbone = tuple(PointOfPresence(id=d.code, name=d.name, location=d.location) for d in districts)
    return Region(
        code="SYN",
        name=f"Synthetic region ({n} villages)",
        country="ID",
        districts=districts,
        villages=tuple(villages),
        backbone=backbone,
    )
