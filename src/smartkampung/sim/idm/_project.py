"""Moving indicator scores forward year by year: background dynamics plus the programme's floors.

:func:`step_idm` moves scores by one IDM year under fitted
:class:`~smartkampung.sim.idm.IDMDynamics`; :func:`project_idm_status` and
:func:`simulate_idm_scores` run one stochastic projection from an initial
state, applying the programme's floors (:func:`~smartkampung.sim.idm.effect_floor`)
year by year to a background that moves by the dynamics alone. The random
draws do not depend on the state, so two projections with the same stream
(a scenario and its counterfactual) share every shock, and the one with
effects is never behind.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._typing import as_generator
from smartkampung._validation import as_float_array, as_int_array, check_int
from smartkampung.model._idm_data import CONNECTION_DRIVER, IndicatorEffect
from smartkampung.sim.idm._dynamics import IDMDynamics
from smartkampung.sim.idm._effects import DEFAULT_PROGRAMME_EFFECTS, check_effects, effect_floor
from smartkampung.sim.idm._scores import check_scores, group_index, membership, status_fast

__all__ = ["project_idm_status", "simulate_idm_scores", "step_idm"]


class Stepper:
    """The inner loop of a projection (and of the backtest): thresholds, shock scales, membership, prepared once."""

    def __init__(self, dynamics: IDMDynamics, group: NDArray[np.intp], n_groups: int) -> None:
        ix = dynamics.index
        self.index = ix
        self.levels = ix.max_score + 1
        self.n_indicators = ix.n_indicators
        tau = dynamics.latent_thresholds().astype(np.float32)
        self.n_regimes = dynamics.n_regimes
        self.tau = tau.reshape(self.n_regimes, -1, self.levels - 1)
        # The interval of the latent value in which a score s stays s: (tau[s-1], tau[s]].
        padded = np.concatenate(
            [
                np.full((*self.tau.shape[:2], 1), -np.inf, dtype=np.float32),
                self.tau,
                np.full((*self.tau.shape[:2], 1), np.inf, dtype=np.float32),
            ],
            axis=-1,
        )
        score = np.tile(np.arange(self.levels), self.tau.shape[1] // self.levels)
        self.stay_low = np.ascontiguousarray(padded[:, np.arange(score.size), score])
        self.stay_high = np.ascontiguousarray(padded[:, np.arange(score.size), score + 1])
        self.frozen = dynamics.frozen
        self.sd_e = np.float32(math.sqrt(1.0 - dynamics.rho_regency - dynamics.rho_desa))
        self.sd_d = np.float32(math.sqrt(dynamics.rho_desa))
        self.sd_r = np.float32(math.sqrt(dynamics.rho_regency))
        self.group = group
        self.n_groups = n_groups
        self.member = membership(ix)

    def status(self, x: NDArray[np.int8]) -> NDArray[np.int8]:
        return status_fast(x, self.member, self.index)

    def step(
        self, x: NDArray[np.int8], rng: np.random.Generator, band: NDArray[np.int8] | None = None
    ) -> NDArray[np.int8]:
        n, j = x.shape
        b = (self.status(x) if band is None else band).astype(np.intp)
        # Fixed order of draws: the year's regime, frozen uniforms, indicator, desa, then regency shocks.
        regime = int(rng.integers(0, self.n_regimes)) if self.n_regimes > 1 else 0
        # The draws do not depend on the state, so two runs with the same stream (a scenario and its
        # counterfactual) share every shock: common random numbers, desa by desa.
        unchanged_draw = rng.random(n)
        z = rng.standard_normal((n, j), dtype=np.float32)
        z *= self.sd_e
        desa_shock = rng.standard_normal(n, dtype=np.float32) * self.sd_d
        regency_shock = rng.standard_normal(self.n_groups, dtype=np.float32) * self.sd_r
        z += (desa_shock + regency_shock[self.group])[:, None]
        frozen = unchanged_draw < self.frozen[regime, b]  # these records stay as they are
        # Most indicators stay: test the latent value against the current score's own interval
        # first, and count thresholds only where it falls outside (the same result as counting all).
        row = (b[:, None].astype(np.int32) * j + np.arange(j, dtype=np.int32)[None, :]) * self.levels + x
        moving = (z > self.stay_high[regime][row]) | (z <= self.stay_low[regime][row])
        moving[frozen] = False
        moves = np.flatnonzero(moving)
        out = x.copy()
        if moves.size:
            thresholds = self.tau[regime][row.reshape(-1)[moves]]  # (k, L-1)
            out.reshape(-1)[moves] = (z.reshape(-1)[moves][:, None] > thresholds).sum(axis=1, dtype=np.int8)
        return out


def step_idm(
    scores: ArrayLike, dynamics: IDMDynamics, *, regency: ArrayLike | None = None, rng: Any = None
) -> NDArray[np.int8]:
    """Move indicator scores forward by one IDM year (background dynamics only).

    Parameters
    ----------
    scores : array_like of int, shape (n_desa, n_indicators)
        Scores in IDM year *Y*.
    dynamics : IDMDynamics
        Fitted dynamics (:func:`fit_idm_dynamics`,
        :func:`smartkampung.datasets.idm_dynamics`).
    regency : array_like, shape (n_desa,), optional
        Regency label of each desa (codes or integers): desa with the same
        label share the regency shock. None: all desa in one regency.
    rng : seed or Generator, optional
        SPEC 7 random source.

    Returns
    -------
    ndarray of int8, shape (n_desa, n_indicators)
        Scores in IDM year *Y* + 1, each in 0..max_score.
    """
    fn = "step_idm"
    if not isinstance(dynamics, IDMDynamics):
        raise ParameterError("dynamics", f"must be IDMDynamics, got {type(dynamics).__name__}", function=fn)
    x = check_scores(scores, "scores", fn, dynamics.index)
    group, n_groups = group_index(regency, x.shape[0], "regency", fn)
    return Stepper(dynamics, group, n_groups).step(x, as_generator(rng, fn))


def _years(years: Any, initial_year: Any, function: str) -> tuple[int, NDArray[np.int64]]:
    y0 = check_int(initial_year, "initial_year", function)
    ys = as_int_array(years, "years", function)
    if ys.ndim != 1 or ys.size == 0:
        raise ParameterError("years", "must be a non-empty 1-D sequence of IDM years", function=function)
    if ys[0] < y0:
        raise ParameterError(
            "years",
            f"starts at {int(ys[0])}, before initial_year {y0}: years before the "
            "observed state are not projected backwards",
            function=function,
        )
    if ys[0] > y0 + 1 or np.any(np.diff(ys) != 1):
        raise ParameterError(
            "years", f"must be consecutive years starting at initial_year ({y0}) or the year after", function=function
        )
    return y0, ys


def _adoption_series(
    adoption: Mapping[str, ArrayLike] | None, n_years: int, n_desa: int, function: str
) -> dict[str, NDArray[np.float64]]:
    if adoption is None:
        return {}
    if not isinstance(adoption, Mapping):
        raise ParameterError(
            "adoption", f"must be a mapping of driver name to array, got {type(adoption).__name__}", function=function
        )
    out: dict[str, NDArray[np.float64]] = {}
    for key, value in adoption.items():
        arr = as_float_array(value, f"adoption[{key!r}]", function)
        if arr.shape != (n_years, n_desa):
            raise ParameterError(
                "adoption",
                f"{key!r} must have shape (n_years, n_desa) = ({n_years}, {n_desa}), got {arr.shape}",
                function=function,
            )
        out[str(key)] = arr
    return out


def trajectory(
    background: NDArray[np.int8],
    dynamics: IDMDynamics,
    y0: int,
    years: NDArray[np.int64],
    connected: NDArray[np.int64] | None,
    adoption: Mapping[str, NDArray[np.float64]],
    effects: tuple[IndicatorEffect, ...],
    group: NDArray[np.intp],
    n_groups: int,
    rng: np.random.Generator,
) -> Iterator[tuple[NDArray[np.int8], NDArray[np.int8]]]:
    """Yield (scores, status) for each of *years*: the background stepped every year from y0, raised to the floor.

    *adoption* holds one (n_years, n_desa) array per driver, aligned with *years*.
    """
    stepper = Stepper(dynamics, group, n_groups)
    position = {int(y): t for t, y in enumerate(years)}
    xb = background
    n = xb.shape[0]
    for year in range(y0, int(years[-1]) + 1):
        if year > y0:
            xb = stepper.step(xb, rng)  # the band conditioning the moves is the background's own status
        t = position.get(year)
        if t is None:
            continue
        x = xb
        if effects:
            floor = effect_floor(
                effects,
                year=year,
                n_desa=n,
                connected_year=connected,
                adoption={k: v[t] for k, v in adoption.items()},
                index=dynamics.index,
            )
            x = np.maximum(xb, floor)
        yield x, stepper.status(x)


def _projection_inputs(
    initial_scores: ArrayLike,
    dynamics: IDMDynamics,
    initial_year: Any,
    years: Any,
    connected_year: ArrayLike | None,
    adoption: Mapping[str, ArrayLike] | None,
    effects: Any,
    regency: ArrayLike | None,
    function: str,
) -> tuple[Any, ...]:
    if not isinstance(dynamics, IDMDynamics):
        raise ParameterError("dynamics", f"must be IDMDynamics, got {type(dynamics).__name__}", function=function)
    ix = dynamics.index
    x = check_scores(initial_scores, "initial_scores", function, ix)
    n = x.shape[0]
    y0, ys = _years(years, initial_year, function)
    rules = check_effects(effects, ix, function)
    connected = None
    if connected_year is not None:
        connected = as_int_array(connected_year, "connected_year", function)
        if connected.shape != (n,):
            raise ParameterError("connected_year", f"must have shape ({n},), got {connected.shape}", function=function)
    series = _adoption_series(adoption, ys.size, n, function)
    for rule in rules:  # fail before simulating, not in year 3
        if rule.driver == CONNECTION_DRIVER and connected is None:
            raise ParameterError("connected_year", f"is needed by the rule for {rule.column!r}", function=function)
        if rule.driver != CONNECTION_DRIVER and rule.driver not in series:
            raise ParameterError(
                "adoption", f"needs the fraction {rule.driver!r} (rule for {rule.column!r})", function=function
            )
    group, n_groups = group_index(regency, n, "regency", function)
    return x, y0, ys, connected, series, rules, group, n_groups


def project_idm_status(
    initial_scores: ArrayLike,
    dynamics: IDMDynamics,
    *,
    initial_year: int,
    years: ArrayLike,
    connected_year: ArrayLike | None = None,
    adoption: Mapping[str, ArrayLike] | None = None,
    effects: Sequence[IndicatorEffect] = DEFAULT_PROGRAMME_EFFECTS,
    regency: ArrayLike | None = None,
    rng: Any = None,
) -> NDArray[np.int8]:
    """IDM status of every desa in every year: background dynamics plus programme effects.

    One stochastic run. Year by year from ``initial_year``, the background
    scores (the desa as they would be without the programme) move by
    :func:`step_idm`, and each reported year's scores are the background
    raised to the programme's floor for that year (:func:`effect_floor`).
    The effects do not feed back into the background: raising one indicator
    does not change how the desa's other indicators move (the status band
    that conditions the moves is the background's). So with the same *rng*,
    a projection with effects is never below the same projection without
    them, desa by desa and year by year. Call it once per ensemble run with
    that run's connection years and adoption, and a stream of its own.

    Parameters
    ----------
    initial_scores : array_like of int, shape (n_desa, n_indicators)
        Background scores in ``initial_year``, e.g.
        ``draw_initial_state(..., background=True)``; observed scores (which
        already hold the programme's effects) work too, since raising to a
        floor twice changes nothing.
    dynamics : IDMDynamics
        Fitted background dynamics.
    initial_year : int
        The IDM year of *initial_scores*.
    years : array_like of int, shape (n_years,)
        Consecutive IDM years to return, starting at ``initial_year`` (its
        status is that of *initial_scores* raised to that year's floor) or the
        year after. Earlier years are not projected backwards.
    connected_year : array_like of int, shape (n_desa,), optional
        First IDM year each office counts as connected
        (:func:`connection_idm_year`). Needed by ``"connection"`` rules.
    adoption : mapping of str to array_like of float, shape (n_years, n_desa), optional
        Adoption fraction of each driver the rules name, at each year's data
        cut-off (:func:`idm_sample_months`), aligned with *years*. [0–1]
    effects : sequence of IndicatorEffect, default :data:`DEFAULT_PROGRAMME_EFFECTS`
        Programme rules; ``()`` for background dynamics alone.
    regency : array_like, shape (n_desa,), optional
        Regency label of each desa; None: one regency (e.g. Banyuwangi).
    rng : seed or Generator, optional
        SPEC 7 random source.

    Returns
    -------
    ndarray of int8, shape (n_years, n_desa)
        Status codes (IDM: 0 Sangat Tertinggal … 4 Mandiri).

    Raises
    ------
    ParameterError
        Naming the argument: shapes, scores out of range, years not
        consecutive or before ``initial_year``, a rule's input missing.
    """
    fn = "project_idm_status"
    x, y0, ys, connected, series, rules, group, n_groups = _projection_inputs(
        initial_scores, dynamics, initial_year, years, connected_year, adoption, effects, regency, fn
    )
    gen = as_generator(rng, fn)
    out = np.empty((ys.size, x.shape[0]), dtype=np.int8)
    for t, (_, status) in enumerate(trajectory(x, dynamics, y0, ys, connected, series, rules, group, n_groups, gen)):
        out[t] = status
    return out


def simulate_idm_scores(
    initial_scores: ArrayLike,
    dynamics: IDMDynamics,
    *,
    initial_year: int,
    years: ArrayLike,
    connected_year: ArrayLike | None = None,
    adoption: Mapping[str, ArrayLike] | None = None,
    effects: Sequence[IndicatorEffect] = DEFAULT_PROGRAMME_EFFECTS,
    regency: ArrayLike | None = None,
    rng: Any = None,
) -> NDArray[np.int8]:
    """The full score trajectory of one run, shape (n_years, n_desa, n_indicators).

    Same arguments, and the same random numbers for the same *rng*, as
    :func:`project_idm_status` (whose statuses are
    ``status_of_scores`` of these scores); for inspecting indicators.
    """
    fn = "simulate_idm_scores"
    x, y0, ys, connected, series, rules, group, n_groups = _projection_inputs(
        initial_scores, dynamics, initial_year, years, connected_year, adoption, effects, regency, fn
    )
    gen = as_generator(rng, fn)
    return np.stack(
        [state for state, _ in trajectory(x, dynamics, y0, ys, connected, series, rules, group, n_groups, gen)]
    )
