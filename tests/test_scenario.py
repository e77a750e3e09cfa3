"""Scenarios: construction, TOML/JSON round trips, and file errors that name record and field."""

from __future__ import annotations

import copy
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import attrs
import pytest

from smartkampung import DataFileError, Problem, io, smart_kampung_programme
from smartkampung.datasets import banyuwangi_scenario
from smartkampung.io import converter
from smartkampung.model import (
    DISTRIBUTIONS,
    POLICIES,
    AdoptionAssumptions,
    BudgetPhase,
    Fixed,
    FromPosterior,
    IDMAssumptions,
    IndicatorEffect,
    Location,
    LogNormal,
    Normal,
    OutcomeAssumptions,
    Programme,
    Region,
    RegionSource,
    RolloutAssumptions,
    RolloutPosterior,
    Scenario,
    Triangular,
    Uniform,
    VillageKind,
)

FORMATS = ("toml", "json")


def full_scenario() -> Scenario:
    """A scenario that sets every field away from its default and uses every distribution kind."""
    return Scenario(
        name='Every kind: "quoted", \\ and ✓',
        region=RegionSource(
            csv="villages.csv",
            code="0607900000",
            name="Guimaras",
            country="PH",
            kind=VillageKind.BARANGAY,
            household_size=4.2,
        ),
        programme=smart_kampung_programme(),
        start="2025-11",
        horizon_months=48,
        rollout=RolloutAssumptions(
            budget_per_month=Triangular(1e8, 3e8, 7e8),
            budget_phases=(
                BudgetPhase(6, Uniform(1e9, 2e9), note="phase one"),
                BudgetPhase(18, Normal(2e9, 3e8, low=0.0)),  # high = inf
                BudgetPhase(30, LogNormal(1.5e9, 0.4), note="log-normal"),
                BudgetPhase(40, Fixed(0.0), note="stop"),
            ),
            build_km_per_month=25.5,
            policy="least_developed",
            carry_over=False,
            initially_connected=("0607901001", "0607901002"),
            route_factor=1.45,
            demand_mbps=25.0,
            horizon_years=15.0,
            discount_rate=0.06,
            technology_choice=True,
            capex_multiplier=Normal(1.0, 0.2, 0.5, 2.0),
            readiness_months=FromPosterior(),
            cost_spread=Uniform(0.0, 0.4),
            posterior=RolloutPosterior(
                ("readiness_months", "budget_phases[0]"),
                ((3.0, 1e9), (5.5, 1.2e9)),
                (0, 7),
                99,
                source="two rows for the round trip",
            ),
        ),
        adoption=AdoptionAssumptions(
            p_multiplier=LogNormal(1.0, 0.3),
            q_multiplier=Triangular(0.5, 1.0, 1.5),
            neighbour_weight=0.0,
            n_neighbours=3,
            stochastic=False,
        ),
        outcomes=OutcomeAssumptions(
            office=Location(10.6, 122.6),
            road_factor=1.4,
            speed_kmh=25.0,
            cost_per_km=100.0,
            value_of_time_per_hour=5000.0,
            idm=IDMAssumptions(
                observed_year=2024,
                status_counts=(1, 2, 3, 4, 5),
                source='a count, "quoted"',
                effects=(
                    IndicatorEffect("s_internet_kantor_desa", 5, "connection", source="rule 1"),
                    IndicatorEffect("s_akses_internet_warga", 4, "e_learning", 0.25),
                ),
                cutoff_month=5,
                counterfactual=True,
            ),
        ),
        description="line 1\nline 2\twith a tab",
    )


def test_full_scenario_uses_every_distribution_kind() -> None:
    # Guard for the round-trip test below: it must cover every kind.
    sc = full_scenario()
    ro, ad = sc.rollout, sc.adoption
    used = {
        type(d)
        for d in (
            ro.budget_per_month,
            ro.capex_multiplier,
            ad.p_multiplier,
            ad.q_multiplier,
            ro.readiness_months,
            ro.cost_spread,
            *(p.budget_per_month for p in ro.budget_phases),
        )
    }
    assert used == set(DISTRIBUTIONS.values())


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("make", [banyuwangi_scenario, full_scenario], ids=["banyuwangi", "full"])
def test_text_round_trip(make: Any, fmt: io.Format) -> None:
    sc = make()
    text = io.dumps(sc, fmt)
    back = io.loads(text, Scenario, fmt)
    assert back == sc
    assert io.dumps(back, fmt) == text  # stable: writing again gives the same text


@pytest.mark.parametrize("suffix", [".toml", ".json"])
@pytest.mark.parametrize("make", [banyuwangi_scenario, full_scenario], ids=["banyuwangi", "full"])
def test_file_round_trip(tmp_path: Path, make: Any, suffix: str) -> None:
    sc = make()
    path = tmp_path / f"scenario{suffix}"
    io.dump(sc, path)
    expected = sc
    if sc.region.csv is not None and not Path(sc.region.csv).is_absolute():
        # A relative village CSV is read from the scenario file's folder: loaded as that absolute path.
        assert f'"{sc.region.csv}"' in path.read_text(encoding="utf-8")
        expected = attrs.evolve(sc, region=attrs.evolve(sc.region, csv=str((tmp_path / sc.region.csv).resolve())))
    assert io.load(path, Scenario) == expected


def test_json_is_standard_json() -> None:
    # Infinite bounds are written as strings JSON can hold, and read back as floats.
    text = io.dumps(full_scenario(), "json")
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    phase = doc["rollout"]["budget_phases"][1]["budget_per_month"]
    assert phase == {"distribution": "normal", "mu": 2e9, "sigma": 3e8, "low": 0.0, "high": "inf"}
    back = io.loads(text, Scenario)
    assert back.rollout.budget_phases[1].budget_per_month.high == math.inf  # type: ignore[union-attr]


def test_distribution_tables_in_toml() -> None:
    doc = tomllib.loads(io.dumps(banyuwangi_scenario(), "toml"))
    # The flagship's budgets come from its calibrated posterior sample (issue 10), written as a marker table.
    assert doc["rollout"]["budget_per_month"] == {"distribution": "posterior"}
    assert len(doc["rollout"]["posterior"]["values"]) == 400
    assert doc["rollout"]["budget_phases"][1]["scale"] == {"distribution": "uniform", "low": 0.25, "high": 1.25}
    assert doc["rollout"]["capex_multiplier"] == 1.0  # Fixed: a plain number


_MINIMAL = 'name = "t"\n\n[region]\nbuiltin = "banyuwangi"\n'


def test_minimal_file_takes_the_defaults() -> None:
    sc = io.loads(_MINIMAL, Scenario, "toml")
    assert sc == Scenario(name="t", region=RegionSource(builtin="banyuwangi"))
    assert sc.programme == smart_kampung_programme()
    assert sc.rollout.budget_per_month == Fixed(1e9)


def test_plain_numbers_become_fixed() -> None:
    text = _MINIMAL + (
        "\n[rollout]\nbudget_per_month = 500000000\ncapex_multiplier = 1.25\n"
        "\n[[rollout.budget_phases]]\nstart_month = 3\nbudget_per_month = 2e9\n"
        "\n[adoption]\np_multiplier = 1\nq_multiplier = 0.5\n"
    )
    sc = io.loads(text, Scenario, "toml")
    assert sc.rollout.budget_per_month == Fixed(5e8)
    assert isinstance(sc.rollout.budget_per_month.value, float)
    assert sc.rollout.capex_multiplier == Fixed(1.25)
    assert sc.rollout.budget_phases == (BudgetPhase(3, Fixed(2e9)),)
    assert sc.adoption.p_multiplier == Fixed(1.0)
    assert sc.adoption.q_multiplier == Fixed(0.5)
    # ... and a Fixed is written back as a plain number
    assert "capex_multiplier = 1.25\n" in io.dumps(sc, "toml")
    doc = json.loads(io.dumps(sc, "json"))
    assert doc["rollout"]["budget_per_month"] == 5e8


def test_plain_numbers_become_fixed_in_python_too() -> None:
    ro = RolloutAssumptions(budget_per_month=3, capex_multiplier=2.5)  # type: ignore[arg-type]
    assert ro.budget_per_month == Fixed(3.0)
    assert ro.capex_multiplier == Fixed(2.5)
    assert BudgetPhase(2, 7).budget_per_month == Fixed(7.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="budget_per_month"):
        RolloutAssumptions(budget_per_month="lots")  # type: ignore[arg-type]


def test_initially_connected_as_codes_in_a_file() -> None:
    text = _MINIMAL + '\n[rollout]\ninitially_connected = ["35.10.01.2001", "35.10.15.2012"]\n'
    assert io.loads(text, Scenario, "toml").rollout.initially_connected == ("35.10.01.2001", "35.10.15.2012")
    text = _MINIMAL + "\n[rollout]\ninitially_connected = 12\n"
    assert io.loads(text, Scenario, "toml").rollout.initially_connected == 12


# ------------------------------------------------------------- the model itself


def test_month_labels() -> None:
    sc = banyuwangi_scenario()  # starts 2016-06
    assert sc.start_year_month == (2016, 6)
    assert sc.month_label(0) == "2016-06"
    assert sc.month_label(6) == "2016-12"
    assert sc.month_label(7) == "2017-01"
    assert sc.month_label(119) == "2026-05"
    assert attrs.evolve(sc, start="1999-12").month_label(1) == "2000-01"


def test_distribution_means_by_hand() -> None:
    assert Fixed(2.5).mean == 2.5
    assert Uniform(2.0, 10.0).mean == 6.0
    assert Triangular(0.0, 1.0, 4.0).mean == pytest.approx(5 / 3)
    assert LogNormal(5.0, 0.7).mean == pytest.approx(5.0 * math.exp(0.245))
    assert Normal(3.0, 1.0, 0.0, 10.0).mean == 3.0


def test_banyuwangi_scenario_is_what_its_docstring_says() -> None:
    sc = banyuwangi_scenario()
    assert sc.region == RegionSource(builtin="banyuwangi")
    assert sc.rollout.initially_connected == 41
    assert sc.rollout.policy == "nearest"
    assert sc.rollout.technology_choice is False
    # January 2017, the ICON+ agreement; June 2018, after the last published count (budget unknown).
    assert [p.start_month for p in sc.rollout.budget_phases] == [7, 24]
    assert sc.month_label(7) == "2017-01"
    assert sc.horizon_months == 120


@pytest.mark.parametrize(
    ("build", "error", "text"),
    [
        (lambda: Uniform(2.0, 1.0), ValueError, "high"),
        (lambda: Normal(0.0, 1.0, 1.0, 1.0), ValueError, "low"),
        (lambda: Normal(0.0, -1.0), ValueError, "sigma"),
        (lambda: LogNormal(0.0, 1.0), ValueError, "median"),
        (lambda: LogNormal(1.0, -0.1), ValueError, "sigma"),
        (lambda: Triangular(0.0, 2.0, 1.0), ValueError, "mode"),
        (lambda: Triangular(1.0, 1.0, 1.0), ValueError, "low < high"),
        (lambda: Fixed(math.nan), ValueError, "finite"),
        (lambda: Uniform(0.0, math.inf), ValueError, "finite"),
        (lambda: BudgetPhase(0, Fixed(1.0)), ValueError, "start_month"),
        (lambda: RolloutAssumptions(policy="random"), ValueError, "policy"),
        (lambda: RolloutAssumptions(route_factor=0.9), ValueError, "route_factor"),
        (lambda: RolloutAssumptions(initially_connected=-1), ValueError, "initially_connected"),
        (lambda: RolloutAssumptions(initially_connected=True), TypeError, "initially_connected"),
        (
            lambda: RolloutAssumptions(budget_phases=(BudgetPhase(5, Fixed(1.0)), BudgetPhase(5, Fixed(2.0)))),
            ValueError,
            "budget_phases",
        ),
        (lambda: RolloutAssumptions(build_km_per_month=0.0), ValueError, "build_km_per_month"),
        (lambda: AdoptionAssumptions(neighbour_weight=1.5), ValueError, "neighbour_weight"),
        (lambda: AdoptionAssumptions(n_neighbours=0), ValueError, "n_neighbours"),
        (lambda: IDMAssumptions(observed_year=2020, status_counts=(1, -2, 3)), ValueError, "status_counts"),
        (lambda: IDMAssumptions(status_counts=(1, 2, 3, 4, 5)), ValueError, "observed_year"),
        (lambda: IDMAssumptions(observed_year=2020, cutoff_month=13), ValueError, "cutoff_month"),
        (lambda: IDMAssumptions(effects=("s_internet_kantor_desa",)), TypeError, "effects"),
        (lambda: RegionSource(), ValueError, "exactly one"),
        (lambda: RegionSource(builtin="banyuwangi", csv="v.csv", code="a", name="b"), ValueError, "exactly one"),
        (lambda: RegionSource(builtin="atlantis"), ValueError, "builtin"),
        (lambda: RegionSource(csv="v.csv"), ValueError, "code"),
        (lambda: RegionSource(builtin="guimaras", country="Philippines"), ValueError, "country"),
        (lambda: Scenario("t", RegionSource(builtin="banyuwangi"), start="2016-13"), ValueError, "start"),
        (lambda: Scenario("t", RegionSource(builtin="banyuwangi"), horizon_months=0), ValueError, "horizon_months"),
    ],
)
def test_invalid_values_are_refused_at_construction(build: Any, error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        build()


# ------------------------------------------------------------------ file errors


def _load_error(tmp_path: Path, text: str, suffix: str, cls: type[Any] = Scenario) -> DataFileError:
    path = tmp_path / f"bad{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        io.load(path, cls)
    err = info.value
    assert err.source == str(path)
    assert str(err).startswith(str(path)), str(err)  # names the file first
    assert err.problems, str(err)
    for p in err.problems:
        assert str(p) in str(err)  # lists every problem
        # A message a person can read: no reprs of attrs internals.
        assert "Attribute(" not in p.message, repr(p)
        assert "validator" not in p.message, repr(p)
    return err


def _serialise(doc: Any, suffix: str) -> str:
    from smartkampung.io._toml import toml_dumps

    return toml_dumps(doc) if suffix == ".toml" else json.dumps(doc)


def _scenario_doc() -> dict[str, Any]:
    doc = converter.unstructure(banyuwangi_scenario())
    assert isinstance(doc, dict)
    return doc


def _one_at(err: DataFileError, section: str, key: str, *texts: str) -> Problem:
    """The problem about ``key`` of table ``section`` (``"$"`` for the top level).

    Accepts the two ways a location can be spelt: record ``$.section`` with
    field ``key``, or (for checks that span a table) record ``$`` with field
    ``section`` and the key named in the message.
    """
    hits = []
    for p in err.problems:
        at_key = p.record == section and p.field == key
        at_table = section != "$" and p.record == "$" and p.field == section.removeprefix("$.") and key in p.message
        if (at_key or at_table) and all(t in p.message for t in texts):
            hits.append(p)
    assert hits, f"no problem about {section}.{key} with {texts} in:\n{err}"
    return hits[0]


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_unknown_distribution_name(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    doc["rollout"]["capex_multiplier"] = {"distribution": "gamma", "shape": 2.0, "scale": 1.0}
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    p = _one_at(err, "$.rollout", "capex_multiplier", "gamma")
    assert "uniform" in p.message  # lists the known kinds


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_unknown_keys(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    doc["rollout"]["budget_idr_per_mnth"] = 5
    doc["rollout"]["budget_per_month"]["mode"] = 3.0  # a uniform has no mode
    doc["outcomes"]["idm"]["lag"] = 3
    doc["colour"] = "red"
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    _one_at(err, "$.rollout", "budget_idr_per_mnth", "unknown key", "did you mean 'budget_per_month'")
    _one_at(err, "$.rollout.budget_per_month", "mode", "unknown key")
    _one_at(err, "$.outcomes.idm", "lag", "unknown key")
    _one_at(err, "$", "colour", "unknown key")
    assert len(err.problems) == 4, str(err)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_policy_not_in_policies(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    doc["rollout"]["policy"] = "random"
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    p = _one_at(err, "$.rollout", "policy", "random")
    assert all(name in p.message for name in POLICIES), p


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_route_factor_below_one(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    doc["rollout"]["route_factor"] = 0.8
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    _one_at(err, "$.rollout", "route_factor", "0.8")


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_budget_phases_out_of_order(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    doc["rollout"]["budget_phases"] = [
        {"start_month": 24, "budget_per_month": 2e9},
        {"start_month": 12, "budget_per_month": 1e9},
    ]
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    _one_at(err, "$.rollout", "budget_phases", "24", "12")


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_budget_phase_errors_name_the_phase(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    doc["rollout"]["budget_phases"] = [
        {"start_month": 6, "budget_per_month": "lots"},
        {"start_month": 12.5, "budget_per_month": 1e9},
    ]
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    _one_at(err, "$.rollout.budget_phases[0]", "budget_per_month", "lots")
    _one_at(err, "$.rollout.budget_phases[1]", "start_month", "12.5")


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_region_with_both_builtin_and_csv(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    doc["region"].update(csv="villages.csv", code="X", name="Y")
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    p = [p for p in err.problems if p.record in ("$", "$.region") and "region" in str(p)]
    assert len(p) == 1, str(err)
    assert "builtin" in p[0].message
    assert "csv" in p[0].message


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_bad_start_month(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    doc["start"] = "2016-13"
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    _one_at(err, "$", "start", "2016-13")


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_wrong_types(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    doc["horizon_months"] = "ten years"
    doc["rollout"]["carry_over"] = 3
    doc["adoption"]["q_multiplier"] = [1, 2]
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    _one_at(err, "$", "horizon_months", "ten years")
    _one_at(err, "$.rollout", "carry_over", "3")
    _one_at(err, "$.adoption", "q_multiplier")
    assert len(err.problems) == 3, str(err)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_service_naming_an_unknown_pillar(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    assert doc["programme"]["services"][2]["id"] == "police_record"
    doc["programme"]["services"][2]["pillar"] = "space_programme"
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    assert len(err.problems) == 1, str(err)
    p = err.problems[0]
    assert p.field == "pillar", repr(p)
    assert "space_programme" in p.message
    assert "police_record" in str(p)
    assert "public_services" in p.message  # lists the known pillars
    # located like every other record: $.path[index] (id ...)
    assert p.record == "$.programme.services[2] (id police_record)", repr(p)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_service_without_parameters(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    assert doc["programme"]["services"][4]["id"] == "posyandu_records"
    doc["programme"]["services"][4] = {"id": "posyandu_records", "name": "Posyandu", "pillar": "health"}
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    record = "$.programme.services[4] (id posyandu_records)"
    missing = {p.field for p in err.problems if p.record == record and "missing" in p.message}
    assert missing == {"p_innovation", "q_imitation", "market_share", "transactions_per_household_per_year"}, str(err)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_programme_file_with_unknown_pillar(tmp_path: Path, suffix: str) -> None:
    doc = converter.unstructure(smart_kampung_programme())
    doc["services"][0]["pillar"] = "space_programme"
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix, Programme)
    assert [(p.record, p.field) for p in err.problems] == [("$.services[0] (id civil_registration)", "pillar")], str(
        err
    )


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_idm_score_outside_unit_interval_names_the_village(tmp_path: Path, small_region: Region, suffix: str) -> None:
    doc = converter.unstructure(small_region)
    assert doc["villages"][0]["idm"] is not None
    doc = copy.deepcopy(doc)
    doc["villages"][0]["idm"]["iks"] = 1.5
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix, Region)
    assert len(err.problems) == 1, str(err)
    p = err.problems[0]
    assert p.record == "$.villages[0] (code 35.10.01.2001)", repr(p)
    assert p.field == "idm" or p.field == "iks", repr(p)
    assert "iks" in str(p)
    assert "1.5" in p.message


def test_every_problem_of_a_file_is_reported(tmp_path: Path) -> None:
    doc = _scenario_doc()
    doc["horizon_months"] = -5.5
    doc["rollout"]["capex_multiplier"] = {"distribution": "uniform", "low": 1.0}
    doc["adoption"]["n_neighbours"] = "six"
    doc["outcomes"]["speed_kmh"] = True
    err = _load_error(tmp_path, _serialise(doc, ".json"), ".json")
    _one_at(err, "$", "horizon_months")
    _one_at(err, "$.rollout", "capex_multiplier", "high", "missing")
    _one_at(err, "$.adoption", "n_neighbours", "six")
    _one_at(err, "$.outcomes", "speed_kmh", "True")


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_every_bad_value_of_one_section_is_reported(tmp_path: Path, suffix: str) -> None:
    # Not only the first validator that fails: a user fixes a file in one pass.
    doc = _scenario_doc()
    doc["rollout"]["policy"] = "random"
    doc["rollout"]["route_factor"] = 0.8
    doc["rollout"]["demand_mbps"] = -1.0
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    _one_at(err, "$.rollout", "policy", "random")
    _one_at(err, "$.rollout", "route_factor", "0.8")
    _one_at(err, "$.rollout", "demand_mbps", "-1.0")


def test_not_toml_at_all(tmp_path: Path) -> None:
    err = _load_error(tmp_path, 'name = "unterminated\n', ".toml")
    assert "TOML" in err.problems[0].message


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_bad_idm_section_names_record_and_field(tmp_path: Path, suffix: str) -> None:
    doc = _scenario_doc()
    doc["outcomes"]["idm"]["effects"][1]["scor"] = 5
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    _one_at(err, "$.outcomes.idm.effects[1]", "scor", "unknown key", "did you mean 'score'")
    doc = _scenario_doc()
    doc["outcomes"]["idm"]["cutoff_month"] = 13
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    assert any(p.field == "cutoff_month" or "cutoff_month" in p.message for p in err.problems), err.problems
    doc = _scenario_doc()
    doc["outcomes"]["idm"]["status_counts"] = [0, 0, "26", 111, 52]
    err = _load_error(tmp_path, _serialise(doc, suffix), suffix)
    assert any("status_counts" in str(p) for p in err.problems), err.problems
