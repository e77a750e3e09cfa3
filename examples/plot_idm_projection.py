"""
IDM from indicators: dynamics fitted to real records, checked out of sample, projected for Banyuwangi
=====================================================================================================

The ministry scores every desa on 50 indicators each year. The bundled panel
holds 10,006 real records (2021–2024) of 2,567 desa. We

1. check the year-to-year dynamics out of sample: fit on earlier year pairs,
   predict the status distribution of the same desa in later years, and
   compare with the no-change forecast;
2. start Banyuwangi from its published IDM 2020 counts (52 Mandiri, 111 Maju,
   26 Berkembang), draw per-desa indicator vectors that reproduce them, and
   project IDM 2021–2026 with the dynamics fitted to the whole panel.

Every village office in Banyuwangi was on the regency network by 2019
(itu-wsis-2019), so each starts with ``s_internet_kantor_desa`` = 5 and keeps
it. The rules that need adoption (residents' internet, the library corner)
are left out here: they take the adoption the ensemble simulates (the full
scenario, ``sk.simulate(sk.datasets.banyuwangi_scenario(), runs=200)``, has
them; see :doc:`plot_banyuwangi`). Each desa starts from a donor record whose
status, with the office at 5, is its IDM 2020 status; the donor's own scores
are its background, which moves by the fitted dynamics, and each year is
reported with the office rule applied on top.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from smartkampung.datasets import banyuwangi_idm_status, idm_dynamics, idm_panel
from smartkampung.sim.idm import (
    DEFAULT_PROGRAMME_EFFECTS,
    backtest_idm_dynamics,
    draw_initial_state,
    effect_floor,
    project_idm_status,
)

panel = idm_panel()

# %%
# Out of sample: fit on data up to the forecast origin only.
for fit_pairs, origin, targets in (
    ([(2021, 2022)], 2022, [2023, 2024]),
    ([(2021, 2022), (2022, 2023)], 2023, [2024]),
    ([(2022, 2023)], 2023, [2024]),
):
    print(
        backtest_idm_dynamics(
            panel, fit_pairs=fit_pairs, origin_year=origin, target_years=targets, n_runs=200, rng=2016
        ).table()
    )
    print()

# %%
# Banyuwangi from IDM 2020.
dynamics = idm_dynamics()
start = banyuwangi_idm_status()[2020]
counts = np.array(start.counts)
n_desa = start.total
years = np.arange(2020, 2027)
connected = np.full(n_desa, 2019)  # the IDM year from which each office counts as connected
office_rule = DEFAULT_PROGRAMME_EFFECTS[:1]
n_runs = 300
root = np.random.SeedSequence(20160531)
by_run = np.empty((n_runs, years.size, 5), dtype=np.int64)
for r, seq in enumerate(root.spawn(n_runs)):
    rng = np.random.default_rng(seq)
    floor = effect_floor(office_rule, year=2020, n_desa=n_desa, connected_year=connected)
    x0 = draw_initial_state(counts, panel, rng=rng, floor=floor, background=True)
    status = project_idm_status(
        x0, dynamics, initial_year=2020, years=years, connected_year=connected, effects=office_rule, rng=rng
    )
    by_run[r] = [np.bincount(row, minlength=5) for row in status]

labels = ["Sangat Tertinggal", "Tertinggal", "Berkembang", "Maju", "Mandiri"]
median = np.median(by_run, axis=0)
low, high = np.quantile(by_run, 0.05, axis=0), np.quantile(by_run, 0.95, axis=0)
print(f"Banyuwangi, {n_runs} runs: median desa per status [5 %, 95 %]")
print("year  " + "  ".join(f"{name:>18}" for name in labels))
for t, year in enumerate(years):
    cells = [f"{median[t, k]:5.0f} [{low[t, k]:4.0f}, {high[t, k]:4.0f}]" for k in range(5)]
    print(f"{year}  " + "  ".join(f"{c:>18}" for c in cells))

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for k, name in enumerate(labels):
    if by_run[:, :, k].max() == 0:
        continue
    ax.plot(years, median[:, k], marker="o", label=name)
    ax.fill_between(years, low[:, k], high[:, k], alpha=0.2)
ax.set_xlabel("IDM year")
ax.set_ylabel("desa")
ax.set_title("Banyuwangi from IDM 2020: background dynamics (90 % bands)")
ax.legend()
fig.tight_layout()
plt.show()
