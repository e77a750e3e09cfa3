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
from smartkampung._deprecation import current_name, renamed
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
    whole,
)
from smartkampung.model._distributions import (
    DISTRIBUTIONS,
    MAX_MULTIPLIER,
    Distribution,
    Fixed,
    FromPosterior,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
    _dist_field,
    _distribution_in,
    _optional_distribution,
)
from smartkampung.model._geo import Location
from smartkampung.model._idm_assumptions import IDMAssumptions
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
# Domains of the assumption fields (docs/adapting.rst, "Value ranges").
_money = number(0.0, MAX_MONEY)
_effect = number(-1.0, 1.0)
_name = text(control=True)
#: Largest log standard deviation of the per-village cost spread (a factor e^3 = 20 per sd). [-]
MAX_COST_SPREAD = 3.0


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

    builtin: str | None = attrs.field(default=None, validator=optional(one_of(_defaults.BUILTIN_REGIONS)))
    csv: str | None = attrs.field(default=None, validator=optional(text(non_empty=True)))
    code: str = attrs.field(default="", validator=text())
    name: str = attrs.field(default="", validator=_name)
    country: str = attrs.field(default="ID", validator=matches(r"[A-Z]{2}", "an ISO 3166-1 alpha-2 code such as 'ID'"))
    kind: VillageKind = attrs.field(default=VillageKind.VILLAGE, validator=instance_of(VillageKind))
    household_size: float = attrs.field(default=DEFAULT_HOUSEHOLD_SIZE, validator=number(0.5, 50.0))
    backbone: Literal["district_offices"] = attrs.field(
        default="district_offices", validator=one_of(("district_offices",))
    )
    allow_zero_population: bool = attrs.field(default=False, validator=instance_of(bool))
    delimiter: str | None = attrs.field(default=None, validator=optional(one_of((",", ";", "\t", "|"))))
    decimal: str | None = attrs.field(default=None, validator=optional(one_of((".", ","))))

    def __attrs_post_init__(self) -> None:
        if (self.builtin is None) == (self.csv is None):
            raise FieldError(
                "RegionSource",
                "csv",
                "or 'builtin': give exactly one of 'builtin' (a bundled region) or 'csv' (a village file)",
            )
        if self.csv is not None and not (self.code and self.name):
            raise FieldError(
                "RegionSource",
                "code" if not self.code else "name",
                "must be given for a CSV region (a CSV region needs 'code' and 'name')",
            )


@renamed("budget_idr_per_month")
@attrs.frozen
class BudgetPhase:
    """A change of the monthly budget from a given month on.

    Parameters
    ----------
    start_month : int
        First month (0-based) of the phase, 1 to 1,200. [month]
    budget_per_month : float or Distribution
        Money per month from then on, in the programme's currency. [currency/month]
    note : str
        Why the budget changes (a source, a decision).
    scale : float or Distribution, optional
        Instead of an amount, the phase's monthly budget as a multiple of the
        previous phase's (as drawn in the run): for a future whose budget is
        unknown but thought to follow the recent pace, e.g. uniform 0.25–1.25.
        ``budget_per_month`` (old name ``budget_idr_per_month``, deprecated) must then be left out. [-]
    """

    start_month: int = attrs.field(validator=whole(1, MAX_MONTHS))
    budget_per_month: Distribution = _dist_field(0.0, MAX_MONEY)
    note: str = attrs.field(default="", validator=_name)
    scale: Distribution | None = attrs.field(
        default=None, converter=_optional_distribution, validator=optional(_distribution_in(MAX_MULTIPLIER))
    )

    def __attrs_post_init__(self) -> None:
        if self.scale is not None and self.budget_per_month != Fixed(0.0):
            raise FieldError(
                "BudgetPhase",
                "scale",
                "and budget_per_month exclude each other: give the "
                "phase's budget as an amount or as a multiple of the previous phase's, not both",
            )


#: Parameters a posterior sample of the rollout may hold: the budgets of the
#: phases (``budget_phases[i]``, or ``budget_per_month`` for the first) and
#: the tail mechanisms.
POSTERIOR_PARAMETERS: tuple[str, ...] = ("budget_per_month", "readiness_months", "cost_spread")


def _rows(value: Any) -> tuple[tuple[float, ...], ...]:
    return tuple(
        tuple(float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x for x in row) for row in value
    )


def _ints(value: Any) -> tuple[int, ...]:
    return tuple(value)


def _names(value: Any) -> tuple[str, ...]:
    # A posterior written before the renaming names its first budget by its old name.
    return tuple(current_name(name, POSTERIOR_PARAMETERS, "posterior parameter", "RolloutPosterior") for name in value)


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
        What each column holds: ``budget_per_month``, ``budget_phases[i]``,
        ``readiness_months`` or ``cost_spread`` (the old name
        ``budget_idr_per_month`` is read until the next release, with a
        :class:`DeprecationWarning`).
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
    source: str = attrs.field(default="", validator=_name)

    def __attrs_post_init__(self) -> None:
        for name in self.parameters:
            known = name in POSTERIOR_PARAMETERS or (
                name.startswith("budget_phases[") and name.endswith("]") and name[len("budget_phases[") : -1].isdigit()
            )
            if not known:
                raise FieldError(
                    "RolloutPosterior",
                    "parameters",
                    f"holds {name!r}, not one of {', '.join(POSTERIOR_PARAMETERS)} or budget_phases[i]",
                )
        if len(set(self.parameters)) != len(self.parameters):
            raise FieldError("RolloutPosterior", "parameters", "names a parameter twice")
        if not self.values:
            raise FieldError("RolloutPosterior", "values", "must hold at least one row")
        width = len(self.parameters)
        for row in self.values:
            if len(row) != width or not all(isinstance(x, float) and math.isfinite(x) and x >= 0 for x in row):
                raise FieldError(
                    "RolloutPosterior", "values", f"rows must hold {width} finite numbers >= 0, got {row!r}"[:200]
                )
        if len(self.sims) != len(self.values) or any(
            isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in self.sims
        ):
            raise FieldError("RolloutPosterior", "sims", "must hold one whole number >= 0 per row")

    def __repr__(self) -> str:
        return f"RolloutPosterior({len(self.values)} draws of {', '.join(self.parameters)}; {self.source[:80]!r})"

    def column(self, name: str) -> tuple[float, ...]:
        """One parameter's values over the rows."""
        j = self.parameters.index(current_name(name, self.parameters, "parameter", "RolloutPosterior.column"))
        return tuple(row[j] for row in self.values)


def _phases(value: Any) -> tuple[BudgetPhase, ...]:
    return tuple(value)


@renamed("budget_idr_per_month")
@attrs.frozen
class RolloutAssumptions:
    """How the network is planned and built.

    Parameters
    ----------
    budget_per_month : float or Distribution
        Money for building per month, in the programme's currency. [currency/month]
    budget_phases : tuple of BudgetPhase
        Later changes of the monthly budget, in increasing ``start_month``;
        ``budget_per_month`` applies before the first.
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

    Notes
    -----
    ``budget_idr_per_month``, the old name of ``budget_per_month``, works
    until the next release, with a :class:`DeprecationWarning`.
    """

    budget_per_month: Distribution = _dist_field(_defaults.BUDGET_PER_MONTH, MAX_MONEY)
    budget_phases: tuple[BudgetPhase, ...] = attrs.field(default=(), converter=_phases)
    build_km_per_month: float | None = attrs.field(
        default=None, validator=optional(number(0.0, 1e6, exclusive_minimum=True))
    )
    policy: str = attrs.field(default=_defaults.POLICY, validator=one_of(POLICIES))
    carry_over: bool = attrs.field(default=_defaults.CARRY_OVER, validator=instance_of(bool))
    initially_connected: int | tuple[str, ...] = attrs.field(default=0)
    route_factor: float = attrs.field(default=_defaults.ROUTE_FACTOR, validator=number(1.0, 10.0))
    demand_mbps: float = attrs.field(default=_defaults.DEMAND_MBPS, validator=number(0.0, 1e5))
    horizon_years: float = attrs.field(
        default=_defaults.HORIZON_YEARS, validator=number(0.0, 100.0, exclusive_minimum=True)
    )
    discount_rate: float = attrs.field(default=_defaults.DISCOUNT_RATE, validator=number(0.0, 1.0))
    technology_choice: bool = attrs.field(default=_defaults.TECHNOLOGY_CHOICE, validator=instance_of(bool))
    capex_multiplier: Distribution = _dist_field(_defaults.CAPEX_MULTIPLIER, MAX_MULTIPLIER)
    readiness_months: Distribution = _dist_field(_defaults.READINESS_MONTHS, MAX_MONTHS)
    cost_spread: Distribution = _dist_field(_defaults.COST_SPREAD, MAX_COST_SPREAD)
    posterior: RolloutPosterior | None = attrs.field(default=None, validator=optional(instance_of(RolloutPosterior)))

    @property
    def has_tail(self) -> bool:
        """Whether any tail mechanism (readiness, cost spread, a posterior) is declared."""
        return bool(self.posterior_columns) or self.readiness_months != Fixed(0.0) or self.cost_spread != Fixed(0.0)

    @initially_connected.validator
    def _check_initial(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, tuple)):
            raise FieldTypeError(
                "RolloutAssumptions", "initially_connected", f"must be a count or a list of codes, got {value!r}"
            )
        if isinstance(value, int) and not 0 <= value <= MAX_COUNT:
            raise FieldError(
                "RolloutAssumptions", "initially_connected", f"must be a count from 0 to {MAX_COUNT:g}, got {value}"
            )
        if isinstance(value, tuple):
            for code in value:
                text(non_empty=True)(self, attribute, code)

    def __attrs_post_init__(self) -> None:
        if any(not isinstance(p, BudgetPhase) for p in self.budget_phases):
            raise FieldTypeError("RolloutAssumptions", "budget_phases", "must hold BudgetPhase entries")
        starts = [p.start_month for p in self.budget_phases]
        if starts != sorted(set(starts)):
            raise FieldError(
                "RolloutAssumptions", "budget_phases", f"must have increasing, distinct start months, got {starts}"
            )
        wanted = self.posterior_columns
        if wanted and self.posterior is None:
            raise FieldError(
                "RolloutAssumptions",
                "posterior",
                f"is needed: {', '.join(wanted)} take their values from a posterior sample",
            )
        if self.posterior is not None:
            missing = [name for name in wanted if name not in self.posterior.parameters]
            if missing:
                raise FieldError(
                    "RolloutAssumptions",
                    "posterior",
                    f"has no column {', '.join(missing)}, which the rollout takes from it",
                )
            for name in wanted:  # the values a run takes must lie in the field's own range
                highest = max(self.posterior.column(name))
                if highest > (maximum := self._posterior_maximum(name)):
                    raise FieldError(
                        "RolloutAssumptions",
                        "posterior",
                        f"column {name} holds {highest:g}, above the field's range (at most {maximum:g})",
                    )

    def _posterior_maximum(self, name: str) -> float:
        if name == "readiness_months":
            return float(MAX_MONTHS)
        if name == "cost_spread":
            return MAX_COST_SPREAD
        if name.startswith("budget_phases["):
            phase = self.budget_phases[int(name[len("budget_phases[") : -1])]
            return MAX_MULTIPLIER if phase.scale is not None else MAX_MONEY
        return MAX_MONEY

    @property
    def posterior_columns(self) -> tuple[str, ...]:
        """The names of the fields drawn from the posterior sample (``{distribution = "posterior"}``)."""
        names = [
            ("budget_per_month", self.budget_per_month),
            *(
                (f"budget_phases[{i}]", p.scale if p.scale is not None else p.budget_per_month)
                for i, p in enumerate(self.budget_phases)
            ),
            ("readiness_months", self.readiness_months),
            ("cost_spread", self.cost_spread),
        ]
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

    p_multiplier: Distribution = _dist_field(_defaults.BASS_MULTIPLIER, MAX_MULTIPLIER)
    q_multiplier: Distribution = _dist_field(_defaults.BASS_MULTIPLIER, MAX_MULTIPLIER)
    neighbour_weight: float = attrs.field(default=_defaults.NEIGHBOUR_WEIGHT, validator=_unit)
    n_neighbours: int = attrs.field(default=_defaults.NEIGHBOURS, validator=whole(1, 100))
    stochastic: bool = attrs.field(default=True, validator=instance_of(bool))


@renamed("cost_idr_per_km", "value_of_time_idr_per_hour")
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
    cost_per_km : float
        Out-of-pocket travel cost, in the programme's currency. [currency/km]
    value_of_time_per_hour : float
        Value of an hour of travel, in the programme's currency. [currency/h]
    idm : IDMAssumptions
        The IDM projection (none unless it declares an observed state).

    Notes
    -----
    The old names ``cost_idr_per_km`` and ``value_of_time_idr_per_hour``
    work until the next release, with a :class:`DeprecationWarning`.
    """

    office: Location | None = attrs.field(default=None, validator=optional(instance_of(Location)))
    road_factor: float = attrs.field(default=_defaults.ROAD_FACTOR, validator=number(0.0, 10.0, exclusive_minimum=True))
    speed_kmh: float = attrs.field(default=_defaults.SPEED_KMH, validator=number(0.0, 1000.0, exclusive_minimum=True))
    cost_per_km: float = attrs.field(default=_defaults.COST_PER_KM, validator=_money)
    value_of_time_per_hour: float = attrs.field(default=_defaults.VALUE_OF_TIME_PER_HOUR, validator=_money)
    idm: IDMAssumptions = attrs.field(factory=IDMAssumptions, validator=instance_of(IDMAssumptions))


_month = matches(
    r"(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])", "a calendar month from 1900-01 to 2199-12 written YYYY-MM (e.g. 2016-06)"
)


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

    Notes
    -----
    Every amount of money in the scenario (the budgets, the travel cost
    and value of time) is in the programme's currency, :attr:`currency`.
    """

    name: str = attrs.field(validator=_name)
    region: RegionSource = attrs.field(validator=instance_of(RegionSource))
    programme: Programme = attrs.field(factory=smart_kampung_programme, validator=instance_of(Programme))
    start: str = attrs.field(default=_defaults.START_MONTH, validator=_month)
    horizon_months: int = attrs.field(default=_defaults.HORIZON_MONTHS, validator=whole(1, MAX_MONTHS))
    rollout: RolloutAssumptions = attrs.field(factory=RolloutAssumptions, validator=instance_of(RolloutAssumptions))
    adoption: AdoptionAssumptions = attrs.field(factory=AdoptionAssumptions, validator=instance_of(AdoptionAssumptions))
    outcomes: OutcomeAssumptions = attrs.field(factory=OutcomeAssumptions, validator=instance_of(OutcomeAssumptions))
    description: str = attrs.field(default="", validator=_name)

    @property
    def currency(self) -> str:
        """ISO 4217 code of every amount of money in the scenario and its results: the programme's.

        Read-only: the currency is stated once, as :attr:`Programme.currency
        <smartkampung.model.Programme.currency>` (``[programme] currency =
        "PHP"`` in a file), so the budget, the costs and the results cannot disagree.
        """
        return self.programme.currency

    @property
    def start_year_month(self) -> tuple[int, int]:
        """``(year, month)`` of month 0."""
        year, month = self.start.split("-")
        return int(year), int(month)

    def without_idm(self) -> Scenario:
        """The same scenario with no IDM projection (all a network plan or a rollout fit needs)."""
        return attrs.evolve(self, outcomes=attrs.evolve(self.outcomes, idm=IDMAssumptions()))

    def month_label(self, month: int) -> str:
        """Calendar label ``"YYYY-MM"`` of simulation month ``month`` (0-based)."""
        year, mon = self.start_year_month
        total = year * 12 + (mon - 1) + month
        return f"{total // 12:04d}-{total % 12 + 1:02d}"
