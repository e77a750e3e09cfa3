"""Pin the public API: a name added to or removed from an ``__all__`` must be a deliberate change here."""

from __future__ import annotations

import importlib
import types

import pytest

PUBLIC_API: dict[str, list[str]] = {
    "smartkampung": [
        "AdoptionModel",
        "CodeSystem",
        "Comparison",
        "DEFAULT_HOUSEHOLD_SIZE",
        "DEFAULT_TECHNOLOGIES",
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
        "SEED_STRANDS",
        "SMART_KAMPUNG_CRITERIA",
        "SMART_KAMPUNG_SERVICES",
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
        "read_region",
        "schedule_rollout",
        "sim",
        "simulate",
        "smart_kampung_programme",
    ],
    "smartkampung.model": [
        "AdoptionAssumptions",
        "AdoptionModel",
        "BudgetPhase",
        "CONNECTION_DRIVER",
        "CodeSystem",
        "CompositeIndex",
        "DEFAULT_HOUSEHOLD_SIZE",
        "DEFAULT_PROGRAMME_EFFECTS",
        "DEFAULT_TECHNOLOGIES",
        "DISTRIBUTIONS",
        "Distribution",
        "District",
        "Fixed",
        "FromPosterior",
        "IDMAssumptions",
        "IDMDimension",
        "IDMScore",
        "IDMStatus",
        "IDMStatusCounts",
        "IDM_CODE_NO_SCORE",
        "IDM_DIMENSION_NAMES",
        "IDM_INDEX",
        "IDM_INDICATOR_COLUMNS",
        "IDM_THRESHOLDS",
        "IDR_PER_USD",
        "IKE_INDICATORS",
        "IKL_INDICATORS",
        "IKS_INDICATORS",
        "Indicator",
        "IndicatorEffect",
        "IndicatorPanel",
        "KEMENDAGRI_VILLAGE_CODE",
        "Location",
        "LogNormal",
        "ModelValidationError",
        "Normal",
        "OutcomeAssumptions",
        "POLICIES",
        "POSTERIOR_PARAMETERS",
        "Pillar",
        "PointOfPresence",
        "Programme",
        "Region",
        "RegionSource",
        "RolloutAssumptions",
        "RolloutObservations",
        "RolloutPosterior",
        "SEED_STRANDS",
        "SMART_KAMPUNG_CRITERIA",
        "SMART_KAMPUNG_SERVICES",
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
        "months_elapsed",
        "observation_month",
        "smart_kampung_programme",
    ],
    "smartkampung.io": [
        "BUILTIN_REGIONS",
        "Format",
        "MANIFEST",
        "MAX_DOCUMENT_BYTES",
        "MAX_TABLE_BYTES",
        "OutputFolder",
        "atomic_write_text",
        "check_output_folder",
        "converter",
        "dump",
        "dumps",
        "json_schema",
        "link_layer",
        "load",
        "loads",
        "read_boundaries",
        "read_region",
        "read_result",
        "read_villages_csv",
        "region_checks",
        "to_geojson",
        "village_layer",
        "write_geojson",
        "write_geopackage",
        "write_layers",
        "write_result",
    ],
    "smartkampung.datasets": [
        "BANYUWANGI_CENSUS_2010_POPULATION",
        "BANYUWANGI_START",
        "BANYUWANGI_TOWN",
        "banyuwangi",
        "banyuwangi_idm_status",
        "banyuwangi_observations",
        "banyuwangi_scenario",
        "boundaries",
        "boundaries_for",
        "data_path",
        "guimaras",
        "idm_dynamics",
        "idm_indicators",
        "idm_inputs",
        "idm_panel",
        "synthetic_region",
    ],
    "smartkampung.sim": [
        "Comparison",
        "IDMInputs",
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
    "smartkampung.sim.geometry": [
        "DEFAULT_NEIGHBOURS",
        "EARTH_MEAN_RADIUS_KM",
        "great_circle_km",
        "nearest_backbone",
        "nearest_neighbours",
        "unit_vectors",
    ],
    "smartkampung.sim.tree": [
        "DEFAULT_ROUTE_FACTOR",
        "FibreTree",
        "ancestor_reduce",
        "check_tree",
        "minimum_fibre_tree",
        "subtree_sums",
    ],
    "smartkampung.sim.technology": [
        "DEFAULT_DEMAND_MBPS",
        "DEFAULT_DISCOUNT_RATE",
        "DEFAULT_HORIZON_YEARS",
        "DEFAULT_WATER_COST_FACTOR",
        "LINK_KINDS",
        "TechnologyChoice",
        "TechnologyParameters",
        "annuity_factor",
        "choose_technology",
    ],
    "smartkampung.sim.roads": ["RoadGraph", "RoadSteinerTree", "road_fibre_tree", "steiner_tree_on_roads"],
    "smartkampung.sim.land": ["Boundaries", "DEFAULT_MIN_WATER_RUN_KM", "DEFAULT_WATER_STEP_KM", "water_km"],
    "smartkampung.sim.policies": [
        "COST_FREE_POLICIES",
        "POLICIES",
        "PolicyInputs",
        "PolicyName",
        "Priority",
        "policy_order",
    ],
    "smartkampung.sim.rollout": [
        "NEVER",
        "POLICIES",
        "PolicyInputs",
        "PolicyName",
        "RolloutOrder",
        "RolloutSchedule",
        "policy_order",
        "rollout_order",
        "schedule",
    ],
    "smartkampung.sim.tail": ["cost_multipliers", "readiness_delay", "standard_waits", "village_draws"],
    "smartkampung.sim.planning": ["NetworkPlan", "plan_network", "plan_rollout_order", "schedule_rollout"],
    "smartkampung.sim.adoption": [
        "BACKENDS",
        "BASS_AVERAGE_PER_YEAR",
        "adopt_batch",
        "bass_cdf",
        "bass_pdf",
        "iter_adoption",
        "linear_adoption",
        "numba_available",
        "simulate_adoption",
    ],
    "smartkampung.sim.outcomes": [
        "DEFAULT_COST_PER_KM",
        "DEFAULT_ROAD_FACTOR",
        "DEFAULT_SPEED_KMH",
        "DEFAULT_TRIPS_PER_TRANSACTION",
        "DEFAULT_VALUE_OF_TIME_PER_HOUR",
        "TravelSavings",
        "connected_totals",
        "cost_per_household",
        "cost_per_transaction",
        "transactions",
        "travel_savings",
    ],
    "smartkampung.sim.idm": [
        "DEFAULT_IDM_CUTOFF_MONTH",
        "DEFAULT_PRIOR_STRENGTH",
        "DEFAULT_PROGRAMME_EFFECTS",
        "IDMBacktest",
        "IDMDynamics",
        "IDMInputs",
        "NOT_CONNECTED",
        "PreparedIDM",
        "backtest_idm_dynamics",
        "composite_scores",
        "connection_idm_year",
        "draw_initial_state",
        "effect_floor",
        "fit_idm_dynamics",
        "idm_sample_months",
        "indicator_weights",
        "prepare_idm",
        "project_idm_status",
        "project_run",
        "project_runs",
        "simulate_idm_scores",
        "status_codes",
        "status_counts",
        "status_of_scores",
        "step_idm",
        "sub_index_totals",
        "sub_indices",
        "transition_pairs",
    ],
    "smartkampung.sim.distributions": ["quantile"],
    "smartkampung.sim.calibrate": ["CalibrationResult", "ModelFunction", "fit_budget", "fit_rollout"],
    "smartkampung.sim.forecast": [
        "RolloutCalibration",
        "RolloutForecaster",
        "RolloutModel",
        "calibrate_rollout",
        "model_truths",
    ],
    "smartkampung.sim.metrics": ["Metric", "MetricKind", "lookup", "metric_table", "summary_metrics"],
    "smartkampung.sim.fitting": [
        "BASS_FIT_METHODS",
        "BassFit",
        "BassForecaster",
        "BassPredictive",
        "BassRegression",
        "fit_bass",
    ],
    "smartkampung.sim.backtest": [
        "BacktestResult",
        "DEFAULT_BANDS",
        "Forecaster",
        "Predictive",
        "SamplePredictive",
        "backtest",
        "pool",
    ],
    "smartkampung.sim.run": [
        "Adoption",
        "DRAWS",
        "PreparedScenario",
        "RunDraws",
        "RunOutput",
        "TAIL_DRAWS",
        "adopt",
        "adopt_runs",
        "draw",
        "draw_names",
        "median_budget",
        "prepare",
        "run_chunk",
        "run_one",
        "run_outcomes",
        "schedule_run",
    ],
    "smartkampung.sim.results": ["CUMULATIVE_METRICS", "Comparison", "HEADLINE_METRICS", "Reducer", "SimulationResult"],
    "smartkampung.sim.ensemble": ["compare", "simulate"],
    "smartkampung.report": [
        "Assumption",
        "SummaryRow",
        "assumption_rows",
        "build_plan_report",
        "build_report",
        "file_record",
        "summary_rows",
        "summary_text",
        "write_report",
    ],
    "smartkampung.countries": [
        "COUNTRY_PROFILES",
        "CountryProfile",
        "country_profile",
        "starter_programme",
        "starter_scenario",
        "starter_technologies",
    ],
    "smartkampung.plots": ["adoption_by_pillar", "connection_map", "cost", "coverage", "idm_status", "network_map"],
    "smartkampung.cli": ["main", "run"],
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
