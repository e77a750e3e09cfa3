"""Model classes: validation, lookups, columns, variants; and the error types."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartkampung import (
    DEFAULT_HOUSEHOLD_SIZE,
    DEFAULT_TECHNOLOGIES,
    SEED_STRANDS,
    SMART_KAMPUNG_CRITERIA,
    SMART_KAMPUNG_SERVICES,
    AdoptionModel,
    CodeSystem,
    DataFileError,
    District,
    IDMDimension,
    IDMScore,
    Location,
    ModelValidationError,
    ParameterError,
    Pillar,
    PointOfPresence,
    Problem,
    Programme,
    Region,
    Service,
    SmartKampungError,
    Technology,
    Village,
    VillageColumns,
    VillageKind,
    smart_kampung_programme,
)
from smartkampung.model import IDR_PER_USD, KEMENDAGRI_VILLAGE_CODE
from strategies import programmes, regions, services, technologies

HERE = Location(-8.36, 114.21)


def _village(code: str = "v", district_code: str = "d", kind: VillageKind = VillageKind.DESA, **kwargs: Any) -> Village:
    kwargs.setdefault("population", 100)
    return Village(code, f"Village {code}", kind, district_code, kwargs.pop("location", HERE), **kwargs)


ONE_DISTRICT = (District("d", "D", HERE),)


def _region(villages: Any, districts: Any = ONE_DISTRICT, **kwargs: Any) -> Region:
    return Region("R", "Region", "ID", districts, villages, **kwargs)


# =========================================================================== geography


@pytest.mark.parametrize(("lat", "lon"), [(90, 180), (-90, -180), (0, 0), (-8.36, 114.21), (1e-300, -5e-324)])
def test_location_accepts_the_whole_globe(lat: float, lon: float) -> None:
    loc = Location(lat, lon)
    assert (loc.lat_deg, loc.lon_deg) == (lat, lon)
    assert type(loc.lat_deg) is float
    assert type(loc.lon_deg) is float


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (200, 0, "lat_deg"),
        (-90.0000001, 0, "lat_deg"),
        (math.nan, 0, "lat_deg"),
        (math.inf, 0, "lat_deg"),
        (0, 180.5, "lon_deg"),
        (0, -math.inf, "lon_deg"),
        (0, math.nan, "lon_deg"),
    ],
)
def test_location_rejects_out_of_range(lat: float, lon: float, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Location(lat, lon)


def test_location_rejects_non_numbers() -> None:
    with pytest.raises((TypeError, ValueError)):
        Location("north", 0)


def test_point_of_presence() -> None:
    pop = PointOfPresence("35.10.01", "Kantor", HERE)
    assert pop.location is HERE
    with pytest.raises(ValueError, match="id"):
        PointOfPresence("", "Kantor", HERE)
    with pytest.raises(TypeError, match="location"):
        PointOfPresence("x", "Kantor", (1.0, 2.0))  # type: ignore[arg-type]


# =========================================================================== villages


@pytest.mark.parametrize(("population", "households"), [(5613, 1439), (14074, 3609), (0, 0), (2, 1), (1, 0)])
def test_households_default_from_population(population: int, households: int) -> None:
    # population / 3.9 rounded: 5613 / 3.9 = 1439.2; 14074 / 3.9 = 3608.7; 2 / 3.9 = 0.51; 1 / 3.9 = 0.26.
    assert DEFAULT_HOUSEHOLD_SIZE == 3.9
    assert _village(population=population).households == households


def test_households_given() -> None:
    assert _village(population=100, households=7).households == 7


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("population", -1),
        ("population", True),
        ("population", 5613.5),
        ("population", 5613.0),
        ("households", -1),
        ("households", False),
        ("households", 2.5),
    ],
)
def test_village_rejects_bad_counts(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        _village(**{field: value})


def test_village_rejects_bad_fields() -> None:
    with pytest.raises(ValueError, match="code"):
        _village(code="")
    with pytest.raises(ValueError, match="district_code"):
        _village(district_code="")
    with pytest.raises(TypeError, match="kind"):
        _village(kind="desa")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="location"):
        _village(location=(0.0, 0.0))
    with pytest.raises(TypeError, match="population_year"):
        _village(population_year="2010")
    with pytest.raises(TypeError, match="idm"):
        _village(idm=0.7)


def test_idm_only_for_villages_that_are_not_kelurahan() -> None:
    score = IDMScore(0.8, 0.7, 0.6)
    assert _village(idm=score).idm is score
    assert _village(kind=VillageKind.BARANGAY, idm=score).idm is score
    with pytest.raises(ValueError, match="kelurahan"):
        _village(kind=VillageKind.KELURAHAN, idm=score)


def test_village_kinds() -> None:
    assert {k for k in VillageKind if k.is_urban} == {VillageKind.KELURAHAN, VillageKind.PHUONG}
    assert VillageKind("desa") is VillageKind.DESA
    assert VillageKind("barangay") is VillageKind.BARANGAY


def test_model_objects_are_frozen(small_region: Region) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        small_region.code = "x"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        small_region.villages[0].population = 1  # type: ignore[misc]
    assert isinstance(small_region.villages, tuple)
    assert isinstance(small_region.districts, tuple)


# =========================================================================== regions: validation


def test_region_collections_become_tuples() -> None:
    region = _region([_village("a"), _village("b")], districts=[District("d", "D", HERE)])
    assert region.villages == (_village("a"), _village("b"))
    assert region.backbone == ()
    assert region.code_system is CodeSystem.FREE


def test_region_lists_every_problem() -> None:
    districts = [District("d", "D", HERE), District("d", "D again", HERE), District("e", "E", HERE)]
    villages = [_village("a"), _village("a"), _village("b", district_code="nowhere")]
    backbone = [PointOfPresence("p", "P", HERE), PointOfPresence("p", "P2", HERE)]
    with pytest.raises(ModelValidationError) as info:
        _region(villages, districts, backbone=backbone)
    problems = info.value.problems
    assert Problem("duplicate district code 'd'", record="districts[1]", field="code") in problems
    assert Problem("duplicate village code 'a'", record="villages[1] (code a)", field="code") in problems
    assert (
        Problem("district 'nowhere' does not exist in region R", record="villages[2] (code b)", field="district_code")
        in problems
    )
    assert Problem("duplicate point-of-presence id 'p'", record="backbone[1]", field="id") in problems
    assert len(problems) == 4
    assert all(str(p) in str(info.value) for p in problems)


def test_region_member_types() -> None:
    with pytest.raises(ModelValidationError) as info:
        _region([_village("a"), "not a village"], [District("d", "D", HERE), HERE])
    records = {p.record for p in info.value.problems}
    assert records == {"villages[1]", "districts[1]"}
    assert "expected a Village, got str" in str(info.value)


@pytest.mark.parametrize("country", ["id", "IDN", "", "I1"])
def test_region_country_code(country: str) -> None:
    with pytest.raises(ValueError, match="country"):
        Region("R", "Region", country, [District("d", "D", HERE)], [])


def test_kemendagri_checks() -> None:
    districts = [
        District("35.10.01", "A", HERE),
        District("35.11.02", "Other regency", HERE),
        District("35.10.1", "Malformed", HERE),
    ]
    villages = [
        _village("35.10.01.2001", "35.10.01"),  # fine
        _village("35.10.01.2002", "35.10.01", VillageKind.KELURAHAN),  # desa code, kelurahan kind
        _village("35.10.01.1003", "35.10.01", VillageKind.DESA),  # kelurahan code, desa kind
        _village("35.10.02.2004", "35.10.01"),  # not under its district
        _village("35.10.01.3005", "35.10.01"),  # last block must start with 1 or 2
        _village("35.10.01.2006", "35.10.01", VillageKind.BARANGAY),  # only desa/kelurahan
    ]
    with pytest.raises(ModelValidationError) as info:
        Region("35.10", "Banyuwangi", "ID", districts, villages, code_system=CodeSystem.KEMENDAGRI)
    got = Counter((p.record, p.field) for p in info.value.problems)
    assert got == Counter(
        {
            ("districts[1]", "code"): 1,
            ("districts[2]", "code"): 1,
            ("villages[1] (code 35.10.01.2002)", "kind"): 1,
            ("villages[2] (code 35.10.01.1003)", "kind"): 1,
            ("villages[3] (code 35.10.02.2004)", "code"): 1,
            ("villages[4] (code 35.10.01.3005)", "code"): 1,
            ("villages[5] (code 35.10.01.2006)", "kind"): 1,
        }
    )
    # Without the Kemendagri checks the region is fine.
    assert Region("35.10", "B", "ID", districts, villages).n_villages == 6


def test_kemendagri_region_code() -> None:
    with pytest.raises(ModelValidationError, match=r"PP\.KK"):
        Region("3510", "B", "ID", [], [], code_system=CodeSystem.KEMENDAGRI)


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("35.10.01.2001", True),
        ("35.10.01.1001", True),
        ("35.10.01.0001", False),
        ("35.10.01.20010", False),
        ("3510.01.2001", False),
        ("35.10.01.2001 ", False),
    ],
)
def test_kemendagri_village_code_pattern(code: str, ok: bool) -> None:
    assert (KEMENDAGRI_VILLAGE_CODE.match(code) is not None) is ok


def test_model_validation_error_is_a_library_error() -> None:
    err = ModelValidationError([Problem("x", record="r", field="f")])
    assert isinstance(err, SmartKampungError)
    assert isinstance(err, ValueError)
    assert str(err) == "r, field 'f': x"


@given(region=regions())
def test_generated_regions_are_consistent(region: Region) -> None:
    assert attrs.evolve(region) == region  # constructing again passes validation
    assert region.n_villages == len(region.villages)
    assert region.population == sum(v.population for v in region.villages)
    assert region.households == sum(v.households for v in region.villages)


# =========================================================================== regions: lookups


def test_lookups(small_region: Region) -> None:
    assert small_region.village("35.10.15.2012").name == "Kampunganyar"
    assert small_region.village_index("35.10.15.2012") == 2
    assert small_region.district("35.10.15").name == "Glagah"
    assert [v.code for v in small_region.villages_in("35.10.15")] == ["35.10.15.2012", "35.10.15.1001"]
    assert small_region.n_villages == 4
    assert small_region.population == 5613 + 14074 + 4148 + 10
    assert small_region.households == 1439 + 4000 + 1064 + 3  # 4148 / 3.9 = 1063.6; 10 / 3.9 = 2.6


@pytest.mark.parametrize("method", ["village", "village_index", "district", "villages_in"])
def test_unknown_codes_are_key_errors(small_region: Region, method: str) -> None:
    with pytest.raises(KeyError, match=r"35\.10\.99"):
        getattr(small_region, method)("35.10.99")
    # A village code is not a district code and vice versa.
    other = "35.10.01" if method in ("village", "village_index") else "35.10.01.2001"
    with pytest.raises(KeyError):
        getattr(small_region, method)(other)


@given(region=regions())
def test_lookups_agree_with_the_tuples(region: Region) -> None:
    for i, v in enumerate(region.villages):
        assert region.village(v.code) is v
        assert region.village_index(v.code) == i
    for d in region.districts:
        assert region.district(d.code) is d
    grouped = [v for d in region.districts for v in region.villages_in(d.code)]
    assert sorted(grouped, key=region.villages.index) == list(region.villages)
    assert len(grouped) == region.n_villages


# =========================================================================== regions: columns


def test_to_columns(small_region: Region) -> None:
    cols = small_region.to_columns()
    assert isinstance(cols, VillageColumns)
    assert cols.n_villages == 4
    expected: dict[str, tuple[Any, str, list[Any]]] = {
        "code": (4, "U", ["35.10.01.2001", "35.10.01.2002", "35.10.15.2012", "35.10.15.1001"]),
        "lat_deg": (4, "f8", [-8.4983687395895, -8.587855000731954, -8.162277120449295, -8.21]),
        "lon_deg": (4, "f8", [113.90416817381755, 114.09183314692525, 114.27800768282366, 114.35]),
        "population": (4, "i8", [5613, 14074, 4148, 10]),
        "households": (4, "i8", [1439, 4000, 1064, 3]),
        "is_kelurahan": (4, "?", [False, False, False, True]),
        "district_index": (4, "i8", [0, 0, 1, 1]),
        "pop_lat_deg": (1, "f8", [-8.519741507521363]),
        "pop_lon_deg": (1, "f8", [113.9719259839289]),
    }
    for name, (n, dtype, values) in expected.items():
        arr = getattr(cols, name)
        assert isinstance(arr, np.ndarray), name
        assert arr.shape == (n,), name
        if dtype == "U":
            assert arr.dtype.kind == "U"
        else:
            assert arr.dtype == np.dtype(dtype), name
        assert arr.tolist() == values, name
        assert not arr.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = arr[0]
    for name, value in (("idm_iks", 0.8), ("idm_ike", 0.7), ("idm_ikl", 0.6)):
        arr = getattr(cols, name)
        assert arr.dtype == np.float64, name
        assert arr.shape == (4,), name
        assert not arr.flags.writeable, name
        assert arr[0] == value, name
        assert np.isnan(arr[1:]).all(), name
    composite = cols.idm_composite
    assert composite.shape == (4,)
    assert composite[0] == pytest.approx(0.7)
    assert np.isnan(composite[1:]).all()


def test_columns_compare_by_value(small_region: Region) -> None:
    # Villages without an IDM score hold NaN; equal regions must still give equal columns.
    assert small_region.to_columns() == small_region.to_columns()
    other = small_region.with_population({"35.10.01.2001": 1})
    assert other.to_columns() != small_region.to_columns()


def test_columns_of_an_empty_region() -> None:
    cols = _region([]).to_columns()
    assert cols.n_villages == 0
    for field in attrs.fields(VillageColumns):
        assert getattr(cols, field.name).shape == (0,), field.name
    assert cols.code.dtype.kind == "U"
    assert cols.population.dtype == np.int64


@given(region=regions())
def test_columns_match_the_villages(region: Region) -> None:
    cols = region.to_columns()
    vs = region.villages
    assert cols.n_villages == region.n_villages
    # numpy's fixed-width str dtype cannot hold trailing NUL characters (it pads with them).
    assert cols.code.tolist() == [v.code.rstrip("\x00") for v in vs]
    assert cols.lat_deg.tolist() == [v.location.lat_deg for v in vs]
    assert cols.lon_deg.tolist() == [v.location.lon_deg for v in vs]
    assert cols.population.tolist() == [v.population for v in vs]
    assert cols.households.tolist() == [v.households for v in vs]
    assert cols.is_kelurahan.tolist() == [v.kind in (VillageKind.KELURAHAN, VillageKind.PHUONG) for v in vs]
    assert [region.districts[i].code for i in cols.district_index] == [v.district_code for v in vs]
    for i, v in enumerate(vs):
        if v.idm is None:
            assert np.isnan([cols.idm_iks[i], cols.idm_ike[i], cols.idm_ikl[i], cols.idm_composite[i]]).all()
        else:
            assert (cols.idm_iks[i], cols.idm_ike[i], cols.idm_ikl[i]) == (v.idm.iks, v.idm.ike, v.idm.ikl)
            assert cols.idm_composite[i] == pytest.approx(v.idm.composite, rel=1e-15, abs=1e-300)
    assert cols.pop_lat_deg.tolist() == [b.location.lat_deg for b in region.backbone]
    assert cols.pop_lon_deg.tolist() == [b.location.lon_deg for b in region.backbone]


def test_population_beyond_int64_is_refused() -> None:
    # Every simulation works on int64 columns: a count that does not fit is refused at construction,
    # and so is one no village has (the domain ends at 10^8 people, so totals fit too).
    for population in (2**63, 2**63 - 1, 10**8 + 1):
        with pytest.raises(ValueError, match="population"):
            _village(population=population)
    region = _region([_village(population=10**8)])
    assert int(region.to_columns().population[0]) == 10**8


@pytest.mark.parametrize("code", ["", "   ", "a\x00", "35.10\n01", "\x1b[31m"])
def test_codes_must_be_visible_text(code: str) -> None:
    # Codes become fixed-width numpy strings and file keys: blank or control characters are refused.
    with pytest.raises(ValueError, match="code"):
        _village(code=code)


# =========================================================================== regions: variants


def test_with_population(small_region: Region) -> None:
    new = small_region.with_population(
        {"35.10.01.2001": 6000, "35.10.15.2012": 3900},
        year=2020,
        households={"35.10.15.2012": 1200, "35.10.01.2002": 3000},
    )
    assert new is not small_region
    assert small_region.village("35.10.01.2001").population == 5613
    a, b, c, d = new.villages
    assert (a.population, a.households, a.population_year) == (6000, 1538, 2020)  # 6000 / 3.9 = 1538.5 -> 1538
    assert (b.population, b.households, b.population_year) == (14074, 3000, 2020)  # households only
    assert (c.population, c.households, c.population_year) == (3900, 1200, 2020)
    assert d == small_region.villages[3]  # not named: unchanged
    assert a.idm == small_region.villages[0].idm
    assert a.location == small_region.villages[0].location
    assert new.population == 6000 + 14074 + 3900 + 10
    assert new.districts == small_region.districts
    assert new.backbone == small_region.backbone


def test_with_population_without_a_year_keeps_the_old_one(small_region: Region) -> None:
    new = small_region.with_population({"35.10.01.2001": 1, "35.10.01.2002": 2})
    assert new.village("35.10.01.2001").population_year == 2010
    assert new.village("35.10.01.2002").population_year is None
    assert new.village("35.10.01.2002").households == 1  # 2 / 3.9 = 0.51


def test_with_population_unknown_codes(small_region: Region) -> None:
    with pytest.raises(KeyError, match=r"35\.10\.99\.2001.*35\.10\.99\.2002"):
        small_region.with_population({"35.10.99.2002": 1, "35.10.99.2001": 1})
    with pytest.raises(KeyError, match="nowhere"):
        small_region.with_population({}, households={"nowhere": 1})


def test_with_population_validates(small_region: Region) -> None:
    with pytest.raises(ValueError, match="population"):
        small_region.with_population({"35.10.01.2001": -1})


@given(data=st.data(), region=regions())
def test_with_population_property(data: st.DataObject, region: Region) -> None:
    codes = [v.code for v in region.villages]
    chosen = data.draw(st.lists(st.sampled_from(codes), unique=True) if codes else st.just([]))
    figures = {c: data.draw(st.integers(0, 10**6)) for c in chosen}
    new = region.with_population(figures, year=2024)
    for old, v in zip(region.villages, new.villages, strict=True):
        if v.code in figures:
            assert v.population == figures[v.code]
            assert v.households == round(figures[v.code] / DEFAULT_HOUSEHOLD_SIZE)
            assert v.population_year == 2024
        else:
            assert v == old
    assert new.population == region.population + sum(figures[c] - region.village(c).population for c in figures)


def test_with_district_backbone(small_region: Region) -> None:
    new = small_region.with_district_backbone()
    assert new.backbone == tuple(PointOfPresence(d.code, d.name, d.location) for d in small_region.districts)
    assert len(new.backbone) == 2
    assert new.backbone[1].id == "35.10.15"
    assert attrs.evolve(new, backbone=small_region.backbone) == small_region
    cols = new.to_columns()
    assert cols.pop_lat_deg.tolist() == [d.location.lat_deg for d in small_region.districts]


# =========================================================================== programme


def test_smart_kampung_programme(programme: Programme) -> None:
    assert programme == smart_kampung_programme()
    assert [p.id for p in programme.pillars] == [
        "public_services",
        "economic_empowerment",
        "health",
        "education_culture",
        "human_resources",
        "poverty_alleviation",
        "legal_literacy",
    ]
    assert programme.pillars == SMART_KAMPUNG_CRITERIA
    assert programme.services == SMART_KAMPUNG_SERVICES
    assert len(programme.services) == 8
    assert programme.technologies == DEFAULT_TECHNOLOGIES
    assert [t.id for t in programme.technologies] == ["fibre", "microwave", "cellular", "satellite"]
    assert {s.pillar for s in programme.services} <= {p.id for p in programme.pillars}
    assert programme.service("village_budgeting").adoption_model is AdoptionModel.LINEAR
    assert all(s.source for s in programme.services)
    assert len(SEED_STRANDS) == 5
    assert SEED_STRANDS[0].idm_dimension is IDMDimension.SOCIAL


def test_reference_technology_costs() -> None:
    # USD figures from the docstring converted at Rp 15,000 per USD, computed by hand.
    assert IDR_PER_USD == 15_000.0
    fibre, microwave, cellular, satellite = DEFAULT_TECHNOLOGIES
    assert fibre.capex_per_km == 75_000_000.0  # USD 5,000/km
    assert fibre.opex_per_year == 10_000_000.0  # Rp 10 million per village per year
    assert microwave.capex == 105_000_000.0  # USD 2,000 + USD 5,000
    assert satellite.capex == 7_500_000.0  # USD 500
    assert satellite.opex_per_mbps_year == 18_000_000.0  # USD 100 per Mbps per month
    assert fibre.max_link_km == math.inf
    assert microwave.max_link_km == 30.0
    assert cellular.max_link_km == 5.0


def test_programme_lookups(programme: Programme) -> None:
    assert programme.pillar("health").name == "Health services"
    assert programme.service("e_learning").pillar == "education_culture"
    assert programme.technology("satellite").capacity_mbps == 50.0
    for method in ("pillar", "service", "technology"):
        with pytest.raises(KeyError, match="nothing"):
            getattr(programme, method)("nothing")


def test_programme_lists_every_problem() -> None:
    p = Pillar("health", "Health")
    s = Service("telehealth", "Telehealth", "health", 0.01, 0.1, 0.5, 1.0)
    orphan = attrs.evolve(s, id="orphan", pillar="missing")
    with pytest.raises(ModelValidationError) as info:
        Programme("P", [p, p], [s, s, orphan], technologies=[])
    got = {(p.record, p.field) for p in info.value.problems}
    assert got == {("pillars[1]", "id"), ("services[1]", "id"), ("services[2]", "pillar"), (None, "technologies")}
    assert "'missing'" in str(info.value)
    assert "health" in str(info.value)


def test_programme_default_technologies() -> None:
    prog = Programme("P", [], [])
    assert prog.technologies == DEFAULT_TECHNOLOGIES
    assert prog.description == ""


@given(prog=programmes())
def test_generated_programmes_are_consistent(prog: Programme) -> None:
    assert attrs.evolve(prog) == prog
    for s in prog.services:
        assert prog.service(s.id) is s
        assert prog.pillar(s.pillar).id == s.pillar


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"p_innovation": 0.0}, "p_innovation"),
        ({"p_innovation": -0.1}, "p_innovation"),
        ({"p_innovation": math.nan}, "p_innovation"),
        ({"q_imitation": True}, "q_imitation"),
        ({"market_share": 1.01}, "market_share"),
        ({"market_share": math.nan}, "market_share"),
        ({"transactions_per_household_per_year": -1.0}, "transactions"),
        ({"bandwidth_mbps": "1"}, "bandwidth"),
        ({"lag_months": -1}, "lag_months"),
        ({"lag_months": 1.5}, "lag_months"),
        ({"adoption_model": AdoptionModel.LINEAR}, "linear_rate"),
        ({"adoption_model": "bass"}, "adoption_model"),
        ({"id": "Bad-Id"}, "id"),
        ({"id": ""}, "id"),
        ({"pillar": "1st"}, "pillar"),
    ],
)
def test_service_validation(change: dict[str, Any], match: str) -> None:
    base = Service("telehealth", "Telehealth", "health", 0.01, 0.1, 0.5, 1.0)
    with pytest.raises((ValueError, TypeError), match=match):
        attrs.evolve(base, **change)


def test_linear_service() -> None:
    s = Service("budget", "Budget", "hr", 0.0, 0.0, 0.3, 1.0, adoption_model=AdoptionModel.LINEAR, linear_rate=0.01)
    assert s.linear_rate == 0.01
    assert s.lag_months == 0
    assert s.source == "illustrative assumption"


@given(s=services(), t=technologies())
def test_generated_services_and_technologies_are_valid(s: Service, t: Technology) -> None:
    assert attrs.evolve(s) == s
    assert attrs.evolve(t) == t
    if s.adoption_model is AdoptionModel.BASS:
        assert s.p_innovation > 0
    else:
        assert s.linear_rate > 0
    assert t.max_link_km > 0
    assert t.capacity_mbps > 0


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"capex": -1.0}, "capex"),
        ({"capex": math.nan}, "capex"),
        ({"opex_per_mbps_year": -0.5}, "opex_per_mbps_year"),
        ({"max_link_km": 0.0}, "max_link_km"),
        ({"max_link_km": math.nan}, "max_link_km"),
        ({"capacity_mbps": -1.0}, "capacity_mbps"),
        ({"capacity_mbps": False}, "capacity_mbps"),
        ({"id": "Fibre"}, "id"),
    ],
)
def test_technology_validation(change: dict[str, Any], match: str) -> None:
    base = Technology("fibre", "Fibre", capex=1.0)
    with pytest.raises((ValueError, TypeError), match=match):
        attrs.evolve(base, **change)


def test_technology_unlimited_by_default() -> None:
    # Range and capacity: infinity means "no limit". A cost is a number: infinity is refused
    # (issue 12: an infinite cost validated and then wrote NaN into the outputs).
    t = Technology("x", "X", capex=1.0)
    assert t.max_link_km == math.inf
    assert t.capacity_mbps == math.inf
    for field in ("capex", "capex_per_km", "opex_per_year", "opex_per_km_year", "opex_per_mbps_year"):
        with pytest.raises(ValueError, match=field):
            attrs.evolve(t, **{field: math.inf})
        with pytest.raises(ValueError, match=field):
            attrs.evolve(t, **{field: 1.000001e15})


def test_pillar_validation() -> None:
    assert Pillar("ict", "ICT").idm_dimension is None
    with pytest.raises(ValueError, match="id"):
        Pillar("ICT", "ICT")
    with pytest.raises(TypeError, match="idm_dimension"):
        Pillar("ict", "ICT", idm_dimension="social")  # type: ignore[arg-type]


# =========================================================================== error types


def test_problem_text() -> None:
    assert str(Problem("is empty", record="row 5 (code 35.10.01.2001)", field="name")) == (
        "row 5 (code 35.10.01.2001), field 'name': is empty"
    )
    assert str(Problem("bad", record="$.villages[3]")) == "$.villages[3]: bad"
    assert str(Problem("bad", field="lat")) == "field 'lat': bad"
    assert str(Problem("file not found")) == "file not found"
    assert Problem("a", record="r", field="f") == Problem("a", record="r", field="f")
    assert Problem("a", record="r") != Problem("a", record="r", field="f")
    assert len({Problem("a", record="r"), Problem("a", record="r")}) == 1
    assert "record='r'" in repr(Problem("a", record="r"))
    assert Problem("a").__eq__("a") is NotImplemented


def test_data_file_error_lists_every_problem() -> None:
    err = DataFileError("villages.csv", [Problem("bad", record="row 2", field="lat"), "plain text"])
    assert err.source == "villages.csv"
    assert [str(p) for p in err.problems] == ["row 2, field 'lat': bad", "plain text"]
    assert str(err) == "villages.csv: 2 problems found\n  - row 2, field 'lat': bad\n  - plain text"
    assert str(DataFileError("x.toml", ["only"])) == "x.toml: 1 problem found\n  - only"
    assert isinstance(err, SmartKampungError)
    assert isinstance(err, ValueError)


def test_parameter_error() -> None:
    err = ParameterError("n_villages", "must be >= 1", function="synthetic_region")
    assert str(err) == "synthetic_region(): parameter 'n_villages': must be >= 1"
    assert err.parameter == "n_villages"
    assert err.function == "synthetic_region"
    assert str(ParameterError("x", "bad")) == "parameter 'x': bad"
    assert isinstance(err, SmartKampungError)
    assert isinstance(err, ValueError)
