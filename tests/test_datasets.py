"""Bundled real regions (Banyuwangi, Guimaras) and the synthetic region generator."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartkampung import CodeSystem, Location, ParameterError, Region, VillageKind
from smartkampung.datasets import BANYUWANGI_CENSUS_2010_POPULATION, banyuwangi, data_path, synthetic_region
from smartkampung.model import KEMENDAGRI_VILLAGE_CODE

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


def _great_circle_km(a: Location, b: Location) -> float:
    """Haversine distance, written independently of the library."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


# =========================================================================== Banyuwangi


def test_banyuwangi_counts(banyuwangi_region: Region) -> None:
    r = banyuwangi_region
    assert (r.code, r.country, r.code_system) == ("35.10", "ID", CodeSystem.KEMENDAGRI)
    assert len(r.districts) == 25
    assert r.n_villages == 217
    kinds = Counter(v.kind for v in r.villages)
    assert kinds == {VillageKind.DESA: 189, VillageKind.KELURAHAN: 28}
    assert r.population == 1_556_078 == BANYUWANGI_CENSUS_2010_POPULATION
    assert {v.population_year for v in r.villages} == {2010}
    assert all(v.population > 0 for v in r.villages)
    assert all(v.households == round(v.population / 3.9) for v in r.villages)


def test_banyuwangi_codes(banyuwangi_region: Region) -> None:
    r = banyuwangi_region
    assert [d.code for d in r.districts] == [f"35.10.{i:02d}" for i in range(1, 26)]
    codes = [v.code for v in r.villages]
    assert len(set(codes)) == 217
    for v in r.villages:
        match = KEMENDAGRI_VILLAGE_CODE.match(v.code)
        assert match is not None, v.code
        assert v.code.startswith(v.district_code + ".")
        assert match.group(4) == ("1" if v.kind is VillageKind.KELURAHAN else "2"), v.code
        assert v.idm is None
    # Every district has villages.
    assert all(r.villages_in(d.code) for d in r.districts)


def test_banyuwangi_villages_lie_in_their_district(banyuwangi_region: Region) -> None:
    # The regency spans 7°43′–8°46′ S and 113°53′–114°38′ E (Pemkab Banyuwangi, letak geografis).
    r = banyuwangi_region
    for v in r.villages:
        assert -(8 + 46 / 60) <= v.location.lat_deg <= -(7 + 43 / 60), v.code
        assert 113 + 53 / 60 <= v.location.lon_deg <= 114 + 38 / 60, v.code
        # Within 25 km of its kecamatan's centroid (the largest in the real data is about 22.7 km).
        assert _great_circle_km(v.location, r.district(v.district_code).location) <= 25.0, v.code
    worst = max(_great_circle_km(v.location, r.district(v.district_code).location) for v in r.villages)
    assert 20.0 < worst < 25.0


def test_banyuwangi_backbone(banyuwangi_region: Region) -> None:
    r = banyuwangi_region
    assert len(r.backbone) == 25
    assert [b.id for b in r.backbone] == [d.code for d in r.districts]
    assert all(b.location == d.location for b, d in zip(r.backbone, r.districts, strict=True))
    cols = r.to_columns()
    assert cols.pop_lat_deg.shape == (25,)
    assert cols.n_villages == 217
    assert int(cols.is_kelurahan.sum()) == 28
    assert int(cols.population.sum()) == 1_556_078


def test_banyuwangi_spot_checks(banyuwangi_region: Region) -> None:
    # Rows copied from /work/shared/data/banyuwangi_wilayah.csv.
    r = banyuwangi_region
    sarongan = r.village("35.10.01.2001")
    assert (sarongan.name, sarongan.kind, sarongan.district_code, sarongan.population) == (
        "Sarongan",
        VillageKind.DESA,
        "35.10.01",
        5613,
    )
    assert sarongan.location == Location(-8.4983687395895, 113.90416817381755)
    assert r.district("35.10.01").name == "Pesanggaran"
    kampunganyar = r.village("35.10.15.2012")
    assert (kampunganyar.name, kampunganyar.kind, kampunganyar.district_code, kampunganyar.population) == (
        "Kampunganyar",
        VillageKind.DESA,
        "35.10.15",
        4148,
    )
    assert r.district("35.10.15").name == "Glagah"
    assert kampunganyar in r.villages_in("35.10.15")
    assert r.district("35.10.01").location == Location(-8.519741507521363, 113.9719259839289)
    assert sum(v.population for v in r.villages_in("35.10.01")) == 48412  # the kecamatan row's total


def test_banyuwangi_is_cached() -> None:
    assert banyuwangi() is banyuwangi()


# =========================================================================== Guimaras


def test_guimaras(guimaras_region: Region) -> None:
    r = guimaras_region
    assert (r.code, r.name, r.country, r.code_system) == ("0607900000", "Guimaras", "PH", CodeSystem.FREE)
    assert r.n_villages == 98
    assert len(r.districts) == 5
    assert r.population == 187_842
    assert r.villages[0].code == "0607901001"  # text: the leading zero is kept
    assert all(len(v.code) == 10 and v.code.startswith("06079") for v in r.villages)
    assert all(v.kind is VillageKind.BARANGAY for v in r.villages)
    assert {d.name for d in r.districts} >= {"Buenavista"}
    assert len(r.backbone) == 5
    # The islands lie around 10.4–10.8° N, 122.4–122.8° E.
    for v in r.villages:
        assert 10.3 < v.location.lat_deg < 10.9, v.code
        assert 122.3 < v.location.lon_deg < 122.9, v.code


def test_data_path() -> None:
    for name in ("banyuwangi_wilayah.csv", "guimaras_villages.csv", "smart_kampung_connectivity.csv"):
        path = data_path(name)
        assert path.is_file()
        assert path.name == name
    with pytest.raises(ParameterError) as info:
        data_path("jakarta.csv")
    assert info.value.parameter == "name"
    assert "guimaras_villages.csv" in str(info.value)  # lists what is available


# =========================================================================== synthetic regions


@given(n=st.integers(1, 60), seed=st.integers(0, 2**32))
def test_synthetic_region_properties(n: int, seed: int) -> None:
    r = synthetic_region(n, seed=seed)
    assert r.n_villages == n
    assert len({v.code for v in r.villages}) == n
    cols = r.to_columns()
    assert np.all(np.isfinite(cols.lat_deg))
    assert np.all(np.abs(cols.lat_deg) <= 90)
    assert np.all(np.isfinite(cols.lon_deg))
    assert np.all(np.abs(cols.lon_deg) <= 180)
    assert np.all(cols.population > 0)
    assert all(r.villages_in(d.code) for d in r.districts)  # every district has a village
    assert len(r.backbone) == len(r.districts)
    assert {v.kind for v in r.villages} <= {VillageKind.DESA, VillageKind.KELURAHAN}


def test_synthetic_region_is_deterministic_under_a_seed() -> None:
    a = synthetic_region(200, seed=42)
    assert synthetic_region(200, seed=42) == a
    assert synthetic_region(200, seed=np.random.SeedSequence(42)) == a
    assert synthetic_region(200, seed=43) != a


def test_synthetic_region_scale_is_banyuwangi_like() -> None:
    r = synthetic_region(2000, seed=1)
    cols = r.to_columns()
    # Log-normal with geometric mean 6,198 and log-sd 0.536: checks with wide margins for n = 2000.
    logs = np.log(cols.population)
    assert abs(np.exp(logs.mean()) - 6198) / 6198 < 0.1
    assert abs(logs.std() - 0.536) < 0.05
    assert 0.09 < cols.is_kelurahan.mean() < 0.17  # 28 / 217 = 0.129
    assert 180 < len(r.districts) < 280  # 2000 / 8.7 = 230
    # Centred on Banyuwangi by default; the square has side sqrt(2000 × 26.6 km²) = 230 km.
    assert abs(cols.lat_deg.mean() - (-8.36)) < 0.5
    assert abs(cols.lon_deg.mean() - 114.21) < 0.5


def test_synthetic_region_elsewhere() -> None:
    r = synthetic_region(50, seed=3, centre=Location(89.9, 179.9))  # near the pole and the antimeridian
    cols = r.to_columns()
    assert np.all(np.abs(cols.lat_deg) <= 90)
    assert np.all(np.abs(cols.lon_deg) <= 180)


def test_synthetic_region_single_village() -> None:
    r = synthetic_region(1, seed=0)
    assert r.n_villages == 1
    assert len(r.districts) == 1


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "10", None])
def test_synthetic_region_bad_size(n: object) -> None:
    with pytest.raises(ParameterError) as info:
        synthetic_region(n, seed=0)  # type: ignore[arg-type]
    assert info.value.parameter == "n_villages"


@pytest.mark.parametrize(
    ("kwarg", "value"), [("km2_per_village", 0.0), ("km2_per_village", math.nan), ("villages_per_district", 0.5)]
)
def test_synthetic_region_bad_parameters(kwarg: str, value: float) -> None:
    with pytest.raises(ParameterError) as info:
        synthetic_region(10, seed=0, **{kwarg: value})  # type: ignore[arg-type]
    assert info.value.parameter == kwarg
