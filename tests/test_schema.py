"""The JSON Schema of the file formats agrees with what the converter writes and reads."""

from __future__ import annotations

import copy
import json
from typing import Any

import attrs
import pytest

from smartkampung import DataFileError, io, smart_kampung_programme
from smartkampung.datasets import banyuwangi, banyuwangi_scenario, guimaras
from smartkampung.model import DISTRIBUTIONS, Programme, Region, Scenario

jsonschema = pytest.importorskip("jsonschema")

CLASSES = (Scenario, Programme, Region)


def _validator(cls: type) -> Any:
    schema = io.json_schema(cls)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _doc(obj: Any) -> Any:
    return json.loads(io.dumps(obj))


def _full_scenario() -> Scenario:
    from test_scenario import full_scenario

    return full_scenario()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_schema_is_a_valid_draft_2020_12_schema(cls: type) -> None:
    schema = io.json_schema(cls)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == f"smartkampung {cls.__name__}"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    # The top-level properties are exactly the class's fields.
    assert set(schema["properties"]) == {f.name for f in attrs.fields(cls) if f.init}
    required = {f.name for f in attrs.fields(cls) if f.init and f.default is attrs.NOTHING}
    assert set(schema.get("required", [])) == required


@pytest.mark.parametrize(
    ("make", "cls"),
    [
        (banyuwangi_scenario, Scenario),
        (_full_scenario, Scenario),
        (smart_kampung_programme, Programme),
        (banyuwangi, Region),
        (guimaras, Region),
    ],
    ids=["banyuwangi_scenario", "full_scenario", "programme", "banyuwangi", "guimaras"],
)
def test_what_the_library_writes_is_valid(make: Any, cls: type) -> None:
    doc = _doc(make())
    errors = list(_validator(cls).iter_errors(doc))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_descriptions_come_from_the_docstrings() -> None:
    schema = io.json_schema(Scenario)
    assert "[months]" in schema["properties"]["horizon_months"]["description"]
    rollout = schema["$defs"]["RolloutAssumptions"]["properties"]
    assert "[currency/month]" in rollout["budget_per_month"]["description"]
    assert rollout["policy"]["description"]
    assert schema["$defs"]["Distribution"]["anyOf"][0] == {"type": "number"}
    kinds = [v["properties"]["distribution"]["const"] for v in schema["$defs"]["Distribution"]["anyOf"][1:]]
    assert kinds == list(DISTRIBUTIONS)


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    doc = copy.deepcopy(doc)
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return doc


SCENARIO_BREAKAGES = [
    (("colour",), "red"),  # unknown key at the top
    (("rollout", "budget_idr_per_mnth"), 1e9),  # unknown key in a section
    (("rollout", "budget_per_month", "mode"), 3.0),  # unknown key in a distribution
    (("horizon_months",), "ten years"),  # wrong type
    (("horizon_months",), 12.5),  # not a whole number
    (("rollout", "carry_over"), "yes"),
    (("rollout", "budget_per_month"), {"distribution": "gamma", "low": 1, "high": 2}),
    (("rollout", "budget_per_month"), {"low": 1, "high": 2}),  # untagged table
    (("region", "backbone"), "satellite"),  # not in the enum
    (("programme", "services", 0, "adoption_model"), "logistic"),
    (("programme", "services", 0, "p_innovation"), "0.01"),
]


@pytest.mark.parametrize(("path", "value"), SCENARIO_BREAKAGES, ids=lambda x: str(x))
def test_schema_rejects_what_the_loader_rejects(path: tuple[Any, ...], value: Any) -> None:
    doc = _set(_doc(banyuwangi_scenario()), path, value)
    assert list(_validator(Scenario).iter_errors(doc)), f"the schema accepts {path} = {value!r}"
    with pytest.raises(DataFileError):
        io.loads(json.dumps(doc), Scenario)


def test_schema_rejects_missing_required_keys() -> None:
    doc = _doc(banyuwangi_scenario())
    del doc["region"]
    assert list(_validator(Scenario).iter_errors(doc))
    doc = _doc(smart_kampung_programme())
    del doc["services"][3]["market_share"]
    assert list(_validator(Programme).iter_errors(doc))


def test_region_schema_rejects_bad_villages() -> None:
    doc = _doc(guimaras())
    validator = _validator(Region)
    for path, value in [
        (("villages", 4, "population"), "many"),
        (("villages", 4, "kind"), "hamlet"),
        (("villages", 4, "popualtion"), 3),
        (("villages", 4, "location", "lat"), 1.0),
        (("code_system",), "psgc"),
    ]:
        assert list(validator.iter_errors(_set(doc, path, value))), path


def test_minimal_scenario_file_is_valid() -> None:
    doc = {"name": "t", "region": {"builtin": "guimaras"}, "rollout": {"budget_per_month": 5e8}}
    assert not list(_validator(Scenario).iter_errors(doc))
    io.loads(json.dumps(doc), Scenario)
