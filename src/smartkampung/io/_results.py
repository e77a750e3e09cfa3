"""A simulation result on disk: ``result.json`` (labels, the scenario, the region) and ``result.npz`` (arrays).

What is written, and why so:

- ``result.npz`` (NumPy's zip of ``.npy`` arrays, compressed, read with
  ``allow_pickle=False``): every array of the
  :class:`~smartkampung.sim.SimulationResult` (monthly metrics per run,
  draws, IDM counts, per-village summaries, trajectories when kept) and the
  network plan's per-village arrays (technology, the village each depends
  on, link length, water crossing, capital cost). Arrays stay exact: no
  decimal text in between.
- ``result.json``: a format tag, the library version, the result's labels
  (metrics, months, draws, IDM years and statuses, seed), and the scenario
  and the region themselves (the region's villages as read, so that the
  result does not depend on a village CSV that may later move or change),
  and a fingerprint of the land polygons the plan was checked against.

Reading rebuilds the prepared scenario (network plan, neighbours, markets)
from the saved scenario and region with :func:`smartkampung.sim.prepare`,
the same computation :func:`smartkampung.simulate` made, and checks that
the rebuilt plan equals the saved one array for array. Saving the whole
prepared scenario instead would tie the files to the internals of one
version; rebuilding keeps them small and makes any difference visible: a
plan that does not rebuild (another version's planner, land polygons not at
hand) is an error that says so, never a silently different report.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from smartkampung._errors import DataFileError, ParameterError, Problem
from smartkampung.io._files import atomic_write_text, dumps, loads
from smartkampung.model import Region, Scenario

__all__ = ["RESULT_FILES", "RESULT_FORMAT", "read_result", "write_result"]

#: Format tag of ``result.json``; a reader accepts only its own.
RESULT_FORMAT = "smartkampung-result/1"
#: The files of a saved result, in a results folder.
RESULT_FILES = ("result.json", "result.npz")

# Arrays of the result: name -> dtype kind ("f" float, "i" integer, "U" text).
_RESULT_ARRAYS = {
    "monthly": "f",
    "draws": "f",
    "idm_counts": "i",
    "village_codes": "U",
    "p_connected": "f",
    "mean_connection_month": "f",
    "p_half_adoption": "f",
    "mean_half_adoption_month": "f",
    "mean_final_fraction": "f",
}
# The plan's arrays, compared with the rebuilt plan.
_PLAN_ARRAYS = ("technology", "parent", "link_km", "water_km", "capex")
_LABELS = (
    "scenario_name",
    "runs",
    "seed_spawn_key",
    "backend",
    "metric_names",
    "month_labels",
    "draw_names",
    "year_labels",
    "idm_status_names",
    "idm_index_name",
    "service_ids",
    "quantile_levels",
)


def land_fingerprint(land: Any) -> str | None:
    """SHA-256 of a set of land polygons (codes and coordinates), or None without polygons."""
    if land is None:
        return None
    digest = hashlib.sha256()
    for code, feature in zip(land.codes, land.polygons, strict=True):
        digest.update(code.encode("utf-8") + b"\0")
        for polygon in feature:
            for ring in polygon:
                digest.update(np.ascontiguousarray(ring, dtype="<f8").tobytes())
                digest.update(b"|")
    return digest.hexdigest()


def write_result(folder: str | os.PathLike[str], result: Any, *, land: Any = None) -> tuple[Path, Path]:
    """Write a simulation result into a folder as ``result.json`` and ``result.npz``.

    Parameters
    ----------
    folder : path
        An existing folder (``smartkampung simulate`` writes into its output
        folder).
    result : SimulationResult
        With its prepared scenario (as :func:`smartkampung.simulate` returns it).
    land : Boundaries, optional
        The land polygons the network plan was checked against (the
        ``land=`` given to :func:`smartkampung.sim.prepare`), recorded by
        fingerprint so that :func:`read_result` rebuilds the same plan.

    Returns
    -------
    (Path, Path)
        The JSON and the array file. Each is written atomically.

    Raises
    ------
    ParameterError
        For a result without its prepared scenario.
    """
    fn = "write_result"
    prepared = getattr(result, "prepared", None)
    if prepared is None:
        raise ParameterError("result", "holds no prepared scenario (scenario, region, plan) to save", function=fn)
    from smartkampung import __version__

    out = Path(folder)
    plan = prepared.plan
    arrays: dict[str, np.ndarray] = {name: np.asarray(getattr(result, name)) for name in _RESULT_ARRAYS}
    if result.trajectories is not None:
        arrays["trajectories"] = np.asarray(result.trajectories)
    for name in _PLAN_ARRAYS:
        arrays[f"plan_{name}"] = np.asarray(getattr(plan, name))
    entropy = result.seed_entropy
    meta: dict[str, Any] = {
        "format": RESULT_FORMAT,
        "smartkampung": __version__,
        **{name: getattr(result, name) for name in _LABELS},
        "seed_entropy": entropy if isinstance(entropy, int) else list(entropy),
        "arrays": {name: {"dtype": str(a.dtype), "shape": list(a.shape)} for name, a in arrays.items()},
        "land": {"sha256": land_fingerprint(land), "source": land.source} if land is not None else None,
        "plan_notes": list(plan.notes),
        "scenario": json.loads(dumps(prepared.scenario)),
        "region": json.loads(dumps(plan.region)),
    }
    json_path, npz_path = out / RESULT_FILES[0], out / RESULT_FILES[1]
    fd, tmp = tempfile.mkstemp(prefix=".result.", suffix=".npz", dir=out)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez_compressed(handle, allow_pickle=False, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, npz_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    atomic_write_text(json_path, json.dumps(meta, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    return json_path, npz_path


def _fail(source: Path, message: str) -> DataFileError:
    return DataFileError(str(source), [Problem(message)])


def _read_meta(json_path: Path) -> dict[str, Any]:
    folder = json_path.parent
    if not folder.is_dir():
        raise _fail(folder, "is not a folder: give the output folder of 'smartkampung simulate'")
    if not json_path.is_file():
        raise _fail(
            folder,
            f"holds no {json_path.name}: not a results folder of 'smartkampung simulate' (or one "
            "written before results were saved; run simulate again)",
        )
    try:
        meta = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _fail(json_path, f"cannot be read as JSON: {exc}") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("format"), str):
        raise _fail(json_path, "is not a saved smartkampung result (no format tag)")
    if meta["format"] != RESULT_FORMAT:
        raise _fail(
            json_path,
            f"was written in format {meta['format']!r} by smartkampung "
            f"{meta.get('smartkampung', '?')}; this version ({_version()}) reads {RESULT_FORMAT!r} only: "
            "run the simulation again with this version",
        )
    missing = [k for k in (*_LABELS, "seed_entropy", "arrays", "scenario", "region") if k not in meta]
    if missing:
        raise _fail(json_path, f"lacks {', '.join(missing)}: not a complete saved result")
    return meta


def _version() -> str:
    from smartkampung import __version__

    return __version__


def _read_arrays(npz_path: Path, declared: Mapping[str, Any]) -> dict[str, np.ndarray]:
    if not npz_path.is_file():
        raise _fail(npz_path.parent, f"holds result.json but no {npz_path.name}: the result is incomplete")
    try:
        with np.load(npz_path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError) as exc:  # not a zip, a damaged member, an object array
        raise _fail(npz_path, f"cannot be read: {exc}") from None
    problems = []
    for name, info in declared.items():
        if name not in arrays:
            problems.append(Problem(f"array {name!r} is missing"))
        elif list(arrays[name].shape) != list(info.get("shape", [])) or str(arrays[name].dtype) != info.get("dtype"):
            problems.append(
                Problem(
                    f"array {name!r} is {arrays[name].dtype} {list(arrays[name].shape)}, "
                    f"result.json says {info.get('dtype')} {info.get('shape')}"
                )
            )
    for name, kind in _RESULT_ARRAYS.items():
        if name in arrays and arrays[name].dtype.kind != kind:
            problems.append(Problem(f"array {name!r} has dtype {arrays[name].dtype}, expected kind {kind!r}"))
    if problems:
        raise DataFileError(str(npz_path), problems)
    return arrays


def read_result(folder: str | os.PathLike[str], *, land: Any = None, idm: Any = None) -> Any:
    """Read a result written by :func:`write_result` (``smartkampung simulate`` writes one into ``--out``).

    Parameters
    ----------
    folder : path
        The results folder, holding ``result.json`` and ``result.npz``.
    land : Boundaries, optional
        The land polygons the plan was checked against, when they are not
        the bundled ones of the region (:func:`smartkampung.datasets.boundaries_for`).
    idm : IDMInputs, optional
        The IDM dynamics and donor records, when the result projected IDM
        with other than the bundled ones.

    Returns
    -------
    SimulationResult
        Equal to the result written (``==``), with its prepared scenario
        rebuilt from the saved scenario and region.

    Raises
    ------
    DataFileError
        The folder holds no saved result; the files were written in another
        format (by an incompatible version); an array is missing or of the
        wrong shape; or the network plan rebuilt from the saved scenario
        differs from the saved one (another version's planner, or land
        polygons not at hand), naming what differs.
    """
    base = Path(folder)
    json_path, npz_path = base / RESULT_FILES[0], base / RESULT_FILES[1]
    meta = _read_meta(json_path)
    arrays = _read_arrays(npz_path, meta["arrays"])
    scenario = loads(json.dumps(meta["scenario"]), Scenario, source=f"{json_path} (scenario)")
    region = loads(json.dumps(meta["region"]), Region, source=f"{json_path} (region)")
    from smartkampung import datasets
    from smartkampung.datasets._idm import idm_inputs_if_needed
    from smartkampung.sim import SimulationResult, prepare

    wanted = (meta.get("land") or {}).get("sha256")
    if wanted is not None:
        land = land if land is not None else datasets.boundaries_for(region)
        if land_fingerprint(land) != wanted:
            source = meta["land"].get("source") or "land polygons of your own"
            raise _fail(
                json_path,
                f"the network plan was checked against land polygons ({source}) that are not "
                "at hand: pass them as land= (read them with smartkampung.io.read_boundaries)",
            )
    else:
        land = None
    prepared = prepare(
        scenario, region, land=land, idm=idm if idm is not None else idm_inputs_if_needed(scenario, region)
    )
    problems = _plan_differences(prepared, arrays, meta)
    if problems:
        raise DataFileError(
            str(json_path),
            [
                *problems,
                Problem(
                    f"the result was written by smartkampung {meta.get('smartkampung', '?')}, this is "
                    f"{_version()}: run the simulation again with this version"
                ),
            ],
        )
    labels: dict[str, Any] = {name: meta[name] for name in _LABELS}
    for name in (
        "seed_spawn_key",
        "metric_names",
        "month_labels",
        "draw_names",
        "year_labels",
        "idm_status_names",
        "service_ids",
        "quantile_levels",
    ):
        labels[name] = tuple(labels[name])
    entropy = meta["seed_entropy"]
    fields: dict[str, Any] = {**labels, **{name: arrays[name] for name in _RESULT_ARRAYS}}
    return SimulationResult(
        **fields,
        seed_entropy=entropy if isinstance(entropy, int) else tuple(entropy),
        trajectories=arrays.get("trajectories"),
        prepared=prepared,
    )


def _plan_differences(prepared: Any, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> list[Problem]:
    """What differs between the rebuilt prepared scenario and the saved result."""
    plan = prepared.plan
    problems = []
    for name in _PLAN_ARRAYS:
        rebuilt = np.asarray(getattr(plan, name))
        saved = arrays[f"plan_{name}"]
        same = rebuilt.shape == saved.shape and np.array_equal(rebuilt, saved, equal_nan=rebuilt.dtype.kind == "f")
        if not same:
            problems.append(Problem(f"the network plan rebuilt from the saved scenario differs in {name}"))
    if tuple(prepared.metric_names) != tuple(meta["metric_names"]):
        problems.append(Problem("the metrics of the rebuilt scenario differ from the saved ones"))
    if tuple(prepared.year_labels) != tuple(meta["year_labels"]):
        problems.append(
            Problem(
                f"the rebuilt scenario projects IDM years {list(prepared.year_labels)}, the saved "
                f"result {list(meta['year_labels'])}"
            )
        )
    if not np.array_equal(plan.columns.code, arrays["village_codes"]):
        problems.append(Problem("the villages of the saved region differ from those of the result"))
    return problems
