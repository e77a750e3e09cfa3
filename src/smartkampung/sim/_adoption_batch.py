"""Many runs of one service's spatial Bass adoption in one call, on a chosen backend.

An ensemble runs the same service in the same villages many times, each run
with its own start steps (connection month plus lag), coefficients and random
stream. :func:`adopt_batch` takes a batch of such runs at once:

* ``backend="numpy"`` (the reference): the runs' villages are laid side by
  side in one wide vector (a block-diagonal hazard matrix), so a region of 217
  villages and 100 runs is stepped like one region of 21,700 villages, with
  the whole-array costs of a large region. Run ``b``'s result equals
  ``simulate_adoption(..., runs=1, rng=[generators[b]])[0]`` bit for bit.
* ``backend="numba"``: the compiled kernel of
  :mod:`smartkampung.sim._adoption_numba`, one fused pass per step and run.
  Needs the optional dependency numba (``pip install "smartkampung[fast]"``),
  imported on first use. Its numbers differ from the numpy backend's for the
  same seed (other random numbers, same law), so a result must record the
  backend that made it; run ``b``'s result depends only on its own inputs and
  generator, not on the rest of the batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any, Final

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._typing import spawn_generators
from smartkampung._validation import (
    as_float_array,
    as_int_array,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_nonnegative,
    check_shape,
)
from smartkampung.sim._adoption_core import INT32_MAX, Problem, neighbour_matrix
from smartkampung.sim._binomial import INVERSION_MAX_MEAN, inversion_chunked

__all__ = ["BACKENDS", "adopt_batch", "numba_available"]

#: Names of the backends of :func:`adopt_batch`: ``"numpy"`` (reference, no
#: extra dependency) and ``"numba"`` (compiled; ``pip install "smartkampung[fast]"``).
BACKENDS: Final[tuple[str, ...]] = ("numpy", "numba")

_INSTALL_HINT: Final[str] = 'pip install "smartkampung[fast]" (or: pip install numba)'


def numba_available() -> bool:
    """Whether the ``"numba"`` backend can be used (numba is installed and imports).

    Imports numba (and compiles nothing) the first time it returns True.
    """
    try:
        _numba_module("numba_available")
    except ParameterError:
        return False
    return True


def _numba_module(function: str) -> ModuleType:
    try:
        from smartkampung.sim import _adoption_numba
    except ImportError as exc:
        raise ParameterError(
            "backend",
            f"'numba' needs the optional dependency numba, which cannot be imported ({exc}); "
            f"install it with {_INSTALL_HINT}, or use backend='numpy'",
            function=function,
        ) from None
    return _adoption_numba


class _Batch:
    """Validated, broadcast arguments of :func:`adopt_batch`."""

    __slots__ = (
        "dt",
        "dtype",
        "gens",
        "market",
        "neighbours",
        "p",
        "p_scalar",
        "q",
        "q_scalar",
        "runs",
        "start",
        "steps",
        "stochastic",
        "w",
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
        stochastic: bool,
        generators: Any,
        fn: str,
    ) -> None:
        self.stochastic = check_bool(stochastic, "stochastic", fn)
        self.steps = check_int(steps, "steps", fn, minimum=1)
        self.dt = check_float(dt, "dt", fn, minimum=0.0, exclusive_minimum=True)
        self.w = check_float(w, "w", fn, minimum=0.0, maximum=1.0)
        mk = as_float_array(market, "market", fn)
        if mk.ndim != 1:
            raise ParameterError("market", f"must be 1-D, got shape {mk.shape}", function=fn)
        check_nonnegative(mk, "market", fn)
        n = mk.size
        self.market: NDArray[Any]
        self.dtype: np.dtype[Any]
        if self.stochastic:
            self.market = as_int_array(market, "market", fn)
            big = int(self.market.max()) if n else 0
            self.dtype = np.dtype(np.int32) if big <= INT32_MAX else np.dtype(np.int64)
        else:
            self.market = mk
            self.dtype = np.dtype(np.float64)
        start = as_int_array(start_step, "start_step", fn)
        if start.ndim != 2 or start.shape[1] != n or start.shape[0] < 1:
            raise ParameterError(
                "start_step", f"must have shape (runs, {n}) with runs >= 1, got {start.shape}", function=fn
            )
        self.start = start
        self.runs = runs = start.shape[0]
        self.p, self.p_scalar = _per_run(p, runs, n, "p", fn)
        self.q, self.q_scalar = _per_run(q, runs, n, "q", fn)
        self.neighbours = neighbour_matrix(neighbours, n, self.w, fn)
        self.gens: list[np.random.Generator] = []
        if generators is not None or self.stochastic:
            if not isinstance(generators, Sequence) or isinstance(generators, str):
                raise ParameterError(
                    "generators",
                    f"must be a sequence of {runs} numpy Generators (one per run), got {type(generators).__name__}",
                    function=fn,
                )
            if len(generators) != runs:
                raise ParameterError(
                    "generators", f"must hold one generator per run ({runs}), got {len(generators)}", function=fn
                )
            if not all(
                isinstance(g, np.random.Generator | np.random.SeedSequence | np.random.BitGenerator) for g in generators
            ):
                raise ParameterError(
                    "generators", "must hold numpy Generators (or SeedSequences or BitGenerators)", function=fn
                )
            if self.stochastic:
                self.gens = spawn_generators(list(generators), runs, fn)


def _per_run(value: ArrayLike, runs: int, n: int, name: str, fn: str) -> tuple[NDArray[np.float64], bool]:
    """``value`` as ``(runs, n)``, from a scalar, ``(runs,)`` or ``(runs, n)``; also whether it was per run only."""
    arr = as_float_array(value, name, fn)
    check_nonnegative(arr, name, fn)
    if arr.ndim == 0:
        return np.full((runs, n), float(arr)), True
    if arr.ndim == 1:
        check_shape(arr, (runs,), name, fn)
        return np.repeat(arr[:, None], n, axis=1), True
    check_shape(arr, (runs, n), name, fn)
    return arr, False


def adopt_batch(
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
    workers: int | None = None,
) -> NDArray[Any]:
    """Simulate ``runs`` runs of one service's spatial Bass adoption in one call.

    The model is that of :func:`smartkampung.sim.adoption.simulate_adoption`;
    the runs share the villages, markets and neighbours, and each has its own
    start steps, coefficients and generator.

    Parameters
    ----------
    market : array_like, shape (n_villages,)
        Households that may adopt, >= 0, finite; whole numbers in stochastic
        mode. [households]
    start_step : array_like of int, shape (runs, n_villages)
        First step at which each village can adopt, per run (connection
        month plus lag). [steps]
    neighbours : None, array_like of int with shape (n_villages, k), or scipy.sparse matrix
        As for ``simulate_adoption``; shared by all runs.
    p, q : float or array_like, shape (runs,) or (runs, n_villages)
        Coefficients of innovation and imitation per run (and village), >= 0,
        per unit of ``dt``. [month⁻¹]
    w : float, optional
        Weight of the neighbours' adoption in the imitation term, in [0, 1];
        the default 0 is plain Bass (any other value is an illustrative
        assumption). [-]
    steps : int
        Number of steps, >= 1.
    dt : float, optional
        Length of a step, > 0. [months]
    stochastic : bool, optional
        Binomial draws (default) or the deterministic equations.
    generators : sequence of numpy.random.Generator, length runs
        One generator per run (SeedSequences or BitGenerators are accepted and
        turned into Generators); required in stochastic mode, unused in
        deterministic mode. Each is advanced by its draws. A run's result
        depends only on its generator's state (for the numba backend too:
        not on spawn counters).
    backend : {"numpy", "numba"}, optional
        ``"numpy"`` (default): the reference, bit for bit equal to
        ``simulate_adoption``. ``"numba"``: the compiled kernel (needs numba:
        ``pip install "smartkampung[fast]"``); other random numbers, same law;
        deterministic results equal the numpy backend's to about 1e-13
        relative.
    workers : int, optional
        Threads to share the runs among with the numba backend, >= 1
        (default 1). The compiled kernel releases the GIL, and each run
        depends only on its own generator, so the result does not depend on
        it. The numpy backend runs in the calling thread whatever its value
        (its many short numpy calls gain nothing from threads; see
        ``simulate_adoption``).

    Returns
    -------
    numpy.ndarray, shape (runs, steps, n_villages)
        Adopters at the end of each step. Stochastic: int32 (int64 if a
        market exceeds 2**31 - 1); deterministic: float64. [households]
        The whole array is held: ``runs × steps × n_villages`` numbers
        (217 villages × 120 months × 100 runs: 10 MB as int32); for large
        regions call it with few runs at a time. The numpy backend also
        draws every run's uniforms ahead when they fit in 32 MB (8 bytes per
        active village-month), and works on ``runs × n_villages`` wide
        vectors.

    Raises
    ------
    ParameterError
        For an unknown ``backend``; ``"numba"`` without numba installed
        (naming the install command); and, as ``simulate_adoption``, for any
        invalid argument, before any work; ``start_step`` not of shape
        ``(runs, n_villages)``; ``p`` or ``q`` of another shape than ``()``,
        ``(runs,)`` or ``(runs, n_villages)``; ``generators`` missing (in
        stochastic mode), of the wrong length, or holding a non-generator.

    Notes
    -----
    Bit-for-bit equality of the numpy backend: run ``b`` of
    ``adopt_batch(market, start, nbr, p=p, q=q, w=w, steps=T, generators=gens)``
    equals
    ``simulate_adoption(market, start[b], nbr, p=p[b], q=q[b], w=w, steps=T, runs=1, rng=[gens[b]])[0]``.
    Every number of a run is computed by the same floating-point operations
    in the same order as there (the hazard matrix rows, the inversion
    sampler, the redraws by ``Generator.binomial`` in the run's own order),
    with the runs' villages interleaved in one vector sorted by start step.

    The numba backend's draws are exact too (inversion below mean 30, BTRS
    above; see :mod:`smartkampung.sim._adoption_numba`).
    """
    fn = "adopt_batch"
    check_choice(backend, "backend", fn, BACKENDS)
    n_workers = 1 if workers is None else check_int(workers, "workers", fn, minimum=1)
    module = _numba_module(fn) if backend == "numba" else None
    batch = _Batch(market, start_step, neighbours, p, q, w, steps, dt, stochastic, generators, fn)
    if module is not None:
        return _numba_batch(module, batch, n_workers)[0]
    return _numpy_batch(batch, neighbours, fn)


# -------------------------------------------------------------------- numpy backend


def _numpy_batch(batch: _Batch, neighbours: Any, fn: str) -> NDArray[Any]:
    """All runs as one wide problem, bit for bit equal to per-run ``simulate_adoption``."""
    runs, n, steps = batch.runs, batch.market.size, batch.steps
    out = np.zeros((runs, steps, n), dtype=batch.dtype)
    if n == 0:
        return out
    probs = [
        Problem(
            batch.market,
            batch.start[b],
            neighbours,
            float(batch.p[b, 0]) if batch.p_scalar else batch.p[b],
            float(batch.q[b, 0]) if batch.q_scalar else batch.q[b],
            batch.w,
            steps,
            batch.dt,
            1,
            batch.stochastic,
            fn,
        )
        for b in range(runs)
    ]
    wide = _Wide(probs, batch.start, steps)
    if batch.stochastic:
        _numpy_stochastic(wide, batch.gens, out)
    else:
        _numpy_deterministic(wide, out)
    return out


class _Wide:
    """The runs' reordered villages side by side, sorted (stably) by start step.

    Global position ``r`` holds element ``within[r]`` (in its run's start
    order) of run ``run[r]``; at step ``t`` the active elements are the first
    ``n_active[t]``. Each run keeps its own relative order, so the rows of
    its hazard matrix, relabelled, sum exactly as in ``simulate_adoption``.
    """

    def __init__(self, probs: list[Problem], start: NDArray[np.int64], steps: int) -> None:
        runs, n = start.shape
        # Each run's clipped start steps in its own (stable) start order.
        keys = np.sort(np.clip(start, 0, steps), axis=1, kind="stable").reshape(-1)
        glob = np.argsort(keys, kind="stable")  # global position -> concatenated position
        inv = np.empty_like(glob)
        inv[glob] = np.arange(glob.size)
        self.run: NDArray[np.intp] = glob // n
        self.within: NDArray[np.intp] = glob % n
        self.n_active = np.searchsorted(keys[glob], np.arange(steps), side="right")
        self.per_run_active = np.stack([pr.n_active for pr in probs])  # (runs, steps)
        self.market = np.concatenate([pr.market for pr in probs])[glob]
        self.inv_market = np.concatenate([pr.inv_market for pr in probs])[glob]
        self.c0 = np.concatenate([pr.c0 for pr in probs])[glob]
        self.c1 = np.concatenate([pr.c1 for pr in probs])[glob]
        orders = np.stack([pr.order for pr in probs])  # (runs, n): village at each reordered position
        # Flat index into out (runs, steps, n) of step 0 for each global position.
        self.dest = self.run * (steps * n) + orders[self.run, self.within]
        self.matrix: Any = None
        if probs[0].hazard is not None:
            self.matrix = _relabelled_block_diagonal(probs, glob, inv, n)
        self.runs = runs

    def exponent(self, a: NDArray[np.float64], n_act: int) -> NDArray[np.float64]:
        """``x = -h dt`` of the first ``n_act`` global positions (as ``Problem.exponent``)."""
        x: NDArray[np.float64]
        if self.matrix is None:
            x = np.multiply(a[:n_act], self.c1[:n_act])
        else:
            x = np.asarray(self.matrix @ a, dtype=np.float64)[:n_act]
        x += self.c0[:n_act]
        return x


def _relabelled_block_diagonal(probs: list[Problem], glob: NDArray[np.intp], inv: NDArray[np.intp], n: int) -> Any:
    """The runs' hazard matrices as one block-diagonal CSR in global positions, row entries in their order."""
    datas: list[NDArray[np.float64]] = []
    cols: list[NDArray[np.int64]] = []
    lengths: list[NDArray[np.int64]] = []
    for b, pr in enumerate(probs):
        # All runs share the neighbours and w, so all have a hazard matrix.
        datas.append(np.asarray(pr.hazard.data, dtype=np.float64))
        cols.append(np.asarray(pr.hazard.indices, dtype=np.int64) + b * n)
        indptr = np.asarray(pr.hazard.indptr, dtype=np.int64)
        lengths.append(indptr[1:] - indptr[:-1])
    data = np.concatenate(datas)
    col = np.concatenate(cols)
    length = np.concatenate(lengths)
    first = np.concatenate(([0], np.cumsum(length)[:-1]))
    new_length = length[glob]
    new_indptr = np.concatenate(([0], np.cumsum(new_length)))
    take = np.repeat(first[glob] - new_indptr[:-1], new_length) + np.arange(int(new_indptr[-1]))
    size = glob.size
    return sp.csr_array((data[take], inv[col[take]], new_indptr), shape=(size, size))


#: Largest number of uniforms :class:`_Uniforms` draws ahead for a batch (32 MB).
_PREDRAW_MAX: Final[int] = 1 << 22


class _Uniforms:
    """Each run's uniforms, step by step, exactly as ``simulate_adoption`` draws them.

    A run of ``simulate_adoption`` draws ``random(n_active)`` at every step,
    then, only for elements inversion does not take, ``binomial(...)``. Most
    runs of a small region never need the second call, so every run's
    uniforms for all steps are drawn ahead in one call (one Python call per
    run instead of one per run and step). A run that needs ``binomial`` at
    step ``t`` is *rewound*: its generator's state is restored and advanced by
    the uniforms of steps ``0 .. t``, exactly where ``simulate_adoption``
    would be, and from then on it draws step by step ("live"). Batches whose
    uniforms would exceed :data:`_PREDRAW_MAX` are live from the start.
    """

    def __init__(self, gens: list[np.random.Generator], per_run_active: NDArray[np.intp]) -> None:
        self.gens = gens
        self.active = per_run_active  # (runs, steps)
        totals = per_run_active.sum(axis=1)
        self.run_base = np.concatenate(([0], np.cumsum(totals)[:-1]))
        self.step_off = np.cumsum(per_run_active, axis=1) - per_run_active  # uniforms before step t
        self.buf = np.empty(int(totals.sum()))
        predraw = self.buf.size <= _PREDRAW_MAX
        self.live = np.full(len(gens), not predraw)
        self.states: list[Mapping[str, Any]] = []
        if predraw:
            for b, g in enumerate(gens):
                self.states.append(g.bit_generator.state)
                g.random(out=self.buf[self.run_base[b] : self.run_base[b] + totals[b]])

    def step(self, t: int) -> NDArray[np.intp]:
        """Where each run's uniforms of step ``t`` start in :attr:`buf` (live runs draw them now)."""
        base: NDArray[np.intp] = self.run_base + self.step_off[:, t]
        for b in np.flatnonzero(self.live & (self.active[:, t] > 0)):
            self.gens[b].random(out=self.buf[base[b] : base[b] + self.active[b, t]])
        return base

    def rewind(self, b: int, t: int) -> None:
        """Put run ``b``'s generator just after its uniforms of step ``t``, as ``simulate_adoption`` has it."""
        if self.live[b]:
            return
        g = self.gens[b]
        g.bit_generator.state = self.states[b]
        g.random(int(self.step_off[b, t] + self.active[b, t]))
        self.live[b] = True


def _numpy_stochastic(wide: _Wide, gens: list[np.random.Generator], out: NDArray[Any]) -> None:
    steps = out.shape[1]
    n = out.shape[2]
    size = wide.run.size
    flat = out.reshape(-1)
    adopters = np.zeros(size, dtype=np.int64)
    a = np.zeros(size)
    uniforms = _Uniforms(gens, wide.per_run_active)
    for t in range(steps):
        na = int(wide.n_active[t])
        if na == 0:
            continue
        np.multiply(adopters[:na], wide.inv_market[:na], out=a[:na])  # a = A / M before the update
        x = wide.exponent(a, na)
        np.expm1(x, out=x)
        prob = np.negative(x)  # 1 - exp(-h dt)
        remaining = np.subtract(wide.market[:na], adopters[:na])
        base = uniforms.step(t)
        run_a = wide.run[:na]
        u01 = uniforms.buf[base[run_a] + wide.within[:na]]
        adopters[:na] += _draw_wide(uniforms, t, remaining, prob, u01, run_a)
        np.put(flat, wide.dest[:na] + t * n, adopters[:na])


def _draw_wide(
    uniforms: _Uniforms,
    t: int,
    n: NDArray[np.int64],
    p: NDArray[np.float64],
    u01: NDArray[np.float64],
    run: NDArray[np.intp],
) -> NDArray[np.int64]:
    """``adoption._binomial`` on the wide vector: the same draws for each run, given its uniforms."""
    mean = n * p
    small = mean < INVERSION_MAX_MEAN
    small &= p <= 0.5
    all_small = bool(small.all())
    p_inv = p if all_small else np.where(small, p, 0.0)
    draws, stuck = inversion_chunked(u01, n, p_inv, mean)
    redraw: NDArray[np.bool_] | None = None if all_small else ~small
    if stuck.size:
        if redraw is None:
            redraw = np.zeros(n.size, dtype=np.bool_)
        redraw[stuck] = True
    if redraw is not None:
        where = np.flatnonzero(redraw)
        if where.size:
            # Grouped by run, each run's elements in its own order (global
            # positions of one run ascend with its reordered index).
            where = where[np.argsort(run[where], kind="stable")]
            runs_of = run[where]
            bounds = np.flatnonzero(np.diff(runs_of)) + 1
            for part in np.split(where, bounds):
                b = int(run[part[0]])
                uniforms.rewind(b, t)
                draws[part] = uniforms.gens[b].binomial(n[part], p[part])
    return draws


def _numpy_deterministic(wide: _Wide, out: NDArray[Any]) -> None:
    steps = out.shape[1]
    n = out.shape[2]
    flat = out.reshape(-1)
    a = np.zeros(wide.run.size)
    for t in range(steps):
        na = int(wide.n_active[t])
        if na == 0:
            continue
        x = wide.exponent(a, na)
        np.expm1(x, out=x)  # e^x - 1 <= 0
        act = a[:na]
        gain = act - 1.0
        gain *= x
        act += gain
        np.put(flat, wide.dest[:na] + t * n, act * wide.market[:na])


# -------------------------------------------------------------------- numba backend


def _numba_batch(
    module: ModuleType, batch: _Batch, workers: int, summaries: Sequence[Any] | None = None
) -> tuple[NDArray[Any], list[NDArray[np.int64]]]:
    """The runs on the compiled kernel: ``(adopters, final adopters per run)``.

    With ``summaries`` (one :class:`~smartkampung.sim._adoption_numba.RunSummary`
    per run, stochastic mode) the kernel fills them and ``adopters`` is empty
    (shape ``(runs, 0, n)``): nothing of size runs x steps x villages is held.
    """
    runs, n, steps = batch.runs, batch.market.size, batch.steps
    fused = summaries is not None and batch.stochastic
    out = np.zeros((runs, 0 if fused else steps, n), dtype=batch.dtype)
    finals: list[NDArray[np.int64]] = [np.zeros(n, dtype=np.int64) for _ in range(runs)]
    if n == 0:
        return out, finals
    use_nbr = batch.neighbours is not None and batch.w > 0.0
    nbrs = module.Neighbours(batch.neighbours if use_nbr else None, n)
    has_market = batch.market > 0
    market = np.ascontiguousarray(batch.market, dtype=np.int64 if batch.stochastic else np.float64)
    inv_market = np.zeros(n)
    np.divide(1.0, market, out=inv_market, where=has_market)
    # Per-run coefficients for all runs at once (rows are C-contiguous).
    pdt = np.where(has_market, batch.p * batch.dt, 0.0)
    qdt = np.where(has_market, batch.q * batch.dt, 0.0)
    qdt_own = qdt * (1.0 - batch.w)
    qdt_nbr = qdt * batch.w if use_nbr else np.zeros_like(qdt)
    start = np.clip(batch.start, 0, steps)
    active = np.zeros((runs, steps + 1), dtype=np.int64)  # villages active at each step, per run
    np.add.at(active, (np.repeat(np.arange(runs), n), start.reshape(-1)), 1)
    active = np.cumsum(active[:, :steps], axis=1)

    def run(b: int) -> None:
        if batch.stochastic:
            target = np.zeros((1, n), dtype=batch.dtype) if fused else out[b]
            finals[b] = module.run_stochastic(
                market,
                inv_market,
                start[b],
                active[b],
                nbrs,
                pdt[b],
                qdt_own[b],
                qdt_nbr[b],
                steps,
                batch.gens[b],
                target,
                summaries[b] if fused and summaries is not None else None,
            )
        else:
            module.run_deterministic(market, start[b], nbrs, pdt[b], qdt_own[b], qdt_nbr[b], steps, out[b])

    if workers == 1 or runs == 1:
        for b in range(runs):
            run(b)
    else:
        # Each run writes only its own slice of out and uses only its own generator.
        with ThreadPoolExecutor(max_workers=min(workers, runs)) as pool:
            for fut in [pool.submit(run, b) for b in range(runs)]:
                fut.result()
    return out, finals
