"""Resolve where a scenario's villages come from into a :class:`~smartkampung.model.Region`.

One function, :func:`read_region`, used by :func:`smartkampung.simulate`, the
command line and any tool of a user's own, so a bundled name, a village CSV
and a region file are read the same way everywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from smartkampung import _defaults
from smartkampung._errors import DataFileError, ParameterError, Problem
from smartkampung.io._csv import csv_arguments, read_villages_csv
from smartkampung.io._files import load
from smartkampung.model._scenario import RegionSource
from smartkampung.model._village import DEFAULT_HOUSEHOLD_SIZE, Region

__all__ = ["BUILTIN_REGIONS", "read_region"]

#: Names of the bundled regions a scenario may give as ``[region] builtin``.
BUILTIN_REGIONS: tuple[str, ...] = _defaults.BUILTIN_REGIONS


def _builtin(name: str) -> Region:
    # datasets reads its bundled files through io, so it is imported here, when
    # a bundled region is asked for, rather than when io is imported.
    from smartkampung.datasets import _bundled

    loaders = {"banyuwangi": _bundled.banyuwangi, "guimaras": _bundled.guimaras}
    return loaders[name]()


def read_region(
    source: RegionSource | str | os.PathLike[str], *, base_dir: str | os.PathLike[str] | None = None
) -> Region:
    """The region a scenario's ``[region]`` section, a bundled name or a region file describes.

    Parameters
    ----------
    source : RegionSource, str or path
        A scenario's :class:`~smartkampung.model.RegionSource` (a bundled
        region or a village CSV with its region's code, name and country); a
        bundled region's name (:data:`BUILTIN_REGIONS`); or the path of a
        region file (``.json`` or ``.toml`` holding a
        :class:`~smartkampung.model.Region`). A village CSV needs the region's
        code and name, so give it as a ``RegionSource``.
    base_dir : path, optional
        Folder a relative CSV path is taken from (the scenario file's
        folder); default the current folder.

    Returns
    -------
    Region
        For a bundled region or a CSV, with the backbone at the district
        offices (the only backbone a scenario file can name); a region file
        keeps its own backbone.

    Raises
    ------
    DataFileError
        A file not found (saying where it was looked for) or not readable,
        with every problem in it.
    ParameterError
        An unknown bundled name or a source of another type.
    """
    fn = "read_region"
    base = Path(base_dir) if base_dir is not None else None
    if isinstance(source, RegionSource):
        return _from_source(source, base)
    if isinstance(source, str) and source in BUILTIN_REGIONS:
        return _builtin(source)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_absolute() and base is not None:
            path = base / path
        if path.suffix.lower() in (".json", ".toml"):
            return load(path, Region)
        if path.suffix.lower() == ".csv":
            raise ParameterError(
                "source",
                "a village CSV needs its region's code and name: pass "
                f"RegionSource(csv={str(source)!r}, code=..., name=..., country=...)",
                function=fn,
            )
        raise ParameterError(
            "source",
            f"{str(source)!r} is neither a bundled region ({', '.join(BUILTIN_REGIONS)}) nor a .json/.toml region file",
            function=fn,
        )
    raise ParameterError(
        "source", f"must be a RegionSource, a bundled region's name or a path, got {type(source).__name__}", function=fn
    )


def _from_source(src: RegionSource, base_dir: Path | None) -> Region:
    if src.builtin is not None:
        region = _builtin(src.builtin)
        if src.household_size != DEFAULT_HOUSEHOLD_SIZE:  # the bundled regions give no household counts
            region = attrs.evolve(
                region,
                villages=tuple(
                    attrs.evolve(v, households=round(v.population / src.household_size)) for v in region.villages
                ),
            )
        return region
    assert src.csv is not None  # RegionSource holds exactly one of builtin and csv
    path = Path(src.csv)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.exists():  # a folder or a FIFO exists: the reader refuses it with its own message
        where = (
            ""
            if base_dir is not None
            else (" (a relative path is taken from the current folder; pass base_dir=, the scenario file's folder)")
        )
        raise DataFileError(
            str(path),
            [
                Problem(
                    f"the scenario's village file [region] csv = {src.csv!r} was not found at {path.resolve()}{where}"
                )
            ],
        )
    region = read_villages_csv(path, **csv_arguments(src))
    return region.with_district_backbone()
