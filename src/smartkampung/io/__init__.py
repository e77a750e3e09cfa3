"""Files in and out: JSON and TOML for every model class, village CSVs, regions, GeoJSON, saved results,
output folders.

All readers read regular files only, with a size limit, and raise
:class:`~smartkampung.DataFileError` naming the file and listing every
problem with its record and field; all writers are atomic, and an output
folder (:class:`OutputFolder`) appears complete or not at all.
"""

from smartkampung.io._checks import region_checks
from smartkampung.io._converter import converter
from smartkampung.io._csv import read_villages_csv
from smartkampung.io._files import Format, atomic_write_text, dump, dumps, load, loads
from smartkampung.io._geojson import (
    link_layer,
    read_boundaries,
    to_geojson,
    village_layer,
    write_geojson,
    write_geopackage,
    write_layers,
)
from smartkampung.io._outputs import MANIFEST, OutputFolder, check_output_folder
from smartkampung.io._read import MAX_DOCUMENT_BYTES, MAX_TABLE_BYTES
from smartkampung.io._regions import BUILTIN_REGIONS, read_region
from smartkampung.io._results import read_result, write_result
from smartkampung.io._schema import json_schema

__all__ = [
    "BUILTIN_REGIONS",
    "MANIFEST",
    "MAX_DOCUMENT_BYTES",
    "MAX_TABLE_BYTES",
    "Format",
    "OutputFolder",
    "atomic_write_text",
    "check_output_folder",
    "converter",
    "dump",
    "dumps",
    "json_schema",
    "link_layer",
    "load",
    "loads",
    "read_boundaries",
    "read_region",
    "read_result",
    "read_villages_csv",
    "region_checks",
    "to_geojson",
    "village_layer",
    "write_geojson",
    "write_geopackage",
    "write_layers",
    "write_result",
]
