"""Issue 12, class 3: what ``validate`` calls ok, ``simulate`` runs, and no output cell is NaN or infinite unexplained.

Every numeric field has a domain (finite unless infinity means "no limit",
integers within 64 bits, sane upper bounds); a model that loads can be
dumped and loaded again; an undefined ratio is an empty cell with a note.
"""

from __future__ import annotations

import copy
import csv
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartkampung import DataFileError, Scenario
from smartkampung.cli import main
from smartkampung.datasets import banyuwangi_scenario
from smartkampung.io import dumps, loads
from smartkampung.io._toml import toml_dumps

VILLAGES = (
    "code,name,district_code,lat,lon,population\n"
    "A1,Alpha,D1,-8.30,114.30,1200\nA2,Beta,D1,-8.32,114.31,800\nA3,Gamma,D1,-8.31,114.33,2500\n"
    "B1,Delta,D2,-8.40,114.20,900\nB2,Epsilon,D2,-8.42,114.22,3100\nB3,Zeta,D2,-8.41,114.19,1500\n"
)


def scenario_document() -> dict[str, Any]:
    """The Banyuwangi scenario on a six-village table, one year long (quick to simulate)."""
    doc: dict[str, Any] = json.loads(dumps(banyuwangi_scenario()))
    doc["horizon_months"] = 12
    doc["region"] = {"csv": "villages.csv", "code": "T", "name": "Test", "country": "ID"}
    doc["rollout"]["budget_phases"] = []
    doc["rollout"]["initially_connected"] = 1
    return doc


def write(folder: Path, doc: dict[str, Any]) -> Path:
    (folder / "villages.csv").write_text(VILLAGES, encoding="utf-8")
    path = folder / "scenario.json"
    path.write_text(json.dumps(doc, allow_nan=False), encoding="utf-8")
    return path


def set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    node: Any = doc
    *parents, last = path.split(".")
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


# The reproducers of the issue, and their kin: each validated "ok" and then failed or wrote NaN.
REFUSED = [
    ("programme.services.0.lag_months", 2**63, "lag_months"),
    ("programme.services.0.lag_months", 1201, "lag_months"),
    ("horizon_months", 1201, "horizon_months"),
    ("programme.technologies.0.capex", "inf", "capex"),
    ("programme.technologies.0.opex_per_year", "inf", "opex_per_year"),
    ("programme.technologies.0.capex_per_km", 1e16, "capex_per_km"),
    ("programme.services.0.p_innovation", "inf", "p_innovation"),
    ("programme.services.0.q_imitation", "inf", "q_imitation"),
    ("programme.services.0.transactions_per_household_per_year", "inf", "transactions_per_household_per_year"),
    ("programme.services.0.bandwidth_mbps", "inf", "bandwidth_mbps"),
    ("programme.services.0.p_innovation", 101, "p_innovation"),
    ("region.household_size", 1e-300, "household_size"),
    ("rollout.budget_per_month", "inf", "budget_per_month"),
    ("rollout.budget_per_month", {"distribution": "lognormal", "median": 1e9, "sigma": 30}, "can draw"),
    ("rollout.budget_per_month", {"distribution": "normal", "mu": 1e9, "sigma": 1e14}, "can draw"),
    ("rollout.initially_connected", 2**63, "initially_connected"),
    ("rollout.discount_rate", 1e300, "discount_rate"),
    ("adoption.n_neighbours", 10**6, "n_neighbours"),
    ("outcomes.value_of_time_per_hour", 1e300, "value_of_time_per_hour"),
    ("outcomes.idm.lag_months", 2**62, "lag_months"),
    ("programme.services.0.name", "Civil \ud800 registration", "lone surrogate"),
    ("programme.pillars.0.name", "\udfff", "lone surrogate"),
    ("name", "x\ud800", "lone surrogate"),
    ("start", "2016-06\n", "start"),
    ("start", "\u0662\u0660\u0661\u0666-06", "start"),
    ("programme.services.0.lag_months", 10**400, "lag_months"),
    ("rollout.route_factor", 10**400, "route_factor"),
]


@pytest.mark.parametrize(("path", "value", "named"), REFUSED, ids=[f"{p}={v!r}"[:60] for p, v, _ in REFUSED])
def test_validate_refuses_what_simulate_cannot_run(
    tmp_path: Path, path: str, value: Any, named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = scenario_document()
    set_path(doc, path, value)
    file = tmp_path / "scenario.json"
    (tmp_path / "villages.csv").write_text(VILLAGES, encoding="utf-8")
    file.write_text(json.dumps(doc, ensure_ascii=True), encoding="utf-8")
    assert main(["validate", str(file)]) == 1
    out = capsys.readouterr().out
    assert named in out, out
    assert "Traceback" not in out


def finite_or_explained(folder: Path) -> None:
    """Every cell of every CSV output is a finite number, text, or empty where the table says why."""
    for table in folder.glob("*.csv"):
        with table.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        header = rows[0]
        for row in rows[1:]:
            for column, cell in zip(header, row, strict=True):
                lowered = cell.strip().lower()
                assert lowered not in ("nan", "inf", "-inf", "infinity"), (table.name, column, row[:3])
                if cell == "" and column.startswith("q"):  # a quantile: the note says why
                    assert row[header.index("note")], (table.name, row)
                if cell == "" and column.startswith("mean_"):  # a mean over no run: its share is 0
                    share = column.replace("mean_connection_month", "p_connected").replace(
                        "mean_half_adoption_month", "p_half_adoption"
                    )
                    assert float(row[header.index(share)]) == 0.0, (table.name, column, row[:3])
    json.loads(
        (folder / "network.geojson").read_text(encoding="utf-8"),
        parse_constant=lambda c: pytest.fail(f"{c} in network.geojson"),
    )
    summary = (folder / "summary.txt").read_text(encoding="utf-8")
    assert "inf" not in summary.split()
    if "–" in summary:  # an undefined headline ratio: the summary says what it means
        assert "(–: undefined in at least one run" in summary


def test_an_undefined_ratio_is_an_empty_cell_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = scenario_document()
    doc["rollout"]["budget_per_month"] = 0  # nothing is ever connected...
    doc["rollout"]["initially_connected"] = 0
    file = write(tmp_path, doc)
    assert main(["validate", str(file)]) == 0
    out = tmp_path / "out"
    assert main(["simulate", str(file), "--runs", "2", "--out", str(out), "--no-plots", "-q"]) == 0
    capsys.readouterr()
    with (out / "monthly.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-1] == "note"
    per_household = [r for r in rows if r[1] == "cost_per_connected_household"]
    assert per_household
    assert all(r[3:6] == ["", "", ""] for r in per_household)  # ...so the cost per household is undefined
    assert all("no household is connected" in r[6] for r in per_household)
    assert all(r[6] == "" for r in rows[1:] if r[1] == "villages_connected")
    finite_or_explained(out)
    assert "(–: undefined in at least one run" in (out / "summary.txt").read_text(encoding="utf-8")


def test_the_writer_refuses_an_unexplained_non_finite_value() -> None:
    from smartkampung.cli import _csv_text

    assert _csv_text(["a", "b"], [["x", 1.5]], name="t.csv") == "a,b\nx,1.5\n"
    with pytest.raises(RuntimeError, match="no reason given"):
        _csv_text(["a", "b"], [["x", math.inf]], name="t.csv")
    with pytest.raises(RuntimeError, match="no reason given"):
        _csv_text(["a", "b"], [["x", math.nan]], name="t.csv")
    assert _csv_text(["a", "b"], [["x", math.nan]], name="t.csv", note=lambda r: "why") == "a,b,note\nx,,why\n"
    assert _csv_text(["p", "m"], [[0.0, math.nan]], name="t.csv", empty_when={"m": "p"}) == "p,m\n0,\n"
    with pytest.raises(RuntimeError):
        _csv_text(["p", "m"], [[0.5, math.nan]], name="t.csv", empty_when={"m": "p"})


# ------------------------------------------------------------------ property: validate ok => simulate ok

# Values at and beyond the ends of every domain, and a few ordinary ones.
_EDGES = st.sampled_from(
    [
        0,
        1,
        -1,
        0.5,
        1e-300,
        1e15,
        1.0000001e15,
        1e300,
        2**53 + 1,
        2**63 - 1,
        2**63,
        1200,
        1201,
        "inf",
        "-inf",
        "nan",
        100,
        100.5,
        1000,
        1e6,
        0.001,
    ]
)
_FIELDS = [
    "horizon_months",
    "programme.services.0.p_innovation",
    "programme.services.0.q_imitation",
    "programme.services.0.market_share",
    "programme.services.0.transactions_per_household_per_year",
    "programme.services.0.bandwidth_mbps",
    "programme.services.0.lag_months",
    "programme.services.7.linear_rate",
    "programme.technologies.0.capex",
    "programme.technologies.0.capex_per_km",
    "programme.technologies.0.opex_per_year",
    "programme.technologies.0.opex_per_mbps_year",
    "programme.technologies.0.max_link_km",
    "programme.technologies.0.capacity_mbps",
    "rollout.budget_per_month",
    "rollout.capex_multiplier",
    "rollout.build_km_per_month",
    "rollout.route_factor",
    "rollout.demand_mbps",
    "rollout.horizon_years",
    "rollout.discount_rate",
    "rollout.initially_connected",
    "adoption.p_multiplier",
    "adoption.q_multiplier",
    "adoption.neighbour_weight",
    "adoption.n_neighbours",
    "outcomes.road_factor",
    "outcomes.speed_kmh",
    "outcomes.cost_per_km",
    "outcomes.value_of_time_per_hour",
    "outcomes.idm.effect_social",
    "outcomes.idm.base_spread",
    "outcomes.idm.lag_months",
    "outcomes.idm.trend_per_year",
    "region.household_size",
]


@settings(max_examples=20)
@given(
    changes=st.lists(st.tuples(st.sampled_from(_FIELDS), _EDGES), min_size=1, max_size=3),
    technology_choice=st.booleans(),
)
def test_anything_validate_calls_ok_simulates_to_finite_outputs(
    changes: list[tuple[str, Any]], technology_choice: bool
) -> None:
    doc = scenario_document()
    doc["rollout"]["technology_choice"] = technology_choice
    for path, value in changes:
        set_path(doc, path, value)
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        file = write(folder, doc)
        if main(["validate", "-q", str(file)]) != 0:
            return
        out = folder / "out"
        assert main(["simulate", str(file), "--runs", "2", "--out", str(out), "--no-plots", "-q"]) == 0, changes
        finite_or_explained(out)


# ------------------------------------------------------------------ property: what loads, dumps again


@settings(max_examples=30)
@given(changes=st.lists(st.tuples(st.sampled_from(_FIELDS), _EDGES), max_size=4), fmt=st.sampled_from(["json", "toml"]))
def test_a_model_that_loads_can_be_dumped_and_loaded_again(changes: list[tuple[str, Any]], fmt: str) -> None:
    doc = scenario_document()
    for path, value in changes:
        set_path(doc, path, copy.deepcopy(value))
    try:
        scenario = loads(json.dumps(doc), Scenario)
    except DataFileError:
        return
    text = dumps(scenario, fmt)  # type: ignore[arg-type]
    assert loads(text, Scenario, format=fmt) == scenario  # type: ignore[arg-type]


def test_integers_above_2_63_no_longer_break_the_toml_writer() -> None:
    doc = scenario_document()
    doc["programme"]["services"][0]["lag_months"] = 2**63 + 5
    with pytest.raises(DataFileError, match="lag_months"):
        loads(json.dumps(doc), Scenario)
    # What does load writes back: the TOML writer is never handed an integer it cannot write.
    assert toml_dumps({"n": 2**63 - 1}) == "n = 9223372036854775807\n"
