"""``smartkampung compare``: two or more scenarios on common random numbers, and their paired differences.

Run *r* of every scenario draws its uncertain assumptions and its adoption
from the same random streams (:func:`smartkampung.sim.compare`), so the
difference of an outcome between two scenarios is taken run by run, and its
band (10 % to 90 % of the paired differences) shows what the change of
assumptions does, not the noise of two independent ensembles.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from smartkampung.cli._common import (
    COMPARE_FILES,
    DEFAULT_SEED,
    EXIT_OK,
    UNDEFINED_METRICS,
    _check_backend,
    _check_inputs_outside,
    _inputs,
    _load_scenario,
    _output_folder,
    _prepare_from_files,
    _run_ensemble,
    _Usage,
    _write_csv,
)
from smartkampung.cli._options import _backend_argument, _folder, _lang_argument, _positive_int, _runs
from smartkampung.cli._outputs import _json_number
from smartkampung.cli._warnings import _print_warnings


def _per_run(result: Any, name: str) -> np.ndarray:
    """A headline outcome per run: a stock or ratio at the last month, a flow summed, desa per status at the end."""
    if name.startswith("idm:"):
        code = list(result.idm_status_names).index(name.split(":", 1)[1])
        return np.asarray(result.idm_counts[:, -1, code], dtype=np.float64)
    if result.metric_info(name).kind == "flow":
        return np.asarray(result.total(name))
    return np.asarray(result.metric(name)[:, -1])


def _labels(names: Sequence[str], files: Sequence[str]) -> list[str]:
    """What each scenario is called in the tables: its name, or its file's name where names repeat."""
    if len(set(names)) == len(names):
        return list(names)
    stems = [Path(f).stem if f else name for f, name in zip(files, names, strict=True)]
    if len(set(stems)) == len(stems):
        return stems
    return [f"{name} ({k + 1})" for k, name in enumerate(names)]


def _rows(results: Sequence[Any], labels: Sequence[str], lang: str, currency: str) -> list[dict[str, Any]]:
    """The headline outcomes of every scenario and their paired differences from the first, as dicts."""
    from smartkampung._i18n import unit_label
    from smartkampung.report import summary_rows

    levels = list(results[0].quantile_levels)
    base_rows = summary_rows(results[0], lang=lang, currency=currency)
    others = [{r.name for r in summary_rows(res, lang=lang, currency=currency)} for res in results[1:]]
    out = []
    for row in base_rows:
        if not all(row.name in names for names in others):
            continue  # an outcome one scenario does not have (IDM status where another projects none)
        base = _per_run(results[0], row.name)
        english = row.unit if lang == "en" else None
        if english is None:
            english = (
                "desa"
                if row.name.startswith("idm:")
                else unit_label(results[0].metric_info(row.name).summary_unit, "en", currency)
            )
        entry: dict[str, Any] = {"name": row.name, "label": row.label, "unit": row.unit, "unit_en": english,
                                 "money": row.money, "values": {}, "difference": {}}  # fmt: skip
        for label, result in zip(labels, results, strict=True):
            values = _per_run(result, row.name)
            entry["values"][label] = [float(v) for v in np.quantile(values, levels)]
            if result is not results[0]:
                entry["difference"][label] = [float(v) for v in np.quantile(values - base, levels)]
        out.append(entry)
    return out


def _table(
    rows: Sequence[dict[str, Any]], labels: Sequence[str], levels: Sequence[float], lang: str, currency: str, head: str
) -> str:
    """The printed comparison: for each other scenario, each outcome's medians and its paired difference band."""
    from smartkampung._i18n import label, money, number

    def show(entry: dict[str, Any], value: float) -> str:
        return money(value, currency, lang) if entry["money"] else number(value, lang)

    def signed(entry: dict[str, Any], value: float) -> str:
        if not math.isfinite(value) or value == 0:
            return show(entry, value)
        return ("+" if value > 0 else "-") + show(entry, abs(value))

    lines = [head]
    base = labels[0]
    q, mid = [f"q{round(x * 100):02d}" for x in levels], len(levels) // 2
    median = label("median", lang)
    for other in labels[1:]:
        header = [label("outcome", lang), label("unit", lang), f"A: {median}", f"B: {median}", f"B − A: {q[0]}",
                  *q[1:]]  # fmt: skip
        body = [
            [e["label"], e["unit"], show(e, e["values"][base][mid]), show(e, e["values"][other][mid]),
             *(signed(e, v) for v in e["difference"][other])]
            for e in rows
        ]  # fmt: skip
        lines += ["", f"A = {base}, B = {other}"]
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
        for cells in [header, *body]:
            lines.append(
                "  ".join(
                    c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
                )
            )
    return "\n".join(lines) + "\n"


def _cmd_compare(args: argparse.Namespace) -> int:
    from smartkampung.sim import compare

    if len(args.scenarios) < 2:
        raise _Usage("compare needs at least two scenario files (the first is the baseline)")
    _check_backend(args)
    loaded = [_load_scenario(path) for path in args.scenarios]
    scenarios = [sc for sc, _ in loaded]
    folder = _output_folder(args.out, "compare", COMPARE_FILES)
    lang = args.lang or "en"
    currencies = sorted({sc.currency for sc in scenarios})
    if len(currencies) > 1:
        raise _Usage(
            f"the scenarios count money in different currencies ({', '.join(currencies)}): their "
            "differences would mean nothing; compare scenarios of one currency (the programme's currency field)"
        )
    currency = currencies[0]
    months = {(sc.start, sc.horizon_months) for sc in scenarios}
    if len(months) > 1:
        shown = "; ".join(f"{sc.name}: {sc.horizon_months} months from {sc.start}" for sc in scenarios)
        raise _Usage(f"the scenarios cover different months ({shown}): compare needs the same start and horizon")
    labels = _labels([sc.name for sc in scenarios], args.scenarios)
    started = time.perf_counter()
    prepared = [_prepare_from_files(sc, base_dir)[0] for sc, base_dir in loaded]
    _check_inputs_outside(folder)
    comparison = _run_ensemble(
        args,
        lambda executor, progress: compare(
            prepared, runs=args.runs, rng=args.seed, executor=executor, progress=progress, backend=args.backend
        ),
    )
    elapsed = time.perf_counter() - started
    _print_warnings()
    results = comparison.results
    rows = _rows(results, labels, lang, currency)
    levels = list(results[0].quantile_levels)
    q = [f"q{round(x * 100):02d}" for x in levels]
    from smartkampung._i18n import label

    head = label("compare_head", lang, runs=args.runs, seed=args.seed, base=labels[0], q=" / ".join(q))
    table = _table(rows, labels, levels, lang, currency, head)
    csv_rows = []
    for e in rows:
        for name in labels:
            diff = e["difference"].get(name)
            csv_rows.append([e["name"], e["unit_en"], name, labels[0], *e["values"][name],
                             *(diff if diff is not None else [""] * len(levels))])  # fmt: skip
    with folder:
        _write_csv(
            folder,
            "comparison.csv",
            ["outcome", "unit", "scenario", "baseline", *q, *(f"difference_{x}" for x in q)],
            csv_rows,
            note=lambda row: UNDEFINED_METRICS.get(row[0], ""),
        )
        folder.write_text("comparison.txt", table)
        folder.commit(
            parameters={"scenarios": [str(Path(p).resolve()) for p in args.scenarios], "labels": labels,
                        "runs": args.runs, "seed": args.seed, "executor": args.executor, "backend": args.backend,
                        "lang": lang,
                        "currency": currency},
            inputs=_inputs(),
        )  # fmt: skip
    if args.json:
        summary = {"scenarios": labels, "baseline": labels[0], "runs": args.runs, "seed": args.seed,
                   "currency": currency, "lang": lang, "quantiles": levels, "out": str(folder.target),
                   "outcomes": [{k: _jsonable(v) for k, v in e.items() if k != "unit_en"} for e in rows]}  # fmt: skip
        print(json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False))
    elif not args.quiet:
        print(table, end="")
        print(f"\n{len(results)} scenarios x {args.runs} runs in {elapsed:.1f} s; wrote {', '.join(COMPARE_FILES)} "
              f"to {folder.target}/")  # fmt: skip
    return EXIT_OK


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return _json_number(value)
    return value


def add_parser(sub: Any) -> None:
    """Add the ``compare`` command to the subparsers ``sub``."""
    cmp = sub.add_parser(
        "compare",
        help="run two or more scenarios on common random numbers and print their differences with bands",
        description="Run each scenario's ensemble with the same seed (run r of every scenario uses the same "
        "random streams), print for each outcome the medians and the band of the paired per-run differences "
        "from the first scenario (the baseline), and write comparison.csv, comparison.txt and manifest.json "
        "into --out, all at once. The scenarios must cover the same months and count money in one currency.",
    )
    cmp.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario files or folders; the first is the "
                     "baseline")  # fmt: skip
    cmp.add_argument("--runs", type=_runs, default=100, help="runs of each scenario (default 100)")
    cmp.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})")
    cmp.add_argument(
        "--out",
        type=_folder,
        default="smartkampung-compare",
        help="output folder (default smartkampung-compare); replaced whole by each run",
    )
    cmp.add_argument(
        "--executor", choices=("serial", "threads", "processes"), default="serial", help="where runs execute"
    )
    cmp.add_argument("--workers", type=_positive_int, default=None, help="workers for threads/processes")
    _backend_argument(cmp)
    _lang_argument(cmp, "the printed table")
    cmp.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors and warnings")
    cmp.add_argument("--json", action="store_true", help="print the comparison as JSON on standard output only")
    cmp.set_defaults(func=_cmd_compare)
