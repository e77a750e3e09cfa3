"""
Calibrating the rollout, and judging its forecast out of sample
===============================================================

Banyuwangi published how many desa ran Smart Kampung at a few dates: 41
desa and kelurahan at the launch (31 May 2016), 44 desa by January 2017, 80
in May 2017 and 115 in September 2017; the brief adds 167 of 189 by May
2018, a figure no public source confirms. On 2 January 2017 the regency
signed with PT ICON+ to speed the fibre up.

We fit two budgets (before and after January 2017) and the rollout's tail
(the months a village office waits until it is ready) to those counts by
simulated likelihood, draw prediction bands conditional on them, and then
check the forecast on counts the fit did not see: from May 2017, predict
September 2017 and May 2018.
"""

# %%
import attrs
import matplotlib.pyplot as plt
import numpy as np

import smartkampung as sk
from smartkampung.datasets import banyuwangi_observations
from smartkampung.model import BudgetPhase, Fixed
from smartkampung.sim.backtest import backtest
from smartkampung.sim.forecast import RolloutForecaster, RolloutModel, calibrate_rollout

observations = banyuwangi_observations(include_headline_claim=True)
print(observations.months, observations.counts)

# The flagship's network and policy, with the budgets and the tail left to the fit.
scenario = sk.datasets.banyuwangi_scenario()
rollout = attrs.evolve(
    scenario.rollout,
    posterior=None,
    budget_per_month=Fixed(1.0),
    budget_phases=(BudgetPhase(start_month=7, budget_per_month=Fixed(1.0)),),
    readiness_months=Fixed(0.0),
)
prepared = sk.sim.prepare(attrs.evolve(scenario, rollout=rollout).without_idm(), sk.datasets.banyuwangi())
model = RolloutModel.from_prepared(prepared, kind="desa")  # counts desa, as the sources do

# A coarser grid than the shipped calibration's, so the example runs in seconds.
grid = {
    "budget_per_month": np.geomspace(5e7, 2e9, 10),
    "budget_phases[0]": np.geomspace(1e9, 5e9, 10),
    "readiness_months": np.arange(0.0, 25.0, 4.0),
}
noise_sd = np.geomspace(0.5, 8.0, 5)  # reporting noise of the counts [desa]
calibration = calibrate_rollout(
    model, observations.months, observations.counts, grid=grid, noise_sd=noise_sd, n_sims=60, rng=2016
)
print(calibration.summary())

# %%
# Bands conditional on the counts
# -------------------------------
# Each predictive draw takes a grid point from the posterior, one of its
# simulations by how well it reproduces the counts, and the reporting noise.
months = np.arange(0, 49)
draws = calibration.predict(months, 400, rng=1)
low, mid, high = np.quantile(draws, [0.1, 0.5, 0.9], axis=0)
fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
ax.fill_between(months, low, high, alpha=0.3, label="10–90 % band")
ax.plot(months, mid, label="median")
ax.plot(observations.months, observations.counts, "o", color="k", label="observed")
ax.axhline(int(model.counted.sum()), color="0.5", ls=":", label=f"all {int(model.counted.sum())} desa")
ax.set_xlabel("months since launch (June 2016 = 0)")
ax.set_ylabel("desa connected")
ax.legend(loc="lower right")
ax.grid(alpha=0.3)
december_2019 = 42
print(
    f"December 2019: {low[december_2019]:.0f}–{high[december_2019]:.0f} desa (10–90 %), "
    f"all 189 in {np.mean(draws[:, december_2019] >= 189):.0%} of draws"
)

# %%
# Out of sample: forecasts from earlier origins
# ---------------------------------------------
# From each origin the posterior uses the counts up to it only.
forecaster = RolloutForecaster(model, months=observations.months, grid=grid, noise_sd=noise_sd, n_sims=60, seed=2016)
result = backtest(observations.months, observations.counts, forecaster, min_train=2)
print(result.summary())
plt.show()
