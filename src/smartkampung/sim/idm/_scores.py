"""Sub-indices, composite and status of indicator scores, exactly as the ministry computes them.

Sub-index *k* is the total of its indicator scores over its maximum: for IDM,
IKS = Σ social/175, IKE = Σ economic/60, IKL = Σ ecological/15, and
IDM = (IKS + IKE + IKL) / 3 (Permendesa PDTT 2/2016; checked on every record
of the bundled panel). :func:`sub_indices` and :func:`status_of_scores`
compute them in that order in float64, so they equal
:meth:`IDMScore.from_indicators <smartkampung.model.IDMScore.from_indicators>`
and the published values. Every function takes a
:class:`~smartkampung.model.CompositeIndex` (default
:data:`~smartkampung.model.IDM_INDEX`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, as_int_array
from smartkampung.model._idm_data import IDM_INDEX
from smartkampung.model._indicators import CompositeIndex

__all__ = [
    "composite_scores",
    "indicator_weights",
    "status_codes",
    "status_counts",
    "status_of_scores",
    "sub_index_totals",
    "sub_indices",
]

# check_scores, group_index, index_of, membership and status_fast are shared with the other modules
# of this package (not public).


def index_of(index: Any, function: str) -> CompositeIndex:
    """The index argument of *function*: None means IDM."""
    if index is None:
        return IDM_INDEX
    if not isinstance(index, CompositeIndex):
        raise ParameterError("index", f"must be a CompositeIndex, got {type(index).__name__}", function=function)
    return index


def check_scores(value: Any, name: str, function: str, index: CompositeIndex) -> NDArray[np.int8]:
    """Indicator scores of shape (n, n_indicators) in 0..max_score, as int8, or an error naming *name*."""
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


def group_index(value: Any, n: int, name: str, function: str) -> tuple[NDArray[np.intp], int]:
    """Group number of each of *n* labels (None: one group) and the number of groups."""
    if value is None:
        return np.zeros(n, dtype=np.intp), 1
    arr = np.asarray(value)
    if arr.shape != (n,):
        raise ParameterError(name, f"must have shape ({n},), got {arr.shape}", function=function)
    _, inverse = np.unique(arr, return_inverse=True)
    return inverse.astype(np.intp), int(inverse.max()) + 1 if n else 0


# ----------------------------------------------------------------------- sub-indices


def membership(index: CompositeIndex) -> NDArray[np.int64]:
    """0/1 matrix of shape (n_indicators, n_sub_indices): which sub-index each indicator belongs to."""
    m = np.zeros((index.n_indicators, len(index.sub_indices)), dtype=np.int64)
    m[np.arange(index.n_indicators), np.asarray(index.indicator_sub_index)] = 1
    return m


def indicator_weights(index: CompositeIndex | None = None) -> NDArray[np.float64]:
    """Weight of each indicator point in the composite, shape (n_indicators,).

    For IDM: 1/(3·175) per social point, 1/(3·60) per economic point,
    1/(3·15) per ecological point. [composite per score point]
    """
    ix = index_of(index, "indicator_weights")
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
    ix = index_of(index, fn)
    x = check_scores(scores, "scores", fn, ix)
    return np.asarray(x.astype(np.int64) @ membership(ix), dtype=np.int64)


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
    ix = index_of(index, fn)
    totals = check_scores(scores, "scores", fn, ix).astype(np.int64) @ membership(ix)
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
    ix = index_of(index, fn)
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
    ix = index_of(index, fn)
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
    ix = index_of(index, fn)
    return status_fast(check_scores(scores, "scores", fn, ix), membership(ix), ix)


def status_fast(x: NDArray[np.int8], member: NDArray[np.int64], index: CompositeIndex) -> NDArray[np.int8]:
    """:func:`status_of_scores` without the checks, for inner loops (the same arithmetic)."""
    # Each indicator belongs to one sub-index (member is 0/1 with one 1 a row): the sub-index totals are
    # integer sums, exact, and converted to float64 exactly, as a float product with member would give.
    totals = np.stack(
        [x[:, np.flatnonzero(member[:, d])].sum(axis=1, dtype=np.int64) for d in range(member.shape[1])], axis=1
    )
    sub = totals.astype(np.float64) / np.asarray(index.sub_index_maxima, dtype=np.float64)
    return status_codes(composite_scores(sub, index=index), index=index)


def status_counts(status_codes: ArrayLike, *, index: CompositeIndex | None = None) -> NDArray[np.int64]:
    """Number of villages in each status, over the last (village) axis.

    Parameters
    ----------
    status_codes : array_like of int, shape (..., n_villages)
        Status codes 0 .. ``n_statuses - 1`` (e.g. from
        :func:`~smartkampung.sim.idm.project_idm_status`), with -1 for a
        village without a score (not counted).
    index : CompositeIndex, optional
        Default :data:`~smartkampung.model.IDM_INDEX` (5 statuses).

    Returns
    -------
    ndarray of int64, shape (..., n_statuses)
        [villages]

    Raises
    ------
    ParameterError
        If *status_codes* is 0-D, not integral, or holds a code outside -1 .. n_statuses - 1.

    Examples
    --------
    >>> status_counts([[0, 2, 2, -1], [1, 2, 4, -1]])
    array([[1, 0, 2, 0, 0],
           [0, 1, 1, 0, 1]])
    """
    fn = "status_counts"
    k = index_of(index, fn).n_statuses
    codes = as_int_array(status_codes, "status_codes", fn)
    if codes.ndim == 0:
        raise ParameterError("status_codes", "must have a village axis (at least 1-D)", function=fn)
    if codes.size and (codes.min() < -1 or codes.max() >= k):
        raise ParameterError(
            "status_codes", f"codes must lie in -1..{k - 1} (found {codes.min()}..{codes.max()})", function=fn
        )
    return np.stack([np.count_nonzero(codes == c, axis=-1) for c in range(k)], axis=-1).astype(np.int64)
