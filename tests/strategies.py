"""Hypothesis strategies for every model class.

Every strategy builds objects that are valid *by construction*: regions whose
villages name existing districts with unique codes (in both the ``FREE`` and
the ``KEMENDAGRI`` code system, where codes agree with village kinds), and
programmes whose services name existing pillars. Text fields draw from
:func:`awkward_text`, which favours the characters that break writers
(quotes, backslashes, newlines, control characters, non-ASCII, emoji).
"""

from __future__ import annotations

import math
import string
from typing import Any

from hypothesis import strategies as st

from smartkampung.model import (
    AdoptionModel,
    CodeSystem,
    District,
    IDMDimension,
    IDMScore,
    Location,
    Pillar,
    PointOfPresence,
    Programme,
    Region,
    Service,
    Technology,
    Village,
    VillageKind,
)

__all__ = [
    "AWKWARD_STRINGS",
    "awkward_text",
    "districts",
    "finite_nonneg_floats",
    "identifiers",
    "idm_scores",
    "json_values",
    "locations",
    "nonneg_floats",
    "pillars",
    "points_of_presence",
    "programmes",
    "regions",
    "services",
    "technologies",
    "toml_documents",
    "villages",
]

#: Strings that have broken serialisers somewhere: quoting, escapes, control
#: characters, line separators, non-BMP characters, TOML/JSON syntax.
AWKWARD_STRINGS = (
    "",
    '"',
    "'",
    "\\",
    '\\"',
    '"""',
    "'''",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x1f",
    "\x7f",
    "\u2028\u2029",
    "\ufeff",
    "é",
    "Kecamatan Glagah — desa",
    "Bañuwangi",
    "ตำบล",
    "xã Phường",
    "😀🇮🇩",
    "a = 1",
    "[table]",
    "[[x]]",
    "# comment",
    "{}",
    "null",
    "inf",
    "nan",
    "true",
    "1e300",
    " leading and trailing ",
)

_CHARS = st.characters(codec="utf-8")  # every code point except surrogates


def awkward_text(*, min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[str]:
    """Text biased towards characters that break writers."""
    fragments = st.one_of(st.sampled_from(AWKWARD_STRINGS), st.text(_CHARS, max_size=4))
    joined = st.lists(fragments, max_size=3).map("".join)
    return st.one_of(st.sampled_from(AWKWARD_STRINGS), st.text(_CHARS, max_size=max_size), joined).filter(
        lambda s: min_size <= len(s)
    )


#: Floats at the ends of the double range, which a writer must keep exactly.
_EXTREME_FLOATS = (
    0.0,
    -0.0,
    5e-324,
    1e-300,
    2.2250738585072014e-308,
    1e300,
    1.7976931348623157e308,
    0.1,
    1 / 3,
    123456789.123456789,
)


def finite_nonneg_floats(max_value: float | None = None) -> st.SearchStrategy[float]:
    """Non-negative finite floats, with the extremes of the range over-represented."""
    extremes = [x for x in _EXTREME_FLOATS if x >= 0 and (max_value is None or x <= max_value)]
    return st.one_of(
        st.sampled_from(extremes), st.floats(min_value=0.0, max_value=max_value, allow_nan=False, allow_infinity=False)
    )


def nonneg_floats() -> st.SearchStrategy[float]:
    """Non-negative floats including infinity (fields validated ``>= 0`` accept it)."""
    return st.one_of(finite_nonneg_floats(), st.just(math.inf))


def _positive_floats() -> st.SearchStrategy[float]:
    """Positive floats including infinity: ranges and capacities, where ``inf`` means no limit."""
    return st.one_of(
        st.just(math.inf),
        st.sampled_from([5e-324, 1e-300, 1e300]),
        st.floats(min_value=0.0, exclude_min=True, allow_nan=False, allow_infinity=True),
    )


def _positive_up_to(maximum: float) -> st.SearchStrategy[float]:
    """Positive finite floats up to ``maximum``, the ends over-represented."""
    return st.one_of(
        st.sampled_from([5e-324, 1e-300, maximum]),
        st.floats(min_value=0.0, max_value=maximum, exclude_min=True, allow_nan=False),
    )


#: The domains of the model's numeric fields (see docs/adapting.rst, "Value ranges").
MAX_MONEY, MAX_RATE, MAX_TRANSACTIONS, MAX_BANDWIDTH = 1e15, 100.0, 10_000.0, 1e5


def codes() -> st.SearchStrategy[str]:
    """Village and district codes: awkward but visible text (no control characters, not blank)."""
    return awkward_text(min_size=1).filter(
        lambda s: bool(s.strip()) and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in s)
    )


def identifiers() -> st.SearchStrategy[str]:
    """Ids as programmes require them: ``^[a-z][a-z0-9_]*$``."""
    return st.from_regex(r"\A[a-z][a-z0-9_]{0,10}\Z")


# --------------------------------------------------------------------------- geography


def locations() -> st.SearchStrategy[Location]:
    """Any valid WGS84 point, the poles and the antimeridian included."""
    lat = st.one_of(st.sampled_from([-90.0, 90.0, 0.0, -0.0, 1e-300, -8.36]), st.floats(-90.0, 90.0, allow_nan=False))
    lon = st.one_of(st.sampled_from([-180.0, 180.0, 0.0, 5e-324, 114.21]), st.floats(-180.0, 180.0, allow_nan=False))
    return st.builds(Location, lat, lon)


def points_of_presence(id: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[PointOfPresence]:
    """A backbone point of presence."""
    return st.builds(PointOfPresence, id if id is not None else awkward_text(min_size=1), awkward_text(), locations())


def idm_scores() -> st.SearchStrategy[IDMScore]:
    """IDM sub-indices anywhere in [0, 1]."""
    unit = st.one_of(st.sampled_from([0.0, 1.0, 1e-300, 0.5989, 0.7072]), st.floats(0.0, 1.0))
    return st.builds(IDMScore, unit, unit, unit)


def districts(code: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[District]:
    """A district (kecamatan, municipality)."""
    return st.builds(District, code if code is not None else codes(), awkward_text(), locations())


_populations = st.one_of(st.sampled_from([0, 1, 5613, 14074]), st.integers(0, 10**7))


@st.composite
def villages(
    draw: st.DrawFn, *, code: str | None = None, district_code: str | None = None, kind: VillageKind | None = None
) -> Village:
    """A village of any kind; kelurahan never carry an IDM score.

    ``households`` is sometimes left to its derived default, and optional
    fields are sometimes None, so both paths of each are exercised.
    """
    if kind is None:
        kind = draw(st.sampled_from(list(VillageKind)))
    population = draw(_populations)
    kwargs: dict[str, Any] = {}
    if draw(st.booleans()):
        kwargs["households"] = draw(st.integers(0, population))
    kwargs["population_year"] = draw(st.one_of(st.none(), st.integers(1900, 2100)))
    if kind is not VillageKind.KELURAHAN:
        kwargs["idm"] = draw(st.one_of(st.none(), idm_scores()))
    return Village(
        code=code if code is not None else draw(codes()),
        name=draw(awkward_text()),
        kind=kind,
        district_code=district_code if district_code is not None else draw(codes()),
        location=draw(locations()),
        population=population,
        **kwargs,
    )


_countries = st.text(string.ascii_uppercase, min_size=2, max_size=2)


@st.composite
def _free_region(draw: st.DrawFn, max_districts: int, max_villages: int) -> Region:
    district_codes = draw(st.lists(codes(), min_size=1, max_size=max_districts, unique=True))
    village_codes = draw(st.lists(codes(), max_size=max_villages, unique=True))
    ds = [draw(districts(st.just(c))) for c in district_codes]
    vs = [draw(villages(code=c, district_code=draw(st.sampled_from(district_codes)))) for c in village_codes]
    pop_ids = draw(st.lists(awkward_text(min_size=1), max_size=3, unique=True))
    backbone = [draw(points_of_presence(st.just(i))) for i in pop_ids]
    return Region(
        code=draw(codes()),
        name=draw(awkward_text()),
        country=draw(_countries),
        districts=ds,
        villages=vs,
        backbone=backbone,
        code_system=CodeSystem.FREE,
    )


@st.composite
def _kemendagri_region(draw: st.DrawFn, max_districts: int, max_villages: int) -> Region:
    province = draw(st.integers(11, 99))
    regency = draw(st.integers(1, 99))
    region_code = f"{province:02d}.{regency:02d}"
    district_numbers = draw(st.lists(st.integers(1, 99), min_size=1, max_size=max_districts, unique=True))
    district_codes = [f"{region_code}.{d:02d}" for d in district_numbers]
    ds = [draw(districts(st.just(c))) for c in district_codes]
    # (district, serial) pairs are unique, so codes are unique whatever the kind.
    keys = draw(
        st.lists(st.tuples(st.sampled_from(district_codes), st.integers(0, 999)), max_size=max_villages, unique=True)
    )
    vs = []
    for district_code, serial in keys:
        kind = draw(st.sampled_from([VillageKind.DESA, VillageKind.KELURAHAN]))
        lead = "1" if kind is VillageKind.KELURAHAN else "2"
        vs.append(draw(villages(code=f"{district_code}.{lead}{serial:03d}", district_code=district_code, kind=kind)))
    # Unique by construction (a kelurahan and a desa with the same serial differ in their lead digit,
    # and two desa with the same district and serial are excluded by the unique keys).
    backbone = [
        PointOfPresence(id=d.code, name=d.name, location=d.location) for d in ds[: draw(st.integers(0, len(ds)))]
    ]
    return Region(
        code=region_code,
        name=draw(awkward_text()),
        country="ID",
        districts=ds,
        villages=vs,
        backbone=backbone,
        code_system=CodeSystem.KEMENDAGRI,
    )


def regions(
    code_system: CodeSystem | None = None, *, max_districts: int = 3, max_villages: int = 6
) -> st.SearchStrategy[Region]:
    """A region consistent by construction, in either code system (or the one given)."""
    free = _free_region(max_districts, max_villages)
    kemendagri = _kemendagri_region(max_districts, max_villages)
    if code_system is CodeSystem.FREE:
        return free
    if code_system is CodeSystem.KEMENDAGRI:
        return kemendagri
    return st.one_of(free, kemendagri)


# --------------------------------------------------------------------------- programme


def pillars(id: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Pillar]:
    """A pillar, with or without an IDM dimension."""
    return st.builds(
        Pillar,
        id if id is not None else identifiers(),
        awkward_text(),
        awkward_text(),
        st.one_of(st.none(), st.sampled_from(list(IDMDimension))),
    )


@st.composite
def services(
    draw: st.DrawFn, *, id: str | None = None, pillar: str | None = None, adoption_model: AdoptionModel | None = None
) -> Service:
    """A service with either adoption model (Bass needs p > 0, linear a rate > 0)."""
    model = adoption_model if adoption_model is not None else draw(st.sampled_from(list(AdoptionModel)))
    rates = _positive_up_to(MAX_RATE)
    p = draw(st.one_of(rates, st.just(0.0)) if model is AdoptionModel.LINEAR else rates)
    rate = draw(_positive_up_to(1.0) if model is AdoptionModel.LINEAR else finite_nonneg_floats(1.0))
    return Service(
        id=id if id is not None else draw(identifiers()),
        name=draw(awkward_text()),
        pillar=pillar if pillar is not None else draw(identifiers()),
        p_innovation=p,
        q_imitation=draw(finite_nonneg_floats(MAX_RATE)),
        market_share=draw(st.one_of(st.sampled_from([0.0, 1.0, 1e-300]), st.floats(0.0, 1.0))),
        transactions_per_household_per_year=draw(finite_nonneg_floats(MAX_TRANSACTIONS)),
        bandwidth_mbps=draw(finite_nonneg_floats(MAX_BANDWIDTH)),
        lag_months=draw(st.integers(0, 600)),
        adoption_model=model,
        linear_rate=rate,
        name_local=draw(awkward_text()),
        source=draw(awkward_text()),
    )


def technologies(id: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Technology]:
    """A technology; costs are finite (up to 10^15), range and capacity may be unlimited (``inf``)."""
    return st.builds(
        Technology,
        id=id if id is not None else identifiers(),
        name=awkward_text(),
        capex=finite_nonneg_floats(MAX_MONEY),
        capex_per_km=finite_nonneg_floats(MAX_MONEY),
        opex_per_year=finite_nonneg_floats(MAX_MONEY),
        opex_per_km_year=finite_nonneg_floats(MAX_MONEY),
        opex_per_mbps_year=finite_nonneg_floats(MAX_MONEY),
        max_link_km=_positive_floats(),
        capacity_mbps=_positive_floats(),
        source=awkward_text(),
    )


@st.composite
def programmes(draw: st.DrawFn, *, max_items: int = 4) -> Programme:
    """A programme whose ids are unique and whose services name existing pillars."""
    pillar_ids = draw(st.lists(identifiers(), max_size=max_items, unique=True))
    ps = [draw(pillars(st.just(i))) for i in pillar_ids]
    service_ids = draw(st.lists(identifiers(), max_size=max_items if pillar_ids else 0, unique=True))
    ss = [draw(services(id=i, pillar=draw(st.sampled_from(pillar_ids)))) for i in service_ids]
    tech_ids = draw(st.lists(identifiers(), min_size=1, max_size=3, unique=True))
    ts = [draw(technologies(st.just(i))) for i in tech_ids]
    return Programme(
        name=draw(awkward_text()), pillars=ps, services=ss, technologies=ts, description=draw(awkward_text())
    )


# --------------------------------------------------------------------------- plain data


def json_values(*, max_leaves: int = 20) -> st.SearchStrategy[Any]:
    """Anything :func:`json.loads` can return (without NaN/inf, which standard JSON lacks)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        awkward_text(),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(awkward_text(), inner, max_size=4)),
        max_leaves=max_leaves,
    )


def _toml_values(max_leaves: int) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=False),
        st.sampled_from(_EXTREME_FLOATS),
        awkward_text(),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(awkward_text(), inner, max_size=4)),
        max_leaves=max_leaves,
    )


def toml_documents(*, max_leaves: int = 25) -> st.SearchStrategy[dict[str, Any]]:
    """Nested plain data TOML can express: a table at the top, no None, 64-bit integers.

    NaN is left out because it never compares equal; the TOML tests check it separately.
    """
    return st.dictionaries(awkward_text(), _toml_values(max_leaves), max_size=5)


@st.composite
def neighbour_graphs(draw: st.DrawFn, n: int) -> tuple[str, Any]:
    """A kind and a neighbour argument of the adoption model for ``n`` villages.

    ``"none"`` (None), ``"index"`` (an ``(n, k)`` index array, k 0 to 4) or
    ``"sparse"`` (row-normalised weights with empty rows).
    """
    import numpy as np
    import scipy.sparse as sp

    kind = draw(st.sampled_from(["none", "index", "sparse"]))
    if kind == "index":
        k = draw(st.integers(0, 4))
        rows = draw(st.lists(st.lists(st.integers(0, n - 1), min_size=k, max_size=k), min_size=n, max_size=n))
        return kind, np.array(rows, dtype=np.int64).reshape(n, k)
    if kind == "sparse":
        cells = st.lists(st.sampled_from([0.0, 0.0, 0.5, 1.0, 3.0]), min_size=n, max_size=n)
        dense = np.array(draw(st.lists(cells, min_size=n, max_size=n)))
        sums = dense.sum(axis=1, keepdims=True)
        return kind, sp.csr_array(np.divide(dense, sums, out=np.zeros_like(dense), where=sums > 0))
    return kind, None
