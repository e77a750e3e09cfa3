"""Land polygons and water crossings: point-in-polygon, km over water, and the plan's pricing of crossings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartkampung import DataFileError, ParameterError, plan_network
from smartkampung.datasets import banyuwangi, boundaries, boundaries_for, guimaras
from smartkampung.io import read_boundaries
from smartkampung.sim.geometry import great_circle_km
from smartkampung.sim.land import Boundaries, water_km
from smartkampung.sim.technology import DEFAULT_WATER_COST_FACTOR

SQUARE = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
HOLE = [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6], [0.4, 0.4]]


def _islands() -> Boundaries:
    """Two unit squares on the equator, 1° apart: [0, 1] and [2, 3] in longitude, [0, 1] in latitude."""
    east = [[x + 2.0, y] for x, y in SQUARE]
    return Boundaries(["west", "east"], ["West", "East"], [[[SQUARE]], [[east]]], source="test")


def test_contains_follows_holes_and_shared_edges() -> None:
    holed = Boundaries(["a"], ["A"], [[[SQUARE, HOLE]]])
    inside = holed.contains([0.2, 0.5, 0.5, 1.5, 0.9], [0.2, 0.5, 0.2, 0.5, 0.9])
    assert inside.tolist() == [True, False, True, False, True]
    # Two squares sharing an edge: points on either side are on land.
    right = [[x + 1.0, y] for x, y in SQUARE]
    pair = Boundaries(["a", "b"], ["A", "B"], [[[SQUARE]], [[right]]])
    assert pair.contains([0.5, 0.5, 0.5], [0.99, 1.01, 2.5]).tolist() == [True, True, False]


@given(st.lists(st.tuples(st.floats(-0.5, 1.5), st.floats(-0.5, 1.5)), min_size=1, max_size=50))
def test_contains_matches_the_square_with_a_hole(points: list[tuple[float, float]]) -> None:
    holed = Boundaries(["a"], ["A"], [[[SQUARE, HOLE]]])
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    in_square = (lon > 0) & (lon < 1) & (lat > 0) & (lat < 1)
    in_hole = (lon > 0.4) & (lon < 0.6) & (lat > 0.4) & (lat < 0.6)
    on_edge = np.isin(lon, [0, 1, 0.4, 0.6]) | np.isin(lat, [0, 1, 0.4, 0.6])
    got = holed.contains(lat, lon)
    np.testing.assert_array_equal(got[~on_edge], (in_square & ~in_hole)[~on_edge])


def test_water_km_of_a_strait() -> None:
    land = _islands()
    # From the middle of the west island to the middle of the east one: 1° of the 2° is water.
    wet = water_km([0.5], [0.5], [0.5], [2.5], land, step_km=0.5, min_run_km=0.0)
    total = float(great_circle_km(0.5, 0.5, 0.5, 2.5))
    assert wet[0] == pytest.approx(total / 2, rel=0.01)
    # A link within one island, and a zero-length link, cross no water.
    assert water_km([0.2, 0.5], [0.2, 0.5], [0.8, 0.5], [0.8, 0.5], land).tolist() == [0.0, 0.0]


def test_short_gaps_do_not_count_as_water() -> None:
    land = _islands()
    # A 1°-wide strait is 111 km: above any minimum run below that, and ignored above.
    assert water_km([0.5], [0.5], [0.5], [2.5], land, min_run_km=100.0)[0] > 100
    assert water_km([0.5], [0.5], [0.5], [2.5], land, min_run_km=120.0)[0] == 0.0


def test_water_km_refuses_bad_arguments() -> None:
    land = _islands()
    with pytest.raises(ParameterError) as info:
        water_km([0.5], [0.5], [0.5, 1.0], [2.5], land)
    assert info.value.parameter == "lat1_deg"
    assert info.value.function == "water_km"
    with pytest.raises(ParameterError, match="step_km"):
        water_km([0.5], [0.5], [0.5], [2.5], land, step_km=0)
    with pytest.raises(ParameterError, match="land"):
        water_km([0.5], [0.5], [0.5], [2.5], [SQUARE])  # type: ignore[arg-type]


def test_boundaries_refuse_bad_polygons() -> None:
    with pytest.raises(ParameterError, match="duplicate code 'a'"):
        Boundaries(["a", "a"], ["A", "A"], [[[SQUARE]], [[SQUARE]]])
    with pytest.raises(ParameterError, match="at least 3"):
        Boundaries(["a"], ["A"], [[[[[0, 0], [1, 1]]]]])
    with pytest.raises(ParameterError, match="degrees"):
        Boundaries(["a"], ["A"], [[[[[0, 0], [200, 0], [0, 1]]]]])
    with pytest.raises(ParameterError, match="2 codes"):
        Boundaries(["a", "b"], ["A"], [[[SQUARE]]])


def test_bundled_boundaries_cover_their_regions() -> None:
    villages, districts, barangays = boundaries(), boundaries("banyuwangi", "district"), boundaries("guimaras")
    assert (len(villages), len(districts), len(barangays)) == (217, 25, 98)
    assert villages.covers(v.code for v in banyuwangi().villages)
    assert districts.covers(d.code for d in banyuwangi().districts)
    assert barangays.covers(v.code for v in guimaras().villages)
    assert boundaries_for(guimaras()) == barangays
    assert boundaries_for(["nowhere"]) is None
    region = guimaras()
    cols = region.to_columns()
    assert barangays.contains(cols.lat_deg, cols.lon_deg).all()  # every centroid is on land
    with pytest.raises(ParameterError) as info:
        boundaries("atlantis")
    assert info.value.function == "boundaries"


def test_guimaras_island_barangays_are_water_crossings() -> None:
    region = guimaras()
    land = boundaries_for(region)
    on_land = plan_network(region, technology_choice=False)
    with_water = plan_network(region, technology_choice=False, land=land)
    crossing = np.flatnonzero(with_water.water_km > 0)
    names = sorted(region.villages[i].name for i in crossing)
    assert names == ["Guiwanon", "Inampologan", "Panobolon"]  # the islands off Nueva Valencia and Sibunag
    assert any("no land polygons" in n for n in on_land.notes)
    assert any("3 tree link(s) leave land" in n for n in with_water.notes)
    # Exact extra capital: the water km cost (factor - 1) times the fibre cost per km more than land.
    fibre = next(t for t in region_technologies() if t.id == "fibre")
    extra = with_water.capex - on_land.capex
    tree = with_water.tree
    land_km = tree.link_km * (1 - with_water.water_km / tree.straight_km)
    expected = fibre.capex_per_km * (land_km + DEFAULT_WATER_COST_FACTOR * with_water.water_km - tree.link_km)
    np.testing.assert_allclose(extra, expected, rtol=1e-9, atol=1e-3)
    assert (extra[crossing] > 0).all()
    assert (extra[with_water.water_km == 0] == 0).all()
    # Left to the technology choice, none of the three island links stays on fibre over the water.
    chosen = plan_network(region, land=land)
    assert not chosen.choice.on_fibre[crossing].any()
    assert any("left to another technology" in n for n in chosen.notes)


def region_technologies() -> tuple:  # type: ignore[type-arg]
    from smartkampung.model import DEFAULT_TECHNOLOGIES

    return DEFAULT_TECHNOLOGIES


def test_banyuwangi_mainland_needs_no_crossing() -> None:
    region = banyuwangi()
    plan = plan_network(region, technology_choice=False, land=boundaries_for(region))
    assert float(plan.water_km.sum()) == 0.0
    assert any("checked against" in n for n in plan.notes)


def test_read_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "b.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": 101, "name": "One"},
                        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    read = read_boundaries(path)
    assert read.codes == ("101",)
    assert read.source == "b.geojson"
    assert read.contains([0.5], [0.5]).tolist() == [True]
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "no code"},
                        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
                    },
                    {
                        "type": "Feature",
                        "properties": {"code": "p"},
                        "geometry": {"type": "Point", "coordinates": [0, 0]},
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as info:
        read_boundaries(bad)
    assert len(info.value.problems) == 2
    assert info.value.problems[0].record == "features[0]"
    assert "Point" in str(info.value)
    (tmp_path / "x.geojson").write_text("{", encoding="utf-8")
    with pytest.raises(DataFileError, match="not valid JSON"):
        read_boundaries(tmp_path / "x.geojson")
    with pytest.raises(DataFileError, match="cannot read"):
        read_boundaries(tmp_path / "missing.geojson")
