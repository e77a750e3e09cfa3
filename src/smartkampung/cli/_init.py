"""``smartkampung init``: a starter scenario for a new city."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from smartkampung._errors import FieldError, OutputFolderError
from smartkampung.cli._common import EXIT_OK, INIT_FILES, _csv_text, _err, _inputs, _parameters, _Usage
from smartkampung.cli._options import _csv_arguments, _csv_options, _folder
from smartkampung.cli._warnings import _capture_warnings, _print_warnings

#: File names that say nothing about which region a table is of.
_GENERIC_NAMES = {
    "villages",
    "village",
    "desa",
    "kelurahan",
    "barangay",
    "barangays",
    "data",
    "export",
    "table",
    "sheet",
    "sheet1",
    "book",
    "book1",
    "wilayah",
    "list",
    "region",
    "regions",
    "kampung",
    "input",
    "villages_csv",
    "untitled",
    "download",
    "file",
}


def _region_identity(args: argparse.Namespace, source_csv: Path, district_codes: Sequence[str]) -> tuple[str, str]:
    """The region's code and name: given, derived from the file, or asked for."""
    stem = source_csv.stem.strip()
    generic = stem.lower().replace("-", "_").replace(" ", "_") in _GENERIC_NAMES or not any(c.isalpha() for c in stem)
    code = args.code
    if code is None:
        parts = [c.split(".") for c in district_codes]
        common: list[str] = []
        for column in zip(*parts, strict=False):
            if len(set(column)) != 1:
                break
            common.append(column[0])
        common = common[: min((len(p) for p in parts), default=1) - 1]  # a district's code is longer
        if common:
            code = ".".join(common)  # Kemendagri districts 35.10.01, 35.10.02: the regency is 35.10
        elif not generic:
            code = stem
    name = args.name
    if name is None and not generic:
        name = stem.replace("_", " ").title()
    missing = [option for option, value in (("--code", code), ("--name", name)) if value is None]
    if missing and sys.stdin is not None and sys.stdin.isatty() and sys.stdout is not None:
        answers = {}
        for option in missing:
            answers[option] = input(f"region {option[2:]} (the file name {source_csv.name!r} does not say): ").strip()
        code = code or answers.get("--code") or None
        name = name or answers.get("--name") or None
        missing = [option for option, value in (("--code", code), ("--name", name)) if not value]
    if missing:
        raise _Usage(
            f"pass {' and '.join(missing)}: the file name {source_csv.name!r} does not say which region "
            "the villages are of"
        )
    return str(code), str(name)


def _canonical_csv(region: Any) -> str:
    """A region's villages as a CSV in the reader's own columns and conventions."""
    names = {d.code: d.name for d in region.districts}
    header = [
        "code",
        "name",
        "kind",
        "district_code",
        "district_name",
        "lat",
        "lon",
        "population",
        "households",
        "population_year",
    ]
    rows = [
        [
            v.code,
            v.name,
            v.kind.value,
            v.district_code,
            names.get(v.district_code, ""),
            v.location.lat_deg,
            v.location.lon_deg,
            v.population,
            v.households,
            "" if v.population_year is None else v.population_year,
        ]
        for v in region.villages
    ]
    return _csv_text(header, rows, name="villages.csv")


def _cmd_init(args: argparse.Namespace) -> int:
    import attrs

    from smartkampung import datasets
    from smartkampung.countries import COUNTRY_PROFILES, starter_scenario
    from smartkampung.io import dumps, read_villages_csv
    from smartkampung.io._converter import unstructure
    from smartkampung.io._read import MAX_TABLE_BYTES, open_input, size_limit
    from smartkampung.io._toml import toml_dumps
    from smartkampung.model import DEFAULT_HOUSEHOLD_SIZE, RegionSource, Scenario, VillageKind

    folder = Path(args.dir)
    source_csv = Path(args.from_csv) if args.from_csv else None
    if source_csv is None:
        given = [f"--{name}" for name in ("code", "name", "kind") if getattr(args, name) is not None]
        given += ["--country"] if args.country is not None else []
        given += [
            f"--{name.replace('_', '-')}" for name in ("delimiter", "decimal", "columns") if getattr(args, name)
        ] + (["--allow-zero-population"] if args.allow_zero_population else [])
        if given:
            raise _Usage(
                f"{', '.join(given)} describe the villages of --from-csv; without it init writes the "
                "Banyuwangi scenario"
            )
    # Every check before anything is written.
    names = ["scenario.toml", "programme.toml"] + (["villages.csv"] if source_csv is not None else [])
    existing = [str(folder / n) for n in names if (folder / n).exists()]
    if existing and not args.force:
        raise _Usage(f"{', '.join(existing)} exist{'s' if len(existing) == 1 else ''}; pass --force to overwrite")
    if folder.exists() and not folder.is_dir():
        raise _Usage(f"{folder} exists and is not a folder")
    base = datasets.banyuwangi_scenario()
    if args.start is not None:
        try:
            attrs.evolve(base, start=args.start)
        except FieldError as exc:
            raise _Usage(f"--start {exc.message.removeprefix('start ')}") from None
    files: dict[str, str | bytes] = {}
    currency = "IDR"
    if source_csv is not None:
        country = (args.country or "ID").upper()
        profile = COUNTRY_PROFILES.get(country)
        kind = VillageKind(args.kind) if args.kind else (profile.default_kind if profile else VillageKind.VILLAGE)
        household_size = profile.household_size if profile is not None else DEFAULT_HOUSEHOLD_SIZE
        options = _csv_options(args)
        # Read it now so a bad file fails before anything is written.
        with _capture_warnings() as found:
            region = read_villages_csv(
                source_csv,
                region_code="CHECK",
                region_name="check",
                country=country,
                default_kind=kind,
                household_size=household_size,
                **options,
            )
        for w in found:
            warnings.warn(w, stacklevel=1)  # printed with the others
        code, name = _region_identity(args, source_csv, [d.code for d in region.districts])
        read_differently = (
            bool(options["columns"])
            or options["delimiter"] not in (None, ",")
            or (options["decimal"] == ",")
            or any(getattr(w, "kind", "") == "format" for w in found)
        )
        if read_differently:  # the scenario reads villages.csv with the defaults: write it in them
            files["villages.csv"] = _canonical_csv(region)
        else:
            with open_input(source_csv, max_bytes=size_limit(MAX_TABLE_BYTES, None, "init")) as handle:
                files["villages.csv"] = handle.read()
        region_source = RegionSource(
            csv="villages.csv",
            code=code,
            name=name,
            country=country,
            kind=kind,
            household_size=household_size,
            allow_zero_population=bool(args.allow_zero_population),
        )
        written_by = f"Written by 'smartkampung init' for {region.n_villages} villages from {source_csv.name}."
        if profile is not None:
            # The country's starter: its services and village kinds, costs in its currency, its census household
            # size and value of time (smartkampung.countries); a --kind given is kept.
            currency = profile.currency
            scenario = starter_scenario(
                region_source, country=profile, name=f"Smart village programme: {name}", start=args.start or "2026-01"
            )
            scenario = attrs.evolve(
                scenario,
                region=attrs.evolve(scenario.region, kind=kind),
                description=f"{scenario.description} {written_by} Every value is a starting point: edit it to your "
                "city.",
            )
        else:
            _err(
                f"warning: no country profile for {country} (profiles: {', '.join(COUNTRY_PROFILES)}): the starter "
                "uses Smart Kampung's services and costs in rupiah (IDR) and Indonesia's household size; edit them "
                "to your country"
            )
            scenario = Scenario(
                name=f"Smart village programme: {name}",
                region=region_source,
                programme=base.programme,
                start=args.start or "2026-01",
                horizon_months=base.horizon_months,
                rollout=_starter_rollout(base.rollout),
                adoption=base.adoption,
                outcomes=type(base.outcomes)(),  # the office defaults to the population centre
                description=f"Starter scenario for {name}. {written_by} Every value is a Smart Kampung default: "
                "edit to your city.",
            )
    else:
        scenario = attrs.evolve(base, start=args.start) if args.start else base
    header = (
        "# smartkampung scenario. Check it with: smartkampung validate scenario.toml\n"
        "# Run it with: smartkampung simulate scenario.toml --out results\n"
        "# The programme (pillars, services, technologies) is in programme.toml.\n"
        f"# Units: money in {currency}, months, km.\n\n"
    )
    document = unstructure(scenario)
    document["programme"] = "programme.toml"
    files["programme.toml"] = "# Pillars, services and technologies: add, remove or edit entries.\n\n" + dumps(
        scenario.programme, "toml"
    )
    files["scenario.toml"] = header + toml_dumps(document)
    _print_warnings()
    _install_init_files(folder, files, args)
    written = [n for n in ("scenario.toml", "programme.toml", "villages.csv") if n in files]
    note = (
        " (rewritten with the standard columns, ',' between cells and decimal points)"
        if (source_csv is not None and isinstance(files.get("villages.csv"), str))
        else ""
    )
    print(f"wrote {', '.join(written)} into {folder}{note}")
    print(f"next: smartkampung simulate {folder / 'scenario.toml'} --out {folder / 'results'}")
    return EXIT_OK


def _install_init_files(folder: Path, files: Mapping[str, str | bytes], args: argparse.Namespace) -> None:
    """Put init's files into ``folder`` as one set.

    A new folder, or one holding only init's own files, is replaced whole
    (atomically, with a manifest). A folder that also holds the user's own
    files (results, notes) cannot be swapped: then each file is replaced on
    its own (each atomically) and the manifest, removed first, is written
    last, so that a folder with a manifest is always complete.
    """
    from smartkampung.io import MANIFEST, OutputFolder, atomic_write_text
    from smartkampung.io._outputs import _sha256

    parameters = _parameters(args, from_csv=str(Path(args.from_csv).resolve()) if args.from_csv else None)
    try:
        output = OutputFolder(folder, command="init", known_names=INIT_FILES)
    except OutputFolderError:
        output = None
    if output is not None:
        with output:
            if folder.is_dir():  # keep what init does not write (villages.csv without --from-csv)
                for entry in folder.iterdir():
                    if entry.name in INIT_FILES and entry.name not in files and entry.is_file():
                        output.path(entry.name).write_bytes(entry.read_bytes())
            for name, content in files.items():
                if isinstance(content, bytes):
                    output.path(name).write_bytes(content)
                else:
                    output.write_text(name, content)
            output.commit(parameters=parameters, inputs=_inputs())
        return
    (folder / MANIFEST).unlink(missing_ok=True)
    for name, content in files.items():
        atomic_write_text(folder / name, content if isinstance(content, str) else content.decode("utf-8"))
    import datetime

    from smartkampung import __version__
    from smartkampung.io._outputs import MANIFEST_FORMAT

    listed = {}
    for name in sorted(files):
        size, digest = _sha256(folder / name)
        listed[name] = {"bytes": size, "sha256": digest}
    manifest = {
        "format": MANIFEST_FORMAT,
        "smartkampung": __version__,
        "command": "init",
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "parameters": parameters,
        "inputs": _inputs(),
        "files": listed,
        "partial_folder": True,
    }
    atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def _starter_rollout(rollout: Any) -> Any:
    import attrs

    from smartkampung.model import Fixed

    # A partner city has no fitted budget: start from Banyuwangi's later pace,
    # with no phases and nothing connected at the start.
    return attrs.evolve(
        rollout, budget_per_month=Fixed(2.0e9), budget_phases=(), initially_connected=0, policy="population"
    )


def _country_code(text: str) -> str:
    """``--country``: two letters (``th`` is ``TH``), or a usage error naming the option."""
    code = text.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise argparse.ArgumentTypeError(
            f"must be an ISO 3166-1 alpha-2 code of two letters such as ID, PH, TH, VN or MY, got {text!r}"
        )
    return code


def add_parser(sub: Any) -> None:
    """Add the ``init`` command to the subparsers ``sub``."""
    init = sub.add_parser(
        "init",
        help="write a starter scenario for a new city",
        description="Write DIR/scenario.toml and DIR/programme.toml (and DIR/villages.csv "
        "with --from-csv), ready to edit and run.",
    )
    init.add_argument("dir", type=_folder, help="folder to write into (created if needed)")
    init.add_argument(
        "--from-csv",
        metavar="VILLAGES.csv",
        help="villages: columns code, name, district_code, lat, lon, population "
        "(optional kind, households, district_name, population_year)",
    )
    init.add_argument("--code", help="region code (default: the district codes' common prefix, or the file name)")
    init.add_argument(
        "--name",
        help="region name (default: from the CSV's file name; asked for if that is generic, such as villages.csv)",
    )
    init.add_argument(
        "--country",
        type=_country_code,
        help="ISO 3166-1 alpha-2 country code (default ID); ID, PH, TH, VN and MY have country profiles: their "
        "services, village kinds, currency, census household size and value of time",
    )
    init.add_argument(
        "--kind",
        help="village kind for rows without one: desa, kelurahan, barangay, tambon, muban, xa, phuong, kampung, "
        "village (default: the country's usual one, desa in ID, barangay in PH, tambon in TH, xa in VN, kampung "
        "in MY; village elsewhere)",
    )
    init.add_argument(
        "--start",
        help="first month, YYYY-MM (default 2026-01; the Banyuwangi scenario's own 2016-06 without --from-csv)",
    )
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    _csv_arguments(init, "--from-csv")
    init.set_defaults(func=_cmd_init)
