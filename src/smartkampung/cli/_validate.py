"""``smartkampung validate``: every problem of every file, with file, record and field."""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from smartkampung._errors import DataFileError, DataWarning, Problem, SmartKampungError
from smartkampung.cli._common import EXIT_INVALID, EXIT_OK, _prepare_from_files
from smartkampung.cli._options import _csv_arguments, _csv_options
from smartkampung.cli._warnings import _capture_warnings


def _kind_of(path: Path, data: Any) -> str:
    if path.suffix.lower() == ".csv":
        return "villages"
    if isinstance(data, dict):
        if "region" in data and "name" in data:
            return "scenario"
        if "services" in data or "pillars" in data:
            return "programme"
        if "villages" in data:
            return "region"
    return "unknown"


def _validate_file(path: Path, options: Mapping[str, Any]) -> tuple[list[Problem], list[Problem]]:
    """Every problem of one file and of the files it names, and its warnings (nothing raised)."""
    with _capture_warnings() as found:
        try:
            problems = _file_problems(path, options)
        except SmartKampungError as exc:  # one file's failure never stops the others
            problems = _problems_of(exc)
        except (OSError, MemoryError, RecursionError) as exc:
            problems = [Problem(f"cannot be checked: {exc}")]
    notes = []
    for w in found:
        notes.append(w.problem.with_source(w.source) if isinstance(w, DataWarning) else Problem(str(w)))
    # A problem in the file itself needs no file name: it is listed under it.
    return _here(problems, path), list(dict.fromkeys(_here(notes, path)))


def _here(problems: Sequence[Problem], path: Path) -> list[Problem]:
    return [Problem(p.message, record=p.record, field=p.field) if p.source == str(path) else p for p in problems]


def _problems_of(exc: SmartKampungError) -> list[Problem]:
    if isinstance(exc, DataFileError):
        return [p.with_source(exc.source) for p in exc.problems]
    return [Problem(str(exc))]


def _file_problems(path: Path, options: Mapping[str, Any]) -> list[Problem]:
    from smartkampung.io import load, read_villages_csv
    from smartkampung.io._files import _parse
    from smartkampung.io._read import MAX_DOCUMENT_BYTES, read_input_text, size_limit
    from smartkampung.model import Programme, Region, Scenario

    suffix = path.suffix.lower()
    if suffix == ".csv":
        read_villages_csv(path, region_code="CHECK", region_name="check", country="ZZ", **options)
        return []
    if suffix not in (".toml", ".json"):
        return [Problem(f"cannot tell the kind of file from its suffix {suffix!r}: use .csv, .toml or .json")]
    data = _parse(
        read_input_text(path, max_bytes=size_limit(MAX_DOCUMENT_BYTES, None, "validate")),
        "toml" if suffix == ".toml" else "json",
        str(path),
    )
    kind = _kind_of(path, data)
    cls = {"scenario": Scenario, "programme": Programme, "region": Region}.get(kind, Scenario)
    problems: list[Problem] = []
    loaded: Any = None
    try:
        loaded = load(path, cls)
    except DataFileError as exc:
        problems += [p.with_source(exc.source) for p in exc.problems]
    if cls is Scenario:
        problems += _scenario_csv_problems(path, data, loaded)
        if not problems and loaded is not None:
            problems += _prepare_problems(path, loaded)
    elif cls is Region and loaded is not None:
        from smartkampung.io._checks import region_checks

        errors, notes = region_checks(loaded, record_of=lambda i: f"$.villages[{i}] (code {loaded.villages[i].code})")
        problems += errors
        for note in notes:
            warnings.warn(DataWarning(str(path), note.message, record=note.record, field=note.field), stacklevel=1)
    return problems


def _scenario_csv_problems(path: Path, data: Any, loaded: Any) -> list[Problem]:
    """The problems of a scenario's village file, checked even when the scenario itself has problems."""
    from smartkampung.io import read_villages_csv
    from smartkampung.io._converter import StructureProblems, structure
    from smartkampung.io._csv import csv_arguments
    from smartkampung.model import RegionSource

    if loaded is not None:
        source = loaded.region
    else:
        try:
            source = structure(data.get("region") if isinstance(data, dict) else None, RegionSource)
        except StructureProblems:  # already listed among the scenario's problems
            return []
    if source.csv is None:
        return []
    csv_path = Path(source.csv)
    if not csv_path.is_absolute():
        csv_path = path.parent / csv_path
    try:
        read_villages_csv(csv_path, **csv_arguments(source))
    except DataFileError as exc:
        return [p.with_source(exc.source) for p in exc.problems]
    return []


def _prepare_problems(path: Path, scenario: Any) -> list[Problem]:
    """What ``simulate`` would refuse before its first run (the region against the scenario, the plan)."""
    try:
        _prepare_from_files(scenario, path.parent, land=False)  # water prices a link, refuses nothing
    except SmartKampungError as exc:
        return _problems_of(exc)
    return []


def _cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    options = _csv_options(args)
    for name in args.files:
        path = Path(name)
        problems, notes = _validate_file(path, options)
        if problems:
            failed += 1
            print(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
            for p in problems:
                print(f"  - {p}")
        elif not args.quiet or notes:
            print(f"{path}: ok" + (f", {len(notes)} warning{'s' if len(notes) != 1 else ''}" if notes else ""))
        for note in notes:
            print(f"  ! {note}")
    return EXIT_INVALID if failed else EXIT_OK


def add_parser(sub: Any) -> None:
    """Add the ``validate`` command to the subparsers ``sub``."""
    val = sub.add_parser(
        "validate",
        help="check scenario, programme, region and village files",
        description="Check files and print every problem of every file (and of the programme "
        "and village files a scenario names) with file, record and field, and "
        "warnings about suspicious values. Exit status 1 if any file has a problem.",
    )
    val.add_argument("files", nargs="+", metavar="FILE", help=".toml/.json (scenario, programme, region) or .csv")
    val.add_argument("--quiet", "-q", action="store_true", help="print only problems and warnings")
    _csv_arguments(val, "a .csv given here")
    val.set_defaults(func=_cmd_validate)
