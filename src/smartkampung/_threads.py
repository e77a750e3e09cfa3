"""One BLAS thread for small linear algebra: scoped limits through threadpoolctl, when it is installed.

numpy's and scipy's BLAS start a thread per core. For the tiny problems of
this package (a 3-parameter optimisation, a (n, 50) by (50, 3) product) the
threads cost more than they save, and on a loaded machine much more: a Bass
maximum-likelihood fit took 3.8 ms with one BLAS thread and 5.8 to 66 ms
with two on the 2-core development machine, depending on its load. The
limits here are scoped (restored on exit) and a no-op without
:mod:`threadpoolctl` (``pip install "smartkampung[dask]"``).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

__all__ = ["limit_blas_threads", "one_blas_thread"]


@functools.cache
def _controller() -> Any:
    """threadpoolctl's controller of the pools loaded now (built once: 1.4 ms; a limit through it costs 12 µs)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional: without it the pools keep their size
        return None
    return ThreadpoolController()


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Within the block, BLAS and OpenMP pools use one thread (when threadpoolctl is installed)."""
    controller = _controller()
    if controller is None:
        yield
        return
    with controller.limit(limits=1):
        yield


def limit_blas_threads() -> None:
    """For the rest of this process, BLAS and OpenMP pools use one thread (a worker process's set-up)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1)
