"""Read-only array fields for frozen attrs classes, and their equality.

One place for the converters and comparisons every result class uses, so
that "frozen" means the arrays cannot be written either, and so that equal
values compare equal.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import DTypeLike, NDArray

__all__ = [
    "ARRAY_EQ",
    "ARRAY_EQ_NAN",
    "arrays_equal_nan",
    "readonly_array",
    "readonly_bool",
    "readonly_float",
    "readonly_int",
    "readonly_view",
]


def readonly_array(value: Any, dtype: DTypeLike | None = None) -> NDArray[Any]:
    """A read-only copy of ``value`` (the caller's array is never frozen)."""
    arr: NDArray[Any] = np.array(value, dtype=dtype)
    arr.setflags(write=False)
    return arr


def readonly_view(value: Any) -> Any:
    """A read-only view of an array without copying it (None stays None).

    For large arrays a result builds and hands over (per-run trajectories):
    the result cannot write through the view, and the builder drops its
    own reference.
    """
    if value is None:
        return None
    view: NDArray[Any] = np.asarray(value).view()
    view.setflags(write=False)
    return view


def readonly_int(value: Any) -> NDArray[np.int64]:
    """A read-only int64 copy."""
    return readonly_array(value, np.int64)


def readonly_float(value: Any) -> NDArray[np.float64]:
    """A read-only float64 copy."""
    return readonly_array(value, np.float64)


def readonly_bool(value: Any) -> NDArray[np.bool_]:
    """A read-only bool copy."""
    return readonly_array(value, np.bool_)


def arrays_equal_nan(a: Any, b: Any) -> bool:
    """Equal shape and values, NaN equal to NaN (a missing value), None equal only to None."""
    if a is None or b is None:
        return a is None and b is None
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return bool(a.shape == b.shape and np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


#: attrs comparison of arrays by value.
ARRAY_EQ = attrs.cmp_using(eq=np.array_equal)
#: attrs comparison of arrays by value where NaN marks a missing value (or the field may be None).
ARRAY_EQ_NAN = attrs.cmp_using(eq=arrays_equal_nan)
