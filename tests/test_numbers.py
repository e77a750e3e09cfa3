"""Issue 12, class 8: numbers and text are read as users mean them, or refused with a hint.

The number convention (decimal mark, thousands separator) is detected per
file and said; a cell two conventions read differently is refused.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import attrs
import pytest

import smartkampung
from smartkampung import DataFileError, Scenario, Village
from smartkampung.datasets import banyuwangi_scenario
from smartkampung.io import loads, read_villages_csv

DataWarning = getattr(smartkampung, "DataWarning", UserWarning)  # new with issue 12


def NumberFormat(*args: object, **kwargs: object) -> object:  # the class, looked up when used
    from smartkampung.io._csv import NumberFormat as cls

    return cls(*args, **kwargs)  # type: ignore[arg-type]


KW = {"region_code": "35.10", "region_name": "B", "country": "ID"}
HEADER = "code,name,district_code,lat,lon,population\n"


def read(path: Path, **kwargs: object) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always", DataWarning)
        try:
            result: object = read_villages_csv(path, **{**KW, **kwargs})  # type: ignore[arg-type]
        except DataFileError as exc:
            result = exc
    return result, [str(w.message) for w in record]


def test_an_indonesian_spreadsheet_is_read_as_meant_and_said(tmp_path: Path) -> None:
    # Semicolons between cells, decimal commas, dots between thousands: "3.000" people is 3,000.
    path = tmp_path / "desa.csv"
    path.write_text(
        "code;name;district_code;lat;lon;population\n"
        "35.10.01.2001;Sarongan;35.10.01;-8,4983;113,9041;5.613\n"
        "35.10.01.2002;Pesanggaran;35.10.01;-8,5878;114,0918;14.074\n"
        "35.10.01.2003;Kandangan;35.10.01;-8,55;114,0;3.000\n",
        encoding="utf-8",
    )
    region, said = read(path)
    assert not isinstance(region, DataFileError), region
    assert [v.population for v in region.villages] == [5613, 14074, 3000]  # type: ignore[attr-defined]
    assert region.villages[0].location.lat_deg == -8.4983  # type: ignore[attr-defined]
    assert said == [
        f"{path}: read with ';' between cells; decimal comma, '.' between thousands (detected from "
        "the file; set them with delimiter= and decimal= if that is wrong)"
    ]


def test_a_dot_that_could_be_either_is_refused_with_a_hint(tmp_path: Path) -> None:
    # Decimal points in the coordinates, then "3.000" people: 3 or 3,000? And "1.787" is no count.
    path = tmp_path / "v.csv"
    path.write_text(
        HEADER + "a,A,D,-8.5,114.1,3.000\nb,B,D,-8.6,114.2,1.787\nc,C,D,-8.6,114.2,1500\n", encoding="utf-8"
    )
    error, _ = read(path)
    assert isinstance(error, DataFileError)
    messages = [str(p) for p in error.problems]
    assert len(messages) == 2
    assert "'3.000' could be 3,000 or 3" in messages[0]
    assert "decimal=','" in messages[0]
    assert "'1.787' is not a whole number" in messages[1]
    assert "if '.' separates thousands" in messages[1]
    # Said explicitly, it is read that way.
    region, _ = read(path, decimal=".")
    assert isinstance(region, DataFileError)  # 1.787 people is still no count
    path.write_text(HEADER + "a,A,D,-8.5,114.1,3.000\nc,C,D,-8.6,114.2,1500\n", encoding="utf-8")
    region, _ = read(path, decimal=".")
    assert [v.population for v in region.villages] == [3, 1500]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("1_000", "without '_'"),
        ("\u0663\u0660\u0660", "digits other than 0-9"),
        ("\uff13\uff10", "digits other than"),
        ("1e400", "far too large"),
        ("inf", "must be finite"),
        ("nan", "must be finite"),
        ("0x10", "is not a number"),
        (" 12 ", None),
        ("1,234", None),
        ("1 234", None),
        ("1\u00a0234", None),
        ("5613.0", None),
        ("1.5e3", None),
    ],
)
def test_count_cells(cell: str, says: str | None) -> None:
    value = NumberFormat(
        ".", thousands="," if "," in cell else (" " if cell.strip()[1:2] in " \u00a0" else None)
    ).count(cell)  # type: ignore[attr-defined]
    if says is None:
        assert isinstance(value, int), value
    else:
        assert isinstance(value, str)
        assert says in value


def test_whole_numbers_beyond_2_53_keep_every_digit(tmp_path: Path) -> None:
    assert NumberFormat().count("9007199254740993") == 2**53 + 1  # type: ignore[attr-defined]  # float(): ...992
    # In documents, a float is no exact integer beyond 2**53: refused, not rounded.
    doc = json.loads(
        '{"code": "a", "name": "A", "kind": "desa", "district_code": "d", '
        '"location": {"lat_deg": 0, "lon_deg": 0}, "population": 10}'
    )
    doc["population_year"] = 1e17  # a float: 10**17 or 10**17 + 1?
    with pytest.raises(DataFileError, match="not exact beyond 2\\*\\*53"):
        loads(json.dumps(doc), Village)


@pytest.mark.parametrize(
    "start", ["2016-06\n", "\u0662\u0660\u0661\u0666-06", "2016-\u0660\u0666", "0000-01", "2016-6", " 2016-06"]
)
def test_the_month_pattern_means_ascii_yyyy_mm(start: str) -> None:
    with pytest.raises(ValueError, match="start"):
        attrs.evolve(banyuwangi_scenario(), start=start)


def test_kemendagri_codes_are_ascii_digits_only() -> None:
    from smartkampung.model import KEMENDAGRI_VILLAGE_CODE

    assert KEMENDAGRI_VILLAGE_CODE.match("35.10.01.2001")
    assert not KEMENDAGRI_VILLAGE_CODE.match("\u0663\u0665.10.01.2001")
    assert not KEMENDAGRI_VILLAGE_CODE.match("35.10.01.2001\n")


def test_underscores_and_foreign_digits_in_documents_stay_text() -> None:
    # JSON and TOML have their own number syntax; a quoted "1_000" is text, and text is not a number.
    doc = json.loads(__import__("smartkampung.io", fromlist=["dumps"]).dumps(banyuwangi_scenario()))
    doc["horizon_months"] = "1_000"
    with pytest.raises(DataFileError, match="horizon_months"):
        loads(json.dumps(doc), Scenario)
