"""Headline outcomes in a language: the rows of the report's table and the plain-text summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from smartkampung._i18n import check_lang, label, metric_label, money, month_name, names_in, number, unit_label
from smartkampung.sim import metrics as _metrics
from smartkampung.sim.results import SimulationResult

__all__ = ["SummaryRow", "summary_rows", "summary_text"]


class SummaryRow(NamedTuple):
    """One headline outcome.

    Attributes
    ----------
    name : str
        Metric name (``villages_connected``) or ``idm:<status>``.
    label : str
        What it is, in the language asked for, with its month.
    unit : str
        Unit in that language (money in the programme's currency).
    values : tuple of float
        Quantiles over the runs, in the order asked for.
    money : bool
        Whether the values are amounts of money.
    """

    name: str
    label: str
    unit: str
    values: tuple[float, ...]
    money: bool


def summary_rows(
    result: SimulationResult, *, lang: str = "en", q: Sequence[float] | None = None, currency: str | None = None
) -> list[SummaryRow]:
    """The headline outcomes of a result with their quantiles, labelled in ``lang``.

    The same outcomes as :meth:`SimulationResult.summary_rows`: stocks at the
    last month, flows summed over the horizon, desa per IDM status in the
    last projected year (regions with scored desa only).
    """
    lang = check_lang(lang, "summary_rows")
    levels = tuple(result.quantile_levels if q is None else (float(x) for x in q))
    currency = currency or result.currency
    end = month_name(result.month_labels[-1], lang=lang)
    services: dict[str, str] = {}
    pillars: dict[str, str] = {}
    if result.prepared is not None:
        scenario = result.prepared.scenario
        services = names_in(scenario.programme.services, lang, scenario.region.country)
        pillars = names_in(scenario.programme.pillars, lang, scenario.region.country)
    rows: list[SummaryRow] = []
    stocks, flows = _metrics.summary_metrics(result.metrics)
    for m in stocks:
        values = np.quantile(result.metric(m.name)[:, -1], levels)
        rows.append(
            SummaryRow(
                m.name,
                f"{metric_label(m.name, lang, services=services, pillars=pillars)} "
                f"({label('at_end', lang, month=end)})",
                unit_label(m.in_currency(currency).summary_unit, lang, currency),
                tuple(float(v) for v in values),
                m.is_money,
            )
        )
    for m in flows:
        values = np.quantile(result.total(m.name), levels)
        rows.append(
            SummaryRow(
                m.name,
                f"{metric_label(m.name, lang, services=services, pillars=pillars)} "
                f"({label('total_to', lang, month=end)})",
                unit_label(m.in_currency(currency).summary_unit, lang, currency),
                tuple(float(v) for v in values),
                m.is_money,
            )
        )
    if result.year_labels and result.idm_counts.any():
        from smartkampung.model._idm import IDMStatus

        last = np.quantile(result.idm_counts[:, -1, :], levels, axis=0)
        for code, status in enumerate(IDMStatus):
            rows.append(
                SummaryRow(
                    f"idm:{status.value}",
                    f"{status.label} ({result.year_labels[-1]})",
                    "desa",
                    tuple(float(v) for v in last[:, code]),
                    False,
                )
            )
    return rows


#: Stocks that count whole things (villages, households, people, household-services).
_COUNTED_STOCKS: frozenset[str] = frozenset(
    {"villages_connected", "households_connected", "people_connected", "adopters", "adopters_pillar"}
)


def format_value(row: SummaryRow, value: float, lang: str, currency: str) -> str:
    """One value of a row as text: money with its currency and scale, counts grouped."""
    if row.money:
        return money(value, currency, lang)
    if row.name.startswith("idm:") or row.name.split(":")[0] in _COUNTED_STOCKS:
        # A quantile of counts may fall between two runs (5.9 desa): shown as the whole number nearest.
        return number(value, lang, digits=0)
    return number(value, lang)


def summary_text(
    result: SimulationResult, lang: str = "en", q: Sequence[float] | None = None, *, currency: str | None = None
) -> str:
    """The headline outcomes as a plain-text table in English or Indonesian (``summary.txt``).

    Parameters
    ----------
    result : SimulationResult
    lang : {"en", "id"}
        Language of the labels and number style (``1,234.5`` or ``1.234,5``).
    q : sequence of float, optional
        Quantiles (default: the result's, 10 / 50 / 90 %).
    currency : str, optional
        ISO 4217 code of the money (a relabelling, no conversion). Default:
        the result's, i.e. the scenario's (:attr:`Scenario.currency
        <smartkampung.model.Scenario.currency>`).

    Returns
    -------
    str
        A heading line, a header and one line per outcome.
    """
    lang = check_lang(lang, "summary_text")
    levels = tuple(result.quantile_levels if q is None else (float(x) for x in q))
    currency = currency or result.currency
    rows = summary_rows(result, lang=lang, q=levels, currency=currency)
    head = [label("outcome", lang), label("unit", lang), *[f"q{round(x * 100):02d}" for x in levels]]
    body = [[r.label, r.unit, *[format_value(r, v, lang, currency) for v in r.values]] for r in rows]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    lines = [
        label("summary_head", lang, scenario=result.scenario_name, runs=result.runs, seed=result.seed_entropy),
        fmt(head),
        *(fmt(r) for r in body),
    ]
    return "\n".join(lines)
