"""
Adapting to your city: Guimaras, Philippines
============================================

A partner city starts from a spreadsheet of its villages. Guimaras province
(Western Visayas, Philippines) has 98 barangays in 5 municipalities; the
bundled CSV has their PSGC codes (text, with the leading zero), names,
polygon centroids and 2020 census population.

The steps are the ones ``smartkampung init DIR --from-csv villages.csv``
and ``smartkampung simulate DIR/scenario.toml`` do on the command line.
"""

# %%
# Read the villages
# -----------------
import tempfile
from pathlib import Path

import attrs
import matplotlib.pyplot as plt

import smartkampung as sk
from smartkampung import plots

csv_path = sk.datasets.data_path("guimaras_villages.csv")
print(csv_path.read_text().splitlines()[:3])

region = sk.io.read_villages_csv(
    csv_path, region_code="0607900000", region_name="Guimaras", country="PH", default_kind=sk.VillageKind.BARANGAY
)
region = region.with_district_backbone()  # fibre at the five municipal halls
print(f"{region.n_villages} barangays, {len(region.districts)} municipalities, population {region.population:,}")

# %%
# A scenario file for the city
# ----------------------------
# Start from Smart Kampung's programme and defaults, say where the villages
# are, and set the money. The file is plain TOML: edit it in any editor
# (``smartkampung schema`` gives editors the JSON Schema).
base = sk.datasets.banyuwangi_scenario()
scenario = sk.Scenario(
    name="Smart barangay programme, Guimaras",
    region=sk.RegionSource(
        csv=str(csv_path), code="0607900000", name="Guimaras", country="PH", kind=sk.VillageKind.BARANGAY
    ),
    programme=base.programme,
    start="2026-01",
    horizon_months=60,
    rollout=attrs.evolve(
        base.rollout,
        budget_per_month=sk.model.Uniform(3e8, 6e8),
        budget_phases=(),
        initially_connected=0,
        policy="population",
        technology_choice=True,
    ),
    adoption=base.adoption,
)
folder = Path(tempfile.mkdtemp())
sk.io.dump(scenario, folder / "scenario.toml")
print((folder / "scenario.toml").read_text()[:600])

# %%
# Check and run it
# ----------------
again = sk.io.load(folder / "scenario.toml", sk.Scenario)
assert again == scenario
result = sk.simulate(again, runs=100, rng=7)
print(result.summary())

# %%
# With technology choice on, villages far from the fibre may take another
# technology (keeping fibre where other villages depend on them):
print(result.prepared.plan.counts())
plots.coverage(result)

# %%
plots.connection_map(result)
plt.show()
