"""ruff (lint and format) and mypy (strict on src/) in the test command, so CI and contributors run them alike."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", "src", "tests", "benchmarks", "examples", "docs/conf.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    # One layout for all code (pyproject.toml [tool.ruff.format]): run "ruff format" before committing.
    result = _run("ruff", "format", "--check", "src", "tests", "benchmarks", "examples", "docs/conf.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    # The configuration (strict, files = src/smartkampung) lives in pyproject.toml.
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
