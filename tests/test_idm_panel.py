"""IDM at indicator level: the catalogue, the bundled 2021–2024 panel, sub-indices and composite indices."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from smartkampung._errors import ParameterError, SmartKampungError
from smartkampung.datasets import banyuwangi_idm_status, idm_indicators, idm_panel
from smartkampung.model import (
    IDM_INDEX,
    IDM_INDICATOR_COLUMNS,
    IKE_INDICATORS,
    IKL_INDICATORS,
    IKS_INDICATORS,
    CompositeIndex,
    IDMScore,
    IDMStatus,
    IDMStatusCounts,
    Indicator,
    IndicatorEffect,
    IndicatorPanel,
    idm_status,
    idm_status_code,
)
from smartkampung.sim.idm import (
    composite_scores,
    indicator_weights,
    status_codes,
    status_of_scores,
    sub_index_totals,
    sub_indices,
    transition_pairs,
)

OFFICE = IDM_INDICATOR_COLUMNS.index("s_internet_kantor_desa")
RESIDENTS = IDM_INDICATOR_COLUMNS.index("s_akses_internet_warga")


@pytest.fixture(scope="module")
def panel() -> IndicatorPanel:
    return idm_panel()


@pytest.fixture(scope="module")
def raw() -> IndicatorPanel:
    return idm_panel(repair_2024_internet=False)


def _totals_by_hand(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Independent of sub_index_totals: slice by the catalogue's dimensions.
    dims = np.array([i.dimension for i in idm_indicators()])
    s = scores.astype(np.int64)
    return s[:, dims == "social"].sum(1), s[:, dims == "economic"].sum(1), s[:, dims == "ecological"].sum(1)


# ------------------------------------------------------------------------ catalogue


def test_catalogue_has_the_50_indicators_in_api_order() -> None:
    cat = idm_indicators()
    assert len(cat) == 50
    assert tuple(i.column for i in cat) == IDM_INDICATOR_COLUMNS
    dims = [i.dimension for i in cat]
    assert dims == ["social"] * 35 + ["economic"] * 12 + ["ecological"] * 3
    for dim, n in (("social", 35), ("economic", 12), ("ecological", 3)):
        assert [i.number for i in cat if i.dimension == dim] == list(range(1, n + 1))
    # The names are the API's, as the model's indicator tuples list them (without "Skor ").
    names = [" ".join(i.name_id.removeprefix("Skor ").replace("/ ", "/").split()) for i in cat]
    assert names == list(IKS_INDICATORS + IKE_INDICATORS + IKL_INDICATORS)
    assert cat[OFFICE].name_id == "Skor Internet Kantor Desa"
    assert cat[OFFICE].name_en == "Internet at the village office"
    assert all(i.name_en for i in cat)


def test_indicator_validation() -> None:
    with pytest.raises(ParameterError) as info:
        Indicator("s_x", "cultural", 1, "Skor X", "X")
    assert info.value.parameter == "dimension"
    assert info.value.function == "Indicator"
    with pytest.raises(ParameterError, match="number"):
        Indicator("s_x", "social", 0, "Skor X", "X")
    with pytest.raises(ParameterError, match="column"):
        Indicator("", "social", 1, "Skor X", "X")


# ---------------------------------------------------------------------------- panel


def test_panel_shape_and_counts(panel: IndicatorPanel) -> None:
    assert panel.n_records == 10_006
    assert panel.scores.shape == (10_006, 50)
    assert panel.scores.dtype == np.int8
    assert panel.index is IDM_INDEX
    assert np.unique(panel.codes).size == 2_567
    assert panel.year_values == (2021, 2022, 2023, 2024)
    assert [int((panel.years == y).sum()) for y in panel.year_values] == [2_503, 2_507, 2_498, 2_498]
    per_desa = np.unique(panel.codes, return_counts=True)[1]
    assert int((per_desa == 4).sum()) == 2_447
    assert np.unique(panel.regency_codes).size == 182
    assert not any(c.startswith("35.10.") for c in panel.codes)  # no Banyuwangi desa
    # Published status counts per year (SOURCES.md of the panel).
    assert np.bincount(panel.published_status[panel.years == 2021], minlength=5).tolist() == [58, 436, 1488, 439, 82]
    assert np.bincount(panel.published_status[panel.years == 2024], minlength=5).tolist() == [31, 180, 1021, 749, 517]


def test_panel_arrays_are_read_only(panel: IndicatorPanel) -> None:
    with pytest.raises(ValueError, match="read-only"):
        panel.scores[0, 0] = 1
    with pytest.raises(ValueError, match="read-only"):
        panel.years[0] = 1999
    assert panel is idm_panel()  # cached


def test_every_record_reproduces_ike_ikl_composite_and_status(raw: IndicatorPanel) -> None:
    social, economic, ecological = _totals_by_hand(raw.scores)
    pub = raw.published_sub_indices
    assert pub is not None
    assert raw.published_composite is not None
    assert raw.published_status is not None
    # Published values have 14 decimals.
    assert np.max(np.abs(economic / 60 - pub[:, 1])) < 1e-13
    assert np.max(np.abs(ecological / 15 - pub[:, 2])) < 1e-13
    assert np.max(np.abs(pub.sum(axis=1) / 3 - raw.published_composite)) < 1e-13
    # The library's functions agree with the hand computation and the published values.
    sub = sub_indices(raw.scores)
    np.testing.assert_array_equal(sub[:, 1], economic / 60)
    np.testing.assert_array_equal(sub[:, 2], ecological / 15)
    np.testing.assert_array_equal(sub_index_totals(raw.scores), np.stack([social, economic, ecological], 1))
    # Status from the published composite, by the scalar path of the model, for all 10,006.
    by_scalar = [idm_status(float(c)).code for c in raw.published_composite]
    np.testing.assert_array_equal(by_scalar, raw.published_status)


def test_raw_2024_internet_quirk(raw: IndicatorPanel) -> None:
    social = _totals_by_hand(raw.scores)[0]
    pub_iks = raw.published_sub_indices[:, 0]  # type: ignore[index]
    gap = np.rint(pub_iks * 175).astype(int) - social
    assert np.all(np.abs(pub_iks * 175 - np.rint(pub_iks * 175)) < 1e-9)
    assert int((gap == 0).sum()) == 9_378
    assert set(np.unique(raw.years[gap != 0]).tolist()) == {2024}
    is_2024 = raw.years == 2024
    # In every 2024 record both internet rows carry the same score ...
    np.testing.assert_array_equal(raw.scores[is_2024, OFFICE], raw.scores[is_2024, RESIDENTS])
    # ... and the gap is -4/175 where both show 5, +4/175 where both show 1.
    shown = raw.scores[:, OFFICE]
    assert sorted(np.unique(gap[is_2024]).tolist()) == [-4, 0, 4]
    assert int(((gap == -4) & (shown == 5)).sum()) == 454
    assert int(((gap == 4) & (shown == 1)).sum()) == 174
    assert not np.any((gap == -4) & (shown != 5))
    assert not np.any(raw.repaired)  # type: ignore[arg-type]


def test_repair_restores_the_office_score_and_every_iks(panel: IndicatorPanel, raw: IndicatorPanel) -> None:
    rep = panel.repaired
    assert rep is not None
    assert int(rep.sum()) == 628
    assert set(np.unique(panel.years[rep]).tolist()) == {2024}
    changed = panel.scores != raw.scores
    assert np.array_equal(changed.any(axis=1), rep)
    assert np.array_equal(np.flatnonzero(changed.any(axis=0)), [OFFICE])
    assert set(np.unique(panel.scores[rep, OFFICE]).tolist()) <= {1, 5}
    social = _totals_by_hand(panel.scores)[0]
    assert np.max(np.abs(social / 175 - panel.published_sub_indices[:, 0])) < 1e-13  # type: ignore[index]
    np.testing.assert_array_equal(status_of_scores(panel.scores), panel.published_status)
    comp = composite_scores(sub_indices(panel.scores))
    assert np.max(np.abs(comp - panel.published_composite)) < 1e-13  # type: ignore[operator]


def test_repair_agrees_with_the_desas_own_previous_year(panel: IndicatorPanel, raw: IndicatorPanel) -> None:
    # Why the office row (not the residents' row) is the one restored: the restored
    # score matches the same desa's 2023 office score far more often than the published one.
    a, b, _ = transition_pairs(panel.codes, panel.years, [(2023, 2024)])
    rep = panel.repaired[b]  # type: ignore[index]
    restored = np.mean(panel.scores[b[rep], OFFICE] == panel.scores[a[rep], OFFICE])
    published = np.mean(raw.scores[b[rep], OFFICE] == raw.scores[a[rep], OFFICE])
    assert restored > 0.9 > 0.1 > published


def test_panel_argument_is_checked() -> None:
    with pytest.raises(ParameterError) as info:
        idm_panel(repair_2024_internet="yes")  # type: ignore[arg-type]
    assert info.value.parameter == "repair_2024_internet"
    assert info.value.function == "idm_panel"


def test_indicator_panel_validation_and_select(panel: IndicatorPanel) -> None:
    with pytest.raises(ParameterError) as info:
        IndicatorPanel(index=IDM_INDEX, codes=["a"], regency_codes=["r"], years=[2021], scores=np.zeros((1, 49)))
    assert info.value.parameter == "scores"
    assert info.value.function == "IndicatorPanel"
    with pytest.raises(ParameterError, match=r"0\.\.5"):
        IndicatorPanel(index=IDM_INDEX, codes=["a"], regency_codes=["r"], years=[2021], scores=np.full((1, 50), 6))
    with pytest.raises(ParameterError, match="years"):
        IndicatorPanel(
            index=IDM_INDEX, codes=["a", "b"], regency_codes=["r", "r"], years=[2021], scores=np.zeros((2, 50))
        )
    sub = panel.select(panel.years == 2021)
    assert sub.n_records == 2_503
    assert sub.year_values == (2021,)
    assert sub.published_status is not None
    assert sub.published_status.shape == (2_503,)
    with pytest.raises(ParameterError, match="mask"):
        panel.select(np.ones(3, dtype=bool))


# ----------------------------------------------------------------------- sub-indices


def test_sub_indices_hand_example() -> None:
    row = [4] * 35 + [5] * 6 + [3] * 6 + [5, 4, 3]
    np.testing.assert_allclose(sub_indices([row]), [[140 / 175, 48 / 60, 12 / 15]], rtol=0, atol=0)
    assert status_of_scores([row]).tolist() == [IDMStatus.MAJU.code]
    w = indicator_weights()
    assert (w[0], w[35], w[49]) == pytest.approx((1 / 525, 1 / 180, 1 / 45), rel=1e-15)
    assert float(np.asarray(row) @ w) == pytest.approx(0.8, abs=1e-15)


@given(hnp.arrays(np.int8, (4, 50), elements=st.integers(0, 5)))
def test_sub_indices_equal_idmscore_and_exact_fractions(scores: np.ndarray) -> None:
    sub = sub_indices(scores)
    comp = composite_scores(sub)
    for i, row in enumerate(scores):
        s = IDMScore.from_indicators(row)  # the 50-score form
        assert (s.iks, s.ike, s.ikl) == tuple(sub[i])
        assert s.composite == comp[i]
        exact = (
            Fraction(int(row[:35].sum()), 175) + Fraction(int(row[35:47].sum()), 60) + Fraction(int(row[47:].sum()), 15)
        ) / 3
        assert comp[i] == pytest.approx(float(exact), abs=1e-15)
        assert status_of_scores(row[None])[0] == s.status.code


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30))
def test_status_codes_equal_idm_status_code(values: list[float]) -> None:
    np.testing.assert_array_equal(status_codes(values), idm_status_code(values))


def test_status_codes_boundaries_and_errors() -> None:
    assert status_codes([0.4907, 0.4908, 0.7072, 0.7073, 0.8155, 0.8156]).tolist() == [0, 1, 2, 3, 3, 4]
    with pytest.raises(ParameterError) as info:
        status_codes([1.2])
    assert (info.value.parameter, info.value.function) == ("composite", "status_codes")
    with pytest.raises(ParameterError) as info:
        sub_indices(np.zeros((2, 49)))
    assert (info.value.parameter, info.value.function) == ("scores", "sub_indices")
    with pytest.raises(ParameterError, match=r"0\.\.5"):
        sub_indices(np.full((1, 50), 6))
    with pytest.raises(ParameterError, match="index"):
        sub_indices(np.zeros((1, 50)), index="IDM")  # type: ignore[arg-type]


# --------------------------------------------------------- IDMScore, the 50-score form


def test_from_indicators_fifty_forms_agree() -> None:
    rng = np.random.default_rng(11)
    row = rng.integers(0, 6, 50)
    three = IDMScore.from_indicators(row[:35].tolist(), row[35:47].tolist(), row[47:].tolist())
    assert IDMScore.from_indicators(row) == three
    assert IDMScore.from_indicators(row.tolist()) == three
    assert IDMScore.from_indicators(dict(zip(IDM_INDICATOR_COLUMNS, row.tolist(), strict=True))) == three
    names = [i.name_id for i in idm_indicators()]  # the API's own spellings, "Skor ..."
    assert IDMScore.from_indicators(dict(zip(names, row.tolist(), strict=True))) == three


@pytest.mark.parametrize(
    ("kwargs", "parameter", "needle"),
    [
        ({"social": [3] * 49}, "social", "all 50 scores"),
        ({"social": [3] * 35, "economic": [3] * 12}, "ecological", "all three"),
        ({"social": [3] * 35, "ecological": [3] * 3}, "economic", "all three"),
        ({"social": dict.fromkeys(IDM_INDICATOR_COLUMNS[:49], 3)}, "social", "s_tanggap_bencana"),
        ({"social": {**dict.fromkeys(IDM_INDICATOR_COLUMNS, 3), "s_banjir": 1}}, "social", "unknown indicator"),
        ({"social": {**dict.fromkeys(IDM_INDICATOR_COLUMNS, 3), "Skor Dokter": 1}}, "social", "given twice"),
        ({"social": np.zeros((2, 50))}, "social", "1-D"),
        ({"social": [3] * 49 + [6]}, "ecological", "score 6"),
        ({"social": 7}, "social", "mapping or a sequence"),
    ],
)
def test_from_indicators_fifty_form_errors(kwargs: dict[str, object], parameter: str, needle: str) -> None:
    with pytest.raises(ParameterError) as info:
        IDMScore.from_indicators(**kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == parameter
    assert info.value.function == "IDMScore.from_indicators"
    assert needle in str(info.value)


# ------------------------------------------------------------------ composite indices


def _toy() -> CompositeIndex:
    return CompositeIndex(
        name="Toy",
        sub_indices=("A", "B"),
        indicator_columns=("a1", "a2", "b1"),
        indicator_sub_index=(0, 0, 1),
        thresholds=(0.25, 0.75),
        status_labels=("low", "mid", "high"),
        weights=(0.75, 0.25),
        max_score=4,
        decimals=2,
    )


def test_idm_index_is_the_ministrys() -> None:
    assert IDM_INDEX.sub_indices == ("IKS", "IKE", "IKL")
    assert IDM_INDEX.sub_index_maxima == (175, 60, 15)
    assert IDM_INDEX.n_indicators == 50
    assert IDM_INDEX.n_statuses == 5
    assert IDM_INDEX.status_labels[-1] == "Desa Mandiri"
    assert IDM_INDEX.column("s_internet_kantor_desa") == OFFICE
    with pytest.raises(ParameterError, match="no indicator"):
        IDM_INDEX.column("s_wifi")


def test_a_countrys_own_index() -> None:
    toy = _toy()
    assert toy.sub_index_maxima == (8, 4)
    scores = np.array([[4, 4, 0], [2, 2, 4], [1, 0, 0]])
    np.testing.assert_array_equal(sub_indices(scores, index=toy), [[1.0, 0.0], [0.5, 1.0], [0.125, 0.0]])
    comp = composite_scores(sub_indices(scores, index=toy), index=toy)
    np.testing.assert_allclose(comp, [0.75, 0.625, 0.09375])
    # 0.75 is the upper bound of "mid"; 0.09375 rounds to 0.09 -> "low".
    assert status_of_scores(scores, index=toy).tolist() == [1, 1, 0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"thresholds": (0.5, 0.4)}, "thresholds"),
        ({"thresholds": (0.255, 0.75)}, "thresholds"),  # more decimals than decimals=2
        ({"thresholds": (0.0, 0.75)}, "thresholds"),
        ({"status_labels": ("low", "high")}, "status_labels"),
        ({"weights": (0.5, 0.4)}, "weights"),
        ({"weights": (1.0,)}, "weights"),
        ({"indicator_sub_index": (0, 0, 0)}, "indicator_sub_index"),
        ({"indicator_sub_index": (0, 2, 1)}, "indicator_sub_index"),
        ({"indicator_sub_index": (0, 1)}, "indicator_sub_index"),
        ({"indicator_columns": ("a1", "a1", "b1")}, "indicator_columns"),
        ({"max_score": 0}, "max_score"),
        ({"decimals": 13}, "decimals"),
    ],
)
def test_composite_index_errors(change: dict[str, object], field: str) -> None:
    kwargs = {
        "name": "Toy",
        "sub_indices": ("A", "B"),
        "indicator_columns": ("a1", "a2", "b1"),
        "indicator_sub_index": (0, 0, 1),
        "thresholds": (0.25, 0.75),
        "status_labels": ("low", "mid", "high"),
        "weights": (0.75, 0.25),
        "max_score": 4,
        "decimals": 2,
        **change,
    }
    with pytest.raises(ParameterError) as info:
        CompositeIndex(**kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == field
    assert info.value.function == "CompositeIndex"


# ------------------------------------------------------------------ observed counts


def test_banyuwangi_idm_2020_counts() -> None:
    counts = banyuwangi_idm_status()
    assert sorted(counts) == [2020]
    c = counts[2020]
    assert c.counts == (0, 0, 26, 111, 52)
    assert c.total == 189
    assert c.count(IDMStatus.MANDIRI) == 52
    assert c.source == "banyuwangikab-2021-idm"
    with pytest.raises(TypeError):
        counts[2021] = c  # type: ignore[index]


@pytest.mark.parametrize("counts", [(1, 2, 3), (0, 0, -1, 0, 0), (0, 0, 1.5, 0, 0)])
def test_status_counts_errors(counts: tuple[float, ...]) -> None:
    with pytest.raises(SmartKampungError) as info:
        IDMStatusCounts(2020, counts)  # type: ignore[arg-type]
    assert isinstance(info.value, ParameterError)
    assert info.value.parameter == "counts"


def test_indicator_effect_validation() -> None:
    e = IndicatorEffect("s_internet_kantor_desa", 5, "connection")
    assert e.threshold == 1.0
    with pytest.raises(ParameterError) as info:
        IndicatorEffect("s_akses_internet_warga", 5, "social", 0.0)
    assert (info.value.parameter, info.value.function) == ("threshold", "IndicatorEffect")
    with pytest.raises(ParameterError, match="score"):
        IndicatorEffect("s_akses_internet_warga", -1, "social", 0.5)
    with pytest.raises(ParameterError, match="driver"):
        IndicatorEffect("s_akses_internet_warga", 5, "", 0.5)
