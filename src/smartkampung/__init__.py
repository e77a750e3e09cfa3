"""smartkampung: model smart-village programmes.

Typed domain objects (:mod:`smartkampung.model`, re-exported here), files in
and out (:mod:`smartkampung.io`), bundled data (:mod:`smartkampung.datasets`)
and the simulations (:mod:`smartkampung.sim`). Subpackages that need scipy
are imported on first use, so ``import smartkampung`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from smartkampung._errors import (
    DataFileError,
    DataWarning,
    OutputFolderError,
    ParameterError,
    Problem,
    SmartKampungError,
    SmartKampungWarning,
)
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
    RegionSource,
    Scenario,
    Service,
    Technology,
    Village,
    VillageColumns,
    VillageKind,
    smart_kampung_programme,
)

__version__ = "0.1.0"

_LAZY_SUBMODULES = ("datasets", "io", "sim")
# Functions and classes of subpackages that need scipy, loaded on first use.
_LAZY_ATTRIBUTES = {
    "simulate": "smartkampung._api",
    "compare": "smartkampung._api",
    "read_region": "smartkampung.io",
    "plan_network": "smartkampung.sim",
    "schedule_rollout": "smartkampung.sim",
    "SimulationResult": "smartkampung.sim",
    "NetworkPlan": "smartkampung.sim",
    "RolloutSchedule": "smartkampung.sim",
    "Comparison": "smartkampung.sim",
    "load": "smartkampung.io",
    "dump": "smartkampung.io",
}

if TYPE_CHECKING:
    from smartkampung import datasets, io, sim
    from smartkampung._api import compare, simulate
    from smartkampung.io import dump, load, read_region
    from smartkampung.sim import (
        Comparison,
        NetworkPlan,
        RolloutSchedule,
        SimulationResult,
        plan_network,
        schedule_rollout,
    )

__all__ = [
    "DEFAULT_HOUSEHOLD_SIZE",
    "DEFAULT_TECHNOLOGIES",
    "SEED_STRANDS",
    "SMART_KAMPUNG_CRITERIA",
    "SMART_KAMPUNG_SERVICES",
    "AdoptionModel",
    "CodeSystem",
    "Comparison",
    "DataFileError",
    "DataWarning",
    "District",
    "IDMDimension",
    "IDMScore",
    "IDMStatus",
    "Location",
    "ModelValidationError",
    "NetworkPlan",
    "OutputFolderError",
    "ParameterError",
    "Pillar",
    "PointOfPresence",
    "Problem",
    "Programme",
    "Region",
    "RegionSource",
    "RolloutSchedule",
    "Scenario",
    "Service",
    "SimulationResult",
    "SmartKampungError",
    "SmartKampungWarning",
    "Technology",
    "Village",
    "VillageColumns",
    "VillageKind",
    "__version__",
    "compare",
    "datasets",
    "dump",
    "io",
    "load",
    "plan_network",
    "read_region",
    "schedule_rollout",
    "sim",
    "simulate",
    "smart_kampung_programme",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"smartkampung.{name}")
    if name in _LAZY_ATTRIBUTES:
        return getattr(importlib.import_module(_LAZY_ATTRIBUTES[name]), name)
    raise AttributeError(f"module 'smartkampung' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
