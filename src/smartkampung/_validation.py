"""Checks for array arguments on entry to the numeric core.

Each helper raises :class:`~smartkampung.ParameterError` naming the argument
and the public function that received it, before any work starts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartkampung._errors import ParameterError

__all__ = [
    "as_float_array",
    "as_int_array",
    "broadcast_per_village",
    "check_finite",
    "check_in_range",
    "check_nonnegative",
    "check_shape",
]


def as_float_array(value: Any, name: str, function: str) -> NDArray[np.float64]:
    """Convert *value* to a float64 array or raise a ParameterError naming it."""
    if np.asarray(value).dtype.kind in "US":  # numpy would parse "1e9"; files and callers must not rely on it
        raise ParameterError(name, f"must be a number, not text ({value!r})", function=function)
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
    """Raise if *arr* holds NaN or a negative value."""
    check_finite(arr, name, function)
    if arr.size and np.min(arr) < 0:
        raise ParameterError(name, f"must be >= 0 (minimum is {np.min(arr)!r})", function=function)


def check_in_range(
    arr: NDArray[Any], low: float, high: float, name: str, function: str
) -> None:
    """Raise unless every element lies in the closed interval [low, high]."""
    check_finite(arr, name, function)
    if arr.size and (np.min(arr) < low or np.max(arr) > high):
        raise ParameterError(
            name,
            f"must lie in [{low}, {high}] (found {np.min(arr)!r} .. {np.max(arr)!r})",
            function=function,
        )


def broadcast_per_village(
    value: Any, n_villages: int, name: str, function: str
) -> NDArray[np.float64]:
    """A scalar or an ``(n_villages,)`` array as a float64 ``(n_villages,)`` array."""
    arr = as_float_array(value, name, function)
    if arr.ndim == 0:
        return np.full(n_villages, float(arr))
    check_shape(arr, (n_villages,), name, function)
    return arr
