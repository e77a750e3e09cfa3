"""GeoJSON (RFC 7946) for QGIS, kepler.gl and web maps."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from smartkampung._errors import ParameterError
from smartkampung.io._files import atomic_write_text
from smartkampung.model._village import Region

__all__ = ["to_geojson", "write_geojson"]


class _TreeLike(Protocol):
    @property
    def parent(self) -> Any: ...

    @property
    def backbone_index(self) -> Any: ...


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_geojson(
    region: Region,
    *,
    properties: Mapping[str, Sequence[Any] | np.ndarray] | None = None,
    network: _TreeLike | None = None,
    link_properties: Mapping[str, Sequence[Any] | np.ndarray] | None = None,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of a region's villages, and optionally its links.

    Parameters
    ----------
    region : Region
        Its villages become Point features with code, name, kind, district,
        population and households.
    properties : mapping of str to array-like, optional
        Extra per-village columns, each of length ``n_villages`` (for example
        ``{"connection_month": schedule.connection_month}``). NaN becomes null.
    network : object with ``parent`` and ``backbone_index``, optional
        A fibre tree or network plan; each village's link to its parent (or to
        its point of presence in ``region.backbone``) becomes a LineString.
    link_properties : mapping of str to array-like, optional
        Per-village columns for the link features.

    Returns
    -------
    dict
        Ready for :func:`json.dumps`; coordinates are ``[lon, lat]``.
    """
    n = region.n_villages
    columns: dict[str, Sequence[Any] | np.ndarray] = dict(properties or {})
    for label, cols in (("properties", columns), ("link_properties", dict(link_properties or {}))):
        for key, values in cols.items():
            if len(values) != n:
                raise ParameterError(label, f"column {key!r} has {len(values)} values, the region has {n} villages",
                                     function="to_geojson")
    features: list[dict[str, Any]] = []
    for i, v in enumerate(region.villages):
        props: dict[str, Any] = {
            "feature": "village", "code": v.code, "name": v.name, "kind": v.kind.value,
            "district_code": v.district_code, "population": v.population, "households": v.households,
        }
        props.update({key: _plain(values[i]) for key, values in columns.items()})
        features.append({"type": "Feature", "id": v.code,
                         "geometry": {"type": "Point", "coordinates": [v.location.lon_deg, v.location.lat_deg]},
                         "properties": props})
    if network is not None:
        parent = np.asarray(network.parent)
        backbone_index = np.asarray(network.backbone_index)
        if parent.shape != (n,) or backbone_index.shape != (n,):
            raise ParameterError("network", f"parent and backbone_index must have shape ({n},)",
                                 function="to_geojson")
        links = dict(link_properties or {})
        for i, v in enumerate(region.villages):
            if parent[i] >= 0:
                other = region.villages[int(parent[i])]
                start, start_id = other.location, other.code
            elif 0 <= backbone_index[i] < len(region.backbone):
                pop = region.backbone[int(backbone_index[i])]
                start, start_id = pop.location, pop.id
            else:
                continue
            props = {"feature": "link", "to_code": v.code, "from": start_id}
            props.update({key: _plain(values[i]) for key, values in links.items()})
            features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [
                [start.lon_deg, start.lat_deg], [v.location.lon_deg, v.location.lat_deg]]}, "properties": props})
        for pop in region.backbone:
            features.append({"type": "Feature", "id": pop.id, "geometry": {
                "type": "Point", "coordinates": [pop.location.lon_deg, pop.location.lat_deg]},
                "properties": {"feature": "point_of_presence", "id": pop.id, "name": pop.name}})
    return {"type": "FeatureCollection", "features": features}


def write_geojson(collection: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a FeatureCollection from :func:`to_geojson` to a file, atomically."""
    atomic_write_text(path, json.dumps(collection, ensure_ascii=False, allow_nan=False) + "\n")
