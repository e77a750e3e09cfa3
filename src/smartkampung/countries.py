"""Country profiles for partner cities: currency, household size, value of time, village kinds, services.

:data:`COUNTRY_PROFILES` holds one :class:`CountryProfile` per country
(Indonesia, the Philippines, Thailand, Viet Nam, Malaysia), each number with
its source or marked as an illustrative assumption. :func:`starter_programme`
and :func:`starter_scenario` turn a profile into the starting pieces that
``smartkampung init --from-csv villages.csv --country PH`` writes: a
programme whose services fit the country (no e-KTP or posyandu outside
Indonesia) and whose costs are in the country's currency, and a scenario
with the country's household size and value of time.

Money: the reference technology costs are in US dollars in the public cost
models (see :data:`smartkampung.model.DEFAULT_TECHNOLOGIES`); a profile
converts them at a rounded exchange rate, an illustrative assumption to be
replaced by local quotes. The starter programme states the profile's
currency (:attr:`Programme.currency <smartkampung.model.Programme.currency>`),
so summaries, CSV headers and the report show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from smartkampung import _defaults
from smartkampung._errors import ParameterError
from smartkampung.model import (
    SMART_KAMPUNG_CRITERIA,
    SMART_KAMPUNG_SERVICES,
    Fixed,
    IDMAssumptions,
    IDMDimension,
    OutcomeAssumptions,
    Pillar,
    Programme,
    RegionSource,
    RolloutAssumptions,
    Scenario,
    Service,
    Technology,
    VillageKind,
)

__all__ = [
    "COUNTRY_PROFILES",
    "CountryProfile",
    "country_profile",
    "starter_programme",
    "starter_scenario",
    "starter_technologies",
]

_ASSUMED: Final[str] = _defaults.ASSUMPTION


@attrs.frozen
class CountryProfile:
    """What a starter scenario needs to know about a country.

    Attributes
    ----------
    code : str
        ISO 3166-1 alpha-2 code.
    name : str
        English name.
    currency : str
        ISO 4217 code of the money in the programme.
    per_usd : float
        Units of ``currency`` per US dollar, for the USD reference costs. [currency/USD]
    per_usd_source : str
    household_size : float
        Persons per household in the latest census. [people/household]
    household_size_source : str
    value_of_time_per_hour : float
        Value of an hour of travel. [currency/h]
    value_of_time_source : str
    village_kinds : tuple of VillageKind
        The village levels of the country, the usual one first.
    language : str
        Language of the report and summary for the country's offices (``"id"``
        for Indonesia, else ``"en"``).
    pillars : tuple of Pillar
    services : tuple of Service
        A starter catalogue that fits the country; adoption parameters are
        the Smart Kampung illustrative assumptions.
    """

    code: str
    name: str
    currency: str
    per_usd: float
    per_usd_source: str
    household_size: float
    household_size_source: str
    value_of_time_per_hour: float
    value_of_time_source: str
    village_kinds: tuple[VillageKind, ...]
    language: str
    pillars: tuple[Pillar, ...]
    services: tuple[Service, ...]

    @property
    def default_kind(self) -> VillageKind:
        """The usual village level (``barangay`` in the Philippines)."""
        return self.village_kinds[0]

    @property
    def has_idm(self) -> bool:
        """Whether the national village index (IDM) applies: Indonesian desa only."""
        return self.code == "ID"


def _pillars(names: Mapping[str, str]) -> tuple[Pillar, ...]:
    """The five generic pillars, with local names where given."""
    return (
        Pillar("public_services", "Public services", names.get("public_services", ""), IDMDimension.SOCIAL),
        Pillar(
            "economic_empowerment", "Economic empowerment", names.get("economic_empowerment", ""), IDMDimension.ECONOMIC
        ),
        Pillar("health", "Health services", names.get("health", ""), IDMDimension.SOCIAL),
        Pillar("education", "Education", names.get("education", ""), IDMDimension.SOCIAL),
        Pillar("poverty_alleviation", "Poverty alleviation", names.get("poverty_alleviation", ""), IDMDimension.SOCIAL),
    )


# Adoption parameters reuse Smart Kampung's (illustrative assumptions): a
# document service like civil registration, a welfare letter like the SPM, ...
_LIKE = {s.id: s for s in SMART_KAMPUNG_SERVICES}


def _service(sid: str, name: str, pillar: str, like: str, local: str = "") -> Service:
    base = _LIKE[like]
    return attrs.evolve(
        base,
        id=sid,
        name=name,
        pillar=pillar,
        name_local=local,
        source=f"{_ASSUMED}: the parameters of Smart Kampung's {base.id!r} service",
    )


def _common(local: Mapping[str, str]) -> tuple[Service, ...]:
    return (
        _service("e_learning", "E-learning at the village office", "education", "e_learning", local.get("e", "")),
        _service(
            "village_marketplace",
            "Online market for local products",
            "economic_empowerment",
            "village_marketplace",
            local.get("m", ""),
        ),
    )


_PH = CountryProfile(
    code="PH",
    name="Philippines",
    currency="PHP",
    per_usd=57.0,
    per_usd_source=f"{_ASSUMED}: a rounded 2024 rate; the peso moved between about 55 and 59 per USD",
    household_size=4.1,
    household_size_source="Philippine Statistics Authority, 2020 Census of Population and Housing: average "
    "household size 4.1 (release 2022-111, 23 March 2022)",
    value_of_time_per_hour=440.0 / 8.0,
    value_of_time_source="Western Visayas daily minimum wage for agriculture, PHP 440 from 16 Nov 2023 (Wage "
    "Order No. RBVI-27, covering Guimaras), over 8 hours; valuing all travel time at the "
    "minimum wage is an illustrative assumption",
    village_kinds=(VillageKind.BARANGAY,),
    language="en",
    pillars=_pillars({}),
    services=(
        _service(
            "barangay_clearance",
            "Barangay clearance and certificate of residency",
            "public_services",
            "business_letters",
        ),
        _service(
            "civil_registry_requests",
            "Civil registry copies (PSA birth, marriage certificates) requested through the barangay",
            "public_services",
            "civil_registration",
        ),
        _service(
            "certificate_of_indigency",
            "Certificate of indigency for medical and financial assistance",
            "poverty_alleviation",
            "poverty_declaration",
        ),
        _service("business_clearance", "Barangay business clearance", "economic_empowerment", "business_letters"),
        _service(
            "health_station_records",
            "Barangay health station records and teleconsultation",
            "health",
            "posyandu_records",
        ),
        *_common({}),
    ),
)

_TH = CountryProfile(
    code="TH",
    name="Thailand",
    currency="THB",
    per_usd=35.0,
    per_usd_source=f"{_ASSUMED}: a rounded 2023-2024 rate (35.37 baht per USD on 8 Dec 2023, Reuters)",
    household_size=3.2,
    household_size_source="National Statistical Office of Thailand, 2010 Population and Housing Census, "
    "preliminary results: 65.4 million people in 20.3 million households (3.2 persons)",
    value_of_time_per_hour=340.0 / 8.0,
    value_of_time_source="340 baht a day, the 2024 minimum wage of many rural provinces (Labour Ministry, "
    "effective 1 Jan 2024; The Nation, 9 Dec 2023), over 8 hours; valuing all travel time "
    "at the minimum wage is an illustrative assumption",
    village_kinds=(VillageKind.TAMBON, VillageKind.MUBAN),
    language="en",
    pillars=_pillars({"public_services": "บริการสาธารณะ", "health": "สาธารณสุข", "education": "การศึกษา"}),
    services=(
        _service(
            "civil_registration",
            "Civil registration documents (house registration, ID card)",
            "public_services",
            "civil_registration",
            "ทะเบียนราษฎร",
        ),
        _service("welfare_card", "State welfare card registration", "poverty_alleviation", "poverty_declaration"),
        _service(
            "otop_market",
            "Online market for community (OTOP) products",
            "economic_empowerment",
            "village_marketplace",
            "สินค้า OTOP",
        ),
        _service(
            "tambon_health_records",
            "Sub-district health promoting hospital records and teleconsultation",
            "health",
            "posyandu_records",
            "รพ.สต.",
        ),
        _service("e_learning", "E-learning at the tambon office", "education", "e_learning"),
    ),
)

_VN = CountryProfile(
    code="VN",
    name="Viet Nam",
    currency="VND",
    per_usd=25_000.0,
    per_usd_source=f"{_ASSUMED}: a rounded 2024 rate; the dong moved between about 24,000 and 25,500 per USD",
    household_size=3.5,
    household_size_source="General Statistics Office of Viet Nam, 2019 Population and Housing Census: 96.2 "
    "million people in 26.9 million households, 3.5 persons each (results of 11 July 2019)",
    value_of_time_per_hour=16_600.0,
    value_of_time_source=f"{_ASSUMED}: VND 16,600 an hour, the region-IV hourly minimum wage of Decree "
    "74/2024/ND-CP as we understand it (not checked against the decree's text)",
    village_kinds=(VillageKind.XA, VillageKind.PHUONG),
    language="en",
    pillars=_pillars(
        {
            "public_services": "Dịch vụ công",
            "economic_empowerment": "Phát triển kinh tế",
            "health": "Y tế",
            "education": "Giáo dục",
            "poverty_alleviation": "Giảm nghèo",
        }
    ),
    services=(
        _service(
            "online_public_services",
            "Online public services (National Public Service Portal)",
            "public_services",
            "civil_registration",
            "Dịch vụ công trực tuyến",
        ),
        _service(
            "civil_status",
            "Civil status registration (birth, marriage)",
            "public_services",
            "business_letters",
            "Đăng ký hộ tịch",
        ),
        _service(
            "poor_household_certificate",
            "Poor-household certification",
            "poverty_alleviation",
            "poverty_declaration",
            "Xác nhận hộ nghèo",
        ),
        _service(
            "commune_health_records",
            "Commune health station records and teleconsultation",
            "health",
            "posyandu_records",
            "Trạm y tế xã",
        ),
        *_common({}),
    ),
)

_MY = CountryProfile(
    code="MY",
    name="Malaysia",
    currency="MYR",
    per_usd=4.6,
    per_usd_source=f"{_ASSUMED}: a rounded 2024 rate; the ringgit moved between about 4.3 and 4.8 per USD",
    household_size=3.8,
    household_size_source="Department of Statistics Malaysia, Population and Housing Census 2020, key findings: "
    "average household size 3.8 (4.3 in 2010)",
    value_of_time_per_hour=7.21,
    value_of_time_source="the hourly minimum wage of RM 7.21 that goes with RM 1,500 a month (Minimum Wages "
    "Order 2022); valuing all travel time at the minimum wage is an illustrative assumption",
    village_kinds=(VillageKind.KAMPUNG,),
    language="en",
    pillars=_pillars(
        {
            "public_services": "Perkhidmatan awam",
            "economic_empowerment": "Pemerkasaan ekonomi",
            "health": "Kesihatan",
            "education": "Pendidikan",
            "poverty_alleviation": "Pembasmian kemiskinan",
        }
    ),
    services=(
        _service(
            "online_government_services",
            "Online government services",
            "public_services",
            "civil_registration",
            "Perkhidmatan kerajaan dalam talian",
        ),
        _service(
            "birth_death_registration",
            "Birth and death registration",
            "public_services",
            "business_letters",
            "Pendaftaran kelahiran dan kematian",
        ),
        _service(
            "ekasih_registration",
            "eKasih poverty registration",
            "poverty_alleviation",
            "poverty_declaration",
            "Pendaftaran eKasih",
        ),
        _service(
            "klinik_desa_records",
            "Rural clinic (Klinik Desa) records and teleconsultation",
            "health",
            "posyandu_records",
            "Klinik Desa",
        ),
        *_common({"e": "Pembelajaran dalam talian", "m": "Pasaran produk kampung"}),
    ),
)

_ID = CountryProfile(
    code="ID",
    name="Indonesia",
    currency="IDR",
    per_usd=_defaults.IDR_PER_USD,
    per_usd_source=_defaults.DEFAULTS["IDR_PER_USD"].source,
    household_size=_defaults.HOUSEHOLD_SIZE,
    household_size_source=_defaults.DEFAULTS["HOUSEHOLD_SIZE"].source,
    value_of_time_per_hour=_defaults.VALUE_OF_TIME_PER_HOUR,
    value_of_time_source=_defaults.DEFAULTS["VALUE_OF_TIME_PER_HOUR"].source,
    village_kinds=(VillageKind.DESA, VillageKind.KELURAHAN),
    language="id",
    pillars=SMART_KAMPUNG_CRITERIA,
    services=SMART_KAMPUNG_SERVICES,
)

#: The profiles, by ISO 3166-1 alpha-2 code.
COUNTRY_PROFILES: Final[Mapping[str, CountryProfile]] = MappingProxyType({p.code: p for p in (_ID, _PH, _TH, _VN, _MY)})


def country_profile(code: str) -> CountryProfile:
    """The profile of a country by its ISO 3166-1 alpha-2 code (``"PH"``), case-insensitive."""
    key = str(code).upper()
    if key not in COUNTRY_PROFILES:
        raise ParameterError(
            "country",
            f"no profile for {code!r}; known: {', '.join(COUNTRY_PROFILES)} (write your "
            "programme and outcomes by hand for others)",
            function="country_profile",
        )
    return COUNTRY_PROFILES[key]


def _convert(rupiah: float, profile: CountryProfile) -> float:
    """A rupiah reference amount in the profile's currency, through US dollars."""
    if profile.currency == "IDR":
        return rupiah
    return rupiah / _defaults.IDR_PER_USD * profile.per_usd


def starter_technologies(country: str | CountryProfile) -> tuple[Technology, ...]:
    """The reference technologies with costs in the country's currency (converted through USD)."""
    from smartkampung.model import DEFAULT_TECHNOLOGIES

    profile = country if isinstance(country, CountryProfile) else country_profile(country)
    if profile.currency == "IDR":
        return DEFAULT_TECHNOLOGIES
    note = (
        f"; converted from rupiah at {_defaults.IDR_PER_USD:,.0f} IDR/USD and {profile.per_usd:,.6g} "
        f"{profile.currency}/USD ({_ASSUMED}: replace with local quotes)"
    )
    fields = ("capex", "capex_per_km", "opex_per_year", "opex_per_km_year", "opex_per_mbps_year")
    out = []
    for tech in DEFAULT_TECHNOLOGIES:
        costs: dict[str, Any] = {f: _convert(getattr(tech, f), profile) for f in fields}
        out.append(attrs.evolve(tech, source=tech.source + note, **costs))
    return tuple(out)


def starter_programme(country: str | CountryProfile, *, name: str | None = None) -> Programme:
    """A programme for a country: its pillars and services, technologies priced in its currency.

    Its :attr:`~smartkampung.model.Programme.currency` is the country's
    (``"PHP"`` for the Philippines), so every scenario running it and every
    result are in that currency.

    Parameters
    ----------
    country : str or CountryProfile
        ISO 3166-1 alpha-2 code (``"ID"``, ``"PH"``, ``"TH"``, ``"VN"``, ``"MY"``) or a profile.
    name : str, optional
        Programme name. Default: ``"Smart village programme (<country>)"``.
    """
    profile = country if isinstance(country, CountryProfile) else country_profile(country)
    return Programme(
        name=name or f"Smart village programme ({profile.name})",
        pillars=profile.pillars,
        services=profile.services,
        technologies=starter_technologies(profile),
        description=f"Starter programme for {profile.name}: services that fit the country, costs in "
        f"{profile.currency}. Every adoption parameter is an illustrative assumption.",
        currency=profile.currency,
    )


def starter_scenario(
    region: RegionSource,
    *,
    country: str | CountryProfile | None = None,
    name: str | None = None,
    start: str = "2026-01",
    horizon_months: int = _defaults.HORIZON_MONTHS,
    budget_per_month_usd: float = 2.0e9 / _defaults.IDR_PER_USD,
) -> Scenario:
    """A starter scenario for a partner region in its country's terms.

    Parameters
    ----------
    region : RegionSource
        The village CSV and region code and name (``init --from-csv``).
    country : str or CountryProfile, optional
        Default: ``region.country``.
    name : str, optional
        Scenario name. Default: ``"Smart village programme: <region name>"``.
    start : str
        First month, ``YYYY-MM``.
    horizon_months : int
        Months simulated. [months]
    budget_per_month_usd : float
        Building budget per month in US dollars, converted to the country's
        currency. Default: Banyuwangi's later pace, Rp 2 billion a month
        (an illustrative assumption for a new city). [USD/month]

    Returns
    -------
    Scenario
        In the country's currency (:attr:`Scenario.currency
        <smartkampung.model.Scenario.currency>`, from its programme): the
        country's programme (:func:`starter_programme`), the household
        size of its census, its value of time, the fuel cost per km
        converted from Banyuwangi's (an illustrative assumption), no budget
        phases, nothing connected at the start.
    """
    profile = (
        country_profile(region.country if country is None else country)
        if not isinstance(country, CountryProfile)
        else country
    )
    region = attrs.evolve(
        region,
        country=profile.code,
        household_size=profile.household_size,
        kind=region.kind if region.kind in profile.village_kinds else profile.default_kind,
    )
    # 12 significant digits: the dollar round trip leaves no float noise in a written scenario (2e9, not
    # 2000000000.0000002).
    budget = float(f"{budget_per_month_usd * profile.per_usd:.12g}")
    rollout = RolloutAssumptions(budget_per_month=Fixed(budget), policy="population", initially_connected=0)
    outcomes = OutcomeAssumptions(
        cost_per_km=_convert(_defaults.COST_PER_KM, profile),
        value_of_time_per_hour=profile.value_of_time_per_hour,
        # The IDM's indicator rules name Indonesian indicators: none elsewhere.
        idm=IDMAssumptions() if profile.has_idm else IDMAssumptions(effects=()),
    )
    return Scenario(
        name=name or f"Smart village programme: {region.name}",
        region=region,
        programme=starter_programme(profile),
        start=start,
        horizon_months=horizon_months,
        rollout=rollout,
        outcomes=outcomes,
        description=f"Starter scenario for {region.name} ({profile.name}); money in {profile.currency}. "
        f"Household size {profile.household_size} ({profile.household_size_source}). Value of time "
        f"{profile.value_of_time_per_hour:,.4g} {profile.currency}/h ({profile.value_of_time_source}).",
    )
