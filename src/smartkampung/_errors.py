"""Exception hierarchy.

Every error that smartkampung raises on a user's input is a subclass of
:class:`SmartKampungError`, so a caller can catch them all with one clause.
Errors that concern a file carry the file name and the list of every problem
found (not only the first), each naming the record and the field.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = [
    "DataFileError",
    "DataWarning",
    "FieldError",
    "FieldTypeError",
    "ModelValidationError",
    "OutputFolderError",
    "ParameterError",
    "Problem",
    "ProblemCollector",
    "SmartKampungError",
    "SmartKampungWarning",
    "UnknownCodeError",
    "excerpt",
    "field_and_message",
    "hint",
    "hints_for",
    "unknown_code",
]

#: Longest quotation of a user's value in a message (a file's content is never quoted whole).
EXCERPT_CHARS = 60
#: Backstop: the longest message, record and field text a Problem keeps.
_MAX_MESSAGE, _MAX_RECORD, _MAX_FIELD = 1000, 200, 80


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """A value as quoted in a message: its repr, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Hints name the options of whoever called: the Python API (columns={...}) or
# the command line (--columns old=new). The CLI sets the style for its calls.
_HINT_STYLE: contextvars.ContextVar[str] = contextvars.ContextVar("smartkampung_hint_style", default="python")


def hint(python: str, cli: str) -> str:
    """The wording of a hint for the caller: ``python`` for the API, ``cli`` on the command line."""
    return cli if _HINT_STYLE.get() == "cli" else python


@contextlib.contextmanager
def hints_for(style: str) -> Iterator[None]:
    """Word hints for ``"python"`` (default) or ``"cli"`` callers inside the block."""
    token = _HINT_STYLE.set(style)
    try:
        yield
    finally:
        _HINT_STYLE.reset(token)


class SmartKampungError(Exception):
    """Base class of all errors raised by smartkampung on bad input."""


class ParameterError(SmartKampungError, ValueError):
    """An argument to a function is invalid.

    Parameters
    ----------
    parameter : str
        Name of the offending argument, as the caller spelled it.
    message : str
        What is wrong with it.
    function : str, optional
        The public function that received it.
    """

    def __init__(self, parameter: str, message: str, *, function: str | None = None) -> None:
        self.parameter = parameter
        self.function = function
        self.message = message
        where = f"{function}(): " if function else ""
        super().__init__(f"{where}parameter {parameter!r}: {message}")


class FieldError(ParameterError):
    """A field of a model object (a village, a service, a scenario section) has a bad value.

    Raised by the validators of the classes in :mod:`smartkampung.model`. The
    message is plain text, ``"Service: p_innovation must be a number >= 0,
    got -0.01"``; :attr:`parameter` is the field, :attr:`owner` the class and
    :attr:`message` the part after the class name.

    Parameters
    ----------
    owner : str
        Name of the class being built.
    field : str
        Name of the field.
    message : str
        What is wrong, starting with the verb (``"must be ..."``).
    """

    def __init__(self, owner: str, field: str, message: str) -> None:
        self.owner = owner
        self.parameter = field
        self.function = owner
        self.message = f"{field} {message}"
        Exception.__init__(self, f"{owner}: {self.message}")


class FieldTypeError(FieldError, TypeError):
    """A model field got a value of the wrong type (text where a number goes, say)."""


class UnknownCodeError(SmartKampungError, KeyError):
    """No village, district, service or other item has the code asked for.

    Parameters
    ----------
    message : str
        What was looked for and where, with the nearest known codes.
    code : str
        The code asked for.
    suggestions : sequence of str
        Known codes close to it (may be empty).
    """

    def __init__(self, message: str, *, code: str = "", suggestions: Iterable[str] = ()) -> None:
        self.code = code
        self.suggestions = tuple(suggestions)
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


def unknown_code(what: str, code: Any, where: str, known: Iterable[str]) -> UnknownCodeError:
    """The error for a lookup of ``code`` among ``known``, suggesting the closest known codes."""
    known = list(known)
    close = difflib.get_close_matches(code, known, n=3, cutoff=0.6) if isinstance(code, str) else []
    if close:
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?"
    elif len(known) <= 12:
        hint = f" (known: {', '.join(known) or 'none'})"
    else:
        hint = ""
    return UnknownCodeError(f"no {what} {code!r} in {where}{hint}", code=str(code), suggestions=close)


class ModelValidationError(SmartKampungError, ValueError):
    """Objects that are each valid do not fit together (for example in a Region).

    Parameters
    ----------
    problems : list of Problem
        Every inconsistency found.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class Problem:
    """One problem found in a file: where it is and what is wrong.

    Parameters
    ----------
    message : str
        What is wrong.
    record : str, optional
        Which record: a CSV row (``"row 5 (code 35.10.01.2001)"``) or a
        path inside a document (``"$.villages[3]"``).
    field : str, optional
        Which field (column or key) of that record.
    source : str, optional
        The file the problem is in, when it is not the file being read (a
        scenario's programme file or village table).

    Notes
    -----
    Texts are cut to a bounded length (message 1,000, record 200, field 80
    characters), so a message never carries a large part of a file.
    """

    __slots__ = ("field", "message", "record", "source")

    def __init__(
        self, message: str, *, record: str | None = None, field: str | None = None, source: str | None = None
    ) -> None:
        self.message = _cut(str(message), _MAX_MESSAGE)
        self.record = None if record is None else _cut(str(record), _MAX_RECORD)
        self.field = None if field is None else _cut(str(field), _MAX_FIELD)
        self.source = None if source is None else str(source)

    def with_source(self, source: str | None) -> Problem:
        """The same problem, said to be in file ``source`` (kept if it already names one)."""
        return Problem(self.message, record=self.record, field=self.field, source=self.source or source)

    def __str__(self) -> str:
        parts = []
        if self.record:
            parts.append(self.record)
        if self.field:
            parts.append(f"field {self.field!r}")
        where = ", ".join(parts)
        if self.source:
            where = f"{self.source}: {where}" if where else self.source
        return f"{where}: {self.message}" if where else self.message

    def __repr__(self) -> str:
        source = f", source={self.source!r}" if self.source else ""
        return f"Problem({self.message!r}, record={self.record!r}, field={self.field!r}{source})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[str, str | None, str | None, str | None]:
        return (self.message, self.record, self.field, self.source)


class ProblemCollector:
    """Problems of one file, kept in bounded memory however bad the file.

    Every problem is counted. The first ``per_kind`` of each kind (a kind is
    what the problem is, such as "population is not a number", without the
    row) are kept verbatim and the rest summarised in one line, "... and 1,204
    more with the same problem"; at most ``limit`` problems are kept in all.

    Parameters
    ----------
    per_kind : int
        Problems of one kind listed one by one.
    limit : int
        Problems kept in all.
    """

    def __init__(self, *, per_kind: int = 10, limit: int = 200) -> None:
        self.per_kind = per_kind
        self.limit = limit
        self._kept: list[Problem] = []
        self._kinds: dict[tuple[str | None, str], list[int]] = {}  # kind -> [seen, kept]
        self.count = 0

    def add(self, problem: Problem, *, kind: str | None = None) -> None:
        """Record a problem; ``kind`` groups repeats of one problem (default: its exact message)."""
        self.count += 1
        counts = self._kinds.setdefault((problem.field, kind if kind is not None else problem.message), [0, 0])
        counts[0] += 1
        if counts[1] < self.per_kind and len(self._kept) < self.limit:
            counts[1] += 1
            self._kept.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems, each of its own kind."""
        for p in problems:
            self.add(p)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    def problems(self) -> list[Problem]:
        """The problems kept, then one summary line per kind with more than were listed."""
        out = list(self._kept)
        summarised = len(out)
        for (field, kind), (seen, kept) in self._kinds.items():
            if kept and seen > kept:
                out.append(
                    Problem(f"... and {seen - kept:,} more with the same problem ({_cut(kind, 100)})", field=field)
                )
                summarised += seen - kept
        if self.count > summarised:
            out.append(Problem(f"... and {self.count - summarised:,} more problems not listed"))
        return out


def field_and_message(exc: BaseException) -> tuple[str | None, str]:
    """The field an attrs validator error is about, and its message.

    attrs' validators raise ``ValueError(message, attribute, ...)`` (and so
    do the library's own); :class:`ParameterError` carries ``parameter``.
    """
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) >= 2 and isinstance(args[0], str) and hasattr(args[1], "name") and hasattr(args[1], "validator"):
        return str(args[1].name), args[0]
    if isinstance(exc, ParameterError):
        return exc.parameter, exc.message
    text = str(exc)
    return None, text.split("\n")[0] if text else type(exc).__name__


class DataFileError(SmartKampungError, ValueError):
    """A file (or text) could not be read into smartkampung objects.

    Parameters
    ----------
    source : str
        The file name, or ``"<string>"`` for text passed directly.
    problems : iterable of Problem or str
        Every problem found. The message lists them all. A problem in another
        file (a scenario's programme file) names that file in its ``source``.
    """

    def __init__(self, source: str, problems: Iterable[Problem | str]) -> None:
        self.source = str(source)
        listed = [p if isinstance(p, Problem) else Problem(p) for p in problems]
        self.problems: list[Problem] = [
            Problem(p.message, record=p.record, field=p.field) if p.source == self.source else p for p in listed
        ]
        n = len(self.problems)
        lines = [f"{self.source}: {n} problem{'s' if n != 1 else ''} found"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class OutputFolderError(SmartKampungError):
    """An output folder cannot be written or replaced (it holds files that are not ours, say).

    Parameters
    ----------
    path : str
        The folder.
    message : str
        What is wrong and what to do.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class SmartKampungWarning(UserWarning):
    """Base class of the warnings smartkampung gives about possible but suspicious input."""


class DataWarning(SmartKampungWarning):
    """A value in a data file is possible but suspicious (a village far from its district, say).

    Parameters
    ----------
    source : str
        The file.
    message : str
        What looks wrong, and what it may be a sign of.
    record : str, optional
        The record (``"row 12 (code 35.10.01.2001)"``).
    field : str, optional
        The field.
    kind : str
        What is checked: ``"location"``, ``"population"`` or ``"format"``
        (how the file's numbers were read).
    """

    def __init__(
        self, source: str, message: str, *, record: str | None = None, field: str | None = None, kind: str = "data"
    ) -> None:
        self.source = str(source)
        self.problem = Problem(message, record=record, field=field)
        self.kind = kind
        super().__init__(f"{self.source}: {self.problem}")
