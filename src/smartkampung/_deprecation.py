"""Old names that keep working for one release: the one home of every renaming.

Money is in the programme's currency (:attr:`Programme.currency
<smartkampung.model.Programme.currency>`), so no name says ``idr`` any more:
``capex_idr`` is ``capex``, ``budget_idr_per_month`` is ``budget_per_month``,
the metric ``cumulative_cost_idr`` is ``cumulative_cost``. :data:`RENAMED`
lists every old name with its new one. Each old name still works until the
next release, with a :class:`DeprecationWarning` naming the new one; giving
an old name together with its new one is an error naming both.

The tools below apply the table, and nothing else in the package keeps an
old name:

* :func:`renamed`, a class decorator: the old names as constructor keywords
  (``attrs.evolve`` too) and as read-only attributes;
* :func:`renamed_arguments`, a function decorator: old keyword arguments;
* :func:`upgrade_keys`: old keys of a file's table, for the converter
  (:mod:`smartkampung.io._converter`), which also lists them in the JSON
  Schema as deprecated (:func:`renamed_fields`);
* :func:`current_name`, :func:`current_keys`: a metric, parameter or grid
  name in its old spelling;
* :func:`attribute`: a renamed attribute of a user's own object (a
  technology-like object that has only the old name);
* :func:`module_getattr`: renamed module constants.

A warning is attributed to the first caller outside smartkampung, attrs and
cattrs, so ``python -W error::DeprecationWarning`` points at the user's line.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final, ParamSpec, TypeVar, cast

import attrs

from smartkampung._errors import FieldError, ParameterError

__all__ = [
    "REMOVAL",
    "RENAMED",
    "attribute",
    "current_keys",
    "current_name",
    "module_getattr",
    "reading",
    "renamed",
    "renamed_arguments",
    "renamed_fields",
    "upgrade_keys",
]

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=type)

#: When the old names go.
REMOVAL: Final[str] = "the next release"

#: Every renamed name, old -> new: model fields and file keys, function
#: arguments, attributes, metric and parameter names, module constants. Each
#: new name is the old one without its ``_idr`` (``_IDR``): the unit is now
#: the programme's currency.
RENAMED: Final[Mapping[str, str]] = MappingProxyType(
    {
        # model fields, file keys and function arguments
        "budget_idr_per_month": "budget_per_month",
        "capex_idr": "capex",
        "capex_idr_per_km": "capex_per_km",
        "opex_idr_per_year": "opex_per_year",
        "opex_idr_per_km_year": "opex_per_km_year",
        "opex_idr_per_mbps_year": "opex_per_mbps_year",
        "cost_idr_per_km": "cost_per_km",
        "value_of_time_idr_per_hour": "value_of_time_per_hour",
        "cost_idr": "cost",
        # attributes of results (schedules, plans, technology choices, policy inputs, travel savings)
        "budget_idr": "budget",
        "spend_idr": "spend",
        "cumulative_spend_idr": "cumulative_spend",
        "lifetime_cost_idr": "lifetime_cost",
        "total_capex_idr": "total_capex",
        "total_opex_idr_per_year": "total_opex_per_year",
        "total_lifetime_cost_idr": "total_lifetime_cost",
        "subtree_capex_idr": "subtree_capex",
        "time_value_idr": "time_value",
        "total_idr": "total",
        # metrics
        "opex_idr": "opex",
        "cumulative_cost_idr": "cumulative_cost",
        "travel_cost_saved_idr": "travel_cost_saved",
        "time_value_saved_idr": "time_value_saved",
        "cost_per_connected_household_idr": "cost_per_connected_household",
        "cost_per_transaction_idr": "cost_per_transaction",
        # module constants (smartkampung.sim.outcomes)
        "DEFAULT_COST_IDR_PER_KM": "DEFAULT_COST_PER_KM",
        "DEFAULT_VALUE_OF_TIME_IDR_PER_HOUR": "DEFAULT_VALUE_OF_TIME_PER_HOUR",
    }
)

_LATER: Final[str] = f"; the old name works until {REMOVAL}"

# ----------------------------------------------------------------- warnings

_INTERNAL_MODULES: Final[tuple[str, ...]] = ("smartkampung", "attr", "attrs", "cattrs")
#: File names of the code attrs and cattrs generate (``<attrs generated methods ...>``).
_GENERATED: Final[tuple[str, ...]] = ("<attrs generated", "<cattrs generated")


def _internal(frame: Any) -> bool:
    name = str(frame.f_globals.get("__name__", ""))
    return (
        frame.f_code.co_filename.startswith(_GENERATED)
        or name in _INTERNAL_MODULES
        or name.startswith(tuple(f"{m}." for m in _INTERNAL_MODULES))
    )


def _stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside the package (and attrs, cattrs), seen from :func:`_warn`."""
    frame = sys._getframe(2)  # the caller of _warn
    level = 2
    while frame is not None and _internal(frame):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


#: The file being read, named in the warnings about its old keys (see :func:`reading`).
_SOURCE: contextvars.ContextVar[str] = contextvars.ContextVar("smartkampung_reading", default="")


@contextlib.contextmanager
def reading(source: str) -> Iterator[None]:
    """Name ``source`` (a file) in the warnings about old keys raised inside the block."""
    token = _SOURCE.set(source)
    try:
        yield
    finally:
        _SOURCE.reset(token)


def _warn(message: str) -> None:
    warnings.warn(message + _LATER, DeprecationWarning, stacklevel=_stacklevel())


def _new(old: str) -> str:
    try:
        return RENAMED[old]
    except KeyError:
        raise ValueError(f"{old!r} is not a renamed name (see smartkampung._deprecation.RENAMED)") from None


def _twice(old: str, new: str) -> str:
    return f"is given twice, as {new!r} and by its old name {old!r}: give only {new!r}"


# ----------------------------------------------------------------- classes

_EVOLVE_CODE = attrs.evolve.__code__
#: old -> new names of each decorated class (its own and its bases').
_CLASSES: dict[type, Mapping[str, str]] = {}


#: renamed_fields of each class asked about (cleared when a class is decorated).
_FIELDS: dict[type, Mapping[str, str]] = {}


def renamed_fields(cls: type) -> Mapping[str, str]:
    """The old -> new names of a class's constructor keywords (file keys); empty for a class without."""
    if cls not in _FIELDS:
        table: dict[str, str] = {}
        for base in reversed(cls.__mro__):
            table.update(_CLASSES.get(base, {}))
        aliases = {a.alias for a in attrs.fields(cls) if a.init} if attrs.has(cls) else set()
        _FIELDS[cls] = MappingProxyType({old: new for old, new in table.items() if new in aliases})
    return _FIELDS[cls]


def _rename_kwargs(
    kwargs: dict[str, Any],
    table: Mapping[str, str],
    describe: Callable[[str, str], str],
    twice: Callable[[str, str], Exception],
    evolving: bool,
) -> dict[str, Any]:
    out = dict(kwargs)
    for old, new in table.items():
        if old not in out:
            continue
        if new in out and not evolving:  # attrs.evolve passes every field by its new name; the old one is the change
            raise twice(old, new)
        _warn(describe(old, new))
        out[new] = out.pop(old)
    return out


def _old_property(owner: str, old: str, new: str) -> property:
    def get(self: Any) -> Any:
        _warn(f"{owner}.{old} is deprecated: use {owner}.{new} (in the programme's currency)")
        return getattr(self, new)

    get.__name__ = old
    get.__doc__ = f"Deprecated name of :attr:`{new}`, until {REMOVAL}."
    return property(get)


def renamed(*old_names: str) -> Callable[[C], C]:
    """Class decorator: these old names (keys of :data:`RENAMED`) keep working, with a warning.

    Each becomes a read-only attribute returning the new one. Where the new
    name is a constructor keyword of an attrs class, the old keyword is
    accepted too (by ``attrs.evolve`` as well), and the converter reads it
    as a file key (:func:`upgrade_keys`). Apply it above ``@attrs.frozen``.

    Raises
    ------
    FieldError
        At construction, when a keyword is given by both names.
    """
    table = {old: _new(old) for old in old_names}

    def decorate(cls: C) -> C:
        owner = cls.__name__
        for old, new in table.items():
            if not hasattr(cls, new) and not (attrs.has(cls) and new in attrs.fields_dict(cls)):
                raise ValueError(f"{owner} has no {new!r} to rename {old!r} to")
            setattr(cls, old, _old_property(owner, old, new))
        _CLASSES[cls] = MappingProxyType(table)
        _FIELDS.clear()
        init_table = renamed_fields(cls)
        if init_table:
            original: Callable[..., None] = cls.__dict__["__init__"]  # attrs writes it into the class

            def describe(old: str, new: str) -> str:
                return f"{owner}({old}=...) is deprecated: use {owner}({new}=...) (in the programme's currency)"

            def twice(old: str, new: str) -> Exception:
                return FieldError(owner, new, _twice(old, new))

            @functools.wraps(original)
            def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
                if kwargs and not init_table.keys().isdisjoint(kwargs):
                    kwargs = _rename_kwargs(
                        kwargs, init_table, describe, twice, evolving=sys._getframe(1).f_code is _EVOLVE_CODE
                    )
                original(self, *args, **kwargs)

            cls.__init__ = __init__  # type: ignore[misc]
        return cls

    return decorate


# ----------------------------------------------------------------- functions


def renamed_arguments(*old_names: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Function decorator: these old keyword arguments (keys of :data:`RENAMED`) keep working, with a warning.

    Raises
    ------
    ParameterError
        When an argument is given by both names, naming both.
    """
    table = {old: _new(old) for old in old_names}

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        name = fn.__qualname__

        def describe(old: str, new: str) -> str:
            return f"{name}({old}=...) is deprecated: use {name}({new}=...) (in the programme's currency)"

        def twice(old: str, new: str) -> Exception:
            return ParameterError(new, _twice(old, new), function=name)

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if kwargs and not table.keys().isdisjoint(kwargs):
                kwargs = cast(Any, _rename_kwargs(kwargs, table, describe, twice, evolving=False))
            return fn(*args, **kwargs)

        return wrapper

    return decorate


# ----------------------------------------------------------------- files, names, objects


def upgrade_keys(cls: type, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """A file's table for ``cls`` with its old keys under their new names, and the keys given twice.

    Each old key warns (naming the file being read, see :func:`reading`). A
    key given by both names keeps the new one's value and yields a
    :class:`FieldError` naming both, for the converter to report with the
    file's other problems.
    """
    table = renamed_fields(cls)
    out = dict(data)
    errors: list[FieldError] = []
    source = _SOURCE.get()
    where = f"{source}: " if source else ""
    for old, new in table.items():
        if old not in out:
            continue
        value = out.pop(old)
        if new in out:
            errors.append(FieldError(cls.__name__, new, _twice(old, new)))
            continue
        _warn(
            f"{where}key {old!r} (in a {cls.__name__} table) is deprecated: write {new!r} (in the programme's currency)"
        )
        out[new] = value
    return out, errors


def current_name(name: Any, known: Iterable[str], what: str, function: str) -> Any:
    """``name``, or the new name of an old one among ``known`` (with a warning); anything else unchanged.

    For names given as values: metrics (``result.metric("capex_idr")``),
    posterior and calibration parameters (``"budget_idr_per_month"``).
    """
    if isinstance(name, str) and name in RENAMED and RENAMED[name] in known:
        new = RENAMED[name]
        _warn(f"{function}(): the {what} {name!r} is deprecated: use {new!r}")
        return new
    return name


def current_keys(
    mapping: Mapping[str, Any], known: Iterable[str], what: str, parameter: str, function: str
) -> dict[str, Any]:
    """A mapping keyed by names (a calibration grid) with old names under their new ones, with a warning.

    Raises
    ------
    ParameterError
        Naming ``parameter`` when a name is given both ways.
    """
    known = tuple(known)
    out: dict[str, Any] = {}
    for name, value in mapping.items():
        new = current_name(name, known, what, function)
        if new in out or (new != name and new in mapping):
            raise ParameterError(parameter, f"{new!r} {_twice(name, new)}", function=function)
        out[new] = value
    return out


def attribute(obj: Any, new: str) -> Any:
    """``obj.<new>``, or the old name's value (with a warning) for a user's object that has only that."""
    try:
        return getattr(obj, new)
    except AttributeError:
        old = next((o for o, n in RENAMED.items() if n == new and hasattr(obj, o)), None)
        if old is None:
            raise
        _warn(f"{type(obj).__name__}.{old} is deprecated: name the attribute {new!r}")
        return getattr(obj, old)


def module_getattr(module: str, namespace: Mapping[str, Any], *old_names: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` that serves these old constant names (keys of :data:`RENAMED`) with a warning."""
    table = {old: _new(old) for old in old_names}

    def __getattr__(name: str) -> Any:
        if name in table:
            _warn(f"{module}.{name} is deprecated: use {module}.{table[name]}")
            return namespace[table[name]]
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
