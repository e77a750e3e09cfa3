"""What an ensemble keeps of a batch of adoption runs, without holding runs x steps x villages numbers.

The outcomes of a run need, per service, its adopters summed over the
villages each step, a weighted sum (the hours saved), the step each village
reaches half its market, its adopters at the last step and at a few sample
steps (the IDM data cut-offs): not the whole trajectory. :func:`summarise`
reduces full trajectories to that (the reference);
:func:`adopt_batch_summary` simulates and reduces, and on the compiled
backend in stochastic mode computes the summary inside the kernel, step by
step, so a national batch never holds its trajectories.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, as_int_array, check_choice, check_int, check_shape
from smartkampung.sim._adoption_batch import BACKENDS, _Batch, _numba_batch, _numba_module, adopt_batch

__all__ = ["BatchSummary", "adopt_batch_summary", "summarise"]


@attrs.frozen(eq=False)
class BatchSummary:
    """The summary of a batch of runs of one service.

    Attributes
    ----------
    totals : ndarray of float64, shape (runs, steps)
        Adopters over all villages at the end of each step. [households]
    weighted : ndarray of float64, shape (runs, steps)
        Adopters weighted by village (e.g. hours saved per adopter). [weight x households]
    half_step : ndarray of int32, shape (runs, n_villages)
        First step with at least half of the market adopting; -1 if never
        (and for a market of 0).
    final : ndarray, shape (runs, n_villages)
        Adopters at the last step. [households]
    samples : ndarray, shape (runs, n_samples, n_villages)
        Adopters at each sample step. [households]
    """

    totals: NDArray[np.float64]
    weighted: NDArray[np.float64]
    half_step: NDArray[np.int32]
    final: NDArray[Any]
    samples: NDArray[Any]


def summarise(
    adopters: NDArray[Any], market: NDArray[Any], weights: NDArray[np.float64], sample_steps: NDArray[np.int64]
) -> BatchSummary:
    """The summary of full trajectories ``adopters`` (runs, steps, n_villages), run by run (the reference)."""
    runs, steps, n = adopters.shape
    totals = np.zeros((runs, steps))
    weighted = np.zeros((runs, steps))
    half_step = np.full((runs, n), -1, dtype=np.int32)
    threshold = np.where(market > 0, 0.5 * market, np.inf)
    for r in range(runs):
        a = adopters[r]
        totals[r] = a.sum(axis=1, dtype=np.float64)
        weighted[r] = np.einsum("tn,n->t", a, weights)  # no BLAS threads, no float copy
        # Adopters never decrease, so the first step at half the market is steps minus the steps at or above it.
        reached = np.count_nonzero(a >= threshold, axis=0)
        half_step[r] = np.where(reached > 0, steps - reached, -1)
    final = adopters[:, -1].copy() if steps else np.zeros((runs, n), dtype=adopters.dtype)
    return BatchSummary(totals, weighted, half_step, final, adopters[:, sample_steps].copy())


def adopt_batch_summary(
    market: ArrayLike,
    start_step: ArrayLike,
    neighbours: Any,
    *,
    p: ArrayLike,
    q: ArrayLike,
    w: float = 0.0,
    steps: int,
    dt: float = 1.0,
    stochastic: bool = True,
    generators: Sequence[np.random.Generator] | None = None,
    backend: str = "numpy",
    weights: ArrayLike,
    sample_steps: ArrayLike = (),
) -> BatchSummary:
    """:func:`~smartkampung.sim._adoption_batch.adopt_batch`, reduced to a :class:`BatchSummary`.

    Parameters
    ----------
    market, start_step, neighbours, p, q, w, steps, dt, stochastic, generators, backend
        As :func:`~smartkampung.sim._adoption_batch.adopt_batch`.
    weights : array_like, shape (n_villages,)
        Weight of an adopter of each village in :attr:`BatchSummary.weighted`.
    sample_steps : array_like of int, shape (n_samples,)
        Steps (0 .. steps - 1) whose adopters :attr:`BatchSummary.samples` keeps.

    Notes
    -----
    With the numpy backend, or in deterministic mode, the trajectories are
    simulated whole and reduced by :func:`summarise`. With the numba backend
    in stochastic mode the kernel sums each step itself (the weighted sum in
    village order, so its last bits can differ from :func:`summarise`'s
    ``einsum``; the counts are exact either way).
    """
    fn = "adopt_batch_summary"
    check_choice(backend, "backend", fn, BACKENDS)
    n_steps = check_int(steps, "steps", fn, minimum=1)
    marks = as_int_array(sample_steps, "sample_steps", fn).reshape(-1)
    if marks.size and (marks.min() < 0 or marks.max() >= n_steps):
        raise ParameterError("sample_steps", f"must lie in 0 .. {n_steps - 1}, got {marks.tolist()[:10]}", function=fn)
    wts = np.ascontiguousarray(as_float_array(weights, "weights", fn))
    check_shape(wts, (int(np.size(market)),), "weights", fn)
    if backend != "numba" or not stochastic:
        full = adopt_batch(
            market,
            start_step,
            neighbours,
            p=p,
            q=q,
            w=w,
            steps=steps,
            dt=dt,
            stochastic=stochastic,
            generators=generators,
            backend=backend,
        )
        return summarise(full, np.asarray(market), wts, marks)
    module = _numba_module(fn)
    batch = _Batch(market, start_step, neighbours, p, q, w, steps, dt, stochastic, generators, fn)
    n, runs = batch.market.size, batch.runs
    threshold = np.where(batch.market > 0, 0.5 * batch.market, np.inf)
    sample_of = np.full(n_steps, -1, dtype=np.int64)
    sample_of[marks] = np.arange(marks.size)
    totals = np.zeros((runs, n_steps))
    weighted = np.zeros((runs, n_steps))
    half = np.full((runs, n), -1, dtype=np.int32)
    samples = np.zeros((runs, marks.size, n), dtype=batch.dtype)
    summaries = [
        module.RunSummary(wts, threshold, totals[b], weighted[b], half[b], sample_of, samples[b]) for b in range(runs)
    ]
    _, finals = _numba_batch(module, batch, 1, summaries)
    final = np.stack(finals).astype(batch.dtype) if runs else np.zeros((0, n), dtype=batch.dtype)
    # A step sampled twice (the same cut-off for two years) is copied once by the kernel: fill the repeats.
    if marks.size:
        samples = samples[:, sample_of[marks]]
    return BatchSummary(totals, weighted, half, final, samples)
