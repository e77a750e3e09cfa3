"""Plots of a small result: what each function draws, checked on the Axes it returns."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection, PolyCollection  # noqa: E402

from smartkampung import ParameterError, SimulationResult, plots, simulate  # noqa: E402
from smartkampung.datasets import banyuwangi_scenario, synthetic_region  # noqa: E402
from smartkampung.model import IDMAssumptions, IDMStatus, Uniform  # noqa: E402

N_VILLAGES = 30
#: IDM 2016 counts declared for the 27 desa of the synthetic region (made up for the test).
COUNTS_2016 = (1, 5, 12, 7, 2)


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _result(budget: float = 3e8, horizon: int = 30, start: str = "2016-06") -> SimulationResult:
    sc = banyuwangi_scenario()
    sc = attrs.evolve(
        sc,
        name="Plot test",
        start=start,
        horizon_months=horizon,
        rollout=attrs.evolve(
            sc.rollout, budget_per_month=Uniform(budget, 2 * budget), budget_phases=(), initially_connected=2
        ),
        outcomes=attrs.evolve(sc.outcomes, idm=IDMAssumptions(observed_year=2016, status_counts=COUNTS_2016)),
    )
    return simulate(sc, runs=5, rng=3, region=synthetic_region(N_VILLAGES, seed=9))


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    return _result()


def test_coverage(result: SimulationResult) -> None:
    ax = plots.coverage(result)
    assert len(ax.lines) == 2  # villages and households, median
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 2  # their bands
    villages = result.quantiles("villages_connected", (0.1, 0.5, 0.9)) / N_VILLAGES * 100
    np.testing.assert_allclose(ax.lines[0].get_ydata(), villages[1])
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.arange(result.n_months))
    assert ax.get_ylim() == (0, 102)
    assert "5 runs" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["Villages connected (median)", "Villages connected (10–90 % band)"]
    # ticks at each January, labelled with the calendar month
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan 2017", "Jan 2018"]
    assert [round(t) for t in ax.get_xticks()] == [7, 19]  # the horizon starts in June 2016


def test_coverage_band_quantiles(result: SimulationResult) -> None:
    ax = plots.coverage(result, low=0.25, high=0.75)
    band = next(c for c in ax.collections if isinstance(c, PolyCollection))
    ys = np.asarray(band.get_paths()[0].vertices)[:, 1]
    q = result.quantiles("villages_connected", (0.25, 0.75)) / N_VILLAGES * 100
    assert ys.min() == pytest.approx(q.min())
    assert ys.max() == pytest.approx(q.max())


def test_adoption_by_pillar(result: SimulationResult) -> None:
    ax = plots.adoption_by_pillar(result)
    pillars = [name for name in result.metric_names if name.startswith("adopters_pillar:")]
    active = [name for name in pillars if result.metric(name).any()]
    assert 0 < len(active) <= len(pillars)
    assert len(ax.lines) == len(active)
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == len(active)
    first = active[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.quantile(result.metric(first), 0.5, axis=0) / 1e3)
    programme = banyuwangi_scenario().programme
    assert ax.lines[0].get_label() == programme.pillar(first.split(":", 1)[1]).name


def test_connection_map(result: SimulationResult) -> None:
    assert result.prepared is not None
    plan = result.prepared.plan
    ax = plots.connection_map(result)
    links = [c for c in ax.collections if isinstance(c, LineCollection)]
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(links) == 1
    assert len(links[0].get_segments()) == N_VILLAGES  # every village has a link (to a parent or the backbone)
    never = np.isnan(result.mean_connection_month)
    # villages (coloured), never-connected villages (if any), points of presence
    assert len(points) == 2 + int(never.any())
    assert len(np.asarray(points[0].get_offsets())) == int((~never).sum())
    assert len(np.asarray(points[-1].get_offsets())) == len(plan.backbone)
    assert len(ax.figure.axes) == 2  # the map and its colour bar


def test_connection_map_marks_villages_never_connected() -> None:
    poor = _result(budget=1e7, horizon=12)
    never = np.isnan(poor.mean_connection_month)
    assert never.any()
    ax = plots.connection_map(poor)
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(points) == 3
    assert len(np.asarray(points[1].get_offsets())) == int(never.sum())
    assert "not connected within the horizon" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_connection_map_needs_the_plan(result: SimulationResult) -> None:
    with pytest.raises(ValueError, match="prepared"):
        plots.connection_map(attrs.evolve(result, prepared=None))


def test_idm_status(result: SimulationResult) -> None:
    ax = plots.idm_status(result)
    assert result.year_labels == (2016, 2017, 2018)
    lo, mid, hi = result.idm_quantiles((0.1, 0.5, 0.9))
    reached = [code for code in range(5) if result.idm_counts[:, :, code].any()]
    assert reached == [0, 1, 2, 3, 4]  # every status is declared in 2016
    assert len(ax.lines) == 1 + len(reached)  # a median line per status, and the observed-year marker
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == len(reached)
    for line, band, code in zip(ax.lines[:-1], bands, reached, strict=True):
        np.testing.assert_allclose(line.get_xdata(), result.year_labels)
        np.testing.assert_allclose(line.get_ydata(), mid[:, code])
        ys = np.asarray(band.get_paths()[0].vertices)[:, 1]
        assert ys.min() == pytest.approx(lo[:, code].min())
        assert ys.max() == pytest.approx(hi[:, code].max())
    np.testing.assert_allclose(ax.lines[0].get_ydata()[0], COUNTS_2016[0])  # the observed year, exactly
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2016", "2017", "2018"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [s.label for s in IDMStatus]
    assert "observed" in " ".join(t.get_text() for t in ax.texts)
    assert "10–90 %" in ax.get_ylabel()


def test_idm_status_refuses_a_result_without_idm() -> None:
    short = _result(horizon=5, start="2016-01")  # IDM 2016's cut-off (March) is in the horizon: 2016 is shown
    assert short.year_labels == (2016,)
    plots.idm_status(short)
    sc = banyuwangi_scenario()
    none = simulate(
        attrs.evolve(sc, horizon_months=12, rollout=attrs.evolve(sc.rollout, initially_connected=2)),
        runs=2,
        rng=1,
        region=synthetic_region(10, seed=1),
    )
    assert not none.has_idm  # the flagship's observed year (2020) is after this horizon
    with pytest.raises(ParameterError) as info:
        plots.idm_status(none)
    assert info.value.parameter == "result"
    assert info.value.function == "idm_status"
    assert "no IDM projection" in str(info.value)


@pytest.mark.parametrize("function", [plots.coverage, plots.adoption_by_pillar, plots.connection_map, plots.idm_status])
def test_draws_on_the_given_axes(result: SimulationResult, function: object) -> None:
    fig, ax = plt.subplots()
    assert function(result, ax=ax) is ax  # type: ignore[operator]
    assert ax.has_data()
    fig.canvas.draw()  # renders without error


def test_indonesian_labels_and_calendar_months(result: SimulationResult) -> None:
    ax = plots.coverage(result, lang="id")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan 2017", "Jan 2018"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "Desa terhubung (median)"
    assert labels[2] == "Rumah tangga terhubung (median)"
    assert ax.get_ylabel() == "terhubung [%]"
    ax = plots.adoption_by_pillar(result, lang="id")
    programme = banyuwangi_scenario().programme
    shown = {line.get_label() for line in ax.lines}
    assert shown <= {p.name_local for p in programme.pillars}
    assert "Pelayanan publik" in shown


def test_month_ticks_show_december_in_indonesian() -> None:
    short = _result(horizon=12, start="2018-01")  # one January only: a tick every third month
    ax = plots.coverage(short, lang="id")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan 2018", "Apr 2018", "Jul 2018", "Okt 2018"]
    ax = plots.coverage(_result(horizon=12, start="2017-12"), lang="id")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Des 2017", "Mar 2018", "Jun 2018", "Sep 2018"]
    ax = plots.coverage(_result(horizon=12, start="2017-12"))
    assert ax.get_xticklabels()[0].get_text() == "Dec 2017"


def test_connection_map_colour_bar_shows_dates(result: SimulationResult) -> None:
    ax = plots.connection_map(result, lang="id")
    bar = ax.figure.axes[1]
    texts = [t.get_text() for t in bar.get_yticklabels()]
    assert texts
    assert all(
        t.split()[0] in ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
        for t in texts
    )


def test_cost_fan_chart(result: SimulationResult) -> None:
    ax = plots.cost(result, lang="id")
    _lo, mid, hi = result.quantiles("cumulative_cost", (0.1, 0.5, 0.9))
    scale = 1e9 if hi.max() >= 1e9 else 1e6
    np.testing.assert_allclose(ax.lines[0].get_ydata(), mid / scale)
    assert ax.get_ylabel() == ("Rp [miliar]" if scale == 1e9 else "Rp [juta]")
    assert plots.cost(result, currency="PHP").get_ylabel().startswith("PHP [")


def test_idm_status_in_indonesian(result: SimulationResult) -> None:
    ax = plots.idm_status(result, lang="id", low=0.25, high=0.75)
    assert ax.get_xlabel() == f"tahun {result.idm_index_name}"
    assert "rentang 25–75 %" in ax.get_ylabel()
    assert "teramati" in " ".join(t.get_text() for t in ax.texts)
    _lo, mid, _hi = result.idm_quantiles((0.25, 0.5, 0.75))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), mid[:, 0])


def test_unknown_language_is_refused(result: SimulationResult) -> None:
    with pytest.raises(ValueError, match="lang") as info:
        plots.coverage(result, lang="fr")
    assert "coverage" in str(info.value)
