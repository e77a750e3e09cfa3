"""``python -m smartkampung``: the command line."""

from smartkampung.cli import run

run()
