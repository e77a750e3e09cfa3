"""
Calibrating the rollout to observed counts
==========================================

Banyuwangi published how many desa ran Smart Kampung at a few dates: 41
desa and kelurahan at the launch (31 May 2016), 44 desa in January 2017,
80 in May 2017 and 115 in September 2017; the brief adds 167 of 189 by May
2018, a figure no public source confirms (it can be left out). On 2 January
2017 the regency signed with PT ICON+ to speed the fibre up.

We fit a two-phase monthly budget (before and after January 2017) so that
the modelled count of connected desa matches the observations, report the
fit with 95 % profile-likelihood intervals, and project the years after.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import smartkampung as sk
from smartkampung.datasets import banyuwangi_observations
from smartkampung.sim import plan_network, schedule_rollout
from smartkampung.sim.calibrate import fit_rollout

observations = banyuwangi_observations(include_headline_claim=True)
print(observations.months, observations.counts)

region = sk.datasets.banyuwangi()
plan = plan_network(region, technology_choice=False)  # fibre to every village office
is_desa = ~plan.columns.is_kelurahan
ICON_PLUS_MONTH = 7  # January 2017, counted from June 2016


def connected_desa(theta, months):
    """Desa connected at the end of each month, for budgets theta = (before, after) [IDR/month]."""
    horizon = int(np.max(months)) + 1
    budget = np.where(np.arange(horizon) < ICON_PLUS_MONTH, theta[0], theta[1])
    schedule = schedule_rollout(plan, budget_idr_per_month=budget, n_months=horizon, policy="nearest",
                                initially_connected=41)
    return np.array([np.sum(is_desa & (schedule.connection_month <= m)) for m in months], dtype=float)


fit = fit_rollout(connected_desa, observations.months, observations.counts,
                  bounds=[[1e6, 1e10], [1e7, 2e10]], param_names=["budget_2016", "budget_from_2017"])
print(fit.summary())

# %%
# The fit and its projection
# --------------------------
future = np.arange(0, 48)
projected = fit.project(future)
fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
ax.plot(future, projected, label="fitted model")
ax.plot(observations.months, observations.counts, "o", color="k", label="observed")
ax.axhline(is_desa.sum(), color="0.5", ls=":", label=f"all {is_desa.sum()} desa")
ax.set_xlabel("months since launch (June 2016 = 0)")
ax.set_ylabel("desa connected")
ax.legend()
ax.grid(alpha=0.3)
all_month = int(np.argmax(projected >= is_desa.sum()))
print(f"the fitted model connects all {is_desa.sum()} desa in month {all_month} "
      f"({sk.datasets.banyuwangi_scenario().month_label(all_month)})")

# %%
# Without the unsourced May 2018 figure
# -------------------------------------
sourced = banyuwangi_observations(include_headline_claim=False)
fit_sourced = fit_rollout(connected_desa, sourced.months, sourced.counts,
                          bounds=[[1e6, 1e10], [1e7, 2e10]], param_names=["budget_2016", "budget_from_2017"])
print(fit_sourced.summary())
plt.show()
