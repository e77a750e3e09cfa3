"""JSON Schema (draft 2020-12) of the file formats, derived from the attrs classes.

Editors use it for completion and checking; other languages use it to write
files smartkampung reads. The schema follows the converter: enums by value,
tuples as arrays, a distribution as a number or a tagged table, unknown keys
forbidden, and the old names of renamed keys listed with ``"deprecated": true``.
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any

import attrs

from smartkampung._deprecation import REMOVAL, renamed_fields
from smartkampung.model._scenario import DISTRIBUTIONS, Distribution

__all__ = ["json_schema"]


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is Distribution:
        return {"$ref": "#/$defs/Distribution"}
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"anyOf": [{"type": "number"}, {"enum": ["inf", "-inf", "nan"]}]}
    if tp is type(None):
        return {"type": "null"}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if attrs.has(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = _class_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (typing.Union, types.UnionType):
        members = set(args)
        if set(typing.get_args(Distribution)) <= members:  # Distribution | None flattens its members
            rest = [a for a in args if a not in typing.get_args(Distribution)]
            return {"anyOf": [{"$ref": "#/$defs/Distribution"}, *(_type_schema(a, defs) for a in rest)]}
        return {"anyOf": [_type_schema(a, defs) for a in args]}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _type_schema(args[0], defs)}
        return {"type": "array", "prefixItems": [_type_schema(a, defs) for a in args], "items": False}
    if origin in (list, typing.Sequence):
        return {"type": "array", "items": _type_schema(args[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1], defs)}
    return {}


def _class_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        prop = _type_schema(hints[field.name], defs)
        if field.default is attrs.NOTHING:
            required.append(field.name)
        doc = _field_doc(cls, field.name)
        if doc:
            prop = {**prop, "description": doc}
        properties[field.name] = prop
    for old, new in renamed_fields(cls).items():  # still read, with a warning, until the next release
        properties[old] = {
            **{k: v for k, v in properties[new].items() if k != "description"},
            "deprecated": True,
            "description": f"Deprecated: the old name of {new!r}, read until {REMOVAL}.",
        }
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    if cls.__doc__:
        schema["description"] = cls.__doc__.strip().splitlines()[0]
    return schema


def _field_doc(cls: type, name: str) -> str:
    """The numpydoc description of a parameter, first sentence, from the class docstring."""
    doc = cls.__doc__ or ""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        head = stripped.split(" : ")[0]
        if name in [h.strip() for h in head.split(",")] and " : " in stripped:
            body = []
            for follow in lines[i + 1 :]:
                if not follow.strip() or (follow.startswith("    ") and not follow.startswith("        ")):
                    break
                body.append(follow.strip())
            return " ".join(body)
    return ""


def json_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema of a file holding a ``cls`` (Scenario, Programme, Region, ...).

    Parameters
    ----------
    cls : type
        A model class.

    Returns
    -------
    dict
        A draft 2020-12 schema; its ``$defs`` hold every nested class.
    """
    defs: dict[str, Any] = {}
    variants = []
    for kind, dist_cls in DISTRIBUTIONS.items():
        body = _class_schema(dist_cls, defs)
        body["properties"] = {"distribution": {"const": kind}, **body["properties"]}
        body["required"] = ["distribution", *body.get("required", [])]
        variants.append(body)
    defs["Distribution"] = {
        "description": "A number (fixed) or a table naming its distribution.",
        "anyOf": [{"type": "number"}, *variants],
    }
    top = _type_schema(cls, defs)
    name = top["$ref"].split("/")[-1]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://smartkampung.readthedocs.io/schema/{name.lower()}.json",
        "title": f"smartkampung {name}",
        **defs[name],
        "$defs": defs,
    }
    return schema
