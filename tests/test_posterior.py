"""The calibrated rollout posterior: the shipped Banyuwangi sample, its calibration, and RolloutPosterior in files.

* the shipped sample (``datasets/data/banyuwangi_rollout_posterior.json``)
  loads, lies on the calibration grid and says which data it used;
* :func:`calibrate_banyuwangi` sees only counts up to the forecast origin
  (June 2018), and rerunning it with the shipped settings rewrites the
  shipped file byte for byte (a regression guard for ``recalibrate()``);
* :class:`~smartkampung.model.RolloutPosterior` round-trips through TOML and
  JSON, on its own and inside a scenario, and bad ones are refused with the
  field named.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartkampung import DataFileError, io
from smartkampung._errors import FieldError
from smartkampung.datasets import _calibration as calibration
from smartkampung.datasets import _observations as observations
from smartkampung.datasets import banyuwangi_scenario
from smartkampung.datasets._bundled import data_path
from smartkampung.datasets._calibration import (
    FORECAST_ORIGIN_MONTH,
    GRID,
    N_ROWS,
    N_SIMS,
    NOISE_SD,
    POSTERIOR_FILE,
    SEED,
    banyuwangi_posterior,
    calibrate_banyuwangi,
    write_banyuwangi_posterior,
)
from smartkampung.datasets._observations import banyuwangi_observations
from smartkampung.datasets._scenarios import _base_scenario
from smartkampung.io import converter
from smartkampung.model import BudgetPhase, Fixed, FromPosterior, RolloutPosterior, Scenario
from smartkampung.sim.forecast import RolloutCalibration
from strategies import awkward_text, finite_nonneg_floats

PARAMETERS = ("budget_per_month", "budget_phases[0]", "readiness_months")


# =========================================================================== the shipped sample


def test_shipped_posterior_loads_and_lies_on_the_calibration_grid() -> None:
    post = banyuwangi_posterior()
    assert isinstance(post, RolloutPosterior)
    assert post.parameters == PARAMETERS
    assert len(post.values) == len(post.sims) == N_ROWS == 400
    for name in PARAMETERS:
        column = np.asarray(post.column(name))
        grid = set(GRID[name].tolist())
        assert set(column.tolist()) <= grid, name  # rows are grid points, written exactly
        assert len(set(column.tolist())) > 1, name  # ... and not all the same one
    # The grid of the pace after ICON+ is wide enough that no row sits on its edge (the counts pin it down;
    # the budget before it, seen only in the three desa of January 2017, may reach its lower edge).
    column = np.asarray(post.column("budget_phases[0]"))
    assert GRID["budget_phases[0]"].min() < column.min()
    assert column.max() < GRID["budget_phases[0]"].max()
    assert all(0 <= s < N_SIMS for s in post.sims)
    # The seed is the calibration's: 63 bits of SeedSequence(SEED), as calibrate_rollout derives it.
    assert post.seed == int(np.random.SeedSequence(SEED).generate_state(1, np.uint64)[0] >> np.uint64(1))
    # The scenario carries exactly this sample.
    assert banyuwangi_scenario().rollout.posterior == post


def test_shipped_posterior_names_its_data_and_their_cut_off() -> None:
    post = banyuwangi_posterior()
    obs = banyuwangi_observations()
    # Only counts before the forecast origin (June 2018, month 24) exist in the bundled data ...
    assert int(obs.months.max()) < FORECAST_ORIGIN_MONTH
    assert obs.months.tolist() == [6, 11, 15, 23]
    # ... and the source text says which it used, and that nothing after May 2018 was.
    assert "no count after May 2018 used" in post.source
    for count in obs.counts.tolist():
        assert str(count) in post.source
    for key in obs.sources:
        if key != "unsourced-headline-claim":
            assert key in post.source
    assert "unsourced" in post.source  # the 167 is the brief's headline claim, said so
    assert f"seed {SEED}" in post.source
    assert f"{N_SIMS} simulations" in post.source
    doc = json.loads(data_path(POSTERIOR_FILE).read_text(encoding="utf-8"))
    assert "4 counts at months [6, 11, 15, 23]" in doc["summary"]


# =========================================================================== the calibration uses data up to the origin

#: A small grid for the data-flow checks below (the real one is rerun once, at the end).
SMALL_GRID = {
    "budget_per_month": np.geomspace(1e8, 1.5e9, 4),
    "budget_phases[0]": np.geomspace(1e9, 5e9, 4),
    "readiness_months": np.array([0.0, 8.0, 16.0]),
}


def _calibrate(
    monkeypatch: pytest.MonkeyPatch,
    extra_rows: tuple[dict[str, str], ...] = (),
    replace: dict[str, str] | None = None,
    **kwargs: Any,
) -> RolloutCalibration:
    """calibrate_banyuwangi on the small grid, with rows added to (or one count changed in) the bundled CSV."""
    rows = list(observations._rows())
    if replace is not None:
        rows = [{**r, "value": replace["value"]} if r["date"] == replace["date"] else r for r in rows]
    with monkeypatch.context() as m:
        m.setattr(calibration, "GRID", SMALL_GRID)
        m.setattr(observations, "_rows", lambda: (*rows, *extra_rows))
        return calibrate_banyuwangi(_base_scenario(), n_sims=8, **kwargs)


#: A count published after the forecast origin, as it would be appended to the bundled CSV.
LATER_COUNT = {
    "date": "2019-06",
    "metric": "desa connected to fibre optic",
    "value": "189",
    "denominator": "189",
    "role": "observation",
    "note": "made up: a count after the origin",
    "source": "test",
}


def test_the_calibration_sees_the_bundled_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    cal = _calibrate(monkeypatch)
    assert cal.observed_months.tolist() == [6, 11, 15, 23]
    assert cal.observed_counts.tolist() == [44.0, 80.0, 115.0, 167.0]
    np.testing.assert_array_equal(cal.axes[-1], NOISE_SD)
    assert cal.fixed == {"budget_phases[1]": 1.0}
    # The check below can bite: a different count before the origin moves the posterior ...
    changed = _calibrate(monkeypatch, replace={"date": "2017-09", "value": "100"})
    assert not np.allclose(changed.log_weight, cal.log_weight)
    # ... and so does leaving out the unsourced headline claim.
    sourced = _calibrate(monkeypatch, include_headline_claim=False)
    assert sourced.observed_months.tolist() == [6, 11, 15]
    assert not np.allclose(sourced.log_weight, cal.log_weight)


def test_a_count_after_the_origin_does_not_change_the_posterior(monkeypatch: pytest.MonkeyPatch) -> None:
    """FAILS on 7bd079d (src bug, see the report): calibrate_banyuwangi passes every bundled count on.

    It claims "no count after May 2018 used" (its source text), but nothing
    enforces it: the bundled CSV merely has no later count yet. Append one
    (June 2019) and the calibration fits it.
    """
    cal = _calibrate(monkeypatch)
    later = _calibrate(monkeypatch, extra_rows=(LATER_COUNT,))
    assert int(later.observed_months.max()) < FORECAST_ORIGIN_MONTH
    np.testing.assert_array_equal(later.log_weight, cal.log_weight)


# =========================================================================== recalibrate() reproduces the file


def test_recalibrating_with_the_shipped_settings_rewrites_the_shipped_file(tmp_path: Path) -> None:
    """What ``recalibrate()`` does, into a temporary file: the same sample and the same bytes."""
    target = tmp_path / POSTERIOR_FILE
    sample = write_banyuwangi_posterior(target, _base_scenario())
    assert sample == banyuwangi_posterior()
    assert target.read_bytes() == data_path(POSTERIOR_FILE).read_bytes()


# =========================================================================== RolloutPosterior in files

_NAMES = (
    "budget_per_month",
    "readiness_months",
    "cost_spread",
    "budget_phases[0]",
    "budget_phases[1]",
    "budget_phases[2]",
)


@st.composite
def posteriors(draw: st.DrawFn, maximum: float | None = None) -> RolloutPosterior:
    """Posterior samples; with ``maximum``, values a scenario accepts in every field (cost_spread: at most 3)."""
    names = draw(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=4, unique=True))
    n = draw(st.integers(1, 4))
    values = finite_nonneg_floats() if maximum is None else st.floats(0.0, maximum)
    rows = draw(st.lists(st.tuples(*(values for _ in names)), min_size=n, max_size=n))
    sims = draw(st.lists(st.integers(0, 2**63 - 1), min_size=n, max_size=n))
    return RolloutPosterior(
        parameters=tuple(names),
        values=tuple(rows),
        sims=tuple(sims),
        seed=draw(st.integers(0, 2**63 - 1)),
        source=draw(awkward_text()),
    )


def _scenario_with(post: RolloutPosterior) -> Scenario:
    """The flagship with every field the posterior has a column for marked ``{distribution = "posterior"}``."""
    base = banyuwangi_scenario()

    def dist(name: str, otherwise: Any) -> Any:
        return FromPosterior() if name in post.parameters else otherwise

    phases = tuple(BudgetPhase(6 * (i + 1), dist(f"budget_phases[{i}]", Fixed(1e9))) for i in range(3))
    ro = attrs.evolve(
        base.rollout,
        budget_per_month=dist("budget_per_month", Fixed(5e8)),
        budget_phases=phases,
        readiness_months=dist("readiness_months", Fixed(0.0)),
        cost_spread=dist("cost_spread", Fixed(0.0)),
        posterior=post,
    )
    return attrs.evolve(base, rollout=ro)


@pytest.mark.parametrize("fmt", ["toml", "json"])
@given(post=posteriors())
def test_posterior_round_trip(fmt: io.Format, post: RolloutPosterior) -> None:
    text = io.dumps(post, fmt)
    back = io.loads(text, RolloutPosterior, fmt)
    assert back == post
    assert io.dumps(back, fmt) == text  # stable, -0.0 included


@pytest.mark.parametrize("fmt", ["toml", "json"])
@given(post=posteriors(maximum=3.0))
def test_posterior_round_trip_inside_a_scenario(fmt: io.Format, post: RolloutPosterior) -> None:
    sc = _scenario_with(post)
    assert set(sc.rollout.posterior_columns) == set(post.parameters)
    text = io.dumps(sc, fmt)
    back = io.loads(text, Scenario, fmt)
    assert back == sc
    assert back.rollout.posterior == post
    assert io.dumps(back, fmt) == text


def test_the_flagships_posterior_survives_its_scenario_file(tmp_path: Path) -> None:
    for suffix in (".toml", ".json"):
        path = tmp_path / f"banyuwangi{suffix}"
        io.dump(banyuwangi_scenario(), path)
        assert io.load(path, Scenario).rollout.posterior == banyuwangi_posterior()


GOOD = {
    "parameters": ["readiness_months", "budget_phases[0]"],
    "values": [[3.0, 1e9], [5.5, 1.2e9]],
    "sims": [0, 7],
    "seed": 99,
    "source": "two rows",
}


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"parameters": ["readiness_months", "budget"]}, "parameters", "'budget'"),
        ({"parameters": ["readiness_months", "budget_phases[x]"]}, "parameters", "budget_phases[i]"),
        ({"parameters": ["readiness_months", "readiness_months"]}, "parameters", "twice"),
        ({"values": []}, "values", "at least one row"),
        ({"values": [[3.0, 1e9], [5.5]]}, "values", "2 finite numbers"),
        ({"values": [[3.0, 1e9], [-1.0, 1e9]]}, "values", ">= 0"),
        ({"values": [[3.0, math.inf], [5.5, 1e9]]}, "values", "finite"),
        ({"values": [[3.0, math.nan], [5.5, 1e9]]}, "values", "finite"),
        ({"sims": [0]}, "sims", "one whole number"),
        ({"sims": [0, -1]}, "sims", "one whole number"),
        ({"sims": [0, True]}, "sims", "one whole number"),
        ({"seed": -1}, "seed", "whole number"),
        ({"seed": 2**63}, "seed", "2**63 - 1"),
    ],
)
def test_bad_posteriors_are_refused_naming_the_field(change: dict[str, Any], field: str, text: str) -> None:
    with pytest.raises(FieldError) as info:
        RolloutPosterior(**{**GOOD, **change})
    assert info.value.parameter == field
    assert info.value.function == "RolloutPosterior"
    assert text in str(info.value)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_bad_posterior_in_a_scenario_file_names_the_field(tmp_path: Path, suffix: str) -> None:
    from smartkampung.io._toml import toml_dumps

    doc = converter.unstructure(banyuwangi_scenario())
    doc["rollout"]["posterior"]["values"][3] = [1e9, -2e9, 12.0]
    path = tmp_path / f"bad{suffix}"
    path.write_text(toml_dumps(doc) if suffix == ".toml" else json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        io.load(path, Scenario)
    # Either spelling of the place: record $.rollout.posterior, field values; or field rollout, "posterior.values".
    assert any(
        (p.record == "$.rollout.posterior" and p.field == "values")
        or (p.field == "rollout" and "posterior.values" in p.message)
        for p in info.value.problems
    ), str(info.value)
    assert all(">= 0" in p.message for p in info.value.problems), str(info.value)
    assert len(info.value.problems) == 1, str(info.value)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_posterior_marker_without_a_sample_is_refused(tmp_path: Path, suffix: str) -> None:
    from smartkampung.io._toml import toml_dumps

    doc = converter.unstructure(banyuwangi_scenario())
    del doc["rollout"]["posterior"]
    path = tmp_path / f"bad{suffix}"
    path.write_text(toml_dumps(doc) if suffix == ".toml" else json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        io.load(path, Scenario)
    assert any("posterior" in (p.field or "") + p.message and "is needed" in p.message for p in info.value.problems), (
        str(info.value)
    )


@pytest.mark.parametrize(
    ("column", "value", "phases"),
    [
        ("readiness_months", 1201.0, ()),
        ("cost_spread", 3.5, ()),
        ("budget_per_month", 2e15, ()),
        ("budget_phases[0]", 1001.0, "scale"),
        ("budget_phases[0]", 2e15, "amount"),
    ],
)
def test_a_posterior_value_outside_its_fields_range_is_refused(column: str, value: float, phases: Any) -> None:
    # The values a run takes from the sample obey the ranges of the fields they stand in for.
    from smartkampung.model import BudgetPhase, FromPosterior, RolloutAssumptions, RolloutPosterior

    budget_phases: tuple[BudgetPhase, ...] = ()
    if phases == "scale":
        budget_phases = (BudgetPhase(6, scale=FromPosterior()),)
    elif phases == "amount":
        budget_phases = (BudgetPhase(6, FromPosterior()),)
    fields: dict[str, Any] = {"budget_phases": budget_phases}
    if column in ("readiness_months", "cost_spread", "budget_per_month"):
        fields[column] = FromPosterior()
    posterior = RolloutPosterior((column,), ((value,),), (0,), 1)
    with pytest.raises(ValueError, match="above the field's range") as info:
        RolloutAssumptions(posterior=posterior, **fields)
    assert info.value.parameter == "posterior"  # type: ignore[attr-defined]
    in_range = RolloutPosterior((column,), ((1.0,),), (0,), 1)
    assert RolloutAssumptions(posterior=in_range, **fields).posterior == in_range
