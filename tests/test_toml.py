"""The small TOML writer: whatever it writes, the standard library's tomllib reads back unchanged."""

from __future__ import annotations

import math
import tomllib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartkampung.io._toml import toml_dumps
from strategies import AWKWARD_STRINGS, awkward_text, toml_documents


def _same(a: Any, b: Any) -> bool:
    """Equality that also tells 0.0 from -0.0 and the type of numbers (1 vs 1.0 vs True)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return bool(a == b)


@given(doc=toml_documents())
def test_arbitrary_nested_data_round_trips(doc: dict[str, Any]) -> None:
    text = toml_dumps(doc)
    assert _same(tomllib.loads(text), doc), text


@given(key=awkward_text(), value=awkward_text())
def test_any_key_and_string_round_trips(key: str, value: str) -> None:
    doc = {key: value, "table": {key: [value, {key: value}]}, "rows": [{key: value}, {}]}
    assert tomllib.loads(toml_dumps(doc)) == doc


@pytest.mark.parametrize("text", AWKWARD_STRINGS)
def test_awkward_strings(text: str) -> None:
    doc = {"s": text, text or "empty": 1, "nested": {"s": text}}
    assert tomllib.loads(toml_dumps(doc)) == doc


def test_control_characters_are_escaped() -> None:
    every_control = "".join(chr(c) for c in range(0x20)) + "\x7f"
    text = toml_dumps({"s": every_control})
    assert all(ch not in text[:-1] for ch in every_control if ch != "\n")
    assert text.count("\n") == 1
    assert tomllib.loads(text)["s"] == every_control


@pytest.mark.parametrize(
    "value",
    [
        0.0,
        -0.0,
        5e-324,
        1e-300,
        2.2250738585072014e-308,
        1e300,
        1.7976931348623157e308,
        0.1,
        1 / 3,
        -2.5e-7,
        1e16,
        123456789012345678.0,
        math.inf,
        -math.inf,
    ],
)
def test_floats_are_exact(value: float) -> None:
    back = tomllib.loads(toml_dumps({"x": value, "xs": [value]}))
    assert _same(back, {"x": value, "xs": [value]})


def test_nan_is_written_as_nan() -> None:
    back = tomllib.loads(toml_dumps({"x": math.nan, "xs": [math.nan, 1.0]}))
    assert math.isnan(back["x"])
    assert math.isnan(back["xs"][0])
    assert back["xs"][1] == 1.0


@pytest.mark.parametrize("value", [0, -1, 2**63 - 1, -(2**63)])
def test_integers_stay_integers(value: int) -> None:
    back = tomllib.loads(toml_dumps({"n": value}))
    assert back["n"] == value
    assert type(back["n"]) is int


def test_booleans_stay_booleans() -> None:
    back = tomllib.loads(toml_dumps({"t": True, "f": False, "mixed": [True, 1, 1.0, "1"]}))
    assert _same(back, {"t": True, "f": False, "mixed": [True, 1, 1.0, "1"]})


def test_tables_and_arrays_of_tables_layout() -> None:
    doc = {
        "name": "x",
        "location": {"lat_deg": 1.0},
        "villages": [{"code": "a", "location": {"lat_deg": 2.0}}, {"code": "b"}],
    }
    text = toml_dumps(doc)
    assert text == (
        'name = "x"\n\n[location]\nlat_deg = 1.0\n\n[[villages]]\ncode = "a"\n\n[villages.location]\n'
        'lat_deg = 2.0\n\n[[villages]]\ncode = "b"\n'
    )
    assert tomllib.loads(text) == doc


def test_keys_needing_quotes() -> None:
    doc = {"a.b": {"c d": 1, "": 2, "é": {"[x]": 3}}, "plain-key_1": [{'q"uote': 4}]}
    text = toml_dumps(doc)
    assert '["a.b"]' in text
    assert "plain-key_1" in text
    assert tomllib.loads(text) == doc


def test_empty_containers() -> None:
    doc: dict[str, Any] = {"empty_list": [], "empty_table": {}, "rows": [{}, {}], "inline": [[{}], []]}
    assert tomllib.loads(toml_dumps(doc)) == doc
    assert toml_dumps({}) == "\n"
    assert tomllib.loads(toml_dumps({})) == {}


def test_none_values_in_tables_are_left_out() -> None:
    doc = {"a": None, "b": 1, "t": {"c": None, "d": [1]}, "rows": [{"e": None, "f": 2}], "inline": [{"g": None}]}
    assert tomllib.loads(toml_dumps(doc)) == {"b": 1, "t": {"d": [1]}, "rows": [{"f": 2}], "inline": [{}]}


@pytest.mark.parametrize("bad", [[1, 2], "text", 3, None])
def test_top_level_must_be_a_table(bad: Any) -> None:
    with pytest.raises(TypeError, match="top level"):
        toml_dumps(bad)


def test_unwritable_values() -> None:
    with pytest.raises(TypeError, match="None"):
        toml_dumps({"xs": [1, None]})
    with pytest.raises(TypeError, match="set"):
        toml_dumps({"s": {1, 2}})
    with pytest.raises(TypeError, match="bytes"):
        toml_dumps({"b": b"raw"})


@given(doc=toml_documents(max_leaves=10))
def test_output_is_deterministic_and_ends_with_a_newline(doc: dict[str, Any]) -> None:
    text = toml_dumps(doc)
    assert text == toml_dumps(doc)
    assert text.endswith("\n")
    assert not text.startswith("\n\n")


@given(
    items=st.lists(
        st.dictionaries(awkward_text(), st.integers(-(2**63), 2**63 - 1), max_size=3), min_size=1, max_size=4
    )
)
def test_arrays_of_tables_keep_their_order(items: list[dict[str, int]]) -> None:
    back = tomllib.loads(toml_dumps({"rows": items, "deeper": {"rows": items}}))
    assert back == {"rows": items, "deeper": {"rows": items}}


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
def test_integers_beyond_64_bits_are_refused(value: int) -> None:
    # TOML integers are 64-bit; writing a larger one would make an invalid document.
    with pytest.raises(TypeError, match="64-bit"):
        toml_dumps({"n": value})
