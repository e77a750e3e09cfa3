"""The offline HTML report of a network plan alone (``smartkampung plan``): map, schedule, costs, assumptions.

The same page as :func:`~smartkampung.report.build_report` (inline CSS and
SVG, no script, no URL) for one deterministic schedule instead of an
ensemble: the map is coloured by the month each village is connected under
the median budget, the charts show villages connected and money over time,
and there are no bands (nothing is drawn at random).
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from smartkampung._i18n import check_lang, label, money, money_scale, month_name, number
from smartkampung.report._charts import have_matplotlib, inline_svg
from smartkampung.report._html import (
    _CSS,
    Assumption,
    InputRecord,
    _assumption_section,
    _map_and_version,
    _plan_section,
    _records,
)
from smartkampung.report._map import map_svg
from smartkampung.sim.land import Boundaries
from smartkampung.sim.planning import NetworkPlan
from smartkampung.sim.rollout import RolloutSchedule

__all__ = ["build_plan_report"]


def build_plan_report(
    plan: NetworkPlan,
    schedule: RolloutSchedule,
    scenario: Any,
    *,
    lang: str = "en",
    inputs: Iterable[str | os.PathLike[str] | InputRecord] = (),
    assumptions: Sequence[Assumption] | Mapping[str, tuple[str, str]] | None = None,
    boundaries: Boundaries | None = None,
    districts: Boundaries | None = None,
    version: str | None = None,
    currency: str | None = None,
) -> str:
    """The HTML text of the offline report of a network plan and its schedule.

    Parameters
    ----------
    plan : NetworkPlan
        From :func:`smartkampung.plan_network` (or a prepared scenario's ``plan``).
    schedule : RolloutSchedule
        The plan scheduled (:func:`smartkampung.schedule_rollout`); its months
        are the scenario's.
    scenario : Scenario
        For the name, the calendar months and the assumptions.
    lang : {"en", "id"}
        Language of every label; the page carries ``lang="en"`` or ``"id"``.
    inputs : iterable of path or (name, sha256)
        Input files, listed with their SHA-256.
    assumptions : sequence of Assumption or mapping, optional
        Rows of the assumptions table instead of
        :func:`~smartkampung.report.assumption_rows`.
    boundaries : Boundaries, optional
        Village polygons for the map. Default: the bundled polygons covering
        the region, else points.
    districts : Boundaries, optional
        District outlines. Default: Banyuwangi's kecamatan for Banyuwangi.
    version : str, optional
        Library version to print (default: the installed one).
    currency : str, optional
        ISO 4217 code of the money (default: the programme's, else IDR).

    Returns
    -------
    str
        A complete HTML5 document that opens offline in any browser.

    Raises
    ------
    ParameterError
        For an unknown ``lang``, or a schedule of another number of villages
        than the plan.
    """
    from smartkampung._errors import ParameterError

    lang = check_lang(lang, "build_plan_report")
    if schedule.n_villages != plan.n_villages:
        raise ParameterError(
            "schedule", f"has {schedule.n_villages} villages, the plan {plan.n_villages}", function="build_plan_report"
        )
    region = plan.region
    boundaries, districts, version = _map_and_version(region, boundaries, districts, version)
    currency = currency or scenario.currency
    months = schedule.n_months
    labels = tuple(scenario.month_label(m) for m in range(months))
    conn = schedule.connection_month
    within = conn < months
    month = np.where(within, conn, np.nan).astype(np.float64)
    esc = html.escape
    end = month_name(labels[-1], lang=lang)
    done = int(within.sum())
    cards = [
        (f"{number(done, lang)} / {plan.n_villages}", label("connected_within", lang, month=end)),
        (f"{number(plan.fibre_km, lang)} km", label("fibre_km", lang)),
        (money(plan.total_capex, currency, lang), label("capex", lang)),
        (money(float(schedule.spend.sum()), currency, lang), label("spent_to", lang, month=end)),
    ]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(region.name)}: {esc(label('plan_report', lang))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body><main>",
        "<header>",
        f'<div class="kicker">{esc(label("plan_report", lang))}</div>',
        f'<h1 id="region">{esc(region.name)}</h1>',
        f'<p class="meta">{esc(label("scenario", lang))}: <strong>{esc(scenario.name)}</strong> · '
        f"{esc(label('period', lang))}: {esc(month_name(labels[0], lang=lang))} – {esc(end)} · "
        f"{region.n_villages} {esc(label('villages', lang))} · {esc(label('median_budget', lang))}</p>",
        "</header>",
        '<section class="cards" id="headline">',
        *(
            f'<div class="card"><div class="figure">{esc(f)}</div><div class="what">{esc(w)}</div></div>'
            for f, w in cards
        ),
        "</section>",
        f'<h2 id="map">{esc(label("map", lang))}</h2>',
        map_svg(plan, month, within.astype(np.float64), labels, lang=lang, villages=boundaries, districts=districts),
        f'<p class="note">{esc(label("hover", lang))}</p>',
    ]
    parts += _schedule_charts(plan, schedule, labels, lang, currency)
    parts += _plan_section(plan, lang, currency, None)
    parts += _assumption_section(scenario, plan, lang, assumptions, currency)
    parts += _provenance(scenario, lang, inputs, version)
    parts += [
        f"<footer>{esc(label('generated', lang, version=version))}. {esc(label('offline', lang))}</footer>",
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _schedule_charts(
    plan: NetworkPlan, schedule: RolloutSchedule, labels: Sequence[str], lang: str, currency: str
) -> list[str]:
    if not have_matplotlib():
        return [f'<p class="note">{html.escape(label("no_charts", lang))}</p>']
    import matplotlib
    from matplotlib.figure import Figure

    from smartkampung.plots import month_ticks

    x = np.arange(len(labels))
    ticks = month_ticks(len(labels), tuple(labels))
    budget, spend = np.cumsum(schedule.budget), np.cumsum(schedule.spend)
    divisor, word = money_scale(float(max(budget.max(initial=0.0), spend.max(initial=0.0))), lang)
    out = []
    with matplotlib.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "smartkampung", "font.family": ["DejaVu Sans", "sans-serif"]}
    ):
        for name, title in (("schedule", "schedule"), ("money", "money_over_time")):
            figure = Figure(figsize=(9.0, 3.4), layout="constrained")
            ax = figure.add_subplot()
            if name == "schedule":
                ax.step(x, schedule.connected_count(), where="post", color="#1f5fbf")
                ax.set_ylabel(label("villages_connected", lang))
                ax.set_ylim(0, plan.n_villages * 1.04)
            else:
                ax.plot(x, budget / divisor, color="#8a8a8a", linestyle="--", label=label("cumulative_budget", lang))
                ax.plot(x, spend / divisor, color="#1f5fbf", label=label("cumulative_spend", lang))
                ax.set_ylabel(label("money_axis", lang, currency=currency, scale=word or "1"))
                ax.legend(loc="upper left", frameon=False)
            ax.set_xticks(ticks)
            ax.set_xticklabels([month_name(labels[i], lang=lang) for i in ticks])
            ax.set_xlim(0, max(len(labels) - 1, 1))
            ax.grid(alpha=0.3)
            out.append(f'<h2 id="{name}">{html.escape(label(title, lang))}</h2>')
            out.append(inline_svg(figure, f"sk-{name}"))
    return out


def _provenance(
    scenario: Any, lang: str, inputs: Iterable[str | os.PathLike[str] | InputRecord], version: str
) -> list[str]:
    esc = html.escape
    records = _records(inputs)
    listed = (
        (
            "<ul>"
            + "".join(f"<li>{esc(Path(name).name)}: <code>sha256 {esc(digest)}</code></li>" for name, digest in records)
            + "</ul>"
        )
        if records
        else esc(label("no_inputs", lang))
    )
    region = scenario.region
    return [
        f'<h2 id="provenance">{esc(label("provenance", lang))}</h2>',
        '<table class="provenance"><tbody>',
        f"<tr><th>{esc(label('version', lang))}</th><td>{esc(version)}</td></tr>",
        f"<tr><th>{esc(label('region', lang))}</th><td>{esc(getattr(region, 'builtin', None) or '')} "
        f"{esc(getattr(region, 'csv', None) or '')}</td></tr>",
        f"<tr><th>{esc(label('scenario', lang))}</th><td>{esc(scenario.name)}</td></tr>",
        f"<tr><th>{esc(label('inputs', lang))}</th><td>{listed}</td></tr>",
        "</tbody></table>",
    ]
