"""The stochastic and deterministic spatial Bass core: validated inputs and one step of many runs.

:class:`Problem` checks and reorders the inputs once; :class:`Block` holds
the state of a group of runs and advances it one step at a time. The public
entry points are :func:`smartkampung.sim.adoption.simulate_adoption` and
:func:`~smartkampung.sim.adoption.iter_adoption`, whose docstrings state the
model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._validation import (
    as_float_array,
    as_int_array,
    broadcast_per_village,
    check_bool,
    check_float,
    check_int,
    check_nonnegative,
    check_shape,
)
from smartkampung.sim._binomial import binomial

__all__ = ["INT32_MAX", "Block", "Problem", "neighbour_matrix"]

# Largest market for which the stochastic result fits in int32.
INT32_MAX: Final[int] = int(np.iinfo(np.int32).max)
# Row sums of a sparse weight matrix must be 1 (or 0 for an isolated village)
# within this absolute tolerance.
_ROW_SUM_TOL: Final[float] = 1e-9


class Problem:
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
        "hazard",
        "identity",
        "inv_market",
        "inverse",
        "market",
        "n",
        "n_active",
        "order",
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
        self.stochastic = check_bool(stochastic, "stochastic", fn)
        self.steps = check_int(steps, "steps", fn, minimum=1)
        self.runs = check_int(runs, "runs", fn, minimum=1)
        dt_f = check_float(dt, "dt", fn, minimum=0.0, exclusive_minimum=True)
        w_f = check_float(w, "w", fn, minimum=0.0, maximum=1.0)

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
            self.dtype = np.dtype(np.int32) if big <= INT32_MAX else np.dtype(np.int64)
        else:
            market_arr = mk
            self.dtype = np.dtype(np.float64)

        start = as_int_array(start_step, "start_step", fn)
        check_shape(start, (n,), "start_step", fn)
        pp = broadcast_per_village(p, n, "p", fn)
        check_nonnegative(pp, "p", fn)
        qq = broadcast_per_village(q, n, "q", fn)
        check_nonnegative(qq, "q", fn)
        weights = neighbour_matrix(neighbours, n, w_f, fn)

        # ---- all checks passed: reorder by start step.
        start_c = np.clip(start, 0, self.steps)
        order = np.argsort(start_c, kind="stable")
        self.identity = bool(np.array_equal(order, np.arange(n)))
        self.order = order
        self.inverse = np.empty(n, dtype=np.intp)  # position of each village in the order
        self.inverse[order] = np.arange(n)
        self.n_active = np.searchsorted(start_c[order], np.arange(self.steps), side="right")
        self.market = np.ascontiguousarray(market_arr[order])
        mk_f = mk[order]
        has_market = mk_f > 0
        with np.errstate(divide="ignore"):
            self.inv_market = np.where(has_market, 1.0 / mk_f, 0.0)
        qdt = np.where(has_market, qq[order] * dt_f, 0.0)
        self.c0 = np.where(has_market, -(pp[order] * dt_f), 0.0)
        self.c1 = -(qdt * (1.0 - w_f))
        # H as one CSR array, built once; None without a neighbour term.
        self.hazard: Any = None
        if weights is not None and w_f > 0.0:
            self.hazard = _hazard_matrix(weights, order, self.c1, -(qdt * w_f))

    def exponent(self, a_full: NDArray[np.float64], n_act: int) -> NDArray[np.float64]:
        """``x = -h dt`` of the first ``n_act`` villages, given ``a`` (zero past ``n_act``)."""
        if self.hazard is None:
            x = np.multiply(a_full[:n_act], self.c1[:n_act])
        else:
            # The whole matrix times ``a`` (rows past ``n_act`` are discarded):
            # measured faster than building a CSR of the active rows each
            # step, and each kept row is summed exactly as before.
            x = np.asarray(self.hazard @ a_full, dtype=np.float64)[:n_act]
        x += self.c0[:n_act]
        return x


def neighbour_matrix(neighbours: Any, n: int, w: float, fn: str) -> Any:
    """Validate ``neighbours``: a CSR weight matrix, an ``(n, k)`` index array, or None."""
    if neighbours is None:
        if w > 0:
            raise ParameterError("neighbours", "is required when w > 0 (got None)", function=fn)
        return None
    if sp.issparse(neighbours):
        if neighbours.shape != (n, n):
            raise ParameterError(
                "neighbours", f"a sparse weight matrix must have shape {(n, n)}, got {neighbours.shape}", function=fn
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
        raise ParameterError("neighbours", f"an index array must have shape ({n}, k), got {idx.shape}", function=fn)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ParameterError(
            "neighbours", f"indices must lie in [0, {n - 1}] (found {idx.min()} .. {idx.max()})", function=fn
        )
    return idx


def _hazard_matrix(weights: Any, order: NDArray[np.intp], c1: NDArray[np.float64], c2: NDArray[np.float64]) -> Any:
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
    return sp.csr_array((vals.ravel(), cols.ravel(), np.arange(0, n * (k + 1) + 1, k + 1)), shape=(n, n))


class Block:
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

    def __init__(self, prob: Problem, gens: Sequence[np.random.Generator]) -> None:
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
        dest = slice(0, na) if pr.identity else pr.order[:na]
        if not pr.stochastic:
            a_full = self.state[0]
            a = a_full[:na]
            x = pr.exponent(a_full, na)
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
            x = pr.exponent(self.a, na)
            np.expm1(x, out=x)
            np.negative(x, out=prob[j])  # 1 - exp(-h dt)
        adopters += binomial(self.gens, remaining, prob)
        rows[:, dest] = adopters
