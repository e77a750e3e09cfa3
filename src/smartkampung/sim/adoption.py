"""Service adoption: the Bass closed form and the spatial Bass simulation core.

Pure functions on numpy arrays; they know nothing of ``Village`` or
``Service`` objects. Time is in the unit of the rate coefficients: months for
the simulation core (DESIGN.md), and whatever the caller uses for the closed
forms (years with :data:`BASS_AVERAGE_PER_YEAR`).

The spatial model (DESIGN.md, "Adoption"): village *i* has a market of
``M_i`` households. From its start step (the month it is connected, plus any
lag) its hazard is

.. math::

    h_i = p_i + q_i \\left((1 - w)\\,\\frac{A_i}{M_i}
          + w \\sum_j W_{ij} \\frac{A_j}{M_j}\\right)

with ``W`` row-normalised neighbour weights. In one step of length ``dt`` the
deterministic model moves ``(M - A) (1 - exp(-h dt))`` households to adopters;
the stochastic model draws that number from
``Binomial(M - A, 1 - exp(-h dt))``. With ``w = 0`` and ``dt -> 0`` this is
the Bass (1969) model [1]_, whose closed form is :func:`bass_cdf`. Published
average coefficients are in :data:`BASS_AVERAGE_PER_YEAR` [2]_.

References
----------
.. [1] F. M. Bass, "A new product growth for model consumer durables",
   *Management Science*, vol. 15, no. 5, pp. 215-227, 1969.
   doi:10.1287/mnsc.15.5.215
.. [2] F. Sultan, J. U. Farley and D. R. Lehmann, "A meta-analysis of
   applications of diffusion models", *Journal of Marketing Research*,
   vol. 27, no. 1, pp. 70-77, 1990. doi:10.1177/002224379002700107
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from smartkampung._errors import ParameterError
from smartkampung._validation import (
    as_float_array,
    as_int_array,
    broadcast_per_village,
    check_finite,
    check_in_range,
    check_nonnegative,
    check_shape,
)

__all__ = [
    "BASS_AVERAGE_PER_YEAR",
    "DEFAULT_NEIGHBOURS",
    "bass_cdf",
    "bass_pdf",
    "iter_adoption",
    "linear_adoption",
    "nearest_neighbours",
    "simulate_adoption",
]

#: Average Bass coefficients over published applications. [year⁻¹]
#: ``p`` (innovation) = 0.03 and ``q`` (imitation) = 0.38 per year: the mean
#: estimates of the meta-analysis of 213 applications by Sultan, Farley and
#: Lehmann (1990), doi:10.1177/002224379002700107. They are *per year*:
#: for the monthly simulation divide by 12 (p = 0.0025, q = 0.0317 per month).
BASS_AVERAGE_PER_YEAR: Final[Mapping[str, float]] = MappingProxyType({"p": 0.03, "q": 0.38})

#: Number of nearest villages that share word of mouth, with equal weights. [-]
#: DESIGN.md ("Adoption"): the k = 6 nearest villages; a modelling choice
#: (illustrative assumption), not an estimate.
DEFAULT_NEIGHBOURS: Final[int] = 6

# Largest market for which the stochastic result fits in int32.
_INT32_MAX: Final[int] = int(np.iinfo(np.int32).max)
# Row sums of a sparse weight matrix must be 1 (or 0 for an isolated village)
# within this absolute tolerance.
_ROW_SUM_TOL: Final[float] = 1e-9


# --------------------------------------------------------------------- closed forms


def _check_rate(value: ArrayLike, name: str, function: str) -> NDArray[np.float64]:
    arr = as_float_array(value, name, function)
    check_nonnegative(arr, name, function)
    return arr


def _check_time(value: ArrayLike, name: str, function: str) -> NDArray[np.float64]:
    arr = as_float_array(value, name, function)
    if np.any(np.isnan(arr)):
        raise ParameterError(name, "must not be NaN", function=function)
    return arr


def _unit_bass(
    t: NDArray[np.float64], p: NDArray[np.float64], q: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Bass fraction F(t) for market 1, after validation and broadcasting."""
    t, p, q = np.broadcast_arrays(t, p, q)
    tt = np.maximum(t, 0.0)
    x = (p + q) * tt  # (p + q) t >= 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # (q / p) e^{-x} written as exp(log q - log p - x) so a tiny p cannot
        # overflow q / p to infinity (then inf * 0 would give NaN).
        ratio = np.where(q > 0, np.exp(np.log(q) - np.log(p) - x), 0.0)
        f = -np.expm1(-x) / (1.0 + ratio)
    # p == 0: no innovators, so adoption never starts (the limit p -> 0+ of the
    # closed form, and the solution of dF/dt = (p + qF)(1 - F) from F(0) = 0).
    f = np.where((p > 0) & (t > 0), f, 0.0)
    return np.asarray(f, dtype=np.float64)


def bass_cdf(t: ArrayLike, p: ArrayLike, q: ArrayLike, m: ArrayLike = 1.0) -> NDArray[np.float64]:
    """Cumulative adopters of the Bass (1969) model, closed form.

    .. math::

        F(t) = m \\frac{1 - e^{-(p+q)t}}{1 + (q/p)\\, e^{-(p+q)t}}

    Parameters
    ----------
    t : array_like
        Time since the start of adoption. ``t < 0`` gives 0 and ``t = inf``
        gives ``m``. [same time unit as ``1/p``]
    p : array_like
        Coefficient of innovation, >= 0. ``p = 0`` gives 0 for every ``t``:
        with no innovators and no adopters at ``t = 0`` nobody starts (the
        limit ``p -> 0+`` of the closed form). [time⁻¹]
    q : array_like
        Coefficient of imitation, >= 0. ``q = 0`` gives ``1 - exp(-p t)``.
        [time⁻¹]
    m : array_like, optional
        Market: the value approached as ``t -> inf``, >= 0. The default 1
        returns the adopting fraction. [households or fraction]

    Returns
    -------
    numpy.ndarray of float64
        Cumulative adopters, shaped as ``t``, ``p``, ``q`` and ``m``
        broadcast together (0-d for scalar arguments).
        [same unit as ``m``]

    Raises
    ------
    ParameterError
        If ``p``, ``q`` or ``m`` is negative or not finite, ``t`` is NaN, or
        the arguments do not broadcast.

    Notes
    -----
    The rates and ``t`` must share a time unit. The published averages
    :data:`BASS_AVERAGE_PER_YEAR` (p = 0.03, q = 0.38) are per year: with
    ``t`` in months use ``p = 0.03 / 12`` and ``q = 0.38 / 12``.

    References
    ----------
    .. [1] F. M. Bass, "A new product growth for model consumer durables",
       *Management Science*, vol. 15, no. 5, pp. 215-227, 1969.
       doi:10.1287/mnsc.15.5.215

    See Also
    --------
    bass_pdf, linear_adoption, simulate_adoption
    """
    fn = "bass_cdf"
    tt = _check_time(t, "t", fn)
    pp = _check_rate(p, "p", fn)
    qq = _check_rate(q, "q", fn)
    mm = _check_rate(m, "m", fn)
    try:
        np.broadcast_shapes(tt.shape, pp.shape, qq.shape, mm.shape)
    except ValueError:
        raise ParameterError(
            "t", "t, p, q and m must broadcast to one shape", function=fn
        ) from None
    return np.asarray(mm * _unit_bass(tt, pp, qq), dtype=np.float64)


def bass_pdf(t: ArrayLike, p: ArrayLike, q: ArrayLike, m: ArrayLike = 1.0) -> NDArray[np.float64]:
    """Adoption rate of the Bass (1969) model: the time derivative of :func:`bass_cdf`.

    Computed as ``m (p + q F)(1 - F)`` with ``F = bass_cdf(t, p, q)``: the
    Bass differential equation itself.

    Parameters
    ----------
    t : array_like
        Time since the start of adoption; ``t < 0`` gives 0. [time]
    p : array_like
        Coefficient of innovation, >= 0 (``p = 0`` gives 0). [time⁻¹]
    q : array_like
        Coefficient of imitation, >= 0. [time⁻¹]
    m : array_like, optional
        Market, >= 0. [households or fraction]

    Returns
    -------
    numpy.ndarray of float64
        New adopters per unit time, broadcast shape of the arguments.
        [unit of ``m`` per time]

    Raises
    ------
    ParameterError
        As :func:`bass_cdf`.

    Notes
    -----
    At ``t = 0`` the rate jumps from 0 to ``m p``; the value returned at
    ``t = 0`` is ``m p`` (the right limit). The hazard of a non-adopter is
    ``p + q F(t)``.

    References
    ----------
    .. [1] F. M. Bass, "A new product growth for model consumer durables",
       *Management Science*, vol. 15, no. 5, pp. 215-227, 1969.
       doi:10.1287/mnsc.15.5.215
    """
    fn = "bass_pdf"
    tt = _check_time(t, "t", fn)
    pp = _check_rate(p, "p", fn)
    qq = _check_rate(q, "q", fn)
    mm = _check_rate(m, "m", fn)
    try:
        np.broadcast_shapes(tt.shape, pp.shape, qq.shape, mm.shape)
    except ValueError:
        raise ParameterError(
            "t", "t, p, q and m must broadcast to one shape", function=fn
        ) from None
    f = _unit_bass(tt, pp, qq)
    rate = np.where(tt >= 0, (pp + qq * f) * (1.0 - f), 0.0)
    return np.asarray(mm * rate, dtype=np.float64)


def linear_adoption(t: ArrayLike, rate: ArrayLike, m: ArrayLike = 1.0) -> NDArray[np.float64]:
    """Linear adoption capped at the market: ``m min(1, rate t)`` for ``t >= 0``.

    Take-up of some e-government services grows roughly linearly rather than
    along an S-curve (DESIGN.md); this is that alternative. No published
    default ``rate`` is offered: choose one from local data.

    Parameters
    ----------
    t : array_like
        Time since the start of adoption; ``t < 0`` gives 0. [time]
    rate : array_like
        Share of the market adopting per unit time, >= 0. [time⁻¹]
    m : array_like, optional
        Market, >= 0. [households or fraction]

    Returns
    -------
    numpy.ndarray of float64
        Cumulative adopters, broadcast shape of the arguments.
        [same unit as ``m``]

    Raises
    ------
    ParameterError
        If ``rate`` or ``m`` is negative or not finite, ``t`` is NaN, or the
        arguments do not broadcast.
    """
    fn = "linear_adoption"
    tt = _check_time(t, "t", fn)
    rr = _check_rate(rate, "rate", fn)
    mm = _check_rate(m, "m", fn)
    try:
        np.broadcast_shapes(tt.shape, rr.shape, mm.shape)
    except ValueError:
        raise ParameterError(
            "t", "t, rate and m must broadcast to one shape", function=fn
        ) from None
    with np.errstate(invalid="ignore"):  # rate 0 times t = inf
        share = np.clip(np.nan_to_num(rr * np.maximum(tt, 0.0), nan=0.0), 0.0, 1.0)
    return np.asarray(mm * share, dtype=np.float64)


# ---------------------------------------------------------------------- neighbours


def nearest_neighbours(
    lat_deg: ArrayLike, lon_deg: ArrayLike, k: int = DEFAULT_NEIGHBOURS
) -> NDArray[np.intp]:
    """Indices of each village's ``k`` nearest other villages on the sphere.

    Points are placed as 3-D unit vectors and searched with a k-d tree:
    straight-line (chord) distance orders pairs exactly as great-circle
    distance does, so the result is the great-circle nearest neighbours,
    valid across the antimeridian and near the poles.

    Parameters
    ----------
    lat_deg : array_like, shape (n_villages,)
        Latitude. [degrees, -90 to 90]
    lon_deg : array_like, shape (n_villages,)
        Longitude. [degrees]
    k : int, optional
        Neighbours per village, >= 1; capped at ``n_villages - 1``. The
        default 6 is DESIGN.md's choice (:data:`DEFAULT_NEIGHBOURS`).

    Returns
    -------
    numpy.ndarray of intp, shape (n_villages, min(k, n_villages - 1))
        Row ``i`` lists the neighbours of village ``i``, nearest first; it
        never contains ``i`` itself. Ties (equal distances) are broken by
        the k-d tree. Pass it as ``neighbours`` to :func:`simulate_adoption`
        (equal weights ``1/k``).

    Raises
    ------
    ParameterError
        If the coordinates are not finite 1-D arrays of one length, a
        latitude lies outside [-90, 90], or ``k < 1``.
    """
    fn = "nearest_neighbours"
    lat = as_float_array(lat_deg, "lat_deg", fn)
    lon = as_float_array(lon_deg, "lon_deg", fn)
    if lat.ndim != 1:
        raise ParameterError("lat_deg", f"must be 1-D, got shape {lat.shape}", function=fn)
    check_shape(lon, lat.shape, "lon_deg", fn)
    check_in_range(lat, -90.0, 90.0, "lat_deg", fn)
    check_finite(lon, "lon_deg", fn)
    k_int = _as_int(k, "k", fn)
    if k_int < 1:
        raise ParameterError("k", f"must be >= 1, got {k_int}", function=fn)
    n = lat.size
    kk = min(k_int, max(n - 1, 0))
    if kk == 0:
        return np.zeros((n, 0), dtype=np.intp)
    la = np.radians(lat)
    lo = np.radians(lon)
    xyz = np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))
    _, idx = cKDTree(xyz).query(xyz, k=kk + 1)
    idx = np.asarray(idx, dtype=np.intp).reshape(n, kk + 1)
    # Drop the village itself; where duplicates of a point pushed it out of the
    # k + 1 found, drop the farthest instead.
    drop = idx == np.arange(n)[:, None]
    no_self = ~drop.any(axis=1)
    drop[no_self, kk] = True
    return np.ascontiguousarray(idx[~drop].reshape(n, kk))


# ------------------------------------------------------------------ simulation core


def _as_int(value: Any, name: str, function: str) -> int:
    if isinstance(value, bool | np.bool_):
        raise ParameterError(name, "must be an integer, not a bool", function=function)
    try:
        return operator.index(value)
    except TypeError:
        raise ParameterError(
            name, f"must be an integer, got {type(value).__name__}", function=function
        ) from None


def _as_scalar(value: Any, name: str, function: str) -> float:
    arr = as_float_array(value, name, function)
    if arr.ndim != 0:
        raise ParameterError(name, f"must be a scalar, got shape {arr.shape}", function=function)
    return float(arr)


_GENERATOR_LIKE = (np.random.Generator, np.random.SeedSequence, np.random.BitGenerator)


def _run_streams(rng: Any, runs: int, function: str) -> list[np.random.Generator]:
    """One independent generator per run (see ``simulate_adoption``, ``rng``)."""
    if isinstance(rng, list | tuple) and rng and all(isinstance(g, _GENERATOR_LIKE) for g in rng):
        if len(rng) != runs:
            raise ParameterError(
                "rng",
                f"a sequence of per-run generators must have length runs={runs}, got {len(rng)}",
                function=function,
            )
        gens = [np.random.default_rng(g) for g in rng]
        if len({id(g) for g in gens}) != len(gens):
            raise ParameterError(
                "rng", "the same Generator object appears for two runs", function=function
            )
        return gens
    try:
        root = np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise ParameterError("rng", f"cannot make a Generator from it ({exc})", function=function) from None
    try:
        return list(root.spawn(runs))
    except (TypeError, ValueError) as exc:
        raise ParameterError("rng", f"cannot spawn streams from it ({exc})", function=function) from None


class _Problem:
    """Validated inputs, with villages reordered by start step.

    Villages are sorted (stably) by start step, so the villages active at
    step ``t`` are a prefix ``[0, n_active[t])`` of the reordered arrays: no
    masks in the loop, and inactive villages cost nothing. Inactive villages
    have no adopters, so the neighbour term of an active village only ever
    sees active ones and needs only the first ``n_active[t]`` rows of ``W``.

    The exponent ``x = -h dt`` is ``c0 + (H a)`` with the sparse matrix
    ``H = -dt diag(q) ((1 - w) I + w W)``, so the own and the neighbours'
    terms are one sparse product. Without a neighbour term, ``H a`` is the
    elementwise ``c1 a``. Villages with no market get zero coefficients: they
    never adopt, and their ``a`` stays 0.
    """

    __slots__ = (
        "c0",
        "c1",
        "dtype",
        "h_data",
        "h_indices",
        "h_indptr",
        "identity",
        "inv_market",
        "inverse",
        "market",
        "n",
        "n_active",
        "order",
        "rows_cache",
        "runs",
        "steps",
        "stochastic",
    )

    def __init__(
        self,
        market: ArrayLike,
        start_step: ArrayLike,
        neighbours: Any,
        p: ArrayLike,
        q: ArrayLike,
        w: float,
        steps: int,
        dt: float,
        runs: int,
        stochastic: bool,
        function: str,
    ) -> None:
        fn = function
        if not isinstance(stochastic, bool | np.bool_):
            raise ParameterError("stochastic", "must be True or False", function=fn)
        self.stochastic = bool(stochastic)
        self.steps = _as_int(steps, "steps", fn)
        if self.steps < 1:
            raise ParameterError("steps", f"must be >= 1, got {self.steps}", function=fn)
        self.runs = _as_int(runs, "runs", fn)
        if self.runs < 1:
            raise ParameterError("runs", f"must be >= 1, got {self.runs}", function=fn)
        dt_f = _as_scalar(dt, "dt", fn)
        if not (np.isfinite(dt_f) and dt_f > 0):
            raise ParameterError("dt", f"must be finite and > 0, got {dt_f!r}", function=fn)
        w_f = _as_scalar(w, "w", fn)
        if not (0.0 <= w_f <= 1.0):  # also rejects NaN
            raise ParameterError("w", f"must lie in [0, 1], got {w_f!r}", function=fn)

        mk = as_float_array(market, "market", fn)
        if mk.ndim != 1:
            raise ParameterError("market", f"must be 1-D, got shape {mk.shape}", function=fn)
        check_nonnegative(mk, "market", fn)
        n = mk.size
        self.n = n
        market_arr: NDArray[Any]
        self.dtype: np.dtype[Any]
        if self.stochastic:
            market_arr = as_int_array(market, "market", fn)
            big = int(market_arr.max()) if n else 0
            self.dtype = np.dtype(np.int32) if big <= _INT32_MAX else np.dtype(np.int64)
        else:
            market_arr = mk
            self.dtype = np.dtype(np.float64)

        start = as_int_array(start_step, "start_step", fn)
        check_shape(start, (n,), "start_step", fn)
        pp = broadcast_per_village(p, n, "p", fn)
        check_nonnegative(pp, "p", fn)
        qq = broadcast_per_village(q, n, "q", fn)
        check_nonnegative(qq, "q", fn)
        weights = _neighbour_matrix(neighbours, n, w_f, fn)

        # ---- all checks passed: reorder by start step.
        start_c = np.clip(start, 0, self.steps)
        order = np.argsort(start_c, kind="stable")
        self.identity = bool(np.array_equal(order, np.arange(n)))
        self.order = order
        self.inverse = np.empty(n, dtype=np.intp)  # position of each village in the order
        self.inverse[order] = np.arange(n)
        self.rows_cache: dict[int, Any] = {}
        self.n_active = np.searchsorted(start_c[order], np.arange(self.steps), side="right")
        self.market = np.ascontiguousarray(market_arr[order])
        mk_f = mk[order]
        has_market = mk_f > 0
        with np.errstate(divide="ignore"):
            self.inv_market = np.where(has_market, 1.0 / mk_f, 0.0)
        qdt = np.where(has_market, qq[order] * dt_f, 0.0)
        self.c0 = np.where(has_market, -(pp[order] * dt_f), 0.0)
        self.c1 = -(qdt * (1.0 - w_f))
        self.h_data: NDArray[np.float64] | None = None
        self.h_indices: NDArray[Any] | None = None
        self.h_indptr: NDArray[Any] | None = None
        if weights is not None and w_f > 0.0:
            hmat = _hazard_matrix(weights, order, self.c1, -(qdt * w_f))
            self.h_data = np.asarray(hmat.data, dtype=np.float64)
            self.h_indices = np.asarray(hmat.indices)
            self.h_indptr = np.asarray(hmat.indptr)

    def exponent(self, a_full: NDArray[np.float64], n_act: int, rows: Any) -> NDArray[np.float64]:
        """``x = -h dt`` of the first ``n_act`` villages, given ``a`` (zero past ``n_act``)."""
        if rows is None:
            x = np.multiply(a_full[:n_act], self.c1[:n_act])
        else:
            # The whole matrix times ``a`` (rows past ``n_act`` are discarded):
            # measured faster than building a CSR of the active rows each
            # step, and each kept row is summed exactly as before.
            x = np.asarray(rows @ a_full, dtype=np.float64)[:n_act]
        x += self.c0[:n_act]
        return x

    def hazard_rows(self, n_act: int) -> Any:
        """``H`` as one CSR array (built once, views, no copy), or None.

        :meth:`exponent` keeps the first ``n_act`` rows of ``H @ a``. Threads
        may race to fill the cache; both build the same view.
        """
        if self.h_indptr is None or self.h_data is None or self.h_indices is None:
            return None
        rows = self.rows_cache.get(self.n)
        if rows is None:
            rows = sp.csr_array((self.h_data, self.h_indices, self.h_indptr), shape=(self.n, self.n), copy=False)
            self.rows_cache[self.n] = rows
        return rows


def _neighbour_matrix(neighbours: Any, n: int, w: float, fn: str) -> Any:
    """Validate ``neighbours``: a CSR weight matrix, an ``(n, k)`` index array, or None."""
    if neighbours is None:
        if w > 0:
            raise ParameterError(
                "neighbours", "is required when w > 0 (got None)", function=fn
            )
        return None
    if sp.issparse(neighbours):
        if neighbours.shape != (n, n):
            raise ParameterError(
                "neighbours",
                f"a sparse weight matrix must have shape {(n, n)}, got {neighbours.shape}",
                function=fn,
            )
        mat = sp.csr_array(neighbours, dtype=np.float64)
        mat.sum_duplicates()
        data = np.asarray(mat.data)
        if data.size and not np.all(np.isfinite(data)):
            raise ParameterError("neighbours", "weights must be finite", function=fn)
        if data.size and data.min() < 0:
            raise ParameterError("neighbours", "weights must be >= 0", function=fn)
        rows = np.asarray(mat.sum(axis=1)).ravel()
        ok = (np.abs(rows - 1.0) <= _ROW_SUM_TOL) | (rows == 0)
        if not np.all(ok):
            bad = int(np.flatnonzero(~ok)[0])
            raise ParameterError(
                "neighbours",
                f"weights must be row-normalised (each row sums to 1, or 0 for an isolated "
                f"village); row {bad} sums to {rows[bad]!r}",
                function=fn,
            )
        return mat
    idx = as_int_array(neighbours, "neighbours", fn)
    if idx.ndim != 2 or idx.shape[0] != n:
        raise ParameterError(
            "neighbours",
            f"an index array must have shape ({n}, k), got {idx.shape}",
            function=fn,
        )
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ParameterError(
            "neighbours",
            f"indices must lie in [0, {n - 1}] (found {idx.min()} .. {idx.max()})",
            function=fn,
        )
    return idx


def _hazard_matrix(
    weights: Any, order: NDArray[np.intp], c1: NDArray[np.float64], c2: NDArray[np.float64]
) -> Any:
    """``diag(c1) + diag(c2) W`` in the reordered village order, as CSR.

    ``weights`` is a validated CSR weight matrix or an ``(n, k)`` index array
    (equal weights ``1/k``); ``c1`` and ``c2`` are already in the new order.
    """
    n = order.size
    if sp.issparse(weights):
        wp = sp.csr_array(weights[order][:, order])
        return sp.csr_array(sp.diags_array(c1) + sp.diags_array(c2) @ wp)
    k = weights.shape[1]
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.arange(n)
    # Each row: its k neighbours (weight c2 / k each) and itself (weight c1).
    cols = np.empty((n, k + 1), dtype=np.intp)
    cols[:, :k] = inverse[weights[order]]
    cols[:, k] = np.arange(n)
    vals = np.empty((n, k + 1))
    if k:
        vals[:, :k] = (c2 / k)[:, None]
    vals[:, k] = c1
    return sp.csr_array(
        (vals.ravel(), cols.ravel(), np.arange(0, n * (k + 1) + 1, k + 1)), shape=(n, n)
    )


class _Block:
    """The state of a group of runs, advanced one step at a time.

    Every number of a run depends only on that run's generator and state
    (elementwise arithmetic; draws from the run's own generator in a fixed
    order), so it does not depend on which block (thread) the run is in or
    on which other runs share the block. Stochastic state: adopters per run
    (int64). Deterministic state: the adopting fraction ``a = A / market``
    of the single run, which turns the update ``A += (M - A)(1 - e^x)`` into
    ``a -= (1 - a) expm1(x)``.
    """

    __slots__ = ("a", "gens", "prob", "state")

    def __init__(self, prob: _Problem, gens: Sequence[np.random.Generator]) -> None:
        self.prob = prob
        self.gens = list(gens)
        if prob.stochastic:
            self.state = np.zeros((len(self.gens), prob.n), dtype=np.int64)
        else:
            self.state = np.zeros((1, prob.n), dtype=np.float64)
        self.a = np.zeros(prob.n)  # zero beyond the active prefix, always

    def step(self, t: int, rows: NDArray[Any]) -> None:
        """Advance every run by step ``t``; write adopters (original order) into ``rows``.

        ``rows`` has shape ``(runs in block, n)`` and must hold zeros for the
        villages not yet active (they are never written).
        """
        pr = self.prob
        na = int(pr.n_active[t])
        if na == 0:
            return
        h_rows = pr.hazard_rows(na)
        dest = slice(0, na) if pr.identity else pr.order[:na]
        if not pr.stochastic:
            a_full = self.state[0]
            a = a_full[:na]
            x = pr.exponent(a_full, na, h_rows)
            np.expm1(x, out=x)  # e^x - 1 <= 0
            gain = a - 1.0
            gain *= x
            a += gain
            # Households in the original order: a gather over all villages
            # (a = 0 past the prefix) is faster than a scatter of the prefix;
            # mode="clip" (indices are valid) avoids the buffered copy of "raise".
            np.take(a_full * pr.market, pr.inverse, out=rows[0], mode="clip")
            return
        nb = len(self.gens)
        inv_m = pr.inv_market[:na]
        market = pr.market[:na]
        a = self.a[:na]
        adopters = self.state[:, :na]
        remaining: NDArray[np.int64] = np.subtract(market, adopters)  # (nb, na)
        prob = np.empty((nb, na))
        for j in range(nb):
            np.multiply(adopters[j], inv_m, out=a)  # a = A / M before the update
            x = pr.exponent(self.a, na, h_rows)
            np.expm1(x, out=x)
            np.negative(x, out=prob[j])  # 1 - exp(-h dt)
        adopters += _binomial(self.gens, remaining, prob)
        rows[:, dest] = adopters


# -------------------------------------------------------------- binomial sampler

#: Mean below which :func:`_binomial` samples by vectorised inversion; at and
#: above it numpy's own sampler (BTPE) is faster (measured; numpy itself
#: switches from inversion to BTPE at 30).
_INVERSION_MAX_MEAN: Final[float] = 30.0
#: Inversion compacts its working arrays when fewer than this share is unresolved.
_COMPACT_BELOW: Final[float] = 0.3
#: An element unresolved after ``k > mean + _CAP_SD sqrt(mean + 1) + _CAP_SD``
#: is redrawn by numpy (see :func:`_binomial_inversion`).
_CAP_SD: Final[float] = 12.0
#: Elements per piece of work for the inversion sampler: fits a core's L2
#: cache; 16k and 32k elements measured fastest, 32k means fewer calls.
_CHUNK: Final[int] = 32_768


def _binomial(
    gens: Sequence[np.random.Generator], n: NDArray[np.int64], p: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Exact ``Binomial(n[j], p[j])`` draws for run ``j`` from ``gens[j]``.

    ``n`` and ``p`` have shape ``(len(gens), m)``. Each run draws ``m``
    uniforms from its generator. Elements with mean ``n p < 30`` and
    ``p <= 0.5`` are drawn from them by :func:`_binomial_inversion`, all
    runs together; the others (their uniforms unused) and any element the
    inversion hands back are then drawn by ``gens[j].binomial``, in index
    order. So each generator is used in the same order whatever the other
    runs are. Both samplers are exact: the result is a draw from the stated
    law.
    """
    nb, m = n.shape
    mean = n * p
    small = mean < _INVERSION_MAX_MEAN
    small &= p <= 0.5
    all_small = bool(small.all())
    # Elements left to numpy get p = 0 here, which the inversion resolves to 0
    # at once; they are overwritten below.
    p_inv = p if all_small else np.where(small, p, 0.0)
    u01 = np.concatenate([g.random(m) for g in gens], dtype=np.float64)
    draws, stuck = _inversion_chunked(u01, n.reshape(-1), p_inv.reshape(-1), mean.reshape(-1))
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


def _inversion_chunked(
    u01: NDArray[np.float64],
    n: NDArray[np.int64],
    p: NDArray[np.float64],
    mean: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.intp]]:
    """:func:`_binomial_inversion` over pieces that fit in a core's cache.

    Pieces of ``_CHUNK`` elements keep the working arrays in L2 (measured
    fastest near 16,000 elements); results are elementwise, so they do not
    depend on the piece size.
    """
    size = n.size
    if size <= _CHUNK:
        return _binomial_inversion(u01, n, p, mean)
    draws = np.empty(size, dtype=np.int64)
    stuck: list[NDArray[np.intp]] = []
    for lo in range(0, size, _CHUNK):
        hi = min(lo + _CHUNK, size)
        part, part_stuck = _binomial_inversion(u01[lo:hi], n[lo:hi], p[lo:hi], mean[lo:hi])
        draws[lo:hi] = part
        stuck.append(part_stuck + lo)
    return draws, np.concatenate(stuck)


def _binomial_inversion(
    u01: NDArray[np.float64],
    n: NDArray[np.int64],
    p: NDArray[np.float64],
    mean: NDArray[np.float64],
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
                u01[keep], cdf[keep], pmf[keep], factor[keep], ratio[keep], count[keep], cap[keep]
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


def _split(runs: int, parts: int) -> list[range]:
    bounds = np.linspace(0, runs, parts + 1).round().astype(int)
    return [range(int(bounds[i]), int(bounds[i + 1])) for i in range(parts) if bounds[i + 1] > bounds[i]]


def _setup(
    market: ArrayLike,
    start_step: ArrayLike,
    neighbours: Any,
    p: ArrayLike,
    q: ArrayLike,
    w: float,
    steps: int,
    dt: float,
    runs: int,
    stochastic: bool,
    rng: Any,
    workers: int | None,
    function: str,
) -> tuple[_Problem, list[_Block], list[range]]:
    if workers is None:
        n_workers = 1
    else:
        n_workers = _as_int(workers, "workers", function)
        if n_workers < 1:
            raise ParameterError("workers", f"must be >= 1, got {n_workers}", function=function)
    prob = _Problem(market, start_step, neighbours, p, q, w, steps, dt, runs, stochastic, function)
    if prob.stochastic:
        gens = _run_streams(rng, prob.runs, function)
        groups = _split(prob.runs, min(n_workers, prob.runs))
        blocks = [_Block(prob, [gens[r] for r in g]) for g in groups]
    else:
        # rng is not used, but a value default_rng refuses is still an error.
        if not (isinstance(rng, list | tuple) and rng):
            try:
                np.random.default_rng(rng)
            except (TypeError, ValueError) as exc:
                raise ParameterError(
                    "rng", f"cannot make a Generator from it ({exc})", function=function
                ) from None
        groups = [range(0, 1)]
        blocks = [_Block(prob, [])]
    return prob, blocks, groups


def simulate_adoption(
    market: ArrayLike,
    start_step: ArrayLike,
    neighbours: Any,
    *,
    p: ArrayLike,
    q: ArrayLike,
    w: float = 0.0,
    steps: int,
    dt: float = 1.0,
    runs: int = 1,
    stochastic: bool = True,
    rng: Any = None,
    workers: int | None = None,
) -> NDArray[Any]:
    """Simulate spatial Bass adoption of one service in many villages.

    At step ``t`` (0-based), every village with ``t >= start_step`` has the
    hazard

        h = p + q ((1 - w) a_i + w sum_j W_ij a_j),   a = A / market

    with ``A`` the adopters before this step's update (``a = 0`` where the
    market is 0). Deterministic mode: ``A += (market - A)(1 - exp(-h dt))``.
    Stochastic mode: ``A += Binomial(market - A, 1 - exp(-h dt))``, one exact
    draw per active village, run and step.

    Parameters
    ----------
    market : array_like, shape (n_villages,)
        Households that may adopt, >= 0 and finite. Whole numbers in
        stochastic mode (floats with integral values are accepted); any
        non-negative reals in deterministic mode. [households]
    start_step : array_like of int, shape (n_villages,)
        First step at which each village can adopt (its connection month
        plus any lag). ``<= 0``: from the start; ``>= steps``: not within
        the horizon. [steps]
    neighbours : None, array_like of int with shape (n_villages, k), or scipy.sparse matrix
        Who talks to whom. An index array gives each village ``k``
        neighbours with equal weights ``1/k`` (a repeated index counts
        twice; ``k = 0`` means no neighbour term), e.g. from
        :func:`nearest_neighbours`. A sparse ``(n_villages, n_villages)``
        matrix gives the weights ``W`` directly; each row must sum to 1 (or
        0 for an isolated village). ``None`` is allowed only with ``w = 0``.
    p : float or array_like, shape (n_villages,)
        Coefficient of innovation, >= 0, per unit of ``dt``. Published
        average: 0.03 / 12 per month (:data:`BASS_AVERAGE_PER_YEAR`).
        [month⁻¹]
    q : float or array_like, shape (n_villages,)
        Coefficient of imitation, >= 0, per unit of ``dt``. Published
        average: 0.38 / 12 per month. [month⁻¹]
    w : float, optional
        Weight of the neighbours' adoption in the imitation term, in [0, 1].
        The default 0 (no spatial spill-over) is plain Bass; any other value
        is an illustrative assumption. [-]
    steps : int
        Number of steps, >= 1.
    dt : float, optional
        Length of a step, > 0. [months]
    runs : int, optional
        Number of runs, >= 1.
    stochastic : bool, optional
        Binomial draws (True, default) or the deterministic expectation
        equations (False).
    rng : None, int, array_like of int, SeedSequence, BitGenerator, Generator, or sequence of Generator
        Randomness (SPEC 7). A single value is normalised with
        ``numpy.random.default_rng(rng)`` and run ``r`` draws from the
        ``r``-th of ``.spawn(runs)`` of it. Hence runs ``0 .. k-1`` of a
        call are the same for any larger ``runs`` with the same seed. A
        list or tuple of exactly ``runs`` Generators (or SeedSequences or
        BitGenerators) gives each run its stream directly: so the runs of
        ``rng=seed`` can be split into groups, each group called with its
        slice of ``np.random.default_rng(seed).spawn(runs)``, and the
        stacked results equal the single call bit for bit. A Generator
        passed in is advanced (its ``spawn`` counter or its state).
        Unused in deterministic mode.
    workers : int, optional
        Threads to share the runs among, >= 1 (default 1; see Notes).
        Results do not depend on it.

    Returns
    -------
    numpy.ndarray, shape (runs, steps, n_villages)
        Adopters at the end of each step: ``out[r, t]`` is at time
        ``(t + 1) dt`` after the start. Stochastic: ``int32`` (``int64`` if
        a market exceeds 2**31 - 1; ``int16`` was rejected because sums
        over services or villages would silently overflow). Deterministic:
        ``float64``, every run identical (computed once and copied).
        [households]

    Raises
    ------
    ParameterError
        Before any work, naming the argument, for: a shape mismatch; ``p`` or
        ``q`` negative or NaN; ``w`` outside [0, 1]; ``w > 0`` with
        ``neighbours=None``; a NaN, infinite or negative market; a
        non-integer market in stochastic mode; a neighbour index out of
        range; a sparse matrix of the wrong shape, with negative weights or
        rows not summing to 1; ``steps < 1``; ``dt <= 0``; ``runs < 1``;
        ``workers < 1``; an ``rng`` that cannot make generators.

    Notes
    -----
    Sampling. A draw with mean below 30 (nearly all of them for village
    markets) is made by inversion of the binomial CDF, the exact algorithm
    numpy's ``Generator.binomial`` uses there, but vectorised over villages
    and runs (a few whole-array operations per value of the count instead of
    a C loop per draw): about twice as fast as ``Generator.binomial``. Larger
    means use ``Generator.binomial`` (BTPE). Both are exact; a run's draws
    come from its own generator in a fixed order. A draw whose uniform
    exceeds the rounded total probability (odds below 1e-25) is redrawn by
    ``Generator.binomial``.

    Speed. Villages are reordered by start step so those active at a step
    are a prefix of the arrays and inactive ones cost nothing; the own and
    neighbours' terms are one sparse (CSR) product per run and step;
    ``1 - exp(-x)`` is ``-expm1(-x)``. On 20,000 villages × 120 months × 10
    runs (``benchmarks/bench_adoption.py``, one core) the stochastic mode ran
    2.9× as fast as a plain numpy loop (one ``Generator.binomial`` over all
    villages per run and month) and 52× a Mesa model of the same equations
    (41× Mesa on 1,000 villages, where Mesa runs faster per village-month);
    the deterministic mode 2.2× a plain numpy loop.

    Threads. ``workers > 1`` shares the runs among threads; every number of
    a run depends only on its own generator and state, so results are
    bit-identical for any ``workers``. There is no real gain (measured 0.96
    to 1.15× on two cores, for 40 % more CPU time): the inversion sampler is
    many short numpy calls, and the threads spend their time handing the GIL
    back and forth. (With ``Generator.binomial``, one long GIL-free call per
    run and step, two threads did run 1.9× faster, but that sampler is
    slower than the vectorised inversion on one core.) For more cores,
    split the runs across processes with per-run streams (``rng``).

    Memory. The result holds ``runs × steps × n_villages`` numbers; to
    reduce as the simulation goes (totals, quantiles) without holding them
    all, use :func:`iter_adoption`, which yields one step at a time and
    gives the same numbers.

    The deterministic trajectory is not the mean of the stochastic one: the
    hazard is nonlinear in ``A``, so the two differ by a term of order
    ``1 / market``.

    References
    ----------
    .. [1] F. M. Bass, "A new product growth for model consumer durables",
       *Management Science*, vol. 15, no. 5, pp. 215-227, 1969.
       doi:10.1287/mnsc.15.5.215

    See Also
    --------
    iter_adoption, bass_cdf, nearest_neighbours
    """
    prob, blocks, groups = _setup(
        market, start_step, neighbours, p, q, w, steps, dt, runs, stochastic, rng, workers,
        "simulate_adoption",
    )
    out = np.zeros((prob.runs, prob.steps, prob.n), dtype=prob.dtype)

    def run_block(i: int) -> None:
        block = blocks[i]
        rows = out[groups[i].start : groups[i].stop]
        for t in range(prob.steps):
            block.step(t, rows[:, t, :])

    _map(run_block, len(blocks))
    if not prob.stochastic and prob.runs > 1:
        out[1:] = out[0]
    return out


def _map(func: Callable[[int], None], count: int) -> None:
    """Call ``func(i)`` for ``i < count``, in threads when there is more than one."""
    if count == 1:
        func(0)
        return
    with ThreadPoolExecutor(max_workers=count) as pool:
        for fut in [pool.submit(func, i) for i in range(count)]:
            fut.result()


def iter_adoption(
    market: ArrayLike,
    start_step: ArrayLike,
    neighbours: Any,
    *,
    p: ArrayLike,
    q: ArrayLike,
    w: float = 0.0,
    steps: int,
    dt: float = 1.0,
    runs: int = 1,
    stochastic: bool = True,
    rng: Any = None,
    workers: int | None = None,
) -> Iterator[NDArray[Any]]:
    """Step-by-step form of :func:`simulate_adoption`: yields adopters after each step.

    Arguments are checked when this function is called (not on the first
    ``next``), and are those of :func:`simulate_adoption`. The ``t``-th array
    yielded equals ``simulate_adoption(...)[:, t, :]`` for the same
    arguments, bit for bit; memory stays at a few ``(runs, n_villages)``
    arrays, so an ensemble can reduce (totals, quantiles, per-village
    summaries) without holding ``runs × steps × n_villages`` numbers.

    Parameters
    ----------
    market, start_step, neighbours, p, q, w, steps, dt, runs, stochastic, rng, workers
        As :func:`simulate_adoption`.

    Yields
    ------
    numpy.ndarray, shape (runs, n_villages)
        Adopters at the end of step ``t`` (a new array each step, the
        caller's to keep), dtype as :func:`simulate_adoption`. [households]

    Raises
    ------
    ParameterError
        As :func:`simulate_adoption`, at call time.

    Examples
    --------
    Total adopters per run and month, without the per-village array:

    >>> import numpy as np
    >>> totals = np.array([a.sum(axis=1) for a in iter_adoption(
    ...     [300, 500], [0, 2], None, p=0.0025, q=0.0317, steps=12, runs=3, rng=1)]).T
    >>> totals.shape
    (3, 12)
    """
    prob, blocks, groups = _setup(
        market, start_step, neighbours, p, q, w, steps, dt, runs, stochastic, rng, workers,
        "iter_adoption",
    )
    return _iterate(prob, blocks, groups)


def _iterate(prob: _Problem, blocks: list[_Block], groups: list[range]) -> Iterator[NDArray[Any]]:
    pool = ThreadPoolExecutor(max_workers=len(blocks)) if len(blocks) > 1 else None
    try:
        for t in range(prob.steps):
            frame = np.zeros((prob.runs if prob.stochastic else 1, prob.n), dtype=prob.dtype)

            def advance(i: int, t: int = t, frame: NDArray[Any] = frame) -> None:
                blocks[i].step(t, frame[groups[i].start : groups[i].stop])

            if pool is None:
                advance(0)
            else:
                for fut in [pool.submit(advance, i) for i in range(len(blocks))]:
                    fut.result()
            if not prob.stochastic and prob.runs > 1:
                frame = np.repeat(frame, prob.runs, axis=0)
            yield frame
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
