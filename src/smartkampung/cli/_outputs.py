"""What ``simulate`` writes into its output folder, and the summaries that ``simulate`` and ``report`` share."""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping, Sequence
from typing import Any

from smartkampung.cli._common import UNDEFINED_METRICS, _err, _plan_notes, _plots_available, _save, _write_csv


def _summary_text(result: Any, lang: str, currency: str) -> str:
    """The headline outcomes (:func:`smartkampung.report.summary_text`), with a note on undefined values."""
    from smartkampung._i18n import label
    from smartkampung.report import summary_rows, summary_text

    text: str = summary_text(result, lang, currency=currency)
    if any(not math.isfinite(v) for row in summary_rows(result, lang=lang, currency=currency) for v in row.values):
        text += f"\n({label('undefined_note', lang)})"
    return text


def _notes_text(notes: Sequence[str], lang: str) -> str:
    """The network plan's notes under a heading (none: empty text)."""
    from smartkampung._i18n import label, plan_note

    if not notes:
        return ""
    return f"{label('plan_notes', lang)}:\n" + "".join(f"- {plan_note(note, lang)}\n" for note in notes)


def _json_number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _summary_json(result: Any, lang: str, currency: str, **extra: Any) -> dict[str, Any]:
    """The headline outcomes as a JSON-ready dict (``simulate --json``); undefined values are null."""
    from smartkampung.report import summary_rows

    rows = summary_rows(result, lang=lang, currency=currency)
    entropy = result.seed_entropy
    return {
        "scenario": result.scenario_name,
        "runs": result.runs,
        "seed_entropy": entropy if isinstance(entropy, int) else list(entropy),
        "first_month": result.month_labels[0],
        "last_month": result.month_labels[-1],
        "currency": currency,
        "lang": lang,
        "quantiles": list(result.quantile_levels),
        "outcomes": [
            {
                "name": r.name,
                "label": r.label,
                "unit": r.unit,
                "money": r.money,
                "values": [_json_number(v) for v in r.values],
            }
            for r in rows
        ],
        "plan_notes": _plan_notes(result.prepared.plan) if result.prepared is not None else [],
        **extra,
    }


def _write_layers(
    folder: Any, plan: Any, *, connection_month: Any, p_connected: Any, scenario: Any, boundaries: Any, prefix: str = ""
) -> list[str]:
    """``villages.geojson`` (polygons where the package has them, else points) and ``links.geojson``.

    One geometry type per layer, each feature with its connection month as
    ``YYYY-MM`` (``connected``, null if never) and ``p_connected``.
    """
    from smartkampung import io as skio

    common: dict[str, Any] = {
        "connection_month": connection_month,
        "p_connected": p_connected,
        "month_label": scenario.month_label,
        "n_months": scenario.horizon_months,
    }
    names = [f"{prefix}villages.geojson", f"{prefix}links.geojson"]
    skio.write_geojson(skio.village_layer(plan, boundaries=boundaries, **common), folder.path(names[0]))
    skio.write_geojson(skio.link_layer(plan, **common), folder.path(names[1]))
    return names


def _monthly_rows(result: Any, currency: str) -> tuple[list[str], list[list[Any]]]:
    """``monthly.csv``: month, metric, its unit (money in ``currency``), the quantiles."""
    header, rows = result.monthly_quantile_table()
    units = {m.name: m.unit.replace("IDR", currency) for m in result.metrics}
    return [*header[:2], "unit", *header[2:]], [[*row[:2], units[row[1]], *row[2:]] for row in rows]


def _village_rows(result: Any, plan: Any) -> tuple[list[str], list[list[Any]]]:
    """``villages.csv``: each village, its network link and cost, then the result's per-village summaries."""
    header, rows = result.village_table()
    if plan is None:
        return header, rows
    head = [
        "code",
        "name",
        "kind",
        "district_code",
        "population",
        "households",
        "technology",
        "link_km",
        "water_km",
        "capex",
    ]
    technology, water = plan.technology, plan.water_km
    body = [
        [row[0], v.name, v.kind.value, v.district_code, v.population, v.households, technology[i],
         float(plan.link_km[i]), float(water[i]), float(plan.capex[i]), *row[1:]]
        for i, (row, v) in enumerate(zip(rows, plan.region.villages, strict=True))
    ]  # fmt: skip
    return [*head, *header[1:]], body


def _report_html(result: Any, *, lang: str, currency: str, inputs: Sequence[Mapping[str, Any]], boundaries: Any) -> str:
    """The offline report (:func:`smartkampung.report.build_report`) with the command's input files."""
    from smartkampung.report import build_report

    text: str = build_report(
        result,
        lang=lang,
        currency=currency,
        inputs=[(str(i["path"]), str(i["sha256"])) for i in inputs],
        boundaries=boundaries,
    )
    return text


def _write_simulation_outputs(
    folder: Any, result: Any, args: argparse.Namespace, *, land: Any, currency: str, lang: str
) -> list[str]:
    """Write every output of a simulation into ``folder`` (an OutputFolder); return the names written."""
    from smartkampung import io as skio
    from smartkampung import plots
    from smartkampung.cli._common import _inputs

    header, rows = _monthly_rows(result, currency)
    _write_csv(folder, "monthly.csv", header, rows, note=lambda row: UNDEFINED_METRICS.get(row[1], ""))
    written = ["monthly.csv"]
    if result.has_idm:  # an observed IDM state and desa (or the user's own index)
        header, rows = result.idm_table()
        _write_csv(folder, "idm_status.csv", header, rows)
        written.append("idm_status.csv")
    plan = result.prepared.plan if result.prepared is not None else None
    header, rows = _village_rows(result, plan)
    # A mean over the runs that reach a month is undefined where none does (its share is 0).
    empty_when = {"mean_connection_month": "p_connected"}
    empty_when.update({f"mean_half_adoption_month:{sid}": f"p_half_adoption:{sid}" for sid in result.service_ids})
    _write_csv(folder, "villages.csv", header, rows, empty_when=empty_when)
    written.append("villages.csv")
    if plan is not None:
        collection = skio.to_geojson(
            plan.region,
            network=plan,
            properties={
                "technology": plan.technology,
                "p_connected": result.p_connected,
                "mean_connection_month": result.mean_connection_month,
            },
            link_properties={
                "technology": plan.technology,
                "link_km": plan.link_km,
                "mean_connection_month": result.mean_connection_month,
            },
        )
        skio.write_geojson(collection, folder.path("network.geojson"))
        written.append("network.geojson")
        written += _write_layers(
            folder,
            plan,
            connection_month=result.mean_connection_month,
            p_connected=result.p_connected,
            scenario=result.prepared.scenario,
            boundaries=land,
        )
    notes = _notes_text(_plan_notes(plan), lang) if plan is not None else ""
    folder.write_text("summary.txt", _summary_text(result, lang, currency) + "\n" + (f"\n{notes}" if notes else ""))
    written.append("summary.txt")
    if not args.no_plots and _plots_available():
        _save(plots.coverage(result, lang=lang), folder.path("coverage.png"))
        _save(plots.adoption_by_pillar(result, lang=lang), folder.path("adoption_by_pillar.png"))
        _save(plots.connection_map(result, lang=lang), folder.path("connection_map.png"))
        written += ["coverage.png", "adoption_by_pillar.png", "connection_map.png"]
        if result.has_idm:
            _save(plots.idm_status(result, lang=lang), folder.path("idm_status.png"))
            written.append("idm_status.png")
    elif not args.no_plots:
        _err('matplotlib is not installed: no plots written (pip install "smartkampung[plot]")')
    if not args.no_report and result.prepared is not None:
        folder.write_text(
            "report.html", _report_html(result, lang=lang, currency=currency, inputs=_inputs(), boundaries=land)
        )
        written.append("report.html")
    if result.prepared is not None:
        skio.write_result(folder.path("result.json").parent, result, land=land)
        written += ["result.json", "result.npz"]
    return written
