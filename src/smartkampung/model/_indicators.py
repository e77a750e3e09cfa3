"""The IDM indicator catalogue and the general composite index it is an instance of.

IDM scores each desa on 50 indicators, integers 0-5: 35 social (IKS), 12
economic (IKE) and 3 ecological (IKL), named here as the ministry's API
names them [api-idm-solor] and as the bundled panel's columns.
:class:`CompositeIndex` holds the general form (sub-indices of integer
indicator scores, a weighted composite, status thresholds), so a country with
its own index of that form uses the same code; the IDM instance,
:data:`~smartkampung.model.IDM_INDEX`, is in ``_idm_data``.

Source keys refer to the project's ``SOURCES.md`` (data documentation).
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Final

import attrs
import numpy as np

from smartkampung._errors import ParameterError
from smartkampung._validation import one_of, text, to_float, whole

__all__ = [
    "IDM_DIMENSION_NAMES",
    "IDM_INDICATOR_COLUMNS",
    "IDM_MAX_SCORE",
    "IKE_INDICATORS",
    "IKL_INDICATORS",
    "IKS_INDICATORS",
    "CompositeIndex",
    "Indicator",
]

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
IKL_INDICATORS: Final[tuple[str, ...]] = ("Kualitas Lingkungan", "Rawan Bencana", "Tanggap Bencana")

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


#: Highest IDM indicator score (the lowest is 0).
IDM_MAX_SCORE: Final[int] = 5

# ------------------------------------------------------------------ indicator catalogue

_nonempty_str = text(non_empty=True)
_positive_int = whole(1)


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
    dimension: str = attrs.field(validator=one_of(IDM_DIMENSION_NAMES))
    number: int = attrs.field(validator=_positive_int)
    name_id: str = attrs.field(validator=_nonempty_str)
    name_en: str = attrs.field(validator=_nonempty_str)


# --------------------------------------------------------------------- composite index


def _str_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _float_tuple(value: Any) -> tuple[float, ...]:
    return tuple(to_float(v) for v in value)


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
