"""``smartkampung plan``: the rollout alone (fibre tree, technology, schedule at the median budget)."""

from __future__ import annotations

import argparse
from typing import Any

from smartkampung.cli._common import (
    DEFAULT_SEED,
    EXIT_OK,
    PLAN_FILES,
    _check_inputs_outside,
    _inputs,
    _load_scenario,
    _output_folder,
    _parameters,
    _plan_notes,
    _plots_available,
    _prepare_from_files,
    _save,
    _write_csv,
)
from smartkampung.cli._options import _folder, _lang_argument
from smartkampung.cli._outputs import _notes_text, _write_layers
from smartkampung.cli._warnings import _print_warnings


def _cmd_plan(args: argparse.Namespace) -> int:
    from smartkampung.sim import schedule_rollout
    from smartkampung.sim.distributions import quantile
    from smartkampung.sim.run import median_budget

    scenario, base_dir = _load_scenario(args.scenario)
    folder = _output_folder(args.out, "plan", PLAN_FILES)
    lang = args.lang or "en"
    currency = scenario.currency
    prepared, land = _prepare_from_files(scenario, base_dir, idm=False)
    _check_inputs_outside(folder)
    plan = prepared.plan
    ro = scenario.rollout
    months = scenario.horizon_months
    # The plan uses the median of every uncertain budget (a posterior column's median).
    budget = median_budget(scenario)
    sched = schedule_rollout(
        plan,
        budget_per_month=budget,
        n_months=months,
        policy=ro.policy,
        build_km_per_month=ro.build_km_per_month,
        carry_over=ro.carry_over,
        initially_connected=ro.initially_connected,
        capex_multiplier=float(quantile(ro.capex_multiplier, 0.5)),
    )
    _print_warnings()
    summary = _plan_summary(scenario, plan, sched, lang, currency)
    with folder:
        written = _write_plan_outputs(folder, scenario, plan, sched, args, land=land, lang=lang, currency=currency)
        folder.write_text("plan_summary.txt", summary)
        written.append("plan_summary.txt")
        folder.commit(parameters=_parameters(args, seed=args.seed, lang=lang, currency=currency), inputs=_inputs())
    print(summary, end="")
    print(f"wrote {', '.join(written)} to {folder.target}/")
    return EXIT_OK


def _plan_summary(scenario: Any, plan: Any, sched: Any, lang: str, currency: str) -> str:
    """What ``plan`` prints and writes to ``plan_summary.txt``: the network, its schedule, the plan's notes."""
    from smartkampung._i18n import label, money, month_name, number

    months = scenario.horizon_months
    conn = sched.connection_month
    within = conn < months
    n = plan.n_villages
    done = int(within.sum())
    last = int(conn[within].max()) if done else -1
    counts = ", ".join(f"{k} {v}" for k, v in plan.counts().items())
    lines = [
        label("plan_line", lang, scenario=scenario.name, n=n, counts=counts, km=number(plan.fibre_km, lang, digits=1),
              capex=money(plan.total_capex, currency, lang), opex=money(plan.total_opex_per_year, currency,
                                                                              lang)),
        label("plan_schedule_line", lang, done=done, n=n, months=months,
              last=label("plan_last", lang, month=month_name(scenario.month_label(last), lang=lang)) if done else "",
              spent=money(float(sched.spend.sum()), currency, lang)),
    ]  # fmt: skip
    notes = _notes_text(_plan_notes(plan), lang)
    return "\n".join(lines) + "\n" + notes


def _write_plan_outputs(
    folder: Any, scenario: Any, plan: Any, sched: Any, args: argparse.Namespace, *, land: Any, lang: str, currency: str
) -> list[str]:
    """Write the outputs of ``plan`` into ``folder`` (an OutputFolder); return the names written."""
    import numpy as np

    from smartkampung import io as skio

    months = scenario.horizon_months
    cols = plan.columns
    codes = cols.code.tolist()
    conn = sched.connection_month
    within = conn < months
    rows = []
    for i, v in enumerate(plan.region.villages):
        parent = plan.parent[i]
        via = (
            codes[parent]
            if parent >= 0
            else (plan.backbone[plan.backbone_index[i]].id if plan.backbone_index[i] >= 0 else "")
        )
        rows.append(
            [
                v.code,
                v.name,
                v.kind.value,
                v.district_code,
                v.population,
                v.households,
                plan.technology[i],
                via,
                float(plan.link_km[i]),
                float(plan.water_km[i]),
                float(plan.capex[i]),
                float(plan.opex_per_year[i]),
                int(conn[i]) if within[i] else "",
                scenario.month_label(int(conn[i])) if within[i] else "never",
            ]
        )
    _write_csv(
        folder,
        "plan_villages.csv",
        [
            "code",
            "name",
            "kind",
            "district_code",
            "population",
            "households",
            "technology",
            "connects_via",
            "link_km",
            "water_km",
            "capex",
            "opex_per_year",
            "connection_month",
            "connection_date",
        ],
        rows,
    )
    villages = sched.connected_count()
    households = sched.connected_count(cols.households)
    people = sched.connected_count(cols.population)
    _write_csv(
        folder,
        "plan_monthly.csv",
        ["month", "budget", "spend", "km_built", "villages_connected", "households_connected", "people_connected"],
        [
            [
                scenario.month_label(t),
                float(sched.budget[t]),
                float(sched.spend[t]),
                float(sched.km_built[t]),
                int(villages[t]),
                float(households[t]),
                float(people[t]),
            ]
            for t in range(months)
        ],
    )
    month_values = np.where(within, conn, np.nan).astype(float)
    # null connection_month where the village is not connected within the horizon: connection_date says "never"
    dates = [scenario.month_label(int(c)) if w else "never" for c, w in zip(conn, within, strict=True)]
    skio.write_geojson(
        skio.to_geojson(
            plan.region,
            network=plan,
            properties={"technology": plan.technology, "connection_month": month_values, "connection_date": dates},
            link_properties={"technology": plan.technology, "link_km": plan.link_km, "connection_month": month_values},
        ),
        folder.path("plan_network.geojson"),
    )
    written = ["plan_villages.csv", "plan_monthly.csv", "plan_network.geojson"]
    written += _write_layers(
        folder,
        plan,
        connection_month=month_values,
        p_connected=within.astype(float),
        scenario=scenario,
        boundaries=land,
        prefix="plan_",
    )
    labels = tuple(scenario.month_label(t) for t in range(months))
    if not args.no_plots and _plots_available():
        from smartkampung._i18n import label
        from smartkampung.plots import network_map

        _save(
            network_map(
                plan,
                month_values,
                title=label("plan_title", lang, scenario=scenario.name),
                missing_label=label("never_connected", lang),
                month_labels=labels,
                lang=lang,
            ),
            folder.path("plan_map.png"),
        )
        written.append("plan_map.png")
    if not args.no_report:
        from smartkampung.report import build_plan_report

        text = build_plan_report(
            plan,
            sched,
            scenario,
            lang=lang,
            currency=currency,
            boundaries=land,
            inputs=[(str(i["path"]), str(i["sha256"])) for i in _inputs()],
        )
        folder.write_text("report.html", text)
        written.append("report.html")
    return written


def add_parser(sub: Any) -> None:
    """Add the ``plan`` command to the subparsers ``sub``."""
    plan = sub.add_parser(
        "plan",
        help="plan the rollout alone: fibre tree, technology, schedule",
        description="Plan the network (water crossings priced where the package has the region's village "
        "polygons) and schedule it with the median budget; write plan_villages.csv, plan_monthly.csv, "
        "plan_villages.geojson and plan_links.geojson (GIS layers with connection dates), plan_network.geojson, "
        "plan_summary.txt, report.html (an offline report), plan_map.png and manifest.json, all at once.",
    )
    plan.add_argument("scenario", nargs="?", help="scenario file or folder; default: Banyuwangi")
    plan.add_argument(
        "--out",
        type=_folder,
        default="smartkampung-plan",
        help="output folder (default smartkampung-plan); replaced whole by each run",
    )
    plan.add_argument("--seed", type=int, default=DEFAULT_SEED, help="root seed")
    plan.add_argument("--no-plots", action="store_true", help="skip the PNG map")
    plan.add_argument("--no-report", action="store_true", help="skip report.html")
    _lang_argument(plan, "the summary, the map and the report")
    plan.set_defaults(func=_cmd_plan)
