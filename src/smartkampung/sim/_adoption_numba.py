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

import importlib
import math
from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "INVERSION_MAX_MEAN",
    "Neighbours",
    "log_factorial",
    "run_deterministic",
    "run_stochastic",
    "sample_binomial",
]

# Imported through importlib so that mypy sees a plain module (numba ships no
# type information) and the decorators below stay typed.
_numba: Any = importlib.import_module("numba")

_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(func: _F) -> _F:
    """Compile ``func`` in nopython mode, releasing the GIL, cached on disk.

    No ``fastmath``: every operation rounds as IEEE 754 says (no contraction
    into fused multiply-adds, no reassociation).
    """
    return cast(_F, _numba.njit(cache=True, nogil=True, error_model="numpy")(func))


def _inline(func: _F) -> _F:
    """As :func:`_jit`, inlined into its callers by numba.

    Calls between separately cached functions are not inlined by LLVM (the
    callee is loaded as machine code), which keeps a loop that calls them
    from vectorising; small functions used in hot loops are therefore inlined
    when the caller is compiled.
    """
    return cast(_F, _numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")(func))


#: Mean ``n P`` (with ``P <= 1/2``) below which a draw is made by inversion;
#: at and above it by BTRS. The numpy backend switches at the same mean.
INVERSION_MAX_MEAN: Final[float] = 30.0
#: Villages per piece of a step (their working arrays stay in L1 cache).
_CHUNK: Final[int] = 512
#: Inversion terms before a lane counts as stuck in the rounding gap: above
#: ``30 + 12 sqrt(31) + 12``, beyond which the tail for means under 30 is below 1e-25.
_K_CAP: Final[int] = 110
#: Villages per piece of a deterministic step (measured fastest of 256 to 4096).
_DET_CHUNK: Final[int] = 2048
#: Uniforms per block of the block stream (whole steps; at least one step).
_BLOCK: Final[int] = 1 << 18

# 1 / k for the inversion recurrences.
_RECIPROCALS: Final[NDArray[np.float64]] = np.concatenate(([0.0], 1.0 / np.arange(1, 1024)))
# log(k!) for k < 256.
_LOG_FACTORIALS: Final[NDArray[np.float64]] = np.array([math.lgamma(k + 1.0) for k in range(256)])
_HALF_LOG_2PI: Final[float] = 0.5 * math.log(2.0 * math.pi)
# exp: y = k ln 2 + r, |r| <= ln(2)/2; ln 2 split in a high part with trailing
# zero bits (k * _LN2_HI is exact) and the rest; 2^-k from a table (0 past
# the smallest subnormal).
_LOG2E: Final[float] = 1.4426950408889634
_LN2_HI: Final[float] = 6.93147180369123816490e-01
_LN2_LO: Final[float] = 1.90821492927058770002e-10
_POW2_NEG: Final[NDArray[np.float64]] = np.array([math.ldexp(1.0, -j) for j in range(1101)])


# --------------------------------------------------------------- elementary functions


@_inline
def _exp_neg(y: float) -> float:
    """``exp(y)`` for ``y <= 0`` (including ``-inf``), within 1.1 ulp; vectorisable.

    Range reduction ``y = k ln 2 + r`` and the Taylor polynomial of degree 13
    on ``|r| <= ln(2)/2`` (truncation below 5e-18 relative).
    """
    y = max(y, -760.0)  # exp(-760) underflows to 0 like any y below; keeps k in the table
    kf = np.floor(y * _LOG2E + 0.5)
    r = (y - kf * _LN2_HI) - kf * _LN2_LO
    s = 1.0 / 6227020800.0
    s = s * r + 1.0 / 479001600.0
    s = s * r + 1.0 / 39916800.0
    s = s * r + 1.0 / 3628800.0
    s = s * r + 1.0 / 362880.0
    s = s * r + 1.0 / 40320.0
    s = s * r + 1.0 / 5040.0
    s = s * r + 1.0 / 720.0
    s = s * r + 1.0 / 120.0
    s = s * r + 1.0 / 24.0
    s = s * r + 1.0 / 6.0
    s = s * r + 0.5
    s = s * r + 1.0
    s = s * r + 1.0
    return float(s * _POW2_NEG[np.int64(-kf)])


@_inline
def _one_minus_exp_neg_series(x: float) -> float:
    """``1 - exp(-x)`` for ``0 <= x < 0.35`` within 2 ulp; vectorisable.

    The nested Taylor series ``x (1 - x/2 (1 - x/3 (...)))`` to degree 17
    (truncation below 1e-22 relative on that interval).
    """
    z = -x
    q = 1.0 + z * (1.0 / 17.0)
    q = 1.0 + z * (q * (1.0 / 16.0))
    q = 1.0 + z * (q * (1.0 / 15.0))
    q = 1.0 + z * (q * (1.0 / 14.0))
    q = 1.0 + z * (q * (1.0 / 13.0))
    q = 1.0 + z * (q * (1.0 / 12.0))
    q = 1.0 + z * (q * (1.0 / 11.0))
    q = 1.0 + z * (q * (1.0 / 10.0))
    q = 1.0 + z * (q * (1.0 / 9.0))
    q = 1.0 + z * (q * (1.0 / 8.0))
    q = 1.0 + z * (q * (1.0 / 7.0))
    q = 1.0 + z * (q * (1.0 / 6.0))
    q = 1.0 + z * (q * (1.0 / 5.0))
    q = 1.0 + z * (q * (1.0 / 4.0))
    q = 1.0 + z * (q * (1.0 / 3.0))
    q = 1.0 + z * (q * 0.5)
    return x * q


#: Below this ``x``, ``1 - exp(-x)`` is the series; at and above, ``1 - exp(-x)``.
_SERIES_MAX: Final[float] = 0.35


@_inline
def _one_minus_exp_neg_short(x: float) -> float:
    """``1 - exp(-x)`` for ``0 <= x < 0.1`` within 2 ulp: the series to degree 12; vectorisable.

    The first term left out is below ``x^12 / 13! < 2e-22`` relative. Monthly
    hazards are far below 0.1 (``p + q`` is about 0.034 per month), so the
    deterministic kernel uses this and redoes the rare larger ``x`` with libm.
    """
    z = -x
    q = 1.0 + z * (1.0 / 12.0)
    q = 1.0 + z * (q * (1.0 / 11.0))
    q = 1.0 + z * (q * (1.0 / 10.0))
    q = 1.0 + z * (q * (1.0 / 9.0))
    q = 1.0 + z * (q * (1.0 / 8.0))
    q = 1.0 + z * (q * (1.0 / 7.0))
    q = 1.0 + z * (q * (1.0 / 6.0))
    q = 1.0 + z * (q * (1.0 / 5.0))
    q = 1.0 + z * (q * (1.0 / 4.0))
    q = 1.0 + z * (q * (1.0 / 3.0))
    q = 1.0 + z * (q * 0.5)
    return x * q


#: Below this ``x`` the deterministic kernel uses :func:`_one_minus_exp_neg_short`.
_SHORT_SERIES_MAX: Final[float] = 0.1


@_inline
def _one_minus_exp_neg(x: float) -> float:
    """``1 - exp(-x)`` for ``x >= 0``, within 2 ulp; vectorisable.

    The series below 0.35; above, ``1 - exp(-x)``, which loses at most 2 ulp
    there (the result is above 0.29).
    """
    small = _one_minus_exp_neg_series(x)
    big = 1.0 - _exp_neg(-x)
    return small if x < _SERIES_MAX else big


@_inline
def log_factorial(k: int) -> float:
    """``log(k!)`` for ``k >= 0``: a table below 256, Stirling's series above.

    The series ``(k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2 + 1/(12 z)
    - 1/(360 z^3) + 1/(1260 z^5)``, ``z = k + 1``, has a truncation error below
    ``1/(1680 z^7) < 1e-20`` for ``k >= 256``.
    """
    if k < 256:
        return float(_LOG_FACTORIALS[k])
    z = k + 1.0
    r = 1.0 / z
    r2 = r * r
    return (k + 0.5) * math.log(z) - z + _HALF_LOG_2PI + r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 / 1260.0))


# ------------------------------------------------------------------ scalar samplers


@_inline
def _inversion(n: int, p: float, f0: float, u: float, next_double: Any, state: int) -> int:
    """Binomial(n, p) by sequential inversion from 0; ``0 < p <= 1/2``, ``n >= 1``, ``f0 = (1 - p)^n``.

    ``u`` is the first uniform; a redraw (rounding gap) takes the next uniform of the extra stream
    (``next_double(state)``).
    """
    r = p / (1.0 - p)
    while True:
        f = f0
        k = 0
        while u > f:
            u -= f
            k += 1
            if k > n:
                break
            if k < 1024:
                f *= (n - k + 1) * r * _RECIPROCALS[k]
            else:
                f *= (n - k + 1) * r / k
            if f == 0.0:
                break
        if u <= f:
            return k
        # u fell in the rounding gap above the computed total probability (past
        # the last term, or past the last representable one): redraw, which
        # gives the exact conditional law.
        u = next_double(state)


@_inline
def _btrs(n: int, p: float, u0: float, next_double: Any, state: int) -> int:
    """Binomial(n, p) by Hörmann's BTRS, for ``n p >= 10`` and ``0 < p <= 1/2``.

    The first iteration takes its ``U`` from ``u0``; every other uniform comes
    from the extra stream. The slow-path constants are computed on first need.
    """
    q = 1.0 - p
    spq = math.sqrt(n * p * q)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    have_slow = False
    alpha = 0.0
    lpq = 0.0
    m = 0
    h = 0.0
    uu = u0 - 0.5
    while True:
        v = next_double(state)
        us = 0.5 - abs(uu)
        kf = math.floor((2.0 * a / us + b) * uu + c)
        if 0.0 <= kf <= n:
            k = int(kf)
            if us >= 0.07 and v <= v_r:
                return k
            if not have_slow:
                alpha = (2.83 + 5.1 / b) * spq
                lpq = math.log(p / q)
                m = math.floor((n + 1) * p)
                h = log_factorial(m) + log_factorial(n - m)
                have_slow = True
            v *= alpha / (a / (us * us) + b)
            if math.log(v) <= h - log_factorial(k) - log_factorial(n - k) + (k - m) * lpq:
                return k
        uu = next_double(state) - 0.5


@_inline
def _small_side(n: int, p: float, u0: float, next_double: Any, state: int) -> int:
    """Binomial(n, p) for ``0 < p <= 1/2``, ``n >= 1``."""
    if n * p < INVERSION_MAX_MEAN:
        return _inversion(n, p, math.exp(n * math.log1p(-p)), u0, next_double, state)
    return _btrs(n, p, u0, next_double, state)


@_inline
def _binomial(n: int, p: float, u0: float, next_double: Any, state: int) -> int:
    """Exact Binomial(n, p) draw, ``0 <= p <= 1``, from ``u0`` and the extra stream."""
    if n <= 0 or not p > 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - _small_side(n, 1.0 - p, u0, next_double, state)  # 1 - p is exact for p in [1/2, 1]
    return _small_side(n, p, u0, next_double, state)


# ------------------------------------------------------- vectorised draws of one piece


@_jit
def _draw_piece(
    m: int,
    nrem: NDArray[np.int64],
    xs: NDArray[np.float64],
    uu: NDArray[np.float64],
    cnt: NDArray[np.int64],
    work: NDArray[np.float64],
    scalar: NDArray[np.bool_],
    next_double: Any,
    state: int,
) -> None:
    """``cnt[j] ~ Binomial(nrem[j], 1 - exp(-xs[j]))`` for ``j < m``, ``m <= _CHUNK``.

    ``uu[j]`` is lane ``j``'s block uniform; ``work`` (4, _CHUNK) and
    ``scalar`` (_CHUNK,) are scratch. Each lane's result depends only on its
    own inputs and, for lanes drawn by the scalar samplers, on the extra
    stream (``next_double(state)``),
    which is used in lane order.
    """
    resid = work[0]
    pm = work[1]
    ratio = work[2]
    nr = work[3]
    mu = np.uint64(m)
    n_scalar = np.int64(0)
    for j in range(mu):
        x = xs[j]
        nf = float(nrem[j])
        p = _one_minus_exp_neg(x)
        f0 = _exp_neg(-(nf * x))
        r = p / (1.0 - p)
        small = (p <= 0.5) & (nf * p < INVERSION_MAX_MEAN)
        scalar[j] = not small
        n_scalar += not small
        resid[j] = uu[j] - f0 if small else -1.0
        pm[j] = f0 if small else 0.0
        ratio[j] = r if small else 0.0
        nr[j] = nf * r if small else 0.0
        cnt[j] = 0
    # Inversion in lock-step: after term k, lane j has counted the k' <= k
    # with u > F(k'); it is done once u <= F(k) (resid <= 0 stays so).
    k = 0
    stuck = False
    while True:
        alive = np.int64(0)
        rk = _RECIPROCALS[k + 1]
        kf = float(k)
        for j in range(mu):
            rj = resid[j]
            a = np.int64(rj > 0.0)
            cnt[j] += a
            alive += a
            f = pm[j] * ((nr[j] - kf * ratio[j]) * rk)
            pm[j] = f
            resid[j] = rj - f
        if alive == 0:
            break
        k += 1
        if k > _K_CAP:
            stuck = True
            break
    if n_scalar or stuck:
        _scalar_lanes(m, scalar, stuck, resid, nrem, xs, uu, cnt, next_double, state)


@_jit
def _scalar_lanes(
    m: int,
    scalar: NDArray[np.bool_],
    stuck: bool,
    resid: NDArray[np.float64],
    nrem: NDArray[np.int64],
    xs: NDArray[np.float64],
    uu: NDArray[np.float64],
    cnt: NDArray[np.int64],
    next_double: Any,
    state: int,
) -> None:
    """The lanes of :func:`_draw_piece` that the lock-step inversion does not settle, in lane order.

    ``P`` is libm's ``-expm1(-x)`` here: one scalar call is faster than the
    polynomial, whose long dependency chain only pays off when vectorised.
    """
    for j in range(m):
        if scalar[j]:
            cnt[j] = _binomial(nrem[j], -math.expm1(-xs[j]), uu[j], next_double, state)
        elif stuck and resid[j] > 0.0:
            # In the rounding gap: a fresh inversion with the next extra uniform.
            cnt[j] = _small_side(nrem[j], -math.expm1(-xs[j]), next_double(state), next_double, state)


@_jit
def _sample_kernel(
    n: NDArray[np.int64],
    x: NDArray[np.float64],
    u: NDArray[np.float64],
    next_double: Any,
    state: int,
    out: NDArray[np.int64],
) -> None:
    size = n.size
    nrem = np.empty(_CHUNK, dtype=np.int64)
    xs = np.empty(_CHUNK)
    uu = np.empty(_CHUNK)
    cnt = np.empty(_CHUNK, dtype=np.int64)
    work = np.empty((4, _CHUNK))
    scalar = np.empty(_CHUNK, dtype=np.bool_)
    for lo in range(0, size, _CHUNK):
        m = min(_CHUNK, size - lo)
        for j in range(m):
            nrem[j] = n[lo + j]
            xs[j] = x[lo + j]
            uu[j] = u[lo + j]
        _draw_piece(m, nrem, xs, uu, cnt, work, scalar, next_double, state)
        for j in range(m):
            out[lo + j] = cnt[j]


def sample_binomial(n: NDArray[np.int64], p: NDArray[np.float64], generator: np.random.Generator) -> NDArray[np.int64]:
    """Exact binomial draws by the kernel's own sampler (for tests and benchmarks).

    The kernel draws ``Binomial(n, 1 - exp(-x))``; here ``x = -log1p(-p)``,
    so the probability used is ``p`` to within 2 ulp.

    Parameters
    ----------
    n : numpy.ndarray of int64, shape (m,)
        Trials, >= 0.
    p : numpy.ndarray of float64, shape (m,)
        Success probabilities in [0, 1].
    generator : numpy.random.Generator
        Gives the block uniforms and the extra stream, as for a run.

    Returns
    -------
    numpy.ndarray of int64, shape (m,)
        One draw per element, in pieces of 256 elements as in a step.
    """
    nn = np.ascontiguousarray(n, dtype=np.int64)
    with np.errstate(divide="ignore"):
        x = np.ascontiguousarray(-np.log1p(-np.asarray(p, dtype=np.float64)))
    extra = _extra_stream(generator)
    u = generator.random(nn.size)
    out = np.empty(nn.size, dtype=np.int64)
    next_double, state = _stream_pointers(extra)
    _sample_kernel(nn, x, u, next_double, state, out)
    return out


# ---------------------------------------------------------------------------- kernels


def _stream_pointers(generator: np.random.Generator) -> tuple[Any, int]:
    """The bit generator's C ``next_double`` and state address, for compiled code.

    Passing these instead of the Generator costs 2 µs a call against 15 µs
    (measured); the caller keeps ``generator`` alive while they are used.
    """
    interface = generator.bit_generator.ctypes
    return interface.next_double, int(interface.state_address)


def _extra_stream(generator: np.random.Generator) -> np.random.Generator:
    """The run's second stream, a function of ``generator``'s state only (it is not drawn from when it can jump)."""
    bit = generator.bit_generator
    jumped = getattr(bit, "jumped", None)
    if jumped is not None:
        return np.random.Generator(jumped())
    return np.random.default_rng(generator.integers(0, 2**63, size=4))


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
) -> None:
    """Steps ``t0 .. t1-1`` of one stochastic run; ``u`` holds one uniform per active village and step."""
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
    for t in range(t0, t1):
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
                row = out[t, lo:hi]
                for i in range(np.uint64(m)):
                    av = ad[i] + cnt[i]
                    ad[i] = av
                    an[i] = av * im[i]
                    row[i] = av
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
                out[t, v] = av
        a_cur, a_next = a_next, a_cur


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
) -> None:
    """One stochastic run into ``out`` (shape ``(steps, n)``, zeros, int32 or int64).

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
        )
        t0 = t1


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
