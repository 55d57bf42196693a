"""The category-comparison analysis (notebook 03) on data as load_dataset returns it:
the real 2020 record, other years and datasets, and degenerate datasets."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from kinerja.analyses import categories
from kinerja.analyses.base import check_tables
from kinerja.analyses.findings import check_findings
from kinerja.compare import TOO_FEW, group_effects
from kinerja.data.io import load_dataset
from kinerja.rubrics import subject_totals
from tests import datasets

from ..stats.agreement.reference import load_expected

R = load_expected("compare_R")
FIDS = [
    "categories.grade_test",
    "categories.top_share",
    "categories.detectable",
    "categories.adjusted",
    "categories.evaluating_side",
]


def run(ds, **kw):
    kw = {"n_boot": 100, "n_perm": 199, "seed": 1, **kw}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning from any layer
        return categories.analyse(ds, **kw)


@pytest.fixture(scope="module")
def batu2020():
    return load_dataset("batu").for_year(2020)


@pytest.fixture(scope="module")
def res2020(batu2020):
    return run(batu2020)


def test_tables_follow_their_specs_and_ids_are_text(res2020, batu2020):
    check_tables(res2020, categories.TABLES)
    assert set(res2020.tables) == set(categories.TABLES)
    assert pd.api.types.is_string_dtype(batu2020.units["unit_id"])  # text ids, as loaded
    for name, t in res2020.tables.items():
        assert len(t), name
        assert (t["year"] == 2020).all(), name


def test_exact_test_and_its_table_are_in_the_results(res2020):
    """The published 2020 record: 29 units, 10 A and 19 BB; Dinas 6 of 17 A (Malang Voice /
    Malang Post, Feb 2021). The p-value is R's fisher.test on that table."""
    test = res2020.table("grade_test").iloc[0]
    assert test["p_value"] == pytest.approx(R["fisher.batu2020"]["value"], rel=1e-9)
    assert test["n"] == 29 and test["n_rows"] == 7 and test["n_cols"] == 2 and test["method"].startswith("exact")
    assert "Dinas: BB 11, A 6" in test["table"] and "Inspektorat: BB 0, A 1" in test["table"]
    tab = res2020.table("grades_by_category")
    assert tab["n_units"].sum() == 29
    wide = tab.pivot(index="category", columns="grade", values="n_units")
    assert wide.loc["Dinas"].to_dict() == {"A": 6, "BB": 11} and wide["A"].sum() == 10
    # the one-line table in grade_test.csv is the long table, category by category
    for cat, part in tab.groupby("category", sort=True):
        text = f"{cat}: " + ", ".join(f"{g} {n}" for g, n in zip(part["grade"], part["n_units"]))
        assert text in test["table"]
    assert np.allclose(tab.groupby("category")["expected"].sum(), tab.groupby("category")["category_total"].first())


def test_shares_and_too_few_units(res2020):
    s = res2020.table("top_grade_shares").set_index("category")
    assert (s["top"] == "A or better").all()
    assert s.loc["Dinas", ["successes", "n"]].tolist() == [6, 17]
    assert s.loc["Dinas", "ci_low"] == pytest.approx(R["cp.6of17.low"]["value"], abs=1e-10)
    assert s.loc["Inspektorat", "note"].startswith(TOO_FEW)
    cats = res2020.table("categories").set_index("category")
    assert cats.loc["Inspektorat", "status"] == TOO_FEW and cats.loc["Dinas", "status"] == "compared"
    # a unit without a grade or scores (a city-owned company in the unit list) is not a small category
    not_evaluated = cats[cats["n_graded"].eq(0) & cats["n_scored"].eq(0)]
    assert not_evaluated["status"].str.startswith("not evaluated").all()
    assert set(res2020.facts["too_few"]) == set(cats.index[cats["status"] == TOO_FEW])
    # small categories are named in every score comparison, never pooled
    st = res2020.table("score_tests")
    assert st["note"].str.contains("Inspektorat \\(1\\)").all()
    eff = res2020.table("category_effects")
    small = eff[eff["category"].isin(res2020.facts["too_few"])]
    assert len(small) and small["estimate"].isna().all() and small["note"].str.startswith(TOO_FEW).all()


def test_unit_scores_are_the_published_total_logic(res2020, batu2020):
    us = res2020.table("unit_scores")
    tot = us[us["measure"] == "total"].set_index("unit_id")
    sak = batu2020.scores[batu2020.scores["evaluation"] == "sakip"]
    direct = subject_totals(sak, batu2020.rubric).set_index("subject_id")
    assert len(tot) == 29
    assert np.allclose(tot["score"], direct.loc[tot.index, "total"])
    assert set(us["measure"]) == {"total"} | set(
        batu2020.rubric.loc[batu2020.rubric["evaluation"] == "sakip", "component"]
    )
    side = set(tot.index[tot["evaluating_side"]])
    assert side == set(batu2020.jurors["home_unit_id"].dropna()) & set(batu2020.units["unit_id"])


def test_mixed_models_are_the_stats_layer_on_juror_totals(res2020, batu2020):
    from kinerja.rubrics import juror_measures

    m = juror_measures(batu2020.scores[batu2020.scores["evaluation"] == "sakip"], batu2020.rubric)
    tot = m[m["measure"] == "total"].merge(
        batu2020.units[["unit_id", "category"]], left_on="subject_id", right_on="unit_id"
    )
    direct = group_effects(tot, reference="Dinas")
    eff = res2020.table("category_effects")
    eff = eff[eff["measure"] == "total"]
    pd.testing.assert_series_equal(
        eff["estimate"].reset_index(drop=True), direct["estimate"].reset_index(drop=True), check_names=False
    )
    adj = eff[(eff["model"] == "adjusted") & (eff["category"] == "all")].iloc[0]
    assert adj["n"] == 24 and adj["n_jurors"] == 10  # units of the compared categories; every juror
    assert adj["n_obs"] > 200  # juror-score rows, not the sampling units


def test_findings_follow_the_contract_and_quote_the_tables(res2020):
    f = res2020.findings
    check_findings(f)
    assert list(f["finding_id"]) == FIDS
    assert (f["status"] == "estimated").all()
    f = f.set_index("finding_id")
    assert f.loc["categories.grade_test", "estimate"] == res2020.table("grade_test").loc[0, "p_value"]
    assert "p = 0.94" in f.loc["categories.grade_test", "statement"]
    assert "p = 0,94" in f.loc["categories.grade_test", "statement_ind"]
    assert "Dinas (17 units), 6 were graded A or better" in f.loc["categories.top_share", "statement"]
    assert "Dinas (17 perangkat daerah), 6 mendapat" in f.loc["categories.top_share", "statement_ind"]
    assert f.loc["categories.top_share", "ci_low"] == pytest.approx(R["cp.6of17.low"]["value"], abs=1e-10)
    # provenance: grade findings rest on the record only; score findings say SYNTHETIC
    assert "synthetic" not in f.loc["categories.grade_test", "basis"]
    assert "synthetic" in f.loc["categories.adjusted", "basis"]
    assert f.loc["categories.adjusted", "provenance"].startswith("SYNTHETIC")
    side = res2020.table("evaluating_side")
    assert set(side["comparison"]) == {"grades", "scores, unadjusted", "scores, adjusted for jurors"}
    assert "Inspektorat (A)" in f.loc["categories.evaluating_side", "statement"]
    for text in f["statement"]:
        assert "Kota Batu" not in text and "Batu" not in text


def test_same_seed_same_tables(batu2020, res2020):
    again = run(batu2020)
    for name in res2020.tables:
        pd.testing.assert_frame_equal(res2020.tables[name], again.tables[name])


@pytest.mark.parametrize("data, year", [("batu", 2023), ("contoh", 2021)])
def test_statements_follow_the_data_of_other_years_and_datasets(data, year):
    ds = load_dataset(data).for_year(year)
    res = run(ds, n_boot=0, n_perm=0)
    check_tables(res, categories.TABLES)
    f = res.findings.set_index("finding_id")
    grades = ds.grades.merge(ds.units[["unit_id", "category"]], on="unit_id")
    ref = res.facts["reference"]
    assert ref == grades["category"].value_counts().idxmax()
    k = int((grades.loc[grades["category"] == ref, "grade"].astype(str).isin(["A", "AA"])).sum())
    n = int((grades["category"] == ref).sum())
    assert f"{ref} ({n} units), {k} w" in f.loc["categories.top_share", "statement"]
    used = [g for g in ("D", "C", "CC", "B", "BB", "A", "AA") if g in set(grades["grade"].astype(str))]
    assert res.facts["grades_used"] == used
    assert str(year) in f.loc["categories.grade_test", "statement"]
    others = {2019, 2020, 2021, 2022, 2023} - {year}
    assert not any(str(y) in " ".join(res.findings["statement"]) for y in others)
    assert res.table("grade_test").loc[0, "n_cols"] == len(used)


def test_one_unit_in_a_category(tmp_path):
    ds = load_dataset(datasets.one_unit_category(tmp_path / "one_unit"))
    res = run(ds)
    check_tables(res, categories.TABLES)
    cats = res.table("categories").set_index("category")
    assert cats.loc["Kecamatan", "n_units"] == 1 and cats.loc["Kecamatan", "status"] == TOO_FEW
    s = res.table("top_grade_shares").set_index("category")
    assert s.loc["Kecamatan", "n"] == 1 and s.loc["Kecamatan", "note"].startswith(TOO_FEW)
    eff = res.table("category_effects")
    assert eff.loc[eff["category"] == "Kecamatan", "note"].str.startswith(TOO_FEW).all()
    # Dinas is the only category left with enough units: nothing to compare, said so
    st = res.table("score_tests")
    assert st["estimate"].isna().all() and st["note"].str.contains("fewer than 2 groups").all()
    f = res.findings.set_index("finding_id")
    assert f.loc["categories.adjusted", "status"] == "undefined"
    assert "fewer than 2" in f.loc["categories.adjusted", "statement"]
    assert f.loc["categories.grade_test", "status"] == "estimated"  # the exact test keeps every category
    check_findings(res.findings)


def test_record_only_year_says_what_cannot_be_computed(tmp_path):
    ds = load_dataset(datasets.record_only(tmp_path / "record_only"))
    res = run(ds)
    check_tables(res, categories.TABLES)
    for name in ("unit_scores", "score_tests", "pairwise", "category_effects", "evaluating_side"):
        assert res.table(name).empty, name
    assert res.table("grade_test").loc[0, "p_value"] == pytest.approx(R["fisher.batu2020"]["value"], rel=1e-9)
    f = res.findings.set_index("finding_id")
    assert f.loc["categories.adjusted", "status"] == "undefined"
    assert "no juror-level SAKIP scores" in f.loc["categories.adjusted", "statement"]
    assert f.loc["categories.evaluating_side", "status"] == "undefined"
    assert "no jurors are recorded" in f.loc["categories.evaluating_side", "statement"]
    assert (
        f.loc[["categories.grade_test", "categories.top_share", "categories.detectable"], "status"]
        .eq("estimated")
        .all()
    )
    assert any("no juror-level" in n for n in res.notes)
    assert f["statement_ind"].str.len().gt(20).all()


def test_one_juror(tmp_path):
    ds = load_dataset(datasets.one_juror(tmp_path / "one_juror"))
    res = run(ds)
    eff = res.table("category_effects")
    adj = eff[(eff["model"] == "adjusted") & ~eff["category"].isin(res.facts["too_few"])]
    assert len(adj) and adj["estimate"].isna().all() and adj["note"].str.contains("one juror").all()
    assert eff.loc[eff["model"] == "unadjusted", "estimate"].notna().any()
    f = res.findings.set_index("finding_id")
    assert f.loc["categories.adjusted", "status"] == "undefined"
    assert "one juror" in f.loc["categories.adjusted", "statement"]
    assert "satu evaluator" in f.loc["categories.adjusted", "statement_ind"]
    check_findings(res.findings)


def test_constant_scores_give_reasons_not_warnings(tmp_path):
    ds = load_dataset(datasets.constant_scores(tmp_path / "constant"))
    res = run(ds)  # run() turns any warning into an error
    st = res.table("score_tests")
    assert st["estimate"].isna().all() and (st["note"] != "").all()
    f = res.findings.set_index("finding_id")
    assert f.loc["categories.adjusted", "status"] == "undefined"
    assert "constant response" in f.loc["categories.adjusted", "statement"]
    assert "adjusted for juror severity" not in f.loc["categories.evaluating_side", "statement"]
    check_findings(res.findings)


def test_a_year_without_grades(batu2020):
    ds = batu2020.for_year(2020)
    ds.tables["grades"] = ds.grades.iloc[0:0]
    res = run(ds, n_boot=0, n_perm=0)
    check_tables(res, categories.TABLES)
    f = res.findings.set_index("finding_id")
    assert f.loc["categories.grade_test", "status"] == "undefined"
    assert "no grades on record" in f.loc["categories.grade_test", "statement"]
    assert f.loc["categories.adjusted", "status"] == "estimated"  # the scores still speak
