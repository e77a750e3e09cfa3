"""Tests for smartkampung.sim.calibrate: recovery of known parameters, intervals
checked against a brute-force scan, the Banyuwangi observations, error paths."""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from smartkampung import ParameterError
from smartkampung.datasets import BANYUWANGI_START, banyuwangi_observations
from smartkampung.model import months_elapsed, observation_month
from smartkampung.sim.calibrate import CalibrationResult, fit_budget, fit_rollout
from smartkampung.sim.rollout import schedule

N_TOTAL, N0, COST = 189, 41, 5.0


def step_model(params: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Villages of equal cost bought in order: n0 + floor(budget (t + 1) / cost), capped."""
    t = np.asarray(months, dtype=float)
    out: np.ndarray = np.minimum(N_TOTAL, N0 + np.floor(params[0] * (t + 1) / COST))
    return out


def logistic(params: np.ndarray, months: np.ndarray) -> np.ndarray:
    rate, midpoint = params
    out: np.ndarray = N_TOTAL / (1.0 + np.exp(-rate * (np.asarray(months, float) - midpoint)))
    return out


def random_tree(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    parent = np.array([-1 if i < 8 else rng.integers(0, i) for i in range(n)])
    cost = rng.lognormal(np.log(3e8), 0.6, n)
    pop = rng.integers(2000, 15000, n)
    km = rng.gamma(2.0, 2.0, n)
    return parent, cost, pop, km


# --------------------------------------------------------------------------- #
# Recovery
# --------------------------------------------------------------------------- #


def test_step_model_recovers_the_budget_exactly() -> None:
    months = np.array([2, 6, 11, 17])
    truth = 7.3
    y = step_model(np.array([truth]), months)
    res = fit_rollout(step_model, months, y, bounds=[(0.5, 50.0)], param_names=["budget"])
    assert res.sse == 0.0
    assert np.array_equal(res.fitted_counts, y)
    lo, hi = res.interval[0]
    assert lo <= truth <= hi
    assert lo <= res.params[0] <= hi
    # the exact-fit set, computed independently: floor(b (t+1) / 5) must equal the
    # observed increments for every month, i.e. b in [max_i k_i 5/(t_i+1), min_i (k_i+1) 5/(t_i+1))
    k = y - N0
    lower = np.max(k * COST / (months + 1))
    upper = np.min((k + 1) * COST / (months + 1))
    assert math.isclose(lo, lower, rel_tol=1e-8)
    assert math.isclose(hi, upper, rel_tol=1e-8)
    # plateau centring: the estimate is the middle of the exact-fit stretch
    # plateau centring: the estimate is the middle of the exact-fit stretch on the search
    # scale, here logarithmic (bounds span a factor 100): the geometric mean
    assert math.isclose(res.params[0], math.sqrt(lower * upper), rel_tol=1e-6)
    assert not res.interval_at_bound.any()


def test_profile_interval_matches_a_brute_force_scan() -> None:
    months = np.arange(0, 24, 3)
    noise = np.array([3.0, -2.0, 4.0, 0.0, -5.0, 2.0, 1.0, -3.0])
    y = np.maximum(step_model(np.array([4.0]), months) + noise, 0)
    res = fit_rollout(step_model, months, y, bounds=[(1.0, 10.0)], scale=["linear"])
    grid = np.linspace(1.0, 10.0, 50_001)
    sse = np.array([np.sum((step_model(np.array([b]), months) - y) ** 2) for b in grid])
    assert res.sse <= sse.min() + 1e-9
    assert res.sse == pytest.approx(sse.min())
    inside = grid[sse <= sse.min() * math.exp(stats.chi2.ppf(0.95, 1) / len(y))]
    step = grid[1] - grid[0]
    assert res.interval[0, 0] == pytest.approx(inside.min(), abs=2 * step)
    assert res.interval[0, 1] == pytest.approx(inside.max(), abs=2 * step)
    assert res.rmse == pytest.approx(math.sqrt(res.sse / len(y)))
    assert np.allclose(res.residuals, y - res.fitted_counts)


def test_continuous_two_parameter_model_is_recovered() -> None:
    months = np.arange(0, 30, 2)
    truth = np.array([0.35, 12.5])
    y = logistic(truth, months)
    res = fit_rollout(
        logistic, months, y, bounds=[(0.01, 2.0), (0.0, 30.0)], param_names=["rate", "midpoint"], initial=[0.5, 10.0]
    )
    assert np.allclose(res.params, truth, rtol=1e-4)
    assert res.rmse < 1e-3
    assert np.all(res.interval[:, 0] <= res.params + 1e-6)
    assert np.all(res.interval[:, 1] >= res.params - 1e-6)


def test_two_parameter_profile_interval_contains_truth_with_noise() -> None:
    months = np.arange(0, 30, 2)
    truth = np.array([0.35, 12.5])
    rng = np.random.default_rng(0)
    y = logistic(truth, months) + rng.normal(0.0, 3.0, months.shape)
    res = fit_rollout(logistic, months, y, bounds=[(0.01, 2.0), (0.0, 30.0)], n_grid=21, n_profile=15)
    # the profile-likelihood test at the truth: m log(SSE_profile / SSE_min) vs chi2_1,
    # with SSE_profile(rate = truth) computed independently on a fine grid of midpoints
    mid = np.linspace(0, 30, 30_001)
    prof = min(np.sum((logistic(np.array([truth[0], m]), months) - y) ** 2) for m in mid)
    stat = len(y) * math.log(prof / res.sse)
    inside = stat <= stats.chi2.ppf(0.95, 1)
    assert inside == (res.interval[0, 0] <= truth[0] <= res.interval[0, 1])
    assert res.n_evaluations > 0


def test_fit_budget_recovers_the_schedule_budget() -> None:
    parent, cost, pop, _ = random_tree(189, 3)
    already = np.random.default_rng(2).choice(189, 41, replace=False)
    truth = 2.345e9
    s = schedule(parent, cost, budget_per_month=truth, n_months=30, population=pop, already_connected=already)
    months = np.array([3, 8, 14, 20, 27])
    y = s.connected_count()[months]
    res = fit_budget(parent, cost, months, y, budget_bounds=(1e6, 1e11), population=pop, already_connected=already)
    assert res.param_names == ("budget_per_month",)
    assert res.sse == 0.0
    lo, hi = res.interval[0]
    assert lo <= truth <= hi
    assert hi / lo < 1.1
    # projection reproduces the generating schedule at every month
    assert np.array_equal(
        res.project(np.arange(30)),
        schedule(
            parent, cost, budget_per_month=res.params[0], n_months=30, population=pop, already_connected=already
        ).connected_count(),
    )
    np.testing.assert_array_equal(res.project(np.arange(30))[months], y)


def test_fit_budget_with_build_capacity() -> None:
    parent, cost, pop, km = random_tree(120, 4)
    s = schedule(parent, cost, budget_per_month=4e9, n_months=24, population=pop, link_km=km, build_km_per_month=12.0)
    months = np.array([2, 6, 11, 16, 22])
    y = s.connected_count()[months]
    res = fit_budget(
        parent,
        cost,
        months,
        y,
        budget_bounds=(1e8, 1e11),
        build_km_bounds=(1, 60),
        link_km=km,
        population=pop,
        n_grid=21,
    )
    assert res.param_names == ("budget_per_month", "build_km_per_month")
    assert res.sse == 0.0
    assert res.interval[1, 0] <= 12.0 <= res.interval[1, 1]
    assert res.interval[0, 0] <= 4e9 <= res.interval[0, 1]


def test_bootstrap_is_reproducible_and_brackets_the_estimate() -> None:
    months = np.arange(0, 24, 3)
    noise = np.array([3.0, -2.0, 4.0, 0.0, -5.0, 2.0, 1.0, -3.0])
    y = np.maximum(step_model(np.array([4.0]), months) + noise, 0)
    kw: dict[str, Any] = {"bounds": [(1.0, 10.0)], "interval": "bootstrap", "n_bootstrap": 30, "n_grid": 41}
    a = fit_rollout(step_model, months, y, rng=5, **kw)
    b = fit_rollout(step_model, months, y, rng=5, **kw)
    assert np.array_equal(a.interval, b.interval)
    assert a.interval_method == "bootstrap"
    assert a.interval[0, 0] < a.interval[0, 1]
    # the bootstrap changes only the interval, not the estimate
    p = fit_rollout(step_model, months, y, bounds=[(1.0, 10.0)], n_grid=41)
    assert np.array_equal(a.params, p.params)


def test_summary_and_project() -> None:
    months = np.array([2, 6, 11, 17])
    y = step_model(np.array([7.3]), months)
    res = fit_rollout(step_model, months, y, bounds=[(0.5, 50.0)], param_names=["budget"], description="toy model")
    text = res.summary()
    assert "budget" in text
    assert "toy model" in text
    assert "profile-likelihood" in text
    assert "RMSE" in text
    assert len([ln for ln in text.splitlines() if ln.strip().startswith(("2 ", "6 ", "11 ", "17 "))]) == 4
    proj = res.project([30, 40])
    np.testing.assert_array_equal(proj, step_model(res.params, np.array([30, 40])))
    assert isinstance(res, CalibrationResult)


# --------------------------------------------------------------------------- #
# Banyuwangi
# --------------------------------------------------------------------------- #


def test_observation_months_by_hand() -> None:
    # 216 days / 30.4375 = 7.10 -> 7 -> by the end of month 6
    assert observation_month(BANYUWANGI_START, dt.date(2017, 1, 2)) == 6
    assert months_elapsed(BANYUWANGI_START, dt.date(2017, 1, 2)) == pytest.approx(216 / 30.4375)
    assert observation_month(BANYUWANGI_START, dt.date(2017, 5, 23)) == 11  # 357 d
    assert observation_month(BANYUWANGI_START, dt.date(2017, 9, 15)) == 15  # 472 d
    assert observation_month(BANYUWANGI_START, dt.date(2018, 5, 31)) == 23  # 730 d
    assert observation_month(BANYUWANGI_START, BANYUWANGI_START) == -1


def test_banyuwangi_observations() -> None:
    obs = banyuwangi_observations()
    assert obs.counts.tolist() == [44, 80, 115, 167]
    assert obs.months.tolist() == [6, 11, 15, 23]
    assert obs.initial_connected == 41
    assert obs.n_villages == 189
    assert obs.includes_headline_claim
    assert "no public source" in obs.notes[-1]
    sourced = banyuwangi_observations(include_headline_claim=False)
    assert sourced.counts.tolist() == [44, 80, 115]
    assert "unsourced-headline-claim" not in sourced.sources
    with pytest.raises(ParameterError):
        banyuwangi_observations(include_headline_claim="yes")  # type: ignore[arg-type]


CONNECTIVITY_CSV = Path("/work/shared/data/smart_kampung_connectivity.csv")


@pytest.mark.skipif(not CONNECTIVITY_CSV.exists(), reason="shared data folder not present")
def test_banyuwangi_observations_match_the_data_file() -> None:
    with CONNECTIVITY_CSV.open(newline="", encoding="utf-8") as fh:
        rows = {r["source"]: r for r in csv.DictReader(fh)}
    obs = banyuwangi_observations(include_headline_claim=False)
    for src, count in zip(obs.sources, obs.counts.tolist(), strict=True):
        assert int(rows[src]["value"]) == count
        assert rows[src]["denominator"] == "189"
    assert int(rows["merdeka-2016-05-31"]["value"]) == obs.initial_connected


@pytest.mark.parametrize("include", [True, False])
def test_fit_banyuwangi_on_a_synthetic_tree(include: bool) -> None:
    obs = banyuwangi_observations(include_headline_claim=include)
    parent, cost, pop, _ = random_tree(obs.n_villages, 11)
    already = np.random.default_rng(1).choice(obs.n_villages, obs.initial_connected, replace=False)
    res = fit_budget(
        parent, cost, obs.months, obs.counts, budget_bounds=(1e7, 1e11), population=pop, already_connected=already
    )
    # no budget does better: brute force over a dense independent grid
    t_max = int(obs.months.max()) + 1
    best = math.inf
    for b in np.geomspace(1e7, 1e11, 4000):
        c = schedule(
            parent, cost, budget_per_month=b, n_months=t_max, population=pop, already_connected=already
        ).connected_count()[obs.months]
        best = min(best, float(np.sum((c - obs.counts) ** 2)))
    assert res.sse <= best
    proj = res.project(np.arange(36))
    assert proj[0] >= obs.initial_connected
    assert np.all(np.diff(proj) >= 0)
    assert proj.max() <= obs.n_villages
    assert res.interval[0, 0] <= res.params[0] <= res.interval[0, 1]
    assert len(res.observed_counts) == (4 if include else 3)


# --------------------------------------------------------------------------- #
# Errors
# --------------------------------------------------------------------------- #

MONTHS = np.array([2, 6, 11, 17])
COUNTS = step_model(np.array([7.3]), MONTHS)


@pytest.mark.parametrize(
    ("param", "kw"),
    [
        ("observed_counts", {"observed_counts": [1.0, 2.0]}),
        ("observed_counts", {"observed_counts": [1.0, -2.0, 3.0, 4.0]}),
        ("observed_counts", {"observed_counts": [1.0, math.nan, 3.0, 4.0]}),
        ("observed_months", {"observed_months": [2, 6, 6, 17]}),
        ("observed_months", {"observed_months": [2, 6, 3, 17]}),
        ("observed_months", {"observed_months": []}),
        ("observed_months", {"observed_months": [2.0, math.nan, 11, 17]}),
        ("bounds", {"bounds": [(5.0, 1.0)]}),
        ("bounds", {"bounds": [(1.0, math.inf)]}),
        ("bounds", {"bounds": [(1.0, 2.0, 3.0)]}),
        ("bounds", {"bounds": "wide"}),
        ("initial", {"initial": [100.0]}),
        ("initial", {"initial": [1.0, 2.0]}),
        ("param_names", {"param_names": ["a", "b"]}),
        ("scale", {"scale": ["cubic"]}),
        ("scale", {"bounds": [(0.0, 10.0)], "scale": ["log"]}),
        ("interval", {"interval": "jackknife"}),
        ("level", {"level": 1.5}),
        ("level", {"level": True}),
        ("n_grid", {"n_grid": 2}),
        ("n_profile", {"n_profile": 1.5}),
        ("n_bootstrap", {"n_bootstrap": 3}),
        ("model", {"model": "not callable"}),
        ("model", {"model": lambda p, m: np.zeros(2)}),
        ("model", {"model": lambda p, m: np.full(len(m), math.nan)}),
    ],
)
def test_fit_rollout_bad_parameters(param: str, kw: dict[str, Any]) -> None:
    args: dict[str, Any] = {
        "model": step_model,
        "observed_months": MONTHS,
        "observed_counts": COUNTS,
        "bounds": [(0.5, 50.0)],
    }
    args.update(kw)
    with pytest.raises(ParameterError) as info:
        fit_rollout(args.pop("model"), args.pop("observed_months"), args.pop("observed_counts"), **args)
    assert info.value.parameter == param
    assert info.value.function == "fit_rollout"


@pytest.mark.parametrize(
    ("param", "kw"),
    [
        ("observed_months", {"observed_months": [-1, 6, 11, 17]}),
        ("observed_months", {"observed_months": [2.5, 6, 11, 17]}),
        ("observed_months", {"observed_months": [[2, 6, 11, 17]]}),
        ("budget_bounds", {"budget_bounds": (-1.0, 5.0)}),
        ("budget_bounds", {"budget_bounds": (5.0, 5.0)}),
        ("build_km_bounds", {"build_km_bounds": (3.0, 1.0), "link_km": np.ones(5)}),
        ("link_km", {"build_km_bounds": (1.0, 3.0)}),
        ("parent", {"parent": [0, 0, 0, 1, -1]}),
        ("priority", {"priority": "tallest"}),
        ("carry_over", {"carry_over": "no"}),
    ],
)
def test_fit_budget_bad_parameters(param: str, kw: dict[str, Any]) -> None:
    args: dict[str, Any] = {
        "parent": [-1, 0, 0, 1, -1],
        "capex": [10.0, 4.0, 6.0, 3.0, 8.0],
        "observed_months": [0, 1, 2, 3],
        "observed_counts": [1, 3, 4, 5],
        "budget_bounds": (1.0, 100.0),
        "population": [5, 4, 3, 2, 1],
    }
    args.update(kw)
    with pytest.raises(ParameterError) as info:
        fit_budget(
            args.pop("parent"), args.pop("capex"), args.pop("observed_months"), args.pop("observed_counts"), **args
        )
    assert info.value.parameter == param


def test_project_errors() -> None:
    res = fit_rollout(step_model, MONTHS, COUNTS, bounds=[(0.5, 50.0)], n_grid=11)
    with pytest.raises(ParameterError) as info:
        res.project([])
    assert info.value.parameter == "months"
    bad = CalibrationResult(
        **{
            **{
                f: getattr(res, f)
                for f in (
                    "param_names",
                    "params",
                    "interval",
                    "interval_at_bound",
                    "interval_method",
                    "level",
                    "bounds",
                    "observed_months",
                    "observed_counts",
                    "fitted_counts",
                    "residuals",
                    "sse",
                    "rmse",
                    "n_evaluations",
                )
            },
            "model": lambda p, m: np.zeros(1),
        }
    )
    with pytest.raises(ParameterError) as info:
        bad.project([1, 2, 3])
    assert info.value.parameter == "model"
