"""What the commands share: exit codes and limits, usage errors, scenarios, CSV tables, output folders,
plots, executors."""

from __future__ import annotations

import argparse
import csv
import io as _io
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from smartkampung._errors import OutputFolderError

T = TypeVar("T")

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_SEED = 20160531  # the launch date of Smart Kampung; any integer will do
#: Most runs of one ``simulate`` (a guard against a mistyped number).
MAX_RUNS = 100_000
#: Most memory the monthly results of one ensemble may take (runs × metrics × months × 8 bytes). [bytes]
MAX_RESULT_BYTES = 2 * 2**30

#: Files each command writes into its output folder (besides manifest.json).
SIMULATE_FILES = (
    "monthly.csv",
    "idm_status.csv",
    "villages.csv",
    "network.geojson",
    "villages.geojson",
    "links.geojson",
    "summary.txt",
    "report.html",
    "result.json",
    "result.npz",
    "coverage.png",
    "adoption_by_pillar.png",
    "connection_map.png",
    "idm_status.png",
)
PLAN_FILES = (
    "plan_villages.csv",
    "plan_monthly.csv",
    "plan_network.geojson",
    "plan_villages.geojson",
    "plan_links.geojson",
    "plan_summary.txt",
    "report.html",
    "plan_map.png",
)
COMPARE_FILES = ("comparison.csv", "comparison.txt")
INIT_FILES = ("scenario.toml", "programme.toml", "villages.csv")
#: Why a monthly metric can be undefined (written as an empty cell, with this note).
UNDEFINED_METRICS = {
    "cost_per_connected_household": "undefined while no household is connected (in at least one run)",
    "cost_per_transaction": "undefined before the first transaction (in at least one run)",
}


class _Usage(Exception):
    """A usage error found after parsing (exit code 2)."""


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
        raise _Usage(
            f"{file} is a village table, not a scenario; make a scenario from it with: "
            f"smartkampung init DIR --from-csv {file}"
        )
    return load(file, Scenario), file.parent


def _csv_text(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    name: str,
    empty_when: Mapping[str, str] | None = None,
    note: Callable[[Sequence[Any]], str] | None = None,
) -> str:
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
                raise RuntimeError(
                    f"{name}: {column} is {row[i]!r} in row {list(row)[:3]} with no reason given "
                    "(a bug: please report it)"
                )
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
        return OutputFolder(path, command=command, known_names=(*SIMULATE_FILES, *PLAN_FILES, *COMPARE_FILES, *known))
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


def _check_inputs_outside(folder: Any) -> None:
    """Refuse an output folder that holds a file this command read: writing it would replace that file.

    (``smartkampung init DIR`` then ``simulate DIR --out DIR`` would otherwise swap the scenario the
    user edited for the results.)
    """
    target = Path(folder.target).resolve()
    for record in _inputs():
        path = Path(record["path"]).resolve()
        if path == target or target in path.parents:
            raise _Usage(
                f"--out {folder.target} holds {path.name}, which this command reads: the output folder is "
                f"replaced whole, so write the outputs elsewhere (for example --out {Path(folder.target) / 'results'})"
            )


def _parameters(args: argparse.Namespace, **values: Any) -> dict[str, Any]:
    scenario = getattr(args, "scenario", None)
    return {"scenario": str(Path(scenario).resolve()) if scenario else "bundled Banyuwangi scenario", **values}


def _ignore_sigint() -> None:
    # In worker processes: Ctrl-C is for the parent, which cancels the work and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _check_backend(args: argparse.Namespace) -> None:
    """Refuse ``--backend numba`` before any work when numba is not installed (a usage error, exit 2)."""
    from smartkampung.sim._adoption_batch import numba_available

    if args.backend == "numba" and not numba_available():
        raise _Usage(
            '--backend numba needs the optional dependency numba: pip install "smartkampung[fast]" '
            "(or use --backend numpy, the default)"
        )


def _run_ensemble(args: argparse.Namespace, run: Callable[[Any, bool | None], T]) -> T:
    """``run(executor, progress)`` on the executor ``--executor`` asks for, with a progress bar on a terminal.

    On Ctrl-C or an error, what is queued is cancelled and the workers are stopped at once; otherwise the
    executor is shut down when the runs are done.
    """
    progress = sys.stderr is not None and sys.stderr.isatty() and not args.quiet
    executor = _executor(args)
    try:
        out = run(executor, progress or None)
    except BaseException:
        _stop_executor(executor)
        raise
    if executor is not None:
        executor.shutdown()
    return out


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


def _prepare_from_files(
    scenario: Any, base_dir: Path | None, *, idm: bool = True, land: bool = True
) -> tuple[Any, Any]:
    """The scenario prepared on its own region, read from its files, and the land polygons its plan was checked on.

    With the bundled IDM data when it projects IDM on desa, and the bundled
    village polygons as land when they cover the region
    (:func:`smartkampung.datasets.boundaries_for`: Banyuwangi's and
    Guimaras's villages, by code), so that links over water are priced as
    water crossings; elsewhere the plan's notes say that nothing was checked.
    """
    import attrs

    from smartkampung import datasets
    from smartkampung import io as skio
    from smartkampung._api import _with_idm
    from smartkampung.sim import prepare

    if not idm:  # a plan projects no IDM
        scenario = attrs.evolve(scenario, outcomes=attrs.evolve(scenario.outcomes, idm=type(scenario.outcomes.idm)()))
    region = skio.read_region(scenario.region, base_dir=base_dir)
    polygons = datasets.boundaries_for(region) if land else None
    return prepare(scenario, region, land=polygons, **_with_idm(scenario, region, {})), polygons


def _plan_notes(plan: Any) -> list[str]:
    """The network plan's notes (what it checked and assumed), for the summary and the terminal."""
    return [str(note) for note in getattr(plan, "notes", ())]
