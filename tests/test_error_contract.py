"""Issue 12, class 5: every failure on user input is a SmartKampungError or a clean CLI message.

The loaders are fuzzed here (hypothesis): arbitrary documents, mutations of
valid documents and arbitrary tables raise nothing but SmartKampungError.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartkampung import DataFileError, Programme, Region, Scenario, SmartKampungError
from smartkampung.cli import main
from smartkampung.datasets import banyuwangi_scenario, guimaras
from smartkampung.io import converter, dumps, load, loads, read_villages_csv
from smartkampung.io._toml import toml_dumps
from strategies import awkward_text, json_values

KW = {"region_code": "R", "region_name": "R", "country": "PH"}
HEADER = "code,name,district_code,lat,lon,population\n"


def test_a_control_character_in_a_district_code_is_a_row_problem(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(HEADER + "A1,Alpha,D\x01,10.6,122.5,100\nA2,Beta,D2,10.6,122.5,100\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        read_villages_csv(path, **KW)  # type: ignore[arg-type]
    (problem,) = info.value.problems
    assert (problem.record, problem.field) == ("row 2 (code A1)", "district_code")
    assert "control characters" in problem.message


def test_a_folder_as_the_village_file_is_a_data_file_error(tmp_path: Path) -> None:
    folder = tmp_path / "villages.csv"
    folder.mkdir()
    with pytest.raises(DataFileError, match="is a folder"):
        read_villages_csv(folder, **KW)  # type: ignore[arg-type]


def test_validate_goes_on_after_a_file_that_cannot_be_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "dir.csv").mkdir()
    (tmp_path / "ctl.csv").write_text(HEADER + "A1,Alpha,D\x01,10.6,122.5,100\n", encoding="utf-8")
    good = tmp_path / "good.toml"
    good.write_text(dumps(banyuwangi_scenario(), "toml"), encoding="utf-8")
    files = [tmp_path / "dir.csv", tmp_path / "ctl.csv", tmp_path / "missing.json", good]
    assert main(["validate", *map(str, files)]) == 1
    out = capsys.readouterr().out
    for file in files[:3]:
        assert f"{file}: 1 problem" in out, out
    assert f"{good}: ok" in out


def test_schema_with_standard_output_closed(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    result = subprocess.run(
        f'"{sys.executable}" -m smartkampung schema >&-',
        shell=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "standard output is closed" in result.stderr
    # A reader that stops early (| head) is no error of ours to report with a traceback either.
    result = subprocess.run(
        f'"{sys.executable}" -m smartkampung schema | head -c 10',
        shell=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ fuzzing the loaders


def _only_library_errors(text: str, cls: type, fmt: str) -> None:
    try:
        obj = loads(text, cls, format=fmt)  # type: ignore[arg-type]
    except SmartKampungError:
        return
    # What loads is usable: it dumps and loads back to itself.
    assert loads(dumps(obj, fmt), cls, format=fmt) == obj  # type: ignore[arg-type]


@given(document=json_values(max_leaves=30), cls=st.sampled_from([Scenario, Programme, Region]))
def test_fuzz_arbitrary_json(document: Any, cls: type) -> None:
    _only_library_errors(json.dumps(document), cls, "json")


@given(
    text=st.text(max_size=200),
    cls=st.sampled_from([Scenario, Programme, Region]),
    fmt=st.sampled_from(["json", "toml"]),
)
def test_fuzz_arbitrary_text(text: str, cls: type, fmt: str) -> None:
    _only_library_errors(text, cls, fmt)


_VALID = {Scenario: json.loads(dumps(banyuwangi_scenario())), Region: converter.unstructure(guimaras())}
_REPLACEMENTS = st.one_of(
    json_values(max_leaves=4),
    awkward_text(),
    st.sampled_from(
        [
            None,
            True,
            -1,
            0,
            2**63,
            2**64,
            10**400,
            1e308,
            -1e308,
            2**53 + 1.0,
            "inf",
            "nan",
            "-inf",
            [],
            {},
            [{}],
            "\ud800",
            "1e9",
            0.5,
        ]
    ),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:3]):  # the first items of long lists are enough
            found += _paths(value, (*prefix, i))
    return found


_SCENARIO_PATHS = _paths(_VALID[Scenario])
_REGION_PATHS = _paths({**_VALID[Region], "villages": _VALID[Region]["villages"][:3]})


@settings(max_examples=60)
@given(data=st.data(), cls=st.sampled_from([Scenario, Region]), fmt=st.sampled_from(["json", "toml"]))
def test_fuzz_mutated_valid_documents(data: st.DataObject, cls: type, fmt: str) -> None:
    document = copy.deepcopy(_VALID[cls])
    paths = _SCENARIO_PATHS if cls is Scenario else _REGION_PATHS
    for path in data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=4)):
        node: Any = document
        try:
            for key in path[:-1]:
                node = node[key]
            if data.draw(st.booleans(), label="delete") and isinstance(node, dict):
                node.pop(path[-1], None)
            else:
                node[path[-1]] = data.draw(_REPLACEMENTS)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced a parent
    if fmt == "json":
        text = json.dumps(document, ensure_ascii=True)
    else:
        try:
            text = toml_dumps(document)
        except (TypeError, UnicodeEncodeError):
            return  # TOML cannot express it (None in a list, an integer beyond 64 bits)
    _only_library_errors(text, cls, fmt)


@given(content=st.binary(max_size=400), name=st.sampled_from(["s.toml", "s.json", "p.toml"]))
def test_fuzz_files_through_load_and_validate(content: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        path = Path(folder_name) / name
        path.write_bytes(content)
        with contextlib.suppress(SmartKampungError):
            load(path, Programme if name.startswith("p") else Scenario)
        assert main(["validate", "-q", str(path)]) in (0, 1)
