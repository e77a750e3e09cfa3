"""The distributions of uncertain scenario assumptions (one draw per run), and their field helpers."""

from __future__ import annotations

import math
from typing import Any

import attrs

from smartkampung._errors import FieldError, FieldTypeError
from smartkampung._validation import number, to_float

__all__ = [
    "DISTRIBUTIONS",
    "MAX_MULTIPLIER",
    "Distribution",
    "Fixed",
    "FromPosterior",
    "LogNormal",
    "Normal",
    "Triangular",
    "Uniform",
    "support",
]

_finite = number()
_nonneg = number(0.0)
_positive = number(0.0, exclusive_minimum=True)
#: Largest multiplier of costs or Bass coefficients a distribution may draw. [-]
MAX_MULTIPLIER = 1000.0
#: How far, in standard deviations, a normal or log-normal draw can fall from
#: its centre: the sampler clips probabilities to [1e-300, 1 - 1e-16], whose
#: standard-normal quantiles are -37.04 and 8.22 (a window above the mean of
#: a truncated normal is sampled mirrored, so it can reach +37 too).
_Z_LOW, _Z_HIGH = 37.1, 8.3


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
            raise FieldError(
                "Triangular",
                "mode",
                f"must lie in [low, high] with low < high, got low = "
                f"{self.low}, mode = {self.mode}, high = {self.high}",
            )

    @property
    def mean(self) -> float:
        """Expected value."""
        return (self.low + self.mode + self.high) / 3


@attrs.frozen
class FromPosterior:
    """Drawn jointly with the other calibrated parameters: the run's row of ``rollout.posterior``.

    Stands where a distribution goes in :class:`RolloutAssumptions`
    (``budget_per_month``, a phase's budget or scale,
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
    "fixed": Fixed,
    "uniform": Uniform,
    "normal": Normal,
    "lognormal": LogNormal,
    "triangular": Triangular,
    "posterior": FromPosterior,
}
_DISTRIBUTIONS = tuple(DISTRIBUTIONS.values())


def _as_distribution(value: Any) -> Any:
    # Let Python callers write a plain number where a distribution goes.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Fixed(to_float(value))
    return value


def _is_distribution(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, _DISTRIBUTIONS):
        raise FieldTypeError(
            type(instance).__name__, attribute.name, f"must be a number or a distribution, got {value!r}"
        )


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def support(value: Distribution) -> tuple[float, float]:
    """The interval every draw of a distribution lies in, ``(lowest, highest)``.

    Bounded distributions give their bounds; a normal or log-normal gives
    what the sampler can reach (37.1 standard deviations below the centre,
    8.3 above; see :func:`smartkampung.sim.distributions.quantile`), within
    its bounds. :class:`FromPosterior` has no support of its own (its
    values are the posterior sample's, checked against the field's range by
    :class:`~smartkampung.model.RolloutAssumptions`): ``(0, inf)``.
    """
    if isinstance(value, Fixed):
        return value.value, value.value
    if isinstance(value, (Uniform, Triangular)):
        return value.low, value.high
    if isinstance(value, Normal):
        if value.sigma == 0:
            return value.mu, value.mu
        up = _Z_HIGH if value.low <= value.mu else _Z_LOW
        return max(value.low, value.mu - _Z_LOW * value.sigma), min(value.high, value.mu + up * value.sigma)
    if isinstance(value, LogNormal):
        return value.median * _exp(-_Z_LOW * value.sigma), value.median * _exp(_Z_HIGH * value.sigma)
    if isinstance(value, FromPosterior):
        return 0.0, math.inf
    raise TypeError(f"not a distribution: {value!r}")  # pragma: no cover - callers check the type first


def _distribution_in(maximum: float) -> Any:
    """Validator: a distribution whose every draw lies in [0, maximum] (a posterior's values are checked apart)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _is_distribution(instance, attribute, value)
        if isinstance(value, FromPosterior):
            return
        lowest, highest = support(value)
        if lowest < 0:
            hint = "" if isinstance(value, Fixed) else " (bound it below at 0, e.g. normal with low = 0)"
            raise FieldError(
                type(instance).__name__,
                attribute.name,
                f"must not be negative, but {value!r} can draw {lowest:g}{hint}",
            )
        if not highest <= maximum:
            hint = "" if isinstance(value, Fixed) else " (give it an upper bound, or a smaller sigma)"
            raise FieldError(
                type(instance).__name__,
                attribute.name,
                f"must be at most {maximum:g}, but {value!r} can draw {highest:g}{hint}",
            )

    return check


def _optional_distribution(value: Any) -> Any:
    return None if value is None else _as_distribution(value)


def _dist_field(default: float, maximum: float) -> Any:
    return attrs.field(default=Fixed(default), converter=_as_distribution, validator=_distribution_in(maximum))
