"""The distributions of uncertain scenario assumptions (one draw per run), and their field helpers."""

from __future__ import annotations

import math
from typing import Any

import attrs

from smartkampung._errors import FieldError, FieldTypeError
from smartkampung._validation import number

__all__ = ["DISTRIBUTIONS", "Distribution", "Fixed", "FromPosterior", "LogNormal", "Normal", "Triangular", "Uniform"]

_finite = number()
_nonneg = number(0.0)
_positive = number(0.0, exclusive_minimum=True)


@attrs.frozen
class Fixed:
    """A known value. In a file, a plain number means ``Fixed``."""

    value: float = attrs.field(validator=_finite)

    @property
    def mean(self) -> float:
        """Expected value."""
        return float(self.value)


@attrs.frozen
class Uniform:
    """Uniform on ``[low, high]``."""

    low: float = attrs.field(validator=_finite)
    high: float = attrs.field(validator=_finite)

    def __attrs_post_init__(self) -> None:
        if self.high < self.low:
            raise FieldError("Uniform", "high", f"must be >= low ({self.low}), got {self.high}")

    @property
    def mean(self) -> float:
        """Expected value."""
        return (self.low + self.high) / 2


@attrs.frozen
class Normal:
    """Normal with mean and standard deviation, truncated to ``[low, high]`` by rejection."""

    mu: float = attrs.field(validator=_finite)
    sigma: float = attrs.field(validator=_nonneg)
    low: float = attrs.field(default=-math.inf, validator=number(allow_inf=True))
    high: float = attrs.field(default=math.inf, validator=number(allow_inf=True))

    def __attrs_post_init__(self) -> None:
        if not self.low < self.high:
            raise FieldError("Normal", "high", f"must be > low ({self.low}), got {self.high}")

    @property
    def mean(self) -> float:
        """Mean of the untruncated normal."""
        return float(self.mu)


@attrs.frozen
class LogNormal:
    """Log-normal given its median and the standard deviation of its logarithm."""

    median: float = attrs.field(validator=_positive)
    sigma: float = attrs.field(validator=_nonneg)

    @property
    def mean(self) -> float:
        """Expected value."""
        return float(self.median * math.exp(self.sigma**2 / 2))


@attrs.frozen
class Triangular:
    """Triangular on ``[low, high]`` with its peak at ``mode``."""

    low: float = attrs.field(validator=_finite)
    mode: float = attrs.field(validator=_finite)
    high: float = attrs.field(validator=_finite)

    def __attrs_post_init__(self) -> None:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise FieldError("Triangular", "mode", f"must lie in [low, high] with low < high, got low = "
                             f"{self.low}, mode = {self.mode}, high = {self.high}")

    @property
    def mean(self) -> float:
        """Expected value."""
        return (self.low + self.mode + self.high) / 3


@attrs.frozen
class FromPosterior:
    """Drawn jointly with the other calibrated parameters: the run's row of ``rollout.posterior``.

    Stands where a distribution goes in :class:`RolloutAssumptions`
    (``budget_idr_per_month``, a phase's budget or scale,
    ``readiness_months``, ``cost_spread``); the scenario's
    :class:`RolloutPosterior` must hold a column of that name. In a file:
    ``{distribution = "posterior"}``.
    """

    @property
    def mean(self) -> float:
        """Not defined apart from the posterior sample."""
        return math.nan


#: An uncertain quantity: one of the distribution classes.
Distribution = Fixed | Uniform | Normal | LogNormal | Triangular | FromPosterior
#: The distribution classes, by the name used in files.
DISTRIBUTIONS: dict[str, type] = {
    "fixed": Fixed, "uniform": Uniform, "normal": Normal, "lognormal": LogNormal, "triangular": Triangular,
    "posterior": FromPosterior}
_DISTRIBUTIONS = tuple(DISTRIBUTIONS.values())


def _as_distribution(value: Any) -> Any:
    # Let Python callers write a plain number where a distribution goes.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Fixed(float(value))
    return value


def _is_distribution(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, _DISTRIBUTIONS):
        raise FieldTypeError(type(instance).__name__, attribute.name,
                             f"must be a number or a distribution, got {value!r}")


def _lowest(value: Any) -> float:
    """The smallest value a distribution can draw."""
    if isinstance(value, Fixed):
        return value.value
    if isinstance(value, (Uniform, Triangular)):
        return value.low
    if isinstance(value, Normal):
        return value.low if value.sigma > 0 else value.mu
    return 0.0  # LogNormal: positive; FromPosterior: a sample checked to hold values >= 0


def _nonneg_distribution(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _is_distribution(instance, attribute, value)
    if _lowest(value) < 0:
        hint = "" if isinstance(value, Fixed) else " (bound it below at 0, e.g. normal with low = 0)"
        raise FieldError(type(instance).__name__, attribute.name,
                         f"must not be negative, but {value!r} can draw {_lowest(value):g}{hint}")


def _optional_distribution(value: Any) -> Any:
    return None if value is None else _as_distribution(value)


def _dist_field(default: float) -> Any:
    return attrs.field(default=Fixed(default), converter=_as_distribution, validator=_nonneg_distribution)
