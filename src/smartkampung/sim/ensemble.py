"""Monte Carlo ensembles of a scenario: runs in chunks (:func:`~smartkampung.sim.run.run_chunk`), reduced in order.

Seeds follow SPEC 7: one root :class:`numpy.random.SeedSequence` is built
from ``rng`` (:func:`smartkampung._typing.as_seed_sequence`); run *r* uses
the stream with spawn key ``root.spawn_key + (0, r)`` and nothing else, so a
run's result depends only on the root entropy and its index: not on the
executor, the number of workers, or how runs are grouped into tasks. Results
are folded in run order (:class:`~smartkampung.sim.results.Reducer`), so
floating-point sums are bit-identical too.

The steps of a run are in :mod:`smartkampung.sim.run`.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future
from typing import Any

import numpy as np

from smartkampung._errors import ParameterError
from smartkampung._typing import SeedLike, as_seed_sequence
from smartkampung._validation import check_choice, check_int
from smartkampung.model._scenario import Scenario
from smartkampung.model._village import Region
from smartkampung.sim._adopt_runs import BATCH_BYTES
from smartkampung.sim._adoption_batch import BACKENDS, numba_available
from smartkampung.sim._workers import receive, ship
from smartkampung.sim.idm import IDMInputs
from smartkampung.sim.results import Comparison, Reducer, SimulationResult
from smartkampung.sim.run import PreparedScenario, RunOutput, prepare, run_chunk

__all__ = ["compare", "simulate"]

#: Most runs simulated together in this process (a small region's runs side by
#: side): enough for a wide vector, few enough that progress is reported often.
_SERIAL_CHUNK_MAX = 50


def _prepared(
    scenario: Scenario | PreparedScenario, region: Region | None, idm: IDMInputs | None, fn: str
) -> PreparedScenario:
    if isinstance(scenario, PreparedScenario):
        if idm is not None:
            raise ParameterError("idm", "the scenario is already prepared: pass idm to prepare()", function=fn)
        return scenario
    if not isinstance(scenario, Scenario):
        raise ParameterError(
            "scenario", f"must be a Scenario or a PreparedScenario, got {type(scenario).__name__}", function=fn
        )
    if region is None:
        raise ParameterError(
            "region",
            "is required with a Scenario: read the scenario's own with "
            "smartkampung.io.read_region(scenario.region), or call smartkampung.simulate, which "
            "does",
            function=fn,
        )
    return prepare(scenario, region, idm=idm)


def _workers_of(executor: Any) -> int:
    """How many tasks an executor runs at once (a guess when it does not say)."""
    for attribute in ("_max_workers", "max_workers"):
        value = getattr(executor, attribute, None)
        if isinstance(value, int) and value > 0:
            return value
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is not None:
        try:
            return max(1, int(sum(client.nthreads().values())))
        except Exception:  # a client that cannot tell: fall back below
            pass
    return os.cpu_count() or 1


def _run_chunk(
    shipped: Any, indices: Sequence[int], root: np.random.SeedSequence, keep_trajectories: bool, backend: str
) -> list[RunOutput]:
    """A task: runs ``indices`` of the ensemble, on the prepared scenario :func:`~._workers.ship` sent."""
    return run_chunk(receive(shipped), indices, root, keep_trajectories, backend)


def _serial_chunk_size(prepared: PreparedScenario) -> int:
    """Runs per chunk in this process: as many as fill one batch of adopters, at most :data:`_SERIAL_CHUNK_MAX`."""
    per_run = 4 * prepared.n_months * prepared.n_villages
    return max(1, min(_SERIAL_CHUNK_MAX, BATCH_BYTES // max(1, per_run)))


def _progress_callback(
    progress: bool | Callable[[int, int], None] | None, total: int
) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    if progress is None or progress is False:
        return None, lambda: None
    if callable(progress):
        return progress, lambda: None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # no progress bar library: a plain line on stderr

        def plain(done: int, total: int) -> None:
            print(f"\rruns {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

        return plain, lambda: None
    bar = tqdm(total=total, unit="run", file=sys.stderr, leave=False)

    def update(done: int, total: int) -> None:
        bar.update(done - bar.n)

    return update, bar.close


def simulate(
    scenario: Scenario | PreparedScenario,
    *,
    runs: int,
    rng: SeedLike = None,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    keep_trajectories: bool = False,
    progress: bool | Callable[[int, int], None] | None = None,
    region: Region | None = None,
    quantile_levels: Iterable[float] = (0.1, 0.5, 0.9),
    backend: str = "numpy",
    idm: IDMInputs | None = None,
) -> SimulationResult:
    """Run a Monte Carlo ensemble of a scenario.

    Parameters
    ----------
    scenario : Scenario or PreparedScenario
        What to simulate. Preparing once (:func:`~smartkampung.sim.run.prepare`)
        saves the network planning when the same scenario is run several times.
    runs : int
        Number of runs (>= 1).
    rng : int, SeedSequence, Generator or None
        Root seed (SPEC 7). The same seed and backend give bit-identical
        results with any executor and any ``chunk_size``.
    executor : concurrent.futures.Executor, optional
        Where runs execute: None (in this process), a
        ``ThreadPoolExecutor``, a ``ProcessPoolExecutor``, or Dask's
        ``distributed.Client(...).get_executor()``. The prepared scenario
        reaches each worker once (a file a process pool's workers load once,
        or a Dask scatter), not with every task.
    chunk_size : int, optional
        Runs per task. Default: in this process, as many as fill one batch of
        adopters (at most 50); with an executor, about four tasks per worker.
    keep_trajectories : bool
        Keep adopters per run, service, month and village (memory:
        ``runs × services × months × villages`` integers).
    progress : bool or callable, optional
        True: a progress bar on stderr (tqdm if installed). A callable is
        called as ``progress(done, total)`` after each chunk.
    region : Region
        The villages, required with a Scenario (read a scenario's own with
        :func:`smartkampung.io.read_region`, or call
        :func:`smartkampung.simulate`, which does).
    quantile_levels : iterable of float
        Default quantiles reported by the result's summaries.
    backend : {"numpy", "numba"}
        Adoption kernel. ``"numpy"`` (default) is the reference and needs
        nothing more; ``"numba"`` is the compiled kernel (``pip install
        "smartkampung[fast]"``), several times faster, with other random
        numbers of the same law, so the result records its backend
        (:attr:`SimulationResult.backend`).
    idm : IDMInputs, optional
        Fitted dynamics and donor records for the IDM projection, needed with
        a Scenario that declares an observed IDM state on a region with desa
        (see :func:`~smartkampung.sim.run.prepare`; :func:`smartkampung.simulate`
        passes the bundled ones). Without it such a scenario is refused;
        regions without desa have no IDM projection.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ParameterError
        ``runs`` < 1, a bad ``rng``, ``chunk_size``, ``quantile_levels`` or
        ``executor``; an unknown ``backend``, or ``"numba"`` without numba.

    Notes
    -----
    Interrupting (Ctrl-C) cancels the tasks not yet started and re-raises
    ``KeyboardInterrupt``; nothing is returned or written.
    """
    fn = "simulate"
    runs = check_int(runs, "runs", fn, minimum=1)
    if chunk_size is not None:
        chunk_size = check_int(chunk_size, "chunk_size", fn, minimum=1)
    if executor is not None and not hasattr(executor, "submit"):
        raise ParameterError("executor", "must be a concurrent.futures.Executor (or have .submit)", function=fn)
    check_choice(backend, "backend", fn, BACKENDS)
    if backend == "numba" and not numba_available():
        raise ParameterError(
            "backend",
            '\'numba\' needs the optional dependency numba: pip install "smartkampung[fast]" (or use backend="numpy")',
            function=fn,
        )
    levels = tuple(float(q) for q in quantile_levels)
    if not levels or any(not 0.0 <= q <= 1.0 for q in levels):
        raise ParameterError("quantile_levels", f"must be probabilities in [0, 1], got {levels}", function=fn)
    root = as_seed_sequence(rng, fn)
    prepared = _prepared(scenario, region, idm, fn)
    collector = SimulationResult.collector(
        prepared, runs=runs, root=root, keep_trajectories=keep_trajectories, quantile_levels=levels, backend=backend
    )
    report, close = _progress_callback(progress, runs)
    try:
        if executor is None:
            size = chunk_size or _serial_chunk_size(prepared)
            for start in range(0, runs, size):
                for output in run_chunk(
                    prepared, range(start, min(start + size, runs)), root, keep_trajectories, backend
                ):
                    collector.add(output)
                if report:
                    report(min(start + size, runs), runs)
        else:
            workers = _workers_of(executor)
            size = chunk_size or max(1, math.ceil(runs / (4 * workers)))
            chunks = [list(range(start, min(start + size, runs))) for start in range(0, runs, size)]
            with ship(prepared, executor) as shipped:
                _run_on(executor, shipped, chunks, root, keep_trajectories, backend, collector, report, runs)
    finally:
        close()
    return collector.result()


def _run_on(
    executor: Executor,
    shipped: Any,
    chunks: list[list[int]],
    root: np.random.SeedSequence,
    keep_trajectories: bool,
    backend: str,
    collector: Reducer,
    report: Callable[[int, int], None] | None,
    runs: int,
) -> None:
    """Submit the chunks with a bounded number in flight (memory) and fold them in run order (bit-identical sums)."""
    workers = _workers_of(executor)
    in_flight: dict[int, Future[list[RunOutput]]] = {}
    window = 2 * workers
    next_submit = 0
    done_runs = 0
    try:
        for c in range(len(chunks)):
            while next_submit < len(chunks) and next_submit < c + window:
                in_flight[next_submit] = executor.submit(
                    _run_chunk, shipped, chunks[next_submit], root, keep_trajectories, backend
                )
                next_submit += 1
            for output in in_flight.pop(c).result():
                collector.add(output)
            done_runs += len(chunks[c])
            if report:
                report(done_runs, runs)
    except BaseException:
        # Interrupted or failed: tasks not started yet are cancelled, running ones are not waited for.
        for future in in_flight.values():
            future.cancel()
        raise


def compare(
    scenarios: Sequence[Scenario | PreparedScenario],
    *,
    runs: int,
    rng: SeedLike = None,
    executor: Executor | None = None,
    region: Region | None = None,
    progress: bool | Callable[[int, int], None] | None = None,
    backend: str = "numpy",
    idm: IDMInputs | None = None,
) -> Comparison:
    """Run several scenarios on common random numbers.

    Every scenario is run with the same root seed, so run *r* of each draws
    its uncertain assumptions from the same uniform variates (a richer
    budget distribution gives a richer budget in every run) and uses the
    same adoption streams.

    Parameters
    ----------
    scenarios : sequence of Scenario
        At least one; names should differ.
    runs, rng, executor, region, progress, backend, idm
        As :func:`simulate`. Run *r* of every scenario also draws its IDM
        starting state and shocks from the same stream.

    Returns
    -------
    Comparison
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ParameterError("scenarios", "give at least one scenario", function="compare")
    root = as_seed_sequence(rng, "compare")
    results = tuple(
        simulate(
            s,
            runs=runs,
            rng=root,
            executor=executor,
            region=region,
            progress=progress,
            backend=backend,
            idm=idm if isinstance(s, Scenario) else None,
        )
        for s in scenarios
    )
    return Comparison(results)
