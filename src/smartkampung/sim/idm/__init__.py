"""The village development index (IDM): scores from indicators, dynamics fitted to the ministry's panel, projection.

Two models of how a desa's IDM changes, both on arrays:

* indicator dynamics (``_dynamics``): every one of the 50 indicators moves by
  a Markov chain fitted to the real 2021-2024 panel, plus the programme's
  effects on the indicators it touches; see :func:`fit_idm_dynamics` and
  :func:`project_idm_status`;
* the uplift projection (``_uplift``): each sub-index rises with the
  adoption of the pillars that move it (:func:`project_idm`), every
  parameter an illustrative assumption.
"""

from smartkampung.sim.idm._backtest import IDMBacktest, backtest_idm_dynamics
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
from smartkampung.sim.idm._scores import (
    composite_scores,
    indicator_weights,
    status_codes,
    status_of_scores,
    sub_index_totals,
    sub_indices,
)
from smartkampung.sim.idm._uplift import (
    DEFAULT_IDM_CEILING,
    DEFAULT_IDM_EFFECT,
    DEFAULT_IDM_LAG_MONTHS,
    DEFAULT_IDM_TREND_PER_YEAR,
    IDM_DIMENSIONS,
    IDMProjection,
    project_idm,
    status_counts,
)

__all__ = [
    "DEFAULT_IDM_CEILING",
    "DEFAULT_IDM_CUTOFF_MONTH",
    "DEFAULT_IDM_EFFECT",
    "DEFAULT_IDM_LAG_MONTHS",
    "DEFAULT_IDM_TREND_PER_YEAR",
    "DEFAULT_PRIOR_STRENGTH",
    "DEFAULT_PROGRAMME_EFFECTS",
    "IDM_DIMENSIONS",
    "NOT_CONNECTED",
    "IDMBacktest",
    "IDMDynamics",
    "IDMProjection",
    "backtest_idm_dynamics",
    "composite_scores",
    "connection_idm_year",
    "draw_initial_state",
    "effect_floor",
    "fit_idm_dynamics",
    "idm_sample_months",
    "indicator_weights",
    "project_idm",
    "project_idm_status",
    "simulate_idm_scores",
    "status_codes",
    "status_counts",
    "status_of_scores",
    "step_idm",
    "sub_index_totals",
    "sub_indices",
    "transition_pairs",
]
