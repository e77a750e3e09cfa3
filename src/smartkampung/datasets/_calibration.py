"""The calibration behind the bundled Banyuwangi scenario's rollout, and its shipped posterior sample.

:func:`calibrate_banyuwangi` fits the rollout of Smart Kampung to the counts
of connected desa published up to May 2018 (and no later):
:func:`smartkampung.sim.forecast.calibrate_rollout` on the grid below. The
posterior sample the scenario carries (``data/banyuwangi_rollout_posterior.json``)
was written by ``python -c "from smartkampung.datasets._scenarios import
recalibrate; recalibrate()"``; the tests rerun the calibration and compare.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np

from smartkampung.datasets._bundled import banyuwangi, data_path
from smartkampung.datasets._observations import banyuwangi_observations
from smartkampung.model._scenario import BudgetPhase, Distribution, Fixed, RolloutPosterior, Scenario, Uniform
from smartkampung.sim.forecast import RolloutCalibration, RolloutModel, calibrate_rollout
from smartkampung.sim.run import prepare

__all__ = [
    "FUTURE_BUDGET_SCALE",
    "GRID",
    "ICON_PLUS_MONTH",
    "NOISE_SD",
    "POSTERIOR_FILE",
    "banyuwangi_posterior",
    "calibrate_banyuwangi",
    "rollout_phases",
]

#: January 2017, the agreement with PT ICON+ to speed fibre up [jawapos-2017-01-02], counted from June 2016. [month]
ICON_PLUS_MONTH: Final[int] = 7
#: June 2018, the first month after the last published count (May 2018). [month]
FORECAST_ORIGIN_MONTH: Final[int] = 24
#: The budget after May 2018, as a multiple of the fitted pace: unknown, so drawn from a quarter to 125 %
#: of it (illustrative assumption: a slowdown is as likely as keeping pace once most desa are done).
FUTURE_BUDGET_SCALE: Final[Uniform] = Uniform(0.25, 1.25)
#: The grid of the calibration: flat priors on these values (log-uniform for the budgets; illustrative
#: assumptions wide enough that the posterior lies well inside them, except where the data say nothing).
GRID: Final[dict[str, Any]] = {
    "budget_per_month": np.geomspace(5e7, 2e9, 24),
    "budget_phases[0]": np.geomspace(5e8, 2e10, 24),
    "readiness_months": np.arange(0.0, 37.0, 2.0),
}
#: Grid of the reporting noise of a published count ("sekitar 44", about 44): 0.5 to 8 desa, log-uniform. [villages]
NOISE_SD: Final[Any] = np.geomspace(0.5, 8.0, 9)
#: Simulations per grid point, the calibration seed, and the rows of the shipped sample.
N_SIMS: Final[int] = 200
SEED: Final[int] = 2016
N_ROWS: Final[int] = 400
POSTERIOR_FILE: Final[str] = "banyuwangi_rollout_posterior.json"


def rollout_phases(after_icon_plus: Distribution) -> tuple[BudgetPhase, ...]:
    """The scenario's budget phases: ICON+ from January 2017, then the unknown future from June 2018."""
    return (
        BudgetPhase(
            start_month=ICON_PLUS_MONTH,
            budget_per_month=after_icon_plus,
            note="MoU with PT ICON+ to speed up fibre to all desa (jawapos-2017-01-02)",
        ),
        BudgetPhase(
            start_month=FORECAST_ORIGIN_MONTH,
            scale=FUTURE_BUDGET_SCALE,
            note="after the last published count (May 2018) the budget is unknown: a quarter to 125 % "
            "of the fitted pace (illustrative assumption)",
        ),
    )


def calibrate_banyuwangi(
    scenario: Scenario, *, include_headline_claim: bool = True, n_sims: int = N_SIMS, rng: int = SEED
) -> RolloutCalibration:
    """The posterior of the Banyuwangi rollout given the counts of desa connected up to May 2018.

    Parameters
    ----------
    scenario : Scenario
        The Banyuwangi scenario (its policy, technology and initial villages
        are used; its budgets and tail are what is fitted).
    include_headline_claim : bool
        Include the brief's unsourced "167 of 189 desa by May 2018".
    n_sims, rng
        As :func:`smartkampung.sim.forecast.calibrate_rollout`.
    """
    obs = banyuwangi_observations(include_headline_claim=include_headline_claim)
    # The forecast origin is June 2018: only counts up to May 2018 are fitted, whatever the file holds.
    seen = obs.months < FORECAST_ORIGIN_MONTH
    ro = attrs.evolve(
        scenario.rollout,
        posterior=None,
        budget_per_month=Fixed(1.0),
        budget_phases=rollout_phases(Fixed(1.0)),
        readiness_months=Fixed(0.0),
    )
    rollout_only = attrs.evolve(scenario, rollout=ro).without_idm()
    model = RolloutModel.from_prepared(prepare(rollout_only, banyuwangi()), kind="desa")
    return calibrate_rollout(
        model,
        obs.months[seen],
        obs.counts[seen],
        grid=GRID,
        noise_sd=NOISE_SD,
        fixed={"budget_phases[1]": 1.0},
        n_sims=n_sims,
        rng=rng,
    )


def _source(cal: RolloutCalibration) -> str:
    return (
        f"smartkampung.datasets._calibration.calibrate_banyuwangi: simulated likelihood on a grid "
        f"({cal.n_sims} simulations a point, seed {SEED}) of the desa counts 44, 80, 115 (jawapos-2017-01-02, "
        f"detik-2017-05-23, infokomputer-2017-09) and the brief's unsourced 167 (May 2018); no count after "
        f"May 2018 used"
    )


def banyuwangi_posterior() -> RolloutPosterior:
    """The shipped posterior sample of the Banyuwangi rollout (budgets and readiness, 400 rows)."""
    with data_path(POSTERIOR_FILE).open(encoding="utf-8") as handle:
        doc = json.load(handle)
    return RolloutPosterior(
        parameters=tuple(doc["parameters"]),
        values=tuple(tuple(r) for r in doc["values"]),
        sims=tuple(doc["sims"]),
        seed=int(doc["seed"]),
        source=str(doc["source"]),
    )


def write_banyuwangi_posterior(path: str | Path, scenario: Scenario) -> RolloutPosterior:
    """Calibrate and write the shipped posterior sample."""
    cal = calibrate_banyuwangi(scenario)
    sample = cal.posterior_sample(N_ROWS, rng=SEED + 1, source=_source(cal))
    doc = {
        "parameters": list(sample.parameters),
        "values": [list(r) for r in sample.values],
        "sims": list(sample.sims),
        "seed": sample.seed,
        "source": sample.source,
        "summary": cal.summary(),
    }
    Path(path).write_text(json.dumps(doc, indent=0) + "\n", encoding="utf-8")
    return sample
