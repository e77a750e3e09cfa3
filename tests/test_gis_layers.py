"""GIS layers: one geometry type per layer, a connection date (YYYY-MM) and a probability on every feature."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import numpy as np
import pytest

from smartkampung import ParameterError, plan_network, simulate
from smartkampung.datasets import banyuwangi_scenario, boundaries_for, guimaras, synthetic_region
from smartkampung.io import link_layer, village_layer, write_layers


def _label(month: int) -> str:
    return f"{2020 + month // 12}-{month % 12 + 1:02d}"


@pytest.fixture(scope="module")
def plan():  # type: ignore[no-untyped-def]
    return plan_network(guimaras(), technology_choice=False, land=boundaries_for(guimaras()))


def test_village_layer_uses_polygons_when_every_village_has_one(plan) -> None:  # type: ignore[no-untyped-def]
    n = plan.n_villages
    month = np.arange(n, dtype=float)
    month[5] = np.nan
    layer = village_layer(
        plan,
        connection_month=month,
        p_connected=np.full(n, 0.75),
        month_label=_label,
        n_months=60,
        boundaries=boundaries_for(plan.region),
    )
    kinds = {f["geometry"]["type"] for f in layer["features"]}
    assert kinds == {"MultiPolygon"}
    props = [f["properties"] for f in layer["features"]]
    assert props[0]["connected"] == "2020-01"
    assert props[13]["connected"] == "2021-02"
    assert props[5]["connected"] is None
    assert props[5]["connection_month"] is None
    assert props[70]["connected"] is None  # month 70 is past the 60-month horizon
    assert {p["p_connected"] for p in props} == {0.75}
    assert [p["code"] for p in props] == [v.code for v in plan.region.villages]
    assert sum(p["water_km"] > 0 for p in props) == 3


def test_village_layer_without_polygons_is_points(plan) -> None:  # type: ignore[no-untyped-def]
    layer = village_layer(
        plan, connection_month=np.zeros(plan.n_villages), p_connected=1.0, month_label=_label, n_months=12
    )
    assert {f["geometry"]["type"] for f in layer["features"]} == {"Point"}
    first = plan.region.villages[0]
    assert layer["features"][0]["geometry"]["coordinates"] == [first.location.lon_deg, first.location.lat_deg]


def test_link_layer_is_line_strings_dated_by_the_village(plan) -> None:  # type: ignore[no-untyped-def]
    n = plan.n_villages
    layer = link_layer(plan, connection_month=np.full(n, 2.4), p_connected=np.ones(n), month_label=_label, n_months=12)
    assert {f["geometry"]["type"] for f in layer["features"]} == {"LineString"}
    assert len(layer["features"]) == n  # every village hangs from a village or a point of presence
    assert {f["properties"]["connected"] for f in layer["features"]} == {"2020-03"}  # 2.4 rounds to month 2
    i = next(k for k, v in enumerate(plan.region.villages) if plan.parent[k] >= 0)
    feature = next(f for f in layer["features"] if f["properties"]["to_code"] == plan.region.villages[i].code)
    assert feature["properties"]["from"] == plan.region.villages[int(plan.parent[i])].code


def test_layer_arguments_are_checked(plan) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError) as info:
        village_layer(plan, connection_month=[1.0, 2.0], p_connected=1.0, month_label=_label, n_months=3)
    assert info.value.parameter == "connection_month"
    assert info.value.function == "village_layer"
    with pytest.raises(ParameterError, match="p_connected"):
        link_layer(plan, connection_month=np.zeros(plan.n_villages), p_connected=1.5, month_label=_label, n_months=3)


def test_layers_of_a_simulation_open_in_geopandas(tmp_path: Path) -> None:
    gpd = pytest.importorskip("geopandas")
    base = banyuwangi_scenario()
    scenario = attrs.evolve(base, horizon_months=18, rollout=attrs.evolve(base.rollout, initially_connected=2))
    result = simulate(scenario, runs=3, rng=5, region=synthetic_region(25, seed=3))
    assert result.prepared is not None
    villages, links = write_layers(
        tmp_path,
        result.prepared.plan,
        connection_month=result.mean_connection_month,
        p_connected=result.p_connected,
        month_label=scenario.month_label,
        n_months=scenario.horizon_months,
    )
    assert (villages.name, links.name) == ("villages.geojson", "links.geojson")
    frame = gpd.read_file(villages)
    assert set(frame.geom_type) == {"Point"}
    assert len(frame) == 25
    assert frame["p_connected"].between(0, 1).all()
    dates = frame["connected"].dropna()
    assert dates.str.fullmatch(r"\d{4}-\d{2}").all()
    assert set(dates) <= {scenario.month_label(m) for m in range(18)}
    lines = gpd.read_file(links)
    assert set(lines.geom_type) == {"LineString"}
    text = json.loads(villages.read_text(encoding="utf-8"))
    assert text["name"] == "villages"


def test_polygon_layer_opens_in_geopandas(tmp_path: Path, plan) -> None:  # type: ignore[no-untyped-def]
    gpd = pytest.importorskip("geopandas")
    paths = write_layers(
        tmp_path,
        plan,
        connection_month=np.zeros(plan.n_villages),
        p_connected=1.0,
        month_label=_label,
        n_months=6,
        boundaries=boundaries_for(plan.region),
        prefix="plan_",
    )
    frame = gpd.read_file(paths[0])
    assert paths[0].name == "plan_villages.geojson"
    assert set(frame.geom_type) == {"MultiPolygon"}
    assert frame.is_valid.all()
    assert frame["connected"].eq("2020-01").all()


def test_geopackage_holds_both_layers(tmp_path: Path, plan) -> None:  # type: ignore[no-untyped-def]
    gpd = pytest.importorskip("geopandas")
    from smartkampung.io import write_geopackage

    common = {
        "connection_month": np.arange(plan.n_villages, dtype=float),
        "p_connected": 1.0,
        "month_label": _label,
        "n_months": 200,
    }
    path = write_geopackage(tmp_path / "network.gpkg", village_layer(plan, **common), link_layer(plan, **common))
    villages = gpd.read_file(path, layer="villages")
    links = gpd.read_file(path, layer="links")
    assert (len(villages), len(links)) == (plan.n_villages, plan.n_villages)
    assert set(links.geom_type) == {"LineString"}
    assert villages.crs.to_epsg() == 4326
    assert villages["connected"].iloc[12] == "2021-01"
    assert [p.name for p in tmp_path.iterdir()] == ["network.gpkg"]
