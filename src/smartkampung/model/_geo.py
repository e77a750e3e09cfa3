"""Points on the Earth: village centroids, offices, points of presence."""

from __future__ import annotations

import math

import attrs

from smartkampung._errors import ParameterError
from smartkampung._validation import instance_of, matches, number, text, to_float

__all__ = ["Location", "PointOfPresence", "mean_location"]


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

    lat_deg: float = attrs.field(converter=to_float, validator=number(-90.0, 90.0))
    lon_deg: float = attrs.field(converter=to_float, validator=number(-180.0, 180.0))


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

    id: str = attrs.field(validator=matches(r"(?s).+", "non-empty text"))
    name: str = attrs.field(validator=text(control=True))

    @id.validator
    def _encodable(self, attribute: attrs.Attribute[str], value: str) -> None:
        text(control=True)(self, attribute, value)

    location: Location = attrs.field(validator=instance_of(Location))


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
        raise ParameterError("locations", "needs at least one location", function="mean_location")
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
