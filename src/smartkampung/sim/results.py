"""Results of an ensemble: arrays with labels, quantiles, tables for pandas and xarray.

The *reduce* step of the pipeline lives here too: :class:`Reducer` folds run
outputs into a :class:`SimulationResult` in run order as they arrive (so
floating-point sums are bit-identical however the runs were spread over
workers). :class:`Comparison` holds several scenarios run on common random
numbers. pandas and xarray are optional: they are imported only by the
methods that return their objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung._arrays import ARRAY_EQ_NAN, readonly_view
from smartkampung._errors import ParameterError
from smartkampung.model import IDMStatus
from smartkampung.sim import metrics as _metrics
from smartkampung.sim._reducer import RunAccumulator
from smartkampung.sim.metrics import Metric, metric_table
from smartkampung.sim.run import PreparedScenario

__all__ = ["CUMULATIVE_METRICS", "HEADLINE_METRICS", "Comparison", "Reducer", "SimulationResult"]

_STOCKS, _FLOWS = _metrics.summary_metrics(metric_table((), ()))
_IDM_STATUS_NAMES: tuple[str, ...] = tuple(s.value for s in IDMStatus)
#: Metrics shown in summaries: stocks and ratios at the last month, and the flows.
HEADLINE_METRICS: tuple[str, ...] = (*(m.name for m in _STOCKS[:4]), "transactions", *(m.name for m in _STOCKS[4:]))
#: Metrics summed over the horizon in summaries (flows rather than stocks).
CUMULATIVE_METRICS: tuple[str, ...] = tuple(m.name for m in _FLOWS)

# Arrays are read-only views: a frozen result cannot be changed through them.
_arr: Any = attrs.field(eq=ARRAY_EQ_NAN, repr=False, converter=readonly_view)


@attrs.frozen(kw_only=True, repr=False)
class SimulationResult:
    """Outcomes of an ensemble, per run and month, with per-village summaries.

    Attributes
    ----------
    scenario_name : str
    runs : int
    seed_entropy : int or tuple of int
        Root entropy: ``simulate(..., rng=SeedSequence(seed_entropy))`` reproduces it.
    seed_spawn_key : tuple of int
        Spawn key of the root seed (empty unless the root was itself spawned).
    backend : str
        Adoption kernel that made the runs (``"numpy"``, the reference, or
        ``"numba"``): one seed gives one result per backend.
    metric_names : tuple of str
        Rows of :attr:`monthly`. Stocks (``villages_connected``, ``adopters``,
        ``adopters:<service>``, ``adopters_pillar:<pillar>``,
        ``cumulative_cost``, cost ratios) and monthly flows
        (``capex``, ``opex``, ``transactions``, ``hours_saved``,
        ``travel_cost_saved``, ``time_value_saved``). Units (:attr:`metrics`):
        villages, households, people, transactions per month, hours per
        month, and money in :attr:`currency`. A metric's old name
        (``capex_idr``, ``cumulative_cost_idr``, ...) is still found by
        :meth:`metric` and the other look-ups until the next release, with a
        :class:`DeprecationWarning`.
    month_labels : tuple of str
        Calendar month (``YYYY-MM``) of each month of the horizon.
    monthly : ndarray of float64, shape (runs, n_metrics, n_months)
    draw_names : tuple of str
    draws : ndarray of float64, shape (runs, n_draws)
        The drawn uncertain assumptions per run.
    year_labels : tuple of int
        IDM years of :attr:`idm_counts` (IDM *Y* is the ministry's IDM *Y*
        release, scored from the state at the data cut-off of year *Y*): the
        observed year first (its counts are the drawn starting state, which
        reproduces the observed counts), then each projected year. Empty
        when the scenario projects no IDM for its region (see
        :attr:`has_idm`).
    idm_counts : ndarray of int64, shape (runs, n_years, n_statuses)
        Desa in each status (IDM: Sangat Tertinggal … Mandiri) in each IDM
        year; shape (runs, 0, 5) without IDM.
    idm_status_names : tuple of str
        The statuses along the last axis of :attr:`idm_counts`, as written
        in tables (IDM: ``"sangat_tertinggal"`` … ``"mandiri"``).
    idm_index_name : str
        Name of the index projected (``"IDM"``, or a country's own).
    village_codes : ndarray of str, shape (n_villages,)
    service_ids : tuple of str
    p_connected : ndarray of float64, shape (n_villages,)
        Share of runs in which the village is connected within the horizon.
    mean_connection_month : ndarray of float64, shape (n_villages,)
        Mean connection month over the runs that connect it; NaN if none. [month]
    p_half_adoption : ndarray of float64, shape (n_services, n_villages)
        Share of runs in which half the market adopts within the horizon.
    mean_half_adoption_month : ndarray of float64, shape (n_services, n_villages)
        Mean month of half adoption over the runs that reach it. [month]
    mean_final_fraction : ndarray of float64, shape (n_services, n_villages)
        Mean share of the market adopting at the horizon.
    trajectories : ndarray, shape (runs, n_services, n_months, n_villages), optional
        Adopters per run, service, month and village (only when asked for).
    quantile_levels : tuple of float
        Default quantiles of the summaries.
    prepared : PreparedScenario
        The prepared scenario (region, network plan); not compared.
    currency : str
        ISO 4217 code of every money metric: the scenario's
        (:attr:`Scenario.currency <smartkampung.model.Scenario.currency>`).
    """

    scenario_name: str
    runs: int
    seed_entropy: int | tuple[int, ...]
    seed_spawn_key: tuple[int, ...] = ()
    backend: str = "numpy"
    metric_names: tuple[str, ...] = attrs.field(repr=False)
    month_labels: tuple[str, ...] = attrs.field(repr=False)
    monthly: NDArray[np.float64] = _arr
    draw_names: tuple[str, ...] = ()
    draws: NDArray[np.float64] = _arr
    year_labels: tuple[int, ...] = attrs.field(default=(), repr=False)
    idm_counts: NDArray[np.int64] = _arr
    idm_status_names: tuple[str, ...] = attrs.field(default=_IDM_STATUS_NAMES, repr=False)
    idm_index_name: str = attrs.field(default="IDM", repr=False)
    village_codes: NDArray[np.str_] = _arr
    service_ids: tuple[str, ...] = attrs.field(default=(), repr=False)
    p_connected: NDArray[np.float64] = _arr
    mean_connection_month: NDArray[np.float64] = _arr
    p_half_adoption: NDArray[np.float64] = _arr
    mean_half_adoption_month: NDArray[np.float64] = _arr
    mean_final_fraction: NDArray[np.float64] = _arr
    trajectories: NDArray[Any] | None = attrs.field(default=None, eq=ARRAY_EQ_NAN, repr=False, converter=readonly_view)
    quantile_levels: tuple[float, ...] = (0.1, 0.5, 0.9)
    prepared: PreparedScenario | None = attrs.field(default=None, eq=False, repr=False)
    currency: str = attrs.field(default="IDR", repr=False)

    def __repr__(self) -> str:
        return (
            f"SimulationResult({self.scenario_name!r}, runs={self.runs}, months={self.n_months} "
            f"({self.month_labels[0] if self.month_labels else '-'} to "
            f"{self.month_labels[-1] if self.month_labels else '-'}), villages={self.village_codes.shape[0]}, "
            f"services={len(self.service_ids)}, metrics={len(self.metric_names)}, "
            f"seed_entropy={self.seed_entropy!r}"
            f"{'' if self.backend == 'numpy' else f', backend={self.backend!r}'})"
        )

    # ------------------------------------------------------------ access
    @property
    def n_months(self) -> int:
        """Horizon. [months]"""
        return len(self.month_labels)

    @property
    def metrics(self) -> tuple[Metric, ...]:
        """The metric table (name, unit, kind, description) of :attr:`metric_names`, money in :attr:`currency`."""
        return metric_table(
            self.service_ids, _pillars(self.metric_names), _kinds(self.metric_names), currency=self.currency
        )

    def metric_info(self, name: str) -> Metric:
        """Unit, kind and description of one metric."""
        return self.metrics[_metrics.lookup(self.metrics, name, "SimulationResult.metric_info")]

    def metric(self, name: str) -> NDArray[np.float64]:
        """One metric for every run and month, shape (runs, n_months)."""
        row = _metrics.lookup(self.metrics, name, "SimulationResult.metric")
        values: NDArray[np.float64] = self.monthly[:, row, :]
        return values

    def quantiles(self, name: str, q: Sequence[float] | None = None) -> NDArray[np.float64]:
        """Quantiles over runs of a metric per month, shape (len(q), n_months)."""
        levels = self._levels(q)
        return np.asarray(np.quantile(self.metric(name), levels, axis=0))

    def total(self, name: str) -> NDArray[np.float64]:
        """A flow metric summed over the horizon, per run, shape (runs,)."""
        return np.asarray(self.metric(name).sum(axis=1))

    @property
    def has_idm(self) -> bool:
        """Whether the result holds an IDM projection (an observed state, desa, IDM years in the horizon)."""
        return len(self.year_labels) > 0

    def idm_quantiles(self, q: Sequence[float] | None = None) -> NDArray[np.float64]:
        """Quantiles over runs of the desa count per status and IDM year, shape (len(q), n_years, n_statuses).

        E.g. ``idm_quantiles((0.1, 0.5, 0.9))[:, year_labels.index(2024), 4]``
        is the 10 %, 50 % and 90 % quantiles of the number of Mandiri desa in
        IDM 2024. Empty years axis without IDM.
        """
        levels = self._levels(q)
        if not self.has_idm:
            return np.zeros((len(levels), 0, self.idm_counts.shape[-1]))
        return np.asarray(np.quantile(self.idm_counts, levels, axis=0))

    @property
    def idm_status_labels(self) -> tuple[str, ...]:
        """Display labels of the statuses (IDM: ``"Desa Sangat Tertinggal"`` … ``"Desa Mandiri"``)."""
        if self.idm_status_names == _IDM_STATUS_NAMES:
            return tuple(s.label for s in IDMStatus)
        return self.idm_status_names

    @property
    def idm_unit(self) -> str:
        """What :attr:`idm_counts` counts: ``"desa"`` for IDM, ``"villages"`` for a country's own index."""
        return "desa" if self.idm_status_names == _IDM_STATUS_NAMES else "villages"

    def _levels(self, q: Sequence[float] | None) -> tuple[float, ...]:
        levels = self.quantile_levels if q is None else tuple(float(x) for x in q)
        if not levels or any(not 0 <= x <= 1 for x in levels):
            raise ParameterError(
                "q", f"must be probabilities in [0, 1], got {levels}", function="SimulationResult.quantiles"
            )
        return levels

    def summary_rows(self, q: Sequence[float] | None = None) -> list[tuple[str, str, tuple[float, ...]]]:
        """Headline outcomes with their quantiles: ``(label, unit, values)`` rows.

        Stocks at the last month, flows summed over the horizon, and, when
        there is an IDM projection, the desa per status in its last year.
        """
        levels = self._levels(q)
        rows: list[tuple[str, str, tuple[float, ...]]] = []
        end = self.month_labels[-1]
        stocks, flows = _metrics.summary_metrics(self.metrics)
        for m in stocks:
            values = np.quantile(self.metric(m.name)[:, -1], levels)
            rows.append((f"{m.name} ({end})", m.summary_unit, tuple(float(v) for v in values)))
        for m in flows:
            values = np.quantile(self.total(m.name), levels)
            rows.append((f"{m.name} (total to {end})", m.summary_unit, tuple(float(v) for v in values)))
        if self.has_idm:
            last = np.quantile(self.idm_counts[:, -1, :], levels, axis=0)
            prefix = "desa" if self.idm_unit == "desa" else self.idm_index_name
            for code, label in enumerate(self.idm_status_labels):
                rows.append(
                    (
                        f"{prefix} {label} ({self.year_labels[-1]})",
                        self.idm_unit,
                        tuple(float(v) for v in last[:, code]),
                    )
                )
        return rows

    def summary(self, q: Sequence[float] | None = None) -> str:
        """A plain-text table of :meth:`summary_rows`."""
        levels = self._levels(q)
        rows = self.summary_rows(levels)
        head = ["outcome", "unit", *[f"q{round(x * 100):02d}" for x in levels]]
        body = [[label, unit, *[_fmt(v) for v in values]] for label, unit, values in rows]
        widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
        lines = [
            f"{self.scenario_name}: {self.runs} runs, seed entropy {self.seed_entropy}, {self.backend} backend",
            "  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths, strict=True))),
        ]
        lines += [
            "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
            for r in body
        ]
        return "\n".join(lines)

    # ------------------------------------------------------------ tables
    def monthly_quantile_table(self, q: Sequence[float] | None = None) -> tuple[list[str], list[list[Any]]]:
        """Header and rows (month, metric, quantiles...) without pandas."""
        levels = self._levels(q)
        header = ["month", "metric", *[f"q{round(x * 100):02d}" for x in levels]]
        qs = np.quantile(self.monthly, levels, axis=0)  # (nq, n_metrics, n_months)
        rows = [
            [self.month_labels[t], name, *[float(qs[k, m, t]) for k in range(len(levels))]]
            for m, name in enumerate(self.metric_names)
            for t in range(self.n_months)
        ]
        return header, rows

    def idm_table(self, q: Sequence[float] | None = None) -> tuple[list[str], list[list[Any]]]:
        """Header and rows (IDM year, status, quantiles of the desa count) without pandas; no rows without IDM."""
        levels = self._levels(q)
        header = ["year", "status", *[f"q{round(x * 100):02d}" for x in levels]]
        qs = self.idm_quantiles(levels)  # (nq, n_years, n_statuses)
        rows = [
            [year, name, *[float(qs[k, y, code]) for k in range(len(levels))]]
            for y, year in enumerate(self.year_labels)
            for code, name in enumerate(self.idm_status_names)
        ]
        return header, rows

    def village_table(self) -> tuple[list[str], list[list[Any]]]:
        """Header and rows of per-village summaries without pandas."""
        header = ["code", "p_connected", "mean_connection_month"]
        for sid in self.service_ids:
            header += [f"p_half_adoption:{sid}", f"mean_half_adoption_month:{sid}", f"mean_final_fraction:{sid}"]
        rows = []
        for i, code in enumerate(self.village_codes.tolist()):
            row: list[Any] = [code, float(self.p_connected[i]), float(self.mean_connection_month[i])]
            for s in range(len(self.service_ids)):
                row += [
                    float(self.p_half_adoption[s, i]),
                    float(self.mean_half_adoption_month[s, i]),
                    float(self.mean_final_fraction[s, i]),
                ]
            rows.append(row)
        return header, rows

    def to_dataframe(self) -> Any:
        """Long-format pandas DataFrame indexed by ``(time, run, metric)``, with a ``value`` column. Needs pandas.

        ``time`` is the calendar month as a ``datetime64[ns]`` (the first of
        the month), so the frame resamples and plots as a time series; the
        ``month`` column keeps the ``YYYY-MM`` label. ``df.attrs["units"]``
        maps each metric to its unit (money in :attr:`currency`, also
        ``df.attrs["currency"]``) and ``df.attrs["kinds"]`` to stock, flow
        or ratio.
        """
        import pandas as pd

        runs, n_metrics, n_months = self.monthly.shape
        time = self.time_index()
        frame = pd.DataFrame(
            {
                "time": np.tile(time, runs * n_metrics),
                "run": np.repeat(np.arange(runs), n_metrics * n_months),
                "metric": np.tile(np.repeat(np.array(self.metric_names), n_months), runs),
                "month": np.tile(np.array(self.month_labels), runs * n_metrics),
                "value": self.monthly.reshape(-1),
            }
        ).set_index(["time", "run", "metric"])
        frame.attrs["units"] = {m.name: m.unit for m in self.metrics}
        frame.attrs["kinds"] = {m.name: m.kind for m in self.metrics}
        frame.attrs["currency"] = self.currency
        return frame

    def time_index(self) -> NDArray[np.datetime64]:
        """The first day of each month of the horizon, shape (n_months,), ``datetime64[ns]``."""
        return np.array([f"{label}-01" for label in self.month_labels], dtype="datetime64[D]").astype("datetime64[ns]")

    def csv_header(self, header: Sequence[str], currency: str | None = None) -> list[str]:
        """CSV column names that carry their unit: ``villages_connected [villages]``, ``capex [PHP/month]``.

        Parameters
        ----------
        header : sequence of str
            Column names of :meth:`village_table`, :meth:`monthly_quantile_table`
            or a CSV built from them; a metric name gets its unit from the
            metric table, per-village columns theirs (``mean_connection_month
            [month]``, ``p_connected [0-1]``, ``capex [PHP]``); other
            names (``code``, ``month``, ``q50``) stay as they are.
        currency : str, optional
            ISO 4217 code of the money columns. Default: :attr:`currency`,
            the scenario's.

        Returns
        -------
        list of str
        """
        code = self.currency if currency is None else currency
        units = {m.name: m.in_currency(code).unit for m in self.metrics}
        out = []
        for name in header:
            base = name.split(":", 1)[0]
            # A per-village column's own unit first: the plan's "capex" per village, not the monthly metric.
            unit = _COLUMN_UNITS.get(name) or units.get(name) or _COLUMN_UNITS.get(base)
            out.append(f"{name} [{unit.replace(_MONEY, code)}]" if unit else name)
        return out

    def quantile_dataframe(self, q: Sequence[float] | None = None) -> Any:
        """Monthly quantiles as a pandas DataFrame (month, metric, q10, q50, ...). Needs pandas."""
        import pandas as pd

        header, rows = self.monthly_quantile_table(q)
        return pd.DataFrame(rows, columns=header)

    def villages_dataframe(self) -> Any:
        """Per-village summaries as a pandas DataFrame indexed by village code. Needs pandas."""
        import pandas as pd

        header, rows = self.village_table()
        return pd.DataFrame(rows, columns=header).set_index("code")

    def to_xarray(self) -> Any:
        """An xarray Dataset: one variable per metric over ``(run, time)``, draws, IDM counts. Needs xarray.

        ``time`` holds ``datetime64[ns]`` months (the first day of each; the
        ``month_label`` coordinate keeps ``YYYY-MM``). Every metric variable
        has the attributes ``units``, ``long_name`` and ``kind`` (``stock``,
        ``flow`` or ``ratio``) from :mod:`smartkampung.sim.metrics` (money
        in :attr:`currency`, also ``attrs["currency"]``); a name
        with ``:`` (``adopters:e_learning``) is written with ``__``
        (``adopters__e_learning``), its original in ``attrs["metric"]``.
        ``monthly`` keeps the whole block over ``(run, metric, time)``.
        """
        import xarray as xr

        time = self.time_index()
        variables: dict[str, Any] = {
            "monthly": (("run", "metric", "time"), self.monthly, {"long_name": "every monthly metric"}),
            "draws": (("run", "draw"), self.draws, {"long_name": "drawn uncertain assumptions per run"}),
            "idm_counts": (
                ("run", "year", "status"),
                self.idm_counts,
                {"long_name": "desa per IDM status in December", "units": "desa", "kind": "stock"},
            ),
        }
        for row, m in enumerate(self.metrics):
            variables[m.name.replace(":", "__")] = (
                ("run", "time"),
                self.monthly[:, row, :],
                {"units": m.unit, "long_name": m.description, "kind": m.kind, "metric": m.name},
            )
        return xr.Dataset(
            variables,
            coords={
                "run": np.arange(self.runs),
                "time": time,
                "month_label": ("time", list(self.month_labels)),
                "metric": list(self.metric_names),
                "metric_unit": ("metric", [m.unit for m in self.metrics]),
                "metric_kind": ("metric", [m.kind for m in self.metrics]),
                "draw": list(self.draw_names),
                "year": list(self.year_labels),
                "status": list(self.idm_status_names),
            },
            attrs={
                "scenario": self.scenario_name,
                "seed_entropy": str(self.seed_entropy),
                "runs": self.runs,
                "backend": self.backend,
                "currency": self.currency,
            },
        )

    # ------------------------------------------------------------ building
    @classmethod
    def collector(
        cls,
        prepared: PreparedScenario,
        *,
        runs: int,
        root: np.random.SeedSequence,
        keep_trajectories: bool,
        quantile_levels: tuple[float, ...],
        backend: str = "numpy",
    ) -> Reducer:
        """A reducer that takes run outputs in run order and builds the result."""
        return Reducer(prepared, runs, root, keep_trajectories, quantile_levels, backend)


@attrs.frozen
class Comparison:
    """Several scenarios run on common random numbers.

    Attributes
    ----------
    results : tuple of SimulationResult
        One per scenario, in the order given; run *r* of every scenario used
        the same random streams.
    """

    results: tuple[SimulationResult, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Scenario names."""
        return tuple(r.scenario_name for r in self.results)

    def summary(self, q: Sequence[float] | None = None) -> str:
        """The headline outcomes of every scenario, one plain-text table after another."""
        return "\n\n".join(r.summary(q) for r in self.results)

    def rows(self, q: Sequence[float] | None = None) -> tuple[list[str], list[list[Any]]]:
        """Header and rows (scenario, outcome, unit, quantiles...) of the headline outcomes."""
        levels = tuple(self.results[0].quantile_levels if q is None else q)
        header = ["scenario", "outcome", "unit", *[f"q{round(x * 100):02d}" for x in levels]]
        rows = [
            [r.scenario_name, label, unit, *values]
            for r in self.results
            for label, unit, values in r.summary_rows(levels)
        ]
        return header, rows

    def to_dataframe(self, q: Sequence[float] | None = None) -> Any:
        """The headline outcomes with uncertainty bands as a pandas DataFrame. Needs pandas."""
        import pandas as pd

        header, rows = self.rows(q)
        return pd.DataFrame(rows, columns=header)

    def difference(self, name: str, a: int = 1, b: int = 0) -> NDArray[np.float64]:
        """Per-run difference of a metric between scenario ``a`` and ``b``, shape (runs, n_months).

        Common random numbers make this paired difference far less noisy
        than the difference of two independent ensembles.
        """
        n = len(self.results)
        for label, index in (("a", a), ("b", b)):
            if not -n <= index < n:
                raise ParameterError(label, f"must index one of the {n} scenarios", function="Comparison.difference")
        first, second = self.results[a].metric(name), self.results[b].metric(name)
        if first.shape != second.shape:
            raise ParameterError(
                "b",
                f"scenarios {a} and {b} differ in runs or horizon ({first.shape} vs {second.shape})",
                function="Comparison.difference",
            )
        return first - second


#: Stands for the currency in :data:`_COLUMN_UNITS`.
_MONEY = "{currency}"
#: Units of the per-village and table columns that are not metrics (money in the result's currency).
_COLUMN_UNITS: dict[str, str] = {
    "p_connected": "0-1",
    "mean_connection_month": "month",
    "p_half_adoption": "0-1",
    "mean_half_adoption_month": "month",
    "mean_final_fraction": "0-1",
    "population": "people",
    "households": "households",
    "link_km": "km",
    "water_km": "km",
    "capex": _MONEY,
    "opex_per_year": f"{_MONEY}/year",
    "connection_month": "month",
    "budget": _MONEY,
    "spend": _MONEY,
    "km_built": "km",
}


def _fmt(value: float) -> str:
    if not np.isfinite(value):
        return "nan"
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.2f} bn"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} M"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _pillars(metric_names: Sequence[str]) -> list[str]:
    return [name.split(":", 1)[1] for name in metric_names if name.startswith("adopters_pillar:")]


def _kinds(metric_names: Sequence[str]) -> list[str]:
    return [name.split(":", 1)[1] for name in metric_names if name.startswith("villages_connected:")]


class Reducer(RunAccumulator):
    """The reduce step: folds run outputs, in run order, into the arrays of a :class:`SimulationResult`.

    The folding is :class:`~smartkampung.sim._reducer.RunAccumulator`'s; this
    class builds the result from its sums.
    """

    def result(self) -> SimulationResult:
        if self.next_index != self.runs:
            raise RuntimeError(f"only {self.next_index} of {self.runs} runs were collected")
        sc = self.prepared.scenario
        idm = self.prepared.idm
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_conn = np.where(self.n_connected > 0, self.sum_connection_month / self.n_connected, np.nan)
            mean_half = np.where(self.n_half > 0, self.sum_half_month / self.n_half, np.nan)
        entropy = self.root.entropy
        return SimulationResult(
            scenario_name=sc.name,
            runs=self.runs,
            seed_entropy=int(entropy)
            if isinstance(entropy, (int, np.integer))
            else tuple(int(x) for x in (entropy or ())),
            seed_spawn_key=tuple(int(k) for k in self.root.spawn_key),
            backend=self.backend,
            metric_names=self.prepared.metric_names,
            month_labels=tuple(sc.month_label(m) for m in range(self.prepared.n_months)),
            monthly=self.monthly,
            draw_names=self.draw_names,
            draws=self.draws,
            year_labels=self.prepared.year_labels,
            idm_counts=self.idm_counts,
            idm_status_names=idm.status_names if idm is not None else _IDM_STATUS_NAMES,
            idm_index_name=idm.index.name if idm is not None else "IDM",
            village_codes=self.prepared.plan.columns.code,
            service_ids=tuple(s.id for s in sc.programme.services),
            p_connected=self.n_connected / self.runs,
            mean_connection_month=mean_conn,
            p_half_adoption=self.n_half / self.runs,
            mean_half_adoption_month=mean_half,
            mean_final_fraction=self.sum_final / self.runs,
            trajectories=self.trajectories,
            quantile_levels=self.quantile_levels,
            prepared=self.prepared,
            currency=sc.currency,
        )
