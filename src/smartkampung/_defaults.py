"""Every default parameter of the package, with its unit and its source.

The one place a default number is written. The numeric core (``sim/``), the
typed objects (``model/``) and the command line read their defaults from
here, and the documentation's table of defaults is generated from
:data:`DEFAULTS`, so a value, its unit and its source cannot drift apart.

A source is a citation (source keys in square brackets refer to the data
documentation, ``docs/data.rst``) or starts with ``"illustrative
assumption"``: a value chosen for the model, not estimated from data, which a
user should replace with their own where it matters.

Money is in the programme's currency; the defaults are rupiah (IDR), the
currency of the bundled Banyuwangi programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, NamedTuple, TypeVar

__all__ = ["ASSUMPTION", "BUILTIN_REGIONS", "DEFAULTS", "POLICIES", "Default"]

T = TypeVar("T")

#: How a source that is not a citation begins.
ASSUMPTION: Final[str] = "illustrative assumption"


class Default(NamedTuple):
    """One default parameter.

    Attributes
    ----------
    name : str
        The constant's name in this module.
    value : object
        Its value.
    unit : str
        Unit, ``"-"`` for a pure number.
    used_by : str
        Where it is used (function or field), for the documentation.
    source : str
        Citation, or ``"illustrative assumption: <why this value>"``.
    """

    name: str
    value: Any
    unit: str
    used_by: str
    source: str

    @property
    def is_assumption(self) -> bool:
        """Whether the value is an illustrative assumption rather than sourced."""
        return self.source.startswith(ASSUMPTION)


_REGISTRY: dict[str, Default] = {}


def _default(name: str, value: T, unit: str, used_by: str, source: str) -> T:
    if name in _REGISTRY:  # pragma: no cover - a programming error caught at import
        raise RuntimeError(f"default {name} defined twice")
    _REGISTRY[name] = Default(name, value, unit, used_by, source)
    return value


# ----------------------------------------------------------------- geometry, network

EARTH_MEAN_RADIUS_KM: Final[float] = _default(
    "EARTH_MEAN_RADIUS_KM",
    6371.0088,
    "km",
    "great-circle distances",
    "mean radius R1 = (2a + b)/3 of the GRS 80 ellipsoid (IUGG): Moritz, H. (2000), Geodetic Reference "
    "System 1980, Journal of Geodesy 74, 128-133, doi:10.1007/s001900050278",
)

ROUTE_FACTOR: Final[float] = _default(
    "ROUTE_FACTOR",
    1.3,
    "-",
    "fibre route length / great-circle length",
    f"{ASSUMPTION}: the middle of the circuity factors of about 1.2-1.4 reported for road networks "
    "(Newell 1980, Traffic Flow on Transportation Networks, about 1.2 in cities; Ballou, Rahardja and Sakai "
    "2002, Int. J. Phys. Distrib. Logist. Manag. 32, national networks)",
)

DISCOUNT_RATE: Final[float] = _default(
    "DISCOUNT_RATE",
    0.09,
    "1/year",
    "lifetime cost of a technology",
    "the general social discount rate of the Asian Development Bank (2017), Guidelines for the Economic "
    "Analysis of Projects, doi:10.22617/TIM178607-2 (6 % allowed for social-sector projects)",
)

HORIZON_YEARS: Final[float] = _default(
    "HORIZON_YEARS",
    10.0,
    "year",
    "lifetime cost of a technology",
    f"{ASSUMPTION}: shorter than the 20-25-year life of buried fibre, about the life of radio and satellite terminals",
)

WATER_CROSSING_USD_PER_KM: Final[float] = _default(
    "WATER_CROSSING_USD_PER_KM",
    35_000.0,
    "USD/km",
    "fibre over water (strait, bay, river mouth)",
    f"{ASSUMPTION}: the industry-wide average of submarine cable systems, about USD 50 billion for some "
    "1.4 million route-km laid 1990-2019 (SubTel Forum, Submarine Telecoms Industry Report, section 2.3); "
    "single systems range from about USD 22,500/km (TEAMS, 2009) to USD 70,000/km; a short village "
    "crossing pays landings and a marine survey that this per-km figure does not show",
)

WATER_COST_FACTOR: Final[float] = _default(
    "WATER_COST_FACTOR",
    35_000.0 / 5_000.0,
    "-",
    "fibre cost per km over water / over land",
    f"{ASSUMPTION}: WATER_CROSSING_USD_PER_KM over the USD 5,000/km of the reference fibre technology, so "
    "the crossing is priced in the programme's own currency",
)

DEMAND_MBPS: Final[float] = _default(
    "DEMAND_MBPS",
    10.0,
    "Mbps",
    "bandwidth of a village office, for technology feasibility",
    f"{ASSUMPTION}: office services, a public Wi-Fi hotspot and a library corner",
)

IDR_PER_USD: Final[float] = _default(
    "IDR_PER_USD",
    15_000.0,
    "IDR/USD",
    "converting USD reference costs",
    f"{ASSUMPTION}: the rate moved between about 13,300 and 16,300 over 2016-2024",
)

HOUSEHOLD_SIZE: Final[float] = _default(
    "HOUSEHOLD_SIZE",
    3.9,
    "people/household",
    "households of a village given only its population",
    f"{ASSUMPTION}: close to Indonesia's 2010 census average of about 3.9 persons per household",
)

# -------------------------------------------------------------------------- adoption

BASS_AVERAGE_PER_YEAR: Final[Mapping[str, float]] = _default(
    "BASS_AVERAGE_PER_YEAR",
    MappingProxyType({"p": 0.03, "q": 0.38}),
    "1/year",
    "Bass coefficients p, q",
    "mean estimates of the meta-analysis of 213 applications: Sultan, Farley and Lehmann (1990), "
    "J. Marketing Research 27, 70-77, doi:10.1177/002224379002700107",
)

NEIGHBOURS: Final[int] = _default(
    "NEIGHBOURS",
    6,
    "villages",
    "size of a village's neighbourhood in the spatial Bass term",
    f"{ASSUMPTION}: the k = 6 nearest villages with equal weights (DESIGN.md), a modelling choice",
)

NEIGHBOUR_WEIGHT: Final[float] = _default(
    "NEIGHBOUR_WEIGHT",
    0.3,
    "-",
    "AdoptionAssumptions.neighbour_weight (w)",
    f"{ASSUMPTION}: word of mouth mostly within the village, some from the neighbours",
)

# -------------------------------------------------------------------------- outcomes

SPEED_KMH: Final[float] = _default(
    "SPEED_KMH",
    100.0 / 3.0,
    "km/h",
    "travel time saved",
    "100 km / 3 h: the farthest Banyuwangi village is '100 km, or 3 hours' drive' from the town "
    "[itu-wsis-2019]; 'up to 3 hours' [jawapos-2017-01-02]; the 100 km read as road distance",
)

ROAD_FACTOR: Final[float] = _default(
    "ROAD_FACTOR",
    1.69,
    "-",
    "road distance / straight-line distance, for travel saved",
    "100 km over the 59.2 km straight line from the town (centroid of Kec. Banyuwangi 35.10.16) to the "
    "farthest village, Desa Sarongan 35.10.01.2001 (centroids of banyuwangi_wilayah.csv); that it is the "
    "village the sources meant is an inference",
)

COST_PER_KM: Final[float] = _default(
    "COST_PER_KM",
    6550.0 / 40.0,
    "IDR/km",
    "out-of-pocket travel cost",
    "Rp 6,550 per litre of Premium petrol in Java-Madura-Bali in late 2016 (jpnn.com, 'Harga Premium "
    "Bakal Turun, Tapi Hanya Sedikit') over 40 km per litre; the fuel economy of a small motorcycle is an "
    "illustrative assumption",
)

VALUE_OF_TIME_PER_HOUR: Final[float] = _default(
    "VALUE_OF_TIME_PER_HOUR",
    1_881_680.0 / 173.0,
    "IDR/h",
    "value of travel time saved",
    "Banyuwangi's 2018 minimum wage (UMK) of Rp 1,881,680 a month (E-Kliping Ketenagakerjaan, 18 Nov "
    "2021, p. 595) over 173 hours (Kepmenakertrans KEP.102/MEN/VI/2004); valuing all travel time at the "
    "minimum wage is an illustrative assumption",
)

TRIPS_PER_TRANSACTION: Final[float] = _default(
    "TRIPS_PER_TRANSACTION",
    1.0,
    "trips",
    "travel saved per transaction",
    f"{ASSUMPTION}: one round trip to the office avoided per transaction done at the village",
)

# ------------------------------------------------------------------------------- IDM

IDM_CUTOFF_MONTH: Final[int] = _default(
    "IDM_CUTOFF_MONTH",
    3,
    "month of year (1-12)",
    "IDMAssumptions.cutoff_month; sim.idm.connection_idm_year, idm_sample_months",
    "IDM Y data are entered in spring of year Y: 1 March - 31 May for IDM 2021 "
    "(kaltim.antaranews.com/amp/berita/101826, 'Pendataan dimulai 1 Maret hingga 31 Mei 2021'), "
    "1 April - 14 June for IDM 2024 (Dirjen PDP letter 140/PDP.03.04/III/2024 as summarised at "
    "updesa.com/idm-2024); counting the state at the end of March is an illustrative assumption within "
    "those windows",
)

IDM_PRIOR_STRENGTH: Final[float] = _default(
    "IDM_PRIOR_STRENGTH",
    10.0,
    "transitions",
    "sim.idm.fit_idm_dynamics(prior_strength)",
    f"{ASSUMPTION}: pseudo-transitions shrinking each status band's transition rows toward the all-band "
    "rows, a round a-priori choice; not fitted to the backtest years (the docs' backtest table shows 2, 5, "
    "10 and 20)",
)

IDM_RESIDENTS_INTERNET_THRESHOLD: Final[float] = _default(
    "IDM_RESIDENTS_INTERNET_THRESHOLD",
    0.10,
    "share of the market",
    "the rule raising s_akses_internet_warga (driver 'social')",
    f"{ASSUMPTION}: the ministry scores 5 when residents have internet access in the desa; reading that as "
    "a tenth of the social-dimension market using the village's connected services",
)

IDM_LIBRARY_THRESHOLD: Final[float] = _default(
    "IDM_LIBRARY_THRESHOLD",
    0.01,
    "share of the market",
    "the rule raising s_ketersediaan_taman_baca_perpus_desa (driver 'e_learning')",
    f"{ASSUMPTION}: the village library or reading corner counts as available once 1 % of the e-learning "
    "market uses it",
)

# ---------------------------------------------------------------- scenario sections

#: Names of the built-in rollout policies (a vocabulary, not a parameter):
#: largest population first, most people per rupiah of the link and what it
#: unlocks, lowest IDM first, nearest to the network first.
POLICIES: Final[tuple[str, ...]] = ("population", "cost_effectiveness", "least_developed", "nearest")

#: Names of the bundled regions a scenario may name (vocabulary): see :mod:`smartkampung.datasets`.
BUILTIN_REGIONS: Final[tuple[str, ...]] = ("banyuwangi", "guimaras")

START_MONTH: Final[str] = _default(
    "START_MONTH",
    "2016-05",
    "YYYY-MM",
    "Scenario.start",
    "the launch of Smart Kampung on 31 May 2016 [merdeka-2016-05-31]",
)

HORIZON_MONTHS: Final[int] = _default(
    "HORIZON_MONTHS", 120, "month", "Scenario.horizon_months", f"{ASSUMPTION}: ten years"
)

BUDGET_PER_MONTH: Final[float] = _default(
    "BUDGET_PER_MONTH",
    1e9,
    "IDR/month",
    "RolloutAssumptions.budget_per_month",
    f"{ASSUMPTION}: a round Rp 1 billion a month; the bundled Banyuwangi scenario fits its own",
)

POLICY: Final[str] = _default(
    "POLICY",
    "population",
    "-",
    "RolloutAssumptions.policy",
    f"{ASSUMPTION}: largest villages first, the simplest rule a planner would state",
)

CARRY_OVER: Final[bool] = _default(
    "CARRY_OVER",
    True,
    "-",
    "RolloutAssumptions.carry_over",
    f"{ASSUMPTION}: unspent money stays available in later months",
)

CAPEX_MULTIPLIER: Final[float] = _default(
    "CAPEX_MULTIPLIER", 1.0, "-", "RolloutAssumptions.capex_multiplier", "1: the technology costs as stated"
)

READINESS_MONTHS: Final[float] = _default(
    "READINESS_MONTHS",
    0.0,
    "month",
    "RolloutAssumptions.readiness_months",
    "0: a funded village goes live at once unless a scenario says otherwise; the bundled Banyuwangi scenario "
    "calibrates it on the published counts (docs/models.rst, 'Forecasting the rollout')",
)

COST_SPREAD: Final[float] = _default(
    "COST_SPREAD",
    0.0,
    "-",
    "RolloutAssumptions.cost_spread",
    "0: every village costs what the reference unit costs say unless a scenario declares a spread",
)

BASS_MULTIPLIER: Final[float] = _default(
    "BASS_MULTIPLIER",
    1.0,
    "-",
    "AdoptionAssumptions.p_multiplier, q_multiplier",
    "1: the services' coefficients as stated",
)

TECHNOLOGY_CHOICE: Final[bool] = _default(
    "TECHNOLOGY_CHOICE",
    False,
    "-",
    "RolloutAssumptions.technology_choice",
    "every village on fibre: the Smart Kampung design, fibre to every village office [jawapos-2017-01-02]",
)

SEED: Final[int] = _default(
    "SEED", 20160531, "-", "the command line's --seed", "the launch date of Smart Kampung; any integer will do"
)

#: Every default above, by name, in the order defined.
DEFAULTS: Final[Mapping[str, Default]] = MappingProxyType(_REGISTRY)
