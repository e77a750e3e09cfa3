"""How a programme moves IDM indicators: declared rules, the floor they impose, and the IDM calendar.

Declared :class:`~smartkampung.model.IndicatorEffect` rules raise indicator
scores (never lower them) once a village office is connected, or once an
adoption fraction passes a threshold, at the IDM data cut-off
(:data:`DEFAULT_IDM_CUTOFF_MONTH`). :data:`DEFAULT_PROGRAMME_EFFECTS` lists the
rules for Smart Kampung with their sources. IDM year *Y* means the ministry's
IDM *Y* release, scored from the state at the cut-off month of year *Y*:
:func:`connection_idm_year` and :func:`idm_sample_months` turn simulation
months into IDM years and back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung import _defaults
from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, as_int_array, check_int
from smartkampung.model._idm_data import CONNECTION_DRIVER, IndicatorEffect
from smartkampung.model._idm_data import DEFAULT_PROGRAMME_EFFECTS as _MODEL_EFFECTS
from smartkampung.model._indicators import CompositeIndex
from smartkampung.sim.idm._scores import index_of

__all__ = [
    "DEFAULT_IDM_CUTOFF_MONTH",
    "DEFAULT_PROGRAMME_EFFECTS",
    "NOT_CONNECTED",
    "connection_idm_year",
    "effect_floor",
    "idm_sample_months",
]

#: Last calendar month whose state an IDM release records. [month of year, 1–12]
#: IDM *Y* data are entered in spring of year *Y*: 1 March – 31 May for IDM 2021
#: (kaltim.antaranews.com/amp/berita/101826, "Pendataan dimulai 1 Maret hingga
#: 31 Mei 2021"), 1 April – 14 June for IDM 2024 (Dirjen PDP letter
#: 140/PDP.03.04/III/2024 as summarised at updesa.com/idm-2024). Counting the
#: state at the end of March is an illustrative assumption within those windows:
#: an office connected by the end of March of *Y* counts as connected in IDM *Y*.
DEFAULT_IDM_CUTOFF_MONTH: Final[int] = _defaults.IDM_CUTOFF_MONTH

#: IDM year of a village office that is never connected.
NOT_CONNECTED: Final[int] = int(np.iinfo(np.int32).max)

#: How Smart Kampung raises IDM indicators: the rules of
#: :data:`smartkampung.model.DEFAULT_PROGRAMME_EFFECTS` (their sources are there).
DEFAULT_PROGRAMME_EFFECTS: Final[tuple[IndicatorEffect, ...]] = _MODEL_EFFECTS


def check_effects(effects: Any, index: CompositeIndex, function: str) -> tuple[IndicatorEffect, ...]:
    """The rules as a tuple of IndicatorEffect, each naming an indicator of *index* and a score it can hold."""
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
    ix = index_of(index, fn)
    rules = check_effects(effects, ix, fn)
    n_desa = check_int(n_desa, "n_desa", fn, minimum=0)
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


# ----------------------------------------------------------------------- calendars


def _calendar(start_year: Any, start_month: Any, cutoff_month: Any, function: str) -> tuple[int, int, int]:
    return (
        check_int(start_year, "start_year", function, minimum=1, maximum=9999),
        check_int(start_month, "start_month", function, minimum=1, maximum=12),
        check_int(cutoff_month, "cutoff_month", function, minimum=1, maximum=12),
    )


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
    years: ArrayLike, *, start_year: int, start_month: int, cutoff_month: int = DEFAULT_IDM_CUTOFF_MONTH
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
