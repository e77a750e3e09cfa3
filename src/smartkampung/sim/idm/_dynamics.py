"""IDM at indicator level: sub-indices, year-to-year dynamics, programme effects, projection.

Pure functions on arrays; nothing here reads a file (the bundled panel and
fitted parameters come from :mod:`smartkampung.datasets`). Every function
takes a :class:`~smartkampung.model.CompositeIndex` (default
:data:`~smartkampung.model.IDM_INDEX`), so a country with its own composite
of integer indicator scores uses the same code.

Sub-indices (the ministry's rule)
---------------------------------
Sub-index *k* is the total of its indicator scores over its maximum: for IDM,
IKS = Σ social/175, IKE = Σ economic/60, IKL = Σ ecological/15, and
IDM = (IKS + IKE + IKL) / 3 (Permendesa PDTT 2/2016; checked on every record
of the bundled panel). :func:`sub_indices` and :func:`status_of_scores`
compute them in that order in float64, so they equal
:meth:`IDMScore.from_indicators <smartkampung.model.IDMScore.from_indicators>`
and the published values.

Dynamics (:func:`fit_idm_dynamics`)
-----------------------------------
From one IDM release to the next, a desa's 50 indicator scores move by an
ordinal Markov chain per indicator, conditioned on the indicator's current
score *and* on the desa's current status band (Sangat Tertinggal … Mandiri),
with four features the 2021–2024 panel demands:

1. *Band-conditioned transition matrices.* ``P[b, j, s, s']`` is the share of
   transitions of indicator *j* from score *s* to *s'* among desa in status
   band *b*, shrunk toward the all-band share with ``prior_strength``
   pseudo-transitions (a Dirichlet prior centred on the pooled row). Pooled
   over bands, a chain pulls good desa down and weak desa up far more than
   the panel shows (their indicators at 5 are lost at the rate of weak desa).
2. *Unchanged records.* 14 % (2021→22), 0.2 % (2022→23) and 29 % (2023→24)
   of desa have not a single indicator changed; independent indicator moves
   almost never leave all 50 unchanged. With probability ``frozen[b]`` a
   desa-year record is carried over unchanged; ``frozen`` and ``P`` are fitted
   jointly by EM (a zero-change record is frozen or, rarely, active).
3. *A regime per year pair.* The year pairs differ (the unchanged shares
   above; Maju→Mandiri 19 %, 26 %, 24 %), so ``P`` and ``frozen`` are fitted
   per pair and each simulated year draws one pair's set (``regimes="year"``).
4. *Correlated shocks.* Each move is the inverse-CDF of a latent standard
   normal ``Z = √ρ_r R + √ρ_d D + √(1−ρ_r−ρ_d) ε`` (a Gaussian copula):
   ``R`` is shared by all desa of a regency in that year, ``D`` by the
   indicators of one desa, ``ε`` is per indicator; a high ``Z`` means a
   move up. ``ρ_r`` and ``ρ_d`` are fitted by the method of moments so that
   the model's covariance of one-year composite changes between desa of the
   same regency, and its variance of a desa's change, equal the panel's. The
   moments are exact (Mehler's expansion of the bivariate normal in Hermite
   polynomials), not simulated, so the fit is deterministic.

Programme effects (:func:`effect_floor`)
----------------------------------------
Declared :class:`~smartkampung.model.IndicatorEffect` rules raise indicator
scores (never lower them) once a village office is connected, or once an
adoption fraction passes a threshold, at the IDM data cut-off
(:data:`DEFAULT_IDM_CUTOFF_MONTH`). :data:`DEFAULT_PROGRAMME_EFFECTS` lists the
rules for Smart Kampung with their sources.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri

from smartkampung._arrays import readonly_bool, readonly_float, readonly_int
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, as_int_array
from smartkampung.model._idm import (
    CONNECTION_DRIVER,
    IDM_INDEX,
    CompositeIndex,
    IndicatorEffect,
    IndicatorPanel,
)

__all__ = [
    "DEFAULT_IDM_CUTOFF_MONTH",
    "DEFAULT_PRIOR_STRENGTH",
    "DEFAULT_PROGRAMME_EFFECTS",
    "NOT_CONNECTED",
    "IDMBacktest",
    "IDMDynamics",
    "backtest_idm_dynamics",
    "composite_scores",
    "connection_idm_year",
    "draw_initial_state",
    "effect_floor",
    "fit_idm_dynamics",
    "idm_sample_months",
    "indicator_weights",
    "project_idm_status",
    "simulate_idm_scores",
    "status_codes",
    "status_of_scores",
    "step_idm",
    "sub_index_totals",
    "sub_indices",
    "transition_pairs",
]

# -------------------------------------------------------------------------- defaults

#: Last calendar month whose state an IDM release records. [month of year, 1–12]
#: IDM *Y* data are entered in spring of year *Y*: 1 March – 31 May for IDM 2021
#: (kaltim.antaranews.com/amp/berita/101826, "Pendataan dimulai 1 Maret hingga
#: 31 Mei 2021"), 1 April – 14 June for IDM 2024 (Dirjen PDP letter
#: 140/PDP.03.04/III/2024 as summarised at updesa.com/idm-2024). Counting the
#: state at the end of March is an illustrative assumption within those windows:
#: an office connected by the end of March of *Y* counts as connected in IDM *Y*.
DEFAULT_IDM_CUTOFF_MONTH: Final[int] = 3

#: Pseudo-transitions with which each status band's transition row is shrunk
#: toward the all-band row. [transitions] A modelling choice (the backtest
#: table in the docs shows 2, 5, 10 and 20); not fitted to the backtest years.
DEFAULT_PRIOR_STRENGTH: Final[float] = 10.0

#: IDM year of a village office that is never connected.
NOT_CONNECTED: Final[int] = int(np.iinfo(np.int32).max)

_OFFICE = "s_internet_kantor_desa"
_RESIDENTS = "s_akses_internet_warga"
_LIBRARY = "s_ketersediaan_taman_baca_perpus_desa"

#: How Smart Kampung raises IDM indicators.
#:
#: - ``s_internet_kantor_desa`` to 5 once the office is connected. The ministry
#:   scores 5 "Terdapat fasilitas internet di kantor Desa" and 1 "Tidak
#:   terdapat atau belum ada Fasilitas Internet di Kantor Desa" (KETERANGAN of
#:   the Kemendesa IDM API rows, e.g. desa 1104012003, IDM 2023, mirrored in
#:   andifahruddinakas/api-idm); the panel holds only 1 and 5. The score is
#:   held while connected: each desa budgets its bandwidth, compulsory under
#:   e-village budgeting (infokomputer-2017-09).
#: - ``s_akses_internet_warga`` to 5 ("Terdapat Akses internet warga di Desa";
#:   1 is "Tidak Terdapat …", same source) once 10 % of the social-dimension
#:   market uses the village's connected services (driver ``"social"``). The
#:   office's free 24-hour Wi-Fi is residents' access (globalindo-57-kabkota,
#:   merdeka-2016-03-22); reading "residents have access" as "a tenth of the
#:   market uses it" is an illustrative assumption.
#: - ``s_ketersediaan_taman_baca_perpus_desa`` to 5 ("Taman Bacaan Masyarakat
#:   atau perpustakaan Desa tersedia", same source) once 1 % of the e-learning
#:   market uses the library corner (driver ``"e_learning"``): a reading corner
#:   or village library is one of the 14 Smart Kampung qualifications
#:   (surabayanewsweek-2019-07) and the internet corner sits at the balai desa
#:   (merdeka-2016-03-22); the 1 % threshold is an illustrative assumption.
DEFAULT_PROGRAMME_EFFECTS: Final[tuple[IndicatorEffect, ...]] = (
    IndicatorEffect(
        _OFFICE,
        5,
        CONNECTION_DRIVER,
        source="ministry definition (IDM API KETERANGAN): 5 = internet facility at the office",
    ),
    IndicatorEffect(
        _RESIDENTS,
        5,
        "social",
        0.10,
        source="ministry definition (IDM API KETERANGAN); 10 % threshold: illustrative assumption",
    ),
    IndicatorEffect(
        _LIBRARY,
        5,
        "e_learning",
        0.01,
        source="Smart Kampung qualification: reading corner or village library "
        "(surabayanewsweek-2019-07); 1 % threshold: illustrative assumption",
    ),
)

_N_HERMITE: Final = 60  # terms of Mehler's series (ρ <= 0.9: the tail is below 0.9**60 = 0.2 % of a variance)
_RHO_MAX: Final = 0.9


# ------------------------------------------------------------------------ validation


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _index_of(index: Any, function: str) -> CompositeIndex:
    if index is None:
        return IDM_INDEX
    if not isinstance(index, CompositeIndex):
        raise ParameterError("index", f"must be a CompositeIndex, got {type(index).__name__}", function=function)
    return index


def _scores(value: Any, name: str, function: str, index: CompositeIndex) -> NDArray[np.int8]:
    arr = as_int_array(value, name, function)
    if arr.ndim != 2 or arr.shape[1] != index.n_indicators:
        raise ParameterError(
            name,
            f"must have shape (n, {index.n_indicators}) ({index.name} indicator scores), got {arr.shape}",
            function=function,
        )
    if arr.size and (arr.min() < 0 or arr.max() > index.max_score):
        raise ParameterError(
            name, f"scores must lie in 0..{index.max_score} (found {arr.min()}..{arr.max()})", function=function
        )
    return arr.astype(np.int8)


def _rng(rng: Any, function: str) -> np.random.Generator:
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            "rng", f"must be None, a seed, a SeedSequence or a Generator ({exc})", function=function
        ) from None


def _group_index(value: Any, n: int, name: str, function: str) -> tuple[NDArray[np.intp], int]:
    if value is None:
        return np.zeros(n, dtype=np.intp), 1
    arr = np.asarray(value)
    if arr.shape != (n,):
        raise ParameterError(name, f"must have shape ({n},), got {arr.shape}", function=function)
    _, inverse = np.unique(arr, return_inverse=True)
    return inverse.astype(np.intp), int(inverse.max()) + 1 if n else 0


# ----------------------------------------------------------------------- sub-indices


def _membership(index: CompositeIndex) -> NDArray[np.int64]:
    m = np.zeros((index.n_indicators, len(index.sub_indices)), dtype=np.int64)
    m[np.arange(index.n_indicators), np.asarray(index.indicator_sub_index)] = 1
    return m


def indicator_weights(index: CompositeIndex | None = None) -> NDArray[np.float64]:
    """Weight of each indicator point in the composite, shape (n_indicators,).

    For IDM: 1/(3·175) per social point, 1/(3·60) per economic point,
    1/(3·15) per ecological point. [composite per score point]
    """
    ix = _index_of(index, "indicator_weights")
    w = np.asarray(ix.sub_index_weights) / np.asarray(ix.sub_index_maxima, dtype=np.float64)
    return np.asarray(w[np.asarray(ix.indicator_sub_index)], dtype=np.float64)


def sub_index_totals(scores: ArrayLike, *, index: CompositeIndex | None = None) -> NDArray[np.int64]:
    """Indicator totals of each sub-index, shape (n, n_sub_indices).

    Parameters
    ----------
    scores : array_like of int, shape (n, n_indicators)
        Indicator scores, 0..``index.max_score``, in the index's column order.
    index : CompositeIndex, optional
        Default :data:`~smartkampung.model.IDM_INDEX`.

    Returns
    -------
    ndarray of int64, shape (n, n_sub_indices)
        For IDM: social, economic and ecological totals (maxima 175, 60, 15).
    """
    fn = "sub_index_totals"
    ix = _index_of(index, fn)
    x = _scores(scores, "scores", fn, ix)
    return np.asarray(x.astype(np.int64) @ _membership(ix), dtype=np.int64)


def sub_indices(scores: ArrayLike, *, index: CompositeIndex | None = None) -> NDArray[np.float64]:
    """Sub-indices exactly as the ministry computes them, shape (n, n_sub_indices).

    Sub-index *k* = total of its indicator scores / (``max_score`` × its number
    of indicators); for IDM, IKS = Σ social/175, IKE = Σ economic/60,
    IKL = Σ ecological/15.

    Parameters
    ----------
    scores : array_like of int, shape (n, n_indicators)
        Indicator scores in the index's column order (for IDM the 50 columns of
        :data:`~smartkampung.model.IDM_INDICATOR_COLUMNS`).
    index : CompositeIndex, optional
        Default :data:`~smartkampung.model.IDM_INDEX`.

    Returns
    -------
    ndarray of float64, shape (n, n_sub_indices)
        [0–1]

    Raises
    ------
    ParameterError
        If *scores* has the wrong shape or a score outside 0..max_score.

    Examples
    --------
    >>> sub_indices([[4] * 35 + [5] * 6 + [3] * 6 + [5, 4, 3]])
    array([[0.8, 0.8, 0.8]])
    """
    fn = "sub_indices"
    ix = _index_of(index, fn)
    totals = _scores(scores, "scores", fn, ix).astype(np.int64) @ _membership(ix)
    return np.asarray(totals / np.asarray(ix.sub_index_maxima, dtype=np.float64), dtype=np.float64)


def composite_scores(sub: ArrayLike, *, index: CompositeIndex | None = None) -> NDArray[np.float64]:
    """The composite of sub-indices, shape (n,).

    Equal weights: the sum over the number of sub-indices, added in order
    (``(IKS + IKE + IKL) / 3`` for IDM, as :attr:`IDMScore.composite
    <smartkampung.model.IDMScore.composite>`); otherwise the weighted sum.

    Parameters
    ----------
    sub : array_like of float, shape (n, n_sub_indices)
        Sub-indices. [0–1]
    index : CompositeIndex, optional
        Default :data:`~smartkampung.model.IDM_INDEX`.
    """
    fn = "composite_scores"
    ix = _index_of(index, fn)
    s = as_float_array(sub, "sub", fn)
    k = len(ix.sub_indices)
    if s.ndim != 2 or s.shape[1] != k:
        raise ParameterError("sub", f"must have shape (n, {k}), got {s.shape}", function=fn)
    if ix.weights is None:
        total = s[:, 0].copy()
        for d in range(1, k):
            total += s[:, d]
        return np.asarray(total / k, dtype=np.float64)
    out = s[:, 0] * ix.weights[0]
    for d in range(1, k):
        out += s[:, d] * ix.weights[d]
    return np.asarray(out, dtype=np.float64)


def status_codes(composite: ArrayLike, *, index: CompositeIndex | None = None) -> NDArray[np.int8]:
    """Status codes of composite scores: the number of thresholds each exceeds.

    Rounds to ``index.decimals`` first (half-to-even, :func:`numpy.rint`), as
    :func:`~smartkampung.model.idm_status_code` does for IDM (same results).

    Parameters
    ----------
    composite : array_like of float, any shape
        Composite scores. [0–1]
    index : CompositeIndex, optional
        Default :data:`~smartkampung.model.IDM_INDEX`.

    Returns
    -------
    ndarray of int8, same shape
        0 (lowest status) .. ``n_statuses - 1``.
    """
    fn = "status_codes"
    ix = _index_of(index, fn)
    x = as_float_array(composite, "composite", fn)
    if x.size and not (np.all(np.isfinite(x)) and x.min() >= 0.0 and x.max() <= 1.0):
        raise ParameterError("composite", "must be finite and lie in [0, 1]", function=fn)
    if ix.decimals is None:
        codes = np.searchsorted(np.asarray(ix.thresholds), x, side="left")
    else:
        scale = 10.0**ix.decimals
        thresholds = np.asarray([round(t * scale) for t in ix.thresholds], dtype=np.float64)
        codes = np.searchsorted(thresholds, np.rint(x * scale), side="left")
    return np.asarray(codes, dtype=np.int8)


def status_of_scores(scores: ArrayLike, *, index: CompositeIndex | None = None) -> NDArray[np.int8]:
    """Status codes of indicator score vectors, shape (n,).

    ``status_codes(composite_scores(sub_indices(scores)))``: for IDM 0 Sangat
    Tertinggal … 4 Mandiri.

    Parameters
    ----------
    scores : array_like of int, shape (n, n_indicators)
        Indicator scores.
    index : CompositeIndex, optional
        Default :data:`~smartkampung.model.IDM_INDEX`.
    """
    fn = "status_of_scores"
    ix = _index_of(index, fn)
    return _status_fast(_scores(scores, "scores", fn, ix), _membership(ix), ix)


def _status_fast(x: NDArray[np.int8], membership: NDArray[np.int64], index: CompositeIndex) -> NDArray[np.int8]:
    # status_of_scores without the checks, for the inner loop (same arithmetic).
    # Float64 products of small integers are exact, and BLAS makes them fast.
    sub = (x.astype(np.float64) @ membership.astype(np.float64)) / np.asarray(index.sub_index_maxima, dtype=np.float64)
    return status_codes(composite_scores(sub, index=index), index=index)


# ------------------------------------------------------------------------ panel pairs


def transition_pairs(
    codes: ArrayLike, years: ArrayLike, year_pairs: Sequence[tuple[int, int]]
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
    """Rows of the same desa in two years, for each pair of years.

    Parameters
    ----------
    codes : array_like of str, shape (n,)
        Desa code of each record.
    years : array_like of int, shape (n,)
        Year of each record.
    year_pairs : sequence of (int, int)
        ``(from_year, to_year)`` pairs, ``from_year < to_year``.

    Returns
    -------
    rows_from, rows_to, pair : ndarray of intp, shape (m,)
        Record positions of each matched desa in the two years, and the
        position of its pair in *year_pairs*; ordered by pair, then code.

    Raises
    ------
    ParameterError
        If a pair is not increasing, or a code appears twice in one year.
    """
    fn = "transition_pairs"
    c = np.asarray(codes)
    y = as_int_array(years, "years", fn)
    if c.ndim != 1 or y.shape != c.shape:
        raise ParameterError(
            "years", f"codes and years must be 1-D of equal length, got {c.shape} and {y.shape}", function=fn
        )
    out_a: list[NDArray[np.intp]] = []
    out_b: list[NDArray[np.intp]] = []
    out_p: list[NDArray[np.intp]] = []
    for p, pair in enumerate(year_pairs):
        if not (isinstance(pair, Sequence) and len(pair) == 2):
            raise ParameterError("year_pairs", f"each entry must be (from_year, to_year), got {pair!r}", function=fn)
        y0, y1 = int(pair[0]), int(pair[1])
        if y1 <= y0:
            raise ParameterError("year_pairs", f"from_year must be before to_year, got {pair!r}", function=fn)
        rows0 = np.flatnonzero(y == y0)
        rows1 = np.flatnonzero(y == y1)
        for rows, year in ((rows0, y0), (rows1, y1)):
            if np.unique(c[rows]).size != rows.size:
                raise ParameterError("codes", f"a desa code appears twice in year {year}", function=fn)
        _, i0, i1 = np.intersect1d(c[rows0], c[rows1], assume_unique=True, return_indices=True)
        out_a.append(rows0[i0])
        out_b.append(rows1[i1])
        out_p.append(np.full(i0.size, p, dtype=np.intp))
    if not out_a:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty.copy(), empty.copy()
    return (
        np.concatenate(out_a).astype(np.intp),
        np.concatenate(out_b).astype(np.intp),
        np.concatenate(out_p).astype(np.intp),
    )


def _consecutive_pairs(years: NDArray[Any]) -> tuple[tuple[int, int], ...]:
    ys = sorted({int(v) for v in np.unique(years)})
    return tuple((a, b) for a, b in itertools.pairwise(ys) if b == a + 1)


# ---------------------------------------------------------------------- dynamics type


def _array_eq(a: Any, b: Any) -> bool:
    return bool(np.array_equal(a, b))


_EQ = attrs.cmp_using(eq=_array_eq)
_FORMAT: Final = "smartkampung.idm_dynamics/1"


@attrs.frozen
class IDMDynamics:
    """Fitted year-to-year dynamics of indicator scores (see the module notes).

    Attributes
    ----------
    index : CompositeIndex
        The index whose indicators move.
    transition : ndarray of float64, shape (n_regimes, n_bands, n_indicators, L, L)
        ``transition[r, b, j, s, s2]``: probability that indicator *j* of an
        active desa in status band *b* moves from score *s* to *s2* in one
        year of regime *r* (``L = max_score + 1``; rows sum to 1; a row never
        observed in any band is the identity).
    frozen : ndarray of float64, shape (n_regimes, n_bands)
        Probability that a desa-year record is carried over unchanged.
    rho_regency, rho_desa : float
        Shares of the latent variance shared by all desa of a regency in a
        year, and by the indicators of one desa in a year.
    prior_strength : float
        Pseudo-transitions of the shrinkage toward the all-band row.
    year_pairs : tuple of (int, int)
        The year pairs fitted.
    regimes : tuple of tuple of (int, int)
        The year pairs behind each regime: one regime per year pair
        (``regimes="year"``) or one for all (``"pooled"``). Each simulated
        year draws one regime at random (equal chances), so the spread
        between the fitted years' national dynamics is kept.
    n_transitions : ndarray of int64, shape (n_regimes, n_bands)
        Desa-year transitions per regime and band.
    moments : dict of str to float
        The matched moments (observed and model) and fit diagnostics.
    source : str
        Where the data came from and how the fit was made.
    """

    index: CompositeIndex
    transition: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=_EQ)
    frozen: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=_EQ)
    rho_regency: float
    rho_desa: float
    prior_strength: float
    year_pairs: tuple[tuple[int, int], ...]
    regimes: tuple[tuple[tuple[int, int], ...], ...]
    n_transitions: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=_EQ)
    moments: dict[str, float] = attrs.field(factory=dict)
    source: str = ""

    def __attrs_post_init__(self) -> None:
        fn = "IDMDynamics"
        r = len(self.regimes)
        b, j, levels = self.index.n_statuses, self.index.n_indicators, self.index.max_score + 1
        if r < 1 or self.transition.shape != (r, b, j, levels, levels):
            raise ParameterError(
                "transition",
                f"must have shape {(r, b, j, levels, levels)} (one block per regime), got {self.transition.shape}",
                function=fn,
            )
        t = self.transition
        if not (np.all(np.isfinite(t)) and t.min() >= 0.0 and np.allclose(t.sum(axis=-1), 1.0, atol=1e-9)):
            raise ParameterError("transition", "rows must be probabilities summing to 1", function=fn)
        if self.frozen.shape != (r, b) or not (
            np.all(np.isfinite(self.frozen)) and self.frozen.min() >= 0.0 and self.frozen.max() < 1.0
        ):
            raise ParameterError("frozen", f"must be {r}x{b} probabilities in [0, 1)", function=fn)
        for name in ("rho_regency", "rho_desa"):
            v = getattr(self, name)
            if not (isinstance(v, float) and 0.0 <= v < 1.0):
                raise ParameterError(name, f"must be a number in [0, 1), got {v!r}", function=fn)
        if self.rho_regency + self.rho_desa >= 1.0:
            raise ParameterError("rho_desa", "rho_regency + rho_desa must be < 1", function=fn)

    @property
    def n_regimes(self) -> int:
        """Number of regimes (year pairs fitted separately, or 1 when pooled)."""
        return len(self.regimes)

    def latent_thresholds(self) -> NDArray[np.float64]:
        """Latent-normal thresholds of each transition row, shape (n_regimes, n_bands, n_indicators, L, L - 1).

        The new score is the number of thresholds the latent ``Z`` exceeds:
        ``threshold[..., t] = Φ⁻¹(P(new score <= t))`` (−∞/+∞ where that
        probability is exactly 0/1).
        """
        return _latent_thresholds(self.transition)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists and numbers); :meth:`from_dict` reads it back exactly."""
        ix = self.index
        return {
            "format": _FORMAT,
            "source": self.source,
            "index": {
                "name": ix.name,
                "sub_indices": list(ix.sub_indices),
                "indicator_columns": list(ix.indicator_columns),
                "indicator_sub_index": list(ix.indicator_sub_index),
                "thresholds": list(ix.thresholds),
                "status_labels": list(ix.status_labels),
                "weights": None if ix.weights is None else list(ix.weights),
                "max_score": ix.max_score,
                "decimals": ix.decimals,
            },
            "year_pairs": [list(p) for p in self.year_pairs],
            "regimes": [[list(p) for p in regime] for regime in self.regimes],
            "prior_strength": self.prior_strength,
            "rho_regency": self.rho_regency,
            "rho_desa": self.rho_desa,
            "frozen": self.frozen.tolist(),
            "n_transitions": self.n_transitions.tolist(),
            "moments": dict(self.moments),
            "transition": self.transition.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IDMDynamics:
        """Rebuild from :meth:`to_dict` output (e.g. parsed JSON).

        Raises
        ------
        ParameterError
            Naming the key that is missing or wrong (parameter ``data``).
        """
        fn = "IDMDynamics.from_dict"
        if not isinstance(data, Mapping):
            raise ParameterError("data", f"must be a mapping, got {type(data).__name__}", function=fn)
        if data.get("format") != _FORMAT:
            raise ParameterError("data", f"'format' must be {_FORMAT!r}, got {data.get('format')!r}", function=fn)
        try:
            ix = data["index"]
            index = CompositeIndex(
                name=ix["name"],
                sub_indices=ix["sub_indices"],
                indicator_columns=ix["indicator_columns"],
                indicator_sub_index=ix["indicator_sub_index"],
                thresholds=ix["thresholds"],
                status_labels=ix["status_labels"],
                weights=ix["weights"],
                max_score=ix["max_score"],
                decimals=ix["decimals"],
            )
            return cls(
                index=index,
                transition=np.asarray(data["transition"], dtype=np.float64),
                frozen=np.asarray(data["frozen"], dtype=np.float64),
                rho_regency=float(data["rho_regency"]),
                rho_desa=float(data["rho_desa"]),
                prior_strength=float(data["prior_strength"]),
                year_pairs=tuple((int(a), int(b)) for a, b in data["year_pairs"]),
                regimes=tuple(tuple((int(a), int(b)) for a, b in regime) for regime in data["regimes"]),
                n_transitions=np.asarray(data["n_transitions"], dtype=np.int64),
                moments={str(k): float(v) for k, v in dict(data["moments"]).items()},
                source=str(data["source"]),
            )
        except KeyError as exc:
            raise ParameterError("data", f"missing key {exc.args[0]!r}", function=fn) from None
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ParameterError):
                raise ParameterError("data", str(exc), function=fn) from None
            raise ParameterError("data", f"malformed value ({exc})", function=fn) from None


def _latent_thresholds(p: NDArray[np.float64]) -> NDArray[np.float64]:
    head = np.cumsum(p, axis=-1)[..., :-1]
    tail = np.cumsum(p[..., ::-1], axis=-1)[..., ::-1][..., 1:]
    with np.errstate(divide="ignore"):
        # Whichever side is smaller keeps its precision.
        tau = np.where(head <= tail, ndtri(np.clip(head, 0.0, 1.0)), -ndtri(np.clip(tail, 0.0, 1.0)))
    tau = np.where(head <= 0.0, -np.inf, tau)
    tau = np.where(tail <= 0.0, np.inf, tau)
    return np.asarray(tau, dtype=np.float64)


# --------------------------------------------------------------------------- fitting


def _row_probabilities(counts: NDArray[np.float64], prior_strength: float) -> NDArray[np.float64]:
    levels = counts.shape[-1]
    pooled = counts.sum(axis=0)
    pooled_n = pooled.sum(axis=-1, keepdims=True)
    eye = np.broadcast_to(np.eye(levels), pooled.shape)
    base = np.where(pooled_n > 0, pooled / np.where(pooled_n > 0, pooled_n, 1.0), eye)
    n = counts.sum(axis=-1, keepdims=True)
    denominator = n + prior_strength
    shrunk = (counts + prior_strength * base[None]) / np.where(denominator > 0, denominator, 1.0)
    return np.asarray(np.where(denominator > 0, shrunk, base[None]), dtype=np.float64)


def _weighted_counts(flat: NDArray[Any], weight: NDArray[np.float64], j: int, size: int) -> NDArray[np.float64]:
    return np.asarray(np.bincount(flat, weights=np.repeat(weight, j), minlength=size), dtype=np.float64)


def _fit_em(
    x: NDArray[np.int8],
    y: NDArray[np.int8],
    band: NDArray[np.intp],
    n_bands: int,
    levels: int,
    prior_strength: float,
    max_iterations: int,
    tolerance: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    _n, j = x.shape
    flat = (((band[:, None] * j + np.arange(j)[None, :]) * levels + x) * levels + y).ravel()
    size = n_bands * j * levels * levels
    unchanged = np.all(x == y, axis=1)
    per_band = np.bincount(band, minlength=n_bands).astype(np.float64)
    active = np.where(unchanged, 0.5, 1.0)  # EM start; all-active is a fixed point, so start between
    stay_rows = np.flatnonzero(unchanged)
    probs = np.zeros((n_bands, j, levels, levels))
    frozen = np.zeros(n_bands)
    iterations = 0
    for iterations in range(1, max_iterations + 1):
        counts = _weighted_counts(flat, active, j, size).reshape(n_bands, j, levels, levels)
        probs = _row_probabilities(counts, prior_strength)
        frozen_new = np.divide(
            np.bincount(band, weights=1.0 - active, minlength=n_bands),
            per_band,
            out=np.zeros(n_bands),
            where=per_band > 0,
        )
        xs = x[stay_rows]
        with np.errstate(divide="ignore"):
            log_stay = np.log(probs[band[stay_rows, None], np.arange(j)[None, :], xs, xs]).sum(axis=1)
        f = frozen_new[band[stay_rows]]
        stay = np.exp(log_stay)
        denominator = (1.0 - f) * stay + f
        new_active = active.copy()
        new_active[stay_rows] = np.divide((1.0 - f) * stay, denominator, out=np.ones_like(stay), where=denominator > 0)
        change = float(np.max(np.abs(frozen_new - frozen))) if iterations > 1 else math.inf
        frozen = frozen_new
        active = new_active
        if change < tolerance:
            break
    counts = _weighted_counts(flat, active, j, size).reshape(n_bands, j, levels, levels)
    probs = _row_probabilities(counts, prior_strength)
    frozen = np.divide(
        np.bincount(band, weights=1.0 - active, minlength=n_bands), per_band, out=np.zeros(n_bands), where=per_band > 0
    )
    return probs, frozen, iterations


class _MomentTerms:
    """Exact moments of one-year composite changes under the model (Mehler's expansion)."""

    def __init__(
        self,
        rows: NDArray[np.float64],
        q: NDArray[np.float64],
        x: NDArray[np.int8],
        weights: NDArray[np.float64],
        n_terms: int = _N_HERMITE,
    ) -> None:
        # rows (n, j, L): each transition's row of probabilities; q (n,): probability the record is active.
        n = x.shape[0]
        tau = _latent_thresholds(rows)  # (n, j, L-1)
        tail = ndtr(-tau)  # P(new score > t)
        t_index = np.arange(tau.shape[-1], dtype=np.float64)
        mean_y = tail.sum(axis=-1)
        var_y = ((2.0 * t_index + 1.0) * tail).sum(axis=-1) - mean_y**2
        self.q = q
        self.mean_active = (mean_y - x) @ weights  # (n,)
        self.var_independent = np.maximum(var_y, 0.0) @ weights**2
        finite = np.isfinite(tau)
        t0 = np.where(finite, tau, 0.0)
        density = np.where(finite, np.exp(-0.5 * t0**2) / math.sqrt(2.0 * math.pi), 0.0)
        self.a = np.empty((n_terms, n))  # Σ_j w_j c_{m,ij}
        self.b = np.empty((n_terms, n))  # Σ_j w_j² c_{m,ij}²
        h_prev = np.zeros_like(t0)
        h = np.ones_like(t0)
        for m in range(1, n_terms + 1):
            c = (density * h).sum(axis=-1) / math.sqrt(m)  # (n, j): normalised Hermite coefficient c_m
            self.a[m - 1] = c @ weights
            self.b[m - 1] = (c * c) @ weights**2
            h, h_prev = (t0 * h - math.sqrt(m - 1) * h_prev) / math.sqrt(m), h
        self.powers = np.arange(1, n_terms + 1)

    def mean(self) -> NDArray[np.float64]:
        return np.asarray(self.q * self.mean_active, dtype=np.float64)

    def variance(self, rho_within: float) -> NDArray[np.float64]:
        series = (rho_within**self.powers) @ (self.a**2 - self.b)
        active = self.var_independent + series
        return np.asarray(self.q * (active + self.mean_active**2) - (self.q * self.mean_active) ** 2, dtype=np.float64)

    def pair_coefficients(self, group: NDArray[np.intp], n_groups: int) -> NDArray[np.float64]:
        # G_m = Σ_groups [(Σ_i q_i a_mi)² − Σ_i q_i² a_mi²] / 2: the same-regency pair covariance is Σ_m ρ^m G_m.
        qa = self.q[None, :] * self.a
        sums = np.stack([np.bincount(group, weights=row, minlength=n_groups) for row in qa])
        squares = np.stack([np.bincount(group, weights=row * row, minlength=n_groups) for row in qa])
        return np.asarray(((sums**2).sum(axis=1) - squares.sum(axis=1)) / 2.0, dtype=np.float64)


def _solve(f: Any, low: float, high: float) -> float:
    from scipy.optimize import brentq  # imported when fitting, not with the package

    f_low, f_high = f(low), f(high)
    if f_low >= 0.0:
        return low
    if f_high <= 0.0:
        return high
    return float(brentq(f, low, high, xtol=1e-12, rtol=1e-12, maxiter=200))


def fit_idm_dynamics(
    panel: IndicatorPanel,
    *,
    year_pairs: Sequence[tuple[int, int]] | None = None,
    regimes: str = "year",
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    max_iterations: int = 1000,
    tolerance: float = 1e-12,
    source: str = "",
) -> IDMDynamics:
    """Fit the year-to-year dynamics of indicator scores to a panel.

    Parameters
    ----------
    panel : IndicatorPanel
        Observed records, e.g. :func:`smartkampung.datasets.idm_panel`.
    year_pairs : sequence of (int, int), optional
        The transitions to fit, e.g. ``[(2021, 2022)]``; the same desa must be
        recorded in both years. Default: every pair of consecutive years in
        the panel.
    regimes : {"year", "pooled"}, default "year"
        ``"year"``: fit the transition matrices and unchanged-record shares
        of each year pair separately (a regime per pair; a simulated year
        draws one); ``"pooled"``: one set for all pairs.
    prior_strength : float, default :data:`DEFAULT_PRIOR_STRENGTH`
        Pseudo-transitions shrinking each band's rows toward the all-band
        rows of the same regime; 0 uses the raw band frequencies. [transitions]
    max_iterations : int, default 1000
        EM iterations at most (per regime).
    tolerance : float, default 1e-12
        EM stops when no band's unchanged-record share changes by more.
    source : str, optional
        Provenance to record on the result (default: the panel's).

    Returns
    -------
    IDMDynamics

    Raises
    ------
    ParameterError
        If *panel* is not an IndicatorPanel, a year pair is not increasing or
        matches no desa, or an argument is out of range.

    Notes
    -----
    Deterministic: EM from a fixed start, then two one-dimensional root
    solves. A desa's status band is its status in the first year of the
    pair, computed from its scores. ``rho_regency`` and ``rho_desa`` are
    common to all regimes and matched to the deviations of each transition
    from its own regime's mean, so they measure regency and desa shocks
    around the year's national dynamics. See the module notes.
    """
    fn = "fit_idm_dynamics"
    if not isinstance(panel, IndicatorPanel):
        raise ParameterError("panel", f"must be an IndicatorPanel, got {type(panel).__name__}", function=fn)
    if regimes not in ("year", "pooled"):
        raise ParameterError("regimes", f"must be 'year' or 'pooled', got {regimes!r}", function=fn)
    if not (_is_real(prior_strength) and math.isfinite(prior_strength) and prior_strength >= 0):
        raise ParameterError("prior_strength", f"must be a finite number >= 0, got {prior_strength!r}", function=fn)
    if not (_is_int(max_iterations) and max_iterations >= 1):
        raise ParameterError("max_iterations", f"must be an integer >= 1, got {max_iterations!r}", function=fn)
    if not (_is_real(tolerance) and tolerance > 0):
        raise ParameterError("tolerance", f"must be a number > 0, got {tolerance!r}", function=fn)
    pairs = _consecutive_pairs(panel.years) if year_pairs is None else tuple((int(a), int(b)) for a, b in year_pairs)
    if not pairs:
        raise ParameterError("year_pairs", "no pair of years to fit", function=fn)
    if len(set(pairs)) != len(pairs):
        raise ParameterError("year_pairs", f"repeats a pair: {pairs}", function=fn)
    rows0, rows1, pair_of = transition_pairs(panel.codes, panel.years, pairs)
    for p, pair in enumerate(pairs):
        if not np.any(pair_of == p):
            raise ParameterError("year_pairs", f"no desa is recorded in both years of {pair}", function=fn)
    ix = panel.index
    levels = ix.max_score + 1
    n_bands = ix.n_statuses
    j = ix.n_indicators
    x = panel.scores[rows0]
    y = panel.scores[rows1]
    band = _status_fast(x, _membership(ix), ix).astype(np.intp)
    regime_of = pair_of if regimes == "year" else np.zeros_like(pair_of)
    regime_pairs = tuple((pair,) for pair in pairs) if regimes == "year" else (pairs,)
    n_regimes = len(regime_pairs)
    probs = np.empty((n_regimes, n_bands, j, levels, levels))
    frozen = np.empty((n_regimes, n_bands))
    n_transitions = np.empty((n_regimes, n_bands), dtype=np.int64)
    iterations = 0
    for r in range(n_regimes):
        sel = regime_of == r
        probs[r], frozen[r], its = _fit_em(
            x[sel], y[sel], band[sel], n_bands, levels, float(prior_strength), int(max_iterations), float(tolerance)
        )
        n_transitions[r] = np.bincount(band[sel], minlength=n_bands)
        iterations = max(iterations, its)

    weights = indicator_weights(ix)
    rows = probs[regime_of[:, None], band[:, None], np.arange(j)[None, :], x]  # (n, j, L)
    terms = _MomentTerms(rows, 1.0 - frozen[regime_of, band], x, weights)
    observed = (y.astype(np.int64) - x) @ weights
    residual = observed - terms.mean()
    group_key = np.char.add(np.char.add(panel.regency_codes[rows0], "|"), pair_of.astype(str))
    _, group = np.unique(group_key, return_inverse=True)
    n_groups = int(group.max()) + 1
    group_sum = np.bincount(group, weights=residual, minlength=n_groups)
    observed_pairs = float(((group_sum**2).sum() - (residual**2).sum()) / 2.0)
    coefficients = terms.pair_coefficients(group.astype(np.intp), n_groups)
    powers = np.arange(1, coefficients.size + 1)

    def pair_gap(rho: float) -> float:
        return float((rho**powers) @ coefficients) - observed_pairs

    rho_r = _solve(pair_gap, 0.0, _RHO_MAX)
    observed_var = float((residual**2).sum())

    def var_gap(rho: float) -> float:
        return float(terms.variance(rho).sum()) - observed_var

    rho_w = _solve(var_gap, rho_r, _RHO_MAX)
    moments = {
        "observed_mean_change": float(observed.mean()),
        "model_mean_change": float(terms.mean().mean()),
        "observed_variance_sum": observed_var,
        "model_variance_sum": float(terms.variance(rho_w).sum()),
        "model_variance_sum_independent": float(terms.variance(0.0).sum()),
        "observed_same_regency_covariance_sum": observed_pairs,
        "model_same_regency_covariance_sum": float((rho_r**powers) @ coefficients),
        "n_transitions": float(x.shape[0]),
        "n_regency_years": float(n_groups),
        "em_iterations_max": float(iterations),
        "observed_unchanged_share": float(np.mean(np.all(x == y, axis=1))),
    }
    return IDMDynamics(
        index=ix,
        transition=probs,
        frozen=frozen,
        rho_regency=float(rho_r),
        rho_desa=float(rho_w - rho_r),
        prior_strength=float(prior_strength),
        year_pairs=pairs,
        regimes=regime_pairs,
        n_transitions=n_transitions,
        moments=moments,
        source=source or panel.source,
    )


# ------------------------------------------------------------------------ simulation


class _Stepper:
    """The inner loop of the projection: thresholds, shock scales and membership, prepared once."""

    def __init__(self, dynamics: IDMDynamics, group: NDArray[np.intp], n_groups: int) -> None:
        ix = dynamics.index
        self.index = ix
        self.levels = ix.max_score + 1
        self.n_indicators = ix.n_indicators
        tau = dynamics.latent_thresholds().astype(np.float32)
        self.n_regimes = dynamics.n_regimes
        self.tau = tau.reshape(self.n_regimes, -1, self.levels - 1)
        # The interval of the latent value in which a score s stays s: (tau[s-1], tau[s]].
        padded = np.concatenate(
            [
                np.full((*self.tau.shape[:2], 1), -np.inf, dtype=np.float32),
                self.tau,
                np.full((*self.tau.shape[:2], 1), np.inf, dtype=np.float32),
            ],
            axis=-1,
        )
        score = np.tile(np.arange(self.levels), self.tau.shape[1] // self.levels)
        self.stay_low = np.ascontiguousarray(padded[:, np.arange(score.size), score])
        self.stay_high = np.ascontiguousarray(padded[:, np.arange(score.size), score + 1])
        self.frozen = dynamics.frozen
        self.sd_e = np.float32(math.sqrt(1.0 - dynamics.rho_regency - dynamics.rho_desa))
        self.sd_d = np.float32(math.sqrt(dynamics.rho_desa))
        self.sd_r = np.float32(math.sqrt(dynamics.rho_regency))
        self.group = group
        self.n_groups = n_groups
        self.membership = _membership(ix)

    def status(self, x: NDArray[np.int8]) -> NDArray[np.int8]:
        return _status_fast(x, self.membership, self.index)

    def step(
        self, x: NDArray[np.int8], rng: np.random.Generator, band: NDArray[np.int8] | None = None
    ) -> NDArray[np.int8]:
        n, j = x.shape
        b = (self.status(x) if band is None else band).astype(np.intp)
        # Fixed order of draws: the year's regime, frozen uniforms, indicator, desa, then regency shocks.
        regime = int(rng.integers(0, self.n_regimes)) if self.n_regimes > 1 else 0
        # The draws do not depend on the state, so two runs with the same stream (a scenario and its
        # counterfactual) share every shock: common random numbers, desa by desa.
        unchanged_draw = rng.random(n)
        z = rng.standard_normal((n, j), dtype=np.float32)
        z *= self.sd_e
        desa_shock = rng.standard_normal(n, dtype=np.float32) * self.sd_d
        regency_shock = rng.standard_normal(self.n_groups, dtype=np.float32) * self.sd_r
        z += (desa_shock + regency_shock[self.group])[:, None]
        frozen = unchanged_draw < self.frozen[regime, b]  # these records stay as they are
        # Most indicators stay: test the latent value against the current score's own interval
        # first, and count thresholds only where it falls outside (the same result as counting all).
        row = (b[:, None].astype(np.int32) * j + np.arange(j, dtype=np.int32)[None, :]) * self.levels + x
        moving = (z > self.stay_high[regime][row]) | (z <= self.stay_low[regime][row])
        moving[frozen] = False
        moves = np.flatnonzero(moving)
        out = x.copy()
        if moves.size:
            thresholds = self.tau[regime][row.reshape(-1)[moves]]  # (k, L-1)
            out.reshape(-1)[moves] = (z.reshape(-1)[moves][:, None] > thresholds).sum(axis=1, dtype=np.int8)
        return out


def step_idm(
    scores: ArrayLike,
    dynamics: IDMDynamics,
    *,
    regency: ArrayLike | None = None,
    rng: Any = None,
) -> NDArray[np.int8]:
    """Move indicator scores forward by one IDM year (background dynamics only).

    Parameters
    ----------
    scores : array_like of int, shape (n_desa, n_indicators)
        Scores in IDM year *Y*.
    dynamics : IDMDynamics
        Fitted dynamics (:func:`fit_idm_dynamics`,
        :func:`smartkampung.datasets.idm_dynamics`).
    regency : array_like, shape (n_desa,), optional
        Regency label of each desa (codes or integers): desa with the same
        label share the regency shock. None: all desa in one regency.
    rng : seed or Generator, optional
        SPEC 7 random source.

    Returns
    -------
    ndarray of int8, shape (n_desa, n_indicators)
        Scores in IDM year *Y* + 1, each in 0..max_score.
    """
    fn = "step_idm"
    if not isinstance(dynamics, IDMDynamics):
        raise ParameterError("dynamics", f"must be IDMDynamics, got {type(dynamics).__name__}", function=fn)
    x = _scores(scores, "scores", fn, dynamics.index)
    group, n_groups = _group_index(regency, x.shape[0], "regency", fn)
    return _Stepper(dynamics, group, n_groups).step(x, _rng(rng, fn))


# --------------------------------------------------------------------------- effects


def _check_effects(effects: Any, index: CompositeIndex, function: str) -> tuple[IndicatorEffect, ...]:
    if isinstance(effects, IndicatorEffect):
        effects = (effects,)
    try:
        out = tuple(effects)
    except TypeError:
        raise ParameterError(
            "effects", f"must be a sequence of IndicatorEffect, got {type(effects).__name__}", function=function
        ) from None
    for e in out:
        if not isinstance(e, IndicatorEffect):
            raise ParameterError(
                "effects", f"must hold IndicatorEffect objects, got {type(e).__name__}", function=function
            )
        if e.column not in index.indicator_columns:
            raise ParameterError("effects", f"{index.name} has no indicator {e.column!r}", function=function)
        if e.score > index.max_score:
            raise ParameterError(
                "effects", f"score {e.score} of {e.column!r} exceeds {index.max_score}", function=function
            )
    return out


def effect_floor(
    effects: Sequence[IndicatorEffect],
    *,
    year: int,
    n_desa: int,
    connected_year: ArrayLike | None = None,
    adoption: Mapping[str, ArrayLike] | None = None,
    index: CompositeIndex | None = None,
) -> NDArray[np.int8]:
    """The least score each programme rule imposes in one IDM year.

    Parameters
    ----------
    effects : sequence of IndicatorEffect
        The rules, e.g. :data:`DEFAULT_PROGRAMME_EFFECTS`.
    year : int
        IDM year.
    n_desa : int
        Number of desa.
    connected_year : array_like of int, shape (n_desa,), optional
        First IDM year in which each office counts as connected
        (:func:`connection_idm_year`; :data:`NOT_CONNECTED` for never).
        Required when a rule's driver is ``"connection"``.
    adoption : mapping of str to array_like of float, shape (n_desa,), optional
        Adoption fraction of each driver at this year's data cut-off, e.g.
        ``{"social": ..., "e_learning": ...}``. Required for every other
        driver the rules name. [0–1]
    index : CompositeIndex, optional
        Default :data:`~smartkampung.model.IDM_INDEX`.

    Returns
    -------
    ndarray of int8, shape (n_desa, n_indicators)
        The floor: ``-1`` where no rule acts. Apply with
        ``np.maximum(scores, floor)``.

    Raises
    ------
    ParameterError
        If a driver a rule needs is missing, or an array has the wrong shape
        or holds fractions outside [0, 1].
    """
    fn = "effect_floor"
    ix = _index_of(index, fn)
    rules = _check_effects(effects, ix, fn)
    if not (_is_int(n_desa) and n_desa >= 0):
        raise ParameterError("n_desa", f"must be a whole number >= 0, got {n_desa!r}", function=fn)
    floor = np.full((int(n_desa), ix.n_indicators), -1, dtype=np.int8)
    connected = None
    if connected_year is not None:
        connected = as_int_array(connected_year, "connected_year", fn)
        if connected.shape != (n_desa,):
            raise ParameterError("connected_year", f"must have shape ({n_desa},), got {connected.shape}", function=fn)
    for rule in rules:
        if rule.driver == CONNECTION_DRIVER:
            if connected is None:
                raise ParameterError("connected_year", f"is needed by the rule for {rule.column!r}", function=fn)
            acts = connected <= year
        else:
            if adoption is None or rule.driver not in adoption:
                raise ParameterError(
                    "adoption", f"needs the fraction {rule.driver!r} (rule for {rule.column!r})", function=fn
                )
            frac = as_float_array(adoption[rule.driver], f"adoption[{rule.driver!r}]", fn)
            if frac.shape != (n_desa,):
                raise ParameterError(
                    "adoption", f"{rule.driver!r} must have shape ({n_desa},), got {frac.shape}", function=fn
                )
            if frac.size and not (np.all(np.isfinite(frac)) and frac.min() >= 0.0 and frac.max() <= 1.0):
                raise ParameterError("adoption", f"{rule.driver!r} must hold fractions in [0, 1]", function=fn)
            acts = frac >= rule.threshold
        k = ix.column(rule.column)
        floor[acts, k] = np.maximum(floor[acts, k], rule.score)
    return floor


# ------------------------------------------------------------------------ projection


def _years(years: Any, initial_year: Any, function: str) -> tuple[int, NDArray[np.int64]]:
    if not _is_int(initial_year):
        raise ParameterError("initial_year", f"must be an integer year, got {initial_year!r}", function=function)
    y0 = int(initial_year)
    ys = as_int_array(years, "years", function)
    if ys.ndim != 1 or ys.size == 0:
        raise ParameterError("years", "must be a non-empty 1-D sequence of IDM years", function=function)
    if ys[0] < y0:
        raise ParameterError(
            "years",
            f"starts at {int(ys[0])}, before initial_year {y0}: years before the "
            "observed state are not projected backwards",
            function=function,
        )
    if ys[0] > y0 + 1 or np.any(np.diff(ys) != 1):
        raise ParameterError(
            "years", f"must be consecutive years starting at initial_year ({y0}) or the year after", function=function
        )
    return y0, ys


def _adoption_series(
    adoption: Mapping[str, ArrayLike] | None, n_years: int, n_desa: int, function: str
) -> dict[str, NDArray[np.float64]]:
    if adoption is None:
        return {}
    if not isinstance(adoption, Mapping):
        raise ParameterError(
            "adoption", f"must be a mapping of driver name to array, got {type(adoption).__name__}", function=function
        )
    out: dict[str, NDArray[np.float64]] = {}
    for key, value in adoption.items():
        arr = as_float_array(value, f"adoption[{key!r}]", function)
        if arr.shape != (n_years, n_desa):
            raise ParameterError(
                "adoption",
                f"{key!r} must have shape (n_years, n_desa) = ({n_years}, {n_desa}), got {arr.shape}",
                function=function,
            )
        out[str(key)] = arr
    return out


def _trajectory(
    initial: NDArray[np.int8],
    dynamics: IDMDynamics,
    y0: int,
    years: NDArray[np.int64],
    connected: NDArray[np.int64] | None,
    adoption: dict[str, NDArray[np.float64]],
    effects: tuple[IndicatorEffect, ...],
    group: NDArray[np.intp],
    n_groups: int,
    rng: np.random.Generator,
) -> Iterator[tuple[NDArray[np.int8], NDArray[np.int8]]]:
    """Yield (scores, status) for each of *years*, stepping every year from y0."""
    stepper = _Stepper(dynamics, group, n_groups)
    x = initial
    status = stepper.status(x)
    n = x.shape[0]
    position = {int(y): t for t, y in enumerate(years)}
    if int(years[0]) == y0:
        yield x, status
    for year in range(y0 + 1, int(years[-1]) + 1):
        x = stepper.step(x, rng, status)
        if effects:
            t = position[year]
            floor = effect_floor(
                effects,
                year=year,
                n_desa=n,
                connected_year=connected,
                adoption={k: v[t] for k, v in adoption.items()},
                index=dynamics.index,
            )
            x = np.maximum(x, floor)
        status = stepper.status(x)
        yield x, status


def _projection_inputs(
    initial_scores: ArrayLike,
    dynamics: IDMDynamics,
    initial_year: Any,
    years: Any,
    connected_year: ArrayLike | None,
    adoption: Mapping[str, ArrayLike] | None,
    effects: Any,
    regency: ArrayLike | None,
    function: str,
) -> tuple[Any, ...]:
    if not isinstance(dynamics, IDMDynamics):
        raise ParameterError("dynamics", f"must be IDMDynamics, got {type(dynamics).__name__}", function=function)
    ix = dynamics.index
    x = _scores(initial_scores, "initial_scores", function, ix)
    n = x.shape[0]
    y0, ys = _years(years, initial_year, function)
    rules = _check_effects(effects, ix, function)
    connected = None
    if connected_year is not None:
        connected = as_int_array(connected_year, "connected_year", function)
        if connected.shape != (n,):
            raise ParameterError("connected_year", f"must have shape ({n},), got {connected.shape}", function=function)
    series = _adoption_series(adoption, ys.size, n, function)
    for rule in rules:  # fail before simulating, not in year 3
        if rule.driver == CONNECTION_DRIVER and connected is None:
            raise ParameterError("connected_year", f"is needed by the rule for {rule.column!r}", function=function)
        if rule.driver != CONNECTION_DRIVER and rule.driver not in series:
            raise ParameterError(
                "adoption", f"needs the fraction {rule.driver!r} (rule for {rule.column!r})", function=function
            )
    group, n_groups = _group_index(regency, n, "regency", function)
    return x, y0, ys, connected, series, rules, group, n_groups


def project_idm_status(
    initial_scores: ArrayLike,
    dynamics: IDMDynamics,
    *,
    initial_year: int,
    years: ArrayLike,
    connected_year: ArrayLike | None = None,
    adoption: Mapping[str, ArrayLike] | None = None,
    effects: Sequence[IndicatorEffect] = DEFAULT_PROGRAMME_EFFECTS,
    regency: ArrayLike | None = None,
    rng: Any = None,
) -> NDArray[np.int8]:
    """IDM status of every desa in every year: background dynamics plus programme effects.

    One stochastic run. Year by year from ``initial_year``: move the scores
    by :func:`step_idm`, then raise them to the programme's floor for that
    year (:func:`effect_floor`). Call it once per ensemble run with that
    run's connection years and adoption, and a stream of its own.

    Parameters
    ----------
    initial_scores : array_like of int, shape (n_desa, n_indicators)
        Scores in ``initial_year``: observed, or drawn by
        :func:`draw_initial_state`.
    dynamics : IDMDynamics
        Fitted background dynamics.
    initial_year : int
        The IDM year of *initial_scores*.
    years : array_like of int, shape (n_years,)
        Consecutive IDM years to return, starting at ``initial_year`` (its
        status is that of *initial_scores*) or the year after. Earlier years
        are not projected backwards.
    connected_year : array_like of int, shape (n_desa,), optional
        First IDM year each office counts as connected
        (:func:`connection_idm_year`). Needed by ``"connection"`` rules.
    adoption : mapping of str to array_like of float, shape (n_years, n_desa), optional
        Adoption fraction of each driver the rules name, at each year's data
        cut-off (:func:`idm_sample_months`), aligned with *years*. [0–1]
    effects : sequence of IndicatorEffect, default :data:`DEFAULT_PROGRAMME_EFFECTS`
        Programme rules; ``()`` for background dynamics alone.
    regency : array_like, shape (n_desa,), optional
        Regency label of each desa; None: one regency (e.g. Banyuwangi).
    rng : seed or Generator, optional
        SPEC 7 random source.

    Returns
    -------
    ndarray of int8, shape (n_years, n_desa)
        Status codes (IDM: 0 Sangat Tertinggal … 4 Mandiri).

    Raises
    ------
    ParameterError
        Naming the argument: shapes, scores out of range, years not
        consecutive or before ``initial_year``, a rule's input missing.
    """
    fn = "project_idm_status"
    x, y0, ys, connected, series, rules, group, n_groups = _projection_inputs(
        initial_scores, dynamics, initial_year, years, connected_year, adoption, effects, regency, fn
    )
    gen = _rng(rng, fn)
    out = np.empty((ys.size, x.shape[0]), dtype=np.int8)
    for t, (_, status) in enumerate(_trajectory(x, dynamics, y0, ys, connected, series, rules, group, n_groups, gen)):
        out[t] = status
    return out


def simulate_idm_scores(
    initial_scores: ArrayLike,
    dynamics: IDMDynamics,
    *,
    initial_year: int,
    years: ArrayLike,
    connected_year: ArrayLike | None = None,
    adoption: Mapping[str, ArrayLike] | None = None,
    effects: Sequence[IndicatorEffect] = DEFAULT_PROGRAMME_EFFECTS,
    regency: ArrayLike | None = None,
    rng: Any = None,
) -> NDArray[np.int8]:
    """The full score trajectory of one run, shape (n_years, n_desa, n_indicators).

    Same arguments, and the same random numbers for the same *rng*, as
    :func:`project_idm_status` (whose statuses are
    ``status_of_scores`` of these scores); for inspecting indicators.
    """
    fn = "simulate_idm_scores"
    x, y0, ys, connected, series, rules, group, n_groups = _projection_inputs(
        initial_scores, dynamics, initial_year, years, connected_year, adoption, effects, regency, fn
    )
    gen = _rng(rng, fn)
    return np.stack(
        [state for state, _ in _trajectory(x, dynamics, y0, ys, connected, series, rules, group, n_groups, gen)]
    )


# -------------------------------------------------------------------- initial state


def _floor_patterns(floor: NDArray[np.int64], max_score: int) -> tuple[NDArray[np.int64], NDArray[np.intp]]:
    """The distinct rows of *floor* and each row's pattern, fast when few columns carry a floor."""
    n, j = floor.shape
    used = np.flatnonzero((floor >= 0).any(axis=0))
    base = max_score + 2
    if used.size == 0:
        return np.full((1, j), -1, dtype=np.int64), np.zeros(n, dtype=np.intp)
    if used.size * math.log(base) < 62 * math.log(2):  # a mixed-radix key fits in int64
        key = ((floor[:, used] + 1) * (base ** np.arange(used.size, dtype=np.int64))[None, :]).sum(axis=1)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return floor[first], inverse.reshape(-1).astype(np.intp)
    patterns, inverse = np.unique(floor, axis=0, return_inverse=True)
    return patterns, inverse.reshape(-1).astype(np.intp)


def draw_initial_state(
    status_counts: ArrayLike | None,
    reference: IndicatorPanel | ArrayLike,
    *,
    rng: Any = None,
    status_codes: ArrayLike | None = None,
    floor: ArrayLike | None = None,
    index: CompositeIndex | None = None,
) -> NDArray[np.int8]:
    """Per-desa starting indicator vectors that reproduce given statuses exactly.

    Each desa gets the scores of a reference record drawn at random (with
    replacement) among those whose status, after raising to *floor*, is the
    desa's target status; the floor is then applied. So the statuses of the
    result equal the targets exactly, and the indicator profiles within a
    status are the reference's.

    Parameters
    ----------
    status_counts : array_like of int, shape (n_statuses,), or None
        Desa per status (IDM: Sangat Tertinggal … Mandiri), e.g. Banyuwangi's
        IDM 2020 counts (0, 0, 26, 111, 52). Which desa gets which status is
        drawn at random (a permutation). None when *status_codes* is given.
    reference : IndicatorPanel or array_like of int, shape (m, n_indicators)
        Donor records, e.g. the bundled panel (or a subset: one year, nearby
        provinces).
    rng : seed or Generator, optional
        SPEC 7 random source.
    status_codes : array_like of int, shape (n_desa,), optional
        Target status of each desa, when known per desa (instead of counts).
    floor : array_like of int, shape (n_desa, n_indicators), optional
        Least score per desa and indicator, -1 for none: e.g.
        :func:`effect_floor` at the initial year, so a desa whose office was
        connected by then starts with ``s_internet_kantor_desa`` = 5.
    index : CompositeIndex, optional
        The index when *reference* is an array; default IDM (or the panel's).

    Returns
    -------
    ndarray of int8, shape (n_desa, n_indicators)

    Raises
    ------
    ParameterError
        If both or neither of *status_counts* and *status_codes* are given,
        counts are negative, a code is out of range, shapes disagree, or no
        reference record can give a target status under its floor.
    """
    fn = "draw_initial_state"
    if isinstance(reference, IndicatorPanel):
        ix = reference.index if index is None else _index_of(index, fn)
        ref = _scores(reference.scores, "reference", fn, ix)
    else:
        ix = _index_of(index, fn)
        ref = _scores(reference, "reference", fn, ix)
    gen = _rng(rng, fn)
    k = ix.n_statuses
    if (status_counts is None) == (status_codes is None):
        raise ParameterError("status_counts", "give exactly one of status_counts and status_codes", function=fn)
    if status_counts is not None:
        counts = as_int_array(status_counts, "status_counts", fn)
        if counts.shape != (k,) or counts.min() < 0:
            raise ParameterError(
                "status_counts", f"must be {k} whole numbers >= 0, got {counts.tolist()!r}", function=fn
            )
        target = gen.permutation(np.repeat(np.arange(k), counts))
    else:
        target = as_int_array(status_codes, "status_codes", fn)
        if target.ndim != 1 or (target.size and (target.min() < 0 or target.max() >= k)):
            raise ParameterError("status_codes", f"must be a 1-D array of codes 0..{k - 1}", function=fn)
    n = target.size
    if floor is None:
        fl = np.full((n, ix.n_indicators), -1, dtype=np.int64)
    else:
        fl = as_int_array(floor, "floor", fn)
        if fl.shape != (n, ix.n_indicators):
            raise ParameterError("floor", f"must have shape ({n}, {ix.n_indicators}), got {fl.shape}", function=fn)
        if fl.size and (fl.min() < -1 or fl.max() > ix.max_score):
            raise ParameterError("floor", f"must hold -1 (none) or scores 0..{ix.max_score}", function=fn)
    out = np.empty((n, ix.n_indicators), dtype=np.int8)
    membership = _membership(ix)
    patterns, pattern_of = _floor_patterns(fl, ix.max_score)
    for p, pattern in enumerate(patterns):
        raised = np.maximum(ref, pattern).astype(np.int8)
        donor_status = _status_fast(raised, membership, ix)
        for code in range(k):
            desa = np.flatnonzero((pattern_of == p) & (target == code))
            if desa.size == 0:
                continue
            pool = np.flatnonzero(donor_status == code)
            if pool.size == 0:
                free = "no floor" if np.all(pattern < 0) else "its floor"
                raise ParameterError(
                    "reference",
                    f"no reference record has status {ix.status_labels[code]!r} "
                    f"under {free} ({desa.size} desa need one)",
                    function=fn,
                )
            out[desa] = raised[pool[gen.integers(0, pool.size, desa.size)]]
    return out


# ----------------------------------------------------------------------- calendars


def _calendar(start_year: Any, start_month: Any, cutoff_month: Any, function: str) -> tuple[int, int, int]:
    values = []
    for name, value, low, high in (
        ("start_year", start_year, 1, 9999),
        ("start_month", start_month, 1, 12),
        ("cutoff_month", cutoff_month, 1, 12),
    ):
        if not (_is_int(value) and low <= int(value) <= high):
            raise ParameterError(name, f"must be an integer {low}..{high}, got {value!r}", function=function)
        values.append(int(value))
    return values[0], values[1], values[2]


def connection_idm_year(
    connection_month: ArrayLike,
    *,
    start_year: int,
    start_month: int,
    cutoff_month: int = DEFAULT_IDM_CUTOFF_MONTH,
    never_from: int | None = None,
) -> NDArray[np.int64]:
    """First IDM year in which a village office counts as connected.

    An office connected in calendar month (*y*, *m*) counts in IDM *y* when
    ``m <= cutoff_month``, otherwise from IDM *y* + 1.

    Parameters
    ----------
    connection_month : array_like of int, any shape
        Month of connection counted from the programme start (month 0 is
        ``start_year``-``start_month``); negative: before the start. [month]
    start_year, start_month : int
        Calendar month of month 0.
    cutoff_month : int, default :data:`DEFAULT_IDM_CUTOFF_MONTH`
        Last month of a year whose state that year's IDM records. [1–12]
    never_from : int, optional
        Months at or after this value mean "never" (e.g. the horizon, or
        :data:`smartkampung.sim.rollout.NEVER`). [month]

    Returns
    -------
    ndarray of int64, same shape
        IDM year; :data:`NOT_CONNECTED` for never.

    Examples
    --------
    >>> connection_idm_year([0, 9, 10, 120], start_year=2016, start_month=6, never_from=120).tolist()
    [2017, 2017, 2018, 2147483647]
    """
    fn = "connection_idm_year"
    y0, m0, cut = _calendar(start_year, start_month, cutoff_month, fn)
    months = as_int_array(connection_month, "connection_month", fn)
    absolute = months + (m0 - 1)  # months since January of start_year
    year = y0 + np.floor_divide(absolute, 12)
    month = np.mod(absolute, 12) + 1
    out = np.where(month <= cut, year, year + 1).astype(np.int64)
    if never_from is not None:
        out = np.where(months >= never_from, NOT_CONNECTED, out)
    return np.asarray(out, dtype=np.int64)


def idm_sample_months(
    years: ArrayLike,
    *,
    start_year: int,
    start_month: int,
    cutoff_month: int = DEFAULT_IDM_CUTOFF_MONTH,
) -> NDArray[np.int64]:
    """Month index (from the programme start) of each IDM year's data cut-off.

    Sample monthly adoption at these months to get the fractions
    :func:`project_idm_status` needs (clip to the horizon; a negative month
    is before the start: no adoption yet).

    Examples
    --------
    >>> idm_sample_months([2017, 2020], start_year=2016, start_month=6).tolist()
    [9, 45]
    """
    fn = "idm_sample_months"
    y0, m0, cut = _calendar(start_year, start_month, cutoff_month, fn)
    ys = as_int_array(years, "years", fn)
    return np.asarray((ys - y0) * 12 + (cut - m0), dtype=np.int64)


# -------------------------------------------------------------------------- backtest


@attrs.frozen
class IDMBacktest:
    """Out-of-sample check of fitted dynamics on later years of the same desa.

    Attributes
    ----------
    fit_pairs : tuple of (int, int)
        Year pairs the dynamics were fitted on.
    origin_year : int
        Forecast origin: the desa's observed scores in this year start every run.
    target_years : tuple of int
        Years predicted.
    n_desa : ndarray of int64, shape (n_targets,)
        Desa recorded in both the origin and the target year.
    observed, naive : ndarray of int64, shape (n_targets, n_statuses)
        Observed status counts, and the no-change forecast (origin statuses).
    mean, low, high : ndarray of float64, shape (n_targets, n_statuses)
        Mean predicted counts and the ``band`` quantiles over runs.
    tv_model, tv_naive : ndarray of float64, shape (n_targets,)
        Total-variation error of the status shares, ``½ Σ |p̂ − p|`` (mean
        prediction and no change). [share of desa]
    rps_model, rps_naive : ndarray of float64, shape (n_targets,)
        Mean ranked probability score per desa (ordinal statuses; 0 is perfect).
    covered : ndarray of bool, shape (n_targets, n_statuses)
        Whether each observed count lies in its band.
    n_regencies : ndarray of int64, shape (n_targets,)
        Regencies with at least ``min_regency_desa`` desa in the comparison.
    regency_coverage : ndarray of float64, shape (n_targets,)
        Share of those regencies whose observed number of desa at the
        second-highest status or above (IDM: Maju or Mandiri) lies in its band:
        the check that matters for one regency's projection (Banyuwangi's).
    band : (float, float)
        Quantiles of the band.
    n_runs : int
        Runs simulated.
    """

    fit_pairs: tuple[tuple[int, int], ...]
    origin_year: int
    target_years: tuple[int, ...]
    n_desa: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=_EQ)
    observed: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=_EQ)
    naive: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=_EQ)
    mean: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=_EQ)
    low: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=_EQ)
    high: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=_EQ)
    tv_model: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=_EQ)
    tv_naive: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=_EQ)
    rps_model: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=_EQ)
    rps_naive: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=_EQ)
    covered: NDArray[np.bool_] = attrs.field(converter=readonly_bool, eq=_EQ)
    n_regencies: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=_EQ)
    regency_coverage: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=_EQ)
    band: tuple[float, float]
    n_runs: int

    def table(self) -> str:
        """A plain-text table: one line per target year."""
        pairs = ", ".join(f"{a}→{b}" for a, b in self.fit_pairs)
        lines = [
            f"fit on {pairs}; origin {self.origin_year}; {self.n_runs} runs; band {self.band}",
            "target  n_desa  observed                      naive TV  model TV  naive RPS  model RPS  "
            "in band  regencies in band  model mean counts",
        ]
        for t, year in enumerate(self.target_years):
            obs = " ".join(f"{c:5d}" for c in self.observed[t])
            mean = " ".join(f"{c:7.1f}" for c in self.mean[t])
            lines.append(
                f"{year}  {self.n_desa[t]:6d}  {obs}  {self.tv_naive[t]:8.3f}  {self.tv_model[t]:8.3f}  "
                f"{self.rps_naive[t]:9.4f}  {self.rps_model[t]:9.4f}  {int(self.covered[t].sum())}/"
                f"{self.covered.shape[1]}      {self.regency_coverage[t]:5.2f} of {self.n_regencies[t]:3d}      {mean}"
            )
        return "\n".join(lines)


def _rps(cumulative_forecast: NDArray[np.float64], observed: NDArray[np.int64], k: int) -> float:
    cum_obs = (observed[:, None] <= np.arange(k - 1)[None, :]).astype(np.float64)
    return float(np.mean(((cumulative_forecast[:, : k - 1] - cum_obs) ** 2).sum(axis=1)))


def backtest_idm_dynamics(
    panel: IndicatorPanel,
    *,
    fit_pairs: Sequence[tuple[int, int]],
    origin_year: int,
    target_years: Sequence[int],
    n_runs: int = 200,
    band: tuple[float, float] = (0.05, 0.95),
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    min_regency_desa: int = 10,
    correlated_shocks: bool = True,
    rng: Any = None,
) -> IDMBacktest:
    """Fit on some year pairs, predict later status distributions of the same desa.

    The dynamics are fitted on *fit_pairs* only (all must end by
    *origin_year*: calibration uses data up to the forecast origin). Every run
    starts from the desa's observed scores in *origin_year* and moves them by
    the background dynamics (no programme effects), each desa's regency
    sharing its regency shock. For each target year the desa recorded in both
    years are compared with their observed statuses and with the no-change
    forecast.

    Parameters
    ----------
    panel : IndicatorPanel
        Observed records.
    fit_pairs : sequence of (int, int)
        Year pairs to fit, e.g. ``[(2021, 2022)]``.
    origin_year : int
        Forecast origin.
    target_years : sequence of int
        Years after *origin_year* to predict.
    n_runs : int, default 200
        Simulated runs.
    band : (float, float), default (0.05, 0.95)
        Quantiles of the prediction band.
    prior_strength : float
        Passed to :func:`fit_idm_dynamics`.
    min_regency_desa : int, default 10
        Smallest number of compared desa for a regency to count in
        ``regency_coverage``.
    correlated_shocks : bool, default True
        False sets the fitted ``rho_regency`` and ``rho_desa`` to 0 (independent
        indicator moves), to show what the shared shocks contribute.
    rng : seed or Generator, optional
        SPEC 7 random source.

    Returns
    -------
    IDMBacktest

    Raises
    ------
    ParameterError
        If a fit pair ends after the origin, a target is not after it, or
        a number is out of range.
    """
    fn = "backtest_idm_dynamics"
    if not isinstance(panel, IndicatorPanel):
        raise ParameterError("panel", f"must be an IndicatorPanel, got {type(panel).__name__}", function=fn)
    if not _is_int(origin_year):
        raise ParameterError("origin_year", f"must be an integer year, got {origin_year!r}", function=fn)
    pairs = tuple((int(a), int(b)) for a, b in fit_pairs)
    late = [p for p in pairs if p[1] > origin_year]
    if late:
        raise ParameterError(
            "fit_pairs",
            f"{late} end after origin_year {origin_year}: fit only on data up to the forecast origin",
            function=fn,
        )
    targets = tuple(int(t) for t in target_years)
    if not targets or any(t <= origin_year for t in targets) or len(set(targets)) != len(targets):
        raise ParameterError(
            "target_years", f"must be distinct years after origin_year {origin_year}, got {targets!r}", function=fn
        )
    if not (_is_int(n_runs) and n_runs >= 1):
        raise ParameterError("n_runs", f"must be an integer >= 1, got {n_runs!r}", function=fn)
    if not (_is_int(min_regency_desa) and min_regency_desa >= 2):
        raise ParameterError("min_regency_desa", f"must be an integer >= 2, got {min_regency_desa!r}", function=fn)
    lo_q, hi_q = float(band[0]), float(band[1])
    if not 0.0 <= lo_q < hi_q <= 1.0:
        raise ParameterError("band", f"must be quantiles 0 <= low < high <= 1, got {band!r}", function=fn)
    if not isinstance(correlated_shocks, bool):
        raise ParameterError("correlated_shocks", f"must be True or False, got {correlated_shocks!r}", function=fn)
    dynamics = fit_idm_dynamics(panel, year_pairs=pairs, prior_strength=prior_strength)
    if not correlated_shocks:
        dynamics = attrs.evolve(dynamics, rho_regency=0.0, rho_desa=0.0)
    ix = panel.index
    k = ix.n_statuses
    origin_rows = np.flatnonzero(panel.years == origin_year)
    if origin_rows.size == 0:
        raise ParameterError("origin_year", f"no record in {origin_year}", function=fn)
    codes0 = panel.codes[origin_rows]
    x0 = panel.scores[origin_rows]
    group, n_groups = _group_index(panel.regency_codes[origin_rows], origin_rows.size, "panel", fn)
    last = max(targets)
    gen = _rng(rng, fn)
    stepper = _Stepper(dynamics, group, n_groups)
    status0 = stepper.status(x0)
    sims = np.empty((len(targets), n_runs, origin_rows.size), dtype=np.int8)
    where = {t: i for i, t in enumerate(targets)}
    for r in range(n_runs):
        x, status = x0, status0
        for year in range(origin_year + 1, last + 1):
            x = stepper.step(x, gen, status)
            status = stepper.status(x)
            if year in where:
                sims[where[year], r] = status
    n_desa, observed, naive, mean, low, high = [], [], [], [], [], []
    tv_m, tv_n, rps_m, rps_n, covered = [], [], [], [], []
    n_reg, reg_cov = [], []
    top = max(k - 2, 0)
    for t, year in enumerate(targets):
        rows_t = np.flatnonzero(panel.years == year)
        _, i0, i1 = np.intersect1d(codes0, panel.codes[rows_t], assume_unique=True, return_indices=True)
        obs_status = stepper.status(panel.scores[rows_t[i1]]).astype(np.int64)
        n = i0.size
        obs_counts = np.bincount(obs_status, minlength=k)
        naive_counts = np.bincount(status0[i0].astype(np.int64), minlength=k)
        s = sims[t][:, i0].astype(np.int64)  # (n_runs, n)
        run_counts = np.stack([np.bincount(row, minlength=k) for row in s])  # (n_runs, k)
        mean_counts = run_counts.mean(axis=0)
        n_desa.append(n)
        observed.append(obs_counts)
        naive.append(naive_counts)
        mean.append(mean_counts)
        low.append(np.quantile(run_counts, lo_q, axis=0))
        high.append(np.quantile(run_counts, hi_q, axis=0))
        covered.append((obs_counts >= low[-1]) & (obs_counts <= high[-1]))
        tv_m.append(0.5 * float(np.abs(mean_counts - obs_counts).sum()) / max(n, 1))
        tv_n.append(0.5 * float(np.abs(naive_counts - obs_counts).sum()) / max(n, 1))
        prob = np.stack([(s == c).mean(axis=0) for c in range(k)], axis=1)  # (n, k)
        rps_m.append(_rps(np.cumsum(prob, axis=1), obs_status, k))
        naive_prob = np.eye(k)[status0[i0].astype(np.int64)]
        rps_n.append(_rps(np.cumsum(naive_prob, axis=1), obs_status, k))
        g = group[i0]
        size = np.bincount(g, minlength=n_groups)
        big = np.flatnonzero(size >= min_regency_desa)
        obs_top = np.bincount(g, weights=obs_status >= top, minlength=n_groups)[big]
        sim_top = np.stack([np.bincount(g, weights=row >= top, minlength=n_groups)[big] for row in s])
        inside = (obs_top >= np.quantile(sim_top, lo_q, axis=0)) & (obs_top <= np.quantile(sim_top, hi_q, axis=0))
        n_reg.append(big.size)
        reg_cov.append(float(inside.mean()) if big.size else math.nan)
    return IDMBacktest(
        fit_pairs=pairs,
        origin_year=int(origin_year),
        target_years=targets,
        n_desa=np.asarray(n_desa),
        observed=np.stack(observed),
        naive=np.stack(naive),
        mean=np.stack(mean),
        low=np.stack(low),
        high=np.stack(high),
        tv_model=np.asarray(tv_m),
        tv_naive=np.asarray(tv_n),
        rps_model=np.asarray(rps_m),
        rps_naive=np.asarray(rps_n),
        covered=np.stack(covered),
        n_regencies=np.asarray(n_reg),
        regency_coverage=np.asarray(reg_cov),
        band=(lo_q, hi_q),
        n_runs=int(n_runs),
    )
