"""Issue 12, class 9: messages on the command line point to command-line options.

The same problem is worded for the API (``columns={...}``) when the API is
called and for the CLI (``--columns file=ours``) when the CLI is; the CSV
options exist wherever a CSV is read; one problem of a whole file is one
message; a file's content is quoted only as a short excerpt.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import smartkampung
from smartkampung import DataFileError
from smartkampung.cli import main
from smartkampung.datasets import data_path
from smartkampung.io import read_villages_csv

HEADER = "code,name,district_code,lat,lon,population\n"
KW = {"region_code": "R", "region_name": "R", "country": "PH"}
DataWarning = getattr(smartkampung, "DataWarning", UserWarning)  # new with issue 12


def api_problems(path: Path, **kwargs: object) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        with pytest.raises(DataFileError) as info:
            read_villages_csv(path, **{**KW, **kwargs})  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


def test_hints_name_the_options_of_the_caller(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "v.csv"
    path.write_text("code,name,district_code,latitude,longitude,population\n01,A,D,10,122,5\n", encoding="utf-8")
    (api,) = api_problems(path)
    assert "columns={our_name: file_name}" in api
    assert main(["validate", str(path)]) == 1
    cli = capsys.readouterr().out
    assert "--columns file_name=our_name" in cli
    assert "columns={" not in cli
    assert main(["validate", str(path), "--columns", "latitude=lat,longitude=lon"]) == 0
    assert f"{path}: ok" in capsys.readouterr().out


def test_decimal_commas_in_a_comma_file_are_one_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = "".join(f"v{i},Village {i},D,-8,{i % 10},114,{i % 7},{100 + i}\n" for i in range(133))
    path = tmp_path / "v.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: 1 problem" in out
    assert "133 of 133 rows have more cells than the header" in out
    assert "--delimiter ';' --decimal ','" in out
    # Saved with semicolons, as the message says, the same data reads.
    path.write_text(
        HEADER.replace(",", ";")
        + "".join(f"v{i};Village {i};D;-8,{i % 10};114,{i % 7};{100 + i}\n" for i in range(133)),
        encoding="utf-8",
    )
    assert main(["validate", str(path), "--delimiter", ";", "--decimal", ","]) == 0


def test_init_needs_a_region_name_when_the_file_name_says_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "villages.csv"
    source.write_bytes(data_path("guimaras_villages.csv").read_bytes())
    assert main(["init", str(tmp_path / "a"), "--from-csv", str(source), "--country", "PH"]) == 2
    err = capsys.readouterr().err
    assert "--code and --name" in err
    assert "'villages.csv' does not say which region" in err
    assert not (tmp_path / "a").exists()
    # Kemendagri district codes give the regency's code; a telling file name gives the name.
    kab = tmp_path / "kabupaten_banyuwangi.csv"
    kab.write_text(
        HEADER + "35.10.01.2001,Sarongan,35.10.01,-8.498,113.904,5613\n"
        "35.10.02.2001,Kandangan,35.10.02,-8.55,114.0,3000\n",
        encoding="utf-8",
    )
    assert main(["init", str(tmp_path / "b"), "--from-csv", str(kab)]) == 0
    capsys.readouterr()
    from smartkampung import Scenario
    from smartkampung.io import load

    region = load(tmp_path / "b" / "scenario.toml", Scenario).region
    assert (region.code, region.name) == ("35.10", "Kabupaten Banyuwangi")


def test_init_takes_the_csv_options_and_writes_a_standard_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "guimaras.csv"
    source.write_text(
        "psgc;barangay;mun;lat;lon;pop\n0607901001;Agsanayan;0607901000;10,66;122,656;1.851\n"
        "0607901002;Avila;0607901000;10,68;122,64;2.005\n",
        encoding="utf-8",
    )
    assert (
        main(
            [
                "init",
                str(tmp_path / "city"),
                "--from-csv",
                str(source),
                "--country",
                "PH",
                "--code",
                "G",
                "--columns",
                "psgc=code",
                "--columns",
                "barangay=name,mun=district_code,pop=population",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "rewritten with the standard columns" in out
    table = (tmp_path / "city" / "villages.csv").read_text(encoding="utf-8")
    assert table.splitlines()[0].startswith("code,name,kind,district_code")
    # PH's usual village kind, and households from its census household size (4.1 persons): 1851 / 4.1
    assert "0607901001,Agsanayan,barangay,0607901000,0607901000,10.66,122.656,1851,451," in table
    assert main(["validate", str(tmp_path / "city" / "scenario.toml")]) == 0


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["simulate", "--runs", "100001"], "at most 100,000"),
        (["simulate", "--out", ""], "empty name"),
        (["plan", "--out", " "], "empty name"),
        (["init", ""], "empty name"),
        (["validate", "x.csv", "--delimiter", "::"], "',', ';', tab or '|'"),
        (["validate", "x.csv", "--columns", "latitude"], "FILE_NAME=OUR_NAME"),
        (["validate", "x.csv", "--columns", "latitude=lattitude"], "not one of our columns"),
    ],
)
def test_bad_options_say_what_is_allowed(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code  # type: ignore[assignment]
    assert code == 2
    assert says in capsys.readouterr().err


def test_runs_whose_results_do_not_fit_are_refused_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "long.toml"
    scenario.write_text('name = "t"\nhorizon_months = 1200\n\n[region]\nbuiltin = "guimaras"\n', encoding="utf-8")
    assert main(["simulate", str(scenario), "--runs", "100000", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "GiB of monthly results" in err
    assert not (tmp_path / "o").exists()


def test_messages_quote_only_an_excerpt_of_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "v.csv"
    path.write_text(HEADER + f"a,A,D,10,122,{'9x' * 50_000}\n", encoding="utf-8")
    toml = tmp_path / "s.toml"
    toml.write_text(
        f'name = "t"\n{"k" * 100_000} = 1\nhorizon_months = "{"y" * 100_000}"\n\n[region]\nbuiltin = "banyuwangi"\n',
        encoding="utf-8",
    )
    assert main(["validate", str(path), str(toml)]) == 1
    out = capsys.readouterr().out
    assert len(out) < 3000, len(out)
    assert "..." in out
