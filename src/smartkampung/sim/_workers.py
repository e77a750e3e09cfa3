"""How an ensemble's prepared scenario reaches the workers of an executor, once per worker.

A prepared scenario of a national region pickles to about 45 MiB (1.2 s to
pickle, 1.5 s to load, measured at 84,000 villages); sent with every task it
would cost more than the runs of a small task. So :func:`ship` hands the
executor's tasks a small handle instead, chosen by the kind of executor:

* ``concurrent.futures.ProcessPoolExecutor``: a worker forked during the
  ensemble (the pool's "fork" start method, workers not yet started) finds
  the scenario in the memory it inherited from this process, shared page by
  page until written; otherwise the scenario is pickled once to a temporary
  file, which a worker process loads on its first task and keeps
  (:func:`receive`), so each process loads it at most once per ensemble.
  The file is removed when the ensemble ends.
* Dask (``distributed.Client(...).get_executor()``): the scenario is
  scattered to every worker once (``Client.scatter(..., broadcast=True)``);
  the tasks take the resulting future, which Dask resolves on the worker.
* any other executor (a thread pool, or one this module does not know): the
  object itself, as before.

A worker process also limits its BLAS and OpenMP pools to one thread on its
first task when :mod:`threadpoolctl` is installed (``pip install
"smartkampung[dask]"``): the runs need no BLAS, and one process per core
should not start a thread per core each.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

import attrs

from smartkampung._threads import limit_blas_threads
from smartkampung.sim.run import PreparedScenario

__all__ = ["PreparedFile", "receive", "ship"]

# The prepared scenario a worker process has loaded: (token, the scenario). One at a time.
_LOADED: list[tuple[str, PreparedScenario]] = []
# The scenarios of the ensembles running in this process, by token: a worker forked meanwhile inherits them.
_SHIPPED: dict[str, PreparedScenario] = {}


@attrs.frozen
class PreparedFile:
    """A prepared scenario for worker processes: inherited by a fork, or pickled to a file to load once.

    ``token`` is new for every ensemble, so a worker never mistakes another
    ensemble's file (a temporary name can be used again) for its own.
    ``path`` is None when every worker is forked during the ensemble.
    """

    path: str | None
    token: str


@contextlib.contextmanager
def ship(prepared: PreparedScenario, executor: Executor | None) -> Iterator[Any]:
    """What the executor's tasks should be given for ``prepared`` (pass it to :func:`receive` in the task)."""
    if executor is None or (not isinstance(executor, ProcessPoolExecutor) and _dask_client(executor) is None):
        yield prepared
        return
    client = _dask_client(executor)
    if client is not None:
        future = client.scatter(prepared, broadcast=True, hash=False)
        try:
            yield future
        finally:
            future.release()
        return
    token = uuid.uuid4().hex
    _SHIPPED[token] = prepared
    path = None
    try:
        if not _forks_its_workers(executor):
            fd, path = tempfile.mkstemp(prefix="smartkampung-prepared-", suffix=".pickle")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(prepared, handle, protocol=pickle.HIGHEST_PROTOCOL)
        yield PreparedFile(path, token)
    finally:
        _SHIPPED.pop(token, None)
        if path is not None:
            with contextlib.suppress(OSError):
                os.remove(path)


def _forks_its_workers(executor: Executor) -> bool:
    """Whether every worker of the pool will be forked from here from now on (none started, "fork" start method)."""
    context = getattr(executor, "_mp_context", None)
    processes = getattr(executor, "_processes", None)
    try:
        return context is not None and context.get_start_method() == "fork" and processes is not None and not processes
    except Exception:  # a pool whose internals differ: send a file
        return False


def receive(shipped: Any) -> PreparedScenario:
    """The prepared scenario from what :func:`ship` gave the task (loaded once per worker process)."""
    if isinstance(shipped, PreparedScenario):
        return shipped
    if not isinstance(shipped, PreparedFile):
        raise TypeError(f"expected a PreparedScenario or a PreparedFile, got {type(shipped).__name__}")
    if _LOADED and _LOADED[0][0] == shipped.token:
        return _LOADED[0][1]
    limit_blas_threads()
    prepared = _SHIPPED.get(shipped.token)  # inherited from the parent by the fork
    if prepared is None:
        if shipped.path is None:
            raise RuntimeError(
                "this worker was not forked during the ensemble, and no file of the scenario was written"
            )
        with open(shipped.path, "rb") as handle:
            prepared = pickle.load(handle)
    _LOADED[:] = [(shipped.token, prepared)]
    return prepared


def _dask_client(executor: Any) -> Any:
    """The distributed Client behind a ``Client.get_executor()`` executor, else None."""
    client = getattr(executor, "_client", None)
    return client if client is not None and hasattr(client, "scatter") else None
