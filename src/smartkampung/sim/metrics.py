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

Money metrics (``capex``, ``opex``, ``cumulative_cost``, ``travel_cost_saved``,
``time_value_saved``, the cost ratios) are in the programme's currency:
:func:`metric_table` writes their units with its ISO 4217 code
(``PHP/month``). Their old names, ending in ``_idr``, are still looked up
(:func:`lookup`) until the next release, with a :class:`DeprecationWarning`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal, NamedTuple

from smartkampung._deprecation import current_name
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
        Unit of the monthly value, e.g. ``"villages"``, ``"PHP"``, ``"IDR/month"``.
    kind : {"stock", "flow", "ratio"}
        Level at the end of the month, amount during it, or a ratio of stocks.
    description : str
        What it is, in a few words (xarray ``long_name``).
    currency : str
        For an amount of money, the ISO 4217 code its unit starts with (the
        programme's currency); ``""`` for any other metric.
    """

    name: str
    unit: str
    kind: MetricKind
    description: str
    currency: str = ""

    @property
    def is_money(self) -> bool:
        """Whether the metric is an amount of money (in :attr:`currency`)."""
        return bool(self.currency)

    def in_currency(self, code: str) -> Metric:
        """The same metric with its unit written in another currency (a relabelling: no conversion)."""
        if not self.currency:
            return self
        return self._replace(unit=code + self.unit[len(self.currency) :], currency=code)

    @property
    def summary_unit(self) -> str:
        """Unit of the metric in a summary: a flow is summed over the horizon, so its per-month unit goes."""
        return self.unit.removesuffix("/month") if self.kind == "flow" else self.unit


#: The core metrics; money metrics are written in IDR here and take the programme's currency in
#: :func:`metric_table`.
_CORE: Final[tuple[Metric, ...]] = (
    Metric("villages_connected", "villages", "stock", "villages connected"),
    Metric("households_connected", "households", "stock", "households in connected villages"),
    Metric("people_connected", "people", "stock", "people in connected villages"),
    Metric("capex", "IDR/month", "flow", "capital spent in the month", "IDR"),
    Metric("opex", "IDR/month", "flow", "running cost of the connected villages in the month", "IDR"),
    Metric("cumulative_cost", "IDR", "stock", "capital and running cost since the start", "IDR"),
    Metric("adopters", "household-services", "stock", "households using a service, summed over services"),
    Metric("transactions", "transactions/month", "flow", "services used at the village office in the month"),
    Metric("hours_saved", "hours/month", "flow", "travel time saved in the month"),
    Metric("travel_cost_saved", "IDR/month", "flow", "travel cost saved in the month", "IDR"),
    Metric("time_value_saved", "IDR/month", "flow", "value of the travel time saved in the month", "IDR"),
    Metric(
        "cost_per_connected_household",
        "IDR/household",
        "ratio",
        "cumulative cost per connected household (undefined before any is connected)",
        "IDR",
    ),
    Metric(
        "cost_per_transaction",
        "IDR/transaction",
        "ratio",
        "cumulative cost per transaction since the start (undefined before the first)",
        "IDR",
    ),
)

#: Order of the summary: the stocks and ratios shown at the last month, then the flows summed.
_SUMMARY_STOCKS: Final[tuple[str, ...]] = (
    "villages_connected",
    "households_connected",
    "people_connected",
    "adopters",
    "cumulative_cost",
    "cost_per_connected_household",
    "cost_per_transaction",
)
_SUMMARY_FLOWS: Final[tuple[str, ...]] = ("hours_saved", "travel_cost_saved", "time_value_saved", "transactions")


def metric_table(
    service_ids: Sequence[str], pillar_ids: Sequence[str], village_kinds: Sequence[str] = (), *, currency: str = "IDR"
) -> tuple[Metric, ...]:
    """The metrics of a programme with these services and pillars, in row order.

    The core metrics (with ``villages_connected:<kind>`` for each village kind
    present, right after ``villages_connected``), then adopters and
    transactions per service and per pillar (``adopters:<service>``,
    ``transactions:<service>``, ``adopters_pillar:<pillar>``,
    ``transactions_pillar:<pillar>``). Money metrics have their unit in
    ``currency``, the programme's ISO 4217 code (``"PHP/month"``).
    """
    table = [m.in_currency(currency) for m in _CORE]
    table[1:1] = [Metric(f"villages_connected:{k}", "villages", "stock", f"{k} connected") for k in village_kinds]
    table += [Metric(f"adopters:{s}", "households", "stock", f"households using {s}") for s in service_ids]
    table += [
        Metric(f"transactions:{s}", "transactions/month", "flow", f"uses of {s} in the month") for s in service_ids
    ]
    table += [
        Metric(f"adopters_pillar:{p}", "household-services", "stock", f"adopters of the services of pillar {p}")
        for p in pillar_ids
    ]
    table += [
        Metric(
            f"transactions_pillar:{p}", "transactions/month", "flow", f"uses of the services of pillar {p} in the month"
        )
        for p in pillar_ids
    ]
    return tuple(table)


def summary_metrics(table: Sequence[Metric]) -> tuple[tuple[Metric, ...], tuple[Metric, ...]]:
    """The headline metrics of a table: (stocks and ratios shown at the last month, flows summed)."""
    by_name = {m.name: m for m in table}
    return (
        tuple(by_name[n] for n in _SUMMARY_STOCKS if n in by_name),
        tuple(by_name[n] for n in _SUMMARY_FLOWS if n in by_name),
    )


def lookup(table: Sequence[Metric], name: str, function: str) -> int:
    """Row of a metric in a table; a clear error naming the known metrics otherwise.

    A metric's old name (``capex_idr``) finds it too, with a :class:`DeprecationWarning`.
    """
    name = current_name(name, [m.name for m in table], "metric", function)
    for row, metric in enumerate(table):
        if metric.name == name:
            return row
    raise ParameterError(
        "name", f"unknown metric {name!r}; known: {', '.join(m.name for m in table)}", function=function
    )
