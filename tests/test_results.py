"""SimulationResult: access, quantiles, summaries and tables (plain, pandas, xarray)."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

from smartkampung import ParameterError, SimulationResult, simulate
from smartkampung.datasets import banyuwangi_scenario, synthetic_region
from smartkampung.model import IDMAssumptions, IDMStatus, VillageKind
from smartkampung.sim.results import CUMULATIVE_METRICS, HEADLINE_METRICS

RUNS = 7
HORIZON = 26


#: IDM 2016 counts declared for the 34 desa of the synthetic region (made up for the test).
COUNTS_2016 = (0, 4, 15, 10, 5)


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    sc = banyuwangi_scenario()
    region = synthetic_region(40, seed=5)
    assert sum(v.kind is VillageKind.DESA for v in region.villages) == sum(COUNTS_2016)
    sc = attrs.evolve(
        sc,
        name="Results test",
        horizon_months=HORIZON,
        rollout=attrs.evolve(sc.rollout, initially_connected=3),
        outcomes=attrs.evolve(sc.outcomes, idm=IDMAssumptions(observed_year=2016, status_counts=COUNTS_2016)),
    )
    return simulate(sc, runs=RUNS, rng=12, region=region)


def test_shapes_and_labels(result: SimulationResult) -> None:
    n_metrics = len(result.metric_names)
    assert result.runs == RUNS
    assert result.n_months == HORIZON
    assert result.monthly.shape == (RUNS, n_metrics, HORIZON)
    assert result.month_labels[0] == "2016-06"
    assert result.month_labels[-1] == "2018-07"
    assert result.draws.shape == (RUNS, len(result.draw_names))
    assert result.village_codes.shape == (40,)
    n_services = len(result.service_ids)
    assert result.p_half_adoption.shape == (n_services, 40)
    assert result.mean_half_adoption_month.shape == (n_services, 40)
    assert result.mean_final_fraction.shape == (n_services, 40)
    # IDM years from the observed one to the last whose March cut-off lies within 2016-06 .. 2018-07
    assert result.year_labels == (2016, 2017, 2018)
    assert result.has_idm
    assert result.idm_counts.shape == (RUNS, 3, 5)
    assert np.all(result.idm_counts[:, 0] == COUNTS_2016)  # the observed year is the declared state
    assert np.all(result.idm_counts.sum(axis=2) == 34)


def test_metric(result: SimulationResult) -> None:
    row = result.metric_names.index("adopters")
    np.testing.assert_array_equal(result.metric("adopters"), result.monthly[:, row, :])
    assert result.metric("adopters").shape == (RUNS, HORIZON)


@pytest.mark.parametrize("name", ["", "adopter", "ADOPTERS", "adopters:nonexistent"])
def test_unknown_metric(result: SimulationResult, name: str) -> None:
    with pytest.raises(ParameterError) as info:
        result.metric(name)
    assert info.value.parameter == "name"
    assert "villages_connected" in str(info.value)  # lists the known metrics
    with pytest.raises(ParameterError):
        result.quantiles(name)
    with pytest.raises(ParameterError):
        result.total(name)


def test_quantiles_shape_order_and_values(result: SimulationResult) -> None:
    for name in result.metric_names:
        q = result.quantiles(name)
        assert q.shape == (3, HORIZON)
        finite = np.all(np.isfinite(q), axis=0)
        assert np.all(q[0, finite] <= q[1, finite]), name
        assert np.all(q[1, finite] <= q[2, finite]), name
    # By hand: with 7 runs the median is the 4th smallest value; q=0 and q=1 are the extremes.
    values = result.metric("adopters")
    q = result.quantiles("adopters", (0.0, 0.5, 1.0))
    np.testing.assert_array_equal(q[1], np.sort(values, axis=0)[3])
    np.testing.assert_array_equal(q[0], values.min(axis=0))
    np.testing.assert_array_equal(q[2], values.max(axis=0))
    # Linear interpolation: q = 1/12 lies halfway between the 1st and 2nd of 7 sorted values.
    srt = np.sort(values, axis=0)
    np.testing.assert_allclose(result.quantiles("adopters", (1 / 12,))[0], (srt[0] + srt[1]) / 2, rtol=1e-12)
    assert result.quantiles("adopters", [0.25]).shape == (1, HORIZON)


@pytest.mark.parametrize("q", [(1.5,), (-0.1, 0.5), ()])
def test_bad_quantile_levels(result: SimulationResult, q: tuple[float, ...]) -> None:
    with pytest.raises(ParameterError) as info:
        result.quantiles("adopters", q)
    assert info.value.parameter == "q"
    with pytest.raises(ParameterError):
        result.monthly_quantile_table(q)


def test_total_and_idm_quantiles(result: SimulationResult) -> None:
    np.testing.assert_allclose(result.total("hours_saved"), result.metric("hours_saved").sum(axis=1), rtol=1e-12)
    assert result.total("hours_saved").shape == (RUNS,)
    iq = result.idm_quantiles()
    assert iq.shape == (3, 3, 5)
    np.testing.assert_array_equal(iq[:, 0], np.tile(COUNTS_2016, (3, 1)))
    np.testing.assert_allclose(result.idm_quantiles((0.5,))[0], np.quantile(result.idm_counts, 0.5, axis=0))
    assert np.all(iq[0] <= iq[1])
    assert np.all(iq[1] <= iq[2])


def test_summary_rows(result: SimulationResult) -> None:
    rows = result.summary_rows()
    labels = [label for label, _, _ in rows]
    end = result.month_labels[-1]
    for name in HEADLINE_METRICS:
        if name != "transactions":
            assert f"{name} ({end})" in labels, name
    for name in CUMULATIVE_METRICS:
        assert f"{name} (total to {end})" in labels, name
    for status in IDMStatus:
        assert f"desa {status.label} (2018)" in labels
    assert not any("(2016)" in label or "(2017)" in label for label in labels)  # the last IDM year only
    by_label = {label: values for label, _, values in rows}
    expected = np.quantile(result.metric("villages_connected")[:, -1], (0.1, 0.5, 0.9))
    np.testing.assert_allclose(by_label[f"villages_connected ({end})"], expected, rtol=1e-12)
    expected = np.quantile(result.total("hours_saved"), (0.1, 0.5, 0.9))
    np.testing.assert_allclose(by_label[f"hours_saved (total to {end})"], expected, rtol=1e-12)
    # the IDM rows count every desa of the last year
    idm = np.array([by_label[f"desa {s.label} (2018)"] for s in IDMStatus])  # (5, 3)
    assert idm.shape == (5, 3)
    np.testing.assert_allclose(idm.T, np.quantile(result.idm_counts[:, -1], (0.1, 0.5, 0.9), axis=0))
    assert len(result.summary_rows((0.5,))[0][2]) == 1


def test_summary_text(result: SimulationResult) -> None:
    text = result.summary()
    lines = text.splitlines()
    assert lines[0] == f"Results test: {RUNS} runs, seed entropy 12, numpy backend"
    assert lines[1].split() == ["outcome", "unit", "q10", "q50", "q90"]
    assert len(lines) == 2 + len(result.summary_rows())
    end = result.month_labels[-1]
    body = "\n".join(lines[2:])
    for name in (
        "villages_connected",
        "households_connected",
        "people_connected",
        "adopters",
        "cumulative_cost",
        "cost_per_connected_household",
    ):
        assert f"{name} ({end})" in body, name
    assert "hours_saved (total to" in body
    assert "Desa Mandiri" in body
    # the median number of villages connected appears, formatted
    median = float(np.quantile(result.metric("villages_connected")[:, -1], 0.5))
    row = next(line for line in lines if line.startswith(f"villages_connected ({end})"))
    assert f"{median:,.2f}" in row or f"{median:,.0f}" in row
    assert result.summary((0.05, 0.95)).splitlines()[1].split() == ["outcome", "unit", "q05", "q95"]


def test_monthly_quantile_table(result: SimulationResult) -> None:
    header, rows = result.monthly_quantile_table()
    assert header == ["month", "metric", "q10", "q50", "q90"]
    assert len(rows) == len(result.metric_names) * HORIZON
    # rows run metric by metric, month by month
    assert rows[0][:2] == [result.month_labels[0], result.metric_names[0]]
    assert rows[HORIZON][:2] == [result.month_labels[0], result.metric_names[1]]
    m = result.metric_names.index("adopters")
    t = 9
    row = rows[m * HORIZON + t]
    assert row[:2] == [result.month_labels[t], "adopters"]
    np.testing.assert_allclose(row[2:], result.quantiles("adopters")[:, t], rtol=1e-12)
    header, rows = result.monthly_quantile_table((0.5,))
    assert header == ["month", "metric", "q50"]
    assert len(rows[0]) == 3


def test_village_table(result: SimulationResult) -> None:
    header, rows = result.village_table()
    assert header[:3] == ["code", "p_connected", "mean_connection_month"]
    assert len(header) == 3 + 3 * len(result.service_ids)
    assert len(rows) == 40
    assert [r[0] for r in rows] == result.village_codes.tolist()
    assert all(0.0 <= r[1] <= 1.0 for r in rows)


def test_to_dataframe(result: SimulationResult) -> None:
    pd = pytest.importorskip("pandas")
    df = result.to_dataframe()
    assert df.index.names == ["time", "run", "metric"]
    assert list(df.columns) == ["month", "value"]
    assert str(df.index.get_level_values("time").dtype) == "datetime64[ns]"
    assert len(df) == RUNS * len(result.metric_names) * HORIZON
    when = pd.Timestamp(f"{result.month_labels[11]}-01")
    pick = df.loc[(when, 4, "households_connected")]
    assert pick["value"] == result.metric("households_connected")[4, 11]
    assert pick["month"] == result.month_labels[11]
    assert sorted(df.index.get_level_values("run").unique().tolist()) == list(range(RUNS))
    assert df.attrs["units"]["capex"] == "IDR/month"
    assert df.attrs["kinds"]["capex"] == "flow"
    # Monthly totals resample like any time series: the yearly sum of a flow.
    capex = df.xs((0, "capex"), level=("run", "metric"))["value"]
    assert capex.resample("YS").sum().iloc[0] == pytest.approx(result.metric("capex")[0, :7].sum())


def test_csv_header_carries_units(result: SimulationResult) -> None:
    header, _ = result.village_table()
    named = result.csv_header(header, currency="PHP")
    assert named[:3] == ["code", "p_connected [0-1]", "mean_connection_month [month]"]
    assert result.csv_header(["villages_connected", "opex", "adopters:e_learning", "q50"]) == [
        "villages_connected [villages]",
        "opex [IDR/month]",
        "adopters:e_learning [households]",
        "q50",
    ]
    # a per-village column's own unit wins over the monthly metric of the same name
    assert result.csv_header(["capex", "link_km"], currency="PHP") == ["capex [PHP]", "link_km [km]"]


def test_quantile_dataframe(result: SimulationResult) -> None:
    pytest.importorskip("pandas")
    df = result.quantile_dataframe()
    assert list(df.columns) == ["month", "metric", "q10", "q50", "q90"]
    assert len(df) == len(result.metric_names) * HORIZON
    pick = df[(df["metric"] == "villages_connected") & (df["month"] == result.month_labels[-1])]
    np.testing.assert_allclose(pick[["q10", "q50", "q90"]].to_numpy()[0], result.quantiles("villages_connected")[:, -1])


def test_villages_dataframe(result: SimulationResult) -> None:
    pytest.importorskip("pandas")
    df = result.villages_dataframe()
    assert df.index.name == "code"
    assert df.index.tolist() == result.village_codes.tolist()
    assert df.shape == (40, 2 + 3 * len(result.service_ids))
    sid = result.service_ids[0]
    np.testing.assert_array_equal(df[f"mean_final_fraction:{sid}"].to_numpy(), result.mean_final_fraction[0])
    np.testing.assert_array_equal(df["p_connected"].to_numpy(), result.p_connected)


def test_to_xarray(result: SimulationResult) -> None:
    pytest.importorskip("xarray")
    ds = result.to_xarray()
    assert dict(ds.sizes) == {
        "run": RUNS,
        "metric": len(result.metric_names),
        "time": HORIZON,
        "draw": len(result.draw_names),
        "year": 3,
        "status": 5,
    }
    assert ds["monthly"].dims == ("run", "metric", "time")
    assert ds["time"].dtype == np.dtype("datetime64[ns]")
    assert str(ds["time"].values[0])[:10] == f"{result.month_labels[0]}-01"
    assert ds["month_label"].values.tolist() == list(result.month_labels)
    assert ds["metric"].values.tolist() == list(result.metric_names)
    assert ds["year"].values.tolist() == [2016, 2017, 2018]
    assert ds["status"].values.tolist() == [s.value for s in IDMStatus]
    np.testing.assert_array_equal(ds["monthly"].sel(metric="adopters").values, result.metric("adopters"))
    np.testing.assert_array_equal(ds["draws"].values, result.draws)
    # One variable per metric, with its unit, name and stock/flow flag from the metric table.
    for metric in result.metrics:
        var = ds[metric.name.replace(":", "__")]
        assert var.dims == ("run", "time")
        assert var.attrs["units"] == metric.unit
        assert var.attrs["long_name"] == metric.description
        assert var.attrs["kind"] == metric.kind
        np.testing.assert_array_equal(var.values, result.metric(metric.name))
    assert ds["capex"].attrs["kind"] == "flow"
    assert ds["villages_connected"].attrs["kind"] == "stock"
    assert ds.attrs["scenario"] == "Results test"
    assert ds.attrs["seed_entropy"] == "12"


def test_equality_compares_arrays(result: SimulationResult) -> None:
    same = attrs.evolve(result, monthly=result.monthly.copy())
    assert same == result
    changed = result.monthly.copy()
    changed[3, 0, 5] += 1
    assert attrs.evolve(result, monthly=changed) != result
    assert attrs.evolve(result, prepared=None) == result  # the prepared scenario is not compared


def test_collector_refuses_runs_out_of_order(result: SimulationResult) -> None:
    from smartkampung.sim.run import run_one

    assert result.prepared is not None
    root = np.random.SeedSequence(12)
    collector = SimulationResult.collector(
        result.prepared, runs=2, root=root, keep_trajectories=False, quantile_levels=(0.5,)
    )
    with pytest.raises(RuntimeError, match="out of order"):
        collector.add(run_one(result.prepared, 1, root))
    collector.add(run_one(result.prepared, 0, root))
    with pytest.raises(RuntimeError, match="only 1 of 2"):
        collector.result()
