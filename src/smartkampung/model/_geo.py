"""Points on the Earth: village centroids, offices, points of presence."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["Location", "PointOfPresence", "mean_location"]


def _finite_in(low: float, high: float) -> Callable[[Any, attrs.Attribute[float], float], None]:
    def check(instance: Any, attribute: attrs.Attribute[float], value: float) -> None:
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(f"{attribute.name} must be a finite number in [{low}, {high}], got {value!r}", attribute)

    return check


@attrs.frozen
class Location:
    """A point in WGS84 coordinates.

    Parameters
    ----------
    lat_deg : float
        Latitude, positive north. [degrees, -90 to 90]
    lon_deg : float
        Longitude, positive east. [degrees, -180 to 180]
    """

    lat_deg: float = attrs.field(converter=float, validator=_finite_in(-90.0, 90.0))
    lon_deg: float = attrs.field(converter=float, validator=_finite_in(-180.0, 180.0))


@attrs.frozen
class PointOfPresence:
    """A place where fibre already is: the backbone a village network hangs from.

    Parameters
    ----------
    id : str
        Identifier, unique within a region (for example the kecamatan code
        whose office hosts it).
    name : str
        Human-readable name.
    location : Location
        Where it is.
    """

    id: str = attrs.field(validator=attrs.validators.min_len(1))
    name: str
    location: Location = attrs.field(validator=attrs.validators.instance_of(Location))


def mean_location(locations: list[Location] | tuple[Location, ...], weights: list[float] | None = None) -> Location:
    """The (weighted) centre of points on the sphere.

    The mean of their unit vectors, projected back to the surface, so that
    points on both sides of the antimeridian average to a point between
    them, not to longitude 0.

    Parameters
    ----------
    locations : sequence of Location
        At least one point.
    weights : sequence of float, optional
        Non-negative weights (population, say); default equal.
    """
    if not locations:
        raise ValueError("mean_location needs at least one location")
    if len(locations) == 1:
        return locations[0]
    w = weights if weights is not None else [1.0] * len(locations)
    x = y = z = 0.0
    for loc, weight in zip(locations, w, strict=True):
        lat, lon = math.radians(loc.lat_deg), math.radians(loc.lon_deg)
        x += weight * math.cos(lat) * math.cos(lon)
        y += weight * math.cos(lat) * math.sin(lon)
        z += weight * math.sin(lat)
    if x == y == z == 0.0:  # antipodal or zero weights: no centre; fall back to the first point
        return locations[0]
    return Location(math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x)))
