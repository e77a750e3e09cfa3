"""Tests for smartkampung.sim.outcomes: coverage, transactions, travel, cost (the IDM: test_idm_*.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from smartkampung._errors import ParameterError
from smartkampung.sim.outcomes import (
    DEFAULT_COST_PER_KM,
    DEFAULT_ROAD_FACTOR,
    DEFAULT_SPEED_KMH,
    DEFAULT_VALUE_OF_TIME_PER_HOUR,
    TravelSavings,
    connected_totals,
    cost_per_household,
    cost_per_transaction,
    transactions,
    travel_savings,
)

# -------------------------------------------------------------------- connected_totals


def test_connected_totals_hand_example() -> None:
    months = [0, 2, 5, -3, 2]  # 5 = never within a 4-month horizon; -3 = before start
    np.testing.assert_array_equal(connected_totals(months, None, 4), [2, 2, 4, 4])
    households = [10, 20, 30, 40, 50]
    np.testing.assert_array_equal(connected_totals(months, households, 4), [50, 50, 120, 120])
    both = connected_totals(months, np.stack([np.ones(5), households]), 4)
    assert both.shape == (2, 4)
    np.testing.assert_array_equal(both, [[2, 2, 4, 4], [50, 50, 120, 120]])


def test_connected_totals_leading_run_dimension() -> None:
    months = np.array([[0, 1, 9], [3, 3, 0]])  # 2 runs, 3 villages
    out = connected_totals(months, None, 4)
    assert out.shape == (2, 4)
    np.testing.assert_array_equal(out, [[1, 2, 2, 2], [1, 1, 1, 3]])
    weighted = connected_totals(months, np.array([[1, 1, 1], [5, 6, 7]]), 4)
    assert weighted.shape == (2, 2, 4)
    np.testing.assert_array_equal(weighted[1, 1], [7, 7, 7, 18])


def _totals_by_loop(months: np.ndarray, weights: np.ndarray, n_months: int) -> np.ndarray:
    out = np.zeros((*months.shape[:-1], n_months))
    for idx in np.ndindex(months.shape[:-1]):
        for t in range(n_months):
            out[(*idx, t)] = sum(w for m, w in zip(months[idx], weights, strict=True) if m <= t)
    return out


@settings(max_examples=40, deadline=None)
@given(
    months=hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.integers(-3, 12)),
    n_months=st.integers(1, 10),
    data=st.data(),
)
def test_connected_totals_matches_loop(months: np.ndarray, n_months: int, data: st.DataObject) -> None:
    weights = data.draw(hnp.arrays(np.float64, months.shape[-1], elements=st.integers(0, 1000).map(float)))
    out = connected_totals(months, weights, n_months)
    np.testing.assert_allclose(out, _totals_by_loop(months, weights, n_months))
    assert np.all(np.diff(out, axis=-1) >= 0)


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"connection_month": [0, 1], "weights": None, "n_months": 0}, "n_months"),
        ({"connection_month": [0, 1], "weights": None, "n_months": 2.0}, "n_months"),
        ({"connection_month": [0, 1], "weights": None, "n_months": True}, "n_months"),
        ({"connection_month": [0, 1.5], "weights": None, "n_months": 3}, "connection_month"),
        ({"connection_month": 3, "weights": None, "n_months": 3}, "connection_month"),
        ({"connection_month": [0, 1], "weights": [1, 2, 3], "n_months": 3}, "weights"),
        ({"connection_month": [0, 1], "weights": [1, -2], "n_months": 3}, "weights"),
        ({"connection_month": [0, 1], "weights": [1, np.nan], "n_months": 3}, "weights"),
        ({"connection_month": [0, 1], "weights": np.ones((1, 1, 2)), "n_months": 3}, "weights"),
    ],
)
def test_connected_totals_errors(kwargs: dict[str, object], parameter: str) -> None:
    with pytest.raises(ParameterError) as info:
        connected_totals(**kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == parameter


# ------------------------------------------------------------------------ transactions


def test_transactions_hand_example() -> None:
    np.testing.assert_allclose(transactions([120.0, 0.0, 12.0], 3.0), [30.0, 0.0, 3.0])
    np.testing.assert_allclose(transactions([120.0], 3.0, dt_months=0.5), [15.0])
    adopters = np.full((2, 3, 4), 24.0)  # runs, months, villages
    rate = np.array([1.0, 2.0, 0.0, 6.0])  # per village
    out = transactions(adopters, rate)
    assert out.shape == (2, 3, 4)
    np.testing.assert_allclose(out[1, 2], [2.0, 4.0, 0.0, 12.0])


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        (([-1.0], 2.0), "adopters"),
        (([np.nan], 2.0), "adopters"),
        (([1.0], -2.0), "transactions_per_household_per_year"),
        (([1.0], "x"), "transactions_per_household_per_year"),
        (([1.0, 2.0], [1.0, 2.0, 3.0]), "transactions_per_household_per_year"),
        (([1.0], 2.0, 0.0), "dt_months"),
        (([1.0], 2.0, [1.0, 2.0]), "dt_months"),
        (([1.0], 2.0, np.inf), "dt_months"),
    ],
)
def test_transactions_errors(args: tuple[object, ...], parameter: str) -> None:
    with pytest.raises(ParameterError) as info:
        transactions(*args)  # type: ignore[arg-type]
    assert info.value.parameter == parameter


# ---------------------------------------------------------------------- travel_savings


def test_travel_savings_hand_example() -> None:
    # 10 transactions x round trip 2 x 15 km = 300 km; at 30 km/h -> 10 h;
    # 300 km x Rp 200 = Rp 60,000; 10 h x Rp 10,000 = Rp 100,000.
    s = travel_savings(
        [10.0], [15.0], road_factor=1.0, speed_kmh=30.0, cost_per_km=200.0, value_of_time_per_hour=10_000.0
    )
    assert isinstance(s, TravelSavings)
    np.testing.assert_allclose(s.hours, [10.0])
    np.testing.assert_allclose(s.cost, [60_000.0])
    np.testing.assert_allclose(s.time_value, [100_000.0])
    np.testing.assert_allclose(s.total, [160_000.0])
    # Road factor 1.5 and two trips per transaction -> 4 x 15 x 1.5 = 90 km per transaction.
    s2 = travel_savings(
        [1.0],
        [15.0],
        road_factor=1.5,
        speed_kmh=30.0,
        cost_per_km=100.0,
        value_of_time_per_hour=0.0,
        trips_per_transaction=2.0,
    )
    np.testing.assert_allclose([s2.hours[0], s2.cost[0], s2.time_value[0]], [3.0, 9_000.0, 0.0])


def test_travel_defaults_and_calibration() -> None:
    assert pytest.approx(100.0 / 3.0) == DEFAULT_SPEED_KMH
    assert DEFAULT_ROAD_FACTOR == 1.69
    assert DEFAULT_COST_PER_KM == 163.75
    assert pytest.approx(10_876.76, abs=0.01) == DEFAULT_VALUE_OF_TIME_PER_HOUR
    # Desa Sarongan is 59.2 km in a straight line from the town: one way should take ~3 h.
    s = travel_savings(1.0, 59.17)
    assert float(s.hours) == pytest.approx(6.0, rel=0.002)  # a round trip
    assert float(s.cost) == pytest.approx(2 * 59.17 * 1.69 * 163.75)


def test_travel_savings_broadcasts_over_runs_and_villages() -> None:
    x = np.arange(24.0).reshape(2, 3, 4)
    d = np.array([1.0, 2.0, 3.0, 4.0])
    s = travel_savings(x, d, road_factor=1.0, speed_kmh=10.0, cost_per_km=1.0, value_of_time_per_hour=1.0)
    assert s.hours.shape == (2, 3, 4)
    np.testing.assert_allclose(s.cost, 2.0 * x * d)
    np.testing.assert_allclose(s.hours, 2.0 * x * d / 10.0)


_nonneg = st.floats(0.0, 1e6, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(
    x=hnp.arrays(np.float64, st.integers(1, 6), elements=_nonneg),
    y_scale=st.floats(0.0, 10.0),
    a=st.floats(0.0, 5.0),
    b=st.floats(0.0, 5.0),
    distance=st.floats(0.0, 200.0),
    road_factor=st.floats(1.0, 3.0),
    speed=st.floats(1.0, 80.0),
)
def test_travel_savings_nonnegative_and_linear(
    x: np.ndarray, y_scale: float, a: float, b: float, distance: float, road_factor: float, speed: float
) -> None:
    y = x[::-1] * y_scale
    kw = {"road_factor": road_factor, "speed_kmh": speed}
    sx = travel_savings(x, distance, **kw)
    sy = travel_savings(y, distance, **kw)
    sxy = travel_savings(a * x + b * y, distance, **kw)
    for field in ("hours", "cost", "time_value"):
        vx, vy, vxy = getattr(sx, field), getattr(sy, field), getattr(sxy, field)
        assert np.all(vx >= 0)
        np.testing.assert_allclose(vxy, a * vx + b * vy, rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"transactions_per_month": [-1.0]}, "transactions_per_month"),
        ({"distance_km": [-5.0]}, "distance_km"),
        ({"distance_km": [np.nan]}, "distance_km"),
        ({"road_factor": 0.9}, "road_factor"),
        ({"road_factor": np.nan}, "road_factor"),
        ({"speed_kmh": 0.0}, "speed_kmh"),
        ({"speed_kmh": np.inf}, "speed_kmh"),
        ({"cost_per_km": -1.0}, "cost_per_km"),
        ({"value_of_time_per_hour": -1.0}, "value_of_time_per_hour"),
        ({"trips_per_transaction": -1.0}, "trips_per_transaction"),
        ({"trips_per_transaction": [1.0, 1.0, 1.0]}, "trips_per_transaction"),
    ],
)
def test_travel_savings_errors(kwargs: dict[str, object], parameter: str) -> None:
    args: dict[str, object] = {"transactions_per_month": [1.0, 2.0], "distance_km": [3.0, 4.0]}
    args.update(kwargs)
    with pytest.raises(ParameterError) as info:
        travel_savings(**args)  # type: ignore[arg-type]
    assert info.value.parameter == parameter


# ------------------------------------------------------------------------------ cost


def test_cost_ratios_with_zero_denominators_give_nan_without_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        per_hh = cost_per_household([1e6, 5e6, 0.0], [0, 250, 0])
        per_tx = cost_per_transaction(np.array([[0.0, 100.0]]), np.array([4.0, 0.0]))
    np.testing.assert_array_equal(per_hh, [np.nan, 20_000.0, np.nan])
    np.testing.assert_array_equal(per_tx, [[0.0, np.nan]])
    assert per_tx.shape == (1, 2)
    assert cost_per_transaction(300.0, 4.0) == 75.0


@pytest.mark.parametrize(
    ("func", "args", "parameter"),
    [
        (cost_per_household, ([-1.0], [1.0]), "cost"),
        (cost_per_household, ([1.0], [-1.0]), "households"),
        (cost_per_household, ([1.0], [np.nan]), "households"),
        (cost_per_household, ([1.0, 2.0], [1.0, 2.0, 3.0]), "households"),
        (cost_per_transaction, ([np.inf], [1.0]), "cost"),
        (cost_per_transaction, ([1.0], ["a"]), "transactions"),
    ],
)
def test_cost_errors(func: object, args: tuple[object, object], parameter: str) -> None:
    with pytest.raises(ParameterError) as info:
        func(*args)  # type: ignore[operator]
    assert info.value.parameter == parameter
