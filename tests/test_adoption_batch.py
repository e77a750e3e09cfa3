"""adopt_batch: many runs of one service in one call.

The numpy backend must give, for every run, exactly (bit for bit) what
``simulate_adoption`` gives for that run alone; every argument error is a
ParameterError naming the argument; the numba backend, when numba is missing,
fails with an error that says how to install it. (The numba backend itself is
tested in ``test_adoption_numba.py``.)
"""

from __future__ import annotations

import builtins
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartkampung import SmartKampungError
from smartkampung._errors import ParameterError
from smartkampung.sim import _adoption_batch
from smartkampung.sim._adoption_batch import BACKENDS, adopt_batch, numba_available
from smartkampung.sim.adoption import simulate_adoption
from strategies import neighbour_graphs


def per_run(
    market: Any, start: np.ndarray, nbr: Any, p: np.ndarray, q: np.ndarray, gens: list[Any], **kw: Any
) -> np.ndarray:
    """simulate_adoption run by run, each with its own generator."""
    return np.stack(
        [
            simulate_adoption(
                market, start[b], nbr, p=p[b], q=q[b], runs=1, rng=None if gens[b] is None else [gens[b]], **kw
            )[0]
            for b in range(start.shape[0])
        ]
    )


def fresh(seed: int, runs: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(runs)]


@st.composite
def batches(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(1, 8))
    runs = draw(st.integers(1, 5))
    steps = draw(st.integers(1, 10))
    big = draw(st.booleans())  # large markets: means >= 30 and p > 1/2, drawn by Generator.binomial
    market = np.array(draw(st.lists(st.integers(0, 20_000 if big else 60), min_size=n, max_size=n)))
    start = np.array(
        draw(st.lists(st.lists(st.integers(-2, steps + 2), min_size=n, max_size=n), min_size=runs, max_size=runs))
    )
    kind, nbr = draw(neighbour_graphs(n))
    w = 0.0 if kind == "none" else draw(st.floats(0.0, 1.0))
    per_village = draw(st.booleans())
    shape = (runs, n) if per_village else (runs,)
    p = np.array(draw(st.lists(st.floats(0.0, 0.5), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))))
    q = np.array(draw(st.lists(st.floats(0.0, 2.0), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))))
    return {
        "market": market,
        "start": start,
        "nbr": nbr,
        "p": p.reshape(shape),
        "q": q.reshape(shape),
        "w": w,
        "steps": steps,
        "dt": draw(st.floats(0.1, 3.0)),
    }


@settings(max_examples=60, deadline=None)
@given(b=batches(), seed=st.integers(0, 2**32 - 1))
def test_numpy_batch_equals_simulate_adoption_bit_for_bit(b: dict[str, Any], seed: int) -> None:
    runs = b["start"].shape[0]
    kw = {"w": b["w"], "steps": b["steps"], "dt": b["dt"]}
    got = adopt_batch(b["market"], b["start"], b["nbr"], p=b["p"], q=b["q"], generators=fresh(seed, runs), **kw)
    want = per_run(b["market"], b["start"], b["nbr"], b["p"], b["q"], fresh(seed, runs), **kw)
    assert got.dtype == want.dtype == np.int32
    assert got.shape == (runs, b["steps"], b["market"].size)
    np.testing.assert_array_equal(got, want)


@settings(max_examples=40, deadline=None)
@given(b=batches())
def test_numpy_batch_deterministic_equals_simulate_adoption_bit_for_bit(b: dict[str, Any]) -> None:
    kw = {"w": b["w"], "steps": b["steps"], "dt": b["dt"], "stochastic": False}
    got = adopt_batch(b["market"], b["start"], b["nbr"], p=b["p"], q=b["q"], **kw)
    runs = b["start"].shape[0]
    want = per_run(b["market"], b["start"], b["nbr"], b["p"], b["q"], [None] * runs, **kw)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, want)


def _region(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    market = rng.integers(0, 3000, n)
    nbr = np.array([rng.choice(np.delete(np.arange(n), i), 6, replace=False) for i in range(n)])
    return market, nbr


def test_banyuwangi_sized_batch_with_redraws_equals_per_run() -> None:
    # 217 villages, 30 runs, 60 months; some huge markets and a long step give
    # means >= 30 and probabilities > 1/2 (the Generator.binomial path).
    market, nbr = _region(217, 0)
    market[:5] = [50_000, 80_000, 0, 120_000, 7]
    rng = np.random.default_rng(1)
    start = rng.integers(-3, 70, (30, 217))
    p = 0.0025 * rng.uniform(0.5, 1.5, 30)
    q = 0.0317 * rng.uniform(0.5, 1.5, (30, 217))
    for dt in (1.0, 40.0):
        kw = {"w": 0.3, "steps": 60, "dt": dt}
        got = adopt_batch(market, start, nbr, p=p, q=q, generators=fresh(7, 30), **kw)
        want = per_run(market, start, nbr, p, q, fresh(7, 30), **kw)
        np.testing.assert_array_equal(got, want)
        assert got[:, -1].sum() > 0


def test_without_drawing_ahead_the_result_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches too large to draw every uniform ahead draw step by step.
    market, nbr = _region(30, 5)
    market[0] = 90_000  # some redraws too
    rng = np.random.default_rng(2)
    start = rng.integers(0, 10, (4, 30))
    kw = {"p": 0.003, "q": 0.05, "w": 0.3, "steps": 40}
    ahead = adopt_batch(market, start, nbr, generators=fresh(3, 4), **kw)
    monkeypatch.setattr(_adoption_batch, "_PREDRAW_MAX", 0)
    gens = fresh(3, 4)
    live = adopt_batch(market, start, nbr, generators=gens, **kw)
    np.testing.assert_array_equal(ahead, live)
    # And the generators end where simulate_adoption leaves them.
    ref = fresh(3, 4)
    per_run(market, start, nbr, np.full(4, 0.003), np.full(4, 0.05), ref, w=0.3, steps=40)
    assert all(g.bit_generator.state == r.bit_generator.state for g, r in zip(gens, ref, strict=True))


def test_int64_result_for_a_huge_market() -> None:
    market = np.array([2**31 + 5, 10])
    start = np.zeros((2, 2), dtype=np.int64)
    got = adopt_batch(market, start, None, p=1e-3, q=0.0, steps=3, generators=fresh(0, 2))
    want = per_run(market, start, None, np.full(2, 1e-3), np.zeros(2), fresh(0, 2), steps=3)
    assert got.dtype == want.dtype == np.int64
    np.testing.assert_array_equal(got, want)


def test_generator_kinds_and_advance() -> None:
    market, nbr = _region(20, 3)
    start = np.zeros((3, 20), dtype=np.int64)
    seqs = np.random.SeedSequence(11).spawn(3)
    from_seqs = adopt_batch(market, start, nbr, p=0.01, q=0.1, w=0.5, steps=12, generators=seqs)
    gens = [np.random.default_rng(s) for s in seqs]
    from_gens = adopt_batch(market, start, nbr, p=0.01, q=0.1, w=0.5, steps=12, generators=gens)
    np.testing.assert_array_equal(from_seqs, from_gens)
    # The Generators were advanced: a second call with them differs.
    again = adopt_batch(market, start, nbr, p=0.01, q=0.1, w=0.5, steps=12, generators=gens)
    assert not np.array_equal(again, from_gens)


def test_empty_region_and_backend_names() -> None:
    out = adopt_batch(
        np.zeros(0, dtype=np.int64),
        np.zeros((2, 0), dtype=np.int64),
        None,
        p=0.1,
        q=0.1,
        steps=4,
        generators=fresh(0, 2),
    )
    assert out.shape == (2, 4, 0)
    assert BACKENDS == ("numpy", "numba")


def test_deterministic_needs_no_generators() -> None:
    market, nbr = _region(10, 4)
    start = np.zeros((2, 10), dtype=np.int64)
    a = adopt_batch(market, start, nbr, p=[0.01, 0.02], q=0.1, w=0.2, steps=5, stochastic=False)
    b = adopt_batch(market, start, nbr, p=[0.01, 0.02], q=0.1, w=0.2, steps=5, stochastic=False, generators=fresh(0, 2))
    np.testing.assert_array_equal(a, b)
    assert np.all(a[1] >= a[0])  # larger p, same start: at least as many adopters


# ------------------------------------------------------------------ errors


def _call(**over: Any) -> Any:
    kw: dict[str, Any] = {
        "market": [10, 20, 30],
        "start_step": np.zeros((2, 3), dtype=np.int64),
        "neighbours": None,
        "p": 0.01,
        "q": 0.1,
        "steps": 4,
        "generators": fresh(0, 2),
    }
    kw.update(over)
    market, start, nbr = kw.pop("market"), kw.pop("start_step"), kw.pop("neighbours")
    return adopt_batch(market, start, nbr, **kw)


@pytest.mark.parametrize(
    ("over", "parameter"),
    [
        ({"backend": "cuda"}, "backend"),
        ({"backend": 3}, "backend"),
        ({"start_step": np.zeros(3, dtype=np.int64)}, "start_step"),
        ({"start_step": np.zeros((2, 4), dtype=np.int64)}, "start_step"),
        ({"start_step": np.zeros((0, 3), dtype=np.int64)}, "start_step"),
        ({"start_step": np.full((2, 3), 0.5)}, "start_step"),
        ({"p": [0.1, 0.2, 0.3]}, "p"),
        ({"p": np.zeros((2, 4))}, "p"),
        ({"p": -0.1}, "p"),
        ({"q": np.nan}, "q"),
        ({"q": np.zeros((1, 2, 3))}, "q"),
        ({"w": 1.5}, "w"),
        ({"w": 0.5}, "neighbours"),
        ({"steps": 0}, "steps"),
        ({"dt": 0.0}, "dt"),
        ({"stochastic": "yes"}, "stochastic"),
        ({"workers": 0}, "workers"),
        ({"workers": 1.5}, "workers"),
        ({"market": [10, 20.5, 30]}, "market"),
        ({"market": [10, -1, 30]}, "market"),
        ({"market": [[10, 20, 30]]}, "market"),
        ({"neighbours": np.array([[1], [2], [3]])}, "neighbours"),
        ({"generators": None}, "generators"),
        ({"generators": 5}, "generators"),
        ({"generators": fresh(0, 3)}, "generators"),
        ({"generators": ["a", "b"]}, "generators"),
    ],
)
def test_bad_arguments_name_the_parameter(over: dict[str, Any], parameter: str) -> None:
    with pytest.raises(ParameterError) as info:
        _call(**over)
    assert info.value.parameter == parameter
    assert info.value.function == "adopt_batch"


def test_the_same_generator_twice_is_an_error() -> None:
    g = np.random.default_rng(0)
    with pytest.raises(ParameterError, match="same Generator") as info:
        _call(generators=[g, g])
    assert info.value.parameter == "rng"  # as simulate_adoption names it


def test_missing_numba_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_numba(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "numba" or name.startswith("numba."):
            raise ImportError("No module named 'numba'")
        return real_import(name, *args, **kwargs)

    import smartkampung.sim

    monkeypatch.delitem(sys.modules, "smartkampung.sim._adoption_numba", raising=False)
    monkeypatch.delattr(smartkampung.sim, "_adoption_numba", raising=False)
    monkeypatch.delitem(sys.modules, "numba", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_numba)
    import importlib

    real_import_module = importlib.import_module

    def import_module(name: str, package: str | None = None) -> Any:
        if name == "numba" or name.startswith("numba."):
            raise ImportError("No module named 'numba'")
        return real_import_module(name, package)

    monkeypatch.setattr(importlib, "import_module", import_module)
    with pytest.raises(SmartKampungError, match=r"pip install \"smartkampung\[fast\]\"") as info:
        _call(backend="numba")
    assert isinstance(info.value, ParameterError)
    assert info.value.parameter == "backend"
    assert not numba_available()


def test_numba_is_not_imported_by_the_package() -> None:
    import subprocess

    code = (
        "import sys, smartkampung, smartkampung.sim._adoption_batch; "
        "print('numba' in sys.modules, 'smartkampung.sim._adoption_numba' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_the_ensembles_streams_give_todays_results() -> None:
    # run_one calls simulate_adoption(..., runs=1, rng=seq) with a SeedSequence per
    # run and service; the run's generator is then default_rng(seq).spawn(1)[0].
    market, nbr = _region(25, 6)
    rng = np.random.default_rng(0)
    start = rng.integers(0, 20, (5, 25))
    p = 0.0025 * rng.uniform(0.8, 1.2, 5)
    q = 0.0317 * rng.uniform(0.8, 1.2, 5)
    seqs = [np.random.SeedSequence(123, spawn_key=(0, b, 1, 0)) for b in range(5)]
    today = np.stack(
        [
            simulate_adoption(market, start[b], nbr, p=p[b], q=q[b], w=0.3, steps=24, runs=1, rng=seqs[b])[0]
            for b in range(5)
        ]
    )
    seqs = [np.random.SeedSequence(123, spawn_key=(0, b, 1, 0)) for b in range(5)]
    gens = [np.random.default_rng(s).spawn(1)[0] for s in seqs]
    np.testing.assert_array_equal(adopt_batch(market, start, nbr, p=p, q=q, w=0.3, steps=24, generators=gens), today)
