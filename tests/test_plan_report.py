"""The plan's own offline report (``report.build_plan_report``): its content and its refusals."""

from __future__ import annotations

import re

import attrs
import pytest

from smartkampung import ParameterError
from smartkampung.countries import starter_scenario
from smartkampung.datasets import boundaries_for, guimaras, synthetic_region
from smartkampung.model import RegionSource, VillageKind
from smartkampung.report import build_plan_report
from smartkampung.sim import prepare, schedule_rollout


@pytest.fixture(scope="module")
def guimaras_plan():  # type: ignore[no-untyped-def]
    source = RegionSource(csv="villages.csv", code="0607900000", name="Guimaras", country="PH",
                          kind=VillageKind.BARANGAY)  # fmt: skip
    scenario = attrs.evolve(starter_scenario(source), horizon_months=36)
    region = guimaras()
    plan = prepare(scenario, region, land=boundaries_for(region)).plan
    schedule = schedule_rollout(plan, budget_per_month=2.0e6, n_months=36)
    return plan, schedule, scenario


def test_a_plan_report_maps_the_schedule_in_its_currency(guimaras_plan) -> None:  # type: ignore[no-untyped-def]
    plan, schedule, scenario = guimaras_plan
    text = build_plan_report(plan, schedule, scenario, lang="id", currency="PHP")
    assert text.startswith("<!DOCTYPE html>")
    assert '<html lang="id">' in text
    assert re.search(r"[a-z][a-z0-9+.-]*://", text, re.IGNORECASE) is None  # nothing from a network
    assert text.count("<path d=") >= 98  # one polygon per barangay
    assert "jalur melintasi perairan" in text  # the legend's key for the links over water
    assert 'stroke-dasharray="4 3"' in text  # ... drawn dashed
    done = int((schedule.connection_month < 36).sum())
    assert f"{done} / 98" in text
    assert "PHP " in text
    assert "plan.water_cost_factor" in text  # the crossing price in the assumptions, with its source
    assert "3 jalur pohon jaringan melintasi perairan" in text  # the plan's notes, in Indonesian


def test_a_plan_report_refuses_what_does_not_fit(guimaras_plan) -> None:  # type: ignore[no-untyped-def]
    plan, schedule, scenario = guimaras_plan
    with pytest.raises(ParameterError) as info:
        build_plan_report(plan, schedule, scenario, lang="fr")
    assert info.value.parameter == "lang"
    assert "build_plan_report" in str(info.value)
    other = prepare(scenario, synthetic_region(5, seed=1)).plan
    with pytest.raises(ParameterError) as info:
        build_plan_report(other, schedule, scenario)
    assert info.value.parameter == "schedule"
    assert "98 villages, the plan 5" in str(info.value)
