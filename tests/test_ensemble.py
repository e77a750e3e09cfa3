"""Monte Carlo ensembles: reproducibility on every executor, stream independence, common random
numbers, per-run invariants and argument checks."""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import attrs
import numpy as np
import pytest

import smartkampung as sk
from smartkampung import ParameterError, Region, VillageKind
from smartkampung.datasets import banyuwangi_scenario, synthetic_region
from smartkampung.model import BudgetPhase, Fixed, IDMAssumptions, Normal, RegionSource, Scenario, Uniform
from smartkampung.sim import PreparedScenario, SimulationResult, compare, prepare, simulate
from smartkampung.sim import ensemble as ensemble_module
from smartkampung.sim.run import DRAWS, run_one

HORIZON = 30


@pytest.fixture(scope="module")
def region() -> Region:
    """60 made-up villages (some kelurahan): small enough for many runs."""
    return synthetic_region(60, seed=11)


def small_scenario(
    budget: Any = None, *, phases: tuple[BudgetPhase, ...] | None = None, name: str = "small", **rollout: Any
) -> Scenario:
    """Banyuwangi's assumptions over 30 months, with a budget that binds on 60 villages (no IDM: see test_idm_run)."""
    base = banyuwangi_scenario()
    base = attrs.evolve(base, outcomes=attrs.evolve(base.outcomes, idm=IDMAssumptions()))
    ro = attrs.evolve(
        base.rollout,
        budget_per_month=Uniform(2e8, 4e8) if budget is None else budget,
        budget_phases=(BudgetPhase(12, Uniform(3e8, 6e8)),) if phases is None else phases,
        # No tail here: these scenarios test the budget's draws and streams.
        **{
            "initially_connected": 5,
            "policy": "population",
            "readiness_months": Fixed(0.0),
            "posterior": None,
            **rollout,
        },
    )
    return attrs.evolve(base, name=name, start="2016-06", horizon_months=HORIZON, rollout=ro)


@pytest.fixture(scope="module")
def prepared(region: Region) -> PreparedScenario:
    return prepare(small_scenario(), region=region)


@pytest.fixture(scope="module")
def serial(prepared: PreparedScenario) -> SimulationResult:
    return simulate(prepared, runs=7, rng=2024)


# -------------------------------------------------------------- reproducibility


def test_same_seed_same_result_serially(prepared: PreparedScenario, serial: SimulationResult) -> None:
    again = simulate(prepared, runs=7, rng=2024)
    assert again == serial
    assert again is not serial
    assert again.monthly is not serial.monthly


def test_equality_copes_with_nan(region: Region) -> None:
    # Nothing connected at the start: the cost ratios are NaN in the first months.
    prep = prepare(small_scenario(Uniform(1e7, 2e7), phases=(), initially_connected=0), region=region)
    a = simulate(prep, runs=2, rng=3)
    assert np.isnan(a.metric("cost_per_connected_household")[:, 0]).all()
    assert a == simulate(prep, runs=2, rng=3)


def test_seed_forms_agree(prepared: PreparedScenario, serial: SimulationResult) -> None:
    assert serial.seed_entropy == 2024
    assert simulate(prepared, runs=7, rng=np.random.SeedSequence(2024)) == serial
    # The recorded entropy reproduces the result.
    assert simulate(prepared, runs=7, rng=np.random.SeedSequence(serial.seed_entropy)) == serial
    # A Generator seeds the root from one draw: the same generator state gives the same result.
    g1 = simulate(prepared, runs=3, rng=np.random.default_rng(5))
    g2 = simulate(prepared, runs=3, rng=np.random.default_rng(5))
    assert g1 == g2


def test_scenario_and_prepared_scenario_agree(region: Region, serial: SimulationResult) -> None:
    assert simulate(small_scenario(), runs=7, rng=2024, region=region) == serial


@pytest.mark.parametrize("seed", [[1, 2], [2**70, 3, 5], 2**100 + 7], ids=str)
def test_the_recorded_seed_reproduces_the_result(prepared: PreparedScenario, seed: Any) -> None:
    # SimulationResult.seed_entropy: "simulate(..., rng=SeedSequence(seed_entropy)) reproduces it",
    # whatever form of seed was given (simulate accepts an int or a sequence of ints).
    result = simulate(prepared, runs=2, rng=seed)
    again = simulate(prepared, runs=2, rng=np.random.SeedSequence(result.seed_entropy, spawn_key=result.seed_spawn_key))
    np.testing.assert_array_equal(
        again.draws, result.draws, err_msg=f"rng={seed!r} was recorded as seed_entropy={result.seed_entropy!r}"
    )
    assert again == result


def test_an_empty_seed_list(prepared: PreparedScenario) -> None:
    # No entropy at all: refused up front like any other bad seed (not an IndexError after every run).
    with pytest.raises(ParameterError) as info:
        simulate(prepared, runs=2, rng=[])
    assert info.value.parameter == "rng"


def test_a_spawned_seed_sequence_is_recorded_with_its_key(prepared: PreparedScenario) -> None:
    child = np.random.SeedSequence(7).spawn(3)[2]
    result = simulate(prepared, runs=2, rng=child)
    assert (result.seed_entropy, result.seed_spawn_key) == (7, (2,))
    assert result != simulate(prepared, runs=2, rng=7)
    assert simulate(prepared, runs=2, rng=np.random.SeedSequence(7, spawn_key=(2,))) == result


def test_quantile_levels_become_the_defaults(prepared: PreparedScenario) -> None:
    result = simulate(prepared, runs=4, rng=1, quantile_levels=(0.25, 0.75))
    assert result.quantile_levels == (0.25, 0.75)
    assert result.quantiles("adopters").shape == (2, HORIZON)
    assert result.summary().splitlines()[1].split()[-2:] == ["q25", "q75"]


def test_unseeded_runs_differ_and_record_their_seed(prepared: PreparedScenario) -> None:
    a = simulate(prepared, runs=2)
    b = simulate(prepared, runs=2)
    assert a.seed_entropy != b.seed_entropy
    assert simulate(prepared, runs=2, rng=np.random.SeedSequence(a.seed_entropy)) == a


@pytest.mark.parametrize("chunk_size", [None, 1, 2, 3, 7, 100])
def test_thread_pool_gives_the_same_result(
    prepared: PreparedScenario, serial: SimulationResult, chunk_size: int | None
) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        result = simulate(prepared, runs=7, rng=2024, executor=pool, chunk_size=chunk_size)
    assert result == serial


def test_thread_pool_with_trajectories(prepared: PreparedScenario) -> None:
    alone = simulate(prepared, runs=3, rng=8, keep_trajectories=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pooled = simulate(prepared, runs=3, rng=8, keep_trajectories=True, executor=pool, chunk_size=1)
    assert alone.trajectories is not None
    assert pooled == alone
    np.testing.assert_array_equal(pooled.trajectories, alone.trajectories)


def test_process_pool_gives_the_same_result(prepared: PreparedScenario, serial: SimulationResult) -> None:
    # spawn: the workers start from scratch and receive everything by pickling.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        for chunk_size in (2, 3):
            assert simulate(prepared, runs=7, rng=2024, executor=pool, chunk_size=chunk_size) == serial


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client.get_executor()


@pytest.mark.dask
@pytest.mark.parametrize("chunk_size", [None, 2])
def test_dask_gives_the_same_result(
    prepared: PreparedScenario, serial: SimulationResult, dask_executor: Any, chunk_size: int | None
) -> None:
    assert simulate(prepared, runs=7, rng=2024, executor=dask_executor, chunk_size=chunk_size) == serial


def test_different_seeds_differ(prepared: PreparedScenario, serial: SimulationResult) -> None:
    other = simulate(prepared, runs=7, rng=2025)
    assert other != serial
    assert not np.array_equal(other.draws, serial.draws)
    assert not np.array_equal(other.metric("adopters"), serial.metric("adopters"))


def test_runs_differ_within_an_ensemble(serial: SimulationResult) -> None:
    assert len({tuple(row) for row in serial.draws}) == serial.runs
    adopters = serial.metric("adopters")[:, -1]
    assert len(set(adopters.tolist())) > 1


def test_run_r_does_not_depend_on_the_number_of_runs(prepared: PreparedScenario) -> None:
    five = simulate(prepared, runs=5, rng=77, keep_trajectories=True)
    three = simulate(prepared, runs=3, rng=77, keep_trajectories=True)
    np.testing.assert_array_equal(five.monthly[:3], three.monthly)
    np.testing.assert_array_equal(five.draws[:3], three.draws)
    np.testing.assert_array_equal(five.idm_counts[:3], three.idm_counts)
    np.testing.assert_array_equal(five.trajectories[:3], three.trajectories)  # type: ignore[index]


def test_draws_follow_their_distributions(serial: SimulationResult) -> None:
    assert serial.draw_names == (*DRAWS, "budget_phases[0]")
    d = serial.draws
    assert np.all((d[:, 0] >= 2e8) & (d[:, 0] <= 4e8))
    assert np.all(d[:, 1] == 1.0)  # capex multiplier: Fixed(1)
    assert np.all((d[:, 2:4] >= 0.7) & (d[:, 2:4] <= 1.3))
    assert np.all((d[:, 4] >= 3e8) & (d[:, 4] <= 6e8))


# --------------------------------------------------------- common random numbers


def test_richer_budget_is_never_behind(region: Region) -> None:
    poor = small_scenario(Uniform(1e8, 3e8), phases=(), name="poor")
    rich = small_scenario(Uniform(2e8, 6e8), phases=(), name="rich")
    comparison = compare([poor, rich], runs=8, rng=99, region=region)
    assert comparison.names == ("poor", "rich")
    p, r = comparison.results
    # The same uniform variates: the rich budget is exactly twice the poor one, run by run.
    np.testing.assert_array_equal(r.draws[:, 0], 2 * p.draws[:, 0])
    np.testing.assert_array_equal(r.draws[:, 1:], p.draws[:, 1:])
    for metric in ("villages_connected", "households_connected", "people_connected"):
        assert np.all(r.metric(metric) >= p.metric(metric)), metric
    difference = comparison.difference("villages_connected")
    assert difference.shape == (8, HORIZON)
    assert np.all(difference >= 0)
    assert difference.max() > 0  # the budget binds: the comparison is not vacuous


def test_identical_scenarios_get_identical_results(region: Region) -> None:
    a = small_scenario(name="a")
    b = small_scenario(name="b")
    comparison = compare([a, b], runs=3, rng=4, region=region)
    ra, rb = comparison.results
    assert ra.scenario_name == "a"
    assert rb.scenario_name == "b"
    np.testing.assert_array_equal(ra.monthly, rb.monthly)  # same streams for adoption as for draws
    assert attrs.evolve(rb, scenario_name="a") == ra


def test_adding_a_budget_phase_keeps_the_other_draws(region: Region) -> None:
    one = simulate(small_scenario(phases=()), runs=4, rng=6, region=region)
    two = simulate(small_scenario(phases=(BudgetPhase(10, Uniform(1e9, 2e9)),)), runs=4, rng=6, region=region)
    np.testing.assert_array_equal(two.draws[:, : len(DRAWS)], one.draws)


def test_comparison_tables(region: Region) -> None:
    pytest.importorskip("pandas")
    comparison = compare(
        [small_scenario(name="a"), small_scenario(Uniform(4e8, 8e8), name="b")], runs=3, rng=1, region=region
    )
    header, rows = comparison.rows()
    assert header == ["scenario", "outcome", "unit", "q10", "q50", "q90"]
    n_rows = len(comparison.results[0].summary_rows())
    assert len(rows) == 2 * n_rows
    assert [row[0] for row in rows] == ["a"] * n_rows + ["b"] * n_rows
    frame = comparison.to_dataframe(q=(0.5,))
    assert list(frame.columns) == ["scenario", "outcome", "unit", "q50"]
    assert len(frame) == 2 * n_rows


def test_compare_needs_a_scenario() -> None:
    with pytest.raises(ParameterError) as info:
        compare([], runs=2)
    assert info.value.parameter == "scenarios"


# ------------------------------------------------------------- per-run invariants


@pytest.fixture(scope="module", params=[True, False], ids=["stochastic", "deterministic"])
def with_trajectories(request: pytest.FixtureRequest, region: Region) -> tuple[PreparedScenario, SimulationResult]:
    sc = small_scenario()
    sc = attrs.evolve(sc, adoption=attrs.evolve(sc.adoption, stochastic=request.param))
    prep = prepare(sc, region=region)
    return prep, simulate(prep, runs=4, rng=31, keep_trajectories=True)


def _budget(result: SimulationResult, scenario: Scenario, run: int) -> np.ndarray:
    budget = np.full(result.n_months, result.draws[run, 0])
    for k, phase in enumerate(scenario.rollout.budget_phases):
        budget[phase.start_month :] = result.draws[run, len(DRAWS) + k]
    return budget


def test_invariants_of_every_run(with_trajectories: tuple[PreparedScenario, SimulationResult], region: Region) -> None:
    prep, result = with_trajectories
    sc = prep.scenario
    services = sc.programme.services
    shares = np.array([s.market_share for s in services])
    connected = result.metric("villages_connected")
    hh_connected = result.metric("households_connected")
    for r in range(result.runs):
        # stocks never fall
        assert np.all(np.diff(connected[r]) >= 0)
        assert np.all(np.diff(result.metric("cumulative_cost")[r]) >= 0)
        assert connected[r, 0] >= 5  # five villages connected before the start
        assert connected[r, -1] <= region.n_villages
        # cumulative cost is capex plus opex, summed
        np.testing.assert_allclose(
            result.metric("cumulative_cost")[r],
            np.cumsum(result.metric("capex")[r] + result.metric("opex")[r]),
            rtol=1e-12,
        )
        # never more spent than the budget made available so far (money carries over)
        budget = _budget(result, sc, r)
        assert np.all(np.cumsum(result.metric("capex")[r]) <= np.cumsum(budget) * (1 + 1e-12))
        # adopters stay within the connected market
        total = np.zeros(result.n_months)
        for svc in services:
            adopters = result.metric(f"adopters:{svc.id}")[r]
            assert np.all(adopters <= hh_connected[r] * svc.market_share + 1e-6), svc.id
            total += adopters
        np.testing.assert_allclose(result.metric("adopters")[r], total, rtol=1e-12)
        assert np.all(result.metric("adopters")[r] <= hh_connected[r] * shares.sum() + 1e-6)
        # pillars partition the services
        pillars = sum(result.metric(f"adopters_pillar:{p.id}")[r] for p in sc.programme.pillars)
        np.testing.assert_allclose(pillars, total, rtol=1e-12)
    # no observed IDM state declared: no IDM projection, although the region has desa
    assert any(v.kind is VillageKind.DESA for v in region.villages)
    assert not result.has_idm
    assert result.year_labels == ()
    assert result.idm_counts.shape == (result.runs, 0, 5)
    # villages per run and month agree with the per-village summary
    assert np.all((result.p_connected >= 0) & (result.p_connected <= 1))
    assert np.isclose(result.p_connected.sum(), connected[:, -1].mean())


def test_trajectories(with_trajectories: tuple[PreparedScenario, SimulationResult], region: Region) -> None:
    prep, result = with_trajectories
    sc = prep.scenario
    services = sc.programme.services
    n, t = region.n_villages, HORIZON
    traj = result.trajectories
    assert traj is not None
    assert traj.shape == (result.runs, len(services), t, n)
    households = np.array([v.households for v in region.villages])
    root = np.random.SeedSequence(31)
    months = np.arange(t)[:, None]
    for r in range(result.runs):
        out = run_one(prep, r, root, keep_trajectories=True)
        np.testing.assert_array_equal(out.monthly, result.monthly[r])
        np.testing.assert_array_equal(out.trajectories, traj[r])
        conn = out.connection_month
        for s, svc in enumerate(services):
            start = conn + svc.lag_months  # (n,)
            before = months < start[None, :]
            assert np.all(traj[r, s][before] == 0), svc.id
            market = np.floor(households * svc.market_share)
            assert np.all(traj[r, s] <= market[None, :] + 1e-9), svc.id
            assert np.all(np.diff(traj[r, s], axis=0) >= 0), svc.id  # adoption never falls
            # the village sums are the monthly adopter totals
            np.testing.assert_allclose(traj[r, s].sum(axis=1), result.metric(f"adopters:{svc.id}")[r], rtol=1e-12)
            if not sc.adoption.stochastic:
                started = (start < t) & (market > 0)
                first = traj[r, s, np.minimum(start, t - 1), np.arange(n)]
                assert np.all(first[started] > 0), svc.id  # adoption begins exactly at connection + lag
        # villages connected by month m, from the per-village months
        np.testing.assert_array_equal((conn[None, :] <= months).sum(axis=1), result.metric("villages_connected")[r])


def test_no_trajectories_unless_asked(serial: SimulationResult) -> None:
    assert serial.trajectories is None


def test_no_desa_no_idm() -> None:
    # IDM scores Indonesian desa only: a Philippine province has none, even with Banyuwangi's observed state.
    sc = attrs.evolve(
        banyuwangi_scenario(),
        region=RegionSource(builtin="guimaras"),
        horizon_months=60,
        rollout=attrs.evolve(banyuwangi_scenario().rollout, initially_connected=0),
    )
    assert sc.outcomes.idm.observed_year == 2020
    for result in (sk.simulate(sc, runs=2, rng=1), simulate(sc, runs=2, rng=1, region=sk.datasets.guimaras())):
        assert result.village_codes.shape == (98,)
        assert not result.has_idm
        assert result.year_labels == ()
        assert result.idm_counts.shape == (2, 0, 5)
        assert result.idm_table()[1] == []
        assert not any("desa" in label for label, _, _ in result.summary_rows())


def test_banyuwangi_idm_counts_cover_the_189_desa() -> None:
    sc = attrs.evolve(banyuwangi_scenario(), horizon_months=60)  # 2016-06 .. 2021-05: IDM 2020 and 2021
    result = sk.simulate(sc, runs=2, rng=1)
    assert result.village_codes.shape == (217,)
    assert result.year_labels == (2020, 2021)
    assert np.all(result.idm_counts.sum(axis=2) == 189)
    assert np.all(result.idm_counts[:, 0] == (0, 0, 26, 111, 52))
    assert np.all(result.metric("villages_connected")[:, 0] >= 41)  # connected at launch


# ------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"runs": 0}, "runs"),
        ({"runs": -3}, "runs"),
        ({"runs": 2.5}, "runs"),
        ({"runs": True}, "runs"),
        ({"runs": 2, "chunk_size": 0}, "chunk_size"),
        ({"runs": 2, "chunk_size": 1.5}, "chunk_size"),
        ({"runs": 2, "rng": "abc"}, "rng"),
        ({"runs": 2, "rng": 1.5}, "rng"),
        ({"runs": 2, "rng": -1}, "rng"),
        ({"runs": 2, "quantile_levels": (0.1, 1.5)}, "quantile_levels"),
        ({"runs": 2, "quantile_levels": (-0.1, 0.5)}, "quantile_levels"),
        ({"runs": 2, "quantile_levels": ()}, "quantile_levels"),
        ({"runs": 2, "executor": object()}, "executor"),
        ({"runs": 2, "backend": "fortran"}, "backend"),
        ({"runs": 2, "backend": None}, "backend"),
    ],
)
def test_bad_arguments_fail_before_any_work(
    monkeypatch: pytest.MonkeyPatch, region: Region, kwargs: dict[str, Any], parameter: str
) -> None:
    def no_work(*args: Any, **kw: Any) -> Any:
        raise AssertionError("work started before the arguments were checked")

    monkeypatch.setattr(ensemble_module, "prepare", no_work)
    monkeypatch.setattr(ensemble_module, "run_chunk", no_work)
    with pytest.raises(ParameterError) as info:
        simulate(small_scenario(), region=region, **kwargs)
    assert info.value.parameter == parameter
    assert "simulate" in str(info.value)


def test_a_budget_that_can_draw_a_negative_value_is_refused_up_front() -> None:
    # Refused when the scenario is built (so `validate` catches it), not in the middle of a run.
    with pytest.raises(ValueError, match="budget_per_month must not be negative") as info:
        small_scenario(Uniform(-2e8, -1e8))
    assert info.value.parameter == "budget_per_month"  # the field, named without attrs internals
    with pytest.raises(ValueError, match="budget_per_month must not be negative"):
        small_scenario(phases=(BudgetPhase(3, Fixed(-1.0)),))
    with pytest.raises(ValueError, match="bound it below at 0"):
        small_scenario(sk_normal := Normal(1e8, 1e8))  # untruncated normal reaches below 0
    assert sk_normal.low == -math.inf
    small_scenario(Normal(1e8, 1e8, low=0.0))  # truncated at 0: fine


def test_progress_callable_serial(prepared: PreparedScenario) -> None:
    calls: list[tuple[int, int]] = []
    simulate(prepared, runs=5, rng=1, chunk_size=1, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    calls.clear()
    simulate(prepared, runs=5, rng=1, chunk_size=2, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_progress_callable_with_an_executor(prepared: PreparedScenario) -> None:
    calls: list[tuple[int, int]] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        simulate(
            prepared,
            runs=5,
            rng=1,
            executor=pool,
            chunk_size=2,
            progress=lambda done, total: calls.append((done, total)),
        )
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_progress_bar_goes_to_stderr(prepared: PreparedScenario, capsys: pytest.CaptureFixture[str]) -> None:
    simulate(prepared, runs=2, rng=1, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
