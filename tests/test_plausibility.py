"""Issue 12, class 6: impossible data is refused, suspicious data is named in a warning.

Refused: population 0 (unless said so), households above population, a
village thousands of km from the rest of its district, a region with no
villages. Warned, naming the village: a village far outside its district's
or region's cloud of points, a population far from its neighbours'.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from pathlib import Path

import pytest

import smartkampung
from smartkampung import DataFileError, Location, Region, Village, VillageKind, datasets
from smartkampung.cli import main
from smartkampung.io import read_villages_csv

# Warnings and the checks are new with issue 12; looked up when used, so that the refusals below
# can be run against older versions too.
DataWarning = getattr(smartkampung, "DataWarning", UserWarning)


def region_checks(region: Region) -> tuple[list[smartkampung.Problem], list[smartkampung.Problem]]:
    from smartkampung.io import region_checks as checks

    return checks(region)  # type: ignore[no-any-return]


KW = {"region_code": "0607900000", "region_name": "Guimaras", "country": "PH"}


def guimaras_rows() -> tuple[list[str], list[list[str]]]:
    with datasets.data_path("guimaras_villages.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def problems_of(path: Path, **kwargs: object) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        with pytest.raises(DataFileError) as info:
            read_villages_csv(path, **{**KW, **kwargs})  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


def test_population_zero_only_if_said_so(tmp_path: Path) -> None:
    header, rows = guimaras_rows()
    rows[3][header.index("population")] = "0"
    path = write_rows(tmp_path / "v.csv", header, rows)
    (problem,) = problems_of(path)
    assert problem.startswith(f"row 5 (code {rows[3][0]}), field 'population': is 0")
    assert "allow_zero_population=True" in problem
    region = read_villages_csv(path, allow_zero_population=True, **KW)  # type: ignore[arg-type]
    assert region.village(rows[3][0]).population == 0


def test_households_above_population_are_refused(tmp_path: Path) -> None:
    header, rows = guimaras_rows()
    header.append("households")
    for row in rows:
        row.append("")
    rows[1][-1] = str(int(rows[1][header.index("population")]) + 1)
    (problem,) = problems_of(write_rows(tmp_path / "v.csv", header, rows))
    assert f"row 3 (code {rows[1][0]}), field 'households'" in problem
    assert "cannot live in a village of" in problem
    with pytest.raises(ValueError, match="households"):
        Village("a", "A", VillageKind.DESA, "d", Location(0, 0), population=3, households=4)


@pytest.mark.parametrize("mistake", ["sign", "swap"])
def test_a_village_thousands_of_km_from_its_district_is_refused(tmp_path: Path, mistake: str) -> None:
    header, rows = guimaras_rows()
    lat, lon = header.index("lat"), header.index("lon")
    if mistake == "sign":  # 10.6 N written as 10.6 S: 2,370 km away
        rows[4][lat] = str(-float(rows[4][lat]))
    else:  # swapped latitude and longitude give 122.6 N, off the map; a smaller swap stays on it
        rows[4][lat], rows[4][lon] = rows[4][lon][:2], rows[4][lat]
    (problem,) = problems_of(write_rows(tmp_path / "v.csv", header, rows))
    assert problem.startswith(f"row 6 (code {rows[4][0]}), field 'lat'") or "outside" in problem
    if mistake == "sign":
        assert "km from the nearest other village of district" in problem
        assert "sign error" in problem


def test_a_region_without_villages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    region = Region("R", "R", "PH", districts=(), villages=())
    errors, _ = region_checks(region)
    assert [str(p) for p in errors] == ["the region has no villages"]
    from smartkampung.io import dump

    dump(region, tmp_path / "empty.json")
    assert main(["validate", str(tmp_path / "empty.json")]) == 1
    assert "the region has no villages" in capsys.readouterr().out


def test_suspicious_values_are_warned_about_by_village_code(tmp_path: Path) -> None:
    header, rows = guimaras_rows()
    lat, pop = header.index("lat"), header.index("population")
    rows[9][lat] = str(float(rows[9][lat]) + 1.5)  # 170 km north: far outside its municipality's cloud
    rows[20][pop] = rows[20][pop] + "000"  # three zeros too many
    path = write_rows(tmp_path / "v.csv", header, rows)
    with pytest.warns(DataWarning) as record:
        region = read_villages_csv(path, **KW)  # type: ignore[arg-type]
    assert region.n_villages == 98  # possible, so read
    texts = sorted(str(w.message) for w in record)
    assert len(texts) == 2, texts
    location = next(w.message for w in record if "centre of district" in str(w.message))
    assert isinstance(location, DataWarning)
    assert location.problem.record == f"row 11 (code {rows[9][0]})"
    assert location.kind == "location"
    population = next(w.message for w in record if "nearest villages" in str(w.message))
    assert isinstance(population, DataWarning)
    assert population.problem.record == f"row 22 (code {rows[20][0]})"
    assert "1,000 times above" in str(population) or "times above the median" in str(population)


def test_validate_prints_warnings_and_simulate_prints_them_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = guimaras_rows()
    rows[20][header.index("population")] += "000"
    write_rows(tmp_path / "villages.csv", header, rows)
    assert main(["validate", str(tmp_path / "villages.csv")]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'villages.csv'}: ok, 1 warning" in out
    assert f"  ! row 22 (code {rows[20][0]}), field 'population'" in out
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(
        'name = "t"\nhorizon_months = 6\n\n[region]\ncsv = "villages.csv"\ncode = "G"\nname = "G"\ncountry = "PH"\n',
        encoding="utf-8",
    )
    assert main(["validate", str(scenario)]) == 0
    assert f"  ! {tmp_path / 'villages.csv'}: row 22" in capsys.readouterr().out
    assert main(["simulate", str(scenario), "--runs", "1", "--out", str(tmp_path / "o"), "--no-plots", "-q"]) == 0
    err = capsys.readouterr().err
    assert err.count(f"row 22 (code {rows[20][0]})") == 1, err
    assert err.startswith("smartkampung: warning: ")


@pytest.mark.parametrize(
    "region",
    [datasets.banyuwangi, datasets.guimaras, lambda: datasets.synthetic_region(3000, seed=7)],
    ids=["banyuwangi", "guimaras", "synthetic"],
)
def test_real_and_synthetic_regions_raise_no_warning(region: object) -> None:
    errors, notes = region_checks(region())  # type: ignore[operator]
    assert errors == []
    assert notes == []


def test_the_checks_name_what_they_flag_in_a_made_up_region() -> None:
    base = datasets.synthetic_region(400, seed=2)
    villages = list(base.villages)
    v = villages[10]
    villages[10] = Village(
        v.code, v.name, v.kind, v.district_code, Location(-v.location.lat_deg, v.location.lon_deg), v.population
    )  # a sign error
    villages[11] = Village(
        villages[11].code,
        "Null island",
        VillageKind.DESA,
        villages[11].district_code,
        Location(0.0, 0.0),
        villages[11].population,
    )
    region = Region(base.code, base.name, base.country, base.districts, tuple(villages))
    errors, notes = region_checks(region)
    assert [p.record for p in errors] == [f"villages[10] (code {v.code})", f"villages[11] (code {villages[11].code})"]
    assert any("lat 0, lon 0" in p.message for p in notes)
    distance = float(errors[0].message.split(" km")[0].replace("is ", "").replace(",", ""))
    assert math.isclose(distance, 2 * 111.2 * abs(v.location.lat_deg), rel_tol=0.1)
