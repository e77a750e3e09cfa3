"""The command line's reports, languages, GIS layers, JSON summary and ``smartkampung report`` (issue 14)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

from cli_helpers import read_csv, run
from smartkampung import io
from smartkampung._i18n import money, month_name, number
from smartkampung.cli import main
from smartkampung.datasets import banyuwangi_scenario
from smartkampung.io import check_output_folder, read_result
from smartkampung.report import summary_rows

pytest.importorskip("matplotlib")

URL = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # To May 2021: the observed IDM 2020 and the projected IDM 2021 are in the horizon.
    path = tmp_path_factory.mktemp("scenario") / "banyuwangi.toml"
    io.dump(attrs.evolve(banyuwangi_scenario(), horizon_months=60), path)
    return path


@pytest.fixture(scope="module")
def english(scenario_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """``simulate --runs 3 --json`` with plots and the report; the folder and the JSON printed."""
    out = tmp_path_factory.mktemp("en") / "results"
    import contextlib
    import io as stdio

    buffer = stdio.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["simulate", str(scenario_file), "--runs", "3", "--seed", "9", "--out", str(out), "--json"]) == 0
    return out, json.loads(buffer.getvalue())


@pytest.fixture(scope="module")
def indonesian(scenario_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("id") / "results"
    assert (
        main(["simulate", str(scenario_file), "--runs", "3", "--seed", "9", "--out", str(out), "--lang", "id", "-q"])
        == 0
    )
    return out


# ------------------------------------------------------------------ simulate: the report and the manifest


def test_simulate_writes_a_self_contained_report(english: tuple[Path, dict[str, Any]]) -> None:
    out, _ = english
    manifest = check_output_folder(out)  # every file, the report and the saved result too, as listed
    assert {"report.html", "result.json", "result.npz", "villages.geojson", "links.geojson"} <= set(manifest["files"])
    assert manifest["parameters"]["lang"] == "en"
    assert manifest["parameters"]["currency"] == "IDR"
    text = (out / "report.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in text
    assert URL.search(text) is None
    assert not re.search(r"<(script|link|img|iframe)\b", text)
    assert '<h1 id="region">Kabupaten Banyuwangi</h1>' in text
    assert text.count("<svg") == 5  # map, coverage, adoption, cost, IDM
    assert text.count("<path d=") >= 217  # the villages as polygons
    # The figures are the result's: the saved result gives the same numbers.
    result = read_result(out)
    for row in summary_rows(result, currency="IDR"):
        assert f'data-metric="{html.escape(row.name)}"' in text
    cost = next(r for r in summary_rows(result) if r.name == "cumulative_cost")
    assert html.escape(money(cost.values[1], "IDR", "en")) in text
    # The inputs with their SHA-256, as in the manifest.
    for entry in manifest["inputs"]:
        assert f"sha256 {entry['sha256']}" in text


def test_simulate_json_is_the_summary_and_nothing_else(english: tuple[Path, dict[str, Any]]) -> None:
    out, summary = english
    result = read_result(out)
    assert summary["scenario"] == "Smart Kampung Banyuwangi"
    assert summary["runs"] == 3
    assert summary["seed"] == 9
    assert summary["seed_entropy"] == 9
    assert summary["currency"] == "IDR"
    assert summary["quantiles"] == [0.1, 0.5, 0.9]
    assert (summary["first_month"], summary["last_month"]) == ("2016-06", "2021-05")
    rows = summary_rows(result)
    assert [o["name"] for o in summary["outcomes"]] == [r.name for r in rows]
    for o, r in zip(summary["outcomes"], rows, strict=True):
        assert o["values"] == [v if np.isfinite(v) else None for v in r.values]
        assert o["unit"] == r.unit
    assert "idm:mandiri" in {o["name"] for o in summary["outcomes"]}
    assert summary["files"][-2:] == ["result.json", "result.npz"]
    assert set(summary["seconds"]) == {"prepare", "simulate", "write"}
    assert any("water crossings checked against 249 land polygons" in n for n in summary["plan_notes"])


def test_no_report_skips_it_and_leaves_it_out_of_the_manifest(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    code, stdout, _ = run(
        ["simulate", str(scenario_file), "--runs", "2", "--out", str(out), "--no-report", "--no-plots"], capsys
    )
    assert code == 0
    assert not (out / "report.html").exists()
    assert "report.html" not in check_output_folder(out)["files"]
    assert "report.html" not in stdout.rsplit("wrote", 1)[1]


# ------------------------------------------------------------------ languages


def test_lang_id_gives_indonesian_summary_report_and_plots(
    english: tuple[Path, dict[str, Any]], indonesian: Path
) -> None:
    en, _ = english
    summary = (indonesian / "summary.txt").read_text(encoding="utf-8")
    assert summary.startswith("Smart Kampung Banyuwangi: 3 simulasi, entropi seed 9")
    assert "Desa terhubung (pada Mei 2021)" in summary
    assert "Rp " in summary
    assert " miliar" in summary
    assert "Catatan rencana jaringan:" in summary
    result = read_result(indonesian)
    households = next(r for r in summary_rows(result, lang="id") if r.name == "households_connected")
    assert number(households.values[1], "id") in summary  # 398.989: a point between thousands
    text = (indonesian / "report.html").read_text(encoding="utf-8")
    assert '<html lang="id">' in text
    assert "Kapan setiap desa terhubung" in text
    assert "Angka utama" in text
    assert month_name("2018-12", lang="id") == "Des 2018"
    # Same runs, other labels: every plot differs from the English one, the tables do not.
    for name in ("coverage.png", "adoption_by_pillar.png", "connection_map.png", "idm_status.png"):
        assert (indonesian / name).read_bytes() != (en / name).read_bytes(), name
    for name in ("monthly.csv", "villages.csv", "idm_status.csv", "result.npz"):
        assert (indonesian / name).read_bytes() == (en / name).read_bytes(), name


# ------------------------------------------------------------------ GIS layers with dates


def test_village_and_link_layers_have_one_geometry_and_dates(english: tuple[Path, dict[str, Any]]) -> None:
    out, _ = english
    villages = json.loads((out / "villages.geojson").read_text(encoding="utf-8"))
    links = json.loads((out / "links.geojson").read_text(encoding="utf-8"))
    assert {f["geometry"]["type"] for f in villages["features"]} == {"MultiPolygon"}  # Banyuwangi's polygons
    assert {f["geometry"]["type"] for f in links["features"]} == {"LineString"}
    assert len(villages["features"]) == 217
    header, rows = read_csv(out / "villages.csv")
    table = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    result = read_result(out)
    labels = result.month_labels
    for feature in villages["features"]:
        p = feature["properties"]
        row = table[p["code"]]
        assert p["p_connected"] == float(row["p_connected"])
        if row["mean_connection_month"] == "":
            assert p["connected"] is None
        else:
            assert MONTH.fullmatch(p["connected"])
            assert p["connected"] == labels[round(float(row["mean_connection_month"]))]
    by_code = {f["properties"]["code"]: f["properties"]["connected"] for f in villages["features"]}
    assert len(links["features"]) == 217  # every Banyuwangi village is on fibre: one link each
    for feature in links["features"]:
        assert feature["properties"]["connected"] == by_code[feature["properties"]["to_code"]]


def test_layers_open_in_geopandas_with_a_date_field(english: tuple[Path, dict[str, Any]]) -> None:
    gpd = pytest.importorskip("geopandas")
    pd = pytest.importorskip("pandas")
    out, _ = english
    villages = gpd.read_file(out / "villages.geojson")
    links = gpd.read_file(out / "links.geojson")
    assert set(villages.geom_type) == {"MultiPolygon"}
    assert set(links.geom_type) == {"LineString"}
    dates = pd.to_datetime(villages["connected"], format="%Y-%m")
    assert dates.min() >= pd.Timestamp("2016-06-01")
    assert dates.max() <= pd.Timestamp("2021-05-01")


# ------------------------------------------------------------------ smartkampung report RESULTS_DIR


def test_report_rebuilds_the_report_in_another_language(
    english: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    folder = tmp_path / "results"
    shutil.copytree(english[0], folder)
    before = snapshot(folder)
    code, out, _ = run(["report", str(folder), "--lang", "id"], capsys)
    assert code == 0
    assert out == f"wrote {folder / 'report.html'} (id, money in IDR)\n"
    after = snapshot(folder)
    assert set(after) == set(before)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"report.html", "manifest.json"}  # the other files are the ones simulate wrote
    manifest = check_output_folder(folder)  # and the new manifest lists them all
    assert manifest["parameters"]["report"] == {"lang": "id", "currency": "IDR", "by": "smartkampung report"}
    assert manifest["parameters"]["lang"] == "en"  # summary.txt and the plots are still English
    text = after["report.html"].decode("utf-8")
    assert '<html lang="id">' in text
    assert "Angka utama" in text
    # The same figures as the report simulate wrote, in Indonesian: the first card's number.
    result = read_result(folder)
    villages = next(r for r in summary_rows(result, lang="id") if r.name == "villages_connected")
    assert f"{number(villages.values[1], 'id')} / 217" in text
    # Without --lang, report keeps the language it was last written in.
    assert run(["report", str(folder), "-q"], capsys)[0] == 0
    assert '<html lang="id">' in (folder / "report.html").read_text(encoding="utf-8")


def test_report_to_another_file_leaves_the_folder_alone(
    english: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = english
    before = snapshot(out)
    target = tmp_path / "laporan.html"
    assert run(["report", str(out), "--lang", "id", "--out", str(target)], capsys)[0] == 0
    assert snapshot(out) == before
    assert '<html lang="id">' in target.read_text(encoding="utf-8")
    # The English report rebuilt from the saved result is the one simulate wrote, byte for byte.
    again = tmp_path / "again.html"
    assert run(["report", str(out), "--lang", "en", "--out", str(again), "-q"], capsys)[0] == 0
    assert again.read_bytes() == before["report.html"]


def test_report_refuses_what_is_not_a_results_folder(
    english: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    code, _, err = run(["report", str(tmp_path)], capsys)
    assert code == 1
    assert "holds no manifest.json: not an output folder of 'smartkampung simulate'" in err
    code, _, err = run(["report", str(tmp_path / "missing")], capsys)
    assert code == 1
    assert "is not a folder" in err
    plan = tmp_path / "plan"
    assert run(["plan", "--out", str(plan), "--no-plots", "--no-report"], capsys)[0] == 0
    code, _, err = run(["report", str(plan)], capsys)
    assert code == 1
    assert "was written by 'smartkampung plan'" in err
    # A results folder whose table the user edited: not replaced in place, but --out works.
    edited = tmp_path / "edited"
    shutil.copytree(english[0], edited)
    with (edited / "villages.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    code, _, err = run(["report", str(edited)], capsys)
    assert code == 1
    assert "villages.csv differs from the manifest" in err
    assert "--out FILE.html" in err
    assert run(["report", str(edited), "--out", str(tmp_path / "r.html"), "-q"], capsys)[0] == 0
    # A changed saved result is refused outright.
    with (edited / "result.npz").open("ab") as handle:
        handle.write(b"x")
    code, _, err = run(["report", str(edited), "--out", str(tmp_path / "r.html")], capsys)
    assert code == 1
    assert "result.npz" in err
    assert "changed since simulate wrote it" in err


def test_report_of_an_incompatible_version_says_so(
    english: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib
    import shutil

    folder = tmp_path / "old"
    shutil.copytree(english[0], folder)
    meta = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    meta["format"] = "smartkampung-result/0"
    data = (json.dumps(meta) + "\n").encode("utf-8")
    (folder / "result.json").write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["result.json"] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, _, err = run(["report", str(folder)], capsys)
    assert code == 1
    assert "reads 'smartkampung-result/1' only: run the simulation again with this version" in err


# ------------------------------------------------------------------ plan: its report, layers and summary


def test_plan_writes_a_report_layers_and_its_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan"
    code, stdout, _ = run(["plan", "--out", str(out), "--lang", "id"], capsys)
    assert code == 0
    manifest = check_output_folder(out)
    assert {"report.html", "plan_villages.geojson", "plan_links.geojson", "plan_summary.txt"} <= set(manifest["files"])
    summary = (out / "plan_summary.txt").read_text(encoding="utf-8")
    assert stdout.startswith(summary)  # what is printed is what is written
    assert "217 desa/kelurahan (fibre 217)" in summary
    assert "anggaran median: 217 dari 217 desa/kelurahan terhubung dalam 120 bulan" in summary
    assert "Catatan rencana jaringan:\n- penyeberangan perairan diperiksa terhadap 249 poligon daratan" in summary
    header, rows = read_csv(out / "plan_villages.csv")
    assert header[8:11] == ["link_km", "water_km", "capex"]
    dates = {r[0]: r[header.index("connection_date")] for r in rows}
    layer = json.loads((out / "plan_villages.geojson").read_text(encoding="utf-8"))
    for feature in layer["features"]:
        p = feature["properties"]
        expected = dates[p["code"]]
        assert p["connected"] == (None if expected == "never" else expected)
        assert p["p_connected"] == (0.0 if expected == "never" else 1.0)
    text = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="id">' in text
    assert "Rencana jaringan" in text
    assert URL.search(text) is None
    assert text.count("<svg") == 3  # the map, villages connected over time, budget and spending
    assert '<h1 id="region">Kabupaten Banyuwangi</h1>' in text
    # The cards hold the plan's own figures.
    _, monthly = read_csv(out / "plan_monthly.csv")
    spent = sum(float(r[2]) for r in monthly)
    assert html.escape(money(spent, "IDR", "id")) in text
    assert f"{number(217, 'id')} / 217" in text


def test_plan_report_renders_offline_in_chromium(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from test_report import _PROBE, _chromium, _page_requests, _run_chromium

    _chromium()
    out = tmp_path / "plan"
    assert run(["plan", "--out", str(out), "--no-plots"], capsys)[0] == 0
    probe = tmp_path / "probe.html"
    probe.write_text(
        (out / "report.html").read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8"
    )
    net_log = tmp_path / "net.json"
    done = _run_chromium(probe, tmp_path, "--dump-dom", f"--log-net-log={net_log}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "<title>resources:0</title>" in done.stdout
    assert _page_requests(net_log) == []
    assert '<h1 id="region">Kabupaten Banyuwangi</h1>' in done.stdout
    assert "Villages connected over time" in done.stdout
