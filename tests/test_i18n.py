"""Labels in English and Indonesian, calendar months and number style."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from smartkampung import ParameterError, simulate
from smartkampung._i18n import LABELS, LANGUAGES, MONTHS, check_lang, metric_label, money, month_name, number
from smartkampung.datasets import banyuwangi_scenario, synthetic_region
from smartkampung.report import summary_rows, summary_text
from smartkampung.sim.metrics import metric_table


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
