"""The ``smartkampung`` command: run a scenario from a file, plan a rollout, compare scenarios, rebuild a
report, check files, start a city.

Exit codes: 0 success, 1 invalid input (every problem is printed, with file,
record and field), 2 wrong usage, 130 interrupted (Ctrl-C). A user's mistake
never prints a traceback. Output folders are written whole or not at all
(:class:`smartkampung.io.OutputFolder`): an interrupted or failed run leaves
the previous output as it was.

One module per command (``_simulate``, ``_plan``, ``_compare``, ``_report``,
``_validate``, ``_init``, ``_schema``); what they share is in ``_common``
(exit codes, scenarios, currency, CSV tables, output folders, executors),
``_outputs`` (what ``simulate`` writes, summaries), ``_options`` (argument
types) and ``_warnings``; ``_main`` holds the parser and the entry points.
"""

# Re-exported for tests and callers of the old single-module CLI.
from smartkampung.cli._common import _csv_text as _csv_text
from smartkampung.cli._common import _write_csv as _write_csv
from smartkampung.cli._main import _main as _main
from smartkampung.cli._main import _parser as _parser
from smartkampung.cli._main import main, run

__all__ = ["main", "run"]
