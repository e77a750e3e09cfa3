"""A small TOML writer for the plain data the converter produces.

Reading uses the standard library's :mod:`tomllib`; Python has no TOML
writer, and the core depends on nothing beyond attrs, cattrs, numpy and
scipy, so this module writes the subset our documents need: tables, arrays
of tables, inline tables, arrays, strings, integers, floats (including
``inf`` and ``nan``) and booleans. ``None`` values are left out (TOML has no
null), which is right for optional fields whose default is ``None``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["toml_dumps"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _string(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise TypeError(f"TOML integers are 64-bit; {value} does not fit")
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        items = [f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if isinstance(value, (list, tuple)):
        if any(v is None for v in value):
            raise TypeError("TOML arrays cannot hold None")
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(isinstance(v, Mapping) for v in value)


def _emit(table: Mapping[str, Any], prefix: str, lines: list[str]) -> None:
    nested: list[tuple[str, Any]] = []
    for key, value in table.items():
        if value is None:
            continue
        if isinstance(value, Mapping) or _is_table_array(value):
            nested.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in nested:
        name = f"{prefix}.{_key(key)}" if prefix else _key(key)
        if isinstance(value, Mapping):
            lines.append("")
            lines.append(f"[{name}]")
            _emit(value, name, lines)
        else:
            for item in value:
                lines.append("")
                lines.append(f"[[{name}]]")
                _emit(item, name, lines)


def toml_dumps(data: Mapping[str, Any]) -> str:
    """TOML text for a mapping of plain data.

    Raises
    ------
    TypeError
        If the data holds something TOML cannot express (a top level that is
        not a mapping, or None inside an array).
    """
    if not isinstance(data, Mapping):
        raise TypeError("a TOML document must be a table (mapping) at the top level")
    lines: list[str] = []
    _emit(data, "", lines)
    return "\n".join(lines).lstrip("\n") + "\n"
