"""Argument types and options shared by several commands."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from smartkampung.cli._common import MAX_RUNS, _Usage


def _csv_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--delimiter",
        type=_delimiter,
        default=None,
        help=f"cell separator of {what}: ',', ';', tab or '|' (default: detected from the header)",
    )
    parser.add_argument(
        "--decimal",
        choices=(".", ","),
        default=None,
        help=f"decimal mark of {what} (default: detected; with ',' a '.' separates thousands)",
    )
    parser.add_argument(
        "--columns",
        action="append",
        default=[],
        metavar="FILE_NAME=OUR_NAME",
        help=f"a column of {what} named differently, e.g. --columns latitude=lat "
        "(repeat, or separate pairs with commas)",
    )
    parser.add_argument(
        "--allow-zero-population",
        action="store_true",
        help=f"accept villages of population 0 in {what} (refused by default: usually a missing figure)",
    )


def _lang_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--lang",
        choices=("en", "id"),
        default=None,
        help=f"language of {what}: en (English, the default) or id (Bahasa Indonesia)",
    )


def _columns(values: Sequence[str]) -> dict[str, str] | None:
    """``--columns latitude=lat`` (the file's name = ours) as the API's mapping {ours: the file's}."""
    from smartkampung.io._csv import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

    known = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    mapping: dict[str, str] = {}
    for value in values:
        for pair in value.split(","):
            if not pair.strip():
                continue
            theirs, sep, ours = pair.partition("=")
            theirs, ours = theirs.strip(), ours.strip()
            if not sep or not theirs or not ours:
                raise _Usage(f"--columns takes FILE_NAME=OUR_NAME pairs (such as latitude=lat), got {pair!r}")
            if ours not in known:
                raise _Usage(f"--columns {pair}: {ours!r} is not one of our columns ({', '.join(known)})")
            mapping[ours] = theirs
    return mapping or None


def _delimiter(text: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    value = named.get(text.lower(), text)
    if value not in (",", ";", "\t", "|"):
        raise argparse.ArgumentTypeError(f"must be ',', ';', tab or '|', got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _runs(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_RUNS:
        raise argparse.ArgumentTypeError(
            f"must be at most {MAX_RUNS:,}, got {value:,} (for more, run several "
            "ensembles with different --seed values)"
        )
    return value


def _folder(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must name a folder or file, got an empty name")
    if "\x00" in text:
        raise argparse.ArgumentTypeError("must not contain a NUL character")
    return text


def _csv_options(args: argparse.Namespace) -> dict[str, Any]:
    """How to read a village CSV, from --delimiter, --decimal, --columns, --allow-zero-population."""
    return {
        "delimiter": args.delimiter,
        "decimal": args.decimal,
        "columns": _columns(args.columns),
        "allow_zero_population": args.allow_zero_population,
    }


def _backend_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=("numpy", "numba"),
        default="numpy",
        help='adoption kernel (default numpy, the reference); numba (pip install "smartkampung[fast]") is '
        "2-4x faster and gives draws of the same law, not the same numbers, so a result records its backend",
    )
