"""``smartkampung compare``: scenarios on common random numbers, paired differences with bands."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import attrs
import numpy as np
import pytest

import smartkampung as sk
from cli_helpers import run
from smartkampung import io
from smartkampung.cli import main
from smartkampung.datasets import banyuwangi_scenario
from smartkampung.io import check_output_folder
from smartkampung.model import Fixed

RUNS, SEED = 3, 4


def _base() -> sk.Scenario:
    return attrs.evolve(banyuwangi_scenario(), name="Baseline", horizon_months=30)


def _richer() -> sk.Scenario:
    base = _base()
    return attrs.evolve(base, name="Faster adoption", adoption=attrs.evolve(base.adoption, p_multiplier=Fixed(2.0)))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    io.dump(_base(), folder / "a.toml")
    io.dump(_richer(), folder / "b.toml")
    return folder / "a.toml", folder / "b.toml"


@pytest.fixture(scope="module")
def compared(files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    import contextlib
    import io as stdio

    out = tmp_path_factory.mktemp("compare") / "out"
    buffer = stdio.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert (
            main(["compare", str(files[0]), str(files[1]), "--runs", str(RUNS), "--seed", str(SEED), "--out", str(out)])
            == 0
        )
    return out, buffer.getvalue()


def _per_run(result: sk.SimulationResult, name: str) -> np.ndarray:
    if result.metric_info(name).kind == "flow":
        return result.total(name)
    return result.metric(name)[:, -1]


def test_differences_are_paired_run_by_run(compared: tuple[Path, str]) -> None:
    out, _ = compared
    check_output_folder(out)
    with (out / "comparison.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert header == [
        "outcome",
        "unit",
        "scenario",
        "baseline",
        "q10",
        "q50",
        "q90",
        "difference_q10",
        "difference_q50",
        "difference_q90",
        "note",
    ]
    # Independently: the library's comparison on the same seed, and each run's difference.
    comparison = sk.compare([_base(), _richer()], runs=RUNS, rng=SEED)
    a, b = comparison.results
    by_key = {(r[0], r[2]): r for r in body}
    for name in ("villages_connected", "adopters", "cumulative_cost", "transactions", "hours_saved"):
        base_row, other_row = by_key[(name, "Baseline")], by_key[(name, "Faster adoption")]
        assert base_row[3] == other_row[3] == "Baseline"
        assert [float(x) for x in base_row[4:7]] == list(np.quantile(_per_run(a, name), (0.1, 0.5, 0.9)))
        assert base_row[7:10] == ["", "", ""]  # the baseline has no difference from itself
        paired = _per_run(b, name) - _per_run(a, name)
        assert [float(x) for x in other_row[7:10]] == list(np.quantile(paired, (0.1, 0.5, 0.9)))
    assert by_key[("cumulative_cost", "Baseline")][1] == "IDR"
    assert by_key[("hours_saved", "Baseline")][1] == "hours"
    # Doubling p makes more users in every run, on the same villages connected (common random numbers).
    assert float(by_key[("adopters", "Faster adoption")][7]) > 0
    assert [float(x) for x in by_key[("villages_connected", "Faster adoption")][7:10]] == [0.0, 0.0, 0.0]


def test_the_printed_table(compared: tuple[Path, str]) -> None:
    out, printed = compared
    table = (out / "comparison.txt").read_text(encoding="utf-8")
    assert printed.startswith(table)
    assert table.startswith(
        f"{RUNS} runs of each scenario on common random numbers (seed {SEED}); baseline: "
        "Baseline; B − A: q10 / q50 / q90"
    )
    assert "A = Baseline, B = Faster adoption" in table
    line = next(x for x in table.splitlines() if x.startswith("Service users"))
    assert line.split()[-1].startswith("+")  # more users: a positive difference, signed
    assert "wrote comparison.csv, comparison.txt" in printed


def test_a_scenario_against_itself_differs_by_nothing(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two files holding the same scenario (same name): labelled by file name, and every difference exactly 0.
    twin = tmp_path / "twin.toml"
    twin.write_bytes(files[0].read_bytes())
    code, out, _ = run(
        ["compare", str(files[0]), str(twin), "--runs", "2", "--out", str(tmp_path / "o"), "--json"], capsys
    )
    assert code == 0
    summary = json.loads(out)
    assert summary["scenarios"] == ["a", "twin"]
    for outcome in summary["outcomes"]:
        assert outcome["difference"]["twin"] in ([0.0, 0.0, 0.0], [None, None, None]), outcome["name"]
        assert outcome["values"]["a"] == outcome["values"]["twin"]


def test_compare_in_indonesian(files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["compare", *map(str, files), "--runs", "2", "--out", str(tmp_path / "o"), "--lang", "id"], capsys
    )
    assert code == 0
    assert "simulasi per skenario dengan bilangan acak bersama" in out
    assert "Hasil" in out
    assert "Pengguna layanan" in out


@pytest.mark.parametrize("case", ["one", "horizon", "currency"])
def test_compare_refuses_what_cannot_be_compared(
    case: str, files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.toml"
    if case == "horizon":
        io.dump(attrs.evolve(_base(), name="Longer", horizon_months=36), other)
    elif case == "currency":  # the same programme with its money stated in pesos
        base = _base()
        io.dump(attrs.evolve(base, name="Pesos", programme=attrs.evolve(base.programme, currency="PHP")), other)
    argv = ["compare", str(files[0])] + ([] if case == "one" else [str(other)])
    code, _, err = run([*argv, "--runs", "2", "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    says = {
        "one": "at least two scenario files",
        "horizon": "cover different months",
        "currency": "different currencies (IDR, PHP)",
    }[case]
    assert says in err
    assert not (tmp_path / "o").exists()
