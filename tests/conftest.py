"""Shared test configuration: hypothesis profiles, fixtures and small helpers.

Hypothesis profiles
-------------------
``ci`` (the default) keeps every property test small and derandomised, so the
whole suite runs in well under a minute on two cores and a failure reproduces;
``dev`` runs many more, random examples. Pick
one with ``SMARTKAMPUNG_HYPOTHESIS_PROFILE=dev pytest`` (or pytest's own
``--hypothesis-profile=dev``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from smartkampung import (
    CodeSystem,
    District,
    IDMScore,
    Location,
    PointOfPresence,
    Programme,
    Region,
    Village,
    VillageKind,
    smart_kampung_programme,
)
from smartkampung.datasets import banyuwangi, guimaras

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run: a CI failure reproduces locally
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("dev", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("SMARTKAMPUNG_HYPOTHESIS_PROFILE", "ci"))


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def banyuwangi_region() -> Region:
    """The bundled Kabupaten Banyuwangi (built once per session)."""
    return banyuwangi()


@pytest.fixture(scope="session")
def guimaras_region() -> Region:
    """The bundled Guimaras province (built once per session)."""
    return guimaras()


@pytest.fixture(scope="session")
def programme() -> Programme:
    """Banyuwangi's Smart Kampung programme."""
    return smart_kampung_programme()


@pytest.fixture
def small_region() -> Region:
    """Two kecamatan, four villages (one kelurahan), Kemendagri codes, one backbone point.

    Figures for the first three villages are the real 2010 census rows of
    ``banyuwangi_wilayah.csv``; the kelurahan is made up.
    """
    d1 = District("35.10.01", "Pesanggaran", Location(-8.519741507521363, 113.9719259839289))
    d2 = District("35.10.15", "Glagah", Location(-8.2, 114.3))
    villages = (
        Village(
            "35.10.01.2001",
            "Sarongan",
            VillageKind.DESA,
            "35.10.01",
            Location(-8.4983687395895, 113.90416817381755),
            5613,
            population_year=2010,
            idm=IDMScore(0.8, 0.7, 0.6),
        ),
        Village(
            "35.10.01.2002",
            "Pesanggaran",
            VillageKind.DESA,
            "35.10.01",
            Location(-8.587855000731954, 114.09183314692525),
            14074,
            households=4000,
        ),
        Village(
            "35.10.15.2012",
            "Kampunganyar",
            VillageKind.DESA,
            "35.10.15",
            Location(-8.162277120449295, 114.27800768282366),
            4148,
            population_year=2010,
        ),
        Village("35.10.15.1001", "Made-up ward", VillageKind.KELURAHAN, "35.10.15", Location(-8.21, 114.35), 10),
    )
    backbone = (PointOfPresence("35.10.01", "Kantor Kecamatan Pesanggaran", d1.location),)
    return Region("35.10", "Kabupaten Banyuwangi (part)", "ID", (d1, d2), villages, backbone, CodeSystem.KEMENDAGRI)


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write text (UTF-8) or bytes to ``tmp_path / name`` and return the path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return write
