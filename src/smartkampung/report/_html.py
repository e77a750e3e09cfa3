"""The offline HTML report: one self-contained file (inline CSS and SVG, no script, no URL).

Means and why: the charts are matplotlib figures embedded as inline SVG
(matplotlib is already the package's plotting extra, so nothing new is
installed, the text stays selectable and translatable, and the file opens in
any browser without a network); the map is SVG written here, one element per
village with a ``<title>``, so pointing at a village shows its name and date
with no script. A plotting library with an offline bundle (Plotly, Bokeh)
would add zoom and sliders but some megabytes of JavaScript to every report
and a dependency; it can come later as an optional extra.
"""

from __future__ import annotations

import hashlib
import html
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from smartkampung import _defaults
from smartkampung._i18n import check_lang, label, money, month_name, number, plan_note
from smartkampung.report._charts import chart_svgs, have_matplotlib
from smartkampung.report._map import map_svg
from smartkampung.report._summary import format_value, summary_rows
from smartkampung.sim.land import Boundaries
from smartkampung.sim.planning import NetworkPlan
from smartkampung.sim.results import SimulationResult

__all__ = ["Assumption", "assumption_rows", "build_report", "file_record", "write_report"]

InputRecord = tuple[str, str]


@attrs.frozen
class Assumption:
    """One row of the report's assumptions table.

    Attributes
    ----------
    name : str
        Where it lives in the scenario (``rollout.route_factor``).
    value : str
        Its value, as text with its unit.
    source : str
        Its source, or ``"illustrative assumption: ..."``, or that the
        scenario set it.
    """

    name: str
    value: str
    source: str

    @property
    def is_assumption(self) -> bool:
        """Whether the source is an illustrative assumption."""
        return self.source.startswith(_defaults.ASSUMPTION)


def file_record(path: str | os.PathLike[str]) -> InputRecord:
    """``(file name, SHA-256 hex digest)`` of an input file, for the report's provenance."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return os.fspath(path), digest.hexdigest()


def _records(inputs: Iterable[str | os.PathLike[str] | InputRecord]) -> list[InputRecord]:
    out = []
    for item in inputs:
        if isinstance(item, tuple):
            out.append((str(item[0]), str(item[1])))
        else:
            out.append(file_record(item))
    return out


# scenario field -> the default that documents it
_SOURCES: tuple[tuple[str, str, str, int | None], ...] = (
    ("start", "START_MONTH", "", None),
    ("horizon_months", "HORIZON_MONTHS", "months", None),
    ("rollout.budget_per_month", "BUDGET_PER_MONTH", "money/month", None),
    ("rollout.policy", "POLICY", "", None),
    ("rollout.carry_over", "CARRY_OVER", "", None),
    ("rollout.route_factor", "ROUTE_FACTOR", "", None),
    ("rollout.demand_mbps", "DEMAND_MBPS", "Mbps", None),
    ("rollout.horizon_years", "HORIZON_YEARS", "years", None),
    ("rollout.discount_rate", "DISCOUNT_RATE", "1/year", None),
    ("rollout.technology_choice", "TECHNOLOGY_CHOICE", "", None),
    ("rollout.capex_multiplier", "CAPEX_MULTIPLIER", "", None),
    ("adoption.p_multiplier", "BASS_MULTIPLIER", "", None),
    ("adoption.q_multiplier", "BASS_MULTIPLIER", "", None),
    ("adoption.neighbour_weight", "NEIGHBOUR_WEIGHT", "", None),
    ("adoption.n_neighbours", "NEIGHBOURS", "villages", None),
    ("outcomes.road_factor", "ROAD_FACTOR", "", None),
    ("outcomes.speed_kmh", "SPEED_KMH", "km/h", None),
    ("outcomes.cost_per_km", "COST_PER_KM", "money/km", None),
    ("outcomes.value_of_time_per_hour", "VALUE_OF_TIME_PER_HOUR", "money/h", None),
    ("outcomes.idm.base_iks", "IDM_BASE", "", 0),
    ("outcomes.idm.base_ike", "IDM_BASE", "", 1),
    ("outcomes.idm.base_ikl", "IDM_BASE", "", 2),
    ("outcomes.idm.base_spread", "IDM_BASE_SPREAD", "", None),
    ("outcomes.idm.effect_social", "IDM_EFFECT", "", 0),
    ("outcomes.idm.effect_economic", "IDM_EFFECT", "", 1),
    ("outcomes.idm.effect_ecological", "IDM_EFFECT", "", 2),
    ("outcomes.idm.lag_months", "IDM_LAG_MONTHS", "months", 0),
    ("outcomes.idm.ceiling", "IDM_CEILING", "", 0),
    ("outcomes.idm.trend_per_year", "IDM_TREND_PER_YEAR", "1/year", 0),
)


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _show(value: Any, lang: str) -> str:
    if hasattr(value, "mean") and type(value).__name__ != "Fixed":
        fields = attrs.asdict(value) if attrs.has(type(value)) else {}
        return (
            f"{type(value).__name__.lower()}("
            + ", ".join(
                f"{k} = {number(float(v), lang) if isinstance(v, (int, float)) else v}" for k, v in fields.items()
            )
            + ")"
        )
    if type(value).__name__ == "Fixed":
        value = value.value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return number(value, lang, digits=None if abs(value) < 1e6 else 0)
    return str(value)


def _same(value: Any, default: Any) -> bool:
    if type(value).__name__ == "Fixed":
        value = value.value
    if isinstance(value, (int, float)) and isinstance(default, (int, float)) and not isinstance(value, bool):
        return math.isclose(float(value), float(default), rel_tol=1e-12, abs_tol=1e-12)
    return bool(value == default)


_UNIT_ID = {
    "months": "bulan",
    "years": "tahun",
    "villages": "desa",
    "/month": "/bulan",
    "1/year": "1/tahun",
    "/h": "/jam",
}


def _unit(unit: str, lang: str) -> str:
    if lang == "en":
        return unit
    for en, ind in _UNIT_ID.items():
        unit = unit.replace(en, ind)
    return unit


def assumption_rows(
    scenario: Any, *, lang: str = "en", plan: NetworkPlan | None = None, currency: str | None = None
) -> list[Assumption]:
    """The scenario's assumptions with their sources.

    A value equal to the package default carries the default's source (from
    :data:`smartkampung._defaults.DEFAULTS`, a citation or an illustrative
    assumption); a value the scenario changed is marked as set in the
    scenario. Then the technologies' and services' own sources, and the
    water-crossing cost when the plan priced crossings.
    """
    lang = check_lang(lang, "assumption_rows")
    currency = currency or scenario.currency
    rows: list[Assumption] = []
    for field, name, unit, index in _SOURCES:
        value = _get(scenario, field)
        if value is None:
            continue
        entry = _defaults.DEFAULTS[name]
        default = entry.value[index] if index is not None else entry.value
        unit_text = _unit(unit.replace("money", currency), lang)
        shown = _show(value, lang) + (f" {unit_text}" if unit_text else "")
        source = (
            entry.source
            if _same(value, default)
            else ("set in the scenario" if lang == "en" else "ditetapkan dalam skenario")
        )
        if _same(value, default) and unit.startswith("money") and currency != "IDR":
            # The package's money defaults are rupiah; kept in another currency, they are not converted.
            source += (
                f" (a rupiah amount, not converted to {currency})"
                if lang == "en"
                else f" (nilai dalam rupiah, belum dikonversi ke {currency})"
            )
        rows.append(Assumption(field, shown, source))
    for phase in getattr(getattr(scenario, "rollout", None), "budget_phases", ()):
        rows.append(
            Assumption(
                f"rollout.budget_phases[{phase.start_month}]",
                f"{_show(phase.budget_per_month, lang)} {_unit(currency + '/month', lang)}",
                phase.note or ("set in the scenario" if lang == "en" else "ditetapkan dalam skenario"),
            )
        )
    programme = getattr(scenario, "programme", None)
    for tech in getattr(programme, "technologies", ()):
        rows.append(
            Assumption(
                f"technology.{tech.id}",
                f"{money(tech.capex, currency, lang)} + "
                f"{money(tech.capex_per_km, currency, lang)}/km; "
                f"{money(tech.opex_per_year, currency, lang)}/year",
                tech.source,
            )
        )
    for service in getattr(programme, "services", ()):
        rows.append(
            Assumption(
                f"service.{service.id}",
                f"p = {number(service.p_innovation, lang, digits=3)}, "
                f"q = {number(service.q_imitation, lang, digits=3)}, "
                f"market {number(service.market_share * 100, lang, digits=0)} %",
                service.source,
            )
        )
    if plan is not None and float(plan.water_km.sum()) > 0:
        entry = _defaults.DEFAULTS["WATER_CROSSING_USD_PER_KM"]
        factor = _defaults.DEFAULTS["WATER_COST_FACTOR"]
        rows.append(
            Assumption(
                "plan.water_cost_factor",
                f"{number(factor.value, lang)} (USD {number(entry.value, lang)}/km)",
                entry.source,
            )
        )
    return rows


_CSS = """
:root { --ink: #1d2733; --muted: #5b6875; --line: #d5dbe1; --accent: #1f5fbf; --paper: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f5f7; color: var(--ink);
       font: 15px/1.45 "Segoe UI", "Noto Sans", "DejaVu Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; background: var(--paper); }
header { border-bottom: 3px solid var(--accent); padding-bottom: 12px; margin-bottom: 20px; }
header .kicker { text-transform: uppercase; letter-spacing: .08em; color: var(--muted); font-size: 12px; }
h1 { font-size: 28px; margin: 4px 0 6px; }
h2 { font-size: 20px; margin: 32px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 12px; margin: 18px 0 6px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card .figure { font-size: 22px; font-weight: 600; }
.card .what { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f0f3f6; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.src { color: var(--muted); font-size: 12.5px; }
tr.assumed td.src { color: #8a5a00; }
svg { width: 100%; height: auto; display: block; }
svg.map { border: 1px solid var(--line); border-radius: 4px; max-height: 900px; }
table.assumptions td:first-child { width: 26%; }
svg.map path:hover, svg.map circle:hover { stroke: #000000; stroke-width: 1.5; }
.note { color: var(--muted); font-size: 13px; }
ul.notes li { margin: 4px 0; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12px; word-break: break-all; }
footer { margin-top: 36px; color: var(--muted); font-size: 12.5px; border-top: 1px solid var(--line);
         padding-top: 8px; }
@media print { body { background: #fff; } main { max-width: none; padding: 0; } h2 { break-after: avoid; }
               svg, table { break-inside: avoid; } }
"""


def _map_and_version(region: Any, boundaries: Any, districts: Any, version: str | None) -> tuple[Any, Any, str]:
    """What a report draws and says by default: the bundled village polygons of the region (and, for
    Banyuwangi, its kecamatan outlines) unless given, and this package's version."""
    if boundaries is None or districts is None:
        from smartkampung import datasets

        if boundaries is None:
            boundaries = datasets.boundaries_for(region)
        if districts is None and boundaries is not None and region.code == "35.10":
            districts = datasets.boundaries("banyuwangi", "district")
    if version is None:
        from smartkampung import __version__

        version = __version__
    return boundaries, districts, version


def build_report(
    result: SimulationResult,
    *,
    plan: NetworkPlan | None = None,
    lang: str = "en",
    inputs: Iterable[str | os.PathLike[str] | InputRecord] = (),
    assumptions: Sequence[Assumption] | Mapping[str, tuple[str, str]] | None = None,
    boundaries: Boundaries | None = None,
    districts: Boundaries | None = None,
    version: str | None = None,
    currency: str | None = None,
) -> str:
    """The HTML text of the offline report of a simulation.

    Parameters
    ----------
    result : SimulationResult
        From :func:`smartkampung.simulate`; its prepared scenario gives the
        region, the network plan and the assumptions.
    plan : NetworkPlan, optional
        The plan to map. Default: ``result.prepared.plan``.
    lang : {"en", "id"}
        Language of every label; the page carries ``lang="en"`` or ``"id"``.
    inputs : iterable of path or (name, sha256)
        The input files (scenario, programme, village CSV); each is listed
        with its SHA-256 (computed here for a path).
    assumptions : sequence of Assumption or mapping, optional
        Rows for the assumptions table instead of :func:`assumption_rows`
        (a mapping is ``name -> (value, source)``).
    boundaries : Boundaries, optional
        Village polygons for the map. Default: the bundled polygons covering
        the region (:func:`smartkampung.datasets.boundaries_for`), else
        points.
    districts : Boundaries, optional
        District outlines. Default: the bundled kecamatan of Banyuwangi when
        the region is Banyuwangi.
    version : str, optional
        Library version to print (default: the installed one).
    currency : str, optional
        ISO 4217 code of the money. Default: the programme's
        (:attr:`Programme.currency <smartkampung.model.Programme.currency>`).

    Returns
    -------
    str
        A complete HTML5 document with inline CSS and SVG: no script, no
        image file, no URL; it opens offline in any browser.

    Raises
    ------
    ParameterError
        For an unknown ``lang``, or a result without its prepared scenario
        and no ``plan``.
    """
    from smartkampung._errors import ParameterError

    lang = check_lang(lang, "build_report")
    prepared = result.prepared
    plan = plan if plan is not None else (prepared.plan if prepared is not None else None)
    if plan is None or prepared is None:
        raise ParameterError(
            "result", "holds no prepared scenario (network plan) to report on", function="build_report"
        )
    scenario = prepared.scenario
    region = plan.region
    boundaries, districts, version = _map_and_version(region, boundaries, districts, version)
    currency = currency or scenario.currency
    esc = html.escape
    start, end = month_name(result.month_labels[0], lang=lang), month_name(result.month_labels[-1], lang=lang)
    parts: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(region.name)}: {esc(scenario.name)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body><main>",
        "<header>",
        f'<div class="kicker">{esc(label("report", lang))}</div>',
        f'<h1 id="region">{esc(region.name)}</h1>',
        f'<p class="meta">{esc(label("scenario", lang))}: <strong>{esc(scenario.name)}</strong> · '
        f"{esc(label('period', lang))}: {esc(start)} – {esc(end)} · {region.n_villages} "
        f"{esc(label('villages', lang))} · {esc(label('runs', lang, runs=result.runs))}</p>",
        "</header>",
    ]
    rows = summary_rows(result, lang=lang, currency=currency)
    parts += _cards(rows, result, plan, lang, currency)
    parts.append(f'<h2 id="map">{esc(label("map", lang))}</h2>')
    parts.append(
        map_svg(
            plan,
            result.mean_connection_month,
            result.p_connected,
            result.month_labels,
            lang=lang,
            villages=boundaries,
            districts=districts,
        )
    )
    parts.append(f'<p class="note">{esc(label("hover", lang))}</p>')
    parts += _charts(result, lang, currency)
    parts += _key_table(rows, result, lang, currency)
    parts += _plan_section(plan, lang, currency, result)
    parts += _assumption_section(scenario, plan, lang, assumptions, currency)
    parts += _provenance(result, scenario, lang, inputs, version)
    parts += [
        f"<footer>{esc(label('generated', lang, version=version))}. {esc(label('offline', lang))}</footer>",
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _cards(rows: Sequence[Any], result: SimulationResult, plan: NetworkPlan, lang: str, currency: str) -> list[str]:
    by_name = {r.name: r for r in rows}
    cards = []
    n = plan.n_villages
    if "villages_connected" in by_name:
        v = by_name["villages_connected"].values
        cards.append((f"{number(v[len(v) // 2], lang)} / {n}", by_name["villages_connected"].label))
    for name in ("households_connected", "adopters", "cumulative_cost"):
        if name in by_name:
            row = by_name[name]
            cards.append((format_value(row, row.values[len(row.values) // 2], lang, currency), row.label))
    out = ['<section class="cards" id="headline">']
    out += [
        f'<div class="card"><div class="figure">{html.escape(f)}</div><div class="what">{html.escape(w)}, '
        f"{label('median', lang)}</div></div>"
        for f, w in cards
    ]
    out.append("</section>")
    return out


def _charts(result: SimulationResult, lang: str, currency: str) -> list[str]:
    titles = {"coverage": "coverage", "adoption": "adoption", "cost": "cost", "idm": "idm"}
    out: list[str] = []
    if not have_matplotlib():
        return [f'<p class="note">{html.escape(label("no_charts", lang))}</p>']
    svgs = chart_svgs(result, lang, currency)
    for name, svg in svgs.items():
        out.append(f'<h2 id="{name}">{html.escape(label(titles[name], lang))}</h2>')
        out.append(svg)
    prepared = result.prepared
    indonesian = prepared is None or prepared.scenario.region.country == "ID"
    if "idm" not in svgs and indonesian:  # an Indonesian region without scored desa says why; others say nothing
        out.append(f'<h2 id="idm">{html.escape(label("idm", lang))}</h2>')
        out.append(f'<p class="note">{html.escape(label("idm_only_id", lang))}</p>')
    return out


def _key_table(rows: Sequence[Any], result: SimulationResult, lang: str, currency: str) -> list[str]:
    esc = html.escape
    levels = result.quantile_levels
    out = [
        f'<h2 id="figures">{esc(label("key_figures", lang))}</h2>',
        f'<p class="note">{esc(label("quantiles", lang))}</p>',
        '<table class="figures"><thead><tr>',
        f"<th>{esc(label('outcome', lang))}</th><th>{esc(label('unit', lang))}</th>",
    ]
    out += [f'<th class="num">q{round(x * 100):02d}</th>' for x in levels]
    out.append("</tr></thead><tbody>")
    for r in rows:
        cells = "".join(f'<td class="num">{esc(format_value(r, v, lang, currency))}</td>' for v in r.values)
        out.append(f'<tr data-metric="{esc(r.name)}"><td>{esc(r.label)}</td><td>{esc(r.unit)}</td>{cells}</tr>')
    out.append("</tbody></table>")
    return out


def _plan_section(plan: NetworkPlan, lang: str, currency: str, result: SimulationResult | None) -> list[str]:
    esc = html.escape
    budget = ""
    if result is not None and "budget_per_month" in result.draw_names:
        draws = result.draws[:, result.draw_names.index("budget_per_month")]
        lo, mid, hi = (float(x) for x in np.quantile(draws, (0.1, 0.5, 0.9)))
        budget = (
            f"<li>{esc(label('budget', lang))}: {esc(money(mid, currency, lang))}/"
            f"{esc(label('month', lang).lower())} ({esc(label('median', lang))}; "
            f"{esc(money(lo, currency, lang))} – {esc(money(hi, currency, lang))})</li>"
        )
    counts = ", ".join(f"{k} {v}" for k, v in plan.counts().items() if v)
    out = [
        f'<h2 id="plan">{esc(label("network_plan", lang))}</h2>',
        '<ul class="notes">',
        f"<li>{esc(label('technologies', lang))}: {esc(counts)}; {esc(label('fibre_km', lang))} "
        f"{esc(number(plan.fibre_km, lang))} km; {esc(label('capex', lang))} "
        f"{esc(money(plan.total_capex, currency, lang))}; {esc(label('opex', lang))} "
        f"{esc(money(plan.total_opex_per_year, currency, lang))}/{esc(label('per_year', lang))}</li>",
    ]
    if budget:
        out.append(budget)
    out += [f"<li>{esc(plan_note(note, lang))}</li>" for note in getattr(plan, "notes", ())]
    out.append("</ul>")
    return out


def _assumption_section(
    scenario: Any,
    plan: NetworkPlan,
    lang: str,
    given: Sequence[Assumption] | Mapping[str, tuple[str, str]] | None,
    currency: str,
) -> list[str]:
    esc = html.escape
    if given is None:
        rows = assumption_rows(scenario, lang=lang, plan=plan, currency=currency)
    elif isinstance(given, Mapping):
        rows = [Assumption(k, v[0], v[1]) for k, v in given.items()]
    else:
        rows = list(given)
    out = [
        f'<h2 id="assumptions">{esc(label("assumptions", lang))}</h2>',
        '<table class="assumptions"><thead><tr>',
        f"<th>{esc(label('parameter', lang))}</th><th>{esc(label('value', lang))}</th>"
        f"<th>{esc(label('source', lang))}</th></tr></thead><tbody>",
    ]
    for a in rows:
        source = a.source
        if a.is_assumption and lang == "id":
            source = label("illustrative", lang) + source[len(_defaults.ASSUMPTION) :]
        out.append(
            f'<tr class="{"assumed" if a.is_assumption else "sourced"}"><td><code>{esc(a.name)}</code></td>'
            f'<td>{esc(a.value)}</td><td class="src">{esc(source)}</td></tr>'
        )
    out.append("</tbody></table>")
    return out


def _provenance(
    result: SimulationResult,
    scenario: Any,
    lang: str,
    inputs: Iterable[str | os.PathLike[str] | InputRecord],
    version: str,
) -> list[str]:
    esc = html.escape
    records = _records(inputs)
    out = [
        f'<h2 id="provenance">{esc(label("provenance", lang))}</h2>',
        '<table class="provenance"><tbody>',
        f"<tr><th>{esc(label('version', lang))}</th><td>{esc(version)}</td></tr>",
        f"<tr><th>{esc(label('seed', lang))}</th><td><code>{esc(str(result.seed_entropy))}</code>"
        + (f" (spawn key {esc(str(result.seed_spawn_key))})" if result.seed_spawn_key else "")
        + "</td></tr>",
        f"<tr><th>{esc(label('runs', lang, runs='')).strip().capitalize()}</th><td>{result.runs}</td></tr>",
        f"<tr><th>{esc(label('region', lang))}</th><td>{esc(getattr(scenario.region, 'builtin', None) or '')} "
        f"{esc(getattr(scenario.region, 'csv', None) or '')}</td></tr>",
        f"<tr><th>{esc(label('scenario', lang))}</th><td>{esc(scenario.name)}</td></tr>",
        f"<tr><th>{esc(label('inputs', lang))}</th><td>",
    ]
    if records:
        out.append(
            "<ul>"
            + "".join(f"<li>{esc(Path(name).name)}: <code>sha256 {esc(digest)}</code></li>" for name, digest in records)
            + "</ul>"
        )
    else:
        out.append(esc(label("no_inputs", lang)))
    out.append("</td></tr></tbody></table>")
    return out


def write_report(path: str | os.PathLike[str], result: SimulationResult, **options: Any) -> Path:
    """Write :func:`build_report` to ``path`` atomically (a temporary file, then a rename).

    Parameters
    ----------
    path : path
        Where to write, e.g. ``results/report.html``.
    result : SimulationResult
    **options
        Passed to :func:`build_report` (``plan``, ``lang``, ``inputs``,
        ``assumptions``, ``boundaries``, ``districts``).

    Returns
    -------
    Path
    """
    from smartkampung.io import atomic_write_text

    text = build_report(result, **options)
    target = Path(path)
    atomic_write_text(target, text)
    return target
