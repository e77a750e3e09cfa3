"""Plots of simulation results (needs matplotlib: ``pip install "smartkampung[plot]"``).

Each function draws on a given Axes (or a new figure) and returns the Axes,
so callers can restyle or combine them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from smartkampung._errors import ParameterError
from smartkampung.sim.planning import NetworkPlan
from smartkampung.sim.results import SimulationResult

__all__ = ["adoption_by_pillar", "connection_map", "coverage", "idm_status", "network_map"]


def _axes(ax: Any, figsize: tuple[float, float] = (8.0, 4.5)) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _month_ticks(ax: Any, labels: tuple[str, ...]) -> None:
    # Tick every January (or every 12th month when the horizon is short of one).
    ticks = [i for i, label in enumerate(labels) if label.endswith("-01")] or list(range(0, len(labels), 12))
    ax.set_xticks(ticks)
    ax.set_xticklabels([labels[i][:4] for i in ticks])
    ax.set_xlim(0, len(labels) - 1)


def coverage(result: SimulationResult, *, ax: Any = None, low: float = 0.1, high: float = 0.9) -> Any:
    """Share of villages and of households connected over time, median with a band.

    Parameters
    ----------
    result : SimulationResult
    ax : matplotlib Axes, optional
    low, high : float
        Quantiles of the band (default 10–90 %).
    """
    ax = _axes(ax)
    months = np.arange(result.n_months)
    n_villages = len(result.village_codes)
    total_households = result.prepared.plan.columns.households.sum() if result.prepared is not None else None
    series = [("villages_connected", n_villages, "villages"),
              ("households_connected", total_households, "households")]
    for name, total, label in series:
        if not total:
            continue
        lo, mid, hi = result.quantiles(name, (low, 0.5, high)) / total * 100
        line, = ax.plot(months, mid, label=f"{label} (median)")
        ax.fill_between(months, lo, hi, color=line.get_color(), alpha=0.25,
                        label=f"{label} ({round(low * 100)}–{round(high * 100)} %)")
    ax.set_ylim(0, 102)
    ax.set_ylabel("connected [%]")
    ax.set_title(f"{result.scenario_name}: coverage ({result.runs} runs)")
    _month_ticks(ax, result.month_labels)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return ax


def adoption_by_pillar(result: SimulationResult, *, ax: Any = None, low: float = 0.1, high: float = 0.9) -> Any:
    """Adopting households per pillar over time (sum over the pillar's services), median with a band."""
    ax = _axes(ax)
    months = np.arange(result.n_months)
    for name in result.metric_names:
        if not name.startswith("adopters_pillar:"):
            continue
        values = result.metric(name)
        if not values.any():
            continue
        lo, mid, hi = np.quantile(values, (low, 0.5, high), axis=0) / 1e3
        line, = ax.plot(months, mid, label=name.split(":", 1)[1].replace("_", " "))
        ax.fill_between(months, lo, hi, color=line.get_color(), alpha=0.2)
    ax.set_ylabel("adopting households [thousand household-services]")
    ax.set_title(f"{result.scenario_name}: adoption by pillar (median, {round(low * 100)}–{round(high * 100)} % band)")
    _month_ticks(ax, result.month_labels)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def network_map(plan: NetworkPlan, month: Any, *, ax: Any = None, title: str = "",
                colour_label: str = "connection month (0 = start)", missing_label: str = "never connected") -> Any:
    """Map of a network plan: links, points of presence, villages coloured by month.

    Parameters
    ----------
    plan : NetworkPlan
        The plan whose links are drawn.
    month : array_like of float, shape (n_villages,)
        Colour of each village (a connection month); NaN draws a red cross.
    ax : matplotlib Axes, optional
    title, colour_label, missing_label : str
        Title, colour-bar label and legend label of the NaN villages.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

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
    points = ax.scatter(cols.lon_deg[~never], cols.lat_deg[~never], c=month[~never], cmap=plt.get_cmap("viridis"),
                        s=12 + 40 * cols.population[~never] / max(cols.population.max(), 1), zorder=2,
                        edgecolors="k", linewidths=0.3)
    if never.any():
        ax.scatter(cols.lon_deg[never], cols.lat_deg[never], c="red", marker="x", s=20, zorder=2,
                   label=missing_label)
    ax.scatter(cols.pop_lon_deg, cols.pop_lat_deg, marker="s", c="black", s=18, zorder=3,
               label="point of presence")
    plt.colorbar(points, ax=ax, label=colour_label, shrink=0.8)
    ax.set_aspect(1.0 / max(np.cos(np.radians(np.nanmean(cols.lat_deg))), 0.1))
    ax.set_xlabel("longitude [°]")
    ax.set_ylabel("latitude [°]")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize="small")
    return ax


def connection_map(result: SimulationResult, *, ax: Any = None) -> Any:
    """Map of villages coloured by mean connection month, with the planned links."""
    if result.prepared is None:
        raise ParameterError("result", "holds no prepared scenario (network plan) to map", function="connection_map")
    return network_map(result.prepared.plan, result.mean_connection_month, ax=ax,
                       title=f"{result.scenario_name}: when each village is connected",
                       colour_label="mean connection month (0 = start)")


def idm_status(result: SimulationResult, *, ax: Any = None, low: float = 0.1, high: float = 0.9) -> Any:
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

    Raises
    ------
    ParameterError
        If the result holds no IDM projection (no observed state declared,
        no desa in the region, or no IDM year within the horizon).
    """
    if not result.has_idm:
        raise ParameterError("result", f"{result.scenario_name!r} holds no IDM projection: the scenario declares no "
                             "observed IDM state (outcomes.idm.observed_year), the region has no desa, or no IDM "
                             "year falls within the horizon", function="idm_status")
    ax = _axes(ax)
    years = np.asarray(result.year_labels)
    lo, mid, hi = result.idm_quantiles((low, 0.5, high))  # each (n_years, n_statuses)
    for code, label in enumerate(result.idm_status_labels):
        if not result.idm_counts[:, :, code].any():
            continue  # a status no run reaches: keep the legend short
        line, = ax.plot(years, mid[:, code], marker="o", label=label)
        ax.fill_between(years, lo[:, code], hi[:, code], color=line.get_color(), alpha=0.2)
    ax.axvline(years[0], color="0.5", linestyle=":", linewidth=1)
    ax.annotate(f"observed\n{result.idm_index_name} {years[0]}", (years[0], 1.0), xycoords=("data", "axes fraction"),
                xytext=(4, -4), textcoords="offset points", va="top", fontsize="small", color="0.35")
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years])
    ax.set_xlabel(f"{result.idm_index_name} year")
    ax.set_ylabel(f"{result.idm_unit} (median, {round(low * 100)}–{round(high * 100)} % band over runs)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{result.scenario_name}: {result.idm_index_name} status, observed then projected")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
