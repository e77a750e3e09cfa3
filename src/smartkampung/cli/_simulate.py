"""``smartkampung simulate``: a Monte Carlo ensemble of a scenario and its outputs."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from smartkampung.cli._common import (
    DEFAULT_SEED,
    EXIT_OK,
    MAX_RESULT_BYTES,
    MAX_RUNS,
    SIMULATE_FILES,
    UNDEFINED_METRICS,
    _err,
    _executor,
    _inputs,
    _load_scenario,
    _output_folder,
    _parameters,
    _plots_available,
    _save,
    _stop_executor,
    _Usage,
    _write_csv,
)
from smartkampung.cli._options import _folder, _positive_int, _runs
from smartkampung.cli._warnings import _print_warnings


def _cmd_simulate(args: argparse.Namespace) -> int:
    from smartkampung._api import simulate  # reads the region; supplies the bundled IDM data where it is projected

    scenario, base_dir = _load_scenario(args.scenario)
    folder = _output_folder(args.out, "simulate", SIMULATE_FILES)
    _check_result_size(scenario, args.runs)
    started = time.perf_counter()
    progress = sys.stderr is not None and sys.stderr.isatty() and not args.quiet
    executor = _executor(args)
    try:
        result = simulate(
            scenario, runs=args.runs, rng=args.seed, base_dir=base_dir, executor=executor, progress=progress or None
        )
    except BaseException:
        _stop_executor(executor)  # Ctrl-C or an error: cancel what is queued, stop the workers now
        raise
    if executor is not None:
        executor.shutdown()
    elapsed = time.perf_counter() - started
    _print_warnings()
    with folder:
        written = _write_simulation_outputs(folder, result, args)
        folder.commit(
            parameters=_parameters(args, runs=args.runs, seed=args.seed, executor=args.executor), inputs=_inputs()
        )
    if not args.quiet:
        print(_summary_text(result))
        print(f"\n{args.runs} runs in {elapsed:.1f} s; wrote {', '.join(written)} to {folder.target}/")
    return EXIT_OK


def _check_result_size(scenario: Any, runs: int) -> None:
    programme = scenario.programme
    metrics = 13 + 2 * len(programme.services) + 2 * len(programme.pillars)
    size = runs * metrics * scenario.horizon_months * 8
    if size > MAX_RESULT_BYTES:
        raise _Usage(
            f"--runs {runs} would keep {size / 2**30:.1f} GiB of monthly results ({runs} runs x "
            f"{metrics} metrics x {scenario.horizon_months} months x 8 bytes); at most "
            f"{MAX_RESULT_BYTES / 2**30:.0f} GiB: use fewer runs (several seeds, if need be) or a shorter "
            "horizon"
        )


def _summary_text(result: Any) -> str:
    summary: str = result.summary()
    if "nan" in summary.split():
        summary += (
            "\n(nan: undefined in at least one run; cost per connected household before any household is "
            "connected, cost per transaction before the first transaction)"
        )
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
        header = [
            "code",
            "name",
            "kind",
            "district_code",
            "population",
            "households",
            "technology",
            "link_km",
            "capex_idr",
            *header[1:],
        ]
        technology = plan.technology
        rows = [
            [
                row[0],
                v.name,
                v.kind.value,
                v.district_code,
                v.population,
                v.households,
                technology[i],
                float(plan.link_km[i]),
                float(plan.capex_idr[i]),
                *row[1:],
            ]
            for i, (row, v) in enumerate(zip(rows, plan.region.villages, strict=True))
        ]
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
        _err('matplotlib is not installed: no plots written (pip install "smartkampung[plot]")')
    return written


def add_parser(sub: Any) -> None:
    """Add the ``simulate`` command to the subparsers ``sub``."""
    sim = sub.add_parser(
        "simulate",
        help="run a Monte Carlo ensemble of a scenario and write its outputs",
        description="Run a scenario's ensemble; write monthly.csv (totals with quantiles), "
        "idm_status.csv, villages.csv, network.geojson, summary.txt, PNG plots and "
        "manifest.json into --out, all at once: an interrupted or failed run "
        "leaves the folder as it was.",
    )
    sim.add_argument(
        "scenario",
        nargs="?",
        help="scenario file (.toml/.json) or a folder holding scenario.toml; default: the bundled Banyuwangi scenario",
    )
    sim.add_argument("--runs", type=_runs, default=100, help=f"number of runs, 1 to {MAX_RUNS:,} (default 100)")
    sim.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})")
    sim.add_argument(
        "--out",
        type=_folder,
        default="smartkampung-output",
        help="output folder (default smartkampung-output); replaced whole by each run",
    )
    sim.add_argument(
        "--executor",
        choices=("serial", "threads", "processes"),
        default="serial",
        help="where runs execute (default serial); results are identical for any choice",
    )
    sim.add_argument("--workers", type=_positive_int, default=None, help="workers for threads/processes")
    sim.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    sim.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors and warnings")
    sim.set_defaults(func=_cmd_simulate)
