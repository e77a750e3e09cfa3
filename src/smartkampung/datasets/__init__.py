"""Bundled data and synthetic regions.

- :func:`banyuwangi`: the real Kabupaten Banyuwangi (217 villages, 2010 census).
- :func:`guimaras`: a real partner region, Guimaras province, Philippines (98 barangays, 2020 census).
- :func:`banyuwangi_scenario`: the default scenario the command line runs.
- :func:`banyuwangi_observations`: Smart Kampung's published counts of connected desa.
- :func:`synthetic_region`: a made-up region of any size for scale tests.
"""

from smartkampung.datasets._bundled import (
    BANYUWANGI_CENSUS_2010_POPULATION,
    banyuwangi,
    data_path,
    guimaras,
    synthetic_region,
)
from smartkampung.datasets._observations import BANYUWANGI_START, banyuwangi_observations
from smartkampung.datasets._scenarios import BANYUWANGI_TOWN, banyuwangi_scenario

__all__ = [
    "BANYUWANGI_CENSUS_2010_POPULATION",
    "BANYUWANGI_START",
    "BANYUWANGI_TOWN",
    "banyuwangi",
    "banyuwangi_observations",
    "banyuwangi_scenario",
    "data_path",
    "guimaras",
    "synthetic_region",
]
