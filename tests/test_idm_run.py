"""The IDM step of a scenario run: observed start, programme effects, bands, counterfactual, errors."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import smartkampung as sk
from smartkampung import ParameterError, SimulationResult
from smartkampung.datasets import banyuwangi, banyuwangi_scenario, guimaras, idm_dynamics, idm_inputs, synthetic_region
from smartkampung.model import (
    IDM_INDICATOR_COLUMNS,
    CompositeIndex,
    IDMAssumptions,
    IDMScore,
    IndicatorEffect,
    IndicatorPanel,
    Region,
    RegionSource,
    Scenario,
    VillageKind,
    idm_status_code,
)
from smartkampung.sim import IDMInputs, prepare, simulate
from smartkampung.sim.idm import (
    DEFAULT_PROGRAMME_EFFECTS,
    NOT_CONNECTED,
    draw_initial_state,
    fit_idm_dynamics,
    idm_sample_months,
    project_idm_status,
    simulate_idm_scores,
    status_counts,
)
from smartkampung.sim.run import adopt, draw, run_one, schedule_run

PUBLISHED_2020 = (0, 0, 26, 111, 52)  # Banyuwangi's IDM 2020, Sangat Tertinggal ... Mandiri
OFFICE = IDM_INDICATOR_COLUMNS.index("s_internet_kantor_desa")


def _with_idm(scenario: Scenario, **idm: object) -> Scenario:
    return attrs.evolve(scenario, outcomes=attrs.evolve(scenario.outcomes, idm=IDMAssumptions(**idm)))  # type: ignore[arg-type]


def _top_down(counts: np.ndarray) -> np.ndarray:
    """Desa at each status or above: cumulative counts from Mandiri down."""
    return np.cumsum(counts[..., ::-1], axis=-1)[..., ::-1]


# ----------------------------------------------------------------- the flagship, 200 runs


@pytest.fixture(scope="module")
def flagship() -> SimulationResult:
    """What the issue asks for: ``sk.simulate(sk.datasets.banyuwangi_scenario(), runs=200)``."""
    return sk.simulate(banyuwangi_scenario(), runs=200, rng=2016)


def test_flagship_starts_from_the_published_idm_2020_counts(flagship: SimulationResult) -> None:
    assert flagship.has_idm
    assert flagship.year_labels == (2020, 2021, 2022, 2023, 2024, 2025, 2026)  # nothing before the observed year
    assert flagship.idm_counts.shape == (200, 7, 5)
    # Every run reproduces the published counts exactly, so the medians do.
    assert np.all(flagship.idm_counts[:, 0] == PUBLISHED_2020)
    np.testing.assert_array_equal(flagship.idm_quantiles((0.5,))[0, 0], PUBLISHED_2020)
    assert np.all(flagship.idm_counts.sum(axis=2) == 189)  # every desa, every year; kelurahan have no IDM


def test_flagship_projects_2021_to_2026_with_widening_bands(flagship: SimulationResult) -> None:
    lo, mid, hi = flagship.idm_quantiles((0.1, 0.5, 0.9))
    assert np.all(lo <= mid)
    assert np.all(mid <= hi)
    width = hi - lo  # (years, statuses)
    assert np.all(width[0] == 0)  # the observed year has no spread
    for status in (3, 4):  # Maju, Mandiri: a real band from the first projected year on
        assert np.all(width[1:, status] > 0)
        assert width[-1, status] > width[1, status]  # uncertainty grows with the distance from IDM 2020
    # The panel's national dynamics and the programme move desa up: Mandiri grows, Maju shrinks.
    assert np.all(np.diff(mid[:, 4]) >= 0)
    assert mid[-1, 4] > PUBLISHED_2020[4]
    assert mid[-1, 3] < PUBLISHED_2020[3]


def test_flagship_tables_and_summary_show_the_projection(flagship: SimulationResult) -> None:
    header, rows = flagship.idm_table()
    assert header == ["year", "status", "q10", "q50", "q90"]
    assert len(rows) == 7 * 5
    assert rows[2] == [2020, "berkembang", 26.0, 26.0, 26.0]
    labels = [label for label, _, _ in flagship.summary_rows()]
    assert "desa Desa Mandiri (2026)" in labels
    assert not any("(2025)" in label for label in labels)


# ------------------------------------------------------------- seeds and common random numbers


@pytest.fixture(scope="module")
def prepared_flagship() -> sk.PreparedScenario:
    return prepare(banyuwangi_scenario(), banyuwangi(), idm=idm_inputs())


def test_same_seed_same_projection_on_any_executor(prepared_flagship: sk.PreparedScenario) -> None:
    a = simulate(prepared_flagship, runs=3, rng=5)
    b = simulate(prepared_flagship, runs=3, rng=5)
    np.testing.assert_array_equal(a.idm_counts, b.idm_counts)
    with ThreadPoolExecutor(2) as pool:
        c = simulate(prepared_flagship, runs=3, rng=5, executor=pool, chunk_size=1)
    assert c == a
    assert not np.array_equal(simulate(prepared_flagship, runs=3, rng=6).idm_counts[:, 1:], a.idm_counts[:, 1:])


def test_a_prepared_scenario_with_idm_survives_pickling(prepared_flagship: sk.PreparedScenario) -> None:
    # Process and Dask executors send the prepared scenario to their workers.
    again = pickle.loads(pickle.dumps(prepared_flagship))
    root = np.random.SeedSequence(9)
    np.testing.assert_array_equal(run_one(again, 2, root).idm_counts, run_one(prepared_flagship, 2, root).idm_counts)
    assert repr(prepared_flagship.idm) == "PreparedIDM(IDM, 189 villages, IDM 2020-2026, 3 rules)"


def test_the_idm_leaves_everything_else_alone(prepared_flagship: sk.PreparedScenario) -> None:
    # The same scenario without an observed IDM state: identical monthly metrics, draws and per-village summaries.
    sc = prepared_flagship.scenario
    none = simulate(_with_idm(sc), runs=2, rng=3, region=banyuwangi())
    with_idm = simulate(prepared_flagship, runs=2, rng=3)
    for name in ("monthly", "draws", "p_connected", "mean_connection_month", "p_half_adoption", "mean_final_fraction"):
        np.testing.assert_array_equal(getattr(none, name), getattr(with_idm, name), err_msg=name)
    assert not none.has_idm


def test_counterfactual_on_the_same_stream_is_never_ahead() -> None:
    sc = banyuwangi_scenario()
    cf = attrs.evolve(
        sc,
        name="no programme effects",
        outcomes=attrs.evolve(sc.outcomes, idm=attrs.evolve(sc.outcomes.idm, counterfactual=True)),
    )
    programme, counterfactual = sk.compare([sc, cf], runs=6, rng=11).results
    np.testing.assert_array_equal(programme.monthly, counterfactual.monthly)  # the same runs otherwise
    top_p, top_c = _top_down(programme.idm_counts), _top_down(counterfactual.idm_counts)
    # In every run and year, at most as many desa at or above each status without the programme's effects.
    assert np.all(top_c <= top_p)
    assert np.all(programme.idm_counts[:, 0] == PUBLISHED_2020)
    assert (top_c[:, :, 3:] < top_p[:, :, 3:]).any()  # the effects lift some desa to Maju or Mandiri
    assert np.all(counterfactual.idm_counts.sum(axis=2) == 189)


@settings(max_examples=25, deadline=None)
@given(
    hnp.arrays(np.int8, (15, 50), elements=st.integers(0, 5)),
    hnp.arrays(np.int64, 15, elements=st.sampled_from([2021, 2022, 2024, NOT_CONNECTED])),
    hnp.arrays(np.float64, (4, 15), elements=st.floats(0.0, 1.0)),
    st.integers(0, 2**32 - 1),
)
def test_effects_never_lower_a_desa_and_do_not_feed_back(
    scores: np.ndarray, connected: np.ndarray, adoption: np.ndarray, seed: int
) -> None:
    dyn = idm_dynamics()
    kwargs = {"initial_year": 2021, "years": np.arange(2021, 2025), "regency": np.arange(15) % 2, "rng": seed}
    drivers = {"social": adoption, "e_learning": adoption[::-1]}
    with_effects = simulate_idm_scores(scores, dyn, connected_year=connected, adoption=drivers, **kwargs)
    without = simulate_idm_scores(scores, dyn, effects=(), **kwargs)
    # The reported scores are the background raised to the floor: never lower, and equal off the three rules.
    assert np.all(with_effects >= without)
    ruled = [IDM_INDICATOR_COLUMNS.index(e.column) for e in DEFAULT_PROGRAMME_EFFECTS]
    np.testing.assert_array_equal(np.delete(with_effects, ruled, axis=2), np.delete(without, ruled, axis=2))
    s_with = project_idm_status(scores, dyn, connected_year=connected, adoption=drivers, **kwargs)
    s_without = project_idm_status(scores, dyn, effects=(), **kwargs)
    assert np.all(s_with >= s_without)


def test_background_start_is_the_unraised_donor() -> None:
    panel = sk.datasets.idm_panel()
    connected = np.full(189, 2019)
    from smartkampung.sim.idm import effect_floor

    floor = effect_floor(DEFAULT_PROGRAMME_EFFECTS[:1], year=2020, n_desa=189, connected_year=connected)
    raised = draw_initial_state(PUBLISHED_2020, panel, rng=4, floor=floor)
    background = draw_initial_state(PUBLISHED_2020, panel, rng=4, floor=floor, background=True)
    np.testing.assert_array_equal(np.maximum(background, floor), raised)  # the same donors, unraised
    assert np.all(raised[:, OFFICE] == 5)
    assert (background[:, OFFICE] == 1).any()  # some donors had no office internet of their own
    with pytest.raises(ParameterError) as info:
        draw_initial_state(PUBLISHED_2020, panel, rng=4, background="yes")  # type: ignore[arg-type]
    assert info.value.parameter == "background"


# --------------------------------------------------------------- adoption the effects read


def test_adopt_samples_each_driver_at_the_idm_cut_off(prepared_flagship: sk.PreparedScenario) -> None:
    idm = prepared_flagship.idm
    assert idm is not None
    assert idm.drivers == ("social", "e_learning")
    sc = prepared_flagship.scenario
    services = sc.programme.services
    # March of each IDM year, counted from June 2016 (month 0)
    np.testing.assert_array_equal(
        idm.sample_months, idm_sample_months(range(2020, 2027), start_year=2016, start_month=6)
    )
    assert idm.sample_months.tolist() == [45, 57, 69, 81, 93, 105, 117]
    root = np.random.SeedSequence(21)
    draws = draw(prepared_flagship, root, 0)
    schedule = schedule_run(prepared_flagship, draws)
    adoption = adopt(prepared_flagship, schedule, draws, keep_trajectories=True)
    assert adoption.driver_adopters.shape == (2, 7, 217)
    traj = adoption.trajectories
    assert traj is not None
    social = {p.id for p in sc.programme.pillars if p.idm_dimension is not None and p.idm_dimension.value == "social"}
    rows = [s for s, svc in enumerate(services) if svc.pillar in social]
    expected = traj[rows][:, idm.sample_months].sum(axis=0)
    np.testing.assert_allclose(adoption.driver_adopters[0], expected)
    np.testing.assert_allclose(adoption.driver_market[0], prepared_flagship.market[rows].sum(axis=0))
    e = [svc.id for svc in services].index("e_learning")
    np.testing.assert_allclose(adoption.driver_adopters[1], traj[e][idm.sample_months])
    none = prepare(_with_idm(sc), banyuwangi())
    assert adopt(none, schedule, draws).driver_adopters.shape == (0, 0, 217)


# ------------------------------------------------------------------- observed states


def _region_with_scores(n_scored: int) -> Region:
    region = synthetic_region(20, seed=3)
    scores = [IDMScore(0.9, 0.9, 0.9), IDMScore(0.75, 0.7, 0.7), IDMScore(0.62, 0.6, 0.6), IDMScore(0.5, 0.5, 0.5)]
    villages = []
    k = 0
    for v in region.villages:
        if v.kind is VillageKind.DESA and k < n_scored:
            v = attrs.evolve(v, idm=scores[k % len(scores)])
            k += 1
        villages.append(v)
    return attrs.evolve(region, villages=tuple(villages))


def _small(observed_year: int = 2017, **idm: object) -> Scenario:
    base = banyuwangi_scenario()
    sc = attrs.evolve(base, horizon_months=36, rollout=attrs.evolve(base.rollout, initially_connected=2))
    return _with_idm(sc, observed_year=observed_year, **idm)


def test_per_desa_scores_are_the_observed_state() -> None:
    region = _region_with_scores(10**6)  # every desa
    n_desa = sum(v.kind is VillageKind.DESA for v in region.villages)
    statuses = idm_status_code([v.idm.composite for v in region.villages if v.idm is not None])
    result = simulate(_small(), runs=3, rng=1, region=region, idm=idm_inputs())
    assert result.year_labels == (2017, 2018, 2019)
    np.testing.assert_array_equal(result.idm_counts[:, 0], np.tile(np.bincount(statuses, minlength=5), (3, 1)))
    assert np.all(result.idm_counts.sum(axis=2) == n_desa)


def test_counts_for_the_desa_without_a_score_of_their_own() -> None:
    region = _region_with_scores(4)  # one desa of each of Mandiri, Maju, Berkembang, Tertinggal
    n_desa = sum(v.kind is VillageKind.DESA for v in region.villages)
    counts = (0, 3, 4, n_desa - 10, 3)  # for all the desa, as published
    result = simulate(_small(status_counts=counts), runs=4, rng=2, region=region, idm=idm_inputs())
    assert np.all(result.idm_counts[:, 0] == counts)
    with pytest.raises(ParameterError) as info:  # one Tertinggal desa has its own score
        simulate(_small(status_counts=(1, 0, 4, n_desa - 8, 3)), runs=1, region=region, idm=idm_inputs())
    assert info.value.parameter == "status_counts"
    assert "leave no room" in str(info.value)
    with pytest.raises(ParameterError) as info:
        simulate(_small(), runs=1, region=region, idm=idm_inputs())
    assert info.value.parameter == "status_counts"
    assert "no IDM score of their own" in str(info.value)


def test_years_before_the_programme_are_projected_from_an_earlier_observed_year() -> None:
    region = synthetic_region(20, seed=3)
    n_desa = sum(v.kind is VillageKind.DESA for v in region.villages)
    counts = (0, 2, n_desa - 5, 3, 0)
    result = simulate(_small(observed_year=2014, status_counts=counts), runs=2, rng=3, region=region, idm=idm_inputs())
    assert result.year_labels == (2014, 2015, 2016, 2017, 2018, 2019)  # the horizon runs 2016-06 .. 2019-05
    assert np.all(result.idm_counts[:, 0] == counts)


@pytest.mark.parametrize("observed_year", [2020, 2030])
def test_an_observed_year_after_the_horizon_projects_nothing(observed_year: int) -> None:
    region = synthetic_region(20, seed=3)
    result = simulate(_small(observed_year=observed_year, status_counts=(0, 0, 1, 1, 1)), runs=1, region=region)
    assert not result.has_idm  # no inputs needed either: there is nothing to project
    assert result.idm_counts.shape == (1, 0, 5)
    assert result.idm_quantiles().shape == (3, 0, 5)


# ------------------------------------------------------------------------- errors


def test_the_core_refuses_a_projection_without_its_data() -> None:
    with pytest.raises(ParameterError) as info:
        simulate(banyuwangi_scenario(), runs=1, region=banyuwangi())
    assert (info.value.parameter, info.value.function) == ("idm", "prepare")
    assert "smartkampung.simulate" in str(info.value)
    assert "189 desa" in str(info.value)
    with pytest.raises(ParameterError) as info:
        simulate(prepare(_with_idm(banyuwangi_scenario()), banyuwangi()), runs=1, idm=idm_inputs())
    assert info.value.parameter == "idm"
    with pytest.raises(ParameterError) as info:
        prepare(banyuwangi_scenario(), banyuwangi(), idm="bundled")  # type: ignore[arg-type]
    assert info.value.parameter == "idm"


def test_banyuwangis_counts_on_another_region_are_refused() -> None:
    region = synthetic_region(20, seed=3)
    sc = attrs.evolve(banyuwangi_scenario(), rollout=attrs.evolve(banyuwangi_scenario().rollout, initially_connected=2))
    with pytest.raises(ParameterError) as info:
        sk.simulate(sc, runs=1, region=region)
    assert info.value.parameter == "status_counts"
    assert "add up to 189" in str(info.value)
    with pytest.raises(ParameterError) as info:
        sk.simulate(_small(status_counts=(1, 2, 3)), runs=1, region=region)
    assert info.value.parameter == "status_counts"
    assert "one count per status" in str(info.value)


@pytest.mark.parametrize(
    ("effect", "needle"),
    [
        (IndicatorEffect("s_internet_kantor_desa", 5, "telepathy", 0.5), "neither a service"),
        (IndicatorEffect("s_no_such_indicator", 5, "connection"), "no indicator"),
        (IndicatorEffect("s_internet_kantor_desa", 9, "connection"), "exceeds"),
    ],
)
def test_bad_effect_rules_are_refused(effect: IndicatorEffect, needle: str) -> None:
    region = synthetic_region(20, seed=3)
    n_desa = sum(v.kind is VillageKind.DESA for v in region.villages)
    sc = _small(status_counts=(0, 0, n_desa, 0, 0), effects=(effect,))
    with pytest.raises(ParameterError, match=needle) as info:
        sk.simulate(sc, runs=1, region=region)
    assert info.value.parameter == "effects"


def test_idm_inputs_are_checked() -> None:
    dyn = idm_dynamics()
    with pytest.raises(ParameterError) as info:
        IDMInputs("dynamics", np.zeros((2, 50)))  # type: ignore[arg-type]
    assert info.value.parameter == "dynamics"
    for bad in (np.zeros((3, 49)), np.full((2, 50), 6), np.zeros((0, 50))):
        with pytest.raises(ParameterError) as info:
            IDMInputs(dyn, bad)
        assert (info.value.parameter, info.value.function) == ("reference", "IDMInputs")
    inputs = IDMInputs(dyn, sk.datasets.idm_panel())
    assert inputs.reference.shape == (10_006, 50)
    assert not inputs.reference.flags.writeable
    assert repr(inputs) == "IDMInputs(IDM, 3 regimes, 10006 records)"


# ----------------------------------------------------------------- a country's own index


def _toy_inputs() -> IDMInputs:
    index = CompositeIndex(
        name="TOY",
        sub_indices=("A", "B"),
        indicator_columns=("a1", "a2", "b1"),
        indicator_sub_index=(0, 0, 1),
        thresholds=(0.4, 0.7),
        status_labels=("low", "mid", "high"),
        max_score=4,
        decimals=2,
    )
    rng = np.random.default_rng(0)
    n = 300
    x = rng.integers(0, 5, (n, 3))
    y = np.clip(x + rng.integers(-1, 2, (n, 3)), 0, 4)
    panel = IndicatorPanel(
        index=index,
        codes=[f"v{i}" for i in range(n)] * 2,
        regency_codes=["r"] * (2 * n),
        years=[2024] * n + [2025] * n,
        scores=np.vstack([x, y]),
        source="made up for a test",
    )
    return IDMInputs(fit_idm_dynamics(panel), panel)


def test_a_countrys_own_index_is_projected_for_its_villages() -> None:
    inputs = _toy_inputs()
    base = banyuwangi_scenario()
    sc = attrs.evolve(
        base,
        name="Guimaras, own index",
        region=RegionSource(builtin="guimaras"),
        start="2026-01",
        horizon_months=36,
        rollout=attrs.evolve(base.rollout, initially_connected=0, budget_phases=()),
    )
    sc = _with_idm(
        sc,
        observed_year=2026,
        status_counts=(30, 50, 18),
        effects=(IndicatorEffect("a1", 4, "connection", source="made up for a test"),),
    )
    result = sk.simulate(sc, runs=3, rng=1, idm=inputs)
    assert result.has_idm
    assert result.year_labels == (2026, 2027, 2028)
    assert result.idm_status_names == ("low", "mid", "high")
    assert result.idm_index_name == "TOY"
    assert result.idm_counts.shape == (3, 3, 3)
    assert np.all(result.idm_counts[:, 0] == (30, 50, 18))
    assert np.all(result.idm_counts.sum(axis=2) == 98)  # every barangay
    labels = [label for label, _, _ in result.summary_rows() if label.startswith("TOY")]
    assert labels == ["TOY low (2028)", "TOY mid (2028)", "TOY high (2028)"]
    assert result.idm_table()[1][0][:2] == [2026, "low"]
    # Without the user's index, Guimaras has no IDM.
    assert not sk.simulate(sc, runs=1, rng=1).has_idm
    assert not simulate(sc, runs=1, rng=1, region=guimaras()).has_idm


# ---------------------------------------------------------------------- status_counts


def test_status_counts_hand_example() -> None:
    codes = np.array([[[0, 2, 2, -1], [1, 2, 4, -1]], [[4, 4, 4, 4], [-1, -1, -1, -1]]])
    counts = status_counts(codes)
    assert counts.shape == (2, 2, 5)
    np.testing.assert_array_equal(counts[0], [[1, 0, 2, 0, 0], [0, 1, 1, 0, 1]])
    np.testing.assert_array_equal(counts[1], [[0, 0, 0, 0, 4], [0, 0, 0, 0, 0]])
    toy = _toy_inputs().index
    np.testing.assert_array_equal(status_counts([0, 2, 2, 1], index=toy), [1, 1, 2])


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.int8, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6), elements=st.integers(-1, 4)))
def test_status_counts_sum_to_scored_villages(codes: np.ndarray) -> None:
    counts = status_counts(codes)
    assert counts.shape == (*codes.shape[:-1], 5)
    np.testing.assert_array_equal(counts.sum(axis=-1), (codes >= 0).sum(axis=-1))
    for k in range(5):
        np.testing.assert_array_equal(counts[..., k], (codes == k).sum(axis=-1))


@pytest.mark.parametrize("bad", [[0, 5], [-2, 0], 3, [0.5, 1.0], ["a"]])
def test_status_counts_errors(bad: object) -> None:
    with pytest.raises(ParameterError) as info:
        status_counts(bad)  # type: ignore[arg-type]
    assert info.value.parameter == "status_codes"
