"""Messages for the mistakes new users make (found by trying the package as one)."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pytest

from smartkampung import DataFileError, DataWarning, ParameterError, datasets
from smartkampung.cli import main
from smartkampung.io import read_villages_csv
from smartkampung.model import Scenario, VillageKind
from smartkampung.sim import plan_network, schedule_rollout

KW = {"region_code": "R", "region_name": "R", "country": "PH"}
HEADER = "code,name,district_code,lat,lon,population\n"


def _problems(path: Path, **kwargs: object) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # the detected number convention, said with the problems
        with pytest.raises(DataFileError) as info:
            read_villages_csv(path, **{**KW, **kwargs})  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


def test_misspelt_column_gets_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text("code,name,district_code,lat,lon,popualtion\n01,A,D,10,122,5\n", encoding="utf-8")
    (problem,) = _problems(path)
    assert "missing column 'population'" in problem
    assert "did you mean 'popualtion' for 'population'?" in problem
    assert "columns=" in problem


def test_semicolon_separated_file_is_detected_and_said(tmp_path: Path) -> None:
    # The delimiter is detected from the header, and the reader says which it used.
    path = tmp_path / "v.csv"
    path.write_text("code;name;district_code;lat;lon;population\n01;A;D;10;122;5\n", encoding="utf-8")
    with pytest.warns(DataWarning, match="';' between cells") as record:
        assert read_villages_csv(path, **KW).n_villages == 1  # type: ignore[arg-type]
    assert "delimiter=" in str(record[0].message)
    # Said explicitly, nothing is detected and nothing said.
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        assert read_villages_csv(path, delimiter=";", **KW).n_villages == 1  # type: ignore[arg-type]
    # A header that no delimiter splits into the expected columns: the hint names the option.
    path.write_text("code:name:district_code:lat:lon:population\n01:A:D:10:122:5\n", encoding="utf-8")
    (problem,) = _problems(path)
    assert "missing columns" in problem


def test_decimal_comma_and_empty_cells(tmp_path: Path) -> None:
    # Points are this file's decimal mark (two of three coordinates), so "10,5" is refused with the
    # option that would read it, and "2,310" people is 2,310: ',' separates thousands.
    path = tmp_path / "v.csv"
    path.write_text(HEADER + '01,A,D,"10,5",122,5\n02,B,D,10.6,122,\n03,C,D,10.7,122.1,"2,310"\n', encoding="utf-8")
    problems = _problems(path)
    assert any("row 2 (code 01)" in p and "'lat'" in p and "write 10.5" in p and "decimal=','" in p for p in problems)
    assert any(
        "row 3 (code 02)" in p and "'population'" in p and "is empty (a value is required)" in p for p in problems
    )
    assert len(problems) == 2
    path.write_text(HEADER + '02,B,D,10.6,122,7\n03,C,D,10.7,122.1,"2,310"\n', encoding="utf-8")
    with pytest.warns(DataWarning, match="',' between thousands"):
        region = read_villages_csv(path, **KW)  # type: ignore[arg-type]
    assert region.village("03").population == 2310


def test_unquoted_decimal_comma_names_the_row_and_code(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(HEADER + "01,A,D,10,5,122,5\n", encoding="utf-8")
    (problem,) = _problems(path)
    assert problem.startswith("row 2 (code 01): has 7 cells but the header has 6")
    assert "decimal comma" in problem


def test_a_header_alone_is_not_a_region(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(HEADER, encoding="utf-8")
    assert _problems(path) == ["the file has a header but no villages"]


def test_default_kind_may_be_text() -> None:
    region = read_villages_csv(datasets.data_path("guimaras_villages.csv"), default_kind="barangay", **KW)  # type: ignore[arg-type]
    assert {v.kind for v in region.villages} == {VillageKind.BARANGAY}
    with pytest.raises(ParameterError) as info:
        read_villages_csv(datasets.data_path("guimaras_villages.csv"), default_kind="hamlet", **KW)  # type: ignore[arg-type]
    assert info.value.parameter == "default_kind"


def test_a_quoted_number_in_a_scenario_says_remove_the_quotes(tmp_path: Path) -> None:
    from smartkampung.io import dumps, load

    text = dumps(datasets.banyuwangi_scenario(), "toml")
    text = text.replace("[rollout]\n", '[rollout]\nbuild_km_per_month = "12.5"\n', 1)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load(path, Scenario)
    assert any("'12.5' (remove the quotes)" in str(p) for p in info.value.problems), str(info.value)


def test_schedule_rollout_names_its_own_arguments() -> None:
    plan = plan_network(datasets.banyuwangi(), technology_choice=False)
    with pytest.raises(ParameterError) as info:
        schedule_rollout(plan, budget_per_month=1e9, n_months=12, policy="populaton")
    assert info.value.parameter == "policy"
    assert info.value.function == "schedule_rollout"
    with pytest.raises(ParameterError) as info:
        schedule_rollout(plan, budget_per_month="1e9", n_months=12)  # type: ignore[arg-type]
    assert info.value.parameter == "budget_per_month"


def test_simulate_given_a_village_csv_points_to_init(capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = datasets.data_path("guimaras_villages.csv")
    assert main(["simulate", str(csv_path), "--runs", "1", "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert "not a scenario" in err
    assert "init" in err
    assert "Traceback" not in err


def test_csv_outputs_keep_full_precision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    assert main(["simulate", "--runs", "2", "--out", str(out), "--no-plots", "-q"]) == 0
    with (out / "monthly.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    people = [r for r in rows if r[1] == "people_connected" and r[0] == "2026-05"]
    assert people[0][3] == "1556078"  # the census total, not 1.55608e+06
    capsys.readouterr()


def test_a_scenario_csv_that_is_not_found_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from smartkampung import simulate
    from smartkampung.model import RegionSource

    scenario = Scenario(name="x", region=RegionSource(csv="villages.csv", code="R", name="R", country="PH"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataFileError) as info:
        simulate(scenario, runs=1)
    message = str(info.value)
    assert str(tmp_path / "villages.csv") in message
    assert "base_dir=" in message


def test_district_centre_across_the_antimeridian(tmp_path: Path) -> None:
    # Two villages either side of longitude 180 make a district near 180, not near 0.
    path = tmp_path / "v.csv"
    path.write_text(HEADER + "a,A,D,-17.0,179.9,10\nb,B,D,-17.0,-179.9,10\n", encoding="utf-8")
    location = read_villages_csv(path, **KW).district("D").location  # type: ignore[arg-type]
    assert abs(abs(location.lon_deg) - 180.0) < 1e-9


def test_repeated_header_column_and_bad_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text("code,name,district_code,lat,lon,population,population\n01,A,D,10,122,100,5\n", encoding="utf-8")
    assert any("'population' appear more than once" in p for p in _problems(path))
    with pytest.raises(ParameterError) as info:
        read_villages_csv(path, delimiter=";;", **KW)  # type: ignore[arg-type]
    assert info.value.parameter == "delimiter"


def test_init_checks_everything_before_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    city = tmp_path / "city"
    city.mkdir()
    (city / "programme.toml").write_text("# mine\n", encoding="utf-8")
    csv_path = datasets.data_path("guimaras_villages.csv")
    assert main(["init", str(city), "--from-csv", str(csv_path), "--country", "PH"]) == 2
    assert sorted(p.name for p in city.iterdir()) == ["programme.toml"]  # nothing copied or written
    assert "programme.toml exists" in capsys.readouterr().err
    # Options about a CSV make no sense without one; --start applies to the Banyuwangi scenario too.
    assert main(["init", str(tmp_path / "b"), "--country", "PH"]) == 2
    assert main(["init", str(tmp_path / "c"), "--start", "2026-13"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "d"), "--start", "2030-01"]) == 0
    from smartkampung.io import load

    assert load(tmp_path / "d" / "scenario.toml", Scenario).start == "2030-01"


def test_a_single_table_where_a_list_of_tables_goes(tmp_path: Path) -> None:
    import attrs

    from smartkampung.io import dumps, load

    flagship = datasets.banyuwangi_scenario()
    one_phase = attrs.evolve(
        flagship, rollout=attrs.evolve(flagship.rollout, budget_phases=flagship.rollout.budget_phases[:1])
    )
    text = dumps(one_phase, "toml").replace("[[rollout.budget_phases]]", "[rollout.budget_phases]")
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load(path, Scenario)
    message = str(info.value)
    assert "[[name]] makes a list of tables" in message
    assert "AttributeError" not in message


def test_empty_service_list_and_comparison_errors() -> None:
    import attrs

    from smartkampung import compare, simulate

    scenario = attrs.evolve(datasets.banyuwangi_scenario(), horizon_months=24)
    no_services = attrs.evolve(scenario, programme=attrs.evolve(scenario.programme, services=()))
    result = simulate(no_services, runs=2, rng=1)
    assert result.metric("villages_connected")[:, -1].min() > 41
    assert not result.metric("adopters").any()
    comparison = compare([scenario], runs=2, rng=1)
    with pytest.raises(ParameterError) as info:
        comparison.difference("adopters", 1, 0)
    assert info.value.parameter == "a"


def test_backbone_index_of_villages_off_fibre() -> None:
    plan = plan_network(datasets.synthetic_region(300, seed=4))
    technology, index, parent = plan.technology, plan.backbone_index, plan.parent
    direct = parent < 0
    assert np.all(index[~direct] == -1)
    assert np.all(index[direct & (technology == "satellite")] == -1)
    others = direct & (technology != "satellite")
    assert np.all(index[others] >= 0)
    cellular = technology == "cellular"
    assert np.array_equal(index[cellular & direct], plan.nearest_backbone_index[cellular & direct])
