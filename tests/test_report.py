"""The offline HTML report: content, language, provenance, and a real browser that renders it offline.

The browser tests run headless Chromium (Debian's ``chromium`` package). They
are skipped only when no Chromium is installed *and*
``SMARTKAMPUNG_REQUIRE_BROWSER`` is unset; CI sets it, so there a missing
browser fails the suite instead of skipping.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import attrs
import numpy as np
import pytest

from smartkampung import ParameterError, simulate
from smartkampung.countries import starter_scenario
from smartkampung.datasets import banyuwangi, banyuwangi_scenario, boundaries_for, guimaras, idm_inputs
from smartkampung.model import RegionSource, VillageKind
from smartkampung.report import assumption_rows, build_report, file_record, summary_rows, write_report
from smartkampung.sim import prepare

pytest.importorskip("matplotlib")

URL = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    region = banyuwangi()
    # To May 2021: IDM 2020 (observed) and 2021 (projected) are within the horizon.
    scenario = attrs.evolve(banyuwangi_scenario(), horizon_months=60)
    return simulate(prepare(scenario, region, land=boundaries_for(region), idm=idm_inputs()), runs=5, rng=11)


@pytest.fixture(scope="module")
def guimaras_result():  # type: ignore[no-untyped-def]
    source = RegionSource(
        csv="villages.csv", code="0607900000", name="Guimaras", country="PH", kind=VillageKind.BARANGAY
    )
    scenario = attrs.evolve(starter_scenario(source), horizon_months=36)
    region = guimaras()
    return simulate(prepare(scenario, region, land=boundaries_for(region)), runs=4, rng=3)


def test_report_is_self_contained(result) -> None:  # type: ignore[no-untyped-def]
    text = build_report(result)
    assert text.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in text
    assert URL.search(text) is None, URL.search(text)  # no URL of any scheme, not even a namespace
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", text)
    assert not re.search(r"\b(src|href)=\"(?!#)", text)
    assert "@import" not in text
    assert "url(" not in text.replace("url(#", "")
    assert text.count("<svg") == 5  # map, coverage, adoption, cost, IDM
    assert "Kabupaten Banyuwangi" in text


def test_report_holds_the_figures(result) -> None:  # type: ignore[no-untyped-def]
    text = build_report(result)
    rows = summary_rows(result)
    villages = next(r for r in rows if r.name == "villages_connected")
    assert f"{villages.values[1]:,.0f} / 217" in text
    for row in rows:
        assert f'data-metric="{html.escape(row.name)}"' in text
    assert text.count("<path d=") >= 217  # one polygon path per village on the map
    assert "Pesanggaran" in text  # a kecamatan outline's title
    assert "Jan 2017" in text  # calendar months on the axes and the map legend


def test_report_in_indonesian(result) -> None:  # type: ignore[no-untyped-def]
    text = build_report(result, lang="id")
    assert '<html lang="id">' in text
    for words in (
        "Desa terhubung",
        "Rumah tangga terhubung",
        "Biaya kumulatif",
        "Anggaran",
        "Asumsi",
        "Status IDM per tahun",
        "Kapan setiap desa terhubung",
        "asumsi ilustratif",
        "Mei 2021",  # the horizon's last month, in Indonesian
    ):
        assert words in text, words
    assert "Rp " in text
    assert "miliar" in text
    with pytest.raises(ParameterError) as info:
        build_report(result, lang="fr")
    assert info.value.function == "build_report"


def test_partner_region_report(guimaras_result) -> None:  # type: ignore[no-untyped-def]
    text = build_report(guimaras_result, currency="PHP", inputs=[("villages.csv", "ab" * 32)])
    figures = text[
        text.index('<table class="figures">') : text.index("</table>", text.index('<table class="figures">'))
    ]
    assert "PHP " in figures
    assert "Rp " not in figures
    assert "IDM" not in text  # no IDM section at all for barangays
    assert text.count("<svg") == 4
    assert "3 tree link(s) leave land" in text
    assert "stroke-dasharray" in text  # the water crossings drawn dashed
    assert "villages.csv: <code>sha256 " + "ab" * 32 in text


def test_assumptions_carry_their_sources(result) -> None:  # type: ignore[no-untyped-def]
    from smartkampung._defaults import DEFAULTS

    rows = {a.name: a for a in assumption_rows(result.prepared.scenario)}
    assert rows["rollout.route_factor"].source == DEFAULTS["ROUTE_FACTOR"].source
    assert rows["rollout.route_factor"].is_assumption
    assert rows["rollout.discount_rate"].source == DEFAULTS["DISCOUNT_RATE"].source
    assert not rows["rollout.discount_rate"].is_assumption
    assert rows["rollout.policy"].source == "set in the scenario"  # the bundled scenario's own policy
    assert rows["technology.fibre"].source.startswith("USD 5,000/km")
    assert all(a.source for a in rows.values())


def test_provenance_and_atomic_write(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scenario_file = tmp_path / "scenario.toml"
    scenario_file.write_bytes(b"name = 'x'\n")
    digest = hashlib.sha256(b"name = 'x'\n").hexdigest()
    assert file_record(scenario_file) == (str(scenario_file), digest)
    out = write_report(tmp_path / "report.html", result, inputs=[scenario_file], version="9.9")
    text = out.read_text(encoding="utf-8")
    assert f"scenario.toml: <code>sha256 {digest}</code>" in text
    assert "9.9" in text
    assert html.escape(str(result.seed_entropy)) in text
    assert [p.name for p in tmp_path.iterdir()] == sorted(["report.html", "scenario.toml"]) or (
        sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "scenario.toml"]
    )


def test_report_needs_the_plan(result) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError, match="prepared"):
        build_report(attrs.evolve(result, prepared=None))


# ------------------------------------------------------------------ a real browser


def _chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    if os.environ.get("SMARTKAMPUNG_REQUIRE_BROWSER"):
        pytest.fail("SMARTKAMPUNG_REQUIRE_BROWSER is set but no Chromium is installed (apt-get install chromium)")
    pytest.skip("headless Chromium is not installed (apt-get install chromium)")


def _run_chromium(page: Path, work: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = work / f"profile-{len(list(work.iterdir()))}"
    args = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-default-apps",
        "--disable-extensions",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        # Nothing leaves the machine: every host name fails to resolve (the browser's own
        # background requests included); loopback stays reachable for the control test.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        *extra,
        page.as_uri(),
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=180, check=False)


def _page_requests(net_log: Path) -> list[str]:
    """URLs the page asked for (the browser's own background requests have no origin)."""
    data = json.loads(net_log.read_text(encoding="utf-8"))
    types = {value: name for name, value in data["constants"]["logEventTypes"].items()}
    return [
        e["params"]["url"]
        for e in data["events"]
        if types.get(e["type"]) == "URL_REQUEST_START_JOB"
        and "url" in e.get("params", {})
        and e["params"].get("initiator") != "not an origin"
    ]


_PROBE = "<script>document.title = 'resources:' + performance.getEntriesByType('resource').length;</script>"


def test_report_renders_offline_in_chromium(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _chromium()
    page = write_report(tmp_path / "report.html", result, lang="id")
    # A copy with a probe script that counts every resource the page loaded (the report itself has no script).
    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    net_log = tmp_path / "net.json"
    done = _run_chromium(probe, tmp_path, "--dump-dom", f"--log-net-log={net_log}")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<title>resources:0</title>" in dom  # nothing fetched: no image, font, style sheet or script
    assert _page_requests(net_log) == []
    assert '<html lang="id">' in dom
    assert re.search(r'<h1 id="region">Kabupaten Banyuwangi</h1>', dom)
    assert "Desa terhubung" in dom
    rows = summary_rows(result, lang="id")
    cost = next(r for r in rows if r.name == "cumulative_cost")
    from smartkampung._i18n import money

    assert html.escape(money(cost.values[1], "IDR", "id")) in dom
    assert dom.count("<svg") == 5
    assert not re.search(r"\b(src|href)=\"(?!#)", dom.replace(_PROBE, ""))


def test_report_screenshot_is_not_blank(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _chromium()
    from PIL import Image

    page = write_report(tmp_path / "report.html", result)
    shot = tmp_path / "shot.png"
    done = _run_chromium(page, tmp_path, f"--screenshot={shot}", "--window-size=1100,2400")
    assert done.returncode == 0, done.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=np.float64)
    assert pixels.shape[:2] == (2400, 1100)
    assert pixels.std() > 20  # a white page has 0
    colours = np.unique(pixels.reshape(-1, 3)[::7], axis=0)
    assert len(colours) > 200  # the map's viridis shades, the charts, the text


def test_the_network_check_would_see_a_request(tmp_path: Path) -> None:
    _chromium()
    # Control: a page that loads an image from the network shows up (loopback port 9: nothing listens).
    page = tmp_path / "leak.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"></body></html>', encoding="utf-8")
    net_log = tmp_path / "net.json"
    done = _run_chromium(page, tmp_path, "--dump-dom", f"--log-net-log={net_log}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert _page_requests(net_log) == ["http://127.0.0.1:9/x.png"]
