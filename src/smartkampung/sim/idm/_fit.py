"""Fitting the year-to-year dynamics of IDM indicator scores to a panel of real records.

From one IDM release to the next, a desa's indicator scores move by an
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
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

from smartkampung import _defaults
from smartkampung._errors import ParameterError
from smartkampung._validation import as_int_array, check_choice, check_float, check_int
from smartkampung.model._idm_data import IndicatorPanel
from smartkampung.sim.idm._dynamics import IDMDynamics, latent_thresholds_of
from smartkampung.sim.idm._scores import indicator_weights, membership, status_fast

__all__ = ["DEFAULT_PRIOR_STRENGTH", "fit_idm_dynamics", "transition_pairs"]

#: Pseudo-transitions with which each status band's transition row is shrunk
#: toward the all-band row. [transitions] A modelling choice (the backtest
#: table in the docs shows 2, 5, 10 and 20); not fitted to the backtest years.
DEFAULT_PRIOR_STRENGTH: Final[float] = _defaults.IDM_PRIOR_STRENGTH

_N_HERMITE: Final = 60  # terms of Mehler's series (ρ <= 0.9: the tail is below 0.9**60 = 0.2 % of a variance)
_RHO_MAX: Final = 0.9


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
        tau = latent_thresholds_of(rows)  # (n, j, L-1)
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
    regimes = check_choice(regimes, "regimes", fn, ("year", "pooled"))
    prior_strength = check_float(prior_strength, "prior_strength", fn, minimum=0.0)
    max_iterations = check_int(max_iterations, "max_iterations", fn, minimum=1)
    tolerance = check_float(tolerance, "tolerance", fn, minimum=0.0, exclusive_minimum=True)
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
    band = status_fast(x, membership(ix), ix).astype(np.intp)
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
