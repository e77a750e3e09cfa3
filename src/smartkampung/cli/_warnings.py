"""Warnings about the input (DataWarning), printed once each as ``smartkampung: warning: ...`` lines."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from smartkampung.cli._common import _err

# Warnings about the input (DataWarning) are printed by the command, once each,
# as "smartkampung: warning: ..." lines; validate lists them under each file.
_warning_sinks: list[list[Warning]] = []
_printed: set[str] = set()


@contextmanager
def _capture_warnings() -> Iterator[list[Warning]]:
    """Within the block, smartkampung's warnings are collected into the list yielded."""
    found: list[Warning] = []
    _warning_sinks.append(found)
    try:
        yield found
    finally:
        _warning_sinks.pop()


@contextmanager
def _printing_warnings() -> Iterator[None]:
    from smartkampung._errors import SmartKampungWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", SmartKampungWarning)
        original = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: Any = None,
            line: str | None = None,
        ) -> None:
            if isinstance(message, SmartKampungWarning) and _warning_sinks:
                _warning_sinks[-1].append(message)
            else:
                original(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        _printed.clear()
        with _capture_warnings():
            try:
                yield
            finally:
                _print_warnings()


def _print_warnings() -> None:
    """Print the warnings collected so far (each text once per command)."""
    if not _warning_sinks:
        return
    pending = _warning_sinks[0]
    for w in pending:
        text = str(w)
        if text not in _printed:
            _printed.add(text)
            _err(f"warning: {text}")
    pending.clear()
