"""The ``smartkampung`` command: run a scenario from a file, plan a rollout, check files, start a city.

Exit codes: 0 success, 1 invalid input (every problem is printed, with file,
record and field), 2 wrong usage, 130 interrupted (Ctrl-C). A user's mistake
never prints a traceback. Output folders are written whole or not at all
(:class:`smartkampung.io.OutputFolder`): an interrupted or failed run leaves
the previous output as it was.
"""

from __future__ import annotations

import argparse
import csv
import io as _io
import json
import math
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from smartkampung._errors import (
    DataFileError,
    DataWarning,
    FieldError,
    OutputFolderError,
    Problem,
    SmartKampungError,
    field_and_message,
    hints_for,
)

__all__ = ["main", "run"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_SEED = 20160531  # the launch date of Smart Kampung; any integer will do
#: Most runs of one ``simulate`` (a guard against a mistyped number).
MAX_RUNS = 100_000
#: Most memory the monthly results of one ensemble may take (runs × metrics × months × 8 bytes). [bytes]
MAX_RESULT_BYTES = 2 * 2**30

#: Files each command writes into its output folder (besides manifest.json).
SIMULATE_FILES = ("monthly.csv", "idm_status.csv", "villages.csv", "network.geojson", "summary.txt",
                  "coverage.png", "adoption_by_pillar.png", "connection_map.png", "idm_status.png")
PLAN_FILES = ("plan_villages.csv", "plan_monthly.csv", "plan_network.geojson", "plan_map.png")
INIT_FILES = ("scenario.toml", "programme.toml", "villages.csv")
#: Why a monthly metric can be undefined (written as an empty cell, with this note).
UNDEFINED_METRICS = {
    "cost_per_connected_household_idr": "undefined while no household is connected (in at least one run)",
    "cost_per_transaction_idr": "undefined before the first transaction (in at least one run)",
}


class _Usage(Exception):
    """A usage error found after parsing (exit code 2)."""


# ------------------------------------------------------------------ helpers


def _err(message: str) -> None:
    if sys.stderr is not None:
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


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[Any]], *, name: str,
              empty_when: Mapping[str, str] | None = None, note: Callable[[Sequence[Any]], str] | None = None) -> str:
    """A CSV table as text, full precision, with no NaN or infinity left unexplained.

    A cell that is not a finite number is written empty, and only where the
    table says why: in a column listed in ``empty_when`` (column -> the
    column whose 0 explains it, such as ``mean_connection_month`` ->
    ``p_connected``), or in a row for which ``note(row)`` gives the reason
    (written in a last ``note`` column). Anything else is a bug and raises.
    """
    empty_when = dict(empty_when or {})
    index = {h: i for i, h in enumerate(header)}
    buffer = _io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*header, "note"] if note is not None else header)
    for row in rows:
        undefined = [i for i, v in enumerate(row) if isinstance(v, float) and not math.isfinite(v)]
        reason = ""
        for i in undefined:
            column = header[i]
            explained_by = empty_when.get(column)
            if explained_by is not None and row[index[explained_by]] == 0 and math.isnan(row[i]):
                continue
            reason = note(row) if note is not None and math.isnan(row[i]) else ""
            if not reason:
                raise RuntimeError(f"{name}: {column} is {row[i]!r} in row {list(row)[:3]} with no reason given "
                                   "(a bug: please report it)")
        cells = [_cell(v) for v in row]
        writer.writerow([*cells, reason] if note is not None else cells)
    return buffer.getvalue()


def _write_csv(folder: Any, name: str, header: Sequence[str], rows: Sequence[Sequence[Any]], **rules: Any) -> None:
    folder.write_text(name, _csv_text(header, rows, name=name, **rules))


def _cell(value: Any) -> Any:
    # Full precision (a spreadsheet must add up to the totals): whole numbers
    # as integers, others as the shortest text that reads back exactly;
    # NaN (undefined, explained by the table) as an empty cell.
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    return value


def _output_folder(path: str, command: str, known: Sequence[str]) -> Any:
    """The command's output folder, checked now (before any work) but written only at the end."""
    from smartkampung.io import OutputFolder

    try:
        return OutputFolder(path, command=command, known_names=(*SIMULATE_FILES, *PLAN_FILES, *known))
    except OutputFolderError as exc:
        raise _Usage(str(exc)) from None


def _plots_available() -> bool:
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    return True


def _save(fig_ax: Any, path: Path) -> None:
    fig = fig_ax.get_figure()
    fig.savefig(path, dpi=120)  # into the output folder's private staging copy: no temporary name needed
    import matplotlib.pyplot as plt

    plt.close(fig)


def _inputs() -> list[dict[str, Any]]:
    """The input files read so far by this command (for the manifest)."""
    from smartkampung.io._read import _INPUTS

    unique = {(i["path"], i["sha256"]): i for i in _INPUTS.get() or []}  # a file read twice is listed once
    return list(unique.values())


# ------------------------------------------------------------------ simulate


def _cmd_simulate(args: argparse.Namespace) -> int:
    from smartkampung._api import simulate  # reads the region; supplies the bundled IDM data where it is projected

    scenario, base_dir = _load_scenario(args.scenario)
    folder = _output_folder(args.out, "simulate", SIMULATE_FILES)
    _check_result_size(scenario, args.runs)
    started = time.perf_counter()
    progress = sys.stderr is not None and sys.stderr.isatty() and not args.quiet
    executor = _executor(args)
    try:
        result = simulate(scenario, runs=args.runs, rng=args.seed, base_dir=base_dir, executor=executor,
                          progress=progress or None)
    except BaseException:
        _stop_executor(executor)  # Ctrl-C or an error: cancel what is queued, stop the workers now
        raise
    if executor is not None:
        executor.shutdown()
    elapsed = time.perf_counter() - started
    _print_warnings()
    with folder:
        written = _write_simulation_outputs(folder, result, args)
        folder.commit(parameters=_parameters(args, runs=args.runs, seed=args.seed, executor=args.executor),
                      inputs=_inputs())
    if not args.quiet:
        print(_summary_text(result))
        print(f"\n{args.runs} runs in {elapsed:.1f} s; wrote {', '.join(written)} to {folder.target}/")
    return EXIT_OK


def _parameters(args: argparse.Namespace, **values: Any) -> dict[str, Any]:
    scenario = getattr(args, "scenario", None)
    return {"scenario": str(Path(scenario).resolve()) if scenario else "bundled Banyuwangi scenario", **values}


def _check_result_size(scenario: Any, runs: int) -> None:
    programme = scenario.programme
    metrics = 13 + 2 * len(programme.services) + 2 * len(programme.pillars)
    size = runs * metrics * scenario.horizon_months * 8
    if size > MAX_RESULT_BYTES:
        raise _Usage(f"--runs {runs} would keep {size / 2**30:.1f} GiB of monthly results ({runs} runs x "
                     f"{metrics} metrics x {scenario.horizon_months} months x 8 bytes); at most "
                     f"{MAX_RESULT_BYTES / 2**30:.0f} GiB: use fewer runs (several seeds, if need be) or a shorter "
                     "horizon")


def _summary_text(result: Any) -> str:
    summary: str = result.summary()
    if "nan" in summary.split():
        summary += ("\n(nan: undefined in at least one run; cost per connected household before any household is "
                    "connected, cost per transaction before the first transaction)")
    return summary


def _write_simulation_outputs(folder: Any, result: Any, args: argparse.Namespace) -> list[str]:
    """Write every output of a simulation into ``folder`` (an OutputFolder); return the names written."""
    from smartkampung import io as skio
    from smartkampung import plots

    header, rows = result.monthly_quantile_table()
    _write_csv(folder, "monthly.csv", header, rows, note=lambda row: UNDEFINED_METRICS.get(row[1], ""))
    written = ["monthly.csv"]
    if result.has_idm:  # an observed IDM state and desa (or the user's own index)
        header, rows = result.idm_table()
        _write_csv(folder, "idm_status.csv", header, rows)
        written.append("idm_status.csv")
    header, rows = result.village_table()
    plan = result.prepared.plan if result.prepared is not None else None
    if plan is not None:
        header = ["code", "name", "kind", "district_code", "population", "households", "technology",
                  "link_km", "capex_idr", *header[1:]]
        technology = plan.technology
        rows = [[row[0], v.name, v.kind.value, v.district_code, v.population, v.households, technology[i],
                 float(plan.link_km[i]), float(plan.capex_idr[i]), *row[1:]]
                for i, (row, v) in enumerate(zip(rows, plan.region.villages, strict=True))]
    # A mean over the runs that reach a month is undefined where none does (its share is 0).
    empty_when = {"mean_connection_month": "p_connected"}
    empty_when.update({f"mean_half_adoption_month:{sid}": f"p_half_adoption:{sid}" for sid in result.service_ids})
    _write_csv(folder, "villages.csv", header, rows, empty_when=empty_when)
    written.append("villages.csv")
    if plan is not None:
        collection = skio.to_geojson(
            plan.region, network=plan,
            properties={"technology": plan.technology, "p_connected": result.p_connected,
                        "mean_connection_month": result.mean_connection_month},
            link_properties={"technology": plan.technology, "link_km": plan.link_km,
                             "mean_connection_month": result.mean_connection_month})
        skio.write_geojson(collection, folder.path("network.geojson"))
        written.append("network.geojson")
    folder.write_text("summary.txt", _summary_text(result) + "\n")
    written.append("summary.txt")
    if not args.no_plots and _plots_available():
        _save(plots.coverage(result), folder.path("coverage.png"))
        _save(plots.adoption_by_pillar(result), folder.path("adoption_by_pillar.png"))
        _save(plots.connection_map(result), folder.path("connection_map.png"))
        written += ["coverage.png", "adoption_by_pillar.png", "connection_map.png"]
        if result.has_idm:
            _save(plots.idm_status(result), folder.path("idm_status.png"))
            written.append("idm_status.png")
    elif not args.no_plots:
        _err("matplotlib is not installed: no plots written (pip install \"smartkampung[plot]\")")
    return written


def _ignore_sigint() -> None:
    # In worker processes: Ctrl-C is for the parent, which cancels the work and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _executor(args: argparse.Namespace) -> Any:
    if args.executor == "serial":
        return None
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    workers = args.workers or os.cpu_count() or 1
    if args.executor == "threads":
        return ThreadPoolExecutor(workers)
    return ProcessPoolExecutor(workers, initializer=_ignore_sigint)


def _stop_executor(executor: Any) -> None:
    """Cancel queued work and stop the workers at once (after Ctrl-C or an error)."""
    if executor is None:
        return
    _ignore_interrupts()  # a second Ctrl-C must not interrupt the clean-up
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    terminate = getattr(executor, "terminate_workers", None)  # Python 3.14
    if callable(terminate):
        with suppress(Exception):  # already stopped
            terminate()
        return
    for process in processes:
        with suppress(Exception):  # already gone
            process.terminate()
    for process in processes:
        process.join(timeout=2)


def _ignore_interrupts() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


# ------------------------------------------------------------------ plan


def _prepare_from_files(scenario: Any, base_dir: Path | None, *, idm: bool = True) -> Any:
    """The scenario prepared on its own region, read from its files (with the bundled IDM data if it projects IDM)."""
    import attrs

    from smartkampung import io as skio
    from smartkampung._api import _with_idm
    from smartkampung.sim import prepare

    if not idm:  # a plan projects no IDM
        scenario = attrs.evolve(scenario, outcomes=attrs.evolve(scenario.outcomes, idm=type(scenario.outcomes.idm)()))
    region = skio.read_region(scenario.region, base_dir=base_dir)
    return prepare(scenario, region, **_with_idm(scenario, region, {}))


def _cmd_plan(args: argparse.Namespace) -> int:

    from smartkampung.sim import schedule_rollout
    from smartkampung.sim.distributions import quantile
    from smartkampung.sim.run import median_budget

    scenario, base_dir = _load_scenario(args.scenario)
    folder = _output_folder(args.out, "plan", PLAN_FILES)
    prepared = _prepare_from_files(scenario, base_dir, idm=False)
    plan = prepared.plan
    ro = scenario.rollout
    months = scenario.horizon_months
    # The plan uses the median of every uncertain budget (a posterior column's median).
    budget = median_budget(scenario)
    sched = schedule_rollout(plan, budget_idr_per_month=budget, n_months=months, policy=ro.policy,
                             build_km_per_month=ro.build_km_per_month, carry_over=ro.carry_over,
                             initially_connected=ro.initially_connected,
                             capex_multiplier=float(quantile(ro.capex_multiplier, 0.5)))
    _print_warnings()
    with folder:
        written = _write_plan_outputs(folder, scenario, plan, sched, args)
        folder.commit(parameters=_parameters(args, seed=args.seed), inputs=_inputs())
    cols = plan.columns
    conn = sched.connection_month
    within = conn < months
    n = cols.n_villages
    done = int(within.sum())
    last = int(conn[within].max()) if done else -1
    counts = ", ".join(f"{k} {v}" for k, v in plan.counts().items())
    print(f"{scenario.name}: {n} villages ({counts}); fibre {plan.fibre_km:,.1f} km; "
          f"capex Rp {plan.total_capex_idr / 1e9:,.2f} bn; opex Rp {plan.total_opex_idr_per_year / 1e9:,.2f} bn/yr")
    print(f"median budget: {done} of {n} villages connected within {months} months"
          + (f", the last in {scenario.month_label(last)}" if done else "")
          + f"; spent Rp {sched.spend_idr.sum() / 1e9:,.2f} bn")
    print(f"wrote {', '.join(written)} to {folder.target}/")
    return EXIT_OK


def _write_plan_outputs(folder: Any, scenario: Any, plan: Any, sched: Any, args: argparse.Namespace) -> list[str]:
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
        via = codes[parent] if parent >= 0 else (plan.backbone[plan.backbone_index[i]].id
                                                 if plan.backbone_index[i] >= 0 else "")
        rows.append([v.code, v.name, v.kind.value, v.district_code, v.population, v.households,
                     plan.technology[i], via, float(plan.link_km[i]), float(plan.capex_idr[i]),
                     float(plan.opex_idr_per_year[i]), int(conn[i]) if within[i] else "",
                     scenario.month_label(int(conn[i])) if within[i] else "never"])
    _write_csv(folder, "plan_villages.csv", ["code", "name", "kind", "district_code", "population", "households",
                                             "technology", "connects_via", "link_km", "capex_idr",
                                             "opex_idr_per_year", "connection_month", "connection_date"], rows)
    villages = sched.connected_count()
    households = sched.connected_count(cols.households)
    people = sched.connected_count(cols.population)
    _write_csv(folder, "plan_monthly.csv", ["month", "budget_idr", "spend_idr", "km_built", "villages_connected",
                                            "households_connected", "people_connected"],
               [[scenario.month_label(t), float(sched.budget_idr[t]), float(sched.spend_idr[t]),
                 float(sched.km_built[t]), int(villages[t]), float(households[t]), float(people[t])]
                for t in range(months)])
    month_values = np.where(within, conn, np.nan).astype(float)
    # null connection_month where the village is not connected within the horizon: connection_date says "never"
    dates = [scenario.month_label(int(c)) if w else "never" for c, w in zip(conn, within, strict=True)]
    skio.write_geojson(skio.to_geojson(plan.region, network=plan,
                                       properties={"technology": plan.technology, "connection_month": month_values,
                                                   "connection_date": dates},
                                       link_properties={"technology": plan.technology, "link_km": plan.link_km,
                                                        "connection_month": month_values}),
                       folder.path("plan_network.geojson"))
    written = ["plan_villages.csv", "plan_monthly.csv", "plan_network.geojson"]
    if not args.no_plots and _plots_available():
        from smartkampung.plots import network_map

        _save(network_map(plan, month_values, title=f"{scenario.name}: rollout plan (median budget)",
                          missing_label="not connected"), folder.path("plan_map.png"))
        written.append("plan_map.png")
    return written


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


def _csv_options(args: argparse.Namespace) -> dict[str, Any]:
    """How to read a village CSV, from --delimiter, --decimal, --columns, --allow-zero-population."""
    return {"delimiter": args.delimiter, "decimal": args.decimal, "columns": _columns(args.columns),
            "allow_zero_population": args.allow_zero_population}


def _validate_file(path: Path, options: Mapping[str, Any]) -> tuple[list[Problem], list[Problem]]:
    """Every problem of one file and of the files it names, and its warnings (nothing raised)."""
    with _capture_warnings() as found:
        try:
            problems = _file_problems(path, options)
        except SmartKampungError as exc:  # one file's failure never stops the others
            problems = _problems_of(exc)
        except (OSError, MemoryError, RecursionError) as exc:
            problems = [Problem(f"cannot be checked: {exc}")]
    notes = []
    for w in found:
        notes.append(w.problem.with_source(w.source) if isinstance(w, DataWarning) else Problem(str(w)))
    # A problem in the file itself needs no file name: it is listed under it.
    return _here(problems, path), list(dict.fromkeys(_here(notes, path)))


def _here(problems: Sequence[Problem], path: Path) -> list[Problem]:
    return [Problem(p.message, record=p.record, field=p.field) if p.source == str(path) else p for p in problems]


def _problems_of(exc: SmartKampungError) -> list[Problem]:
    if isinstance(exc, DataFileError):
        return [p.with_source(exc.source) for p in exc.problems]
    return [Problem(str(exc))]


def _file_problems(path: Path, options: Mapping[str, Any]) -> list[Problem]:
    from smartkampung.io import load, read_villages_csv
    from smartkampung.io._files import _parse
    from smartkampung.io._read import MAX_DOCUMENT_BYTES, read_input_text, size_limit
    from smartkampung.model import Programme, Region, Scenario

    suffix = path.suffix.lower()
    if suffix == ".csv":
        read_villages_csv(path, region_code="CHECK", region_name="check", country="ZZ", **options)
        return []
    if suffix not in (".toml", ".json"):
        return [Problem(f"cannot tell the kind of file from its suffix {suffix!r}: use .csv, .toml or .json")]
    data = _parse(read_input_text(path, max_bytes=size_limit(MAX_DOCUMENT_BYTES, None, "validate")),
                  "toml" if suffix == ".toml" else "json", str(path))
    kind = _kind_of(path, data)
    cls = {"scenario": Scenario, "programme": Programme, "region": Region}.get(kind, Scenario)
    problems: list[Problem] = []
    loaded: Any = None
    try:
        loaded = load(path, cls)
    except DataFileError as exc:
        problems += [p.with_source(exc.source) for p in exc.problems]
    if cls is Scenario:
        problems += _scenario_csv_problems(path, data, loaded)
        if not problems and loaded is not None:
            problems += _prepare_problems(path, loaded)
    elif cls is Region and loaded is not None:
        from smartkampung.io._checks import region_checks

        errors, notes = region_checks(loaded, record_of=lambda i: f"$.villages[{i}] (code {loaded.villages[i].code})")
        problems += errors
        for note in notes:
            warnings.warn(DataWarning(str(path), note.message, record=note.record, field=note.field), stacklevel=1)
    return problems


def _scenario_csv_problems(path: Path, data: Any, loaded: Any) -> list[Problem]:
    """The problems of a scenario's village file, checked even when the scenario itself has problems."""
    from smartkampung.io import read_villages_csv
    from smartkampung.io._converter import StructureProblems, structure
    from smartkampung.io._csv import csv_arguments
    from smartkampung.model import RegionSource

    if loaded is not None:
        source = loaded.region
    else:
        try:
            source = structure(data.get("region") if isinstance(data, dict) else None, RegionSource)
        except StructureProblems:  # already listed among the scenario's problems
            return []
    if source.csv is None:
        return []
    csv_path = Path(source.csv)
    if not csv_path.is_absolute():
        csv_path = path.parent / csv_path
    try:
        read_villages_csv(csv_path, **csv_arguments(source))
    except DataFileError as exc:
        return [p.with_source(exc.source) for p in exc.problems]
    return []


def _prepare_problems(path: Path, scenario: Any) -> list[Problem]:
    """What ``simulate`` would refuse before its first run (the region against the scenario, the plan)."""
    try:
        _prepare_from_files(scenario, path.parent)
    except SmartKampungError as exc:
        return _problems_of(exc)
    return []


def _cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    options = _csv_options(args)
    for name in args.files:
        path = Path(name)
        problems, notes = _validate_file(path, options)
        if problems:
            failed += 1
            print(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
            for p in problems:
                print(f"  - {p}")
        elif not args.quiet or notes:
            print(f"{path}: ok" + (f", {len(notes)} warning{'s' if len(notes) != 1 else ''}" if notes else ""))
        for note in notes:
            print(f"  ! {note}")
    return EXIT_INVALID if failed else EXIT_OK


# ------------------------------------------------------------------ init

#: File names that say nothing about which region a table is of.
_GENERIC_NAMES = {"villages", "village", "desa", "kelurahan", "barangay", "barangays", "data", "export", "table",
                  "sheet", "sheet1", "book", "book1", "wilayah", "list", "region", "regions", "kampung", "input",
                  "villages_csv", "untitled", "download", "file"}


def _region_identity(args: argparse.Namespace, source_csv: Path, district_codes: Sequence[str]) -> tuple[str, str]:
    """The region's code and name: given, derived from the file, or asked for."""
    stem = source_csv.stem.strip()
    generic = stem.lower().replace("-", "_").replace(" ", "_") in _GENERIC_NAMES or not any(c.isalpha() for c in stem)
    code = args.code
    if code is None:
        parts = [c.split(".") for c in district_codes]
        common: list[str] = []
        for column in zip(*parts, strict=False):
            if len(set(column)) != 1:
                break
            common.append(column[0])
        common = common[: min((len(p) for p in parts), default=1) - 1]  # a district's code is longer
        if common:
            code = ".".join(common)  # Kemendagri districts 35.10.01, 35.10.02: the regency is 35.10
        elif not generic:
            code = stem
    name = args.name
    if name is None and not generic:
        name = stem.replace("_", " ").title()
    missing = [option for option, value in (("--code", code), ("--name", name)) if value is None]
    if missing and sys.stdin is not None and sys.stdin.isatty() and sys.stdout is not None:
        answers = {}
        for option in missing:
            answers[option] = input(f"region {option[2:]} (the file name {source_csv.name!r} does not say): ").strip()
        code = code or answers.get("--code") or None
        name = name or answers.get("--name") or None
        missing = [option for option, value in (("--code", code), ("--name", name)) if not value]
    if missing:
        raise _Usage(f"pass {' and '.join(missing)}: the file name {source_csv.name!r} does not say which region "
                     "the villages are of")
    return str(code), str(name)


def _canonical_csv(region: Any) -> str:
    """A region's villages as a CSV in the reader's own columns and conventions."""
    names = {d.code: d.name for d in region.districts}
    header = ["code", "name", "kind", "district_code", "district_name", "lat", "lon", "population", "households",
              "population_year"]
    rows = [[v.code, v.name, v.kind.value, v.district_code, names.get(v.district_code, ""),
             v.location.lat_deg, v.location.lon_deg, v.population, v.households,
             "" if v.population_year is None else v.population_year] for v in region.villages]
    return _csv_text(header, rows, name="villages.csv")


def _cmd_init(args: argparse.Namespace) -> int:
    import attrs

    from smartkampung import datasets
    from smartkampung.io import dumps, read_villages_csv
    from smartkampung.io._converter import unstructure
    from smartkampung.io._read import MAX_TABLE_BYTES, open_input, size_limit
    from smartkampung.io._toml import toml_dumps
    from smartkampung.model import RegionSource, Scenario, VillageKind

    folder = Path(args.dir)
    source_csv = Path(args.from_csv) if args.from_csv else None
    if source_csv is None:
        given = [f"--{name}" for name in ("code", "name", "kind") if getattr(args, name) is not None]
        given += ["--country"] if args.country is not None else []
        given += [f"--{name.replace('_', '-')}" for name in ("delimiter", "decimal", "columns")
                  if getattr(args, name)] + (["--allow-zero-population"] if args.allow_zero_population else [])
        if given:
            raise _Usage(f"{', '.join(given)} describe the villages of --from-csv; without it init writes the "
                         "Banyuwangi scenario")
    # Every check before anything is written.
    names = ["scenario.toml", "programme.toml"] + (["villages.csv"] if source_csv is not None else [])
    existing = [str(folder / n) for n in names if (folder / n).exists()]
    if existing and not args.force:
        raise _Usage(f"{', '.join(existing)} exist{'s' if len(existing) == 1 else ''}; pass --force to overwrite")
    if folder.exists() and not folder.is_dir():
        raise _Usage(f"{folder} exists and is not a folder")
    base = datasets.banyuwangi_scenario()
    if args.start is not None:
        try:
            attrs.evolve(base, start=args.start)
        except FieldError as exc:
            raise _Usage(f"--start {exc.message.removeprefix('start ')}") from None
    files: dict[str, str | bytes] = {}
    if source_csv is not None:
        kind = VillageKind(args.kind or "village")
        country = args.country or "ID"
        options = _csv_options(args)
        # Read it now so a bad file fails before anything is written.
        with _capture_warnings() as found:
            region = read_villages_csv(source_csv, region_code="CHECK", region_name="check", country=country,
                                       default_kind=kind, **options)
        for w in found:
            warnings.warn(w, stacklevel=1)  # printed with the others
        code, name = _region_identity(args, source_csv, [d.code for d in region.districts])
        read_differently = bool(options["columns"]) or options["delimiter"] not in (None, ",") or (
            options["decimal"] == ",") or any(getattr(w, "kind", "") == "format" for w in found)
        if read_differently:  # the scenario reads villages.csv with the defaults: write it in them
            files["villages.csv"] = _canonical_csv(region)
        else:
            with open_input(source_csv, max_bytes=size_limit(MAX_TABLE_BYTES, None, "init")) as handle:
                files["villages.csv"] = handle.read()
        region_source = RegionSource(csv="villages.csv", code=code, name=name, country=country, kind=kind,
                                     allow_zero_population=bool(args.allow_zero_population))
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
    header = ("# smartkampung scenario. Check it with: smartkampung validate scenario.toml\n"
              "# Run it with: smartkampung simulate scenario.toml --out results\n"
              "# The programme (pillars, services, technologies) is in programme.toml.\n"
              "# Units: money in rupiah-equivalent (IDR) unless a name says otherwise, months, km.\n\n")
    document = unstructure(scenario)
    document["programme"] = "programme.toml"
    files["programme.toml"] = ("# Pillars, services and technologies: add, remove or edit entries.\n\n"
                               + dumps(scenario.programme, "toml"))
    files["scenario.toml"] = header + toml_dumps(document)
    _print_warnings()
    _install_init_files(folder, files, args)
    written = [n for n in ("scenario.toml", "programme.toml", "villages.csv") if n in files]
    note = " (rewritten with the standard columns, ',' between cells and decimal points)" if (
        source_csv is not None and isinstance(files.get("villages.csv"), str)) else ""
    print(f"wrote {', '.join(written)} into {folder}{note}")
    print(f"next: smartkampung simulate {folder / 'scenario.toml'} --out {folder / 'results'}")
    return EXIT_OK


def _install_init_files(folder: Path, files: Mapping[str, str | bytes], args: argparse.Namespace) -> None:
    """Put init's files into ``folder`` as one set.

    A new folder, or one holding only init's own files, is replaced whole
    (atomically, with a manifest). A folder that also holds the user's own
    files (results, notes) cannot be swapped: then each file is replaced on
    its own (each atomically) and the manifest, removed first, is written
    last, so that a folder with a manifest is always complete.
    """
    from smartkampung.io import MANIFEST, OutputFolder, atomic_write_text
    from smartkampung.io._outputs import _sha256

    parameters = _parameters(args, from_csv=str(Path(args.from_csv).resolve()) if args.from_csv else None)
    try:
        output = OutputFolder(folder, command="init", known_names=INIT_FILES)
    except OutputFolderError:
        output = None
    if output is not None:
        with output:
            if folder.is_dir():  # keep what init does not write (villages.csv without --from-csv)
                for entry in folder.iterdir():
                    if entry.name in INIT_FILES and entry.name not in files and entry.is_file():
                        output.path(entry.name).write_bytes(entry.read_bytes())
            for name, content in files.items():
                if isinstance(content, bytes):
                    output.path(name).write_bytes(content)
                else:
                    output.write_text(name, content)
            output.commit(parameters=parameters, inputs=_inputs())
        return
    (folder / MANIFEST).unlink(missing_ok=True)
    for name, content in files.items():
        atomic_write_text(folder / name, content if isinstance(content, str) else content.decode("utf-8"))
    import datetime

    from smartkampung import __version__
    from smartkampung.io._outputs import MANIFEST_FORMAT

    listed = {}
    for name in sorted(files):
        size, digest = _sha256(folder / name)
        listed[name] = {"bytes": size, "sha256": digest}
    manifest = {"format": MANIFEST_FORMAT, "smartkampung": __version__, "command": "init",
                "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "parameters": parameters, "inputs": _inputs(), "files": listed, "partial_folder": True}
    atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


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
    elif sys.stdout is None:
        _err("standard output is closed: write the schema to a file with --out FILE")
        return EXIT_INVALID
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return EXIT_OK


# ------------------------------------------------------------------ warnings

# Warnings about the input (DataWarning) are printed by the command, once each,
# as "smartkampung: warning: ..." lines; validate lists them under each file.
_warning_sinks: list[list[Warning]] = []
_printed: set[str] = set()


@contextmanager
def _capture_warnings() -> Iterator[list[Warning]]:
    """Within the block, smartkampung's warnings are collected into the list yielded."""
    found: list[Warning] = []
    _warning_sinks.append(found)
    try:
        yield found
    finally:
        _warning_sinks.pop()


@contextmanager
def _printing_warnings() -> Iterator[None]:
    from smartkampung._errors import SmartKampungWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", SmartKampungWarning)
        original = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: Any = None, line: str | None = None) -> None:
            if isinstance(message, SmartKampungWarning) and _warning_sinks:
                _warning_sinks[-1].append(message)
            else:
                original(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        _printed.clear()
        with _capture_warnings():
            try:
                yield
            finally:
                _print_warnings()


def _print_warnings() -> None:
    """Print the warnings collected so far (each text once per command)."""
    if not _warning_sinks:
        return
    pending = _warning_sinks[0]
    for w in pending:
        text = str(w)
        if text not in _printed:
            _printed.add(text)
            _err(f"warning: {text}")
    pending.clear()


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
                                     "idm_status.csv, villages.csv, network.geojson, summary.txt, PNG plots and "
                                     "manifest.json into --out, all at once: an interrupted or failed run "
                                     "leaves the folder as it was.")
    sim.add_argument("scenario", nargs="?", help="scenario file (.toml/.json) or a folder holding scenario.toml; "
                                                 "default: the bundled Banyuwangi scenario")
    sim.add_argument("--runs", type=_runs, default=100, help=f"number of runs, 1 to {MAX_RUNS:,} (default 100)")
    sim.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})")
    sim.add_argument("--out", type=_folder, default="smartkampung-output",
                     help="output folder (default smartkampung-output); replaced whole by each run")
    sim.add_argument("--executor", choices=("serial", "threads", "processes"), default="serial",
                     help="where runs execute (default serial); results are identical for any choice")
    sim.add_argument("--workers", type=_positive_int, default=None, help="workers for threads/processes")
    sim.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    sim.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors and warnings")
    sim.set_defaults(func=_cmd_simulate)

    plan = sub.add_parser("plan", help="plan the rollout alone: fibre tree, technology, schedule",
                          description="Plan the network and schedule it with the median budget; write "
                                      "plan_villages.csv, plan_monthly.csv, plan_network.geojson, plan_map.png "
                                      "and manifest.json, all at once.")
    plan.add_argument("scenario", nargs="?", help="scenario file or folder; default: Banyuwangi")
    plan.add_argument("--out", type=_folder, default="smartkampung-plan",
                      help="output folder (default smartkampung-plan); replaced whole by each run")
    plan.add_argument("--seed", type=int, default=DEFAULT_SEED, help="root seed")
    plan.add_argument("--no-plots", action="store_true", help="skip the PNG map")
    plan.set_defaults(func=_cmd_plan)

    val = sub.add_parser("validate", help="check scenario, programme, region and village files",
                         description="Check files and print every problem of every file (and of the programme "
                                     "and village files a scenario names) with file, record and field, and "
                                     "warnings about suspicious values. Exit status 1 if any file has a problem.")
    val.add_argument("files", nargs="+", metavar="FILE", help=".toml/.json (scenario, programme, region) or .csv")
    val.add_argument("--quiet", "-q", action="store_true", help="print only problems and warnings")
    _csv_arguments(val, "a .csv given here")
    val.set_defaults(func=_cmd_validate)

    init = sub.add_parser("init", help="write a starter scenario for a new city",
                          description="Write DIR/scenario.toml and DIR/programme.toml (and DIR/villages.csv "
                                      "with --from-csv), ready to edit and run.")
    init.add_argument("dir", type=_folder, help="folder to write into (created if needed)")
    init.add_argument("--from-csv", metavar="VILLAGES.csv",
                      help="villages: columns code, name, district_code, lat, lon, population "
                           "(optional kind, households, district_name, population_year)")
    init.add_argument("--code", help="region code (default: the district codes' common prefix, or the file name)")
    init.add_argument("--name", help="region name (default: from the CSV's file name; asked for if that is "
                                     "generic, such as villages.csv)")
    init.add_argument("--country", help="ISO 3166-1 alpha-2 country code (default ID)")
    init.add_argument("--kind", help="village kind for rows without one: desa, kelurahan, barangay, tambon, "
                                     "muban, xa, phuong, kampung, village (default)")
    init.add_argument("--start", help="first month, YYYY-MM (default 2026-01; the Banyuwangi scenario's own "
                                      "2016-06 without --from-csv)")
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    _csv_arguments(init, "--from-csv")
    init.set_defaults(func=_cmd_init)

    schema = sub.add_parser("schema", help="print the JSON Schema of the file formats",
                            description="JSON Schema (draft 2020-12) for editors and other languages.")
    schema.add_argument("--kind", choices=("scenario", "programme", "region"), default="scenario")
    schema.add_argument("--out", type=_folder, help="write to this file instead of standard output")
    schema.set_defaults(func=_cmd_schema)
    return parser


def _csv_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--delimiter", type=_delimiter, default=None,
                        help=f"cell separator of {what}: ',', ';', tab or '|' (default: detected from the header)")
    parser.add_argument("--decimal", choices=(".", ","), default=None,
                        help=f"decimal mark of {what} (default: detected; with ',' a '.' separates thousands)")
    parser.add_argument("--columns", action="append", default=[], metavar="FILE_NAME=OUR_NAME",
                        help=f"a column of {what} named differently, e.g. --columns latitude=lat "
                             "(repeat, or separate pairs with commas)")
    parser.add_argument("--allow-zero-population", action="store_true",
                        help=f"accept villages of population 0 in {what} (refused by default: usually a missing "
                             "figure)")


def _columns(values: Sequence[str]) -> dict[str, str] | None:
    """``--columns latitude=lat`` (the file's name = ours) as the API's mapping {ours: the file's}."""
    from smartkampung.io._csv import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

    known = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    mapping: dict[str, str] = {}
    for value in values:
        for pair in value.split(","):
            if not pair.strip():
                continue
            theirs, sep, ours = pair.partition("=")
            theirs, ours = theirs.strip(), ours.strip()
            if not sep or not theirs or not ours:
                raise _Usage(f"--columns takes FILE_NAME=OUR_NAME pairs (such as latitude=lat), got {pair!r}")
            if ours not in known:
                raise _Usage(f"--columns {pair}: {ours!r} is not one of our columns ({', '.join(known)})")
            mapping[ours] = theirs
    return mapping or None


def _delimiter(text: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    value = named.get(text.lower(), text)
    if value not in (",", ";", "\t", "|"):
        raise argparse.ArgumentTypeError(f"must be ',', ';', tab or '|', got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _runs(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_RUNS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_RUNS:,}, got {value:,} (for more, run several "
                                         "ensembles with different --seed values)")
    return value


def _folder(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must name a folder or file, got an empty name")
    if "\x00" in text:
        raise argparse.ArgumentTypeError("must not contain a NUL character")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    return _main(argv, restore_signals=True)


def _main(argv: Sequence[str] | None, *, restore_signals: bool) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from smartkampung.io._read import recording_inputs

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if in_main_thread else None
    try:
        with hints_for("cli"), recording_inputs(), _printing_warnings():
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
    except BrokenPipeError:  # the reader of our output went away (| head): nothing more to say
        _quiet_stdout()
        return EXIT_INVALID
    except OSError as exc:  # a folder that cannot be made, a file that cannot be written
        where = f": {exc.filename}" if exc.filename else ""
        _err(f"{exc.strerror or exc}{where}")
        return EXIT_INVALID
    except KeyboardInterrupt:
        _ignore_interrupts()
        _err("interrupted: nothing was written, an earlier output folder is as it was")
        return EXIT_INTERRUPTED
    finally:
        if restore_signals and in_main_thread and previous is not None:
            signal.signal(signal.SIGINT, previous)


def _quiet_stdout() -> None:
    # Python flushes stdout at exit; after a broken pipe that would raise again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def run() -> None:
    """Entry point of the ``smartkampung`` command and ``python -m smartkampung``.

    After Ctrl-C, worker threads may still be finishing a run (threads
    cannot be stopped from outside); the process then exits at once instead
    of waiting for them, its output already cleaned up.
    """
    try:
        code = _main(None, restore_signals=False)  # after Ctrl-C, further ones are ignored until exit
    except KeyboardInterrupt:  # before the command started (while importing)
        _err("interrupted")
        code = EXIT_INTERRUPTED
    if code == EXIT_INTERRUPTED and threading.active_count() > 1:
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
