"""Labels in English and Indonesian, calendar months and number style."""

from __future__ import annotations

import re

import attrs
import numpy as np
import pytest

from smartkampung import ParameterError, simulate
from smartkampung._i18n import LABELS, LANGUAGES, MONTHS, check_lang, metric_label, money, month_name, number, plan_note
from smartkampung.datasets import (
    banyuwangi,
    banyuwangi_scenario,
    boundaries_for,
    guimaras,
    idm_inputs,
    synthetic_region,
)
from smartkampung.report import summary_rows, summary_text
from smartkampung.sim import prepare
from smartkampung.sim.geometry import great_circle_km
from smartkampung.sim.metrics import metric_table
from smartkampung.sim.planning import NetworkPlan, plan_network
from smartkampung.sim.roads import RoadGraph


def test_every_label_has_every_language() -> None:
    for key, texts in LABELS.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[lang].strip() for lang in LANGUAGES), key
    assert all(len(MONTHS[lang]) == 12 for lang in LANGUAGES)


def test_months() -> None:
    assert month_name("2016-06") == "Jun 2016"
    assert month_name("2018-12", lang="id") == "Des 2018"
    assert [month_name(2020, m, lang="id") for m in (5, 8, 10)] == ["Mei 2020", "Agu 2020", "Okt 2020"]
    assert month_name("2020-05") == "May 2020"


def test_numbers_and_money() -> None:
    assert number(1234567.0) == "1,234,567"
    assert number(1234567.0, "id") == "1.234.567"
    assert number(0.25, "id") == "0,25"
    assert number(12.345, "id") == "12,3"
    assert number(3.0) == "3"
    assert number(float("nan")) == "–"
    assert money(1.234e9, "IDR", "id") == "Rp 1,23 miliar"
    assert money(1.234e9, "IDR") == "Rp 1.23 billion"
    assert money(350e6, "PHP") == "PHP 350 million"
    assert money(2856.4, "PHP") == "PHP 2,856"


def test_metric_labels() -> None:
    assert metric_label("villages_connected", "id") == "Desa terhubung"
    assert metric_label("households_connected", "id") == "Rumah tangga terhubung"
    assert metric_label("adopters:e_learning", "id", services={"e_learning": "Pojok baca"}) == "Pengguna: Pojok baca"
    for m in metric_table(("s",), ("p",)):
        assert metric_label(m.name, "id") != m.name or ":" in m.name


def test_check_lang() -> None:
    assert check_lang("id", "f") == "id"
    with pytest.raises(ParameterError) as info:
        check_lang("fr", "summary_text")
    assert info.value.function == "summary_text"


def test_summary_text_in_indonesian() -> None:
    base = banyuwangi_scenario()
    scenario = attrs.evolve(
        base, horizon_months=8, start="2018-05", rollout=attrs.evolve(base.rollout, initially_connected=2)
    )
    result = simulate(scenario, runs=3, rng=1, region=synthetic_region(20, seed=2))
    text = summary_text(result, "id")
    lines = text.splitlines()
    assert lines[0] == f"{result.scenario_name}: 3 simulasi, entropi seed 1"
    assert lines[1].split()[:2] == ["Hasil", "Satuan"]
    assert any(line.startswith("Desa terhubung (pada Des 2018)") for line in lines)
    assert "Biaya kumulatif" in text
    assert "Rp " in text
    rows = {r.name: r for r in summary_rows(result, lang="id")}
    expected = np.quantile(result.metric("villages_connected")[:, -1], (0.1, 0.5, 0.9))
    assert rows["villages_connected"].values == tuple(float(v) for v in expected)
    english = summary_text(result)
    assert "Villages connected (at Dec 2018)" in english
    assert "PHP " in summary_text(result, currency="PHP")
    with pytest.raises(ParameterError):
        summary_text(result, "xx")


def _road_plan() -> NetworkPlan:
    region = synthetic_region(30, seed=3)
    cols = region.to_columns()
    lat = np.concatenate([cols.lat_deg, cols.pop_lat_deg])
    lon = np.concatenate([cols.lon_deg, cols.pop_lon_deg])
    d = great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(d, np.inf)
    u = np.repeat(np.arange(len(lat)), 3)
    v = np.argsort(d, axis=1)[:, :3].ravel()
    return plan_network(region, roads=RoadGraph(lat, lon, u, v, 1.4 * d[u, v]), technology_choice=False)


def test_every_kind_of_plan_note_is_written_in_indonesian() -> None:
    region = guimaras()
    plans = {
        "roads": _road_plan(),
        "no land": plan_network(region),
        # Guimaras's inter-island links: some stay on fibre (priced as water crossings), some go to microwave.
        "water": plan_network(region, land=boundaries_for(region)),
        "all fibre over water": plan_network(region, land=boundaries_for(region), technology_choice=False),
    }
    english = ("fibre", "water", "land polygons", "priced", "left to", "over water", "checked")
    for kind, plan in plans.items():
        assert plan.notes, kind
        for note in plan.notes:
            translated = plan_note(note, "id")
            assert plan_note(note, "en") == note
            assert not any(word in translated for word in english), (kind, note, translated)
    moved = plans["water"].notes[-1]
    assert re.fullmatch(r"\d+ tree link\(s\) leave land .*: \d+ left to another technology", moved)
    assert re.fullmatch(r"\d+ jalur pohon jaringan .*: \d+ diserahkan ke teknologi lain", plan_note(moved, "id"))
    water = plans["all fibre over water"].notes[-1]
    assert re.fullmatch(r"\d+ tree link\(s\) leave land .*: \d+ priced as fibre water crossings .*", water)
    text = plan_note(water, "id")
    assert "jalur pohon jaringan melintasi perairan" in text
    assert "dihitung sebagai penyeberangan perairan serat optik" in text
    # Numbers in the Indonesian way: a decimal comma in the km over water.
    km = re.search(r"\(([\d.,]+) km di atas air\)", text)
    assert km is not None
    assert "," in km.group(1)


def test_a_note_of_no_known_form_stays_as_it_is() -> None:
    assert plan_note("a note from a newer version", "id") == "a note from a newer version"


def test_counts_in_the_summary_are_whole_numbers() -> None:
    # To May 2021: IDM 2020 (observed) and 2021 (projected) are within the horizon.
    scenario = attrs.evolve(banyuwangi_scenario(), horizon_months=60)
    result = simulate(prepare(scenario, banyuwangi(), idm=idm_inputs()), runs=7, rng=11)
    rows = {r.name: r for r in summary_rows(result, lang="id")}
    idm = [r for name, r in rows.items() if name.startswith("idm:")]
    assert idm
    assert any(not float(v).is_integer() for r in idm for v in r.values)  # interpolated quantiles exist
    text = summary_text(result, "id")
    for row in [*idm, rows["villages_connected"], rows["adopters"]]:
        line = next(line for line in text.splitlines() if line.startswith(row.label))
        cells = line[len(row.label) :].split()[-3:]
        assert [c.replace(".", "") for c in cells] == [f"{round(v):d}" for v in row.values], (line, row.values)


def test_local_names_are_shown_in_indonesian_only_for_an_indonesian_region() -> None:
    from smartkampung._i18n import names_in
    from smartkampung.countries import starter_programme

    thai = starter_programme("TH")
    assert any(p.name_local for p in thai.pillars)  # Thai local names exist ...
    assert names_in(thai.pillars, "id", "TH") == {p.id: p.name for p in thai.pillars}  # ... and are not Indonesian
    kampung = banyuwangi_scenario().programme
    shown = names_in(kampung.services, "id", "ID")
    assert shown == {s.id: s.name_local or s.name for s in kampung.services}
    assert shown != {s.id: s.name for s in kampung.services}
    assert names_in(kampung.services, "en", "ID") == {s.id: s.name for s in kampung.services}
