"""IDM dynamics: the fit, its shipped parameters, simulation, initial states, programme effects, backtest."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import multivariate_normal, norm

from smartkampung._errors import ParameterError
from smartkampung.datasets import banyuwangi_idm_status, idm_dynamics, idm_panel
from smartkampung.datasets._idm import fit_bundled_idm_dynamics
from smartkampung.model import IDM_INDEX, IDM_INDICATOR_COLUMNS, CompositeIndex, IndicatorEffect, IndicatorPanel
from smartkampung.sim.idm import (
    DEFAULT_PROGRAMME_EFFECTS,
    NOT_CONNECTED,
    IDMDynamics,
    backtest_idm_dynamics,
    connection_idm_year,
    draw_initial_state,
    effect_floor,
    fit_idm_dynamics,
    idm_sample_months,
    indicator_weights,
    project_idm_status,
    simulate_idm_scores,
    status_of_scores,
    step_idm,
    transition_pairs,
)
from smartkampung.sim.idm import _fit as sim_idm

OFFICE = IDM_INDICATOR_COLUMNS.index("s_internet_kantor_desa")
RESIDENTS = IDM_INDICATOR_COLUMNS.index("s_akses_internet_warga")
LIBRARY = IDM_INDICATOR_COLUMNS.index("s_ketersediaan_taman_baca_perpus_desa")
OFFICE_RULE = DEFAULT_PROGRAMME_EFFECTS[:1]


@pytest.fixture(scope="module")
def panel() -> IndicatorPanel:
    return idm_panel()


@pytest.fixture(scope="module")
def shipped() -> IDMDynamics:
    return idm_dynamics()


@pytest.fixture(scope="module")
def fit_2122(panel: IndicatorPanel) -> IDMDynamics:
    return fit_idm_dynamics(panel, year_pairs=[(2021, 2022)])


# ------------------------------------------------------------------ fit and shipping


def test_refit_gives_the_shipped_numbers(panel: IndicatorPanel, shipped: IDMDynamics) -> None:
    refit = fit_bundled_idm_dynamics()
    np.testing.assert_allclose(refit.transition, shipped.transition, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(refit.frozen, shipped.frozen, rtol=1e-12, atol=1e-15)
    assert refit.rho_regency == pytest.approx(shipped.rho_regency, rel=1e-9)
    assert refit.rho_desa == pytest.approx(shipped.rho_desa, abs=1e-12)
    assert refit.year_pairs == shipped.year_pairs == ((2021, 2022), (2022, 2023), (2023, 2024))
    assert refit.regimes == tuple((p,) for p in shipped.year_pairs)
    np.testing.assert_array_equal(refit.n_transitions, shipped.n_transitions)
    assert "fit_idm_dynamics" in shipped.source
    assert "write_idm_dynamics" in shipped.source
    # A plain fit with the defaults is the same model.
    plain = fit_idm_dynamics(panel)
    np.testing.assert_allclose(plain.transition, shipped.transition, rtol=1e-12, atol=1e-15)


def test_dict_and_json_round_trip(shipped: IDMDynamics) -> None:
    again = IDMDynamics.from_dict(json.loads(json.dumps(shipped.to_dict())))
    assert again == shipped
    assert again.index == IDM_INDEX


def test_fitted_model_matches_the_moments_it_was_fitted_to(shipped: IDMDynamics, panel: IndicatorPanel) -> None:
    m = shipped.moments
    assert m["model_same_regency_covariance_sum"] == pytest.approx(m["observed_same_regency_covariance_sum"], rel=1e-9)
    if shipped.rho_desa > 0:
        assert m["model_variance_sum"] == pytest.approx(m["observed_variance_sum"], rel=1e-9)
    else:  # the regency share alone already gives at least the observed variance
        assert m["model_variance_sum"] >= m["observed_variance_sum"]
    assert abs(m["model_mean_change"] - m["observed_mean_change"]) < 2e-4
    assert 0.0 < shipped.rho_regency < 0.2
    t = shipped.transition
    np.testing.assert_allclose(t.sum(axis=-1), 1.0, atol=1e-12)
    # Rows never seen stay put: scores 2-4 of the office-internet indicator never occur.
    np.testing.assert_array_equal(t[:, :, OFFICE, 3], np.broadcast_to(np.eye(6)[3], t[:, :, OFFICE, 3].shape))
    # Unchanged records: the 2022->2023 regime has almost none, 2023->2024 many.
    assert shipped.frozen[1].max() < 0.02 < 0.2 < shipped.frozen[2].min()


def test_unchanged_share_matches_the_panel(panel: IndicatorPanel, fit_2122: IDMDynamics) -> None:
    a, b, _ = transition_pairs(panel.codes, panel.years, [(2021, 2022)])
    x, y = panel.scores[a], panel.scores[b]
    band = status_of_scores(x)
    observed = np.all(x == y, axis=1)
    # Model: frozen, or active with every indicator staying.
    stay = fit_2122.transition[0, band[:, None], np.arange(50)[None, :], x, x].prod(axis=1)
    f = fit_2122.frozen[0, band]
    expected = f + (1 - f) * stay
    assert expected.sum() == pytest.approx(observed.sum(), rel=0.02)


def test_moments_are_exact_against_the_bivariate_normal() -> None:
    # One binary indicator, two desa in one regency: Cov(Y1, Y2) = Φ2(-τ, -τ; ρ) - Φ(-τ)².
    rows = np.array([[[0.7, 0.3]], [[0.4, 0.6]]])  # (n=2, j=1, L=2)
    x = np.zeros((2, 1), dtype=np.int8)
    terms = sim_idm._MomentTerms(rows, np.ones(2), x, np.ones(1))
    tau = norm.ppf([0.7, 0.4])
    for rho in (0.0, 0.2, 0.6):
        cov = multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([-tau[0], -tau[1]]) - 0.3 * 0.6
        series = (rho ** np.arange(1, 61)) @ (terms.a[:, 0] * terms.a[:, 1])
        assert series == pytest.approx(cov, abs=1e-6)
    np.testing.assert_allclose(terms.variance(0.3), [0.21, 0.24], rtol=1e-12)  # one indicator: ρ has no effect
    np.testing.assert_allclose(terms.mean(), [0.3, 0.6], rtol=1e-12)


def test_model_moments_agree_with_simulation(panel: IndicatorPanel, fit_2122: IDMDynamics) -> None:
    a, _, _ = transition_pairs(panel.codes, panel.years, [(2021, 2022)])
    x = panel.scores[a]
    w = indicator_weights()
    band = status_of_scores(x).astype(np.intp)
    rows = fit_2122.transition[0, band[:, None], np.arange(50)[None, :], x]
    terms = sim_idm._MomentTerms(rows, 1.0 - fit_2122.frozen[0, band], x, w)
    _, group = np.unique(panel.regency_codes[a], return_inverse=True)
    rng = np.random.default_rng(2024)
    runs = np.stack([(step_idm(x, fit_2122, regency=group, rng=rng).astype(np.int64) - x) @ w for _ in range(150)])
    assert runs.mean() == pytest.approx(terms.mean().mean(), rel=0.03)
    rho_w = fit_2122.rho_regency + fit_2122.rho_desa
    assert runs.var(axis=0).sum() == pytest.approx(terms.variance(rho_w).sum(), rel=0.05)
    e = runs - runs.mean(axis=0)
    sums = np.stack([np.bincount(group, weights=row) for row in e])
    pair_cov = ((sums**2).sum(axis=1) - (e**2).sum(axis=1)).mean() / 2 * len(runs) / (len(runs) - 1)
    model = (fit_2122.rho_regency ** np.arange(1, 61)) @ terms.pair_coefficients(group.astype(np.intp), group.max() + 1)
    assert pair_cov == pytest.approx(model, rel=0.15)


def test_one_step_marginals_follow_the_transition_rows(shipped: IDMDynamics, panel: IndicatorPanel) -> None:
    # The copula keeps each indicator's marginal: frequencies over many copies of one desa.
    x0 = panel.scores[panel.years == 2023][7]
    band = int(status_of_scores(x0[None])[0])
    n = 20_000
    one = IDMDynamics(
        index=shipped.index,
        transition=shipped.transition[2:3],
        frozen=shipped.frozen[2:3],
        rho_regency=shipped.rho_regency,
        rho_desa=shipped.rho_desa,
        prior_strength=shipped.prior_strength,
        year_pairs=shipped.year_pairs[2:],
        regimes=shipped.regimes[2:],
        n_transitions=shipped.n_transitions[2:3],
    )
    y = step_idm(np.tile(x0, (n, 1)), one, regency=np.arange(n), rng=5)
    f = one.frozen[0, band]
    for j in (OFFICE, RESIDENTS, 0, 36, 49):
        p = (1 - f) * one.transition[0, band, j, x0[j]] + f * np.eye(6)[x0[j]]
        freq = np.bincount(y[:, j], minlength=6) / n
        assert np.all(np.abs(freq - p) <= 4 * np.sqrt(p * (1 - p) / n) + 1e-12), j


def test_fit_errors(panel: IndicatorPanel) -> None:
    with pytest.raises(ParameterError) as info:
        fit_idm_dynamics(panel.scores)  # type: ignore[arg-type]
    assert (info.value.parameter, info.value.function) == ("panel", "fit_idm_dynamics")
    for kwargs, parameter in [
        ({"prior_strength": -1.0}, "prior_strength"),
        ({"regimes": "annual"}, "regimes"),
        ({"year_pairs": [(2022, 2021)]}, "year_pairs"),
        ({"year_pairs": [(2019, 2020)]}, "year_pairs"),
        ({"year_pairs": [(2021, 2022), (2021, 2022)]}, "year_pairs"),
        ({"max_iterations": 0}, "max_iterations"),
        ({"tolerance": 0.0}, "tolerance"),
    ]:
        with pytest.raises(ParameterError) as info:
            fit_idm_dynamics(panel, **kwargs)  # type: ignore[arg-type]
        assert info.value.parameter == parameter


def test_from_dict_and_constructor_errors(shipped: IDMDynamics) -> None:
    data = shipped.to_dict()
    with pytest.raises(ParameterError, match="format") as info:
        IDMDynamics.from_dict({**data, "format": "other"})
    assert (info.value.parameter, info.value.function) == ("data", "IDMDynamics.from_dict")
    with pytest.raises(ParameterError, match="'frozen'"):
        IDMDynamics.from_dict({k: v for k, v in data.items() if k != "frozen"})
    with pytest.raises(ParameterError, match="data"):
        IDMDynamics.from_dict({**data, "rho_regency": 1.5})
    bad = shipped.transition.copy()
    bad[0, 0, 0, 0] += 0.5
    with pytest.raises(ParameterError) as info:
        IDMDynamics(
            index=shipped.index,
            transition=bad,
            frozen=shipped.frozen,
            rho_regency=0.1,
            rho_desa=0.0,
            prior_strength=10.0,
            year_pairs=shipped.year_pairs,
            regimes=shipped.regimes,
            n_transitions=shipped.n_transitions,
        )
    assert info.value.parameter == "transition"


# ------------------------------------------------------------------------ simulation


@given(hnp.arrays(np.int8, (12, 50), elements=st.integers(0, 5)), st.integers(0, 2**32 - 1))
def test_scores_stay_in_range_and_runs_are_seeded(scores: np.ndarray, seed: int) -> None:
    dyn = idm_dynamics()
    years = np.arange(2020, 2024)
    a = simulate_idm_scores(scores, dyn, initial_year=2020, years=years, effects=(), rng=seed)
    b = simulate_idm_scores(scores, dyn, initial_year=2020, years=years, effects=(), rng=seed)
    assert a.shape == (4, 12, 50)
    assert a.dtype == np.int8
    assert a.min() >= 0
    assert a.max() <= 5
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[0], scores)
    s = project_idm_status(scores, dyn, initial_year=2020, years=years, effects=(), rng=seed)
    np.testing.assert_array_equal(s, status_of_scores(a.reshape(-1, 50)).reshape(4, 12))


@given(st.integers(0, 2**32 - 1))
def test_connected_offices_score_five_from_their_idm_year(seed: int) -> None:
    dyn = idm_dynamics()
    rng = np.random.default_rng(seed)
    n = 30
    x0 = np.asarray(rng.integers(0, 6, (n, 50)), dtype=np.int8)
    x0[:, OFFICE] = 1
    connected = rng.integers(2021, 2027, n)
    connected[:5] = NOT_CONNECTED
    years = np.arange(2021, 2026)
    adoption = {"social": np.zeros((5, n)), "e_learning": np.zeros((5, n))}
    traj = simulate_idm_scores(
        x0, dyn, initial_year=2020, years=years, connected_year=connected, adoption=adoption, rng=seed
    )
    for t, year in enumerate(years):
        on = connected <= year
        assert np.all(traj[t, on, OFFICE] == 5)
    # Zero adoption triggers neither adoption rule; scores of other desa follow the background only.
    assert traj.min() >= 0


def test_common_random_numbers_across_scenarios(shipped: IDMDynamics, panel: IndicatorPanel) -> None:
    # A programme acting on one desa leaves every other desa's run unchanged (same stream, same shocks),
    # so a scenario and its counterfactual differ only where the programme acts.
    x0 = panel.scores[panel.years == 2021][:40]
    years = np.arange(2021, 2027)
    connected = np.full(40, NOT_CONNECTED)
    connected[0] = 2022
    with_programme = simulate_idm_scores(
        x0,
        shipped,
        initial_year=2021,
        years=years,
        connected_year=connected,
        effects=OFFICE_RULE,
        regency=np.arange(40) % 3,
        rng=8,
    )
    without = simulate_idm_scores(
        x0, shipped, initial_year=2021, years=years, effects=(), regency=np.arange(40) % 3, rng=8
    )
    np.testing.assert_array_equal(with_programme[:, 1:], without[:, 1:])
    assert np.all(with_programme[1:, 0, OFFICE] == 5)
    # The effect does not feed back: the desa's other 49 indicators move exactly as without the programme.
    np.testing.assert_array_equal(
        np.delete(with_programme[:, 0], OFFICE, axis=1), np.delete(without[:, 0], OFFICE, axis=1)
    )


def test_adoption_rules_act_at_their_thresholds() -> None:
    n = 4
    floor = effect_floor(
        DEFAULT_PROGRAMME_EFFECTS,
        year=2022,
        n_desa=n,
        connected_year=[2021, 2022, 2023, NOT_CONNECTED],
        adoption={"social": [0.0, 0.1, 0.099, 1.0], "e_learning": [0.01, 0.0, 0.5, 0.0]},
    )
    assert floor.shape == (4, 50)
    assert floor[:, OFFICE].tolist() == [5, 5, -1, -1]
    assert floor[:, RESIDENTS].tolist() == [-1, 5, -1, 5]
    assert floor[:, LIBRARY].tolist() == [5, -1, 5, -1]
    others = np.delete(floor, [OFFICE, RESIDENTS, LIBRARY], axis=1)
    assert np.all(others == -1)


def test_effect_floor_errors() -> None:
    with pytest.raises(ParameterError) as info:
        effect_floor(
            DEFAULT_PROGRAMME_EFFECTS, year=2022, n_desa=2, connected_year=[2021, 2022], adoption={"social": [0.0, 0.1]}
        )
    assert info.value.parameter == "adoption"
    assert "e_learning" in str(info.value)
    with pytest.raises(ParameterError, match="connected_year"):
        effect_floor(OFFICE_RULE, year=2022, n_desa=2)
    with pytest.raises(ParameterError, match=r"\[0, 1\]"):
        effect_floor(DEFAULT_PROGRAMME_EFFECTS[1:2], year=2022, n_desa=2, adoption={"social": [0.0, 1.5]})
    with pytest.raises(ParameterError, match="no indicator"):
        effect_floor((IndicatorEffect("s_wifi", 5, "connection"),), year=2022, n_desa=1, connected_year=[2020])
    with pytest.raises(ParameterError, match="exceeds"):
        effect_floor((IndicatorEffect("s_dokter", 6, "connection"),), year=2022, n_desa=1, connected_year=[2020])


def test_projection_errors(shipped: IDMDynamics) -> None:
    x = np.full((3, 50), 3, dtype=np.int8)
    fn = "project_idm_status"
    cases = [
        ({"years": [2019, 2020]}, "years", "backwards"),
        ({"years": [2021, 2023]}, "years", "consecutive"),
        ({"years": [2023, 2024]}, "years", "consecutive"),
        ({"years": [2021], "connected_year": [2020, 2020]}, "connected_year", "shape"),
        (
            {"years": [2021], "effects": DEFAULT_PROGRAMME_EFFECTS[:2], "connected_year": [2020] * 3},
            "adoption",
            "'social'",
        ),
        (
            {"years": [2021], "adoption": {"social": np.zeros((2, 3))}, "effects": DEFAULT_PROGRAMME_EFFECTS[1:2]},
            "adoption",
            "shape",
        ),
        ({"years": [2021]}, "connected_year", "needed"),
        ({"years": [2021], "effects": (), "regency": [1, 2]}, "regency", "shape"),
        ({"years": [2021], "effects": (), "rng": "seed"}, "rng", "Generator"),
    ]
    for kwargs, parameter, needle in cases:
        with pytest.raises(ParameterError) as info:
            project_idm_status(x, shipped, initial_year=2020, **kwargs)  # type: ignore[arg-type]
        assert (info.value.parameter, info.value.function) == (parameter, fn), kwargs
        assert needle in str(info.value)
    with pytest.raises(ParameterError, match="initial_scores"):
        project_idm_status(np.full((3, 50), 9), shipped, initial_year=2020, years=[2021], effects=())
    with pytest.raises(ParameterError, match="dynamics"):
        project_idm_status(x, "shipped", initial_year=2020, years=[2021], effects=())  # type: ignore[arg-type]


# --------------------------------------------------------------------- initial state


@given(st.lists(st.integers(0, 40), min_size=5, max_size=5), st.integers(0, 2**32 - 1))
def test_initial_state_reproduces_status_counts_exactly(counts: list[int], seed: int) -> None:
    ref = idm_panel()
    x = draw_initial_state(counts, ref, rng=seed)
    assert x.shape == (sum(counts), 50)
    assert x.dtype == np.int8
    np.testing.assert_array_equal(np.bincount(status_of_scores(x), minlength=5), counts)
    np.testing.assert_array_equal(x, draw_initial_state(counts, ref, rng=seed))


def test_initial_state_under_a_floor_keeps_the_counts_and_the_floor(panel: IndicatorPanel) -> None:
    counts = banyuwangi_idm_status()[2020].counts
    floor = effect_floor(OFFICE_RULE, year=2020, n_desa=189, connected_year=[2018] * 150 + [NOT_CONNECTED] * 39)
    x = draw_initial_state(counts, panel.select(panel.years == 2021), rng=3, floor=floor)
    np.testing.assert_array_equal(np.bincount(status_of_scores(x), minlength=5), counts)
    assert np.all(x[:150, OFFICE] == 5)
    # Each drawn vector is a reference record, raised to the floor.
    ref = panel.scores[panel.years == 2021]
    raised = np.maximum(ref, floor[0]).astype(np.int8)
    rows = {r.tobytes() for r in raised}
    assert all(r.tobytes() in rows for r in x[:150])


def test_initial_state_per_desa_codes_and_errors(panel: IndicatorPanel) -> None:
    codes = [4, 0, 2, 3]
    x = draw_initial_state(None, panel, rng=1, status_codes=codes)
    assert status_of_scores(x).tolist() == codes
    fn = "draw_initial_state"
    only_low = panel.scores[panel.published_status == 0]  # type: ignore[comparison-overlap]
    cases = [
        ((None, panel), {}, "status_counts"),
        (([0, 0, 1, 0, 0], panel), {"status_codes": [2]}, "status_counts"),
        (([0, -1, 1, 0, 0], panel), {}, "status_counts"),
        (([0, 1, 1], panel), {}, "status_counts"),
        ((None, panel), {"status_codes": [5]}, "status_codes"),
        (([0, 0, 0, 0, 2], only_low), {}, "reference"),
        (([0, 0, 1, 0, 0], panel), {"floor": np.full((2, 50), -1)}, "floor"),
        (([0, 0, 1, 0, 0], panel), {"floor": np.full((1, 50), 7)}, "floor"),
        (([0, 0, 1, 0, 0], np.zeros((3, 49))), {}, "reference"),
    ]
    for args, kwargs, parameter in cases:
        with pytest.raises(ParameterError) as info:
            draw_initial_state(*args, **kwargs)  # type: ignore[arg-type]
        assert (info.value.parameter, info.value.function) == (parameter, fn), (args, kwargs)


def test_flagship_reproduces_idm_2020_and_projects_forward(panel: IndicatorPanel, shipped: IDMDynamics) -> None:
    counts = np.array(banyuwangi_idm_status()[2020].counts)
    n = int(counts.sum())
    connected = np.full(n, 2019)  # every office online before IDM 2020
    years = np.arange(2020, 2025)
    runs = []
    for seed in range(20):
        rng = np.random.default_rng([11, seed])
        floor = effect_floor(OFFICE_RULE, year=2020, n_desa=n, connected_year=connected)
        x0 = draw_initial_state(counts, panel, rng=rng, floor=floor)
        s = project_idm_status(
            x0, shipped, initial_year=2020, years=years, connected_year=connected, effects=OFFICE_RULE, rng=rng
        )
        runs.append(np.stack([np.bincount(row, minlength=5) for row in s]))
    counts_by_run = np.stack(runs)  # (runs, years, 5)
    np.testing.assert_array_equal(counts_by_run[:, 0], np.broadcast_to(counts, (20, 5)))
    assert np.all(counts_by_run.sum(axis=2) == n)
    # The national dynamics move desa up on average: more Mandiri in 2024 than in 2020.
    assert np.median(counts_by_run[:, -1, 4]) > counts[4]


# -------------------------------------------------------------------------- calendars


def test_connection_idm_year_and_sample_months() -> None:
    # Programme month 0 is June 2016: month -6 is December 2015 and -5 January 2016 (both IDM 2016),
    # month 9 March 2017 (IDM 2017), month 10 April 2017 (IDM 2018), 21/22 March/April 2018.
    years = connection_idm_year([-6, -5, 0, 9, 10, 21, 22, 500], start_year=2016, start_month=6, never_from=500)
    assert years.tolist() == [2016, 2016, 2017, 2017, 2018, 2018, 2019, NOT_CONNECTED]
    assert idm_sample_months([2016, 2017, 2020], start_year=2016, start_month=6).tolist() == [-3, 9, 45]
    assert connection_idm_year([9], start_year=2016, start_month=6, cutoff_month=2).tolist() == [2018]
    with pytest.raises(ParameterError) as info:
        connection_idm_year([0], start_year=2016, start_month=13)
    assert (info.value.parameter, info.value.function) == ("start_month", "connection_idm_year")
    with pytest.raises(ParameterError, match="cutoff_month"):
        idm_sample_months([2020], start_year=2016, start_month=6, cutoff_month=0)


@given(st.integers(2000, 2040), st.integers(1, 12), st.integers(1, 12), st.integers(2001, 2050))
def test_connection_at_the_sample_month_counts_that_year(
    start_year: int, start_month: int, cutoff: int, year: int
) -> None:
    month = idm_sample_months([year], start_year=start_year, start_month=start_month, cutoff_month=cutoff)
    got = connection_idm_year(month, start_year=start_year, start_month=start_month, cutoff_month=cutoff)
    after = connection_idm_year(month + 1, start_year=start_year, start_month=start_month, cutoff_month=cutoff)
    assert got.tolist() == [year]
    assert after.tolist() == [year + 1]


# --------------------------------------------------------------------------- backtest


def test_backtest_beats_no_change(panel: IndicatorPanel) -> None:
    b = backtest_idm_dynamics(
        panel, fit_pairs=[(2021, 2022)], origin_year=2022, target_years=[2023, 2024], n_runs=40, rng=1
    )
    assert b.target_years == (2023, 2024)
    assert b.n_desa.tolist() == [2447, 2447]
    np.testing.assert_array_equal(b.observed.sum(axis=1), b.n_desa)
    np.testing.assert_array_equal(b.naive, np.broadcast_to(b.naive[0], b.naive.shape))
    # The measured property: errors well below the no-change forecast, in shares and per desa.
    assert np.all(b.tv_model < 0.6 * b.tv_naive)
    assert np.all(b.rps_model < 0.85 * b.rps_naive)
    assert np.all(b.low <= b.mean)
    assert np.all(b.mean <= b.high)
    assert "naive TV" in b.table()
    # Regency-level bands (what a one-regency projection such as Banyuwangi's relies on) hold most counts.
    assert b.n_regencies.tolist() == [97, 97]
    assert np.all(b.regency_coverage > 0.6)


def test_shared_shocks_widen_regency_bands(panel: IndicatorPanel) -> None:
    kwargs = {
        "fit_pairs": [(2021, 2022), (2022, 2023)],
        "origin_year": 2023,
        "target_years": [2024],
        "n_runs": 60,
        "rng": 3,
    }
    with_shocks = backtest_idm_dynamics(panel, **kwargs)  # type: ignore[arg-type]
    independent = backtest_idm_dynamics(panel, correlated_shocks=False, **kwargs)  # type: ignore[arg-type]
    assert with_shocks.regency_coverage[0] > independent.regency_coverage[0] + 0.05
    assert with_shocks.regency_coverage[0] > 0.85


def test_backtest_refuses_data_after_the_origin(panel: IndicatorPanel) -> None:
    with pytest.raises(ParameterError) as info:
        backtest_idm_dynamics(panel, fit_pairs=[(2022, 2023)], origin_year=2022, target_years=[2023], n_runs=2)
    assert (info.value.parameter, info.value.function) == ("fit_pairs", "backtest_idm_dynamics")
    with pytest.raises(ParameterError, match="target_years"):
        backtest_idm_dynamics(panel, fit_pairs=[(2021, 2022)], origin_year=2022, target_years=[2022], n_runs=2)
    with pytest.raises(ParameterError, match="band"):
        backtest_idm_dynamics(
            panel, fit_pairs=[(2021, 2022)], origin_year=2022, target_years=[2023], n_runs=2, band=(0.9, 0.1)
        )
    with pytest.raises(ParameterError, match="n_runs"):
        backtest_idm_dynamics(panel, fit_pairs=[(2021, 2022)], origin_year=2022, target_years=[2023], n_runs=0)
    with pytest.raises(ParameterError, match="correlated_shocks"):
        backtest_idm_dynamics(
            panel, fit_pairs=[(2021, 2022)], origin_year=2022, target_years=[2023], n_runs=2, correlated_shocks=1
        )  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="min_regency_desa"):
        backtest_idm_dynamics(
            panel, fit_pairs=[(2021, 2022)], origin_year=2022, target_years=[2023], n_runs=2, min_regency_desa=1
        )


# ------------------------------------------------------------ another country's index


def test_a_countrys_own_index_fits_and_projects() -> None:
    toy = CompositeIndex(
        name="Toy",
        sub_indices=("A", "B"),
        indicator_columns=("a1", "a2", "b1"),
        indicator_sub_index=(0, 0, 1),
        thresholds=(0.5,),
        status_labels=("low", "high"),
        max_score=2,
        decimals=None,
    )
    rng = np.random.default_rng(0)
    n = 300
    x0 = rng.integers(0, 3, (n, 3))
    x1 = np.minimum(x0 + (rng.random((n, 3)) < 0.3), 2)  # scores rise by one with chance 0.3
    panel = IndicatorPanel(
        index=toy,
        codes=[f"v{i}" for i in range(n)] * 2,
        regency_codes=[f"r{i % 10}" for i in range(n)] * 2,
        years=[2020] * n + [2021] * n,
        scores=np.vstack([x0, x1]),
    )
    dyn = fit_idm_dynamics(panel, prior_strength=0.0)
    assert dyn.transition.shape == (1, 2, 3, 3, 3)
    # No record can move down in the data, so the fitted rows never move down either.
    assert np.all(np.tril(dyn.transition, -1) == 0)
    s = project_idm_status(x0, dyn, initial_year=2021, years=[2021, 2022, 2023], effects=(), rng=4)
    assert s.shape == (3, n)
    assert set(np.unique(s)) <= {0, 1}
    assert math.isclose(float(dyn.transition[0, 0, 0, 0, 1] + dyn.transition[0, 0, 0, 0, 0]), 1.0)
