"""Tests of smartkampung.sim.forecast: the rollout's count model, its grid posterior and its forecasts (issue 10).

What is checked:

* :class:`RolloutModel` gives, village for village, the connection months of
  the ensemble's schedule step (:func:`smartkampung.sim.run.draw` and
  :func:`~smartkampung.sim.run.schedule_run`, and :func:`simulate`'s counts)
  for the same budget, readiness and cost-spread draws, and agrees with an
  independent month-by-month walk written here;
* its counts are non-decreasing in the month, bounded, and non-decreasing in
  the budget wherever no village is dropped as unaffordable;
* :func:`calibrate_rollout`'s posterior equals a likelihood computed here by
  hand, is normalised and reproducible, and recovers the parameters of a
  series the model made;
* :class:`RolloutForecaster` bands cover held-back counts of synthetic truths
  at the nominal rate (simulation-based calibration);
* every ParameterError path, with the parameter and function named.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats
from scipy.special import logsumexp

from smartkampung import ParameterError, Region
from smartkampung.datasets import banyuwangi_scenario, synthetic_region
from smartkampung.model import BudgetPhase, Fixed, FromPosterior, Scenario, Uniform
from smartkampung.sim import prepare, simulate
from smartkampung.sim.backtest import SamplePredictive, backtest, pool
from smartkampung.sim.forecast import (
    RolloutCalibration,
    RolloutForecaster,
    RolloutModel,
    calibrate_rollout,
    model_truths,
)
from smartkampung.sim.rollout import NEVER
from smartkampung.sim.run import TAIL_DRAWS, draw, draw_names, schedule_run
from smartkampung.sim.tail import cost_multipliers, village_draws

HORIZON = 30
CAPEX = 1.3
#: Two later phases: an amount from month 10, then a multiple of it from month 20.
PHASES = (BudgetPhase(10, Uniform(3e8, 6e8)), BudgetPhase(20, scale=Uniform(0.5, 1.5)))
PHASE_NAMES = ("budget_per_month", "budget_phases[0]", "budget_phases[1]")
TAILS: dict[str, tuple[Any, Any]] = {
    "readiness+spread": (Uniform(2.0, 10.0), Uniform(0.1, 0.6)),
    "readiness": (Uniform(2.0, 10.0), Fixed(0.0)),
    "spread": (Fixed(0.0), Uniform(0.1, 0.6)),
    "none": (Fixed(0.0), Fixed(0.0)),
}


@pytest.fixture(scope="module")
def region() -> Region:
    """60 made-up villages (53 desa, 7 kelurahan): budgets of a few 1e8 a month bind."""
    return synthetic_region(60, seed=11)


def tail_scenario(
    *,
    readiness: Any = TAILS["readiness+spread"][0],
    spread: Any = TAILS["readiness+spread"][1],
    budget: Any = None,
    phases: tuple[BudgetPhase, ...] = PHASES,
    policy: str = "population",
    **rollout: Any,
) -> Scenario:
    """Banyuwangi's assumptions over 30 months, 5 villages connected at the start, a declared tail."""
    base = banyuwangi_scenario()
    ro = attrs.evolve(
        base.rollout,
        budget_per_month=Uniform(2e8, 4e8) if budget is None else budget,
        budget_phases=phases,
        initially_connected=5,
        policy=policy,
        readiness_months=readiness,
        cost_spread=spread,
        **{"capex_multiplier": Fixed(CAPEX), "posterior": None, **rollout},
    )
    return attrs.evolve(base, name="tail", start="2016-06", horizon_months=HORIZON, rollout=ro)


def run_village_draws(entropy: Any, spawn_key: tuple[int, ...], run: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The villages' draws of run ``run``: child 0 of the run's fourth stream (spawn key root + (0, run, 3, 0))."""
    return village_draws(np.random.SeedSequence(entropy, spawn_key=(*spawn_key, 0, run, 3, 0)), n)


@pytest.fixture(scope="module")
def model(region: Region) -> RolloutModel:
    """The tail scenario's count model: phases from months 0, 10 and 20, capex multiplier 1.3, desa counted."""
    return RolloutModel.from_prepared(prepare(tail_scenario(), region))


def phase_values(names: tuple[str, ...], values: np.ndarray, phases: tuple[str, ...]) -> list[float]:
    return [float(values[names.index(p)]) for p in phases]


# =========================================================================== the count model


def test_from_prepared_takes_the_schedules_order_costs_and_phases(region: Region) -> None:
    prep = prepare(tail_scenario(), region)
    model = RolloutModel.from_prepared(prep)
    kinds = np.array([v.kind.value for v in region.villages])
    start = schedule_run(prep, draw(prep, np.random.SeedSequence(0), 0)).already_connected
    assert start.sum() == 5
    np.testing.assert_array_equal(model.order.already_connected, start)
    np.testing.assert_array_equal(model.counted, kinds == "desa")
    assert model.n_villages == 60
    assert model.initial_count == int(np.count_nonzero(start & (kinds == "desa")))
    # Every village not connected at the start is in the order, once, parents first.
    np.testing.assert_array_equal(np.sort(model.order.order), np.flatnonzero(~start))
    assert np.all(model.order.parent_position < np.arange(model.order.order.shape[0]))
    np.testing.assert_array_equal(model.base_cost, prep.plan.capex[model.order.order])
    assert model.capex_multiplier == CAPEX
    assert model.phase_starts == (0, 10, 20)
    assert model.phase_scales == (False, False, True)
    everything = RolloutModel.from_prepared(prep, kind="all")
    assert everything.counted.all()
    assert everything.initial_count == 5
    wards = RolloutModel.from_prepared(prep, kind="kelurahan")
    np.testing.assert_array_equal(wards.counted, kinds == "kelurahan")
    assert model.initial_count + wards.initial_count == 5


def test_budget_path_exact_values(model: RolloutModel) -> None:
    # Phases from months 0, 10 and 20, the last a multiple of the one before.
    np.testing.assert_array_equal(model.budget_path([1.0, 5.0, 0.5], 30), [1.0] * 10 + [5.0] * 10 + [2.5] * 10)
    np.testing.assert_array_equal(model.budget_path([2.0, 3.0, 2.0], 25), [2.0] * 10 + [3.0] * 10 + [6.0] * 5)
    np.testing.assert_array_equal(model.budget_path([2.0, 3.0, 2.0], 12), [2.0] * 10 + [3.0] * 2)
    np.testing.assert_array_equal(model.budget_path([2.0, 3.0, 2.0], 7), [2.0] * 7)


@pytest.mark.parametrize("tail", list(TAILS))
@pytest.mark.parametrize("policy", ["population", "least_developed", "nearest"])
def test_connection_months_equal_the_ensembles_schedule_step(region: Region, policy: str, tail: str) -> None:
    """Property (1): the same draws give, village for village, the ensemble's connection months."""
    readiness, spread = TAILS[tail]
    sc = tail_scenario(readiness=readiness, spread=spread, policy=policy)
    prep = prepare(sc, region)
    model = RolloutModel.from_prepared(prep)
    names = draw_names(sc)
    root = np.random.SeedSequence(20240601)
    later, never, months = False, False, set()
    for run in range(12):
        d = draw(prep, root, run)
        schedule = schedule_run(prep, d)
        budget = model.budget_path(phase_values(names, d.values, PHASE_NAMES), HORIZON)
        np.testing.assert_array_equal(budget, d.budget)
        if sc.rollout.has_tail:
            assert names[-3:] == TAIL_DRAWS
            mean_wait, sd = phase_values(names, d.values, ("readiness_months", "cost_spread"))
            u, z = run_village_draws(root.entropy, root.spawn_key, run, model.n_villages)
        else:
            assert len(names) == len(d.values) == 6  # 4 draws and 2 phases: no tail draws at all
            mean_wait, sd = 0.0, 0.0
            u, z = np.random.default_rng(run).random((2, model.n_villages))  # unused by the model
        cm = model.connection_months(budget, mean_wait, sd, u[None, :], z[None, :])
        assert cm.shape == (1, 60)
        np.testing.assert_array_equal(cm[0], schedule.connection_month, err_msg=f"run {run}")
        funded_only = model.connection_months(budget, 0.0, sd, u[None, :], z[None, :])[0]
        later |= bool(np.any(cm[0] > funded_only))
        never |= bool(np.any(cm[0] == NEVER))
        months |= set(cm[0][cm[0] < HORIZON].tolist())
    # The comparison covered villages funded in many months, never funded, and (with readiness) delayed.
    assert never
    assert len(months) > 15
    assert later == (readiness != Fixed(0.0))


@pytest.mark.parametrize(("kind", "metric"), [("desa", "villages_connected:desa"), ("all", "villages_connected")])
def test_counts_equal_simulates_connected_villages(region: Region, kind: str, metric: str) -> None:
    """The model's monthly counts equal the ensemble's metric, run for run, from the recorded draws and seed."""
    sc = tail_scenario()
    prep = prepare(sc, region)
    model = RolloutModel.from_prepared(prep, kind=kind)
    result = simulate(prep, runs=6, rng=[7, 11])
    names = draw_names(sc)
    for run in range(6):
        values = result.draws[run]
        budget = model.budget_path(phase_values(names, values, PHASE_NAMES), HORIZON)
        mean_wait, sd = phase_values(names, values, ("readiness_months", "cost_spread"))
        u, z = run_village_draws(result.seed_entropy, result.seed_spawn_key, run, model.n_villages)
        cm = model.connection_months(budget, mean_wait, sd, u[None, :], z[None, :])
        np.testing.assert_array_equal(model.counts(cm, np.arange(HORIZON))[0], result.metric(metric)[run])


# --------------------------------------------------------------------------- an independent walk


def reference_position_months(
    model: RolloutModel, cost: np.ndarray, budget: np.ndarray, ready: np.ndarray
) -> np.ndarray:
    """Month of each position of the order, month by month: strict order, carry-over, offices' readiness.

    A village costing more than the whole horizon's money is dropped with the
    villages below it on the tree; the others are funded in order as soon as
    the money spent so far plus its cost is covered by the money given so far;
    a funded village goes live when its office is ready too.
    """
    o = model.order
    m = o.order.shape[0]
    total = float(np.sum(budget))
    dropped = np.zeros(m, dtype=bool)
    for q in range(m):  # parents come first in the order
        p = int(o.parent_position[q])
        dropped[q] = bool(cost[q] > total) or (p >= 0 and bool(dropped[p]))
    out = np.full(m, NEVER, dtype=np.int64)
    kept = [q for q in range(m) if not dropped[q]]
    money = spent = 0.0
    i = 0
    for t in range(budget.shape[0]):
        money += float(budget[t])
        while i < len(kept) and spent + float(cost[kept[i]]) <= money:
            spent += float(cost[kept[i]])
            out[kept[i]] = max(t, int(ready[kept[i]]))
            i += 1
    return out


@given(
    level=st.floats(5e7, 6e8),
    later=st.floats(0.5, 3.0),
    mean_wait=st.sampled_from([0.0, 0.7, 4.0, 15.0]),
    spread=st.sampled_from([0.0, 0.3, 1.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_connection_months_equal_a_month_by_month_walk(
    model: RolloutModel, level: float, later: float, mean_wait: float, spread: float, seed: int
) -> None:
    n_sims = 3
    budget = model.budget_path([level, level * later, 1.0], HORIZON)
    draws = [village_draws(np.random.SeedSequence(seed, spawn_key=(s,)), 60) for s in range(n_sims)]
    u = np.stack([d[0] for d in draws])
    z = np.stack([d[1] for d in draws])
    got = model.connection_months(budget, mean_wait, spread, u, z)
    order = model.order.order
    for s in range(n_sims):
        village = cost_multipliers(z[s, order], spread) if spread > 0 else np.ones(order.shape[0])
        cost = model.base_cost * (CAPEX * village)
        ready = np.floor(mean_wait * -np.log1p(-u[s, order])) if mean_wait > 0 else np.zeros(order.shape[0])
        expected = np.zeros(60, dtype=np.int64)  # villages connected at the start: month 0
        expected[order] = reference_position_months(model, cost, budget, ready)
        np.testing.assert_array_equal(got[s], expected)


# --------------------------------------------------------------------------- properties of the counts


@given(
    level=st.floats(5e7, 8e8),
    mean_wait=st.floats(0.0, 20.0),
    spread=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_counts_are_non_decreasing_and_bounded(
    model: RolloutModel, level: float, mean_wait: float, spread: float, seed: int
) -> None:
    u, z = (
        np.stack(x)
        for x in zip(*(village_draws(np.random.SeedSequence(seed, spawn_key=(s,)), 60) for s in range(4)), strict=True)
    )
    cm = model.connection_months(model.budget_path([level, level, 1.0], HORIZON), mean_wait, spread, u, z)
    months = np.arange(-1, 45)
    counts = model.counts(cm, months)
    assert counts.shape == (4, months.shape[0])
    assert counts.dtype == np.int64
    assert np.all(np.diff(counts, axis=1) >= 0)
    assert np.all(counts[:, 0] == model.initial_count)  # before the start: only the initial villages
    assert np.all(counts <= np.count_nonzero(model.counted))
    # The count by the end of month t is of the counted villages connected at the start or by t.
    start = model.order.already_connected
    brute = [[int(np.sum(model.counted & (start | (cm[s] <= t)))) for t in months] for s in range(4)]
    np.testing.assert_array_equal(counts, brute)


@given(
    level=st.floats(2e8, 8e8),
    factor=st.floats(1.0, 3.0),
    bump=st.floats(0.0, 1.0),
    mean_wait=st.floats(0.0, 20.0),
    spread=st.floats(0.0, 0.8),
    seed=st.integers(0, 2**32 - 1),
)
def test_more_money_never_connects_fewer_when_nothing_is_dropped(
    model: RolloutModel, level: float, factor: float, bump: float, mean_wait: float, spread: float, seed: int
) -> None:
    """Property (2): a larger budget (month by month) connects at least as many by every month.

    What the code guarantees: the strict carry-over walk funds position q in
    the first month whose cumulative budget covers the cumulative cost up to
    q, so a pointwise larger budget funds every position no later, *as long
    as the same villages are dropped as unaffordable* (a village costing more
    than the horizon's whole budget is dropped with its subtree, and the
    villages behind it then move up). Here nothing is dropped under either
    budget; the general case is not monotone.
    """
    u, z = village_draws(np.random.SeedSequence(seed), 60)
    small = model.budget_path([level, level, 1.0], HORIZON)
    large = small * factor + bump * level * (np.arange(HORIZON) % 3 == 0)
    order = model.order.order
    worst = float(np.max(model.base_cost * (CAPEX * cost_multipliers(z[order], spread))))
    assume(worst <= float(np.sum(small)))
    months = np.arange(HORIZON)
    cm_small = model.connection_months(small, mean_wait, spread, u[None, :], z[None, :])
    cm_large = model.connection_months(large, mean_wait, spread, u[None, :], z[None, :])
    assert np.all(cm_large <= cm_small)
    assert np.all(model.counts(cm_large, months) >= model.counts(cm_small, months))


def test_a_village_the_money_covers_exactly_is_funded_that_month(region: Region) -> None:
    """A tie (cumulative money equal to cumulative cost) funds the village, in the model and the ensemble alike."""
    prep = prepare(tail_scenario(phases=(), readiness=Fixed(0.0), spread=Fixed(0.0)), region)
    model = RolloutModel.from_prepared(prep)
    first = float(model.base_cost[0] * CAPEX)  # the first village of the order, at the scenario's costs
    sc = tail_scenario(budget=Fixed(first), phases=(), readiness=Fixed(0.0), spread=Fixed(0.0))
    prep = prepare(sc, region)
    d = draw(prep, np.random.SeedSequence(0), 0)
    schedule = schedule_run(prep, d)
    budget = model.budget_path([first], HORIZON)
    cm = model.connection_months(budget, 0.0, 0.0, np.zeros((1, 60)), np.zeros((1, 60)))[0]
    np.testing.assert_array_equal(cm, schedule.connection_month)
    assert cm[model.order.order[0]] == 0
    ready = np.zeros(model.order.order.shape[0])
    cost = model.base_cost * CAPEX
    np.testing.assert_array_equal(cm[model.order.order], reference_position_months(model, cost, budget, ready))


def test_readiness_only_delays_funded_villages(model: RolloutModel) -> None:
    u, z = village_draws(np.random.SeedSequence(4), 60)
    budget = model.budget_path([3e8, 4e8, 1.0], HORIZON)
    funded = model.connection_months(budget, 0.0, 0.3, u[None, :], z[None, :])[0]
    live = model.connection_months(budget, 8.0, 0.3, u[None, :], z[None, :])[0]
    ready = np.floor(8.0 * -np.log1p(-u)).astype(np.int64)
    start = model.order.already_connected
    np.testing.assert_array_equal(live[start], 0)
    np.testing.assert_array_equal(live[funded == NEVER], NEVER)
    ok = ~start & (funded < NEVER)
    np.testing.assert_array_equal(live[ok], np.maximum(funded[ok], ready[ok]))
    assert np.any(live[ok] > funded[ok])
    # A child hangs from its parent's link, not its office: some child goes live before its parent.
    pos = model.order.parent_position
    order = model.order.order
    child = pos >= 0
    assert np.any(live[order[child]] < live[order[pos[child]]])


# =========================================================================== calibration

MONTHS = np.arange(2, 25, 2)


NO_TAIL = Fixed(0.0)


def one_phase_scenario(
    *,
    phases: tuple[BudgetPhase, ...] = (),
    readiness: Any = NO_TAIL,
    spread: Any = NO_TAIL,
    capex: float = 1.0,
    **rollout: Any,
) -> Scenario:
    """The tail scenario with one budget for the whole horizon (unless ``phases``) and no tail (unless given)."""
    return tail_scenario(phases=phases, readiness=readiness, spread=spread, capex_multiplier=Fixed(capex), **rollout)


@pytest.fixture(scope="module")
def model1(region: Region) -> RolloutModel:
    """One budget for the whole horizon, capex multiplier 1: the calibration tests' model."""
    return RolloutModel.from_prepared(prepare(one_phase_scenario(), region))


GRID = {"budget_per_month": np.geomspace(1.5e8, 8e8, 6), "readiness_months": np.arange(0.0, 13.0, 3.0)}
NOISE = np.array([0.5, 1.0, 2.0])


@pytest.fixture(scope="module")
def observed(model1: RolloutModel) -> np.ndarray:
    _, series = model_truths(
        model1,
        MONTHS,
        1,
        prior={"budget_per_month": (3e8, 3e8), "readiness_months": (6.0, 6.0)},
        noise_sd=(1.0, 1.0),
        rng=5,
    )
    return series[0]


@pytest.fixture(scope="module")
def cal(model1: RolloutModel, observed: np.ndarray) -> RolloutCalibration:
    return calibrate_rollout(model1, MONTHS, observed, grid=GRID, noise_sd=NOISE, n_sims=40, rng=7)


def test_calibration_is_normalised_and_shaped(cal: RolloutCalibration, observed: np.ndarray) -> None:
    assert cal.names == ("budget_per_month", "readiness_months", "noise_sd")
    assert [a.shape[0] for a in cal.axes] == [6, 5, 3]
    assert cal.log_weight.shape == (6 * 5 * 3,)
    w = np.exp(cal.log_weight)
    assert np.all(np.isfinite(cal.log_weight))
    assert np.all(w >= 0)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_array_equal(cal.observed_months, MONTHS)
    np.testing.assert_array_equal(cal.observed_counts, observed)
    assert cal.n_sims == 40
    for name, axis in zip(cal.names, cal.axes, strict=True):
        values, p = cal.marginal(name)
        np.testing.assert_array_equal(values, axis)
        assert np.all(p >= 0)
        assert p.sum() == pytest.approx(1.0, abs=1e-12)


def test_grid_points_enumerate_the_grid_in_c_order(cal: RolloutCalibration) -> None:
    points = [cal.grid_point(i) for i in range(cal.log_weight.shape[0])]
    expected = [
        dict(zip(cal.names, (float(v) for v in values), strict=True)) for values in itertools.product(*cal.axes)
    ]
    assert points == expected


def test_intervals_are_ordered_and_widen_with_the_level(cal: RolloutCalibration) -> None:
    for name in cal.names:
        previous = None
        for level in (0.5, 0.8, 0.95, 0.99):
            mid, lo, hi = cal.interval(name, level)
            assert lo <= mid <= hi
            assert {lo, mid, hi} <= set(cal.axes[cal.names.index(name)].tolist())
            if previous is not None:
                assert previous[1] >= lo
                assert previous[2] <= hi
                assert previous[0] == mid
            previous = (mid, lo, hi)
    text = cal.summary()
    assert "12 counts at months [2, 4," in text
    assert "40 simulations per grid point" in text
    for name in cal.names:
        assert name in text


@given(st.data())
def test_interval_is_the_marginals_quantiles(model1: RolloutModel, data: st.DataObject) -> None:
    sizes = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    n = int(np.prod(sizes))
    logits = data.draw(st.lists(st.floats(-30.0, 0.0), min_size=n, max_size=n))
    log_w = np.asarray(logits) - logsumexp(logits)
    axes = tuple(
        np.sort(np.asarray(data.draw(st.lists(st.floats(0.0, 100.0), min_size=k, max_size=k, unique=True))))
        for k in sizes
    )
    names = tuple(f"p{i}" for i in range(len(sizes)))
    cal = RolloutCalibration(
        model=model1,
        names=names,
        axes=axes,
        log_weight=log_w,
        observed_months=np.array([1]),
        observed_counts=np.array([1.0]),
        n_sims=1,
        seed=0,
    )
    level = data.draw(st.floats(0.05, 0.999))
    for name in names:
        values, p = cal.marginal(name)
        assert p.sum() == pytest.approx(1.0, abs=1e-9)
        mid, lo, hi = cal.interval(name, level)
        for value, q in ((lo, (1 - level) / 2), (mid, 0.5), (hi, (1 + level) / 2)):
            # A q-quantile: at most q of the mass lies below it, at least q at or below it.
            assert p[values < value].sum() <= q + 1e-9
            assert p[values <= value].sum() >= q - 1e-9 or value == values[-1]


def test_likelihood_equals_a_hand_computed_simulated_likelihood(model1: RolloutModel) -> None:
    """log posterior = log mean_s prod_j N(y_j; c_sj, sd²), normalised over the grid (flat prior).

    The counts c_sj of simulation s come from the calibration's documented
    village draws: ``village_draws(SeedSequence(seed, spawn_key=(s,)))``.
    """
    months = np.array([3, 6, 9, 12])
    y = np.array([8.0, 12.0, 17.0, 21.0])
    budgets, mean_wait, sds, n_sims = [2e8, 3e8], 4.0, [1.0, 2.5], 4
    cal = calibrate_rollout(
        model1,
        months,
        y,
        grid={"budget_per_month": budgets, "readiness_months": [mean_wait]},
        noise_sd=sds,
        n_sims=n_sims,
        rng=123,
    )
    expected = []
    for b in budgets:
        counts = []
        for s in range(n_sims):
            u, z = village_draws(np.random.SeedSequence(cal.seed, spawn_key=(s,)), 60)
            cm = model1.connection_months(model1.budget_path([b], HORIZON), mean_wait, 0.0, u[None, :], z[None, :])
            counts.append(model1.counts(cm, months)[0])
            # No village is dropped: the horizon of the budget does not matter here.
            short = model1.connection_months(model1.budget_path([b], 13), mean_wait, 0.0, u[None, :], z[None, :])
            np.testing.assert_array_equal(model1.counts(short, months)[0], counts[-1])
        assert len({tuple(c) for c in counts}) > 1  # the simulations differ
        for sd in sds:
            per_sim = [stats.norm.logpdf(y, c, sd).sum() for c in counts]
            expected.append(logsumexp(per_sim) - math.log(n_sims))
    expected_w = np.asarray(expected) - logsumexp(expected)
    np.testing.assert_allclose(cal.log_weight, expected_w, rtol=1e-10, atol=1e-10)


def test_the_same_seed_gives_the_same_posterior_and_predictions(
    model1: RolloutModel, observed: np.ndarray, cal: RolloutCalibration
) -> None:
    again = calibrate_rollout(model1, MONTHS, observed, grid=GRID, noise_sd=NOISE, n_sims=40, rng=7)
    np.testing.assert_array_equal(again.log_weight, cal.log_weight)
    assert again.seed == cal.seed
    months = np.arange(0, 30, 3)
    np.testing.assert_array_equal(cal.predict(months, 60, rng=3), again.predict(months, 60, rng=3))
    assert cal.posterior_sample(25, rng=4) == again.posterior_sample(25, rng=4)
    other = calibrate_rollout(model1, MONTHS, observed, grid=GRID, noise_sd=NOISE, n_sims=40, rng=8)
    assert other.seed != cal.seed
    assert not np.array_equal(other.log_weight, cal.log_weight)
    assert not np.array_equal(cal.predict(months, 60, rng=3), cal.predict(months, 60, rng=4))


def test_predictions_are_bounded_draws_conditioned_on_the_observations(
    cal: RolloutCalibration, observed: np.ndarray
) -> None:
    months = np.arange(0, 40, 2)
    draws = cal.predict(months, 300, rng=1)
    assert draws.shape == (300, months.shape[0])
    assert np.all(draws >= 0.0)
    assert np.all(draws <= 53.0)
    # At the observed months the predictive centres on the observations (within the noise and the fit).
    at_obs = cal.predict(MONTHS, 300, rng=1)
    assert np.all(np.abs(np.median(at_obs, axis=0) - observed) < 3.0)
    # Long after the money has connected every desa the count is 53 plus noise: clipped to 53.
    late = cal.predict([300], 300, rng=1)
    assert np.all(late <= 53.0)
    assert np.mean(late == 53.0) > 0.3


def _matching_futures(
    seed: int,
    n_sims: int,
    budget: float,
    mean_wait: float,
    model: RolloutModel,
    train: np.ndarray,
    y: np.ndarray,
    future: np.ndarray,
) -> tuple[set[tuple[int, ...]], set[tuple[int, ...]]]:
    """Future counts of the simulations (``SeedSequence(seed, spawn_key=(s,))``) that reproduce ``y``, and of all."""
    matching, every = set(), set()
    for s in range(n_sims):
        u, z = village_draws(np.random.SeedSequence(seed, spawn_key=(s,)), 60)
        cm = model.connection_months(model.budget_path([budget], HORIZON), mean_wait, 0.0, u[None, :], z[None, :])
        later = tuple(model.counts(cm, future)[0].tolist())
        every.add(later)
        if np.array_equal(model.counts(cm, train)[0], y):
            matching.add(later)
    return matching, every


def test_predictions_add_the_reporting_noise_and_clip_to_the_counted_villages(model1: RolloutModel) -> None:
    """Without a tail the counts of a grid point are certain: the predictive is they plus N(0, sd²), clipped."""
    grid = {"budget_per_month": [3e8]}
    y = np.array([7.0, 9.0, 12.0, 14.0])
    train, future = np.array([2, 4, 6, 8]), np.array([10, 12, 300])
    cm = model1.connection_months(model1.budget_path([3e8], 301), 0.0, 0.0, np.zeros((1, 60)), np.zeros((1, 60)))
    expected = model1.counts(cm, future)[0]
    assert expected.tolist()[-1] == 53  # every desa long after the start
    n = 4000
    cal = calibrate_rollout(model1, train, y, grid=grid, noise_sd=[2.0], n_sims=3, rng=1)
    forecaster = RolloutForecaster(model1, months=[*train, *future], grid=grid, noise_sd=[2.0], n_sims=3, n_draws=n)
    for draws in (cal.predict(future, n, rng=2), np.asarray(forecaster(train.astype(float), y).draw(future))):
        assert draws.shape == (n, 3)
        for j in (0, 1):  # far from the bounds: the noise is all there is
            assert abs(draws[:, j].mean() - expected[j]) <= 4 * 2.0 / math.sqrt(n)
            assert draws[:, j].std() == pytest.approx(2.0, rel=0.06)
        assert np.all(draws[:, 2] <= 53.0)
        assert np.mean(draws[:, 2] == 53.0) == pytest.approx(0.5, abs=0.04)  # half the noise is above 53


def test_predictions_follow_the_simulations_that_reproduce_the_counts(model1: RolloutModel) -> None:
    """With reporting noise of sd 0.05, only simulations that reproduce the counts exactly carry weight.

    So every predictive draw, rounded, is the future of one of them: the
    unseen villages' readiness is conditioned on the counts (SamplePredictive
    of RolloutForecaster and RolloutCalibration.predict alike).
    """
    train, future = MONTHS[:6], MONTHS[6:]
    budget, mean_wait, n_sims, seed = 3e8, 6.0, 60, 3
    u, z = village_draws(np.random.SeedSequence(seed, spawn_key=(7,)), 60)  # the counts of simulation 7
    cm = model1.connection_months(model1.budget_path([budget], HORIZON), mean_wait, 0.0, u[None, :], z[None, :])
    y = model1.counts(cm, train)[0]
    futures, every = _matching_futures(seed, n_sims, budget, mean_wait, model1, train, y, future)
    assert every - futures  # other simulations (that miss the counts) have other futures
    grid = {"budget_per_month": [budget], "readiness_months": [mean_wait]}
    forecaster = RolloutForecaster(model1, months=MONTHS, grid=grid, noise_sd=[0.05], n_sims=n_sims, seed=seed)
    draws = np.asarray(forecaster(train.astype(float), y.astype(float)).draw(future.astype(float)))
    assert {tuple(np.rint(d).astype(int).tolist()) for d in draws} <= futures
    # The calibration's predictions, the same way (its seed is derived from rng, so find it first).
    cal_seed = calibrate_rollout(model1, train, y, grid=grid, noise_sd=[0.05], n_sims=1, rng=5).seed
    u, z = village_draws(np.random.SeedSequence(cal_seed, spawn_key=(7,)), 60)  # simulation 7's counts
    cm = model1.connection_months(model1.budget_path([budget], HORIZON), mean_wait, 0.0, u[None, :], z[None, :])
    y = model1.counts(cm, train)[0]
    futures, every = _matching_futures(cal_seed, n_sims, budget, mean_wait, model1, train, y, future)
    assert every - futures
    cal = calibrate_rollout(model1, train, y, grid=grid, noise_sd=[0.05], n_sims=n_sims, rng=5)
    draws = cal.predict(future, 200, rng=6)
    assert {tuple(np.rint(d).astype(int).tolist()) for d in draws} <= futures
    # And the rows of a posterior sample name such simulations (which the ensemble then regenerates).
    matching = set()
    for s in range(n_sims):
        u, z = village_draws(np.random.SeedSequence(cal_seed, spawn_key=(s,)), 60)
        cm = model1.connection_months(model1.budget_path([budget], HORIZON), mean_wait, 0.0, u[None, :], z[None, :])
        if np.array_equal(model1.counts(cm, train)[0], y):
            matching.add(s)
    assert 7 in matching
    assert 0 not in matching
    assert set(cal.posterior_sample(100, rng=7).sims) <= matching


def test_posterior_sample_rows_are_grid_points_with_their_simulations(cal: RolloutCalibration) -> None:
    sample = cal.posterior_sample(50, rng=2, source="test")
    assert sample.parameters == ("budget_per_month", "readiness_months")
    assert sample.seed == cal.seed
    assert sample.source == "test"
    assert len(sample.values) == len(sample.sims) == 50
    grid = set(itertools.product(*(a.tolist() for a in cal.axes[:-1])))
    assert set(sample.values) <= grid
    assert all(0 <= s < cal.n_sims for s in sample.sims)


@pytest.mark.parametrize(("budget", "mean_wait", "truth_seed"), [(2, 6.0, 1), (3, 3.0, 2), (4, 9.0, 3), (3, 10.5, 6)])
def test_posterior_recovers_the_point_that_made_the_series(
    model1: RolloutModel, budget: int, mean_wait: float, truth_seed: int
) -> None:
    """Property (5): a series made by the model at a grid point puts the posterior around that point.

    24 monthly counts with reporting noise of sd 1: the budget (the pace) is
    pinned down to its grid point; the mean readiness wait (seen only in the
    slow last villages) less sharply: its 95 % interval holds the truth and
    its posterior mean is within 3 months of it (the grid spans 12).
    """
    grid = {"budget_per_month": np.geomspace(1.5e8, 8e8, 7), "readiness_months": np.arange(0.0, 13.0, 1.5)}
    b = float(grid["budget_per_month"][budget])
    months = np.arange(1, 25)
    params, series = model_truths(
        model1,
        months,
        1,
        prior={"budget_per_month": (b, b), "readiness_months": (mean_wait, mean_wait)},
        noise_sd=(1.0, 1.0),
        rng=truth_seed,
    )
    np.testing.assert_allclose(params[0], [b, mean_wait, 1.0])
    cal = calibrate_rollout(
        model1, months, series[0], grid=grid, noise_sd=[0.5, 1.0, 2.0, 4.0], n_sims=60, rng=truth_seed + 10
    )
    for name, truth in (("budget_per_month", b), ("readiness_months", mean_wait)):
        _, lo, hi = cal.interval(name, 0.95)
        assert lo <= truth <= hi, (name, truth, cal.summary())
    values, p = cal.marginal("budget_per_month")
    assert values[int(np.argmax(p))] == b, cal.summary()
    assert p[budget] > 0.5
    values, p = cal.marginal("readiness_months")
    assert abs(float(values @ p) - mean_wait) <= 3.0, cal.summary()
    best = cal.grid_point(int(np.argmax(cal.log_weight)))
    assert best["budget_per_month"] == b


def test_future_scales_set_the_budget_after_the_observations(region: Region) -> None:
    # Budget phase 1 (budget_phases[0]) is a multiple of the first budget from month 14, after the counts.
    sc = one_phase_scenario(phases=(BudgetPhase(14, scale=Fixed(1.0)),))
    model = RolloutModel.from_prepared(prepare(sc, region))
    months = np.arange(2, 13, 2)
    y = np.array([6.0, 7.0, 9.0, 11.0, 12.0, 14.0])
    cal = calibrate_rollout(
        model,
        months,
        y,
        grid={"budget_per_month": np.geomspace(1.5e8, 8e8, 6)},
        noise_sd=[0.01],
        fixed={"budget_phases[0]": 1.0},
        n_sims=5,
        rng=1,
    )
    assert cal.fixed == {"budget_phases[0]": 1.0}
    assert cal.grid_point(0)["budget_phases[0]"] == 1.0
    at = np.array([13, 20, 29])
    stopped = cal.predict(at, 40, rng=2, future_scales={1: Fixed(0.0)})
    doubled = cal.predict(at, 40, rng=2, future_scales={1: Fixed(2.0)})
    kept = cal.predict(at, 40, rng=2)
    # No money from month 14: nothing more is connected (only the 0.01 noise moves the count).
    assert np.all(np.abs(stopped - stopped[:, :1]) < 0.1)
    assert np.all(doubled[:, 2] >= kept[:, 2] - 0.1)
    assert np.all(kept[:, 2] > stopped[:, 2] + 0.5)
    spread = cal.predict(at, 200, rng=3, future_scales={1: Uniform(0.0, 2.0)})
    assert spread[:, 2].std() > kept[:, 2].std()


# --------------------------------------------------------------------------- the ensemble with a posterior


def _posterior_scenario(posterior: Any) -> Scenario:
    phases = (BudgetPhase(10, FromPosterior()), BudgetPhase(20, scale=Uniform(0.5, 1.5)))
    return tail_scenario(
        budget=FromPosterior(), phases=phases, readiness=FromPosterior(), spread=FromPosterior(), posterior=posterior
    )


def test_ensemble_runs_take_their_posterior_rows_and_simulations(region: Region, model: RolloutModel) -> None:
    grid = {
        "budget_per_month": [2.5e8, 3.5e8],
        "budget_phases[0]": [4e8, 5e8],
        "readiness_months": [3.0, 6.0],
        "cost_spread": [0.2, 0.4],
    }
    cal = calibrate_rollout(
        model,
        [4, 8, 12, 16],
        [9.0, 14.0, 20.0, 25.0],
        grid=grid,
        noise_sd=[1.0, 3.0],
        fixed={"budget_phases[1]": 1.0},
        n_sims=20,
        rng=3,
    )
    sample = cal.posterior_sample(30, rng=4)
    sc = _posterior_scenario(sample)
    prep = prepare(sc, region)
    names = draw_names(sc)
    root = np.random.SeedSequence(99)
    rows = set()
    for run in range(10):
        d = draw(prep, root, run)
        row = int(d.values[names.index("posterior_row")])
        rows.add(row)
        for name, value in zip(sample.parameters, sample.values[row], strict=True):
            assert d.values[names.index(name)] == value
        u, z = village_draws(np.random.SeedSequence(sample.seed, spawn_key=(sample.sims[row],)), 60)
        budget = model.budget_path(phase_values(names, d.values, PHASE_NAMES), HORIZON)
        mean_wait, sd = phase_values(names, d.values, ("readiness_months", "cost_spread"))
        cm = model.connection_months(budget, mean_wait, sd, u[None, :], z[None, :])[0]
        np.testing.assert_array_equal(cm, schedule_run(prep, d).connection_month)
    assert len(rows) > 5


def test_a_posterior_row_reproduces_in_the_ensemble_the_history_it_was_conditioned_on(region: Region) -> None:
    """FAILS on 7bd079d (src bug, see the report): the calibration simulates on a shorter horizon.

    With near-zero reporting noise the posterior keeps only simulations that
    reproduce the observations exactly, so the ensemble's run of a posterior
    row must show the observed counts at the observed months. Here the
    observations are the ensemble-horizon counts of calibration simulation s
    (s = 0..7, a budget of 1e8 IDR a month, counts of months 1..12).
    calibrate_rollout builds its budgets only up to the last observed month
    (``_grid_counts``: ``horizon = months.max() + 1``), and a village costing
    more than that shorter horizon's money is dropped with its subtree,
    letting the villages behind it move up, while the ensemble, with the
    scenario's 30 months of money, keeps it in line. So the calibration
    conditions on histories the ensemble does not run.
    """
    model = RolloutModel.from_prepared(prepare(one_phase_scenario(capex=CAPEX), region))
    months = np.arange(1, 13)
    grid = {"budget_per_month": [1e8], "readiness_months": [2.0], "cost_spread": [0.3]}
    seed = calibrate_rollout(model, months, np.zeros(12), grid=grid, noise_sd=[1.0], n_sims=1, rng=11).seed
    failures = []
    for s in range(8):
        u, z = village_draws(np.random.SeedSequence(seed, spawn_key=(s,)), 60)
        truth_cm = model.connection_months(model.budget_path([1e8], HORIZON), 2.0, 0.3, u[None, :], z[None, :])
        truth = model.counts(truth_cm, months)[0].astype(float)
        cal = calibrate_rollout(model, months, truth, grid=grid, noise_sd=[1e-3], n_sims=50, rng=11)
        assert cal.seed == seed
        sample = cal.posterior_sample(1, rng=0)
        sc = one_phase_scenario(
            budget=FromPosterior(), readiness=FromPosterior(), spread=FromPosterior(), capex=CAPEX, posterior=sample
        )
        ensemble = simulate(prepare(sc, region), runs=1, rng=1).metric("villages_connected:desa")[0, months]
        if not np.array_equal(ensemble, truth):
            failures.append((s, truth.tolist(), ensemble.tolist()))
    assert not failures, failures


# =========================================================================== backtests


def test_forecaster_posterior_equals_calibrate_rollout(
    model1: RolloutModel, observed: np.ndarray, cal: RolloutCalibration
) -> None:
    months = np.arange(2, 31, 2)
    forecaster = RolloutForecaster(model1, months=months, grid=GRID, noise_sd=NOISE, n_sims=40, seed=cal.seed)
    post = forecaster.posterior(MONTHS, observed)
    np.testing.assert_allclose(post.log_weight, cal.log_weight, rtol=1e-12, atol=1e-12)
    predictive = forecaster(MONTHS.astype(float), observed)
    assert isinstance(predictive, SamplePredictive)
    q = predictive.quantiles([26.0, 28.0, 30.0], [0.1, 0.5, 0.9])
    assert q.shape == (3, 3)
    assert np.all(np.diff(q, axis=0) >= 0)
    np.testing.assert_array_equal(
        q, forecaster(MONTHS.astype(float), observed).quantiles([26.0, 28.0, 30.0], [0.1, 0.5, 0.9])
    )
    np.testing.assert_array_equal(predictive.draw(np.array([26.0])), predictive.draw(np.array([26.0])))
    with pytest.raises(ParameterError) as info:
        predictive.quantiles([27.0], [0.5])
    assert (info.value.parameter, info.value.function) == ("t", "RolloutForecaster")


CoverageGrid = dict[str, Any]
COVERAGE_GRID: CoverageGrid = {
    "budget_per_month": np.geomspace(1.5e8, 8e8, 10),
    "readiness_months": np.linspace(0.0, 12.0, 7),
}


def test_forecaster_bands_cover_synthetic_truths_at_the_nominal_rate(model1: RolloutModel) -> None:
    """Property (6): out-of-sample coverage of the 80 % and 95 % bands on 600 series the model made.

    Each truth draws a budget log-uniformly on [1.5e8, 8e8] IDR a month, a
    mean readiness wait uniformly on [0, 12] months, fresh per-village draws
    and a reporting noise log-uniform on [0.5, 3] villages (model_truths);
    counts every 2 months to month 24, one origin after month 12, six counts
    to predict. The forecaster's prior is flat on a grid over the same
    ranges (10 x 7 points, 5 noise levels, 100 simulations a point).

    Tolerance: the values of one series share its fit, so the pooled
    coverage has standard error at most sqrt(c (1 - c) / 600) (0.016 for
    the 80 % band, 0.0089 for the 95 % band); we accept three of those. A
    forecaster that ignores readiness (the budget-only rollout) on the same
    truths falls outside them: the test can tell a tail from none.
    """
    prior = {"budget_per_month": (1.5e8, 8e8), "readiness_months": (0.0, 12.0)}
    n_series = 600
    _, series = model_truths(
        model1, MONTHS, n_series, prior=prior, noise_sd=(0.5, 3.0), log_scale=("budget_per_month",), rng=20180531
    )
    forecaster = RolloutForecaster(
        model1, months=MONTHS, grid=COVERAGE_GRID, noise_sd=np.geomspace(0.5, 3.0, 5), n_sims=100, n_draws=400, seed=3
    )
    result = pool([backtest(MONTHS, y, forecaster, min_train=6, step=100) for y in series])
    assert result.n_rows == 6 * n_series
    coverage = result.coverage()
    for c, nominal in zip(coverage, (0.80, 0.95), strict=True):
        tolerance = 3 * math.sqrt(nominal * (1 - nominal) / n_series)
        assert abs(c - nominal) <= tolerance, (coverage, nominal, tolerance)
    budget_only = RolloutForecaster(
        model1,
        months=MONTHS,
        grid={**COVERAGE_GRID, "readiness_months": [0.0]},
        noise_sd=np.geomspace(0.5, 3.0, 5),
        n_sims=100,
        n_draws=400,
        seed=3,
    )
    tailless = pool([backtest(MONTHS, y, budget_only, min_train=6, step=100) for y in series[:200]]).coverage()
    assert tailless[1] < 0.95 - 3 * math.sqrt(0.95 * 0.05 / 200), tailless


# =========================================================================== model_truths


def test_model_truths_draw_from_the_prior(model1: RolloutModel) -> None:
    prior = {"budget_per_month": (1e8, 1e9), "readiness_months": (2.0, 10.0)}
    n = 400
    params, series = model_truths(
        model1, MONTHS, n, prior=prior, noise_sd=(0.5, 4.0), log_scale=("budget_per_month",), rng=1
    )
    assert params.shape == (n, 3)
    assert series.shape == (n, MONTHS.shape[0])
    budget, wait, sd = params.T
    assert np.all((budget >= 1e8) & (budget <= 1e9))
    assert np.all((wait >= 2.0) & (wait <= 10.0))
    assert np.all((sd >= 0.5) & (sd <= 4.0))
    # Log-uniform budget and noise, uniform wait: their means within four standard errors.
    for values, lo, hi in (
        (np.log(budget), math.log(1e8), math.log(1e9)),
        (wait, 2.0, 10.0),
        (np.log(sd), math.log(0.5), math.log(4.0)),
    ):
        assert abs(values.mean() - (lo + hi) / 2) <= 4 * (hi - lo) / math.sqrt(12 * n)
    assert np.all((series >= 0.0) & (series <= 53.0))
    again = model_truths(model1, MONTHS, n, prior=prior, noise_sd=(0.5, 4.0), log_scale=("budget_per_month",), rng=1)
    np.testing.assert_array_equal(again[0], params)
    np.testing.assert_array_equal(again[1], series)
    # More money connects more villages by month 24, on average over the truths.
    assert np.corrcoef(np.log(budget), series[:, -1])[0, 1] > 0.5


def test_model_truths_with_a_fixed_phase(region: Region) -> None:
    model = RolloutModel.from_prepared(prepare(one_phase_scenario(phases=(BudgetPhase(14, scale=Fixed(1.0)),)), region))
    months = np.arange(2, 30, 3)
    _, stopped = model_truths(
        model,
        months,
        20,
        prior={"budget_per_month": (2e8, 4e8)},
        noise_sd=(1e-3, 1e-3),
        fixed={"budget_phases[0]": 0.0},
        rng=2,
    )
    # No money from month 14 (and no readiness wait): the count stops growing.
    late = months >= 14
    assert np.all(np.abs(stopped[:, late] - stopped[:, late][:, :1]) < 0.05)


# =========================================================================== error paths


def _raises(parameter: str, function: str, call: Any, *args: Any, **kwargs: Any) -> None:
    with pytest.raises(ParameterError) as info:
        call(*args, **kwargs)
    assert info.value.parameter == parameter, str(info.value)
    assert info.value.function == function, str(info.value)


def test_error_from_prepared(region: Region) -> None:
    fn = "RolloutModel.from_prepared"
    bads: list[dict[str, Any]] = [
        {"capex_multiplier": Uniform(1.0, 1.5)},
        {"build_km_per_month": 10.0},
        {"carry_over": False},
        {"policy": "cost_effectiveness"},
    ]
    for bad in bads:
        _raises("prepared", fn, RolloutModel.from_prepared, prepare(tail_scenario(**bad), region))
    # Ordering by cost is fine without a cost spread.
    ok = RolloutModel.from_prepared(prepare(tail_scenario(policy="cost_effectiveness", spread=Fixed(0.0)), region))
    assert ok.order.policy == "cost_effectiveness"
    _raises("kind", fn, RolloutModel.from_prepared, prepare(tail_scenario(), region), kind="barangay")


def test_error_calibrate_rollout_data(model1: RolloutModel) -> None:
    fn = "calibrate_rollout"
    grid = {"budget_per_month": [3e8]}

    def call(months: Any = (2, 4), counts: Any = (6.0, 8.0), **kwargs: Any) -> RolloutCalibration:
        return calibrate_rollout(model1, months, counts, **{"grid": grid, "noise_sd": [1.0], "n_sims": 2, **kwargs})

    assert call().log_weight.shape == (1,)  # the good call
    for months in ((4, 2), (2, 2), (-1, 2), (), ((2, 4),), (2.5, 4)):
        _raises("observed_months", fn, call, months=months)
    for counts in ((6.0,), (6.0, 8.0, 9.0), (6.0, math.nan), (6.0, math.inf)):
        _raises("observed_counts", fn, call, counts=counts)
    _raises("observed_counts", fn, call, counts=("6", "8"))
    for sd in (0.0, -1.0, [1.0, math.nan], math.inf, [[1.0]], "1"):
        _raises("noise_sd", fn, call, noise_sd=sd)
    for n_sims in (0, 2.5, "2"):
        _raises("n_sims", fn, call, n_sims=n_sims)
    _raises("rng", fn, call, rng="seed")


def test_error_calibrate_rollout_grid(model1: RolloutModel) -> None:
    fn = "calibrate_rollout"

    def call(grid: Any, **kwargs: Any) -> RolloutCalibration:
        return calibrate_rollout(model1, [2, 4], [6.0, 8.0], grid=grid, noise_sd=[1.0], n_sims=2, **kwargs)

    for grid in (
        {"budget": [3e8]},  # not a parameter
        {"readiness_months": [1.0]},  # the budget phase has no values
        {"budget_per_month": [3e8], "budget_phases[0]": [1.0]},  # the model has no such phase
        {"budget_per_month": [-1.0]},
        {"budget_per_month": []},
        {"budget_per_month": [3e8, math.nan]},
        {"budget_per_month": [3e8], "cost_spread": [math.inf]},
        {"budget_per_month": [[3e8, 4e8]]},
    ):
        _raises("grid", fn, call, grid)
    _raises("grid['budget_per_month']", fn, call, {"budget_per_month": ["3e8"]})
    # A fixed value stands in for a grid axis.
    assert call({"readiness_months": [1.0]}, fixed={"budget_per_month": 3e8}).fixed == {"budget_per_month": 3e8}


def test_error_calibrate_rollout_names_a_bad_fixed_value_as_fixed(model1: RolloutModel) -> None:
    """FAILS on 7bd079d (src bug, see the report): an unknown key of ``fixed`` is reported as parameter 'grid'."""
    with pytest.raises(ParameterError) as info:
        calibrate_rollout(
            model1,
            [2, 4],
            [6.0, 8.0],
            grid={"budget_per_month": [3e8]},
            noise_sd=[1.0],
            fixed={"budget_phase[0]": 1.0},
            n_sims=2,
        )
    assert info.value.parameter == "fixed"


def test_error_calibration_methods(cal: RolloutCalibration) -> None:
    _raises("n_draws", "RolloutCalibration.predict", cal.predict, [3], 0)
    _raises("n_draws", "RolloutCalibration.predict", cal.predict, [3], 1.5)
    _raises("months", "RolloutCalibration.predict", cal.predict, [2.5], 5)
    _raises("rng", "RolloutCalibration.predict", cal.predict, [3], 5, rng="seed")
    _raises("k", "RolloutCalibration.posterior_sample", cal.posterior_sample, 0)
    _raises("rng", "RolloutCalibration.posterior_sample", cal.posterior_sample, 3, rng="seed")


def test_error_calibration_queries_name_the_parameter(cal: RolloutCalibration) -> None:
    """FAILS on 7bd079d (src bug, see the report): marginal/interval/grid_point leak ValueError/IndexError."""
    _raises("name", "RolloutCalibration.marginal", cal.marginal, "budget")
    _raises("name", "RolloutCalibration.interval", cal.interval, "budget")
    for level in (1.5, -0.5, math.nan):
        _raises("level", "RolloutCalibration.interval", cal.interval, "noise_sd", level)
    _raises("flat_index", "RolloutCalibration.grid_point", cal.grid_point, cal.log_weight.shape[0])


def test_error_forecaster(model1: RolloutModel) -> None:
    fn = "RolloutForecaster"
    good: dict[str, Any] = {"months": MONTHS, "grid": {"budget_per_month": [3e8]}, "noise_sd": [1.0], "n_sims": 2}
    t, y = MONTHS[:6].astype(float), np.arange(6.0)
    assert RolloutForecaster(model1, **good)(t, y).quantiles(MONTHS[6:].astype(float), [0.5]).shape == (1, 6)
    for name, bad in (
        ("months", [4, 2]),
        ("months", []),
        ("grid", {"budget": [3e8]}),
        ("noise_sd", [0.0]),
        ("n_sims", 0),
    ):
        _raises(name, fn, RolloutForecaster(model1, **{**good, name: bad}), t, y)
    _raises("t", fn, RolloutForecaster(model1, **good), np.array([1.0, 2.0]), np.array([1.0, 2.0]))


def test_error_forecaster_posterior_checks_its_counts(model1: RolloutModel) -> None:
    """FAILS on 7bd079d (src bug, see the report): counts of the wrong length give a numpy broadcasting error."""
    forecaster = RolloutForecaster(model1, months=MONTHS, grid={"budget_per_month": [3e8]}, noise_sd=[1.0], n_sims=2)
    _raises("y_train", "RolloutForecaster", forecaster.posterior, MONTHS[:3], [1.0, 2.0])


def test_error_model_truths(model1: RolloutModel) -> None:
    fn = "model_truths"
    prior = {"budget_per_month": (2e8, 4e8)}
    assert model_truths(model1, MONTHS, 2, prior=prior, noise_sd=(1.0, 2.0), rng=0)[1].shape == (2, 12)
    _raises("months", fn, model_truths, model1, [4, 2], 2, prior=prior, noise_sd=(1.0, 2.0))
    _raises("n_truths", fn, model_truths, model1, MONTHS, 0, prior=prior, noise_sd=(1.0, 2.0))
    _raises("rng", fn, model_truths, model1, MONTHS, 2, prior=prior, noise_sd=(1.0, 2.0), rng="seed")


def test_error_model_truths_checks_its_prior_and_noise(model1: RolloutModel) -> None:
    """FAILS on 7bd079d (src bug, see the report): a missing phase is a KeyError, a zero noise a math error."""
    fn = "model_truths"
    _raises("prior", fn, model_truths, model1, MONTHS, 2, prior={"readiness_months": (0.0, 5.0)}, noise_sd=(1.0, 2.0))
    _raises(
        "prior",
        fn,
        model_truths,
        model1,
        MONTHS,
        2,
        prior={"budget_per_month": (0.0, 4e8)},
        noise_sd=(1.0, 2.0),
        log_scale=("budget_per_month",),
    )
    _raises(
        "noise_sd", fn, model_truths, model1, MONTHS, 2, prior={"budget_per_month": (2e8, 4e8)}, noise_sd=(0.0, 2.0)
    )


def test_error_budget_path_needs_one_value_per_phase(model: RolloutModel) -> None:
    """FAILS on 7bd079d (src bug, see the report): a wrong number of phase values is a bare zip() ValueError."""
    _raises("phase_values", "RolloutModel.budget_path", model.budget_path, [3e8], HORIZON)
