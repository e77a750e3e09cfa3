"""Every input file is opened here: regular files only, read with a size limit, recorded.

One mechanism for every reader (scenario, programme and region documents,
village tables, a scenario's programme file and village file):

* Only regular files are read. A FIFO, a device (``/dev/zero``), a socket or
  a folder is refused with a :class:`~smartkampung.DataFileError` before a
  byte is read: the file is opened without blocking (``O_NONBLOCK``), so
  opening a FIFO cannot hang, and then checked with ``fstat`` on the open
  descriptor, so there is no race between the check and the read.
* Reads are bounded. A file larger than the limit is refused before it is
  read, and a file that grows while it is read is stopped at the limit. The
  limits (:data:`MAX_DOCUMENT_BYTES` for JSON/TOML, :data:`MAX_TABLE_BYTES`
  for CSV) can be changed per call (``max_bytes=``) or for a whole session
  with the environment variable ``SMARTKAMPUNG_MAX_FILE_MB``.
* Lines are bounded too (:data:`MAX_LINE_CHARS`): a one-line file of a
  gigabyte is not a village table.
* What was read is recorded (path, size, SHA-256) for the manifests of
  output folders (:func:`recording_inputs`).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from smartkampung._errors import DataFileError, ParameterError, Problem

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_LINE_CHARS",
    "MAX_TABLE_BYTES",
    "open_input",
    "read_input_text",
    "recording_inputs",
    "size_limit",
]

#: Largest JSON or TOML document read (64 MiB: a region of every village of
#: Indonesia, about 84,000, takes some 30 MiB). [bytes]
MAX_DOCUMENT_BYTES = 64 * 2**20
#: Largest CSV table read (256 MiB: about three million villages). [bytes]
MAX_TABLE_BYTES = 256 * 2**20
#: Longest line of a CSV table (1 Mi characters). [characters]
MAX_LINE_CHARS = 2**20
#: Environment variable that sets both limits, in MiB.
LIMIT_VARIABLE = "SMARTKAMPUNG_MAX_FILE_MB"

_INPUTS: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "smartkampung_inputs", default=None
)


def size_limit(default: int, max_bytes: int | None, function: str) -> int:
    """The size limit of a read: ``max_bytes`` if given, else the environment's, else ``default``. [bytes]"""
    if max_bytes is not None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise ParameterError(
                "max_bytes", f"must be a whole number of bytes >= 1, got {max_bytes!r}", function=function
            )
        return max_bytes
    env = os.environ.get(LIMIT_VARIABLE)
    if env:
        try:
            megabytes = float(env)
        except ValueError:
            megabytes = -1.0
        if not 0 < megabytes < 2**40:
            raise ParameterError(LIMIT_VARIABLE, f"must be a size in MiB (such as 512), got {env!r}", function=function)
        return int(megabytes * 2**20)
    return default


def _describe_mode(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _size(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} bytes"


def _too_large(source: str, size: str, limit: int) -> DataFileError:
    return DataFileError(
        source,
        [
            Problem(
                f"is {size}, more than the {_size(limit)} read at most; if it really is an input, raise the limit "
                f"with the environment variable {LIMIT_VARIABLE} (in MiB) or max_bytes="
            )
        ],
    )


class _BoundedReader(io.RawIOBase):
    """A regular file's bytes, stopped at a limit, hashed as they are read."""

    def __init__(self, raw: io.FileIO, limit: int, source: str, path: Path) -> None:
        self._raw = raw
        self._limit = limit
        self._source = source
        self._path = path
        self._count = 0
        self._hash = hashlib.sha256()
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)
        if n is None:  # pragma: no cover - a regular file does not block
            return 0
        if n == 0:
            self._eof = True
            return 0
        self._count += n
        if self._count > self._limit:
            raise _too_large(self._source, f"larger than {_size(self._limit)} (it grew while read)", self._limit)
        self._hash.update(memoryview(buffer)[:n])
        return n

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
            inputs = _INPUTS.get()
            if self._eof and inputs is not None:
                inputs.append(
                    {"path": str(self._path.resolve()), "bytes": self._count, "sha256": self._hash.hexdigest()}
                )
        super().close()


def _open_error(source: str, exc: OSError) -> DataFileError:
    if isinstance(exc, FileNotFoundError):
        return DataFileError(source, [Problem("file not found")])
    if isinstance(exc, IsADirectoryError):
        return DataFileError(source, [Problem("is a folder, not a file")])
    if isinstance(exc, PermissionError):
        return DataFileError(source, [Problem("cannot be read: permission denied")])
    return DataFileError(source, [Problem(f"cannot be read: {exc.strerror or exc}")])


@contextlib.contextmanager
def open_input(path: str | os.PathLike[str], *, max_bytes: int, source: str | None = None) -> Iterator[BinaryIO]:
    """Open a regular file for reading, bounded to ``max_bytes``.

    Parameters
    ----------
    path : path-like
        The file.
    max_bytes : int
        Most bytes read; a larger file is refused before reading. [bytes]
    source : str, optional
        Name in messages (default: the path as given).

    Raises
    ------
    DataFileError
        If the file is missing, not a regular file (a FIFO, device, socket
        or folder), unreadable, or larger than ``max_bytes``.
    """
    name = str(path) if source is None else source
    try:
        file = Path(path)
    except TypeError:
        raise DataFileError(name, [Problem(f"is not a file name: {path!r}")]) from None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(file, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _open_error(name, exc) from None
    except ValueError as exc:  # an embedded NUL character
        raise DataFileError(name, [Problem(f"is not a usable file name ({exc})")]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DataFileError(
                name,
                [
                    Problem(
                        f"is {_describe_mode(info.st_mode)}, not a regular file: only regular files are read "
                        "(a pipe or device could block or never end)"
                    )
                ],
            )
        if info.st_size > max_bytes:
            raise _too_large(name, _size(info.st_size), max_bytes)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        raw = io.FileIO(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise
    reader = _BoundedReader(raw, max_bytes, name, file)
    buffered = io.BufferedReader(reader)
    try:
        yield buffered
    except OSError as exc:
        raise _open_error(name, exc) from None
    finally:
        buffered.close()


def read_input_text(path: str | os.PathLike[str], *, max_bytes: int, source: str | None = None) -> str:
    """The whole text of a regular UTF-8 file (a leading byte-order mark dropped), bounded to ``max_bytes``.

    Raises
    ------
    DataFileError
        As :func:`open_input`, and if the bytes are not UTF-8.
    """
    name = str(path) if source is None else source
    with open_input(path, max_bytes=max_bytes, source=name) as handle:
        data = handle.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataFileError(
            name, [Problem(f"not UTF-8 text ({exc.reason} at byte {exc.start}, line {line}); save the file as UTF-8")]
        ) from None


@contextlib.contextmanager
def recording_inputs() -> Iterator[list[dict[str, Any]]]:
    """Within the block, every input file read to its end is listed: path, bytes, SHA-256."""
    inputs: list[dict[str, Any]] = []
    token = _INPUTS.set(inputs)
    try:
        yield inputs
    finally:
        _INPUTS.reset(token)
