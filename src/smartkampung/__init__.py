"""smartkampung: model smart-village programmes.

Typed domain objects (:mod:`smartkampung.model`, re-exported here), files in
and out (:mod:`smartkampung.io`), bundled data (:mod:`smartkampung.datasets`)
and the simulations (:mod:`smartkampung.sim`). Subpackages that need scipy
are imported on first use, so ``import smartkampung`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from smartkampung._errors import DataFileError, ParameterError, Problem, SmartKampungError
from smartkampung.model import (
    DEFAULT_HOUSEHOLD_SIZE,
    DEFAULT_TECHNOLOGIES,
    SEED_STRANDS,
    SMART_KAMPUNG_CRITERIA,
    SMART_KAMPUNG_SERVICES,
    AdoptionModel,
    CodeSystem,
    District,
    IDMDimension,
    IDMScore,
    IDMStatus,
    Location,
    ModelValidationError,
    Pillar,
    PointOfPresence,
    Programme,
    Region,
    Service,
    Technology,
    Village,
    VillageColumns,
    VillageKind,
    smart_kampung_programme,
)

__version__ = "0.1.0"

_LAZY_SUBMODULES = ("datasets", "io", "sim")

if TYPE_CHECKING:
    from smartkampung import datasets, io, sim

__all__ = [
    "DEFAULT_HOUSEHOLD_SIZE",
    "DEFAULT_TECHNOLOGIES",
    "SEED_STRANDS",
    "SMART_KAMPUNG_CRITERIA",
    "SMART_KAMPUNG_SERVICES",
    "AdoptionModel",
    "CodeSystem",
    "DataFileError",
    "District",
    "IDMDimension",
    "IDMScore",
    "IDMStatus",
    "Location",
    "ModelValidationError",
    "ParameterError",
    "Pillar",
    "PointOfPresence",
    "Problem",
    "Programme",
    "Region",
    "Service",
    "SmartKampungError",
    "Technology",
    "Village",
    "VillageColumns",
    "VillageKind",
    "__version__",
    "datasets",
    "io",
    "sim",
    "smart_kampung_programme",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"smartkampung.{name}")
    raise AttributeError(f"module 'smartkampung' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
