"""The ``smartkampung`` command: run a scenario from a file, plan a rollout, check files, start a city.

Exit codes: 0 success, 1 invalid input (every problem is printed, with file,
record and field), 2 wrong usage. A user's mistake never prints a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io as _io
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from smartkampung._errors import DataFileError, FieldError, Problem, SmartKampungError, field_and_message

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEFAULT_SEED = 20160531  # the launch date of Smart Kampung; any integer will do


class _Usage(Exception):
    """A usage error found after parsing (exit code 2)."""


# ------------------------------------------------------------------ helpers


def _err(message: str) -> None:
    print(f"smartkampung: {message}", file=sys.stderr)


def _load_scenario(path: str | None) -> tuple[Any, Path | None]:
    from smartkampung import datasets
    from smartkampung.io import load
    from smartkampung.model import Scenario

    if path is None:
        return datasets.banyuwangi_scenario(), None
    file = Path(path)
    if file.is_dir():
        file = file / "scenario.toml"
    if file.suffix.lower() == ".csv":
        raise _Usage(f"{file} is a village table, not a scenario; make a scenario from it with: "
                     f"smartkampung init DIR --from-csv {file}")
    return load(file, Scenario), file.parent


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from smartkampung.io import atomic_write_text

    buffer = _io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    atomic_write_text(path, buffer.getvalue())


def _cell(value: Any) -> Any:
    # Full precision (a spreadsheet must add up to the totals): whole numbers
    # as integers, others as the shortest text that reads back exactly.
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    return value


def _out_dir(path: str) -> Path:
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _Usage(f"cannot create output folder {str(out)!r}: {exc.strerror}") from None
    return out


def _plots_available() -> bool:
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    return True


def _save(fig_ax: Any, path: Path) -> None:
    fig = fig_ax.get_figure()
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=120)
    os.replace(tmp, path)
    import matplotlib.pyplot as plt

    plt.close(fig)


# ------------------------------------------------------------------ simulate


def _cmd_simulate(args: argparse.Namespace) -> int:
    from smartkampung import io as skio
    from smartkampung import plots
    from smartkampung._api import simulate  # supplies the bundled IDM data where the scenario projects IDM

    scenario, base_dir = _load_scenario(args.scenario)
    region = skio.read_region(scenario.region, base_dir=base_dir)
    out = _out_dir(args.out)
    started = time.perf_counter()
    progress = sys.stderr.isatty() and not args.quiet
    executor = _executor(args)
    try:
        result = simulate(scenario, runs=args.runs, rng=args.seed, region=region, executor=executor,
                          progress=progress or None)
    finally:
        if executor is not None:
            executor.shutdown()
    elapsed = time.perf_counter() - started

    header, rows = result.monthly_quantile_table()
    _write_csv(out / "monthly.csv", header, rows)
    if result.has_idm:  # an observed IDM state and desa (or the user's own index)
        header, rows = result.idm_table()
        _write_csv(out / "idm_status.csv", header, rows)
    header, rows = result.village_table()
    plan = result.prepared.plan if result.prepared is not None else None
    if plan is not None:
        header = ["code", "name", "kind", "district_code", "population", "households", "technology",
                  "link_km", "capex_idr", *header[1:]]
        technology = plan.technology
        rows = [[row[0], v.name, v.kind.value, v.district_code, v.population, v.households, technology[i],
                 float(plan.link_km[i]), float(plan.capex_idr[i]), *row[1:]]
                for i, (row, v) in enumerate(zip(rows, plan.region.villages, strict=True))]
    _write_csv(out / "villages.csv", header, rows)
    if plan is not None:
        collection = skio.to_geojson(
            plan.region, network=plan,
            properties={"technology": plan.technology, "p_connected": result.p_connected,
                        "mean_connection_month": result.mean_connection_month},
            link_properties={"technology": plan.technology, "link_km": plan.link_km,
                             "mean_connection_month": result.mean_connection_month})
        skio.write_geojson(collection, out / "network.geojson")
    written = ["monthly.csv", *(["idm_status.csv"] if result.has_idm else []), "villages.csv", "network.geojson",
               "summary.txt"]
    if not args.no_plots and _plots_available():
        _save(plots.coverage(result), out / "coverage.png")
        _save(plots.adoption_by_pillar(result), out / "adoption_by_pillar.png")
        _save(plots.connection_map(result), out / "connection_map.png")
        written += ["coverage.png", "adoption_by_pillar.png", "connection_map.png"]
        if result.has_idm:
            _save(plots.idm_status(result), out / "idm_status.png")
            written.append("idm_status.png")
    elif not args.no_plots:
        _err("matplotlib is not installed: no plots written (pip install \"smartkampung[plot]\")")
    summary = result.summary()
    skio.atomic_write_text(out / "summary.txt", summary + "\n")
    if not args.quiet:
        print(summary)
        print(f"\n{args.runs} runs in {elapsed:.1f} s; wrote {', '.join(written)} to {out}/")
    return EXIT_OK


def _executor(args: argparse.Namespace) -> Any:
    if args.executor == "serial":
        return None
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    workers = args.workers or os.cpu_count() or 1
    if args.executor == "threads":
        return ThreadPoolExecutor(workers)
    return ProcessPoolExecutor(workers)


# ------------------------------------------------------------------ plan


def _without_idm(scenario: Any) -> Any:
    import attrs

    return attrs.evolve(scenario, outcomes=attrs.evolve(scenario.outcomes, idm=type(scenario.outcomes.idm)()))


def _cmd_plan(args: argparse.Namespace) -> int:
    import numpy as np

    from smartkampung import io as skio
    from smartkampung.sim import prepare, schedule_rollout
    from smartkampung.sim.distributions import quantile
    from smartkampung.sim.run import median_budget

    scenario, base_dir = _load_scenario(args.scenario)
    region = skio.read_region(scenario.region, base_dir=base_dir)
    out = _out_dir(args.out)
    prepared = prepare(_without_idm(scenario), region)  # a plan projects no IDM
    plan = prepared.plan
    ro = scenario.rollout
    months = scenario.horizon_months
    # The plan uses the median of every uncertain budget.
    budget = median_budget(scenario)
    sched = schedule_rollout(plan, budget_idr_per_month=budget, n_months=months, policy=ro.policy,
                             build_km_per_month=ro.build_km_per_month, carry_over=ro.carry_over,
                             initially_connected=ro.initially_connected,
                             capex_multiplier=float(quantile(ro.capex_multiplier, 0.5)))
    cols = plan.columns
    codes = cols.code.tolist()
    conn = sched.connection_month
    within = conn < months
    rows = []
    for i, v in enumerate(plan.region.villages):
        parent = plan.parent[i]
        via = codes[parent] if parent >= 0 else (plan.backbone[plan.backbone_index[i]].id
                                                 if plan.backbone_index[i] >= 0 else "")
        rows.append([v.code, v.name, v.kind.value, v.district_code, v.population, v.households,
                     plan.technology[i], via, float(plan.link_km[i]), float(plan.capex_idr[i]),
                     float(plan.opex_idr_per_year[i]), int(conn[i]) if within[i] else "",
                     scenario.month_label(int(conn[i])) if within[i] else "never"])
    _write_csv(out / "plan_villages.csv", ["code", "name", "kind", "district_code", "population", "households",
                                           "technology", "connects_via", "link_km", "capex_idr",
                                           "opex_idr_per_year", "connection_month", "connection_date"], rows)
    villages = sched.connected_count()
    households = sched.connected_count(cols.households)
    people = sched.connected_count(cols.population)
    _write_csv(out / "plan_monthly.csv", ["month", "budget_idr", "spend_idr", "km_built", "villages_connected",
                                          "households_connected", "people_connected"],
               [[scenario.month_label(t), float(sched.budget_idr[t]), float(sched.spend_idr[t]),
                 float(sched.km_built[t]), int(villages[t]), float(households[t]), float(people[t])]
                for t in range(months)])
    month_values = np.where(within, conn, np.nan).astype(float)
    skio.write_geojson(skio.to_geojson(plan.region, network=plan,
                                       properties={"technology": plan.technology, "connection_month": month_values},
                                       link_properties={"technology": plan.technology, "link_km": plan.link_km,
                                                        "connection_month": month_values}),
                       out / "plan_network.geojson")
    written = ["plan_villages.csv", "plan_monthly.csv", "plan_network.geojson"]
    if not args.no_plots and _plots_available():
        from smartkampung.plots import network_map

        _save(network_map(plan, month_values, title=f"{scenario.name}: rollout plan (median budget)",
                          missing_label="not connected"), out / "plan_map.png")
        written.append("plan_map.png")
    n = cols.n_villages
    done = int(within.sum())
    last = int(conn[within].max()) if done else -1
    counts = ", ".join(f"{k} {v}" for k, v in plan.counts().items())
    print(f"{scenario.name}: {n} villages ({counts}); fibre {plan.fibre_km:,.1f} km; "
          f"capex Rp {plan.total_capex_idr / 1e9:,.2f} bn; opex Rp {plan.total_opex_idr_per_year / 1e9:,.2f} bn/yr")
    print(f"median budget: {done} of {n} villages connected within {months} months"
          + (f", the last in {scenario.month_label(last)}" if done else "")
          + f"; spent Rp {sched.spend_idr.sum() / 1e9:,.2f} bn")
    print(f"wrote {', '.join(written)} to {out}/")
    return EXIT_OK


# ------------------------------------------------------------------ validate


def _kind_of(path: Path, data: Any) -> str:
    if path.suffix.lower() == ".csv":
        return "villages"
    if isinstance(data, dict):
        if "region" in data and "name" in data:
            return "scenario"
        if "services" in data or "pillars" in data:
            return "programme"
        if "villages" in data:
            return "region"
    return "unknown"


def _validate_file(path: Path) -> list[Problem]:
    import tomllib

    from smartkampung.io import load, read_region, read_villages_csv
    from smartkampung.model import Programme, Region, Scenario

    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            read_villages_csv(path, region_code="CHECK", region_name="check", country="ZZ")
            return []
        if suffix not in (".toml", ".json"):
            return [Problem(f"cannot tell the kind of file from its suffix {suffix!r}: use .csv, .toml or .json")]
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError):
            data = None  # load() below reports the problem with its position
        kind = _kind_of(path, data)
        cls = {"scenario": Scenario, "programme": Programme, "region": Region}.get(kind, Scenario)
        loaded: object = load(path, cls)
        if isinstance(loaded, Scenario) and loaded.region.csv is not None:
            read_region(loaded.region, base_dir=path.parent)
        return []
    except DataFileError as exc:
        if exc.source != str(path):
            return [Problem(str(p.message), record=f"{exc.source}: {p.record}" if p.record else exc.source,
                            field=p.field) for p in exc.problems]
        return exc.problems


def _cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for name in args.files:
        path = Path(name)
        problems = _validate_file(path)
        if problems:
            failed += 1
            print(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
            for p in problems:
                print(f"  - {p}")
        elif not args.quiet:
            print(f"{path}: ok")
    return EXIT_INVALID if failed else EXIT_OK


# ------------------------------------------------------------------ init


def _cmd_init(args: argparse.Namespace) -> int:
    import attrs

    from smartkampung import datasets
    from smartkampung.io import atomic_write_text, dumps, read_villages_csv
    from smartkampung.io._converter import unstructure
    from smartkampung.io._toml import toml_dumps
    from smartkampung.model import RegionSource, Scenario, VillageKind

    folder = Path(args.dir)
    scenario_file = folder / "scenario.toml"
    programme_file = folder / "programme.toml"
    csv_target = folder / "villages.csv"
    source_csv = Path(args.from_csv) if args.from_csv else None
    if source_csv is None:
        given = [f"--{name}" for name in ("code", "name", "kind") if getattr(args, name) is not None]
        given += ["--country"] if args.country is not None else []
        if given:
            raise _Usage(f"{', '.join(given)} describe the villages of --from-csv; without it init writes the "
                         "Banyuwangi scenario")
    # Every check before anything is written.
    targets = [scenario_file, programme_file]
    if source_csv is not None and csv_target.resolve() != source_csv.resolve():
        targets.append(csv_target)
    existing = [str(t) for t in targets if t.exists()]
    if existing and not args.force:
        raise _Usage(f"{', '.join(existing)} exist{'s' if len(existing) == 1 else ''}; pass --force to overwrite")
    base = datasets.banyuwangi_scenario()
    if args.start is not None:
        try:
            attrs.evolve(base, start=args.start)
        except FieldError as exc:
            raise _Usage(f"--start {exc.message.removeprefix('start ')}") from None
    if source_csv is not None:
        kind = VillageKind(args.kind or "village")
        country = args.country or "ID"
        code = args.code or source_csv.stem
        name = args.name or source_csv.stem.replace("_", " ").title()
        # Read it now so a bad file fails before anything is written.
        region = read_villages_csv(source_csv, region_code=code, region_name=name, country=country,
                                   default_kind=kind)
        region_source = RegionSource(csv="villages.csv", code=code, name=name, country=country, kind=kind)
        scenario = Scenario(
            name=f"Smart village programme: {name}", region=region_source, programme=base.programme,
            start=args.start or "2026-01", horizon_months=base.horizon_months,
            rollout=_starter_rollout(base.rollout),
            adoption=base.adoption,
            outcomes=type(base.outcomes)(),  # the office defaults to the population centre
            description=f"Starter scenario written by 'smartkampung init' for {region.n_villages} villages "
                        f"from {source_csv.name}. Every value is a Smart Kampung default: edit to your city.",
        )
    else:
        scenario = attrs.evolve(base, start=args.start) if args.start else base
    folder.mkdir(parents=True, exist_ok=True)
    if source_csv is not None and csv_target in targets:
        tmp = csv_target.with_name(".villages.csv.tmp")
        shutil.copyfile(source_csv, tmp)
        os.replace(tmp, csv_target)
    header = ("# smartkampung scenario. Check it with: smartkampung validate scenario.toml\n"
              "# Run it with: smartkampung simulate scenario.toml --out results\n"
              "# The programme (pillars, services, technologies) is in programme.toml.\n"
              "# Units: money in rupiah-equivalent (IDR) unless a name says otherwise, months, km.\n\n")
    document = unstructure(scenario)
    document["programme"] = programme_file.name
    atomic_write_text(programme_file, "# Pillars, services and technologies: add, remove or edit entries.\n\n"
                      + dumps(scenario.programme, "toml"))
    atomic_write_text(scenario_file, header + toml_dumps(document))
    written = ["scenario.toml", "programme.toml"] + (["villages.csv"] if source_csv is not None else [])
    print(f"wrote {', '.join(written)} into {folder}")
    print(f"next: smartkampung simulate {scenario_file} --out {folder / 'results'}")
    return EXIT_OK


def _starter_rollout(rollout: Any) -> Any:
    import attrs

    from smartkampung.model import Fixed

    # A partner city has no fitted budget: start from Banyuwangi's later pace,
    # with no phases and nothing connected at the start.
    return attrs.evolve(rollout, budget_idr_per_month=Fixed(2.0e9), budget_phases=(), initially_connected=0,
                        policy="population")


# ------------------------------------------------------------------ schema


def _cmd_schema(args: argparse.Namespace) -> int:
    from smartkampung.io import atomic_write_text, json_schema
    from smartkampung.model import Programme, Region, Scenario

    cls = {"scenario": Scenario, "programme": Programme, "region": Region}[args.kind]
    text = json.dumps(json_schema(cls), indent=2) + "\n"
    if args.out:
        atomic_write_text(args.out, text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


# ------------------------------------------------------------------ parser


def _parser() -> argparse.ArgumentParser:
    from smartkampung import __version__

    parser = argparse.ArgumentParser(
        prog="smartkampung",
        description="Model smart-village programmes: rollout under a budget, service adoption, outcomes. "
                    "With no scenario, commands use the bundled Banyuwangi Smart Kampung scenario.",
    )
    parser.add_argument("--version", action="version", version=f"smartkampung {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = sub.add_parser("simulate", help="run a Monte Carlo ensemble of a scenario and write its outputs",
                         description="Run a scenario's ensemble; write monthly.csv (totals with quantiles), "
                                     "idm_status.csv, villages.csv, network.geojson, summary.txt and PNG plots "
                                     "into --out.")
    sim.add_argument("scenario", nargs="?", help="scenario file (.toml/.json) or a folder holding scenario.toml; "
                                                 "default: the bundled Banyuwangi scenario")
    sim.add_argument("--runs", type=_positive_int, default=100, help="number of runs (default 100)")
    sim.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})")
    sim.add_argument("--out", default="smartkampung-output", help="output folder (default smartkampung-output)")
    sim.add_argument("--executor", choices=("serial", "threads", "processes"), default="serial",
                     help="where runs execute (default serial); results are identical for any choice")
    sim.add_argument("--workers", type=_positive_int, default=None, help="workers for threads/processes")
    sim.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    sim.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    sim.set_defaults(func=_cmd_simulate)

    plan = sub.add_parser("plan", help="plan the rollout alone: fibre tree, technology, schedule",
                          description="Plan the network and schedule it with the median budget; write "
                                      "plan_villages.csv, plan_monthly.csv, plan_network.geojson and plan_map.png.")
    plan.add_argument("scenario", nargs="?", help="scenario file or folder; default: Banyuwangi")
    plan.add_argument("--out", default="smartkampung-plan", help="output folder (default smartkampung-plan)")
    plan.add_argument("--seed", type=int, default=DEFAULT_SEED, help="root seed")
    plan.add_argument("--no-plots", action="store_true", help="skip the PNG map")
    plan.set_defaults(func=_cmd_plan)

    val = sub.add_parser("validate", help="check scenario, programme, region and village files",
                         description="Check files and print every problem with file, record and field. "
                                     "Exit status 1 if any file has a problem.")
    val.add_argument("files", nargs="+", metavar="FILE", help=".toml/.json (scenario, programme, region) or .csv")
    val.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    val.set_defaults(func=_cmd_validate)

    init = sub.add_parser("init", help="write a starter scenario for a new city",
                          description="Write DIR/scenario.toml and DIR/programme.toml (and DIR/villages.csv "
                                      "with --from-csv), ready to edit and run.")
    init.add_argument("dir", help="folder to write into (created if needed)")
    init.add_argument("--from-csv", metavar="VILLAGES.csv",
                      help="villages: columns code, name, district_code, lat, lon, population "
                           "(optional kind, households, district_name, population_year)")
    init.add_argument("--code", help="region code (default: the CSV's file name)")
    init.add_argument("--name", help="region name (default: from the CSV's file name)")
    init.add_argument("--country", help="ISO 3166-1 alpha-2 country code (default ID)")
    init.add_argument("--kind", help="village kind for rows without one: desa, kelurahan, barangay, tambon, "
                                     "muban, xa, phuong, kampung, village (default)")
    init.add_argument("--start", help="first month, YYYY-MM (default 2026-01; the Banyuwangi scenario's own "
                                      "2016-06 without --from-csv)")
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    init.set_defaults(func=_cmd_init)

    schema = sub.add_parser("schema", help="print the JSON Schema of the file formats",
                            description="JSON Schema (draft 2020-12) for editors and other languages.")
    schema.add_argument("--kind", choices=("scenario", "programme", "region"), default="scenario")
    schema.add_argument("--out", help="write to this file instead of standard output")
    schema.set_defaults(func=_cmd_schema)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = args.func(args)
        return code
    except _Usage as exc:
        _err(str(exc))
        return EXIT_USAGE
    except SmartKampungError as exc:
        _err(str(exc))
        return EXIT_INVALID
    except ValueError as exc:  # e.g. an unknown village kind given on the command line
        _err(field_and_message(exc)[1])
        return EXIT_USAGE
    except MemoryError:
        _err("not enough memory: reduce --runs, the horizon or the number of villages")
        return EXIT_INVALID
    except OSError as exc:  # a folder that cannot be made, a file that cannot be written
        where = f": {exc.filename}" if exc.filename else ""
        _err(f"{exc.strerror or exc}{where}")
        return EXIT_INVALID
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
