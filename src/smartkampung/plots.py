"""Plots of simulation results (needs matplotlib: ``pip install "smartkampung[plot]"``).

Each function draws on a given Axes (or a new figure) and returns the Axes,
so callers can restyle or combine them. ``lang="id"`` gives Indonesian
labels (:mod:`smartkampung._i18n`); month axes show calendar months
(``Jan 2017``, ``Des 2018``); money is in the programme's currency.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from smartkampung._errors import ParameterError
from smartkampung._i18n import check_lang, label, money_scale, month_name, names_in
from smartkampung.sim.planning import NetworkPlan
from smartkampung.sim.results import SimulationResult

__all__ = ["adoption_by_pillar", "connection_map", "cost", "coverage", "idm_status", "network_map"]


def _axes(ax: Any, figsize: tuple[float, float] = (8.0, 4.5)) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def month_ticks(n_months: int, labels: tuple[str, ...]) -> list[int]:
    """Which months of a horizon get a tick: every January (every 2nd, 3rd, ... beyond 8 years), or every
    third month when the horizon holds fewer than two Januaries."""
    januaries = [i for i, text in enumerate(labels[:n_months]) if text.endswith("-01")]
    if len(januaries) < 2:
        return list(range(0, n_months, 3))
    step = max(1, -(-len(januaries) // 8))
    return januaries[::step]


def _month_ticks(ax: Any, labels: tuple[str, ...], lang: str) -> None:
    ticks = month_ticks(len(labels), labels)
    ax.set_xticks(ticks)
    ax.set_xticklabels([month_name(labels[i], lang=lang) for i in ticks])
    ax.set_xlim(0, max(len(labels) - 1, 1))


def _band_label(low: float, high: float, lang: str) -> str:
    return label("band", lang, low=round(low * 100), high=round(high * 100))


def _scenario(result: SimulationResult) -> Any:
    return result.prepared.scenario if result.prepared is not None else None


def coverage(result: SimulationResult, *, ax: Any = None, low: float = 0.1, high: float = 0.9, lang: str = "en") -> Any:
    """Share of villages and of households connected over time, median with a band.

    Parameters
    ----------
    result : SimulationResult
    ax : matplotlib Axes, optional
    low, high : float
        Quantiles of the band (default 10–90 %).
    lang : {"en", "id"}
        Language of the labels.
    """
    lang = check_lang(lang, "coverage")
    ax = _axes(ax)
    months = np.arange(result.n_months)
    n_villages = len(result.village_codes)
    total_households = result.prepared.plan.columns.households.sum() if result.prepared is not None else None
    series = [("villages_connected", n_villages), ("households_connected", total_households)]
    for name, total in series:
        if not total:
            continue
        lo, mid, hi = result.quantiles(name, (low, 0.5, high)) / total * 100
        text = label(name, lang)
        (line,) = ax.plot(months, mid, label=f"{text} ({label('median', lang)})")
        ax.fill_between(
            months, lo, hi, color=line.get_color(), alpha=0.25, label=f"{text} ({_band_label(low, high, lang)})"
        )
    ax.set_ylim(0, 102)
    ax.set_ylabel(label("connected_pct", lang))
    ax.set_title(f"{result.scenario_name}: {label('coverage', lang).lower()} ({label('runs', lang, runs=result.runs)})")
    _month_ticks(ax, result.month_labels, lang)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return ax


def _pillar_names(result: SimulationResult, lang: str) -> dict[str, str]:
    scenario = _scenario(result)
    if scenario is None:
        return {}
    return names_in(scenario.programme.pillars, lang, scenario.region.country)


def adoption_by_pillar(
    result: SimulationResult, *, ax: Any = None, low: float = 0.1, high: float = 0.9, lang: str = "en"
) -> Any:
    """Adopting households per pillar over time (sum over the pillar's services), median with a band."""
    lang = check_lang(lang, "adoption_by_pillar")
    ax = _axes(ax)
    months = np.arange(result.n_months)
    names = _pillar_names(result, lang)
    for name in result.metric_names:
        if not name.startswith("adopters_pillar:"):
            continue
        values = result.metric(name)
        if not values.any():
            continue
        lo, mid, hi = np.quantile(values, (low, 0.5, high), axis=0) / 1e3
        pillar = name.split(":", 1)[1]
        (line,) = ax.plot(months, mid, label=names.get(pillar, pillar.replace("_", " ")))
        ax.fill_between(months, lo, hi, color=line.get_color(), alpha=0.2)
    ax.set_ylabel(label("service_users", lang))
    ax.set_title(
        f"{result.scenario_name}: {label('adoption', lang).lower()} ({label('median', lang)}, "
        f"{_band_label(low, high, lang)})"
    )
    _month_ticks(ax, result.month_labels, lang)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:  # no pillar has users while nothing is connected
        ax.legend(loc="upper left", fontsize="small")
    return ax


def cost(
    result: SimulationResult,
    *,
    ax: Any = None,
    low: float = 0.1,
    high: float = 0.9,
    lang: str = "en",
    currency: str | None = None,
) -> Any:
    """Cumulative cost (capital and running) over time, median with a band, in the programme's currency.

    ``currency`` (ISO 4217) relabels the axis; default: the result's, i.e. the scenario's.
    """
    lang = check_lang(lang, "cost")
    ax = _axes(ax)
    months = np.arange(result.n_months)
    lo, mid, hi = result.quantiles("cumulative_cost", (low, 0.5, high))
    divisor, word = money_scale(float(np.nanmax(hi)) if hi.size else 0.0, lang)
    text = label("cumulative_cost", lang)
    (line,) = ax.plot(months, mid / divisor, label=f"{text} ({label('median', lang)})")
    ax.fill_between(
        months, lo / divisor, hi / divisor, color=line.get_color(), alpha=0.25, label=_band_label(low, high, lang)
    )
    currency = currency or result.currency
    ax.set_ylabel(label("money_axis", lang, currency="Rp" if currency == "IDR" else currency, scale=word or "1"))
    ax.set_ylim(bottom=0)
    ax.set_title(f"{result.scenario_name}: {text.lower()} ({label('runs', lang, runs=result.runs)})")
    _month_ticks(ax, result.month_labels, lang)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return ax


def network_map(
    plan: NetworkPlan,
    month: Any,
    *,
    ax: Any = None,
    title: str = "",
    colour_label: str | None = None,
    missing_label: str | None = None,
    month_labels: tuple[str, ...] | None = None,
    lang: str = "en",
) -> Any:
    """Map of a network plan: links, points of presence, villages coloured by month.

    Parameters
    ----------
    plan : NetworkPlan
        The plan whose links are drawn.
    month : array_like of float, shape (n_villages,)
        Colour of each village (a connection month); NaN draws a red cross.
    ax : matplotlib Axes, optional
    title, colour_label, missing_label : str
        Title, colour-bar label and legend label of the NaN villages
        (defaults in ``lang``).
    month_labels : tuple of str, optional
        ``YYYY-MM`` of each month: the colour bar then shows calendar months.
    lang : {"en", "id"}
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    lang = check_lang(lang, "network_map")
    colour_label = label("connection_date", lang) if colour_label is None else colour_label
    missing_label = label("never_connected", lang) if missing_label is None else missing_label
    ax = _axes(ax, figsize=(7.5, 7.5))
    cols = plan.columns
    parent, backbone_index = plan.parent, plan.backbone_index
    segments = []
    for i in range(cols.n_villages):
        if parent[i] >= 0:
            segments.append(((cols.lon_deg[parent[i]], cols.lat_deg[parent[i]]), (cols.lon_deg[i], cols.lat_deg[i])))
        elif backbone_index[i] >= 0:
            b = backbone_index[i]
            segments.append(((cols.pop_lon_deg[b], cols.pop_lat_deg[b]), (cols.lon_deg[i], cols.lat_deg[i])))
    ax.add_collection(LineCollection(segments, colors="0.6", linewidths=0.6, zorder=1))
    month = np.asarray(month, dtype=np.float64)
    never = np.isnan(month)
    points = ax.scatter(
        cols.lon_deg[~never],
        cols.lat_deg[~never],
        c=month[~never],
        cmap=plt.get_cmap("viridis"),
        s=12 + 40 * cols.population[~never] / max(cols.population.max(), 1),
        zorder=2,
        edgecolors="k",
        linewidths=0.3,
    )
    if never.any():
        ax.scatter(cols.lon_deg[never], cols.lat_deg[never], c="red", marker="x", s=20, zorder=2, label=missing_label)
    ax.scatter(
        cols.pop_lon_deg,
        cols.pop_lat_deg,
        marker="s",
        c="black",
        s=18,
        zorder=3,
        label=label("point_of_presence", lang),
    )
    bar = plt.colorbar(points, ax=ax, label=colour_label, shrink=0.8)
    if month_labels and (~never).any():
        lo, hi = float(np.nanmin(month)), float(np.nanmax(month))
        ticks = sorted({round(x) for x in np.linspace(lo, hi, 6)} & set(range(len(month_labels))))
        bar.set_ticks(ticks)
        bar.set_ticklabels([month_name(month_labels[t], lang=lang) for t in ticks])
    ax.set_aspect(1.0 / max(np.cos(np.radians(np.nanmean(cols.lat_deg))), 0.1))
    ax.set_xlabel(label("longitude", lang))
    ax.set_ylabel(label("latitude", lang))
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize="small")
    return ax


def connection_map(result: SimulationResult, *, ax: Any = None, lang: str = "en") -> Any:
    """Map of villages coloured by mean connection month (calendar dates on the colour bar), with the links."""
    if result.prepared is None:
        raise ParameterError("result", "holds no prepared scenario (network plan) to map", function="connection_map")
    lang = check_lang(lang, "connection_map")
    return network_map(
        result.prepared.plan,
        result.mean_connection_month,
        ax=ax,
        title=f"{result.scenario_name}: {label('map', lang).lower()}",
        colour_label=label("mean_connection", lang),
        month_labels=result.month_labels,
        lang=lang,
    )


def idm_status(
    result: SimulationResult, *, ax: Any = None, low: float = 0.1, high: float = 0.9, lang: str = "en"
) -> Any:
    """Desa per IDM status in each IDM year: median over runs with a band.

    The first year is the observed state the projection starts from (its
    counts reproduce the observed ones); the later years are projected.

    Parameters
    ----------
    result : SimulationResult
        With an IDM projection (:attr:`~smartkampung.sim.SimulationResult.has_idm`).
    ax : matplotlib Axes, optional
    low, high : float
        Quantiles of the band (default 10–90 %).
    lang : {"en", "id"}
        Language of the labels.

    Raises
    ------
    ParameterError
        If the result holds no IDM projection (no observed state declared,
        no desa in the region, or no IDM year within the horizon).
    """
    lang = check_lang(lang, "idm_status")
    if not result.has_idm:
        raise ParameterError(
            "result",
            f"{result.scenario_name!r} holds no IDM projection: the scenario declares no "
            "observed IDM state (outcomes.idm.observed_year), the region has no desa, or no IDM "
            "year falls within the horizon",
            function="idm_status",
        )
    ax = _axes(ax)
    years = np.asarray(result.year_labels)
    index = result.idm_index_name
    lo, mid, hi = result.idm_quantiles((low, 0.5, high))  # each (n_years, n_statuses)
    for code, status_label in enumerate(result.idm_status_labels):
        if not result.idm_counts[:, :, code].any():
            continue  # a status no run reaches: keep the legend short
        (line,) = ax.plot(years, mid[:, code], marker="o", label=status_label)
        ax.fill_between(years, lo[:, code], hi[:, code], color=line.get_color(), alpha=0.2)
    ax.axvline(years[0], color="0.5", linestyle=":", linewidth=1)
    ax.annotate(
        label("idm_observed", lang, index=index, year=years[0]),
        (years[0], 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        va="top",
        fontsize="small",
        color="0.35",
    )
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years])
    ax.set_xlabel(label("idm_year", lang, index=index))
    ax.set_ylabel(label("idm_axis", lang, unit=result.idm_unit, band=_band_label(low, high, lang)))
    ax.set_ylim(bottom=0)
    ax.set_title(label("idm_title", lang, scenario=result.scenario_name, index=index))
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
