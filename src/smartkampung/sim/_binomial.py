"""Exact binomial draws for many villages and runs at once: the sampler of the stochastic adoption core.

Most village draws have a small mean (a few new adopters a month), where
inversion of the CDF is exact and cheap; numpy's ``Generator.binomial``
(BTPE) handles the rest. :func:`binomial` draws ``Binomial(n[j], p[j])`` for
run ``j`` from that run's own generator, in a fixed order, so a run's numbers
never depend on the other runs drawn with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
from numpy.typing import NDArray

__all__ = ["INVERSION_MAX_MEAN", "binomial", "binomial_inversion", "inversion_chunked"]


#: Mean below which :func:`binomial` samples by vectorised inversion; at and
#: above it numpy's own sampler (BTPE) is faster (measured; numpy itself
#: switches from inversion to BTPE at 30).
INVERSION_MAX_MEAN: Final[float] = 30.0
#: Inversion compacts its working arrays when fewer than this share is unresolved.
_COMPACT_BELOW: Final[float] = 0.3
#: An element unresolved after ``k > mean + _CAP_SD sqrt(mean + 1) + _CAP_SD``
#: is redrawn by numpy (see :func:`binomial_inversion`).
_CAP_SD: Final[float] = 12.0
#: Elements per piece of work for the inversion sampler: fits a core's L2
#: cache; 16k and 32k elements measured fastest, 32k means fewer calls.
_CHUNK: Final[int] = 32_768


def binomial(gens: Sequence[np.random.Generator], n: NDArray[np.int64], p: NDArray[np.float64]) -> NDArray[np.int64]:
    """Exact ``Binomial(n[j], p[j])`` draws for run ``j`` from ``gens[j]``.

    ``n`` and ``p`` have shape ``(len(gens), m)``. Each run draws ``m``
    uniforms from its generator. Elements with mean ``n p < 30`` and
    ``p <= 0.5`` are drawn from them by :func:`binomial_inversion`, all
    runs together; the others (their uniforms unused) and any element the
    inversion hands back are then drawn by ``gens[j].binomial``, in index
    order. So each generator is used in the same order whatever the other
    runs are. Both samplers are exact: the result is a draw from the stated
    law.
    """
    nb, m = n.shape
    mean = n * p
    small = mean < INVERSION_MAX_MEAN
    small &= p <= 0.5
    all_small = bool(small.all())
    # Elements left to numpy get p = 0 here, which the inversion resolves to 0
    # at once; they are overwritten below.
    p_inv = p if all_small else np.where(small, p, 0.0)
    u01 = np.concatenate([g.random(m) for g in gens], dtype=np.float64)
    draws, stuck = inversion_chunked(u01, n.reshape(-1), p_inv.reshape(-1), mean.reshape(-1))
    out = draws.reshape(nb, m)
    redraw: NDArray[np.bool_] | None = None if all_small else ~small
    if stuck.size:
        if redraw is None:
            redraw = np.zeros((nb, m), dtype=np.bool_)
        redraw.reshape(-1)[stuck] = True
    if redraw is not None:
        for j in range(nb):
            cols = np.flatnonzero(redraw[j])
            if cols.size:
                out[j, cols] = gens[j].binomial(n[j, cols], p[j, cols])
    return out


def inversion_chunked(
    u01: NDArray[np.float64], n: NDArray[np.int64], p: NDArray[np.float64], mean: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.intp]]:
    """:func:`binomial_inversion` over pieces that fit in a core's cache.

    Pieces of ``_CHUNK`` elements keep the working arrays in L2 (measured
    fastest near 16,000 elements); results are elementwise, so they do not
    depend on the piece size.
    """
    size = n.size
    if size <= _CHUNK:
        return binomial_inversion(u01, n, p, mean)
    draws = np.empty(size, dtype=np.int64)
    stuck: list[NDArray[np.intp]] = []
    for lo in range(0, size, _CHUNK):
        hi = min(lo + _CHUNK, size)
        part, part_stuck = binomial_inversion(u01[lo:hi], n[lo:hi], p[lo:hi], mean[lo:hi])
        draws[lo:hi] = part
        stuck.append(part_stuck + lo)
    return draws, np.concatenate(stuck)


def binomial_inversion(
    u01: NDArray[np.float64], n: NDArray[np.int64], p: NDArray[np.float64], mean: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.intp]]:
    """Binomial draws by inversion of the CDF, vectorised over elements.

    For the uniform ``u01[i]`` the draw is the least ``k`` with
    ``u01[i] <= F(k)``, with ``F`` summed from ``f(0) = (1 - p)^n`` by the
    recurrence ``f(k + 1) = f(k) (n - k) / (k + 1) p / (1 - p)``: the
    inversion algorithm numpy's own sampler uses below mean 30, run as a
    few whole-array operations per value of ``k`` instead of a loop per
    element. Elements leave the working arrays as they resolve.

    Rounding can leave the computed ``F`` of the whole support a hair below
    ``u01``. An element still unresolved once ``k`` exceeds its own cap
    ``mean + 12 sqrt(mean + 1) + 12`` (beyond which the tail has probability
    below 1e-25 for means under 30) is returned in ``stuck``; the caller
    redraws it. Each element's result depends only on its own inputs.

    Parameters
    ----------
    u01 : numpy.ndarray of float64, shape (m,)
        Uniform draws on [0, 1).
    n : numpy.ndarray of int64, shape (m,)
        Trials, >= 0.
    p : numpy.ndarray of float64, shape (m,)
        Success probabilities in [0, 0.5].
    mean : numpy.ndarray of float64, shape (m,)
        ``n * p``, below 30 (the work is about ``mean + 1`` whole-array
        operations per element).

    Returns
    -------
    draws : numpy.ndarray of int64, shape (m,)
        The draws (undefined where ``stuck``).
    stuck : numpy.ndarray of intp
        Positions to redraw, ascending.
    """
    size = n.size
    out = np.zeros(size, dtype=np.int64)
    if size == 0:
        return out, np.zeros(0, dtype=np.intp)
    cap = mean + _CAP_SD * np.sqrt(mean + 1.0) + _CAP_SD
    cap_low = float(cap.min())
    nf = n.astype(np.float64)
    ratio = 1.0 - p
    np.divide(p, ratio, out=ratio)  # p / (1 - p)
    pmf = np.log1p(-p)
    pmf *= nf
    np.exp(pmf, out=pmf)  # f(0) = (1 - p)^n
    cdf = pmf.copy()
    factor = nf
    factor *= ratio  # (n - k) p / (1 - p) at k = 0
    count = np.zeros(size, dtype=np.uint8)  # caps stay below 255 for means under 30
    above = np.empty(size, dtype=np.bool_)
    above_u8 = above.view(np.uint8)
    idx: NDArray[np.intp] | None = None
    live = size
    stuck: list[NDArray[np.intp]] = []
    k = 0
    while True:
        np.greater(u01, cdf, out=above)
        if k & 1 and k <= cap_low:
            # Odd k: skip the count (one spare iteration at most, no effect on results).
            count += above_u8
            pmf *= factor
            pmf *= 1.0 / (k + 1)
            cdf += pmf
            factor -= ratio
            k += 1
            continue
        if k > cap_low:
            over = above & (cap < k)
            if over.any():
                where = np.flatnonzero(over)
                stuck.append(where if idx is None else idx[where])
                above &= ~over
                cdf[where] = 2.0  # resolved from now on (u01 < 1)
            cap_low = float(cap[above].min()) if above.any() else np.inf
        n_above = int(np.count_nonzero(above))
        if n_above == 0:
            break
        if n_above < _COMPACT_BELOW * live:
            keep = np.flatnonzero(above)
            if idx is None:
                out[:] = count
                idx = keep
            else:
                out[idx] = count
                idx = idx[keep]
            u01, cdf, pmf, factor, ratio, count, cap = (
                u01[keep],
                cdf[keep],
                pmf[keep],
                factor[keep],
                ratio[keep],
                count[keep],
                cap[keep],
            )
            live = keep.size
            above = np.ones(live, dtype=np.bool_)
            above_u8 = above.view(np.uint8)
        count += above_u8
        pmf *= factor
        pmf *= 1.0 / (k + 1)
        cdf += pmf
        factor -= ratio
        k += 1
    if idx is None:
        out[:] = count
    else:
        out[idx] = count
    where_stuck = np.sort(np.concatenate(stuck)) if stuck else np.zeros(0, dtype=np.intp)
    return out, where_stuck
