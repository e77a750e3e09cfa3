"""Runs in batches: adopt_runs against an independent per-run reference, run_chunk against run_one,
the repriced rollout order against schedule_rollout, backends, shipping the prepared scenario to
workers, and interrupts."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartkampung import ParameterError, Region
from smartkampung.datasets import banyuwangi_scenario, synthetic_region
from smartkampung.model import AdoptionModel, BudgetPhase, Fixed, Scenario, Uniform
from smartkampung.sim import PreparedScenario, _workers, prepare, simulate
from smartkampung.sim import ensemble as ensemble_module
from smartkampung.sim._adopt_runs import adopt_runs, service_streams
from smartkampung.sim._adoption_batch import numba_available
from smartkampung.sim._draws import run_seed
from smartkampung.sim.adoption import linear_adoption, simulate_adoption
from smartkampung.sim.planning import schedule_rollout
from smartkampung.sim.run import draw, run_chunk, run_one, schedule_run

HORIZON = 30


@pytest.fixture(scope="module")
def region() -> Region:
    return synthetic_region(50, seed=5)


def scenario(
    *,
    stochastic: bool = True,
    linear: bool = True,
    tail: bool = False,
    policy: str = "population",
    initially_connected: Any = 4,
    **rollout: Any,
) -> Scenario:
    """Banyuwangi's programme on 50 villages; one service linear when asked, a tail when asked."""
    base = banyuwangi_scenario()
    services = base.programme.services
    if linear:
        services = (attrs.evolve(services[0], adoption_model=AdoptionModel.LINEAR, linear_rate=0.04), *services[1:])
    ro = attrs.evolve(
        base.rollout,
        budget_per_month=Uniform(2e8, 4e8),
        budget_phases=(BudgetPhase(12, Uniform(3e8, 6e8)),),
        initially_connected=initially_connected,
        policy=policy,
        readiness_months=Uniform(0.0, 6.0) if tail else Fixed(0.0),
        cost_spread=Uniform(0.1, 0.4) if tail else Fixed(0.0),
        posterior=None,
        **rollout,
    )
    return attrs.evolve(
        base,
        name="batches",
        start="2016-06",
        horizon_months=HORIZON,
        rollout=ro,
        programme=attrs.evolve(base.programme, services=services),
        adoption=attrs.evolve(base.adoption, stochastic=stochastic),
    )


def reference_adoption(prepared: PreparedScenario, index: int, root: np.random.SeedSequence) -> dict[str, Any]:
    """Step 3 written out run by run with simulate_adoption, as the ensemble did before batching."""
    sc = prepared.scenario
    d = draw(prepared, root, index)
    schedule = schedule_run(prepared, d)
    T = prepared.n_months
    conn = np.minimum(schedule.connection_month, T)
    streams = d.adoption_seed.spawn(len(sc.programme.services))
    totals, half, final, trajectories = [], [], [], []
    hours = np.zeros(T)
    for s, svc in enumerate(sc.programme.services):
        market = prepared.market[s]
        start = conn + svc.lag_months
        if svc.adoption_model is AdoptionModel.BASS:
            a = simulate_adoption(
                market,
                start,
                prepared.neighbours,
                p=svc.p_innovation * d.p_multiplier,
                q=svc.q_imitation * d.q_multiplier,
                w=sc.adoption.neighbour_weight,
                steps=T,
                runs=1,
                stochastic=sc.adoption.stochastic,
                rng=streams[s],
            )[0]
        else:
            a = linear_adoption(np.arange(T)[:, None] - start[None, :] + 1, svc.linear_rate, m=market)
            if sc.adoption.stochastic:
                a = np.floor(a).astype(np.int32)
        totals.append(a.sum(axis=1))
        hours += a @ (prepared.hours_per_transaction * svc.transactions_per_household_per_year / 12.0)
        reached = (a >= 0.5 * market) & (market > 0)
        half.append(np.where(reached.any(axis=0), reached.argmax(axis=0), -1))
        final.append(np.where(market > 0, a[-1] / np.maximum(market, 1), 0.0).astype(np.float32))
        trajectories.append(a)
    return {
        "schedule": schedule,
        "draws": d,
        "totals": np.array(totals),
        "hours": hours,
        "half": np.array(half),
        "final": np.array(final),
        "trajectories": np.array(trajectories),
    }


@pytest.mark.parametrize("stochastic", [True, False])
@pytest.mark.parametrize("tail", [False, True])
def test_adopt_runs_equals_the_per_run_reference(region: Region, stochastic: bool, tail: bool) -> None:
    prepared = prepare(scenario(stochastic=stochastic, tail=tail), region)
    root = np.random.SeedSequence(77)
    refs = [reference_adoption(prepared, i, root) for i in range(4)]
    got = adopt_runs(prepared, [r["schedule"] for r in refs], [r["draws"] for r in refs], keep_trajectories=True)
    for ref, adoption in zip(refs, got, strict=True):
        np.testing.assert_array_equal(adoption.totals, ref["totals"])
        np.testing.assert_allclose(adoption.hours_saved, ref["hours"], rtol=1e-12)  # einsum vs BLAS sums
        np.testing.assert_array_equal(adoption.half_month, ref["half"])
        np.testing.assert_array_equal(adoption.final_fraction, ref["final"])
        assert adoption.trajectories is not None
        np.testing.assert_array_equal(adoption.trajectories, ref["trajectories"])


def test_service_streams_are_the_spawned_children_and_do_not_advance_the_seed() -> None:
    seed = run_seed(np.random.SeedSequence(3), 5).spawn(4)[1]
    first = service_streams(seed, 3)
    again = service_streams(seed, 3)
    children = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key).spawn(3)
    for a, b, c in zip(first, again, children, strict=True):
        assert a.spawn_key == b.spawn_key == c.spawn_key
        np.testing.assert_array_equal(a.generate_state(4), c.generate_state(4))
    assert seed.n_children_spawned == 0


@settings(max_examples=6, deadline=None)
@given(indices=st.lists(st.integers(0, 40), min_size=1, max_size=6, unique=True), seed=st.integers(0, 2**32))
def test_a_run_does_not_depend_on_the_other_runs_of_its_chunk(indices: list[int], seed: int) -> None:
    prepared = _PREPARED["tail"]
    root = np.random.SeedSequence(seed)
    together = run_chunk(prepared, indices, root, keep_trajectories=True)
    for i, out in zip(indices, together, strict=True):
        alone = run_one(prepared, i, root, keep_trajectories=True)
        assert out.index == alone.index == i
        for name in (
            "draws",
            "monthly",
            "connection_month",
            "half_month",
            "final_fraction",
            "idm_counts",
            "trajectories",
        ):
            np.testing.assert_array_equal(getattr(out, name), getattr(alone, name), err_msg=name)


_PREPARED = {"tail": prepare(scenario(tail=True), synthetic_region(50, seed=5))}


def test_adopt_runs_splits_large_batches_into_groups(region: Region, monkeypatch: pytest.MonkeyPatch) -> None:
    prepared = prepare(scenario(), region)
    root = np.random.SeedSequence(4)
    whole = run_chunk(prepared, range(5), root, keep_trajectories=True)
    import smartkampung.sim._adopt_runs as adopt_module

    monkeypatch.setattr(adopt_module, "BATCH_BYTES", 1)  # one run per group
    split = run_chunk(prepared, range(5), root, keep_trajectories=True)
    for a, b in zip(whole, split, strict=True):
        np.testing.assert_array_equal(a.trajectories, b.trajectories)
        np.testing.assert_array_equal(a.monthly, b.monthly)


def test_adopt_runs_refuses_an_unknown_backend(region: Region) -> None:
    prepared = prepare(scenario(), region)
    d = draw(prepared, np.random.SeedSequence(1), 0)
    with pytest.raises(ParameterError) as info:
        adopt_runs(prepared, [schedule_run(prepared, d)], [d], backend="cuda")
    assert info.value.parameter == "backend"


# --------------------------------------------------------------- the repriced order


@pytest.mark.parametrize("policy", ["population", "least_developed", "nearest", "cost_effectiveness"])
@pytest.mark.parametrize("initially_connected", [0, 6, ("SYN.01.001",)])
@pytest.mark.parametrize("build_km", [None, 30.0])
def test_schedule_run_equals_schedule_rollout(
    region: Region, policy: str, initially_connected: Any, build_km: float | None
) -> None:
    codes = region.to_columns().code.tolist()
    initial = tuple(codes[:2]) if isinstance(initially_connected, tuple) else initially_connected
    prepared = prepare(
        scenario(tail=True, policy=policy, initially_connected=initial, build_km_per_month=build_km), region
    )
    assert (prepared.order is not None) == (policy != "cost_effectiveness")
    ro = prepared.scenario.rollout
    for index in range(3):
        d = draw(prepared, np.random.SeedSequence(9), index)
        multiplier = d.capex_multiplier if d.village_capex_multiplier is None else d.village_capex_multiplier
        want = schedule_rollout(
            prepared.plan,
            budget_per_month=d.budget,
            n_months=prepared.n_months,
            policy=ro.policy,
            build_km_per_month=ro.build_km_per_month,
            carry_over=ro.carry_over,
            initially_connected=ro.initially_connected,
            capex_multiplier=multiplier,
        )
        if d.ready_month is not None:
            want = want.with_readiness(d.ready_month)
        got = schedule_run(prepared, d)
        np.testing.assert_array_equal(got.connection_month, want.connection_month)
        np.testing.assert_array_equal(got.spend, want.spend)
        np.testing.assert_array_equal(got.km_built, want.km_built)
        np.testing.assert_array_equal(got.order, want.order)
        np.testing.assert_array_equal(got.already_connected, want.already_connected)


# --------------------------------------------------------------- backends


needs_numba = pytest.mark.skipif(not numba_available(), reason="numba is not installed (the 'fast' extra)")


@needs_numba
def test_the_numba_backend_is_recorded_and_reproducible_on_every_executor(region: Region) -> None:
    prepared = prepare(scenario(tail=True), region)
    serial = simulate(prepared, runs=6, rng=12, backend="numba")
    assert serial.backend == "numba"
    assert "numba" in repr(serial)
    assert simulate(prepared, runs=6, rng=12, backend="numba", chunk_size=4) == serial
    with ThreadPoolExecutor(2) as pool:
        assert simulate(prepared, runs=6, rng=12, backend="numba", executor=pool, chunk_size=1) == serial
    numpy = simulate(prepared, runs=6, rng=12)
    assert numpy.backend == "numpy"
    assert numpy != serial  # other random numbers ...
    np.testing.assert_array_equal(numpy.draws, serial.draws)  # ... for adoption only
    np.testing.assert_array_equal(numpy.metric("villages_connected"), serial.metric("villages_connected"))


@needs_numba
def test_the_backends_agree_in_deterministic_mode(region: Region) -> None:
    prepared = prepare(scenario(stochastic=False), region)
    a = simulate(prepared, runs=3, rng=1)
    b = simulate(prepared, runs=3, rng=1, backend="numba")
    np.testing.assert_allclose(b.monthly, a.monthly, rtol=1e-9, atol=1e-6)
    np.testing.assert_array_equal(b.idm_counts, a.idm_counts)


def test_numba_without_numba_is_a_clear_error(region: Region, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ensemble_module, "numba_available", lambda: False)
    with pytest.raises(ParameterError, match=r"smartkampung\[fast\]") as info:
        simulate(prepare(scenario(), region), runs=1, backend="numba")
    assert info.value.parameter == "backend"


# --------------------------------------------------------------- shipping to workers


def test_a_spawned_pool_gets_a_file_loaded_once_per_process_and_removed_after(
    region: Region, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    prepared = prepare(scenario(), region)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool, _workers.ship(prepared, pool) as shipped:
        assert isinstance(shipped, _workers.PreparedFile)
        assert os.path.getsize(shipped.path) > 0
        path = shipped.path
        loads: list[str] = []
        real_load = pickle.load
        monkeypatch.setattr(_workers.pickle, "load", lambda handle: loads.append("x") or real_load(handle))
        monkeypatch.setattr(_workers, "_SHIPPED", {})  # as in a spawned worker, which inherited nothing
        first = _workers.receive(shipped)
        assert _workers.receive(shipped) is first  # cached: loaded once
        assert len(loads) == 1
        assert first.metric_names == prepared.metric_names
        np.testing.assert_array_equal(first.market, prepared.market)
        # Another ensemble's file (a new token) is loaded again, even at the same path.
        assert _workers.receive(_workers.PreparedFile(path, "other")) is not first
        assert len(loads) == 2
    assert not os.path.exists(path)


def _shipped_market_sum(shipped: Any) -> float:
    return float(_workers.receive(shipped).market.sum())


def test_workers_forked_during_the_ensemble_inherit_the_scenario_and_no_file_is_written(region: Region) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    prepared = prepare(scenario(), region)
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(2, mp_context=fork) as pool:
        with _workers.ship(prepared, pool) as shipped:
            assert shipped.path is None  # no worker yet: each will be forked from here
            assert pool.submit(_shipped_market_sum, shipped).result() == float(prepared.market.sum())
        # Started workers did not inherit the next ensemble's scenario: it goes by file.
        with _workers.ship(prepared, pool) as shipped:
            assert shipped.path is not None
            assert pool.submit(_shipped_market_sum, shipped).result() == float(prepared.market.sum())
        serial = simulate(prepared, runs=5, rng=3)
    with ProcessPoolExecutor(2, mp_context=fork) as fresh:
        assert simulate(prepared, runs=5, rng=3, executor=fresh, chunk_size=2) == serial


def test_a_file_less_handle_outside_its_ensemble_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="not forked during the ensemble"):
        _workers.receive(_workers.PreparedFile(None, "no-such-ensemble"))


def test_threads_and_unknown_executors_get_the_object_itself(region: Region) -> None:
    prepared = prepare(scenario(), region)
    with ThreadPoolExecutor(1) as pool, _workers.ship(prepared, pool) as shipped:
        assert shipped is prepared
    with _workers.ship(prepared, None) as shipped:
        assert shipped is prepared
    assert _workers.receive(prepared) is prepared
    with pytest.raises(TypeError, match="PreparedFile"):
        _workers.receive("prepared.pickle")


def test_the_file_is_removed_when_the_ensemble_fails(region: Region) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    prepared = prepare(scenario(), region)
    spawn = multiprocessing.get_context("spawn")
    paths: list[str] = []

    def fail_inside() -> None:
        with _workers.ship(prepared, pool) as shipped:
            paths.append(shipped.path)
            raise RuntimeError("boom")

    with ProcessPoolExecutor(1, mp_context=spawn) as pool, pytest.raises(RuntimeError, match="boom"):
        fail_inside()
    assert paths
    assert not os.path.exists(paths[0])


class _InterruptingExecutor(Executor):
    """Runs the first task, raises KeyboardInterrupt from the second, keeps the rest pending."""

    def __init__(self) -> None:
        self._max_workers = 2
        self.futures: list[Future[Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        if len(self.futures) == 0:
            future.set_result(fn(*args, **kwargs))
        elif len(self.futures) == 1:
            future.set_exception(KeyboardInterrupt())
        self.futures.append(future)
        return future


def test_an_interrupt_cancels_the_pending_tasks_and_propagates(region: Region) -> None:
    prepared = prepare(scenario(), region)
    executor = _InterruptingExecutor()
    with pytest.raises(KeyboardInterrupt):
        simulate(prepared, runs=8, rng=1, executor=executor, chunk_size=1)
    pending = executor.futures[2:]
    assert pending
    assert all(f.cancelled() for f in pending)


# --------------------------------------------------------------- the IDM projection of a chunk


def test_project_runs_equals_each_run_alone() -> None:
    # The flagship's IDM projection (observed 2020 state, default effects) on its own region.
    import smartkampung as sk
    from smartkampung.sim.idm import project_run, project_runs
    from smartkampung.sim.run import adopt_runs as adopt_all

    sc = attrs.evolve(sk.datasets.banyuwangi_scenario(), horizon_months=80)
    prepared = prepare(sc, sk.io.read_region(sc.region), idm=sk.datasets.idm_inputs())
    assert prepared.idm is not None
    root = np.random.SeedSequence(5)
    draws = [draw(prepared, root, i) for i in range(4)]
    schedules = [schedule_run(prepared, d) for d in draws]
    adoptions = adopt_all(prepared, schedules, draws)
    together = project_runs(
        prepared.idm,
        np.stack([s.connection_month for s in schedules]),
        prepared.n_months,
        np.stack([a.driver_adopters for a in adoptions]),
        adoptions[0].driver_market,
        [np.random.default_rng(d.idm_seed) for d in draws],
    )
    assert together.shape == (4, len(prepared.idm.years), 5)
    for r in range(4):
        alone = project_run(
            prepared.idm,
            schedules[r].connection_month,
            prepared.n_months,
            adoptions[r].driver_adopters,
            adoptions[r].driver_market,
            np.random.default_rng(draws[r].idm_seed),
        )
        np.testing.assert_array_equal(together[r], alone)
        assert together[r].sum(axis=1).tolist() == [189] * len(prepared.idm.years)
    # The donors' statuses were cached per floor pattern, and the cache gives the same draws.
    assert prepared.idm.donor_status_cache
