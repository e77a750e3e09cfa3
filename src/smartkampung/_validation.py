"""Every argument and field check of the package, with one message style.

Three kinds of checks live here, so that a rule ("a count is a whole number,
not a bool") and its wording are written once:

* **scalar arguments** of public functions (:func:`check_int`,
  :func:`check_float`, :func:`check_bool`, :func:`check_choice`), which
  return the normalised value or raise :class:`~smartkampung.ParameterError`
  naming the argument and the function;
* **array arguments** on entry to the numeric core (:func:`as_float_array`,
  :func:`as_int_array`, :func:`check_shape`, :func:`check_finite`, ...), the
  same errors;
* **attrs validators and converters** for the model classes
  (:func:`number`, :func:`whole`, :func:`text`, :func:`instance_of`, ...),
  which raise :class:`~smartkampung._errors.FieldError` (or
  :class:`~smartkampung._errors.FieldTypeError`) with a plain message naming
  the class and the field.

Messages read ``"<name> must be <rule>, got <value>"``.

Every numeric model field has a *domain*: finite unless infinity has a
documented meaning ("no limit"), integers that fit 64 bits, and an upper
bound no real input comes near, so that whatever validates also computes
without overflow. The shared bounds are the ``MAX_*`` constants below;
docs/adapting.rst lists every field's range.
"""

from __future__ import annotations

import math
import numbers
import operator
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from smartkampung._errors import FieldError, FieldTypeError, ParameterError, excerpt

__all__ = [
    "INT64_MAX",
    "MAX_COUNT",
    "MAX_MONEY",
    "MAX_MONTHS",
    "MAX_RATE_PER_MONTH",
    "as_float_array",
    "as_int_array",
    "as_vector",
    "broadcast_per_village",
    "check_bool",
    "check_broadcast",
    "check_choice",
    "check_finite",
    "check_float",
    "check_in_range",
    "check_int",
    "check_nonnegative",
    "check_shape",
    "identifier",
    "instance_of",
    "matches",
    "number",
    "one_of",
    "optional",
    "text",
    "to_float",
    "whole",
]

#: Largest value of a 64-bit signed integer; counts and months live in int64 arrays.
INT64_MAX = 2**63 - 1
#: Largest amount of money one field holds: a cost per item, a budget per
#: month, a value per hour (10^15 rupiah, about 60 billion USD, far above
#: any village programme; products with counts and months stay finite). [IDR]
MAX_MONEY = 1e15
#: Longest horizon, lag or start month: a century. [months]
MAX_MONTHS = 1200
#: Largest head-count or household count of one village or ward (the most
#: populous wards have a few hundred thousand people). [people]
MAX_COUNT = 100_000_000
#: Largest Bass coefficient or adoption rate: at 100 per month the whole
#: market adopts within the first month, so larger values mean nothing more. [month⁻¹]
MAX_RATE_PER_MONTH = 100.0

T = TypeVar("T")
Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _show(value: Any) -> str:
    """A value as quoted in a message: its repr, cut short."""
    return excerpt(value)


def _as_float(value: Any) -> float:
    """float(value), with integers too large for a float read as infinity (then refused by the bounds)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _bounds_phrase(
    minimum: float | None, maximum: float | None, exclusive_minimum: bool, exclusive_maximum: bool
) -> str:
    lo = "" if minimum is None else f"{'>' if exclusive_minimum else '>='} {minimum:g}"
    hi = "" if maximum is None else f"{'<' if exclusive_maximum else '<='} {maximum:g}"
    if lo and hi:
        if not exclusive_minimum and not exclusive_maximum:
            return f" in [{minimum:g}, {maximum:g}]"
        return f" {lo} and {hi}"
    return f" {lo or hi}" if (lo or hi) else ""


# --------------------------------------------------------------------- scalars


def _is_real(value: Any) -> bool:
    if type(value) is float or type(value) is int:  # the common case, without the ABC machinery
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_integral(value: Any) -> bool:
    if type(value) is int:
        return True
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_int(value: Any, name: str, function: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number within bounds, as a Python int.

    Integers of any type are accepted (``numpy.int64`` too); bools, floats
    (even ``2.0``) and text are refused.
    """
    if not _is_integral(value):
        raise ParameterError(name, f"must be a whole number, got {_show(value)}", function=function)
    result = operator.index(value)
    if (minimum is not None and result < minimum) or (maximum is not None and result > maximum):
        raise ParameterError(
            name,
            f"must be a whole number{_bounds_phrase(minimum, maximum, False, False)}, got {result}",
            function=function,
        )
    return result


def check_float(
    value: Any,
    name: str,
    function: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    exclusive_maximum: bool = False,
    allow_inf: bool = False,
) -> float:
    """A real number within bounds, as a Python float.

    Reals of any type (and 0-d numeric arrays) are accepted; bools and text
    are refused, and so are NaN and (unless ``allow_inf``) infinities.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if not _is_real(value):
        raise ParameterError(name, f"must be a number, got {_show(value)}", function=function)
    x = _as_float(value)
    if math.isnan(x) or (math.isinf(x) and not allow_inf):
        raise ParameterError(name, f"must be a finite number, got {_show(value)}", function=function)
    too_low = minimum is not None and (x <= minimum if exclusive_minimum else x < minimum)
    too_high = maximum is not None and (x >= maximum if exclusive_maximum else x > maximum)
    if too_low or too_high:
        phrase = _bounds_phrase(minimum, maximum, exclusive_minimum, exclusive_maximum)
        raise ParameterError(name, f"must be a number{phrase}, got {_show(value)}", function=function)
    return x


def check_bool(value: Any, name: str, function: str) -> bool:
    """True or False (a numpy bool too); 0 and 1 are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(name, f"must be True or False, got {_show(value)}", function=function)
    return bool(value)


def check_choice(value: Any, name: str, function: str, choices: Collection[str]) -> str:
    """One of a fixed set of names."""
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ParameterError(name, f"must be one of {allowed}, got {_show(value)}", function=function)
    return value


# ---------------------------------------------------------------------- arrays


def as_float_array(value: Any, name: str, function: str) -> NDArray[np.float64]:
    """Convert *value* to a float64 array or raise a ParameterError naming it."""
    if np.asarray(value).dtype.kind in "US":  # numpy would parse "1e9"; files and callers must not rely on it
        raise ParameterError(name, f"must be a number, not text ({_show(value)})", function=function)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(name, f"must be numeric ({exc})", function=function) from None
    return arr


def as_int_array(value: Any, name: str, function: str) -> NDArray[np.int64]:
    """Convert *value* to an int64 array; non-integral values are an error."""
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:  # pragma: no cover - numpy accepts nearly anything
        raise ParameterError(name, f"must be integers ({exc})", function=function) from None
    if raw.dtype.kind in "iub":
        return raw.astype(np.int64, copy=False)
    if raw.dtype.kind == "f":
        if not np.all(np.isfinite(raw)) or not np.all(raw == np.round(raw)):
            raise ParameterError(name, "must hold whole numbers", function=function)
        return raw.astype(np.int64)
    raise ParameterError(name, f"must be integers, got dtype {raw.dtype}", function=function)


def check_shape(arr: NDArray[Any], shape: tuple[int, ...], name: str, function: str) -> None:
    """Raise unless ``arr.shape == shape``."""
    if arr.shape != shape:
        raise ParameterError(name, f"must have shape {shape}, got {arr.shape}", function=function)


def check_finite(arr: NDArray[Any], name: str, function: str) -> None:
    """Raise if *arr* holds NaN or infinity."""
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ParameterError(name, "must be finite (found NaN or infinity)", function=function)


def check_nonnegative(arr: NDArray[Any], name: str, function: str) -> None:
    """Raise if *arr* holds NaN, infinity or a negative value."""
    check_finite(arr, name, function)
    if arr.size and np.min(arr) < 0:
        raise ParameterError(name, f"must be >= 0 (minimum is {np.min(arr)!r})", function=function)


def check_in_range(arr: NDArray[Any], low: float, high: float, name: str, function: str) -> None:
    """Raise unless every element lies in the closed interval [low, high]."""
    check_finite(arr, name, function)
    if arr.size and (np.min(arr) < low or np.max(arr) > high):
        raise ParameterError(
            name, f"must lie in [{low}, {high}] (found {np.min(arr)!r} .. {np.max(arr)!r})", function=function
        )


def check_broadcast(shapes: Sequence[tuple[int, ...]], names: Sequence[str], function: str) -> tuple[int, ...]:
    """The broadcast shape of several arguments, or an error naming the last one and every shape."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        desc = ", ".join(f"{n} {s}" for n, s in zip(names, shapes, strict=True))
        raise ParameterError(names[-1], f"shapes do not broadcast: {desc}", function=function) from None


def broadcast_per_village(value: Any, n_villages: int, name: str, function: str) -> NDArray[np.float64]:
    """A scalar or an ``(n_villages,)`` array as a float64 ``(n_villages,)`` array."""
    return as_vector(value, n_villages, name, function, scalar_ok=True, finite=False)


def as_vector(
    value: Any,
    n: int,
    name: str,
    function: str,
    *,
    scalar_ok: bool = False,
    finite: bool = True,
    nonnegative: bool = False,
    allow_nan: bool = False,
) -> NDArray[np.float64]:
    """A float64 array of shape ``(n,)`` (one value per village, or per month).

    Parameters
    ----------
    scalar_ok : bool
        Broadcast a scalar to ``(n,)``.
    finite : bool
        Refuse NaN and infinity (NaN allowed with ``allow_nan``, as a
        missing value).
    nonnegative : bool
        Refuse negative values.
    """
    arr = as_float_array(value, name, function)
    if scalar_ok and arr.ndim == 0:
        arr = np.full(n, float(arr))
    check_shape(arr, (n,), name, function)
    if finite:
        ok = np.isfinite(arr) | (np.isnan(arr) if allow_nan else False)
        if not np.all(ok):
            raise ParameterError(name, "must be finite (found NaN or infinity)", function=function)
    if nonnegative and arr.size and np.nanmin(arr, initial=0.0) < 0:
        raise ParameterError(name, f"must be >= 0 (minimum is {np.nanmin(arr)!r})", function=function)
    return arr


# ------------------------------------------------------- model fields (attrs)


def _owner(instance: Any) -> str:
    return type(instance).__name__


def _fail(instance: Any, attribute: attrs.Attribute[Any], message: str, *, wrong_type: bool = False) -> None:
    cls = FieldTypeError if wrong_type else FieldError
    raise cls(_owner(instance), attribute.name, message)


def number(
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    exclusive_minimum: bool = False,
    exclusive_maximum: bool = False,
    allow_inf: bool = False,
) -> Validator:
    """Validator: a real number (not a bool), not NaN, finite unless ``allow_inf``, within bounds."""
    phrase = _bounds_phrase(minimum, maximum, exclusive_minimum, exclusive_maximum)

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not _is_real(value):
            _fail(
                instance,
                attribute,
                f"must be a number{phrase}, got {_show(value)}",
                wrong_type=not isinstance(value, (bool, np.bool_)),
            )
        x = _as_float(value)
        bad = math.isnan(x) or (math.isinf(x) and not allow_inf)
        bad = bad or (minimum is not None and (x <= minimum if exclusive_minimum else x < minimum))
        bad = bad or (maximum is not None and (x >= maximum if exclusive_maximum else x > maximum))
        if bad:
            kind = "a number" if allow_inf else "a finite number"
            _fail(instance, attribute, f"must be {kind}{phrase}, got {_show(value)}")

    return check


def whole(minimum: int | None = None, maximum: int | None = INT64_MAX) -> Validator:
    """Validator: a whole number (an ``int``, not a bool or a float) within bounds.

    The default upper bound keeps every integer within 64 bits (the int64
    columns of the numeric core, and TOML's integers).
    """
    if maximum is None or maximum > INT64_MAX:
        maximum = INT64_MAX
    phrase = _bounds_phrase(minimum, maximum, False, False)
    if maximum == INT64_MAX:
        phrase = f" from {minimum:g} to 2**63 - 1" if minimum is not None else " up to 2**63 - 1"

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not _is_integral(value):
            _fail(
                instance,
                attribute,
                f"must be a whole number{phrase}, got {_show(value)}",
                wrong_type=not isinstance(value, numbers.Real),
            )
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            _fail(instance, attribute, f"must be a whole number{phrase}, got {_show(value)}")

    return check


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _unencodable(value: str) -> int | None:
    """Index of the first character UTF-8 cannot encode (a lone surrogate), or None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return int(exc.start)
    return None


def text(*, non_empty: bool = False, control: bool = False) -> Validator:
    """Validator: text that every output can hold.

    Always refused: lone surrogates (``"\\ud800"``), which no UTF-8 file can
    hold. Refused unless ``control``: control characters (codes are looked
    up and written in file names and cells; free text such as names and
    descriptions may hold a line break). With ``non_empty``: blank text.
    """

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str):
            _fail(instance, attribute, f"must be text, got {_show(value)}", wrong_type=True)
        if non_empty and not value.strip():
            _fail(instance, attribute, f"must be non-empty text, got {_show(value)}")
        if not value.isascii():
            bad = _unencodable(value)
            if bad is not None:
                _fail(
                    instance,
                    attribute,
                    f"must be valid Unicode text, but character {bad + 1} is a lone "
                    f"surrogate {value[bad]!r} (UTF-8 cannot hold it), got {_show(value)}",
                )
        if not control and _CONTROL.search(value):
            _fail(instance, attribute, f"must not contain control characters, got {_show(value)}")

    return check


def matches(pattern: str, description: str) -> Validator:
    """Validator: text matching a regular expression (``description`` says what it means).

    The pattern must match the whole text, and ``\\d``, ``\\w`` and ``[0-9]``
    mean ASCII only (``re.ASCII``): "٢٠١٦" is not a year here.
    """
    compiled = re.compile(pattern, re.ASCII)

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str):
            _fail(instance, attribute, f"must be {description}, got {_show(value)}", wrong_type=True)
        if not compiled.fullmatch(value):
            _fail(instance, attribute, f"must be {description}, got {_show(value)}")

    return check


def identifier() -> Validator:
    """Validator: an id of lower-case letters, digits and ``_``, starting with a letter."""
    return matches(r"[a-z][a-z0-9_]*", "an id of lower-case letters, digits and _ starting with a letter")


def instance_of(*types: type, description: str | None = None) -> Validator:
    """Validator: an instance of one of *types* (a bool never counts as an int)."""
    what = description or ("True or False" if types == (bool,) else " or ".join(f"a {t.__name__}" for t in types))

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            _fail(instance, attribute, f"must be {what}, got {_show(value)}", wrong_type=True)

    return check


def one_of(choices: Iterable[Any]) -> Validator:
    """Validator: one of a fixed set of values."""
    allowed = tuple(choices)
    listing = ", ".join(repr(c) for c in allowed)

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        is_bool = isinstance(value, bool) and not any(isinstance(c, bool) for c in allowed)
        if is_bool or value not in allowed:
            _fail(instance, attribute, f"must be one of {listing}, got {_show(value)}")

    return check


def optional(validator: Validator) -> Validator:
    """Validator: None, or what *validator* accepts."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return check


def to_float(value: Any) -> Any:
    """Converter: reals (not bools) to float; anything else is left for the validator to refuse."""
    if _is_real(value):
        try:
            return float(value)
        except OverflowError:  # an integer beyond the float range: left for the validator to refuse
            return value
    return value
