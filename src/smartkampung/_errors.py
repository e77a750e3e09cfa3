"""Exception hierarchy.

Every error that smartkampung raises on a user's input is a subclass of
:class:`SmartKampungError`, so a caller can catch them all with one clause.
Errors that concern a file carry the file name and the list of every problem
found (not only the first), each naming the record and the field.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = [
    "DataFileError",
    "FieldError",
    "FieldTypeError",
    "ModelValidationError",
    "ParameterError",
    "Problem",
    "SmartKampungError",
    "UnknownCodeError",
    "field_and_message",
    "unknown_code",
]


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
    """

    __slots__ = ("field", "message", "record")

    def __init__(self, message: str, *, record: str | None = None, field: str | None = None) -> None:
        self.message = message
        self.record = record
        self.field = field

    def __str__(self) -> str:
        parts = []
        if self.record:
            parts.append(self.record)
        if self.field:
            parts.append(f"field {self.field!r}")
        where = ", ".join(parts)
        return f"{where}: {self.message}" if where else self.message

    def __repr__(self) -> str:
        return f"Problem({self.message!r}, record={self.record!r}, field={self.field!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return (self.message, self.record, self.field) == (other.message, other.record, other.field)

    def __hash__(self) -> int:
        return hash((self.message, self.record, self.field))


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
        Every problem found. The message lists them all.
    """

    def __init__(self, source: str, problems: Iterable[Problem | str]) -> None:
        self.source = str(source)
        self.problems: list[Problem] = [p if isinstance(p, Problem) else Problem(p) for p in problems]
        n = len(self.problems)
        lines = [f"{self.source}: {n} problem{'s' if n != 1 else ''} found"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))
