"""``import smartkampung`` stays light: no pandas, plotting, Dask, xarray or tqdm until asked for.

Checked in a fresh interpreter, since this test process has imported most of them already.
Import time is measured in ``benchmarks/``, never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "matplotlib", "dask", "distributed", "xarray", "tqdm")


def _modules_after(statements: str) -> set[str]:
    code = f"{statements}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_plain_import_is_light() -> None:
    loaded = _modules_after("import smartkampung")
    assert "smartkampung" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize(
    "statements",
    [
        "import smartkampung.io",
        "import smartkampung.datasets; smartkampung.datasets.banyuwangi()",
        "import smartkampung as sk; sk.io.dumps(sk.smart_kampung_programme(), 'toml')",
    ],
)
def test_io_and_datasets_are_light(statements: str) -> None:
    loaded = _modules_after(statements)
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_the_check_can_fail() -> None:
    # The probe really sees modules imported in the subprocess.
    assert "wave" not in _modules_after("pass")
    assert "wave" in _modules_after("import wave")
