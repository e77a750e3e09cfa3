"""``smartkampung simulate``: a Monte Carlo ensemble of a scenario and its outputs."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from smartkampung.cli._common import (
    DEFAULT_SEED,
    EXIT_OK,
    MAX_RESULT_BYTES,
    MAX_RUNS,
    SIMULATE_FILES,
    _check_backend,
    _check_inputs_outside,
    _inputs,
    _load_scenario,
    _output_folder,
    _parameters,
    _plan_notes,
    _prepare_from_files,
    _run_ensemble,
    _Usage,
)
from smartkampung.cli._options import _backend_argument, _folder, _lang_argument, _positive_int, _runs
from smartkampung.cli._outputs import _notes_text, _summary_json, _summary_text, _write_simulation_outputs
from smartkampung.cli._warnings import _print_warnings


def _cmd_simulate(args: argparse.Namespace) -> int:
    from smartkampung._i18n import label, number
    from smartkampung.sim import simulate

    _check_backend(args)
    scenario, base_dir = _load_scenario(args.scenario)
    folder = _output_folder(args.out, "simulate", SIMULATE_FILES)
    _check_result_size(scenario, args.runs)
    lang = args.lang or "en"
    currency = scenario.currency
    started = time.perf_counter()
    # The region read, the network planned (water crossings priced where the package has land polygons) and
    # the bundled IDM data supplied where IDM is projected: once, before the runs.
    prepared, land = _prepare_from_files(scenario, base_dir)
    _check_inputs_outside(folder)
    prepared_at = time.perf_counter()
    result = _run_ensemble(
        args,
        lambda executor, progress: simulate(
            prepared, runs=args.runs, rng=args.seed, executor=executor, progress=progress, backend=args.backend
        ),
    )
    simulated_at = time.perf_counter()
    _print_warnings()
    with folder:
        written = _write_simulation_outputs(folder, result, args, land=land, currency=currency, lang=lang)
        folder.commit(
            parameters=_parameters(
                args,
                runs=args.runs,
                seed=args.seed,
                executor=args.executor,
                backend=args.backend,
                lang=lang,
                currency=currency,
            ),
            inputs=_inputs(),
        )
    seconds = {
        "prepare": prepared_at - started,
        "simulate": simulated_at - prepared_at,
        "write": time.perf_counter() - simulated_at,
    }
    if args.json:
        summary = _summary_json(
            result, lang, currency, out=str(folder.target), files=written, seconds=seconds, seed=args.seed
        )
        print(json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False))
    elif not args.quiet:
        print(_summary_text(result, lang, currency))
        notes = _notes_text(_plan_notes(prepared.plan), lang)
        if notes:
            print("\n" + notes, end="")
        print(
            "\n"
            + label(
                "simulate_done",
                lang,
                runs=args.runs,
                backend=args.backend,
                simulate=number(seconds["simulate"], lang, digits=1),
                prepare=number(seconds["prepare"], lang, digits=1),
                write=number(seconds["write"], lang, digits=1),
                files=", ".join(written),
                out=folder.target,
            )
        )
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


def add_parser(sub: Any) -> None:
    """Add the ``simulate`` command to the subparsers ``sub``."""
    sim = sub.add_parser(
        "simulate",
        help="run a Monte Carlo ensemble of a scenario and write its outputs",
        description="Run a scenario's ensemble; write monthly.csv (totals with quantiles and units), "
        "idm_status.csv, villages.csv, villages.geojson and links.geojson (GIS layers with connection dates), "
        "network.geojson, summary.txt, report.html (an offline report), PNG plots, result.json and result.npz "
        "(the result, for 'smartkampung report') and manifest.json into --out, all at once: an interrupted or "
        "failed run leaves the folder as it was.",
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
    _backend_argument(sim)
    sim.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    sim.add_argument("--no-report", action="store_true", help="skip report.html")
    _lang_argument(sim, "the summary, the plots and the report")
    sim.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors and warnings")
    sim.add_argument(
        "--json", action="store_true", help="print the summary as JSON on standard output, and nothing else"
    )
    sim.set_defaults(func=_cmd_simulate)
