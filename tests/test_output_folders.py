"""Issue 12, class 2: an output folder is the previous complete output or the new complete one, never a mix.

The kill tests stop ``simulate --out DIR`` with SIGKILL at every file-system
step of its output phase (counted by an audit hook in a forked child, so no
interpreter start-up per kill), and at a few wall-clock moments of a real
``python -m smartkampung`` run; after each, DIR must be byte for byte the
previous output, or a complete new one that matches its manifest.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smartkampung.cli import main

TINY = 'name = "Tiny"\nhorizon_months = 6\n\n[region]\nbuiltin = "guimaras"\n'


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


def simulate(scenario: Path, out: Path, *extra: str, seed: int = 1) -> int:
    return main(["simulate", str(scenario), "--runs", "2", "--seed", str(seed), "--out", str(out), "-q", *extra])


def test_each_run_replaces_the_whole_folder(tiny: Path, tmp_path: Path) -> None:
    from smartkampung.io import check_output_folder

    out = tmp_path / "out"
    assert simulate(tiny, out) == 0
    assert {"coverage.png", "manifest.json"} <= set(snapshot(out))
    first = check_output_folder(out)
    assert first["command"] == "simulate"
    assert first["parameters"]["seed"] == 1
    assert first["parameters"]["runs"] == 2
    assert first["inputs"][0]["path"] == str(tiny.resolve())
    assert set(first["files"]) == set(snapshot(out)) - {"manifest.json"}
    # Without plots, the earlier run's PNGs must not survive into the new output.
    assert simulate(tiny, out, "--no-plots", seed=2) == 0
    assert not [name for name in snapshot(out) if name.endswith(".png")]
    assert check_output_folder(out)["parameters"]["seed"] == 2
    assert leftovers(out) == []


def test_a_failure_while_writing_keeps_the_previous_output(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert simulate(tiny, out, "--no-plots") == 0
    before = snapshot(out)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    # The GeoJSON is written after the three CSVs: a full disk there must not leave new CSVs beside old files.
    monkeypatch.setattr("smartkampung.io._geojson.atomic_write_text", disk_full)
    assert simulate(tiny, out, "--no-plots", seed=2) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_folder_of_the_users_own_is_refused_not_emptied(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "my-documents"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"years of work")
    assert simulate(tiny, mine) == 2
    err = capsys.readouterr().err
    assert "thesis.docx" in err
    assert "did not write" in err
    assert snapshot(mine) == {"thesis.docx": b"years of work"}
    assert main(["plan", str(tiny), "--out", str(mine)]) == 2
    assert snapshot(mine) == {"thesis.docx": b"years of work"}


def test_output_folder_api(tmp_path: Path) -> None:
    from smartkampung import OutputFolderError
    from smartkampung.io import OutputFolder, check_output_folder

    target = tmp_path / "set"
    with OutputFolder(target, command="test") as folder:
        folder.write_text("a.txt", "one")
        assert not target.exists()  # nothing visible before commit
        manifest = folder.commit(parameters={"n": 1})
    assert snapshot(target) == {"a.txt": b"one", "manifest.json": (target / "manifest.json").read_bytes()}
    assert manifest["files"]["a.txt"]["bytes"] == 3

    # Leaving the block without commit (an error) leaves the previous set.
    def fail_half_way() -> None:
        with OutputFolder(target, command="test") as folder:
            folder.write_text("b.txt", "two")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_half_way()
    assert sorted(snapshot(target)) == ["a.txt", "manifest.json"]
    assert leftovers(target) == []
    # A folder that changed after its manifest was written is told apart from a complete one.
    (target / "a.txt").write_text("edited", encoding="utf-8")
    with pytest.raises(OutputFolderError, match=r"a\.txt differs"):
        check_output_folder(target)
    (tmp_path / "plain").mkdir()
    with pytest.raises(OutputFolderError, match="no manifest"):
        check_output_folder(tmp_path / "plain")
    with pytest.raises(OutputFolderError):
        OutputFolder("", command="test")
    with pytest.raises(ValueError, match="plain output file name"), OutputFolder(tmp_path / "x", command="t") as f:
        f.path("../escape.txt")


def complete(out: Path) -> dict[str, object]:
    """The manifest of ``out``, checked here independently: exactly the files it lists, with their SHA-256."""
    files = snapshot(out)
    assert "manifest.json" in files, f"no manifest in {sorted(files)}: a half-written folder looks complete"
    manifest = json.loads(files.pop("manifest.json"))
    assert set(manifest["files"]) == set(files), (sorted(manifest["files"]), sorted(files))
    for name, data in files.items():
        assert manifest["files"][name] == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}, name
    return manifest  # type: ignore[no-any-return]


def _old_or_new(out: Path, before: dict[str, bytes]) -> str:
    """'old' if ``out`` is exactly ``before``, 'new' if it is a complete new output; fail otherwise."""
    if snapshot(out) == before:
        return "old"
    assert complete(out)["parameters"]["seed"] == 2  # type: ignore[index]
    return "new"


def _fork_and_kill(args: list[str], parent: Path, kill_at: int) -> tuple[int, int]:
    """Run ``main(args)`` in a forked child that SIGKILLs itself at its ``kill_at``-th file-system step
    under ``parent`` (0: never); return how it ended and how many steps it took."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        count = 0
        root = os.path.realpath(parent) + os.sep
        events = {
            "open",
            "os.rename",
            "os.replace",
            "os.remove",
            "os.rmdir",
            "os.mkdir",
            "os.chmod",
            "shutil.rmtree",
            "os.unlink",
        }

        def hook(event: str, hook_args: tuple[object, ...]) -> None:
            nonlocal count
            if event == "ctypes.call_function":
                hit = True  # the atomic exchange of the two folders
            elif event in events and hook_args and isinstance(hook_args[0], (str, bytes, os.PathLike)):
                hit = os.path.realpath(os.fsdecode(hook_args[0])).startswith(root)
            else:
                return
            if hit:
                count += 1
                if count == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)

        sys.addaudithook(hook)
        try:
            code = main(args)
        except BaseException:
            code = 99
        os.write(write, str(count).encode())
        os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    steps = os.read(read, 64)
    os.close(read)
    return status, int(steps or b"0")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_kill_9_at_every_step_leaves_old_or_new(tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    # Without plots and report (each killed run would draw them again: seconds): the files that are written
    # (tables, layers, the saved result, the summary) go through the same staging and exchange.
    assert simulate(tiny, out, "--no-plots", "--no-report") == 0
    before = snapshot(out)
    args = ["simulate", str(tiny), "--runs", "2", "--seed", "2", "--out", str(out), "--no-plots", "--no-report", "-q"]
    status, steps = _fork_and_kill(args, tmp_path, 0)
    assert os.WIFEXITED(status)
    assert os.WEXITSTATUS(status) == 0
    assert _old_or_new(out, before) == "new"
    assert steps > 10
    # Back to the old output, then kill at each step of the run: first write, every file, the manifest,
    # the exchange of the folders, the removal of the old one.
    import shutil

    outcomes = []
    for kill_at in range(1, steps + 1):
        # The same starting state for every kill: the old output and no leftovers of the last kill
        # (the next run would remove those first, which would shift the steps).
        assert sorted(leftovers(out)) == leftovers(out)
        for name in leftovers(out):
            shutil.rmtree(tmp_path / name)
        (tmp_path / "restore").mkdir()
        for name, data in before.items():
            (tmp_path / "restore" / name).write_bytes(data)
        shutil.rmtree(out)
        os.rename(tmp_path / "restore", out)
        status, _ = _fork_and_kill(args, tmp_path, kill_at)
        assert os.WIFSIGNALED(status)
        assert os.WTERMSIG(status) == signal.SIGKILL
        outcomes.append(_old_or_new(out, before))
    capsys.readouterr()
    # Early kills keep the old output, late ones leave the new; the change happens once, at the exchange.
    assert outcomes[0] == "old"
    assert outcomes[-1] == "new"
    switch = outcomes.index("new")
    assert outcomes[switch:] == ["new"] * (len(outcomes) - switch)
    # Whatever a killed run left behind (a hidden staging folder) is removed by the next run.
    status, _ = _fork_and_kill(args, tmp_path, steps // 2)
    assert leftovers(out)
    assert simulate(tiny, out, "--no-plots", "--no-report", seed=3) == 0
    assert leftovers(out) == []


def test_kill_9_at_wall_clock_moments(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert simulate(tiny, out) == 0
    before = snapshot(out)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    outcomes = []
    for delay in (0.3, 0.9, 1.5, 2.1):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "smartkampung",
                "simulate",
                str(tiny),
                "--runs",
                "30",
                "--seed",
                "2",
                "--out",
                str(out),
                "-q",
            ],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        outcomes.append(_old_or_new(out, before))
        if outcomes[-1] == "new":  # start again from the old output
            import shutil

            shutil.rmtree(out)
            out.mkdir()
            for name, data in before.items():
                (out / name).write_bytes(data)
    assert "old" in outcomes  # a kill before the end kept the old output


def test_two_runs_into_one_folder_do_not_mix(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "smartkampung",
                "simulate",
                str(tiny),
                "--runs",
                "3",
                "--seed",
                str(seed),
                "--out",
                str(out),
                "-q",
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (11, 12)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    manifest = complete(out)  # one complete set, not a mix of the two
    assert manifest["parameters"]["seed"] in (11, 12)  # type: ignore[index]
    assert leftovers(out) == []


def test_plan_and_init_write_whole_folders(tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from smartkampung.datasets import data_path
    from smartkampung.io import check_output_folder

    plan = tmp_path / "plan"
    assert main(["plan", str(tiny), "--out", str(plan)]) == 0
    assert check_output_folder(plan)["command"] == "plan"
    assert main(["plan", str(tiny), "--out", str(plan), "--no-plots"]) == 0
    assert "plan_map.png" not in snapshot(plan)
    city = tmp_path / "city"
    assert (
        main(
            [
                "init",
                str(city),
                "--from-csv",
                str(data_path("guimaras_villages.csv")),
                "--country",
                "PH",
                "--name",
                "Guimaras",
                "--code",
                "0607900000",
            ]
        )
        == 0
    )
    manifest = check_output_folder(city)
    assert set(manifest["files"]) == {"scenario.toml", "programme.toml", "villages.csv"}
    # A city folder that also holds the user's results: init --force replaces its own files and says so.
    assert main(["simulate", str(city), "--runs", "1", "--out", str(city / "results"), "--no-plots", "-q"]) == 0
    assert (
        main(
            [
                "init",
                str(city),
                "--from-csv",
                str(data_path("guimaras_villages.csv")),
                "--country",
                "PH",
                "--name",
                "Guimaras",
                "--code",
                "0607900000",
                "--force",
            ]
        )
        == 0
    )
    assert (city / "results" / "monthly.csv").is_file()
    assert check_output_folder(city)["partial_folder"] is True
    capsys.readouterr()
