"""The IDM step of a scenario's runs: what every run shares, and the projection of one run.

:func:`prepare_idm` turns a scenario's :class:`~smartkampung.model.IDMAssumptions`
and a region's columns into a :class:`PreparedIDM` once (which villages are
scored, the IDM years of the horizon, the observed state, the effect rules and
the adoption each rule reads); :func:`project_run` projects one run from that
run's connection months and adoption fractions, with the run's own stream.
The fitted dynamics and the donor records come in as data
(:class:`IDMInputs`): nothing here reads a file
(:func:`smartkampung.simulate` supplies the bundled ones).
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._arrays import readonly_array
from smartkampung._errors import ParameterError
from smartkampung.model._idm import IDMStatus, idm_status_code
from smartkampung.model._idm_data import CONNECTION_DRIVER, IDM_INDEX, IndicatorEffect, IndicatorPanel
from smartkampung.model._indicators import IDM_DIMENSION_NAMES, CompositeIndex
from smartkampung.model._scenario import Scenario
from smartkampung.model._village import VillageColumns
from smartkampung.sim.idm._batch import project_runs
from smartkampung.sim.idm._dynamics import IDMDynamics
from smartkampung.sim.idm._effects import check_effects, idm_sample_months
from smartkampung.sim.idm._project import Stepper
from smartkampung.sim.idm._scores import check_scores

__all__ = ["IDMInputs", "PreparedIDM", "prepare_idm", "project_run"]

_KEMENDAGRI_PREFIX = re.compile(r"[0-9]{2}\.[0-9]{2}\.")


def _donor_scores(value: IndicatorPanel | ArrayLike) -> NDArray[np.int8]:
    # The scores of a panel, or the array as given (checked against the dynamics' index after).
    scores: Any = value.scores if isinstance(value, IndicatorPanel) else value
    return scores  # type: ignore[no-any-return]


@attrs.frozen(eq=False, repr=False)
class IDMInputs:
    """The data an IDM projection needs besides the scenario: fitted dynamics and donor records.

    Parameters
    ----------
    dynamics : IDMDynamics
        Background dynamics of the indicator scores, e.g.
        :func:`smartkampung.datasets.idm_dynamics` (fitted to the ministry's
        2021–2024 panel) or :func:`~smartkampung.sim.idm.fit_idm_dynamics` of
        a country's own panel. Its ``index`` is the index projected: IDM
        scores the desa of a region; a country's own
        :class:`~smartkampung.model.CompositeIndex` scores every village.
    reference : IndicatorPanel or array_like of int, shape (m, n_indicators)
        Donor records from which each run draws the desa's starting indicator
        scores (e.g. :func:`smartkampung.datasets.idm_panel`), scores of
        ``dynamics.index``.

    Raises
    ------
    ParameterError
        If *dynamics* is not IDMDynamics, or *reference* does not hold scores
        of its index (a wrong shape, scores out of range, no record).
    """

    dynamics: IDMDynamics
    reference: NDArray[np.int8] = attrs.field(converter=_donor_scores)

    def __attrs_post_init__(self) -> None:
        fn = "IDMInputs"
        if not isinstance(self.dynamics, IDMDynamics):
            raise ParameterError("dynamics", f"must be IDMDynamics, got {type(self.dynamics).__name__}", function=fn)
        scores = check_scores(self.reference, "reference", fn, self.dynamics.index)
        if scores.shape[0] == 0:
            raise ParameterError("reference", "holds no record", function=fn)
        object.__setattr__(self, "reference", readonly_array(scores, np.int8))

    @property
    def index(self) -> CompositeIndex:
        """The index projected (the dynamics')."""
        return self.dynamics.index

    def __repr__(self) -> str:
        return f"IDMInputs({self.index.name}, {self.dynamics.n_regimes} regimes, {self.reference.shape[0]} records)"


@attrs.frozen(eq=False, repr=False)
class PreparedIDM:
    """What the IDM step of every run shares, computed once by :func:`prepare_idm`.

    Attributes
    ----------
    index : CompositeIndex
    dynamics : IDMDynamics
    reference : ndarray of int8, shape (m, n_indicators)
        Donor records.
    villages : ndarray of intp, shape (n_scored,)
        Positions (in the region's columns) of the villages the index scores.
    regency : ndarray of intp, shape (n_scored,)
        Regency group of each (desa of one regency share its yearly shock).
    n_regencies : int
    observed_year : int
        IDM year of the observed state.
    years : tuple of int
        IDM years reported: the observed year, then each year whose data
        cut-off falls within the horizon.
    sample_months : ndarray of int64, shape (n_years,)
        Simulation month of each year's data cut-off (negative: before the
        start). [month]
    known_status : ndarray of int8, shape (n_scored,)
        Status from the village's own score in the region, -1 where none.
    remaining_counts : ndarray of int64, shape (n_statuses,)
        Statuses left for the villages without a score of their own.
    effects : tuple of IndicatorEffect
    drivers : tuple of str
        Adoption fractions the rules read (their ``driver``, but
        ``"connection"``).
    driver_services : ndarray of bool, shape (n_drivers, n_services)
        The services whose adopters count toward each driver.
    start_year, start_month, cutoff_month : int
        Calendar month of simulation month 0, and the data cut-off.
    counterfactual : bool
        Report the villages without the programme's effects.
    status_names : tuple of str
        Name of each status in tables (IDM: ``"sangat_tertinggal"`` …
        ``"mandiri"``).
    stepper : Stepper
        The dynamics' inner loop, prepared once (not an argument).
    donor_status_cache : dict
        The donors' statuses under each floor pattern met so far, so runs
        that share a pattern do not score the donor records again (not an
        argument; at most :data:`~smartkampung.sim.idm._initial.DONOR_CACHE_SIZE` patterns).
    """

    index: CompositeIndex
    dynamics: IDMDynamics
    reference: NDArray[np.int8]
    villages: NDArray[np.intp]
    regency: NDArray[np.intp]
    n_regencies: int
    observed_year: int
    years: tuple[int, ...]
    sample_months: NDArray[np.int64]
    known_status: NDArray[np.int8]
    remaining_counts: NDArray[np.int64]
    effects: tuple[IndicatorEffect, ...]
    drivers: tuple[str, ...]
    driver_services: NDArray[np.bool_]
    start_year: int
    start_month: int
    cutoff_month: int
    counterfactual: bool
    status_names: tuple[str, ...]
    stepper: Stepper = attrs.field(init=False)
    donor_status_cache: dict[bytes, NDArray[np.int8]] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "stepper", Stepper(self.dynamics, self.regency, self.n_regencies))

    @property
    def n_statuses(self) -> int:
        """Number of statuses of the index."""
        return self.index.n_statuses

    def __repr__(self) -> str:
        return (
            f"PreparedIDM({self.index.name}, {self.villages.size} villages, IDM {self.years[0]}-{self.years[-1]}, "
            f"{len(self.effects)} rules)"
        )


def idm_years(
    observed_year: int, start_year: int, start_month: int, cutoff_month: int, n_months: int
) -> tuple[int, ...]:
    """IDM years from *observed_year* to the last whose data cut-off falls within the horizon (may be empty)."""
    # Month index of year Y's cut-off: (Y - start_year) * 12 + cutoff_month - start_month <= n_months - 1.
    last = start_year + (n_months - 1 - (cutoff_month - start_month)) // 12
    return tuple(range(observed_year, last + 1))


def _regency_groups(codes: NDArray[np.str_]) -> tuple[NDArray[np.intp], int]:
    # Kemendagri codes PP.KK.CC.VVVV: the regency is PP.KK. Other codes: one regency.
    if codes.size and all(_KEMENDAGRI_PREFIX.match(c) for c in codes.tolist()):
        _, group = np.unique(np.array([c[:5] for c in codes.tolist()]), return_inverse=True)
        return group.reshape(-1).astype(np.intp), int(group.max()) + 1
    return np.zeros(codes.size, dtype=np.intp), 1


def _driver_services(
    scenario: Scenario, effects: tuple[IndicatorEffect, ...], fn: str
) -> tuple[tuple[str, ...], NDArray[np.bool_]]:
    programme = scenario.programme
    services = programme.services
    dimension = {p.id: (p.idm_dimension.value if p.idm_dimension is not None else None) for p in programme.pillars}
    drivers = tuple(dict.fromkeys(e.driver for e in effects if e.driver != CONNECTION_DRIVER))
    table = np.zeros((len(drivers), len(services)), dtype=bool)
    ids = [s.id for s in services]
    for d, driver in enumerate(drivers):
        if driver in ids:
            table[d, ids.index(driver)] = True
        elif driver in IDM_DIMENSION_NAMES:
            table[d] = [dimension.get(s.pillar) == driver for s in services]
        else:
            column = next(e.column for e in effects if e.driver == driver)
            raise ParameterError(
                "effects",
                f"the rule for {column!r} is driven by {driver!r}, which is neither a service of the programme "
                f"({', '.join(ids) or 'none'}) nor an IDM dimension ({', '.join(IDM_DIMENSION_NAMES)})",
                function=fn,
            )
    return drivers, table


def prepare_idm(
    scenario: Scenario, columns: VillageColumns, inputs: IDMInputs | None, *, function: str = "prepare"
) -> PreparedIDM | None:
    """The IDM step's shared arrays, or None when the scenario projects no IDM for this region.

    None when the scenario declares no observed state
    (``scenario.outcomes.idm.observed_year`` is None), when the region has
    no village the index scores (IDM scores desa: none outside Indonesia),
    or when no IDM year from the observed one falls within the horizon.

    Parameters
    ----------
    scenario : Scenario
    columns : VillageColumns
        The region's columns (:meth:`Region.to_columns <smartkampung.model.Region.to_columns>`).
    inputs : IDMInputs or None
        Dynamics and donor records; required when there is a projection.
    function : str
        Name of the caller, for errors.

    Raises
    ------
    ParameterError
        ``idm`` when a projection is due and *inputs* is None; ``status_counts``
        when the counts do not fit the region's villages and their own
        scores; ``effects`` when a rule names an indicator the index lacks or
        a driver that is neither a service nor an IDM dimension.
    """
    fn = function
    a = scenario.outcomes.idm
    if a.observed_year is None:
        return None
    if inputs is not None and not isinstance(inputs, IDMInputs):
        raise ParameterError("idm", f"must be IDMInputs, got {type(inputs).__name__}", function=fn)
    index = inputs.index if inputs is not None else IDM_INDEX
    is_idm = index == IDM_INDEX
    n = columns.n_villages
    villages = np.flatnonzero(columns.is_desa) if is_idm else np.arange(n)
    if villages.size == 0:
        return None
    start_year, start_month = scenario.start_year_month
    years = idm_years(a.observed_year, start_year, start_month, a.cutoff_month, scenario.horizon_months)
    if not years:
        return None
    what = "desa" if is_idm else "villages"
    if inputs is None:
        raise ParameterError(
            "idm",
            f"the scenario projects IDM from IDM {a.observed_year} (outcomes.idm) and the region has "
            f"{villages.size} desa: pass idm=IDMInputs(dynamics, reference), e.g. IDMInputs("
            "smartkampung.datasets.idm_dynamics(), smartkampung.datasets.idm_panel()), or call "
            "smartkampung.simulate, which does",
            function=fn,
        )
    k = index.n_statuses
    # A desa's own score (Village.idm) gives its status; NaN (none) gives -1. A country's own index: none known.
    known = idm_status_code(columns.idm_composite[villages]) if is_idm else np.full(villages.size, -1, np.int8)
    have = np.bincount(known[known >= 0].astype(np.intp), minlength=k)
    n_unknown = int(np.count_nonzero(known < 0))
    if a.status_counts is None:
        if n_unknown:
            first = str(columns.code[villages[np.flatnonzero(known < 0)[0]]])
            raise ParameterError(
                "status_counts",
                f"{n_unknown} of the {villages.size} {what} have no IDM score of their own (e.g. {first}) and "
                f"the scenario declares no status_counts for IDM {a.observed_year}",
                function=fn,
            )
        remaining = np.zeros(k, dtype=np.int64)
    else:
        counts = np.asarray(a.status_counts, dtype=np.int64)
        if counts.size != k:
            raise ParameterError(
                "status_counts",
                f"must give one count per status of {index.name} ({k}), got {len(a.status_counts)}",
                function=fn,
            )
        if int(counts.sum()) != villages.size:
            raise ParameterError(
                "status_counts",
                f"add up to {int(counts.sum())} {what} in IDM {a.observed_year}, but the region has "
                f"{villages.size} (declare this region's own counts, or drop the observed state)",
                function=fn,
            )
        remaining = counts - have
        if np.any(remaining < 0):
            raise ParameterError(
                "status_counts",
                f"{counts.tolist()} leave no room for the statuses of the {what} with their own scores "
                f"({have.tolist()})",
                function=fn,
            )
    effects = check_effects(a.effects, index, fn)
    drivers, driver_services = _driver_services(scenario, effects, fn)
    regency, n_regencies = _regency_groups(columns.code[villages])
    sample = idm_sample_months(years, start_year=start_year, start_month=start_month, cutoff_month=a.cutoff_month)
    names = tuple(s.value for s in IDMStatus) if is_idm else index.status_labels
    return PreparedIDM(
        index=index,
        dynamics=inputs.dynamics,
        reference=inputs.reference,
        villages=readonly_array(villages, np.intp),
        regency=readonly_array(regency, np.intp),
        n_regencies=n_regencies,
        observed_year=a.observed_year,
        years=years,
        sample_months=readonly_array(sample, np.int64),
        known_status=readonly_array(known, np.int8),
        remaining_counts=readonly_array(remaining, np.int64),
        effects=effects,
        drivers=drivers,
        driver_services=readonly_array(driver_services, np.bool_),
        start_year=start_year,
        start_month=start_month,
        cutoff_month=a.cutoff_month,
        counterfactual=a.counterfactual,
        status_names=names,
    )


def project_run(
    idm: PreparedIDM,
    connection_month: NDArray[np.int64],
    n_months: int,
    driver_adopters: NDArray[np.float64],
    driver_market: NDArray[np.float64],
    rng: np.random.Generator,
) -> NDArray[np.int64]:
    """One run's projection: villages per status in each IDM year, shape (n_years, n_statuses).

    1. The IDM year each office counts as connected, from the run's
       connection months (:func:`~smartkampung.sim.idm.connection_idm_year`;
       never connected within the horizon: never).
    2. The observed state: villages with a score of their own keep its
       status, the others get the remaining statuses in a random order; each
       village draws a donor record whose status, raised to the programme's
       floor of the observed year, is its status (so the observed year
       reproduces the counts exactly); the donor's own scores are its
       background.
    3. Year by year the background moves by the dynamics and is reported
       raised to that year's floor (:func:`~smartkampung.sim.idm.project_idm_status`);
       with ``counterfactual``, unraised.

    Parameters
    ----------
    idm : PreparedIDM
    connection_month : ndarray of int64, shape (n_villages,)
        The run's connection months (>= *n_months*: not within the horizon). [month]
    n_months : int
        Horizon. [months]
    driver_adopters : ndarray of float64, shape (n_drivers, n_years, n_villages)
        Adopters counting toward each driver at each year's cut-off. [households]
    driver_market : ndarray of float64, shape (n_drivers, n_villages)
        Their markets. [households]
    rng : numpy.random.Generator
        The run's IDM stream; the draws do not depend on the programme's
        effects, so a counterfactual on the same stream shares them all.
    """
    counts: NDArray[np.int64] = project_runs(
        idm, connection_month[None, :], n_months, driver_adopters[None], driver_market, [rng]
    )[0]
    return counts
