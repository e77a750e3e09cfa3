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
from smartkampung._validation import instance_of, matches, number, one_of, optional, whole
from smartkampung.model._geo import Location
from smartkampung.model._programme import Programme, smart_kampung_programme
from smartkampung.model._village import DEFAULT_HOUSEHOLD_SIZE, VillageKind

__all__ = [
    "DISTRIBUTIONS",
    "POLICIES",
    "POSTERIOR_PARAMETERS",
    "AdoptionAssumptions",
    "BudgetPhase",
    "Distribution",
    "Fixed",
    "FromPosterior",
    "IDMAssumptions",
    "LogNormal",
    "Normal",
    "OutcomeAssumptions",
    "RegionSource",
    "RolloutAssumptions",
    "RolloutPosterior",
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


@attrs.frozen
class FromPosterior:
    """Drawn jointly with the other calibrated parameters: the run's row of ``rollout.posterior``.

    Stands where a distribution goes in :class:`RolloutAssumptions`
    (``budget_idr_per_month``, a phase's budget or scale,
    ``readiness_months``, ``cost_spread``); the scenario's
    :class:`RolloutPosterior` must hold a column of that name. In a file:
    ``{distribution = "posterior"}``.
    """

    @property
    def mean(self) -> float:
        """Not defined apart from the posterior sample."""
        return math.nan


#: An uncertain quantity: one of the distribution classes.
Distribution = Fixed | Uniform | Normal | LogNormal | Triangular | FromPosterior
#: The distribution classes, by the name used in files.
DISTRIBUTIONS: dict[str, type] = {
    "fixed": Fixed, "uniform": Uniform, "normal": Normal, "lognormal": LogNormal, "triangular": Triangular,
    "posterior": FromPosterior}
_DISTRIBUTIONS = tuple(DISTRIBUTIONS.values())


def _as_distribution(value: Any) -> Any:
    # Let Python callers write a plain number where a distribution goes.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Fixed(float(value))
    return value


def _is_distribution(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, _DISTRIBUTIONS):
        raise FieldTypeError(type(instance).__name__, attribute.name,
                             f"must be a number or a distribution, got {value!r}")


def _lowest(value: Any) -> float:
    """The smallest value a distribution can draw."""
    if isinstance(value, Fixed):
        return value.value
    if isinstance(value, (Uniform, Triangular)):
        return value.low
    if isinstance(value, Normal):
        return value.low if value.sigma > 0 else value.mu
    return 0.0  # LogNormal: positive; FromPosterior: a sample checked to hold values >= 0


def _nonneg_distribution(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _is_distribution(instance, attribute, value)
    if _lowest(value) < 0:
        hint = "" if isinstance(value, Fixed) else " (bound it below at 0, e.g. normal with low = 0)"
        raise FieldError(type(instance).__name__, attribute.name,
                         f"must not be negative, but {value!r} can draw {_lowest(value):g}{hint}")


def _optional_distribution(value: Any) -> Any:
    return None if value is None else _as_distribution(value)


def _dist_field(default: float) -> Any:
    return attrs.field(default=Fixed(default), converter=_as_distribution, validator=_nonneg_distribution)


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
        Persons per household where the CSV gives no households. [people]
    backbone : {"district_offices"}
        Where fibre already is: one point of presence per district office
        (Banyuwangi's network reaches every kecamatan office). The only
        choice in files for now; Python callers can pass any backbone with
        ``simulate(..., region=region)``.
    """

    builtin: str | None = attrs.field(default=None, validator=optional(one_of(_defaults.BUILTIN_REGIONS)))
    csv: str | None = None
    code: str = ""
    name: str = ""
    country: str = attrs.field(default="ID", validator=matches(r"[A-Z]{2}", "an ISO 3166-1 alpha-2 code such as 'ID'"))
    kind: VillageKind = attrs.field(default=VillageKind.VILLAGE, validator=instance_of(VillageKind))
    household_size: float = attrs.field(default=DEFAULT_HOUSEHOLD_SIZE, validator=_positive)
    backbone: Literal["district_offices"] = attrs.field(default="district_offices",
                                                        validator=one_of(("district_offices",)))

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
        First month (0-based) of the phase. [month]
    budget_idr_per_month : float or Distribution
        Money per month from then on. [IDR/month]
    note : str
        Why the budget changes (a source, a decision).
    scale : float or Distribution, optional
        Instead of an amount, the phase's monthly budget as a multiple of the
        previous phase's (as drawn in the run): for a future whose budget is
        unknown but thought to follow the recent pace, e.g. uniform 0.25–1.25.
        ``budget_idr_per_month`` must then be left out. [-]
    """

    start_month: int = attrs.field(validator=whole(1))
    budget_idr_per_month: Distribution = _dist_field(0.0)
    note: str = ""
    scale: Distribution | None = attrs.field(default=None, converter=_optional_distribution,
                                             validator=optional(_nonneg_distribution))

    def __attrs_post_init__(self) -> None:
        if self.scale is not None and self.budget_idr_per_month != Fixed(0.0):
            raise FieldError("BudgetPhase", "scale", "and budget_idr_per_month exclude each other: give the "
                             "phase's budget as an amount or as a multiple of the previous phase's, not both")


#: Parameters a posterior sample of the rollout may hold: the budgets of the
#: phases (``budget_phases[i]``, or ``budget_idr_per_month`` for the first) and
#: the tail mechanisms.
POSTERIOR_PARAMETERS: tuple[str, ...] = ("budget_idr_per_month", "readiness_months", "cost_spread")


def _rows(value: Any) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x for x in row)
                 for row in value)


def _ints(value: Any) -> tuple[int, ...]:
    return tuple(value)


def _names(value: Any) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class RolloutPosterior:
    """A joint sample of calibrated rollout parameters, one row per draw.

    Each run of an ensemble takes one row (with one uniform variate, so
    scenarios share rows across runs) and uses its values in place of the
    declared distributions, together with the per-village draws (readiness,
    cost) of the calibration simulation the row came from, regenerated from
    ``seed`` and ``sims``: so a run reproduces a history consistent with the
    observations, and its future carries the uncertainty that remains.
    Made by :func:`smartkampung.sim.forecast.calibrate_rollout`.

    Parameters
    ----------
    parameters : tuple of str
        What each column holds: ``budget_idr_per_month``, ``budget_phases[i]``,
        ``readiness_months`` or ``cost_spread``.
    values : tuple of tuple of float
        The sample, one row per draw, one value per parameter.
    sims : tuple of int
        The calibration simulation each row came from (its per-village draws).
    seed : int
        Entropy of the calibration's per-village draws.
    source : str
        How the sample was made (observations, priors, grid, date).
    """

    parameters: tuple[str, ...] = attrs.field(converter=_names)
    values: tuple[tuple[float, ...], ...] = attrs.field(converter=_rows)
    sims: tuple[int, ...] = attrs.field(converter=_ints)
    seed: int = attrs.field(validator=whole(0))
    source: str = ""

    def __attrs_post_init__(self) -> None:
        for name in self.parameters:
            known = name in POSTERIOR_PARAMETERS or (name.startswith("budget_phases[") and name.endswith("]")
                                                     and name[len("budget_phases["):-1].isdigit())
            if not known:
                raise FieldError("RolloutPosterior", "parameters", f"holds {name!r}, not one of "
                                 f"{', '.join(POSTERIOR_PARAMETERS)} or budget_phases[i]")
        if len(set(self.parameters)) != len(self.parameters):
            raise FieldError("RolloutPosterior", "parameters", "names a parameter twice")
        if not self.values:
            raise FieldError("RolloutPosterior", "values", "must hold at least one row")
        width = len(self.parameters)
        for row in self.values:
            if len(row) != width or not all(isinstance(x, float) and math.isfinite(x) and x >= 0 for x in row):
                raise FieldError("RolloutPosterior", "values", f"rows must hold {width} finite numbers >= 0, "
                                 f"got {row!r}"[:200])
        if len(self.sims) != len(self.values) or any(isinstance(s, bool) or not isinstance(s, int) or s < 0
                                                     for s in self.sims):
            raise FieldError("RolloutPosterior", "sims", "must hold one whole number >= 0 per row")

    def __repr__(self) -> str:
        return f"RolloutPosterior({len(self.values)} draws of {', '.join(self.parameters)}; {self.source[:80]!r})"

    def column(self, name: str) -> tuple[float, ...]:
        """One parameter's values over the rows."""
        j = self.parameters.index(name)
        return tuple(row[j] for row in self.values)


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
        Bank's 2017 general rate (see :data:`smartkampung.sim.technology.DEFAULT_DISCOUNT_RATE`). [year⁻¹]
    technology_choice : bool
        False to connect every village by fibre (the Smart Kampung design);
        True to let each village take its least-lifetime-cost technology.
    capex_multiplier : float or Distribution
        Scales every capital cost (cost uncertainty). [-]
    readiness_months : float or Distribution
        Mean time, from the start, until a village office is ready to be
        connected (its permits, room and staff: the regency gave priority to
        villages meeting its qualifications); each village not connected at
        the start waits an exponential time with this mean, drawn per run. A
        funded village goes live when its office is ready. 0: no wait. [months]
    cost_spread : float or Distribution
        Standard deviation of the logarithm of a per-village multiplier on
        capital cost (mean 1), drawn per run: some villages cost more than
        the reference unit costs say. 0: none. [-]
    posterior : RolloutPosterior, optional
        A calibrated joint sample of budgets and tail parameters; each run
        takes one row, and the fields given as :class:`FromPosterior` take
        their values from it (with the per-village draws of that row).
    """

    budget_idr_per_month: Distribution = _dist_field(_defaults.BUDGET_PER_MONTH)
    budget_phases: tuple[BudgetPhase, ...] = attrs.field(default=(), converter=_phases)
    build_km_per_month: float | None = attrs.field(default=None, validator=optional(_positive))
    policy: str = attrs.field(default=_defaults.POLICY, validator=one_of(POLICIES))
    carry_over: bool = attrs.field(default=_defaults.CARRY_OVER, validator=instance_of(bool))
    initially_connected: int | tuple[str, ...] = attrs.field(default=0)
    route_factor: float = attrs.field(default=_defaults.ROUTE_FACTOR, validator=number(1.0))
    demand_mbps: float = attrs.field(default=_defaults.DEMAND_MBPS, validator=_nonneg)
    horizon_years: float = attrs.field(default=_defaults.HORIZON_YEARS, validator=_positive)
    discount_rate: float = attrs.field(default=_defaults.DISCOUNT_RATE, validator=_nonneg)
    technology_choice: bool = attrs.field(default=_defaults.TECHNOLOGY_CHOICE, validator=instance_of(bool))
    capex_multiplier: Distribution = _dist_field(_defaults.CAPEX_MULTIPLIER)
    readiness_months: Distribution = _dist_field(_defaults.READINESS_MONTHS)
    cost_spread: Distribution = _dist_field(_defaults.COST_SPREAD)
    posterior: RolloutPosterior | None = attrs.field(default=None, validator=optional(instance_of(RolloutPosterior)))

    @property
    def has_tail(self) -> bool:
        """Whether any tail mechanism (readiness, cost spread, a posterior) is declared."""
        return (bool(self.posterior_columns) or self.readiness_months != Fixed(0.0)
                or self.cost_spread != Fixed(0.0))

    @initially_connected.validator
    def _check_initial(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, tuple)):
            raise FieldTypeError("RolloutAssumptions", "initially_connected",
                                 f"must be a count or a list of codes, got {value!r}")
        if isinstance(value, int) and value < 0:
            raise FieldError("RolloutAssumptions", "initially_connected", f"must be >= 0, got {value}")

    def __attrs_post_init__(self) -> None:
        if any(not isinstance(p, BudgetPhase) for p in self.budget_phases):
            raise FieldTypeError("RolloutAssumptions", "budget_phases", "must hold BudgetPhase entries")
        starts = [p.start_month for p in self.budget_phases]
        if starts != sorted(set(starts)):
            raise FieldError("RolloutAssumptions", "budget_phases",
                             f"must have increasing, distinct start months, got {starts}")
        wanted = self.posterior_columns
        if wanted and self.posterior is None:
            raise FieldError("RolloutAssumptions", "posterior", f"is needed: {', '.join(wanted)} "
                             "take their values from a posterior sample")
        if self.posterior is not None:
            missing = [name for name in wanted if name not in self.posterior.parameters]
            if missing:
                raise FieldError("RolloutAssumptions", "posterior", f"has no column {', '.join(missing)}, which "
                                 "the rollout takes from it")

    @property
    def posterior_columns(self) -> tuple[str, ...]:
        """The names of the fields drawn from the posterior sample (``{distribution = "posterior"}``)."""
        names = [("budget_idr_per_month", self.budget_idr_per_month),
                 *((f"budget_phases[{i}]", p.scale if p.scale is not None else p.budget_idr_per_month)
                   for i, p in enumerate(self.budget_phases)),
                 ("readiness_months", self.readiness_months), ("cost_spread", self.cost_spread)]
        return tuple(name for name, dist in names if isinstance(dist, FromPosterior))


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

    p_multiplier: Distribution = _dist_field(_defaults.BASS_MULTIPLIER)
    q_multiplier: Distribution = _dist_field(_defaults.BASS_MULTIPLIER)
    neighbour_weight: float = attrs.field(default=_defaults.NEIGHBOUR_WEIGHT, validator=_unit)
    n_neighbours: int = attrs.field(default=_defaults.NEIGHBOURS, validator=whole(1))
    stochastic: bool = attrs.field(default=True, validator=instance_of(bool))


@attrs.frozen
class IDMAssumptions:
    """The IDM projection (see :func:`smartkampung.sim.idm.project_idm`).

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
    base_spread: float = attrs.field(default=_defaults.IDM_BASE_SPREAD, validator=_nonneg)
    effect_social: float = attrs.field(default=_defaults.IDM_EFFECT[0], validator=_finite)
    effect_economic: float = attrs.field(default=_defaults.IDM_EFFECT[1], validator=_finite)
    effect_ecological: float = attrs.field(default=_defaults.IDM_EFFECT[2], validator=_finite)
    lag_months: int = attrs.field(default=_defaults.IDM_LAG_MONTHS[0], validator=whole(0))
    ceiling: float = attrs.field(default=_defaults.IDM_CEILING[0], validator=_unit)
    trend_per_year: float = attrs.field(default=_defaults.IDM_TREND_PER_YEAR[0], validator=_finite)


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
    road_factor: float = attrs.field(default=_defaults.ROAD_FACTOR, validator=_positive)
    speed_kmh: float = attrs.field(default=_defaults.SPEED_KMH, validator=_positive)
    cost_idr_per_km: float = attrs.field(default=_defaults.COST_PER_KM, validator=_nonneg)
    value_of_time_idr_per_hour: float = attrs.field(default=_defaults.VALUE_OF_TIME_PER_HOUR, validator=_nonneg)
    idm: IDMAssumptions = attrs.field(factory=IDMAssumptions, validator=instance_of(IDMAssumptions))


_month = matches(r"[0-9]{4}-(0[1-9]|1[0-2])", "a calendar month written YYYY-MM (e.g. 2016-06)")


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

    name: str
    region: RegionSource = attrs.field(validator=instance_of(RegionSource))
    programme: Programme = attrs.field(factory=smart_kampung_programme, validator=instance_of(Programme))
    start: str = attrs.field(default=_defaults.START_MONTH, validator=_month)
    horizon_months: int = attrs.field(default=_defaults.HORIZON_MONTHS, validator=whole(1, 1200))
    rollout: RolloutAssumptions = attrs.field(factory=RolloutAssumptions, validator=instance_of(RolloutAssumptions))
    adoption: AdoptionAssumptions = attrs.field(factory=AdoptionAssumptions,
                                                validator=instance_of(AdoptionAssumptions))
    outcomes: OutcomeAssumptions = attrs.field(factory=OutcomeAssumptions, validator=instance_of(OutcomeAssumptions))
    description: str = ""

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

