"""Tests of kinerja.agreement.krippendorff_alpha.

Published values (Wikipedia's computational example; Krippendorff 2011 example C as
shipped with R irrCAC; Gwet's irrCAC tables), the `krippendorff` package (PyPI, 0.9)
to 1e-10, properties (hypothesis) and the bootstrap. Any warning is an error here.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kinerja.agreement import AgreementInputError, _alpha, krippendorff_alpha

from .reference import REFERENCE, load_expected, load_expected_meta

pytestmark = pytest.mark.filterwarnings("error")

WIKI = load_expected("krippendorff_wikipedia")
GWET = load_expected("irrCAC_gwet")
LEVELS = ["nominal", "ordinal", "interval", "ratio"]


def to_long(y: np.ndarray) -> pd.DataFrame:
    n, k = y.shape
    return pd.DataFrame(
        {"subject_id": np.repeat(np.arange(n), k), "juror_id": np.tile(np.arange(k), n), "score": y.ravel()}
    )


def close_at(ours: float, published: float, decimals: int) -> bool:
    return abs(ours - published) <= 0.5 * 10.0 ** (-decimals) + 1e-12


def alpha(df, level, **kw):
    return float(krippendorff_alpha(df, level=level, **kw)["estimate"].iloc[0])


@pytest.fixture(scope="module")
def wiki_long():
    wide = pd.read_csv(REFERENCE / "krippendorff_wikipedia" / "data_wide.csv")
    return wide.melt("unit", var_name="coder", value_name="value")


@pytest.fixture(scope="module")
def example_c():
    """Krippendorff (2011) example C = irrCAC cac.raw4raters (12 units x 4 raters)."""
    wide = pd.read_csv(REFERENCE / "irrCAC_gwet" / "cac.raw4raters.csv")
    return wide.melt("Units", var_name="rater", value_name="value").rename(
        columns={"Units": "subject_id", "rater": "juror_id", "value": "score"}
    )


def _from_contingency() -> pd.DataFrame:
    """cont3x3abstractors: a 2-rater table, categories coded 1..3 in table order."""
    t = pd.read_csv(REFERENCE / "irrCAC_gwet" / "cont3x3abstractors.csv", index_col=0)
    rows, unit = [], 0
    for i in range(t.shape[0]):
        for j in range(t.shape[1]):
            for _ in range(int(t.iloc[i, j])):
                rows += [(unit, "r1", i + 1.0), (unit, "r2", j + 1.0)]
                unit += 1
    return pd.DataFrame(rows, columns=["subject_id", "juror_id", "score"])


def _from_distribution() -> pd.DataFrame:
    """distrib.6raters: counts per category, categories coded 1..5 in column order."""
    d = pd.read_csv(REFERENCE / "irrCAC_gwet" / "distrib.6raters.csv")
    rows = []
    for _, r in d.iterrows():
        slot = 0
        for j, col in enumerate(d.columns[1:]):
            for _ in range(int(r[col])):
                rows.append((r["Subject"], f"slot{slot}", j + 1.0))
                slot += 1
    return pd.DataFrame(rows, columns=["subject_id", "juror_id", "score"])


# --------------------------------------------------------------------------------------
# Published values
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", list(WIKI.values()), ids=list(WIKI))
def test_wikipedia_example(entry, wiki_long):
    # source: entry["source"] (Wikipedia "Krippendorff's alpha", computational example,
    # and the krippendorff package docstring for the 6-decimal values)
    level = entry["id"].split(".")[0]
    ours = alpha(wiki_long, level, subject="unit", rater="coder", value="value")
    assert close_at(ours, entry["value"], entry["decimals"]), (entry["id"], ours, entry["source"])


# weights of Gwet's functions that are Krippendorff's metrics
_GWET_LEVEL = {"unweighted": "nominal", "quadratic": "interval", "ratio": "ratio"}
_GWET_ALPHA = {
    k: v
    for k, v in GWET.items()
    if (("krippen" in k) or (".krippendorff." in k))
    and not k.endswith((".se", ".ci_low", ".ci_high", ".pa", ".pe"))
    and v.get("options", {}).get("weights") in _GWET_LEVEL
}


def test_gwet_alpha_entries_selected():
    assert set(_GWET_ALPHA) == {
        "cont3x3abstractors.krippen2.table.unweighted",
        "cont3x3abstractors.krippen2.table.quadratic",
        "distrib.6raters.krippen.alpha.dist.unweighted",
        "distrib.6raters.krippen.alpha.dist.quadratic",
        "cac.raw4raters.krippen.alpha.raw.unweighted",
        "cac.raw4raters.krippen.alpha.raw.quadratic",
        "cac.raw4raters.py.krippendorff.quadratic",
        "cac.raw4raters.py.krippendorff.ratio",
    }


@pytest.mark.parametrize("entry", list(_GWET_ALPHA.values()), ids=list(_GWET_ALPHA))
def test_gwet_irrcac_alpha(entry, example_c):
    # source: entry["source"]. Gwet's weights that are Krippendorff metrics:
    # unweighted = nominal, quadratic = interval, ratio = ratio (KNOWN_DISAGREEMENTS.md).
    level = _GWET_LEVEL[entry["options"]["weights"]]
    file = entry["options"]["file"]
    data = {
        "cac.raw4raters.csv": example_c,
        "cont3x3abstractors.csv": _from_contingency(),
        "distrib.6raters.csv": _from_distribution(),
    }[file]
    ours = alpha(data, level)
    assert close_at(ours, entry["value"], entry["decimals"]), (entry["id"], ours, entry["source"])


def test_ordinal_example_c_is_krippendorffs_not_gwets(example_c):
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example C:
    # ordinal alpha = 0.815 (cited in irrCAC_gwet/expected.json notes). Gwet's
    # "ordinal weights" are a different metric and give 0.834 (irrCAC); we implement
    # Krippendorff's ordinal metric.
    notes = " ".join(load_expected_meta("irrCAC_gwet")["notes"])
    assert "ordinal alpha 0.815" in notes
    ours = alpha(example_c, "ordinal")
    assert close_at(ours, 0.815, 3)
    gwet_ordinal = GWET["cac.raw4raters.py.krippendorff.ordinal"]["value"]
    assert gwet_ordinal == 0.834 and abs(ours - gwet_ordinal) > 0.01


def test_example_c_counts(example_c):
    res = krippendorff_alpha(example_c, level="nominal")
    # unit 12 has a single value: unpairable, dropped and counted
    assert int(res["n_subjects"].iloc[0]) == 11
    assert int(res["n_pairable"].iloc[0]) == 40
    assert "1 unit(s) with a single value dropped" in res["note"].iloc[0]


# --------------------------------------------------------------------------------------
# Peer package: krippendorff (PyPI) to 1e-10
# --------------------------------------------------------------------------------------


def _peer(y: np.ndarray, level: str) -> float:
    kp = pytest.importorskip("krippendorff")
    return float(kp.alpha(reliability_data=y.T, level_of_measurement=level))


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", range(4))
def test_matches_krippendorff_package(level, seed):
    rng = np.random.default_rng(seed)
    n, k = [(15, 3), (30, 5), (8, 7), (40, 2)][seed]
    y = (rng.integers(0, 5, size=(n, 1)) + rng.integers(-1, 2, size=(n, k))).clip(0).astype(float)
    if seed == 3:
        y = np.round(rng.gamma(2.0, 2.0, size=(n, k)), 2)  # (nearly) continuous
    y[rng.random(y.shape) < 0.2] = np.nan
    ours = alpha(to_long(y), level)
    assert ours == pytest.approx(_peer(y, level), abs=1e-10)


@settings(max_examples=30, deadline=None)
@given(
    y=st.tuples(st.integers(2, 12), st.integers(2, 5)).flatmap(
        lambda nk: arrays(np.float64, nk, elements=st.one_of(st.integers(0, 4).map(float), st.just(np.nan)))
    ),
    level=st.sampled_from(LEVELS),
)
def test_matches_krippendorff_package_property(y, level):
    m = (~np.isnan(y)).sum(axis=1)
    vals = y[m >= 2]
    vals = vals[~np.isnan(vals)]
    if vals.size == 0 or np.ptp(vals) == 0:
        return  # undefined; covered by the degenerate tests
    if (m >= 2).sum() < 2:  # our identification rule: NaN where the peer says 0
        assert np.isnan(alpha(to_long(y), level)) and _peer(y, level) == pytest.approx(0.0, abs=1e-12)
        return
    assert alpha(to_long(y), level) == pytest.approx(_peer(y, level), abs=1e-10)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    units=arrays(np.float64, st.integers(2, 20), elements=st.integers(0, 9).map(float)),
    k=st.integers(2, 5),
    level=st.sampled_from(LEVELS),
)
def test_perfect_agreement_gives_one(units, k, level):
    if np.ptp(units) == 0:
        return
    y = np.repeat(units[:, None], k, axis=1)
    assert alpha(to_long(y), level) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(y=arrays(np.float64, (10, 3), elements=st.one_of(st.integers(0, 1).map(float), st.just(np.nan))))
def test_binary_data_metrics_coincide(y):
    long = to_long(y)
    nominal = krippendorff_alpha(long, level="nominal")["estimate"].iloc[0]
    for level in ("interval", "ordinal"):
        other = krippendorff_alpha(long, level=level)["estimate"].iloc[0]
        if np.isnan(nominal):
            assert np.isnan(other)
        else:
            assert other == pytest.approx(nominal, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    y=arrays(np.float64, (8, 4), elements=st.one_of(st.integers(1, 6).map(float), st.just(np.nan))),
    level=st.sampled_from(LEVELS),
    data=st.data(),
)
def test_relabelling_units_and_raters_changes_nothing(y, level, data):
    base = krippendorff_alpha(to_long(y), level=level)
    ps = data.draw(st.permutations(range(8)))
    pr = data.draw(st.permutations(range(4)))
    long = pd.DataFrame(
        {
            "subject_id": np.repeat([f"agency {i}" for i in ps], 4),
            "juror_id": np.tile([f"juror {j}" for j in pr], 8),
            "score": y.ravel(),
        }
    ).sample(frac=1.0, random_state=0)
    other = krippendorff_alpha(long, level=level)
    np.testing.assert_allclose(other["estimate"], base["estimate"], atol=1e-12)
    assert other["n_pairable"].iloc[0] == base["n_pairable"].iloc[0]


def test_nominal_labels_and_none_as_missing():
    # NLTK once counted None as a category (nltk/nltk#2865): here None / NaN are missing
    labels = pd.DataFrame(
        {
            "subject_id": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4],
            "juror_id": list("abcabcabcab"),
            "score": ["baik", "baik", None, "cukup", "cukup", "baik", "kurang", "kurang", "kurang", "baik", np.nan],
        }
    )
    codes = labels.assign(score=labels["score"].map({"baik": 0.0, "cukup": 1.0, "kurang": 2.0}))
    a = krippendorff_alpha(labels, level="nominal")
    b = krippendorff_alpha(codes, level="nominal")
    assert a["estimate"].iloc[0] == pytest.approx(b["estimate"].iloc[0], abs=1e-15)
    assert int(a["n_pairable"].iloc[0]) == 8  # unit 4 has one value
    with pytest.raises(AgreementInputError, match="numeric"):
        krippendorff_alpha(labels, level="interval")


def test_scale_and_shift_invariance():
    rng = np.random.default_rng(5)
    y = rng.normal(size=(25, 4)) + 10
    y[rng.random(y.shape) < 0.2] = np.nan
    base = {lv: alpha(to_long(y), lv) for lv in ("interval", "ordinal", "ratio")}
    assert alpha(to_long(3 * y - 7), "interval") == pytest.approx(base["interval"], abs=1e-12)
    assert alpha(to_long(np.exp(y / 5)), "ordinal") == pytest.approx(base["ordinal"], abs=1e-12)
    assert alpha(to_long(4 * y), "ratio") == pytest.approx(base["ratio"], abs=1e-12)


# --------------------------------------------------------------------------------------
# Degenerate cases and input validation
# --------------------------------------------------------------------------------------


def test_no_pairable_units():
    y = np.array([[1.0, np.nan], [np.nan, 2.0], [np.nan, np.nan]])
    res = krippendorff_alpha(to_long(y), n_boot=100, seed=0)
    assert np.isnan(res["estimate"].iloc[0]) and np.isnan(res["ci_low"].iloc[0])
    assert "no unit has two or more values" in res["note"].iloc[0]
    assert int(res["n_subjects"].iloc[0]) == 0 and int(res["n_pairable"].iloc[0]) == 0


@pytest.mark.parametrize("level", LEVELS)
def test_all_values_identical(level):
    res = krippendorff_alpha(to_long(np.full((5, 3), 2.0)), level=level, n_boot=50, seed=0)
    assert np.isnan(res["estimate"].iloc[0])
    assert "expected disagreement is 0" in res["note"].iloc[0]


def test_single_disagreement_without_variation():
    # krippendorff issue #11 (users surprised by alpha = 0): one disagreement in
    # otherwise constant data. D_o = 2/6, D_e = 10/30, so alpha = 0 exactly - no better
    # than chance given marginals that are almost all one value. Defined, not NaN.
    y = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 2.0]])
    assert alpha(to_long(y), "nominal") == pytest.approx(0.0, abs=1e-15)
    assert alpha(to_long(y), "nominal") == pytest.approx(_peer(y, "nominal"), abs=1e-12)


def test_ratio_zeros_and_negative_values():
    y = np.array([[0.0, 0.0], [0.0, 3.0], [2.0, 2.0], [5.0, 4.0]])
    assert alpha(to_long(y), "ratio") == pytest.approx(_peer(y, "ratio"), abs=1e-12)
    with pytest.raises(AgreementInputError, match="non-negative"):
        krippendorff_alpha(to_long(y - 1), level="ratio")


def test_input_errors():
    df = to_long(np.ones((3, 2)))
    with pytest.raises(AgreementInputError, match="level"):
        krippendorff_alpha(df, level="metric")
    with pytest.raises(AgreementInputError, match="n_boot"):
        krippendorff_alpha(df, n_boot=1)
    with pytest.raises(AgreementInputError, match="confidence level"):
        krippendorff_alpha(df, n_boot=10, ci=1.5)
    with pytest.raises(AgreementInputError, match="column"):
        krippendorff_alpha(df, value="rating")
    with pytest.raises(AgreementInputError, match="share a"):
        krippendorff_alpha(pd.concat([df, df.iloc[:1]]))


def test_output_columns(wiki_long):
    res = krippendorff_alpha(wiki_long, subject="unit", rater="coder", value="value")
    assert list(res.columns) == [
        "statistic",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "ci_level",
        "p_value",
        "n_subjects",
        "n_raters",
        "method",
        "note",
        "level",
        "n_pairable",
        "n_boot",
    ]
    assert res["level"].iloc[0] == "interval"
    assert "n_boot=0" in res["note"].iloc[0]


# --------------------------------------------------------------------------------------
# Scale: no values x values matrix for continuous data
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["interval", "ordinal", "nominal"])
def test_continuous_scores_bounded_memory(level):
    rng = np.random.default_rng(0)
    y = rng.normal(size=(2000, 1)) + rng.normal(size=(2000, 10))  # 20,000 distinct values
    tracemalloc.start()
    res = krippendorff_alpha(to_long(y), level=level)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert np.isfinite(res["estimate"].iloc[0])
    assert peak < 100e6  # a 20,000 x 20,000 float matrix would be 3.2 GB


# --------------------------------------------------------------------------------------
# Bootstrap over units
# --------------------------------------------------------------------------------------


def _metric(y, level):
    u = _alpha._Units(y)
    if level == "ordinal":
        return u, _alpha._Ordinal(u)
    return u, {"interval": _alpha._Interval, "nominal": _alpha._Nominal, "ratio": _alpha._Ratio}[level](u)


@pytest.mark.parametrize("level", LEVELS)
def test_weighted_parts_equal_explicit_resample(level):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 6, size=(12, 4)).astype(float)
    y[rng.random(y.shape) < 0.2] = np.nan
    u, metric = _metric(y, level)
    ones = np.ones((1, u.n_units))
    assert _alpha._alpha_from_parts(*metric.parts(ones))[0] == pytest.approx(alpha(to_long(y), level), abs=1e-12)
    idx = rng.integers(0, u.n_units, size=u.n_units)
    w = np.bincount(idx, minlength=u.n_units).astype(float)[None, :]
    explicit = alpha(to_long(u.mat[idx]), level)
    assert _alpha._alpha_from_parts(*metric.parts(w))[0] == pytest.approx(explicit, abs=1e-12)


def test_ratio_bootstrap_paths_agree(monkeypatch):
    rng = np.random.default_rng(2)
    y = np.round(rng.gamma(3.0, 1.0, size=(15, 4)), 1)
    y[rng.random(y.shape) < 0.15] = np.nan
    via_values = krippendorff_alpha(to_long(y), level="ratio", n_boot=300, seed=9)
    monkeypatch.setattr(_alpha, "_MAX_DENSE_PAIRS", 20)  # more distinct values than 20
    via_units = krippendorff_alpha(to_long(y), level="ratio", n_boot=300, seed=9)
    np.testing.assert_allclose(via_units[["ci_low", "ci_high"]], via_values[["ci_low", "ci_high"]], atol=1e-12)
    monkeypatch.setattr(_alpha, "_MAX_DENSE_PAIRS", 5)  # neither fits: no interval
    none = krippendorff_alpha(to_long(y), level="ratio", n_boot=300, seed=9)
    assert np.isnan(none["ci_low"].iloc[0]) and "no bootstrap" in none["note"].iloc[0]
    assert none["estimate"].iloc[0] == pytest.approx(via_values["estimate"].iloc[0], abs=1e-15)


@pytest.mark.parametrize("level", LEVELS)
def test_bootstrap_seeded_and_brackets(level, example_c):
    a = krippendorff_alpha(example_c, level=level, n_boot=500, seed=11)
    b = krippendorff_alpha(example_c, level=level, n_boot=500, seed=11)
    pd.testing.assert_frame_equal(a, b)
    lo, est, hi = a[["ci_low", "estimate", "ci_high"]].iloc[0]
    assert lo <= est <= hi and hi <= 1.0
    assert "unit bootstrap (bca), 500 resamples" in a["method"].iloc[0]
    p = krippendorff_alpha(example_c, level=level, n_boot=500, seed=11, ci_method="percentile")
    assert "percentile" in p["method"].iloc[0]


def test_bootstrap_interval_shrinks_with_more_units():
    # kripp.boot issue: intervals that do not shrink with n. Ours must.
    rng = np.random.default_rng(3)

    def width(n):
        y = rng.normal(size=(n, 1)) + 0.7 * rng.normal(size=(n, 4))
        r = krippendorff_alpha(to_long(y), n_boot=1000, seed=1)
        return float(r["ci_high"].iloc[0] - r["ci_low"].iloc[0])

    assert width(400) < 0.6 * width(40)


# --------------------------------------------------------------------------------------
# Identification rule (issue 7: "estimates with nothing behind them")
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_single_pairable_unit_is_nan_with_reason(level):
    # with one pairable unit D_o = D_e identically: alpha would be 0.0 with CI [0, 0]
    y = np.array([[1.0, 3.0, 4.0], [2.0, np.nan, np.nan], [np.nan, 5.0, np.nan]])
    assert _peer(y, level) == pytest.approx(0.0, abs=1e-12)  # what the formula gives
    res = krippendorff_alpha(to_long(y), level=level, n_boot=200, seed=0).iloc[0]
    assert np.isnan(res["estimate"]) and np.isnan(res["ci_low"]) and np.isnan(res["ci_high"])
    assert "not identified: a single pairable unit" in res["note"]
    assert res["n_subjects"] == 1


@pytest.mark.parametrize("units", [2, 3, 4])
def test_few_pairable_units_barely_identified_and_no_interval(units):
    rng = np.random.default_rng(units)
    y = rng.normal(size=(units, 3)) + 3 * np.arange(units)[:, None]
    res = krippendorff_alpha(to_long(y), n_boot=200, seed=0).iloc[0]
    assert res["estimate"] == pytest.approx(_peer(y, "interval"), abs=1e-10)
    assert f"barely identified: only {units} pairable units" in res["note"]
    assert np.isnan(res["ci_low"]) and "no bootstrap interval with fewer than 5" in res["note"]
    y5 = np.vstack([y, rng.normal(size=(5 - units, 3)) + 10])  # five units: no note, an interval
    five = krippendorff_alpha(to_long(y5), n_boot=200, seed=0).iloc[0]
    assert "identified" not in five["note"] and np.isfinite(five["ci_low"])


def test_zero_width_bootstrap_interval_says_so():
    """Every unit alike: the bootstrap interval of alpha is a point, which the note explains."""
    y = np.tile([1.0, 2.0, 3.0], (8, 1))
    row = krippendorff_alpha(to_long(y), level="interval", n_boot=200, seed=1).iloc[0]
    assert row["ci_low"] == row["ci_high"]
    assert "bootstrap interval has zero width" in row["note"]
