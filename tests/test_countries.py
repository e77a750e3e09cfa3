"""Country profiles and the starter programme and scenario they make."""

from __future__ import annotations

import pytest

from smartkampung import ParameterError
from smartkampung._defaults import IDR_PER_USD
from smartkampung.countries import (
    COUNTRY_PROFILES,
    country_profile,
    starter_programme,
    starter_scenario,
    starter_technologies,
)
from smartkampung.model import DEFAULT_TECHNOLOGIES, SMART_KAMPUNG_SERVICES, IDMAssumptions, RegionSource, VillageKind


def test_profiles_cover_five_asean_members_with_sources() -> None:
    assert {"ID", "PH", "TH", "VN", "MY"} <= set(COUNTRY_PROFILES)
    currencies = {code: p.currency for code, p in COUNTRY_PROFILES.items()}
    assert currencies == {"ID": "IDR", "PH": "PHP", "TH": "THB", "VN": "VND", "MY": "MYR"}
    for profile in COUNTRY_PROFILES.values():
        assert profile.household_size_source
        assert profile.value_of_time_source
        assert profile.per_usd_source
        assert 2.5 < profile.household_size < 5.5
        assert profile.value_of_time_per_hour > 0
        assert profile.village_kinds
        pillar_ids = {p.id for p in profile.pillars}
        assert {s.pillar for s in profile.services} <= pillar_ids
    assert country_profile("ph").household_size == 4.1
    assert "2020 Census of Population and Housing" in country_profile("PH").household_size_source


def test_only_indonesia_gets_indonesian_services() -> None:
    indonesian = ("e-KTP", "posyandu", "SKCK", "Surat", "kependudukan")  # Malay shares "desa"
    for code, profile in COUNTRY_PROFILES.items():
        text = " ".join(f"{s.name} {s.name_local} {s.id}" for s in profile.services)
        if code == "ID":
            assert profile.services == SMART_KAMPUNG_SERVICES
            assert profile.has_idm
            assert profile.language == "id"
        else:
            assert not any(word.lower() in text.lower() for word in indonesian), code
            assert not profile.has_idm


def test_technologies_are_converted_through_dollars() -> None:
    converted = {t.id: t for t in starter_technologies("PH")}
    for reference in DEFAULT_TECHNOLOGIES:
        t = converted[reference.id]
        assert t.capex == pytest.approx(reference.capex / IDR_PER_USD * 57.0)
        assert t.capex_per_km == pytest.approx(reference.capex_per_km / IDR_PER_USD * 57.0)
        assert t.max_link_km == reference.max_link_km
        assert "PHP/USD" in t.source
    assert converted["fibre"].capex_per_km == pytest.approx(5_000 * 57.0)  # USD 5,000 per km
    assert starter_technologies("ID") == DEFAULT_TECHNOLOGIES


def test_starter_scenario_for_guimaras() -> None:
    source = RegionSource(csv="villages.csv", code="0607900000", name="Guimaras", country="PH")
    scenario = starter_scenario(source)
    assert scenario.region.household_size == 4.1
    assert scenario.region.kind is VillageKind.BARANGAY
    assert scenario.outcomes.value_of_time_per_hour == 55.0
    assert scenario.rollout.budget_per_month.value == pytest.approx(2e9 / IDR_PER_USD * 57.0)
    assert scenario.programme.name == "Smart village programme (Philippines)"
    assert "barangay_clearance" in {s.id for s in scenario.programme.services}
    assert "PHP" in scenario.description
    assert scenario.outcomes.idm.effects == ()  # the IDM's rules name Indonesian indicators
    indonesian = starter_scenario(RegionSource(csv="villages.csv", code="35.10", name="B", country="ID"))
    assert indonesian.outcomes.idm.effects == IDMAssumptions().effects != ()
    programme = starter_programme("VN", name="Làng thông minh")
    assert programme.name == "Làng thông minh"
    with pytest.raises(ParameterError) as info:
        country_profile("XX")
    assert info.value.function == "country_profile"
