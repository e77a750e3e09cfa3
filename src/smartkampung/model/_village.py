"""Villages, districts and the region a programme runs in."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung import _defaults
from smartkampung._arrays import ARRAY_EQ_NAN, readonly_array
from smartkampung._errors import ModelValidationError, Problem, UnknownCodeError, unknown_code
from smartkampung._validation import MAX_COUNT, instance_of, matches, optional, text, whole
from smartkampung.model._geo import Location, PointOfPresence
from smartkampung.model._idm import IDMScore

__all__ = [
    "DEFAULT_HOUSEHOLD_SIZE",
    "KEMENDAGRI_VILLAGE_CODE",
    "CodeSystem",
    "District",
    "ModelValidationError",
    "Region",
    "Village",
    "VillageColumns",
    "VillageKind",
]

#: Persons per household used to derive ``households`` when a data file gives
#: none. Illustrative assumption, close to Indonesia's 2010 census average
#: (about 3.9). Supply real household counts where you have them.
DEFAULT_HOUSEHOLD_SIZE: float = _defaults.HOUSEHOLD_SIZE

#: Kemendagri village code ``PP.KK.CC.VVVV``: province, regency, district,
#: village; the village block starts with 1 (kelurahan) or 2 (desa). ASCII
#: digits only, and nothing after the last digit (not even a line break).
KEMENDAGRI_VILLAGE_CODE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{2})\.([12])\d{3}\Z", re.ASCII)
_KEMENDAGRI_DISTRICT_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\Z", re.ASCII)
_KEMENDAGRI_REGION_CODE = re.compile(r"^\d{2}\.\d{2}\Z", re.ASCII)


class VillageKind(enum.Enum):
    """The lowest administrative level a programme serves.

    Indonesia has rural ``DESA`` (with an elected village head and village
    funds, and an IDM score) and urban ``KELURAHAN`` (administrative wards).
    Other ASEAN members' village types are listed so partner cities can say
    what they have; ``VILLAGE`` is a generic fallback.
    """

    DESA = "desa"
    KELURAHAN = "kelurahan"
    BARANGAY = "barangay"  # Philippines
    TAMBON = "tambon"  # Thailand (sub-district)
    MUBAN = "muban"  # Thailand (village)
    XA = "xa"  # Viet Nam (rural commune)
    PHUONG = "phuong"  # Viet Nam (urban ward)
    KAMPUNG = "kampung"  # Malaysia, Brunei
    VILLAGE = "village"

    @property
    def is_urban(self) -> bool:
        """Whether this kind is an urban ward rather than a rural village."""
        return self in (VillageKind.KELURAHAN, VillageKind.PHUONG)


class CodeSystem(enum.Enum):
    """How village and district codes are written in a region.

    ``KEMENDAGRI`` codes are checked (``PP.KK.CC.VVVV``, the last block's
    leading 1/2 agrees with kelurahan/desa, a village code starts with its
    district's code). ``FREE`` codes are any non-empty strings, unique within
    the region (PSGC codes in the Philippines, for example).
    """

    KEMENDAGRI = "kemendagri"
    FREE = "free"


# Counts end up in int64 columns; no village or ward has 10^8 people.
_count = whole(0, MAX_COUNT)
_code = text(non_empty=True)
_name = text(control=True)
#: Years a population figure can refer to.
_YEARS = (1800, 2200)


def _default_households(village: Village) -> int:
    return round(village.population / DEFAULT_HOUSEHOLD_SIZE)


@attrs.frozen
class Village:
    """A desa, kelurahan or other village: one row of every simulation.

    Parameters
    ----------
    code : str
        Official code, unique within the region (Kemendagri ``PP.KK.CC.VVVV``
        in Indonesia).
    name : str
        Name as in the official code list.
    kind : VillageKind
        Desa, kelurahan, barangay, ...
    district_code : str
        Code of the district (kecamatan, municipality) it belongs to.
    location : Location
        Centroid or village-office location. [degrees]
    population : int
        Head-count, 0 to 10^8. [people]
    households : int, optional
        Number of households, at most ``population`` (every household has a
        member). [households] Default: ``population /
        DEFAULT_HOUSEHOLD_SIZE``, rounded (an assumption; give real counts
        where known).
    population_year : int, optional
        Year the population figure refers to (2010 for the bundled census
        figures), 1800 to 2200.
    idm : IDMScore, optional
        Village development index (desa only; kelurahan have none).
    """

    code: str = attrs.field(validator=_code)
    name: str = attrs.field(validator=_name)
    kind: VillageKind = attrs.field(validator=instance_of(VillageKind))
    district_code: str = attrs.field(validator=_code)
    location: Location = attrs.field(validator=instance_of(Location))
    population: int = attrs.field(validator=_count)
    households: int = attrs.field(default=attrs.Factory(_default_households, takes_self=True), validator=_count)
    population_year: int | None = attrs.field(default=None, validator=optional(whole(*_YEARS)))
    idm: IDMScore | None = attrs.field(default=None, validator=optional(instance_of(IDMScore)))

    def __attrs_post_init__(self) -> None:
        problems = []
        if self.idm is not None and self.kind is VillageKind.KELURAHAN:
            problems.append(
                Problem(f"village {self.code}: a kelurahan has no IDM score (IDM covers desa only)", field="idm")
            )
        if self.households > self.population:
            problems.append(
                Problem(
                    f"{self.households} households cannot live in a village of {self.population} "
                    "people (every household has at least one member)",
                    field="households",
                )
            )
        if problems:
            raise ModelValidationError(problems)


@attrs.frozen
class District:
    """A kecamatan (district), municipality or other tier between village and region.

    Parameters
    ----------
    code : str
        Official code, unique within the region.
    name : str
        Name.
    location : Location
        Centroid or district-office location. [degrees]
    """

    code: str = attrs.field(validator=_code)
    name: str = attrs.field(validator=_name)
    location: Location = attrs.field(validator=instance_of(Location))


# NaN marks "no score": two regions without scores are equal.
_array_field: Any = attrs.field(eq=ARRAY_EQ_NAN, converter=readonly_array)


@attrs.frozen
class VillageColumns:
    """A region as columns: one read-only numpy array per attribute, one row per village.

    Every simulation works on these; nothing in a hot loop touches a
    :class:`Village` object.

    Attributes
    ----------
    code : ndarray of str, shape (n_villages,)
    lat_deg, lon_deg : ndarray of float64, shape (n_villages,)  [degrees]
    population : ndarray of int64, shape (n_villages,)  [people]
    households : ndarray of int64, shape (n_villages,)  [households]
    is_kelurahan : ndarray of bool, shape (n_villages,)
        True for urban wards (kelurahan, phuong).
    is_desa : ndarray of bool, shape (n_villages,)
        True for Indonesian desa, the villages the IDM scores.
    district_index : ndarray of int64, shape (n_villages,)
        Row of the village's district in ``Region.districts``.
    idm_iks, idm_ike, idm_ikl : ndarray of float64, shape (n_villages,)
        IDM social, economic and ecological sub-indices, NaN where the
        village has no score. [0–1]
    pop_lat_deg, pop_lon_deg : ndarray of float64, shape (n_pops,)
        Backbone points of presence. [degrees]
    """

    code: NDArray[np.str_] = _array_field
    lat_deg: NDArray[np.float64] = _array_field
    lon_deg: NDArray[np.float64] = _array_field
    population: NDArray[np.int64] = _array_field
    households: NDArray[np.int64] = _array_field
    is_kelurahan: NDArray[np.bool_] = _array_field
    is_desa: NDArray[np.bool_] = _array_field
    district_index: NDArray[np.int64] = _array_field
    idm_iks: NDArray[np.float64] = _array_field
    idm_ike: NDArray[np.float64] = _array_field
    idm_ikl: NDArray[np.float64] = _array_field
    pop_lat_deg: NDArray[np.float64] = _array_field
    pop_lon_deg: NDArray[np.float64] = _array_field

    @property
    def n_villages(self) -> int:
        """Number of villages (rows)."""
        return int(self.code.shape[0])

    @property
    def idm_composite(self) -> NDArray[np.float64]:
        """IDM composite ``(IKS + IKE + IKL) / 3``, NaN where the village has no score. [0–1]"""
        composite: NDArray[np.float64] = (self.idm_iks + self.idm_ike + self.idm_ikl) / 3.0
        return composite


def _as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen(repr=False)
class Region:
    """A kabupaten, kota, province or city: the area a programme runs in.

    Parameters
    ----------
    code : str
        Region code (``35.10`` for Kabupaten Banyuwangi).
    name : str
        Name.
    country : str
        ISO 3166-1 alpha-2 country code (``ID``, ``PH``, ...).
    districts : tuple of District
        Its districts (kecamatan, municipalities).
    villages : tuple of Village
        Its villages; each names one of ``districts`` by ``district_code``.
    backbone : tuple of PointOfPresence, optional
        Where fibre already is. Default: none (pass points of presence to the
        network planner instead, or use :meth:`with_district_backbone`).
    code_system : CodeSystem, optional
        ``KEMENDAGRI`` to check Indonesian codes; ``FREE`` (default) for any
        codes unique within the region.

    Raises
    ------
    ModelValidationError
        Listing every problem: duplicate codes, a village pointing to a
        district that does not exist, Kemendagri codes that are malformed or
        disagree with the village kind.
    """

    code: str = attrs.field(validator=_code)
    name: str = attrs.field(validator=_name)
    country: str = attrs.field(validator=matches(r"[A-Z]{2}", "an ISO 3166-1 alpha-2 code such as 'ID'"))
    districts: tuple[District, ...] = attrs.field(converter=_as_tuple)
    villages: tuple[Village, ...] = attrs.field(converter=_as_tuple)
    backbone: tuple[PointOfPresence, ...] = attrs.field(default=(), converter=_as_tuple)
    code_system: CodeSystem = attrs.field(default=CodeSystem.FREE, validator=instance_of(CodeSystem))
    _village_index: dict[str, int] = attrs.field(init=False, eq=False, repr=False)
    _district_index: dict[str, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        # The annotations promise these types; callers building a Region by
        # hand get a clear message instead of an AttributeError later.
        members: tuple[tuple[str, tuple[object, ...], type], ...] = (
            ("districts", self.districts, District),
            ("villages", self.villages, Village),
            ("backbone", self.backbone, PointOfPresence),
        )
        for label, items, expected in members:
            for i, item in enumerate(items):
                if not isinstance(item, expected):
                    problems.append(
                        Problem(f"expected a {expected.__name__}, got {type(item).__name__}", record=f"{label}[{i}]")
                    )
        if problems:
            raise ModelValidationError(problems)

        district_index: dict[str, int] = {}
        for i, d in enumerate(self.districts):
            if d.code in district_index:
                problems.append(Problem(f"duplicate district code {d.code!r}", record=f"districts[{i}]", field="code"))
            district_index.setdefault(d.code, i)
        village_index: dict[str, int] = {}
        for i, v in enumerate(self.villages):
            record = f"villages[{i}] (code {v.code})"
            if v.code in village_index:
                problems.append(Problem(f"duplicate village code {v.code!r}", record=record, field="code"))
            village_index.setdefault(v.code, i)
            if v.district_code not in district_index:
                problems.append(
                    Problem(
                        f"district {v.district_code!r} does not exist in region {self.code}",
                        record=record,
                        field="district_code",
                    )
                )
        seen_pops: set[str] = set()
        for i, b in enumerate(self.backbone):
            if b.id in seen_pops:
                problems.append(
                    Problem(f"duplicate point-of-presence id {b.id!r}", record=f"backbone[{i}]", field="id")
                )
            seen_pops.add(b.id)
        if self.code_system is CodeSystem.KEMENDAGRI:
            problems += self._kemendagri_problems()
        if problems:
            raise ModelValidationError(problems)
        object.__setattr__(self, "_village_index", village_index)
        object.__setattr__(self, "_district_index", district_index)

    def _kemendagri_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if not _KEMENDAGRI_REGION_CODE.match(self.code):
            problems.append(Problem(f"Kemendagri region code must look like PP.KK, got {self.code!r}", field="code"))
        for i, d in enumerate(self.districts):
            if not _KEMENDAGRI_DISTRICT_CODE.match(d.code) or not d.code.startswith(self.code + "."):
                problems.append(
                    Problem(
                        f"Kemendagri district code must look like {self.code}.CC, got {d.code!r}",
                        record=f"districts[{i}]",
                        field="code",
                    )
                )
        for i, v in enumerate(self.villages):
            record = f"villages[{i}] (code {v.code})"
            match = KEMENDAGRI_VILLAGE_CODE.match(v.code)
            if match is None:
                problems.append(
                    Problem("Kemendagri village code must look like PP.KK.CC.VVVV", record=record, field="code")
                )
                continue
            if not v.code.startswith(v.district_code + "."):
                problems.append(
                    Problem(
                        f"code does not start with its district code {v.district_code!r}", record=record, field="code"
                    )
                )
            expected = {"1": VillageKind.KELURAHAN, "2": VillageKind.DESA}[match.group(4)]
            if v.kind is not expected:
                problems.append(
                    Problem(
                        f"kind {v.kind.value!r} disagrees with the code: a last block starting with "
                        f"{match.group(4)} means {expected.value}",
                        record=record,
                        field="kind",
                    )
                )
        return problems

    def __repr__(self) -> str:
        # A region holds hundreds to tens of thousands of villages: say how many, not which.
        kinds: dict[str, int] = {}
        for v in self.villages:
            kinds[v.kind.value] = kinds.get(v.kind.value, 0) + 1
        mix = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        return (
            f"Region(code={self.code!r}, name={self.name!r}, country={self.country!r}, "
            f"{len(self.districts)} districts, {self.n_villages} villages ({mix or 'none'}), "
            f"{len(self.backbone)} points of presence, code_system={self.code_system.value!r})"
        )

    # -- lookups ---------------------------------------------------------
    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return len(self.villages)

    @property
    def population(self) -> int:
        """Total population of the villages. [people]"""
        return sum(v.population for v in self.villages)

    @property
    def households(self) -> int:
        """Total households of the villages. [households]"""
        return sum(v.households for v in self.villages)

    def village(self, code: str) -> Village:
        """The village with this code.

        Raises
        ------
        UnknownCodeError
            A ``KeyError`` and a ``SmartKampungError``, if no village has that
            code; the message suggests close codes.
        """
        try:
            return self.villages[self._village_index[code]]
        except (KeyError, TypeError):
            raise unknown_code("village with code", code, f"region {self.code}", self._village_index) from None

    def village_index(self, code: str) -> int:
        """Row of the village with this code in :attr:`villages` and in the columns."""
        self.village(code)
        return self._village_index[code]

    def district(self, code: str) -> District:
        """The district with this code (:class:`UnknownCodeError` if none, with close codes)."""
        try:
            return self.districts[self._district_index[code]]
        except (KeyError, TypeError):
            raise unknown_code("district with code", code, f"region {self.code}", self._district_index) from None

    def villages_in(self, district_code: str) -> tuple[Village, ...]:
        """The villages of one district, in region order."""
        self.district(district_code)
        return tuple(v for v in self.villages if v.district_code == district_code)

    # -- variants --------------------------------------------------------
    def with_district_backbone(self) -> Region:
        """A copy whose backbone is one point of presence per district office.

        In Banyuwangi the regency network reaches all 25 kecamatan offices
        (itu-wsis-2019); district centroids stand in for the offices.
        """
        pops = tuple(PointOfPresence(id=d.code, name=d.name, location=d.location) for d in self.districts)
        return attrs.evolve(self, backbone=pops)

    def with_population(
        self, population: Mapping[str, int], *, year: int | None = None, households: Mapping[str, int] | None = None
    ) -> Region:
        """A copy with newer population (and optionally household) figures.

        Parameters
        ----------
        population : mapping of village code to int
            New head-counts; villages not named keep theirs. [people]
        year : int, optional
            Year of the new figures.
        households : mapping of village code to int, optional
            New household counts. Villages given a population but no household
            count get ``population / DEFAULT_HOUSEHOLD_SIZE``.
        """
        households = households or {}
        unknown = sorted((set(population) | set(households)) - set(self._village_index))
        if unknown:
            raise UnknownCodeError(f"unknown village codes: {', '.join(unknown[:10])}", code=unknown[0])
        new = []
        for v in self.villages:
            if v.code in population or v.code in households:
                pop = int(population.get(v.code, v.population))
                hh = households.get(v.code)
                new.append(
                    attrs.evolve(
                        v,
                        population=pop,
                        households=int(hh) if hh is not None else round(pop / DEFAULT_HOUSEHOLD_SIZE),
                        population_year=year if year is not None else v.population_year,
                    )
                )
            else:
                new.append(v)
        return attrs.evolve(self, villages=tuple(new))

    # -- columns ---------------------------------------------------------
    def to_columns(self) -> VillageColumns:
        """The region as a struct of numpy arrays, one row per village."""
        vs = self.villages
        n = len(vs)
        lat = np.fromiter((v.location.lat_deg for v in vs), dtype=np.float64, count=n)
        lon = np.fromiter((v.location.lon_deg for v in vs), dtype=np.float64, count=n)

        def sub_index(name: str) -> NDArray[np.float64]:
            return np.fromiter(
                (np.nan if v.idm is None else getattr(v.idm, name) for v in vs), dtype=np.float64, count=n
            )

        return VillageColumns(
            code=np.array([v.code for v in vs], dtype=np.str_) if n else np.empty(0, dtype=np.str_),
            lat_deg=lat,
            lon_deg=lon,
            population=np.fromiter((v.population for v in vs), dtype=np.int64, count=n),
            households=np.fromiter((v.households for v in vs), dtype=np.int64, count=n),
            is_kelurahan=np.fromiter((v.kind.is_urban for v in vs), dtype=np.bool_, count=n),
            is_desa=np.fromiter((v.kind is VillageKind.DESA for v in vs), dtype=np.bool_, count=n),
            district_index=np.fromiter((self._district_index[v.district_code] for v in vs), dtype=np.int64, count=n),
            idm_iks=sub_index("iks"),
            idm_ike=sub_index("ike"),
            idm_ikl=sub_index("ikl"),
            pop_lat_deg=np.array([b.location.lat_deg for b in self.backbone], dtype=np.float64),
            pop_lon_deg=np.array([b.location.lon_deg for b in self.backbone], dtype=np.float64),
        )
