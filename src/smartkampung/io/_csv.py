"""Villages from a spreadsheet (CSV), with every problem reported at once.

Rows are streamed: a table is never held in memory as text, only the
villages it describes. How the file writes its numbers is detected once per
file and said (see :class:`NumberFormat`); a cell that the detected
convention cannot read, or could read two ways, is a problem naming the row,
the column and the option that settles it.
"""

from __future__ import annotations

import contextlib
import csv
import decimal as _decimal
import difflib
import io
import math
import os
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from smartkampung._errors import (
    DataFileError,
    DataWarning,
    ModelValidationError,
    ParameterError,
    Problem,
    ProblemCollector,
    excerpt,
    field_and_message,
    hint,
)
from smartkampung.io._read import MAX_LINE_CHARS, MAX_TABLE_BYTES, open_input, size_limit
from smartkampung.model._geo import Location, mean_location
from smartkampung.model._village import (
    DEFAULT_HOUSEHOLD_SIZE,
    CodeSystem,
    District,
    Region,
    Village,
    VillageKind,
)

__all__ = ["DELIMITERS", "CsvRows", "NumberFormat", "csv_arguments", "read_villages_csv"]

REQUIRED_COLUMNS = ("code", "name", "district_code", "lat", "lon", "population")
OPTIONAL_COLUMNS = ("kind", "households", "district_name", "population_year")
#: Cell separators a table may use; detected from the header when not given.
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
#: Rows looked at to detect how numbers are written.
_SNIFF_ROWS = 1000
_SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space (French, Indonesian typesetting)


def _short(text: str, limit: int = 40) -> str:
    """A cell as shown in a record or message: cut to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _has_non_ascii_digit(text: str) -> bool:
    return not text.isascii() and any(ch.isdigit() and not ch.isascii() for ch in text)


class NumberFormat:
    """How a table writes numbers: its decimal mark and thousands separator.

    Parameters
    ----------
    decimal : {".", ","}
        Decimal mark of coordinates (and of any fraction).
    thousands : {None, ",", ".", " "}
        Separator between groups of three digits in counts; ``" "`` also
        stands for the no-break spaces spreadsheets write.
    decimal_given : bool
        Whether the caller said which decimal mark the file uses (then
        "3.000" is read by that mark; otherwise it is ambiguous and refused).
    """

    def __init__(self, decimal: str = ".", thousands: str | None = None, *, decimal_given: bool = False) -> None:
        self.decimal = decimal
        self.thousands = thousands
        self.decimal_given = decimal_given
        d = re.escape(decimal)
        self._real = re.compile(rf"[+-]?(?:\d+(?:{d}\d*)?|{d}\d+)(?:[eE][+-]?\d+)?", re.ASCII)
        self._count = re.compile(rf"([+-]?\d+)(?:{d}(\d*))?(?:[eE]([+-]?\d+))?", re.ASCII)
        if thousands is None:
            self._grouped: re.Pattern[str] | None = None
        else:
            sep = f"[{_SPACES}]" if thousands == " " else re.escape(thousands)
            self._grouped = re.compile(rf"([+-]?\d{{1,3}}(?:{sep}\d{{3}})+)((?:{d}\d*)?)", re.ASCII)

    def describe(self) -> str:
        """In words: ``"decimal comma, '.' between thousands"``."""
        mark = "decimal point" if self.decimal == "." else "decimal comma"
        groups = {None: "no thousands separator", " ": "spaces between thousands"}.get(
            self.thousands, f"{self.thousands!r} between thousands")
        return f"{mark}, {groups}"

    # ------------------------------------------------------------ cells
    def real(self, raw: str) -> float | str:
        """A coordinate or other real number, or the reason it is not one."""
        text = raw.strip()
        if _has_non_ascii_digit(text):
            return f"{excerpt(raw)} uses digits other than 0-9: write the number with 0-9"
        if not self._real.fullmatch(text):
            return self._not_a_number(raw, text, fraction=True)
        value = float(text.replace(self.decimal, ".")) if self.decimal != "." else float(text)
        if not math.isfinite(value):
            return f"{excerpt(raw)} is beyond the range of numbers"
        return value

    def count(self, raw: str) -> int | str:
        """A whole number (a head-count), or the reason it is not one."""
        text = raw.strip()
        if _has_non_ascii_digit(text):
            return f"{excerpt(raw)} uses digits other than 0-9: write the number with 0-9"
        if self._grouped is not None:
            grouped = self._grouped.fullmatch(text)
            if grouped:
                text = re.sub(f"[{_SPACES}]" if self.thousands == " " else re.escape(str(self.thousands)), "",
                              grouped.group(1)) + grouped.group(2)
        match = self._count.fullmatch(text)
        if not match:
            return self._not_a_number(raw, text, fraction=False)
        whole, fraction, exponent = match.groups()
        if (fraction is not None and len(fraction) == 3 and set(fraction) == {"0"} and exponent is None
                and not self.decimal_given and self.thousands is None):
            return (f"{excerpt(raw)} could be {int(whole + fraction):,} or {int(whole)} ({self.decimal!r} as "
                    f"thousands separator or as decimal mark): say which with "
                    + hint("decimal=',' (thousands separated by '.') or decimal='.'",
                           "--decimal ',' (thousands separated by '.') or --decimal '.'"))
        try:
            value = _decimal.Decimal(f"{whole}.{fraction or '0'}e{exponent or '0'}")
        except _decimal.InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            return self._not_a_number(raw, text, fraction=False)
        if value.adjusted() > 18:
            return f"{excerpt(raw)} is far too large for a count"
        if value != value.to_integral_value():
            extra = ""
            if self.decimal == "." and fraction is not None and len(fraction) == 3 and not self.decimal_given:
                extra = (": if '.' separates thousands in this file, say so with "
                         + hint("decimal=','", "--decimal ','"))
            return f"{excerpt(raw)} is not a whole number{extra}"
        return int(value)

    def _not_a_number(self, raw: str, text: str, *, fraction: bool) -> str:
        if text == "":
            return "is empty (a value is required)"
        if "_" in text and re.fullmatch(r"[+-]?[\d_.,]+", text, re.ASCII):
            return f"{excerpt(raw)} is not a number: write it without '_' ({text.replace('_', '')})"
        other = "," if self.decimal == "." else "."
        plain = text.replace(other, "", 1).replace(self.decimal, "", 1).lstrip("+-")
        if other in text and plain.isdigit():
            mark = "decimal comma" if other == "," else "decimal point"
            how = hint(f"decimal={other!r}", f"--decimal '{other}'")
            return (f"{excerpt(raw)} is not a number in this file's convention ({self.describe()}): write "
                    f"{text.replace(other, self.decimal)}, or if the file writes a {mark}, pass {how}")
        if text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
            return f"{excerpt(raw)} is not a number (a value must be finite)"
        return f"{excerpt(raw)} is not a number"


def _detect_format(cells_real: Sequence[str], cells_count: Sequence[str], decimal: str | None) -> NumberFormat:
    """The file's convention, from sample cells of its real (lat/lon) and count columns."""
    comma_decimal = any(re.fullmatch(r"[+-]?\d*,\d+", c.strip(), re.ASCII) for c in cells_real)
    point_decimal = any(re.fullmatch(r"[+-]?\d*\.\d+(?:[eE][+-]?\d+)?", c.strip(), re.ASCII) for c in cells_real)
    stripped = [c.strip() for c in cells_count]
    dot_groups = any(re.fullmatch(r"\d{1,3}(?:\.\d{3})+", c, re.ASCII) for c in stripped)
    comma_groups = any(re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?", c, re.ASCII) for c in stripped)
    space_groups = any(re.fullmatch(rf"\d{{1,3}}(?:[{_SPACES}]\d{{3}})+", c, re.ASCII) for c in stripped)
    if decimal is None:
        if comma_decimal and not point_decimal:
            decimal = ","
        elif not comma_decimal and not point_decimal and dot_groups and not comma_groups:
            decimal = ","  # "3.000" people and no fraction anywhere: '.' separates thousands
        else:
            decimal = "."
        given = False
    else:
        given = True
    if decimal == ",":
        thousands = "." if dot_groups else (" " if space_groups else None)
    else:
        thousands = "," if comma_groups else (" " if space_groups else None)
    return NumberFormat(decimal, thousands, decimal_given=given)


class CsvRows:
    """Rows of a CSV file as dicts, streamed, with typed field parsers that collect Problems.

    Row numbers are spreadsheet line numbers: the header is row 1. Open it
    in a ``with`` block (or iterate it to the end) so the file is closed.

    Parameters
    ----------
    path : path-like
        A regular file (FIFOs and devices are refused without blocking).
    delimiter : str, optional
        Cell separator; default: detected from the header among
        :data:`DELIMITERS` (the one that splits it into the expected columns).
    columns : mapping, optional
        Our column name to the file's.
    expected : sequence of str
        The column names the header should have (for detecting the delimiter).
    max_bytes : int, optional
        Largest file read. [bytes]
    function : str
        The public function reading, for messages about its arguments.
    """

    def __init__(self, path: str | os.PathLike[str], *, delimiter: str | None = None,
                 columns: Mapping[str, str] | None = None, expected: Sequence[str] = REQUIRED_COLUMNS,
                 max_bytes: int | None = None, function: str = "read_villages_csv") -> None:
        self.path = Path(path)
        self.source = str(path)
        self.problems = ProblemCollector()
        if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1
                                      or delimiter in "\r\n\"" or delimiter.isalnum()):
            raise ParameterError("delimiter", f"must be one character such as ',' or ';', got {delimiter!r}",
                                 function=function)
        rename = dict(columns or {})
        for ours, theirs in rename.items():
            if not isinstance(ours, str) or not isinstance(theirs, str):
                raise ParameterError("columns", f"must map column names to column names, got {ours!r}: {theirs!r}",
                                     function=function)
        limit = size_limit(MAX_TABLE_BYTES, max_bytes, function)
        self._stack = contextlib.ExitStack()
        try:
            binary = self._stack.enter_context(open_input(self.path, max_bytes=limit, source=self.source))
            self._text = self._stack.enter_context(io.TextIOWrapper(binary, encoding="utf-8-sig", newline=""))
            self._lines = self._physical_lines()
            first = self._first_line()
            file_to_ours = {file_name: ours for ours, file_name in rename.items()}
            self.delimiter = delimiter if delimiter is not None else self._detect_delimiter(first, file_to_ours,
                                                                                         expected)
            self.delimiter_detected = delimiter is None
            self._reader = csv.reader(self._replay(first), delimiter=self.delimiter)
            header_cells = self._next_record()
        except BaseException:
            self._stack.close()
            raise
        if header_cells is None:
            self._stack.close()
            raise DataFileError(self.source, [Problem("the file is empty (no header row)")])
        self.header = [file_to_ours.get(h.strip(), h.strip()) for h in header_cells]
        repeated = sorted({h for h in self.header if h and self.header.count(h) > 1})
        if repeated:
            self.add(Problem(f"column{'s' if len(repeated) > 1 else ''} {', '.join(map(excerpt, repeated))} "
                             "appear more than once", record="row 1 (header)"))
        self._head: list[tuple[int, dict[str, str]]] = []
        self._rows_seen = 0
        self._too_many_cells = 0
        self._first_bad_shape: int | None = None

    # ------------------------------------------------------------ reading
    def _physical_lines(self) -> Iterator[str]:
        """Lines of the file, each at most MAX_LINE_CHARS long."""
        number = 0
        while True:
            try:
                line = self._text.readline(MAX_LINE_CHARS + 1)
            except UnicodeDecodeError as exc:
                raise DataFileError(self.source, [Problem(
                    f"not UTF-8 text ({exc.reason}) near line {number + 1}; save the file as UTF-8")]) from None
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
                raise DataFileError(self.source, [Problem(
                    f"line {number} is longer than {MAX_LINE_CHARS:,} characters: not a table of villages")])
            yield line

    def _first_line(self) -> str:
        """The first line with a cell in it (the header); blank lines before it are counted, not kept."""
        self._skipped = 0
        for line in self._lines:
            if line.strip().strip("".join(DELIMITERS)).strip():
                return line
            self._skipped += 1
        return ""

    def _replay(self, first: str) -> Iterator[str]:
        # Blank lines before the header still count in the row numbers.
        for _ in range(self._skipped):
            yield "\n"
        if first:
            yield first
        yield from self._lines

    @staticmethod
    def _detect_delimiter(first: str, file_to_ours: Mapping[str, str], expected: Sequence[str]) -> str:
        wanted = set(expected) | set(OPTIONAL_COLUMNS)

        def score(candidate: str) -> tuple[int, int]:
            cells = [file_to_ours.get(c.strip(), c.strip()) for c in next(csv.reader([first], delimiter=candidate),
                                                                          [])]
            return sum(c in wanted for c in cells), len(cells)

        best = max(DELIMITERS, key=lambda d: (score(d), d == ","))
        return best if score(best)[0] > 0 else ","

    def _next_record(self) -> list[str] | None:
        """The next record with a non-blank cell, or None at the end."""
        while True:
            try:
                record = next(self._reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                raise DataFileError(self.source, [Problem(f"not a valid CSV file: {exc}",
                                                          record=f"row {self._reader.line_num}")]) from None
            if any(cell.strip() for cell in record):
                return record

    def head(self, n: int = _SNIFF_ROWS) -> list[tuple[int, dict[str, str]]]:
        """The first ``n`` well-formed rows (kept; iteration yields them first)."""
        while len(self._head) < n:
            row = self._next_row()
            if row is None:
                break
            self._head.append(row)
        return self._head

    def _next_row(self) -> tuple[int, dict[str, str]] | None:
        while True:
            record = self._next_record()
            if record is None:
                return None
            line = self._reader.line_num
            self._rows_seen += 1
            if len(record) != len(self.header):
                self._bad_shape(line, record)
                continue
            return line, {k: v.strip() for k, v in zip(self.header, record, strict=True)}

    def _bad_shape(self, line: int, record: list[str]) -> None:
        first = record[0].strip() if record else ""
        more = len(record) > len(self.header)
        if more:
            self._too_many_cells += 1
            self._first_bad_shape = self._first_bad_shape or line
        how = hint("delimiter=';' with decimal=','", "--delimiter ';' --decimal ','")
        extra = (f" (a decimal comma? quote the cell, or save the file with ';' between cells and pass {how})"
                 if more else "")
        self.add(Problem(f"has {len(record)} cells but the header has {len(self.header)}{extra}",
                         record=f"row {line} (code {_short(first)})" if first else f"row {line}"),
                 kind="cells-more" if more else "cells-fewer")

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            head, self._head = self._head, []
            yield from head
            while (row := self._next_row()) is not None:
                yield row
        finally:
            self.close()

    def close(self) -> None:
        """Close the file (iterating to the end closes it too)."""
        self._stack.close()

    def __enter__(self) -> CsvRows:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ problems
    def add(self, problem: Problem, *, kind: str | None = None) -> None:
        """Record a problem (repeats of one ``kind`` are summarised after the first few)."""
        self.problems.add(problem, kind=kind)

    def shape_summary(self) -> Problem | None:
        """One problem for a file most of whose rows have too many cells (decimal commas in a comma file)."""
        if self._too_many_cells >= 3 and self._too_many_cells * 2 > self._rows_seen:
            how = hint("delimiter=';' and decimal=','", "--delimiter ';' --decimal ','")
            return Problem(
                f"{self._too_many_cells:,} of {self._rows_seen:,} rows have more cells than the header (first at "
                f"row {self._first_bad_shape}): the numbers seem to be written with decimal commas in a file whose "
                f"cells are also separated by commas. Save the spreadsheet as CSV with ';' between cells and read "
                f"it with {how}, or quote the numbers")
        return None

    def require(self, names: Sequence[str]) -> bool:
        """Record one problem naming every missing column; True when none is missing."""
        missing = [n for n in names if n not in self.header]
        if missing:
            hints = []
            for name in missing:
                close = difflib.get_close_matches(name, self.header, n=1, cutoff=0.7)
                if close:
                    hints.append(f"{excerpt(close[0], 40)} for {name!r}?")
            extra = f"; did you mean {', '.join(hints)}" if hints else ""
            shown = ", ".join(excerpt(h, 40) for h in self.header[:20]) + (", ..." if len(self.header) > 20 else "")
            how = hint("columns={our_name: file_name}", "--columns file_name=our_name")
            self.add(Problem(
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
                f"(the header has {shown}){extra}; columns named differently can be mapped with {how}",
                record="row 1 (header)"))
        return not missing

    @staticmethod
    def record(line: int, row: Mapping[str, str]) -> str:
        """``"row 5 (code X)"`` for a row."""
        code = row.get("code", "")
        return f"row {line} (code {_short(code)})" if code else f"row {line}"

    def text(self, line: int, row: Mapping[str, str], name: str) -> str | None:
        """A required text cell, or None (and a problem) when it is empty."""
        value = row.get(name, "")
        if not value:
            self.add(Problem("is empty (a value is required)", record=self.record(line, row), field=name),
                     kind="empty")
            return None
        return value

    def number(self, line: int, row: Mapping[str, str], name: str, low: float = -math.inf,
               high: float = math.inf, *, format: NumberFormat | None = None) -> float | None:
        """A real number within ``[low, high]``, or None (and a problem)."""
        raw = row.get(name, "")
        value = (format or NumberFormat()).real(raw)
        if isinstance(value, str):
            self.add(Problem(value, record=self.record(line, row), field=name), kind=f"not-a-number:{name}")
            return None
        if not low <= value <= high:
            self.add(Problem(f"{_short(raw)} is outside [{low:g}, {high:g}]", record=self.record(line, row),
                             field=name), kind=f"range:{name}")
            return None
        return value

    def count(self, line: int, row: Mapping[str, str], name: str, *, optional: bool = False,
              format: NumberFormat | None = None) -> int | None:
        """A whole number >= 0, or None (and a problem; an empty optional cell is None without one)."""
        raw = row.get(name, "")
        if optional and raw == "":
            return None
        value = (format or NumberFormat()).count(raw)
        if isinstance(value, str):
            self.add(Problem(value, record=self.record(line, row), field=name), kind=f"not-a-count:{name}")
            return None
        if value < 0:
            self.add(Problem(f"{_short(raw)} is not a whole number >= 0", record=self.record(line, row),
                             field=name), kind=f"negative:{name}")
            return None
        return value

    def raise_if_problems(self) -> None:
        """Raise a DataFileError listing the problems recorded so far, if any."""
        if self.problems:
            summary = self.shape_summary()
            problems = self.problems.problems()
            if summary is not None:  # one clear message instead of a line per row
                problems = [summary, *(p for p in problems if "cells but the header has" not in p.message
                                       and "more with the same problem (cells-more)" not in p.message)]
            raise DataFileError(self.source, problems)


def _kind(rows: CsvRows, line: int, row: Mapping[str, str], default: VillageKind) -> VillageKind | None:
    raw = row.get("kind", "")
    if not raw:
        return default
    try:
        return VillageKind(raw.strip().lower())
    except ValueError:
        allowed = ", ".join(k.value for k in VillageKind)
        rows.add(Problem(f"{excerpt(raw)} is not one of {allowed}", record=rows.record(line, row), field="kind"),
                 kind="kind")
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
    if (isinstance(household_size, bool) or not isinstance(household_size, (int, float))
            or not 0.5 <= household_size <= 50):
        raise ParameterError("household_size", f"must be a number of persons from 0.5 to 50, got {household_size!r}",
                             function=fn)
    if decimal is not None and decimal not in (".", ","):
        raise ParameterError("decimal", f"must be '.' or ',', got {decimal!r}", function=fn)
    if isinstance(default_kind, str):
        try:
            default_kind = VillageKind(default_kind.strip().lower())
        except ValueError:
            raise ParameterError("default_kind", f"{default_kind!r} is not one of "
                                 f"{', '.join(k.value for k in VillageKind)}", function=fn) from None
    with CsvRows(path, delimiter=delimiter, columns=columns, max_bytes=max_bytes) as rows:
        if not rows.require(REQUIRED_COLUMNS):
            rows.raise_if_problems()
        sample = rows.head()
        fmt = _detect_format([r[c] for _, r in sample for c in ("lat", "lon")],
                             [r.get(c, "") for _, r in sample for c in ("population", "households")], decimal)
        villages, lines, district_names = _read_rows(
            rows, fmt, default_kind, household_size, allow_zero_population,
            {d.code for d in districts} if districts is not None else None)
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
        warnings.warn(DataWarning(rows.source, f"read with {'; '.join(changed)} (detected from the file; set them "
                                               f"with {how} if that is wrong)", kind="format"), stacklevel=2)
    for note in notes:
        warnings.warn(DataWarning(rows.source, note.message, record=note.record, field=note.field,
                                  kind="location" if note.field in ("lat", "lon") else "population"), stacklevel=2)
    rows.raise_if_problems()
    assert region is not None
    return region


def _row_record(lines: Mapping[str, int], code: str) -> str:
    return f"row {lines.get(code, '?')} (code {code})"


def _read_rows(rows: CsvRows, fmt: NumberFormat, default_kind: VillageKind, household_size: float,
               allow_zero: bool, known_districts: set[str] | None
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
                rows.add(Problem(field_and_message(exc)[1].removeprefix(f"{field} "), record=record, field=field),
                         kind=f"code:{field}")
                ok = False
        if code is not None and ok:
            if code in seen:
                rows.add(Problem(f"duplicate code (first at row {seen[code]})", record=record, field="code"),
                         kind="duplicate")
                ok = False
            else:
                seen[code] = line
        if population == 0 and not allow_zero:
            how = hint("allow_zero_population=True", "--allow-zero-population (in a scenario: [region] "
                       "allow_zero_population = true)")
            rows.add(Problem(f"is 0: a village without people is usually a missing figure; if it is real, pass {how}",
                             record=record, field="population"), kind="zero-population")
            ok = False
        if (district_code is not None and known_districts is not None and district_code not in known_districts
                and ok):
            rows.add(Problem(f"district {excerpt(district_code)} does not exist", record=record,
                             field="district_code"), kind="unknown-district")
            ok = False
        if (not ok or code is None or name is None or district_code is None or lat is None or lon is None
                or population is None or kind is None):
            continue
        try:
            village = Village(code=code, name=name, kind=kind, district_code=district_code,
                              location=Location(lat, lon), population=population,
                              households=households if households is not None else round(population / household_size),
                              population_year=year)
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


def _build_region(rows: CsvRows, villages: list[Village], lines: Mapping[str, int],
                  districts: Sequence[District], region_code: str, region_name: str, country: str,
                  code_system: CodeSystem) -> Region | None:
    # Build the region from the rows that parsed, so that region-wide problems
    # (code system, kinds) are reported together with the row problems.
    try:
        return Region(code=region_code, name=region_name, country=country, districts=tuple(districts),
                      villages=tuple(villages), code_system=code_system)
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
    return {"region_code": source.code, "region_name": source.name, "country": source.country,
            "default_kind": source.kind, "household_size": source.household_size,
            "delimiter": source.delimiter, "decimal": source.decimal,
            "allow_zero_population": source.allow_zero_population}
