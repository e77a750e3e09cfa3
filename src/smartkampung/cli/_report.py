"""``smartkampung report``: rebuild the offline report of a results folder (another language, say)."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

from smartkampung._errors import DataFileError, OutputFolderError, Problem
from smartkampung.cli._common import EXIT_OK, SIMULATE_FILES, _Usage
from smartkampung.cli._options import _folder, _lang_argument


def _manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a folder written by ``simulate``, or an error saying what the folder is instead."""
    from smartkampung.io import MANIFEST
    from smartkampung.io._outputs import MANIFEST_FORMAT

    if not folder.is_dir():
        raise DataFileError(str(folder), [Problem("is not a folder: give the --out folder of 'smartkampung simulate'")])
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(
            str(folder), [Problem(f"holds no {MANIFEST}: not an output folder of 'smartkampung simulate'")]
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataFileError(str(path), [Problem(f"cannot be read: {exc}")]) from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise DataFileError(str(path), [Problem("is not a manifest of smartkampung's")])
    command = manifest.get("command")
    if command != "simulate":
        again = " (run 'smartkampung plan' again for a plan's report)" if command == "plan" else ""
        raise DataFileError(
            str(folder),
            [
                Problem(
                    f"was written by 'smartkampung {command}'; report rebuilds the report of a simulate folder{again}"
                )
            ],
        )
    return manifest


def _cmd_report(args: argparse.Namespace) -> int:
    from smartkampung.cli._outputs import _report_html
    from smartkampung.io import OutputFolder, atomic_write_text, check_output_folder, read_result
    from smartkampung.io._outputs import _sha256
    from smartkampung.io._results import RESULT_FILES

    folder = Path(args.results)
    manifest = _manifest(folder)
    listed = manifest.get("files", {})
    for name in RESULT_FILES:  # the saved result must be the one simulate wrote
        if name not in listed:
            raise DataFileError(
                str(folder),
                [Problem(f"holds no {name}: written by a version that saved no result; run simulate again")],
            )
        file = folder / name
        if not file.is_file() or _sha256(file) != (listed[name].get("bytes"), listed[name].get("sha256")):
            raise DataFileError(str(file), [Problem("differs from the manifest: changed since simulate wrote it")])
    if args.out is not None and not Path(args.out).resolve().parent.is_dir():
        raise _Usage(f"--out {args.out}: the folder {Path(args.out).parent} does not exist; create it first")
    if args.out is None:
        try:  # replacing report.html in place: the whole folder must be as simulate left it
            check_output_folder(folder)
        except OutputFolderError as exc:
            raise OutputFolderError(
                exc.path, f"{exc.message}; write the report elsewhere with --out FILE.html"
            ) from None
    result = read_result(folder)
    parameters = dict(manifest.get("parameters") or {})
    rebuilt = parameters.get("report")
    before: dict[str, Any] = rebuilt if isinstance(rebuilt, dict) else parameters
    lang = args.lang or before.get("lang") or "en"
    currency = result.currency
    inputs = list(manifest.get("inputs") or [])
    text = _report_html(result, lang=lang, currency=currency, inputs=inputs, boundaries=None)
    if args.out is not None:
        atomic_write_text(args.out, text)
        target = Path(args.out)
    else:
        # The folder is replaced whole, as every output folder is: its files and the new report, a new manifest.
        output = OutputFolder(folder, command="simulate", known_names=SIMULATE_FILES)
        with output:
            for name in listed:
                if name != "report.html":
                    shutil.copyfile(folder / name, output.path(name))
            output.write_text("report.html", text)
            report = {"lang": lang, "currency": currency, "by": "smartkampung report"}
            output.commit(parameters={**parameters, "report": report}, inputs=inputs)
        target = folder / "report.html"
    if not args.quiet:
        print(f"wrote {target} ({lang}, money in {currency})")
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """Add the ``report`` command to the subparsers ``sub``."""
    report = sub.add_parser(
        "report",
        help="rebuild report.html of a simulate output folder (in another language, say)",
        description="Rebuild the offline report from the result that 'smartkampung simulate' saved in its output "
        "folder (result.json, result.npz): no simulation is run again. The folder is replaced whole with the new "
        "report.html and manifest, or the report is written to --out FILE.html and the folder left as it is.",
    )
    report.add_argument("results", metavar="RESULTS_DIR", help="the --out folder of 'smartkampung simulate'")
    _lang_argument(report, "the report (default: the language simulate wrote it in)")
    report.add_argument("--out", type=_folder, default=None, metavar="FILE.html", help="write the report here instead")
    report.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors and warnings")
    report.set_defaults(func=_cmd_report)
