"""The IDM assumptions of a scenario: the observed state a projection starts from, the programme's effects.

:class:`IDMAssumptions` is the ``[outcomes.idm]`` table of a scenario file;
:mod:`smartkampung.model._scenario` re-exports it.
"""

from __future__ import annotations

import numbers
from typing import Any

import attrs

from smartkampung import _defaults
from smartkampung._errors import FieldError, FieldTypeError
from smartkampung._validation import MAX_COUNT, instance_of, optional, text, whole
from smartkampung.model._idm_data import DEFAULT_PROGRAMME_EFFECTS, IDMStatusCounts, IndicatorEffect

__all__ = ["IDMAssumptions"]

_name = text(control=True)


def _whole_number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    return int(value) if isinstance(value, numbers.Integral) else value


def _counts(value: Any) -> Any:
    # Lists from files and tuples of numpy integers become tuples of int; anything else is left for the check.
    if value is None or isinstance(value, (str, bytes)):
        return value
    try:
        items = tuple(value)
    except TypeError:
        return value
    return tuple(_whole_number(v) for v in items)


def _effects(value: Any) -> Any:
    if isinstance(value, IndicatorEffect):
        return (value,)
    try:
        return tuple(value)
    except TypeError:
        return value


@attrs.frozen
class IDMAssumptions:
    """The IDM projection: the observed state it starts from and how the programme moves the indicators.

    The projection of each run is the background dynamics fitted to the
    ministry's 2021–2024 panel plus the programme's effects on the indicators
    it touches (see :func:`smartkampung.sim.run.run_outcomes`). It starts
    from what was observed, in ``observed_year``: the desa's own scores where
    the region has them (:attr:`Village.idm <smartkampung.model.Village.idm>`),
    the other desa drawn consistently with ``status_counts``. Years before
    ``observed_year`` are not projected. Without ``observed_year`` there is
    no IDM projection.

    Parameters
    ----------
    observed_year : int, optional
        IDM year of the observed state (the ministry's IDM release of that
        year), e.g. 2020. None: no IDM projection.
    status_counts : tuple of int, optional
        Desa per status in ``observed_year``, lowest status first (IDM: Sangat
        Tertinggal, Tertinggal, Berkembang, Maju, Mandiri), for all the desa
        of the region as published; desa with a score of their own take its
        status and the others share what remains. None when every desa has a
        score of its own.
    source : str
        Where the observed state comes from.
    effects : tuple of IndicatorEffect
        How the programme raises indicators (never lowers them); default
        :data:`~smartkampung.model.DEFAULT_PROGRAMME_EFFECTS`, ``()`` for
        none. A rule's ``driver`` is ``"connection"``, a service id of the
        programme, or an IDM dimension (``"social"``, ``"economic"``,
        ``"ecological"``: the services of the pillars moving it).
    cutoff_month : int
        Last month of a year whose state that year's IDM records; an office
        connected by then counts as connected in that year's IDM. [month of year, 1–12]
    counterfactual : bool
        True: report the desa without the programme's effects. Each run draws
        exactly the starting state and the shocks it would draw with them
        (the effects still decide which donor records can give each desa its
        observed status), then leaves the effects out, so the observed year is
        the counterfactual one (no longer the published counts) and a
        comparison on the same seed pairs every run with its programme run.
    """

    observed_year: int | None = attrs.field(default=None, validator=optional(whole(1, 9999)))
    status_counts: tuple[int, ...] | None = attrs.field(default=None, converter=_counts)
    source: str = attrs.field(default="", validator=_name)
    effects: tuple[IndicatorEffect, ...] = attrs.field(default=DEFAULT_PROGRAMME_EFFECTS, converter=_effects)
    cutoff_month: int = attrs.field(default=_defaults.IDM_CUTOFF_MONTH, validator=whole(1, 12))
    counterfactual: bool = attrs.field(default=False, validator=instance_of(bool))

    def __attrs_post_init__(self) -> None:
        counts = self.status_counts
        if counts is not None:
            if (
                not isinstance(counts, tuple)
                or len(counts) < 2
                or any(not isinstance(c, int) or isinstance(c, bool) or not 0 <= c <= MAX_COUNT for c in counts)
            ):
                raise FieldError(
                    "IDMAssumptions",
                    "status_counts",
                    f"must be whole numbers from 0 to {MAX_COUNT:g}, one per status (IDM: 5), got {counts!r}"[:300],
                )
            if self.observed_year is None:
                raise FieldError(
                    "IDMAssumptions",
                    "observed_year",
                    "must be given with status_counts (the IDM year they were observed in)",
                )
        if not isinstance(self.effects, tuple) or any(not isinstance(e, IndicatorEffect) for e in self.effects):
            raise FieldTypeError("IDMAssumptions", "effects", f"must be IndicatorEffect rules, got {self.effects!r}")

    @classmethod
    def from_counts(cls, counts: IDMStatusCounts, **changes: Any) -> IDMAssumptions:
        """Start from published status counts (e.g. :func:`smartkampung.datasets.banyuwangi_idm_status`).

        Parameters
        ----------
        counts : IDMStatusCounts
            Year, counts and source of the observed state.
        **changes
            Other fields (``effects``, ``cutoff_month``, ``counterfactual``).
        """
        if not isinstance(counts, IDMStatusCounts):
            raise FieldTypeError("IDMAssumptions", "counts", f"must be IDMStatusCounts, got {counts!r}")
        return cls(observed_year=counts.year, status_counts=counts.counts, source=counts.source, **changes)

    @property
    def requested(self) -> bool:
        """Whether the scenario asks for an IDM projection (it declares an observed year)."""
        return self.observed_year is not None
