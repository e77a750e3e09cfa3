"""Per-desa starting indicator vectors drawn to reproduce an observed state exactly.

A scenario starts from what was observed: per-desa statuses where known, or
the status counts of a year (Banyuwangi's IDM 2020: 0 / 0 / 26 / 111 / 52).
:func:`draw_initial_state` gives each desa the scores of a reference record
(e.g. from the bundled panel) whose status, under the programme's floor for
that year, is the desa's target, so the counts are reproduced exactly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._typing import as_generator
from smartkampung._validation import as_int_array, check_bool
from smartkampung.model._idm_data import IndicatorPanel
from smartkampung.model._indicators import CompositeIndex
from smartkampung.sim.idm._scores import check_scores, index_of, membership, status_fast

__all__ = ["draw_initial_state"]

#: Floor patterns whose donor statuses :func:`donor_rows` keeps in a cache (each a status per donor record).
DONOR_CACHE_SIZE = 256


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
    background: bool = False,
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
    background : bool, default False
        Return the donor records' own scores, before raising them to
        *floor*: the desa as they would be without the programme's effects
        (the start of :func:`~smartkampung.sim.idm.project_idm_status`'s
        background). The same random numbers are drawn either way.

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
        ix = reference.index if index is None else index_of(index, fn)
        ref = check_scores(reference.scores, "reference", fn, ix)
    else:
        ix = index_of(index, fn)
        ref = check_scores(reference, "reference", fn, ix)
    gen = as_generator(rng, fn)
    background = check_bool(background, "background", fn)
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
    rows = donor_rows(ref, target, fl, gen, ix, fn)
    out = ref[rows]
    return out if background else np.maximum(out, fl).astype(np.int8)


def donor_rows(
    reference: NDArray[np.int8],
    target: NDArray[np.int64],
    floor: NDArray[np.int64],
    rng: np.random.Generator,
    index: CompositeIndex,
    function: str,
    cache: dict[bytes, NDArray[np.int8]] | None = None,
) -> NDArray[np.intp]:
    """The reference row drawn for each desa: its status, raised to the desa's floor, is the desa's target.

    The unchecked core of :func:`draw_initial_state` (shared with the run):
    *reference* (m, n_indicators) int8 scores, *target* (n,) status codes,
    *floor* (n, n_indicators) with -1 for none. Draws, in order of floor
    pattern then status, one uniform integer per desa. *cache*, kept by the
    caller for one reference and index, holds the donors' statuses under
    each floor pattern already met (the same numbers, computed once).
    """
    k = index.n_statuses
    rows = np.empty(target.size, dtype=np.intp)
    member = membership(index)
    patterns, pattern_of = _floor_patterns(floor, index.max_score)
    for p, pattern in enumerate(patterns):
        key = pattern.astype(np.int8).tobytes()
        donor_status = None if cache is None else cache.get(key)
        if donor_status is None:
            donor_status = status_fast(np.maximum(reference, pattern).astype(np.int8), member, index)
            if cache is not None and len(cache) < DONOR_CACHE_SIZE:
                cache[key] = donor_status
        for code in range(k):
            desa = np.flatnonzero((pattern_of == p) & (target == code))
            if desa.size == 0:
                continue
            pool = np.flatnonzero(donor_status == code)
            if pool.size == 0:
                free = "no floor" if np.all(pattern < 0) else "its floor"
                raise ParameterError(
                    "reference",
                    f"no reference record has status {index.status_labels[code]!r} "
                    f"under {free} ({desa.size} desa need one)",
                    function=function,
                )
            rows[desa] = pool[rng.integers(0, pool.size, desa.size)]
    return rows
