"""Issue 12, class 4: every problem of every file, in one run.

Class-level checks run even when a field of an item fails; a bad programme
file does not hide the scenario's own problems; structure errors, value
errors and unknown keys of one table are reported together.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smartkampung import DataFileError, Programme, Region, Scenario
from smartkampung.cli import main
from smartkampung.datasets import banyuwangi_scenario
from smartkampung.io import converter, dumps, load, loads
from smartkampung.io._toml import toml_dumps


def where(err: DataFileError) -> set[tuple[str | None, str | None]]:
    return {(p.record, p.field) for p in err.problems}


def programme_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(dumps(banyuwangi_scenario().programme))
    return doc


def test_class_checks_run_when_a_field_of_an_item_fails() -> None:
    doc = programme_doc()
    doc["services"][0]["p_innovation"] = -1.0  # a field of one service fails its validator...
    doc["services"][2]["pillar"] = "space_programme"  # ...and the programme's own check finds another
    doc["services"][3]["id"] = doc["services"][1]["id"]  # ...and a duplicate id
    doc["services"][4]["q_imitation"] = "fast"  # ...and a field that does not structure
    with pytest.raises(DataFileError) as info:
        loads(json.dumps(doc), Programme)
    found = where(info.value)
    assert ("$.services[0] (id civil_registration)", "p_innovation") in found
    assert ("$.services[2] (id police_record)", "pillar") in found
    assert ("$.services[3] (id poverty_declaration)", "id") in found
    assert ("$.services[4] (id posyandu_records)", "q_imitation") in found
    assert len(info.value.problems) == 4


def test_a_region_reports_bad_villages_and_duplicate_codes_together(small_region: Region) -> None:
    doc = converter.unstructure(small_region)
    doc["villages"][0]["population"] = "many"
    doc["villages"][2]["code"] = doc["villages"][1]["code"]
    doc["villages"][3]["district_code"] = "35.10.99"
    with pytest.raises(DataFileError) as info:
        loads(json.dumps(doc), Region)
    found = where(info.value)
    assert ("$.villages[0] (code 35.10.01.2001)", "population") in found  # a field that does not structure
    assert ("$.villages[2] (code 35.10.01.2002)", "code") in found  # the region's duplicate check
    assert ("$.villages[3] (code 35.10.15.1001)", "district_code") in found  # ... and its district check


def test_a_bad_programme_file_does_not_hide_the_scenarios_own_problems(tmp_path: Path) -> None:
    programme = programme_doc()
    programme["services"][1]["lag_months"] = -3
    (tmp_path / "programme.toml").write_text(toml_dumps(programme), encoding="utf-8")
    scenario = json.loads(dumps(banyuwangi_scenario()))
    scenario["programme"] = "programme.toml"
    scenario["horizon_months"] = 0
    scenario["rollout"]["polcy"] = "population"
    (tmp_path / "scenario.toml").write_text(toml_dumps(scenario), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load(tmp_path / "scenario.toml", Scenario)
    err = info.value
    sources = {p.source for p in err.problems}
    assert sources == {str(tmp_path / "programme.toml"), None}
    assert ("$", "horizon_months") in where(err)
    assert any(p.field == "polcy" for p in err.problems)
    assert any(p.field == "lag_months" and p.source for p in err.problems)


def test_unknown_keys_and_bad_values_of_one_table_in_one_pass() -> None:
    text = dumps(banyuwangi_scenario(), "toml").replace(
        "[rollout]\n", '[rollout]\nroute_fator = 1.2\nroute_factor = 0.5\nbuild_km_per_month = "x"\n', 1
    )
    text = text.replace("route_factor = 1.3\n", "", 1)
    with pytest.raises(DataFileError) as info:
        loads(text, Scenario, format="toml")
    messages = [str(p) for p in info.value.problems]
    assert any("'route_fator'" in m and "unknown key" in m for m in messages), messages
    assert any("route_factor must be" in m for m in messages), messages
    assert any("build_km_per_month" in m for m in messages), messages


def test_validate_lists_every_problem_of_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "villages.csv").write_text(
        "code,name,district_code,lat,lon,population\nA1,Alpha,D1,10.6,122.5,lots\nA2,Beta,D1,91,122.5,10\n",
        encoding="utf-8",
    )
    programme = programme_doc()
    programme["services"][0]["market_share"] = 2.0
    (tmp_path / "programme.toml").write_text(toml_dumps(programme), encoding="utf-8")
    # The scenario's own problems, its programme file's and its village file's, all listed.
    (tmp_path / "scenario.toml").write_text(
        'name = "t"\nprogramme = "programme.toml"\nhorizon_months = -1\n\n'
        '[region]\ncsv = "villages.csv"\ncode = "X"\nname = "Y"\ncountry = "PH"\n',
        encoding="utf-8",
    )
    (tmp_path / "other.toml").write_text('name = "t"\n\n[region]\nbuiltin = "atlantis"\n', encoding="utf-8")
    code = main(
        [
            "validate",
            str(tmp_path / "scenario.toml"),
            str(tmp_path / "other.toml"),
            str(tmp_path / "programme.toml"),
            str(tmp_path / "villages.csv"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert f"{tmp_path / 'scenario.toml'}: 4 problems" in out
    assert "horizon_months" in out
    assert f"{tmp_path / 'programme.toml'}: $.services[0]" in out
    assert f"{tmp_path / 'villages.csv'}: row 2 (code A1)" in out
    assert f"{tmp_path / 'villages.csv'}: row 3 (code A2)" in out
    assert f"{tmp_path / 'other.toml'}: 1 problem" in out
    assert "atlantis" in out
    assert f"{tmp_path / 'programme.toml'}: 1 problem" in out
    assert f"{tmp_path / 'villages.csv'}: 2 problems" in out


def test_validate_runs_the_checks_simulate_makes_before_its_first_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # initially_connected larger than the region is refused by simulate before any run: validate says so.
    scenario = json.loads(dumps(banyuwangi_scenario()))
    scenario["rollout"]["initially_connected"] = 5000
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    assert "initially_connected" in capsys.readouterr().out
