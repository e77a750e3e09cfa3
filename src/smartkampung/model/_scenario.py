"""Scenarios: a programme in a region, with its assumptions and their uncertainty.

A scenario file (TOML or JSON) names the region (a bundled one or a village
CSV), holds or names the programme, and states every assumption. Uncertain
assumptions are declared as distributions; each run of an ensemble draws
them once.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import attrs

from smartkampung import _defaults
from smartkampung._errors import FieldError, FieldTypeError
from smartkampung._validation import (
    MAX_COUNT,
    MAX_MONEY,
    MAX_MONTHS,
    instance_of,
    matches,
    number,
    one_of,
    optional,
    text,
    to_float,
    whole,
)
from smartkampung.model._geo import Location
from smartkampung.model._programme import Programme, smart_kampung_programme
from smartkampung.model._village import DEFAULT_HOUSEHOLD_SIZE, VillageKind

__all__ = [
    "DISTRIBUTIONS",
    "POLICIES",
    "AdoptionAssumptions",
    "BudgetPhase",
    "Distribution",
    "Fixed",
    "IDMAssumptions",
    "LogNormal",
    "Normal",
    "OutcomeAssumptions",
    "RegionSource",
    "RolloutAssumptions",
    "Scenario",
    "Triangular",
    "Uniform",
]

#: Names of the built-in rollout policies (see :func:`smartkampung.sim.rollout.schedule`).
POLICIES: tuple[str, ...] = _defaults.POLICIES

_finite = number()
_nonneg = number(0.0)
_positive = number(0.0, exclusive_minimum=True)
_unit = number(0.0, 1.0)
# Domains of the assumption fields (docs/adapting.rst, "Value ranges").
_money = number(0.0, MAX_MONEY)
_effect = number(-1.0, 1.0)
_name = text(control=True)
#: Largest multiplier of costs or Bass coefficients a distribution may draw. [-]
MAX_MULTIPLIER = 1000.0
#: How far, in standard deviations, a normal or log-normal draw can fall from
#: its centre: the sampler clips probabilities to [1e-300, 1 - 1e-16], whose
#: standard-normal quantiles are -37.04 and 8.22 (a window above the mean of
#: a truncated normal is sampled mirrored, so it can reach +37 too).
_Z_LOW, _Z_HIGH = 37.1, 8.3


# --------------------------------------------------------------------- distributions


@attrs.frozen
class Fixed:
    """A known value. In a file, a plain number means ``Fixed``."""

    value: float = attrs.field(validator=_finite)

    @property
    def mean(self) -> float:
        """Expected value."""
        return float(self.value)


@attrs.frozen
class Uniform:
    """Uniform on ``[low, high]``."""

    low: float = attrs.field(validator=_finite)
    high: float = attrs.field(validator=_finite)

    def __attrs_post_init__(self) -> None:
        if self.high < self.low:
            raise FieldError("Uniform", "high", f"must be >= low ({self.low}), got {self.high}")

    @property
    def mean(self) -> float:
        """Expected value."""
        return (self.low + self.high) / 2


@attrs.frozen
class Normal:
    """Normal with mean and standard deviation, truncated to ``[low, high]`` by rejection."""

    mu: float = attrs.field(validator=_finite)
    sigma: float = attrs.field(validator=_nonneg)
    low: float = attrs.field(default=-math.inf, validator=number(allow_inf=True))
    high: float = attrs.field(default=math.inf, validator=number(allow_inf=True))

    def __attrs_post_init__(self) -> None:
        if not self.low < self.high:
            raise FieldError("Normal", "high", f"must be > low ({self.low}), got {self.high}")

    @property
    def mean(self) -> float:
        """Mean of the untruncated normal."""
        return float(self.mu)


@attrs.frozen
class LogNormal:
    """Log-normal given its median and the standard deviation of its logarithm."""

    median: float = attrs.field(validator=_positive)
    sigma: float = attrs.field(validator=_nonneg)

    @property
    def mean(self) -> float:
        """Expected value."""
        return float(self.median * math.exp(self.sigma**2 / 2))


@attrs.frozen
class Triangular:
    """Triangular on ``[low, high]`` with its peak at ``mode``."""

    low: float = attrs.field(validator=_finite)
    mode: float = attrs.field(validator=_finite)
    high: float = attrs.field(validator=_finite)

    def __attrs_post_init__(self) -> None:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise FieldError("Triangular", "mode", f"must lie in [low, high] with low < high, got low = "
                             f"{self.low}, mode = {self.mode}, high = {self.high}")

    @property
    def mean(self) -> float:
        """Expected value."""
        return (self.low + self.mode + self.high) / 3


#: An uncertain quantity: one of the distribution classes.
Distribution = Fixed | Uniform | Normal | LogNormal | Triangular
#: The distribution classes, by the name used in files.
DISTRIBUTIONS: dict[str, type] = {
    "fixed": Fixed, "uniform": Uniform, "normal": Normal, "lognormal": LogNormal, "triangular": Triangular}
_DISTRIBUTIONS = tuple(DISTRIBUTIONS.values())


def _as_distribution(value: Any) -> Any:
    # Let Python callers write a plain number where a distribution goes.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Fixed(to_float(value))
    return value


def _is_distribution(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, _DISTRIBUTIONS):
        raise FieldTypeError(type(instance).__name__, attribute.name,
                             f"must be a number or a distribution, got {value!r}")


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def support(value: Distribution) -> tuple[float, float]:
    """The interval every draw of a distribution lies in, ``(lowest, highest)``.

    Bounded distributions give their bounds; a normal or log-normal gives
    what the sampler can reach (37.1 standard deviations below the centre,
    8.3 above; see :func:`smartkampung.sim.distributions.quantile`), within
    its bounds.
    """
    if isinstance(value, Fixed):
        return value.value, value.value
    if isinstance(value, (Uniform, Triangular)):
        return value.low, value.high
    if isinstance(value, Normal):
        if value.sigma == 0:
            return value.mu, value.mu
        up = _Z_HIGH if value.low <= value.mu else _Z_LOW
        return max(value.low, value.mu - _Z_LOW * value.sigma), min(value.high, value.mu + up * value.sigma)
    if isinstance(value, LogNormal):
        return value.median * _exp(-_Z_LOW * value.sigma), value.median * _exp(_Z_HIGH * value.sigma)
    raise TypeError(f"not a distribution: {value!r}")  # pragma: no cover - callers check the type first


def _distribution_in(maximum: float) -> Any:
    """Validator: a distribution whose every draw lies in [0, maximum]."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _is_distribution(instance, attribute, value)
        lowest, highest = support(value)
        if lowest < 0:
            hint = "" if isinstance(value, Fixed) else " (bound it below at 0, e.g. normal with low = 0)"
            raise FieldError(type(instance).__name__, attribute.name,
                             f"must not be negative, but {value!r} can draw {lowest:g}{hint}")
        if not highest <= maximum:
            hint = "" if isinstance(value, Fixed) else " (give it an upper bound, or a smaller sigma)"
            raise FieldError(type(instance).__name__, attribute.name,
                             f"must be at most {maximum:g}, but {value!r} can draw {highest:g}{hint}")

    return check


def _dist_field(default: float, maximum: float) -> Any:
    return attrs.field(default=Fixed(default), converter=_as_distribution, validator=_distribution_in(maximum))


# ------------------------------------------------------------------------- sections


@attrs.frozen
class RegionSource:
    """Where a scenario's villages come from.

    Exactly one of ``builtin`` (``"banyuwangi"``, ``"guimaras"``) or ``csv``
    (a village file, relative to the scenario file) is given. For a CSV,
    ``code``, ``name`` and ``country`` describe the region.

    Parameters
    ----------
    builtin : str, optional
        Name of a bundled region.
    csv : str, optional
        Path of a village CSV (see :func:`smartkampung.io.read_villages_csv`).
    code, name : str
        Region code and name (CSV only).
    country : str
        ISO 3166-1 alpha-2 code (CSV only).
    kind : VillageKind
        Kind of villages whose row gives none (CSV only).
    household_size : float
        Persons per household where the CSV gives no households, 0.5 to 50. [people]
    allow_zero_population : bool
        Accept villages with population 0 in the CSV (refused by default:
        usually a missing figure).
    delimiter : str, optional
        The CSV's cell separator (``","``, ``";"``, tab or ``"|"``). Default:
        detected from its header.
    decimal : str, optional
        The CSV's decimal mark, ``"."`` or ``","``. Default: detected from
        its numbers.
    backbone : {"district_offices"}
        Where fibre already is: one point of presence per district office
        (Banyuwangi's network reaches every kecamatan office). The only
        choice in files for now; Python callers can pass any backbone with
        ``simulate(..., region=region)``.
    """

    builtin: str | None = attrs.field(default=None, validator=optional(one_of(("banyuwangi", "guimaras"))))
    csv: str | None = attrs.field(default=None, validator=optional(text(non_empty=True)))
    code: str = attrs.field(default="", validator=text())
    name: str = attrs.field(default="", validator=_name)
    country: str = attrs.field(default="ID", validator=matches(r"[A-Z]{2}", "an ISO 3166-1 alpha-2 code such as 'ID'"))
    kind: VillageKind = attrs.field(default=VillageKind.VILLAGE, validator=instance_of(VillageKind))
    household_size: float = attrs.field(default=DEFAULT_HOUSEHOLD_SIZE, validator=number(0.5, 50.0))
    backbone: Literal["district_offices"] = attrs.field(default="district_offices",
                                                        validator=one_of(("district_offices",)))
    allow_zero_population: bool = attrs.field(default=False, validator=instance_of(bool))
    delimiter: str | None = attrs.field(default=None, validator=optional(one_of((",", ";", "\t", "|"))))
    decimal: str | None = attrs.field(default=None, validator=optional(one_of((".", ","))))

    def __attrs_post_init__(self) -> None:
        if (self.builtin is None) == (self.csv is None):
            raise FieldError("RegionSource", "csv", "or 'builtin': give exactly one of 'builtin' (a bundled "
                             "region) or 'csv' (a village file)")
        if self.csv is not None and not (self.code and self.name):
            raise FieldError("RegionSource", "code" if not self.code else "name",
                             "must be given for a CSV region (a CSV region needs 'code' and 'name')")


@attrs.frozen
class BudgetPhase:
    """A change of the monthly budget from a given month on.

    Parameters
    ----------
    start_month : int
        First month (0-based) of the phase, 1 to 1,200. [month]
    budget_idr_per_month : float or Distribution
        Money per month from then on. [IDR/month]
    note : str
        Why the budget changes (a source, a decision).
    """

    start_month: int = attrs.field(validator=whole(1, MAX_MONTHS))
    budget_idr_per_month: Distribution = _dist_field(0.0, MAX_MONEY)
    note: str = attrs.field(default="", validator=_name)


def _phases(value: Any) -> tuple[BudgetPhase, ...]:
    return tuple(value)


@attrs.frozen
class RolloutAssumptions:
    """How the network is planned and built.

    Parameters
    ----------
    budget_idr_per_month : float or Distribution
        Money for building per month. [IDR/month]
    budget_phases : tuple of BudgetPhase
        Later changes of the monthly budget, in increasing ``start_month``;
        ``budget_idr_per_month`` applies before the first.
    build_km_per_month : float, optional
        Most fibre laid per month; None for no limit. [km/month]
    policy : str
        Order in which villages are connected: one of :data:`POLICIES`.
    carry_over : bool
        Whether unspent budget carries to the next month.
    initially_connected : int or tuple of str
        Villages connected before month 0: a count (the first ones in the
        policy's order, an assumption when the real list is unknown) or
        their codes.
    route_factor : float
        Fibre route length over great-circle length. [-]
    demand_mbps : float
        Bandwidth each village office needs, for technology feasibility. [Mbps]
    horizon_years : float
        Horizon of the lifetime-cost comparison of technologies. [years]
    discount_rate : float
        Annual discount rate for that comparison: 9 %, the Asian Development
        Bank's 2017 general rate (see :data:`smartkampung.sim.network.DEFAULT_DISCOUNT_RATE`). [year⁻¹]
    technology_choice : bool
        False to connect every village by fibre (the Smart Kampung design);
        True to let each village take its least-lifetime-cost technology.
    capex_multiplier : float or Distribution
        Scales every capital cost (cost uncertainty). [-]
    """

    budget_idr_per_month: Distribution = _dist_field(_defaults.BUDGET_PER_MONTH, MAX_MONEY)
    budget_phases: tuple[BudgetPhase, ...] = attrs.field(default=(), converter=_phases)
    build_km_per_month: float | None = attrs.field(default=None, validator=optional(
        number(0.0, 1e6, exclusive_minimum=True)))
    policy: str = attrs.field(default=_defaults.POLICY, validator=one_of(POLICIES))
    carry_over: bool = attrs.field(default=_defaults.CARRY_OVER, validator=instance_of(bool))
    initially_connected: int | tuple[str, ...] = attrs.field(default=0)
    route_factor: float = attrs.field(default=_defaults.ROUTE_FACTOR, validator=number(1.0, 10.0))
    demand_mbps: float = attrs.field(default=_defaults.DEMAND_MBPS, validator=number(0.0, 1e5))
    horizon_years: float = attrs.field(default=_defaults.HORIZON_YEARS, validator=number(
        0.0, 100.0, exclusive_minimum=True))
    discount_rate: float = attrs.field(default=_defaults.DISCOUNT_RATE, validator=number(0.0, 1.0))
    technology_choice: bool = attrs.field(default=_defaults.TECHNOLOGY_CHOICE, validator=instance_of(bool))
    capex_multiplier: Distribution = _dist_field(_defaults.CAPEX_MULTIPLIER, MAX_MULTIPLIER)

    @initially_connected.validator
    def _check_initial(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, tuple)):
            raise FieldTypeError("RolloutAssumptions", "initially_connected",
                                 f"must be a count or a list of codes, got {value!r}")
        if isinstance(value, int) and not 0 <= value <= MAX_COUNT:
            raise FieldError("RolloutAssumptions", "initially_connected",
                             f"must be a count from 0 to {MAX_COUNT:g}, got {value}")
        if isinstance(value, tuple):
            for code in value:
                text(non_empty=True)(self, attribute, code)

    def __attrs_post_init__(self) -> None:
        if any(not isinstance(p, BudgetPhase) for p in self.budget_phases):
            raise FieldTypeError("RolloutAssumptions", "budget_phases", "must hold BudgetPhase entries")
        starts = [p.start_month for p in self.budget_phases]
        if starts != sorted(set(starts)):
            raise FieldError("RolloutAssumptions", "budget_phases",
                             f"must have increasing, distinct start months, got {starts}")


@attrs.frozen
class AdoptionAssumptions:
    """How services spread once villages are connected.

    Parameters
    ----------
    p_multiplier, q_multiplier : float or Distribution
        Scale every service's Bass coefficients (parameter uncertainty). [-]
    neighbour_weight : float
        ``w`` in the spatial Bass hazard: weight of neighbouring villages'
        adoption against the village's own. Illustrative assumption. [0–1]
    n_neighbours : int
        ``k`` nearest villages that make up the neighbourhood (DESIGN.md). [-]
    stochastic : bool
        Binomial draws (True) or the deterministic expectation (False).
    """

    p_multiplier: Distribution = _dist_field(_defaults.BASS_MULTIPLIER, MAX_MULTIPLIER)
    q_multiplier: Distribution = _dist_field(_defaults.BASS_MULTIPLIER, MAX_MULTIPLIER)
    neighbour_weight: float = attrs.field(default=_defaults.NEIGHBOUR_WEIGHT, validator=_unit)
    n_neighbours: int = attrs.field(default=_defaults.NEIGHBOURS, validator=whole(1, 100))
    stochastic: bool = attrs.field(default=True, validator=instance_of(bool))


@attrs.frozen
class IDMAssumptions:
    """The IDM projection (see :func:`smartkampung.sim.outcomes.project_idm`).

    Desa without a score in the region data start from ``base_*`` plus a
    village-level spread; kelurahan have no IDM. Every default is an
    illustrative assumption: no per-village IDM table for Banyuwangi is
    public (see docs/data.rst).

    Parameters
    ----------
    base_iks, base_ike, base_ikl : float
        Starting sub-indices for desa without a score. [0–1]
    base_spread : float
        Standard deviation of the per-desa starting values around the base,
        drawn in every run from the run's stream. [0–1]
    effect_social, effect_economic, effect_ecological : float
        Rise of each sub-index at full adoption. [-]
    lag_months : int
        Months before adoption shows in the index. [months]
    ceiling : float
        Highest value the programme can lift a sub-index to. [0–1]
    trend_per_year : float
        Secular rise of every sub-index, programme or not. [year⁻¹]
    """

    base_iks: float = attrs.field(default=_defaults.IDM_BASE[0], validator=_unit)
    base_ike: float = attrs.field(default=_defaults.IDM_BASE[1], validator=_unit)
    base_ikl: float = attrs.field(default=_defaults.IDM_BASE[2], validator=_unit)
    base_spread: float = attrs.field(default=_defaults.IDM_BASE_SPREAD, validator=_unit)
    effect_social: float = attrs.field(default=_defaults.IDM_EFFECT[0], validator=_effect)
    effect_economic: float = attrs.field(default=_defaults.IDM_EFFECT[1], validator=_effect)
    effect_ecological: float = attrs.field(default=_defaults.IDM_EFFECT[2], validator=_effect)
    lag_months: int = attrs.field(default=_defaults.IDM_LAG_MONTHS[0], validator=whole(0, MAX_MONTHS))
    ceiling: float = attrs.field(default=_defaults.IDM_CEILING[0], validator=_unit)
    trend_per_year: float = attrs.field(default=_defaults.IDM_TREND_PER_YEAR[0], validator=_effect)


@attrs.frozen
class OutcomeAssumptions:
    """Travel saved by doing services at the village.

    Parameters
    ----------
    office : Location, optional
        Where residents went before (the regency office). Default: the
        population-weighted centre of the region.
    road_factor : float
        Road distance over straight-line distance. [-]
    speed_kmh : float
        Average travel speed. [km/h]
    cost_idr_per_km : float
        Out-of-pocket travel cost. [IDR/km]
    value_of_time_idr_per_hour : float
        Value of an hour of travel. [IDR/h]
    idm : IDMAssumptions
        The IDM projection.
    """

    office: Location | None = attrs.field(default=None, validator=optional(instance_of(Location)))
    road_factor: float = attrs.field(default=_defaults.ROAD_FACTOR, validator=number(
        0.0, 10.0, exclusive_minimum=True))
    speed_kmh: float = attrs.field(default=_defaults.SPEED_KMH, validator=number(0.0, 1000.0, exclusive_minimum=True))
    cost_idr_per_km: float = attrs.field(default=_defaults.COST_PER_KM, validator=_money)
    value_of_time_idr_per_hour: float = attrs.field(default=_defaults.VALUE_OF_TIME_PER_HOUR, validator=_money)
    idm: IDMAssumptions = attrs.field(factory=IDMAssumptions, validator=instance_of(IDMAssumptions))


_month = matches(r"(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])",
                 "a calendar month from 1900-01 to 2199-12 written YYYY-MM (e.g. 2016-06)")


@attrs.frozen
class Scenario:
    """A programme in a region over a horizon, with every assumption stated.

    Parameters
    ----------
    name : str
        Name shown in outputs.
    region : RegionSource
        Where the villages come from.
    programme : Programme
        Pillars, services and technologies. Default: Smart Kampung.
    start : str
        Calendar month of month 0, ``"YYYY-MM"``.
    horizon_months : int
        Months simulated, 1 to 1,200 (a century). [months]
    rollout, adoption, outcomes : assumption sections
        See :class:`RolloutAssumptions`, :class:`AdoptionAssumptions`,
        :class:`OutcomeAssumptions`.
    description : str
        Free text.
    """

    name: str = attrs.field(validator=_name)
    region: RegionSource = attrs.field(validator=instance_of(RegionSource))
    programme: Programme = attrs.field(factory=smart_kampung_programme, validator=instance_of(Programme))
    start: str = attrs.field(default=_defaults.START_MONTH, validator=_month)
    horizon_months: int = attrs.field(default=_defaults.HORIZON_MONTHS, validator=whole(1, MAX_MONTHS))
    rollout: RolloutAssumptions = attrs.field(factory=RolloutAssumptions, validator=instance_of(RolloutAssumptions))
    adoption: AdoptionAssumptions = attrs.field(factory=AdoptionAssumptions,
                                                validator=instance_of(AdoptionAssumptions))
    outcomes: OutcomeAssumptions = attrs.field(factory=OutcomeAssumptions, validator=instance_of(OutcomeAssumptions))
    description: str = attrs.field(default="", validator=_name)

    @property
    def start_year_month(self) -> tuple[int, int]:
        """``(year, month)`` of month 0."""
        year, month = self.start.split("-")
        return int(year), int(month)

    def month_label(self, month: int) -> str:
        """Calendar label ``"YYYY-MM"`` of simulation month ``month`` (0-based)."""
        year, mon = self.start_year_month
        total = year * 12 + (mon - 1) + month
        return f"{total // 12:04d}-{total % 12 + 1:02d}"

