"""IDM as a composite index, observed IDM records and counts, and the rules by which a programme moves indicators.

- :data:`IDM_INDEX`: Indonesia's IDM as a :class:`CompositeIndex`;
- :class:`IndicatorPanel`: observed indicator scores of many villages over
  years (the bundled 2021-2024 panel is one);
- :class:`IDMStatusCounts`: how many desa of a region had each status in one
  IDM year (the observed state a projection can start from);
- :class:`IndicatorEffect`: a declared rule raising one indicator when a
  village office is connected or an adoption fraction passes a threshold,
  and :data:`DEFAULT_PROGRAMME_EFFECTS`, Smart Kampung's rules with their
  sources.
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung import _defaults
from smartkampung._arrays import readonly_array
from smartkampung._errors import ParameterError
from smartkampung._validation import text, to_float, whole
from smartkampung.model._idm import IDM_THRESHOLDS, IDMStatus
from smartkampung.model._indicators import (
    IDM_INDICATOR_COLUMNS,
    IDM_MAX_SCORE,
    IKE_INDICATORS,
    IKL_INDICATORS,
    IKS_INDICATORS,
    CompositeIndex,
)

__all__ = [
    "CONNECTION_DRIVER",
    "DEFAULT_PROGRAMME_EFFECTS",
    "IDM_INDEX",
    "IDMStatusCounts",
    "IndicatorEffect",
    "IndicatorPanel",
]

#: Indonesia's Indeks Desa Membangun as a :class:`CompositeIndex`: 35 social,
#: 12 economic and 3 ecological indicators scored 0–5, IKS = Σ/175,
#: IKE = Σ/60, IKL = Σ/15, IDM = (IKS + IKE + IKL) / 3, statuses at
#: :data:`IDM_THRESHOLDS` compared at 4 decimals (sources in ``model/_idm.py``).
IDM_INDEX: Final[CompositeIndex] = CompositeIndex(
    name="IDM",
    sub_indices=("IKS", "IKE", "IKL"),
    indicator_columns=IDM_INDICATOR_COLUMNS,
    indicator_sub_index=(0,) * len(IKS_INDICATORS) + (1,) * len(IKE_INDICATORS) + (2,) * len(IKL_INDICATORS),
    thresholds=IDM_THRESHOLDS,
    status_labels=tuple(s.label for s in IDMStatus),
    weights=None,
    max_score=IDM_MAX_SCORE,
    decimals=4,
)


# ---------------------------------------------------------------------- observed data


def _ro_str(value: Any) -> NDArray[np.str_]:
    return readonly_array(value, np.str_)


def _ro_int16(value: Any) -> NDArray[np.int16]:
    return readonly_array(value, np.int16)


def _ro_int8(value: Any) -> NDArray[np.int8]:
    return readonly_array(value, np.int8)


def _ro_opt_float(value: Any) -> NDArray[np.float64] | None:
    return None if value is None else readonly_array(value, np.float64)


def _ro_opt_int8(value: Any) -> NDArray[np.int8] | None:
    return None if value is None else readonly_array(value, np.int8)


def _ro_opt_bool(value: Any) -> NDArray[np.bool_] | None:
    return None if value is None else readonly_array(value, np.bool_)


def _ro_opt_str(value: Any) -> NDArray[np.str_] | None:
    return None if value is None else readonly_array(value, np.str_)


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
            object.__setattr__(self, "repaired", readonly_array(np.zeros(n, dtype=bool), np.bool_))

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

    year: int = attrs.field(validator=whole(1))
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

    column: str = attrs.field(validator=text(non_empty=True))
    score: int = attrs.field(validator=whole(0))
    driver: str = attrs.field(validator=text(non_empty=True))
    threshold: float = attrs.field(default=1.0, converter=to_float, validator=_threshold)
    source: str = "illustrative assumption"


#: How Smart Kampung raises IDM indicators (read by
#: :class:`~smartkampung.model.IDMAssumptions` and
#: :data:`smartkampung.sim.idm.DEFAULT_PROGRAMME_EFFECTS`).
#:
#: - ``s_internet_kantor_desa`` to 5 once the office is connected. The ministry
#:   scores 5 "Terdapat fasilitas internet di kantor Desa" and 1 "Tidak
#:   terdapat atau belum ada Fasilitas Internet di Kantor Desa" (KETERANGAN of
#:   the Kemendesa IDM API rows, e.g. desa 1104012003, IDM 2023, mirrored in
#:   andifahruddinakas/api-idm); the panel holds only 1 and 5. The score is
#:   held while connected: each desa budgets its bandwidth, compulsory under
#:   e-village budgeting (infokomputer-2017-09).
#: - ``s_akses_internet_warga`` to 5 ("Terdapat Akses internet warga di Desa";
#:   1 is "Tidak Terdapat …", same source) once 10 % of the social-dimension
#:   market uses the village's connected services (driver ``"social"``;
#:   threshold ``_defaults.IDM_RESIDENTS_INTERNET_THRESHOLD``). The office's
#:   free 24-hour Wi-Fi is residents' access (globalindo-57-kabkota,
#:   merdeka-2016-03-22); reading "residents have access" as "a tenth of the
#:   market uses it" is an illustrative assumption.
#: - ``s_ketersediaan_taman_baca_perpus_desa`` to 5 ("Taman Bacaan Masyarakat
#:   atau perpustakaan Desa tersedia", same source) once 1 % of the e-learning
#:   market uses the library corner (driver ``"e_learning"``; threshold
#:   ``_defaults.IDM_LIBRARY_THRESHOLD``): a reading corner or village library
#:   is one of the 14 Smart Kampung qualifications (surabayanewsweek-2019-07)
#:   and the internet corner sits at the balai desa (merdeka-2016-03-22); the
#:   1 % threshold is an illustrative assumption.
DEFAULT_PROGRAMME_EFFECTS: Final[tuple[IndicatorEffect, ...]] = (
    IndicatorEffect(
        "s_internet_kantor_desa",
        5,
        CONNECTION_DRIVER,
        source="ministry definition (IDM API KETERANGAN): 5 = internet facility at the office",
    ),
    IndicatorEffect(
        "s_akses_internet_warga",
        5,
        "social",
        _defaults.IDM_RESIDENTS_INTERNET_THRESHOLD,
        source="ministry definition (IDM API KETERANGAN); 10 % threshold: illustrative assumption",
    ),
    IndicatorEffect(
        "s_ketersediaan_taman_baca_perpus_desa",
        5,
        "e_learning",
        _defaults.IDM_LIBRARY_THRESHOLD,
        source="Smart Kampung qualification: reading corner or village library "
        "(surabayanewsweek-2019-07); 1 % threshold: illustrative assumption",
    ),
)
