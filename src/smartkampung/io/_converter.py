"""The one configured cattrs converter, and turning its errors into Problems.

``model/`` never imports cattrs: this module is where classes meet formats.
"""

from __future__ import annotations

import difflib
import enum
import math
import re
import typing
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn

from smartkampung._errors import Problem, field_and_message
from smartkampung.model._scenario import DISTRIBUTIONS, Distribution, Fixed
from smartkampung.model._village import ModelValidationError

__all__ = ["converter", "structure", "unstructure"]

T = TypeVar("T")

_NONFINITE = {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf, "infinity": math.inf,
              "-infinity": -math.inf, "nan": math.nan}


class _StrictTypeError(TypeError):
    """A value of the wrong JSON/TOML type (cattrs would otherwise coerce it)."""


def _structure_float(value: Any, _: type) -> float:
    # Refuse what float() would silently accept (True, "12"); allow the
    # spelled-out non-finite values JSON has no literal for.
    if isinstance(value, bool):
        raise _StrictTypeError(f"expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.strip().lower() in _NONFINITE:
        return _NONFINITE[value.strip().lower()]
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            pass
        else:
            raise _StrictTypeError(f"expected a number, got the text {value!r} (remove the quotes)")
    raise _StrictTypeError(f"expected a number, got {value!r}")


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool):
        raise _StrictTypeError(f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _StrictTypeError(f"expected a whole number, got {value!r}")


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise _StrictTypeError(f"expected text, got {value!r}")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise _StrictTypeError(f"expected true or false, got {value!r}")
    return value


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)

    def structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in cls)
            raise ValueError(f"{value!r} is not one of {allowed}") from None

    conv.register_structure_hook_func(lambda t: isinstance(t, type) and issubclass(t, enum.Enum), structure_enum)
    conv.register_structure_hook_factory(attrs.has, lambda cls: _all_validator_errors(cls, conv))
    _register_scenario_hooks(conv)
    return conv


def _all_validator_errors(cls: type, conv: cattrs.Converter) -> Any:
    """Structure hook that reports every failing validator of a class, not only the first.

    attrs runs validators one after the other in ``__init__`` and stops at the
    first that fails. When construction fails, each field's validator is run
    again on its own, and all the failures are raised together, each tagged
    with its field, as cattrs does for fields that fail to structure.
    """
    base: Any = make_dict_structure_fn(cls, conv)

    def hook(data: Any, _: Any) -> Any:
        if not isinstance(data, dict):
            hint = " (in TOML, [[name]] makes a list of tables, [name] a single table)" if isinstance(
                data, (list, str)) else ""
            raise _StrictTypeError(f"expected a table of {cls.__name__} fields, got {data!r}"[:200] + hint)
        try:
            return base(data, cls)
        except ClassValidationError as exc:
            with_notes, _ = exc.group_exceptions()
            if with_notes:  # some fields failed to structure: cattrs listed them all
                raise
            failure: Exception = exc
        except (IterableValidationError, ForbiddenExtraKeysError):
            raise
        except (ValueError, TypeError) as exc:
            failure = exc
        # The constructor failed (a validator or a cross-field check).
        errors = _validator_errors(cls, conv, data)
        if errors:
            raise ClassValidationError(f"While structuring {cls.__name__}", errors, cls) from failure
        raise failure

    return hook


def _validator_errors(cls: type, conv: cattrs.Converter, data: Any) -> list[Exception]:
    hints = typing.get_type_hints(cls)
    instance: Any = object.__new__(cls)
    fields = [f for f in attrs.fields(cls) if f.init]
    values: dict[str, Any] = {}
    for field in fields:
        key = field.alias or field.name
        if isinstance(data, dict) and key in data:
            values[field.name] = conv.structure(data[key], hints[field.name])
        elif field.default is not attrs.NOTHING:
            default: Any = field.default
            if hasattr(default, "factory"):  # attrs.Factory
                values[field.name] = default.factory(instance) if default.takes_self else default.factory()
            else:
                values[field.name] = default
        if field.name in values and field.converter is not None and callable(field.converter):
            values[field.name] = field.converter(values[field.name])
        if field.name in values:
            object.__setattr__(instance, field.name, values[field.name])
    errors: list[Exception] = []
    for field in fields:
        if field.validator is None or field.name not in values:
            continue
        try:
            field.validator(instance, field, values[field.name])
        except (ValueError, TypeError) as exc:
            exc.add_note(AttributeValidationNote(f"Structuring class {cls.__qualname__} @ attribute {field.name}",
                                                 field.name, hints[field.name]))
            errors.append(exc)
    return errors


def _register_scenario_hooks(conv: cattrs.Converter) -> None:
    # A distribution is written as a plain number (Fixed) or as a table with a
    # "distribution" key naming its kind: {distribution = "uniform", low = 1, high = 2}.
    names = {cls: name for name, cls in DISTRIBUTIONS.items()}

    def unstructure_distribution(value: Any) -> Any:
        if isinstance(value, Fixed):
            return value.value
        data = {"distribution": names[type(value)]}
        data.update(conv.unstructure_attrs_asdict(value))
        return data

    def structure_distribution(value: Any, _: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Fixed(float(value))
        if isinstance(value, str):
            return Fixed(conv.structure(value, float))  # "inf", or the number's own message
        if not isinstance(value, dict):
            raise _StrictTypeError(f"expected a number or a distribution table, got {value!r}")
        kind = value.get("distribution")
        if kind not in DISTRIBUTIONS:
            raise ValueError(f"'distribution' must be one of {', '.join(map(repr, DISTRIBUTIONS))}, got {kind!r}")
        body = {k: v for k, v in value.items() if k != "distribution"}
        return conv.structure(body, DISTRIBUTIONS[kind])

    for cls in DISTRIBUTIONS.values():
        conv.register_unstructure_hook(cls, unstructure_distribution)
    conv.register_structure_hook(Distribution, structure_distribution)
    conv.register_structure_hook(Distribution | None,
                                 lambda value, t: None if value is None else structure_distribution(value, t))

    def structure_initial(value: Any, _: Any) -> int | tuple[str, ...]:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise _StrictTypeError(f"expected a count or a list of village codes, got {value!r}")

    conv.register_structure_hook(int | tuple[str, ...], structure_initial)


#: The library's converter. Use :func:`structure` / :func:`unstructure`.
converter = _make_converter()


def unstructure(obj: Any) -> Any:
    """Plain dicts/lists/scalars for any model object."""
    return converter.unstructure(obj)


def structure(data: Any, cls: type[T], *, raw: Any = None) -> T:
    """Build ``cls`` from plain data, or raise ``StructureProblems`` listing everything wrong.

    Parameters
    ----------
    data : object
        Plain data (from JSON or TOML).
    cls : type
        The model class to build.
    raw : object, optional
        The same data, used to name records by their ``code``/``id``.
    """
    if attrs.has(cls) and not isinstance(data, dict):
        raise StructureProblems([Problem(f"expected a table of {cls.__name__} fields at the top level, "
                                         f"got {type(data).__name__}", record="$")])
    try:
        return converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError, ModelValidationError, ValueError, TypeError,
            KeyError, AttributeError) as exc:
        raise StructureProblems(problems_from_exception(exc, cls, data if raw is None else raw)) from exc


class StructureProblems(Exception):
    """Internal: carries the Problems found while structuring; io wraps it with a file name."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


def _describe(path: list[str | int], raw: Any) -> str:
    """``$.villages[3] (code 35.10.01.2001)`` for a path into the raw data."""
    text = "$"
    node = raw
    label = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else f".{step}"
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(node, dict):
            for key in ("code", "id"):
                if isinstance(node.get(key), str):
                    label = f" ({key} {node[key]})"
                    break
    return text + label


def _leaf_message(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ModelValidationError):
        return str(exc)
    if isinstance(exc, (ValueError, TypeError)):
        text = str(exc)
        # attrs' own validator messages are long reprs; keep their first line.
        return text.split("\n")[0] if text else type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


def _field_names(cls: Any) -> list[str]:
    try:
        return [a.name.lstrip("_") for a in attrs.fields(cls) if a.init]
    except (TypeError, attrs.exceptions.NotAnAttrsClassError):
        return []


def problems_from_exception(exc: BaseException, cls: Any, raw: Any) -> list[Problem]:
    """Flatten a cattrs/attrs error tree into Problems naming record and field."""
    problems: list[Problem] = []

    def walk(e: BaseException, path: list[str | int], owner: Any) -> None:
        if isinstance(e, ClassValidationError):
            with_notes, others = e.group_exceptions()
            for sub, note in with_notes:
                walk(sub, [*path, note.name], note.type)
            for sub in others:
                walk(sub, path, owner)
        elif isinstance(e, IterableValidationError):
            indexed, unindexed = e.group_exceptions()
            for sub, inote in indexed:
                walk(sub, [*path, int(inote.index)], owner)
            for sub in unindexed:
                walk(sub, path, owner)
        elif isinstance(e, ForbiddenExtraKeysError):
            known = _field_names(e.cl)
            for key in sorted(e.extra_fields):
                close = difflib.get_close_matches(key, known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known)})"
                problems.append(Problem(f"unknown key{hint}", record=_describe(path, raw), field=key))
        elif isinstance(e, ModelValidationError):
            for p in e.problems:
                # A model's own record ("villages[3] (code X)") extends the path.
                extra: list[str | int] = []
                match = re.match(r"^(\w+)\[(\d+)\]", p.record or "")
                if match:
                    extra = [match.group(1), int(match.group(2))]
                problems.append(Problem(p.message, record=_describe([*path, *extra], raw), field=p.field))
        else:
            # The record is the innermost list entry on the path (a village, a
            # service) or the document; the field is the first key below it, and
            # any deeper keys (a village's location.lat_deg) lead the message.
            attribute, message = field_and_message(e)
            if isinstance(e, KeyError) or attribute is None:
                attribute, message = None, _leaf_message(e)
            last_index = max((i for i, step in enumerate(path) if isinstance(step, int)), default=-1)
            record_path, keys = path[:last_index + 1], [str(k) for k in path[last_index + 1:]]
            if attribute is not None and (not keys or keys[-1] != attribute):
                keys.append(attribute)
            inner = ".".join(keys[1:])
            if inner and inner not in message:
                message = f"{inner}: {message}"
            problems.append(Problem(message, record=_describe(record_path, raw), field=keys[0] if keys else None))

    walk(exc, [], cls)
    return problems
