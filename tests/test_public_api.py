"""Pin the public API: a name added to or removed from an ``__all__`` must be a deliberate change here."""

from __future__ import annotations

import importlib
import types

import pytest

PUBLIC_API: dict[str, list[str]] = {
    "smartkampung": [
        "DEFAULT_HOUSEHOLD_SIZE",
        "DEFAULT_TECHNOLOGIES",
        "SEED_STRANDS",
        "SMART_KAMPUNG_CRITERIA",
        "SMART_KAMPUNG_SERVICES",
        "AdoptionModel",
        "CodeSystem",
        "Comparison",
        "DataFileError",
        "DataWarning",
        "District",
        "IDMDimension",
        "IDMScore",
        "IDMStatus",
        "Location",
        "ModelValidationError",
        "NetworkPlan",
        "OutputFolderError",
        "ParameterError",
        "Pillar",
        "PointOfPresence",
        "Problem",
        "Programme",
        "Region",
        "RegionSource",
        "RolloutSchedule",
        "Scenario",
        "Service",
        "SimulationResult",
        "SmartKampungError",
        "SmartKampungWarning",
        "Technology",
        "Village",
        "VillageColumns",
        "VillageKind",
        "__version__",
        "compare",
        "datasets",
        "dump",
        "io",
        "load",
        "plan_network",
        "schedule_rollout",
        "sim",
        "simulate",
        "smart_kampung_programme",
    ],
    "smartkampung.model": [
        "DEFAULT_HOUSEHOLD_SIZE",
        "DEFAULT_TECHNOLOGIES",
        "DISTRIBUTIONS",
        "IDM_CODE_NO_SCORE",
        "IDM_THRESHOLDS",
        "IDR_PER_USD",
        "IKE_INDICATORS",
        "IKL_INDICATORS",
        "IKS_INDICATORS",
        "KEMENDAGRI_VILLAGE_CODE",
        "POLICIES",
        "SEED_STRANDS",
        "SMART_KAMPUNG_CRITERIA",
        "SMART_KAMPUNG_SERVICES",
        "AdoptionAssumptions",
        "AdoptionModel",
        "BudgetPhase",
        "CodeSystem",
        "Distribution",
        "District",
        "Fixed",
        "IDMAssumptions",
        "IDMDimension",
        "IDMScore",
        "IDMStatus",
        "Location",
        "LogNormal",
        "ModelValidationError",
        "Normal",
        "OutcomeAssumptions",
        "Pillar",
        "PointOfPresence",
        "Programme",
        "Region",
        "RegionSource",
        "RolloutAssumptions",
        "Scenario",
        "Service",
        "Technology",
        "Triangular",
        "Uniform",
        "Village",
        "VillageColumns",
        "VillageKind",
        "idm_status",
        "idm_status_code",
        "smart_kampung_programme",
    ],
    "smartkampung.io": [
        "MANIFEST",
        "MAX_DOCUMENT_BYTES",
        "MAX_TABLE_BYTES",
        "Format",
        "OutputFolder",
        "atomic_write_text",
        "check_output_folder",
        "converter",
        "dump",
        "dumps",
        "json_schema",
        "load",
        "loads",
        "read_villages_csv",
        "region_checks",
        "to_geojson",
        "write_geojson",
    ],
    "smartkampung.datasets": [
        "BANYUWANGI_CENSUS_2010_POPULATION",
        "BANYUWANGI_TOWN",
        "banyuwangi",
        "banyuwangi_scenario",
        "data_path",
        "guimaras",
        "synthetic_region",
    ],
    "smartkampung.sim": [
        "Comparison",
        "NetworkPlan",
        "PreparedScenario",
        "RoadGraph",
        "RolloutSchedule",
        "SimulationResult",
        "compare",
        "plan_network",
        "prepare",
        "road_fibre_tree",
        "schedule_rollout",
        "simulate",
    ],
    "smartkampung.sim.network": [
        "DEFAULT_DISCOUNT_RATE",
        "DEFAULT_HORIZON_YEARS",
        "DEFAULT_ROUTE_FACTOR",
        "EARTH_MEAN_RADIUS_KM",
        "FibreTree",
        "LINK_KINDS",
        "RoadSteinerTree",
        "TechnologyChoice",
        "TechnologyParameters",
        "annuity_factor",
        "choose_technology",
        "great_circle_km",
        "minimum_fibre_tree",
        "nearest_backbone",
        "steiner_tree_on_roads",
    ],
    "smartkampung.sim.rollout": [
        "NEVER",
        "POLICIES",
        "PolicyInputs",
        "RolloutSchedule",
        "policy_order",
        "schedule",
        "schedule_columns",
    ],
    "smartkampung.sim.calibrate": [
        "BANYUWANGI_START",
        "CalibrationResult",
        "RolloutObservations",
        "banyuwangi_observations",
        "fit_budget",
        "fit_rollout",
        "months_elapsed",
        "observation_month",
    ],
    "smartkampung.sim.adoption": [
        "BASS_AVERAGE_PER_YEAR",
        "DEFAULT_NEIGHBOURS",
        "bass_cdf",
        "bass_pdf",
        "iter_adoption",
        "linear_adoption",
        "nearest_neighbours",
        "simulate_adoption",
    ],
    "smartkampung.sim.outcomes": [
        "DEFAULT_COST_IDR_PER_KM",
        "DEFAULT_IDM_CEILING",
        "DEFAULT_IDM_EFFECT",
        "DEFAULT_IDM_LAG_MONTHS",
        "DEFAULT_IDM_TREND_PER_YEAR",
        "DEFAULT_ROAD_FACTOR",
        "DEFAULT_SPEED_KMH",
        "DEFAULT_TRIPS_PER_TRANSACTION",
        "DEFAULT_VALUE_OF_TIME_IDR_PER_HOUR",
        "IDMProjection",
        "IDM_DIMENSIONS",
        "TravelSavings",
        "connected_totals",
        "cost_per_household",
        "cost_per_transaction",
        "project_idm",
        "status_counts",
        "transactions",
        "travel_savings",
    ],
    "smartkampung.sim.ensemble": [
        "Comparison",
        "DRAWS",
        "PreparedScenario",
        "RunOutput",
        "compare",
        "prepare",
        "run_one",
        "simulate",
    ],
    "smartkampung.sim.planning": [
        "DEFAULT_DEMAND_MBPS",
        "NetworkPlan",
        "plan_network",
        "schedule_rollout",
    ],
    "smartkampung.sim.results": [
        "HEADLINE_METRICS",
        "SimulationResult",
    ],
    "smartkampung.sim.distributions": [
        "quantile",
    ],
    "smartkampung.sim.roads": [
        "RoadGraph",
        "road_fibre_tree",
    ],
    "smartkampung.plots": [
        "adoption_by_pillar",
        "connection_map",
        "coverage",
        "idm_status",
        "network_map",
    ],
    "smartkampung.cli": [
        "main",
        "run",
    ],
}


@pytest.mark.parametrize("module_name", sorted(PUBLIC_API))
def test_all_is_pinned(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert sorted(module.__all__) == sorted(PUBLIC_API[module_name])
    assert len(set(module.__all__)) == len(module.__all__), "duplicate names in __all__"


@pytest.mark.parametrize("module_name", sorted(PUBLIC_API))
def test_every_exported_name_exists(module_name: str) -> None:
    module = importlib.import_module(module_name)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []
    for name in module.__all__:
        assert getattr(module, name) is not None, name


@pytest.mark.parametrize("module_name", sorted(PUBLIC_API))
def test_no_private_module_leaks(module_name: str) -> None:
    # Everything public is importable from the package, not only from an underscore module.
    module = importlib.import_module(module_name)
    for name in module.__all__:
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            assert not obj.__name__.rsplit(".", 1)[-1].startswith("_"), name


def test_top_level_reexports_are_the_same_objects() -> None:
    import smartkampung
    import smartkampung.model

    for name in smartkampung.__all__:
        if name in smartkampung.model.__all__:
            assert getattr(smartkampung, name) is getattr(smartkampung.model, name), name


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from smartkampung import *", namespace)
    import smartkampung

    assert set(namespace) - {"__builtins__"} == set(smartkampung.__all__)


def test_dir_and_unknown_attribute() -> None:
    import smartkampung

    assert set(smartkampung.__all__) <= set(dir(smartkampung))
    with pytest.raises(AttributeError, match="no_such_thing"):
        smartkampung.no_such_thing
    assert isinstance(smartkampung.__version__, str)
    assert smartkampung.__version__.count(".") == 2


def test_errors_are_one_family() -> None:
    import smartkampung

    for name in ("DataFileError", "ParameterError", "ModelValidationError"):
        assert issubclass(getattr(smartkampung, name), smartkampung.SmartKampungError), name
        assert issubclass(getattr(smartkampung, name), ValueError), name
