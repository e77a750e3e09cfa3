"""What an ensemble keeps of a batch of adoption runs: the reference reduction and the compiled kernel's own."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartkampung import ParameterError
from smartkampung.sim._adoption_summary import adopt_batch_summary, summarise
from smartkampung.sim.adoption import adopt_batch, numba_available
from smartkampung.sim.geometry import nearest_neighbours


def _problem(n: int, runs: int, steps: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(-8.8, -7.8, n), rng.uniform(113.8, 114.6, n)
    market = rng.integers(0, 400, n)
    market[0] = 0  # a village with no market: never at half of it
    return {
        "market": market,
        "start": rng.integers(-2, steps + 2, (runs, n)),
        "nbr": nearest_neighbours(lat, lon, k=4),
        "p": rng.uniform(0.001, 0.05, runs),
        "q": rng.uniform(0.0, 0.5, runs),
        "weights": rng.uniform(0, 3, n),
    }


@settings(max_examples=30, deadline=None)
@given(runs=st.integers(1, 3), steps=st.integers(1, 12), n=st.integers(1, 20), seed=st.integers(0, 2**31))
def test_summarise_matches_the_definitions(runs: int, steps: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    adopters = np.cumsum(rng.integers(0, 4, (runs, steps, n)), axis=1).astype(np.int32)  # never decreasing
    market = rng.integers(0, 3 * steps + 1, n)
    weights = rng.uniform(0, 2, n)
    marks = rng.integers(0, steps, rng.integers(0, 4))
    got = summarise(adopters, market, weights, marks)
    for r in range(runs):
        a = adopters[r].astype(np.int64)
        np.testing.assert_array_equal(got.totals[r], a.sum(axis=1))
        np.testing.assert_allclose(got.weighted[r], [float(np.dot(row, weights)) for row in a], rtol=1e-12)
        for v in range(n):
            hit = [t for t in range(steps) if market[v] > 0 and a[t, v] >= 0.5 * market[v]]
            assert got.half_step[r, v] == (hit[0] if hit else -1)
        np.testing.assert_array_equal(got.final[r], a[-1])
        np.testing.assert_array_equal(got.samples[r], a[marks])


needs_numba = pytest.mark.skipif(not numba_available(), reason="numba is not installed (the 'fast' extra)")


@needs_numba
@pytest.mark.parametrize("marks", [[], [0], [3, 3, 11], [5, 2]])
def test_the_kernels_own_summary_equals_the_reference_of_its_trajectories(marks: list[int]) -> None:
    b = _problem(300, 4, 12, 1)
    kw = {"p": b["p"], "q": b["q"], "w": 0.3, "steps": 12, "backend": "numba"}
    fused = adopt_batch_summary(
        b["market"],
        b["start"],
        b["nbr"],
        generators=np.random.default_rng(5).spawn(4),
        weights=b["weights"],
        sample_steps=marks,
        **kw,
    )
    full = adopt_batch(b["market"], b["start"], b["nbr"], generators=np.random.default_rng(5).spawn(4), **kw)
    want = summarise(full, b["market"], b["weights"], np.asarray(marks, dtype=np.int64))
    np.testing.assert_array_equal(fused.totals, want.totals)  # the same draws, exact counts
    np.testing.assert_allclose(fused.weighted, want.weighted, rtol=1e-12)  # another summation order
    np.testing.assert_array_equal(fused.half_step, want.half_step)
    np.testing.assert_array_equal(fused.final, want.final)
    np.testing.assert_array_equal(fused.samples, want.samples)
    assert fused.final.dtype == full.dtype


def test_the_numpy_backend_summary_is_the_reference() -> None:
    b = _problem(40, 3, 8, 2)
    kw = {"p": b["p"], "q": b["q"], "w": 0.3, "steps": 8}
    got = adopt_batch_summary(
        b["market"],
        b["start"],
        b["nbr"],
        generators=np.random.default_rng(1).spawn(3),
        weights=b["weights"],
        sample_steps=[1, 7],
        **kw,
    )
    full = adopt_batch(b["market"], b["start"], b["nbr"], generators=np.random.default_rng(1).spawn(3), **kw)
    want = summarise(full, b["market"], b["weights"], np.array([1, 7]))
    for name in ("totals", "weighted", "half_step", "final", "samples"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        ({"sample_steps": [8]}, "sample_steps"),
        ({"sample_steps": [-1]}, "sample_steps"),
        ({"weights": np.ones(3)}, "weights"),
        ({"backend": "gpu"}, "backend"),
        ({"steps": 0}, "steps"),
    ],
)
def test_bad_arguments(change: dict[str, Any], parameter: str) -> None:
    b = _problem(10, 2, 8, 3)
    kw: dict[str, Any] = {
        "p": b["p"],
        "q": b["q"],
        "steps": 8,
        "weights": b["weights"],
        "generators": np.random.default_rng(1).spawn(2),
        **change,
    }
    with pytest.raises(ParameterError) as info:
        adopt_batch_summary(b["market"], b["start"], b["nbr"], **kw)
    assert info.value.parameter == parameter
