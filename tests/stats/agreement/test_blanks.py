"""Blank ratings are missing ratings, never a category (issue 7, "Blank ratings").

A workbook export writes an empty cell as " " (or a non-breaking space, or ""), and a
blank counted as a category moved a published Gwet AC1 by 0.14. Regression test on
Gwet's published example (irrCAC ``cac.raw4raters`` = Krippendorff 2011 example C, 12
units x 4 raters, 7 empty cells): with the empty cells written as blanks every kappa,
AC and alpha function must reproduce the published values and say how many blanks it
treated as missing.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from kinerja import agreement

from .reference import REFERENCE, close_at, load_expected

IRRCAC = load_expected("irrCAC_gwet")
BLANKS = [" ", "\u00a0", "", "  \t", "\u3000", "\u200b"]  # space, NBSP, empty, tab, ideographic, zero-width

# our statistic -> irrCAC function name in expected.json (cac.raw4raters.<fn>.raw.<weights>)
_RAW = {
    "gwet_ac1": "gwet.ac1",
    "gwet_ac2": "gwet.ac1",
    "fleiss_kappa": "fleiss.kappa",
    "conger_kappa": "conger.kappa",
    "brennan_prediger": "bp.coeff",
    "percent_agreement": "pa.coeff",
    "krippendorff_alpha": "krippen.alpha",
}


@pytest.fixture(autouse=True)
def _no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def raw4(blanks: bool) -> pd.DataFrame:
    wide = pd.read_csv(REFERENCE / "irrCAC_gwet" / "cac.raw4raters.csv").drop(columns="Units")
    wide.index = pd.RangeIndex(1, len(wide) + 1, name="subject_id")
    long = wide.reset_index().melt(id_vars="subject_id", var_name="juror_id", value_name="score")
    if blanks:
        score = long["score"].astype(object)
        fill = itertools.cycle(BLANKS)
        score[score.isna()] = [next(fill) for _ in range(int(score.isna().sum()))]
        long["score"] = score
    return long


N_BLANK = int(raw4(False)["score"].isna().sum())


def test_fixture_has_the_blanks():
    data = raw4(True)
    assert N_BLANK == 7 and data["score"].notna().all()
    assert data["score"].isin(BLANKS).sum() == N_BLANK


@pytest.mark.parametrize("weights", ["unweighted", "quadratic"])
def test_gwet_family_reproduces_published_values_with_blanks(weights):
    # R irrCAC: gwet.ac1.raw / fleiss.kappa.raw / conger.kappa.raw / bp.coeff.raw /
    # pa.coeff.raw (cac.raw4raters, weights = ...). Krippendorff's SE follows GitHub irrCAC >= 1.2
    # (see test_kappa.py), so only its estimate is compared here.
    res = agreement.gwet_ac(raw4(True), weights=weights).set_index("statistic")
    clean = agreement.gwet_ac(raw4(False), weights=weights).set_index("statistic")
    checked = 0
    for stat, fn in _RAW.items():
        if stat not in res.index:
            continue
        for suffix, col in (("", "estimate"), (".se", "se"), (".pa", "pa"), (".pe", "pe")):
            key = f"cac.raw4raters.{fn}.raw.{weights}{suffix}"
            if key not in IRRCAC or (stat == "krippendorff_alpha" and suffix == ".se"):
                continue
            e = IRRCAC[key]
            assert close_at(res.loc[stat, col], e["value"], e["decimals"]), (key, res.loc[stat, col])
            checked += 1
    assert checked >= 20
    num = ["estimate", "se", "ci_low", "ci_high", "p_value", "pa", "pe"]
    np.testing.assert_allclose(res[num].to_numpy(float), clean[num].to_numpy(float), rtol=1e-12)
    assert (res["n_subjects"] == 12).all() and (res["n_raters"] == 4).all()
    assert res["note"].str.contains(f"{N_BLANK} blank rating(s)", regex=False).all()


def test_a_blank_as_a_category_would_move_the_published_ac1():
    # what the bug did: the blank as a sixth category on the scale
    as_category = raw4(False).assign(score=lambda d: d["score"].fillna(0.0))
    moved = agreement.gwet_ac(as_category).set_index("statistic").loc["gwet_ac1", "estimate"]
    published = IRRCAC["cac.raw4raters.gwet.ac1.raw.unweighted"]["value"]
    assert abs(moved - published) > 0.05
    assert close_at(agreement.gwet_ac(raw4(True)).set_index("statistic").loc["gwet_ac1", "estimate"], published, 5)


def test_text_labels_with_blanks():
    # the same ratings as text (pandas string dtype, as load_dataset gives them)
    labels = {1.0: "sangat kurang", 2.0: "kurang", 3.0: "cukup", 4.0: "baik", 5.0: "sangat baik"}
    data = raw4(True)
    text = data["score"].map(lambda v: labels.get(v, v)).astype("str")
    res = agreement.gwet_ac(data.assign(score=text), categories=list(labels.values()))
    ref = agreement.gwet_ac(raw4(False))
    np.testing.assert_allclose(res["estimate"], ref["estimate"], rtol=1e-12)
    assert res["note"].str.contains(f"{N_BLANK} blank rating(s)", regex=False).all()


@pytest.mark.parametrize(
    ("fn", "kw"),
    [
        (agreement.fleiss_kappa, {}),
        (agreement.cohen_kappa, {"weights": "linear"}),
        (agreement.subject_agreement, {}),
        (agreement.krippendorff_alpha, {"level": "nominal"}),
        (agreement.krippendorff_alpha, {"level": "interval"}),
        (agreement.krippendorff_alpha, {"level": "ordinal"}),
    ],
)
def test_every_categorical_function_treats_blanks_as_missing(fn, kw):
    a, b = fn(raw4(True), **kw), fn(raw4(False), **kw)
    num = [c for c in ("estimate", "se", "ci_low", "ci_high", "p_value") if c in a]
    np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), rtol=1e-12, equal_nan=True)
    assert a["note"].str.contains("blank rating(s)", regex=False).all()


def test_krippendorff_alpha_published_with_blanks():
    # Krippendorff (2011) example C = cac.raw4raters: nominal 0.743, interval 0.849
    # (irrCAC krippen.alpha.raw unweighted / quadratic)
    for level, key in (("nominal", "unweighted"), ("interval", "quadratic")):
        e = IRRCAC[f"cac.raw4raters.krippen.alpha.raw.{key}"]
        res = agreement.krippendorff_alpha(raw4(True), level=level).iloc[0]
        assert close_at(res["estimate"], e["value"], e["decimals"]), (level, res["estimate"])
        assert f"{N_BLANK} blank rating(s)" in res["note"] and res["n_pairable"] == 40


def test_counts_table_with_a_blank_category_column():
    # irrCAC distrib.6raters (published fleiss.kappa.dist / gwet.ac1.dist) with a column
    # of blank ratings added: the column is dropped, the published values stay
    counts = pd.read_csv(REFERENCE / "irrCAC_gwet" / "distrib.6raters.csv", index_col=0)
    with_blank = counts.assign(**{" ": [1, 0, 2] * 5})
    for fn, key in ((agreement.fleiss_kappa_counts, "fleiss.kappa"), (agreement.gwet_ac_counts, "gwet.ac1")):
        res = fn(with_blank).iloc[0]
        e = IRRCAC[f"distrib.6raters.{key}.dist.unweighted"]
        assert close_at(res["estimate"], e["value"], e["decimals"]), (key, res["estimate"])
        assert "15 blank rating(s)" in res["note"]


def test_contingency_table_with_a_blank_category():
    # irrCAC cont3x3abstractors (kappa2.table, gwet.ac1.table) with a blank category
    # row and column added: subjects with a blank rating are dropped
    t = pd.read_csv(REFERENCE / "irrCAC_gwet" / "cont3x3abstractors.csv", index_col=0)
    labels = list(t.columns)
    big = t.reindex(index=labels + ["\u00a0"], columns=labels + ["\u00a0"], fill_value=0)
    big.iloc[3, 0], big.iloc[1, 3], big.iloc[3, 3] = 2, 1, 4
    for fn, stat, key in (
        (agreement.cohen_kappa_table, "cohen_kappa", "kappa2"),
        (agreement.gwet_ac_table, "gwet_ac1", "gwet.ac1"),
    ):
        res = fn(big).set_index("statistic").loc[stat]
        e = IRRCAC[f"cont3x3abstractors.{key}.table.unweighted"]
        assert close_at(res["estimate"], e["value"], e["decimals"]), (stat, res["estimate"])
        assert "7 subject(s) with a blank rating" in res["note"]


def test_blank_category_declared_is_refused():
    with pytest.raises(agreement.AgreementInputError, match="blank label"):
        agreement.gwet_ac(raw4(True), categories=[1, 2, 3, 4, 5, " "])
