"""agreement_summary and grade agreement on whole datasets (what notebook 01 shows)."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from kinerja import synth
from kinerja.agreement import icc
from kinerja.analyses.agreement import SUMMARY_COLUMNS, agreement_summary, grade_agreement, juror_grades
from kinerja.io import load_dataset
from kinerja.paths import DATA_DIR
from kinerja.report.wording import plain_words
from kinerja.rubrics import juror_measures


@pytest.fixture(scope="module")
def batu2020():
    return load_dataset("batu", year=2020)


@pytest.fixture(scope="module")
def summary2020(batu2020):
    return agreement_summary(batu2020, 2020, n_boot=200, seed=1)


def _get(s, ev, st, measure, stat, panel="all"):
    r = s[
        (s["evaluation"] == ev)
        & (s["stage"] == st)
        & (s["measure"] == measure)
        & (s["statistic"] == stat)
        & (s["panel"] == panel)
    ]
    assert len(r) == 1, (ev, st, measure, stat, panel)
    return r.iloc[0]


def test_columns_and_coverage(summary2020):
    assert list(summary2020.columns) == list(SUMMARY_COLUMNS)
    got = set(map(tuple, summary2020[["evaluation", "stage"]].drop_duplicates().to_numpy()))
    assert got == {("sakip", "lke"), ("kovablik", "proposal"), ("kovablik", "presentasi")}
    sak_measures = set(summary2020.loc[summary2020["evaluation"] == "sakip", "measure"])
    assert len(sak_measures) == 6 and "total" in sak_measures  # 5 components of PermenPANRB 12/2015 + total


def test_summary_equals_direct_icc_on_juror_totals(batu2020, summary2020):
    m = juror_measures(batu2020.scores, batu2020.rubric)
    tot = m[(m["evaluation"] == "sakip") & (m["measure"] == "total")].dropna(subset=["score"])
    direct = icc(tot).set_index("statistic")
    for stat in ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(2,k)"):
        assert _get(summary2020, "sakip", "lke", "total", stat)["estimate"] == pytest.approx(
            direct.loc[stat, "estimate"], rel=1e-12
        )
    # missing cells -> REML, and every ICC gets icc()'s generalized CI (jurors sampled too)
    r = _get(summary2020, "sakip", "lke", "total", "ICC(2,1)")
    assert r["method"].startswith("reml") and r["ci_low"] < r["estimate"] < r["ci_high"]
    assert "generalized" in r["ci_method"]
    assert r["ci_low"] == pytest.approx(direct.loc["ICC(2,1)", "ci_low"], rel=1e-12)
    comp = _get(summary2020, "sakip", "lke", "Perencanaan Kinerja", "ICC(2,k)")
    assert np.isfinite(comp["ci_low"]) and "generalized" in comp["ci_method"]


def test_complete_kovablik_design_gci_for_absolute_agreement_exact_f_for_consistency(batu2020, summary2020):
    # complete design: ICC(2,1) gets the generalized CI (McGraw & Wong's F approximation
    # under-covers when jurors differ in leniency), ICC(3,1) keeps its exact F interval
    m = juror_measures(batu2020.scores, batu2020.rubric)
    tot = m[(m["evaluation"] == "kovablik") & (m["stage"] == "proposal") & (m["measure"] == "total")]
    tot = tot.dropna(subset=["score"])
    r = _get(summary2020, "kovablik", "proposal", "total", "ICC(2,1)")
    assert r["method"].startswith("anova") and "generalized" in r["ci_method"]
    gci = icc(tot, ci_method="gci").set_index("statistic")
    assert (r["ci_low"], r["ci_high"]) == (gci.loc["ICC(2,1)", "ci_low"], gci.loc["ICC(2,1)", "ci_high"])
    c = _get(summary2020, "kovablik", "proposal", "total", "ICC(3,1)")
    f = icc(tot).set_index("statistic")
    assert c["ci_method"].startswith("F") and c["ci_low"] == f.loc["ICC(3,1)", "ci_low"]


def test_single_juror_panel_is_nan_with_reason(summary2020):
    r = _get(summary2020, "sakip", "lke", "total", "ICC(2,1)", panel="biro_provinsi")
    assert np.isnan(r["estimate"]) and "one juror" in r["note"]


def test_kendall_w_states_the_complete_subset(batu2020, summary2020):
    sak = batu2020.scores[batu2020.scores["evaluation"] == "sakip"]
    n_jurors = sak["juror_id"].nunique()
    per_unit = sak.groupby("subject_id")["juror_id"].nunique()
    complete = int((per_unit == n_jurors).sum())
    assert complete < len(per_unit)  # the bundled 2020 data have missing cells
    r = _get(summary2020, "sakip", "lke", "total", "Kendall's W")
    assert f"{complete} of {len(per_unit)}" in r["note"] and r["n_subjects"] == complete


def test_plain_words_flags_planted_severity(summary2020):
    text = plain_words(summary2020, "sakip", "lke")
    assert "harsher or more" in text  # ICC(C,1) well above ICC(A,1): planted severity differences


def _synthetic_dataset(tmp_path, **cfg):
    res = synth.generate(DATA_DIR / "batu" / "record", synth.SynthConfig(years=(2020,), **cfg))
    synth.write(res, tmp_path, meta={"name": "t"})
    return load_dataset(tmp_path, year=2020)


def test_pipeline_recovers_presence_and_absence_of_juror_severity(tmp_path):
    """Planted truth: with no severity, panel or home effects, consistency and absolute
    agreement coincide; with large severity SD they separate."""
    none = _synthetic_dataset(
        tmp_path / "none",
        severity_sd=0.0,
        home_bias=0.0,
        p_missing_unit=0.0,
        panel_effect={p: 0.0 for p in synth.SynthConfig().panel_effect},
    )
    s0 = agreement_summary(none, 2020, n_boot=0, by_panel=False)
    gap0 = (
        _get(s0, "sakip", "lke", "total", "ICC(3,1)")["estimate"]
        - _get(s0, "sakip", "lke", "total", "ICC(2,1)")["estimate"]
    )
    harsh = _synthetic_dataset(tmp_path / "harsh", severity_sd=8.0, p_missing_unit=0.0)
    s1 = agreement_summary(harsh, 2020, n_boot=0, by_panel=False)
    gap1 = (
        _get(s1, "sakip", "lke", "total", "ICC(3,1)")["estimate"]
        - _get(s1, "sakip", "lke", "total", "ICC(2,1)")["estimate"]
    )
    assert abs(gap0) < 0.05 and gap1 > 0.2, (gap0, gap1)


def test_grade_agreement_percent_agreement_by_brute_force(batu2020):
    g = juror_grades(batu2020, 2020)
    ga = grade_agreement(batu2020, 2020)
    pa = ga[(ga["statistic"] == "percent_agreement") & (ga["weights"] == "unweighted")]["estimate"].iloc[0]
    # Fleiss/Gwet observed agreement: per unit, share of ordered juror pairs with the same grade
    shares = []
    for _, part in g.groupby("subject_id"):
        gr = part["grade"].tolist()
        if len(gr) < 2:
            continue
        pairs = list(itertools.permutations(range(len(gr)), 2))
        shares.append(sum(gr[i] == gr[j] for i, j in pairs) / len(pairs))
    assert pa == pytest.approx(np.mean(shares), rel=1e-12)
    # the kappa paradox in the bundled data: AC1 above Fleiss' kappa at the same raw agreement
    u = ga[ga["weights"] == "unweighted"].set_index("statistic")["estimate"]
    assert u["gwet_ac1"] > u["fleiss_kappa"]


def test_juror_grades_say_which_implied_grades_differ_from_the_grade_on_record(batu2020):
    g = juror_grades(batu2020, 2020)
    published = dict(zip(batu2020.grades["unit_id"].astype(str), batu2020.grades["grade"].astype(str)))
    for row in g.itertuples():
        assert row.grade_on_record == published[row.subject_id]
        assert bool(row.differs_from_record) == (row.grade != published[row.subject_id])
    assert 0 < g["differs_from_record"].sum() < len(g)
    # a unit without a published grade: nothing to differ from (NA, not False)
    unit = g["subject_id"].iloc[0]
    ds = batu2020.for_year(2020)
    ds.tables["grades"] = ds.grades[ds.grades["unit_id"].astype(str) != unit]
    h = juror_grades(ds, 2020)
    assert h.loc[h["subject_id"] == unit, "differs_from_record"].isna().all()
    assert h.loc[h["subject_id"] == unit, "grade_on_record"].isna().all()
    assert h.loc[h["subject_id"] != unit, "differs_from_record"].notna().all()


def test_panels_on_totals_only_gives_the_same_rows_as_panels_on_every_measure(batu2020, summary2020):
    totals = agreement_summary(batu2020, 2020, n_boot=200, seed=1, by_panel="totals")
    within = summary2020["panel"] != "all"
    # every row of the whole panel and every within-panel row on a total, value for value
    expected = summary2020[~within | (summary2020["measure"] == "total")].reset_index(drop=True)
    pd.testing.assert_frame_equal(totals.reset_index(drop=True), expected)
    assert (totals["panel"] != "all").any() and (summary2020[within]["measure"] != "total").any()
    assert set(agreement_summary(batu2020, 2020, n_boot=0, by_panel=False)["panel"]) == {"all"}
    numpy_true = agreement_summary(batu2020, 2020, n_boot=200, seed=1, by_panel=np.bool_(True))
    pd.testing.assert_frame_equal(numpy_true, summary2020)
    with pytest.raises(ValueError, match="by_panel"):
        agreement_summary(batu2020, 2020, n_boot=0, by_panel="components")


def test_degenerate_one_juror_and_constant_scores(tmp_path):
    ds = _synthetic_dataset(
        tmp_path / "one",
        panels_per_year={"akademisi": 1},
        pool_size={"akademisi": 1},
        kovablik_panels=("akademisi",),
        p_missing_unit=0.0,
    )
    s = agreement_summary(ds, 2020, n_boot=50, by_panel=True)
    r = _get(s, "sakip", "lke", "total", "ICC(2,1)")
    assert np.isnan(r["estimate"]) and r["note"]
    # constant scores: every juror gives 75 everywhere
    const = ds.for_year(2020)
    const.tables["scores"] = const.scores.assign(score=75.0)
    s = agreement_summary(const, 2020, n_boot=50, by_panel=False)
    for stat in ("ICC(2,1)", "Krippendorff's alpha (interval)"):
        r = _get(s, "sakip", "lke", "total", stat)
        assert np.isnan(r["estimate"]) and r["note"], stat


# ----------------------------------------------------------------------------------------
# analyse(): the tables and findings notebook 01 shows
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def analysis2020(batu2020):
    from kinerja.analyses import agreement

    return agreement.analyse(batu2020, year=2020, n_boot=100, seed=3)


def test_analyse_tables_follow_their_specs(analysis2020):
    from kinerja.analyses import agreement
    from kinerja.analyses.base import check_tables

    check_tables(analysis2020, agreement.TABLES)
    assert set(analysis2020.tables) == set(agreement.TABLES)


def test_findings_reconcile_pairs_panel_mean_and_boundaries(analysis2020, batu2020):
    f = analysis2020.findings.set_index("finding_id")
    s = analysis2020.table("agreement")
    a1 = s[
        (s["evaluation"] == "sakip")
        & (s["measure"] == "total")
        & (s["panel"] == "all")
        & (s["statistic"] == "ICC(2,1)")
    ].iloc[0]
    assert f.loc["agreement.two_jurors", "estimate"] == pytest.approx(a1["estimate"])
    # the 95% quantile of |difference| of two jurors' totals, recomputed by brute force
    tot = juror_measures(batu2020.scores, batu2020.rubric)
    tot = tot[(tot["evaluation"] == "sakip") & (tot["measure"] == "total")].dropna(subset=["score"])
    wide = tot.pivot(index="subject_id", columns="juror_id", values="score").to_numpy()
    diffs = [
        abs(r[i] - r[j])
        for r in wide
        for i in range(len(r))
        for j in range(i + 1, len(r))
        if np.isfinite(r[i]) and np.isfinite(r[j])
    ]
    assert f"{np.quantile(diffs, 0.95):.1f} points" in f.loc["agreement.two_jurors", "statement"]
    prec = analysis2020.table("unit_precision")
    assert f.loc["agreement.near_boundary", "estimate"] == (prec["distance_se"] < 2).sum()
    assert f"of {len(prec)} units" in f.loc["agreement.near_boundary", "statement"]
    assert f.loc["agreement.published_total", "measure"] == "ICC(A,k)"
    assert (analysis2020.findings["provenance"].str.contains("SYNTHETIC")).all()


def test_unit_precision_matches_a_hand_computation():
    from kinerja.analyses.agreement import unit_precision

    totals = pd.DataFrame(
        {
            "subject_id": ["a", "a", "b", "b", "b"],
            "juror_id": ["1", "2", "1", "2", "3"],
            "score": [80.0, 82.0, 70.0, 71.0, 75.0],
        }
    )
    p = unit_precision(totals).set_index("subject_id")
    pooled = (np.var([80, 82], ddof=1) * 1 + np.var([70, 71, 75], ddof=1) * 2) / 3
    assert p.loc["a", "se"] == pytest.approx(np.sqrt(pooled / 2))
    assert p.loc["b", "nearest_boundary"] == 70.0
    assert p.loc["a", "distance_se"] == pytest.approx(1.0 / np.sqrt(pooled / 2))


def test_one_juror_gives_undefined_findings_with_reasons(tmp_path):
    res = synth.generate(DATA_DIR / "batu" / "record", synth.SynthConfig(years=(2020,)))
    sc = res.tables["scores"]
    keep = sc["juror_id"] == sc["juror_id"].iloc[0]
    res.tables["scores"] = sc[keep]
    res.tables["jurors"] = res.tables["jurors"][res.tables["jurors"]["juror_id"] == sc["juror_id"].iloc[0]]
    synth.write(res, tmp_path / "one")
    from kinerja.analyses import agreement

    out = agreement.analyse(load_dataset(tmp_path / "one"), year=2020, n_boot=0)
    f = out.findings.set_index("finding_id")
    assert (
        f.loc[["agreement.two_jurors", "agreement.published_total", "agreement.near_boundary"], "status"] == "undefined"
    ).all()
    assert "only one juror" in f.loc["agreement.two_jurors", "statement"]


def test_the_published_totals_reading_keeps_what_its_interval_spans(analysis2020):
    """The label applies to the whole interval (the notebook says so); the finding had
    cut 'good (CI spans poor to excellent)' down to 'good' (found on a two-juror dataset)."""
    f = analysis2020.findings.set_index("finding_id").loc["agreement.published_total", "statement"]
    assert re.search(r"ICC\(A,k\) = [^(]+\((excellent|good|moderate|poor)(; its CI spans \w+ to \w+)?\)", f), f
    reading = analysis2020.table("agreement")
    row = reading[(reading["statistic"] == "ICC(2,k)") & (reading["measure"] == "total") & (reading["panel"] == "all")]
    if "CI spans" in str(row["reading"].iloc[0]):
        assert "; its CI spans" in f


def test_juror_pairs_hold_each_pair_once(analysis2020):
    """Stacking the masked matrix kept its lower triangle and diagonal as NaN rows: the
    heatmap's alt text counted 36 'undefined' pairs among 8 jurors with all 28 defined."""
    pairs = analysis2020.table("juror_pairs")
    jurors = sorted(set(pairs["juror_a"]) | set(pairs["juror_b"]))
    k = len(jurors)
    assert len(pairs) == k * (k - 1) // 2
    assert (pairs["juror_a"] != pairs["juror_b"]).all()
    assert not pairs[["juror_a", "juror_b"]].apply(frozenset, axis=1).duplicated().any()
    assert pairs["estimate"].notna().all()


def test_a_pair_with_fewer_than_five_units_in_common_is_blank(tmp_path):
    """A national-scale design drew pair ICCs from 2-4 shared units (as low as -1.39) in
    the heatmap. The identification rule's 'few' (5) applies to pairs too."""
    from kinerja.analyses import agreement
    from kinerja.stats.agreement._common import FEW_UNITS

    from .. import datasets

    t = datasets._tables()
    sc = t["scores"]
    sak = sc["evaluation"] == "sakip"
    j = sorted(sc.loc[sak, "juror_id"].unique())[0]
    mine = sorted(sc.loc[sak & (sc["juror_id"] == j), "subject_id"].unique())
    t["scores"] = sc[~(sak & (sc["juror_id"] == j) & ~sc["subject_id"].isin(mine[:3]))]
    ds = load_dataset(datasets._write(tmp_path / "sparse", t, "sparse juror", "One juror scored 3 units."))
    res = agreement.analyse(ds, year=2020, n_boot=0)
    pairs = res.table("juror_pairs")
    with_j = pairs[(pairs["juror_a"] == j) | (pairs["juror_b"] == j)]
    assert len(with_j) and (with_j["n_common"] <= 3).all() and with_j["estimate"].isna().all()
    others = pairs.drop(with_j.index)
    assert (others["n_common"] >= FEW_UNITS).all() and others["estimate"].notna().all()
    assert res.facts["pairs_min_common"] == FEW_UNITS == 5
    # the Bland-Altman pair follows the same rule (it had been drawn "over 4 units")
    assert int(res.table("bland_altman")["n_subjects"].iloc[0]) >= FEW_UNITS


def test_two_units_scored_by_two_jurors_give_no_pair_plot_and_say_why(tmp_path):
    """The loader's small valid dataset (2 SAKIP units x 2 jurors) stopped notebook 01 with
    'AgreementInputError: no juror pair shares enough subjects to compare': the fallback
    for the most discrepant pair raised again."""
    from kinerja.analyses import agreement

    from ..data.io.helpers import valid_tables, write_csv

    ds = load_dataset(write_csv(tmp_path / "small", valid_tables()))
    res = agreement.analyse(ds, year=2020, n_boot=0)
    assert res.table("bland_altman").empty
    assert res.facts["bland_altman_why"] == "no pair of jurors has SAKIP totals of 3 or more units in common"
