"""``python -m smartkampung.cli``: the ``smartkampung`` command."""

from smartkampung.cli._main import run

run()
