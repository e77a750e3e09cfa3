"""The layout holds: layers import one way, no cycles, short modules, one home for defaults, the error contract."""

from __future__ import annotations

import ast
import inspect
import math
from pathlib import Path

import attrs
import numpy as np
import pytest

import smartkampung as sk
from smartkampung import _defaults
from smartkampung._errors import FieldError, ParameterError, SmartKampungError, UnknownCodeError
from smartkampung.model import (
    AdoptionAssumptions,
    IDMAssumptions,
    OutcomeAssumptions,
    RolloutAssumptions,
    Scenario,
    Service,
    Uniform,
    Village,
    VillageKind,
)
from smartkampung.model import Location as Loc

SRC = Path(sk.__file__).resolve().parent
MAX_LINES = 650  # "no file over about 600 lines"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of the package this file imports (function-level imports too; TYPE_CHECKING blocks not)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("smartkampung"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            if not base.startswith("smartkampung"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in modules else base)
    return {m for m in found if m in modules}


def test_sim_reads_no_file_and_knows_no_bundled_data() -> None:
    modules = _modules()
    offenders = {
        name: sorted(m for m in _imports(path, modules) if m.startswith(("smartkampung.io", "smartkampung.datasets")))
        for name, path in modules.items()
        if name.startswith("smartkampung.sim")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_model_imports_neither_sim_nor_io() -> None:
    modules = _modules()
    for name, path in modules.items():
        if name.startswith("smartkampung.model"):
            bad = [
                m
                for m in _imports(path, modules)
                if m.startswith(("smartkampung.sim", "smartkampung.io", "smartkampung.datasets"))
            ]
            assert bad == [], name


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    # A package's __init__ re-exports its submodules; importing a submodule does not import it back.
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, stack: list[str]) -> bool:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + ".") and modules[node].name == "__init__.py":
                continue  # a package importing its own submodules
            if state.get(nxt) == 1:
                cycle.extend([*stack[stack.index(nxt) :], nxt])
                return True
            if state.get(nxt) is None and visit(nxt, stack):
                return True
        stack.pop()
        state[node] = 2
        return False

    for name in sorted(graph):
        if state.get(name) is None and visit(name, []):
            break
    assert cycle == []


def test_no_module_is_too_long() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


# ------------------------------------------------------------------ defaults: one home


def test_every_default_has_a_unit_and_a_source() -> None:
    for name, entry in _defaults.DEFAULTS.items():
        assert entry.name == name
        assert entry.unit, name
        assert entry.source, name
        assert entry.used_by, name
        assert getattr(_defaults, name) is entry.value


def test_scenario_defaults_are_the_core_defaults() -> None:
    from smartkampung.sim import geometry, idm, outcomes, technology, tree

    ro, ad, oc, ia = RolloutAssumptions(), AdoptionAssumptions(), OutcomeAssumptions(), IDMAssumptions()
    sc = Scenario(name="x", region=sk.RegionSource(builtin="banyuwangi"))
    pairs = [
        (ro.route_factor, tree.DEFAULT_ROUTE_FACTOR, _defaults.ROUTE_FACTOR),
        (ro.discount_rate, technology.DEFAULT_DISCOUNT_RATE, _defaults.DISCOUNT_RATE),
        (ro.horizon_years, technology.DEFAULT_HORIZON_YEARS, _defaults.HORIZON_YEARS),
        (ro.demand_mbps, technology.DEFAULT_DEMAND_MBPS, _defaults.DEMAND_MBPS),
        (ro.budget_per_month.value, _defaults.BUDGET_PER_MONTH, _defaults.BUDGET_PER_MONTH),
        (ro.policy, _defaults.POLICY, _defaults.POLICY),
        (ad.n_neighbours, geometry.DEFAULT_NEIGHBOURS, _defaults.NEIGHBOURS),
        (ad.neighbour_weight, _defaults.NEIGHBOUR_WEIGHT, _defaults.NEIGHBOUR_WEIGHT),
        (oc.road_factor, outcomes.DEFAULT_ROAD_FACTOR, _defaults.ROAD_FACTOR),
        (oc.speed_kmh, outcomes.DEFAULT_SPEED_KMH, _defaults.SPEED_KMH),
        (oc.cost_per_km, outcomes.DEFAULT_COST_PER_KM, _defaults.COST_PER_KM),
        (oc.value_of_time_per_hour, outcomes.DEFAULT_VALUE_OF_TIME_PER_HOUR, _defaults.VALUE_OF_TIME_PER_HOUR),
        (ia.cutoff_month, idm.DEFAULT_IDM_CUTOFF_MONTH, _defaults.IDM_CUTOFF_MONTH),
        (ia.effects, idm.DEFAULT_PROGRAMME_EFFECTS, sk.model.DEFAULT_PROGRAMME_EFFECTS),
        (
            ia.effects[1].threshold,
            _defaults.IDM_RESIDENTS_INTERNET_THRESHOLD,
            _defaults.IDM_RESIDENTS_INTERNET_THRESHOLD,
        ),
        (ia.effects[2].threshold, _defaults.IDM_LIBRARY_THRESHOLD, _defaults.IDM_LIBRARY_THRESHOLD),
        (
            inspect.signature(idm.fit_idm_dynamics).parameters["prior_strength"].default,
            idm.DEFAULT_PRIOR_STRENGTH,
            _defaults.IDM_PRIOR_STRENGTH,
        ),
        (sc.start, _defaults.START_MONTH, _defaults.START_MONTH),
        (sc.horizon_months, _defaults.HORIZON_MONTHS, _defaults.HORIZON_MONTHS),
        (sk.DEFAULT_HOUSEHOLD_SIZE, _defaults.HOUSEHOLD_SIZE, _defaults.HOUSEHOLD_SIZE),
        (geometry.EARTH_MEAN_RADIUS_KM, _defaults.EARTH_MEAN_RADIUS_KM, _defaults.EARTH_MEAN_RADIUS_KM),
    ]
    for scenario_value, core_value, registry_value in pairs:
        assert scenario_value == core_value == registry_value
    assert sk.model.POLICIES == _defaults.POLICIES
    assert set(sk.io.BUILTIN_REGIONS) == set(_defaults.BUILTIN_REGIONS)


# ------------------------------------------------------------------ the error contract


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (
            lambda: Village(
                code="", name="x", kind=VillageKind.DESA, district_code="d", location=Loc(0, 0), population=1
            ),
            "code",
        ),
        (lambda: Uniform(2, 1), "high"),
        (lambda: Service("s", "S", "p", -0.01, 0.1, 0.5, 1.0), "p_innovation"),
        (
            lambda: Village(
                code="v",
                name="x",
                kind="desa",
                district_code="d",
                location=Loc(0, 0),  # type: ignore[arg-type]
                population=1,
            ),
            "kind",
        ),
        (lambda: Loc(200, 0), "lat_deg"),
        (lambda: RolloutAssumptions(policy="fastest"), "policy"),
    ],
)
def test_constructor_refusals_are_library_errors_with_plain_messages(build: object, field: str) -> None:
    with pytest.raises(SmartKampungError) as info:
        build()  # type: ignore[operator]
    assert isinstance(info.value, FieldError)
    assert info.value.parameter == field
    text = str(info.value)
    assert "Attribute(" not in text
    assert "<function" not in text
    assert field in text
    assert len(text) < 300


def test_lookup_by_code_suggests_near_codes() -> None:
    region = sk.datasets.banyuwangi()
    with pytest.raises(UnknownCodeError) as info:
        region.village("35.10.15.2013")  # one digit off a real code
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, SmartKampungError)
    assert info.value.suggestions
    assert "35.10.15.2012" in info.value.suggestions
    assert "did you mean" in str(info.value)
    with pytest.raises(UnknownCodeError):
        region.district("35.10.99")
    with pytest.raises(UnknownCodeError, match="known"):
        sk.smart_kampung_programme().service("telepathy")


def test_a_bad_multiplier_is_a_parameter_error() -> None:
    plan = sk.plan_network(sk.datasets.synthetic_region(20, seed=1))
    with pytest.raises(ParameterError) as info:
        sk.schedule_rollout(plan, budget_per_month=1e9, n_months=3, capex_multiplier="x")  # type: ignore[arg-type]
    assert info.value.parameter == "capex_multiplier"


# ------------------------------------------------------------------ reprs and read-only results


@pytest.fixture(scope="module")
def small_result() -> sk.SimulationResult:
    scenario = attrs.evolve(sk.datasets.banyuwangi_scenario(), horizon_months=14)
    return sk.simulate(scenario, runs=2, rng=3)


def test_reprs_are_short(small_result: sk.SimulationResult) -> None:
    region = sk.datasets.banyuwangi()
    plan = sk.plan_network(region)
    schedule = sk.schedule_rollout(plan, budget_per_month=1e9, n_months=12)
    for obj in (region, plan, schedule, plan.tree, plan.choice, small_result, small_result.prepared):
        text = repr(obj)
        assert len(text) < 500, (type(obj).__name__, len(text))
    assert "217 villages" in repr(region)
    assert "189 desa" in repr(region)


def test_simulation_result_arrays_are_read_only(small_result: sk.SimulationResult) -> None:
    for name in (
        "monthly",
        "draws",
        "idm_counts",
        "village_codes",
        "p_connected",
        "mean_connection_month",
        "p_half_adoption",
        "mean_half_adoption_month",
        "mean_final_fraction",
    ):
        array = getattr(small_result, name)
        assert not array.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            array.reshape(-1)[0] = 1


def test_metric_table_gives_units(small_result: sk.SimulationResult) -> None:
    assert small_result.metric_info("capex").kind == "flow"
    assert small_result.metric_info("villages_connected").unit == "villages"
    assert {m.kind for m in small_result.metrics} == {"stock", "flow", "ratio"}
    assert [m.name for m in small_result.metrics] == list(small_result.metric_names)


# ------------------------------------------------------------------ one seed normaliser


def test_every_entry_point_takes_the_same_seeds() -> None:
    from smartkampung.sim.adoption import simulate_adoption
    from smartkampung.sim.calibrate import fit_rollout

    prepared = sk.sim.prepare(
        attrs.evolve(sk.datasets.banyuwangi_scenario(), horizon_months=6), sk.datasets.banyuwangi()
    )
    for seed in (7, [1, 2], np.random.SeedSequence(7), np.random.PCG64(7), np.random.default_rng(7)):
        sk.simulate(prepared, runs=1, rng=seed)
        simulate_adoption([10, 20], [0, 1], None, p=0.1, q=0.2, steps=3, rng=seed)
        fit_rollout(
            lambda th, m: th[0] * np.asarray(m, dtype=float),
            [1, 2, 3],
            [2.0, 4.1, 5.9],
            bounds=[(0.0, 5.0)],
            interval="bootstrap",
            n_bootstrap=10,
            n_grid=21,
            rng=seed,
        )
    for bad in (-1, True, "seed", 1.5, []):
        for call in (
            lambda b=bad: sk.simulate(prepared, runs=1, rng=b),
            lambda b=bad: simulate_adoption([10], [0], None, p=0.1, q=0.2, steps=2, rng=b),
        ):
            with pytest.raises(ParameterError) as info:
                call()
            assert info.value.parameter == "rng"


def test_a_bit_generator_seeds_like_its_generator() -> None:
    a = sk.simulate(
        sk.sim.prepare(attrs.evolve(sk.datasets.banyuwangi_scenario(), horizon_months=6), sk.datasets.banyuwangi()),
        runs=2,
        rng=np.random.PCG64(3),
    )
    b = sk.simulate(a.prepared, runs=2, rng=np.random.Generator(np.random.PCG64(3)))  # type: ignore[arg-type]
    assert a == b
    assert math.isfinite(float(a.metric("villages_connected")[0, -1]))
