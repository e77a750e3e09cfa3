"""Observed rollout counts: how many villages were connected, when, by which source.

The typed record of an observed series that calibration and backtests read;
the Banyuwangi series itself is bundled data
(:func:`smartkampung.datasets.banyuwangi_observations`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Final

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung._arrays import ARRAY_EQ, readonly_array
from smartkampung._validation import instance_of

__all__ = ["RolloutObservations", "months_elapsed", "observation_month"]

#: Days per month when a date is turned into months: a Julian year over 12.
_DAYS_PER_MONTH: Final[float] = 365.25 / 12.0


def _dates(value: Iterable[_dt.date]) -> tuple[_dt.date, ...]:
    return tuple(value)


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def months_elapsed(start: _dt.date, date: _dt.date) -> float:
    """Months from *start* to *date*, counting a month as 365.25 / 12 days. [month]"""
    return (date - start).days / _DAYS_PER_MONTH


def observation_month(start: _dt.date, date: _dt.date) -> int:
    """The month index whose end is nearest to *date*.

    A count observed on *date* is compared with the count by the end of month
    ``round(months_elapsed(start, date)) − 1`` (month 0 is the first month
    after *start*); ``-1`` means "at the start".
    """
    return round(months_elapsed(start, date)) - 1


@attrs.frozen
class RolloutObservations:
    """Observed counts of connected villages, with their dates and sources.

    Attributes
    ----------
    start_date : datetime.date
        Month 0 starts here.
    dates : tuple of datetime.date
        Date of each observation.
    months : ndarray of int64, shape (m,)
        ``observation_month(start_date, date)`` for each date. [month]
    counts : ndarray of int64, shape (m,)
        Villages connected. [villages]
    initial_connected : int
        Villages connected at the start. [villages]
    n_villages : int
        The denominator of the counts. [villages]
    sources : tuple of str
        Source key of each observation (see the data sources page).
    notes : tuple of str
        What each observation says, and caveats.
    includes_headline_claim : bool
        Whether the unsourced headline claim is among the observations.
    """

    start_date: _dt.date = attrs.field(validator=instance_of(_dt.date))
    dates: tuple[_dt.date, ...] = attrs.field(converter=_dates)
    months: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    counts: NDArray[np.int64] = attrs.field(eq=ARRAY_EQ, converter=readonly_array)
    initial_connected: int
    n_villages: int
    sources: tuple[str, ...] = attrs.field(converter=_texts)
    notes: tuple[str, ...] = attrs.field(converter=_texts)
    includes_headline_claim: bool
