"""Villages from a spreadsheet (CSV), with every problem reported at once.

Rows are streamed: a table is never held in memory as text, only the
villages it describes. How the file writes its numbers is detected once per
file and said (see :class:`~smartkampung.io._csv_rows.NumberFormat`); a cell
that the detected convention cannot read, or could read two ways, is a
problem naming the row, the column and the option that settles it. Reading
the table's rows and cells is :mod:`smartkampung.io._csv_rows`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from smartkampung._errors import (
    DataWarning,
    ModelValidationError,
    ParameterError,
    Problem,
    excerpt,
    field_and_message,
    hint,
)
from smartkampung.io._csv_rows import (
    _DELIMITER_NAMES,
    DELIMITERS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    CsvRows,
    NumberFormat,
    _detect_format,
)
from smartkampung.model._geo import Location, mean_location
from smartkampung.model._village import DEFAULT_HOUSEHOLD_SIZE, CodeSystem, District, Region, Village, VillageKind

__all__ = [
    "DELIMITERS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "CsvRows",
    "NumberFormat",
    "csv_arguments",
    "read_villages_csv",
]


def _kind(rows: CsvRows, line: int, row: Mapping[str, str], default: VillageKind) -> VillageKind | None:
    raw = row.get("kind", "")
    if not raw:
        return default
    try:
        return VillageKind(raw.strip().lower())
    except ValueError:
        allowed = ", ".join(k.value for k in VillageKind)
        rows.add(
            Problem(f"{excerpt(raw)} is not one of {allowed}", record=rows.record(line, row), field="kind"), kind="kind"
        )
        return None


def _model_problems(exc: Exception, record: str) -> list[Problem]:
    """The problems of a model object that could not be built from a row."""
    if isinstance(exc, ModelValidationError):
        return [Problem(p.message, record=record, field=p.field) for p in exc.problems]
    field, message = field_and_message(exc)
    return [Problem(message, record=record, field=field)]


def read_villages_csv(
    path: str | os.PathLike[str],
    *,
    region_code: str,
    region_name: str,
    country: str,
    districts: Sequence[District] | None = None,
    default_kind: VillageKind | str = VillageKind.VILLAGE,
    code_system: CodeSystem = CodeSystem.FREE,
    household_size: float = DEFAULT_HOUSEHOLD_SIZE,
    columns: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    allow_zero_population: bool = False,
    max_bytes: int | None = None,
) -> Region:
    """A region from a CSV of its villages.

    Parameters
    ----------
    path : path-like
        The CSV file (UTF-8; a spreadsheet's byte-order mark is fine). Codes
        are read as text, so leading zeros (Philippine PSGC codes) are kept.
        Only a regular file is read (a FIFO or device is refused at once).
    region_code, region_name : str
        The region's code and name.
    country : str
        ISO 3166-1 alpha-2 code (``"ID"``, ``"PH"``, ...).
    districts : sequence of District, optional
        The region's districts. Default: one per distinct ``district_code``,
        named by the ``district_name`` column when present, located at the
        mean of its villages' coordinates.
    default_kind : VillageKind or str
        Kind of villages whose row has no ``kind`` (``"barangay"`` works too).
    code_system : CodeSystem
        ``KEMENDAGRI`` to check Indonesian codes.
    household_size : float
        Persons per household for rows without ``households``, 0.5 to 50. [people]
    columns : mapping, optional
        Our column name to the file's, for files that name them differently:
        ``{"lat": "latitude", "code": "psgc"}``.
    delimiter : str, optional
        Cell separator. Default: detected from the header (``,``, ``;``, tab
        or ``|``, whichever splits it into the expected columns).
    decimal : {".", ","}, optional
        Decimal mark. Default: detected from the coordinates (and counts
        such as "3.000", which only a file with decimal commas writes
        without a fraction anywhere). Thousands separators in counts
        (``1,787``; ``1.787`` with decimal commas; spaces) are detected too.
        A non-default convention is reported as a :class:`~smartkampung.DataWarning`.
    allow_zero_population : bool
        Accept villages of population 0 (refused by default: a blank or
        zero cell is usually a missing figure).
    max_bytes : int, optional
        Largest file read. Default :data:`~smartkampung.io._read.MAX_TABLE_BYTES`
        (256 MiB), or ``SMARTKAMPUNG_MAX_FILE_MB``. [bytes]

    Returns
    -------
    Region
        With no backbone; see :meth:`Region.with_district_backbone`.

    Raises
    ------
    DataFileError
        Naming the file and listing every problem with its row, village code
        and column: missing columns, empty or non-numeric cells, latitude or
        longitude out of range, negative, fractional or zero population,
        households above population, unknown kind, duplicate codes, unknown
        districts, a village more than 1,000 km from every other village of
        its district. Repeats of one problem are summarised after the first
        ten.

    Warns
    -----
    DataWarning
        For possible but suspicious values (see :func:`region_warnings`), and
        to say which number convention was detected when it is not the
        default (decimal point, no thousands separator, commas between cells).

    Notes
    -----
    Required columns: ``code, name, district_code, lat, lon, population``;
    optional: ``kind, households, district_name, population_year``; other
    columns are ignored.
    """
    fn = "read_villages_csv"
    if (
        isinstance(household_size, bool)
        or not isinstance(household_size, (int, float))
        or not 0.5 <= household_size <= 50
    ):
        raise ParameterError(
            "household_size", f"must be a number of persons from 0.5 to 50, got {household_size!r}", function=fn
        )
    if decimal is not None and decimal not in (".", ","):
        raise ParameterError("decimal", f"must be '.' or ',', got {decimal!r}", function=fn)
    if isinstance(default_kind, str):
        try:
            default_kind = VillageKind(default_kind.strip().lower())
        except ValueError:
            raise ParameterError(
                "default_kind", f"{default_kind!r} is not one of {', '.join(k.value for k in VillageKind)}", function=fn
            ) from None
    with CsvRows(path, delimiter=delimiter, columns=columns, max_bytes=max_bytes) as rows:
        if not rows.require(REQUIRED_COLUMNS):
            rows.raise_if_problems()
        sample = rows.head()
        fmt = _detect_format(
            [r[c] for _, r in sample for c in ("lat", "lon")],
            [r.get(c, "") for _, r in sample for c in ("population", "households")],
            decimal,
        )
        villages, lines, district_names = _read_rows(
            rows,
            fmt,
            default_kind,
            household_size,
            allow_zero_population,
            {d.code for d in districts} if districts is not None else None,
        )
    if not villages and not rows.problems:
        rows.add(Problem("the file has a header but no villages"))
    if districts is None:
        districts = _derive_districts(villages, district_names, rows)
    region = _build_region(rows, villages, lines, districts, region_code, region_name, country, code_system)
    from smartkampung.io._checks import region_checks

    errors: list[Problem] = []
    notes: list[Problem] = []
    if region is not None and villages:
        errors, notes = region_checks(region, record_of=lambda i: _row_record(lines, region.villages[i].code))
    for problem in errors:
        rows.add(problem, kind="far")
    # Warnings first, so that they are seen with the problems too.
    changed = []
    if rows.delimiter_detected and rows.delimiter != ",":
        changed.append(f"{_DELIMITER_NAMES.get(rows.delimiter, repr(rows.delimiter))} between cells")
    if decimal is None and (fmt.decimal != "." or fmt.thousands is not None):
        changed.append(fmt.describe())
    if changed:
        how = hint("delimiter= and decimal=", "--delimiter and --decimal")
        warnings.warn(
            DataWarning(
                rows.source,
                f"read with {'; '.join(changed)} (detected from the file; set them with {how} if that is wrong)",
                kind="format",
            ),
            stacklevel=2,
        )
    for note in notes:
        warnings.warn(
            DataWarning(
                rows.source,
                note.message,
                record=note.record,
                field=note.field,
                kind="location" if note.field in ("lat", "lon") else "population",
            ),
            stacklevel=2,
        )
    rows.raise_if_problems()
    assert region is not None
    return region


def _row_record(lines: Mapping[str, int], code: str) -> str:
    return f"row {lines.get(code, '?')} (code {code})"


def _read_rows(
    rows: CsvRows,
    fmt: NumberFormat,
    default_kind: VillageKind,
    household_size: float,
    allow_zero: bool,
    known_districts: set[str] | None,
) -> tuple[list[Village], dict[str, int], dict[str, str]]:
    """The villages of the well-formed rows, their line numbers by code, and district names met.

    Every row problem is recorded on ``rows``.
    """
    from smartkampung._validation import text

    check_code = text(non_empty=True)
    seen: dict[str, int] = {}
    villages: list[Village] = []
    district_names: dict[str, str] = {}
    for line, row in rows:
        record = rows.record(line, row)
        code = rows.text(line, row, "code")
        name = rows.text(line, row, "name")
        district_code = rows.text(line, row, "district_code")
        lat = rows.number(line, row, "lat", -90, 90, format=fmt)
        lon = rows.number(line, row, "lon", -180, 180, format=fmt)
        population = rows.count(line, row, "population", format=fmt)
        households = rows.count(line, row, "households", optional=True, format=fmt)
        year = rows.count(line, row, "population_year", optional=True)
        kind = _kind(rows, line, row, default_kind)
        ok = True
        for field, value in (("code", code), ("district_code", district_code)):
            if value is None:
                continue
            try:
                check_code(None, _Named(field), value)  # type: ignore[arg-type]
            except ValueError as exc:
                rows.add(
                    Problem(field_and_message(exc)[1].removeprefix(f"{field} "), record=record, field=field),
                    kind=f"code:{field}",
                )
                ok = False
        if code is not None and ok:
            if code in seen:
                rows.add(
                    Problem(f"duplicate code (first at row {seen[code]})", record=record, field="code"),
                    kind="duplicate",
                )
                ok = False
            else:
                seen[code] = line
        if population == 0 and not allow_zero:
            how = hint(
                "allow_zero_population=True",
                "--allow-zero-population (in a scenario: [region] allow_zero_population = true)",
            )
            rows.add(
                Problem(
                    f"is 0: a village without people is usually a missing figure; if it is real, pass {how}",
                    record=record,
                    field="population",
                ),
                kind="zero-population",
            )
            ok = False
        if district_code is not None and known_districts is not None and district_code not in known_districts and ok:
            rows.add(
                Problem(f"district {excerpt(district_code)} does not exist", record=record, field="district_code"),
                kind="unknown-district",
            )
            ok = False
        if (
            not ok
            or code is None
            or name is None
            or district_code is None
            or lat is None
            or lon is None
            or population is None
            or kind is None
        ):
            continue
        try:
            village = Village(
                code=code,
                name=name,
                kind=kind,
                district_code=district_code,
                location=Location(lat, lon),
                population=population,
                households=households if households is not None else round(population / household_size),
                population_year=year,
            )
        except ValueError as exc:
            for problem in _model_problems(exc, record):
                rows.add(problem, kind=f"model:{problem.field}")
            continue
        villages.append(village)
        if row.get("district_name"):
            district_names.setdefault(district_code, row["district_name"])
    return villages, seen, district_names


class _Named:
    """Stands in for an attrs Attribute where a field validator is applied to a cell."""

    def __init__(self, name: str) -> None:
        self.name = name


def _build_region(
    rows: CsvRows,
    villages: list[Village],
    lines: Mapping[str, int],
    districts: Sequence[District],
    region_code: str,
    region_name: str,
    country: str,
    code_system: CodeSystem,
) -> Region | None:
    # Build the region from the rows that parsed, so that region-wide problems
    # (code system, kinds) are reported together with the row problems.
    try:
        return Region(
            code=region_code,
            name=region_name,
            country=country,
            districts=tuple(districts),
            villages=tuple(villages),
            code_system=code_system,
        )
    except ModelValidationError as exc:
        for prob in exc.problems:
            where: str | None = prob.record
            if prob.record and "(code " in prob.record:
                code = prob.record.split("(code ", 1)[1].rstrip(")")
                where = _row_record(lines, code)
            rows.add(Problem(prob.message, record=where, field=prob.field), kind=f"region:{prob.field}")
    except ValueError as exc:
        field, message = field_and_message(exc)
        rows.add(Problem(message, record="region" if field else None, field=field))
    return None


def _derive_districts(villages: Sequence[Village], names: Mapping[str, str], rows: CsvRows) -> list[District]:
    groups: dict[str, list[Location]] = {}
    for v in villages:
        groups.setdefault(v.district_code, []).append(v.location)
    districts = []
    for code, members in groups.items():
        try:
            districts.append(District(code=code, name=names.get(code, code), location=mean_location(members)))
        except ValueError as exc:
            field, message = field_and_message(exc)
            rows.add(Problem(message, record=f"district {excerpt(code)}", field=field))
    return districts


def csv_arguments(source: Any) -> dict[str, Any]:
    """The keyword arguments of :func:`read_villages_csv` for a scenario's ``[region]`` (a RegionSource).

    Everything a scenario says about its village file, in one place: the
    region's code, name, country, default kind and household size, and how
    to read the file (delimiter, decimal mark, zero populations).
    """
    return {
        "region_code": source.code,
        "region_name": source.name,
        "country": source.country,
        "default_kind": source.kind,
        "household_size": source.household_size,
        "delimiter": source.delimiter,
        "decimal": source.decimal,
        "allow_zero_population": source.allow_zero_population,
    }
