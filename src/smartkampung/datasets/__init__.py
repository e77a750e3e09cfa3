"""Bundled data and synthetic regions.

- :func:`banyuwangi`: the real Kabupaten Banyuwangi (217 villages, 2010 census).
- :func:`guimaras`: a real partner region, Guimaras province, Philippines (98 barangays, 2020 census).
- :func:`banyuwangi_scenario`: the default scenario the command line runs.
- :func:`banyuwangi_observations`: Smart Kampung's published counts of connected desa.
- :func:`synthetic_region`: a made-up region of any size for scale tests.
- :func:`idm_indicators`, :func:`idm_panel`, :func:`idm_dynamics`, :func:`banyuwangi_idm_status`:
  the IDM indicator catalogue, real 2021–2024 IDM records, dynamics fitted to them, Banyuwangi's
  IDM 2020 status counts; :func:`idm_inputs`, the dynamics and the panel as a simulation needs them.
- :func:`boundaries`, :func:`boundaries_for`: village and kecamatan polygons of Banyuwangi and Guimaras.
"""

from smartkampung.datasets._boundaries import boundaries, boundaries_for
from smartkampung.datasets._bundled import (
    BANYUWANGI_CENSUS_2010_POPULATION,
    banyuwangi,
    data_path,
    guimaras,
    synthetic_region,
)
from smartkampung.datasets._idm import banyuwangi_idm_status, idm_dynamics, idm_indicators, idm_inputs, idm_panel
from smartkampung.datasets._observations import BANYUWANGI_START, banyuwangi_observations
from smartkampung.datasets._scenarios import BANYUWANGI_TOWN, banyuwangi_scenario

__all__ = [
    "BANYUWANGI_CENSUS_2010_POPULATION",
    "BANYUWANGI_START",
    "BANYUWANGI_TOWN",
    "banyuwangi",
    "banyuwangi_idm_status",
    "banyuwangi_observations",
    "banyuwangi_scenario",
    "boundaries",
    "boundaries_for",
    "data_path",
    "guimaras",
    "idm_dynamics",
    "idm_indicators",
    "idm_inputs",
    "idm_panel",
    "synthetic_region",
]
