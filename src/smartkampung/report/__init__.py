"""The offline HTML report of a simulation, and the headline summary in English or Indonesian.

- :func:`build_report` / :func:`write_report`: one self-contained HTML file
  (map, fan charts, key figures, assumptions with sources, provenance) that
  opens offline in any browser.
- :func:`build_plan_report`: the same page for a network plan and its
  schedule alone (``smartkampung plan``).
- :func:`summary_text`: the headline outcomes as plain text (``summary.txt``).
- :func:`assumption_rows`, :func:`file_record`: the report's assumptions
  table and the SHA-256 of an input file.

The charts need matplotlib (``pip install "smartkampung[report]"``); the map,
tables and summary do not.
"""

from smartkampung.report._html import Assumption, assumption_rows, build_report, file_record, write_report
from smartkampung.report._plan import build_plan_report
from smartkampung.report._summary import SummaryRow, summary_rows, summary_text

__all__ = [
    "Assumption",
    "SummaryRow",
    "assumption_rows",
    "build_plan_report",
    "build_report",
    "file_record",
    "summary_rows",
    "summary_text",
    "write_report",
]
