"""The report's charts: matplotlib figures turned into inline SVG (text kept as text, no URL left)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from smartkampung.sim.results import SimulationResult

__all__ = ["chart_svgs", "have_matplotlib", "inline_svg"]

_XML_HEAD = re.compile(r"<\?xml[^>]*>\s*|<!DOCTYPE[^>]*>\s*", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_NAMESPACES = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_IDS = re.compile(r'(\bid="|url\(#|href="#)')


def have_matplotlib() -> bool:
    """Whether matplotlib can be imported (the charts need it; the map and tables do not)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def inline_svg(figure: Any, prefix: str) -> str:
    """A matplotlib figure as an ``<svg>`` element for an HTML page.

    Text stays text (``svg.fonttype = none``: searchable, sharp, small); the
    XML prologue, the RDF metadata and the namespace declarations (URLs,
    though never fetched) are dropped, as HTML needs none of them; element
    ids get ``prefix`` so that several charts on one page cannot clash.
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    text = _XML_HEAD.sub("", text)
    text = _METADATA.sub("", text)
    text = _NAMESPACES.sub("", text)
    text = _IDS.sub(lambda m: f"{m.group(1)}{prefix}-", text)
    return text.replace("<svg ", '<svg class="chart" role="img" ', 1)


def chart_svgs(result: SimulationResult, lang: str, currency: str | None = None) -> dict[str, str]:
    """Coverage, adoption, cost and (for regions with desa) IDM fan charts as inline SVG, by name."""
    import matplotlib

    from smartkampung import plots

    drawers: dict[str, Callable[..., Any]] = {
        "coverage": plots.coverage,
        "adoption": plots.adoption_by_pillar,
        "cost": plots.cost,
    }
    if result.has_idm:
        drawers["idm"] = plots.idm_status
    out: dict[str, str] = {}
    with matplotlib.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "smartkampung", "font.family": ["DejaVu Sans", "sans-serif"]}
    ):
        from matplotlib.figure import Figure

        for name, draw in drawers.items():
            figure = Figure(figsize=(9.0, 3.7), layout="constrained")
            ax = figure.add_subplot()
            if name == "cost":
                draw(result, ax=ax, lang=lang, currency=currency)
            else:
                draw(result, ax=ax, lang=lang)
            ax.set_title("")  # the report's own heading names the chart
            out[name] = inline_svg(figure, f"sk-{name}")
    return out
