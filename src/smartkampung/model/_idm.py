"""Indeks Desa Membangun (IDM): the national village development index.

Indonesia's Ministry of Villages scores every *desa* each year with

.. math::

    \\mathrm{IDM} = (\\mathrm{IKS} + \\mathrm{IKE} + \\mathrm{IKL}) / 3

where IKS, IKE and IKL are the social, economic and ecological resilience
sub-indices, each in [0, 1] (Permendesa PDTT No. 2/2016 [pasal-id-permendesa-2-2016];
formula as stated in [pikiran-rakyat-idm-2023], [radarjatim-2023-06-16],
[polmankab-satudata]). Each sub-index is the sum of its indicator scores
(integers 0–5) over the maximum: 35 social indicators (maximum 175), 12 economic
(maximum 60) and 3 ecological (maximum 15) [radarjatim-2023-06-16], [api-idm-solor].

The composite sets the village's status [slideshare-kebumen-idm],
[pikiran-rakyat-idm-2023]:

====================== ===================== ===========================
status                 English gloss          rule
====================== ===================== ===========================
Desa Sangat Tertinggal very underdeveloped    IDM ≤ 0.4907
Desa Tertinggal        underdeveloped         0.4907 < IDM ≤ 0.5989
Desa Berkembang        developing             0.5989 < IDM ≤ 0.7072
Desa Maju              advanced               0.7072 < IDM ≤ 0.8155
Desa Mandiri           independent            IDM > 0.8155
====================== ===================== ===========================

Source keys refer to the project's ``SOURCES.md`` (data documentation).

Comparison at the boundaries
----------------------------
The ministry publishes scores and thresholds to 4 decimals, and its API gives
0.7073 as the minimum score for *Maju* (the smallest 4-decimal score above
0.7072) [api-idm-solor]. The status functions here therefore round the
composite to 4 decimals *before* comparing with the thresholds (``decimals=4``,
the default). This makes ``IDMScore(0.4907, 0.4907, 0.4907)``, whose composite
is ``0.4907000000000001`` in floating point, *Sangat Tertinggal* as it should be.
Rounding is half-to-even on the binary value of ``composite × 10⁴``
(:func:`numpy.rint`). A consequence: an unrounded score less than 0.00005 above a
threshold (say 0.49074) falls in the lower status. Scores computed from
indicator totals never fall in that gap for any of the four thresholds (their
granularity is 1/6300), so both readings agree on real records. Pass
``decimals=None`` to compare the raw floating-point value instead.
"""

from __future__ import annotations

import enum
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array, to_float
from smartkampung.model._indicators import (
    IDM_INDICATOR_COLUMNS,
    IDM_MAX_SCORE,
    IKE_INDICATORS,
    IKL_INDICATORS,
    IKS_INDICATORS,
)

__all__ = ["IDM_CODE_NO_SCORE", "IDM_THRESHOLDS", "IDMScore", "IDMStatus", "idm_status", "idm_status_code"]

#: Upper bounds (inclusive) of the first four statuses, in rank order:
#: IDM ≤ 0.4907 Sangat Tertinggal; ≤ 0.5989 Tertinggal; ≤ 0.7072 Berkembang;
#: ≤ 0.8155 Maju; above that Mandiri. Sources: [slideshare-kebumen-idm],
#: [pikiran-rakyat-idm-2023]; consistent with [api-idm-solor] (minimum score
#: 0.7073 for Maju). One village website gives rounded bounds
#: (0.491/0.599/0.707/0.815) [desamataair-idm]; the 4-decimal bounds are used.
IDM_THRESHOLDS: Final[tuple[float, float, float, float]] = (0.4907, 0.5989, 0.7072, 0.8155)

#: Status code used in integer status arrays for a village without a score
#: (NaN composite, e.g. a kelurahan: IDM covers desa only).
IDM_CODE_NO_SCORE: Final[int] = -1

_LABELS: Final[dict[str, tuple[str, str]]] = {
    "sangat_tertinggal": ("Desa Sangat Tertinggal", "very underdeveloped"),
    "tertinggal": ("Desa Tertinggal", "underdeveloped"),
    "berkembang": ("Desa Berkembang", "developing"),
    "maju": ("Desa Maju", "advanced"),
    "mandiri": ("Desa Mandiri", "independent"),
}


class IDMStatus(enum.Enum):
    """IDM status of a village, ordered from least to most developed.

    Members compare by rank (``IDMStatus.MAJU > IDMStatus.BERKEMBANG``). The
    value is a lower-case identifier; :attr:`code` is the integer used in
    status arrays (0 = Sangat Tertinggal … 4 = Mandiri, with
    :data:`IDM_CODE_NO_SCORE` = -1 for "no score").
    """

    SANGAT_TERTINGGAL = "sangat_tertinggal"
    TERTINGGAL = "tertinggal"
    BERKEMBANG = "berkembang"
    MAJU = "maju"
    MANDIRI = "mandiri"

    @property
    def code(self) -> int:
        """Rank of the status, 0 (Sangat Tertinggal) to 4 (Mandiri)."""
        return _ORDER.index(self)

    @property
    def label(self) -> str:
        """Indonesian name, e.g. ``"Desa Sangat Tertinggal"``."""
        return _LABELS[self.value][0]

    @property
    def gloss(self) -> str:
        """English gloss, e.g. ``"very underdeveloped"``."""
        return _LABELS[self.value][1]

    @property
    def min_score(self) -> float:
        """Smallest 4-decimal composite with this status.

        0.0 for Sangat Tertinggal, otherwise the threshold below plus 0.0001
        (the API's ``SKOR_MINIMAL``, e.g. 0.7073 for Maju [api-idm-solor]).
        """
        if self.code == 0:
            return 0.0
        return round(IDM_THRESHOLDS[self.code - 1] + 0.0001, 4)

    @classmethod
    def from_code(cls, code: int | np.integer[Any]) -> IDMStatus:
        """The status with integer rank *code* (0–4).

        Raises
        ------
        ParameterError
            If *code* is not an integer in 0..4 (including the no-score code -1).
        """
        value: object = code
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not (0 <= int(value) <= 4):
            raise ParameterError("code", f"must be an integer 0..4, got {value!r}", function="IDMStatus.from_code")
        return _ORDER[int(value)]

    @classmethod
    def from_text(cls, text: str) -> IDMStatus:
        """Parse a status as written in data files or the ministry API.

        Accepts the value (``"sangat_tertinggal"``), the API form
        (``"SANGAT TERTINGGAL"``, ``"Berkembang"``), the full label
        (``"Desa Maju"``), and ``"Sembada"``, another name for Mandiri
        [banjarsari-labuhanhaji-idm]. Case and surrounding spaces are ignored.

        Raises
        ------
        ParameterError
            If *text* names no status.
        """
        if not isinstance(text, str):
            raise ParameterError("text", f"must be a string, got {type(text).__name__}", function="IDMStatus.from_text")
        key = re.sub(r"[\s_\-]+", "_", text.strip().casefold())
        key = key.removeprefix("desa_")
        if key == "sembada":
            key = "mandiri"
        try:
            return cls(key)
        except ValueError:
            raise ParameterError("text", f"{text!r} is not an IDM status", function="IDMStatus.from_text") from None

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, IDMStatus):
            return NotImplemented
        return self.code < other.code

    def __le__(self, other: object) -> bool:
        if not isinstance(other, IDMStatus):
            return NotImplemented
        return self.code <= other.code

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, IDMStatus):
            return NotImplemented
        return self.code > other.code

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, IDMStatus):
            return NotImplemented
        return self.code >= other.code


_ORDER: Final[tuple[IDMStatus, ...]] = tuple(IDMStatus)


def _check_decimals(decimals: object, function: str) -> None:
    if decimals is None:
        return
    if isinstance(decimals, bool) or not isinstance(decimals, numbers.Integral) or not (4 <= int(decimals) <= 12):
        raise ParameterError(
            "decimals",
            f"must be None or an integer 4..12 (the thresholds have 4 decimals), got {decimals!r}",
            function=function,
        )


def _scaled_thresholds(decimals: int) -> tuple[int, ...]:
    # Exact integers: the thresholds have 4 decimals and decimals >= 4.
    return tuple(round(t * 10**decimals) for t in IDM_THRESHOLDS)


def idm_status_code(composite: ArrayLike, *, decimals: int | None = 4) -> NDArray[np.int8]:
    """Integer IDM status codes for an array of composite scores.

    Parameters
    ----------
    composite : array_like of float, any shape
        IDM composite scores. NaN means "no score" (e.g. a kelurahan). [0–1]
    decimals : int or None, default 4
        Round to this many decimals (half-to-even, :func:`numpy.rint` of
        ``composite × 10**decimals``) before comparing with
        :data:`IDM_THRESHOLDS`; 4 is what the ministry publishes (see the module
        notes). An integer from 4 to 12, or None to compare the raw values.

    Returns
    -------
    ndarray of int8, same shape as *composite*
        0 Sangat Tertinggal, 1 Tertinggal, 2 Berkembang, 3 Maju, 4 Mandiri;
        :data:`IDM_CODE_NO_SCORE` (-1) where *composite* is NaN. Use
        :meth:`IDMStatus.from_code` to turn a code into a status.

    Raises
    ------
    ParameterError
        If *composite* is not numeric, holds an infinity or a value outside
        [0, 1], or *decimals* is invalid.

    Examples
    --------
    >>> idm_status_code([0.4907, 0.4908, float("nan"), 0.9])
    array([ 0,  1, -1,  4], dtype=int8)
    """
    fn = "idm_status_code"
    _check_decimals(decimals, fn)
    x = as_float_array(composite, "composite", fn)
    missing = np.isnan(x)
    present = x[~missing]
    if present.size and not (np.all(np.isfinite(present)) and present.min() >= 0.0 and present.max() <= 1.0):
        raise ParameterError(
            "composite", f"must lie in [0, 1] or be NaN (found {present.min()!r} .. {present.max()!r})", function=fn
        )
    if decimals is None:
        codes = np.searchsorted(np.asarray(IDM_THRESHOLDS), x, side="left")
    else:
        scaled = np.rint(x * 10.0**decimals)
        codes = np.searchsorted(np.asarray(_scaled_thresholds(decimals), dtype=np.float64), scaled, side="left")
    out = np.asarray(codes, dtype=np.int8)
    out[missing] = IDM_CODE_NO_SCORE
    return out


def idm_status(composite: float, *, decimals: int | None = 4) -> IDMStatus:
    """IDM status of one composite score.

    Parameters
    ----------
    composite : float
        IDM composite score. [0–1]
    decimals : int or None, default 4
        As in :func:`idm_status_code`: round to this many decimals before
        comparing, or None to compare the raw value.

    Returns
    -------
    IDMStatus

    Raises
    ------
    ParameterError
        If *composite* is not a real number in [0, 1] (NaN included: a missing
        score has no status), or *decimals* is invalid.

    Examples
    --------
    >>> idm_status(0.7072), idm_status(0.7073)
    (<IDMStatus.BERKEMBANG: 'berkembang'>, <IDMStatus.MAJU: 'maju'>)
    """
    fn = "idm_status"
    _check_decimals(decimals, fn)
    value: object = composite
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ParameterError("composite", f"must be a real number, got {value!r}", function=fn)
    x = float(value)
    if not (math.isfinite(x) and 0.0 <= x <= 1.0):
        raise ParameterError("composite", f"must lie in [0, 1], got {x!r}", function=fn)
    # Scalar path written independently of the array path (tests compare them).
    if decimals is None:
        code = sum(1 for t in IDM_THRESHOLDS if x > t)
    else:
        k = round(x * 10**decimals)  # Python's round on a float: half-to-even, like rint
        code = sum(1 for t in _scaled_thresholds(decimals) if k > t)
    return _ORDER[code]


# --------------------------------------------------------------------------- IDMScore


def _unit_interval(instance: object, attribute: attrs.Attribute[float], value: Any) -> None:
    if not isinstance(value, float):
        raise ParameterError(attribute.name, f"must be a real number, got {value!r}", function="IDMScore")
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ParameterError(attribute.name, f"must lie in [0, 1], got {value!r}", function="IDMScore")


def _normalise_name(name: str) -> str:
    key = name.strip().casefold()
    key = re.sub(r"\s*/\s*", "/", key)
    key = re.sub(r"\s+", " ", key)
    return key.removeprefix("skor ")


def _score(value: Any, indicator: str, parameter: str, function: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ParameterError(
            parameter, f"indicator {indicator!r}: score must be an integer 0..5, got {value!r}", function=function
        )
    if isinstance(value, numbers.Integral):
        score = int(value)
    else:
        f = float(value)
        if not (math.isfinite(f) and f == round(f)):
            raise ParameterError(
                parameter, f"indicator {indicator!r}: score must be an integer 0..5, got {value!r}", function=function
            )
        score = int(f)
    if not 0 <= score <= IDM_MAX_SCORE:
        raise ParameterError(parameter, f"indicator {indicator!r}: score {score} is outside 0..5", function=function)
    return score


def _sub_index(
    scores: Mapping[str, Any] | Sequence[Any] | NDArray[Any], names: tuple[str, ...], parameter: str, function: str
) -> float:
    """Sum of indicator scores over the maximum (5 per indicator)."""
    n = len(names)
    if isinstance(scores, np.ndarray):
        if scores.ndim != 1:
            raise ParameterError(parameter, f"must be 1-D, got shape {scores.shape}", function=function)
        return _sub_index(scores.tolist(), names, parameter, function)
    if isinstance(scores, Mapping):
        lookup = {_normalise_name(k): k for k in names}
        found: dict[str, int] = {}
        for raw_name, value in scores.items():
            if not isinstance(raw_name, str):
                raise ParameterError(parameter, f"indicator names must be strings, got {raw_name!r}", function=function)
            canonical = lookup.get(_normalise_name(raw_name))
            if canonical is None:
                raise ParameterError(
                    parameter, f"unknown indicator {raw_name!r} (expected one of {list(names)})", function=function
                )
            if canonical in found:
                raise ParameterError(parameter, f"indicator {canonical!r} is given twice", function=function)
            found[canonical] = _score(value, canonical, parameter, function)
        missing = [k for k in names if k not in found]
        if missing:
            raise ParameterError(parameter, f"missing indicator(s) {missing}", function=function)
        total = sum(found.values())
    elif isinstance(scores, Sequence) and not isinstance(scores, (str, bytes)):
        if len(scores) != n:
            raise ParameterError(
                parameter, f"must hold {n} scores in the ministry's order, got {len(scores)}", function=function
            )
        total = sum(_score(v, k, parameter, function) for k, v in zip(names, scores, strict=True))
    else:
        raise ParameterError(
            parameter,
            f"must be a mapping of indicator name to score or a sequence of {n} scores, got {type(scores).__name__}",
            function=function,
        )
    return total / (IDM_MAX_SCORE * n)


@attrs.frozen
class IDMScore:
    """A village's IDM sub-indices and the composite and status they give.

    Parameters
    ----------
    iks : float
        Indeks Ketahanan Sosial, social resilience. [0–1]
    ike : float
        Indeks Ketahanan Ekonomi, economic resilience. [0–1]
    ikl : float
        Indeks Ketahanan Lingkungan/Ekologi, ecological resilience. [0–1]

    Raises
    ------
    ParameterError
        If a sub-index is not a real number in [0, 1]; the error names the
        field (``iks``, ``ike`` or ``ikl``).

    Examples
    --------
    >>> s = IDMScore(iks=0.8, ike=0.7, ikl=0.6)
    >>> round(s.composite, 4), s.status.label
    (0.7, 'Desa Berkembang')
    """

    iks: float = attrs.field(converter=to_float, validator=_unit_interval)
    ike: float = attrs.field(converter=to_float, validator=_unit_interval)
    ikl: float = attrs.field(converter=to_float, validator=_unit_interval)

    @property
    def composite(self) -> float:
        """IDM = (IKS + IKE + IKL) / 3, unrounded. [0–1]"""
        return (self.iks + self.ike + self.ikl) / 3.0

    @property
    def status(self) -> IDMStatus:
        """Status of :attr:`composite`, compared at 4 decimals (see the module notes)."""
        return idm_status(self.composite)

    @classmethod
    def from_indicators(
        cls,
        social: Mapping[str, Any] | Sequence[Any] | NDArray[Any],
        economic: Mapping[str, Any] | Sequence[Any] | NDArray[Any] | None = None,
        ecological: Mapping[str, Any] | Sequence[Any] | NDArray[Any] | None = None,
    ) -> IDMScore:
        """Build a score from the ministry's indicator scores.

        Each sub-index is the sum of its indicator scores over the maximum
        (5 per indicator): IKS = Σ/175, IKE = Σ/60, IKL = Σ/15
        [radarjatim-2023-06-16], [api-idm-solor].

        Two forms are accepted:

        - three arguments, one per dimension (``social``, ``economic``,
          ``ecological``);
        - one argument holding all 50 scores (``economic`` and ``ecological``
          left out): a sequence or 1-D array in the catalogue's order
          (:data:`IDM_INDICATOR_COLUMNS`: 35 social, 12 economic, 3
          ecological, as the panel's columns and the API's rows), or a mapping
          keyed by column name (``"s_akses_sarkes"``) or indicator name
          (``"Skor Akses Sarkes"``). A row of
          :attr:`IndicatorPanel.scores` is this form.

        Parameters
        ----------
        social : mapping, sequence or 1-D array of int
            The 35 IKS indicator scores, each an integer 0–5: a mapping from
            indicator name (:data:`IKS_INDICATORS`) to score, or a sequence in
            that order. Names are matched ignoring case, repeated spaces,
            spaces around "/" and a leading "Skor ", so the API's own
            ``"Skor Ketersediaan PKBM/ Paket ABC"`` is accepted. Or all 50
            scores (see above).
        economic : mapping, sequence or 1-D array of int, optional
            The 12 IKE indicator scores (:data:`IKE_INDICATORS`).
        ecological : mapping, sequence or 1-D array of int, optional
            The 3 IKL indicator scores (:data:`IKL_INDICATORS`).

        Returns
        -------
        IDMScore

        Raises
        ------
        ParameterError
            Naming the argument (``social``, ``economic``, ``ecological``) and
            the indicator: unknown, duplicated or missing indicator, a score
            that is not an integer or lies outside 0..5, a sequence of the
            wrong length, or only one of ``economic`` and ``ecological``.

        Examples
        --------
        >>> IDMScore.from_indicators([4] * 35 + [5] * 6 + [3] * 6 + [5, 4, 3]).status.label
        'Desa Maju'
        """
        fn = "IDMScore.from_indicators"
        if economic is None and ecological is None:
            social, economic, ecological = _split_fifty(social, "social", fn)
        elif economic is None or ecological is None:
            missing = "economic" if economic is None else "ecological"
            raise ParameterError(
                missing, "give all three dimensions, or all 50 scores as the only argument", function=fn
            )
        return cls(
            iks=_sub_index(social, IKS_INDICATORS, "social", fn),
            ike=_sub_index(economic, IKE_INDICATORS, "economic", fn),
            ikl=_sub_index(ecological, IKL_INDICATORS, "ecological", fn),
        )


def _split_fifty(
    scores: Mapping[str, Any] | Sequence[Any] | NDArray[Any], parameter: str, function: str
) -> tuple[Any, Any, Any]:
    """The 50-score form split into its three dimensions (sequences in catalogue order)."""
    n_s, n_e = len(IKS_INDICATORS), len(IKE_INDICATORS)
    n = len(IDM_INDICATOR_COLUMNS)
    if isinstance(scores, np.ndarray):
        if scores.ndim != 1:
            raise ParameterError(parameter, f"must be 1-D, got shape {scores.shape}", function=function)
        values: list[Any] = scores.tolist()
    elif isinstance(scores, Mapping):
        lookup = {c: k for k, c in enumerate(IDM_INDICATOR_COLUMNS)}
        for k, name in enumerate(IKS_INDICATORS + IKE_INDICATORS + IKL_INDICATORS):
            lookup[_normalise_name(name)] = k
        slots: list[Any] = [None] * n
        for raw_name, value in scores.items():
            if not isinstance(raw_name, str):
                raise ParameterError(parameter, f"indicator names must be strings, got {raw_name!r}", function=function)
            slot = lookup.get(raw_name.strip(), lookup.get(_normalise_name(raw_name)))
            if slot is None:
                raise ParameterError(
                    parameter,
                    f"unknown indicator {raw_name!r} (expected one of the 50 "
                    "columns, e.g. 's_akses_sarkes', or indicator names)",
                    function=function,
                )
            if slots[slot] is not None:
                raise ParameterError(
                    parameter, f"indicator {IDM_INDICATOR_COLUMNS[slot]!r} is given twice", function=function
                )
            slots[slot] = value
        missing = [IDM_INDICATOR_COLUMNS[k] for k in range(n) if slots[k] is None]
        if missing:
            raise ParameterError(parameter, f"missing indicator(s) {missing}", function=function)
        values = slots
    elif isinstance(scores, Sequence) and not isinstance(scores, (str, bytes)):
        values = list(scores)
    else:
        raise ParameterError(
            parameter,
            f"must be a mapping or a sequence of the 50 scores, got {type(scores).__name__}",
            function=function,
        )
    if len(values) != n:
        raise ParameterError(
            parameter,
            f"must hold all {n} scores in the catalogue's order (or the 35 social "
            f"scores with economic and ecological given), got {len(values)}",
            function=function,
        )
    return values[:n_s], values[n_s : n_s + n_e], values[n_s + n_e :]
