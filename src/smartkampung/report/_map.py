"""The report's map as inline SVG: village polygons (or points) coloured by connection date, links, PoPs.

Written by hand rather than with matplotlib so that every village is one
element with a ``<title>``: pointing at it shows its name, code and date in
any browser, with no script and no library.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from smartkampung._i18n import label, month_name, number
from smartkampung.sim.land import Boundaries
from smartkampung.sim.planning import NetworkPlan

__all__ = ["VIRIDIS", "colour", "map_svg"]

#: Eleven stops of matplotlib's viridis colour map (perceptually uniform, colour-blind safe).
VIRIDIS: tuple[str, ...] = (
    "#440154",
    "#482475",
    "#414487",
    "#355f8d",
    "#2a788e",
    "#21918c",
    "#22a884",
    "#44bf70",
    "#7ad151",
    "#bddf26",
    "#fde725",
)
_NEVER = "#d9d9d9"


def colour(fraction: float) -> str:
    """Viridis colour at ``fraction`` in [0, 1] (linear between the stops)."""
    f = min(max(float(fraction), 0.0), 1.0) * (len(VIRIDIS) - 1)
    i = min(int(f), len(VIRIDIS) - 2)
    t = f - i
    a = [int(VIRIDIS[i][k : k + 2], 16) for k in (1, 3, 5)]
    b = [int(VIRIDIS[i + 1][k : k + 2], 16) for k in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


class _Projection:
    """Equirectangular projection scaled into a box, north up; ``cos(mean latitude)`` keeps shapes."""

    def __init__(self, lon: NDArray[np.float64], lat: NDArray[np.float64], width: float, pad: float) -> None:
        self.kx = math.cos(math.radians(float(np.nanmean(lat))))
        x = lon * self.kx
        self.x0, self.y1 = float(np.nanmin(x)), float(np.nanmax(lat))
        span_x = max(float(np.nanmax(x)) - self.x0, 1e-6)
        span_y = max(self.y1 - float(np.nanmin(lat)), 1e-6)
        self.scale = (width - 2 * pad) / max(span_x, span_y * 0.75)
        self.pad = pad
        self.width = width
        self.height = span_y * self.scale + 2 * pad

    def xy(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        return (self.pad + (lon * self.kx - self.x0) * self.scale, self.pad + (self.y1 - lat) * self.scale)


def _path(projection: _Projection, polygons: Sequence[Sequence[NDArray[np.float64]]]) -> str:
    parts = []
    for polygon in polygons:
        for ring in polygon:
            x, y = projection.xy(ring[:, 0], ring[:, 1])
            points = " ".join(f"{a:.1f} {b:.1f}" for a, b in zip(x, y, strict=True))
            parts.append(f"M{points}Z")
    return "".join(parts)


def map_svg(
    plan: NetworkPlan,
    month: NDArray[np.float64],
    p_connected: NDArray[np.float64],
    month_labels: Sequence[str],
    *,
    lang: str = "en",
    villages: Boundaries | None = None,
    districts: Boundaries | None = None,
    width: float = 900.0,
) -> str:
    """The connection map as an ``<svg>`` element (no namespace URL: it is parsed as HTML).

    Parameters
    ----------
    plan : NetworkPlan
        Villages, links and points of presence.
    month : ndarray of float, shape (n_villages,)
        Connection month of each village (mean over the runs that connect
        it); NaN for never. [month]
    p_connected : ndarray of float, shape (n_villages,)
        Share of runs connecting each village.
    month_labels : sequence of str
        ``YYYY-MM`` of each month of the horizon.
    lang : {"en", "id"}
    villages : Boundaries, optional
        Village polygons; used when they cover every village, else points.
    districts : Boundaries, optional
        District outlines drawn over the villages.
    width : float
        Width of the drawing. [px]
    """
    region = plan.region
    cols = plan.columns
    use_polygons = villages is not None and villages.covers(v.code for v in region.villages)
    if use_polygons:
        assert villages is not None
        lon_all = np.concatenate([r[:, 0] for f in villages.polygons for p in f for r in p])
        lat_all = np.concatenate([r[:, 1] for f in villages.polygons for p in f for r in p])
    else:
        lon_all = np.concatenate([cols.lon_deg, cols.pop_lon_deg])
        lat_all = np.concatenate([cols.lat_deg, cols.pop_lat_deg])
    legend_h = 70.0
    proj = _Projection(lon_all, lat_all, width, pad=16.0)
    height = proj.height + legend_h
    known = month[np.isfinite(month)]
    lo, hi = (float(known.min()), float(known.max())) if known.size else (0.0, 1.0)
    span = max(hi - lo, 1.0)

    def fill(i: int) -> str:
        return _NEVER if not math.isfinite(month[i]) else colour((month[i] - lo) / span)

    def when(i: int) -> str:
        if not math.isfinite(month[i]):
            return label("never_connected", lang)
        return month_name(month_labels[min(round(month[i]), len(month_labels) - 1)], lang=lang)

    out = [
        f'<svg class="map" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{html.escape(label("map", lang))}">'
    ]
    out.append('<rect width="100%" height="100%" fill="#eaf2f8"/>')
    out.append('<g class="villages" stroke="#ffffff" stroke-width="0.4">')
    for i, v in enumerate(region.villages):
        tip = html.escape(
            f"{v.name} ({v.code}): {when(i)}; {label('p_connected', lang)} "
            f"{number(float(p_connected[i]) * 100, lang, digits=0)} %"
        )
        if use_polygons:
            assert villages is not None
            d = _path(proj, villages.rings(v.code))
            out.append(f'<path d="{d}" fill="{fill(i)}" fill-rule="evenodd"><title>{tip}</title></path>')
        else:
            x, y = proj.xy(cols.lon_deg[i : i + 1], cols.lat_deg[i : i + 1])
            r = 3.0 + 6.0 * math.sqrt(cols.population[i] / max(float(cols.population.max()), 1.0))
            out.append(
                f'<circle cx="{x[0]:.1f}" cy="{y[0]:.1f}" r="{r:.1f}" fill="{fill(i)}" stroke="#333333">'
                f"<title>{tip}</title></circle>"
            )
    out.append("</g>")
    if districts is not None:
        out.append('<g class="districts" fill="none" stroke="#555555" stroke-width="0.9">')
        for code in districts.codes:
            out.append(
                f'<path d="{_path(proj, districts.rings(code))}"><title>'
                f"{html.escape(districts.names[districts.codes.index(code)])}</title></path>"
            )
        out.append("</g>")
    # Links: from the parent village or the point of presence.
    water = getattr(plan, "water_km", np.zeros(plan.n_villages))
    out.append('<g class="links" stroke-linecap="round">')
    parent, backbone_index = plan.parent, plan.backbone_index
    for i in range(cols.n_villages):
        if parent[i] >= 0:
            a_lon, a_lat = cols.lon_deg[parent[i]], cols.lat_deg[parent[i]]
        elif backbone_index[i] >= 0:
            a_lon, a_lat = cols.pop_lon_deg[backbone_index[i]], cols.pop_lat_deg[backbone_index[i]]
        else:
            continue
        (x0, x1), (y0, y1) = proj.xy(np.array([a_lon, cols.lon_deg[i]]), np.array([a_lat, cols.lat_deg[i]]))
        style = (
            'stroke="#1f5fbf" stroke-width="1.6" stroke-dasharray="4 3"'
            if water[i] > 0
            else ('stroke="#202020" stroke-width="0.8" stroke-opacity="0.75"')
        )
        out.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" {style}/>')
    out.append("</g>")
    out.append('<g class="pops" fill="#000000">')
    px, py = proj.xy(cols.pop_lon_deg, cols.pop_lat_deg)
    for b, pop in enumerate(plan.backbone):
        out.append(
            f'<rect x="{px[b] - 3.5:.1f}" y="{py[b] - 3.5:.1f}" width="7" height="7">'
            f"<title>{html.escape(pop.name)}</title></rect>"
        )
    out.append("</g>")
    out.append(
        _legend(proj.height, width, lo, hi, month_labels, lang, bool(np.isnan(month).any()), bool((water > 0).any()))
    )
    out.append("</svg>")
    return "\n".join(out)


def _legend(
    top: float,
    width: float,
    lo: float,
    hi: float,
    month_labels: Sequence[str],
    lang: str,
    any_never: bool,
    any_water: bool,
) -> str:
    """Colour bar with calendar months, and keys for links, PoPs and villages not connected."""
    x0, bar_w, y = 16.0, min(420.0, width * 0.5), top + 12.0
    stops = "".join(f'<stop offset="{k / (len(VIRIDIS) - 1):.2f}" stop-color="{c}"/>' for k, c in enumerate(VIRIDIS))
    out = [
        f'<g class="legend" font-size="12" fill="#222222"><defs><linearGradient id="sk-viridis">{stops}'
        "</linearGradient></defs>",
        f'<text x="{x0}" y="{y - 2:.1f}">{html.escape(label("connection_date", lang))}</text>',
        f'<rect x="{x0}" y="{y + 4:.1f}" width="{bar_w:.0f}" height="12" fill="url(#sk-viridis)"/>',
    ]
    n = len(month_labels)
    ticks = sorted({min(max(round(t), 0), n - 1) for t in np.linspace(lo, hi, 5)}) if n else []
    for k, t in enumerate(ticks):
        tx = x0 + (t - lo) / max(hi - lo, 1.0) * bar_w
        anchor = "start" if k == 0 else "end" if k == len(ticks) - 1 else "middle"
        out.append(f'<line x1="{tx:.1f}" y1="{y + 16:.1f}" x2="{tx:.1f}" y2="{y + 20:.1f}" stroke="#222222"/>')
        out.append(
            f'<text x="{tx:.1f}" y="{y + 33:.1f}" text-anchor="{anchor}">'
            f"{html.escape(month_name(month_labels[t], lang=lang))}</text>"
        )
    kx = x0 + bar_w + 40
    keys = [
        (f'<rect x="{kx}" y="{y - 1:.1f}" width="7" height="7" fill="#000000"/>', label("point_of_presence", lang)),
        (
            f'<line x1="{kx - 2}" y1="{y + 18:.1f}" x2="{kx + 12}" y2="{y + 18:.1f}" stroke="#202020"/>',
            label("fibre_link", lang),
        ),
    ]
    if any_water:
        keys.append(
            (
                f'<line x1="{kx - 2}" y1="{y + 37:.1f}" x2="{kx + 12}" y2="{y + 37:.1f}" stroke="#1f5fbf" '
                'stroke-width="1.6" stroke-dasharray="4 3"/>',
                label("water_link", lang),
            )
        )
    if any_never:
        keys.append((f'<rect x="{kx + 200}" y="{y - 1:.1f}" width="10" height="10" fill="{_NEVER}"/>', ""))
    for k, (shape, text) in enumerate(keys):
        out.append(shape)
        if text:
            out.append(f'<text x="{kx + 18}" y="{y + 6 + 19 * k:.1f}">{html.escape(text)}</text>')
    if any_never:
        out.append(f'<text x="{kx + 216}" y="{y + 8:.1f}">{html.escape(label("never_connected", lang))}</text>')
    out.append("</g>")
    return "".join(out)
