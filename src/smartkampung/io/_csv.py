"""Villages from a spreadsheet (CSV), with every problem reported at once."""

from __future__ import annotations

import csv
import difflib
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from smartkampung._errors import DataFileError, ParameterError, Problem, field_and_message
from smartkampung.model._geo import Location, mean_location
from smartkampung.model._village import (
    DEFAULT_HOUSEHOLD_SIZE,
    CodeSystem,
    District,
    ModelValidationError,
    Region,
    Village,
    VillageKind,
)

__all__ = ["CsvRows", "read_villages_csv"]

REQUIRED_COLUMNS = ("code", "name", "district_code", "lat", "lon", "population")
OPTIONAL_COLUMNS = ("kind", "households", "district_name", "population_year")


class CsvRows:
    """Rows of a CSV file as dicts, with typed field parsers that collect Problems.

    Row numbers are spreadsheet line numbers: the header is row 1.
    """

    def __init__(self, path: str | os.PathLike[str], *, delimiter: str = ",",
                 columns: Mapping[str, str] | None = None) -> None:
        self.path = Path(path)
        self.problems: list[Problem] = []
        if not isinstance(delimiter, str) or len(delimiter) != 1:
            raise ParameterError("delimiter", f"must be one character, got {delimiter!r}", function="read_villages_csv")
        rename = dict(columns or {})
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle, delimiter=delimiter)
                rows = []
                header: list[str] | None = None
                for record in reader:
                    if not any(cell.strip() for cell in record):
                        continue  # blank lines, before or after the header
                    if header is None:
                        header = [h.strip() for h in record]
                        continue
                    rows.append((reader.line_num, record))
        except FileNotFoundError:
            raise DataFileError(str(self.path), [Problem("file not found")]) from None
        except UnicodeDecodeError as exc:
            raise DataFileError(str(self.path), [Problem(f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
                                ) from None
        except csv.Error as exc:
            raise DataFileError(str(self.path), [Problem(f"not a valid CSV file: {exc}")]) from None
        if header is None:
            raise DataFileError(str(self.path), [Problem("the file is empty (no header row)")])
        # ``columns`` maps our names to the file's: {"lat": "latitude"}.
        file_to_ours = {file_name: ours for ours, file_name in rename.items()}
        self.header = [file_to_ours.get(h, h) for h in header]
        repeated = sorted({h for h in self.header if h and self.header.count(h) > 1})
        if repeated:
            self.problems.append(Problem(f"column{'s' if len(repeated) > 1 else ''} "
                                         f"{', '.join(map(repr, repeated))} appear more than once",
                                         record="row 1 (header)"))
        self.rows: list[tuple[int, dict[str, str]]] = []
        for line, record in rows:
            if len(record) != len(self.header):
                first = record[0].strip() if record else ""
                hint = " (a decimal comma? write 10.5, or quote the cell)" if len(record) > len(self.header) else ""
                self.problems.append(Problem(
                    f"has {len(record)} cells but the header has {len(self.header)}{hint}",
                    record=f"row {line} (code {first})" if first else f"row {line}"))
                continue
            self.rows.append((line, {k: v.strip() for k, v in zip(self.header, record, strict=True)}))

    def require(self, names: Sequence[str]) -> bool:
        """Record one problem naming every missing column; True when none is missing."""
        missing = [n for n in names if n not in self.header]
        if missing:
            hints = []
            for name in missing:
                close = difflib.get_close_matches(name, self.header, n=1, cutoff=0.7)
                if close:
                    hints.append(f"{close[0]!r} for {name!r}?")
            hint = f"; did you mean {', '.join(hints)}" if hints else ""
            if len(self.header) == 1 and (";" in self.header[0] or "\t" in self.header[0]):
                hint += "; the cells seem to be separated by ';' or tabs: pass delimiter="
            self.problems.append(Problem(
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
                f"(the header has {', '.join(map(repr, self.header))}){hint}; columns named differently "
                "can be mapped with columns={our_name: file_name}", record="row 1 (header)"))
        return not missing

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(self.rows)

    @staticmethod
    def record(line: int, row: Mapping[str, str]) -> str:
        code = row.get("code", "")
        return f"row {line} (code {code})" if code else f"row {line}"

    def text(self, line: int, row: Mapping[str, str], name: str) -> str | None:
        value = row.get(name, "")
        if not value:
            self.problems.append(Problem("is empty (a value is required)", record=self.record(line, row),
                                         field=name))
            return None
        return value

    def _not_a_number(self, line: int, row: Mapping[str, str], name: str, raw: str) -> None:
        if raw == "":
            message = "is empty (a value is required)"
        elif "," in raw and raw.replace(",", "", 1).replace(".", "", 1).lstrip("-").isdigit():
            message = (f"{raw!r} is not a number: write decimals with a point and no thousands "
                       "separators (10.5, 2310)")
        else:
            message = f"{raw!r} is not a number"
        self.problems.append(Problem(message, record=self.record(line, row), field=name))

    def number(self, line: int, row: Mapping[str, str], name: str, low: float = -math.inf,
               high: float = math.inf) -> float | None:
        raw = row.get(name, "")
        try:
            value = float(raw)
        except ValueError:
            self._not_a_number(line, row, name, raw)
            return None
        if not math.isfinite(value) or not low <= value <= high:
            self.problems.append(Problem(f"{raw} is outside [{low:g}, {high:g}]",
                                         record=self.record(line, row), field=name))
            return None
        return value

    def count(self, line: int, row: Mapping[str, str], name: str, *, optional: bool = False) -> int | None:
        raw = row.get(name, "")
        if optional and raw == "":
            return None
        cleaned = raw.replace("_", "")
        try:
            value = float(cleaned)
        except ValueError:
            self._not_a_number(line, row, name, raw)
            return None
        if not math.isfinite(value) or value < 0 or not value.is_integer():
            self.problems.append(Problem(f"{raw} is not a whole number >= 0",
                                         record=self.record(line, row), field=name))
            return None
        return int(value)

    def raise_if_problems(self) -> None:
        if self.problems:
            raise DataFileError(str(self.path), self.problems)


def _kind(rows: CsvRows, line: int, row: Mapping[str, str], default: VillageKind) -> VillageKind | None:
    raw = row.get("kind", "")
    if not raw:
        return default
    try:
        return VillageKind(raw.strip().lower())
    except ValueError:
        allowed = ", ".join(k.value for k in VillageKind)
        rows.problems.append(Problem(f"{raw!r} is not one of {allowed}", record=rows.record(line, row),
                                     field="kind"))
        return None


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
    delimiter: str = ",",
) -> Region:
    """A region from a CSV of its villages.

    Parameters
    ----------
    path : path-like
        The CSV file (UTF-8; a spreadsheet's byte-order mark is fine). Codes
        are read as text, so leading zeros (Philippine PSGC codes) are kept.
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
        Persons per household for rows without ``households``. [people]
    columns : mapping, optional
        Our column name to the file's, for files that name them differently:
        ``{"lat": "latitude", "code": "psgc"}``.
    delimiter : str
        Cell separator.

    Returns
    -------
    Region
        With no backbone; see :meth:`Region.with_district_backbone`.

    Raises
    ------
    DataFileError
        Naming the file and listing every problem with its row, village code
        and column: missing columns, empty or non-numeric cells, latitude or
        longitude out of range, negative or fractional population, unknown
        kind, duplicate codes, unknown districts.

    Notes
    -----
    Required columns: ``code, name, district_code, lat, lon, population``;
    optional: ``kind, households, district_name, population_year``.
    """
    if household_size <= 0 or not math.isfinite(household_size):
        raise ParameterError("household_size", f"must be > 0, got {household_size!r}",
                             function="read_villages_csv")
    rows = CsvRows(path, delimiter=delimiter, columns=columns)
    if not rows.require(REQUIRED_COLUMNS):
        rows.raise_if_problems()
    if not rows.rows and not rows.problems:
        rows.problems.append(Problem("the file has a header but no villages"))
    if isinstance(default_kind, str):
        try:
            default_kind = VillageKind(default_kind.strip().lower())
        except ValueError:
            raise ParameterError("default_kind", f"{default_kind!r} is not one of "
                                 f"{', '.join(k.value for k in VillageKind)}", function="read_villages_csv") from None
    seen: dict[str, int] = {}
    parsed: list[dict[str, Any]] = []
    for line, row in rows:
        record = rows.record(line, row)
        code = rows.text(line, row, "code")
        name = rows.text(line, row, "name")
        district_code = rows.text(line, row, "district_code")
        lat = rows.number(line, row, "lat", -90, 90)
        lon = rows.number(line, row, "lon", -180, 180)
        population = rows.count(line, row, "population")
        households = rows.count(line, row, "households", optional=True)
        year = rows.count(line, row, "population_year", optional=True)
        kind = _kind(rows, line, row, default_kind)
        duplicate = False
        if code is not None:
            if code in seen:
                rows.problems.append(Problem(f"duplicate code (first at row {seen[code]})", record=record,
                                             field="code"))
                duplicate = True
            else:
                seen[code] = line
        if (duplicate or code is None or name is None or district_code is None or lat is None or lon is None
                or population is None or kind is None):
            continue
        parsed.append({
            "line": line, "code": code, "name": name, "district_code": district_code, "kind": kind,
            "location": Location(lat, lon), "population": population, "population_year": year,
            "households": households if households is not None else round(population / household_size),
            "district_name": row.get("district_name", ""),
        })

    if districts is None:
        districts = _derive_districts(parsed)
    known = {d.code for d in districts}
    villages = []
    for p in parsed:
        if p["district_code"] not in known:
            rows.problems.append(Problem(f"district {p['district_code']!r} does not exist",
                                         record=f"row {p['line']} (code {p['code']})", field="district_code"))
            continue
        try:
            villages.append(Village(code=p["code"], name=p["name"], kind=p["kind"],
                                    district_code=p["district_code"], location=p["location"],
                                    population=p["population"], households=p["households"],
                                    population_year=p["population_year"]))
        except ValueError as exc:
            field, message = field_and_message(exc)
            rows.problems.append(Problem(message, record=f"row {p['line']} (code {p['code']})", field=field))
    # Build the region from the rows that parsed, so that region-wide problems
    # (code system, kinds) are reported together with the row problems.
    region: Region | None = None
    try:
        region = Region(code=region_code, name=region_name, country=country, districts=tuple(districts),
                        villages=tuple(villages), code_system=code_system)
    except ModelValidationError as exc:
        lines = {p["code"]: p["line"] for p in parsed}
        for prob in exc.problems:
            where: str | None = prob.record
            if prob.record and "(code " in prob.record:
                code = prob.record.split("(code ", 1)[1].rstrip(")")
                where = f"row {lines.get(code, '?')} (code {code})"
            rows.problems.append(Problem(prob.message, record=where, field=prob.field))
    except ValueError as exc:
        field, message = field_and_message(exc)
        rows.problems.append(Problem(message, record="region" if field else None, field=field))
    rows.raise_if_problems()
    assert region is not None
    return region


def _derive_districts(parsed: Sequence[Mapping[str, Any]]) -> list[District]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for p in parsed:
        groups.setdefault(p["district_code"], []).append(p)
    districts = []
    for code, members in groups.items():
        name = next((m["district_name"] for m in members if m["district_name"]), code)
        districts.append(District(code=code, name=name, location=mean_location([m["location"] for m in members])))
    return districts
