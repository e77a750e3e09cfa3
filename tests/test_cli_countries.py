"""``init --from-csv --country XX``: a partner country's starter, and its money, kinds and water on the way out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import smartkampung as sk
from cli_helpers import read_csv_dicts as read_csv
from cli_helpers import run
from smartkampung import io
from smartkampung._defaults import WATER_COST_FACTOR
from smartkampung.countries import COUNTRY_PROFILES, starter_technologies
from smartkampung.datasets import data_path, guimaras
from smartkampung.model import Programme, Scenario, VillageKind
from smartkampung.sim import prepare

TINY_CSV = (
    "code,name,district_code,lat,lon,population\n"
    "V1,Alpha,D1,10.60,122.50,1200\nV2,Beta,D1,10.62,122.53,800\n"
    "V3,Gamma,D2,10.70,122.60,1500\nV4,Delta,D2,10.72,122.58,600\n"
)


@pytest.mark.parametrize("country", ["ID", "PH", "TH", "VN", "MY"])
def test_init_writes_the_countrys_starter(country: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = COUNTRY_PROFILES[country]
    source = tmp_path / "towns.csv"
    source.write_text(TINY_CSV, encoding="utf-8")
    city = tmp_path / "city"
    code, _, err = run(
        ["init", str(city), "--from-csv", str(source), "--country", country.lower(), "--code", "R1"], capsys
    )
    assert code == 0, err
    text = (city / "scenario.toml").read_text(encoding="utf-8")
    assert f"# Units: money in {profile.currency}" in text
    scenario = io.load(city / "scenario.toml", Scenario)
    assert (scenario.region.country, scenario.region.name) == (country, "Towns")
    assert scenario.region.kind is profile.default_kind
    assert scenario.region.household_size == profile.household_size
    assert scenario.outcomes.value_of_time_per_hour == profile.value_of_time_per_hour
    programme = io.load(city / "programme.toml", Programme)
    assert [s.id for s in programme.services] == [s.id for s in profile.services]
    assert programme.technologies == starter_technologies(country)  # costs in the country's currency
    if country != "ID":  # no posyandu outside Indonesia
        assert "posyandu_records" not in {s.id for s in programme.services}
    # ... and the money of what it simulates is in that currency.
    results = tmp_path / "results"
    code, _, err = run(["simulate", str(city), "--runs", "2", "--out", str(results), "--no-plots", "-q"], capsys)
    assert code == 0, err
    units = {r["metric"]: r["unit"] for r in read_csv(results / "monthly.csv")}
    assert units["capex"] == f"{profile.currency}/month"
    assert units["cost_per_connected_household"] == f"{profile.currency}/household"
    summary = (results / "summary.txt").read_text(encoding="utf-8")
    assert ("Rp " if country == "ID" else f"{profile.currency} ") in summary
    assert country == "ID" or "Rp " not in summary
    assert json.loads((results / "manifest.json").read_text(encoding="utf-8"))["parameters"]["currency"] == (
        profile.currency
    )
    assert not (results / "idm_status.csv").exists()  # no observed IDM state in a starter
    households = {r["code"]: int(r["households"]) for r in read_csv(results / "villages.csv")}
    assert households["V1"] == round(1200 / profile.household_size)  # the country's census household size
    assert 'lang="en"' in (results / "report.html").read_text(encoding="utf-8")


def test_a_kind_given_is_kept_and_a_country_without_a_profile_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "towns.csv"
    source.write_text(TINY_CSV, encoding="utf-8")
    assert (
        run(
            [
                "init",
                str(tmp_path / "a"),
                "--from-csv",
                str(source),
                "--country",
                "PH",
                "--kind",
                "village",
                "--code",
                "R1",
            ],
            capsys,
        )[0]
        == 0
    )
    assert io.load(tmp_path / "a" / "scenario.toml", Scenario).region.kind is VillageKind.VILLAGE
    code, _, err = run(
        ["init", str(tmp_path / "b"), "--from-csv", str(source), "--country", "SG", "--code", "R1"], capsys
    )
    assert code == 0
    assert "warning: no country profile for SG" in err
    scenario = io.load(tmp_path / "b" / "scenario.toml", Scenario)
    assert scenario.region.country == "SG"
    assert "# Units: money in IDR" in (tmp_path / "b" / "scenario.toml").read_text(encoding="utf-8")
    assert {s.id for s in scenario.programme.services} >= {"civil_registration", "posyandu_records"}


def test_guimaras_from_its_csv_reports_pesos_no_idm_and_prices_water(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The bundled copy of ../shared/data/guimaras_ph/villages.csv: 98 barangays, PSGC codes.
    city = tmp_path / "guimaras"
    code, _, err = run(
        [
            "init",
            str(city),
            "--from-csv",
            str(data_path("guimaras_villages.csv")),
            "--country",
            "PH",
            "--code",
            "0607900000",
            "--name",
            "Guimaras",
        ],
        capsys,
    )
    assert code == 0, err
    results = tmp_path / "results"
    code, out, err = run(["simulate", str(city), "--runs", "3", "--out", str(results)], capsys)
    assert code == 0, err
    written = {p.name for p in results.iterdir()}
    assert not [name for name in written if "idm" in name]  # no IDM table or plot for barangays
    summary = (results / "summary.txt").read_text(encoding="utf-8")
    assert "PHP " in summary
    assert "Rp " not in summary
    assert "IDR" not in summary
    assert "desa" not in summary.lower()
    assert "3 tree link(s) leave land" in summary
    assert "priced as fibre water crossings" in summary
    assert "PHP " in out
    report = (results / "report.html").read_text(encoding="utf-8")
    assert '<h1 id="region">Guimaras</h1>' in report
    figures = report[report.index('<table class="figures">') :]
    figures = figures[: figures.index("</table>")]
    assert "PHP " in figures
    assert "Rp " not in figures
    assert "plan.water_cost_factor" in report  # the water-crossing price, with its source
    # The inter-island links: over water, priced as the fibre technology's cost per km on land plus
    # WATER_COST_FACTOR times it over water, in pesos (independently of the planner's own arithmetic).
    rows = {r["name"]: r for r in read_csv(results / "villages.csv")}
    wet = {name for name, r in rows.items() if float(r["water_km"]) > 0}
    assert wet == {"Guiwanon", "Panobolon", "Inampologan"}
    scenario = io.load(city / "scenario.toml", Scenario)
    fibre = next(t for t in scenario.programme.technologies if t.id == "fibre")
    assert fibre.capex_per_km == pytest.approx(starter_technologies("PH")[0].capex_per_km)
    region = io.read_region(scenario.region, base_dir=city)
    assert [v.code for v in region.villages] == [v.code for v in guimaras().villages]
    dry = prepare(scenario, region).plan  # no land polygons: every link priced as on land
    index = {v.name: i for i, v in enumerate(region.villages)}
    for name, row in rows.items():
        i = index[name]
        water = float(row["water_km"])
        link_dry = float(dry.link_km[i])
        if name in wet:
            straight = link_dry / scenario.rollout.route_factor
            land_km = link_dry * (1 - water / straight)
            assert float(row["link_km"]) == pytest.approx(land_km + water, rel=1e-12)
            expected = fibre.capex + fibre.capex_per_km * (land_km + WATER_COST_FACTOR * water)
            assert float(row["capex"]) == pytest.approx(expected, rel=1e-12)
            assert float(row["capex"]) > float(dry.capex[i])
        else:
            assert float(row["capex"]) == pytest.approx(float(dry.capex[i]), rel=1e-12)
    links = json.loads((results / "links.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["to_code"] for f in links["features"] if f["properties"]["water_km"] > 0} == {
        rows[name]["code"] for name in wet
    }


def test_the_programme_file_states_the_currency(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "towns.csv"
    source.write_text(TINY_CSV, encoding="utf-8")
    assert (
        run(["init", str(tmp_path / "c"), "--from-csv", str(source), "--country", "PH", "--code", "R1"], capsys)[0] == 0
    )
    programme = tmp_path / "c" / "programme.toml"
    text = programme.read_text(encoding="utf-8")
    assert 'currency = "PHP"' in text
    # The currency is one field of the programme: changing it relabels every amount (none is converted).
    programme.write_text(text.replace('currency = "PHP"', 'currency = "USD"'), encoding="utf-8")
    out = tmp_path / "o"
    code, stdout, _ = run(
        ["simulate", str(tmp_path / "c"), "--runs", "2", "--out", str(out), "--no-plots", "--no-report"], capsys
    )
    assert code == 0
    units = {r["metric"]: r["unit"] for r in read_csv(out / "monthly.csv")}
    assert units["cumulative_cost"] == "USD"
    assert "USD " in stdout
    assert "PHP" not in stdout
    programme.write_text(text.replace('currency = "PHP"', 'currency = "pesos"'), encoding="utf-8")
    code, _, err = run(["simulate", str(tmp_path / "c"), "--out", str(tmp_path / "x")], capsys)
    assert code != 0
    assert "programme.toml" in err
    assert "currency" in err
    assert "'pesos'" in err
    assert not (tmp_path / "x").exists()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from smartkampung import __version__

    code, out, _ = run(["--version"], capsys)
    assert (code, out) == (0, f"smartkampung {__version__}\n")


def test_results_are_never_written_over_the_scenario_they_come_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "towns.csv"
    source.write_text(TINY_CSV, encoding="utf-8")
    folder = tmp_path / "c"
    assert run(["init", str(folder), "--from-csv", str(source), "--country", "TH", "--code", "R1"], capsys)[0] == 0
    edited = (folder / "scenario.toml").read_text(encoding="utf-8") + "# my edit\n"
    (folder / "scenario.toml").write_text(edited, encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for argv in (["simulate", str(folder), "--runs", "2"], ["plan", str(folder)]):
        code, _, err = run([*argv, "--out", str(folder), "--no-report"], capsys)
        assert code == 2, argv
        assert "which this command reads" in err
        assert f"--out {folder / 'results'}" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    # A folder inside it is fine.
    code, _, _ = run(
        ["simulate", str(folder), "--runs", "2", "--out", str(folder / "results"), "--no-plots", "--no-report", "-q"],
        capsys,
    )
    assert code == 0
    assert (folder / "results" / "monthly.csv").exists()


def test_a_loaded_scenario_finds_its_villages_from_any_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "towns.csv"
    source.write_text(TINY_CSV, encoding="utf-8")
    folder = tmp_path / "c"
    assert run(["init", str(folder), "--from-csv", str(source), "--country", "TH", "--code", "R1"], capsys)[0] == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    scenario = io.load(Path("..") / "c" / "scenario.toml", Scenario)  # relative to the current folder, too
    result = sk.simulate(scenario, runs=2, rng=1)
    assert len(result.village_codes) == 4
    assert scenario.currency == "THB"


def test_usage_errors_name_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "towns.csv"
    source.write_text(TINY_CSV, encoding="utf-8")
    code, _, err = run(["init", str(tmp_path / "c"), "--from-csv", str(source), "--country", "Thailand"], capsys)
    assert code == 2
    assert "--country: must be an ISO 3166-1 alpha-2 code" in err
    assert "'Thailand'" in err
    assert not (tmp_path / "c").exists()
    out = tmp_path / "o"
    assert run(["simulate", "--runs", "2", "--out", str(out), "--no-plots", "--no-report", "-q"], capsys)[0] == 0
    code, _, err = run(["report", str(out), "--out", str(tmp_path / "nowhere" / "r.html")], capsys)
    assert code == 2
    assert "does not exist; create it first" in err
    assert ".tmp" not in err
