"""Output folders that appear complete or not at all.

The files of one run are written into a hidden temporary sibling of the
target folder. Only when every file is written and flushed to disk is a
manifest added (what was run, with which seed and inputs, and each file's
size and SHA-256), and the staged folder swapped with the target in one
atomic step. Until then the previous complete output stays as it was; a
kill at any moment leaves the target either exactly the previous output or
exactly the new one. (The discipline of SQLite's journal and of git and pip:
a failed operation leaves the previous state.)

The swap is atomic where the operating system offers an exchange of two
paths: Linux (``renameat2(RENAME_EXCHANGE)``, kernel 3.15 and glibc 2.28 or
later, on ext4, XFS, Btrfs, tmpfs and most local file systems) and macOS
(``renamex_np(RENAME_SWAP)``). Elsewhere the old folder is first renamed
aside and the new one renamed into place: two atomic steps, between which
the target is briefly absent (never mixed); the folder set aside is then
removed. Leftovers of a killed run (hidden ``.<name>.*.partial`` and
``.<name>.*.old`` folders of a process that no longer runs) are removed by
the next run into the same folder.

A folder is only replaced if it is empty or holds nothing but what
smartkampung wrote (the files its manifest lists, or files of the names
smartkampung writes): an ``--out`` that names a folder of the user's own,
or an output folder to which the user added a file, is refused, not
emptied.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import datetime
import errno
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from smartkampung._errors import OutputFolderError

__all__ = ["MANIFEST", "OutputFolder", "check_output_folder"]

#: Name of the manifest file in every output folder.
MANIFEST = "manifest.json"
#: Format tag of the manifest.
MANIFEST_FORMAT = "smartkampung-output/1"
_STAGING_SUFFIX = ".partial"
_OLD_SUFFIX = ".old"


def _mode_for_new(kind: int) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return kind & ~umask


def _fsync_path(path: Path, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # pragma: no cover - e.g. Windows cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems do not sync folders
        pass
    finally:
        os.close(fd)


def _sha256(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


# ------------------------------------------------------------------ the swap

_exchange_function: Any = None


def _load_exchange() -> Any:
    """The C function that swaps two paths atomically, or False where there is none."""
    global _exchange_function
    if _exchange_function is None:
        _exchange_function = False
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        except OSError:  # pragma: no cover
            return False
        if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
            function = libc.renameat2
            function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            function.restype = ctypes.c_int
            at_fdcwd, rename_exchange = -100, 2
            _exchange_function = lambda a, b: function(at_fdcwd, a, at_fdcwd, b, rename_exchange)  # noqa: E731
        elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):  # pragma: no cover - not on the CI machine
            function = libc.renamex_np
            function.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
            function.restype = ctypes.c_int
            rename_swap = 2
            _exchange_function = lambda a, b: function(a, b, rename_swap)  # noqa: E731
    return _exchange_function


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step; False where the system cannot."""
    function = _load_exchange()
    if not function:
        return False
    if function(os.fsencode(a), os.fsencode(b)) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False  # this file system cannot: fall back to two renames
    raise OSError(err, os.strerror(err), str(b))


@contextlib.contextmanager
def _no_interrupt() -> Iterator[None]:
    """Hold SIGINT back for a few system calls (main thread only), then let it through."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _pid_of(name: str) -> int | None:
    # .<target>.<pid>.<random>.partial / .old
    parts = name.rsplit(".", 3)
    try:
        return int(parts[-3])
    except (IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


# ------------------------------------------------------------------ the folder


class OutputFolder:
    """A set of output files that replaces a folder all at once.

    Use it as a context manager; write files with :meth:`path` (for
    libraries that write by name, such as matplotlib) or :meth:`write_text`,
    then call :meth:`commit`. Leaving the block without committing (an
    error, Ctrl-C) removes the staged files and leaves the target as it was.

    Parameters
    ----------
    target : path-like
        The output folder. Created if missing; replaced if it holds an
        earlier output; refused if it holds anything else.
    command : str
        What writes it (``"simulate"``), for the manifest.
    known_names : collection of str
        File names this command and its siblings write: a folder holding
        only such files (an output from before manifests) may be replaced.

    Raises
    ------
    OutputFolderError
        The target is a file, is not ours, or cannot be written.

    Examples
    --------
    >>> with OutputFolder(out, command="simulate") as folder:  # doctest: +SKIP
    ...     folder.write_text("summary.txt", text)
    ...     folder.commit(parameters={"runs": 100})
    """

    def __init__(self, target: str | os.PathLike[str], *, command: str, known_names: Collection[str] = ()) -> None:
        if str(target) == "":
            raise OutputFolderError("''", "an output folder needs a name")
        self.target = Path(target)
        self.command = command
        self.known_names = frozenset(known_names) | {MANIFEST}
        self.staging: Path | None = None
        self.committed = False
        self.check_target()

    # ------------------------------------------------------------ checks
    def check_target(self) -> None:
        """Raise unless the target may be replaced: missing, empty, or an earlier output."""
        target = self.target
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise OutputFolderError(str(target), "exists and is not a folder; choose another output folder")
        if not target.exists():
            return
        try:
            entries = sorted(p.name for p in target.iterdir())
        except OSError as exc:
            raise OutputFolderError(str(target), f"cannot be listed: {exc.strerror}") from None
        if not entries:
            return
        listed = self._listed(target / MANIFEST) if MANIFEST in entries else set()
        foreign = [name for name in entries if name not in self.known_names and name not in listed]
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise OutputFolderError(
                str(target),
                f"holds files that smartkampung did not write ({shown}); it would "
                "replace the whole folder, so choose a new or empty folder",
            )

    @staticmethod
    def _listed(manifest: Path) -> set[str]:
        """The files a manifest of ours lists (none if it is not one of ours)."""
        try:
            with manifest.open(encoding="utf-8") as handle:
                data = json.loads(handle.read(1 << 22))
        except (OSError, ValueError):
            return set()
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or data.get("partial_folder"):
            return set()
        files = data.get("files")
        return {str(name) for name in files} if isinstance(files, dict) else set()

    # ------------------------------------------------------------ staging
    def __enter__(self) -> OutputFolder:
        parent = self.target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self._remove_leftovers()
            self.staging = Path(
                tempfile.mkdtemp(prefix=f".{self.target.name}.{os.getpid()}.", suffix=_STAGING_SUFFIX, dir=parent)
            )
            os.chmod(self.staging, _mode_for_new(0o777))  # mkdtemp makes it private
        except OSError as exc:
            raise OutputFolderError(str(self.target), f"cannot be written: {exc.strerror or exc}") from None
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self.committed:
            self.abort()

    def _remove_leftovers(self) -> None:
        prefix = f".{self.target.name}."
        for entry in self.target.parent.iterdir():
            name = entry.name
            if not name.startswith(prefix) or not name.endswith((_STAGING_SUFFIX, _OLD_SUFFIX)):
                continue
            pid = _pid_of(name)
            if pid is not None and not _alive(pid):
                shutil.rmtree(entry, ignore_errors=True)

    def path(self, name: str) -> Path:
        """Where to write file ``name`` (a plain file name) of the set."""
        if self.staging is None:
            raise RuntimeError("OutputFolder.path() outside its with block")
        if not name or "/" in name or "\\" in name or name in (".", "..", MANIFEST):
            raise ValueError(f"not a plain output file name: {name!r}")
        return self.staging / name

    def write_text(self, name: str, text: str) -> None:
        """Write a UTF-8 text file of the set."""
        with self.path(name).open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)

    def abort(self) -> None:
        """Remove the staged files; the target stays as it was."""
        if self.staging is not None:
            with _no_interrupt():
                shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    # ------------------------------------------------------------ commit
    def commit(
        self, *, parameters: Mapping[str, Any] | None = None, inputs: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """Add the manifest and move the complete set into place.

        Parameters
        ----------
        parameters : mapping, optional
            What the command was asked (runs, seed, ...), JSON-serialisable.
        inputs : list of dict, optional
            The files read (see :func:`~smartkampung.io._read.recording_inputs`).

        Returns
        -------
        dict
            The manifest written.
        """
        from smartkampung import __version__

        staging = self.staging
        if staging is None:
            raise RuntimeError("OutputFolder.commit() outside its with block or twice")
        files: dict[str, dict[str, Any]] = {}
        for entry in sorted(staging.iterdir()):
            if entry.is_file():
                _fsync_path(entry)
                size, digest = _sha256(entry)
                files[entry.name] = {"bytes": size, "sha256": digest}
        manifest = {
            "format": MANIFEST_FORMAT,
            "smartkampung": __version__,
            "command": self.command,
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "parameters": dict(parameters or {}),
            "inputs": list(inputs or []),
            "files": files,
        }
        manifest_path = staging / MANIFEST
        with manifest_path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_path(staging, directory=True)
        try:
            self.check_target()  # again: files could have been put there while this run computed
        except OutputFolderError:
            self.abort()
            raise
        try:
            with _no_interrupt():
                self._swap(staging)
                self.committed = True
                self.staging = None
        except OSError as exc:
            self.abort()
            raise OutputFolderError(str(self.target), f"cannot be replaced: {exc.strerror or exc}") from None
        return manifest

    def _swap(self, staging: Path) -> None:
        target = self.target
        parent = target.parent
        try:
            os.rename(staging, target)  # no target, or an empty one: one atomic step
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR, errno.EPERM, errno.EACCES):
                raise
        else:
            _fsync_path(parent, directory=True)
            return
        if _exchange(staging, target):  # staging now holds the previous output
            _fsync_path(parent, directory=True)
            shutil.rmtree(staging, ignore_errors=True)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=_OLD_SUFFIX, dir=parent))
        os.rmdir(old)
        os.rename(target, old)
        os.rename(staging, target)
        _fsync_path(parent, directory=True)
        shutil.rmtree(old, ignore_errors=True)


def check_output_folder(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a complete output folder; an error if the folder is not exactly what it lists.

    Parameters
    ----------
    path : path-like
        A folder written by ``smartkampung simulate``, ``plan`` or ``init``.

    Returns
    -------
    dict
        Its manifest.

    Raises
    ------
    OutputFolderError
        No manifest, a file missing or changed (size or SHA-256), or a file
        that the manifest does not list.
    """
    folder = Path(path)
    try:
        with (folder / MANIFEST).open(encoding="utf-8") as handle:
            manifest = json.loads(handle.read())
    except FileNotFoundError:
        raise OutputFolderError(str(folder), f"has no {MANIFEST}: not a complete smartkampung output") from None
    except (OSError, ValueError) as exc:
        raise OutputFolderError(str(folder), f"{MANIFEST} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise OutputFolderError(str(folder), f"{MANIFEST} is not a smartkampung manifest")
    listed: dict[str, Any] = manifest.get("files", {})
    present = {p.name for p in folder.iterdir()} - {MANIFEST}
    # init into a folder that also holds the user's own files lists only its own
    unlisted = set() if manifest.get("partial_folder") else present - set(listed)
    problems = [f"{name} is not listed in the manifest" for name in sorted(unlisted)]
    for name, info in sorted(listed.items()):
        file = folder / name
        if not file.is_file():
            problems.append(f"{name} is missing")
            continue
        size, digest = _sha256(file)
        if size != info.get("bytes") or digest != info.get("sha256"):
            problems.append(f"{name} differs from the manifest")
    if problems:
        raise OutputFolderError(str(folder), "; ".join(problems))
    return manifest
