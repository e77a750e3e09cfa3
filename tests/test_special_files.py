"""Issue 12, class 1: special files never hang or exhaust memory; reads are bounded; rows are streamed.

A reader that would block on a FIFO is run in a daemon thread and must
finish at once; after the test the FIFO is opened for writing, which
unblocks a reader that did block, so a regression fails instead of hanging.
Device files are read in a child process with a memory limit, so a
regression fails instead of eating the machine's memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smartkampung import DataFileError, Programme, Region, Scenario
from smartkampung.cli import main
from smartkampung.io import load, read_villages_csv

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")

KW = {"region_code": "R", "region_name": "R", "country": "PH"}
HEADER = "code,name,district_code,lat,lon,population\n"


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    made: list[Path] = []

    def make(name: str) -> Path:
        path = tmp_path / name
        os.mkfifo(path)
        made.append(path)
        return path

    yield make
    for path in made:  # unblock any reader that did block
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            continue
        os.close(fd)


def finishes(call: Callable[[], object], timeout: float = 10.0) -> object:
    """What ``call()`` returned or raised, or a failure if it did not finish (it blocked)."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        pytest.fail("the reader blocked on a special file")
    return outcome[0]


def test_a_fifo_is_refused_by_every_reader(fifo: Callable[[str], Path], tmp_path: Path) -> None:
    for call in (
        lambda: load(fifo("a.toml"), Scenario),
        lambda: load(fifo("b.json"), Programme),
        lambda: read_villages_csv(fifo("c.csv"), **KW),
    ):  # type: ignore[arg-type]
        error = finishes(call)
        assert isinstance(error, DataFileError), error
        assert "named pipe (FIFO)" in str(error)
        assert "not a regular file" in str(error)
    # A scenario naming a FIFO as its programme.
    fifo("programme.toml")
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        'name = "x"\nprogramme = "programme.toml"\n\n[region]\nbuiltin = "banyuwangi"\n', encoding="utf-8"
    )
    error = finishes(lambda: load(scenario, Scenario))
    assert isinstance(error, DataFileError)
    assert f"{tmp_path / 'programme.toml'}: is a named pipe" in str(error)


def test_the_command_line_never_blocks_on_a_fifo(
    fifo: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario_fifo = fifo("f.toml")
    villages_fifo = fifo("villages.csv")
    csv_scenario = tmp_path / "s.toml"
    csv_scenario.write_text('name = "x"\n\n[region]\ncsv = "villages.csv"\ncode = "R"\nname = "R"\n', encoding="utf-8")
    for argv, code in (
        (["validate", str(scenario_fifo)], 1),
        (["validate", str(csv_scenario)], 1),
        (["simulate", str(scenario_fifo), "--out", str(tmp_path / "o")], 1),
        (["init", str(tmp_path / "city"), "--from-csv", str(villages_fifo), "--name", "R", "--code", "R"], 1),
    ):
        assert finishes(lambda argv=argv: main(argv)) == code, argv  # type: ignore[misc]
        err = capsys.readouterr()
        assert "named pipe (FIFO)" in err.out + err.err, argv
    assert not (tmp_path / "o").exists()
    assert not (tmp_path / "city").exists()


def _in_child(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # A child with 2 GiB of address space: reading a device without bound fails there, not here.
    prelude = "import resource\nresource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_at_once(tmp_path: Path) -> None:
    result = _in_child(
        "from smartkampung import DataFileError, Region\n"
        "from smartkampung.io import load, read_villages_csv\n"
        "for call in (lambda: read_villages_csv('/dev/zero', region_code='R', region_name='R', country='PH'),\n"
        "             lambda: load('/dev/zero', Region, format='json')):\n"
        "    try:\n"
        "        call()\n"
        "    except DataFileError as exc:\n"
        "        print(exc)\n",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("is a character device, not a regular file") == 2


def test_files_above_the_size_limit_are_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from smartkampung.datasets import banyuwangi_scenario
    from smartkampung.io import dump

    path = tmp_path / "s.toml"
    dump(banyuwangi_scenario(), path)
    size = path.stat().st_size
    with pytest.raises(DataFileError, match=r"more than the 1\.0 KiB read at most") as info:
        load(path, Scenario, max_bytes=1024)
    assert "SMARTKAMPUNG_MAX_FILE_MB" in str(info.value)
    assert load(path, Scenario, max_bytes=size) == banyuwangi_scenario()
    # The environment sets the limit for a whole session (the command line too).
    monkeypatch.setenv("SMARTKAMPUNG_MAX_FILE_MB", "0.001")
    with pytest.raises(DataFileError, match="read at most"):
        load(path, Scenario)
    monkeypatch.setenv("SMARTKAMPUNG_MAX_FILE_MB", "lots")
    from smartkampung import ParameterError

    with pytest.raises(ParameterError, match="SMARTKAMPUNG_MAX_FILE_MB"):
        load(path, Scenario)
    monkeypatch.delenv("SMARTKAMPUNG_MAX_FILE_MB")
    table = tmp_path / "v.csv"
    table.write_text(HEADER + "a,A,D,1,2,3\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="read at most"):
        read_villages_csv(table, max_bytes=10, **KW)  # type: ignore[arg-type]


def test_a_huge_line_is_not_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import smartkampung.io._csv_rows as csv_module  # where the village reader reads its lines

    monkeypatch.setattr(csv_module, "MAX_LINE_CHARS", 1000)
    path = tmp_path / "one-line.csv"
    path.write_text(HEADER + "x" * 5000, encoding="utf-8")
    with pytest.raises(DataFileError, match="line 2 is longer than 1,000 characters"):
        read_villages_csv(path, **KW)  # type: ignore[arg-type]


def test_rows_are_streamed_and_problems_bounded(tmp_path: Path) -> None:
    # 30,000 bad rows (1.5 MB): the reader keeps neither the rows nor 30,000 problems, only the codes
    # seen (to find duplicates) and the first rows (to detect how numbers are written).
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for i in range(30_000):
            handle.write(f"v{i},Village number {i},D{i % 50},10.{i % 1000:03d},122.5,many\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with pytest.raises(DataFileError) as info:
            read_villages_csv(path, **KW)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    problems = info.value.problems
    assert len(problems) == 11  # ten listed, then one line for the rest
    assert problems[-1].message.startswith("... and 29,990 more with the same problem")
    assert problems[-1].field == "population"
    # Buffering the rows as lists of cells and one Problem per row took about 20 times the file.
    assert peak < 3 * size


def test_a_region_document_that_is_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "region.json"
    folder.mkdir()
    with pytest.raises(DataFileError, match="is a folder"):
        load(folder, Region)
