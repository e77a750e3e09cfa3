"""Observed Smart Kampung connection counts, read from the bundled CSV.

``data/smart_kampung_connectivity.csv`` holds every count found in public
reports (source keys as in ``docs/data.rst``), with a ``role`` column: the
``start`` of the programme, ``observation`` counts of connected desa, a
``plan`` (not an observation) and the project brief's unsourced headline
``claim``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
from typing import Final

import numpy as np

from smartkampung._validation import check_bool
from smartkampung.datasets._bundled import data_path
from smartkampung.model._observations import RolloutObservations, observation_month

__all__ = ["BANYUWANGI_START", "banyuwangi_observations"]

BANYUWANGI_START: Final[_dt.date] = _dt.date(2016, 5, 31)
"""Launch of Smart Kampung, month 0 of its rollout (merdeka-2016-05-31)."""

#: Day of the month assumed for a count dated only by its month.
_MID_MONTH: Final[int] = 15


def _date(text: str) -> tuple[_dt.date, bool]:
    """A ``YYYY-MM-DD`` or ``YYYY-MM`` date, and whether the day was assumed."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 2:
        return _dt.date(parts[0], parts[1], _MID_MONTH), True
    return _dt.date(parts[0], parts[1], parts[2]), False


@functools.cache
def _rows() -> tuple[dict[str, str], ...]:
    with data_path("smart_kampung_connectivity.csv").open(newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def banyuwangi_observations(*, include_headline_claim: bool = True) -> RolloutObservations:
    """Smart Kampung (Banyuwangi) connected-desa counts, for calibrating a rollout.

    Launch on 31 May 2016 is the start (month 0 begins), with 41 villages
    ready (merdeka-2016-05-31; that count is of "desa/kelurahan", out of 217,
    while the later ones are of the 189 desa). Observations (from the bundled
    ``smart_kampung_connectivity.csv``, source keys as in docs/data.rst):

    ========== ======= ===== ======================= ===================
    date       month   count what                    source
    ========== ======= ===== ======================= ===================
    2017-01-02 6       44    desa running Smart K.   jawapos-2017-01-02
    2017-05-23 11      80    desa running Smart K.   detik-2017-05-23
    2017-09    15      115   desa on fibre optic     infokomputer-2017-09
    2018-05-31 23      167   headline claim          none found
    ========== ======= ===== ======================= ===================

    The September 2017 count has no day; the 15th is assumed. Months follow
    :func:`~smartkampung.model.observation_month` (the count by the end of
    the month nearest the date).

    Parameters
    ----------
    include_headline_claim : bool, default True
        Include "167 of 189 desa by May 2018". **This figure is the project
        brief's; no public source for it was found** (docs/data.rst, "What is
        missing"). It is dated 31 May 2018 here. Pass False to fit the
        sourced counts only.

    Returns
    -------
    RolloutObservations
        Denominator 189 desa, 41 connected at the start.
    """
    include = check_bool(include_headline_claim, "include_headline_claim", "banyuwangi_observations")
    rows = _rows()
    start = next(r for r in rows if r["role"] == "start")
    kept = [r for r in rows if r["role"] == "observation" or (include and r["role"] == "claim")]
    dates, notes = [], []
    for r in kept:
        date, assumed = _date(r["date"])
        dates.append(date)
        what = r["note"] if r["role"] == "claim" else f"{r['value']} of {r['denominator']} {r['metric']}; {r['note']}"
        notes.append(what + (f" (day assumed {_MID_MONTH})" if assumed else ""))
    denominators = {int(r["denominator"]) for r in kept}
    (n_villages,) = denominators  # the file's observations are all of the 189 desa
    return RolloutObservations(
        start_date=_date(start["date"])[0],
        dates=tuple(dates),
        months=np.array([observation_month(BANYUWANGI_START, d) for d in dates], dtype=np.int64),
        counts=np.array([int(r["value"]) for r in kept], dtype=np.int64),
        initial_connected=int(start["value"]),
        n_villages=n_villages,
        sources=tuple(r["source"] for r in kept),
        notes=tuple(notes),
        includes_headline_claim=include,
    )
