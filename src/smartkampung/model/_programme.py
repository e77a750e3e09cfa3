"""Pillars, services, technologies and the programme that bundles them.

Default catalogues for Banyuwangi's Smart Kampung live here as module
constants. Every number carries its source or is labelled an illustrative
assumption; see ``docs/models.rst`` for the table.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from typing import Any

import attrs

from smartkampung import _defaults
from smartkampung._deprecation import renamed
from smartkampung._errors import FieldError, ModelValidationError, Problem, unknown_code
from smartkampung._validation import (
    MAX_MONEY,
    MAX_MONTHS,
    MAX_RATE_PER_MONTH,
    identifier,
    instance_of,
    matches,
    number,
    optional,
    text,
    whole,
)
from smartkampung.model._village import _as_tuple

__all__ = [
    "DEFAULT_TECHNOLOGIES",
    "IDR_PER_USD",
    "SEED_STRANDS",
    "SMART_KAMPUNG_CRITERIA",
    "SMART_KAMPUNG_SERVICES",
    "AdoptionModel",
    "IDMDimension",
    "Pillar",
    "Programme",
    "Service",
    "Technology",
    "smart_kampung_programme",
]

#: Rupiah per US dollar used to convert USD reference costs. Illustrative
#: assumption: the rate moved between about 13,300 and 16,300 over 2016–2024.
IDR_PER_USD: float = _defaults.IDR_PER_USD

# Domains (docs/adapting.rst, "Value ranges"): every number finite unless
# infinity means "no limit", and bounded so that no product overflows.
_money = number(0.0, MAX_MONEY)
_rate = number(0.0, MAX_RATE_PER_MONTH)
_fraction = number(0.0, 1.0)
#: Transactions per household per year: at most about one an hour.
_transactions = number(0.0, 10_000.0)
#: Bandwidth of one service or one village office: up to 10^5 Mbps (100 Gbps).
_bandwidth = number(0.0, 1e5)
#: A range or capacity: > 0, ``inf`` meaning "no limit".
_limit = number(0.0, exclusive_minimum=True, allow_inf=True)
_ident = identifier()
_name = text(control=True)


class IDMDimension(enum.Enum):
    """The IDM sub-index a pillar's adoption moves: social (IKS), economic (IKE) or ecological (IKL)."""

    SOCIAL = "social"
    ECONOMIC = "economic"
    ECOLOGICAL = "ecological"


@attrs.frozen
class Pillar:
    """One strand of a programme.

    Parameters
    ----------
    id : str
        Identifier (lower-case, digits and ``_``), unique within a programme.
    name : str
        English name.
    name_local : str, optional
        Name in the local language (Indonesian for Smart Kampung).
    idm_dimension : IDMDimension, optional
        The IDM dimension this pillar's services count toward: an IDM effect
        rule driven by that dimension (e.g. ``"social"``, the residents'
        internet rule of :data:`~smartkampung.model.DEFAULT_PROGRAMME_EFFECTS`)
        reads their adoption. None for a pillar that counts toward none.
    """

    id: str = attrs.field(validator=_ident)
    name: str = attrs.field(validator=_name)
    name_local: str = attrs.field(default="", validator=_name)
    idm_dimension: IDMDimension | None = attrs.field(default=None, validator=optional(instance_of(IDMDimension)))


#: The seven Smart Kampung criteria of the regency (kriteria / ruang lingkup);
#: a village is "maju" when all seven are met. Sources: antara-246875,
#: beritadaerah-2021-11-17, itu-wsis-2019 (see docs/data.rst). The IDM
#: dimension each moves is a modelling choice of this library: the IKS
#: includes internet at the village office and for residents, health,
#: education and social-security indicators; the IKE covers production,
#: trade and credit.
SMART_KAMPUNG_CRITERIA: tuple[Pillar, ...] = (
    Pillar("public_services", "Public services", "Pelayanan publik", IDMDimension.SOCIAL),
    Pillar("economic_empowerment", "Economic empowerment", "Pemberdayaan ekonomi", IDMDimension.ECONOMIC),
    Pillar("health", "Health services", "Pelayanan kesehatan", IDMDimension.SOCIAL),
    Pillar(
        "education_culture",
        "Education, arts and culture",
        "Pengembangan pendidikan dan seni-budaya",
        IDMDimension.SOCIAL,
    ),
    Pillar("human_resources", "Human-resource capacity", "Peningkatan SDM", IDMDimension.SOCIAL),
    Pillar("poverty_alleviation", "Poverty alleviation", "Pengentasan kemiskinan", IDMDimension.SOCIAL),
    Pillar("legal_literacy", "Legal-information literacy", "Melek informasi hukum", IDMDimension.SOCIAL),
)

#: The programme's strands as the launch coverage describes them (fibre-optic
#: ICT, productive and creative economy, education and health, poverty
#: reduction). Sources: merdeka-2016-05-31, jawapos-2017-01-02.
SEED_STRANDS: tuple[Pillar, ...] = (
    Pillar("ict_fibre", "ICT on fibre optic", "TIK berbasis serat optik", IDMDimension.SOCIAL),
    Pillar("productive_economy", "Productive economy", "Ekonomi produktif", IDMDimension.ECONOMIC),
    Pillar("creative_economy", "Creative economy", "Ekonomi kreatif", IDMDimension.ECONOMIC),
    Pillar("education_health", "Education and health", "Pendidikan dan kesehatan", IDMDimension.SOCIAL),
    Pillar("poverty_alleviation", "Poverty alleviation", "Pengentasan kemiskinan", IDMDimension.SOCIAL),
)


class AdoptionModel(enum.Enum):
    """How a service spreads once a village is connected."""

    BASS = "bass"  #: spatial Bass diffusion (DESIGN.md)
    LINEAR = "linear"  #: a constant share of the market per month, capped at the market


@attrs.frozen
class Service:
    """Something a household can do at or through a connected village office.

    Parameters
    ----------
    id : str
        Identifier, unique within a programme.
    name : str
        English name.
    pillar : str
        Id of the pillar it belongs to.
    p_innovation : float
        Bass coefficient of innovation, 0 to 100. [month⁻¹]
    q_imitation : float
        Bass coefficient of imitation, 0 to 100. [month⁻¹]
    market_share : float
        Share of households that may ever use it. [0–1]
    transactions_per_household_per_year : float
        How often an adopting household uses it, 0 to 10,000. [transactions / household / year]
    bandwidth_mbps : float
        Bandwidth it needs at the village office, 0 to 10^5. [Mbps]
    lag_months : int
        Months between connection and the service being offered, 0 to 1,200. [months]
    adoption_model : AdoptionModel
        ``BASS`` (default) or ``LINEAR``.
    linear_rate : float
        For ``LINEAR``: share of the market adopting per month, 0 to 1. [month⁻¹]
    name_local : str
        Local name.
    source : str
        Where the parameters come from, or "illustrative assumption".
    """

    id: str = attrs.field(validator=_ident)
    name: str = attrs.field(validator=_name)
    pillar: str = attrs.field(validator=_ident)
    p_innovation: float = attrs.field(validator=_rate)
    q_imitation: float = attrs.field(validator=_rate)
    market_share: float = attrs.field(validator=_fraction)
    transactions_per_household_per_year: float = attrs.field(validator=_transactions)
    bandwidth_mbps: float = attrs.field(default=1.0, validator=_bandwidth)
    lag_months: int = attrs.field(default=0, validator=whole(0, MAX_MONTHS))
    adoption_model: AdoptionModel = attrs.field(default=AdoptionModel.BASS, validator=instance_of(AdoptionModel))
    linear_rate: float = attrs.field(default=0.0, validator=_fraction)
    name_local: str = attrs.field(default="", validator=_name)
    source: str = attrs.field(default="illustrative assumption", validator=_name)

    def __attrs_post_init__(self) -> None:
        if self.adoption_model is AdoptionModel.BASS and self.p_innovation <= 0:
            raise FieldError("Service", "p_innovation", f"must be > 0 for Bass adoption (service {self.id!r})")
        if self.adoption_model is AdoptionModel.LINEAR and self.linear_rate <= 0:
            raise FieldError("Service", "linear_rate", f"must be > 0 for linear adoption (service {self.id!r})")


# Bass (1969) averages over many products: p = 0.03, q = 0.38 per year
# (Sultan, Farley & Lehmann 1990), i.e. 0.0025 and 0.0317 per month. Village
# e-services replace a trip of up to 3 hours to the regency office, so the
# defaults below assume faster uptake; they are illustrative assumptions.
_ASSUMED = "illustrative assumption"

#: Services offered at Banyuwangi's village offices (smart_kampung_facts.md:
#: radiobintangtenggara-2016-06-12, infokomputer-2017-09, antara-246875,
#: viva-1177889, beritadaerah-2021-11-17). The services are real; their
#: adoption parameters, demand and bandwidth are illustrative assumptions.
SMART_KAMPUNG_SERVICES: tuple[Service, ...] = (
    Service(
        "civil_registration",
        "Population documents (e-KTP, family card, birth certificate)",
        "public_services",
        0.010,
        0.12,
        0.90,
        0.5,
        2.0,
        1,
        name_local="Dokumen kependudukan",
        source=_ASSUMED,
    ),
    Service(
        "poverty_declaration",
        "Poverty declaration (SPM) for free health care",
        "poverty_alleviation",
        0.020,
        0.15,
        0.12,
        1.0,
        0.5,
        1,
        name_local="Surat Pernyataan Miskin",
        source=_ASSUMED,
    ),
    Service(
        "police_record",
        "Police record certificate (SKCK)",
        "legal_literacy",
        0.005,
        0.08,
        0.20,
        0.3,
        0.5,
        3,
        name_local="Surat Keterangan Catatan Kepolisian",
        source=_ASSUMED,
    ),
    Service(
        "business_letters",
        "Business and domicile letters",
        "economic_empowerment",
        0.008,
        0.10,
        0.35,
        1.0,
        0.5,
        1,
        name_local="Surat keterangan usaha dan domisili",
        source=_ASSUMED,
    ),
    Service(
        "posyandu_records",
        "Electronic posyandu health records (Siap Cantik)",
        "health",
        0.015,
        0.18,
        0.30,
        6.0,
        1.0,
        6,
        name_local="Siap Cantik (posyandu elektronik)",
        source=_ASSUMED,
    ),
    Service(
        "e_learning",
        "E-learning at the village library corner",
        "education_culture",
        0.004,
        0.10,
        0.40,
        12.0,
        5.0,
        3,
        name_local="Pojok baca dan e-learning",
        source=_ASSUMED,
    ),
    Service(
        "village_marketplace",
        "Village marketplace for local products",
        "economic_empowerment",
        0.003,
        0.09,
        0.25,
        12.0,
        2.0,
        6,
        name_local="Pasar desa daring",
        source=_ASSUMED,
    ),
    Service(
        "village_budgeting",
        "e-Village Budgeting: public view of the village budget",
        "human_resources",
        0.002,
        0.0,
        0.30,
        1.0,
        0.2,
        0,
        adoption_model=AdoptionModel.LINEAR,
        linear_rate=0.01,
        name_local="e-Village Budgeting",
        source=_ASSUMED,
    ),
)


@renamed("capex_idr", "capex_idr_per_km", "opex_idr_per_year", "opex_idr_per_km_year", "opex_idr_per_mbps_year")
@attrs.frozen
class Technology:
    """A way to connect a village office, with its cost parameters.

    Lifetime cost of one village = ``capex + capex_per_km × link_km``
    plus the discounted stream of ``opex_per_year + opex_per_km_year ×
    link_km + opex_per_mbps_year × demand_mbps``. Every cost is in the
    programme's currency (:attr:`Programme.currency`).

    Parameters
    ----------
    id : str
        ``fibre``, ``microwave``, ``cellular``, ``satellite`` or a user's own.
    name : str
        Display name.
    capex : float
        Up-front cost per village (equipment, installation), in the programme's currency. [currency]
    capex_per_km : float
        Up-front cost per km of link. [currency/km]
    opex_per_year : float
        Running cost per village (bandwidth, maintenance). [currency/year]
    opex_per_km_year : float
        Running cost per km of link. [currency/km/year]
    opex_per_mbps_year : float
        Running cost per Mbps of village demand. [currency/Mbps/year]
    max_link_km : float
        Longest feasible link (to the parent node or a point of presence);
        ``inf`` for no limit. [km]
    capacity_mbps : float
        Most bandwidth one village can get; ``inf`` for no limit. [Mbps]
    source : str
        Where the cost figures come from.

    Notes
    -----
    Every cost is finite, 0 to 10^15 (see docs/adapting.rst, "Value
    ranges"): a technology that cannot be had is left out of the
    programme, not given an infinite price. The names ending in ``_idr``
    (``capex_idr``, ...) work until the next release, with a
    :class:`DeprecationWarning`.
    """

    id: str = attrs.field(validator=_ident)
    name: str = attrs.field(validator=_name)
    capex: float = attrs.field(validator=_money)
    capex_per_km: float = attrs.field(default=0.0, validator=_money)
    opex_per_year: float = attrs.field(default=0.0, validator=_money)
    opex_per_km_year: float = attrs.field(default=0.0, validator=_money)
    opex_per_mbps_year: float = attrs.field(default=0.0, validator=_money)
    max_link_km: float = attrs.field(default=math.inf, validator=_limit)
    capacity_mbps: float = attrs.field(default=math.inf, validator=_limit)
    source: str = attrs.field(default=_ASSUMED, validator=_name)


#: Reference technologies, priced in rupiah (IDR). Fibre: USD 5,000 per km (the low end of the public
#: USD 5,000–20,000/km range, for aerial fibre on existing poles), bandwidth
#: Rp 10 million per village per year (what Banyuwangi desa paid,
#: banyu-wangi-2016-04). Microwave: about USD 2,000 per link (public cost
#: models) plus an assumed USD 5,000 mast. Satellite: an assumed USD 500
#: terminal and USD 100 per Mbps per month. Cellular, ranges, capacities and
#: maintenance are illustrative assumptions.
DEFAULT_TECHNOLOGIES: tuple[Technology, ...] = (
    Technology(
        "fibre",
        "Fibre optic",
        capex=10e6,
        capex_per_km=5_000 * IDR_PER_USD,
        opex_per_year=10e6,
        opex_per_km_year=0.01 * 5_000 * IDR_PER_USD,
        capacity_mbps=1_000.0,
        source="USD 5,000/km (public cost models, low end); bandwidth Rp 10 million/yr "
        "(banyu-wangi-2016-04); office equipment and maintenance assumed",
    ),
    Technology(
        "microwave",
        "Point-to-point microwave",
        capex=(2_000 + 5_000) * IDR_PER_USD,
        opex_per_year=10e6 + 5e6,
        max_link_km=30.0,
        capacity_mbps=300.0,
        source="USD 2,000/link (public cost models) + assumed USD 5,000 mast; range assumed",
    ),
    Technology(
        "cellular",
        "Cellular (4G) router",
        capex=3e6,
        opex_per_year=12e6,
        max_link_km=5.0,
        capacity_mbps=20.0,
        source=_ASSUMED,
    ),
    Technology(
        "satellite",
        "Satellite (VSAT)",
        capex=500 * IDR_PER_USD,
        opex_per_mbps_year=100 * 12 * IDR_PER_USD,
        capacity_mbps=50.0,
        source="terminal a few hundred USD plus bandwidth per Mbps (public cost models); values assumed",
    ),
)


def _unique_problems(items: Iterable[Any], kind: str) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for i, item in enumerate(items):
        if item.id in seen:
            problems.append(Problem(f"duplicate {kind} id {item.id!r}", record=f"{kind}s[{i}]", field="id"))
        seen.add(item.id)
    return problems


@attrs.frozen
class Programme:
    """A smart-village programme: its pillars, services and connection technologies.

    Parameters
    ----------
    name : str
        Name of the programme.
    pillars : tuple of Pillar
        Its pillars; ids unique.
    services : tuple of Service
        Its services; ids unique, each naming one of ``pillars``.
    technologies : tuple of Technology
        Ways to connect a village office; ids unique. Default
        :data:`DEFAULT_TECHNOLOGIES`.
    description : str
        Free text.
    currency : str
        ISO 4217 code (three capital letters) of every amount of money of
        the programme and of the scenarios that run it: the technologies'
        costs, the rollout budget, the travel cost and value of time, and
        every money metric of the results. Default ``"IDR"`` (rupiah, the
        currency of the bundled defaults). Amounts are not converted: give
        them all in this currency (:func:`smartkampung.countries.starter_programme`
        converts the reference costs for a country). In files:
        ``currency = "PHP"`` in the programme file or the scenario's
        ``[programme]`` table.

    Raises
    ------
    ModelValidationError
        On duplicate ids or a service whose pillar is not in ``pillars``.
    """

    name: str = attrs.field(validator=_name)
    pillars: tuple[Pillar, ...] = attrs.field(converter=_as_tuple)
    services: tuple[Service, ...] = attrs.field(converter=_as_tuple)
    technologies: tuple[Technology, ...] = attrs.field(default=DEFAULT_TECHNOLOGIES, converter=_as_tuple)
    description: str = attrs.field(default="", validator=_name)
    # Rupiah: the currency of Smart Kampung and of every bundled default amount.
    currency: str = attrs.field(
        default="IDR",
        validator=matches(r"[A-Z]{3}", "an ISO 4217 currency code of three capital letters, such as 'IDR' or 'PHP'"),
    )

    def __attrs_post_init__(self) -> None:
        problems = _unique_problems(self.pillars, "pillar")
        problems += _unique_problems(self.services, "service")
        problems += _unique_problems(self.technologies, "technology")
        pillar_ids = {p.id for p in self.pillars}
        for i, s in enumerate(self.services):
            if s.pillar not in pillar_ids:
                problems.append(
                    Problem(
                        f"service {s.id!r} names unknown pillar {s.pillar!r} "
                        f"(known: {', '.join(sorted(pillar_ids)) or 'none'})",
                        record=f"services[{i}]",
                        field="pillar",
                    )
                )
        if not self.technologies:
            problems.append(Problem("a programme needs at least one technology", field="technologies"))
        if problems:
            raise ModelValidationError(problems)

    def pillar(self, pillar_id: str) -> Pillar:
        """The pillar with this id."""
        for p in self.pillars:
            if p.id == pillar_id:
                return p
        raise unknown_code("pillar", pillar_id, f"programme {self.name!r}", [p.id for p in self.pillars])

    def service(self, service_id: str) -> Service:
        """The service with this id."""
        for s in self.services:
            if s.id == service_id:
                return s
        raise unknown_code("service", service_id, f"programme {self.name!r}", [s.id for s in self.services])

    def technology(self, technology_id: str) -> Technology:
        """The technology with this id."""
        for t in self.technologies:
            if t.id == technology_id:
                return t
        raise unknown_code("technology", technology_id, f"programme {self.name!r}", [t.id for t in self.technologies])


def smart_kampung_programme() -> Programme:
    """Banyuwangi's Smart Kampung: the seven criteria, its village services, reference technologies."""
    return Programme(
        name="Smart Kampung (Banyuwangi)",
        pillars=SMART_KAMPUNG_CRITERIA,
        services=SMART_KAMPUNG_SERVICES,
        technologies=DEFAULT_TECHNOLOGIES,
        description="Fibre to every village office and public services at the village; "
        "launched 31 May 2016 (merdeka-2016-05-31).",
    )
