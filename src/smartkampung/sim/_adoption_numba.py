"""Compiled (numba) backend of the spatial Bass adoption core.

Imported only when the ``"numba"`` backend is first used (through
:func:`smartkampung.sim._adoption_batch.adopt_batch`); ``import smartkampung``
never imports numba. Install it with ``pip install "smartkampung[fast]"``.

The equations are those of :func:`smartkampung.sim.adoption.simulate_adoption`;
the random numbers are not (see "Randomness"), so a seeded result of this
backend differs from the numpy backend's, with the same law.

Kernel. One compiled call runs all steps of a run. A step goes over the
villages in pieces of :data:`_CHUNK` villages; for each piece

1. the neighbours' adopting fractions ``sum_j W_ij a_j``, one column of the
   neighbour table at a time (:class:`Neighbours`), and the hazard exponent
   ``x = h dt = p dt + q dt ((1 - w) a_i + w sum_j W_ij a_j)``;
2. for its active villages (all of them once the piece's last village has
   started; otherwise gathered in order), in one vectorised loop (SIMD),
   ``P = 1 - exp(-x)``, ``(1 - P)^n = exp(-n x)`` with ``n = M - A``, and the
   set-up of the inversion, with polynomial ``exp`` and ``1 - exp(-x)``
   accurate to 2 ulp (libm's scalar calls cost 5 ns each and do not vectorise);
3. the binomial draws by inversion, all lanes of the piece in lock-step, one
   SIMD pass per value of the count (as the numpy backend does with whole
   arrays);
4. in village order, a scalar exact draw for the lanes inversion does not take
   (mean ``n P >= 30`` or ``P > 1/2``: BTRS; see below) and for the rare lane
   whose uniform fell in the rounding gap at the top of the CDF (a redraw),
   then the update of adopters, adopting fractions and the output row.

The deterministic kernel does steps 1 and 2 only, with
``a += (1 - a)(1 - exp(-x))``, over pieces of :data:`_DET_CHUNK` villages.

Randomness. Run ``r`` uses only its own generator ``g``, in two streams:

* ``g`` itself gives exactly one uniform per active village and step, drawn by
  numpy in blocks of whole steps (``Generator.random(out=...)``, about 2 ns a
  number against 5 ns for a call from compiled code);
* an *extra* generator made from ``g``'s state when the run starts, without
  drawing from ``g`` (``g.bit_generator.jumped()``: the same kind of bit
  generator, 2**127 draws ahead, so the streams never overlap; for a bit
  generator that cannot jump, four words drawn from ``g`` seed a PCG64),
  gives every further uniform (BTRS beyond its first uniform, the redraws),
  called from compiled code in (step, village) order.

So a run's numbers depend only on its generator's state and its inputs: not
on the block or piece sizes, on the other runs of a batch, on the thread that
runs it, or on spawn counters (a Generator made twice from one SeedSequence
gives the same run twice). ``g`` is advanced by the block draws.

Binomial draws (``n`` trials, probability ``P``; ``P > 1/2`` is drawn as
``n - Binomial(n, 1 - P)``):

* mean ``n P`` below :data:`INVERSION_MAX_MEAN`: inversion of the CDF from 0
  (one uniform); a uniform above the computed total probability (rounding,
  odds about 1e-16) is redrawn, which gives the exact conditional law;
* otherwise BTRS, the transformed rejection with squeeze of Hörmann (1993)
  [1]_, valid for ``n P >= 10``: two uniforms per iteration, 1.26 iterations
  per draw at mean 30 and 1.13 at mean 3e5 (69 % and 89 % of draws taken by
  the squeeze; measured by a Python transcription); its exact acceptance
  test uses ``log k!`` from a table below 256 and from Stirling's series
  (truncation error below 1e-20) above.

Both are exact up to the floating-point rounding of the probabilities, as for
any floating-point sampler: nothing is truncated or approximated in the law
(the inversion stops after :data:`_K_CAP` terms, beyond which the tail for
means under 30 is below 1e-25, and redraws).

References
----------
.. [1] W. Hörmann, "The generation of binomial random variates", *Journal of
   Statistical Computation and Simulation*, vol. 46, no. 1-2, pp. 101-110,
   1993. doi:10.1080/00949659308811496
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartkampung.sim._numba_binomial import (
    _BLOCK,
    _CHUNK,
    _DET_CHUNK,
    _SHORT_SERIES_MAX,
    INVERSION_MAX_MEAN,
    _draw_piece,
    _extra_stream,
    _inline,
    _jit,
    _one_minus_exp_neg_short,
    _stream_pointers,
    log_factorial,
    sample_binomial,
)

__all__ = [
    "INVERSION_MAX_MEAN",
    "Neighbours",
    "RunSummary",
    "log_factorial",
    "run_deterministic",
    "run_stochastic",
    "sample_binomial",
]


# ---------------------------------------------------------------------------- kernels


#: How :func:`_neighbour_sums` reads the neighbours: none; an ``(k, n)``
#: table of indices with equal weights (folded into ``q dt w``); the same with
#: a table of weights; CSR rows (for sparse weights whose longest row is much
#: longer than the mean, where a padded table would be wasteful).
NONE, EQUAL, TABLE, ROWS = 0, 1, 2, 3


@_inline
def _neighbour_sums(
    mode: int,
    lo: int,
    hi: int,
    a: NDArray[np.float64],
    table: NDArray[np.uint32],
    table_w: NDArray[np.float64],
    indptr: NDArray[np.int64],
    indices: NDArray[np.int64],
    weights: NDArray[np.float64],
    s: NDArray[np.float64],
) -> None:
    """``s[i - lo] = sum_j W_ij a_j`` for villages ``lo <= i < hi`` (without the factor ``1/k`` in EQUAL mode).

    The table modes go over one column of neighbours at a time, so each loop
    is a vectorised gather over villages.
    """
    m = np.uint64(hi - lo)
    for i in range(m):
        s[i] = 0.0
    if mode == EQUAL:
        k = table.shape[0]
        j = 0
        while j + 2 < k:
            c0 = table[j, lo:hi]
            c1 = table[j + 1, lo:hi]
            c2 = table[j + 2, lo:hi]
            for i in range(m):
                s[i] += (a[c0[i]] + a[c1[i]]) + a[c2[i]]
            j += 3
        while j < k:
            c0 = table[j, lo:hi]
            for i in range(m):
                s[i] += a[c0[i]]
            j += 1
    elif mode == TABLE:
        for j in range(table.shape[0]):
            c0 = table[j, lo:hi]
            w0 = table_w[j, lo:hi]
            for i in range(m):
                s[i] += w0[i] * a[c0[i]]
    elif mode == ROWS:
        for v in range(lo, hi):
            acc = 0.0
            for e in range(indptr[v], indptr[v + 1]):
                acc += weights[e] * a[indices[e]]
            s[v - lo] = acc


@_jit
def _stochastic_steps(
    t0: int,
    t1: int,
    market: NDArray[np.int64],
    inv_market: NDArray[np.float64],
    start: NDArray[np.int64],
    mode: int,
    table: NDArray[np.uint32],
    table_w: NDArray[np.float64],
    indptr: NDArray[np.int64],
    indices: NDArray[np.int64],
    weights: NDArray[np.float64],
    pdt: NDArray[np.float64],
    qdt_own: NDArray[np.float64],
    qdt_nbr: NDArray[np.float64],
    adopters: NDArray[np.int64],
    a_cur: NDArray[np.float64],
    a_next: NDArray[np.float64],
    u: NDArray[np.float64],
    next_double: Any,
    state: int,
    out: NDArray[Any],
    store: bool,
    summarise: bool,
    weights_v: NDArray[np.float64],
    threshold: NDArray[np.float64],
    totals: NDArray[np.float64],
    weighted: NDArray[np.float64],
    half: NDArray[np.int32],
    sample_of: NDArray[np.int64],
    samples: NDArray[Any],
) -> None:
    """Steps ``t0 .. t1-1`` of one stochastic run; ``u`` holds one uniform per active village and step.

    With ``store``, adopters go to row ``t`` of ``out``; without, to its row 0
    (scratch). With ``summarise``, each step also gives the total and the
    ``weights_v``-weighted total of adopters, the first step at or above each
    village's ``threshold`` (``half``, -1 until then), and a copy of the
    adopters at the steps ``sample_of`` marks (its index into ``samples``).
    """
    nv = market.size
    s = np.empty(_CHUNK)
    x = np.empty(_CHUNK)
    idx = np.empty(_CHUNK, dtype=np.int64)
    nrem = np.empty(_CHUNK, dtype=np.int64)
    xs = np.empty(_CHUNK)
    uu = np.empty(_CHUNK)
    cnt = np.empty(_CHUNK, dtype=np.int64)
    work = np.empty((4, _CHUNK))
    scalar = np.empty(_CHUNK, dtype=np.bool_)
    for i in range(nv):
        a_cur[i] = adopters[i] * inv_market[i]
    last_start = np.zeros((nv + _CHUNK - 1) // _CHUNK, dtype=np.int64)  # latest start step in each piece
    for i in range(nv):
        last_start[i // _CHUNK] = max(last_start[i // _CHUNK], start[i])
    pos = 0
    part = np.zeros(8)  # partial sums of the step's weighted new adopters (fixed order: reproducible)
    for t in range(t0, t1):
        t_out = t if store else 0
        tt = np.int32(t)
        new_whole = 0
        part[:] = 0.0
        for lo in range(0, nv, _CHUNK):
            hi = min(lo + _CHUNK, nv)
            m = hi - lo
            _neighbour_sums(mode, lo, hi, a_cur, table, table_w, indptr, indices, weights, s)
            ac = a_cur[lo:hi]
            pd = pdt[lo:hi]
            qo = qdt_own[lo:hi]
            qn = qdt_nbr[lo:hi]
            for i in range(np.uint64(m)):
                x[i] = pd[i] + qo[i] * ac[i] + qn[i] * s[i]  # h dt
            if t >= last_start[lo // _CHUNK]:
                # Every village of the piece is active: lanes are villages lo .. hi-1.
                ad = adopters[lo:hi]
                mk = market[lo:hi]
                for i in range(np.uint64(m)):
                    nrem[i] = mk[i] - ad[i]
                    uu[i] = u[pos + i]
                pos += m
                _draw_piece(m, nrem, x, uu, cnt, work, scalar, next_double, state)
                an = a_next[lo:hi]
                im = inv_market[lo:hi]
                row = out[t_out, lo:hi]
                for i in range(np.uint64(m)):
                    av = ad[i] + cnt[i]
                    ad[i] = av
                    an[i] = av * im[i]
                    row[i] = av
                if summarise:
                    new_whole += _summarise_piece(tt, lo, m, cnt, ad, weights_v, threshold, half, part)
                continue
            c = 0
            for i in range(m):  # the active villages of the piece, in order
                v = lo + i
                idx[c] = v
                xs[c] = x[i]
                nrem[c] = market[v] - adopters[v]
                c += start[v] <= t
            if c == 0:
                continue
            for j in range(c):
                uu[j] = u[pos + j]
            pos += c
            _draw_piece(c, nrem, xs, uu, cnt, work, scalar, next_double, state)
            for j in range(c):
                v = idx[j]
                av = adopters[v] + cnt[j]
                adopters[v] = av
                a_next[v] = av * inv_market[v]
                out[t_out, v] = av
                if summarise:
                    new_whole += cnt[j]
                    part[j & 7] += cnt[j] * weights_v[v]
                    if half[v] < 0 and av >= threshold[v]:
                        half[v] = tt
        if summarise:
            # Running totals: the previous step's plus this step's new adopters (adopters never leave).
            before_whole = totals[t - 1] if t > 0 else 0.0
            before_weighted = weighted[t - 1] if t > 0 else 0.0
            totals[t] = before_whole + new_whole
            weighted[t] = before_weighted + (
                ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]))
            )
            k = sample_of[t]
            if k >= 0:
                for v in range(nv):
                    samples[k, v] = adopters[v]
        a_cur, a_next = a_next, a_cur


@_inline
def _summarise_piece(
    t: np.int32,
    lo: int,
    m: int,
    cnt: NDArray[np.int64],
    ad: NDArray[np.int64],
    weights_v: NDArray[np.float64],
    threshold: NDArray[np.float64],
    half: NDArray[np.int32],
    part: NDArray[np.float64],
) -> int:
    """A fully active piece's share of the step's summary: its new adopters (returned), weighted, and thresholds.

    Branch-free loops that vectorise: an integer sum, eight interleaved partial
    sums (lane ``i & 7``, the order the scalar lanes use), a select.
    """
    whole = 0
    for i in range(np.uint64(m)):
        whole += cnt[i]
    wv = weights_v[lo : lo + m]
    body = m - m % 8
    for i in range(0, body, 8):
        for j in range(8):
            part[j] += cnt[i + j] * wv[i + j]
    for i in range(body, m):
        part[i & 7] += cnt[i] * wv[i]
    th = threshold[lo : lo + m]
    hf = half[lo : lo + m]
    for i in range(np.uint64(m)):
        h = hf[i]
        hf[i] = t if (h < 0) & (ad[i] >= th[i]) else h
    return whole


@_jit
def _deterministic_steps(
    steps: int,
    market: NDArray[np.float64],
    start: NDArray[np.int64],
    mode: int,
    table: NDArray[np.uint32],
    table_w: NDArray[np.float64],
    indptr: NDArray[np.int64],
    indices: NDArray[np.int64],
    weights: NDArray[np.float64],
    pdt: NDArray[np.float64],
    qdt_own: NDArray[np.float64],
    qdt_nbr: NDArray[np.float64],
    out: NDArray[np.float64],
) -> None:
    """All steps of one deterministic run; the state is the adopting fraction ``a`` (0 where not active).

    ``1 - exp(-x)`` is the vectorised short series; the rare village with
    ``x >= 0.1`` is then redone with libm's ``expm1``.
    """
    nv = market.size
    a_cur = np.zeros(nv)
    a_next = np.zeros(nv)
    s = np.empty(_DET_CHUNK)
    for t in range(steps):
        for lo in range(0, nv, _DET_CHUNK):
            hi = min(lo + _DET_CHUNK, nv)
            _neighbour_sums(mode, lo, hi, a_cur, table, table_w, indptr, indices, weights, s)
            ac = a_cur[lo:hi]
            an = a_next[lo:hi]
            st = start[lo:hi]
            pd = pdt[lo:hi]
            qo = qdt_own[lo:hi]
            qn = qdt_nbr[lo:hi]
            mk = market[lo:hi]
            row = out[t, lo:hi]
            big = 0
            for i in range(np.uint64(hi - lo)):
                a = ac[i]
                x = pd[i] + qo[i] * a + qn[i] * s[i]
                big += x >= _SHORT_SERIES_MAX
                new = a + (1.0 - a) * _one_minus_exp_neg_short(x)  # a -= (1 - a) expm1(-x)
                new = new if st[i] <= t else 0.0
                an[i] = new
                row[i] = new * mk[i]
            if big:
                for i in range(hi - lo):
                    a = ac[i]
                    x = pd[i] + qo[i] * a + qn[i] * s[i]
                    if x >= _SHORT_SERIES_MAX and st[i] <= t:
                        new = a - (1.0 - a) * math.expm1(-x)
                        an[i] = new
                        row[i] = new * mk[i]
        a_cur, a_next = a_next, a_cur


class Neighbours:
    """The neighbour weights ``W`` in the layout the kernels read (see :data:`EQUAL` and friends).

    Parameters
    ----------
    neighbours : None, numpy.ndarray of int with shape (n, k), or a CSR matrix with shape (n, n)
        As validated by ``simulate_adoption`` (rows of a matrix sum to 1 or 0).
    n : int
        Number of villages.
    """

    __slots__ = ("indices", "indptr", "mode", "scale", "table", "table_w", "weights")

    def __init__(self, neighbours: Any, n: int) -> None:
        self.scale = 1.0  # factor applied to q dt w
        self.table = np.zeros((0, n), dtype=np.uint32)
        self.table_w = np.zeros((0, n))
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        self.indices = np.zeros(0, dtype=np.int64)
        self.weights = np.zeros(0)
        self.mode = NONE
        if neighbours is None:
            return
        if isinstance(neighbours, np.ndarray):
            k = neighbours.shape[1]
            if k:
                self.mode = EQUAL
                self.table = np.ascontiguousarray(neighbours.T, dtype=np.uint32)
                self.scale = 1.0 / k
            return
        indptr = np.asarray(neighbours.indptr, dtype=np.int64)
        lengths = np.diff(indptr)
        self.indptr = np.ascontiguousarray(indptr)
        self.indices = np.ascontiguousarray(neighbours.indices, dtype=np.int64)
        self.weights = np.ascontiguousarray(neighbours.data, dtype=np.float64)
        longest = int(lengths.max()) if n else 0
        if longest == 0:
            return
        if longest > 2 * lengths.mean() + 8:
            self.mode = ROWS
            return
        self.mode = TABLE
        col = np.arange(self.indices.size) - np.repeat(indptr[:-1], lengths)  # slot within its row
        row = np.repeat(np.arange(n), lengths)
        self.table = np.zeros((longest, n), dtype=np.uint32)  # padding: village 0 with weight 0
        self.table_w = np.zeros((longest, n))
        self.table[col, row] = self.indices
        self.table_w[col, row] = self.weights


class RunSummary:
    """Where :func:`run_stochastic` puts one run's summary (arrays written in place).

    ``weights`` (n,) weigh the adopters of :attr:`weighted`; ``threshold``
    (n,) is the count at which a village's half-market step is recorded
    (``inf`` for never); ``sample_of`` (steps,) is the index into
    ``samples`` (K, n) of each step to copy, else -1.
    """

    __slots__ = ("arrays",)

    def __init__(
        self,
        weights: NDArray[np.float64],
        threshold: NDArray[np.float64],
        totals: NDArray[np.float64],
        weighted: NDArray[np.float64],
        half: NDArray[np.int32],
        sample_of: NDArray[np.int64],
        samples: NDArray[Any],
    ) -> None:
        self.arrays = (weights, threshold, totals, weighted, half, sample_of, samples)


# Typed stand-ins for the summary arguments when there is no summary (never written).
_NO_SUMMARY = (
    np.zeros(0),
    np.zeros(0),
    np.zeros(0),
    np.zeros(0),
    np.zeros(0, dtype=np.int32),
    np.zeros(0, dtype=np.int64),
    np.zeros((0, 0), dtype=np.int32),
)


def run_stochastic(
    market: NDArray[np.int64],
    inv_market: NDArray[np.float64],
    start: NDArray[np.int64],
    active: NDArray[np.int64],
    nbrs: Neighbours,
    pdt: NDArray[np.float64],
    qdt_own: NDArray[np.float64],
    qdt_nbr: NDArray[np.float64],
    steps: int,
    generator: np.random.Generator,
    out: NDArray[Any],
    summary: RunSummary | None = None,
) -> NDArray[np.int64]:
    """One stochastic run into ``out`` (shape ``(steps, n)``, zeros, int32 or int64); returns the final adopters.

    With a ``summary``, ``out`` may be a scratch array of shape ``(1, n)``:
    the run's totals, weighted totals, half-market steps and samples go to
    the summary's arrays instead of the full adopters.

    ``inv_market = 1 / market`` (0 where the market is 0); ``pdt = p dt``,
    ``qdt_own = q dt (1 - w)``, ``qdt_nbr = q dt w`` per village (zero where
    the market is 0); ``start`` is clipped to ``[0, steps]``; ``active[t]`` is
    the number of villages with ``start <= t``. All int64/float64,
    C-contiguous.
    """
    n = market.size
    adopters = np.zeros(n, dtype=np.int64)
    a_cur = np.zeros(n)
    a_next = np.zeros(n)
    qn = qdt_nbr * nbrs.scale
    extra = _extra_stream(generator)  # kept alive while the kernel uses its state
    next_double, state = _stream_pointers(extra)
    buf = np.empty(max(min(_BLOCK, int(active.sum())), int(active.max())))
    t0 = 0
    while t0 < steps:
        t1 = t0
        used = 0
        while t1 < steps and (t1 == t0 or used + active[t1] <= buf.size):
            used += int(active[t1])
            t1 += 1
        u = buf[:used]
        generator.random(out=u)
        _stochastic_steps(
            t0,
            t1,
            market,
            inv_market,
            start,
            nbrs.mode,
            nbrs.table,
            nbrs.table_w,
            nbrs.indptr,
            nbrs.indices,
            nbrs.weights,
            pdt,
            qdt_own,
            qn,
            adopters,
            a_cur,
            a_next,
            u,
            next_double,
            state,
            out,
            out.shape[0] == steps,
            summary is not None,
            *(summary.arrays if summary is not None else _NO_SUMMARY),
        )
        t0 = t1
    return adopters


def run_deterministic(
    market: NDArray[np.float64],
    start: NDArray[np.int64],
    nbrs: Neighbours,
    pdt: NDArray[np.float64],
    qdt_own: NDArray[np.float64],
    qdt_nbr: NDArray[np.float64],
    steps: int,
    out: NDArray[np.float64],
) -> None:
    """One deterministic run into ``out`` (shape ``(steps, n)``, float64); arguments as :func:`run_stochastic`."""
    _deterministic_steps(
        steps,
        market,
        start,
        nbrs.mode,
        nbrs.table,
        nbrs.table_w,
        nbrs.indptr,
        nbrs.indices,
        nbrs.weights,
        pdt,
        qdt_own,
        qdt_nbr * nbrs.scale,
        out,
    )
