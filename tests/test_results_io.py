"""A simulation result saved (``io.write_result``) and read back (``io.read_result``): exact, and clear when not."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smartkampung as sk
from smartkampung import DataFileError, ParameterError, datasets, io
from smartkampung.model import RegionSource, Scenario
from smartkampung.sim import prepare
from smartkampung.sim.land import Boundaries


@pytest.fixture(scope="module")
def banyuwangi_result() -> sk.SimulationResult:
    # To May 2021: the IDM 2020 state and the 2021 projection are in it; the plan checked against the polygons.
    region = datasets.banyuwangi()
    land = datasets.boundaries_for(region)
    scenario = attrs.evolve(datasets.banyuwangi_scenario(), horizon_months=60)
    return sk.simulate(prepare(scenario, region, land=land, idm=datasets.idm_inputs()), runs=3, rng=5)


def test_a_result_reads_back_equal(banyuwangi_result: sk.SimulationResult, tmp_path: Path) -> None:
    result = banyuwangi_result
    land = datasets.boundaries_for(result.prepared.plan.region)  # type: ignore[union-attr]
    json_path, npz_path = io.write_result(tmp_path, result, land=land)
    assert (json_path.name, npz_path.name) == ("result.json", "result.npz")
    back = io.read_result(tmp_path)
    assert back == result  # every label and array, NaN where NaN
    assert back.has_idm
    assert back.year_labels == (2020, 2021)
    assert back.seed_entropy == 5
    assert back.prepared is not None
    assert result.prepared is not None
    assert back.prepared.scenario == result.prepared.scenario
    assert back.prepared.plan == result.prepared.plan
    assert back.prepared.plan.notes == result.prepared.plan.notes  # checked against the same land
    np.testing.assert_array_equal(back.prepared.market, result.prepared.market)
    # What the files hold, in the open: a format tag, the version, the scenario and region as plain JSON.
    meta = json.loads(json_path.read_text(encoding="utf-8"))
    assert meta["format"] == "smartkampung-result/1"
    assert meta["smartkampung"] == sk.__version__
    assert meta["region"]["name"] == "Kabupaten Banyuwangi"
    assert len(meta["region"]["villages"]) == 217
    assert meta["land"]["sha256"]
    assert "wilayah_boundaries" in meta["land"]["source"]
    with np.load(npz_path, allow_pickle=False) as data:  # plain arrays, no pickles
        np.testing.assert_array_equal(data["monthly"], result.monthly)
        assert data["village_codes"].dtype.kind == "U"


def _tiny_scenario(horizon: int) -> Scenario:
    base = datasets.banyuwangi_scenario()
    return Scenario(
        name="tiny", region=RegionSource(builtin="banyuwangi"), programme=base.programme, horizon_months=horizon
    )


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n_villages=st.integers(2, 12),
    runs=st.integers(1, 3),
    horizon=st.integers(1, 14),
    seed=st.integers(0, 2**64),
    keep=st.booleans(),
)
def test_round_trip_is_exact(
    tmp_path_factory: pytest.TempPathFactory, n_villages: int, runs: int, horizon: int, seed: int, keep: bool
) -> None:
    region = datasets.synthetic_region(n_villages, seed=seed % 1000)
    result = sk.simulate(prepare(_tiny_scenario(horizon), region), runs=runs, rng=seed, keep_trajectories=keep)
    folder = tmp_path_factory.mktemp("result")
    io.write_result(folder, result)
    back = io.read_result(folder)
    assert back == result
    assert back.seed_entropy == seed
    assert (back.trajectories is None) == (not keep)
    if keep:
        assert back.trajectories is not None
        assert result.trajectories is not None
        assert back.trajectories.dtype == result.trajectories.dtype
        np.testing.assert_array_equal(back.trajectories, result.trajectories)
    # The result read back runs again as the one written: its prepared scenario is complete.
    assert sk.simulate(back.prepared, runs=runs, rng=seed) == sk.simulate(result.prepared, runs=runs, rng=seed)


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    region = datasets.synthetic_region(6, seed=2)
    result = sk.simulate(prepare(_tiny_scenario(4), region), runs=2, rng=1)
    io.write_result(tmp_path, result)
    return tmp_path


def _problem(excinfo: pytest.ExceptionInfo[DataFileError]) -> str:
    return " | ".join(p.message for p in excinfo.value.problems)


def test_a_folder_that_is_not_a_results_folder(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as info:
        io.read_result(tmp_path)
    assert "holds no result.json: not a results folder" in _problem(info)
    with pytest.raises(DataFileError) as info:
        io.read_result(tmp_path / "missing")
    assert "is not a folder" in _problem(info)
    (tmp_path / "result.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        io.read_result(tmp_path)
    assert "cannot be read as JSON" in _problem(info)
    (tmp_path / "result.json").write_text('{"villages": []}', encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        io.read_result(tmp_path)
    assert "no format tag" in _problem(info)


def test_a_result_of_an_incompatible_version(saved: Path) -> None:
    meta = json.loads((saved / "result.json").read_text(encoding="utf-8"))
    meta["format"], meta["smartkampung"] = "smartkampung-result/0", "0.0.1"
    (saved / "result.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        io.read_result(saved)
    message = _problem(info)
    assert "written in format 'smartkampung-result/0' by smartkampung 0.0.1" in message
    assert "reads 'smartkampung-result/1' only" in message
    assert str(info.value.source).endswith("result.json")


def test_missing_and_damaged_arrays(saved: Path) -> None:
    npz = saved / "result.npz"
    with np.load(npz, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    np.savez(npz, **{k: v for k, v in arrays.items() if k != "draws"})
    with pytest.raises(DataFileError) as info:
        io.read_result(saved)
    assert "array 'draws' is missing" in _problem(info)
    np.savez(npz, **{**arrays, "monthly": arrays["monthly"][:1]})
    with pytest.raises(DataFileError) as info:
        io.read_result(saved)
    assert "array 'monthly' is float64 [1," in _problem(info)
    npz.write_bytes(b"not a zip file")
    with pytest.raises(DataFileError) as info:
        io.read_result(saved)
    assert "cannot be read" in _problem(info)
    npz.unlink()
    with pytest.raises(DataFileError) as info:
        io.read_result(saved)
    assert "holds result.json but no result.npz" in _problem(info)


def test_a_scenario_whose_plan_does_not_rebuild(saved: Path) -> None:
    meta = json.loads((saved / "result.json").read_text(encoding="utf-8"))
    meta["scenario"]["rollout"]["route_factor"] = 1.9  # another planner, in effect
    (saved / "result.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        io.read_result(saved)
    message = _problem(info)
    assert "the network plan rebuilt from the saved scenario differs in link_km" in message
    assert "run the simulation again with this version" in message


def test_land_polygons_of_ones_own_must_be_given(tmp_path: Path) -> None:
    region = datasets.guimaras()
    bundled = datasets.boundaries_for(region)
    assert bundled is not None
    # The same barangays, every point a hair to the east: polygons that are not the bundled ones.
    own = Boundaries(
        codes=bundled.codes,
        names=bundled.names,
        source="a survey of our own",
        polygons=[
            [[ring + np.array([1e-7, 0.0]) for ring in polygon] for polygon in feature] for feature in bundled.polygons
        ],
    )
    scenario = attrs.evolve(_tiny_scenario(3), region=RegionSource(builtin="guimaras"))
    result = sk.simulate(prepare(scenario, region, land=own), runs=1, rng=2)
    io.write_result(tmp_path, result, land=own)
    with pytest.raises(DataFileError) as info:
        io.read_result(tmp_path)
    assert "land polygons (a survey of our own) that are not at hand: pass them as land=" in _problem(info)
    assert io.read_result(tmp_path, land=own) == result


def test_writing_needs_the_prepared_scenario(tmp_path: Path, saved: Path) -> None:
    result = io.read_result(saved)
    bare = attrs.evolve(result, prepared=None)
    with pytest.raises(ParameterError) as info:
        io.write_result(tmp_path, bare)
    assert info.value.parameter == "result"
    assert "write_result" in str(info.value)
