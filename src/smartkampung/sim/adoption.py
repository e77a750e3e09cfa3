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

:func:`adopt_batch` runs many runs of one service at once on a chosen
backend (:data:`BACKENDS`): ``"numpy"``, the reference (bit for bit
:func:`simulate_adoption`), or ``"numba"``, the compiled kernel of the
optional ``fast`` extra (:func:`numba_available`).

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

from collections.abc import Iterator, Mapping
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung import _defaults
from smartkampung._errors import ParameterError
from smartkampung._typing import check_seed, spawn_generators
from smartkampung._validation import as_float_array, check_nonnegative
from smartkampung.sim._adoption_batch import BACKENDS, adopt_batch, numba_available
from smartkampung.sim._adoption_core import Block, Problem

__all__ = [
    "BACKENDS",
    "BASS_AVERAGE_PER_YEAR",
    "adopt_batch",
    "bass_cdf",
    "bass_pdf",
    "iter_adoption",
    "linear_adoption",
    "numba_available",
    "simulate_adoption",
]

#: Average Bass coefficients over published applications. [year⁻¹]
#: ``p`` (innovation) = 0.03 and ``q`` (imitation) = 0.38 per year: the mean
#: estimates of the meta-analysis of 213 applications by Sultan, Farley and
#: Lehmann (1990), doi:10.1177/002224379002700107. They are *per year*:
#: for the monthly simulation divide by 12 (p = 0.0025, q = 0.0317 per month).
BASS_AVERAGE_PER_YEAR: Final[Mapping[str, float]] = _defaults.BASS_AVERAGE_PER_YEAR

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


def _unit_bass(t: NDArray[np.float64], p: NDArray[np.float64], q: NDArray[np.float64]) -> NDArray[np.float64]:
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
        raise ParameterError("t", "t, p, q and m must broadcast to one shape", function=fn) from None
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
        raise ParameterError("t", "t, p, q and m must broadcast to one shape", function=fn) from None
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
        raise ParameterError("t", "t, rate and m must broadcast to one shape", function=fn) from None
    with np.errstate(invalid="ignore"):  # rate 0 times t = inf
        share = np.clip(np.nan_to_num(rr * np.maximum(tt, 0.0), nan=0.0), 0.0, 1.0)
    return np.asarray(mm * share, dtype=np.float64)


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
    function: str,
) -> tuple[Problem, Block]:
    prob = Problem(market, start_step, neighbours, p, q, w, steps, dt, runs, stochastic, function)
    if prob.stochastic:
        return prob, Block(prob, spawn_generators(rng, prob.runs, function))
    check_seed(rng, function)  # unused in deterministic mode, but a bad seed is still an error
    return prob, Block(prob, [])


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
        :func:`~smartkampung.sim.geometry.nearest_neighbours`. A sparse ``(n_villages, n_villages)``
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

    Several cores. Every number of a run depends only on its own generator
    and state, so runs can be split across processes with per-run streams
    (``rng``) and stacked bit for bit. (Threads inside one call were measured
    no faster, 0.96 to 1.15× on two cores, since the inversion sampler is
    many short numpy calls holding the GIL, so there is no thread option.)

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
    iter_adoption, bass_cdf, smartkampung.sim.geometry.nearest_neighbours
    """
    prob, block = _setup(market, start_step, neighbours, p, q, w, steps, dt, runs, stochastic, rng, "simulate_adoption")
    out = np.zeros((prob.runs, prob.steps, prob.n), dtype=prob.dtype)
    for t in range(prob.steps):
        block.step(t, out[:, t, :])
    if not prob.stochastic and prob.runs > 1:
        out[1:] = out[0]
    return out


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
    market, start_step, neighbours, p, q, w, steps, dt, runs, stochastic, rng
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
    prob, block = _setup(market, start_step, neighbours, p, q, w, steps, dt, runs, stochastic, rng, "iter_adoption")
    return _iterate(prob, block)


def _iterate(prob: Problem, block: Block) -> Iterator[NDArray[Any]]:
    for t in range(prob.steps):
        frame = np.zeros((prob.runs if prob.stochastic else 1, prob.n), dtype=prob.dtype)
        block.step(t, frame)
        if not prob.stochastic and prob.runs > 1:
            frame = np.repeat(frame, prob.runs, axis=0)
        yield frame
