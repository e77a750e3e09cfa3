"""The command line's entry points: the parser, :func:`main` and :func:`run`."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence

from smartkampung._errors import SmartKampungError, field_and_message, hints_for
from smartkampung.cli import _compare, _init, _plan, _report, _schema, _simulate, _validate
from smartkampung.cli._common import EXIT_INTERRUPTED, EXIT_INVALID, EXIT_USAGE, _err, _ignore_interrupts, _Usage
from smartkampung.cli._warnings import _printing_warnings

__all__ = ["main", "run"]


def _parser() -> argparse.ArgumentParser:
    from smartkampung import __version__

    parser = argparse.ArgumentParser(
        prog="smartkampung",
        description="Model smart-village programmes: rollout under a budget, service adoption, outcomes. "
        "With no scenario, commands use the bundled Banyuwangi Smart Kampung scenario.",
    )
    parser.add_argument("--version", action="version", version=f"smartkampung {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    _simulate.add_parser(sub)
    _plan.add_parser(sub)
    _compare.add_parser(sub)
    _report.add_parser(sub)
    _validate.add_parser(sub)
    _init.add_parser(sub)
    _schema.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    return _main(argv, restore_signals=True)


def _main(argv: Sequence[str] | None, *, restore_signals: bool) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from smartkampung.io._read import recording_inputs

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if in_main_thread else None
    try:
        with hints_for("cli"), recording_inputs(), _printing_warnings():
            code: int = args.func(args)
            return code
    except _Usage as exc:
        _err(str(exc))
        return EXIT_USAGE
    except SmartKampungError as exc:
        _err(str(exc))
        return EXIT_INVALID
    except ValueError as exc:  # e.g. an unknown village kind given on the command line
        _err(field_and_message(exc)[1])
        return EXIT_USAGE
    except MemoryError:
        _err("not enough memory: reduce --runs, the horizon or the number of villages")
        return EXIT_INVALID
    except BrokenPipeError:  # the reader of our output went away (| head): nothing more to say
        _quiet_stdout()
        return EXIT_INVALID
    except OSError as exc:  # a folder that cannot be made, a file that cannot be written
        where = f": {exc.filename}" if exc.filename else ""
        _err(f"{exc.strerror or exc}{where}")
        return EXIT_INVALID
    except KeyboardInterrupt:
        _ignore_interrupts()
        _err("interrupted: nothing was written, an earlier output folder is as it was")
        return EXIT_INTERRUPTED
    finally:
        if restore_signals and in_main_thread and previous is not None:
            signal.signal(signal.SIGINT, previous)


def _quiet_stdout() -> None:
    # Python flushes stdout at exit; after a broken pipe that would raise again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def run() -> None:
    """Entry point of the ``smartkampung`` command and ``python -m smartkampung``.

    After Ctrl-C, worker threads may still be finishing a run (threads
    cannot be stopped from outside); the process then exits at once instead
    of waiting for them, its output already cleaned up.
    """
    try:
        code = _main(None, restore_signals=False)  # after Ctrl-C, further ones are ignored until exit
    except KeyboardInterrupt:  # before the command started (while importing)
        _err("interrupted")
        code = EXIT_INTERRUPTED
    if code == EXIT_INTERRUPTED and threading.active_count() > 1:
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
