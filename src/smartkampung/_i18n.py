"""Labels in English and Indonesian, calendar months and numbers, for summaries, plots and reports.

One table of labels (:data:`LABELS`), one month formatter
(:func:`month_name`) and one number formatter (:func:`number`, :func:`money`)
serve the plots (:mod:`smartkampung.plots`), the HTML report
(:mod:`smartkampung.report`) and the plain-text summary, so a term is
translated once. The Indonesian follows the terms of BPS and Kemendagri
(desa, kelurahan, kecamatan, rumah tangga, anggaran, biaya) and of the IDM
(Indeks Desa Membangun); amounts use Indonesian number style (``1.234,5``;
``Rp 1,2 miliar``).

Add a language by adding a column to every entry of :data:`LABELS` and its
month abbreviations to :data:`MONTHS`; a test checks that every entry has
every language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Final, Protocol

from smartkampung._errors import ParameterError

__all__ = [
    "LABELS",
    "LANGUAGES",
    "MONTHS",
    "check_lang",
    "label",
    "metric_label",
    "money",
    "money_scale",
    "month_name",
    "number",
    "unit_label",
]

#: Languages with labels: English and Indonesian (Bahasa Indonesia).
LANGUAGES: Final[tuple[str, ...]] = ("en", "id")

#: Month abbreviations (three letters, as on calendar axes).
MONTHS: Final[Mapping[str, tuple[str, ...]]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
}

#: Every label, by key, in every language. ``{name}`` fields are filled by :func:`label`.
LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    # report sections
    "report": {"en": "Programme report", "id": "Laporan program"},
    "key_figures": {"en": "Key figures", "id": "Angka utama"},
    "map": {"en": "When each village is connected", "id": "Kapan setiap desa terhubung"},
    "coverage": {"en": "Coverage", "id": "Cakupan jaringan"},
    "adoption": {"en": "Service users by pillar", "id": "Pengguna layanan per pilar"},
    "cost": {"en": "Cost", "id": "Biaya"},
    "idm": {"en": "IDM status per year", "id": "Status IDM per tahun"},
    "assumptions": {"en": "Assumptions", "id": "Asumsi"},
    "provenance": {"en": "Provenance", "id": "Asal data dan perhitungan"},
    "plan_notes": {"en": "Notes on the network plan", "id": "Catatan rencana jaringan"},
    "simulate_done": {
        "en": "{runs} runs ({backend} backend) in {simulate} s (plan and preparation {prepare} s, outputs {write} s); "
        "wrote {files} to {out}/",
        "id": "{runs} simulasi (backend {backend}) dalam {simulate} detik (rencana dan persiapan {prepare} detik, "
        "keluaran {write} detik); menulis {files} ke {out}/",
    },
    "network_plan": {"en": "Network plan", "id": "Rencana jaringan"},
    # axes and legends
    "month": {"en": "Month", "id": "Bulan"},
    "year": {"en": "Year", "id": "Tahun"},
    "connected_pct": {"en": "connected [%]", "id": "terhubung [%]"},
    "villages_connected": {"en": "Villages connected", "id": "Desa terhubung"},
    "households_connected": {"en": "Households connected", "id": "Rumah tangga terhubung"},
    "people_connected": {"en": "People connected", "id": "Penduduk terhubung"},
    "median": {"en": "median", "id": "median"},
    "band": {"en": "{low}–{high} % band", "id": "rentang {low}–{high} %"},
    "runs": {"en": "{runs} runs", "id": "{runs} simulasi"},
    "service_users": {
        "en": "service users [thousand household-services]",
        "id": "pengguna layanan [ribu rumah tangga-layanan]",
    },
    "cumulative_cost": {"en": "Cumulative cost", "id": "Biaya kumulatif"},
    "budget": {"en": "Budget", "id": "Anggaran"},
    "spent": {"en": "Spent", "id": "Realisasi belanja"},
    "money_axis": {"en": "{currency} [{scale}]", "id": "{currency} [{scale}]"},
    "desa_per_status": {"en": "desa (median over runs)", "id": "jumlah desa (median)"},
    "idm_note": {"en": "projected with illustrative assumptions", "id": "proyeksi dengan asumsi ilustratif"},
    "no_idm": {"en": "no IDM projection within the horizon", "id": "tidak ada proyeksi IDM dalam horizon"},
    "idm_observed": {"en": "observed\n{index} {year}", "id": "teramati\n{index} {year}"},
    "idm_year": {"en": "{index} year", "id": "tahun {index}"},
    "idm_axis": {"en": "{unit} (median, {band} over runs)", "id": "{unit} (median, {band} antar-run)"},
    "idm_title": {
        "en": "{scenario}: {index} status, observed then projected",
        "id": "{scenario}: status {index}, teramati lalu proyeksi",
    },
    "idm_only_id": {
        "en": "The IDM scores Indonesian desa only; this region has none.",
        "id": "IDM hanya menilai desa di Indonesia; wilayah ini tidak memilikinya.",
    },
    "connection_date": {"en": "connection date", "id": "tanggal terhubung"},
    "mean_connection": {"en": "mean connection month", "id": "rata-rata bulan terhubung"},
    "never_connected": {"en": "not connected within the horizon", "id": "tidak terhubung dalam horizon"},
    "point_of_presence": {"en": "point of presence (backbone)", "id": "titik akses jaringan inti (PoP)"},
    "fibre_link": {"en": "planned link", "id": "jalur yang direncanakan"},
    "water_link": {"en": "link over water", "id": "jalur melintasi perairan"},
    "longitude": {"en": "longitude [°]", "id": "bujur [°]"},
    "latitude": {"en": "latitude [°]", "id": "lintang [°]"},
    "p_connected": {"en": "probability of connection", "id": "peluang terhubung"},
    "village": {"en": "village", "id": "desa"},
    "district": {"en": "district", "id": "kecamatan"},
    # tables
    "outcome": {"en": "Outcome", "id": "Hasil"},
    "unit": {"en": "Unit", "id": "Satuan"},
    "parameter": {"en": "Parameter", "id": "Parameter"},
    "value": {"en": "Value", "id": "Nilai"},
    "source": {"en": "Source", "id": "Sumber"},
    "illustrative": {"en": "illustrative assumption", "id": "asumsi ilustratif"},
    "at_end": {"en": "at {month}", "id": "pada {month}"},
    "total_to": {"en": "total to {month}", "id": "total s.d. {month}"},
    "quantiles": {"en": "10 % / median / 90 % of the runs", "id": "10 % / median / 90 % dari simulasi"},
    # provenance
    "version": {"en": "smartkampung version", "id": "versi smartkampung"},
    "seed": {"en": "seed entropy", "id": "entropi seed"},
    "scenario": {"en": "Scenario", "id": "Skenario"},
    "region": {"en": "Region", "id": "Wilayah"},
    "period": {"en": "Period", "id": "Periode"},
    "villages": {"en": "villages", "id": "desa/kelurahan"},
    "inputs": {"en": "Input files", "id": "Berkas masukan"},
    "no_inputs": {"en": "bundled data only", "id": "hanya data bawaan"},
    "generated": {"en": "Generated by smartkampung {version}", "id": "Dibuat dengan smartkampung {version}"},
    "offline": {
        "en": "This file works offline: it loads nothing from the network.",
        "id": "Berkas ini dapat dibuka tanpa internet: tidak memuat apa pun dari jaringan.",
    },
    "no_charts": {
        "en": 'Charts need matplotlib (pip install "smartkampung[report]").',
        "id": 'Grafik memerlukan matplotlib (pip install "smartkampung[report]").',
    },
    "hover": {
        "en": "Point at a village for its name and date.",
        "id": "Arahkan penunjuk ke desa untuk melihat nama dan tanggalnya.",
    },
    "technologies": {"en": "Technologies", "id": "Teknologi"},
    "fibre_km": {"en": "fibre", "id": "serat optik"},
    "capex": {"en": "capital cost", "id": "biaya modal"},
    "opex": {"en": "running cost", "id": "biaya operasional"},
    "per_year": {"en": "year", "id": "tahun"},
    # the plan report and the command line
    "plan_report": {"en": "Network plan", "id": "Rencana jaringan"},
    "median_budget": {"en": "scheduled with the median budget", "id": "dijadwalkan dengan anggaran median"},
    "plan_title": {
        "en": "{scenario}: rollout plan (median budget)",
        "id": "{scenario}: rencana pembangunan (anggaran median)",
    },
    "connected_within": {"en": "villages connected by {month}", "id": "desa terhubung s.d. {month}"},
    "spent_to": {"en": "spent to {month}", "id": "belanja s.d. {month}"},
    "schedule": {"en": "Villages connected over time", "id": "Desa terhubung dari waktu ke waktu"},
    "money_over_time": {"en": "Budget and spending", "id": "Anggaran dan belanja"},
    "cumulative_budget": {"en": "budget made available", "id": "anggaran tersedia"},
    "cumulative_spend": {"en": "spent", "id": "belanja"},
    "plan_line": {
        "en": "{scenario}: {n} villages ({counts}); fibre {km} km; capital cost {capex}; running cost {opex}/year",
        "id": "{scenario}: {n} desa/kelurahan ({counts}); serat optik {km} km; biaya modal {capex}; biaya "
        "operasional {opex}/tahun",
    },
    "plan_schedule_line": {
        "en": "median budget: {done} of {n} villages connected within {months} months{last}; spent {spent}",
        "id": "anggaran median: {done} dari {n} desa/kelurahan terhubung dalam {months} bulan{last}; belanja {spent}",
    },
    "plan_last": {"en": ", the last in {month}", "id": ", terakhir pada {month}"},
    "compare_head": {
        "en": "{runs} runs of each scenario on common random numbers (seed {seed}); baseline: {base}; B − A: "
        "{q} of the differences run by run",
        "id": "{runs} simulasi per skenario dengan bilangan acak bersama (seed {seed}); skenario dasar: {base}; "
        "B − A: {q} dari selisih per simulasi",
    },
    "undefined_note": {
        "en": "–: undefined in at least one run (cost per connected household before any household is "
        "connected, cost per transaction before the first transaction)",
        "id": "–: tidak terdefinisi dalam sedikitnya satu simulasi (biaya per rumah tangga terhubung sebelum ada "
        "rumah tangga terhubung, biaya per transaksi sebelum transaksi pertama)",
    },
    "summary_head": {
        "en": "{scenario}: {runs} runs, seed entropy {seed}",
        "id": "{scenario}: {runs} simulasi, entropi seed {seed}",
    },
}

# Metric names of :mod:`smartkampung.sim.metrics` -> label key or (en, id).
_METRICS: Final[Mapping[str, tuple[str, str]]] = {
    "villages_connected": ("Villages connected", "Desa terhubung"),
    "households_connected": ("Households connected", "Rumah tangga terhubung"),
    "people_connected": ("People connected", "Penduduk terhubung"),
    "capex": ("Capital spent", "Belanja modal"),
    "opex": ("Running cost", "Biaya operasional"),
    "cumulative_cost": ("Cumulative cost", "Biaya kumulatif"),
    "adopters": ("Service users", "Pengguna layanan"),
    "transactions": ("Transactions at the village", "Transaksi di kantor desa"),
    "hours_saved": ("Travel time saved", "Waktu perjalanan yang dihemat"),
    "travel_cost_saved": ("Travel cost saved", "Biaya perjalanan yang dihemat"),
    "time_value_saved": ("Value of time saved", "Nilai waktu yang dihemat"),
    "cost_per_connected_household": ("Cost per connected household", "Biaya per rumah tangga terhubung"),
    "cost_per_transaction": ("Cost per transaction", "Biaya per transaksi"),
}

_UNITS: Final[Mapping[str, str]] = {
    "villages": "desa/kelurahan",
    "households": "rumah tangga",
    "people": "jiwa",
    "household-services": "rumah tangga-layanan",
    "transactions": "transaksi",
    "hours": "jam",
    "desa": "desa",
    "{currency}/household": "{currency}/rumah tangga",
    "{currency}/transaction": "{currency}/transaksi",
}


def check_lang(lang: object, function: str) -> str:
    """``lang`` if it is a known language, else a :class:`ParameterError` naming the function."""
    if lang not in LANGUAGES:
        raise ParameterError("lang", f"must be one of {', '.join(LANGUAGES)}, got {lang!r}", function=function)
    return str(lang)


def label(key: str, lang: str = "en", **fields: object) -> str:
    """The label ``key`` in ``lang``, with ``{fields}`` filled in."""
    text = LABELS[key][lang]
    return text.format(**fields) if fields else text


def month_name(label_or_year: str | int, month: int | None = None, *, lang: str = "en") -> str:
    """A calendar month as on an axis: ``"Jun 2016"``, ``"Des 2018"`` (Indonesian).

    Parameters
    ----------
    label_or_year : str or int
        A ``"YYYY-MM"`` label, or a year (then give ``month``).
    month : int, optional
        1 to 12, with a year.
    lang : {"en", "id"}
    """
    if isinstance(label_or_year, str):
        year_text, month_text = label_or_year.split("-")[:2]
        year, mon = int(year_text), int(month_text)
    else:
        year, mon = int(label_or_year), int(month or 1)
    return f"{MONTHS[lang][mon - 1]} {year}"


def number(value: float, lang: str = "en", *, digits: int | None = None) -> str:
    """A number for people: thousands grouped, few decimals, NaN as a dash.

    English ``1,234,567`` and ``0.25``; Indonesian ``1.234.567`` and ``0,25``.
    Large values are not abbreviated (see :func:`money`).
    """
    if not math.isfinite(value):
        return "–"
    if digits is None:
        digits = 0 if abs(value) >= 100 or float(value).is_integer() else 1 if abs(value) >= 10 else 2
    text = f"{value:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


_SCALES: Final[Mapping[str, tuple[tuple[float, str], ...]]] = {
    "en": ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")),
    "id": ((1e12, "triliun"), (1e9, "miliar"), (1e6, "juta")),
}


def money_scale(value: float, lang: str = "en") -> tuple[float, str]:
    """The divisor and word (``1e9, "billion"``/``"miliar"``) that suit an amount; ``(1, "")`` below a million."""
    for divisor, word in _SCALES[lang]:
        if abs(value) >= divisor:
            return divisor, word
    return 1.0, ""


def money(value: float, currency: str = "IDR", lang: str = "en") -> str:
    """An amount with its currency: ``Rp 1.2 billion`` / ``Rp 1,2 miliar``, ``PHP 350 million``.

    Rupiah are written ``Rp``, other currencies by their ISO 4217 code.
    """
    if not math.isfinite(value):
        return "–"
    divisor, word = money_scale(value, lang)
    prefix = "Rp" if currency == "IDR" else currency
    scaled = value / divisor
    digits = 0 if abs(scaled) >= 100 or not word else 1 if abs(scaled) >= 10 else 2
    return f"{prefix} {number(scaled, lang, digits=digits)}" + (f" {word}" if word else "")


def metric_label(
    name: str, lang: str = "en", *, services: Mapping[str, str] | None = None, pillars: Mapping[str, str] | None = None
) -> str:
    """A metric's name for people: ``villages_connected`` -> "Villages connected" / "Desa terhubung".

    Per-service and per-pillar metrics (``adopters:<id>``) use the names in
    ``services`` and ``pillars`` (id -> display name) when given.
    """
    if name in _METRICS:
        return _METRICS[name][0 if lang == "en" else 1]
    kind, _, ident = name.partition(":")
    names = (pillars if kind.endswith("_pillar") else services) or {}
    shown = names.get(ident, ident.replace("_", " "))
    if kind.startswith("adopters"):
        return f"{'Users' if lang == 'en' else 'Pengguna'}: {shown}"
    if kind.startswith("transactions"):
        return f"{'Transactions' if lang == 'en' else 'Transaksi'}: {shown}"
    return name


def unit_label(unit: str, lang: str = "en", currency: str = "IDR") -> str:
    """A metric unit in ``lang``; a money unit is in ``currency`` (the result's), ``IDR`` in it replaced by it.

    ``unit_label("PHP/household", "id", "PHP")`` is ``"PHP/rumah tangga"``.
    """
    shown = unit.replace("IDR", currency)
    if lang == "en":
        return shown
    base = shown.removesuffix("/month")
    head, _, rest = base.partition("/")
    key = "{currency}" + (f"/{rest}" if rest else "") if head == currency else base
    if key in _UNITS:
        return _UNITS[key].format(currency=currency) + ("/bulan" if shown.endswith("/month") else "")
    return shown.replace("/month", "/bulan")


#: The network plan's notes (:attr:`NetworkPlan.notes <smartkampung.sim.planning.NetworkPlan.notes>`,
#: written in English by :func:`smartkampung.sim.planning.plan_network`) as patterns, with their
#: Indonesian wording. tests/test_i18n.py makes a plan of each kind and checks each note is matched.
_PLAN_NOTES_ID: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(r"fibre follows the road graph: water crossings are not checked"),
        "serat optik mengikuti jaringan jalan: penyeberangan perairan tidak diperiksa",
    ),
    (
        re.compile(r"no land polygons for this region: links over water, if any, are priced as fibre on land"),
        "tidak ada poligon daratan untuk wilayah ini: jalur di atas perairan, bila ada, dihitung sebagai serat optik "
        "di darat",
    ),
    (
        re.compile(r"water crossings checked against (?P<n>\d+) land polygons(?P<source> \(.*\))?"),
        "penyeberangan perairan diperiksa terhadap {n} poligon daratan{source}",
    ),
    (
        re.compile(r"(?P<links>\d+) tree link\(s\) leave land \((?P<km>[\d,.]+) km over water\): (?P<rest>.*)"),
        "{links} jalur pohon jaringan melintasi perairan ({km} km di atas air): {rest}",
    ),
)
_PLAN_NOTE_PARTS_ID: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(
            r"(?P<n>\d+) priced as fibre water crossings \((?P<f>[\d.]+) times the fibre cost per km "
            r"over water\)"
        ),
        "{n} dihitung sebagai penyeberangan perairan serat optik ({f} kali biaya serat optik per km di atas air)",
    ),
    (re.compile(r"(?P<n>\d+) left to another technology"), "{n} diserahkan ke teknologi lain"),
)


def _id_number(text: str) -> str:
    """``1,234.5`` written the Indonesian way, ``1.234,5``."""
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def plan_note(note: str, lang: str = "en") -> str:
    """A note of the network plan in ``lang``; a note of no known form is returned as it is (English)."""
    if lang != "id":
        return note
    for pattern, wording in _PLAN_NOTES_ID:
        match = pattern.fullmatch(note)
        if match is None:
            continue
        fields = {k: v or "" for k, v in match.groupdict().items()}
        if "km" in fields:
            fields["km"] = _id_number(fields["km"])
        if "rest" in fields:
            parts = []
            for part in fields["rest"].split("; "):
                for part_pattern, part_wording in _PLAN_NOTE_PARTS_ID:
                    found = part_pattern.fullmatch(part)
                    if found is not None:
                        values = found.groupdict()
                        if "f" in values:
                            values["f"] = _id_number(values["f"])
                        parts.append(part_wording.format(**values))
                        break
                else:
                    parts.append(part)
            fields["rest"] = "; ".join(parts)
        return wording.format(**fields)
    return note


class _Named(Protocol):
    """A pillar or a service: an id, an English name and a local one."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_local(self) -> str: ...


def names_in(items: Iterable[_Named], lang: str, country: str) -> dict[str, str]:
    """Pillars' or services' display names by id: their ``name_local`` in Indonesian for an Indonesian region.

    Elsewhere (a Thai programme's local names are Thai, not Indonesian) and in English: their ``name``.
    """
    local = lang == "id" and country == "ID"
    return {i.id: (i.name_local if local else "") or i.name for i in items}
