"""Typed domain objects: frozen, validated attrs classes with units in their names or docstrings.

No I/O and no cattrs here; see :mod:`smartkampung.io` for files.
"""

from smartkampung.model._geo import Location, PointOfPresence
from smartkampung.model._idm import (
    IDM_THRESHOLDS,
    IKE_INDICATORS,
    IKL_INDICATORS,
    IKS_INDICATORS,
    IDMScore,
    IDMStatus,
    idm_status,
    idm_status_code,
)
from smartkampung.model._programme import (
    DEFAULT_TECHNOLOGIES,
    IDR_PER_USD,
    SEED_STRANDS,
    SMART_KAMPUNG_CRITERIA,
    SMART_KAMPUNG_SERVICES,
    AdoptionModel,
    IDMDimension,
    Pillar,
    Programme,
    Service,
    Technology,
    smart_kampung_programme,
)
from smartkampung.model._village import (
    DEFAULT_HOUSEHOLD_SIZE,
    KEMENDAGRI_VILLAGE_CODE,
    CodeSystem,
    District,
    ModelValidationError,
    Region,
    Village,
    VillageColumns,
    VillageKind,
)

__all__ = [
    "DEFAULT_HOUSEHOLD_SIZE",
    "DEFAULT_TECHNOLOGIES",
    "IDM_THRESHOLDS",
    "IDR_PER_USD",
    "IKE_INDICATORS",
    "IKL_INDICATORS",
    "IKS_INDICATORS",
    "KEMENDAGRI_VILLAGE_CODE",
    "SEED_STRANDS",
    "SMART_KAMPUNG_CRITERIA",
    "SMART_KAMPUNG_SERVICES",
    "AdoptionModel",
    "CodeSystem",
    "District",
    "IDMDimension",
    "IDMScore",
    "IDMStatus",
    "Location",
    "ModelValidationError",
    "Pillar",
    "PointOfPresence",
    "Programme",
    "Region",
    "Service",
    "Technology",
    "Village",
    "VillageColumns",
    "VillageKind",
    "idm_status",
    "idm_status_code",
    "smart_kampung_programme",
]
