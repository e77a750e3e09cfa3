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
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from smartkampung._deprecation import renamed_fields, upgrade_keys
from smartkampung._errors import FieldError, Problem, excerpt, field_and_message
from smartkampung.model._scenario import DISTRIBUTIONS, Distribution, Fixed
from smartkampung.model._village import ModelValidationError

__all__ = ["converter", "structure", "unstructure"]

T = TypeVar("T")

_NONFINITE = {
    "inf": math.inf,
    "+inf": math.inf,
    "-inf": -math.inf,
    "infinity": math.inf,
    "-infinity": -math.inf,
    "nan": math.nan,
}


class _StrictTypeError(TypeError):
    """A value of the wrong JSON/TOML type (cattrs would otherwise coerce it)."""


def _structure_float(value: Any, _: type) -> float:
    # Refuse what float() would silently accept (True, "12"); allow the
    # spelled-out non-finite values JSON has no literal for.
    if isinstance(value, bool):
        raise _StrictTypeError(f"expected a number, got {value!r}")
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            raise ValueError(f"{excerpt(value)} is beyond the range of numbers (about 1.8e308)") from None
    if isinstance(value, float):
        return value
    if isinstance(value, str) and value.strip().lower() in _NONFINITE:
        return _NONFINITE[value.strip().lower()]
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            pass
        else:
            raise _StrictTypeError(f"expected a number, got the text {excerpt(value)} (remove the quotes)")
    raise _StrictTypeError(f"expected a number, got {excerpt(value)}")


#: Floats hold every whole number exactly only up to 2**53.
_EXACT_FLOAT_INT = 2**53


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool):
        raise _StrictTypeError(f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        if abs(value) > _EXACT_FLOAT_INT:
            raise ValueError(
                f"{value!r} is written as a decimal or exponent number, which is not exact beyond "
                "2**53: write the whole number in digits"
            )
        return int(value)
    raise _StrictTypeError(f"expected a whole number, got {excerpt(value)}")


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise _StrictTypeError(f"expected text, got {excerpt(value)}")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise _StrictTypeError(f"expected true or false, got {excerpt(value)}")
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
        except (ValueError, TypeError):
            allowed = ", ".join(repr(m.value) for m in cls)
            raise ValueError(f"{excerpt(value)} is not one of {allowed}") from None

    conv.register_structure_hook_func(lambda t: isinstance(t, type) and issubclass(t, enum.Enum), structure_enum)
    conv.register_structure_hook_factory(attrs.has, lambda cls: _all_problems_hook(cls, conv))
    _register_scenario_hooks(conv)
    return conv


def _all_problems_hook(cls: type, conv: cattrs.Converter) -> Any:
    """Structure hook that reports every problem of a table in one pass.

    The fast path is cattrs' own structuring. When it fails, the table is
    gone through field by field (:func:`_partial`): fields that fail to
    structure, fields whose validator fails, unknown keys, and the class's
    own cross-field checks, all together.
    """

    def hook(data: Any, _: Any) -> Any:
        obj, errors = _partial(cls, conv, data)
        if errors:
            raise ClassValidationError(f"While structuring {cls.__name__}", errors, cls)
        return obj

    return hook


_BASES: dict[tuple[int, type], Any] = {}


def _base(cls: type, conv: cattrs.Converter) -> Any:
    """cattrs' generated structuring function of ``cls`` (made once per class)."""
    key = (id(conv), cls)
    if key not in _BASES:
        _BASES[key] = make_dict_structure_fn(cls, conv)
    return _BASES[key]


def _note(exc: Exception, field: attrs.Attribute[Any], cls: type, hint: Any) -> Exception:
    exc.add_note(
        AttributeValidationNote(f"Structuring class {cls.__qualname__} @ attribute {field.name}", field.name, hint)
    )
    return exc


def _partial(cls: type, conv: cattrs.Converter, data: Any) -> tuple[Any, list[Exception]]:
    """Build ``cls`` from ``data``; on failure, an unvalidated stand-in and every problem found.

    The stand-in (``object.__new__(cls)`` with the fields that structured)
    lets an enclosing class run its cross-field checks (unique codes, known
    pillars) over all its items, the faulty ones included, so that those
    checks are not skipped when one field of one item is wrong.

    A key under its old name (``budget_idr_per_month``) is read as its new
    one, with a DeprecationWarning (:func:`smartkampung._deprecation.upgrade_keys`);
    both names at once is a problem of the table.

    Raises
    ------
    _StrictTypeError
        If ``data`` is not a table at all.
    """
    if not isinstance(data, dict):
        hint = (
            " (in TOML, [[name]] makes a list of tables, [name] a single table)"
            if isinstance(data, (list, str))
            else ""
        )
        raise _StrictTypeError(f"expected a table of {cls.__name__} fields, got {excerpt(data, 120)}{hint}")
    twice: list[FieldError] = []
    if not renamed_fields(cls).keys().isdisjoint(data):
        data, twice = upgrade_keys(cls, data)
    base = _base(cls, conv)
    if not twice:
        try:
            return base(data, cls), []
        except Exception:  # gone through field by field below
            pass
    hints = typing.get_type_hints(cls)
    shadow: Any = object.__new__(cls)
    fields = [f for f in attrs.fields(cls) if f.init]
    by_name = {f.name: f for f in fields}
    errors: list[Exception] = [_note(e, by_name[e.parameter], cls, hints[e.parameter]) for e in twice]
    extra = set(data) - {f.alias or f.name for f in fields}
    if extra:
        errors.append(ForbiddenExtraKeysError("", cls, extra))
    values: dict[str, Any] = {}
    failed: set[str] = set()
    # The cross-field checks run when every field has a value and no field of
    # this class is itself wrong: items of its lists may be (their stand-ins
    # still carry codes and ids), but a wrong scalar would only cause echoes
    # ("6 households in a village of -5 people").
    complete = True
    for field in fields:
        key = field.alias or field.name
        hint = hints[field.name]
        if key in data:
            value, error, has_value = _structure_field(data[key], hint, conv)
            if error is not None:
                failed.add(field.name)
                errors.append(_note(error, field, cls, hint))
                if not isinstance(error, (ClassValidationError, IterableValidationError)):
                    complete = False
            if not has_value:
                complete = False
                continue
        elif field.default is not attrs.NOTHING:
            default: Any = field.default
            try:
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    value = default.factory(shadow) if default.takes_self else default.factory()
                else:
                    value = default
            except Exception:  # a default computed from a field that failed
                complete = False
                continue
        else:
            failed.add(field.name)
            complete = False
            errors.append(_note(KeyError(key), field, cls, hint))
            continue
        if field.converter is not None and callable(field.converter):
            try:
                value = field.converter(value)
            except Exception as exc:
                failed.add(field.name)
                complete = False
                errors.append(_note(exc, field, cls, hint))
                continue
        values[field.name] = value
        object.__setattr__(shadow, field.name, value)
    for field in fields:
        if field.validator is None or field.name not in values or field.name in failed:
            continue
        try:
            field.validator(shadow, field, values[field.name])
        except (ValueError, TypeError) as exc:
            failed.add(field.name)
            complete = False
            errors.append(_note(exc, field, cls, hints[field.name]))
    post_init = getattr(cls, "__attrs_post_init__", None)
    if complete and post_init is not None:
        try:
            post_init(shadow)
        except ModelValidationError as exc:
            errors.append(exc)
        except FieldError as exc:
            named = next((f for f in fields if f.name == exc.parameter), None)
            if named is None:
                errors.append(exc)
            elif named.name not in failed:
                errors.append(_note(exc, named, cls, hints[named.name]))
        except Exception:  # a consequence of a field already reported
            pass
    if not errors:  # cattrs failed where this pass found nothing: report cattrs' own error
        try:
            return base(data, cls), []
        except Exception as exc:
            return shadow, [exc]
    return shadow, errors


def _structure_field(value: Any, hint: Any, conv: cattrs.Converter) -> tuple[Any, Exception | None, bool]:
    """Structure one field: ``(value, error, has_value)``.

    A table of an attrs class and a list of such tables are gone through
    with :func:`_partial`, so they yield a value (with stand-ins for their
    faulty items) even when they hold problems.
    """
    if attrs.has(hint):
        try:
            obj, errors = _partial(hint, conv, value)
        except Exception as exc:
            return None, exc, False
        error = ClassValidationError(f"While structuring {hint.__name__}", errors, hint) if errors else None
        return obj, error, True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis and attrs.has(args[0]) and isinstance(value, list):
        item_type = args[0]
        items: list[Any] = []
        item_errors: list[Exception] = []
        complete = True
        for i, element in enumerate(value):
            item_error: Exception | None
            try:
                obj, errors = _partial(item_type, conv, element)
            except Exception as exc:
                obj, item_error, complete = None, exc, False
            else:
                item_error = (
                    ClassValidationError(f"While structuring {item_type.__name__}", errors, item_type)
                    if errors
                    else None
                )
                items.append(obj)
            if item_error is not None:
                item_error.add_note(IterableValidationNote(f"Structuring {hint} @ index {i}", i, item_type))
                item_errors.append(item_error)
        group = IterableValidationError(f"While structuring {hint}", item_errors, hint) if item_errors else None
        return tuple(items), group, complete
    try:
        return conv.structure(value, hint), None, True
    except Exception as exc:
        return None, exc, False


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
            return Fixed(conv.structure(value, float))
        if isinstance(value, str):
            return Fixed(conv.structure(value, float))  # "inf", or the number's own message
        if not isinstance(value, dict):
            raise _StrictTypeError(f"expected a number or a distribution table, got {excerpt(value)}")
        kind = value.get("distribution")
        if not isinstance(kind, str) or kind not in DISTRIBUTIONS:
            raise ValueError(
                f"'distribution' must be one of {', '.join(map(repr, DISTRIBUTIONS))}, got {excerpt(kind)}"
            )
        body = {k: v for k, v in value.items() if k != "distribution"}
        return conv.structure(body, DISTRIBUTIONS[kind])

    for cls in DISTRIBUTIONS.values():
        conv.register_unstructure_hook(cls, unstructure_distribution)
    conv.register_structure_hook(Distribution, structure_distribution)
    conv.register_structure_hook(
        Distribution | None, lambda value, t: None if value is None else structure_distribution(value, t)
    )

    def structure_initial(value: Any, _: Any) -> int | tuple[str, ...]:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise _StrictTypeError(f"expected a count or a list of village codes, got {excerpt(value)}")

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
        raise StructureProblems(
            [
                Problem(
                    f"expected a table of {cls.__name__} fields at the top level, got {type(data).__name__}", record="$"
                )
            ]
        )
    try:
        return converter.structure(data, cls)
    except (
        ClassValidationError,
        IterableValidationError,
        ModelValidationError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
    ) as exc:
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
            record_path, keys = path[: last_index + 1], [str(k) for k in path[last_index + 1 :]]
            if attribute is not None and (not keys or keys[-1] != attribute):
                keys.append(attribute)
            inner = ".".join(keys[1:])
            if inner and inner not in message:
                message = f"{inner}: {message}"
            problems.append(Problem(message, record=_describe(record_path, raw), field=keys[0] if keys else None))

    walk(exc, [], cls)
    return problems
