"""Bundled IDM data: the indicator catalogue, a 2021–2024 panel, Banyuwangi's counts, fitted dynamics.

Sources (see ``docs/data.rst``):

- ``idm_indicators.csv`` and ``idm_panel.csv.gz``: 10,006 IDM records
  (2021–2024) of 2,567 desa in 31 provinces, as published by the Ministry of
  Villages (Kemendesa PDTT) through its open IDM API
  (``idm.kemendesa.go.id/open/api/desa/rumusan/<code>/<year>``), read from the
  static mirror ``andifahruddinakas/api-idm`` (``public/desa/<code>/<year>.json``,
  data commit 832925386bd80cb6f26702814a69929c0a856e25, 2024-10-23).
  Government open data: credit Kemendesa PDTT and the api-idm mirror. The
  English glosses of the catalogue were written for it (not official).
  The panel file is the project's ``idm_panel.csv``, gzip-compressed
  byte for byte.
- ``banyuwangi_idm_status.csv``: Banyuwangi's IDM 2020 status counts as quoted
  in the regency's 2021 release on IDM 2021 (``banyuwangikab-2021-idm``).
- ``idm_dynamics.json``: :func:`smartkampung.sim.idm.fit_idm_dynamics` fitted
  to the bundled panel (all three consecutive year pairs); the file records
  how.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from smartkampung._errors import DataFileError, ParameterError, Problem
from smartkampung.datasets._bundled import data_path
from smartkampung.model import (
    IDM_INDEX,
    IDM_INDICATOR_COLUMNS,
    IDMStatus,
    IDMStatusCounts,
    Indicator,
    IndicatorPanel,
    Region,
    Scenario,
    VillageKind,
)
from smartkampung.sim.idm import IDMDynamics, IDMInputs, fit_idm_dynamics

__all__ = [
    "IDM_DYNAMICS_COMMAND",
    "IDM_PANEL_SOURCE",
    "banyuwangi_idm_status",
    "fit_bundled_idm_dynamics",
    "idm_dynamics",
    "idm_indicators",
    "idm_inputs",
    "idm_inputs_if_needed",
    "idm_panel",
    "write_idm_dynamics",
]

#: Provenance of :func:`idm_panel`.
IDM_PANEL_SOURCE: Final[str] = (
    "Kemendesa PDTT open IDM API (idm.kemendesa.go.id/open/api/desa/rumusan/<code>/<year>), IDM 2021-2024, "
    "via the mirror github.com/andifahruddinakas/api-idm (data commit 832925386bd80cb6f26702814a69929c0a856e25)"
)

_OFFICE: Final = IDM_INDICATOR_COLUMNS.index("s_internet_kantor_desa")
_RESIDENTS: Final = IDM_INDICATOR_COLUMNS.index("s_akses_internet_warga")
_N_SOCIAL: Final = IDM_INDEX.sub_index_maxima[0] // IDM_INDEX.max_score
#: IDM years whose office-internet scores are restored from the published IKS.
_REPAIR_YEARS: Final = (2024,)


@functools.cache
def idm_indicators() -> tuple[Indicator, ...]:
    """The 50 IDM indicators: column, dimension, number, Indonesian name, English gloss.

    In the order of the score columns (:data:`~smartkampung.model.IDM_INDICATOR_COLUMNS`):
    35 social (IKS), 12 economic (IKE), 3 ecological (IKL), as the ministry
    API lists them. The English glosses were written for the catalogue; they
    are not official translations.

    Returns
    -------
    tuple of Indicator
    """
    path = data_path("idm_indicators.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = tuple(
        Indicator(
            column=r["column"],
            dimension=r["dimension"],
            number=int(r["number"]),
            name_id=r["name_id"],
            name_en=r["name_en"],
        )
        for r in rows
    )
    if tuple(i.column for i in out) != IDM_INDICATOR_COLUMNS:  # pragma: no cover - guards the bundled file
        raise DataFileError(str(path), ["columns differ from IDM_INDICATOR_COLUMNS"])
    return out


def _status_code(text: str) -> int:
    return IDMStatus.from_text(text).code


def _repair_office_internet(
    scores: NDArray[np.int8], iks: NDArray[np.float64], years: NDArray[np.int16]
) -> NDArray[np.bool_]:
    """Restore ``s_internet_kantor_desa`` of the repair years from the published IKS; return the changed rows.

    In the 2024 API rows the two internet indicators always carry the same
    score, and in 628 records the published IKS is 4/175 away from the sum of
    the social scores. Solving the IKS for the office score gives 1 or 5 in
    every record, and the solution agrees with the desa's own 2023 office
    score far more often than the row as published: the 2024 rows repeat the
    residents' score in the office row. The published IKS is taken as
    authoritative.
    """
    social_total = np.rint(iks * IDM_INDEX.sub_index_maxima[0]).astype(np.int64)
    rest = scores[:, :_N_SOCIAL].astype(np.int64).sum(axis=1) - scores[:, _OFFICE]
    solved = social_total - rest
    target = np.isin(years, _REPAIR_YEARS) & (solved != scores[:, _OFFICE])
    if np.any((solved[target] < 0) | (solved[target] > IDM_INDEX.max_score)):  # pragma: no cover - data guard
        raise DataFileError("idm_panel.csv.gz", ["an office-internet score cannot be restored from the IKS"])
    scores[target, _OFFICE] = solved[target]
    return np.asarray(target, dtype=bool)


@functools.cache
def _panel(repair_2024_internet: bool) -> IndicatorPanel:
    path = data_path("idm_panel.csv.gz")
    with gzip.open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        reader = csv.DictReader(text)
        rows = list(reader)
    if not rows or any(c not in rows[0] for c in (*IDM_INDICATOR_COLUMNS, "code", "year", "iks", "status")):
        raise DataFileError(str(path), ["missing columns"])  # pragma: no cover - guards the bundled file
    scores = np.array([[int(r[c]) for c in IDM_INDICATOR_COLUMNS] for r in rows], dtype=np.int8)
    years = np.array([int(r["year"]) for r in rows], dtype=np.int16)
    sub = np.array([[float(r["iks"]), float(r["ike"]), float(r["ikl"])] for r in rows])
    composite = np.array([float(r["idm"]) for r in rows])
    status = np.array([_status_code(r["status"]) for r in rows], dtype=np.int8)
    repaired = np.zeros(len(rows), dtype=bool)
    if repair_2024_internet:
        repaired = _repair_office_internet(scores, sub[:, 0], years)
    return IndicatorPanel(
        index=IDM_INDEX,
        codes=[r["code"] for r in rows],
        regency_codes=[r["regency_code"] for r in rows],
        years=years,
        scores=scores,
        published_sub_indices=sub,
        published_composite=composite,
        published_status=status,
        repaired=repaired,
        names=[r["name"] for r in rows],
        source=IDM_PANEL_SOURCE
        + (
            "; 2024 office-internet scores restored from the published IKS"
            if repair_2024_internet
            else "; as published"
        ),
    )


def idm_panel(*, repair_2024_internet: bool = True) -> IndicatorPanel:
    """Real IDM records 2021–2024 of 2,567 desa in 31 provinces, as read-only arrays.

    10,006 records (2,503, 2,507, 2,498 and 2,498 desa per year; 2,447 with
    all four years) of 182 regencies; no Banyuwangi desa (the only East
    Javanese ones are 8 desa of Bondowoso). Fields: ``codes``
    (``PP.KK.CC.VVVV``), ``regency_codes`` (``PP.KK``), ``years``, ``scores``
    (n, 50) int8 in :data:`~smartkampung.model.IDM_INDICATOR_COLUMNS` order,
    ``published_sub_indices`` (IKS, IKE, IKL), ``published_composite``,
    ``published_status`` (0 Sangat Tertinggal … 4 Mandiri), ``names``.

    Parameters
    ----------
    repair_2024_internet : bool, default True
        Restore the 2024 ``s_internet_kantor_desa`` scores from the published
        IKS. In every 2024 API record the office- and residents'-internet
        rows carry the same score; in 628 of them (454 showing 5, 174 showing
        1) the published IKS differs from the social total by 4/175. The office
        score that makes the sum equal the IKS is 1 or 5 in every case, and
        matches the desa's 2023 office score in most of them (e.g. 396 of the
        454 showing 5 had office 1 and residents 5 in 2023): the 2024 rows
        repeat the residents' score. With the repair every record's IKS,
        IKE, IKL, composite and status follow from its scores; ``repaired``
        marks the 628 changed records. False returns the rows as published
        (IKS then matches the scores in 9,378 records).

    Returns
    -------
    IndicatorPanel
        With ``index`` = :data:`~smartkampung.model.IDM_INDEX`. Cached: every
        call returns the same read-only object.
    """
    if not isinstance(repair_2024_internet, bool):
        raise ParameterError(
            "repair_2024_internet", f"must be True or False, got {repair_2024_internet!r}", function="idm_panel"
        )
    return _panel(repair_2024_internet)


@functools.cache
def _banyuwangi_status() -> Mapping[int, IDMStatusCounts]:
    path = data_path("banyuwangi_idm_status.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    keys = [s.value for s in IDMStatus]
    out: dict[int, IDMStatusCounts] = {}
    for r in rows:
        counts = IDMStatusCounts(
            year=int(r["year"]), counts=tuple(int(r[k]) for k in keys), source=r["source"], note=r["note"]
        )
        if counts.total != int(r["total_desa"]):  # pragma: no cover - guards the bundled file
            raise DataFileError(str(path), [Problem("counts do not add up to total_desa", record=r["year"])])
        out[counts.year] = counts
    return types.MappingProxyType(out)


def banyuwangi_idm_status() -> Mapping[int, IDMStatusCounts]:
    """Banyuwangi's published IDM status counts of its 189 desa, by IDM year.

    IDM 2020: 0 Sangat Tertinggal, 0 Tertinggal, 26 Berkembang, 111 Maju,
    52 Mandiri, as quoted (as the previous year's figures) in the regency's
    2021 release on IDM 2021 (``banyuwangikab-2021-idm``). The observed state
    the IDM projection starts from; later years are deliberately not bundled
    (they are held out for validation).

    Returns
    -------
    mapping of int to IDMStatusCounts
        Read-only; keyed by IDM year.
    """
    return _banyuwangi_status()


@functools.cache
def idm_dynamics() -> IDMDynamics:
    """The IDM dynamics fitted to the bundled panel (all consecutive year pairs, 2021→2024).

    Equal to ``fit_idm_dynamics(idm_panel())`` with the default settings
    (the tests refit and compare); the file's ``source`` records the command.

    Returns
    -------
    IDMDynamics
    """
    path = data_path("idm_dynamics.json")
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    return IDMDynamics.from_dict(data)


@functools.cache
def idm_inputs() -> IDMInputs:
    """The bundled data an IDM projection needs: :func:`idm_dynamics` and :func:`idm_panel` as donor records.

    What :func:`smartkampung.simulate` passes as ``idm=`` for a scenario
    that projects IDM on a region with desa. The donor pool is every record
    of the panel (2021–2024, 31 provinces, no Banyuwangi desa).

    Returns
    -------
    IDMInputs
    """
    return IDMInputs(idm_dynamics(), idm_panel())


def idm_inputs_if_needed(scenario: Scenario, region: Region) -> IDMInputs | None:
    """:func:`idm_inputs` if the scenario projects IDM on a region with desa, else None.

    The rule :func:`smartkampung.simulate`, the command line and
    :func:`smartkampung.io.read_result` follow: a scenario that declares an
    observed IDM state (``outcomes.idm.observed_year``) gets the bundled
    dynamics and donor records when its region has desa; barangays and other
    villages have no IDM.
    """
    if scenario.outcomes.idm.requested and any(v.kind is VillageKind.DESA for v in region.villages):
        return idm_inputs()
    return None


#: The command that wrote the bundled ``idm_dynamics.json`` (run from a checkout).
IDM_DYNAMICS_COMMAND: Final[str] = (
    'python -c "from smartkampung.datasets._idm import write_idm_dynamics; '
    "write_idm_dynamics('src/smartkampung/datasets/data/idm_dynamics.json')\""
)


def fit_bundled_idm_dynamics() -> IDMDynamics:
    """Fit the dynamics to the bundled panel as the shipped file was made.

    ``fit_idm_dynamics(idm_panel(), source=...)`` with every default: the
    three consecutive year pairs 2021→2022, 2022→2023, 2023→2024 (2024
    office-internet scores restored), one regime per pair,
    :data:`~smartkampung.sim.idm.DEFAULT_PRIOR_STRENGTH`.
    """
    source = (
        f"{IDM_PANEL_SOURCE}; fitted by smartkampung.sim.idm.fit_idm_dynamics with its defaults "
        f"(all consecutive year pairs, one regime per pair); written by: {IDM_DYNAMICS_COMMAND}"
    )
    return fit_idm_dynamics(idm_panel(), source=source)


def write_idm_dynamics(path: str | Path) -> Path:
    """Write :func:`fit_bundled_idm_dynamics` as JSON to *path* (how the bundled file is made)."""
    out = Path(path)
    text = json.dumps(fit_bundled_idm_dynamics().to_dict(), indent=None, separators=(",", ":"))
    out.write_text(text + "\n", encoding="utf-8")
    return out
