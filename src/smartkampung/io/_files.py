"""JSON and TOML text and files for every model class."""

from __future__ import annotations

import json
import math
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any, Literal, TypeVar

import attrs

from smartkampung._deprecation import reading
from smartkampung._errors import DataFileError, ParameterError, Problem
from smartkampung.io._converter import StructureProblems, structure, unstructure
from smartkampung.io._read import MAX_DOCUMENT_BYTES, read_input_text, size_limit
from smartkampung.io._toml import toml_dumps
from smartkampung.model._programme import Programme
from smartkampung.model._scenario import Scenario

__all__ = ["Format", "atomic_write_text", "dump", "dumps", "load", "loads"]

T = TypeVar("T")
Format = Literal["json", "toml"]
_SUFFIXES: dict[str, Format] = {".json": "json", ".toml": "toml"}


def _json_safe(data: Any) -> Any:
    # JSON has no literal for infinity or NaN; write them as strings the
    # loader reads back ("inf", "-inf", "nan") so files stay standard JSON.
    if isinstance(data, float) and not math.isfinite(data):
        return "nan" if math.isnan(data) else ("inf" if data > 0 else "-inf")
    if isinstance(data, dict):
        return {k: _json_safe(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_json_safe(v) for v in data]
    return data


def _check_format(format: str, function: str) -> Format:
    if format not in ("json", "toml"):
        raise ParameterError("format", f"must be 'json' or 'toml', got {format!r}", function=function)
    return format  # type: ignore[return-value]


def dumps(obj: Any, format: Format = "json") -> str:
    """Text for a model object.

    Parameters
    ----------
    obj : attrs model object
        A Region, Programme, Scenario, Village, ...
    format : {"json", "toml"}
        Output format.

    Returns
    -------
    str
        The document; ``loads(dumps(x, f), type(x), format=f) == x``.
    """
    fmt = _check_format(format, "dumps")
    data = unstructure(obj)
    if fmt == "json":
        return json.dumps(_json_safe(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return toml_dumps(data)


def loads(text: str, cls: type[T], format: Format = "json", *, source: str = "<string>") -> T:
    """Build a model object from text.

    Parameters
    ----------
    text : str
        JSON or TOML document.
    cls : type
        Class to build (``Region``, ``Programme``, ``Scenario``, ...).
    format : {"json", "toml"}
        Input format.
    source : str
        Name used in error messages (a file name).

    Raises
    ------
    DataFileError
        Listing every problem found, each with its record (``$.path``) and field.
    """
    fmt = _check_format(format, "loads")
    data = _parse(text, fmt, source)
    try:
        with reading(source):  # names the file in the warnings about old keys
            return structure(data, cls)
    except StructureProblems as exc:
        raise DataFileError(source, exc.problems) from None


def _parse(text: str, fmt: Format, source: str) -> Any:
    """Plain data from JSON or TOML text, or a DataFileError naming the position."""
    try:
        return json.loads(text) if fmt == "json" else tomllib.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            source, [Problem(f"not valid JSON: {exc.msg}", record=f"line {exc.lineno}, column {exc.colno}")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(source, [Problem(f"not valid TOML: {exc}")]) from None
    except RecursionError:
        raise DataFileError(source, [Problem("nested too deeply to read")]) from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        raise DataFileError(source, [Problem(f"cannot read: {exc}")]) from None


def _format_of(path: Path, format: str | None, function: str) -> Format:
    if format is not None:
        return _check_format(format, function)
    try:
        return _SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise ParameterError(
            "path",
            f"cannot tell the format of {str(path)!r} from its suffix: use .json or .toml, or pass format=",
            function=function,
        ) from None


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` so that the file is either old or new, never partial.

    The text goes to a temporary file in the same folder, is flushed to
    disk, then renamed over the target (an atomic step on POSIX and Windows).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private (0600); give it the mode an ordinary
        # new file would get, or keep the mode of the file it replaces.
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dump(obj: Any, path: str | os.PathLike[str], *, format: Format | None = None) -> None:
    """Write a model object to a ``.json`` or ``.toml`` file, atomically.

    The whole document is produced before the file is touched, and written
    through a temporary file and a rename, so a failure leaves any earlier
    file as it was.
    """
    target = Path(path)
    fmt = _format_of(target, format, "dump")
    text = dumps(obj, fmt)
    atomic_write_text(target, text)


def load(
    path: str | os.PathLike[str], cls: type[T], *, format: Format | None = None, max_bytes: int | None = None
) -> T:
    """Read a model object from a ``.json`` or ``.toml`` file.

    A scenario file may name its programme by file instead of holding it:
    ``programme = "programme.toml"`` (relative to the scenario file), so a
    city can keep one programme file for several scenarios. A relative
    village CSV path (``[region] csv = "villages.csv"``) is also taken from
    the scenario file's folder: the loaded scenario holds it as an absolute
    path, so that it can be simulated from any folder.

    Parameters
    ----------
    path : path-like
        A regular file; FIFOs, devices and folders are refused without
        blocking (see :mod:`smartkampung.io._read`).
    cls : type
        The class to build.
    format : {"json", "toml"}, optional
        Default: from the suffix.
    max_bytes : int, optional
        Largest file read. Default :data:`~smartkampung.io._read.MAX_DOCUMENT_BYTES`
        (64 MiB), or ``SMARTKAMPUNG_MAX_FILE_MB``. [bytes]

    Raises
    ------
    DataFileError
        If the file cannot be read or holds anything invalid; the message
        names the file and lists every problem with its record and field. A
        scenario's problems and those of its programme file are listed
        together, each naming its file.

    Warns
    -----
    DeprecationWarning
        For each key under its old name (``budget_idr_per_month``, ...),
        naming the file and the new key; the old keys are read until the
        next release. A key given under both names is a problem.
    """
    source = Path(path)
    fmt = _format_of(source, format, "load")
    limit = size_limit(MAX_DOCUMENT_BYTES, max_bytes, "load")
    data = _parse(read_input_text(source, max_bytes=limit), fmt, str(source))
    problems: list[Problem] = []
    if cls is Scenario and isinstance(data, dict) and isinstance(data.get("programme"), str):
        reference = data["programme"]
        try:
            programme = _load_programme(source.parent / reference, reference, limit)
        except DataFileError as exc:
            # Its problems name its file; the scenario's own are checked against the default programme.
            problems += [p.with_source(exc.source) for p in exc.problems]
            data = {k: v for k, v in data.items() if k != "programme"}
        else:
            data = {**data, "programme": unstructure(programme)}
    try:
        with reading(str(source)):  # names the file in the warnings about old keys
            result = structure(data, cls)
    except StructureProblems as exc:
        problems += exc.problems
    if problems:
        raise DataFileError(str(source), problems)
    if isinstance(result, Scenario):
        result = _with_region_from(result, source.parent)  # type: ignore[assignment]
    return result


def _with_region_from(scenario: Scenario, folder: Path) -> Scenario:
    """The scenario with a relative village CSV path taken from the scenario file's folder (made absolute)."""
    csv = scenario.region.csv
    if csv is None or Path(csv).is_absolute():
        return scenario
    region = attrs.evolve(scenario.region, csv=str((folder / csv).resolve()))
    return attrs.evolve(scenario, region=region)


def _load_programme(path: Path, reference: str, limit: int) -> Programme:
    """The programme file a scenario names; a name that is no JSON/TOML file is a problem of the scenario."""
    if path.suffix.lower() not in _SUFFIXES:
        raise DataFileError(
            str(path),
            [
                Problem(
                    f"the scenario's programme = {reference!r} must name a .toml or .json file",
                    record="$",
                    field="programme",
                )
            ],
        )
    return load(path, Programme, max_bytes=limit)
