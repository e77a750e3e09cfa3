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
import itertools
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._validation import as_float_array

__all__ = [
    "CONNECTION_DRIVER",
    "IDM_CODE_NO_SCORE",
    "IDM_DIMENSION_NAMES",
    "IDM_INDEX",
    "IDM_INDICATOR_COLUMNS",
    "IDM_THRESHOLDS",
    "IKE_INDICATORS",
    "IKL_INDICATORS",
    "IKS_INDICATORS",
    "CompositeIndex",
    "IDMScore",
    "IDMStatus",
    "IDMStatusCounts",
    "Indicator",
    "IndicatorEffect",
    "IndicatorPanel",
    "idm_status",
    "idm_status_code",
]

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

#: The 35 social-resilience (IKS) indicators, in the ministry API's order, as
#: the API names them without the leading "Skor " [api-idm-solor]. Spacing
#: around "/" follows ``idm_reference.md``; the API itself sometimes writes
#: "PKBM/ Paket ABC" -- :meth:`IDMScore.from_indicators` accepts either.
IKS_INDICATORS: Final[tuple[str, ...]] = (
    "Akses Sarkes",
    "Dokter",
    "Bidan",
    "Nakes Lain",
    "Tingkat Kepesertaan BPJS",
    "Akses Poskesdes",
    "Aktivitas Posyandu",
    "Akses SD/MI",
    "Akses SMP/MTS",
    "Akses SMA/SMK",
    "Ketersediaan PAUD",
    "Ketersediaan PKBM/Paket ABC",
    "Ketersediaan Kursus",
    "Ketersediaan Taman Baca/Perpus Desa",
    "Kebiasaan Goryong",
    "Frekuensi Goryong",
    "Ketersediaan Ruang Publik",
    "Kelompok OR",
    "Kegiatan OR",
    "Keragaman Agama",
    "Keragaman Bahasa",
    "Keragaman Komunikasi",
    "Poskamling",
    "Siskamling",
    "Konflik",
    "PMKS",
    "SLB",
    "Akses Listrik",
    "Sinyal Tlp",
    "Internet Kantor Desa",
    "Akses Internet Warga",
    "Akses Jamban",
    "Sampah",
    "Air Minum",
    "Air Mandi & Cuci",
)

#: The 12 economic-resilience (IKE) indicators, in API order [api-idm-solor].
IKE_INDICATORS: Final[tuple[str, ...]] = (
    "Keragaman Produksi",
    "Pertokoan",
    "Pasar",
    "Toko/Warung Kelontong",
    "Kedai & Penginapan",
    "POS & Logistik",
    "Bank & BPR",
    "Kredit",
    "Lembaga Ekonomi",
    "Moda Transportasi Umum",
    "Keterbukaan Wilayah",
    "Kualitas Jalan",
)

#: The 3 ecological-resilience (IKL) indicators, in API order [api-idm-solor].
IKL_INDICATORS: Final[tuple[str, ...]] = (
    "Kualitas Lingkungan",
    "Rawan Bencana",
    "Tanggap Bencana",
)

#: Column names of the 50 indicator scores, in the API's order (35 social,
#: 12 economic, 3 ecological), as in the bundled panel and catalogue
#: (:func:`smartkampung.datasets.idm_indicators`, which adds names and glosses).
IDM_INDICATOR_COLUMNS: Final[tuple[str, ...]] = (
    "s_akses_sarkes",
    "s_dokter",
    "s_bidan",
    "s_nakes_lain",
    "s_tingkat_kepesertaan_bpjs",
    "s_akses_poskesdes",
    "s_aktivitas_posyandu",
    "s_akses_sd_mi",
    "s_akses_smp_mts",
    "s_akses_sma_smk",
    "s_ketersediaan_paud",
    "s_ketersediaan_pkbm_paket_abc",
    "s_ketersediaan_kursus",
    "s_ketersediaan_taman_baca_perpus_desa",
    "s_kebiasaan_goryong",
    "s_frekuensi_goryong",
    "s_ketersediaan_ruang_publik",
    "s_kelompok_or",
    "s_kegiatan_or",
    "s_keragaman_agama",
    "s_keragaman_bahasa",
    "s_keragaman_komunikasi",
    "s_poskamling",
    "s_siskamling",
    "s_konflik",
    "s_pmks",
    "s_slb",
    "s_akses_listrik",
    "s_sinyal_tlp",
    "s_internet_kantor_desa",
    "s_akses_internet_warga",
    "s_akses_jamban",
    "s_sampah",
    "s_air_minum",
    "s_air_mandi_cuci",
    "s_keragaman_produksi",
    "s_pertokoan",
    "s_pasar",
    "s_toko_warung_kelontong",
    "s_kedai_penginapan",
    "s_pos_logistik",
    "s_bank_bpr",
    "s_kredit",
    "s_lembaga_ekonomi",
    "s_moda_transportasi_umum",
    "s_keterbukaan_wilayah",
    "s_kualitas_jalan",
    "s_kualitas_lingkungan",
    "s_rawan_bencana",
    "s_tanggap_bencana",
)

#: The three IDM dimensions, in the order of the sub-indices (IKS, IKE, IKL).
IDM_DIMENSION_NAMES: Final[tuple[str, str, str]] = ("social", "economic", "ecological")

_MAX_SCORE: Final = 5

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
            "composite",
            f"must lie in [0, 1] or be NaN (found {present.min()!r} .. {present.max()!r})",
            function=fn,
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


def _as_float(value: Any) -> Any:
    """Turn real numbers (not bools) into float; leave anything else for the validator."""
    if isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, numbers.Real):
        return float(value)
    return value


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
            parameter,
            f"indicator {indicator!r}: score must be an integer 0..5, got {value!r}",
            function=function,
        )
    if isinstance(value, numbers.Integral):
        score = int(value)
    else:
        f = float(value)
        if not (math.isfinite(f) and f == round(f)):
            raise ParameterError(
                parameter,
                f"indicator {indicator!r}: score must be an integer 0..5, got {value!r}",
                function=function,
            )
        score = int(f)
    if not 0 <= score <= _MAX_SCORE:
        raise ParameterError(parameter, f"indicator {indicator!r}: score {score} is outside 0..5", function=function)
    return score


def _sub_index(
    scores: Mapping[str, Any] | Sequence[Any] | NDArray[Any],
    names: tuple[str, ...],
    parameter: str,
    function: str,
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
                    parameter,
                    f"unknown indicator {raw_name!r} (expected one of {list(names)})",
                    function=function,
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
                parameter,
                f"must hold {n} scores in the ministry's order, got {len(scores)}",
                function=function,
            )
        total = sum(_score(v, k, parameter, function) for k, v in zip(names, scores, strict=True))
    else:
        raise ParameterError(
            parameter,
            f"must be a mapping of indicator name to score or a sequence of {n} scores, got {type(scores).__name__}",
            function=function,
        )
    return total / (_MAX_SCORE * n)


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

    iks: float = attrs.field(converter=_as_float, validator=_unit_interval)
    ike: float = attrs.field(converter=_as_float, validator=_unit_interval)
    ikl: float = attrs.field(converter=_as_float, validator=_unit_interval)

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


# ------------------------------------------------------------------ indicator catalogue

_DIMENSIONS: Final[frozenset[str]] = frozenset(IDM_DIMENSION_NAMES)


def _nonempty_str(instance: object, attribute: attrs.Attribute[str], value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(
            attribute.name, f"must be a non-empty string, got {value!r}", function=type(instance).__name__
        )


def _dimension(instance: object, attribute: attrs.Attribute[str], value: Any) -> None:
    if value not in _DIMENSIONS:
        raise ParameterError(
            attribute.name, f"must be one of {sorted(_DIMENSIONS)}, got {value!r}", function=type(instance).__name__
        )


def _positive_int(instance: object, attribute: attrs.Attribute[int], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(
            attribute.name, f"must be an integer >= 1, got {value!r}", function=type(instance).__name__
        )


@attrs.frozen
class Indicator:
    """One indicator of the IDM catalogue.

    Parameters
    ----------
    column : str
        Column name in the bundled panel, e.g. ``"s_internet_kantor_desa"``.
    dimension : str
        ``"social"`` (IKS), ``"economic"`` (IKE) or ``"ecological"`` (IKL);
        the values of :class:`~smartkampung.model.IDMDimension`.
    number : int
        Position within its dimension in the ministry API (1-based).
    name_id : str
        The API's indicator name, e.g. ``"Skor Internet Kantor Desa"``.
    name_en : str
        English gloss, written for the catalogue (not an official translation).

    Raises
    ------
    ParameterError
        On an empty name or an unknown dimension.
    """

    column: str = attrs.field(validator=_nonempty_str)
    dimension: str = attrs.field(validator=_dimension)
    number: int = attrs.field(validator=_positive_int)
    name_id: str = attrs.field(validator=_nonempty_str)
    name_en: str = attrs.field(validator=_nonempty_str)


# --------------------------------------------------------------------- composite index


def _str_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _float_tuple(value: Any) -> tuple[float, ...]:
    return tuple(_as_float(v) for v in value)


def _int_tuple(value: Any) -> tuple[int, ...]:
    return tuple(int(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v for v in value)


def _optional_float_tuple(value: Any) -> tuple[float, ...] | None:
    return None if value is None else _float_tuple(value)


@attrs.frozen
class CompositeIndex:
    """A composite village index built from integer indicator scores, such as IDM.

    Each sub-index *k* is the sum of its indicators' scores over their
    maximum (``max_score`` × number of indicators); the composite is the
    weighted mean of the sub-indices (equal weights when ``weights`` is None,
    computed as their sum over their number, exactly as the ministry writes
    ``(IKS + IKE + IKL) / 3``); the status is the number of ``thresholds``
    the composite exceeds, after rounding to ``decimals``. :data:`IDM_INDEX`
    is Indonesia's IDM; another country supplies its own.

    Parameters
    ----------
    name : str
        Name of the index, e.g. ``"IDM"``.
    sub_indices : tuple of str
        Names of the sub-indices, e.g. ``("IKS", "IKE", "IKL")``.
    indicator_columns : tuple of str
        Names of the indicators, in the order of the score columns.
    indicator_sub_index : tuple of int
        For each indicator, the position of its sub-index in ``sub_indices``.
    thresholds : tuple of float
        Ascending upper bounds (inclusive) of every status but the last. [0–1]
    status_labels : tuple of str
        One label per status, lowest first (``len(thresholds) + 1``).
    weights : tuple of float, optional
        Weight of each sub-index in the composite (positive, summing to 1).
        None: equal weights.
    max_score : int
        Highest indicator score (lowest is 0). IDM: 5.
    decimals : int or None
        Decimals the composite is rounded to before comparing with the
        thresholds (the thresholds must have no more); None compares raw values.

    Raises
    ------
    ParameterError
        Naming the field: empty or duplicated names, lengths that do not
        match, a sub-index without indicators, thresholds not strictly
        increasing inside (0, 1) or with more decimals than ``decimals``,
        weights not positive or not summing to 1.

    Examples
    --------
    >>> CompositeIndex(name="Toy", sub_indices=("A", "B"), indicator_columns=("a1", "a2", "b1"),
    ...                indicator_sub_index=(0, 0, 1), thresholds=(0.5,), status_labels=("low", "high"),
    ...                max_score=4, decimals=2).sub_index_maxima
    (8, 4)
    """

    name: str = attrs.field(validator=_nonempty_str)
    sub_indices: tuple[str, ...] = attrs.field(converter=_str_tuple)
    indicator_columns: tuple[str, ...] = attrs.field(converter=_str_tuple)
    indicator_sub_index: tuple[int, ...] = attrs.field(converter=_int_tuple)
    thresholds: tuple[float, ...] = attrs.field(converter=_float_tuple)
    status_labels: tuple[str, ...] = attrs.field(converter=_str_tuple)
    weights: tuple[float, ...] | None = attrs.field(default=None, converter=_optional_float_tuple)
    max_score: int = attrs.field(default=5, validator=_positive_int)
    decimals: int | None = 4

    def __attrs_post_init__(self) -> None:
        fn = "CompositeIndex"
        for field, names in (
            ("sub_indices", self.sub_indices),
            ("indicator_columns", self.indicator_columns),
            ("status_labels", self.status_labels),
        ):
            if not names or any(not isinstance(x, str) or not x.strip() for x in names):
                raise ParameterError(field, "must be non-empty strings (at least one)", function=fn)
            if len(set(names)) != len(names):
                raise ParameterError(field, "must not repeat a name", function=fn)
        k = len(self.sub_indices)
        if len(self.indicator_sub_index) != len(self.indicator_columns):
            raise ParameterError(
                "indicator_sub_index",
                f"must have one entry per indicator "
                f"({len(self.indicator_columns)}), got {len(self.indicator_sub_index)}",
                function=fn,
            )
        for v in self.indicator_sub_index:
            if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < k:
                raise ParameterError(
                    "indicator_sub_index", f"entries must be integers 0..{k - 1}, got {v!r}", function=fn
                )
        empty = [self.sub_indices[d] for d in range(k) if d not in self.indicator_sub_index]
        if empty:
            raise ParameterError("indicator_sub_index", f"sub-index(es) {empty} have no indicators", function=fn)
        t = self.thresholds
        if (
            not t
            or any(not isinstance(x, float) or not (0.0 < x < 1.0) for x in t)
            or any(b <= a for a, b in itertools.pairwise(t))
        ):
            raise ParameterError(
                "thresholds", f"must be strictly increasing numbers inside (0, 1), got {t!r}", function=fn
            )
        if len(self.status_labels) != len(t) + 1:
            raise ParameterError(
                "status_labels",
                f"must have len(thresholds) + 1 = {len(t) + 1} labels, got {len(self.status_labels)}",
                function=fn,
            )
        if self.weights is not None:
            w = self.weights
            if len(w) != k or any(not isinstance(x, float) or not (x > 0 and math.isfinite(x)) for x in w):
                raise ParameterError("weights", f"must be {k} positive numbers, got {w!r}", function=fn)
            if abs(sum(w) - 1.0) > 1e-9:
                raise ParameterError("weights", f"must sum to 1, got {sum(w)!r}", function=fn)
        d = self.decimals
        if d is not None:
            if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 12:
                raise ParameterError("decimals", f"must be None or an integer 0..12, got {d!r}", function=fn)
            for x in t:
                if abs(x * 10**d - round(x * 10**d)) > 1e-6:
                    raise ParameterError("thresholds", f"{x!r} has more than decimals={d} decimals", function=fn)

    @property
    def n_indicators(self) -> int:
        """Number of indicators (score columns)."""
        return len(self.indicator_columns)

    @property
    def n_statuses(self) -> int:
        """Number of statuses (``len(thresholds) + 1``)."""
        return len(self.thresholds) + 1

    @property
    def sub_index_maxima(self) -> tuple[int, ...]:
        """Largest indicator total of each sub-index (``max_score`` × its number of indicators)."""
        return tuple(self.max_score * self.indicator_sub_index.count(d) for d in range(len(self.sub_indices)))

    @property
    def sub_index_weights(self) -> tuple[float, ...]:
        """Weight of each sub-index in the composite (equal when ``weights`` is None)."""
        k = len(self.sub_indices)
        return self.weights if self.weights is not None else (1.0 / k,) * k

    def column(self, name: str) -> int:
        """Position of the indicator column *name*.

        Raises
        ------
        ParameterError
            If the index has no such indicator.
        """
        try:
            return self.indicator_columns.index(name)
        except ValueError:
            raise ParameterError(
                "name", f"{self.name} has no indicator {name!r}", function="CompositeIndex.column"
            ) from None


#: Indonesia's Indeks Desa Membangun as a :class:`CompositeIndex`: 35 social,
#: 12 economic and 3 ecological indicators scored 0–5, IKS = Σ/175,
#: IKE = Σ/60, IKL = Σ/15, IDM = (IKS + IKE + IKL) / 3, statuses at
#: :data:`IDM_THRESHOLDS` compared at 4 decimals (sources in the module notes).
IDM_INDEX: Final[CompositeIndex] = CompositeIndex(
    name="IDM",
    sub_indices=("IKS", "IKE", "IKL"),
    indicator_columns=IDM_INDICATOR_COLUMNS,
    indicator_sub_index=(0,) * len(IKS_INDICATORS) + (1,) * len(IKE_INDICATORS) + (2,) * len(IKL_INDICATORS),
    thresholds=IDM_THRESHOLDS,
    status_labels=tuple(s.label for s in IDMStatus),
    weights=None,
    max_score=_MAX_SCORE,
    decimals=4,
)


# ---------------------------------------------------------------------- observed data


def _readonly(value: Any, dtype: Any) -> NDArray[Any]:
    arr: NDArray[Any] = np.array(value, dtype=dtype)
    arr.setflags(write=False)
    return arr


def _ro_str(value: Any) -> NDArray[np.str_]:
    return _readonly(value, np.str_)


def _ro_int16(value: Any) -> NDArray[np.int16]:
    return _readonly(value, np.int16)


def _ro_int8(value: Any) -> NDArray[np.int8]:
    return _readonly(value, np.int8)


def _ro_opt_float(value: Any) -> NDArray[np.float64] | None:
    return None if value is None else _readonly(value, np.float64)


def _ro_opt_int8(value: Any) -> NDArray[np.int8] | None:
    return None if value is None else _readonly(value, np.int8)


def _ro_opt_bool(value: Any) -> NDArray[np.bool_] | None:
    return None if value is None else _readonly(value, np.bool_)


def _ro_opt_str(value: Any) -> NDArray[np.str_] | None:
    return None if value is None else _readonly(value, np.str_)


@attrs.frozen(eq=False)
class IndicatorPanel:
    """Observed indicator scores of many villages over years: a read-only struct of arrays.

    One row per village and year. :func:`smartkampung.datasets.idm_panel`
    returns the bundled IDM panel (10,006 records, 2021–2024); a user can
    build one for their own :class:`CompositeIndex`. Arrays are copied and
    made read-only; objects compare by identity.

    Parameters
    ----------
    index : CompositeIndex
        The index the scores belong to (its columns are the score columns).
    codes : array_like of str, shape (n,)
        Village code of each record (Kemendagri ``PP.KK.CC.VVVV`` for IDM).
    regency_codes : array_like of str, shape (n,)
        Code of the regency (kabupaten) each village lies in; groups villages
        that share regency-level shocks.
    years : array_like of int, shape (n,)
        Year of each record (IDM year *Y* is the ministry's IDM *Y* release).
    scores : array_like of int, shape (n, n_indicators)
        Indicator scores, 0..``index.max_score``, stored as int8.
    published_sub_indices : array_like of float, shape (n, n_sub_indices), optional
        Sub-indices as published (IKS, IKE, IKL). [0–1]
    published_composite : array_like of float, shape (n,), optional
        Composite as published. [0–1]
    published_status : array_like of int, shape (n,), optional
        Status code as published (0 = lowest).
    repaired : array_like of bool, shape (n,), optional
        Records whose scores were corrected on reading (see
        :func:`smartkampung.datasets.idm_panel`). Default: none.
    names : array_like of str, shape (n,), optional
        Village names.
    source : str
        Provenance.

    Raises
    ------
    ParameterError
        Naming the field whose shape or values are wrong.
    """

    index: CompositeIndex = attrs.field(validator=attrs.validators.instance_of(CompositeIndex))
    codes: NDArray[np.str_] = attrs.field(converter=_ro_str)
    regency_codes: NDArray[np.str_] = attrs.field(converter=_ro_str)
    years: NDArray[np.int16] = attrs.field(converter=_ro_int16)
    scores: NDArray[np.int8] = attrs.field(converter=_ro_int8)
    published_sub_indices: NDArray[np.float64] | None = attrs.field(default=None, converter=_ro_opt_float)
    published_composite: NDArray[np.float64] | None = attrs.field(default=None, converter=_ro_opt_float)
    published_status: NDArray[np.int8] | None = attrs.field(default=None, converter=_ro_opt_int8)
    repaired: NDArray[np.bool_] | None = attrs.field(default=None, converter=_ro_opt_bool)
    names: NDArray[np.str_] | None = attrs.field(default=None, converter=_ro_opt_str)
    source: str = ""

    def __attrs_post_init__(self) -> None:
        fn = "IndicatorPanel"
        n = self.codes.shape[0] if self.codes.ndim == 1 else -1
        if n < 0:
            raise ParameterError("codes", f"must be 1-D, got shape {self.codes.shape}", function=fn)
        shapes: dict[str, tuple[int, ...]] = {
            "regency_codes": (n,),
            "years": (n,),
            "scores": (n, self.index.n_indicators),
        }
        optional: dict[str, tuple[int, ...]] = {
            "published_sub_indices": (n, len(self.index.sub_indices)),
            "published_composite": (n,),
            "published_status": (n,),
            "repaired": (n,),
            "names": (n,),
        }
        for field, shape in (*shapes.items(), *optional.items()):
            arr = getattr(self, field)
            if arr is not None and arr.shape != shape:
                raise ParameterError(field, f"must have shape {shape}, got {arr.shape}", function=fn)
        if n and (self.scores.min() < 0 or self.scores.max() > self.index.max_score):
            raise ParameterError("scores", f"must lie in 0..{self.index.max_score}", function=fn)
        if self.repaired is None:
            object.__setattr__(self, "repaired", _readonly(np.zeros(n, dtype=bool), np.bool_))

    @property
    def n_records(self) -> int:
        """Number of records (village-years)."""
        return int(self.codes.shape[0])

    @property
    def year_values(self) -> tuple[int, ...]:
        """The distinct years, ascending."""
        return tuple(int(y) for y in np.unique(self.years))

    def select(self, rows: ArrayLike) -> IndicatorPanel:
        """A panel of the chosen records (a boolean mask or integer positions)."""
        take = np.asarray(rows)
        if take.dtype == bool and take.shape != (self.n_records,):
            raise ParameterError(
                "rows",
                f"a mask must have shape ({self.n_records},), got {take.shape}",
                function="IndicatorPanel.select",
            )

        def sub(a: NDArray[Any] | None) -> NDArray[Any] | None:
            return None if a is None else a[take]

        return IndicatorPanel(
            index=self.index,
            codes=self.codes[take],
            regency_codes=self.regency_codes[take],
            years=self.years[take],
            scores=self.scores[take],
            published_sub_indices=sub(self.published_sub_indices),
            published_composite=sub(self.published_composite),
            published_status=sub(self.published_status),
            repaired=sub(self.repaired),
            names=sub(self.names),
            source=self.source,
        )


def _counts_tuple(value: Any) -> tuple[int, ...]:
    return tuple(int(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v for v in value)


@attrs.frozen
class IDMStatusCounts:
    """How many desa of a region had each IDM status in one IDM year.

    Parameters
    ----------
    year : int
        IDM year (the ministry's IDM *year* release).
    counts : tuple of int
        Desa per status, Sangat Tertinggal first, Mandiri last (5 entries).
    source : str
        Source key or address.
    note : str
        Free text.

    Raises
    ------
    ParameterError
        If a count is not a whole number >= 0 or there are not 5.
    """

    year: int = attrs.field(validator=_positive_int)
    counts: tuple[int, ...] = attrs.field(converter=_counts_tuple)
    source: str = ""
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if len(self.counts) != len(IDMStatus) or any(
            not isinstance(c, int) or isinstance(c, bool) or c < 0 for c in self.counts
        ):
            raise ParameterError(
                "counts",
                f"must be {len(IDMStatus)} whole numbers >= 0 (Sangat Tertinggal ... Mandiri), got {self.counts!r}",
                function="IDMStatusCounts",
            )

    @property
    def total(self) -> int:
        """Number of desa counted."""
        return sum(self.counts)

    def count(self, status: IDMStatus) -> int:
        """Desa with *status*."""
        return self.counts[status.code]


def _threshold(instance: object, attribute: attrs.Attribute[float], value: Any) -> None:
    if not isinstance(value, float) or not (0.0 < value <= 1.0):
        raise ParameterError(attribute.name, f"must be a number in (0, 1], got {value!r}", function="IndicatorEffect")


def _score_field(instance: object, attribute: attrs.Attribute[int], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParameterError(attribute.name, f"must be a whole number >= 0, got {value!r}", function="IndicatorEffect")


#: Driver name of an :class:`IndicatorEffect` that acts when the village office is connected.
CONNECTION_DRIVER: Final[str] = "connection"


@attrs.frozen
class IndicatorEffect:
    """A declared rule by which a programme raises one indicator score.

    In IDM year *Y*, the indicator ``column`` of a village is raised to at
    least ``score`` when the rule's condition holds at that year's data
    cut-off: for ``driver="connection"``, the village office is connected;
    otherwise the adoption fraction named ``driver`` (a service id, or an IDM
    dimension such as ``"social"``: whatever key the caller's adoption
    mapping uses) is at least ``threshold``. Scores are never lowered.

    Parameters
    ----------
    column : str
        Indicator column, e.g. ``"s_internet_kantor_desa"``.
    score : int
        The score the rule raises the indicator to (at least).
    driver : str
        ``"connection"`` or the key of an adoption fraction.
    threshold : float, default 1.0
        Adoption fraction at which the rule acts (ignored for ``"connection"``). (0–1]
    source : str
        Where the rule comes from, or "illustrative assumption".

    Raises
    ------
    ParameterError
        Naming the field.
    """

    column: str = attrs.field(validator=_nonempty_str)
    score: int = attrs.field(validator=_score_field)
    driver: str = attrs.field(validator=_nonempty_str)
    threshold: float = attrs.field(default=1.0, converter=_as_float, validator=_threshold)
    source: str = "illustrative assumption"
