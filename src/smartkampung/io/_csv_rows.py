"""Reading a CSV table: cell separator and number convention detected, rows streamed, cells parsed.

:class:`CsvRows` streams the rows of a file as dicts (spreadsheet row
numbers, the header is row 1) and parses cells into text, reals and counts,
collecting every problem instead of stopping at the first;
:class:`NumberFormat` is how a file writes its numbers (decimal mark,
thousands separator), detected once per file by :func:`_detect_format`. The
village table itself (which columns, what a row means) is
:mod:`smartkampung.io._csv`.
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
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from smartkampung._errors import DataFileError, ParameterError, Problem, ProblemCollector, excerpt, hint
from smartkampung.io._read import MAX_LINE_CHARS, MAX_TABLE_BYTES, open_input, size_limit

__all__ = ["DELIMITERS", "OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "CsvRows", "NumberFormat"]

#: The village table's columns (see :func:`smartkampung.io.read_villages_csv`): what :class:`CsvRows`
#: expects by default and recognises in a header when it detects the cell separator.
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
            self.thousands, f"{self.thousands!r} between thousands"
        )
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
                text = re.sub(
                    f"[{_SPACES}]" if self.thousands == " " else re.escape(str(self.thousands)), "", grouped.group(1)
                ) + grouped.group(2)
        match = self._count.fullmatch(text)
        if not match:
            return self._not_a_number(raw, text, fraction=False)
        whole, fraction, exponent = match.groups()
        if (
            fraction is not None
            and len(fraction) == 3
            and set(fraction) == {"0"}
            and exponent is None
            and not self.decimal_given
            and self.thousands is None
        ):
            return (
                f"{excerpt(raw)} could be {int(whole + fraction):,} or {int(whole)} ({self.decimal!r} as "
                f"thousands separator or as decimal mark): say which with "
                + hint(
                    "decimal=',' (thousands separated by '.') or decimal='.'",
                    "--decimal ',' (thousands separated by '.') or --decimal '.'",
                )
            )
        try:
            value = _decimal.Decimal(f"{whole}.{fraction or '0'}e{exponent or '0'}")
        except _decimal.InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            return self._not_a_number(raw, text, fraction=False)
        if value.adjusted() > 18:
            return f"{excerpt(raw)} is far too large for a count"
        if value != value.to_integral_value():
            extra = ""
            if self.decimal == "." and fraction is not None and len(fraction) == 3 and not self.decimal_given:
                extra = ": if '.' separates thousands in this file, say so with " + hint("decimal=','", "--decimal ','")
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
            return (
                f"{excerpt(raw)} is not a number in this file's convention ({self.describe()}): write "
                f"{text.replace(other, self.decimal)}, or if the file writes a {mark}, pass {how}"
            )
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

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        delimiter: str | None = None,
        columns: Mapping[str, str] | None = None,
        expected: Sequence[str] = REQUIRED_COLUMNS,
        max_bytes: int | None = None,
        function: str = "read_villages_csv",
    ) -> None:
        self.path = Path(path)
        self.source = str(path)
        self.problems = ProblemCollector()
        if delimiter is not None and (
            not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '\r\n"' or delimiter.isalnum()
        ):
            raise ParameterError(
                "delimiter", f"must be one character such as ',' or ';', got {delimiter!r}", function=function
            )
        rename = dict(columns or {})
        for ours, theirs in rename.items():
            if not isinstance(ours, str) or not isinstance(theirs, str):
                raise ParameterError(
                    "columns", f"must map column names to column names, got {ours!r}: {theirs!r}", function=function
                )
        limit = size_limit(MAX_TABLE_BYTES, max_bytes, function)
        self._stack = contextlib.ExitStack()
        try:
            binary = self._stack.enter_context(open_input(self.path, max_bytes=limit, source=self.source))
            self._text = self._stack.enter_context(io.TextIOWrapper(binary, encoding="utf-8-sig", newline=""))
            self._lines = self._physical_lines()
            first = self._first_line()
            file_to_ours = {file_name: ours for ours, file_name in rename.items()}
            self.delimiter = (
                delimiter if delimiter is not None else self._detect_delimiter(first, file_to_ours, expected)
            )
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
            self.add(
                Problem(
                    f"column{'s' if len(repeated) > 1 else ''} {', '.join(map(excerpt, repeated))} "
                    "appear more than once",
                    record="row 1 (header)",
                )
            )
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
                raise DataFileError(
                    self.source,
                    [Problem(f"not UTF-8 text ({exc.reason}) near line {number + 1}; save the file as UTF-8")],
                ) from None
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
                raise DataFileError(
                    self.source,
                    [Problem(f"line {number} is longer than {MAX_LINE_CHARS:,} characters: not a table of villages")],
                )
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
            cells = [file_to_ours.get(c.strip(), c.strip()) for c in next(csv.reader([first], delimiter=candidate), [])]
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
                raise DataFileError(
                    self.source, [Problem(f"not a valid CSV file: {exc}", record=f"row {self._reader.line_num}")]
                ) from None
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
        extra = (
            f" (a decimal comma? quote the cell, or save the file with ';' between cells and pass {how})"
            if more
            else ""
        )
        self.add(
            Problem(
                f"has {len(record)} cells but the header has {len(self.header)}{extra}",
                record=f"row {line} (code {_short(first)})" if first else f"row {line}",
            ),
            kind="cells-more" if more else "cells-fewer",
        )

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
                f"it with {how}, or quote the numbers"
            )
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
            self.add(
                Problem(
                    f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
                    f"(the header has {shown}){extra}; columns named differently can be mapped with {how}",
                    record="row 1 (header)",
                )
            )
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
            self.add(Problem("is empty (a value is required)", record=self.record(line, row), field=name), kind="empty")
            return None
        return value

    def number(
        self,
        line: int,
        row: Mapping[str, str],
        name: str,
        low: float = -math.inf,
        high: float = math.inf,
        *,
        format: NumberFormat | None = None,
    ) -> float | None:
        """A real number within ``[low, high]``, or None (and a problem)."""
        raw = row.get(name, "")
        value = (format or NumberFormat()).real(raw)
        if isinstance(value, str):
            self.add(Problem(value, record=self.record(line, row), field=name), kind=f"not-a-number:{name}")
            return None
        if not low <= value <= high:
            self.add(
                Problem(f"{_short(raw)} is outside [{low:g}, {high:g}]", record=self.record(line, row), field=name),
                kind=f"range:{name}",
            )
            return None
        return value

    def count(
        self,
        line: int,
        row: Mapping[str, str],
        name: str,
        *,
        optional: bool = False,
        format: NumberFormat | None = None,
    ) -> int | None:
        """A whole number >= 0, or None (and a problem; an empty optional cell is None without one)."""
        raw = row.get(name, "")
        if optional and raw == "":
            return None
        value = (format or NumberFormat()).count(raw)
        if isinstance(value, str):
            self.add(Problem(value, record=self.record(line, row), field=name), kind=f"not-a-count:{name}")
            return None
        if value < 0:
            self.add(
                Problem(f"{_short(raw)} is not a whole number >= 0", record=self.record(line, row), field=name),
                kind=f"negative:{name}",
            )
            return None
        return value

    def raise_if_problems(self) -> None:
        """Raise a DataFileError listing the problems recorded so far, if any."""
        if self.problems:
            summary = self.shape_summary()
            problems = self.problems.problems()
            if summary is not None:  # one clear message instead of a line per row
                problems = [
                    summary,
                    *(
                        p
                        for p in problems
                        if "cells but the header has" not in p.message
                        and "more with the same problem (cells-more)" not in p.message
                    ),
                ]
            raise DataFileError(self.source, problems)
