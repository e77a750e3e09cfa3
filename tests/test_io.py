"""JSON/TOML text and files for every model class; errors on bad files; atomic writes; GeoJSON."""

from __future__ import annotations

import copy
import json
import math
import os
import tempfile
import tomllib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartkampung import (
    AdoptionModel,
    CodeSystem,
    DataFileError,
    District,
    IDMScore,
    Location,
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
    VillageKind,
)
from smartkampung.io import Format, atomic_write_text, converter, dump, dumps, load, loads, to_geojson, write_geojson
from smartkampung.io._toml import toml_dumps
from strategies import (
    districts,
    idm_scores,
    json_values,
    locations,
    pillars,
    points_of_presence,
    programmes,
    regions,
    services,
    technologies,
    villages,
)

FORMATS: tuple[Format, ...] = ("json", "toml")

# Every model class that is a document, with a strategy for it.
MODEL_STRATEGIES: list[tuple[type[Any], st.SearchStrategy[Any]]] = [
    (Location, locations()),
    (PointOfPresence, points_of_presence()),
    (IDMScore, idm_scores()),
    (District, districts()),
    (Village, villages()),
    (Region, regions(CodeSystem.FREE)),
    (Region, regions(CodeSystem.KEMENDAGRI)),
    (Pillar, pillars()),
    (Service, services(adoption_model=AdoptionModel.BASS)),
    (Service, services(adoption_model=AdoptionModel.LINEAR)),
    (Technology, technologies()),
    (Programme, programmes()),
]
MODEL_IDS = [
    "Location",
    "PointOfPresence",
    "IDMScore",
    "District",
    "Village",
    "Region-free",
    "Region-kemendagri",
    "Pillar",
    "Service-bass",
    "Service-linear",
    "Technology",
    "Programme",
]


def _serialise(doc: Any, fmt: Format) -> str:
    return json.dumps(doc, ensure_ascii=False) if fmt == "json" else toml_dumps(doc)


def _files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# =========================================================================== round trips


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("cls", "strategy"), MODEL_STRATEGIES, ids=MODEL_IDS)
@given(data=st.data())
def test_round_trip_text_is_exact(
    cls: type[Any], strategy: st.SearchStrategy[Any], fmt: Format, data: st.DataObject
) -> None:
    obj = data.draw(strategy)
    assert type(obj) is cls
    text = dumps(obj, fmt)
    back = loads(text, cls, format=fmt)
    assert back == obj
    # Equality treats -0.0 as 0.0; the text does not, so writing again must give the same bytes.
    assert dumps(back, fmt) == text


@pytest.mark.parametrize("suffix", [".json", ".toml", ".JSON", ".Toml"])
@given(region=regions(max_villages=4), programme=programmes(max_items=3))
def test_round_trip_files(suffix: str, region: Region, programme: Programme) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, obj in (("region", region), ("programme", programme)):
            path = Path(folder) / f"{name}{suffix}"
            dump(obj, path)
            assert load(path, type(obj)) == obj
            assert load(str(path), type(obj)) == obj  # str paths too
        assert _files_in(Path(folder)) == sorted([f"programme{suffix}", f"region{suffix}"])


def test_round_trip_real_data(
    banyuwangi_region: Region, guimaras_region: Region, programme: Programme, tmp_path: Path
) -> None:
    for obj in (banyuwangi_region, guimaras_region, programme):
        for fmt in FORMATS:
            path = tmp_path / f"{type(obj).__name__}.{fmt}"
            dump(obj, path)
            assert load(path, type(obj)) == obj


def test_infinity_survives_both_formats() -> None:
    # Infinity is "no limit" for a range or capacity (a cost must be finite).
    tech = Technology("fibre", "Fibre", capex=1.0, max_link_km=math.inf, capacity_mbps=math.inf)
    text = dumps(tech, "json")
    # Standard JSON (no Infinity literal): the value is spelled as a string.
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert json.loads(text)["max_link_km"] == "inf"
    assert loads(text, Technology) == tech
    toml_text = dumps(tech, "toml")
    assert tomllib.loads(toml_text)["capacity_mbps"] == math.inf
    assert loads(toml_text, Technology, format="toml") == tech


@pytest.mark.parametrize("spelling", ["inf", "Infinity", "+inf", " INF "])
def test_json_accepts_spelled_out_infinity(spelling: str) -> None:
    tech = loads(json.dumps({"id": "satellite", "name": "VSAT", "capex": 1.0, "max_link_km": spelling}), Technology)
    assert tech.max_link_km == math.inf


@pytest.mark.parametrize("fmt", FORMATS)
def test_nan_is_rejected_where_no_field_allows_it(fmt: Format) -> None:
    # No model field accepts NaN; loading one must fail with a DataFileError naming the field.
    text = {"json": '{"id": "fibre", "name": "F", "capex": "nan"}', "toml": 'id = "fibre"\nname = "F"\ncapex = nan\n'}[
        fmt
    ]
    with pytest.raises(DataFileError, match="capex"):
        loads(text, Technology, format=fmt)


def test_optional_fields_default_when_absent() -> None:
    village = loads(
        '{"code": "a", "name": "A", "kind": "desa", "district_code": "d",'
        ' "location": {"lat_deg": 0, "lon_deg": 0}, "population": 390}',
        Village,
    )
    assert village.households == 100  # 390 / 3.9
    assert village.population_year is None
    assert village.idm is None
    assert loads('id = "x"\nname = "X"\ncapex = 1\n', Technology, format="toml").max_link_km == math.inf


def test_integral_float_is_accepted_for_a_count() -> None:
    village = loads(
        '{"code": "a", "name": "A", "kind": "desa", "district_code": "d",'
        ' "location": {"lat_deg": 1, "lon_deg": 2}, "population": 5613.0}',
        Village,
    )
    assert village.population == 5613
    assert type(village.population) is int
    assert village.location == Location(1.0, 2.0)


def test_unknown_format_is_a_parameter_error(tmp_path: Path, small_region: Region) -> None:
    with pytest.raises(ParameterError, match="format"):
        dumps(small_region, "yaml")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="format"):
        loads("{}", Region, format="xml")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="format"):
        dump(small_region, tmp_path / "r.json", format="yaml")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["region.yaml", "region", "region.json.bak", "region.txt"])
def test_unknown_suffix_is_a_parameter_error(tmp_path: Path, small_region: Region, name: str) -> None:
    path = tmp_path / name
    with pytest.raises(ParameterError) as info:
        dump(small_region, path)
    assert info.value.parameter == "path"
    assert name in str(info.value)
    assert _files_in(tmp_path) == []
    path.write_text(dumps(small_region), encoding="utf-8")
    with pytest.raises(ParameterError, match="suffix"):
        load(path, Region)
    # An explicit format overrides the suffix.
    assert load(path, Region, format="json") == small_region


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "region.toml"
    with pytest.raises(DataFileError) as info:
        load(path, Region)
    assert str(path) in str(info.value)
    assert "not found" in str(info.value)
    assert info.value.source == str(path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "region.json"
    path.write_bytes(b'{"code": "\xff\xfe"}')
    with pytest.raises(DataFileError, match="UTF-8") as info:
        load(path, Region)
    assert str(path) in str(info.value)


def test_a_folder_is_not_readable(tmp_path: Path) -> None:
    folder = tmp_path / "region.json"
    folder.mkdir()
    with pytest.raises(DataFileError) as info:
        load(folder, Region)
    assert str(folder) in str(info.value)


# =========================================================================== bad files


@pytest.fixture
def region_doc(small_region: Region) -> dict[str, Any]:
    """The small Kemendagri region as plain data."""
    doc = converter.unstructure(small_region)
    assert isinstance(doc, dict)
    return doc


def _load_error(tmp_path: Path, doc: Any, fmt: Format, cls: type[Any] = Region) -> DataFileError:
    path = tmp_path / f"bad.{fmt}"
    path.write_text(_serialise(doc, fmt), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load(path, cls)
    err = info.value
    assert isinstance(err, SmartKampungError)
    message = str(err)
    assert message.startswith(str(path)), message  # names the file first
    assert all(str(p) in message for p in err.problems)  # lists every problem
    return err


def _find(err: DataFileError, *, record: str, field: str | None = None, text: str = "") -> Problem:
    """The one problem at this record and field (whose message contains ``text``)."""
    hits = [p for p in err.problems if p.record == record and p.field == field and text in p.message]
    assert hits, f"no problem at record={record!r} field={field!r} with {text!r} in:\n{err}"
    line = str(hits[0])
    assert record in line
    if field is not None:
        assert f"field {field!r}" in line
    return hits[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_misspelt_key_has_a_did_you_mean_hint(tmp_path: Path, region_doc: dict[str, Any], fmt: Format) -> None:
    doc = copy.deepcopy(region_doc)
    doc["villages"][1]["popualtion"] = doc["villages"][1].pop("population")
    doc["villages"][2]["location"]["lat"] = 1.0
    err = _load_error(tmp_path, doc, fmt)
    _find(err, record="$.villages[1] (code 35.10.01.2002)", field="popualtion", text="did you mean 'population'")
    _find(err, record="$.villages[1] (code 35.10.01.2002)", field="population", text="missing")
    _find(err, record="$.villages[2].location (code 35.10.15.2012)", field="lat", text="did you mean 'lat_deg'")


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_key_without_a_close_match_lists_known_keys(
    tmp_path: Path, region_doc: dict[str, Any], fmt: Format
) -> None:
    doc = copy.deepcopy(region_doc)
    doc["zzz"] = 1
    err = _load_error(tmp_path, doc, fmt)
    problem = _find(err, record="$", field="zzz", text="unknown key")
    assert "code_system" in problem.message
    assert "villages" in problem.message


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("value", "text"),
    [(-5, "population"), ("many", "many"), (5613.5, "5613.5"), (True, "True"), (None, "")],
    ids=["negative", "non-numeric", "fractional", "bool", "missing"],
)
def test_bad_population(tmp_path: Path, region_doc: dict[str, Any], fmt: Format, value: Any, text: str) -> None:
    doc = copy.deepcopy(region_doc)
    doc["villages"][2]["population"] = value  # None: TOML drops the key, JSON writes null
    err = _load_error(tmp_path, doc, fmt)
    assert len(err.problems) == 1, str(err)
    problem = err.problems[0]
    assert problem.record == "$.villages[2] (code 35.10.15.2012)"
    # The field is named, either as the problem's field or in its message.
    assert problem.field == "population" or "population" in problem.message, str(err)
    assert text in problem.message


@pytest.mark.parametrize("fmt", FORMATS)
def test_latitude_out_of_range(tmp_path: Path, region_doc: dict[str, Any], fmt: Format) -> None:
    doc = copy.deepcopy(region_doc)
    doc["villages"][0]["location"]["lat_deg"] = 200
    err = _load_error(tmp_path, doc, fmt)
    problem = _find(err, record="$.villages[0] (code 35.10.01.2001)", field="location")
    assert "lat_deg" in problem.message
    assert "200" in problem.message


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_types(tmp_path: Path, region_doc: dict[str, Any], fmt: Format) -> None:
    doc = copy.deepcopy(region_doc)
    doc["villages"][0]["location"]["lon_deg"] = "east"  # a string where a number goes
    doc["villages"][1]["households"] = False  # a bool where an int goes
    doc["villages"][2]["name"] = 12  # a number where text goes
    doc["districts"][0]["location"]["lat_deg"] = True  # a bool where a float goes
    doc["code_system"] = "kemendagri-2025"  # not one of the enum's values
    doc["villages"][3]["kind"] = "ward"
    err = _load_error(tmp_path, doc, fmt)
    _find(
        err,
        record="$.villages[0] (code 35.10.01.2001)",
        field="location",
        text="lon_deg: expected a number, got 'east'",
    )
    _find(err, record="$.villages[1] (code 35.10.01.2002)", field="households", text="False")
    _find(err, record="$.villages[2] (code 35.10.15.2012)", field="name", text="12")
    _find(err, record="$.districts[0] (code 35.10.01)", field="location", text="lat_deg: expected a number, got True")
    _find(err, record="$", field="code_system", text="'kemendagri'")
    _find(err, record="$.villages[3] (code 35.10.15.1001)", field="kind", text="'desa'")
    assert len(err.problems) == 6


@pytest.mark.parametrize("fmt", FORMATS)
def test_several_problems_are_all_reported(tmp_path: Path, region_doc: dict[str, Any], fmt: Format) -> None:
    doc = copy.deepcopy(region_doc)
    doc["nmae"] = doc.pop("name")  # misspelt key (and so a missing one)
    doc["villages"][0]["population"] = "lots"
    doc["villages"][1]["location"]["lat_deg"] = 200
    doc["villages"][2]["households"] = 12.5
    doc["backbone"][0]["location"]["lon_deg"] = "far"
    err = _load_error(tmp_path, doc, fmt)
    _find(err, record="$", field="nmae", text="did you mean 'name'")
    _find(err, record="$", field="name", text="missing")
    _find(err, record="$.villages[0] (code 35.10.01.2001)", field="population", text="'lots'")
    _find(err, record="$.villages[1] (code 35.10.01.2002)", field="location", text="lat_deg")
    _find(err, record="$.villages[2] (code 35.10.15.2012)", field="households", text="12.5")
    # A nested table is the field of its record; the key inside it leads the message.
    _find(err, record="$.backbone[0] (id 35.10.01)", field="location", text="lon_deg: expected a number, got 'far'")
    assert len(err.problems) == 6
    assert str(err).splitlines()[0].endswith("6 problems found")


@pytest.mark.parametrize("fmt", FORMATS)
def test_duplicate_codes_and_unknown_district(tmp_path: Path, region_doc: dict[str, Any], fmt: Format) -> None:
    doc = copy.deepcopy(region_doc)
    doc["villages"][1]["code"] = "35.10.01.2001"
    doc["villages"][2]["district_code"] = "35.10.99"
    doc["villages"][2]["code"] = "35.10.99.2012"
    err = _load_error(tmp_path, doc, fmt)
    _find(err, record="$.villages[1] (code 35.10.01.2001)", field="code", text="duplicate")
    _find(err, record="$.villages[2] (code 35.10.99.2012)", field="district_code", text="'35.10.99'")
    assert len(err.problems) == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_kemendagri_code_disagreeing_with_kind(tmp_path: Path, region_doc: dict[str, Any], fmt: Format) -> None:
    doc = copy.deepcopy(region_doc)
    doc["villages"][2]["kind"] = "kelurahan"  # 35.10.15.2012 is a desa code
    doc["villages"][1]["code"] = "35.10.15.2002"  # district 35.10.01
    err = _load_error(tmp_path, doc, fmt)
    _find(err, record="$.villages[2] (code 35.10.15.2012)", field="kind", text="desa")
    _find(err, record="$.villages[1] (code 35.10.15.2002)", field="code", text="'35.10.01'")
    # The same codes are fine without the Kemendagri checks.
    doc["code_system"] = "free"
    path = tmp_path / f"free.{fmt}"
    path.write_text(_serialise(doc, fmt), encoding="utf-8")
    assert load(path, Region).village("35.10.15.2012").kind is VillageKind.KELURAHAN


@pytest.mark.parametrize("fmt", FORMATS)
def test_kelurahan_with_an_idm_score(tmp_path: Path, region_doc: dict[str, Any], fmt: Format) -> None:
    doc = copy.deepcopy(region_doc)
    doc["villages"][3]["idm"] = {"iks": 0.5, "ike": 0.5, "ikl": 0.5}
    err = _load_error(tmp_path, doc, fmt)
    assert len(err.problems) == 1
    problem = err.problems[0]
    assert problem.record == "$.villages[3] (code 35.10.15.1001)"
    assert "kelurahan" in problem.message
    assert problem.field in ("idm", "kind"), f"the problem names no field: {problem!r}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_idm_score(tmp_path: Path, region_doc: dict[str, Any], fmt: Format) -> None:
    doc = copy.deepcopy(region_doc)
    doc["villages"][0]["idm"]["iks"] = 1.5
    err = _load_error(tmp_path, doc, fmt)
    _find(err, record="$.villages[0] (code 35.10.01.2001)", field="idm", text="iks")


@pytest.mark.parametrize("fmt", FORMATS)
def test_programme_cross_record_errors(tmp_path: Path, programme: Programme, fmt: Format) -> None:
    doc = converter.unstructure(programme)
    doc["services"][0]["pillar"] = "no_such_pillar"
    doc["services"][1]["id"] = doc["services"][2]["id"]
    err = _load_error(tmp_path, doc, fmt, Programme)
    _find(err, record="$.services[0] (id civil_registration)", field="pillar", text="no_such_pillar")
    _find(err, record="$.services[2] (id police_record)", field="id", text="duplicate")


@pytest.mark.parametrize("fmt", FORMATS)
def test_programme_field_errors(tmp_path: Path, programme: Programme, fmt: Format) -> None:
    doc = converter.unstructure(programme)
    doc["services"][7]["adoption_model"] = "logistic"
    doc["technologies"][1]["max_link_km"] = -3.0
    doc["pillars"][0]["idm_dimesion"] = "social"
    err = _load_error(tmp_path, doc, fmt, Programme)
    _find(err, record="$.services[7] (id village_budgeting)", field="adoption_model", text="'bass'")
    assert any(p.record == "$.technologies[1] (id microwave)" and "max_link_km" in str(p) for p in err.problems)
    _find(err, record="$.pillars[0] (id public_services)", field="idm_dimesion", text="did you mean 'idm_dimension'")


def test_invalid_json_syntax(tmp_path: Path) -> None:
    path = tmp_path / "region.json"
    path.write_text('{"code": "35.10",\n  "name": }\n', encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load(path, Region)
    message = str(info.value)
    assert str(path) in message
    assert "not valid JSON" in message
    assert info.value.problems[0].record == "line 2, column 11"


def test_invalid_toml_syntax(tmp_path: Path) -> None:
    path = tmp_path / "region.toml"
    path.write_text('code = "35.10"\nname = [1, 2,,]\n', encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load(path, Region)
    message = str(info.value)
    assert str(path) in message
    assert "not valid TOML" in message
    assert "line 2" in message


def test_hand_written_toml_with_problems(tmp_path: Path) -> None:
    path = tmp_path / "guimaras.toml"
    path.write_text(
        'code = "0607900000"\nname = "Guimaras"\ncountry = "PH"\n\n'
        '[[districts]]\ncode = "0607901000"\nname = "Buenavista"\nlocation = { lat_deg = 10.7, lon_deg = 122.6 }\n\n'
        '[[villages]]\ncode = "0607901001"\nname = "Agsanayan"\nkind = "barangay"\n'
        'district_code = "0607901000"\npopulation = 1851\nlocation = { lat_deg = 10.66, lon_deg = 122.66 }\n\n'
        '[[villages]]\ncode = "0607901002"\nname = "Avila"\nkind = "barangay"\n'
        'district_code = "0607902000"\npopulation = 2875\nlocation = { lat_deg = 10.69, lon_deg = 122.71 }\n',
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as info:
        load(path, Region)
    err = info.value
    _find(err, record="$.villages[1] (code 0607901002)", field="district_code", text="'0607902000'")
    # Fixing it gives the region, codes kept as text with their leading zero.
    path.write_text(path.read_text(encoding="utf-8").replace("0607902000", "0607901000"), encoding="utf-8")
    region = load(path, Region)
    assert [v.code for v in region.villages] == ["0607901001", "0607901002"]
    assert region.village("0607901001").households == round(1851 / 3.9)


def test_loads_names_the_source() -> None:
    with pytest.raises(DataFileError, match=r"^my-upload\.json: 1 problem found"):
        loads("[", Region, source="my-upload.json")
    with pytest.raises(DataFileError, match=r"^<string>: "):
        loads("[", Region)


# =========================================================================== fuzzing the loaders


def _loads_or_library_error(text: str, cls: type[Any], fmt: Format) -> None:
    try:
        obj = loads(text, cls, format=fmt)
    except SmartKampungError:
        return
    assert isinstance(obj, cls)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("cls", [Region, Programme])
@given(text=st.one_of(st.text(), st.text('{}[]",:=.0123456789-eE \n"abc\\tnu', max_size=40)))
def test_fuzz_arbitrary_text(cls: type[Any], fmt: Format, text: str) -> None:
    _loads_or_library_error(text, cls, fmt)


@pytest.mark.parametrize("cls", [Region, Programme])
@given(data=json_values())
def test_fuzz_arbitrary_json_data(cls: type[Any], data: Any) -> None:
    _loads_or_library_error(json.dumps(data), cls, "json")


@pytest.mark.parametrize("cls", [Region, Programme])
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "code",
                "name",
                "country",
                "districts",
                "villages",
                "backbone",
                "code_system",
                "pillars",
                "services",
                "technologies",
                "description",
            ]
        ),
        json_values(max_leaves=8),
        max_size=8,
    )
)
def test_fuzz_json_data_with_the_right_keys(cls: type[Any], data: dict[str, Any]) -> None:
    _loads_or_library_error(json.dumps(data), cls, "json")


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    doc = copy.deepcopy(doc)
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return doc


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("which", ["region", "programme"])
@given(data=st.data())
def test_fuzz_mutated_valid_documents(which: str, fmt: Format, data: st.DataObject) -> None:
    obj = data.draw(regions(max_villages=3) if which == "region" else programmes(max_items=2))
    doc = json.loads(dumps(obj, "json"))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)[1:]))
        value = data.draw(json_values(max_leaves=5).filter(lambda v: fmt == "json" or v is not None))
        doc = _replace(doc, path, value)
    try:
        text = _serialise(doc, fmt)
    except (TypeError, ValueError):  # None inside a TOML array: not a TOML document
        return
    _loads_or_library_error(text, type(obj), fmt)


@pytest.mark.parametrize("cls", [Region, Programme, Location])
@pytest.mark.parametrize("text", ["[1, 2]", "[]", '"region"', "3", "true", "null"])
def test_json_top_level_that_is_not_an_object(cls: type[Any], text: str) -> None:
    with pytest.raises(DataFileError) as info:
        loads(text, cls, source="top.json")
    assert str(info.value).startswith("top.json")


@pytest.mark.parametrize("fmt", FORMATS)
def test_overlong_integer_literal(fmt: Format) -> None:
    digits = "1" * 5000  # above Python's default int-string limit of 4300 digits
    text = f'{{"code": {digits}}}' if fmt == "json" else f"code = {digits}\n"
    with pytest.raises(DataFileError):
        loads(text, Region, format=fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_deeply_nested_document(fmt: Format) -> None:
    depth = 100_000
    text = '{"code": ' + "[" * depth + "]" * depth + "}" if fmt == "json" else "code = " + "[" * depth + "]" * depth
    with pytest.raises(DataFileError):
        loads(text, Region, format=fmt)


# =========================================================================== atomic writes


def test_dump_overwrites_and_leaves_no_temporary_file(
    tmp_path: Path, small_region: Region, programme: Programme
) -> None:
    path = tmp_path / "thing.json"
    dump(small_region, path)
    dump(programme, path)
    assert load(path, Programme) == programme
    assert _files_in(tmp_path) == ["thing.json"]
    assert path.read_text(encoding="utf-8") == dumps(programme, "json")


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_failed_serialisation_leaves_the_old_file(tmp_path: Path, small_region: Region, suffix: str) -> None:
    path = tmp_path / f"region{suffix}"
    dump(small_region, path)
    before = path.read_bytes()
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the serialiser raises
        dump(object(), path)
    with pytest.raises(Exception):  # noqa: B017, PT011
        dump({"a": {1, 2}}, path)  # a set: neither JSON nor TOML can hold it
    assert path.read_bytes() == before
    assert _files_in(tmp_path) == [path.name]


def test_failed_rename_leaves_the_old_file(
    tmp_path: Path, small_region: Region, programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "region.toml"
    dump(small_region, path)
    before = path.read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("simulated failure at the rename")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="simulated"):
        dump(programme, path)
    assert path.read_bytes() == before
    assert _files_in(tmp_path) == ["region.toml"]


def test_failed_write_midway_leaves_the_old_file(
    tmp_path: Path, small_region: Region, programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "region.json"
    dump(small_region, path)
    before = path.read_bytes()
    real_fdopen = os.fdopen
    written: list[int] = []

    class HalfWriter:
        """Writes the first half of what it is given, then fails like a full disk."""

        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, text: str) -> int:
            half = text[: len(text) // 2]
            self.handle.write(half)
            self.handle.flush()
            written.append(len(half))
            raise OSError(28, "No space left on device")

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="No space"):
        dump(programme, path)
    assert written  # a partial temporary file really was written
    assert written[0] > 0
    assert path.read_bytes() == before
    assert _files_in(tmp_path) == ["region.json"]


def test_failed_fsync_leaves_no_file(tmp_path: Path, small_region: Region, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError("simulated fsync failure")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="fsync"):
        dump(small_region, tmp_path / "region.json")
    assert _files_in(tmp_path) == []


def test_atomic_write_text_keeps_text_exactly(tmp_path: Path) -> None:
    text = 'line one\r\nline "two" \\ é 😀\n\x00'
    path = tmp_path / "out.txt"
    atomic_write_text(path, text)
    assert path.read_bytes() == text.encode("utf-8")


def test_atomic_write_text_to_a_bare_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    atomic_write_text("bare.txt", "x")
    assert (tmp_path / "bare.txt").read_text(encoding="utf-8") == "x"
    assert _files_in(tmp_path) == ["bare.txt"]


# =========================================================================== GeoJSON


def test_geojson_structure(small_region: Region) -> None:
    fc = to_geojson(small_region)
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == small_region.n_villages
    for feature, village in zip(fc["features"], small_region.villages, strict=True):
        assert feature["type"] == "Feature"
        assert feature["id"] == village.code
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        assert geometry["coordinates"] == [village.location.lon_deg, village.location.lat_deg]  # [lon, lat]
        props = feature["properties"]
        assert props == {
            "feature": "village",
            "code": village.code,
            "name": village.name,
            "kind": village.kind.value,
            "district_code": village.district_code,
            "population": village.population,
            "households": village.households,
        }
    # Sarongan's centroid: lon 113.90, lat -8.50 (east of Greenwich, south of the equator).
    lon, lat = fc["features"][0]["geometry"]["coordinates"]
    assert lon == pytest.approx(113.90416817381755)
    assert lat == pytest.approx(-8.4983687395895)


def test_geojson_extra_properties_and_nan(small_region: Region) -> None:
    months = np.array([3.0, np.nan, 12.0, np.inf])
    fc = to_geojson(
        small_region,
        properties={
            "connection_month": months,
            "technology": ["fibre", "fibre", "microwave", "satellite"],
            "rank": np.arange(4, dtype=np.int64),
        },
    )
    props = [f["properties"] for f in fc["features"]]
    assert [p["connection_month"] for p in props] == [3.0, None, 12.0, None]
    assert [p["technology"] for p in props] == ["fibre", "fibre", "microwave", "satellite"]
    assert [p["rank"] for p in props] == [0, 1, 2, 3]
    assert all(type(p["rank"]) is int and type(p["connection_month"]) in (float, type(None)) for p in props)
    json.dumps(fc, allow_nan=False)  # plain Python values, no NaN


def test_geojson_network_links(small_region: Region) -> None:
    # Village 0 hangs from the point of presence, 1 and 2 from village 0 and 1; village 3 is not linked.
    network = SimpleNamespace(parent=np.array([-1, 0, 1, -1]), backbone_index=np.array([0, -1, -1, -1]))
    fc = to_geojson(small_region, network=network, link_properties={"length_km": np.array([1.5, np.nan, 2.0, 0.0])})
    kinds = [f["properties"]["feature"] for f in fc["features"]]
    assert kinds == ["village"] * 4 + ["link"] * 3 + ["point_of_presence"]
    links = fc["features"][4:7]
    vs = small_region.villages
    pop = small_region.backbone[0]
    expected = [
        ("35.10.01", [pop.location.lon_deg, pop.location.lat_deg], vs[0], 1.5),
        (vs[0].code, [vs[0].location.lon_deg, vs[0].location.lat_deg], vs[1], None),
        (vs[1].code, [vs[1].location.lon_deg, vs[1].location.lat_deg], vs[2], 2.0),
    ]
    for link, (start_id, start, village, length) in zip(links, expected, strict=True):
        assert link["geometry"]["type"] == "LineString"
        assert link["geometry"]["coordinates"] == [start, [village.location.lon_deg, village.location.lat_deg]]
        assert link["properties"] == {"feature": "link", "to_code": village.code, "from": start_id, "length_km": length}
    pop_feature = fc["features"][7]
    assert pop_feature["geometry"]["coordinates"] == [pop.location.lon_deg, pop.location.lat_deg]
    assert pop_feature["properties"] == {"feature": "point_of_presence", "id": pop.id, "name": pop.name}


@pytest.mark.parametrize("argument", ["properties", "link_properties"])
def test_geojson_wrong_length_properties(small_region: Region, argument: str) -> None:
    with pytest.raises(ParameterError) as info:
        to_geojson(small_region, **{argument: {"x": [1, 2, 3]}})  # type: ignore[arg-type]
    assert info.value.parameter == argument
    assert "'x'" in str(info.value)
    assert "3" in str(info.value)
    assert "4" in str(info.value)


def test_geojson_wrong_network_shape(small_region: Region) -> None:
    network = SimpleNamespace(parent=np.array([-1, 0]), backbone_index=np.array([0, -1]))
    with pytest.raises(ParameterError) as info:
        to_geojson(small_region, network=network)
    assert info.value.parameter == "network"


def test_write_geojson_is_valid_json(tmp_path: Path, small_region: Region) -> None:
    network = SimpleNamespace(parent=[-1, 0, 0, 2], backbone_index=[0, -1, -1, -1])
    fc = to_geojson(small_region, properties={"score": [np.nan, 1.0, np.float64(2.5), -np.inf]}, network=network)
    path = tmp_path / "map.geojson"
    write_geojson(fc, path)
    text = path.read_text(encoding="utf-8")
    back = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert back == fc
    assert back["features"][0]["properties"]["score"] is None
    assert "Kampunganyar" in text
    assert _files_in(tmp_path) == ["map.geojson"]


@given(region=regions(max_villages=5))
def test_geojson_of_generated_regions(region: Region) -> None:
    fc = to_geojson(
        region.with_district_backbone(),
        network=SimpleNamespace(
            parent=np.full(region.n_villages, -1), backbone_index=np.zeros(region.n_villages, dtype=int)
        ),
    )
    json.loads(json.dumps(fc, allow_nan=False))
    points = [f for f in fc["features"] if f["properties"]["feature"] == "village"]
    links = [f for f in fc["features"] if f["properties"]["feature"] == "link"]
    pops = [f for f in fc["features"] if f["properties"]["feature"] == "point_of_presence"]
    assert len(points) == region.n_villages
    assert len(links) == region.n_villages  # every village hangs from district 0's office
    assert len(pops) == len(region.districts)
    for f, v in zip(points, region.villages, strict=True):
        assert f["geometry"]["coordinates"] == [v.location.lon_deg, v.location.lat_deg]


def test_scenario_may_name_its_programme_file(tmp_path: Path) -> None:
    # A city keeps one programme file for several scenarios: programme = "programme.toml".
    from smartkampung.datasets import banyuwangi_scenario
    from smartkampung.io import dumps, load
    from smartkampung.io._converter import unstructure
    from smartkampung.io._toml import toml_dumps
    from smartkampung.model import Scenario

    scenario = banyuwangi_scenario()
    (tmp_path / "programme.toml").write_text(dumps(scenario.programme, "toml"), encoding="utf-8")
    document = unstructure(scenario)
    document["programme"] = "programme.toml"
    (tmp_path / "scenario.toml").write_text(toml_dumps(document), encoding="utf-8")
    assert load(tmp_path / "scenario.toml", Scenario) == scenario


def test_a_bad_programme_file_is_named_in_the_error(tmp_path: Path) -> None:
    from smartkampung.datasets import banyuwangi_scenario
    from smartkampung.io import load
    from smartkampung.io._converter import unstructure
    from smartkampung.io._toml import toml_dumps
    from smartkampung.model import Scenario

    scenario = banyuwangi_scenario()
    programme = unstructure(scenario.programme)
    programme["services"][1]["pillar"] = "space_programme"
    (tmp_path / "programme.toml").write_text(toml_dumps(programme), encoding="utf-8")
    document = unstructure(scenario)
    document["programme"] = "programme.toml"
    (tmp_path / "scenario.toml").write_text(toml_dumps(document), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load(tmp_path / "scenario.toml", Scenario)
    # The error is the scenario's; the problem names the programme file it is in.
    assert info.value.source.endswith("scenario.toml")
    assert [(p.record, p.field) for p in info.value.problems] == [("$.services[1] (id poverty_declaration)", "pillar")]
    assert info.value.problems[0].source == str(tmp_path / "programme.toml")
    assert f"{tmp_path / 'programme.toml'}: $.services[1]" in str(info.value)

    document["programme"] = "missing.toml"
    (tmp_path / "scenario.toml").write_text(toml_dumps(document), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"missing\.toml"):
        load(tmp_path / "scenario.toml", Scenario)
