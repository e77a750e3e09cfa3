"""The names that said ``idr``: old names work for one release, warn at the user's line, never twice.

Every entry of :data:`smartkampung._deprecation.RENAMED` is exercised where it
lives (constructor keyword, ``attrs.evolve``, attribute, keyword argument,
file key, metric name, module constant), and the package itself raises no
DeprecationWarning of its own when used with the new names.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartkampung import datasets, io, simulate
from smartkampung._deprecation import RENAMED, current_keys, renamed_fields
from smartkampung._errors import DataFileError, FieldError, ParameterError
from smartkampung.model import BudgetPhase, Fixed, OutcomeAssumptions, RolloutAssumptions, Technology
from smartkampung.sim import outcomes, plan_network, schedule_rollout
from smartkampung.sim.planning import NetworkPlan
from smartkampung.sim.rollout import RolloutSchedule

OLD_WARNING = re.compile(r"deprecated.*the old name works until the next release")

#: The renamed constructor keywords of each model class, with a valid value.
MODEL_FIELDS: dict[type, dict[str, Any]] = {
    Technology: {
        "capex_idr": 1.0e6,
        "capex_idr_per_km": 2.0e6,
        "opex_idr_per_year": 3.0e6,
        "opex_idr_per_km_year": 4.0e3,
        "opex_idr_per_mbps_year": 5.0e3,
    },
    BudgetPhase: {"budget_idr_per_month": 7.0e8},
    RolloutAssumptions: {"budget_idr_per_month": Fixed(9.0e8)},
    OutcomeAssumptions: {"cost_idr_per_km": 1234.0, "value_of_time_idr_per_hour": 5678.0},
}
REQUIRED: dict[type, dict[str, Any]] = {Technology: {"id": "fibre", "name": "F"}, BudgetPhase: {"start_month": 3}}


def _only_deprecation(caught: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [w for w in caught if issubclass(w.category, DeprecationWarning)]


def test_table_drops_only_the_currency() -> None:
    # Each new name is its old one without "_idr" ("_IDR"), and no new name is itself old.
    for old, new in RENAMED.items():
        assert old.replace("_idr", "").replace("_IDR", "") == new
        assert new not in RENAMED
    assert len(set(RENAMED.values())) == len(RENAMED)


@pytest.mark.parametrize("cls", list(MODEL_FIELDS))
def test_old_keywords_build_the_same_object_with_a_warning_at_the_callers_line(cls: type) -> None:
    old_kwargs = MODEL_FIELDS[cls]
    new_kwargs = {RENAMED[k]: v for k, v in old_kwargs.items()}
    expected = cls(**REQUIRED.get(cls, {}), **new_kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        made = cls(**REQUIRED.get(cls, {}), **old_kwargs)
    assert made == expected
    found = _only_deprecation(caught)
    assert len(found) == len(old_kwargs)
    for w, (old, new) in zip(found, ((k, RENAMED[k]) for k in old_kwargs), strict=True):
        text = str(w.message)
        assert OLD_WARNING.search(text)
        assert f"{cls.__name__}({old}=...)" in text
        assert f"{cls.__name__}({new}=...)" in text
        assert w.filename == __file__  # attributed to this line, not to attrs or the package


@pytest.mark.parametrize("cls", list(MODEL_FIELDS))
def test_old_attributes_read_the_new_ones(cls: type) -> None:
    made = cls(**REQUIRED.get(cls, {}), **{RENAMED[k]: v for k, v in MODEL_FIELDS[cls].items()})
    for old in MODEL_FIELDS[cls]:
        with pytest.warns(
            DeprecationWarning,
            match=rf"{cls.__name__}\.{old} is deprecated: use "
            rf"{cls.__name__}\.{RENAMED[old]}",
        ):
            assert getattr(made, old) is getattr(made, RENAMED[old])


@pytest.mark.parametrize("cls", list(MODEL_FIELDS))
def test_a_name_given_both_ways_is_an_error_naming_both(cls: type) -> None:
    old, value = next(iter(MODEL_FIELDS[cls].items()))
    with pytest.raises(FieldError, match=rf"given twice, as '{RENAMED[old]}' and by its old name '{old}'"):
        cls(**REQUIRED.get(cls, {}), **{old: value, RENAMED[old]: value})


def test_evolve_takes_an_old_keyword() -> None:
    tech = Technology("fibre", "F", capex=1.0)
    with pytest.warns(DeprecationWarning, match=r"Technology\(capex_idr=\.\.\.\)"):
        changed = attrs.evolve(tech, capex_idr=2.0)
    assert changed.capex == 2.0
    assert changed.capex_per_km == tech.capex_per_km


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(MODEL_FIELDS[Technology])), st.floats(min_value=0.0, max_value=1e12, allow_nan=False))
def test_any_old_technology_keyword_round_trips(old: str, value: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        made = Technology("x", "X", **({"capex": 0.0} if old != "capex_idr" else {}), **{old: value})
        assert getattr(made, RENAMED[old]) == value
        assert getattr(made, old) == value


# ----------------------------------------------------------------- files


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_old_file_keys_are_read_with_a_warning_naming_the_file(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"tech.{fmt}"
    if fmt == "json":
        path.write_text(
            json.dumps({"id": "fibre", "name": "F", "capex_idr": 5.0, "opex_idr_per_year": 7.0}), encoding="utf-8"
        )
    else:
        path.write_text('id = "fibre"\nname = "F"\ncapex_idr = 5.0\nopex_idr_per_year = 7.0\n', encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tech = io.load(path, Technology)
    assert (tech.capex, tech.opex_per_year) == (5.0, 7.0)
    messages = [str(w.message) for w in _only_deprecation(caught)]
    assert len(messages) == 2
    assert all(str(path) in m for m in messages)
    assert any("key 'capex_idr' (in a Technology table) is deprecated: write 'capex'" in m for m in messages)


def test_a_file_key_given_both_ways_is_an_error_naming_file_and_both(tmp_path: Path) -> None:
    path = tmp_path / "tech.toml"
    path.write_text('id = "fibre"\nname = "F"\ncapex_idr = 5.0\ncapex = 6.0\n', encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        io.load(path, Technology)
    text = str(err.value)
    assert str(path) in text
    assert "'capex'" in text
    assert "'capex_idr'" in text


def test_a_scenario_file_with_old_keys_reads_as_the_new_one(tmp_path: Path) -> None:
    old = tmp_path / "old.toml"
    new = tmp_path / "new.toml"
    body = 'name = "t"\n[region]\nbuiltin = "guimaras"\n[rollout]\n{budget} = 5e8\n[outcomes]\n{cost} = 12.5\n'
    old.write_text(body.format(budget="budget_idr_per_month", cost="cost_idr_per_km"), encoding="utf-8")
    new.write_text(body.format(budget="budget_per_month", cost="cost_per_km"), encoding="utf-8")
    from smartkampung.model import Scenario

    with pytest.warns(DeprecationWarning, match="key '(budget|cost)_idr_per_(month|km)'.* is deprecated"):
        from_old = io.load(old, Scenario)
    assert from_old == io.load(new, Scenario)


def test_the_schema_lists_old_keys_as_deprecated() -> None:
    schema = io.json_schema(Technology)
    assert schema["properties"]["capex_idr"]["deprecated"] is True
    assert "capex" in schema["properties"]
    assert not schema["properties"]["capex"].get("deprecated", False)
    assert set(renamed_fields(Technology)) == set(MODEL_FIELDS[Technology])


# ----------------------------------------------------------------- functions and results


@pytest.fixture(scope="module")
def plan() -> NetworkPlan:
    return plan_network(datasets.guimaras())


def test_old_keyword_arguments_of_functions(plan: NetworkPlan) -> None:
    new = schedule_rollout(plan, budget_per_month=3.0e6, n_months=24)
    with pytest.warns(DeprecationWarning, match=r"schedule_rollout\(budget_idr_per_month=\.\.\.\) is deprecated"):
        old = schedule_rollout(plan, budget_idr_per_month=3.0e6, n_months=24)
    assert old == new
    with pytest.raises(ParameterError, match="budget_per_month"):
        schedule_rollout(plan, budget_per_month=3.0e6, budget_idr_per_month=3.0e6, n_months=24)


def test_old_result_attributes(plan: NetworkPlan) -> None:
    sched: RolloutSchedule = schedule_rollout(plan, budget_per_month=3.0e6, n_months=24)
    for old in ("budget_idr", "spend_idr", "cumulative_spend_idr"):
        with pytest.warns(DeprecationWarning, match=f"RolloutSchedule.{old} is deprecated"):
            np.testing.assert_array_equal(getattr(sched, old), getattr(sched, RENAMED[old]))
    for old in ("capex_idr", "opex_idr_per_year", "total_capex_idr", "total_opex_idr_per_year"):
        with pytest.warns(DeprecationWarning, match=f"NetworkPlan.{old} is deprecated"):
            np.testing.assert_array_equal(getattr(plan, old), getattr(plan, RENAMED[old]))


def test_travel_savings_old_arguments_and_fields() -> None:
    args = (np.array([[2.0, 3.0]]), np.array([4.0, 5.0]))
    new = outcomes.travel_savings(*args, cost_per_km=100.0, value_of_time_per_hour=2000.0)
    with pytest.warns(DeprecationWarning, match=r"travel_savings\((cost|value_of_time)_idr_per_(km|hour)=\.\.\.\)"):
        old = outcomes.travel_savings(*args, cost_idr_per_km=100.0, value_of_time_idr_per_hour=2000.0)
    for name in new._fields:
        np.testing.assert_array_equal(getattr(old, name), getattr(new, name))
    for old_name in ("cost_idr", "time_value_idr", "total_idr"):
        with pytest.warns(DeprecationWarning, match=old_name):
            np.testing.assert_array_equal(getattr(new, old_name), getattr(new, RENAMED[old_name]))


def test_old_module_constants() -> None:
    with pytest.warns(DeprecationWarning, match="DEFAULT_COST_IDR_PER_KM is deprecated"):
        assert outcomes.DEFAULT_COST_IDR_PER_KM == outcomes.DEFAULT_COST_PER_KM
    with pytest.warns(DeprecationWarning, match="DEFAULT_VALUE_OF_TIME_IDR_PER_HOUR"):
        assert outcomes.DEFAULT_VALUE_OF_TIME_IDR_PER_HOUR == outcomes.DEFAULT_VALUE_OF_TIME_PER_HOUR
    with pytest.raises(AttributeError, match="no attribute 'DEFAULT_NOTHING'"):
        _ = outcomes.DEFAULT_NOTHING  # type: ignore[attr-defined]


def test_old_metric_names_and_no_warning_from_the_package_itself() -> None:
    scenario = attrs.evolve(datasets.banyuwangi_scenario().without_idm(), horizon_months=24)
    with warnings.catch_warnings():
        # The package, used with the new names, warns about no old name of its own.
        warnings.simplefilter("error", DeprecationWarning)
        result = simulate(scenario, runs=2, rng=7)
        result.summary()
    for old in ("cumulative_cost_idr", "capex_idr", "cost_per_transaction_idr"):
        with pytest.warns(DeprecationWarning, match=f"the metric '{old}' is deprecated: use '{RENAMED[old]}'"):
            values = result.metric(old)
        np.testing.assert_array_equal(values, result.metric(RENAMED[old]))


def test_current_keys_maps_old_grid_names_and_refuses_both() -> None:
    with pytest.warns(DeprecationWarning, match="'budget_idr_per_month' is deprecated"):
        assert current_keys({"budget_idr_per_month": 1}, ["budget_per_month"], "parameter", "grid", "f") == {
            "budget_per_month": 1
        }
    with pytest.raises(ParameterError, match="grid"), pytest.warns(DeprecationWarning, match="deprecated"):
        current_keys({"budget_idr_per_month": 1, "budget_per_month": 2}, ["budget_per_month"], "parameter", "grid", "f")


def test_programme_currency_is_checked() -> None:
    base = datasets.banyuwangi_scenario().programme
    assert base.currency == "IDR"
    assert attrs.evolve(base, currency="PHP").currency == "PHP"
    for bad in ("php", "PESO", "", "P1P"):
        with pytest.raises(FieldError, match="currency"):
            attrs.evolve(base, currency=bad)
