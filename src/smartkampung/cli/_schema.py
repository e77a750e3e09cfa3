"""``smartkampung schema``: the JSON Schema of the file formats."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from smartkampung.cli._common import EXIT_INVALID, EXIT_OK, _err
from smartkampung.cli._options import _folder


def _cmd_schema(args: argparse.Namespace) -> int:
    from smartkampung.io import atomic_write_text, json_schema
    from smartkampung.model import Programme, Region, Scenario

    cls = {"scenario": Scenario, "programme": Programme, "region": Region}[args.kind]
    text = json.dumps(json_schema(cls), indent=2) + "\n"
    if args.out:
        atomic_write_text(args.out, text)
    elif sys.stdout is None:
        _err("standard output is closed: write the schema to a file with --out FILE")
        return EXIT_INVALID
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """Add the ``schema`` command to the subparsers ``sub``."""
    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of the file formats",
        description="JSON Schema (draft 2020-12) for editors and other languages.",
    )
    schema.add_argument("--kind", choices=("scenario", "programme", "region"), default="scenario")
    schema.add_argument("--out", type=_folder, help="write to this file instead of standard output")
    schema.set_defaults(func=_cmd_schema)
