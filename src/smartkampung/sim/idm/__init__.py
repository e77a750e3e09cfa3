"""The village development index (IDM): scores from indicators, dynamics fitted to the ministry's panel, projection.

Every one of the 50 indicators moves by a Markov chain fitted to the real
2021–2024 panel (:func:`fit_idm_dynamics`, checked out of sample by
:func:`backtest_idm_dynamics`); the programme raises the indicators it
touches by declared rules (:func:`effect_floor`); a projection starts from an
observed state (:func:`draw_initial_state`) and moves year by year
(:func:`project_idm_status`). A scenario's runs use :func:`prepare_idm` and
:func:`project_run` (or :func:`project_runs` for a chunk of runs at once). All on arrays, every function taking a
:class:`~smartkampung.model.CompositeIndex` (default IDM). The model and its
measured backtest are described in the documentation (*Models*, IDM).

Modules: ``_scores`` (sub-indices, composite, status), ``_dynamics`` (the
fitted parameters), ``_fit`` (fitting), ``_effects`` (rules and the IDM
calendar), ``_project`` (stepping), ``_initial`` (the observed starting
state), ``_backtest``, ``_run`` (the step of a scenario run).
"""

from smartkampung.sim.idm._backtest import IDMBacktest, backtest_idm_dynamics
from smartkampung.sim.idm._batch import project_runs
from smartkampung.sim.idm._dynamics import IDMDynamics
from smartkampung.sim.idm._effects import (
    DEFAULT_IDM_CUTOFF_MONTH,
    DEFAULT_PROGRAMME_EFFECTS,
    NOT_CONNECTED,
    connection_idm_year,
    effect_floor,
    idm_sample_months,
)
from smartkampung.sim.idm._fit import DEFAULT_PRIOR_STRENGTH, fit_idm_dynamics, transition_pairs
from smartkampung.sim.idm._initial import draw_initial_state
from smartkampung.sim.idm._project import project_idm_status, simulate_idm_scores, step_idm
from smartkampung.sim.idm._run import IDMInputs, PreparedIDM, prepare_idm, project_run
from smartkampung.sim.idm._scores import (
    composite_scores,
    indicator_weights,
    status_codes,
    status_counts,
    status_of_scores,
    sub_index_totals,
    sub_indices,
)

__all__ = [
    "DEFAULT_IDM_CUTOFF_MONTH",
    "DEFAULT_PRIOR_STRENGTH",
    "DEFAULT_PROGRAMME_EFFECTS",
    "NOT_CONNECTED",
    "IDMBacktest",
    "IDMDynamics",
    "IDMInputs",
    "PreparedIDM",
    "backtest_idm_dynamics",
    "composite_scores",
    "connection_idm_year",
    "draw_initial_state",
    "effect_floor",
    "fit_idm_dynamics",
    "idm_sample_months",
    "indicator_weights",
    "prepare_idm",
    "project_idm_status",
    "project_run",
    "project_runs",
    "simulate_idm_scores",
    "status_codes",
    "status_counts",
    "status_of_scores",
    "step_idm",
    "sub_index_totals",
    "sub_indices",
    "transition_pairs",
]
