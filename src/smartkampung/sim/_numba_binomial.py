"""Compiled (numba) binomial draws and the elementary functions they use, for the adoption kernel.

Part of the ``"numba"`` backend (:mod:`smartkampung.sim._adoption_numba` has
the kernel and describes the algorithms and the randomness); imported only
with it, never by ``import smartkampung``.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

__all__ = ["INVERSION_MAX_MEAN", "log_factorial", "sample_binomial"]

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


# ------------------------------------------------------------------- random streams


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
