"""read_villages_csv: real files, renamed columns, BOM, households, kinds, and every error at once."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartkampung import (
    CodeSystem,
    DataFileError,
    District,
    Location,
    ParameterError,
    Region,
    SmartKampungError,
    VillageKind,
)
from smartkampung.datasets import data_path
from smartkampung.io import read_villages_csv
from strategies import awkward_text, codes

WriteFile = Callable[[str, str | bytes], Path]

HEADER = "code,name,district_code,lat,lon,population"
GOOD = (
    HEADER
    + "\n"
    + "\n".join(
        [
            "35.10.01.2001,Sarongan,35.10.01,-8.4983687395895,113.90416817381755,5613",
            "35.10.01.2002,Pesanggaran,35.10.01,-8.587855000731954,114.09183314692525,14074",
            "35.10.15.2012,Kampunganyar,35.10.15,-8.162277120449295,114.27800768282366,4148",
        ]
    )
    + "\n"
)

KW: dict[str, Any] = {"region_code": "35.10", "region_name": "Banyuwangi", "country": "ID"}


def _error(path: Path, **kwargs: Any) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        read_villages_csv(path, **{**KW, **kwargs})
    err = info.value
    assert isinstance(err, SmartKampungError)
    message = str(err)
    assert message.startswith(str(path)), message
    assert all(str(p) in message for p in err.problems)
    return err


def _has(err: DataFileError, record: str, field: str | None, text: str = "") -> None:
    hits = [p for p in err.problems if p.record == record and p.field == field and text in p.message]
    assert hits, f"no problem at {record!r}, field {field!r} with {text!r} in:\n{err}"
    if field is not None:
        assert f"{record}, field {field!r}" in str(err)


# =========================================================================== reading


def test_good_file(write_file: WriteFile) -> None:
    region = read_villages_csv(
        write_file("v.csv", GOOD), **KW, default_kind=VillageKind.DESA, code_system=CodeSystem.KEMENDAGRI
    )
    assert region.code == "35.10"
    assert region.country == "ID"
    assert region.code_system is CodeSystem.KEMENDAGRI
    assert [v.code for v in region.villages] == ["35.10.01.2001", "35.10.01.2002", "35.10.15.2012"]
    sarongan = region.village("35.10.01.2001")
    assert sarongan.name == "Sarongan"
    assert sarongan.population == 5613
    assert sarongan.kind is VillageKind.DESA
    assert sarongan.location == Location(-8.4983687395895, 113.90416817381755)
    assert sarongan.households == 1439  # 5613 / 3.9 = 1439.2
    assert sarongan.population_year is None
    # Districts derived: one per code, in order of first appearance, at the spherical mean of their
    # villages (the normalised sum of their unit vectors, computed here independently).
    assert [d.code for d in region.districts] == ["35.10.01", "35.10.15"]
    d1 = region.district("35.10.01")
    assert d1.name == "35.10.01"  # no district_name column: the code stands in
    la = np.radians([-8.4983687395895, -8.587855000731954])
    lo = np.radians([113.90416817381755, 114.09183314692525])
    x, y, z = (np.cos(la) * np.cos(lo)).sum(), (np.cos(la) * np.sin(lo)).sum(), np.sin(la).sum()
    assert d1.location.lat_deg == pytest.approx(np.degrees(np.arctan2(z, np.hypot(x, y))), abs=1e-12)
    assert d1.location.lon_deg == pytest.approx(np.degrees(np.arctan2(y, x)), abs=1e-12)
    assert d1.location.lat_deg == pytest.approx((-8.4983687395895 - 8.587855000731954) / 2, abs=1e-4)
    assert region.district("35.10.15").location == region.village("35.10.15.2012").location
    assert region.backbone == ()


def test_guimaras_file_loads() -> None:
    path = data_path("guimaras_villages.csv")
    region = read_villages_csv(
        path, region_code="0607900000", region_name="Guimaras", country="PH", default_kind=VillageKind.BARANGAY
    )
    assert region.n_villages == 98
    assert len(region.districts) == 5
    assert region.population == 187_842
    first = region.villages[0]
    assert (first.code, first.name, first.district_code) == ("0607901001", "Agsanayan", "0607901000")
    assert first.population == 1851
    assert first.population_year == 2020
    assert first.kind is VillageKind.BARANGAY
    assert region.district("0607901000").name == "Buenavista"
    assert all(v.code.startswith("0607") for v in region.villages)


def test_codes_keep_leading_zeros(write_file: WriteFile) -> None:
    text = "code,name,district_code,lat,lon,population\n0001,A,007,1,2,3\n00010,B,007,1,2,3\n"
    region = read_villages_csv(write_file("z.csv", text), **KW)
    assert [v.code for v in region.villages] == ["0001", "00010"]
    assert region.districts[0].code == "007"


def test_renamed_columns(write_file: WriteFile) -> None:
    text = (
        "psgc;barangay;municipality;latitude;longitude;pop_2020;households\n"
        "0607901001;Agsanayan;0607901000;10.660159;122.656045;1851;400\n"
    )
    path = write_file("renamed.csv", text)
    columns = {
        "code": "psgc",
        "name": "barangay",
        "district_code": "municipality",
        "lat": "latitude",
        "lon": "longitude",
        "population": "pop_2020",
    }
    region = read_villages_csv(path, **KW, columns=columns, delimiter=";")
    v = region.villages[0]
    assert (v.code, v.name, v.district_code, v.population, v.households) == (
        "0607901001",
        "Agsanayan",
        "0607901000",
        1851,
        400,
    )
    assert v.location == Location(10.660159, 122.656045)
    # Without the mapping the same file misses the required columns, all named in one problem.
    err = _error(path, delimiter=";")
    assert len(err.problems) == 1
    for name in ("code", "name", "district_code", "lat", "lon", "population"):
        assert repr(name) in err.problems[0].message
    assert err.problems[0].record == "row 1 (header)"


def test_byte_order_mark(write_file: WriteFile) -> None:
    path = write_file("bom.csv", "\ufeff".encode() + GOOD.encode())
    region = read_villages_csv(path, **KW)
    assert region.n_villages == 3
    assert region.villages[0].code == "35.10.01.2001"


def test_windows_line_endings_and_blank_lines(write_file: WriteFile) -> None:
    path = write_file("crlf.csv", (GOOD.replace("\n", "\r\n\r\n") + " , , \r\n").encode())
    region = read_villages_csv(path, **KW)
    assert region.n_villages == 3
    # Row numbers are line numbers in the file, blank lines counted.
    bad = GOOD.replace("\n", "\r\n\r\n").replace("4148", "-4148").encode()
    err = _error(write_file("crlf-bad.csv", bad))
    _has(err, "row 7 (code 35.10.15.2012)", "population", "-4148")


def test_households_given_or_derived(write_file: WriteFile) -> None:
    text = (
        "code,name,district_code,lat,lon,population,households\na,A,d,0,0,5613,1200\nb,B,d,0,0,5613,\nc,C,d,0,0,10,0\n"
    )
    region = read_villages_csv(write_file("h.csv", text), **KW)
    assert [v.households for v in region.villages] == [1200, 1439, 0]
    region4 = read_villages_csv(write_file("h.csv", text), **KW, household_size=4.0)
    assert [v.households for v in region4.villages] == [1200, 1403, 0]  # 5613 / 4 = 1403.25


@pytest.mark.parametrize("size", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_household_size(write_file: WriteFile, size: float) -> None:
    with pytest.raises(ParameterError) as info:
        read_villages_csv(write_file("v.csv", GOOD), **KW, household_size=size)
    assert info.value.parameter == "household_size"


def test_kind_column(write_file: WriteFile) -> None:
    text = (
        "code,name,district_code,lat,lon,population,kind\n"
        "35.10.01.2001,A,35.10.01,0,0,1,desa\n"
        "35.10.01.1002,B,35.10.01,0,0,1, Kelurahan \n"
        "35.10.01.2003,C,35.10.01,0,0,1,\n"
    )
    region = read_villages_csv(
        write_file("k.csv", text), **KW, default_kind=VillageKind.DESA, code_system=CodeSystem.KEMENDAGRI
    )
    assert [v.kind for v in region.villages] == [VillageKind.DESA, VillageKind.KELURAHAN, VillageKind.DESA]
    # The default kind is VILLAGE.
    assert read_villages_csv(write_file("g.csv", GOOD), **KW).villages[0].kind is VillageKind.VILLAGE


def test_optional_columns(write_file: WriteFile) -> None:
    text = (
        "code,name,district_code,district_name,lat,lon,population,population_year\n"
        "a,A,d1,Glagah,1,2,3,2020\n"
        "b,B,d1,,1,4,3,\n"
    )
    region = read_villages_csv(write_file("o.csv", text), **KW)
    assert region.district("d1").name == "Glagah"
    # (1, 2) and (1, 4) meet halfway along the great circle: longitude 3, latitude a hair above 1.
    location = region.district("d1").location
    assert location.lon_deg == pytest.approx(3.0, abs=1e-12)
    assert 1.0 < location.lat_deg < 1.001
    assert [v.population_year for v in region.villages] == [2020, None]


def test_given_districts(write_file: WriteFile) -> None:
    districts = [
        District("35.10.01", "Pesanggaran", Location(-8.5, 114.0)),
        District("35.10.15", "Glagah", Location(-8.2, 114.3)),
        District("35.10.20", "Empty", Location(-8.3, 114.1)),
    ]
    region = read_villages_csv(write_file("v.csv", GOOD), **KW, districts=districts)
    assert region.districts == tuple(districts)
    assert region.villages_in("35.10.20") == ()


# =========================================================================== errors


def test_missing_file(tmp_path: Path) -> None:
    err = _error(tmp_path / "nope.csv")
    assert "not found" in str(err)


def test_empty_file(write_file: WriteFile) -> None:
    err = _error(write_file("empty.csv", ""))
    assert "empty" in str(err)


def test_not_utf8(write_file: WriteFile) -> None:
    err = _error(write_file("latin1.csv", (HEADER + "\na,Bañuwangi,d,0,0,1\n").encode("latin-1")))
    assert "UTF-8" in str(err)


def test_missing_columns(write_file: WriteFile) -> None:
    err = _error(write_file("m.csv", "code,name,lat\na,A,1\n"))
    assert len(err.problems) == 1
    message = err.problems[0].message
    assert "'district_code', 'lon', 'population'" in message
    assert "'code', 'name', 'lat'" in message  # what the header has


def test_every_row_problem_is_reported(write_file: WriteFile) -> None:
    text = (
        HEADER + ",kind,households\n"
        "35.10.01.2001,Sarongan,35.10.01,-8.5,113.9,5613,desa,\n"  # row 2: fine
        "35.10.01.2002,Pesanggaran,35.10.01,200,114.0,-5,desa,\n"  # row 3: latitude 200, negative population
        "35.10.01.2002,Dup,35.10.01,-8.5,114.0,abc,desa,\n"  # row 4: duplicate code, non-numeric population
        "35.10.01.2004,X,35.10.01,-8.5,east,5613.5,desa,\n"  # row 5: non-numeric lon, fractional population
        "35.10.01.2006,Z,35.10.01,-8.5,114.0,100,villge,\n"  # row 6: unknown kind
        "35.10.01.2007,,35.10.01,-8.5,114.0,100,desa,1.5\n"  # row 7: empty name, fractional households
        ",NoCode,35.10.01,-8.5,114.0,100,desa,\n"  # row 8: empty code
        "35.10.01.2009,Short,35.10.01\n"
    )  # row 9: too few cells
    err = _error(write_file("bad.csv", text))
    _has(err, "row 3 (code 35.10.01.2002)", "lat", "200")
    _has(err, "row 3 (code 35.10.01.2002)", "population", "-5")
    _has(err, "row 4 (code 35.10.01.2002)", "code", "duplicate code (first at row 3)")
    _has(err, "row 4 (code 35.10.01.2002)", "population", "'abc'")
    _has(err, "row 5 (code 35.10.01.2004)", "lon", "'east'")
    _has(err, "row 5 (code 35.10.01.2004)", "population", "5613.5")
    _has(err, "row 6 (code 35.10.01.2006)", "kind", "'villge'")
    _has(err, "row 7 (code 35.10.01.2007)", "name", "empty")
    _has(err, "row 7 (code 35.10.01.2007)", "households", "1.5")
    _has(err, "row 8", "code", "empty")
    _has(err, "row 9 (code 35.10.01.2009)", None, "3 cells")
    assert len(err.problems) == 11
    assert str(err).splitlines()[0].endswith("11 problems found")


def test_unknown_district_with_given_districts(write_file: WriteFile) -> None:
    districts = [District("35.10.01", "Pesanggaran", Location(-8.5, 114.0))]
    err = _error(write_file("v.csv", GOOD), districts=districts)
    _has(err, "row 4 (code 35.10.15.2012)", "district_code", "'35.10.15'")
    assert len(err.problems) == 1


def test_kemendagri_codes_checked(write_file: WriteFile) -> None:
    text = (
        HEADER + ",kind\n"
        "35.10.01.2001,A,35.10.01,0,0,1,kelurahan\n"  # row 2: desa code, kelurahan kind
        "35.10.01.1002,B,35.10.01,0,0,1,desa\n"  # row 3: kelurahan code, desa kind
        "35.10.02.2003,C,35.10.01,0,0,1,desa\n"  # row 4: code not under its district
        "3510012004,D,35.10.01,0,0,1,desa\n"
    )  # row 5: malformed
    err = _error(write_file("k.csv", text), code_system=CodeSystem.KEMENDAGRI)
    _has(err, "row 2 (code 35.10.01.2001)", "kind", "desa")
    _has(err, "row 3 (code 35.10.01.1002)", "kind", "kelurahan")
    _has(err, "row 4 (code 35.10.02.2003)", "code", "'35.10.01'")
    _has(err, "row 5 (code 3510012004)", "code", "PP.KK.CC.VVVV")
    assert len(err.problems) == 4
    # The same file is fine with free codes.
    assert read_villages_csv(write_file("k.csv", text), **KW).n_villages == 4


def test_row_problems_and_region_problems_are_reported_together(write_file: WriteFile) -> None:
    # One bad cell (row 2) and one code that disagrees with its kind (row 3): both must be listed.
    text = HEADER + ",kind\n35.10.01.2001,A,35.10.01,0,0,-1,desa\n35.10.01.2002,B,35.10.01,0,0,1,kelurahan\n"
    err = _error(write_file("mixed.csv", text), code_system=CodeSystem.KEMENDAGRI)
    _has(err, "row 2 (code 35.10.01.2001)", "population", "-1")
    _has(err, "row 3 (code 35.10.01.2002)", "kind", "desa")


def test_bad_region_arguments_are_reported(write_file: WriteFile) -> None:
    with pytest.raises(DataFileError, match="country"):
        read_villages_csv(write_file("v.csv", GOOD), region_code="35.10", region_name="B", country="Indonesia")
    err = _error(write_file("v.csv", GOOD), region_code="3510", code_system=CodeSystem.KEMENDAGRI)
    assert any("PP.KK" in p.message for p in err.problems)


def test_population_beyond_int64(write_file: WriteFile) -> None:
    # 1e20 people parses as a whole number; the region must then either be refused here
    # or be usable by the simulations, which work on int64 columns.
    text = HEADER + "\na,A,d,0,0,1e20\n"
    try:
        region = read_villages_csv(write_file("big.csv", text), **KW)
    except DataFileError as err:
        message = str(err)
    else:
        assert int(region.to_columns().population[0]) == 10**20
        return
    assert "population" in message


# =========================================================================== fuzzing


def _read_or_library_error(path: Path) -> None:
    try:
        region = read_villages_csv(path, **KW)
    except SmartKampungError:
        return
    assert isinstance(region, Region)


@given(content=st.binary(max_size=300))
def test_fuzz_arbitrary_bytes(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(content)
        _read_or_library_error(path)


_COLUMNS = [
    "code",
    "name",
    "district_code",
    "lat",
    "lon",
    "population",
    "kind",
    "households",
    "district_name",
    "population_year",
    "extra",
]
_CELLS = st.one_of(
    awkward_text(max_size=6),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1.5",
            "1e400",
            "nan",
            "inf",
            "-inf",
            "1_000",
            "200",
            "-180",
            "90.0",
            "desa",
            "kelurahan",
            "KELURAHAN",
            "barangay",
            "35.10.01",
            "35.10.01.2001",
            " 7 ",
        ]
    ),
    st.integers(-(10**20), 10**20).map(str),
    st.floats().map(repr),
)


_REQUIRED = ["code", "name", "district_code", "lat", "lon", "population"]
_HEADERS = st.one_of(
    st.lists(st.sampled_from(_COLUMNS), min_size=1, max_size=9),
    st.lists(st.sampled_from(_COLUMNS[6:]), unique=True).flatmap(lambda extra: st.permutations(_REQUIRED + extra)),
)


@given(
    header=_HEADERS,
    rows=st.lists(st.lists(_CELLS, min_size=5, max_size=11), max_size=6),
    system=st.sampled_from(list(CodeSystem)),
)
def test_fuzz_structured_csv(header: list[str], rows: list[list[str]], system: CodeSystem) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        try:
            region = read_villages_csv(path, **KW, code_system=system)
        except SmartKampungError:
            return
        assert isinstance(region, Region)
        region.to_columns()  # whatever loads must be usable


@given(
    rows=st.lists(
        st.tuples(codes(), awkward_text(), st.integers(1, 10**6), st.floats(-90, 90), st.floats(-180, 180)),
        max_size=6,
        unique_by=lambda r: r[0],
    )
)
def test_written_rows_read_back(rows: list[tuple[str, str, int, float, float]]) -> None:
    # Any valid table written by the csv module reads back to the same villages. (Each village is
    # its own district: villages anywhere on Earth cannot share one; see test_plausibility.)
    rows = [r for r in rows if r[0].strip() and r[1].strip()]
    rows = list({r[0].strip(): r for r in rows}.values())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "name", "district_code", "lat", "lon", "population"])
    for code, name, population, lat, lon in rows:
        writer.writerow([code, name, f"D-{code}", repr(lat), repr(lon), population])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rows.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        if not rows:  # a header alone is not a region
            with pytest.raises(DataFileError, match="header but no villages"):
                read_villages_csv(path, **KW)
            return
        region = read_villages_csv(path, **KW)
    # Cells are stripped of surrounding whitespace.
    assert [(v.code, v.name, v.population, v.location.lat_deg, v.location.lon_deg) for v in region.villages] == [
        (c.strip(), n.strip(), p, lat, lon) for c, n, p, lat, lon in rows
    ]
