"""GeoJSON (RFC 7946) for QGIS, kepler.gl and web maps: one mixed collection, or one layer per geometry.

:func:`to_geojson` writes villages, links and points of presence in one
FeatureCollection (handy for a web map). GIS tools (QGIS, geopandas, ArcGIS)
want one geometry type per layer, with a date field to animate: that is
:func:`village_layer` (Points, or MultiPolygons where the region has
polygons), :func:`link_layer` (LineStrings) and :func:`write_layers`, which
writes both as ``villages.geojson`` and ``links.geojson``. Each feature has
``connected`` (the month it is connected, ``YYYY-MM``, or null) and
``p_connected`` (the share of runs that connect it within the horizon).
:func:`read_boundaries` reads village or district polygons for maps and for
telling land from water.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import ArrayLike

from smartkampung._errors import DataFileError, ParameterError, Problem
from smartkampung.io._files import atomic_write_text
from smartkampung.model._village import Region

if TYPE_CHECKING:
    from smartkampung.sim.land import Boundaries
    from smartkampung.sim.planning import NetworkPlan

__all__ = [
    "link_layer",
    "read_boundaries",
    "to_geojson",
    "village_layer",
    "write_geojson",
    "write_geopackage",
    "write_layers",
]


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
                raise ParameterError(
                    label,
                    f"column {key!r} has {len(values)} values, the region has {n} villages",
                    function="to_geojson",
                )
    features: list[dict[str, Any]] = []
    for i, v in enumerate(region.villages):
        props: dict[str, Any] = {
            "feature": "village",
            "code": v.code,
            "name": v.name,
            "kind": v.kind.value,
            "district_code": v.district_code,
            "population": v.population,
            "households": v.households,
        }
        props.update({key: _plain(values[i]) for key, values in columns.items()})
        features.append(
            {
                "type": "Feature",
                "id": v.code,
                "geometry": {"type": "Point", "coordinates": [v.location.lon_deg, v.location.lat_deg]},
                "properties": props,
            }
        )
    if network is not None:
        parent = np.asarray(network.parent)
        backbone_index = np.asarray(network.backbone_index)
        if parent.shape != (n,) or backbone_index.shape != (n,):
            raise ParameterError("network", f"parent and backbone_index must have shape ({n},)", function="to_geojson")
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
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[start.lon_deg, start.lat_deg], [v.location.lon_deg, v.location.lat_deg]],
                    },
                    "properties": props,
                }
            )
        for pop in region.backbone:
            features.append(
                {
                    "type": "Feature",
                    "id": pop.id,
                    "geometry": {"type": "Point", "coordinates": [pop.location.lon_deg, pop.location.lat_deg]},
                    "properties": {"feature": "point_of_presence", "id": pop.id, "name": pop.name},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def write_geojson(collection: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a FeatureCollection from :func:`to_geojson` to a file, atomically."""
    atomic_write_text(path, json.dumps(collection, ensure_ascii=False, allow_nan=False) + "\n")


# ------------------------------------------------------------------ boundaries


def read_boundaries(
    path: str | os.PathLike[str], *, code_property: str = "code", name_property: str = "name", source: str | None = None
) -> Boundaries:
    """Read village or district polygons from a GeoJSON FeatureCollection.

    Parameters
    ----------
    path : str or path-like
        A GeoJSON file of Polygon or MultiPolygon features, ``[lon, lat]``
        WGS84 (RFC 7946).
    code_property, name_property : str
        Feature properties holding each feature's code (matched to village
        or district codes) and name. A code written as a number is read as
        text.
    source : str, optional
        Where the polygons come from, for reports. Default: the file name.

    Returns
    -------
    Boundaries

    Raises
    ------
    DataFileError
        Unreadable JSON, not a FeatureCollection, features without a code or
        with another geometry type, bad coordinates: every problem, with the
        feature it is in.
    """
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataFileError(str(file), [f"cannot read: {exc.strerror or exc}"]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(str(file), [f"not valid JSON: {exc}"]) from None
    return boundaries_from_geojson(
        data, source=source or file.name, file=str(file), code_property=code_property, name_property=name_property
    )


def boundaries_from_geojson(
    data: Any, *, source: str, file: str = "<geojson>", code_property: str = "code", name_property: str = "name"
) -> Boundaries:
    """:func:`read_boundaries` on an already parsed GeoJSON object."""
    from smartkampung.sim.land import Boundaries

    problems: list[Problem] = []
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise DataFileError(file, ["not a GeoJSON FeatureCollection"])
    codes, names, features = [], [], []
    for i, feature in enumerate(data["features"]):
        record = f"features[{i}]"
        props = feature.get("properties") if isinstance(feature, dict) else None
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        code = props.get(code_property) if isinstance(props, dict) else None
        if code is None or str(code).strip() == "":
            problems.append(Problem(f"has no {code_property!r} property", record=record, field=code_property))
            continue
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if kind not in ("Polygon", "MultiPolygon") or not isinstance(coords, list):
            problems.append(
                Problem(f"geometry must be a Polygon or MultiPolygon, got {kind}", record=record, field="geometry")
            )
            continue
        polygons = [coords] if kind == "Polygon" else coords
        codes.append(str(code))
        names.append(str(props.get(name_property, "")) if isinstance(props, dict) else "")
        features.append(polygons)
    if problems:
        raise DataFileError(file, problems)
    try:
        return Boundaries(codes, names, features, source=source)
    except (ParameterError, TypeError, ValueError) as exc:
        message = exc.message if isinstance(exc, ParameterError) else str(exc)
        raise DataFileError(file, [message]) from None


# ------------------------------------------------------------------ GIS layers


def _month_or_null(value: float, n_months: int, month_label: Callable[[int], str]) -> str | None:
    if not math.isfinite(value) or value >= n_months or value < 0:
        return None
    return month_label(round(value))


def _layer_columns(
    plan: NetworkPlan, connection_month: ArrayLike, p_connected: ArrayLike, fn: str
) -> tuple[np.ndarray, np.ndarray]:
    n = plan.n_villages
    month = np.asarray(connection_month, dtype=np.float64).reshape(-1)
    p = (
        np.broadcast_to(np.asarray(p_connected, dtype=np.float64), (n,))
        if np.ndim(p_connected) == 0
        else (np.asarray(p_connected, dtype=np.float64).reshape(-1))
    )
    for name, values in (("connection_month", month), ("p_connected", p)):
        if values.shape != (n,):
            raise ParameterError(name, f"must have one value per village ({n}), got shape {values.shape}", function=fn)
    if ((p < 0) | (p > 1) | np.isnan(p)).any():
        raise ParameterError("p_connected", "must be probabilities in [0, 1]", function=fn)
    return month, p


def village_layer(
    plan: NetworkPlan,
    *,
    connection_month: ArrayLike,
    p_connected: ArrayLike,
    month_label: Callable[[int], str],
    n_months: int,
    boundaries: Boundaries | None = None,
    properties: Mapping[str, Sequence[Any] | np.ndarray] | None = None,
) -> dict[str, Any]:
    """The villages as one GeoJSON layer: MultiPolygons where polygons are known, else Points.

    Parameters
    ----------
    plan : NetworkPlan
        The region and its network plan (technology, link length and cost
        per village become properties).
    connection_month : array_like, shape (n_villages,)
        Month each village is connected (0 = the first month; fractional
        means are rounded); NaN or ``>= n_months`` for never. [month]
    p_connected : float or array_like, shape (n_villages,)
        Share of runs that connect the village within the horizon (1 or 0
        for a single schedule). [0-1]
    month_label : callable
        Month index -> ``"YYYY-MM"`` (e.g. :meth:`Scenario.month_label`).
    n_months : int
        Horizon. [months]
    boundaries : Boundaries, optional
        Village polygons. With polygons for *every* village the layer is
        all MultiPolygons; otherwise all Points (one geometry type per
        layer, as GIS tools need).
    properties : mapping of str to array-like, optional
        More per-village columns.

    Returns
    -------
    dict
        A FeatureCollection: ``code``, ``name``, ``kind``, ``district_code``,
        ``population``, ``households``, ``technology``, ``link_km``,
        ``water_km``, ``capex``, ``connected`` (``YYYY-MM`` or null),
        ``connection_month`` (or null), ``p_connected``.
    """
    fn = "village_layer"
    month, p = _layer_columns(plan, connection_month, p_connected, fn)
    region = plan.region
    extra = dict(properties or {})
    for key, values in extra.items():
        if len(values) != plan.n_villages:
            raise ParameterError(
                "properties",
                f"column {key!r} has {len(values)} values, the region has {plan.n_villages} villages",
                function=fn,
            )
    polygons = boundaries is not None and boundaries.covers(v.code for v in region.villages)
    technology = plan.technology
    water = getattr(plan, "water_km", np.zeros(plan.n_villages))
    features = []
    for i, v in enumerate(region.villages):
        when = _month_or_null(float(month[i]), n_months, month_label)
        props: dict[str, Any] = {
            "code": v.code,
            "name": v.name,
            "kind": v.kind.value,
            "district_code": v.district_code,
            "population": v.population,
            "households": v.households,
            "technology": str(technology[i]),
            "link_km": _plain(plan.link_km[i]),
            "water_km": _plain(water[i]),
            "capex": _plain(plan.capex[i]),
            "connected": when,
            "connection_month": None if when is None else round(float(month[i])),
            "p_connected": _plain(p[i]),
        }
        props.update({key: _plain(values[i]) for key, values in extra.items()})
        geometry: dict[str, Any]
        if polygons:
            assert boundaries is not None
            geometry = {
                "type": "MultiPolygon",
                "coordinates": [[ring.tolist() for ring in polygon] for polygon in boundaries.rings(v.code)],
            }
        else:
            geometry = {"type": "Point", "coordinates": [v.location.lon_deg, v.location.lat_deg]}
        features.append({"type": "Feature", "id": v.code, "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "name": "villages", "features": features}


def link_layer(
    plan: NetworkPlan,
    *,
    connection_month: ArrayLike,
    p_connected: ArrayLike,
    month_label: Callable[[int], str],
    n_months: int,
) -> dict[str, Any]:
    """The network's links as one GeoJSON layer of LineStrings, dated by when they are built.

    A link runs from the node a village connects through (its parent
    village, or its point of presence) to the village; satellite villages
    have none. Its date is the village's connection month.

    Parameters
    ----------
    plan : NetworkPlan
    connection_month, p_connected, month_label, n_months
        As in :func:`village_layer`.

    Returns
    -------
    dict
        A FeatureCollection with ``to_code``, ``from`` (village code or
        point-of-presence id), ``technology``, ``link_km``, ``water_km``,
        ``connected``, ``connection_month``, ``p_connected``.
    """
    fn = "link_layer"
    month, p = _layer_columns(plan, connection_month, p_connected, fn)
    region = plan.region
    parent, backbone_index = plan.parent, plan.backbone_index
    technology = plan.technology
    water = getattr(plan, "water_km", np.zeros(plan.n_villages))
    features = []
    for i, v in enumerate(region.villages):
        if parent[i] >= 0:
            other = region.villages[int(parent[i])]
            start, start_id = other.location, other.code
        elif backbone_index[i] >= 0:
            pop = plan.backbone[int(backbone_index[i])]
            start, start_id = pop.location, pop.id
        else:
            continue
        when = _month_or_null(float(month[i]), n_months, month_label)
        props = {
            "to_code": v.code,
            "from": start_id,
            "technology": str(technology[i]),
            "link_km": _plain(plan.link_km[i]),
            "water_km": _plain(water[i]),
            "connected": when,
            "connection_month": None if when is None else round(float(month[i])),
            "p_connected": _plain(p[i]),
        }
        features.append(
            {
                "type": "Feature",
                "id": v.code,
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[start.lon_deg, start.lat_deg], [v.location.lon_deg, v.location.lat_deg]],
                },
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "name": "links", "features": features}


def write_layers(
    folder: str | os.PathLike[str],
    plan: NetworkPlan,
    *,
    connection_month: ArrayLike,
    p_connected: ArrayLike,
    month_label: Callable[[int], str],
    n_months: int,
    boundaries: Boundaries | None = None,
    prefix: str = "",
) -> tuple[Path, Path]:
    """Write ``villages.geojson`` and ``links.geojson`` (atomically) into a folder.

    Parameters
    ----------
    folder : path
        Existing output folder.
    plan, connection_month, p_connected, month_label, n_months, boundaries
        As in :func:`village_layer` and :func:`link_layer`.
    prefix : str
        Prefix of the file names (``"plan_"`` gives ``plan_villages.geojson``).

    Returns
    -------
    (Path, Path)
        The village and the link layer.
    """
    out = Path(folder)
    common: dict[str, Any] = {
        "connection_month": connection_month,
        "p_connected": p_connected,
        "month_label": month_label,
        "n_months": n_months,
    }
    villages = village_layer(plan, boundaries=boundaries, **common)
    links = link_layer(plan, **common)
    paths = (out / f"{prefix}villages.geojson", out / f"{prefix}links.geojson")
    write_geojson(villages, paths[0])
    write_geojson(links, paths[1])
    return paths


def write_geopackage(path: str | os.PathLike[str], *layers: Mapping[str, Any]) -> Path:
    """Write layers from :func:`village_layer` and :func:`link_layer` into one GeoPackage (needs geopandas).

    ``pip install "smartkampung[gis]"``. Each FeatureCollection becomes the
    layer named by its ``name`` (``villages``, ``links``), in WGS84
    (EPSG:4326). Written to a temporary file and renamed, so a reader never
    sees half a file.
    """
    import geopandas as gpd

    target = Path(path)
    tmp = target.with_name(f".tmp-{target.stem}.gpkg")
    if tmp.exists():
        tmp.unlink()
    try:
        for k, layer in enumerate(layers):
            frame = gpd.GeoDataFrame.from_features(layer["features"], crs="EPSG:4326")
            frame.to_file(tmp, layer=str(layer.get("name", f"layer{k}")), driver="GPKG")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target
