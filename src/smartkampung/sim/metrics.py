"""The monthly metrics of a run: one table of names, units and kinds.

Every monthly number a simulation reports is a row of this table. The run
fills its rows (:mod:`smartkampung.sim.run`), and the result reads it for
summaries, CSV headers, pandas and xarray attributes
(:mod:`smartkampung.sim.results`), so a metric's unit is written once.

A *stock* is a level at the end of a month (villages connected, adopters,
cumulative cost); a *flow* is an amount during the month (capital spent,
transactions, hours saved), summed over the horizon in summaries; a *ratio*
is a stock over a stock, undefined (NaN, written as an empty cell) while its
denominator is 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal, NamedTuple

from smartkampung._errors import ParameterError

__all__ = ["Metric", "MetricKind", "lookup", "metric_table", "summary_metrics"]

MetricKind = Literal["stock", "flow", "ratio"]


class Metric(NamedTuple):
    """One monthly metric.

    Attributes
    ----------
    name : str
        Row name, e.g. ``"villages_connected"`` or ``"adopters:e_learning"``.
    unit : str
        Unit of the monthly value, e.g. ``"villages"``, ``"IDR"``, ``"h/month"``.
    kind : {"stock", "flow", "ratio"}
        Level at the end of the month, amount during it, or a ratio of stocks.
    description : str
        What it is, in a few words (xarray ``long_name``).
    """

    name: str
    unit: str
    kind: MetricKind
    description: str

    @property
    def summary_unit(self) -> str:
        """Unit of the metric in a summary: a flow is summed over the horizon, so its per-month unit goes."""
        return self.unit.removesuffix("/month") if self.kind == "flow" else self.unit


_CORE: Final[tuple[Metric, ...]] = (
    Metric("villages_connected", "villages", "stock", "villages connected"),
    Metric("households_connected", "households", "stock", "households in connected villages"),
    Metric("people_connected", "people", "stock", "people in connected villages"),
    Metric("capex_idr", "IDR/month", "flow", "capital spent in the month"),
    Metric("opex_idr", "IDR/month", "flow", "running cost of the connected villages in the month"),
    Metric("cumulative_cost_idr", "IDR", "stock", "capital and running cost since the start"),
    Metric("adopters", "household-services", "stock", "households using a service, summed over services"),
    Metric("transactions", "transactions/month", "flow", "services used at the village office in the month"),
    Metric("hours_saved", "hours/month", "flow", "travel time saved in the month"),
    Metric("travel_cost_saved_idr", "IDR/month", "flow", "travel cost saved in the month"),
    Metric("time_value_saved_idr", "IDR/month", "flow", "value of the travel time saved in the month"),
    Metric("cost_per_connected_household_idr", "IDR/household", "ratio",
           "cumulative cost per connected household (undefined before any is connected)"),
    Metric("cost_per_transaction_idr", "IDR/transaction", "ratio",
           "cumulative cost per transaction since the start (undefined before the first)"),
)

#: Order of the summary: the stocks and ratios shown at the last month, then the flows summed.
_SUMMARY_STOCKS: Final[tuple[str, ...]] = (
    "villages_connected", "households_connected", "people_connected", "adopters", "cumulative_cost_idr",
    "cost_per_connected_household_idr", "cost_per_transaction_idr",
)
_SUMMARY_FLOWS: Final[tuple[str, ...]] = ("hours_saved", "travel_cost_saved_idr", "time_value_saved_idr",
                                          "transactions")


def metric_table(service_ids: Sequence[str], pillar_ids: Sequence[str],
                 village_kinds: Sequence[str] = ()) -> tuple[Metric, ...]:
    """The metrics of a programme with these services and pillars, in row order.

    The core metrics (with ``villages_connected:<kind>`` for each village kind
    present, right after ``villages_connected``), then adopters and
    transactions per service and per pillar (``adopters:<service>``,
    ``transactions:<service>``, ``adopters_pillar:<pillar>``,
    ``transactions_pillar:<pillar>``).
    """
    table = list(_CORE)
    table[1:1] = [Metric(f"villages_connected:{k}", "villages", "stock", f"{k} connected") for k in village_kinds]
    table += [Metric(f"adopters:{s}", "households", "stock", f"households using {s}") for s in service_ids]
    table += [Metric(f"transactions:{s}", "transactions/month", "flow", f"uses of {s} in the month")
              for s in service_ids]
    table += [Metric(f"adopters_pillar:{p}", "household-services", "stock", f"adopters of the services of pillar {p}")
              for p in pillar_ids]
    table += [Metric(f"transactions_pillar:{p}", "transactions/month", "flow",
                     f"uses of the services of pillar {p} in the month") for p in pillar_ids]
    return tuple(table)


def summary_metrics(table: Sequence[Metric]) -> tuple[tuple[Metric, ...], tuple[Metric, ...]]:
    """The headline metrics of a table: (stocks and ratios shown at the last month, flows summed)."""
    by_name = {m.name: m for m in table}
    return (tuple(by_name[n] for n in _SUMMARY_STOCKS if n in by_name),
            tuple(by_name[n] for n in _SUMMARY_FLOWS if n in by_name))


def lookup(table: Sequence[Metric], name: str, function: str) -> int:
    """Row of a metric in a table; a clear error naming the known metrics otherwise."""
    for row, metric in enumerate(table):
        if metric.name == name:
            return row
    raise ParameterError("name", f"unknown metric {name!r}; known: {', '.join(m.name for m in table)}",
                         function=function)
