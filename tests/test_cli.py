"""The ``smartkampung`` command, run in-process through ``cli.main`` (and once as ``python -m``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import read_csv, run
from smartkampung import __version__, io
from smartkampung.cli import main
from smartkampung.datasets import banyuwangi_scenario, data_path
from smartkampung.model import Programme, Scenario, VillageKind

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PLOTS = ("coverage.png", "adoption_by_pillar.png", "connection_map.png", "idm_status.png")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``smartkampung simulate --runs 3 --out DIR`` on the bundled scenario, with plots."""
    out = tmp_path_factory.mktemp("simulate") / "results"
    assert main(["simulate", "--runs", "3", "--out", str(out), "--quiet"]) == 0
    return out


# -------------------------------------------------------------------- simulate


def test_simulate_writes_every_output(simulated: Path) -> None:
    expected = {
        "monthly.csv",
        "idm_status.csv",
        "villages.csv",
        "network.geojson",
        "villages.geojson",
        "links.geojson",
        "summary.txt",
        "report.html",
        "result.json",
        "result.npz",
        *PLOTS,
    }
    assert expected <= {p.name for p in simulated.iterdir()}
    assert not [p for p in simulated.iterdir() if p.name.startswith(".")]  # no temporary files left
    for name in PLOTS:
        data = (simulated / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE), name
        assert len(data) > 10_000, name


def test_outputs_get_ordinary_file_permissions(simulated: Path) -> None:
    # Results are for sharing: each file is created like any other (mode 0666 less the umask),
    # not readable by its owner alone.
    reference = simulated.parent / "reference.txt"
    reference.write_text("x", encoding="utf-8")
    expected = reference.stat().st_mode & 0o777
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in simulated.iterdir()}
    assert modes == dict.fromkeys(modes, oct(expected))


def test_monthly_csv(simulated: Path) -> None:
    header, rows = read_csv(simulated / "monthly.csv")
    assert header == ["month", "metric", "unit", "q10", "q50", "q90", "note"]
    sc = banyuwangi_scenario()
    n_kinds = 2  # villages_connected:desa and villages_connected:kelurahan
    n_metrics = 13 + n_kinds + 2 * len(sc.programme.services) + 2 * len(sc.programme.pillars)
    assert len(rows) == n_metrics * sc.horizon_months
    assert rows[0][:2] == ["2016-06", "villages_connected"]
    assert rows[119][0] == "2026-05"
    final = [r for r in rows if r[1] == "villages_connected" and r[0] == "2026-05"]
    assert len(final) == 1
    assert float(final[0][4]) == 217.0
    first = float(rows[0][3])
    assert first >= 41  # 41 connected at launch
    # Each metric's unit from the metric table, money in the scenario's currency (IDR for Banyuwangi).
    units = {r[1]: r[2] for r in rows}
    assert units["villages_connected"] == "villages"
    assert units["capex"] == "IDR/month"
    assert units["cumulative_cost"] == "IDR"
    assert units["hours_saved"] == "hours/month"
    assert units["cost_per_transaction"] == "IDR/transaction"
    assert units[f"adopters:{sc.programme.services[0].id}"] == "households"


def test_idm_status_csv(simulated: Path) -> None:
    # Desa per IDM status in each IDM year, with the quantiles over the runs: the observed IDM 2020, then 2021-2026.
    header, rows = read_csv(simulated / "idm_status.csv")
    assert header == ["year", "status", "q10", "q50", "q90"]
    years = sorted({int(r[0]) for r in rows})
    assert years == list(range(2020, 2027))
    assert len(rows) == len(years) * 5
    assert [r[1] for r in rows[:5]] == ["sangat_tertinggal", "tertinggal", "berkembang", "maju", "mandiri"]
    observed = [[float(x) for x in r[2:]] for r in rows if int(r[0]) == 2020]
    assert observed == [[c, c, c] for c in (0, 0, 26, 111, 52)]  # the published IDM 2020 counts, in every run
    for year in years:
        medians = [float(r[3]) for r in rows if int(r[0]) == year]
        lows = [float(r[2]) for r in rows if int(r[0]) == year]
        highs = [float(r[4]) for r in rows if int(r[0]) == year]
        assert all(lo <= mid <= hi for lo, mid, hi in zip(lows, medians, highs, strict=True))
        assert 0 <= sum(lows) <= 189 <= sum(highs)


def test_villages_csv(simulated: Path) -> None:
    header, rows = read_csv(simulated / "villages.csv")
    assert header[:12] == [
        "code",
        "name",
        "kind",
        "district_code",
        "population",
        "households",
        "technology",
        "link_km",
        "water_km",
        "capex",
        "p_connected",
        "mean_connection_month",
    ]
    services = banyuwangi_scenario().programme.services
    assert len(header) == 12 + 3 * len(services)
    assert f"p_half_adoption:{services[0].id}" in header
    assert len(rows) == 217
    assert all(len(r) == len(header) for r in rows)
    assert rows[0][:4] == ["35.10.01.2001", "Sarongan", "desa", "35.10.01"]
    assert {r[6] for r in rows} == {"fibre"}
    assert {r[8] for r in rows} == {"0"}  # Banyuwangi's polygons were checked: no link crosses water
    assert sum(int(r[4]) for r in rows) == 1_556_078  # 2010 census total
    assert sum(r[2] == "kelurahan" for r in rows) == 28


def test_network_geojson(simulated: Path) -> None:
    doc = json.loads((simulated / "network.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    villages = [f for f in doc["features"] if f["properties"].get("feature") == "village"]
    links = [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]
    assert len(villages) == 217
    assert len(links) == 217
    assert all(f["geometry"]["type"] == "Point" for f in villages)
    lon, lat = villages[0]["geometry"]["coordinates"]
    assert 113 < lon < 115
    assert -9 < lat < -7
    assert {"code", "technology", "p_connected", "mean_connection_month"} <= set(villages[0]["properties"])


def test_summary_txt(simulated: Path) -> None:
    text = (simulated / "summary.txt").read_text(encoding="utf-8")
    assert text.startswith("Smart Kampung Banyuwangi: 3 runs, seed entropy 20160531")
    assert "Villages connected (at May 2026)" in text
    assert "Cumulative cost (at May 2026)" in text
    assert "Rp " in text
    assert " billion" in text  # money with its currency and scale: Rp 67.1 billion
    # the plan's notes: Banyuwangi's village polygons were used as land
    assert "Notes on the network plan:\n- water crossings checked against 249 land polygons" in text


def test_threads_give_byte_identical_outputs(
    simulated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "threads"
    code, _, _ = run(
        ["simulate", "--runs", "3", "--out", str(out), "--executor", "threads", "--workers", "2", "--no-plots", "-q"],
        capsys,
    )
    assert code == 0
    for name in (
        "monthly.csv",
        "idm_status.csv",
        "villages.csv",
        "network.geojson",
        "villages.geojson",
        "links.geojson",
        "summary.txt",
        "result.npz",
    ):
        assert (out / name).read_bytes() == (simulated / name).read_bytes(), name
    assert not (out / "coverage.png").exists()


def test_another_seed_gives_another_result(simulated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "seed"
    assert run(["simulate", "--runs", "3", "--seed", "7", "--out", str(out), "--no-plots", "-q"], capsys)[0] == 0
    assert (out / "monthly.csv").read_bytes() != (simulated / "monthly.csv").read_bytes()


def test_backend_numba_is_recorded_and_gives_the_same_law(
    simulated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("numba")  # the test extra installs it: CI runs this test
    out = tmp_path / "numba"
    code, stdout, _ = run(
        ["simulate", "--runs", "3", "--backend", "numba", "--out", str(out), "--no-plots", "--no-report"], capsys
    )
    assert code == 0
    assert "3 runs (numba backend) in" in stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["backend"] == "numba"
    assert io.read_result(out).backend == "numba"
    assert io.read_result(simulated).backend == "numpy"  # the default is the reference
    # Other draws of the same law: the rollout (no adoption draws) is the same, adopters are not.
    header, rows = read_csv(out / "monthly.csv")
    _, reference = read_csv(simulated / "monthly.csv")
    column = header.index("metric")
    picked = {name: [r for r in rows if r[column] == name] for name in ("villages_connected", "adopters")}
    expected = {name: [r for r in reference if r[column] == name] for name in picked}
    assert picked["villages_connected"] == expected["villages_connected"]
    assert picked["adopters"] != expected["adopters"]


def test_backend_numba_without_numba_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import smartkampung.sim._adoption_batch as batch

    monkeypatch.setattr(batch, "numba_available", lambda: False)
    for argv in (
        ["simulate", "--runs", "2", "--out", str(tmp_path / "s")],
        ["compare", str(tmp_path / "a.toml"), str(tmp_path / "b.toml"), "--out", str(tmp_path / "c")],
    ):
        code, _, err = run([*argv, "--backend", "numba"], capsys)
        assert code == 2
        assert 'pip install "smartkampung[fast]"' in err
    assert not (tmp_path / "s").exists()
    assert not (tmp_path / "c").exists()


def test_simulate_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "short.toml"
    io.dump(_short_scenario(), scenario)
    code, out, _ = run(["simulate", str(scenario), "--runs", "2", "--out", str(tmp_path / "o"), "--no-plots"], capsys)
    assert code == 0
    assert out.startswith("Short: 2 runs")
    # 2015-06 .. 2016-05 ends before the observed IDM 2020: nothing to project, no IDM table
    assert (
        "wrote monthly.csv, villages.csv, network.geojson, villages.geojson, links.geojson, summary.txt, "
        "report.html, result.json, result.npz to"
    ) in out
    assert not (tmp_path / "o" / "idm_status.csv").exists()
    assert "Desa Mandiri" not in out
    _header, rows = read_csv(tmp_path / "o" / "monthly.csv")
    assert len(rows) % 12 == 0
    assert rows[11][0] == "2016-05"


def test_a_philippine_region_writes_nothing_about_idm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The flagship's assumptions (with its observed IDM 2020 state) on Guimaras: barangays have no IDM.
    import attrs

    from smartkampung.model import RegionSource

    base = banyuwangi_scenario()
    scenario = attrs.evolve(
        base,
        name="Guimaras",
        region=RegionSource(builtin="guimaras"),
        horizon_months=60,
        rollout=attrs.evolve(base.rollout, initially_connected=0),
    )
    assert scenario.outcomes.idm.observed_year == 2020
    path = tmp_path / "guimaras.toml"
    io.dump(scenario, path)
    out_dir = tmp_path / "out"
    code, out, err = run(["simulate", str(path), "--runs", "2", "--out", str(out_dir)], capsys)
    assert code == 0, err
    written = {p.name for p in out_dir.iterdir()}
    assert {"monthly.csv", "villages.csv", "summary.txt"} <= written
    assert not [name for name in written if "idm" in name]
    assert "idm" not in out.lower()
    assert "desa" not in (out_dir / "summary.txt").read_text(encoding="utf-8").lower()


def _short_scenario() -> Scenario:
    import attrs

    return attrs.evolve(banyuwangi_scenario(), name="Short", start="2015-06", horizon_months=12)


# ------------------------------------------------------------------------ plan


def test_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan"
    code, stdout, _ = run(["plan", "--out", str(out)], capsys)
    assert code == 0
    assert "217 villages (fibre 217)" in stdout
    header, rows = read_csv(out / "plan_villages.csv")
    assert header[:8] == [
        "code",
        "name",
        "kind",
        "district_code",
        "population",
        "households",
        "technology",
        "connects_via",
    ]
    assert len(rows) == 217
    codes = {r[0] for r in rows}
    districts = {r[3] for r in rows}
    assert all(r[7] in codes or r[7] in districts for r in rows)  # a parent village or a kecamatan office
    header, monthly = read_csv(out / "plan_monthly.csv")
    assert header == [
        "month",
        "budget",
        "spend",
        "km_built",
        "villages_connected",
        "households_connected",
        "people_connected",
    ]
    assert len(monthly) == 120
    connected = [int(r[4]) for r in monthly]
    assert connected == sorted(connected)
    assert connected[0] >= 41
    doc = json.loads((out / "plan_network.geojson").read_text(encoding="utf-8"))
    assert sum(f["properties"].get("feature") == "village" for f in doc["features"]) == 217
    assert (out / "plan_map.png").read_bytes().startswith(PNG_SIGNATURE)


# -------------------------------------------------------------------- validate


def test_validate_good_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "scenario.toml"
    io.dump(banyuwangi_scenario(), scenario)
    guimaras_csv = data_path("guimaras_villages.csv")
    code, out, _ = run(["validate", str(scenario), str(guimaras_csv)], capsys)
    assert code == 0
    assert f"{scenario}: ok" in out
    assert f"{guimaras_csv}: ok" in out
    assert run(["validate", "-q", str(scenario)], capsys)[1] == ""


def _problem_lines(out: str, path: Path) -> list[str]:
    """The problem lines printed under ``path``'s heading."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{path}: "))
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith("  - "):
            break
        block.append(line)
    return block


def test_validate_reports_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text(
        'name = "t"\nhorizon_monhts = 12\n\n[region]\nbuiltin = "banyuwangi"\n\n'
        "[rollout]\nbudget_per_month = 1e9\nroute_fator = 1.2\n",
        encoding="utf-8",
    )
    bad_csv = tmp_path / "villages.csv"
    bad_csv.write_text(
        "code,name,district_code,lat,lon,population\n"
        "A1,Alpha,D1,200,122.5,100\n"
        "A2,Beta,D1,10.6,122.5,-5\n"
        "A1,Gamma,D1,10.7,122.6,300\n",
        encoding="utf-8",
    )
    doc = json.loads(io.dumps(banyuwangi_scenario()))
    doc["horizon_months"] = "ten years"
    doc["rollout"]["carry_over"] = 3
    bad_json = tmp_path / "bad.json"
    bad_json.write_text(json.dumps(doc), encoding="utf-8")
    good = tmp_path / "good.toml"
    io.dump(banyuwangi_scenario(), good)

    code, out, _ = run(["validate", str(bad_toml), str(good), str(bad_csv), str(bad_json)], capsys)
    assert code == 1
    assert f"{good}: ok" in out

    toml_lines = _problem_lines(out, bad_toml)
    assert len(toml_lines) == 2, out
    assert any("$" in line and "'horizon_monhts'" in line and "horizon_months" in line for line in toml_lines)
    assert any("$.rollout" in line and "'route_fator'" in line for line in toml_lines)

    csv_lines = _problem_lines(out, bad_csv)
    assert len(csv_lines) == 3, out
    assert any("row 2" in line and "'lat'" in line and "200" in line for line in csv_lines)
    assert any("row 3" in line and "'population'" in line and "-5" in line for line in csv_lines)
    assert any("row 4" in line and "'code'" in line and "duplicate" in line for line in csv_lines)

    json_lines = _problem_lines(out, bad_json)
    assert len(json_lines) == 2, out
    assert any("'horizon_months'" in line and "ten years" in line for line in json_lines)
    assert any("field 'rollout'" in line and "carry_over: expected true or false" in line for line in json_lines)


def test_validate_a_scenario_whose_village_file_is_bad(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "villages.csv").write_text(
        "code,name,district_code,lat,lon,population\nV1,One,D1,10.6,122.5,many\n", encoding="utf-8"
    )
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(
        'name = "t"\n\n[region]\ncsv = "villages.csv"\ncode = "X"\nname = "Y"\ncountry = "PH"\n', encoding="utf-8"
    )
    code, out, _ = run(["validate", str(scenario)], capsys)
    assert code == 1
    lines = _problem_lines(out, scenario)
    assert len(lines) == 1
    assert "villages.csv" in lines[0]
    assert "row 2" in lines[0]
    assert "'population'" in lines[0]


def test_validate_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.toml"
    code, out, _ = run(["validate", str(missing)], capsys)
    assert code == 1
    assert str(missing) in out
    assert "not found" in out


# ------------------------------------------------------------------------ init


def test_init_from_a_partner_city_csv_then_simulate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    city = tmp_path / "guimaras"
    source = data_path("guimaras_villages.csv")
    code, out, _ = run(
        [
            "init",
            str(city),
            "--from-csv",
            str(source),
            "--country",
            "PH",
            "--kind",
            "barangay",
            "--code",
            "0607900000",
            "--name",
            "Guimaras",
        ],
        capsys,
    )
    assert code == 0, out
    assert (city / "villages.csv").read_bytes() == source.read_bytes()
    assert 'csv = "villages.csv"' in (city / "scenario.toml").read_text(encoding="utf-8")
    scenario = io.load(city / "scenario.toml", Scenario)
    assert scenario.region.csv == str((city / "villages.csv").resolve())  # from the scenario's folder
    assert scenario.region.country == "PH"
    assert scenario.region.kind is VillageKind.BARANGAY
    assert scenario.rollout.initially_connected == 0
    assert scenario.start == "2026-01"
    # The programme is a file of its own, named by the scenario, to edit or share.
    assert 'programme = "programme.toml"' in (city / "scenario.toml").read_text(encoding="utf-8")
    assert io.load(city / "programme.toml", Programme) == scenario.programme
    assert run(["validate", str(city / "scenario.toml"), str(city / "programme.toml")], capsys)[0] == 0
    # No IDM rows in the summary of a region without Indonesian desa.
    assert (
        "Desa Mandiri"
        not in run(["simulate", str(city), "--runs", "2", "--out", str(tmp_path / "s"), "--no-plots"], capsys)[1]
    )

    results = tmp_path / "results"
    code, _, err = run(
        ["simulate", str(city / "scenario.toml"), "--runs", "2", "--out", str(results), "--no-plots", "-q"], capsys
    )
    assert code == 0, err
    header, rows = read_csv(results / "villages.csv")
    assert header[:3] == ["code", "name", "kind"]
    assert len(rows) == 98
    assert {r[2] for r in rows} == {"barangay"}
    assert rows[0][0].startswith("0607")  # PSGC codes keep their leading zero
    _header, monthly = read_csv(results / "monthly.csv")
    assert monthly[0][0] == "2026-01"
    # a folder holding scenario.toml works too
    code, _, err = run(
        ["simulate", str(city), "--runs", "2", "--out", str(tmp_path / "again"), "--no-plots", "-q"], capsys
    )
    assert code == 0, err
    assert (tmp_path / "again" / "monthly.csv").read_bytes() == (results / "monthly.csv").read_bytes()


def test_init_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    city = tmp_path / "city"
    assert run(["init", str(city)], capsys)[0] == 0
    assert io.load(city / "scenario.toml", Scenario) == banyuwangi_scenario()
    (city / "scenario.toml").write_text("# my edits\n", encoding="utf-8")
    code, _, err = run(["init", str(city)], capsys)
    assert code == 2
    assert "--force" in err
    assert "scenario.toml" in err
    assert (city / "scenario.toml").read_text(encoding="utf-8") == "# my edits\n"  # untouched
    assert run(["init", str(city), "--force"], capsys)[0] == 0
    assert io.load(city / "scenario.toml", Scenario) == banyuwangi_scenario()


def test_init_with_a_bad_csv_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,district_code,lat,lon,population\nA,B,D,100,0,1\n", encoding="utf-8")
    city = tmp_path / "city"
    code, _, err = run(["init", str(city), "--from-csv", str(bad), "--country", "PH"], capsys)
    assert code == 1
    assert "row 2" in err
    assert "'lat'" in err
    assert not (city / "scenario.toml").exists()


def test_init_with_an_unknown_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        [
            "init",
            str(tmp_path / "c"),
            "--from-csv",
            str(data_path("guimaras_villages.csv")),
            "--country",
            "PH",
            "--kind",
            "hamlet",
        ],
        capsys,
    )
    assert code == 2
    assert "hamlet" in err


# ---------------------------------------------------------------------- schema


@pytest.mark.parametrize("kind", ["scenario", "programme", "region"])
def test_schema_prints_valid_json(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema", "--kind", kind], capsys)
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == f"smartkampung {kind.title()}"
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "scenario.schema.json"
    code, out, _ = run(["schema", "--out", str(target)], capsys)
    assert code == 0
    assert out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "smartkampung Scenario"


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--bogus"],
        ["simulate", "--runs", "0"],
        ["simulate", "--runs", "many"],
        ["simulate", "--executor", "gpu"],
        ["plan", "--workers", "2"],
        ["frobnicate"],
        ["schema", "--kind", "village"],
        ["validate"],
        [],
    ],
    ids=lambda a: " ".join(a) or "no command",
)
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert "usage:" in out + err


def test_runs_zero_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["simulate", "--runs", "0"], capsys)
    assert code == 2
    assert "--runs" in err
    assert "at least 1" in err


def test_missing_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "scenario.toml"
    out_dir = tmp_path / "out"
    code, _, err = run(["simulate", str(missing), "--runs", "2", "--out", str(out_dir)], capsys)
    assert code == 1
    assert str(missing) in err
    assert "not found" in err
    assert not out_dir.exists()  # nothing written for a run that could not start
    code, _, err = run(["plan", str(missing), "--out", str(out_dir)], capsys)
    assert code == 1
    assert str(missing) in err


def test_invalid_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "t"\nhorizon_months = 0\n\n[region]\nbuiltin = "banyuwangi"\n', encoding="utf-8")
    code, _, err = run(["simulate", str(bad), "--runs", "2", "--out", str(tmp_path / "o")], capsys)
    assert code == 1
    assert str(bad) in err
    assert "horizon_months" in err


def test_output_folder_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "results"
    blocker.write_text("not a folder", encoding="utf-8")
    code, _, err = run(["simulate", "--runs", "2", "--out", str(blocker), "--no-plots"], capsys)
    assert code == 2
    assert str(blocker) in err


def test_schema_into_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no" / "such" / "folder" / "schema.json"
    code, _, err = run(["schema", "--out", str(target)], capsys)
    assert code in (1, 2)
    assert str(target.parent) in err or str(target) in err


def test_init_where_no_folder_can_be_made(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run(["init", str(blocker / "city")], capsys)
    assert code in (1, 2)
    assert str(blocker / "city") in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"smartkampung {__version__}"


def test_python_dash_m_help() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "smartkampung", "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    for command in ("simulate", "plan", "validate", "init", "schema"):
        assert command in proc.stdout
    assert proc.stderr == ""
