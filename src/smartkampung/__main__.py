"""``python -m smartkampung``: the command line."""

import sys

from smartkampung.cli import main

sys.exit(main())
